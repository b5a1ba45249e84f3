/* test_aggregate.c — stage 4 on hand-built documents with counts worked out by hand:
 * corpus/document/speaker groups (unattributed and gap turns included), party, role, period
 * and metadata groupings, speaker filters, the --level roll-up, negation policies,
 * suppressed statuses, units with a theme, co-occurrence per scope (sentence, turn, window,
 * adjacent turns, document; documents in parts), terms, first appearances, the entry
 * table, and merge giving exactly the single-table rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "tdoc.h"

/* ---- a hand-built lexicon ---- */

enum { TRUST, LEVERAGE, BETRAYAL, GOODWILL, N_THEMES };
enum { E_TRUST, E_CONFIDENCE, E_LEVERAGE, E_BETRAY, E_GOODWILL, N_ENTRIES };

static struct lf_lexicon *make_lexicon(void)
{
    struct lf_lexicon *lex = lf_xcalloc(1, sizeof *lex);
    lex->themes = lf_xcalloc(N_THEMES, sizeof *lex->themes);
    lex->n_themes = N_THEMES;
    static const struct {
        const char *id;
        lf_neg_policy neg;
        int32_t target;
    } th[N_THEMES] = {
        [TRUST] = {"trust", LF_NEG_COUNT, -1},
        [LEVERAGE] = {"leverage", LF_NEG_SEPARATE, -1},
        [BETRAYAL] = {"betrayal", LF_NEG_IGNORE, -1},
        [GOODWILL] = {"goodwill", LF_NEG_MOVE, BETRAYAL},
    };
    for (size_t i = 0; i < N_THEMES; i++)
        lex->themes[i] = (lf_theme){.id = th[i].id, .label = th[i].id, .description = "",
                                    .parent = -1, .depth = 1, .neg = th[i].neg,
                                    .neg_target = th[i].target};
    lex->entries = lf_xcalloc(N_ENTRIES, sizeof *lex->entries);
    lex->n_entries = N_ENTRIES;
    static const struct {
        uint32_t theme;
        double weight;
        const char *source;
    } en[N_ENTRIES] = {
        /* Weights that binary doubles cannot hold exactly: merge must still be exact. */
        [E_TRUST] = {TRUST, 0.7, "trust"},
        [E_CONFIDENCE] = {TRUST, 0.1, "confidence"},
        [E_LEVERAGE] = {LEVERAGE, 2.0, "leverage"},
        [E_BETRAY] = {BETRAYAL, 1.0, "betray*"},
        [E_GOODWILL] = {GOODWILL, 1.0, "goodwill"},
    };
    for (size_t i = 0; i < N_ENTRIES; i++)
        lex->entries[i] = (lf_entry){.theme = en[i].theme, .weight = en[i].weight,
                                     .has_weight = true, .source = en[i].source,
                                     .file = "test.lexicon", .line = i + 1};
    return lex;
}

static void free_lexicon(struct lf_lexicon *lex)
{
    free(lex->themes);
    free(lex->entries);
    free(lex);
}

/* Document A: unattributed opening, two speakers, a gap turn, every match status.
 *   t0 (unattributed) s0:3 words
 *   t1 ENVOY          s1:4 s2:5
 *   t2 MINISTER       s3:6
 *   t3 ENVOY (gap)
 *   t4 MINISTER       s4:2 s5:3 */
static void build_doc_a(tdoc *d)
{
    static const char *const names[] = {"ENVOY", "MINISTER"};
    static const turn_spec turns[] = {
        {-1, false, {3}, NULL}, {0, false, {4, 5}, NULL}, {1, false, {6}, NULL},
        {0, true, {0}, NULL},   {1, false, {2, 3}, NULL},
    };
    tdoc_build(d, "a.txt", names, 2, turns, 5, 2);
    tdoc_match(d, 0, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
    tdoc_match(d, 1, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match(d, 1, LEVERAGE, E_LEVERAGE, LF_MATCH_COUNTED, false);
    tdoc_match(d, 2, TRUST, E_CONFIDENCE, LF_MATCH_COUNTED, true); /* COUNT: counts */
    tdoc_match(d, 2, TRUST, E_CONFIDENCE, LF_MATCH_COUNTED, false);
    tdoc_match(d, 3, LEVERAGE, E_LEVERAGE, LF_MATCH_COUNTED, true);      /* SEPARATE */
    tdoc_match(d, 3, BETRAYAL, E_BETRAY, LF_MATCH_NEGATED_IGNORED, true); /* IGNORE */
    tdoc_match(d, 3, TRUST, E_TRUST, LF_MATCH_OVERLAP, false);
    tdoc_match(d, 4, BETRAYAL, E_BETRAY, LF_MATCH_EXCLUDED, false);
    tdoc_match(d, 5, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match(d, 5, LEVERAGE, E_LEVERAGE, LF_MATCH_COUNTED, false);
    tdoc_match(d, 5, TRUST, E_CONFIDENCE, LF_MATCH_COUNTED, false);
}

/* Document B: MINISTER again, a new speaker, a negated goodwill moved to betrayal.
 *   t0 MINISTER s0:5
 *   t1 ANALYST  s1:4 s2:4
 *   t2 ANALYST (gap) */
static void build_doc_b(tdoc *d)
{
    static const char *const names[] = {"MINISTER", "ANALYST"};
    static const turn_spec turns[] = {
        {0, false, {5}, NULL}, {1, false, {4, 4}, NULL}, {1, true, {0}, NULL}};
    tdoc_build(d, "b.txt", names, 2, turns, 3, 0);
    tdoc_match(d, 0, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
    tdoc_match(d, 0, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match(d, 1, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
    tdoc_match(d, 1, BETRAYAL, E_GOODWILL, LF_MATCH_COUNTED, true); /* moved */
    tdoc_match(d, 2, TRUST, E_TRUST, LF_MATCH_COUNTED, true);
}

/* Tables grouped by document and speaker only, as the first tests expect. */
static lf_tables *doc_speaker_tables(const struct lf_lexicon *lex)
{
    static const lf_group_kind kinds[] = {LF_GROUP_DOCUMENT, LF_GROUP_SPEAKER};
    lf_grouping store[2];
    lf_options o = tdoc_options(kinds, 2, store);
    return lf_tables_new_opts(lex, &o);
}

static const lf_freq_row *find_row(const lf_freq_row *rows, size_t n, lf_group_kind kind,
                                   const char *group, uint32_t theme)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].kind == kind && strcmp(rows[i].group, group) == 0 && rows[i].theme == theme)
            return &rows[i];
    fail_msg("no row %d/%s/%u", (int)kind, group, theme);
    return NULL;
}

static void check_counts(const lf_freq_row *r, uint64_t matches, uint64_t negated, double weight,
                         uint64_t turns_with, uint64_t sents_with)
{
    assert_int_equal(r->c.matches, matches);
    assert_int_equal(r->c.negated, negated);
    assert_true(fabs(r->c.weight - weight) < 1e-9);
    assert_int_equal(r->c.turns_with, turns_with);
    assert_int_equal(r->c.sents_with, sents_with);
}

static void check_totals(const lf_freq_row *r, uint64_t words, uint64_t sentences,
                         uint64_t turns, uint64_t docs)
{
    assert_int_equal(r->t.words, words);
    assert_int_equal(r->t.sentences, sentences);
    assert_int_equal(r->t.turns, turns);
    assert_int_equal(r->t.docs, docs);
}

/* ---- tests ---- */

static void frequencies_by_group(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a;
    build_doc_a(&a);
    lf_tables *t = doc_speaker_tables(lex);
    lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);

    lf_freq_row *rows;
    size_t n = lf_tables_freq(t, &rows);
    /* corpus + document + ENVOY, MINISTER, (unattributed): 5 groups × 4 themes. */
    assert_int_equal(n, 5 * N_THEMES);

    const lf_freq_row *r = find_row(rows, n, LF_GROUP_CORPUS, "all", TRUST);
    check_totals(r, 23, 6, 5, 1);
    check_counts(r, 5, 1, 0.7 + 0.1 + 0.1 + 0.7 + 0.1, 2, 3);
    /* SEPARATE: the negated leverage is only in `negated`. */
    check_counts(find_row(rows, n, LF_GROUP_CORPUS, "all", LEVERAGE), 2, 1, 4.0, 2, 2);
    /* IGNORE: negated but suppressed; excluded ones are nowhere. */
    check_counts(find_row(rows, n, LF_GROUP_CORPUS, "all", BETRAYAL), 1, 1, 1.0, 1, 1);
    check_counts(find_row(rows, n, LF_GROUP_CORPUS, "all", GOODWILL), 0, 0, 0.0, 0, 0);

    r = find_row(rows, n, LF_GROUP_DOCUMENT, "a.txt", TRUST);
    check_totals(r, 23, 6, 5, 1);
    check_counts(r, 5, 1, 1.7, 2, 3);

    /* ENVOY: t1 and the gap turn t3 (a turn with no words). */
    r = find_row(rows, n, LF_GROUP_SPEAKER, "ENVOY", TRUST);
    check_totals(r, 9, 2, 2, 1);
    check_counts(r, 3, 1, 0.9, 1, 2);
    check_counts(find_row(rows, n, LF_GROUP_SPEAKER, "ENVOY", LEVERAGE), 1, 0, 2.0, 1, 1);
    r = find_row(rows, n, LF_GROUP_SPEAKER, "MINISTER", LEVERAGE);
    check_totals(r, 11, 3, 2, 1);
    check_counts(r, 1, 1, 2.0, 1, 1);
    check_counts(find_row(rows, n, LF_GROUP_SPEAKER, "MINISTER", TRUST), 2, 0, 0.8, 1, 1);
    check_counts(find_row(rows, n, LF_GROUP_SPEAKER, "MINISTER", BETRAYAL), 0, 1, 0.0, 0, 0);
    r = find_row(rows, n, LF_GROUP_SPEAKER, LF_UNATTRIBUTED, BETRAYAL);
    check_totals(r, 3, 1, 1, 1);
    check_counts(r, 1, 0, 1.0, 1, 1);

    /* Order: kind, then group byte-wise ("(" < "E" < "M"), then theme. */
    assert_int_equal(rows[0].kind, LF_GROUP_CORPUS);
    assert_string_equal(rows[N_THEMES].group, "a.txt");
    assert_string_equal(rows[2 * N_THEMES].group, LF_UNATTRIBUTED);
    assert_string_equal(rows[3 * N_THEMES].group, "ENVOY");
    assert_string_equal(rows[4 * N_THEMES].group, "MINISTER");
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rows[i].theme, i % N_THEMES);
    free(rows);

    const lf_corpus_stats *s = lf_tables_stats(t);
    assert_int_equal(s->docs, 1);
    assert_int_equal(s->turns, 5);
    assert_int_equal(s->sentences, 6);
    assert_int_equal(s->words, 23);
    assert_int_equal(s->unattributed_turns, 1);
    assert_int_equal(s->gap_turns, 1);
    assert_int_equal(s->matches_counted, 8);
    assert_int_equal(s->suppressed_overlap, 1);
    assert_int_equal(s->suppressed_excluded, 1);
    assert_int_equal(s->suppressed_negated, 1);
    assert_int_equal(s->negated, 3);
    assert_int_equal(s->stripped, 2);
    assert_int_equal(lf_tables_group_count(t, LF_GROUP_SPEAKER), 3);
    assert_int_equal(lf_tables_speaker_count(t), 2); /* the unattributed text is no one */
    assert_int_equal(lf_tables_group_count(t, LF_GROUP_PARTY), 0); /* not a grouping here */
    lf_totals tot;
    assert_true(lf_tables_group_totals(t, LF_GROUP_SPEAKER, "ENVOY", &tot));
    assert_int_equal(tot.words, 9);
    assert_false(lf_tables_group_totals(t, LF_GROUP_SPEAKER, "ANALYST", &tot));

    lf_tables_free(t);
    tdoc_free(&a);
    free_lexicon(lex);
}

typedef struct cooc_want {
    lf_scope scope;
    uint32_t a, b;
    uint64_t joint, ca, cb, units;
} cooc_want;

/* The corpus rows (dim 0) must be exactly `want`, in order. */
static void check_corpus_cooc(const lf_tables *t, const cooc_want *want, size_t n_want)
{
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows), k = 0;
    for (size_t i = 0; i < n && rows[i].dim == 0; i++, k++) {
        if (k >= n_want)
            fail_msg("extra corpus row %s %u %u", lf_scope_name(rows[i].scope), rows[i].a,
                     rows[i].b);
        const lf_cooc_row *r = &rows[i];
        const cooc_want *w = &want[k];
        if (r->scope != w->scope || r->a != w->a || r->b != w->b || r->joint != w->joint ||
            r->count_a != w->ca || r->count_b != w->cb || r->units != w->units)
            fail_msg("row %zu: %s %u→%u joint %llu, counts %llu %llu, units %llu; want %s "
                     "%u→%u %llu, %llu %llu, %llu",
                     k, lf_scope_name(r->scope), r->a, r->b, (unsigned long long)r->joint,
                     (unsigned long long)r->count_a, (unsigned long long)r->count_b,
                     (unsigned long long)r->units, lf_scope_name(w->scope), w->a, w->b,
                     (unsigned long long)w->joint, (unsigned long long)w->ca,
                     (unsigned long long)w->cb, (unsigned long long)w->units);
        assert_string_equal(r->group, "all");
        assert_int_equal(r->kind, LF_GROUP_CORPUS);
    }
    assert_int_equal(k, n_want);
    free(rows);
}

