/* render_tables.c — the result tables as tidy CSV files and as one JSON document:
 * frequencies, terms, co-occurrence, framing comparison, trends and first appearances.
 * Each table is written once, through a small row writer that emits either a CSV line
 * (RFC 4180 quoting, LF line ends) or a JSON array of the same values under the same
 * column names, so the two formats can never disagree. Numbers go through lf_fmt_double: byte-identical on every
 * run. Statistics are computed here from the raw counts, never stored in the tables. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

static void csv_put(FILE *fp, lf_buf *buf, const char *s, size_t n)
{
    if (fp)
        fwrite(s, 1, n, fp);
    else
        lf_buf_append(buf, s, n);
}

/* Writes a CSV field to a stream, or with fp NULL appends it to buf: quoted when it holds
 * , " CR or LF, with each quote doubled (written a run at a time). */
static void csv_field(FILE *fp, lf_buf *buf, const char *s)
{
    if (!s)
        s = "";
    size_t n = strcspn(s, ",\"\r\n");
    if (!s[n]) {
        csv_put(fp, buf, s, n);
        return;
    }
    csv_put(fp, buf, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        csv_put(fp, buf, s, (size_t)(q - s) + 1); /* up to and with the quote, */
        csv_put(fp, buf, "\"", 1);                /* doubled */
    }
    csv_put(fp, buf, s, strlen(s));
    csv_put(fp, buf, "\"", 1);
}

void lf_csv_field(FILE *fp, const char *s)
{
    csv_field(fp, NULL, s);
}

void lf_csv_field_buf(lf_buf *b, const char *s)
{
    csv_field(NULL, b, s);
}

/* ---- the row writer ---- */

/* Rows are assembled in `out` and written 64 KiB at a time: the tables hold millions of
 * cells, and a stdio call or two per cell was most of the cost of writing them. */
enum {
    TW_FLUSH_BYTES = 64 * 1024,
    TW_CELL_BITS = 10, /* the cell cache has 2^bits slots */
    TW_CELL_SLOTS = 1 << TW_CELL_BITS,
    TW_CELL_BYTES = 4 * 1024 * 1024 /* the cell cache starts afresh past this */
};

/* A string cell already escaped, or two side by side (s2 not NULL; with the comma between
 * them): its bytes in tw.cells. */
typedef struct tw_cell {
    const char *s, *s2;
    uint32_t off, len;
} tw_cell;

typedef struct tw {
    FILE *fp;
    bool json;
    const char *const *cols;
    size_t n_cols;
    size_t col;  /* next column of the current row */
    size_t at;   /* where in out the last cell begins (its separator written) */
    size_t rows; /* rows written */
    lf_buf out;  /* what is not yet written to fp */
    /* Strings that recur row after row (group names, theme ids and labels), escaped once
       and looked up by address: they are the table's or the lexicon's and stay put while
       a table is written. */
    tw_cell *cell;
    lf_buf cells;
} tw;

static inline void tw_write(tw *w, const char *s, size_t n)
{
    /* the common case inline: a short piece that fits */
    if (w->out.cap - w->out.len > n) {
        memcpy(w->out.data + w->out.len, s, n);
        w->out.len += n;
        return;
    }
    lf_buf_append(&w->out, s, n);
}

static inline void tw_putc(tw *w, char c)
{
    tw_write(w, &c, 1);
}

static void tw_put(tw *w, const char *s)
{
    tw_write(w, s, strlen(s));
}

static void tw_flush(tw *w)
{
    fwrite(w->out.data, 1, w->out.len, w->fp);
    lf_buf_reset(&w->out);
}

/* Starts a table: the CSV header, or the JSON array's key. */
static void tw_begin(tw *w, FILE *fp, bool json, const char *name, const char *const *cols,
                     size_t n_cols)
{
    *w = (tw){.fp = fp, .json = json, .cols = cols, .n_cols = n_cols};
    w->cell = lf_xcalloc(TW_CELL_SLOTS, sizeof *w->cell);
    lf_grow((void **)&w->out.data, &w->out.cap, 2 * TW_FLUSH_BYTES, 1);
    if (json) {
        /* pandas' "split" layout: the column names once, then one array per row */
        fprintf(fp, ",\n  \"%s\": {\n    \"columns\": [", name);
        for (size_t i = 0; i < n_cols; i++)
            fprintf(fp, i ? ", \"%s\"" : "\"%s\"", cols[i]);
        fputs("],\n    \"data\": [", fp);
        return;
    }
    for (size_t i = 0; i < n_cols; i++) {
        if (i)
            putc(',', fp);
        fputs(cols[i], fp);
    }
    putc('\n', fp);
}

