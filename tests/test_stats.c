/* test_stats.c — the statistics of the framing comparison and co-occurrence against values
 * worked out by hand (G², the chi-square p, the rate ratio and its interval, zero cells,
 * ties, Holm and Benjamini–Hochberg), then property tests: on random tables every
 * statistic agrees with a straightforward independent implementation written here (plain
 * Σ O ln(O/E), the incomplete gamma function for p, the O(m²) definitions of the
 * adjustments), and comparison rows built from random hand-made documents agree with
 * counts taken directly from those documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "tdoc.h"
#include "util.h"

static void assert_close_rel(double got, double want, double tol)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    if (!(fabs(got - want) <= tol * scale))
        fail_msg("got %.17g, want %.17g", got, want);
}

#define assert_close(got, want) assert_close_rel((got), (want), 1e-12)

/* ---- by hand ---- */

static void g2_and_p_by_hand(void **state)
{
    (void)state;
    /* [[10, 990], [20, 3980]]: N = 5000, rows 1000 and 4000, columns 30 and 4970, so
       E = 6, 994, 24, 3976. */
    double want = 2.0 * (10 * log(10.0 / 6) + 990 * log(990.0 / 994) + 20 * log(20.0 / 24) +
                         3980 * log(3980.0 / 3976));
    assert_close(lf_g2_2x2(10, 990, 20, 3980), want);
    assert_close(want, 2.943791214313115);
    /* A zero cell adds nothing: [[0, 500], [10, 990]], E11 = 500·10/1500. */
    want = 2.0 * (500 * log(500.0 / (500.0 * 1490 / 1500)) + 10 * log(10.0 / (1000.0 * 10 / 1500)) +
                  990 * log(990.0 / (1000.0 * 1490 / 1500)));
    assert_close(lf_g2_2x2(0, 500, 10, 990), want);
    /* Independence and empty tables: exactly 0. */
    assert_close(lf_g2_2x2(5, 995, 10, 1990), 0.0);
    assert_close(lf_g2_2x2(0, 0, 0, 0), 0.0);
    assert_close(lf_g2_2x2(0, 0, 3, 7), 0.0); /* an empty row */

    /* The chi-square (1 df) critical values: 3.841459 ↔ 0.05, 10.827566 ↔ 0.001; x = 1 is
       one standard deviation: 2(1 − Φ(1)) = 0.3173105. */
    assert_close_rel(lf_chisq1_sf(3.841458820694124), 0.05, 1e-12);
    assert_close_rel(lf_chisq1_sf(10.827566170662733), 0.001, 1e-10);
    assert_close_rel(lf_chisq1_sf(1.0), 0.31731050786291404, 1e-12);
    assert_close(lf_chisq1_sf(0.0), 1.0);
    assert_close(lf_chisq1_sf(-2.0), 1.0);
    assert_true(isnan(lf_chisq1_sf(NAN)));
    assert_true(lf_chisq1_sf(2000.0) >= 0.0 && lf_chisq1_sf(2000.0) < 1e-300);

    /* Co-occurrence over 10 units, n_a = 4, n_b = 5, n_ab = 3: [[3, 1], [2, 4]]. */
    assert_close(lf_cooc_g2(3, 4, 5, 10), lf_g2_2x2(3, 1, 2, 4));
    assert_close(lf_cooc_g2(3, 4, 5, 10), 1.7260924347106847);
    /* Never together: repulsion, negative. */
    assert_close(lf_cooc_g2(0, 4, 5, 10), -8.456209104803248);
    assert_close(lf_cooc_g2(2, 4, 5, 10), 0.0); /* exactly the expected count */
    assert_true(isnan(lf_cooc_g2(1, 1, 1, 0)));
    assert_true(isnan(lf_cooc_g2(5, 4, 5, 10))); /* joint above a count: inconsistent */
    assert_close(lf_weight_per_1000(2.5, 500), 5.0);
    assert_close(lf_weight_per_1000(2.5, 0), 0.0);
}

