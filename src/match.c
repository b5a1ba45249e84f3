/* match.c — stage 3: lexicon entries found in a tokenized document.
 * Compilation turns every distinct word pattern of the lexicon (literal, prefix glob,
 * general glob; folded or case-sensitive) into a pattern id, and every word/phrase entry
 * into a path through a trie keyed by (node, pattern id). At match time each word form is
 * resolved to its pattern ids once and cached by form id, so the text is walked once per
 * document whatever the size of the lexicon. Regex entries alone go to PCRE2, over each
 * sentence's words joined by single spaces. Then, per sentence: exclusions, negation and its
 * per-theme policy, and overlap resolution (longest match wins). */
#include "match.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PID_ANY UINT32_MAX /* "*" alone as a phrase word: any one word */

/* ---- a uint64 → uint32 open-addressing map for trie edges ---- */
typedef struct edge_map {
    uint64_t *keys; /* 0 = empty; keys are stored +1 */
    uint32_t *vals;
    size_t cap, count;
} edge_map;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static bool edge_get(const edge_map *m, uint64_t key, uint32_t *val)
{
    if (!m->cap)
        return false;
    key++;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)mix64(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return true;
        }
        if (!m->keys[i])
            return false;
    }
}

static void edge_put(edge_map *m, uint64_t key, uint32_t val)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t oc = m->cap;
        uint64_t *ok = m->keys;
        uint32_t *ov = m->vals;
        m->cap = oc ? oc * 2 : 256;
        m->keys = lf_xcalloc(m->cap, sizeof *m->keys);
        m->vals = lf_xcalloc(m->cap, sizeof *m->vals);
        m->count = 0;
        for (size_t i = 0; i < oc; i++)
            if (ok[i])
                edge_put(m, ok[i] - 1, ov[i]);
        free(ok);
        free(ov);
    }
    uint64_t k = key + 1;
    size_t mask = m->cap - 1;
    size_t i = (size_t)mix64(k) & mask;
    while (m->keys[i] && m->keys[i] != k)
        i = (i + 1) & mask;
    if (!m->keys[i])
        m->count++;
    m->keys[i] = k;
    m->vals[i] = val;
}

static void edge_free(edge_map *m)
{
    free(m->keys);
    free(m->vals);
}

/* ---- compiled lexicon ---- */

typedef struct glob_pat {
    const char *text;
    uint32_t len;
    uint32_t pid;
    bool case_sensitive;
} glob_pat;

typedef struct trie_node {
    uint32_t term_first, term_n; /* entries ending here: term_pool[first .. first+n) */
    uint32_t kids;               /* its children (a walk ends at a node without any) */
    uint32_t any_child;          /* its child by "*", UINT32_MAX if none */
} trie_node;

typedef struct regex_entry {
    pcre2_code *code;
    uint32_t entry;
    bool case_sensitive;
    /* Prefilter clauses (see lf_regex_prefilter); 0 = the regex runs on every sentence */
    uint32_t n_clauses;
} regex_entry;

/* One literal of a regex prefilter: a word containing it satisfies clause `clause` of
 * regex `regex`. */
typedef struct rx_literal {
    char *text;
    uint32_t len;
    uint32_t regex, clause;
} rx_literal;

/* What the matcher knows of one word form. */
typedef struct form_info {
    uint32_t off;    /* its pids: pid_pool[off, off + npid); UINT32_MAX = not computed */
    uint32_t rx_off; /* regex prefilter: rx_pool[rx_off, rx_off + rx_n) are the regexes
                        (regex * 32 + clause) whose literal its word contains */
    uint16_t npid, rx_n;
    uint8_t neg;    /* a negator */
    uint8_t starts; /* one of its pids leads from the trie's root: it may start an entry */
} form_info;

/* The bits of lf_matcher.fflag. */
enum {
    FF_RESOLVED = 1, /* the form's record is computed */
    FF_PLAIN = 2,    /* it starts no entry and holds no regex literal (most words) */
    FF_PID = 4,      /* it has patterns (npid > 0) */
    FF_NEG = 8,      /* a negator */
};

/* A candidate match while resolving one sentence. */
typedef struct cand {
    uint32_t start, end, theme, entry;
    int32_t negator;
    uint8_t status;
    bool negated, exclude;
} cand;

struct lf_matcher {
    const lf_lexicon *lex;
    lf_vocab *vocab;
    lf_overlap overlap;
    /* word patterns */
    lf_strmap lit_fold, lit_case;       /* literal text → pid */
    lf_strmap prefix_fold, prefix_case; /* "abc*" prefix → pid */
    LF_VEC(glob_pat) globs;             /* other globs */
    size_t max_prefix_len;
    /* what a word must have for a prefix lookup to find anything, so that most new forms
       need none: a prefix of its length (bit k for k bytes, bit 63 for 63 or more), and
       for 2 bytes or more, its first two bytes as some prefix's (65536 bits) */
    uint64_t prefix_lens;
    uint64_t prefix_pairs[65536 / 64];
    uint32_t n_pids;
    uint32_t *root_child; /* per pid: its child of the trie's root, UINT32_MAX if none */
    /* trie */
    LF_VEC(trie_node) nodes;
    edge_map edges;
    LF_VEC(uint32_t) term_pool;
    /* regexes */
    LF_VEC(regex_entry) regexes;
    bool regex_needs_fold, regex_needs_case;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    pcre2_match_data *md;
    /* negators: folded words, and whether "n't" suffixes count */
    lf_strmap negators;
    bool neg_nt;
    int window;
    /* per-form cache, computed on first sight: one record per form, so that a word costs
       one cache line, and a byte per form for the words that need nothing more */
    form_info *finfo;
    uint8_t *fflag; /* per form, FF_* bits (0 until its record is computed): what the loops
                       over every word and the phrase walks test, a byte a word instead of a
                       record a word, so that they stay in the processor's caches */
    size_t cache_cap;
    LF_VEC(uint32_t) pid_pool;
    /* scratch */
    LF_VEC(cand) cands;
    LF_VEC(uint32_t) states, next_states;
    bool star_next; /* some state in next_states has a "*" child */
    lf_buf joined_fold, joined_case;       /* the current sentence's words, joined */
    uint32_t joined_fold_sent, joined_case_sent; /* rx_serial they were built for */
    LF_VEC(uint32_t) off_fold;             /* word offsets in the last one built */
    LF_VEC(uint32_t) rx_pool; /* see form_info.rx_off */
    LF_VEC(uint32_t) rx_always;  /* regexes without a literal: run on every sentence */
    LF_VEC(uint32_t) rx_run;     /* regexes to run on the current sentence */
    LF_VEC(rx_literal) rx_lits;  /* every prefilter literal */
    /* literals by their first two bytes: rx_bigram[b] .. rx_bigram[b + 1] index
       rx_by_bigram (built once, when the first form is resolved) */
    uint32_t *rx_bigram;
    uint64_t *rx_pairs; /* 65536 bits: the first two bytes of some literal */
    LF_VEC(uint32_t) rx_by_bigram;
    uint32_t *rx_lit_stamp;
    uint32_t rx_lit_serial;
    LF_VEC(uint32_t) rx_touched; /* regexes with a literal seen in the current sentence */
    uint32_t *rx_stamp;          /* == rx_serial when the regex is in rx_touched */
    uint32_t *rx_seen;           /* clauses satisfied in the current sentence (bit mask) */
    uint32_t rx_serial;
    bool has_exclusions;
    uint64_t limit_match, limit_heap; /* regex-match, regex-heap-kib (for messages) */
    /* per token of the current sentence: 1 + the candidate covering it, or 0 (kept all
       zero between uses; see cover_for) */
    LF_VEC(uint32_t) cover;
    /* context rules: one occurrence list per operand of every rule, in rule order */
    struct rule_occs *occs;
    size_t n_occs;
    LF_VEC(uint8_t) failed; /* per match of the document: a context rule fails */
};