static inline void tw_next(tw *w)
{
    /* a comma between cells in both formats; a JSON row opens its array */
    if (w->col++)
        tw_putc(w, ',');
    else if (w->json && w->rows)
        tw_write(w, ",\n      [", 9);
    else if (w->json)
        tw_write(w, "\n      [", 8);
    w->at = w->out.len;
}

static void tw_escape(tw *w, const char *s)
{
    if (w->json)
        lf_json_string_buf(&w->out, s);
    else
        lf_csv_field_buf(&w->out, s);
}

static void tw_str(tw *w, const char *s)
{
    tw_next(w);
    tw_escape(w, s);
}

/* The cache slot for s, or for the cells s and s2 side by side. */
static inline tw_cell *tw_slot(tw *w, const char *s, const char *s2)
{
    /* Fibonacci hashing of the addresses */
    uint64_t h = ((uint64_t)(uintptr_t)s ^ (uint64_t)(uintptr_t)s2 * 0xFF51AFD7ED558CCDu) *
                 0x9E3779B97F4A7C15u;
    return &w->cell[h >> (64 - TW_CELL_BITS)];
}

/* Escapes the cell s (and with s2 not NULL, a comma and the cell s2) into out after the
 * separator already written, and keeps the bytes in slot c. */
static void tw_escape_kept(tw *w, tw_cell *c, const char *s, const char *s2)
{
    size_t start = w->out.len;
    tw_escape(w, s);
    if (s2) {
        tw_putc(w, ',');
        tw_escape(w, s2);
    }
    size_t len = w->out.len - start;
    if (w->cells.len + len > TW_CELL_BYTES) {
        memset(w->cell, 0, TW_CELL_SLOTS * sizeof *w->cell);
        lf_buf_reset(&w->cells);
    }
    *c = (tw_cell){s, s2, (uint32_t)w->cells.len, (uint32_t)len};
    lf_buf_append(&w->cells, w->out.data + start, len);
}

/* tw_str for a string that outlives the table being written and recurs in it. */
static void tw_str_kept(tw *w, const char *s)
{
    if (!s) {
        tw_str(w, s);
        return;
    }
    tw_cell *c = tw_slot(w, s, NULL);
    tw_next(w);
    if (c->s == s && !c->s2)
        tw_write(w, w->cells.data + c->off, c->len);
    else
        tw_escape_kept(w, c, s, NULL);
}

/* tw_str_kept(s) then tw_str_kept(s2), in one look-up: a pair such as a group and its
 * grouping, or a theme and its label, starts row after row. */
static void tw_str2_kept(tw *w, const char *s, const char *s2)
{
    if (!s || !s2) {
        tw_str_kept(w, s);
        tw_str_kept(w, s2);
        return;
    }
    tw_cell *c = tw_slot(w, s, s2);
    tw_next(w);
    w->col++;
    if (c->s == s && c->s2 == s2)
        tw_write(w, w->cells.data + c->off, c->len);
    else
        tw_escape_kept(w, c, s, s2);
}

static void tw_null(tw *w)
{
    tw_next(w);
    if (w->json)
        tw_put(w, "null");
}

/* Room for n more bytes at the end of out. */
static inline char *tw_reserve(tw *w, size_t n)
{
    if (w->out.cap - w->out.len <= n)
        lf_grow((void **)&w->out.data, &w->out.cap, w->out.len + n + 1, 1);
    return w->out.data + w->out.len;
}

static inline void tw_u64(tw *w, uint64_t v)
{
    tw_next(w);
    char *p = tw_reserve(w, 20);
    if (v < 10) { /* most counts in the tables: a digit, most often 0 */
        *p = (char)('0' + v);
        w->out.len++;
    } else {
        w->out.len += lf_fmt_uint(p, v);
    }
}

