/* lexicon_read.c — helpers shared by the foreign dictionary readers: position-carrying
 * errors and warnings, line iteration, UTF-8 checks, category names → theme ids, and the
 * one place where a foreign pattern becomes an lf_entry. Patterns are split by the
 * tokenizer's own rules (as native entries are), so an entry matches what a transcript
 * word would; whatever cannot be matched as written is reported as a warning. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lexicon_read.h"
#include "tokenize.h"

void lf_reader_init(lf_reader *r, lf_lexicon *lex, const char *path, const lf_options *opt,
                    lf_error *err, const char *glob_chars)
{
    *r = (lf_reader){.lex = lex, .opt = opt, .err = err, .glob_chars = glob_chars,
                     .first_theme = lex->n_themes};
    r->max_entries = lf_reader_limit(r, LF_LIMIT_LEXICON_ENTRIES);
    for (size_t i = 0; i < lex->n_files && !r->path; i++)
        if (strcmp(lex->files[i], path) == 0)
            r->path = lex->files[i];
    if (!r->path)
        r->path = lf_arena_strdup(&lex->arena, path);
}

uint64_t lf_reader_limit(const lf_reader *r, lf_limit_id id)
{
    return r->opt ? r->opt->limits[id] : lf_limit_table()[id].default_value;
}

lf_status lf_reader_check_entries(lf_reader *r, size_t line, size_t col)
{
    if (r->lex->n_entries < r->max_entries)
        return LF_OK;
    lf_error_at(r->err, LF_ERR_LIMIT, r->path, line, col,
                "more than %llu lexicon entries (the lexicon-entries limit); raise it with "
                "--limit lexicon-entries=N",
                (unsigned long long)r->max_entries);
    return LF_ERR_LIMIT;
}

lf_status lf_reader_fail(lf_reader *r, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_error_vat(r->err, LF_ERR_LEXICON, r->path, line, col, fmt, ap);
    va_end(ap);
    return LF_ERR_LEXICON;
}

void lf_reader_warn(lf_reader *r, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_lexicon_vwarn(r->lex, r->path, line, col, fmt, ap);
    va_end(ap);
}

bool lf_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

const char *lf_skip_blank(const char *s, const char *e)
{
    while (s < e && lf_is_blank(*s))
        s++;
    return s;
}

const char *lf_trim_blank_end(const char *s, const char *e)
{
    while (e > s && lf_is_blank(e[-1]))
        e--;
    return e;
}

size_t lf_col_of(const char *line_start, const char *at)
{
    size_t col = 1;
    for (const char *s = line_start; s < at; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            col++;
    return col;
}

void lf_lines_init(lf_lines *it, const char *data, size_t len, size_t start)
{
    *it = (lf_lines){data, len, start, 0};
}

bool lf_lines_next(lf_lines *it, const char **s, const char **e)
{
    if (it->pos >= it->len)
        return false;
    size_t i = it->pos, j = i;
    while (j < it->len && it->data[j] != '\n' && it->data[j] != '\r')
        j++;
    *s = it->data + i;
    *e = it->data + j;
    it->lineno++;
    if (j < it->len && it->data[j] == '\r' && j + 1 < it->len && it->data[j + 1] == '\n')
        j++;
    it->pos = j + 1;
    return true;
}

bool lf_reader_line(lf_reader *r, lf_lines *it, const char **s, const char **e,
                    lf_status *st)
{
    if (*st != LF_OK || !lf_lines_next(it, s, e))
        return false;
    uint64_t max = lf_reader_limit(r, LF_LIMIT_LEXICON_LINE_BYTES);
    if ((uint64_t)(*e - *s) > max) {
        lf_error_at(r->err, LF_ERR_LIMIT, r->path, it->lineno, 0,
                    "line is longer than the lexicon-line-bytes limit (%llu); raise it with "
                    "--limit lexicon-line-bytes=N",
                    (unsigned long long)max);
        *st = LF_ERR_LIMIT;
        return false;
    }
    const char *nul = memchr(*s, '\0', (size_t)(*e - *s));
    if (nul) {
        *st = lf_reader_fail(r, it->lineno, lf_col_of(*s, nul), "NUL character in a lexicon file");
        return false;
    }
    return true;
}

lf_status lf_reader_check_utf8(lf_reader *r, const char *data, size_t len, size_t *start)
{
    *start = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t bad;
    if (lf_utf8_valid(data + *start, len - *start, &bad))
        return LF_OK;
    bad += *start;
    lf_lines it;
    lf_lines_init(&it, data, bad, *start);
    const char *s = data + *start, *e, *ls = s;
    while (lf_lines_next(&it, &s, &e))
        ls = s;
    /* a line end right before the bad byte starts a new line */
    size_t line = it.lineno ? it.lineno : 1;
    if (bad > *start && (data[bad - 1] == '\n' || data[bad - 1] == '\r')) {
        line++;
        ls = data + bad;
    }
    return lf_reader_fail(r, line, lf_col_of(ls, data + bad),
                          "invalid UTF-8 (byte offset %zu); if the file is in another "
                          "encoding, name it with --encoding (e.g. --encoding CP1252)",
                          bad);
}

