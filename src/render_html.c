/* render_html.c — report.html: one self-contained page an analyst can send — inline CSS,
 * SVG charts drawn by render_svg.c each beside the table of its numbers, a few lines of
 * inline script for filtering the evidence, and nothing fetched from anywhere (a Content
 * Security Policy forbids it). Built from the result tables, the lexicon, a bounded sample
 * of match rows and the run's provenance; every text from data is escaped. Lists are cut
 * to fixed top-N sizes (named below) so a 10,000-document corpus gives a usable page. */
#include <inttypes.h>
#include <math.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_svg.h"
#include "util.h"

/* The page's size budget, as top-N limits (README states them). */
#define HTML_TOP_THEMES 30      /* themes in the frequency chart and table */
#define HTML_MATRIX_THEMES 20   /* theme columns of the heatmaps, series pool of trends */
#define HTML_TOP_GROUPS 25      /* groups (by words) per group × theme heatmap */
#define HTML_FOREST_TARGETS 6   /* targets (by words) per grouping in the comparison */
#define HTML_FOREST_ROWS 30     /* themes per forest plot (strongest |G²|) */
#define HTML_OPEN_TARGETS 2     /* forest plots shown open per grouping */
#define HTML_TOP_PAIRS 25       /* co-occurring pairs listed per scope */
#define HTML_TREND_SERIES 6     /* themes drawn in the trend chart */
#define HTML_TREND_PERIODS 120  /* latest periods in the trend chart */
#define HTML_TOP_ENTRIES 3      /* entries named per theme in the frequency table */
#define HTML_LEXICON_ENTRIES 60 /* entries listed per theme in the lexicon section … */
#define HTML_LEXICON_TOTAL 3000 /* … and in all (fewer per theme for large lexicons) */
#define HTML_EVIDENCE_TOTAL 600 /* evidence lines in all (fewer per theme when needed) */
#define HTML_MANIFEST_FILES 100 /* inputs and lexicon files listed with their hashes */
#define HTML_ALPHA 0.05         /* adjusted p below which a contrast is marked */

/* The page's only script: filters the evidence table by theme (with its sub-themes) and
 * speaker. Written without '<' and '&' so the page stays well-formed XML as well. */
static const char page_script[] =
    "(function(){var t=document.getElementById('kwic-theme'),"
    "s=document.getElementById('kwic-speaker'),c=document.getElementById('kwic-count');"
    "if(!t||!s||!c)return;"
    "var rows=document.querySelectorAll('#kwic-lines tbody tr');"
    "function f(){var tv=t.value,sv=s.value,n=0;"
    "rows.forEach(function(r){var th=r.getAttribute('data-theme');"
    "var ok=tv===''||th===tv||th.indexOf(tv+'.')===0;"
    "if(ok)ok=sv===''||r.getAttribute('data-speaker')===sv;"
    "r.hidden=!ok;if(ok)n++;});"
    "c.textContent=n+' of '+rows.length+' lines shown';}"
    "t.addEventListener('change',f);s.addEventListener('change',f);f();})();";

static const char page_style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "color:#1a1a1a;margin:0;background:#fff}\n"
    "header,main,footer{max-width:1240px;margin:0 auto;padding:0 20px}\n"
    "h1{font-size:1.7em;margin:.8em 0 .2em}\n"
    "h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}\n"
    "h3{margin:1.6em 0 .4em}\n"
    "nav a{margin-right:1.1em}\n"
    "svg.chart{max-width:100%;height:auto;display:block;margin:.4em 0}\n"
    ".chart text{font:12px 'DejaVu Sans',Verdana,sans-serif;fill:#1a1a1a}\n"
    ".chart .ct{font-size:14px;font-weight:bold}\n"
    ".chart .al{font-style:italic}\n"
    ".chart .tk{font-size:11px;fill:#444}\n"
    ".chart .cv{font-size:10px}\n"
    ".chart .cw{fill:#fff}\n"
    ".chart .cl{font-size:11px}\n"
    ".chart .nt,.chart .lg{font-size:11px}\n"
    ".chart .grid{stroke:#e3e3e3;stroke-width:1}\n"
    ".chart .axis{stroke:#333;stroke-width:1}\n"
    ".chart .zero{stroke:#333;stroke-dasharray:4 3}\n"
    ".chart .sep{stroke:#fff;stroke-width:2}\n"
    ".fig{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}\n"
    ".fig>.tablewrap{flex:1 1 520px}\n"
    ".tablewrap{max-height:30em;overflow:auto;border:1px solid #ddd;margin:.4em 0}\n"
    ".tablewrap.long{max-height:44em}\n"
    ".tablewrap.full{max-height:none}\n"
    "td.entries{min-width:28em}\n"
    "td.entries code{white-space:normal;overflow-wrap:anywhere}\n"
    "td.w{white-space:nowrap}\n"
    "table{border-collapse:collapse;font-size:13px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3;position:sticky;top:0}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "mark{background:#ffe08a;padding:0 2px}\n"
    ".kwic td.l{text-align:right;color:#444}\n"
    ".kwic td.r{color:#444}\n"
    ".swatch{display:inline-block;width:1em;height:1em;border:1px solid #999;"
    "vertical-align:middle}\n"
    ".note{color:#555}\n"
    ".warn{color:#a33}\n"
    "details{margin:.6em 0}\n"
    "summary{cursor:pointer;font-weight:600}\n"
    "code{font-size:12px;background:#f5f5f5;padding:0 3px}\n"
    "form.filters label{margin-right:1.5em}\n";

/* ---- small writers ---- */

static void h(FILE *fp, const char *s)
{
    lf_html_escape(fp, s);
}

/* "1,650": an integer with thousands separators, locale-independent. */
static void put_count(FILE *fp, uint64_t v)
{
    char buf[32];
    fputs(lf_fmt_u64(buf, v), fp);
}

/* Text with its first ASCII letter upper-cased ("speaker" → "Speaker"), escaped. */
static void put_capitalized(FILE *fp, const char *s)
{
    if (s && *s >= 'a' && *s <= 'z') {
        putc(*s - 'a' + 'A', fp);
        s++;
    }
    h(fp, s);
}

static void put_fig(FILE *fp, double x, int decimals)
{
    char buf[64];
    lf_fmt_fig(buf, sizeof buf, x, decimals);
    fputs(buf, fp);
}

static void td_u64(FILE *fp, uint64_t v)
{
    fprintf(fp, "<td class=\"n\">%" PRIu64 "</td>", v);
}

static void td_fig(FILE *fp, double x, int decimals)
{
    fputs("<td class=\"n\">", fp);
    put_fig(fp, x, decimals);
    fputs("</td>", fp);
}

/* A ratio: two decimals, more below 0.1 so a small ratio never shows as 0. */
static void put_ratio(FILE *fp, double x)
{
    put_fig(fp, x, fabs(x) < 0.01 ? 4 : fabs(x) < 0.1 ? 3 : 2);
}

/* Decimals that keep two significant digits of a small rate (0.0123, 0.123, 1.23, 12.3). */
static int rate_decimals(double x)
{
    double a = fabs(x);
    return a >= 10.0 ? 1 : a >= 1.0 ? 2 : a >= 0.1 ? 3 : 4;
}

static void put_rate(FILE *fp, double x)
{
    put_fig(fp, x, rate_decimals(x));
}

static void td_rate(FILE *fp, double x)
{
    fputs("<td class=\"n\">", fp);
    put_rate(fp, x);
    fputs("</td>", fp);
}

static void td_p(FILE *fp, double p)
{
    char buf[64];
    lf_fmt_p(buf, sizeof buf, p);
    /* a p-value that underflowed to 0 is smaller than any double can show */
    fprintf(fp, "<td class=\"n\">%s</td>", p == 0.0 ? "&lt; 1e-300" : buf);
}

static void td_text(FILE *fp, const char *s)
{
    fputs("<td>", fp);
    h(fp, s);
    fputs("</td>", fp);
}

/* A header row from a '|'-separated list of column names (constants, no escaping). */
static void thead(FILE *fp, const char *cols)
{
    fputs("<thead><tr>", fp);
    for (const char *p = cols; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        fprintf(fp, "<th>%.*s</th>", (int)n, p);
        p += n + (bar ? 1 : 0);
    }
    fputs("</tr></thead>\n", fp);
}

/* A table in a scrolling box; wrap: NULL, "long" or "full" (no height limit). */
static void table_open(FILE *fp, const char *name, const char *wrap, const char *cols)
{
    fprintf(fp, "<div class=\"tablewrap%s%s\"><table data-table=\"%s\">", wrap ? " " : "",
            wrap ? wrap : "", name);
    thead(fp, cols);
    fputs("<tbody>\n", fp);
}

static void table_close(FILE *fp)
{
    fputs("</tbody></table></div>\n", fp);
}

/* ---- the page's data ---- */

typedef struct page {
    FILE *fp;
    const lf_tables *t;
    const lf_lexicon *lex;
    const lf_options *opt;
    const lf_report_info *info;
    const lf_html_evidence *ev;
    lf_freq_row *freq;
    size_t n_freq;
    lf_entry_row *entries;
    size_t n_entries;
    const lf_freq_row **corpus; /* theme → its corpus row (NULL when not reported) */
    uint32_t *ranked;           /* reported themes with matches, most matches first */
    size_t n_ranked;
    char **label;               /* theme → display label */
} page;

static const char *theme_label(const lf_theme *th)
{
    return th->label && *th->label ? th->label : th->id;
}

static void page_init(page *pg)
{
    const lf_lexicon *lex = pg->lex;
    pg->n_freq = lf_tables_freq_rows(pg->t, false, &pg->freq); /* the page shows no document rows */
    pg->n_entries = lf_tables_entries(pg->t, &pg->entries);
    pg->corpus = lf_xcalloc(lex->n_themes ? lex->n_themes : 1, sizeof *pg->corpus);
    pg->ranked = lf_xcalloc(lex->n_themes ? lex->n_themes : 1, sizeof *pg->ranked);
    const lf_freq_row **rk = lf_xcalloc(lex->n_themes ? lex->n_themes : 1, sizeof *rk);
    for (size_t i = 0; i < pg->n_freq && pg->freq[i].dim == 0; i++)
        pg->corpus[pg->freq[i].theme] = &pg->freq[i];
    pg->n_ranked = lf_theme_rank(pg->freq, pg->n_freq, rk);
    for (size_t i = 0; i < pg->n_ranked; i++)
        pg->ranked[i] = rk[i]->theme;
    free((void *)rk);
    /* A label shared by two themes on the page (a family and its child, say) is followed
       by the theme id, so no chart shows two rows that look alike. */
    pg->label = lf_xcalloc(lex->n_themes ? lex->n_themes : 1, sizeof *pg->label);
    for (size_t i = 0; i < lex->n_themes; i++) {
        const char *l = theme_label(&lex->themes[i]);
        bool shared = false;
        for (size_t k = 0; k < pg->n_ranked && !shared; k++)
            shared = pg->ranked[k] != i && strcmp(theme_label(&lex->themes[pg->ranked[k]]), l) == 0;
        lf_buf b = {0};
        if (shared)
            lf_buf_printf(&b, "%s (%s)", l, lex->themes[i].id);
        else
            lf_buf_puts(&b, l);
        pg->label[i] = (char *)lf_buf_cstr(&b);
    }
}

static void page_free(page *pg)
{
    for (size_t i = 0; pg->label && i < pg->lex->n_themes; i++)
        free(pg->label[i]);
    free(pg->label);
    free(pg->ranked);
    free((void *)pg->corpus);
    free(pg->entries);
    free(pg->freq);
}

/* ---- head and header ---- */

/* script-src 'sha256-…' of the page script: nothing else can run, even if an escape were
 * ever missed. */
static void script_hash(char out[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, sizeof page_script - 1, (const uint8_t *)page_script);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    base64_encode_raw(out, SHA256_DIGEST_SIZE, digest);
    out[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE)] = '\0';
}

