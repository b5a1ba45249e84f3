/* ingest_text.c — stage 1 core: a transcript's text becomes a document of speakers and
 * turns. Checks the bytes once (UTF-8, NUL, UTF-16, limits), builds the line index, reads
 * front matter, finds speaker labels at line starts, removes stage directions and time
 * stamps, and records each turn's text as byte spans of the unchanged source.
 * Label rule: see `default_label_pattern` and label_accepted() below. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "frontmatter.h"
#include "ingest.h"
#include "tei.h"

static_assert(PCRE2_ERROR_MATCHLIMIT == -47 && PCRE2_ERROR_DEPTHLIMIT == -53 &&
                  PCRE2_ERROR_HEAPLIMIT == -63 && PCRE2_ERROR_JIT_STACKLIMIT == -46,
              "lf_regex_limit_of knows these codes");

/* ---- documents ------------------------------------------------------------------- */

void lf_doc_init(lf_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    lf_arena_init(&doc->arena, 16 * 1024);
}

void lf_doc_reset(lf_doc *doc)
{
    doc->path = doc->id = doc->text = NULL;
    doc->len = 0;
    doc->title = doc->date = doc->source = NULL;
    doc->n_meta = doc->n_speakers = doc->n_turns = doc->n_spans = doc->n_strips = 0;
    doc->n_lines = 0;
    doc->part = 0;
    doc->more_parts = false;
    doc->line_base = 0;
    doc->file_sha256[0] = '\0';
    doc->file_bytes = 0;
    /* span sources mark a document extracted from markup: a reused doc must not keep
       them for the next (plain-text) one */
    free(doc->span_src);
    doc->span_src = NULL;
    doc->cap_span_src = 0;
    free(doc->owned_text);
    doc->owned_text = NULL;
    lf_arena_reset(&doc->arena);
}

void lf_doc_free(lf_doc *doc)
{
    if (!doc)
        return;
    free(doc->owned_text);
    free(doc->meta);
    free(doc->speakers);
    free(doc->turns);
    free(doc->spans);
    free(doc->strips);
    free(doc->span_src);
    free(doc->line_starts);
    lf_arena_free(&doc->arena);
    memset(doc, 0, sizeof *doc);
}

static size_t count_line(const char *t, size_t off);

size_t lf_doc_line_of(const lf_doc *doc, size_t off)
{
    /* Largest i with line_starts[i] <= off; line_starts[0] is 0. */
    size_t lo = 0, hi = doc->n_lines;
    if (hi == 0) /* a document built by hand, without the index: count */
        return doc->line_base +
               (doc->text ? count_line(doc->text, off < doc->len ? off : doc->len) : 1);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (doc->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return doc->line_base + lo + 1;
}

/* Line number of `off` by counting (used before the index exists, for error messages). */
static size_t count_line(const char *t, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++) {
        if (t[i] == '\n')
            line++;
        else if (t[i] == '\r' && !(i + 1 < off && t[i + 1] == '\n'))
            line++;
    }
    return line;
}

/* ---- characters ------------------------------------------------------------------ */

/* hspace_len() of a character that starts with a byte of 0xC2 or more. */
static size_t hspace_len_wide(const unsigned char *p, const unsigned char *end)
{
    if (p[0] == 0xC2 && end - p >= 2 && p[1] == 0xA0)
        return 2;
    if (end - p < 3)
        return 0;
    if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
        return 3;
    if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] <= 0x8A || p[2] == 0xAF))
        return 3;
    if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
        return 3;
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3;
    return 0;
}

/* Byte length of a horizontal space at p (space, tab, U+00A0, U+1680, U+2000–U+200A,
 * U+202F, U+205F, U+3000, U+FEFF), or 0. Inline up to the non-ASCII spaces: it is asked
 * at the start of every line. */
static inline size_t hspace_len(const unsigned char *p, const unsigned char *end)
{
    if (p >= end)
        return 0;
    if (*p == ' ' || *p == '\t')
        return 1;
    if (*p < 0xC2)
        return 0;
    return hspace_len_wide(p, end);
}

static size_t space_len(const unsigned char *p, const unsigned char *end)
{
    if (p < end && (*p == '\n' || *p == '\r' || *p == '\v' || *p == '\f'))
        return 1;
    return hspace_len(p, end);
}

size_t lf_space_len(const unsigned char *p, const unsigned char *end)
{
    return space_len(p, end);
}

/* trailing_space() when the last byte may be white space: the length of the run ending at
 * `end`, scanning back no further than start. */
static size_t trailing_space_run(const unsigned char *start, const unsigned char *end)
{
    const unsigned char *e = end;
    while (e > start) {
        unsigned char b = e[-1];
        /* ASCII white space (tab, LF, VT, FF, CR: bits 9-13, and space: bit 32) is one
           byte of the run (space_len is 1 for each); any other ASCII byte ends it. Only a
           byte above 0x7F needs its character found. */
        if (b <= ' ' && ((0x100003E00ULL >> b) & 1)) {
            e--;
            continue;
        }
        if (b < 0x80)
            break;
        const unsigned char *c = e - 1;
        while (c > start && (*c & 0xC0) == 0x80)
            c--; /* back to the lead byte */
        size_t n = space_len(c, end);
        if (!n || c + n != e)
            break;
        e = c;
    }
    return (size_t)(end - e);
}

/* Length of the whitespace run ending at `end` (scanning back no further than start).
 * Inline, as it is asked of every line: most lines end in a visible ASCII character, and
 * no space can be there. */
static inline size_t trailing_space(const unsigned char *start, const unsigned char *end)
{
    if (end <= start || (end[-1] > ' ' && end[-1] < 0x80))
        return 0; /* an empty line, too, is common */
    return trailing_space_run(start, end);
}

size_t lf_label_normalize(const char *s, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t o = 0;
    bool pending = false;
    while (p < end) {
        size_t h = space_len(p, end);
        if (h) {
            pending = o > 0;
            p += h;
            continue;
        }
        if (pending)
            out[o++] = ' ';
        pending = false;
        out[o++] = (char)*p++;
    }
    while (o > 0 && (out[o - 1] == ':' || out[o - 1] == '.' || out[o - 1] == ' '))
        o--;
    return o;
}

/* ---- the default label rule ------------------------------------------------------- */

/* A speaker label starts a line, after optional indentation (spaces, tabs, U+00A0) and an
 * optional GPO "<bullet>" marker. The pattern finds the label's shape; label_accepted()
 * then applies the checks that need context. Shapes, in the order tried:
 *  (q)     "Q" followed by ':' or '.', by whitespace, or by the end of the line — a
 *          reporter's question: "Q:", "Q.", "Q<U+00A0><U+00A0> Hi, thanks".
 *  (caps)  1–6 ALL-CAPS words (capital letters, marks, ' ’ - and an inner '.' or a final
 *          ',' per word; no digits) whose last word has at least two letters, then ':' or
 *          '.': "MS. JEAN-PIERRE:", "SENIOR ADMINISTRATION OFFICIAL:", "MR. SMITH.",
 *          "HOWARD K. SMITH, MODERATOR:".
 *  (title) a title (Mr., Mrs., Ms., Dr., The, Senator, Governor, President, Secretary,
 *          Ambassador, Minister, Chairman, Madam, …) and 1–4 capitalized name words (or
 *          particles de/van/von/…; "pro tempore" may follow), then '.' or ':', with an
 *          optional parenthesis before it that is not part of the label ("The PRESIDING
 *          OFFICER (Mr. Cornyn)."): "Mr. CORNYN.", "Mr. Mondale.", "President Biden:".
 *  (words) 1–4 Capitalized Words (letters, marks, ' ’ . -; no lowercase word) then ':':
 *          "Chris Wallace:", "Moderator:".
 * The label ends before its ':' / '.'; the turn's text starts after it, on the same line
 * or, when nothing follows the label there, on the next line. */
#define LU "\\p{Lu}"
#define CW LU "[\\p{Lu}\\p{M}'\xE2\x80\x99\\-]*(?:\\." LU "[\\p{Lu}\\p{M}'\xE2\x80\x99\\-]*)*\\.?,?"
#define CL LU "(?:[\\p{Lu}\\p{M}'\xE2\x80\x99\\-]|\\." LU ")*" LU
#define TITLES                                                                             \
    "(?:Mr|Mrs|Ms|Mx|Dr|Sen|Rep|Gov|Gen|Adm|Col|Capt|Lt|Sgt|Prof|Rev|Amb|Hon|Pres|Sec|St)\\." \
    "|Mister|Miss|Madam|Madame|The|Senator|Governor|President|Vice|Secretary|Ambassador"    \
    "|Minister|Prime|Chairman|Chairwoman|Chairperson|Chair|Speaker|Representative"          \
    "|Congressman|Congresswoman|Judge|Justice|General|Admiral|Colonel|Captain|Major"        \
    "|Professor|Mayor|Director|Administrator|Commissioner|Chancellor|Leader|Deputy|Acting"  \
    "|Sir|Lord|Lady|Dame|King|Queen|Prince|Princess|Sheikh|Father|Sister|Rabbi|Reverend"    \
    "|Bishop|Cardinal|Dean|Officer|Agent|Sergeant|Lieutenant|Commander|Delegate|Premier"    \
    "|Chief|Surgeon|Attorney|Councilman|Councilwoman|Councilmember"
/* An abbreviated title never ends a capitals label: "MR. McGEE:" is a title and a name. */
#define ABBREV "Mr|Mrs|Ms|Mx|Dr|St|Sen|Rep|Gov|Gen|Prof|Rev|Lt|Sgt|Capt|Col|Adm"
#define PARTICLE "(?:de|del|della|di|da|du|dos|das|van|von|der|den|la|le|bin|ibn|al|el)"
/* The longest of PARTICLE's alternatives (checked in build_word_kinds). */
#define PARTICLE_MAX 5
#define NW "(?:" LU "\\.|" LU "[\\p{L}\\p{M}'\xE2\x80\x99\\-]*\\p{L}|" PARTICLE ")"
#define NL LU "[\\p{L}\\p{M}'\xE2\x80\x99\\-]*\\p{L}"
#define MW LU "[\\p{L}\\p{M}'\xE2\x80\x99.\\-]*"

/* Bytes from a line's first character within which the default rule's ':' or '.' must
 * come: longer than any label the pattern below can match (six words, a title and name,
 * a parenthesis of at most 60 characters). */
#define LABEL_SCAN_BYTES 400

static const char default_label_pattern[] =
    "(?:<bullet>\\h*)?"
    "(?:(?<q>Q)[:.]?(?=\\h|$)"
    "|(?<caps>(?:" CW "\\h+){0,5}(?!(?i:" ABBREV ")\\.)" CL ")(?<cend>[:.])(?=\\h|$)"
    "|(?<title>(?i:" TITLES "))\\h+(?<name>(?:" NW "\\h+){0,3}" NL
    "(?:\\h+pro\\h+tempore)?)(?:\\h+\\([^()]{1,60}\\))?(?<tend>[:.])(?=\\h|$)"
    "|(?<words>" MW "(?:\\h+" MW "){0,3})(?<wend>:)(?=\\h|$))";

