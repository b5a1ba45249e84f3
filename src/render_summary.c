/* render_summary.c — summary.md: the main findings of a report run in plain sentences with
 * their figures: corpus size, themes ranked by matches, who uses the leading themes most
 * and through which entries, the themes that travel together, what was not counted, and
 * which inputs failed. Built only from the result tables; no timestamps, fixed orders. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

/* Speakers with fewer words are not ranked: a rate over a few words means nothing. */
#define SUMMARY_MIN_WORDS 50
/* How many themes get a speaker and entry paragraph, entries per theme, pairs per scope. */
#define SUMMARY_TOP_THEMES 5
#define SUMMARY_TOP_ENTRIES 5
#define SUMMARY_TOP_PAIRS 5
/* Pairs must share at least this many units to be reported. */
#define SUMMARY_MIN_JOINT 2

/* ---- text helpers ---- */

/* Integer with thousands separators ("1,650"), independent of the locale. */
static const char *fmt_count(char buf[32], uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* "1 match", "2 matches", "1,650 words". */
static void put_count(FILE *fp, uint64_t v, const char *one, const char *many)
{
    char buf[32];
    fprintf(fp, "%s %s", fmt_count(buf, v), v == 1 ? one : many);
}

/* A figure for prose: two decimals at most ("4.24", "0.5", "12"). */
static void put_figure(FILE *fp, double x)
{
    char buf[64];
    lf_fmt_double(buf, sizeof buf, isfinite(x) ? round(x * 100.0) / 100.0 : x);
    fputs(buf, fp);
}

/* Text from data (names, labels, messages) with Markdown's inline punctuation escaped;
 * CR/LF become spaces so a value can never start a heading or list item. */
static void put_md(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\n' || *s == '\r') {
            putc(' ', fp);
            continue;
        }
        if (strchr("\\`*_[]<>!#|~&", *s))
            putc('\\', fp);
        putc(*s, fp);
    }
}

/* A code span long enough to hold any backticks inside s. */
static void put_code(FILE *fp, const char *s)
{
    size_t longest = 0, run = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    bool pad = s[0] == '`' || (*s && s[strlen(s) - 1] == '`');
    for (size_t i = 0; i <= longest; i++)
        putc('`', fp);
    if (pad)
        putc(' ', fp);
    for (const char *p = s; *p; p++)
        putc(*p == '\n' || *p == '\r' ? ' ' : *p, fp);
    if (pad)
        putc(' ', fp);
    for (size_t i = 0; i <= longest; i++)
        putc('`', fp);
}

static const char *label_of(const lf_theme *th)
{
    return th->label && *th->label ? th->label : th->id;
}

static void put_theme(FILE *fp, const lf_lexicon *lex, uint32_t theme)
{
    putc('*', fp);
    put_md(fp, label_of(&lex->themes[theme]));
    putc('*', fp);
}

/* ---- sections ---- */

static void section_corpus(FILE *fp, const lf_tables *t, const lf_report_info *info)
{
    const lf_corpus_stats *s = lf_tables_stats(t);
    size_t speakers = lf_tables_group_count(t, LF_GROUP_SPEAKER);
    if (lf_tables_group_totals(t, LF_GROUP_SPEAKER, LF_UNATTRIBUTED, NULL))
        speakers--;
    fputs("# lexframe summary\n\n", fp);
    if (info) {
        fprintf(fp, "Produced by lexframe %s from ", info->version ? info->version : lf_version());
        put_count(fp, info->n_inputs, "input file", "input files");
        fputs(" and ", fp);
        put_count(fp, info->n_lexicon_files, "lexicon file", "lexicon files");
        fputs(".\n\n", fp);
    }
    fputs("## Corpus\n\nThe corpus has ", fp);
    put_count(fp, s->docs, "document", "documents");
    fputs(" with ", fp);
    put_count(fp, s->turns, "turn", "turns");
    fputs(" by ", fp);
    put_count(fp, speakers, "speaker", "speakers");
    fputs(": ", fp);
    put_count(fp, s->words, "word", "words");
    fputs(" in ", fp);
    put_count(fp, s->sentences, "sentence", "sentences");
    fputs(".", fp);
    if (s->unattributed_turns) {
        fputs(" ", fp);
        put_count(fp, s->unattributed_turns, "turn is", "turns are");
        fputs(" text before the first speaker label (unattributed).", fp);
    }
    if (s->gap_turns) {
        fputs(" ", fp);
        put_count(fp, s->gap_turns, "turn stands", "turns stand");
        fputs(" for talk missing from the source.", fp);
    }
    fputs(" ", fp);
    if (s->stripped) {
        put_count(fp, s->stripped, "stage direction or time stamp was",
                  "stage directions and time stamps were");
        fputs(" removed before counting.\n\n", fp);
    } else {
        fputs("No stage directions or time stamps were removed.\n\n", fp);
    }
}

