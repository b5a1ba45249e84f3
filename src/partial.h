/* partial.h — partial results, between aggregate and render: what `lexframe report
 * --partial` writes and `lexframe merge` reads — the count tables, every document's match
 * rows and failure in a block keyed by where the document stands in a single run, the
 * inputs with their sizes and hashes, and the options and lexicon they were made with.
 * The format is text, one record per line, each "TAG\tfield…" (so a line-oriented engine
 * such as Hadoop Streaming passes it through unchanged); lexframe(1) describes it.
 * Private to the library: run.c writes and merges through these functions. */
#ifndef LF_PARTIAL_H
#define LF_PARTIAL_H

#include <nettle/sha2.h>
#include <stdio.h>

#include "aggregate.h"
#include "lexframe.h"
#include "lexicon.h"
#include "util.h"

#define LF_PARTIAL_MAGIC "lexframe-partial"
#define LF_PARTIAL_FORMAT 3

/* Where a document or input stands in a single run: documents are merged in the order of
 * (order, path, line) — order is the input's index in the run's input list with --shard,
 * else the run's --order number; line is the record's line in a stream, 0 for a file. */
typedef struct lf_partial_key {
    uint64_t order;
    const char *path;
    uint64_t line;
} lf_partial_key;

/* SHA-256 (hex) over what fixes theme and entry numbers: the number of themes and entries,
 * the lexicon options (format, encoding, theme) and the SHA-256 of every lexicon file in
 * load order. LF_ERR_LEXICON names a lexicon file that cannot be read. */
lf_status lf_lexicon_identity(const lf_lexicon *lex, const lf_options *opt, char hex[65],
                              lf_error *err) LF_WARN_UNUSED;

/* ---- writing ---- */
/* The writers write to fp, a stream that hashes what passes through it on its way to `to`:
 * the end line carries the SHA-256 of every line before it, so that merge refuses a partial
 * whose lines were changed, swapped or lost, not only one cut short. */
typedef struct lf_partial_out {
    FILE *fp;       /* what the writers write to (NULL: none); after the end line, `to` */
    FILE *to;       /* borrowed: the partial result's file or standard output */
    uint64_t lines; /* lines written so far (the end line checks it) */
    struct sha256_ctx hash;
} lf_partial_out;

/* Starts a partial result on `to` (false: no memory for the stream). */
bool lf_partial_begin(lf_partial_out *o, FILE *to) LF_WARN_UNUSED;

/* report.html's evidence settings, read from the option lines sample, seed and width. */
typedef struct lf_partial_evidence {
    uint64_t per_theme, seed, context;
} lf_partial_evidence;

/* The header: the lexicon's identity and files, the options, and with shard_count > 0 the
 * shards' input list (inputs_hex, see lf_partial_header.shard_inputs). */
void lf_partial_put_header(lf_partial_out *o, const char *lexicon_hex, size_t n_themes,
                           size_t n_entries, const char *const *lexicon_files,
                           size_t n_lexicon_files, const char *const *options,
                           size_t n_options, unsigned shard_count, const char *inputs_hex);
/* Opens the block of a document; its rows and failure follow. */
void lf_partial_put_doc(lf_partial_out *o, const lf_partial_key *k);
/* One counted match of the current document (the columns of `kwic --format tsv`). */
int lf_partial_put_row(lf_partial_out *o, const lf_match_row *row);
void lf_partial_put_fail(lf_partial_out *o, const char *message);
/* An input read whole: its size and SHA-256 for the manifest. */
void lf_partial_put_input(lf_partial_out *o, const lf_partial_key *k, uint64_t bytes,
                          const char *hex);
void lf_partial_put_tables(lf_partial_out *o, const lf_tables *t);
/* The last line: the number of lines before it and their SHA-256, so that a cut-off or
 * changed file is refused. Ends the hashing stream: o->fp is `to` again. */
void lf_partial_put_end(lf_partial_out *o);
/* Closes the hashing stream of a partial result that will not be finished (no-op after the
 * end line, or when none was begun). */
void lf_partial_abandon(lf_partial_out *o);

/* ---- reading ---- */
typedef LF_VEC(char *) lf_partial_header_strings;

