/* test_tokenize.c — word rules, normalization, offsets, clauses and sentence boundaries of
 * the tokenizer, on documents built by hand (one turn per string unless stated). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize.h"

typedef struct fixture {
    lf_doc doc;
    lf_turn turns[4];
    lf_span spans[8];
    lf_tokens toks;
    lf_vocab *v;
    lf_options opt;
} fixture;

/* Tokenizes text[0..len) as one turn made of the given spans. */
static void tokenize_spans(fixture *f, const char *text, size_t len, const lf_span *spans,
                           size_t n_spans)
{
    memset(&f->doc, 0, sizeof f->doc);
    f->doc.path = f->doc.id = "t.txt";
    f->doc.text = text;
    f->doc.len = len;
    memcpy(f->spans, spans, n_spans * sizeof *spans);
    f->turns[0] = (lf_turn){.speaker = -1, .line = 1, .span_first = 0,
                            .span_count = (uint32_t)n_spans};
    f->doc.turns = f->turns;
    f->doc.n_turns = 1;
    f->doc.spans = f->spans;
    f->doc.n_spans = n_spans;
    lf_error err;
    assert_int_equal(lf_tokenize_doc(f->v, &f->doc, &f->opt, &f->toks, &err), LF_OK);
}

/* Tokenizes `text` as a single turn (or as several: turns separated by '\f'). */
static void tokenize(fixture *f, const char *text)
{
    memset(&f->doc, 0, sizeof f->doc);
    f->doc.path = "t.txt";
    f->doc.id = "t.txt";
    f->doc.text = text;
    f->doc.len = strlen(text);
    size_t nt = 0, start = 0;
    for (size_t i = 0; i <= f->doc.len; i++) {
        if (i == f->doc.len || text[i] == '\f') {
            f->spans[nt] = (lf_span){(uint32_t)start, (uint32_t)i};
            f->turns[nt] = (lf_turn){.speaker = -1, .line = 1, .span_first = (uint32_t)nt,
                                     .span_count = 1};
            nt++;
            start = i + 1;
        }
    }
    f->doc.turns = f->turns;
    f->doc.n_turns = nt;
    f->doc.spans = f->spans;
    f->doc.n_spans = nt;
    lf_error err;
    assert_int_equal(lf_tokenize_doc(f->v, &f->doc, &f->opt, &f->toks, &err), LF_OK);
}

static const char *norm(fixture *f, size_t i)
{
    return lf_vocab_form(f->v, f->toks.tok[i].form)->norm;
}

static const char *surface(fixture *f, size_t i, char *buf, size_t cap)
{
    const lf_token *t = &f->toks.tok[i];
    size_t n = t->end - t->start;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, f->doc.text + t->start, n);
    buf[n] = '\0';
    return buf;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->v = lf_vocab_new();
    lf_tokens_init(&f->toks);
    lf_options_init(&f->opt);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lf_tokens_free(&f->toks);
    lf_vocab_free(f->v);
    free(f);
    return 0;
}

