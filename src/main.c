/* main.c — the lexframe command line: parses one option table (which also prints --help),
 * loads the lexicons, runs the pipeline through liblexframe and maps every outcome to the
 * exit statuses documented in lexframe(1): 0 success, 1 input or runtime failure, 2 usage
 * or lexicon error. Owns nothing past main's single exit label. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lexframe.h"
#include "render.h"
#include "util.h"

enum cmd {
    CMD_REPORT = 1,
    CMD_TAG = 2,
    CMD_KWIC = 4,
    CMD_LEX_CHECK = 8,
    CMD_LEX_CONVERT = 16,
    CMD_LEX_EXPAND = 32,
    CMD_COMPARE = 64,
    CMD_MERGE = 128,
    CMD_RUNS = CMD_REPORT | CMD_TAG | CMD_KWIC | CMD_LEX_EXPAND | CMD_COMPARE, /* read text */
    CMD_LEX = CMD_LEX_CHECK | CMD_LEX_CONVERT | CMD_LEX_EXPAND,
    CMD_ALL = CMD_RUNS | CMD_LEX | CMD_MERGE,
    CMD_MATCHES = CMD_REPORT | CMD_TAG | CMD_KWIC | CMD_COMPARE /* count or list matches */
};

static const struct {
    const char *name;
    enum cmd cmd;
    const char *summary;
} commands[] = {
    {"report", CMD_REPORT,
     "write the theme report (tables, matches, summary, manifest, report.html)"},
    {"tag", CMD_TAG, "list every match, one row each (TSV, JSON Lines, JSON), or annotated TEI"},
    {"kwic", CMD_KWIC, "print concordance lines: each match in its context"},
    {"compare", CMD_COMPARE,
     "compare framing between groups: rate ratios with 95% CIs, G2, adjusted p"},
    {"merge", CMD_MERGE,
     "combine partial results (report --partial) into the report of a single run"},
    {"lexicon check", CMD_LEX_CHECK,
     "lint lexicons: duplicates, unreachable entries, broad globs, bad regexes"},
    {"lexicon convert", CMD_LEX_CONVERT, "convert a lexicon IN to OUT (format by extension)"},
    {"lexicon expand", CMD_LEX_EXPAND,
     "list the words each glob and regex matched in a corpus, and unused entries"},
};

enum opt_id {
    O_LEXICON = 'l',
    O_OUTPUT = 'o',
    O_FORMAT = 'f',
    O_THEME = 't',
    O_SPEAKER = 's',
    O_WIDTH = 'w',
    O_HELP = 'h',
    O_VERSION = 'V',
    O_JOBS = 'j',
    O_SPEAKER_PATTERN = 256,
    O_STRIP_PATTERN,
    O_NO_DEFAULT_STRIP,
    O_NEGATORS,
    O_NEGATION_WINDOW,
    O_OVERLAP,
    O_LIMIT,
    O_ALL,
    O_NEGATED,
    O_SPEAKERS,
    O_ENTRY,
    O_SAMPLE,
    O_SEED,
    O_BY,
    O_PERIOD,
    O_LEVEL,
    O_WINDOW,
    O_MIN_COUNT,
    O_MIN_WORDS,
    O_ADJUST,
    O_TARGET,
    O_REFERENCE,
    O_INCLUDE_SPEAKER,
    O_EXCLUDE_SPEAKER,
    O_LEXICON_FORMAT,
    O_ENCODING,
    O_LEXICON_THEME,
    O_LOSSY,
    O_CORPUS,
    O_PARTIAL,
    O_SHARD,
    O_ORDER,
    O_STRICT,
};

