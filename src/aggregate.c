/* aggregate.c — stage 4: folds each document's matches into additive count tables: sizes
 * and per-theme counts for every group of every grouping (corpus, document, speaker, party,
 * role, period, metadata key); theme co-occurrence per sentence, turn, window, adjacent
 * turns and document; the entries and matched forms behind each theme; where each theme
 * first appears in each document; corpus statistics. Everything is a sum (weights in exact
 * fixed point) or a minimum, so merging tables of separate runs gives exactly the
 * single-run table. Work per document is proportional to its size. */
#include "aggregate.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
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

/* Adds x; a sum past the range of int64_t (only partial results made by hand can reach it:
 * 9.2e18 units of weight) stays at its end rather than overflow. */
static void fixed_add(fixed_sum *into, fixed_sum x)
{
    if (__builtin_add_overflow(into->units, x.units, &into->units))
        into->units = x.units < 0 ? INT64_MIN : INT64_MAX;
    into->nanos += x.nanos;
    if (into->nanos >= NANOS_PER_UNIT) {
        if (into->units < INT64_MAX)
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
    uint64_t matches, negated;
    uint64_t with[LF_SCOPE_COUNT]; /* units containing the theme (adjacent: first turn) */
    uint64_t replies_with;         /* adjacent pairs whose reply contains it */
    fixed_sum weight;
    uint64_t last_doc; /* serial of the last document that counted it in with[DOCUMENT]
                          (0: none): meaningful only within this table, so merges do
                          not add it, and counts copied from another table clear it */
} theme_counts;

/* A group's theme counts are sparse: most groups (a document, a speaker) use a few of the
 * lexicon's themes, and a dense row per group would make the tables of a corpus of many
 * documents grow by n_themes × sizeof(theme_counts) a document. A group keeps its themes
 * with counts in ascending order, and switches to a dense row (indexed by theme) once
 * half of the themes are in use; the corpus group is dense from the start. */
typedef struct group {
    uint32_t dim;
    uint32_t n_used;       /* sparse: themes with counts */
    uint32_t cap;          /* sparse: room in counts and themes */
    uint32_t rec;          /* the grouping by document: the document's record; else NO_REC */
    const char *name;      /* owned by the dim's name map */
    lf_totals totals;
    uint64_t last_doc;     /* serial of the last document that touched it (docs count) */
    theme_counts *counts;  /* dense: n_themes; sparse: n_used, parallel to themes */
    uint32_t *themes;      /* sparse: the theme of each counts[i], ascending; dense: NULL
                              (so a group is dense when it has counts but no themes) */
} group;

#define NO_REC UINT32_MAX

/* A hash map from a pair of 64-bit keys to a count and a weight; count 0 = empty slot.
 * Used for theme pairs per (group, scope), terms per (group, theme), and the index of
 * first appearances. */
typedef struct kslot {
    uint64_t k1, k2;
    uint64_t count;
    fixed_sum w;
} kslot;

typedef struct kmap {
    kslot *slots;
    size_t cap, n;
} kmap;

/* A (unit, theme) pair gathered while reading one document's matches, packed so that the
 * order of the keys is that of (unit, theme). */
typedef uint64_t unit_theme;
#define UT(unit, theme) ((uint64_t)(unit) << 32 | (uint32_t)(theme))
#define UT_UNIT(k) ((uint32_t)((k) >> 32))
#define UT_THEME(k) ((uint32_t)(k))

/* A theme entering (+1) or leaving (−1) the windows of a turn at a window start. */
typedef struct win_event {
    uint64_t at; /* turn << 32 | window start: the order of (turn, start) */
    uint32_t theme;
    int32_t delta;
} win_event;
#define WIN_AT(turn, pos) ((uint64_t)(turn) << 32 | (uint32_t)(pos))

/* What the turns of one speaker share within one lf_tables_add_doc call, worked out at the
 * speaker's first turn there: a document has a few speakers and many turns each, and
 * filtering, naming and finding the groups of every turn afresh was most of the cost of
 * counting turns. Slot 0 is for turns without a (valid) speaker, slot i + 1 for speaker
 * i of the document. */
typedef struct speaker_memo {
    uint64_t call;    /* the add_doc call the slot was filled in; another: stale */
    bool selected;    /* counted by the speaker filters */
    const char *name; /* interned name (unattributed for slot 0); NULL until needed */
} speaker_memo;

/* A speaker's group in a turn-level grouping: the group of the last name looked up. */
typedef struct group_memo {
    const char *key; /* the doc's string it was found by (the same pointer, the same name) */
    uint32_t gi;
} group_memo;

/* First appearances are chained per document (a document has a few), so that finding one
 * needs no index over them all and the table lists them document by document. */
typedef struct first_rec {
    uint32_t theme;
    uint32_t next; /* the document's next first appearance: index into firsts + 1; 0 ends */
    uint64_t word, turn, sentence, line;
    const char *speaker; /* owned by strings */
} first_rec;

typedef struct doc_rec {
    const char *id; /* owned by the name map of the grouping by document, else by doc_ids */
    uint64_t words;
    uint32_t first; /* its first appearances: index into firsts + 1; 0 none */
} doc_rec;

/* The key of a term: theme, entry-or-form bit, entry index or form id. */
#define TERM_KEY(theme, is_form, id) ((uint64_t)(theme) << 33 | (uint64_t)(is_form) << 32 | (id))
/* The key of a co-occurrence slot: group and scope. */
#define JOINT_K1(group, scope) ((uint64_t)(group) << 3 | (uint64_t)(scope))
#define NO_GROUP UINT32_MAX

/* A row of co-occurrence or terms in output order (defined with their iterators). */
typedef struct ranked_slot ranked_slot;

struct lf_tables {
    const lf_lexicon *lex;
    size_t n_themes, n_entries;
    fixed_sum *entry_weight; /* per entry, converted once */
    uint32_t *theme_map;     /* theme → the theme it is counted for at the table's level */
    /* configuration */
    lf_grouping *dims;
    char **dim_names;
    size_t n_dims;
    lf_period period;
    unsigned level;
    size_t window;
    char **include, **exclude;
    size_t n_include, n_exclude;
    /* counts */
    LF_VEC(group) groups;
    lf_strmap *names; /* per dim: group name → group index */
    uint64_t doc_serial;
    kmap joint;       /* (group, scope) × (a, b) → units with both */
    /* Pairs are counted for every group only when groupings were asked for (--by); by
       default for the whole corpus alone: with a dictionary of 180 categories, pairs per
       document, speaker, party, role and month would run to millions of rows. Likewise
       the terms of each document. */
    bool pairs_by_group;
    kmap terms;       /* group × (theme, entry or form) → matches, weight */
    lf_strmap forms;  /* form text → id */
    LF_VEC(const char *) form_text;
    lf_strmap strings;  /* interned speaker names */
    lf_strmap speakers; /* attributed speakers in counted turns */
    int doc_dim;        /* the grouping by document, or -1 */
    lf_strmap doc_ids;  /* without a grouping by document: document id → index into docs */
    LF_VEC(doc_rec) docs;
    LF_VEC(first_rec) firsts;
    lf_corpus_stats stats;
    /* The document being added (its parts arrive one after another). */
    struct {
        bool open;
        char *id;
        uint32_t rec;
        uint32_t *groups; /* n_dims: the document's group for document-level kinds */
        uint64_t tok_base, turn_base, sent_base;
        bool prev_valid, prev_usable;
        const char *prev_name;
        LF_VEC(uint32_t) prev_themes;
        LF_VEC(unit_theme) doc_hits; /* distinct (group, theme) of groups with pairs */
    } cur;
    bool *seen; /* n_themes: first appearance already recorded in this document */
    /* Per-part scratch, kept to reuse allocations. */
    LF_VEC(uint32_t) turn_groups; /* n_turns × n_dims; NO_GROUP: turn not counted */
    LF_VEC(unit_theme) sent_hits;
    LF_VEC(unit_theme) turn_hits;
    LF_VEC(win_event) win_events;
    LF_VEC(uint32_t) active, scratch;
    uint32_t *active_count; /* n_themes */
    lf_buf form_buf;
    uint64_t add_calls;
    speaker_memo *spk_memo;  /* per speaker slot */
    group_memo *group_memo;  /* per speaker slot × dim */
    size_t memo_cap;         /* slots of both */
    /* The output order of the groups and of the co-occurrence and term rows, made once by
       lf_tables_sort_rows for the many readers of a report and dropped (sorted_drop) by
       anything that changes the counts: while order is set, it is current. */
    struct {
        uint32_t *order; /* group indexes in output order */
        ranked_slot *joint, *terms;
        size_t n_joint, n_terms;
    } sorted;
};

const char *lf_group_kind_name(lf_group_kind k)
{
    static const char *const names[] = {
        [LF_GROUP_CORPUS] = "corpus", [LF_GROUP_DOCUMENT] = "document",
        [LF_GROUP_SPEAKER] = "speaker", [LF_GROUP_PARTY] = "party",
        [LF_GROUP_ROLE] = "role",     [LF_GROUP_PERIOD] = "period",
        [LF_GROUP_META] = "meta",
    };
    _Static_assert(sizeof names / sizeof names[0] == LF_GROUP_KIND_COUNT,
                   "every group kind has a name");
    return (unsigned)k < LF_GROUP_KIND_COUNT ? names[k] : "?";
}

const char *lf_scope_name(lf_scope s)
{
    static const char *const names[] = {
        [LF_SCOPE_SENTENCE] = "sentence", [LF_SCOPE_TURN] = "turn",
        [LF_SCOPE_WINDOW] = "window",     [LF_SCOPE_ADJACENT] = "adjacent",
        [LF_SCOPE_DOCUMENT] = "document",
    };
    _Static_assert(sizeof names / sizeof names[0] == LF_SCOPE_COUNT,
                   "every scope has a name");
    return (unsigned)s < LF_SCOPE_COUNT ? names[s] : "?";
}

const char *lf_period_name(lf_period p)
{
    switch (p) {
    case LF_PERIOD_DAY:
        return "day";
    case LF_PERIOD_YEAR:
        return "year";
    case LF_PERIOD_MONTH:
        break;
    }
    return "month";
}

lf_status lf_grouping_parse(const char *s, lf_grouping *out, lf_error *err)
{
    static const lf_group_kind kinds[] = {LF_GROUP_DOCUMENT, LF_GROUP_SPEAKER, LF_GROUP_PARTY,
                                          LF_GROUP_ROLE, LF_GROUP_PERIOD};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, lf_group_kind_name(kinds[i])) == 0) {
            *out = (lf_grouping){kinds[i], NULL};
            return LF_OK;
        }
    if (strncmp(s, "meta:", 5) == 0 && s[5]) {
        *out = (lf_grouping){LF_GROUP_META, s + 5};
        return LF_OK;
    }
    lf_error_set(err, LF_ERR_USAGE,
                 "--by: '%s' is not document, speaker, party, role, period or meta:KEY", s);
    return LF_ERR_USAGE;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* What may follow the last field of a date: its end, or a time. */
static bool date_field_end(char c, bool more_allowed)
{
    return c == '\0' || c == 'T' || c == ' ' || (more_allowed && c == '-');
}

