/* run.c — the pipeline driver behind lf_run: for each input file in sorted order,
 * ingest → tokenize → match, then hand counted matches to the caller's callback (and to
 * matches.tsv for a report run) and fold the document into the count tables. One document
 * is in memory at a time. A bad input is reported and skipped; the run goes on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "ingest.h"
#include "lexicon.h"
#include "match.h"
#include "render.h"
#include "tokenize.h"
#include "util.h"

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
    lf_ingest *ing;
    lf_vocab *vocab;
    lf_matcher *matcher;
    lf_tables *tables;
    lf_doc doc;
    lf_tokens toks;
    lf_matches ms;
    lf_buf text, left, right;
    LF_VEC(char *) processed; /* inputs read successfully */
    LF_VEC(char *) failed;    /* "message" of each failed input */
    FILE *diag;
    /* report run */
    /* numbers already used by earlier parts of the current document */
    size_t turn_base, sent_base, tok_base;
    char *report_dir;
    lf_outfile matches_out;
    bool matches_open;
    bool executed;
    /* report.html's evidence: a seeded sample of counted matches per theme, with context */
    lf_row_sample *evidence;
    size_t evidence_per_theme;
    uint64_t evidence_seed;
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
    if (r->opt.n_strip_patterns) {
        r->strip_copies = lf_xcalloc(r->opt.n_strip_patterns, sizeof(char *));
        for (size_t i = 0; i < r->opt.n_strip_patterns; i++)
            r->strip_copies[i] = lf_xstrdup(r->opt.strip_patterns[i]);
        r->opt.strip_patterns = (const char *const *)r->strip_copies;
    }
    own_analysis_options(r);
    r->diag = stderr;
    r->evidence_seed = 1; /* as kwic --seed */
    lf_doc_init(&r->doc);
    lf_tokens_init(&r->toks);
    lf_matches_init(&r->ms);
    r->ing = lf_ingest_new(&r->opt, err);
    if (!r->ing)
        goto fail;
    r->vocab = lf_vocab_new();
    r->matcher = lf_matcher_new(lex, &r->opt, r->vocab, err);
    if (!r->matcher)
        goto fail;
    r->tables = lf_tables_new_opts(lex, &r->opt);
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
    for (size_t i = 0; i < r->opt.n_strip_patterns && r->strip_copies; i++)
        free(r->strip_copies[i]);
    free(r->strip_copies);
    for (size_t i = 0; i < r->owned.n; i++)
        free(r->owned.v[i]);
    LF_VEC_FREE(r->owned);
    lf_input_list_free(&r->inputs);
    lf_ingest_free(r->ing);
    lf_matcher_free(r->matcher);
    lf_vocab_free(r->vocab);
    lf_tables_free(r->tables);
    lf_doc_free(&r->doc);
    lf_tokens_free(&r->toks);
    lf_matches_free(&r->ms);
    lf_buf_free(&r->text);
    lf_buf_free(&r->left);
    lf_buf_free(&r->right);
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

/* Builds the row of match i of the current document and hands it to the callback and the
 * matches table. Returns false when either refuses it. */
