/* test_util.c — the shared toolbox: hash map, arena, buffers, UTF-8 validation, errors,
 * named limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void strmap_put_get_grow(void **state)
{
    (void)state;
    lf_strmap m;
    lf_strmap_init(&m);
    char key[32];
    for (uint32_t i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "k%u", i);
        bool added;
        assert_int_equal(lf_strmap_intern(&m, key, (size_t)n, i, &added), i);
        assert_true(added);
    }
    for (uint32_t i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "k%u", i);
        uint32_t v = 0;
        assert_true(lf_strmap_get(&m, key, (size_t)n, &v));
        assert_int_equal(v, i);
        bool added = true;
        assert_int_equal(lf_strmap_intern(&m, key, (size_t)n, 99999, &added), i);
        assert_false(added);
    }
    assert_false(lf_strmap_get(&m, "k5000", 5, NULL));
    size_t pos = 0, seen = 0;
    while (lf_strmap_next(&m, &pos, NULL, NULL, NULL))
        seen++;
    assert_int_equal(seen, 5000);
    lf_strmap_put(&m, "k7", 2, 42);
    uint32_t v;
    assert_true(lf_strmap_get(&m, "k7", 2, &v));
    assert_int_equal(v, 42);
    lf_strmap_free(&m);
}

static void arena_alignment_and_big_blocks(void **state)
{
    (void)state;
    lf_arena a;
    lf_arena_init(&a, 128);
    char *s = lf_arena_strdup(&a, "hello");
    void *big = lf_arena_alloc(&a, 10000);
    memset(big, 1, 10000);
    double *d = lf_arena_alloc(&a, sizeof(double));
    assert_int_equal((uintptr_t)d % _Alignof(max_align_t), 0); /* malloc gives no more */
    *d = 1.5;
    assert_string_equal(s, "hello");
    lf_arena_reset(&a);
    char *t = lf_arena_strdup(&a, "again");
    assert_string_equal(t, "again");
    lf_arena_free(&a);
}

static void utf8_validation(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_true(lf_utf8_valid("plain ascii text, long enough", 29, &bad));
    assert_true(lf_utf8_valid("caf\xc3\xa9 \xe2\x80\x99", 9, &bad));
    assert_false(lf_utf8_valid("abc\xc3(", 5, &bad));
    assert_int_equal(bad, 3);
    assert_false(lf_utf8_valid("abcdefghij\xc0\xaf", 12, &bad)); /* overlong */
    assert_int_equal(bad, 10);
    assert_false(lf_utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
    assert_int_equal(bad, 0);
    assert_false(lf_utf8_valid("x\xf4\x90\x80\x80", 5, &bad)); /* > U+10FFFF */
    assert_int_equal(bad, 1);
    assert_false(lf_utf8_valid("xy\xe2\x80", 4, &bad)); /* truncated */
    assert_int_equal(bad, 2);
    char out[4];
    int32_t cp;
    assert_int_equal(lf_utf8_encode(0x2019, out), 3);
    assert_int_equal(lf_utf8_decode((unsigned char *)out, (unsigned char *)out + 3, &cp), 3);
    assert_int_equal(cp, 0x2019);
}

/* UTF-8 by arithmetic, the other way to say RFC 3629: the value a sequence of n bytes
 * encodes must need n bytes and be a scalar value. Returns the length, or 0. */
static size_t utf8_len_by_value(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xC0 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xF0 && c < 0xF8 ? 4 : 0;
    if (n == 0 || left < n)
        return 0;
    uint32_t v = c & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3Fu);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return n;
}

/* lf_utf8_len (byte ranges) and lf_utf8_decode agree with the arithmetic on every lead and
 * second byte, with continuation and other bytes after them, cut at every length. */
