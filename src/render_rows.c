/* render_rows.c — one match row as text: a TSV line (with or without its KWIC context), a
 * JSON object (JSON Lines, or an element of a JSON array), or an aligned KWIC concordance
 * line for the terminal; and a reproducible random sample of rows per theme for hand
 * validation. The row writers are used both when matches stream out of a run and by the
 * CLI's tag and kwic commands; they never see documents. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "render.h"
#include "util.h"

/* ---- TSV ---- */

const char *lf_match_tsv_header(void)
{
    return "doc\tturn\tspeaker\tsentence\tline\ttok_start\ttok_end\tbyte_start\tbyte_end\t"
           "char_start\tchar_end\ttheme\tentry\tentry_file\tentry_line\ttext\tnegated\t"
           "negator\tstatus";
}

/* Rows are assembled in a buffer and written with one fwrite: a matches table can hold
 * millions of rows, and per-character stdio calls would dominate a run. */
typedef struct row_buf {
    char *p, *end;
    char data[8192];
    lf_buf big; /* used instead when a row does not fit */
    bool spilled;
    bool escape; /* fields escaped as lf_fput_escaped does, not flattened (partial results) */
} row_buf;

static void rb_put(row_buf *b, const char *s, size_t n)
{
    if (!b->spilled && (size_t)(b->end - b->p) >= n) {
        memcpy(b->p, s, n);
        b->p += n;
        return;
    }
    if (!b->spilled) {
        lf_buf_append(&b->big, b->data, (size_t)(b->p - b->data));
        b->spilled = true;
    }
    lf_buf_append(&b->big, s, n);
}

static void rb_char(row_buf *b, char c)
{
    if (!b->spilled && b->p < b->end)
        *b->p++ = c;
    else
        rb_put(b, &c, 1);
}

static void rb_size(row_buf *b, size_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    rb_put(b, tmp + sizeof tmp - n, n);
}

/* A TSV field: tab, CR and LF would break the row, so they become spaces; or, in a row
 * of a partial result, which must give back the same row, they (and '\\') are escaped. */
static void rb_field(row_buf *b, const char *s)
{
    if (!s)
        return;
    for (;;) {
        size_t n = b->escape ? lf_escape_span(s) : strcspn(s, "\t\r\n");
        rb_put(b, s, n);
        if (!s[n])
            return;
        if (b->escape) {
            char e[5];
            rb_put(b, e, lf_escape_byte(s + n, e));
        } else {
            rb_char(b, ' ');
        }
        s += n + 1;
    }
}

static void rb_init(row_buf *b)
{
    b->p = b->data;
    b->end = b->data + sizeof b->data;
    b->big = (lf_buf){0};
    b->spilled = false;
    b->escape = false;
}

static int rb_flush(row_buf *b, FILE *fp)
{
    if (b->spilled) {
        fwrite(b->big.data, 1, b->big.len, fp);
        lf_buf_free(&b->big);
    } else {
        fwrite(b->data, 1, (size_t)(b->p - b->data), fp);
    }
    return ferror(fp) ? -1 : 0;
}

static void match_tsv_fields(row_buf *b, const lf_match_row *r)
{
    rb_field(b, r->doc);
    rb_char(b, '\t');
    rb_size(b, r->turn);
    rb_char(b, '\t');
    rb_field(b, r->speaker);
    const size_t nums[] = {r->sentence,   r->line,     r->tok_start,  r->tok_end,
                           r->byte_start, r->byte_end, r->char_start, r->char_end};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        rb_char(b, '\t');
        rb_size(b, nums[i]);
    }
    rb_char(b, '\t');
    rb_field(b, r->theme);
    rb_char(b, '\t');
    rb_field(b, r->entry);
    rb_char(b, '\t');
    rb_field(b, r->entry_file);
    rb_char(b, '\t');
    rb_size(b, r->entry_line);
    rb_char(b, '\t');
    rb_field(b, r->text);
    rb_put(b, r->negated ? "\t1\t" : "\t0\t", 3);
    rb_field(b, r->negator);
    rb_char(b, '\t');
    rb_field(b, r->status ? r->status : "counted");
}

int lf_write_match_tsv(FILE *fp, const lf_match_row *r)
{
    row_buf b;
    rb_init(&b);
    match_tsv_fields(&b, r);
    rb_char(&b, '\n');
    return rb_flush(&b, fp);
}