static void section_head(page *pg)
{
    FILE *fp = pg->fp;
    char hash[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
    script_hash(hash);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n",
          fp);
    fprintf(fp,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'sha256-%s'; base-uri 'none'; "
            "form-action 'none'\"/>\n",
            hash);
    fputs("<meta name=\"generator\" content=\"lexframe ", fp);
    h(fp, lf_version());
    fprintf(fp, "\"/>\n<title>lexframe report</title>\n<style>\n%s</style>\n</head>\n<body>\n",
            page_style);
}

static void section_header(page *pg)
{
    FILE *fp = pg->fp;
    const lf_corpus_stats *s = lf_tables_stats(pg->t);
    fputs("<header>\n<h1>lexframe report</h1>\n<p id=\"corpus-summary\">", fp);
    put_count(fp, s->docs);
    fputs(s->docs == 1 ? " document, " : " documents, ", fp);
    put_count(fp, s->turns);
    fputs(" turns by ", fp);
    put_count(fp, lf_tables_speaker_count(pg->t));
    fputs(" speakers, ", fp);
    put_count(fp, s->words);
    fputs(" words in ", fp);
    put_count(fp, s->sentences);
    fputs(" sentences; ", fp);
    put_count(fp, s->matches_counted);
    fputs(" counted matches of ", fp);
    put_count(fp, pg->n_ranked);
    fputs(" themes (the lexicon has ", fp);
    put_count(fp, pg->lex->n_themes);
    fputs(" themes and ", fp);
    put_count(fp, pg->lex->n_entries);
    fputs(" entries). Rates are per 1,000 words.", fp);
    if (s->excluded_turns) {
        fputs(" Left out by the speaker filters: ", fp);
        put_count(fp, s->excluded_turns);
        fputs(" turns (", fp);
        put_count(fp, s->excluded_words);
        fputs(" words).", fp);
    }
    fputs("</p>\n", fp);
    if (pg->info && pg->info->n_failed) {
        fputs("<p class=\"warn\">", fp);
        put_count(fp, pg->info->n_failed);
        fputs(pg->info->n_failed == 1 ? " input failed and is" : " inputs failed and are", fp);
        fputs(" not in these figures; see <a href=\"#manifest\">the manifest</a>.</p>\n", fp);
    }
    fputs("<nav><a href=\"#frequencies\">Frequencies</a><a href=\"#groups\">Who uses which "
          "theme</a><a href=\"#comparison\">Framing comparison</a><a href=\"#cooccurrence\">"
          "Co-occurrence</a><a href=\"#trends\">Trends</a><a href=\"#evidence\">Evidence</a>"
          "<a href=\"#lexicon\">Lexicon</a><a href=\"#manifest\">Manifest</a></nav>\n"
          "</header>\n<main>\n",
          fp);
}

/* ---- frequencies ---- */

