/* test_lexicon_formats.c — the foreign dictionary readers (LIWC, LIWC-22, General
 * Inquirer, Lexicoder, Yoshikoder, WordStat, quanteda YAML, word lists), their warnings and
 * errors, encodings, the writers and `convert` (losses named, round trips, the same matches
 * after conversion), context rules, `lexicon check` and `lexicon expand`. Inputs are
 * written inline; the real dictionaries are tested in test_lexicon_realdata.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lexframe.h"
#include "lexicon.h"
#include "util.h"

/* ---- helpers ---- */

static char tmpdir[256];

static const char *tmp_write(const char *name, const char *data, size_t len)
{
    static char ring[8][512]; /* callers may hold a few paths at once */
    static unsigned next;
    char *path = ring[next++ % 8];
    snprintf(path, sizeof ring[0], "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

static const char *tmp_text(const char *name, const char *text)
{
    return tmp_write(name, text, strlen(text));
}

static char *slurp(const char *path)
{
    char *data;
    size_t len;
    lf_error err;
    if (lf_read_file(path, 1 << 24, &data, &len, &err) != LF_OK)
        fail_msg("%s", err.message);
    return data;
}

/* Loads `text` saved as `name` (the extension picks the reader); fails the test on error. */
static lf_lexicon *load_text(const char *name, const char *text, const lf_options *opt)
{
    const char *path = tmp_text(name, text);
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    if (lf_lexicon_load(lex, path, opt, &err) != LF_OK)
        fail_msg("%s: %s", name, err.message);
    return lex;
}

/* Loads and expects failure; returns the message with the temporary directory cut out. */
static const char *load_error(const char *name, const char *data, size_t len,
                              const lf_options *opt, lf_status want)
{
    static char msg[1200];
    const char *path = tmp_write(name, data, len);
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    lf_status st = lf_lexicon_load(lex, path, opt, &err);
    lf_lexicon_free(lex);
    if (st != want)
        fail_msg("%s: expected status %d, got %d (%s)", name, (int)want, (int)st,
                 st ? err.message : "success");
    size_t n = strlen(tmpdir);
    snprintf(msg, sizeof msg, "%s",
             strncmp(err.message, tmpdir, n) == 0 ? err.message + n + 1 : err.message);
    return msg;
}

/* All warnings, one per line, the temporary directory cut out. */
static const char *warnings(const lf_lexicon *lex)
{
    static char out[8192];
    out[0] = '\0';
    size_t n = strlen(tmpdir);
    for (size_t i = 0; i < lf_lexicon_warning_count(lex); i++) {
        const char *w = lf_lexicon_warning(lex, i);
        if (strncmp(w, tmpdir, n) == 0)
            w += n + 1;
        size_t l = strlen(out);
        snprintf(out + l, sizeof out - l, "%s\n", w);
    }
    return out;
}

/* Themes and entries as text: "theme id (label) parent-depth" and "  entry words
 * [kind, flags, weight]". With `labels` false, labels are left out (formats name
 * categories differently). */
static char *dump_lex(const lf_lexicon *lex, bool labels)
{
    lf_buf b = {0};
    for (size_t t = 0; t < lex->n_themes; t++) {
        const lf_theme *th = &lex->themes[t];
        lf_buf_printf(&b, "%s depth %u", th->id, th->depth);
        if (labels)
            lf_buf_printf(&b, " label '%s'", th->label);
        lf_buf_putc(&b, '\n');
        for (size_t i = 0; i < lex->n_entries; i++) {
            const lf_entry *e = &lex->entries[i];
            if (e->theme != t)
                continue;
            lf_buf_puts(&b, "  ");
            if (e->kind == LF_ENTRY_REGEX)
                lf_buf_printf(&b, "/%s/", e->regex);
            for (size_t w = 0; w < e->n_words; w++)
                lf_buf_printf(&b, "%s%s%s", w ? " " : "", e->words[w].text,
                              e->words[w].glob ? "(g)" : "");
            lf_buf_printf(&b, "%s%s weight %g\n", e->exclude ? " !" : "",
                          e->case_sensitive ? " case" : "", e->weight);
        }
    }
    lf_buf_cstr(&b);
    return b.data;
}

/* The template with every "@D" replaced by the temporary directory (caller frees). */
static char *subst(const char *tmpl)
{
    lf_buf b = {0};
    for (const char *k = tmpl; *k; k++) {
        if (k[0] == '@' && k[1] == 'D') {
            lf_buf_puts(&b, tmpdir);
            k++;
        } else {
            lf_buf_putc(&b, *k);
        }
    }
    lf_buf_cstr(&b);
    return b.data;
}

/* ---- LIWC ---- */

static void liwc_reads_messy_files(void **state)
{
    (void)state;
    /* CR-only line ends, no final newline, LIWC2015 hierarchy by tabs, zero-padded ids, a
       heading without an id, tabs and spaces mixed, several ids on a line, a phrase,
       conditional codes and an undefined id */
    const char *dic = "%\r01\tfunction\r\t002 pronoun\r\t\t3\tppron\rheading \r\t4\tsocial\r%\r"
                      "\r"
                      "i\t02 3\r"
                      "we  3\r"
                      "friend*\t\t4\r"
                      "in the end\t1\r"
                      "kind\t<of>3/4\t1\r"
                      "like\t(02 3)4/1\r"
                      "liked\t1 9";
    lf_lexicon *lex = load_text("messy.dic", dic, NULL);
    char *d = dump_lex(lex, true);
    assert_string_equal(d, "function depth 1 label 'function'\n"
                           "  in the end weight 1\n"
                           "  kind weight 1\n"
                           "  liked weight 1\n"
                           "function.pronoun depth 2 label 'pronoun'\n"
                           "  i weight 1\n"
                           "function.pronoun.ppron depth 3 label 'ppron'\n"
                           "  i weight 1\n"
                           "  we weight 1\n"
                           "heading depth 1 label 'heading'\n"
                           "heading.social depth 2 label 'social'\n"
                           "  friend*(g) weight 1\n");
    free(d);
    assert_string_equal(warnings(lex),
                        "messy.dic:13:1: conditional category codes '<of>3/4' of 'kind' skipped "
                        "(LIWC2001 conditional categories have no lexframe equivalent)\n"
                        "messy.dic:14:1: conditional category codes '(02 3)4/1' of 'like' "
                        "skipped (LIWC2001 conditional categories have no lexframe equivalent)\n"
                        "messy.dic:15:9: undefined category id 9 (not in the legend): 'liked' "
                        "is not added to it\n");
    /* entries keep their line, column and text as written */
    assert_int_equal(lex->entries[4].line, 12);
    assert_string_equal(lex->entries[4].source, "in the end");
    lf_lexicon_free(lex);
}

static void liwc_errors(void **state)
{
    (void)state;
    assert_string_equal(load_error("a.dic", "word\t1\n", 6, NULL, LF_ERR_LEXICON),
                        "a.dic:1:1: a LIWC dictionary starts with a line holding only '%', "
                        "then the category legend");
    assert_string_equal(load_error("b.dic", "%\n1 a\n", 6, NULL, LF_ERR_LEXICON),
                        "b.dic:2: the category legend is not closed by a second '%' line");
    assert_string_equal(load_error("c.dic", "%\n1 a\n01 b\n%\n", 13, NULL, LF_ERR_LEXICON),
                        "c.dic:3:1: category id 01 is defined twice (first at line 2)");
    assert_string_equal(load_error("d.dic", "%\n1 a\n\t\t2 b\n%\n", 14, NULL, LF_ERR_LEXICON),
                        "d.dic:3:3: category 'b' is indented 2 levels below the category "
                        "before it (one tab per level)");
    assert_string_equal(load_error("e.dic", "%\n1 a\n%\nw\xff\t1\n", 12, NULL, LF_ERR_LEXICON),
                        "e.dic:4:2: invalid UTF-8 (byte offset 9); if the file is in another "
                        "encoding, name it with --encoding (e.g. --encoding CP1252)");
}

/* ---- Lexicoder .lc3 ---- */

static void lc3_reads(void **state)
{
    (void)state;
    const char *lc3 = "\xEF\xBB\xBF+negative#ff0000\r\n a lie\r\n abandon*\r\n heckl**\r\n\r\n"
                      "+positive\r\nhiv/aids\r\n";
    lf_lexicon *lex = load_text("s.lc3", lc3, NULL);
    char *d = dump_lex(lex, false);
    assert_string_equal(d, "negative depth 1\n"
                           "  a lie weight 1\n"
                           "  abandon*(g) weight 1\n"
                           "  heckl*(g) weight 1\n"
                           "positive depth 1\n"
                           "  hiv aids weight 1\n");
    free(d);
    assert_string_equal(lex->themes[0].colour, "#FF0000");
    assert_null(lex->themes[1].colour);
    assert_string_equal(warnings(lex),
                        "s.lc3:4:2: 'heckl**': '**' read as '*' (any characters)\n"
                        "s.lc3:7:1: 'hiv/aids' read as the phrase 'hiv aids' ('/' is not part "
                        "of a word)\n");
    lf_lexicon_free(lex);
    assert_string_equal(load_error("t.lc3", "word\n+cat\n", 10, NULL, LF_ERR_LEXICON),
                        "t.lc3:1:1: pattern before the first category (a category line starts "
                        "with '+', e.g. +negative)");
}

/* ---- Yoshikoder / Lexicoder 2 ---- */

static void ykd_reads_nesting_boundaries_scores(void **state)
{
    (void)state;
    const char *ykd =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<dictionary style=\"050805\" patternengine=\"substring\">\n"
        "<cnode name=\"Root\" desc=\"All of it\">\n"
        " <cnode name=\"A category\">\n"
        "  <cnode name=\"A subcategory\"><pnode name=\"more\" score=\"2.5\"/></cnode>\n"
        "  <pnode name=\"lamb*\"/>\n"
        " </cnode>\n"
        " <cnode name=\"Odd\" score=\"3\"><pnode name=\"x\" score=\"high\"/><foo/></cnode>\n"
        "</cnode>\n"
        "</dictionary>\n";
    lf_lexicon *lex = load_text("y.ykd", ykd, NULL);
    char *d = dump_lex(lex, true);
    assert_string_equal(d, "root depth 1 label 'Root'\n"
                           "root.a_category depth 2 label 'A category'\n"
                           "  lamb*(g) weight 1\n"
                           "root.a_category.a_subcategory depth 3 label 'A subcategory'\n"
                           "  more weight 2.5\n"
                           "root.odd depth 2 label 'Odd'\n"
                           "  x weight 1\n");
    free(d);
    assert_string_equal(lex->themes[0].description, "All of it");
    assert_true(lex->entries[0].has_weight);
    assert_false(lex->entries[1].has_weight);
    assert_string_equal(warnings(lex),
                        "y.ykd:8: score '3' of category 'Odd' is not used (lexframe weighs "
                        "entries, not categories)\n"
                        "y.ykd:8: score 'high' is not a number: not used as a weight\n"
                        "y.ykd:8: element <foo> is not used\n");
    lf_lexicon_free(lex);

    /* Lexicoder's word-boundary spaces */
    const char *lcd = "<?xml version=\"1.0\"?>\n<dictionary style=\"Lexicoder\">\n"
                      "<cnode name=\"t\">\n"
                      "<pnode name=\" ECONOM\"/><pnode name=\" GST \"/>\n"
                      "<pnode name=\"POVERTY \"/><pnode name=\"OBSCENIT\"/>\n"
                      "<pnode name=\" BANK OF CANADA \"/><pnode name=\" FOOD PRICE\"/>\n"
                      "</cnode></dictionary>\n";
    lex = load_text("l.lcd", lcd, NULL);
    d = dump_lex(lex, false);
    assert_string_equal(d, "t depth 1\n"
                           "  econom*(g) weight 1\n"
                           "  gst weight 1\n"
                           "  *poverty(g) weight 1\n"
                           "  *obscenit*(g) weight 1\n"
                           "  bank of canada weight 1\n"
                           "  food price*(g) weight 1\n");
    free(d);
    assert_string_equal(lex->entries[0].source, " ECONOM");
    lf_lexicon_free(lex);
}

static void ykd_is_parsed_safely(void **state)
{
    (void)state;
    /* an external entity must not be read (NONET does not stop a local file) */
    const char *secret = tmp_text("secret.txt", "TOPSECRET");
    char xxe[1024];
    snprintf(xxe, sizeof xxe,
             "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file://%s\">]>\n"
             "<dictionary><cnode name=\"t\"><pnode name=\"a\"/></cnode><cnode name=\"&x;\"/>"
             "</dictionary>\n",
             secret);
    const char *path = tmp_text("xxe.ykd", xxe);
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    lf_status st = lf_lexicon_load(lex, path, NULL, &err);
    if (st == LF_OK) {
        for (size_t i = 0; i < lex->n_themes; i++)
            assert_null(strstr(lex->themes[i].label, "TOPSECRET"));
    } else {
        assert_null(strstr(err.message, "TOPSECRET"));
    }
    lf_lexicon_free(lex);
    /* an entity bomb fails at once instead of expanding */
    lf_buf bomb = {0};
    lf_buf_puts(&bomb, "<?xml version=\"1.0\"?>\n<!DOCTYPE d [\n<!ENTITY a \"aaaaaaaaaa\">\n");
    for (char c = 'b'; c <= 'i'; c++) {
        lf_buf_printf(&bomb, "<!ENTITY %c \"", c);
        for (int k = 0; k < 10; k++)
            lf_buf_printf(&bomb, "&%c;", c - 1);
        lf_buf_puts(&bomb, "\">\n");
    }
    lf_buf_puts(&bomb, "]>\n<dictionary><cnode name=\"&i;\"><pnode name=\"&i;\"/></cnode>"
                       "</dictionary>\n");
    const char *lol = load_error("lol.ykd", bomb.data, bomb.len, NULL, LF_ERR_LEXICON);
    assert_true(strncmp(lol, "lol.ykd:13:", 11) == 0);
    assert_non_null(strstr(lol, "XML: "));
    lf_buf_free(&bomb);
    /* malformed XML: the parser's message with line and column */
    const char *bad = "<dictionary>\n<cnode name=\"a\">\n<pnode name=\"x\">\n</dictionary>\n";
    const char *msg = load_error("bad.ykd", bad, strlen(bad), NULL, LF_ERR_LEXICON);
    assert_true(strncmp(msg, "bad.ykd:4:", 10) == 0);
    assert_non_null(strstr(msg, "XML: "));
    assert_string_equal(load_error("root.ykd", "<dic/>", 6, NULL, LF_ERR_LEXICON),
                        "root.ykd:1: the root element is <dic>, not a Yoshikoder <dictionary>");
}

/* ---- WordStat .cat ---- */

static void cat_reads(void **state)
{
    (void)state;
    const char *cat = "ECONOMY\r\n\t+STATE+\r\n\t\tTAX* (1)\r\n\t\tCIVIL_WAR (12)\r\n"
                      "\t=STATE=\r\n\t\tBUDGET (-2)\r\n\tPEOPLE (1)\r\n"
                      "SPACES\r\n    NESTED\r\n        WORD (0.5)\r\n";
    lf_lexicon *lex = load_text("w.cat", cat, NULL);
    char *d = dump_lex(lex, true);
    assert_string_equal(d, "economy depth 1 label 'ECONOMY'\n"
                           "  people weight 1\n"
                           "economy.state depth 2 label '+STATE+'\n"
                           "  tax*(g) weight 1\n"
                           "  civil war weight 12\n"
                           "economy.state_2 depth 2 label '=STATE='\n"
                           "  budget weight -2\n"
                           "spaces depth 1 label 'SPACES'\n"
                           "spaces.nested depth 2 label 'NESTED'\n"
                           "  word weight 0.5\n");
    free(d);
    /* WordStat's default "(1)" is not an explicit weight; others are */
    assert_false(lex->entries[0].has_weight);
    assert_true(lex->entries[1].has_weight);
    assert_string_equal(warnings(lex),
                        "w.cat:5:2: category '=STATE=' gets the theme id 'economy.state_2': "
                        "'economy.state' is already the id of '+STATE+' (line 2)\n");
    lf_lexicon_free(lex);
    assert_string_equal(load_error("o.cat", "WORD (1)\n", 9, NULL, LF_ERR_LEXICON),
                        "o.cat:1:1: pattern outside a category (patterns are indented below "
                        "their category)");
}

/* ---- quanteda YAML ---- */

static void yaml_reads(void **state)
{
    (void)state;
    const char *yml = "# comment\n"
                      "AFRICA:\n"
                      "  EAST:\n"
                      "    'BI': [Burundi, Burundian*, Bujumbura]\n"
                      "    \"RE\": [Réunion, Dar es Salaam, wom?n]\n"
                      "US:\n"
                      "  MA: Boston\n"
                      "  '': Washington DC\n"
                      "EMPTY:\n"
                      "NONE: ~\n";
    lf_lexicon *lex = load_text("n.yml", yml, NULL);
    char *d = dump_lex(lex, true);
    assert_string_equal(d, "africa depth 1 label 'AFRICA'\n"
                           "africa.east depth 2 label 'EAST'\n"
                           "africa.east.bi depth 3 label 'BI'\n"
                           "  burundi weight 1\n"
                           "  burundian*(g) weight 1\n"
                           "  bujumbura weight 1\n"
                           "africa.east.re depth 3 label 'RE'\n"
                           "  réunion weight 1\n"
                           "  dar es salaam weight 1\n"
                           "  wom?n(g) weight 1\n"
                           "us depth 1 label 'US'\n"
                           "  washington dc weight 1\n"
                           "us.ma depth 2 label 'MA'\n"
                           "  boston weight 1\n"
                           "empty depth 1 label 'EMPTY'\n"
                           "none depth 1 label 'NONE'\n");
    free(d);
    assert_int_equal(lex->entries[3].line, 5);
    lf_lexicon_free(lex);
    const char *alias = "A: &x [a, b]\nB: *x\n";
    assert_string_equal(load_error("a.yml", alias, strlen(alias), NULL, LF_ERR_LEXICON),
                        "a.yml:2:4: YAML aliases are not read in dictionaries");
    const char *bad = "A: [a, b\nB: c\n";
    const char *msg = load_error("b.yml", bad, strlen(bad), NULL, LF_ERR_LEXICON);
    assert_true(strncmp(msg, "b.yml:2:", 8) == 0);
    assert_non_null(strstr(msg, "YAML: "));
    assert_string_equal(load_error("c.yml", "- a\n- b\n", 8, NULL, LF_ERR_LEXICON),
                        "c.yml:1:1: a quanteda dictionary is a mapping of category names");
}

/* ---- word lists ---- */

static void word_lists(void **state)
{
    (void)state;
    const char *plain = ";;; Opinion Lexicon\n; comment\n\nabound\na+\nf**k\n2-faced\nInc.\n";
    lf_lexicon *lex = load_text("positive-words.txt", plain, NULL);
    char *d = dump_lex(lex, true);
    assert_string_equal(d, "positive-words depth 1 label 'positive-words'\n"
                           "  abound weight 1\n"
                           "  f k weight 1\n"
                           "  2-faced weight 1\n"
                           "  inc weight 1\n");
    free(d);
    assert_string_equal(warnings(lex),
                        "positive-words.txt:5:1: 'a+' cannot be matched as written: '+' is not "
                        "part of a word and lexframe matches words only: entry skipped\n"
                        "positive-words.txt:6:1: 'f**k' read as the phrase 'f k' ('*' is not "
                        "part of a word)\n"
                        "positive-words.txt:8:1: 'Inc.' read as 'Inc' (a final '.' is "
                        "punctuation, not part of the word)\n");
    lf_lexicon_free(lex);

    /* a scored list (AFINN, VADER): the score is the weight; --lexicon-theme names it */
    lf_options opt;
    lf_options_init(&opt);
    opt.lexicon_theme = "sentiment.afinn";
    const char *scored = "abandon\t-2\ncan't stand\t-3\n#-)\t-1.5\t0.8\t[-1, 0]\nno score\n";
    lex = load_text("AFINN-111.txt", scored, &opt);
    d = dump_lex(lex, false);
    assert_string_equal(d, "sentiment depth 1\n"
                           "sentiment.afinn depth 2\n"
                           "  abandon weight -2\n"
                           "  can't stand weight -3\n");
    free(d);
    assert_true(lex->entries[0].has_weight);
    assert_string_equal(warnings(lex),
                        "AFINN-111.txt:3:1: '#-)' has no words (lexframe matches words; "
                        "punctuation and symbols are not words): entry skipped\n"
                        "AFINN-111.txt:4:1: 'no score' has no score (a scored list has "
                        "'pattern TAB number' lines): skipped\n"
                        "AFINN-111.txt:3: columns after the score (from this line on) are not "
                        "used: the score is the entry's weight\n");
    lf_lexicon_free(lex);
    opt.lexicon_theme = "Bad Id";
    assert_string_equal(load_error("x.txt", "a\n", 2, &opt, LF_ERR_USAGE),
                        "--lexicon-theme: 'Bad Id' is not a theme id (lowercase letters, "
                        "digits, '_' and '-', with '.' between levels)");
}

/* ---- spreadsheets: LIWC-22 and General Inquirer ---- */

static void spreadsheets(void **state)
{
    (void)state;
    const char *dicx = "\xEF\xBB\xBF" "DicTerm,Stress,\"Rest, sleep\"\r\n"
                       "stress*,X,\r\ntired,2,x\r\n\"slept, deeply\",,X\r\nnap,maybe,\r\n";
    lf_lexicon *lex = load_text("s.dicx", dicx, NULL);
    char *d = dump_lex(lex, true);
    assert_string_equal(d, "stress depth 1 label 'Stress'\n"
                           "  stress*(g) weight 1\n"
                           "  tired weight 2\n"
                           "rest_sleep depth 1 label 'Rest, sleep'\n"
                           "  tired weight 1\n"
                           "  slept deeply weight 1\n");
    free(d);
    assert_string_equal(warnings(lex),
                        "s.dicx:4:1: 'slept, deeply' read as the phrase 'slept deeply' (',' is "
                        "not part of a word)\n"
                        "s.dicx:5:5: cell 'maybe' is neither X nor a number: 'nap' is not "
                        "added to 'Stress'\n");
    lf_lexicon_free(lex);
    const char *unclosed = "DicTerm,A\n\"x,X\n";
    assert_string_equal(load_error("u.dicx", unclosed, strlen(unclosed), NULL, LF_ERR_LEXICON),
                        "u.dicx:2:1: a quoted field is not closed (no matching '\"')");

    const char *gi = "\xEF\xBB\xBF" "Entry,Source,Positiv,Negativ,Econ@,ECON\r"
                     "ABOUT#1,H4,,,,\rABOUT#2,H4,Positiv,,,\rABOUT#3,H4,Positiv,,Econ@,\r"
                     "ABANDON,H4,,Negativ,,ECON\r";
    lex = load_text("gi.csv", gi, NULL);
    d = dump_lex(lex, true);
    assert_string_equal(d, "positiv depth 1 label 'Positiv'\n"
                           "  about weight 1\n"
                           "negativ depth 1 label 'Negativ'\n"
                           "  abandon weight 1\n"
                           "econ depth 1 label 'Econ@'\n"
                           "  about weight 1\n"
                           "econ_2 depth 1 label 'ECON'\n"
                           "  abandon weight 1\n");
    free(d);
    assert_non_null(strstr(warnings(lex), "gi.csv:2:1: 3 sense-numbered entries (the first: "
                                          "'ABOUT#1') are read as plain words"));
    lf_lexicon_free(lex);
}

/* ---- encodings ---- */

static void encodings(void **state)
{
    (void)state;
    lf_options opt;
    lf_options_init(&opt);
    opt.encoding = "CP1252";
    const char cp1252[] = "LATIN\n\tS (1)\nNON-LATIN\n\t\x8A (1)\n\t\x9F (1)\n";
    const char *path = tmp_write("w.cat", cp1252, sizeof cp1252 - 1);
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    if (lf_lexicon_load(lex, path, &opt, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_string_equal(lex->entries[1].words[0].text, "\xC5\xA1");  /* š */
    assert_string_equal(lex->entries[2].words[0].text, "\xC3\xBF");  /* ÿ */
    lf_lexicon_free(lex);
    /* without --encoding the bytes are not UTF-8 */
    assert_string_equal(load_error("w2.cat", cp1252, sizeof cp1252 - 1, NULL, LF_ERR_LEXICON),
                        "w2.cat:4:2: invalid UTF-8 (byte offset 24); if the file is in another "
                        "encoding, name it with --encoding (e.g. --encoding CP1252)");
    /* bytes that are not text in the declared encoding */
    opt.encoding = "EUC-JP";
    const char sjis[] = "LATIN\n\tA (1)\nX\n\tab\x82\xA0 (1)\n";
    assert_string_equal(load_error("s.cat", sjis, sizeof sjis - 1, &opt, LF_ERR_LEXICON),
                        "s.cat:4:5: byte 0xA0 is not valid EUC-JP text (byte offset 19)");
    /* a .cat file holding Yoshikoder XML that declares its encoding: decoded once */
    opt.encoding = "ISO-8859-1";
    const char xml[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<dictionary>"
                       "<cnode name=\"caf\xE9\"><pnode name=\"cr\xE8me\"/></cnode></dictionary>\n";
    path = tmp_write("x.cat", xml, sizeof xml - 1);
    lex = lf_lexicon_new();
    if (lf_lexicon_load(lex, path, &opt, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(lex->n_entries, 1);
    assert_string_equal(lex->themes[0].label, "caf\xC3\xA9");           /* café */
    assert_string_equal(lex->entries[0].words[0].text, "cr\xC3\xA8me"); /* crème */
    lf_lexicon_free(lex);
    /* the lexicon-line-bytes limit holds for every line-based format */
    lf_options lim;
    lf_options_init(&lim);
    lim.limits[LF_LIMIT_LEXICON_LINE_BYTES] = 10;
    static const char *const long_line[][2] = {
        {"l.lc3", "+A\n abcdefghijklmnop\n"},
        {"l.cat", "A\n\tabcdefghijklmnop (1)\n"},
        {"l.dic", "%\n1\tA\n%\nabcdefghijklmnop\t1\n"},
        {"l.txt", "a\nabcdefghijklmnop\n"},
    };
    for (size_t i = 0; i < sizeof long_line / sizeof long_line[0]; i++) {
        char want[200];
        snprintf(want, sizeof want, "%s:%d: line is longer than the lexicon-line-bytes limit "
                 "(10); raise it with --limit lexicon-line-bytes=N", long_line[i][0],
                 i == 2 ? 4 : 2);
        assert_string_equal(load_error(long_line[i][0], long_line[i][1],
                                       strlen(long_line[i][1]), &lim, LF_ERR_LIMIT), want);
    }
    /* and a NUL byte is named at its column, in every line-based format alike */
    static const struct {
        const char *name, *text;
        size_t len;
        const char *want;
    } nul[] = {
#define TEXT(lit) lit, sizeof lit - 1
        {"n.lexicon", TEXT("@theme a\nab\0c\n"), "n.lexicon:2:3"},
        {"n.lc3", TEXT("+A\n ab\0c\n"), "n.lc3:2:4"},
        {"n.cat", TEXT("A\n\tab\0c (1)\n"), "n.cat:2:4"},
        {"n.dic", TEXT("%\n1\tA\n%\nab\0c\t1\n"), "n.dic:4:3"},
        {"n.txt", TEXT("a\nab\0c\n"), "n.txt:2:3"},
        {"n.tsv", TEXT("a\t1\nab\0c\t2\n"), "n.tsv:2:3"},
#undef TEXT
    };
    for (size_t i = 0; i < sizeof nul / sizeof nul[0]; i++) {
        char want[200];
        snprintf(want, sizeof want, "%s: NUL character in a lexicon file", nul[i].want);
        assert_string_equal(load_error(nul[i].name, nul[i].text, nul[i].len, NULL,
                                       LF_ERR_LEXICON),
                            want);
    }
    opt.encoding = "NO-SUCH-ENCODING";
    assert_string_equal(load_error("n.cat", "A\n", 2, &opt, LF_ERR_USAGE),
                        "--encoding: 'NO-SUCH-ENCODING' is not an encoding this system knows "
                        "(see iconv -l)");
}

/* ---- the same dictionary in every format ---- */

static void same_dictionary_in_every_format(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
    } forms[] = {
        {"m.dic", "%\n01\tA_CATEGORY\n02\tANOTHER_CATEGORY\n%\nmore\t01\nlamb*\t01\n"
                  "little one\t01\nhad\t02\nmary\t02\n"},
        {"m.lc3", "+A category\n more\n lamb*\n little one\n+Another category\nhad\nmary\n"},
        {"m.ykd", "<dictionary><cnode name=\"A CATEGORY\"><pnode name=\"more\"/>"
                  "<pnode name=\"lamb*\"/><pnode name=\"little one\"/></cnode>"
                  "<cnode name=\"ANOTHER CATEGORY\"><pnode name=\"had\"/><pnode name=\"mary\"/>"
                  "</cnode></dictionary>"},
        {"m.cat", "A CATEGORY\n\tMORE (1)\n\tLAMB* (1)\n\tLITTLE_ONE (1)\nANOTHER CATEGORY\n"
                  "\tHAD (1)\n\tMARY (1)\n"},
        {"m.yml", "A CATEGORY: [more, lamb*, little one]\nANOTHER CATEGORY: [had, mary]\n"},
        {"m.dicx", "DicTerm,A category,Another category\nmore,X,\nlamb*,X,\nlittle one,X,\n"
                   "had,,X\nmary,,X\n"},
        {"m.lexicon", "@theme a_category\nmore\nlamb*\nlittle one\n"
                      "@theme another_category\nhad\nmary\n"},
    };
    char *first = NULL;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        lf_lexicon *lex = load_text(forms[i].name, forms[i].text, NULL);
        char *d = dump_lex(lex, false);
        assert_int_equal(lf_lexicon_warning_count(lex), 0);
        if (!first) {
            first = d;
            assert_string_equal(first, "a_category depth 1\n  more weight 1\n"
                                       "  lamb*(g) weight 1\n  little one weight 1\n"
                                       "another_category depth 1\n  had weight 1\n"
                                       "  mary weight 1\n");
        } else {
            if (strcmp(first, d) != 0)
                fail_msg("%s differs:\n%s\nvs\n%s", forms[i].name, d, first);
            free(d);
        }
        lf_lexicon_free(lex);
    }
    free(first);
}

/* ---- writing: round trips, losses, the same matches ---- */

/* Writes lex as `fmt` to a temporary file named name and reads it back. */
static lf_lexicon *through(const lf_lexicon *lex, const char *name, bool lossy)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    lf_error err = {0};
    FILE *notes = fopen("/dev/null", "w");
    lf_status st = lf_lexicon_convert(lex, path, NULL, lossy, notes, &err);
    fclose(notes);
    if (st != LF_OK)
        fail_msg("convert to %s: %s", name, err.message);
    lf_lexicon *back = lf_lexicon_new();
    if (lf_lexicon_load(back, path, NULL, &err) != LF_OK)
        fail_msg("reading %s back: %s", name, err.message);
    return back;
}

static void round_trips(void **state)
{
    (void)state;
    /* for each format, a native lexicon holding only what that format can hold */
    static const struct {
        const char *out, *native;
        bool labels;
    } cases[] = {
        {"r.lexicon",
         "@negators not never\n@negation-window 2\n"
         "@theme trust\nlabel: Trust and faith\ndescription: d\ncolour: #0072B2\n"
         "negation: move distrust\ncontext: NEAR/3 @distrust, good faith\ntrust*\n"
         "@theme distrust\nnegation: ignore\n/\\bdoubts? about\\b/ {case}\n!no doubt\n"
         "US {case, weight=0.25}\nlift* * sanctions\nwom?n\n",
         true},
        {"r.dic", "@theme care\nlabel: Care\ncompassion*\nin the end\n@theme care.virtue\nkind\n"
                  "@theme harm\nharm\n", true},
        {"r.dicx", "@theme stress\nlabel: Stress\nstress*\ntired {weight=2}\n@theme rest\nnap\n",
         true},
        {"r.lc3", "@theme negative\ncolour: #AA0000\na lie\nabandon*\n@theme positive\ngood\n",
         true},
        {"r.ykd", "@theme root\ndescription: the root\n@theme root.a\nlabel: A\nmore {weight=2}\n"
                  "*obscen*\n@theme root.a.b\nlamb\n",
         true},
        {"r.cat", "@theme economy\nlabel: ECONOMY\npeople\n@theme economy.state\ntax* {weight=-2}\n"
                  "civil war {weight=12}\n",
         true},
        {"r.yml", "@theme us\nlabel: US\nwashington dc\n@theme us.ma\nboston\nwom?n\n"
                  "lift* * sanctions\n@theme empty\n",
         true},
        {"r.txt", "@theme r\nabound\n2-faced\nself confident\n", true},
        {"r.tsv", "@theme r\nabandon {weight=-2}\ncan't stand {weight=-3.5}\n", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lf_lexicon *lex = load_text("orig.lexicon", cases[i].native, NULL);
        lf_lexicon *back = through(lex, cases[i].out, false);
        char *a = dump_lex(lex, cases[i].labels), *b = dump_lex(back, cases[i].labels);
        if (strcmp(a, b) != 0)
            fail_msg("%s changed in a round trip:\n%s\nvs\n%s", cases[i].out, b, a);
        if (i == 0) {
            /* the native format keeps everything, negation and rules included */
            assert_int_equal(back->n_negators, 2);
            assert_int_equal(back->negation_window, 2);
            assert_int_equal(back->n_rules, 1);
            assert_string_equal(back->rules[0].source, "NEAR/3 @distrust, good faith");
            assert_int_equal(back->themes[0].neg, LF_NEG_MOVE);
            assert_string_equal(back->themes[0].description, "d");
            assert_string_equal(back->themes[0].colour, "#0072B2");
        }
        free(a);
        free(b);
        lf_lexicon_free(lex);
        lf_lexicon_free(back);
    }
}

/* Converting refuses to drop anything silently and names what would be lost. */
static void losses_are_named(void **state)
{
    (void)state;
    const char *rich = "@negators not\n"
                       "@theme a\nlabel: Alpha beta\ndescription: d\ncolour: #112233\n"
                       "negation: separate\ncontext: NEAR/2 x\n"
                       "w1 {weight=2}\n/re/\n!ex\nUS {case}\nwo?d\nab*cd\nlift * now\n"
                       "@theme a.b\nplain\n";
    lf_lexicon *lex = load_text("rich.lexicon", rich, NULL);
    static const struct {
        lf_lexicon_format fmt;
        const char *kinds;
    } want[] = {
        {LF_FMT_LIWC, "labels description colour negation-policies negators rules weights "
                      "regex exclusions case qmark inner anyword"},
        {LF_FMT_DICX, "hierarchy labels description colour negation-policies negators rules "
                      "regex exclusions case qmark inner anyword"},
        {LF_FMT_LC3, "hierarchy labels description negation-policies negators rules weights "
                     "regex exclusions case qmark inner anyword"},
        {LF_FMT_YKD, "labels colour negation-policies negators rules regex exclusions case "
                     "qmark anyword"},
        {LF_FMT_CAT, "labels description colour negation-policies negators rules regex "
                     "exclusions case qmark anyword"},
        {LF_FMT_YAML, "labels description colour negation-policies negators rules weights "
                      "regex exclusions case"},
        {LF_FMT_WORDLIST, "themes description colour negation-policies negators rules weights "
                          "regex exclusions case globs"},
        {LF_FMT_NATIVE, ""},
    };
    static const struct {
        const char *key, *text;
    } names[] = {
        {"hierarchy", "the theme hierarchy"}, {"themes", "more than one theme"},
        {"labels", "theme labels"},           {"description", "theme descriptions"},
        {"colour", "theme colours"},          {"negation-policies", "negation policies"},
        {"negators", "negator settings"},     {"rules", "context rules"},
        {"weights", "entry weights"},         {"regex", "regex entries"},
        {"exclusions", "exclusions"},         {"case", "case-sensitive entries"},
        {"qmark", "'?' wildcards"},           {"inner", "'*' wildcards not at the end"},
        {"anyword", "'*' standing for one whole word"}, {"globs", "wildcards (a word list"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        lf_buf out = {0};
        size_t kinds = lf_lexicon_losses(lex, want[i].fmt, &out);
        const char *text = out.data ? out.data : "";
        size_t expected = 0;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            const char *w = strstr(want[i].kinds, names[k].key);
            bool listed = w && (w == want[i].kinds || w[-1] == ' ') &&
                          (w[strlen(names[k].key)] == ' ' || !w[strlen(names[k].key)]);
            expected += listed;
            bool found = strstr(text, names[k].text) != NULL;
            if (listed != found)
                fail_msg("format %d: '%s' %s:\n%s", (int)want[i].fmt, names[k].key,
                         listed ? "not named" : "named but holdable", text);
        }
        assert_int_equal(kinds, expected);
        lf_buf_free(&out);
    }
    /* each loss names the entry, its file and line */
    lf_buf out = {0};
    (void)lf_lexicon_losses(lex, LF_FMT_LIWC, &out);
    assert_non_null(strstr(out.data, "entry weights: 1 ('w1 {weight=2}' weight 2 ("));
    assert_non_null(strstr(out.data, "rich.lexicon:8))"));
    lf_buf_free(&out);

    /* convert refuses, then with lossy writes the rest and lists every loss */
    char path[512];
    snprintf(path, sizeof path, "%s/rich.dic", tmpdir);
    unlink(path);
    lf_error err = {0};
    char *notes_buf = NULL;
    size_t notes_len = 0;
    FILE *notes = open_memstream(&notes_buf, &notes_len);
    assert_int_equal(lf_lexicon_convert(lex, path, NULL, false, notes, &err), LF_ERR_LEXICON);
    fclose(notes);
    assert_non_null(strstr(err.message, "a LIWC dictionary (.dic) cannot hold 13 kinds of "
                                        "content of this lexicon (listed above); give --lossy"));
    assert_non_null(strstr(notes_buf, "rich.dic: cannot hold regex entries: 1 ('/re/'"));
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
    free(notes_buf);
    notes = open_memstream(&notes_buf, &notes_len);
    assert_int_equal(lf_lexicon_convert(lex, path, NULL, true, notes, &err), LF_OK);
    fclose(notes);
    assert_non_null(strstr(notes_buf, "rich.dic: not written exclusions: 1 ('!ex'"));
    free(notes_buf);
    char *written = slurp(path);
    assert_string_equal(written, "%\n1\ta\n\t2\tb\n%\nw1\t1\nUS\t1\nwo?d\t1\nab*cd\t1\n"
                                 "lift * now\t1\nplain\t2\n");
    free(written);
    /* unknown or read-only formats */
    assert_int_equal(lf_lexicon_convert(lex, "x.pdf", NULL, true, NULL, &err), LF_ERR_USAGE);
    assert_int_equal(lf_lexicon_convert(lex, "x.csv", NULL, true, NULL, &err), LF_ERR_USAGE);
    assert_string_equal(err.message, "x.csv: the inquirer format can be read but not written");
    lf_lexicon_free(lex);
}

/* lex converted (without --lossy) to the file `name` in the scratch directory; its text,
 * malloc'd. */
static char *converted_to(const lf_lexicon *lex, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    lf_error err = {0};
    FILE *notes = fopen("/dev/null", "w");
    assert_int_equal(lf_lexicon_convert(lex, path, NULL, false, notes, &err), LF_OK);
    fclose(notes);
    return slurp(path);
}

static void codebook_export(void **state)
{
    (void)state;
    lf_lexicon *lex = load_text("q.lexicon",
                                "@theme trust\nlabel: Trust & faith\ncolour: #0072B2\n"
                                "@theme trust.distrust\ndescription: Doubts <here>\nx\n",
                                NULL);
    char *q = converted_to(lex, "c.qdc");
    assert_string_equal(q, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                           "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"lexframe 0.1.0\">\n"
                           " <Codes>\n"
                           "  <Code guid=\"2ac1ff3d-99c9-573a-bbb0-f31e319af654\" name=\"Trust &amp; faith\" "
                           "isCodable=\"true\" color=\"#0072B2\">\n"
                           "   <Description>trust</Description>\n"
                           "   <Code guid=\"2dd32522-7d9a-5cbf-abba-e47921df2b4e\" name=\"distrust\" "
                           "isCodable=\"true\">\n"
                           "    <Description>trust.distrust: Doubts &lt;here&gt;</Description>\n"
                           "   </Code>\n"
                           "  </Code>\n"
                           " </Codes>\n"
                           "</CodeBook>\n");
    free(q);
    lf_lexicon_free(lex);
}

/* A label or description holding a character XML 1.0 cannot carry, not even as a character
 * reference (a C0 control, U+FFFF), is written as U+FFFD: the .ykd reads back and the
 * codebook is XML. (They went out raw, and neither file was well-formed.) */
static void xml_writers_replace_what_xml_cannot_hold(void **state)
{
    (void)state;
    lf_lexicon *lex = load_text("ctl.lexicon",
                                "@theme t\nlabel: A\x01"
                                "B\ndescription: x\x1fy\xef\xbf\xbfz & w\nfoo\n",
                                NULL);
    lf_lexicon *back = through(lex, "ctl.ykd", true);
    assert_string_equal(back->themes[0].description, "x\xEF\xBF\xBDy\xEF\xBF\xBDz & w");
    lf_lexicon_free(back);
    char *q = converted_to(lex, "ctl.qdc");
    assert_non_null(strstr(q, " name=\"A\xEF\xBF\xBD" "B\" "));
    assert_non_null(
        strstr(q, "<Description>t: x\xEF\xBF\xBDy\xEF\xBF\xBDz &amp; w</Description>"));
    free(q);
    lf_lexicon_free(lex);
}

/* A description or label with a ' # ' (free text in a .ykd or a YAML key) cannot be written
 * to a native lexicon, which has no escape for a trailing comment: listed as a loss, and
 * with --lossy cut there. (It was written whole: read back cut short, or not at all when
 * the value began with '# ': "attribute 'description' needs a value".) */
static void native_writer_lists_comment_text(void **state)
{
    (void)state;
    lf_lexicon *lex =
        load_text("hash.ykd",
                  "<dictionary><cnode name=\"t\" desc=\"Issue # 1 and #2\"><pnode name=\"foo\"/>"
                  "</cnode><cnode name=\"u\" desc=\"# first\"><pnode name=\"bar\"/></cnode>"
                  "</dictionary>",
                  NULL);
    lf_buf out = {0};
    assert_int_equal(lf_lexicon_losses(lex, LF_FMT_NATIVE, &out), 1);
    assert_non_null(strstr(out.data, "the text of labels and descriptions from a ' # ' on (a "
                                     "native lexicon reads a comment there): 2 (description of "
                                     "'t' ("));
    lf_buf_free(&out);
    char path[512];
    snprintf(path, sizeof path, "%s/hash.lexicon", tmpdir);
    lf_error err = {0};
    FILE *notes = fopen("/dev/null", "w");
    assert_int_equal(lf_lexicon_convert(lex, path, NULL, false, notes, &err), LF_ERR_LEXICON);
    fclose(notes);
    lf_lexicon *back = through(lex, "hash.lexicon", true);
    const lf_theme *t = &back->themes[lf_lexicon_find_theme(back, "t")];
    const lf_theme *u = &back->themes[lf_lexicon_find_theme(back, "u")];
    assert_string_equal(t->description, "Issue");
    assert_true(!u->description || !*u->description);
    lf_lexicon_free(back);
    lf_lexicon_free(lex);
}

/* ---- the same matches with a converted dictionary ---- */

typedef struct rows {
    lf_buf b;
} rows;

static int collect(void *ctx, const lf_match_row *row)
{
    rows *r = ctx;
    lf_buf_printf(&r->b, "%zu-%zu %s %s %s\n", row->tok_start, row->tok_end, row->theme,
                  row->text, row->status);
    return 0;
}

static char *tag(const lf_lexicon *lex, const char *transcript)
{
    lf_options opt;
    lf_options_init(&opt);
    lf_error err = {0};
    lf_run *run = lf_run_new(lex, &opt, &err);
    assert_non_null(run);
    rows r = {{0}};
    lf_buf_puts(&r.b, "");
    lf_run_set_list_suppressed(run, true);
    lf_run_set_match_fn(run, collect, &r);
    if (lf_run_add_input(run, transcript, &err) != LF_OK || lf_run_execute(run, &err) != LF_OK)
        fail_msg("%s", err.message);
    lf_run_free(run);
    lf_buf_cstr(&r.b);
    return r.b.data;
}

static void converted_matches_equal(void **state)
{
    (void)state;
    const char *text = tmp_text("t.txt",
                                "MR. ADAMS: The deal is a lie and we abandoned it. The little lamb "
                                "had more mary. Economic growth in the Bank of Canada.\n"
                                "MS. BAKER: Lambs and economists. A little one had more.\n");
    const char *dic = "%\n1\tneg\n2\tmary\n\t3\tsub\n%\na lie\t1\nabandon*\t1\nlamb*\t2 3\n"
                      "little one\t3\nmore\t2\nbank of canada\t1\neconom*\t1\n";
    lf_lexicon *lex = load_text("src.dic", dic, NULL);
    char *want = tag(lex, text);
    assert_non_null(strstr(want, "abandoned counted"));
    assert_non_null(strstr(want, "little one counted"));
    static const char *const outs[] = {"c.lexicon", "c.dic", "c.ykd", "c.cat", "c.yml"};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        lf_lexicon *back = through(lex, outs[i], false);
        char *got = tag(back, text);
        if (strcmp(want, got) != 0)
            fail_msg("%s matches differently:\n%s\nvs\n%s", outs[i], got, want);
        free(got);
        lf_lexicon_free(back);
    }
    /* flat formats keep the matches when the lexicon is flat */
    lf_lexicon *flat = load_text("flat.lc3", "+neg\na lie\nabandon*\n+pos\nmore\nlamb*\n", NULL);
    free(want);
    want = tag(flat, text);
    static const char *const flat_outs[] = {"f.dicx", "f.lc3", "f.lexicon"};
    for (size_t i = 0; i < sizeof flat_outs / sizeof flat_outs[0]; i++) {
        lf_lexicon *back = through(flat, flat_outs[i], false);
        char *got = tag(back, text);
        assert_string_equal(got, want);
        free(got);
        lf_lexicon_free(back);
    }
    free(want);
    lf_lexicon_free(flat);
    lf_lexicon_free(lex);
}

/* ---- context rules ---- */

static void context_rule_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"@theme a\ncontext: NEER/3 x\n",
         "e.lexicon:2:10: a context rule starts with NEAR/n, BEFORE/n, AFTER/n or SAME "
         "SENTENCE (optionally after NOT), e.g. 'context: NEAR/10 nuclear, sanction*'"},
        {"@theme a\ncontext: NEAR x\n",
         "e.lexicon:2:10: 'NEAR' needs a distance in words, e.g. NEAR/10"},
        {"@theme a\ncontext: NEAR/0 x\n",
         "e.lexicon:2:15: bad distance '0 x' (expected a whole number of words from 1 to "
         "1000)"},
        {"@theme a\ncontext: NOT SAME SENTENCE\n",
         "e.lexicon:2:10: the context rule names nothing to look for: add words or @THEME ids "
         "after the operator"},
        {"@theme a\ncontext: NEAR/2 x, , y\n",
         "e.lexicon:2:20: empty operand in a context rule (operands are separated by ',')"},
        {"@theme a\ncontext: NEAR/2 @Bad\n",
         "e.lexicon:2:18: bad theme id 'Bad': 'B' is not allowed (use lowercase letters, "
         "digits, '_' and '-', with '.' between levels)"},
        {"@theme a\ncontext: NEAR/2 @nothere\nx\n",
         "e.lexicon:2:10: context: '@nothere' is not a theme of the lexicons loaded together "
         "with this one"},
        {"@theme a\nx\ncontext: NEAR/2 y\n",
         "e.lexicon:3:1: attribute 'context' must come before the theme's entries"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(load_error("e.lexicon", cases[i].text, strlen(cases[i].text), NULL,
                                       LF_ERR_LEXICON),
                            cases[i].msg);
}

static void context_rules_match(void **state)
{
    (void)state;
    lf_lexicon *lex = load_text("r.lexicon",
                                "@theme leverage\ncontext: NEAR/3 nuclear, sanction*\nleverage\n"
                                "@theme trust\ncontext: not same sentence @leverage\ntrust\n"
                                "@theme deal\ncontext: BEFORE/2 collapse*\ndeal\n"
                                "@theme talks\ncontext: AFTER/1 nuclear\n"
                                "context: NOT NEAR/5 secret talks\ntalks\n",
                                NULL);
    const char *text = tmp_text("c.txt",
                                "MR. ADAMS: We have leverage over nuclear policy. Leverage is nice. "
                                "Nice weather today, really very nice, leverage. We trust them. "
                                "We trust their leverage.\n"
                                "MS. BAKER: nuclear. The deal may collapse. The deal is fine. "
                                "Nuclear talks began. Talks on nuclear issues. Nuclear talks, "
                                "secret talks.\n");
    char *got = tag(lex, text);
    assert_string_equal(got, "2-3 leverage leverage counted\n"   /* nuclear 2 words after */
                             "6-7 leverage Leverage counted\n"   /* nuclear 2 words before */
                             "15-16 leverage leverage context\n" /* nothing near */
                             "17-18 trust trust counted\n"
                             /* leverage in its sentence (rules see the matches as they
                                were before any rule applied) */
                             "20-21 trust trust context\n"
                             "22-23 leverage leverage context\n" /* nuclear: next turn */
                             "25-26 deal deal counted\n"
                             "29-30 deal deal context\n"
                             "33-34 talks talks counted\n"
                             "35-36 talks Talks context\n" /* nuclear comes after it */
                             "40-41 talks talks context\n" /* secret talks near */
                             "42-43 talks talks context\n");
    free(got);
    lf_lexicon_free(lex);
}

/* ---- check and expand ---- */

static void check_finds_problems(void **state)
{
    (void)state;
    lf_lexicon *lex = load_text("k.lexicon",
                                "@theme a\nabandon\naban*\nabandon\na*\n/(unclosed/\n"
                                "leveraged buyout\n!buyout\n@theme b\nabandon\n@theme empty\n",
                                NULL);
    char *out = NULL;
    size_t len = 0, problems = 0;
    FILE *fp = open_memstream(&out, &len);
    lf_error err = {0};
    assert_int_equal(lf_lexicon_check(lex, fp, &problems, &err), LF_OK);
    fclose(fp);
    const char *p = out + strlen(tmpdir) + 1;
    (void)p;
    char *expected = subst(
        "@D/k.lexicon:2:1: unreachable: 'abandon' never adds a match, the glob 'a*' "
        "(@D/k.lexicon:5) of the same theme matches the same words\n"
        "@D/k.lexicon:2:1: unreachable: 'abandon' never adds a match, the glob 'aban*' "
        "(@D/k.lexicon:3) of the same theme matches the same words\n"
        "@D/k.lexicon:3:1: unreachable: 'aban*' never adds a match, the glob 'a*' "
        "(@D/k.lexicon:5) of the same theme matches the same words\n"
        "@D/k.lexicon:4:1: duplicate: 'abandon' is already an entry of theme 'a' at "
        "@D/k.lexicon:2\n"
        "@D/k.lexicon:4:1: unreachable: 'abandon' never adds a match, the glob 'a*' "
        "(@D/k.lexicon:5) of the same theme matches the same words\n"
        "@D/k.lexicon:4:1: unreachable: 'abandon' never adds a match, the glob 'aban*' "
        "(@D/k.lexicon:3) of the same theme matches the same words\n"
        "@D/k.lexicon:5:1: over-broad glob: 'a*' keeps only 1 character fixed and matches "
        "very many words (see lexframe lexicon expand)\n"
        "@D/k.lexicon:6:11: invalid regex: missing closing parenthesis\n"
        "@D/k.lexicon:7:1: unreachable: every match of 'leveraged buyout' is cancelled by the "
        "exclusion '!buyout' (@D/k.lexicon:8)\n"
        "@D/k.lexicon:10:1: duplicate across themes: 'abandon' of theme 'b' is also an entry "
        "of theme 'a' at @D/k.lexicon:2\n"
        "@D/k.lexicon:11: empty theme: 'empty' has no entries (nor have its sub-themes)\n"
        "1 file, 3 themes (3 declared, 0 implied by sub-themes), 0 rules, 8 entries: 4 words, "
        "1 phrase, 2 globs, 1 regex; 1 exclusion, 0 case-sensitive, 0 weighted\n"
        "11 problems found\n");
    assert_string_equal(out, expected);
    assert_int_equal(problems, 11);
    free(expected);
    free(out);
    lf_lexicon_free(lex);
}

/* lexicon expand's table of lex over the one transcript `corpus`, malloc'd. */
static char *expand_of(const lf_lexicon *lex, const char *corpus)
{
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    lf_error err = {0};
    lf_options opt;
    lf_options_init(&opt);
    assert_int_equal(lf_lexicon_expand(lex, &opt, &corpus, 1, false, fp, NULL, &err), LF_OK);
    fclose(fp);
    return out;
}

static void expand_lists_words(void **state)
{
    (void)state;
    lf_lexicon *lex = load_text("x.lexicon",
                                "@theme c\nconcession*\nunused\n/\\bre-?impos\\w*/\n"
                                "!concessions stand\nlift* * sanctions\n",
                                NULL);
    const char *corpus = tmp_text("x.txt", "MR. ADAMS: Concessions, a concession and a "
                                           "concessionaire. Reimposed and re-imposition. "
                                           "Lifting the sanctions. Concessions stand.\n");
    char *out = expand_of(lex, corpus);
    char *expected = subst(
             "theme\tentry\tsource\tkind\tmatched\tcount\tsuppressed\n"
             "c\tconcession*\t@D/x.lexicon:2\tglob\tconcessions\t1\t1\n"
             "c\tconcession*\t@D/x.lexicon:2\tglob\tconcession\t1\t0\n"
             "c\tconcession*\t@D/x.lexicon:2\tglob\tconcessionaire\t1\t0\n"
             "c\tunused\t@D/x.lexicon:3\tword\t\t0\t0\n"
             "c\t/\\bre-?impos\\w*/\t@D/x.lexicon:4\tregex\tre-imposition\t1\t0\n"
             "c\t/\\bre-?impos\\w*/\t@D/x.lexicon:4\tregex\treimposed\t1\t0\n"
             "c\tlift* * sanctions\t@D/x.lexicon:6\tglob\tlifting the sanctions\t1\t0\n");
    assert_string_equal(out, expected);
    free(expected);
    free(out);
    lf_lexicon_free(lex);
}

/* A lexicon whose file name holds a tab and a line break: the source column is one field
 * (the name's tab and line break become spaces, as in the other columns), not three. */
static void expand_file_name_one_field(void **state)
{
    (void)state;
    lf_lexicon *lex = load_text("t\tab\nx.lexicon", "@theme c\nunused\n", NULL);
    const char *corpus = tmp_text("y.txt", "MR. ADAMS: Nothing here.\n");
    char *out = expand_of(lex, corpus);
    char *expected = subst("theme\tentry\tsource\tkind\tmatched\tcount\tsuppressed\n"
                           "c\tunused\t@D/t ab x.lexicon:2\tword\t\t0\t0\n");
    assert_string_equal(out, expected);
    free(expected);
    free(out);
    lf_lexicon_free(lex);
}

/* ---- directory loading ---- */

static void directories_by_format(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/dirload", tmpdir);
    assert_int_equal(mkdir(dir, 0777) == 0 || access(dir, F_OK) == 0, 1);
    tmp_text("dirload/a.dic", "%\n1 liwc\n%\nw\t1\n");
    tmp_text("dirload/b.lc3", "+lexicoder\nx\n");
    tmp_text("dirload/c.txt", "listed\n");
    tmp_text("dirload/D.CAT", "WORDSTAT\n\tY (1)\n");
    tmp_text("dirload/README.md", "# notes\n");
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    if (lf_lexicon_load(lex, dir, NULL, &err) != LF_OK)
        fail_msg("%s", err.message);
    /* word lists (.txt) are read only when named or asked for */
    assert_int_equal(lex->n_files, 3);
    assert_string_equal(lex->themes[0].id, "wordstat");
    assert_string_equal(lex->themes[1].id, "liwc");
    assert_string_equal(lex->themes[2].id, "lexicoder");
    lf_lexicon_free(lex);
    lf_options opt;
    lf_options_init(&opt);
    opt.lexicon_format = "wordlist";
    lex = lf_lexicon_new();
    if (lf_lexicon_load(lex, dir, &opt, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(lex->n_files, 1);
    assert_string_equal(lex->themes[0].id, "c");
    lf_lexicon_free(lex);
    /* --lexicon-format overrides the extension of a file */
    opt.lexicon_format = "lc3";
    lex = lf_lexicon_new();
    const char *odd = tmp_text("odd.dat", "+odd\nword\n");
    if (lf_lexicon_load(lex, odd, &opt, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_string_equal(lex->themes[0].id, "odd");
    lf_lexicon_free(lex);
    /* an unknown format, and one lexframe only writes, are usage errors */
    static const char *const not_read[] = {"pdf", "qdc"};
    for (size_t i = 0; i < 2; i++) {
        char want[300];
        snprintf(want, sizeof want, "--lexicon-format: '%s' is not a format lexframe reads "
                 "(known: lexicon, liwc, dicx, inquirer, lc3, ykd, cat, yaml, wordlist, "
                 "scored)", not_read[i]);
        opt.lexicon_format = not_read[i];
        assert_string_equal(load_error("z.lc3", "+z\n", 3, &opt, LF_ERR_USAGE), want);
    }
    /* two files declaring the same category: the native rule applies */
    tmp_text("dup1.lc3", "+negative\nbad\n");
    const char *two = tmp_text("dup2.lc3", "+negative\nworse\n");
    char one[512];
    snprintf(one, sizeof one, "%s/dup1.lc3", tmpdir);
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, one, NULL, &err), LF_OK);
    assert_int_equal(lf_lexicon_load(lex, two, NULL, &err), LF_ERR_LEXICON);
    char expected[1200];
    snprintf(expected, sizeof expected,
             "%s/dup2.lc3:1:2: duplicate theme 'negative' (first declared at %s/dup1.lc3:1)",
             tmpdir, tmpdir);
    assert_string_equal(err.message, expected);
    lf_lexicon_free(lex);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lf-formats-XXXXXX");
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
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(liwc_reads_messy_files),
        cmocka_unit_test(liwc_errors),
        cmocka_unit_test(lc3_reads),
        cmocka_unit_test(ykd_reads_nesting_boundaries_scores),
        cmocka_unit_test(ykd_is_parsed_safely),
        cmocka_unit_test(xml_writers_replace_what_xml_cannot_hold),
        cmocka_unit_test(native_writer_lists_comment_text),
        cmocka_unit_test(cat_reads),
        cmocka_unit_test(yaml_reads),
        cmocka_unit_test(word_lists),
        cmocka_unit_test(spreadsheets),
        cmocka_unit_test(encodings),
        cmocka_unit_test(same_dictionary_in_every_format),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(losses_are_named),
        cmocka_unit_test(codebook_export),
        cmocka_unit_test(converted_matches_equal),
        cmocka_unit_test(context_rule_errors),
        cmocka_unit_test(context_rules_match),
        cmocka_unit_test(check_finds_problems),
        cmocka_unit_test(expand_lists_words),
        cmocka_unit_test(expand_file_name_one_field),
        cmocka_unit_test(directories_by_format),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