bool lf_date_period(const char *date, lf_period p, char *out, size_t cap)
{
    if (!date || cap < 11 || !digits(date, 4))
        return false;
    size_t len;
    if (p == LF_PERIOD_YEAR) {
        if (!date_field_end(date[4], true))
            return false;
        len = 4;
    } else {
        if (date[4] != '-' || !digits(date + 5, 2))
            return false;
        int month = (date[5] - '0') * 10 + (date[6] - '0');
        if (month < 1 || month > 12)
            return false;
        if (p == LF_PERIOD_MONTH) {
            if (!date_field_end(date[7], true))
                return false;
            len = 7;
        } else {
            if (date[7] != '-' || !digits(date + 8, 2) || !date_field_end(date[10], false))
                return false;
            int day = (date[8] - '0') * 10 + (date[9] - '0');
            if (day < 1 || day > 31)
                return false;
            len = 10;
        }
    }
    memcpy(out, date, len);
    out[len] = '\0';
    return true;
}

static const char *speaker_name(const lf_speaker *sp)
{
    return sp->name ? sp->name : sp->label ? sp->label : "";
}

static bool in_list(const char *const *list, size_t n, const char *a, const char *b)
{
    for (size_t i = 0; i < n; i++)
        if ((a && strcmp(list[i], a) == 0) || (b && strcmp(list[i], b) == 0))
            return true;
    return false;
}

bool lf_speaker_selected(const char *const *include, size_t n_include,
                         const char *const *exclude, size_t n_exclude, const lf_doc *doc,
                         int32_t speaker)
{
    if (n_include == 0 && n_exclude == 0)
        return true;
    const char *name = LF_UNATTRIBUTED, *label = NULL;
    if (speaker >= 0 && (size_t)speaker < doc->n_speakers) {
        name = speaker_name(&doc->speakers[speaker]);
        label = doc->speakers[speaker].label;
    }
    if (n_include && !in_list(include, n_include, name, label))
        return false;
    return !in_list(exclude, n_exclude, name, label);
}

/* ---- key map ---- */

/* Two words mixed in registers (a multiply and splitmix64's finalizer) rather than by
 * lf_hash over their bytes: the maps are looked up several times for each match. The order
 * of the slots is never an order of rows (those are sorted). */
static uint64_t kmap_hash(uint64_t k1, uint64_t k2)
{
    uint64_t h = k1 * 0x9e3779b97f4a7c15ULL + k2;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static kslot *kmap_find(const kmap *km, uint64_t k1, uint64_t k2)
{
    size_t mask = km->cap - 1;
    for (size_t i = (size_t)kmap_hash(k1, k2) & mask;; i = (i + 1) & mask) {
        kslot *s = &km->slots[i];
        if (s->count == 0 || (s->k1 == k1 && s->k2 == k2))
            return s;
    }
}

/* Adds count (> 0) and w to the slot of (k1, k2), creating it; returns the slot (valid
 * until the next add). */
static kslot *kmap_add(kmap *km, uint64_t k1, uint64_t k2, uint64_t count, fixed_sum w)
{
    if ((km->n + 1) * 4 > km->cap * 3) {
        size_t old_cap = km->cap;
        kslot *old = km->slots;
        km->cap = old_cap ? old_cap * 2 : 64;
        km->slots = lf_xcalloc(km->cap, sizeof *km->slots);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].count)
                *kmap_find(km, old[i].k1, old[i].k2) = old[i];
        free(old);
    }
    kslot *s = kmap_find(km, k1, k2);
    if (s->count == 0) {
        s->k1 = k1;
        s->k2 = k2;
        km->n++;
    }
    s->count += count;
    fixed_add(&s->w, w);
    return s;
}

static const fixed_sum NO_WEIGHT = {0, 0};

/* ---- groups ---- */

static uint32_t group_get(lf_tables *t, uint32_t dim, const char *name)
{
    size_t len = strlen(name);
    uint32_t idx;
    if (lf_strmap_get(&t->names[dim], name, len, &idx))
        return idx;
    if (t->groups.n >= UINT32_MAX - 1)
        lf_oom();
    idx = (uint32_t)t->groups.n;
    group g = {
        .dim = dim,
        .rec = NO_REC,
        .name = lf_strmap_put(&t->names[dim], name, len, idx),
        /* the corpus uses every theme that occurs: dense */
        .counts = dim == 0 ? lf_xcalloc(t->n_themes ? t->n_themes : 1, sizeof(theme_counts))
                           : NULL,
    };
    LF_VEC_PUSH(t->groups, g);
    return idx;
}

static void group_free(group *g)
{
    free(g->counts); /* a sparse group's themes are in the same block */
}

static const theme_counts NO_COUNTS;

static bool group_dense(const group *g)
{
    return g->counts && !g->themes;
}

/* The position of theme th in a sparse group, or where it would be inserted. */
static size_t sparse_find(const group *g, uint32_t th)
{
    size_t lo = 0, hi = g->n_used;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->themes[mid] < th)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The counts of theme th in group g (zeros when it has none); borrowed until g changes. */
static const theme_counts *counts_get(const group *g, uint32_t th)
{
    if (group_dense(g))
        return &g->counts[th];
    size_t i = sparse_find(g, th);
    return i < g->n_used && g->themes[i] == th ? &g->counts[i] : &NO_COUNTS;
}

/* The counts of theme th in group g to add to, made (zero) when it has none; valid until
 * the next call for g. */
static theme_counts *counts_add(const lf_tables *t, group *g, uint32_t th)
{
    if (group_dense(g))
        return &g->counts[th];
    size_t i = sparse_find(g, th);
    if (i < g->n_used && g->themes[i] == th)
        return &g->counts[i];
    if (g->n_used == g->cap) {
        /* one block, counts then themes, grown a row at a time while small: a document
           uses a few themes, and a corpus has many documents */
        size_t cap = g->cap < 4 ? (size_t)g->cap + 1 : (size_t)g->cap * 2;
        if (cap * 2 > t->n_themes) {
            /* half the themes in use: a dense row is as small and faster */
            theme_counts *d = lf_xcalloc(t->n_themes, sizeof *d);
            for (size_t k = 0; k < g->n_used; k++)
                d[g->themes[k]] = g->counts[k];
            group_free(g);
            g->counts = d;
            g->themes = NULL;
            g->n_used = g->cap = 0;
            return &d[th];
        }
        _Static_assert(sizeof(theme_counts) % _Alignof(uint32_t) == 0,
                       "the themes that follow the counts are aligned");
        theme_counts *c = lf_xmalloc(cap * (sizeof *c + sizeof *g->themes));
        uint32_t *themes = (uint32_t *)(c + cap);
        if (g->n_used) {
            memcpy(c, g->counts, g->n_used * sizeof *c);
            memcpy(themes, g->themes, g->n_used * sizeof *themes);
        }
        free(g->counts);
        g->counts = c;
        g->themes = themes;
        g->cap = (uint32_t)cap;
    }
    memmove(&g->counts[i + 1], &g->counts[i], (g->n_used - i) * sizeof *g->counts);
    memmove(&g->themes[i + 1], &g->themes[i], (g->n_used - i) * sizeof *g->themes);
    g->counts[i] = NO_COUNTS;
    g->themes[i] = th;
    g->n_used++;
    return &g->counts[i];
}

static bool counts_zero(const theme_counts *c)
{
    bool zero = !c->matches && !c->negated && !c->replies_with && !c->weight.units &&
                !c->weight.nanos;
    for (int s = 0; s < LF_SCOPE_COUNT; s++)
        zero = zero && !c->with[s];
    return zero;
}

/* Walks the themes of g that may have counts, ascending: *k is the cursor (start at 0);
 * false at the end. */
static bool counts_next(const lf_tables *t, const group *g, size_t *k, uint32_t *th,
                        const theme_counts **c)
{
    bool dense = group_dense(g);
    size_t n = dense ? t->n_themes : g->n_used;
    if (*k >= n)
        return false;
    *th = dense ? (uint32_t)*k : g->themes[*k];
    *c = &g->counts[*k];
    ++*k;
    return true;
}

/* Counts the group once for the current document. */
static void group_touch(lf_tables *t, uint32_t gi)
{
    group *g = &t->groups.v[gi];
    if (g->last_doc != t->doc_serial) {
        g->last_doc = t->doc_serial;
        g->totals.docs++;
    }
}

static char **copy_list(const char *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    char **c = lf_xcalloc(n, sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[i] = lf_xstrdup(v[i]);
    return c;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n && v; i++)
        free(v[i]);
    free(v);
}

static void add_dim(lf_tables *t, lf_group_kind kind, const char *key)
{
    for (size_t i = 0; i < t->n_dims; i++)
        if (t->dims[i].kind == kind &&
            (kind != LF_GROUP_META || strcmp(t->dims[i].key, key) == 0))
            return; /* asked twice: one grouping */
    size_t i = t->n_dims++;
    t->dims[i] = (lf_grouping){kind, key ? lf_xstrdup(key) : NULL};
    lf_buf b = {0};
    lf_buf_puts(&b, lf_group_kind_name(kind));
    if (kind == LF_GROUP_META) {
        lf_buf_putc(&b, ':');
        lf_buf_puts(&b, key);
    }
    lf_buf_cstr(&b);
    t->dim_names[i] = b.data;
}

lf_tables *lf_tables_new_opts(const lf_lexicon *lex, const lf_options *opt)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    lf_tables *t = lf_xcalloc(1, sizeof *t);
    t->lex = lex;
    t->n_themes = lex->n_themes;
    t->n_entries = lex->n_entries;
    t->entry_weight = lf_xcalloc(t->n_entries ? t->n_entries : 1, sizeof *t->entry_weight);
    for (size_t i = 0; i < t->n_entries; i++)
        t->entry_weight[i] = fixed_from_double(lex->entries[i].weight);
    t->level = opt->level;
    t->theme_map = lf_xcalloc(t->n_themes ? t->n_themes : 1, sizeof *t->theme_map);
    for (size_t i = 0; i < t->n_themes; i++) {
        uint32_t a = (uint32_t)i;
        /* Climb to the ancestor at depth `level`; a shallower theme stays itself. */
        while (t->level > 0 && lex->themes[a].depth > t->level && lex->themes[a].parent >= 0)
            a = (uint32_t)lex->themes[a].parent;
        t->theme_map[i] = a;
    }
    t->period = opt->period;
    t->window = opt->window ? opt->window : 1;
    t->include = copy_list(opt->include_speakers, opt->n_include_speakers);
    t->n_include = opt->n_include_speakers;
    t->exclude = copy_list(opt->exclude_speakers, opt->n_exclude_speakers);
    t->n_exclude = opt->n_exclude_speakers;

    static const lf_grouping default_dims[] = {
        {LF_GROUP_DOCUMENT, NULL}, {LF_GROUP_SPEAKER, NULL}, {LF_GROUP_PARTY, NULL},
        {LF_GROUP_ROLE, NULL},     {LF_GROUP_PERIOD, NULL},
    };
    t->pairs_by_group = opt->n_groupings > 0;
    const lf_grouping *want = opt->n_groupings ? opt->groupings : default_dims;
    size_t n_want = opt->n_groupings ? opt->n_groupings
                                     : sizeof default_dims / sizeof default_dims[0];
    t->dims = lf_xcalloc(n_want + 1, sizeof *t->dims);
    t->dim_names = lf_xcalloc(n_want + 1, sizeof *t->dim_names);
    add_dim(t, LF_GROUP_CORPUS, NULL);
    for (size_t i = 0; i < n_want; i++)
        if (want[i].kind != LF_GROUP_CORPUS)
            add_dim(t, want[i].kind, want[i].kind == LF_GROUP_META ? want[i].key : NULL);
    t->doc_dim = lf_tables_find_dim(t, LF_GROUP_DOCUMENT);
    t->names = lf_xcalloc(t->n_dims, sizeof *t->names);
    for (size_t d = 0; d < t->n_dims; d++)
        lf_strmap_init(&t->names[d]);
    lf_strmap_init(&t->forms);
    lf_strmap_init(&t->strings);
    lf_strmap_init(&t->speakers);
    lf_strmap_init(&t->doc_ids);
    t->cur.groups = lf_xcalloc(t->n_dims, sizeof *t->cur.groups);
    t->seen = lf_xcalloc(t->n_themes ? t->n_themes : 1, sizeof *t->seen);
    t->active_count = lf_xcalloc(t->n_themes ? t->n_themes : 1, sizeof *t->active_count);
    /* The corpus group exists even before the first document: group 0. */
    group_get(t, 0, "all");
    return t;
}