static void cooccurrence_per_scope(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a;
    build_doc_a(&a);
    lf_tables *t = doc_speaker_tables(lex);
    lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
    /* Sentences with counted themes: s0 {betrayal}, s1 {trust, leverage}, s2 {trust},
       s5 {trust, leverage}; s3 holds only uncounted matches. Turns: t0 {betrayal},
       t1 {trust, leverage}, t4 {trust, leverage}. Windows of 10 words: every turn with
       words is shorter, so one window each (t0, t1, t2, t4), the same sets as the turns.
       Adjacent turns: only t1 (ENVOY) → t2 (MINISTER): t0 is unattributed and t3 a gap;
       t2 has no counted theme, so no pair. The document holds all three themes. */
    static const cooc_want want_a[] = {
        {LF_SCOPE_SENTENCE, TRUST, LEVERAGE, 2, 3, 2, 6},
        {LF_SCOPE_TURN, TRUST, LEVERAGE, 2, 2, 2, 5}, /* the gap turn is a unit too */
        {LF_SCOPE_WINDOW, TRUST, LEVERAGE, 2, 2, 2, 4},
        {LF_SCOPE_DOCUMENT, TRUST, LEVERAGE, 1, 1, 1, 1},
        {LF_SCOPE_DOCUMENT, TRUST, BETRAYAL, 1, 1, 1, 1},
        {LF_SCOPE_DOCUMENT, LEVERAGE, BETRAYAL, 1, 1, 1, 1},
    };
    check_corpus_cooc(t, want_a, sizeof want_a / sizeof want_a[0]);
    lf_freq_row *fr;
    size_t nf = lf_tables_freq(t, &fr);
    const lf_freq_row *r = find_row(fr, nf, LF_GROUP_CORPUS, "all", TRUST);
    assert_int_equal(r->t.adjacent, 1);
    assert_int_equal(r->c.firsts_with, 1);
    assert_int_equal(r->c.replies_with, 0);
    assert_int_equal(r->t.windows, 4);
    assert_int_equal(r->c.windows_with, 2);
    assert_int_equal(r->c.docs_with, 1);
    /* The pair counts for the replying speaker. */
    assert_int_equal(find_row(fr, nf, LF_GROUP_SPEAKER, "MINISTER", TRUST)->t.adjacent, 1);
    assert_int_equal(find_row(fr, nf, LF_GROUP_SPEAKER, "ENVOY", TRUST)->t.adjacent, 0);
    free(fr);

    /* Doc B adds betrayal and trust together in a sentence, a turn and a window, and a
       pair of adjacent turns (MINISTER → ANALYST) with both themes on both sides. */
    tdoc b;
    build_doc_b(&b);
    lf_tables_add_doc(t, &b.doc, &b.toks, &b.ms);
    static const cooc_want want_ab[] = {
        {LF_SCOPE_SENTENCE, TRUST, LEVERAGE, 2, 5, 2, 9},
        {LF_SCOPE_SENTENCE, TRUST, BETRAYAL, 1, 5, 3, 9},
        {LF_SCOPE_TURN, TRUST, LEVERAGE, 2, 4, 2, 8},
        {LF_SCOPE_TURN, TRUST, BETRAYAL, 2, 4, 3, 8},
        {LF_SCOPE_WINDOW, TRUST, LEVERAGE, 2, 4, 2, 6},
        {LF_SCOPE_WINDOW, TRUST, BETRAYAL, 2, 4, 3, 6},
        /* ordered: first turn's theme, reply's theme; counts are firsts and replies */
        {LF_SCOPE_ADJACENT, TRUST, TRUST, 1, 2, 1, 2},
        {LF_SCOPE_ADJACENT, TRUST, BETRAYAL, 1, 2, 1, 2},
        {LF_SCOPE_ADJACENT, BETRAYAL, TRUST, 1, 1, 1, 2},
        {LF_SCOPE_ADJACENT, BETRAYAL, BETRAYAL, 1, 1, 1, 2},
        {LF_SCOPE_DOCUMENT, TRUST, LEVERAGE, 1, 2, 1, 2},
        {LF_SCOPE_DOCUMENT, TRUST, BETRAYAL, 2, 2, 2, 2},
        {LF_SCOPE_DOCUMENT, LEVERAGE, BETRAYAL, 1, 1, 2, 2},
    };
    check_corpus_cooc(t, want_ab, sizeof want_ab / sizeof want_ab[0]);
    /* Groups other than the corpus have their own units: the ANALYST's one turn with
       words has both themes (and one window). */
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows);
    bool seen = false;
    for (size_t i = 0; i < n; i++)
        if (rows[i].kind == LF_GROUP_SPEAKER && strcmp(rows[i].group, "ANALYST") == 0 &&
            rows[i].scope == LF_SCOPE_TURN) {
            assert_int_equal(rows[i].a, TRUST);
            assert_int_equal(rows[i].b, BETRAYAL);
            assert_int_equal(rows[i].joint, 1);
            assert_int_equal(rows[i].units, 2); /* its gap turn included */
            seen = true;
        }
    assert_true(seen);
    free(rows);
    lf_tables_free(t);
    tdoc_free(&a);
    tdoc_free(&b);
    free_lexicon(lex);
}

static void entry_table_order(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a, b;
    build_doc_a(&a);
    build_doc_b(&b);
    lf_tables *t = lf_tables_new(lex);
    lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
    lf_entry_row *rows;
    /* Document A alone: confidence (3) outranks the earlier entry trust (2). */
    size_t n = lf_tables_entries(t, &rows);
    assert_int_equal(n, 4);
    assert_int_equal(rows[0].entry, E_CONFIDENCE);
    assert_int_equal(rows[0].matches, 3);
    assert_int_equal(rows[1].entry, E_TRUST);
    assert_int_equal(rows[1].matches, 2);
    assert_int_equal(rows[2].entry, E_LEVERAGE);
    assert_int_equal(rows[3].entry, E_BETRAY);
    free(rows);

    lf_tables_add_doc(t, &b.doc, &b.toks, &b.ms);
    n = lf_tables_entries(t, &rows);
    /* By theme, then matches descending: trust (2 in A + 2 in B) before confidence (3);
       the negated goodwill moved to betrayal makes a betrayal row after betray* (1 + 2). */
    static const struct {
        uint32_t entry, theme;
        uint64_t matches;
    } want[] = {
        {E_TRUST, TRUST, 4},
        {E_CONFIDENCE, TRUST, 3},
        {E_LEVERAGE, LEVERAGE, 2},
        {E_BETRAY, BETRAYAL, 3},
        {E_GOODWILL, BETRAYAL, 1},
    };
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].entry, want[i].entry);
        assert_int_equal(rows[i].theme, want[i].theme);
        assert_int_equal(rows[i].matches, want[i].matches);
    }
    free(rows);

    /* The moved match counts for betrayal, in the analyst's group, and is negated there. */
    lf_freq_row *fr;
    size_t nf = lf_tables_freq(t, &fr);
    const lf_freq_row *r = find_row(fr, nf, LF_GROUP_SPEAKER, "ANALYST", BETRAYAL);
    check_totals(r, 8, 2, 2, 1);
    check_counts(r, 2, 1, 2.0, 1, 1);
    check_counts(find_row(fr, nf, LF_GROUP_SPEAKER, "ANALYST", GOODWILL), 0, 0, 0.0, 0, 0);
    /* MINISTER speaks in both documents. */
    check_totals(find_row(fr, nf, LF_GROUP_SPEAKER, "MINISTER", TRUST), 16, 4, 3, 2);
    check_totals(find_row(fr, nf, LF_GROUP_CORPUS, "all", TRUST), 36, 9, 8, 2);
    free(fr);
    lf_tables_free(t);
    tdoc_free(&a);
    tdoc_free(&b);
    free_lexicon(lex);
}