const char *lf_kwic_tsv_header(void)
{
    return "doc\tturn\tspeaker\tsentence\tline\ttok_start\ttok_end\tbyte_start\tbyte_end\t"
           "char_start\tchar_end\ttheme\tentry\tentry_file\tentry_line\ttext\tnegated\t"
           "negator\tstatus\tleft\tright";
}

static int kwic_tsv(FILE *fp, const lf_match_row *r, bool escape)
{
    row_buf b;
    rb_init(&b);
    b.escape = escape;
    match_tsv_fields(&b, r);
    rb_char(&b, '\t');
    rb_field(&b, r->left);
    rb_char(&b, '\t');
    rb_field(&b, r->right);
    rb_char(&b, '\n');
    return rb_flush(&b, fp);
}

int lf_write_kwic_tsv(FILE *fp, const lf_match_row *r)
{
    return kwic_tsv(fp, r, false);
}

int lf_write_kwic_tsv_escaped(FILE *fp, const lf_match_row *r)
{
    return kwic_tsv(fp, r, true);
}

/* ---- JSON ---- */

/* Where an escaper writes: a stdio stream, or a buffer (the table writer's rows). */
typedef struct text_sink {
    FILE *fp;
    lf_buf *buf;
} text_sink;

static void sink_write(const text_sink *k, const void *p, size_t n)
{
    if (k->buf)
        lf_buf_append(k->buf, p, n);
    else
        fwrite(p, 1, n, k->fp);
}

static void json_string(const text_sink *k, const char *s)
{
    sink_write(k, "\"", 1);
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *run = p;
    const unsigned char *end = p + strlen((const char *)p);
    for (; *p; p++) {
        /* bytes that stand for themselves are written a run at a time */
        if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            continue;
        size_t n = *p >= 0x80 ? lf_utf8_len(p, end) : 1;
        if (n > 1 && !(p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))) {
            p += n - 1;
            continue;
        }
        sink_write(k, run, (size_t)(p - run));
        char esc[8];
        if (n == 0) {
            /* invalid UTF-8 (a file name's bytes) is no JSON text: U+FFFD, as in HTML */
            sink_write(k, "\\ufffd", 6);
            run = p + 1;
            continue;
        }
        switch (*p) {
        case '"':
            sink_write(k, "\\\"", 2);
            break;
        case '\\':
            sink_write(k, "\\\\", 2);
            break;
        case '\n':
            sink_write(k, "\\n", 2);
            break;
        case '\r':
            sink_write(k, "\\r", 2);
            break;
        case '\t':
            sink_write(k, "\\t", 2);
            break;
        case 0xE2:
            /* U+2028/U+2029 are valid JSON but end a line in JavaScript. */
            snprintf(esc, sizeof esc, "\\u%04x", p[2] == 0xA8 ? 0x2028u : 0x2029u);
            sink_write(k, esc, 6);
            p += 2;
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            sink_write(k, esc, 6);
            break;
        }
        run = p + 1;
    }
    sink_write(k, run, (size_t)(p - run));
    sink_write(k, "\"", 1);
}

void lf_json_string(FILE *fp, const char *s)
{
    json_string(&(text_sink){.fp = fp}, s);
}

void lf_json_string_buf(lf_buf *b, const char *s)
{
    json_string(&(text_sink){.buf = b}, s);
}

static void json_key_string(FILE *fp, const char *key, const char *value)
{
    fprintf(fp, ",\"%s\":", key);
    lf_json_string(fp, value);
}

static void json_key_size(FILE *fp, const char *key, size_t value)
{
    fprintf(fp, ",\"%s\":%zu", key, value);
}

