/* test_render.c — stage 5: statistics against values worked out by hand, number formatting,
 * CSV/JSON/TSV escaping, KWIC alignment with multibyte text, the CSV tables byte for byte,
 * the summary's sentences, the manifest's hashes, and atomic output files (commit, abort,
 * write and rename failures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "render.h"
#include "util.h"

/* ---- helpers ---- */

static void cap_free(capture *c)
{
    free(c->buf);
}

static void assert_close(double got, double want)
{
    if (!(fabs(got - want) < 1e-12))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* A lexicon, a document and its matches built by hand (no other stage involved). */
typedef struct fixture {
    struct lf_lexicon lex;
    lf_theme themes[3];
    lf_entry entries[3];
    lf_doc doc;
    lf_speaker speakers[2];
    lf_turn turns[2];
    lf_tokens toks;
    lf_turn_range ranges[2];
    lf_sentence sents[4];
    lf_token *tok;
    lf_matches ms;
    lf_match m[16];
} fixture;

static void fixture_lexicon(fixture *f, lf_neg_policy leverage_policy)
{
    memset(f, 0, sizeof *f);
    f->themes[0] = (lf_theme){.id = "trust", .label = "Trust, broadly", .parent = -1,
                              .depth = 1, .neg = LF_NEG_COUNT, .neg_target = -1};
    f->themes[1] = (lf_theme){.id = "leverage", .label = "leverage", .parent = -1, .depth = 1,
                              .neg = leverage_policy, .neg_target = -1};
    f->themes[2] = (lf_theme){.id = "betrayal", .label = "betrayal", .parent = -1, .depth = 1,
                              .neg = LF_NEG_COUNT, .neg_target = -1};
    f->entries[0] = (lf_entry){.theme = 0, .weight = 1.0, .source = "trust"};
    f->entries[1] = (lf_entry){.theme = 1, .weight = 0.5, .source = "leverage"};
    /* betrayal's entry, for the tests that set n_entries = 3: without it, betrayal is a
       family theme (entries of its own none) */
    f->entries[2] = (lf_entry){.theme = 2, .weight = 1.0, .source = "betrayal"};
    f->lex.themes = f->themes;
    f->lex.entries = f->entries;
    f->lex.n_entries = 2;
}

/* Turns: one per speaker given, each with two sentences of the given word counts. */
static void fixture_doc(fixture *f, const char *id, size_t n_turns, const uint32_t words[4])
{
    static const char *const names[] = {"ENVOY", "MINISTER"};
    f->doc.id = id;
    f->doc.text = "word"; /* every token's text: every matched form is "word" */
    f->doc.speakers = f->speakers;
    f->doc.n_speakers = n_turns;
    f->doc.turns = f->turns;
    f->doc.n_turns = n_turns;
    size_t total = 0;
    for (size_t i = 0; i < 2 * n_turns; i++)
        total += words[i];
    f->tok = lf_xcalloc(total, sizeof *f->tok);
    uint32_t tok = 0;
    for (uint32_t t = 0; t < n_turns; t++) {
        f->speakers[t] = (lf_speaker){.label = names[t], .name = names[t]};
        f->turns[t] = (lf_turn){.speaker = (int32_t)t, .line = t + 1};
        f->ranges[t] = (lf_turn_range){tok, 0, 2 * t, 2 * t + 2};
        for (uint32_t s = 2 * t; s < 2 * t + 2; s++) {
            f->sents[s] = (lf_sentence){tok, tok + words[s], t};
            for (uint32_t w = 0; w < words[s]; w++)
                f->tok[tok++] = (lf_token){.start = 0, .end = 4, .sentence = s};
        }
        f->ranges[t].tok_end = tok;
    }
    f->toks = (lf_tokens){.tok = f->tok, .n_tok = tok, .sent = f->sents, .n_sent = 2 * n_turns,
                          .turn = f->ranges, .n_turn = n_turns};
    f->ms.m = f->m;
}

static void fixture_match(fixture *f, uint32_t s, uint32_t theme, lf_match_status st,
                          bool negated)
{
    uint32_t t = f->sents[s].tok_first;
    f->m[f->ms.n++] = (lf_match){.tok_start = t, .tok_end = t + 1, .sentence = s,
                                 .theme = theme, .entry = theme, .negator = -1,
                                 .status = (uint8_t)st, .negated = negated};
}

/* Tables grouped by one kind (plus the corpus) with f's document added. */
static lf_tables *grouped_tables(const struct lf_lexicon *lex, lf_group_kind kind, fixture *f)
{
    lf_options o;
    lf_options_init(&o);
    lf_grouping g = {kind, NULL};
    o.groupings = &g;
    o.n_groupings = 1;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &f->doc, &f->toks, &f->ms);
    return t;
}

/* The tiny table: one ENVOY turn in "d,1.txt", sentences of 3 and 4 words; trust and
 * leverage in the first sentence, a negated (still counted) trust in the second. */
static lf_tables *tiny_tables(fixture *f)
{
    fixture_lexicon(f, LF_NEG_COUNT);
    f->lex.n_themes = 2;
    static const uint32_t words[4] = {3, 4};
    fixture_doc(f, "d,1.txt", 1, words);
    fixture_match(f, 0, 0, LF_MATCH_COUNTED, false);
    fixture_match(f, 0, 1, LF_MATCH_COUNTED, false);
    fixture_match(f, 1, 0, LF_MATCH_COUNTED, true);
    return grouped_tables(&f->lex, LF_GROUP_SPEAKER, f);
}

/* ---- statistics ---- */

static void statistics_by_hand(void **state)
{
    (void)state;
    assert_close(lf_rate_per_1000(7, 1650), 7000.0 / 1650.0);
    assert_close(lf_rate_per_1000(3, 0), 0.0);
    /* n = 10, n_a = 4, n_b = 5, n_ab = 3. */
    assert_close(lf_cooc_expected(4, 5, 10), 2.0);            /* 4·5/10 */
    assert_close(lf_cooc_jaccard(3, 4, 5), 0.5);              /* 3/(4+5−3) */
    assert_close(lf_cooc_pmi(3, 4, 5, 10), 0.5849625007211562); /* log2(30/20) */
    /* log2(1.5) / −log2(0.3) = 0.58496250072 / 1.73696559417 */
    assert_close(lf_cooc_npmi(3, 4, 5, 10), 0.3367726468997534);
    /* Independence: n_ab = n_a·n_b/n gives 0; never together gives −1; always 1. */
    assert_close(lf_cooc_pmi(2, 4, 5, 10), 0.0);
    assert_close(lf_cooc_npmi(2, 4, 5, 10), 0.0);
    assert_close(lf_cooc_npmi(0, 4, 5, 10), -1.0);
    assert_true(isinf(lf_cooc_pmi(0, 4, 5, 10)) && lf_cooc_pmi(0, 4, 5, 10) < 0);
    assert_close(lf_cooc_npmi(10, 10, 10, 10), 1.0);
    assert_close(lf_cooc_pmi(10, 10, 10, 10), 0.0);
    assert_true(isnan(lf_cooc_expected(1, 1, 0)));
    assert_true(isnan(lf_cooc_jaccard(0, 0, 0)));
    assert_true(isnan(lf_cooc_pmi(1, 0, 1, 5)));
    /* Counts beyond 2^32 must not overflow the products. */
    uint64_t big = 1ULL << 40;
    assert_close(lf_cooc_pmi(big / 2, big / 2, big / 2, big), 1.0);
}

static void number_format(void **state)
{
    (void)state;
    static const struct {
        double x;
        const char *want;
    } cases[] = {
        {3.0, "3"},          {0.5, "0.5"},   {12.3456789, "12.345679"}, {-0.0, "0"},
        {-1e-9, "0"},        {-2.5, "-2.5"}, {0.1 + 0.2, "0.3"},        {1e-6, "0.000001"},
        {100.0, "100"},      {1e20, "100000000000000000000"},          {2.0 / 3.0, "0.666667"},
        {-1234.5000001, "-1234.5"}, {0.0, "0"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lf_fmt_double(buf, sizeof buf, cases[i].x);
        assert_string_equal(buf, cases[i].want);
    }
    lf_fmt_double(buf, sizeof buf, NAN);
    assert_string_equal(buf, "NA");
    lf_fmt_double(buf, sizeof buf, INFINITY);
    assert_string_equal(buf, "NA");
    lf_fmt_double(buf, sizeof buf, -INFINITY);
    assert_string_equal(buf, "NA");
    lf_fmt_double(buf, 4, 123.25); /* cut to fit, still terminated */
    assert_string_equal(buf, "123");
    lf_fmt_double(buf, 1, 0.0);
    assert_string_equal(buf, "");
}

/* The reference: "%.6f", trailing zeros and a bare '.' trimmed, "-0" as "0". */
static void fmt_reference(char *out, size_t cap, double x)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%.6f", x);
    char *dot = strchr(tmp, '.');
    char *end = tmp + strlen(tmp);
    while (end > dot + 1 && end[-1] == '0')
        end--;
    if (end == dot + 1)
        end = dot;
    *end = '\0';
    snprintf(out, cap, "%s", strcmp(tmp, "-0") == 0 ? "0" : tmp);
}

