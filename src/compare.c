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
    /* a family's rows share their group's string: no need to read it */
    int c = a->group == b->group ? 0 : strcmp(a->group, b->group);
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

/* The counts of every theme of group `name` in grouping dim into c (n_themes), its size
 * into *tot; false when there is no such group. */
static bool group_counts(const lf_tables *t, uint32_t dim, const char *name, size_t n_themes,
                         lf_counts *c, lf_totals *tot)
{
    if (!lf_tables_group_counts(t, dim, name, 0, NULL, tot))
        return false;
    for (size_t k = 0; k < n_themes; k++)
        lf_tables_group_counts(t, dim, name, (uint32_t)k, &c[k], NULL);
    return true;
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
    size_t n_themes = lf_tables_theme_count(t);
    /* the corpus (the rest is the corpus minus the target) and the reference group */
    lf_counts *all = lf_xcalloc(n_themes ? n_themes : 1, sizeof *all);
    lf_counts *rc = lf_xcalloc(n_themes ? n_themes : 1, sizeof *rc);
    lf_totals all_tot = {0}, ref_tot = {0};
    group_counts(t, 0, "all", n_themes, all, &all_tot);
    bool target_found = !target, ref_found = !ref;
    row_vec out = {0};
    for (uint32_t d = 1; d < lf_tables_dim_count(t); d++) {
        if (!opt->compare_documents && lf_tables_dim(t, d)->kind == LF_GROUP_DOCUMENT)
            continue;
        if (ref && !group_counts(t, d, ref, n_themes, rc, &ref_tot))
            continue;
        ref_found = true;
        size_t dim_first = out.n;
        const char *ref_name = NULL; /* the table's string */
        /* groups one at a time: a comparison by document has a family per document */
        lf_group_iter *it = lf_group_iter_new(t, (int)d, true);
        lf_group_row g;
        while (lf_group_iter_next(it, &g)) {
            if (ref && strcmp(g.group, ref) == 0) {
                ref_name = g.group;
                continue;
            }
            if (target && strcmp(g.group, target) != 0)
                continue;
            target_found = true;
            if (g.t.words < opt->min_words)
                continue; /* listed by lf_dropped_groups */
            size_t first = out.n;
            for (uint32_t k = 0; k < n_themes; k++) {
                if (!lf_tables_theme_reported(t, k))
                    continue;
                lf_counts x;
                lf_group_iter_counts(it, k, &x);
                lf_compare_row r = {
                    .dim = d,
                    .kind = g.kind,
                    .group = g.group,
                    .reference = LF_REFERENCE_REST,
                    .theme = k,
                    .matches_target = x.matches,
                    .words_target = g.t.words,
                    .weight_target = x.weight,
                };
                if (ref) {
                    r.matches_reference = rc[k].matches;
                    r.words_reference = ref_tot.words;
                    r.weight_reference = rc[k].weight;
                } else {
                    /* Every turn is in exactly one group of a grouping: the rest is the
                       corpus minus the target. */
                    r.matches_reference = all[k].matches - x.matches;
                    r.words_reference = all_tot.words - g.t.words;
                    r.weight_reference = all[k].weight - x.weight;
                }
                lf_contrast_compute(r.matches_target, r.words_target, r.matches_reference,
                                    r.words_reference, &r.s);
                LF_VEC_PUSH(out, r);
            }
            finish_family(out.v + first, out.n - first, opt->adjust);
        }
        lf_group_iter_free(it);
        for (size_t i = dim_first; i < out.n && ref_name; i++)
            out.v[i].reference = ref_name;
    }
    free(all);
    free(rc);
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
    LF_VEC(lf_group_ref) v = {0};
    lf_group_iter *it = lf_group_iter_new(t, -1, true);
    lf_group_row g;
    while (lf_group_iter_next(it, &g))
        if (g.dim != 0 && g.t.words < min_words)
            LF_VEC_PUSH(v, ((lf_group_ref){g.dim, g.kind, g.group, g.t.words}));
    lf_group_iter_free(it);
    *out = v.v;
    return v.n;
}
