/* lexicon_wordlist.c — readers for plain word lists (one pattern per line, as Hu & Liu's
 * opinion lexicon) and scored lists (pattern TAB score, as AFINN and VADER ship them; the
 * score becomes the entry's weight). Lines starting with ';' or '#' are comments. All
 * entries go to one theme: --lexicon-theme, or one named after the file. Word lists have
 * no wildcards: '*' is a character like any other (Hu & Liu's "f**k"). */
#include <stdlib.h>
#include <string.h>

#include "lexicon_read.h"

/* The list's theme: opt->lexicon_theme, or the file's base name without its extension. */
static lf_status list_theme(lf_reader *r, uint32_t *out)
{
    const char *given = r->opt ? r->opt->lexicon_theme : NULL;
    if (given) {
        const char *k = given;
        bool ok = *k != '\0';
        for (; *k && ok; k++) {
            char c = *k;
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                 (c == '.' && k != given && k[-1] != '.' && k[1] != '\0');
        }
        if (!ok) {
            lf_error_set(r->err, LF_ERR_USAGE,
                         "--lexicon-theme: '%s' is not a theme id (lowercase letters, digits, "
                         "'_' and '-', with '.' between levels)",
                         given);
            return LF_ERR_USAGE;
        }
        int32_t old = lf_lexicon_find_theme(r->lex, given);
        if (old >= 0 && !r->lex->themes[old].implicit)
            return lf_reader_fail(r, 0, 0, "duplicate theme '%s' (first declared at %s:%zu)",
                                  given, r->lex->themes[old].file, r->lex->themes[old].line);
        uint32_t t = lf_lexicon_add_theme(r->lex, given, r->path, 1);
        r->lex->themes[t].implicit = false;
        r->lex->themes[t].file = r->path;
        r->lex->themes[t].line = 1;
        *out = t;
        return LF_OK;
    }
    const char *base = strrchr(r->path, '/');
    base = base ? base + 1 : r->path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    return lf_reader_theme(r, -1, base, n, 1, 0, false, out);
}

static bool is_comment(const char *t, const char *e)
{
    return t < e && (*t == ';' || *t == '#');
}

/* Splits a scored line at its last tab (or, without tabs, its last blank run) when what
 * follows the first tab is a number: [*ps, *pe) the pattern, *w the score, *extra whether
 * more columns follow the score. */
static bool split_scored(const char *t, const char *e, const char **pe, double *w,
                         bool *extra)
{
    const char *tab = e > t ? memchr(t, '\t', (size_t)(e - t)) : NULL;
    const char *ns, *ne;
    *extra = false;
    if (tab) {
        ns = lf_skip_blank(tab, e);
        ne = ns;
        while (ne < e && *ne != '\t')
            ne++;
        *extra = lf_skip_blank(ne, e) < e;
        ne = lf_trim_blank_end(ns, ne);
        *pe = lf_trim_blank_end(t, tab);
    } else {
        ne = e;
        ns = ne;
        while (ns > t && !lf_is_blank(ns[-1]))
            ns--;
        *pe = lf_trim_blank_end(t, ns);
    }
    return *pe > t && lf_parse_number(ns, ne, w);
}

static lf_status read_list(lf_lexicon *lex, const char *path, const char *data, size_t len,
                           const lf_options *opt, lf_error *err, int scored)
{
    lf_reader r;
    lf_reader_init(&r, lex, path, opt, err, "");
    lf_lines it;
    lf_status st = lf_reader_lines(&r, data, len, &it);
    uint32_t theme = 0;
    if (st == LF_OK)
        st = list_theme(&r, &theme);
    const char *s, *e;
    size_t extra_line = 0;
    while (lf_reader_line(&r, &it, &s, &e, &st)) {
        const char *t = lf_skip_blank(s, e), *te = lf_trim_blank_end(t, e);
        if (t == te)
            continue;
        const char *pe;
        double w;
        bool extra;
        bool has_score = split_scored(t, te, &pe, &w, &extra);
        /* VADER's emoticon "#-)" is an entry, not a comment */
        bool tabbed = te > t && memchr(t, '\t', (size_t)(te - t)) != NULL;
        if (is_comment(t, te) && !(scored > 0 && has_score && tabbed))
            continue;
        if (scored < 0) /* a plain list unless its first entry has a score */
            scored = has_score && te > t && memchr(t, '\t', (size_t)(te - t)) != NULL;
        lf_entry_spec spec = {.source = t, .source_len = (size_t)(te - t)};
        if (scored) {
            if (!has_score) {
                lf_reader_warn(&r, it.lineno, lf_col_of(s, t),
                               "'%.*s' has no score (a scored list has 'pattern TAB number' "
                               "lines): skipped",
                               (int)(te - t), t);
                continue;
            }
            if (extra && !extra_line)
                extra_line = it.lineno;
            spec = (lf_entry_spec){.has_weight = true, .weight = w, .source = t,
                                   .source_len = (size_t)(pe - t)};
            te = pe;
        }
        bool added;
        st = lf_reader_entry(&r, theme, t, (size_t)(te - t), &spec, it.lineno,
                             lf_col_of(s, t), &added);
    }
    if (st == LF_OK && extra_line)
        lf_reader_warn(&r, extra_line, 0,
                       "columns after the score (from this line on) are not used: the score "
                       "is the entry's weight");
    return st;
}

lf_status lf_lexicon_read_wordlist(lf_lexicon *lex, const char *path, const char *data,
                                   size_t len, const lf_options *opt, lf_error *err)
{
    return read_list(lex, path, data, len, opt, err, -1);
}

lf_status lf_lexicon_read_scored(lf_lexicon *lex, const char *path, const char *data,
                                 size_t len, const lf_options *opt, lf_error *err)
{
    return read_list(lex, path, data, len, opt, err, 1);
}
