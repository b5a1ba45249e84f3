/* fuzz_lexicon.c — libFuzzer target for a lexicon reader: the input is one dictionary file
 * in the format FUZZ_LEXICON_FORMAT (an lf_lexicon_format; the native format when not
 * defined), read by that format's reader as lf_lexicon_load would (the file recorded
 * first). When it is accepted, move targets are resolved, the lexicon is compiled by the
 * matcher (regexes, globs, the phrase trie) and run over a short fixed transcript, as
 * lexframe would. A rejected lexicon must say why (status and message); nothing may
 * crash, leak or hang. One binary per format (fuzz/meson.build). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "lexicon.h"
#include "match.h"
#include "tokenize.h"

#ifndef FUZZ_LEXICON_FORMAT
#define FUZZ_LEXICON_FORMAT LF_FMT_NATIVE
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char transcript[] =
    "MR. HALVORSEN: We do not trust them; the U.S. will not lift the sanctions.\n"
    "Q   Is there a trust fund? Re-imposition of economic sanctions, distrust, goodwill.\n"
    "MS. ADEYEMI: Don't doubt our intentions. Confidence-building steps — US and us.\n";

static lf_options opt;
static lf_ingest *ing;
static lf_doc doc;

static void setup(void)
{
    lf_error err = {LF_OK, ""};
    lf_options_init(&opt);
    opt.limits[LF_LIMIT_REGEX_MATCH] = 100000;
    opt.limits[LF_LIMIT_LEXICON_ENTRIES] = 5000;
    ing = lf_ingest_new(&opt, &err);
    lf_doc_init(&doc);
    if (!ing || lf_ingest_buffer(ing, "t.txt", NULL, transcript, sizeof transcript - 1,
                                 LF_FORMAT_TEXT, &doc, &err) != LF_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ing)
        setup();
    lf_error err = {LF_OK, ""};
    lf_lexicon *lex = lf_lexicon_new();
    const lf_format_info *fi = &lf_format_table()[FUZZ_LEXICON_FORMAT];
    /* a path with the format's first extension, kept by the lexicon as the loader does */
    char path[32];
    snprintf(path, sizeof path, "fuzz%.*s", (int)strcspn(fi->extensions, " "),
             fi->extensions);
    lf_lexicon_add_file(lex, path);
    lf_status st = fi->read(lex, lex->files[lex->n_files - 1], (const char *)data, size, &opt,
                            &err);
    if (st == LF_OK)
        st = lf_lexicon_resolve(lex, &err);
    if (st != LF_OK) {
        if (!err.message[0] || (st != LF_ERR_LEXICON && st != LF_ERR_LIMIT))
            abort();
        lf_lexicon_free(lex);
        return 0;
    }
    for (size_t i = 0; i < lex->n_entries; i++)
        if (lex->entries[i].theme >= lex->n_themes || !lex->entries[i].source)
            abort();
    lf_vocab *v = lf_vocab_new();
    lf_matcher *m = lf_matcher_new(lex, &opt, v, &err);
    if (m) {
        lf_tokens tk;
        lf_tokens_init(&tk);
        lf_matches ms;
        lf_matches_init(&ms);
        if (lf_tokenize_doc(v, &doc, &opt, &tk, &err) != LF_OK)
            abort();
        st = lf_match_doc(m, &doc, &tk, &ms, &err);
        if (st != LF_OK && (st != LF_ERR_REGEX || !err.message[0]))
            abort();
        for (size_t i = 0; i < ms.n && st == LF_OK; i++)
            if (ms.m[i].tok_end > tk.n_tok || ms.m[i].theme >= lex->n_themes)
                abort();
        lf_matches_free(&ms);
        lf_tokens_free(&tk);
        lf_matcher_free(m);
    } else if (err.status != LF_ERR_LEXICON || !err.message[0]) {
        abort();
    }
    lf_vocab_free(v);
    lf_lexicon_free(lex);
    return 0;
}
