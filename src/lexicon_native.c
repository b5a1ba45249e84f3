/* lexicon_native.c — reader for lexframe's own lexicon format, version 1: a line-based,
 * human-editable text format of directives (@lexframe, @negators, @negation-window, @theme),
 * theme attributes (label, description, colour, negation) and entries (words, globs,
 * phrases, /regexes/, !exclusions, {options}). lexicons/README.md is its reference. Phrase
 * words are split by the tokenizer's own rules so entries split exactly like transcripts. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "lexicon_read.h"
#include "tokenize.h"
#include "util.h"

/* Attribute bits, to reject a second `label:` in one theme block. */
enum { ATTR_LABEL = 1, ATTR_DESCRIPTION = 2, ATTR_COLOUR = 4, ATTR_NEGATION = 8,
       ATTR_CONTEXT = 16 };
enum { MAX_RULE_DISTANCE = 1000 };

typedef struct parser {
    lf_reader r;        /* the file, its error and the lexicon-entries limit */
    lf_lexicon *lex;
    uint64_t max_depth; /* the theme-depth limit */
    const char *line;   /* current line [line, line_end) */
    const char *line_end;
    size_t lineno;
    int32_t theme;           /* current theme block, or -1 before the first @theme */
    bool theme_has_entries;  /* attributes must precede entries */
    unsigned attrs;          /* ATTR_* seen in the current block */
    bool seen_content;       /* a non-comment line was read (for @lexframe) */
} parser;

/* 1-based column, in code points, of `at` on the current line. */
static size_t col_of(const parser *p, const char *at)
{
    return lf_col_of(p->line, at);
}

static lf_status fail(parser *p, const char *at, const char *fmt, ...) LF_PRINTF(3, 4);

static lf_status fail(parser *p, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_error_vat(p->r.err, LF_ERR_LEXICON, p->r.path, p->lineno, col_of(p, at), fmt, ap);
    va_end(ap);
    return LF_ERR_LEXICON;
}

/* Start of a trailing comment in [s, e): a '#' with a blank before it and a blank or the
 * line end after it; e when there is none. A '#' inside text ("#D55E00", "no#1") stays. */
static const char *comment_start(const parser *p, const char *s, const char *e)
{
    for (const char *k = s; k < e; k++)
        if (*k == '#' && (k == p->line || lf_is_blank(k[-1])) && (k + 1 == e || lf_is_blank(k[1])))
            return k;
    return e;
}

/* Length in bytes of the UTF-8 character at s (valid input), at least 1. */
static int char_len(const char *s, const char *e)
{
    int32_t cp;
    size_t n = lf_utf8_decode((const unsigned char *)s, (const unsigned char *)e, &cp);
    return n ? (int)n : 1;
}