lf_status lf_reader_lines(lf_reader *r, const char *data, size_t len, lf_lines *it)
{
    size_t start;
    lf_status st = lf_reader_check_utf8(r, data, len, &start);
    lf_lines_init(it, data, st == LF_OK ? len : start, start);
    return st;
}

char *lf_slug(const char *name, size_t len)
{
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)len,
                                      &folded,
                                      UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                          UTF8PROC_CASEFOLD);
    const char *src = n >= 0 ? (const char *)folded : name;
    size_t sn = n >= 0 ? (size_t)n : len;
    char *out = lf_xmalloc(sn + 6);
    size_t o = 0;
    for (size_t i = 0; i < sn; i++) {
        unsigned char c = (unsigned char)src[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
            out[o++] = (char)c;
        else if (c >= 'A' && c <= 'Z')
            out[o++] = (char)(c - 'A' + 'a');
        else if (o > 0 && out[o - 1] != '_')
            out[o++] = '_'; /* '_', spaces, punctuation and other scripts */
    }
    while (o > 0 && out[o - 1] == '_')
        o--;
    if (o == 0) {
        memcpy(out, "theme", 5);
        o = 5;
    }
    out[o] = '\0';
    free(folded);
    return out;
}

lf_status lf_reader_theme(lf_reader *r, int32_t parent, const char *name, size_t len,
                          size_t line, size_t col, bool merge, uint32_t *out)
{
    lf_lexicon *lex = r->lex;
    /* Each level repeats its parent's id: unbounded nesting (a .cat indented one more
       step per line) would take memory quadratic in the file. */
    uint64_t max_depth = lf_reader_limit(r, LF_LIMIT_THEME_DEPTH);
    if (parent >= 0 && lex->themes[parent].depth + 1ULL > max_depth) {
        lf_error_at(r->err, LF_ERR_LIMIT, r->path, line, col,
                    "category '%.*s' is nested more than %llu levels deep (the theme-depth "
                    "limit); raise it with --limit theme-depth=N",
                    (int)len, name, (unsigned long long)max_depth);
        return LF_ERR_LIMIT;
    }
    char *slug = lf_slug(name, len);
    lf_buf id = {0};
    if (parent >= 0)
        lf_buf_printf(&id, "%s.", lex->themes[parent].id);
    lf_buf_puts(&id, slug);
    free(slug);
    lf_buf_cstr(&id);
    size_t base_len = id.len;
    lf_status st = LF_OK;
    int32_t old = lf_lexicon_find_theme(lex, id.data);
    if (old >= 0 && (size_t)old < r->first_theme && !lex->themes[old].implicit) {
        st = lf_reader_fail(r, line, col, "duplicate theme '%s' (first declared at %s:%zu)",
                            id.data, lex->themes[old].file, lex->themes[old].line);
        goto out;
    }
    if (old >= 0 && (size_t)old >= r->first_theme) {
        const lf_theme *t = &lex->themes[old];
        if (merge && strlen(t->label) == len && memcmp(t->label, name, len) == 0) {
            *out = (uint32_t)old;
            goto out;
        }
        /* Two names that make one id ("+STATE+" and "=STATE="): both kept, apart. */
        for (unsigned k = 2;; k++) {
            id.len = base_len;
            lf_buf_printf(&id, "_%u", k);
            if (lf_lexicon_find_theme(lex, id.data) < 0)
                break;
        }
        lf_reader_warn(r, line, col,
                       "category '%.*s' gets the theme id '%s': '%.*s' is already the id of "
                       "'%s' (line %zu)",
                       (int)len, name, id.data, (int)base_len, id.data, t->label, t->line);
    }
    uint32_t idx = lf_lexicon_add_theme(lex, id.data, r->path, line);
    lf_theme *t = &lex->themes[idx];
    t->implicit = false;
    t->file = r->path;
    t->line = line;
    t->label = lf_arena_strndup(&lex->arena, name, len);
    *out = idx;
out:
    lf_buf_free(&id);
    return st;
}

