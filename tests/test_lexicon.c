/* test_lexicon.c — the in-memory lexicon, the loader and the native format v1 reader: a
 * fixture using every construct, every error with its exact "path:line:col: message",
 * line-end and BOM equivalence, directory loading, and the shipped framing.lexicon (its
 * themes, the README's example, and the frames it must find in the seed interview). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shared_data.h"
#include "ingest.h"
#include "lexicon.h"
#include "match.h"
#include "tokenize.h"
#include "util.h"


static char *src_path(const char *rel)
{
    const char *root = getenv("LF_SOURCE_ROOT");
    assert_non_null(root);
    size_t n = strlen(root) + strlen(rel) + 2;
    char *p = lf_xmalloc(n);
    snprintf(p, n, "%s/%s", root, rel);
    return p;
}

static char *fixture(const char *rel)
{
    char buf[512];
    snprintf(buf, sizeof buf, "tests/fixtures/lexicon/%s", rel);
    return src_path(buf);
}

/* Parses text as one file "t.lexicon" and binds move targets. */
static lf_status parse_text(lf_lexicon *lex, const char *text, const lf_options *opt,
                            lf_error *err)
{
    lf_status st = lf_lexicon_read_native(lex, "t.lexicon", text, strlen(text), opt, err);
    return st != LF_OK ? st : lf_lexicon_resolve(lex, err);
}

static void expect_error_n(const char *text, size_t len, const char *expected)
{
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    lf_status st = lf_lexicon_read_native(lex, "t.lexicon", text, len, NULL, &err);
    if (st == LF_OK)
        st = lf_lexicon_resolve(lex, &err);
    if (st != LF_ERR_LEXICON || strcmp(err.message, expected) != 0)
        print_error("input:\n%s\nexpected: %s\n     got: %s (status %d)\n", text, expected,
                    st == LF_OK ? "(success)" : err.message, (int)st);
    assert_int_equal(st, LF_ERR_LEXICON);
    assert_int_equal(err.status, LF_ERR_LEXICON);
    assert_int_equal(lf_status_exit_code(st), 2);
    assert_string_equal(err.message, expected);
    lf_lexicon_free(lex);
}

static void expect_error(const char *text, const char *expected)
{
    expect_error_n(text, strlen(text), expected);
}

static const lf_theme *theme(const lf_lexicon *lex, const char *id)
{
    int32_t t = lf_lexicon_find_theme(lex, id);
    if (t < 0)
        fail_msg("theme '%s' missing", id);
    return &lex->themes[t];
}

/* A canonical text dump of everything a reader produces, for equivalence tests. */
static char *dump(const lf_lexicon *lex)
{
    lf_buf b = {0};
    lf_buf_printf(&b, "negators");
    for (size_t i = 0; i < lex->n_negators; i++)
        lf_buf_printf(&b, " %s", lex->negators[i]);
    lf_buf_printf(&b, " @%zu window %d\n", lex->negation_line, lex->negation_window);
    for (size_t i = 0; i < lex->n_themes; i++) {
        const lf_theme *t = &lex->themes[i];
        lf_buf_printf(&b, "theme %s|%s|%s|%s|%d|%u|%d|%d|%s|%zu:%zu|%d|%s:%zu\n", t->id,
                      t->label, t->description, t->colour ? t->colour : "-", t->parent,
                      t->depth, (int)t->neg, t->neg_target,
                      t->neg_target_id ? t->neg_target_id : "-", t->neg_line, t->neg_col,
                      t->implicit, t->file, t->line);
    }
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        lf_buf_printf(&b, "entry %u|%d|%d|%d|%d|%g|%s|%s|%s:%zu:%zu|", e->theme, (int)e->kind,
                      e->exclude, e->case_sensitive, e->has_weight, e->weight, e->source,
                      e->regex ? e->regex : "-", e->file, e->line, e->col);
        for (size_t w = 0; w < e->n_words; w++)
            lf_buf_printf(&b, "[%s %u %d]", e->words[w].text, e->words[w].len, e->words[w].glob);
        lf_buf_putc(&b, '\n');
    }
    lf_buf_cstr(&b);
    return b.data;
}

/* ---- the in-memory lexicon ---- */

static void add_theme_creates_implicit_parents(void **state)
{
    (void)state;
    lf_lexicon *lex = lf_lexicon_new();
    uint32_t c = lf_lexicon_add_theme(lex, "a.b.c", "f.lexicon", 7);
    assert_int_equal(lf_lexicon_theme_count(lex), 3);
    assert_int_equal(c, 2);
    const lf_theme *a = theme(lex, "a"), *ab = theme(lex, "a.b"), *abc = theme(lex, "a.b.c");
    assert_true(a->implicit);
    assert_true(ab->implicit);
    assert_false(abc->implicit);
    assert_int_equal(a->parent, -1);
    assert_int_equal(ab->parent, 0);
    assert_int_equal(abc->parent, 1);
    assert_int_equal(a->depth, 1);
    assert_int_equal(ab->depth, 2);
    assert_int_equal(abc->depth, 3);
    assert_string_equal(abc->label, "c");
    assert_string_equal(abc->description, "");
    assert_null(abc->colour);
    assert_int_equal(abc->neg, LF_NEG_COUNT);
    assert_int_equal(abc->neg_target, -1);
    assert_string_equal(ab->file, "f.lexicon");
    assert_int_equal(ab->line, 7);
    /* existing ids are returned, never duplicated; a sibling reuses the parents */
    assert_int_equal(lf_lexicon_add_theme(lex, "a.b", "g.lexicon", 1), 1);
    assert_int_equal(lf_lexicon_add_theme(lex, "a.d", "g.lexicon", 2), 3);
    assert_int_equal(lex->themes[3].parent, 0);
    assert_int_equal(lf_lexicon_theme_count(lex), 4);
    assert_int_equal(lf_lexicon_find_theme(lex, "a.b.c"), 2);
    assert_int_equal(lf_lexicon_find_theme(lex, "a.x"), -1);
    assert_int_equal(lf_lexicon_find_theme(lex, "a.b.c.d"), -1);

    lf_entry e = {.theme = c, .kind = LF_ENTRY_REGEX, .weight = 1.0,
                  .regex = lf_arena_strdup(&lex->arena, "x+")};
    lf_entry *got = lf_lexicon_add_entry(lex, &e);
    assert_string_equal(got->regex, "x+");
    assert_int_equal(lf_lexicon_entry_count(lex), 1);
    lf_lexicon_add_file(lex, "f.lexicon");
    assert_int_equal(lex->n_files, 1);
    assert_string_equal(lex->files[0], "f.lexicon");
    lf_lexicon_free(lex);
    lf_lexicon_free(NULL);
    assert_int_equal(lf_lexicon_theme_count(NULL), 0);
    assert_int_equal(lf_lexicon_entry_count(NULL), 0);
}