static void number_format_matches_printf(void **state)
{
    (void)state;
    /* the fast path must give snprintf's bytes: random values over many magnitudes, values
       on and next to rounding ties, counts divided by counts as the tables make them */
    uint64_t seed = 88172645463325252ULL;
    char got[64], want[64];
    for (int i = 0; i < 300000; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        double u = (double)(seed >> 11) / 9007199254740992.0;
        double x;
        switch (i % 4) {
        case 0:
            x = (u - 0.5) * pow(10.0, (double)(i % 22) - 8.0);
            break;
        case 1: /* k + n/2e6: ties at the seventh decimal, and their neighbours */
            x = (double)(seed % 100000) + (double)((seed >> 20) % 2000000) / 2e6;
            x = nextafter(x, (i & 8) ? INFINITY : -INFINITY);
            break;
        case 2:
            x = (double)(seed % 100000) / (double)(1 + (seed >> 32) % 9999);
            break;
        default:
            x = 1000.0 * (double)(seed % 977) / (double)(1 + (seed >> 40) % 5003);
            break;
        }
        lf_fmt_double(got, sizeof got, x);
        fmt_reference(want, sizeof want, x);
        if (strcmp(got, want) != 0)
            fail_msg("%.17g: got %s, printf gives %s", x, got, want);
    }
}

static void uint_format_matches_printf(void **state)
{
    (void)state;
    /* every number of digits, each power of ten and its neighbours, the 32-bit boundary
       where the writer changes arithmetic, and random values of every bit length */
    char got[32], want[32];
    LF_VEC(uint64_t) v = {0};
    for (uint64_t x = 0; x <= 1000; x++)
        LF_VEC_PUSH(v, x);
    for (uint64_t p = 10; p <= 10000000000000000000u; p *= 10) {
        LF_VEC_PUSH(v, p - 1);
        LF_VEC_PUSH(v, p);
        LF_VEC_PUSH(v, p + 1);
        if (p > UINT64_MAX / 10)
            break;
    }
    uint64_t edges[] = {UINT32_MAX - 1, UINT32_MAX, (uint64_t)UINT32_MAX + 1, UINT64_MAX - 1,
                        UINT64_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        LF_VEC_PUSH(v, edges[i]);
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 200000; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        LF_VEC_PUSH(v, seed >> (i % 64));
    }
    for (size_t i = 0; i < v.n; i++) {
        size_t n = lf_fmt_uint(got, v.v[i]);
        got[n] = '\0';
        snprintf(want, sizeof want, "%llu", (unsigned long long)v.v[i]);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got %s", want, got);
    }
    LF_VEC_FREE(v);
}

/* ---- escaping ---- */

static void csv_quoting(void **state)
{
    (void)state;
    capture c;
    FILE *fp = cap_open(&c);
    const char *fields[] = {"plain", "a,b", "say \"no\"", "two\nlines", "cr\r", "", NULL,
                            "caf\xc3\xa9"};
    lf_buf b = {0}; /* the table writer's buffer variant: the same bytes */
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (i) {
            putc('|', fp);
            lf_buf_putc(&b, '|');
        }
        lf_csv_field(fp, fields[i]);
        lf_csv_field_buf(&b, fields[i]);
    }
    const char *want = "plain|\"a,b\"|\"say \"\"no\"\"\"|\"two\nlines\"|\"cr\r\"||"
                       "|caf\xc3\xa9";
    assert_string_equal(cap_text(&c), want);
    assert_string_equal(lf_buf_cstr(&b), want);
    lf_buf_free(&b);
    cap_free(&c);
}

static void json_escaping(void **state)
{
    (void)state;
    capture c;
    FILE *fp = cap_open(&c);
    lf_buf b = {0}; /* the table writer's buffer variant: the same bytes */
    /* and after U+2028 a file name's invalid UTF-8: a Latin-1 byte, a cut sequence, a
       surrogate */
    const char *s = "q\"b\\s/\n\r\t\x01\x1f\x7f caf\xc3\xa9 \xe2\x80\xa8"
                    " caf\xe9 \xe2\x80 \xed\xa0\x80.";
    lf_json_string(fp, s);
    lf_json_string(fp, NULL);
    lf_json_string_buf(&b, s);
    lf_json_string_buf(&b, NULL);
    const char *want = "\"q\\\"b\\\\s/\\n\\r\\t\\u0001\\u001f\x7f caf\xc3\xa9 "
                       "\\u2028 caf\\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd.\"\"\"";
    assert_string_equal(cap_text(&c), want);
    assert_string_equal(lf_buf_cstr(&b), want);
    lf_buf_free(&b);
    cap_free(&c);
}

static lf_match_row sample_row(void)
{
    return (lf_match_row){
        .doc = "dir/brief\t1.txt", .turn = 3, .speaker = "MS. JEAN-PIERRE", .sentence = 7,
        .tok_start = 40, .tok_end = 42, .byte_start = 200, .byte_end = 215, .char_start = 198,
        .char_end = 213, .line = 12, .theme = "negotiation.leverage", .entry = "leverage*",
        .entry_file = "lex/main.lexicon", .entry_line = 9, .text = "leverage\nover",
        .negated = true, .negator = "not", .left = NULL, .right = NULL, .status = "overlap",
    };
}

static void tsv_rows(void **state)
{
    (void)state;
    assert_string_equal(lf_match_tsv_header(),
                        "doc\tturn\tspeaker\tsentence\tline\ttok_start\ttok_end\tbyte_start\t"
                        "byte_end\tchar_start\tchar_end\ttheme\tentry\tentry_file\tentry_line\t"
                        "text\tnegated\tnegator\tstatus");
    capture c;
    FILE *fp = cap_open(&c);
    lf_match_row r = sample_row();
    assert_int_equal(lf_write_match_tsv(fp, &r), 0);
    r.negated = false;
    r.negator = NULL;
    r.speaker = "";
    r.text = "a\r\nb";
    r.status = NULL;
    assert_int_equal(lf_write_match_tsv(fp, &r), 0);
    assert_string_equal(cap_text(&c),
                        "dir/brief 1.txt\t3\tMS. JEAN-PIERRE\t7\t12\t40\t42\t200\t215\t198\t213\t"
                        "negotiation.leverage\tleverage*\tlex/main.lexicon\t9\tleverage over\t1\t"
                        "not\toverlap\n"
                        "dir/brief 1.txt\t3\t\t7\t12\t40\t42\t200\t215\t198\t213\t"
                        "negotiation.leverage\tleverage*\tlex/main.lexicon\t9\ta  b\t0\t\tcounted\n");
    cap_free(&c);
    /* Same number of fields as the header. */
    size_t tabs = 0;
    for (const char *p = lf_match_tsv_header(); *p; p++)
        tabs += *p == '\t';
    assert_int_equal(tabs, 18);
}

static void tsv_long_rows(void **state)
{
    (void)state;
    /* a row longer than the writer's stack buffer, with tabs to replace in the long part */
    char *text = malloc(20001);
    for (size_t i = 0; i < 20000; i++)
        text[i] = i % 1000 == 999 ? '\t' : (char)('a' + i % 26);
    text[20000] = '\0';
    lf_match_row r = sample_row();
    r.text = text;
    capture c;
    FILE *fp = cap_open(&c);
    assert_int_equal(lf_write_match_tsv(fp, &r), 0);
    const char *out = cap_text(&c);
    size_t tabs = 0, len = strlen(out);
    for (size_t i = 0; i < len; i++)
        tabs += out[i] == '\t';
    assert_int_equal(tabs, 18); /* the text's own tabs became spaces */
    assert_int_equal(out[len - 1], '\n');
    assert_non_null(strstr(out, "\tabcdefghij"));
    assert_non_null(strstr(out, "\t1\tnot\toverlap\n"));
    text[998] = '\0';
    assert_non_null(strstr(out, text)); /* the long field arrives whole */
    cap_free(&c);
    free(text);
}

