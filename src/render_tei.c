/* render_tei.c — stage 5, annotated TEI: every document of a run written as TEI with the
 * lexicon's themes declared as a taxonomy in the header and every match as a stand-off
 * <span> pointing into the text with TEI string-range() pointers. A TEI source is read
 * again and copied node by node, unchanged in its text, xml:id added to the utterances
 * and segments that lack one (the ids the reader gave them, see lf_tei_generated_id); a
 * plain-text transcript becomes <u> utterances whose <seg>s are its paragraphs. Unlike the
 * other writers this one sees documents: it reproduces them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lexframe.h"
#include "tei.h"

/* A match of a plain-text document, kept until the document is written. */
typedef struct text_match {
    size_t byte_start, byte_end;
    uint32_t theme;
    const char *status; /* static strings from the run */
    bool negated;
    char *entry, *entry_file;
    size_t entry_line;
} text_match;

struct lf_tei_writer {
    FILE *out;
    const lf_lexicon *lex;
    const lf_options *opt; /* the run's: its limits apply when a source is read again */
    size_t n_docs;
    size_t n_written; /* documents written */
    bool corpus, corpus_open;
    char **cat_ids;     /* taxonomy category id of each theme */
    FILE *spans;        /* <span> lines of the current TEI document */
    size_t n_spans;
    LF_VEC(text_match) tm;
    lf_buf buf;
    lf_strmap id_bases; /* the id base of every document written so far */
    lf_buf id_base;     /* the current plain-text document's: "lf-NAME" (see gen_id) */
};

/* ---- XML text ---- */

/* Writes s[0..n) escaped; characters XML 1.0 cannot carry (C0 controls other than tab and
 * line ends, U+FFFE, U+FFFF) and bytes of invalid UTF-8 become U+FFFD, form feed and
 * vertical tab a space. */
static void put_escaped(FILE *fp, const char *s, size_t n, bool attr)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        switch (c) {
        case '&':
            fputs("&amp;", fp);
            continue;
        case '<':
            fputs("&lt;", fp);
            continue;
        case '>':
            fputs("&gt;", fp);
            continue;
        case '\r':
            fputs("&#13;", fp);
            continue;
        case '"':
            fputs(attr ? "&quot;" : "\"", fp);
            continue;
        case '\t':
            fputs(attr ? "&#9;" : "\t", fp);
            continue;
        case '\n':
            fputs(attr ? "&#10;" : "\n", fp);
            continue;
        case '\f':
        case '\v':
            putc(' ', fp);
            continue;
        default:
            break;
        }
        size_t len = c < 0x80 ? 1 : lf_utf8_len(p + i, p + n);
        if (c < 0x20 || len == 0) {
            fputs("\xEF\xBF\xBD", fp); /* len 0: a byte of invalid UTF-8 (a file name's) */
        } else if (c == 0xEF && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF)) {
            fputs("\xEF\xBF\xBD", fp);
            i += 2;
        } else {
            fwrite(p + i, 1, len, fp);
            i += len - 1;
        }
    }
}

static void put_text(FILE *fp, const char *s)
{
    if (s)
        put_escaped(fp, s, strlen(s), false);
}

static void put_attr(FILE *fp, const char *name, const char *value)
{
    fprintf(fp, " %s=\"", name);
    if (value)
        put_escaped(fp, value, strlen(value), true);
    putc('"', fp);
}

/* Code points of s[0..n) as a TEI string-range counts them (the escaping above keeps one
 * character for one). */