/* Checks a dotted theme id [s, e): lowercase letters, digits, '_' and '-' per level. */
static lf_status check_theme_id(parser *p, const char *s, const char *e)
{
    int n = (int)(e - s);
    for (const char *k = s; k < e; k++) {
        char c = *k;
        if (c == '.') {
            if (k == s || k[-1] == '.' || k + 1 == e)
                return fail(p, k,
                            "bad theme id '%.*s': empty level (a '.' must separate two "
                            "non-empty parts)",
                            n, s);
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')
            continue;
        return fail(p, k,
                    "bad theme id '%.*s': '%.*s' is not allowed (use lowercase letters, "
                    "digits, '_' and '-', with '.' between levels)",
                    n, s, char_len(k, e), k);
    }
    return LF_OK;
}

/* ---- word splitting through the tokenizer ---- */


/* The whitespace-delimited chunk around `at` in [s, e), for messages. */
static void chunk_around(const char *s, const char *e, const char *at, const char **cs,
                         const char **ce)
{
    const char *a = at, *b = at;
    while (a > s && !lf_is_blank(a[-1]))
        a--;
    while (b < e && !lf_is_blank(*b))
        b++;
    *cs = a;
    *ce = b;
}

/* Splits [s, e) into words as the tokenizer would, with `extra` counting as letters. Fails
 * when anything other than spaces lies between or around the words, since such text could
 * never be matched the way it is written. */
static lf_status split_checked(parser *p, const char *s, const char *e, const char *extra,
                               const char *what, lf_word_spans *out)
{
    out->n = 0;
    lf_split_words(s, (size_t)(e - s), extra, lf_word_span_push, out);
    size_t pos = 0, total = (size_t)(e - s);
    for (size_t w = 0; w <= out->n; w++) {
        size_t gap_end = w < out->n ? out->v[w].start : total;
        for (size_t k = pos; k < gap_end;) {
            int len;
            if (lf_is_space_at(s + k, e, &len)) {
                k += (size_t)len;
                continue;
            }
            const char *cs, *ce;
            chunk_around(s, e, s + k, &cs, &ce);
            size_t nwords = 0;
            for (size_t i = 0; i < out->n; i++)
                if (s + out->v[i].start >= cs && s + out->v[i].end <= ce)
                    nwords++;
            if (nwords == 0)
                return fail(p, s + k,
                            "'%.*s' is not a word: punctuation never matches (in an entry, "
                            "write only words, separated by spaces)",
                            (int)(ce - cs), cs);
            return fail(p, s + k,
                        "'%.*s' is not one word: the tokenizer splits it at '%.*s'; %s",
                        (int)(ce - cs), cs, len, s + k, what);
        }
        if (w < out->n)
            pos = out->v[w].end;
    }
    return LF_OK;
}

/* Normalizes [s, e) like the tokenizer's match key and copies it into the arena. */
static char *normalize_into_arena(parser *p, const char *s, size_t n, bool fold, size_t *len)
{
    size_t nl = 0;
    char *norm = lf_normalize_word(s, n, fold, &nl);
    if (!norm)
        return NULL;
    char *copy = lf_arena_strndup(&p->lex->arena, norm, nl);
    free(norm);
    *len = nl;
    return copy;
}

/* ---- directives ---- */

static lf_status directive_lexframe(parser *p, const char *at, const char *args,
                                    const char *end)
{
    if (p->seen_content)
        return fail(p, at, "@lexframe must be the first line of the file (after comments)");
    if (args == end)
        return fail(p, at, "@lexframe needs the format version: @lexframe 1");
    if (end - args != 1 || *args != '1')
        return fail(p, args,
                    "unsupported lexicon format version '%.*s' (this lexframe reads "
                    "version 1)",
                    (int)(end - args), args);
    return LF_OK;
}

static lf_status directive_negators(parser *p, const char *at, const char *args,
                                    const char *end)
{
    if (p->theme >= 0)
        return fail(p, at, "@negators must come before the first @theme");
    LF_VEC(const char *) words = {0};
    lf_word_spans sp = {0};
    lf_status st = LF_OK;
    const char *k = args;
    while (k < end && st == LF_OK) {
        while (k < end && (lf_is_blank(*k) || *k == ','))
            k++;
        const char *w = k;
        while (k < end && !lf_is_blank(*k) && *k != ',')
            k++;
        if (w == k)
            break;
        st = split_checked(p, w, k, "", "a negator is a single word", &sp);
        if (st != LF_OK)
            break;
        if (sp.n != 1) {
            st = fail(p, w, "'%.*s' is not a word", (int)(k - w), w);
            break;
        }
        size_t len;
        const char *norm = normalize_into_arena(p, w, (size_t)(k - w), true, &len);
        if (!norm) {
            st = fail(p, w, "invalid UTF-8 in negator");
            break;
        }
        bool dup = false;
        for (size_t i = 0; i < words.n; i++)
            dup |= strcmp(words.v[i], norm) == 0;
        if (!dup)
            LF_VEC_PUSH(words, norm);
    }
    if (st == LF_OK && words.n == 0)
        st = fail(p, at, "@negators needs at least one word");
    lf_lexicon *lex = p->lex;
    if (st == LF_OK && lex->n_negators > 0) {
        /* Several files may repeat the same list; different lists would make the result
           depend on load order. */
        bool same = lex->n_negators == words.n;
        for (size_t i = 0; same && i < words.n; i++)
            same = strcmp(lex->negators[i], words.v[i]) == 0;
        if (!same)
            st = fail(p, at, "@negators conflicts with the list declared at %s:%zu",
                      lex->negation_file, lex->negation_line);
    } else if (st == LF_OK) {
        for (size_t i = 0; i < words.n; i++) {
            lf_grow((void **)&lex->negators, &lex->cap_negators, lex->n_negators + 1,
                    sizeof *lex->negators);
            lex->negators[lex->n_negators++] = words.v[i];
        }
        lex->negation_file = p->r.path;
        lex->negation_line = p->lineno;
    }
    LF_VEC_FREE(words);
    LF_VEC_FREE(sp);
    return st;
}

static lf_status directive_window(parser *p, const char *at, const char *args, const char *end)
{
    if (p->theme >= 0)
        return fail(p, at, "@negation-window must come before the first @theme");
    if (args == end)
        return fail(p, at, "@negation-window needs a number of words (0 to %d)",
                    LF_MAX_NEGATION_WINDOW);
    int v = 0;
    for (const char *k = args; k < end; k++) {
        if (*k < '0' || *k > '9' || v > LF_MAX_NEGATION_WINDOW)
            return fail(p, args,
                        "bad negation window '%.*s' (expected a whole number of words from 0 "
                        "to %d)",
                        (int)(end - args), args, LF_MAX_NEGATION_WINDOW);
        v = v * 10 + (*k - '0');
    }
    if (v > LF_MAX_NEGATION_WINDOW)
        return fail(p, args,
                    "bad negation window '%.*s' (expected a whole number of words from 0 to "
                    "%d)",
                    (int)(end - args), args, LF_MAX_NEGATION_WINDOW);
    if (p->lex->negation_window >= 0 && p->lex->negation_window != v)
        return fail(p, at, "@negation-window %d conflicts with %d declared by an earlier line",
                    v, p->lex->negation_window);
    p->lex->negation_window = v;
    return LF_OK;
}

static lf_status directive_theme(parser *p, const char *at, const char *args, const char *end)
{
    if (args == end)
        return fail(p, at, "@theme needs a theme id, e.g. '@theme trust.distrust'");
    const char *id_end = args;
    while (id_end < end && !lf_is_blank(*id_end))
        id_end++;
    const char *extra = lf_skip_blank(id_end, end);
    if (extra < end)
        return fail(p, extra,
                    "unexpected '%.*s' after the theme id (one theme id per @theme line; "
                    "the label goes on a 'label:' line)",
                    (int)(end - extra), extra);
    lf_status st = check_theme_id(p, args, id_end);
    if (st != LF_OK)
        return st;
    /* Each level is a theme of its own (a.b.c makes a and a.b): bound them. */
    uint64_t levels = 1;
    for (const char *k = args; k < id_end; k++)
        levels += *k == '.';
    if (levels > p->max_depth) {
        lf_error_at(p->r.err, LF_ERR_LIMIT, p->r.path, p->lineno, col_of(p, args),
                    "theme id has more than %llu levels (the theme-depth limit); raise it "
                    "with --limit theme-depth=N",
                    (unsigned long long)p->max_depth);
        return LF_ERR_LIMIT;
    }
    lf_lexicon *lex = p->lex;
    char *id = lf_arena_strndup(&lex->arena, args, (size_t)(id_end - args));
    int32_t old = lf_lexicon_find_theme(lex, id);
    if (old >= 0 && !lex->themes[old].implicit)
        return fail(p, args, "duplicate theme '%s' (first declared at %s:%zu)", id,
                    lex->themes[old].file, lex->themes[old].line);
    uint32_t t = lf_lexicon_add_theme(lex, id, p->r.path, p->lineno);
    /* A theme first created as the parent of another is declared here. */
    lex->themes[t].implicit = false;
    lex->themes[t].file = p->r.path;
    lex->themes[t].line = p->lineno;
    p->theme = (int32_t)t;
    p->theme_has_entries = false;
    p->attrs = 0;
    return LF_OK;
}

static lf_status parse_directive(parser *p, const char *s, const char *e)
{
    const char *name = s + 1;
    const char *name_end = name;
    while (name_end < e && !lf_is_blank(*name_end))
        name_end++;
    const char *args = lf_skip_blank(name_end, e);
    const char *end = lf_trim_blank_end(args, comment_start(p, args, e));
    size_t n = (size_t)(name_end - name);
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(name, lit, n) == 0)
    lf_status st;
    if (IS("lexframe"))
        st = directive_lexframe(p, s, args, end);
    else if (IS("negators"))
        st = directive_negators(p, s, args, end);
    else if (IS("negation-window"))
        st = directive_window(p, s, args, end);
    else if (IS("theme"))
        st = directive_theme(p, s, args, end);
    else
        st = fail(p, s,
                  "unknown directive '@%.*s' (known: @lexframe, @negators, @negation-window, "
                  "@theme)",
                  (int)n, name);
#undef IS
    return st;
}

