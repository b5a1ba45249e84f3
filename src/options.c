/* options.c — run options, the named-limit table and the status → exit code mapping; the
 * single source that the CLI, --help and the man page follow. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lf_config.h"
#include "util.h"

const char *lf_version(void)
{
    return LF_VERSION_STRING;
}

int lf_status_exit_code(lf_status st)
{
    switch (st) {
    case LF_OK:
        return 0;
    case LF_ERR_USAGE:
    case LF_ERR_LEXICON:
        return 2;
    case LF_ERR_INPUT:
    case LF_ERR_IO:
    case LF_ERR_LIMIT:
    case LF_ERR_REGEX:
        return 1;
    }
    return 1;
}

static const lf_limit_info limit_table[] = {
    [LF_LIMIT_FILE_BYTES] = {"file-bytes", 1024ULL * 1024 * 1024,
                             "largest input or lexicon file read, in bytes"},
    [LF_LIMIT_LINE_BYTES] = {"line-bytes", 16ULL * 1024 * 1024,
                             "longest line of a transcript, in bytes"},
    [LF_LIMIT_TOKEN_BYTES] = {"token-bytes", 1024,
                              "longest word, in bytes; a longer run of word characters is an "
                              "error"},
    [LF_LIMIT_TURNS] = {"turns", 1000000, "most turns in one document"},
    [LF_LIMIT_LEXICON_ENTRIES] = {"lexicon-entries", 1000000,
                                  "most entries in all lexicons together"},
    [LF_LIMIT_REGEX_MATCH] = {"regex-match", 1000000,
                              "PCRE2 match limit (backtracking steps) for one regex match "
                              "attempt"},
    [LF_LIMIT_REGEX_HEAP_KIB] = {"regex-heap-kib", 20480,
                                 "memory for one regex match attempt, KiB (PCRE2 heap limit, "
                                 "or JIT stack)"},
    [LF_LIMIT_XML_DEPTH] = {"xml-depth", 128,
                            "deepest element nesting in a TEI file (libxml2 itself stops at "
                            "256)"},
    [LF_LIMIT_XML_TEXT_BYTES] = {"xml-text-bytes", 4ULL * 1024 * 1024,
                                 "largest text node in a TEI file, in bytes (libxml2 itself "
                                 "stops at 10000000)"},
    [LF_LIMIT_PART_BYTES] = {"part-bytes", 8ULL * 1024 * 1024,
                             "TEI text held in memory at once, in bytes; a longer document is "
                             "read in consecutive parts with the same results"},
    [LF_LIMIT_JSONL_LINE_BYTES] = {"jsonl-line-bytes", 64ULL * 1024 * 1024,
                                   "longest line of JSON Lines on standard input (one "
                                   "document), in bytes"},
    [LF_LIMIT_FRONT_MATTER_BYTES] = {"front-matter-bytes", 1024 * 1024,
                                     "largest front matter of a transcript, in bytes"},
    [LF_LIMIT_FRONT_MATTER_DEPTH] = {"front-matter-depth", 32,
                                     "deepest nesting of lists and maps in front matter"},
    [LF_LIMIT_SPEAKERS] = {"speakers", 100000, "most distinct speakers in one document"},
    [LF_LIMIT_LEXICON_LINE_BYTES] = {"lexicon-line-bytes", 1024 * 1024,
                                     "longest line of a line-based lexicon file, in bytes"},
    [LF_LIMIT_THEME_DEPTH] = {"theme-depth", 32, "most levels of a theme id (a.b.c has 3)"},
};
_Static_assert(sizeof limit_table / sizeof limit_table[0] == LF_LIMIT_COUNT,
               "every limit has a table row");

const lf_limit_info *lf_limit_table(void)
{
    return limit_table;
}

void lf_options_init(lf_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->negation_window = -1;
    opt->overlap = LF_OVERLAP_INDEPENDENT;
    opt->period = LF_PERIOD_MONTH;
    opt->window = 10;
    opt->min_count = 2;
    opt->adjust = LF_ADJUST_HOLM;
    opt->compare_documents = true;
    for (size_t i = 0; i < LF_LIMIT_COUNT; i++)
        opt->limits[i] = limit_table[i].default_value;
}

lf_status lf_options_set_limit(lf_options *opt, const char *assignment, lf_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq) {
        lf_error_set(err, LF_ERR_USAGE, "--limit expects NAME=VALUE, got '%s'", assignment);
        return LF_ERR_USAGE;
    }
    size_t nlen = (size_t)(eq - assignment);
    for (size_t i = 0; i < LF_LIMIT_COUNT; i++) {
        if (strlen(limit_table[i].name) != nlen ||
            memcmp(limit_table[i].name, assignment, nlen) != 0)
            continue;
        const char *v = eq + 1;
        uint64_t x;
        if (!lf_parse_u64(v, UINT64_MAX, &x) || x == 0) {
            lf_error_set(err, LF_ERR_USAGE, "--limit %.*s: '%s' is not a positive integer",
                         (int)nlen, assignment, v);
            return LF_ERR_USAGE;
        }
        opt->limits[i] = (uint64_t)x;
        return LF_OK;
    }
    lf_error_set(err, LF_ERR_USAGE, "--limit: unknown limit '%.*s'", (int)nlen, assignment);
    return LF_ERR_USAGE;
}