static void contrast_by_hand(void **state)
{
    (void)state;
    lf_contrast s;
    /* 10 matches in 1,000 words against 20 in 4,000: rates 10 and 5 per 1,000, ratio 2.
       SE(ln RR) = sqrt(1/10 − 1/1000 + 1/20 − 1/4000) = sqrt(0.14875). */
    lf_contrast_compute(10, 1000, 20, 4000, &s);
    double se = sqrt(0.14875), z = 1.959963984540054;
    assert_close(s.rate_target, 10.0);
    assert_close(s.rate_reference, 5.0);
    assert_close(s.rate_ratio, 2.0);
    assert_close(s.log2_ratio, 1.0);
    assert_close(s.ci_low, 2.0 * exp(-z * se));
    assert_close(s.ci_high, 2.0 * exp(z * se));
    assert_close(s.ci_low, 0.9391555943101528);
    assert_close(s.ci_high, 4.259145155748297);
    assert_close(s.log2_ci_low, log2(0.9391555943101528));
    assert_close(s.log2_ci_high, log2(4.259145155748297));
    assert_close(s.g2, 2.943791214313115); /* the table above, positive: higher rate */
    assert_close(s.p, 0.08620817451219684);
    assert_false(s.corrected);
    assert_true(s.tested);

    /* The mirror: the sign of G² flips, the ratio inverts, p stays. */
    lf_contrast m;
    lf_contrast_compute(20, 4000, 10, 1000, &m);
    assert_close(m.g2, -s.g2);
    assert_close(m.rate_ratio, 0.5);
    assert_close(m.ci_low, 1.0 / s.ci_high);
    assert_close(m.p, s.p);

    /* A zero cell: 0 in 500 words against 10 in 1,000. 0.5 is added to every cell:
       (0.5/501)/(10.5/1001) for the ratio and its SE; G² from the raw counts. */
    lf_contrast_compute(0, 500, 10, 1000, &s);
    double rr = (0.5 / 501.0) / (10.5 / 1001.0);
    se = sqrt(1 / 0.5 - 1 / 501.0 + 1 / 10.5 - 1 / 1001.0);
    assert_true(s.corrected);
    assert_close(s.rate_target, 0.0);
    assert_close(s.rate_ratio, rr);
    assert_close(s.rate_ratio, 0.09514304723885561);
    assert_close(s.ci_low, rr * exp(-z * se));
    assert_close(s.ci_high, rr * exp(z * se));
    assert_close(s.g2, -8.14282186160411);
    assert_close(s.p, 0.004323195340056714);
    assert_true(isfinite(s.log2_ratio) && isfinite(s.log2_ci_low) && isfinite(s.log2_ci_high));
    /* The zero on the other side, and a side with every word a match (c = 0). */
    lf_contrast_compute(10, 1000, 0, 500, &s);
    assert_true(s.corrected && isfinite(s.rate_ratio) && s.g2 > 0);
    lf_contrast_compute(5, 5, 1, 1000, &s);
    assert_true(s.corrected && isfinite(s.ci_high) && s.rate_ratio > 1);

    /* Ties: equal rates give G² exactly 0, p 1 and a ratio of 1. */
    lf_contrast_compute(5, 1000, 10, 2000, &s);
    assert_close(s.g2, 0.0);
    assert_close(s.p, 1.0);
    assert_close(s.rate_ratio, 1.0);
    assert_true(s.tested);

    /* Neither side uses the theme: no ratio, G² 0, p 1, not in the family. */
    lf_contrast_compute(0, 1000, 0, 2000, &s);
    assert_true(isnan(s.rate_ratio) && isnan(s.ci_low) && isnan(s.log2_ratio));
    assert_close(s.g2, 0.0);
    assert_close(s.p, 1.0);
    assert_false(s.tested);
    /* One side has no words: nothing but the rates. */
    lf_contrast_compute(3, 100, 0, 0, &s);
    assert_close(s.rate_target, 30.0);
    assert_close(s.rate_reference, 0.0);
    assert_true(isnan(s.g2) && isnan(s.p) && isnan(s.rate_ratio));
    assert_false(s.tested);
    /* More matches than words (a rolled-up theme whose children overlap): c = 0, finite. */
    lf_contrast_compute(12, 10, 3, 1000, &s);
    assert_true(s.corrected && isfinite(s.rate_ratio) && isfinite(s.g2) && s.g2 > 0);
}

