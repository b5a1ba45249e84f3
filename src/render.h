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
/* Writes s as one RFC 4180 CSV field (quoted when it holds , " CR or LF). */
void lf_csv_field(FILE *fp, const char *s);
/* Writes s as a JSON string literal with quotes; invalid UTF-8 is not expected. */
void lf_json_string(FILE *fp, const char *s);
/* Formats a double with up to 6 significant decimals, no trailing zeros, "-" never as
 * "-0", and "NA" for NaN/inf: the same bytes on every run and platform. */
void lf_fmt_double(char *out, size_t cap, double x);

/* ---- table writers ---- */
int lf_render_frequencies_csv(FILE *fp, const lf_tables *t, const lf_lexicon *lex);
int lf_render_cooccurrence_csv(FILE *fp, const lf_tables *t, const lf_lexicon *lex);

/* What the summary and manifest say about the run beyond the tables. */
typedef struct lf_report_info {
    const char *version;
    const char *argv_line;                  /* the command as given */
    const char *const *inputs;              /* input file paths, in processing order */
    size_t n_inputs;
    const char *const *failed;              /* inputs that failed, with their messages */
    size_t n_failed;
    const char *const *lexicon_files;
    size_t n_lexicon_files;
    const char *const *options;             /* "name=value" strings, in a fixed order */
    size_t n_options;
} lf_report_info;

int lf_render_summary_md(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                         const lf_report_info *info);
/* The manifest: version, command, options, and the SHA-256 and size of every input and
 * lexicon file (read again here). Returns -1 and fills err when a file cannot be hashed. */
int lf_render_manifest_json(FILE *fp, const lf_tables *t, const lf_report_info *info,
                            lf_error *err);

/* ---- KWIC ---- */
/* One aligned concordance line: "doc:line speaker  …left [match] right…"; `width` is the
 * column width the left context is right-aligned to. */
int lf_render_kwic_line(FILE *fp, const lf_match_row *row, size_t width);

/* ---- SHA-256 of a file, as 64 lowercase hex digits plus NUL ---- */
lf_status lf_sha256_file(const char *path, char hex[65], uint64_t *bytes,
                         lf_error *err) LF_WARN_UNUSED;

/* ---- atomic output files ---- */
/* A file written under a temporary name in its final directory and renamed into place by
 * lf_outfile_commit; lf_outfile_abort (or freeing an uncommitted one) removes it. */
typedef struct lf_outfile {
    FILE *fp;
    char *final_path;
    char *tmp_path;
} lf_outfile;

lf_status lf_outfile_open(lf_outfile *of, const char *dir, const char *name,
                          lf_error *err) LF_WARN_UNUSED;
/* Flushes, checks for write errors, closes and renames. */
lf_status lf_outfile_close(lf_outfile *of, lf_error *err) LF_WARN_UNUSED;
lf_status lf_outfile_commit(lf_outfile *of, lf_error *err) LF_WARN_UNUSED;
void lf_outfile_abort(lf_outfile *of);
/* Creates dir and its parents when missing. */
lf_status lf_mkdir_p(const char *dir, lf_error *err) LF_WARN_UNUSED;

#endif
