/* tokenize.c — stage 2: turns become words, clauses and sentences (see tokenize.h for the
 * word rules). One left-to-right pass over each turn's spans; every word is interned in the
 * vocabulary by its raw bytes, so NFC and case folding run once per distinct form, not once
 * per occurrence. Sentence ends are decided when the next word is seen, which is what lets
 * "Mr. Smith", "U.S. officials", "No. 5" and hard-wrapped lines survive. */
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util.h"

/* ---- character classes ---- */

enum {
    C_OTHER = 0,
    C_ALPHA = 1,  /* letters and marks */
    C_DIGIT = 2,  /* numbers */
    C_UPPER = 4,  /* with C_ALPHA: an uppercase or titlecase letter */
    C_LOWER = 8
};

static unsigned char ascii_class[128];
/* The bytes after a run of ASCII letters and digits at which a word may go on: ' - . ,
 * (don't, self-aware, 3.5, 1,200, U.S.) and the first byte of any non-ASCII character. */
static bool may_continue[256];

static void init_ascii_class(void)
{
    if (ascii_class['a'])
        return;
    for (int c = 0x80; c < 256; c++)
        may_continue[c] = true;
    may_continue['\''] = may_continue['-'] = may_continue['.'] = may_continue[','] = true;
    for (int c = 'a'; c <= 'z'; c++)
        ascii_class[c] = C_ALPHA | C_LOWER;
    for (int c = 'A'; c <= 'Z'; c++)
        ascii_class[c] = C_ALPHA | C_UPPER;
    for (int c = '0'; c <= '9'; c++)
        ascii_class[c] = C_DIGIT;
}

static unsigned cp_class(int32_t cp)
{
    if (cp < 128)
        return ascii_class[cp];
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
        return C_ALPHA | C_UPPER;
    case UTF8PROC_CATEGORY_LL:
        return C_ALPHA | C_LOWER;
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_ALPHA;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_DIGIT;
    default:
        return C_OTHER;
    }
}

static bool is_apostrophe(int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == 0x2018 || cp == 0xFF07;
}

static bool is_hyphen(int32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2011;
}

/* Decodes the code point at p (never fails: invalid bytes, which ingest has ruled out,
 * read as one-byte U+FFFD). */
static size_t next_cp(const unsigned char *p, const unsigned char *end, int32_t *cp)
{
    if (*p < 0x80) {
        *cp = *p;
        return 1;
    }
    size_t n = lf_utf8_decode(p, end, cp);
    return n ? n : 1;
}

static bool in_extra(int32_t cp, const char *extra)
{
    return extra && cp > 0 && cp < 128 && strchr(extra, (int)cp) != NULL;
}

static unsigned class_at(const unsigned char *p, const unsigned char *end, const char *extra,
                         size_t *len)
{
    int32_t cp;
    *len = next_cp(p, end, &cp);
    if (in_extra(cp, extra))
        return C_ALPHA;
    return cp_class(cp);
}

#if defined(__SSE2__)
/* Bit i set when byte i of v is an ASCII letter or digit. */
static inline unsigned alnum_mask16(__m128i v)
{
    /* letters: (c | 0x20) - 'a' < 26 and digits: c - '0' < 10, as signed compares after
       moving the range to the bottom of the signed bytes */
    __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(low, _mm_set1_epi8((char)(0x80 - 'a'))),
                                    _mm_set1_epi8((char)(-128 + 26)));
    __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))),
                                   _mm_set1_epi8((char)(-128 + 10)));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
}
#endif

/* The end of the run of ASCII letters and digits at p, at most end; bytes up to lim (at
 * or past end) may be read. 16 bytes at a time where SSE2 is there, since a branch per
 * byte mispredicts at nearly every word's end. */
static inline const unsigned char *ascii_alnum_end(const unsigned char *p,
                                                   const unsigned char *end,
                                                   const unsigned char *lim)
{
#if defined(__SSE2__)
    while (lim - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned stop = ~alnum_mask16(v) & 0xFFFFu;
        if (stop) {
            p += __builtin_ctz(stop);
            return p < end ? p : end;
        }
        p += 16;
        if (p >= end)
            return end;
    }
#else
    (void)lim;
#endif
    while (p < end && *p < 0x80 && (ascii_class[*p] & (C_ALPHA | C_DIGIT)))
        p++;
    return p;
}

/* Scans one word starting at p (which must hold a word character); returns its end. lim as
 * for ascii_alnum_end. */
