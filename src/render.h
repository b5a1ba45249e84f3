/* render.h — stage 5: writers turn result tables and match rows into files: CSV tables,
 * the Markdown summary, the JSON manifest, KWIC lines. Writers see only lf_tables, the
 * lexicon's themes and lf_match_row; never documents or tokens.
 * Every writer returns 0 or -1 when the stream reports an error (ferror). */
#ifndef LF_RENDER_H
#define LF_RENDER_H

#include <stdio.h>

#include "aggregate.h"
#include "lexframe.h"
#include "lexicon.h"

/* terms.csv lists every entry and form behind each theme for the whole corpus, and this
 * many of the most frequent for each other group. */
#define LF_TERMS_PER_GROUP 25

/* ---- statistics used by the tables (formulas in docs/statistics.md) ---- */
double lf_rate_per_1000(uint64_t count, uint64_t words);      /* 0 when words == 0 */
double lf_weight_per_1000(double weight, uint64_t words);     /* 0 when words == 0 */
/* The lower end of the exact (Garwood) two-sided 95% confidence interval of a Poisson
 * mean observed as `count`: the λ with P(X >= count | λ) = 0.025; 0 for count 0. */
double lf_poisson_lower95(uint64_t count);
double lf_cooc_expected(uint64_t na, uint64_t nb, uint64_t n); /* na*nb/n */
double lf_cooc_jaccard(uint64_t nab, uint64_t na, uint64_t nb);
double lf_cooc_pmi(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n);  /* log2 */
double lf_cooc_npmi(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n); /* in [-1, 1] */
/* G² of the 2×2 table of units (both, a only, b only, neither), signed: negative when the
 * joint count is below its expected value. NaN when n = 0 or the counts are inconsistent. */
double lf_cooc_g2(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n);
/* G² = 2 Σ O ln(O/E) over a 2×2 table of counts [[o11, o12], [o21, o22]] with
 * E = row total · column total / N; cells with O = 0 add 0; 0 when N = 0. Unsigned. */
double lf_g2_2x2(double o11, double o12, double o21, double o22);
/* P(X ≥ x) for X chi-square distributed with 1 degree of freedom: erfc(sqrt(x/2)); 1 when
 * x ≤ 0, NaN for NaN. */
double lf_chisq1_sf(double x);

/* The framing contrast of one theme between a target and a reference: a matches in wt
 * words against b matches in wr words (PRODUCT.md, docs/statistics.md). */
typedef struct lf_contrast {
    double rate_target, rate_reference;   /* per 1,000 words, from the raw counts */
    double rate_ratio, log2_ratio;        /* NaN when undefined (see `tested`) */
    double ci_low, ci_high;               /* 95% CI of the rate ratio */
    double log2_ci_low, log2_ci_high;     /* the same on the log2 scale */
    double g2;                            /* signed: negative when the target's rate is lower */
    double p;                             /* chi-square (1 df) p of |G²| */
    bool corrected;                       /* a cell was 0: 0.5 added to every cell for the
                                             ratio and its CI */
    bool tested;                          /* both sides have words and the theme occurs:
                                             the row enters the multiple-comparison family */
} lf_contrast;

/* Fills *out. wt or wr = 0: everything but the rates is NaN. a = b = 0: ratio and CI NaN,
 * G² 0, p 1. Otherwise c = max(0, wt − a), d = max(0, wr − b); when a, b, c or d is 0, 0.5
 * is added to each of the four cells for the ratio and its CI (never for G²). */
void lf_contrast_compute(uint64_t a, uint64_t wt, uint64_t b, uint64_t wr, lf_contrast *out);
/* Adjusted p-values for a family of n p-values (all finite): Holm's step-down or
 * Benjamini–Hochberg's step-up, made monotone and capped at 1. Ties keep the input order,
 * and tied p-values get the same adjusted value. `out` may alias `p`. */
void lf_p_adjust(const double *p, size_t n, lf_adjust method, double *out);
const char *lf_adjust_name(lf_adjust m);  /* "holm", "bh" (as on the command line) */
const char *lf_adjust_label(lf_adjust m); /* "Holm", "Benjamini-Hochberg" (for prose) */

/* The corpus rows (grouping 0, which lf_tables_freq_rows puts first) of the themes with
 * matches into out (room for one per theme), most matches first, ties by theme index;
 * returns their number. The pointers are into rows. */