typedef struct lf_partial_header {
    char *version;     /* lexframe version that wrote it */
    char lexicon[65];  /* lf_lexicon_identity */
    uint64_t n_themes, n_entries;
    lf_partial_evidence evidence;
    LF_VEC(char *) options; /* the manifest's "name=value" option lines, in order */
    LF_VEC(uint64_t) option_lines; /* the line of each, for messages */
    /* the lexicon files as the run named them (its rows name them so) */
    lf_partial_header_strings lexicon_files;
    uint64_t lexicon_files_line; /* the first lexicon-file line, for messages */
    /* with --shard: the number of shards and the SHA-256 of the list of inputs (each path
       with its NUL), which every shard must have been given alike; shard_count 0 otherwise */
    uint64_t shard_count, shard_line;
    char shard_inputs[65];
} lf_partial_header;

typedef struct lf_partial_doc {
    lf_partial_key key;
    uint32_t file;   /* index of the file in the set */
    int64_t offset;  /* of its first row line */
    uint64_t rows;
    char *fail;      /* its failure message, or NULL */
    uint64_t where;  /* line of the doc record, for messages */
    unsigned char rows_sha256[32]; /* of its row lines as first read, checked when re-read */
} lf_partial_doc;

typedef struct lf_partial_input {
    lf_partial_key key;
    uint64_t bytes;
    char hex[65];
    uint32_t file;
} lf_partial_input;

/* What the reader asks its user (run.c): to accept a header (the first fixes the options;
 * the others must agree), and for a fresh table to read a partial's tables into, handed
 * back when the partial is complete. */
typedef struct lf_partial_hooks {
    void *ctx;
    lf_status (*header)(void *ctx, const lf_partial_header *h, const char *where,
                        lf_error *err);
    lf_tables *(*new_tables)(void *ctx);
    void (*tables_done)(void *ctx, lf_tables *t);
} lf_partial_hooks;

/* A file read, to tell when one is named twice. */
typedef struct lf_partial_file_id {
    uint64_t dev, ino;
} lf_partial_file_id;

typedef struct lf_partial_set {
    LF_VEC(FILE *) files;
    LF_VEC(char *) names;
    LF_VEC(lf_partial_doc) docs;
    LF_VEC(lf_partial_input) inputs;
    lf_strmap paths; /* interned key paths */
    lf_partial_header first;
    bool have_first;
    bool stdin_read; /* "-" was read: a second one is refused */
    LF_VEC(lf_partial_file_id) ids; /* of each file read (0, 0: not a regular file) */
    char *first_name;
    lf_buf line;
    LF_VEC(char *) fields;
    lf_buf rows;                   /* lf_partial_rows: one document's row lines */
    LF_VEC(size_t) row_starts;
} lf_partial_set;

void lf_partial_set_init(lf_partial_set *s);
void lf_partial_set_free(lf_partial_set *s);
/* Reads every partial result in the file at path ("-": standard input; several partials
 * may follow one another in one file): checks each header, indexes the documents and
 * inputs, and reads the tables through the hooks. LF_ERR_INPUT "PATH:LINE: message" for
 * a file that is not a complete partial result of this version, or whose options differ
 * from the first partial's; the hooks' own errors as they return them. */
lf_status lf_partial_read(lf_partial_set *s, const char *path, const lf_partial_hooks *h,
                          lf_error *err) LF_WARN_UNUSED;
/* Sorts the documents and inputs by key. A document in two partials (a partial given
 * twice, shards that overlap) is LF_ERR_INPUT; an input listed by several partials (a
 * stream every shard read) is kept once when they agree on its size and hash. */
lf_status lf_partial_sort(lf_partial_set *s, lf_error *err) LF_WARN_UNUSED;
/* Calls fn for each match row of document d, in order, as the run produced it (strings
 * valid during the call). The rows are read again from the file, and only handed on when
 * their SHA-256 is the one taken on the first reading: a file changed in between is
 * LF_ERR_INPUT. fn's non-zero return stops it with LF_ERR_IO. */
lf_status lf_partial_rows(lf_partial_set *s, const lf_partial_doc *d,
                          int (*fn)(void *ctx, const lf_match_row *row), void *ctx,
                          lf_error *err) LF_WARN_UNUSED;
/* The analysis options recorded in h's option lines — by, period, level, window, include-
 * and exclude-speaker, min-words, min-count, adjust — into opt (other fields untouched).
 * Strings and *groupings (malloc'd, the caller frees it) point into h. */
lf_status lf_partial_options(const lf_partial_header *h, lf_options *opt,
                             lf_grouping **groupings, const char ***speakers,
                             lf_error *err) LF_WARN_UNUSED;

#endif