static void assert_words(fixture *f, const char *const *expect)
{
    size_t n = 0;
    while (expect[n])
        n++;
    if (f->toks.n_tok != n) {
        for (size_t i = 0; i < f->toks.n_tok; i++)
            print_message("token %zu: '%s'\n", i, norm(f, i));
    }
    assert_int_equal(f->toks.n_tok, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(norm(f, i), expect[i]);
}

static void word_rules(void **state)
{
    fixture *f = *state;
    tokenize(f, "Don't self-aware U.S. Iran-U.S. re-imposition 1,200 3.5% $4 COVID-19 "
                "Jake\\_Sullivan rock -- roll (Laughter) e.g., U.S");
    const char *const expect[] = {"don't", "self-aware", "u.s.", "iran-u.s.", "re-imposition",
                                  "1,200", "3.5", "4", "covid-19", "jake", "sullivan", "rock",
                                  "roll", "laughter", "e.g.", "u.s", NULL};
    assert_words(f, expect);
}

/* Runs of ASCII letters and digits are found 16 bytes at a time: words of every length
 * from 1 to 40 bytes, ending at each character just outside the ranges A-Z, a-z, 0-9 (and
 * at a letter beyond ASCII, which continues the word), must come out whole. */
static void ascii_runs_of_every_length(void **state)
{
    fixture *f = *state;
    static const char *const ends[] = {" ", "@ ", "[ ", "` ", "{ ", "/ ", ": ", "\x7f ",
                                       "\xc3\xa9 "};
    const size_t n_ends = sizeof ends / sizeof *ends;
    static const char letters[] = "aZ0yB9cX1wD8eV2uF7gT3sH6iR4qJ5kP0oL1mN2nMbA";
    char text[4096] = "", expect_buf[64 * 9][48];
    const char *expect[64 * 9 + 1];
    size_t n = 0, at = 0;
    for (size_t len = 1; len <= 40; len++) {
        const char *end = ends[len % n_ends];
        at += (size_t)snprintf(text + at, sizeof text - at, "%.*s%s", (int)len, letters, end);
        for (size_t i = 0; i < len; i++)
            expect_buf[n][i] = (char)(letters[i] >= 'A' && letters[i] <= 'Z' ? letters[i] + 32
                                                                            : letters[i]);
        strcpy(expect_buf[n] + len, end[0] == '\xc3' ? "\xc3\xa9" : "");
        expect[n] = expect_buf[n];
        n++;
    }
    expect[n] = NULL;
    tokenize(f, text);
    assert_words(f, expect);
}

/* A span that ends inside a run of letters (text between spans was stripped) ends the word
 * there, however many letters follow in the text. */
static void word_ends_at_span_end(void **state)
{
    fixture *f = *state;
    static const char text[] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz end";
    /* the last span ends at 48; the run of letters goes on to byte 52 */
    const lf_span spans[] = {{0, 5}, {7, 40}, {44, 48}};
    tokenize_spans(f, text, sizeof text - 1, spans, 3);
    const char *const expect[] = {"abcde", "hijklmnopqrstuvwxyzabcdefghijklmn", "stuv", NULL};
    assert_words(f, expect);
}

static void apostrophes_and_hyphens_unify(void **state)
{
    fixture *f = *state;
    tokenize(f, "don\xe2\x80\x99t don't DON\xca\xbcT co\xe2\x80\x90operate co-operate "
                "parties' 'cause");
    const lf_form *a = lf_vocab_form(f->v, f->toks.tok[0].form);
    const lf_form *b = lf_vocab_form(f->v, f->toks.tok[1].form);
    const lf_form *c = lf_vocab_form(f->v, f->toks.tok[2].form);
    assert_string_equal(a->norm, "don't");
    assert_string_equal(b->norm, "don't");
    assert_string_equal(c->norm, "don't");
    assert_string_equal(c->key, "DON'T"); /* case kept in the key */
    assert_string_equal(norm(f, 3), "co-operate");
    assert_string_equal(norm(f, 4), "co-operate");
    /* an apostrophe not between word characters is punctuation */
    assert_string_equal(norm(f, 5), "parties");
    assert_string_equal(norm(f, 6), "cause");
    assert_int_equal(f->toks.n_tok, 7);
}

static void nfc_and_case_folding(void **state)
{
    fixture *f = *state;
    /* "cafe" + combining acute, precomposed "CAFÉ", German sharp s, Greek capital */
    tokenize(f, "cafe\xcc\x81 CAF\xc3\x89 Stra\xc3\x9f" "e \xce\xa3\xce\x99\xce\x93\xce\x9c\xce\x91");
    assert_string_equal(norm(f, 0), "caf\xc3\xa9");
    assert_string_equal(norm(f, 1), "caf\xc3\xa9");
    assert_string_equal(norm(f, 2), "strasse");
    assert_int_not_equal(f->toks.tok[0].form, f->toks.tok[1].form); /* two forms, one norm */
    assert_int_equal(f->toks.n_tok, 4);
    /* the same raw bytes intern once */
    assert_int_equal(lf_vocab_intern(f->v, "CAF\xc3\x89", 5), f->toks.tok[1].form);
}

static void byte_and_char_offsets(void **state)
{
    fixture *f = *state;
    const char *text = "\xc3\xa9t\xc3\xa9 \xe2\x80\x94 word\xc2\xa0next";
    tokenize(f, text);
    assert_int_equal(f->toks.n_tok, 3);
    char buf[32];
    assert_string_equal(surface(f, 0, buf, sizeof buf), "\xc3\xa9t\xc3\xa9");
    assert_int_equal(f->toks.tok[0].start, 0);
    assert_int_equal(f->toks.tok[0].end, 5);
    size_t len = strlen(text);
    lf_char_cursor c = {0, 0};
    assert_int_equal(lf_char_offset(&c, text, len, f->toks.tok[0].start), 0);
    assert_int_equal(lf_char_offset(&c, text, len, f->toks.tok[0].end), 3);
    /* "word" starts after "été — " : 5 + 1 + 3 + 1 bytes, 3 + 1 + 1 + 1 chars */
    assert_int_equal(f->toks.tok[1].start, 10);
    assert_int_equal(lf_char_offset(&c, text, len, f->toks.tok[1].start), 6);
    assert_string_equal(surface(f, 2, buf, sizeof buf), "next"); /* U+00A0 separates */
    assert_int_equal(lf_char_offset(&c, text, len, f->toks.tok[2].start), 11);
    assert_int_equal(lf_char_offset(&c, text, len, len), 15);
    /* back and forth: counted back from the last position, or again from the start */
    assert_int_equal(lf_char_offset(&c, text, len, f->toks.tok[1].start), 6);
    assert_int_equal(lf_char_offset(&c, text, len, 2), 1);
    assert_int_equal(lf_char_offset(&c, text, len, 0), 0);
    assert_int_equal(lf_char_offset(&c, text, len, f->toks.tok[2].start), 11);
}

/* Words on both sides of the vocabulary's inline-key limit (16 bytes) and of the 8-byte
 * halves of a key: repeats share a form, a word differing in its last byte or one byte
 * longer does not, upper case shares the norm, and a word ending exactly at the end of
 * an unterminated text is read without going past it (ASan checks that). */
static void vocabulary_word_lengths(void **state)
{
    fixture *f = *state;
    static const size_t lens[] = {1, 7, 8, 9, 15, 16, 17, 18, 24, 31, 32, 33};
    enum { NL = sizeof lens / sizeof lens[0] };
    const char *letters = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop";
    char text[NL * 4 * 40 + 64];
    size_t len = 0;
    for (size_t k = 0; k < NL; k++) {
        size_t n = lens[k];
        for (int rep = 0; rep < 4; rep++) { /* w, w with its last letter changed, W, w */
            for (size_t i = 0; i < n; i++) {
                char c = letters[i];
                if (rep == 1 && i == n - 1)
                    c = '9';
                text[len++] = rep == 2 ? (char)(c - 'a' + 'A') : c;
            }
            text[len++] = ' ';
        }
    }
    memcpy(text + len, letters, 16); /* the last word: 16 bytes, the text's last bytes */
    len += 16;
    char *exact = malloc(len);
    assert_non_null(exact);
    memcpy(exact, text, len);

    const lf_span whole = {0, (uint32_t)len};
    tokenize_spans(f, exact, len, &whole, 1);
    assert_int_equal(f->toks.n_tok, NL * 4 + 1);

    uint32_t prev_w = UINT32_MAX;
    for (size_t k = 0; k < NL; k++) {
        const lf_token *t = &f->toks.tok[4 * k];
        size_t n = lens[k];
        uint32_t w = t[0].form, changed = t[1].form, upper = t[2].form;
        assert_int_equal(t[0].end - t[0].start, n);
        assert_int_equal(t[3].form, w);
        assert_int_not_equal(changed, w);
        assert_int_not_equal(upper, w);
        assert_int_not_equal(w, prev_w); /* one byte longer is another word */
        prev_w = w;
        const lf_form *fw = lf_vocab_form(f->v, w), *fu = lf_vocab_form(f->v, upper);
        assert_int_equal(fw->norm_len, n);
        assert_memory_equal(fw->norm, letters, n);
        const lf_form *fc = lf_vocab_form(f->v, changed);
        assert_int_equal(fu->norm_len, n);
        assert_memory_equal(fu->norm, letters, n);
        assert_true(fc->norm_len != n || memcmp(fc->norm, letters, n) != 0);
        /* the same raw bytes intern to the same form, whichever path stored it */
        assert_int_equal(lf_vocab_intern(f->v, exact + t[0].start, n), w);
        assert_int_equal(lf_vocab_intern(f->v, exact + t[2].start, n), upper);
    }
    const lf_token *last = &f->toks.tok[NL * 4];
    assert_int_equal(last->end, len);
    assert_int_equal(last->form, f->toks.tok[4 * 5].form); /* the 16-byte word again */
    free(exact);
}

static size_t sentence_count(fixture *f)
{
    return f->toks.n_sent;
}

static void sentence_words(fixture *f, size_t s, char *out, size_t cap)
{
    out[0] = '\0';
    const lf_sentence *se = &f->toks.sent[s];
    for (uint32_t t = se->tok_first; t < se->tok_end; t++) {
        if (t > se->tok_first)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, norm(f, t), cap - strlen(out) - 1);
    }
}