static const unsigned char *scan_word(const unsigned char *p, const unsigned char *end,
                                      const unsigned char *lim, const char *extra)
{
    size_t seg_cps = 0; /* code points since the word start or the last ' or - */
    unsigned last = C_OTHER;
    while (p < end) {
        /* the common case: a run of ASCII letters and digits */
        if (*p < 0x80 && (ascii_class[*p] & (C_ALPHA | C_DIGIT))) {
            const unsigned char *q = ascii_alnum_end(p, end, lim);
            last = ascii_class[q[-1]];
            seg_cps += (size_t)(q - p);
            p = q;
            /* ends at anything but the few characters that can continue a word */
            if (p == end || (!may_continue[*p] && !in_extra(*p, extra)))
                break;
        }
        size_t n;
        unsigned c = class_at(p, end, extra, &n);
        if (c & (C_ALPHA | C_DIGIT)) {
            last = c;
            p += n;
            seg_cps++;
            continue;
        }
        int32_t cp;
        next_cp(p, end, &cp);
        const unsigned char *q = p + n;
        size_t n2 = 0;
        unsigned c2 = q < end ? class_at(q, end, extra, &n2) : C_OTHER;
        /* don't, self-aware: an apostrophe or hyphen between word characters */
        if ((is_apostrophe(cp) || is_hyphen(cp)) && (c2 & (C_ALPHA | C_DIGIT))) {
            p = q;
            seg_cps = 0;
            continue;
        }
        /* 1,200 and 3.5: a separator between digits */
        if ((cp == ',' || cp == '.') && (last & C_DIGIT) && (c2 & C_DIGIT)) {
            p = q;
            continue;
        }
        /* U.S., D.C., e.g.: single letters joined by periods, final period included */
        if (cp == '.' && seg_cps == 1 && (last & C_ALPHA) && (c2 & C_ALPHA)) {
            const unsigned char *r = q + n2;
            size_t n3 = 0;
            unsigned c3 = r < end ? class_at(r, end, extra, &n3) : C_OTHER;
            if (!(c3 & (C_ALPHA | C_DIGIT))) {
                /* consume ".X" pairs, then an optional final "." */
                p = r;
                while (p < end && *p == '.' && p + 1 < end) {
                    size_t a, b = 0;
                    unsigned ca = class_at(p + 1, end, extra, &a);
                    const unsigned char *s = p + 1 + a;
                    unsigned cb = s < end ? class_at(s, end, extra, &b) : C_OTHER;
                    if ((ca & C_ALPHA) && !(cb & (C_ALPHA | C_DIGIT)))
                        p = s;
                    else
                        break;
                }
                if (p < end && *p == '.')
                    p++;
                goto done;
            }
        }
        break;
    }
done:
    return p;
}

void lf_split_words(const char *s, size_t n, const char *extra_word_chars,
                    void (*fn)(void *ctx, size_t start, size_t end), void *ctx)
{
    init_ascii_class();
    const unsigned char *b = (const unsigned char *)s, *p = b, *end = b + n;
    while (p < end) {
        size_t len;
        unsigned c = class_at(p, end, extra_word_chars, &len);
        if (c & (C_ALPHA | C_DIGIT)) {
            const unsigned char *e = scan_word(p, end, end, extra_word_chars);
            fn(ctx, (size_t)(p - b), (size_t)(e - b));
            p = e;
        } else {
            p += len;
        }
    }
}

/* ---- normalization ---- */

/* Lower-cases the ASCII capitals of s[0..n) in place: all that case folding does to ASCII. */
static void fold_ascii(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + ('a' - 'A'));
}

char *lf_normalize_word(const char *s, size_t n, bool fold, size_t *out_len)
{
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) {
            ascii = false;
            break;
        }
    if (ascii) {
        char *r = lf_xstrndup(s, n);
        if (fold)
            fold_ascii(r, n);
        if (out_len)
            *out_len = n;
        return r;
    }
    if (!lf_utf8_valid(s, n, NULL))
        return NULL;
    /* Unify apostrophe and hyphen variants first, then NFC (and fold). */
    lf_buf b = {0};
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        int32_t cp;
        size_t len = next_cp(p, end, &cp);
        if (is_apostrophe(cp))
            lf_buf_putc(&b, '\'');
        else if (is_hyphen(cp))
            lf_buf_putc(&b, '-');
        else
            lf_buf_append(&b, p, len);
        p += len;
    }
    utf8proc_uint8_t *dst = NULL;
    int opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    if (fold)
        opts |= UTF8PROC_CASEFOLD;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)lf_buf_cstr(&b),
                                      (utf8proc_ssize_t)b.len, &dst, (utf8proc_option_t)opts);
    lf_buf_free(&b);
    if (r < 0) {
        if (r == UTF8PROC_ERROR_NOMEM)
            lf_oom();
        return NULL;
    }
    if (out_len)
        *out_len = (size_t)r;
    return (char *)dst;
}

void lf_normalize_word_append(lf_buf *out, const char *s, size_t n, bool fold)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    if (i == n) { /* ASCII: straight into out, no copy of its own */
        size_t at = out->len;
        lf_buf_append(out, s, n);
        if (fold)
            fold_ascii(out->data + at, n);
        return;
    }
    size_t len;
    char *w = lf_normalize_word(s, n, fold, &len);
    if (w)
        lf_buf_append(out, w, len);
    else
        lf_buf_append(out, s, n);
    free(w);
}