static void jsonl_rows(void **state)
{
    (void)state;
    capture c;
    FILE *fp = cap_open(&c);
    lf_match_row r = sample_row();
    assert_int_equal(lf_write_match_jsonl(fp, &r), 0);
    r.negated = false;
    r.negator = NULL;
    r.left = "we have \"real\"";
    r.right = "them";
    assert_int_equal(lf_write_match_jsonl(fp, &r), 0);
    assert_string_equal(
        cap_text(&c),
        "{\"doc\":\"dir/brief\\t1.txt\",\"turn\":3,\"speaker\":\"MS. JEAN-PIERRE\",\"sentence\":7,"
        "\"line\":12,\"tok_start\":40,\"tok_end\":42,\"byte_start\":200,\"byte_end\":215,"
        "\"char_start\":198,\"char_end\":213,\"theme\":\"negotiation.leverage\","
        "\"entry\":\"leverage*\",\"entry_file\":\"lex/main.lexicon\",\"entry_line\":9,"
        "\"text\":\"leverage\\nover\",\"negated\":true,\"negator\":\"not\","
        "\"status\":\"overlap\"}\n"
        "{\"doc\":\"dir/brief\\t1.txt\",\"turn\":3,\"speaker\":\"MS. JEAN-PIERRE\",\"sentence\":7,"
        "\"line\":12,\"tok_start\":40,\"tok_end\":42,\"byte_start\":200,\"byte_end\":215,"
        "\"char_start\":198,\"char_end\":213,\"theme\":\"negotiation.leverage\","
        "\"entry\":\"leverage*\",\"entry_file\":\"lex/main.lexicon\",\"entry_line\":9,"
        "\"text\":\"leverage\\nover\",\"negated\":false,\"negator\":null,"
        "\"status\":\"overlap\",\"left\":\"we have \\\"real\\\"\",\"right\":\"them\"}\n");
    cap_free(&c);
}

/* ---- KWIC ---- */

/* Display columns before the first '[' of a line (every character here is 1 column wide
 * except the CJK ones, which are 2). */
static size_t columns_before_bracket(const char *line)
{
    size_t cols = 0;
    const unsigned char *p = (const unsigned char *)line, *end = p + strlen(line);
    while (p < end && *p != '[') {
        int32_t cp;
        size_t n = lf_utf8_decode(p, end, &cp);
        assert_true(n > 0); /* never a cut code point */
        cols += (cp >= 0x3000 && cp <= 0x9FFF) ? 2 : 1;
        p += n;
    }
    return cols;
}

static const char *kwic(capture *c, const char *speaker, const char *left, const char *text,
                        const char *right, size_t width)
{
    lf_match_row r = sample_row();
    r.doc = "a.txt";
    r.speaker = speaker;
    r.left = left;
    r.text = text;
    r.right = right;
    FILE *fp = cap_open(c);
    assert_int_equal(lf_render_kwic_line(fp, &r, width), 0);
    return cap_text(c);
}

static void kwic_alignment(void **state)
{
    (void)state;
    capture c;
    /* Short left context: padded on the left to the width. */
    assert_string_equal(kwic(&c, "ENVOY", "we have", "leverage", "over them", 10),
                        "a.txt:12 ENVOY" "            " "   we have [leverage] over them\n");
    cap_free(&c);
    /* Long contexts: left keeps its end behind an ellipsis, right is cut with one. */
    assert_string_equal(kwic(&c, "ENVOY", "this is the ultimate", "leverage",
                             "and then some more words", 10),
                        "a.txt:12 ENVOY            \xe2\x80\xa6 ultimate [leverage] and then "
                        "\xe2\x80\xa6\n");
    cap_free(&c);
    /* Multibyte left contexts of different byte lengths line up in columns. */
    const char *lines[] = {
        kwic(&c, "ENVOY", "\xc3\xbc" "ber caf\xc3\xa9", "x", "", 12), /* über café */
    };
    size_t col0 = columns_before_bracket(lines[0]);
    assert_non_null(strstr(lines[0], "   \xc3\xbc" "ber caf\xc3\xa9 [x]\n"));
    cap_free(&c);
    /* 日本語の交渉を is 14 columns: 5 wide characters (10 columns) fit in the 11 left of
       the ellipsis, one space pads; nothing is cut inside a code point. */
    const char *jp = kwic(&c, "ENVOY",
                          "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xba\xa4"
                          "\xe6\xb8\x89\xe3\x82\x92",
                          "x", NULL, 12);
    assert_non_null(strstr(jp, "   \xe2\x80\xa6\xe8\xaa\x9e\xe3\x81\xae\xe4\xba\xa4\xe6\xb8\x89"
                               "\xe3\x82\x92 [x]\n"));
    assert_int_equal(columns_before_bracket(jp), col0);
    cap_free(&c);
    /* A plain ASCII left context also lines up. */
    const char *ascii = kwic(&c, "ENVOY", "short", "x", NULL, 12);
    assert_int_equal(columns_before_bracket(ascii), col0);
    cap_free(&c);
    /* Combining marks take no column and stay with their base; an empty speaker is the
       unattributed turn; control characters become spaces. */
    const char *comb = kwic(&c, "", "e\xcc\x81" "abcd", "x\ty", "", 4);
    assert_string_equal(comb, "a.txt:12 (unattributed)   \xe2\x80\xa6" "bcd [x y]\n");
    cap_free(&c);
    comb = kwic(&c, "", "ab" "e\xcc\x81", "x", "", 3);
    assert_string_equal(comb, "a.txt:12 (unattributed)   ab" "e\xcc\x81" " [x]\n");
    cap_free(&c);
    /* C1 controls and explicit bidirectional controls (here RIGHT-TO-LEFT OVERRIDE and
       FIRST STRONG ISOLATE, which would reorder the rest of the line) become spaces too. */
    comb = kwic(&c, "", "a\xc2\x9b" "b", "x\xe2\x80\xae" "y", "z\xe2\x81\xa8", 4);
    assert_string_equal(comb, "a.txt:12 (unattributed)    a b [x y] z \n");
    cap_free(&c);
    /* A combining accent whose base is cut off is dropped, not left on the ellipsis. */
    comb = kwic(&c, "", "ab" "e\xcc\x81", "x", "", 1);
    assert_string_equal(comb, "a.txt:12 (unattributed)   \xe2\x80\xa6 [x]\n");
    cap_free(&c);
    /* Width 0: no context at all. */
    assert_string_equal(kwic(&c, "ENVOY", "abc", "x", "def", 0),
                        "a.txt:12 ENVOY" "            " " [x]\n");
    cap_free(&c);
    /* Closing punctuation follows the match without a space; after an opening bracket or
       quote the match follows without one, and the '[' stays in its column. */
    assert_string_equal(kwic(&c, "ENVOY", "we have", "leverage", ", they say", 10),
                        "a.txt:12 ENVOY" "            " "   we have [leverage], they say\n");
    cap_free(&c);
    assert_string_equal(kwic(&c, "ENVOY", "we have", "leverage", "\xe2\x80\x9d and", 10),
                        "a.txt:12 ENVOY" "            " "   we have [leverage]\xe2\x80\x9d and\n");
    cap_free(&c);
    const char *par = kwic(&c, "ENVOY", "we have (", "leverage", ")", 10);
    assert_string_equal(par, "a.txt:12 ENVOY" "            " "  we have ([leverage])\n");
    assert_int_equal(columns_before_bracket(par),
                     columns_before_bracket("a.txt:12 ENVOY" "            " "   we have [x]"));
    cap_free(&c);
    assert_string_equal(kwic(&c, "ENVOY", "\xe2\x80\x9c", "leverage", "", 10),
                        "a.txt:12 ENVOY" "            " "          \xe2\x80\x9c[leverage]\n");
    cap_free(&c);
}

static void kwic_tsv_and_json(void **state)
{
    (void)state;
    capture c;
    FILE *fp = cap_open(&c);
    lf_match_row r = sample_row();
    r.left = "we\thave";
    r.right = "over them";
    assert_int_equal(lf_write_kwic_tsv(fp, &r), 0);
    assert_string_equal(cap_text(&c),
                        "dir/brief 1.txt\t3\tMS. JEAN-PIERRE\t7\t12\t40\t42\t200\t215\t198\t213\t"
                        "negotiation.leverage\tleverage*\tlex/main.lexicon\t9\tleverage over\t1\t"
                        "not\toverlap\twe have\tover them\n");
    cap_free(&c);
    size_t tabs = 0;
    for (const char *p = lf_kwic_tsv_header(); *p; p++)
        tabs += *p == '\t';
    assert_int_equal(tabs, 20);
    assert_memory_equal(lf_kwic_tsv_header(), lf_match_tsv_header(),
                        strlen(lf_match_tsv_header()));
    /* A JSON array: the first row opens it, the end closes it; none gives []. */
    fp = cap_open(&c);
    r = sample_row();
    assert_int_equal(lf_write_match_json(fp, &r, 0), 0);
    r.turn = 4;
    assert_int_equal(lf_write_match_json(fp, &r, 1), 0);
    assert_int_equal(lf_write_match_json_end(fp, 2), 0);
    const char *js = cap_text(&c);
    const char *open = "[\n  {\"doc\":\"dir/brief\\t1.txt\",\"turn\":3,";
    assert_memory_equal(js, open, strlen(open));
    assert_non_null(strstr(js, "\"status\":\"overlap\"},\n  {\"doc\":\"dir/brief\\t1.txt\","
                               "\"turn\":4,"));
    assert_int_equal(strcmp(js + strlen(js) - 4, "}\n]\n"), 0);
    cap_free(&c);
    fp = cap_open(&c);
    assert_int_equal(lf_write_match_json_end(fp, 0), 0);
    assert_string_equal(cap_text(&c), "[]\n");
    cap_free(&c);
}

