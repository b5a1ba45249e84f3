/* run.c — the pipeline driver behind lf_run: for each input file in sorted order,
 * ingest → tokenize → match, then hand counted matches to the caller's callback (and to
 * matches.tsv for a report run) and fold the document into the count tables. A bad input
 * is reported and skipped; the run goes on.
 * With several threads, each worker owns a whole pipeline (ingest, vocabulary, matcher,
 * count tables) and takes the next input; its rows, warnings and errors wait in a slot
 * until the main thread delivers them in input order, and the workers' tables are merged
 * at the end (they only add), so the output is the same bytes whatever the thread count.
 * Each worker holds one document (part) at a time; at most `window` inputs are in flight. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "ingest.h"
#include "lexicon.h"
#include "match.h"
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

/* The slot of one input in flight. */
typedef struct job {
    row_batch *head, *tail;
    bool done;
    lf_status st;
    lf_error err;
    char *warnings; /* what ingest printed while reading it */
    size_t warnings_len;
} job;

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
    size_t window, next_input, emit_pos;
    bool abort;
    pthread_mutex_t mu;
    pthread_cond_t ready, space;
    LF_VEC(char *) processed; /* inputs read successfully */
    LF_VEC(char *) failed;    /* "message" of each failed input */
    FILE *diag;
    /* report run */
    char *report_dir;
    lf_outfile matches_out;
    bool matches_open;
    bool executed;
    /* report.html's evidence: a seeded sample of counted matches per theme, with context */
    lf_row_sample *evidence;
    size_t evidence_per_theme;
    uint64_t evidence_seed;
    lf_tei_writer *tei; /* annotated TEI output, or NULL */
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
    w->vocab = lf_vocab_new();
    w->matcher = lf_matcher_new(r->lex, &r->opt, w->vocab, err);
    if (!w->matcher)
        return false;
    w->tables = lf_tables_new_opts(r->lex, &r->opt);
    return true;
}

static void worker_free(worker *w)
{
    lf_ingest_free(w->ing);
    lf_matcher_free(w->matcher);
    lf_vocab_free(w->vocab);
    lf_tables_free(w->tables);
    lf_doc_free(&w->doc);
    lf_tokens_free(&w->toks);
    lf_matches_free(&w->ms);
    lf_buf_free(&w->text);
    lf_buf_free(&w->left);
    lf_buf_free(&w->right);
    lf_buf_free(&w->neg);
}

lf_run *lf_run_new(const lf_lexicon *lex, const lf_options *opt, lf_error *err)
{
    lf_run *r = lf_xcalloc(1, sizeof *r);
    r->lex = lex;
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
    for (size_t i = 0; i < r->processed.n; i++)
        free(r->processed.v[i]);
    LF_VEC_FREE(r->processed);
    for (size_t i = 0; i < r->failed.n; i++)
        free(r->failed.v[i]);
    LF_VEC_FREE(r->failed);
    free(r->report_dir);
    lf_row_sample_free(r->evidence);
    free(r);
}

lf_status lf_run_add_input(lf_run *r, const char *path, lf_error *err)
{
    return lf_input_collect(path, &r->inputs, err);
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
    r->tei = lf_tei_writer_new(fp, r->lex, &r->opt, r->inputs.n);
    return LF_OK;
}