static void default_negators_and_paths(void **state)
{
    (void)state;
    const char *want[] = {"not", "no", "never", "n't", "without", "neither", "nor", "none",
                          "nobody", "nothing", "cannot", "hardly"};
    size_t n = 0;
    while (lf_default_negators[n])
        n++;
    assert_true(n >= sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        bool found = false;
        for (size_t j = 0; j < n; j++)
            found |= strcmp(lf_default_negators[j], want[i]) == 0;
        if (!found)
            fail_msg("'%s' is not a default negator", want[i]);
    }
}

/* ---- the good fixture ---- */

static void check_good(const lf_lexicon *lex, const char *path)
{
    assert_int_equal(lex->n_negators, 4);
    assert_string_equal(lex->negators[0], "not");
    assert_string_equal(lex->negators[1], "never");
    assert_string_equal(lex->negators[2], "n't");
    assert_string_equal(lex->negators[3], "cannot");
    assert_string_equal(lex->negation_file, path);
    assert_int_equal(lex->negation_line, 3);
    assert_int_equal(lex->negation_window, 4);

    /* themes in order of creation: parents before children */
    assert_int_equal(lf_lexicon_theme_count(lex), 6);
    const char *ids[] = {"trust", "trust.distrust", "trust.trust", "negotiation",
                         "negotiation.leverage", "negotiation.leverage.nuclear"};
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(lex->themes[i].id, ids[i]);
    const lf_theme *t = &lex->themes[0];
    assert_false(t->implicit); /* declared on line 29, after its child */
    assert_int_equal(t->line, 29);
    assert_string_equal(t->label, "trust");
    assert_string_equal(t->description, "Declared after its child.");
    assert_int_equal(t->depth, 1);
    t = &lex->themes[1];
    assert_string_equal(t->label, "Distrust");
    assert_string_equal(t->description, "Doubts that the other side will keep its word.");
    assert_string_equal(t->colour, "#D55E00");
    assert_int_equal(t->neg, LF_NEG_IGNORE);
    assert_int_equal(t->parent, 0);
    assert_int_equal(t->depth, 2);
    assert_string_equal(t->file, path);
    assert_int_equal(t->line, 6);
    t = &lex->themes[2];
    assert_string_equal(t->label, "Trust");
    assert_string_equal(t->colour, "#0072B2");
    assert_int_equal(t->neg, LF_NEG_MOVE);
    assert_int_equal(t->neg_target, 1);
    assert_string_equal(t->neg_target_id, "trust.distrust");
    assert_int_equal(t->neg_line, 26);
    assert_int_equal(t->neg_col, 16);
    assert_true(lex->themes[3].implicit);
    assert_true(lex->themes[4].implicit);
    assert_int_equal(lex->themes[4].parent, 3);
    t = &lex->themes[5];
    assert_false(t->implicit);
    assert_int_equal(t->depth, 3);
    assert_int_equal(t->parent, 4);
    assert_string_equal(t->label, "nuclear");
    assert_int_equal(t->neg, LF_NEG_SEPARATE);
    assert_null(t->colour);

    assert_int_equal(lf_lexicon_entry_count(lex), 12);
    const lf_entry *e = lex->entries;
    /* 12: a phrase */
    assert_int_equal(e[0].kind, LF_ENTRY_WORDS);
    assert_int_equal(e[0].theme, 1);
    assert_int_equal(e[0].n_words, 2);
    assert_string_equal(e[0].words[0].text, "unreliable");
    assert_int_equal(e[0].words[0].len, 10);
    assert_false(e[0].words[0].glob);
    assert_string_equal(e[0].words[1].text, "partner");
    assert_string_equal(e[0].source, "unreliable partner");
    assert_string_equal(e[0].file, path);
    assert_int_equal(e[0].line, 12);
    assert_int_equal(e[0].col, 1);
    assert_false(e[0].exclude);
    assert_false(e[0].case_sensitive);
    assert_false(e[0].has_weight);
    assert_true(e[0].weight == 1.0);
    /* 13: an indented glob */
    assert_int_equal(e[1].n_words, 1);
    assert_string_equal(e[1].words[0].text, "untrustworth*");
    assert_true(e[1].words[0].glob);
    assert_int_equal(e[1].col, 3);
    assert_string_equal(e[1].source, "untrustworth*");
    /* 14: a lone * is one word of any form */
    assert_int_equal(e[2].n_words, 3);
    assert_string_equal(e[2].words[1].text, "*");
    assert_true(e[2].words[1].glob);
    assert_false(e[2].words[2].glob);
    /* 15: case-sensitive */
    assert_true(e[3].case_sensitive);
    assert_string_equal(e[3].words[0].text, "US");
    assert_string_equal(e[3].source, "US {case}");
    /* 16: a regex */
    assert_int_equal(e[4].kind, LF_ENTRY_REGEX);
    assert_string_equal(e[4].regex, "re-?impos\\w*");
    assert_int_equal(e[4].n_words, 0);
    assert_null(e[4].words);
    assert_false(e[4].case_sensitive);
    /* 17: an exclusion */
    assert_true(e[5].exclude);
    assert_int_equal(e[5].n_words, 2);
    assert_string_equal(e[5].words[0].text, "leveraged");
    assert_string_equal(e[5].source, "!leveraged buyout");
    /* 18: typographic apostrophe normalized, weight */
    assert_string_equal(e[6].words[0].text, "doesn't");
    assert_true(e[6].has_weight);
    assert_true(e[6].weight == 2.5);
    assert_string_equal(e[6].source, "doesn\xe2\x80\x99t  {weight=2.5}");
    /* 19: case-sensitive glob with two options */
    assert_string_equal(e[7].words[0].text, "Sanction?");
    assert_true(e[7].words[0].glob);
    assert_true(e[7].case_sensitive);
    assert_true(e[7].weight == -0.5);
    /* 20: '#' and '{' inside a regex, escaped slash kept for PCRE2, then options */
    assert_int_equal(e[8].kind, LF_ENTRY_REGEX);
    assert_string_equal(e[8].regex, "a\\/b # not a comment {x}");
    assert_true(e[8].case_sensitive);
    assert_string_equal(e[8].source, "/a\\/b # not a comment {x}/ {case}");
    /* 21: an excluded regex */
    assert_true(e[9].exclude);
    assert_int_equal(e[9].kind, LF_ENTRY_REGEX);
    assert_string_equal(e[9].regex, "\\bno doubt\\b");
    assert_int_equal(e[9].line, 21);
    /* 27: "U.S." stays one word */
    assert_int_equal(e[10].theme, 2);
    assert_int_equal(e[10].n_words, 2);
    assert_string_equal(e[10].words[0].text, "u.s.");
    /* 34: tab-indented, in the deepest theme */
    assert_int_equal(e[11].theme, 5);
    assert_int_equal(e[11].line, 34);
    assert_int_equal(e[11].col, 2);
}