/* The sentences of the last tokenization, as their words' norms, are exactly `expect`. */
static void assert_sentences(fixture *f, const char *const *expect)
{
    char buf[256];
    size_t n = 0;
    for (; expect[n]; n++) {
        assert_true(n < sentence_count(f));
        sentence_words(f, n, buf, sizeof buf);
        assert_string_equal(buf, expect[n]);
    }
    assert_int_equal(sentence_count(f), n);
}

static void sentences_survive_abbreviations(void **state)
{
    fixture *f = *state;
    tokenize(f, "Mr. Smith met U.S. officials on Jan. 6 at No. 10. They agreed! Did they? "
                "Yes... John F. Kennedy said approx. five words. Dr. No left.");
    assert_sentences(f, (const char *const[]){"mr smith met u.s. officials on jan 6 at no 10",
                                              "they agreed", "did they", "yes",
                                              "john f kennedy said approx five words",
                                              "dr no left", NULL});
    /* the word before the period by its norm, in capitals or not ASCII ("\xc5\xbft",
       long s + t, folds to "st") */
    tokenize(f, "MR. Jones came. Visit \xc5\xbft. Louis now. See NO. 5 too. Un caf\xc3\xa9. "
                "Then a \xc5\xbft. Bo.");
    assert_sentences(f, (const char *const[]){"mr jones came", "visit st louis now",
                                              "see no 5 too", "un caf\xc3\xa9", "then a st bo",
                                              NULL});
}