/* Draws with a seed: the kept turn numbers per theme, in order. */
static size_t draw(uint64_t seed, size_t per_theme, size_t n_rows, size_t *turns, char *themes)
{
    lf_row_sample *s = lf_row_sample_new(per_theme, seed);
    char left[32];
    for (size_t i = 0; i < n_rows; i++) {
        lf_match_row r = sample_row();
        r.turn = i;
        r.theme = i % 3 == 0 ? "b.theme" : "a.theme";
        snprintf(left, sizeof left, "left %zu", i);
        r.left = left; /* copied: this buffer changes */
        lf_row_sample_add(s, &r);
    }
    const lf_match_row *const *rows;
    size_t n = lf_row_sample_rows(s, &rows);
    for (size_t i = 0; i < n; i++) {
        turns[i] = rows[i]->turn;
        themes[i] = rows[i]->theme[0];
        char want[32];
        snprintf(want, sizeof want, "left %zu", rows[i]->turn);
        assert_string_equal(rows[i]->left, want);
    }
    lf_row_sample_free(s);
    return n;
}

static void kwic_sample_reproducible(void **state)
{
    (void)state;
    size_t t1[64], t2[64], t3[64];
    char h1[64], h2[64], h3[64];
    /* 300 rows: 100 of b.theme, 200 of a.theme; 5 per theme. */
    size_t n1 = draw(42, 5, 300, t1, h1), n2 = draw(42, 5, 300, t2, h2);
    size_t n3 = draw(43, 5, 300, t3, h3);
    assert_int_equal(n1, 10);
    assert_int_equal(n2, 10);
    assert_int_equal(n3, 10);
    assert_memory_equal(t1, t2, n1 * sizeof *t1); /* same seed, same lines */
    assert_false(memcmp(t1, t3, n1 * sizeof *t1) == 0); /* another seed, another draw */
    for (size_t i = 0; i < n1; i++) {
        assert_int_equal(h1[i], i < 5 ? 'a' : 'b'); /* by theme id */
        if (i % 5)
            assert_true(t1[i - 1] < t1[i]); /* then in input order */
        assert_int_equal(t1[i] % 3 == 0, h1[i] == 'b');
    }
    /* Fewer rows than the sample size: all of them, in order. */
    size_t n = draw(1, 50, 6, t1, h1);
    assert_int_equal(n, 6);
    static const size_t all[] = {1, 2, 4, 5, 0, 3};
    assert_memory_equal(t1, all, sizeof all);
    /* Uniform: over many seeds each of 20 rows of one theme is kept about 5/20 of the
       time (1,000 draws: 250 expected; 4 standard deviations ≈ 55). */
    size_t kept[20] = {0};
    for (uint64_t seed = 0; seed < 1000; seed++) {
        lf_row_sample *sm = lf_row_sample_new(5, seed);
        for (size_t i = 0; i < 20; i++) {
            lf_match_row r = sample_row();
            r.turn = i;
            lf_row_sample_add(sm, &r);
        }
        const lf_match_row *const *rows;
        size_t k = lf_row_sample_rows(sm, &rows);
        assert_int_equal(k, 5);
        for (size_t i = 0; i < k; i++)
            kept[rows[i]->turn]++;
        lf_row_sample_free(sm);
    }
    for (size_t i = 0; i < 20; i++)
        if (kept[i] < 195 || kept[i] > 305)
            fail_msg("row %zu kept %zu times of 1000 (expected about 250)", i, kept[i]);
    lf_row_sample_free(NULL);
}

/* ---- tables ---- */

static void frequencies_csv_bytes(void **state)
{
    (void)state;
    fixture f;
    lf_tables *t = tiny_tables(&f);
    capture c;
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_FREQUENCIES, t, &f.lex, NULL,
                                         NULL),
                     0);
    assert_string_equal(
        cap_text(&c),
        "group_type,group,theme,theme_label,matches,negated,weight,words,rate_per_1000,"
        "weight_per_1000,turns_with_theme,turns,sentences_with_theme,sentences\n"
        "corpus,all,trust,\"Trust, broadly\",2,1,2,7,285.714286,285.714286,1,1,2,2\n"
        "corpus,all,leverage,leverage,1,0,0.5,7,142.857143,71.428571,1,1,1,2\n"
        "speaker,ENVOY,trust,\"Trust, broadly\",2,1,2,7,285.714286,285.714286,1,1,2,2\n"
        "speaker,ENVOY,leverage,leverage,1,0,0.5,7,142.857143,71.428571,1,1,1,2\n");
    cap_free(&c);
    /* A minimum word count leaves out small groups, never the corpus. */
    lf_options o;
    lf_options_init(&o);
    o.min_words = 8;
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_FREQUENCIES, t, &f.lex, &o,
                                         NULL),
                     0);
    const char *csv = cap_text(&c);
    assert_non_null(strstr(csv, "corpus,all,leverage"));
    assert_null(strstr(csv, "ENVOY"));
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
}

static void cooccurrence_csv_bytes(void **state)
{
    (void)state;
    fixture f;
    lf_tables *t = tiny_tables(&f);
    capture c;
    lf_options o;
    lf_options_init(&o);
    o.min_count = 1;
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_COOCCURRENCE, t, &f.lex, &o,
                                         NULL),
                     0);
    /* Sentences: trust in 2 of 2, leverage in 1, together in 1: expected 1, Jaccard
       1/(2+1−1), PMI log2(1·2/(2·1)) = 0, NPMI 0; the 2×2 table of units [[1, 1], [0, 0]]
       is independent: G² 0, p 1. Turns, windows and documents: both in the only unit:
       NPMI 1. One turn: no adjacent pairs. */
    static const char *const body[] = {
        "sentence,trust,leverage,1,2,1,2,1,0.5,0,0,0,1\n",
        "turn,trust,leverage,1,1,1,1,1,1,0,1,0,1\n",
        "window,trust,leverage,1,1,1,1,1,1,0,1,0,1\n",
        "document,trust,leverage,1,1,1,1,1,1,0,1,0,1\n",
    };
    char want[2048] = "group_type,group,scope,theme_a,theme_b,joint,count_a,count_b,units,"
                      "expected,jaccard,pmi,npmi,g2,p\n";
    for (int g = 0; g < 2; g++)
        for (size_t i = 0; i < 4; i++) {
            strcat(want, g ? "speaker,ENVOY," : "corpus,all,");
            strcat(want, body[i]);
        }
    assert_string_equal(cap_text(&c), want);
    cap_free(&c);
    /* The default minimum joint count (2) leaves only the header. */
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_COOCCURRENCE, t, &f.lex, NULL,
                                         NULL),
                     0);
    assert_string_equal(cap_text(&c), "group_type,group,scope,theme_a,theme_b,joint,count_a,"
                                      "count_b,units,expected,jaccard,pmi,npmi,g2,p\n");
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
}

/* Two speakers: ENVOY 40 + 60 words with trust ×4 and leverage ×1; MINISTER 100 + 100
 * words with leverage ×2; the document dated 2024-05-14. */
static lf_tables *two_speaker_tables(fixture *f, lf_group_kind kind)
{
    fixture_lexicon(f, LF_NEG_COUNT);
    f->lex.n_themes = 3;
    static const uint32_t words[4] = {40, 60, 100, 100};
    fixture_doc(f, "brief.txt", 2, words);
    f->doc.date = "2024-05-14";
    fixture_match(f, 0, 0, LF_MATCH_COUNTED, false);
    fixture_match(f, 0, 0, LF_MATCH_COUNTED, false);
    fixture_match(f, 1, 0, LF_MATCH_COUNTED, false);
    fixture_match(f, 1, 0, LF_MATCH_COUNTED, false);
    fixture_match(f, 1, 1, LF_MATCH_COUNTED, false);
    fixture_match(f, 2, 1, LF_MATCH_COUNTED, false);
    fixture_match(f, 3, 1, LF_MATCH_COUNTED, false);
    return grouped_tables(&f->lex, kind, f);
}

