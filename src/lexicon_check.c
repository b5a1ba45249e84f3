/* lexicon_check.c — `lexframe lexicon check`: finds what makes a lexicon count less (or
 * other) than its author thinks — duplicate entries, entries that never add a match because
 * a glob of the same theme covers them or an exclusion cancels every match, over-broad
 * globs, regexes PCRE2 rejects, empty themes, and what the readers could not use — and
 * ends with a summary of themes, entries and entry kinds. Findings are sorted by file,
 * line and column, so the output is the same on every run. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "match.h"

typedef struct finding {
    size_t file, line, col; /* file: index in lex->files (n_files when unknown) */
    char *text;
} finding;

typedef LF_VEC(finding) finding_vec;

static size_t file_index(const lf_lexicon *lex, const char *file)
{
    for (size_t i = 0; i < lex->n_files; i++)
        if (lex->files[i] == file || (file && strcmp(lex->files[i], file) == 0))
            return i;
    return lex->n_files;
}

static void add(finding_vec *f, const lf_lexicon *lex, const char *file, size_t line,
                size_t col, const char *fmt, ...) LF_PRINTF(6, 7);

static void add(finding_vec *f, const lf_lexicon *lex, const char *file, size_t line,
                size_t col, const char *fmt, ...)
{
    lf_error e;
    va_list ap;
    va_start(ap, fmt);
    lf_error_vat(&e, LF_OK, file ? file : "", line, col, fmt, ap);
    va_end(ap);
    finding x = {file_index(lex, file), line, col, lf_xstrdup(e.message)};
    LF_VEC_PUSH(*f, x);
}

static int cmp_finding(const void *pa, const void *pb)
{
    const finding *a = pa, *b = pb;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return strcmp(a->text, b->text);
}


/* True when word pattern b matches every word that a matches. */
static bool word_covers(const lf_word_pattern *b, const lf_word_pattern *a)
{
    if (b->len == 1 && b->text[0] == '*')
        return true;
    if (!b->glob)
        return !a->glob && a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
    if (!a->glob)
        return lf_glob_word_match(b->text, b->len, a->text, a->len);
    /* a glob covered by a glob: checked for prefix globs ("aban*" covers "abandon*") */
    bool bp = b->text[b->len - 1] == '*' && !memchr(b->text, '?', b->len) &&
              memchr(b->text, '*', b->len) == b->text + b->len - 1;
    bool ap = a->text[a->len - 1] == '*' && !memchr(a->text, '?', a->len) &&
              memchr(a->text, '*', a->len) == a->text + a->len - 1;
    return bp && ap && a->len >= b->len && memcmp(a->text, b->text, b->len - 1) == 0;
}

static bool words_entry(const lf_entry *e)
{
    return e->kind == LF_ENTRY_WORDS;
}

/* The noun for a count of n: "1 phrase", "2 phrases". */
static const char *noun(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static bool has_glob(const lf_entry *e)
{
    for (size_t w = 0; w < e->n_words; w++)
        if (e->words[w].glob)
            return true;
    return false;
}

/* The entry's identity for duplicates: kind, case, exclusion and pattern. */
static void entry_key(lf_buf *b, const lf_entry *e)
{
    lf_buf_reset(b);
    lf_buf_printf(b, "%c%c%c", e->kind == LF_ENTRY_REGEX ? 'r' : 'w',
                  e->case_sensitive ? 'c' : 'i', e->exclude ? 'x' : 'e');
    if (e->kind == LF_ENTRY_REGEX)
        lf_buf_puts(b, e->regex);
    else
        for (size_t w = 0; w < e->n_words; w++) {
            lf_buf_putc(b, ' ');
            lf_buf_append(b, e->words[w].text, e->words[w].len);
        }
}

static void check_duplicates(const lf_lexicon *lex, finding_vec *f)
{
    lf_strmap seen;       /* key → first entry with it */
    lf_strmap seen_theme; /* key and theme → first entry with both */
    lf_strmap_init(&seen);
    lf_strmap_init(&seen_theme);
    lf_buf b = {0};
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        entry_key(&b, e);
        bool added;
        uint32_t first = lf_strmap_intern(&seen, b.data, b.len, (uint32_t)i, &added);
        lf_buf_printf(&b, "\x1f%u", e->theme);
        uint32_t same = lf_strmap_intern(&seen_theme, b.data, b.len, (uint32_t)i, &added);
        if (!added) {
            const lf_entry *p = &lex->entries[same];
            add(f, lex, e->file, e->line, e->col,
                "duplicate: '%s' is already an entry of theme '%s' at %s:%zu", e->source,
                lex->themes[e->theme].id, p->file, p->line);
        } else if (first != i && !e->exclude) { /* an exclusion serves its own theme only */
            const lf_entry *o = &lex->entries[first];
            add(f, lex, e->file, e->line, e->col,
                "duplicate across themes: '%s' of theme '%s' is also an entry of theme '%s' at "
                "%s:%zu",
                e->source, lex->themes[e->theme].id, lex->themes[o->theme].id, o->file, o->line);
        }
    }
    lf_buf_free(&b);
    lf_strmap_free(&seen);
    lf_strmap_free(&seen_theme);
}

