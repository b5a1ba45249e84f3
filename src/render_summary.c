/* render_summary.c — summary.md and the Markdown framing comparison: the main findings in
 * plain sentences with their figures: corpus size, themes ranked by matches (and weighted
 * score), who uses the leading themes most (ranked by the lower end of the rate's 95%
 * interval) and through which entries and words, which groups lean on which frames (rate
 * ratio with CI, G², adjusted p), trends by period, the themes that travel together in
 * each scope, what was not counted, groups left out, and which inputs failed. Built only
 * from the result tables; no timestamps, fixed orders. */
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
/* Framing differences: the adjusted p below which a difference is reported, and how many
 * themes per group; themes in the trend paragraph. */
#define SUMMARY_ALPHA 0.05
#define SUMMARY_FINDINGS_PER_GROUP 3
#define SUMMARY_FINDINGS_PER_GROUPING 25
#define SUMMARY_TREND_THEMES 5

/* ---- text helpers ---- */

/* "1 match", "2 matches", "1,650 words". */
static void put_count(FILE *fp, uint64_t v, const char *one, const char *many)
{
    char buf[32];
    fprintf(fp, "%s %s", lf_fmt_u64(buf, v), v == 1 ? one : many);
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
    size_t speakers = lf_tables_speaker_count(t);
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
    if (s->excluded_turns) {
        fputs(" ", fp);
        put_count(fp, s->excluded_turns, "turn", "turns");
        fputs(" (", fp);
        put_count(fp, s->excluded_words, "word", "words");
        fputs(") by speakers left out by the speaker filters are not counted.", fp);
    }
    fputs(" ", fp);
    if (s->stripped) {
        /* gap markers are removed by the same patterns and counted with them */
        put_count(fp, s->stripped, "stage direction, time stamp or gap marker was",
                  "stage directions, time stamps and gap markers were");
        fputs(" removed before counting.\n\n", fp);
    } else {
        fputs("No stage directions, time stamps or gap markers were removed.\n\n", fp);
    }
}

/* Returns the corpus rows of themes with matches, ranked; *n_ranked is their count. */
static const lf_freq_row **section_themes(FILE *fp, const lf_lexicon *lex,
                                          const lf_freq_row *rows, size_t n_rows,
                                          size_t *n_ranked)
{
    const lf_freq_row **ranked = lf_xcalloc(lex->n_themes, sizeof *ranked);
    size_t n = lf_theme_rank(rows, n_rows, ranked);
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
        fputs(" per 1,000 words", fp);
        if (r->c.weight != (double)r->c.matches) {
            /* weighted entries (AFINN-style scores): the score beside the count */
            fputs("; weighted score ", fp);
            put_figure(fp, r->c.weight);
            fputs(", ", fp);
            put_figure(fp, lf_weight_per_1000(r->c.weight, r->t.words));
            fputs(" per 1,000 words", fp);
        }
        fputs(".\n", fp);
    }
    /* Declared themes without matches, as report.html lists them: a family theme (implicit,
       or declared without entries of its own) only groups others. */
    size_t silent = 0;
    bool *own = lf_themes_with_entries(lex);
    for (size_t i = 0; i < n_rows && rows[i].dim == 0; i++) {
        const lf_theme *th = &lex->themes[rows[i].theme];
        if (rows[i].c.matches > 0 || th->implicit || !own[rows[i].theme])
            continue;
        fputs(silent++ ? ", " : "\nNo matches for: ", fp);
        put_theme(fp, lex, rows[i].theme);
    }
    free(own);
    fputs(silent ? ".\n\n" : "\n", fp);
    return ranked;
}

/* " The words it matched most are `a` (3 matches) and `b` (1 match)." from the corpus's
 * form rows of the theme (sorted by matches). */
static void put_forms(FILE *fp, const lf_term_row *terms, size_t n_terms, uint32_t theme)
{
    size_t total = 0, shown = 0;
    for (size_t i = 0; i < n_terms && terms[i].dim == 0; i++)
        total += terms[i].is_form && terms[i].theme == theme;
    size_t last = total < SUMMARY_TOP_ENTRIES ? total : SUMMARY_TOP_ENTRIES;
    for (size_t i = 0; i < n_terms && terms[i].dim == 0 && shown < last; i++) {
        if (!terms[i].is_form || terms[i].theme != theme)
            continue;
        if (shown == 0)
            fputs(last == 1 ? " The only word it matched is " : " The words it matched most are ",
                  fp);
        else
            fputs(shown + 1 == last ? " and " : ", ", fp);
        put_code(fp, terms[i].form);
        fputs(" (", fp);
        put_count(fp, terms[i].matches, "match", "matches");
        fputs(")", fp);
        shown++;
    }
    if (shown)
        fputs(".", fp);
}

