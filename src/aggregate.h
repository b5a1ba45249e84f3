/* aggregate.h — stage 4: per-document matches are folded into additive count tables keyed
 * by (group, theme), (group, scope, theme, theme) and (group, theme, term), for every
 * grouping of the run (corpus, document, speaker, party, role, period, metadata key).
 * Tables only ever add (first appearances take the minimum), so tables of separate runs or
 * threads merge exactly (lf_tables_merge). Writers read tables through the sorted rows
 * below (streamed by iterators, or as arrays for the small ones) and never see documents
 * or tokens.
 * Ownership: a table borrows its lexicon; iterators and row arrays are owned by the caller
 * (the iterator's _free, free()), the strings inside rows by the table. */
#ifndef LF_AGGREGATE_H
#define LF_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ingest.h"
#include "lexicon.h"
#include "match.h"
#include "tokenize.h"

/* Co-occurrence scopes, in output order. */
typedef enum lf_scope {
    LF_SCOPE_SENTENCE,
    LF_SCOPE_TURN,
    LF_SCOPE_WINDOW,   /* every run of `window` consecutive words inside one turn */
    LF_SCOPE_ADJACENT, /* a turn and the next turn, by another speaker (ordered pair) */
    LF_SCOPE_DOCUMENT, /* a document (for speaker, party, role: that group's talk in it) */
    LF_SCOPE_COUNT
} lf_scope;

/* "corpus", "document", "speaker", "party", "role", "period", "meta". */
const char *lf_group_kind_name(lf_group_kind k);
/* "sentence", "turn", "window", "adjacent", "document". */
const char *lf_scope_name(lf_scope s);
/* "month", "day", "year". */
const char *lf_period_name(lf_period p);
#define LF_UNATTRIBUTED "(unattributed)"
#define LF_GROUP_NONE "(none)"       /* party, role or metadata value not given */
#define LF_GROUP_UNDATED "(undated)" /* no date, or one that is not YYYY[-MM[-DD]] */

/* Counts of one theme in one group. */
typedef struct lf_counts {
    uint64_t matches;      /* counted matches */
    uint64_t negated;      /* negated matches found (whatever the theme's policy) */
    double weight;         /* sum of the weights of counted matches (summed exactly in
                              fixed point with 1e-9 resolution, so merges are exact) */
    uint64_t turns_with;   /* turns with at least one counted match */
    uint64_t sents_with;   /* sentences with at least one counted match */
    uint64_t windows_with; /* windows with at least one counted match (its first word) */
    uint64_t docs_with;    /* document units with at least one counted match */
    uint64_t firsts_with;  /* adjacent pairs whose first turn has the theme */
    uint64_t replies_with; /* adjacent pairs whose reply has the theme */
} lf_counts;

/* Size of one group. */
typedef struct lf_totals {
    uint64_t words, sentences, turns, docs;
    uint64_t windows;   /* window units */
    uint64_t adjacent;  /* adjacent-turn pairs whose reply belongs to the group */
} lf_totals;

typedef struct lf_freq_row {
    uint32_t dim;       /* grouping index (0 = corpus), see lf_tables_dim */
    lf_group_kind kind;
    const char *group;
    uint32_t theme;
    lf_counts c;
    lf_totals t;
} lf_freq_row;

typedef struct lf_cooc_row {
    uint32_t dim;
    lf_group_kind kind;
    const char *group;
    lf_scope scope;
    uint32_t a, b;        /* theme indexes; a < b, except in LF_SCOPE_ADJACENT where a is
                             in the first turn and b in the reply (a == b possible) */
    uint64_t joint;       /* units containing both */
    uint64_t count_a, count_b; /* units containing each (adjacent: a first, b in reply) */
    uint64_t units;       /* units in the scope */
} lf_cooc_row;

/* One lexicon entry's contribution to its theme across the corpus. */
typedef struct lf_entry_row {
    uint32_t entry;
    uint32_t theme;
    uint64_t matches;
} lf_entry_row;

