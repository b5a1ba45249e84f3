/* test_ingest.c — stage 1: documents from in-memory transcripts (labels and look-alikes,
 * front matter, strips and gaps, line ends, encodings, limits, HTML) and the corpus walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest.h"

#define NBSP "\xC2\xA0"

/* ---- helpers ---- */

typedef struct fixture {
    lf_options opt;
    lf_ingest *ing;
    lf_doc doc;
    lf_error err;
    char text[8192]; /* scratch for turn_text */
} fixture;

static fixture *fx_new(const lf_options *opt)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    if (opt)
        f->opt = *opt;
    else
        lf_options_init(&f->opt);
    f->ing = lf_ingest_new(&f->opt, &f->err);
    assert_non_null(f->ing);
    lf_doc_init(&f->doc);
    return f;
}

static void fx_free(fixture *f)
{
    lf_doc_free(&f->doc);
    lf_ingest_free(f->ing);
    free(f);
}

static lf_status fx_ingest_fmt(fixture *f, const char *s, size_t n, lf_doc_format fmt)
{
    lf_error_clear(&f->err);
    return lf_ingest_buffer(f->ing, "t.txt", "t", s, n, fmt, &f->doc, &f->err);
}

static void fx_ok(fixture *f, const char *s)
{
    lf_status st = fx_ingest_fmt(f, s, strlen(s), LF_FORMAT_TEXT);
    if (st != LF_OK)
        fail_msg("ingest failed: %s", f->err.message);
}

/* The spans of turn i joined with '|'. */
static const char *turn_text(fixture *f, size_t i)
{
    assert_true(i < f->doc.n_turns);
    const lf_turn *t = &f->doc.turns[i];
    size_t o = 0;
    for (uint32_t k = 0; k < t->span_count; k++) {
        lf_span sp = f->doc.spans[t->span_first + k];
        assert_true(sp.start < sp.end && sp.end <= f->doc.len);
        if (k)
            f->text[o++] = '|';
        size_t n = sp.end - sp.start;
        assert_true(o + n + 2 < sizeof f->text);
        memcpy(f->text + o, f->doc.text + sp.start, n);
        o += n;
    }
    f->text[o] = '\0';
    return f->text;
}

static const char *turn_label(fixture *f, size_t i)
{
    assert_true(i < f->doc.n_turns);
    int32_t s = f->doc.turns[i].speaker;
    return s < 0 ? "" : f->doc.speakers[s].label;
}

static const char *meta(fixture *f, const char *key)
{
    for (size_t i = 0; i < f->doc.n_meta; i++)
        if (strcmp(f->doc.meta[i].key, key) == 0)
            return f->doc.meta[i].value;
    return NULL;
}

static size_t count_strips(fixture *f, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < f->doc.n_strips; i++)
        if (strcmp(lf_ingest_strip_name(f->ing, f->doc.strips[i].pattern), name) == 0)
            n++;
    return n;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("'%s' does not contain '%s'", hay, needle);
}

/* ---- a White House style briefing ---- */

static void whitehouse_briefing(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "---\n"
             "tags: press-briefings\n"
             "date: '2021-08-02'\n"
             "source_url: https://example.gov/b\n"
             "title: \"Press Briefing by White\\_House COVID-\\u206019 Response\\_\\\n"
             "  Officials\"\n"
             "modified: [a, b]\n"
             "---\n"
             " \n"
             "Via Teleconference" NBSP "\n"
             "\n"
             "4:18 P.M. EDT  \n"
             "  \n"
             "MR. ZIENTS:" NBSP " Good afternoon.  (Laughter.)  Thanks for joining\n"
             "us.  \n"
             "  \n"
             "Q" NBSP " " NBSP " Hi, thanks. Jake\\_Sullivan said \\[senior official\\]?\n"
             "  \n"
             "MS. PSAKI:  Sure.\n"
             "  \n"
             "Q" NBSP " " NBSP " Follow-up.\n"
             "\n"
             "                END                4:52 P.M. EDT\n");
    lf_doc *d = &f->doc;
    assert_string_equal(d->title,
                        "Press Briefing by White" NBSP "House COVID-\xE2\x81\xA0" "19 Response" NBSP
                        "Officials");
    assert_string_equal(d->date, "2021-08-02");
    assert_string_equal(d->source, "https://example.gov/b");
    /* Every scalar in file order; the list value is skipped. */
    assert_int_equal(d->n_meta, 4);
    assert_string_equal(d->meta[0].key, "tags");
    assert_string_equal(d->meta[3].key, "title");
    assert_null(meta(f, "modified"));

    assert_int_equal(d->n_speakers, 3);
    assert_int_equal(d->n_turns, 5);
    assert_string_equal(turn_label(f, 0), "");
    assert_string_equal(turn_text(f, 0), "Via Teleconference");
    assert_int_equal(d->turns[0].line, 10);
    assert_string_equal(turn_label(f, 1), "MR. ZIENTS");
    assert_string_equal(turn_text(f, 1), "Good afternoon.|Thanks for joining\nus.");
    assert_int_equal(d->turns[1].line, 14);
    assert_string_equal(turn_label(f, 2), "Q");
    /* Markdown escapes stay in the text: offsets are into the file bytes. */
    assert_string_equal(turn_text(f, 2),
                        "Hi, thanks. Jake\\_Sullivan said \\[senior official\\]?");
    assert_string_equal(turn_label(f, 3), "MS. PSAKI");
    assert_string_equal(turn_text(f, 3), "Sure.");
    assert_string_equal(turn_label(f, 4), "Q");
    assert_int_equal(d->turns[2].speaker, d->turns[4].speaker);
    assert_string_equal(turn_text(f, 4), "Follow-up.");
    assert_int_equal(count_strips(f, "time-stamp"), 1);
    assert_int_equal(count_strips(f, "stage-direction"), 1);
    assert_int_equal(count_strips(f, "end-marker"), 1);
    /* Strips are in document order. */
    for (size_t i = 1; i < d->n_strips; i++)
        assert_true(d->strips[i - 1].span.end <= d->strips[i].span.start);
    fx_free(f);
}

/* ---- front matter ---- */

