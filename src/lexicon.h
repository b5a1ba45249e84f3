/* lexicon.h — the in-memory lexicon every reader produces and the matcher compiles:
 * hierarchical themes with metadata and negation policy, and entries (word or phrase
 * patterns with per-word globs, or PCRE2 regexes; exclusions; case-sensitive; weights),
 * each remembering the file and line it came from.
 * Ownership: the lexicon owns every string and array here (its arena) until
 * lf_lexicon_free. */
#ifndef LF_LEXICON_H
#define LF_LEXICON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lexframe.h"
#include "util.h"

typedef enum lf_neg_policy {
    LF_NEG_COUNT,    /* negated matches count as matches (and are flagged) */
    LF_NEG_SEPARATE, /* negated matches are counted apart from the theme's matches */
    LF_NEG_IGNORE,   /* negated matches are not counted (listed as suppressed) */
    LF_NEG_MOVE      /* negated matches count for another theme (neg_target) */
} lf_neg_policy;

typedef struct lf_theme {
    const char *id;          /* dotted path, e.g. "negotiation.sequencing" */
    const char *label;       /* defaults to the last path component */
    const char *description; /* "" when not given */
    const char *colour;      /* "#RRGGBB" or NULL */
    int32_t parent;          /* index of the parent theme, or -1 */
    uint32_t depth;          /* 1 for a top-level theme */
    lf_neg_policy neg;
    int32_t neg_target;      /* theme index for LF_NEG_MOVE, else -1 */
    /* LF_NEG_MOVE: the target id as written and where (in `file`), kept so that
       lf_lexicon_resolve can bind targets declared in later files and name the line. */
    const char *neg_target_id;
    size_t neg_line, neg_col;
    bool implicit;           /* created only as the parent of a declared theme */
    const char *file;        /* where it was declared */
    size_t line;
} lf_theme;

typedef enum lf_entry_kind {
    LF_ENTRY_WORDS, /* a word or phrase: one pattern per word */
    LF_ENTRY_REGEX  /* a PCRE2 regex over the sentence's words joined by single spaces */
} lf_entry_kind;

/* One word of a word/phrase entry: the normalized text (case-folded unless the entry is
 * case-sensitive); `glob` when it contains * or ?; "*" alone matches any one word. */
typedef struct lf_word_pattern {
    const char *text;
    uint32_t len;
    bool glob;
} lf_word_pattern;

/* ---- context rules (native format, `context:` attribute) ----
 * A rule of theme T keeps a match of T only when the condition holds for it: an operand
 * (a word/phrase/glob pattern, or another theme's counted matches) stands NEAR/n (within n
 * words either side), BEFORE/n (the match comes first, the operand starts within n words
 * after it), AFTER/n (the operand ends within n words before it) or in the SAME SENTENCE;
 * `negate` (NOT) inverts the condition. Distances count words inside one turn. */
typedef enum lf_rule_op {
    LF_RULE_NEAR,
    LF_RULE_BEFORE,
    LF_RULE_AFTER,
    LF_RULE_SAME_SENTENCE
} lf_rule_op;

typedef struct lf_rule_operand {
    const char *theme_id;   /* "@ID" operand: the theme (and its sub-themes); else NULL */
    int32_t theme;          /* bound by lf_lexicon_resolve, -1 for word operands */
    lf_word_pattern *words; /* a word, phrase or glob operand (case-insensitive) */
    size_t n_words;
} lf_rule_operand;

typedef struct lf_context_rule {
    uint32_t theme;
    lf_rule_op op;
    bool negate;
    uint32_t distance; /* words, for NEAR/BEFORE/AFTER */
    lf_rule_operand *operands; /* alternatives: one of them must (or, NOT, none may) hold */
    size_t n_operands;
    const char *source; /* the rule as written after "context:" */
    const char *file;
    size_t line, col;
} lf_context_rule;

