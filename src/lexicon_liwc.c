/* lexicon_liwc.c — reader for LIWC dictionaries (.dic, LIWC2001–2015): a legend of
 * numbered categories between two '%' lines (LIWC2015 nests categories by leading tabs),
 * then one pattern per line followed by its category numbers. '*' is LIWC's wildcard.
 * Real files mix tabs and spaces, pad ids with zeros, end lines with CR alone and carry
 * LIWC2001's conditional codes ("(02 134)125/464", "<of>131/125"), which lexframe cannot
 * express: they are skipped with a warning naming the line, as are undefined ids. */
#include <stdlib.h>
#include <string.h>

#include "lexicon_read.h"

typedef struct liwc_cat {
    uint32_t theme;
    size_t line;
} liwc_cat;

typedef struct liwc {
    lf_reader r;
    lf_strmap ids; /* id without leading zeros → index into cats */
    LF_VEC(liwc_cat) cats;
    int32_t stack[64]; /* theme of the latest category at each depth */
    size_t depth;      /* depth of the latest category (0: none yet) */
} liwc;

static bool all_digits(const char *s, const char *e)
{
    if (s == e)
        return false;
    for (; s < e; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The id "007" is the id "7"; "0" stays "0". */
static void id_key(const char *s, const char *e, const char **ks, size_t *kn)
{
    while (e - s > 1 && *s == '0')
        s++;
    *ks = s;
    *kn = (size_t)(e - s);
}

static lf_status legend_line(liwc *L, const char *ls, const char *s, const char *e,
                             size_t line)
{
    size_t tabs = 0;
    const char *k = s;
    while (k < e && lf_is_blank(*k))
        tabs += *k++ == '\t';
    const char *tok = k, *tok_end = k;
    while (tok_end < e && !lf_is_blank(*tok_end))
        tok_end++;
    const char *name = tok, *name_end = lf_trim_blank_end(tok, e);
    bool has_id = all_digits(tok, tok_end);
    if (has_id) {
        name = lf_skip_blank(tok_end, e);
        /* only blanks after the id: name (skipped to e) is then past name_end (trimmed
           back to tok_end) */
        if (name >= name_end) {
            lf_reader_warn(&L->r, line, lf_col_of(ls, tok),
                           "category %.*s has no name: named after its id", (int)(tok_end - tok),
                           tok);
            name = tok;
            name_end = tok_end;
        }
    }
    size_t depth = tabs + 1;
    if (depth > L->depth + 1)
        return lf_reader_fail(&L->r, line, lf_col_of(ls, tok),
                              "category '%.*s' is indented %zu levels below the category "
                              "before it (one tab per level)",
                              (int)(name_end - name), name, depth - L->depth);
    if (depth > sizeof L->stack / sizeof L->stack[0])
        return lf_reader_fail(&L->r, line, 1, "categories nested deeper than %zu levels",
                              sizeof L->stack / sizeof L->stack[0]);
    int32_t parent = depth > 1 ? L->stack[depth - 2] : -1;
    uint32_t theme;
    lf_status st = lf_reader_theme(&L->r, parent, name, (size_t)(name_end - name), line,
                                   lf_col_of(ls, name), false, &theme);
    if (st != LF_OK)
        return st;
    L->stack[depth - 1] = (int32_t)theme;
    L->depth = depth;
    if (!has_id)
        return LF_OK; /* a heading: groups categories, holds no entries of its own */
    const char *ks;
    size_t kn;
    id_key(tok, tok_end, &ks, &kn);
    uint32_t prev;
    if (lf_strmap_get(&L->ids, ks, kn, &prev))
        return lf_reader_fail(&L->r, line, lf_col_of(ls, tok),
                              "category id %.*s is defined twice (first at line %zu)",
                              (int)(tok_end - tok), tok, L->cats.v[prev].line);
    lf_strmap_put(&L->ids, ks, kn, (uint32_t)L->cats.n);
    LF_VEC_PUSH(L->cats, ((liwc_cat){theme, line}));
    return LF_OK;
}

/* A token made of digits, or a conditional code ("(02", "134)125/464", "<of>1/2"). */
static bool code_like(const char *s, const char *e)
{
    if (all_digits(s, e))
        return true;
    for (const char *k = s; k < e; k++)
        if (*k == '(' || *k == ')' || *k == '/' || *k == '<')
            return true;
    return false;
}

static lf_status entry_line(liwc *L, const char *ls, const char *s, const char *e, size_t line)
{
    const char *pat = s, *pat_end, *codes;
    const char *tab = memchr(s, '\t', (size_t)(e - s));
    if (tab) {
        pat_end = lf_trim_blank_end(s, tab);
        codes = tab;
    } else {
        /* spaces only: the codes are the trailing run of id-like tokens */
        const char *k = e;
        codes = e;
        for (;;) {
            const char *te = lf_trim_blank_end(s, k);
            const char *ts = te;
            while (ts > s && !lf_is_blank(ts[-1]))
                ts--;
            if (ts == s || ts == te || !code_like(ts, te))
                break;
            codes = ts;
            k = ts;
        }
        pat_end = lf_trim_blank_end(s, codes);
    }
    if (pat == pat_end) {
        lf_reader_warn(&L->r, line, 1, "a line with category codes but no pattern: skipped");
        return LF_OK;
    }
    size_t col = lf_col_of(ls, pat);
    lf_buf cond = {0};
    size_t n_ids = 0;
    lf_status st = LF_OK;
    const char *k = codes;
    while (st == LF_OK) {
        k = lf_skip_blank(k, e);
        if (k == e)
            break;
        const char *c = k;
        if (*k == '(') {
            const char *close = memchr(k, ')', (size_t)(e - k));
            k = close ? close : e;
        }
        while (k < e && !lf_is_blank(*k))
            k++;
        if (!all_digits(c, k)) {
            if (code_like(c, k))
                lf_buf_printf(&cond, "%s'%.*s'", cond.len ? ", " : "", (int)(k - c), c);
            else
                lf_reader_warn(&L->r, line, lf_col_of(ls, c),
                               "'%.*s' is not a category id: ignored for '%.*s'", (int)(k - c),
                               c, (int)(pat_end - pat), pat);
            continue;
        }
        n_ids++;
        const char *ks;
        size_t kn;
        id_key(c, k, &ks, &kn);
        uint32_t ci;
        if (!lf_strmap_get(&L->ids, ks, kn, &ci)) {
            lf_reader_warn(&L->r, line, lf_col_of(ls, c),
                           "undefined category id %.*s (not in the legend): '%.*s' is not "
                           "added to it",
                           (int)(k - c), c, (int)(pat_end - pat), pat);
            continue;
        }
        bool added;
        st = lf_reader_entry(&L->r, L->cats.v[ci].theme, pat, (size_t)(pat_end - pat), NULL,
                             line, col, &added);
    }
    if (st == LF_OK && cond.len)
        lf_reader_warn(&L->r, line, col,
                       "conditional category codes %s of '%.*s' skipped (LIWC2001 conditional "
                       "categories have no lexframe equivalent)",
                       lf_buf_cstr(&cond), (int)(pat_end - pat), pat);
    if (st == LF_OK && n_ids == 0 && !cond.len)
        lf_reader_warn(&L->r, line, col, "'%.*s' has no category id: skipped",
                       (int)(pat_end - pat), pat);
    lf_buf_free(&cond);
    return st;
}

lf_status lf_lexicon_read_liwc(lf_lexicon *lex, const char *path, const char *data, size_t len,
                               const lf_options *opt, lf_error *err)
{
    liwc L = {0};
    lf_reader_init(&L.r, lex, path, opt, err, "*");
    lf_strmap_init(&L.ids);
    lf_lines it;
    lf_status st = lf_reader_lines(&L.r, data, len, &it);
    const char *s, *e;
    int section = 0; /* 0 before the legend, 1 in it, 2 in the entries */
    while (lf_reader_line(&L.r, &it, &s, &e, &st)) {
        const char *t = lf_skip_blank(s, e);
        if (t == e)
            continue;
        if (section < 2 && *t == '%' && lf_skip_blank(t + 1, e) == e) {
            section++;
            continue;
        }
        if (section == 0)
            st = lf_reader_fail(&L.r, it.lineno, lf_col_of(s, t),
                                "a LIWC dictionary starts with a line holding only '%%', then "
                                "the category legend");
        else if (section == 1)
            st = legend_line(&L, s, s, e, it.lineno);
        else
            st = entry_line(&L, s, t, e, it.lineno);
    }
    if (st == LF_OK && section < 2)
        st = lf_reader_fail(&L.r, it.lineno ? it.lineno : 1, 0,
                            section == 0 ? "no '%%' line: this is not a LIWC dictionary"
                                         : "the category legend is not closed by a second "
                                           "'%%' line");
    lf_strmap_free(&L.ids);
    LF_VEC_FREE(L.cats);
    return st;
}