static void front_matter_speaker_aliases(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "---\n"
             "title: Interview\n"
             "source: Belfer Center\n"
             "source_url: https://ignored.example\n"
             "speakers:\n"
             "  Q: Interviewer\n"
             "  BAYYENAT:\n"
             "    name: Abolghasem Bayyenat\n"
             "    role: expert\n"
             "    party: none\n"
             "    affiliation: ignored\n"
             "  \"MS.\\_PSAKI:\": {name: Jen Psaki, role: press secretary}\n"
             "  NOBODY: Never Speaks\n"
             "---\n"
             "Q: Why?\n"
             "BAYYENAT: Because.\n"
             "MS.  PSAKI: Indeed.\n"
             "MR. OTHER: Hm.\n");
    lf_doc *d = &f->doc;
    assert_string_equal(d->source, "Belfer Center");
    assert_int_equal(d->n_meta, 3); /* speakers is not a scalar */
    assert_int_equal(d->n_speakers, 4);
    assert_int_equal(d->n_turns, 4);
    assert_string_equal(d->speakers[0].label, "Q");
    assert_string_equal(d->speakers[0].name, "Interviewer");
    assert_null(d->speakers[0].role);
    assert_string_equal(d->speakers[1].name, "Abolghasem Bayyenat");
    assert_string_equal(d->speakers[1].role, "expert");
    assert_string_equal(d->speakers[1].party, "none");
    /* "MS.\_PSAKI:" (U+00A0, trailing colon) and "MS.  PSAKI" normalize alike. */
    assert_string_equal(d->speakers[2].label, "MS. PSAKI");
    assert_string_equal(d->speakers[2].name, "Jen Psaki");
    assert_string_equal(d->speakers[2].role, "press secretary");
    assert_null(d->speakers[2].party);
    assert_string_equal(d->speakers[3].name, "MR. OTHER");
    assert_int_equal(d->turns[0].line, 15);
    fx_free(f);
}

/* Ingesting text as a plain-text file fails with an input error whose message holds msg. */
static void assert_text_refused(fixture *f, const char *text, const char *msg)
{
    assert_int_equal(fx_ingest_fmt(f, text, strlen(text), LF_FORMAT_TEXT), LF_ERR_INPUT);
    assert_int_equal(f->err.status, LF_ERR_INPUT);
    assert_contains(f->err.message, msg);
}

static void front_matter_errors(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    assert_text_refused(f, "---\ntitle: ok\ndate: \"2021\\q\"\n---\ntext\n",
                        ": front matter: found unknown escape character");
    assert_contains(f->err.message, "t.txt:3:");
    assert_text_refused(f, "---\ntitle: x\ntext goes on\n", "");
    assert_string_equal(f->err.message, "t.txt:1: front matter: no closing '---' line");
    assert_text_refused(f, "---\n- a\n- b\n...\ntext\n", "t.txt:2:1: front matter: expected");
    assert_text_refused(f, "---\nspeakers: [a, b]\n---\ntext\n",
                        "t.txt:2:11: front matter: 'speakers' must map");

    /* "..." closes front matter too, and empty front matter is fine. */
    fx_ok(f, "---\n...\nMR. AB: hi\n");
    assert_int_equal(f->doc.n_turns, 1);
    assert_int_equal(f->doc.n_meta, 0);
    fx_free(f);
}

/* Front matter with anchors and aliases, keys that are no scalars and lists among a
 * speaker's fields reads as the YAML document says, and a YAML error anywhere in it wins
 * over an error of lexframe's before it (the whole document is loaded first). */
static void front_matter_anchors_and_error_order(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "---\n"
             "title: First\n"
             "speakers:\n"
             "  Q: &reporter {name: Reporter, role: press}\n"
             "  MS. CD: *reporter\n"
             "  [complex]: ignored\n"
             "alt: &t Second\n"
             "again: *t\n"
             "---\n"
             "Q: Why?\n"
             "MS. CD: Again?\n");
    lf_doc *d = &f->doc;
    assert_string_equal(d->title, "First");
    assert_int_equal(d->n_meta, 3);
    assert_string_equal(d->meta[2].key, "again");
    assert_string_equal(d->meta[2].value, "Second");
    assert_int_equal(d->n_speakers, 2);
    assert_string_equal(d->speakers[0].name, "Reporter");
    assert_string_equal(d->speakers[1].name, "Reporter");
    assert_string_equal(d->speakers[1].role, "press");

    /* Without anchors: keys that are no scalars and values that are lists are passed over. */
    fx_ok(f, "---\n"
             "? [a, b]\n"
             ": {c: d}\n"
             "tags: [x, {y: z}]\n"
             "speakers:\n"
             "  MR. AB: {name: [no], role: chair, party: {p: q}, name: Ab}\n"
             "title: T\n"
             "---\n"
             "MR. AB: hi\n");
    assert_int_equal(d->n_meta, 1);
    assert_string_equal(d->title, "T");
    assert_string_equal(d->speakers[0].name, "Ab");
    assert_string_equal(d->speakers[0].role, "chair");
    assert_null(d->speakers[0].party);

    assert_text_refused(f, "---\nspeakers: [a, b]\ntitle: \"bad\\q\"\n---\ntext\n",
                        ": front matter: found unknown escape character");
    assert_contains(f->err.message, "t.txt:3:");
    assert_text_refused(f, "---\ntitle: ok\nalt: *nowhere\n---\ntext\n",
                        "t.txt:3:6: front matter: found undefined alias");
    assert_text_refused(f, "---\nspeakers:\n  A: x\n  B: [y]\n  C: z\n---\ntext\n",
                        "t.txt:4:6: front matter: a speaker must be a name");
    fx_free(f);
}

/* ---- label forms ---- */

/* Each label must be found at the start of the document and again after a blank line. */
static void label_forms_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *line, *label, *text;
    } cases[] = {
        {"MS. JEAN-PIERRE:  Good afternoon.", "MS. JEAN-PIERRE", "Good afternoon."},
        {"MR. KIRBY: Thanks.", "MR. KIRBY", "Thanks."},
        {"SENIOR ADMINISTRATION OFFICIAL: Sure.", "SENIOR ADMINISTRATION OFFICIAL", "Sure."},
        {"THE PRESIDENT: Thank you.", "THE PRESIDENT", "Thank you."},
        {"Q" NBSP NBSP " Hi, thanks.", "Q", "Hi, thanks."},
        {"Q    Hi.", "Q", "Hi."},
        {"Q: What now?", "Q", "What now?"},
        {"Q. What now?", "Q", "What now?"},
        {"  Mr. CORNYN. Mr. President, I rise today.", "Mr. CORNYN",
         "Mr. President, I rise today."},
        {"  The PRESIDING OFFICER. Without objection.", "The PRESIDING OFFICER",
         "Without objection."},
        {"  The PRESIDING OFFICER (Mr. Cornyn). Without objection.", "The PRESIDING OFFICER",
         "Without objection."},
        {"  The ACTING PRESIDENT pro tempore. Under the order.",
         "The ACTING PRESIDENT pro tempore", "Under the order."},
        {"<bullet> Mr. SESSIONS. Mr. President, I rise.", "Mr. SESSIONS",
         "Mr. President, I rise."},
        {"MR. SMITH. Good evening.", "MR. SMITH", "Good evening."},
        {"GOVERNOR REAGAN. Thank you.", "GOVERNOR REAGAN", "Thank you."},
        {"THE PRESIDENT. I think so.", "THE PRESIDENT", "I think so."},
        {"THE MODERATOR. President Ford.", "THE MODERATOR", "President Ford."},
        {"HOWARD K. SMITH, MODERATOR: Good evening.", "HOWARD K. SMITH, MODERATOR",
         "Good evening."},
        {"MR. McGEE: Senator Kennedy.", "MR. McGEE", "Senator Kennedy."},
        {"Mr. Mondale. Thank you.", "Mr. Mondale", "Thank you."},
        {"Ms. Walters. Thank you, Dorothy.", "Ms. Walters", "Thank you, Dorothy."},
        {"The President. Well, I think so.", "The President", "Well, I think so."},
        {"Chris Wallace: Good evening.", "Chris Wallace", "Good evening."},
        {"President Biden: Thank you.", "President Biden", "Thank you."},
        {"Moderator: Welcome.", "Moderator", "Welcome."},
        {"AUDIENCE:  USA! USA!", "AUDIENCE", "USA! USA!"},
        {"MS. JEAN-PIERRE:  I — I —", "MS. JEAN-PIERRE", "I — I —"},
        {"PRIME MINISTER CHÍNH: Thank you.", "PRIME MINISTER CHÍNH", "Thank you."},
        {"MS." NBSP " PSAKI:" NBSP " Sure.", "MS. PSAKI", "Sure."},
        /* the label's stop is the line's only one, and a Unicode space follows it */
        {"SECRETARY BLINKEN:\xE2\x80\x89Thank you", "SECRETARY BLINKEN", "Thank you"},
        {"President Biden:\xE3\x80\x80Thank you", "President Biden", "Thank you"},
        /* indented by a tab or a no-break space, and a first letter that is not ASCII */
        {"\tMR. SMITH: Good evening.", "MR. SMITH", "Good evening."},
        {NBSP "MR. SMITH: Good evening.", "MR. SMITH", "Good evening."},
        {"\xC3\x89RIC DUPONT: Bonjour.", "\xC3\x89RIC DUPONT", "Bonjour."},
    };
    fixture *f = fx_new(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s\n\n%s\nsecond line\n", cases[i].line, cases[i].line);
        fx_ok(f, buf);
        if (f->doc.n_turns != 2 || f->doc.n_speakers != 1)
            fail_msg("'%s': %zu turns, %zu speakers", cases[i].line, f->doc.n_turns,
                     f->doc.n_speakers);
        assert_string_equal(turn_label(f, 0), cases[i].label);
        assert_string_equal(turn_text(f, 0), cases[i].text);
        assert_int_equal(f->doc.turns[1].line, 3);
    }
    fx_free(f);
}

