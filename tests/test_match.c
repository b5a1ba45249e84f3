/* test_match.c — the matcher on small native lexicons and one-turn documents: words,
 * globs, phrases, the one-word wildcard, case-sensitive entries, regexes, exclusions,
 * overlap (within a theme, across themes), negation window, clauses and every negation
 * policy, and regex limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

typedef struct fx {
    lf_lexicon *lex;
    lf_options opt;
    lf_vocab *v;
    lf_matcher *m;
    lf_doc doc;
    lf_turn turn;
    lf_span span;
    lf_tokens toks;
    lf_matches ms;
    char text[4096];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    lf_options_init(&f->opt);
    lf_tokens_init(&f->toks);
    lf_matches_init(&f->ms);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    lf_matcher_free(f->m);
    lf_vocab_free(f->v);
    lf_lexicon_free(f->lex);
    lf_tokens_free(&f->toks);
    lf_matches_free(&f->ms);
    free(f);
    return 0;
}

static void load(fx *f, const char *src)
{
    lf_matcher_free(f->m);
    lf_vocab_free(f->v);
    lf_lexicon_free(f->lex);
    f->lex = lf_lexicon_new();
    lf_error err;
    lf_status st = lf_lexicon_read_native(f->lex, "t.lexicon", src, strlen(src), &f->opt, &err);
    if (st == LF_OK)
        st = lf_lexicon_resolve(f->lex, &err);
    if (st != LF_OK)
        fail_msg("lexicon: %s", err.message);
    f->v = lf_vocab_new();
    f->m = lf_matcher_new(f->lex, &f->opt, f->v, &err);
    if (!f->m)
        fail_msg("matcher: %s", err.message);
}

static lf_status run_status(fx *f, const char *text, lf_error *err)
{
    snprintf(f->text, sizeof f->text, "%s", text);
    memset(&f->doc, 0, sizeof f->doc);
    f->doc.path = f->doc.id = "doc.txt";
    f->doc.text = f->text;
    f->doc.len = strlen(f->text);
    f->span = (lf_span){0, (uint32_t)f->doc.len};
    f->turn = (lf_turn){.speaker = -1, .line = 1, .span_first = 0, .span_count = 1};
    f->doc.turns = &f->turn;
    f->doc.n_turns = 1;
    f->doc.spans = &f->span;
    f->doc.n_spans = 1;
    lf_status st = lf_tokenize_doc(f->v, &f->doc, &f->opt, &f->toks, err);
    if (st != LF_OK)
        return st;
    return lf_match_doc(f->m, &f->doc, &f->toks, &f->ms, err);
}

static void run(fx *f, const char *text)
{
    lf_error err;
    if (run_status(f, text, &err) != LF_OK)
        fail_msg("match: %s", err.message);
}

/* Renders the matches as "theme:words[:flags]" joined by " | ", where flags are n (negated)
 * and the suppression status (o overlap, x excluded, i negated-ignored). */
static const char *render(fx *f)
{
    static char out[4096];
    out[0] = '\0';
    for (size_t i = 0; i < f->ms.n; i++) {
        const lf_match *m = &f->ms.m[i];
        char words[512] = "";
        for (uint32_t t = m->tok_start; t < m->tok_end; t++) {
            const lf_token *tk = &f->toks.tok[t];
            size_t len = strlen(words);
            snprintf(words + len, sizeof words - len, "%s%.*s", t > m->tok_start ? " " : "",
                     (int)(tk->end - tk->start), f->text + tk->start);
        }
        const char *st = m->status == LF_MATCH_OVERLAP    ? "o"
                         : m->status == LF_MATCH_EXCLUDED ? "x"
                         : m->status == LF_MATCH_NEGATED_IGNORED ? "i"
                                                                 : "";
        size_t len = strlen(out);
        snprintf(out + len, sizeof out - len, "%s%s:%s%s%s%s", i ? " | " : "",
                 f->lex->themes[m->theme].id, words, (m->negated || *st) ? ":" : "",
                 m->negated ? "n" : "", st);
    }
    return out;
}