/* A count formatted once, for a value that repeats row after row (a group's size beside
 * each of its themes). Zero-initialized: empty. */
typedef struct tw_memo {
    uint64_t v;
    uint32_t len; /* 0: empty */
    char s[20];
} tw_memo;

/* tw_u64 through memo m. */
static inline void tw_u64_memo(tw *w, uint64_t v, tw_memo *m)
{
    if (m->len == 0 || m->v != v) {
        tw_u64(w, v);
        m->v = v;
        m->len = (uint32_t)(w->out.len - w->at);
        memcpy(m->s, w->out.data + w->at, m->len);
        return;
    }
    tw_next(w);
    memcpy(tw_reserve(w, sizeof m->s), m->s, sizeof m->s); /* the whole array: no call */
    w->out.len += m->len;
}

/* A cell of the current row, by position in out. */
typedef struct tw_span {
    size_t at, len;
} tw_span;

/* The cell just written. */
static inline tw_span tw_last(const tw *w)
{
    return (tw_span){w->at, w->out.len - w->at};
}

/* Another cell with the bytes of cell c of this row (a number that equals one already
 * written: the same bytes without formatting it again). */
static inline void tw_again(tw *w, tw_span c)
{
    tw_next(w);
    char *p = tw_reserve(w, c.len);
    memcpy(p, w->out.data + c.at, c.len);
    w->out.len += c.len;
}

/* Room for any number lf_fmt_double or lf_fmt_p writes (DBL_MAX has 309 digits). */
enum { TW_NUMBER_ROOM = 512 };

/* A double; undefined values are NA in CSV and null in JSON. Formatted straight into the
 * row buffer. */
static inline void tw_double(tw *w, double x)
{
    if (w->json && !isfinite(x)) {
        tw_null(w);
        return;
    }
    tw_next(w);
    if (x == 0.0) /* a theme a group never uses (and -0 is 0) */
        tw_putc(w, '0');
    else
        w->out.len += lf_fmt_double(tw_reserve(w, TW_NUMBER_ROOM), TW_NUMBER_ROOM, x);
}

/* A probability (lf_fmt_p): small values keep their significant digits. */
static void tw_p(tw *w, double p)
{
    if (!isfinite(p)) {
        tw_double(w, p);
        return;
    }
    tw_next(w);
    w->out.len += lf_fmt_p(tw_reserve(w, TW_NUMBER_ROOM), TW_NUMBER_ROOM, p);
}

static void tw_bool(tw *w, bool b)
{
    tw_next(w);
    tw_put(w, w->json ? (b ? "true" : "false") : (b ? "1" : "0"));
}

static void tw_end_row(tw *w)
{
    tw_putc(w, w->json ? ']' : '\n');
    w->col = 0;
    w->rows++;
    if (w->out.len >= TW_FLUSH_BYTES)
        tw_flush(w);
}

static void tw_end(tw *w)
{
    if (w->json)
        tw_put(w, w->rows ? "\n    ]\n  }" : "]\n  }");
    tw_flush(w);
    lf_buf_free(&w->out);
    lf_buf_free(&w->cells);
    free(w->cell);
}

#define COLS(...)                                                                              \
    static const char *const cols[] = {__VA_ARGS__};                                           \
    const size_t n_cols = sizeof cols / sizeof cols[0]

/* ---- shared cells ---- */

static const char *theme_label(const lf_theme *th)
{
    return th->label && *th->label ? th->label : th->id;
}

static void put_group(tw *w, const lf_tables *t, uint32_t dim, const char *group)
{
    tw_str2_kept(w, lf_tables_dim_name(t, dim), group);
}

static void put_theme(tw *w, const lf_lexicon *lex, uint32_t theme)
{
    tw_str2_kept(w, lex->themes[theme].id, theme_label(&lex->themes[theme]));
}