static void p_adjust_by_hand(void **state)
{
    (void)state;
    /* p = 0.01, 0.04, 0.03, 0.005; in order 0.005, 0.01, 0.03, 0.04 with m = 4.
       Holm: 4·0.005, 3·0.01, 2·0.03, max(1·0.04, 0.06) = 0.02, 0.03, 0.06, 0.06.
       BH: 0.005·4/1, 0.01·4/2, 0.03·4/3, 0.04·4/4 = 0.02, 0.02, 0.04, 0.04, then the
       running minimum from the top changes nothing. */
    double p[4] = {0.01, 0.04, 0.03, 0.005}, out[4];
    lf_p_adjust(p, 4, LF_ADJUST_HOLM, out);
    assert_close(out[0], 0.03);
    assert_close(out[1], 0.06);
    assert_close(out[2], 0.06);
    assert_close(out[3], 0.02);
    lf_p_adjust(p, 4, LF_ADJUST_BH, out);
    assert_close(out[0], 0.02);
    assert_close(out[1], 0.04);
    assert_close(out[2], 0.04);
    assert_close(out[3], 0.02);
    /* Ties get the same adjusted value; values cap at 1. Holm: 3·0.02 twice, then 0.5.
       BH: min(0.06, 0.03) = 0.03 twice, 0.5. */
    double tie[3] = {0.02, 0.02, 0.5};
    lf_p_adjust(tie, 3, LF_ADJUST_HOLM, out);
    assert_close(out[0], 0.06);
    assert_close(out[1], 0.06);
    assert_close(out[2], 0.5);
    lf_p_adjust(tie, 3, LF_ADJUST_BH, out);
    assert_close(out[0], 0.03);
    assert_close(out[1], 0.03);
    assert_close(out[2], 0.5);
    double big[2] = {0.6, 0.9};
    lf_p_adjust(big, 2, LF_ADJUST_HOLM, out);
    assert_close(out[0], 1.0);
    assert_close(out[1], 1.0);
    /* In place, and a family of one is unchanged. */
    double one[1] = {0.2};
    lf_p_adjust(one, 1, LF_ADJUST_HOLM, one);
    assert_close(one[0], 0.2);
    lf_p_adjust(NULL, 0, LF_ADJUST_BH, NULL); /* nothing to do, nothing touched */
    char buf[64];
    lf_fmt_p(buf, sizeof buf, 3.5249195908932144e-07);
    assert_string_equal(buf, "3.52492e-07");
    lf_fmt_p(buf, sizeof buf, 0.0123456789);
    assert_string_equal(buf, "0.012346");
    lf_fmt_p(buf, sizeof buf, 0.001);
    assert_string_equal(buf, "0.001");
    lf_fmt_p(buf, sizeof buf, 0.0);
    assert_string_equal(buf, "0");
    lf_fmt_p(buf, sizeof buf, NAN);
    assert_string_equal(buf, "NA");
    assert_string_equal(lf_adjust_name(LF_ADJUST_BH), "bh");
    assert_string_equal(lf_adjust_label(LF_ADJUST_HOLM), "Holm");
}

/* ---- independent implementations ---- */

static uint64_t rng_state;

static uint64_t rnd(uint64_t bound)
{
    /* Knuth's MMIX LCG; the high bits are good enough for test tables. */
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (rng_state >> 33) % bound;
}

/* G² straight from the definition. */
static double naive_g2(double a, double b, double c, double d)
{
    double o[4] = {a, b, c, d};
    double n = a + b + c + d, r[2] = {a + b, c + d}, col[2] = {a + c, b + d};
    double s = 0.0;
    for (int i = 0; i < 4; i++) {
        double e = r[i / 2] * col[i % 2] / n;
        if (o[i] > 0)
            s += o[i] * log(o[i] / e);
    }
    return 2.0 * s;
}

/* P(χ²₁ ≥ x) = Q(1/2, x/2), the regularized upper incomplete gamma function: a series
 * below a + 1, Lentz's continued fraction above (Numerical Recipes, gser and gcf). */
static double gamma_q_half(double x)
{
    const double a = 0.5, lg = lgamma(0.5);
    if (x <= 0)
        return 1.0;
    if (x < a + 1) {
        double ap = a, sum = 1.0 / a, del = sum;
        for (int n = 0; n < 1000; n++) {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * 1e-17)
                break;
        }
        return 1.0 - sum * exp(-x + a * log(x) - lg);
    }
    double b = x + 1 - a, c = 1.0 / 1e-300, d = 1.0 / b, h = d;
    for (int i = 1; i < 1000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300)
            d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return exp(-x + a * log(x) - lg) * h;
}

