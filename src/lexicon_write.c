/* lexicon_write.c — lexicons out: the native format and every foreign format that can
 * represent a lexicon (LIWC .dic, LIWC-22 .dicx, Lexicoder .lc3, Yoshikoder .ykd, WordStat
 * .cat, quanteda YAML, word lists), plus a REFI-QDA codebook (.qdc) export of the themes.
 * Before writing, lf_lexicon_losses lists every kind of content the target cannot hold
 * (weights, regexes, exclusions, rules, hierarchy, labels, …) so that `lexicon convert`
 * never drops anything silently. Output is deterministic: themes depth-first in lexicon
 * order, entries in lexicon order, numbers in the shortest form that reads back exactly. */
#include <errno.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lexicon.h"
#include "lexicon_read.h"
#include "render.h"

/* ---- what each format can hold ---- */

typedef struct caps {
    bool hierarchy;    /* nested themes */
    bool one_theme;    /* a single theme only (word lists) */
    bool labels;       /* a label apart from the id */
    bool description, colour, negation, rules;
    bool weights, regex, exclusions, case_sensitive;
    bool glob_star;    /* '*' in a word */
    bool star_inner;   /* '*' anywhere, not only at the end of a word */
    bool glob_qmark;   /* '?' */
    bool any_word;     /* '*' alone as a word of a phrase */
} caps;

static const caps format_caps[LF_FMT_COUNT] = {
    [LF_FMT_NATIVE] = {true, false, true, true, true, true, true, true, true, true, true, true,
                       true, true, true},
    [LF_FMT_LIWC] = {.hierarchy = true, .glob_star = true},
    [LF_FMT_DICX] = {.weights = true, .glob_star = true},
    [LF_FMT_LC3] = {.colour = true, .glob_star = true},
    [LF_FMT_YKD] = {.hierarchy = true, .description = true, .weights = true, .glob_star = true,
                    .star_inner = true},
    [LF_FMT_CAT] = {.hierarchy = true, .weights = true, .glob_star = true, .star_inner = true},
    [LF_FMT_YAML] = {.hierarchy = true, .glob_star = true, .star_inner = true,
                     .glob_qmark = true, .any_word = true},
    [LF_FMT_WORDLIST] = {.one_theme = true},
    [LF_FMT_SCORED] = {.one_theme = true, .weights = true},
    [LF_FMT_QDC] = {.hierarchy = true, .labels = true, .description = true, .colour = true},
};


/* ---- names of themes in formats that have only a name ---- */

/* The id part a format must reproduce: the last part, or for a flat format the whole id
 * (dots as '_'), so that reading the file back gives the same id. */
static char *target_part(const lf_theme *t, bool flat)
{
    const char *part = t->id, *dot = strrchr(t->id, '.');
    if (!flat && dot)
        part = dot + 1;
    char *p = lf_xstrdup(part);
    for (char *k = p; *k; k++)
        if (*k == '.')
            *k = '_';
    return p;
}

/* The category name written for t: its label when the label makes the same id, else the
 * id part itself. Caller frees. */
static char *theme_name(const lf_theme *t, bool flat)
{
    char *part = target_part(t, flat);
    char *slug = lf_slug(t->label, strlen(t->label));
    bool same = strcmp(slug, part) == 0;
    free(slug);
    if (same) {
        free(part);
        return lf_xstrdup(t->label);
    }
    return part;
}

/* ---- losses ---- */

typedef struct loss {
    const char *what;
    size_t n;
    lf_buf examples;
} loss;

enum {
    L_HIERARCHY,
    L_THEMES,
    L_IDS,
    L_LABELS,
    L_DESCRIPTION,
    L_COLOUR,
    L_NEGATION,
    L_NEGATORS,
    L_RULES,
    L_WEIGHTS,
    L_REGEX,
    L_EXCLUSIONS,
    L_CASE,
    L_GLOB_QMARK,
    L_GLOB_INNER,
    L_ANY_WORD,
    L_GLOBS,
    L_ENTRIES,
    L_COMMENT,
    L_COUNT
};

static const char *const loss_names[L_COUNT] = {
    [L_HIERARCHY] = "the theme hierarchy (sub-themes would become top-level themes)",
    [L_THEMES] = "more than one theme (a word list holds one; all entries would go to it)",
    [L_IDS] = "theme ids that no category name reproduces",
    [L_LABELS] = "theme labels other than the id",
    [L_DESCRIPTION] = "theme descriptions",
    [L_COLOUR] = "theme colours",
    [L_NEGATION] = "negation policies",
    [L_NEGATORS] = "negator settings (@negators, @negation-window)",
    [L_RULES] = "context rules",
    [L_WEIGHTS] = "entry weights",
    [L_REGEX] = "regex entries",
    [L_EXCLUSIONS] = "exclusions",
    [L_CASE] = "case-sensitive entries (they would match any case)",
    [L_GLOB_QMARK] = "'?' wildcards",
    [L_GLOB_INNER] = "'*' wildcards not at the end of a word",
    [L_ANY_WORD] = "'*' standing for one whole word of a phrase",
    [L_GLOBS] = "wildcards (a word list has none: '*' would be a character)",
    [L_ENTRIES] = "entries (a codebook holds themes only)",
    [L_COMMENT] = "the text of labels and descriptions from a ' # ' on (a native lexicon reads "
                  "a comment there)",
};