/* ---- vocabulary ---- */

/* Words of up to 16 bytes — nearly all of them — are kept with their bytes inside the
 * slot (two zero-padded 64-bit words), so a lookup touches one slot and never a key stored
 * elsewhere; a small direct-mapped cache of recent words sits in front, so that the few
 * thousand forms that make up most running words (Zipf's law) are found in a table that
 * stays in the processor's cache. Longer words go to an ordinary string map. */
#define WORD_INLINE_MAX 16
#define WORD_CACHE_BITS 13

typedef struct word_slot {
    uint64_t a, b; /* the word's bytes, zero-padded */
    uint32_t len;  /* 0: empty */
    uint32_t id;
} word_slot;

struct lf_vocab {
    word_slot *cache;   /* 1 << WORD_CACHE_BITS slots */
    word_slot *words;   /* open addressing, words of up to WORD_INLINE_MAX bytes → form id */
    size_t words_cap, words_count;
    lf_strmap long_raw; /* longer words → form id */
    lf_form *forms;
    size_t n_forms, cap_forms;
    lf_arena strings;
};

lf_vocab *lf_vocab_new(void)
{
    init_ascii_class();
    lf_vocab *v = lf_xcalloc(1, sizeof *v);
    v->cache = lf_xcalloc((size_t)1 << WORD_CACHE_BITS, sizeof *v->cache);
    v->words_cap = 16384; /* a few thousand words already fill a speech or two */
    v->words = lf_xcalloc(v->words_cap, sizeof *v->words);
    lf_strmap_init(&v->long_raw);
    lf_arena_init(&v->strings, 256 * 1024);
    return v;
}

void lf_vocab_free(lf_vocab *v)
{
    if (!v)
        return;
    free(v->cache);
    free(v->words);
    lf_strmap_free(&v->long_raw);
    free(v->forms);
    lf_arena_free(&v->strings);
    free(v);
}

size_t lf_vocab_size(const lf_vocab *v)
{
    return v->n_forms;
}

const lf_form *lf_vocab_form(const lf_vocab *v, uint32_t id)
{
    return &v->forms[id];
}

/* The word [p, p + n) as two zero-padded 64-bit words (n <= WORD_INLINE_MAX); lim is the
 * end of the readable bytes, so that whole 8-byte loads are used where they fit. */
/* key_mask[n]: the bytes of the two 64-bit words that a word of n bytes fills. */
#define LOW_BYTES(n) ((n) >= 8 ? ~0ULL : (1ULL << (8 * (n) & 63)) - 1)
#define KEY_MASK(n) {LOW_BYTES(n), (n) <= 8 ? 0 : LOW_BYTES((n) - 8)}
static const uint64_t key_mask[WORD_INLINE_MAX + 1][2] = {
    KEY_MASK(0),  KEY_MASK(1),  KEY_MASK(2),  KEY_MASK(3),  KEY_MASK(4),  KEY_MASK(5),
    KEY_MASK(6),  KEY_MASK(7),  KEY_MASK(8),  KEY_MASK(9),  KEY_MASK(10), KEY_MASK(11),
    KEY_MASK(12), KEY_MASK(13), KEY_MASK(14), KEY_MASK(15), KEY_MASK(16)};
#undef KEY_MASK
#undef LOW_BYTES

static inline void word_key(const unsigned char *p, size_t n, const unsigned char *lim,
                            uint64_t *a, uint64_t *b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (lim && (size_t)(lim - p) >= 16) {
        memcpy(a, p, 8);
        memcpy(b, p + 8, 8);
        *a &= key_mask[n][0];
        *b &= key_mask[n][1];
        return;
    }
#else
    (void)lim;
#endif
    uint64_t w[2] = {0, 0};
    memcpy(w, p, n);
    *a = w[0];
    *b = w[1];
}

/* word_hash but for its last step, which leaves the top bits (all that cache_slot uses) as
 * they are: the tokenizer finds most words in the cache without it. */
static inline uint64_t word_premix(uint64_t a, uint64_t b, size_t n)
{
    return (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ n) * 0xd6e8feb86659fd93ULL;
}

static inline uint64_t word_hash(uint64_t a, uint64_t b, size_t n)
{
    uint64_t h = word_premix(a, b, n);
    return h ^ (h >> 29);
}

/* The next form's slot (its id is its index). */
static lf_form *next_form(lf_vocab *v)
{
    if (v->n_forms >= UINT32_MAX - 1)
        lf_oom();
    lf_grow((void **)&v->forms, &v->cap_forms, v->n_forms + 1, sizeof *v->forms);
    return &v->forms[v->n_forms++];
}

/* A new form for the ASCII word s[0..n): its key is the word, its norm the word in lower
 * case (what lf_normalize_word gives, built straight into the vocabulary's strings). */