/* The terms behind a theme in a group: a lexicon entry, or a matched form (the matched
 * words normalized and case-folded, joined by single spaces). */
typedef struct lf_term_row {
    uint32_t dim;
    lf_group_kind kind;
    const char *group;
    uint32_t theme;
    bool is_form;
    uint32_t entry;       /* entry index when !is_form */
    const char *form;     /* when is_form */
    uint64_t matches;
    double weight;        /* weighted score of those matches */
} lf_term_row;

/* Where a theme first appears in a document (counted matches only). Word, turn and
 * sentence numbers continue across the parts of a document, as in the match rows. */
typedef struct lf_first_row {
    const char *doc;
    uint32_t theme;
    uint64_t word;        /* 0-based word offset of the match's first word */
    uint64_t doc_words;   /* words of the document (counted turns) */
    uint64_t turn;        /* 1-based */
    uint64_t sentence;    /* 1-based */
    uint64_t line;        /* 1-based source line (of the part's text) */
    const char *speaker;  /* resolved name; "(unattributed)" */
} lf_first_row;

/* Corpus-wide counts for the summary and the manifest (counted turns only). */
typedef struct lf_corpus_stats {
    uint64_t docs, turns, sentences, words, unattributed_turns, gap_turns;
    uint64_t matches_counted, suppressed_overlap, suppressed_excluded, suppressed_negated;
    uint64_t suppressed_context; /* a context rule of the theme did not hold (the match's
                                    status is LF_MATCH_EXCLUDED; not in suppressed_excluded) */
    uint64_t negated;
    uint64_t stripped; /* stage directions, time stamps and gap markers removed */
    uint64_t excluded_turns, excluded_words; /* left out by the speaker filters */
} lf_corpus_stats;

/* Every match suppressed, for whatever reason. */
static inline uint64_t lf_stats_suppressed(const lf_corpus_stats *s)
{
    return s->suppressed_overlap + s->suppressed_excluded + s->suppressed_negated +
           s->suppressed_context;
}

typedef struct lf_tables lf_tables;

/* A table with the groupings, level, window and speaker filters of opt (copied; NULL:
 * every default of lf_options_init). */
lf_tables *lf_tables_new_opts(const lf_lexicon *lex, const lf_options *opt);
/* The same with default options. */
lf_tables *lf_tables_new(const lf_lexicon *lex);
void lf_tables_free(lf_tables *t);
/* Adds one processed document, or one part of it (lf_doc.part/more_parts: the parts of a
 * document must be added consecutively; document units, adjacent turns and first
 * appearances span the parts). A match counts for the groups of the turn its sentence
 * belongs to (lf_sentence.turn), for its theme rolled up to the table's level. "Counted"
 * means status LF_MATCH_COUNTED and, when the entry's theme keeps negated matches apart
 * (LF_NEG_SEPARATE), not negated; `negated` counts negated matches whose status is COUNTED
 * or NEGATED_IGNORED. Turns left out by the speaker filters count nowhere. Gap turns count
 * as turns of their speaker's group with no words. Co-occurrence units: all sentences and
 * all turns (gap turns included); windows of the turns with words; pairs of consecutive
 * counted turns by different attributed speakers, neither a gap; documents. */
void lf_tables_add_doc(lf_tables *t, const lf_doc *doc, const lf_tokens *toks,
                       const lf_matches *ms);
/* True when both tables count the same way (lexicon size, groupings, period, level,
 * window, speaker filters), so that they can be merged. */
bool lf_tables_compatible(const lf_tables *a, const lf_tables *b);
/* Adds every count of `from` into `into` (compatible tables, neither in the middle of a
 * multi-part document). */
void lf_tables_merge(lf_tables *into, const lf_tables *from);

/* Partial results (lexframe report --partial, merge): writes every count of a table (not
 * in the middle of a document) as "TAG\tfield…" lines — groups, counts, co-occurrence,
 * terms, speakers, documents, first appearances, corpus statistics — with strings escaped
 * by lf_fput_escaped, in an order fixed by the contents (the same tables give the same
 * bytes). Returns the number of lines written. */
