/* lexframe.h — the public interface of liblexframe: lexicon-based framing analysis of
 * policy transcripts. A caller loads a lexicon, creates a run over input paths, executes it
 * (matches stream to an optional callback while count tables accumulate) and writes the
 * report. Ownership: every *_new has a *_free, *_free(NULL) is a no-op, and strings inside
 * callback rows are borrowed for the duration of the callback only. */
#ifndef LEXFRAME_H
#define LEXFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define LF_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define LF_WARN_UNUSED
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the library version, e.g. "0.1.0". */
const char *lf_version(void);

/* ---- status and errors ------------------------------------------------------------- */
typedef enum lf_status {
    LF_OK = 0,
    LF_ERR_USAGE,   /* bad option or argument               (exit 2) */
    LF_ERR_LEXICON, /* lexicon cannot be read or is invalid (exit 2) */
    LF_ERR_INPUT,   /* a transcript cannot be read or is invalid (exit 1) */
    LF_ERR_IO,      /* an output cannot be written          (exit 1) */
    LF_ERR_LIMIT,   /* a named input limit was exceeded     (exit 1) */
    LF_ERR_REGEX    /* a regex failed while matching (match or heap limit) (exit 1) */
} lf_status;

/* The process exit status documented in lexframe(1) for a status: 0, 1 or 2. */
int lf_status_exit_code(lf_status st);

/* Filled by a failing function: the status and "path:line:col: message". */
typedef struct lf_error {
    lf_status status;
    char message[1024];
} lf_error;

/* ---- named limits -------------------------------------------------------------------- */
/* Every input limit has a name (used by --limit NAME=VALUE), a default and a description;
 * the table is the single source for the option parser, --help and the man page. */
typedef enum lf_limit_id {
    LF_LIMIT_FILE_BYTES,       /* largest input file read */
    LF_LIMIT_LINE_BYTES,       /* longest line of a transcript */
    LF_LIMIT_TOKEN_BYTES,      /* longest token; longer runs are not words */
    LF_LIMIT_TURNS,            /* most turns in one document */
    LF_LIMIT_LEXICON_ENTRIES,  /* most entries in all lexicons together */
    LF_LIMIT_REGEX_MATCH,      /* PCRE2 match limit per regex call */
    LF_LIMIT_REGEX_HEAP_KIB,   /* PCRE2 heap limit (or JIT stack) per regex call, KiB */
    LF_LIMIT_XML_DEPTH,        /* deepest element nesting in a TEI file */
    LF_LIMIT_XML_TEXT_BYTES,   /* largest text node in a TEI file */
    LF_LIMIT_PART_BYTES,       /* TEI text held at once; more is read in parts */
    LF_LIMIT_JSONL_LINE_BYTES, /* longest line of JSON Lines read from standard input */
    LF_LIMIT_FRONT_MATTER_BYTES, /* largest front matter of a transcript */
    LF_LIMIT_FRONT_MATTER_DEPTH, /* deepest nesting of lists and maps in front matter */
    LF_LIMIT_SPEAKERS,         /* most distinct speakers in one document */
    LF_LIMIT_LEXICON_LINE_BYTES, /* longest line of a lexicon file */
    LF_LIMIT_THEME_DEPTH,      /* most levels of a theme id (a.b.c is 3) */
    LF_LIMIT_COUNT
} lf_limit_id;

typedef struct lf_limit_info {
    const char *name;
    uint64_t default_value;
    const char *description;
} lf_limit_info;

/* The static table of limits, LF_LIMIT_COUNT entries in lf_limit_id order. */
const lf_limit_info *lf_limit_table(void);

/* ---- options ------------------------------------------------------------------------- */
typedef enum lf_overlap {
    LF_OVERLAP_INDEPENDENT, /* each theme resolves its own overlaps (default) */
    LF_OVERLAP_LONGEST      /* the longest match wins across all themes */
} lf_overlap;