static size_t cps(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* ---- the taxonomy ---- */

static void make_cat_ids(lf_tei_writer *w)
{
    const lf_lexicon *lex = w->lex;
    w->cat_ids = lf_xcalloc(lex->n_themes + 1, sizeof(char *));
    lf_strmap seen;
    lf_strmap_init(&seen);
    for (size_t i = 0; i < lex->n_themes; i++) {
        lf_buf b = {0};
        lf_buf_puts(&b, "lf-");
        for (const char *p = lex->themes[i].id; *p; p++) {
            char c = *p;
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
            lf_buf_putc(&b, ok ? c : '_');
        }
        /* ids that only differ in replaced characters get a number */
        size_t base = b.len;
        for (unsigned k = 2; lf_strmap_get(&seen, lf_buf_cstr(&b), b.len, NULL); k++) {
            b.len = base;
            lf_buf_printf(&b, "-%u", k);
        }
        lf_strmap_put(&seen, lf_buf_cstr(&b), b.len, (uint32_t)i);
        w->cat_ids[i] = b.data;
    }
    lf_strmap_free(&seen);
}

static void put_category(lf_tei_writer *w, size_t ti)
{
    const lf_theme *th = &w->lex->themes[ti];
    FILE *fp = w->out;
    fputs("<category", fp);
    put_attr(fp, "xml:id", w->cat_ids[ti]);
    put_attr(fp, "n", th->id);
    if (th->colour)
        put_attr(fp, "rend", th->colour);
    fputs("><catDesc><term>", fp);
    put_text(fp, th->label);
    fputs("</term>", fp);
    if (th->description && *th->description) {
        fputs(": ", fp);
        put_text(fp, th->description);
    }
    fputs("</catDesc>", fp);
    for (size_t i = 0; i < w->lex->n_themes; i++)
        if (w->lex->themes[i].parent == (int32_t)ti) {
            putc('\n', fp);
            put_category(w, i);
        }
    fputs("</category>", fp);
}

static void put_taxonomy(lf_tei_writer *w)
{
    FILE *fp = w->out;
    fprintf(fp, "<taxonomy xml:id=\"lf-themes\"><desc>Themes of the lexicon applied by "
                "lexframe %s</desc>",
            lf_version());
    for (size_t i = 0; i < w->lex->n_themes; i++)
        if (w->lex->themes[i].parent < 0) {
            putc('\n', fp);
            put_category(w, i);
        }
    fputs("</taxonomy>", fp);
}

/* ---- stand-off spans ---- */

static void put_span(FILE *fp, const lf_tei_writer *w, const char *a, size_t a_off,
                     const char *b, size_t b_off, uint32_t theme, const char *status,
                     bool negated, const char *entry_file, size_t entry_line, const char *entry)
{
    fputs("<span target=\"#", fp);
    if (strcmp(a, b) == 0)
        fprintf(fp, "string-range(%s,%zu,%zu)", a, a_off, b_off >= a_off ? b_off - a_off : 0);
    else
        fprintf(fp, "range(string-index(%s,%zu),string-index(%s,%zu))", a, a_off, b, b_off);
    putc('"', fp);
    fprintf(fp, " ana=\"#%s\"", w->cat_ids[theme]);
    put_attr(fp, "type", status ? status : "counted");
    put_attr(fp, "subtype", negated ? "negated" : "affirmed");
    lf_buf n = {0};
    lf_buf_printf(&n, "%s:%zu", entry_file ? entry_file : "", entry_line);
    put_attr(fp, "n", lf_buf_cstr(&n));
    lf_buf_free(&n);
    putc('>', fp);
    put_text(fp, entry);
    fputs("</span>\n", fp);
}

lf_tei_writer *lf_tei_writer_new(FILE *fp, const lf_lexicon *lex, const lf_options *opt,
                                 size_t n_docs)
{
    lf_tei_writer *w = lf_xcalloc(1, sizeof *w);
    w->out = fp;
    w->lex = lex;
    w->opt = opt;
    w->n_docs = n_docs;
    w->corpus = n_docs != 1;
    lf_strmap_init(&w->id_bases);
    make_cat_ids(w);
    return w;
}

static void clear_text_matches(lf_tei_writer *w)
{
    for (size_t i = 0; i < w->tm.n; i++) {
        free(w->tm.v[i].entry);
        free(w->tm.v[i].entry_file);
    }
    w->tm.n = 0;
}

void lf_tei_writer_free(lf_tei_writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; w->cat_ids && i < w->lex->n_themes; i++)
        free(w->cat_ids[i]);
    free(w->cat_ids);
    if (w->spans)
        fclose(w->spans);
    clear_text_matches(w);
    LF_VEC_FREE(w->tm);
    lf_buf_free(&w->buf);
    lf_strmap_free(&w->id_bases);
    lf_buf_free(&w->id_base);
    free(w);
}

/* A failed write to the output (what == NULL: "write error: ...", the caller alone knows
 * its path or that it is standard output, and names it) or to a temporary file. */
static lf_status write_error(lf_error *err, const char *what)
{
    const char *why = strerror(errno ? errno : EIO);
    if (what)
        lf_error_set(err, LF_ERR_IO, "writing annotated TEI: %s: %s", what, why);
    else
        lf_error_set(err, LF_ERR_IO, "write error: %s", why);
    return LF_ERR_IO;
}

lf_status lf_tei_writer_row(lf_tei_writer *w, const lf_match_row *row, lf_error *err)
{
    int32_t theme = lf_lexicon_find_theme(w->lex, row->theme);
    if (theme < 0)
        return LF_OK; /* cannot happen: rows come from this lexicon */
    if (row->element && row->element_last) {
        if (!w->spans) {
            w->spans = tmpfile();
            if (!w->spans)
                return write_error(err, "temporary file");
        }
        put_span(w->spans, w, row->element, row->element_start, row->element_last,
                 row->element_end, (uint32_t)theme, row->status, row->negated, row->entry_file,
                 row->entry_line, row->entry);
        w->n_spans++;
        if (ferror(w->spans))
            return write_error(err, "temporary file");
        return LF_OK;
    }
    text_match m = {.byte_start = row->byte_start,
                    .byte_end = row->byte_end,
                    .theme = (uint32_t)theme,
                    .status = row->status,
                    .negated = row->negated,
                    .entry = lf_xstrdup(row->entry ? row->entry : ""),
                    .entry_file = lf_xstrdup(row->entry_file ? row->entry_file : ""),
                    .entry_line = row->entry_line};
    LF_VEC_PUSH(w->tm, m);
    return LF_OK;
}

