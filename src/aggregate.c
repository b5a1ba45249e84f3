/* aggregate.c — stage 4: folds each document's matches into additive count tables: totals
 * and per-theme counts for the corpus, each document and each speaker; theme co-occurrence
 * per sentence and per turn; counted matches per lexicon entry; corpus statistics.
 * Everything is a sum (weights in exact fixed point), so merging tables of separate runs
 * gives exactly the single-run table. Work per document is proportional to its size. */
#include "aggregate.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A sum of weights in fixed point: whole units plus billionths in [0, 1e9). Integer sums
 * are associative, so the order of documents and merges never changes a bit of the
 * result, which a double sum cannot promise. */
typedef struct fixed_sum {
    int64_t units;
    int64_t nanos;
} fixed_sum;

#define NANOS_PER_UNIT 1000000000LL

static fixed_sum fixed_from_double(double w)
{
    fixed_sum f = {0, 0};
    if (!isfinite(w))
        return f;
    double whole = floor(w);
    f.units = (int64_t)whole;
    f.nanos = (int64_t)llround((w - whole) * (double)NANOS_PER_UNIT);
    if (f.nanos >= NANOS_PER_UNIT) {
        f.units++;
        f.nanos -= NANOS_PER_UNIT;
    }
    return f;
}

static void fixed_add(fixed_sum *into, fixed_sum x)
{
    into->units += x.units;
    into->nanos += x.nanos;
    if (into->nanos >= NANOS_PER_UNIT) {
        into->units++;
        into->nanos -= NANOS_PER_UNIT;
    }
}

static double fixed_to_double(fixed_sum f)
{
    return (double)f.units + (double)f.nanos / (double)NANOS_PER_UNIT;
}

/* Counts of one theme in one group, as kept internally. */
typedef struct theme_counts {
    uint64_t matches, negated, turns_with, sents_with;
    fixed_sum weight;
} theme_counts;

typedef struct group {
    lf_group_kind kind;
    const char *name;      /* owned by the kind's name map */
    lf_totals totals;
    uint64_t last_doc;     /* serial of the last document that touched it (docs count) */
    theme_counts *counts;  /* n_themes */
} group;

/* Joint counts of theme pairs: open addressing on key (a << 32 | b); count 0 = empty. */
typedef struct pair_slot {
    uint64_t key;
    uint64_t count;
} pair_slot;

typedef struct pair_map {
    pair_slot *slots;
    size_t cap, n;
} pair_map;

/* A (unit, theme) pair gathered while reading one document's matches. */
typedef struct unit_theme {
    uint32_t unit, theme;
} unit_theme;

struct lf_tables {
    const lf_lexicon *lex;
    size_t n_themes, n_entries;
    fixed_sum *entry_weight; /* per entry, converted once */
    LF_VEC(group) groups;
    lf_strmap names[LF_GROUP_KIND_COUNT];
    uint64_t doc_serial;
    uint64_t *theme_units[LF_SCOPE_COUNT]; /* units containing each theme */
    pair_map joint[LF_SCOPE_COUNT];
    uint64_t *entry_matches;  /* counted matches per entry, in the entry's own theme */
    pair_map entry_moved;     /* (entry << 32 | theme): counted after a negation move */
    lf_corpus_stats stats;
    /* Per-document scratch, kept to reuse allocations. */
    LF_VEC(uint32_t) turn_group;
    LF_VEC(uint32_t) speaker_group;
    LF_VEC(unit_theme) sent_hits;
    LF_VEC(unit_theme) turn_hits;
};

const char *lf_group_kind_name(lf_group_kind k)
{
    static const char *const names[] = {
        [LF_GROUP_CORPUS] = "corpus",
        [LF_GROUP_DOCUMENT] = "document",
        [LF_GROUP_SPEAKER] = "speaker",
    };
    _Static_assert(sizeof names / sizeof names[0] == LF_GROUP_KIND_COUNT,
                   "every group kind has a name");
    return (unsigned)k < LF_GROUP_KIND_COUNT ? names[k] : "?";
}

const char *lf_scope_name(lf_scope s)
{
    static const char *const names[] = {
        [LF_SCOPE_SENTENCE] = "sentence",
        [LF_SCOPE_TURN] = "turn",
    };
    _Static_assert(sizeof names / sizeof names[0] == LF_SCOPE_COUNT,
                   "every scope has a name");
    return (unsigned)s < LF_SCOPE_COUNT ? names[s] : "?";
}

/* ---- pair map ---- */