static uint32_t pattern_id(lf_matcher *m, const lf_word_pattern *w, bool cs)
{
    if (w->len == 1 && w->text[0] == '*')
        return PID_ANY;
    if (!w->glob) {
        lf_strmap *map = cs ? &m->lit_case : &m->lit_fold;
        bool added;
        uint32_t pid = lf_strmap_intern(map, w->text, w->len, m->n_pids, &added);
        if (added)
            m->n_pids++;
        return pid;
    }
    /* a prefix glob: a single '*' at the end and no other wildcard */
    bool prefix = w->text[w->len - 1] == '*';
    for (uint32_t i = 0; prefix && i + 1 < w->len; i++)
        if (w->text[i] == '*' || w->text[i] == '?')
            prefix = false;
    if (prefix) {
        lf_strmap *map = cs ? &m->prefix_case : &m->prefix_fold;
        bool added;
        uint32_t pid = lf_strmap_intern(map, w->text, w->len - 1, m->n_pids, &added);
        if (added) {
            size_t n = w->len - 1;
            m->n_pids++;
            if (n > m->max_prefix_len)
                m->max_prefix_len = n;
            m->prefix_lens |= 1ULL << (n < 63 ? n : 63);
            if (n >= 2) {
                unsigned pair = (unsigned)((unsigned char)w->text[0] << 8 |
                                           (unsigned char)w->text[1]);
                m->prefix_pairs[pair / 64] |= 1ULL << (pair % 64);
            }
        }
        return pid;
    }
    for (size_t i = 0; i < m->globs.n; i++) {
        const glob_pat *g = &m->globs.v[i];
        if (g->case_sensitive == cs && g->len == w->len && memcmp(g->text, w->text, w->len) == 0)
            return g->pid;
    }
    glob_pat g = {w->text, w->len, m->n_pids++, cs};
    LF_VEC_PUSH(m->globs, g);
    return g.pid;
}

static uint32_t trie_child(lf_matcher *m, uint32_t node, uint32_t pid, bool create)
{
    uint64_t key = ((uint64_t)node << 32) | pid;
    uint32_t child;
    if (edge_get(&m->edges, key, &child))
        return child;
    if (!create)
        return UINT32_MAX;
    child = (uint32_t)m->nodes.n;
    trie_node tn = {0, 0, 0, UINT32_MAX};
    LF_VEC_PUSH(m->nodes, tn);
    edge_put(&m->edges, key, child);
    m->nodes.v[node].kids++;
    if (pid == PID_ANY)
        m->nodes.v[node].any_child = child;
    return child;
}

/* Terminal entry lists are built in two passes so each node's entries are contiguous. */
static void build_terminals(lf_matcher *m, const uint32_t *entry_node, size_t n_entries)
{
    for (size_t e = 0; e < n_entries; e++)
        if (entry_node[e] != UINT32_MAX)
            m->nodes.v[entry_node[e]].term_n++;
    uint32_t off = 0;
    for (size_t i = 0; i < m->nodes.n; i++) {
        m->nodes.v[i].term_first = off;
        off += m->nodes.v[i].term_n;
        m->nodes.v[i].term_n = 0;
    }
    lf_grow((void **)&m->term_pool.v, &m->term_pool.cap, off, sizeof(uint32_t));
    m->term_pool.n = off;
    for (size_t e = 0; e < n_entries; e++) {
        if (entry_node[e] == UINT32_MAX)
            continue;
        trie_node *tn = &m->nodes.v[entry_node[e]];
        m->term_pool.v[tn->term_first + tn->term_n++] = (uint32_t)e;
    }
}

static void add_negator(lf_matcher *m, const char *word)
{
    size_t n;
    char *w = lf_normalize_word(word, strlen(word), true, &n);
    if (!w)
        return;
    if (strcmp(w, "n't") == 0)
        m->neg_nt = true;
    else
        lf_strmap_put(&m->negators, w, n, 1);
    free(w);
}

static void setup_negators(lf_matcher *m, const lf_options *opt)
{
    lf_strmap_init(&m->negators);
    if (opt && opt->negators) {
        const char *p = opt->negators;
        while (*p) {
            while (*p == ',' || *p == ' ' || *p == '\t')
                p++;
            const char *s = p;
            while (*p && *p != ',' && *p != ' ' && *p != '\t')
                p++;
            if (p > s) {
                char *w = lf_xstrndup(s, (size_t)(p - s));
                add_negator(m, w);
                free(w);
            }
        }
    } else if (m->lex->n_negators) {
        for (size_t i = 0; i < m->lex->n_negators; i++)
            add_negator(m, m->lex->negators[i]);
    } else {
        for (size_t i = 0; lf_default_negators[i]; i++)
            add_negator(m, lf_default_negators[i]);
    }
    m->window = LF_DEFAULT_NEGATION_WINDOW;
    if (m->lex->negation_window >= 0)
        m->window = m->lex->negation_window;
    if (opt && opt->negation_window >= 0)
        m->window = opt->negation_window;
}

/* Skips a (…) group or […] class starting at p[i]; returns the index after it, or 0 when
 * the pattern is not simple enough to skip safely. */
static size_t skip_bracket(const char *p, size_t n, size_t i)
{
    if (p[i] == '[') {
        i++;
        if (i < n && p[i] == '^')
            i++;
        if (i < n && p[i] == ']') /* a ']' first is a member */
            i++;
        for (; i < n; i++) {
            if (p[i] == '\\')
                i++;
            else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':')
                return 0; /* POSIX classes: do not guess */
            else if (p[i] == ']')
                return i + 1;
        }
        return 0;
    }
    int depth = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 < n && (p[i + 1] == 'Q' || p[i + 1] == 'E'))
                return 0;
            i++;
        } else if (c == '[') {
            size_t j = skip_bracket(p, n, i);
            if (!j)
                return 0;
            i = j - 1;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

/* True when p[i] starts a quantifier that allows zero repetitions. */
static bool optional_quantifier(const char *p, size_t n, size_t i)
{
    return i < n && (p[i] == '?' || p[i] == '*' || (p[i] == '{' && i + 1 < n && p[i + 1] == '0'));
}

typedef LF_VEC(char) char_vec;

/* The clauses of pattern p[0, n) (see lf_regex_prefilter), appended to out as
 * "lit|lit&lit…". Returns false when the pattern must not be filtered at all. */
static bool prefilter_clauses(const char *p, size_t n, lf_buf *out);

/* For a group's alternatives: the longest single-literal clause of each, joined by '|'
 * into out; false when some alternative has none. */
static bool group_alternatives(const char *p, size_t n, lf_buf *out)
{
    size_t start = 0;
    int depth = 0;
    bool first = true;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] == '\\') {
            i++;
            continue;
        }
        if (i < n && p[i] == '[') {
            size_t j = skip_bracket(p, n, i);
            if (!j)
                return false;
            i = j - 1;
            continue;
        }
        if (i < n && p[i] == '(')
            depth++;
        else if (i < n && p[i] == ')')
            depth--;
        if (i < n && !(p[i] == '|' && depth == 0))
            continue;
        lf_buf alt = {0};
        bool ok = prefilter_clauses(p + start, i - start, &alt);
        /* keep the longest literal that is a whole clause on its own */
        const char *best = NULL;
        size_t best_len = 0;
        for (const char *c = alt.data; ok && c && *c;) {
            size_t len = strcspn(c, "&");
            if (!memchr(c, '|', len) && len > best_len) {
                best = c;
                best_len = len;
            }
            c += len + (c[len] == '&');
        }
        if (ok && best) {
            if (!first)
                lf_buf_putc(out, '|');
            lf_buf_append(out, best, best_len);
            first = false;
        }
        lf_buf_free(&alt);
        if (!ok || !best)
            return false;
        start = i + 1;
    }
    return !first;
}