static void words_globs_phrases(void **state)
{
    fx *f = *state;
    load(f, "@theme s\nsanction*\nlift * sanctions\nre-impos?tion\n"
            "@theme c\nconfidence-building measure\n");
    run(f, "They will lift the sanctions. Sanctioned banks. A Confidence-Building measure "
           "and re-imposition of sanctions.");
    assert_string_equal(render(f),
                        "s:lift the sanctions | s:sanctions:o | s:Sanctioned | "
                        "c:Confidence-Building measure | s:re-imposition | s:sanctions");
}

/* "*" is any one word wherever it stands in a phrase: first (every word may start the
 * phrase), last, twice in a row, and beside a word the same phrase node also leads to. */
static void any_word_in_phrases(void **state)
{
    fx *f = *state;
    load(f, "@theme a\n* sanctions\n@theme b\nlift *\n@theme c\ngive * * leverage\n"
            "@theme d\ngo back on * word\ngo back on their promise\n");
    run(f, "They will lift new sanctions. We give them more leverage. They go back on their "
           "word and go back on their promise. Sanctions. Lift.");
    assert_string_equal(render(f), "b:lift new | a:new sanctions | c:give them more leverage | "
                                   "d:go back on their word | d:go back on their promise");
}

static void phrases_stay_inside_sentences(void **state)
{
    fx *f = *state;
    load(f, "@theme t\ntime pressure\n");
    run(f, "We feel the time. Pressure is on. Time\npressure, though, is real.");
    assert_string_equal(render(f), "t:Time pressure");
}

static void case_sensitive_entries(void **state)
{
    fx *f = *state;
    load(f, "@theme country\nUS {case}\nU.S.\n@theme pronoun\nus\n");
    run(f, "The US told us that the U.S. and US-made ones matter to US.");
    assert_string_equal(render(f), "country:US | pronoun:US | pronoun:us | country:U.S. | "
                                   "country:US | pronoun:US");
}

static void regex_entries_touch_whole_words(void **state)
{
    fx *f = *state;
    load(f, "@theme s\n/re-?imposition of (\\w+ ){0,3}sanctions/\n"
            "@theme x\n/leverag/\n@theme k\n/IAEA/ {case}\n");
    run(f, "The re-imposition of draconian economic sanctions hurt. Leveraging the IAEA, "
           "not the iaea.");
    assert_string_equal(render(f), "s:re-imposition of draconian economic sanctions | "
                                   "x:Leveraging | k:IAEA");
}

static void longest_wins_within_a_theme(void **state)
{
    fx *f = *state;
    load(f, "@theme lev\nleverage\nnuclear leverage\ngive up * leverage\n@theme nuc\nnuclear\n");
    run(f, "They will not give up this leverage, their nuclear leverage.");
    /* "not" negates the phrase it precedes; matches are listed by start, longest first */
    assert_string_equal(render(f), "lev:give up this leverage:n | lev:leverage:o | "
                                   "lev:nuclear leverage | nuc:nuclear | lev:leverage:o");
}

static void longest_across_all_themes(void **state)
{
    fx *f = *state;
    f->opt.overlap = LF_OVERLAP_LONGEST;
    load(f, "@theme lev\nnuclear leverage\n@theme nuc\nnuclear\n@theme lev2\nnuclear leverage\n");
    run(f, "Their nuclear leverage.");
    /* the same words for two themes are both kept; the shorter one is suppressed */
    assert_string_equal(render(f), "lev:nuclear leverage | lev2:nuclear leverage | "
                                   "nuc:nuclear:o");
}

static void exclusions_cancel_their_theme_only(void **state)
{
    fx *f = *state;
    load(f, "@theme lev\nleverag*\n!leveraged buyout\n@theme fin\nbuyout\n");
    run(f, "A leveraged buyout is not diplomatic leverage.");
    assert_string_equal(render(f), "lev:leveraged:x | fin:buyout | lev:leverage:n");
}