size_t lf_theme_rank(const lf_freq_row *rows, size_t n_rows, const lf_freq_row **out);
/* A co-occurring pair of the corpus with its NPMI. */
typedef struct lf_ranked_pair {
    const lf_cooc_row *row; /* borrowed from the rows ranked */
    double npmi;
} lf_ranked_pair;
/* The corpus pairs (grouping 0) of `scope` with at least min_joint units holding both
 * themes into out (room for n_rows), highest NPMI first, then more joint units, then
 * theme a and b in index order; returns their number. */
size_t lf_cooc_rank(const lf_cooc_row *rows, size_t n_rows, lf_scope scope,
                    uint64_t min_joint, lf_ranked_pair *out);

/* Formats a probability: as lf_fmt_double when it is 0 or at least 0.001, else with six
 * significant digits in exponent form ("3.52492e-07"), so a small p never prints as 0.
 * Returns the length written. */
size_t lf_fmt_p(char *out, size_t cap, double p);

/* ---- the framing comparison, built from the tables when rendering (compare.c) ---- */
/* The reference column's value when a group is compared with the rest of the corpus. */
#define LF_REFERENCE_REST "(rest)"

typedef struct lf_compare_row {
    uint32_t dim;
    lf_group_kind kind;
    const char *group;      /* the target */
    const char *reference;  /* a group of the same grouping, or LF_REFERENCE_REST */
    uint32_t theme;
    uint64_t matches_target, words_target, matches_reference, words_reference;
    double weight_target, weight_reference;
    lf_contrast s;
    double p_adjusted;      /* over the tested themes of this target and reference (one
                               family per comparison); = p when not tested */
} lf_compare_row;

/* A group of a grouping, with its size (for the list of groups left out). */
typedef struct lf_group_ref {
    uint32_t dim;
    lf_group_kind kind;
    const char *group;
    uint64_t words;
} lf_group_ref;

/* Comparison rows for every grouping but the corpus (and the document grouping unless
 * opt->compare_documents): each target group (opt->target, or
 * every group) with at least opt->min_words words, against opt->reference (a group of the
 * same grouping; NULL, "rest" or "(rest)": the rest of the corpus), for each reported
 * theme. Sorted by grouping, target (byte order), log2 ratio descending (undefined last),
 * theme. opt may be NULL (defaults). LF_ERR_USAGE when the target or the reference names
 * no group of any grouping. *rows is malloc'd; strings are the table's. */
lf_status lf_compare_rows(const lf_tables *t, const lf_options *opt, lf_compare_row **rows,
                          size_t *n, lf_error *err) LF_WARN_UNUSED;
/* The groups (not the corpus) with fewer than min_words words, in table order. */
size_t lf_dropped_groups(const lf_tables *t, uint64_t min_words, lf_group_ref **out);

/* ---- text helpers shared by writers ---- */
/* Writes s as one RFC 4180 CSV field (quoted when it holds , " CR or LF; quotes doubled).
 * Table rows end in LF. NULL writes an empty field. */
void lf_csv_field(FILE *fp, const char *s);
/* lf_csv_field appending to a buffer. */
void lf_csv_field_buf(lf_buf *b, const char *s);
/* Writes s as a JSON string literal with quotes: " \\ \n \r \t escaped, other control
 * characters as \u00XX, U+2028/2029 as \u2028/\u2029, each byte of invalid UTF-8 (a
 * file name's) as \ufffd. */
void lf_json_string(FILE *fp, const char *s);
/* lf_json_string appending to a buffer. */
void lf_json_string_buf(lf_buf *b, const char *s);
/* Formats a double with up to 6 decimals ("%.6f"), trailing zeros and a bare '.' trimmed
 * ("3", "0.5", "12.345679"), never "-0", and "NA" for NaN/inf: the same bytes on every run
 * and platform (no locale). A result longer than cap is cut. Returns the length written
 * (without the NUL). */
size_t lf_fmt_double(char *out, size_t cap, double x);
/* Writes v in decimal ("%llu") to out (room for 20 bytes; no NUL) and returns the length. */
size_t lf_fmt_uint(char *out, uint64_t v);