static void add_clause(lf_buf *out, const char *lit, size_t len)
{
    if (out->len)
        lf_buf_putc(out, '&');
    lf_buf_append(out, lit, len);
}

static bool prefilter_clauses(const char *p, size_t n, lf_buf *out)
{
    size_t run_at = 0, run_len = 0;
#define END_RUN()                                                                              \
    do {                                                                                       \
        if (run_len >= 3)                                                                      \
            add_clause(out, p + run_at, run_len);                                              \
        run_len = 0;                                                                           \
    } while (0)
    for (size_t i = 0; i < n;) {
        char c = p[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum) {
            /* a quantifier after it makes it optional (?, *, {0…) or repeatable (+, {n…) */
            if (optional_quantifier(p, n, i + 1)) {
                END_RUN();
                i += 2;
                continue;
            }
            if (run_len == 0)
                run_at = i;
            run_len++;
            i++;
            if (i < n && (p[i] == '+' || p[i] == '{'))
                END_RUN();
            continue;
        }
        END_RUN();
        if (c == '|')
            return false; /* an alternative at this level: nothing is required */
        if (c == '(') {
            size_t j = skip_bracket(p, n, i);
            if (!j)
                return false;
            /* (…), (?:…), (?<name>…): a group whose every alternative requires a literal
               requires one of them, unless a quantifier lets it occur zero times */
            size_t body = i + 1;
            if (p[body] == '?') {
                if (p[body + 1] == ':')
                    body += 2;
                else if (p[body + 1] == '<' && p[body + 2] != '=' && p[body + 2] != '!')
                    body = (size_t)((const char *)memchr(p + body, '>', j - body) - p) + 1;
                else
                    body = 0; /* lookarounds and the like: skip */
            }
            if (body && body < j && !optional_quantifier(p, n, j)) {
                lf_buf alts = {0};
                if (group_alternatives(p + body, j - 1 - body, &alts))
                    add_clause(out, alts.data, alts.len);
                lf_buf_free(&alts);
            }
            i = j;
            if (i < n && (p[i] == '?' || p[i] == '*' || p[i] == '+'))
                i++;
        } else if (c == '[') {
            size_t j = skip_bracket(p, n, i);
            if (!j)
                return false;
            i = j;
        } else if (c == '\\') {
            if (i + 1 < n && strchr("QEpPxNkgoc", p[i + 1]))
                return false; /* escapes with arguments: do not guess */
            i += 2;
        } else {
            i++;
        }
    }
    END_RUN();
#undef END_RUN
    return true;
}

char *lf_regex_prefilter(const char *p, bool fold)
{
    size_t n = strlen(p);
    for (size_t i = 0; i + 2 < n; i++)
        if (p[i] == '(' && (p[i + 1] == '*' ||
                            (p[i + 1] == '?' && (p[i + 2] == '-' || p[i + 2] == '^' ||
                                                 (((p[i + 2] | 32) >= 'a' && (p[i + 2] | 32) <= 'z') &&
                                                  p[i + 2] != 'P')))))
            return NULL; /* inline options or verbs change what follows */
    lf_buf out = {0};
    if (!prefilter_clauses(p, n, &out) || out.len == 0) {
        lf_buf_free(&out);
        return NULL;
    }
    if (fold)
        for (size_t i = 0; i < out.len; i++)
            if (out.data[i] >= 'A' && out.data[i] <= 'Z')
                out.data[i] = (char)(out.data[i] + ('a' - 'A'));
    return out.data;
}

/* Parses a prefilter ("a|b&c") into the matcher's literal table for regex r. */
static void add_prefilter(lf_matcher *m, uint32_t r, const char *pf)
{
    uint32_t clause = 0;
    for (const char *c = pf; *c;) {
        size_t len = strcspn(c, "|&");
        rx_literal lit = {lf_xstrndup(c, len), (uint32_t)len, r, clause};
        LF_VEC_PUSH(m->rx_lits, lit);
        c += len;
        if (*c == '&')
            clause++;
        if (*c)
            c++;
    }
    m->regexes.v[r].n_clauses = clause + 1;
}

static bool compile_regex(lf_matcher *m, uint32_t ei, lf_error *err)
{
    const lf_entry *e = &m->lex->entries[ei];
    /* MULTILINE: the joined buffer has one sentence per line, so ^ and $ stay the
       sentence's start and end */
    uint32_t flags = PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK | PCRE2_MULTILINE;
    if (!e->case_sensitive)
        flags |= PCRE2_CASELESS;
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)e->regex, PCRE2_ZERO_TERMINATED, flags, &code,
                                   &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        /* the regex starts after the entry's opening slash (and '!' for exclusions) */
        size_t col = e->col + (e->exclude ? 2 : 1) + off;
        lf_error_at(err, LF_ERR_LEXICON, e->file, e->line, col, "invalid regex: %s", msg);
        return false;
    }
    if (lf_regex_jit_enabled())
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    regex_entry r = {re, ei, e->case_sensitive, 0};
    uint32_t idx = (uint32_t)m->regexes.n;
    LF_VEC_PUSH(m->regexes, r);
    char *pf = lf_regex_prefilter(e->regex, !e->case_sensitive);
    size_t clauses = 0;
    for (const char *c = pf; c && *c; c++)
        clauses += *c == '&';
    /* satisfied clauses are kept in a 32-bit mask; a regex with more just always runs */
    if (pf && clauses < 32)
        add_prefilter(m, idx, pf);
    else
        LF_VEC_PUSH(m->rx_always, idx);
    free(pf);
    if (e->case_sensitive)
        m->regex_needs_case = true;
    else
        m->regex_needs_fold = true;
    return true;
}

lf_matcher *lf_matcher_new(const lf_lexicon *lex, const lf_options *opt, lf_vocab *vocab,
                           lf_error *err)
{
    lf_matcher *m = lf_xcalloc(1, sizeof *m);
    m->lex = lex;
    m->vocab = vocab;
    m->overlap = opt ? opt->overlap : LF_OVERLAP_INDEPENDENT;
    lf_strmap_init(&m->lit_fold);
    lf_strmap_init(&m->lit_case);
    lf_strmap_init(&m->prefix_fold);
    lf_strmap_init(&m->prefix_case);
    trie_node root = {0, 0, 0, UINT32_MAX};
    LF_VEC_PUSH(m->nodes, root);
    setup_negators(m, opt);

    uint32_t *entry_node = lf_xmalloc((lex->n_entries ? lex->n_entries : 1) * sizeof(uint32_t));
    for (size_t ei = 0; ei < lex->n_entries; ei++) {
        const lf_entry *e = &lex->entries[ei];
        entry_node[ei] = UINT32_MAX;
        if (e->exclude)
            m->has_exclusions = true;
        if (e->kind == LF_ENTRY_REGEX) {
            if (!compile_regex(m, (uint32_t)ei, err)) {
                free(entry_node);
                lf_matcher_free(m);
                return NULL;
            }
            continue;
        }
        if (e->n_words == 0)
            continue;
        uint32_t node = 0;
        for (size_t w = 0; w < e->n_words; w++)
            node = trie_child(m, node, pattern_id(m, &e->words[w], e->case_sensitive), true);
        entry_node[ei] = node;
    }
    build_terminals(m, entry_node, lex->n_entries);
    free(entry_node);
    /* most words start nothing or start at the root: those steps need no hash lookup */
    m->root_child = lf_xcalloc(m->n_pids ? m->n_pids : 1, sizeof *m->root_child);
    for (uint32_t pid = 0; pid < m->n_pids; pid++)
        m->root_child[pid] = trie_child(m, 0, pid, false);

    if (m->regexes.n) {
        m->mctx = pcre2_match_context_create(NULL);
        if (!m->mctx)
            lf_oom();
        uint64_t ml = opt ? opt->limits[LF_LIMIT_REGEX_MATCH] : 1000000;
        uint64_t hl = opt ? opt->limits[LF_LIMIT_REGEX_HEAP_KIB] : 20480;
        m->limit_match = ml;
        m->limit_heap = hl;
        pcre2_set_match_limit(m->mctx, ml > UINT32_MAX ? UINT32_MAX : (uint32_t)ml);
        pcre2_set_heap_limit(m->mctx, hl > UINT32_MAX ? UINT32_MAX : (uint32_t)hl);
        /* the JIT's stack is the memory the heap limit bounds for the interpreter */
        m->jit_stack = pcre2_jit_stack_create(32 * 1024, lf_regex_jit_stack_max(hl), NULL);
        if (m->jit_stack)
            pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
        m->md = pcre2_match_data_create(4, NULL);
        if (!m->md)
            lf_oom();
    }
    return m;
}