static void good_fixture_parses(void **state)
{
    (void)state;
    char *path = fixture("good.lexicon");
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    lf_options opt;
    lf_options_init(&opt);
    if (lf_lexicon_load(lex, path, &opt, &err) != LF_OK)
        fail_msg("%s", err.message);
    assert_int_equal(lex->n_files, 1);
    assert_string_equal(lex->files[0], path);
    check_good(lex, path);
    /* every string shares the file list's copy of the path */
    assert_ptr_equal(lex->entries[0].file, lex->files[0]);
    lf_lexicon_free(lex);
    free(path);
}

/* CRLF, CR-only and a BOM give exactly the same lexicon (lines and columns included). */
static void line_ends_and_bom_are_equivalent(void **state)
{
    (void)state;
    char *path = fixture("good.lexicon");
    char *data;
    size_t len;
    lf_error err = {0};
    assert_int_equal(lf_read_file(path, 1 << 20, &data, &len, &err), LF_OK);
    char *want = NULL;
    for (int variant = 0; variant < 5; variant++) {
        lf_buf b = {0};
        if (variant >= 3)
            lf_buf_append(&b, "\xEF\xBB\xBF", 3);
        for (size_t i = 0; i < len; i++) {
            if (data[i] != '\n') {
                lf_buf_putc(&b, data[i]);
                continue;
            }
            if (variant == 1 || variant == 3)
                lf_buf_append(&b, "\r\n", 2);
            else if (variant == 2 || variant == 4)
                lf_buf_putc(&b, '\r');
            else
                lf_buf_putc(&b, '\n');
        }
        lf_lexicon *lex = lf_lexicon_new();
        lf_status st = lf_lexicon_read_native(lex, "v.lexicon", b.data, b.len, NULL, &err);
        if (st == LF_OK)
            st = lf_lexicon_resolve(lex, &err);
        if (st != LF_OK)
            fail_msg("variant %d: %s", variant, err.message);
        check_good(lex, "v.lexicon");
        char *got = dump(lex);
        if (!want)
            want = got;
        else {
            assert_string_equal(got, want);
            free(got);
        }
        lf_lexicon_free(lex);
        lf_buf_free(&b);
    }
    /* an error column does not count the BOM, and a CR-only file counts its lines */
    expect_error("\xEF\xBB\xBF@theme a\rfoo,bar\r",
                 "t.lexicon:2:4: 'foo,bar' is not one word: the tokenizer splits it at ','; "
                 "separate the words of a phrase with spaces");
    free(want);
    free(data);
    free(path);
}

/* ---- errors ---- */