/* Groups under the minimum word count are left out of every table but the corpus. */
static bool group_kept(const lf_tables *t, const lf_options *o, uint32_t dim,
                       const char *group, uint64_t words)
{
    if (dim == 0 || o->min_words == 0)
        return true;
    if (words == UINT64_MAX) {
        lf_totals tot;
        words = lf_tables_group_counts(t, dim, group, 0, NULL, &tot) ? tot.words : 0;
    }
    return words >= o->min_words;
}

/* ---- the tables ---- */

/* frequencies: rate_per_1000 = 1000·matches/words; weight_per_1000 = 1000·weight/words. */
static int table_frequencies(tw *w, FILE *fp, bool json, const lf_tables *t,
                             const lf_lexicon *lex, const lf_options *o)
{
    COLS("group_type", "group", "theme", "theme_label", "matches", "negated", "weight",
         "words", "rate_per_1000", "weight_per_1000", "turns_with_theme", "turns",
         "sentences_with_theme", "sentences");
    tw_begin(w, fp, json, lf_table_name(LF_TABLE_FREQUENCIES), cols, n_cols);
    lf_freq_iter *it = lf_freq_iter_new(t, -1, true);
    lf_freq_row row;
    tw_memo words = {0}, turns = {0}, sentences = {0}; /* the group's, on each of its rows */
    while (lf_freq_iter_next(it, &row)) {
        const lf_freq_row *r = &row;
        if (!group_kept(t, o, r->dim, r->group, r->t.words))
            continue;
        put_group(w, t, r->dim, r->group);
        put_theme(w, lex, r->theme);
        tw_u64(w, r->c.matches);
        tw_span matches = tw_last(w);
        tw_u64(w, r->c.negated);
        /* Most weights are the match count (every weight 1), and then both rates are
           equal: those cells repeat bytes already written. A count is exact as a double
           below 2^53, and an integral double prints as its digits. */
        if (r->c.matches <= (uint64_t)1 << 53 && r->c.weight == (double)r->c.matches)
            tw_again(w, matches);
        else
            tw_double(w, r->c.weight);
        tw_u64_memo(w, r->t.words, &words);
        double rate = lf_rate_per_1000(r->c.matches, r->t.words);
        double weight_rate = lf_weight_per_1000(r->c.weight, r->t.words);
        tw_double(w, rate);
        if (weight_rate == rate) /* NaN is not equal; 0 and -0 both print as 0 */
            tw_again(w, tw_last(w));
        else
            tw_double(w, weight_rate);
        tw_u64(w, r->c.turns_with);
        tw_u64_memo(w, r->t.turns, &turns);
        tw_u64(w, r->c.sents_with);
        tw_u64_memo(w, r->t.sentences, &sentences);
        tw_end_row(w);
    }
    lf_freq_iter_free(it);
    tw_end(w);
    return 0;
}

static int table_terms(tw *w, FILE *fp, bool json, const lf_tables *t, const lf_lexicon *lex,
                       const lf_options *o)
{
    COLS("group_type", "group", "theme", "term_type", "term", "entry_file", "entry_line",
         "matches", "weight");
    tw_begin(w, fp, json, lf_table_name(LF_TABLE_TERMS), cols, n_cols);
    lf_term_iter *it = lf_term_iter_new(t);
    lf_term_row row, prev = {0};
    bool first = true;
    size_t run = 0; /* rows so far of this group, theme and term type (most frequent first) */
    for (; lf_term_iter_next(it, &row); prev = row, first = false) {
        const lf_term_row *r = &row, *p = first ? NULL : &prev;
        run = p && p->dim == r->dim && strcmp(p->group, r->group) == 0 && p->theme == r->theme &&
                      p->is_form == r->is_form
                  ? run + 1
                  : 0;
        /* every term for the corpus; the most frequent ones for each other group */
        if (r->dim != 0 && run >= LF_TERMS_PER_GROUP)
            continue;
        if (!group_kept(t, o, r->dim, r->group, UINT64_MAX))
            continue;
        put_group(w, t, r->dim, r->group);
        tw_str_kept(w, lex->themes[r->theme].id);
        if (r->is_form) {
            tw_str_kept(w, "form");
            tw_str(w, r->form);
            tw_null(w);
            tw_null(w);
        } else {
            const lf_entry *e = &lex->entries[r->entry];
            tw_str_kept(w, "entry");
            tw_str(w, e->source ? e->source : "");
            tw_str_kept(w, e->file);
            tw_u64(w, e->line);
        }
        tw_u64(w, r->matches);
        tw_double(w, r->weight);
        tw_end_row(w);
    }
    lf_term_iter_free(it);
    tw_end(w);
    return 0;
}

