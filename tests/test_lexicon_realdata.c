/* test_lexicon_realdata.c — the published dictionaries in ../shared/data (when present):
 * every file under lexicons/ and dictionaries-quanteda-tests/ loads with the theme and
 * entry counts counted independently below, or fails with a precise message where the
 * file needs an encoding; the mary.* fixtures agree across formats; LSD2015 converted to
 * each format that can hold it matches real transcripts exactly as the original does. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared_data.h"
#include "lexicon.h"
#include "util.h"

static const char *data_dir;
static char tmpdir[256];

/* Counts made with a separate Python script over the raw files (not with lexframe):
 * lc3 — '+' lines and the other non-blank lines; dic — legend lines between the '%' lines
 * and, per entry line, the ids after the first tab (or after the first word), minus ids not
 * in the legend and conditional codes; cat — lines ending in "(n)" and the others; ykd —
 * <cnode> and <pnode> elements (ElementTree); yml — keys and list items (PyYAML); word
 * lists — non-blank lines not starting with ';' (or '#', for plain lists); the General
 * Inquirer — distinct (column, word before '#') pairs with a non-empty cell (Python csv).
 * `skipped` counts the lines with entries lexframe cannot match as written (punctuation
 * only, or at an edge), each reported by one warning. */
typedef struct known {
    const char *path;    /* relative to LF_SHARED_DATA */
    const char *encoding;
    const char *format;
    size_t themes, entries, skipped;
    const char *theme_id; /* a theme that must exist ... */
    const char *label;    /* ... with this label */
    size_t theme_entries; /* ... and this many entries of its own */
} known;