/* Words compared ASCII-case-insensitively, without a trailing '.' or ','. */
static const char *const title_words[] = {
    "MR", "MRS", "MS", "MX", "MISS", "DR", "MISTER", "MADAM", "MADAME", "SENATOR", "SEN",
    "GOVERNOR", "GOV", "PRESIDENT", "VICE", "SECRETARY", "AMBASSADOR", "MINISTER", "PRIME",
    "CHAIRMAN", "CHAIRWOMAN", "CHAIRPERSON", "CHAIR", "SPEAKER", "REPRESENTATIVE", "REP",
    "CONGRESSMAN", "CONGRESSWOMAN", "JUDGE", "JUSTICE", "GENERAL", "GEN", "ADMIRAL",
    "COLONEL", "CAPTAIN", "MAJOR", "PROFESSOR", "PROF", "MAYOR", "DIRECTOR", "ADMINISTRATOR",
    "COMMISSIONER", "CHANCELLOR", "LEADER", "DEPUTY", "ACTING", "SIR", "LORD", "LADY", "DAME",
    "KING", "QUEEN", "PRINCE", "PRINCESS", "SHEIKH", "FATHER", "SISTER", "RABBI", "REVEREND",
    "REV", "BISHOP", "CARDINAL", "DEAN", "OFFICER", "AGENT", "SERGEANT", "LIEUTENANT",
    "COMMANDER", "DELEGATE", "PREMIER", "CHIEF", "SURGEON", "ATTORNEY", "FIRST", "PRESIDING",
    "SENIOR", "CLERK", NULL};
/* Roles that make a label on their own ("MODERATOR.", "Interviewer:"). */
static const char *const role_words[] = {
    "MODERATOR", "INTERVIEWER", "INTERVIEWEE", "AUDIENCE", "QUESTION", "ANSWER", "REPORTER",
    "HOST", "SPEAKER", "ANNOUNCER", "NARRATOR", "OPERATOR", "PARTICIPANT", "PARTICIPANTS",
    "VOICE", "INTERPRETER", "TRANSLATOR", "PANELIST", "ANCHOR", "CORRESPONDENT", "JOURNALIST",
    "STUDENT", "CHILD", "AIDE", "CROWD", "GUEST", "CALLER", "PRESENTER", "RESPONDENT", "CLERK",
    "CHAIR", "CHAIRMAN", "CHAIRWOMAN", "WITNESS", NULL};
/* Forms of address: a label containing one is a salutation ("GENTLEMEN OF THE CONGRESS:",
 * "MR. PRESIDENT AND FELLOW-CITIZENS OF NEW-YORK:"). */
static const char *const salutation_words[] = {
    "GENTLEMEN", "LADIES", "SIRS", "FELLOW", "FELLOW-CITIZENS", "FELLOW-COUNTRYMEN",
    "CITIZENS", "COUNTRYMEN", "FRIENDS", "CONGRESS", "SENATE", NULL};
/* First words that make a line a heading, a sentence or a salutation, not a label. */
static const char *const stop_first_words[] = {
    "MY", "DEAR", "TO", "BY", "FROM", "RE", "SUBJECT", "MEMORANDUM", "WHEREAS", "RESOLVED",
    "ATTEST", "SIGNED", "APPROVED", "NOTE", "NOTES", "EXCELLENCY", "ARTICLE", "ART", "SEC",
    "SECTION", "CHAPTER", "PART", "TITLE", "YES", "NO", "THANKS", "THANK", "GOOD", "EXAMPLE",
    "STEP", "AND", "OR",
    "BUT", "IF", "IN", "ON", "AT", "FOR", "OF", "WITH", "WHY", "WHAT", "WHEN", "WHERE", "HOW",
    "WHO", "WHICH", "THIS", "THAT", "THESE", "THOSE", "IT", "WE", "YOU", "HE", "SHE", "THEY",
    "OUR", "YOUR", "HIS", "HER", "THEIR", "UPDATE", "WARNING", "IMPORTANT", "GREETING",
    "GREETINGS", "PS", "NB", "ANNEX", "APPENDIX", "SCHEDULE", "TABLE", "FIGURE", "KEY",
    "SUMMARY", "BACKGROUND", "Q&A", NULL};
/* Words that are no label on their own ("FIRST:", "SIR:", "GENERAL:" in a letter). */
static const char *const single_stop_words[] = {
    "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "FINALLY", "NEXT", "LAST", "SIR", "GENERAL",
    "MADAM", "LADY", "GENTLEMEN", "NOTE", "PRESIDENT", "SENATOR", "GOVERNOR", "SECRETARY",
    "SPEAKER", NULL};
/* Honorifics: followed only by office words they make a form of address ("Mr. President",
 * "MADAM SPEAKER", "MR. SECRETARY OF STATE"), not a speaker. */
static const char *const honorific_words[] = {"MR", "MRS", "MS", "MISS", "MADAM", "MADAME",
                                              "MISTER", NULL};

static const char *const the_word[] = {"THE", NULL};
/* Abbreviated titles: a title-shape label ending in '.' on one ("Reverend Dr.") is none. */
static const char *const abbreviated_words[] = {"DR", "MR", "MRS", "MS", "ST", "SEN", "REP",
                                                "GOV", "GEN", "PROF", "REV", "JR", "SR", NULL};

/* What a word is to the label rule: one bit per list above. */
enum {
    KIND_TITLE = 1u << 0,
    KIND_ROLE = 1u << 1,
    KIND_SALUTATION = 1u << 2,
    KIND_STOP_FIRST = 1u << 3,
    KIND_SINGLE_STOP = 1u << 4,
    KIND_HONORIFIC = 1u << 5,
    KIND_THE = 1u << 6,
    KIND_ABBREVIATED = 1u << 7,
    KIND_OFFICE = KIND_TITLE | KIND_ROLE,
    /* a word of the pattern's TITLES (for label_possible, not the checks) */
    KIND_PATTERN_TITLE = 1u << 8,
};
static const struct {
    const char *const *words;
    uint32_t kind;
} word_lists[] = {
    {title_words, KIND_TITLE},           {role_words, KIND_ROLE},
    {salutation_words, KIND_SALUTATION}, {stop_first_words, KIND_STOP_FIRST},
    {single_stop_words, KIND_SINGLE_STOP}, {honorific_words, KIND_HONORIFIC},
    {the_word, KIND_THE},                {abbreviated_words, KIND_ABBREVIATED},
};
/* No word of the lists is longer: a longer word is none of them. */
#define KIND_WORD_MAX 32

/* Fills `kinds` with every word of the lists and the bits of the lists that hold it, so
 * that a candidate label's words are looked up once each instead of being compared with
 * each entry of each list (a label is checked against several hundred words). Bit n of
 * title_lengths[c - 'A'] is set when a title of the pattern has n letters and starts with
 * c (see first_word_title). */
static void build_word_kinds(lf_strmap *kinds, uint64_t title_lengths[26])
{
    /* the pattern's titles are the runs of letters in TITLES */
    static const char titles[] = TITLES;
    for (const char *c = titles; *c;) {
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))) {
            c++;
            continue;
        }
        char up[KIND_WORD_MAX];
        size_t n = 0;
        for (; (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'); c++) {
            assert(n < KIND_WORD_MAX);
            up[n++] = *c >= 'a' ? (char)(*c - 'a' + 'A') : *c;
        }
        uint32_t k = 0;
        lf_strmap_get(kinds, up, n, &k);
        lf_strmap_put(kinds, up, n, k | KIND_PATTERN_TITLE);
        title_lengths[up[0] - 'A'] |= (uint64_t)1 << n;
    }
#ifndef NDEBUG
    static const char particles[] = PARTICLE; /* "(?:de|del|...)" */
    for (const char *a = particles + 3; *a != ')';) {
        size_t n = strcspn(a, "|)");
        assert(n <= PARTICLE_MAX);
        a += n + (a[n] == '|');
    }
#endif
    for (size_t i = 0; i < sizeof word_lists / sizeof word_lists[0]; i++)
        for (const char *const *w = word_lists[i].words; *w; w++) {
            size_t n = strlen(*w);
            assert(n <= KIND_WORD_MAX);
            uint32_t k = 0;
            lf_strmap_get(kinds, *w, n, &k);
            lf_strmap_put(kinds, *w, n, k | word_lists[i].kind);
        }
}

typedef struct word {
    const char *s;
    size_t n;
} word;

/* The kinds of a word (KIND_ bits): the lists' words are compared ASCII-case-insensitively,
 * without the word's trailing '.' or ','. */
static uint32_t word_kind(const lf_strmap *kinds, const word *w)
{
    size_t n = w->n;
    while (n > 0 && (w->s[n - 1] == '.' || w->s[n - 1] == ','))
        n--;
    if (n == 0 || n > KIND_WORD_MAX)
        return 0;
    char up[KIND_WORD_MAX];
    for (size_t i = 0; i < n; i++) {
        char c = w->s[i];
        up[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    uint32_t k = 0;
    lf_strmap_get(kinds, up, n, &k);
    return k;
}

/* Splits s[0..n) at horizontal spaces into at most `max` words; returns the count. */
static size_t split_words(const char *s, size_t n, word *w, size_t max)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t k = 0;
    while (p < end && k < max) {
        size_t h;
        while ((h = hspace_len(p, end)) != 0)
            p += h;
        if (p >= end)
            break;
        const unsigned char *b = p;
        while (p < end && !hspace_len(p, end))
            p++;
        w[k++] = (word){(const char *)b, (size_t)(p - b)};
    }
    return k;
}

/* A name word written in capitals: "CORNYN", "McGEE" (more capitals than lowercase). */
static bool is_caps_word(const word *w)
{
    size_t upper = 0, lower = 0;
    for (size_t i = 0; i < w->n; i++) {
        unsigned char c = (unsigned char)w->s[i];
        if (c >= 'a' && c <= 'z')
            lower++;
        if (c >= 'A' && c <= 'Z')
            upper++;
    }
    return upper >= 2 && upper > lower;
}

/* Context of a candidate line, computed by the line scan. */
typedef struct line_ctx {
    bool para_start;   /* first line of the body, or the previous line is blank */
    bool continuation; /* the previous line ends mid-sentence (lowercase letter, ',' ';') */
    const char *rest;  /* text after the label on the same line (may be empty) */
    size_t rest_len;
} line_ctx;

static bool rest_has_text(const line_ctx *c)
{
    const unsigned char *p = (const unsigned char *)c->rest, *end = p + c->rest_len;
    while (p < end) {
        size_t h = hspace_len(p, end);
        if (!h)
            return true;
        p += h;
    }
    return false;
}

/* True when the rest of the line has capitals but no lowercase letter: the label is then
 * part of a heading or signature ("TH: JEFFERSON."), not a speaker. */
static bool rest_is_shouted(const line_ctx *c)
{
    size_t upper = 0;
    for (size_t i = 0; i < c->rest_len; i++) {
        unsigned char ch = (unsigned char)c->rest[i];
        if (ch >= 'a' && ch <= 'z')
            return false;
        if (ch >= 'A' && ch <= 'Z')
            upper++;
    }
    return upper >= 2;
}

enum { SHAPE_NONE, SHAPE_Q, SHAPE_CAPS, SHAPE_TITLE, SHAPE_WORDS };

/* The rest of the line opens with a quotation mark: "Senator Kramer: “It's fun…”" quotes
 * someone inside a turn. */
static bool rest_opens_quote(const line_ctx *c)
{
    const unsigned char *p = (const unsigned char *)c->rest, *end = p + c->rest_len;
    size_t h;
    while ((h = hspace_len(p, end)) != 0)
        p += h;
    if (p < end && (*p == '"' || *p == '\''))
        return true;
    /* U+201C “ and U+2018 ‘ */
    return end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x9C || p[2] == 0x98);
}