static void write_match_object(FILE *fp, const lf_match_row *r)
{
    fputs("{\"doc\":", fp);
    lf_json_string(fp, r->doc);
    json_key_size(fp, "turn", r->turn);
    json_key_string(fp, "speaker", r->speaker);
    json_key_size(fp, "sentence", r->sentence);
    json_key_size(fp, "line", r->line);
    json_key_size(fp, "tok_start", r->tok_start);
    json_key_size(fp, "tok_end", r->tok_end);
    json_key_size(fp, "byte_start", r->byte_start);
    json_key_size(fp, "byte_end", r->byte_end);
    json_key_size(fp, "char_start", r->char_start);
    json_key_size(fp, "char_end", r->char_end);
    json_key_string(fp, "theme", r->theme);
    json_key_string(fp, "entry", r->entry);
    json_key_string(fp, "entry_file", r->entry_file);
    json_key_size(fp, "entry_line", r->entry_line);
    json_key_string(fp, "text", r->text);
    fprintf(fp, ",\"negated\":%s", r->negated ? "true" : "false");
    if (r->negator)
        json_key_string(fp, "negator", r->negator);
    else
        fputs(",\"negator\":null", fp);
    json_key_string(fp, "status", r->status ? r->status : "counted");
    /* TEI sources: the element the match points back to (absent for plain text) */
    if (r->element) {
        json_key_string(fp, "element", r->element);
        json_key_size(fp, "element_start", r->element_start);
        json_key_string(fp, "element_last", r->element_last ? r->element_last : r->element);
        json_key_size(fp, "element_end", r->element_end);
    }
    if (r->section)
        json_key_string(fp, "section", r->section);
    if (r->left)
        json_key_string(fp, "left", r->left);
    if (r->right)
        json_key_string(fp, "right", r->right);
    putc('}', fp);
}

int lf_write_match_jsonl(FILE *fp, const lf_match_row *r)
{
    write_match_object(fp, r);
    putc('\n', fp);
    return ferror(fp) ? -1 : 0;
}

int lf_write_match_json(FILE *fp, const lf_match_row *r, size_t index)
{
    fputs(index ? ",\n  " : "[\n  ", fp);
    write_match_object(fp, r);
    return ferror(fp) ? -1 : 0;
}

int lf_write_match_json_end(FILE *fp, size_t count)
{
    fputs(count ? "\n]\n" : "[]\n", fp);
    return ferror(fp) ? -1 : 0;
}

/* ---- KWIC ---- */

/* Minimum display width of the "doc:line speaker" column; longer prefixes push the line
 * right rather than being cut, since they identify the match. */
#define KWIC_PREFIX_WIDTH 24

/* A string prepared for the terminal: control characters (C0, DEL, C1) and the explicit
 * bidirectional controls (embeddings, overrides and isolates, U+202A–U+202E and
 * U+2066–U+2069, which would reorder the rest of the line and its columns) become spaces
 * and invalid bytes U+FFFD, so every code point can be measured and nothing is ever cut
 * inside one. */
static void kwic_clean(lf_buf *b, const char *s)
{
    lf_buf_reset(b);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *end = p + strlen((const char *)p);
    while (p < end) {
        int32_t cp;
        size_t n = lf_utf8_decode(p, end, &cp);
        if (n == 0) {
            lf_buf_puts(b, "\xEF\xBF\xBD");
            p++;
        } else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
                   (cp >= 0x2066 && cp <= 0x2069)) {
            lf_buf_putc(b, ' ');
            p += n;
        } else {
            lf_buf_append(b, p, n);
            p += n;
        }
    }
    lf_buf_cstr(b);
}

/* Terminal columns of one code point: 2 for wide (CJK) characters, 0 for combining marks. */
static size_t cp_width(int32_t cp)
{
    int w = utf8proc_charwidth(cp);
    return w > 0 ? (size_t)w : 0;
}

static size_t str_width(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t w = 0;
    while (p < end) {
        int32_t cp;
        size_t n = lf_utf8_decode(p, end, &cp);
        w += cp_width(cp);
        p += n ? n : 1;
    }
    return w;
}

static void put_spaces(FILE *fp, size_t n)
{
    while (n--)
        putc(' ', fp);
}

/* Left context right-aligned in `width` columns; when longer, its end is kept behind "…". */
static void kwic_left(FILE *fp, const char *s, size_t len, size_t width)
{
    size_t total = str_width(s, len);
    if (total <= width) {
        put_spaces(fp, width - total);
        fwrite(s, 1, len, fp);
        return;
    }
    if (width == 0)
        return;
    /* Walk back over whole code points while they fit in width − 1 columns. */
    const unsigned char *u = (const unsigned char *)s;
    size_t start = len, used = 0;
    while (start > 0) {
        size_t prev = start - 1;
        while (prev > 0 && (u[prev] & 0xC0) == 0x80)
            prev--;
        int32_t cp;
        lf_utf8_decode(u + prev, u + start, &cp);
        size_t w = cp_width(cp);
        if (used + w > width - 1)
            break;
        used += w;
        start = prev;
    }
    /* A combining mark whose base was cut off would attach to the ellipsis: drop it. */
    while (start < len) {
        int32_t cp;
        size_t n = lf_utf8_decode(u + start, u + len, &cp);
        if (cp_width(cp) != 0)
            break;
        start += n;
    }
    put_spaces(fp, width - 1 - used);
    fputs("\xE2\x80\xA6", fp);
    fwrite(s + start, 1, len - start, fp);
}

