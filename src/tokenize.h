/* tokenize.h — stage 2: the turns of a document become words (tokens), clauses and
 * sentences, each word interned in a vocabulary of forms. Word rules (PRODUCT.md): letters,
 * digits and marks make words; an apostrophe (' ’ ʼ) or hyphen between two word characters
 * stays inside (don't, self-aware, re-imposition); letter-period sequences stay whole
 * (U.S., D.C.); digit groups stay whole (1,200 3.5); punctuation is not a word.
 * Match keys are NFC and case-folded, with typographic apostrophes and hyphens unified. */
#ifndef LF_TOKENIZE_H
#define LF_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "lexframe.h"

typedef struct lf_token {
    uint32_t start, end;   /* byte span in lf_doc.text (code points: lf_char_offset) */
    uint32_t form;         /* id in the vocabulary */
    uint32_t clause;       /* clause number, increasing through the document */
    uint32_t sentence;     /* index into lf_tokens.sent */
} lf_token;

typedef struct lf_sentence {
    uint32_t tok_first, tok_end; /* [first, end) into lf_tokens.tok */
    uint32_t turn;               /* index into lf_doc.turns */
} lf_sentence;

/* Token and sentence ranges of each turn of the document, parallel to lf_doc.turns. */
typedef struct lf_turn_range {
    uint32_t tok_first, tok_end;
    uint32_t sent_first, sent_end;
} lf_turn_range;

/* Tokenizer output for one document; reused from document to document. */
typedef struct lf_tokens {
    lf_token *tok;
    size_t n_tok, cap_tok;
    lf_sentence *sent;
    size_t n_sent, cap_sent;
    lf_turn_range *turn;
    size_t n_turn, cap_turn;
} lf_tokens;

void lf_tokens_init(lf_tokens *t);
void lf_tokens_free(lf_tokens *t);

/* A distinct word form. `key` is the surface normalized for case-sensitive matching (NFC,
 * apostrophes and hyphens unified, case kept); `norm` is the case-insensitive match key
 * (key case-folded). Strings are owned by the vocabulary and live as long as it does. */
typedef struct lf_form {
    const char *key;
    const char *norm;
    uint32_t key_len, norm_len;
} lf_form;

/* The vocabulary: surface bytes → form. One per worker thread. */
typedef struct lf_vocab lf_vocab;

lf_vocab *lf_vocab_new(void);
void lf_vocab_free(lf_vocab *v);
size_t lf_vocab_size(const lf_vocab *v);
/* Borrowed; valid until lf_vocab_free (form pointers may move when the vocabulary grows,
 * so do not keep them across lf_tokenize_doc calls). */
const lf_form *lf_vocab_form(const lf_vocab *v, uint32_t id);
/* Interns the raw word bytes s[0..n) (valid UTF-8) and returns its form id. */
uint32_t lf_vocab_intern(lf_vocab *v, const char *s, size_t n);

/* Tokenizes every turn of doc into out (reset first). Fails with LF_ERR_LIMIT when a word
 * exceeds opt's token-bytes limit. */
lf_status lf_tokenize_doc(lf_vocab *v, const lf_doc *doc, const lf_options *opt,
                          lf_tokens *out, lf_error *err) LF_WARN_UNUSED;

/* Code point offsets of byte offsets in one text, computed for the few tokens that need
 * them (a match's row) rather than for every token: counted from the position asked last,
 * forward or back. Zero-initialize the cursor for each text. */
typedef struct lf_char_cursor {
    size_t byte, chars; /* chars code points precede byte */
} lf_char_cursor;
/* The number of code points in text[0, byte) (byte <= len, on a character boundary). */
size_t lf_char_offset(lf_char_cursor *c, const char *text, size_t len, size_t byte);

/* Normalizes one word as the tokenizer does for its match key: NFC, apostrophe and hyphen
 * variants unified, and case-folded when `fold` is set. Returns a malloc'd NUL-terminated
 * string the caller frees, or NULL when s is not valid UTF-8. */
char *lf_normalize_word(const char *s, size_t n, bool fold, size_t *out_len);
/* Appends to out what lf_normalize_word gives for s[0..n), or s as given when it is not
 * valid UTF-8 (no NUL is added). An ASCII word goes straight into out. */
void lf_normalize_word_append(lf_buf *out, const char *s, size_t n, bool fold);

/* Splits text into words with the tokenizer's rules, calling fn for each word's byte span.
 * Used by the lexicon to split phrase entries exactly as transcripts are split. Characters
 * listed in `extra_word_chars` (e.g. "*?" for globs) count as letters. */
void lf_split_words(const char *s, size_t n, const char *extra_word_chars,
                    void (*fn)(void *ctx, size_t start, size_t end), void *ctx);

#endif
