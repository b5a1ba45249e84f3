/* test_aggregate.c — stage 4 on hand-built documents with counts worked out by hand:
 * corpus/document/speaker groups (unattributed and gap turns included), negation policies,
 * suppressed statuses, units with a theme, co-occurrence per scope, the entry table, and
 * merge giving exactly the single-table rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"

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

/* ---- hand-built documents ---- */

typedef struct turn_spec {
    int32_t speaker;
    bool gap;
    uint32_t sent_words[4]; /* words per sentence, 0-terminated */
} turn_spec;

typedef struct tdoc {
    lf_doc doc;
    lf_tokens toks;
    lf_matches ms;
} tdoc;

static void tdoc_build(tdoc *d, const char *id, const char *const *names, size_t n_names,
                       const turn_spec *turns, size_t n_turns, size_t n_strips)
{
    memset(d, 0, sizeof *d);
    d->doc.id = id;
    d->doc.path = id;
    d->doc.speakers = lf_xcalloc(n_names, sizeof(lf_speaker));
    for (size_t i = 0; i < n_names; i++)
        d->doc.speakers[i] = (lf_speaker){.label = names[i], .name = names[i]};
    d->doc.n_speakers = n_names;
    d->doc.turns = lf_xcalloc(n_turns, sizeof(lf_turn));
    d->doc.n_turns = n_turns;
    d->doc.strips = lf_xcalloc(n_strips, sizeof(lf_strip));
    d->doc.n_strips = n_strips;
    d->toks.turn = lf_xcalloc(n_turns, sizeof(lf_turn_range));
    d->toks.n_turn = n_turns;
    d->toks.sent = lf_xcalloc(32, sizeof(lf_sentence));
    d->toks.tok = lf_xcalloc(256, sizeof(lf_token));
    d->ms.m = lf_xcalloc(64, sizeof(lf_match));
    uint32_t tok = 0, sent = 0;
    for (size_t i = 0; i < n_turns; i++) {
        d->doc.turns[i] = (lf_turn){.speaker = turns[i].speaker, .line = (uint32_t)i + 1,
                                    .gap = turns[i].gap};
        lf_turn_range *r = &d->toks.turn[i];
        r->tok_first = tok;
        r->sent_first = sent;
        for (size_t s = 0; s < 4 && turns[i].sent_words[s]; s++) {
            d->toks.sent[sent] = (lf_sentence){tok, tok + turns[i].sent_words[s], (uint32_t)i};
            for (uint32_t w = 0; w < turns[i].sent_words[s]; w++)
                d->toks.tok[tok++] = (lf_token){.start = tok * 5, .end = tok * 5 + 4,
                                                .sentence = sent};
            sent++;
        }
        r->tok_end = tok;
        r->sent_end = sent;
    }
    d->toks.n_tok = tok;
    d->toks.n_sent = sent;
}

/* A match on the first word of sentence `s`. */
static void tdoc_match(tdoc *d, uint32_t s, uint32_t theme, uint32_t entry,
                       lf_match_status status, bool negated)
{
    uint32_t t = d->toks.sent[s].tok_first;
    d->ms.m[d->ms.n++] = (lf_match){.tok_start = t, .tok_end = t + 1, .sentence = s,
                                    .theme = theme, .entry = entry,
                                    .negator = negated ? (int32_t)t : -1,
                                    .status = (uint8_t)status, .negated = negated};
}