/* Right context cut to `width` columns, ending in "…" when cut. */
static void kwic_right(FILE *fp, const char *s, size_t len, size_t width)
{
    if (str_width(s, len) <= width) {
        fwrite(s, 1, len, fp);
        return;
    }
    if (width == 0)
        return;
    const unsigned char *u = (const unsigned char *)s;
    size_t end = 0, used = 0;
    while (end < len) {
        int32_t cp;
        size_t n = lf_utf8_decode(u + end, u + len, &cp);
        size_t w = cp_width(cp);
        if (used + w > width - 1)
            break;
        used += w;
        end += n;
    }
    fwrite(s, 1, end, fp);
    fputs("\xE2\x80\xA6", fp);
}

/* Whether s starts with punctuation that closes what comes before it (". , ; : ! ? ) ] }
 * … ” ’"): the context words are joined by single spaces, but "[sanctions] ." would show
 * a space the text does not have. */
static bool starts_closing(const char *s)
{
    if (*s && strchr(".,;:!?)]}", *s))
        return true;
    return strncmp(s, "\xE2\x80\xA6", 3) == 0 || strncmp(s, "\xE2\x80\x9D", 3) == 0 ||
           strncmp(s, "\xE2\x80\x99", 3) == 0;
}

/* Whether the left context ends with punctuation that opens what follows ("( [ { “ ‘"). */
static bool ends_opening(const char *s, size_t len)
{
    if (len && strchr("([{", s[len - 1]))
        return true;
    return len >= 3 && (memcmp(s + len - 3, "\xE2\x80\x9C", 3) == 0 ||
                        memcmp(s + len - 3, "\xE2\x80\x98", 3) == 0);
}

int lf_render_kwic_line(FILE *fp, const lf_match_row *r, size_t width)
{
    lf_buf b = {0}, prefix = {0};
    lf_buf_printf(&prefix, "%s:%zu %s", r->doc ? r->doc : "", r->line,
                  r->speaker && *r->speaker ? r->speaker : LF_UNATTRIBUTED);
    kwic_clean(&b, prefix.data);
    fwrite(b.data, 1, b.len, fp);
    size_t pw = str_width(b.data, b.len);
    put_spaces(fp, (pw < KWIC_PREFIX_WIDTH ? KWIC_PREFIX_WIDTH - pw : 0) + 2);

    kwic_clean(&b, r->left);
    /* after an opening bracket or quote the match follows without a space, and the left
       context takes that column, so that the '[' stays where it is on every line */
    bool open = ends_opening(b.data, b.len);
    kwic_left(fp, b.data, b.len, open ? width + 1 : width);
    kwic_clean(&b, r->text);
    fputs(open ? "[" : " [", fp);
    fwrite(b.data, 1, b.len, fp);
    putc(']', fp);
    kwic_clean(&b, r->right);
    if (b.len && width > 0) {
        if (!starts_closing(b.data))
            putc(' ', fp);
        kwic_right(fp, b.data, b.len, width);
    }
    putc('\n', fp);
    lf_buf_free(&b);
    lf_buf_free(&prefix);
    return ferror(fp) ? -1 : 0;
}

/* ---- reproducible samples ---- */

/* A stored copy of a row, with the order it arrived in. */
typedef struct sampled {
    lf_match_row row;
    uint64_t seq;
} sampled;

typedef struct reservoir {
    uint64_t seen;
    LF_VEC(sampled *) kept;
} reservoir;

struct lf_row_sample {
    size_t per_theme;
    uint64_t state; /* splitmix64 */
    uint64_t seq;
    lf_strmap themes; /* theme id → reservoir index */
    LF_VEC(reservoir) res;
    LF_VEC(const lf_match_row *) out;
};