/* The cheap checks that keep most lines from the speaker-label regex are a hand-written
 * necessary condition for it: on lines built at random from label-like pieces (titles,
 * names in capitals and not, colons, periods, parentheses, non-ASCII letters, no-break
 * and other Unicode spaces, tabs, "<bullet>"), every line the regex matches must pass them. A check that
 * turned away one label would silently give its turn to the previous speaker. */
static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void label_prefilter_never_hides_a_label(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "MR.", "MS.", "Mr.", "Ms.", "DR.", "Dr.", "The", "THE", "PRESIDENT", "President",
        "SECRETARY", "Secretary", "PRESS", "SENIOR", "ADMINISTRATION", "OFFICIAL", "SMITH",
        "JEAN-PIERRE", "O'BRIEN", "McGEE", "McCONNELL", "Q", "Senator", "Sen.", "Rep.",
        "Gen.", "Governor", "GOVERNOR", "PRESIDING", "OFFICER", "ACTING", "pro", "tempore",
        "Moderator", "MODERATOR", "Chris", "Wallace", "Biden", "CORNYN", "K.", "F.",
        "CH\xC3\x8DNH", "\xC3\x89RIC", "\xC3\x89ric", "PRIME", "MINISTER", "AUDIENCE",
        "trust", "policy", "said", "we", "do", "not", "U.S.", "(R-TX)", "(Mr.", "Cornyn)",
        "1:26", "P.M.", "EST", "[Laughter]", "(Applause.)", "\xC3\x9F", "\xC3\x91",
        "<bullet>", "A", "I", "-", "--", "\xE2\x80\x94", "de", "van", "della", "al", "del",
        "reason", "d\xC3\xA9", "de,", "De"};
    static const char *const seps[] = {
        " ", " ", " ", ": ", ". ", ", ", ":", ".", "  ", "\t", NBSP, ": " NBSP, ".  ", " (",
        ") ",
        /* the other horizontal spaces \h matches: U+1680, U+180E, U+2002, U+2009, U+200A,
           U+202F, U+205F, U+3000, after a stop and between words */
        ":\xE1\x9A\x80", ".\xE1\xA0\x8E", ":\xE2\x80\x82", ".\xE2\x80\x89", ":\xE2\x80\x8A",
        ".\xE2\x80\xAF", ":\xE2\x81\x9F", ".\xE3\x80\x80", "\xE2\x80\x89"};
    static const char *const indents[] = {"", "", "", "  ", "\t", " " NBSP};
    fixture *f = fx_new(NULL);
    uint64_t x = 0x9E3779B97F4A7C15u;
    size_t matched = 0;
    for (int n = 0; n < 200000; n++) {
        char line[512];
        size_t len = 0;
#define PICK(a) (a)[xorshift(&x) % (sizeof(a) / sizeof *(a))]
        len += (size_t)snprintf(line + len, sizeof line - len, "%s", PICK(indents));
        int words = 1 + (int)(xorshift(&x) % 6);
        for (int w = 0; w < words && len < 400; w++) {
            const char *piece = PICK(pieces), *sep = PICK(seps);
            len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", piece, sep);
        }
        if (xorshift(&x) % 3 == 0)
            len += (size_t)snprintf(line + len, sizeof line - len, "Thank you.");
#undef PICK
        bool prefilter;
        bool regex = lf_ingest_label_probe(f->ing, line, len, &prefilter);
        matched += regex;
        if (regex && !prefilter)
            fail_msg("the label regex matches '%s', but the prefilter turns it away", line);
    }
    /* the lines must reach the regex often enough for the test to mean something */
    if (matched < 2000)
        fail_msg("only %zu of 200000 lines match the label regex", matched);
    fx_free(f);
}

/* Look-alikes stay text: the document is one unattributed turn. */
static void label_lookalikes_rejected(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "My fellow Americans: tonight I speak.",
        "My Fellow Americans: tonight I speak.",
        "Gentlemen of the Congress: I report.",
        "GENTLEMEN OF THE CONGRESS: I report.",
        "To the Senate of the United States: I transmit.",
        "TO THE SENATE AND HOUSE OF REPRESENTATIVES: I transmit.",
        "By the President:",
        "First: we act.",
        "First. We act.",
        "FIRST: we act.",
        "Thank you. Goodbye.",
        "Good evening. Tonight.",
        "No. Never.",
        "U.S. officials said so.",
        "COVID-19. It spread.",
        "COVID. It spread.",
        "SEC. 2. Be it enacted.",
        "ART. V. The parties agree.",
        "II. That all orders are revoked.",
        "ARTICLE III. The treaty.",
        "We agreed on one thing: peace.",
        "The answer is simple:",
        "ANDREW JOHNSON.",
        "WAR DEPARTMENT. The army grew.",
        "THE FAR EAST. Trade grew.",
        "Dr. Walensky.",
        "Mr. President, I rise today.",
        "Mr. President: thank you.",
        "MR. SECRETARY OF STATE: I have the honor.",
        "MADAM SPEAKER: Thank you.",
        "Senator Kevin Kramer: \xE2\x80\x9CIt is fun.\xE2\x80\x9D",
        "CBS: \xE2\x80\x9CRepublicans want it.\xE2\x80\x9D",
        "FELLOW-CITIZENS: You have been assembled.",
        "SIR: It is with grief.",
        "TH: JEFFERSON.",
        "Reverend Dr. King said so.",
        "Signed: the committee.",
        "Dear Senator Nixon: thank you.",
    };
    fixture *f = fx_new(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s\n\n%s\n", cases[i], cases[i]);
        fx_ok(f, buf);
        if (f->doc.n_speakers != 0 || f->doc.n_turns != 1)
            fail_msg("'%s' was taken as a label (%zu speakers)", cases[i], f->doc.n_speakers);
        assert_int_equal(f->doc.turns[0].speaker, -1);
    }
    fx_free(f);
}