/* ---- the result tables as CSV and JSON (render_tables.c) ---- */
/* The tables of a report, in file order; columns and formulas in docs/statistics.md. */
typedef enum lf_table_id {
    LF_TABLE_FREQUENCIES,     /* group × theme: matches, weights, rates, units */
    LF_TABLE_TERMS,           /* group × theme × entry or matched form */
    LF_TABLE_COOCCURRENCE,    /* group × scope × theme pair: joint, PMI, NPMI, G² */
    LF_TABLE_COMPARISON,      /* grouping × target × theme: the framing contrast */
    LF_TABLE_TRENDS,          /* period × theme: rates for a trend line */
    LF_TABLE_FIRST_APPEARANCE, /* document × theme: where the theme first appears */
    LF_TABLE_COUNT
} lf_table_id;

/* The table's name: its CSV file stem and its key in JSON ("frequencies", "terms",
 * "cooccurrence", "comparison", "trends", "first_appearance"). */
const char *lf_table_name(lf_table_id id);
/* Writes one table as CSV (RFC 4180 quoting, a header row, LF line ends; undefined
 * numbers as NA). Groups under opt->min_words words are left out (the corpus never);
 * co-occurrence rows need opt->min_count joint units. opt may be NULL (defaults).
 * Returns 0; -1 on a write error; -2 when the comparison's target or reference names no
 * group (err filled, LF_ERR_USAGE). */
int lf_render_table_csv(FILE *fp, lf_table_id id, const lf_tables *t, const lf_lexicon *lex,
                        const lf_options *opt, lf_error *err);
/* Writes the tables whose bit (1u << id) is in `mask` as one JSON object: the settings
 * (groupings, period, level, window, min_words, min_count, adjustment), the groups left
 * out, then per table {"columns": [CSV column names], "data": [[row values], …]} (pandas'
 * "split" layout; undefined numbers null, flags true/false). Returns as
 * lf_render_table_csv. */
int lf_render_tables_json(FILE *fp, unsigned mask, const lf_tables *t, const lf_lexicon *lex,
                          const lf_options *opt, lf_error *err);
/* lf_render_table_csv and lf_render_tables_json given the comparison's rows, made once by
 * the caller with lf_compare_rows(t, opt) for the same opt and shared by every writer of a
 * report (borrowed; cmp NULL: each makes its own). */
int lf_render_table_csv_cmp(FILE *fp, lf_table_id id, const lf_tables *t,
                            const lf_lexicon *lex, const lf_options *opt,
                            const lf_compare_row *cmp, size_t n_cmp, lf_error *err);
int lf_render_tables_json_cmp(FILE *fp, unsigned mask, const lf_tables *t,
                              const lf_lexicon *lex, const lf_options *opt,
                              const lf_compare_row *cmp, size_t n_cmp, lf_error *err);
#define LF_TABLES_ALL ((1u << LF_TABLE_COUNT) - 1)

/* What the summary and manifest say about the run beyond the tables. */
typedef struct lf_report_info {
    const char *version;
    const char *argv_line;                  /* the command as given */
    const char *const *inputs;              /* input file paths, in processing order; each
                                               is hashed, so list only readable files */
    size_t n_inputs;
    const char *const *failed;              /* inputs that failed, with their messages */
    size_t n_failed;
    const char *const *lexicon_files;
    size_t n_lexicon_files;
    const char *const *options;             /* "name=value" strings, in a fixed order */
    size_t n_options;
    /* Per input (may be NULL): its SHA-256 and size when known already — standard input,
       an input of a merged partial result — or NULL to read the file again. */
    const char *const *input_sha256;
    const uint64_t *input_bytes;
    /* The comparison's rows, lf_compare_rows(t, opt) for the opt given with this info, when
       the caller has made them (borrowed); NULL: the summary and the page make their own. */
    const lf_compare_row *compare;
    size_t n_compare;
} lf_report_info;

/* summary.md: findings in sentences with figures: corpus, themes, who uses them most,
 * framing differences (from the comparison), trends, themes that travel together, what
 * was not counted, groups left out, failed inputs. `info` may be NULL (no provenance or
 * failed-input sections); opt may be NULL (defaults). */
int lf_render_summary_md(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                         const lf_report_info *info, const lf_options *opt);
/* The framing comparison as Markdown: the method, the findings in sentences, and per
 * grouping and target a table of the themes either side uses. Returns as
 * lf_render_table_csv. */