/* The context checks of the default rule (the shapes are in default_label_pattern).
 * Everywhere: a label ending in '.' needs text after it on the same line (a lone
 * "ANDREW JOHNSON." is a signature, "COVID." a sentence); no word of the label may be a
 * salutation word (GENTLEMEN, FELLOW-CITIZENS, CONGRESS …), the first word no stop word
 * (MY, DEAR, TO, BY, SEC, ARTICLE, SUBJECT …), a single word no stop word of its own
 * (FIRST, SIR, GENERAL …); an honorific followed by an office ("Mr. President") is a form
 * of address. Then per shape:
 *  (q)     a bare "Q" (no ':' or '.') is refused when the previous line ends mid-sentence
 *          (lowercase letter, ',' ';'): hard-wrapped text may start a line with "Q".
 *  (caps)  a single word is refused after a mid-sentence line too (a hard-wrapped "NATO:
 *          we are…" continues the sentence above). With '.', the first word must be a
 *          title (MR., GOVERNOR …), or THE followed by a title/role word, or the label a
 *          single role word (MODERATOR.). When no word is a title or role, the text after
 *          it must not be all capitals ("TH: JEFFERSON.") and a single word must not be
 *          followed by a quotation ("CBS: “…”").
 *  (title) "The" must be followed by a capitals word or a title/role word; the last word
 *          must not be a title ("Reverend Dr. King"). A name in capitals (Congressional
 *          Record "Mr. CORNYN.", "MR. McGEE:") may start any line; a mixed-case one
 *          ("Mr. Mondale.") is weak: it must start a paragraph and not open a quotation.
 *  (words) ':' only: at a paragraph start, not opening a quotation; a single word only
 *          when it is a role (Moderator:, Interviewer:, Audience: …). Weak unless the label
 *          is alone on its line.
 * A label is the whole line's business: a label shape that fails these checks is not
 * retried as a shorter shape. Weak labels of two or more words count only when the same label occurs at least twice
 * in the document or is a front-matter speaker (see drop_lonely_weak_labels()): a one-off
 * "Washington Post:" or "West Point:" is a citation or a heading. Sets *weak. */
static bool label_accepted(const lf_strmap *kinds, int shape, const char *lab, size_t lab_n,
                           char end, const line_ctx *c, bool *weak)
{
    word w[8];
    uint32_t k[8], any = 0;
    size_t nw = split_words(lab, lab_n, w, 8);
    *weak = false;
    if (nw == 0 || (end == '.' && !rest_has_text(c)))
        return false;
    for (size_t i = 0; i < nw; i++) {
        k[i] = word_kind(kinds, &w[i]);
        any |= k[i];
    }
    /* an honorific followed by an office is a form of address */
    bool address = nw >= 2 && (k[0] & KIND_HONORIFIC) && (k[1] & KIND_OFFICE);
    if ((any & KIND_SALUTATION) || (k[0] & KIND_STOP_FIRST) ||
        (nw == 1 && (k[0] & KIND_SINGLE_STOP)) || address)
        return false;
    bool office = any & KIND_OFFICE;
    switch (shape) {
    case SHAPE_Q:
        return !(c->continuation && end == 0);
    case SHAPE_CAPS: {
        if (c->continuation && nw == 1)
            return false;
        bool role = nw == 1 && (k[0] & KIND_ROLE);
        if (end == '.') {
            if (nw == 1)
                return role;
            if (k[0] & KIND_TITLE)
                return true;
            if (k[0] & KIND_THE)
                for (size_t i = 1; i < nw; i++)
                    if (k[i] & KIND_OFFICE)
                        return true;
            return false;
        }
        if (!office && rest_has_text(c) && rest_is_shouted(c))
            return false;
        return !(nw == 1 && !role && rest_opens_quote(c));
    }
    case SHAPE_TITLE: {
        if (nw < 2 || (end == '.' && (k[nw - 1] & KIND_ABBREVIATED)))
            return false;
        bool caps_name = false;
        for (size_t i = 1; i < nw; i++)
            caps_name = caps_name || is_caps_word(&w[i]);
        if ((k[0] & KIND_THE) && !caps_name && !(k[1] & KIND_OFFICE))
            return false;
        if (caps_name)
            return true;
        *weak = true;
        return c->para_start && !rest_opens_quote(c);
    }
    case SHAPE_WORDS:
        if (!c->para_start || rest_opens_quote(c))
            return false;
        if (nw == 1)
            return k[0] & KIND_ROLE;
        /* alone on its line ("Chris Wallace:" above the turn) it needs no second sighting */
        *weak = rest_has_text(c);
        return true;
    default:
        return false;
    }
}

/* ---- strip patterns -------------------------------------------------------------- */

/* Built-in patterns; "gap" is always first and stays with --no-default-strip because it
 * is lexframe's own markup for missing talk, not a stage direction. */
enum { STRIP_GAP = 0 };
#define STAGE_WORDS                                                                       \
    "applause|laughter|laughs|laughing|inaudible|crosstalk|cross-talk|coughs|coughing"     \
    "|clears throat|cheers|cheering|boos|booing|sighs|sneezes|off-mic|off mic"             \
    "|unintelligible|indiscernible|audio (?:drops|cuts out|cut out)|in progress|music"     \
    "|pause|silence|no translation provided|as interpreted|chuckles|groans"
/* Where a built-in pattern's matches can start. PCRE2 looks for a match by trying each
 * position its start bitmap allows, which for some of these patterns is slow over a long
 * turn; a cheap scan finds the few places where a match can start instead, and each is
 * tried with an anchored match (see next_start). */
enum {
    STARTS_ANYWHERE,   /* PCRE2 searches */
    STARTS_BRACKET,    /* at "[", or at a backslash before "[" (Markdown) */
    STARTS_CLOCK_LINE, /* at a line start followed by spaces and digits, then ':' */
};
/* need: a string every match holds, so that a turn without it is not scanned at all. */
static const struct {
    const char *name, *pattern, *need;
    int starts;
} default_strips[] = {
    {"gap", "\\\\?\\[(?i:gap)(?:\\h*:[^\\]\\\\\\r\\n]*)?\\\\?\\]", "[", STARTS_BRACKET},
    /* (Laughter.) (applause) (inaudible) (The bill is signed.) — a known stage word, or a
       short parenthesis starting with a capital and ending with '.', possibly wrapped over
       lines but never across a blank line; not abbreviations like (U.S.). */
    {"stage-direction",
     "\\((?:(?i:" STAGE_WORDS ")\\b(?:[^()\\r\\n]|\\R(?!\\h*\\R)){0,80}?"
     "|(?!(?:\\p{Lu}\\.)+\\))\\p{Lu}(?:[^()\\r\\n]|\\R(?!\\h*\\R)){0,100}?\\.)\\)", "(",
     STARTS_ANYWHERE},
    /* [crosstalk 00:15:10] [inaudible] [laughter] [Applause] [sic], Markdown-escaped too. */
    {"bracketed-note",
     "\\\\?\\[(?i:" STAGE_WORDS "|sic|ph|redacted|foreign language|speaking foreign language"
     "|background noise|audio gap|technical difficulties)\\b[^\\[\\]\\r\\n]{0,60}?\\\\?\\]",
     "[", STARTS_BRACKET},
    /* A line holding only a time of day: "1:26 P.M. EST", "10:40 A.M. EDT"; and, as a
       second pattern of the same name, a bracketed running time "[00:15:10]". Two
       patterns, because PCRE2 tries a pattern whose every branch starts with ^ at line
       starts only, and one whose branches start anywhere at every space and digit. */
    {"time-stamp",
     "(?m)^\\h*\\d{1,2}:\\d{2}(?:\\h*[AaPp]\\.?\\h?[Mm]\\.?(?:\\h+\\p{Lu}{2,5})?"
     "|\\h+\\p{Lu}{2,5})\\h*$",
     ":", STARTS_CLOCK_LINE},
    {"time-stamp", "\\\\?\\[\\d{1,2}:\\d{2}(?::\\d{2})?\\\\?\\]", "[", STARTS_BRACKET},
    /* The briefing closer "END", possibly followed by a time. */
    {"end-marker",
     "(?m)^\\h*END(?:\\h+\\d{1,2}:\\d{2}(?:\\h*[AP]\\.?\\h?M\\.?)?(?:\\h+\\p{Lu}{2,5})?)?\\h*$",
     "END", STARTS_ANYWHERE},
    /* Congressional Record page markers [[Page S5583]] [Page S5579] [Pages S1-S2], and
       print page references [p.234]. */
    {"page-marker",
     "\\[\\[?Pages?\\h+[A-Z]{0,2}\\d+(?:\\h*-\\h*[A-Z]{0,2}\\d+)?\\]\\]?|\\[p\\.\\h?\\d+\\]", "[",
     STARTS_BRACKET},
};
enum { N_DEFAULT_STRIPS = sizeof default_strips / sizeof default_strips[0] };

typedef struct strip_pat {
    pcre2_code *code;
    char *name;       /* owned copy */
    const char *need; /* a string every match holds (built-in patterns), or NULL */
    size_t need_len;
    int need_as;      /* an earlier pattern with the same need, whose answer it takes, or -1 */
    bool need_found;  /* whether the current turn holds need */
    /* need_at is where need first occurs in the document at or after need_from (the
       document's length when it does not); need_from is SIZE_MAX when not yet known */
    size_t need_from, need_at;
    bool gap;
    int starts; /* STARTS_: where a match can start */
} strip_pat;

typedef struct label_hit {
    uint32_t line;       /* 0-based line index */
    uint32_t line_start; /* where the label's line starts: the previous turn ends here */
    uint32_t lab_start, lab_end;
    uint32_t body; /* first byte after the label */
    bool weak;     /* a mixed-case label that needs a second occurrence */
} label_hit;

/* A label as written (in the document's text) and its speaker. */
typedef struct recent_label {
    const char *s;
    size_t n;
    int32_t id;
} recent_label;
enum { RECENT_LABELS = 4 };

struct lf_ingest {
    pcre2_code *label_re;
    bool user_labels;
    uint32_t grp_label, grp_q, grp_caps, grp_cend, grp_title, grp_name, grp_tend, grp_words;
    strip_pat *strips;
    size_t n_strips;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    pcre2_match_data *md;
    uint64_t limits[LF_LIMIT_COUNT];
    bool hash_files; /* lf_ingest_set_hashing */
    /* Scratch reused from document to document. */
    LF_VEC(label_hit) hits;
    LF_VEC(lf_strip) found;
    lf_alias_vec aliases;
    lf_strmap speaker_ids;
    /* The last labels speaker_for saw, as written, and their speakers: a document's turns
       mostly go back and forth between a few labels written alike. */
    recent_label recent[RECENT_LABELS];
    size_t n_recent;
    lf_strmap word_kinds; /* the default rule's word lists (build_word_kinds) */
    uint64_t title_lengths[26]; /* the pattern's titles by initial and length (ditto) */
    char *norm;
    size_t norm_cap;
    const char *doc_text; /* the document being ingested */
    lf_tei *tei;          /* the TEI reader (ingest_tei.c) */
    const char *corpus_root; /* for the next TEI document (lf_ingest_input) */
    /* speaker aliases of a record (lf_ingest_record), placed before the front matter's */
    const lf_speaker *seed_aliases;
    size_t n_seed_aliases;
};

