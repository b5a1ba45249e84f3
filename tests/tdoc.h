/* tdoc.h — hand-built documents for the aggregate, statistics and render tests: speakers
 * (with party and role), turns of sentences of N words, and matches placed by hand, with
 * no other pipeline stage involved. Every word is 4 bytes at offset 5·i of the document
 * text ("word word …"), so a test can give chosen words their own 4 letters. Included by
 * several test programs; everything is static inline. */
#ifndef LF_TEST_TDOC_H
#define LF_TEST_TDOC_H

#include <stdlib.h>
#include <string.h>

#include "aggregate.h"

#define TDOC_MAX_TOK 4096
#define TDOC_MAX_SENT 64
#define TDOC_MAX_MATCH 1024

typedef struct turn_spec {
    int32_t speaker;
    bool gap;
    uint32_t sent_words[4]; /* words per sentence, 0-terminated */
    const char *role;       /* per-turn role, or NULL */
} turn_spec;

typedef struct speaker_spec {
    const char *name;
    const char *party, *role; /* NULL when not given */
    const char *label;        /* NULL: the name */
} speaker_spec;

typedef struct tdoc {
    lf_doc doc;
    lf_tokens toks;
    lf_matches ms;
    char *text;
} tdoc;

static inline void tdoc_build_full(tdoc *d, const char *id, const speaker_spec *sp, size_t n_sp,
                            const turn_spec *turns, size_t n_turns, size_t n_strips)
{
    memset(d, 0, sizeof *d);
    d->doc.id = id;
    d->doc.path = id;
    d->text = lf_xmalloc(TDOC_MAX_TOK * 5 + 1);
    for (size_t i = 0; i < TDOC_MAX_TOK; i++)
        memcpy(d->text + 5 * i, "word ", 5);
    d->text[TDOC_MAX_TOK * 5] = '\0';
    d->doc.text = d->text;
    d->doc.len = TDOC_MAX_TOK * 5;
    d->doc.speakers = lf_xcalloc(n_sp ? n_sp : 1, sizeof(lf_speaker));
    for (size_t i = 0; i < n_sp; i++)
        d->doc.speakers[i] = (lf_speaker){.label = sp[i].label ? sp[i].label : sp[i].name,
                                          .name = sp[i].name,
                                          .party = sp[i].party,
                                          .role = sp[i].role};
    d->doc.n_speakers = n_sp;
    d->doc.turns = lf_xcalloc(n_turns ? n_turns : 1, sizeof(lf_turn));
    d->doc.n_turns = n_turns;
    d->doc.strips = lf_xcalloc(n_strips ? n_strips : 1, sizeof(lf_strip));
    d->doc.n_strips = n_strips;
    d->toks.turn = lf_xcalloc(n_turns ? n_turns : 1, sizeof(lf_turn_range));
    d->toks.n_turn = n_turns;
    d->toks.sent = lf_xcalloc(TDOC_MAX_SENT, sizeof(lf_sentence));
    d->toks.tok = lf_xcalloc(TDOC_MAX_TOK, sizeof(lf_token));
    d->ms.m = lf_xcalloc(TDOC_MAX_MATCH, sizeof(lf_match));
    uint32_t tok = 0, sent = 0;
    for (size_t i = 0; i < n_turns; i++) {
        d->doc.turns[i] = (lf_turn){.speaker = turns[i].speaker, .line = (uint32_t)i + 1,
                                    .gap = turns[i].gap, .role = turns[i].role};
        lf_turn_range *r = &d->toks.turn[i];
        r->tok_first = tok;
        r->sent_first = sent;
        for (size_t s = 0; s < 4 && turns[i].sent_words[s]; s++) {
            d->toks.sent[sent] = (lf_sentence){tok, tok + turns[i].sent_words[s], (uint32_t)i};
            for (uint32_t w = 0; w < turns[i].sent_words[s]; w++, tok++)
                d->toks.tok[tok] = (lf_token){.start = tok * 5, .end = tok * 5 + 4,
                                              .sentence = sent};
            sent++;
        }
        r->tok_end = tok;
        r->sent_end = sent;
    }
    d->toks.n_tok = tok;
    d->toks.n_sent = sent;
}

/* Speakers given by name only (label = name, no party or role). */
static inline void tdoc_build(tdoc *d, const char *id, const char *const *names, size_t n_names,
                       const turn_spec *turns, size_t n_turns, size_t n_strips)
{
    speaker_spec sp[8];
    for (size_t i = 0; i < n_names && i < 8; i++)
        sp[i] = (speaker_spec){.name = names[i]};
    tdoc_build_full(d, id, sp, n_names, turns, n_turns, n_strips);
}

/* Gives word `tok` its own text (exactly 4 bytes). */
static inline void tdoc_word(tdoc *d, uint32_t tok, const char *four)
{
    memcpy(d->text + 5 * tok, four, 4);
}

/* A match of words [tok, tok + len) in sentence `s`. */
static inline void tdoc_match_at(tdoc *d, uint32_t s, uint32_t tok, uint32_t len, uint32_t theme,
                          uint32_t entry, lf_match_status status, bool negated)
{
    if (d->ms.n >= TDOC_MAX_MATCH)
        abort(); /* a test asked for more matches than the fixture holds */
    d->ms.m[d->ms.n++] = (lf_match){.tok_start = tok, .tok_end = tok + len, .sentence = s,
                                    .theme = theme, .entry = entry,
                                    .negator = negated ? (int32_t)tok : -1,
                                    .status = (uint8_t)status, .negated = negated};
}

/* A match on the first word of sentence `s`. */
static inline void tdoc_match(tdoc *d, uint32_t s, uint32_t theme, uint32_t entry,
                       lf_match_status status, bool negated)
{
    tdoc_match_at(d, s, d->toks.sent[s].tok_first, 1, theme, entry, status, negated);
}

static inline void tdoc_free(tdoc *d)
{
    free(d->doc.speakers);
    free(d->doc.turns);
    free(d->doc.strips);
    free(d->doc.meta);
    free(d->toks.turn);
    free(d->toks.sent);
    free(d->toks.tok);
    free(d->ms.m);
    free(d->text);
}

/* Options that group by the given kinds only (no META). */
static inline lf_options tdoc_options(const lf_group_kind *kinds, size_t n, lf_grouping *store)
{
    lf_options o;
    lf_options_init(&o);
    for (size_t i = 0; i < n; i++)
        store[i] = (lf_grouping){kinds[i], NULL};
    o.groupings = store;
    o.n_groupings = n;
    return o;
}

#endif