enum { MAX_EXAMPLES = 3 };

static void note(loss *l, const char *fmt, ...) LF_PRINTF(2, 3);

static void note(loss *l, const char *fmt, ...)
{
    if (l->n++ >= MAX_EXAMPLES)
        return;
    if (l->examples.len)
        lf_buf_puts(&l->examples, ", ");
    va_list ap;
    va_start(ap, fmt);
    lf_buf_vprintf(&l->examples, fmt, ap);
    va_end(ap);
}

static void fmt_number(char *out, size_t cap, double x)
{
    /* the shortest %g that reads back as the same double */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, x);
        if (strtod(out, NULL) == x)
            return;
    }
}

/* Whether c is blank in a native attribute value as written (line breaks become spaces). */
static bool native_blank(char c)
{
    return lf_is_blank(c) || c == '\n' || c == '\r';
}

/* Where a native lexicon's reader would see a trailing comment in the attribute value s
 * (a '#' after a blank or at the start, before a blank or the end): there is no escape for
 * it, so the text from there on cannot be written. strlen(s) when there is none. */
static size_t native_comment_at(const char *s)
{
    size_t n = strlen(s);
    for (size_t k = 0; k < n; k++)
        if (s[k] == '#' && (k == 0 || native_blank(s[k - 1])) &&
            (k + 1 == n || native_blank(s[k + 1])))
            return k;
    return n;
}

static bool theme_has_entries(const lf_lexicon *lex, size_t t, const size_t *counts)
{
    (void)lex;
    return counts[t] > 0;
}