typedef struct lf_entry {
    uint32_t theme;
    lf_entry_kind kind;
    bool exclude;        /* an exclusion: spans it matches cancel the theme's matches */
    bool case_sensitive;
    bool has_weight;
    double weight;       /* 1.0 unless given */
    const char *source;  /* the entry as written (for reports) */
    lf_word_pattern *words;
    size_t n_words;
    const char *regex;   /* LF_ENTRY_REGEX: the pattern between the slashes */
    const char *file;
    size_t line, col;
} lf_entry;

struct lf_lexicon {
    lf_theme *themes;
    size_t n_themes, cap_themes;
    lf_entry *entries;
    size_t n_entries, cap_entries;
    /* Negation settings declared by the lexicon (@negators, @negation-window);
       n_negators == 0 and negation_window < 0 mean "not declared". */
    const char **negators;
    size_t n_negators, cap_negators;
    int negation_window;
    const char *negation_file; /* where @negators was declared, for conflict messages */
    size_t negation_line;
    /* Files loaded, in load order (for the manifest). */
    const char **files;
    size_t n_files, cap_files;
    /* Context rules of all themes, in declaration order. */
    lf_context_rule *rules;
    size_t n_rules, cap_rules;
    /* What readers could not use or had to interpret: "path:line:col: message". */
    const char **warnings;
    size_t n_warnings, cap_warnings;
    lf_strmap theme_index; /* id → theme index */
    lf_arena arena;
};

/* The built-in negators used when neither the lexicon nor the options give any; a
 * NULL-terminated list of case-folded words. "n't" stands for every word ending in n't
 * (don't, can't, won't, isn't …); the matcher applies that rule to any negator list. */
extern const char *const lf_default_negators[];
#define LF_DEFAULT_NEGATION_WINDOW 3

/* Returns the index of the theme with this id, or -1. */
int32_t lf_lexicon_find_theme(const lf_lexicon *lex, const char *id);
/* For every theme, whether any entry belongs to it itself (not to a sub-theme): a theme
 * without one only groups others (a family theme), and cannot match as declared. One pass
 * over the entries; malloc'd, n_themes long. */
bool *lf_themes_with_entries(const lf_lexicon *lex);
/* Returns the index of the theme `id`, creating it (and implicit parents) when missing.
 * `file`/`line` are recorded for a new theme. */
uint32_t lf_lexicon_add_theme(lf_lexicon *lex, const char *id, const char *file, size_t line);
/* Appends an entry (copied; strings must already live in lex->arena) and returns it; the
 * pointer is valid until the next entry is added. */
lf_entry *lf_lexicon_add_entry(lf_lexicon *lex, const lf_entry *e);
/* Records a loaded file path (copied). */
void lf_lexicon_add_file(lf_lexicon *lex, const char *path);
/* Binds every LF_NEG_MOVE theme to its target (neg_target) by id, across all files read so
 * far. LF_ERR_LEXICON "file:line:col: message" when a target is not a declared theme or
 * itself moves its negated matches. lf_lexicon_load calls it after reading; callers of
 * lf_lexicon_read_native call it once all their files are read. */
lf_status lf_lexicon_resolve(lf_lexicon *lex, lf_error *err) LF_WARN_UNUSED;

/* The native format reader (lexicon_native.c; format in lexicons/README.md): parses `data`
 * (len bytes, need not be NUL-terminated; path for messages) into lex. opt may be NULL
 * (default limits). Errors are LF_ERR_LEXICON with "path:line:col: message", or
 * LF_ERR_LIMIT past the lexicon-entries limit; lex may then hold part of the file. Move
 * targets are left unbound: call lf_lexicon_resolve after the last file. */
lf_status lf_lexicon_read_native(lf_lexicon *lex, const char *path, const char *data,
                                 size_t len, const lf_options *opt,
                                 lf_error *err) LF_WARN_UNUSED;

/* Records a warning "path:line:col: message" (line or col 0 left out) in lex->warnings. */
void lf_lexicon_warn(lf_lexicon *lex, const char *path, size_t line, size_t col,
                     const char *fmt, ...) LF_PRINTF(5, 6);
void lf_lexicon_vwarn(lf_lexicon *lex, const char *path, size_t line, size_t col,
                      const char *fmt, va_list ap) LF_PRINTF(5, 0);