/* The one option table: getopt_long's array and --help are both made from it. */
static const struct opt_doc {
    const char *name;
    int has_arg;
    int id;
    unsigned cmds;
    const char *arg;
    const char *help;
} opts[] = {
    {"lexicon", required_argument, O_LEXICON, CMD_RUNS | CMD_LEX_CHECK | CMD_MERGE, "PATH",
     "lexicon file or directory (repeatable; default: lexicons/)"},
    {"lexicon-format", required_argument, O_LEXICON_FORMAT, CMD_ALL, "FMT",
     "read lexicon files as FMT whatever their extension: "}, /* + the formats read */
    {"encoding", required_argument, O_ENCODING, CMD_ALL, "NAME",
     "character encoding of lexicon files, e.g. CP1252, ISO-8859-2, SHIFT-JIS, EUC-JP "
     "(default: UTF-8)"},
    {"lexicon-theme", required_argument, O_LEXICON_THEME, CMD_ALL, "ID",
     "theme id for word lists (default: from the file name)"},
    {"lossy", no_argument, O_LOSSY, CMD_LEX_CONVERT, NULL,
     "lexicon convert: drop what OUT's format cannot hold, listing each thing dropped"},
    {"corpus", required_argument, O_CORPUS, CMD_LEX_EXPAND, "PATH",
     "lexicon expand: transcripts to match (repeatable; default: corpus/)"},
    {"output", required_argument, O_OUTPUT,
     CMD_REPORT | CMD_TAG | CMD_COMPARE | CMD_LEX_EXPAND | CMD_MERGE, "PATH",
     "report, merge: output directory (default: output/); tag, compare, lexicon expand: "
     "output file (default: stdout)"},
    {"partial", required_argument, O_PARTIAL, CMD_REPORT | CMD_MERGE, "FILE",
     "report, merge: write a partial result to FILE ('-': stdout) instead of a report, "
     "for lexframe merge"},
    {"shard", required_argument, O_SHARD, CMD_REPORT, "I/K",
     "report --partial: only shard I of K (every K-th input file and line of '-'); give "
     "every shard the same inputs"},
    {"order", required_argument, O_ORDER, CMD_REPORT, "N",
     "report --partial: where this run's documents go in a merge (default: 0)"},
    {"format", required_argument, O_FORMAT, CMD_TAG | CMD_KWIC | CMD_COMPARE, "FMT",
     "tag: tsv (default), jsonl, json or tei (annotated TEI); kwic: text (default), tsv, "
     "jsonl or json; compare: csv (default), json or md"},
    {"all", no_argument, O_ALL, CMD_TAG, NULL,
     "tag: also list suppressed matches (overlap, excluded, negated-ignored, context)"},
    {"theme", required_argument, O_THEME, CMD_KWIC, "ID",
     "kwic: only this theme and its sub-themes (repeatable)"},
    {"speaker", required_argument, O_SPEAKER, CMD_KWIC, "NAME",
     "kwic: only this speaker (repeatable)"},
    {"entry", required_argument, O_ENTRY, CMD_KWIC, "ENTRY",
     "kwic: only matches of this lexicon entry, as written or as FILE:LINE (repeatable)"},
    {"negated", no_argument, O_NEGATED, CMD_KWIC, NULL, "kwic: only negated matches"},
    {"width", required_argument, O_WIDTH, CMD_KWIC | CMD_REPORT, "N",
     "kwic, report (evidence in report.html): words of context on each side (default: 8)"},
    {"speakers", required_argument, O_SPEAKERS, CMD_RUNS, "FILE",
     "TEI file whose listPerson/listOrg/taxonomies resolve TEI speakers, parties and roles"},
    {"sample", required_argument, O_SAMPLE, CMD_KWIC | CMD_REPORT, "N",
     "kwic: a random sample of at most N lines per theme, for hand validation; report: "
     "evidence lines per theme in report.html (default: 20)"},
    {"seed", required_argument, O_SEED, CMD_KWIC | CMD_REPORT, "S",
     "kwic, report: seed of the --sample draw (default: 1); the same seed gives the same "
     "lines"},
    {"by", required_argument, O_BY, CMD_REPORT | CMD_COMPARE, "KEY",
     "report, compare: group by document, speaker, party, role, period or meta:KEY "
     "(repeatable; report default: all five; compare default: speaker)"},
    {"period", required_argument, O_PERIOD, CMD_REPORT | CMD_COMPARE, "GRAIN",
     "report, compare: day, month (default) or year, the periods of --by period"},
    {"level", required_argument, O_LEVEL, CMD_REPORT | CMD_COMPARE, "N",
     "report, compare: count themes deeper than N for their ancestor at depth N "
     "(default: 0, as declared)"},
    {"window", required_argument, O_WINDOW, CMD_REPORT, "N",
     "report: words per window unit of window co-occurrence (default: 10)"},
    {"min-count", required_argument, O_MIN_COUNT, CMD_REPORT, "N",
     "report: co-occurrence rows need at least N units with both themes (default: 2)"},
    {"min-words", required_argument, O_MIN_WORDS, CMD_REPORT | CMD_COMPARE, "N",
     "report, compare: leave out, and list, groups with fewer than N words (default: 0)"},
    {"adjust", required_argument, O_ADJUST, CMD_REPORT | CMD_COMPARE, "METHOD",
     "report, compare: holm (default) or bh, the multiple-comparison adjustment of p"},
    {"target", required_argument, O_TARGET, CMD_COMPARE, "GROUP",
     "compare: only this group (default: every group in turn)"},
    {"reference", required_argument, O_REFERENCE, CMD_COMPARE, "GROUP",
     "compare: against this group, or rest (default: the rest of the corpus)"},
    {"include-speaker", required_argument, O_INCLUDE_SPEAKER, CMD_MATCHES, "NAME",
     "count only the turns of this speaker (name or label; repeatable)"},
    {"exclude-speaker", required_argument, O_EXCLUDE_SPEAKER, CMD_MATCHES, "NAME",
     "leave out the turns of this speaker, e.g. a moderator (name or label; repeatable)"},
    {"speaker-pattern", required_argument, O_SPEAKER_PATTERN, CMD_RUNS, "RE",
     "PCRE2 pattern for a speaker label at a line start, with a group named 'label'"},
    {"strip-pattern", required_argument, O_STRIP_PATTERN, CMD_RUNS, "RE",
     "also remove text matching this PCRE2 pattern (stage directions; repeatable)"},
    {"no-default-strip", no_argument, O_NO_DEFAULT_STRIP, CMD_RUNS, NULL,
     "do not remove stage directions and time stamps by the default patterns"},
    {"negators", required_argument, O_NEGATORS, CMD_RUNS, "LIST",
     "negator words, separated by commas or spaces (default: the lexicon's, else built-in)"},
    {"negation-window", required_argument, O_NEGATION_WINDOW, CMD_RUNS, "N",
     "words before a match in which a negator negates it (default: lexicon's, else 3)"},
    {"overlap", required_argument, O_OVERLAP, CMD_RUNS, "MODE",
     "independent (default: each theme resolves its own overlaps) or longest (the longest "
     "match wins across all themes)"},
    {"jobs", required_argument, O_JOBS, CMD_RUNS, "N",
     "threads that read inputs in parallel (default: one per core; output is the same)"},
    {"limit", required_argument, O_LIMIT, CMD_ALL, "NAME=N",
     "change a named input limit (see Limits below; repeatable)"},
    {"strict", no_argument, O_STRICT, CMD_RUNS, NULL,
     "stop at the first input that cannot be read or processed (no report is written)"},
    {"help", no_argument, O_HELP, CMD_ALL, NULL, "print this help and exit"},
    {"version", no_argument, O_VERSION, CMD_ALL, NULL, "print the version and exit"},
};
#define N_OPTS (sizeof opts / sizeof opts[0])

/* The options that take a whole number, and its range (checked before the option is used). */
static const struct number_opt {
    int id;
    uint64_t min, max;
} number_opts[] = {
    {O_WIDTH, 1, 100000},    {O_SAMPLE, 1, 1000000},       {O_SEED, 0, UINT64_MAX},
    {O_LEVEL, 0, 100},       {O_WINDOW, 1, 100000},        {O_MIN_COUNT, 1, UINT64_MAX},
    {O_MIN_WORDS, 0, UINT64_MAX}, {O_ORDER, 0, UINT64_MAX}, {O_JOBS, 1, LF_MAX_JOBS},
    {O_NEGATION_WINDOW, 0, LF_MAX_NEGATION_WINDOW}, /* as a lexicon's @negation-window */
};

/* The options that take one of a few words, and the value each word stands for. */
static const struct choice_opt {
    int id;
    const char *words[4]; /* NULL after the last */
    int values[3];
} choice_opts[] = {
    {O_PERIOD, {"day", "month", "year"}, {LF_PERIOD_DAY, LF_PERIOD_MONTH, LF_PERIOD_YEAR}},
    {O_ADJUST, {"holm", "bh"}, {LF_ADJUST_HOLM, LF_ADJUST_BH}},
    {O_OVERLAP, {"independent", "longest"}, {LF_OVERLAP_INDEPENDENT, LF_OVERLAP_LONGEST}},
};