static void comparison_csv_bytes(void **state)
{
    (void)state;
    fixture f;
    lf_tables *t = two_speaker_tables(&f, LF_GROUP_SPEAKER);
    capture c;
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_COMPARISON, t, &f.lex, NULL,
                                         NULL),
                     0);
    /* ENVOY vs the rest (MINISTER): trust 4/100 against 0/200: a zero cell, so the ratio
       uses 4.5/(4.5 + 96.5) over 0.5/(0.5 + 200.5) = 1809/101 = 17.910891; leverage 1/100 against 2/200: equal rates,
       G² 0, p 1. Betrayal occurs on neither side: no ratio, G² 0, p 1, not in the family.
       Holm over two themes: trust 2 · p. Values checked in test_stats. */
    const char *csv = cap_text(&c);
    const char *header =
        "group_type,group,reference,theme,theme_label,matches,words,rate_per_1000,weight,"
        "reference_matches,reference_words,reference_rate_per_1000,reference_weight,"
        "rate_ratio,rate_ratio_ci_low,rate_ratio_ci_high,log2_ratio,log2_ci_low,log2_ci_high,"
        "corrected,g2,p,p_adjusted,adjustment\n";
    assert_memory_equal(csv, header, strlen(header));
    const char *rows = csv + strlen(header);
    const char *first = "speaker,ENVOY,(rest),trust,\"Trust, broadly\",4,100,40,4,0,200,0,0,"
                        "17.910891,";
    assert_memory_equal(rows, first, strlen(first));
    assert_non_null(strstr(rows, "\nspeaker,ENVOY,(rest),leverage,leverage,1,100,10,0.5,2,200,"
                                 "10,1,1,"));
    assert_non_null(strstr(rows, "\nspeaker,ENVOY,(rest),betrayal,betrayal,0,100,0,0,0,200,0,"
                                 "0,NA,NA,NA,NA,NA,NA,0,0,1,1,holm\n"));
    /* Rows by target, then effect: trust, leverage, betrayal (undefined last). */
    assert_true(strstr(rows, "ENVOY,(rest),trust") < strstr(rows, "ENVOY,(rest),leverage"));
    assert_true(strstr(rows, "ENVOY,(rest),leverage") < strstr(rows, "ENVOY,(rest),betrayal"));
    assert_true(strstr(rows, "ENVOY,(rest),betrayal") < strstr(rows, "MINISTER,(rest),"));
    cap_free(&c);

    /* A target and a reference; an unknown target fails before any output. */
    lf_options o;
    lf_options_init(&o);
    o.target = "MINISTER";
    o.reference = "ENVOY";
    o.adjust = LF_ADJUST_BH;
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_COMPARISON, t, &f.lex, &o,
                                         NULL),
                     0);
    csv = cap_text(&c);
    assert_non_null(strstr(csv, "speaker,MINISTER,ENVOY,leverage,"));
    assert_null(strstr(csv, "speaker,ENVOY,"));
    assert_non_null(strstr(csv, ",bh\n"));
    cap_free(&c);
    lf_error err = {LF_OK, ""};
    o.target = "NOBODY";
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_COMPARISON, t, &f.lex, &o,
                                         &err),
                     -2);
    assert_string_equal(cap_text(&c), "");
    assert_int_equal(err.status, LF_ERR_USAGE);
    assert_string_equal(err.message, "--target: no group is named 'NOBODY'");
    cap_free(&c);
    o.target = NULL;
    o.reference = "NOBODY";
    assert_int_equal(lf_render_tables_json(cap_open(&c), LF_TABLES_ALL, t, &f.lex, &o, &err),
                     -2);
    assert_string_equal(cap_text(&c), "");
    assert_string_equal(err.message, "--reference: no group is named 'NOBODY'");
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
}

static void trends_first_and_terms_csv(void **state)
{
    (void)state;
    fixture f;
    lf_tables *t = two_speaker_tables(&f, LF_GROUP_PERIOD);
    capture c;
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_TRENDS, t, &f.lex, NULL, NULL),
                     0);
    assert_string_equal(cap_text(&c),
                        "period,theme,theme_label,matches,weight,words,rate_per_1000,"
                        "weight_per_1000,documents\n"
                        "2024-05,trust,\"Trust, broadly\",4,4,300,13.333333,13.333333,1\n"
                        "2024-05,leverage,leverage,3,1.5,300,10,5,1\n"
                        "2024-05,betrayal,betrayal,0,0,300,0,0,1\n");
    cap_free(&c);
    /* Trust first at word 0 (turn 1, sentence 1), leverage at word 40 (sentence 2). */
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_FIRST_APPEARANCE, t, &f.lex,
                                         NULL, NULL),
                     0);
    assert_string_equal(cap_text(&c),
                        "document,theme,theme_label,word,document_words,position,turn,"
                        "sentence,line,speaker\n"
                        "brief.txt,trust,\"Trust, broadly\",0,300,0,1,1,1,ENVOY\n"
                        "brief.txt,leverage,leverage,40,300,0.133333,1,2,1,ENVOY\n");
    cap_free(&c);
    assert_int_equal(lf_render_table_csv(cap_open(&c), LF_TABLE_TERMS, t, &f.lex, NULL, NULL),
                     0);
    assert_string_equal(cap_text(&c),
                        "group_type,group,theme,term_type,term,entry_file,entry_line,matches,"
                        "weight\n"
                        "corpus,all,trust,entry,trust,,0,4,4\n"
                        "corpus,all,trust,form,word,,,4,4\n"
                        "corpus,all,leverage,entry,leverage,,0,3,1.5\n"
                        "corpus,all,leverage,form,word,,,3,1.5\n"
                        "period,2024-05,trust,entry,trust,,0,4,4\n"
                        "period,2024-05,trust,form,word,,,4,4\n"
                        "period,2024-05,leverage,entry,leverage,,0,3,1.5\n"
                        "period,2024-05,leverage,form,word,,,3,1.5\n");
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
}

static void tables_json(void **state)
{
    (void)state;
    fixture f;
    lf_tables *t = two_speaker_tables(&f, LF_GROUP_SPEAKER);
    capture c;
    lf_options o;
    lf_options_init(&o);
    o.min_words = 150;
    assert_int_equal(lf_render_tables_json(cap_open(&c), LF_TABLES_ALL, t, &f.lex, &o, NULL), 0);
    const char *js = cap_text(&c);
    if (getenv("LF_DUMP_JSON"))
        fputs(js, stderr);
    static const char *const want[] = {
        "{\n  \"lexframe\": \"",
        "\",\n  \"groupings\": [\"corpus\", \"speaker\"],\n  \"period\": \"month\",\n"
        "  \"level\": 0,\n  \"window\": 10,\n  \"min_words\": 150,\n  \"min_count\": 2,\n"
        "  \"adjustment\": \"holm\",\n  \"dropped_groups\": [\n"
        "    {\"group_type\":\"speaker\",\"group\":\"ENVOY\",\"words\":100}\n  ],\n"
        "  \"frequencies\": {\n    \"columns\": [\"group_type\", \"group\", \"theme\", "
        "\"theme_label\", \"matches\", \"negated\", \"weight\", \"words\", \"rate_per_1000\", "
        "\"weight_per_1000\", \"turns_with_theme\", \"turns\", \"sentences_with_theme\", "
        "\"sentences\"],\n    \"data\": [\n"
        "      [\"corpus\",\"all\",\"trust\",\"Trust, broadly\",4,0,4,300,13.333333,13.333333,1,"
        "2,2,4],\n",
        /* undefined numbers are null, flags are booleans (betrayal: used by no one) */
        "\"betrayal\",\"betrayal\",0,200,0,0,0,100,0,0,null,null,null,null,null,null,false,0,1,"
        "1,\"holm\"]",
        "  \"trends\": {\n    \"columns\": [\"period\", ", /* no period grouping: no rows */
        "\"documents\"],\n    \"data\": []\n  },\n",
        "  \"first_appearance\": {\n    \"columns\": [\"document\", ",
        "      [\"brief.txt\",\"trust\",",
        "\n    ]\n  }\n}\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(js, want[i]))
            fail_msg("tables.json lacks:\n%s\n--- json ---\n%s", want[i], js);
    /* ENVOY (100 words) is under the minimum: no rows, but MINISTER's are there. */
    assert_null(strstr(js, "[\"speaker\",\"ENVOY\","));
    assert_non_null(strstr(js, "[\"speaker\",\"MINISTER\","));
    cap_free(&c);
    /* Only the comparison. */
    assert_int_equal(lf_render_tables_json(cap_open(&c), 1u << LF_TABLE_COMPARISON, t, &f.lex,
                                           NULL, NULL),
                     0);
    js = cap_text(&c);
    assert_non_null(strstr(js, "\"comparison\": {\n    \"columns\": [\"group_type\","));
    assert_null(strstr(js, "\"frequencies\""));
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
}

static void writers_report_stream_errors(void **state)
{
    (void)state;
    fixture f;
    lf_tables *t = tiny_tables(&f);
    FILE *fp = fopen("/dev/full", "w");
    if (!fp) {
        print_message("skipped: /dev/full not present\n");
    } else {
        setvbuf(fp, NULL, _IONBF, 0); /* every write reaches the device and fails */
        for (int id = 0; id < LF_TABLE_COUNT; id++)
            assert_int_equal(lf_render_table_csv(fp, (lf_table_id)id, t, &f.lex, NULL, NULL),
                             -1);
        assert_int_equal(lf_render_tables_json(fp, LF_TABLES_ALL, t, &f.lex, NULL, NULL), -1);
        assert_int_equal(lf_render_summary_md(fp, t, &f.lex, NULL, NULL), -1);
        assert_int_equal(lf_render_comparison_md(fp, t, &f.lex, NULL, NULL), -1);
        lf_match_row r = sample_row();
        assert_int_equal(lf_write_match_tsv(fp, &r), -1);
        assert_int_equal(lf_write_kwic_tsv(fp, &r), -1);
        assert_int_equal(lf_write_match_jsonl(fp, &r), -1);
        assert_int_equal(lf_write_match_json(fp, &r, 0), -1);
        fclose(fp);
    }
    lf_tables_free(t);
    free(f.tok);
}

/* ---- summary ---- */

/* "Uses most" goes by the lower end of the rate's 95% interval: 8 matches in 1,250 words
 * (6.4 per 1,000, at least 2.76) come before 1 match in 60 words (16.67, at least 0.42),
 * which the rate alone would put first. */
static void summary_ranks_by_lower_bound(void **state)
{
    (void)state;
    fixture f;
    fixture_lexicon(&f, LF_NEG_COUNT);
    f.lex.n_themes = 1;
    f.lex.n_entries = 1;
    static const uint32_t words[4] = {600, 650, 30, 30};
    fixture_doc(&f, "brief.txt", 2, words);
    for (int i = 0; i < 4; i++) {
        fixture_match(&f, 0, 0, LF_MATCH_COUNTED, false);
        fixture_match(&f, 1, 0, LF_MATCH_COUNTED, false);
    }
    fixture_match(&f, 2, 0, LF_MATCH_COUNTED, false);
    lf_tables *t = lf_tables_new(&f.lex);
    lf_tables_add_doc(t, &f.doc, &f.toks, &f.ms);
    capture c;
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, NULL, NULL), 0);
    const char *md = cap_text(&c);
    if (!strstr(md, "**ENVOY** uses *Trust, broadly* most: 6.4 per 1,000 words (8 matches in "
                    "1,250 words; at least 2.76 with 95% confidence)."))
        fail_msg("--- summary ---\n%s", md);
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
}