void lf_tei_writer_drop_doc(lf_tei_writer *w)
{
    if (w->spans) {
        fclose(w->spans);
        w->spans = NULL;
    }
    w->n_spans = 0;
    clear_text_matches(w);
}

static void open_corpus(lf_tei_writer *w)
{
    if (!w->corpus || w->corpus_open)
        return;
    w->corpus_open = true;
    FILE *fp = w->out;
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<teiCorpus xmlns=\"" LF_TEI_NS "\">\n<teiHeader>\n<fileDesc>"
                "<titleStmt><title>Transcripts annotated by lexframe</title></titleStmt>"
                "<publicationStmt><p>Written by lexframe %s.</p></publicationStmt>"
                "<sourceDesc><p>",
            lf_version());
    /* documents from a stream are not counted in advance */
    if (w->n_docs == SIZE_MAX)
        fputs("Input documents read as JSON Lines.", fp);
    else
        fprintf(fp, "%zu input documents.", w->n_docs);
    fputs("</p></sourceDesc></fileDesc>\n<encodingDesc><classDecl>", fp);
    put_taxonomy(w);
    fputs("</classDecl></encodingDesc>\n</teiHeader>\n", fp);
}

/* The <standOff> of the current document. */
static lf_status put_standoff(lf_tei_writer *w, const char *spans, lf_error *err)
{
    FILE *fp = w->out;
    fputs("<standOff type=\"lexframe\"><spanGrp type=\"lexframe\">\n", fp);
    if (spans) {
        fputs(spans, fp);
    } else if (w->spans) {
        if (fflush(w->spans) != 0 || fseek(w->spans, 0, SEEK_SET) != 0)
            return write_error(err, "temporary file");
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, w->spans)) > 0)
            fwrite(chunk, 1, n, fp);
        if (ferror(w->spans))
            return write_error(err, "temporary file");
    }
    fputs("</spanGrp></standOff>\n", fp);
    return LF_OK;
}

static void put_encoding_desc(lf_tei_writer *w)
{
    fputs("<encodingDesc><classDecl>", w->out);
    put_taxonomy(w);
    fputs("</classDecl></encodingDesc>\n", w->out);
}

/* ==== a TEI source, copied ============================================================== */

typedef struct copy_state {
    lf_tei_writer *w;
    const lf_doc *doc;
    lf_xml x;
    lf_tei_walk walk;
    bool tax_done, standoff_done, header_done, root_seen, first_child_seen;
    int hdr_depth, enc_depth, cls_depth;
    int skip_depth; /* inside a previous lexframe standOff or taxonomy: not copied */
    lf_buf id;
} copy_state;

static lf_status after_header(copy_state *c, lf_error *err)
{
    c->standoff_done = true;
    return put_standoff(c->w, NULL, err);
}

/* A document without a teiHeader as its first element gets a minimal one. */
static lf_status synthetic_header(copy_state *c, lf_error *err)
{
    FILE *fp = c->w->out;
    fputs("<teiHeader><fileDesc><titleStmt><title>", fp);
    put_text(fp, c->doc->id);
    fputs("</title></titleStmt><publicationStmt><p>Header added by lexframe.</p>"
          "</publicationStmt><sourceDesc><p>",
          fp);
    put_text(fp, c->doc->id);
    fputs("</p></sourceDesc></fileDesc>", fp);
    if (!c->tax_done)
        put_encoding_desc(c->w);
    c->tax_done = true;
    c->header_done = true;
    fputs("</teiHeader>\n", fp);
    return after_header(c, err);
}

static bool attr_is(lf_xml *x, const char *name, const char *value)
{
    char *v = lf_xml_attr(x, name);
    bool same = v && strcmp(v, value) == 0;
    lf_xml_free_attr(v);
    return same;
}