static void negation_window_and_clause(void **state)
{
    fx *f = *state;
    load(f, "@negation-window 3\n@theme t\ntrust\n");
    run(f, "We do not at all really trust them. We cannot trust them. No, trust them. "
           "They don't trust us. Never trust.");
    /* "not" is 4 words before: outside the window; the comma ends the clause */
    assert_string_equal(render(f), "t:trust | t:trust:n | t:trust | t:trust:n | t:trust:n");
    assert_int_equal(f->ms.m[1].negator, 9); /* "cannot" */
}

static void negation_policies(void **state)
{
    fx *f = *state;
    load(f, "@theme a\nnegation: count\nalpha\n"
            "@theme b\nnegation: separate\nbeta\n"
            "@theme c\nnegation: ignore\ngamma\n"
            "@theme d\nnegation: move e\ndelta\n"
            "@theme e\nepsilon\n");
    run(f, "Not alpha. Not beta. Not gamma. Not delta. Delta.");
    assert_string_equal(render(f), "a:alpha:n | b:beta:n | c:gamma:ni | e:delta:n | d:Delta");
}

static void move_takes_the_whole_longest_match(void **state)
{
    fx *f = *state;
    load(f, "@theme trust\nnegation: move distrust\nreliable and trustworthy partner\n"
            "trustworthy partner\n@theme distrust\nunreliable\ntrustworthy partner\n");
    run(f, "It is not a reliable and trustworthy partner.");
    /* the longest trust match is negated and moves; the shorter trust match inside it is
       suppressed within trust, and distrust's own shorter match yields to the moved one */
    assert_string_equal(render(f), "distrust:reliable and trustworthy partner:n | "
                                   "trust:trustworthy partner:o | distrust:trustworthy partner:o");
}

static void negator_list_from_options(void **state)
{
    fx *f = *state;
    f->opt.negators = "hardly, n't";
    load(f, "@negators never\n@theme t\ntrust\n");
    run(f, "Never trust. Hardly trust. Won't trust.");
    assert_string_equal(render(f), "t:trust | t:trust:n | t:trust:n");
}

static void invalid_regex_names_the_entry(void **state)
{
    fx *f = *state;
    f->lex = lf_lexicon_new();
    lf_error err;
    const char *src = "@theme t\nfine\n  /a(b/\n";
    assert_int_equal(lf_lexicon_read_native(f->lex, "bad.lexicon", src, strlen(src), &f->opt,
                                            &err),
                     LF_OK);
    f->v = lf_vocab_new();
    assert_null(lf_matcher_new(f->lex, &f->opt, f->v, &err));
    assert_int_equal(err.status, LF_ERR_LEXICON);
    assert_int_equal(lf_status_exit_code(err.status), 2);
    assert_non_null(strstr(err.message, "bad.lexicon:3:"));
    assert_non_null(strstr(err.message, "invalid regex: missing closing parenthesis"));
}

