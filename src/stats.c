/* stats.c — the statistics printed in the tables (rates, co-occurrence measures, the
 * framing contrast with its confidence interval, G² and its p-value, multiple-comparison
 * adjustment) and the one number formatter every writer uses, so that a figure has the
 * same bytes in the CSV, the JSON, the summary and on every run. Undefined values are NaN
 * or ±inf and print as "NA". Formulas: docs/statistics.md. */
#define _DEFAULT_SOURCE /* lgamma_r: lgamma writes signgam, and files render on threads */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

/* The 0.975 quantile of the standard normal distribution (two-sided 95% interval). */
#define Z_975 1.959963984540054
#define LN_2 0.6931471805599453094

/* rate = 1000 · count / words; 0 for an empty group (nothing said, nothing matched). */
double lf_rate_per_1000(uint64_t count, uint64_t words)
{
    if (words == 0)
        return 0.0;
    return 1000.0 * (double)count / (double)words;
}

/* weighted rate = 1000 · weight / words; 0 for an empty group. */
double lf_weight_per_1000(double weight, uint64_t words)
{
    if (words == 0)
        return 0.0;
    return 1000.0 * weight / (double)words;
}

/* P(a, x), the regularized lower incomplete gamma function (a > 0, x >= 0): its power
 * series below x = a + 1, else 1 - Q(a, x) by the continued fraction of Q (modified Lentz). */
static double gamma_p(double a, double x)
{
    if (x <= 0.0)
        return 0.0;
    int sign;
    double ln_front = a * log(x) - x - lgamma_r(a, &sign);
    if (x < a + 1.0) {
        double ap = a, del = 1.0 / a, sum = del;
        for (int n = 0; n < 1000000 && fabs(del) > fabs(sum) * 1e-16; n++) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
        }
        return sum * exp(ln_front);
    }
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 1000000; i++) {
        double an = -(double)i * ((double)i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) <= DBL_EPSILON) /* 1e-16 would ask for del == 1 exactly */
            break;
    }
    return 1.0 - exp(ln_front) * h;
}

/* P(X >= k | λ) for a Poisson X is P(k, λ), which grows with λ: bisection for the λ where it
 * is 0.025, between 0 and k (the lower end is below the count). */