lf_tables *lf_tables_new(const lf_lexicon *lex)
{
    return lf_tables_new_opts(lex, NULL);
}

static void sorted_drop(lf_tables *t)
{
    if (!t->sorted.order)
        return;
    free(t->sorted.order);
    free(t->sorted.joint);
    free(t->sorted.terms);
    memset(&t->sorted, 0, sizeof t->sorted);
}

void lf_tables_free(lf_tables *t)
{
    if (!t)
        return;
    sorted_drop(t);
    for (size_t i = 0; i < t->groups.n; i++)
        group_free(&t->groups.v[i]);
    LF_VEC_FREE(t->groups);
    for (size_t d = 0; d < t->n_dims; d++) {
        lf_strmap_free(&t->names[d]);
        free((char *)t->dims[d].key);
        free(t->dim_names[d]);
    }
    free(t->names);
    free(t->dims);
    free(t->dim_names);
    free_list(t->include, t->n_include);
    free_list(t->exclude, t->n_exclude);
    free(t->joint.slots);
    free(t->terms.slots);
    lf_strmap_free(&t->forms);
    LF_VEC_FREE(t->form_text);
    lf_strmap_free(&t->strings);
    lf_strmap_free(&t->speakers);
    lf_strmap_free(&t->doc_ids);
    LF_VEC_FREE(t->docs);
    LF_VEC_FREE(t->firsts);
    free(t->cur.id);
    free(t->cur.groups);
    LF_VEC_FREE(t->cur.prev_themes);
    LF_VEC_FREE(t->cur.doc_hits);
    free(t->seen);
    free(t->active_count);
    free(t->entry_weight);
    free(t->theme_map);
    LF_VEC_FREE(t->turn_groups);
    LF_VEC_FREE(t->sent_hits);
    LF_VEC_FREE(t->turn_hits);
    LF_VEC_FREE(t->win_events);
    LF_VEC_FREE(t->active);
    LF_VEC_FREE(t->scratch);
    lf_buf_free(&t->form_buf);
    free(t->spk_memo);
    free(t->group_memo);
    free(t);
}

/* ---- speakers ---- */

/* The memo slot of a turn's speaker. */
static size_t speaker_slot(const lf_doc *doc, int32_t speaker)
{
    return speaker >= 0 && (size_t)speaker < doc->n_speakers ? (size_t)speaker + 1 : 0;
}

/* Makes the memo slots of doc's speakers stale for a new add_doc call. */
static void memo_begin(lf_tables *t, const lf_doc *doc)
{
    t->add_calls++;
    size_t need = doc->n_speakers + 1;
    if (need > t->memo_cap) {
        size_t cap = t->memo_cap ? t->memo_cap : 8;
        while (cap < need)
            cap *= 2;
        if (cap > SIZE_MAX / (t->n_dims * sizeof *t->group_memo))
            lf_oom();
        free(t->spk_memo);
        free(t->group_memo);
        t->spk_memo = lf_xcalloc(cap, sizeof *t->spk_memo); /* call 0: stale */
        t->group_memo = lf_xcalloc(cap * t->n_dims, sizeof *t->group_memo);
        t->memo_cap = cap;
    }
}

/* The memo of the speaker of turn tu, filled at its first turn in this call: whether the
 * filters count it, and its entry in the table's speakers (a counted, attributed one). */
static speaker_memo *speaker_memo_of(lf_tables *t, const lf_doc *doc, const lf_turn *tu)
{
    size_t slot = speaker_slot(doc, tu->speaker);
    speaker_memo *m = &t->spk_memo[slot];
    if (m->call == t->add_calls)
        return m;
    m->call = t->add_calls;
    m->name = NULL;
    m->selected = lf_speaker_selected((const char *const *)t->include, t->n_include,
                                      (const char *const *)t->exclude, t->n_exclude, doc,
                                      tu->speaker);
    /* a key of an earlier call may be a pointer reused for another name */
    for (size_t d = 0; d < t->n_dims; d++)
        t->group_memo[slot * t->n_dims + d].key = NULL;
    if (m->selected && slot > 0) {
        const char *s = speaker_name(&doc->speakers[tu->speaker]);
        lf_strmap_put(&t->speakers, s, strlen(s), 0);
    }
    return m;
}

/* The interned name of the speaker of turn tu ("(unattributed)" without one), from the
 * memo that speaker_memo_of filled in this call. */
static const char *speaker_interned(lf_tables *t, const lf_doc *doc, const lf_turn *tu)
{
    speaker_memo *m = &t->spk_memo[speaker_slot(doc, tu->speaker)];
    assert(m->call == t->add_calls);
    if (!m->name) {
        const char *s = tu->speaker >= 0 && (size_t)tu->speaker < doc->n_speakers
                            ? speaker_name(&doc->speakers[tu->speaker])
                            : LF_UNATTRIBUTED;
        m->name = lf_strmap_put(&t->strings, s, strlen(s), 0);
    }
    return m->name;
}

/* ---- units and co-occurrence ---- */

static int unit_theme_cmp(const void *pa, const void *pb)
{
    unit_theme a = *(const unit_theme *)pa, b = *(const unit_theme *)pb;
    return a < b ? -1 : a > b;
}

/* Sorts and deduplicates (unit, theme) pairs; returns the new count. Sentences and turns
 * come in order (matches in word order) with a few themes each, so an insertion sort that
 * drops each duplicate as it meets it takes about one pass; once it has scanned more than
 * a few places per pair (a long unit's themes out of order, a document's groups
 * interleaved) it hands the rest to qsort, so no input costs it quadratic time. */
static size_t sort_unique(unit_theme *hits, size_t n)
{
    size_t w = 0, budget = 4 * n + 32; /* hits[0..w) sorted and distinct */
    size_t i = 0;
    for (; i < n; i++) {
        unit_theme x = hits[i];
        size_t j = w, stop = w > budget ? w - budget : 0;
        while (j > stop && hits[j - 1] > x)
            j--;
        if (j > 0 && hits[j - 1] > x)
            break;
        budget -= w - j;
        if (j > 0 && hits[j - 1] == x)
            continue;
        for (size_t k = w; k > j; k--)
            hits[k] = hits[k - 1];
        hits[j] = x;
        w++;
    }
    if (i == n)
        return w;
    /* hits[w..) may overlap hits[i..): move the rest down, then sort it all */
    memmove(&hits[w], &hits[i], (n - i) * sizeof *hits);
    n = w + (n - i);
    qsort(hits, n, sizeof *hits, unit_theme_cmp);
    w = 0;
    for (i = 0; i < n; i++)
        if (w == 0 || hits[w - 1] != hits[i])
            hits[w++] = hits[i];
    return w;
}

/* True when group gi counts theme pairs: the corpus (group 0), and every group with --by. */
static bool group_pairs(const lf_tables *t, uint32_t gi)
{
    return gi == 0 || t->pairs_by_group;
}

/* Adds `amount` units holding the (sorted, distinct) themes th[0..n) to the joint counts
 * of group gi's pairs. */
static void add_unit_pairs(lf_tables *t, uint32_t gi, lf_scope scope, const uint32_t *th,
                           size_t n, uint64_t amount)
{
    for (size_t k = 0; k < n; k++)
        for (size_t l = k + 1; l < n; l++)
            kmap_add(&t->joint, JOINT_K1(gi, scope), (uint64_t)th[k] << 32 | th[l], amount,
                     NO_WEIGHT);
}

/* Adds `amount` units holding the (sorted, distinct) themes th[0..n) to group gi: each
 * theme's unit count and each pair's joint count. The theme set of a unit is small. */
static void add_unit_themes(lf_tables *t, uint32_t gi, lf_scope scope, const uint32_t *th,
                            size_t n, uint64_t amount)
{
    group *g = &t->groups.v[gi];
    for (size_t k = 0; k < n; k++)
        counts_add(t, g, th[k])->with[scope] += amount;
    if (group_pairs(t, gi))
        add_unit_pairs(t, gi, scope, th, n, amount);
}

/* The groups of a counted turn, one per dim. */
static const uint32_t *turn_groups(const lf_tables *t, size_t turn)
{
    return &t->turn_groups.v[turn * t->n_dims];
}

/* Sentence and turn units: for each unit with themes, its groups count it. */
static void count_units(lf_tables *t, lf_scope scope, unit_theme *hits, size_t n,
                        const lf_tokens *toks)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        t->scratch.n = 0;
        uint32_t unit = UT_UNIT(hits[i]);
        while (j < n && UT_UNIT(hits[j]) == unit)
            LF_VEC_PUSH(t->scratch, UT_THEME(hits[j++]));
        uint32_t turn = scope == LF_SCOPE_TURN ? unit : toks->sent[unit].turn;
        const uint32_t *gs = turn_groups(t, turn);
        for (size_t d = 0; d < t->n_dims; d++)
            add_unit_themes(t, gs[d], scope, t->scratch.v, t->scratch.n, 1);
        i = j;
    }
}

/* The order of window events: turn, start, theme, leaving before entering. */
static bool win_before(const win_event *a, const win_event *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    if (a->theme != b->theme)
        return a->theme < b->theme;
    return a->delta < b->delta;
}

static int win_event_cmp(const void *pa, const void *pb)
{
    const win_event *a = pa, *b = pb;
    return win_before(a, b) ? -1 : win_before(b, a);
}

/* Sorts a part's window events. Each match adds one entering and one leaving event, both
 * ascending with the matches (which come in word order), so an insertion sort moves an
 * event past a few of the last match's; where it would move too much, qsort. */
static void sort_win_events(win_event *ev, size_t n)
{
    size_t budget = 4 * n + 32;
    for (size_t i = 1; i < n; i++) {
        win_event x = ev[i];
        size_t j = i, stop = i > budget ? i - budget : 0;
        while (j > stop && win_before(&x, &ev[j - 1])) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = x;
        if (j > 0 && win_before(&x, &ev[j - 1])) {
            qsort(ev, n, sizeof *ev, win_event_cmp);
            return;
        }
        budget -= i - j;
    }
}

/* Windows: each theme covers an interval of window starts per match; a sweep over the
 * starts finds stretches with a constant theme set, and each stretch adds its length to
 * the units of its themes and pairs. */