static uint32_t add_ascii_form(lf_vocab *v, const char *s, size_t n)
{
    lf_form *f = next_form(v);
    f->key = lf_arena_strndup(&v->strings, s, n);
    f->key_len = f->norm_len = (uint32_t)n;
    f->norm = f->key;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') {
            char *low = lf_arena_strndup(&v->strings, s, n);
            fold_ascii(low + i, n - i);
            f->norm = low;
            break;
        }
    return (uint32_t)(f - v->forms);
}

/* A new form for the raw word s[0..n): its match keys computed once. */
static uint32_t add_form(lf_vocab *v, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    if (i == n)
        return add_ascii_form(v, s, n);
    size_t klen, nlen;
    char *key = lf_normalize_word(s, n, false, &klen);
    char *norm = key ? lf_normalize_word(key, klen, true, &nlen) : NULL;
    if (!key || !norm) {
        /* Cannot happen for validated input; keep the bytes rather than fail. */
        free(key);
        free(norm);
        key = lf_xstrndup(s, n);
        norm = lf_xstrndup(s, n);
        klen = nlen = n;
    }
    lf_form *f = next_form(v);
    f->key = lf_arena_strndup(&v->strings, key, klen);
    f->key_len = (uint32_t)klen;
    f->norm = strcmp(key, norm) == 0 ? f->key : lf_arena_strndup(&v->strings, norm, nlen);
    f->norm_len = (uint32_t)nlen;
    free(key);
    free(norm);
    return (uint32_t)(f - v->forms);
}

static void words_grow(lf_vocab *v)
{
    size_t old_cap = v->words_cap;
    word_slot *old = v->words;
    v->words_cap = old_cap * 2;
    v->words = lf_xcalloc(v->words_cap, sizeof *v->words);
    size_t mask = v->words_cap - 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].len)
            continue;
        size_t j = (size_t)word_hash(old[i].a, old[i].b, old[i].len) & mask;
        while (v->words[j].len)
            j = (j + 1) & mask;
        v->words[j] = old[i];
    }
    free(old);
}

/* Where the word with key (a, b, n) and hash h sits in the cache and in the table: the
 * tokenizer prefetches both a few words before it looks the word up. */
static inline word_slot *cache_slot(const lf_vocab *v, uint64_t h)
{
    return &v->cache[h >> (64 - WORD_CACHE_BITS)];
}

/* The form id of the word p[0..n) (n <= WORD_INLINE_MAX) with key (a, b) and hash h,
 * interned when new. */
static inline uint32_t vocab_find(lf_vocab *v, const unsigned char *p, size_t n, uint64_t a,
                                  uint64_t b, uint64_t h)
{
    word_slot *c = cache_slot(v, h);
    if (c->len == n && c->a == a && c->b == b)
        return c->id;
    size_t mask = v->words_cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        word_slot *s = &v->words[i];
        if (s->len == n && s->a == a && s->b == b) {
            *c = *s;
            return s->id;
        }
        if (!s->len)
            break;
    }
    uint32_t id = add_form(v, (const char *)p, n);
    if ((v->words_count + 1) * 4 > v->words_cap * 3)
        words_grow(v);
    mask = v->words_cap - 1;
    size_t i = (size_t)h & mask;
    while (v->words[i].len)
        i = (i + 1) & mask;
    v->words[i] = (word_slot){a, b, (uint32_t)n, id};
    v->words_count++;
    *c = v->words[i];
    return id;
}

/* The form id of a word longer than WORD_INLINE_MAX bytes, interned when new. */
static uint32_t vocab_find_long(lf_vocab *v, const unsigned char *p, size_t n)
{
    uint32_t id;
    if (lf_strmap_get(&v->long_raw, (const char *)p, n, &id))
        return id;
    id = add_form(v, (const char *)p, n);
    lf_strmap_put(&v->long_raw, (const char *)p, n, id);
    return id;
}

uint32_t lf_vocab_intern(lf_vocab *v, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n > WORD_INLINE_MAX)
        return vocab_find_long(v, p, n);
    uint64_t a, b;
    word_key(p, n, NULL, &a, &b);
    return vocab_find(v, p, n, a, b, word_hash(a, b, n));
}

/* ---- character offsets ---- */

/* Code points in t[from, to): the bytes that are not continuation bytes (10xxxxxx), 8 at
 * a time; len is the text's length, so whole 8-byte loads are used where they fit. */