static void assert_same_tables(const lf_tables *x, const lf_tables *y)
{
    lf_freq_row *fx, *fy;
    size_t nx = lf_tables_freq(x, &fx), ny = lf_tables_freq(y, &fy);
    assert_int_equal(nx, ny);
    for (size_t i = 0; i < nx; i++) {
        assert_int_equal(fx[i].kind, fy[i].kind);
        assert_string_equal(fx[i].group, fy[i].group);
        assert_int_equal(fx[i].theme, fy[i].theme);
        assert_memory_equal(&fx[i].c, &fy[i].c, sizeof fx[i].c); /* weights bit for bit */
        assert_memory_equal(&fx[i].t, &fy[i].t, sizeof fx[i].t);
    }
    free(fx);
    free(fy);
    lf_cooc_row *cx, *cy;
    nx = lf_tables_cooc(x, &cx);
    ny = lf_tables_cooc(y, &cy);
    assert_int_equal(nx, ny);
    for (size_t i = 0; i < nx; i++) {
        assert_int_equal(cx[i].dim, cy[i].dim);
        assert_string_equal(cx[i].group, cy[i].group);
        assert_int_equal(cx[i].scope, cy[i].scope);
        assert_int_equal(cx[i].a, cy[i].a);
        assert_int_equal(cx[i].b, cy[i].b);
        assert_int_equal(cx[i].joint, cy[i].joint);
        assert_int_equal(cx[i].count_a, cy[i].count_a);
        assert_int_equal(cx[i].count_b, cy[i].count_b);
        assert_int_equal(cx[i].units, cy[i].units);
    }
    free(cx);
    free(cy);
    lf_term_row *tx, *ty;
    nx = lf_tables_terms(x, &tx);
    ny = lf_tables_terms(y, &ty);
    assert_int_equal(nx, ny);
    for (size_t i = 0; i < nx; i++) {
        assert_int_equal(tx[i].dim, ty[i].dim);
        assert_string_equal(tx[i].group, ty[i].group);
        assert_int_equal(tx[i].theme, ty[i].theme);
        assert_int_equal(tx[i].is_form, ty[i].is_form);
        if (tx[i].is_form)
            assert_string_equal(tx[i].form, ty[i].form);
        else
            assert_int_equal(tx[i].entry, ty[i].entry);
        assert_int_equal(tx[i].matches, ty[i].matches);
        assert_memory_equal(&tx[i].weight, &ty[i].weight, sizeof tx[i].weight);
    }
    free(tx);
    free(ty);
    lf_first_row *ax, *ay;
    nx = lf_tables_first(x, &ax);
    ny = lf_tables_first(y, &ay);
    assert_int_equal(nx, ny);
    for (size_t i = 0; i < nx; i++) {
        assert_string_equal(ax[i].doc, ay[i].doc);
        assert_string_equal(ax[i].speaker, ay[i].speaker);
        assert_int_equal(ax[i].theme, ay[i].theme);
        assert_int_equal(ax[i].word, ay[i].word);
        assert_int_equal(ax[i].doc_words, ay[i].doc_words);
        assert_int_equal(ax[i].turn, ay[i].turn);
        assert_int_equal(ax[i].sentence, ay[i].sentence);
        assert_int_equal(ax[i].line, ay[i].line);
    }
    free(ax);
    free(ay);
    assert_int_equal(lf_tables_speaker_count(x), lf_tables_speaker_count(y));
    lf_entry_row *ex, *ey;
    nx = lf_tables_entries(x, &ex);
    ny = lf_tables_entries(y, &ey);
    assert_int_equal(nx, ny);
    assert_memory_equal(ex, ey, nx * sizeof *ex);
    free(ex);
    free(ey);
    assert_memory_equal(lf_tables_stats(x), lf_tables_stats(y), sizeof(lf_corpus_stats));
}

static void merge_equals_single_table(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a, b;
    build_doc_a(&a);
    build_doc_b(&b);
    /* Many documents so weight sums are long: 0.1 and 0.7 added in different orders. */
    lf_tables *single = lf_tables_new(lex), *ta = lf_tables_new(lex), *tb = lf_tables_new(lex);
    for (int i = 0; i < 7; i++) {
        lf_tables_add_doc(single, &a.doc, &a.toks, &a.ms);
        lf_tables_add_doc(ta, &a.doc, &a.toks, &a.ms);
    }
    for (int i = 0; i < 5; i++) {
        lf_tables_add_doc(single, &b.doc, &b.toks, &b.ms);
        lf_tables_add_doc(tb, &b.doc, &b.toks, &b.ms);
    }
    lf_tables *m1 = lf_tables_new(lex), *m2 = lf_tables_new(lex);
    lf_tables_merge(m1, ta);
    lf_tables_merge(m1, tb);
    lf_tables_merge(m2, tb);
    /* Rows sorted once (lf_tables_sort_rows) are sorted afresh after the table changes. */
    lf_tables_sort_rows(m2);
    lf_tables_merge(m2, ta);
    assert_same_tables(single, m1);
    assert_same_tables(single, m2);
    lf_tables_sort_rows(m1);
    assert_same_tables(single, m1);

    /* Adding to a merged table keeps counting documents correctly. */
    lf_tables_add_doc(m1, &b.doc, &b.toks, &b.ms);
    lf_tables_add_doc(single, &b.doc, &b.toks, &b.ms);
    assert_same_tables(single, m1);
    lf_tables_sort_rows(single);
    assert_same_tables(single, m1);
    lf_freq_row *fr;
    size_t nf = lf_tables_freq(m1, &fr);
    check_totals(find_row(fr, nf, LF_GROUP_SPEAKER, "MINISTER", TRUST), 7 * 11 + 6 * 5,
                 7 * 3 + 6 * 1, 7 * 2 + 6 * 1, 13);
    assert_true(fabs(find_row(fr, nf, LF_GROUP_CORPUS, "all", TRUST)->c.weight -
                     (7 * 1.7 + 6 * 1.4)) < 1e-9);
    free(fr);

    /* A table made by a merge alone counts documents as they come (a group new to it
       takes the other's counts whole, but not what they say of the other's documents):
       its fifth document, ANALYST's first here, counts for ANALYST as tb's fifth did. */
    lf_tables *m3 = lf_tables_new(lex), *s3 = lf_tables_new(lex);
    lf_tables_merge(m3, tb);
    for (int i = 0; i < 5; i++)
        lf_tables_add_doc(s3, &b.doc, &b.toks, &b.ms);
    for (int i = 0; i < 4; i++) {
        lf_tables_add_doc(m3, &a.doc, &a.toks, &a.ms);
        lf_tables_add_doc(s3, &a.doc, &a.toks, &a.ms);
    }
    lf_tables_add_doc(m3, &b.doc, &b.toks, &b.ms);
    lf_tables_add_doc(s3, &b.doc, &b.toks, &b.ms);
    assert_same_tables(s3, m3);
    lf_tables_free(m3);
    lf_tables_free(s3);

    lf_tables_free(single);
    lf_tables_free(ta);
    lf_tables_free(tb);
    lf_tables_free(m1);
    lf_tables_free(m2);
    tdoc_free(&a);
    tdoc_free(&b);
    free_lexicon(lex);
}

static void empty_table_and_names(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    lf_tables *t = lf_tables_new(lex);
    lf_freq_row *rows;
    /* Only the corpus group exists, with zero rows for each theme. */
    size_t n = lf_tables_freq(t, &rows);
    assert_int_equal(n, N_THEMES);
    assert_string_equal(rows[0].group, "all");
    assert_int_equal(rows[0].t.words, 0);
    free(rows);
    lf_cooc_row *c;
    assert_int_equal(lf_tables_cooc(t, &c), 0);
    free(c);
    lf_entry_row *e;
    assert_int_equal(lf_tables_entries(t, &e), 0);
    free(e);
    assert_string_equal(lf_group_kind_name(LF_GROUP_SPEAKER), "speaker");
    assert_string_equal(lf_scope_name(LF_SCOPE_TURN), "turn");
    lf_tables_free(t);
    lf_tables_free(NULL);
    free_lexicon(lex);
}

/* Many documents and matches: the table must stay linear (a quadratic step in documents
 * would take minutes here). */
static void many_documents_scale(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a;
    build_doc_a(&a);
    lf_tables *t = doc_speaker_tables(lex);
    char id[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "doc%05d.txt", i);
        a.doc.id = id;
        lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
    }
    assert_int_equal(lf_tables_group_count(t, LF_GROUP_DOCUMENT), 20000);
    lf_freq_row *rows;
    size_t n = lf_tables_freq(t, &rows);
    assert_int_equal(n, (1 + 20000 + 3) * N_THEMES);
    assert_string_equal(rows[N_THEMES].group, "doc00000.txt");
    assert_string_equal(rows[20000 * N_THEMES].group, "doc19999.txt");
    free(rows);
    lf_tables_free(t);
    a.doc.id = "a.txt";
    tdoc_free(&a);
    free_lexicon(lex);
}

/* ---- groupings ---- */

static lf_meta *meta_list(const char *k1, const char *v1, const char *k2, const char *v2)
{
    lf_meta *m = lf_xcalloc(2, sizeof *m);
    m[0] = (lf_meta){k1, v1};
    m[1] = (lf_meta){k2, v2};
    return m;
}

static uint64_t group_words(const lf_tables *t, uint32_t dim, const char *name)
{
    lf_totals tot;
    if (!lf_tables_group_counts(t, dim, name, 0, NULL, &tot))
        fail_msg("no group %s in dim %u", name, dim);
    return tot.words;
}

static void groupings_and_periods(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    static const speaker_spec sp[] = {
        {"Sarah Whitlock", "Labour", "negotiator", NULL},
        {"Alistair Crane", "Conservative", "legislator", "MR. CRANE"},
        {"Ruth Calloway", NULL, "moderator", NULL},
    };
    static const turn_spec turns[] = {
        {-1, false, {2}, NULL},    {2, false, {3}, NULL},    {0, false, {4}, NULL},
        {1, false, {5}, "chair"},  {1, false, {6}, NULL},
    };
    tdoc d;
    tdoc_build_full(&d, "panel.txt", sp, 3, turns, 5, 0);
    d.doc.date = "2024-06-20";
    d.doc.meta = meta_list("venue", "Westbridge", "empty", "");
    d.doc.n_meta = 2;
    tdoc_match(&d, 2, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match(&d, 3, LEVERAGE, E_LEVERAGE, LF_MATCH_COUNTED, false);
    tdoc_match(&d, 4, LEVERAGE, E_LEVERAGE, LF_MATCH_COUNTED, false);

    lf_grouping g[5];
    assert_int_equal(lf_grouping_parse("party", &g[0], NULL), LF_OK);
    assert_int_equal(lf_grouping_parse("role", &g[1], NULL), LF_OK);
    assert_int_equal(lf_grouping_parse("period", &g[2], NULL), LF_OK);
    assert_int_equal(lf_grouping_parse("meta:venue", &g[3], NULL), LF_OK);
    assert_int_equal(lf_grouping_parse("meta:empty", &g[4], NULL), LF_OK);
    lf_options o;
    lf_options_init(&o);
    o.groupings = g;
    o.n_groupings = 5;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);

    static const char *const names[] = {"corpus", "party", "role", "period", "meta:venue",
                                        "meta:empty"};
    assert_int_equal(lf_tables_dim_count(t), 6);
    for (uint32_t i = 0; i < 6; i++)
        assert_string_equal(lf_tables_dim_name(t, i), names[i]);
    assert_int_equal(lf_tables_find_dim(t, LF_GROUP_META), 4);
    assert_int_equal(lf_tables_find_dim(t, LF_GROUP_SPEAKER), -1);
    /* Party: the moderator and the unattributed text have none (2 + 3 words). */
    assert_int_equal(group_words(t, 1, LF_GROUP_NONE), 5);
    assert_int_equal(group_words(t, 1, "Labour"), 4);
    assert_int_equal(group_words(t, 1, "Conservative"), 11);
    assert_int_equal(lf_tables_group_count(t, LF_GROUP_PARTY), 3);
    /* Role: the turn's own role (chair) wins over the speaker's (legislator). */
    assert_int_equal(group_words(t, 2, LF_GROUP_NONE), 2);
    assert_int_equal(group_words(t, 2, "moderator"), 3);
    assert_int_equal(group_words(t, 2, "negotiator"), 4);
    assert_int_equal(group_words(t, 2, "chair"), 5);
    assert_int_equal(group_words(t, 2, "legislator"), 6);
    assert_int_equal(group_words(t, 3, "2024-06"), 20);
    assert_int_equal(group_words(t, 4, "Westbridge"), 20);
    assert_int_equal(group_words(t, 5, LF_GROUP_NONE), 20); /* an empty value is none */
    lf_counts c;
    lf_totals tot;
    assert_true(lf_tables_group_counts(t, 1, "Conservative", LEVERAGE, &c, &tot));
    assert_int_equal(c.matches, 2);
    assert_int_equal(tot.turns, 2);
    assert_int_equal(tot.docs, 1);
    assert_true(lf_tables_group_counts(t, 2, "chair", LEVERAGE, &c, NULL));
    assert_int_equal(c.matches, 1);
    assert_false(lf_tables_group_counts(t, 1, "Green", LEVERAGE, &c, NULL));

    /* A second document without a usable date; the period and venue are per document. */
    tdoc u;
    tdoc_build_full(&u, "old.txt", sp, 3, turns, 2, 0);
    u.doc.date = "May 2024";
    lf_tables_add_doc(t, &u.doc, &u.toks, &u.ms);
    assert_int_equal(group_words(t, 3, LF_GROUP_UNDATED), 5);
    assert_int_equal(group_words(t, 4, LF_GROUP_NONE), 5);
    assert_int_equal(group_words(t, 1, LF_GROUP_NONE), 10);
    assert_true(lf_tables_group_counts(t, 1, LF_GROUP_NONE, 0, NULL, &tot));
    assert_int_equal(tot.docs, 2);
    lf_tables_free(t);

    /* Years and days. */
    o.period = LF_PERIOD_YEAR;
    t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    assert_int_equal(group_words(t, 3, "2024"), 20);
    assert_int_equal(lf_tables_period(t), LF_PERIOD_YEAR);
    lf_tables_free(t);
    o.period = LF_PERIOD_DAY;
    t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    assert_int_equal(group_words(t, 3, "2024-06-20"), 20);
    lf_tables_free(t);

    /* The default groupings: document, speaker, party, role, period. */
    t = lf_tables_new(lex);
    static const char *const defaults[] = {"corpus", "document", "speaker", "party", "role",
                                           "period"};
    assert_int_equal(lf_tables_dim_count(t), 6);
    for (uint32_t i = 0; i < 6; i++)
        assert_string_equal(lf_tables_dim_name(t, i), defaults[i]);
    assert_int_equal(lf_tables_window(t), 10);
    assert_int_equal(lf_tables_level(t), 0);
    lf_tables_free(t);
    tdoc_free(&d);
    tdoc_free(&u);
    free_lexicon(lex);
}