static int theme_rank_cmp(const void *pa, const void *pb)
{
    const lf_freq_row *a = *(const lf_freq_row *const *)pa, *b = *(const lf_freq_row *const *)pb;
    if (a->c.matches != b->c.matches)
        return a->c.matches > b->c.matches ? -1 : 1;
    return a->theme < b->theme ? -1 : a->theme > b->theme;
}

/* Returns the corpus rows of themes with matches, ranked; *n_ranked is their count. */
static const lf_freq_row **section_themes(FILE *fp, const lf_lexicon *lex,
                                          const lf_freq_row *rows, size_t n_rows,
                                          size_t *n_ranked)
{
    const lf_freq_row **ranked = lf_xcalloc(lex->n_themes, sizeof *ranked);
    size_t n = 0;
    /* Corpus rows come first, one per theme. */
    for (size_t i = 0; i < n_rows && rows[i].kind == LF_GROUP_CORPUS; i++)
        if (rows[i].c.matches > 0)
            ranked[n++] = &rows[i];
    qsort((void *)ranked, n, sizeof *ranked, theme_rank_cmp);
    *n_ranked = n;

    fputs("## Themes\n\n", fp);
    if (lex->n_themes == 0) {
        fputs("The lexicon has no themes.\n\n", fp);
        return ranked;
    }
    if (n == 0) {
        fputs("No theme matched anywhere in the corpus.\n\n", fp);
        return ranked;
    }
    fputs("Themes ranked by counted matches, with their rate per 1,000 words of the whole "
          "corpus:\n\n",
          fp);
    for (size_t i = 0; i < n; i++) {
        const lf_freq_row *r = ranked[i];
        fprintf(fp, "%zu. ", i + 1);
        put_theme(fp, lex, r->theme);
        fputs(" (", fp);
        put_code(fp, lex->themes[r->theme].id);
        fputs("): ", fp);
        put_count(fp, r->c.matches, "match", "matches");
        fputs(", ", fp);
        put_figure(fp, lf_rate_per_1000(r->c.matches, r->t.words));
        fputs(" per 1,000 words.\n", fp);
    }
    /* Declared themes without matches; implicit parents only group others. */
    size_t silent = 0;
    for (size_t i = 0; i < n_rows && rows[i].kind == LF_GROUP_CORPUS; i++) {
        const lf_theme *th = &lex->themes[rows[i].theme];
        if (rows[i].c.matches > 0 || th->implicit)
            continue;
        fputs(silent++ ? ", " : "\nNo matches for: ", fp);
        put_theme(fp, lex, rows[i].theme);
    }
    fputs(silent ? ".\n\n" : "\n", fp);
    return ranked;
}

