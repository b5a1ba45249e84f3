/* lexicon_lc3.c — reader for Lexicoder 3 dictionaries (.lc3): "+category" lines, optionally
 * with a colour ("+negative#FF0000"), each followed by its patterns, one per line, '*' as
 * the wildcard. Spaces around a pattern carry no meaning in .lc3 (LSD2015 pads every
 * pattern with one) and are trimmed. A BOM, CRLF or CR line ends are fine. */
#include <stdlib.h>
#include <string.h>

#include "lexicon_read.h"

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

lf_status lf_lexicon_read_lc3(lf_lexicon *lex, const char *path, const char *data, size_t len,
                              const lf_options *opt, lf_error *err)
{
    lf_reader r;
    lf_reader_init(&r, lex, path, opt, err, "*");
    lf_lines it;
    lf_status st = lf_reader_lines(&r, data, len, &it);
    const char *s, *e;
    int32_t theme = -1;
    while (lf_reader_line(&r, &it, &s, &e, &st)) {
        const char *t = lf_skip_blank(s, e), *te = lf_trim_blank_end(t, e);
        if (t == te)
            continue;
        if (*t == '+') {
            const char *name = lf_skip_blank(t + 1, te), *name_end = te;
            const char *hash = memchr(name, '#', (size_t)(te - name));
            const char *colour = NULL;
            if (hash) {
                bool ok = te - hash == 7;
                for (const char *k = hash + 1; ok && k < te; k++)
                    ok = is_hex(*k);
                if (ok) {
                    colour = hash;
                    name_end = lf_trim_blank_end(name, hash);
                } else {
                    lf_reader_warn(&r, it.lineno, lf_col_of(s, hash),
                                   "'%.*s' is not a #RRGGBB colour: kept as part of the "
                                   "category name",
                                   (int)(te - hash), hash);
                }
            }
            if (name == name_end) {
                st = lf_reader_fail(&r, it.lineno, lf_col_of(s, t),
                                    "'+' starts a category but no name follows");
                break;
            }
            uint32_t th;
            st = lf_reader_theme(&r, -1, name, (size_t)(name_end - name), it.lineno,
                                 lf_col_of(s, name), true, &th);
            if (st != LF_OK)
                break;
            if (colour) {
                char *c = lf_arena_strndup(&lex->arena, colour, 7);
                for (char *k = c + 1; *k; k++)
                    if (*k >= 'a' && *k <= 'f')
                        *k = (char)(*k - 'a' + 'A');
                lex->themes[th].colour = c;
            }
            theme = (int32_t)th;
            continue;
        }
        if (theme < 0) {
            st = lf_reader_fail(&r, it.lineno, lf_col_of(s, t),
                                "pattern before the first category (a category line starts "
                                "with '+', e.g. +negative)");
            break;
        }
        bool added;
        lf_entry_spec spec = {.source = t, .source_len = (size_t)(te - t)};
        st = lf_reader_entry(&r, (uint32_t)theme, t, (size_t)(te - t), &spec, it.lineno,
                             lf_col_of(s, t), &added);
    }
    return st;
}