/* ---- patterns → entries ---- */

void lf_word_span_push(void *ctx, size_t start, size_t end)
{
    lf_word_spans *v = ctx;
    LF_VEC_PUSH(*v, ((lf_word_span){start, end}));
}

bool lf_is_space_at(const char *s, const char *e, int *len)
{
    int32_t cp;
    size_t n = lf_utf8_decode((const unsigned char *)s, (const unsigned char *)e, &cp);
    *len = n ? (int)n : 1;
    return n && (cp == '\t' || cp == '\f' || cp == '\v' ||
                 utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS);
}

/* True when [s, e) holds only spaces (tabs and Unicode space separators). */
static bool only_space(const char *s, const char *e)
{
    int n;
    for (; s < e; s += n)
        if (!lf_is_space_at(s, e, &n))
            return false;
    return true;
}

/* The first non-space character of [s, e) as a string, for messages. */
static int first_mark(const char *s, const char *e, const char **at)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    *at = s;
    int32_t cp;
    size_t n = s < e ? lf_utf8_decode((const unsigned char *)s, (const unsigned char *)e, &cp)
                     : 0;
    return n ? (int)n : 1;
}

lf_status lf_reader_entry(lf_reader *r, uint32_t theme, const char *s, size_t len,
                          const lf_entry_spec *spec, size_t line, size_t col, bool *added)
{
    *added = false;
    const char *e = lf_trim_blank_end(s, s + len);
    s = lf_skip_blank(s, e);
    len = (size_t)(e - s);
    const char *src = spec && spec->source ? spec->source : s;
    int srcn = (int)(spec && spec->source ? spec->source_len : len);
    lf_word_spans sp = {0};
    lf_split_words(s, len, r->glob_chars, lf_word_span_push, &sp);
    lf_status st = LF_OK;
    if (sp.n == 0) {
        lf_reader_warn(r, line, col,
                       "'%.*s' has no words (lexframe matches words; punctuation and symbols "
                       "are not words): entry skipped",
                       srcn, src);
        goto out;
    }
    const char *at;
    /* "Inc." and "Dr.": in a transcript the period after the word is punctuation too */
    const char *tail = s + sp.v[sp.n - 1].end;
    const char *dots = tail; /* not strspn: the pattern need not be NUL-terminated */
    while (dots < e && *dots == '.')
        dots++;
    if (tail < e && dots == e) {
        lf_reader_warn(r, line, col, "'%.*s' read as '%.*s' (a final '.' is punctuation, not "
                                     "part of the word)",
                       srcn, src, (int)(tail - s), s);
        e = tail;
        len = (size_t)(e - s);
    }
    if (!only_space(s, s + sp.v[0].start) || !only_space(s + sp.v[sp.n - 1].end, e)) {
        const char *gs = !only_space(s, s + sp.v[0].start) ? s : s + sp.v[sp.n - 1].end;
        const char *ge = gs == s ? s + sp.v[0].start : e;
        int n = first_mark(gs, ge, &at);
        lf_reader_warn(r, line, col,
                       "'%.*s' cannot be matched as written: '%.*s' is not part of a word and "
                       "lexframe matches words only: entry skipped",
                       srcn, src, n, at);
        goto out;
    }
    for (size_t i = 1; i < sp.n; i++) {
        const char *gs = s + sp.v[i - 1].end, *ge = s + sp.v[i].start;
        if (!only_space(gs, ge)) {
            int n = first_mark(gs, ge, &at);
            lf_buf phrase = {0};
            for (size_t k = 0; k < sp.n; k++) {
                if (k)
                    lf_buf_putc(&phrase, ' ');
                lf_buf_append(&phrase, s + sp.v[k].start, sp.v[k].end - sp.v[k].start);
            }
            lf_reader_warn(r, line, col,
                           "'%.*s' read as the phrase '%s' ('%.*s' is not part of a word)",
                           srcn, src, lf_buf_cstr(&phrase), n, at);
            lf_buf_free(&phrase);
            break;
        }
    }
    lf_lexicon *lex = r->lex;
    lf_word_pattern *w = lf_arena_alloc(&lex->arena, sp.n * sizeof *w);
    bool all_any = true, warned_stars = false;
    for (size_t i = 0; i < sp.n; i++) {
        const char *ws = s + sp.v[i].start;
        size_t wn = sp.v[i].end - sp.v[i].start;
        char *collapsed = lf_xstrndup(ws, wn);
        size_t o = 0;
        for (size_t k = 0; k < wn; k++)
            if (!(collapsed[k] == '*' && o > 0 && collapsed[o - 1] == '*'))
                collapsed[o++] = collapsed[k];
        if (o < wn && !warned_stars) {
            lf_reader_warn(r, line, col, "'%.*s': '**' read as '*' (any characters)", srcn,
                           src);
            warned_stars = true;
        }
        size_t nl = 0;
        char *norm = lf_normalize_word(collapsed, o, true, &nl);
        free(collapsed);
        if (!norm || nl > UINT32_MAX) {
            free(norm);
            st = lf_reader_fail(r, line, col, "'%.*s': a word cannot be normalized", srcn, src);
            goto out;
        }
        bool glob = false;
        for (const char *g = r->glob_chars; *g; g++)
            glob |= memchr(norm, *g, nl) != NULL;
        w[i] = (lf_word_pattern){lf_arena_strndup(&lex->arena, norm, nl), (uint32_t)nl, glob};
        all_any &= strspn(norm, "*") == nl;
        free(norm);
    }
    if (all_any) {
        lf_reader_warn(r, line, col, "'%.*s' would match every word: entry skipped", srcn, src);
        goto out;
    }
    if ((st = lf_reader_check_entries(r, line, col)) != LF_OK)
        goto out;
    lf_entry en = {.theme = theme,
                   .kind = LF_ENTRY_WORDS,
                   .has_weight = spec && spec->has_weight,
                   .weight = spec && spec->has_weight ? spec->weight : 1.0,
                   .source = lf_arena_strndup(&lex->arena, src, (size_t)srcn),
                   .words = w,
                   .n_words = sp.n,
                   .file = r->path,
                   .line = line,
                   .col = col};
    lf_lexicon_add_entry(lex, &en);
    *added = true;
out:
    LF_VEC_FREE(sp);
    return st;
}

bool lf_parse_number(const char *s, const char *e, double *out)
{
    const char *q = s;
    if (q < e && (*q == '+' || *q == '-'))
        q++;
    size_t digits = 0;
    while (q < e && *q >= '0' && *q <= '9')
        q++, digits++;
    if (q < e && *q == '.')
        for (q++; q < e && *q >= '0' && *q <= '9'; q++)
            digits++;
    if (digits && q < e && (*q == 'e' || *q == 'E')) {
        const char *x = q + 1;
        if (x < e && (*x == '+' || *x == '-'))
            x++;
        if (x < e && *x >= '0' && *x <= '9') {
            while (x < e && *x >= '0' && *x <= '9')
                x++;
            q = x;
        }
    }
    char buf[64];
    if (!digits || q != e || (size_t)(e - s) >= sizeof buf)
        return false;
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = '\0';
    *out = strtod(buf, NULL);
    return isfinite(*out);
}
