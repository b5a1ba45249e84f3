/* lexicon_cat.c — reader for WordStat categorization dictionaries (.cat): categories are
 * lines without a weight, nested by indentation (tabs or spaces), and patterns are lines
 * ending in a weight in parentheses ("TERROR* (1)", "(-2)", "(12)"). '*' is the wildcard
 * and '_' joins the words of a phrase ("CIVIL_WAR"). Legacy encodings are converted by the
 * loader (--encoding). A .cat file that is really Yoshikoder XML (quanteda ships one) is
 * read as such, with a warning. */
#include <stdlib.h>
#include <string.h>

#include "lexicon_read.h"

typedef struct level {
    size_t indent;
    uint32_t theme;
} level;

/* When [s, e) ends in "(NUMBER)", sets *open to the '(' and *w to the number. */
static bool trailing_weight(const char *s, const char *e, const char **open, double *w)
{
    if (e == s || e[-1] != ')')
        return false;
    const char *o = e - 1;
    while (o > s && o[-1] != '(')
        o--;
    if (o == s)
        return false;
    const char *ns = lf_skip_blank(o, e - 1), *ne = lf_trim_blank_end(ns, e - 1);
    if (!lf_parse_number(ns, ne, w))
        return false;
    *open = o - 1;
    return true;
}

static bool looks_like_xml(const char *data, size_t len)
{
    size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    return len - i >= 5 && (memcmp(data + i, "<?xml", 5) == 0 ||
                            (len - i >= 11 && memcmp(data + i, "<dictionary", 11) == 0));
}

lf_status lf_lexicon_read_cat(lf_lexicon *lex, const char *path, const char *data, size_t len,
                              const lf_options *opt, lf_error *err)
{
    lf_reader r;
    lf_reader_init(&r, lex, path, opt, err, "*");
    if (looks_like_xml(data, len)) {
        lf_reader_warn(&r, 1, 1, "this .cat file holds a Yoshikoder XML dictionary: read as .ykd");
        /* the loader has already made the bytes UTF-8 */
        lf_options o;
        if (opt)
            o = *opt;
        else
            lf_options_init(&o);
        /* decoded already when --encoding was given: the XML declaration must not decode
           the bytes a second time */
        o.encoding = opt && opt->encoding ? "UTF-8" : NULL;
        return lf_lexicon_read_ykd(lex, path, data, len, &o, err);
    }
    lf_lines it;
    lf_status st = lf_reader_lines(&r, data, len, &it);
    const char *s, *e;
    LF_VEC(level) stack = {0};
    lf_buf pat = {0};
    while (lf_reader_line(&r, &it, &s, &e, &st)) {
        const char *t = lf_skip_blank(s, e), *te = lf_trim_blank_end(t, e);
        if (t == te)
            continue;
        size_t indent = (size_t)(t - s);
        while (stack.n && stack.v[stack.n - 1].indent >= indent)
            stack.n--;
        const char *open;
        double w;
        if (trailing_weight(t, te, &open, &w)) {
            if (!stack.n) {
                st = lf_reader_fail(&r, it.lineno, lf_col_of(s, t),
                                    "pattern outside a category (patterns are indented below "
                                    "their category)");
                break;
            }
            const char *pe = lf_trim_blank_end(t, open);
            lf_buf_reset(&pat);
            for (const char *k = t; k < pe; k++)
                lf_buf_putc(&pat, *k == '_' ? ' ' : *k); /* WordStat's phrase joiner */
            lf_entry_spec spec = {.has_weight = w != 1.0, .weight = w, .source = t,
                                  .source_len = (size_t)(pe - t)};
            bool added;
            st = lf_reader_entry(&r, stack.v[stack.n - 1].theme, lf_buf_cstr(&pat), pat.len,
                                 &spec, it.lineno, lf_col_of(s, t), &added);
            continue;
        }
        uint32_t th;
        st = lf_reader_theme(&r, stack.n ? (int32_t)stack.v[stack.n - 1].theme : -1, t,
                             (size_t)(te - t), it.lineno, lf_col_of(s, t), false, &th);
        if (st == LF_OK)
            LF_VEC_PUSH(stack, ((level){indent, th}));
    }
    LF_VEC_FREE(stack);
    lf_buf_free(&pat);
    return st;
}
