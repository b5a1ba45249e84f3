/* render_svg.c — the drawing kit behind report.html: HTML escaping, colour scales and four
 * SVG charts (bars, heatmap, forest plot, lines) drawn from plain arrays. Sizes come from
 * the data (label lengths, row counts), coordinates are rounded to 0.1 px and every number
 * goes through lf_fmt_double, so the same data always gives the same bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_svg.h"

/* ---- escaping ---- */

void lf_html_escape_n(FILE *fp, const char *s, size_t n)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&':
                fputs("&amp;", fp);
                break;
            case '<':
                fputs("&lt;", fp);
                break;
            case '>':
                fputs("&gt;", fp);
                break;
            case '"':
                fputs("&quot;", fp);
                break;
            case '\'':
                fputs("&#39;", fp);
                break;
            default:
                /* C0 controls and DEL are not allowed in HTML text (NUL is dropped by
                   parsers): make them spaces so nothing is hidden or reinterpreted. */
                putc(c < 0x20 && c != '\t' && c != '\n' ? ' ' : c == 0x7F ? ' ' : (int)c, fp);
            }
            p++;
            continue;
        }
        int32_t cp;
        size_t len = lf_utf8_decode(p, end, &cp);
        if (len == 0) {
            fputs("\xEF\xBF\xBD", fp);
            p++;
        } else if (cp >= 0x80 && cp < 0xA0) {
            putc(' ', fp); /* C1 controls */
            p += len;
        } else {
            fwrite(p, 1, len, fp);
            p += len;
        }
    }
}

void lf_html_escape(FILE *fp, const char *s)
{
    if (s)
        lf_html_escape_n(fp, s, strlen(s));
}

size_t lf_utf8_length(const char *s)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *end = p + strlen((const char *)p);
    while (p < end) {
        int32_t cp;
        size_t len = lf_utf8_decode(p, end, &cp);
        p += len ? len : 1;
        n++;
    }
    return n;
}

const char *lf_html_truncate(lf_buf *b, const char *s, size_t max_cp)
{
    lf_buf_reset(b);
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *end = p + strlen((const char *)p);
    if (lf_utf8_length((const char *)p) <= max_cp || max_cp == 0) {
        lf_buf_append(b, p, max_cp == 0 ? 0 : (size_t)(end - p));
        return lf_buf_cstr(b);
    }
    for (size_t k = 0; k + 1 < max_cp && p < end; k++) {
        int32_t cp;
        size_t len = lf_utf8_decode(p, end, &cp);
        len = len ? len : 1;
        lf_buf_append(b, p, len);
        p += len;
    }
    lf_buf_puts(b, "\xE2\x80\xA6");
    return lf_buf_cstr(b);
}

/* ---- numbers and colours ---- */

void lf_fmt_fig(char *out, size_t cap, double x, int decimals)
{
    double scale = pow(10.0, decimals);
    lf_fmt_double(out, cap, isfinite(x) ? round(x * scale) / scale : x);
}

/* Writes a coordinate rounded to 0.1. */
static void num(FILE *fp, double x)
{
    char buf[64];
    lf_fmt_fig(buf, sizeof buf, x, 1);
    fputs(buf, fp);
}

/* " name="value"" for a coordinate attribute. */
static void attr(FILE *fp, const char *name, double x)
{
    fprintf(fp, " %s=\"", name);
    num(fp, x);
    putc('"', fp);
}

const char *const lf_palette[LF_PALETTE_SIZE] = {
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442",
};

/* ColorBrewer YlGnBu: light (nothing) to dark (most), readable with every common form of
   colour blindness and in grey print. */
static const unsigned char ylgnbu[9][3] = {
    {0xff, 0xff, 0xd9}, {0xed, 0xf8, 0xb1}, {0xc7, 0xe9, 0xb4}, {0x7f, 0xcd, 0xbb}, {0x41, 0xb6, 0xc4},
    {0x1d, 0x91, 0xc0}, {0x22, 0x5e, 0xa8}, {0x25, 0x34, 0x94}, {0x08, 0x1d, 0x58},
};

