/* lexicon_read.h — what the foreign dictionary readers (LIWC, LIWC-22, General Inquirer,
 * Lexicoder, Yoshikoder, WordStat, quanteda YAML, word lists) share: errors and warnings
 * with file:line:col, line iteration over LF/CRLF/CR text, category names turned into
 * theme ids, and patterns turned into entries split exactly as transcripts are split.
 * Private to the lexicon stage; every string it stores lives in the lexicon's arena. */
#ifndef LF_LEXICON_READ_H
#define LF_LEXICON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lexicon.h"
#include "util.h"

typedef struct lf_reader {
    lf_lexicon *lex;
    const char *path; /* lives in lex->arena */
    const lf_options *opt;
    lf_error *err;
    uint64_t max_entries;
    const char *glob_chars; /* the format's wildcard characters, e.g. "*" or "*?" */
    size_t first_theme;     /* themes at or above this index were created by this file */
} lf_reader;

/* Sets up r for one file (path is interned into lex's arena). */
void lf_reader_init(lf_reader *r, lf_lexicon *lex, const char *path, const lf_options *opt,
                    lf_error *err, const char *glob_chars);
/* The value of a named limit for this file (the defaults when opt is NULL). */
uint64_t lf_reader_limit(const lf_reader *r, lf_limit_id id);
/* LF_ERR_LIMIT, naming path:line:col and the lexicon-entries limit, when the lexicon
 * already holds as many entries as it allows; LF_OK otherwise. */
lf_status lf_reader_check_entries(lf_reader *r, size_t line, size_t col);
/* Fails with LF_ERR_LEXICON "path:line:col: message" (line/col 0 are left out). */
lf_status lf_reader_fail(lf_reader *r, size_t line, size_t col, const char *fmt, ...)
    LF_PRINTF(4, 5);
/* Records a warning in the lexicon. */
void lf_reader_warn(lf_reader *r, size_t line, size_t col, const char *fmt, ...)
    LF_PRINTF(4, 5);

/* Skips a UTF-8 byte order mark and checks that the rest is UTF-8; on failure the error
 * names line, column and byte offset and suggests --encoding. *start is the first byte
 * after the BOM. */
lf_status lf_reader_check_utf8(lf_reader *r, const char *data, size_t len, size_t *start);

/* Lines of [data+pos, data+len) ending in LF, CRLF or CR (the last may have no end). */
typedef struct lf_lines {
    const char *data;
    size_t len, pos, lineno;
} lf_lines;
void lf_lines_init(lf_lines *it, const char *data, size_t len, size_t start);
/* Sets [*s, *e) to the next line without its end; false at the end of the data. */
bool lf_lines_next(lf_lines *it, const char **s, const char **e);
/* The lines of a line-based dictionary file: checks data as lf_reader_check_utf8 does and
 * sets up it over the text after the byte order mark (no lines when the check fails). */
lf_status lf_reader_lines(lf_reader *r, const char *data, size_t len, lf_lines *it);
/* The next line of a dictionary file, as lf_lines_next, checked: a line longer than the
 * lexicon-line-bytes limit fails with LF_ERR_LIMIT, a NUL byte with LF_ERR_LEXICON at its
 * column (in *st, err filled). False at the end, on such a failure, or when *st is already a failure. */
bool lf_reader_line(lf_reader *r, lf_lines *it, const char **s, const char **e,
                    lf_status *st);

/* The words [start, end) of a pattern, as lf_split_words finds them: pass
 * lf_word_span_push with an lf_word_spans as its ctx. */
typedef struct lf_word_span {
    size_t start, end;
} lf_word_span;
typedef LF_VEC(lf_word_span) lf_word_spans;
void lf_word_span_push(void *ctx, size_t start, size_t end);

/* 1-based column in code points of `at` on the line starting at line_start. */
size_t lf_col_of(const char *line_start, const char *at);
bool lf_is_blank(char c);
/* True when the character at s (s < e) may stand between the words of a phrase: a tab, form
 * feed, vertical tab or Unicode space separator; *len gets its length in bytes (1 for a
 * byte that is not UTF-8). */
bool lf_is_space_at(const char *s, const char *e, int *len);
const char *lf_skip_blank(const char *s, const char *e);
const char *lf_trim_blank_end(const char *s, const char *e);

/* The theme id part made from a category name: ASCII letters lowercased, accents dropped
 * (é → e), digits, '_' and '-' kept, every other run of characters one '_', no '_' at the
 * ends; "theme" when nothing is left. Returns a malloc'd string. */
char *lf_slug(const char *name, size_t len);

/* Declares the category `name` under theme `parent` (-1: top level) and sets *out to its
 * index. The id is the parent's id, '.', and lf_slug(name); the label is the name. A name
 * whose id another category of this file already has gets "_2", "_3", … and a warning, or,
 * when `merge` is set and the names are equal, that same theme. A theme declared by another
 * file is an error naming both places. */
lf_status lf_reader_theme(lf_reader *r, int32_t parent, const char *name, size_t len,
                          size_t line, size_t col, bool merge, uint32_t *out);

/* Options of one entry for lf_reader_entry. */
typedef struct lf_entry_spec {
    bool has_weight;
    double weight;
    const char *source;   /* the entry as written, for reports; NULL: the pattern text */
    size_t source_len;
} lf_entry_spec;

/* Adds the pattern [s, s+len) (words separated by spaces; r->glob_chars are wildcards) to
 * theme as a word, phrase or glob entry. What cannot be matched as written is reported,
 * never dropped silently: punctuation between words makes a phrase of the words around
 * it (warning); punctuation at either end, no words at all or a pattern of only '*' skip
 * the entry (warning); "**" is read as "*" (warning). *added says whether an entry was
 * made. LF_ERR_LIMIT past the lexicon-entries limit. */
lf_status lf_reader_entry(lf_reader *r, uint32_t theme, const char *s, size_t len,
                          const lf_entry_spec *spec, size_t line, size_t col, bool *added);

/* Parses [s, e) as a plain decimal number (as the native {weight=…}): true on success. */
bool lf_parse_number(const char *s, const char *e, double *out);

#endif