uint64_t lf_tables_write(const lf_tables *t, FILE *fp);
/* True when `tag` starts a line written by lf_tables_write. */
bool lf_tables_line_tag(const char *tag);
/* Reads one line written by lf_tables_write, split at tabs and unescaped (f[0] is the tag,
 * n fields), into t, which must be a fresh table with the writer's lexicon size and
 * groupings; lines must come in the order written. LF_ERR_INPUT "WHERE: message" for a
 * malformed line or an index out of range. */
lf_status lf_tables_read_line(lf_tables *t, char *const *f, size_t n, const char *where,
                              lf_error *err) LF_WARN_UNUSED;

/* Groupings: dim 0 is the corpus, then the options' groupings in order. */
size_t lf_tables_dim_count(const lf_tables *t);
const lf_grouping *lf_tables_dim(const lf_tables *t, uint32_t dim);
/* The grouping's name in tables: "corpus", "document", …, "period", "meta:KEY". */
const char *lf_tables_dim_name(const lf_tables *t, uint32_t dim);
/* The kind of grouping `dim` (LF_GROUP_CORPUS for a dim out of range). */
lf_group_kind lf_tables_dim_kind(const lf_tables *t, uint32_t dim);
/* The first grouping of a kind, or -1. */
int lf_tables_find_dim(const lf_tables *t, lf_group_kind kind);
lf_period lf_tables_period(const lf_tables *t);
unsigned lf_tables_level(const lf_tables *t);
size_t lf_tables_window(const lf_tables *t);
/* The lexicon's number of themes (reported or not). */
size_t lf_tables_theme_count(const lf_tables *t);
/* True when theme i has rows (at level N: the themes down to depth N). */
bool lf_tables_theme_reported(const lf_tables *t, uint32_t theme);

/* ---- streamed rows ----
 * A table of a large corpus has a row per document and theme: writers take rows one at a
 * time from an iterator, which lays out only the order of the groups or documents (a few
 * bytes each), never the rows. An iterator borrows the table, which must not change until
 * the iterator is freed; strings in rows are the table's. Each _new is released by its
 * _free (NULL: no-op). */

/* Sorts the groups and the co-occurrence and term rows once, for a table read many times
 * without changing (a report reads each several times): until the table next changes, its
 * iterators and row arrays take their order from that sort instead of each sorting anew.
 * Not to be called while iterators or other threads read the table. */
void lf_tables_sort_rows(lf_tables *t);

/* One group of a grouping and its size. */
typedef struct lf_group_row {
    uint32_t dim;
    lf_group_kind kind;
    const char *group;
    lf_totals t;
} lf_group_row;

typedef struct lf_group_iter lf_group_iter;
/* The groups of grouping `dim` (-1: of every grouping, the corpus included), without the
 * groupings by document when `documents` is false, sorted by dim, then group (byte
 * order). */
lf_group_iter *lf_group_iter_new(const lf_tables *t, int dim, bool documents);
/* The next group into *row; false at the end. */
bool lf_group_iter_next(lf_group_iter *it, lf_group_row *row);
/* The counts of a theme (< the lexicon's themes) in the group last returned by
 * lf_group_iter_next (zeros when it has none). */
void lf_group_iter_counts(const lf_group_iter *it, uint32_t theme, lf_counts *c);
void lf_group_iter_free(lf_group_iter *it);

typedef struct lf_freq_iter lf_freq_iter;
/* Frequency rows: for every group lf_group_iter_new(t, dim, documents) gives, a row per
 * reported theme (zeros included), by theme index. */
lf_freq_iter *lf_freq_iter_new(const lf_tables *t, int dim, bool documents);
bool lf_freq_iter_next(lf_freq_iter *it, lf_freq_row *row);
void lf_freq_iter_free(lf_freq_iter *it);

typedef struct lf_cooc_iter lf_cooc_iter;
/* Co-occurrence rows, as lf_tables_cooc lists them (a reference of 24 bytes per row is
 * sorted; rows are made one at a time). */