static void hard_wrapped_lines_and_paragraphs(void **state)
{
    fixture *f = *state;
    char buf[256];
    /* a single line break (LF, CRLF or CR) is a space; a blank line ends a sentence */
    tokenize(f, "We will lift the\nsanctions when they\r\ncomply with the\rdeal\n  \nNew para "
                "without stop\r\n\r\nThird");
    assert_int_equal(sentence_count(f), 3);
    sentence_words(f, 0, buf, sizeof buf);
    assert_string_equal(buf, "we will lift the sanctions when they comply with the deal");
    sentence_words(f, 1, buf, sizeof buf);
    assert_string_equal(buf, "new para without stop");
}

static void clauses_split_at_punctuation(void **state)
{
    fixture *f = *state;
    tokenize(f, "no doubt, they trust us; not now \xe2\x80\x94 maybe (later) \"never\" again");
    const lf_token *t = f->toks.tok;
    assert_int_equal(t[0].clause, t[1].clause);     /* no doubt */
    assert_true(t[2].clause != t[1].clause);        /* , */
    assert_int_equal(t[2].clause, t[4].clause);     /* they trust us */
    assert_true(t[5].clause != t[4].clause);        /* ; */
    assert_true(t[7].clause != t[6].clause);        /* — */
    assert_true(t[8].clause != t[7].clause);        /* ( */
    assert_int_equal(t[9].clause, t[10].clause);    /* quotes do not split a clause */
    assert_int_equal(f->toks.n_tok, 11);
}

static void turns_keep_sentences_apart(void **state)
{
    fixture *f = *state;
    tokenize(f, "First turn without a stop\fsecond turn. And more\f\fLast");
    assert_int_equal(f->toks.n_turn, 4);
    assert_int_equal(sentence_count(f), 4);
    assert_int_equal(f->toks.sent[0].turn, 0);
    assert_int_equal(f->toks.sent[1].turn, 1);
    assert_int_equal(f->toks.sent[2].turn, 1);
    assert_int_equal(f->toks.sent[3].turn, 3);
    assert_int_equal(f->toks.turn[2].tok_first, f->toks.turn[2].tok_end); /* empty turn */
    assert_int_equal(f->toks.turn[1].sent_first, 1);
    assert_int_equal(f->toks.turn[1].sent_end, 3);
    for (size_t i = 0; i < f->toks.n_tok; i++)
        assert_int_equal(f->toks.sent[f->toks.tok[i].sentence].turn,
                         i < 5 ? 0 : (i < 9 ? 1 : 3));
}