static void errors_in_directives(void **state)
{
    (void)state;
    expect_error("@lexframe 2\n",
                 "t.lexicon:1:11: unsupported lexicon format version '2' (this lexframe "
                 "reads version 1)");
    expect_error("# c\n@lexframe 1.0\n",
                 "t.lexicon:2:11: unsupported lexicon format version '1.0' (this lexframe "
                 "reads version 1)");
    expect_error("@lexframe\n", "t.lexicon:1:1: @lexframe needs the format version: @lexframe 1");
    expect_error("@theme a\n@lexframe 1\n",
                 "t.lexicon:2:1: @lexframe must be the first line of the file (after comments)");
    expect_error("@them a\n",
                 "t.lexicon:1:1: unknown directive '@them' (known: @lexframe, @negators, "
                 "@negation-window, @theme)");
    expect_error("@theme\n", "t.lexicon:1:1: @theme needs a theme id, e.g. '@theme trust.distrust'");
    expect_error("@theme a b\n",
                 "t.lexicon:1:10: unexpected 'b' after the theme id (one theme id per @theme "
                 "line; the label goes on a 'label:' line)");
    expect_error("@theme Trust\n",
                 "t.lexicon:1:8: bad theme id 'Trust': 'T' is not allowed (use lowercase "
                 "letters, digits, '_' and '-', with '.' between levels)");
    expect_error("@theme trust/distrust\n",
                 "t.lexicon:1:13: bad theme id 'trust/distrust': '/' is not allowed (use "
                 "lowercase letters, digits, '_' and '-', with '.' between levels)");
    expect_error("@theme caf\xc3\xa9\n",
                 "t.lexicon:1:11: bad theme id 'caf\xc3\xa9': '\xc3\xa9' is not allowed (use "
                 "lowercase letters, digits, '_' and '-', with '.' between levels)");
    expect_error("@theme a..b\n",
                 "t.lexicon:1:10: bad theme id 'a..b': empty level (a '.' must separate two "
                 "non-empty parts)");
    expect_error("@theme .a\n",
                 "t.lexicon:1:8: bad theme id '.a': empty level (a '.' must separate two "
                 "non-empty parts)");
    expect_error("@theme a.\n",
                 "t.lexicon:1:9: bad theme id 'a.': empty level (a '.' must separate two "
                 "non-empty parts)");
    expect_error("@theme a.b\nx\n@theme c\n\n  @theme   a.b\n",
                 "t.lexicon:5:12: duplicate theme 'a.b' (first declared at t.lexicon:1)");
    expect_error("@negators\n", "t.lexicon:1:1: @negators needs at least one word");
    expect_error("@negators not no-longer, n\xe2\x80\x99t never.\n",
                 "t.lexicon:1:35: 'never.' is not one word: the tokenizer splits it at '.'; a "
                 "negator is a single word");
    expect_error("@theme a\n@negators not\n",
                 "t.lexicon:2:1: @negators must come before the first @theme");
    expect_error("@negators not\n@negators not no\n",
                 "t.lexicon:2:1: @negators conflicts with the list declared at t.lexicon:1");
    expect_error("@negation-window 200\n",
                 "t.lexicon:1:18: bad negation window '200' (expected a whole number of words "
                 "from 0 to 100)");
    expect_error("@negation-window -1\n",
                 "t.lexicon:1:18: bad negation window '-1' (expected a whole number of words "
                 "from 0 to 100)");
    expect_error("@negation-window 99999999999999999999\n",
                 "t.lexicon:1:18: bad negation window '99999999999999999999' (expected a whole "
                 "number of words from 0 to 100)");
    expect_error("@negation-window 3\n@negation-window 4\n",
                 "t.lexicon:2:1: @negation-window 4 conflicts with 3 declared by an earlier "
                 "line");
    expect_error("@theme a\n@negation-window 3\n",
                 "t.lexicon:2:1: @negation-window must come before the first @theme");
}

static void errors_in_attributes(void **state)
{
    (void)state;
    expect_error("label: x\n",
                 "t.lexicon:1:1: attribute 'label' outside a theme (start one with '@theme "
                 "ID')");
    expect_error("@theme a\n  colr: #000000\n",
                 "t.lexicon:2:3: unknown attribute 'colr' (known: label, description, colour, "
                 "negation, context; an entry cannot contain ':')");
    expect_error("@theme a\nlabel: A\nlabel: B\n",
                 "t.lexicon:3:1: duplicate attribute 'label' for theme 'a'");
    expect_error("@theme a\ncolour: #000000\ncolor: #FFFFFF\n",
                 "t.lexicon:3:1: duplicate attribute 'color' for theme 'a'");
    expect_error("@theme a\nword\nlabel: A\n",
                 "t.lexicon:3:1: attribute 'label' must come before the theme's entries");
    expect_error("@theme a\nlabel:   # only a comment\n",
                 "t.lexicon:2:1: attribute 'label' needs a value");
    expect_error("@theme a\ncolour: D55E00\n",
                 "t.lexicon:2:9: bad colour 'D55E00' (expected #RRGGBB, e.g. #D55E00)");
    expect_error("@theme a\ncolour: #D55E0G\n",
                 "t.lexicon:2:15: bad colour '#D55E0G' (expected #RRGGBB, e.g. #D55E00)");
    expect_error("@theme a\ncolour: #D55E0\n",
                 "t.lexicon:2:9: bad colour '#D55E0' (expected #RRGGBB, e.g. #D55E00)");
    expect_error("@theme a\ncolour: #D55E000\n",
                 "t.lexicon:2:16: bad colour '#D55E000' (expected #RRGGBB, e.g. #D55E00)");
    expect_error("@theme a\nnegation: flip\n",
                 "t.lexicon:2:11: unknown negation policy 'flip' (expected count, separate, "
                 "ignore or move THEME.ID)");
    expect_error("@theme a\nnegation: count twice\n",
                 "t.lexicon:2:17: unexpected 'twice' after 'negation: count'");
    expect_error("@theme a\nnegation: move\n",
                 "t.lexicon:2:11: 'negation: move' needs the id of the theme to move to, e.g. "
                 "'negation: move trust.distrust'");
    expect_error("@theme a\nnegation: move B\n",
                 "t.lexicon:2:16: bad theme id 'B': 'B' is not allowed (use lowercase "
                 "letters, digits, '_' and '-', with '.' between levels)");
    expect_error("@theme a\nnegation: move b c\n",
                 "t.lexicon:2:18: unexpected 'c' after the move target");
    expect_error("@theme a.b\nnegation: move a.b\n",
                 "t.lexicon:2:16: theme 'a.b' cannot move negated matches to itself");
    /* targets are checked once every file is read */
    expect_error("@theme a\nnegation: move b\nx\n@theme b.c\n",
                 "t.lexicon:2:16: negation: move target 'b' is not a declared theme (declare "
                 "it with '@theme b' in a lexicon file loaded together with this one)");
    expect_error("@theme a\nnegation: move zz\n",
                 "t.lexicon:2:16: negation: move target 'zz' is not a declared theme (declare "
                 "it with '@theme zz' in a lexicon file loaded together with this one)");
    expect_error("@theme a\nnegation: move b\n@theme b\nnegation: move c\n@theme c\n",
                 "t.lexicon:2:16: negation: move target 'b' itself moves its negated matches "
                 "(to 'c'); move to a theme with count, separate or ignore");
}