static pair_slot *pair_find(const pair_map *pm, uint64_t key)
{
    size_t mask = pm->cap - 1;
    for (size_t i = (size_t)lf_hash(&key, sizeof key) & mask;; i = (i + 1) & mask) {
        pair_slot *s = &pm->slots[i];
        if (s->count == 0 || s->key == key)
            return s;
    }
}

static void pair_add(pair_map *pm, uint64_t key, uint64_t count)
{
    if ((pm->n + 1) * 4 > pm->cap * 3) {
        size_t old_cap = pm->cap;
        pair_slot *old = pm->slots;
        pm->cap = old_cap ? old_cap * 2 : 64;
        pm->slots = lf_xcalloc(pm->cap, sizeof *pm->slots);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].count)
                *pair_find(pm, old[i].key) = old[i];
        free(old);
    }
    pair_slot *s = pair_find(pm, key);
    if (s->count == 0) {
        s->key = key;
        pm->n++;
    }
    s->count += count;
}

/* ---- groups ---- */

static uint32_t group_get(lf_tables *t, lf_group_kind kind, const char *name)
{
    size_t len = strlen(name);
    uint32_t idx;
    if (lf_strmap_get(&t->names[kind], name, len, &idx))
        return idx;
    if (t->groups.n >= UINT32_MAX)
        lf_oom();
    idx = (uint32_t)t->groups.n;
    group g = {
        .kind = kind,
        .name = lf_strmap_put(&t->names[kind], name, len, idx),
        .counts = lf_xcalloc(t->n_themes, sizeof(theme_counts)),
    };
    LF_VEC_PUSH(t->groups, g);
    return idx;
}

lf_tables *lf_tables_new(const lf_lexicon *lex)
{
    lf_tables *t = lf_xcalloc(1, sizeof *t);
    t->lex = lex;
    t->n_themes = lex->n_themes;
    t->n_entries = lex->n_entries;
    t->entry_weight = lf_xcalloc(t->n_entries, sizeof *t->entry_weight);
    for (size_t i = 0; i < t->n_entries; i++)
        t->entry_weight[i] = fixed_from_double(lex->entries[i].weight);
    for (int k = 0; k < LF_GROUP_KIND_COUNT; k++)
        lf_strmap_init(&t->names[k]);
    for (int s = 0; s < LF_SCOPE_COUNT; s++)
        t->theme_units[s] = lf_xcalloc(t->n_themes, sizeof(uint64_t));
    t->entry_matches = lf_xcalloc(t->n_entries, sizeof(uint64_t));
    /* The corpus group exists even before the first document. */
    group_get(t, LF_GROUP_CORPUS, "all");
    return t;
}

void lf_tables_free(lf_tables *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->groups.n; i++)
        free(t->groups.v[i].counts);
    LF_VEC_FREE(t->groups);
    for (int k = 0; k < LF_GROUP_KIND_COUNT; k++)
        lf_strmap_free(&t->names[k]);
    for (int s = 0; s < LF_SCOPE_COUNT; s++) {
        free(t->theme_units[s]);
        free(t->joint[s].slots);
    }
    free(t->entry_matches);
    free(t->entry_moved.slots);
    free(t->entry_weight);
    LF_VEC_FREE(t->turn_group);
    LF_VEC_FREE(t->speaker_group);
    LF_VEC_FREE(t->sent_hits);
    LF_VEC_FREE(t->turn_hits);
    free(t);
}

/* Adds a group's size and counts it once per document. */
static void group_add_size(lf_tables *t, uint32_t gi, uint64_t words, uint64_t sentences,
                           uint64_t turns)
{
    group *g = &t->groups.v[gi];
    g->totals.words += words;
    g->totals.sentences += sentences;
    g->totals.turns += turns;
    if (g->last_doc != t->doc_serial) {
        g->last_doc = t->doc_serial;
        g->totals.docs++;
    }
}

static int unit_theme_cmp(const void *pa, const void *pb)
{
    const unit_theme *a = pa, *b = pb;
    if (a->unit != b->unit)
        return a->unit < b->unit ? -1 : 1;
    if (a->theme != b->theme)
        return a->theme < b->theme ? -1 : 1;
    return 0;
}

/* Sorts and deduplicates the (unit, theme) pairs of one scope, then for each unit adds
 * "units with the theme" to the unit's three groups and its theme set to co-occurrence.
 * `unit_turn` maps a unit to its turn (identity for turns). */