static void token_limit(void **state)
{
    fixture *f = *state;
    f->opt.limits[LF_LIMIT_TOKEN_BYTES] = 12;
    memset(&f->doc, 0, sizeof f->doc);
    const char *text = "short\nwordsarefine averyveryverylongword";
    f->doc.path = "long.txt";
    f->doc.text = text;
    f->doc.len = strlen(text);
    f->spans[0] = (lf_span){0, (uint32_t)f->doc.len};
    f->turns[0] = (lf_turn){.speaker = -1, .line = 1, .span_first = 0, .span_count = 1};
    f->doc.turns = f->turns;
    f->doc.n_turns = 1;
    f->doc.spans = f->spans;
    f->doc.n_spans = 1;
    lf_error err;
    assert_int_equal(lf_tokenize_doc(f->v, &f->doc, &f->opt, &f->toks, &err), LF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "long.txt:2: word of 21 bytes at byte offset 19"));
    assert_non_null(strstr(err.message, "--limit token-bytes=N"));
}

typedef struct words {
    const char *s;
    char out[8][32];
    size_t n;
} words;

static void collect(void *ctx, size_t a, size_t b)
{
    words *w = ctx;
    if (w->n < 8)
        snprintf(w->out[w->n++], 32, "%.*s", (int)(b - a), w->s + a);
}

static void split_words_for_lexicon(void **state)
{
    (void)state;
    words w = {.s = "lift * sanction* re-impos?tion, U.S. side"};
    lf_split_words(w.s, strlen(w.s), "*?", collect, &w);
    assert_int_equal(w.n, 6);
    assert_string_equal(w.out[0], "lift");
    assert_string_equal(w.out[1], "*");
    assert_string_equal(w.out[2], "sanction*");
    assert_string_equal(w.out[3], "re-impos?tion");
    assert_string_equal(w.out[4], "U.S.");
    assert_string_equal(w.out[5], "side");
    words plain = {.s = "a*b"};
    lf_split_words(plain.s, 3, NULL, collect, &plain);
    assert_int_equal(plain.n, 2); /* without extras, '*' is punctuation */
}

static void normalize_word_api(void **state)
{
    (void)state;
    size_t n;
    char *s = lf_normalize_word("Don\xe2\x80\x99T", 7, true, &n);
    assert_string_equal(s, "don't");
    assert_int_equal(n, 5);
    free(s);
    s = lf_normalize_word("US", 2, false, &n);
    assert_string_equal(s, "US");
    free(s);
    assert_null(lf_normalize_word("bad\xff", 4, true, &n));
}

/* ---- property test: the tokenizer against a deliberately simple reference ----
 * The reference below restates the word, punctuation and sentence rules one code point at
 * a time, with a character table that covers only the alphabet the random texts are made
 * of; lf_tokenize_doc reads 64 bytes at a time and takes shortcuts, and must agree with it
 * on every token (span, form key, clause, sentence), every sentence and form numbering. */

enum { R_ALPHA = 1, R_DIGIT = 2, R_UPPER = 4, R_LOWER = 8, R_WORD = R_ALPHA | R_DIGIT };

static unsigned ref_class(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return R_ALPHA | R_LOWER;
    if (cp >= 'A' && cp <= 'Z')
        return R_ALPHA | R_UPPER;
    if (cp >= '0' && cp <= '9')
        return R_DIGIT;
    switch (cp) {
    case 0xE9: /* é */
    case 0xDF: /* ß */
        return R_ALPHA | R_LOWER;
    case 0xC9: /* É */
        return R_ALPHA | R_UPPER;
    case 0x4E2D: /* 中 */
    case 0x02BC: /* ʼ, a modifier letter */
        return R_ALPHA;
    case 0x0663: /* ٣, an Arabic-Indic digit */
        return R_DIGIT;
    default:
        return 0;
    }
}