/* Holm and BH from their definitions, O(m²): rank by p (ties by index). */
static void naive_adjust(const double *p, size_t m, lf_adjust method, double *out)
{
    size_t *rank = calloc(m, sizeof *rank);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            if (p[j] < p[i] || (p[j] == p[i] && j < i))
                rank[i]++; /* 0-based */
    for (size_t i = 0; i < m; i++) {
        double v = method == LF_ADJUST_HOLM ? 0.0 : 1.0;
        for (size_t j = 0; j < m; j++) {
            double x = method == LF_ADJUST_HOLM ? fmin(1.0, (double)(m - rank[j]) * p[j])
                                                : fmin(1.0, (double)m / (double)(rank[j] + 1) * p[j]);
            if (method == LF_ADJUST_HOLM && rank[j] <= rank[i])
                v = fmax(v, x);
            if (method == LF_ADJUST_BH && rank[j] >= rank[i])
                v = fmin(v, x);
        }
        out[i] = v;
    }
    free(rank);
}

static void property_random_tables(void **state)
{
    (void)state;
    rng_state = 20240514;
    for (int iter = 0; iter < 20000; iter++) {
        /* Small counts (zeros and ties are frequent) and large ones. */
        uint64_t scale = iter % 3 == 0 ? 8 : iter % 3 == 1 ? 2000 : 5000000;
        uint64_t wt = 1 + rnd(scale), wr = 1 + rnd(scale);
        uint64_t a = rnd(wt + 1), b = rnd(wr + 1);
        if (iter % 7 == 0)
            a = 0;
        if (iter % 11 == 0)
            b = wr;
        lf_contrast s;
        lf_contrast_compute(a, wt, b, wr, &s);
        double A = (double)a, B = (double)b, C = (double)(wt - a), D = (double)(wr - b);
        assert_close_rel(s.rate_target, 1000.0 * A / (double)wt, 1e-12);
        assert_close_rel(s.rate_reference, 1000.0 * B / (double)wr, 1e-12);
        if (a == 0 && b == 0) {
            assert_false(s.tested);
            continue;
        }
        double g = naive_g2(A, C, B, D);
        assert_close_rel(fabs(s.g2), g, 1e-9);
        double dir = A / (double)wt - B / (double)wr;
        if (fabs(dir) > 1e-12)
            assert_true((s.g2 > 0) == (dir > 0) || g < 1e-9);
        assert_close_rel(s.p, gamma_q_half(g / 2.0), 1e-9);
        bool zero = a == 0 || b == 0 || C == 0 || D == 0;
        assert_int_equal(s.corrected, zero);
        if (zero) {
            A += 0.5;
            B += 0.5;
            C += 0.5;
            D += 0.5;
        }
        double rr = (A / (A + C)) / (B / (B + D));
        double se = sqrt(fmax(0.0, 1 / A - 1 / (A + C) + 1 / B - 1 / (B + D)));
        assert_close_rel(s.rate_ratio, rr, 1e-12);
        assert_close_rel(s.log2_ratio, log(rr) / log(2.0), 1e-12);
        assert_close_rel(s.ci_low, rr * exp(-1.959963984540054 * se), 1e-12);
        assert_close_rel(s.ci_high, rr * exp(1.959963984540054 * se), 1e-12);
        assert_true(s.ci_low <= s.rate_ratio && s.rate_ratio <= s.ci_high);
        assert_true(isfinite(s.ci_low) && isfinite(s.ci_high) && s.ci_low > 0);

        /* Co-occurrence G² over units. */
        uint64_t n = 1 + rnd(scale), na = rnd(n + 1), nb = rnd(n + 1);
        uint64_t lo = na + nb > n ? na + nb - n : 0, hi = na < nb ? na : nb;
        uint64_t nab = lo + rnd(hi - lo + 1);
        double cg = lf_cooc_g2(nab, na, nb, n);
        double ng = naive_g2((double)nab, (double)(na - nab), (double)(nb - nab),
                             (double)(n - na - nb + nab));
        assert_close_rel(fabs(cg), ng, 1e-9);
    }
    /* Adjustments on random families, with ties. */
    for (int iter = 0; iter < 2000; iter++) {
        size_t m = 1 + rnd(40);
        double p[40], got[40], want[40];
        for (size_t i = 0; i < m; i++)
            p[i] = rnd(4) == 0 ? 0.01 * (double)rnd(5) : (double)rnd(1000001) / 1e6;
        for (int method = 0; method < 2; method++) {
            lf_p_adjust(p, m, (lf_adjust)method, got);
            naive_adjust(p, m, (lf_adjust)method, want);
            for (size_t i = 0; i < m; i++) {
                assert_close_rel(got[i], want[i], 1e-12);
                assert_true(got[i] >= p[i] - 1e-15 && got[i] <= 1.0);
            }
        }
    }
}