static void count_units(lf_tables *t, lf_scope scope, unit_theme *hits, size_t n,
                        const lf_tokens *toks, uint32_t doc_group)
{
    if (n == 0)
        return;
    qsort(hits, n, sizeof *hits, unit_theme_cmp);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || unit_theme_cmp(&hits[w - 1], &hits[i]) != 0)
            hits[w++] = hits[i];
    n = w;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && hits[j].unit == hits[i].unit)
            j++;
        uint32_t turn = scope == LF_SCOPE_TURN ? hits[i].unit : toks->sent[hits[i].unit].turn;
        uint32_t gs[3] = {0, doc_group, t->turn_group.v[turn]};
        for (size_t k = i; k < j; k++) {
            uint32_t th = hits[k].theme;
            for (size_t g = 0; g < 3; g++) {
                theme_counts *c = &t->groups.v[gs[g]].counts[th];
                if (scope == LF_SCOPE_TURN)
                    c->turns_with++;
                else
                    c->sents_with++;
            }
            t->theme_units[scope][th]++;
            /* Pairs within one unit: the theme set of a unit is small. */
            for (size_t l = k + 1; l < j; l++)
                pair_add(&t->joint[scope], (uint64_t)th << 32 | hits[l].theme, 1);
        }
        i = j;
    }
}

void lf_tables_add_doc(lf_tables *t, const lf_doc *doc, const lf_tokens *toks,
                       const lf_matches *ms)
{
    const lf_lexicon *lex = t->lex;
    lf_corpus_stats *st = &t->stats;
    /* the parts of one document count as one document */
    if (doc->part == 0) {
        t->doc_serial++;
        st->docs++;
    }

    /* Sizes: corpus and document groups get the whole document, speakers their turns. */
    uint32_t doc_group = group_get(t, LF_GROUP_DOCUMENT, doc->id ? doc->id : "");
    group_add_size(t, 0, toks->n_tok, toks->n_sent, doc->n_turns);
    group_add_size(t, doc_group, toks->n_tok, toks->n_sent, doc->n_turns);
    st->turns += doc->n_turns;
    st->sentences += toks->n_sent;
    st->words += toks->n_tok;
    st->stripped += doc->n_strips;

    /* A speaker's group is looked up when one of its turns is met: speakers listed in
       front matter without a turn do not appear. */
    t->speaker_group.n = 0;
    for (size_t i = 0; i < doc->n_speakers; i++)
        LF_VEC_PUSH(t->speaker_group, UINT32_MAX);
    t->turn_group.n = 0;
    uint32_t unattributed = UINT32_MAX;
    for (size_t i = 0; i < doc->n_turns; i++) {
        const lf_turn *tu = &doc->turns[i];
        uint32_t gi;
        if (tu->speaker < 0 || (size_t)tu->speaker >= doc->n_speakers) {
            if (unattributed == UINT32_MAX)
                unattributed = group_get(t, LF_GROUP_SPEAKER, LF_UNATTRIBUTED);
            gi = unattributed;
        } else {
            uint32_t *slot = &t->speaker_group.v[tu->speaker];
            if (*slot == UINT32_MAX) {
                const lf_speaker *sp = &doc->speakers[tu->speaker];
                *slot = group_get(t, LF_GROUP_SPEAKER,
                                  sp->name ? sp->name : sp->label ? sp->label : "");
            }
            gi = *slot;
        }
        LF_VEC_PUSH(t->turn_group, gi);
        uint64_t words = 0, sents = 0;
        if (i < toks->n_turn) {
            const lf_turn_range *r = &toks->turn[i];
            words = r->tok_end - r->tok_first;
            sents = r->sent_end - r->sent_first;
        }
        group_add_size(t, gi, words, sents, 1);
        if (tu->gap)
            st->gap_turns++;
        else if (tu->speaker < 0)
            st->unattributed_turns++;
    }

    /* Matches: counts per group, then the units they fall in. */
    t->sent_hits.n = 0;
    t->turn_hits.n = 0;
    for (size_t i = 0; i < ms->n; i++) {
        const lf_match *m = &ms->m[i];
        assert(m->theme < t->n_themes && m->entry < t->n_entries && m->sentence < toks->n_sent);
        uint32_t turn = toks->sent[m->sentence].turn;
        assert(turn < t->turn_group.n);
        uint32_t gs[3] = {0, doc_group, t->turn_group.v[turn]};
        bool negated_found = m->negated && (m->status == LF_MATCH_COUNTED ||
                                            m->status == LF_MATCH_NEGATED_IGNORED);
        bool counted = false;
        switch ((lf_match_status)m->status) {
        case LF_MATCH_COUNTED: {
            /* The policy is the entry's own theme's: a match moved to another theme
               counts there even when the target keeps its negated matches apart. */
            uint32_t origin = lex->entries[m->entry].theme;
            lf_neg_policy pol = origin < t->n_themes ? lex->themes[origin].neg : LF_NEG_COUNT;
            counted = !(m->negated && pol == LF_NEG_SEPARATE);
            break;
        }
        case LF_MATCH_OVERLAP:
            st->suppressed_overlap++;
            break;
        case LF_MATCH_EXCLUDED:
            st->suppressed_excluded++;
            break;
        case LF_MATCH_NEGATED_IGNORED:
            st->suppressed_negated++;
            break;
        }
        if (negated_found)
            st->negated++;
        if (counted) {
            st->matches_counted++;
            if (m->theme == lex->entries[m->entry].theme)
                t->entry_matches[m->entry]++;
            else
                pair_add(&t->entry_moved, (uint64_t)m->entry << 32 | m->theme, 1);
        }
        for (size_t g = 0; g < 3; g++) {
            theme_counts *c = &t->groups.v[gs[g]].counts[m->theme];
            if (negated_found)
                c->negated++;
            if (counted) {
                c->matches++;
                fixed_add(&c->weight, t->entry_weight[m->entry]);
            }
        }
        if (counted) {
            LF_VEC_PUSH(t->sent_hits, ((unit_theme){m->sentence, m->theme}));
            LF_VEC_PUSH(t->turn_hits, ((unit_theme){turn, m->theme}));
        }
    }
    count_units(t, LF_SCOPE_SENTENCE, t->sent_hits.v, t->sent_hits.n, toks, doc_group);
    count_units(t, LF_SCOPE_TURN, t->turn_hits.v, t->turn_hits.n, toks, doc_group);
}