size_t lf_lexicon_losses(const lf_lexicon *lex, lf_lexicon_format fmt, lf_buf *out)
{
    const caps *c = &format_caps[fmt];
    loss L[L_COUNT];
    memset(L, 0, sizeof L);
    bool flat = !c->hierarchy;
    size_t *counts = lf_xcalloc(lex->n_themes + 1, sizeof *counts);
    for (size_t i = 0; i < lex->n_entries; i++)
        counts[lex->entries[i].theme]++;
    size_t listed_themes = 0;
    for (size_t i = 0; i < lex->n_themes; i++) {
        const lf_theme *t = &lex->themes[i];
        if (t->implicit && (flat || fmt == LF_FMT_NATIVE) && !theme_has_entries(lex, i, counts))
            continue;
        listed_themes++;
        const char *where = t->file ? t->file : "";
        if (flat && t->parent >= 0 && fmt != LF_FMT_WORDLIST && fmt != LF_FMT_SCORED)
            note(&L[L_HIERARCHY], "'%s' (%s:%zu)", t->id, where, t->line);
        if (!c->labels && !c->one_theme) {
            char *part = target_part(t, flat);
            char *slug = lf_slug(part, strlen(part));
            if (strcmp(slug, part) != 0)
                note(&L[L_IDS], "'%s' (%s:%zu)", t->id, where, t->line);
            free(slug);
            char *name = theme_name(t, flat);
            if (strcmp(name, t->label) != 0)
                note(&L[L_LABELS], "'%s' of '%s' (%s:%zu)", t->label, t->id, where, t->line);
            free(name);
            free(part);
        }
        if (!c->description && t->description && *t->description)
            note(&L[L_DESCRIPTION], "of '%s' (%s:%zu)", t->id, where, t->line);
        if (fmt == LF_FMT_NATIVE && t->label[native_comment_at(t->label)])
            note(&L[L_COMMENT], "label '%s' of '%s' (%s:%zu)", t->label, t->id, where, t->line);
        if (fmt == LF_FMT_NATIVE && t->description &&
            t->description[native_comment_at(t->description)])
            note(&L[L_COMMENT], "description of '%s' (%s:%zu)", t->id, where, t->line);
        if (!c->colour && t->colour)
            note(&L[L_COLOUR], "%s of '%s' (%s:%zu)", t->colour, t->id, where, t->line);
        if (!c->negation && t->neg != LF_NEG_COUNT)
            note(&L[L_NEGATION], "'%s' of '%s' (%s:%zu)",
                 t->neg == LF_NEG_SEPARATE ? "separate"
                 : t->neg == LF_NEG_IGNORE ? "ignore"
                                           : "move",
                 t->id, where, t->line);
    }
    if (c->one_theme && listed_themes > 1)
        for (size_t i = 0; i < lex->n_themes; i++)
            if (counts[i] || !lex->themes[i].implicit)
                note(&L[L_THEMES], "'%s'", lex->themes[i].id);
    if (!c->negation && (lex->n_negators || lex->negation_window >= 0))
        note(&L[L_NEGATORS], "%s:%zu", lex->negation_file ? lex->negation_file : "",
             lex->negation_line);
    if (!c->rules)
        for (size_t i = 0; i < lex->n_rules; i++)
            note(&L[L_RULES], "'%s' of '%s' (%s:%zu)", lex->rules[i].source,
                 lex->themes[lex->rules[i].theme].id, lex->rules[i].file, lex->rules[i].line);
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        const char *src = e->source;
        if (fmt == LF_FMT_QDC) {
            note(&L[L_ENTRIES], "'%s' (%s:%zu)", src, e->file, e->line);
            continue;
        }
        if (!c->weights && e->has_weight && e->weight != 1.0) {
            char w[40];
            fmt_number(w, sizeof w, e->weight);
            note(&L[L_WEIGHTS], "'%s' weight %s (%s:%zu)", src, w, e->file, e->line);
        }
        if (!c->exclusions && e->exclude) {
            note(&L[L_EXCLUSIONS], "'%s' (%s:%zu)", src, e->file, e->line);
            continue; /* dropped whole: its other features are not lost on their own */
        }
        if (e->kind == LF_ENTRY_REGEX) {
            if (!c->regex)
                note(&L[L_REGEX], "'%s' (%s:%zu)", src, e->file, e->line);
            continue;
        }
        if (!c->case_sensitive && e->case_sensitive)
            note(&L[L_CASE], "'%s' (%s:%zu)", src, e->file, e->line);
        bool qmark = false, inner = false, any = false, glob = false;
        for (size_t w = 0; w < e->n_words; w++) {
            const lf_word_pattern *p = &e->words[w];
            if (!p->glob)
                continue;
            glob = true;
            if (p->len == 1 && p->text[0] == '*' && e->n_words > 1) {
                any = true;
                continue;
            }
            for (uint32_t k = 0; k < p->len; k++) {
                qmark |= p->text[k] == '?';
                inner |= p->text[k] == '*' && k + 1 < p->len;
            }
        }
        if (!c->glob_star && glob)
            note(&L[L_GLOBS], "'%s' (%s:%zu)", src, e->file, e->line);
        else {
            if (!c->glob_qmark && qmark)
                note(&L[L_GLOB_QMARK], "'%s' (%s:%zu)", src, e->file, e->line);
            if (!c->star_inner && inner)
                note(&L[L_GLOB_INNER], "'%s' (%s:%zu)", src, e->file, e->line);
            if (!c->any_word && any)
                note(&L[L_ANY_WORD], "'%s' (%s:%zu)", src, e->file, e->line);
        }
    }
    size_t kinds = 0;
    for (int k = 0; k < L_COUNT; k++) {
        if (!L[k].n) {
            lf_buf_free(&L[k].examples);
            continue;
        }
        kinds++;
        lf_buf_printf(out, "%s: %zu (%s%s)\n", loss_names[k], L[k].n, L[k].examples.data,
                      L[k].n > MAX_EXAMPLES ? ", …" : "");
        lf_buf_free(&L[k].examples);
    }
    free(counts);
    return kinds;
}

/* ---- helpers for writers ---- */

/* Themes in depth-first order (parents before children, siblings in lexicon order). */
typedef struct tree {
    LF_VEC(uint32_t) order;
    size_t *n_entries;
    bool *written; /* implicit themes without entries or children are left out */
} tree;

static void tree_visit(tree *tr, const lf_lexicon *lex, int32_t parent, const size_t *sub)
{
    for (size_t i = 0; i < lex->n_themes; i++) {
        if (lex->themes[i].parent != parent || !sub[i])
            continue;
        LF_VEC_PUSH(tr->order, (uint32_t)i);
        tree_visit(tr, lex, (int32_t)i, sub);
    }
}

static void tree_build(tree *tr, const lf_lexicon *lex)
{
    memset(tr, 0, sizeof *tr);
    tr->n_entries = lf_xcalloc(lex->n_themes + 1, sizeof *tr->n_entries);
    for (size_t i = 0; i < lex->n_entries; i++)
        tr->n_entries[lex->entries[i].theme]++;
    /* sub[i]: whether theme i is written (declared, or holding something written below) */
    size_t *sub = lf_xcalloc(lex->n_themes + 1, sizeof *sub);
    for (size_t i = lex->n_themes; i-- > 0;) {
        const lf_theme *t = &lex->themes[i];
        if (!t->implicit || tr->n_entries[i])
            sub[i] = 1;
        if (sub[i] && t->parent >= 0)
            sub[t->parent] = 1;
    }
    tree_visit(tr, lex, -1, sub);
    free(sub);
}