/* ---- comparison rows from random documents ---- */

enum { N_TH = 3, N_SP = 4 };

static struct lf_lexicon *small_lexicon(void)
{
    struct lf_lexicon *lex = lf_xcalloc(1, sizeof *lex);
    lex->themes = lf_xcalloc(N_TH, sizeof *lex->themes);
    lex->n_themes = N_TH;
    static const char *const ids[N_TH] = {"trust", "leverage", "betrayal"};
    for (size_t i = 0; i < N_TH; i++)
        lex->themes[i] = (lf_theme){.id = ids[i], .label = ids[i], .parent = -1, .depth = 1,
                                    .neg_target = -1};
    lex->entries = lf_xcalloc(N_TH, sizeof *lex->entries);
    lex->n_entries = N_TH;
    for (size_t i = 0; i < N_TH; i++)
        lex->entries[i] = (lf_entry){.theme = (uint32_t)i, .weight = 0.5 + (double)i,
                                     .source = ids[i]};
    return lex;
}

static void comparison_rows_from_documents(void **state)
{
    (void)state;
    struct lf_lexicon *lex = small_lexicon();
    static const char *const names[N_SP] = {"ALPHA", "BETA", "GAMMA", "DELTA"};
    rng_state = 7;
    for (int iter = 0; iter < 40; iter++) {
        uint64_t matches[N_SP][N_TH] = {{0}}, words[N_SP] = {0};
        lf_options o;
        lf_options_init(&o);
        lf_grouping g = {LF_GROUP_SPEAKER, NULL};
        o.groupings = &g;
        o.n_groupings = 1;
        o.adjust = (lf_adjust)(iter % 2);
        lf_tables *t = lf_tables_new_opts(lex, &o);
        for (int doc = 0; doc < 3; doc++) {
            turn_spec turns[12];
            size_t n_turns = 1 + rnd(12);
            for (size_t i = 0; i < n_turns; i++) {
                int32_t sp = (int32_t)rnd(N_SP);
                turns[i] = (turn_spec){sp, false, {(uint32_t)(1 + rnd(30)), 0}, NULL};
                words[sp] += turns[i].sent_words[0];
            }
            tdoc d;
            char id[16];
            snprintf(id, sizeof id, "d%d.txt", doc);
            tdoc_build(&d, id, names, N_SP, turns, n_turns, 0);
            for (size_t i = 0; i < n_turns; i++) {
                /* up to three matches of distinct words per turn */
                uint32_t first = d.toks.sent[i].tok_first, len = turns[i].sent_words[0];
                for (uint32_t k = 0; k < 3 && k < len; k++) {
                    if (rnd(3) == 0)
                        continue;
                    uint32_t th = (uint32_t)rnd(N_TH);
                    tdoc_match_at(&d, (uint32_t)i, first + k, 1, th, th, LF_MATCH_COUNTED,
                                  false);
                    matches[turns[i].speaker][th]++;
                }
            }
            lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
            tdoc_free(&d);
        }
        uint64_t all_words = 0, all_m[N_TH] = {0};
        for (int sp = 0; sp < N_SP; sp++) {
            all_words += words[sp];
            for (int th = 0; th < N_TH; th++)
                all_m[th] += matches[sp][th];
        }
        lf_compare_row *rows;
        size_t n;
        assert_int_equal(lf_compare_rows(t, &o, &rows, &n, NULL), LF_OK);
        size_t k = 0, spoken = 0;
        for (int sp = 0; sp < N_SP; sp++)
            spoken += words[sp] > 0;
        assert_int_equal(n, spoken * N_TH);
        for (int sp = 0; sp < N_SP; sp++) {
            if (words[sp] == 0)
                continue; /* a speaker who never spoke is no group */
            /* this speaker's family: its rows are contiguous */
            for (k = 0; k < n && strcmp(rows[k].group, names[sp]) != 0;)
                k++;
            assert_true(k + N_TH <= n);
            double p[N_TH], want[N_TH];
            size_t m = 0;
            for (size_t j = k; j < k + N_TH; j++) {
                const lf_compare_row *r = &rows[j];
                assert_string_equal(r->group, names[sp]);
                assert_string_equal(r->reference, LF_REFERENCE_REST);
                assert_int_equal(r->matches_target, matches[sp][r->theme]);
                assert_int_equal(r->words_target, words[sp]);
                assert_int_equal(r->matches_reference, all_m[r->theme] - matches[sp][r->theme]);
                assert_int_equal(r->words_reference, all_words - words[sp]);
                assert_close_rel(r->weight_target,
                                 (double)matches[sp][r->theme] * (0.5 + (double)r->theme), 1e-9);
                lf_contrast s;
                lf_contrast_compute(r->matches_target, r->words_target, r->matches_reference,
                                    r->words_reference, &s);
                assert_memory_equal(&s, &r->s, sizeof s);
                if (s.tested)
                    p[m++] = s.p;
                /* sorted by effect within the family, undefined last */
                if (j > k && !isnan(r->s.log2_ratio))
                    assert_true(rows[j - 1].s.log2_ratio >= r->s.log2_ratio);
            }
            naive_adjust(p, m, o.adjust, want);
            m = 0;
            for (size_t j = k; j < k + N_TH; j++)
                if (rows[j].s.tested)
                    assert_close_rel(rows[j].p_adjusted, want[m++], 1e-12);
                else
                    assert_close_rel(rows[j].p_adjusted, rows[j].s.p, 0);
        }
        free(rows);

        /* Against a named reference: its own counts, not the rest. */
        o.target = "ALPHA";
        o.reference = "BETA";
        if (words[0] && words[1]) {
            assert_int_equal(lf_compare_rows(t, &o, &rows, &n, NULL), LF_OK);
            assert_int_equal(n, N_TH);
            for (size_t j = 0; j < n; j++) {
                assert_int_equal(rows[j].matches_reference, matches[1][rows[j].theme]);
                assert_int_equal(rows[j].words_reference, words[1]);
            }
            free(rows);
        }
        lf_tables_free(t);
    }
    free(lex->themes);
    free(lex->entries);
    free(lex);
}