void lf_tables_merge(lf_tables *into, const lf_tables *from)
{
    assert(into->n_themes == from->n_themes && into->n_entries == from->n_entries);
    for (size_t i = 0; i < from->groups.n; i++) {
        const group *fg = &from->groups.v[i];
        uint32_t gi = group_get(into, fg->kind, fg->name);
        group *g = &into->groups.v[gi];
        g->totals.words += fg->totals.words;
        g->totals.sentences += fg->totals.sentences;
        g->totals.turns += fg->totals.turns;
        g->totals.docs += fg->totals.docs;
        for (size_t th = 0; th < into->n_themes; th++) {
            theme_counts *c = &g->counts[th];
            const theme_counts *fc = &fg->counts[th];
            c->matches += fc->matches;
            c->negated += fc->negated;
            c->turns_with += fc->turns_with;
            c->sents_with += fc->sents_with;
            fixed_add(&c->weight, fc->weight);
        }
    }
    for (int s = 0; s < LF_SCOPE_COUNT; s++) {
        for (size_t th = 0; th < into->n_themes; th++)
            into->theme_units[s][th] += from->theme_units[s][th];
        for (size_t i = 0; i < from->joint[s].cap; i++)
            if (from->joint[s].slots[i].count)
                pair_add(&into->joint[s], from->joint[s].slots[i].key,
                         from->joint[s].slots[i].count);
    }
    for (size_t e = 0; e < into->n_entries; e++)
        into->entry_matches[e] += from->entry_matches[e];
    for (size_t i = 0; i < from->entry_moved.cap; i++)
        if (from->entry_moved.slots[i].count)
            pair_add(&into->entry_moved, from->entry_moved.slots[i].key,
                     from->entry_moved.slots[i].count);
    lf_corpus_stats *a = &into->stats;
    const lf_corpus_stats *b = &from->stats;
    a->docs += b->docs;
    a->turns += b->turns;
    a->sentences += b->sentences;
    a->words += b->words;
    a->unattributed_turns += b->unattributed_turns;
    a->gap_turns += b->gap_turns;
    a->matches_counted += b->matches_counted;
    a->suppressed_overlap += b->suppressed_overlap;
    a->suppressed_excluded += b->suppressed_excluded;
    a->suppressed_negated += b->suppressed_negated;
    a->negated += b->negated;
    a->stripped += b->stripped;
}

/* ---- rows ---- */

static int group_order_cmp(const void *pa, const void *pb)
{
    const group *a = *(const group *const *)pa, *b = *(const group *const *)pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a->name, b->name); /* strcmp compares as unsigned char: byte order */
}