static void catastrophic_regex_fails_fast(void **state)
{
    fx *f = *state;
    f->opt.limits[LF_LIMIT_REGEX_MATCH] = 10000;
    load(f, "@theme t\n/(a|aa)+$/\n");
    char text[200];
    memset(text, 'a', 120);
    memcpy(text + 120, "a!b", 4);
    /* the words are joined by spaces, so make one long word that ends in a mismatch */
    lf_error err;
    snprintf(text, sizeof text, "%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
    lf_status st = run_status(f, text, &err);
    assert_int_equal(st, LF_ERR_REGEX);
    assert_non_null(strstr(err.message, "doc.txt:1: regex entry at t.lexicon:2 exceeded the "
                                        "regex-match limit (10000)"));
    assert_non_null(strstr(err.message, "--limit regex-match=N"));
}

static void many_prefix_globs_resolve_per_form(void **state)
{
    fx *f = *state;
    /* 3,000 prefix globs and 3,000 words: each form is resolved once */
    char *src = malloc(200000);
    size_t n = (size_t)sprintf(src, "@theme big\n");
    for (int i = 0; i < 3000; i++)
        n += (size_t)sprintf(src + n, "w%dx*\nword%d\n", i, i);
    load(f, src);
    free(src);
    run(f, "w17xyz word2999 w3000x w2999x word17.");
    assert_string_equal(render(f), "big:w17xyz | big:word2999 | big:w2999x | big:word17");
    assert_int_equal(lf_lexicon_entry_count(f->lex), 6000);
}

static void regex_prefilters(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *prefilter;
    } cases[] = {
        {"\\bre-?impos\\w*(?: \\S+){0,4}? sanctions\\b", "impos&sanctions"},
        {"\\b(?:iaea|international) monitoring\\b", "iaea|international&monitoring"},
        {"time (?:is|was) on (?:\\S+ ){1,3}side", "time&side"},
        {"withdr(?:ew|aw) from (?:\\S+ ){0,3}(?:deal|accords?)\\b",
         "withdr&from&deal|accord"},
        {"leverag", "leverag"},
        {"IAEA", "iaea"},
        {"colou?r", "colo"},        /* u optional: the run ends before it */
        {"goo+al", "goo"},          /* o+ : the o is required, the run ends after it */
        {"sanctions|relief", NULL}, /* top-level alternation */
        {"(?i)abcd", NULL},         /* inline options */
        {"(*UTF)abcd", NULL},
        {"ab\\x{41}cd", NULL}, /* escape with an argument */
        {"[abc]def[g]hi", "def"},
        {"(?<name>xyz)abc", "xyz&abc"},
        {"(?:abc)?def", "def"},      /* an optional group requires nothing */
        {"(?:abc|de)fgh", "fgh"},    /* an alternative without a literal */
        {"(?=abc)def", "def"},       /* lookarounds are skipped */
        {"(?!abc)def", "def"},
        {"a{0,3}bcd", "bcd"},
        {"xy", NULL}, /* too short */
        {"\\d+ percent", "percent"},
        {"((?:one|two)x|three)", NULL}, /* the first alternative has no single literal */
        {"((?:one|two)xyz|three)", "xyz|three"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *pf = lf_regex_prefilter(cases[i].pattern, true);
        if (cases[i].prefilter == NULL) {
            if (pf)
                fail_msg("%s: expected no prefilter, got '%s'", cases[i].pattern, pf);
        } else if (!pf || strcmp(pf, cases[i].prefilter) != 0) {
            fail_msg("%s: expected '%s', got '%s'", cases[i].pattern, cases[i].prefilter,
                     pf ? pf : "(null)");
        }
        free(pf);
    }
    char *cs = lf_regex_prefilter("IAEA", false);
    assert_string_equal(cs, "IAEA");
    free(cs);
}

static void regex_prefilter_keeps_every_match(void **state)
{
    fx *f = *state;
    /* a regex with a literal (runs only where a word contains "sanction") next to one
       without (alternation: runs everywhere); both must find all their matches */
    load(f, "@theme a\n/lift(?:ed|ing)? (?:\\w+ )?sanctions?/\n@theme b\n/tru|verif/\n"
            "@theme c\n/(?:deal|accord) (?:was|is) (?:\\w+ )?broken/\n");
    run(f, "We lifted the sanctions. No sanction here. They will verify. Lift sanction now. "
           "The deal was broken. The accord is now broken. The deal broke. A broken deal.");
    assert_string_equal(render(f), "a:lifted the sanctions | b:verify | a:Lift sanction | "
                                   "c:deal was broken | c:accord is now broken");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(words_globs_phrases),
        T(any_word_in_phrases),
        T(phrases_stay_inside_sentences),
        T(case_sensitive_entries),
        T(regex_entries_touch_whole_words),
        T(longest_wins_within_a_theme),
        T(longest_across_all_themes),
        T(exclusions_cancel_their_theme_only),
        T(negation_window_and_clause),
        T(negation_policies),
        T(move_takes_the_whole_longest_match),
        T(negator_list_from_options),
        T(invalid_regex_names_the_entry),
        T(catastrophic_regex_fails_fast),
        T(many_prefix_globs_resolve_per_form),
        cmocka_unit_test(regex_prefilters),
        T(regex_prefilter_keeps_every_match),
    };
    return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