/* The words of option id when it takes one of a few, else NULL. */
static const struct choice_opt *choice_opt_of(int id)
{
    for (size_t i = 0; i < sizeof choice_opts / sizeof choice_opts[0]; i++)
        if (choice_opts[i].id == id)
            return &choice_opts[i];
    return NULL;
}

/* The range of option id when it takes a number, else NULL. */
static const struct number_opt *number_opt_of(int id)
{
    for (size_t i = 0; i < sizeof number_opts / sizeof number_opts[0]; i++)
        if (number_opts[i].id == id)
            return &number_opts[i];
    return NULL;
}

/* --help: everything, or, after a command named on the command line (cmd non-zero), that
 * command's summary and the options and limits it takes. */
static void print_help(FILE *fp, enum cmd cmd)
{
    size_t ci = 0;
    while (cmd && ci < sizeof commands / sizeof commands[0] && commands[ci].cmd != cmd)
        ci++;
    if (cmd && ci < sizeof commands / sizeof commands[0]) {
        fprintf(fp, "Usage: lexframe %s [OPTION]... %s\n%c%s.\n", commands[ci].name,
                cmd == CMD_LEX_CONVERT ? "IN OUT" : "[PATH]...",
                toupper((unsigned char)commands[ci].summary[0]), commands[ci].summary + 1);
        fputs("'lexframe --help' lists every command; lexframe(1) has the details.\n", fp);
    } else {
        cmd = 0;
        fputs("Usage: lexframe [COMMAND] [OPTION]... [PATH]...\n"
              "Lexicon-based framing analysis of policy transcripts: tag the passages that theme\n"
              "lexicons match, count them by document, speaker, party, role and period, compare\n"
              "how groups frame the issue, and report co-occurrence.\n"
              "PATHs are transcript files or directories (default: corpus/), or '-' for JSON\n"
              "Lines on standard input (one document per line: {\"id\", \"text\", metadata});\n"
              "for the lexicon commands they are lexicon files or directories (default:\n"
              "lexicons/); for merge, partial results ('-': standard input).\n\n"
              "Commands:\n",
              fp);
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            fprintf(fp, "  %-16s %s%s\n", commands[i].name, commands[i].summary,
                    i == 0 ? " (default)" : "");
    }
    fputs("\nOptions:\n", fp);
    bool limits = !cmd;
    for (size_t i = 0; i < N_OPTS; i++) {
        if (cmd && !(opts[i].cmds & cmd))
            continue;
        limits = limits || opts[i].id == O_LIMIT;
        char left[64];
        const char *sh = opts[i].id < 256 ? "-" : NULL;
        if (sh)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].id, opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name, opts[i].arg ? " " : "",
                     opts[i].arg ? opts[i].arg : "");
        fprintf(fp, "  %-28s %s%s\n", left, opts[i].help,
                opts[i].id == O_LEXICON_FORMAT ? lf_lexicon_read_format_names() : "");
    }
    if (limits) {
        fputs("\nLimits (--limit NAME=N):\n", fp);
        const lf_limit_info *lim = lf_limit_table();
        for (size_t i = 0; i < LF_LIMIT_COUNT; i++)
            fprintf(fp, "  %-18s %-12llu %s\n", lim[i].name,
                    (unsigned long long)lim[i].default_value, lim[i].description);
    }
    fputs("\nExit status: 0 success; 1 an input could not be read or processed, or an output\n"
          "could not be written; 2 usage error or invalid lexicon.\n"
          "See lexframe(1) for details.\n",
          fp);
}

static int usage_error(const char *fmt, ...) LF_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    fputs("lexframe: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'lexframe --help' for more information.\n", stderr);
    return 2;
}

/* A write to the command's output failed: one message naming it, the --output path or
 * standard output (then *stdout_reported, so the check at exit does not repeat it). `why`
 * is the reason, with or without the library's "write error: " before it. */
static void output_failed(const char *path, const char *why, bool *stdout_reported)
{
    static const char prefix[] = "write error: ";
    if (strncmp(why, prefix, sizeof prefix - 1) == 0)
        why += sizeof prefix - 1;
    if (path) {
        fprintf(stderr, "lexframe: %s: write error: %s\n", path, why);
    } else {
        fprintf(stderr, "lexframe: error writing to standard output: %s\n", why);
        *stdout_reported = true;
    }
}

/* Appends "a, b or c" to b, each word in single quotes when `quoted`. */
static void put_alternatives(lf_buf *b, const char *const *words, size_t n, bool quoted)
{
    const char *q = quoted ? "'" : "";
    for (size_t i = 0; i < n; i++)
        lf_buf_printf(b, "%s%s%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", q, words[i], q);
}

/* The usage error for a word that is none of co's: "--period: 'x' is not 'day', 'month'
 * or 'year'". */
static int choice_error(const char *name, const char *arg, const struct choice_opt *co)
{
    size_t n = 0;
    while (co->words[n])
        n++;
    lf_buf b = {0};
    put_alternatives(&b, co->words, n, true);
    int rc = usage_error("--%s: '%s' is not %s", name, arg, lf_buf_cstr(&b));
    lf_buf_free(&b);
    return rc;
}

/* The usage error for "lexicon" without one of its subcommands (from the command table). */
static int subcommand_error(void)
{
    const char *subs[sizeof commands / sizeof commands[0]];
    size_t n = 0;
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strncmp(commands[k].name, "lexicon ", 8) == 0)
            subs[n++] = commands[k].name + 8;
    lf_buf b = {0};
    put_alternatives(&b, subs, n, false);
    int rc = usage_error("'lexicon' needs a subcommand: %s", lf_buf_cstr(&b));
    lf_buf_free(&b);
    return rc;
}

/* Edit distance (insertions, deletions, substitutions) between two short words, or 3 when
 * it is more than 2. */
static size_t near_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 16 || nb > 16 || (na > nb ? na - nb : nb - na) > 2)
        return 3;
    size_t d[17][17];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[na][nb] > 2 ? 3 : d[na][nb];
}