static void summary_sentences(void **state)
{
    (void)state;
    fixture f;
    fixture_lexicon(&f, LF_NEG_IGNORE);
    f.lex.n_themes = 3;
    f.lex.n_entries = 3; /* betrayal, matched nowhere, has an entry */
    /* ENVOY 600 + 650 words, MINISTER 20 + 20 (too few to be ranked). */
    static const uint32_t words[4] = {600, 650, 20, 20};
    fixture_doc(&f, "brief.txt", 2, words);
    fixture_match(&f, 0, 0, LF_MATCH_COUNTED, false);
    fixture_match(&f, 0, 1, LF_MATCH_COUNTED, false);
    fixture_match(&f, 1, 0, LF_MATCH_COUNTED, false);
    fixture_match(&f, 1, 1, LF_MATCH_NEGATED_IGNORED, true);
    fixture_match(&f, 2, 0, LF_MATCH_COUNTED, false);
    fixture_match(&f, 2, 1, LF_MATCH_COUNTED, false);
    fixture_match(&f, 3, 0, LF_MATCH_COUNTED, false);
    fixture_match(&f, 3, 1, LF_MATCH_OVERLAP, false);
    f.doc.n_strips = 3; /* only the count is read */
    lf_tables *t = lf_tables_new(&f.lex);
    lf_tables_add_doc(t, &f.doc, &f.toks, &f.ms);

    const char *inputs[] = {"brief.txt", "bad.txt"};
    const char *failed[] = {"bad_*1*.txt: cannot open: No such file or directory"};
    const char *lexicons[] = {"main.lexicon"};
    lf_report_info info = {.version = "9.9.9", .inputs = inputs, .n_inputs = 2,
                           .failed = failed, .n_failed = 1, .lexicon_files = lexicons,
                           .n_lexicon_files = 1};
    capture c;
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, &info, NULL), 0);
    const char *md = cap_text(&c);
    if (getenv("LF_DUMP_SUMMARY"))
        fputs(md, stderr);
    static const char *const want[] = {
        "# lexframe summary\n\nProduced by lexframe 9.9.9 from 2 input files and 1 lexicon "
        "file.\n",
        "The corpus has 1 document with 2 turns by 2 speakers: 1,290 words in 4 sentences. "
        "3 stage directions, time stamps and gap markers were removed before counting.\n",
        "1. *Trust, broadly* (`trust`): 4 matches, 3.1 per 1,000 words.\n"
        "2. *leverage* (`leverage`): 2 matches, 1.55 per 1,000 words; weighted score 1, 0.78 "
        "per 1,000 words.\n",
        "No matches for: *betrayal*.\n",
        "only speakers with at least 50 words are compared",
        "### Trust, broadly\n\n**ENVOY** uses *Trust, broadly* most: 1.6 per 1,000 words (2 "
        "matches in 1,250 words; at least 0.19 with 95% confidence). In the whole corpus, its "
        "only matching entry is `trust` (4 matches). The only word it matched is `word` (4 "
        "matches).\n",
        "**ENVOY** uses *leverage* most: 0.8 per 1,000 words (1 match in 1,250 words; at "
        "least 0.02 with 95% confidence).",
        /* Sentences: trust in all 4, leverage in 2, together in 2: NPMI 0. */
        "- *Trust, broadly* and *leverage* share 2 of 4 sentences (NPMI 0; 2 expected by "
        "chance).\n",
        "- *Trust, broadly* and *leverage* share 2 of 2 turns (NPMI 1; 2 expected by chance).\n",
        "2 matches were suppressed: 1 match inside a longer match, 0 matches cancelled by an "
        "exclusion, and 1 negated match in themes that ignore negated matches. 1 match was "
        "negated in all",
        "1 input failed and is not in the figures above:\n\n- bad\\_\\*1\\*.txt: cannot open: "
        "No such file or directory\n", /* Markdown punctuation escaped */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(md, want[i]))
            fail_msg("summary lacks:\n%s\n--- summary ---\n%s", want[i], md);
    /* MINISTER's higher rate (50 per 1,000 over 40 words) is below the word minimum of the
       ranking, but not of the comparison, whose interval shows the uncertainty. */
    const char *who = strstr(md, "## Who uses"), *diff = strstr(md, "## Framing differences");
    assert_true(who && diff && who < diff);
    const char *minister = strstr(md, "**MINISTER**");
    assert_true(minister && minister > diff);
    assert_non_null(strstr(md, "- **MINISTER** uses *Trust, broadly* 31.25 times as often as "
                               "the rest of the corpus per 1,000 words (50 vs 1.6; 95% CI "
                               "4.52\xE2\x80\x93" "216.27; G\xC2\xB2 = 8.57, adjusted p = 0.007).\n"));
    assert_non_null(strstr(md, "By party:\n\nNo party is recorded in the corpus.\n"));
    /* Deterministic: the same table gives the same bytes. */
    char *first = lf_xstrdup(md);
    cap_free(&c);
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, &info, NULL), 0);
    assert_string_equal(cap_text(&c), first);
    free(first);
    cap_free(&c);
    /* A theme without entries of its own only groups others: it is not "without matches"
       (report.html leaves it out too). */
    f.lex.n_entries = 2;
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, &info, NULL), 0);
    assert_null(strstr(cap_text(&c), "No matches for"));
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
}

static void summary_of_nothing(void **state)
{
    (void)state;
    fixture f;
    fixture_lexicon(&f, LF_NEG_COUNT);
    f.lex.n_themes = 3;
    lf_tables *t = lf_tables_new(&f.lex);
    capture c;
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, NULL, NULL), 0);
    const char *md = cap_text(&c);
    assert_non_null(strstr(md, "The corpus has 0 documents with 0 turns by 0 speakers: 0 words "
                               "in 0 sentences."));
    assert_non_null(strstr(md, "No theme matched anywhere in the corpus.\n"));
    assert_non_null(strstr(md, "No two themes share at least 2 sentences.\n"));
    assert_non_null(strstr(md, "No match was suppressed. No match was negated.\n"));
    assert_null(strstr(md, "## Who uses"));
    assert_null(strstr(md, "## Inputs")); /* no info given */
    cap_free(&c);
    lf_tables_free(t);
    /* A lexicon without themes. */
    f.lex.n_themes = 0;
    f.lex.n_entries = 0;
    t = lf_tables_new(&f.lex);
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, NULL, NULL), 0);
    assert_non_null(strstr(cap_text(&c), "The lexicon has no themes.\n"));
    cap_free(&c);
    lf_tables_free(t);
}