static void section_frequencies(page *pg)
{
    FILE *fp = pg->fp;
    const lf_lexicon *lex = pg->lex;
    size_t n = pg->n_ranked < HTML_TOP_THEMES ? pg->n_ranked : HTML_TOP_THEMES;
    fputs("<section id=\"frequencies\">\n<h2>Theme frequencies</h2>\n", fp);
    if (n == 0) {
        fputs("<p class=\"note\">No theme matched anywhere in the corpus.</p>\n</section>\n", fp);
        return;
    }
    const char **labels = lf_xcalloc(n, sizeof *labels);
    const char **notes = lf_xcalloc(n, sizeof *notes);
    double *values = lf_xcalloc(n, sizeof *values);
    lf_buf nb = {0};
    size_t *offs = lf_xcalloc(n, sizeof *offs);
    for (size_t i = 0; i < n; i++) {
        const lf_freq_row *r = pg->corpus[pg->ranked[i]];
        labels[i] = pg->label[r->theme];
        values[i] = (double)r->c.matches;
        char rate[64];
        double rv = lf_rate_per_1000(r->c.matches, r->t.words);
        lf_fmt_fig(rate, sizeof rate, rv, rate_decimals(rv));
        offs[i] = nb.len;
        lf_buf_printf(&nb, "%" PRIu64 " (%s per 1,000 words)", r->c.matches, rate);
        lf_buf_putc(&nb, '\0');
    }
    for (size_t i = 0; i < n; i++)
        notes[i] = nb.data + offs[i];
    lf_bar_chart c = {
        .text = {"chart-frequencies", "Counted matches per theme, whole corpus",
                 "Counted matches", "Theme"},
        .legend = "counted matches (after each bar: the rate per 1,000 words)",
        .labels = labels,
        .values = values,
        .notes = notes,
        .n = n,
    };
    fputs("<div class=\"fig\">\n", fp);
    lf_svg_bars(fp, &c);
    fputs("\n", fp);
    table_open(fp, "frequencies", NULL,
               "Theme|Id|Matches|Negated|Per 1,000 words|Turns with it|Sentences with it|"
               "Top entries");
    for (size_t i = 0; i < n; i++) {
        const lf_freq_row *r = pg->corpus[pg->ranked[i]];
        fputs("<tr>", fp);
        td_text(fp, labels[i]);
        fputs("<td><code>", fp);
        h(fp, lex->themes[r->theme].id);
        fputs("</code></td>", fp);
        td_u64(fp, r->c.matches);
        td_u64(fp, r->c.negated);
        td_rate(fp, lf_rate_per_1000(r->c.matches, r->t.words));
        td_u64(fp, r->c.turns_with);
        td_u64(fp, r->c.sents_with);
        fputs("<td>", fp);
        size_t shown = 0;
        for (size_t k = 0; k < pg->n_entries && shown < HTML_TOP_ENTRIES; k++) {
            if (pg->entries[k].theme != r->theme)
                continue;
            const lf_entry *e = &lex->entries[pg->entries[k].entry];
            fputs(shown++ ? ", <code>" : "<code>", fp);
            h(fp, e->source ? e->source : "");
            fprintf(fp, "</code> (%" PRIu64 ")", pg->entries[k].matches);
        }
        fputs("</td></tr>\n", fp);
    }
    table_close(fp);
    fputs("</div>\n", fp);
    if (pg->n_ranked > n) {
        fputs("<p class=\"note\">", fp);
        put_count(fp, pg->n_ranked - n);
        fprintf(fp, " more themes with matches are not drawn (the %d most frequent are); "
                    "frequencies.csv has them all.</p>\n",
                HTML_TOP_THEMES);
    }
    size_t silent = 0;
    bool *own = lf_themes_with_entries(lex);
    for (size_t i = 0; i < lex->n_themes; i++) {
        if (!pg->corpus[i] || pg->corpus[i]->c.matches > 0 || lex->themes[i].implicit ||
            !own[i])
            continue; /* a family theme only groups others */
        fputs(silent++ ? ", " : "<p class=\"note\">No matches for: ", fp);
        h(fp, pg->label[i]);
    }
    free(own);
    if (silent)
        fputs(".</p>\n", fp);
    fputs("</section>\n", fp);
    free(offs);
    lf_buf_free(&nb);
    free(values);
    free((void *)notes);
    free((void *)labels);
}

/* ---- groups × themes ---- */

typedef struct group_ix {
    const char *name;
    uint64_t words;
    size_t first; /* index of its first freq row */
} group_ix;

static int group_words_cmp(const void *pa, const void *pb)
{
    const group_ix *a = pa, *b = pb;
    if (a->words != b->words)
        return a->words > b->words ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The groups of grouping `dim` (from the sorted freq rows), largest first, those under
 * min_words left out; *total gets the number of groups before cutting to `max`. */
static size_t groups_of(const page *pg, uint32_t dim, size_t max, group_ix **out, size_t *total)
{
    LF_VEC(group_ix) g = {0};
    for (size_t i = 0; i < pg->n_freq; i++) {
        const lf_freq_row *r = &pg->freq[i];
        if (r->dim != dim || (g.n && strcmp(g.v[g.n - 1].name, r->group) == 0))
            continue;
        if (pg->opt->min_words && r->t.words < pg->opt->min_words)
            continue;
        LF_VEC_PUSH(g, ((group_ix){r->group, r->t.words, i}));
    }
    if (g.n)
        qsort(g.v, g.n, sizeof *g.v, group_words_cmp);
    *total = g.n;
    *out = g.v;
    return g.n < max ? g.n : max;
}

/* Frees a heatmap's n cell texts and their array. */
static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free((void *)cells);
}

/* A cell "rate (matches)" of a group and theme, with the rate already computed; a dash
 * when the group has no words (r NULL or empty). */
static void td_rate_matches(FILE *fp, const lf_freq_row *r, double rate)
{
    fputs("<td class=\"n\">", fp);
    if (r && r->t.words) {
        put_rate(fp, rate);
        fprintf(fp, " (%" PRIu64 ")", r->c.matches);
    } else {
        fputs("\xE2\x80\x94", fp);
    }
    fputs("</td>", fp);
}

/* The freq row of (group starting at row `first`, theme), or NULL. */
static const lf_freq_row *group_theme(const page *pg, size_t first, uint32_t theme)
{
    const lf_freq_row *g = &pg->freq[first];
    for (size_t i = first; i < pg->n_freq && pg->freq[i].dim == g->dim &&
                           strcmp(pg->freq[i].group, g->group) == 0;
         i++)
        if (pg->freq[i].theme == theme)
            return &pg->freq[i];
    return NULL;
}

/* The heatmaps are drawn for speakers, parties and roles only (section_groups). */
static const char *kind_plural(lf_group_kind k)
{
    return k == LF_GROUP_SPEAKER ? "speakers" : k == LF_GROUP_PARTY ? "parties" : "roles";
}

static void group_heatmap(page *pg, uint32_t dim)
{
    FILE *fp = pg->fp;
    const lf_grouping *gr = lf_tables_dim(pg->t, dim);
    lf_group_kind kind = gr ? gr->kind : LF_GROUP_CORPUS;
    const char *dname = lf_tables_dim_name(pg->t, dim);
    group_ix *groups;
    size_t total, ng = groups_of(pg, dim, HTML_TOP_GROUPS, &groups, &total);
    size_t nt = pg->n_ranked < HTML_MATRIX_THEMES ? pg->n_ranked : HTML_MATRIX_THEMES;
    fputs("<h3>", fp);
    put_capitalized(fp, dname);
    fputs(" \xC3\x97 theme</h3>\n", fp);
    if (ng == 0 || nt == 0) {
        fputs("<p class=\"note\">Nothing to show: no group or no theme with matches.</p>\n", fp);
        free(groups);
        return;
    }
    const char **rows = lf_xcalloc(ng, sizeof *rows);
    const char **cols = lf_xcalloc(nt, sizeof *cols);
    double *values = lf_xcalloc(ng * nt, sizeof *values);
    char **cells = lf_xcalloc(ng * nt, sizeof *cells);
    for (size_t j = 0; j < nt; j++)
        cols[j] = pg->label[pg->ranked[j]];
    for (size_t i = 0; i < ng; i++) {
        rows[i] = groups[i].name;
        for (size_t j = 0; j < nt; j++) {
            const lf_freq_row *r = group_theme(pg, groups[i].first, pg->ranked[j]);
            double v = r && r->t.words ? lf_rate_per_1000(r->c.matches, r->t.words) : NAN;
            values[i * nt + j] = v;
            char buf[64] = "";
            if (r && r->c.matches) /* two significant digits fit a cell: 36, 4.8, 0.12 */
                lf_fmt_fig(buf, sizeof buf, v, v >= 10.0 ? 0 : rate_decimals(v) - 1);
            cells[i * nt + j] = lf_xstrdup(buf);
        }
    }
    lf_buf title = {0}, id = {0};
    lf_buf_printf(&title, "Rate per 1,000 words by %s and theme", dname);
    lf_buf_printf(&id, "chart-groups-%u", dim);
    lf_heatmap hm = {
        .text = {id.data, title.data, "Theme", dname},
        .legend = "rate per 1,000 words (cell text; empty: no match)",
        .rows = rows,
        .n_rows = ng,
        .cols = cols,
        .n_cols = nt,
        .values = values,
        .cells = (const char *const *)cells,
        .scale = LF_SCALE_SEQUENTIAL,
    };
    fputs("<div class=\"fig\" data-grouping=\"", fp);
    h(fp, dname);
    fputs("\">\n", fp);
    lf_svg_heatmap(fp, &hm);
    fputs("\n", fp);
    /* the numbers: rate (matches) per group and theme */
    fprintf(fp, "<div class=\"tablewrap\"><table data-table=\"groups-%u\"><thead><tr><th>", dim);
    put_capitalized(fp, dname);
    fputs("</th><th>Words</th>", fp);
    for (size_t j = 0; j < nt; j++) {
        fputs("<th>", fp);
        h(fp, cols[j]);
        fputs("</th>", fp);
    }
    fputs("</tr></thead><tbody>\n", fp);
    for (size_t i = 0; i < ng; i++) {
        fputs("<tr>", fp);
        td_text(fp, rows[i]);
        td_u64(fp, groups[i].words);
        for (size_t j = 0; j < nt; j++) {
            td_rate_matches(fp, group_theme(pg, groups[i].first, pg->ranked[j]),
                            values[i * nt + j]);
        }
        fputs("</tr>\n", fp);
    }
    table_close(fp);
    fputs("</div>\n<p class=\"note\">", fp);
    if (total > ng) {
        fprintf(fp, "The %zu %s with the most words of ", ng, kind_plural(kind));
        put_count(fp, total);
        fputs("; the", fp);
    } else {
        fputs("The", fp);
    }
    fprintf(fp, " %zu most frequent themes. Table cells: rate (matches); "
                "\xE2\x80\x94 for a group without words.</p>\n",
            nt);
    lf_buf_free(&title);
    lf_buf_free(&id);
    free_cells(cells, ng * nt);
    free(values);
    free((void *)cols);
    free((void *)rows);
    free(groups);
}