static void count_windows(lf_tables *t)
{
    win_event *ev = t->win_events.v;
    size_t n = t->win_events.n;
    if (n == 0)
        return;
    sort_win_events(ev, n);
    for (size_t i = 0; i < n;) {
        uint32_t turn = (uint32_t)(ev[i].at >> 32), pos = (uint32_t)ev[i].at;
        /* the themes whose windows hold the starts from pos on, ascending */
        t->active.n = 0;
        size_t j = i;
        for (; j < n && ev[j].at >> 32 == turn; j++) {
            uint32_t at = (uint32_t)ev[j].at;
            if (at != pos && t->active.n) {
                const uint32_t *gs = turn_groups(t, turn);
                for (size_t d = 0; d < t->n_dims; d++)
                    add_unit_themes(t, gs[d], LF_SCOPE_WINDOW, t->active.v, t->active.n,
                                    at - pos);
            }
            pos = at;
            uint32_t th = ev[j].theme;
            size_t k = t->active.n;
            if (ev[j].delta > 0) {
                if (t->active_count[th]++ == 0) {
                    LF_VEC_PUSH(t->active, th);
                    for (; k > 0 && t->active.v[k - 1] > th; k--)
                        t->active.v[k] = t->active.v[k - 1];
                    t->active.v[k] = th;
                }
            } else if (--t->active_count[th] == 0) {
                while (t->active.v[--k] != th)
                    ;
                memmove(&t->active.v[k], &t->active.v[k + 1],
                        (t->active.n - k - 1) * sizeof *t->active.v);
                t->active.n--;
            }
        }
        i = j;
    }
}

/* Adjacent turns: walks the counted turns of this part in order, pairing each with the
 * previous counted turn (possibly from the previous part). `hits` are the part's sorted,
 * distinct (turn, theme) pairs. */
static void count_adjacent(lf_tables *t, const lf_doc *doc, const unit_theme *hits, size_t n)
{
    size_t h = 0;
    for (size_t i = 0; i < doc->n_turns; i++) {
        t->scratch.n = 0;
        while (h < n && UT_UNIT(hits[h]) == i)
            LF_VEC_PUSH(t->scratch, UT_THEME(hits[h++]));
        if (turn_groups(t, i)[0] == NO_GROUP)
            continue; /* left out by the filters: its neighbours become adjacent */
        const lf_turn *tu = &doc->turns[i];
        bool usable = tu->speaker >= 0 && (size_t)tu->speaker < doc->n_speakers && !tu->gap;
        const char *name = NULL;
        if (usable)
            name = speaker_interned(t, doc, tu);
        /* names interned in the same map are the same string only at the same address */
        if (t->cur.prev_valid && t->cur.prev_usable && usable && t->cur.prev_name != name) {
            const uint32_t *gs = turn_groups(t, i);
            for (size_t d = 0; d < t->n_dims; d++) {
                group *g = &t->groups.v[gs[d]];
                g->totals.adjacent++;
                for (size_t a = 0; a < t->cur.prev_themes.n; a++)
                    counts_add(t, g, t->cur.prev_themes.v[a])->with[LF_SCOPE_ADJACENT]++;
                for (size_t b = 0; b < t->scratch.n; b++)
                    counts_add(t, g, t->scratch.v[b])->replies_with++;
                for (size_t a = 0; a < t->cur.prev_themes.n && (gs[d] == 0 || t->pairs_by_group);
                     a++)
                    for (size_t b = 0; b < t->scratch.n; b++)
                        kmap_add(&t->joint, JOINT_K1(gs[d], LF_SCOPE_ADJACENT),
                                 (uint64_t)t->cur.prev_themes.v[a] << 32 | t->scratch.v[b], 1,
                                 NO_WEIGHT);
            }
        }
        t->cur.prev_valid = true;
        t->cur.prev_usable = usable;
        t->cur.prev_name = name;
        t->cur.prev_themes.n = 0;
        for (size_t k = 0; k < t->scratch.n; k++)
            LF_VEC_PUSH(t->cur.prev_themes, t->scratch.v[k]);
    }
}

/* ---- documents ---- */

/* The record of a document id, created on first sight. */
static uint32_t doc_record(lf_tables *t, const char *id)
{
    if (t->docs.n >= UINT32_MAX - 1)
        lf_oom();
    if (t->doc_dim >= 0) {
        /* the id is its group's name: a corpus of many documents keeps it once */
        uint32_t gi = group_get(t, (uint32_t)t->doc_dim, id); /* may move the groups */
        group *g = &t->groups.v[gi];
        if (g->rec == NO_REC) {
            g->rec = (uint32_t)t->docs.n;
            LF_VEC_PUSH(t->docs, ((doc_rec){.id = g->name}));
        }
        return g->rec;
    }
    size_t len = strlen(id);
    bool added;
    uint32_t rec = lf_strmap_intern(&t->doc_ids, id, len, (uint32_t)t->docs.n, &added);
    if (added) {
        doc_rec r = {.id = lf_strmap_put(&t->doc_ids, id, len, rec), .words = 0};
        LF_VEC_PUSH(t->docs, r);
    }
    return rec;
}

static void doc_close(lf_tables *t)
{
    if (!t->cur.open)
        return;
    /* Document units: one per (document, group), each theme of which the matches counted
       as they came; what is left is the pairs of each group's theme set. */
    unit_theme *hits = t->cur.doc_hits.v;
    size_t n = sort_unique(hits, t->cur.doc_hits.n);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        t->scratch.n = 0;
        uint32_t gi = UT_UNIT(hits[i]);
        while (j < n && UT_UNIT(hits[j]) == gi)
            LF_VEC_PUSH(t->scratch, UT_THEME(hits[j++]));
        add_unit_pairs(t, gi, LF_SCOPE_DOCUMENT, t->scratch.v, t->scratch.n, 1);
        i = j;
    }
    t->cur.doc_hits.n = 0;
    t->cur.open = false;
    free(t->cur.id);
    t->cur.id = NULL;
}

static void doc_open(lf_tables *t, const lf_doc *doc, const char *id)
{
    t->doc_serial++;
    t->stats.docs++;
    t->cur.open = true;
    t->cur.id = lf_xstrdup(id);
    t->cur.tok_base = t->cur.turn_base = t->cur.sent_base = 0;
    t->cur.prev_valid = false;
    t->cur.rec = doc_record(t, id);
    memset(t->seen, 0, t->n_themes * sizeof *t->seen);
    char period[16];
    for (size_t d = 0; d < t->n_dims; d++) {
        const lf_grouping *g = &t->dims[d];
        const char *name = NULL;
        switch (g->kind) {
        case LF_GROUP_CORPUS:
            name = "all";
            break;
        case LF_GROUP_DOCUMENT:
            name = id;
            break;
        case LF_GROUP_PERIOD:
            name = lf_date_period(doc->date, t->period, period, sizeof period)
                       ? period
                       : LF_GROUP_UNDATED;
            break;
        case LF_GROUP_META:
            name = LF_GROUP_NONE;
            for (size_t m = 0; m < doc->n_meta; m++)
                if (doc->meta[m].key && strcmp(doc->meta[m].key, g->key) == 0 &&
                    doc->meta[m].value && *doc->meta[m].value) {
                    name = doc->meta[m].value;
                    break;
                }
            break;
        default:
            t->cur.groups[d] = NO_GROUP;
            continue;
        }
        t->cur.groups[d] = group_get(t, (uint32_t)d, name);
        group_touch(t, t->cur.groups[d]);
    }
}

/* The group of a counted turn for a turn-level grouping. */
static const char *turn_group_name(lf_group_kind kind, const lf_doc *doc, const lf_turn *tu)
{
    const lf_speaker *sp = tu->speaker >= 0 && (size_t)tu->speaker < doc->n_speakers
                               ? &doc->speakers[tu->speaker]
                               : NULL;
    const char *v = NULL;
    switch (kind) {
    case LF_GROUP_SPEAKER:
        return sp ? speaker_name(sp) : LF_UNATTRIBUTED;
    case LF_GROUP_PARTY:
        v = sp ? sp->party : NULL;
        break;
    case LF_GROUP_ROLE:
        v = tu->role ? tu->role : sp ? sp->role : NULL;
        break;
    default:
        break;
    }
    return v && *v ? v : LF_GROUP_NONE;
}

/* Interns the matched words as one case-folded form and returns its id. */
static uint32_t form_id(lf_tables *t, const lf_doc *doc, const lf_tokens *toks,
                        const lf_match *m)
{
    lf_buf_reset(&t->form_buf);
    for (uint32_t k = m->tok_start; k < m->tok_end; k++) {
        const lf_token *tk = &toks->tok[k];
        if (k > m->tok_start)
            lf_buf_putc(&t->form_buf, ' ');
        lf_normalize_word_append(&t->form_buf, doc->text + tk->start, tk->end - tk->start,
                                 true);
    }
    lf_buf_cstr(&t->form_buf);
    bool added;
    uint32_t id = lf_strmap_intern(&t->forms, t->form_buf.data, t->form_buf.len,
                                   (uint32_t)t->form_text.n, &added);
    if (added) {
        const char *s = lf_strmap_put(&t->forms, t->form_buf.data, t->form_buf.len, id);
        LF_VEC_PUSH(t->form_text, s);
    }
    return id;
}

/* Records r, the first appearance of its theme in document record doc, unless one is
 * known at an earlier word (min: merges of any order agree). */
static void first_seen(lf_tables *t, uint32_t doc, const first_rec *r)
{
    for (uint32_t k = t->docs.v[doc].first; k; k = t->firsts.v[k - 1].next) {
        first_rec *old = &t->firsts.v[k - 1];
        if (old->theme != r->theme)
            continue;
        if (r->word < old->word) {
            uint32_t next = old->next;
            *old = *r;
            old->next = next;
        }
        return;
    }
    if (t->firsts.n >= UINT32_MAX - 1)
        lf_oom();
    first_rec f = *r;
    f.next = t->docs.v[doc].first;
    LF_VEC_PUSH(t->firsts, f);
    t->docs.v[doc].first = (uint32_t)t->firsts.n;
}

