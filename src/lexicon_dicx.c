/* lexicon_dicx.c — readers for dictionaries kept as spreadsheets: LIWC-22 (.dicx: a
 * "DicTerm" column of patterns and one column per category, a cell holding X for a member
 * or a number for a weighted member) and the General Inquirer (.csv: "Entry", "Source" and
 * one column per category whose cell repeats the category name; sense-numbered entries
 * such as ABOUT#1 and ABOUT#2 are one word to lexframe and are merged). A small RFC 4180
 * CSV parser keeps the line and column of every field for messages; libcsv reports no
 * positions. */
#include <stdlib.h>
#include <string.h>

#include "lexicon_read.h"

typedef struct csv_field {
    size_t start, len; /* in the row buffer (quotes removed, "" unescaped) */
    size_t line;
    const char *at, *line_start; /* where it starts in the data, for its column */
} csv_field;

/* The field's 1-based column, counted only when a message needs it (counting for every
 * field would be quadratic in the width of the General Inquirer's 184-column rows). */
static size_t fcol(const csv_field *f)
{
    return lf_col_of(f->line_start, f->at);
}

typedef struct csv {
    lf_reader *r;
    const char *data;
    size_t len, pos;
    size_t line;      /* of data[pos] */
    const char *line_start;
    lf_buf buf;       /* the current row's field texts */
    LF_VEC(csv_field) fields;
} csv;

/* Reads the next record; false at the end of the data. Blank lines are skipped. */
static lf_status csv_row(csv *c, bool *got)
{
    *got = false;
    lf_buf_reset(&c->buf);
    c->fields.n = 0;
    while (c->pos < c->len && (c->data[c->pos] == '\n' || c->data[c->pos] == '\r')) {
        if (c->data[c->pos] == '\r' && c->pos + 1 < c->len && c->data[c->pos + 1] == '\n')
            c->pos++;
        c->pos++;
        c->line++;
        c->line_start = c->data + c->pos;
    }
    if (c->pos >= c->len)
        return LF_OK;
    *got = true;
    for (;;) {
        csv_field f = {c->buf.len, 0, c->line, c->data + c->pos, c->line_start};
        if (c->pos < c->len && c->data[c->pos] == '"') {
            size_t qline = c->line, qcol = fcol(&f);
            c->pos++;
            for (;;) {
                if (c->pos >= c->len)
                    return lf_reader_fail(c->r, qline, qcol,
                                          "a quoted field is not closed (no matching '\"')");
                char ch = c->data[c->pos];
                if (ch == '"' && c->pos + 1 < c->len && c->data[c->pos + 1] == '"') {
                    lf_buf_putc(&c->buf, '"');
                    c->pos += 2;
                    continue;
                }
                if (ch == '"') {
                    c->pos++;
                    break;
                }
                if (ch == '\n' || (ch == '\r' && !(c->pos + 1 < c->len && c->data[c->pos + 1] == '\n'))) {
                    c->line++;
                    c->line_start = c->data + c->pos + 1;
                }
                lf_buf_putc(&c->buf, ch);
                c->pos++;
            }
            if (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n' &&
                c->data[c->pos] != '\r')
                return lf_reader_fail(c->r, c->line, lf_col_of(c->line_start, c->data + c->pos),
                                      "text after a closing quote (a quote inside a quoted "
                                      "field is written \"\")");
        } else {
            while (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n' &&
                   c->data[c->pos] != '\r')
                lf_buf_putc(&c->buf, c->data[c->pos++]);
        }
        f.len = c->buf.len - f.start;
        LF_VEC_PUSH(c->fields, f);
        if (c->pos < c->len && c->data[c->pos] == ',') {
            c->pos++;
            continue;
        }
        break; /* end of line or data; the line end is consumed by the next call */
    }
    lf_buf_cstr(&c->buf);
    return LF_OK;
}

static const char *fld(const csv *c, size_t i, size_t *n)
{
    const char *s = c->buf.data + c->fields.v[i].start;
    const char *e = s + c->fields.v[i].len;
    s = lf_skip_blank(s, e);
    e = lf_trim_blank_end(s, e);
    *n = (size_t)(e - s);
    return s;
}