static void section_groups(page *pg)
{
    FILE *fp = pg->fp;
    fputs("<section id=\"groups\">\n<h2>Who uses which theme</h2>\n"
          "<p>Each cell is a group's rate of a theme per 1,000 of its words: darker is more "
          "frequent. Groups are compared on rates, so a long-winded speaker does not "
          "dominate by volume.</p>\n",
          fp);
    static const lf_group_kind kinds[] = {LF_GROUP_SPEAKER, LF_GROUP_PARTY, LF_GROUP_ROLE};
    bool any = false;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int dim = lf_tables_find_dim(pg->t, kinds[k]);
        if (dim < 0)
            continue;
        group_heatmap(pg, (uint32_t)dim);
        any = true;
    }
    if (!any)
        fputs("<p class=\"note\">The report was not grouped by speaker, party or role "
              "(see --by).</p>\n",
              fp);
    fputs("</section>\n", fp);
}

/* ---- framing comparison ---- */

typedef struct target_ix {
    const char *name;
    uint64_t words;
    size_t first, end; /* its rows [first, end) */
} target_ix;

static int target_words_cmp(const void *pa, const void *pb)
{
    const target_ix *a = pa, *b = pb;
    if (a->words != b->words)
        return a->words > b->words ? -1 : 1;
    return strcmp(a->name, b->name);
}

static bool row_drawn(const lf_compare_row *r)
{
    return r->s.tested && isfinite(r->s.log2_ratio) && isfinite(r->s.log2_ci_low) &&
           isfinite(r->s.log2_ci_high);
}

static int mark_of(const lf_compare_row *r)
{
    if (!r->s.tested || !(r->p_adjusted < HTML_ALPHA))
        return 0;
    return r->s.g2 > 0 ? 1 : r->s.g2 < 0 ? -1 : 0;
}

/* Names the themes of one target marked above (sign 1) or below (−1) the reference. */
static size_t list_marked(page *pg, const lf_compare_row *rows, const target_ix *tg, int sign)
{
    size_t k = 0;
    for (size_t i = tg->first; i < tg->end; i++) {
        if (mark_of(&rows[i]) != sign)
            continue;
        if (k++ == 5) {
            fputs(", \xE2\x80\xA6", pg->fp);
            break;
        }
        fputs(k > 1 ? ", " : "", pg->fp);
        h(pg->fp, pg->label[rows[i].theme]);
    }
    return k;
}

static void forest_target(page *pg, const lf_compare_row *rows, const target_ix *tg,
                          uint32_t dim, size_t index)
{
    FILE *fp = pg->fp;
    const char *ref = rows[tg->first].reference;
    bool rest = strcmp(ref, LF_REFERENCE_REST) == 0;
    fprintf(fp, "<details%s data-target=\"", index < HTML_OPEN_TARGETS ? " open=\"open\"" : "");
    h(fp, tg->name);
    fputs("\"><summary>", fp);
    h(fp, tg->name);
    fputs(" (", fp);
    put_count(fp, tg->words);
    fputs(" words) \xE2\x80\x94 ", fp);
    size_t nhi = 0, nlo = 0;
    for (size_t i = tg->first; i < tg->end; i++) {
        nhi += mark_of(&rows[i]) > 0;
        nlo += mark_of(&rows[i]) < 0;
    }
    if (nhi) {
        fputs("more: ", fp);
        list_marked(pg, rows, tg, 1);
    }
    if (nlo) {
        fputs(nhi ? "; less: " : "less: ", fp);
        list_marked(pg, rows, tg, -1);
    }
    if (!nhi && !nlo)
        fputs("no theme differs significantly", fp);
    fputs("</summary>\n", fp);

    /* The drawn rows: tested with a finite interval; the strongest |G²| when too many. */
    size_t n_drawn = 0;
    for (size_t i = tg->first; i < tg->end; i++)
        n_drawn += row_drawn(&rows[i]);
    double cut = -1.0;
    if (n_drawn > HTML_FOREST_ROWS) {
        double *g = lf_xcalloc(n_drawn, sizeof *g);
        size_t k = 0;
        for (size_t i = tg->first; i < tg->end; i++)
            if (row_drawn(&rows[i]))
                g[k++] = fabs(rows[i].s.g2);
        qsort(g, k, sizeof *g, lf_cmp_double_desc);
        cut = g[HTML_FOREST_ROWS - 1];
        free(g);
    }
    size_t cap = tg->end - tg->first;
    const char **labels = lf_xcalloc(cap ? cap : 1, sizeof *labels);
    double *est = lf_xcalloc(cap ? cap : 1, sizeof *est);
    double *lo = lf_xcalloc(cap ? cap : 1, sizeof *lo);
    double *hi = lf_xcalloc(cap ? cap : 1, sizeof *hi);
    int *mark = lf_xcalloc(cap ? cap : 1, sizeof *mark);
    size_t n = 0;
    for (size_t i = tg->first; i < tg->end && n < HTML_FOREST_ROWS; i++) {
        const lf_compare_row *r = &rows[i];
        if (!row_drawn(r) || fabs(r->s.g2) < cut)
            continue;
        labels[n] = pg->label[r->theme];
        est[n] = r->s.log2_ratio;
        lo[n] = r->s.log2_ci_low;
        hi[n] = r->s.log2_ci_high;
        mark[n] = mark_of(r);
        n++;
    }
    lf_buf title = {0}, id = {0};
    lf_buf_printf(&title, "%s vs %s: log2 rate ratio per theme", tg->name,
                  rest ? "the rest of the corpus" : ref);
    lf_buf_printf(&id, "chart-forest-%u-%zu", dim, index);
    char adj[96];
    snprintf(adj, sizeof adj, "%s-adjusted p < %g", lf_adjust_label(pg->opt->adjust), HTML_ALPHA);
    lf_buf la = {0}, lb = {0};
    lf_buf_printf(&la, "more often (%s)", adj);
    lf_buf_printf(&lb, "less often (%s)", adj);
    lf_forest f = {
        .text = {id.data, title.data,
                 "log2 rate ratio with 95% CI (0: same rate; 1: twice as often; \xE2\x88\x92" "1: half)",
                 "Theme"},
        .legend_above = la.data,
        .legend_below = lb.data,
        .legend_ns = "not significant",
        .labels = labels,
        .est = est,
        .lo = lo,
        .hi = hi,
        .mark = mark,
        .n = n,
    };
    fputs("<div class=\"fig\">\n", fp);
    if (n)
        lf_svg_forest(fp, &f);
    else
        fputs("<p class=\"note\">No theme can be compared for this group (no words, or no "
              "match on either side).</p>\n",
              fp);
    fputs("\n", fp);
    fprintf(fp, "<div class=\"tablewrap\"><table data-table=\"comparison-%u-%zu\">", dim, index);
    thead(fp, "Theme|Matches|Per 1,000|Reference matches|Reference per 1,000|Rate ratio|"
              "95% CI|G\xC2\xB2|p|Adjusted p");
    fputs("<tbody>\n", fp);
    for (size_t i = tg->first; i < tg->end; i++) {
        const lf_compare_row *r = &rows[i];
        if (!r->s.tested)
            continue;
        fputs("<tr>", fp);
        td_text(fp, pg->label[r->theme]);
        td_u64(fp, r->matches_target);
        td_rate(fp, r->s.rate_target);
        td_u64(fp, r->matches_reference);
        td_rate(fp, r->s.rate_reference);
        fputs("<td class=\"n\">", fp);
        put_ratio(fp, r->s.rate_ratio);
        fputs("</td><td class=\"n\">", fp);
        put_ratio(fp, r->s.ci_low);
        fputs("\xE2\x80\x93", fp);
        put_ratio(fp, r->s.ci_high);
        fputs(r->s.corrected ? "*" : "", fp);
        fputs("</td>", fp);
        td_fig(fp, r->s.g2, 2);
        td_p(fp, r->s.p);
        td_p(fp, r->p_adjusted);
        fputs("</tr>\n", fp);
    }
    table_close(fp);
    fputs("</div>\n</details>\n", fp);
    lf_buf_free(&la);
    lf_buf_free(&lb);
    lf_buf_free(&title);
    lf_buf_free(&id);
    free(mark);
    free(hi);
    free(lo);
    free(est);
    free((void *)labels);
}

