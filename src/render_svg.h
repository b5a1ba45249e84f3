/* render_svg.h — the HTML report's drawing kit (stage 5): escaping for HTML text and
 * attributes, colour scales, and SVG charts drawn from plain arrays — horizontal bars, a
 * heatmap, a forest plot and a line chart — each with a title, axis labels and a legend.
 * It knows nothing of tables or lexicons, so every chart is tested with hand-made numbers.
 * Palettes are colour-blind safe: Okabe–Ito for categories, ColorBrewer YlGnBu for
 * sequential values, PuOr for diverging ones; markers and dashes repeat what colour says. */
#ifndef LF_RENDER_SVG_H
#define LF_RENDER_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* ---- escaping ---- */
/* Writes s as HTML text that is also safe inside a double- or single-quoted attribute and
 * inside SVG text: & < > " ' become character references; control characters other than
 * tab and newline become spaces; invalid UTF-8 becomes U+FFFD. NULL writes nothing. */
void lf_html_escape(FILE *fp, const char *s);
/* The same for the first n bytes of s. */
void lf_html_escape_n(FILE *fp, const char *s, size_t n);
/* s cut to at most max_cp code points, ending in "…" when cut (never inside a code point);
 * returns b's text (borrowed until b changes). */
const char *lf_html_truncate(lf_buf *b, const char *s, size_t max_cp);
/* Number of code points of s (invalid bytes count one each). */
size_t lf_utf8_length(const char *s);

/* ---- numbers and colours ---- */
/* A figure for display: rounded to `decimals` places, trailing zeros trimmed, "NA" when
 * not finite (as lf_fmt_double). */
void lf_fmt_fig(char *out, size_t cap, double x, int decimals);
/* The Okabe–Ito palette without black, in a fixed order: "#E69F00", "#56B4E9", … */
#define LF_PALETTE_SIZE 7
extern const char *const lf_palette[LF_PALETTE_SIZE];
/* "#rrggbb" for t in [0, 1] on the YlGnBu scale (light yellow → dark blue); t is clamped. */
void lf_colour_sequential(double t, char out[8]);
/* "#rrggbb" for t in [−1, 1] on a purple–white–orange scale; t is clamped. */
void lf_colour_diverging(double t, char out[8]);
/* True when dark text reads better than white on the colour "#rrggbb". */
bool lf_colour_is_light(const char *hex);

/* ---- charts ----
 * Each function writes one <svg class="chart chart-KIND" role="img"> element with an id
 * (`id`, ASCII letters, digits and '-' only), a visible title, axis labels, a legend and a
 * <title> for screen readers; the caller puts the table of its numbers beside it. Labels
 * longer than the chart's limit are shortened with "…" (the full text stays in a tooltip).
 * Undefined values (NaN) are drawn as "no value", never as zero. Return 0, or -1 when the
 * stream reports an error. */

typedef struct lf_chart_text {
    const char *id;
    const char *title;
    const char *x_label;
    const char *y_label;
} lf_chart_text;

/* Horizontal bars, one per label, longest value scaling the axis; `notes` (may be NULL, or
 * hold NULLs) are printed at the end of each bar; `legend` says what a bar measures. */
typedef struct lf_bar_chart {
    lf_chart_text text;
    const char *legend;
    const char *colour; /* "#rrggbb"; NULL: the palette's blue */
    const char *const *labels;
    const double *values; /* ≥ 0 */
    const char *const *notes;
    size_t n;
} lf_bar_chart;
int lf_svg_bars(FILE *fp, const lf_bar_chart *c);

typedef enum lf_scale_kind {
    LF_SCALE_SEQUENTIAL, /* 0 … max */
    LF_SCALE_DIVERGING   /* −max … max, white at 0 */
} lf_scale_kind;

/* A matrix of coloured cells: rows × cols values, row-major; NaN cells are left grey.
 * `cells` (may be NULL) holds the text printed in each cell; `legend` names the value. */
typedef struct lf_heatmap {
    lf_chart_text text;
    const char *legend;
    const char *const *rows;
    size_t n_rows;
    const char *const *cols;
    size_t n_cols;
    const double *values;
    const char *const *cells;
    lf_scale_kind scale;
    double max; /* the end of the scale; ≤ 0: the largest |value| */
} lf_heatmap;
int lf_svg_heatmap(FILE *fp, const lf_heatmap *h);

/* A forest plot: per row an estimate with its interval on a symmetric axis around 0
 * (clipped at ±limit, an arrow marking a clipped end). mark[i] > 0: significantly above
 * 0, < 0: below, 0: not significant (hollow grey). Rows with a NaN are left out. */
typedef struct lf_forest {
    lf_chart_text text;
    const char *legend_above, *legend_below, *legend_ns;
    const char *const *labels;
    const double *est, *lo, *hi;
    const int *mark;
    size_t n;
    double limit; /* ≤ 0: 8 */
} lf_forest;
int lf_svg_forest(FILE *fp, const lf_forest *f);

/* Lines over categories (periods): values[s * n_x + x] for series s; NaN leaves a gap.
 * Series get the palette's colours in order, with a marker shape and a dash pattern
 * each, so they stay apart in grey print too. */
typedef struct lf_line_chart {
    lf_chart_text text;
    const char *const *x;
    size_t n_x;
    const char *const *series;
    size_t n_series;
    const double *values;
} lf_line_chart;
int lf_svg_lines(FILE *fp, const lf_line_chart *l);

#endif