static void label_context_rules(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    /* A hard-wrapped line that continues a sentence is no label line. */
    fx_ok(f, "MS. PSAKI:  We are prepared to talk with the\n"
             "NATO: allies about the\n"
             "Q    ratings.\n");
    assert_int_equal(f->doc.n_turns, 1);
    assert_string_equal(turn_text(f, 0),
                        "We are prepared to talk with the\nNATO: allies about the\n"
                        "Q    ratings.");
    /* Multi-word labels and "Q:" start turns after any line. */
    fx_ok(f, "MR. AB: well, and\nMS. BC: so\nQ: why\nMR. AB: because\n");
    assert_int_equal(f->doc.n_turns, 4);
    /* Mixed-case labels need a paragraph start... */
    fx_ok(f, "MR. AB: One.\nMr. Mondale. Two.\n\nMr. Mondale. Three.\n");
    assert_int_equal(f->doc.n_turns, 1);
    /* ...and a second occurrence (a lone "Washington Post:" is a citation). */
    fx_ok(f, "MR. AB: One.\n\nWashington Post: Headline.\n\nMR. AB: Two.\n");
    assert_int_equal(f->doc.n_turns, 2);
    assert_string_equal(turn_text(f, 0), "One.\n\nWashington Post: Headline.");
    /* A front-matter speaker counts as the second occurrence. */
    fx_ok(f, "---\nspeakers:\n  Chris Wallace: {role: moderator}\n---\n"
             "Chris Wallace:\nWelcome.\n");
    assert_int_equal(f->doc.n_turns, 1);
    assert_string_equal(turn_label(f, 0), "Chris Wallace");
    assert_string_equal(f->doc.speakers[0].role, "moderator");
    fx_free(f);
}

static void label_alone_on_its_line(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "Chris Wallace:\nGood evening from Cleveland.\nSecond line.\n\n"
             "Joe Biden:\n\nThank you, Chris.\n\n"
             "Chris Wallace:\nNext question.\n\n"
             "SENIOR ADMINISTRATION OFFICIAL:\nSure.\n");
    lf_doc *d = &f->doc;
    /* alone on its line, a label needs no second occurrence */
    assert_int_equal(d->n_turns, 4);
    assert_string_equal(turn_label(f, 0), "Chris Wallace");
    assert_string_equal(turn_text(f, 0), "Good evening from Cleveland.\nSecond line.");
    assert_string_equal(turn_label(f, 1), "Joe Biden");
    assert_string_equal(turn_text(f, 1), "Thank you, Chris.");
    assert_int_equal(d->turns[0].line, 1);
    assert_int_equal(d->turns[1].line, 5);
    assert_int_equal(d->turns[2].line, 9);
    assert_string_equal(turn_text(f, 2), "Next question.");
    /* inline and seen once, it is weak: a lone "Joe Biden: text" stays text */
    fx_ok(f, "Chris Wallace: One.\n\nJoe Biden: Two.\n\nChris Wallace: Three.\n");
    assert_int_equal(d->n_turns, 2);
    fx_ok(f, "SENIOR ADMINISTRATION OFFICIAL:\nSure.\n");
    assert_string_equal(turn_label(f, 0), "SENIOR ADMINISTRATION OFFICIAL");
    assert_string_equal(turn_text(f, 0), "Sure.");
    fx_free(f);
}

static void unattributed_text_and_repeated_speakers(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "An editor's introduction.\nIt goes on.\n\nMR. AB: one\nMR. AB: two\nMS. BC: three\n"
             "MR. AB: four\n");
    lf_doc *d = &f->doc;
    assert_int_equal(d->n_turns, 5);
    assert_int_equal(d->n_speakers, 2);
    assert_int_equal(d->turns[0].speaker, -1);
    assert_int_equal(d->turns[0].line, 1);
    assert_string_equal(turn_text(f, 0), "An editor's introduction.\nIt goes on.");
    assert_int_equal(d->turns[1].speaker, 0);
    assert_int_equal(d->turns[2].speaker, 0); /* consecutive turns stay separate */
    assert_int_equal(d->turns[3].speaker, 1);
    assert_int_equal(d->turns[4].speaker, 0);
    assert_int_equal(d->turns[4].line, 7);

    /* A preface of only whitespace and stripped material is no turn. */
    fx_ok(f, "  \n4:18 P.M. EDT\n(Applause.)\n\nMR. AB: hi\n");
    assert_int_equal(d->n_turns, 1);
    assert_string_equal(turn_label(f, 0), "MR. AB");
    assert_int_equal(d->n_strips, 2);

    /* No label at all: the whole text is one unattributed turn; empty text none. */
    fx_ok(f, "Just a statement.\n");
    assert_int_equal(d->n_turns, 1);
    assert_int_equal(d->turns[0].speaker, -1);
    fx_ok(f, "");
    assert_int_equal(d->n_turns, 0);
    assert_int_equal(d->len, 0);
    /* A labeled turn with nothing said is still a turn. */
    fx_ok(f, "AUDIENCE:  (Applause.)\nMR. AB: hi\n");
    assert_int_equal(d->n_turns, 2);
    assert_int_equal(d->turns[0].span_count, 0);
    assert_false(d->turns[0].gap);
    fx_free(f);
}

static void president_first_line_is_metadata(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "President: George Washington\n\nFellow Citizens of the Senate:\n\nAmong the "
             "vicissitudes.\n");
    lf_doc *d = &f->doc;
    assert_string_equal(meta(f, "president"), "George Washington");
    assert_int_equal(d->n_speakers, 0);
    assert_int_equal(d->n_turns, 1);
    assert_string_equal(turn_text(f, 0),
                        "Fellow Citizens of the Senate:\n\nAmong the vicissitudes.");
    assert_int_equal(d->turns[0].line, 3);
    /* Only the first line. */
    fx_ok(f, "Hello.\nPresident: Someone\n");
    assert_null(meta(f, "president"));
    fx_free(f);
}

/* ---- speaker pattern option ---- */