static void tree_free(tree *tr)
{
    LF_VEC_FREE(tr->order);
    free(tr->n_entries);
}

/* The entry's words joined by `sep` (its pattern in a foreign format). */
static void entry_pattern(lf_buf *b, const lf_entry *e, char sep)
{
    lf_buf_reset(b);
    for (size_t w = 0; w < e->n_words; w++) {
        if (w)
            lf_buf_putc(b, sep);
        lf_buf_append(b, e->words[w].text, e->words[w].len);
    }
    lf_buf_cstr(b);
}

/* Entries a foreign format keeps: no regexes, no exclusions. */
static bool foreign_entry(const lf_entry *e)
{
    return e->kind == LF_ENTRY_WORDS && !e->exclude;
}

/* Text on one line: newlines and tabs become spaces. */
static void put_line_text(FILE *fp, const char *s)
{
    for (; *s; s++)
        putc(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s, fp);
}

/* "KEY: VALUE\n" of a native theme, VALUE cut before what would read as a comment (listed
 * as lost); nothing when no text is left. */
static void put_native_attr(FILE *fp, const char *key, const char *value)
{
    size_t n = native_comment_at(value);
    while (n && native_blank(value[n - 1]))
        n--;
    if (!n)
        return;
    fprintf(fp, "%s: ", key);
    for (size_t i = 0; i < n; i++)
        putc(value[i] == '\n' || value[i] == '\r' || value[i] == '\t' ? ' ' : value[i], fp);
    putc('\n', fp);
}

/* Text for an XML attribute or element; characters XML 1.0 cannot carry even as a
 * reference (C0 controls other than tab and line ends, U+FFFE, U+FFFF), which a label
 * or description may hold, become U+FFFD. */
static void put_xml(FILE *fp, const char *s)
{
    for (; *s; s++) {
        const unsigned char *u = (const unsigned char *)s;
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\n': fputs("&#10;", fp); break;
        case '\r': fputs("&#13;", fp); break;
        case '\t': fputs("&#9;", fp); break;
        default:
            if (u[0] < 0x20) {
                fputs("\xEF\xBF\xBD", fp);
            } else if (u[0] == 0xEF && u[1] == 0xBF && (u[2] == 0xBE || u[2] == 0xBF)) {
                fputs("\xEF\xBF\xBD", fp);
                s += 2;
            } else {
                putc(*s, fp);
            }
        }
    }
}

/* ---- native ---- */

static void write_native(FILE *fp, const lf_lexicon *lex)
{
    fprintf(fp, "@lexframe 1\n");
    if (lex->n_negators) {
        fputs("@negators", fp);
        for (size_t i = 0; i < lex->n_negators; i++)
            fprintf(fp, " %s", lex->negators[i]);
        putc('\n', fp);
    }
    if (lex->negation_window >= 0)
        fprintf(fp, "@negation-window %d\n", lex->negation_window);
    lf_buf b = {0};
    for (size_t i = 0; i < lex->n_themes; i++) {
        const lf_theme *t = &lex->themes[i];
        bool any = false;
        for (size_t k = 0; k < lex->n_entries && !any; k++)
            any = lex->entries[k].theme == i;
        if (t->implicit && !any)
            continue;
        fprintf(fp, "\n@theme %s\n", t->id);
        const char *dot = strrchr(t->id, '.');
        if (strcmp(t->label, dot ? dot + 1 : t->id) != 0)
            put_native_attr(fp, "label", t->label);
        if (t->description)
            put_native_attr(fp, "description", t->description);
        if (t->colour)
            fprintf(fp, "colour: %s\n", t->colour);
        if (t->neg == LF_NEG_SEPARATE)
            fputs("negation: separate\n", fp);
        else if (t->neg == LF_NEG_IGNORE)
            fputs("negation: ignore\n", fp);
        else if (t->neg == LF_NEG_MOVE)
            fprintf(fp, "negation: move %s\n",
                    t->neg_target >= 0 ? lex->themes[t->neg_target].id : t->neg_target_id);
        for (size_t r = 0; r < lex->n_rules; r++)
            if (lex->rules[r].theme == i)
                fprintf(fp, "context: %s\n", lex->rules[r].source);
        for (size_t k = 0; k < lex->n_entries; k++) {
            const lf_entry *e = &lex->entries[k];
            if (e->theme != i)
                continue;
            if (e->exclude)
                putc('!', fp);
            if (e->kind == LF_ENTRY_REGEX) {
                fprintf(fp, "/%s/", e->regex);
            } else {
                entry_pattern(&b, e, ' ');
                fputs(b.data, fp);
            }
            if (e->case_sensitive || e->has_weight) {
                char w[40];
                fmt_number(w, sizeof w, e->weight);
                fprintf(fp, " {%s%s%s%s}", e->case_sensitive ? "case" : "",
                        e->case_sensitive && e->has_weight ? ", " : "",
                        e->has_weight ? "weight=" : "", e->has_weight ? w : "");
            }
            putc('\n', fp);
        }
    }
    lf_buf_free(&b);
}