static pcre2_code *compile(const char *pattern, uint32_t options, pcre2_compile_context *cc,
                           int *errcode, PCRE2_SIZE *erroff)
{
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     options | PCRE2_UTF | PCRE2_UCP, errcode, erroff, cc);
    if (code && lf_regex_jit_enabled())
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return code;
}

static void pcre2_message(int code, char *buf, size_t n)
{
    if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, n) < 0)
        snprintf(buf, n, "PCRE2 error %d", code);
}

static uint32_t group(const pcre2_code *code, const char *name)
{
    int n = pcre2_substring_number_from_name(code, (PCRE2_SPTR)name);
    return n > 0 ? (uint32_t)n : 0;
}

lf_ingest *lf_ingest_new(const lf_options *opt, lf_error *err)
{
    lf_ingest *ing = lf_xcalloc(1, sizeof *ing);
    memcpy(ing->limits, opt->limits, sizeof ing->limits);
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc)
        lf_oom();
    /* Lines end at LF, CR or CRLF everywhere, for ^ $ and \R alike. */
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
    pcre2_set_bsr(cc, PCRE2_BSR_ANYCRLF);
    int ec;
    PCRE2_SIZE eo;
    char msg[256];

    ing->user_labels = opt->speaker_pattern != NULL;
    if (ing->user_labels) {
        ing->label_re = compile(opt->speaker_pattern, PCRE2_ANCHORED | PCRE2_MULTILINE, cc,
                                &ec, &eo);
        if (!ing->label_re) {
            pcre2_message(ec, msg, sizeof msg);
            lf_error_set(err, LF_ERR_USAGE, "--speaker-pattern: %s at offset %zu", msg,
                         (size_t)eo);
            goto fail;
        }
        ing->grp_label = group(ing->label_re, "label");
        if (!ing->grp_label) {
            lf_error_set(err, LF_ERR_USAGE,
                         "--speaker-pattern: the pattern has no group named 'label' "
                         "(write (?<label>...))");
            goto fail;
        }
    } else {
        ing->label_re = compile(default_label_pattern, PCRE2_ANCHORED, cc, &ec, &eo);
        if (!ing->label_re) { /* a bug in the built-in pattern */
            pcre2_message(ec, msg, sizeof msg);
            lf_error_set(err, LF_ERR_USAGE, "built-in speaker pattern: %s at offset %zu",
                         msg, (size_t)eo);
            goto fail;
        }
        ing->grp_q = group(ing->label_re, "q");
        ing->grp_caps = group(ing->label_re, "caps");
        ing->grp_cend = group(ing->label_re, "cend");
        ing->grp_title = group(ing->label_re, "title");
        ing->grp_name = group(ing->label_re, "name");
        ing->grp_tend = group(ing->label_re, "tend");
        ing->grp_words = group(ing->label_re, "words");
        lf_strmap_init(&ing->word_kinds);
        build_word_kinds(&ing->word_kinds, ing->title_lengths);
    }

    size_t n = (opt->no_default_strip ? 1 : N_DEFAULT_STRIPS) + opt->n_strip_patterns;
    ing->strips = lf_xcalloc(n, sizeof *ing->strips);
    for (size_t i = 0; i < N_DEFAULT_STRIPS; i++) {
        if (i != STRIP_GAP && opt->no_default_strip)
            continue;
        strip_pat *sp = &ing->strips[ing->n_strips];
        /* A pattern tried only where its matches can start is compiled anchored: the JIT
           serves it, where PCRE2_ANCHORED given at match time runs the interpreter. And
           without start optimizations: the JIT's search for a required character (the
           closing ']') is not bounded as the interpreter's is, so on a long turn with
           many '[' and no ']' each try would read to the turn's end. */
        sp->code = compile(default_strips[i].pattern,
                           default_strips[i].starts != STARTS_ANYWHERE
                               ? PCRE2_ANCHORED | PCRE2_NO_START_OPTIMIZE
                               : 0,
                           cc, &ec, &eo);
        if (!sp->code) {
            pcre2_message(ec, msg, sizeof msg);
            lf_error_set(err, LF_ERR_USAGE, "built-in strip pattern %s: %s at offset %zu",
                         default_strips[i].name, msg, (size_t)eo);
            goto fail;
        }
        sp->name = lf_xstrdup(default_strips[i].name);
        sp->need = default_strips[i].need;
        sp->need_len = strlen(sp->need);
        sp->need_as = -1;
        for (size_t j = 0; j < ing->n_strips && sp->need_as < 0; j++)
            if (ing->strips[j].need && strcmp(ing->strips[j].need, sp->need) == 0)
                sp->need_as = (int)j; /* four patterns need '[': one search a turn */
        sp->gap = i == STRIP_GAP;
        sp->starts = default_strips[i].starts;
        ing->n_strips++;
    }
    for (size_t i = 0; i < opt->n_strip_patterns; i++) {
        strip_pat *sp = &ing->strips[ing->n_strips];
        /* User patterns see the turn text with ^ and $ at line boundaries. */
        sp->code = compile(opt->strip_patterns[i], PCRE2_MULTILINE, cc, &ec, &eo);
        if (!sp->code) {
            pcre2_message(ec, msg, sizeof msg);
            lf_error_set(err, LF_ERR_USAGE, "--strip-pattern '%s': %s at offset %zu",
                         opt->strip_patterns[i], msg, (size_t)eo);
            goto fail;
        }
        sp->name = lf_xstrdup(opt->strip_patterns[i]);
        ing->n_strips++;
    }
    pcre2_compile_context_free(cc);
    cc = NULL;

    ing->mctx = pcre2_match_context_create(NULL);
    ing->md = pcre2_match_data_create(32, NULL);
    if (!ing->mctx || !ing->md)
        lf_oom();
    uint64_t ml = ing->limits[LF_LIMIT_REGEX_MATCH], hl = ing->limits[LF_LIMIT_REGEX_HEAP_KIB];
    pcre2_set_match_limit(ing->mctx, ml > UINT32_MAX ? UINT32_MAX : (uint32_t)ml);
    pcre2_set_heap_limit(ing->mctx, hl > UINT32_MAX ? UINT32_MAX : (uint32_t)hl);
    /* the JIT's stack is the memory the heap limit bounds for the interpreter */
    ing->jit = pcre2_jit_stack_create(32 * 1024, lf_regex_jit_stack_max(hl), NULL);
    if (ing->jit)
        pcre2_jit_stack_assign(ing->mctx, NULL, ing->jit);
    lf_strmap_init(&ing->speaker_ids);
    ing->tei = lf_tei_new(opt, err);
    if (!ing->tei)
        goto fail;
    return ing;
fail:
    pcre2_compile_context_free(cc);
    lf_ingest_free(ing);
    return NULL;
}

void lf_ingest_free(lf_ingest *ing)
{
    if (!ing)
        return;
    pcre2_code_free(ing->label_re);
    for (size_t i = 0; i < ing->n_strips; i++) {
        pcre2_code_free(ing->strips[i].code);
        free(ing->strips[i].name);
    }
    free(ing->strips);
    pcre2_match_data_free(ing->md);
    pcre2_match_context_free(ing->mctx);
    pcre2_jit_stack_free(ing->jit);
    LF_VEC_FREE(ing->hits);
    LF_VEC_FREE(ing->found);
    LF_VEC_FREE(ing->aliases);
    lf_strmap_free(&ing->speaker_ids);
    lf_strmap_free(&ing->word_kinds);
    free(ing->norm);
    lf_tei_free(ing->tei);
    free(ing);
}

void lf_ingest_set_hashing(lf_ingest *ing, bool on)
{
    ing->hash_files = on;
}

void lf_ingest_set_warnings(lf_ingest *ing, FILE *fp)
{
    lf_tei_set_warnings(ing->tei, fp);
}

void lf_ingest_set_root_first(lf_ingest *ing, bool first)
{
    lf_tei_set_root_first(ing->tei, first);
}

size_t lf_ingest_strip_count(const lf_ingest *ing)
{
    return ing->n_strips;
}

const char *lf_ingest_strip_name(const lf_ingest *ing, size_t pattern)
{
    return pattern < ing->n_strips ? ing->strips[pattern].name : NULL;
}

/* ---- one document ------------------------------------------------------------------ */

static lf_status limit_error(lf_error *err, const char *path, size_t line, const char *what,
                             lf_limit_id id, uint64_t value)
{
    const char *name = lf_limit_table()[id].name;
    lf_error_at(err, LF_ERR_LIMIT, path, line, 0,
                "%s the %s limit (%llu); raise it with --limit %s=N", what, name,
                (unsigned long long)value, name);
    return LF_ERR_LIMIT;
}

static lf_status regex_error(lf_ingest *ing, lf_doc *doc, size_t off, const char *what,
                             int rc, lf_error *err)
{
    char msg[256];
    size_t line = lf_doc_line_of(doc, off);
    lf_limit_id lim = lf_regex_limit_of(rc);
    if (lim != LF_LIMIT_COUNT) {
        const char *name = lf_limit_table()[lim].name;
        lf_error_at(err, LF_ERR_REGEX, doc->path, line, 0,
                    "%s: exceeded the %s limit (%llu); raise it with --limit %s=N", what, name,
                    (unsigned long long)ing->limits[lim], name);
        return LF_ERR_REGEX;
    }
    pcre2_message(rc, msg, sizeof msg);
    lf_error_at(err, LF_ERR_REGEX, doc->path, line, 0, "%s: %s", what, msg);
    return LF_ERR_REGEX;
}

/* ---- the byte scan ----------------------------------------------------------------- */

/* Bit k of each mask stands for byte k of a 64-byte chunk: `high` the bytes >= 0x80, `lf`
 * the line feeds. `odd` says whether the chunk holds a carriage return or a NUL (rare:
 * such a chunk takes a slower path, which finds them with chunk_eq). */
typedef struct chunk_masks {
    uint64_t high, lf;
    bool odd;
} chunk_masks;

#if defined(__SSE2__)
static uint64_t chunk_eq(const unsigned char *p, unsigned char c)
{
    const __m128i want = _mm_set1_epi8((char)c);
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, want)) << (16 * k);
    }
    return m;
}

static chunk_masks chunk_scan(const unsigned char *p)
{
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    const __m128i zero = _mm_setzero_si128();
    chunk_masks m = {0, 0, false};
    __m128i odd = zero; /* no mask of where: one test for the chunk */
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        odd = _mm_or_si128(odd, _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, zero)));
        m.high |= (uint64_t)(uint32_t)_mm_movemask_epi8(v) << (16 * k);
        m.lf |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) << (16 * k);
    }
    m.odd = _mm_movemask_epi8(odd) != 0;
    return m;
}
#else
/* Eight bytes at a time: 0x80 in each byte of w that is zero, then one bit per byte. */
static uint64_t zero_bytes(uint64_t w)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((w & low7) + low7) | w | low7);
}