/* co-occurrence: expected = count_a·count_b/units; jaccard = joint/(count_a+count_b−joint);
 * pmi = log2(joint·units/(count_a·count_b)); npmi = pmi/−log2(joint/units); g2 signed over
 * the 2×2 table of units; p from chi-square with 1 df. */
static int table_cooccurrence(tw *w, FILE *fp, bool json, const lf_tables *t,
                              const lf_lexicon *lex, const lf_options *o)
{
    COLS("group_type", "group", "scope", "theme_a", "theme_b", "joint", "count_a", "count_b",
         "units", "expected", "jaccard", "pmi", "npmi", "g2", "p");
    tw_begin(w, fp, json, lf_table_name(LF_TABLE_COOCCURRENCE), cols, n_cols);
    lf_cooc_iter *it = lf_cooc_iter_new(t);
    lf_cooc_row row;
    while (lf_cooc_iter_next(it, &row)) {
        const lf_cooc_row *r = &row;
        if (r->joint < o->min_count || !group_kept(t, o, r->dim, r->group, UINT64_MAX))
            continue;
        put_group(w, t, r->dim, r->group);
        tw_str_kept(w, lf_scope_name(r->scope));
        tw_str_kept(w, lex->themes[r->a].id);
        tw_str_kept(w, lex->themes[r->b].id);
        tw_u64(w, r->joint);
        tw_u64(w, r->count_a);
        tw_u64(w, r->count_b);
        tw_u64(w, r->units);
        tw_double(w, lf_cooc_expected(r->count_a, r->count_b, r->units));
        tw_double(w, lf_cooc_jaccard(r->joint, r->count_a, r->count_b));
        tw_double(w, lf_cooc_pmi(r->joint, r->count_a, r->count_b, r->units));
        tw_double(w, lf_cooc_npmi(r->joint, r->count_a, r->count_b, r->units));
        double g2 = lf_cooc_g2(r->joint, r->count_a, r->count_b, r->units);
        tw_double(w, g2);
        tw_p(w, lf_chisq1_sf(fabs(g2)));
        tw_end_row(w);
    }
    lf_cooc_iter_free(it);
    tw_end(w);
    return 0;
}

/* given, n: the comparison's rows when the caller has them (borrowed), else NULL. */
static int table_comparison(tw *w, FILE *fp, bool json, const lf_tables *t,
                            const lf_lexicon *lex, const lf_options *o,
                            const lf_compare_row *given, size_t n, lf_error *err)
{
    COLS("group_type", "group", "reference", "theme", "theme_label", "matches", "words",
         "rate_per_1000", "weight", "reference_matches", "reference_words",
         "reference_rate_per_1000", "reference_weight", "rate_ratio", "rate_ratio_ci_low",
         "rate_ratio_ci_high", "log2_ratio", "log2_ci_low", "log2_ci_high", "corrected", "g2",
         "p", "p_adjusted", "adjustment");
    lf_compare_row *own = NULL;
    if (!given && lf_compare_rows(t, o, &own, &n, err) != LF_OK)
        return -2;
    const lf_compare_row *rows = given ? given : own;
    tw_begin(w, fp, json, lf_table_name(LF_TABLE_COMPARISON), cols, n_cols);
    for (size_t i = 0; i < n; i++) {
        const lf_compare_row *r = &rows[i];
        put_group(w, t, r->dim, r->group);
        tw_str_kept(w, r->reference);
        put_theme(w, lex, r->theme);
        tw_u64(w, r->matches_target);
        tw_u64(w, r->words_target);
        tw_double(w, r->s.rate_target);
        tw_double(w, r->weight_target);
        tw_u64(w, r->matches_reference);
        tw_u64(w, r->words_reference);
        tw_double(w, r->s.rate_reference);
        tw_double(w, r->weight_reference);
        tw_double(w, r->s.rate_ratio);
        tw_double(w, r->s.ci_low);
        tw_double(w, r->s.ci_high);
        tw_double(w, r->s.log2_ratio);
        tw_double(w, r->s.log2_ci_low);
        tw_double(w, r->s.log2_ci_high);
        tw_bool(w, r->s.corrected);
        tw_double(w, r->s.g2);
        tw_p(w, r->s.p);
        tw_p(w, r->p_adjusted);
        tw_str_kept(w, lf_adjust_name(o->adjust));
        tw_end_row(w);
    }
    free(own);
    tw_end(w);
    return 0;
}