/* How turns and documents are grouped in the result tables (see lf_options.groupings). */
typedef enum lf_group_kind {
    LF_GROUP_CORPUS,   /* one group, "all" (always the first grouping) */
    LF_GROUP_DOCUMENT, /* document id */
    LF_GROUP_SPEAKER,  /* resolved speaker name; "(unattributed)" for text before a label */
    LF_GROUP_PARTY,    /* the speaker's party; "(none)" when not given */
    LF_GROUP_ROLE,     /* the turn's role, else the speaker's; "(none)" when not given */
    LF_GROUP_PERIOD,   /* the document date cut to a day, month or year; "(undated)" */
    LF_GROUP_META,     /* the value of a document metadata key; "(none)" when absent */
    LF_GROUP_KIND_COUNT
} lf_group_kind;

/* Granularity of LF_GROUP_PERIOD: "2024-05-14", "2024-05" or "2024". */
typedef enum lf_period { LF_PERIOD_MONTH, LF_PERIOD_DAY, LF_PERIOD_YEAR } lf_period;

typedef struct lf_grouping {
    lf_group_kind kind;
    const char *key; /* LF_GROUP_META: the metadata key; else NULL */
} lf_grouping;

/* Parses a --by value: "document", "speaker", "party", "role", "period" or "meta:KEY".
 * out->key points into `s` (borrowed). LF_ERR_USAGE names the value otherwise. */
lf_status lf_grouping_parse(const char *s, lf_grouping *out, lf_error *err) LF_WARN_UNUSED;

/* Multiple-comparison adjustment of the framing comparison's p-values. */
typedef enum lf_adjust {
    LF_ADJUST_HOLM, /* Holm's step-down (family-wise error rate) */
    LF_ADJUST_BH    /* Benjamini–Hochberg step-up (false discovery rate) */
} lf_adjust;

typedef struct lf_options {
    /* PCRE2 pattern for a speaker label at the start of a line; NULL uses the default rule.
     * The pattern must have a capture group named "label". */
    const char *speaker_pattern;
    /* Extra stage-direction patterns (PCRE2), applied after the defaults unless
     * no_default_strip is set. Borrowed. */
    const char *const *strip_patterns;
    size_t n_strip_patterns;
    bool no_default_strip;
    /* Negator words separated by commas or spaces; NULL keeps the lexicon's list (or the
     * built-in list when the lexicon has none). */
    const char *negators;
    /* Words before a match in which a negator negates it, 0 to LF_MAX_NEGATION_WINDOW;
     * -1 keeps the lexicon's value. */
    int negation_window;
    lf_overlap overlap;
    uint64_t limits[LF_LIMIT_COUNT];
    /* A TEI file whose listPerson, listOrg and taxonomies resolve the speakers of every
     * TEI document (after the document's own header and its corpus root); its
     * xi:includes are followed inside its directory. NULL: none. Borrowed. */
    const char *speakers_file;

    /* ---- analysis: what the count tables count (fixed for a run; tables of runs with
       different values do not merge) ---- */
    /* Groupings besides the corpus, in output order; n_groupings == 0 means document,
       speaker, party, role and period. Borrowed (the run copies them). */
    const lf_grouping *groupings;
    size_t n_groupings;
    lf_period period;        /* granularity of the period grouping (default month) */
    unsigned level;          /* 0: themes as declared; N: themes deeper than N are counted
                                for their ancestor at depth N (rolled up) */
    size_t window;           /* words per window co-occurrence unit (default 10) */
    /* Turns of these speakers (resolved name or label as written; "(unattributed)" for
       text before the first label) are the only ones counted, or are left out. */
    const char *const *include_speakers;
    size_t n_include_speakers;
    const char *const *exclude_speakers;
    size_t n_exclude_speakers;
    /* ---- analysis: how tables are rendered (free to differ between merged runs) ---- */
    uint64_t min_words;      /* groups with fewer words are left out of tables and listed */
    uint64_t min_count;      /* co-occurrence rows need at least this joint count (2) */
    lf_adjust adjust;        /* default Holm */
    /* Framing comparison: the target group (NULL: every group in turn) and the reference
       group (NULL: the rest of the corpus). */
    const char *target;
    const char *reference;
    /* The comparison includes the document grouping (default true; a report's
       comparison.csv leaves documents out: documents differ by topic and genre, not by
       who frames what). */
    bool compare_documents;
    /* Lexicon loading. lexicon_format: a format name ("liwc", "cat", …, see
     * lf_lexicon_read_format_names) for every lexicon file instead of its extension; for a
     * directory, only files with that format's extensions are read. NULL: by extension. */
    const char *lexicon_format;
    /* The character encoding of lexicon files (an iconv name such as "CP1252",
     * "ISO-8859-2", "SHIFT-JIS"); NULL: UTF-8. XML files declare their own unless given. */
    const char *encoding;
    /* Theme id for plain and scored word lists; NULL: made from the file name. */
    const char *lexicon_theme;
    /* Threads that process inputs (each its own pipeline); 0 means one per online core,
     * at most LF_MAX_JOBS. The output is the same bytes whatever the number. */
    unsigned jobs;
} lf_options;