static bool ref_apostrophe_or_hyphen(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == '-' || cp == 0x2010;
}

typedef struct ref_cp {
    uint32_t cp, at, len; /* code point, byte offset in the text, bytes */
} ref_cp;

/* The end (index into c) of the word starting at c[i]. */
static size_t ref_word_end(const ref_cp *c, size_t n, size_t i)
{
    size_t seg = 0;
    unsigned last = 0;
    while (i < n) {
        unsigned k = ref_class(c[i].cp);
        if (k & R_WORD) {
            last = k;
            seg++;
            i++;
            continue;
        }
        unsigned k2 = i + 1 < n ? ref_class(c[i + 1].cp) : 0;
        if (ref_apostrophe_or_hyphen(c[i].cp) && (k2 & R_WORD)) { /* don't, self-aware */
            i++;
            seg = 0;
            continue;
        }
        if ((c[i].cp == ',' || c[i].cp == '.') && (last & R_DIGIT) && (k2 & R_DIGIT)) {
            i++; /* 1,200 3.5 */
            continue;
        }
        if (c[i].cp == '.' && seg == 1 && (last & R_ALPHA) && (k2 & R_ALPHA) &&
            !(i + 2 < n && (ref_class(c[i + 2].cp) & R_WORD))) { /* U.S. */
            i += 2;
            while (i + 1 < n && c[i].cp == '.' && (ref_class(c[i + 1].cp) & R_ALPHA) &&
                   !(i + 2 < n && (ref_class(c[i + 2].cp) & R_WORD)))
                i += 2;
            if (i < n && c[i].cp == '.')
                i++;
            return i;
        }
        break;
    }
    return i;
}

static bool ref_in(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

typedef struct ref_tok {
    uint32_t start, end, clause, sentence;
} ref_tok;

typedef struct ref_state {
    const char *text;
    ref_tok tok[2048];
    size_t n_tok;
    uint32_t sent_first[2048], sent_end[2048];
    size_t n_sent;
    uint32_t clause;
    bool open;
    int pend; /* 0, 1 a period, 2 a hard end */
    unsigned newlines;
} ref_state;

static void ref_close(ref_state *r)
{
    if (r->open) {
        r->sent_end[r->n_sent - 1] = (uint32_t)r->n_tok;
        r->open = false;
        r->clause++;
    }
    r->pend = 0;
}

/* Does a pending period end the sentence before a word starting with code point cp? */
static bool ref_period_ends(const ref_state *r, uint32_t cp)
{
    static const char *const titles[] = {
        "mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "sen", "sens", "rep", "reps", "gov",
        "lt", "col", "sgt", "capt", "cmdr", "adm", "maj", "hon", "rev", "st", "mt", "ft",
        "pres", "amb", "supt", "gens", "vs", "cf", "al", NULL};
    static const char *const numbered[] = {
        "no", "nos", "art", "sec", "vol", "p", "pp", "fig", "ch", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "ca", "op", NULL};
    if (!r->open || r->n_tok == 0)
        return false;
    unsigned k = ref_class(cp);
    if (k & R_LOWER)
        return false;
    const ref_tok *t = &r->tok[r->n_tok - 1];
    size_t len;
    char *low = lf_normalize_word(r->text + t->start, t->end - t->start, true, &len);
    bool keep = ref_in(titles, low) || ((k & R_DIGIT) && ref_in(numbered, low));
    free(low);
    if (keep)
        return false;
    /* a single capital letter is an initial (John F. Kennedy) */
    const unsigned char *s = (const unsigned char *)r->text + t->start;
    size_t n = t->end - t->start;
    uint32_t first = s[0] < 0x80 ? s[0] : s[0] < 0xE0 ? (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F)
                                                        : 0;
    size_t first_len = s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    return !(first_len == n && (ref_class(first) & R_UPPER));
}

static void ref_span(ref_state *r, const ref_cp *c, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp = c[i].cp;
        if (ref_class(cp) & R_WORD) {
            size_t j = ref_word_end(c, n, i);
            if (r->pend == 2 || (r->pend == 1 && ref_period_ends(r, cp)))
                ref_close(r);
            r->pend = 0;
            if (!r->open) {
                r->sent_first[r->n_sent++] = (uint32_t)r->n_tok;
                r->open = true;
            }
            r->tok[r->n_tok++] = (ref_tok){c[i].at, c[j - 1].at + c[j - 1].len, r->clause,
                                           (uint32_t)r->n_sent - 1};
            r->newlines = 0;
            i = j;
            continue;
        }
        switch (cp) {
        case '\r':
            if (i + 1 < n && c[i + 1].cp == '\n')
                i++;
            /* fall through */
        case '\n':
            r->newlines++;
            break;
        case ' ': case '\t': case 0xA0: case 0x2009:
            break;
        case '.': case 0x2026:
            if (r->pend != 2)
                r->pend = 1;
            r->newlines = 0;
            break;
        case '!': case '?':
            r->pend = 2;
            r->newlines = 0;
            break;
        case ',': case ';': case ':': case '(': case ')': case 0x2014:
            r->clause++;
            r->newlines = 0;
            break;
        case '-':
            if (i + 1 < n && c[i + 1].cp == '-')
                r->clause++;
            r->newlines = 0;
            break;
        default:
            r->newlines = 0;
            break;
        }
        if (r->newlines >= 2 && r->open)
            r->pend = 2; /* a blank line */
        i++;
    }
}

