/* util.h — the small shared toolbox under every pipeline stage: allocation that aborts on
 * out-of-memory, growable buffers and vectors, a bump arena, a string hash map, UTF-8
 * helpers and the error struct that carries "path:line:col: message".
 * Nothing here knows about transcripts or lexicons. */
#ifndef LF_UTIL_H
#define LF_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lexframe.h"

#if defined(__GNUC__)
#define LF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LF_NORETURN __attribute__((noreturn))
#else
#define LF_PRINTF(f, a)
#define LF_NORETURN
#endif

/* ---- allocation: every allocation goes through these; out-of-memory aborts with a message */
LF_NORETURN void lf_oom(void);
void *lf_xmalloc(size_t n);
void *lf_xcalloc(size_t count, size_t size);
void *lf_xrealloc(void *p, size_t n);
/* Returns a NUL-terminated copy the caller owns (free with free()). */
char *lf_xstrdup(const char *s);
char *lf_xstrndup(const char *s, size_t n);
/* Grows *cap geometrically so that at least `need` elements of `elem` bytes fit in *p. */
void lf_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- growable vector: struct { T *v; size_t n, cap; } */
#define LF_VEC(T) struct { T *v; size_t n, cap; }
#define LF_VEC_PUSH(vec, x)                                                        \
    do {                                                                           \
        if ((vec).n == (vec).cap)                                                  \
            lf_grow((void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)); \
        (vec).v[(vec).n++] = (x);                                                  \
    } while (0)
#define LF_VEC_FREE(vec) (free((vec).v), (vec).v = NULL, (vec).n = (vec).cap = 0)

/* ---- byte buffer, always NUL-terminated when len > 0 or after lf_buf_cstr */
typedef struct lf_buf {
    char *data;
    size_t len, cap;
} lf_buf;
void lf_buf_append(lf_buf *b, const void *s, size_t n);
void lf_buf_puts(lf_buf *b, const char *s);
void lf_buf_putc(lf_buf *b, char c);
void lf_buf_printf(lf_buf *b, const char *fmt, ...) LF_PRINTF(2, 3);
/* lf_buf_printf with a va_list (ap is left unspent for the caller's va_end). */
void lf_buf_vprintf(lf_buf *b, const char *fmt, va_list ap) LF_PRINTF(2, 0);
/* Borrowed pointer to the contents, NUL-terminated, valid until the next append. */
const char *lf_buf_cstr(lf_buf *b);
void lf_buf_reset(lf_buf *b);
void lf_buf_free(lf_buf *b);

/* ---- bump arena: many small allocations freed in one call (per document, per lexicon) */
typedef struct lf_arena_block lf_arena_block;
typedef struct lf_arena {
    lf_arena_block *head;
    size_t block_size;
} lf_arena;
void lf_arena_init(lf_arena *a, size_t block_size);
/* Memory aligned for any type, valid until lf_arena_reset/lf_arena_free. */
void *lf_arena_alloc(lf_arena *a, size_t n);
char *lf_arena_strndup(lf_arena *a, const char *s, size_t n);
char *lf_arena_strdup(lf_arena *a, const char *s);
/* Keeps the first block for reuse and frees the others. */
void lf_arena_reset(lf_arena *a);
void lf_arena_free(lf_arena *a);

/* ---- string → uint32 hash map; keys are copied into the map's own arena */
typedef struct lf_strmap {
    struct lf_strmap_slot *slots;
    size_t cap, count;
    lf_arena keys;
} lf_strmap;
void lf_strmap_init(lf_strmap *m);
void lf_strmap_free(lf_strmap *m);
uint64_t lf_hash(const void *s, size_t n);
/* Returns true and sets *val when the key is present. */
bool lf_strmap_get(const lf_strmap *m, const char *key, size_t len, uint32_t *val);
/* Inserts or replaces; returns the stored copy of the key (owned by the map). */
const char *lf_strmap_put(lf_strmap *m, const char *key, size_t len, uint32_t val);
/* Returns the existing value, or inserts `val` and returns it; *added says which. */
uint32_t lf_strmap_intern(lf_strmap *m, const char *key, size_t len, uint32_t val, bool *added);
/* Iteration in unspecified order: call with *pos = 0 until it returns false. */
bool lf_strmap_next(const lf_strmap *m, size_t *pos, const char **key, size_t *len,
                    uint32_t *val);

/* ---- errors: position-carrying message set by the function that failed */
void lf_error_clear(lf_error *err);
void lf_error_set(lf_error *err, lf_status st, const char *fmt, ...) LF_PRINTF(3, 4);
/* "path:line:col: message"; line or col 0 are left out. */
void lf_error_at(lf_error *err, lf_status st, const char *path, size_t line, size_t col,
                 const char *fmt, ...) LF_PRINTF(6, 7);