static int table_trends(tw *w, FILE *fp, bool json, const lf_tables *t, const lf_lexicon *lex,
                        const lf_options *o)
{
    COLS("period", "theme", "theme_label", "matches", "weight", "words", "rate_per_1000",
         "weight_per_1000", "documents");
    tw_begin(w, fp, json, lf_table_name(LF_TABLE_TRENDS), cols, n_cols);
    int dim = lf_tables_find_dim(t, LF_GROUP_PERIOD);
    lf_freq_iter *it = dim >= 0 ? lf_freq_iter_new(t, dim, true) : NULL;
    lf_freq_row row;
    while (it && lf_freq_iter_next(it, &row)) {
        const lf_freq_row *r = &row;
        if (!group_kept(t, o, r->dim, r->group, r->t.words))
            continue;
        tw_str_kept(w, r->group);
        put_theme(w, lex, r->theme);
        tw_u64(w, r->c.matches);
        tw_double(w, r->c.weight);
        tw_u64(w, r->t.words);
        tw_double(w, lf_rate_per_1000(r->c.matches, r->t.words));
        tw_double(w, lf_weight_per_1000(r->c.weight, r->t.words));
        tw_u64(w, r->t.docs);
        tw_end_row(w);
    }
    lf_freq_iter_free(it);
    tw_end(w);
    return 0;
}

/* first_appearance: position = word / document_words (0 = the first word). */
static int table_first(tw *w, FILE *fp, bool json, const lf_tables *t, const lf_lexicon *lex)
{
    COLS("document", "theme", "theme_label", "word", "document_words", "position", "turn",
         "sentence", "line", "speaker");
    tw_begin(w, fp, json, lf_table_name(LF_TABLE_FIRST_APPEARANCE), cols, n_cols);
    lf_first_iter *it = lf_first_iter_new(t);
    lf_first_row row;
    while (lf_first_iter_next(it, &row)) {
        const lf_first_row *r = &row;
        tw_str_kept(w, r->doc);
        put_theme(w, lex, r->theme);
        tw_u64(w, r->word);
        tw_u64(w, r->doc_words);
        tw_double(w, r->doc_words ? (double)r->word / (double)r->doc_words : NAN);
        tw_u64(w, r->turn);
        tw_u64(w, r->sentence);
        tw_u64(w, r->line);
        tw_str_kept(w, r->speaker);
        tw_end_row(w);
    }
    lf_first_iter_free(it);
    tw_end(w);
    return 0;
}

const char *lf_table_name(lf_table_id id)
{
    static const char *const names[] = {
        [LF_TABLE_FREQUENCIES] = "frequencies",   [LF_TABLE_TERMS] = "terms",
        [LF_TABLE_COOCCURRENCE] = "cooccurrence", [LF_TABLE_COMPARISON] = "comparison",
        [LF_TABLE_TRENDS] = "trends",             [LF_TABLE_FIRST_APPEARANCE] = "first_appearance",
    };
    _Static_assert(sizeof names / sizeof names[0] == LF_TABLE_COUNT, "every table has a name");
    return (unsigned)id < LF_TABLE_COUNT ? names[id] : "?";
}