static bool field_is(const csv *c, size_t i, const char *word)
{
    size_t n;
    const char *s = fld(c, i, &n);
    if (n != strlen(word))
        return false;
    for (size_t k = 0; k < n; k++) {
        char a = s[k], b = word[k];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* Starts reading data (checked to be UTF-8) and reads its first row, the header; *got
 * says whether there is one. */
static lf_status csv_open(csv *c, lf_reader *r, const char *data, size_t len, bool *got)
{
    size_t start;
    lf_status st = lf_reader_check_utf8(r, data, len, &start);
    *c = (csv){.r = r, .data = data, .len = len, .pos = start, .line = 1,
               .line_start = data + start};
    *got = false;
    return st == LF_OK ? csv_row(c, got) : st;
}

static void csv_close(csv *c)
{
    lf_buf_free(&c->buf);
    LF_VEC_FREE(c->fields);
}

/* Category columns from the header: themes[i] for column i, or -1 for a column skipped. */
static lf_status header_themes(csv *c, lf_reader *r, size_t first, const char *skip,
                               int32_t **out)
{
    int32_t *th = lf_xcalloc(c->fields.n, sizeof *th);
    lf_status st = LF_OK;
    for (size_t i = 0; i < c->fields.n && st == LF_OK; i++) {
        th[i] = -1;
        if (i < first)
            continue;
        size_t n;
        const char *name = fld(c, i, &n);
        bool skipped = false;
        for (const char *k = skip; *k && !skipped;) {
            size_t kl = strcspn(k, " ");
            char w[32];
            snprintf(w, sizeof w, "%.*s", (int)kl, k);
            skipped = field_is(c, i, w);
            k += kl;
            while (*k == ' ')
                k++;
        }
        if (skipped)
            continue;
        if (n == 0) {
            lf_reader_warn(r, c->fields.v[i].line, fcol(&c->fields.v[i]),
                           "column %zu has no category name: its cells are not used", i + 1);
            continue;
        }
        uint32_t t;
        st = lf_reader_theme(r, -1, name, n, c->fields.v[i].line, fcol(&c->fields.v[i]), false, &t);
        th[i] = (int32_t)t;
    }
    *out = th;
    return st;
}

lf_status lf_lexicon_read_dicx(lf_lexicon *lex, const char *path, const char *data, size_t len,
                               const lf_options *opt, lf_error *err)
{
    lf_reader r;
    lf_reader_init(&r, lex, path, opt, err, "*");
    csv c;
    int32_t *themes = NULL;
    bool got;
    lf_status st = csv_open(&c, &r, data, len, &got);
    if (st == LF_OK && (!got || !field_is(&c, 0, "dicterm")))
        st = lf_reader_fail(&r, c.line, 1,
                            "a LIWC-22 dictionary starts with a header row whose first column "
                            "is DicTerm");
    if (st == LF_OK)
        st = header_themes(&c, &r, 1, "", &themes);
    size_t n_cols = c.fields.n, extra_line = 0;
    while (st == LF_OK && (st = csv_row(&c, &got)) == LF_OK && got) {
        size_t pn;
        const char *pat = fld(&c, 0, &pn);
        size_t line = c.fields.v[0].line, col = fcol(&c.fields.v[0]);
        if (c.fields.n > n_cols && !extra_line)
            extra_line = line;
        if (pn == 0) {
            for (size_t i = 1; i < c.fields.n; i++) {
                size_t n;
                if ((void)fld(&c, i, &n), n) {
                    lf_reader_warn(&r, line, col, "a row without a DicTerm: skipped");
                    break;
                }
            }
            continue;
        }
        for (size_t i = 1; i < c.fields.n && i < n_cols && st == LF_OK; i++) {
            size_t n;
            const char *v = fld(&c, i, &n);
            if (n == 0 || themes[i] < 0)
                continue;
            lf_entry_spec spec = {0};
            if (!(n == 1 && (*v == 'X' || *v == 'x'))) {
                if (!lf_parse_number(v, v + n, &spec.weight)) {
                    lf_reader_warn(&r, c.fields.v[i].line, fcol(&c.fields.v[i]),
                                   "cell '%.*s' is neither X nor a number: '%.*s' is not added "
                                   "to '%s'",
                                   (int)n, v, (int)pn, pat, lex->themes[themes[i]].label);
                    continue;
                }
                spec.has_weight = true;
            }
            bool added;
            st = lf_reader_entry(&r, (uint32_t)themes[i], pat, pn, &spec, line, col, &added);
        }
    }
    if (st == LF_OK && extra_line)
        lf_reader_warn(&r, extra_line, 0,
                       "rows with more cells than the header has columns (first here): the "
                       "extra cells are not used");
    free(themes);
    csv_close(&c);
    return st;
}

lf_status lf_lexicon_read_inquirer(lf_lexicon *lex, const char *path, const char *data,
                                   size_t len, const lf_options *opt, lf_error *err)
{
    lf_reader r;
    lf_reader_init(&r, lex, path, opt, err, "");
    csv c;
    int32_t *themes = NULL;
    bool got;
    lf_status st = csv_open(&c, &r, data, len, &got);
    if (st == LF_OK && got && field_is(&c, 0, "dicterm")) {
        /* a LIWC-22 dictionary saved as .csv */
        csv_close(&c);
        return lf_lexicon_read_dicx(lex, path, data, len, opt, err);
    }
    if (st == LF_OK && (!got || !field_is(&c, 0, "entry")))
        st = lf_reader_fail(&r, c.line, 1,
                            "a General Inquirer spreadsheet starts with a header row whose "
                            "first column is Entry (a LIWC-22 one: DicTerm)");
    if (st == LF_OK)
        st = header_themes(&c, &r, 1, "source othtags defined", &themes);
    size_t n_cols = c.fields.n, senses = 0, sense_line = 0;
    lf_strmap seen;
    lf_strmap_init(&seen);
    lf_buf key = {0}, first_sense = {0};
    while (st == LF_OK && (st = csv_row(&c, &got)) == LF_OK && got) {
        size_t pn;
        const char *pat = fld(&c, 0, &pn);
        size_t line = c.fields.v[0].line, col = fcol(&c.fields.v[0]);
        if (pn == 0)
            continue;
        const char *hash = memchr(pat, '#', pn);
        size_t wn = hash ? (size_t)(hash - pat) : pn;
        if (hash && !senses++) {
            sense_line = line;
            lf_buf_append(&first_sense, pat, pn);
        }
        for (size_t i = 1; i < c.fields.n && i < n_cols && st == LF_OK; i++) {
            size_t n;
            (void)fld(&c, i, &n);
            if (n == 0 || themes[i] < 0)
                continue;
            lf_buf_reset(&key);
            lf_buf_printf(&key, "%d:", themes[i]);
            for (size_t k = 0; k < wn; k++)
                lf_buf_putc(&key, pat[k] >= 'A' && pat[k] <= 'Z' ? (char)(pat[k] + 32) : pat[k]);
            bool added_key;
            lf_strmap_intern(&seen, key.data, key.len, 1, &added_key);
            if (!added_key)
                continue; /* another sense of the same word, already in this category */
            lf_entry_spec spec = {.source = pat, .source_len = pn};
            bool added;
            st = lf_reader_entry(&r, (uint32_t)themes[i], pat, wn, &spec, line, col, &added);
        }
    }
    if (st == LF_OK && senses)
        lf_reader_warn(&r, sense_line, 1,
                       "%zu sense-numbered entries (the first: '%s') are read as plain words; "
                       "the senses of a word are merged within each category",
                       senses, lf_buf_cstr(&first_sense));
    lf_strmap_free(&seen);
    lf_buf_free(&key);
    lf_buf_free(&first_sense);
    free(themes);
    csv_close(&c);
    return st;
}