static void errors_in_entries(void **state)
{
    (void)state;
    expect_error("# comment\nword\n",
                 "t.lexicon:2:1: entry outside a theme: start a theme with '@theme ID' first");
    expect_error("@theme a\nfoo,bar\n",
                 "t.lexicon:2:4: 'foo,bar' is not one word: the tokenizer splits it at ','; "
                 "separate the words of a phrase with spaces");
    expect_error("@theme a\nstab in the \"back\"\n",
                 "t.lexicon:2:13: '\"back\"' is not one word: the tokenizer splits it at '\"'; "
                 "separate the words of a phrase with spaces");
    expect_error("@theme a\nstab - back\n",
                 "t.lexicon:2:6: '-' is not a word: punctuation never matches (in an entry, "
                 "write only words, separated by spaces)");
    expect_error("@theme a\n  {case}\n", "t.lexicon:2:3: empty entry");
    expect_error("@theme a\n!\n", "t.lexicon:2:1: empty entry");
    expect_error("@theme a\n! leveraged buyout\n",
                 "t.lexicon:2:2: no space after '!': write the excluded entry right after it, "
                 "e.g. !leveraged buyout");
    expect_error("@theme a\n* * {case}\n",
                 "t.lexicon:2:1: an entry made only of '*' would match every word; add a word");
    expect_error("@theme a\n//\n", "t.lexicon:2:1: empty regex '//'");
    expect_error("@theme a\n  /abc\n",
                 "t.lexicon:2:3: unterminated regex: no closing '/' (write a slash inside a "
                 "regex as \\/)");
    expect_error("@theme a\n!/abc\\/\n",
                 "t.lexicon:2:2: unterminated regex: no closing '/' (write a slash inside a "
                 "regex as \\/)");
    expect_error("@theme a\n/abc\\\n",
                 "t.lexicon:2:1: unterminated regex: no closing '/' (write a slash inside a "
                 "regex as \\/)");
    expect_error("@theme a\n/abc/i\n",
                 "t.lexicon:2:6: unexpected 'i' after the regex (options go in braces, e.g. "
                 "{case})");
    expect_error("@theme a\nfoo {case\n",
                 "t.lexicon:2:5: unterminated '{': entry options end with '}', e.g. {case}");
    expect_error("@theme a\nfoo {case} bar\n",
                 "t.lexicon:2:12: unexpected 'bar' after the options (options come last on an "
                 "entry line)");
    expect_error("@theme a\nfoo {case, bold}\n",
                 "t.lexicon:2:12: unknown option 'bold' (known: case, weight=NUMBER)");
    expect_error("@theme a\nfoo {case case}\n", "t.lexicon:2:11: duplicate option 'case'");
    expect_error("@theme a\nfoo {weight=abc}\n",
                 "t.lexicon:2:13: bad weight 'abc' (expected weight=NUMBER, e.g. weight=0.5)");
    expect_error("@theme a\nfoo {weight=}\n",
                 "t.lexicon:2:6: bad weight '' (expected weight=NUMBER, e.g. weight=0.5)");
    expect_error("@theme a\nfoo {weight}\n",
                 "t.lexicon:2:6: bad weight '' (expected weight=NUMBER, e.g. weight=0.5)");
    expect_error("@theme a\nfoo {weight=1e999}\n",
                 "t.lexicon:2:13: bad weight '1e999' (expected weight=NUMBER, e.g. "
                 "weight=0.5)");
    expect_error("@theme a\nfoo {weight=nan}\n",
                 "t.lexicon:2:13: bad weight 'nan' (expected weight=NUMBER, e.g. weight=0.5)");
    expect_error("@theme a\nfoo {weight=0x10}\n",
                 "t.lexicon:2:13: bad weight '0x10' (expected weight=NUMBER, e.g. weight=0.5)");
    expect_error("@theme a\nfoo {weight=1 weight=2}\n",
                 "t.lexicon:2:15: duplicate option 'weight'");
    /* invalid UTF-8: line, column of the bad byte and its byte offset in the file */
#define ENCODING_HINT "; if the file is in another encoding, name it with --encoding (e.g. --encoding CP1252)"
    expect_error("@theme a\nab\xff" "c\n",
                 "t.lexicon:2:3: invalid UTF-8 (byte offset 11)" ENCODING_HINT);
    expect_error("\xEF\xBB\xBF@theme a\r\n\xc3\xa9t\xc3\xa9 \xe0\x80\n",
                 "t.lexicon:2:5: invalid UTF-8 (byte offset 19)" ENCODING_HINT);
#undef ENCODING_HINT
    /* a NUL byte at its column, in an entry or in a comment alike */
    expect_error_n("@theme a\nab\0c\n", 14, "t.lexicon:2:3: NUL character in a lexicon file");
    expect_error_n("@theme a\n# a\0b\n", 15, "t.lexicon:2:4: NUL character in a lexicon file");
}

