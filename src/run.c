/* run.c — the pipeline driver behind lf_run: for each input file in sorted order,
 * ingest → tokenize → match, then hand counted matches to the caller's callback (and to
 * matches.tsv for a report run) and fold the document into the count tables. A bad input
 * is reported and skipped; the run goes on.
 * With several threads, each worker owns a whole pipeline (ingest, vocabulary, matcher,
 * count tables) and takes the next input; its rows, warnings and errors wait in a slot
 * until the main thread delivers them in input order, and the workers' tables are merged
 * at the end (they only add), so the output is the same bytes whatever the thread count.
 * Each worker holds one document (part) at a time; at most `window` inputs are in flight. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "aggregate.h"
#include "ingest.h"
#include "lexicon.h"
#include "match.h"
#include "partial.h"
#include "render.h"
#include "tei.h"
#include "tokenize.h"
#include "util.h"

/* One pipeline: everything a thread needs to process inputs on its own. */
typedef struct worker {
    struct lf_run *run;
    lf_ingest *ing;
    lf_vocab *vocab;
    lf_matcher *matcher;
    lf_tables *tables;
    lf_doc doc;
    lf_tokens toks;
    lf_matches ms;
    lf_buf text, left, right, neg;
    /* numbers already used by earlier parts of the current document */
    size_t turn_base, sent_base, tok_base;
    size_t byte_base, char_base; /* of the text: parts' texts follow each other */
    lf_char_cursor cc;           /* code point offsets in the current part's text */
    uint64_t job_bytes; /* text of the current job's document, all its parts */
    struct row_batch *last_batch; /* threaded: the rows of the document's last part */
    pthread_t thread;
    bool started;
} worker;

/* Rows of one input waiting for the main thread (strings copied into `strings`). */
typedef struct row_batch {
    struct row_batch *next;
    LF_VEC(lf_match_row) rows;
    LF_VEC(bool) counted;
    lf_arena strings;
} row_batch;

/* A piece of work: an input file, one line of the JSON Lines stream, a problem the stream
 * reader found (an over-long line, a read error), or the end of the stream. */
typedef enum job_kind { JOB_FILE, JOB_RECORD, JOB_NOTE, JOB_STREAM_END } job_kind;

/* The slot of one job in flight: what to do (filled by the producer), then its results. */
typedef struct job {
    job_kind kind;
    size_t input;    /* index into the run's inputs */
    size_t line_no;  /* JOB_RECORD, JOB_NOTE: the line of the stream */
    lf_buf line;     /* JOB_RECORD: the line's bytes */
    uint64_t bytes;  /* JOB_STREAM_END: size and SHA-256 of the stream; JOB_FILE: of the
                        file as read, when the worker hashed it (hex[0] '\0' otherwise) */
    char hex[65];
    row_batch *head, *tail;
    bool done;
    lf_status st;
    lf_error err;
    char *warnings; /* what ingest printed while reading it */
    size_t warnings_len;
    uint64_t text_bytes; /* the document's text, for the progress line */
    bool root_first;     /* JOB_FILE: the first input of its corpus root in the run */
} job;

/* What the manifest and a partial result say about a processed input beyond its path. */
typedef struct input_meta {
    uint64_t order, line; /* its key (lf_partial_key) */
    uint64_t bytes;
    bool hashed;          /* size and hash known (a stream, an input of a partial result);
                             otherwise the file is hashed when it is written out */
    uint8_t sha256[32];   /* the hash as bytes: kept for every input of a large corpus */
} input_meta;

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A SHA-256 in lowercase hex (64 digits, as lf_sha256_hex writes it) into m. */
static void meta_set_hash(input_meta *m, const char *hex)
{
    for (size_t i = 0; i < 32; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        assert(hi >= 0 && lo >= 0);
        m->sha256[i] = (uint8_t)(hi << 4 | lo);
    }
    m->hashed = true;
}

static void meta_hash_hex(const input_meta *m, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        hex[2 * i] = digits[m->sha256[i] >> 4];
        hex[2 * i + 1] = digits[m->sha256[i] & 15];
    }
    hex[64] = '\0';
}

struct lf_run {
    const lf_lexicon *lex;
    lf_options opt;
    char **strip_copies; /* opt.strip_patterns points here */
    LF_VEC(void *) owned; /* copies of the analysis options' strings and arrays */
    lf_input_list inputs;
    size_t context;
    bool list_suppressed;
    lf_match_fn fn;
    void *fn_ctx;
    worker *workers; /* workers[0] exists from lf_run_new; the others start in execute */
    size_t n_workers;
    lf_tables *tables; /* the result: workers[0]'s tables, the others merged in */
    /* threaded execution: slots of inputs in flight, shared under `mu` */
    job *jobs;
    size_t window, next_seq, emit_pos;
    bool abort, prod_done;
    pthread_mutex_t mu;
    pthread_mutex_t prod_mu; /* one thread at a time takes the next job (reads the stream) */
    pthread_cond_t ready, space;
    /* the main thread sleeps on `ready` for one thing: a job to be handed out (main_wants
       NULL) or news of the slot main_wants; workers wake it only for that */
    bool main_waits;
    const job *main_wants;
    size_t prod_input;  /* the input the next job comes from */
    lf_strmap roots_seen; /* TEI corpus roots of inputs handed out (their warnings once) */
    lf_stream *stream;  /* standard input, while it is being read */
    size_t stream_first; /* the line (position + 1) of its first record: its key */
    size_t stream_last;  /* the line (position + 1) of its last numbered line, 0: none */
    /* inputs read successfully: their paths, borrowed from the input list or the partial
       results' index (a corpus of many files would keep every path twice) */
    LF_VEC(const char *) processed;
    LF_VEC(input_meta) processed_meta; /* parallel to processed */
    LF_VEC(char *) failed;    /* "message" of each failed input */
    FILE *diag;
    /* report run */
    char *report_dir;
    lf_outfile matches_out;
    bool matches_open;
    bool executed;
    bool complete; /* lf_run_execute went through every input */
    /* report.html's evidence: a seeded sample of counted matches per theme, with context */
    lf_row_sample *evidence;
    size_t evidence_per_theme;
    uint64_t evidence_seed;
    lf_tei_writer *tei; /* annotated TEI output, or NULL */
    /* partial results: --shard I/K, --order N, --partial FILE; a merge run's partials */
    unsigned shard_index, shard_count; /* 1-based; count 0: no sharding */
    uint64_t order;
    lf_partial_out partial;            /* partial.fp NULL: none */
    lf_outfile partial_of;
    bool partial_open;                 /* partial_of is a temporary file to commit */
    lf_partial_set *merge;             /* a merge run: the partial results read */
    bool merge_adopted;                /* the first partial's options are the run's */
    bool merge_sorted;                 /* the documents are in order and checked */
    LF_VEC(char *) option_override;    /* a merge run: the partials' option lines */
    lf_error merge_err;
    bool strict;        /* stop at the first input that fails */
    char speakers_hex[65]; /* SHA-256 of the --speakers file, for the manifest */
    bool hash_inputs;      /* workers hash the files they read (lf_ingest_set_hashing) */
    /* the progress line (lf_run_set_progress): inputs or documents and text done, redrawn at most
       four times a second, erased before any message and at the end */
    FILE *progress;
    bool progress_shown;
    uint64_t progress_docs, progress_bytes;
    struct timespec progress_start, progress_last;
};

static char *dup_or_null(const char *s)
{
    return s ? lf_xstrdup(s) : NULL;
}

/* Records p as owned by the run (freed with it) and returns it. */
static void *run_own(lf_run *r, void *p)
{
    if (p)
        LF_VEC_PUSH(r->owned, p);
    return p;
}

/* A run-owned copy of a list of strings. */
static const char *const *own_list(lf_run *r, const char *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    const char **c = run_own(r, lf_xcalloc(n, sizeof *c));
    for (size_t i = 0; i < n; i++)
        c[i] = run_own(r, lf_xstrdup(v[i]));
    return c;
}

/* Run-owned copies of the analysis options (groupings, speaker lists, target). */
static void own_analysis_options(lf_run *r)
{
    lf_options *o = &r->opt;
    if (o->n_groupings) {
        lf_grouping *g = run_own(r, lf_xcalloc(o->n_groupings, sizeof *g));
        for (size_t i = 0; i < o->n_groupings; i++)
            g[i] = (lf_grouping){o->groupings[i].kind,
                                 run_own(r, dup_or_null(o->groupings[i].key))};
        o->groupings = g;
    }
    o->include_speakers = own_list(r, o->include_speakers, o->n_include_speakers);
    o->exclude_speakers = own_list(r, o->exclude_speakers, o->n_exclude_speakers);
    o->target = run_own(r, dup_or_null(o->target));
    o->reference = run_own(r, dup_or_null(o->reference));
}

/* Builds worker w's pipeline; false (err filled) when a pattern does not compile. */
static bool worker_init(lf_run *r, worker *w, lf_error *err)
{
    w->run = r;
    lf_doc_init(&w->doc);
    lf_tokens_init(&w->toks);
    lf_matches_init(&w->ms);
    w->ing = lf_ingest_new(&r->opt, err);
    if (!w->ing)
        return false;
    lf_ingest_set_hashing(w->ing, r->hash_inputs);
    w->vocab = lf_vocab_new();
    w->matcher = lf_matcher_new(r->lex, &r->opt, w->vocab, err);
    if (!w->matcher)
        return false;
    w->tables = lf_tables_new_opts(r->lex, &r->opt);
    return true;
}

/* Frees what only processing needs — the vocabulary (it grows with the corpus's words),
 * the matcher, the last document's buffers — and keeps the ingest (its warnings setting)
 * and the tables. */