static const unsigned char puor[9][3] = {
    {0x54, 0x27, 0x88}, {0x80, 0x73, 0xac}, {0xb2, 0xab, 0xd2}, {0xd8, 0xda, 0xeb}, {0xf7, 0xf7, 0xf7},
    {0xfe, 0xe0, 0xb6}, {0xfd, 0xb8, 0x63}, {0xe0, 0x82, 0x14}, {0xb3, 0x58, 0x06},
};

/* Linear interpolation between 9 stops for t in [0, 1]. */
static void interpolate(const unsigned char stops[9][3], double t, char out[8])
{
    if (!(t >= 0.0))
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    double pos = t * 8.0;
    int i = (int)floor(pos);
    if (i >= 8)
        i = 7;
    double f = pos - i;
    int rgb[3];
    for (int k = 0; k < 3; k++)
        rgb[k] = (int)lround(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

void lf_colour_sequential(double t, char out[8])
{
    interpolate(ylgnbu, t, out);
}

void lf_colour_diverging(double t, char out[8])
{
    interpolate(puor, (t + 1.0) / 2.0, out);
}

/* sRGB component (0–255) to linear light. */
static double linear(unsigned c)
{
    double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

bool lf_colour_is_light(const char *hex)
{
    unsigned r = 0, g = 0, b = 0;
    if (!hex || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
        return true;
    /* WCAG relative luminance; above 0.179 black text has the higher contrast ratio */
    double l = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    return l > 0.179;
}

/* ---- shared chart parts ---- */

/* Average advance of a 12 px sans-serif character, for sizing margins. */
#define CHAR_W 7.0
#define LABEL_MAX 34 /* code points of a row label before it is shortened */

static double text_width(const char *s, size_t max_cp)
{
    size_t n = lf_utf8_length(s);
    return (double)(n < max_cp ? n : max_cp) * CHAR_W;
}

static double widest(const char *const *labels, size_t n, size_t max_cp)
{
    double w = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = text_width(labels[i], max_cp);
        if (x > w)
            w = x;
    }
    return w;
}

static void svg_open(FILE *fp, const char *kind, const lf_chart_text *t, double w, double h)
{
    fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-%s\" id=\"", kind);
    lf_html_escape(fp, t->id);
    putc('"', fp);
    attr(fp, "width", w);
    attr(fp, "height", h);
    fputs(" viewBox=\"0 0 ", fp);
    num(fp, w);
    putc(' ', fp);
    num(fp, h);
    fputs("\" role=\"img\" aria-labelledby=\"", fp);
    lf_html_escape(fp, t->id);
    fputs("-t\"><title id=\"", fp);
    lf_html_escape(fp, t->id);
    fputs("-t\">", fp);
    lf_html_escape(fp, t->title);
    fputs("</title>\n<text class=\"ct\" x=\"10\" y=\"20\">", fp);
    lf_html_escape(fp, t->title);
    fputs("</text>\n", fp);
}

static void svg_close(FILE *fp)
{
    fputs("</svg>", fp);
}

/* The start tag of a text element at (x, y); anchor "start", "middle" or "end"; cls may
 * be NULL. */
static void text_open(FILE *fp, double x, double y, const char *anchor, const char *cls)
{
    fputs("<text", fp);
    attr(fp, "x", x);
    attr(fp, "y", y);
    if (anchor && strcmp(anchor, "start") != 0)
        fprintf(fp, " text-anchor=\"%s\"", anchor);
    if (cls)
        fprintf(fp, " class=\"%s\"", cls);
    putc('>', fp);
}

/* A text element (text_open's arguments) holding s. */
static void text_at(FILE *fp, double x, double y, const char *anchor, const char *cls,
                    const char *s)
{
    text_open(fp, x, y, anchor, cls);
    lf_html_escape(fp, s);
    fputs("</text>", fp);
}

/* A row label shortened to LABEL_MAX code points, with the full text as a tooltip when
 * it was cut. */
static void label_at(FILE *fp, lf_buf *tmp, double x, double y, const char *anchor,
                     const char *cls, const char *s, size_t max_cp)
{
    const char *shown = lf_html_truncate(tmp, s, max_cp);
    bool cut = strcmp(shown, s ? s : "") != 0;
    text_open(fp, x, y, anchor, cls);
    if (cut) {
        fputs("<title>", fp);
        lf_html_escape(fp, s);
        fputs("</title>", fp);
    }
    lf_html_escape(fp, shown);
    fputs("</text>", fp);
}

/* The start tag of a text element of class cls turned by `degrees` about (x, y); anchor
 * as text_open. */
static void text_turned_open(FILE *fp, double x, double y, int degrees, const char *anchor,
                             const char *cls)
{
    fprintf(fp, "<text class=\"%s\"", cls);
    if (anchor && strcmp(anchor, "start") != 0)
        fprintf(fp, " text-anchor=\"%s\"", anchor);
    fputs(" transform=\"translate(", fp);
    num(fp, x);
    putc(',', fp);
    num(fp, y);
    fprintf(fp, ") rotate(%d)\">", degrees);
}

/* The y-axis label, rotated, centred on [y0, y1]. */
static void y_label(FILE *fp, double x, double y0, double y1, const char *s)
{
    text_turned_open(fp, x, (y0 + y1) / 2.0, -90, "middle", "al");
    lf_html_escape(fp, s);
    fputs("</text>\n", fp);
}

static void line(FILE *fp, double x1, double y1, double x2, double y2, const char *cls)
{
    fputs("<line", fp);
    attr(fp, "x1", x1);
    attr(fp, "y1", y1);
    attr(fp, "x2", x2);
    attr(fp, "y2", y2);
    fprintf(fp, " class=\"%s\"/>", cls);
}

static void rect(FILE *fp, double x, double y, double w, double h, const char *fill)
{
    fputs("<rect", fp);
    attr(fp, "x", x);
    attr(fp, "y", y);
    attr(fp, "width", w);
    attr(fp, "height", h);
    fprintf(fp, " fill=\"%s\"/>", fill);
}

/* A step of 1, 2 or 5 × 10^k giving about `target` intervals over range. */
static double nice_step(double range, int target)
{
    if (!(range > 0.0) || !isfinite(range))
        return 1.0;
    double raw = range / target;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double s = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
    return s * mag;
}

static void tick_label(FILE *fp, double x, double y, const char *anchor, double v, int decimals)
{
    char buf[64];
    lf_fmt_fig(buf, sizeof buf, v, decimals);
    /* a typographic minus reads better than a hyphen */
    if (buf[0] == '-') {
        char tmp[72];
        snprintf(tmp, sizeof tmp, "\xE2\x88\x92%s", buf + 1);
        text_at(fp, x, y, anchor, "tk", tmp);
    } else {
        text_at(fp, x, y, anchor, "tk", buf);
    }
}

/* ---- bars ---- */

int lf_svg_bars(FILE *fp, const lf_bar_chart *c)
{
    lf_buf tmp = {0};
    const double row_h = 22.0, plot_w = 400.0, note_w = 170.0;
    double left = 30.0 + widest(c->labels, c->n, LABEL_MAX) + 10.0;
    double top = 56.0;
    double axis_y = top + row_h * (double)(c->n ? c->n : 1) + 4.0;
    double w = left + plot_w + note_w, h = axis_y + 48.0;
    double title_w = 20.0 + text_width(c->text.title, 200);
    if (title_w > w)
        w = title_w;
    double max = 0.0;
    bool integral = true;
    for (size_t i = 0; i < c->n; i++) {
        if (isfinite(c->values[i]) && c->values[i] > max)
            max = c->values[i];
        integral &= c->values[i] == floor(c->values[i]);
    }
    double step = nice_step(max, 5);
    if (integral && step < 1.0)
        step = 1.0;
    double axis_max = max > 0.0 ? step * ceil(max / step) : step;
    const char *colour = c->colour ? c->colour : lf_palette[0];

    svg_open(fp, "bars", &c->text, w, h);
    /* legend: what a bar is */
    rect(fp, left, 32.0, 12.0, 12.0, colour);
    text_at(fp, left + 18.0, 42.0, NULL, "lg", c->legend);
    fputs("\n", fp);
    for (double v = 0.0; v <= axis_max + step / 2.0; v += step) {
        double x = left + plot_w * v / axis_max;
        line(fp, x, top - 4.0, x, axis_y, "grid");
        tick_label(fp, x, axis_y + 16.0, "middle", v, 6);
    }
    fputs("\n", fp);
    for (size_t i = 0; i < c->n; i++) {
        double y = top + row_h * (double)i;
        double v = isfinite(c->values[i]) && c->values[i] > 0.0 ? c->values[i] : 0.0;
        label_at(fp, &tmp, left - 8.0, y + 15.0, "end", NULL, c->labels[i], LABEL_MAX);
        fputs("<g><title>", fp);
        lf_html_escape(fp, c->labels[i]);
        if (c->notes && c->notes[i]) {
            fputs(": ", fp);
            lf_html_escape(fp, c->notes[i]);
        }
        fputs("</title>", fp);
        rect(fp, left, y + 4.0, plot_w * v / axis_max, 14.0, colour);
        fputs("</g>", fp);
        if (c->notes && c->notes[i])
            text_at(fp, left + plot_w * v / axis_max + 6.0, y + 15.0, NULL, "nt", c->notes[i]);
        fputs("\n", fp);
    }
    line(fp, left, top - 4.0, left, axis_y, "axis");
    line(fp, left, axis_y, left + plot_w, axis_y, "axis");
    text_at(fp, left + plot_w / 2.0, axis_y + 38.0, "middle", "al", c->text.x_label);
    fputs("\n", fp);
    y_label(fp, 14.0, top, axis_y, c->text.y_label);
    svg_close(fp);
    lf_buf_free(&tmp);
    return ferror(fp) ? -1 : 0;
}

/* ---- heatmap ---- */

int lf_svg_heatmap(FILE *fp, const lf_heatmap *hm)
{
    lf_buf tmp = {0};
    const double cell_w = 52.0, cell_h = 22.0, col_max = 24;
    double left = 30.0 + widest(hm->rows, hm->n_rows, 28) + 10.0;
    double col_h = widest(hm->cols, hm->n_cols, (size_t)col_max) * 0.72 + 14.0;
    double top = 50.0 + col_h;
    double grid_w = cell_w * (double)hm->n_cols, grid_h = cell_h * (double)hm->n_rows;
    double legend_y = top + grid_h + 22.0;
    double w = left + grid_w + col_h + 10.0, h = legend_y + 40.0;
    double title_w = 20.0 + text_width(hm->text.title, 200);
    if (title_w > w)
        w = title_w;
    if (left + 480.0 > w)
        w = left + 480.0;

    double max = hm->max;
    if (!(max > 0.0)) {
        max = 0.0;
        for (size_t i = 0; i < hm->n_rows * hm->n_cols; i++)
            if (isfinite(hm->values[i]) && fabs(hm->values[i]) > max)
                max = fabs(hm->values[i]);
        if (max == 0.0)
            max = 1.0;
    }
    bool div = hm->scale == LF_SCALE_DIVERGING;

    svg_open(fp, "heatmap", &hm->text, w, h);
    text_at(fp, left + grid_w / 2.0, 40.0, "middle", "al", hm->text.x_label);
    fputs("\n", fp);
    for (size_t j = 0; j < hm->n_cols; j++) {
        double cx = left + cell_w * ((double)j + 0.5);
        const char *shown = lf_html_truncate(&tmp, hm->cols[j], (size_t)col_max);
        text_turned_open(fp, cx, top - 6.0, -45, NULL, "cl");
        fputs("<title>", fp);
        lf_html_escape(fp, hm->cols[j]);
        fputs("</title>", fp);
        lf_html_escape(fp, shown);
        fputs("</text>\n", fp);
    }
    /* Cells without a value show the grey background between white grid lines; only
       cells with a value get an element, so a sparse matrix stays small. */
    rect(fp, left, top, grid_w, grid_h, "#e6e6e6");
    for (size_t i = 0; i <= hm->n_rows; i++)
        line(fp, left, top + cell_h * (double)i, left + grid_w, top + cell_h * (double)i, "sep");
    for (size_t j = 0; j <= hm->n_cols; j++)
        line(fp, left + cell_w * (double)j, top, left + cell_w * (double)j, top + grid_h, "sep");
    fputs("\n", fp);
    for (size_t i = 0; i < hm->n_rows; i++) {
        double y = top + cell_h * (double)i;
        label_at(fp, &tmp, left - 6.0, y + 15.0, "end", NULL, hm->rows[i], 28);
        for (size_t j = 0; j < hm->n_cols; j++) {
            double v = hm->values[i * hm->n_cols + j];
            if (!isfinite(v))
                continue;
            double x = left + cell_w * (double)j;
            char fill[8];
            if (div)
                lf_colour_diverging(v / max, fill);
            else
                lf_colour_sequential(v / max, fill);
            const char *cell = hm->cells ? hm->cells[i * hm->n_cols + j] : NULL;
            char vb[64];
            lf_fmt_fig(vb, sizeof vb, v, 3);
            fputs("<g><title>", fp);
            lf_html_escape(fp, hm->rows[i]);
            fputs(" \xC3\x97 ", fp);
            lf_html_escape(fp, hm->cols[j]);
            fputs(": ", fp);
            lf_html_escape(fp, vb);
            fputs("</title>", fp);
            rect(fp, x + 1.0, y + 1.0, cell_w - 2.0, cell_h - 2.0, fill);
            if (cell && *cell) /* a class, not a fill attribute: the page's CSS wins */
                text_at(fp, x + cell_w / 2.0, y + 15.0, "middle",
                        lf_colour_is_light(fill) ? "cv" : "cv cw", cell);
            fputs("</g>", fp);
        }
        fputs("\n", fp);
    }
    y_label(fp, 14.0, top, top + grid_h, hm->text.y_label);
    /* legend: the colour scale as a gradient with its ends, and the "no value" grey */
    fprintf(fp, "<defs><linearGradient id=\"");
    lf_html_escape(fp, hm->text.id);
    fputs("-g\">", fp);
    for (int k = 0; k <= 8; k++) {
        char c[8];
        if (div)
            lf_colour_diverging(-1.0 + k / 4.0, c);
        else
            lf_colour_sequential(k / 8.0, c);
        fprintf(fp, "<stop offset=\"%d%%\" stop-color=\"%s\"/>", k * 100 / 8, c);
    }
    fputs("</linearGradient></defs>", fp);
    fputs("<rect", fp);
    attr(fp, "x", left);
    attr(fp, "y", legend_y);
    fputs(" width=\"160\" height=\"10\" fill=\"url(#", fp);
    lf_html_escape(fp, hm->text.id);
    fputs("-g)\"/>", fp);
    tick_label(fp, left, legend_y + 24.0, "start", div ? -max : 0.0, 2);
    if (div)
        tick_label(fp, left + 80.0, legend_y + 24.0, "middle", 0.0, 2);
    tick_label(fp, left + 160.0, legend_y + 24.0, "end", max, 2);
    text_at(fp, left + 170.0, legend_y + 9.0, NULL, "lg", hm->legend);
    rect(fp, left + 170.0, legend_y + 15.0, 10.0, 10.0, "#e6e6e6");
    text_at(fp, left + 186.0, legend_y + 24.0, NULL, "lg", "no value");
    fputs("\n", fp);
    svg_close(fp);
    lf_buf_free(&tmp);
    return ferror(fp) ? -1 : 0;
}

/* ---- forest plot ---- */

#define FOREST_ABOVE "#D55E00"
#define FOREST_BELOW "#0072B2"
#define FOREST_NS "#767676"

static void forest_marker(FILE *fp, double x, double y, int mark)
{
    if (mark > 0) {
        fputs("<circle", fp);
        attr(fp, "cx", x);
        attr(fp, "cy", y);
        fputs(" r=\"5\" fill=\"" FOREST_ABOVE "\"/>", fp);
    } else if (mark < 0) {
        fputs("<rect", fp);
        attr(fp, "x", x - 4.5);
        attr(fp, "y", y - 4.5);
        fputs(" width=\"9\" height=\"9\" fill=\"" FOREST_BELOW "\"/>", fp);
    } else {
        fputs("<circle", fp);
        attr(fp, "cx", x);
        attr(fp, "cy", y);
        fputs(" r=\"4.5\" fill=\"#fff\" stroke=\"" FOREST_NS "\" stroke-width=\"1.5\"/>", fp);
    }
}

/* A small triangle at a clipped end of an interval, pointing outwards (dir ±1). */
static void forest_arrow(FILE *fp, double x, double y, int dir, const char *colour)
{
    fputs("<path d=\"M", fp);
    num(fp, x + 6.0 * dir);
    putc(' ', fp);
    num(fp, y);
    fputs(" L", fp);
    num(fp, x);
    putc(' ', fp);
    num(fp, y - 4.0);
    fputs(" L", fp);
    num(fp, x);
    putc(' ', fp);
    num(fp, y + 4.0);
    fprintf(fp, " Z\" fill=\"%s\"/>", colour);
}

int lf_svg_forest(FILE *fp, const lf_forest *f)
{
    lf_buf tmp = {0};
    const double row_h = 22.0, plot_w = 360.0;
    size_t shown = 0;
    double ext = 0.0;
    for (size_t i = 0; i < f->n; i++) {
        if (!isfinite(f->est[i]) || !isfinite(f->lo[i]) || !isfinite(f->hi[i]))
            continue;
        shown++;
        ext = fmax(ext, fmax(fabs(f->lo[i]), fabs(f->hi[i])));
    }
    double limit = f->limit > 0.0 ? f->limit : 8.0;
    double step, range;
    if (ext >= limit) {
        range = limit; /* the axis ends at the limit; longer intervals get an arrow */
        step = limit / 4.0;
    } else {
        step = nice_step(2.0 * ext, 6);
        if (step < 0.5)
            step = 0.5;
        range = step * ceil(ext / step);
        if (range < 1.0)
            range = 1.0;
    }
    double left = 30.0 + widest(f->labels, f->n, LABEL_MAX) + 10.0;
    double top = 62.0;
    double axis_y = top + row_h * (double)(shown ? shown : 1) + 4.0;
    double w = left + plot_w + 30.0, h = axis_y + 48.0;
    double legend_w = 20.0 + text_width(f->legend_above, 60) + text_width(f->legend_below, 60) +
                      text_width(f->legend_ns, 60) + 3 * 30.0;
    if (left + legend_w > w)
        w = left + legend_w;
    double title_w = 20.0 + text_width(f->text.title, 200);
    if (title_w > w)
        w = title_w;
    double zero = left + plot_w / 2.0;
#define FX(v) (zero + (plot_w / 2.0) * fmax(-1.0, fmin(1.0, (v) / range)))

    svg_open(fp, "forest", &f->text, w, h);
    /* legend: the three marker kinds */
    double lx = left;
    const char *leg[3] = {f->legend_above, f->legend_below, f->legend_ns};
    for (int k = 0; k < 3; k++) {
        forest_marker(fp, lx + 5.0, 38.0, k == 0 ? 1 : k == 1 ? -1 : 0);
        text_at(fp, lx + 14.0, 42.0, NULL, "lg", leg[k]);
        lx += 14.0 + text_width(leg[k], 60) + 22.0;
    }
    fputs("\n", fp);
    for (double v = -range; v <= range + step / 2.0; v += step) {
        double x = FX(v);
        line(fp, x, top - 6.0, x, axis_y, fabs(v) < step / 2.0 ? "zero" : "grid");
        tick_label(fp, x, axis_y + 16.0, "middle", fabs(v) < step / 2.0 ? 0.0 : v, 6);
    }
    fputs("\n", fp);
    size_t row = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!isfinite(f->est[i]) || !isfinite(f->lo[i]) || !isfinite(f->hi[i]))
            continue;
        double y = top + row_h * (double)row++ + 11.0;
        const char *colour = f->mark[i] > 0 ? FOREST_ABOVE : f->mark[i] < 0 ? FOREST_BELOW : FOREST_NS;
        label_at(fp, &tmp, left - 8.0, y + 4.0, "end", NULL, f->labels[i], LABEL_MAX);
        char e[64], lo[64], hi[64];
        lf_fmt_fig(e, sizeof e, f->est[i], 2);
        lf_fmt_fig(lo, sizeof lo, f->lo[i], 2);
        lf_fmt_fig(hi, sizeof hi, f->hi[i], 2);
        fputs("<g><title>", fp);
        lf_html_escape(fp, f->labels[i]);
        fprintf(fp, ": %s [%s, %s]</title>", e, lo, hi);
        fputs("<line", fp);
        attr(fp, "x1", FX(f->lo[i]));
        attr(fp, "y1", y);
        attr(fp, "x2", FX(f->hi[i]));
        attr(fp, "y2", y);
        fprintf(fp, " stroke=\"%s\" stroke-width=\"2\"/>", colour);
        if (f->lo[i] < -range)
            forest_arrow(fp, FX(-range), y, -1, colour);
        if (f->hi[i] > range)
            forest_arrow(fp, FX(range), y, 1, colour);
        forest_marker(fp, FX(f->est[i]), y, f->mark[i]);
        fputs("</g>\n", fp);
    }
#undef FX
    line(fp, left, axis_y, left + plot_w, axis_y, "axis");
    text_at(fp, left + plot_w / 2.0, axis_y + 38.0, "middle", "al", f->text.x_label);
    fputs("\n", fp);
    y_label(fp, 14.0, top, axis_y, f->text.y_label);
    svg_close(fp);
    lf_buf_free(&tmp);
    return ferror(fp) ? -1 : 0;
}