static void put_start_tag(copy_state *c, lf_tei_role role, int depth)
{
    FILE *fp = c->w->out;
    xmlTextReaderPtr r = c->x.r;
    fprintf(fp, "<%s", (const char *)xmlTextReaderConstName(r));
    bool has_id = false, has_default_ns = false;
    if (xmlTextReaderMoveToFirstAttribute(r) == 1) {
        do {
            const char *name = (const char *)xmlTextReaderConstName(r);
            const char *value = (const char *)xmlTextReaderConstValue(r);
            put_attr(fp, name, value);
            has_id = has_id || strcmp(name, "xml:id") == 0;
            has_default_ns = has_default_ns || strcmp(name, "xmlns") == 0;
        } while (xmlTextReaderMoveToNextAttribute(r) == 1);
        xmlTextReaderMoveToElement(r);
    }
    /* the root of a document without a namespace keeps none inside the teiCorpus */
    if (depth == 1 && c->w->corpus && !has_default_ns && !xmlTextReaderConstNamespaceUri(r) &&
        !xmlTextReaderConstPrefix(r))
        fputs(" xmlns=\"\"", fp);
    if (!has_id && (role == LF_TEI_SPEECH || role == LF_TEI_PARA || role == LF_TEI_SEGMENT)) {
        lf_buf_reset(&c->id);
        bool speech = role != LF_TEI_SEGMENT;
        lf_tei_generated_id(&c->id, c->doc->id, speech ? 'u' : 's',
                            speech ? c->walk.n_speech : c->walk.n_segment);
        put_attr(fp, "xml:id", lf_buf_cstr(&c->id));
    }
}

/* What goes before an end tag (or into an empty element) of the outer header. */
static void before_end(copy_state *c, int depth)
{
    if (c->tax_done)
        return;
    FILE *fp = c->w->out;
    if (depth == c->cls_depth) {
        put_taxonomy(c->w);
        c->tax_done = true;
    } else if (depth == c->enc_depth) {
        fputs("<classDecl>", fp);
        put_taxonomy(c->w);
        fputs("</classDecl>", fp);
        c->tax_done = true;
    } else if (depth == c->hdr_depth) {
        put_encoding_desc(c->w);
        c->tax_done = true;
    }
}

static lf_status after_end(copy_state *c, int depth, lf_error *err)
{
    if (depth == c->hdr_depth && !c->header_done) {
        c->header_done = true;
        c->hdr_depth = c->enc_depth = c->cls_depth = 0;
        return after_header(c, err);
    }
    if (depth == c->enc_depth)
        c->enc_depth = 0;
    if (depth == c->cls_depth)
        c->cls_depth = 0;
    return LF_OK;
}

static lf_status copy_element(copy_state *c, lf_error *err)
{
    FILE *fp = c->w->out;
    xmlTextReaderPtr r = c->x.r;
    const char *local = (const char *)xmlTextReaderConstLocalName(r);
    int depth = xmlTextReaderDepth(r) + 1;
    bool empty = xmlTextReaderIsEmptyElement(r);
    lf_status st = LF_OK;
    /* an earlier lexframe annotation is replaced, not kept twice */
    if ((strcmp(local, "standOff") == 0 && attr_is(&c->x, "type", "lexframe")) ||
        (strcmp(local, "taxonomy") == 0 && attr_is(&c->x, "xml:id", "lf-themes"))) {
        if (!empty)
            c->skip_depth = depth;
        return LF_OK;
    }
    if (depth == 2 && !c->first_child_seen) {
        c->first_child_seen = true;
        if (strcmp(local, "teiHeader") != 0 && (st = synthetic_header(c, err)) != LF_OK)
            return st;
    }
    if (!c->header_done && c->hdr_depth && depth == c->hdr_depth + 1 && !c->tax_done &&
        !c->enc_depth && strcmp(local, "revisionDesc") == 0) {
        put_encoding_desc(c->w); /* revisionDesc comes last in a header */
        c->tax_done = true;
    }
    lf_tei_role role = lf_tei_walk_start(&c->walk, local);
    put_start_tag(c, role, depth);
    if (depth == 1)
        c->root_seen = true;
    if (!c->header_done) {
        if (role == LF_TEI_HEADER && !c->hdr_depth)
            c->hdr_depth = depth;
        else if (c->hdr_depth && depth == c->hdr_depth + 1 && strcmp(local, "encodingDesc") == 0)
            c->enc_depth = depth;
        else if (c->enc_depth && depth == c->enc_depth + 1 && strcmp(local, "classDecl") == 0)
            c->cls_depth = depth;
    }
    if (!empty) {
        putc('>', fp);
        return LF_OK;
    }
    bool expands = !c->tax_done && (depth == c->cls_depth || depth == c->enc_depth ||
                                    depth == c->hdr_depth);
    if (expands) {
        putc('>', fp);
        before_end(c, depth);
        fprintf(fp, "</%s>", (const char *)xmlTextReaderConstName(r));
    } else if (depth == 1 && !c->standoff_done) {
        putc('>', fp);
        if ((st = synthetic_header(c, err)) != LF_OK)
            return st;
        fprintf(fp, "</%s>", (const char *)xmlTextReaderConstName(r));
    } else {
        fputs("/>", fp);
    }
    lf_tei_walk_end(&c->walk);
    return after_end(c, depth, err);
}