/* ---- theme attributes ---- */

/* Length of `key` when [s, e) starts with "key:" (key = letter, then letters, digits, '_'
 * or '-'); 0 otherwise. */
static size_t attribute_key_len(const char *s, const char *e)
{
    const char *k = s;
    if (k >= e || !((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z')))
        return 0;
    while (k < e && ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                     (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
        k++;
    return k < e && *k == ':' ? (size_t)(k - s) : 0;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static lf_status attr_colour(parser *p, lf_theme *t, const char *v, const char *end)
{
    int n = (int)(end - v);
    if (*v != '#')
        return fail(p, v, "bad colour '%.*s' (expected #RRGGBB, e.g. #D55E00)", n, v);
    for (const char *k = v + 1; k < end; k++)
        if (k - v > 6 || !is_hex(*k))
            return fail(p, k, "bad colour '%.*s' (expected #RRGGBB, e.g. #D55E00)", n, v);
    if (n != 7)
        return fail(p, v, "bad colour '%.*s' (expected #RRGGBB, e.g. #D55E00)", n, v);
    char *c = lf_arena_strndup(&p->lex->arena, v, 7);
    for (char *k = c + 1; *k; k++)
        if (*k >= 'a' && *k <= 'f')
            *k = (char)(*k - 'a' + 'A');
    t->colour = c;
    return LF_OK;
}

static lf_status attr_negation(parser *p, lf_theme *t, const char *v, const char *end)
{
    const char *w_end = v;
    while (w_end < end && !lf_is_blank(*w_end))
        w_end++;
    const char *rest = lf_skip_blank(w_end, end);
    size_t n = (size_t)(w_end - v);
    static const struct {
        const char *name;
        lf_neg_policy neg;
    } simple[] = {{"count", LF_NEG_COUNT}, {"separate", LF_NEG_SEPARATE},
                  {"ignore", LF_NEG_IGNORE}};
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strlen(simple[i].name) != n || memcmp(simple[i].name, v, n) != 0)
            continue;
        if (rest < end)
            return fail(p, rest, "unexpected '%.*s' after 'negation: %s'", (int)(end - rest),
                        rest, simple[i].name);
        t->neg = simple[i].neg;
        t->neg_target = -1;
        t->neg_target_id = NULL;
        return LF_OK;
    }
    if (n == 4 && memcmp(v, "move", 4) == 0) {
        if (rest == end)
            return fail(p, v, "'negation: move' needs the id of the theme to move to, e.g. "
                              "'negation: move trust.distrust'");
        const char *id_end = rest;
        while (id_end < end && !lf_is_blank(*id_end))
            id_end++;
        const char *extra = lf_skip_blank(id_end, end);
        if (extra < end)
            return fail(p, extra, "unexpected '%.*s' after the move target",
                        (int)(end - extra), extra);
        lf_status st = check_theme_id(p, rest, id_end);
        if (st != LF_OK)
            return st;
        size_t idn = (size_t)(id_end - rest);
        if (strlen(t->id) == idn && memcmp(t->id, rest, idn) == 0)
            return fail(p, rest, "theme '%s' cannot move negated matches to itself", t->id);
        /* Bound by lf_lexicon_resolve once every file is read: the target may come later. */
        t->neg = LF_NEG_MOVE;
        t->neg_target = -1;
        t->neg_target_id = lf_arena_strndup(&p->lex->arena, rest, idn);
        t->neg_line = p->lineno;
        t->neg_col = col_of(p, rest);
        return LF_OK;
    }
    return fail(p, v,
                "unknown negation policy '%.*s' (expected count, separate, ignore or move "
                "THEME.ID)",
                (int)n, v);
}

static lf_status parse_words(parser *p, const char *s, const char *e, lf_entry *en);

/* True when [s, e) starts with the keyword kw (ASCII case-insensitive) followed by a blank,
 * '/' or the end; *after is set past it. */
static bool keyword(const char *s, const char *e, const char *kw, const char **after)
{
    size_t n = strlen(kw);
    if ((size_t)(e - s) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != kw[i])
            return false;
    }
    if (s + n < e && !lf_is_blank(s[n]) && s[n] != '/')
        return false;
    *after = s + n;
    return true;
}

/* context: [NOT] NEAR/n | BEFORE/n | AFTER/n | SAME SENTENCE  OPERAND, OPERAND, …
 * An operand is @THEME.ID or a word, phrase or glob (case-insensitive). */
static lf_status attr_context(parser *p, const char *v, const char *end)
{
    lf_context_rule rule = {.theme = (uint32_t)p->theme, .file = p->r.path, .line = p->lineno,
                            .col = col_of(p, v)};
    const char *k = v, *after;
    if (keyword(k, end, "NOT", &after) && after < end && lf_is_blank(*after)) {
        rule.negate = true;
        k = lf_skip_blank(after, end);
    }
    const char *op_at = k;
    bool needs_n = true;
    if (keyword(k, end, "NEAR", &after))
        rule.op = LF_RULE_NEAR;
    else if (keyword(k, end, "BEFORE", &after))
        rule.op = LF_RULE_BEFORE;
    else if (keyword(k, end, "AFTER", &after))
        rule.op = LF_RULE_AFTER;
    else if (keyword(k, end, "SAME", &after) &&
             keyword(lf_skip_blank(after, end), end, "SENTENCE", &after)) {
        rule.op = LF_RULE_SAME_SENTENCE;
        needs_n = false;
    } else
        return fail(p, k,
                    "a context rule starts with NEAR/n, BEFORE/n, AFTER/n or SAME SENTENCE "
                    "(optionally after NOT), e.g. 'context: NEAR/10 nuclear, sanction*'");
    k = after;
    if (needs_n) {
        if (k >= end || *k != '/')
            return fail(p, op_at, "'%.*s' needs a distance in words, e.g. NEAR/10",
                        (int)(k - op_at), op_at);
        const char *ns = ++k;
        uint32_t n = 0;
        while (k < end && *k >= '0' && *k <= '9' && n <= MAX_RULE_DISTANCE)
            n = n * 10 + (uint32_t)(*k++ - '0');
        if (k == ns || n == 0 || n > MAX_RULE_DISTANCE || (k < end && !lf_is_blank(*k)))
            return fail(p, ns, "bad distance '%.*s' (expected a whole number of words from 1 "
                               "to %d)",
                        (int)(end - ns < 12 ? end - ns : 12), ns, MAX_RULE_DISTANCE);
        rule.distance = n;
    }
    k = lf_skip_blank(k, end);
    if (k == end)
        return fail(p, v, "the context rule names nothing to look for: add words or @THEME "
                          "ids after the operator");
    LF_VEC(lf_rule_operand) ops = {0};
    lf_status st = LF_OK;
    while (k < end && st == LF_OK) {
        const char *os = lf_skip_blank(k, end), *oe = os;
        while (oe < end && *oe != ',')
            oe++;
        k = oe < end ? oe + 1 : end;
        oe = lf_trim_blank_end(os, oe);
        if (os == oe) {
            st = fail(p, os, "empty operand in a context rule (operands are separated by ',')");
            break;
        }
        lf_rule_operand o = {.theme = -1};
        if (*os == '@') {
            if ((st = check_theme_id(p, os + 1, oe)) != LF_OK)
                break;
            o.theme_id = lf_arena_strndup(&p->lex->arena, os + 1, (size_t)(oe - os - 1));
        } else {
            lf_entry tmp = {0};
            if ((st = parse_words(p, os, oe, &tmp)) != LF_OK)
                break;
            o.words = tmp.words;
            o.n_words = tmp.n_words;
        }
        LF_VEC_PUSH(ops, o);
    }
    if (st == LF_OK) {
        rule.operands = lf_arena_alloc(&p->lex->arena, ops.n * sizeof *ops.v);
        memcpy(rule.operands, ops.v, ops.n * sizeof *ops.v);
        rule.n_operands = ops.n;
        rule.source = lf_arena_strndup(&p->lex->arena, v, (size_t)(end - v));
        lf_lexicon_add_rule(p->lex, &rule);
    }
    LF_VEC_FREE(ops);
    return st;
}

static lf_status parse_attribute(parser *p, const char *s, const char *e, size_t klen)
{
    static const struct {
        const char *key;
        unsigned bit;
    } keys[] = {{"label", ATTR_LABEL},
                {"description", ATTR_DESCRIPTION},
                {"colour", ATTR_COLOUR},
                {"color", ATTR_COLOUR},
                {"negation", ATTR_NEGATION},
                {"context", ATTR_CONTEXT}};
    unsigned bit = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].key) == klen && memcmp(keys[i].key, s, klen) == 0)
            bit = keys[i].bit;
    int kl = (int)klen;
    if (!bit)
        return fail(p, s,
                    "unknown attribute '%.*s' (known: label, description, colour, negation, "
                    "context; an entry cannot contain ':')",
                    kl, s);
    if (p->theme < 0)
        return fail(p, s, "attribute '%.*s' outside a theme (start one with '@theme ID')", kl,
                    s);
    if (p->theme_has_entries)
        return fail(p, s, "attribute '%.*s' must come before the theme's entries", kl, s);
    lf_theme *t = &p->lex->themes[p->theme];
    if ((p->attrs & bit) && bit != ATTR_CONTEXT) /* several rules may apply together */
        return fail(p, s, "duplicate attribute '%.*s' for theme '%s'", kl, s, t->id);
    p->attrs |= bit;
    const char *v = lf_skip_blank(s + klen + 1, e);
    const char *end = lf_trim_blank_end(v, comment_start(p, v, e));
    if (v == end)
        return fail(p, s, "attribute '%.*s' needs a value", kl, s);
    switch (bit) {
    case ATTR_LABEL:
        t->label = lf_arena_strndup(&p->lex->arena, v, (size_t)(end - v));
        return LF_OK;
    case ATTR_DESCRIPTION:
        t->description = lf_arena_strndup(&p->lex->arena, v, (size_t)(end - v));
        return LF_OK;
    case ATTR_COLOUR:
        return attr_colour(p, t, v, end);
    case ATTR_CONTEXT:
        return attr_context(p, v, end);
    default:
        return attr_negation(p, t, v, end);
    }
}