/* splitmix64 (Steele, Lea and Flood): a tiny generator with the same stream everywhere. */
static uint64_t next_random(lf_row_sample *s)
{
    uint64_t z = (s->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform integer in [0, bound), without modulo bias (rejects the short last range). */
static uint64_t random_below(lf_row_sample *s, uint64_t bound)
{
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = next_random(s);
        if (x >= threshold)
            return x % bound;
    }
}

static char *dup_or_null(const char *s)
{
    return s ? lf_xstrdup(s) : NULL;
}

static sampled *sampled_new(const lf_match_row *r, uint64_t seq)
{
    sampled *c = lf_xcalloc(1, sizeof *c);
    c->row = *r;
    c->row.doc = dup_or_null(r->doc);
    c->row.speaker = dup_or_null(r->speaker);
    c->row.theme = dup_or_null(r->theme);
    c->row.entry = dup_or_null(r->entry);
    c->row.entry_file = dup_or_null(r->entry_file);
    c->row.text = dup_or_null(r->text);
    c->row.negator = dup_or_null(r->negator);
    c->row.left = dup_or_null(r->left);
    c->row.right = dup_or_null(r->right);
    c->row.status = dup_or_null(r->status);
    c->seq = seq;
    return c;
}

static void sampled_free(sampled *c)
{
    if (!c)
        return;
    free((char *)c->row.doc);
    free((char *)c->row.speaker);
    free((char *)c->row.theme);
    free((char *)c->row.entry);
    free((char *)c->row.entry_file);
    free((char *)c->row.text);
    free((char *)c->row.negator);
    free((char *)c->row.left);
    free((char *)c->row.right);
    free((char *)c->row.status);
    free(c);
}

lf_row_sample *lf_row_sample_new(size_t per_theme, uint64_t seed)
{
    lf_row_sample *s = lf_xcalloc(1, sizeof *s);
    s->per_theme = per_theme;
    s->state = seed;
    lf_strmap_init(&s->themes);
    return s;
}

void lf_row_sample_add(lf_row_sample *s, const lf_match_row *row)
{
    const char *theme = row->theme ? row->theme : "";
    bool added;
    uint32_t k = lf_strmap_intern(&s->themes, theme, strlen(theme), (uint32_t)s->res.n, &added);
    if (added) {
        reservoir r = {0};
        LF_VEC_PUSH(s->res, r);
    }
    reservoir *r = &s->res.v[k];
    uint64_t seq = s->seq++;
    /* Algorithm R: the first N rows fill the reservoir; row i (0-based) then replaces a
       random slot with probability N/(i+1). */
    if (r->kept.n < s->per_theme) {
        LF_VEC_PUSH(r->kept, sampled_new(row, seq));
    } else if (s->per_theme > 0) {
        uint64_t j = random_below(s, r->seen + 1);
        if (j < s->per_theme) {
            sampled_free(r->kept.v[j]);
            r->kept.v[j] = sampled_new(row, seq);
        }
    }
    r->seen++;
}

static int sampled_cmp(const void *pa, const void *pb)
{
    const sampled *a = *(const sampled *const *)pa, *b = *(const sampled *const *)pb;
    int c = strcmp(a->row.theme ? a->row.theme : "", b->row.theme ? b->row.theme : "");
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

size_t lf_row_sample_rows(lf_row_sample *s, const lf_match_row *const **rows)
{
    LF_VEC(sampled *) all = {0};
    for (size_t i = 0; i < s->res.n; i++)
        for (size_t j = 0; j < s->res.v[i].kept.n; j++)
            LF_VEC_PUSH(all, s->res.v[i].kept.v[j]);
    if (all.n)
        qsort(all.v, all.n, sizeof *all.v, sampled_cmp);
    s->out.n = 0;
    for (size_t i = 0; i < all.n; i++)
        LF_VEC_PUSH(s->out, &all.v[i]->row);
    LF_VEC_FREE(all);
    *rows = s->out.v;
    return s->out.n;
}

void lf_row_sample_free(lf_row_sample *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->res.n; i++) {
        for (size_t j = 0; j < s->res.v[i].kept.n; j++)
            sampled_free(s->res.v[i].kept.v[j]);
        LF_VEC_FREE(s->res.v[i].kept);
    }
    LF_VEC_FREE(s->res);
    LF_VEC_FREE(s->out);
    lf_strmap_free(&s->themes);
    free(s);
}