static void utf8_len_matches_the_values(void **state)
{
    (void)state;
    static const unsigned char tail[] = {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    size_t nt = sizeof tail, checked = 0;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            for (size_t i = 0; i < nt; i++)
                for (size_t j = 0; j < nt; j++) {
                    unsigned char s[4] = {(unsigned char)a, (unsigned char)b, tail[i], tail[j]};
                    for (size_t left = 1; left <= 4; left++) {
                        size_t want = utf8_len_by_value(s, left);
                        int32_t cp;
                        if (lf_utf8_len(s, s + left) != want ||
                            lf_utf8_decode(s, s + left, &cp) != want)
                            fail_msg("%02x %02x %02x %02x (%zu bytes): want %zu", a, b, tail[i],
                                     tail[j], left, want);
                        checked += want != 0;
                    }
                }
    assert_true(checked > 1000000);
}

static void buffer_printf(void **state)
{
    (void)state;
    lf_buf b = {0};
    assert_string_equal(lf_buf_cstr(&b), "");
    lf_buf_printf(&b, "%s-%d", "x", 12);
    lf_buf_putc(&b, '!');
    assert_string_equal(lf_buf_cstr(&b), "x-12!");
    lf_buf_reset(&b);
    assert_int_equal(b.len, 0);
    lf_buf_free(&b);
}

static void error_positions(void **state)
{
    (void)state;
    lf_error err;
    lf_error_at(&err, LF_ERR_LEXICON, "a.lexicon", 3, 7, "bad %s", "thing");
    assert_string_equal(err.message, "a.lexicon:3:7: bad thing");
    assert_int_equal(lf_status_exit_code(err.status), 2);
    lf_error_at(&err, LF_ERR_INPUT, "t.txt", 0, 0, "missing");
    assert_string_equal(err.message, "t.txt: missing");
    assert_int_equal(lf_status_exit_code(err.status), 1);
}

/* A partial result's fields: tab, line breaks and '\\' escaped, and each byte of invalid
 * UTF-8 (a Latin-1 file name) as \\xHH, so that the line is UTF-8 and merge gets the same
 * bytes back (it refused the raw bytes: "invalid UTF-8 ... the partial result is damaged"). */
static void escaped_fields(void **state)
{
    (void)state;
    const char *s = "a\tb\\c\nd\re caf\xc3\xa9 caf\xe9 \xe2\x80 x\xff";
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    lf_fput_escaped(fp, s);
    fclose(fp);
    assert_string_equal(out, "a\\tb\\\\c\\nd\\re caf\xc3\xa9 caf\\xE9 \\xE2\\x80 x\\xFF");
    size_t bad;
    assert_true(lf_utf8_valid(out, len, &bad));
    assert_true(lf_unescape(out));
    assert_string_equal(out, s);
    free(out);
    /* \\x only stands for a byte that is not ASCII, in upper-case hex */
    static const char *const wrong[] = {"\\x41", "\\xe9", "\\xE", "\\x", "\\q", "a\\"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        char *w = strdup(wrong[i]);
        assert_false(lf_unescape(w));
        free(w);
    }
}

static void limits_by_name(void **state)
{
    (void)state;
    lf_options o;
    lf_options_init(&o);
    lf_error err;
    assert_int_equal(lf_options_set_limit(&o, "token-bytes=64", &err), LF_OK);
    assert_int_equal(o.limits[LF_LIMIT_TOKEN_BYTES], 64);
    assert_int_equal(lf_options_set_limit(&o, "token-bytes=-1", &err), LF_ERR_USAGE);
    assert_int_equal(lf_options_set_limit(&o, "nonsense=1", &err), LF_ERR_USAGE);
    assert_non_null(strstr(err.message, "unknown limit 'nonsense'"));
    assert_int_equal(lf_options_set_limit(&o, "token-bytes", &err), LF_ERR_USAGE);
    for (size_t i = 0; i < LF_LIMIT_COUNT; i++) {
        assert_non_null(lf_limit_table()[i].name);
        assert_true(lf_limit_table()[i].default_value > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strmap_put_get_grow),   cmocka_unit_test(arena_alignment_and_big_blocks),
        cmocka_unit_test(utf8_validation), cmocka_unit_test(utf8_len_matches_the_values),       cmocka_unit_test(buffer_printf),
        cmocka_unit_test(error_positions),       cmocka_unit_test(limits_by_name),
        cmocka_unit_test(escaped_fields),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