static const known dictionaries[] = {
    /* lexicons/ */
    {"lexicons/afinn/AFINN-111.txt", NULL, NULL, 1, 2477, 0, "afinn-111", "AFINN-111", 2477},
    {"lexicons/afinn/AFINN-165.tsv", NULL, NULL, 1, 3382, 0, "afinn-165", "AFINN-165", 3382},
    /* 1480 lines, some words twice (its README): duplicates are kept, `check` names them */
    {"lexicons/afinn/AFINN-96.txt", NULL, NULL, 1, 1480, 0, "afinn-96", "AFINN-96", 1480},
    {"lexicons/format-fixtures-quanteda/issue-459.cat", NULL, NULL, 6, 20, 0, "south.za",
     "ZA", 7},
    {"lexicons/format-fixtures-quanteda/mary.dic", NULL, NULL, 2, 5, 0, "a_category",
     "A category", 3},
    {"lexicons/format-fixtures-quanteda/mary.lc3", NULL, NULL, 2, 5, 0, "another_category",
     "Another category", 2},
    {"lexicons/format-fixtures-quanteda/mary.ykd", NULL, NULL, 3, 5, 0,
     "new_dictionary.a_category", "A CATEGORY", 3},
    /* 182 categories; 40,870 (category, word) pairs, of which 'MYSELF>' (3 rows, 10 pairs)
       is skipped; CO., DR. and INC. are read as co, dr, inc */
    {"lexicons/general-inquirer/inquireraugmented.csv", NULL, NULL, 182, 40860, 3, "positiv",
     "Positiv", 1637},
    /* 4783 lines: anti-, bull****, bull---- cannot be matched as written */
    {"lexicons/hu-liu/negative-words-UTF8.txt", NULL, NULL, 1, 4780, 3, "negative-words-utf8",
     "negative-words-UTF8", 4780},
    /* 2006 lines: a+ */
    {"lexicons/hu-liu/positive-words.txt", NULL, NULL, 1, 2005, 1, "positive-words",
     "positive-words", 2005},
    /* 9 top-level categories, 26 in all; =STATE= gets economy.state_2 */
    {"lexicons/laver-garry/Laver_and_Garry_2000.cat", NULL, NULL, 26, 418, 0,
     "economy.state_2", "=STATE=", 71},
    {"lexicons/lexicoder-lsd2015/LSD2015.lc3", NULL, NULL, 2, 4567, 0, "negative", "negative",
     2858},
    {"lexicons/lexicoder-lsd2015/LSD2015_quanteda-variant.lc3", NULL, NULL, 2, 4567, 0,
     "positive", "positive", 1709},
    {"lexicons/lexicoder-ltd/policy_agendas.lc3", NULL, NULL, 28, 1402, 0, "macroeconomics",
     "macroeconomics", 84},
    {"lexicons/lexicoder-ltd/policy_agendas_english.ykd", NULL, NULL, 29, 1402, 0,
     "policy_agendas.macroeconomics", "macroeconomics", 84},
    {"lexicons/mfd/mfd2.0.dic", NULL, NULL, 10, 2103, 0, "care_virtue", "care.virtue", 182},
    {"lexicons/mfd/moral_foundations_dictionary.dic", NULL, NULL, 11, 359, 0, "harmvirtue",
     "HarmVirtue", 16},
    /* 5 regions, 268 categories in all, 819 patterns */
    {"lexicons/newsmap/newsmap_english.yml", NULL, NULL, 268, 819, 0, "africa.east.bi", "BI", 3},
    /* 52 categories, 3150 patterns; PENITEN*(CIARY becomes a phrase (warned) */
    {"lexicons/rid/RID.CAT", NULL, NULL, 52, 3150, 0, "primary.need.orality", "ORALITY", 245},
    /* 7517 lines, 229 emoticons and symbols without a word */
    {"lexicons/vader/vader_lexicon.txt", NULL, "scored", 1, 7288, 229, "vader_lexicon",
     "vader_lexicon", 7288},
    /* dictionaries-quanteda-tests/ */
    {"dictionaries-quanteda-tests/actually_ykd.cat", NULL, NULL, 3, 5, 0,
     "new_dictionary.another_category", "Another category", 2},
    {"dictionaries-quanteda-tests/euc-jp.cat", "EUC-JP", NULL, 2, 6, 0, "non-latin",
     "NON-LATIN", 3},
    {"dictionaries-quanteda-tests/iso-8859-1.cat", "ISO-8859-1", NULL, 2, 6, 0, "latin",
     "LATIN", 3},
    {"dictionaries-quanteda-tests/iso-8859-14.cat", "ISO-8859-14", NULL, 2, 6, 0, "non-latin",
     "NON-LATIN", 3},
    {"dictionaries-quanteda-tests/iso-8859-2.cat", "ISO-8859-2", NULL, 2, 6, 0, "non-latin",
     "NON-LATIN", 3},
    {"dictionaries-quanteda-tests/issue-459.cat", NULL, NULL, 6, 20, 0, "south.bw", "BW", 3},
    {"dictionaries-quanteda-tests/issue-819.ykd", NULL, NULL, 4, 2, 0, "dictionary.pos.a", "A",
     1},
    {"dictionaries-quanteda-tests/laver-garry.cat", NULL, NULL, 26, 418, 0, "culture",
     "CULTURE", 3},
    {"dictionaries-quanteda-tests/laver-garry.ykd", NULL, NULL, 27, 416, 0,
     "laver_and_garry.state_in_economy.pro", "Pro", 50},
    /* 16 legend lines; kind's <of> codes and like's (02 134) codes skipped */
    {"dictionaries-quanteda-tests/liwc_extracodes.dic", NULL, NULL, 16, 12, 0, "whatever",
     "whatever", 1},
    /* 19 legend lines (headings "else" and "nothing" included); id 721 undefined */
    {"dictionaries-quanteda-tests/liwc_hierarchical.dic", NULL, NULL, 19, 12, 0,
     "past.insight.cause", "cause", 0},
    {"dictionaries-quanteda-tests/mary.cat", NULL, NULL, 2, 5, 0, "a_category", "A CATEGORY",
     3},
    {"dictionaries-quanteda-tests/mary.dic", NULL, NULL, 2, 5, 0, "a_category", "A_CATEGORY",
     3},
    {"dictionaries-quanteda-tests/mary.lc3", NULL, NULL, 2, 5, 0, "a_category", "A category",
     3},
    {"dictionaries-quanteda-tests/mary.lcd", NULL, NULL, 2, 5, 0, "a_category", "A category",
     3},
    {"dictionaries-quanteda-tests/mary.ykd", NULL, NULL, 2, 5, 0, "a_category", "A CATEGORY",
     3},
    {"dictionaries-quanteda-tests/mary.yml", NULL, NULL, 2, 5, 0, "a_category", "A CATEGORY",
     3},
    {"dictionaries-quanteda-tests/mary_doubleterm.dic", NULL, NULL, 2, 6, 0,
     "another_category", "ANOTHER_CATEGORY", 3},
    /* "little 02 03": 03 is not in the legend */
    {"dictionaries-quanteda-tests/mary_missingcat.dic", NULL, NULL, 2, 6, 0,
     "another_category", "ANOTHER_CATEGORY", 3},
    {"dictionaries-quanteda-tests/mary_multipletabs.dic", NULL, NULL, 2, 6, 0,
     "another_category", "ANOTHER_CATEGORY", 3},
    {"dictionaries-quanteda-tests/mary_v2017.lc3", NULL, NULL, 2, 5, 0, "a_category",
     "A CATEGORY", 3},
    {"dictionaries-quanteda-tests/mary_zeropadding.dic", NULL, NULL, 2, 6, 0, "a_category",
     "A_CATEGORY", 3},
    {"dictionaries-quanteda-tests/newsmap.yml", NULL, NULL, 4, 3, 0, "africa.cd", "CD", 1},
    /* the '' keys hold Washington DC and Tokyo in US and JP themselves */
    {"dictionaries-quanteda-tests/newsmap2.yml", NULL, NULL, 4, 4, 0, "jp", "JP", 1},
    {"dictionaries-quanteda-tests/shift-jis.cat", "SHIFT-JIS", NULL, 2, 6, 0, "non-latin",
     "NON-LATIN", 3},
    /* entries next to a sub-category stay in their category */
    {"dictionaries-quanteda-tests/yoshi.ykd", NULL, NULL, 4, 5, 0, "new_dictionary.a_category",
     "A category", 2},
    {"dictionaries-quanteda-tests/windows-1252.cat", "CP1252", NULL, 2, 6, 0, "latin", "LATIN",
     3},
};