static int section_comparison(page *pg, lf_error *err)
{
    FILE *fp = pg->fp;
    lf_compare_row *own = NULL;
    const lf_compare_row *rows = pg->info ? pg->info->compare : NULL;
    size_t n = pg->info ? pg->info->n_compare : 0;
    if (!rows) {
        if (lf_compare_rows(pg->t, pg->opt, &own, &n, err) != LF_OK)
            return -2;
        rows = own;
    }
    fputs("<section id=\"comparison\">\n<h2>Framing comparison</h2>\n", fp);
    fprintf(fp,
            "<p>Each group against the rest of the corpus, theme by theme: the rate ratio "
            "(the group's rate per 1,000 words over the rest's) on a log2 scale with its 95%% "
            "confidence interval, and the log-likelihood G\xC2\xB2 with its p-value, adjusted "
            "for the number of themes compared (%s). Filled markers are differences with an "
            "adjusted p below %g; * marks an interval computed with 0.5 added to every cell "
            "because one was zero. Formulas: docs/statistics.md; every row: comparison.csv."
            "</p>\n",
            lf_adjust_label(pg->opt->adjust), HTML_ALPHA);
    if (n == 0)
        fputs("<p class=\"note\">No grouping to compare (see --by).</p>\n", fp);
    size_t i = 0;
    while (i < n) {
        uint32_t dim = rows[i].dim;
        size_t end = i;
        while (end < n && rows[end].dim == dim)
            end++;
        LF_VEC(target_ix) tg = {0};
        for (size_t k = i; k < end;) {
            size_t e = k;
            while (e < end && strcmp(rows[e].group, rows[k].group) == 0)
                e++;
            LF_VEC_PUSH(tg, ((target_ix){rows[k].group, rows[k].words_target, k, e}));
            k = e;
        }
        if (tg.n)
            qsort(tg.v, tg.n, sizeof *tg.v, target_words_cmp);
        const char *dname = lf_tables_dim_name(pg->t, dim);
        fputs("<h3>By ", fp);
        h(fp, dname);
        fputs("</h3>\n", fp);
        size_t shown = tg.n < HTML_FOREST_TARGETS ? tg.n : HTML_FOREST_TARGETS;
        if (tg.n > shown) {
            fprintf(fp, "<p class=\"note\">The %zu groups with the most words of ", shown);
            put_count(fp, tg.n);
            fputs("; comparison.csv has every group.</p>\n", fp);
        }
        for (size_t k = 0; k < shown; k++)
            forest_target(pg, rows, &tg.v[k], dim, k);
        LF_VEC_FREE(tg);
        i = end;
    }
    lf_group_ref *dropped;
    size_t nd = lf_dropped_groups(pg->t, pg->opt->min_words, &dropped);
    if (nd) {
        fprintf(fp, "<p class=\"note\">Left out (fewer than %" PRIu64 " words): ",
                pg->opt->min_words);
        for (size_t k = 0; k < nd && k < 50; k++) {
            fputs(k ? ", " : "", fp);
            h(fp, lf_tables_dim_name(pg->t, dropped[k].dim));
            fputs(" ", fp);
            h(fp, dropped[k].group);
        }
        fputs(nd > 50 ? ", \xE2\x80\xA6</p>\n" : ".</p>\n", fp);
    }
    free(dropped);
    fputs("</section>\n", fp);
    free(own);
    return 0;
}

/* ---- co-occurrence ---- */

static const char *scope_units(lf_scope s)
{
    switch (s) {
    case LF_SCOPE_SENTENCE:
        return "sentences";
    case LF_SCOPE_TURN:
        return "turns";
    case LF_SCOPE_WINDOW:
        return "windows of consecutive words";
    case LF_SCOPE_ADJACENT:
        return "pairs of adjacent turns by different speakers";
    case LF_SCOPE_DOCUMENT:
    case LF_SCOPE_COUNT:
        break;
    }
    return "documents";
}