/* Entries that never add a match: covered word for word by a glob entry of their theme,
 * or containing, word for word, an exclusion of their theme. */
static void check_unreachable(const lf_lexicon *lex, finding_vec *f)
{
    /* entries of each theme, by theme */
    size_t *first = lf_xcalloc(lex->n_themes + 1, sizeof *first);
    size_t *order = lf_xmalloc((lex->n_entries + 1) * sizeof *order);
    for (size_t i = 0; i < lex->n_entries; i++)
        first[lex->entries[i].theme + 1]++;
    for (size_t t = 0; t < lex->n_themes; t++)
        first[t + 1] += first[t];
    size_t *fill = lf_xcalloc(lex->n_themes + 1, sizeof *fill);
    for (size_t i = 0; i < lex->n_entries; i++) {
        uint32_t t = lex->entries[i].theme;
        order[first[t] + fill[t]++] = i;
    }
    for (size_t t = 0; t < lex->n_themes; t++) {
        size_t lo = first[t], hi = first[t + 1];
        for (size_t x = lo; x < hi; x++) {
            const lf_entry *b = &lex->entries[order[x]];
            if (!words_entry(b) || (!has_glob(b) && !b->exclude))
                continue;
            for (size_t y = lo; y < hi; y++) {
                const lf_entry *a = &lex->entries[order[y]];
                if (x == y || !words_entry(a) || a->exclude || a->case_sensitive != b->case_sensitive)
                    continue;
                if (b->exclude) {
                    /* an exclusion inside the entry cancels each of its matches */
                    bool inside = false;
                    for (size_t off = 0; !inside && off + b->n_words <= a->n_words; off++) {
                        bool all = true;
                        for (size_t w = 0; all && w < b->n_words; w++)
                            all = word_covers(&b->words[w], &a->words[off + w]);
                        inside = all;
                    }
                    if (inside)
                        add(f, lex, a->file, a->line, a->col,
                            "unreachable: every match of '%s' is cancelled by the exclusion "
                            "'%s' (%s:%zu)",
                            a->source, b->source, b->file, b->line);
                    continue;
                }
                if (a->n_words != b->n_words)
                    continue;
                bool all = true;
                for (size_t w = 0; all && w < a->n_words; w++)
                    all = word_covers(&b->words[w], &a->words[w]);
                /* two identical patterns are duplicates, reported above */
                bool same = true;
                for (size_t w = 0; same && w < a->n_words; w++)
                    same = a->words[w].len == b->words[w].len &&
                           memcmp(a->words[w].text, b->words[w].text, a->words[w].len) == 0;
                if (all && !same)
                    add(f, lex, a->file, a->line, a->col,
                        "unreachable: '%s' never adds a match, the glob '%s' (%s:%zu) of the "
                        "same theme matches the same words",
                        a->source, b->source, b->file, b->line);
            }
        }
    }
    free(first);
    free(fill);
    free(order);
}

