/* fuzz_tokenize.c — libFuzzer target for the tokenizer: the input (when it is text ingest
 * would accept: valid UTF-8 without NUL) becomes a document built by hand — one turn per
 * paragraph, one span per line, so words, sentences and clauses meet span and turn edges —
 * and is tokenized; the word splitter used by lexicon entries (with glob characters) and
 * the match-key normalizer run over it too. Token spans, code point offsets and sentence
 * ranges are checked against the text with abort(), and each span's tokens against the
 * words lf_split_words (the word rules one character at a time) finds in it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct split_ctx {
    const char *s;
    size_t n, last_end;
} split_ctx;

/* The words lf_split_words finds in one span, in order, to set against the tokenizer's:
 * the splitter runs the word rules one character at a time, the tokenizer 64 bytes at a
 * time with shortcuts, and the two must find the same words. */
typedef struct span_words {
    const lf_token *tok; /* the tokenizer's next token in this span */
    size_t left;         /* tokens of the span not yet matched */
    size_t base;         /* the span's offset in the text */
} span_words;

static void on_span_word(void *ctx, size_t start, size_t end)
{
    span_words *w = ctx;
    if (!w->left || w->tok->start != w->base + start || w->tok->end != w->base + end)
        abort();
    w->tok++;
    w->left--;
}

/* Each word of lf_split_words must lie after the previous one and normalize. */
static void on_word(void *ctx, size_t start, size_t end)
{
    split_ctx *c = ctx;
    if (start >= end || end > c->n || start < c->last_end)
        abort();
    c->last_end = end;
    for (int fold = 0; fold < 2; fold++) {
        size_t len;
        char *w = lf_normalize_word(c->s + start, end - start, fold != 0, &len);
        if (!w || strlen(w) != len)
            abort();
        free(w);
    }
}

static size_t count_cp(const char *s, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    if (size >= UINT32_MAX || !lf_utf8_valid(text, size, NULL) || memchr(text, '\0', size))
        return 0;
    lf_doc doc;
    lf_doc_init(&doc);
    doc.path = doc.id = "fuzz.txt";
    char *copy = lf_xstrndup(text, size);
    doc.text = doc.owned_text = copy;
    doc.len = size;
    /* Turns split at blank lines, spans at line ends (the line ends stay outside spans,
       as ingest leaves labels and stage directions outside). */
    size_t ls = 0;
    bool new_turn = true;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && text[i] != '\n')
            continue;
        if (i > ls) {
            if (new_turn) {
                lf_grow((void **)&doc.turns, &doc.cap_turns, doc.n_turns + 1, sizeof *doc.turns);
                doc.turns[doc.n_turns++] = (lf_turn){.speaker = -1, .line = 1,
                                                     .span_first = (uint32_t)doc.n_spans};
            }
            lf_grow((void **)&doc.spans, &doc.cap_spans, doc.n_spans + 1, sizeof *doc.spans);
            doc.spans[doc.n_spans++] = (lf_span){(uint32_t)ls, (uint32_t)i};
            doc.turns[doc.n_turns - 1].span_count++;
            new_turn = false;
        } else {
            new_turn = true;
        }
        ls = i + 1;
    }

    lf_options opt;
    lf_options_init(&opt);
    opt.limits[LF_LIMIT_TOKEN_BYTES] = 256;
    lf_vocab *v = lf_vocab_new();
    lf_tokens tk;
    lf_tokens_init(&tk);
    lf_error err = {LF_OK, ""};
    lf_status st = lf_tokenize_doc(v, &doc, &opt, &tk, &err);
    if (st == LF_OK) {
        if (tk.n_turn != doc.n_turns)
            abort();
        lf_char_cursor cc = {0, 0};
        for (size_t i = 0; i < tk.n_tok; i++) {
            const lf_token *t = &tk.tok[i];
            if (t->start >= t->end || t->end > size || (i && t->start < tk.tok[i - 1].end) ||
                t->end - t->start > 256 || t->sentence >= tk.n_sent ||
                t->form >= lf_vocab_size(v))
                abort();
            /* code point offsets, asked in an order that goes back now and then */
            size_t back = i ? tk.tok[i - 1].start : 0;
            if (lf_char_offset(&cc, text, size, t->end) != count_cp(text, 0, t->end) ||
                lf_char_offset(&cc, text, size, t->start) != count_cp(text, 0, t->start) ||
                lf_char_offset(&cc, text, size, back) != count_cp(text, 0, back))
                abort();
            const lf_form *f = lf_vocab_form(v, t->form);
            if (!f->norm || strlen(f->norm) != f->norm_len)
                abort();
        }
        /* every span's tokens are the words the character-at-a-time splitter finds */
        size_t ti = 0;
        for (size_t k = 0; k < doc.n_spans; k++) {
            const lf_span *sp = &doc.spans[k];
            size_t n = 0;
            while (ti + n < tk.n_tok && tk.tok[ti + n].start < sp->end)
                n++;
            span_words w = {&tk.tok[ti], n, sp->start};
            lf_split_words(text + sp->start, sp->end - sp->start, NULL, on_span_word, &w);
            if (w.left)
                abort();
            ti += n;
        }
        if (ti != tk.n_tok)
            abort();
        for (size_t s = 0; s < tk.n_sent; s++) {
            const lf_sentence *se = &tk.sent[s];
            if (se->tok_first >= se->tok_end || se->tok_end > tk.n_tok ||
                se->turn >= doc.n_turns || (s && se->tok_first != tk.sent[s - 1].tok_end))
                abort();
        }
    } else if (st != LF_ERR_LIMIT || !err.message[0]) {
        abort();
    }
    split_ctx c = {.s = text, .n = size};
    lf_split_words(text, size, "*?", on_word, &c);

    lf_tokens_free(&tk);
    lf_vocab_free(v);
    lf_doc_free(&doc);
    return 0;
}