static void cooc_scope(page *pg, const lf_cooc_row *rows, size_t n, lf_scope scope)
{
    FILE *fp = pg->fp;
    const lf_lexicon *lex = pg->lex;
    bool adj = scope == LF_SCOPE_ADJACENT;
    size_t nt = pg->n_ranked < HTML_MATRIX_THEMES ? pg->n_ranked : HTML_MATRIX_THEMES;
    int32_t *col_of = lf_xcalloc(lex->n_themes ? lex->n_themes : 1, sizeof *col_of);
    for (size_t i = 0; i < lex->n_themes; i++)
        col_of[i] = -1;
    for (size_t j = 0; j < nt; j++)
        col_of[pg->ranked[j]] = (int32_t)j;
    double *values = lf_xcalloc(nt ? nt * nt : 1, sizeof *values);
    char **cells = lf_xcalloc(nt ? nt * nt : 1, sizeof *cells);
    for (size_t i = 0; i < nt * nt; i++)
        values[i] = NAN;
    lf_ranked_pair *pairs = lf_xcalloc(n ? n : 1, sizeof *pairs);
    size_t np = lf_cooc_rank(rows, n, scope, pg->opt->min_count, pairs);
    uint64_t units = 0;
    for (size_t i = 0; i < n; i++) {
        const lf_cooc_row *r = &rows[i];
        if (r->dim != 0 || r->scope != scope)
            continue;
        units = r->units;
        if (r->joint < pg->opt->min_count)
            continue;
        double npmi = lf_cooc_npmi(r->joint, r->count_a, r->count_b, r->units);
        int32_t a = col_of[r->a], b = col_of[r->b];
        if (a < 0 || b < 0)
            continue;
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRIu64, r->joint);
        values[(size_t)a * nt + (size_t)b] = npmi;
        cells[(size_t)a * nt + (size_t)b] = lf_xstrdup(buf);
        if (!adj && a != b) {
            values[(size_t)b * nt + (size_t)a] = npmi;
            cells[(size_t)b * nt + (size_t)a] = lf_xstrdup(buf);
        }
    }
    for (size_t i = 0; i < nt * nt; i++)
        if (!cells[i])
            cells[i] = lf_xstrdup("");
    const char *sname = lf_scope_name(scope);
    fputs("<h3>Within ", fp);
    fputs(scope_units(scope), fp);
    fputs("</h3>\n<p>", fp);
    if (units) {
        fputs("Units: ", fp);
        put_count(fp, units);
        fprintf(fp, " %s", scope_units(scope));
        if (scope == LF_SCOPE_WINDOW)
            fprintf(fp, " (%zu words each)", lf_tables_window(pg->t));
        fputs(". ", fp);
    }
    if (adj)
        fputs("Rows: the theme in a turn; columns: the theme in the next turn, by another "
              "speaker (how one side's frame is answered). ",
              fp);
    fprintf(fp, "Pairs need at least %" PRIu64 " units with both themes.</p>\n",
            pg->opt->min_count);
    if (np == 0 || nt == 0) {
        fprintf(fp, "<p class=\"note\" data-scope=\"%s\">No two themes share enough %s.</p>\n",
                sname, scope_units(scope));
    } else {
        const char **labels = lf_xcalloc(nt, sizeof *labels);
        for (size_t j = 0; j < nt; j++)
            labels[j] = pg->label[pg->ranked[j]];
        lf_buf title = {0}, id = {0};
        lf_buf_printf(&title, "Themes together within %s (NPMI)", scope_units(scope));
        lf_buf_printf(&id, "chart-cooc-%s", sname);
        lf_heatmap hm = {
            .text = {id.data, title.data, adj ? "Theme in the reply" : "Theme",
                     adj ? "Theme in the first turn" : "Theme"},
            .legend = "NPMI: \xE2\x88\x92" "1 never together, 0 independent, 1 always; "
                      "cell text: units with both",
            .rows = labels,
            .n_rows = nt,
            .cols = labels,
            .n_cols = nt,
            .values = values,
            .cells = (const char *const *)cells,
            .scale = LF_SCALE_DIVERGING,
            .max = 1.0,
        };
        fprintf(fp, "<div class=\"fig\" data-scope=\"%s\">\n", sname);
        lf_svg_heatmap(fp, &hm);
        fputs("\n", fp);
        fprintf(fp, "<div class=\"tablewrap\"><table data-table=\"cooccurrence-%s\">", sname);
        thead(fp, adj ? "First turn|Reply|Both|First|Reply|Units|Expected|Jaccard|NPMI|G\xC2\xB2|p"
                      : "Theme A|Theme B|Both|A|B|Units|Expected|Jaccard|NPMI|G\xC2\xB2|p");
        fputs("<tbody>\n", fp);
        for (size_t i = 0; i < np && i < HTML_TOP_PAIRS; i++) {
            const lf_cooc_row *r = pairs[i].row;
            double g2 = lf_cooc_g2(r->joint, r->count_a, r->count_b, r->units);
            fputs("<tr>", fp);
            td_text(fp, pg->label[r->a]);
            td_text(fp, pg->label[r->b]);
            td_u64(fp, r->joint);
            td_u64(fp, r->count_a);
            td_u64(fp, r->count_b);
            td_u64(fp, r->units);
            td_fig(fp, lf_cooc_expected(r->count_a, r->count_b, r->units), 2);
            td_fig(fp, lf_cooc_jaccard(r->joint, r->count_a, r->count_b), 3);
            td_fig(fp, pairs[i].npmi, 3);
            td_fig(fp, g2, 2);
            td_p(fp, lf_chisq1_sf(fabs(g2)));
            fputs("</tr>\n", fp);
        }
        table_close(fp);
        fputs("</div>\n", fp);
        if (np > HTML_TOP_PAIRS) {
            fprintf(fp, "<p class=\"note\">The %d pairs with the highest NPMI of ", HTML_TOP_PAIRS);
            put_count(fp, np);
            fputs("; cooccurrence.csv has them all (and, with --by, those of each group).</p>\n",
                  fp);
        }
        lf_buf_free(&title);
        lf_buf_free(&id);
        free((void *)labels);
    }
    free_cells(cells, nt * nt);
    free(values);
    free(pairs);
    free(col_of);
}

static void section_cooccurrence(page *pg)
{
    FILE *fp = pg->fp;
    fputs("<section id=\"cooccurrence\">\n<h2>Themes that travel together</h2>\n"
          "<p>For each scope, how strongly two themes occur in the same unit, as normalized "
          "pointwise mutual information (NPMI): orange when they meet more often than chance "
          "would have them, purple when less. Whole corpus; the most frequent themes.</p>\n",
          fp);
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(pg->t, &rows);
    for (int s = 0; s < LF_SCOPE_COUNT; s++)
        cooc_scope(pg, rows, n, (lf_scope)s);
    free(rows);
    fputs("</section>\n", fp);
}

/* ---- trends ---- */

static void section_trends(page *pg)
{
    FILE *fp = pg->fp;
    fputs("<section id=\"trends\">\n<h2>Trends over time</h2>\n", fp);
    int dim = lf_tables_find_dim(pg->t, LF_GROUP_PERIOD);
    LF_VEC(size_t) periods = {0}; /* first freq row of each dated period, in order */
    uint64_t undated = 0;
    for (size_t i = 0; dim >= 0 && i < pg->n_freq; i++) {
        const lf_freq_row *r = &pg->freq[i];
        if (r->dim != (uint32_t)dim)
            continue;
        if (strcmp(r->group, LF_GROUP_UNDATED) == 0) {
            undated = r->t.docs;
            continue;
        }
        if (periods.n && strcmp(pg->freq[periods.v[periods.n - 1]].group, r->group) == 0)
            continue;
        LF_VEC_PUSH(periods, i);
    }
    size_t ns = pg->n_ranked < HTML_TREND_SERIES ? pg->n_ranked : HTML_TREND_SERIES;
    if (periods.n == 0 || ns == 0) {
        fputs("<p class=\"note\" data-chart=\"trends\">No trend to draw: ", fp);
        fputs(dim < 0 ? "the report is not grouped by period."
                      : periods.n == 0 ? "no document has a date (front matter 'date:')."
                                       : "no theme has matches.",
              fp);
        fputs("</p>\n</section>\n", fp);
        LF_VEC_FREE(periods);
        return;
    }
    size_t skip = periods.n > HTML_TREND_PERIODS ? periods.n - HTML_TREND_PERIODS : 0;
    size_t nx = periods.n - skip;
    const char **x = lf_xcalloc(nx, sizeof *x);
    const char **series = lf_xcalloc(ns, sizeof *series);
    double *values = lf_xcalloc(ns * nx, sizeof *values);
    for (size_t k = 0; k < nx; k++)
        x[k] = pg->freq[periods.v[skip + k]].group;
    for (size_t s = 0; s < ns; s++) {
        series[s] = pg->label[pg->ranked[s]];
        for (size_t k = 0; k < nx; k++) {
            const lf_freq_row *r = group_theme(pg, periods.v[skip + k], pg->ranked[s]);
            values[s * nx + k] =
                r && r->t.words ? lf_rate_per_1000(r->c.matches, r->t.words) : NAN;
        }
    }
    lf_buf title = {0};
    lf_buf_printf(&title, "Rate per 1,000 words by %s, the %zu most frequent themes",
                  lf_period_name(lf_tables_period(pg->t)), ns);
    lf_line_chart lc = {
        .text = {"chart-trends", title.data, "Period", "Rate per 1,000 words"},
        .x = x,
        .n_x = nx,
        .series = series,
        .n_series = ns,
        .values = values,
    };
    fputs("<div class=\"fig\">\n", fp);
    lf_svg_lines(fp, &lc);
    fputs("\n<div class=\"tablewrap\"><table data-table=\"trends\"><thead><tr><th>Period</th>"
          "<th>Documents</th><th>Words</th>",
          fp);
    for (size_t s = 0; s < ns; s++) {
        fputs("<th>", fp);
        h(fp, series[s]);
        fputs("</th>", fp);
    }
    fputs("</tr></thead><tbody>\n", fp);
    for (size_t k = 0; k < nx; k++) {
        const lf_freq_row *p0 = &pg->freq[periods.v[skip + k]];
        fputs("<tr>", fp);
        td_text(fp, p0->group);
        td_u64(fp, p0->t.docs);
        td_u64(fp, p0->t.words);
        for (size_t s = 0; s < ns; s++) {
            td_rate_matches(fp, group_theme(pg, periods.v[skip + k], pg->ranked[s]),
                            values[s * nx + k]);
        }
        fputs("</tr>\n", fp);
    }
    table_close(fp);
    fputs("</div>\n<p class=\"note\">Table cells: rate (matches).", fp);
    if (skip) {
        fprintf(fp, " The latest %zu of ", nx);
        put_count(fp, periods.n);
        fputs(" periods.", fp);
    }
    if (undated) {
        fputs(" ", fp);
        put_count(fp, undated);
        fputs(undated == 1 ? " undated document is" : " undated documents are", fp);
        fputs(" left out of the trend.", fp);
    }
    fputs(" Every period and theme: trends.csv.</p>\n</section>\n", fp);
    lf_buf_free(&title);
    free(values);
    free((void *)series);
    free((void *)x);
    LF_VEC_FREE(periods);
}