static size_t count_cp(const unsigned char *t, size_t len, size_t from, size_t to)
{
    size_t c = 0, i = from;
    for (; i + 8 <= to; i += 8) {
        uint64_t w;
        memcpy(&w, t + i, 8);
        uint64_t cont = (w & ~(w << 1)) & 0x8080808080808080ULL; /* bit 7 set, bit 6 clear */
        c += 8 - (size_t)(((cont >> 7) * 0x0101010101010101ULL) >> 56);
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (i < to && i + 8 <= len) { /* the last 1..7 bytes in one load too */
        size_t r = to - i;
        uint64_t w;
        memcpy(&w, t + i, 8);
        uint64_t cont = (w & ~(w << 1)) & 0x8080808080808080ULL & (~0ULL >> (64 - 8 * r));
        return c + r - (size_t)(((cont >> 7) * 0x0101010101010101ULL) >> 56);
    }
#else
    (void)len;
#endif
    for (; i < to; i++)
        c += (t[i] & 0xC0) != 0x80;
    return c;
}

size_t lf_char_offset(lf_char_cursor *c, const char *text, size_t len, size_t byte)
{
    const unsigned char *t = (const unsigned char *)text;
    if (byte >= c->byte) {
        c->chars += count_cp(t, len, c->byte, byte);
    } else if (byte < c->byte - byte) { /* nearer the start: count from there */
        c->chars = count_cp(t, len, 0, byte);
    } else {
        c->chars -= count_cp(t, len, byte, c->byte);
    }
    c->byte = byte;
    return c->chars;
}

/* ---- tokens ---- */

void lf_tokens_init(lf_tokens *t)
{
    memset(t, 0, sizeof *t);
}

void lf_tokens_free(lf_tokens *t)
{
    free(t->tok);
    free(t->sent);
    free(t->turn);
    memset(t, 0, sizeof *t);
}

/* A short word with its length known at compile time: the lists are searched at every
 * period. */
typedef struct abbrev {
    unsigned char len;
    char s[7];
} abbrev;
#define AB(w) {sizeof(w) - 1, w}

/* Words after which a period never ends a sentence: titles before names. */
static const abbrev title_abbrevs[] = {
    AB("mr"), AB("mrs"), AB("ms"), AB("messrs"), AB("dr"), AB("prof"), AB("gen"), AB("sen"),
    AB("sens"), AB("rep"), AB("reps"), AB("gov"), AB("lt"), AB("col"), AB("sgt"), AB("capt"),
    AB("cmdr"), AB("adm"), AB("maj"), AB("hon"), AB("rev"), AB("st"), AB("mt"), AB("ft"),
    AB("pres"), AB("amb"), AB("supt"), AB("gens"), AB("vs"), AB("cf"), AB("al"),
    {0, ""}};
/* Words after which a period does not end a sentence when a number follows. */
static const abbrev number_abbrevs[] = {
    AB("no"), AB("nos"), AB("art"), AB("sec"), AB("vol"), AB("p"), AB("pp"), AB("fig"),
    AB("ch"), AB("jan"), AB("feb"), AB("mar"), AB("apr"), AB("jun"), AB("jul"), AB("aug"),
    AB("sep"), AB("sept"), AB("oct"), AB("nov"), AB("dec"), AB("approx"), AB("ca"), AB("op"),
    {0, ""}};
#undef AB

static bool in_list(const abbrev *list, const char *s, size_t n)
{
    for (; list->len; list++)
        if (list->len == n && list->s[0] == s[0] && memcmp(list->s, s, n) == 0)
            return true;
    return false;
}

/* in_list for an ASCII word as written: its norm is the word in lower case. */
static bool in_list_ascii(const abbrev *list, const unsigned char *s, size_t n)
{
    if (n >= sizeof list->s)
        return false;
    char low[sizeof list->s];
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]);
    return in_list(list, low, n);
}

typedef enum { END_NONE, END_PERIOD, END_HARD } pending_end;

/* A word missing from the cache of recent words is looked up in the vocabulary's table a
 * few words after it is scanned: its table slot is prefetched when it is queued, so that
 * by the time it is looked up the slot is in the processor's cache. The queue is first in,
 * first out, so forms are still numbered in the order of first occurrence. */
#define WORD_LOOKAHEAD 8

typedef struct queued_word {
    uint64_t a, b, h; /* word_key and word_hash (words of up to WORD_INLINE_MAX bytes) */
    uint32_t tok;     /* the token whose form is to be filled in */
} queued_word;

typedef struct tok_state {
    lf_vocab *v;
    lf_tokens *out;
    const lf_doc *doc;
    uint32_t turn;
    uint32_t clause;
    uint32_t sent_open; /* 1 when a sentence of the current turn has tokens */
    pending_end pend;
    queued_word queue[WORD_LOOKAHEAD];
    unsigned q_head, q_n;
} tok_state;

/* Looks up the oldest queued word and fills in its token's form. */
static void resolve_queued(tok_state *st)
{
    const queued_word *q = &st->queue[st->q_head];
    lf_token *t = &st->out->tok[q->tok];
    const unsigned char *p = (const unsigned char *)st->doc->text + t->start;
    size_t n = t->end - t->start;
    t->form = n > WORD_INLINE_MAX ? vocab_find_long(st->v, p, n)
                                  : vocab_find(st->v, p, n, q->a, q->b, q->h);
    st->q_head = (st->q_head + 1) % WORD_LOOKAHEAD;
    st->q_n--;
}