/* ---- LIWC .dic and LIWC-22 .dicx ---- */

/* Groups entries by pattern: for each distinct pattern (first appearance order) the list
 * of entries. */
typedef struct pattern_rows {
    lf_strmap index;             /* pattern → row */
    LF_VEC(char *) text;
    LF_VEC(uint32_t) first;      /* row → first entry index in `next` chain */
    uint32_t *next;              /* entry → next entry of the same row, UINT32_MAX ends */
    LF_VEC(uint32_t) last;
} pattern_rows;

static void rows_build(pattern_rows *pr, const lf_lexicon *lex)
{
    memset(pr, 0, sizeof *pr);
    lf_strmap_init(&pr->index);
    pr->next = lf_xmalloc((lex->n_entries + 1) * sizeof *pr->next);
    lf_buf b = {0};
    for (size_t i = 0; i < lex->n_entries; i++) {
        pr->next[i] = UINT32_MAX;
        const lf_entry *e = &lex->entries[i];
        if (!foreign_entry(e))
            continue;
        entry_pattern(&b, e, ' ');
        bool added;
        uint32_t row = lf_strmap_intern(&pr->index, b.data, b.len, (uint32_t)pr->text.n, &added);
        if (added) {
            LF_VEC_PUSH(pr->text, lf_xstrdup(b.data));
            LF_VEC_PUSH(pr->first, (uint32_t)i);
            LF_VEC_PUSH(pr->last, (uint32_t)i);
        } else {
            pr->next[pr->last.v[row]] = (uint32_t)i;
            pr->last.v[row] = (uint32_t)i;
        }
    }
    lf_buf_free(&b);
}

static void rows_free(pattern_rows *pr)
{
    for (size_t i = 0; i < pr->text.n; i++)
        free(pr->text.v[i]);
    LF_VEC_FREE(pr->text);
    LF_VEC_FREE(pr->first);
    LF_VEC_FREE(pr->last);
    free(pr->next);
    lf_strmap_free(&pr->index);
}

static void write_liwc(FILE *fp, const lf_lexicon *lex)
{
    tree tr;
    tree_build(&tr, lex);
    uint32_t *num = lf_xcalloc(lex->n_themes + 1, sizeof *num);
    fputs("%\n", fp);
    for (size_t k = 0; k < tr.order.n; k++) {
        const lf_theme *t = &lex->themes[tr.order.v[k]];
        num[tr.order.v[k]] = (uint32_t)k + 1;
        for (uint32_t d = 1; d < t->depth; d++)
            putc('\t', fp);
        char *name = theme_name(t, false);
        fprintf(fp, "%zu\t", k + 1);
        put_line_text(fp, name);
        putc('\n', fp);
        free(name);
    }
    fputs("%\n", fp);
    pattern_rows pr;
    rows_build(&pr, lex);
    for (size_t r = 0; r < pr.text.n; r++) {
        fputs(pr.text.v[r], fp);
        for (uint32_t i = pr.first.v[r]; i != UINT32_MAX; i = pr.next[i])
            fprintf(fp, "\t%u", num[lex->entries[i].theme]);
        putc('\n', fp);
    }
    rows_free(&pr);
    free(num);
    tree_free(&tr);
}

static void write_dicx(FILE *fp, const lf_lexicon *lex)
{
    tree tr;
    tree_build(&tr, lex);
    int32_t *col = lf_xcalloc(lex->n_themes + 1, sizeof *col);
    fputs("DicTerm", fp);
    for (size_t k = 0; k < tr.order.n; k++) {
        col[tr.order.v[k]] = (int32_t)k;
        char *name = theme_name(&lex->themes[tr.order.v[k]], true);
        putc(',', fp);
        lf_csv_field(fp, name);
        free(name);
    }
    putc('\n', fp);
    pattern_rows pr;
    rows_build(&pr, lex);
    char **cells = lf_xcalloc(tr.order.n + 1, sizeof *cells);
    char w[40];
    for (size_t r = 0; r < pr.text.n; r++) {
        lf_csv_field(fp, pr.text.v[r]);
        for (size_t k = 0; k < tr.order.n; k++)
            cells[k] = NULL;
        for (uint32_t i = pr.first.v[r]; i != UINT32_MAX; i = pr.next[i]) {
            const lf_entry *e = &lex->entries[i];
            free(cells[col[e->theme]]);
            if (e->has_weight) {
                fmt_number(w, sizeof w, e->weight);
                cells[col[e->theme]] = lf_xstrdup(w);
            } else {
                cells[col[e->theme]] = lf_xstrdup("X");
            }
        }
        for (size_t k = 0; k < tr.order.n; k++) {
            putc(',', fp);
            if (cells[k])
                fputs(cells[k], fp);
            free(cells[k]);
        }
        putc('\n', fp);
    }
    free(cells);
    rows_free(&pr);
    free(col);
    tree_free(&tr);
}

