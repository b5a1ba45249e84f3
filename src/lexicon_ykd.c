/* lexicon_ykd.c — reader for Yoshikoder and Lexicoder 2 dictionaries (.ykd, .lcd): XML with
 * nested <cnode name desc> categories and <pnode name score> patterns at any depth;
 * patterns next to sub-categories belong to their own category. Parsed by libxml2 without
 * network, entity substitution, DTD loading or XInclude, and with an external-entity loader
 * that refuses everything. Lexicoder-style dictionaries (style="Lexicoder", or any pattern
 * with a leading or trailing space) mark word boundaries with spaces: " ECONOM" is a word
 * starting with econom (econom*), " GST " the word gst, "POVERTY " a word ending in poverty
 * (*poverty), "OBSCENIT" a word containing it (*obscenit*). */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon_read.h"

typedef struct ykd {
    lf_reader r;
    bool boundaries; /* Lexicoder's word-boundary spaces */
    lf_buf pat;
} ykd;

static xmlParserInputPtr refuse_entities(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

typedef struct xml_errors {
    int level;
    int line, col;
    char message[512];
} xml_errors;

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    xml_errors *x = ctx;
    if ((int)e->level > x->level) {
        x->level = (int)e->level;
        x->line = e->line;
        x->col = e->int2;
        snprintf(x->message, sizeof x->message, "%s", e->message ? e->message : "XML error");
        size_t n = strlen(x->message);
        while (n && (x->message[n - 1] == '\n' || x->message[n - 1] == ' '))
            x->message[--n] = '\0';
        for (size_t i = 0; i < n; i++) /* one line per message */
            if (x->message[i] == '\n')
                x->message[i] = ' ';
    }
}

static bool is_el(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Any pattern with a space at either end: the file uses Lexicoder's boundary markers. */
static bool has_boundary_spaces(const xmlNode *n)
{
    for (; n; n = n->next) {
        if (is_el(n, "pnode")) {
            xmlChar *v = xmlGetProp(n, (const xmlChar *)"name");
            size_t l = v ? strlen((const char *)v) : 0;
            bool sp = l && (v[0] == ' ' || v[l - 1] == ' ');
            xmlFree(v);
            if (sp)
                return true;
        } else if (n->type == XML_ELEMENT_NODE && has_boundary_spaces(n->children)) {
            return true;
        }
    }
    return false;
}

static void warn_attributes(ykd *Y, const xmlNode *n, const char *known)
{
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        size_t l = strlen(an);
        bool ok = false;
        for (const char *k = known; *k && !ok;) {
            size_t kl = strcspn(k, " ");
            ok = kl == l && memcmp(k, an, l) == 0;
            k += kl;
            while (*k == ' ')
                k++;
        }
        if (!ok)
            lf_reader_warn(&Y->r, (size_t)xmlGetLineNo(n), 0,
                           "attribute '%s' of <%s> is not used", an, (const char *)n->name);
    }
}

static lf_status pattern(ykd *Y, const xmlNode *n, uint32_t theme)
{
    size_t line = (size_t)xmlGetLineNo(n);
    warn_attributes(Y, n, "name score");
    xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
    xmlChar *score = xmlGetProp(n, (const xmlChar *)"score");
    lf_status st = LF_OK;
    lf_entry_spec spec = {0};
    if (score) {
        const char *ss = (const char *)score, *se = ss + strlen(ss);
        ss = lf_skip_blank(ss, se);
        se = lf_trim_blank_end(ss, se);
        if (lf_parse_number(ss, se, &spec.weight))
            spec.has_weight = true;
        else
            lf_reader_warn(&Y->r, line, 0, "score '%s' is not a number: not used as a weight",
                           (const char *)score);
    }
    if (!name || !*name) {
        lf_reader_warn(&Y->r, line, 0, "<pnode> without a name: skipped");
        goto out;
    }
    const char *s = (const char *)name, *e = s + strlen(s);
    spec.source = s;
    spec.source_len = (size_t)(e - s);
    lf_buf_reset(&Y->pat);
    if (Y->boundaries) {
        bool left = *s == ' ', right = e[-1] == ' ';
        const char *cs = lf_skip_blank(s, e), *ce = lf_trim_blank_end(cs, e);
        if (!left)
            lf_buf_putc(&Y->pat, '*');
        lf_buf_append(&Y->pat, cs, (size_t)(ce - cs));
        if (!right && ce > cs && ce[-1] != '*')
            lf_buf_putc(&Y->pat, '*');
    } else {
        lf_buf_puts(&Y->pat, s);
    }
    bool added;
    st = lf_reader_entry(&Y->r, theme, lf_buf_cstr(&Y->pat), Y->pat.len, &spec, line, 0,
                         &added);
out:
    xmlFree(name);
    xmlFree(score);
    return st;
}