/* cmp, n_cmp: the comparison's rows if already made (borrowed), else NULL. */
static int render_table(FILE *fp, bool json, lf_table_id id, const lf_tables *t,
                        const lf_lexicon *lex, const lf_options *o, const lf_compare_row *cmp,
                        size_t n_cmp, lf_error *err)
{
    tw w;
    switch (id) {
    case LF_TABLE_FREQUENCIES:
        return table_frequencies(&w, fp, json, t, lex, o);
    case LF_TABLE_TERMS:
        return table_terms(&w, fp, json, t, lex, o);
    case LF_TABLE_COOCCURRENCE:
        return table_cooccurrence(&w, fp, json, t, lex, o);
    case LF_TABLE_COMPARISON:
        return table_comparison(&w, fp, json, t, lex, o, cmp, n_cmp, err);
    case LF_TABLE_TRENDS:
        return table_trends(&w, fp, json, t, lex, o);
    case LF_TABLE_FIRST_APPEARANCE:
    case LF_TABLE_COUNT:
        break;
    }
    return table_first(&w, fp, json, t, lex);
}

int lf_render_table_csv_cmp(FILE *fp, lf_table_id id, const lf_tables *t,
                            const lf_lexicon *lex, const lf_options *opt,
                            const lf_compare_row *cmp, size_t n_cmp, lf_error *err)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    int rc = render_table(fp, false, id, t, lex, opt, cmp, n_cmp, err);
    if (rc != 0)
        return rc;
    return ferror(fp) ? -1 : 0;
}

int lf_render_table_csv(FILE *fp, lf_table_id id, const lf_tables *t, const lf_lexicon *lex,
                        const lf_options *opt, lf_error *err)
{
    return lf_render_table_csv_cmp(fp, id, t, lex, opt, NULL, 0, err);
}

int lf_render_tables_json_cmp(FILE *fp, unsigned mask, const lf_tables *t,
                              const lf_lexicon *lex, const lf_options *opt,
                              const lf_compare_row *cmp, size_t n_cmp, lf_error *err)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    /* Resolve the comparison first: an unknown target must fail before any output. */
    lf_compare_row *own = NULL;
    if (mask & 1u << LF_TABLE_COMPARISON && !cmp) {
        if (lf_compare_rows(t, opt, &own, &n_cmp, err) != LF_OK)
            return -2;
        cmp = own;
    }
    fprintf(fp, "{\n  \"lexframe\": ");
    lf_json_string(fp, lf_version());
    fputs(",\n  \"groupings\": [", fp);
    for (uint32_t d = 0; d < lf_tables_dim_count(t); d++) {
        if (d)
            fputs(", ", fp);
        lf_json_string(fp, lf_tables_dim_name(t, d));
    }
    fprintf(fp,
            "],\n  \"period\": \"%s\",\n  \"level\": %u,\n  \"window\": %zu,\n"
            "  \"min_words\": %" PRIu64 ",\n  \"min_count\": %" PRIu64
            ",\n  \"adjustment\": \"%s\",\n  \"dropped_groups\": [",
            lf_period_name(lf_tables_period(t)), lf_tables_level(t), lf_tables_window(t),
            opt->min_words, opt->min_count, lf_adjust_name(opt->adjust));
    lf_group_ref *dropped;
    size_t n_dropped = lf_dropped_groups(t, opt->min_words, &dropped);
    for (size_t i = 0; i < n_dropped; i++) {
        fputs(i ? ",\n    {\"group_type\":" : "\n    {\"group_type\":", fp);
        lf_json_string(fp, lf_tables_dim_name(t, dropped[i].dim));
        fputs(",\"group\":", fp);
        lf_json_string(fp, dropped[i].group);
        fprintf(fp, ",\"words\":%" PRIu64 "}", dropped[i].words);
    }
    fputs(n_dropped ? "\n  ]" : "]", fp);
    free(dropped);
    int rc = 0;
    for (int id = 0; id < LF_TABLE_COUNT && rc == 0; id++)
        if (mask & 1u << id)
            rc = render_table(fp, true, (lf_table_id)id, t, lex, opt, cmp, n_cmp, err);
    free(own);
    if (rc != 0)
        return rc;
    fputs("\n}\n", fp);
    return ferror(fp) ? -1 : 0;
}

int lf_render_tables_json(FILE *fp, unsigned mask, const lf_tables *t, const lf_lexicon *lex,
                          const lf_options *opt, lf_error *err)
{
    return lf_render_tables_json_cmp(fp, mask, t, lex, opt, NULL, 0, err);
}