/* ---- evidence ---- */

static const char *speaker_of(const lf_match_row *r)
{
    return r->speaker && *r->speaker ? r->speaker : LF_UNATTRIBUTED;
}

static void section_evidence(page *pg)
{
    FILE *fp = pg->fp;
    const lf_lexicon *lex = pg->lex;
    const lf_html_evidence *ev = pg->ev;
    size_t n = ev ? ev->n : 0;
    fputs("<section id=\"evidence\">\n<h2>Evidence</h2>\n", fp);
    if (ev)
        fprintf(fp,
                "<p>Matches in their context, at most %zu per theme: a reproducible random "
                "sample (seed %" PRIu64 ") of each theme's counted matches, in document "
                "order. Every match is in matches.tsv; <code>lexframe kwic</code> lists them "
                "all.</p>\n",
                ev->per_theme, ev->seed);
    if (n == 0) {
        fputs("<p class=\"note\">No counted match to show.</p>\n</section>\n", fp);
        return;
    }
    /* Past HTML_EVIDENCE_TOTAL lines, each theme keeps the same smaller number of its
       sampled lines, spread evenly over its sample (which is in document order). */
    const lf_match_row **keep = lf_xcalloc(n, sizeof *keep);
    size_t n_themes_ev = 0, kept = 0;
    for (size_t k = 0; k < n; k++)
        n_themes_ev += k == 0 || strcmp(ev->rows[k]->theme ? ev->rows[k]->theme : "",
                                        ev->rows[k - 1]->theme ? ev->rows[k - 1]->theme : "") != 0;
    size_t per = n > HTML_EVIDENCE_TOTAL ? HTML_EVIDENCE_TOTAL / n_themes_ev : n;
    if (per == 0)
        per = 1;
    for (size_t k = 0; k < n;) {
        size_t e = k;
        while (e < n && strcmp(ev->rows[e]->theme ? ev->rows[e]->theme : "",
                               ev->rows[k]->theme ? ev->rows[k]->theme : "") == 0)
            e++;
        size_t m = e - k, take = m < per ? m : per;
        for (size_t i = 0; i < take; i++)
            keep[kept++] = ev->rows[k + i * m / take];
        k = e;
    }
    if (kept < n)
        fprintf(fp, "<p class=\"note\">To keep the page small, %zu lines per theme are shown "
                    "(%zu of the %zu sampled), spread evenly over each theme's sample.</p>\n",
                per, kept, n);
    n = kept;
    /* the filters: themes in lexicon order (families too, they select their children),
       speakers in byte order, each with its number of lines */
    fputs("<form class=\"filters\" action=\"#\"><label>Theme <select id=\"kwic-theme\">"
          "<option value=\"\">all themes</option>",
          fp);
    for (size_t i = 0; i < lex->n_themes; i++) {
        const char *id = lex->themes[i].id;
        size_t len = strlen(id), count = 0;
        for (size_t k = 0; k < n; k++) {
            const char *th = keep[k]->theme ? keep[k]->theme : "";
            count += strncmp(th, id, len) == 0 && (th[len] == '\0' || th[len] == '.');
        }
        if (!count)
            continue;
        fputs("<option value=\"", fp);
        h(fp, id);
        fputs("\">", fp);
        for (uint32_t d = 1; d < lex->themes[i].depth; d++)
            fputs("\xC2\xA0\xC2\xA0", fp);
        h(fp, pg->label[i]);
        fprintf(fp, " (%zu)</option>", count);
    }
    fputs("</select></label><label>Speaker <select id=\"kwic-speaker\">"
          "<option value=\"\">all speakers</option>",
          fp);
    const char **sp = lf_xcalloc(n, sizeof *sp);
    for (size_t k = 0; k < n; k++)
        sp[k] = speaker_of(keep[k]);
    qsort((void *)sp, n, sizeof *sp, lf_cmp_str_ptr);
    for (size_t k = 0; k < n;) {
        size_t e = k;
        while (e < n && strcmp(sp[e], sp[k]) == 0)
            e++;
        fputs("<option value=\"", fp);
        h(fp, sp[k]);
        fputs("\">", fp);
        h(fp, sp[k]);
        fprintf(fp, " (%zu)</option>", e - k);
        k = e;
    }
    free((void *)sp);
    fprintf(fp, "</select></label></form>\n<p id=\"kwic-count\" class=\"note\">%zu lines</p>\n",
            n);
    fputs("<div class=\"tablewrap long\"><table id=\"kwic-lines\" data-table=\"evidence\" "
          "class=\"kwic\">",
          fp);
    thead(fp, "Theme|Where|Speaker|Before|Match|After");
    fputs("<tbody>\n", fp);
    for (size_t k = 0; k < n; k++) {
        const lf_match_row *r = keep[k];
        int32_t ti = lf_lexicon_find_theme(lex, r->theme ? r->theme : "");
        fputs("<tr data-theme=\"", fp);
        h(fp, r->theme);
        fputs("\" data-speaker=\"", fp);
        h(fp, speaker_of(r));
        fputs("\">", fp);
        td_text(fp, ti >= 0 ? pg->label[ti] : r->theme);
        fputs("<td class=\"w\">", fp);
        h(fp, r->doc);
        fprintf(fp, ":%zu</td>", r->line);
        td_text(fp, speaker_of(r));
        fputs("<td class=\"l\">", fp);
        h(fp, r->left);
        fputs("</td><td><mark>", fp);
        h(fp, r->text);
        fputs("</mark>", fp);
        if (r->negated) {
            fputs(" <span class=\"note\">(negated", fp);
            if (r->negator) {
                fputs(": ", fp);
                h(fp, r->negator);
            }
            fputs(")</span>", fp);
        }
        fputs("</td><td class=\"r\">", fp);
        h(fp, r->right);
        fputs("</td></tr>\n", fp);
    }
    table_close(fp);
    fputs("</section>\n", fp);
    free((void *)keep);
}

/* ---- lexicon ---- */

static const char *neg_name(lf_neg_policy p)
{
    switch (p) {
    case LF_NEG_SEPARATE:
        return "counted apart";
    case LF_NEG_IGNORE:
        return "ignored";
    case LF_NEG_MOVE:
        return "moved to";
    case LF_NEG_COUNT:
        break;
    }
    return "counted";
}