static void check_globs_and_regexes(const lf_lexicon *lex, finding_vec *f)
{
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        if (e->kind == LF_ENTRY_REGEX) {
            uint32_t flags = PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE;
            if (!e->case_sensitive)
                flags |= PCRE2_CASELESS;
            int code;
            PCRE2_SIZE off;
            pcre2_code *re = pcre2_compile((PCRE2_SPTR)e->regex, PCRE2_ZERO_TERMINATED, flags,
                                           &code, &off, NULL);
            if (!re) {
                PCRE2_UCHAR msg[256];
                pcre2_get_error_message(code, msg, sizeof msg);
                add(f, lex, e->file, e->line, e->col + (e->exclude ? 2 : 1) + off,
                    "invalid regex: %s", (const char *)msg);
            }
            pcre2_code_free(re);
            continue;
        }
        if (e->n_words != 1 || !e->words[0].glob)
            continue;
        const lf_word_pattern *w = &e->words[0];
        size_t literal = 0;
        for (uint32_t k = 0; k < w->len; k++)
            if (w->text[k] != '*' && w->text[k] != '?' && ((unsigned char)w->text[k] & 0xC0) != 0x80)
                literal++;
        if (literal < 3 && memchr(w->text, '*', w->len))
            add(f, lex, e->file, e->line, e->col,
                "over-broad glob: '%s' keeps only %zu character%s fixed and matches very many "
                "words (see lexframe lexicon expand)",
                e->source, literal, literal == 1 ? "" : "s");
    }
}

static void check_empty_themes(const lf_lexicon *lex, finding_vec *f)
{
    bool *used = lf_xcalloc(lex->n_themes + 1, sizeof *used);
    for (size_t i = 0; i < lex->n_entries; i++)
        for (int32_t t = (int32_t)lex->entries[i].theme; t >= 0 && !used[t];
             t = lex->themes[t].parent)
            used[t] = true;
    for (size_t t = 0; t < lex->n_themes; t++)
        if (!used[t] && !lex->themes[t].implicit)
            add(f, lex, lex->themes[t].file, lex->themes[t].line, 0,
                "empty theme: '%s' has no entries (nor have its sub-themes)",
                lex->themes[t].id);
    free(used);
}

lf_status lf_lexicon_check(const lf_lexicon *lex, FILE *out, size_t *problems, lf_error *err)
{
    finding_vec f = {0};
    for (size_t i = 0; i < lex->n_warnings; i++) {
        /* what the readers could not use, as they reported it */
        finding x = {lex->n_files, 0, 0, NULL};
        lf_buf b = {0};
        lf_buf_printf(&b, "%s", lex->warnings[i]);
        x.text = b.data;
        LF_VEC_PUSH(f, x);
    }
    size_t n_warn = f.n;
    check_duplicates(lex, &f);
    check_unreachable(lex, &f);
    check_globs_and_regexes(lex, &f);
    check_empty_themes(lex, &f);
    if (f.n > n_warn) /* f.v + n_warn: no pointer arithmetic on a NULL vector */
        qsort(f.v + n_warn, f.n - n_warn, sizeof *f.v, cmp_finding);
    for (size_t i = 0; i < f.n; i++) {
        fprintf(out, "%s\n", f.v[i].text);
        free(f.v[i].text);
    }
    *problems = f.n;
    LF_VEC_FREE(f);

    size_t implicit = 0, words = 0, phrases = 0, globs = 0, regexes = 0, excl = 0, cs = 0,
           weighted = 0;
    for (size_t t = 0; t < lex->n_themes; t++)
        implicit += lex->themes[t].implicit;
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        if (e->kind == LF_ENTRY_REGEX)
            regexes++;
        else if (has_glob(e))
            globs++;
        else if (e->n_words > 1)
            phrases++;
        else
            words++;
        excl += e->exclude;
        cs += e->case_sensitive;
        weighted += e->has_weight;
    }
    fprintf(out,
            "%zu %s, %zu %s (%zu declared, %zu implied by sub-themes), %zu %s, %zu %s: "
            "%zu %s, %zu %s, %zu %s, %zu %s; %zu %s, %zu case-sensitive, %zu weighted\n",
            lex->n_files, noun(lex->n_files, "file", "files"), lex->n_themes,
            noun(lex->n_themes, "theme", "themes"), lex->n_themes - implicit, implicit,
            lex->n_rules, noun(lex->n_rules, "rule", "rules"), lex->n_entries,
            noun(lex->n_entries, "entry", "entries"), words, noun(words, "word", "words"),
            phrases, noun(phrases, "phrase", "phrases"), globs, noun(globs, "glob", "globs"),
            regexes, noun(regexes, "regex", "regexes"), excl,
            noun(excl, "exclusion", "exclusions"), cs, weighted);
    fprintf(out, "%zu problem%s found\n", *problems, *problems == 1 ? "" : "s");
    if (fflush(out) != 0 || ferror(out)) {
        lf_error_set(err, LF_ERR_IO, "write error: %s", strerror(errno ? errno : EIO));
        return LF_ERR_IO;
    }
    return LF_OK;
}
