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

/* ---- statistics used by the tables (formulas in docs and PRODUCT.md) ---- */
double lf_rate_per_1000(uint64_t count, uint64_t words);      /* 0 when words == 0 */
double lf_cooc_expected(uint64_t na, uint64_t nb, uint64_t n); /* na*nb/n */
double lf_cooc_jaccard(uint64_t nab, uint64_t na, uint64_t nb);
double lf_cooc_pmi(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n);  /* log2 */
double lf_cooc_npmi(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n); /* in [-1, 1] */

/* ---- text helpers shared by writers ---- */
/* Writes s as one RFC 4180 CSV field (quoted when it holds , " CR or LF; quotes doubled).
 * Table rows end in LF. NULL writes an empty field. */
void lf_csv_field(FILE *fp, const char *s);
/* Writes s as a JSON string literal with quotes: " \\ \n \r \t escaped, other control
 * characters as \u00XX, U+2028/2029 as \u2028/\u2029. Invalid UTF-8 is not expected. */
void lf_json_string(FILE *fp, const char *s);
/* Formats a double with up to 6 decimals ("%.6f"), trailing zeros and a bare '.' trimmed
 * ("3", "0.5", "12.345679"), never "-0", and "NA" for NaN/inf: the same bytes on every run
 * and platform (no locale). A result longer than cap is cut. */
void lf_fmt_double(char *out, size_t cap, double x);

/* ---- table writers ---- */
/* frequencies.csv: group_type,group,theme,theme_label,matches,negated,weight,words,
 * rate_per_1000,turns_with_theme,turns,sentences_with_theme,sentences — one row per
 * group × theme in lf_tables_freq order. */
int lf_render_frequencies_csv(FILE *fp, const lf_tables *t, const lf_lexicon *lex);
/* cooccurrence.csv: scope,theme_a,theme_b,joint,count_a,count_b,units,expected,jaccard,
 * pmi,npmi — one row per co-occurring pair in lf_tables_cooc order. */
int lf_render_cooccurrence_csv(FILE *fp, const lf_tables *t, const lf_lexicon *lex);

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
} lf_report_info;

/* summary.md: findings in sentences with figures. `info` may be NULL (no provenance or
 * failed-input sections). */
int lf_render_summary_md(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                         const lf_report_info *info);
/* The manifest: version, command, options, and the SHA-256 and size of every input and
 * lexicon file (read again here). Keys in this order: lexframe, command, options (an
 * object in first-appearance order; a repeated name holds an array of its values, a
 * "name" without '=' is true), inputs and lexicons ([{path, bytes, sha256}]), failed
 * (strings), counts {docs, turns, sentences, words, matches, negated, suppressed,
 * stripped}. Every file is hashed before anything is written. Returns -1 and fills err
 * (LF_ERR_INPUT naming the file) when a file cannot be hashed, or LF_ERR_IO on a write
 * error. */
int lf_render_manifest_json(FILE *fp, const lf_tables *t, const lf_report_info *info,
                            lf_error *err);

/* ---- KWIC ---- */
/* One aligned concordance line:
 *   "doc:line speaker<pad to 24 columns>  <left, right-aligned in width> [match] <right>"
 * Widths are terminal columns (code points, wide CJK characters 2, combining marks 0). The
 * left context longer than `width` keeps its end behind "…"; the right context longer
 * than `width` is cut and ends in "…"; never inside a code point. Control characters
 * become spaces. An empty speaker shows as "(unattributed)". */
int lf_render_kwic_line(FILE *fp, const lf_match_row *row, size_t width);

/* ---- SHA-256 of a file, as 64 lowercase hex digits plus NUL; *bytes gets its size (may
 * be NULL). LF_ERR_INPUT names the path and strerror when it cannot be read. ---- */
lf_status lf_sha256_file(const char *path, char hex[65], uint64_t *bytes,
                         lf_error *err) LF_WARN_UNUSED;

/* ---- atomic output files ---- */
/* A file written under a temporary name (<dir>/.<name>.tmp-XXXXXX, mode 0666 less the
 * umask) in its final directory and renamed into place by lf_outfile_commit;
 * lf_outfile_abort removes it. Errors are LF_ERR_IO naming the final path and strerror. */
typedef struct lf_outfile {
    FILE *fp;
    char *final_path;
    char *tmp_path;
} lf_outfile;

lf_status lf_outfile_open(lf_outfile *of, const char *dir, const char *name,
                          lf_error *err) LF_WARN_UNUSED;
/* Flushes, checks for write errors and closes, without renaming (so several files can be
 * completed before any is committed). The temporary file stays until commit or abort.
 * A no-op when already closed. */
lf_status lf_outfile_close(lf_outfile *of, lf_error *err) LF_WARN_UNUSED;
/* Closes (when still open) and renames into place. Either way the outfile is released
 * (zeroed); on failure the temporary file is removed and the previous file stays. */
lf_status lf_outfile_commit(lf_outfile *of, lf_error *err) LF_WARN_UNUSED;
/* Closes, removes the temporary file and releases the outfile; a no-op on a zeroed or
 * already committed one. */
void lf_outfile_abort(lf_outfile *of);
/* Installs handlers for SIGINT, SIGTERM and SIGHUP (unless the signal is ignored, as under
 * nohup) that remove every temporary file of an outfile not yet committed or aborted, then
 * end the process by the same signal (a shell reports 128 + N: 130, 143, 129). Outputs
 * already in place are never touched. Call once, early, from the program's main. */
void lf_outfile_trap_signals(void);
/* Holds those signals (true) until the matching release (false), e.g. while the files of
 * a report are renamed into place one after another, so that a signal acts on the whole
 * set rather than between two renames. Nests. */
void lf_outfile_hold_signals(bool hold);
/* Creates dir and its parents when missing (mode 0777 less the umask). LF_ERR_IO names the
 * directory that could not be created. */
lf_status lf_mkdir_p(const char *dir, lf_error *err) LF_WARN_UNUSED;

#endif