/* Fills in the forms of all queued words. */
static void flush_words(tok_state *st)
{
    while (st->q_n)
        resolve_queued(st);
}

/* Fills in the form of token tok, the word p[0..n), at once when the word is in the cache
 * of recent words (most are); otherwise queues it for lookup. Forms found in the cache
 * exist already, so taking them out of turn numbers no form differently. */
static void queue_word(tok_state *st, uint32_t tok, const unsigned char *p, size_t n)
{
    uint64_t a = 0, b = 0, h = 0;
    if (n <= WORD_INLINE_MAX) {
        word_key(p, n, (const unsigned char *)st->doc->text + st->doc->len, &a, &b);
        uint64_t m = word_premix(a, b, n);
        const word_slot *c = cache_slot(st->v, m);
        if (c->len == n && c->a == a && c->b == b) {
            st->out->tok[tok].form = c->id;
            return;
        }
        h = m ^ (m >> 29); /* word_hash */
#if defined(__GNUC__)
        __builtin_prefetch(&st->v->words[h & (st->v->words_cap - 1)]);
#endif
    }
    if (st->q_n == WORD_LOOKAHEAD)
        resolve_queued(st);
    queued_word *q = &st->queue[(st->q_head + st->q_n++) % WORD_LOOKAHEAD];
    *q = (queued_word){a, b, h, tok};
}

static void close_sentence(tok_state *st)
{
    if (st->sent_open) {
        lf_tokens *o = st->out;
        o->sent[o->n_sent - 1].tok_end = (uint32_t)o->n_tok;
        st->sent_open = 0;
        st->clause++;
    }
    st->pend = END_NONE;
}

/* Decides a pending period before the word [p, e) starts: does it end the sentence? */
static bool period_ends_sentence(tok_state *st, const unsigned char *p, const unsigned char *e)
{
    const lf_tokens *o = st->out;
    if (!st->sent_open || o->n_tok == 0)
        return false;
    int32_t cp;
    next_cp(p, e, &cp);
    unsigned c = cp_class(cp);
    if (c & C_LOWER)
        return false; /* "approx. five", "e.g. this" */
    /* the word before the period by its norm: an ASCII word's is its lower case, read
       from the text; any other's needs its form looked up (the queue flushed) */
    const lf_token *pt = &o->tok[o->n_tok - 1];
    const unsigned char *pw = (const unsigned char *)st->doc->text + pt->start;
    size_t pn = pt->end - pt->start;
    bool ascii = true;
    for (size_t i = 0; i < pn && ascii; i++)
        ascii = pw[i] < 0x80;
    if (ascii) {
        if (in_list_ascii(title_abbrevs, pw, pn) ||
            ((c & C_DIGIT) && in_list_ascii(number_abbrevs, pw, pn)))
            return false;
    } else {
        flush_words(st);
        const lf_form *prev = lf_vocab_form(st->v, pt->form);
        if (in_list(title_abbrevs, prev->norm, prev->norm_len) ||
            ((c & C_DIGIT) && in_list(number_abbrevs, prev->norm, prev->norm_len)))
            return false;
    }
    /* an initial: "John F. Kennedy" */
    int32_t pc;
    size_t n1 = next_cp((const unsigned char *)st->doc->text + pt->start,
                        (const unsigned char *)st->doc->text + pt->end, &pc);
    if (n1 == pt->end - pt->start && (cp_class(pc) & C_UPPER))
        return false;
    return true;
}

/* Before the word [p, e): ends the sentence when a break or a period pending says so, and
 * opens a sentence when none is open. Out of line: most words need neither. */
static void start_word(tok_state *st, const unsigned char *p, const unsigned char *e)
{
    lf_tokens *o = st->out;
    if (st->pend == END_HARD || (st->pend == END_PERIOD && period_ends_sentence(st, p, e)))
        close_sentence(st);
    st->pend = END_NONE;
    if (!st->sent_open) {
        lf_grow((void **)&o->sent, &o->cap_sent, o->n_sent + 1, sizeof *o->sent);
        o->sent[o->n_sent++] = (lf_sentence){(uint32_t)o->n_tok, (uint32_t)o->n_tok, st->turn};
        st->sent_open = 1;
    }
}

/* Appends the word [p, e) as a token; the caller has made room for it in out->tok. */
static inline void add_token(tok_state *st, const unsigned char *base, const unsigned char *p,
                             const unsigned char *e)
{
    if (st->pend != END_NONE || !st->sent_open)
        start_word(st, p, e);
    lf_tokens *o = st->out;
    uint32_t i = (uint32_t)o->n_tok++;
    lf_token *t = &o->tok[i];
    t->start = (uint32_t)(p - base);
    t->end = (uint32_t)(e - base);
    t->clause = st->clause;
    t->sentence = (uint32_t)(o->n_sent - 1);
    queue_word(st, i, p, (size_t)(e - p));
}

