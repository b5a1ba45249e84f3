/* match.h — stage 3: find the lexicon's entries in a tokenized document. Word and phrase
 * entries are compiled into a trie over word-pattern ids; each distinct word form is
 * tested against the word patterns once (then cached), so the text is never scanned once
 * per entry. Only regex entries go to PCRE2. Overlaps are resolved per theme (longest wins)
 * or across themes (LF_OVERLAP_LONGEST); negation marks matches with a negator within the
 * window before them in the same clause.
 * Ownership: lf_matcher borrows the lexicon and vocabulary it was created with. */
#ifndef LF_MATCH_H
#define LF_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "lexicon.h"
#include "tokenize.h"

typedef enum lf_match_status {
    LF_MATCH_COUNTED = 0,     /* counts for `theme` */
    LF_MATCH_OVERLAP,         /* suppressed: a longer match of the same theme (or of any
                                 theme under LF_OVERLAP_LONGEST) covers it */
    LF_MATCH_EXCLUDED,        /* suppressed: an exclusion entry of the theme covers it */
    LF_MATCH_NEGATED_IGNORED  /* suppressed: negated, and the theme ignores negated matches */
} lf_match_status;

typedef struct lf_match {
    uint32_t tok_start, tok_end; /* [start, end) document token indexes */
    uint32_t sentence;
    uint32_t theme;              /* the theme it counts for (after a negation move) */
    uint32_t entry;              /* index into lexicon entries */
    int32_t negator;             /* token index of the negator, or -1 */
    uint8_t status;              /* lf_match_status */
    bool negated;
    bool context;                /* suppressed by a context rule of its theme (status is
                                    LF_MATCH_EXCLUDED; reports name it "context") */
} lf_match;

/* Matches of one document, sorted by (tok_start, tok_end descending, theme, entry). */
typedef struct lf_matches {
    lf_match *m;
    size_t n, cap;
} lf_matches;

void lf_matches_init(lf_matches *ms);
void lf_matches_free(lf_matches *ms);

typedef struct lf_matcher lf_matcher;

/* Compiles lex for matching (regexes with JIT, the phrase trie, the negator set). Returns
 * NULL and fills err (LF_ERR_LEXICON with the entry's file:line:col) when a regex does not
 * compile. One matcher per worker thread, sharing nothing mutable. */
lf_matcher *lf_matcher_new(const lf_lexicon *lex, const lf_options *opt, lf_vocab *vocab,
                           lf_error *err);
void lf_matcher_free(lf_matcher *m);

/* Finds every match in the document (suppressed ones included, with their status).
 * LF_ERR_REGEX when a regex entry hits its match or heap limit. */
lf_status lf_match_doc(lf_matcher *m, const lf_doc *doc, const lf_tokens *toks,
                       lf_matches *out, lf_error *err) LF_WARN_UNUSED;

/* Glob match of one whole word (UTF-8): '*' any run of characters, '?' one character. */
bool lf_glob_word_match(const char *p, size_t pn, const char *s, size_t sn);

/* The prefilter behind regex entries, read from the pattern's top level: clauses joined
 * by '&', each a set of literals joined by '|' — runs of 3 or more ASCII letters and digits
 * of which every match must contain at least one per clause. A top-level literal run is a
 * clause of one; a top-level group whose every alternative has a literal gives a clause of
 * those (unless a quantifier lets the group occur zero times); escapes, classes and
 * optional characters end a run; a top-level '|', inline options or escapes with
 * arguments give no prefilter. Literals are lower-cased when `fold`. A regex then runs only
 * on sentences that satisfy every clause (a word containing one of its literals), since
 * the words of a sentence are joined by spaces and a letter-and-digit run lies inside one
 * word. Returns a malloc'd string such as "withdr&deal|agreement|accord", or NULL. */
char *lf_regex_prefilter(const char *pattern, bool fold);

/* True when the token's form is a negator (for reports). */
bool lf_matcher_is_negator(const lf_matcher *m, uint32_t form);

#endif