static void tdoc_free(tdoc *d)
{
    free(d->doc.speakers);
    free(d->doc.turns);
    free(d->doc.strips);
    free(d->toks.turn);
    free(d->toks.sent);
    free(d->toks.tok);
    free(d->ms.m);
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
        {-1, false, {3}}, {0, false, {4, 5}}, {1, false, {6}}, {0, true, {0}}, {1, false, {2, 3}},
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
    static const turn_spec turns[] = {{0, false, {5}}, {1, false, {4, 4}}, {1, true, {0}}};
    tdoc_build(d, "b.txt", names, 2, turns, 3, 0);
    tdoc_match(d, 0, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
    tdoc_match(d, 0, TRUST, E_TRUST, LF_MATCH_COUNTED, false);
    tdoc_match(d, 1, BETRAYAL, E_BETRAY, LF_MATCH_COUNTED, false);
    tdoc_match(d, 1, BETRAYAL, E_GOODWILL, LF_MATCH_COUNTED, true); /* moved */
    tdoc_match(d, 2, TRUST, E_TRUST, LF_MATCH_COUNTED, true);
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
    lf_tables *t = lf_tables_new(lex);
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
    lf_totals tot;
    assert_true(lf_tables_group_totals(t, LF_GROUP_SPEAKER, "ENVOY", &tot));
    assert_int_equal(tot.words, 9);
    assert_false(lf_tables_group_totals(t, LF_GROUP_SPEAKER, "ANALYST", &tot));

    lf_tables_free(t);
    tdoc_free(&a);
    free_lexicon(lex);
}

static void cooccurrence_per_scope(void **state)
{
    (void)state;
    struct lf_lexicon *lex = make_lexicon();
    tdoc a;
    build_doc_a(&a);
    lf_tables *t = lf_tables_new(lex);
    lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows);
    /* Sentences with counted themes: s0 {betrayal}, s1 {trust, leverage}, s2 {trust},
       s5 {trust, leverage}; s3 holds only uncounted matches. Turns: t0 {betrayal},
       t1 {trust, leverage}, t4 {trust, leverage}. */
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].scope, LF_SCOPE_SENTENCE);
    assert_int_equal(rows[0].a, TRUST);
    assert_int_equal(rows[0].b, LEVERAGE);
    assert_int_equal(rows[0].joint, 2);
    assert_int_equal(rows[0].count_a, 3);
    assert_int_equal(rows[0].count_b, 2);
    assert_int_equal(rows[0].units, 6);
    assert_int_equal(rows[1].scope, LF_SCOPE_TURN);
    assert_int_equal(rows[1].joint, 2);
    assert_int_equal(rows[1].count_a, 2);
    assert_int_equal(rows[1].count_b, 2);
    assert_int_equal(rows[1].units, 5); /* the gap turn is a unit too */
    free(rows);

    /* Doc B adds betrayal+trust in a sentence and a turn. */
    tdoc b;
    build_doc_b(&b);
    lf_tables_add_doc(t, &b.doc, &b.toks, &b.ms);
    n = lf_tables_cooc(t, &rows);
    assert_int_equal(n, 4);
    static const struct {
        lf_scope scope;
        uint32_t a, b;
        uint64_t joint, ca, cb, units;
    } want[] = {
        {LF_SCOPE_SENTENCE, TRUST, LEVERAGE, 2, 5, 2, 9},
        {LF_SCOPE_SENTENCE, TRUST, BETRAYAL, 1, 5, 3, 9},
        {LF_SCOPE_TURN, TRUST, LEVERAGE, 2, 4, 2, 8},
        {LF_SCOPE_TURN, TRUST, BETRAYAL, 2, 4, 3, 8},
    };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].scope, want[i].scope);
        assert_int_equal(rows[i].a, want[i].a);
        assert_int_equal(rows[i].b, want[i].b);
        assert_int_equal(rows[i].joint, want[i].joint);
        assert_int_equal(rows[i].count_a, want[i].ca);
        assert_int_equal(rows[i].count_b, want[i].cb);
        assert_int_equal(rows[i].units, want[i].units);
    }
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
    assert_memory_equal(cx, cy, nx * sizeof *cx);
    free(cx);
    free(cy);
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
    lf_tables_merge(m2, ta);
    assert_same_tables(single, m1);
    assert_same_tables(single, m2);

    /* Adding to a merged table keeps counting documents correctly. */
    lf_tables_add_doc(m1, &b.doc, &b.toks, &b.ms);
    lf_tables_add_doc(single, &b.doc, &b.toks, &b.ms);
    assert_same_tables(single, m1);
    lf_freq_row *fr;
    size_t nf = lf_tables_freq(m1, &fr);
    check_totals(find_row(fr, nf, LF_GROUP_SPEAKER, "MINISTER", TRUST), 7 * 11 + 6 * 5,
                 7 * 3 + 6 * 1, 7 * 2 + 6 * 1, 13);
    assert_true(fabs(find_row(fr, nf, LF_GROUP_CORPUS, "all", TRUST)->c.weight -
                     (7 * 1.7 + 6 * 1.4)) < 1e-9);
    free(fr);

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
    lf_tables *t = lf_tables_new(lex);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frequencies_by_group),      cmocka_unit_test(cooccurrence_per_scope),
        cmocka_unit_test(entry_table_order),         cmocka_unit_test(merge_equals_single_table),
        cmocka_unit_test(empty_table_and_names),     cmocka_unit_test(many_documents_scale),
    };
    return cmocka_run_group_tests_name("aggregate", tests, NULL, NULL);
}