static void theme_paragraph(FILE *fp, const lf_lexicon *lex, const lf_freq_row *rows,
                            size_t n_rows, const lf_entry_row *entries, size_t n_entries,
                            uint32_t theme)
{
    fputs("### ", fp);
    put_md(fp, label_of(&lex->themes[theme]));
    fputs("\n\n", fp);
    /* The speaker with the highest rate; ties go to more matches, then name order. */
    const lf_freq_row *best = NULL;
    double best_rate = 0.0;
    for (size_t i = 0; i < n_rows; i++) {
        const lf_freq_row *r = &rows[i];
        if (r->kind != LF_GROUP_SPEAKER || r->theme != theme || r->c.matches == 0 ||
            r->t.words < SUMMARY_MIN_WORDS || strcmp(r->group, LF_UNATTRIBUTED) == 0)
            continue;
        double rate = lf_rate_per_1000(r->c.matches, r->t.words);
        if (!best || rate > best_rate || (rate == best_rate && r->c.matches > best->c.matches)) {
            best = r;
            best_rate = rate;
        }
    }
    if (best) {
        fputs("**", fp);
        put_md(fp, best->group);
        fputs("** uses ", fp);
        put_theme(fp, lex, theme);
        fputs(" most: ", fp);
        put_figure(fp, best_rate);
        fputs(" per 1,000 words (", fp);
        put_count(fp, best->c.matches, "match", "matches");
        fputs(" in ", fp);
        put_count(fp, best->t.words, "word", "words");
        fputs(").", fp);
    } else {
        fprintf(fp, "No speaker with at least %d words uses ", SUMMARY_MIN_WORDS);
        put_theme(fp, lex, theme);
        fputs(".", fp);
    }
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < n_entries; i++)
        total += entries[i].theme == theme;
    for (size_t i = 0; i < n_entries && shown < SUMMARY_TOP_ENTRIES; i++) {
        if (entries[i].theme != theme)
            continue;
        const lf_entry *e = &lex->entries[entries[i].entry];
        size_t last = total < SUMMARY_TOP_ENTRIES ? total : SUMMARY_TOP_ENTRIES;
        if (shown == 0)
            fputs(last == 1 ? " Its only matching entry is " : " Its most frequent entries are ", fp);
        else
            fputs(shown + 1 == last ? " and " : ", ", fp);
        put_code(fp, e->source ? e->source : "");
        fputs(" (", fp);
        put_count(fp, entries[i].matches, "match", "matches");
        fputs(")", fp);
        shown++;
    }
    fputs(shown ? ".\n\n" : "\n\n", fp);
}

typedef struct ranked_pair {
    const lf_cooc_row *row;
    double npmi;
} ranked_pair;

static int pair_rank_cmp(const void *pa, const void *pb)
{
    const ranked_pair *a = pa, *b = pb;
    if (a->npmi != b->npmi)
        return a->npmi > b->npmi ? -1 : 1;
    if (a->row->joint != b->row->joint)
        return a->row->joint > b->row->joint ? -1 : 1;
    if (a->row->a != b->row->a)
        return a->row->a < b->row->a ? -1 : 1;
    return a->row->b < b->row->b ? -1 : a->row->b > b->row->b;
}

static void section_cooc(FILE *fp, const lf_tables *t, const lf_lexicon *lex)
{
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows);
    ranked_pair *pairs = lf_xcalloc(n, sizeof *pairs);
    fputs("## Themes that travel together\n\n", fp);
    fprintf(fp,
            "Pairs of themes ranked by NPMI (normalized pointwise mutual information: 1 "
            "when two themes always occur together, 0 when they are independent, -1 when "
            "they never meet), among pairs that share at least %d units.\n\n",
            SUMMARY_MIN_JOINT);
    static const char *const unit_names[LF_SCOPE_COUNT][2] = {
        [LF_SCOPE_SENTENCE] = {"sentence", "sentences"},
        [LF_SCOPE_TURN] = {"turn", "turns"},
    };
    for (int s = 0; s < LF_SCOPE_COUNT; s++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (rows[i].scope == (lf_scope)s && rows[i].joint >= SUMMARY_MIN_JOINT)
                pairs[k++] = (ranked_pair){&rows[i], lf_cooc_npmi(rows[i].joint, rows[i].count_a,
                                                                  rows[i].count_b, rows[i].units)};
        qsort(pairs, k, sizeof *pairs, pair_rank_cmp);
        const char *one = unit_names[s][0], *many = unit_names[s][1];
        if (k == 0) {
            fprintf(fp, "No two themes share at least %d %s.\n\n", SUMMARY_MIN_JOINT, many);
            continue;
        }
        fprintf(fp, "Within %s:\n\n", many);
        for (size_t i = 0; i < k && i < SUMMARY_TOP_PAIRS; i++) {
            const lf_cooc_row *r = pairs[i].row;
            char units[32];
            fputs("- ", fp);
            put_theme(fp, lex, r->a);
            fputs(" and ", fp);
            put_theme(fp, lex, r->b);
            fprintf(fp, " share %s of ", fmt_count(units, r->joint));
            put_count(fp, r->units, one, many);
            fputs(" (NPMI ", fp);
            put_figure(fp, pairs[i].npmi);
            fputs("; ", fp);
            put_figure(fp, lf_cooc_expected(r->count_a, r->count_b, r->units));
            fputs(" expected by chance).\n", fp);
        }
        fputs("\n", fp);
    }
    free(pairs);
    free(rows);
}