/* ---- entries ---- */


/* Parses "{opt, opt}" starting at the '{' in [s, e) (e is the comment start). */
static lf_status parse_options(parser *p, const char *s, const char *e, lf_entry *en)
{
    const char *close = memchr(s, '}', (size_t)(e - s));
    if (!close)
        return fail(p, s, "unterminated '{': entry options end with '}', e.g. {case}");
    const char *after = lf_skip_blank(close + 1, e);
    if (after < e)
        return fail(p, after,
                    "unexpected '%.*s' after the options (options come last on an entry "
                    "line)",
                    (int)(lf_trim_blank_end(after, e) - after), after);
    const char *k = s + 1;
    bool seen_case = false;
    while (k < close) {
        while (k < close && (lf_is_blank(*k) || *k == ','))
            k++;
        const char *o = k;
        while (k < close && !lf_is_blank(*k) && *k != ',')
            k++;
        if (o == k)
            break;
        int n = (int)(k - o);
        if (n == 4 && memcmp(o, "case", 4) == 0) {
            if (seen_case)
                return fail(p, o, "duplicate option 'case'");
            seen_case = true;
            en->case_sensitive = true;
        } else if (n >= 6 && memcmp(o, "weight", 6) == 0 && (n == 6 || o[6] == '=')) {
            if (en->has_weight)
                return fail(p, o, "duplicate option 'weight'");
            const char *num = o + 7 <= k ? o + 7 : k;
            double w;
            if (!lf_parse_number(num, k, &w))
                return fail(p, num < k ? num : o,
                            "bad weight '%.*s' (expected weight=NUMBER, e.g. weight=0.5)",
                            (int)(k - num), num);
            en->has_weight = true;
            en->weight = w;
        } else {
            return fail(p, o, "unknown option '%.*s' (known: case, weight=NUMBER)", n, o);
        }
    }
    return LF_OK;
}