static void section_lexicon(page *pg)
{
    FILE *fp = pg->fp;
    const lf_lexicon *lex = pg->lex;
    fputs("<section id=\"lexicon\">\n<h2>Lexicon</h2>\n<p>", fp);
    put_count(fp, lex->n_themes);
    fputs(" themes and ", fp);
    put_count(fp, lex->n_entries);
    fputs(" entries from ", fp);
    for (size_t i = 0; i < lex->n_files; i++) {
        fputs(i ? ", <code>" : "<code>", fp);
        h(fp, lex->files[i]);
        fputs("</code>", fp);
    }
    size_t per_theme = HTML_LEXICON_ENTRIES;
    if (lex->n_themes && HTML_LEXICON_TOTAL / lex->n_themes < per_theme)
        per_theme = HTML_LEXICON_TOTAL / lex->n_themes > 5 ? HTML_LEXICON_TOTAL / lex->n_themes : 5;
    fprintf(fp, ". Negated matches: how each theme counts a match with a negator before it. "
                "At most %zu entries are listed per theme; <code>lexframe lexicon convert</code> "
                "writes them all.</p>\n",
            per_theme);
    size_t *n_entries = lf_xcalloc(lex->n_themes ? lex->n_themes : 1, sizeof *n_entries);
    for (size_t k = 0; k < lex->n_entries; k++)
        n_entries[lex->entries[k].theme]++;
    table_open(fp, "lexicon", "full",
               "Colour|Theme|Label|Description|Negated|Matches|Entries");
    for (size_t i = 0; i < lex->n_themes; i++) {
        const lf_theme *th = &lex->themes[i];
        fputs("<tr><td>", fp);
        if (th->colour && strlen(th->colour) == 7 && th->colour[0] == '#' &&
            strspn(th->colour + 1, "0123456789abcdefABCDEF") == 6)
            fprintf(fp, "<span class=\"swatch\" style=\"background:%s\"></span>", th->colour);
        fputs("</td><td><code>", fp);
        h(fp, th->id);
        fputs("</code></td>", fp);
        td_text(fp, theme_label(th));
        td_text(fp, th->description);
        fputs("<td>", fp);
        fputs(neg_name(th->neg), fp);
        if (th->neg == LF_NEG_MOVE && th->neg_target >= 0) {
            fputs(" <code>", fp);
            h(fp, lex->themes[th->neg_target].id);
            fputs("</code>", fp);
        }
        fputs("</td>", fp);
        if (pg->corpus[i])
            td_u64(fp, pg->corpus[i]->c.matches);
        else
            fputs("<td class=\"n\">\xE2\x80\x94</td>", fp);
        fputs("<td class=\"entries\">", fp);
        size_t shown = 0;
        for (size_t k = 0; k < lex->n_entries && shown < per_theme; k++) {
            const lf_entry *e = &lex->entries[k];
            if (e->theme != i)
                continue;
            fputs(shown++ ? " \xC2\xB7 " : "", fp);
            if (e->exclude)
                fputs("not ", fp);
            fputs("<code>", fp);
            h(fp, e->source ? e->source : "");
            fputs("</code>", fp);
        }
        if (n_entries[i] > shown)
            fprintf(fp, " \xE2\x80\xA6 and %zu more", n_entries[i] - shown);
        for (size_t k = 0; k < lex->n_rules; k++) {
            if (lex->rules[k].theme != i)
                continue;
            fputs("<br/>context: <code>", fp);
            h(fp, lex->rules[k].source);
            fputs("</code>", fp);
        }
        fputs("</td></tr>\n", fp);
    }
    table_close(fp);
    free(n_entries);
    if (lex->n_warnings) {
        fputs("<p class=\"note\">", fp);
        put_count(fp, lex->n_warnings);
        fputs(" warnings while reading the lexicon (<code>lexframe lexicon check</code> "
              "lists them).</p>\n",
              fp);
    }
    fputs("</section>\n", fp);
}

/* ---- manifest ---- */

/* Rows path, bytes, SHA-256 for the first HTML_MANIFEST_FILES files (the hash and size
 * from `known` when it gives them: standard input, merged inputs); -1 (err filled) when
 * one cannot be hashed. */
static int file_rows(page *pg, const char *name, const char *const *paths, size_t n,
                     const char *const *known, const uint64_t *known_bytes, lf_error *err)
{
    FILE *fp = pg->fp;
    table_open(fp, name, "full", "File|Bytes|SHA-256");
    for (size_t i = 0; i < n && i < HTML_MANIFEST_FILES; i++) {
        char hex[65];
        uint64_t bytes;
        if (known && known[i]) {
            snprintf(hex, sizeof hex, "%s", known[i]);
            bytes = known_bytes[i];
        } else if (lf_sha256_file(paths[i], hex, &bytes, err) != LF_OK) {
            table_close(fp);
            return -1;
        }
        fputs("<tr>", fp);
        fputs("<td><code>", fp);
        h(fp, paths[i]);
        fputs("</code></td>", fp);
        td_u64(fp, bytes);
        fprintf(fp, "<td><code>%s</code></td></tr>\n", hex);
    }
    table_close(fp);
    if (n > HTML_MANIFEST_FILES) {
        fprintf(fp, "<p class=\"note\">The first %d of ", HTML_MANIFEST_FILES);
        put_count(fp, n);
        fputs(" files; manifest.json lists every one with its hash.</p>\n", fp);
    }
    return 0;
}

static int section_manifest(page *pg, lf_error *err)
{
    FILE *fp = pg->fp;
    const lf_report_info *info = pg->info;
    const lf_corpus_stats *s = lf_tables_stats(pg->t);
    fputs("<section id=\"manifest\">\n<h2>Manifest</h2>\n<dl>\n<dt>Version</dt><dd>lexframe ",
          fp);
    h(fp, info && info->version ? info->version : lf_version());
    fputs("</dd>\n", fp);
    if (info) {
        fputs("<dt>Command</dt><dd><code>", fp);
        h(fp, info->argv_line);
        fputs("</code></dd>\n<dt>Options</dt><dd>", fp);
        for (size_t i = 0; i < info->n_options; i++) {
            fputs(i ? " <code>" : "<code>", fp);
            h(fp, info->options[i]);
            fputs("</code>", fp);
        }
        fputs("</dd>\n", fp);
    }
    fputs("<dt>Counts</dt><dd>", fp);
    fprintf(fp,
            "documents %" PRIu64 ", turns %" PRIu64 ", sentences %" PRIu64 ", words %" PRIu64
            ", counted matches %" PRIu64 ", negated %" PRIu64 ", suppressed %" PRIu64
            ", stage directions, time stamps and gap markers removed %" PRIu64 "</dd>\n</dl>\n",
            s->docs, s->turns, s->sentences, s->words, s->matches_counted, s->negated,
            lf_stats_suppressed(s), s->stripped);
    if (info) {
        fputs("<h3>Inputs</h3>\n", fp);
        if (file_rows(pg, "inputs", info->inputs, info->n_inputs, info->input_sha256,
                      info->input_bytes, err) != 0)
            return -1;
        fputs("<h3>Lexicon files</h3>\n", fp);
        if (file_rows(pg, "lexicon-files", info->lexicon_files, info->n_lexicon_files, NULL,
                      NULL, err) != 0)
            return -1;
        if (info->n_failed) {
            fputs("<h3>Inputs that failed</h3>\n<ul class=\"warn\">\n", fp);
            for (size_t i = 0; i < info->n_failed && i < HTML_MANIFEST_FILES; i++) {
                fputs("<li>", fp);
                h(fp, info->failed[i]);
                fputs("</li>\n", fp);
            }
            fputs("</ul>\n", fp);
            if (info->n_failed > HTML_MANIFEST_FILES)
                fputs("<p class=\"note\">manifest.json lists them all.</p>\n", fp);
        }
    }
    fputs("</section>\n", fp);
    return 0;
}

/* ---- the page ---- */

int lf_render_report_html(FILE *fp, const lf_tables *t, const lf_lexicon *lex,
                          const lf_report_info *info, const lf_options *opt,
                          const lf_html_evidence *ev, lf_error *err)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    page pg = {.fp = fp, .t = t, .lex = lex, .opt = opt, .info = info, .ev = ev};
    page_init(&pg);
    int rc = 0;
    section_head(&pg);
    section_header(&pg);
    section_frequencies(&pg);
    section_groups(&pg);
    rc = section_comparison(&pg, err);
    if (rc == 0) {
        section_cooccurrence(&pg);
        section_trends(&pg);
        section_evidence(&pg);
        section_lexicon(&pg);
        rc = section_manifest(&pg, err);
    }
    if (rc == 0) {
        fputs("</main>\n<footer><p class=\"note\">Made by lexframe ", fp);
        h(fp, lf_version());
        fprintf(fp, ". This page is self-contained: it loads nothing from anywhere, and its "
                    "only script filters the evidence.</p></footer>\n<script>%s</script>\n"
                    "</body>\n</html>\n",
                page_script);
    }
    page_free(&pg);
    if (rc != 0)
        return rc;
    return ferror(fp) ? -1 : 0;
}