void lf_tables_add_doc(lf_tables *t, const lf_doc *doc, const lf_tokens *toks,
                       const lf_matches *ms)
{
    const lf_lexicon *lex = t->lex;
    lf_corpus_stats *st = &t->stats;
    const char *id = doc->id ? doc->id : "";
    sorted_drop(t);
    /* The parts of one document count as one document. */
    if (!(doc->part > 0 && t->cur.open && strcmp(t->cur.id, id) == 0)) {
        doc_close(t);
        doc_open(t, doc, id);
    }
    const size_t nd = t->n_dims;
    memo_begin(t, doc);

    /* Sizes: every counted turn adds to its group in every grouping. */
    t->turn_groups.n = 0;
    uint64_t doc_words = 0;
    for (size_t i = 0; i < doc->n_turns; i++) {
        const lf_turn *tu = &doc->turns[i];
        uint64_t words = 0, sents = 0;
        if (i < toks->n_turn) {
            const lf_turn_range *r = &toks->turn[i];
            words = r->tok_end - r->tok_first;
            sents = r->sent_end - r->sent_first;
        }
        size_t slot = speaker_slot(doc, tu->speaker);
        if (!speaker_memo_of(t, doc, tu)->selected) {
            for (size_t d = 0; d < nd; d++)
                LF_VEC_PUSH(t->turn_groups, NO_GROUP);
            st->excluded_turns++;
            st->excluded_words += words;
            continue;
        }
        uint64_t windows = words == 0 ? 0 : words <= t->window ? 1 : words - t->window + 1;
        for (size_t d = 0; d < nd; d++) {
            uint32_t gi = t->cur.groups[d];
            if (gi == NO_GROUP) {
                const char *key = turn_group_name(t->dims[d].kind, doc, tu);
                group_memo *gm = &t->group_memo[slot * nd + d];
                if (gm->key != key) {
                    gm->key = key;
                    gm->gi = group_get(t, (uint32_t)d, key);
                }
                gi = gm->gi;
            }
            LF_VEC_PUSH(t->turn_groups, gi);
            group_touch(t, gi);
            lf_totals *tot = &t->groups.v[gi].totals;
            tot->words += words;
            tot->sentences += sents;
            tot->turns++;
            tot->windows += windows;
        }
        doc_words += words;
        st->turns++;
        st->sentences += sents;
        st->words += words;
        if (tu->gap)
            st->gap_turns++;
        else if (tu->speaker < 0)
            st->unattributed_turns++;
    }
    t->docs.v[t->cur.rec].words += doc_words;
    st->stripped += doc->n_strips;

    /* Matches: counts per group, terms, first appearances, then the units they fall in. */
    t->sent_hits.n = 0;
    t->turn_hits.n = 0;
    t->win_events.n = 0;
    for (size_t i = 0; i < ms->n; i++) {
        const lf_match *m = &ms->m[i];
        assert(m->theme < t->n_themes && m->entry < t->n_entries && m->sentence < toks->n_sent);
        uint32_t turn = toks->sent[m->sentence].turn;
        assert(turn < doc->n_turns);
        const uint32_t *gs = turn_groups(t, turn);
        if (gs[0] == NO_GROUP)
            continue;
        uint32_t th = t->theme_map[m->theme];
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
            if (m->context)
                st->suppressed_context++;
            else
                st->suppressed_excluded++;
            break;
        case LF_MATCH_NEGATED_IGNORED:
            st->suppressed_negated++;
            break;
        }
        if (negated_found)
            st->negated++;
        fixed_sum w = t->entry_weight[m->entry];
        uint32_t form = counted ? form_id(t, doc, toks, m) : 0;
        for (size_t d = 0; d < nd && (counted || negated_found); d++) {
            theme_counts *c = counts_add(t, &t->groups.v[gs[d]], th);
            if (negated_found)
                c->negated++;
            if (!counted)
                continue;
            c->matches++;
            fixed_add(&c->weight, w);
            /* the terms of each document only when asked for (--by): by default a corpus of
               10,000 documents would keep every matched form of every one */
            if (t->pairs_by_group || t->dims[d].kind != LF_GROUP_DOCUMENT) {
                kmap_add(&t->terms, gs[d], TERM_KEY(th, 0, m->entry), 1, w);
                kmap_add(&t->terms, gs[d], TERM_KEY(th, 1, form), 1, w);
            }
            if (c->last_doc != t->doc_serial) {
                /* the group's first counted match of the theme in this document */
                c->last_doc = t->doc_serial;
                c->with[LF_SCOPE_DOCUMENT]++;
                if (group_pairs(t, gs[d]))
                    LF_VEC_PUSH(t->cur.doc_hits, UT(gs[d], th));
            }
        }
        if (!counted)
            continue;
        st->matches_counted++;
        if (!t->seen[th]) {
            /* Matches come in word order, so the first one seen is the earliest. */
            t->seen[th] = true;
            first_rec r = {
                .theme = th,
                .word = t->cur.tok_base + m->tok_start,
                .turn = t->cur.turn_base + turn + 1,
                .sentence = t->cur.sent_base + m->sentence + 1,
                .line = lf_doc_line_of(doc, toks->tok[m->tok_start].start),
                .speaker = speaker_interned(t, doc, &doc->turns[turn]),
            };
            first_seen(t, t->cur.rec, &r);
        }
        LF_VEC_PUSH(t->sent_hits, UT(m->sentence, th));
        LF_VEC_PUSH(t->turn_hits, UT(turn, th));
        /* The window starts whose window holds the match's first word. */
        const lf_turn_range *tr = &toks->turn[turn];
        uint64_t f = tr->tok_first, words = tr->tok_end - tr->tok_first;
        uint64_t n_win = words <= t->window ? 1 : words - t->window + 1;
        uint64_t p = m->tok_start;
        uint64_t lo = p + 1 > t->window && p + 1 - t->window > f ? p + 1 - t->window : f;
        uint64_t hi = p < f + n_win - 1 ? p : f + n_win - 1;
        LF_VEC_PUSH(t->win_events, ((win_event){WIN_AT(turn, lo), th, 1}));
        LF_VEC_PUSH(t->win_events, ((win_event){WIN_AT(turn, hi + 1), th, -1}));
    }
    size_t ns = sort_unique(t->sent_hits.v, t->sent_hits.n);
    count_units(t, LF_SCOPE_SENTENCE, t->sent_hits.v, ns, toks);
    size_t nt = sort_unique(t->turn_hits.v, t->turn_hits.n);
    count_units(t, LF_SCOPE_TURN, t->turn_hits.v, nt, toks);
    count_windows(t);
    count_adjacent(t, doc, t->turn_hits.v, nt);

    t->cur.tok_base += toks->n_tok;
    t->cur.turn_base += doc->n_turns;
    t->cur.sent_base += toks->n_sent;
    if (!doc->more_parts)
        doc_close(t);
}

/* ---- merging ---- */