/* Appends a context rule (copied; strings must live in lex->arena). */
void lf_lexicon_add_rule(lf_lexicon *lex, const lf_context_rule *rule);

/* ---- dictionary formats ---- */
typedef enum lf_lexicon_format {
    LF_FMT_NATIVE,   /* .lexicon */
    LF_FMT_LIWC,     /* .dic: LIWC 2001-2015 */
    LF_FMT_DICX,     /* .dicx: LIWC-22 CSV */
    LF_FMT_INQUIRER, /* .csv: General Inquirer wide CSV (read only) */
    LF_FMT_LC3,      /* .lc3: Lexicoder 3 */
    LF_FMT_YKD,      /* .ykd, .lcd: Yoshikoder / Lexicoder 2 XML */
    LF_FMT_CAT,      /* .cat: WordStat */
    LF_FMT_YAML,     /* .yml, .yaml: quanteda */
    LF_FMT_WORDLIST, /* .txt: one entry per line */
    LF_FMT_SCORED,   /* .tsv: entry TAB score (AFINN, VADER) */
    LF_FMT_QDC,      /* .qdc: REFI-QDA codebook (write only) */
    LF_FMT_COUNT
} lf_lexicon_format;

/* Reads one file's bytes (already UTF-8 unless the format is XML) into lex. */
typedef lf_status (*lf_lexicon_reader_fn)(lf_lexicon *lex, const char *path, const char *data,
                                          size_t len, const lf_options *opt, lf_error *err);

typedef struct lf_format_info {
    const char *name;        /* for --lexicon-format and messages */
    const char *extensions;  /* space-separated, lowercase, with dots */
    const char *title;       /* e.g. "LIWC dictionary (.dic)" */
    lf_lexicon_reader_fn read; /* NULL: write only */
    bool in_directories;     /* picked up when a directory is loaded without a format */
    bool xml;                /* the reader handles the encoding itself */
    bool written;            /* lexicon convert writes it */
} lf_format_info;

/* The format table, LF_FMT_COUNT rows in enum order. */
const lf_format_info *lf_format_table(void);
/* The extensions of the formats lexicon convert writes, space-separated (".lexicon .dic …"). */
const char *lf_format_written_extensions(void);
/* The format named `name` (case-insensitive), or -1. */
int lf_format_by_name(const char *name);
/* The format of a path by its extension (case-insensitive), or -1 when none matches. */
int lf_format_by_path(const char *path);

/* The readers, one per file (contracts as lf_lexicon_read_native; each records
 * warnings for what it could not use). */
#define LF_LEXICON_READER(fn)                                                              \
    lf_status fn(lf_lexicon *lex, const char *path, const char *data, size_t len,         \
                 const lf_options *opt, lf_error *err) LF_WARN_UNUSED
LF_LEXICON_READER(lf_lexicon_read_liwc);
LF_LEXICON_READER(lf_lexicon_read_dicx);
LF_LEXICON_READER(lf_lexicon_read_inquirer);
LF_LEXICON_READER(lf_lexicon_read_lc3);
LF_LEXICON_READER(lf_lexicon_read_ykd);
LF_LEXICON_READER(lf_lexicon_read_cat);
LF_LEXICON_READER(lf_lexicon_read_yaml);
LF_LEXICON_READER(lf_lexicon_read_wordlist);
LF_LEXICON_READER(lf_lexicon_read_scored);

/* Writes lex in `fmt` to fp (lexicon_write.c). Content the format cannot hold is left out;
 * lf_lexicon_losses lists it. Returns 0, or -1 on a stream error. */
int lf_lexicon_write_fp(FILE *fp, const lf_lexicon *lex, lf_lexicon_format fmt);
/* Appends to out one line per kind of content of lex that `fmt` cannot hold ("weights: 3
 * entries (a.lexicon:4 'x' weight 2, …)"); returns the number of kinds. */
size_t lf_lexicon_losses(const lf_lexicon *lex, lf_lexicon_format fmt, lf_buf *out);

#endif