/* Parses /regex/ at s; sets *after to the character after the closing slash. */
static lf_status parse_regex(parser *p, const char *s, const char *e, lf_entry *en,
                             const char **after)
{
    lf_buf b = {0};
    const char *k = s + 1;
    bool closed = false;
    while (k < e) {
        if (*k == '\\') {
            if (k + 1 == e)
                break;
            /* Escapes are kept as written: PCRE2 reads "\/" as a slash too, and the
               matcher's error columns stay those of the file. */
            lf_buf_append(&b, k, 2);
            k += 2;
            continue;
        }
        if (*k == '/') {
            closed = true;
            break;
        }
        lf_buf_putc(&b, *k++);
    }
    lf_status st = LF_OK;
    if (!closed)
        st = fail(p, s,
                  "unterminated regex: no closing '/' (write a slash inside a regex as \\/)");
    else if (b.len == 0)
        st = fail(p, s, "empty regex '//'");
    else {
        en->kind = LF_ENTRY_REGEX;
        en->regex = lf_arena_strndup(&p->lex->arena, b.data, b.len);
        *after = k + 1;
    }
    lf_buf_free(&b);
    return st;
}

static lf_status parse_words(parser *p, const char *s, const char *e, lf_entry *en)
{
    lf_word_spans sp = {0};
    lf_status st = split_checked(p, s, e, "*?", "separate the words of a phrase with spaces",
                                 &sp);
    if (st == LF_OK && sp.n == 0)
        st = fail(p, s, "empty entry");
    if (st != LF_OK) {
        LF_VEC_FREE(sp);
        return st;
    }
    lf_word_pattern *w = lf_arena_alloc(&p->lex->arena, sp.n * sizeof *w);
    bool all_any = true;
    for (size_t i = 0; i < sp.n; i++) {
        const char *ws = s + sp.v[i].start;
        size_t len;
        char *norm = normalize_into_arena(p, ws, sp.v[i].end - sp.v[i].start,
                                          !en->case_sensitive, &len);
        if (!norm) {
            LF_VEC_FREE(sp);
            return fail(p, ws, "invalid UTF-8 in entry");
        }
        if (len > UINT32_MAX) {
            LF_VEC_FREE(sp);
            return fail(p, ws, "word too long");
        }
        w[i] = (lf_word_pattern){.text = norm, .len = (uint32_t)len,
                                 .glob = strpbrk(norm, "*?") != NULL};
        all_any &= strspn(norm, "*") == len;
    }
    size_t n = sp.n;
    LF_VEC_FREE(sp);
    if (all_any)
        return fail(p, s, "an entry made only of '*' would match every word; add a word");
    en->kind = LF_ENTRY_WORDS;
    en->words = w;
    en->n_words = n;
    return LF_OK;
}