double lf_poisson_lower95(uint64_t count)
{
    if (count == 0)
        return 0.0;
    double k = (double)count, lo = 0.0, hi = k;
    for (int i = 0; i < 200 && hi - lo > hi * 1e-13; i++) {
        double mid = 0.5 * (lo + hi);
        if (gamma_p(k, mid) < 0.025)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* expected joint count under independence: E = n_a · n_b / n; NaN when n = 0. */
double lf_cooc_expected(uint64_t na, uint64_t nb, uint64_t n)
{
    if (n == 0)
        return NAN;
    return (double)na * (double)nb / (double)n;
}

/* Jaccard = n_ab / (n_a + n_b − n_ab); NaN when no unit holds either theme. */
double lf_cooc_jaccard(uint64_t nab, uint64_t na, uint64_t nb)
{
    double den = (double)na + (double)nb - (double)nab;
    if (den <= 0.0)
        return NAN;
    return (double)nab / den;
}

/* PMI = log2(n_ab · n / (n_a · n_b)). n_ab = 0 gives −inf (never co-occur); n, n_a or
 * n_b = 0 gives NaN (undefined). Products are taken in double: they may exceed 2^64. */
double lf_cooc_pmi(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n)
{
    if (n == 0 || na == 0 || nb == 0)
        return NAN;
    if (nab == 0)
        return -INFINITY;
    return log2((double)nab * (double)n / ((double)na * (double)nb));
}

/* NPMI = PMI / (−log2(n_ab / n)), in [−1, 1]. Limits: n_ab = 0 → −1 (never together);
 * n_ab = n → 1 (both themes in every unit; PMI and the divisor are then both 0). */
double lf_cooc_npmi(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n)
{
    if (n == 0 || na == 0 || nb == 0)
        return NAN;
    if (nab == 0)
        return -1.0;
    if (nab >= n)
        return 1.0;
    return lf_cooc_pmi(nab, na, nb, n) / -log2((double)nab / (double)n);
}

/* One cell's term O ln(O/E), written as O·log1p((O − E)/E) so that large cells with O
 * close to E keep their precision (a plain log(O/E) loses it in O/E). */
static double g2_term(double o, double e)
{
    if (o <= 0.0)
        return 0.0;
    return o * log1p((o - e) / e);
}

double lf_g2_2x2(double o11, double o12, double o21, double o22)
{
    double r1 = o11 + o12, r2 = o21 + o22, c1 = o11 + o21, c2 = o12 + o22;
    double n = r1 + r2;
    if (n <= 0.0)
        return 0.0;
    double g = g2_term(o11, r1 * c1 / n) + g2_term(o12, r1 * c2 / n) +
               g2_term(o21, r2 * c1 / n) + g2_term(o22, r2 * c2 / n);
    /* Rounding can leave a tiny negative sum where the table is independent. */
    return g > 0.0 ? 2.0 * g : 0.0;
}

double lf_chisq1_sf(double x)
{
    if (isnan(x))
        return NAN;
    if (x <= 0.0)
        return 1.0;
    return erfc(sqrt(x / 2.0));
}

/* Units: both themes, a only, b only, neither. */
double lf_cooc_g2(uint64_t nab, uint64_t na, uint64_t nb, uint64_t n)
{
    if (n == 0 || nab > na || nab > nb || na + nb - nab > n)
        return NAN;
    double o11 = (double)nab, o12 = (double)(na - nab), o21 = (double)(nb - nab),
           o22 = (double)(n - na - nb + nab);
    double g = lf_g2_2x2(o11, o12, o21, o22);
    /* Sign: joint above expected (na·nb/n) is attraction, below is repulsion. */
    double lhs = (double)nab * (double)n, rhs = (double)na * (double)nb;
    return lhs > rhs ? g : lhs < rhs ? -g : 0.0;
}

void lf_contrast_compute(uint64_t a, uint64_t wt, uint64_t b, uint64_t wr, lf_contrast *o)
{
    *o = (lf_contrast){
        .rate_target = lf_rate_per_1000(a, wt),
        .rate_reference = lf_rate_per_1000(b, wr),
        .rate_ratio = NAN, .log2_ratio = NAN,
        .ci_low = NAN, .ci_high = NAN, .log2_ci_low = NAN, .log2_ci_high = NAN,
        .g2 = NAN, .p = NAN,
    };
    if (wt == 0 || wr == 0)
        return; /* nothing to compare with */
    if (a == 0 && b == 0) {
        /* The theme occurs on neither side: no evidence either way, and no ratio. */
        o->g2 = 0.0;
        o->p = 1.0;
        return;
    }
    double ca = (double)a, cb = (double)b;
    double cc = wt > a ? (double)(wt - a) : 0.0, cd = wr > b ? (double)(wr - b) : 0.0;
    double g = lf_g2_2x2(ca, cc, cb, cd);
    /* Direction: a/wt against b/wr, compared without dividing. */
    double lhs = ca * (double)wr, rhs = cb * (double)wt;
    o->g2 = lhs > rhs ? g : lhs < rhs ? -g : 0.0;
    o->p = lf_chisq1_sf(fabs(o->g2));
    o->corrected = ca == 0.0 || cb == 0.0 || cc == 0.0 || cd == 0.0;
    if (o->corrected) {
        ca += 0.5;
        cb += 0.5;
        cc += 0.5;
        cd += 0.5;
    }
    double rr = (ca / (ca + cc)) / (cb / (cb + cd));
    double var = 1.0 / ca - 1.0 / (ca + cc) + 1.0 / cb - 1.0 / (cb + cd);
    double se = sqrt(var > 0.0 ? var : 0.0);
    double ln_rr = log(rr);
    o->rate_ratio = rr;
    o->log2_ratio = ln_rr / LN_2;
    o->ci_low = exp(ln_rr - Z_975 * se);
    o->ci_high = exp(ln_rr + Z_975 * se);
    o->log2_ci_low = (ln_rr - Z_975 * se) / LN_2;
    o->log2_ci_high = (ln_rr + Z_975 * se) / LN_2;
    o->tested = true;
}

typedef struct ranked_p {
    double p;
    size_t i;
} ranked_p;

static int ranked_p_cmp(const void *pa, const void *pb)
{
    const ranked_p *a = pa, *b = pb;
    if (a->p != b->p)
        return a->p < b->p ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i; /* stable: ties keep the input order */
}

void lf_p_adjust(const double *p, size_t n, lf_adjust method, double *out)
{
    if (n == 0)
        return;
    ranked_p *r = lf_xcalloc(n, sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = (ranked_p){p[i], i};
    qsort(r, n, sizeof *r, ranked_p_cmp);
    double m = (double)n;
    if (method == LF_ADJUST_BH) {
        /* p_(k) · m / k, then the running minimum from the largest p down. */
        double run = 1.0;
        for (size_t k = n; k-- > 0;) {
            double v = fmin(1.0, r[k].p * m / (double)(k + 1));
            run = fmin(run, v);
            out[r[k].i] = run;
        }
    } else {
        /* p_(k) · (m − k + 1), then the running maximum from the smallest p up. */
        double run = 0.0;
        for (size_t k = 0; k < n; k++) {
            double v = fmin(1.0, r[k].p * (m - (double)k));
            run = fmax(run, v);
            out[r[k].i] = run;
        }
    }
    free(r);
}

const char *lf_adjust_name(lf_adjust m)
{
    return m == LF_ADJUST_BH ? "bh" : "holm";
}

const char *lf_adjust_label(lf_adjust m)
{
    return m == LF_ADJUST_BH ? "Benjamini-Hochberg" : "Holm";
}

/* "%.6f" then trailing zeros (and a bare '.') trimmed; "-0" becomes "0". printf's "%f"
 * never uses the locale's decimal point unless setlocale(LC_NUMERIC) was called, which
 * lexframe never does. */
/* "%.6f" with trailing zeros trimmed, through snprintf: the reference behaviour. */
static size_t fmt_double_slow(char *out, size_t cap, double x)
{
    char tmp[512]; /* DBL_MAX has 309 integer digits */
    int n = snprintf(tmp, sizeof tmp, "%.6f", x);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        snprintf(out, cap, "NA");
        return strlen(out);
    }
    char *dot = strchr(tmp, '.');
    if (dot) {
        char *end = tmp + n;
        while (end > dot + 1 && end[-1] == '0')
            end--;
        if (end == dot + 1)
            end = dot;
        *end = '\0';
    }
    if (strcmp(tmp, "-0") == 0)
        snprintf(out, cap, "0");
    else
        snprintf(out, cap, "%s", tmp);
    return strlen(out);
}

/* "00" … "99": digits are written two at a time. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

static inline void put_pair(char *p, uint32_t v)
{
    memcpy(p, digit_pairs + 2 * v, 2);
}

size_t lf_fmt_uint(char *out, uint64_t v)
{
    /* Most cells of the tables are counts of a digit (most often 0): no digit count. */
    if (v < 10) {
        out[0] = (char)('0' + v);
        return 1;
    }
    static const uint64_t pow10[20] = {
        1u,           10u,           100u,           1000u,           10000u,
        100000u,      1000000u,      10000000u,      100000000u,      1000000000u,
        10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
        1000000000000000u,           10000000000000000u,              100000000000000000u,
        1000000000000000000u,        10000000000000000000u};
    /* the digits from the bit length: log10(2) ≈ 1233/4096, one too many at most */
    unsigned t = (unsigned)(64 - __builtin_clzll(v)) * 1233 >> 12;
    size_t nd = t + 1 - (v < pow10[t]);
    char *d = out + nd;
    for (; v > UINT32_MAX; v /= 100) {
        d -= 2;
        put_pair(d, (uint32_t)(v % 100));
    }
    uint32_t u = (uint32_t)v; /* the rest in 32-bit arithmetic, which is cheaper */
    for (; u >= 100; u /= 100) {
        d -= 2;
        put_pair(d, u % 100);
    }
    if (u >= 10)
        put_pair(d - 2, u);
    else
        d[-1] = (char)('0' + u);
    return nd;
}

/* lf_fmt_double of what its fast path leaves: NaN and infinities, large values, and short
 * buffers. */
static size_t fmt_double_rare(char *out, size_t cap, double x)
{
    if (cap == 0)
        return 0;
    if (!isfinite(x)) {
        size_t n = cap > 2 ? 2 : cap - 1;
        memcpy(out, "NA", n);
        out[n] = '\0';
        return n;
    }
    if (x == 0.0) {
        size_t n = cap > 1 ? 1 : 0;
        memcpy(out, "0", n);
        out[n] = '\0';
        return n;
    }
    return fmt_double_slow(out, cap, x);
}

size_t lf_fmt_double(char *out, size_t cap, double x)
{
    /* Tables print millions of numbers, and snprintf's exact decimal conversion is slow:
       scale to millionths and round in binary, unless the value is large or so close to a
       rounding tie that the scaling error could matter — then snprintf decides. NaN fails
       the first test. */
    double ax = fabs(x), scaled = ax * 1e6;
    if (!(ax < 1e9) || cap < 32)
        return fmt_double_rare(out, cap, x);
    if (x == 0.0) {
        /* a frequent value (a theme a group never uses), and -0 prints as 0 */
        memcpy(out, "0", 2);
        return 1;
    }
    uint64_t q = (uint64_t)scaled; /* floor: scaled is below 2^53 and not negative */
    double fl = (double)q;
    if (fabs(scaled - fl - 0.5) < 1e-4)
        return fmt_double_slow(out, cap, x);
    q += scaled - fl > 0.5;
    /* q < 1e15 + 1: the integer part has at most 10 digits */
    uint32_t ip = (uint32_t)(q / 1000000), fp = (uint32_t)(q % 1000000);
    char *p = out;
    if (x < 0 && q != 0)
        *p++ = '-';
    p += lf_fmt_uint(p, ip);
    if (fp) {
        *p++ = '.';
        put_pair(p, fp / 10000);
        put_pair(p + 2, fp / 100 % 100);
        put_pair(p + 4, fp % 100);
        p += 6;
        while (p[-1] == '0')
            p--;
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t lf_fmt_p(char *out, size_t cap, double p)
{
    if (!isfinite(p) || p == 0.0 || fabs(p) >= 0.001)
        return lf_fmt_double(out, cap, p);
    /* Six significant digits keep a small p from printing as 0; "%g" ignores the locale
       as "%f" does. */
    snprintf(out, cap, "%.6g", p);
    return cap ? strlen(out) : 0;
}

/* ---- rankings shared by the report's writers ---- */

static int theme_rank_cmp(const void *pa, const void *pb)
{
    const lf_freq_row *a = *(const lf_freq_row *const *)pa, *b = *(const lf_freq_row *const *)pb;
    if (a->c.matches != b->c.matches)
        return a->c.matches > b->c.matches ? -1 : 1;
    return a->theme < b->theme ? -1 : a->theme > b->theme;
}

size_t lf_theme_rank(const lf_freq_row *rows, size_t n_rows, const lf_freq_row **out)
{
    size_t n = 0;
    /* Corpus rows come first, one per theme. */
    for (size_t i = 0; i < n_rows && rows[i].dim == 0; i++)
        if (rows[i].c.matches > 0)
            out[n++] = &rows[i];
    qsort((void *)out, n, sizeof *out, theme_rank_cmp);
    return n;
}

static int cooc_rank_cmp(const void *pa, const void *pb)
{
    const lf_ranked_pair *a = pa, *b = pb;
    if (a->npmi != b->npmi)
        return a->npmi > b->npmi ? -1 : 1;
    if (a->row->joint != b->row->joint)
        return a->row->joint > b->row->joint ? -1 : 1;
    if (a->row->a != b->row->a)
        return a->row->a < b->row->a ? -1 : 1;
    return a->row->b < b->row->b ? -1 : a->row->b > b->row->b;
}

size_t lf_cooc_rank(const lf_cooc_row *rows, size_t n_rows, lf_scope scope,
                    uint64_t min_joint, lf_ranked_pair *out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_rows; i++) {
        const lf_cooc_row *r = &rows[i];
        if (r->dim == 0 && r->scope == scope && r->joint >= min_joint)
            out[n++] = (lf_ranked_pair){r, lf_cooc_npmi(r->joint, r->count_a, r->count_b,
                                                        r->units)};
    }
    qsort(out, n, sizeof *out, cooc_rank_cmp);
    return n;
}