/* Punctuation between words: sentence ends, clause breaks, paragraph breaks. */
static const unsigned char *punct(tok_state *st, const unsigned char *p, const unsigned char *end,
                                  unsigned *newlines)
{
    int32_t cp;
    size_t n = next_cp(p, end, &cp);
    switch (cp) {
    case '\n':
        (*newlines)++;
        break;
    case '\r':
        if (p + 1 < end && p[1] == '\n')
            n = 2;
        (*newlines)++;
        break;
    case ' ':
    case '\t':
    case '\f':
    case '\v':
    case 0xA0:
    case 0x2009:
    case 0x202F:
    case 0x3000:
        break;
    case '.':
    case 0x2026: /* … */
        if (st->pend != END_HARD)
            st->pend = END_PERIOD;
        *newlines = 0;
        break;
    case '!':
    case '?':
    case 0x203D:
        st->pend = END_HARD;
        *newlines = 0;
        break;
    case ',':
    case ';':
    case ':':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case 0x2013: /* – */
    case 0x2014: /* — */
    case 0x2015:
        st->clause++;
        *newlines = 0;
        break;
    case '-':
        /* "--" as a dash */
        if (p + 1 < end && p[1] == '-')
            st->clause++;
        *newlines = 0;
        break;
    default:
        *newlines = 0;
        break;
    }
    if (*newlines >= 2 && !st->doc->span_src) {
        /* a blank line: paragraph break (text extracted from markup has its paragraphs
           in lf_span_src.para instead) */
        if (st->sent_open)
            st->pend = END_HARD;
    }
    return p + n;
}