#define LF_MAX_JOBS 64
/* The widest negation window, for --negation-window and a lexicon's @negation-window. */
#define LF_MAX_NEGATION_WINDOW 100

/* Sets every field to its default (limits from lf_limit_table()). */
void lf_options_init(lf_options *opt);

/* Parses "NAME=VALUE" and stores it in opt->limits; LF_ERR_USAGE on an unknown name or bad
 * number. */
lf_status lf_options_set_limit(lf_options *opt, const char *assignment, lf_error *err)
    LF_WARN_UNUSED;

/* ---- lexicon ------------------------------------------------------------------------- */
typedef struct lf_lexicon lf_lexicon;

/* Returns an empty lexicon the caller owns (lf_lexicon_free). */
lf_lexicon *lf_lexicon_new(void);
void lf_lexicon_free(lf_lexicon *lex);
/* Adds the themes of a lexicon file, read by its extension (.lexicon, .dic, .dicx, .csv,
 * .lc3, .ykd, .lcd, .cat, .yml, .yaml, .txt, .tsv; any other name: the native format) or
 * as opt->lexicon_format, or of every dictionary file below a directory (recursive, in
 * byte order of the paths; hidden entries skipped; word lists and .csv only with
 * opt->lexicon_format). opt may be NULL (defaults: UTF-8, formats by extension). What a
 * reader cannot use is recorded as a warning (lf_lexicon_warning). Errors are
 * LF_ERR_LEXICON with "file:line:col: message" (a missing path: "PATH: No such file or
 * directory"), LF_ERR_LIMIT (file-bytes, lexicon-entries), or LF_ERR_USAGE for an unknown
 * lexicon_format, encoding or lexicon_theme. Negation move targets and context-rule themes
 * must be declared by this call or an earlier one. */
lf_status lf_lexicon_load(lf_lexicon *lex, const char *path, const lf_options *opt,
                          lf_error *err) LF_WARN_UNUSED;
size_t lf_lexicon_theme_count(const lf_lexicon *lex);
size_t lf_lexicon_entry_count(const lf_lexicon *lex);
/* Warnings recorded while loading: what a reader could not use or had to interpret, each
 * "path:line:col: message", in the order found. The string is borrowed from lex. */
size_t lf_lexicon_warning_count(const lf_lexicon *lex);
const char *lf_lexicon_warning(const lf_lexicon *lex, size_t i);
/* The format names accepted by lexicon_format and lf_lexicon_convert, space-separated. */
const char *lf_lexicon_format_names(void);
/* The names of the formats lexframe reads, comma-separated ("lexicon, liwc, …"). */
const char *lf_lexicon_read_format_names(void);
/* True when `name` is one of the formats lexframe reads, those lexicon_format may name
 * (ASCII case-insensitive). */
bool lf_lexicon_format_known(const char *name);

/* Writes lex to `path` in `format` (a format name, or NULL to choose by the path's
 * extension), through a temporary file renamed into place. Content the format cannot hold
 * (weights, regexes, rules, hierarchy, …) makes it fail with LF_ERR_LEXICON and a message
 * naming each kind, unless `lossy`; then every loss is written to `notes` (may be NULL)
 * and the rest is converted. A REFI-QDA codebook (.qdc) is an export of themes: its notes
 * say what it leaves out and it needs no `lossy`. LF_ERR_USAGE for an unknown format,
 * LF_ERR_IO when the file cannot be written. */