static void section_not_counted(FILE *fp, const lf_tables *t)
{
    const lf_corpus_stats *s = lf_tables_stats(t);
    uint64_t suppressed = s->suppressed_overlap + s->suppressed_excluded + s->suppressed_negated;
    fputs("## Matches not counted\n\n", fp);
    if (suppressed == 0) {
        fputs("No match was suppressed.", fp);
    } else {
        put_count(fp, suppressed, "match was", "matches were");
        fputs(" suppressed: ", fp);
        put_count(fp, s->suppressed_overlap, "match", "matches");
        fputs(" inside a longer match, ", fp);
        put_count(fp, s->suppressed_excluded, "match", "matches");
        fputs(" cancelled by an exclusion, and ", fp);
        put_count(fp, s->suppressed_negated, "negated match", "negated matches");
        fputs(" in themes that ignore negated matches.", fp);
    }
    fputs(" ", fp);
    if (s->negated) {
        put_count(fp, s->negated, "match was", "matches were");
        fputs(" negated in all; each theme's negation policy decides whether they count.\n\n",
              fp);
    } else {
        fputs("No match was negated.\n\n", fp);
    }
}

static void section_failed(FILE *fp, const lf_report_info *info)
{
    if (!info)
        return;
    fputs("## Inputs\n\n", fp);
    if (info->n_failed == 0) {
        fputs("Every input was processed.\n", fp);
        return;
    }
    put_count(fp, info->n_failed, "input", "inputs");
    fputs(info->n_failed == 1 ? " failed and is" : " failed and are", fp);
    fputs(" not in the figures above:\n\n", fp);
    for (size_t i = 0; i < info->n_failed; i++) {
        fputs("- ", fp);
        put_md(fp, info->failed[i]);
        fputs("\n", fp);
    }
}

int lf_render_summary_md(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                         const lf_report_info *info)
{
    lf_freq_row *rows;
    size_t n_rows = lf_tables_freq(t, &rows);
    lf_entry_row *entries;
    size_t n_entries = lf_tables_entries(t, &entries);

    section_corpus(fp, t, info);
    size_t n_ranked;
    const lf_freq_row **ranked = section_themes(fp, lex, rows, n_rows, &n_ranked);
    if (n_ranked > 0) {
        fputs("## Who uses the leading themes most\n\n", fp);
        if (n_ranked <= SUMMARY_TOP_THEMES)
            fputs("For each theme with matches", fp);
        else
            fprintf(fp, "For each of the %d most frequent themes", SUMMARY_TOP_THEMES);
        fprintf(fp,
                ", the speaker with the highest rate per 1,000 words (only speakers with at "
                "least %d words are compared; unattributed text is left out) and the entries "
                "that matched most.\n\n",
                SUMMARY_MIN_WORDS);
        for (size_t i = 0; i < n_ranked && i < SUMMARY_TOP_THEMES; i++)
            theme_paragraph(fp, lex, rows, n_rows, entries, n_entries, ranked[i]->theme);
    }
    section_cooc(fp, t, lex);
    section_not_counted(fp, t);
    section_failed(fp, info);
    free((void *)ranked);
    free(entries);
    free(rows);
    return ferror(fp) ? -1 : 0;
}