static lf_status parse_entry(parser *p, const char *s, const char *e)
{
    if (p->theme < 0)
        return fail(p, s, "entry outside a theme: start a theme with '@theme ID' first");
    lf_status st = lf_reader_check_entries(&p->r, p->lineno, col_of(p, s));
    if (st != LF_OK)
        return st;
    lf_entry en = {.theme = (uint32_t)p->theme, .weight = 1.0, .file = p->r.path,
                   .line = p->lineno, .col = col_of(p, s)};
    const char *k = s;
    if (*k == '!') {
        en.exclude = true;
        k++;
        /* The matcher places regex errors relative to the '!'; one form keeps it simple. */
        if (k < e && lf_is_blank(*k))
            return fail(p, k, "no space after '!': write the excluded entry right after it, "
                              "e.g. !leveraged buyout");
    }
    const char *cend; /* end of the entry text, before any comment */
    const char *brace;
    if (k < e && *k == '/') {
        const char *after = NULL;
        /* The closing slash is found before comments and options: a '#' or '{' inside the
           regex belongs to the regex. */
        st = parse_regex(p, k, e, &en, &after);
        if (st != LF_OK)
            return st;
        cend = lf_trim_blank_end(after, comment_start(p, after, e));
        const char *rest = lf_skip_blank(after, cend);
        if (rest < cend && *rest != '{')
            return fail(p, rest,
                        "unexpected '%.*s' after the regex (options go in braces, e.g. "
                        "{case})",
                        (int)(cend - rest), rest);
        brace = rest < cend ? rest : NULL;
        if (brace && (st = parse_options(p, brace, cend, &en)) != LF_OK)
            return st;
    } else {
        cend = lf_trim_blank_end(k, comment_start(p, k, e));
        brace = cend > k ? memchr(k, '{', (size_t)(cend - k)) : NULL;
        if (brace && (st = parse_options(p, brace, cend, &en)) != LF_OK)
            return st;
        const char *body_end = lf_trim_blank_end(k, brace ? brace : cend);
        if (k == body_end)
            return fail(p, s, "empty entry");
        if ((st = parse_words(p, k, body_end, &en)) != LF_OK)
            return st;
    }
    en.source = lf_arena_strndup(&p->lex->arena, s, (size_t)(cend - s));
    lf_lexicon_add_entry(p->lex, &en);
    p->theme_has_entries = true;
    return LF_OK;
}

static lf_status parse_line(parser *p)
{
    const char *e = p->line_end;
    const char *s = lf_skip_blank(p->line, e);
    if (s == e || *s == '#')
        return LF_OK;
    lf_status st;
    size_t klen;
    if (*s == '@')
        st = parse_directive(p, s, e);
    else if ((klen = attribute_key_len(s, e)) > 0)
        st = parse_attribute(p, s, e, klen);
    else
        st = parse_entry(p, s, e);
    p->seen_content = true;
    return st;
}

lf_status lf_lexicon_read_native(lf_lexicon *lex, const char *path, const char *data,
                                 size_t len, const lf_options *opt, lf_error *err)
{
    parser p = {.lex = lex, .theme = -1};
    lf_reader_init(&p.r, lex, path, opt, err, "*?");
    p.max_depth = lf_reader_limit(&p.r, LF_LIMIT_THEME_DEPTH);
    lf_lines it;
    lf_status st = lf_reader_lines(&p.r, data, len, &it);
    while (lf_reader_line(&p.r, &it, &p.line, &p.line_end, &st)) {
        p.lineno = it.lineno;
        st = parse_line(&p);
    }
    return st;
}