static void theme_paragraph(FILE *fp, const lf_lexicon *lex, const lf_freq_row *rows,
                            size_t n_rows, const lf_entry_row *entries, size_t n_entries,
                            const lf_term_row *terms, size_t n_terms, uint32_t theme)
{
    fputs("### ", fp);
    put_md(fp, label_of(&lex->themes[theme]));
    fputs("\n\n", fp);
    /* The speaker whose rate is highest at the lower end of its 95% interval, so that two
       matches in a hundred words do not outrank fifty in ten thousand; ties go to the
       higher rate, then more matches, then name order. */
    const lf_freq_row *best = NULL;
    double best_low = 0.0, best_rate = 0.0;
    for (size_t i = 0; i < n_rows; i++) {
        const lf_freq_row *r = &rows[i];
        if (r->kind != LF_GROUP_SPEAKER || r->theme != theme || r->c.matches == 0 ||
            r->t.words < SUMMARY_MIN_WORDS || strcmp(r->group, LF_UNATTRIBUTED) == 0)
            continue;
        double rate = lf_rate_per_1000(r->c.matches, r->t.words);
        double low = 1000.0 * lf_poisson_lower95(r->c.matches) / (double)r->t.words;
        if (!best || low > best_low || (low == best_low && rate > best_rate) ||
            (low == best_low && rate == best_rate && r->c.matches > best->c.matches)) {
            best = r;
            best_low = low;
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
        fputs("; at least ", fp);
        put_figure(fp, best_low);
        fputs(" with 95% confidence).", fp);
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
            fputs(last == 1 ? " In the whole corpus, its only matching entry is "
                              : " In the whole corpus, its most frequent entries are ", fp);
        else
            fputs(shown + 1 == last ? " and " : ", ", fp);
        put_code(fp, e->source ? e->source : "");
        fputs(" (", fp);
        put_count(fp, entries[i].matches, "match", "matches");
        fputs(")", fp);
        shown++;
    }
    if (shown)
        fputs(".", fp);
    put_forms(fp, terms, n_terms, theme);
    fputs("\n\n", fp);
}

static void section_cooc(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                         const lf_options *opt)
{
    /* the pairs of cooccurrence.csv (--min-count), and never a single shared unit */
    uint64_t min_joint = opt->min_count > SUMMARY_MIN_JOINT ? opt->min_count : SUMMARY_MIN_JOINT;
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows);
    lf_ranked_pair *pairs = lf_xcalloc(n ? n : 1, sizeof *pairs);
    fputs("## Themes that travel together\n\n", fp);
    fprintf(fp,
            "Pairs of themes ranked by NPMI (normalized pointwise mutual information: 1 "
            "when two themes always occur together, 0 when they are independent, -1 when "
            "they never meet), among pairs that share at least %" PRIu64 " units.\n\n",
            min_joint);
    static const char *const unit_names[LF_SCOPE_COUNT][2] = {
        [LF_SCOPE_SENTENCE] = {"sentence", "sentences"},
        [LF_SCOPE_TURN] = {"turn", "turns"},
        [LF_SCOPE_WINDOW] = {"window", "windows"},
        [LF_SCOPE_ADJACENT] = {"pair of adjacent turns", "pairs of adjacent turns"},
        [LF_SCOPE_DOCUMENT] = {"document", "documents"},
    };
    for (int s = 0; s < LF_SCOPE_COUNT; s++) {
        size_t k = lf_cooc_rank(rows, n, (lf_scope)s, min_joint, pairs);
        const char *one = unit_names[s][0], *many = unit_names[s][1];
        if (k == 0) {
            fprintf(fp, "No two themes share at least %" PRIu64 " %s", min_joint, many);
            if (s == LF_SCOPE_WINDOW)
                fprintf(fp, " of %zu words", lf_tables_window(t));
            fputs(".\n\n", fp);
            continue;
        }
        if (s == LF_SCOPE_ADJACENT)
            fputs("From one speaker's turn to the next turn, by another speaker (the first "
                  "theme in the turn, the second in the reply):\n\n",
                  fp);
        else if (s == LF_SCOPE_WINDOW)
            fprintf(fp, "Within windows of %zu words:\n\n", lf_tables_window(t));
        else
            fprintf(fp, "Within %s:\n\n", many);
        for (size_t i = 0; i < k && i < SUMMARY_TOP_PAIRS; i++) {
            const lf_cooc_row *r = pairs[i].row;
            char units[32];
            fputs("- ", fp);
            put_theme(fp, lex, r->a);
            fputs(s == LF_SCOPE_ADJACENT ? " answered by " : " and ", fp);
            put_theme(fp, lex, r->b);
            fprintf(fp, s == LF_SCOPE_ADJACENT ? ": %s of " : " share %s of ",
                    lf_fmt_u64(units, r->joint));
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

/* ---- framing differences ---- */

/* Groups that stand for a missing value, not for someone who frames anything. */
static bool placeholder_group(const char *g)
{
    return strcmp(g, LF_UNATTRIBUTED) == 0 || strcmp(g, LF_GROUP_NONE) == 0 ||
           strcmp(g, LF_GROUP_UNDATED) == 0;
}

/* "p < 0.001" or "p = 0.012". */
static void put_p(FILE *fp, double p)
{
    if (p < 0.001) {
        fputs("p < 0.001", fp);
        return;
    }
    char buf[64];
    lf_fmt_double(buf, sizeof buf, round(p * 1000.0) / 1000.0);
    fprintf(fp, "p = %s", buf);
}

/* The grouping's noun for prose: "speaker", "party", "period", "meta:venue". */
static const char *dim_noun(const lf_tables *t, uint32_t dim)
{
    return lf_tables_dim_name(t, dim);
}

/* Whether the groups of a kind are people, who use a theme (a speaker, a party, a role),
 * rather than places where it is used (a period, a document, a metadata value). */
static bool kind_speaks(lf_group_kind k)
{
    return k == LF_GROUP_SPEAKER || k == LF_GROUP_PARTY || k == LF_GROUP_ROLE ||
           k == LF_GROUP_CORPUS;
}

static void put_group_name(FILE *fp, const char *g)
{
    fputs("**", fp);
    put_md(fp, g);
    fputs("**", fp);
}

/* One finding: "**X** uses *T* 3.1 times as often as the rest of the corpus per 1,000
 * words (9.2 vs 2.97; 95% CI 1.8–5.4; G² = 12.3, adjusted p < 0.001)." Groups that are
 * not people (a period, a document, a metadata value) do not use anything: "In **2021-01**,
 * *T* is used 3.1 times as often as in the rest of the corpus …". When `flip`, the row's
 * reference is the subject (a theme the target uses less often than its reference
 * group). */
static void put_finding(FILE *fp, const lf_lexicon *lex, const lf_compare_row *r, bool flip)
{
    const char *subject = flip ? r->reference : r->group;
    const char *other = flip ? r->group : r->reference;
    double ratio = flip ? 1.0 / r->s.rate_ratio : r->s.rate_ratio;
    double lo = flip ? 1.0 / r->s.ci_high : r->s.ci_low;
    double hi = flip ? 1.0 / r->s.ci_low : r->s.ci_high;
    double rs = flip ? r->s.rate_reference : r->s.rate_target;
    double ro = flip ? r->s.rate_target : r->s.rate_reference;
    bool speaks = kind_speaks(r->kind);
    fputs("- ", fp);
    if (speaks) {
        put_group_name(fp, subject);
        fputs(" uses ", fp);
        put_theme(fp, lex, r->theme);
    } else {
        fputs("In ", fp);
        put_group_name(fp, subject);
        fputs(", ", fp);
        put_theme(fp, lex, r->theme);
        fputs(" is used", fp);
    }
    fputs(" ", fp);
    put_figure(fp, ratio);
    fputs(speaks ? " times as often as " : " times as often as in ", fp);
    if (strcmp(other, LF_REFERENCE_REST) == 0)
        fputs("the rest of the corpus", fp);
    else
        put_group_name(fp, other);
    fputs(" per 1,000 words (", fp);
    put_figure(fp, rs);
    fputs(" vs ", fp);
    put_figure(fp, ro);
    fputs("; 95% CI ", fp);
    put_figure(fp, lo);
    fputs("\xE2\x80\x93", fp); /* en dash */
    put_figure(fp, hi);
    fputs("; G\xC2\xB2 = ", fp);
    put_figure(fp, fabs(r->s.g2));
    fputs(", adjusted ", fp);
    put_p(fp, r->p_adjusted);
    if (r->s.corrected)
        fputs("; 0.5 added to every cell for a zero count", fp);
    fputs(").\n", fp);
}

/* A difference worth a sentence: an adjusted p below the threshold and a 95% interval
 * that excludes 1 (the likelihood-ratio test and the interval can disagree near the
 * edge, most often when a zero count was corrected; then nothing is claimed). Over-use
 * against the rest; either direction against a named reference. */
static bool is_finding(const lf_compare_row *r, bool both_ways)
{
    if (!r->s.tested || !(r->p_adjusted < SUMMARY_ALPHA))
        return false;
    return r->s.ci_low > 1.0 || (both_ways && r->s.ci_high < 1.0);
}

/* The method paragraph shared by the summary and the comparison. */
static void put_method(FILE *fp, const lf_options *opt, bool rest)
{
    fprintf(fp,
            "Each group is compared with %s, theme by theme: the rate ratio (matches per "
            "1,000 words in the group over the same rate in the %s) with its 95%% "
            "confidence interval, and the log-likelihood G\xC2\xB2 with its p-value, adjusted "
            "for the number of themes compared for each group by the %s method. Reported: "
            "differences with an adjusted p below %s and an interval that excludes 1",
            rest ? "the rest of the corpus" : "the reference group",
            rest ? "rest" : "reference", lf_adjust_label(opt->adjust), "0.05");
}

static void section_differences(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                                const lf_report_info *info, const lf_options *opt)
{
    lf_compare_row *own = NULL;
    const lf_compare_row *rows;
    size_t n;
    lf_error err;
    fputs("## Framing differences\n\n", fp);
    lf_options o = *opt;
    o.target = o.reference = NULL; /* the summary always compares with the rest */
    o.compare_documents = false;
    if (info && info->compare && !opt->target && !opt->reference && !opt->compare_documents) {
        rows = info->compare; /* the same options: the caller's rows */
        n = info->n_compare;
    } else if (lf_compare_rows(t, &o, &own, &n, &err) == LF_OK) {
        rows = own;
    } else {
        return;
    }
    put_method(fp, &o, true);
    fprintf(fp, ", at most %d themes per group and %d sentences per grouping (the "
                "strongest by G\xC2\xB2); every row is in comparison.csv.\n\n",
            SUMMARY_FINDINGS_PER_GROUP, SUMMARY_FINDINGS_PER_GROUPING);
    for (uint32_t d = 1; d < lf_tables_dim_count(t); d++) {
        if (lf_tables_dim(t, d)->kind == LF_GROUP_DOCUMENT)
            continue; /* documents differ by topic and genre, not by who frames what */
        size_t shown = 0, per_group = 0, real = 0;
        const char *last = NULL;
        fputs("By ", fp);
        put_md(fp, dim_noun(t, d));
        fputs(":\n\n", fp);
        for (size_t i = 0; i < n; i++)
            real += rows[i].dim == d && !placeholder_group(rows[i].group);
        if (real == 0) {
            fputs("No ", fp);
            put_md(fp, dim_noun(t, d));
            fputs(" is recorded in the corpus.\n\n", fp);
            continue;
        }
        /* The candidates (at most a few per group), then the strongest of them by G² when
           a large corpus has too many for a summary; printed in table order. */
        LF_VEC(const lf_compare_row *) cand = {0};
        for (size_t i = 0; i < n; i++) {
            const lf_compare_row *r = &rows[i];
            if (r->dim != d || placeholder_group(r->group) || !is_finding(r, false))
                continue;
            if (!last || strcmp(last, r->group) != 0)
                per_group = 0;
            last = r->group;
            if (per_group++ < SUMMARY_FINDINGS_PER_GROUP)
                LF_VEC_PUSH(cand, r);
        }
        double floor_g2 = -INFINITY;
        if (cand.n > SUMMARY_FINDINGS_PER_GROUPING) {
            double *g = lf_xcalloc(cand.n, sizeof *g);
            for (size_t i = 0; i < cand.n; i++)
                g[i] = cand.v[i]->s.g2;
            qsort(g, cand.n, sizeof *g, lf_cmp_double_desc);
            floor_g2 = g[SUMMARY_FINDINGS_PER_GROUPING - 1];
            free(g);
        }
        for (size_t i = 0; i < cand.n && shown < SUMMARY_FINDINGS_PER_GROUPING; i++)
            if (cand.v[i]->s.g2 >= floor_g2) {
                put_finding(fp, lex, cand.v[i], false);
                shown++;
            }
        if (!shown && kind_speaks(lf_tables_dim_kind(t, d))) {
            fputs("No ", fp);
            put_md(fp, dim_noun(t, d));
            fputs(" uses a theme significantly more often than the rest of the corpus.\n", fp);
        } else if (!shown) {
            fputs("In no ", fp);
            put_md(fp, dim_noun(t, d));
            fputs(" is a theme used significantly more often than in the rest of the "
                  "corpus.\n",
                  fp);
        } else if (cand.n > shown)
            fprintf(fp, "\n%zu more differences of this kind, weaker by G\xC2\xB2, are in "
                        "comparison.csv.\n",
                    cand.n - shown);
        LF_VEC_FREE(cand);
        fputs("\n", fp);
    }
    free(own);
}

/* ---- trends ---- */

static void section_trends(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                           const lf_freq_row *rows, size_t n_rows,
                           const lf_freq_row *const *ranked, size_t n_ranked)
{
    int dim = lf_tables_find_dim(t, LF_GROUP_PERIOD);
    if (dim < 0)
        return;
    const char *grain = lf_period_name(lf_tables_period(t));
    fputs("## Trends\n\n", fp);
    /* The dated periods in order (rows come sorted by group, then theme). */
    LF_VEC(const lf_freq_row *) periods = {0};
    uint64_t undated_words = 0, undated_docs = 0;
    for (size_t i = 0; i < n_rows; i++) {
        const lf_freq_row *r = &rows[i];
        if (r->dim != (uint32_t)dim || (periods.n && periods.v[periods.n - 1]->group == r->group))
            continue;
        if (strcmp(r->group, LF_GROUP_UNDATED) == 0) {
            undated_words = r->t.words;
            undated_docs = r->t.docs;
            continue;
        }
        LF_VEC_PUSH(periods, r);
    }
    if (periods.n < 2) {
        if (periods.n == 0)
            fputs("No document is dated: there is no trend to show.\n\n", fp);
        else {
            fprintf(fp, "Every dated document falls in one %s (", grain);
            put_md(fp, periods.v[0]->group);
            fputs("): there is no trend to show.\n\n", fp);
        }
        LF_VEC_FREE(periods);
        return;
    }
    fprintf(fp, "Rates per 1,000 words by %s for the %s themes (trends.csv has every theme "
                "and %s). Words per %s: ",
            grain, n_ranked < SUMMARY_TREND_THEMES ? "matching" : "five most frequent", grain,
            grain);
    for (size_t p = 0; p < periods.n; p++) {
        if (p)
            fputs("; ", fp);
        put_md(fp, periods.v[p]->group);
        fputs(": ", fp);
        char buf[32];
        fputs(lf_fmt_u64(buf, periods.v[p]->t.words), fp);
    }
    fputs(".", fp);
    if (undated_docs) {
        fputs(" ", fp);
        put_count(fp, undated_docs, "undated document", "undated documents");
        fputs(" (", fp);
        put_count(fp, undated_words, "word", "words");
        fputs(undated_docs == 1 ? ") is not in these figures." : ") are not in these figures.",
              fp);
    }
    fputs("\n\n", fp);
    for (size_t k = 0; k < n_ranked && k < SUMMARY_TREND_THEMES; k++) {
        uint32_t theme = ranked[k]->theme;
        fputs("- ", fp);
        put_theme(fp, lex, theme);
        fputs(": ", fp);
        for (size_t p = 0; p < periods.n; p++) {
            /* The period's block starts at periods.v[p]; themes follow in order. */
            const lf_freq_row *r = periods.v[p];
            while (r->theme != theme)
                r++;
            if (p)
                fputs(", ", fp);
            put_figure(fp, lf_rate_per_1000(r->c.matches, r->t.words));
            fputs(" in ", fp);
            put_md(fp, r->group);
        }
        fputs(".\n", fp);
    }
    fputs("\n", fp);
    LF_VEC_FREE(periods);
}

/* ---- groups left out ---- */

static void put_dropped(FILE *fp, const lf_tables *t, const lf_options *opt)
{
    lf_group_ref *dropped;
    size_t n = lf_dropped_groups(t, opt->min_words, &dropped);
    char buf[32];
    fprintf(fp, "Groups with fewer than %s words are left out of the tables and "
                "comparisons",
            lf_fmt_u64(buf, opt->min_words));
    if (n == 0)
        fputs("; none was that small.\n\n", fp);
    else
        fputs(":\n\n", fp);
    for (size_t i = 0; i < n; i++) {
        fputs("- ", fp);
        put_md(fp, lf_tables_dim_name(t, dropped[i].dim));
        putc(' ', fp);
        put_group_name(fp, dropped[i].group);
        fputs(" (", fp);
        put_count(fp, dropped[i].words, "word", "words");
        fputs(")\n", fp);
    }
    if (n)
        fputs("\n", fp);
    free(dropped);
}

static void section_not_counted(FILE *fp, const lf_tables *t, const lf_lexicon *lex)
{
    const lf_corpus_stats *s = lf_tables_stats(t);
    uint64_t suppressed = lf_stats_suppressed(s);
    fputs("## Matches not counted\n\n", fp);
    if (suppressed == 0) {
        fputs("No match was suppressed.", fp);
    } else {
        put_count(fp, suppressed, "match was", "matches were");
        fputs(" suppressed: ", fp);
        put_count(fp, s->suppressed_overlap, "match", "matches");
        fputs(" inside a longer match, ", fp);
        put_count(fp, s->suppressed_excluded, "match", "matches");
        fputs(" cancelled by an exclusion, ", fp);
        if (lex->n_rules || s->suppressed_context) {
            put_count(fp, s->suppressed_context, "match", "matches");
            fputs(" whose theme's context rule did not hold, ", fp);
        }
        fputs("and ", fp);
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
                         const lf_report_info *info, const lf_options *opt)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    lf_freq_row *rows;
    size_t n_rows = lf_tables_freq_rows(t, false, &rows); /* no document rows in the summary */
    lf_entry_row *entries;
    size_t n_entries = lf_tables_entries(t, &entries);
    lf_term_row *terms;
    size_t n_terms = lf_tables_terms(t, &terms);

    section_corpus(fp, t, info);
    size_t n_ranked;
    const lf_freq_row **ranked = section_themes(fp, lex, rows, n_rows, &n_ranked);
    if (n_ranked > 0 && lf_tables_find_dim(t, LF_GROUP_SPEAKER) >= 0) {
        fputs("## Who uses the leading themes most\n\n", fp);
        if (n_ranked <= SUMMARY_TOP_THEMES)
            fputs("For each theme with matches", fp);
        else
            fprintf(fp, "For each of the %d most frequent themes", SUMMARY_TOP_THEMES);
        fprintf(fp,
                ", the speaker who uses it most and the entries that matched most. Speakers "
                "are ranked by the lower end of the 95%% confidence interval of their rate per "
                "1,000 words (exact Poisson), so that a match or two in a short turn does not "
                "come first; only speakers with at least %d words are compared, and "
                "unattributed text is left out.\n\n",
                SUMMARY_MIN_WORDS);
        for (size_t i = 0; i < n_ranked && i < SUMMARY_TOP_THEMES; i++)
            theme_paragraph(fp, lex, rows, n_rows, entries, n_entries, terms, n_terms,
                            ranked[i]->theme);
    }
    if (lf_tables_dim_count(t) > 1)
        section_differences(fp, t, lex, info, opt);
    section_trends(fp, t, lex, rows, n_rows, ranked, n_ranked);
    section_cooc(fp, t, lex, opt);
    section_not_counted(fp, t, lex);
    if (opt->min_words > 0) {
        fputs("## Groups left out\n\n", fp);
        put_dropped(fp, t, opt);
    }
    section_failed(fp, info);
    free((void *)ranked);
    free(entries);
    free(terms);
    free(rows);
    return ferror(fp) ? -1 : 0;
}

/* ---- the comparison as Markdown ---- */

/* A table cell with a figure, or "NA". */
static void cell_figure(FILE *fp, double x)
{
    fputs(" | ", fp);
    put_figure(fp, x);
}

/* A table cell with a p-value: "<0.001" or three decimals. */
static void cell_p(FILE *fp, double p)
{
    fputs(" | ", fp);
    if (p < 0.001) {
        fputs("<0.001", fp);
        return;
    }
    char buf[64];
    lf_fmt_double(buf, sizeof buf, isfinite(p) ? round(p * 1000.0) / 1000.0 : p);
    fputs(buf, fp);
}

int lf_render_comparison_md(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                            const lf_options *opt, lf_error *err)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    lf_compare_row *rows;
    size_t n;
    if (lf_compare_rows(t, opt, &rows, &n, err) != LF_OK)
        return -2;
    bool rest = !opt->reference || strcmp(opt->reference, "rest") == 0 ||
                strcmp(opt->reference, LF_REFERENCE_REST) == 0;
    fputs("# Framing comparison\n\n", fp);
    put_method(fp, opt, rest);
    fputs(". The 95% interval and the ratio use the counts with 0.5 added to every cell "
          "when one of them is 0.\n\n## Findings\n\n",
          fp);
    size_t shown = 0;
    uint32_t dim = 0;
    for (size_t i = 0; i < n; i++)
        if (is_finding(&rows[i], !rest)) {
            if (rows[i].dim != dim) {
                /* a heading per grouping: "(none)" reads as a party's or a role's */
                fputs(shown ? "\nBy " : "By ", fp);
                put_md(fp, dim_noun(t, rows[i].dim));
                fputs(":\n\n", fp);
                dim = rows[i].dim;
            }
            put_finding(fp, lex, &rows[i], rows[i].s.log2_ratio < 0);
            shown++;
        }
    fputs(shown ? "\n" : "No difference reaches an adjusted p below 0.05.\n\n", fp);
    if (opt->min_words > 0)
        put_dropped(fp, t, opt);
    /* One table per target: the themes either side uses, strongest effect first. */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && rows[j].dim == rows[i].dim && strcmp(rows[j].group, rows[i].group) == 0)
            j++;
        char buf[32];
        fputs("## ", fp);
        put_md(fp, lf_tables_dim_name(t, rows[i].dim));
        putc(' ', fp);
        put_md(fp, rows[i].group);
        fputs(": ", fp);
        put_count(fp, rows[i].words_target, "word", "words");
        fprintf(fp, " against %s in ", lf_fmt_u64(buf, rows[i].words_reference));
        if (rest)
            fputs("the rest of the corpus", fp);
        else
            put_md(fp, rows[i].reference);
        fputs("\n\n", fp);
        fputs("| theme | matches | per 1,000 | reference matches | reference per 1,000 | "
              "rate ratio | 95% CI | G\xC2\xB2 | p | adjusted p |\n"
              "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n",
              fp);
        size_t listed = 0;
        for (size_t k = i; k < j; k++) {
            const lf_compare_row *r = &rows[k];
            if (!r->s.tested)
                continue;
            fputs("| ", fp);
            put_md(fp, label_of(&lex->themes[r->theme]));
            fprintf(fp, " | %s", lf_fmt_u64(buf, r->matches_target));
            cell_figure(fp, r->s.rate_target);
            fprintf(fp, " | %s", lf_fmt_u64(buf, r->matches_reference));
            cell_figure(fp, r->s.rate_reference);
            cell_figure(fp, r->s.rate_ratio);
            if (r->s.corrected)
                fputs("\xC2\xB9", fp);
            fputs(" | ", fp);
            put_figure(fp, r->s.ci_low);
            fputs("\xE2\x80\x93", fp);
            put_figure(fp, r->s.ci_high);
            cell_figure(fp, r->s.g2);
            cell_p(fp, r->s.p);
            cell_p(fp, r->p_adjusted);
            fputs(" |\n", fp);
            listed++;
        }
        if (!listed)
            fputs("| (no theme on either side) | | | | | | | | | |\n", fp);
        fputs("\n", fp);
        i = j;
    }
    fputs("\xC2\xB9 A count was 0: the ratio and its interval use the counts with 0.5 added "
          "to every cell.\n",
          fp);
    free(rows);
    return ferror(fp) ? -1 : 0;
}