/* lf_error_at with a va_list, for helpers that take their own format arguments. */
void lf_error_vat(lf_error *err, lf_status st, const char *path, size_t line, size_t col,
                  const char *fmt, va_list ap) LF_PRINTF(6, 0);

/* ---- UTF-8 */
/* The length in bytes of the valid UTF-8 sequence at p (p < end), or 0: no overlong form,
 * surrogate or code point above U+10FFFF, checked by the byte ranges of RFC 3629. Inline,
 * as the byte scan of every input asks it of each non-ASCII character. */
static inline size_t lf_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t left = (size_t)(end - p);
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return left >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    /* the second byte's range depends on the first: this rules out the overlong forms,
       the surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..) */
    unsigned lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (left < n || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 ||
        (n == 4 && (p[3] & 0xC0) != 0x80))
        return 0;
    return n;
}
/* Decodes one code point at p (p < end); returns its length in bytes, or 0 when the bytes
 * there are not valid UTF-8 (then *cp is U+FFFD). */
size_t lf_utf8_decode(const unsigned char *p, const unsigned char *end, int32_t *cp);
/* Returns true when [s, s+n) is valid UTF-8; otherwise sets *bad to the offset of the first
 * invalid byte. Overlongs, surrogates and code points above U+10FFFF are invalid. */
bool lf_utf8_valid(const char *s, size_t n, size_t *bad);
/* Encodes cp into out (at least 4 bytes); returns the length. */
size_t lf_utf8_encode(int32_t cp, char *out);

/* ---- files */
/* Reads a whole regular file into a NUL-terminated buffer the caller owns (free()).
 * Files over max_bytes fail with LF_ERR_LIMIT; errors name the path and strerror. */
lf_status lf_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                       lf_error *err) LF_WARN_UNUSED;

/* ---- tab-separated records (partial results) */
/* Writes s with backslash, tab, LF and CR escaped as \\ \t \n \r, so that it fits in one
 * tab-separated field of one line, and each byte of invalid UTF-8 (a file name's) as \xHH,
 * so that the line is UTF-8 and gives back the same bytes. */
void lf_fput_escaped(FILE *fp, const char *s);
/* How many bytes at the start of s lf_fput_escaped writes as they are (up to the first
 * byte it escapes, or the end). */
size_t lf_escape_span(const char *s);
/* The escape lf_fput_escaped writes for the byte at s, where lf_escape_span stopped, into
 * out (NUL-terminated); returns its length. */
size_t lf_escape_byte(const char *s, char out[5]);
/* Undoes lf_fput_escaped in place; false when s holds another escape or a bare backslash at
 * its end. */
bool lf_unescape(char *s);
/* A whole decimal number without sign or spaces, at most max; false otherwise. */
bool lf_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* ---- regexes */
/* True when PCRE2 patterns should be JIT-compiled: always, except under valgrind, which
 * cannot follow JIT code (its word-at-a-time reads give false "uninitialised value"
 * reports); there the interpreter runs instead, with the same results. */
bool lf_regex_jit_enabled(void);
/* For a PCRE2 match error code: the named limit it means (LF_LIMIT_REGEX_MATCH for the
 * match or depth limit, LF_LIMIT_REGEX_HEAP_KIB for the heap limit or a full JIT stack),
 * or LF_LIMIT_COUNT for any other error. Under JIT and in the interpreter the same limit
 * then gets the same message. */
lf_limit_id lf_regex_limit_of(int pcre2_error);

/* The largest JIT stack, in bytes, for the regex-heap-kib limit `kib` (at least 32 KiB):
 * one limit bounds a match's memory whether it runs in the JIT or the interpreter. */
size_t lf_regex_jit_stack_max(uint64_t kib);

/* ---- strings */
bool lf_str_ends_with(const char *s, const char *suffix);
/* ASCII-only case-insensitive comparison (for option values and keywords). */
int lf_ascii_casecmp(const char *a, const char *b);
/* An integer with thousands separators ("1,650"), independent of the locale; returns buf. */
const char *lf_fmt_u64(char buf[32], uint64_t v);
/* qsort comparators: doubles, largest first; C strings through pointers, byte order. */
int lf_cmp_double_desc(const void *pa, const void *pb);
int lf_cmp_str_ptr(const void *pa, const void *pb);
/* qsort for a vector that may be empty with a NULL base (an LF_VEC never pushed to),
 * which qsort itself must not be given even for 0 elements. */
void lf_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* The SHA-256 of len bytes at data as 64 lowercase hex digits plus NUL (sha256.c). */
void lf_sha256_hex(const void *data, size_t len, char hex[65]);
/* The digest of a running nettle SHA-256 context, as lf_sha256_hex (the context is reset). */
struct sha256_ctx;
void lf_sha256_digest_hex(struct sha256_ctx *ctx, char hex[65]);

#endif