static uint64_t byte_bits(uint64_t m)
{
    return ((m >> 7) * 0x0102040810204080ULL) >> 56;
}

static uint64_t chunk_eq(const unsigned char *p, unsigned char c)
{
    uint64_t m = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t w;
        memcpy(&w, p + 8 * k, 8);
        m |= byte_bits(zero_bytes(w ^ (0x0101010101010101ULL * c))) << (8 * k);
    }
    return m;
}

static chunk_masks chunk_scan(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ULL;
    chunk_masks m = {0, 0, false};
    uint64_t odd = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t w;
        memcpy(&w, p + 8 * k, 8);
        m.high |= byte_bits(w & 0x8080808080808080ULL) << (8 * k);
        m.lf |= byte_bits(zero_bytes(w ^ (ones * '\n'))) << (8 * k);
        odd |= zero_bytes(w ^ (ones * '\r')) | zero_bytes(w);
    }
    m.odd = odd != 0;
    return m;
}
#endif

/* Checks the UTF-8 sequence that starts at t[q] (a byte >= 0x80); false when it is
 * invalid, else *checked is set past it. */
static inline bool utf8_step(const unsigned char *t, size_t len, size_t q, size_t *checked)
{
    size_t n = lf_utf8_len(t + q, t + len);
    *checked = q + n;
    return n != 0;
}

/* Checks the text and builds doc->line_starts in one pass over the bytes: valid UTF-8
 * (the first invalid sequence is reported), no NUL byte, no line longer than the
 * line-bytes limit, reported in that order of precedence. CRLF, CR and LF each end a line. */
static lf_status scan_text(lf_ingest *ing, lf_doc *doc, lf_error *err)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    size_t len = doc->len, n = 0;
    lf_grow((void **)&doc->line_starts, &doc->cap_lines, len / 64 + 66,
            sizeof *doc->line_starts);
    uint32_t *ls = doc->line_starts;
    ls[n++] = 0;
    size_t nul = SIZE_MAX, bad = SIZE_MAX;
    size_t checked = 0; /* bytes below this offset are known valid UTF-8 */
    size_t pos = 0;
    for (; len - pos >= 64; pos += 64) {
        chunk_masks m = chunk_scan(t + pos);
        if (doc->cap_lines - n < 64) {
            lf_grow((void **)&doc->line_starts, &doc->cap_lines, n + 64,
                    sizeof *doc->line_starts);
            ls = doc->line_starts;
        }
        uint64_t ends = m.lf;
        if (m.odd) {
            /* A lone CR ends a line; in CRLF the LF does. */
            uint64_t cr = chunk_eq(t + pos, '\r'), nul_bits = chunk_eq(t + pos, '\0');
            uint64_t lf_next = (m.lf >> 1) | (uint64_t)(len - pos > 64 && t[pos + 64] == '\n')
                                                 << 63;
            ends |= cr & ~lf_next;
            if (nul_bits && nul == SIZE_MAX)
                nul = pos + (size_t)__builtin_ctzll(nul_bits);
        }
        while (ends) {
            ls[n++] = (uint32_t)(pos + (size_t)__builtin_ctzll(ends) + 1);
            ends &= ends - 1;
        }
        uint64_t high = m.high;
        if (checked > pos)
            high = checked - pos >= 64 ? 0 : high & (~0ULL << (checked - pos));
        while (high) {
            size_t q = pos + (size_t)__builtin_ctzll(high);
            if (!utf8_step(t, len, q, &checked)) {
                bad = q;
                goto invalid;
            }
            high = checked - pos >= 64 ? 0 : high & (~0ULL << (checked - pos));
        }
    }
    if (doc->cap_lines - n < 64)
        lf_grow((void **)&doc->line_starts, &doc->cap_lines, n + 64, sizeof *doc->line_starts);
    ls = doc->line_starts;
    for (size_t i = pos; i < len; i++) {
        unsigned char c = t[i];
        if (c >= 0x80) {
            if (i >= checked && !utf8_step(t, len, i, &checked)) {
                bad = i;
                goto invalid;
            }
        } else if (c == '\n' || (c == '\r' && !(i + 1 < len && t[i + 1] == '\n'))) {
            ls[n++] = (uint32_t)(i + 1);
        } else if (c == '\0' && nul == SIZE_MAX) {
            nul = i;
        }
    }
    if (nul != SIZE_MAX) {
        lf_error_at(err, LF_ERR_INPUT, doc->path, count_line(doc->text, nul), 0,
                    "NUL byte at byte offset %zu (binary file?)", nul);
        return LF_ERR_INPUT;
    }
    /* Line i ends at its CR or LF, the byte before line i + 1 starts (its CR in CRLF).
       No line is longer than the text: the usual document needs no look at its lines. */
    uint64_t max_line = ing->limits[LF_LIMIT_LINE_BYTES];
    for (size_t i = 0; len > max_line && i + 1 < n; i++) {
        size_t s = ls[i], e = (size_t)ls[i + 1] - 1;
        if (e - s <= max_line)
            continue;
        if (t[e] == '\n' && e > s && t[e - 1] == '\r')
            e--;
        if (e - s > max_line) {
            doc->n_lines = i + 1;
            return limit_error(err, doc->path, i + 1, "line is longer than",
                               LF_LIMIT_LINE_BYTES, max_line);
        }
    }
    doc->n_lines = n;
    if (len - ls[n - 1] > max_line)
        return limit_error(err, doc->path, n, "line is longer than", LF_LIMIT_LINE_BYTES,
                           max_line);
    return LF_OK;
invalid:
    lf_error_at(err, LF_ERR_INPUT, doc->path, count_line(doc->text, bad), 0,
                "invalid UTF-8 at byte offset %zu", bad);
    return LF_ERR_INPUT;
}

/* End of line i's content (before its line terminator). */
static size_t line_end(const lf_doc *doc, size_t i)
{
    if (i + 1 >= doc->n_lines)
        return doc->len;
    size_t e = doc->line_starts[i + 1];
    if (e > 0 && doc->text[e - 1] == '\n')
        e--;
    if (e > 0 && doc->text[e - 1] == '\r')
        e--;
    return e;
}

static bool line_is(const char *s, size_t n, const char *want)
{
    size_t w = strlen(want);
    if (n < w || memcmp(s, want, w) != 0)
        return false;
    return trailing_space((const unsigned char *)s + w, (const unsigned char *)s + n) ==
           n - w;
}

static const char *normalized_label(lf_ingest *ing, const char *s, size_t n, size_t *out_n)
{
    if (n + 1 > ing->norm_cap)
        lf_grow((void **)&ing->norm, &ing->norm_cap, n + 1, 1);
    *out_n = lf_label_normalize(s, n, ing->norm);
    ing->norm[*out_n] = '\0';
    return ing->norm;
}

/* The speaker of a label as written: its normalized form looked up, or a new speaker. */
static int32_t speaker_lookup(lf_ingest *ing, lf_doc *doc, const char *lab, size_t n)
{
    size_t m;
    const char *norm = normalized_label(ing, lab, n, &m);
    bool added;
    uint32_t id = lf_strmap_intern(&ing->speaker_ids, norm, m, (uint32_t)doc->n_speakers,
                                   &added);
    if (!added)
        return (int32_t)id;
    lf_speaker sp = {.label = lf_arena_strndup(&doc->arena, norm, m)};
    sp.name = sp.label;
    for (size_t i = 0; i < ing->aliases.n; i++) {
        if (strcmp(ing->aliases.v[i].label, sp.label) == 0) {
            sp.name = ing->aliases.v[i].name;
            sp.role = ing->aliases.v[i].role;
            sp.party = ing->aliases.v[i].party;
            break;
        }
    }
    lf_grow((void **)&doc->speakers, &doc->cap_speakers, doc->n_speakers + 1,
            sizeof *doc->speakers);
    doc->speakers[doc->n_speakers++] = sp;
    return (int32_t)id;
}

/* speaker_lookup, for the labels of one document in turn (ing->n_recent is 0 at its
 * first). The same bytes make the same label: one seen lately needs neither the
 * normalization nor the lookup. */
static int32_t speaker_for(lf_ingest *ing, lf_doc *doc, const char *lab, size_t n)
{
    size_t kept = ing->n_recent < RECENT_LABELS ? ing->n_recent : RECENT_LABELS;
    for (size_t k = 0; k < kept; k++)
        if (ing->recent[k].n == n && memcmp(ing->recent[k].s, lab, n) == 0)
            return ing->recent[k].id;
    int32_t id = speaker_lookup(ing, doc, lab, n);
    ing->recent[ing->n_recent++ % RECENT_LABELS] = (recent_label){lab, n, id};
    return id;
}

static void push_span(lf_doc *doc, size_t s, size_t e)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    size_t h;
    while (s < e && (h = space_len(t + s, t + e)) != 0)
        s += h;
    e -= trailing_space(t + s, t + e);
    if (s >= e)
        return;
    lf_grow((void **)&doc->spans, &doc->cap_spans, doc->n_spans + 1, sizeof *doc->spans);
    doc->spans[doc->n_spans++] = (lf_span){(uint32_t)s, (uint32_t)e};
}

static int cmp_strip(const void *a, const void *b)
{
    const lf_strip *x = a, *y = b;
    if (x->span.start != y->span.start)
        return x->span.start < y->span.start ? -1 : 1;
    if (x->span.end != y->span.end)
        return x->span.end > y->span.end ? -1 : 1; /* longest first */
    return x->pattern < y->pattern ? -1 : x->pattern > y->pattern;
}

/* Whether t[rs..re) holds sp->need. The turns of a document come in order, so where the
 * need next occurs, once found, answers the turns up to there without a search of their
 * own: a document is searched about once for each need, not once a turn. */
static bool holds_need(strip_pat *sp, const unsigned char *t, size_t len, size_t rs,
                       size_t re)
{
    if (rs < sp->need_from || rs > sp->need_at) {
        const unsigned char *p = t + rs, *end = t + len;
        size_t n = sp->need_len;
        sp->need_from = rs;
        sp->need_at = len;
        while ((size_t)(end - p) >= n &&
               (p = memchr(p, sp->need[0], (size_t)(end - p) - n + 1))) {
            if (memcmp(p, sp->need, n) == 0) {
                sp->need_at = (size_t)(p - t);
                break;
            }
            p++;
        }
    }
    return sp->need_at + sp->need_len <= re;
}

/* The first place at or after `from`, before `re`, where a match of a pattern starting as
 * `starts` says may begin (or re when there is none). Every match starts at such a place,
 * so trying them in order finds the matches an unanchored search finds. */
static size_t next_start(int starts, const unsigned char *t, size_t from, size_t re)
{
    if (starts == STARTS_BRACKET) {
        const unsigned char *b = memchr(t + from, '[', re - from);
        if (!b)
            return re;
        size_t x = (size_t)(b - t);
        return x > from && t[x - 1] == '\\' ? x - 1 : x;
    }
    /* STARTS_CLOCK_LINE, "^\h*\d{1,2}:" in multiline mode: back from each ':' over what
       may be \h or \d (ASCII spaces and digits, and any non-ASCII character) to the start
       of its line. */
    for (;;) {
        const unsigned char *c = memchr(t + from, ':', re - from);
        if (!c)
            return re;
        size_t x = (size_t)(c - t), l = x;
        while (l > 0 && (t[l - 1] == ' ' || t[l - 1] == '\t' || t[l - 1] >= 0x80 ||
                         (t[l - 1] >= '0' && t[l - 1] <= '9')))
            l--;
        bool digit = x > l && t[x - 1] != ' ' && t[x - 1] != '\t';
        if (digit && l >= from && (l == 0 || t[l - 1] == '\n' || t[l - 1] == '\r'))
            return l;
        from = x + 1;
    }
}