size_t lf_run_failed_inputs(const lf_run *r)
{
    return r->failed.n;
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
        .char_start = w->char_base + t0->cstart,
        .char_end = w->char_base + t1->cend,
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
        if (lf_doc_source_of(d, sent->turn, t0->start, t0->cstart, &el, &off)) {
            row->element = el;
            row->element_start = off;
        }
        if (lf_doc_source_of(d, sent->turn, t1->end, t1->cend, &el, &off)) {
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

static void record_failure(lf_run *r, const lf_error *e)
{
    fprintf(r->diag, "lexframe: %s\n", e->message);
    LF_VEC_PUSH(r->failed, lf_xstrdup(e->message));
}

/* Processes input i with worker w: every part is ingested, tokenized, matched and counted
 * into w's tables. Rows go into batches of job j (threaded), or straight to deliver_row
 * when j is NULL (then *io_failed and io report a delivery failure). The input's own
 * failure is returned, with e filled. */
static lf_status process_input(worker *w, size_t i, job *j, lf_error *e, bool *io_failed,
                               lf_error *io)
{
    lf_run *r = w->run;
    const lf_input_file *in = &r->inputs.v[i];
    w->turn_base = w->sent_base = w->tok_base = w->byte_base = w->char_base = 0;
    lf_status st = lf_ingest_input(w->ing, in, &w->doc, e);
    /* A large TEI file arrives in parts; each is matched and counted in turn. */
    while (st == LF_OK) {
        st = lf_tokenize_doc(w->vocab, &w->doc, &r->opt, &w->toks, e);
        if (st == LF_OK)
            st = lf_match_doc(w->matcher, &w->doc, &w->toks, &w->ms, e);
        if (st != LF_OK)
            break;
        row_batch *b = j ? lf_xcalloc(1, sizeof *b) : NULL;
        if (b)
            lf_arena_init(&b->strings, 16 * 1024);
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
        if (b) {
            pthread_mutex_lock(&r->mu);
            if (j->tail)
                j->tail->next = b;
            else
                j->head = b;
            j->tail = b;
            pthread_cond_broadcast(&r->ready);
            pthread_mutex_unlock(&r->mu);
        }
        if (!j && r->tei && lf_tei_writer_part(r->tei, &w->doc, w->ing, io) != LF_OK) {
            *io_failed = true;
            return LF_ERR_IO;
        }
        lf_tables_add_doc(w->tables, &w->doc, &w->toks, &w->ms);
        if (!w->doc.more_parts)
            break;
        w->turn_base += w->doc.n_turns;
        w->sent_base += w->toks.n_sent;
        w->tok_base += w->toks.n_tok;
        w->byte_base += w->doc.len;
        for (size_t k = 0; k < w->doc.len; k++)
            w->char_base += ((unsigned char)w->doc.text[k] & 0xC0) != 0x80;
        st = lf_ingest_next_part(w->ing, &w->doc, e);
    }
    return st;
}

/* After an input: its failure reported (parts already counted stay counted, see
 * lexframe(1), TEI), or its path recorded for the manifest. Main thread only. */
static void input_finished(lf_run *r, size_t i, lf_status st, const lf_error *e,
                           lf_error *first)
{
    if (st != LF_OK) {
        if (r->tei)
            lf_tei_writer_drop_doc(r->tei);
        record_failure(r, e);
        if (first->status == LF_OK)
            *first = *e;
        return;
    }
    LF_VEC_PUSH(r->processed, lf_xstrdup(r->inputs.v[i].path));
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    lf_run *r = w->run;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (!r->abort && r->next_input < r->inputs.n &&
               r->next_input >= r->emit_pos + r->window)
            pthread_cond_wait(&r->space, &r->mu);
        if (r->abort || r->next_input >= r->inputs.n) {
            pthread_mutex_unlock(&r->mu);
            return NULL;
        }
        size_t i = r->next_input++;
        job *j = &r->jobs[i % r->window];
        pthread_mutex_unlock(&r->mu);

        /* ingest warnings are kept with the input and printed in input order */
        char *wbuf = NULL;
        size_t wlen = 0;
        FILE *wfp = open_memstream(&wbuf, &wlen);
        lf_ingest_set_warnings(w->ing, wfp);
        lf_error e = {LF_OK, ""};
        lf_status st = process_input(w, i, j, &e, NULL, NULL);
        lf_ingest_set_warnings(w->ing, NULL);
        if (wfp)
            fclose(wfp);

        pthread_mutex_lock(&r->mu);
        j->st = st;
        j->err = e;
        j->warnings = wbuf;
        j->warnings_len = wlen;
        j->done = true;
        pthread_cond_broadcast(&r->ready);
        pthread_mutex_unlock(&r->mu);
    }
}

/* Delivers the inputs' results in order as the workers finish them. */
static lf_status execute_threaded(lf_run *r, size_t n_threads, lf_error *first, lf_error *err)
{
    r->window = 4 * n_threads;
    r->jobs = lf_xcalloc(r->window, sizeof *r->jobs);
    r->next_input = r->emit_pos = 0;
    r->abort = false;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->ready, NULL);
    pthread_cond_init(&r->space, NULL);
    lf_status result = LF_OK;
    size_t started = 0;
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
    for (size_t i = 0; i < r->inputs.n && result == LF_OK && started; i++) {
        job *j = &r->jobs[i % r->window];
        for (;;) {
            pthread_mutex_lock(&r->mu);
            while (!j->head && !j->done)
                pthread_cond_wait(&r->ready, &r->mu);
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
        if (j->warnings_len)
            fwrite(j->warnings, 1, j->warnings_len, r->diag);
        free(j->warnings);
        input_finished(r, i, j->st, &j->err, first);
        pthread_mutex_lock(&r->mu);
        *j = (job){0};
        r->emit_pos++;
        pthread_cond_broadcast(&r->space);
        pthread_mutex_unlock(&r->mu);
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
    }
    lf_ingest_set_warnings(r->workers[0].ing, r->diag);
    pthread_cond_destroy(&r->ready);
    pthread_cond_destroy(&r->space);
    pthread_mutex_destroy(&r->mu);
    /* the tables only add: merging the workers' gives exactly one pipeline's result */
    for (size_t t = 1; t < n_threads; t++)
        if (r->workers[t].tables)
            lf_tables_merge(r->tables, r->workers[t].tables);
    return result;
}

lf_status lf_run_execute(lf_run *r, lf_error *err)
{
    lf_error first = {LF_OK, ""};
    /* annotated TEI is written while the document is in memory: one pipeline */
    size_t threads = r->tei ? 1 : r->n_workers;
    if (threads > r->inputs.n)
        threads = r->inputs.n ? r->inputs.n : 1;
    lf_status st = LF_OK;
    if (threads > 1) {
        st = execute_threaded(r, threads, &first, err);
    } else {
        for (size_t i = 0; i < r->inputs.n && st == LF_OK; i++) {
            lf_error e = {LF_OK, ""};
            bool io_failed = false;
            lf_status ist = process_input(&r->workers[0], i, NULL, &e, &io_failed, err);
            if (io_failed)
                st = LF_ERR_IO;
            else
                input_finished(r, i, ist, &e, &first);
        }
    }
    r->executed = true;
    if (st != LF_OK)
        return st;
    if (r->tei && lf_tei_writer_finish(r->tei, err) != LF_OK)
        return LF_ERR_IO;
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

lf_status lf_run_set_report_dir(lf_run *r, const char *dir, lf_error *err)
{
    free(r->report_dir);
    r->report_dir = lf_xstrdup(dir);
    lf_status st = lf_mkdir_p(dir, err);
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
    if (o->speakers_file)
        ADD("speakers=%s", o->speakers_file);
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
} report_file;

lf_status lf_run_write_report(lf_run *r, const char *argv_line, lf_error *err)
{
    if (!r->report_dir || !r->matches_open) {
        lf_error_set(err, LF_ERR_USAGE, "lf_run_write_report: no report directory set");
        return LF_ERR_USAGE;
    }
    lf_buf optbuf = {0};
    offset_vec optoff = {0};
    option_lines(r, &optbuf, &optoff);
    const char **opts = lf_xcalloc(optoff.n, sizeof(char *));
    for (size_t i = 0; i < optoff.n; i++)
        opts[i] = optbuf.data + optoff.v[i];
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
        .n_options = optoff.n,
    };
    report_file files[] = {
        {"frequencies.csv", REPORT_TABLE, LF_TABLE_FREQUENCIES, {0}, false},
        {"terms.csv", REPORT_TABLE, LF_TABLE_TERMS, {0}, false},
        {"cooccurrence.csv", REPORT_TABLE, LF_TABLE_COOCCURRENCE, {0}, false},
        {"comparison.csv", REPORT_TABLE, LF_TABLE_COMPARISON, {0}, false},
        {"trends.csv", REPORT_TABLE, LF_TABLE_TRENDS, {0}, false},
        {"first_appearance.csv", REPORT_TABLE, LF_TABLE_FIRST_APPEARANCE, {0}, false},
        {"tables.json", REPORT_JSON, LF_TABLE_COUNT, {0}, false},
        {"summary.md", REPORT_SUMMARY, LF_TABLE_COUNT, {0}, false},
        {"manifest.json", REPORT_MANIFEST, LF_TABLE_COUNT, {0}, false},
        {"report.html", REPORT_HTML, LF_TABLE_COUNT, {0}, false},
    };
    const size_t nfiles = sizeof files / sizeof files[0];
    /* A report compares every group with the rest: a target or reference option belongs
       to `compare`. */
    lf_options topt = r->opt;
    topt.target = topt.reference = NULL;
    topt.compare_documents = false;
    lf_status st = LF_OK;
    for (size_t i = 0; i < nfiles && st == LF_OK; i++) {
        st = lf_outfile_open(&files[i].of, r->report_dir, files[i].name, err);
        if (st != LF_OK)
            break;
        files[i].open = true;
        FILE *fp = files[i].of.fp;
        int rc = 0;
        switch (files[i].kind) {
        case REPORT_TABLE:
            rc = lf_render_table_csv(fp, files[i].table, r->tables, r->lex, &topt, err);
            break;
        case REPORT_JSON:
            rc = lf_render_tables_json(fp, LF_TABLES_ALL, r->tables, r->lex, &topt, err);
            break;
        case REPORT_SUMMARY:
            rc = lf_render_summary_md(fp, r->tables, r->lex, &info, &topt);
            break;
        case REPORT_MANIFEST:
            rc = lf_render_manifest_json(fp, r->tables, &info, err);
            if (rc != 0 && err && err->status != LF_OK) {
                st = err->status;
                continue;
            }
            break;
        case REPORT_HTML: {
            lf_html_evidence ev = {.per_theme = r->evidence_per_theme,
                                   .seed = r->evidence_seed};
            ev.n = lf_row_sample_rows(r->evidence, &ev.rows);
            lf_error_clear(err);
            rc = lf_render_report_html(fp, r->tables, r->lex, &info, &topt, &ev, err);
            if (rc != 0 && err && err->status != LF_OK) {
                st = err->status;
                continue;
            }
            break;
        }
        }
        if (rc != 0) {
            lf_error_set(err, LF_ERR_IO, "%s: write error: %s", files[i].of.final_path,
                         strerror(errno));
            st = LF_ERR_IO;
        }
    }
    /* Close every temporary file first (that is where write errors surface), and only
       then rename them all, so a failure leaves the previous report whole. */
    if (st == LF_OK)
        st = lf_outfile_close(&r->matches_out, err);
    for (size_t i = 0; i < nfiles && st == LF_OK; i++)
        st = lf_outfile_close(&files[i].of, err);
    if (st == LF_OK) {
        st = lf_outfile_commit(&r->matches_out, err);
        r->matches_open = false;
        for (size_t i = 0; i < nfiles && st == LF_OK; i++) {
            st = lf_outfile_commit(&files[i].of, err);
            files[i].open = false;
        }
    }
    for (size_t i = 0; i < nfiles; i++)
        if (files[i].open)
            lf_outfile_abort(&files[i].of);
    if (r->matches_open) {
        lf_outfile_abort(&r->matches_out);
        r->matches_open = false;
    }
    free(opts);
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
