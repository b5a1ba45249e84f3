/* compare.c — stage 5, the framing comparison: for a grouping (speaker, party, …), each
 * target group against a reference group or the rest of the corpus, theme by theme: rates,
 * rate ratio with its 95% CI, signed G², p and the p adjusted over the themes of that
 * comparison (Holm or Benjamini–Hochberg). Built
 * from the additive count tables at render time, so merged tables compare exactly like a
 * single run's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

typedef LF_VEC(lf_compare_row) row_vec;

static int compare_row_cmp(const void *pa, const void *pb)
{
    const lf_compare_row *a = pa, *b = pb;
    int c = strcmp(a->group, b->group);
    if (c)
        return c;
    bool da = !isnan(a->s.log2_ratio), db = !isnan(b->s.log2_ratio);
    if (da != db)
        return da ? -1 : 1; /* undefined ratios last */
    if (da && a->s.log2_ratio != b->s.log2_ratio)
        return a->s.log2_ratio > b->s.log2_ratio ? -1 : 1;
    return a->theme < b->theme ? -1 : a->theme > b->theme;
}

/* Adjusts the p-values of the tested rows of one comparison (one target against its
 * reference, every theme: the family) and sorts them by effect. */
static void finish_family(lf_compare_row *rows, size_t n, lf_adjust method)
{
    if (n == 0)
        return;
    double *p = lf_xcalloc(n ? n : 1, sizeof *p);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        rows[i].p_adjusted = rows[i].s.p;
        if (rows[i].s.tested)
            p[m++] = rows[i].s.p;
    }
    lf_p_adjust(p, m, method, p);
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].s.tested)
            rows[i].p_adjusted = p[m++];
    free(p);
    qsort(rows, n, sizeof *rows, compare_row_cmp);
}

/* The first frequency block (n_rep rows) of a group named `name` in grouping `dim`. */
static const lf_freq_row *find_block(const lf_freq_row *fr, size_t n_blocks, size_t n_rep,
                                     uint32_t dim, const char *name)
{
    for (size_t b = 0; b < n_blocks; b++)
        if (fr[b * n_rep].dim == dim && strcmp(fr[b * n_rep].group, name) == 0)
            return &fr[b * n_rep];
    return NULL;
}

lf_status lf_compare_rows(const lf_tables *t, const lf_options *opt, lf_compare_row **rows,
                          size_t *n, lf_error *err)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    const char *target = opt->target;
    const char *ref = opt->reference;
    if (ref && (strcmp(ref, "rest") == 0 || strcmp(ref, LF_REFERENCE_REST) == 0))
        ref = NULL;
    lf_freq_row *fr;
    size_t n_fr = lf_tables_freq_rows(t, opt->compare_documents, &fr);
    size_t n_rep = 0;
    for (size_t i = 0; i < n_fr && fr[i].dim == 0; i++)
        n_rep++;
    size_t n_blocks = n_rep ? n_fr / n_rep : 0;
    bool target_found = !target, ref_found = !ref;
    row_vec out = {0};
    for (uint32_t d = 1; d < lf_tables_dim_count(t); d++) {
        if (!opt->compare_documents && lf_tables_dim(t, d)->kind == LF_GROUP_DOCUMENT)
            continue;
        const lf_freq_row *rb = ref ? find_block(fr, n_blocks, n_rep, d, ref) : NULL;
        if (ref && !rb)
            continue;
        ref_found = true;
        for (size_t b = 0; b < n_blocks; b++) {
            const lf_freq_row *tb = &fr[b * n_rep];
            if (tb->dim != d || tb == rb || (target && strcmp(tb->group, target) != 0))
                continue;
            target_found = true;
            if (tb->t.words < opt->min_words)
                continue; /* listed by lf_dropped_groups */
            size_t first = out.n;
            for (size_t k = 0; k < n_rep; k++) {
                const lf_freq_row *x = &tb[k], *all = &fr[k];
                lf_compare_row r = {
                    .dim = d,
                    .kind = x->kind,
                    .group = x->group,
                    .reference = rb ? rb->group : LF_REFERENCE_REST,
                    .theme = x->theme,
                    .matches_target = x->c.matches,
                    .words_target = x->t.words,
                    .weight_target = x->c.weight,
                };
                if (rb) {
                    r.matches_reference = rb[k].c.matches;
                    r.words_reference = rb[k].t.words;
                    r.weight_reference = rb[k].c.weight;
                } else {
                    /* Every turn is in exactly one group of a grouping: the rest is the
                       corpus minus the target. */
                    r.matches_reference = all->c.matches - x->c.matches;
                    r.words_reference = all->t.words - x->t.words;
                    r.weight_reference = all->c.weight - x->c.weight;
                }
                lf_contrast_compute(r.matches_target, r.words_target, r.matches_reference,
                                    r.words_reference, &r.s);
                LF_VEC_PUSH(out, r);
            }
            finish_family(out.v + first, out.n - first, opt->adjust);
        }
    }
    free(fr);
    if (!target_found || !ref_found) {
        lf_error_set(err, LF_ERR_USAGE, "%s: no group is named '%s'",
                     !target_found ? "--target" : "--reference",
                     !target_found ? target : ref);
        LF_VEC_FREE(out);
        *rows = NULL;
        *n = 0;
        return LF_ERR_USAGE;
    }
    *rows = out.v;
    *n = out.n;
    return LF_OK;
}

size_t lf_dropped_groups(const lf_tables *t, uint64_t min_words, lf_group_ref **out)
{
    lf_freq_row *fr;
    size_t n_fr = lf_tables_freq(t, &fr);
    LF_VEC(lf_group_ref) v = {0};
    const lf_freq_row *last = NULL;
    for (size_t i = 0; i < n_fr; i++) {
        const lf_freq_row *r = &fr[i];
        if (r->dim == 0 || r->t.words >= min_words ||
            (last && last->dim == r->dim && strcmp(last->group, r->group) == 0))
            continue;
        last = r;
        LF_VEC_PUSH(v, ((lf_group_ref){r->dim, r->kind, r->group, r->t.words}));
    }
    free(fr);
    *out = v.v;
    return v.n;
}