static void user_speaker_pattern(void **state)
{
    (void)state;
    lf_options opt;
    lf_options_init(&opt);
    opt.speaker_pattern = "(?<label>[A-Z][a-z]+)>\\s*";
    fixture *f = fx_new(&opt);
    fx_ok(f, "Preface.\nAlice> hi there\nMR. SMITH: not a label now\nBob>\nyo\n  Carol> indented\n");
    lf_doc *d = &f->doc;
    assert_int_equal(d->n_turns, 3);
    assert_string_equal(turn_text(f, 0), "Preface.");
    assert_string_equal(turn_label(f, 1), "Alice");
    assert_string_equal(turn_text(f, 1), "hi there\nMR. SMITH: not a label now");
    assert_string_equal(turn_label(f, 2), "Bob");
    assert_string_equal(turn_text(f, 2), "yo\n  Carol> indented");
    fx_free(f);

    lf_error err;
    opt.speaker_pattern = "(?<label>[A-Z";
    assert_null(lf_ingest_new(&opt, &err));
    assert_int_equal(err.status, LF_ERR_USAGE);
    assert_string_equal(err.message,
                        "--speaker-pattern: missing terminating ] for character class at "
                        "offset 13");
    opt.speaker_pattern = "([A-Z]+):";
    assert_null(lf_ingest_new(&opt, &err));
    assert_int_equal(err.status, LF_ERR_USAGE);
    assert_contains(err.message, "no group named 'label'");
}

/* ---- strips and gaps ---- */

static void default_strips(void **state)
{
    (void)state;
    static const struct {
        const char *text, *strip;
    } cases[] = {
        {"(Laughter.)", "stage-direction"},
        {"(Applause.)", "stage-direction"},
        {"(applause)", "stage-direction"},
        {"(inaudible)", "stage-direction"},
        {"(Inaudible.)", "stage-direction"},
        {"(Laughs.)", "stage-direction"},
        {"(Cross-talk.)", "stage-direction"},
        {"(Cross-talk by reporters.)", "stage-direction"},
        {"(As interpreted.)", "stage-direction"},
        {"(The bill is signed.)", "stage-direction"},
        {"(The bill is\nsigned.)", "stage-direction"},
        {"(laughter and applause)", "stage-direction"},
        {"[crosstalk 00:15:10]", "bracketed-note"},
        {"[inaudible]", "bracketed-note"},
        {"[laughter]", "bracketed-note"},
        {"[Applause]", "bracketed-note"},
        {"\\[sic\\]", "bracketed-note"},
        {"[00:15:10]", "time-stamp"},
        {"[[Page S5583]]", "page-marker"},
        {"[Page S5579]", "page-marker"},
        {"[Pages S5582-S5714]", "page-marker"},
    };
    fixture *f = fx_new(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "MR. AB: Before %s after.\n", cases[i].text);
        fx_ok(f, buf);
        if (f->doc.n_strips != 1)
            fail_msg("'%s': %zu strips", cases[i].text, f->doc.n_strips);
        assert_string_equal(lf_ingest_strip_name(f->ing, f->doc.strips[0].pattern),
                            cases[i].strip);
        lf_span sp = f->doc.strips[0].span;
        assert_int_equal(sp.end - sp.start, strlen(cases[i].text));
        assert_memory_equal(f->doc.text + sp.start, cases[i].text, strlen(cases[i].text));
        assert_string_equal(turn_text(f, 0), "Before|after.");
    }
    /* Line strips: whole lines only. */
    static const char *const lines[] = {"1:26 P.M. EST", "10:40 A.M. EDT  ", "  12:07 P.M.",
                                        "10:07 AM", "END", "   END   ", "END 4:29 P.M. EDT",
                                        "      END                 1:40 P.M. EDT  "};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "MR. AB: Before\n%s\nafter.\n", lines[i]);
        fx_ok(f, buf);
        if (f->doc.n_strips != 1)
            fail_msg("'%s': %zu strips", lines[i], f->doc.n_strips);
        assert_string_equal(turn_text(f, 0), "Before|after.");
    }
    /* Not stage directions. */
    static const char *const keep[] = {"a 401(k) plan", "the deal (JCPOA) holds",
                                       "(U.S.) forces", "we (and they) agree",
                                       "it ENDS here", "at 1:26 P.M. EST we met",
                                       "the [senior official] said", "(see the annex)",
                                       "(1) first"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "MR. AB: %s\n", keep[i]);
        fx_ok(f, buf);
        if (f->doc.n_strips != 0)
            fail_msg("'%s' was stripped", keep[i]);
        assert_string_equal(turn_text(f, 0), keep[i]);
    }
    /* A stage direction never spans a blank line. */
    fx_ok(f, "MR. AB: (The bill\n\nis signed.)\n");
    assert_int_equal(f->doc.n_strips, 0);
    fx_free(f);
}

static void strip_names_and_options(void **state)
{
    (void)state;
    lf_options opt;
    lf_options_init(&opt);
    const char *user[] = {"\\{[^}]*\\}", "^NOTE:.*$"};
    opt.strip_patterns = user;
    opt.n_strip_patterns = 2;
    fixture *f = fx_new(&opt);
    assert_int_equal(lf_ingest_strip_count(f->ing), 9);
    /* time stamps on their own line and bracketed running times: two patterns, one name */
    static const char *const names[] = {"gap",        "stage-direction", "bracketed-note",
                                        "time-stamp", "time-stamp",      "end-marker",
                                        "page-marker"};
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(lf_ingest_strip_name(f->ing, i), names[i]);
    assert_string_equal(lf_ingest_strip_name(f->ing, 7), "\\{[^}]*\\}");
    assert_null(lf_ingest_strip_name(f->ing, 9));
    fx_ok(f, "MR. AB: one {note} two (Laughter.)\nNOTE: editor\nthree\n");
    assert_string_equal(turn_text(f, 0), "one|two|three");
    assert_int_equal(f->doc.n_strips, 3);
    assert_int_equal(f->doc.strips[0].pattern, 7);
    assert_int_equal(f->doc.strips[2].pattern, 8);
    fx_free(f);

    /* --no-default-strip keeps only "gap" (our own markup) and the user's patterns. */
    opt.no_default_strip = true;
    opt.n_strip_patterns = 1;
    f = fx_new(&opt);
    assert_int_equal(lf_ingest_strip_count(f->ing), 2);
    assert_string_equal(lf_ingest_strip_name(f->ing, 0), "gap");
    fx_ok(f, "MR. AB: one {x} (Laughter.)\nQ: [gap]\n");
    assert_string_equal(turn_text(f, 0), "one|(Laughter.)");
    assert_true(f->doc.turns[1].gap);
    fx_free(f);

    lf_error err;
    const char *bad[] = {"(unclosed"};
    opt.strip_patterns = bad;
    assert_null(lf_ingest_new(&opt, &err));
    assert_int_equal(err.status, LF_ERR_USAGE);
    assert_string_equal(err.message,
                        "--strip-pattern '(unclosed': missing closing parenthesis at offset 9");
}