/* Weights in plain decimal notation, and a comment that is not one. */
static void entry_forms_accepted(void **state)
{
    (void)state;
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    const char *text = "@theme a\n"
                       "x1 {weight=.5}\n"
                       "x2 {weight=+3}\n"
                       "x3 {weight=1e-3,case}\n"
                       "no#1 fan\n" /* '#' not preceded by a blank: a word error, not a comment */;
    assert_int_equal(parse_text(lex, text, NULL, &err), LF_ERR_LEXICON);
    assert_string_equal(err.message, "t.lexicon:5:3: 'no#1' is not one word: the tokenizer "
                                     "splits it at '#'; separate the words of a phrase with "
                                     "spaces");
    assert_int_equal(lex->n_entries, 3);
    assert_true(lex->entries[0].weight == 0.5);
    assert_true(lex->entries[1].weight == 3.0);
    assert_true(lex->entries[2].weight == 1e-3);
    assert_true(lex->entries[2].case_sensitive);
    lf_lexicon_free(lex);

    lex = lf_lexicon_new();
    text = "@theme a\n"
           "label: #1 concern # the rest is a comment\n"
           "x #\n"
           "y\t# tab before the hash\n"
           "#z\n";
    assert_int_equal(parse_text(lex, text, NULL, &err), LF_OK);
    assert_string_equal(lex->themes[0].label, "#1 concern");
    assert_int_equal(lex->n_entries, 2);
    assert_string_equal(lex->entries[0].source, "x");
    assert_string_equal(lex->entries[1].source, "y");
    lf_lexicon_free(lex);
}

/* ---- loading ---- */

static void directory_loads_sorted_and_skips_others(void **state)
{
    (void)state;
    char *dir = fixture("dir");
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    if (lf_lexicon_load(lex, dir, NULL, &err) != LF_OK)
        fail_msg("%s", err.message);
    /* byte order of full paths: "a.lexicon" < "a/x.lexicon" ('.' < '/') < "z.lexicon";
       README.md, notes.txt and the hidden .hidden.lexicon are not read */
    assert_int_equal(lex->n_files, 3);
    const char *want[] = {"dir/a.lexicon", "dir/a/x.lexicon", "dir/z.lexicon"};
    for (size_t i = 0; i < 3; i++) {
        char *p = fixture(want[i]);
        assert_string_equal(lex->files[i], p);
        free(p);
    }
    assert_int_equal(lf_lexicon_theme_count(lex), 3);
    assert_string_equal(lex->themes[0].id, "alpha");
    assert_string_equal(lex->themes[1].id, "alpha.x");
    assert_string_equal(lex->themes[2].id, "zeta");
    /* a move target declared in a later file is bound after loading */
    assert_int_equal(lex->themes[1].neg, LF_NEG_MOVE);
    assert_int_equal(lex->themes[1].neg_target, 2);
    assert_int_equal(lf_lexicon_entry_count(lex), 3);
    assert_ptr_equal(lex->entries[1].file, lex->files[1]);
    assert_int_equal(lex->entries[1].line, 3);
    lf_lexicon_free(lex);
    free(dir);
}

static void load_errors(void **state)
{
    (void)state;
    lf_error err = {0};
    char expected[2048];

    lf_lexicon *lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, "/nonexistent/lexframe.lexicon", NULL, &err),
                     LF_ERR_LEXICON);
    assert_string_equal(err.message, "/nonexistent/lexframe.lexicon: No such file or directory");
    lf_lexicon_free(lex);

    char *nolex = fixture("nolex");
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, nolex, NULL, &err), LF_ERR_LEXICON);
    snprintf(expected, sizeof expected,
             "%s: no lexicon files (*.lexicon, *.dic, *.dicx, *.lc3, *.ykd, *.lcd, *.cat, *.yml, "
             "*.yaml) in this directory or below it",
             nolex);
    assert_string_equal(err.message, expected);
    lf_lexicon_free(lex);
    free(nolex);

    /* duplicate theme across files names both places */
    char *one = fixture("dup/one.lexicon"), *two = fixture("dup/two.lexicon");
    char *dup = fixture("dup");
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, dup, NULL, &err), LF_ERR_LEXICON);
    snprintf(expected, sizeof expected, "%s:5:9: duplicate theme 'shared' (first declared at %s:1)",
             two, one);
    assert_string_equal(err.message, expected);
    assert_int_equal(lf_status_exit_code(err.status), 2);
    lf_lexicon_free(lex);
    /* ... and also when the files come from two load calls */
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, one, NULL, &err), LF_OK);
    assert_int_equal(lf_lexicon_load(lex, two, NULL, &err), LF_ERR_LEXICON);
    assert_string_equal(err.message, expected);
    lf_lexicon_free(lex);
    free(one);
    free(two);
    free(dup);

    char *mm = fixture("move-missing.lexicon");
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, mm, NULL, &err), LF_ERR_LEXICON);
    snprintf(expected, sizeof expected,
             "%s:2:16: negation: move target 'trust.distrst' is not a declared theme (declare "
             "it with '@theme trust.distrst' in a lexicon file loaded together with this one)",
             mm);
    assert_string_equal(err.message, expected);
    lf_lexicon_free(lex);
    free(mm);

    /* the same @negators in two files is fine, a different one is not */
    char *na = fixture("negconflict/a.lexicon"), *nb = fixture("negconflict/b.lexicon");
    char *nc = fixture("negconflict/c.lexicon"), *nd = fixture("negconflict");
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, na, NULL, &err), LF_OK);
    assert_int_equal(lf_lexicon_load(lex, nb, NULL, &err), LF_OK);
    assert_int_equal(lex->n_negators, 2);
    lf_lexicon_free(lex);
    lex = lf_lexicon_new();
    assert_int_equal(lf_lexicon_load(lex, nd, NULL, &err), LF_ERR_LEXICON);
    snprintf(expected, sizeof expected,
             "%s:1:1: @negators conflicts with the list declared at %s:1", nc, na);
    assert_string_equal(err.message, expected);
    lf_lexicon_free(lex);
    free(na);
    free(nb);
    free(nc);
    free(nd);
}