static void free_rule_occs(lf_matcher *m);

void lf_matcher_free(lf_matcher *m)
{
    if (!m)
        return;
    free_rule_occs(m);
    lf_strmap_free(&m->lit_fold);
    lf_strmap_free(&m->lit_case);
    lf_strmap_free(&m->prefix_fold);
    lf_strmap_free(&m->prefix_case);
    lf_strmap_free(&m->negators);
    LF_VEC_FREE(m->globs);
    LF_VEC_FREE(m->nodes);
    edge_free(&m->edges);
    LF_VEC_FREE(m->term_pool);
    for (size_t i = 0; i < m->regexes.n; i++)
        pcre2_code_free(m->regexes.v[i].code);
    for (size_t i = 0; i < m->rx_lits.n; i++)
        free(m->rx_lits.v[i].text);
    LF_VEC_FREE(m->rx_lits);
    free(m->rx_seen);
    LF_VEC_FREE(m->rx_touched);
    free(m->rx_bigram);
    free(m->rx_pairs);
    LF_VEC_FREE(m->rx_by_bigram);
    free(m->rx_lit_stamp);
    LF_VEC_FREE(m->regexes);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit_stack);
    pcre2_match_data_free(m->md);
    free(m->finfo);
    free(m->fflag);
    free(m->root_child);
    LF_VEC_FREE(m->pid_pool);
    LF_VEC_FREE(m->cands);
    LF_VEC_FREE(m->states);
    LF_VEC_FREE(m->next_states);
    lf_buf_free(&m->joined_fold);
    lf_buf_free(&m->joined_case);
    LF_VEC_FREE(m->off_fold);
    LF_VEC_FREE(m->rx_pool);
    LF_VEC_FREE(m->rx_always);
    LF_VEC_FREE(m->rx_run);
    LF_VEC_FREE(m->cover);
    free(m->rx_stamp);
    free(m);
}

void lf_matches_init(lf_matches *ms)
{
    memset(ms, 0, sizeof *ms);
}

void lf_matches_free(lf_matches *ms)
{
    free(ms->m);
    memset(ms, 0, sizeof *ms);
}

/* ---- per-form resolution ---- */

/* Glob match over UTF-8: '*' any run (also empty), '?' exactly one code point. */
static bool glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '?') {
            pi++;
            si++;
            while (si < sn && ((unsigned char)s[si] & 0xC0) == 0x80)
                si++;
        } else if (pi < pn && p[pi] == '*') {
            star_p = ++pi;
            star_s = si;
        } else if (pi < pn && p[pi] == s[si]) {
            pi++;
            si++;
        } else if (star_p != SIZE_MAX) {
            pi = star_p;
            si = ++star_s;
            while (si < sn && ((unsigned char)s[si] & 0xC0) == 0x80)
                si = ++star_s;
        } else {
            return false;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

bool lf_glob_word_match(const char *p, size_t pn, const char *s, size_t sn)
{
    return glob_match(p, pn, s, sn);
}

static void push_pid(lf_matcher *m, uint32_t pid)
{
    LF_VEC_PUSH(m->pid_pool, pid);
}

static void prefix_pids(lf_matcher *m, const lf_strmap *map, const char *s, size_t n)
{
    if (!map->count)
        return;
    size_t lim = n < m->max_prefix_len ? n : m->max_prefix_len;
    unsigned pair = n >= 2 ? (unsigned)((unsigned char)s[0] << 8 | (unsigned char)s[1]) : 0;
    bool pair_ok = n >= 2 && (m->prefix_pairs[pair / 64] >> (pair % 64) & 1);
    for (size_t k = 1; k <= lim; k++) {
        if (k >= 2 && !pair_ok)
            break;
        uint32_t pid;
        if ((m->prefix_lens >> (k < 63 ? k : 63) & 1) && lf_strmap_get(map, s, k, &pid))
            push_pid(m, pid);
    }
}

/* Indexes the prefilter literals by their first two bytes (a counting sort). */
static void build_bigram_index(lf_matcher *m)
{
    m->rx_bigram = lf_xcalloc(65536 + 1, sizeof *m->rx_bigram);
    m->rx_pairs = lf_xcalloc(65536 / 64, sizeof *m->rx_pairs);
    for (size_t k = 0; k < m->rx_lits.n; k++) {
        const unsigned char *t = (const unsigned char *)m->rx_lits.v[k].text;
        unsigned b = (unsigned)(t[0] << 8 | t[1]);
        m->rx_bigram[b + 1]++;
        m->rx_pairs[b / 64] |= 1ULL << (b % 64);
    }
    for (size_t b = 0; b < 65536; b++)
        m->rx_bigram[b + 1] += m->rx_bigram[b];
    lf_grow((void **)&m->rx_by_bigram.v, &m->rx_by_bigram.cap, m->rx_lits.n, sizeof(uint32_t));
    m->rx_by_bigram.n = m->rx_lits.n;
    uint32_t *fill = lf_xcalloc(65536, sizeof *fill);
    for (size_t k = 0; k < m->rx_lits.n; k++) {
        const unsigned char *t = (const unsigned char *)m->rx_lits.v[k].text;
        unsigned b = (unsigned)(t[0] << 8 | t[1]);
        m->rx_by_bigram.v[m->rx_bigram[b] + fill[b]++] = (uint32_t)k;
    }
    free(fill);
    m->rx_lit_stamp = lf_xcalloc(m->rx_lits.n, sizeof *m->rx_lit_stamp);
}

/* Appends to rx_pool the literals (of case-sensitive regexes when `cs`, else of the others)
 * that occur in the word s[0, n): each position is looked up by its two bytes. */
static void rx_literals_in(lf_matcher *m, const char *s, size_t n, bool cs)
{
    if (!m->rx_bigram)
        build_bigram_index(m);
    m->rx_lit_serial++;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i + 1 < n; i++) {
        unsigned b = (unsigned)(u[i] << 8 | u[i + 1]);
        if (!(m->rx_pairs[b / 64] >> (b % 64) & 1))
            continue; /* most positions: no literal starts with these two bytes */
        for (uint32_t j = m->rx_bigram[b]; j < m->rx_bigram[b + 1]; j++) {
            uint32_t k = m->rx_by_bigram.v[j];
            const rx_literal *l = &m->rx_lits.v[k];
            if (m->rx_lit_stamp[k] == m->rx_lit_serial ||
                m->regexes.v[l->regex].case_sensitive != cs)
                continue;
            size_t len = l->len;
            if (len <= n - i && memcmp(s + i, l->text, len) == 0) {
                m->rx_lit_stamp[k] = m->rx_lit_serial;
                uint32_t code = l->regex * 32 + l->clause;
                LF_VEC_PUSH(m->rx_pool, code);
            }
        }
    }
}

static void resolve_new_form(lf_matcher *m, uint32_t fid);

/* Makes sure the per-form cache holds form fid and returns its FF_* bits: a test and a
 * return for every word but the first occurrence of each form. */
static inline unsigned resolve_form(lf_matcher *m, uint32_t fid)
{
    if (fid < m->cache_cap && m->fflag[fid])
        return m->fflag[fid];
    resolve_new_form(m, fid);
    return m->fflag[fid];
}