/* ---- line chart ---- */

static const char *const dashes[LF_PALETTE_SIZE] = {"", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4"};

/* Marker k at (x, y): circle, square, triangle, diamond, triangle down, cross, star-ish. */
static void line_marker(FILE *fp, size_t k, double x, double y, const char *colour)
{
    switch (k % 7) {
    case 0:
        fputs("<circle", fp);
        attr(fp, "cx", x);
        attr(fp, "cy", y);
        fprintf(fp, " r=\"4\" fill=\"%s\"/>", colour);
        return;
    case 1:
        rect(fp, x - 3.5, y - 3.5, 7.0, 7.0, colour);
        return;
    default:
        break;
    }
    static const double shapes[5][8] = {
        {0, -5, 4.5, 3.5, -4.5, 3.5, 0, -5},   /* triangle */
        {0, -5, 5, 0, 0, 5, -5, 0},            /* diamond */
        {0, 5, 4.5, -3.5, -4.5, -3.5, 0, 5},   /* triangle down */
        {-4, -4, 4, 4, -4, 4, 4, -4},          /* cross (drawn as a bow tie) */
        {-5, -2, 5, -2, -5, 3, 5, 3},          /* bars */
    };
    const double *s = shapes[k % 7 - 2];
    fputs("<path d=\"", fp);
    for (int p = 0; p < 4; p++) {
        putc(p ? 'L' : 'M', fp);
        num(fp, x + s[2 * p]);
        putc(' ', fp);
        num(fp, y + s[2 * p + 1]);
    }
    fprintf(fp, "Z\" fill=\"%s\"/>", colour);
}

int lf_svg_lines(FILE *fp, const lf_line_chart *l)
{
    lf_buf tmp = {0};
    const double plot_w = 520.0, plot_h = 220.0;
    double left = 80.0, top = 40.0;
    double legend_x = left + plot_w + 24.0;
    double legend_w = 40.0 + widest(l->series, l->n_series, 28);
    double xlab_h = widest(l->x, l->n_x, 16) * 0.64 + 16.0;
    double axis_y = top + plot_h;
    double w = legend_x + legend_w + 10.0;
    double h = axis_y + xlab_h + 30.0;
    double legend_h = top + 22.0 * (double)l->n_series + 10.0;
    if (legend_h > h)
        h = legend_h;
    double title_w = 20.0 + text_width(l->text.title, 200);
    if (title_w > w)
        w = title_w;
    double max = 0.0;
    for (size_t i = 0; i < l->n_series * l->n_x; i++)
        if (isfinite(l->values[i]) && l->values[i] > max)
            max = l->values[i];
    double step = nice_step(max, 5);
    double axis_max = max > 0.0 ? step * ceil(max / step) : step;
    double dx = l->n_x ? plot_w / (double)l->n_x : plot_w;
#define LX(i) (left + dx * ((double)(i) + 0.5))
#define LY(v) (axis_y - plot_h * (v) / axis_max)

    svg_open(fp, "lines", &l->text, w, h);
    for (double v = 0.0; v <= axis_max + step / 2.0; v += step) {
        line(fp, left, LY(v), left + plot_w, LY(v), v == 0.0 ? "axis" : "grid");
        tick_label(fp, left - 6.0, LY(v) + 4.0, "end", v, 6);
    }
    line(fp, left, top, left, axis_y, "axis");
    fputs("\n", fp);
    /* every k-th period label, so that at most 24 are written */
    size_t every = l->n_x > 24 ? (l->n_x + 23) / 24 : 1;
    for (size_t i = 0; i < l->n_x; i++) {
        line(fp, LX(i), axis_y, LX(i), axis_y + 4.0, "axis");
        if (i % every)
            continue;
        const char *shown = lf_html_truncate(&tmp, l->x[i], 16);
        text_turned_open(fp, LX(i) + 4.0, axis_y + 14.0, -40, "end", "tk");
        lf_html_escape(fp, shown);
        fputs("</text>", fp);
    }
    fputs("\n", fp);
    for (size_t s = 0; s < l->n_series; s++) {
        const char *colour = lf_palette[s % LF_PALETTE_SIZE];
        const char *dash = dashes[s % LF_PALETTE_SIZE];
        const double *v = l->values + s * l->n_x;
        fputs("<g class=\"series\"><title>", fp);
        lf_html_escape(fp, l->series[s]);
        fputs("</title>", fp);
        /* one path, a new segment after every gap */
        bool pen = false, any = false;
        for (size_t i = 0; i < l->n_x; i++) {
            if (!isfinite(v[i])) {
                pen = false;
                continue;
            }
            if (!any)
                fputs("<path d=\"", fp);
            any = true;
            putc(pen ? 'L' : 'M', fp);
            num(fp, LX(i));
            putc(' ', fp);
            num(fp, LY(v[i]));
            pen = true;
        }
        if (any) {
            fprintf(fp, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"", colour);
            if (*dash)
                fprintf(fp, " stroke-dasharray=\"%s\"", dash);
            fputs("/>", fp);
        }
        for (size_t i = 0; i < l->n_x; i++)
            if (isfinite(v[i]))
                line_marker(fp, s, LX(i), LY(v[i]), colour);
        fputs("</g>\n", fp);
        /* legend entry */
        double ly = top + 22.0 * (double)s + 8.0;
        fputs("<line", fp);
        attr(fp, "x1", legend_x);
        attr(fp, "y1", ly);
        attr(fp, "x2", legend_x + 28.0);
        attr(fp, "y2", ly);
        fprintf(fp, " stroke=\"%s\" stroke-width=\"2\"", colour);
        if (*dash)
            fprintf(fp, " stroke-dasharray=\"%s\"", dash);
        fputs("/>", fp);
        line_marker(fp, s, legend_x + 14.0, ly, colour);
        label_at(fp, &tmp, legend_x + 36.0, ly + 4.0, NULL, "lg", l->series[s], 28);
        fputs("\n", fp);
    }
#undef LX
#undef LY
    text_at(fp, left + plot_w / 2.0, h - 8.0, "middle", "al", l->text.x_label);
    fputs("\n", fp);
    y_label(fp, 16.0, top, axis_y, l->text.y_label);
    svg_close(fp);
    lf_buf_free(&tmp);
    return ferror(fp) ? -1 : 0;
}