/* Makes one turn from the region [rs, re): strips, then spans of what is left. An
 * unattributed region with nothing left is not a turn. */
static lf_status add_turn(lf_ingest *ing, lf_doc *doc, int32_t speaker, size_t label_line,
                          size_t rs, size_t re, lf_error *err)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    ing->found.n = 0;
    for (size_t p = 0; p < ing->n_strips; p++) {
        strip_pat *sp = &ing->strips[p];
        if (sp->need) {
            sp->need_found = sp->need_as >= 0 ? ing->strips[sp->need_as].need_found
                                              : holds_need(sp, t, doc->len, rs, re);
            if (!sp->need_found)
                continue; /* no match can be in this turn */
        }
        size_t off = rs;
        while (off < re) {
            /* Patterns whose matches start only at places next_start finds are tried there
               (compiled anchored); the first match found is the one an unanchored search
               from off would find. */
            size_t at = off;
            bool anchored = sp->starts != STARTS_ANYWHERE;
            if (anchored) {
                at = next_start(sp->starts, t, off, re);
                if (at >= re)
                    break;
            }
            int rc = pcre2_match(sp->code, t, re, at, PCRE2_NO_UTF_CHECK, ing->md, ing->mctx);
            if (rc == PCRE2_ERROR_NOMATCH) {
                if (!anchored)
                    break;
                off = at + 1;
                continue;
            }
            if (rc < 0) {
                char what[300];
                snprintf(what, sizeof what, "strip pattern '%.200s'", sp->name);
                return regex_error(ing, doc, at, what, rc, err);
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ing->md);
            size_t s = ov[0], e = ov[1];
            if (e > s) {
                lf_strip st = {.pattern = (uint32_t)p, .span = {(uint32_t)s, (uint32_t)e}};
                LF_VEC_PUSH(ing->found, st);
                off = e;
            } else {
                /* An empty match removes nothing; step over one character. */
                off = e + 1;
                while (off < re && (t[off] & 0xC0) == 0x80)
                    off++;
            }
        }
    }
    if (ing->found.n > 1)
        qsort(ing->found.v, ing->found.n, sizeof *ing->found.v, cmp_strip);
    size_t first_span = doc->n_spans, cursor = rs;
    bool gap = false;
    size_t first_gap = 0;
    for (size_t i = 0; i < ing->found.n; i++) {
        lf_strip st = ing->found.v[i];
        if (st.span.start < cursor)
            continue; /* overlaps a strip already taken (earliest, then longest, wins) */
        push_span(doc, cursor, st.span.start);
        lf_grow((void **)&doc->strips, &doc->cap_strips, doc->n_strips + 1,
                sizeof *doc->strips);
        doc->strips[doc->n_strips++] = st;
        if (ing->strips[st.pattern].gap && !gap) {
            gap = true;
            first_gap = st.span.start;
        }
        cursor = st.span.end;
    }
    push_span(doc, cursor, re);
    size_t n_spans = doc->n_spans - first_span;
    if (speaker < 0 && n_spans == 0 && !gap)
        return LF_OK;
    if (doc->n_turns >= ing->limits[LF_LIMIT_TURNS])
        return limit_error(err, doc->path, lf_doc_line_of(doc, rs),
                           "document has more turns than", LF_LIMIT_TURNS,
                           ing->limits[LF_LIMIT_TURNS]);
    size_t line = label_line;
    if (speaker < 0)
        line = lf_doc_line_of(doc, n_spans ? doc->spans[first_span].start : first_gap);
    lf_grow((void **)&doc->turns, &doc->cap_turns, doc->n_turns + 1, sizeof *doc->turns);
    doc->turns[doc->n_turns++] = (lf_turn){
        .speaker = speaker,
        .line = (uint32_t)line,
        .span_first = (uint32_t)first_span,
        .span_count = (uint32_t)n_spans,
        .gap = n_spans == 0 && gap,
    };
    return LF_OK;
}

/* Whether t[p..e), a line's first word, may be one of the pattern's titles (a word with a
 * byte above 0x7F may). Most first words of running text ("He", "And", "Today") are no
 * title by their initial and length alone, which title_lengths tells without the lookup
 * word_kind makes; it sees the word as word_kind does (ASCII capitals, no final '.' or
 * ','). */
static int first_word_title(const lf_strmap *kinds, const uint64_t *title_lengths,
                            const unsigned char *t, size_t p, size_t e)
{
    for (size_t i = p; i < e; i++)
        if (t[i] >= 0x80)
            return 1;
    size_t n = e - p;
    while (n > 0 && (t[p + n - 1] == '.' || t[p + n - 1] == ','))
        n--;
    unsigned char c = n ? t[p] : 0;
    if (c >= 'a' && c <= 'z')
        c = (unsigned char)(c - 'a' + 'A');
    if (c < 'A' || c > 'Z' || n > KIND_WORD_MAX || !((title_lengths[c - 'A'] >> n) & 1))
        return 0;
    word w = {(const char *)t + p, e - p};
    return (word_kind(kinds, &w) & KIND_PATTERN_TITLE) != 0;
}

/* Whether the word at t[k] (a lowercase letter after the first word t[p..first_end) and
 * its blanks) may be the pattern's PARTICLE followed by a blank: it is one of them, or a
 * byte above 0x7F in either word may be a blank the split at spaces and tabs missed. */
static bool particle_possible(const unsigned char *t, size_t p, size_t first_end, size_t k,
                              size_t le)
{
    static const char alternatives[] = PARTICLE; /* "(?:de|del|...)" */
    for (size_t i = p; i < first_end; i++)
        if (t[i] >= 0x80)
            return true;
    size_t e = k;
    for (; e < le && t[e] != ' ' && t[e] != '\t'; e++)
        if (t[e] >= 0x80)
            return true;
    if (e - k > PARTICLE_MAX)
        return false; /* most words: none of the alternatives is as long */
    for (const char *a = alternatives + 3;; a++) {
        size_t n = 0;
        while (a[n] != '|' && a[n] != ')')
            n++;
        if (n == e - k && memcmp(a, t + k, n) == 0)
            return true;
        a += n;
        if (*a != '|')
            return false;
    }
}

/* Bytes label_possible may pass over inside a word (see there): WORD_SKIP_NOT_LOWER for
 * capitals, bytes above 0x7F, ' - and ','; WORD_SKIP_ANY for those and lowercase letters. */
enum { WORD_SKIP_NOT_LOWER = 1, WORD_SKIP_ANY = 2 };
#define WS_UP (WORD_SKIP_NOT_LOWER | WORD_SKIP_ANY)
#define WS_UP4 WS_UP, WS_UP, WS_UP, WS_UP
#define WS_UP16 WS_UP4, WS_UP4, WS_UP4, WS_UP4
#define WS_LOW4 WORD_SKIP_ANY, WORD_SKIP_ANY, WORD_SKIP_ANY, WORD_SKIP_ANY
static const unsigned char word_skip[256] = {
    ['\''] = WS_UP, [','] = WS_UP, ['-'] = WS_UP,
    ['A'] = WS_UP4, WS_UP16, WS_UP4, WS_UP, WS_UP, /* A-Z */
    ['a'] = WS_LOW4, WS_LOW4, WS_LOW4, WS_LOW4, WS_LOW4, WS_LOW4, WORD_SKIP_ANY,
    WORD_SKIP_ANY, /* a-z */
    [0x80] = WS_UP16, WS_UP16, WS_UP16, WS_UP16, WS_UP16, WS_UP16, WS_UP16, WS_UP16,
};
#undef WS_UP16
#undef WS_UP4
#undef WS_UP

/* Whether the default rule's pattern can match at t[p] (a line's first character after
 * its indentation, neither 'Q' nor '<'), a cheap necessary condition that spares most
 * lines of running text the regex: the label's words hold only letters, ' - . , and it
 * ends at ':' or '.' before a blank or at the '(' of a title's parenthesis, after at most
 * seven spaces; and it is in capitals (caps), or its first word is a title and its second
 * no lowercase word other than a particle (title), or it ends at ':' after at most four
 * words with capital initials (words). A byte above 0x7F is taken as whatever would let
 * the pattern match (letter, mark, space or blank). */
static bool label_possible(const lf_strmap *kinds, const uint64_t *title_lengths,
                           const unsigned char *t, size_t p, size_t le)
{
    size_t seps = 0, first_end = 0;
    bool lower = false, capital_initials = true, word_start = true;
    int title = -1; /* whether the first word may be a title; -1 until needed */
    for (size_t k = p; k < le; k++) {
        unsigned char c = t[k];
        if (c == ' ' || c == '\t') {
            if (!word_start) {
                if (seps++ == 0)
                    first_end = k;
                if (seps > 7)
                    return false;
            }
            word_start = true;
            continue;
        }
        bool stop = (c == ':' || c == '.') &&
                    (k + 1 == le || t[k + 1] == ' ' || t[k + 1] == '\t' || t[k + 1] >= 0x80);
        if (stop || c == '(') {
            if (!lower || (c == ':' && seps <= 3 && capital_initials))
                return true;
            if (title < 0)
                title = first_word_title(kinds, title_lengths, t, p, seps ? first_end : k);
            if (title)
                return true;
            if (c != '.')
                return false;
        }
        if (c >= 'a' && c <= 'z')
            lower = true;
        else if (!((c >= 'A' && c <= 'Z') || c >= 0x80 || c == '\'' || c == '-' || c == '.' ||
                   c == ','))
            return false;
        if (word_start && c < 0x80 && !(c >= 'A' && c <= 'Z'))
            capital_initials = false;
        bool second_word = word_start && seps == 1;
        word_start = false;
        /* Past this only a title can make a label (lowercase rules out capitals, and the
           words shape's bounds are passed): most running text stops here. */
        if (lower && (!capital_initials || seps > 3) && seps > 0) {
            if (title < 0)
                title = first_word_title(kinds, title_lengths, t, p, first_end);
            if (!title)
                return false;
            /* A title's name starts with a capital or is a particle: "The reason we…" */
            if (second_word && c >= 'a' && c <= 'z' &&
                !particle_possible(t, p, first_end, k, le))
                return false;
        }
        /* The rest of the word up to a byte that can change the outcome: inside a word, a
           capital, a byte above 0x7F, ' - or ',' (and a lowercase letter once there has
           been one) leave every state above as the byte before left it, so the checks
           would only repeat its answers. A space, ':' '.' '(', any other byte, and the
           first lowercase letter stop the skip. */
        unsigned skip = lower ? WORD_SKIP_ANY : WORD_SKIP_NOT_LOWER;
        while (k + 1 < le && (word_skip[t[k + 1]] & skip))
            k++;
    }
    return false;
}