static void worker_release_pipeline(worker *w)
{
    lf_matcher_free(w->matcher);
    w->matcher = NULL;
    lf_vocab_free(w->vocab);
    w->vocab = NULL;
    lf_doc_free(&w->doc);
    lf_tokens_free(&w->toks);
    lf_matches_free(&w->ms);
    lf_buf_free(&w->text);
    lf_buf_free(&w->left);
    lf_buf_free(&w->right);
    lf_buf_free(&w->neg);
}

static void worker_free(worker *w)
{
    worker_release_pipeline(w);
    lf_ingest_free(w->ing);
    lf_tables_free(w->tables);
}

lf_run *lf_run_new(const lf_lexicon *lex, const lf_options *opt, lf_error *err)
{
    lf_run *r = lf_xcalloc(1, sizeof *r);
    r->lex = lex;
    lf_strmap_init(&r->roots_seen);
    if (opt)
        r->opt = *opt;
    else
        lf_options_init(&r->opt);
    /* Own copies of the option strings: the run may outlive the caller's buffers. */
    r->opt.speaker_pattern = dup_or_null(r->opt.speaker_pattern);
    r->opt.negators = dup_or_null(r->opt.negators);
    r->opt.speakers_file = dup_or_null(r->opt.speakers_file);
    if (r->opt.n_strip_patterns) {
        r->strip_copies = lf_xcalloc(r->opt.n_strip_patterns, sizeof(char *));
        for (size_t i = 0; i < r->opt.n_strip_patterns; i++)
            r->strip_copies[i] = lf_xstrdup(r->opt.strip_patterns[i]);
        r->opt.strip_patterns = (const char *const *)r->strip_copies;
    }
    own_analysis_options(r);
    r->diag = stderr;
    r->evidence_seed = 1; /* as kwic --seed */
    size_t jobs = r->opt.jobs;
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (size_t)n : 1;
    }
    if (jobs > LF_MAX_JOBS)
        jobs = LF_MAX_JOBS;
    r->workers = lf_xcalloc(jobs, sizeof *r->workers);
    r->n_workers = jobs;
    /* the first pipeline now, so that bad patterns fail before any input is read */
    if (!worker_init(r, &r->workers[0], err))
        goto fail;
    /* the file that names the speakers decides parties and roles: the manifest says which */
    if (r->opt.speakers_file &&
        lf_sha256_file(r->opt.speakers_file, r->speakers_hex, NULL, err) != LF_OK)
        goto fail;
    r->tables = r->workers[0].tables;
    return r;
fail:
    lf_run_free(r);
    return NULL;
}

void lf_run_free(lf_run *r)
{
    if (!r)
        return;
    if (r->matches_open)
        lf_outfile_abort(&r->matches_out);
    lf_strmap_free(&r->roots_seen);
    free((char *)r->opt.speaker_pattern);
    free((char *)r->opt.negators);
    free((char *)r->opt.speakers_file);
    lf_tei_writer_free(r->tei);
    for (size_t i = 0; i < r->opt.n_strip_patterns && r->strip_copies; i++)
        free(r->strip_copies[i]);
    free(r->strip_copies);
    for (size_t i = 0; i < r->owned.n; i++)
        free(r->owned.v[i]);
    LF_VEC_FREE(r->owned);
    lf_input_list_free(&r->inputs);
    for (size_t i = 0; i < r->n_workers; i++)
        worker_free(&r->workers[i]);
    free(r->workers);
    free(r->jobs);
    LF_VEC_FREE(r->processed);
    LF_VEC_FREE(r->processed_meta);
    lf_stream_free(r->stream);
    lf_partial_abandon(&r->partial);
    if (r->partial_open)
        lf_outfile_abort(&r->partial_of);
    if (r->merge) {
        lf_partial_set_free(r->merge);
        free(r->merge);
    }
    for (size_t i = 0; i < r->option_override.n; i++)
        free(r->option_override.v[i]);
    LF_VEC_FREE(r->option_override);
    for (size_t i = 0; i < r->failed.n; i++)
        free(r->failed.v[i]);
    LF_VEC_FREE(r->failed);
    free(r->report_dir);
    lf_row_sample_free(r->evidence);
    free(r);
}

lf_status lf_run_add_input(lf_run *r, const char *path, lf_error *err)
{
    if (r->merge) {
        lf_error_set(err, LF_ERR_USAGE, "a merge run reads partial results, not transcripts");
        return LF_ERR_USAGE;
    }
    return lf_input_collect_opt(path, &r->opt, &r->inputs, err);
}

void lf_run_set_context(lf_run *r, size_t words)
{
    r->context = words;
}

void lf_run_set_match_fn(lf_run *r, lf_match_fn fn, void *ctx)
{
    r->fn = fn;
    r->fn_ctx = ctx;
}

void lf_run_set_list_suppressed(lf_run *r, bool on)
{
    r->list_suppressed = on;
}

void lf_run_set_strict(lf_run *r, bool on)
{
    r->strict = on;
}

void lf_run_set_progress(lf_run *r, FILE *fp)
{
    r->progress = fp;
}

void lf_run_set_diagnostics(lf_run *r, FILE *fp)
{
    r->diag = fp;
    lf_ingest_set_warnings(r->workers[0].ing, fp);
}

lf_status lf_run_set_tei_output(lf_run *r, FILE *fp, lf_error *err)
{
    if (r->executed) {
        lf_error_set(err, LF_ERR_USAGE, "lf_run_set_tei_output: the run has already executed");
        return LF_ERR_USAGE;
    }
    lf_tei_writer_free(r->tei);
    size_t n_docs = r->inputs.n;
    for (size_t i = 0; i < r->inputs.n; i++)
        if (r->inputs.v[i].stream)
            n_docs = SIZE_MAX; /* a stream holds any number: always a teiCorpus */
    r->tei = lf_tei_writer_new(fp, r->lex, &r->opt, n_docs);
    return LF_OK;
}

size_t lf_run_failed_inputs(const lf_run *r)
{
    return r->failed.n;
}

bool lf_run_complete(const lf_run *r)
{
    return r->complete;
}

/* Appends doc text [a, b) to buf with every run of whitespace (incl. U+00A0) collapsed to
 * one space and the ends trimmed. */
static void collapse_text(lf_buf *buf, const char *text, size_t a, size_t b)
{
    lf_buf_reset(buf);
    bool space = false;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)text[i];
        bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if (c == 0xC2 && i + 1 < b && (unsigned char)text[i + 1] == 0xA0) {
            ws = true;
            i++;
        }
        if (ws) {
            space = buf->len > 0;
            continue;
        }
        if (space)
            lf_buf_putc(buf, ' ');
        space = false;
        lf_buf_putc(buf, (char)c);
    }
    lf_buf_cstr(buf);
}

static const char *status_name(uint8_t st)
{
    switch (st) {
    case LF_MATCH_COUNTED:
        return "counted";
    case LF_MATCH_OVERLAP:
        return "overlap";
    case LF_MATCH_EXCLUDED:
        return "excluded";
    default:
        return "negated-ignored";
    }
}

/* Builds the row of match m of w's current document (strings borrowed from w's buffers
 * until the next call). Returns false when the speaker filters leave it out, as they leave
 * its turn out of the tables. */
static bool build_row(worker *w, const lf_match *m, lf_match_row *row)
{
    const lf_run *r = w->run;
    const lf_doc *d = &w->doc;
    const lf_tokens *tk = &w->toks;
    const lf_token *t0 = &tk->tok[m->tok_start], *t1 = &tk->tok[m->tok_end - 1];
    const lf_sentence *sent = &tk->sent[m->sentence];
    const lf_turn *turn = &d->turns[sent->turn];
    if (!lf_speaker_selected(r->opt.include_speakers, r->opt.n_include_speakers,
                             r->opt.exclude_speakers, r->opt.n_exclude_speakers, d,
                             turn->speaker))
        return false;
    const lf_entry *e = &r->lex->entries[m->entry];
    size_t cstart = lf_char_offset(&w->cc, d->text, d->len, t0->start);
    size_t cend = lf_char_offset(&w->cc, d->text, d->len, t1->end);
    collapse_text(&w->text, d->text, t0->start, t1->end);
    *row = (lf_match_row){
        .doc = d->id,
        .turn = w->turn_base + sent->turn + 1,
        .speaker = turn->speaker >= 0 ? d->speakers[turn->speaker].name : "",
        .sentence = w->sent_base + m->sentence + 1,
        .tok_start = w->tok_base + m->tok_start,
        .tok_end = w->tok_base + m->tok_end,
        .byte_start = w->byte_base + t0->start,
        .byte_end = w->byte_base + t1->end,
        .char_start = w->char_base + cstart,
        .char_end = w->char_base + cend,
        .line = lf_doc_line_of(d, t0->start),
        .theme = r->lex->themes[m->theme].id,
        .entry = e->source,
        .entry_file = e->file,
        .entry_line = e->line,
        .text = w->text.data,
        .negated = m->negated,
        .negator = NULL,
        .status = m->context ? "context" : status_name(m->status),
    };
    if (m->negator >= 0) {
        const lf_token *nt = &tk->tok[m->negator];
        lf_buf_reset(&w->neg);
        lf_buf_append(&w->neg, d->text + nt->start, nt->end - nt->start);
        row->negator = w->neg.data;
    }
    /* TEI: the element and offsets every match points back to */
    if (d->span_src) {
        const char *el = NULL;
        size_t off = 0;
        if (lf_doc_source_of(d, sent->turn, t0->start, cstart, &el, &off)) {
            row->element = el;
            row->element_start = off;
        }
        if (lf_doc_source_of(d, sent->turn, t1->end, cend, &el, &off)) {
            row->element_last = el;
            row->element_end = off;
        }
        row->section = turn->section;
    }
    /* a report run keeps context for the evidence of report.html */
    size_t context = r->context ? r->context
                                : r->evidence && m->status == LF_MATCH_COUNTED ? LF_EVIDENCE_CONTEXT
                                                                              : 0;
    if (context) {
        const lf_turn_range *tr = &tk->turn[sent->turn];
        size_t lo = m->tok_start >= tr->tok_first + context ? m->tok_start - context
                                                             : tr->tok_first;
        size_t hi = m->tok_end + context <= tr->tok_end ? m->tok_end + context
                                                         : tr->tok_end;
        collapse_text(&w->left, d->text, lo < m->tok_start ? tk->tok[lo].start : t0->start,
                      t0->start);
        collapse_text(&w->right, d->text, t1->end,
                      hi > m->tok_end ? tk->tok[hi - 1].end : t1->end);
        row->left = w->left.data;
        row->right = w->right.data;
    }
    return true;
}