/* The groups in output order (kind, then name byte-wise); names are unique per kind. */
static const group **sorted_groups(const lf_tables *t)
{
    const group **order = lf_xcalloc(t->groups.n, sizeof *order);
    for (size_t i = 0; i < t->groups.n; i++)
        order[i] = &t->groups.v[i];
    qsort(order, t->groups.n, sizeof *order, group_order_cmp);
    return order;
}

size_t lf_tables_freq(const lf_tables *t, lf_freq_row **rows)
{
    size_t n = t->groups.n * t->n_themes;
    lf_freq_row *r = lf_xcalloc(n, sizeof *r);
    const group **order = sorted_groups(t);
    size_t k = 0;
    for (size_t i = 0; i < t->groups.n; i++) {
        const group *g = order[i];
        for (size_t th = 0; th < t->n_themes; th++) {
            const theme_counts *c = &g->counts[th];
            r[k++] = (lf_freq_row){
                .kind = g->kind,
                .group = g->name,
                .theme = (uint32_t)th,
                .c = {.matches = c->matches,
                      .negated = c->negated,
                      .weight = fixed_to_double(c->weight),
                      .turns_with = c->turns_with,
                      .sents_with = c->sents_with},
                .t = g->totals,
            };
        }
    }
    free((void *)order);
    *rows = r;
    return n;
}

static int cooc_cmp(const void *pa, const void *pb)
{
    const lf_cooc_row *a = pa, *b = pb;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return 0;
}

size_t lf_tables_cooc(const lf_tables *t, lf_cooc_row **rows)
{
    size_t n = 0;
    for (int s = 0; s < LF_SCOPE_COUNT; s++)
        n += t->joint[s].n;
    lf_cooc_row *r = lf_xcalloc(n, sizeof *r);
    size_t k = 0;
    for (int s = 0; s < LF_SCOPE_COUNT; s++) {
        uint64_t units = s == LF_SCOPE_SENTENCE ? t->stats.sentences : t->stats.turns;
        const pair_map *pm = &t->joint[s];
        for (size_t i = 0; i < pm->cap; i++) {
            if (!pm->slots[i].count)
                continue;
            uint32_t a = (uint32_t)(pm->slots[i].key >> 32);
            uint32_t b = (uint32_t)(pm->slots[i].key & UINT32_MAX);
            r[k++] = (lf_cooc_row){
                .scope = (lf_scope)s,
                .a = a,
                .b = b,
                .joint = pm->slots[i].count,
                .count_a = t->theme_units[s][a],
                .count_b = t->theme_units[s][b],
                .units = units,
            };
        }
    }
    qsort(r, n, sizeof *r, cooc_cmp);
    *rows = r;
    return n;
}

static int entry_row_cmp(const void *pa, const void *pb)
{
    const lf_entry_row *a = pa, *b = pb;
    if (a->theme != b->theme)
        return a->theme < b->theme ? -1 : 1;
    if (a->matches != b->matches)
        return a->matches > b->matches ? -1 : 1;
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    return 0;
}

size_t lf_tables_entries(const lf_tables *t, lf_entry_row **rows)
{
    size_t n = t->entry_moved.n;
    for (size_t e = 0; e < t->n_entries; e++)
        n += t->entry_matches[e] > 0;
    lf_entry_row *r = lf_xcalloc(n, sizeof *r);
    size_t k = 0;
    for (size_t e = 0; e < t->n_entries; e++)
        if (t->entry_matches[e] > 0)
            r[k++] = (lf_entry_row){.entry = (uint32_t)e,
                                    .theme = t->lex->entries[e].theme,
                                    .matches = t->entry_matches[e]};
    for (size_t i = 0; i < t->entry_moved.cap; i++) {
        const pair_slot *ps = &t->entry_moved.slots[i];
        if (ps->count)
            r[k++] = (lf_entry_row){.entry = (uint32_t)(ps->key >> 32),
                                    .theme = (uint32_t)(ps->key & UINT32_MAX),
                                    .matches = ps->count};
    }
    qsort(r, n, sizeof *r, entry_row_cmp);
    *rows = r;
    return n;
}

const lf_corpus_stats *lf_tables_stats(const lf_tables *t)
{
    return &t->stats;
}

size_t lf_tables_group_count(const lf_tables *t, lf_group_kind kind)
{
    return t->names[kind].count;
}

bool lf_tables_group_totals(const lf_tables *t, lf_group_kind kind, const char *name,
                            lf_totals *out)
{
    uint32_t idx;
    if (!lf_strmap_get(&t->names[kind], name, strlen(name), &idx))
        return false;
    if (out)
        *out = t->groups.v[idx].totals;
    return true;
}