/* ---- Lexicoder .lc3, WordStat .cat, word lists ---- */

static void write_lc3(FILE *fp, const lf_lexicon *lex)
{
    tree tr;
    tree_build(&tr, lex);
    lf_buf b = {0};
    for (size_t k = 0; k < tr.order.n; k++) {
        uint32_t ti = tr.order.v[k];
        const lf_theme *t = &lex->themes[ti];
        char *name = theme_name(t, true);
        putc('+', fp);
        put_line_text(fp, name);
        free(name);
        if (t->colour)
            fputs(t->colour, fp);
        putc('\n', fp);
        for (size_t i = 0; i < lex->n_entries; i++) {
            const lf_entry *e = &lex->entries[i];
            if (e->theme != ti || !foreign_entry(e))
                continue;
            entry_pattern(&b, e, ' ');
            fprintf(fp, "%s\n", b.data);
        }
    }
    lf_buf_free(&b);
    tree_free(&tr);
}

static void write_cat(FILE *fp, const lf_lexicon *lex)
{
    tree tr;
    tree_build(&tr, lex);
    lf_buf b = {0};
    char w[40];
    for (size_t k = 0; k < tr.order.n; k++) {
        uint32_t ti = tr.order.v[k];
        const lf_theme *t = &lex->themes[ti];
        for (uint32_t d = 1; d < t->depth; d++)
            putc('\t', fp);
        char *name = theme_name(t, false);
        put_line_text(fp, name);
        putc('\n', fp);
        free(name);
        for (size_t i = 0; i < lex->n_entries; i++) {
            const lf_entry *e = &lex->entries[i];
            if (e->theme != ti || !foreign_entry(e))
                continue;
            entry_pattern(&b, e, '_'); /* WordStat joins the words of a phrase with '_' */
            for (uint32_t d = 0; d < t->depth; d++)
                putc('\t', fp);
            fmt_number(w, sizeof w, e->weight);
            fprintf(fp, "%s (%s)\n", b.data, w);
        }
    }
    lf_buf_free(&b);
    tree_free(&tr);
}

static void write_list(FILE *fp, const lf_lexicon *lex, bool scored)
{
    lf_buf b = {0};
    char w[40];
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        if (!foreign_entry(e))
            continue;
        entry_pattern(&b, e, ' ');
        fputs(b.data, fp);
        if (scored) {
            fmt_number(w, sizeof w, e->weight);
            fprintf(fp, "\t%s", w);
        }
        putc('\n', fp);
    }
    lf_buf_free(&b);
}

/* ---- XML: Yoshikoder .ykd and the REFI-QDA codebook ---- */

static void write_ykd_theme(FILE *fp, const lf_lexicon *lex, const tree *tr, uint32_t ti,
                            lf_buf *b)
{
    const lf_theme *t = &lex->themes[ti];
    char *name = theme_name(t, false);
    for (uint32_t d = 0; d < t->depth; d++)
        putc('\t', fp);
    fputs("<cnode name=\"", fp);
    put_xml(fp, name);
    fputs("\" desc=\"", fp);
    put_xml(fp, t->description ? t->description : "");
    fputs("\">\n", fp);
    free(name);
    char w[40];
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        if (e->theme != ti || !foreign_entry(e))
            continue;
        entry_pattern(b, e, ' ');
        for (uint32_t d = 0; d <= t->depth; d++)
            putc('\t', fp);
        fputs("<pnode name=\"", fp);
        put_xml(fp, b->data);
        putc('"', fp);
        if (e->has_weight) {
            fmt_number(w, sizeof w, e->weight);
            fprintf(fp, " score=\"%s\"", w);
        }
        fputs("/>\n", fp);
    }
    for (size_t k = 0; k < tr->order.n; k++)
        if (lex->themes[tr->order.v[k]].parent == (int32_t)ti)
            write_ykd_theme(fp, lex, tr, tr->order.v[k], b);
    for (uint32_t d = 0; d < t->depth; d++)
        putc('\t', fp);
    fputs("</cnode>\n", fp);
}