/* Whether the ':' or '.' at t[k] may end a label shape: a space, a tab, a character that
 * is not ASCII (U+00A0 or another Unicode space, for the regex to tell) or the end of the
 * line [.., le) follows it. */
static inline bool label_stop_at(const unsigned char *t, size_t k, size_t le)
{
    /* any character that is not ASCII may be one of the Unicode spaces \h matches
       (U+00A0, U+1680, U+180E, U+2000-U+200A, ...): the regex decides */
    return k + 1 == le || t[k + 1] == ' ' || t[k + 1] == '\t' || t[k + 1] >= 0xC2;
}

/* Whether line [p, le) of t has a label stop (label_stop_at) within its first
 * LABEL_SCAN_BYTES bytes. t holds `tend` bytes, which the search may read past the line:
 * sixteen bytes at a time, it finds both characters in one pass instead of two calls of
 * memchr, which cost most on the short lines of a transcript. */
static bool label_stop_near(const unsigned char *t, size_t p, size_t le, size_t tend)
{
    size_t lim = le - p < LABEL_SCAN_BYTES ? le : p + LABEL_SCAN_BYTES;
    size_t k = p;
#if defined(__SSE2__)
    const __m128i colon = _mm_set1_epi8(':'), period = _mm_set1_epi8('.');
    for (; k < lim && tend - k >= 16; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + k));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, period)));
        if (lim - k < 16)
            m &= (1u << (lim - k)) - 1; /* not past the line (or the first 400 bytes) */
        for (; m; m &= m - 1)
            if (label_stop_at(t, k + (size_t)__builtin_ctz(m), le))
                return true;
    }
#else
    (void)tend;
#endif
    for (; k < lim; k++)
        if ((t[k] == ':' || t[k] == '.') && label_stop_at(t, k, le))
            return true;
    return false;
}

/* Whether a line starting with byte c may pass label_prefilter: c is indentation (a space,
 * a tab, or the first byte of a Unicode space), a capital letter, '<', or the first byte of
 * a capital that is not ASCII. */
static inline bool label_lead(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || c == ' ' || c == '\t' || c == '<' || c >= 0xC2;
}

/* The default rule's cheap filters before its regex, on line [ls, le) of t, which holds
 * `tend` bytes: false when no label can start the line; else *at is where the regex is to
 * start (after indentation). */
static bool label_prefilter(const lf_ingest *ing, const unsigned char *t, size_t ls,
                            size_t le, size_t tend, size_t *at)
{
    /* after indentation, a capital letter (ASCII or not) or the "<bullet>" marker */
    size_t p = ls, h;
    while ((h = hspace_len(t + p, t + le)) != 0)
        p += h;
    if (p >= le || !((t[p] >= 'A' && t[p] <= 'Z') || t[p] == '<' || t[p] >= 0xC3))
        return false;
    /* Every shape but a bare Q ends in ':' or '.' before a space or the line's end, and
       no shape is longer than about 200 bytes: a line without such a stop near its
       start holds no label (most lines of running text). */
    if (t[p] != 'Q' && t[p] != '<' &&
        (!label_stop_near(t, p, le, tend) ||
         !label_possible(&ing->word_kinds, ing->title_lengths, t, p, le)))
        return false;
    *at = p;
    return true;
}

bool lf_ingest_label_probe(const lf_ingest *ing, const char *line, size_t len,
                           bool *prefilter)
{
    const unsigned char *t = (const unsigned char *)line;
    size_t at = 0;
    *prefilter = ing->user_labels || label_prefilter(ing, t, 0, len, len, &at);
    size_t p = 0, h;
    while ((h = hspace_len(t + p, t + len)) != 0)
        p += h;
    return pcre2_match(ing->label_re, t, len, ing->user_labels ? 0 : p, PCRE2_NO_UTF_CHECK,
                       ing->md, ing->mctx) >= 0;
}

/* Tries the label rule on one line [ls, le); fills *hit and returns true on a label. */
static lf_status find_label(lf_ingest *ing, lf_doc *doc, size_t ls, size_t le,
                            const line_ctx *ctx_in, label_hit *hit, bool *found,
                            lf_error *err)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    *found = false;
    size_t start = 0;
    if (!ing->user_labels) {
        size_t p;
        if (!label_prefilter(ing, t, ls, le, doc->len, &p))
            return LF_OK;
        start = p - ls;
    }
    int rc = pcre2_match(ing->label_re, t + ls, le - ls, start, PCRE2_NO_UTF_CHECK, ing->md,
                         ing->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return LF_OK;
    if (rc < 0)
        return regex_error(ing, doc, ls,
                           ing->user_labels ? "--speaker-pattern" : "speaker label rule", rc,
                           err);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ing->md);
    size_t ls_, le_;
    bool weak = false;
    if (ing->user_labels) {
        ls_ = ov[2 * ing->grp_label];
        le_ = ov[2 * ing->grp_label + 1];
        if (ls_ == PCRE2_UNSET)
            return LF_OK;
        size_t m;
        normalized_label(ing, (const char *)t + ls + ls_, le_ - ls_, &m);
        if (m == 0)
            return LF_OK;
    } else {
        int shape = SHAPE_NONE;
        char end = 0;
        if (ov[2 * ing->grp_q] != PCRE2_UNSET) {
            shape = SHAPE_Q;
            ls_ = ov[2 * ing->grp_q];
            le_ = ov[2 * ing->grp_q + 1];
            if (ov[1] > le_)
                end = (char)t[ls + le_];
        } else if (ov[2 * ing->grp_caps] != PCRE2_UNSET) {
            shape = SHAPE_CAPS;
            ls_ = ov[2 * ing->grp_caps];
            le_ = ov[2 * ing->grp_caps + 1];
            end = (char)t[ls + ov[2 * ing->grp_cend]];
        } else if (ov[2 * ing->grp_title] != PCRE2_UNSET) {
            shape = SHAPE_TITLE;
            ls_ = ov[2 * ing->grp_title];
            le_ = ov[2 * ing->grp_name + 1];
            end = (char)t[ls + ov[2 * ing->grp_tend]];
        } else {
            shape = SHAPE_WORDS;
            ls_ = ov[2 * ing->grp_words];
            le_ = ov[2 * ing->grp_words + 1];
            end = ':';
        }
        line_ctx ctx = *ctx_in;
        ctx.rest = (const char *)t + ls + ov[1];
        ctx.rest_len = le - ls - ov[1];
        if (!label_accepted(&ing->word_kinds, shape, (const char *)t + ls + ls_, le_ - ls_, end,
                            &ctx, &weak))
            return LF_OK;
    }
    *hit = (label_hit){.line_start = (uint32_t)ls,
                       .lab_start = (uint32_t)(ls + ls_),
                       .lab_end = (uint32_t)(ls + le_),
                       .body = (uint32_t)(ls + ov[1]),
                       .weak = weak};
    *found = true;
    return LF_OK;
}

/* Removes weak labels whose normalized text occurs only once among the labels found and
 * is not a front-matter speaker. */
static void drop_lonely_weak_labels(lf_ingest *ing)
{
    bool any = false;
    for (size_t i = 0; i < ing->hits.n && !any; i++)
        any = ing->hits.v[i].weak;
    if (!any)
        return;
    lf_strmap counts;
    lf_strmap_init(&counts);
    for (size_t i = 0; i < ing->hits.n; i++) {
        const label_hit *h = &ing->hits.v[i];
        size_t m;
        const char *norm = normalized_label(ing, ing->doc_text + h->lab_start,
                                            h->lab_end - h->lab_start, &m);
        uint32_t c = 0;
        lf_strmap_get(&counts, norm, m, &c);
        lf_strmap_put(&counts, norm, m, c + 1);
    }
    size_t k = 0;
    for (size_t i = 0; i < ing->hits.n; i++) {
        const label_hit *h = &ing->hits.v[i];
        bool keep = true;
        if (h->weak) {
            size_t m;
            const char *norm = normalized_label(ing, ing->doc_text + h->lab_start,
                                                h->lab_end - h->lab_start, &m);
            uint32_t c = 0;
            lf_strmap_get(&counts, norm, m, &c);
            keep = c >= 2;
            for (size_t a = 0; a < ing->aliases.n && !keep; a++)
                keep = strcmp(ing->aliases.v[a].label, norm) == 0;
        }
        if (keep)
            ing->hits.v[k++] = *h;
    }
    ing->hits.n = k;
    lf_strmap_free(&counts);
}

/* Where the body starts on a first line "President: NAME" (Miller Center metadata), which
 * becomes meta "president" instead of text; 0 when the line is something else. */
static size_t president_line(lf_doc *doc, size_t ls, size_t le, size_t next)
{
    static const char key[] = "President:";
    const unsigned char *t = (const unsigned char *)doc->text;
    if (le - ls <= sizeof key - 1 || memcmp(t + ls, key, sizeof key - 1) != 0)
        return 0;
    size_t s = ls + sizeof key - 1, h;
    while ((h = hspace_len(t + s, t + le)) != 0)
        s += h;
    size_t e = le - trailing_space(t + s, t + le);
    if (s >= e)
        return 0;
    const char *name = lf_arena_strndup(&doc->arena, (const char *)t + s, e - s);
    lf_grow((void **)&doc->meta, &doc->cap_meta, doc->n_meta + 1, sizeof *doc->meta);
    doc->meta[doc->n_meta++] = (lf_meta){.key = "president", .value = name};
    return next;
}

/* True when the YAML in s[0..n) cannot nest lists and maps deeper than max_depth, so that
 * lf_frontmatter_depth_ok (a whole parse of its own) can be skipped. Without a flow
 * collection ('[' or '{'), libyaml starts a list or map only at an indicator '-', '?' or
 * ':' followed by a blank, a line break or the end; each indicator starts at most one, so
 * their number bounds the depth. Anything that is not a printable ASCII character counts
 * as a blank here (libyaml's breaks include U+0085, U+2028 and U+2029). */
static bool frontmatter_shallow(const char *s, size_t n, uint64_t max_depth)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t indicators = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == '[' || c == '{')
            return false;
        if ((c == ':' || c == '-' || c == '?') && (i + 1 == n || p[i + 1] <= ' ' ||
                                                    p[i + 1] >= 0x7F))
            indicators++;
    }
    return indicators <= max_depth;
}