static void gap_turns(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "Intro.\n\nINTERVIEWER: [gap]\n\nBAYYENAT: Trump's withdrawal was a stab.\n\n"
             "INTERVIEWER: [gap: question lost] \\[gap\\]\n\nBAYYENAT: Yes [gap] indeed.\n"
             "[gap]\n");
    lf_doc *d = &f->doc;
    assert_int_equal(d->n_turns, 5);
    assert_false(d->turns[0].gap);
    assert_true(d->turns[1].gap);
    assert_int_equal(d->turns[1].span_count, 0);
    assert_string_equal(turn_label(f, 1), "INTERVIEWER");
    assert_false(d->turns[2].gap);
    assert_true(d->turns[3].gap);
    /* A turn with words and a gap marker is not a gap turn. */
    assert_false(d->turns[4].gap);
    assert_string_equal(turn_text(f, 4), "Yes|indeed.");
    assert_int_equal(count_strips(f, "gap"), 5);
    /* A preface of only a gap marker is an unattributed gap turn. */
    fx_ok(f, "[gap]\nMR. AB: hi\n");
    assert_int_equal(d->n_turns, 2);
    assert_int_equal(d->turns[0].speaker, -1);
    assert_true(d->turns[0].gap);
    assert_int_equal(d->turns[0].line, 1);
    fx_free(f);
}

/* ---- bytes, line ends, encodings ---- */

static void line_ends_and_line_index(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    /* CRLF */
    fx_ok(f, "MR. AB: one\r\ntwo\r\n\r\nMS. BC: three\r\n");
    lf_doc *d = &f->doc;
    assert_int_equal(d->n_turns, 2);
    assert_string_equal(turn_text(f, 0), "one\r\ntwo");
    assert_int_equal(d->turns[1].line, 4);
    assert_int_equal(lf_doc_line_of(d, 0), 1);
    assert_int_equal(lf_doc_line_of(d, 12), 1); /* the LF of the first CRLF */
    assert_int_equal(lf_doc_line_of(d, 13), 2);
    assert_int_equal(lf_doc_line_of(d, 18), 3);
    /* CR only */
    fx_ok(f, "MR. AB: one\rtwo\r\rMS. BC: three\r");
    assert_int_equal(d->n_turns, 2);
    assert_string_equal(turn_text(f, 0), "one\rtwo");
    assert_string_equal(turn_text(f, 1), "three");
    assert_int_equal(d->turns[1].line, 4);
    assert_int_equal(lf_doc_line_of(d, 11), 1);
    assert_int_equal(lf_doc_line_of(d, 12), 2);
    /* mixed, and a large document: the index answers every offset */
    char *big = malloc(300000);
    assert_non_null(big);
    size_t n = 0;
    for (int i = 0; i < 30000; i++) {
        const char *eol = i % 3 == 0 ? "\n" : i % 3 == 1 ? "\r\n" : "\r";
        n += (size_t)sprintf(big + n, "w%d%s", i % 10, eol);
    }
    assert_int_equal(fx_ingest_fmt(f, big, n, LF_FORMAT_TEXT), LF_OK);
    size_t line = 1;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lf_doc_line_of(d, i), line);
        if (big[i] == '\n' || (big[i] == '\r' && big[i + 1] != '\n'))
            line++;
    }
    free(big);
    /* A document built by hand has no index: the lines are counted. */
    lf_doc hand = {.text = "a\r\nb\rc\nd", .len = 8};
    assert_int_equal(lf_doc_line_of(&hand, 0), 1);
    assert_int_equal(lf_doc_line_of(&hand, 3), 2);
    assert_int_equal(lf_doc_line_of(&hand, 5), 3);
    assert_int_equal(lf_doc_line_of(&hand, 7), 4);
    assert_int_equal(lf_doc_line_of(&hand, 100), 4);
    fx_free(f);
}

static void bom_and_nbsp(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "\xEF\xBB\xBFMR. AB:" NBSP NBSP "one" NBSP "\n");
    lf_doc *d = &f->doc;
    assert_int_equal(d->len, 20);
    assert_memory_equal(d->text, "\xEF\xBB\xBF", 3); /* the BOM stays in the text */
    assert_int_equal(d->n_turns, 1);
    assert_string_equal(turn_text(f, 0), "one");
    /* BOM before front matter; a preface right after the BOM never includes it. */
    fx_ok(f, "\xEF\xBB\xBF---\ntitle: T\n---\nMR. AB: hi\n");
    assert_string_equal(d->title, "T");
    fx_ok(f, "\xEF\xBB\xBFPreface.\nMR. AB: hi\n");
    assert_int_equal(d->spans[d->turns[0].span_first].start, 3);
    assert_string_equal(turn_text(f, 0), "Preface.");
    fx_free(f);
}

static void encoding_errors(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    const char bad[] = "line one\nline \xC3\x28 two\n";
    assert_int_equal(fx_ingest_fmt(f, bad, sizeof bad - 1, LF_FORMAT_TEXT), LF_ERR_INPUT);
    assert_string_equal(f->err.message, "t.txt:2: invalid UTF-8 at byte offset 14");
    const char overlong[] = "a\r\rb\xC0\xAF";
    assert_int_equal(fx_ingest_fmt(f, overlong, sizeof overlong - 1, LF_FORMAT_TEXT),
                     LF_ERR_INPUT);
    assert_string_equal(f->err.message, "t.txt:3: invalid UTF-8 at byte offset 4");
    const char nul[] = "abc\n de\0f";
    assert_int_equal(fx_ingest_fmt(f, nul, sizeof nul - 1, LF_FORMAT_TEXT), LF_ERR_INPUT);
    assert_string_equal(f->err.message, "t.txt:2: NUL byte at byte offset 7 (binary file?)");
    const char le[] = "\xFF\xFEM\0R\0";
    assert_int_equal(fx_ingest_fmt(f, le, sizeof le - 1, LF_FORMAT_TEXT), LF_ERR_INPUT);
    assert_string_equal(f->err.message, "t.txt: UTF-16 text is not supported; convert to UTF-8");
    const char be[] = "\xFE\xFF\0M";
    assert_int_equal(fx_ingest_fmt(f, be, sizeof be - 1, LF_FORMAT_TEXT), LF_ERR_INPUT);
    assert_contains(f->err.message, "UTF-16 text is not supported");
    fx_free(f);
}

/* ---- limits ---- */