static void dropped_groups_listed(void **state)
{
    (void)state;
    struct lf_lexicon *lex = small_lexicon();
    static const char *const names[] = {"LONG", "SHORT", "Q"};
    static const turn_spec turns[] = {{0, false, {30}, NULL}, {1, false, {12}, NULL},
                                      {2, false, {5}, NULL}};
    tdoc d;
    tdoc_build(&d, "x.txt", names, 3, turns, 3, 0);
    tdoc_match(&d, 0, 0, 0, LF_MATCH_COUNTED, false);
    lf_options o;
    lf_options_init(&o);
    lf_grouping g = {LF_GROUP_SPEAKER, NULL};
    o.groupings = &g;
    o.n_groupings = 1;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    lf_group_ref *dr;
    size_t n = lf_dropped_groups(t, 13, &dr);
    /* Table order (byte order of names): Q before SHORT; the corpus is never dropped. */
    assert_int_equal(n, 2);
    assert_string_equal(dr[0].group, "Q");
    assert_int_equal(dr[0].words, 5);
    assert_string_equal(dr[1].group, "SHORT");
    assert_int_equal(dr[1].kind, LF_GROUP_SPEAKER);
    free(dr);
    assert_int_equal(lf_dropped_groups(t, 0, &dr), 0);
    free(dr);
    /* Dropped groups are no targets, but stay in the rest of the corpus. */
    o.min_words = 13;
    lf_compare_row *rows;
    assert_int_equal(lf_compare_rows(t, &o, &rows, &n, NULL), LF_OK);
    assert_int_equal(n, N_TH);
    assert_string_equal(rows[0].group, "LONG");
    assert_int_equal(rows[0].words_reference, 17);
    free(rows);
    lf_tables_free(t);
    tdoc_free(&d);
    free(lex->themes);
    free(lex->entries);
    free(lex);
}