/* Files that are documentation, not dictionaries. */
static bool is_documentation(const char *name)
{
    return strcmp(name, "SOURCES.md") == 0 || strcmp(name, "LICENSE") == 0 ||
           strcmp(name, "NOTICE") == 0 || strstr(name, "README") || strstr(name, "LICENSE");
}

static char *full(const char *rel)
{
    size_t n = strlen(data_dir) + strlen(rel) + 2;
    char *p = lf_xmalloc(n);
    snprintf(p, n, "%s/%s", data_dir, rel);
    return p;
}

static size_t count_skips(const lf_lexicon *lex)
{
    size_t n = 0;
    for (size_t i = 0; i < lex->n_warnings; i++)
        n += strstr(lex->warnings[i], "entry skipped") != NULL;
    return n;
}

static void every_dictionary_loads_with_its_counts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dictionaries / sizeof dictionaries[0]; i++) {
        const known *k = &dictionaries[i];
        char *path = full(k->path);
        lf_options opt;
        lf_options_init(&opt);
        opt.encoding = k->encoding;
        opt.lexicon_format = k->format;
        lf_lexicon *lex = lf_lexicon_new();
        lf_error err = {0};
        if (lf_lexicon_load(lex, path, &opt, &err) != LF_OK)
            fail_msg("%s: %s", k->path, err.message);
        if (lex->n_themes != k->themes || lex->n_entries != k->entries)
            fail_msg("%s: %zu themes, %zu entries (expected %zu, %zu)", k->path, lex->n_themes,
                     lex->n_entries, k->themes, k->entries);
        if (count_skips(lex) != k->skipped)
            fail_msg("%s: %zu entries skipped (expected %zu)", k->path, count_skips(lex),
                     k->skipped);
        int32_t t = lf_lexicon_find_theme(lex, k->theme_id);
        if (t < 0)
            fail_msg("%s: no theme %s", k->path, k->theme_id);
        if (strcmp(lex->themes[t].label, k->label) != 0)
            fail_msg("%s: theme %s is labelled '%s' (expected '%s')", k->path, k->theme_id,
                     lex->themes[t].label, k->label);
        size_t own = 0;
        for (size_t e = 0; e < lex->n_entries; e++)
            own += lex->entries[e].theme == (uint32_t)t;
        if (own != k->theme_entries)
            fail_msg("%s: theme %s has %zu entries (expected %zu)", k->path, k->theme_id, own,
                     k->theme_entries);
        lf_lexicon_free(lex);
        free(path);
    }
}

/* Every file is either in the table above or documentation: a new dictionary in the shared
 * folder makes this fail until it is counted. */
static void no_file_is_left_out(void **state)
{
    (void)state;
    static const char *const dirs[] = {
        "dictionaries-quanteda-tests",  "lexicons/afinn",        "lexicons/format-fixtures-quanteda",
        "lexicons/general-inquirer",    "lexicons/hu-liu",       "lexicons/laver-garry",
        "lexicons/lexicoder-lsd2015",   "lexicons/lexicoder-ltd", "lexicons/mfd",
        "lexicons/newsmap",             "lexicons/rid",          "lexicons/vader",
    };
    size_t seen = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        char *dir = full(dirs[d]);
        DIR *dp = opendir(dir);
        if (!dp)
            fail_msg("%s: cannot open", dir);
        struct dirent *de;
        while ((de = readdir(dp)) != NULL) {
            if (de->d_name[0] == '.' || is_documentation(de->d_name))
                continue;
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", dirs[d], de->d_name);
            bool found = false;
            for (size_t i = 0; i < sizeof dictionaries / sizeof dictionaries[0] && !found; i++)
                found = strcmp(dictionaries[i].path, rel) == 0;
            if (!found)
                fail_msg("%s is not counted in this test", rel);
            seen++;
        }
        closedir(dp);
        free(dir);
    }
    assert_int_equal(seen, sizeof dictionaries / sizeof dictionaries[0]);
}