static lf_status copy_end(copy_state *c, lf_error *err)
{
    xmlTextReaderPtr r = c->x.r;
    int depth = xmlTextReaderDepth(r) + 1;
    if (c->skip_depth) {
        if (depth == c->skip_depth)
            c->skip_depth = 0;
        return LF_OK;
    }
    before_end(c, depth);
    if (depth == 1 && !c->standoff_done) {
        lf_status st = synthetic_header(c, err);
        if (st != LF_OK)
            return st;
    }
    fprintf(c->w->out, "</%s>", (const char *)xmlTextReaderConstName(r));
    lf_tei_walk_end(&c->walk);
    return after_end(c, depth, err);
}

static lf_status copy_tei(lf_tei_writer *w, const lf_doc *doc, lf_error *err)
{
    copy_state c = {.w = w, .doc = doc, .tax_done = w->corpus};
    lf_status st = lf_xml_open(&c.x, doc->path, w->opt->limits, err);
    if (st != LF_OK)
        return st;
    lf_tei_walk_init(&c.walk);
    FILE *fp = w->out;
    if (!w->corpus)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
    int rc = 0;
    while (st == LF_OK && (rc = lf_xml_next(&c.x, err)) == 1) {
        int type = xmlTextReaderNodeType(c.x.r);
        if (c.skip_depth && type != XML_READER_TYPE_END_ELEMENT)
            continue;
        switch (type) {
        case XML_READER_TYPE_ELEMENT:
            st = copy_element(&c, err);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            st = copy_end(&c, err);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            put_text(fp, (const char *)xmlTextReaderConstValue(c.x.r));
            break;
        case XML_READER_TYPE_COMMENT:
            fprintf(fp, "<!--%s-->", (const char *)xmlTextReaderConstValue(c.x.r));
            if (!c.root_seen)
                putc('\n', fp);
            break;
        case XML_READER_TYPE_PROCESSING_INSTRUCTION:
            /* xml-model and stylesheet instructions belong to a document of its own */
            if (!w->corpus || xmlTextReaderDepth(c.x.r) > 0) {
                const xmlChar *v = xmlTextReaderConstValue(c.x.r);
                fprintf(fp, "<?%s%s%s?>", (const char *)xmlTextReaderConstName(c.x.r),
                        v && *v ? " " : "", v ? (const char *)v : "");
                if (!c.root_seen)
                    putc('\n', fp);
            }
            break;
        default:
            break;
        }
    }
    if (st == LF_OK && rc < 0)
        st = err->status;
    putc('\n', fp);
    lf_tei_walk_free(&c.walk);
    lf_buf_free(&c.id);
    lf_xml_close(&c.x);
    return st;
}

/* ==== a plain-text transcript, as TEI =================================================== */

/* One piece of a segment's text: doc bytes [a, b) with the character offset of a in the
 * segment's string value. */
typedef struct piece {
    size_t a, b;
    uint32_t seg;
    size_t off;
} piece;

typedef struct text_sink {
    lf_tei_writer *w;
    const lf_doc *doc;
    const lf_ingest *ing;
    bool write;   /* false: only lay out the pieces */
    uint32_t n_u, n_seg;
    bool in_seg;
    size_t seg_chars;
    LF_VEC(piece) pieces;
    lf_buf id;
} text_sink;

/* Appends the id of the kind-th element n of the current plain-text document to out. */
static void gen_id(const lf_tei_writer *w, lf_buf *out, char kind, size_t n)
{
    lf_buf_append(out, w->id_base.data, w->id_base.len);
    lf_buf_printf(out, "-%c%zu", kind, n);
}

static const char *sink_id(text_sink *s, char kind, size_t n)
{
    lf_buf_reset(&s->id);
    gen_id(s->w, &s->id, kind, n);
    return lf_buf_cstr(&s->id);
}

static void seg_begin(text_sink *s)
{
    s->n_seg++;
    s->in_seg = true;
    s->seg_chars = 0;
    if (s->write) {
        fputs("<seg", s->w->out);
        put_attr(s->w->out, "xml:id", sink_id(s, 's', s->n_seg));
        putc('>', s->w->out);
    }
}

static void seg_end(text_sink *s)
{
    s->in_seg = false;
    if (s->write)
        fputs("</seg>", s->w->out);
}

/* Text of the transcript; `spoken` pieces are where matches can fall. */
static void put_piece(text_sink *s, size_t a, size_t b, bool spoken)
{
    if (a >= b)
        return;
    if (spoken) {
        piece p = {.a = a, .b = b, .seg = s->n_seg, .off = s->seg_chars};
        LF_VEC_PUSH(s->pieces, p);
    }
    if (s->in_seg)
        s->seg_chars += cps(s->doc->text + a, b - a);
    if (s->write)
        put_escaped(s->w->out, s->doc->text + a, b - a, false);
}