static lf_status process(lf_ingest *ing, lf_doc *doc, bool text_format, lf_error *err)
{
    const char *t = doc->text;
    const unsigned char *u = (const unsigned char *)t;
    size_t len = doc->len;
    if (len >= UINT32_MAX) {
        lf_error_at(err, LF_ERR_LIMIT, doc->path, 0, 0,
                    "document is larger than 4 GiB, the most lexframe can address");
        return LF_ERR_LIMIT;
    }
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        lf_error_at(err, LF_ERR_INPUT, doc->path, 0, 0,
                    "UTF-16 text is not supported; convert to UTF-8");
        return LF_ERR_INPUT;
    }
    lf_status st = scan_text(ing, doc, err);
    if (st != LF_OK)
        return st;

    /* The body: after the BOM, front matter and a "President:" line. */
    size_t body = (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) ? 3 : 0;
    size_t body_line = 0;
    ing->aliases.n = 0;
    for (size_t i = 0; i < ing->n_seed_aliases; i++)
        LF_VEC_PUSH(ing->aliases, ing->seed_aliases[i]);
    if (text_format && line_is(t + body, line_end(doc, 0) - body, "---")) {
        size_t close = 0;
        for (size_t i = 1; i < doc->n_lines && !close; i++) {
            size_t ls = doc->line_starts[i], le = line_end(doc, i);
            if (line_is(t + ls, le - ls, "---") || line_is(t + ls, le - ls, "..."))
                close = i;
        }
        if (!close) {
            lf_error_at(err, LF_ERR_INPUT, doc->path, 1, 0,
                        "front matter: no closing '---' line");
            return LF_ERR_INPUT;
        }
        size_t ys = doc->n_lines > 1 ? doc->line_starts[1] : len;
        if (doc->line_starts[close] - ys > ing->limits[LF_LIMIT_FRONT_MATTER_BYTES])
            return limit_error(err, doc->path, 1, "front matter is longer than",
                               LF_LIMIT_FRONT_MATTER_BYTES,
                               ing->limits[LF_LIMIT_FRONT_MATTER_BYTES]);
        uint64_t max_depth = ing->limits[LF_LIMIT_FRONT_MATTER_DEPTH];
        size_t depth_line;
        if (!frontmatter_shallow(t + ys, doc->line_starts[close] - ys, max_depth) &&
            !lf_frontmatter_depth_ok(t + ys, doc->line_starts[close] - ys, max_depth,
                                     &depth_line))
            return limit_error(err, doc->path, 2 + depth_line,
                               "front matter nests lists and maps deeper than",
                               LF_LIMIT_FRONT_MATTER_DEPTH, max_depth);
        st = lf_frontmatter_parse(t + ys, doc->line_starts[close] - ys, 2, doc, &ing->aliases,
                                  err);
        if (st != LF_OK)
            return st;
        body_line = close + 1;
        body = body_line < doc->n_lines ? doc->line_starts[body_line] : len;
    }
    if (text_format && body_line < doc->n_lines) {
        size_t next = body_line + 1 < doc->n_lines ? doc->line_starts[body_line + 1] : len;
        size_t after = president_line(doc, body, line_end(doc, body_line), next);
        if (after) {
            body = after;
            body_line++;
        }
    }

    /* Labels, one line at a time. */
    ing->hits.n = 0;
    bool prev_blank = true, prev_cont = false;
    const uint32_t *starts = doc->line_starts;
    for (size_t i = body_line, n_lines = doc->n_lines; i < n_lines; i++) {
        size_t ls = i == body_line ? body : starts[i], le = len;
        if (i + 1 < n_lines) { /* line_end(doc, i): its LF, its lone CR or the CR of CRLF */
            le = starts[i + 1] - 1;
            if (u[le] == '\n' && le > 0 && u[le - 1] == '\r')
                le--;
        }
        if (ls > le)
            break; /* body starts after the last line's end (empty body) */
        /* most lines start with a byte that rules a label out at once */
        if (ing->user_labels || (ls < le && label_lead(u[ls]))) {
            line_ctx ctx = {.para_start = prev_blank, .continuation = prev_cont};
            label_hit hit;
            bool found;
            st = find_label(ing, doc, ls, le, &ctx, &hit, &found, err);
            if (st != LF_OK)
                return st;
            if (found) {
                hit.line = (uint32_t)i;
                LF_VEC_PUSH(ing->hits, hit);
            }
        }
        size_t tr = trailing_space(u + ls, u + le);
        prev_blank = tr == le - ls;
        prev_cont = false;
        if (!prev_blank) {
            unsigned char last = u[le - tr - 1];
            prev_cont = (last >= 'a' && last <= 'z') || last == ',' || last == ';';
        }
    }

    ing->doc_text = t;
    drop_lonely_weak_labels(ing);

    /* Turns. */
    for (size_t i = 0; i < ing->n_strips; i++)
        ing->strips[i].need_from = SIZE_MAX; /* where each need occurs: not known yet */
    lf_strmap_free(&ing->speaker_ids);
    lf_strmap_init(&ing->speaker_ids);
    ing->n_recent = 0;
    size_t first_end = ing->hits.n ? ing->hits.v[0].line_start : len;
    st = add_turn(ing, doc, -1, 0, body, first_end, err);
    for (size_t i = 0; i < ing->hits.n && st == LF_OK; i++) {
        const label_hit *h = &ing->hits.v[i];
        int32_t sp = speaker_for(ing, doc, t + h->lab_start, h->lab_end - h->lab_start);
        if (doc->n_speakers > ing->limits[LF_LIMIT_SPEAKERS])
            return limit_error(err, doc->path, h->line + 1, "document has more speakers than",
                               LF_LIMIT_SPEAKERS, ing->limits[LF_LIMIT_SPEAKERS]);
        size_t end = i + 1 < ing->hits.n ? ing->hits.v[i + 1].line_start : len;
        st = add_turn(ing, doc, sp, h->line + 1, h->body, end, err);
    }
    return st;
}

static void set_names(lf_doc *doc, const char *path, const char *id)
{
    doc->path = lf_arena_strdup(&doc->arena, path);
    if (!id) {
        const char *slash = strrchr(path, '/');
        id = slash ? slash + 1 : path;
    }
    doc->id = lf_arena_strdup(&doc->arena, id);
}

/* Takes ownership of data (malloc'd, NUL-terminated) and ingests it. */
static lf_status ingest_owned(lf_ingest *ing, const char *path, char *data, size_t len,
                              lf_doc_format fmt, lf_doc *doc, lf_error *err)
{
    if (fmt == LF_FORMAT_HTML) {
        lf_buf text = {0};
        char *title = NULL;
        lf_status st = lf_html_extract(path, data, len, &text, &title, err);
        free(data);
        if (st != LF_OK) {
            lf_buf_free(&text);
            return st;
        }
        lf_buf_cstr(&text);
        doc->owned_text = text.data;
        doc->text = text.data;
        doc->len = text.len;
        if (title) {
            doc->title = lf_arena_strdup(&doc->arena, title);
            free(title);
            lf_grow((void **)&doc->meta, &doc->cap_meta, doc->n_meta + 1, sizeof *doc->meta);
            doc->meta[doc->n_meta++] = (lf_meta){.key = "title", .value = doc->title};
        }
        return process(ing, doc, false, err);
    }
    doc->owned_text = data;
    doc->text = data;
    doc->len = len;
    return process(ing, doc, true, err);
}

lf_status lf_ingest_file(lf_ingest *ing, const char *path, const char *id, lf_doc *doc,
                         lf_error *err)
{
    lf_doc_reset(doc);
    set_names(doc, path, id);
    const char *root = ing->corpus_root;
    ing->corpus_root = NULL;
    if (lf_doc_format_for_path(path) == LF_FORMAT_TEI)
        return lf_tei_read(ing->tei, root, doc, err); /* streamed, possibly in parts */
    uint64_t max = ing->limits[LF_LIMIT_FILE_BYTES];
    char *data;
    size_t len;
    lf_status st = lf_read_file(path, max > SIZE_MAX ? SIZE_MAX : (size_t)max, &data, &len, err);
    if (st != LF_OK)
        return st;
    if (!data) /* empty file */
        data = lf_xcalloc(1, 1);
    /* hashed here, on the worker's thread, rather than read again for the manifest */
    if (ing->hash_files) {
        lf_sha256_hex(data, len, doc->file_sha256);
        doc->file_bytes = len;
    }
    return ingest_owned(ing, doc->path, data, len, lf_doc_format_for_path(path), doc, err);
}

lf_status lf_ingest_next_part(lf_ingest *ing, lf_doc *doc, lf_error *err)
{
    if (!lf_tei_pending(ing->tei)) {
        lf_error_set(err, LF_ERR_USAGE, "lf_ingest_next_part: no document is pending");
        return LF_ERR_USAGE;
    }
    char *path = lf_xstrdup(doc->path), *id = lf_xstrdup(doc->id);
    lf_doc_reset(doc);
    set_names(doc, path, id);
    free(path);
    free(id);
    return lf_tei_next_part(ing->tei, doc, err);
}

lf_status lf_ingest_input(lf_ingest *ing, const lf_input_file *in, lf_doc *doc, lf_error *err)
{
    ing->corpus_root = in->corpus_root;
    return lf_ingest_file(ing, in->path, in->id, doc, err);
}

lf_status lf_ingest_buffer(lf_ingest *ing, const char *path, const char *id, const char *data,
                           size_t len, lf_doc_format fmt, lf_doc *doc, lf_error *err)
{
    lf_doc_reset(doc);
    set_names(doc, path, id);
    if (len > ing->limits[LF_LIMIT_FILE_BYTES])
        return limit_error(err, doc->path, 0, "input is larger than", LF_LIMIT_FILE_BYTES,
                           ing->limits[LF_LIMIT_FILE_BYTES]);
    if (fmt == LF_FORMAT_TEI) {
        const char *root = ing->corpus_root;
        ing->corpus_root = NULL;
        return lf_tei_read_memory(ing->tei, root, doc, data, len, err);
    }
    char *copy = lf_xmalloc(len + 1);
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return ingest_owned(ing, doc->path, copy, len, fmt, doc, err);
}

lf_status lf_ingest_record(lf_ingest *ing, const lf_record *rec, lf_doc *doc, lf_error *err)
{
    lf_doc_reset(doc);
    set_names(doc, rec->path, rec->id);
    if (rec->len > ing->limits[LF_LIMIT_FILE_BYTES])
        return limit_error(err, doc->path, 0, "text is larger than", LF_LIMIT_FILE_BYTES,
                           ing->limits[LF_LIMIT_FILE_BYTES]);
    const char *source_url = NULL;
    for (size_t i = 0; i < rec->n_meta; i++)
        lf_meta_add(doc, lf_arena_strdup(&doc->arena, rec->meta[i].key),
                    lf_arena_strdup(&doc->arena, rec->meta[i].value), &source_url);
    if (!doc->source)
        doc->source = source_url;
    /* The record's speakers, labels normalized as front matter's are. */
    lf_speaker *seeds = rec->n_speakers ? lf_arena_alloc(&doc->arena,
                                                         rec->n_speakers * sizeof *seeds)
                                        : NULL;
    for (size_t i = 0; i < rec->n_speakers; i++) {
        const lf_speaker *sp = &rec->speakers[i];
        size_t n = strlen(sp->label);
        char *label = lf_arena_alloc(&doc->arena, n + 1);
        label[lf_label_normalize(sp->label, n, label)] = '\0';
        seeds[i] = (lf_speaker){
            .label = label,
            .name = sp->name ? lf_arena_strdup(&doc->arena, sp->name) : label,
            .role = sp->role ? lf_arena_strdup(&doc->arena, sp->role) : NULL,
            .party = sp->party ? lf_arena_strdup(&doc->arena, sp->party) : NULL,
        };
    }
    char *copy = lf_xmalloc(rec->len + 1);
    if (rec->len)
        memcpy(copy, rec->text, rec->len);
    copy[rec->len] = '\0';
    ing->seed_aliases = seeds;
    ing->n_seed_aliases = rec->n_speakers;
    lf_status st = ingest_owned(ing, doc->path, copy, rec->len, LF_FORMAT_TEXT, doc, err);
    ing->seed_aliases = NULL;
    ing->n_seed_aliases = 0;
    return st;
}