int lf_render_comparison_md(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                            const lf_options *opt, lf_error *err);
/* ---- the HTML report (render_html.c; charts in render_svg.c) ---- */
/* Evidence lines per theme a report run samples for report.html unless
 * lf_run_set_evidence says otherwise, and their words of context on each side. */
#define LF_EVIDENCE_PER_THEME 20
#define LF_EVIDENCE_CONTEXT 8
/* The evidence shown in report.html: sampled match rows with context (borrowed), at most
 * per_theme per theme, drawn with seed (both stated on the page). */
typedef struct lf_html_evidence {
    const lf_match_row *const *rows;
    size_t n;
    size_t per_theme;
    uint64_t seed;
} lf_html_evidence;
/* report.html: one self-contained page (inline CSS, SVG and a small filtering script; a
 * Content Security Policy that lets nothing load): corpus summary; theme frequencies
 * (bars); speaker, party and role × theme rates (heatmaps); the framing comparison of each
 * group against the rest (forest plots); co-occurrence per scope (heatmaps); trends per
 * period (lines, when documents are dated); the evidence (KWIC lines filterable by theme
 * and speaker); the lexicon; the manifest (inputs and lexicon files with SHA-256). Each
 * chart comes with the table of its numbers; lists are cut to fixed top-N sizes (named in
 * render_html.c) so the page stays usable on any corpus. All text from data is escaped.
 * info, opt and ev may be NULL. Returns as lf_render_manifest_json (a file that cannot be
 * hashed fills err with LF_ERR_INPUT), or -2 as lf_render_table_csv. */
int lf_render_report_html(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                          const lf_report_info *info, const lf_options *opt,
                          const lf_html_evidence *ev, lf_error *err);
/* The manifest: version, command, options, and the SHA-256 and size of every input and
 * lexicon file (read again here, unless info->input_sha256 gives them). Keys in this order: lexframe, command, options (an
 * object in first-appearance order; a repeated name holds an array of its values, a
 * "name" without '=' is true), inputs and lexicons ([{path, bytes, sha256}]), failed
 * (strings), counts {docs, turns, sentences, words, matches, negated, suppressed,
 * stripped}. Every file is hashed before anything is written. Returns -1 and fills err
 * (LF_ERR_INPUT naming the file) when a file cannot be hashed, or LF_ERR_IO on a write
 * error. */
int lf_render_manifest_json(FILE *fp, const lf_tables *t, const lf_report_info *info,
                            lf_error *err);

/* ---- KWIC and match rows (render_rows.c) ---- */
/* The TSV header of KWIC rows: the match columns, then left and right context. */
const char *lf_kwic_tsv_header(void);
int lf_write_kwic_tsv(FILE *fp, const lf_match_row *row);
/* The same row with its text fields escaped as lf_fput_escaped does (tab, CR, LF, '\\')
 * instead of tab, CR and LF made spaces: a partial result's rows, read back unchanged. */
int lf_write_kwic_tsv_escaped(FILE *fp, const lf_match_row *row);
/* A JSON array of match objects: each row with its 0-based index (the first opens the
 * array), then lf_write_match_json_end with the number of rows written ("[]" for none). */
int lf_write_match_json(FILE *fp, const lf_match_row *row, size_t index);
int lf_write_match_json_end(FILE *fp, size_t count);

/* A reproducible random sample of at most `per_theme` rows per theme, for hand
 * validation: reservoir sampling (Algorithm R) driven by a splitmix64 generator seeded
 * with `seed`, so the same rows added in the same order with the same seed give the same
 * sample on every platform. Rows are copied. */
typedef struct lf_row_sample lf_row_sample;
lf_row_sample *lf_row_sample_new(size_t per_theme, uint64_t seed);
void lf_row_sample_add(lf_row_sample *s, const lf_match_row *row);
/* The sampled rows by theme id (byte order), then in the order they were added. Borrowed
 * until the next call or lf_row_sample_free. */
size_t lf_row_sample_rows(lf_row_sample *s, const lf_match_row *const **rows);
void lf_row_sample_free(lf_row_sample *s);