static void write_ykd(FILE *fp, const lf_lexicon *lex)
{
    tree tr;
    tree_build(&tr, lex);
    lf_buf b = {0};
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<dictionary style=\"050805\" patternengine=\"substring\">\n",
          fp);
    for (size_t k = 0; k < tr.order.n; k++)
        if (lex->themes[tr.order.v[k]].parent < 0)
            write_ykd_theme(fp, lex, &tr, tr.order.v[k], &b);
    fputs("</dictionary>\n", fp);
    lf_buf_free(&b);
    tree_free(&tr);
}

/* A stable GUID for a theme: SHA-256 of its id, shaped as a version-5-style UUID. */
static void theme_guid(const char *id, char out[37])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, 9, (const uint8_t *)"lexframe:");
    sha256_update(&ctx, strlen(id), (const uint8_t *)id);
    sha256_digest(&ctx, sizeof d, d);
    d[6] = (uint8_t)((d[6] & 0x0F) | 0x50);
    d[8] = (uint8_t)((d[8] & 0x3F) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[d[i] >> 4];
        out[o++] = hex[d[i] & 15];
    }
    out[o] = '\0';
}

static void write_qdc_theme(FILE *fp, const lf_lexicon *lex, const tree *tr, uint32_t ti)
{
    const lf_theme *t = &lex->themes[ti];
    char guid[37];
    theme_guid(t->id, guid);
    for (uint32_t d = 0; d <= t->depth; d++)
        putc(' ', fp);
    fprintf(fp, "<Code guid=\"%s\" name=\"", guid);
    put_xml(fp, t->label);
    fputs("\" isCodable=\"true\"", fp);
    if (t->colour)
        fprintf(fp, " color=\"%s\"", t->colour);
    fputs(">\n", fp);
    for (uint32_t d = 0; d <= t->depth + 1; d++)
        putc(' ', fp);
    fputs("<Description>", fp);
    put_xml(fp, t->id);
    if (t->description && *t->description) {
        fputs(": ", fp);
        put_xml(fp, t->description);
    }
    fputs("</Description>\n", fp);
    for (size_t k = 0; k < tr->order.n; k++)
        if (lex->themes[tr->order.v[k]].parent == (int32_t)ti)
            write_qdc_theme(fp, lex, tr, tr->order.v[k]);
    for (uint32_t d = 0; d <= t->depth; d++)
        putc(' ', fp);
    fputs("</Code>\n", fp);
}

static void write_qdc(FILE *fp, const lf_lexicon *lex)
{
    tree tr;
    tree_build(&tr, lex);
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"lexframe %s\">\n"
                " <Codes>\n",
            lf_version());
    for (size_t k = 0; k < tr.order.n; k++)
        if (lex->themes[tr.order.v[k]].parent < 0)
            write_qdc_theme(fp, lex, &tr, tr.order.v[k]);
    fputs(" </Codes>\n</CodeBook>\n", fp);
    tree_free(&tr);
}

/* ---- quanteda YAML (libyaml's emitter quotes whatever needs quoting) ---- */

static int yaml_to_file(void *ctx, unsigned char *buf, size_t n)
{
    return fwrite(buf, 1, n, ctx) == n;
}

static void y_scalar(yaml_emitter_t *em, const char *s)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                 YAML_ANY_SCALAR_STYLE);
    yaml_emitter_emit(em, &ev);
}

static void y_entries(yaml_emitter_t *em, const lf_lexicon *lex, uint32_t ti, lf_buf *b)
{
    yaml_event_t ev;
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE);
    yaml_emitter_emit(em, &ev);
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        if (e->theme != ti || !foreign_entry(e))
            continue;
        entry_pattern(b, e, ' ');
        y_scalar(em, b->data);
    }
    yaml_sequence_end_event_initialize(&ev);
    yaml_emitter_emit(em, &ev);
}

static void y_level(yaml_emitter_t *em, const lf_lexicon *lex, const tree *tr, int32_t parent,
                    lf_buf *b)
{
    yaml_event_t ev;
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    yaml_emitter_emit(em, &ev);
    if (parent >= 0 && tr->n_entries[parent]) {
        y_scalar(em, ""); /* the '' key: entries of the category around it */
        y_entries(em, lex, (uint32_t)parent, b);
    }
    for (size_t k = 0; k < tr->order.n; k++) {
        uint32_t ti = tr->order.v[k];
        if (lex->themes[ti].parent != parent)
            continue;
        char *name = theme_name(&lex->themes[ti], false);
        y_scalar(em, name);
        free(name);
        bool kids = false;
        for (size_t j = 0; j < tr->order.n && !kids; j++)
            kids = lex->themes[tr->order.v[j]].parent == (int32_t)ti;
        if (kids)
            y_level(em, lex, tr, (int32_t)ti, b);
        else
            y_entries(em, lex, ti, b);
    }
    yaml_mapping_end_event_initialize(&ev);
    yaml_emitter_emit(em, &ev);
}