static void limits(void **state)
{
    (void)state;
    lf_options opt;
    lf_options_init(&opt);
    opt.limits[LF_LIMIT_LINE_BYTES] = 10;
    opt.limits[LF_LIMIT_TURNS] = 2;
    opt.limits[LF_LIMIT_FILE_BYTES] = 40;
    fixture *f = fx_new(&opt);
    /* Exactly at the limits: fine. */
    fx_ok(f, "MR. AB: 12\nMR. BC: x\n");
    assert_int_equal(f->doc.n_turns, 2);
    const char *longline = "MR. AB: 1\nMR. AB: 123\n";
    assert_int_equal(fx_ingest_fmt(f, longline, strlen(longline), LF_FORMAT_TEXT),
                     LF_ERR_LIMIT);
    assert_string_equal(f->err.message,
                        "t.txt:2: line is longer than the line-bytes limit (10); raise it "
                        "with --limit line-bytes=N");
    const char *last = "MR. AB: 1\nMR. AB: 1234";
    assert_int_equal(fx_ingest_fmt(f, last, strlen(last), LF_FORMAT_TEXT), LF_ERR_LIMIT);
    assert_contains(f->err.message, "t.txt:2: line is longer");
    const char *turns = "MR. AB: 1\nMR. BC: 2\nMR. CD: 3\n";
    assert_int_equal(fx_ingest_fmt(f, turns, strlen(turns), LF_FORMAT_TEXT), LF_ERR_LIMIT);
    assert_string_equal(f->err.message,
                        "t.txt:3: document has more turns than the turns limit (2); raise it "
                        "with --limit turns=N");
    const char *big = "0123456789\n0123456789\n0123456789\n0123456789\n";
    assert_int_equal(fx_ingest_fmt(f, big, strlen(big), LF_FORMAT_TEXT), LF_ERR_LIMIT);
    assert_contains(f->err.message, "file-bytes limit (40); raise it with --limit file-bytes=N");

    /* The same limit on a real file goes through lf_read_file. */
    char path[] = "/tmp/lf_ingest_limitXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, big, strlen(big)), (ssize_t)strlen(big));
    close(fd);
    assert_int_equal(lf_ingest_file(f->ing, path, NULL, &f->doc, &f->err), LF_ERR_LIMIT);
    assert_contains(f->err.message, "--limit file-bytes=N");
    unlink(path);
    fx_free(f);
}

/* ---- files and HTML ---- */

static void ingest_file_and_reuse(void **state)
{
    (void)state;
    char path[] = "/tmp/lf_ingest_fileXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *s = "---\ntitle: From disk\n---\nMR. AB: hi\n";
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
    close(fd);
    fixture *f = fx_new(NULL);
    assert_int_equal(lf_ingest_file(f->ing, path, "corpus/a.txt", &f->doc, &f->err), LF_OK);
    assert_string_equal(f->doc.path, path);
    assert_string_equal(f->doc.id, "corpus/a.txt");
    assert_string_equal(f->doc.title, "From disk");
    assert_int_equal(f->doc.turns[0].line, 4);
    /* Reusing the document leaves nothing behind. */
    fx_ok(f, "plain\n");
    assert_null(f->doc.title);
    assert_int_equal(f->doc.n_meta, 0);
    assert_int_equal(f->doc.n_speakers, 0);
    assert_string_equal(f->doc.id, "t");
    unlink(path);
    assert_int_equal(lf_ingest_file(f->ing, path, NULL, &f->doc, &f->err), LF_ERR_INPUT);
    assert_contains(f->err.message, "No such file or directory");
    fx_free(f);
}

static void html_congressional_record(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    const char *html = "<html>\n<head>\n<title>Congressional   Record,\nVol 151</title>\n"
                       "</head>\n<body><pre>\n"              /* line 6 */
                       "[Congressional Record Volume 151]\n" /* line 7 */
                       "[[Page S5583]]\n"
                       "  Mr. CORNYN. Mr. President, Smith &amp; Sons &lt;3.\n" /* line 9 */
                       "<bullet> Mr. SESSIONS. I rise for <a href=\"x\">students</a>.\n"
                       "That is all.<bullet>\n"
                       "</pre></body></html>\n";
    assert_int_equal(fx_ingest_fmt(f, html, strlen(html), LF_FORMAT_HTML), LF_OK);
    lf_doc *d = &f->doc;
    assert_string_equal(d->title, "Congressional Record, Vol 151");
    assert_string_equal(meta(f, "title"), "Congressional Record, Vol 151");
    assert_int_equal(d->n_speakers, 2);
    assert_int_equal(d->n_turns, 3);
    assert_string_equal(turn_text(f, 0), "[Congressional Record Volume 151]");
    assert_string_equal(turn_label(f, 1), "Mr. CORNYN");
    assert_string_equal(turn_text(f, 1), "Mr. President, Smith & Sons <3.");
    /* Extracted lines keep the HTML file's line numbers. */
    assert_int_equal(d->turns[0].line, 7);
    assert_int_equal(d->turns[1].line, 9);
    assert_string_equal(turn_label(f, 2), "Mr. SESSIONS");
    assert_string_equal(turn_text(f, 2), "I rise for students.\nThat is all.");
    assert_int_equal(d->turns[2].line, 10);
    assert_int_equal(count_strips(f, "page-marker"), 1);
    assert_null(strstr(d->text, "bullet"));

    /* Without <pre>, the body text. */
    const char *body = "<html><body><p>MR. AB: one</p><p>MS. BC: two</p>"
                       "<script>var x;</script></body></html>";
    assert_int_equal(fx_ingest_fmt(f, body, strlen(body), LF_FORMAT_HTML), LF_OK);
    assert_null(d->title);
    assert_int_equal(d->n_turns, 2);
    assert_string_equal(turn_text(f, 0), "one");
    assert_string_equal(turn_text(f, 1), "two");
    fx_free(f);
}

/* ---- pathological input: no backtracking blow-up, no quadratic scan ---- */