/* A lexicon without themes has no frequency rows, yet its groups exist: a target or a
 * reference names one, and the small ones are listed as dropped. */
static void groups_without_themes(void **state)
{
    (void)state;
    struct lf_lexicon *lex = lf_xcalloc(1, sizeof *lex);
    static const char *const names[] = {"LONG", "SHORT"};
    static const turn_spec turns[] = {{0, false, {30}, NULL}, {1, false, {12}, NULL}};
    tdoc d;
    tdoc_build(&d, "x.txt", names, 2, turns, 2, 0);
    lf_options o;
    lf_options_init(&o);
    lf_grouping g = {LF_GROUP_SPEAKER, NULL};
    o.groupings = &g;
    o.n_groupings = 1;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    lf_group_ref *dr;
    size_t n = lf_dropped_groups(t, 13, &dr);
    assert_int_equal(n, 1);
    assert_string_equal(dr[0].group, "SHORT");
    free(dr);
    lf_compare_row *rows;
    o.target = "LONG";
    o.reference = "SHORT";
    assert_int_equal(lf_compare_rows(t, &o, &rows, &n, NULL), LF_OK);
    assert_int_equal(n, 0);
    free(rows);
    o.target = "NOBODY";
    lf_error err;
    assert_int_equal(lf_compare_rows(t, &o, &rows, &n, &err), LF_ERR_USAGE);
    assert_string_equal(err.message, "--target: no group is named 'NOBODY'");
    lf_tables_free(t);
    tdoc_free(&d);
    free(lex);
}

/* Many groups with significant differences: the summary keeps the 25 strongest. */
/* summary.md of t, malloc'd. */
static char *summary_of(const lf_tables *t, const struct lf_lexicon *lex, const lf_options *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_int_equal(lf_render_summary_md(fp, t, lex, NULL, o), 0);
    fclose(fp);
    return buf;
}

static void summary_caps_findings(void **state)
{
    (void)state;
    struct lf_lexicon *lex = small_lexicon();
    enum { N = 40 };
    static char names_buf[N][8];
    const char *names[N];
    turn_spec turns[N];
    for (int i = 0; i < N; i++) {
        snprintf(names_buf[i], sizeof names_buf[i], "S%02d", i);
        names[i] = names_buf[i];
        turns[i] = (turn_spec){i, false, {(uint32_t)(60 + i), 0}, NULL};
    }
    tdoc d;
    /* tdoc_build takes at most 8 names: give every speaker its own spec */
    speaker_spec sp[N];
    for (int i = 0; i < N; i++)
        sp[i] = (speaker_spec){.name = names[i]};
    tdoc_build_full(&d, "many.txt", sp, N, turns, N, 0);
    /* Speaker i: 12 matches of theme i % 3 on its first words (more for later speakers,
       so G² differs); nothing else. */
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t k = 0; k < 12 + i / 4; k++)
            tdoc_match_at(&d, i, d.toks.sent[i].tok_first + k, 1, i % 3, i % 3,
                          LF_MATCH_COUNTED, false);
    lf_options o;
    lf_options_init(&o);
    lf_grouping g = {LF_GROUP_SPEAKER, NULL};
    o.groupings = &g;
    o.n_groupings = 1;
    lf_tables *t = lf_tables_new_opts(lex, &o);
    lf_tables_add_doc(t, &d.doc, &d.toks, &d.ms);
    char *buf = summary_of(t, lex, &o);
    const char *sec = strstr(buf, "By speaker:\n\n");
    assert_non_null(sec);
    size_t lines = 0;
    for (const char *p = sec; (p = strstr(p, "\n- **S")) && p < strstr(sec, "\n## "); p++)
        lines++;
    assert_int_equal(lines, 25);
    assert_non_null(strstr(sec, "\n15 more differences of this kind, weaker by G\xC2\xB2, are in "
                                "comparison.csv.\n"));
    /* The strongest (the last speakers, with the most matches) are among those kept. */
    assert_non_null(strstr(sec, "- **S39** uses"));
    assert_null(strstr(sec, "- **S00** uses"));
    free(buf);
    lf_tables_free(t);
    tdoc_free(&d);
    free(lex->themes);
    free(lex->entries);
    free(lex);
}