/* A first argument that is no command and names nothing on disk, but is a command's name
 * mistyped ("tga", "reprot"): that command's name, or NULL when it is not one (it is then
 * read as a corpus path, as any other). */
static const char *mistyped_command(const char *arg)
{
    struct stat sb;
    if (strpbrk(arg, "/.") || stat(arg, &sb) == 0 || errno != ENOENT)
        return NULL;
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        const char *name = strncmp(commands[k].name, "lexicon ", 8) == 0 ? "lexicon"
                                                                           : commands[k].name;
        size_t d = near_distance(arg, name);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    return best;
}

/* ---- sinks for tag and kwic ---- */

typedef struct sink {
    FILE *fp;
    enum { FMT_TSV, FMT_JSONL, FMT_JSON, FMT_TEXT, FMT_TEI } fmt;
    bool kwic;
    const char *const *themes;
    size_t n_themes;
    const char *const *speakers;
    size_t n_speakers;
    const char *const *entries;
    size_t n_entries;
    bool negated_only;
    size_t width;
    size_t written;         /* rows written (JSON array separators) */
    lf_row_sample *sample;  /* --sample: rows are drawn here and written at the end */
    const char *name; /* for messages: the --output file, or NULL for standard output */
    int write_errno;  /* errno of the first failed write */
} sink;

static bool theme_selected(const sink *s, const char *theme)
{
    if (!s->n_themes)
        return true;
    for (size_t i = 0; i < s->n_themes; i++) {
        size_t n = strlen(s->themes[i]);
        if (strncmp(theme, s->themes[i], n) == 0 && (theme[n] == '\0' || theme[n] == '.'))
            return true;
    }
    return false;
}

static bool speaker_selected(const sink *s, const char *speaker)
{
    if (!s->n_speakers)
        return true;
    for (size_t i = 0; i < s->n_speakers; i++)
        if (strcmp(speaker, s->speakers[i]) == 0)
            return true;
    return false;
}

/* --entry: the entry as written, or FILE:LINE with the lexicon path or its base name. */
static bool entry_selected(const sink *s, const lf_match_row *row)
{
    if (!s->n_entries)
        return true;
    const char *file = row->entry_file ? row->entry_file : "";
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char at[32];
    snprintf(at, sizeof at, ":%zu", row->entry_line);
    for (size_t i = 0; i < s->n_entries; i++) {
        const char *e = s->entries[i];
        if (row->entry && strcmp(e, row->entry) == 0)
            return true;
        size_t n = strlen(e), na = strlen(at);
        if (n > na && strcmp(e + n - na, at) == 0 &&
            ((strlen(file) == n - na && strncmp(e, file, n - na) == 0) ||
             (strlen(base) == n - na && strncmp(e, base, n - na) == 0)))
            return true;
    }
    return false;
}

static int emit_row(sink *s, const lf_match_row *row)
{
    switch (s->fmt) {
    case FMT_TSV:
        return s->kwic ? lf_write_kwic_tsv(s->fp, row) : lf_write_match_tsv(s->fp, row);
    case FMT_JSONL:
        return lf_write_match_jsonl(s->fp, row);
    case FMT_JSON:
        return lf_write_match_json(s->fp, row, s->written++);
    case FMT_TEXT:
        return lf_render_kwic_line(s->fp, row, s->width * 7);
    case FMT_TEI:
        return 0; /* the run writes annotated TEI itself */
    }
    return 0;
}

static int write_row(void *ctx, const lf_match_row *row)
{
    sink *s = ctx;
    if (!theme_selected(s, row->theme) || !speaker_selected(s, row->speaker) ||
        !entry_selected(s, row) || (s->negated_only && !row->negated))
        return 0;
    if (s->sample) {
        lf_row_sample_add(s->sample, row);
        return 0;
    }
    errno = 0;
    int rc = emit_row(s, row);
    if (rc != 0 && !s->write_errno)
        s->write_errno = errno ? errno : EIO;
    return rc;
}

/* After the run: the sampled rows, and the end of a JSON array. */
static int finish_rows(sink *s)
{
    if (s->sample) {
        const lf_match_row *const *rows;
        size_t n = lf_row_sample_rows(s->sample, &rows);
        for (size_t i = 0; i < n; i++)
            if (emit_row(s, rows[i]) != 0)
                return -1;
    }
    if (s->fmt == FMT_JSON)
        return lf_write_match_json_end(s->fp, s->written);
    return ferror(s->fp) ? -1 : 0;
}

/* Numbers of options: a whole decimal number from min to max. */
static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (!lf_parse_u64(s, max, &v) || v < min)
        return false;
    *out = v;
    return true;
}

static char *join_argv(int argc, char **argv)
{
    lf_buf b = {0};
    for (int i = 0; i < argc; i++) {
        if (i)
            lf_buf_putc(&b, ' ');
        const char *a = i == 0 ? "lexframe" : argv[i];
        if (strpbrk(a, " \t'\"") || !*a) {
            lf_buf_putc(&b, '\'');
            for (const char *p = a; *p; p++) {
                if (*p == '\'')
                    lf_buf_puts(&b, "'\\''");
                else
                    lf_buf_putc(&b, *p);
            }
            lf_buf_putc(&b, '\'');
        } else {
            lf_buf_puts(&b, a);
        }
    }
    lf_buf_cstr(&b);
    return b.data;
}

/* Loads every lexicon path into lex, printing the readers' warnings to stderr; on failure
 * prints the error, sets *rc to its exit status and returns false. */
static bool load_lexicons(lf_lexicon *lex, const char *const *paths, size_t n,
                          const lf_options *opt, bool warn, int *rc)
{
    lf_error err = {LF_OK, ""};
    size_t shown = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        ok = lf_lexicon_load(lex, paths[i], opt, &err) == LF_OK;
        for (; warn && shown < lf_lexicon_warning_count(lex); shown++)
            fprintf(stderr, "lexframe: warning: %s\n", lf_lexicon_warning(lex, shown));
    }
    if (!ok) {
        if (err.status == LF_ERR_USAGE)
            *rc = usage_error("%s", err.message);
        else {
            fprintf(stderr, "lexframe: %s\n", err.message);
            *rc = lf_status_exit_code(err.status);
        }
    }
    return ok;
}