/* Makes room in the per-form cache for the forms [0, n). */
static void cache_reserve(lf_matcher *m, size_t n)
{
    if (n <= m->cache_cap)
        return;
    size_t old = m->cache_cap;
    size_t cap = old ? old : 1024;
    while (cap < n)
        cap *= 2;
    m->finfo = lf_xrealloc(m->finfo, cap * sizeof *m->finfo);
    m->fflag = lf_xrealloc(m->fflag, cap);
    for (size_t i = old; i < cap; i++)
        m->finfo[i] = (form_info){.off = UINT32_MAX};
    memset(m->fflag + old, 0, cap - old);
    m->cache_cap = cap;
}

static void resolve_new_form(lf_matcher *m, uint32_t fid)
{
    cache_reserve(m, (size_t)fid + 1);
    if (m->finfo[fid].off != UINT32_MAX)
        return;
    const lf_form *f = lf_vocab_form(m->vocab, fid);
    size_t first = m->pid_pool.n;
    uint32_t pid;
    if (lf_strmap_get(&m->lit_fold, f->norm, f->norm_len, &pid))
        push_pid(m, pid);
    if (lf_strmap_get(&m->lit_case, f->key, f->key_len, &pid))
        push_pid(m, pid);
    prefix_pids(m, &m->prefix_fold, f->norm, f->norm_len);
    prefix_pids(m, &m->prefix_case, f->key, f->key_len);
    for (size_t i = 0; i < m->globs.n; i++) {
        const glob_pat *g = &m->globs.v[i];
        const char *s = g->case_sensitive ? f->key : f->norm;
        size_t sn = g->case_sensitive ? f->key_len : f->norm_len;
        if (glob_match(g->text, g->len, s, sn))
            push_pid(m, g->pid);
    }
    size_t npid = m->pid_pool.n - first;
    if (npid > UINT16_MAX)
        npid = UINT16_MAX;
    m->finfo[fid].off = (uint32_t)first;
    m->finfo[fid].npid = (uint16_t)npid;
    m->finfo[fid].starts = 0;
    for (size_t k = 0; k < npid; k++)
        if (m->root_child[m->pid_pool.v[first + k]] != UINT32_MAX)
            m->finfo[fid].starts = 1;
    bool neg = lf_strmap_get(&m->negators, f->norm, f->norm_len, NULL);
    if (!neg && m->neg_nt && f->norm_len > 3 && memcmp(f->norm + f->norm_len - 3, "n't", 3) == 0)
        neg = true;
    m->finfo[fid].neg = neg;
    /* the prefilter literals this word contains, as regex * 32 + clause */
    size_t rfirst = m->rx_pool.n;
    if (m->rx_lits.n) {
        rx_literals_in(m, f->norm, f->norm_len, false);
        if (m->regex_needs_case)
            rx_literals_in(m, f->key, f->key_len, true);
    }
    m->finfo[fid].rx_off = (uint32_t)rfirst;
    m->finfo[fid].rx_n = (uint16_t)(m->rx_pool.n - rfirst);
    const form_info *fi = &m->finfo[fid];
    m->fflag[fid] = (uint8_t)(FF_RESOLVED | (!fi->starts && !fi->rx_n ? FF_PLAIN : 0) |
                              (fi->npid ? FF_PID : 0) | (fi->neg ? FF_NEG : 0));
}

bool lf_matcher_is_negator(const lf_matcher *m, uint32_t form)
{
    lf_matcher *mm = (lf_matcher *)m; /* the cache is filled lazily */
    return (resolve_form(mm, form) & FF_NEG) != 0;
}

/* ---- candidates ---- */

static void add_cand(lf_matcher *m, uint32_t start, uint32_t end, uint32_t entry)
{
    const lf_entry *e = &m->lex->entries[entry];
    cand c = {start, end, e->theme, entry, -1, LF_MATCH_COUNTED, false, e->exclude};
    LF_VEC_PUSH(m->cands, c);
}

/* A walk reaches trie node `child` with the words [i, j]: the entries ending there are
 * candidates, and the walk goes on from it if it has children. m->star_next tells whether
 * any state the walk goes on from has a "*" child. */
static inline void walk_visit(lf_matcher *m, uint32_t child, uint32_t i, uint32_t j)
{
    const trie_node *tn = &m->nodes.v[child];
    for (uint32_t t = 0; t < tn->term_n; t++)
        add_cand(m, i, j + 1, m->term_pool.v[tn->term_first + t]);
    if (tn->kids) {
        LF_VEC_PUSH(m->next_states, child);
        m->star_next |= tn->any_child != UINT32_MAX;
    }
}

/* Makes the states the last step reached the current ones. */
static void swap_states(lf_matcher *m)
{
    uint32_t *tv = m->states.v;
    size_t tcap = m->states.cap;
    m->states.v = m->next_states.v;
    m->states.cap = m->next_states.cap;
    m->states.n = m->next_states.n;
    m->next_states.v = tv;
    m->next_states.cap = tcap;
    m->next_states.n = 0;
}

/* Every word/phrase entry starting at token i of the sentence [.., send); token i's form
 * is in the per-form cache already. */
static void walk_from(lf_matcher *m, const lf_tokens *toks, uint32_t i, uint32_t send)
{
    /* the first word, from the root: its children by a table */
    const form_info *fi = &m->finfo[toks->tok[i].form];
    const uint32_t *pids = fi->npid ? m->pid_pool.v + fi->off : NULL;
    m->next_states.n = 0;
    m->star_next = false;
    for (uint16_t k = 0; k < fi->npid; k++)
        if (m->root_child[pids[k]] != UINT32_MAX)
            walk_visit(m, m->root_child[pids[k]], i, i);
    if (m->nodes.v[0].any_child != UINT32_MAX)
        walk_visit(m, m->nodes.v[0].any_child, i, i);
    for (uint32_t j = i + 1; j < send && m->next_states.n; j++) {
        uint32_t fid = toks->tok[j].form;
        /* a word without patterns goes on only by "*" (most walks end here) */
        if (!(resolve_form(m, fid) & FF_PID) && !m->star_next)
            break;
        uint16_t npid = m->finfo[fid].npid;
        swap_states(m);
        m->star_next = false;
        /* no pids at all: the pool may still be NULL (a phrase starting with '*') */
        pids = npid ? m->pid_pool.v + m->finfo[fid].off : NULL;
        for (size_t s = 0; s < m->states.n; s++) {
            uint32_t node = m->states.v[s];
            const trie_node *nd = &m->nodes.v[node];
            /* the word's own patterns by the edge map, only when the node has children
               but "*", then "*" (the root is never a state here) */
            if (npid && nd->kids > (nd->any_child != UINT32_MAX)) {
                for (uint16_t k = 0; k < npid; k++) {
                    uint32_t child = trie_child(m, node, pids[k], false);
                    if (child != UINT32_MAX)
                        walk_visit(m, child, i, j);
                }
            }
            if (nd->any_child != UINT32_MAX)
                walk_visit(m, nd->any_child, i, j);
        }
    }
}

/* Builds the joined words of sentence `s` for regex entries: its words (case-folded, or
 * case kept when `cs`) separated by single spaces, with each word's offset. Built only for
 * sentences on which a regex runs. */
static void build_joined(lf_matcher *m, const lf_tokens *toks, const lf_sentence *s, bool cs)
{
    lf_buf *jb = cs ? &m->joined_case : &m->joined_fold;
    uint32_t *built = cs ? &m->joined_case_sent : &m->joined_fold_sent;
    uint32_t serial = m->rx_serial;
    if (*built == serial)
        return;
    *built = serial;
    lf_buf_reset(jb);
    m->off_fold.n = 0;
    for (uint32_t t = s->tok_first; t < s->tok_end; t++) {
        const lf_form *f = lf_vocab_form(m->vocab, toks->tok[t].form);
        if (t > s->tok_first)
            lf_buf_putc(jb, ' ');
        uint32_t off = (uint32_t)jb->len;
        LF_VEC_PUSH(m->off_fold, off);
        if (cs)
            lf_buf_append(jb, f->key, f->key_len);
        else
            lf_buf_append(jb, f->norm, f->norm_len);
    }
    lf_buf_cstr(jb);
    /* the offsets of the other buffer are stale now */
    *(cs ? &m->joined_fold_sent : &m->joined_case_sent) = 0;
}