/* A removed passage: a <gap>, an <incident> for a stage direction, else a <note>. */
static void put_strip(text_sink *s, const lf_strip *st)
{
    const char *name = lf_ingest_strip_name(s->ing, st->pattern);
    const char *text = s->doc->text + st->span.start;
    size_t n = st->span.end - st->span.start;
    if (s->in_seg)
        s->seg_chars += cps(text, n);
    if (!s->write)
        return;
    FILE *fp = s->w->out;
    if (name && strcmp(name, "gap") == 0) {
        fputs("<gap><desc>", fp);
        put_escaped(fp, text, n, false);
        fputs("</desc></gap>", fp);
    } else if (name && strcmp(name, "stage-direction") == 0) {
        fputs("<incident><desc>", fp);
        put_escaped(fp, text, n, false);
        fputs("</desc></incident>", fp);
    } else {
        static const char *const builtin[] = {"bracketed-note", "time-stamp", "end-marker",
                                              "page-marker", NULL};
        const char *type = "stripped";
        for (size_t i = 0; name && builtin[i]; i++)
            if (strcmp(name, builtin[i]) == 0)
                type = builtin[i];
        fprintf(fp, "<note type=\"%s\">", type);
        put_escaped(fp, text, n, false);
        fputs("</note>", fp);
    }
}

/* Where a paragraph break falls inside [a, b) as the tokenizer sees one: a run of white
 * space holding two line ends. Returns true with the run in [*r0, *r1). */
static bool find_break(const char *t, size_t a, size_t b, size_t *r0, size_t *r1)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t i = a;
    while (i < b) {
        size_t start = i;
        unsigned nl = 0;
        while (i < b) {
            size_t l = 0;
            if (u[i] == '\n') {
                nl++;
                l = 1;
            } else if (u[i] == '\r') {
                nl++;
                l = i + 1 < b && u[i + 1] == '\n' ? 2 : 1;
            } else if (u[i] == ' ' || u[i] == '\t' || u[i] == '\f' || u[i] == '\v') {
                l = 1;
            } else if (u[i] == 0xC2 && i + 1 < b && u[i + 1] == 0xA0) {
                l = 2;
            } else if (u[i] == 0xE2 && i + 2 < b && u[i + 1] == 0x80 &&
                       (u[i + 2] == 0x89 || u[i + 2] == 0xAF)) {
                l = 3; /* U+2009, U+202F */
            } else if (u[i] == 0xE3 && i + 2 < b && u[i + 1] == 0x80 && u[i + 2] == 0x80) {
                l = 3; /* U+3000 */
            }
            if (!l)
                break;
            i += l;
        }
        if (nl >= 2) {
            *r0 = start;
            *r1 = i;
            return true;
        }
        if (i == start)
            i++;
    }
    return false;
}

static size_t region_start(const lf_doc *doc, size_t ti)
{
    if (ti == 0)
        return 0;
    const lf_turn *tu = &doc->turns[ti];
    size_t line = tu->line ? tu->line - 1 : 0;
    if (doc->n_lines && line < doc->n_lines)
        return doc->line_starts[line];
    return tu->span_count ? doc->spans[tu->span_first].start : 0;
}

static void put_turn(text_sink *s, size_t ti, size_t *strip_i)
{
    const lf_doc *doc = s->doc;
    const lf_turn *tu = &doc->turns[ti];
    FILE *fp = s->w->out;
    size_t re = ti + 1 < doc->n_turns ? region_start(doc, ti + 1) : doc->len;
    s->n_u++;
    if (s->write) {
        fputs("<u", fp);
        put_attr(fp, "xml:id", sink_id(s, 'u', s->n_u));
        if (tu->speaker >= 0) {
            lf_buf who = {0};
            lf_buf_puts(&who, "#");
            gen_id(s->w, &who, 'p', (size_t)tu->speaker + 1);
            put_attr(fp, "who", lf_buf_cstr(&who));
            lf_buf_free(&who);
        }
        putc('>', fp);
    }
    size_t si = *strip_i;
    const lf_strip *strips = doc->strips;
    if (tu->span_count == 0) {
        for (; si < doc->n_strips && strips[si].span.start < re; si++)
            put_strip(s, &strips[si]);
    } else {
        const lf_span *sp = &doc->spans[tu->span_first];
        size_t cs = sp[0].start;
        for (; si < doc->n_strips && strips[si].span.start < cs; si++)
            put_strip(s, &strips[si]);
        seg_begin(s);
        size_t cursor = cs;
        for (size_t k = 0; k < tu->span_count; k++) {
            /* between spans: white space and removed passages, inside the segment */
            for (; si < doc->n_strips && strips[si].span.start < sp[k].start; si++) {
                put_piece(s, cursor, strips[si].span.start, false);
                put_strip(s, &strips[si]);
                cursor = strips[si].span.end;
            }
            put_piece(s, cursor, sp[k].start, false);
            size_t p = sp[k].start, r0, r1;
            while (find_break(doc->text, p, sp[k].end, &r0, &r1)) {
                put_piece(s, p, r0, true);
                seg_end(s);
                if (s->write)
                    put_escaped(fp, doc->text + r0, r1 - r0, false);
                seg_begin(s);
                p = r1;
            }
            put_piece(s, p, sp[k].end, true);
            cursor = sp[k].end;
        }
        seg_end(s);
        for (; si < doc->n_strips && strips[si].span.start < re; si++)
            put_strip(s, &strips[si]);
    }
    *strip_i = si;
    if (s->write)
        fputs("</u>\n", fp);
}