static void limits_are_enforced(void **state)
{
    (void)state;
    lf_options opt;
    lf_options_init(&opt);
    opt.limits[LF_LIMIT_LEXICON_ENTRIES] = 2;
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    assert_int_equal(parse_text(lex, "@theme a\nx\ny\n", &opt, &err), LF_OK);
    lf_status st = parse_text(lex, "@theme b\n  z\n", &opt, &err);
    assert_int_equal(st, LF_ERR_LIMIT);
    assert_int_equal(lf_status_exit_code(st), 1);
    assert_string_equal(err.message, "t.lexicon:2:3: more than 2 lexicon entries (the "
                                     "lexicon-entries limit); raise it with --limit "
                                     "lexicon-entries=N");
    lf_lexicon_free(lex);

    char *path = fixture("good.lexicon");
    lf_options_init(&opt);
    opt.limits[LF_LIMIT_FILE_BYTES] = 100;
    lex = lf_lexicon_new();
    st = lf_lexicon_load(lex, path, &opt, &err);
    assert_int_equal(st, LF_ERR_LIMIT);
    assert_non_null(strstr(err.message, "file-bytes"));
    lf_lexicon_free(lex);
    free(path);
}

/* ---- the shipped lexicons ---- */

static void framing_lexicon_has_required_themes(void **state)
{
    (void)state;
    char *path = src_path("lexicons/framing.lexicon");
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    if (lf_lexicon_load(lex, path, NULL, &err) != LF_OK)
        fail_msg("%s", err.message);
    const char *required[] = {
        "commitment.betrayal",    "commitment.keeping",     "trust.trust",
        "trust.distrust",         "negotiation.leverage",   "negotiation.sequencing",
        "sanctions.pressure",     "sanctions.relief",       "goodwill.gesture",
        "goodwill.confidence_building", "compliance.obligations", "compliance.verification",
        "domestic_pressure",      "time_pressure"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const lf_theme *t = theme(lex, required[i]);
        if (strlen(t->description) < 20 || strcmp(t->label, t->id) == 0)
            fail_msg("theme '%s' needs a label and a description", t->id);
        size_t n = 0;
        for (size_t e = 0; e < lex->n_entries; e++)
            n += lex->entries[e].theme == (uint32_t)lf_lexicon_find_theme(lex, required[i]) &&
                 !lex->entries[e].exclude;
        if (n < 20 || n > 60)
            fail_msg("theme '%s' has %zu entries (want 20 to 60)", t->id, n);
        assert_non_null(t->colour);
    }
    /* every family theme is declared with a description, none is left implicit */
    for (size_t i = 0; i < lex->n_themes; i++)
        if (lex->themes[i].implicit || !lex->themes[i].description[0])
            fail_msg("theme '%s' is implicit or undescribed", lex->themes[i].id);
    const lf_theme *tt = theme(lex, "trust.trust");
    assert_int_equal(tt->neg, LF_NEG_MOVE);
    assert_int_equal(tt->neg_target, lf_lexicon_find_theme(lex, "trust.distrust"));
    /* the file relies on the built-in negation settings so it combines with others */
    assert_int_equal(lex->n_negators, 0);
    assert_int_equal(lex->negation_window, -1);
    /* every regex entry compiles */
    lf_vocab *v = lf_vocab_new();
    lf_matcher *m = lf_matcher_new(lex, NULL, v, &err);
    if (!m)
        fail_msg("%s", err.message);
    lf_matcher_free(m);
    lf_vocab_free(v);
    lf_lexicon_free(lex);
    free(path);
}

/* The "complete example" of lexicons/README.md parses and means what the text says. */
static void readme_example_parses(void **state)
{
    (void)state;
    char *path = src_path("lexicons/README.md");
    char *data;
    size_t len;
    lf_error err = {0};
    assert_int_equal(lf_read_file(path, 1 << 20, &data, &len, &err), LF_OK);
    const char *h = strstr(data, "## A complete example");
    assert_non_null(h);
    const char *start = strstr(h, "```text\n");
    assert_non_null(start);
    start += 8;
    const char *end = strstr(start, "```");
    assert_non_null(end);
    lf_lexicon *lex = lf_lexicon_new();
    lf_status st = lf_lexicon_read_native(lex, "example.lexicon", start, (size_t)(end - start),
                                          NULL, &err);
    if (st == LF_OK)
        st = lf_lexicon_resolve(lex, &err);
    if (st != LF_OK)
        fail_msg("%s", err.message);
    assert_true(theme(lex, "sanctions")->implicit);
    assert_int_equal(theme(lex, "trust.trust")->neg, LF_NEG_MOVE);
    assert_string_equal(theme(lex, "trust.distrust")->colour, "#56B4E9");
    bool has_case = false, has_weight = false, has_regex = false, has_exclusion = false;
    for (size_t i = 0; i < lex->n_entries; i++) {
        has_case |= lex->entries[i].case_sensitive;
        has_weight |= lex->entries[i].has_weight;
        has_regex |= lex->entries[i].kind == LF_ENTRY_REGEX;
        has_exclusion |= lex->entries[i].exclude;
    }
    assert_true(has_case && has_weight && has_regex && has_exclusion);
    lf_vocab *v = lf_vocab_new();
    lf_matcher *m = lf_matcher_new(lex, NULL, v, &err);
    if (!m)
        fail_msg("%s", err.message);
    lf_matcher_free(m);
    lf_vocab_free(v);
    lf_lexicon_free(lex);
    free(data);
    free(path);
}

/* ---- framing.lexicon on the seed interview ---- */

typedef struct expect_frame {
    const char *theme;
    const char *text; /* must lie inside one counted match of the theme */
    bool negated;
} expect_frame;

