/* util.c — allocation, buffers, arena, hash map, errors, UTF-8 and file helpers shared by
 * every stage (see util.h). */
#include "util.h"

#include "lf_config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if LF_HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

/* ---- allocation ---- */

void lf_oom(void)
{
    fputs("lexframe: out of memory\n", stderr);
    abort();
}

void *lf_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        lf_oom();
    return p;
}

void *lf_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        lf_oom();
    return p;
}

void *lf_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        lf_oom();
    return q;
}

char *lf_xstrndup(const char *s, size_t n)
{
    char *p = lf_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lf_xstrdup(const char *s)
{
    return lf_xstrndup(s, strlen(s));
}

void lf_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            lf_oom();
        c *= 2;
    }
    if (c > SIZE_MAX / elem)
        lf_oom();
    *p = lf_xrealloc(*p, c * elem);
    *cap = c;
}

/* ---- buffer ---- */

void lf_buf_append(lf_buf *b, const void *s, size_t n)
{
    lf_grow((void **)&b->data, &b->cap, b->len + n + 1, 1);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void lf_buf_puts(lf_buf *b, const char *s)
{
    lf_buf_append(b, s, strlen(s));
}

void lf_buf_putc(lf_buf *b, char c)
{
    lf_buf_append(b, &c, 1);
}

void lf_buf_vprintf(lf_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0) {
        lf_grow((void **)&b->data, &b->cap, b->len + (size_t)n + 1, 1);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void lf_buf_printf(lf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *lf_buf_cstr(lf_buf *b)
{
    if (!b->data)
        lf_buf_append(b, "", 0);
    return b->data;
}

void lf_buf_reset(lf_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void lf_buf_free(lf_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- arena ---- */

struct lf_arena_block {
    lf_arena_block *next;
    size_t used, size;
    max_align_t data[];
};

void lf_arena_init(lf_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
}

void *lf_arena_alloc(lf_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    lf_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = a->block_size ? a->block_size : 64 * 1024;
        if (size < n)
            size = n;
        b = lf_xmalloc(sizeof(*b) + size);
        b->size = size;
        b->used = 0;
        /* A block made for one oversized request goes behind the current head so the head
           keeps its free space. */
        if (a->head && size == n) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *lf_arena_strndup(lf_arena *a, const char *s, size_t n)
{
    char *p = lf_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lf_arena_strdup(lf_arena *a, const char *s)
{
    return lf_arena_strndup(a, s, strlen(s));
}

void lf_arena_reset(lf_arena *a)
{
    if (!a->head)
        return;
    /* Keep the largest block, free the rest. */
    lf_arena_block *keep = a->head;
    for (lf_arena_block *b = a->head; b; b = b->next)
        if (b->size > keep->size)
            keep = b;
    lf_arena_block *b = a->head;
    while (b) {
        lf_arena_block *next = b->next;
        if (b != keep)
            free(b);
        b = next;
    }
    keep->next = NULL;
    keep->used = 0;
    a->head = keep;
}

void lf_arena_free(lf_arena *a)
{
    lf_arena_block *b = a->head;
    while (b) {
        lf_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- string map: open addressing, linear probing, power-of-two capacity ---- */

struct lf_strmap_slot {
    const char *key; /* NULL when empty */
    uint32_t len;
    uint32_t val;
    uint64_t hash;
};

uint64_t lf_hash(const void *s, size_t n)
{
    /* Eight bytes at a time, multiply-rotate, with a final avalanche: a few instructions
       per word, and the same value on every run and platform (little-endian loads). */
    const unsigned char *p = s;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h = (h << 31) | (h >> 33);
    }
    size_t rest = n - i;
    if (rest) {
        /* the last 1–7 bytes in at most two loads */
        uint64_t w;
        const unsigned char *q = p + i;
        if (rest >= 4) {
            uint32_t lo, hi;
            memcpy(&lo, q, 4);
            memcpy(&hi, q + rest - 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            lo = __builtin_bswap32(lo);
            hi = __builtin_bswap32(hi);
#endif
            w = (uint64_t)lo | (uint64_t)hi << 32;
        } else {
            w = (uint64_t)q[0] | (uint64_t)q[rest / 2] << 8 | (uint64_t)q[rest - 1] << 16;
        }
        h = (h ^ w) * 0x94d049bb133111ebULL;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

void lf_strmap_init(lf_strmap *m)
{
    m->slots = NULL;
    m->cap = m->count = 0;
    lf_arena_init(&m->keys, 16 * 1024);
}

void lf_strmap_free(lf_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
    lf_arena_free(&m->keys);
}

static struct lf_strmap_slot *strmap_find(const lf_strmap *m, const char *key, size_t len,
                                          uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct lf_strmap_slot *s = &m->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

static void strmap_rehash(lf_strmap *m)
{
    size_t old_cap = m->cap;
    struct lf_strmap_slot *old = m->slots;
    m->cap = old_cap ? old_cap * 2 : 64;
    m->slots = lf_xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key)
            *strmap_find(m, old[i].key, old[i].len, old[i].hash) = old[i];
    free(old);
}

bool lf_strmap_get(const lf_strmap *m, const char *key, size_t len, uint32_t *val)
{
    if (!m->cap)
        return false;
    const struct lf_strmap_slot *s = strmap_find(m, key, len, lf_hash(key, len));
    if (!s->key)
        return false;
    if (val)
        *val = s->val;
    return true;
}

uint32_t lf_strmap_intern(lf_strmap *m, const char *key, size_t len, uint32_t val, bool *added)
{
    if ((m->count + 1) * 4 > m->cap * 3)
        strmap_rehash(m);
    uint64_t h = lf_hash(key, len);
    struct lf_strmap_slot *s = strmap_find(m, key, len, h);
    if (s->key) {
        if (added)
            *added = false;
        return s->val;
    }
    if (len > UINT32_MAX)
        lf_oom();
    s->key = lf_arena_strndup(&m->keys, key, len);
    s->len = (uint32_t)len;
    s->hash = h;
    s->val = val;
    m->count++;
    if (added)
        *added = true;
    return val;
}

const char *lf_strmap_put(lf_strmap *m, const char *key, size_t len, uint32_t val)
{
    bool added;
    lf_strmap_intern(m, key, len, val, &added);
    struct lf_strmap_slot *s = strmap_find(m, key, len, lf_hash(key, len));
    s->val = val;
    return s->key;
}

bool lf_strmap_next(const lf_strmap *m, size_t *pos, const char **key, size_t *len,
                    uint32_t *val)
{
    while (*pos < m->cap) {
        const struct lf_strmap_slot *s = &m->slots[(*pos)++];
        if (s->key) {
            if (key)
                *key = s->key;
            if (len)
                *len = s->len;
            if (val)
                *val = s->val;
            return true;
        }
    }
    return false;
}

/* ---- errors ---- */

void lf_error_clear(lf_error *err)
{
    if (!err)
        return;
    err->status = LF_OK;
    err->message[0] = '\0';
}

void lf_error_set(lf_error *err, lf_status st, const char *fmt, ...)
{
    if (!err)
        return;
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void lf_error_vat(lf_error *err, lf_status st, const char *path, size_t line, size_t col,
                  const char *fmt, va_list ap)
{
    if (!err)
        return;
    err->status = st;
    int n;
    if (line && col)
        n = snprintf(err->message, sizeof err->message, "%s:%zu:%zu: ", path, line, col);
    else if (line)
        n = snprintf(err->message, sizeof err->message, "%s:%zu: ", path, line);
    else
        n = snprintf(err->message, sizeof err->message, "%s: ", path);
    if (n < 0 || (size_t)n >= sizeof err->message)
        return;
    vsnprintf(err->message + n, sizeof err->message - (size_t)n, fmt, ap);
}

void lf_error_at(lf_error *err, lf_status st, const char *path, size_t line, size_t col,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_error_vat(err, st, path, line, col, fmt, ap);
    va_end(ap);
}

/* ---- UTF-8 ---- */

size_t lf_utf8_decode(const unsigned char *p, const unsigned char *end, int32_t *cp)
{
    static const unsigned char lead_bits[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    size_t n = lf_utf8_len(p, end);
    if (n == 0) {
        *cp = 0xFFFD;
        return 0;
    }
    int32_t v = (int32_t)(p[0] & lead_bits[n]);
    for (size_t i = 1; i < n; i++)
        v = (v << 6) | (int32_t)(p[i] & 0x3F);
    *cp = v;
    return n;
}

bool lf_utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        /* ASCII fast path, eight bytes at a time. */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (w & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        if (*p < 0x80) {
            p++;
            continue;
        }
        int32_t cp;
        size_t len = lf_utf8_decode(p, end, &cp);
        if (!len) {
            if (bad)
                *bad = (size_t)(p - (const unsigned char *)s);
            return false;
        }
        p += len;
    }
    return true;
}

size_t lf_utf8_encode(int32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- files ---- */

lf_status lf_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                       lf_error *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "cannot open: %s", strerror(errno));
        return LF_ERR_INPUT;
    }
    struct stat st;
    bool sized = fstat(fd, &st) == 0;
    if (sized && S_ISDIR(st.st_mode)) {
        close(fd);
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "is a directory");
        return LF_ERR_INPUT;
    }
    /* read(2) straight into a buffer of the size fstat gives, plus one byte to see the end
       of the file and one for the NUL: a corpus is read once, and copying it through
       stdio's buffer or a chunk was a measurable share of ingest. A file with no size (a
       pipe), or one that grows meanwhile, grows the buffer. */
    size_t cap = 65536;
    if (sized && S_ISREG(st.st_mode) && st.st_size >= 0 && (uint64_t)st.st_size < max_bytes &&
        (uint64_t)st.st_size < SIZE_MAX / 2)
        cap = (size_t)st.st_size + 2;
    char *buf = lf_xmalloc(cap);
    size_t n = 0;
    for (;;) {
        if (cap - n < 2)
            lf_grow((void **)&buf, &cap, cap + 1, 1);
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "read error: %s", strerror(e));
            return LF_ERR_INPUT;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > max_bytes) {
            free(buf);
            close(fd);
            lf_error_at(err, LF_ERR_LIMIT, path, 0, 0,
                        "file is larger than the file-bytes limit (%zu bytes); raise it with "
                        "--limit file-bytes=N",
                        max_bytes);
            return LF_ERR_LIMIT;
        }
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return LF_OK;
}

/* ---- regexes ---- */

bool lf_regex_jit_enabled(void)
{
#if LF_HAVE_VALGRIND_H
    return !RUNNING_ON_VALGRIND;
#else
    return true;
#endif
}

lf_limit_id lf_regex_limit_of(int pcre2_error)
{
    /* PCRE2_ERROR_MATCHLIMIT -47, _DEPTHLIMIT -53, _HEAPLIMIT -63, _JIT_STACKLIMIT -46;
       util.c does not include pcre2.h, the callers check the values with static_assert */
    switch (pcre2_error) {
    case -47:
    case -53:
        return LF_LIMIT_REGEX_MATCH;
    case -63:
    case -46:
        return LF_LIMIT_REGEX_HEAP_KIB;
    default:
        return LF_LIMIT_COUNT;
    }
}

size_t lf_regex_jit_stack_max(uint64_t kib)
{
    const uint64_t cap = (uint64_t)1 << 30; /* PCRE2 reserves it up front: at most 1 GiB */
    uint64_t bytes = kib > cap / 1024 ? cap : kib * 1024;
    return (size_t)(bytes < 32 * 1024 ? 32 * 1024 : bytes);
}

/* ---- strings ---- */

bool lf_str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int lf_ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb || !ca)
            return ca - cb;
    }
}

const char *lf_fmt_u64(char buf[32], uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

int lf_cmp_double_desc(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a > b ? -1 : a < b;
}

int lf_cmp_str_ptr(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

void lf_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* ---- tab-separated records ---- */

size_t lf_escape_span(const char *s)
{
    size_t n = strcspn(s, "\\\t\n\r"), bad;
    return lf_utf8_valid(s, n, &bad) ? n : bad;
}

size_t lf_escape_byte(const char *s, char out[5])
{
    unsigned char c = (unsigned char)*s;
    if (c >= 0x80)
        return (size_t)snprintf(out, 5, "\\x%02X", c);
    out[0] = '\\';
    out[1] = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
    out[2] = '\0';
    return 2;
}

void lf_fput_escaped(FILE *fp, const char *s)
{
    for (;;) {
        size_t n = lf_escape_span(s);
        fwrite(s, 1, n, fp);
        s += n;
        if (!*s)
            return;
        char e[5];
        fwrite(e, 1, lf_escape_byte(s, e), fp);
        s++;
    }
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool lf_unescape(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p != '\\') {
            *w++ = *p;
            continue;
        }
        switch (*++p) {
        case '\\':
            *w++ = '\\';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'n':
            *w++ = '\n';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 'x': { /* a byte of invalid UTF-8 */
            int hi = hex_digit(p[1]), lo = hi < 0 ? -1 : hex_digit(p[2]);
            if (lo < 0 || hi < 8)
                return false;
            *w++ = (char)(hi * 16 + lo);
            p += 2;
            break;
        }
        default:
            return false;
        }
    }
    *w = '\0';
    return true;
}

bool lf_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}