static void put_body(text_sink *s)
{
    size_t strip_i = 0;
    s->n_u = s->n_seg = 0;
    s->pieces.n = 0;
    for (size_t ti = 0; ti < s->doc->n_turns; ti++)
        put_turn(s, ti, &strip_i);
}

/* Code points from a piece's start to byte `off` in it, for a span's offset. Counted on from
 * the position asked last when it lies in the same piece before `off`: matches come in text
 * order, so a 300,000-match line is counted once, not once per match (quadratic). */
typedef struct piece_cursor {
    const piece *p;
    size_t byte, chars; /* chars code points lie in [p->a, byte) */
} piece_cursor;

static size_t piece_cps(piece_cursor *c, const char *text, const piece *p, size_t off)
{
    if (c->p != p || off < c->byte) {
        c->p = p;
        c->byte = p->a;
        c->chars = 0;
    }
    c->chars += cps(text + c->byte, off - c->byte);
    c->byte = off;
    return c->chars;
}

/* The piece holding byte off (off == a piece's end counts as inside it). */
static const piece *piece_at(const text_sink *s, size_t off)
{
    size_t lo = 0, hi = s->pieces.n;
    if (!hi)
        return NULL;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->pieces.v[mid].a <= off)
            lo = mid;
        else
            hi = mid;
    }
    const piece *p = &s->pieces.v[lo];
    return off >= p->a && off <= p->b ? p : NULL;
}

static bool iso_date(const char *d)
{
    size_t n = strlen(d);
    if (n < 4)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = d[i];
        bool digit = c >= '0' && c <= '9';
        if (i < 4 ? !digit : !(digit || c == '-' || c == 'T' || c == ':'))
            return false;
    }
    return n == 4 || (n >= 7 && d[4] == '-');
}

static void put_persons(lf_tei_writer *w, const lf_doc *doc)
{
    FILE *fp = w->out;
    if (!doc->n_speakers)
        return;
    /* parties become organisations, numbered in order of first mention */
    LF_VEC(const char *) parties = {0};
    fputs("<particDesc><listPerson>\n", fp);
    for (size_t i = 0; i < doc->n_speakers; i++) {
        const lf_speaker *sp = &doc->speakers[i];
        lf_buf id = {0};
        gen_id(w, &id, 'p', i + 1);
        fputs("<person", fp);
        put_attr(fp, "xml:id", lf_buf_cstr(&id));
        if (sp->role)
            put_attr(fp, "role", sp->role);
        fputs("><persName>", fp);
        put_text(fp, sp->name ? sp->name : sp->label);
        fputs("</persName>", fp);
        if (sp->party) {
            size_t k;
            for (k = 0; k < parties.n && strcmp(parties.v[k], sp->party) != 0; k++)
                ;
            if (k == parties.n)
                LF_VEC_PUSH(parties, sp->party);
            lf_buf_reset(&id);
            gen_id(w, &id, 'o', k + 1);
            fprintf(fp, "<affiliation role=\"member\" ref=\"#%s\"/>", lf_buf_cstr(&id));
        }
        fputs("</person>\n", fp);
        lf_buf_free(&id);
    }
    fputs("</listPerson>", fp);
    if (parties.n) {
        fputs("\n<listOrg>\n", fp);
        for (size_t k = 0; k < parties.n; k++) {
            lf_buf id = {0};
            gen_id(w, &id, 'o', k + 1);
            fputs("<org", fp);
            put_attr(fp, "xml:id", lf_buf_cstr(&id));
            fputs(" role=\"politicalParty\"><orgName>", fp);
            put_text(fp, parties.v[k]);
            fputs("</orgName></org>\n", fp);
            lf_buf_free(&id);
        }
        fputs("</listOrg>", fp);
    }
    fputs("</particDesc>\n", fp);
    LF_VEC_FREE(parties);
}