/* Index of the last element of sorted offs[first, end) that is <= off (first if none). */
static uint32_t last_at_or_before(const uint32_t *offs, uint32_t first, uint32_t end, size_t off)
{
    uint32_t lo = first, hi = end;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (offs[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static lf_status regex_fail(lf_matcher *m, const lf_doc *doc, const lf_tokens *toks,
                            const regex_entry *re, uint32_t si, int rc, lf_error *err)
{
    PCRE2_UCHAR msg[256];
    const lf_entry *e = &m->lex->entries[re->entry];
    size_t line = lf_doc_line_of(doc, toks->tok[toks->sent[si].tok_first].start);
    lf_limit_id lim = lf_regex_limit_of(rc);
    if (lim != LF_LIMIT_COUNT) {
        const char *name = lf_limit_table()[lim].name;
        lf_error_at(err, LF_ERR_REGEX, doc->path, line, 0,
                    "regex entry at %s:%zu exceeded the %s limit (%llu) on this sentence; "
                    "raise it with --limit %s=N",
                    e->file, e->line, name,
                    (unsigned long long)(lim == LF_LIMIT_REGEX_MATCH ? m->limit_match
                                                                     : m->limit_heap),
                    name);
        return LF_ERR_REGEX;
    }
    pcre2_get_error_message(rc, msg, sizeof msg);
    lf_error_at(err, LF_ERR_REGEX, doc->path, line, 0,
                "regex entry at %s:%zu failed on this sentence: %s", e->file, e->line, msg);
    return LF_ERR_REGEX;
}

/* Runs regex entry r over sentence si of the joined buffer and adds its matches as
 * candidates. The subject ends with the sentence, so a match never crosses into the next. */
static lf_status regex_sentence(lf_matcher *m, const lf_doc *doc, const lf_tokens *toks,
                                uint32_t si, const regex_entry *re, lf_error *err)
{
    const lf_sentence *s = &toks->sent[si];
    build_joined(m, toks, s, re->case_sensitive);
    const lf_buf *jb = re->case_sensitive ? &m->joined_case : &m->joined_fold;
    const uint32_t *offs = m->off_fold.v; /* offs[i]: where word tok_first + i starts */
    uint32_t nw = s->tok_end - s->tok_first;
    PCRE2_SPTR subject = (PCRE2_SPTR)jb->data;
    PCRE2_SIZE len = jb->len, pos = 0;
    while (pos <= len) {
        int rc = pcre2_match(re->code, subject, len, pos, PCRE2_NO_UTF_CHECK, m->md, m->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            return regex_fail(m, doc, toks, re, si, rc, err);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        PCRE2_SIZE ms = ov[0], me = ov[1];
        if (me > ms) {
            /* the whole words the match touches */
            uint32_t a = last_at_or_before(offs, 0, nw, ms);
            uint32_t b = last_at_or_before(offs, 0, nw, me - 1);
            const lf_form *fa = lf_vocab_form(m->vocab, toks->tok[s->tok_first + a].form);
            uint32_t alen = re->case_sensitive ? fa->key_len : fa->norm_len;
            if (ms >= offs[a] + alen && a < b)
                a++; /* the match began on the space after word a */
            add_cand(m, s->tok_first + a, s->tok_first + b + 1, re->entry);
            pos = me;
        } else {
            pos = ms + 1;
            while (pos < len && (subject[pos] & 0xC0) == 0x80)
                pos++;
        }
    }
    return LF_OK;
}

/* ---- resolution ---- */

static int cmp_len_desc(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    uint32_t la = a->end - a->start, lb = b->end - b->start;
    if (la != lb)
        return la > lb ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->theme != b->theme)
        return a->theme < b->theme ? -1 : 1;
    return a->entry < b->entry ? -1 : (a->entry > b->entry);
}

static int cmp_output(const void *pa, const void *pb)
{
    const lf_match *a = pa, *b = pb;
    if (a->tok_start != b->tok_start)
        return a->tok_start < b->tok_start ? -1 : 1;
    if (a->tok_end != b->tok_end)
        return a->tok_end > b->tok_end ? -1 : 1;
    if (a->theme != b->theme)
        return a->theme < b->theme ? -1 : 1;
    return a->entry < b->entry ? -1 : (a->entry > b->entry);
}

/* Candidates of one theme together, longest first within it (then as cmp_len_desc):
 * within a theme, the order cmp_len_desc gives. */
static int cmp_theme_len(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->theme != b->theme)
        return a->theme < b->theme ? -1 : 1;
    return cmp_len_desc(pa, pb);
}

/* The overlap checks below keep, per token of the sentence (from sfirst), which kept
 * candidate covers it, so each candidate costs its own length instead of a comparison
 * with every earlier one: a sentence of a million matches (a 10 MB line without a full
 * stop) is linear, not quadratic. m->cover is all zero before and after each use. */
static uint32_t *cover_for(lf_matcher *m, uint32_t sfirst, const cand *c, size_t n)
{
    uint32_t span = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].end - sfirst > span)
            span = c[i].end - sfirst;
    if (m->cover.cap < span) {
        size_t old = m->cover.cap;
        lf_grow((void **)&m->cover.v, &m->cover.cap, span, sizeof *m->cover.v);
        memset(m->cover.v + old, 0, (m->cover.cap - old) * sizeof *m->cover.v);
    }
    return m->cover.v - sfirst; /* indexed by document token */
}

static void clear_cover(uint32_t *cover, const cand *c, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        for (uint32_t t = c[i].start; t < c[i].end; t++)
            cover[t] = 0;
}

/* Marks LF_MATCH_OVERLAP every counted candidate that overlaps an earlier (longer, or
 * equally long and earlier: cmp_len_desc) counted one of the same theme, or, when
 * `across`, of any theme unless both cover exactly the same words. Sorts c. */
static void suppress_overlaps(lf_matcher *m, cand *c, size_t n, uint32_t sfirst, bool across)
{
    uint32_t *cover = cover_for(m, sfirst, c, n);
    if (!across) {
        /* Theme by theme: a theme's kept candidates never overlap each other. */
        qsort(c, n, sizeof *c, cmp_theme_len);
        for (size_t g = 0; g < n;) {
            size_t h = g;
            while (h < n && c[h].theme == c[g].theme)
                h++;
            for (size_t i = g; i < h; i++) {
                if (c[i].exclude || c[i].status != LF_MATCH_COUNTED)
                    continue;
                bool free_span = true;
                for (uint32_t t = c[i].start; t < c[i].end && free_span; t++)
                    free_span = cover[t] == 0;
                if (!free_span) {
                    c[i].status = LF_MATCH_OVERLAP;
                    continue;
                }
                for (uint32_t t = c[i].start; t < c[i].end; t++)
                    cover[t] = (uint32_t)i + 1;
            }
            clear_cover(cover, c, g, h); /* covered tokens were set only by this group */
            g = h;
        }
        return;
    }
    /* Across themes: kept candidates overlap only when they cover the same words, and
       candidates over the same words are adjacent in cmp_len_desc order, by theme. */
    qsort(c, n, sizeof *c, cmp_len_desc);
    size_t last_kept = SIZE_MAX; /* the last kept candidate over the current words */
    for (size_t i = 0; i < n; i++) {
        if (c[i].exclude || c[i].status != LF_MATCH_COUNTED)
            continue;
        uint32_t other = 0;
        for (uint32_t t = c[i].start; t < c[i].end && !other; t++)
            other = cover[t];
        if (!other) {
            for (uint32_t t = c[i].start; t < c[i].end; t++)
                cover[t] = (uint32_t)i + 1;
            last_kept = i;
            continue;
        }
        const cand *o = &c[other - 1];
        bool same_span = o->start == c[i].start && o->end == c[i].end;
        /* same words: suppressed only by a kept candidate of its own theme, which (sorted
           by theme) is the last one kept over these words */
        if (!same_span || (last_kept != SIZE_MAX && c[last_kept].theme == c[i].theme &&
                           c[last_kept].start == c[i].start && c[last_kept].end == c[i].end))
            c[i].status = LF_MATCH_OVERLAP;
        else
            last_kept = i;
    }
    clear_cover(cover, c, 0, n);
}