static int write_yaml(FILE *fp, const lf_lexicon *lex)
{
    tree tr;
    tree_build(&tr, lex);
    lf_buf b = {0};
    yaml_emitter_t em;
    yaml_event_t ev;
    if (!yaml_emitter_initialize(&em))
        lf_oom();
    yaml_emitter_set_output(&em, yaml_to_file, fp);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    yaml_emitter_emit(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    yaml_emitter_emit(&em, &ev);
    y_level(&em, lex, &tr, -1, &b);
    yaml_document_end_event_initialize(&ev, 1);
    yaml_emitter_emit(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    yaml_emitter_emit(&em, &ev);
    int rc = em.error == YAML_NO_ERROR ? 0 : -1;
    yaml_emitter_delete(&em);
    lf_buf_free(&b);
    tree_free(&tr);
    return rc;
}

int lf_lexicon_write_fp(FILE *fp, const lf_lexicon *lex, lf_lexicon_format fmt)
{
    int rc = 0;
    switch (fmt) {
    case LF_FMT_NATIVE: write_native(fp, lex); break;
    case LF_FMT_LIWC: write_liwc(fp, lex); break;
    case LF_FMT_DICX: write_dicx(fp, lex); break;
    case LF_FMT_LC3: write_lc3(fp, lex); break;
    case LF_FMT_YKD: write_ykd(fp, lex); break;
    case LF_FMT_CAT: write_cat(fp, lex); break;
    case LF_FMT_YAML: rc = write_yaml(fp, lex); break;
    case LF_FMT_WORDLIST: write_list(fp, lex, false); break;
    case LF_FMT_SCORED: write_list(fp, lex, true); break;
    case LF_FMT_QDC: write_qdc(fp, lex); break;
    default: return -1;
    }
    return rc != 0 || ferror(fp) ? -1 : 0;
}

lf_status lf_lexicon_convert(const lf_lexicon *lex, const char *path, const char *format,
                             bool lossy, FILE *notes, lf_error *err)
{
    int fmt = format ? lf_format_by_name(format) : lf_format_by_path(path);
    if (fmt < 0 || !lf_format_table()[fmt].written) {
        if (format && fmt < 0)
            lf_error_set(err, LF_ERR_USAGE, "'%s' is not a lexicon format (known: %s)", format,
                         lf_lexicon_format_names());
        else if (fmt >= 0)
            lf_error_set(err, LF_ERR_USAGE, "%s: the %s format can be read but not written",
                         path, lf_format_table()[fmt].name);
        else
            lf_error_set(err, LF_ERR_USAGE,
                         "%s: cannot tell the format from the extension (known: %s)", path,
                         lf_format_written_extensions());
        return LF_ERR_USAGE;
    }
    const lf_format_info *fi = &lf_format_table()[fmt];
    lf_buf losses = {0};
    size_t kinds = lf_lexicon_losses(lex, (lf_lexicon_format)fmt, &losses);
    bool export_only = !fi->read; /* the codebook: an export, never read back */
    if (kinds && notes) {
        const char *prefix = lossy || export_only ? "not written" : "cannot hold";
        for (const char *l = losses.data; l && *l;) {
            const char *nl = strchr(l, '\n');
            fprintf(notes, "%s: %s %.*s\n", path, prefix, (int)(nl - l), l);
            l = nl + 1;
        }
    }
    lf_buf_free(&losses);
    if (kinds && !lossy && !export_only) {
        lf_error_set(err, LF_ERR_LEXICON,
                     "%s: a %s cannot hold %zu kind%s of content of this lexicon (listed "
                     "above); give --lossy to convert without %s",
                     path, fi->title, kinds, kinds == 1 ? "" : "s", kinds == 1 ? "it" : "them");
        return LF_ERR_LEXICON;
    }
    lf_outfile of;
    lf_status st = lf_outfile_open_path(&of, path, err);
    if (st != LF_OK)
        return st;
    errno = 0;
    if (lf_lexicon_write_fp(of.fp, lex, (lf_lexicon_format)fmt) != 0) {
        /* the reason: a failed write's errno, or the one flushing what is buffered gives */
        int e = errno;
        if (fflush(of.fp) != 0)
            e = errno;
        lf_error_set(err, LF_ERR_IO, "%s: write error: %s", path, strerror(e ? e : EIO));
        lf_outfile_abort(&of);
        return LF_ERR_IO;
    }
    return lf_outfile_commit(&of, err);
}