lf_status lf_lexicon_convert(const lf_lexicon *lex, const char *path, const char *format,
                             bool lossy, FILE *notes, lf_error *err) LF_WARN_UNUSED;

/* Checks lex for problems and writes one line per finding to out, then a summary of
 * themes, entries and entry kinds: duplicate entries within and across themes, entries
 * made unreachable by a glob or a longer phrase of the same theme, over-broad globs,
 * invalid regexes (file:line:col and PCRE2's message), empty themes. *problems is set to
 * the number of findings. Returns LF_OK unless out cannot be written: LF_ERR_IO with the
 * message "write error: REASON" (out is the caller's: it names it). */
lf_status lf_lexicon_check(const lf_lexicon *lex, FILE *out, size_t *problems,
                           lf_error *err) LF_WARN_UNUSED;

/* Runs lex over the transcripts at paths and writes to out, as TSV, every distinct word
 * (or word sequence) each glob, regex or glob phrase matched, with counts, and every entry
 * that matched nothing. Errors as lf_run_new / lf_run_add_input / lf_run_execute: an input
 * that fails while the corpus is read is reported on stderr as it happens and counted in
 * *failed (may be NULL), and the table of the others is still written, with that input's
 * status returned; `strict` stops at the first such input and writes nothing. LF_ERR_IO
 * with the message "write error: REASON" when out cannot be written. */
lf_status lf_lexicon_expand(const lf_lexicon *lex, const lf_options *opt,
                            const char *const *paths, size_t n_paths, bool strict, FILE *out,
                            size_t *failed, lf_error *err) LF_WARN_UNUSED;

/* ---- a run over a corpus ------------------------------------------------------------- */
typedef struct lf_run lf_run;

/* One match, as writers and callbacks see it. All strings are borrowed. */
typedef struct lf_match_row {
    const char *doc;          /* document id: path relative to its input root */
    size_t turn;              /* 1-based turn number in the document */
    const char *speaker;      /* resolved speaker name; "" for the unattributed turn */
    size_t sentence;          /* 1-based sentence number in the document */
    size_t tok_start, tok_end;   /* word span [start, end), 0-based within the document */
    size_t byte_start, byte_end; /* byte span in the document text */
    size_t char_start, char_end; /* code point span in the document text */
    size_t line;              /* 1-based source line where the match starts */
    const char *theme;        /* theme id, e.g. "negotiation.leverage" */
    const char *entry;        /* the entry as written in the lexicon */
    const char *entry_file;   /* lexicon file of the entry */
    size_t entry_line;        /* its line */
    const char *text;         /* matched text, whitespace collapsed to single spaces */
    bool negated;
    const char *negator;      /* the negating word, or NULL */
    const char *left, *right; /* context words (only for kwic runs, else NULL) */
    const char *status;       /* "counted", or why it was suppressed: "overlap",
                                 "excluded", "negated-ignored", "context" (a context rule
                                 of its theme does not hold) */
    /* TEI documents (NULL / 0 otherwise): the xml:id of the element where the match
       starts and the character offset there (TEI string-range counting: code points of
       the element's string value, from 0), the element where it ends (usually the same)
       and the offset just past the match in it; and the section (div/head titles). */
    const char *element;
    size_t element_start;
    const char *element_last;
    size_t element_end;
    const char *section;
} lf_match_row;

/* Called for every counted match (see lf_run_set_list_suppressed) in document order; return non-zero to stop the run
 * (lf_run_execute then fails with LF_ERR_IO). */
typedef int (*lf_match_fn)(void *ctx, const lf_match_row *row);

/* Creates a run over `lex` (borrowed; must outlive the run) with a copy of `opt`.
 * Returns NULL and fills err when a pattern in opt does not compile. */
lf_run *lf_run_new(const lf_lexicon *lex, const lf_options *opt, lf_error *err);
void lf_run_free(lf_run *run);
/* Adds a transcript file, or every transcript (.txt, .md, .htm, .html) under a directory,
 * walked recursively in sorted order, or with the path "-" standard input read as JSON
 * Lines, one document per line (see lexframe(1); "-" may be given once, LF_ERR_USAGE the
 * second time). LF_ERR_INPUT when the path does not exist. */