static inline unsigned ctz64(uint64_t x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* 64 bytes of a span as bit masks, bit i for byte i: the ASCII letters and digits, and the
 * events — every byte but a space, which changes nothing between words. Bytes past the
 * span's end are neither. */
typedef struct text_block {
    uint64_t alnum, event;
} text_block;

/* The block at p, of which n bytes (1..64) are the span's and `readable` (>= n) may be
 * read. */
static inline void load_block(const unsigned char *p, size_t n, size_t readable,
                              text_block *b)
{
    unsigned char tmp[64];
    if (readable < 64) { /* the end of the text: no reading past it */
        memset(tmp, 0, sizeof tmp);
        memcpy(tmp, p, readable);
        p = tmp;
    }
    uint64_t alnum = 0, space = 0;
#if defined(__SSE2__)
    for (unsigned k = 0; k < 64; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        alnum |= (uint64_t)alnum_mask16(v) << k;
        space |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')))
                 << k;
    }
#else
    for (unsigned k = 0; k < 64; k++) {
        alnum |= (uint64_t)(p[k] < 0x80 && (ascii_class[p[k]] & (C_ALPHA | C_DIGIT))) << k;
        space |= (uint64_t)(p[k] == ' ') << k;
    }
#endif
    uint64_t in_span = n >= 64 ? ~0ULL : (1ULL << n) - 1;
    b->alnum = alnum & in_span;
    b->event = ~space & in_span;
}

/* The end of the word that starts at s with a run of ASCII letters and digits ending at e,
 * before a byte that may continue it (may_continue): what scan_word(s, end, lim, NULL)
 * returns, with the common cases taken here — the word ends at e, or an apostrophe or
 * hyphen joins another run. After such a join scan_word goes on as from a new word (its
 * state is reset there), so the rest can start from the join. */
static const unsigned char *ascii_word_end(const unsigned char *s, const unsigned char *e,
                                           const unsigned char *end, const unsigned char *lim)
{
    for (;;) {
        int32_t cp;
        const unsigned char *q = e + next_cp(e, end, &cp);
        if (cp_class(cp) & (C_ALPHA | C_DIGIT))
            return scan_word(s, end, lim, NULL); /* a letter beyond ASCII */
        bool join = is_apostrophe(cp) || is_hyphen(cp);
        if (!join && cp != '.' && cp != ',')
            return e;
        size_t n;
        if (q == end || !(class_at(q, end, NULL, &n) & (C_ALPHA | C_DIGIT)))
            return e; /* no word character follows: every rule needs one */
        if (!join || *q >= 0x80)
            return scan_word(s, end, lim, NULL);
        s = q;
        e = ascii_alnum_end(s, end, lim);
        if (e == end || !may_continue[*e])
            return e;
    }
}

static lf_status token_too_long(const tok_state *st, const unsigned char *p,
                                const unsigned char *e, uint64_t max_tok, lf_error *err)
{
    const lf_doc *doc = st->doc;
    size_t off = (size_t)(p - (const unsigned char *)doc->text);
    lf_error_at(err, LF_ERR_LIMIT, doc->path, lf_doc_line_of(doc, off), 0,
                "word of %zu bytes at byte offset %zu exceeds the token-bytes "
                "limit (%llu); raise it with --limit token-bytes=N",
                (size_t)(e - p), off, (unsigned long long)max_tok);
    return LF_ERR_LIMIT;
}

/* Tokenizes the span [p, end) of the current turn. The span is read 64 bytes at a time as
 * bit masks: the next event is the lowest set bit, and a word of ASCII letters and digits
 * ends at the first clear bit of the alnum mask — unless the byte there may continue it
 * (' - . , or a byte beyond ASCII with a word character after it), when scan_word decides.
 * Words not starting with an ASCII letter or digit go to scan_word, other bytes to punct,
 * all in text order. */
static lf_status tokenize_span(tok_state *st, const unsigned char *p, const unsigned char *end,
                               unsigned *newlines, uint64_t max_tok, lf_error *err)
{
    const unsigned char *base = (const unsigned char *)st->doc->text;
    const unsigned char *lim = base + st->doc->len;
    lf_tokens *o = st->out;
    while (p < end) {
        size_t n = (size_t)(end - p) < 64 ? (size_t)(end - p) : 64;
        text_block b;
        load_block(p, n, (size_t)(lim - p), &b);
        /* at most 64 words start in the block: room for them all at once */
        lf_grow((void **)&o->tok, &o->cap_tok, o->n_tok + 64, sizeof *o->tok);
        const unsigned char *blk = p;
        size_t i = 0; /* the block's bytes before i are done */
        for (;;) {
            uint64_t ev = b.event & (~0ULL << i);
            if (!ev) {
                p = blk + n;
                break;
            }
            i = ctz64(ev);
            const unsigned char *w = blk + i, *e;
            if ((b.alnum >> i) & 1) {
                uint64_t past = ~b.alnum >> i;
                if (!past) { /* the run goes on past the block */
                    if (i) {
                        p = w; /* the next block starts with the word */
                        break;
                    }
                    e = ascii_alnum_end(w, end, lim);
                    if (e < end && may_continue[*e])
                        e = ascii_word_end(w, e, end, lim);
                } else {
                    e = w + ctz64(past);
                    /* ' - . , join only what a word character follows */
                    if (e < end && may_continue[*e] &&
                        (*e >= 0x80 ||
                         (e + 1 < end &&
                          (e[1] >= 0x80 || (ascii_class[e[1]] & (C_ALPHA | C_DIGIT))))))
                        e = ascii_word_end(w, e, end, lim);
                }
            } else {
                size_t len;
                if (*w < 0x80 || !(class_at(w, end, NULL, &len) & (C_ALPHA | C_DIGIT))) {
                    i = (size_t)(punct(st, w, end, newlines) - blk);
                    if (i >= 64) {
                        p = blk + i;
                        break;
                    }
                    continue;
                }
                e = scan_word(w, end, lim, NULL);
            }
            if ((uint64_t)(e - w) > max_tok)
                return token_too_long(st, w, e, max_tok, err);
            *newlines = 0;
            add_token(st, base, w, e);
            i = (size_t)(e - blk);
            if (i >= 64) {
                p = e;
                break;
            }
        }
    }
    return LF_OK;
}

lf_status lf_tokenize_doc(lf_vocab *v, const lf_doc *doc, const lf_options *opt,
                          lf_tokens *out, lf_error *err)
{
    init_ascii_class();
    out->n_tok = out->n_sent = out->n_turn = 0;
    lf_grow((void **)&out->turn, &out->cap_turn, doc->n_turns, sizeof *out->turn);
    uint64_t max_tok = opt ? opt->limits[LF_LIMIT_TOKEN_BYTES] : 1024;
    tok_state st = {.v = v, .out = out, .doc = doc};
    const unsigned char *base = (const unsigned char *)doc->text;
    for (size_t ti = 0; ti < doc->n_turns; ti++) {
        const lf_turn *turn = &doc->turns[ti];
        st.turn = (uint32_t)ti;
        st.sent_open = 0;
        st.pend = END_NONE;
        lf_turn_range *tr = &out->turn[out->n_turn++];
        tr->tok_first = (uint32_t)out->n_tok;
        tr->sent_first = (uint32_t)out->n_sent;
        unsigned newlines = 0;
        for (size_t si = 0; si < turn->span_count; si++) {
            const lf_span *sp = &doc->spans[turn->span_first + si];
            if (doc->span_src && doc->span_src[turn->span_first + si].para && st.sent_open)
                st.pend = END_HARD; /* a new segment or sentence element */
            if (tokenize_span(&st, base + sp->start, base + sp->end, &newlines, max_tok,
                              err) != LF_OK) {
                flush_words(&st);
                return LF_ERR_LIMIT;
            }
        }
        close_sentence(&st);
        tr->tok_end = (uint32_t)out->n_tok;
        tr->sent_end = (uint32_t)out->n_sent;
    }
    flush_words(&st);
    return LF_OK;
}
