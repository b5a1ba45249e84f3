/* fuzz_transcript.c — libFuzzer target for the transcript reader: the input is one
 * transcript (plain text; HTML when built with -DFUZZ_HTML; TEI XML, read in parts of at
 * most 2 KiB, with -DFUZZ_TEI; a JSON Lines record, its first line, read by
 * lf_ingest_jsonl, with -DFUZZ_JSONL), read by lf_ingest_buffer and
 * then carried through the rest of a run's per-document pipeline — tokenize and match
 * against a small lexicon using every entry kind — so that whatever ingest accepts is also
 * exercised downstream. Any bad input must come back as an lf_status, never a crash, leak
 * or hang; the structural invariants of the document are checked with abort(). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "lexicon.h"
#include "match.h"
#include "tokenize.h"

#include "fuzz_lexicon_text.h"

#if defined(FUZZ_JSONL)
#define FUZZ_FORMAT LF_FORMAT_TEXT
#define FUZZ_PATH LF_STDIN_NAME
#elif defined(FUZZ_HTML)
#define FUZZ_FORMAT LF_FORMAT_HTML
#define FUZZ_PATH "fuzz.htm"
#elif defined(FUZZ_TEI)
#define FUZZ_FORMAT LF_FORMAT_TEI
#define FUZZ_PATH "fuzz.xml"
#else
#define FUZZ_FORMAT LF_FORMAT_TEXT
#define FUZZ_PATH "fuzz.txt"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static lf_options opt;
static lf_lexicon *lex;
static lf_ingest *ing;

static void setup(void)
{
    lf_error err = {LF_OK, ""};
    lf_options_init(&opt);
    /* Small limits keep each execution fast; they are checked like any other. */
    opt.limits[LF_LIMIT_REGEX_MATCH] = 100000;
    opt.limits[LF_LIMIT_TURNS] = 10000;
    opt.limits[LF_LIMIT_PART_BYTES] = 2048; /* TEI: documents of several parts */
    lex = lf_lexicon_new();
    if (lf_lexicon_read_native(lex, "fuzz.lexicon", lexicon_text, sizeof lexicon_text - 1,
                               &opt, &err) != LF_OK ||
        lf_lexicon_resolve(lex, &err) != LF_OK)
        abort();
    ing = lf_ingest_new(&opt, &err);
    if (!ing)
        abort();
}

/* What every later stage relies on: valid UTF-8 text, spans inside it and in order,
 * turns whose spans exist and whose speakers exist. */
static void check_doc(const lf_doc *d)
{
    if (!lf_utf8_valid(d->text, d->len, NULL) || memchr(d->text, '\0', d->len))
        abort();
    for (size_t i = 0; i < d->n_spans; i++)
        if (d->spans[i].start >= d->spans[i].end || d->spans[i].end > d->len)
            abort();
    for (size_t i = 0; i < d->n_turns; i++) {
        const lf_turn *t = &d->turns[i];
        if (t->speaker >= (int32_t)d->n_speakers || t->speaker < -1 ||
            (size_t)t->span_first + t->span_count > d->n_spans)
            abort();
        if (t->line < 1 || t->line > lf_doc_line_of(d, d->len))
            abort();
    }
    for (size_t i = 1; i < d->n_spans; i++)
        if (d->spans[i].start < d->spans[i - 1].end)
            abort();
}

static void check_tokens(const lf_doc *d, const lf_tokens *tk, const lf_matches *ms)
{
    for (size_t i = 0; i < tk->n_tok; i++) {
        const lf_token *t = &tk->tok[i];
        if (t->start >= t->end || t->end > d->len ||
            t->sentence >= tk->n_sent || (i && t->start < tk->tok[i - 1].end))
            abort();
    }
    for (size_t i = 0; i < ms->n; i++) {
        const lf_match *m = &ms->m[i];
        if (m->tok_start >= m->tok_end || m->tok_end > tk->n_tok || m->theme >= lex->n_themes ||
            m->entry >= lex->n_entries || m->sentence >= tk->n_sent)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!lex)
        setup();
    lf_error err = {LF_OK, ""};
    lf_doc doc;
    lf_doc_init(&doc);
    lf_tokens toks;
    lf_tokens_init(&toks);
    lf_matches ms;
    lf_matches_init(&ms);
    lf_vocab *vocab = lf_vocab_new();
    lf_matcher *m = lf_matcher_new(lex, &opt, vocab, &err);
    if (!m)
        abort();
#ifdef FUZZ_JSONL
    /* one record: the stream hands lf_ingest_jsonl a line without its line end */
    const uint8_t *nl = memchr(data, '\n', size);
    lf_status st = lf_ingest_jsonl(ing, FUZZ_PATH, 1, (const char *)data,
                                   nl ? (size_t)(nl - data) : size, &doc, &err);
#else
    lf_status st = lf_ingest_buffer(ing, FUZZ_PATH, NULL, (const char *)data, size,
                                    FUZZ_FORMAT, &doc, &err);
#endif
    /* each part of a document as run.c takes them */
    while (st == LF_OK) {
        check_doc(&doc);
        st = lf_tokenize_doc(vocab, &doc, &opt, &toks, &err);
        if (st == LF_OK)
            st = lf_match_doc(m, &doc, &toks, &ms, &err);
        if (st == LF_OK)
            check_tokens(&doc, &toks, &ms);
        if (st != LF_OK || !doc.more_parts)
            break;
        st = lf_ingest_next_part(ing, &doc, &err);
    }
    if (st != LF_OK && (!err.message[0] || lf_status_exit_code(st) == 0))
        abort(); /* every failure must say what went wrong */
    lf_matches_free(&ms);
    lf_tokens_free(&toks);
    lf_matcher_free(m);
    lf_vocab_free(vocab);
    lf_doc_free(&doc);
    return 0;
}