lf_status lf_run_add_input(lf_run *run, const char *path, lf_error *err) LF_WARN_UNUSED;
/* Words of context on each side for lf_match_row.left/right (0: none). */
void lf_run_set_context(lf_run *run, size_t words);
/* Streams rows to fn while counting. */
void lf_run_set_match_fn(lf_run *run, lf_match_fn fn, void *ctx);
/* Also hand suppressed matches (overlap, excluded, negated-ignored, context) to the
 * callback. */
void lf_run_set_list_suppressed(lf_run *run, bool on);
/* Strict: lf_run_execute stops at the first input that fails (default: report it, go on). */
void lf_run_set_strict(lf_run *run, bool on);
/* A progress line (documents, MB of text, MB/s) redrawn on fp with carriage returns while
 * lf_run_execute runs, erased before each message and at the end; NULL (the default): none.
 * Meant for a terminal: the CLI gives stderr when it is one. */
void lf_run_set_progress(lf_run *run, FILE *fp);
/* Where per-file error messages go (default stderr). */
void lf_run_set_diagnostics(lf_run *run, FILE *fp);
/* Processes every input. A bad input file is reported through the diagnostics stream
 * (stderr by default) and the others processed (in a strict run, none after it); the
 * result is then that input's status (LF_ERR_INPUT, LF_ERR_LIMIT or LF_ERR_REGEX) with
 * err naming the first failure. */
lf_status lf_run_execute(lf_run *run, lf_error *err) LF_WARN_UNUSED;
/* Number of input files that failed during lf_run_execute. */
size_t lf_run_failed_inputs(const lf_run *run);
/* True when lf_run_execute went through every input (some may have failed), so that its
 * results can be written; false when it stopped early (an output failed, or a merge found
 * partial results it cannot combine). */
bool lf_run_complete(const lf_run *run);
/* Makes the run write annotated TEI to fp (borrowed; the caller closes it): each document
 * read unchanged in its text, xml:id added to every utterance and segment without one,
 * the lexicon's themes declared as a taxonomy in the header and every match (every listed
 * row, see lf_run_set_list_suppressed) as a stand-off <span>. One input gives one TEI
 * document; several give a teiCorpus holding them. Plain-text transcripts are written as
 * TEI <u> utterances. Call after the inputs are added and before lf_run_execute; write
 * errors make lf_run_execute fail with LF_ERR_IO (message "write error: REASON"). */
lf_status lf_run_set_tei_output(lf_run *run, FILE *fp, lf_error *err) LF_WARN_UNUSED;
/* The evidence lines of report.html: a reproducible random sample (reservoir sampling
 * seeded with `seed`, default 1) of at most per_theme counted matches per theme (0: 20).
 * Call before lf_run_set_report_dir. Context words come from lf_run_set_context (0: 8). */
void lf_run_set_evidence(lf_run *run, size_t per_theme, uint64_t seed);
/* Makes the run a report run into dir (created if missing): matches.tsv is streamed there
 * under a temporary name during lf_run_execute. LF_ERR_USAGE when a file of the report
 * would replace an input (lf_run_check_output). Call after the inputs are added, before
 * lf_run_execute. */
lf_status lf_run_set_report_dir(lf_run *run, const char *dir, lf_error *err) LF_WARN_UNUSED;
/* After lf_run_execute: writes frequencies.csv, terms.csv, cooccurrence.csv,
 * comparison.csv (every grouping but document, against the rest), trends.csv,
 * first_appearance.csv, tables.json, summary.md, manifest.json and report.html (the
 * self-contained HTML report with charts and evidence), then renames every
 * temporary file (with matches.tsv) into place, so a failure at any point leaves earlier
 * reports intact. `argv_line` is recorded in the manifest. */
lf_status lf_run_write_report(lf_run *run, const char *argv_line, lf_error *err)
    LF_WARN_UNUSED;

/* ---- partial results and merging (lexframe report --partial, lexframe merge) ---------- */
/* Makes the run one of `count` shards, processing only shard `index` (1-based): the input
 * files whose position in the input list is index-1 modulo count, and the lines of standard
 * input whose number is (all shards read the whole stream). Every shard must be given the
 * same inputs. Partial results then carry each document's position in the single run.
 * LF_ERR_USAGE unless 1 <= index <= count. */