/* Without the right --encoding a legacy file fails, naming the place and the remedy. */
static void legacy_encodings_need_the_option(void **state)
{
    (void)state;
    static const char *const files[] = {"euc-jp.cat", "iso-8859-14.cat", "iso-8859-2.cat",
                                        "shift-jis.cat", "windows-1252.cat"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "dictionaries-quanteda-tests/%s", files[i]);
        char *path = full(rel);
        lf_lexicon *lex = lf_lexicon_new();
        lf_error err = {0};
        assert_int_equal(lf_lexicon_load(lex, path, NULL, &err), LF_ERR_LEXICON);
        char want[1024];
        snprintf(want, sizeof want, "%s:6:2: invalid UTF-8 (byte offset 38); if the file is in "
                                    "another encoding, name it with --encoding",
                 path);
        assert_true(strncmp(err.message, want, strlen(want)) == 0);
        lf_lexicon_free(lex);
        free(path);
    }
    /* Shift-JIS bytes are not EUC-JP */
    char *path = full("dictionaries-quanteda-tests/shift-jis.cat");
    lf_options opt;
    lf_options_init(&opt);
    opt.encoding = "EUC-JP";
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    assert_int_equal(lf_lexicon_load(lex, path, &opt, &err), LF_ERR_LEXICON);
    char want[1024];
    snprintf(want, sizeof want, "%s:6:3: byte 0xA0 is not valid EUC-JP text (byte offset 39)",
             path);
    assert_string_equal(err.message, want);
    lf_lexicon_free(lex);
    /* and with it, the Japanese words arrive */
    opt.encoding = "SHIFT-JIS";
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, path, &opt, &err), LF_OK);
    assert_string_equal(lex->entries[3].words[0].text, "\xE3\x81\x82"); /* あ */
    lf_lexicon_free(lex);
    free(path);
}

static char *dump_core(const lf_lexicon *lex)
{
    lf_buf b = {0};
    for (size_t t = 0; t < lex->n_themes; t++) {
        lf_buf_printf(&b, "%s\n", lex->themes[t].id);
        for (size_t i = 0; i < lex->n_entries; i++) {
            const lf_entry *e = &lex->entries[i];
            if (e->theme != t)
                continue;
            for (size_t w = 0; w < e->n_words; w++)
                lf_buf_printf(&b, "%s%s", w ? " " : "  ", e->words[w].text);
            lf_buf_printf(&b, " %g\n", e->weight);
        }
    }
    lf_buf_cstr(&b);
    return b.data;
}

static void mary_is_the_same_in_every_format(void **state)
{
    (void)state;
    static const char *const files[] = {
        "dictionaries-quanteda-tests/mary.dic",   "dictionaries-quanteda-tests/mary.cat",
        "dictionaries-quanteda-tests/mary.lc3",   "dictionaries-quanteda-tests/mary.lcd",
        "dictionaries-quanteda-tests/mary.ykd",   "dictionaries-quanteda-tests/mary.yml",
        "dictionaries-quanteda-tests/mary_v2017.lc3", "lexicons/format-fixtures-quanteda/mary.dic",
        "lexicons/format-fixtures-quanteda/mary.lc3",
    };
    char *first = NULL;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = full(files[i]);
        lf_lexicon *lex = lf_lexicon_new();
        lf_error err = {0};
        if (lf_lexicon_load(lex, path, NULL, &err) != LF_OK)
            fail_msg("%s", err.message);
        assert_int_equal(lf_lexicon_warning_count(lex), 0);
        char *d = dump_core(lex);
        if (!first) {
            first = d;
            /* what quanteda reads from them (SOURCES.md) */
            assert_string_equal(first, "a_category\n  more 1\n  lamb 1\n  little 1\n"
                                       "another_category\n  had 1\n  mary 1\n");
        } else {
            if (strcmp(d, first) != 0)
                fail_msg("%s differs:\n%s", files[i], d);
            free(d);
        }
        lf_lexicon_free(lex);
        free(path);
    }
    free(first);
}