static lf_status write_text_doc(lf_tei_writer *w, const lf_doc *doc, const lf_ingest *ing,
                                lf_error *err)
{
    FILE *fp = w->out;
    text_sink s = {.w = w, .doc = doc, .ing = ing, .write = false};
    put_body(&s); /* lays out the pieces: where each match falls */
    /* the spans, in match order */
    FILE *mem = NULL;
    char *mem_data = NULL;
    size_t mem_len = 0;
    mem = open_memstream(&mem_data, &mem_len);
    if (!mem)
        lf_oom();
    piece_cursor cur_a = {0}, cur_b = {0}; /* starts, ends: each in text order */
    for (size_t i = 0; i < w->tm.n; i++) {
        const text_match *m = &w->tm.v[i];
        const piece *a = piece_at(&s, m->byte_start), *b = piece_at(&s, m->byte_end);
        if (!a || !b)
            continue; /* cannot happen: matches lie in spoken text */
        lf_buf ida = {0}, idb = {0};
        gen_id(w, &ida, 's', a->seg);
        gen_id(w, &idb, 's', b->seg);
        put_span(mem, w, lf_buf_cstr(&ida), a->off + piece_cps(&cur_a, doc->text, a, m->byte_start),
                 lf_buf_cstr(&idb), b->off + piece_cps(&cur_b, doc->text, b, m->byte_end), m->theme,
                 m->status, m->negated, m->entry_file, m->entry_line, m->entry);
        lf_buf_free(&ida);
        lf_buf_free(&idb);
    }
    fclose(mem);

    if (!w->corpus)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
    fputs("<TEI xmlns=\"" LF_TEI_NS "\">\n<teiHeader>\n<fileDesc><titleStmt><title>", fp);
    put_text(fp, doc->title ? doc->title : doc->id);
    fprintf(fp, "</title></titleStmt><publicationStmt><p>Converted from a plain-text "
                "transcript by lexframe %s.</p></publicationStmt><sourceDesc><p>",
            lf_version());
    put_text(fp, doc->source ? doc->source : doc->id);
    fputs("</p></sourceDesc></fileDesc>\n", fp);
    if (!w->corpus)
        put_encoding_desc(w);
    fputs("<profileDesc>", fp);
    if (doc->date) {
        fputs("<settingDesc><setting><date", fp);
        if (iso_date(doc->date))
            put_attr(fp, "when", doc->date);
        putc('>', fp);
        put_text(fp, doc->date);
        fputs("</date></setting></settingDesc>\n", fp);
    }
    put_persons(w, doc);
    fputs("</profileDesc>\n</teiHeader>\n", fp);
    lf_status st = put_standoff(w, mem_data ? mem_data : "", err);
    free(mem_data);
    if (st != LF_OK) {
        LF_VEC_FREE(s.pieces);
        lf_buf_free(&s.id);
        return st;
    }
    fputs("<text><body>\n", fp);
    s.write = true;
    put_body(&s);
    fputs("</body></text>\n</TEI>\n", fp);
    LF_VEC_FREE(s.pieces);
    lf_buf_free(&s.id);
    return LF_OK;
}

/* ==== the document loop ================================================================= */

/* Sets the base of the document's generated ids: lf_tei_id_stem's, which two documents
 * can share ("a b.txt" and "a_b.txt" both make lf-a_b, as do "x.txt" and "x.md"); a
 * plain-text document then gets -2, -3 … after it, since an xml:id names one element in the
 * file. A TEI source keeps the reader's ids (its match rows and spans name them). */
static void set_id_base(lf_tei_writer *w, const lf_doc *doc, bool renumber)
{
    lf_buf *b = &w->id_base;
    lf_buf_reset(b);
    lf_tei_id_stem(b, doc->id);
    size_t len = b->len;
    for (unsigned k = 2; renumber && lf_strmap_get(&w->id_bases, lf_buf_cstr(b), b->len, NULL);
         k++) {
        b->len = len;
        lf_buf_printf(b, "-%u", k);
    }
    lf_strmap_put(&w->id_bases, lf_buf_cstr(b), b->len, 0);
}

lf_status lf_tei_writer_part(lf_tei_writer *w, const lf_doc *doc, const lf_ingest *ing,
                             lf_error *err)
{
    if (doc->more_parts)
        return LF_OK; /* spans wait in the temporary file until the last part */
    open_corpus(w);
    errno = 0;
    lf_status st;
    bool tei = lf_doc_format_for_path(doc->path) == LF_FORMAT_TEI;
    set_id_base(w, doc, !tei);
    if (tei)
        st = copy_tei(w, doc, err);
    else
        st = write_text_doc(w, doc, ing, err);
    lf_tei_writer_drop_doc(w);
    w->n_written++;
    if (st == LF_OK && ferror(w->out))
        st = write_error(err, NULL);
    return st;
}

lf_status lf_tei_writer_finish(lf_tei_writer *w, lf_error *err)
{
    /* The one input failed: an empty teiCorpus, not an empty file (which is no XML) */
    if (!w->n_written)
        w->corpus = true;
    open_corpus(w);
    if (w->corpus)
        fputs("</teiCorpus>\n", w->out);
    if (fflush(w->out) != 0 || ferror(w->out))
        return write_error(err, NULL);
    return LF_OK;
}