static lf_status category(ykd *Y, const xmlNode *n, int32_t parent, unsigned depth)
{
    size_t line = (size_t)xmlGetLineNo(n);
    warn_attributes(Y, n, "name desc score");
    xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
    xmlChar *desc = xmlGetProp(n, (const xmlChar *)"desc");
    xmlChar *score = xmlGetProp(n, (const xmlChar *)"score");
    lf_status st = LF_OK;
    uint32_t theme;
    if (depth > 64) {
        st = lf_reader_fail(&Y->r, line, 0, "categories nested deeper than 64 levels");
        goto out;
    }
    const char *nm = name ? (const char *)name : "";
    const char *ns = lf_skip_blank(nm, nm + strlen(nm)), *ne = lf_trim_blank_end(ns, nm + strlen(nm));
    if (ns == ne) {
        st = lf_reader_fail(&Y->r, line, 0, "<cnode> without a name");
        goto out;
    }
    st = lf_reader_theme(&Y->r, parent, ns, (size_t)(ne - ns), line, 0, false, &theme);
    if (st != LF_OK)
        goto out;
    if (desc && *desc)
        Y->r.lex->themes[theme].description = lf_arena_strdup(&Y->r.lex->arena, (const char *)desc);
    if (score)
        lf_reader_warn(&Y->r, line, 0,
                       "score '%s' of category '%s' is not used (lexframe weighs entries, not "
                       "categories)",
                       (const char *)score, nm);
    for (const xmlNode *c = n->children; c && st == LF_OK; c = c->next) {
        if (is_el(c, "cnode"))
            st = category(Y, c, (int32_t)theme, depth + 1);
        else if (is_el(c, "pnode"))
            st = pattern(Y, c, theme);
        else if (c->type == XML_ELEMENT_NODE)
            lf_reader_warn(&Y->r, (size_t)xmlGetLineNo(c), 0, "element <%s> is not used",
                           (const char *)c->name);
    }
out:
    xmlFree(name);
    xmlFree(desc);
    xmlFree(score);
    return st;
}

lf_status lf_lexicon_read_ykd(lf_lexicon *lex, const char *path, const char *data, size_t len,
                              const lf_options *opt, lf_error *err)
{
    ykd Y = {0};
    lf_reader_init(&Y.r, lex, path, opt, err, "*");
    if (len > INT32_MAX)
        return lf_reader_fail(&Y.r, 0, 0, "file too large for the XML parser");
    xmlSetExternalEntityLoader(refuse_entities);
    xml_errors xe = {0};
    xmlSetStructuredErrorFunc(&xe, on_xml_error);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        lf_oom();
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)len, path, opt ? opt->encoding : NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(NULL, NULL);
    lf_status st = LF_OK;
    if (!doc || xe.level >= XML_ERR_ERROR) {
        if (xe.level)
            st = lf_reader_fail(&Y.r, (size_t)(xe.line > 0 ? xe.line : 0),
                                (size_t)(xe.col > 0 ? xe.col : 0), "XML: %s", xe.message);
        else
            st = lf_reader_fail(&Y.r, 0, 0, "XML: the file could not be parsed");
        goto out;
    }
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !is_el(root, "dictionary")) {
        st = lf_reader_fail(&Y.r, root ? (size_t)xmlGetLineNo(root) : 0, 0,
                            "the root element is <%s>, not a Yoshikoder <dictionary>",
                            root ? (const char *)root->name : "");
        goto out;
    }
    xmlChar *style = xmlGetProp(root, (const xmlChar *)"style");
    Y.boundaries = (style && strcmp((const char *)style, "Lexicoder") == 0) ||
                   has_boundary_spaces(root->children);
    xmlFree(style);
    for (const xmlNode *c = root->children; c && st == LF_OK; c = c->next) {
        if (is_el(c, "cnode"))
            st = category(&Y, c, -1, 1);
        else if (is_el(c, "pnode"))
            lf_reader_warn(&Y.r, (size_t)xmlGetLineNo(c), 0,
                           "<pnode> outside any category: skipped");
        else if (c->type == XML_ELEMENT_NODE)
            lf_reader_warn(&Y.r, (size_t)xmlGetLineNo(c), 0, "element <%s> is not used",
                           (const char *)c->name);
    }
out:
    lf_buf_free(&Y.pat);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return st;
}