/* Hands one row to the callback, the TEI writer and matches.tsv (counted rows only).
 * Main thread only. Returns false, with err set, when one of them fails. */
static bool deliver_row(lf_run *r, const lf_match_row *row, bool counted, lf_error *err)
{
    if (r->fn && r->fn(r->fn_ctx, row) != 0) {
        lf_error_set(err, LF_ERR_IO, "writing match rows failed");
        return false;
    }
    if (r->tei && lf_tei_writer_row(r->tei, row, err) != LF_OK)
        return false;
    if (r->matches_open && counted && lf_write_match_tsv(r->matches_out.fp, row) != 0) {
        lf_error_set(err, LF_ERR_IO, "%s: write error: %s", r->matches_out.final_path,
                     strerror(errno));
        return false;
    }
    if (r->partial.fp && counted && lf_partial_put_row(&r->partial, row) != 0) {
        /* to standard output: the caller names it (lf_run_write_partial) */
        if (r->partial_open)
            lf_error_set(err, LF_ERR_IO, "%s: write error: %s", r->partial_of.final_path,
                         strerror(errno));
        else
            lf_error_set(err, LF_ERR_IO, "write error: %s", strerror(errno));
        return false;
    }
    /* main thread, input order: the sample is the same whatever the number of threads */
    if (r->evidence && counted)
        lf_row_sample_add(r->evidence, row);
    return true;
}

static const char *batch_str(row_batch *b, const char *s)
{
    return s ? lf_arena_strdup(&b->strings, s) : NULL;
}

/* Copies a row (its document-bound strings) into a batch for the main thread. */
static void batch_add(row_batch *b, const lf_match_row *row, bool counted)
{
    lf_match_row c = *row;
    /* the document id is the same for the whole batch: copy it once */
    if (b->rows.n && strcmp(b->rows.v[b->rows.n - 1].doc, row->doc) == 0)
        c.doc = b->rows.v[b->rows.n - 1].doc;
    else
        c.doc = batch_str(b, row->doc);
    c.speaker = batch_str(b, row->speaker);
    c.text = batch_str(b, row->text);
    c.negator = batch_str(b, row->negator);
    c.left = batch_str(b, row->left);
    c.right = batch_str(b, row->right);
    c.element = batch_str(b, row->element);
    c.element_last = batch_str(b, row->element_last);
    c.section = batch_str(b, row->section);
    LF_VEC_PUSH(b->rows, c);
    LF_VEC_PUSH(b->counted, counted);
}

static void batch_free(row_batch *b)
{
    LF_VEC_FREE(b->rows);
    LF_VEC_FREE(b->counted);
    lf_arena_free(&b->strings);
    free(b);
}

/* ---- the progress line ---- */