static void dates_and_grouping_names(void **state)
{
    (void)state;
    static const struct {
        const char *date;
        lf_period p;
        const char *want; /* NULL: no period */
    } cases[] = {
        {"2024-05-14", LF_PERIOD_DAY, "2024-05-14"},
        {"2024-05-14", LF_PERIOD_MONTH, "2024-05"},
        {"2024-05-14", LF_PERIOD_YEAR, "2024"},
        {"2024-05-14T10:30:00Z", LF_PERIOD_DAY, "2024-05-14"},
        {"2024-05-14 10:30", LF_PERIOD_MONTH, "2024-05"},
        {"2024-05", LF_PERIOD_MONTH, "2024-05"},
        {"2024-05", LF_PERIOD_DAY, NULL},
        {"2024", LF_PERIOD_YEAR, "2024"},
        {"2024", LF_PERIOD_MONTH, NULL},
        {"2024-13-01", LF_PERIOD_MONTH, NULL},
        {"2024-00-01", LF_PERIOD_YEAR, "2024"},
        {"2024-04-32", LF_PERIOD_DAY, NULL},
        {"2024-4-1", LF_PERIOD_MONTH, NULL},
        {"20245", LF_PERIOD_YEAR, NULL},
        {"May 2024", LF_PERIOD_YEAR, NULL},
        {"", LF_PERIOD_YEAR, NULL},
        {NULL, LF_PERIOD_YEAR, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[16] = "";
        bool ok = lf_date_period(cases[i].date, cases[i].p, out, sizeof out);
        if (ok != (cases[i].want != NULL) || (ok && strcmp(out, cases[i].want) != 0))
            fail_msg("%s as %s: got %s '%s'", cases[i].date ? cases[i].date : "NULL",
                     lf_period_name(cases[i].p), ok ? "yes" : "no", out);
    }
    char small[8];
    assert_false(lf_date_period("2024-05-14", LF_PERIOD_DAY, small, sizeof small));

    lf_grouping g;
    lf_error err;
    assert_int_equal(lf_grouping_parse("speaker", &g, &err), LF_OK);
    assert_int_equal(g.kind, LF_GROUP_SPEAKER);
    assert_null(g.key);
    assert_int_equal(lf_grouping_parse("meta:chamber", &g, &err), LF_OK);
    assert_int_equal(g.kind, LF_GROUP_META);
    assert_string_equal(g.key, "chamber");
    assert_int_equal(lf_grouping_parse("meta:", &g, &err), LF_ERR_USAGE);
    assert_int_equal(lf_grouping_parse("corpus", &g, &err), LF_ERR_USAGE);
    assert_int_equal(lf_grouping_parse("speakers", &g, &err), LF_ERR_USAGE);
    assert_string_equal(err.message,
                        "--by: 'speakers' is not document, speaker, party, role, period or "
                        "meta:KEY");
    assert_string_equal(lf_period_name(LF_PERIOD_MONTH), "month");
    assert_string_equal(lf_group_kind_name(LF_GROUP_ROLE), "role");
    assert_string_equal(lf_scope_name(LF_SCOPE_ADJACENT), "adjacent");
    assert_string_equal(lf_scope_name(LF_SCOPE_WINDOW), "window");
    assert_string_equal(lf_scope_name(LF_SCOPE_DOCUMENT), "document");
}

/* ---- speaker filters ---- */

static void speaker_filters(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a;
    build_doc_a(&a);
    const char *envoy[] = {"ENVOY"};
    lf_grouping store[2];
    static const lf_group_kind kinds[] = {LF_GROUP_DOCUMENT, LF_GROUP_SPEAKER};
    lf_options o = tdoc_options(kinds, 2, store);
    o.exclude_speakers = envoy;
    o.n_exclude_speakers = 1;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
    /* Left: t0 (unattributed, 3 words), t2 (6), t4 (5). Trust only in s5: 2 matches. */
    const lf_corpus_stats *st = lf_tables_stats(t);
    assert_int_equal(st->turns, 3);
    assert_int_equal(st->words, 14);
    assert_int_equal(st->excluded_turns, 2);
    assert_int_equal(st->excluded_words, 9);
    assert_int_equal(st->matches_counted, 4); /* betrayal s0, trust ×2 and leverage in s5 */
    assert_int_equal(st->gap_turns, 0);       /* the gap turn was ENVOY's */
    lf_freq_row *fr;
    size_t nf = lf_tables_freq(t, &fr);
    const lf_freq_row *r = find_row(fr, nf, LF_GROUP_CORPUS, "all", TRUST);
    check_totals(r, 14, 4, 3, 1);
    check_counts(r, 2, 0, 0.8, 1, 1);
    assert_int_equal(nf, 4 * N_THEMES); /* corpus, document, MINISTER, (unattributed) */
    free(fr);
    assert_int_equal(lf_tables_speaker_count(t), 1);
    lf_tables_free(t);

    /* Include by label; the unattributed text by its placeholder name. */
    static const speaker_spec sp[] = {{"Alistair Crane", NULL, NULL, "MR. CRANE"},
                                      {"Ruth Calloway", NULL, NULL, NULL}};
    static const turn_spec turns[] = {{-1, false, {2}, NULL}, {0, false, {3}, NULL},
                                      {1, false, {4}, NULL}};
    tdoc d;
    tdoc_build_full(&d, "p.txt", sp, 2, turns, 3, 0);
    const char *label[] = {"MR. CRANE"}, *unatt[] = {LF_UNATTRIBUTED};
    assert_true(lf_speaker_selected(label, 1, NULL, 0, &d.doc, 0));
    assert_false(lf_speaker_selected(label, 1, NULL, 0, &d.doc, 1));
    assert_false(lf_speaker_selected(label, 1, NULL, 0, &d.doc, -1));
    assert_true(lf_speaker_selected(NULL, 0, NULL, 0, &d.doc, -1));
    assert_false(lf_speaker_selected(NULL, 0, unatt, 1, &d.doc, -1));
    const char *by_name[] = {"Alistair Crane"};
    assert_false(lf_speaker_selected(NULL, 0, by_name, 1, &d.doc, 0));
    assert_false(lf_speaker_selected(label, 1, by_name, 1, &d.doc, 0)); /* exclude wins */
    o.exclude_speakers = NULL;
    o.n_exclude_speakers = 0;
    o.include_speakers = label;
    o.n_include_speakers = 1;
    t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    assert_int_equal(lf_tables_stats(t)->words, 3);
    assert_int_equal(lf_tables_group_count(t, LF_GROUP_SPEAKER), 1);
    assert_true(lf_tables_group_totals(t, LF_GROUP_SPEAKER, "Alistair Crane", NULL));
    lf_tables_free(t);
    tdoc_free(&d);
    tdoc_free(&a);
    free_lexicon(lex);
}

/* ---- the --level roll-up ---- */

static void level_rollup(void **state)
{
    (void)state;
    struct lf_lexicon lex = {0};
    lf_theme th[5] = {
        {.id = "a", .label = "A", .parent = -1, .depth = 1, .neg_target = -1},
        {.id = "a.b", .label = "AB", .parent = 0, .depth = 2, .neg_target = -1},
        {.id = "a.b.c", .label = "ABC", .parent = 1, .depth = 3, .neg_target = -1},
        {.id = "a.d", .label = "AD", .parent = 0, .depth = 2, .neg_target = -1},
        {.id = "e", .label = "E", .parent = -1, .depth = 1, .neg_target = -1},
    };
    lf_entry en[5] = {
        {.theme = 2, .weight = 1.0, .source = "abc"}, {.theme = 1, .weight = 2.0, .source = "ab"},
        {.theme = 3, .weight = 3.0, .source = "ad"},  {.theme = 4, .weight = 4.0, .source = "e"},
        {.theme = 0, .weight = 5.0, .source = "a"},
    };
    lex.themes = th;
    lex.n_themes = 5;
    lex.entries = en;
    lex.n_entries = 5;
    static const char *const names[] = {"ANALYST"};
    static const turn_spec turns[] = {{0, false, {5, 5}, NULL}};
    tdoc d;
    tdoc_build(&d, "h.txt", names, 1, turns, 1, 0);
    tdoc_match_at(&d, 0, 0, 1, 2, 0, LF_MATCH_COUNTED, false); /* a.b.c */
    tdoc_match_at(&d, 0, 0, 1, 3, 2, LF_MATCH_COUNTED, false); /* a.d, same word */
    tdoc_match_at(&d, 1, 5, 1, 0, 4, LF_MATCH_COUNTED, false); /* a */
    tdoc_match_at(&d, 1, 6, 1, 1, 1, LF_MATCH_COUNTED, false); /* a.b */
    tdoc_match_at(&d, 1, 7, 1, 4, 3, LF_MATCH_COUNTED, false); /* e */

    static const lf_group_kind kinds[] = {LF_GROUP_SPEAKER};
    lf_grouping store[1];
    lf_options o = tdoc_options(kinds, 1, store);
    o.level = 1;
    lf_tables *t = lf_tables_new_opts(&lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    assert_true(lf_tables_theme_reported(t, 0));
    assert_false(lf_tables_theme_reported(t, 1));
    assert_false(lf_tables_theme_reported(t, 2));
    assert_false(lf_tables_theme_reported(t, 3));
    assert_true(lf_tables_theme_reported(t, 4));
    lf_freq_row *fr;
    size_t nf = lf_tables_freq(t, &fr);
    assert_int_equal(nf, 2 * 2); /* corpus and ANALYST × {a, e} */
    /* a: a.b.c + a.d + a + a.b = 4 matches, weight 1+3+5+2; in both sentences once. */
    assert_int_equal(fr[0].theme, 0);
    check_counts(&fr[0], 4, 0, 11.0, 1, 2);
    assert_int_equal(fr[1].theme, 4);
    check_counts(&fr[1], 1, 0, 4.0, 1, 1);
    free(fr);
    /* Sentence 0 holds only a (twice, counted once): no pair; sentence 1 pairs a and e. */
    lf_cooc_row *cr;
    size_t nc = lf_tables_cooc(t, &cr);
    assert_true(nc > 0);
    assert_int_equal(cr[0].scope, LF_SCOPE_SENTENCE);
    assert_int_equal(cr[0].a, 0);
    assert_int_equal(cr[0].b, 4);
    assert_int_equal(cr[0].joint, 1);
    assert_int_equal(cr[0].count_a, 2);
    free(cr);
    lf_entry_row *er;
    size_t ne = lf_tables_entries(t, &er);
    assert_int_equal(ne, 5);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(er[i].theme, 0); /* every a-family entry counts for a */
    assert_int_equal(er[4].entry, 3);
    free(er);
    lf_tables_free(t);

    /* Level 2: a.b.c rolls into a.b; a keeps only its own entry. */
    o.level = 2;
    t = lf_tables_new_opts(&lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    nf = lf_tables_freq(t, &fr);
    assert_int_equal(nf, 2 * 4);
    static const struct {
        uint32_t theme;
        uint64_t matches;
        double weight;
    } want[] = {{0, 1, 5.0}, {1, 2, 3.0}, {3, 1, 3.0}, {4, 1, 4.0}};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(fr[i].theme, want[i].theme);
        assert_int_equal(fr[i].c.matches, want[i].matches);
        assert_true(fabs(fr[i].c.weight - want[i].weight) < 1e-9);
    }
    free(fr);
    lf_tables_free(t);
    /* Level 0 and a level deeper than the lexicon: every theme as declared. */
    o.level = 0;
    t = lf_tables_new_opts(&lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    assert_int_equal(lf_tables_freq(t, &fr), 2 * 5);
    free(fr);
    lf_tables_free(t);
    o.level = 9;
    t = lf_tables_new_opts(&lex, &o);
    assert_int_equal(lf_tables_freq(t, &fr), 5);
    free(fr);
    lf_tables_free(t);
    tdoc_free(&d);
}

/* ---- windows ---- */

static void window_scope_by_hand(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    static const char *const names[] = {"ONE", "TWO"};
    static const turn_spec turns[] = {{0, false, {20}, NULL}, {1, false, {3}, NULL}};
    tdoc d;
    tdoc_build(&d, "w.txt", names, 2, turns, 2, 0);
    tdoc_match_at(&d, 0, 2, 1, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 0, 8, 1, LEVERAGE, E_LEVERAGE, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 0, 10, 1, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 0, 19, 1, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 1, 21, 1, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    static const lf_group_kind kinds[] = {LF_GROUP_SPEAKER};
    lf_grouping store[1];
    lf_options o = tdoc_options(kinds, 1, store);
    o.window = 5;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    /* Turn 0 (20 words) has window starts 0..15: 16 windows; turn 1 (3 words) one.
       Trust at word 2 is in windows 0..2, at word 10 in 6..10: 8 windows, plus turn 1's.
       Leverage at word 8: windows 4..8, of which 6..8 hold trust too. Betrayal at the
       last word (19) is only in the last window (15), with nothing else. */
    static const cooc_want want[] = {
        {LF_SCOPE_SENTENCE, TRUST, LEVERAGE, 1, 2, 1, 2},
        {LF_SCOPE_SENTENCE, TRUST, BETRAYAL, 1, 2, 1, 2},
        {LF_SCOPE_SENTENCE, LEVERAGE, BETRAYAL, 1, 1, 1, 2},
        {LF_SCOPE_TURN, TRUST, LEVERAGE, 1, 2, 1, 2},
        {LF_SCOPE_TURN, TRUST, BETRAYAL, 1, 2, 1, 2},
        {LF_SCOPE_TURN, LEVERAGE, BETRAYAL, 1, 1, 1, 2},
        {LF_SCOPE_WINDOW, TRUST, LEVERAGE, 3, 9, 5, 17},
        /* ONE → TWO: {trust, leverage, betrayal} answered by {trust} */
        {LF_SCOPE_ADJACENT, TRUST, TRUST, 1, 1, 1, 1},
        {LF_SCOPE_ADJACENT, LEVERAGE, TRUST, 1, 1, 1, 1},
        {LF_SCOPE_ADJACENT, BETRAYAL, TRUST, 1, 1, 1, 1},
        {LF_SCOPE_DOCUMENT, TRUST, LEVERAGE, 1, 1, 1, 1},
        {LF_SCOPE_DOCUMENT, TRUST, BETRAYAL, 1, 1, 1, 1},
        {LF_SCOPE_DOCUMENT, LEVERAGE, BETRAYAL, 1, 1, 1, 1},
    };
    check_corpus_cooc(t, want, sizeof want / sizeof want[0]);
    lf_counts c;
    lf_totals tot;
    assert_true(lf_tables_group_counts(t, 0, "all", BETRAYAL, &c, &tot));
    assert_int_equal(c.windows_with, 1);
    assert_int_equal(tot.windows, 17);
    assert_true(lf_tables_group_counts(t, 1, "ONE", TRUST, &c, &tot));
    assert_int_equal(c.windows_with, 8);
    assert_int_equal(tot.windows, 16);
    lf_tables_free(t);

    /* A window as long as the turn: one window per turn, the turn's theme set. */
    o.window = 20;
    t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    assert_true(lf_tables_group_counts(t, 0, "all", TRUST, &c, &tot));
    assert_int_equal(tot.windows, 2);
    assert_int_equal(c.windows_with, 2);
    lf_tables_free(t);
    tdoc_free(&d);
    free_lexicon(lex);
}

/* ---- adjacent turns, documents in parts, first appearances ---- */

/* ALPHA, BETA and GAMMA talk: betrayal answered by goodwill and trust; BETA goes on
 * (same speaker: no pair); ALPHA's betrayal after BETA's leverage; a gap by GAMMA breaks
 * the chain on both sides; BETA's goodwill answered by ALPHA with nothing.
 *   t0 ALPHA s0:4 betrayal | t1 BETA s1:4 goodwill, trust | t2 BETA s2:3 leverage |
 *   t3 ALPHA s3:5 betrayal | t4 GAMMA gap | t5 BETA s4:2 goodwill | t6 ALPHA s5:3
 * Split after t3 when `part` is 0 or 1 (the first or second half), whole when -1. */
static void build_exchange(tdoc *d, int part)
{
    static const char *const names[] = {"ALPHA", "BETA", "GAMMA"};
    static const turn_spec all[] = {
        {0, false, {4}, NULL}, {1, false, {4}, NULL}, {1, false, {3}, NULL},
        {0, false, {5}, NULL}, {2, true, {0}, NULL},  {1, false, {2}, NULL},
        {0, false, {3}, NULL},
    };
    const turn_spec *turns = part == 1 ? all + 4 : all;
    size_t n = part == 0 ? 4 : part == 1 ? 3 : 7;
    tdoc_build(d, "talk.txt", names, 3, turns, n, 0);
    d->doc.part = part == 1 ? 1 : 0;
    d->doc.more_parts = part == 0;
    if (part != 1) {
        tdoc_match(d, 0, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
        tdoc_match(d, 1, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
        tdoc_match_at(d, 1, 6, 1, GOODWILL, E_GOODWILL, LF_MATCH_COUNTED, false);
        tdoc_match(d, 2, LEVERAGE, E_LEVERAGE, LF_MATCH_COUNTED, false);
        tdoc_match_at(d, 3, 13, 1, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
    }
    if (part != 0) {
        uint32_t s = part == 1 ? 0 : 4;
        tdoc_match(d, s, GOODWILL, E_GOODWILL, LF_MATCH_COUNTED, false);
    }
}

static void adjacent_turns_and_parts(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc whole, p0, p1;
    build_exchange(&whole, -1);
    build_exchange(&p0, 0);
    build_exchange(&p1, 1);
    lf_tables *t = doc_speaker_tables(lex);
    lf_tables_add_doc(t, &whole.doc, &whole.toks, &whole.ms);
    /* Pairs: t0→t1 {betrayal}→{trust, goodwill}; t2→t3 {leverage}→{betrayal};
       t5→t6 {goodwill}→{}. Not pairs: t1→t2 (same speaker), t3→t4 and t4→t5 (gap). */
    static const cooc_want adj[] = {
        {LF_SCOPE_ADJACENT, LEVERAGE, BETRAYAL, 1, 1, 1, 3},
        {LF_SCOPE_ADJACENT, BETRAYAL, TRUST, 1, 1, 1, 3},
        {LF_SCOPE_ADJACENT, BETRAYAL, GOODWILL, 1, 1, 1, 3},
    };
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].dim != 0 || rows[i].scope != LF_SCOPE_ADJACENT)
            continue;
        assert_true(k < 3);
        assert_int_equal(rows[i].a, adj[k].a);
        assert_int_equal(rows[i].b, adj[k].b);
        assert_int_equal(rows[i].joint, adj[k].joint);
        assert_int_equal(rows[i].count_a, adj[k].ca);
        assert_int_equal(rows[i].count_b, adj[k].cb);
        assert_int_equal(rows[i].units, adj[k].units);
        k++;
    }
    assert_int_equal(k, 3);
    free(rows);
    lf_counts c;
    lf_totals tot;
    assert_true(lf_tables_group_counts(t, 0, "all", GOODWILL, &c, &tot));
    assert_int_equal(tot.adjacent, 3);
    assert_int_equal(c.firsts_with, 1);  /* t5 */
    assert_int_equal(c.replies_with, 1); /* t1 */
    /* Pairs count for the replying speaker: BETA answers once (t1), ALPHA twice. */
    assert_true(lf_tables_group_counts(t, 2, "BETA", GOODWILL, &c, &tot));
    assert_int_equal(tot.adjacent, 1);
    assert_true(lf_tables_group_counts(t, 2, "ALPHA", BETRAYAL, &c, &tot));
    assert_int_equal(tot.adjacent, 2);
    assert_int_equal(c.replies_with, 1);
    /* First appearances: betrayal at word 0 (turn 1), goodwill at word 6 of turn 2. */
    lf_first_row *fr;
    size_t nf = lf_tables_first(t, &fr);
    assert_int_equal(nf, 4);
    static const struct {
        uint32_t theme;
        uint64_t word, turn, sentence;
        const char *speaker;
    } first[] = {{BETRAYAL, 0, 1, 1, "ALPHA"}, {TRUST, 4, 2, 2, "BETA"},
                 {GOODWILL, 6, 2, 2, "BETA"},  {LEVERAGE, 8, 3, 3, "BETA"}};
    for (size_t i = 0; i < nf; i++) {
        assert_string_equal(fr[i].doc, "talk.txt");
        assert_int_equal(fr[i].theme, first[i].theme);
        assert_int_equal(fr[i].word, first[i].word);
        assert_int_equal(fr[i].turn, first[i].turn);
        assert_int_equal(fr[i].sentence, first[i].sentence);
        assert_string_equal(fr[i].speaker, first[i].speaker);
        assert_int_equal(fr[i].doc_words, 21);
        assert_int_equal(fr[i].line, 1);
    }
    free(fr);

    /* The same document in two parts gives the same tables: one document, pairs and
       document units across the split, word numbers continuing. */
    lf_tables *tp = doc_speaker_tables(lex);
    lf_tables_add_doc(tp, &p0.doc, &p0.toks, &p0.ms);
    lf_tables_add_doc(tp, &p1.doc, &p1.toks, &p1.ms);
    assert_same_tables(t, tp);
    assert_int_equal(lf_tables_stats(tp)->docs, 1);

    /* Leaving GAMMA out joins t3 and t5: {betrayal} answered by {goodwill}. */
    static const lf_group_kind kinds[] = {LF_GROUP_SPEAKER};
    lf_grouping store[1];
    lf_options o = tdoc_options(kinds, 1, store);
    const char *gamma[] = {"GAMMA"};
    o.exclude_speakers = gamma;
    o.n_exclude_speakers = 1;
    lf_tables *tx = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(tx, &whole.doc, &whole.toks, &whole.ms);
    assert_true(lf_tables_group_counts(tx, 0, "all", BETRAYAL, &c, &tot));
    assert_int_equal(tot.adjacent, 4);
    assert_int_equal(c.firsts_with, 2);
    n = lf_tables_cooc(tx, &rows);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        if (rows[i].dim == 0 && rows[i].scope == LF_SCOPE_ADJACENT && rows[i].a == BETRAYAL &&
            rows[i].b == GOODWILL) {
            assert_int_equal(rows[i].joint, 2);
            found = true;
        }
    assert_true(found);
    free(rows);
    lf_tables_free(tx);

    /* Merging with a table that saw another document keeps the minimum and the sums. */
    lf_tables *other = doc_speaker_tables(lex);
    tdoc a;
    build_doc_a(&a);
    lf_tables_add_doc(other, &a.doc, &a.toks, &a.ms);
    lf_tables *single = doc_speaker_tables(lex);
    lf_tables_add_doc(single, &whole.doc, &whole.toks, &whole.ms);
    lf_tables_add_doc(single, &a.doc, &a.toks, &a.ms);
    lf_tables_merge(tp, other);
    assert_same_tables(single, tp);

    lf_tables_free(single);
    lf_tables_free(other);
    lf_tables_free(tp);
    lf_tables_free(t);
    tdoc_free(&a);
    tdoc_free(&whole);
    tdoc_free(&p0);
    tdoc_free(&p1);
    free_lexicon(lex);
}

/* ---- terms ---- */

static void terms_entries_and_forms(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    static const char *const names[] = {"ENVOY", "MINISTER"};
    static const turn_spec turns[] = {{0, false, {4}, NULL}, {1, false, {4}, NULL}};
    tdoc d;
    tdoc_build(&d, "t.txt", names, 2, turns, 2, 0);
    tdoc_word(&d, 0, "Trus");
    tdoc_word(&d, 1, "trus");
    tdoc_word(&d, 2, "Conf");
    tdoc_word(&d, 4, "GOOD");
    tdoc_word(&d, 5, "Fait");
    tdoc_match_at(&d, 0, 0, 1, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 0, 1, 1, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 0, 2, 1, TRUST, E_CONFIDENCE, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 1, 4, 2, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 1, 6, 1, TRUST, E_TRUST, LF_MATCH_OVERLAP, false); /* not a term */
    static const lf_group_kind kinds[] = {LF_GROUP_SPEAKER};
    lf_grouping store[1];
    lf_options o = tdoc_options(kinds, 1, store);
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    lf_term_row *rows;
    size_t n = lf_tables_terms(t, &rows);
    /* Per group: entries by matches, then forms by matches and bytes; forms are
       case-folded, phrases joined by one space. */
    static const struct {
        const char *group;
        bool is_form;
        uint32_t entry;
        const char *form;
        uint64_t matches;
        double weight;
    } want[] = {
        {"all", false, E_TRUST, NULL, 3, 2.1},
        {"all", false, E_CONFIDENCE, NULL, 1, 0.1},
        {"all", true, 0, "trus", 2, 1.4},
        {"all", true, 0, "conf", 1, 0.1},
        {"all", true, 0, "good fait", 1, 0.7},
        {"ENVOY", false, E_TRUST, NULL, 2, 1.4},
        {"ENVOY", false, E_CONFIDENCE, NULL, 1, 0.1},
        {"ENVOY", true, 0, "trus", 2, 1.4},
        {"ENVOY", true, 0, "conf", 1, 0.1},
        {"MINISTER", false, E_TRUST, NULL, 1, 0.7},
        {"MINISTER", true, 0, "good fait", 1, 0.7},
    };
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows[i].group, want[i].group);
        assert_int_equal(rows[i].theme, TRUST);
        assert_int_equal(rows[i].is_form, want[i].is_form);
        if (want[i].is_form)
            assert_string_equal(rows[i].form, want[i].form);
        else
            assert_int_equal(rows[i].entry, want[i].entry);
        assert_int_equal(rows[i].matches, want[i].matches);
        assert_true(fabs(rows[i].weight - want[i].weight) < 1e-9);
    }
    free(rows);
    lf_tables_free(t);
    tdoc_free(&d);
    free_lexicon(lex);
}

static void compatibility(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    lf_options o;
    lf_options_init(&o);
    lf_tables *a = lf_tables_new_opts(lex, &o), *b = lf_tables_new(lex);
    assert_true(lf_tables_compatible(a, b));
    lf_tables_free(b);
    o.level = 1;
    b = lf_tables_new_opts(lex, &o);
    assert_false(lf_tables_compatible(a, b));
    lf_tables_free(b);
    o.level = 0;
    o.window = 3;
    b = lf_tables_new_opts(lex, &o);
    assert_false(lf_tables_compatible(a, b));
    lf_tables_free(b);
    o.window = 10;
    const char *x[] = {"Q"};
    o.exclude_speakers = x;
    o.n_exclude_speakers = 1;
    b = lf_tables_new_opts(lex, &o);
    assert_false(lf_tables_compatible(a, b));
    lf_tables_free(b);
    o.n_exclude_speakers = 0;
    lf_grouping g = {LF_GROUP_SPEAKER, NULL};
    o.groupings = &g;
    o.n_groupings = 1;
    b = lf_tables_new_opts(lex, &o);
    assert_false(lf_tables_compatible(a, b));
    assert_int_equal(lf_tables_dim_count(b), 2);
    lf_tables_free(b);
    /* A grouping asked twice is one grouping. */
    lf_grouping twice[] = {{LF_GROUP_META, "venue"}, {LF_GROUP_SPEAKER, NULL},
                           {LF_GROUP_META, "venue"}, {LF_GROUP_META, "chamber"}};
    o.groupings = twice;
    o.n_groupings = 4;
    b = lf_tables_new_opts(lex, &o);
    assert_int_equal(lf_tables_dim_count(b), 4);
    assert_string_equal(lf_tables_dim_name(b, 3), "meta:chamber");
    lf_tables_free(b);
    lf_tables_free(a);
    free_lexicon(lex);
}

/* ---- partial results: tables as text lines ---- */

static char *tables_text(const lf_tables *t, uint64_t *lines)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    *lines = lf_tables_write(t, fp);
    fclose(fp);
    return buf;
}

/* Reads text written by lf_tables_write into t, splitting and unescaping as merge does. */
static lf_status tables_read(lf_tables *t, const char *text, lf_error *err)
{
    char *copy = strdup(text);
    lf_status st = LF_OK;
    for (char *line = copy, *next; st == LF_OK && *line; line = next) {
        next = strchr(line, '\n');
        assert_non_null(next);
        *next++ = '\0';
        char *f[64];
        size_t n = 0;
        f[n++] = line;
        for (char *p = line; (p = strchr(p, '\t')) != NULL;) {
            *p++ = '\0';
            f[n++] = p;
        }
        for (size_t i = 1; i < n; i++)
            assert_true(lf_unescape(f[i]));
        assert_true(lf_tables_line_tag(f[0]));
        st = lf_tables_read_line(t, f, n, "p:1", err);
    }
    free(copy);
    return st;
}

static void tables_write_read_round_trip(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a, b;
    build_doc_a(&a);
    build_doc_b(&b);
    lf_tables *single = lf_tables_new(lex), *ta = lf_tables_new(lex), *tb = lf_tables_new(lex);
    for (int i = 0; i < 7; i++) {
        lf_tables_add_doc(single, &a.doc, &a.toks, &a.ms);
        lf_tables_add_doc(ta, &a.doc, &a.toks, &a.ms);
    }
    for (int i = 0; i < 5; i++) {
        lf_tables_add_doc(single, &b.doc, &b.toks, &b.ms);
        lf_tables_add_doc(tb, &b.doc, &b.toks, &b.ms);
    }
    uint64_t lines;
    char *text = tables_text(single, &lines);
    assert_true(lines > 20);
    size_t nl = 0;
    for (const char *p = text; *p; p++)
        nl += *p == '\n';
    assert_int_equal(nl, lines);

    /* read back: the same tables, written as the same bytes */
    lf_error err = {LF_OK, ""};
    lf_tables *back = lf_tables_new(lex);
    assert_int_equal(tables_read(back, text, &err), LF_OK);
    assert_same_tables(single, back);
    uint64_t lines2;
    char *text2 = tables_text(back, &lines2);
    assert_string_equal(text, text2);

    /* two partials read and merged in either order give the single table's bytes */
    uint64_t la, lb;
    char *xa = tables_text(ta, &la), *xb = tables_text(tb, &lb);
    for (int order = 0; order < 2; order++) {
        lf_tables *m = lf_tables_new(lex), *ra = lf_tables_new(lex), *rb = lf_tables_new(lex);
        assert_int_equal(tables_read(ra, xa, &err), LF_OK);
        assert_int_equal(tables_read(rb, xb, &err), LF_OK);
        lf_tables_merge(m, order ? rb : ra);
        lf_tables_merge(m, order ? ra : rb);
        uint64_t lm;
        char *xm = tables_text(m, &lm);
        assert_string_equal(xm, text);
        free(xm);
        lf_tables_free(m);
        lf_tables_free(ra);
        lf_tables_free(rb);
    }

    /* damaged lines are refused with the place */
    static const char *const bad[] = {
        "count\t0\t99\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\n", /* no theme 99 */
        "group\t0\tall\t1\t1\t1\t1\t1\n",                /* a field short */
        "joint\t0\t9\t0\t1\t1\n",                        /* no scope 9 */
        "term\t0\t0\tentry\t999\t1\t0\t0\n",             /* no entry 999 */
        "docrec\td\t1\n", /* a document without its group in the grouping by document */
        "first\t0\t0\t1\t1\t1\t1\tS\n",                  /* no document yet */
        "stats\t1\t2\n",
        "count\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t-1\t5000000000\n", /* nanos out of range */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lf_tables *t = lf_tables_new(lex);
        assert_int_equal(tables_read(t, bad[i], &err), LF_ERR_INPUT);
        assert_int_equal(strncmp(err.message, "p:1: ", 5), 0);
        lf_tables_free(t);
    }
    lf_tables *twice = lf_tables_new(lex);
    assert_int_equal(tables_read(twice, "group\t1\td\t1\t1\t1\t1\t1\t0\ndocrec\td\t1\n"
                                        "docrec\td\t1\n",
                                 &err),
                     LF_ERR_INPUT);
    assert_string_equal(err.message, "p:1: document listed twice"); /* "p:1": every line */
    lf_tables_free(twice);
    free(xa);
    free(xb);
    free(text);
    free(text2);
    lf_tables_free(back);
    lf_tables_free(single);
    lf_tables_free(ta);
    lf_tables_free(tb);
    tdoc_free(&a);
    tdoc_free(&b);
    free_lexicon(lex);
}

/* Weights near the end of int64_t (only hand-made partial results hold them) add up
 * without overflowing (UBSan aborted on it): the sum stays at the end of the range. */
static void huge_weights_merge_without_overflow(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    lf_error err = {LF_OK, ""};
    static const char *const lines =
        "group\t0\tall\t10\t2\t1\t1\t1\t0\n"
        "count\t0\t0\t1\t0\t1\t1\t1\t1\t1\t0\t9223372036854775807\t999999999\n";
    lf_tables *a = lf_tables_new(lex), *b = lf_tables_new(lex), *m = lf_tables_new(lex);
    assert_int_equal(tables_read(a, lines, &err), LF_OK);
    assert_int_equal(tables_read(b, lines, &err), LF_OK);
    lf_tables_merge(m, a);
    lf_tables_merge(m, b);
    lf_freq_row *rows;
    size_t n = lf_tables_freq(m, &rows);
    const lf_freq_row *r = find_row(rows, n, LF_GROUP_CORPUS, "all", TRUST);
    assert_int_equal(r->c.matches, 2);
    assert_true(r->c.weight > 9.2e18 && r->c.weight < 9.3e18);
    free(rows);
    lf_tables_free(m);
    lf_tables_free(a);
    lf_tables_free(b);
    free_lexicon(lex);
}

/* A match a context rule suppressed (status excluded, context set) is counted apart from
 * the exclusions, in no theme's figures, and survives a partial's write, read and merge. */
static void context_suppressions_counted_apart(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a;
    build_doc_a(&a);
    tdoc_match(&a, 5, GOODWILL, E_GOODWILL, LF_MATCH_EXCLUDED, false);
    a.ms.m[a.ms.n - 1].context = true;
    lf_tables *t = lf_tables_new(lex);
    lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
    lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
    const lf_corpus_stats *s = lf_tables_stats(t);
    assert_int_equal(s->suppressed_excluded, 2); /* doc A's own exclusion, twice */
    assert_int_equal(s->suppressed_context, 2);
    assert_int_equal(lf_stats_suppressed(s), 8);
    lf_freq_row *rows;
    size_t n = lf_tables_freq(t, &rows);
    check_counts(find_row(rows, n, LF_GROUP_CORPUS, "all", GOODWILL), 0, 0, 0.0, 0, 0);
    free(rows);

    uint64_t lines;
    char *text = tables_text(t, &lines);
    lf_error err = {LF_OK, ""};
    lf_tables *back = lf_tables_new(lex), *m = lf_tables_new(lex);
    assert_int_equal(tables_read(back, text, &err), LF_OK);
    assert_int_equal(lf_tables_stats(back)->suppressed_context, 2);
    lf_tables_merge(m, back);
    lf_tables_merge(m, t);
    assert_int_equal(lf_tables_stats(m)->suppressed_context, 4);
    assert_int_equal(lf_tables_stats(m)->suppressed_excluded, 4);
    free(text);
    lf_tables_free(m);
    lf_tables_free(back);
    lf_tables_free(t);
    tdoc_free(&a);
    free_lexicon(lex);
}

/* ---- streamed rows ---- */

enum { N_STREAM_DOCS = 60 };

/* Document k: three turns of one 6-word sentence (speakers S<k%5> and S<(k+1)%5>), and in
 * sentence s, when (k + s) % 3 != 0, a match of theme (k + s) % 4 on its first word: the
 * themes of a document are distinct, so every match is a first appearance. */
static bool stream_match(unsigned k, unsigned s, uint32_t *theme)
{
    *theme = (k + s) % N_THEMES;
    return (k + s) % 3 != 0;
}

static void stream_doc(tdoc *d, unsigned k, char id[16])
{
    static const char *const pool[] = {"S0", "S1", "S2", "S3", "S4"};
    static const uint32_t entry_of[N_THEMES] = {E_TRUST, E_LEVERAGE, E_BETRAY, E_GOODWILL};
    const char *names[2] = {pool[k % 5], pool[(k + 1) % 5]};
    static const turn_spec turns[] = {{0, false, {6}, NULL}, {1, false, {6}, NULL},
                                      {0, false, {6}, NULL}};
    snprintf(id, 16, "d%03u.txt", k);
    tdoc_build(d, id, names, 2, turns, 3, 0); /* d borrows id */
    for (unsigned s = 0; s < 3; s++) {
        uint32_t th;
        if (stream_match(k, s, &th))
            tdoc_match(d, s, th, entry_of[th], LF_MATCH_COUNTED, false);
    }
}

/* Documents added in a scrambled order, to one table or split over two that are merged
 * (in the other order). */
static lf_tables *stream_tables(const struct lf_lexicon *lex, bool split)
{
    lf_tables *t = lf_tables_new(lex), *u = split ? lf_tables_new(lex) : t;
    for (unsigned i = 0; i < N_STREAM_DOCS; i++) {
        unsigned k = (i * 37 + 11) % N_STREAM_DOCS;
        tdoc d;
        char id[16];
        stream_doc(&d, k, id);
        lf_tables_add_doc(k % 2 ? t : u, &d.doc, &d.toks, &d.ms);
        tdoc_free(&d);
    }
    if (split) {
        lf_tables_merge(u, t);
        lf_tables_free(t);
    }
    return u;
}

static int group_row_cmp(uint32_t dim_a, const char *a, uint32_t dim_b, const char *b)
{
    if (dim_a != dim_b)
        return dim_a < dim_b ? -1 : 1;
    return strcmp(a, b);
}

/* The iterators give every row once, in order, whatever order the documents came in;
 * the arrays built from them agree. */
static void streamed_rows_complete_and_ordered(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    for (int split = 0; split < 2; split++) {
        lf_tables *t = stream_tables(lex, split);
        int doc_dim = lf_tables_find_dim(t, LF_GROUP_DOCUMENT);
        assert_true(doc_dim > 0);

        /* every group × theme, ascending; the document rows hold each document's counts */
        lf_freq_iter *it = lf_freq_iter_new(t, -1, true);
        lf_freq_row r, prev = {0};
        size_t n = 0, n_doc_rows = 0;
        uint64_t doc_matches = 0;
        while (lf_freq_iter_next(it, &r)) {
            if (n % N_THEMES == 0) {
                assert_int_equal(r.theme, 0);
                if (n)
                    assert_true(group_row_cmp(prev.dim, prev.group, r.dim, r.group) < 0);
            } else {
                assert_int_equal(r.theme, prev.theme + 1);
                assert_int_equal(r.dim, prev.dim);
                assert_string_equal(r.group, prev.group);
            }
            if (r.dim == (uint32_t)doc_dim) {
                unsigned k = (unsigned)(n_doc_rows / N_THEMES);
                char id[16];
                snprintf(id, sizeof id, "d%03u.txt", k);
                assert_string_equal(r.group, id);
                uint64_t want = 0;
                for (unsigned s = 0; s < 3; s++) {
                    uint32_t th;
                    want += stream_match(k, s, &th) && th == r.theme;
                }
                assert_int_equal(r.c.matches, want);
                assert_int_equal(r.c.sents_with, want);
                assert_int_equal(r.t.words, 18);
                doc_matches += r.c.matches;
                n_doc_rows++;
            }
            prev = r;
            n++;
        }
        lf_freq_iter_free(it);
        assert_int_equal(n_doc_rows, N_STREAM_DOCS * N_THEMES);
        assert_int_equal(doc_matches, lf_tables_stats(t)->matches_counted);
        /* 1 corpus + 60 documents + 5 speakers + party, role and period: one group each */
        assert_int_equal(n, (1 + N_STREAM_DOCS + 5 + 3) * N_THEMES);
        lf_freq_row *rows;
        assert_int_equal(lf_tables_freq(t, &rows), n);
        assert_string_equal(rows[n - 1].group, prev.group);
        free(rows);

        /* one grouping; without documents */
        it = lf_freq_iter_new(t, doc_dim, true);
        n = 0;
        while (lf_freq_iter_next(it, &r)) {
            assert_int_equal(r.dim, doc_dim);
            n++;
        }
        lf_freq_iter_free(it);
        assert_int_equal(n, N_STREAM_DOCS * N_THEMES);
        it = lf_freq_iter_new(t, -1, false);
        n = 0;
        while (lf_freq_iter_next(it, &r)) {
            assert_int_not_equal(r.kind, LF_GROUP_DOCUMENT);
            n++;
        }
        lf_freq_iter_free(it);
        assert_int_equal(n, (1 + 5 + 3) * N_THEMES);
        lf_group_iter *gi = lf_group_iter_new(t, lf_tables_find_dim(t, LF_GROUP_SPEAKER), true);
        lf_group_row g;
        for (unsigned i = 0; i < 5; i++) {
            char name[4];
            snprintf(name, sizeof name, "S%u", i);
            assert_true(lf_group_iter_next(gi, &g));
            assert_string_equal(g.group, name);
        }
        assert_false(lf_group_iter_next(gi, &g));
        lf_group_iter_free(gi);

        /* first appearances: by document id, then word */
        lf_first_iter *fi = lf_first_iter_new(t);
        lf_first_row f;
        n = 0;
        for (unsigned k = 0; k < N_STREAM_DOCS; k++)
            for (unsigned s = 0; s < 3; s++) {
                uint32_t th;
                if (!stream_match(k, s, &th))
                    continue;
                char id[16];
                snprintf(id, sizeof id, "d%03u.txt", k);
                assert_true(lf_first_iter_next(fi, &f));
                assert_string_equal(f.doc, id);
                assert_int_equal(f.theme, th);
                assert_int_equal(f.word, 6 * s);
                assert_int_equal(f.sentence, s + 1);
                assert_int_equal(f.doc_words, 18);
                char sp[4];
                snprintf(sp, sizeof sp, "S%u", (k + (s == 1)) % 5);
                assert_string_equal(f.speaker, sp);
                n++;
            }
        assert_false(lf_first_iter_next(fi, &f));
        lf_first_iter_free(fi);
        lf_first_row *fr;
        assert_int_equal(lf_tables_first(t, &fr), n);
        free(fr);
        lf_tables_free(t);
    }
    free_lexicon(lex);
}

/* ---- units from themes in any order, against a count by brute force ---- */

enum { MANY_THEMES = 40, MANY_WINDOW = 4 };

/* MANY_THEMES themes, entry i for theme i. */
static struct lf_lexicon *make_many_lexicon(void)
{
    struct lf_lexicon *lex = lf_xcalloc(1, sizeof *lex);
    static char ids[MANY_THEMES][8];
    lex->themes = lf_xcalloc(MANY_THEMES, sizeof *lex->themes);
    lex->entries = lf_xcalloc(MANY_THEMES, sizeof *lex->entries);
    lex->n_themes = lex->n_entries = MANY_THEMES;
    for (uint32_t i = 0; i < MANY_THEMES; i++) {
        snprintf(ids[i], sizeof ids[i], "t%02u", i);
        lex->themes[i] = (lf_theme){.id = ids[i], .label = ids[i], .description = "",
                                    .parent = -1, .depth = 1, .neg = LF_NEG_COUNT,
                                    .neg_target = -1};
        lex->entries[i] = (lf_entry){.theme = i, .weight = 1.0, .has_weight = true,
                                     .source = ids[i], .file = "many.lexicon",
                                     .line = i + 1};
    }
    return lex;
}

/* Theme sets of a document's units, by brute force over its matches (all counted). */
typedef struct many_units {
    bool sent[TDOC_MAX_SENT][MANY_THEMES];
    bool turn[8][MANY_THEMES];
    bool win[TDOC_MAX_TOK][MANY_THEMES]; /* by window start */
    bool doc[MANY_THEMES];
    uint32_t win_first[8], win_n[8];     /* each turn's window starts */
} many_units;

static void many_units_count(const tdoc *d, many_units *u)
{
    memset(u, 0, sizeof *u);
    for (size_t i = 0; i < d->doc.n_turns; i++) {
        const lf_turn_range *r = &d->toks.turn[i];
        uint32_t words = r->tok_end - r->tok_first;
        u->win_first[i] = r->tok_first;
        u->win_n[i] = words == 0 ? 0 : words <= MANY_WINDOW ? 1 : words - MANY_WINDOW + 1;
    }
    for (size_t k = 0; k < d->ms.n; k++) {
        const lf_match *m = &d->ms.m[k];
        uint32_t turn = d->toks.sent[m->sentence].turn;
        u->sent[m->sentence][m->theme] = true;
        u->turn[turn][m->theme] = true;
        u->doc[m->theme] = true;
        for (uint32_t w = 0; w < u->win_n[turn]; w++) {
            uint32_t start = u->win_first[turn] + w;
            if (start <= m->tok_start && m->tok_start < start + MANY_WINDOW)
                u->win[start][m->theme] = true;
        }
    }
}

/* Units of `scope` of the turns of speaker `sp` (-1: every turn) holding theme a (and b,
 * when b >= 0). */
static uint64_t many_units_with(const tdoc *d, const many_units *u, lf_scope scope, int sp,
                                int a, int b)
{
    uint64_t n = 0;
    if (scope == LF_SCOPE_DOCUMENT) {
        bool any_a = false, any_b = b < 0;
        for (size_t i = 0; i < d->doc.n_turns; i++)
            if (sp < 0 || d->doc.turns[i].speaker == sp) {
                any_a = any_a || u->turn[i][a];
                any_b = any_b || (b >= 0 && u->turn[i][b]);
            }
        return any_a && any_b;
    }
    for (size_t i = 0; i < d->doc.n_turns; i++) {
        if (sp >= 0 && d->doc.turns[i].speaker != sp)
            continue;
        const lf_turn_range *r = &d->toks.turn[i];
        if (scope == LF_SCOPE_TURN)
            n += u->turn[i][a] && (b < 0 || u->turn[i][b]);
        for (uint32_t s = r->sent_first; s < r->sent_end && scope == LF_SCOPE_SENTENCE; s++)
            n += u->sent[s][a] && (b < 0 || u->sent[s][b]);
        for (uint32_t w = 0; w < u->win_n[i] && scope == LF_SCOPE_WINDOW; w++) {
            uint32_t start = u->win_first[i] + w;
            n += u->win[start][a] && (b < 0 || u->win[start][b]);
        }
    }
    return n;
}

/* Themes come to a sentence, a turn, a window and a document in any order and repeated
 * (several themes on one word, descending theme indexes, runs of matches word after
 * word): every unit count and every pair, with theme a below theme b, is what a count by
 * brute force gives — for the few themes of a short sentence as for the many of a long
 * one, where the gathered (unit, theme) pairs are far from sorted. */
static void units_from_unordered_themes(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_many_lexicon();
    static const char *const names[] = {"ASK", "ANSWER"};
    static const turn_spec turns[] = {
        {0, false, {12, 8}, NULL}, {1, false, {120}, NULL}, {0, false, {6, 3, 5}, NULL},
        {1, false, {30, 9}, NULL},
    };
    tdoc d;
    tdoc_build(&d, "many.txt", names, 2, turns, 4, 0);
    /* s0: three themes, descending, one repeated; s1: one word matched by two themes */
    static const uint32_t s0[][2] = {{1, 7}, {4, 3}, {6, 7}, {9, 2}};
    for (size_t k = 0; k < sizeof s0 / sizeof s0[0]; k++)
        tdoc_match_at(&d, 0, s0[k][0], 1, s0[k][1], s0[k][1], LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 1, 14, 2, 30, 30, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 1, 14, 1, 5, 5, LF_MATCH_COUNTED, false);
    /* s2 (120 words): a match on every word, every theme three times over in descending
       order, and some words matched twice */
    for (uint32_t w = 0; w < 120; w++) {
        uint32_t th = MANY_THEMES - 1 - w % MANY_THEMES, other = (th * 3 + 1) % MANY_THEMES;
        if (w % 9 == 4 && other < th) /* a word's matches come by theme */
            tdoc_match_at(&d, 2, 20 + w, 1, other, other, LF_MATCH_COUNTED, false);
        tdoc_match_at(&d, 2, 20 + w, 1, th, th, LF_MATCH_COUNTED, false);
        if (w % 9 == 4 && other > th)
            tdoc_match_at(&d, 2, 20 + w, 1, other, other, LF_MATCH_COUNTED, false);
    }
    /* s3..s5: a few, then every theme on each word of s5 */
    tdoc_match_at(&d, 3, 141, 1, 12, 12, LF_MATCH_COUNTED, false);
    tdoc_match_at(&d, 4, 146, 1, 2, 2, LF_MATCH_COUNTED, false);
    for (uint32_t w = 149; w < 154; w++)
        for (uint32_t th = 0; th < MANY_THEMES; th++)
            tdoc_match_at(&d, 5, w, 1, th, th, LF_MATCH_COUNTED, false);
    /* s6 (30 words): every third word, themes falling by 3 */
    for (uint32_t w = 0; w < 30; w += 3)
        tdoc_match_at(&d, 6, 154 + w, 1, 39 - w, 39 - w, LF_MATCH_COUNTED, false);
    many_units u;
    many_units_count(&d, &u);

    static const lf_group_kind kinds[] = {LF_GROUP_DOCUMENT, LF_GROUP_SPEAKER};
    lf_grouping store[2];
    lf_options o = tdoc_options(kinds, 2, store);
    o.window = MANY_WINDOW;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);

    /* groups: (dim, name, speaker whose turns it holds; -1: all) */
    static const struct {
        uint32_t dim;
        const char *name;
        int sp;
    } groups[] = {{0, "all", -1}, {1, "many.txt", -1}, {2, "ASK", 0}, {2, "ANSWER", 1}};
    static const lf_scope scopes[] = {LF_SCOPE_SENTENCE, LF_SCOPE_TURN, LF_SCOPE_WINDOW,
                                      LF_SCOPE_DOCUMENT};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (int a = 0; a < MANY_THEMES; a++) {
            lf_counts c;
            assert_true(lf_tables_group_counts(t, groups[g].dim, groups[g].name, (uint32_t)a,
                                               &c, NULL));
            assert_int_equal(c.sents_with,
                             many_units_with(&d, &u, LF_SCOPE_SENTENCE, groups[g].sp, a, -1));
            assert_int_equal(c.turns_with,
                             many_units_with(&d, &u, LF_SCOPE_TURN, groups[g].sp, a, -1));
            assert_int_equal(c.windows_with,
                             many_units_with(&d, &u, LF_SCOPE_WINDOW, groups[g].sp, a, -1));
            assert_int_equal(c.docs_with,
                             many_units_with(&d, &u, LF_SCOPE_DOCUMENT, groups[g].sp, a, -1));
        }
    /* every row is a pair the brute force has, and it has no other */
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows), want_rows = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].scope == LF_SCOPE_ADJACENT)
            continue;
        assert_true(rows[i].a < rows[i].b);
        int sp = -1;
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            if (rows[i].dim == groups[g].dim && strcmp(rows[i].group, groups[g].name) == 0)
                sp = groups[g].sp;
        assert_int_equal(rows[i].joint, many_units_with(&d, &u, rows[i].scope, sp,
                                                        (int)rows[i].a, (int)rows[i].b));
    }
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++)
            for (int a = 0; a < MANY_THEMES; a++)
                for (int b = a + 1; b < MANY_THEMES; b++)
                    want_rows += many_units_with(&d, &u, scopes[s], groups[g].sp, a, b) > 0;
    size_t got_rows = 0;
    for (size_t i = 0; i < n; i++)
        got_rows += rows[i].scope != LF_SCOPE_ADJACENT;
    assert_int_equal(got_rows, want_rows);
    free(rows);
    lf_tables_free(t);
    tdoc_free(&d);
    free_lexicon(lex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frequencies_by_group),      cmocka_unit_test(cooccurrence_per_scope),
        cmocka_unit_test(entry_table_order),         cmocka_unit_test(merge_equals_single_table),
        cmocka_unit_test(empty_table_and_names),     cmocka_unit_test(many_documents_scale),
        cmocka_unit_test(groupings_and_periods),     cmocka_unit_test(dates_and_grouping_names),
        cmocka_unit_test(speaker_filters),           cmocka_unit_test(level_rollup),
        cmocka_unit_test(window_scope_by_hand),      cmocka_unit_test(adjacent_turns_and_parts),
        cmocka_unit_test(terms_entries_and_forms),   cmocka_unit_test(compatibility),
        cmocka_unit_test(tables_write_read_round_trip),
        cmocka_unit_test(context_suppressions_counted_apart),
        cmocka_unit_test(huge_weights_merge_without_overflow),
        cmocka_unit_test(streamed_rows_complete_and_ordered),
        cmocka_unit_test(units_from_unordered_themes),
    };
    return cmocka_run_group_tests_name("aggregate", tests, NULL, NULL);
}