/* lexicon check | convert | expand. `args` are the positional arguments. */
static int lexicon_command(enum cmd cmd, const lf_options *opt, const char *const *lexicons,
                           size_t n_lexicons, char *const *args, size_t n_args,
                           const char *const *corpora, size_t n_corpora, const char *output,
                           bool lossy, bool strict, bool *stdout_reported)
{
    int rc = 0;
    lf_error err = {LF_OK, ""};
    lf_lexicon *lex = lf_lexicon_new();
    LF_VEC(const char *) paths = {0};
    if (cmd == CMD_LEX_CONVERT) {
        if (n_args != 2) {
            rc = usage_error("lexicon convert needs two arguments: IN OUT");
            goto out;
        }
        LF_VEC_PUSH(paths, args[0]);
    } else {
        for (size_t i = 0; i < n_lexicons; i++)
            LF_VEC_PUSH(paths, lexicons[i]);
        for (size_t i = 0; i < n_args; i++)
            LF_VEC_PUSH(paths, args[i]);
        if (!paths.n)
            LF_VEC_PUSH(paths, "lexicons");
    }
    /* check reports the readers' warnings among its findings */
    if (!load_lexicons(lex, paths.v, paths.n, opt, cmd != CMD_LEX_CHECK, &rc))
        goto out;
    lf_status st = LF_OK;
    if (cmd == CMD_LEX_CONVERT) {
        st = lf_lexicon_convert(lex, args[1], NULL, lossy, stderr, &err);
    } else if (cmd == CMD_LEX_CHECK) {
        size_t problems = 0;
        st = lf_lexicon_check(lex, stdout, &problems, &err);
        if (st == LF_OK && problems)
            rc = 1;
        if (st == LF_ERR_IO) {
            output_failed(NULL, err.message, stdout_reported);
            rc = 1;
            goto out;
        }
    } else {
        const char *def = "corpus";
        FILE *fp = stdout;
        lf_outfile of = {0};
        bool of_open = false;
        if (output) {
            st = lf_outfile_open_path(&of, output, &err);
            of_open = st == LF_OK;
            if (of_open)
                fp = of.fp;
        }
        size_t failed = 0;
        if (st == LF_OK) {
            st = lf_lexicon_expand(lex, opt, n_corpora ? corpora : &def,
                                   n_corpora ? n_corpora : 1, strict, fp, &failed, &err);
            if (st == LF_ERR_IO && ferror(fp)) {
                if (of_open)
                    lf_outfile_abort(&of);
                output_failed(output, err.message, stdout_reported);
                rc = 1;
                goto out;
            }
        }
        /* Inputs that failed were named as they happened (exit 1); without --strict the
           table of the others was written, as tag writes the rows of the others. */
        bool reported = st != LF_OK && st != LF_ERR_IO && failed > 0;
        bool written = st == LF_OK || (reported && !strict);
        if (reported) {
            rc = 1;
            st = LF_OK;
        }
        if (of_open) {
            if (written)
                st = lf_outfile_commit(&of, &err);
            else
                lf_outfile_abort(&of);
        }
    }
    if (st != LF_OK) {
        if (st == LF_ERR_USAGE)
            rc = usage_error("%s", err.message);
        else {
            fprintf(stderr, "lexframe: %s\n", err.message);
            rc = lf_status_exit_code(st);
        }
    }
out:
    LF_VEC_FREE(paths);
    lf_lexicon_free(lex);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    enum cmd cmd = CMD_REPORT;
    lf_options opt;
    lf_options_init(&opt);
    LF_VEC(const char *) lexicons = {0};
    LF_VEC(const char *) strips = {0};
    LF_VEC(const char *) themes = {0};
    LF_VEC(const char *) speakers = {0};
    LF_VEC(const char *) entries = {0};
    LF_VEC(const char *) include = {0};
    LF_VEC(const char *) exclude = {0};
    LF_VEC(lf_grouping) groupings = {0};
    const char *output = NULL, *format = NULL, *partial = NULL;
    unsigned shard_index = 0, shard_count = 0;
    uint64_t order = 0;
    bool order_set = false;
    bool list_all = false, negated_only = false, lossy = false, strict = false;
    bool stdout_reported = false; /* a failed write to stdout was already named */
    LF_VEC(const char *) corpora = {0};
    size_t width = 8;
    uint64_t sample = 0, seed = 1;
    lf_row_sample *sampler = NULL;
    lf_lexicon *lex = NULL;
    lf_run *run = NULL;
    char *argv_line = NULL;
    lf_outfile tag_out = {0};
    bool tag_out_open = false;
    lf_error err = {LF_OK, ""};

    /* SIGINT, SIGTERM, SIGHUP: temporary output files go, earlier outputs stay. */
    lf_outfile_trap_signals();

    int first = 1;
    if (argc > 1 && strcmp(argv[1], "lexicon") == 0) {
        /* "lexicon SUB": a two-word command */
        size_t k = sizeof commands / sizeof commands[0];
        if (argc > 2)
            for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
                if (strncmp(commands[k].name, "lexicon ", 8) == 0 &&
                    strcmp(commands[k].name + 8, argv[2]) == 0)
                    break;
        if (k == sizeof commands / sizeof commands[0]) {
            /* "lexframe lexicon --help" asks for the help that would list the subcommands */
            if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))
                print_help(stdout, 0);
            else if (argc > 2 && (strcmp(argv[2], "--version") == 0 ||
                                  strcmp(argv[2], "-V") == 0))
                printf("lexframe %s\n", lf_version());
            else
                rc = subcommand_error();
            goto out;
        }
        cmd = commands[k].cmd;
        first = 3;
    } else if (argc > 1 && argv[1][0] != '-') {
        size_t k;
        const char *mistyped;
        for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
            if (strcmp(argv[1], commands[k].name) == 0)
                break;
        if (k < sizeof commands / sizeof commands[0]) {
            cmd = commands[k].cmd;
            first = 2;
        } else if ((mistyped = mistyped_command(argv[1]))) {
            rc = usage_error("'%s' is neither a command nor a file or directory (did you mean "
                             "'%s'?)",
                             argv[1], mistyped);
            goto out;
        }
    }

    struct option longopts[N_OPTS + 1];
    char shortopts[2 * N_OPTS + 2];
    size_t ns = 0;
    shortopts[ns++] = ':'; /* report a missing argument as ':' */
    for (size_t i = 0; i < N_OPTS; i++) {
        longopts[i] = (struct option){opts[i].name, opts[i].has_arg, NULL, opts[i].id};
        if (opts[i].id < 256) {
            shortopts[ns++] = (char)opts[i].id;
            if (opts[i].has_arg == required_argument)
                shortopts[ns++] = ':';
        }
    }
    shortopts[ns] = '\0';
    longopts[N_OPTS] = (struct option){NULL, 0, NULL, 0};

    int sub_argc = argc - first + 1;
    char **sub_argv = argv + first - 1;
    opterr = 0;
    optind = 1;
    int c, longidx;
    while ((c = getopt_long(sub_argc, sub_argv, shortopts, longopts, &longidx)) != -1) {
        if (c == '?') {
            rc = usage_error("unknown option '%s'", sub_argv[optind - 1]);
            goto out;
        }
        if (c == ':') {
            rc = usage_error("option '%s' requires an argument", sub_argv[optind - 1]);
            goto out;
        }
        size_t oi;
        for (oi = 0; oi < N_OPTS && opts[oi].id != c; oi++)
            ;
        if (oi < N_OPTS && !(opts[oi].cmds & cmd)) {
            rc = usage_error("option --%s does not apply to this command", opts[oi].name);
            goto out;
        }
        const struct choice_opt *co = choice_opt_of(c);
        int pick = 0; /* the value of the word given to a choice option */
        if (co) {
            size_t k = 0;
            while (co->words[k] && strcmp(optarg, co->words[k]) != 0)
                k++;
            if (!co->words[k]) {
                rc = choice_error(opts[oi].name, optarg, co);
                goto out;
            }
            pick = co->values[k];
        }
        uint64_t num = 0; /* the value of a number option */
        const struct number_opt *no = number_opt_of(c);
        if (no && !parse_u64(optarg, no->min, no->max, &num)) {
            if (no->max == UINT64_MAX)
                rc = usage_error("--%s: '%s' is not a whole number from %" PRIu64, opts[oi].name,
                                 optarg, no->min);
            else
                rc = usage_error("--%s: '%s' is not a number from %" PRIu64 " to %" PRIu64,
                                 opts[oi].name, optarg, no->min, no->max);
            goto out;
        }
        switch (c) {
        case O_HELP:
            print_help(stdout, first > 1 ? cmd : 0); /* a command named: its own help */
            goto out;
        case O_VERSION:
            printf("lexframe %s\n", lf_version());
            goto out;
        case O_LEXICON:
            LF_VEC_PUSH(lexicons, optarg);
            break;
        case O_OUTPUT:
            if (!*optarg) {
                rc = usage_error("--output: an empty name names no file or directory");
                goto out;
            }
            output = optarg;
            break;
        case O_FORMAT:
            format = optarg;
            break;
        case O_ALL:
            list_all = true;
            break;
        case O_THEME:
            LF_VEC_PUSH(themes, optarg);
            break;
        case O_SPEAKER:
            LF_VEC_PUSH(speakers, optarg);
            break;
        case O_NEGATED:
            negated_only = true;
            break;
        case O_WIDTH:
            width = (size_t)num;
            break;
        case O_ENTRY:
            LF_VEC_PUSH(entries, optarg);
            break;
        case O_SAMPLE:
            sample = num;
            break;
        case O_SEED:
            seed = num;
            break;
        case O_BY: {
            lf_grouping g;
            if (lf_grouping_parse(optarg, &g, &err) != LF_OK) {
                rc = usage_error("%s", err.message);
                goto out;
            }
            LF_VEC_PUSH(groupings, g);
            break;
        }
        case O_PERIOD:
            opt.period = (lf_period)pick;
            break;
        case O_LEVEL:
            opt.level = (unsigned)num;
            break;
        case O_WINDOW:
            opt.window = (size_t)num;
            break;
        case O_MIN_COUNT:
            opt.min_count = num;
            break;
        case O_MIN_WORDS:
            opt.min_words = num;
            break;
        case O_ADJUST:
            opt.adjust = (lf_adjust)pick;
            break;
        case O_TARGET:
            opt.target = optarg;
            break;
        case O_REFERENCE:
            opt.reference = optarg;
            break;
        case O_INCLUDE_SPEAKER:
            LF_VEC_PUSH(include, optarg);
            break;
        case O_EXCLUDE_SPEAKER:
            LF_VEC_PUSH(exclude, optarg);
            break;
        case O_SPEAKER_PATTERN:
            opt.speaker_pattern = optarg;
            break;
        case O_SPEAKERS:
            opt.speakers_file = optarg;
            break;
        case O_STRIP_PATTERN:
            LF_VEC_PUSH(strips, optarg);
            break;
        case O_NO_DEFAULT_STRIP:
            opt.no_default_strip = true;
            break;
        case O_NEGATORS:
            if (!optarg[strspn(optarg, ", \t")]) { /* an empty list would turn negation off */
                rc = usage_error("--negators: no word in '%s' (to turn negation off, use "
                                 "--negation-window 0)",
                                 optarg);
                goto out;
            }
            opt.negators = optarg;
            break;
        case O_NEGATION_WINDOW:
            opt.negation_window = (int)num;
            break;
        case O_OVERLAP:
            opt.overlap = (lf_overlap)pick;
            break;
        case O_LEXICON_FORMAT:
            if (!lf_lexicon_format_known(optarg)) {
                rc = usage_error("--lexicon-format: '%s' is not a format lexframe reads "
                                 "(known: %s)",
                                 optarg, lf_lexicon_read_format_names());
                goto out;
            }
            opt.lexicon_format = optarg;
            break;
        case O_ENCODING:
            opt.encoding = optarg;
            break;
        case O_LEXICON_THEME:
            opt.lexicon_theme = optarg;
            break;
        case O_LOSSY:
            lossy = true;
            break;
        case O_CORPUS:
            LF_VEC_PUSH(corpora, optarg);
            break;
        case O_STRICT:
            strict = true;
            break;
        case O_PARTIAL:
            if (!*optarg) {
                rc = usage_error("--partial: an empty name names no file ('-' is standard "
                                 "output)");
                goto out;
            }
            partial = optarg;
            break;
        case O_SHARD: {
            uint64_t i, k;
            const char *slash = strchr(optarg, '/');
            char *first_part = slash ? lf_xstrndup(optarg, (size_t)(slash - optarg)) : NULL;
            bool ok = first_part && parse_u64(first_part, 1, 1000000, &i) &&
                      parse_u64(slash + 1, 1, 1000000, &k) && i <= k;
            free(first_part);
            if (!ok) {
                rc = usage_error("--shard: '%s' is not I/K with 1 <= I <= K <= 1000000", optarg);
                goto out;
            }
            shard_index = (unsigned)i;
            shard_count = (unsigned)k;
            break;
        }
        case O_ORDER:
            order = num;
            order_set = true;
            break;
        case O_JOBS:
            opt.jobs = (unsigned)num;
            break;
        case O_LIMIT:
            if (lf_options_set_limit(&opt, optarg, &err) != LF_OK) {
                rc = usage_error("%s", err.message);
                goto out;
            }
            break;
        default:
            break;
        }
    }
    opt.strip_patterns = strips.v;
    opt.n_strip_patterns = strips.n;
    opt.include_speakers = include.v;
    opt.n_include_speakers = include.n;
    opt.exclude_speakers = exclude.v;
    opt.n_exclude_speakers = exclude.n;
    if (cmd == CMD_COMPARE && groupings.n == 0)
        LF_VEC_PUSH(groupings, ((lf_grouping){LF_GROUP_SPEAKER, NULL}));
    if (cmd == CMD_REPORT && groupings.n > 0) {
        /* trends.csv needs the periods whatever else the report is grouped by */
        bool has_period = false;
        for (size_t i = 0; i < groupings.n; i++)
            has_period |= groupings.v[i].kind == LF_GROUP_PERIOD;
        if (!has_period)
            LF_VEC_PUSH(groupings, ((lf_grouping){LF_GROUP_PERIOD, NULL}));
    }
    opt.groupings = groupings.v;
    opt.n_groupings = groupings.n;

    sink snk = {.fp = stdout,
                .fmt = cmd == CMD_KWIC ? FMT_TEXT : FMT_TSV,
                .kwic = cmd == CMD_KWIC,
                .themes = themes.v,
                .n_themes = themes.n,
                .speakers = speakers.v,
                .n_speakers = speakers.n,
                .entries = entries.v,
                .n_entries = entries.n,
                .negated_only = negated_only,
                .width = width};
    lf_table_format table_fmt = LF_TABLE_CSV;
    if (format && cmd == CMD_COMPARE) {
        if (strcmp(format, "csv") == 0)
            table_fmt = LF_TABLE_CSV;
        else if (strcmp(format, "json") == 0)
            table_fmt = LF_TABLE_JSON;
        else if (strcmp(format, "md") == 0)
            table_fmt = LF_TABLE_MD;
        else {
            rc = usage_error("--format: '%s' is not a format of this command", format);
            goto out;
        }
    } else if (format) {
        if (strcmp(format, "tsv") == 0)
            snk.fmt = FMT_TSV;
        else if (strcmp(format, "jsonl") == 0)
            snk.fmt = FMT_JSONL;
        else if (strcmp(format, "json") == 0)
            snk.fmt = FMT_JSON;
        else if (strcmp(format, "text") == 0 && cmd == CMD_KWIC)
            snk.fmt = FMT_TEXT;
        else if (strcmp(format, "tei") == 0 && cmd == CMD_TAG)
            snk.fmt = FMT_TEI;
        else {
            rc = usage_error("--format: '%s' is not a format of this command", format);
            goto out;
        }
    }
    if (sample && cmd != CMD_REPORT) {
        sampler = lf_row_sample_new((size_t)sample, seed);
        snk.sample = sampler;
    }

    int n_args = sub_argc - optind;
    if (partial && output) {
        rc = usage_error("--partial writes one file instead of the report: leave out --output");
        goto out;
    }
    if ((shard_count || order_set) && !partial) {
        rc = usage_error("--%s is for partial results: give --partial FILE too",
                         shard_count ? "shard" : "order");
        goto out;
    }
    if (shard_count && order_set) {
        rc = usage_error("--shard and --order: a shard's place in the merge is its inputs' "
                         "place in the list");
        goto out;
    }
    if (cmd == CMD_MERGE && n_args == 0) {
        rc = usage_error("merge needs partial results: lexframe merge PARTIAL... -o DIR");
        goto out;
    }
    if (cmd & CMD_LEX) {
        rc = lexicon_command(cmd, &opt, lexicons.v, lexicons.n, sub_argv + optind,
                             (size_t)n_args, corpora.v, corpora.n, output, lossy, strict,
                             &stdout_reported);
        goto out;
    }

    /* Lexicons: a bad one stops everything with exit 2. */
    lex = lf_lexicon_new();
    if (!lexicons.n)
        LF_VEC_PUSH(lexicons, "lexicons");
    if (!load_lexicons(lex, lexicons.v, lexicons.n, &opt, true, &rc))
        goto out;

    run = lf_run_new(lex, &opt, &err);
    if (!run) {
        fprintf(stderr, "lexframe: %s\n", err.message);
        rc = lf_status_exit_code(err.status);
        goto out;
    }
    /* A progress line only for a person watching: stderr is a terminal, and no results
       go to that terminal on stdout. */
    bool rows_to_stdout = cmd == CMD_REPORT || cmd == CMD_MERGE
                              ? partial && strcmp(partial, "-") == 0
                              : !output || strcmp(output, "-") == 0;
    if (isatty(STDERR_FILENO) && !(rows_to_stdout && isatty(STDOUT_FILENO)))
        lf_run_set_progress(run, stderr);
    int n_paths = sub_argc - optind;
    for (int i = 0; i < (n_paths ? n_paths : 1); i++) {
        const char *path = n_paths ? sub_argv[optind + i] : "corpus";
        lf_status ast = cmd == CMD_MERGE ? lf_run_add_partial(run, path, &err)
                                         : lf_run_add_input(run, path, &err);
        if (ast != LF_OK) {
            if (ast == LF_ERR_USAGE)
                rc = usage_error("%s", err.message);
            else {
                fprintf(stderr, "lexframe: %s\n", err.message);
                rc = lf_status_exit_code(err.status);
            }
            goto out;
        }
    }
    if (shard_count && lf_run_set_shard(run, shard_index, shard_count, &err) != LF_OK) {
        rc = usage_error("%s", err.message);
        goto out;
    }
    lf_run_set_order(run, order);
    if (cmd == CMD_REPORT) {
        /* report.html's evidence: also kept in a partial result, for the merge */
        lf_run_set_evidence(run, (size_t)sample, seed);
        lf_run_set_context(run, width);
    }

    if (partial || cmd == CMD_REPORT || cmd == CMD_MERGE) {
        lf_status ost = partial ? lf_run_set_partial_output(run, partial, &err)
                                : lf_run_set_report_dir(run, output ? output : "output", &err);
        if (ost == LF_ERR_USAGE) {
            rc = usage_error("%s", err.message);
            goto out;
        }
        if (ost != LF_OK) {
            fprintf(stderr, "lexframe: %s\n", err.message);
            rc = lf_status_exit_code(err.status);
            goto out;
        }
    } else {
        if ((cmd == CMD_TAG || cmd == CMD_COMPARE) && output) {
            if (lf_run_check_output(run, output, &err) != LF_OK) {
                rc = usage_error("%s", err.message);
                goto out;
            }
            /* written beside its final name and renamed into place when complete */
            if (lf_outfile_open_path(&tag_out, output, &err) != LF_OK) {
                fprintf(stderr, "lexframe: %s\n", err.message);
                rc = lf_status_exit_code(err.status);
                goto out;
            }
            tag_out_open = true;
            snk.fp = tag_out.fp;
            snk.name = output;
        }
        if (cmd == CMD_KWIC)
            lf_run_set_context(run, width);
        if (cmd == CMD_TAG)
            lf_run_set_list_suppressed(run, list_all);
        if (snk.fmt == FMT_TEI) {
            if (lf_run_set_tei_output(run, snk.fp, &err) != LF_OK) {
                fprintf(stderr, "lexframe: %s\n", err.message);
                rc = lf_status_exit_code(err.status);
                goto out;
            }
        } else if (cmd != CMD_COMPARE) {
            if (snk.fmt == FMT_TSV)
                fprintf(snk.fp, "%s\n",
                        snk.kwic ? lf_kwic_tsv_header() : lf_match_tsv_header());
            lf_run_set_match_fn(run, write_row, &snk);
        }
    }

    lf_run_set_strict(run, strict);
    lf_status st = lf_run_execute(run, &err);
    if (st != LF_OK && st != LF_ERR_IO && strict) {
        rc = lf_status_exit_code(st); /* reported as it happened; nothing is written */
        goto out;
    }
    if (st == LF_ERR_IO || (st != LF_OK && !lf_run_complete(run))) {
        if (st == LF_ERR_IO && snk.write_errno && snk.name)
            fprintf(stderr, "lexframe: %s: write error: %s\n", snk.name,
                    strerror(snk.write_errno));
        else if (st == LF_ERR_IO && snk.write_errno) {
            fprintf(stderr, "lexframe: error writing to standard output: %s\n",
                    strerror(snk.write_errno));
            stdout_reported = true;
        } else if (st == LF_ERR_IO && snk.fmt == FMT_TEI && ferror(snk.fp))
            output_failed(snk.name, err.message, &stdout_reported);
        else if (st == LF_ERR_IO && partial && strcmp(partial, "-") == 0 && ferror(stdout))
            output_failed(NULL, err.message, &stdout_reported);
        else
            fprintf(stderr, "lexframe: %s\n", err.message);
        rc = st == LF_ERR_IO ? 1 : lf_status_exit_code(st);
        goto out;
    }
    /* Input failures were reported as they happened; the others' results still count
       (with --strict nothing is written, above: a tag file is not committed either). */
    if (st != LF_OK)
        rc = lf_status_exit_code(st);

    if (partial) {
        if (lf_run_write_partial(run, &err) != LF_OK) {
            if (strcmp(partial, "-") == 0 && ferror(stdout))
                output_failed(NULL, err.message, &stdout_reported);
            else
                fprintf(stderr, "lexframe: %s\n", err.message);
            rc = 1;
            goto out;
        }
    } else if (cmd == CMD_REPORT || cmd == CMD_MERGE) {
        argv_line = join_argv(argc, argv);
        if (lf_run_write_report(run, argv_line, &err) != LF_OK) {
            fprintf(stderr, "lexframe: %s\n", err.message);
            rc = 1;
            goto out;
        }
    } else if (cmd == CMD_COMPARE) {
        lf_status cst = lf_run_write_comparison(run, snk.fp, table_fmt, &err);
        if (cst != LF_OK) {
            /* An unknown --target or --reference is a usage error, found after the run. */
            if (cst == LF_ERR_USAGE)
                rc = usage_error("%s", err.message);
            else if (cst == LF_ERR_IO && ferror(snk.fp)) {
                output_failed(snk.name, err.message, &stdout_reported);
                rc = 1;
            } else {
                fprintf(stderr, "lexframe: %s\n", err.message);
                rc = 1;
            }
            goto out;
        }
    } else if (finish_rows(&snk) != 0) {
        output_failed(snk.name, strerror(snk.write_errno ? snk.write_errno
                                         : errno ? errno : EIO), &stdout_reported);
        rc = 1;
        goto out;
    }
    if (tag_out_open) {
        tag_out_open = false;
        if (lf_outfile_commit(&tag_out, &err) != LF_OK) {
            fprintf(stderr, "lexframe: %s\n", err.message);
            rc = 1;
            goto out;
        }
    }

out:
    if (tag_out_open)
        lf_outfile_abort(&tag_out);
    lf_run_free(run);
    lf_lexicon_free(lex);
    free(argv_line);
    LF_VEC_FREE(lexicons);
    LF_VEC_FREE(strips);
    LF_VEC_FREE(themes);
    LF_VEC_FREE(speakers);
    LF_VEC_FREE(entries);
    LF_VEC_FREE(include);
    LF_VEC_FREE(exclude);
    LF_VEC_FREE(groupings);
    lf_row_sample_free(sampler);
    LF_VEC_FREE(corpora);
    /* Output that could not be written is a failure, whatever happened before. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && !stdout_reported) {
        fprintf(stderr, "lexframe: error writing to standard output: %s\n", strerror(errno));
        if (rc == 0)
            rc = 1;
    }
    return rc;
}