static void comparison_markdown(void **state)
{
    (void)state;
    fixture f;
    lf_tables *t = two_speaker_tables(&f, LF_GROUP_SPEAKER);
    capture c;
    assert_int_equal(lf_render_comparison_md(cap_open(&c), t, &f.lex, NULL, NULL), 0);
    const char *md = cap_text(&c);
    if (getenv("LF_DUMP_SUMMARY"))
        fputs(md, stderr);
    /* ENVOY: trust 4 in 100 words, none in MINISTER's 200: p is small, but the interval
       (0.97–329) includes 1, so nothing is claimed. */
    static const char *const want[] = {
        "# Framing comparison\n\nEach group is compared with the rest of the corpus",
        "by the Holm method",
        "## Findings\n\nNo difference reaches an adjusted p below 0.05.\n",
        "## speaker ENVOY: 100 words against 200 in the rest of the corpus\n\n"
        "| theme | matches | per 1,000 | reference matches | reference per 1,000 | rate ratio "
        "| 95% CI | G\xC2\xB2 | p | adjusted p |\n",
        "| Trust, broadly | 4 | 40 | 0 | 0 | 17.91\xC2\xB9 | 0.97\xE2\x80\x93" "329.",
        "| leverage | 1 | 10 | 2 | 10 | 1 | ",
        " | 0 | 1 | 1 |\n", /* equal rates: G² 0, p 1 */
        "## speaker MINISTER: 200 words against 100 in the rest of the corpus\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(md, want[i]))
            fail_msg("comparison lacks:\n%s\n--- md ---\n%s", want[i], md);
    /* Betrayal occurs nowhere: not in the tables. */
    assert_null(strstr(md, "| betrayal |"));
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);

    /* Eight trust matches make a finding, in both directions against a named group. */
    fixture g;
    fixture_lexicon(&g, LF_NEG_COUNT);
    g.lex.n_themes = 3;
    static const uint32_t words[4] = {40, 60, 100, 100};
    fixture_doc(&g, "brief.txt", 2, words);
    for (int i = 0; i < 8; i++)
        fixture_match(&g, (uint32_t)(i % 2), 0, LF_MATCH_COUNTED, false);
    t = grouped_tables(&g.lex, LF_GROUP_SPEAKER, &g);
    lf_options o;
    lf_options_init(&o);
    assert_int_equal(lf_render_comparison_md(cap_open(&c), t, &g.lex, &o, NULL), 0);
    md = cap_text(&c);
    /* (8.5/101)/(0.5/201) = 33.83 */
    assert_non_null(strstr(md, "## Findings\n\nBy speaker:\n\n- **ENVOY** uses *Trust, "
                               "broadly* 33.83 times as often as the rest of the corpus per "
                               "1,000 words (80 vs 0; 95% CI "));
    assert_non_null(strstr(md, "; 0.5 added to every cell for a zero count).\n"));
    assert_null(strstr(md, "- **MINISTER** uses")); /* under-use against the rest: no */
    cap_free(&c);
    o.target = "MINISTER";
    o.reference = "ENVOY";
    assert_int_equal(lf_render_comparison_md(cap_open(&c), t, &g.lex, &o, NULL), 0);
    md = cap_text(&c);
    assert_non_null(strstr(md, "compared with the reference group"));
    assert_non_null(strstr(md, "- **ENVOY** uses *Trust, broadly* 33.83 times as often as "
                               "**MINISTER** per 1,000 words (80 vs 0; 95% CI "));
    assert_non_null(strstr(md, "## speaker MINISTER: 200 words against 100 in ENVOY\n"));
    cap_free(&c);
    o.min_words = 1000;
    assert_int_equal(lf_render_comparison_md(cap_open(&c), t, &g.lex, &o, NULL), 0);
    md = cap_text(&c);
    assert_non_null(strstr(md, "No difference reaches an adjusted p below 0.05.\n"));
    assert_non_null(strstr(md, "Groups with fewer than 1,000 words are left out of the tables "
                               "and comparisons:\n\n- speaker **ENVOY** (100 words)\n"));
    cap_free(&c);
    lf_error err;
    o.target = "X";
    assert_int_equal(lf_render_comparison_md(cap_open(&c), t, &g.lex, &o, &err), -2);
    assert_string_equal(cap_text(&c), "");
    cap_free(&c);
    lf_tables_free(t);
    free(g.tok);
}

static void summary_trends_and_left_out(void **state)
{
    (void)state;
    fixture f;
    fixture_lexicon(&f, LF_NEG_COUNT);
    f.lex.n_themes = 3;
    static const uint32_t words[4] = {40, 60, 100, 100};
    fixture_doc(&f, "brief.txt", 2, words);
    f.doc.date = "2024-05-14";
    fixture_match(&f, 0, 0, LF_MATCH_COUNTED, false);
    fixture_match(&f, 2, 1, LF_MATCH_COUNTED, false);
    lf_tables *t = lf_tables_new(&f.lex);
    lf_tables_add_doc(t, &f.doc, &f.toks, &f.ms);
    capture c;
    lf_options o;
    lf_options_init(&o);
    o.min_words = 150;
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, NULL, &o), 0);
    const char *md = cap_text(&c);
    assert_non_null(strstr(md, "## Trends\n\nEvery dated document falls in one month "
                               "(2024-05): there is no trend to show.\n"));
    assert_non_null(strstr(md, "## Groups left out\n\nGroups with fewer than 150 words are "
                               "left out of the tables and comparisons:\n\n- speaker **ENVOY** "
                               "(100 words)\n"));
    assert_non_null(strstr(md, "No two themes share at least 2 windows of 10 words.\n"));
    assert_non_null(strstr(md, "No two themes share at least 2 pairs of adjacent turns.\n"));
    cap_free(&c);
    /* A second month makes a trend. */
    fixture g;
    fixture_lexicon(&g, LF_NEG_COUNT);
    g.lex.n_themes = 3;
    fixture_doc(&g, "later.txt", 2, words);
    g.doc.date = "2024-06-01";
    fixture_match(&g, 0, 1, LF_MATCH_COUNTED, false);
    fixture_match(&g, 1, 1, LF_MATCH_COUNTED, false);
    lf_tables_add_doc(t, &g.doc, &g.toks, &g.ms);
    assert_int_equal(lf_render_summary_md(cap_open(&c), t, &f.lex, NULL, NULL), 0);
    md = cap_text(&c);
    assert_non_null(strstr(md, "Words per month: 2024-05: 300; 2024-06: 300.\n\n"
                               "- *leverage*: 3.33 in 2024-05, 6.67 in 2024-06.\n"
                               "- *Trust, broadly*: 3.33 in 2024-05, 0 in 2024-06.\n"));
    assert_null(strstr(md, "## Groups left out"));
    cap_free(&c);
    lf_tables_free(t);
    free(f.tok);
    free(g.tok);
}

/* ---- manifest and hashing ---- */

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/lf-render-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return lf_xstrdup(d);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static char *read_text(const char *path)
{
    char *data;
    size_t len;
    lf_error err;
    if (lf_read_file(path, 1 << 20, &data, &len, &err) != LF_OK)
        return NULL;
    return data;
}

static void remove_tree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void manifest_hashes(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char in[256], lexf[256], missing[256];
    snprintf(in, sizeof in, "%s/abc.txt", dir);
    snprintf(lexf, sizeof lexf, "%s/empty.lexicon", dir);
    snprintf(missing, sizeof missing, "%s/gone.txt", dir);
    write_file(in, "abc");
    write_file(lexf, "");

    char hex[65];
    uint64_t bytes = 0;
    lf_error err;
    assert_int_equal(lf_sha256_file(in, hex, &bytes, &err), LF_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(bytes, 3);
    assert_int_equal(lf_sha256_file(dir, hex, &bytes, &err), LF_ERR_INPUT);

    fixture f;
    lf_tables *t = tiny_tables(&f);
    const char *inputs[] = {in};
    const char *lexicons[] = {lexf};
    const char *failed[] = {"bad \"one\".txt: unreadable"};
    const char *options[] = {"overlap=independent", "strip=\\(x\\)", "no-default-strip",
                             "strip=y"};
    lf_report_info info = {.version = "0.1.0", .argv_line = "lexframe report \"my corpus\"",
                           .inputs = inputs, .n_inputs = 1, .failed = failed, .n_failed = 1,
                           .lexicon_files = lexicons, .n_lexicon_files = 1,
                           .options = options, .n_options = 4};
    capture c;
    assert_int_equal(lf_render_manifest_json(cap_open(&c), t, &info, &err), 0);
    char want[4096];
    snprintf(want, sizeof want,
             "{\n"
             "  \"lexframe\": \"0.1.0\",\n"
             "  \"command\": \"lexframe report \\\"my corpus\\\"\",\n"
             "  \"options\": {\n"
             "    \"overlap\": \"independent\",\n"
             "    \"strip\": [\"\\\\(x\\\\)\", \"y\"],\n"
             "    \"no-default-strip\": true\n"
             "  },\n"
             "  \"inputs\": [\n"
             "    {\n"
             "      \"path\": \"%s\",\n"
             "      \"bytes\": 3,\n"
             "      \"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"\n"
             "    }\n"
             "  ],\n"
             "  \"lexicons\": [\n"
             "    {\n"
             "      \"path\": \"%s\",\n"
             "      \"bytes\": 0,\n"
             "      \"sha256\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"\n"
             "    }\n"
             "  ],\n"
             "  \"failed\": [\n"
             "    \"bad \\\"one\\\".txt: unreadable\"\n"
             "  ],\n"
             "  \"counts\": {\n"
             "    \"docs\": 1,\n"
             "    \"turns\": 1,\n"
             "    \"sentences\": 2,\n"
             "    \"words\": 7,\n"
             "    \"matches\": 3,\n"
             "    \"negated\": 1,\n"
             "    \"suppressed\": 0,\n"
             "    \"stripped\": 0\n"
             "  }\n"
             "}\n",
             in, lexf);
    assert_string_equal(cap_text(&c), want);
    cap_free(&c);

    /* Empty lists stay valid JSON; a missing file fails before anything is written. */
    lf_report_info bare = {.version = "0.1.0", .argv_line = "x"};
    assert_int_equal(lf_render_manifest_json(cap_open(&c), t, &bare, &err), 0);
    const char *m = cap_text(&c);
    assert_non_null(strstr(m, "  \"options\": {},\n  \"inputs\": [],\n  \"lexicons\": [],\n"
                              "  \"failed\": [],\n"));
    cap_free(&c);
    inputs[0] = missing;
    assert_int_equal(lf_render_manifest_json(cap_open(&c), t, &info, &err), -1);
    assert_string_equal(cap_text(&c), "");
    cap_free(&c);
    assert_int_equal(err.status, LF_ERR_INPUT);
    assert_non_null(strstr(err.message, missing));
    assert_non_null(strstr(err.message, "No such file or directory"));

    lf_tables_free(t);
    free(f.tok);
    remove_tree(dir);
    free(dir);
}

/* ---- atomic output files ---- */

/* Temporary files in dir; with_data: only those holding data (a stream's buffer flushed to
 * them). */
static size_t count_temp_files(const char *dir, bool with_data)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".tmp-"))
            continue;
        char p[1024];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        n += !with_data || (stat(p, &st) == 0 && st.st_size > 0);
    }
    closedir(d);
    return n;
}