static void pathological_inputs_are_fast(void **state)
{
    (void)state;
    lf_buf b = {0};
    for (int i = 0; i < 300000; i++)
        lf_buf_putc(&b, '(');
    lf_buf_putc(&b, '\n');
    for (int i = 0; i < 100000; i++)
        lf_buf_puts(&b, "A ");
    lf_buf_puts(&b, ":\n");
    for (int i = 0; i < 50000; i++)
        lf_buf_puts(&b, "Mr. ");
    lf_buf_putc(&b, '\n');
    for (int i = 0; i < 100000; i++)
        lf_buf_puts(&b, "\\[");
    lf_buf_putc(&b, '\n');
    for (int i = 0; i < 5000; i++)
        lf_buf_puts(&b, "(The xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    lf_buf_putc(&b, '\n');
    for (int i = 0; i < 100000; i++)
        lf_buf_puts(&b, "Q\n");
    for (int i = 0; i < 50000; i++)
        lf_buf_puts(&b, "MR. AB: x\n");
    fixture *f = fx_new(NULL);
    clock_t t0 = clock();
    assert_int_equal(fx_ingest_fmt(f, b.data, b.len, LF_FORMAT_TEXT), LF_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(f->doc.n_turns, 150000);
    /* LF_TIME_SCALE: slower under valgrind (see tests/valgrind-wrap.sh) */
    const char *scale = getenv("LF_TIME_SCALE");
    if (secs > 5.0 * (scale ? atof(scale) : 1.0))
        fail_msg("pathological input took %.2f s", secs);

    /* One turn with a place where a bracketed strip may start every two bytes and no ']'
       after them: each try must end within its pattern's bounds, not search the rest of
       the turn for the ']' (quadratic: 9 s on this machine when it did). */
    lf_buf_reset(&b);
    lf_buf_puts(&b, "MR. AB: hello\n");
    for (int i = 0; i < 160000; i++)
        lf_buf_puts(&b, "\\[");
    lf_buf_putc(&b, '\n');
    t0 = clock();
    assert_int_equal(fx_ingest_fmt(f, b.data, b.len, LF_FORMAT_TEXT), LF_OK);
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(f->doc.n_turns, 1);
    if (secs > 2.0 * (scale ? atof(scale) : 1.0))
        fail_msg("a turn of many '\\[' took %.2f s", secs);
    lf_buf_free(&b);
    fx_free(f);
}

/* ---- corpus walking ---- */

static void touch(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("MR. AB: hi\n", fp);
    fclose(fp);
}

static void input_collect(void **state)
{
    (void)state;
    char root[] = "/tmp/lf_collectXXXXXX";
    assert_non_null(mkdtemp(root));
    char p[256], q[512];
    snprintf(p, sizeof p, "%s/sub", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/.hidden", root);
    assert_int_equal(mkdir(p, 0755), 0);
    touch(root, "b.md");
    touch(root, "a.txt");
    touch(root, "c.HTM");
    touch(root, "d.html");
    touch(root, "e.pdf");
    touch(root, "LICENSE");
    touch(root, "README.md");          /* documentation, not a transcript */
    touch(root, "License-note.txt");
    touch(root, ".x.txt");
    touch(root, "sub-a.txt");
    snprintf(p, sizeof p, "%s/sub", root);
    touch(p, "z.txt");
    snprintf(p, sizeof p, "%s/.hidden", root);
    touch(p, "h.txt");
    /* A lexframe report inside the corpus is not read back; a directory whose manifest.json
       is some other program's is walked. */
    static const char *const report_dirs[] = {"out", "zz-other"};
    for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof p, "%s/%s", root, report_dirs[k]);
        assert_int_equal(mkdir(p, 0755), 0);
        touch(p, "summary.md");
        snprintf(q, sizeof q, "%s/manifest.json", p);
        FILE *mf = fopen(q, "w");
        assert_non_null(mf);
        fputs(k == 0 ? "{\n  \"lexframe\": \"0.1.0\",\n" : "{\n  \"tool\": \"x\"\n}\n", mf);
        fclose(mf);
    }
    /* A symlinked directory (a loop here) is not followed; a symlinked file is. */
    snprintf(p, sizeof p, "%s/sub/loop", root);
    assert_int_equal(symlink(root, p), 0);
    snprintf(p, sizeof p, "%s/link.txt", root);
    snprintf(q, sizeof q, "%s/a.txt", root);
    assert_int_equal(symlink(q, p), 0);

    lf_input_list list = {0};
    lf_error err;
    assert_int_equal(lf_input_collect(root, &list, &err), LF_OK);
    static const char *const want[] = {"a.txt",     "b.md",      "c.HTM",
                                       "d.html",    "link.txt",  "sub-a.txt",
                                       "sub/z.txt", "zz-other/summary.md"};
    assert_int_equal(list.n, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(list.v[i].id, want[i]);
        snprintf(p, sizeof p, "%s/%s", root, want[i]);
        assert_string_equal(list.v[i].path, p);
    }
    /* A file argument: taken whatever its extension, id = base name; appended. */
    snprintf(p, sizeof p, "%s/e.pdf", root);
    assert_int_equal(lf_input_collect(p, &list, &err), LF_OK);
    assert_int_equal(list.n, 9);
    assert_string_equal(list.v[8].id, "e.pdf");
    assert_string_equal(list.v[8].path, p);
    /* A trailing slash does not double. */
    snprintf(p, sizeof p, "%s/sub/", root);
    assert_int_equal(lf_input_collect(p, &list, &err), LF_OK);
    assert_int_equal(list.n, 10);
    snprintf(q, sizeof q, "%s/sub/z.txt", root);
    assert_string_equal(list.v[9].path, q);
    assert_string_equal(list.v[9].id, "z.txt");
    lf_input_list_free(&list);
    assert_int_equal(list.n, 0);

    snprintf(p, sizeof p, "%s/missing", root);
    assert_int_equal(lf_input_collect(p, &list, &err), LF_ERR_INPUT);
    snprintf(q, sizeof q, "%s: No such file or directory", p);
    assert_string_equal(err.message, q);
    assert_int_equal(list.n, 0);

    /* An unreadable directory (root reads everything, so only checked for others). */
    snprintf(p, sizeof p, "%s/sub", root);
    if (geteuid() != 0) {
        assert_int_equal(chmod(p, 0), 0);
        assert_int_equal(lf_input_collect(root, &list, &err), LF_ERR_INPUT);
        snprintf(q, sizeof q, "%s: Permission denied", p);
        assert_string_equal(err.message, q);
        assert_int_equal(list.n, 0);
        assert_int_equal(chmod(p, 0755), 0);
    }
    lf_input_list_free(&list);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void format_for_path(void **state)
{
    (void)state;
    assert_int_equal(lf_doc_format_for_path("a/b.htm"), LF_FORMAT_HTML);
    assert_int_equal(lf_doc_format_for_path("B.HTML"), LF_FORMAT_HTML);
    assert_int_equal(lf_doc_format_for_path("x.md"), LF_FORMAT_TEXT);
    assert_int_equal(lf_doc_format_for_path("x.txt"), LF_FORMAT_TEXT);
    assert_int_equal(lf_doc_format_for_path("html"), LF_FORMAT_TEXT);
    assert_int_equal(lf_doc_format_for_path(".html"), LF_FORMAT_TEXT);
    lf_ingest_free(NULL);
    lf_doc_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whitehouse_briefing),
        cmocka_unit_test(front_matter_speaker_aliases),
        cmocka_unit_test(front_matter_errors),
        cmocka_unit_test(front_matter_anchors_and_error_order),
        cmocka_unit_test(label_prefilter_never_hides_a_label),
        cmocka_unit_test(label_forms_accepted),
        cmocka_unit_test(label_lookalikes_rejected),
        cmocka_unit_test(label_context_rules),
        cmocka_unit_test(label_alone_on_its_line),
        cmocka_unit_test(unattributed_text_and_repeated_speakers),
        cmocka_unit_test(president_first_line_is_metadata),
        cmocka_unit_test(user_speaker_pattern),
        cmocka_unit_test(default_strips),
        cmocka_unit_test(strip_names_and_options),
        cmocka_unit_test(gap_turns),
        cmocka_unit_test(line_ends_and_line_index),
        cmocka_unit_test(bom_and_nbsp),
        cmocka_unit_test(encoding_errors),
        cmocka_unit_test(limits),
        cmocka_unit_test(ingest_file_and_reuse),
        cmocka_unit_test(html_congressional_record),
        cmocka_unit_test(pathological_inputs_are_fast),
        cmocka_unit_test(input_collect),
        cmocka_unit_test(format_for_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