/* ---- LSD2015 converted: the same matches on real transcripts ---- */

typedef struct rows {
    lf_buf b;
    size_t n;
} rows;

static int collect(void *ctx, const lf_match_row *row)
{
    rows *r = ctx;
    lf_buf_printf(&r->b, "%s %zu-%zu %s %s\n", row->doc, row->tok_start, row->tok_end,
                  row->theme, row->status);
    r->n++;
    return 0;
}

static char *tag(const lf_lexicon *lex, const char *input, size_t *n)
{
    lf_options opt;
    lf_options_init(&opt);
    lf_error err = {0};
    lf_run *run = lf_run_new(lex, &opt, &err);
    if (!run)
        fail_msg("%s", err.message);
    rows r = {{0}, 0};
    lf_buf_puts(&r.b, "");
    lf_run_set_list_suppressed(run, true);
    lf_run_set_match_fn(run, collect, &r);
    if (lf_run_add_input(run, input, &err) != LF_OK || lf_run_execute(run, &err) != LF_OK)
        fail_msg("%s", err.message);
    lf_run_free(run);
    *n = r.n;
    lf_buf_cstr(&r.b);
    return r.b.data;
}

static void converted_lsd_matches_like_the_original(void **state)
{
    (void)state;
    char *src = full("lexicons/lexicoder-lsd2015/LSD2015.lc3");
    char *corpus = full("transcripts/whitehouse-2021-2023/press-briefings/2022-01");
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    if (lf_lexicon_load(lex, src, NULL, &err) != LF_OK)
        fail_msg("%s", err.message);
    size_t n_want;
    char *want = tag(lex, corpus, &n_want);
    assert_true(n_want > 1000); /* a month of briefings has plenty of sentiment */
    static const char *const outs[] = {"lsd.lexicon", "lsd.dic", "lsd.dicx", "lsd.ykd",
                                       "lsd.cat", "lsd.yml", "lsd.lc3"};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, outs[i]);
        /* LSD2015 fits every one of these formats but for its colours */
        lf_buf losses = {0};
        int fmt = lf_format_by_path(path);
        size_t kinds = lf_lexicon_losses(lex, (lf_lexicon_format)fmt, &losses);
        bool colours = fmt == LF_FMT_NATIVE || fmt == LF_FMT_LC3;
        assert_int_equal(kinds, colours ? 0 : 1);
        if (!colours)
            assert_true(strncmp(losses.data, "theme colours: 2 (", 18) == 0);
        lf_buf_free(&losses);
        if (lf_lexicon_convert(lex, path, NULL, !colours, NULL, &err) != LF_OK)
            fail_msg("%s: %s", outs[i], err.message);
        lf_lexicon *back = lf_lexicon_new();
        if (lf_lexicon_load(back, path, NULL, &err) != LF_OK)
            fail_msg("%s: %s", outs[i], err.message);
        assert_int_equal(back->n_entries, lex->n_entries);
        size_t n_got;
        char *got = tag(back, corpus, &n_got);
        if (strcmp(want, got) != 0)
            fail_msg("%s: %zu matches instead of %zu, or different ones", outs[i], n_got,
                     n_want);
        free(got);
        lf_lexicon_free(back);
    }
    printf("LSD2015 converted to %zu formats: %zu matches each, identical\n",
           sizeof outs / sizeof outs[0], n_want);
    free(want);
    lf_lexicon_free(lex);
    free(src);
    free(corpus);
}

/* The largest real dictionary (General Inquirer, 40,860 entries) loads quickly. */
static void loading_is_fast(void **state)
{
    (void)state;
    char *path = full("lexicons/general-inquirer/inquireraugmented.csv");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    assert_int_equal(lf_lexicon_load(lex, path, NULL, &err), LF_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("General Inquirer: %zu entries loaded in %.3f s\n", lex->n_entries, s);
    assert_true(s < 5.0); /* generous: sanitizer builds are slow */
    lf_lexicon_free(lex);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lf-realdata-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    data_dir = lf_test_shared_data();
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/lexicons", data_dir ? data_dir : "");
    if (!data_dir || access(probe, R_OK) != 0) {
        printf("skipped: ../shared/data not present\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_dictionary_loads_with_its_counts),
        cmocka_unit_test(no_file_is_left_out),
        cmocka_unit_test(legacy_encodings_need_the_option),
        cmocka_unit_test(mary_is_the_same_in_every_format),
        cmocka_unit_test(converted_lsd_matches_like_the_original),
        cmocka_unit_test(loading_is_fast),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