/* Decodes text[from, to) (valid UTF-8) into c; returns the count. */
static size_t ref_decode(const char *text, size_t from, size_t to, ref_cp *c)
{
    size_t n = 0;
    for (size_t i = from; i < to;) {
        const unsigned char *s = (const unsigned char *)text + i;
        uint32_t cp, len;
        if (s[0] < 0x80) {
            cp = s[0];
            len = 1;
        } else if (s[0] < 0xE0) {
            cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
            len = 2;
        } else {
            cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
            len = 3;
        }
        c[n++] = (ref_cp){cp, (uint32_t)i, len};
        i += len;
    }
    return n;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rng(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

static void tokenizer_matches_reference(void **state)
{
    fixture *f = *state;
    /* every rule's characters, some twice to make them commoner, and words that exercise
       the abbreviation lists, initials, and runs across 64-byte blocks */
    static const char *const alphabet[] = {
        "a", "b", "Z", "x", "e", "g", "S", "U", "1", "9", "0", "a", "t", "7", " ", " ", " ",
        "\t", "\n", "\n", "\r", "\r\n", "'", "\xe2\x80\x99", "\xca\xbc", "-", "--",
        "\xe2\x80\x90", ".", ".", ",", ";", ":", "!", "?", "(", ")", "\xe2\x80\xa6",
        "\xe2\x80\x94", "\xc3\xa9", "\xc3\x89", "\xc3\x9f", "\xe4\xb8\xad", "\xe2\x80\x89",
        "\xc2\xa0", "\xd9\xa3", "Mr", "No", "dr", "p", "wordsmith", "Q", "$", "\"",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"};
    const size_t n_alpha = sizeof alphabet / sizeof *alphabet;
    static ref_cp cps[4096];
    static ref_state r;
    for (int iter = 0; iter < 4000; iter++) {
        /* the text, in a buffer of its exact size, so reading past it is caught */
        char buf[2048];
        size_t len = 0, pieces = 1 + rng(iter % 4 == 0 ? 300 : 60);
        size_t cuts[8], n_cuts = 0;
        for (size_t k = 0; k < pieces; k++) {
            const char *s = alphabet[rng((uint32_t)n_alpha)];
            size_t sl = strlen(s);
            if (len + sl > sizeof buf)
                break;
            if (n_cuts < 5 && rng(40) == 0)
                cuts[n_cuts++] = len; /* a span or turn boundary */
            memcpy(buf + len, s, sl);
            len += sl;
        }
        char *text = malloc(len ? len : 1);
        memcpy(text, buf, len);
        /* spans between the cuts, some with a gap (stripped text) between them; a cut
           may also start a second turn */
        memset(&f->doc, 0, sizeof f->doc);
        f->doc.path = f->doc.id = "p.txt";
        f->doc.text = text;
        f->doc.len = len;
        size_t n_spans = 0, n_turns = 1, from = 0;
        f->turns[0] = (lf_turn){.speaker = -1, .line = 1};
        for (size_t k = 0; k <= n_cuts; k++) {
            size_t to = k < n_cuts ? cuts[k] : len;
            if (to < from)
                to = from;
            f->spans[n_spans++] = (lf_span){(uint32_t)from, (uint32_t)to};
            f->turns[n_turns - 1].span_count++;
            from = to;
            if (k < n_cuts && rng(3) == 0 && from < len) { /* a character stripped */
                from++;
                while (from < len && ((unsigned char)text[from] & 0xC0) == 0x80)
                    from++;
            }
            if (k < n_cuts && n_turns < 4 && rng(2) == 0)
                f->turns[n_turns++] = (lf_turn){.speaker = -1, .line = 1,
                                                .span_first = (uint32_t)n_spans};
        }
        f->doc.turns = f->turns;
        f->doc.n_turns = n_turns;
        f->doc.spans = f->spans;
        f->doc.n_spans = n_spans;
        lf_vocab *v = lf_vocab_new();
        lf_error err;
        assert_int_equal(lf_tokenize_doc(v, &f->doc, &f->opt, &f->toks, &err), LF_OK);

        memset(&r, 0, sizeof r);
        r.text = text;
        for (size_t t = 0; t < n_turns; t++) {
            r.open = false;
            r.pend = 0;
            r.newlines = 0;
            for (size_t s = 0; s < f->turns[t].span_count; s++) {
                const lf_span *sp = &f->spans[f->turns[t].span_first + s];
                ref_span(&r, cps, ref_decode(text, sp->start, sp->end, cps));
            }
            ref_close(&r);
        }

        const lf_tokens *o = &f->toks;
        if (o->n_tok != r.n_tok)
            print_message("case %d: \"%.*s\"\n", iter, (int)len, text);
        assert_int_equal(o->n_tok, r.n_tok);
        assert_int_equal(o->n_sent, r.n_sent);
        for (size_t k = 0; k < r.n_sent; k++) {
            assert_int_equal(o->sent[k].tok_first, r.sent_first[k]);
            assert_int_equal(o->sent[k].tok_end, r.sent_end[k]);
        }
        /* forms numbered in the order their raw bytes first occur */
        uint32_t next_form = 0;
        for (size_t k = 0; k < r.n_tok; k++) {
            const lf_token *t = &o->tok[k];
            const ref_tok *e = &r.tok[k];
            if (t->start != e->start || t->end != e->end || t->clause != e->clause ||
                t->sentence != e->sentence)
                print_message("case %d token %zu: \"%.*s\"\n", iter, k, (int)len, text);
            assert_int_equal(t->start, e->start);
            assert_int_equal(t->end, e->end);
            assert_int_equal(t->clause, e->clause);
            assert_int_equal(t->sentence, e->sentence);
            size_t kl;
            char *key = lf_normalize_word(text + e->start, e->end - e->start, false, &kl);
            assert_string_equal(lf_vocab_form(v, t->form)->key, key);
            free(key);
            uint32_t seen = UINT32_MAX;
            for (size_t m = 0; m < k && seen == UINT32_MAX; m++)
                if (r.tok[m].end - r.tok[m].start == e->end - e->start &&
                    memcmp(text + r.tok[m].start, text + e->start, e->end - e->start) == 0)
                    seen = o->tok[m].form;
            assert_int_equal(t->form, seen == UINT32_MAX ? next_form++ : seen);
        }
        lf_vocab_free(v);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(word_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(ascii_runs_of_every_length, setup, teardown),
        cmocka_unit_test_setup_teardown(word_ends_at_span_end, setup, teardown),
        cmocka_unit_test_setup_teardown(apostrophes_and_hyphens_unify, setup, teardown),
        cmocka_unit_test_setup_teardown(nfc_and_case_folding, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_and_char_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(vocabulary_word_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(sentences_survive_abbreviations, setup, teardown),
        cmocka_unit_test_setup_teardown(hard_wrapped_lines_and_paragraphs, setup, teardown),
        cmocka_unit_test_setup_teardown(clauses_split_at_punctuation, setup, teardown),
        cmocka_unit_test_setup_teardown(turns_keep_sentences_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(token_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(tokenizer_matches_reference, setup, teardown),
        cmocka_unit_test(split_words_for_lexicon),
        cmocka_unit_test(normalize_word_api),
    };
    return cmocka_run_group_tests_name("tokenize", tests, NULL, NULL);
}
