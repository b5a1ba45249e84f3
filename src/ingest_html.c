/* ingest_html.c — stage 1, HTML input: extracts the running text of an HTML transcript
 * (GPO Congressional Record pages keep it in <pre>) with libxml2's forgiving HTML parser,
 * never touching the network. Unknown tags such as GPO's <bullet> are dropped; the text
 * after them stays where it was, so a speaker label after <bullet> still starts a line. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "frontmatter.h"

static bool name_is(const xmlNode *n, const char *name)
{
    return n->name && xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

typedef struct extract {
    lf_buf *out;
    size_t line; /* 1-based line of out's end */
} extract;

static void put_text(extract *x, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
            x->line++;
    lf_buf_append(x->out, s, n);
}

/* Adds blank lines until the text reaches source line `line` (never removes any). */
static void pad_to_line(extract *x, long line)
{
    while (line > 0 && x->line < (size_t)line) {
        lf_buf_putc(x->out, '\n');
        x->line++;
    }
}

static bool is_block(const xmlNode *n)
{
    static const char *const blocks[] = {"p",  "div", "br", "h1", "h2", "h3",    "h4",
                                         "h5", "h6",  "li", "tr", "pre", "table", "blockquote"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (name_is(n, blocks[i]))
            return true;
    return false;
}

static void collect_text(extract *x, const xmlNode *n, bool blocks)
{
    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content) {
                put_text(x, (const char *)c->content, strlen((const char *)c->content));
            }
        } else if (c->type == XML_ELEMENT_NODE) {
            if (name_is(c, "script") || name_is(c, "style") || name_is(c, "head"))
                continue;
            /* Element lines are those of their start tags (exact); text nodes carry the
               line where libxml2 flushed them, so only elements are used to align. */
            pad_to_line(x, xmlGetLineNo(c));
            collect_text(x, c->children, blocks);
            if (blocks && is_block(c))
                put_text(x, "\n", 1);
        }
    }
}

static const xmlNode *find_element(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (name_is(c, name))
            return c;
        const xmlNode *f = find_element(c->children, name);
        if (f)
            return f;
    }
    return NULL;
}

static void collect_pre(extract *x, const xmlNode *n, size_t *found)
{
    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (name_is(c, "pre")) {
            if (*found && x->out->len && x->out->data[x->out->len - 1] != '\n')
                put_text(x, "\n", 1); /* the next <pre> starts a line */
            pad_to_line(x, xmlGetLineNo(c));
            collect_text(x, c->children, false);
            (*found)++;
        } else {
            collect_pre(x, c->children, found);
        }
    }
}

static char *collapse_ws(const char *s)
{
    lf_buf b = {0};
    bool space = false;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = b.len > 0;
            continue;
        }
        if (space)
            lf_buf_putc(&b, ' ');
        space = false;
        lf_buf_putc(&b, *s);
    }
    return (char *)lf_buf_cstr(&b);
}

lf_status lf_html_extract(const char *path, const char *data, size_t len, lf_buf *out,
                          char **title, lf_error *err)
{
    *title = NULL;
    if (len > INT_MAX) {
        lf_error_at(err, LF_ERR_LIMIT, path, 0, 0,
                    "HTML file is larger than libxml2 can parse (%d bytes)", INT_MAX);
        return LF_ERR_LIMIT;
    }
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt)
        lf_oom();
    htmlDocPtr hd = htmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL,
                                       HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                           HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
    /* Tag soup is recovered from, but a halted parser (elements nested deeper than
       libxml2's limit of 256) drops the rest of the file without a word: fail instead. */
    if (hd && ctxt->disableSAX && ctxt->instate == XML_PARSER_EOF) {
        const xmlError *xe = xmlCtxtGetLastError(ctxt);
        char what[200] = "the HTML parser stopped";
        if (xe && xe->code == XML_ERR_INTERNAL_ERROR && xe->message &&
            strstr(xe->message, "depth"))
            snprintf(what, sizeof what, "HTML elements nested more than %d deep",
                     xmlParserMaxDepth);
        else if (xe && xe->message)
            snprintf(what, sizeof what, "the HTML parser stopped: %.*s",
                     (int)strcspn(xe->message, "\n"), xe->message);
        lf_error_at(err, LF_ERR_INPUT, path, xe && xe->line > 0 ? (size_t)xe->line : 0, 0,
                    "%s; the text after this point cannot be read", what);
        xmlFreeDoc(hd);
        htmlFreeParserCtxt(ctxt);
        return LF_ERR_INPUT;
    }
    htmlFreeParserCtxt(ctxt);
    if (!hd) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "cannot be parsed as HTML");
        return LF_ERR_INPUT;
    }
    const xmlNode *root = xmlDocGetRootElement(hd);
    extract x = {.out = out, .line = 1};
    size_t n_pre = 0;
    collect_pre(&x, root, &n_pre);
    if (!n_pre) {
        const xmlNode *body = find_element(root, "body");
        collect_text(&x, body ? body->children : root, true);
    }
    const xmlNode *t = find_element(root, "title");
    if (t) {
        xmlChar *c = xmlNodeGetContent(t);
        if (c) {
            char *s = collapse_ws((const char *)c);
            if (*s)
                *title = s;
            else
                free(s);
            xmlFree(c);
        }
    }
    xmlFreeDoc(hd);
    return LF_OK;
}