/* One aligned concordance line:
 *   "doc:line speaker<pad to 24 columns>  <left, right-aligned in width> [match] <right>"
 * Widths are terminal columns (code points, wide CJK characters 2, combining marks 0). The
 * left context longer than `width` keeps its end behind "…"; the right context longer
 * than `width` is cut and ends in "…"; never inside a code point. Control characters
 * become spaces. An empty speaker shows as "(unattributed)". Closing punctuation (". , ;
 * : ! ? ) ] } … ” ’") follows the match's ']' without a space, and after an opening
 * bracket or quote ("( [ { “ ‘") the '[' follows without one, in its usual column. */
int lf_render_kwic_line(FILE *fp, const lf_match_row *row, size_t width);

/* ---- SHA-256 of a file, as 64 lowercase hex digits plus NUL; *bytes gets its size (may
 * be NULL). LF_ERR_INPUT names the path and strerror when it cannot be read. ---- */
lf_status lf_sha256_file(const char *path, char hex[65], uint64_t *bytes,
                         lf_error *err) LF_WARN_UNUSED;

/* ---- atomic output files ---- */
/* A file written under a temporary name (<dir>/.<name>.tmp-XXXXXX, mode 0666 less the
 * umask) in its final directory and renamed into place by lf_outfile_commit;
 * lf_outfile_abort removes it. dir NULL or "": the current directory, and the final path is
 * `name` as given. Errors are LF_ERR_IO naming the final path and strerror; a directory at
 * the final path is one when the file is opened, not when it is renamed. */
/* Its stream is written by one thread at a time (it does no locking of its own). */
typedef struct lf_outfile {
    FILE *fp;
    char *final_path;
    char *tmp_path;
    bool replaces; /* a regular file was at final_path when it was opened */
} lf_outfile;

lf_status lf_outfile_open(lf_outfile *of, const char *dir, const char *name,
                          lf_error *err) LF_WARN_UNUSED;
/* lf_outfile_open for a path: the directory is what comes before its last '/' ("/" for
 * "/name"), or the current one when it has none; messages name the path as given. A path that names a
 * device or FIFO (/dev/null, /dev/stdout) is written directly, never replaced; one that
 * names a directory is an error. */
lf_status lf_outfile_open_path(lf_outfile *of, const char *path, lf_error *err) LF_WARN_UNUSED;
/* Flushes, checks for write errors and closes, without renaming (so several files can be
 * completed before any is committed). The temporary file stays until commit or abort.
 * A no-op when already closed. */
lf_status lf_outfile_close(lf_outfile *of, lf_error *err) LF_WARN_UNUSED;
/* When the file will replace an existing one: flushes the stream and starts writing its
 * data to the device, without waiting for it. Renaming a new file over an old one makes
 * ext4 (auto_da_alloc) do this inside rename(), in the thread that commits and in file
 * order; this lets the thread that wrote the file pay for it, in parallel with others.
 * Write errors are left for lf_outfile_close. A no-op for a new file, a device or FIFO,
 * or a closed outfile. */
void lf_outfile_writeback(lf_outfile *of);
/* Closes (when still open) and renames into place. Either way the outfile is released
 * (zeroed); on failure the temporary file is removed and the previous file stays. */
lf_status lf_outfile_commit(lf_outfile *of, lf_error *err) LF_WARN_UNUSED;
/* Closes, removes the temporary file and releases the outfile; a no-op on a zeroed or
 * already committed one. */
void lf_outfile_abort(lf_outfile *of);
/* Installs handlers for SIGINT, SIGTERM and SIGHUP (unless the signal is ignored, as under
 * nohup) that remove every temporary file of an outfile not yet committed or aborted, then
 * end the process by the same signal (a shell reports 128 + N: 130, 143, 129). Outputs
 * already in place are never touched. SIGXFSZ is ignored, so that a file over the size limit
 * fails to write (EFBIG, a write error) instead of killing the process. Call once, early,
 * from the program's main. */
void lf_outfile_trap_signals(void);
/* Holds those signals (true) until the matching release (false), e.g. while the files of
 * a report are renamed into place one after another, so that a signal acts on the whole
 * set rather than between two renames. Nests. */
void lf_outfile_hold_signals(bool hold);
/* Creates dir and its parents when missing (mode 0777 less the umask). LF_ERR_IO names the
 * directory that could not be created. */
lf_status lf_mkdir_p(const char *dir, lf_error *err) LF_WARN_UNUSED;

#endif