/* Marks LF_MATCH_EXCLUDED every non-exclusion candidate that overlaps an exclusion of its
 * own theme. Sorts c by theme. */
static void apply_exclusions(lf_matcher *m, cand *c, size_t n, uint32_t sfirst)
{
    uint32_t *cover = cover_for(m, sfirst, c, n);
    qsort(c, n, sizeof *c, cmp_theme_len);
    for (size_t g = 0; g < n;) {
        size_t h = g;
        bool any = false;
        while (h < n && c[h].theme == c[g].theme)
            any |= c[h++].exclude;
        if (any) {
            for (size_t i = g; i < h; i++)
                if (c[i].exclude)
                    for (uint32_t t = c[i].start; t < c[i].end; t++)
                        cover[t] = 1;
            for (size_t i = g; i < h; i++) {
                if (c[i].exclude)
                    continue;
                for (uint32_t t = c[i].start; t < c[i].end; t++)
                    if (cover[t]) {
                        c[i].status = LF_MATCH_EXCLUDED;
                        break;
                    }
            }
            for (size_t i = g; i < h; i++)
                if (c[i].exclude)
                    for (uint32_t t = c[i].start; t < c[i].end; t++)
                        cover[t] = 0;
        }
        g = h;
    }
}

/* Resolves the candidates of one sentence in m->cands (all non-exclusion candidates are
 * COUNTED on entry) and appends them to out. */
static void resolve_sentence(lf_matcher *m, const lf_tokens *toks, uint32_t sfirst,
                             lf_matches *out)
{
    cand *c = m->cands.v;
    size_t n = m->cands.n;
    /* 1. exclusions cancel overlapping matches of their own theme */
    if (m->has_exclusions)
        apply_exclusions(m, c, n, sfirst);
    /* 2. negation: a negator within the window before the match, same clause */
    for (size_t i = 0; i < n; i++) {
        if (c[i].exclude || c[i].status != LF_MATCH_COUNTED || m->window <= 0)
            continue;
        uint32_t s = c[i].start;
        uint32_t clause = toks->tok[s].clause;
        uint32_t lo = s > sfirst + (uint32_t)m->window ? s - (uint32_t)m->window : sfirst;
        for (uint32_t t = s; t-- > lo;) {
            if (toks->tok[t].clause != clause)
                break;
            if (resolve_form(m, toks->tok[t].form) & FF_NEG) {
                c[i].negated = true;
                c[i].negator = (int32_t)t;
                break;
            }
        }
    }
    /* 3. overlaps within each entry's own theme: the longest wins, nothing counts twice.
       This comes before the negation policy so that "not a reliable and trustworthy
       partner" moves as a whole and leaves no shorter "trustworthy partner" behind. */
    suppress_overlaps(m, c, n, sfirst, false);
    /* 4. the theme's negation policy, on the winners */
    for (size_t i = 0; i < n; i++) {
        if (c[i].exclude || c[i].status != LF_MATCH_COUNTED || !c[i].negated)
            continue;
        const lf_theme *th = &m->lex->themes[c[i].theme];
        if (th->neg == LF_NEG_IGNORE)
            c[i].status = LF_MATCH_NEGATED_IGNORED;
        else if (th->neg == LF_NEG_MOVE && th->neg_target >= 0)
            c[i].theme = (uint32_t)th->neg_target;
    }
    /* 5. again with the final themes: a moved match competes with its new theme's own
       matches; under --overlap longest, across all themes */
    suppress_overlaps(m, c, n, sfirst, m->overlap == LF_OVERLAP_LONGEST);
    for (size_t i = 0; i < n; i++) {
        if (c[i].exclude)
            continue;
        lf_match mt = {c[i].start, c[i].end,   toks->tok[c[i].start].sentence,
                       c[i].theme, c[i].entry, c[i].negator,
                       c[i].status, c[i].negated, false};
        lf_grow((void **)&out->m, &out->cap, out->n + 1, sizeof *out->m);
        out->m[out->n++] = mt;
    }
}

/* ---- context rules (after overlap resolution, on each document's matches) ---- */

typedef struct occ {
    uint32_t start, end, sentence;
} occ;

/* Where one operand of a rule occurs in the current document, sorted by start. */
typedef struct rule_occs {
    LF_VEC(occ) v;
    uint32_t maxlen; /* longest occurrence, to bound searches */
} rule_occs;

static void free_rule_occs(lf_matcher *m)
{
    for (size_t i = 0; i < m->n_occs; i++)
        LF_VEC_FREE(m->occs[i].v);
    free(m->occs);
    LF_VEC_FREE(m->failed);
}

static bool theme_within(const lf_lexicon *lex, uint32_t theme, int32_t ancestor)
{
    for (int32_t t = (int32_t)theme; t >= 0; t = lex->themes[t].parent)
        if (t == ancestor)
            return true;
    return false;
}

static bool operand_word_at(lf_matcher *m, const lf_word_pattern *w, uint32_t form)
{
    if (w->len == 1 && w->text[0] == '*')
        return true;
    const lf_form *f = lf_vocab_form(m->vocab, form);
    if (w->glob)
        return glob_match(w->text, w->len, f->norm, f->norm_len);
    return f->norm_len == w->len && memcmp(f->norm, w->text, w->len) == 0;
}

static void push_occ(rule_occs *o, uint32_t start, uint32_t end, uint32_t sentence)
{
    LF_VEC_PUSH(o->v, ((occ){start, end, sentence}));
    if (end - start > o->maxlen)
        o->maxlen = end - start;
}

static int cmp_occ(const void *pa, const void *pb)
{
    const occ *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->end < b->end ? -1 : (a->end > b->end);
}

/* Fills one occurrence list per operand: word operands by scanning the words (phrases
 * inside one sentence), theme operands from the document's counted matches. */
static void collect_occurrences(lf_matcher *m, const lf_tokens *toks, const lf_matches *out)
{
    const lf_lexicon *lex = m->lex;
    if (!m->occs) {
        for (size_t r = 0; r < lex->n_rules; r++)
            m->n_occs += lex->rules[r].n_operands;
        m->occs = lf_xcalloc(m->n_occs + 1, sizeof *m->occs);
    }
    size_t oi = 0;
    for (size_t r = 0; r < lex->n_rules; r++) {
        const lf_context_rule *rule = &lex->rules[r];
        for (size_t k = 0; k < rule->n_operands; k++, oi++) {
            const lf_rule_operand *op = &rule->operands[k];
            rule_occs *o = &m->occs[oi];
            o->v.n = 0;
            o->maxlen = 0;
            if (op->theme_id) {
                for (size_t i = 0; i < out->n; i++) {
                    const lf_match *x = &out->m[i];
                    if (x->status == LF_MATCH_COUNTED && theme_within(lex, x->theme, op->theme))
                        push_occ(o, x->tok_start, x->tok_end, x->sentence);
                }
                lf_sort(o->v.v, o->v.n, sizeof *o->v.v, cmp_occ);
                continue;
            }
            for (uint32_t i = 0; i < toks->n_tok; i++) {
                uint32_t sent = toks->tok[i].sentence, send = toks->sent[sent].tok_end;
                if (i + op->n_words > send)
                    continue;
                bool all = true;
                for (size_t w = 0; all && w < op->n_words; w++)
                    all = operand_word_at(m, &op->words[w], toks->tok[i + w].form);
                if (all)
                    push_occ(o, i, i + (uint32_t)op->n_words, sent);
            }
        }
    }
}