static void outfile_commit_and_abort(void **state)
{
    (void)state;
    char *root = temp_dir();
    char dir[256], path[300];
    snprintf(dir, sizeof dir, "%s/out/a/b/", root);
    lf_error err;
    assert_int_equal(lf_mkdir_p(dir, &err), LF_OK);
    assert_int_equal(lf_mkdir_p(dir, &err), LF_OK); /* existing is fine */
    snprintf(path, sizeof path, "%s/out/a/b/report.csv", root);

    lf_outfile of;
    assert_int_equal(lf_outfile_open(&of, dir, "report.csv", &err), LF_OK);
    assert_non_null(strstr(of.tmp_path, "/.report.csv.tmp-"));
    assert_null(strstr(of.final_path, "//"));
    assert_false(of.replaces); /* nothing there yet */
    fputs("old\n", of.fp);
    lf_outfile_writeback(&of); /* a new file: a no-op, the stream keeps its buffer */
    assert_int_equal(count_temp_files(dir, true), 0);
    assert_null(read_text(path)); /* nothing at the final path before commit */
    assert_int_equal(lf_outfile_commit(&of, &err), LF_OK);
    char *text = read_text(path);
    assert_string_equal(text, "old\n");
    free(text);
    /* The umask decides the mode, as for any file the user writes (not mkstemp's 0600). */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);

    /* Abort leaves the previous file intact and no temporary behind. */
    assert_int_equal(lf_outfile_open(&of, dir, "report.csv", &err), LF_OK);
    fputs("half-written", of.fp);
    lf_outfile_abort(&of);
    lf_outfile_abort(&of); /* released: a no-op */
    text = read_text(path);
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(count_temp_files(dir, false), 0);

    /* Close then commit: several files can be completed before any is renamed. A file
       that replaces one starts its writeback early: flushed, still not in place. */
    assert_int_equal(lf_outfile_open(&of, dir, "report.csv", &err), LF_OK);
    assert_true(of.replaces);
    fputs("new\n", of.fp);
    lf_outfile_writeback(&of);
    assert_int_equal(count_temp_files(dir, true), 1);
    text = read_text(path);
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(lf_outfile_close(&of, &err), LF_OK);
    assert_null(of.fp);
    text = read_text(path);
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(lf_outfile_commit(&of, &err), LF_OK);
    text = read_text(path);
    assert_string_equal(text, "new\n");
    free(text);
    assert_int_equal(count_temp_files(dir, false), 0);

    remove_tree(root);
    free(root);
}

static void outfile_failures(void **state)
{
    (void)state;
    char *root = temp_dir();
    char path[300], file[300];
    lf_error err;
    lf_outfile of;

    /* Write error at close (disk full): LF_ERR_IO naming the final path and the reason. */
    assert_int_equal(lf_outfile_open(&of, root, "full.csv", &err), LF_OK);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        fclose(of.fp);
        of.fp = full;
        for (int i = 0; i < 10000; i++)
            fputs("a line that will never reach the disk\n", of.fp);
        assert_int_equal(lf_outfile_close(&of, &err), LF_ERR_IO);
        assert_int_equal(err.status, LF_ERR_IO);
        snprintf(path, sizeof path, "%s/full.csv: write error: ", root);
        assert_non_null(strstr(err.message, path));
        assert_non_null(strstr(err.message, strerror(ENOSPC)));
        lf_outfile_abort(&of);
        assert_int_equal(count_temp_files(root, false), 0);
    } else {
        lf_outfile_abort(&of);
        print_message("skipped: /dev/full not present\n");
    }

    /* Rename failure: the final path became a non-empty directory after the file was
       opened. The temporary is removed and what was there stays. */
    snprintf(path, sizeof path, "%s/taken", root);
    assert_int_equal(lf_outfile_open(&of, root, "taken", &err), LF_OK);
    assert_int_equal(mkdir(path, 0777), 0);
    snprintf(file, sizeof file, "%s/taken/keep", root);
    write_file(file, "keep");
    fputs("x", of.fp);
    assert_int_equal(lf_outfile_commit(&of, &err), LF_ERR_IO);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "cannot rename"));
    assert_null(of.tmp_path);
    assert_int_equal(count_temp_files(root, false), 0);
    char *text = read_text(file);
    assert_string_equal(text, "keep");
    free(text);
    /* A directory already there is refused when the file is opened, before a report's
       other files are renamed. */
    assert_int_equal(lf_outfile_open(&of, root, "taken", &err), LF_ERR_IO);
    snprintf(path, sizeof path, "%s/taken: is a directory, not a file name", root);
    assert_non_null(strstr(err.message, path));
    assert_null(of.fp);
    assert_int_equal(count_temp_files(root, false), 0);

    /* A directory that does not exist, and one that cannot be created under a file. */
    snprintf(path, sizeof path, "%s/nowhere", root);
    assert_int_equal(lf_outfile_open(&of, path, "x.csv", &err), LF_ERR_IO);
    assert_non_null(strstr(err.message, "nowhere/x.csv"));
    assert_null(of.fp);
    snprintf(path, sizeof path, "%s/taken/keep/sub/dir", root);
    assert_int_equal(lf_mkdir_p(path, &err), LF_ERR_IO);
    snprintf(path, sizeof path, "%s/taken/keep: cannot create directory", root);
    assert_non_null(strstr(err.message, path));
    assert_int_equal(lf_mkdir_p(file, &err), LF_ERR_IO);
    assert_non_null(strstr(err.message, "not a directory"));

    remove_tree(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statistics_by_hand),
        cmocka_unit_test(number_format),
        cmocka_unit_test(number_format_matches_printf),
        cmocka_unit_test(uint_format_matches_printf),
        cmocka_unit_test(csv_quoting),
        cmocka_unit_test(json_escaping),
        cmocka_unit_test(tsv_rows),
        cmocka_unit_test(tsv_long_rows),
        cmocka_unit_test(jsonl_rows),
        cmocka_unit_test(kwic_alignment),
        cmocka_unit_test(kwic_tsv_and_json),
        cmocka_unit_test(kwic_sample_reproducible),
        cmocka_unit_test(frequencies_csv_bytes),
        cmocka_unit_test(cooccurrence_csv_bytes),
        cmocka_unit_test(comparison_csv_bytes),
        cmocka_unit_test(trends_first_and_terms_csv),
        cmocka_unit_test(tables_json),
        cmocka_unit_test(writers_report_stream_errors),
        cmocka_unit_test(summary_sentences),
        cmocka_unit_test(summary_ranks_by_lower_bound),
        cmocka_unit_test(summary_of_nothing),
        cmocka_unit_test(comparison_markdown),
        cmocka_unit_test(summary_trends_and_left_out),
        cmocka_unit_test(manifest_hashes),
        cmocka_unit_test(outfile_commit_and_abort),
        cmocka_unit_test(outfile_failures),
    };
    return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