lf_status lf_run_set_shard(lf_run *run, unsigned index, unsigned count,
                           lf_error *err) LF_WARN_UNUSED;
/* Without shards: where this run's documents go in a merge (default 0). Documents are
 * merged in the order of (this number, path, line in the stream). */
void lf_run_set_order(lf_run *run, uint64_t order);
/* LF_ERR_USAGE, naming both, when `path` is an existing file that the run reads: one of
 * its transcripts (by device and inode, so also under another name), a lexicon file or
 * the speakers file. An output written there would replace the input (and a run after it
 * would read its own output as a transcript). LF_OK for "-", a missing file, or
 * anything but a regular file. Call after the inputs are added. */
lf_status lf_run_check_output(const lf_run *run, const char *path,
                              lf_error *err) LF_WARN_UNUSED;
/* Makes the run write a partial result to `path` ("-": standard output) instead of a
 * report: the header (lexicon identity, options) now, every document's match rows and
 * failure during lf_run_execute, and the inputs and count tables with
 * lf_run_write_partial. A file is written under a temporary name and renamed into place
 * by lf_run_write_partial. Errors: LF_ERR_IO, LF_ERR_LEXICON (a lexicon file cannot be
 * hashed), LF_ERR_USAGE (lf_run_check_output). Call after lf_run_add_input or
 * lf_run_add_partial, before lf_run_execute. */
lf_status lf_run_set_partial_output(lf_run *run, const char *path,
                                    lf_error *err) LF_WARN_UNUSED;
/* After lf_run_execute: the inputs (size and SHA-256), the count tables and the end line,
 * then the file is renamed into place. LF_ERR_IO on a write error (to standard output:
 * the message "write error: REASON", the caller names it), LF_ERR_INPUT when an input
 * cannot be hashed. */
lf_status lf_run_write_partial(lf_run *run, lf_error *err) LF_WARN_UNUSED;
/* Makes the run a merge: reads every partial result in the file at path ("-": standard
 * input). The first partial's analysis options (groupings, period, level, window,
 * speaker filters, min-words, min-count, adjust) become the run's; every partial must have
 * been made by this version with the run's lexicons (LF_ERR_LEXICON otherwise) and the
 * same options as the first (LF_ERR_INPUT). lf_run_execute then delivers the documents'
 * rows and failures in the order of a single run, and lf_run_write_report or
 * lf_run_write_partial write exactly what a single run over all the inputs would have
 * written (the command line in the manifest and report.html aside; the report.html
 * evidence settings of lf_run_set_evidence travel in the partial results). LF_ERR_INPUT
 * for a damaged or cut-off file; LF_ERR_USAGE when transcripts were added. */
lf_status lf_run_add_partial(lf_run *run, const char *path, lf_error *err) LF_WARN_UNUSED;

/* Output formats of lf_run_write_comparison. */
typedef enum lf_table_format { LF_TABLE_CSV, LF_TABLE_JSON, LF_TABLE_MD } lf_table_format;

/* After lf_run_execute: writes the framing comparison for every grouping of the options
 * (target against reference or rest, per theme: rates, rate ratio with 95% CI, signed G²,
 * p and adjusted p) to fp as CSV, JSON or Markdown. Groups under min_words words are left
 * out and listed (in a CSV run, on the diagnostics stream). LF_ERR_USAGE when the target
 * or the reference names no group; LF_ERR_IO on a write error ("write error: REASON"). */
lf_status lf_run_write_comparison(lf_run *run, FILE *fp, lf_table_format fmt,
                                  lf_error *err) LF_WARN_UNUSED;

/* ---- match rows as text -------------------------------------------------------------- */
/* Column names of the TSV match table, tab-separated, without newline. */
const char *lf_match_tsv_header(void);
/* Writers return 0, or -1 when the stream reports an error. Tabs and newlines inside
 * fields become spaces (TSV) or JSON escapes (JSONL). */
int lf_write_match_tsv(FILE *fp, const lf_match_row *row);
int lf_write_match_jsonl(FILE *fp, const lf_match_row *row);

#ifdef __cplusplus
}
#endif
#endif