static bool emit_match(lf_run *r, const lf_match *m, lf_error *err)
{
    const lf_doc *d = &r->doc;
    const lf_tokens *tk = &r->toks;
    const lf_token *t0 = &tk->tok[m->tok_start], *t1 = &tk->tok[m->tok_end - 1];
    const lf_sentence *sent = &tk->sent[m->sentence];
    const lf_turn *turn = &d->turns[sent->turn];
    if (!lf_speaker_selected(r->opt.include_speakers, r->opt.n_include_speakers,
                             r->opt.exclude_speakers, r->opt.n_exclude_speakers, d,
                             turn->speaker))
        return true; /* left out by the speaker filters, as in the tables */
    const lf_entry *e = &r->lex->entries[m->entry];
    collapse_text(&r->text, d->text, t0->start, t1->end);
    lf_match_row row = {
        .doc = d->id,
        .turn = r->turn_base + sent->turn + 1,
        .speaker = turn->speaker >= 0 ? d->speakers[turn->speaker].name : "",
        .sentence = r->sent_base + m->sentence + 1,
        .tok_start = r->tok_base + m->tok_start,
        .tok_end = r->tok_base + m->tok_end,
        .byte_start = t0->start,
        .byte_end = t1->end,
        .char_start = t0->cstart,
        .char_end = t1->cend,
        .line = lf_doc_line_of(d, t0->start),
        .theme = r->lex->themes[m->theme].id,
        .entry = e->source,
        .entry_file = e->file,
        .entry_line = e->line,
        .text = r->text.data,
        .negated = m->negated,
        .negator = NULL,
        .status = m->context ? "context" : status_name(m->status),
    };
    const char *neg_text = NULL;
    char *neg_copy = NULL;
    if (m->negator >= 0) {
        const lf_token *nt = &tk->tok[m->negator];
        neg_copy = lf_xstrndup(d->text + nt->start, nt->end - nt->start);
        neg_text = neg_copy;
    }
    row.negator = neg_text;
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
        collapse_text(&r->left, d->text, lo < m->tok_start ? tk->tok[lo].start : t0->start,
                      t0->start);
        collapse_text(&r->right, d->text, t1->end,
                      hi > m->tok_end ? tk->tok[hi - 1].end : t1->end);
        row.left = r->left.data;
        row.right = r->right.data;
    }
    bool ok = true;
    if (r->fn && r->fn(r->fn_ctx, &row) != 0) {
        lf_error_set(err, LF_ERR_IO, "writing match rows failed");
        ok = false;
    }
    if (ok && r->matches_open && m->status == LF_MATCH_COUNTED &&
        lf_write_match_tsv(r->matches_out.fp, &row) != 0) {
        lf_error_set(err, LF_ERR_IO, "%s: write error: %s", r->matches_out.final_path,
                     strerror(errno));
        ok = false;
    }
    if (ok && r->evidence && m->status == LF_MATCH_COUNTED)
        lf_row_sample_add(r->evidence, &row);
    free(neg_copy);
    return ok;
}

static void record_failure(lf_run *r, const lf_error *e)
{
    fprintf(r->diag, "lexframe: %s\n", e->message);
    LF_VEC_PUSH(r->failed, lf_xstrdup(e->message));
}

lf_status lf_run_execute(lf_run *r, lf_error *err)
{
    lf_error first = {LF_OK, ""};
    for (size_t i = 0; i < r->inputs.n; i++) {
        const lf_input_file *in = &r->inputs.v[i];
        lf_error e = {LF_OK, ""};
        lf_status st = lf_ingest_file(r->ing, in->path, in->id, &r->doc, &e);
        if (st == LF_OK)
            st = lf_tokenize_doc(r->vocab, &r->doc, &r->opt, &r->toks, &e);
        if (st == LF_OK)
            st = lf_match_doc(r->matcher, &r->doc, &r->toks, &r->ms, &e);
        if (st != LF_OK) {
            record_failure(r, &e);
            if (first.status == LF_OK)
                first = e;
            continue;
        }
        for (size_t k = 0; k < r->ms.n; k++) {
            const lf_match *m = &r->ms.m[k];
            if (m->status != LF_MATCH_COUNTED && !r->list_suppressed)
                continue;
            if (!emit_match(r, m, err))
                return LF_ERR_IO;
        }
        lf_tables_add_doc(r->tables, &r->doc, &r->toks, &r->ms);
        if (r->doc.more_parts) {
            r->turn_base += r->doc.n_turns;
            r->sent_base += r->toks.n_sent;
            r->tok_base += r->toks.n_tok;
        } else {
            r->turn_base = r->sent_base = r->tok_base = 0;
        }
        LF_VEC_PUSH(r->processed, lf_xstrdup(in->path));
    }
    r->executed = true;
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