/* Whether occurrence x satisfies the rule's operator for the match [ms, me). */
static bool occ_satisfies(const lf_context_rule *rule, const lf_tokens *toks, const lf_match *mt,
                          const occ *x)
{
    if (rule->op == LF_RULE_SAME_SENTENCE)
        return x->sentence == mt->sentence;
    if (toks->sent[x->sentence].turn != toks->sent[mt->sentence].turn)
        return false;
    uint32_t n = rule->distance;
    if (rule->op == LF_RULE_BEFORE || rule->op == LF_RULE_NEAR)
        if (x->start >= mt->tok_end && x->start - mt->tok_end + 1 <= n)
            return true;
    if (rule->op == LF_RULE_AFTER || rule->op == LF_RULE_NEAR)
        if (mt->tok_start >= x->end && mt->tok_start - x->end + 1 <= n)
            return true;
    /* an occurrence overlapping the match is near it */
    return rule->op == LF_RULE_NEAR && x->start < mt->tok_end && mt->tok_start < x->end;
}

static bool rule_holds(lf_matcher *m, const lf_context_rule *rule, size_t first_occ,
                       const lf_tokens *toks, const lf_match *mt)
{
    uint32_t lo, hi; /* occurrence starts worth looking at: [lo, hi] */
    if (rule->op == LF_RULE_SAME_SENTENCE) {
        lo = toks->sent[mt->sentence].tok_first;
        hi = toks->sent[mt->sentence].tok_end;
    } else {
        lo = mt->tok_start > rule->distance ? mt->tok_start - rule->distance : 0;
        hi = mt->tok_end + rule->distance;
    }
    for (size_t k = 0; k < rule->n_operands; k++) {
        const rule_occs *o = &m->occs[first_occ + k];
        uint32_t from = lo > o->maxlen ? lo - o->maxlen : 0;
        size_t a = 0, b = o->v.n;
        while (a < b) { /* first occurrence starting at or after `from` */
            size_t mid = a + (b - a) / 2;
            if (o->v.v[mid].start < from)
                a = mid + 1;
            else
                b = mid;
        }
        for (; a < o->v.n && o->v.v[a].start <= hi; a++) {
            const occ *x = &o->v.v[a];
            bool self = rule->operands[k].theme_id && x->start == mt->tok_start &&
                        x->end == mt->tok_end && theme_within(m->lex, mt->theme,
                                                              rule->operands[k].theme);
            if (!self && occ_satisfies(rule, toks, mt, x))
                return true;
        }
    }
    return false;
}

/* Every counted match whose theme has a context rule that does not hold is suppressed
 * (as excluded, flagged `context`). Rules see the matches as they were before any rule
 * applied, so the result does not depend on the order of rules or themes. */
static void apply_context_rules(lf_matcher *m, const lf_tokens *toks, lf_matches *out)
{
    const lf_lexicon *lex = m->lex;
    collect_occurrences(m, toks, out);
    m->failed.n = 0;
    for (size_t i = 0; i < out->n; i++) {
        const lf_match *mt = &out->m[i];
        uint8_t fail = 0;
        size_t first_occ = 0;
        for (size_t r = 0; r < lex->n_rules && mt->status == LF_MATCH_COUNTED; r++) {
            const lf_context_rule *rule = &lex->rules[r];
            if (rule->theme == mt->theme && !fail) {
                bool holds = rule_holds(m, rule, first_occ, toks, mt);
                fail = holds == rule->negate;
            }
            first_occ += rule->n_operands;
        }
        LF_VEC_PUSH(m->failed, fail);
    }
    for (size_t i = 0; i < out->n; i++)
        if (m->failed.v[i]) {
            out->m[i].status = LF_MATCH_EXCLUDED;
            out->m[i].context = true;
        }
}

lf_status lf_match_doc(lf_matcher *m, const lf_doc *doc, const lf_tokens *toks,
                       lf_matches *out, lf_error *err)
{
    out->n = 0;
    if (m->regexes.n) {
        if (!m->rx_stamp) {
            m->rx_stamp = lf_xcalloc(m->regexes.n, sizeof *m->rx_stamp);
            m->rx_seen = lf_xcalloc(m->regexes.n, sizeof *m->rx_seen);
        }
    }
    bool any_root = m->nodes.v[0].any_child != UINT32_MAX;
    /* room in the per-form cache for every form the document's words can have, so that
       the cache stays where it is while the document is matched */
    cache_reserve(m, lf_vocab_size(m->vocab));
    for (uint32_t si = 0; si < toks->n_sent; si++) {
        const lf_sentence *s = &toks->sent[si];
        m->cands.n = 0;
        m->rx_run.n = 0;
        m->rx_touched.n = 0;
        m->rx_serial++;
        /* the loop over every word: what it reads is held in locals, since the stores
           below could alias them; the cache does not move while a document is matched,
           as it has room for every form already (see above) */
        const lf_token *tk = toks->tok;
        const form_info *finfo = m->finfo;
        const uint8_t *fflag = m->fflag;
        for (uint32_t i = s->tok_first, end = s->tok_end; i < end; i++) {
            /* most words start nothing and hold no regex literal: skipped by a byte each */
            if (!any_root) {
                while (i < end && (fflag[tk[i].form] & FF_PLAIN))
                    i++;
                if (i == end)
                    break;
            }
            uint32_t fid = tk[i].form;
            if (!fflag[fid])
                resolve_new_form(m, fid);
            const form_info *fi = &finfo[fid];
            for (uint16_t k = 0; k < fi->rx_n; k++) {
                uint32_t code = m->rx_pool.v[fi->rx_off + k], r = code / 32;
                if (m->rx_stamp[r] != m->rx_serial) {
                    m->rx_stamp[r] = m->rx_serial;
                    m->rx_seen[r] = 0;
                    LF_VEC_PUSH(m->rx_touched, r);
                }
                m->rx_seen[r] |= 1u << (code % 32);
            }
            if (fi->starts || any_root)
                walk_from(m, toks, i, end);
        }
        if (m->regexes.n && s->tok_first < s->tok_end) {
            /* a regex runs when the sentence satisfies all its clauses, or always without
               any; in lexicon order, so candidates come out the same whatever triggered
               them */
            for (size_t k = 0; k < m->rx_touched.n; k++) {
                uint32_t r = m->rx_touched.v[k];
                uint32_t nc = m->regexes.v[r].n_clauses;
                if (m->rx_seen[r] == (nc >= 32 ? UINT32_MAX : (1u << nc) - 1))
                    LF_VEC_PUSH(m->rx_run, r);
            }
            for (size_t k = 0; k < m->rx_always.n; k++)
                LF_VEC_PUSH(m->rx_run, m->rx_always.v[k]);
            for (size_t a = 1; a < m->rx_run.n; a++)
                for (size_t b = a; b > 0 && m->rx_run.v[b - 1] > m->rx_run.v[b]; b--) {
                    uint32_t t = m->rx_run.v[b];
                    m->rx_run.v[b] = m->rx_run.v[b - 1];
                    m->rx_run.v[b - 1] = t;
                }
            for (size_t k = 0; k < m->rx_run.n; k++) {
                lf_status st =
                    regex_sentence(m, doc, toks, si, &m->regexes.v[m->rx_run.v[k]], err);
                if (st != LF_OK)
                    return st;
            }
        }
        if (m->cands.n)
            resolve_sentence(m, toks, s->tok_first, out);
    }
    if (m->lex->n_rules)
        apply_context_rules(m, toks, out);
    if (out->n > 1)
        qsort(out->m, out->n, sizeof *out->m, cmp_output);
    return LF_OK;
}
