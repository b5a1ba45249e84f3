/* lexicon_expand.c — `lexframe lexicon expand`: runs a lexicon over a corpus through the
 * public run API (every match, suppressed ones too, arrives at a callback with its entry
 * and matched text) and reports, for every glob, glob phrase and regex, the distinct words
 * it matched with their counts — so that an analyst sees that concession* also caught
 * concessionaire — and every entry that matched nothing. Output is TSV in lexicon order,
 * each entry's words by count (descending), then text. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "tokenize.h"

typedef struct hit {
    uint32_t entry;
    char *text; /* normalized matched text */
    uint64_t counted, suppressed;
} hit;

typedef struct expand {
    const lf_lexicon *lex;
    lf_strmap by_source;  /* "file\x1fline\x1fsource" → first entry index */
    lf_strmap hit_index;  /* "entry\x1ftext" → index into hits */
    LF_VEC(hit) hits;
    uint64_t *matched;    /* per entry: any match at all */
    lf_buf key;
} expand;

static void source_key(lf_buf *b, const char *file, size_t line, const char *source)
{
    lf_buf_reset(b);
    lf_buf_printf(b, "%s\x1f%zu\x1f%s", file ? file : "", line, source ? source : "");
}

/* The entry behind a row: one line of a foreign dictionary may give several entries (one
 * per category), told apart by the theme (or the theme that moves negated matches there). */
static int64_t find_entry(expand *x, const lf_match_row *row)
{
    source_key(&x->key, row->entry_file, row->entry_line, row->entry);
    uint32_t first;
    if (!lf_strmap_get(&x->by_source, x->key.data, x->key.len, &first))
        return -1;
    const lf_lexicon *lex = x->lex;
    int64_t fallback = first;
    for (size_t i = first; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        if (e->line != row->entry_line || strcmp(e->source, row->entry) != 0 ||
            strcmp(e->file, row->entry_file) != 0)
            break;
        const lf_theme *t = &lex->themes[e->theme];
        if (strcmp(t->id, row->theme) == 0)
            return (int64_t)i;
        if (t->neg == LF_NEG_MOVE && t->neg_target >= 0 &&
            strcmp(lex->themes[t->neg_target].id, row->theme) == 0)
            fallback = (int64_t)i;
    }
    return fallback;
}

static int on_row(void *ctx, const lf_match_row *row)
{
    expand *x = ctx;
    int64_t ei = find_entry(x, row);
    if (ei < 0)
        return 0;
    const lf_entry *e = &x->lex->entries[ei];
    bool counted = strcmp(row->status, "counted") == 0;
    x->matched[ei]++;
    size_t n = 0;
    char *norm = lf_normalize_word(row->text, strlen(row->text), !e->case_sensitive, &n);
    lf_buf_reset(&x->key);
    lf_buf_printf(&x->key, "%" PRId64 "\x1f%s", ei, norm ? norm : row->text);
    bool added;
    uint32_t hi = lf_strmap_intern(&x->hit_index, x->key.data, x->key.len,
                                   (uint32_t)x->hits.n, &added);
    if (added) {
        hit h = {(uint32_t)ei, norm ? norm : lf_xstrdup(row->text), 0, 0};
        LF_VEC_PUSH(x->hits, h);
    } else {
        free(norm);
    }
    if (counted)
        x->hits.v[hi].counted++;
    else
        x->hits.v[hi].suppressed++;
    return 0;
}

static int cmp_hit(const void *pa, const void *pb)
{
    const hit *a = pa, *b = pb;
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    uint64_t ta = a->counted + a->suppressed, tb = b->counted + b->suppressed;
    if (ta != tb)
        return ta > tb ? -1 : 1;
    return strcmp(a->text, b->text);
}

static const char *kind_name(const lf_entry *e)
{
    if (e->kind == LF_ENTRY_REGEX)
        return "regex";
    for (size_t w = 0; w < e->n_words; w++)
        if (e->words[w].glob)
            return "glob";
    return e->n_words > 1 ? "phrase" : "word";
}

/* One TSV field: tabs and newlines become spaces. */
static void field(FILE *fp, const char *s)
{
    for (; *s; s++)
        putc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

static void row_out(FILE *fp, const lf_lexicon *lex, const lf_entry *e, const char *text,
                    uint64_t counted, uint64_t suppressed)
{
    field(fp, lex->themes[e->theme].id);
    putc('\t', fp);
    field(fp, e->source);
    putc('\t', fp);
    field(fp, e->file); /* a file name may hold a tab or a line break too */
    fprintf(fp, ":%zu\t%s\t", e->line, kind_name(e));
    field(fp, text);
    fprintf(fp, "\t%llu\t%llu\n", (unsigned long long)counted, (unsigned long long)suppressed);
}

lf_status lf_lexicon_expand(const lf_lexicon *lex, const lf_options *opt,
                            const char *const *paths, size_t n_paths, bool strict, FILE *out,
                            size_t *failed, lf_error *err)
{
    if (failed)
        *failed = 0;
    expand x = {.lex = lex};
    lf_strmap_init(&x.by_source);
    lf_strmap_init(&x.hit_index);
    x.matched = lf_xcalloc(lex->n_entries + 1, sizeof *x.matched);
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        source_key(&x.key, e->file, e->line, e->source);
        bool added;
        lf_strmap_intern(&x.by_source, x.key.data, x.key.len, (uint32_t)i, &added);
    }
    lf_status st = LF_OK;
    lf_run *run = lf_run_new(lex, opt, err);
    if (!run) {
        st = err->status;
        goto out;
    }
    for (size_t i = 0; i < n_paths && st == LF_OK; i++)
        st = lf_run_add_input(run, paths[i], err);
    if (st != LF_OK)
        goto out;
    lf_run_set_list_suppressed(run, true);
    lf_run_set_match_fn(run, on_row, &x);
    lf_run_set_strict(run, strict);
    st = lf_run_execute(run, err);
    if (failed)
        *failed = lf_run_failed_inputs(run);
    /* a write error, or --strict stopped at a failed input: no table */
    if (st == LF_ERR_IO || !lf_run_complete(run))
        goto out;
    lf_status input_st = st;
    lf_sort(x.hits.v, x.hits.n, sizeof *x.hits.v, cmp_hit);
    fputs("theme\tentry\tsource\tkind\tmatched\tcount\tsuppressed\n", out);
    size_t h = 0;
    for (size_t i = 0; i < lex->n_entries; i++) {
        const lf_entry *e = &lex->entries[i];
        if (e->exclude) {
            while (h < x.hits.n && x.hits.v[h].entry == i)
                h++;
            continue;
        }
        bool expands = e->kind == LF_ENTRY_REGEX || strcmp(kind_name(e), "glob") == 0;
        if (!x.matched[i])
            row_out(out, lex, e, "", 0, 0);
        for (; h < x.hits.n && x.hits.v[h].entry == i; h++)
            if (expands)
                row_out(out, lex, e, x.hits.v[h].text, x.hits.v[h].counted,
                        x.hits.v[h].suppressed);
    }
    if (fflush(out) != 0 || ferror(out)) {
        lf_error_set(err, LF_ERR_IO, "write error: %s", strerror(errno ? errno : EIO));
        st = LF_ERR_IO;
    } else {
        st = input_st;
    }
out:
    lf_run_free(run);
    for (size_t i = 0; i < x.hits.n; i++)
        free(x.hits.v[i].text);
    LF_VEC_FREE(x.hits);
    free(x.matched);
    lf_buf_free(&x.key);
    lf_strmap_free(&x.by_source);
    lf_strmap_free(&x.hit_index);
    return st;
}