/* The lower end of the exact Poisson interval: for k = 1 it is -ln 0.975 in closed form;
 * for every k, the Poisson probability of k or more at that mean, summed term by term here
 * (in logarithms, so that k = 5000 does not overflow), is 0.025. */
static void poisson_lower_by_hand(void **state)
{
    (void)state;
    assert_close(lf_poisson_lower95(0), 0.0);
    assert_close_rel(lf_poisson_lower95(1), -log(0.975), 1e-10);
    /* published tables (Garwood 1936; e.g. the Poisson limits in Rothman's Epidemiology) */
    assert_close_rel(lf_poisson_lower95(10), 4.7954, 1e-4);
    assert_close_rel(lf_poisson_lower95(100), 81.364, 1e-4);
    static const uint64_t ks[] = {1, 2, 3, 4, 5, 7, 10, 22, 50, 100, 333, 1000, 5000};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        double lam = lf_poisson_lower95(ks[i]);
        assert_true(lam > 0.0 && lam < (double)ks[i]);
        double below = 0.0; /* P(X < k) */
        for (uint64_t j = 0; j < ks[i]; j++)
            below += exp(-lam + (double)j * log(lam) - lgamma((double)j + 1.0));
        assert_close_rel(1.0 - below, 0.025, 1e-8);
    }
    /* it grows with the count */
    for (uint64_t k = 1; k < 200; k++)
        assert_true(lf_poisson_lower95(k + 1) > lf_poisson_lower95(k));
}

/* A period is not a speaker: its findings read "In **2024-01**, *trust* is used …", and
 * with none, "In no period is a theme used …"; a speaker's read "**S** uses *trust* …". */
static void findings_phrased_by_kind(void **state)
{
    (void)state;
    struct lf_lexicon *lex = small_lexicon();
    static const speaker_spec sp[] = {{.name = "S"}};
    static const turn_spec turns[] = {{0, false, {60, 60, 0, 0}, NULL}};
    tdoc a, b;
    tdoc_build_full(&a, "a.txt", sp, 1, turns, 1, 0);
    tdoc_build_full(&b, "b.txt", sp, 1, turns, 1, 0);
    a.doc.date = "2024-01-05";
    b.doc.date = "2024-03-02";
    for (uint32_t k = 0; k < 15; k++)
        tdoc_match_at(&a, 0, k, 1, 0, 0, LF_MATCH_COUNTED, false);
    lf_options o;
    lf_options_init(&o);
    lf_grouping g = {LF_GROUP_PERIOD, NULL};
    o.groupings = &g;
    o.n_groupings = 1;
    for (int pass = 0; pass < 2; pass++) {
        lf_tables *t = lf_tables_new_opts(lex, &o);
        lf_tables_add_doc(t, &a.doc, &a.toks, &a.ms);
        if (pass == 0)
            lf_tables_add_doc(t, &b.doc, &b.toks, &b.ms);
        char *buf = summary_of(t, lex, &o);
        const char *want = pass == 0 ? "By period:\n\n- In **2024-01**, *trust* is used "
                                     : "By period:\n\nIn no period is a theme used "
                                       "significantly more often than in the rest of the "
                                       "corpus.\n";
        if (!strstr(buf, want))
            fail_msg("summary lacks:\n%s\n--- summary ---\n%s", want, buf);
        assert_null(strstr(buf, "**2024-01** uses"));
        free(buf);
        lf_tables_free(t);
    }
    tdoc_free(&a);
    tdoc_free(&b);
    free(lex->themes);
    free(lex->entries);
    free(lex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(g2_and_p_by_hand),
        cmocka_unit_test(contrast_by_hand),
        cmocka_unit_test(p_adjust_by_hand),
        cmocka_unit_test(poisson_lower_by_hand),
        cmocka_unit_test(property_random_tables),
        cmocka_unit_test(comparison_rows_from_documents),
        cmocka_unit_test(dropped_groups_listed),
        cmocka_unit_test(groups_without_themes),
        cmocka_unit_test(summary_caps_findings),
        cmocka_unit_test(findings_phrased_by_kind),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
