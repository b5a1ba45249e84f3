/* fuzz_partial.c — libFuzzer target for the partial-results reader (what `lexframe merge`
 * reads from other runs and machines): the input is one partial-results file, read by
 * lf_partial_read with hooks that do what run.c's do — a header must name the themes and
 * entries of the lexicon (fuzz_lexicon_text.h; its hash is not checked here, so the body
 * behind a valid-looking header is what gets fuzzed), its analysis options are parsed,
 * its tables are read and merged — then sorted, and every document's rows replayed. A
 * refused file must say why; nothing may crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "lexicon.h"
#include "partial.h"

#include "fuzz_lexicon_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lf_options opt;
static lf_lexicon *lex;
static char path[64];
static int fd = -1;

static void setup(void)
{
    lf_error err = {LF_OK, ""};
    lf_options_init(&opt);
    lex = lf_lexicon_new();
    if (lf_lexicon_read_native(lex, "fuzz.lexicon", lexicon_text, sizeof lexicon_text - 1,
                               &opt, &err) != LF_OK ||
        lf_lexicon_resolve(lex, &err) != LF_OK)
        abort();
    /* the reader takes a path: one scratch file, rewritten for every input */
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/lf-fuzz-partial-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    unlink(path);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
}

typedef struct ctx {
    lf_tables *acc;
} ctx;

static lf_status on_header(void *c, const lf_partial_header *h, const char *where,
                           lf_error *err)
{
    (void)c;
    if (h->n_themes != lex->n_themes || h->n_entries != lex->n_entries) {
        lf_error_set(err, LF_ERR_LEXICON, "%s: other lexicons", where);
        return LF_ERR_LEXICON;
    }
    lf_options o = opt;
    lf_grouping *g = NULL;
    const char **sp = NULL;
    lf_status st = lf_partial_options(h, &o, &g, &sp, err);
    free(g);
    free(sp);
    return st;
}

static lf_tables *on_new_tables(void *c)
{
    (void)c;
    return lf_tables_new_opts(lex, &opt);
}

static void on_tables_done(void *c, lf_tables *t)
{
    lf_tables_merge(((ctx *)c)->acc, t);
    lf_tables_free(t);
}

static int on_row(void *c, const lf_match_row *row)
{
    (void)c;
    if (!row->doc || !row->theme || !row->text)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!lex)
        setup();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    ctx c = {lf_tables_new_opts(lex, &opt)};
    lf_partial_hooks h = {&c, on_header, on_new_tables, on_tables_done};
    lf_partial_set s;
    lf_partial_set_init(&s);
    lf_error err = {LF_OK, ""};
    lf_status st = lf_partial_read(&s, path, &h, &err);
    if (st == LF_OK)
        st = lf_partial_sort(&s, &err);
    for (size_t i = 0; i < s.docs.n && st == LF_OK; i++)
        st = lf_partial_rows(&s, &s.docs.v[i], on_row, NULL, &err);
    if (st != LF_OK && !err.message[0])
        abort(); /* a refusal must say why */
    lf_partial_set_free(&s);
    lf_tables_free(c.acc);
    return 0;
}
