/* aggregate.h — stage 4: per-document matches are folded into additive count tables keyed
 * by (group, theme) and (scope, theme, theme). Tables only ever add, so tables of separate
 * runs or threads merge exactly (lf_tables_merge). Writers read tables through the sorted
 * row arrays below and never see documents or tokens.
 * Ownership: a table borrows its lexicon; row arrays are owned by the caller (free()), the
 * strings inside them by the table. */
#ifndef LF_AGGREGATE_H
#define LF_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "lexicon.h"
#include "match.h"
#include "tokenize.h"

/* Group types of the frequency table, in output order. */
typedef enum lf_group_kind {
    LF_GROUP_CORPUS,   /* one group, "all" */
    LF_GROUP_DOCUMENT, /* document id */
    LF_GROUP_SPEAKER,  /* resolved speaker name; "(unattributed)" for text before a label */
    LF_GROUP_KIND_COUNT
} lf_group_kind;

/* Co-occurrence scopes, in output order. */
typedef enum lf_scope {
    LF_SCOPE_SENTENCE,
    LF_SCOPE_TURN,
    LF_SCOPE_COUNT
} lf_scope;

const char *lf_group_kind_name(lf_group_kind k); /* "corpus", "document", "speaker" */
const char *lf_scope_name(lf_scope s);           /* "sentence", "turn" */
#define LF_UNATTRIBUTED "(unattributed)"

/* Counts of one theme in one group. */
typedef struct lf_counts {
    uint64_t matches;    /* counted matches */
    uint64_t negated;    /* negated matches found (whatever the theme's policy) */
    double weight;       /* sum of the weights of counted matches (summed exactly in
                            fixed point with 1e-9 resolution, so merges are exact) */
    uint64_t turns_with; /* turns with at least one counted match */
    uint64_t sents_with; /* sentences with at least one counted match */
} lf_counts;

/* Size of one group. */
typedef struct lf_totals {
    uint64_t words, sentences, turns, docs;
} lf_totals;

typedef struct lf_freq_row {
    lf_group_kind kind;
    const char *group;
    uint32_t theme;
    lf_counts c;
    lf_totals t;
} lf_freq_row;

typedef struct lf_cooc_row {
    lf_scope scope;
    uint32_t a, b;        /* theme indexes, a < b */
    uint64_t joint;       /* units containing both */
    uint64_t count_a, count_b; /* units containing each */
    uint64_t units;       /* units in the scope */
} lf_cooc_row;

/* One lexicon entry's contribution to its theme across the corpus. */
typedef struct lf_entry_row {
    uint32_t entry;
    uint32_t theme;
    uint64_t matches;
} lf_entry_row;

/* Corpus-wide counts for the summary and the manifest. */
typedef struct lf_corpus_stats {
    uint64_t docs, turns, sentences, words, unattributed_turns, gap_turns;
    uint64_t matches_counted, suppressed_overlap, suppressed_excluded, suppressed_negated;
    uint64_t negated;
    uint64_t stripped; /* stage directions and time stamps removed */
} lf_corpus_stats;

typedef struct lf_tables lf_tables;

lf_tables *lf_tables_new(const lf_lexicon *lex);
void lf_tables_free(lf_tables *t);
/* Adds one processed document. A match counts for the groups of the turn its sentence
 * belongs to (lf_sentence.turn). "Counted" means status LF_MATCH_COUNTED and, when the
 * entry's theme keeps negated matches apart (LF_NEG_SEPARATE), not negated; `negated`
 * counts negated matches whose status is COUNTED or NEGATED_IGNORED. Gap turns count as
 * turns of their speaker's group with no words. Co-occurrence units are all sentences and
 * all turns (gap turns included) of the corpus. */
void lf_tables_add_doc(lf_tables *t, const lf_doc *doc, const lf_tokens *toks,
                       const lf_matches *ms);
/* Adds every count of `from` into `into` (same lexicon). */
void lf_tables_merge(lf_tables *into, const lf_tables *from);

/* Rows for every group × theme (zeros included), sorted by kind, group (byte order),
 * theme index. Returns the count; *rows is malloc'd. */
size_t lf_tables_freq(const lf_tables *t, lf_freq_row **rows);
/* Rows for every theme pair with joint > 0, sorted by scope, a, b. */
size_t lf_tables_cooc(const lf_tables *t, lf_cooc_row **rows);
/* Rows for every entry with matches > 0, sorted by theme, matches descending, entry.
 * `theme` is the theme counted for: an entry whose negated matches move to another theme
 * (LF_NEG_MOVE) has a second row for the target theme. */
size_t lf_tables_entries(const lf_tables *t, lf_entry_row **rows);
/* Borrowed; valid until the table changes or is freed. */
const lf_corpus_stats *lf_tables_stats(const lf_tables *t);
/* Number of distinct groups of a kind (e.g. speakers, "(unattributed)" included). */
size_t lf_tables_group_count(const lf_tables *t, lf_group_kind kind);
/* Copies the totals of one group into *out; false when the table has no such group. */
bool lf_tables_group_totals(const lf_tables *t, lf_group_kind kind, const char *name,
                            lf_totals *out);

#endif