static void seed_interview_frames(void **state)
{
    (void)state;
    const char *shared = lf_test_shared_data();
    char seed[1024];
    snprintf(seed, sizeof seed, "%s/seed/bayyenat-interview.txt", shared ? shared : "");
    struct stat sb;
    if (!shared || stat(seed, &sb) != 0) {
        printf("skipped: ../shared/data not present\n");
        return;
    }
    char *path = src_path("lexicons/framing.lexicon");
    lf_lexicon *lex = lf_lexicon_new();
    lf_error err = {0};
    if (lf_lexicon_load(lex, path, NULL, &err) != LF_OK)
        fail_msg("%s", err.message);
    char *data;
    size_t len;
    assert_int_equal(lf_read_file(seed, 1 << 20, &data, &len, &err), LF_OK);
    /* The whole interview as one unattributed turn. */
    lf_doc doc;
    memset(&doc, 0, sizeof doc);
    doc.path = doc.id = seed;
    doc.text = data;
    doc.len = len;
    lf_turn turn = {.speaker = -1, .line = 1, .span_first = 0, .span_count = 1};
    lf_span span = {0, (uint32_t)len};
    doc.turns = &turn;
    doc.n_turns = 1;
    doc.spans = &span;
    doc.n_spans = 1;
    lf_options opt;
    lf_options_init(&opt);
    lf_vocab *v = lf_vocab_new();
    lf_tokens toks;
    lf_tokens_init(&toks);
    assert_int_equal(lf_tokenize_doc(v, &doc, &opt, &toks, &err), LF_OK);
    lf_matcher *m = lf_matcher_new(lex, &opt, v, &err);
    assert_non_null(m);
    lf_matches ms;
    lf_matches_init(&ms);
    assert_int_equal(lf_match_doc(m, &doc, &toks, &ms, &err), LF_OK);

    static const expect_frame want[] = {
        {"commitment.betrayal", "a stab in the back", false},
        {"commitment.betrayal", "sense of betrayal", false},
        {"negotiation.leverage", "their nuclear leverage", true},
        {"negotiation.leverage", "give up this leverage", false},
        {"goodwill.gesture", "show of goodwill", false},
        {"goodwill.confidence_building", "confidence-building measure", false},
        {"goodwill.confidence_building", "confidence-building gesture", false},
        {"sanctions.pressure", "re-imposition of draconian economic sanctions", false},
        {"sanctions.pressure", "re-imposition of sanctions", false},
        {"sanctions.relief", "lifts the sanctions", false},
        {"sanctions.relief", "lifting of sanctions", true},
        {"sanctions.relief", "sanctions relief", false},
        {"domestic_pressure", "domestic pressure", false},
        {"domestic_pressure", "domestic political support", false},
        {"domestic_pressure", "domestic opposition", false},
        {"time_pressure", "time is no longer on the U.S. side", false},
        {"compliance.obligations", "full compliance", false},
        {"negotiation.sequencing", "keep their end of the deal", false},
        {"negotiation.sequencing", "sequence their reciprocal measures", false},
        {"trust.distrust", "reliable and trustworthy partner", true},
        {"trust.trust", "minimum level of trust", false},
        {"trust.trust", "in good faith", false},
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        const char *at = strstr(data, want[w].text);
        if (!at)
            fail_msg("'%s' is not in the seed interview", want[w].text);
        size_t a = (size_t)(at - data), b = a + strlen(want[w].text);
        int32_t t = lf_lexicon_find_theme(lex, want[w].theme);
        bool found = false;
        for (size_t i = 0; i < ms.n && !found; i++) {
            const lf_match *x = &ms.m[i];
            if (x->status != LF_MATCH_COUNTED || x->theme != (uint32_t)t)
                continue;
            size_t ms_ = toks.tok[x->tok_start].start, me = toks.tok[x->tok_end - 1].end;
            /* the match covers the phrase's words (leading articles may stay outside) */
            const char *core = want[w].text;
            size_t ca = a, cb = b;
            if (strncmp(core, "a ", 2) == 0)
                ca += 2;
            else if (strncmp(core, "their ", 6) == 0)
                ca += 6;
            if (ms_ <= ca && me >= cb && x->negated == want[w].negated)
                found = true;
        }
        if (!found)
            fail_msg("no counted %s%s match for '%s'", want[w].negated ? "negated " : "",
                     want[w].theme, want[w].text);
    }
    /* the sanctions in "lifts the sanctions" are relief, not pressure (an exclusion) */
    const char *lifts = strstr(data, "lifts the sanctions");
    int32_t pressure = lf_lexicon_find_theme(lex, "sanctions.pressure");
    bool excluded = false;
    for (size_t i = 0; i < ms.n; i++) {
        const lf_match *x = &ms.m[i];
        size_t s = toks.tok[x->tok_start].start;
        if (x->theme != (uint32_t)pressure || s < (size_t)(lifts - data) ||
            s >= (size_t)(lifts - data) + 19)
            continue;
        assert_int_equal(x->status, LF_MATCH_EXCLUDED);
        excluded = true;
    }
    assert_true(excluded);

    lf_matches_free(&ms);
    lf_matcher_free(m);
    lf_tokens_free(&toks);
    lf_vocab_free(v);
    lf_lexicon_free(lex);
    free(data);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_theme_creates_implicit_parents),
        cmocka_unit_test(default_negators_and_paths),
        cmocka_unit_test(good_fixture_parses),
        cmocka_unit_test(line_ends_and_bom_are_equivalent),
        cmocka_unit_test(errors_in_directives),
        cmocka_unit_test(errors_in_attributes),
        cmocka_unit_test(errors_in_entries),
        cmocka_unit_test(entry_forms_accepted),
        cmocka_unit_test(directory_loads_sorted_and_skips_others),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(limits_are_enforced),
        cmocka_unit_test(framing_lexicon_has_required_themes),
        cmocka_unit_test(readme_example_parses),
        cmocka_unit_test(seed_interview_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