lf_cooc_iter *lf_cooc_iter_new(const lf_tables *t);
bool lf_cooc_iter_next(lf_cooc_iter *it, lf_cooc_row *row);
void lf_cooc_iter_free(lf_cooc_iter *it);

typedef struct lf_term_iter lf_term_iter;
/* Term rows, as lf_tables_terms lists them (the same way). */
lf_term_iter *lf_term_iter_new(const lf_tables *t);
bool lf_term_iter_next(lf_term_iter *it, lf_term_row *row);
void lf_term_iter_free(lf_term_iter *it);

typedef struct lf_first_iter lf_first_iter;
/* First appearances, sorted by document id, word, theme. */
lf_first_iter *lf_first_iter_new(const lf_tables *t);
bool lf_first_iter_next(lf_first_iter *it, lf_first_row *row);
void lf_first_iter_free(lf_first_iter *it);

/* ---- rows as arrays: for small tables and tests (writers use the iterators) ---- */
/* Rows for every group × reported theme (zeros included), sorted by dim, group (byte
 * order), theme index: lf_freq_iter_new(t, -1, true)'s. Returns the count; *rows is
 * malloc'd. */
size_t lf_tables_freq(const lf_tables *t, lf_freq_row **rows);
/* The same without the rows of groupings by document when `documents` is false (a
 * corpus of many documents has most of its rows there). */
size_t lf_tables_freq_rows(const lf_tables *t, bool documents, lf_freq_row **rows);
/* Rows for every (group, scope, theme pair) with joint > 0, sorted by dim, group, scope,
 * a, b. */
size_t lf_tables_cooc(const lf_tables *t, lf_cooc_row **rows);
/* Corpus rows for every entry with matches > 0, sorted by theme, matches descending,
 * entry. `theme` is the (rolled-up) theme counted for: an entry whose negated matches move
 * to another theme (LF_NEG_MOVE) has a second row for the target theme. */
size_t lf_tables_entries(const lf_tables *t, lf_entry_row **rows);
/* Entry and form rows for every group, sorted by dim, group, theme, entries before
 * forms, matches descending, then entry index or form bytes. */
size_t lf_tables_terms(const lf_tables *t, lf_term_row **rows);
/* First appearances, as lf_first_iter gives them. */
size_t lf_tables_first(const lf_tables *t, lf_first_row **rows);
/* Borrowed; valid until the table changes or is freed. */
const lf_corpus_stats *lf_tables_stats(const lf_tables *t);
/* Number of distinct groups of the first grouping of a kind (0 when there is none). */
size_t lf_tables_group_count(const lf_tables *t, lf_group_kind kind);
/* Distinct attributed speakers in counted turns, whatever the groupings. */
size_t lf_tables_speaker_count(const lf_tables *t);
/* Copies the totals of one group of the first grouping of a kind into *out (out may be
 * NULL); false when there is no such group. */
bool lf_tables_group_totals(const lf_tables *t, lf_group_kind kind, const char *name,
                            lf_totals *out);
/* Counts of one theme (c may be NULL, then theme is not read) and totals (tot may be
 * NULL) of one group of a grouping; false when there is no such group. */
bool lf_tables_group_counts(const lf_tables *t, uint32_t dim, const char *name,
                            uint32_t theme, lf_counts *c, lf_totals *tot);

/* The speaker filter shared by the tables and the match rows: true when the turns of
 * doc's speaker `speaker` (-1: unattributed) are counted — its resolved name or label is
 * in `include` (or include is empty) and in neither form in `exclude`. */
bool lf_speaker_selected(const char *const *include, size_t n_include,
                         const char *const *exclude, size_t n_exclude, const lf_doc *doc,
                         int32_t speaker);
/* The period of an ISO 8601 date ("2024-05-14", "2024-05-14T10:00", "2024-05", "2024")
 * written into out (at least 11 bytes); false when it has none at that granularity. */
bool lf_date_period(const char *date, lf_period p, char *out, size_t cap);

#endif
