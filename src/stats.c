/* stats.c — the statistics printed in the tables (rates, co-occurrence measures) and the
 * one number formatter every writer uses, so that a figure has the same bytes in the CSV,
 * the summary and on every run. Undefined values are NaN or ±inf and print as "NA". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

/* rate = 1000 · count / words; 0 for an empty group (nothing said, nothing matched). */
double lf_rate_per_1000(uint64_t count, uint64_t words)
{
    if (words == 0)
        return 0.0;
    return 1000.0 * (double)count / (double)words;
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

/* "%.6f" then trailing zeros (and a bare '.') trimmed; "-0" becomes "0". printf's "%f"
 * never uses the locale's decimal point unless setlocale(LC_NUMERIC) was called, which
 * lexframe never does. */
void lf_fmt_double(char *out, size_t cap, double x)
{
    if (cap == 0)
        return;
    if (!isfinite(x)) {
        snprintf(out, cap, "NA");
        return;
    }
    char tmp[512]; /* DBL_MAX has 309 integer digits */
    int n = snprintf(tmp, sizeof tmp, "%.6f", x);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        snprintf(out, cap, "NA");
        return;
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
}