static double seconds_since(const struct timespec *t0, const struct timespec *t1)
{
    return (double)(t1->tv_sec - t0->tv_sec) + (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Erases the progress line, so that a message starts on a clean line. */
static void progress_clear(lf_run *r)
{
    if (r->progress_shown) {
        fputs("\r\033[K", r->progress);
        fflush(r->progress);
        r->progress_shown = false;
    }
}

/* After each document (main thread): redraws the line when a quarter second has passed. */
static void progress_step(lf_run *r, const job *j, uint64_t text_bytes)
{
    r->progress_docs++;
    r->progress_bytes += text_bytes;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (seconds_since(&r->progress_last, &now) < 0.25)
        return;
    r->progress_last = now;
    double secs = seconds_since(&r->progress_start, &now);
    double mb = (double)r->progress_bytes / 1e6;
    fputs("\r\033[Klexframe: ", r->progress);
    if (j->kind == JOB_FILE)
        fprintf(r->progress, "input %zu of %zu", j->input + 1, r->inputs.n);
    else
        fprintf(r->progress, "%" PRIu64 " documents", r->progress_docs);
    fprintf(r->progress, ", %.1f MB of text, %.1f MB/s", mb, secs > 0 ? mb / secs : 0.0);
    fflush(r->progress);
    r->progress_shown = true;
}

static void record_failure(lf_run *r, const lf_error *e)
{
    progress_clear(r);
    fprintf(r->diag, "lexframe: %s\n", e->message);
    LF_VEC_PUSH(r->failed, lf_xstrdup(e->message));
    if (r->partial.fp)
        lf_partial_put_fail(&r->partial, e->message);
}

/* ---- jobs ---- */

static bool in_shard(const lf_run *r, size_t n)
{
    return r->shard_count == 0 || n % r->shard_count == r->shard_index - 1;
}

/* Fills j with the next job: the next input file of this shard, or the next line of the
 * stream (in a shard run every shard reads the whole stream and takes its own lines, so
 * line numbers and the stream's hash are those of a single run), a problem the stream
 * reader found, or the end of the stream. False when every input is handed out. One
 * thread at a time (prod_mu). */
static bool next_job(lf_run *r, job *j)
{
    while (r->prod_input < r->inputs.n) {
        size_t i = r->prod_input;
        j->input = i;
        j->line_no = 0;
        if (!r->inputs.v[i].stream) {
            r->prod_input++;
            if (!in_shard(r, i))
                continue;
            j->kind = JOB_FILE;
            const char *root = r->inputs.v[i].corpus_root;
            bool added = false;
            if (root)
                lf_strmap_intern(&r->roots_seen, root, strlen(root), 0, &added);
            j->root_first = added;
            return true;
        }
        if (!r->stream)
            r->stream = lf_stream_new(STDIN_FILENO, LF_STDIN_NAME,
                                      r->opt.limits[LF_LIMIT_JSONL_LINE_BYTES]);
        bool eof = false;
        size_t line_no = 0;
        lf_error e = {LF_OK, ""};
        lf_status st = lf_stream_next(r->stream, &j->line, &line_no, &eof, &e);
        if (st == LF_OK && eof) {
            /* keyed by its first line: shards of one stream agree, pieces differ */
            j->kind = JOB_STREAM_END;
            j->line_no = r->stream_first;
            r->stream_first = 0;
            lf_stream_digest(r->stream, j->hex, &j->bytes);
        }
        size_t pos = 0;
        bool numbered =
            !(st == LF_OK && eof) && st != LF_ERR_INPUT && lf_jsonl_position(&j->line, &pos);
        if (numbered && r->stream_last && pos + 1 <= r->stream_last) {
            /* Positions place records in the single run: one that repeats or goes back would
               put two documents at one place (a merge refuses them) or in another order than
               the stream's. The stream ends here, its error keyed as the line after the last
               good one, which no record of the stream can have taken. */
            lf_error_set(&e, LF_ERR_INPUT,
                         "%s:%zu: position %zu does not follow the position %zu of an earlier "
                         "line: numbered lines must come in increasing order",
                         LF_STDIN_NAME, line_no, pos, r->stream_last - 1);
            st = LF_ERR_INPUT;
            line_no = r->stream_last + 1;
            numbered = false;
        }
        if ((st == LF_OK && eof) || st == LF_ERR_INPUT) { /* the stream is over */
            lf_stream_free(r->stream);
            r->stream = NULL;
            r->stream_first = 0;
            r->stream_last = 0;
            r->prod_input++;
            if (st == LF_OK)
                return true;
        }
        if (numbered) {
            if (st == LF_OK && lf_jsonl_blank(j->line.data, j->line.len))
                continue; /* a numbered blank line (Spark, Hadoop pass them on) */
            line_no = pos + 1; /* its line in the whole stream */
            r->stream_last = line_no;
            if (st == LF_ERR_LIMIT)
                lf_stream_limit_error(r->stream, line_no, &e);
        }
        if (!r->stream_first && st != LF_ERR_INPUT)
            r->stream_first = line_no;
        if (!in_shard(r, line_no - 1))
            continue;
        j->line_no = line_no;
        j->kind = st == LF_OK ? JOB_RECORD : JOB_NOTE;
        j->st = st;
        j->err = e;
        return true;
    }
    return false;
}

/* Where a job's document stands in a single run (see lf_partial_key). */
static lf_partial_key job_key(const lf_run *r, const job *j)
{
    return (lf_partial_key){r->shard_count ? j->input : r->order, r->inputs.v[j->input].path,
                            j->line_no};
}

/* Before a job's rows are delivered: its block in the partial result. Main thread. */
static void job_begin(lf_run *r, const job *j)
{
    if (r->partial.fp && j->kind != JOB_STREAM_END) {
        lf_partial_key k = job_key(r, j);
        lf_partial_put_doc(&r->partial, &k);
    }
}

static void add_processed(lf_run *r, const char *path, input_meta m)
{
    LF_VEC_PUSH(r->processed, path);
    LF_VEC_PUSH(r->processed_meta, m);
}

/* Wakes the main thread if it waits for news of the slot it wants: rows of a document
 * still being read at once, but a finished job only when half the window is in flight or
 * the input is done, so that the main thread delivers jobs in runs rather than waking for
 * every one (with as many workers as cores, each wake-up takes a worker's core for a
 * while). Workers never wait for space before the window is full, so the count gets
 * there. Under r->mu. */
static void wake_main(lf_run *r)
{
    const job *j = r->main_wants;
    if (!r->main_waits || !j || !(j->head || j->done))
        return;
    if (!j->done || r->prod_done || r->next_seq - r->emit_pos >= r->window / 2)
        pthread_cond_signal(&r->ready);
}

/* Processes job j with worker w: every part of its document is ingested, tokenized,
 * matched and counted into w's tables; an input file's hash goes into j. Rows go into
 * batches of `slot` (threaded), or straight to deliver_row when slot is NULL (then
 * *io_failed and io report a delivery failure). The document's own failure is returned,
 * with e filled. */
static lf_status process_job(worker *w, job *j, job *slot, lf_error *e, bool *io_failed,
                             lf_error *io)
{
    lf_run *r = w->run;
    w->turn_base = w->sent_base = w->tok_base = w->byte_base = w->char_base = 0;
    w->job_bytes = 0;
    lf_status st = LF_OK;
    switch (j->kind) {
    case JOB_NOTE:
        *e = j->err;
        return j->st;
    case JOB_STREAM_END:
        return LF_OK;
    case JOB_RECORD:
        st = lf_ingest_jsonl(w->ing, LF_STDIN_NAME, j->line_no, j->line.data, j->line.len,
                             &w->doc, e);
        break;
    case JOB_FILE:
        if (r->inputs.v[j->input].error) { /* found unreadable while walking directories */
            lf_error_set(e, LF_ERR_INPUT, "%s", r->inputs.v[j->input].error);
            return LF_ERR_INPUT;
        }
        lf_ingest_set_root_first(w->ing, j->root_first);
        st = lf_ingest_input(w->ing, &r->inputs.v[j->input], &w->doc, e);
        memcpy(j->hex, w->doc.file_sha256, sizeof j->hex); /* "" when not hashed */
        j->bytes = w->doc.file_bytes;
        break;
    }
    /* A large TEI file arrives in parts; each is matched and counted in turn. */
    while (st == LF_OK) {
        st = lf_tokenize_doc(w->vocab, &w->doc, &r->opt, &w->toks, e);
        if (st == LF_OK)
            st = lf_match_doc(w->matcher, &w->doc, &w->toks, &w->ms, e);
        if (st != LF_OK)
            break;
        row_batch *b = slot ? lf_xcalloc(1, sizeof *b) : NULL;
        if (b)
            lf_arena_init(&b->strings, 16 * 1024);
        w->cc = (lf_char_cursor){0, 0};
        for (size_t k = 0; k < w->ms.n; k++) {
            const lf_match *m = &w->ms.m[k];
            lf_match_row row;
            if ((m->status != LF_MATCH_COUNTED && !r->list_suppressed) || !build_row(w, m, &row))
                continue;
            bool counted = m->status == LF_MATCH_COUNTED;
            if (b) {
                batch_add(b, &row, counted);
            } else if (!deliver_row(r, &row, counted, io)) {
                *io_failed = true;
                return LF_ERR_IO;
            }
        }
        if (b && !w->doc.more_parts) {
            w->last_batch = b; /* handed over with the job's end: one wake-up */
        } else if (b) {
            pthread_mutex_lock(&r->mu);
            if (slot->tail)
                slot->tail->next = b;
            else
                slot->head = b;
            slot->tail = b;
            wake_main(r);
            pthread_mutex_unlock(&r->mu);
        }
        if (!slot && r->tei && lf_tei_writer_part(r->tei, &w->doc, w->ing, io) != LF_OK) {
            *io_failed = true;
            return LF_ERR_IO;
        }
        lf_tables_add_doc(w->tables, &w->doc, &w->toks, &w->ms);
        w->job_bytes += w->doc.len;
        if (!w->doc.more_parts)
            break;
        w->turn_base += w->doc.n_turns;
        w->sent_base += w->toks.n_sent;
        w->tok_base += w->toks.n_tok;
        w->byte_base += w->doc.len;
        lf_char_cursor all = {0, 0};
        w->char_base += lf_char_offset(&all, w->doc.text, w->doc.len, w->doc.len);
        st = lf_ingest_next_part(w->ing, &w->doc, e);
    }
    return st;
}

/* After a job: its failure reported (parts already counted stay counted, see
 * lexframe(1), TEI), or the input recorded for the manifest. Main thread only. */
static void job_finished(lf_run *r, const job *j, lf_status st, const lf_error *e,
                         lf_error *first, uint64_t text_bytes)
{
    lf_partial_key k = job_key(r, j);
    if (r->progress && j->kind != JOB_STREAM_END && j->kind != JOB_NOTE)
        progress_step(r, j, text_bytes);
    if (j->kind == JOB_STREAM_END) {
        input_meta m = {.order = k.order, .line = k.line, .bytes = j->bytes};
        meta_set_hash(&m, j->hex);
        add_processed(r, k.path, m);
        return;
    }
    if (st != LF_OK) {
        if (r->tei && j->kind != JOB_NOTE)
            lf_tei_writer_drop_doc(r->tei);
        record_failure(r, e);
        if (first->status == LF_OK)
            *first = *e;
        return;
    }
    if (j->kind == JOB_FILE) {
        input_meta m = {.order = k.order};
        if (j->hex[0]) { /* hashed as it was read */
            m.bytes = j->bytes;
            meta_set_hash(&m, j->hex);
        }
        add_processed(r, k.path, m);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    lf_run *r = w->run;
    for (;;) {
        /* Take the next job: jobs are numbered in the order they are read, and a job waits
           for a free slot so that at most `window` are in flight. */
        pthread_mutex_lock(&r->prod_mu);
        pthread_mutex_lock(&r->mu);
        while (!r->abort && !r->prod_done && r->next_seq >= r->emit_pos + r->window)
            pthread_cond_wait(&r->space, &r->mu);
        bool stop = r->abort || r->prod_done;
        size_t seq = r->next_seq;
        pthread_mutex_unlock(&r->mu);
        job *j = &r->jobs[seq % r->window];
        /* the stream is read outside `mu`: delivery never waits for input */
        bool got = !stop && next_job(r, j);
        pthread_mutex_lock(&r->mu);
        if (got)
            r->next_seq++;
        else
            r->prod_done = true;
        if (r->main_waits && (!got || !r->main_wants))
            pthread_cond_signal(&r->ready);
        else
            wake_main(r); /* one more in flight */
        pthread_mutex_unlock(&r->mu);
        pthread_mutex_unlock(&r->prod_mu);
        if (!got) {
            /* while the main thread delivers the other workers' last rows: the rows this
               worker handed over are copies */
            worker_release_pipeline(w);
            return NULL;
        }

        /* ingest warnings are kept with the job and printed in order */
        char *wbuf = NULL;
        size_t wlen = 0;
        FILE *wfp = open_memstream(&wbuf, &wlen);
        lf_ingest_set_warnings(w->ing, wfp);
        lf_error e = {LF_OK, ""};
        w->last_batch = NULL;
        lf_status st = process_job(w, j, j, &e, NULL, NULL);
        lf_ingest_set_warnings(w->ing, NULL);
        if (wfp)
            fclose(wfp);

        pthread_mutex_lock(&r->mu);
        j->st = st;
        j->err = e;
        j->warnings = wbuf;
        j->warnings_len = wlen;
        j->text_bytes = w->job_bytes;
        if (w->last_batch) {
            if (j->tail)
                j->tail->next = w->last_batch;
            else
                j->head = w->last_batch;
            j->tail = w->last_batch;
        }
        j->done = true;
        wake_main(r);
        pthread_mutex_unlock(&r->mu);
    }
}

/* Empties a slot for its next job, keeping a small line buffer. */
static void job_clear(job *j)
{
    lf_buf line = j->line;
    lf_buf_reset(&line);
    if (line.cap > 1024 * 1024)
        lf_buf_free(&line); /* one huge record does not pin its memory in every slot */
    *j = (job){.line = line};
}

/* Delivers the jobs' results in order as the workers finish them. */
static lf_status execute_threaded(lf_run *r, size_t n_threads, lf_error *first, lf_error *err)
{
    r->window = 16 * n_threads; /* room for one long document while the others go on */
    r->jobs = lf_xcalloc(r->window, sizeof *r->jobs);
    r->next_seq = r->emit_pos = 0;
    r->abort = r->prod_done = r->main_waits = false;
    r->main_wants = NULL;
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->prod_mu, NULL);
    pthread_cond_init(&r->ready, NULL);
    pthread_cond_init(&r->space, NULL);
    lf_status result = LF_OK;
    size_t started = 0;
    /* Workers inherit the held signals and never take them: SIGINT/SIGTERM/SIGHUP reach
       this thread only, which alone changes the list of temporary files (outfile.c). */
    lf_outfile_hold_signals(true);
    for (size_t t = 0; t < n_threads; t++) {
        worker *w = &r->workers[t];
        if (t > 0 && !worker_init(r, w, err)) {
            result = err->status; /* cannot happen: worker 0 compiled the same patterns */
            break;
        }
        lf_ingest_set_warnings(w->ing, NULL);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            lf_error_set(err, LF_ERR_IO, "cannot start a thread: %s", strerror(errno));
            result = LF_ERR_IO;
            break;
        }
        w->started = true;
        started++;
    }
    lf_outfile_hold_signals(false);
    for (size_t s = 0; result == LF_OK && started; s++) {
        job *j = &r->jobs[s % r->window];
        pthread_mutex_lock(&r->mu);
        r->main_wants = NULL;
        while (s >= r->next_seq && !r->prod_done) {
            r->main_waits = true;
            pthread_cond_wait(&r->ready, &r->mu);
            r->main_waits = false;
        }
        bool over = s >= r->next_seq;
        pthread_mutex_unlock(&r->mu);
        if (over)
            break;
        job_begin(r, j);
        for (;;) {
            pthread_mutex_lock(&r->mu);
            r->main_wants = j;
            while (!j->head && !j->done) {
                r->main_waits = true;
                pthread_cond_wait(&r->ready, &r->mu);
                r->main_waits = false;
            }
            row_batch *b = j->head;
            if (b) {
                j->head = b->next;
                if (!j->head)
                    j->tail = NULL;
            }
            bool finished = !b && j->done;
            pthread_mutex_unlock(&r->mu);
            if (finished)
                break;
            for (size_t k = 0; k < b->rows.n && result == LF_OK; k++)
                if (!deliver_row(r, &b->rows.v[k], b->counted.v[k], err))
                    result = LF_ERR_IO;
            batch_free(b);
        }
        if (result != LF_OK)
            break;
        if (j->warnings_len) {
            progress_clear(r);
            fwrite(j->warnings, 1, j->warnings_len, r->diag);
        }
        free(j->warnings);
        j->warnings = NULL;
        job_finished(r, j, j->st, &j->err, first, j->text_bytes);
        pthread_mutex_lock(&r->mu);
        job_clear(j);
        r->emit_pos++;
        pthread_cond_broadcast(&r->space);
        pthread_mutex_unlock(&r->mu);
        if (r->strict && first->status != LF_OK)
            break; /* the workers stop below; later inputs are not delivered */
    }
    pthread_mutex_lock(&r->mu);
    r->abort = true;
    pthread_cond_broadcast(&r->space);
    pthread_mutex_unlock(&r->mu);
    for (size_t t = 0; t < n_threads; t++)
        if (r->workers[t].started) {
            pthread_join(r->workers[t].thread, NULL);
            r->workers[t].started = false;
        }
    /* what an aborted run left in the slots */
    for (size_t s = 0; s < r->window; s++) {
        while (r->jobs[s].head) {
            row_batch *b = r->jobs[s].head;
            r->jobs[s].head = b->next;
            batch_free(b);
        }
        free(r->jobs[s].warnings);
        lf_buf_free(&r->jobs[s].line);
    }
    lf_ingest_set_warnings(r->workers[0].ing, r->diag);
    pthread_cond_destroy(&r->ready);
    pthread_cond_destroy(&r->space);
    pthread_mutex_destroy(&r->prod_mu);
    pthread_mutex_destroy(&r->mu);
    /* the tables only add: merging the workers' gives exactly one pipeline's result; the
       pipelines (vocabularies, buffers) are done with before (each worker frees its own
       as it ends), a worker's tables after */
    for (size_t t = 0; t < n_threads; t++)
        worker_release_pipeline(&r->workers[t]);
    for (size_t t = 1; t < n_threads; t++) {
        if (r->workers[t].tables)
            lf_tables_merge(r->tables, r->workers[t].tables);
        worker_free(&r->workers[t]);
        r->workers[t] = (worker){0};
    }
    return result;
}

/* ---- merging partial results ---- */

/* Puts a merge run's documents in order and checks that no document is in two partials:
 * before any output is opened, so that a refused merge leaves nothing behind. */
static lf_status merge_prepare(lf_run *r, lf_error *err)
{
    if (!r->merge || r->merge_sorted)
        return LF_OK;
    lf_status st = lf_partial_sort(r->merge, err);
    r->merge_sorted = st == LF_OK;
    return st;
}

static int merge_row(void *ctx, const lf_match_row *row)
{
    lf_run *r = ctx;
    return deliver_row(r, row, true, &r->merge_err) ? 0 : -1;
}

/* A merge run: every document's rows and failure in key order, as a single run would have
 * delivered them, then the inputs; the tables were merged while the partials were read. */
static lf_status execute_merge(lf_run *r, lf_error *first, lf_error *err)
{
    lf_partial_set *m = r->merge;
    lf_status st = merge_prepare(r, err);
    for (size_t i = 0; i < m->docs.n && st == LF_OK; i++) {
        const lf_partial_doc *d = &m->docs.v[i];
        if (r->partial.fp)
            lf_partial_put_doc(&r->partial, &d->key);
        st = lf_partial_rows(m, d, merge_row, r, err);
        if (st == LF_ERR_IO && r->merge_err.status != LF_OK && err)
            *err = r->merge_err;
        if (st == LF_OK && d->fail) {
            lf_error e = {LF_ERR_INPUT, ""};
            snprintf(e.message, sizeof e.message, "%s", d->fail);
            record_failure(r, &e);
            if (first->status == LF_OK)
                *first = e;
        }
    }
    for (size_t i = 0; i < m->inputs.n && st == LF_OK; i++) {
        const lf_partial_input *in = &m->inputs.v[i];
        input_meta meta = {.order = in->key.order, .line = in->key.line, .bytes = in->bytes};
        meta_set_hash(&meta, in->hex);
        add_processed(r, in->key.path, meta);
    }
    return st;
}

lf_status lf_run_execute(lf_run *r, lf_error *err)
{
    lf_error first = {LF_OK, ""};
    lf_status st = LF_OK;
    if (r->executed) {
        lf_error_set(err, LF_ERR_USAGE, "lf_run_execute: the run has already executed");
        return LF_ERR_USAGE;
    }
    if (r->merge) {
        st = execute_merge(r, &first, err);
        r->executed = true;
        goto done;
    }
    if (r->progress) {
        clock_gettime(CLOCK_MONOTONIC, &r->progress_start);
        r->progress_last = (struct timespec){0}; /* the first document draws the line */
    }
    /* files are hashed as they are read when a manifest or partial result will list them
       (the other workers start with this setting, worker_init) */
    r->hash_inputs = r->report_dir || r->partial.fp;
    lf_ingest_set_hashing(r->workers[0].ing, r->hash_inputs);
    /* annotated TEI is written while the document is in memory: one pipeline */
    size_t threads = r->tei ? 1 : r->n_workers;
    bool stream = false;
    for (size_t i = 0; i < r->inputs.n; i++)
        stream |= r->inputs.v[i].stream;
    if (threads > r->inputs.n && !stream)
        threads = r->inputs.n ? r->inputs.n : 1;
    if (threads > 1) {
        st = execute_threaded(r, threads, &first, err);
    } else {
        job j = {0};
        while (st == LF_OK && next_job(r, &j)) {
            job_begin(r, &j);
            lf_error e = {LF_OK, ""};
            bool io_failed = false;
            /* with a progress line, warnings wait for the document's end, as threaded */
            char *wbuf = NULL;
            size_t wlen = 0;
            FILE *wfp = r->progress ? open_memstream(&wbuf, &wlen) : NULL;
            if (wfp)
                lf_ingest_set_warnings(r->workers[0].ing, wfp);
            lf_status ist = process_job(&r->workers[0], &j, NULL, &e, &io_failed, err);
            if (wfp) {
                lf_ingest_set_warnings(r->workers[0].ing, r->diag);
                fclose(wfp);
                if (wlen) {
                    progress_clear(r);
                    fwrite(wbuf, 1, wlen, r->diag);
                }
                free(wbuf);
            }
            if (io_failed)
                st = LF_ERR_IO;
            else
                job_finished(r, &j, ist, &e, &first, r->workers[0].job_bytes);
            if (r->strict && first.status != LF_OK)
                break;
        }
        lf_buf_free(&j.line);
    }
    r->executed = true;
    if (r->progress)
        progress_clear(r);
    if (st == LF_OK && r->tei && lf_tei_writer_finish(r->tei, err) != LF_OK)
        st = LF_ERR_IO;
    /* the tables are the result: the pipeline is done with before the report is written */
    worker_release_pipeline(&r->workers[0]);
    if (st != LF_OK)
        return st;
done:
    if (st != LF_OK)
        return st;
    r->complete = !(r->strict && first.status != LF_OK); /* --strict stopped early */
    if (first.status != LF_OK) {
        if (err)
            *err = first;
        return first.status;
    }
    return LF_OK;
}

void lf_run_set_evidence(lf_run *r, size_t per_theme, uint64_t seed)
{
    r->evidence_per_theme = per_theme;
    r->evidence_seed = seed;
}

static lf_status check_report_dir(const lf_run *r, const char *dir, lf_error *err);

lf_status lf_run_set_report_dir(lf_run *r, const char *dir, lf_error *err)
{
    lf_status pst = merge_prepare(r, err);
    if (pst != LF_OK)
        return pst;
    lf_status st = check_report_dir(r, dir, err);
    if (st != LF_OK)
        return st;
    free(r->report_dir);
    r->report_dir = lf_xstrdup(dir);
    st = lf_mkdir_p(dir, err);
    if (st != LF_OK)
        return st;
    st = lf_outfile_open(&r->matches_out, dir, "matches.tsv", err);
    if (st != LF_OK)
        return st;
    r->matches_open = true;
    lf_row_sample_free(r->evidence);
    if (!r->evidence_per_theme)
        r->evidence_per_theme = LF_EVIDENCE_PER_THEME;
    r->evidence = lf_row_sample_new(r->evidence_per_theme, r->evidence_seed);
    if (fprintf(r->matches_out.fp, "%s\n", lf_match_tsv_header()) < 0) {
        lf_error_set(err, LF_ERR_IO, "%s: write error: %s", r->matches_out.final_path,
                     strerror(errno));
        return LF_ERR_IO;
    }
    return LF_OK;
}

/* The options as "name=value" lines for the manifest and summary, in a fixed order. */
typedef LF_VEC(size_t) offset_vec;

static void option_lines(const lf_run *r, lf_buf *b, offset_vec *offs)
{
    const lf_options *o = &r->opt;
#define ADD(...)                                                                               \
    do {                                                                                       \
        size_t at = b->len;                                                                    \
        LF_VEC_PUSH(*offs, at);                                                                \
        lf_buf_printf(b, __VA_ARGS__);                                                         \
        lf_buf_putc(b, '\0');                                                                  \
    } while (0)
    ADD("speaker-pattern=%s", o->speaker_pattern ? o->speaker_pattern : "(default)");
    ADD("default-strip=%s", o->no_default_strip ? "off" : "on");
    for (size_t i = 0; i < o->n_strip_patterns; i++)
        ADD("strip-pattern=%s", o->strip_patterns[i]);
    ADD("negators=%s", o->negators ? o->negators : "(lexicon)");
    if (o->negation_window >= 0)
        ADD("negation-window=%d", o->negation_window);
    else
        ADD("negation-window=(lexicon)");
    ADD("overlap=%s", o->overlap == LF_OVERLAP_LONGEST ? "longest" : "independent");
    ADD("lexicon-format=%s", o->lexicon_format ? o->lexicon_format : "(by extension)");
    ADD("encoding=%s", o->encoding ? o->encoding : "UTF-8");
    ADD("lexicon-theme=%s", o->lexicon_theme ? o->lexicon_theme : "(file name)");
    /* report.html's evidence sample, as lf_run_set_report_dir and build_row take it */
    ADD("sample=%zu", r->evidence_per_theme ? r->evidence_per_theme : LF_EVIDENCE_PER_THEME);
    ADD("seed=%llu", (unsigned long long)r->evidence_seed);
    ADD("width=%zu", r->context ? r->context : LF_EVIDENCE_CONTEXT);
    if (o->speakers_file) {
        ADD("speakers=%s", o->speakers_file);
        ADD("speakers-sha256=%s", r->speakers_hex);
    }
    for (size_t i = 0; i < LF_LIMIT_COUNT; i++)
        ADD("limit.%s=%llu", lf_limit_table()[i].name, (unsigned long long)o->limits[i]);
    /* The analysis options as the tables apply them (defaults made explicit). */
    for (uint32_t d = 1; d < lf_tables_dim_count(r->tables); d++)
        ADD("by=%s", lf_tables_dim_name(r->tables, d));
    ADD("period=%s", lf_period_name(lf_tables_period(r->tables)));
    ADD("level=%u", lf_tables_level(r->tables));
    ADD("window=%zu", lf_tables_window(r->tables));
    for (size_t i = 0; i < o->n_include_speakers; i++)
        ADD("include-speaker=%s", o->include_speakers[i]);
    for (size_t i = 0; i < o->n_exclude_speakers; i++)
        ADD("exclude-speaker=%s", o->exclude_speakers[i]);
    ADD("min-words=%llu", (unsigned long long)o->min_words);
    ADD("min-count=%llu", (unsigned long long)o->min_count);
    ADD("adjust=%s", lf_adjust_name(o->adjust));
#undef ADD
}

/* The option lines of the manifest and of a partial result (a merge run's are its
 * partials'), pointing into b or the run; the array is malloc'd. */
static const char **run_options(const lf_run *r, lf_buf *b, offset_vec *offs, size_t *n)
{
    if (r->option_override.n) {
        *n = r->option_override.n;
        const char **o = lf_xcalloc(*n, sizeof *o);
        for (size_t i = 0; i < *n; i++)
            o[i] = r->option_override.v[i];
        return o;
    }
    option_lines(r, b, offs);
    *n = offs->n;
    const char **o = lf_xcalloc(*n ? *n : 1, sizeof *o);
    for (size_t i = 0; i < *n; i++)
        o[i] = b->data + offs->v[i];
    return o;
}

/* What a report file holds. */
typedef enum report_kind {
    REPORT_TABLE,
    REPORT_JSON,
    REPORT_SUMMARY,
    REPORT_MANIFEST,
    REPORT_HTML
} report_kind;

typedef struct report_file {
    const char *name;
    report_kind kind;
    lf_table_id table;
    lf_outfile of;
    bool open;
    lf_status st; /* of rendering it, with err */
    lf_error err;
} report_file;

/* The report's files besides matches.tsv. In the order the threads take them, the
   costliest first, except that the first does not show the comparison: while one thread
   makes its rows, another starts on frequencies.csv instead of waiting. This is also the
   order of the renames (after matches.tsv; the manifest stays last, so that it is in place
   only when the rest is) and of the errors: when several files fail, the first in it is
   reported. */
static const struct {
    const char *name;
    report_kind kind;
    lf_table_id table;
} report_files[] = {
    {"frequencies.csv", REPORT_TABLE, LF_TABLE_FREQUENCIES},
    {"tables.json", REPORT_JSON, LF_TABLE_COUNT},
    {"report.html", REPORT_HTML, LF_TABLE_COUNT},
    {"comparison.csv", REPORT_TABLE, LF_TABLE_COMPARISON},
    {"terms.csv", REPORT_TABLE, LF_TABLE_TERMS},
    {"first_appearance.csv", REPORT_TABLE, LF_TABLE_FIRST_APPEARANCE},
    {"cooccurrence.csv", REPORT_TABLE, LF_TABLE_COOCCURRENCE},
    {"trends.csv", REPORT_TABLE, LF_TABLE_TRENDS},
    {"summary.md", REPORT_SUMMARY, LF_TABLE_COUNT},
    {"manifest.json", REPORT_MANIFEST, LF_TABLE_COUNT},
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The path of an input of r (a transcript, a lexicon file, the speakers file) that is the
 * file `out` (an existing output, named `out_path`), or NULL. Transcripts found by a walk
 * carry their inode number as readdir gave it, so only those with out's, or with its base
 * name (where a file system's d_ino is not st_ino), are stat'ed: a corpus of ten thousand
 * files costs no stat per file. */
static const char *input_file_at(const lf_run *r, const char *out_path, const struct stat *out)
{
    struct stat sb;
    const char *out_base = base_name(out_path);
    for (size_t i = 0; i < r->inputs.n; i++) {
        const lf_input_file *f = &r->inputs.v[i];
        if (f->stream || f->error ||
            (f->ino && f->ino != (uint64_t)out->st_ino &&
             strcmp(base_name(f->path), out_base) != 0))
            continue;
        if (stat(f->path, &sb) == 0 && sb.st_dev == out->st_dev && sb.st_ino == out->st_ino)
            return f->path;
    }
    for (size_t i = 0; i < r->lex->n_files; i++)
        if (stat(r->lex->files[i], &sb) == 0 && sb.st_dev == out->st_dev &&
            sb.st_ino == out->st_ino)
            return r->lex->files[i];
    const char *sp = r->opt.speakers_file;
    if (sp && stat(sp, &sb) == 0 && sb.st_dev == out->st_dev && sb.st_ino == out->st_ino)
        return sp;
    return NULL;
}

lf_status lf_run_check_output(const lf_run *r, const char *path, lf_error *err)
{
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return LF_OK;
    const char *in = input_file_at(r, path, &sb);
    if (!in)
        return LF_OK;
    if (strcmp(in, path) == 0)
        lf_error_set(err, LF_ERR_USAGE,
                     "%s is an input of this run: writing the output there would replace it "
                     "(name another output, or leave the file out of the inputs)",
                     path);
    else
        lf_error_set(err, LF_ERR_USAGE,
                     "%s is the input %s under another name: writing the output there would "
                     "replace it (name another output)",
                     path, in);
    return LF_ERR_USAGE;
}

/* lf_run_check_output for every file of a report in dir. */
static lf_status check_report_dir(const lf_run *r, const char *dir, lf_error *err)
{
    lf_status st = LF_OK;
    const char *sep = lf_str_ends_with(dir, "/") ? "" : "/";
    lf_buf path = {0};
    for (size_t i = 0; i <= sizeof report_files / sizeof report_files[0] && st == LF_OK; i++) {
        path.len = 0;
        lf_buf_printf(&path, "%s%s%s", dir, sep, i ? report_files[i - 1].name : "matches.tsv");
        st = lf_run_check_output(r, path.data, err);
    }
    lf_buf_free(&path);
    return st;
}

/* The report's files are rendered on up to n_workers threads, each file by one thread
 * from the finished tables (read only). Before the files come three tasks: hashing the
 * inputs (which the manifest and report.html wait for), making the comparison's rows
 * (which the files that show them wait for) and starting matches.tsv's writeback. Files
 * are opened and committed by the main thread. */
enum { TASK_HASH, TASK_COMPARE, TASK_MATCHES, TASK_FILES };

typedef struct report_job {
    lf_run *run;
    report_file *files;
    size_t nfiles;
    lf_report_info *info; /* info->compare, n_compare: set by TASK_COMPARE */
    const lf_options *topt;
    lf_html_evidence ev;
    /* the inputs' hashes: filled by TASK_HASH (NULL where a file could not be hashed: the
       manifest then hashes it itself and reports the failure) */
    const char **in_hex;
    uint64_t *in_bytes;
    char (*hexbuf)[65]; /* per input: its hash in hex */
    pthread_mutex_t mu;
    pthread_cond_t done_cv; /* a task that others wait for is done */
    size_t next; /* the next task: TASK_FILES + i is files[i] */
    bool hashed, compared;
} report_job;

/* Whether a file shows the comparison's rows (and waits for TASK_COMPARE). */
static bool needs_compare(const report_file *f)
{
    return f->kind == REPORT_JSON || f->kind == REPORT_SUMMARY || f->kind == REPORT_HTML ||
           (f->kind == REPORT_TABLE && f->table == LF_TABLE_COMPARISON);
}

static void render_file(report_job *rj, report_file *f)
{
    lf_run *r = rj->run;
    FILE *fp = f->of.fp;
    lf_error *err = &f->err;
    int rc = 0;
    f->st = LF_OK;
    switch (f->kind) {
    case REPORT_TABLE:
        if (needs_compare(f))
            rc = lf_render_table_csv_cmp(fp, f->table, r->tables, r->lex, rj->topt,
                                         rj->info->compare, rj->info->n_compare, err);
        else
            rc = lf_render_table_csv(fp, f->table, r->tables, r->lex, rj->topt, err);
        break;
    case REPORT_JSON:
        rc = lf_render_tables_json_cmp(fp, LF_TABLES_ALL, r->tables, r->lex, rj->topt,
                                       rj->info->compare, rj->info->n_compare, err);
        break;
    case REPORT_SUMMARY:
        rc = lf_render_summary_md(fp, r->tables, r->lex, rj->info, rj->topt);
        break;
    case REPORT_MANIFEST:
        rc = lf_render_manifest_json(fp, r->tables, rj->info, err);
        if (rc != 0 && err->status != LF_OK) {
            f->st = err->status;
            return;
        }
        break;
    case REPORT_HTML:
        lf_error_clear(err);
        rc = lf_render_report_html(fp, r->tables, r->lex, rj->info, rj->topt, &rj->ev, err);
        if (rc != 0 && err->status != LF_OK) {
            f->st = err->status;
            return;
        }
        break;
    }
    if (rc != 0) {
        lf_error_set(err, LF_ERR_IO, "%s: write error: %s", f->of.final_path, strerror(errno));
        f->st = LF_ERR_IO;
        return;
    }
    lf_outfile_writeback(&f->of);
}

/* Waits until *flag (set under rj->mu by another task) is true. */
static void wait_for(report_job *rj, const bool *flag)
{
    pthread_mutex_lock(&rj->mu);
    while (!*flag)
        pthread_cond_wait(&rj->done_cv, &rj->mu);
    pthread_mutex_unlock(&rj->mu);
}

static void mark_done(report_job *rj, bool *flag)
{
    pthread_mutex_lock(&rj->mu);
    *flag = true;
    pthread_cond_broadcast(&rj->done_cv);
    pthread_mutex_unlock(&rj->mu);
}

static void *report_worker(void *arg)
{
    report_job *rj = arg;
    lf_run *r = rj->run;
    for (;;) {
        pthread_mutex_lock(&rj->mu);
        size_t task = rj->next++;
        pthread_mutex_unlock(&rj->mu);
        if (task >= TASK_FILES + rj->nfiles)
            return NULL;
        if (task == TASK_HASH) {
            for (size_t i = 0; i < r->processed.n; i++) {
                if (rj->in_hex[i])
                    continue;
                lf_error e;
                if (lf_sha256_file(r->processed.v[i], rj->hexbuf[i], &rj->in_bytes[i], &e) ==
                    LF_OK)
                    rj->in_hex[i] = rj->hexbuf[i];
            }
            mark_done(rj, &rj->hashed);
            continue;
        }
        if (task == TASK_COMPARE) {
            /* on failure the files that show the rows make them and report the error */
            lf_compare_row *rows = NULL;
            size_t n = 0;
            lf_error e;
            if (lf_compare_rows(r->tables, rj->topt, &rows, &n, &e) == LF_OK) {
                rj->info->compare = rows;
                rj->info->n_compare = n;
            }
            mark_done(rj, &rj->compared);
            continue;
        }
        if (task == TASK_MATCHES) {
            /* complete since the last row was delivered */
            if (r->matches_open)
                lf_outfile_writeback(&r->matches_out);
            continue;
        }
        report_file *f = &rj->files[task - TASK_FILES];
        if (f->kind == REPORT_MANIFEST || f->kind == REPORT_HTML)
            wait_for(rj, &rj->hashed);
        if (needs_compare(f))
            wait_for(rj, &rj->compared);
        render_file(rj, f);
    }
}

/* Renders every file of the report (all already open) on up to `threads` threads. */
static void render_report(report_job *rj, size_t threads)
{
    pthread_mutex_init(&rj->mu, NULL);
    pthread_cond_init(&rj->done_cv, NULL);
    rj->next = 0;
    rj->hashed = rj->compared = false;
    pthread_t tid[LF_MAX_JOBS];
    size_t started = 0;
    if (threads > TASK_FILES + rj->nfiles)
        threads = TASK_FILES + rj->nfiles;
    lf_outfile_hold_signals(true); /* the signal handler runs on the main thread only */
    for (size_t t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, report_worker, rj) == 0)
            started++;
    lf_outfile_hold_signals(false);
    report_worker(rj); /* the main thread takes tasks too (alone when no thread started) */
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_cond_destroy(&rj->done_cv);
    pthread_mutex_destroy(&rj->mu);
}

/* A descriptor on the file that committing `of` will replace, or -1: with it held, the
 * rename does not free the old file's storage (which waits for the device when the file
 * system discards freed blocks); closing the descriptor does, after the renames, and
 * the closes of several files can wait at the same time. */
static int hold_replaced(const lf_outfile *of)
{
    if (!of->tmp_path)
        return -1; /* written in place: nothing is replaced */
    int fd = open(of->final_path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void *close_replaced(void *arg)
{
    close((int)(intptr_t)arg);
    return NULL;
}

/* Closes the held descriptors fds[0..n) (-1: none), each on a thread of its own where a
 * thread can be started. */
static void release_replaced(const int *fds, size_t n)
{
    pthread_t tid[16];
    size_t started = 0;
    lf_outfile_hold_signals(true);
    for (size_t i = 0; i < n; i++) {
        if (fds[i] < 0)
            continue;
        if (started < sizeof tid / sizeof tid[0] &&
            pthread_create(&tid[started], NULL, close_replaced, (void *)(intptr_t)fds[i]) == 0)
            started++;
        else
            close(fds[i]);
    }
    lf_outfile_hold_signals(false);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

lf_status lf_run_write_report(lf_run *r, const char *argv_line, lf_error *err)
{
    if (!r->report_dir || !r->matches_open) {
        lf_error_set(err, LF_ERR_USAGE, "lf_run_write_report: no report directory set");
        return LF_ERR_USAGE;
    }
    lf_buf optbuf = {0};
    offset_vec optoff = {0};
    size_t n_opts;
    const char **opts = run_options(r, &optbuf, &optoff, &n_opts);
    size_t np = r->processed.n;
    const char **in_hex = lf_xcalloc(np ? np : 1, sizeof *in_hex);
    uint64_t *in_bytes = lf_xcalloc(np ? np : 1, sizeof *in_bytes);
    /* the hashes as the manifest writes them (the pipelines' memory is free by now) */
    char(*hexbuf)[65] = lf_xcalloc(np ? np : 1, sizeof *hexbuf);
    for (size_t i = 0; i < np; i++)
        if (r->processed_meta.v[i].hashed) {
            meta_hash_hex(&r->processed_meta.v[i], hexbuf[i]);
            in_hex[i] = hexbuf[i];
            in_bytes[i] = r->processed_meta.v[i].bytes;
        }
    lf_report_info info = {
        .version = lf_version(),
        .argv_line = argv_line ? argv_line : "",
        .inputs = (const char *const *)r->processed.v,
        .n_inputs = r->processed.n,
        .failed = (const char *const *)r->failed.v,
        .n_failed = r->failed.n,
        .lexicon_files = r->lex->files,
        .n_lexicon_files = r->lex->n_files,
        .options = opts,
        .n_options = n_opts,
        .input_sha256 = in_hex,
        .input_bytes = in_bytes,
    };
    report_file files[sizeof report_files / sizeof report_files[0]];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        files[i] = (report_file){.name = report_files[i].name, .kind = report_files[i].kind,
                                 .table = report_files[i].table};
    const size_t nfiles = sizeof files / sizeof files[0];
    /* A report compares every group with the rest: a target or reference option belongs
       to `compare`. */
    lf_options topt = r->opt;
    topt.target = topt.reference = NULL;
    topt.compare_documents = false;
    /* The files read the same rows many times over: sort them once, before the threads.
       (The comparison's rows are made once too, by a task of the threads.) */
    lf_tables_sort_rows(r->tables);
    lf_status st = LF_OK;
    for (size_t i = 0; i < nfiles && st == LF_OK; i++) {
        st = lf_outfile_open(&files[i].of, r->report_dir, files[i].name, err);
        files[i].open = st == LF_OK;
    }
    if (st == LF_OK) {
        report_job rj = {.run = r, .files = files, .nfiles = nfiles, .info = &info,
                         .topt = &topt, .in_hex = in_hex, .in_bytes = in_bytes,
                         .hexbuf = hexbuf};
        rj.ev = (lf_html_evidence){.per_theme = r->evidence_per_theme,
                                   .seed = r->evidence_seed};
        rj.ev.n = lf_row_sample_rows(r->evidence, &rj.ev.rows);
        render_report(&rj, r->n_workers);
        /* the first failure in file order: the same message whatever the threads */
        for (size_t i = 0; i < nfiles && st == LF_OK; i++)
            if (files[i].st != LF_OK) {
                st = files[i].st;
                if (err)
                    *err = files[i].err;
            }
    }
    /* Close every temporary file first (that is where write errors surface), and only
       then rename them all, so a failure leaves the previous report whole. */
    if (st == LF_OK)
        st = lf_outfile_close(&r->matches_out, err);
    for (size_t i = 0; i < nfiles && st == LF_OK; i++)
        st = lf_outfile_close(&files[i].of, err);
    if (st == LF_OK) {
        int held[sizeof files / sizeof files[0] + 1];
        held[nfiles] = hold_replaced(&r->matches_out);
        for (size_t i = 0; i < nfiles; i++)
            held[i] = hold_replaced(&files[i].of);
        lf_outfile_hold_signals(true); /* a signal comes after the last rename, not between */
        st = lf_outfile_commit(&r->matches_out, err);
        r->matches_open = false;
        for (size_t i = 0; i < nfiles && st == LF_OK; i++) {
            st = lf_outfile_commit(&files[i].of, err);
            files[i].open = false;
        }
        lf_outfile_hold_signals(false);
        release_replaced(held, nfiles + 1);
    }
    for (size_t i = 0; i < nfiles; i++)
        if (files[i].open)
            lf_outfile_abort(&files[i].of);
    if (r->matches_open) {
        lf_outfile_abort(&r->matches_out);
        r->matches_open = false;
    }
    free((lf_compare_row *)info.compare);
    free(opts);
    free(in_hex);
    free(in_bytes);
    free(hexbuf);
    LF_VEC_FREE(optoff);
    lf_buf_free(&optbuf);
    return st;
}

lf_status lf_run_write_comparison(lf_run *r, FILE *fp, lf_table_format fmt, lf_error *err)
{
    int rc;
    switch (fmt) {
    case LF_TABLE_JSON:
        rc = lf_render_tables_json(fp, 1u << LF_TABLE_COMPARISON, r->tables, r->lex, &r->opt,
                                   err);
        break;
    case LF_TABLE_MD:
        rc = lf_render_comparison_md(fp, r->tables, r->lex, &r->opt, err);
        break;
    case LF_TABLE_CSV:
    default:
        rc = lf_render_table_csv(fp, LF_TABLE_COMPARISON, r->tables, r->lex, &r->opt, err);
        if (rc == 0 && r->opt.min_words > 0) {
            /* CSV has no room for a note: the groups left out go to the diagnostics. */
            lf_group_ref *dropped;
            size_t n = lf_dropped_groups(r->tables, r->opt.min_words, &dropped);
            for (size_t i = 0; i < n; i++)
                fprintf(r->diag, "lexframe: left out (fewer than %llu words): %s %s (%llu "
                                 "words)\n",
                        (unsigned long long)r->opt.min_words,
                        lf_tables_dim_name(r->tables, dropped[i].dim), dropped[i].group,
                        (unsigned long long)dropped[i].words);
            free(dropped);
        }
        break;
    }
    if (rc == -2)
        return LF_ERR_USAGE;
    if (rc != 0) {
        lf_error_set(err, LF_ERR_IO, "write error: %s", strerror(errno));
        return LF_ERR_IO;
    }
    return LF_OK;
}

/* ---- partial results ---- */

lf_status lf_run_set_shard(lf_run *r, unsigned index, unsigned count, lf_error *err)
{
    if (count == 0 || index == 0 || index > count) {
        lf_error_set(err, LF_ERR_USAGE, "--shard: %u/%u is not I/K with 1 <= I <= K", index,
                     count);
        return LF_ERR_USAGE;
    }
    r->shard_index = index;
    r->shard_count = count;
    return LF_OK;
}

void lf_run_set_order(lf_run *r, uint64_t order)
{
    r->order = order;
}

lf_status lf_run_set_partial_output(lf_run *r, const char *path, lf_error *err)
{
    if (r->executed || r->partial.fp) {
        lf_error_set(err, LF_ERR_USAGE, "lf_run_set_partial_output: too late or set twice");
        return LF_ERR_USAGE;
    }
    char hex[65];
    lf_status st = merge_prepare(r, err);
    if (st == LF_OK)
        st = lf_lexicon_identity(r->lex, &r->opt, hex, err);
    if (st != LF_OK)
        return st;
    st = lf_run_check_output(r, path, err);
    if (st != LF_OK)
        return st;
    FILE *to = stdout;
    if (strcmp(path, "-") != 0) {
        /* written beside its final name and renamed into place when complete */
        st = lf_outfile_open_path(&r->partial_of, path, err);
        if (st != LF_OK)
            return st;
        r->partial_open = true;
        to = r->partial_of.fp;
    }
    if (!lf_partial_begin(&r->partial, to))
        lf_oom();
    lf_buf optbuf = {0};
    offset_vec optoff = {0};
    size_t n_opts;
    const char **opts = run_options(r, &optbuf, &optoff, &n_opts);
    if (!r->context)
        r->context = LF_EVIDENCE_CONTEXT; /* rows carry the evidence's context words */
    /* shards must be given the same list of inputs: a path's place in it is its key */
    char inputs_hex[65] = "";
    if (r->shard_count) {
        struct sha256_ctx ctx;
        sha256_init(&ctx);
        for (size_t i = 0; i < r->inputs.n; i++) {
            const char *p = r->inputs.v[i].path;
            sha256_update(&ctx, strlen(p) + 1, (const uint8_t *)p); /* with its NUL */
        }
        lf_sha256_digest_hex(&ctx, inputs_hex);
    }
    lf_partial_put_header(&r->partial, hex, r->lex->n_themes, r->lex->n_entries,
                          r->lex->files, r->lex->n_files, opts, n_opts, r->shard_count,
                          inputs_hex);
    free(opts);
    LF_VEC_FREE(optoff);
    lf_buf_free(&optbuf);
    return LF_OK;
}

lf_status lf_run_write_partial(lf_run *r, lf_error *err)
{
    if (!r->partial.fp || !r->executed) {
        lf_error_set(err, LF_ERR_USAGE, "lf_run_write_partial: no partial output, or not run");
        return LF_ERR_USAGE;
    }
    /* Inputs with size and hash, as the manifest will list them: files are hashed now. */
    for (size_t i = 0; i < r->processed.n; i++) {
        input_meta *m = &r->processed_meta.v[i];
        char hex[65];
        if (!m->hashed) {
            lf_status st = lf_sha256_file(r->processed.v[i], hex, &m->bytes, err);
            if (st != LF_OK)
                return st;
            meta_set_hash(m, hex);
        }
        meta_hash_hex(m, hex);
        lf_partial_key k = {m->order, r->processed.v[i], m->line};
        lf_partial_put_input(&r->partial, &k, m->bytes, hex);
    }
    lf_partial_put_tables(&r->partial, r->tables);
    lf_partial_put_end(&r->partial);
    if (r->partial_open) {
        r->partial_open = false;
        return lf_outfile_commit(&r->partial_of, err);
    }
    if (fflush(r->partial.fp) != 0 || ferror(r->partial.fp)) {
        lf_error_set(err, LF_ERR_IO, "write error: %s", strerror(errno ? errno : EIO));
        return LF_ERR_IO;
    }
    return LF_OK;
}

/* The first partial's header: the lexicon must be the run's, and its options become the
 * run's analysis options (the tables are made anew with them). Later headers were
 * compared with the first by the reader. */
static lf_status merge_header(void *ctx, const lf_partial_header *h, const char *where,
                              lf_error *err)
{
    lf_run *r = ctx;
    if (r->merge_adopted)
        return LF_OK;
    char hex[65];
    lf_status st = lf_lexicon_identity(r->lex, &r->opt, hex, err);
    if (st != LF_OK)
        return st;
    if (strcmp(hex, h->lexicon) != 0 || h->n_themes != r->lex->n_themes ||
        h->n_entries != r->lex->n_entries) {
        lf_error_set(err, LF_ERR_LEXICON,
                     "%s: made with other lexicons than the ones given (themes and entries: "
                     "%llu and %llu; here %zu and %zu): merge needs the lexicon files, format and "
                     "encoding the runs used",
                     where, (unsigned long long)h->n_themes, (unsigned long long)h->n_entries,
                     r->lex->n_themes, r->lex->n_entries);
        return LF_ERR_LEXICON;
    }
    /* the same files, named as the runs named them: their rows and the manifest say so */
    for (size_t i = 0; i < h->lexicon_files.n || i < r->lex->n_files; i++) {
        const char *x = i < h->lexicon_files.n ? h->lexicon_files.v[i] : "(none)";
        const char *y = i < r->lex->n_files ? r->lex->files[i] : "(none)";
        if (strcmp(x, y) != 0) {
            lf_error_set(err, LF_ERR_LEXICON,
                         "%s: made with the lexicon file named '%s' where this merge has '%s': "
                         "name the lexicons as the runs did (the match rows name them so)",
                         where, x, y);
            return LF_ERR_LEXICON;
        }
    }
    lf_options o = r->opt;
    lf_grouping *g;
    const char **sp;
    st = lf_partial_options(h, &o, &g, &sp, err);
    if (st != LF_OK) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        lf_error_set(err, LF_ERR_INPUT, "%s: %s", where, msg);
        return st;
    }
    r->opt = o;
    own_analysis_options(r);
    free(g);
    free(sp);
    for (size_t i = 0; i < h->options.n; i++)
        LF_VEC_PUSH(r->option_override, lf_xstrdup(h->options.v[i]));
    r->evidence_per_theme = (size_t)h->evidence.per_theme;
    r->evidence_seed = h->evidence.seed;
    r->context = (size_t)h->evidence.context;
    lf_tables_free(r->workers[0].tables);
    r->workers[0].tables = lf_tables_new_opts(r->lex, &r->opt);
    r->tables = r->workers[0].tables;
    r->merge_adopted = true;
    return LF_OK;
}

static lf_tables *merge_new_tables(void *ctx)
{
    lf_run *r = ctx;
    return lf_tables_new_opts(r->lex, &r->opt);
}

static void merge_tables_done(void *ctx, lf_tables *t)
{
    lf_run *r = ctx;
    lf_tables_merge(r->tables, t);
    lf_tables_free(t);
}

lf_status lf_run_add_partial(lf_run *r, const char *path, lf_error *err)
{
    if (r->inputs.n || r->executed) {
        lf_error_set(err, LF_ERR_USAGE, "a run reads transcripts or partial results, not both");
        return LF_ERR_USAGE;
    }
    if (!r->merge) {
        r->merge = lf_xcalloc(1, sizeof *r->merge);
        lf_partial_set_init(r->merge);
    }
    lf_partial_hooks h = {r, merge_header, merge_new_tables, merge_tables_done};
    return lf_partial_read(r->merge, path, &h, err);
}