static bool same_list(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

bool lf_tables_compatible(const lf_tables *a, const lf_tables *b)
{
    if (a->n_themes != b->n_themes || a->n_entries != b->n_entries || a->n_dims != b->n_dims ||
        a->period != b->period || a->level != b->level || a->window != b->window ||
        !same_list(a->include, a->n_include, b->include, b->n_include) ||
        !same_list(a->exclude, a->n_exclude, b->exclude, b->n_exclude))
        return false;
    for (size_t d = 0; d < a->n_dims; d++)
        if (strcmp(a->dim_names[d], b->dim_names[d]) != 0)
            return false;
    return true;
}

void lf_tables_merge(lf_tables *into, const lf_tables *from)
{
    assert(lf_tables_compatible(into, from));
    assert(!from->cur.open);
    sorted_drop(into);
    uint32_t *gmap = lf_xcalloc(from->groups.n ? from->groups.n : 1, sizeof *gmap);
    for (size_t i = 0; i < from->groups.n; i++) {
        const group *fg = &from->groups.v[i];
        size_t before = into->groups.n;
        uint32_t gi = group_get(into, fg->dim, fg->name);
        gmap[i] = gi;
        group *g = &into->groups.v[gi];
        g->totals.words += fg->totals.words;
        g->totals.sentences += fg->totals.sentences;
        g->totals.turns += fg->totals.turns;
        g->totals.docs += fg->totals.docs;
        g->totals.windows += fg->totals.windows;
        g->totals.adjacent += fg->totals.adjacent;
        if (gi == before && fg->themes && fg->n_used) {
            /* A group new to `into` (every document's, as each comes from one worker;
               any group of the first table merged) takes `from`'s sparse counts whole:
               the same themes, in the same order. */
            size_t n = fg->n_used;
            theme_counts *c = lf_xmalloc(n * (sizeof *c + sizeof *g->themes));
            memcpy(c, fg->counts, n * sizeof *c);
            for (size_t k = 0; k < n; k++)
                c[k].last_doc = 0; /* the other table's document serial */
            g->counts = c;
            g->themes = (uint32_t *)(c + n);
            memcpy(g->themes, fg->themes, n * sizeof *g->themes);
            g->n_used = g->cap = (uint32_t)n;
            continue;
        }
        size_t k = 0;
        uint32_t th;
        const theme_counts *fc;
        while (counts_next(from, fg, &k, &th, &fc)) {
            if (counts_zero(fc))
                continue; /* a sparse group has none, the rows of a dense one may */
            theme_counts *c = counts_add(into, g, th);
            c->matches += fc->matches;
            c->negated += fc->negated;
            for (int s = 0; s < LF_SCOPE_COUNT; s++)
                c->with[s] += fc->with[s];
            c->replies_with += fc->replies_with;
            fixed_add(&c->weight, fc->weight);
        }
    }
    for (size_t i = 0; i < from->joint.cap; i++) {
        const kslot *s = &from->joint.slots[i];
        if (s->count)
            kmap_add(&into->joint, JOINT_K1(gmap[s->k1 >> 3], s->k1 & 7), s->k2, s->count,
                     s->w);
    }
    /* the other table's form ids here, interned at a form's first term (a form has a term
       in each group it was matched in) */
    uint32_t *fmap = lf_xmalloc((from->form_text.n ? from->form_text.n : 1) * sizeof *fmap);
    for (size_t i = 0; i < from->form_text.n; i++)
        fmap[i] = UINT32_MAX;
    for (size_t i = 0; i < from->terms.cap; i++) {
        const kslot *s = &from->terms.slots[i];
        if (!s->count)
            continue;
        uint64_t k2 = s->k2;
        if (k2 >> 32 & 1) {
            uint32_t *id = &fmap[k2 & UINT32_MAX];
            if (*id == UINT32_MAX) {
                const char *text = from->form_text.v[k2 & UINT32_MAX];
                size_t len = strlen(text);
                bool added;
                *id = lf_strmap_intern(&into->forms, text, len, (uint32_t)into->form_text.n,
                                       &added);
                if (added)
                    LF_VEC_PUSH(into->form_text, lf_strmap_put(&into->forms, text, len, *id));
            }
            k2 = (k2 >> 32) << 32 | *id;
        }
        kmap_add(&into->terms, gmap[s->k1], k2, s->count, s->w);
    }
    free(fmap);
    free(gmap);
    size_t pos = 0, len;
    const char *key;
    uint32_t val;
    while (lf_strmap_next(&from->speakers, &pos, &key, &len, &val))
        lf_strmap_put(&into->speakers, key, len, 0);
    uint32_t *dmap = lf_xcalloc(from->docs.n ? from->docs.n : 1, sizeof *dmap);
    for (size_t i = 0; i < from->docs.n; i++) {
        dmap[i] = doc_record(into, from->docs.v[i].id);
        into->docs.v[dmap[i]].words += from->docs.v[i].words;
    }
    for (size_t i = 0; i < from->docs.n; i++)
        for (uint32_t k = from->docs.v[i].first; k; k = from->firsts.v[k - 1].next) {
            first_rec r = from->firsts.v[k - 1];
            r.speaker = lf_strmap_put(&into->strings, r.speaker, strlen(r.speaker), 0);
            first_seen(into, dmap[i], &r);
        }
    free(dmap);
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
    a->suppressed_context += b->suppressed_context;
    a->negated += b->negated;
    a->stripped += b->stripped;
    a->excluded_turns += b->excluded_turns;
    a->excluded_words += b->excluded_words;
}

/* ---- configuration ---- */

size_t lf_tables_dim_count(const lf_tables *t)
{
    return t->n_dims;
}

const lf_grouping *lf_tables_dim(const lf_tables *t, uint32_t dim)
{
    return dim < t->n_dims ? &t->dims[dim] : NULL;
}

const char *lf_tables_dim_name(const lf_tables *t, uint32_t dim)
{
    return dim < t->n_dims ? t->dim_names[dim] : "?";
}

lf_group_kind lf_tables_dim_kind(const lf_tables *t, uint32_t dim)
{
    return dim < t->n_dims ? t->dims[dim].kind : LF_GROUP_CORPUS;
}

int lf_tables_find_dim(const lf_tables *t, lf_group_kind kind)
{
    for (size_t d = 0; d < t->n_dims; d++)
        if (t->dims[d].kind == kind)
            return (int)d;
    return -1;
}

lf_period lf_tables_period(const lf_tables *t)
{
    return t->period;
}

unsigned lf_tables_level(const lf_tables *t)
{
    return t->level;
}

size_t lf_tables_window(const lf_tables *t)
{
    return t->window;
}

size_t lf_tables_theme_count(const lf_tables *t)
{
    return t->n_themes;
}

bool lf_tables_theme_reported(const lf_tables *t, uint32_t theme)
{
    return theme < t->n_themes && t->theme_map[theme] == theme;
}

/* ---- rows ---- */

typedef struct group_key {
    uint32_t dim, idx;
    const char *name;
} group_key;

static int group_order_cmp(const void *pa, const void *pb)
{
    const group_key *a = pa, *b = pb;
    if (a->dim != b->dim)
        return a->dim < b->dim ? -1 : 1;
    return strcmp(a->name, b->name); /* strcmp compares as unsigned char: byte order */
}

/* The groups in output order (dim, then name byte-wise; names are unique per dim), and
 * each group's position in that order (*rank, may be NULL). */
static uint32_t *sorted_groups(const lf_tables *t, uint32_t **rank)
{
    size_t n = t->groups.n;
    group_key *keys = lf_xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = (group_key){t->groups.v[i].dim, (uint32_t)i, t->groups.v[i].name};
    qsort(keys, n, sizeof *keys, group_order_cmp);
    uint32_t *order = lf_xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = keys[i].idx;
    free(keys);
    if (rank) {
        *rank = lf_xcalloc(n, sizeof **rank);
        for (size_t i = 0; i < n; i++)
            (*rank)[order[i]] = (uint32_t)i;
    }
    return order;
}

static lf_counts public_counts(const theme_counts *c)
{
    return (lf_counts){.matches = c->matches,
                       .negated = c->negated,
                       .weight = fixed_to_double(c->weight),
                       .turns_with = c->with[LF_SCOPE_TURN],
                       .sents_with = c->with[LF_SCOPE_SENTENCE],
                       .windows_with = c->with[LF_SCOPE_WINDOW],
                       .docs_with = c->with[LF_SCOPE_DOCUMENT],
                       .firsts_with = c->with[LF_SCOPE_ADJACENT],
                       .replies_with = c->replies_with};
}

/* ---- streamed rows: groups and frequencies ---- */

struct lf_group_iter {
    const lf_tables *t;
    uint32_t *order; /* the chosen groups in output order */
    size_t n, pos;
    const group *cur;
};

static bool group_chosen(const lf_tables *t, const group *g, int dim, bool documents)
{
    return (dim < 0 || g->dim == (uint32_t)dim) &&
           (documents || t->dims[g->dim].kind != LF_GROUP_DOCUMENT);
}

lf_group_iter *lf_group_iter_new(const lf_tables *t, int dim, bool documents)
{
    lf_group_iter *it = lf_xcalloc(1, sizeof *it);
    it->t = t;
    for (size_t i = 0; i < t->groups.n; i++)
        it->n += group_chosen(t, &t->groups.v[i], dim, documents);
    if (t->sorted.order) {
        /* the chosen groups of the sorted ones keep their order */
        it->order = lf_xcalloc(it->n ? it->n : 1, sizeof *it->order);
        size_t k = 0;
        for (size_t i = 0; i < t->groups.n; i++) {
            uint32_t gi = t->sorted.order[i];
            if (group_chosen(t, &t->groups.v[gi], dim, documents))
                it->order[k++] = gi;
        }
        return it;
    }
    group_key *keys = lf_xcalloc(it->n ? it->n : 1, sizeof *keys);
    size_t k = 0;
    for (size_t i = 0; i < t->groups.n; i++) {
        const group *g = &t->groups.v[i];
        if (group_chosen(t, g, dim, documents))
            keys[k++] = (group_key){g->dim, (uint32_t)i, g->name};
    }
    qsort(keys, it->n, sizeof *keys, group_order_cmp);
    it->order = lf_xcalloc(it->n ? it->n : 1, sizeof *it->order);
    for (size_t i = 0; i < it->n; i++)
        it->order[i] = keys[i].idx;
    free(keys);
    return it;
}

bool lf_group_iter_next(lf_group_iter *it, lf_group_row *row)
{
    if (it->pos >= it->n) {
        it->cur = NULL;
        return false;
    }
    const lf_tables *t = it->t;
    it->cur = &t->groups.v[it->order[it->pos++]];
    *row = (lf_group_row){.dim = it->cur->dim,
                          .kind = t->dims[it->cur->dim].kind,
                          .group = it->cur->name,
                          .t = it->cur->totals};
    return true;
}

void lf_group_iter_counts(const lf_group_iter *it, uint32_t theme, lf_counts *c)
{
    assert(it->cur && theme < it->t->n_themes);
    *c = public_counts(counts_get(it->cur, theme));
}

void lf_group_iter_free(lf_group_iter *it)
{
    if (!it)
        return;
    free(it->order);
    free(it);
}

struct lf_freq_iter {
    lf_group_iter *groups;
    lf_group_row g; /* the current group */
    bool in_group;
    uint32_t theme; /* the next theme of the current group to look at */
    size_t k;       /* a sparse group: its first theme not below `theme` is themes[k] or
                       later (the themes ascend, so no search per theme) */
};

lf_freq_iter *lf_freq_iter_new(const lf_tables *t, int dim, bool documents)
{
    lf_freq_iter *it = lf_xcalloc(1, sizeof *it);
    it->groups = lf_group_iter_new(t, dim, documents);
    return it;
}

bool lf_freq_iter_next(lf_freq_iter *it, lf_freq_row *row)
{
    const lf_tables *t = it->groups->t;
    for (;;) {
        if (!it->in_group) {
            if (!lf_group_iter_next(it->groups, &it->g))
                return false;
            it->in_group = true;
            it->theme = 0;
            it->k = 0;
        }
        while (it->theme < t->n_themes && t->theme_map[it->theme] != it->theme)
            it->theme++;
        if (it->theme >= t->n_themes) {
            it->in_group = false;
            continue;
        }
        const group *g = it->groups->cur;
        const theme_counts *c = &NO_COUNTS;
        if (group_dense(g)) {
            c = &g->counts[it->theme];
        } else {
            while (it->k < g->n_used && g->themes[it->k] < it->theme)
                it->k++;
            if (it->k < g->n_used && g->themes[it->k] == it->theme)
                c = &g->counts[it->k];
        }
        *row = (lf_freq_row){
            .dim = it->g.dim,
            .kind = it->g.kind,
            .group = it->g.group,
            .theme = it->theme,
            .c = public_counts(c),
            .t = it->g.t,
        };
        it->theme++;
        return true;
    }
}

void lf_freq_iter_free(lf_freq_iter *it)
{
    if (!it)
        return;
    lf_group_iter_free(it->groups);
    free(it);
}

size_t lf_tables_freq_rows(const lf_tables *t, bool documents, lf_freq_row **rows)
{
    LF_VEC(lf_freq_row) v = {0};
    lf_freq_iter *it = lf_freq_iter_new(t, -1, documents);
    lf_freq_row r;
    while (lf_freq_iter_next(it, &r))
        LF_VEC_PUSH(v, r);
    lf_freq_iter_free(it);
    *rows = v.v ? v.v : lf_xcalloc(1, sizeof **rows);
    return v.n;
}

size_t lf_tables_freq(const lf_tables *t, lf_freq_row **rows)
{
    return lf_tables_freq_rows(t, true, rows);
}

static uint64_t scope_units(const lf_totals *tot, lf_scope s)
{
    switch (s) {
    case LF_SCOPE_SENTENCE:
        return tot->sentences;
    case LF_SCOPE_TURN:
        return tot->turns;
    case LF_SCOPE_WINDOW:
        return tot->windows;
    case LF_SCOPE_ADJACENT:
        return tot->adjacent;
    case LF_SCOPE_DOCUMENT:
    case LF_SCOPE_COUNT:
        break;
    }
    return tot->docs;
}

/* ---- streamed rows: co-occurrence and terms ----
 * Their rows are the slots of a key map: an iterator sorts references to the slots (32
 * bytes a row) and makes each row as it is asked for. */

struct ranked_slot {
    uint64_t key;     /* the leading fields of the order in one word: the group's position
                         in table order, then the scope (joint) or theme and form bit */
    uint32_t rank;    /* the group's position in table order */
    const kslot *s;
    const char *form; /* terms: the form's text, or NULL for an entry */
};

/* The orders of ranked slots:
 * - joint (co-occurrence, and partial results): group, scope, theme a, theme b;
 * - terms of partial results: group, theme, entries before forms, entry index or form
 *   bytes;
 * - terms of tables: as partial results, but the most frequent first within a group,
 *   theme and kind. */
typedef enum slot_order { ORDER_JOINT, ORDER_TERMS, ORDER_TERMS_OUT } slot_order;

static int ranked_cmp(slot_order o, const ranked_slot *a, const ranked_slot *b)
{
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (o == ORDER_JOINT)
        return a->s->k2 < b->s->k2 ? -1 : a->s->k2 > b->s->k2;
    if (o == ORDER_TERMS_OUT && a->s->count != b->s->count)
        return a->s->count > b->s->count ? -1 : 1;
    if (a->form) /* the same key: both forms or both entries */
        return strcmp(a->form, b->form);
    uint64_t ea = a->s->k2 & UINT32_MAX, eb = b->s->k2 & UINT32_MAX;
    return ea < eb ? -1 : ea > eb;
}

/* Sorts v[0..n) in order o: insertion-sorted runs, then merges, with the comparison
 * inlined (through qsort's callback it cost as much as all the rest of the sort). The
 * order is total, so no stability is needed. */
static void ranked_sort(ranked_slot *v, size_t n, slot_order o)
{
    enum { RUN = 16 };
    for (size_t lo = 0; lo < n; lo += RUN) {
        size_t hi = n - lo < RUN ? n : lo + RUN;
        for (size_t i = lo + 1; i < hi; i++) {
            ranked_slot x = v[i];
            size_t j = i;
            for (; j > lo && ranked_cmp(o, &x, &v[j - 1]) < 0; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
    }
    if (n <= RUN)
        return;
    ranked_slot *tmp = lf_xmalloc(n * sizeof *tmp), *src = v, *dst = tmp;
    for (size_t width = RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = n - lo < width ? n : lo + width;
            size_t hi = n - lo < 2 * width ? n : lo + 2 * width;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = ranked_cmp(o, &src[j], &src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        ranked_slot *x = src;
        src = dst;
        dst = x;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
}

/* The kmap's slots with their group's rank, sorted in order o (joint: the co-occurrence
 * map; else the terms). */
static ranked_slot *ranked_slots(const lf_tables *t, const kmap *km, const uint32_t *rank,
                                 slot_order o, size_t *n)
{
    bool joint = o == ORDER_JOINT;
    ranked_slot *v = lf_xmalloc((km->n ? km->n : 1) * sizeof *v); /* each one written */
    size_t k = 0;
    for (size_t i = 0; i < km->cap; i++) {
        const kslot *s = &km->slots[i];
        if (!s->count)
            continue;
        uint32_t r = rank[joint ? s->k1 >> 3 : s->k1];
        v[k++] = (ranked_slot){
            .key = joint ? (uint64_t)r << 3 | (s->k1 & 7) : (uint64_t)r << 32 | s->k2 >> 32,
            .rank = r,
            .s = s,
            .form = !joint && (s->k2 >> 32 & 1) ? t->form_text.v[s->k2 & UINT32_MAX] : NULL,
        };
    }
    ranked_sort(v, k, o);
    *n = k;
    return v;
}

typedef struct slot_iter {
    const lf_tables *t;
    const ranked_slot *v;
    ranked_slot *own; /* v when made for the iterator, else NULL (v is the table's) */
    size_t n, pos;
} slot_iter;

/* sorted, n_sorted: the table's rows of km already in order (lf_tables_sort_rows), or NULL. */
static void slot_iter_init(slot_iter *it, const lf_tables *t, const kmap *km, slot_order o,
                           const ranked_slot *sorted, size_t n_sorted)
{
    it->t = t;
    it->pos = 0;
    if (t->sorted.order) {
        it->v = sorted;
        it->n = n_sorted;
        return;
    }
    uint32_t *rank;
    free(sorted_groups(t, &rank));
    it->v = it->own = ranked_slots(t, km, rank, o, &it->n);
    free(rank);
}

/* The next slot, or NULL at the end. */
static const ranked_slot *slot_iter_next(slot_iter *it)
{
    return it->pos < it->n ? &it->v[it->pos++] : NULL;
}

struct lf_cooc_iter {
    slot_iter s;
};

struct lf_term_iter {
    slot_iter s;
};

lf_cooc_iter *lf_cooc_iter_new(const lf_tables *t)
{
    lf_cooc_iter *it = lf_xcalloc(1, sizeof *it);
    slot_iter_init(&it->s, t, &t->joint, ORDER_JOINT, t->sorted.joint, t->sorted.n_joint);
    return it;
}

bool lf_cooc_iter_next(lf_cooc_iter *it, lf_cooc_row *row)
{
    const ranked_slot *r = slot_iter_next(&it->s);
    if (!r)
        return false;
    const lf_tables *t = it->s.t;
    const kslot *s = r->s;
    const group *g = &t->groups.v[s->k1 >> 3];
    lf_scope scope = (lf_scope)(s->k1 & 7);
    uint32_t a = (uint32_t)(s->k2 >> 32), b = (uint32_t)(s->k2 & UINT32_MAX);
    *row = (lf_cooc_row){
        .dim = g->dim,
        .kind = t->dims[g->dim].kind,
        .group = g->name,
        .scope = scope,
        .a = a,
        .b = b,
        .joint = s->count,
        .count_a = counts_get(g, a)->with[scope],
        .count_b = scope == LF_SCOPE_ADJACENT ? counts_get(g, b)->replies_with
                                              : counts_get(g, b)->with[scope],
        .units = scope_units(&g->totals, scope),
    };
    return true;
}

void lf_cooc_iter_free(lf_cooc_iter *it)
{
    if (!it)
        return;
    free(it->s.own);
    free(it);
}

lf_term_iter *lf_term_iter_new(const lf_tables *t)
{
    lf_term_iter *it = lf_xcalloc(1, sizeof *it);
    slot_iter_init(&it->s, t, &t->terms, ORDER_TERMS_OUT, t->sorted.terms, t->sorted.n_terms);
    return it;
}

bool lf_term_iter_next(lf_term_iter *it, lf_term_row *row)
{
    const ranked_slot *r = slot_iter_next(&it->s);
    if (!r)
        return false;
    const lf_tables *t = it->s.t;
    const kslot *s = r->s;
    const group *g = &t->groups.v[s->k1];
    bool is_form = s->k2 >> 32 & 1;
    *row = (lf_term_row){
        .dim = g->dim,
        .kind = t->dims[g->dim].kind,
        .group = g->name,
        .theme = (uint32_t)(s->k2 >> 33),
        .is_form = is_form,
        .entry = is_form ? 0 : (uint32_t)(s->k2 & UINT32_MAX),
        .form = r->form,
        .matches = s->count,
        .weight = fixed_to_double(s->w),
    };
    return true;
}

void lf_term_iter_free(lf_term_iter *it)
{
    if (!it)
        return;
    free(it->s.own);
    free(it);
}

void lf_tables_sort_rows(lf_tables *t)
{
    if (t->sorted.order)
        return;
    uint32_t *rank;
    t->sorted.order = sorted_groups(t, &rank);
    t->sorted.joint = ranked_slots(t, &t->joint, rank, ORDER_JOINT, &t->sorted.n_joint);
    t->sorted.terms = ranked_slots(t, &t->terms, rank, ORDER_TERMS_OUT, &t->sorted.n_terms);
    free(rank);
}

size_t lf_tables_cooc(const lf_tables *t, lf_cooc_row **rows)
{
    LF_VEC(lf_cooc_row) v = {0};
    lf_cooc_iter *it = lf_cooc_iter_new(t);
    lf_cooc_row r;
    while (lf_cooc_iter_next(it, &r))
        LF_VEC_PUSH(v, r);
    lf_cooc_iter_free(it);
    *rows = v.v ? v.v : lf_xcalloc(1, sizeof **rows);
    return v.n;
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
    size_t n = 0;
    for (size_t i = 0; i < t->terms.cap; i++) {
        const kslot *s = &t->terms.slots[i];
        n += s->count && s->k1 == 0 && !(s->k2 >> 32 & 1);
    }
    lf_entry_row *r = lf_xcalloc(n ? n : 1, sizeof *r);
    size_t k = 0;
    for (size_t i = 0; i < t->terms.cap; i++) {
        const kslot *s = &t->terms.slots[i];
        if (s->count && s->k1 == 0 && !(s->k2 >> 32 & 1))
            r[k++] = (lf_entry_row){.entry = (uint32_t)(s->k2 & UINT32_MAX),
                                    .theme = (uint32_t)(s->k2 >> 33),
                                    .matches = s->count};
    }
    qsort(r, n, sizeof *r, entry_row_cmp);
    *rows = r;
    return n;
}

size_t lf_tables_terms(const lf_tables *t, lf_term_row **rows)
{
    LF_VEC(lf_term_row) v = {0};
    lf_term_iter *it = lf_term_iter_new(t);
    lf_term_row r;
    while (lf_term_iter_next(it, &r))
        LF_VEC_PUSH(v, r);
    lf_term_iter_free(it);
    *rows = v.v ? v.v : lf_xcalloc(1, sizeof **rows);
    return v.n;
}

/* ---- streamed rows: first appearances ---- */

typedef struct doc_key {
    const char *id;
    uint32_t rec;
} doc_key;

static int doc_key_cmp(const void *pa, const void *pb)
{
    return strcmp(((const doc_key *)pa)->id, ((const doc_key *)pb)->id);
}

/* The document records sorted by id (ids are unique). */
static doc_key *sorted_docs(const lf_tables *t)
{
    doc_key *keys = lf_xcalloc(t->docs.n ? t->docs.n : 1, sizeof *keys);
    for (size_t i = 0; i < t->docs.n; i++)
        keys[i] = (doc_key){t->docs.v[i].id, (uint32_t)i};
    qsort(keys, t->docs.n, sizeof *keys, doc_key_cmp);
    return keys;
}

/* The first appearances of document record doc into v, sorted by cmp. */
typedef LF_VEC(const first_rec *) first_vec;
static void doc_firsts(const lf_tables *t, uint32_t doc, first_vec *v,
                       int (*cmp)(const void *, const void *))
{
    v->n = 0;
    for (uint32_t k = t->docs.v[doc].first; k; k = t->firsts.v[k - 1].next)
        LF_VEC_PUSH(*v, &t->firsts.v[k - 1]);
    if (v->n > 1)
        qsort(v->v, v->n, sizeof *v->v, cmp);
}

static int first_word_cmp(const void *pa, const void *pb)
{
    const first_rec *a = *(const first_rec *const *)pa, *b = *(const first_rec *const *)pb;
    if (a->word != b->word)
        return a->word < b->word ? -1 : 1;
    return a->theme < b->theme ? -1 : a->theme > b->theme;
}

static int first_theme_cmp(const void *pa, const void *pb)
{
    const first_rec *a = *(const first_rec *const *)pa, *b = *(const first_rec *const *)pb;
    return a->theme < b->theme ? -1 : a->theme > b->theme;
}

struct lf_first_iter {
    const lf_tables *t;
    doc_key *docs; /* by id */
    size_t pos;    /* the next document */
    first_vec cur; /* the current document's, by word and theme */
    size_t k;      /* the next of them */
    const doc_rec *doc;
};

lf_first_iter *lf_first_iter_new(const lf_tables *t)
{
    lf_first_iter *it = lf_xcalloc(1, sizeof *it);
    it->t = t;
    it->docs = sorted_docs(t);
    return it;
}

bool lf_first_iter_next(lf_first_iter *it, lf_first_row *row)
{
    const lf_tables *t = it->t;
    while (it->k >= it->cur.n) {
        if (it->pos >= t->docs.n)
            return false;
        uint32_t rec = it->docs[it->pos++].rec;
        it->doc = &t->docs.v[rec];
        doc_firsts(t, rec, &it->cur, first_word_cmp);
        it->k = 0;
    }
    const first_rec *f = it->cur.v[it->k++];
    *row = (lf_first_row){.doc = it->doc->id,
                          .theme = f->theme,
                          .word = f->word,
                          .doc_words = it->doc->words,
                          .turn = f->turn,
                          .sentence = f->sentence,
                          .line = f->line,
                          .speaker = f->speaker};
    return true;
}

void lf_first_iter_free(lf_first_iter *it)
{
    if (!it)
        return;
    free(it->docs);
    LF_VEC_FREE(it->cur);
    free(it);
}

size_t lf_tables_first(const lf_tables *t, lf_first_row **rows)
{
    LF_VEC(lf_first_row) v = {0};
    lf_first_iter *it = lf_first_iter_new(t);
    lf_first_row r;
    while (lf_first_iter_next(it, &r))
        LF_VEC_PUSH(v, r);
    lf_first_iter_free(it);
    *rows = v.v ? v.v : lf_xcalloc(1, sizeof **rows);
    return v.n;
}

const lf_corpus_stats *lf_tables_stats(const lf_tables *t)
{
    return &t->stats;
}

size_t lf_tables_group_count(const lf_tables *t, lf_group_kind kind)
{
    int d = lf_tables_find_dim(t, kind);
    return d < 0 ? 0 : t->names[d].count;
}

size_t lf_tables_speaker_count(const lf_tables *t)
{
    return t->speakers.count;
}

static const group *find_group(const lf_tables *t, uint32_t dim, const char *name)
{
    uint32_t idx;
    if (dim >= t->n_dims || !lf_strmap_get(&t->names[dim], name, strlen(name), &idx))
        return NULL;
    return &t->groups.v[idx];
}

bool lf_tables_group_totals(const lf_tables *t, lf_group_kind kind, const char *name,
                            lf_totals *out)
{
    int d = lf_tables_find_dim(t, kind);
    const group *g = d < 0 ? NULL : find_group(t, (uint32_t)d, name);
    if (!g)
        return false;
    if (out)
        *out = g->totals;
    return true;
}

bool lf_tables_group_counts(const lf_tables *t, uint32_t dim, const char *name,
                            uint32_t theme, lf_counts *c, lf_totals *tot)
{
    const group *g = find_group(t, dim, name);
    if (!g || (c && theme >= t->n_themes))
        return false;
    if (c)
        *c = public_counts(counts_get(g, theme));
    if (tot)
        *tot = g->totals;
    return true;
}

/* ---- partial results: the tables as text lines ---- */

/* Every line is "TAG\tfield…"; groups and documents are numbered by their position in the
 * file. Lines come in a fixed order (groups by dim and name, then keys sorted), so the
 * same tables give the same bytes whatever order the documents were added in. */

static void put_fixed(FILE *fp, fixed_sum w)
{
    fprintf(fp, "\t%lld\t%lld", (long long)w.units, (long long)w.nanos);
}

uint64_t lf_tables_write(const lf_tables *t, FILE *fp)
{
    assert(!t->cur.open);
    uint64_t lines = 0;
    uint32_t *rank;
    uint32_t *order = sorted_groups(t, &rank);
    for (size_t i = 0; i < t->groups.n; i++) {
        const group *g = &t->groups.v[order[i]];
        const lf_totals *x = &g->totals;
        fprintf(fp, "group\t%u\t", g->dim);
        lf_fput_escaped(fp, g->name);
        fprintf(fp, "\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", (unsigned long long)x->words,
                (unsigned long long)x->sentences, (unsigned long long)x->turns,
                (unsigned long long)x->docs, (unsigned long long)x->windows,
                (unsigned long long)x->adjacent);
        lines++;
    }
    for (size_t i = 0; i < t->groups.n; i++) {
        const group *g = &t->groups.v[order[i]];
        size_t k = 0;
        uint32_t th;
        const theme_counts *c;
        while (counts_next(t, g, &k, &th, &c)) {
            if (counts_zero(c))
                continue; /* the rows of a dense group may be zero */
            fprintf(fp, "count\t%zu\t%u\t%llu\t%llu", i, (unsigned)th, (unsigned long long)c->matches,
                    (unsigned long long)c->negated);
            for (int s = 0; s < LF_SCOPE_COUNT; s++)
                fprintf(fp, "\t%llu", (unsigned long long)c->with[s]);
            fprintf(fp, "\t%llu", (unsigned long long)c->replies_with);
            put_fixed(fp, c->weight);
            putc('\n', fp);
            lines++;
        }
    }
    size_t n;
    ranked_slot *v = ranked_slots(t, &t->joint, rank, ORDER_JOINT, &n);
    for (size_t i = 0; i < n; i++) {
        const kslot *s = v[i].s;
        fprintf(fp, "joint\t%u\t%u\t%u\t%u\t%llu\n", v[i].rank, (unsigned)(s->k1 & 7),
                (unsigned)(s->k2 >> 32), (unsigned)(s->k2 & UINT32_MAX),
                (unsigned long long)s->count);
    }
    lines += n;
    free(v);
    v = ranked_slots(t, &t->terms, rank, ORDER_TERMS, &n);
    for (size_t i = 0; i < n; i++) {
        const kslot *s = v[i].s;
        fprintf(fp, "term\t%u\t%u\t", v[i].rank, (unsigned)(s->k2 >> 33));
        if (v[i].form) {
            fputs("form\t", fp);
            lf_fput_escaped(fp, v[i].form);
        } else {
            fprintf(fp, "entry\t%u", (unsigned)(s->k2 & UINT32_MAX));
        }
        fprintf(fp, "\t%llu", (unsigned long long)s->count);
        put_fixed(fp, s->w);
        putc('\n', fp);
    }
    lines += n;
    free(v);
    free(order);
    free(rank);

    const char **names = lf_xcalloc(t->speakers.count ? t->speakers.count : 1, sizeof *names);
    size_t pos = 0, k = 0;
    const char *key;
    while (lf_strmap_next(&t->speakers, &pos, &key, NULL, NULL))
        names[k++] = key;
    qsort(names, k, sizeof *names, lf_cmp_str_ptr);
    for (size_t i = 0; i < k; i++) {
        fputs("speaker\t", fp);
        lf_fput_escaped(fp, names[i]);
        putc('\n', fp);
    }
    lines += k;
    free(names);

    /* documents by id; first appearances point at their position */
    size_t nd = t->docs.n;
    doc_key *docs = sorted_docs(t);
    for (size_t i = 0; i < nd; i++) {
        fputs("docrec\t", fp);
        lf_fput_escaped(fp, docs[i].id);
        fprintf(fp, "\t%llu\n", (unsigned long long)t->docs.v[docs[i].rec].words);
    }
    lines += nd;
    first_vec fv = {0};
    for (size_t i = 0; i < nd; i++) {
        doc_firsts(t, docs[i].rec, &fv, first_theme_cmp);
        for (size_t j = 0; j < fv.n; j++) {
            const first_rec *f = fv.v[j];
            fprintf(fp, "first\t%zu\t%u\t%llu\t%llu\t%llu\t%llu\t", i, f->theme,
                    (unsigned long long)f->word, (unsigned long long)f->turn,
                    (unsigned long long)f->sentence, (unsigned long long)f->line);
            lf_fput_escaped(fp, f->speaker);
            putc('\n', fp);
        }
        lines += fv.n;
    }
    LF_VEC_FREE(fv);
    free(docs);

    const lf_corpus_stats *st = &t->stats;
    const uint64_t stats[] = {st->docs,
                              st->turns,
                              st->sentences,
                              st->words,
                              st->unattributed_turns,
                              st->gap_turns,
                              st->matches_counted,
                              st->suppressed_overlap,
                              st->suppressed_excluded,
                              st->suppressed_negated,
                              st->suppressed_context,
                              st->negated,
                              st->stripped,
                              st->excluded_turns,
                              st->excluded_words};
    fputs("stats", fp);
    for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++)
        fprintf(fp, "\t%llu", (unsigned long long)stats[i]);
    putc('\n', fp);
    return lines + 1;
}

bool lf_tables_line_tag(const char *tag)
{
    static const char *const tags[] = {"group",  "count", "joint", "term",
                                       "speaker", "docrec", "first", "stats"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcmp(tag, tags[i]) == 0)
            return true;
    return false;
}

/* Numbers of a line: f[from..from+n) into out; false when one is not a number. */
static bool read_numbers(char *const *f, size_t from, size_t n, uint64_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (!lf_parse_u64(f[from + i], UINT64_MAX, &out[i]))
            return false;
    return true;
}

/* A fixed-point weight: whole units (may be negative) and nanos in [0, 1e9). */
static bool read_fixed(const char *units, const char *nanos, fixed_sum *out)
{
    uint64_t u, ns;
    bool neg = units[0] == '-';
    if (!lf_parse_u64(units + neg, INT64_MAX, &u) ||
        !lf_parse_u64(nanos, NANOS_PER_UNIT - 1, &ns))
        return false;
    out->units = neg ? -(int64_t)u : (int64_t)u;
    out->nanos = (int64_t)ns;
    return true;
}

lf_status lf_tables_read_line(lf_tables *t, char *const *f, size_t n, const char *where,
                              lf_error *err)
{
    const char *tag = f[0];
    uint64_t v[16];
    sorted_drop(t);
#define BAD(what)                                                                              \
    do {                                                                                       \
        lf_error_set(err, LF_ERR_INPUT, "%s: %s", where, what);                                \
        return LF_ERR_INPUT;                                                                   \
    } while (0)
    if (strcmp(tag, "group") == 0) {
        if (n != 9 || !lf_parse_u64(f[1], t->n_dims - 1, &v[0]) || !read_numbers(f, 3, 6, v + 1))
            BAD("malformed group line");
        size_t before = t->groups.n;
        uint32_t gi = group_get(t, (uint32_t)v[0], f[2]);
        /* the corpus group of a fresh table exists already: it must come first */
        if (gi != before && !(gi == 0 && before == 1))
            BAD("group listed twice or out of order");
        group *g = &t->groups.v[gi];
        g->totals = (lf_totals){v[1], v[2], v[3], v[4], v[5], v[6]};
        return LF_OK;
    }
    if (strcmp(tag, "count") == 0) {
        theme_counts c = {0};
        if (n != 13 || !lf_parse_u64(f[1], t->groups.n - 1, &v[0]) || t->n_themes == 0 ||
            !lf_parse_u64(f[2], t->n_themes - 1, &v[1]) || !read_numbers(f, 3, 8, v + 2) ||
            !read_fixed(f[11], f[12], &c.weight))
            BAD("malformed count line");
        c.matches = v[2];
        c.negated = v[3];
        for (int s = 0; s < LF_SCOPE_COUNT; s++)
            c.with[s] = v[4 + s];
        c.replies_with = v[9];
        *counts_add(t, &t->groups.v[v[0]], (uint32_t)v[1]) = c;
        return LF_OK;
    }
    if (strcmp(tag, "joint") == 0) {
        if (n != 6 || !lf_parse_u64(f[1], t->groups.n - 1, &v[0]) ||
            !lf_parse_u64(f[2], LF_SCOPE_COUNT - 1, &v[1]) || t->n_themes == 0 ||
            !lf_parse_u64(f[3], t->n_themes - 1, &v[2]) ||
            !lf_parse_u64(f[4], t->n_themes - 1, &v[3]) || !lf_parse_u64(f[5], UINT64_MAX, &v[4]) ||
            v[4] == 0)
            BAD("malformed joint line");
        kmap_add(&t->joint, JOINT_K1(v[0], v[1]), v[2] << 32 | v[3], v[4], NO_WEIGHT);
        return LF_OK;
    }
    if (strcmp(tag, "term") == 0) {
        fixed_sum w;
        bool form = n == 8 && strcmp(f[3], "form") == 0;
        if (n != 8 || !lf_parse_u64(f[1], t->groups.n - 1, &v[0]) ||
            t->n_themes == 0 || !lf_parse_u64(f[2], t->n_themes - 1, &v[1]) ||
            (!form && (strcmp(f[3], "entry") != 0 || t->n_entries == 0 ||
                       !lf_parse_u64(f[4], t->n_entries - 1, &v[2]))) ||
            !lf_parse_u64(f[5], UINT64_MAX, &v[3]) || v[3] == 0 || !read_fixed(f[6], f[7], &w))
            BAD("malformed term line");
        if (form) {
            size_t len = strlen(f[4]);
            bool added;
            uint32_t id = lf_strmap_intern(&t->forms, f[4], len, (uint32_t)t->form_text.n,
                                           &added);
            if (added)
                LF_VEC_PUSH(t->form_text, lf_strmap_put(&t->forms, f[4], len, id));
            v[2] = id;
        }
        kmap_add(&t->terms, v[0], TERM_KEY(v[1], form, v[2]), v[3], w);
        return LF_OK;
    }
    if (strcmp(tag, "speaker") == 0) {
        if (n != 2)
            BAD("malformed speaker line");
        lf_strmap_put(&t->speakers, f[1], strlen(f[1]), 0);
        return LF_OK;
    }
    if (strcmp(tag, "docrec") == 0) {
        if (n != 3 || !lf_parse_u64(f[2], UINT64_MAX, &v[0]))
            BAD("malformed docrec line");
        uint32_t gi;
        if (t->doc_dim >= 0 && !lf_strmap_get(&t->names[t->doc_dim], f[1], strlen(f[1]), &gi))
            BAD("document without its group");
        size_t before = t->docs.n;
        if (doc_record(t, f[1]) != before)
            BAD("document listed twice");
        t->docs.v[before].words = v[0];
        return LF_OK;
    }
    if (strcmp(tag, "first") == 0) {
        if (n != 8 || t->docs.n == 0 || !lf_parse_u64(f[1], t->docs.n - 1, &v[0]) ||
            t->n_themes == 0 || !lf_parse_u64(f[2], t->n_themes - 1, &v[1]) ||
            !read_numbers(f, 3, 4, v + 2))
            BAD("malformed first line");
        first_rec r = {.theme = (uint32_t)v[1],
                       .word = v[2],
                       .turn = v[3],
                       .sentence = v[4],
                       .line = v[5],
                       .speaker = lf_strmap_put(&t->strings, f[7], strlen(f[7]), 0)};
        first_seen(t, (uint32_t)v[0], &r);
        return LF_OK;
    }
    if (strcmp(tag, "stats") == 0) {
        if (n != 16 || !read_numbers(f, 1, 15, v))
            BAD("malformed stats line");
        t->stats = (lf_corpus_stats){v[0], v[1], v[2],  v[3],  v[4],  v[5],  v[6], v[7],
                                     v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
        return LF_OK;
    }
#undef BAD
    lf_error_set(err, LF_ERR_INPUT, "%s: unknown line '%s'", where, tag);
    return LF_ERR_INPUT;
}
