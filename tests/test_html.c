/* test_html.c — stage 5, the HTML report: escaping (text, attributes, SVG text, invalid
 * UTF-8, control characters), shortening at code points, colour scales at their stops,
 * each SVG chart from hand-made numbers (parsed back as XML: sizes, positions, colours,
 * gaps, clipping), and whole pages built from hand-made tables with markup in every name
 * (one script, no injected element, well-formed, the CSP hash matching the script, the
 * evidence cap, a file that cannot be hashed, a write error). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "render.h"
#include "render_svg.h"
#include "tdoc.h"
#include "util.h"

/* ---- helpers ---- */

static const char *escaped(capture *c, const char *s)
{
    lf_html_escape(cap_open(c), s);
    return cap_text(c);
}

/* Parses an SVG or page as XML (well-formedness is part of every check). */
static xmlDocPtr parse_xml(const char *s)
{
    xmlDocPtr doc = xmlReadMemory(s, (int)strlen(s), "test.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("not well-formed XML:\n%.2000s", s);
    return doc;
}

/* Evaluates an XPath (with the SVG namespace as "s") and returns the node set size. */
static int xcount(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    assert_non_null(r);
    int n = r->nodesetval ? r->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return n;
}

/* The string value of an XPath expression (caller frees). */
static char *xstring(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    assert_non_null(r);
    xmlChar *v = xmlXPathCastToString(r);
    char *out = lf_xstrdup((const char *)v);
    xmlFree(v);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return out;
}

static double xnumber(xmlDocPtr doc, const char *expr)
{
    char *s = xstring(doc, expr);
    double v = strtod(s, NULL);
    free(s);
    return v;
}

static void assert_near(double got, double want)
{
    if (!(fabs(got - want) < 0.051))
        fail_msg("got %.3f, want %.3f", got, want);
}

/* ---- escaping and text ---- */

static void test_escape(void **state)
{
    (void)state;
    capture c;
    assert_string_equal(escaped(&c, "<script>alert(\"x\")</script>&'"),
                        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    free(c.buf);
    assert_string_equal(escaped(&c, "\"><img src=x onerror=alert(1)>"),
                        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    free(c.buf);
    /* tab and newline stay, other controls and DEL become spaces, C1 controls too */
    assert_string_equal(escaped(&c, "a\tb\nc\x01" "d\x7f" "e\xC2\x85" "f"), "a\tb\nc d e f");
    free(c.buf);
    /* invalid UTF-8 becomes U+FFFD; valid multibyte text passes unchanged */
    assert_string_equal(escaped(&c, "caf\xC3\xA9 \xFF\xFE x \xE2\x80\x94"),
                        "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD x \xE2\x80\x94");
    free(c.buf);
    assert_string_equal(escaped(&c, NULL), "");
    free(c.buf);
    FILE *fp = cap_open(&c);
    lf_html_escape_n(fp, "<ab>", 2);
    assert_string_equal(cap_text(&c), "&lt;a");
    free(c.buf);
}

static void test_truncate(void **state)
{
    (void)state;
    lf_buf b = {0};
    assert_string_equal(lf_html_truncate(&b, "Sequencing and reciprocity", 10),
                        "Sequencin\xE2\x80\xA6");
    assert_string_equal(lf_html_truncate(&b, "short", 10), "short");
    assert_string_equal(lf_html_truncate(&b, "exactly10!", 10), "exactly10!");
    /* cut between code points, never inside one */
    assert_string_equal(lf_html_truncate(&b, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3),
                        "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
    assert_string_equal(lf_html_truncate(&b, "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97", 2),
                        "\xE4\xB8\xAD\xE2\x80\xA6");
    assert_int_equal(lf_utf8_length("\xC3\xA9t\xC3\xA9"), 3);
    assert_int_equal(lf_utf8_length("a\xFF" "b"), 3);
    lf_buf_free(&b);
}

static void test_numbers_and_colours(void **state)
{
    (void)state;
    char buf[64];
    lf_fmt_fig(buf, sizeof buf, 2.3456, 2);
    assert_string_equal(buf, "2.35");
    lf_fmt_fig(buf, sizeof buf, 36.324786, 2);
    assert_string_equal(buf, "36.32");
    lf_fmt_fig(buf, sizeof buf, -0.001, 2);
    assert_string_equal(buf, "0");
    lf_fmt_fig(buf, sizeof buf, 12.0, 1);
    assert_string_equal(buf, "12");
    lf_fmt_fig(buf, sizeof buf, NAN, 2);
    assert_string_equal(buf, "NA");

    char c[8];
    lf_colour_sequential(0.0, c);
    assert_string_equal(c, "#ffffd9");
    lf_colour_sequential(1.0, c);
    assert_string_equal(c, "#081d58");
    lf_colour_sequential(0.5, c);
    assert_string_equal(c, "#41b6c4");
    lf_colour_sequential(1.0 / 16.0, c); /* halfway between the first two stops */
    assert_string_equal(c, "#f6fcc5");
    lf_colour_sequential(-3.0, c);
    assert_string_equal(c, "#ffffd9");
    lf_colour_sequential(7.0, c);
    assert_string_equal(c, "#081d58");
    lf_colour_sequential(NAN, c);
    assert_string_equal(c, "#ffffd9");
    lf_colour_diverging(-1.0, c);
    assert_string_equal(c, "#542788");
    lf_colour_diverging(0.0, c);
    assert_string_equal(c, "#f7f7f7");
    lf_colour_diverging(1.0, c);
    assert_string_equal(c, "#b35806");
    assert_true(lf_colour_is_light("#ffffd9"));
    assert_true(lf_colour_is_light("#f7f7f7"));
    assert_false(lf_colour_is_light("#081d58"));
    assert_false(lf_colour_is_light("#542788"));
    /* the palette is Okabe–Ito without black: seven distinct colours */
    for (int i = 0; i < LF_PALETTE_SIZE; i++)
        for (int j = i + 1; j < LF_PALETTE_SIZE; j++)
            assert_string_not_equal(lf_palette[i], lf_palette[j]);
}

/* ---- charts ---- */

static void test_bars(void **state)
{
    (void)state;
    const char *labels[] = {"Betrayal <b>&", "Trust", "A label far too long to be shown whole here"};
    double values[] = {10, 5, 0};
    const char *notes[] = {"10 (2.5 per 1,000)", NULL, "0"};
    lf_bar_chart bc = {.text = {"b1", "Title <i>", "Counted matches", "Theme"},
                       .legend = "counted matches",
                       .labels = labels,
                       .values = values,
                       .notes = notes,
                       .n = 3};
    capture c;
    assert_int_equal(lf_svg_bars(cap_open(&c), &bc), 0);
    const char *svg = cap_text(&c);
    xmlDocPtr doc = parse_xml(svg);
    assert_int_equal(xcount(doc, "/s:svg[@id='b1' and @class='chart chart-bars']"), 1);
    /* markup in titles and labels is text: no <b> or <i> element anywhere */
    assert_int_equal(xcount(doc, "//*[local-name()='b' or local-name()='i']"), 0);
    char *title = xstring(doc, "//s:text[@class='ct']");
    assert_string_equal(title, "Title <i>");
    free(title);
    assert_int_equal(xcount(doc, "//s:text[.='Betrayal <b>&']"), 1);
    /* the long label is shortened, its full text kept in a tooltip */
    assert_int_equal(xcount(doc, "//s:text[s:title='A label far too long to be shown whole here']"), 1);
    assert_int_equal(xcount(doc, "//s:text[@class='al']"), 2);
    assert_int_equal(xcount(doc, "//s:text[@class='lg' and .='counted matches']"), 1);
    /* bars: the axis runs to 10 over 400 px, so the widths are 400, 200 and 0 */
    assert_int_equal(xcount(doc, "//s:g/s:rect"), 3);
    assert_near(xnumber(doc, "(//s:g/s:rect)[1]/@width"), 400.0);
    assert_near(xnumber(doc, "(//s:g/s:rect)[2]/@width"), 200.0);
    assert_near(xnumber(doc, "(//s:g/s:rect)[3]/@width"), 0.0);
    /* ticks 0, 2, …, 10 (integral counts never get fractional ticks) */
    assert_int_equal(xcount(doc, "//s:text[@class='tk']"), 6);
    assert_int_equal(xcount(doc, "//s:text[@class='nt']"), 2);
    xmlFreeDoc(doc);
    free(c.buf);

    /* counts of at most 2 keep whole-number ticks: 0, 1, 2 */
    double small[] = {2, 1};
    bc.values = small;
    bc.n = 2;
    bc.notes = NULL;
    assert_int_equal(lf_svg_bars(cap_open(&c), &bc), 0);
    doc = parse_xml(cap_text(&c));
    assert_int_equal(xcount(doc, "//s:text[@class='tk']"), 3);
    xmlFreeDoc(doc);
    free(c.buf);
}

static void test_heatmap(void **state)
{
    (void)state;
    const char *rows[] = {"Envoy", "Minister \"M\""};
    const char *cols[] = {"Betrayal", "Trust", "Leverage"};
    double values[] = {0.0, 2.0, 4.0, 1.0, NAN, 3.0};
    const char *cells[] = {"", "2", "4", "1", "", "3"};
    lf_heatmap hm = {.text = {"h1", "Rates", "Theme", "Speaker"},
                     .legend = "rate per 1,000 words",
                     .rows = rows,
                     .n_rows = 2,
                     .cols = cols,
                     .n_cols = 3,
                     .values = values,
                     .cells = cells,
                     .scale = LF_SCALE_SEQUENTIAL};
    capture c;
    assert_int_equal(lf_svg_heatmap(cap_open(&c), &hm), 0);
    xmlDocPtr doc = parse_xml(cap_text(&c));
    /* five cells with a value, the NaN one left to the grey background */
    assert_int_equal(xcount(doc, "//s:g[s:rect]"), 5);
    assert_int_equal(xcount(doc, "//s:g/s:title[contains(., 'Minister \"M\" \xC3\x97 Trust')]"), 0);
    assert_int_equal(xcount(doc, "//s:g/s:title[contains(., 'Minister \"M\" \xC3\x97 Leverage')]"), 1);
    /* the largest value (4) is the darkest colour, 0 the lightest; dark cells have white text */
    assert_int_equal(xcount(doc, "//s:g[s:title='Envoy \xC3\x97 Leverage: 4']/s:rect[@fill='#081d58']"), 1);
    assert_int_equal(xcount(doc, "//s:g[s:title='Envoy \xC3\x97 Betrayal: 0']/s:rect[@fill='#ffffd9']"), 1);
    assert_int_equal(xcount(doc, "//s:g[s:title='Envoy \xC3\x97 Leverage: 4']/s:text[@class='cv cw']"), 1);
    assert_int_equal(xcount(doc, "//s:g[s:title='Envoy \xC3\x97 Trust: 2']/s:text[@class='cv']"), 1);
    /* an empty cell text draws no text element */
    assert_int_equal(xcount(doc, "//s:g[s:title='Envoy \xC3\x97 Betrayal: 0']/s:text"), 0);
    /* legend: the gradient with nine stops and the scale's ends, 0 and 4 */
    assert_int_equal(xcount(doc, "//s:linearGradient[@id='h1-g']/s:stop"), 9);
    assert_int_equal(xcount(doc, "//s:text[@class='tk' and .='0']"), 1);
    assert_int_equal(xcount(doc, "//s:text[@class='tk' and .='4']"), 1);
    assert_int_equal(xcount(doc, "//s:text[@class='lg' and .='no value']"), 1);
    assert_int_equal(xcount(doc, "//s:text[@class='al']"), 2);
    xmlFreeDoc(doc);
    free(c.buf);

    /* diverging on a fixed scale: −1 purple, 1 orange, ends −1, 0 and 1 */
    double npmi[] = {-1.0, 1.0, 0.0, NAN, NAN, NAN};
    hm.values = npmi;
    hm.scale = LF_SCALE_DIVERGING;
    hm.max = 1.0;
    hm.cells = NULL;
    assert_int_equal(lf_svg_heatmap(cap_open(&c), &hm), 0);
    doc = parse_xml(cap_text(&c));
    assert_int_equal(xcount(doc, "//s:g/s:rect[@fill='#542788']"), 1);
    assert_int_equal(xcount(doc, "//s:g/s:rect[@fill='#b35806']"), 1);
    assert_int_equal(xcount(doc, "//s:g/s:rect[@fill='#f7f7f7']"), 1);
    assert_int_equal(xcount(doc, "//s:text[@class='tk' and .='\xE2\x88\x92" "1']"), 1);
    assert_int_equal(xcount(doc, "//s:g/s:text"), 0);
    xmlFreeDoc(doc);
    free(c.buf);
}

static void test_forest(void **state)
{
    (void)state;
    const char *labels[] = {"Leverage", "Undefined", "Betrayal", "Trust"};
    double est[] = {4.0, NAN, 0.0, -2.0};
    double lo[] = {2.0, 0.0, -1.0, -10.0}; /* Trust's interval runs past the limit of 8 */
    double hi[] = {6.0, 1.0, 1.0, 1.0};
    int mark[] = {1, 0, 0, -1};
    lf_forest f = {.text = {"f1", "Envoy vs the rest", "log2 rate ratio", "Theme"},
                   .legend_above = "more often",
                   .legend_below = "less often",
                   .legend_ns = "not significant",
                   .labels = labels,
                   .est = est,
                   .lo = lo,
                   .hi = hi,
                   .mark = mark,
                   .n = 4};
    capture c;
    assert_int_equal(lf_svg_forest(cap_open(&c), &f), 0);
    xmlDocPtr doc = parse_xml(cap_text(&c));
    /* the NaN row is left out: three rows, each an interval and a marker */
    assert_int_equal(xcount(doc, "//s:g[s:line]"), 3);
    assert_int_equal(xcount(doc, "//s:text[.='Undefined']"), 0);
    /* the axis ends at the limit, ±8, with ticks every 2; the zero line is dashed */
    double zero = xnumber(doc, "//s:line[@class='zero']/@x1");
    double left = xnumber(doc, "(//s:line[@class='grid'])[1]/@x1");
    assert_near(zero - left, 180.0);
    assert_int_equal(xcount(doc, "//s:text[@class='tk']"), 9);
    assert_int_equal(xcount(doc, "//s:text[@class='tk' and .='\xE2\x88\x92" "8']"), 1);
    /* Leverage: filled vermillion circle at 4 (a quarter of the half-width right of 0),
       interval from 2 to 6 */
    assert_near(xnumber(doc, "//s:g[s:title='Leverage: 4 [2, 6]']/s:circle/@cx") - zero, 90.0);
    assert_int_equal(xcount(doc, "//s:g[starts-with(s:title,'Leverage')]/s:circle[@fill='#D55E00']"), 1);
    assert_near(xnumber(doc, "//s:g[starts-with(s:title,'Leverage')]/s:line/@x1") - zero, 45.0);
    assert_near(xnumber(doc, "//s:g[starts-with(s:title,'Leverage')]/s:line/@x2") - zero, 135.0);
    /* Betrayal: hollow grey marker at 0 */
    assert_near(xnumber(doc, "//s:g[starts-with(s:title,'Betrayal')]/s:circle/@cx"), zero);
    assert_int_equal(xcount(doc, "//s:g[starts-with(s:title,'Betrayal')]/s:circle[@fill='#fff']"), 1);
    /* Trust: a blue square, its interval clipped at −8 with an arrow */
    assert_int_equal(xcount(doc, "//s:g[starts-with(s:title,'Trust')]/s:rect[@fill='#0072B2']"), 1);
    assert_near(xnumber(doc, "//s:g[starts-with(s:title,'Trust')]/s:line/@x1"), left);
    assert_int_equal(xcount(doc, "//s:g[starts-with(s:title,'Trust')]/s:path"), 1);
    assert_int_equal(xcount(doc, "//s:g/s:path"), 1);
    assert_int_equal(xcount(doc, "//s:text[@class='lg']"), 3);
    assert_int_equal(xcount(doc, "//s:text[@class='al']"), 2);
    xmlFreeDoc(doc);
    free(c.buf);
}

static void test_lines(void **state)
{
    (void)state;
    const char *x[] = {"2024-04", "2024-05", "2024-06"};
    const char *series[] = {"Betrayal", "Trust"};
    double values[] = {1.0, 2.0, 4.0, 3.0, NAN, 1.0};
    lf_line_chart lc = {.text = {"l1", "Trends", "Period", "Rate per 1,000 words"},
                        .x = x,
                        .n_x = 3,
                        .series = series,
                        .n_series = 2,
                        .values = values};
    capture c;
    assert_int_equal(lf_svg_lines(cap_open(&c), &lc), 0);
    xmlDocPtr doc = parse_xml(cap_text(&c));
    assert_int_equal(xcount(doc, "//s:g[@class='series']"), 2);
    /* one unbroken line for Betrayal; Trust's gap starts a new segment */
    char *d0 = xstring(doc, "(//s:g[@class='series'])[1]/s:path/@d");
    char *d1 = xstring(doc, "(//s:g[@class='series'])[2]/s:path/@d");
    assert_int_equal(strchr(d0, 'M') == strrchr(d0, 'M'), 1);
    assert_non_null(strchr(d0, 'L'));
    assert_true(strchr(d1, 'M') != strrchr(d1, 'M'));
    assert_null(strchr(d1, 'L'));
    free(d0);
    free(d1);
    /* distinct colours and dash patterns per series; markers at each defined point */
    assert_int_equal(xcount(doc, "(//s:g[@class='series'])[1]/s:path[@stroke='#0072B2' and not(@stroke-dasharray)]"), 1);
    assert_int_equal(xcount(doc, "(//s:g[@class='series'])[2]/s:path[@stroke='#D55E00' and @stroke-dasharray]"), 1);
    assert_int_equal(xcount(doc, "(//s:g[@class='series'])[1]/s:circle"), 3);
    assert_int_equal(xcount(doc, "(//s:g[@class='series'])[2]/s:rect"), 2);
    /* y axis 0 … 4 in steps of 1; the top point sits at the top of the plot */
    assert_int_equal(xcount(doc, "//s:text[@class='tk' and .='4']"), 1);
    assert_near(xnumber(doc, "(//s:g[@class='series'])[1]/s:circle[3]/@cy"), 40.0);
    assert_int_equal(xcount(doc, "//s:text[@class='lg' and .='Trust']"), 1);
    assert_int_equal(xcount(doc, "//s:text[.='2024-05']"), 1);
    assert_int_equal(xcount(doc, "//s:text[@class='al']"), 2);
    xmlFreeDoc(doc);
    free(c.buf);
}

/* ---- whole pages ---- */

#define XSS_SCRIPT "<script>alert(1)</script>"
#define XSS_IMG "\"><img src=x onerror=alert(2)>"

static const char lexicon_text[] =
    "@lexframe 1\n"
    "@theme betrayal\n"
    "label: Betrayal " XSS_SCRIPT "\n"
    "description: " XSS_IMG " and </script>\n"
    "colour: #D55E00\n"
    "betray*\n"
    "@theme trust\n"
    "label: " XSS_IMG "\n"
    "trust\n";

typedef struct page_fixture {
    lf_lexicon *lex;
    tdoc d;
    lf_tables *t;
} page_fixture;

static void page_fixture_build(page_fixture *p)
{
    p->lex = lf_lexicon_new();
    lf_error err = {LF_OK, ""};
    assert_int_equal(lf_lexicon_read_native(p->lex, "x.lexicon", lexicon_text,
                                            sizeof lexicon_text - 1, NULL, &err),
                     LF_OK);
    assert_int_equal(lf_lexicon_resolve(p->lex, &err), LF_OK);
    /* readers check colours; the page must not trust that they did */
    p->lex->themes[1].colour = "red\"><b>x</b>";
    speaker_spec sp[] = {{.name = XSS_SCRIPT, .party = XSS_IMG, .role = "</text><svg onload=x>"},
                         {.name = "Envoy", .party = "P", .role = "envoy"}};
    turn_spec turns[] = {{.speaker = 0, .sent_words = {20, 20}},
                         {.speaker = 1, .sent_words = {30}},
                         {.speaker = 0, .sent_words = {25}}};
    tdoc_build_full(&p->d, XSS_IMG ".txt", sp, 2, turns, 3, 0);
    p->d.doc.date = "2024-05-14";
    tdoc_match(&p->d, 0, 0, 0, LF_MATCH_COUNTED, false);
    tdoc_match(&p->d, 0, 1, 1, LF_MATCH_COUNTED, false);
    tdoc_match(&p->d, 1, 0, 0, LF_MATCH_COUNTED, false);
    tdoc_match(&p->d, 1, 1, 1, LF_MATCH_COUNTED, false);
    tdoc_match(&p->d, 2, 1, 1, LF_MATCH_COUNTED, false);
    tdoc_match(&p->d, 3, 0, 0, LF_MATCH_COUNTED, false);
    tdoc_match(&p->d, 3, 1, 1, LF_MATCH_COUNTED, false);
    p->t = lf_tables_new(p->lex);
    lf_tables_add_doc(p->t, &p->d.doc, &p->d.toks, &p->d.ms);
}

static void page_fixture_free(page_fixture *p)
{
    lf_tables_free(p->t);
    tdoc_free(&p->d);
    lf_lexicon_free(p->lex);
}

/* Evidence rows with markup everywhere; n rows alternating between the two themes. */
static lf_match_row *evidence_rows(size_t n)
{
    lf_match_row *rows = lf_xcalloc(n, sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = (lf_match_row){.doc = XSS_IMG ".txt",
                                 .line = i + 1,
                                 .speaker = i % 3 ? XSS_SCRIPT : "",
                                 .theme = i < n / 2 ? "betrayal" : "trust",
                                 .text = "betrayed </mark><script>alert(3)</script>",
                                 .left = "they said <b>",
                                 .right = "</td></tr><img src=x onerror=alert(4)>",
                                 .negated = i == 0,
                                 .negator = "not<i>"};
    return rows;
}

static char *render_page(page_fixture *p, const lf_match_row *rows, size_t n,
                         const lf_report_info *info, int *rc, lf_error *err)
{
    const lf_match_row **ptrs = lf_xcalloc(n ? n : 1, sizeof *ptrs);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &rows[i];
    lf_html_evidence ev = {.rows = ptrs, .n = n, .per_theme = 20, .seed = 7};
    capture c;
    *rc = lf_render_report_html(cap_open(&c), p->t, p->lex, info, NULL, &ev, err);
    cap_text(&c);
    free((void *)ptrs);
    return c.buf;
}

static size_t count_of(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_page_escapes_everything(void **state)
{
    (void)state;
    page_fixture p;
    page_fixture_build(&p);
    lf_match_row *rows = evidence_rows(6);
    lf_error err = {LF_OK, ""};
    int rc;
    char *html = render_page(&p, rows, 6, NULL, &rc, &err);
    assert_int_equal(rc, 0);
    /* raw bytes: one script element, nothing injected, the markup is escaped */
    assert_int_equal(count_of(html, "<script"), 1);
    assert_int_equal(count_of(html, "</script>"), 1);
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "<svg onload"));
    assert_null(strstr(html, "<b>"));
    assert_null(strstr(html, "background:red"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));

    /* parsed as XML: well-formed, and the markup only ever appears as text */
    xmlDocPtr doc = parse_xml(html);
    assert_int_equal(xcount(doc, "//*[local-name()='script']"), 1);
    assert_int_equal(xcount(doc, "//*[local-name()='img' or local-name()='b' or local-name()='i']"), 0);
    assert_int_equal(xcount(doc, "//@*[starts-with(local-name(), 'on')]"), 0);
    assert_int_equal(xcount(doc, "//*[local-name()='mark']"), 6);
    assert_true(xcount(doc, "//text()[contains(., '" XSS_IMG "')]") >= 3);
    assert_true(xcount(doc, "//*[local-name()='option'][@value='" XSS_SCRIPT "']") == 1);
    assert_int_equal(xcount(doc, "//*[local-name()='tr'][@data-speaker='(unattributed)']"), 2);
    /* the charts of a page: bars, three group heatmaps, forests, co-occurrence, trends */
    assert_int_equal(xcount(doc, "//s:svg[@class='chart chart-bars']"), 1);
    assert_int_equal(xcount(doc, "//s:svg[@class='chart chart-heatmap' and starts-with(@id,'chart-groups-')]"), 3);
    assert_true(xcount(doc, "//s:svg[@class='chart chart-forest']") >= 2);
    assert_int_equal(xcount(doc, "//s:svg[@class='chart chart-lines']"), 1);
    assert_int_equal(xcount(doc, "//s:svg[@id='chart-cooc-sentence']"), 1);
    xmlFreeDoc(doc);

    /* parsed as HTML the way a browser reads it: still one script, no injected element */
    htmlDocPtr hdoc = htmlReadMemory(html, (int)strlen(html), "page.html", "UTF-8",
                                     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    assert_non_null(hdoc);
    assert_int_equal(xcount(hdoc, "//script"), 1);
    assert_int_equal(xcount(hdoc, "//img"), 0);
    xmlFreeDoc(hdoc);
    free(html);
    free(rows);
    page_fixture_free(&p);
}

static void test_page_csp_matches_script(void **state)
{
    (void)state;
    page_fixture p;
    page_fixture_build(&p);
    lf_error err = {LF_OK, ""};
    int rc;
    char *html = render_page(&p, NULL, 0, NULL, &rc, &err);
    assert_int_equal(rc, 0);
    /* the policy forbids every load, and its script hash is the hash of the page's script */
    const char *csp = strstr(html, "Content-Security-Policy\" content=\"default-src 'none';");
    assert_non_null(csp);
    const char *h = strstr(csp, "script-src 'sha256-");
    assert_non_null(h);
    h += strlen("script-src 'sha256-");
    const char *start = strstr(html, "<script>") + strlen("<script>");
    const char *end = strstr(start, "</script>");
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, (size_t)(end - start), (const uint8_t *)start);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
    base64_encode_raw(b64, SHA256_DIGEST_SIZE, digest);
    b64[sizeof b64 - 1] = '\0';
    assert_memory_equal(h, b64, strlen(b64));
    assert_int_equal(h[strlen(b64)], '\'');
    /* no evidence: the section says so and has no filter */
    assert_non_null(strstr(html, "No counted match to show."));
    assert_null(strstr(html, "id=\"kwic-theme\""));
    free(html);
    page_fixture_free(&p);
}

static void test_page_evidence_cap(void **state)
{
    (void)state;
    page_fixture p;
    page_fixture_build(&p);
    lf_match_row *rows = evidence_rows(1000); /* 500 per theme, over the page's 600 */
    lf_error err = {LF_OK, ""};
    int rc;
    char *html = render_page(&p, rows, 1000, NULL, &rc, &err);
    assert_int_equal(rc, 0);
    xmlDocPtr doc = parse_xml(html);
    assert_int_equal(xcount(doc, "//*[@id='kwic-lines']/*[local-name()='tbody']/*[local-name()='tr']"), 600);
    assert_int_equal(xcount(doc, "//*[local-name()='tr'][@data-theme='trust']"), 300);
    /* spread evenly: the first kept trust line is the first, the last near the end */
    assert_non_null(strstr(html, "300 lines per theme are shown (600 of the 1000 sampled)"));
    assert_int_equal(xcount(doc, "//*[local-name()='tr'][@data-theme='betrayal'][*[local-name()='td'][2]='" XSS_IMG ".txt:1']"), 1);
    assert_int_equal(xcount(doc, "//*[local-name()='tr'][@data-theme='betrayal'][*[local-name()='td'][2]='" XSS_IMG ".txt:499']"), 1);
    assert_int_equal(xcount(doc, "//*[local-name()='tr'][@data-theme='betrayal'][*[local-name()='td'][2]='" XSS_IMG ".txt:3']"), 0);
    xmlFreeDoc(doc);
    free(html);
    free(rows);
    page_fixture_free(&p);
}

static void test_page_errors(void **state)
{
    (void)state;
    page_fixture p;
    page_fixture_build(&p);
    /* an input that cannot be hashed fails the page with LF_ERR_INPUT naming it */
    const char *inputs[] = {"/nonexistent/lexframe-test/a.txt"};
    lf_report_info info = {.version = "9.9", .argv_line = "lexframe report",
                           .inputs = inputs, .n_inputs = 1};
    lf_error err = {LF_OK, ""};
    int rc;
    char *html = render_page(&p, NULL, 0, &info, &rc, &err);
    assert_int_equal(rc, -1);
    assert_int_equal(err.status, LF_ERR_INPUT);
    assert_non_null(strstr(err.message, "/nonexistent/lexframe-test/a.txt"));
    free(html);
    /* a stream that cannot be written */
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        lf_error e2 = {LF_OK, ""};
        assert_int_equal(lf_render_report_html(full, p.t, p.lex, NULL, NULL, NULL, &e2), -1);
        fclose(full);
    }
    page_fixture_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_numbers_and_colours),
        cmocka_unit_test(test_bars),
        cmocka_unit_test(test_heatmap),
        cmocka_unit_test(test_forest),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_page_escapes_everything),
        cmocka_unit_test(test_page_csp_matches_script),
        cmocka_unit_test(test_page_evidence_cap),
        cmocka_unit_test(test_page_errors),
    };
    int rc = cmocka_run_group_tests_name("html", tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
