/* ingest_tei.c — stage 1, TEI input: a TEI P5 transcript (ParlaMint / Parla-CLARIN <u who>
 * utterances, drama <sp who><speaker>) streamed with libxml2's reader into a document whose
 * text is the speech only, each span remembering its element and offset, and whose
 * speakers are resolved through listPerson / listOrg / taxonomies (the file's own header,
 * its corpus root, a --speakers file) on the sitting date. Memory stays flat: a long file
 * arrives in parts cut between utterances. Hostile XML fails the file, never the run. */
#define _XOPEN_SOURCE 700 /* realpath: includes are confined to the corpus directory */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/hash.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include <libxml/xmlreader.h>

#include "frontmatter.h"
#include "tei.h"

/* ==== the guarded XML reader ========================================================== */

/* Nothing external is ever loaded: not a DTD, not an entity, not over the network. */
static xmlParserInputPtr refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    lf_xml *x = ctx;
    if (!e || e->level < XML_ERR_ERROR || x->failed)
        return;
    x->failed = true;
    x->fail_line = e->line;
    /* inside an entity's replacement text the error's line is the entity's own: report
       where the document is */
    xmlParserCtxtPtr pc = e->ctxt;
    if (pc && pc->inputNr > 1 && pc->inputTab && pc->inputTab[0])
        x->fail_line = pc->inputTab[0]->line;
    else if (!e->file && x->r) /* a sub-parser's error (entity content) */
        x->fail_line = xmlTextReaderGetParserLineNumber(x->r);
    const char *m = e->message ? e->message : "malformed XML";
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    if (strstr(m, "huge text node"))
        snprintf(x->fail_msg, sizeof x->fail_msg,
                 "a text node is larger than libxml2 reads (10000000 bytes)");
    else if (strstr(m, "Excessive depth"))
        snprintf(x->fail_msg, sizeof x->fail_msg,
                 "elements nested deeper than libxml2 reads (256 levels)");
    else
        snprintf(x->fail_msg, sizeof x->fail_msg, "XML error: %.*s", (int)n, m);
    /* one line per message: libxml2 puts the offending bytes on a line of their own */
    for (char *c = x->fail_msg; *c; c++)
        if (*c == '\n')
            *c = ' ';
}

/* Nothing that loads or expands: see tei.h. BIG_LINES keeps line numbers past 65535. */
#define READER_OPTIONS                                                                     \
    (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING |      \
     XML_PARSE_NODICT)

lf_status lf_xml_open(lf_xml *x, const char *path, const uint64_t *limits, lf_error *err)
{
    memset(x, 0, sizeof *x);
    x->fd = -1;
    x->path = path;
    x->max_depth = limits[LF_LIMIT_XML_DEPTH];
    x->max_text = limits[LF_LIMIT_XML_TEXT_BYTES];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "%s", strerror(errno));
        return LF_ERR_INPUT;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "%s", strerror(e));
        return LF_ERR_INPUT;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "%s",
                    S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
        return LF_ERR_INPUT;
    }
    uint64_t max = limits[LF_LIMIT_FILE_BYTES];
    if ((uint64_t)st.st_size > max) {
        close(fd);
        const char *name = lf_limit_table()[LF_LIMIT_FILE_BYTES].name;
        lf_error_at(err, LF_ERR_LIMIT, path, 0, 0,
                    "file is larger than the %s limit (%llu); raise it with --limit %s=N", name,
                    (unsigned long long)max, name);
        return LF_ERR_LIMIT;
    }
    xmlSetExternalEntityLoader(refuse_entity);
    x->r = xmlReaderForFd(fd, path, NULL, READER_OPTIONS);
    if (!x->r) {
        close(fd);
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "cannot be read as XML");
        return LF_ERR_INPUT;
    }
    x->fd = fd;
    xmlTextReaderSetStructuredErrorHandler(x->r, on_xml_error, x);
    return LF_OK;
}

lf_status lf_xml_open_memory(lf_xml *x, const char *path, const char *data, size_t len,
                             const uint64_t *limits, lf_error *err)
{
    memset(x, 0, sizeof *x);
    x->fd = -1;
    x->path = path;
    x->max_depth = limits[LF_LIMIT_XML_DEPTH];
    x->max_text = limits[LF_LIMIT_XML_TEXT_BYTES];
    if (len > INT_MAX || len > limits[LF_LIMIT_FILE_BYTES]) {
        lf_error_at(err, LF_ERR_LIMIT, path, 0, 0, "input is larger than the file-bytes limit");
        return LF_ERR_LIMIT;
    }
    x->mem = lf_xmalloc(len + 1);
    if (len)
        memcpy(x->mem, data, len);
    x->mem[len] = '\0';
    xmlSetExternalEntityLoader(refuse_entity);
    x->r = xmlReaderForMemory(x->mem, (int)len, path, NULL, READER_OPTIONS);
    if (!x->r) {
        free(x->mem);
        x->mem = NULL;
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "cannot be read as XML");
        return LF_ERR_INPUT;
    }
    xmlTextReaderSetStructuredErrorHandler(x->r, on_xml_error, x);
    return LF_OK;
}

void lf_xml_close(lf_xml *x)
{
    if (x->r)
        xmlFreeTextReader(x->r);
    if (x->doc) /* kept by the reader once asked for (see lf_xml_next) */
        xmlFreeDoc(x->doc);
    x->doc = NULL;
    if (x->fd >= 0)
        close(x->fd);
    free(x->mem);
    x->mem = NULL;
    x->r = NULL;
    x->fd = -1;
}

size_t lf_xml_line(lf_xml *x)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(x->r);
    long l = n ? xmlGetLineNo(n) : -1;
    /* an entity reference is at least where the text before it ends */
    if (n && n->type == XML_ENTITY_REF_NODE && x->last_text_line > l)
        return (size_t)x->last_text_line;
    if (n && l > 0 && n->type == XML_TEXT_NODE && n->content &&
        xmlTextReaderNodeType(x->r) == XML_READER_TYPE_TEXT) {
        /* a text node carries the line where it ends: count back to where it starts */
        for (const xmlChar *p = n->content; *p && l > 1; p++)
            l -= *p == '\n';
    }
    if (l > 0)
        return (size_t)l;
    int pl = xmlTextReaderGetParserLineNumber(x->r);
    return pl > 0 ? (size_t)pl : 0;
}

/* The line of the first <!ENTITY in the document's first 64 KiB (where a DOCTYPE is);
 * the parser's line otherwise (libxml2 has read past the declaration by then). */
static size_t entity_decl_line(lf_xml *x)
{
    char buf[65536];
    ssize_t n;
    if (x->mem) {
        n = (ssize_t)strnlen(x->mem, sizeof buf);
        memcpy(buf, x->mem, (size_t)n);
    } else {
        n = x->fd >= 0 ? pread(x->fd, buf, sizeof buf, 0) : -1;
    }
    for (ssize_t i = 0, line = 1; i + 8 <= n; i++) {
        if (buf[i] == '\n')
            line++;
        else if (buf[i] == '<' && memcmp(buf + i, "<!ENTITY", 8) == 0)
            return (size_t)line;
    }
    return lf_xml_line(x);
}

static int xml_fail_limit(lf_xml *x, lf_error *err, const char *what, lf_limit_id id,
                          uint64_t value)
{
    const char *name = lf_limit_table()[id].name;
    lf_error_at(err, LF_ERR_LIMIT, x->path, lf_xml_line(x), 0,
                "%s the %s limit (%llu); raise it with --limit %s=N", what, name,
                (unsigned long long)value, name);
    return -1;
}

int lf_xml_next(lf_xml *x, lf_error *err)
{
    int rc = xmlTextReaderRead(x->r);
    if (x->failed) {
        lf_error_at(err, LF_ERR_INPUT, x->path, x->fail_line > 0 ? (size_t)x->fail_line : 0,
                    0, "%s", x->fail_msg);
        return -1;
    }
    if (rc < 0) {
        lf_error_at(err, LF_ERR_INPUT, x->path, lf_xml_line(x), 0, "malformed XML");
        return -1;
    }
    if (rc == 0)
        return 0;
    /* libxml2 registers every xml:id in the document's ID table, even when streaming, and
       never forgets one: memory would grow with the file. Nothing here looks IDs up, so
       the table is emptied as reading goes (with XML_PARSE_NODICT the ids are not kept in
       a dictionary either). */
    if (!x->doc)
        x->doc = xmlTextReaderCurrentDoc(x->r);
    if (x->doc && x->doc->ids && (++x->nodes & 4095) == 0) {
        xmlFreeIDTable(x->doc->ids);
        x->doc->ids = NULL;
    }
    int type = xmlTextReaderNodeType(x->r);
    switch (type) {
    case XML_READER_TYPE_ENTITY_REFERENCE:
        /* Never expanded: this is how external entities (local files, URLs) and entity
           expansion bombs would reach the text. */
        lf_error_at(err, LF_ERR_INPUT, x->path, lf_xml_line(x), 0,
                    "entity reference '&%s;' refused: lexframe does not read DTD entities "
                    "(use the character itself or a character reference)",
                    (const char *)xmlTextReaderConstName(x->r));
        return -1;
    case XML_READER_TYPE_DOCUMENT_TYPE: {
        /* Entities are refused where they are declared: an entity is either external (a
           file or URL) or text that may expand without bound, in content or attributes. */
        xmlDtdPtr dtd = (xmlDtdPtr)xmlTextReaderCurrentNode(x->r);
        int n = dtd && dtd->entities ? xmlHashSize(dtd->entities) : 0;
        if (n > 0) {
            lf_error_at(err, LF_ERR_INPUT, x->path, entity_decl_line(x), 0,
                        "the DTD declares %d entit%s: refused, lexframe never reads or expands "
                        "DTD entities",
                        n, n == 1 ? "y" : "ies");
            return -1;
        }
        break;
    }
    case XML_READER_TYPE_ELEMENT:
        if ((uint64_t)xmlTextReaderDepth(x->r) + 1 > x->max_depth)
            return xml_fail_limit(x, err, "elements are nested deeper than",
                                  LF_LIMIT_XML_DEPTH, x->max_depth);
        break;
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
        xmlNodePtr n = xmlTextReaderCurrentNode(x->r);
        x->last_text_line = n ? xmlGetLineNo(n) : 0;
        const xmlChar *v = xmlTextReaderConstValue(x->r);
        if (v && strlen((const char *)v) > x->max_text)
            return xml_fail_limit(x, err, "a text node is larger than",
                                  LF_LIMIT_XML_TEXT_BYTES, x->max_text);
        break;
    }
    default:
        break;
    }
    return 1;
}

char *lf_xml_attr(lf_xml *x, const char *name)
{
    if (strncmp(name, "xml:", 4) == 0)
        return (char *)xmlTextReaderGetAttributeNs(x->r, (const xmlChar *)name + 4,
                                                   XML_XML_NAMESPACE);
    return (char *)xmlTextReaderGetAttribute(x->r, (const xmlChar *)name);
}

void lf_xml_free_attr(char *value)
{
    if (value)
        xmlFree(value);
}

bool lf_xml_is_xinclude(lf_xml *x)
{
    const xmlChar *ns = xmlTextReaderConstNamespaceUri(x->r);
    const xmlChar *ln = xmlTextReaderConstLocalName(x->r);
    return ns && ln && strcmp((const char *)ns, LF_XINCLUDE_NS) == 0 &&
           strcmp((const char *)ln, "include") == 0;
}

/* ==== element roles ==================================================================== */

static bool name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

static const char *const skip_names[] = {"note",  "gap",     "incident", "kinesic",
                                         "vocal", "stage",   "fw",       "figure",
                                         "trailer", "castList", "listEvent", NULL};
static const char *const segment_names[] = {"seg", "p", "ab", "l", NULL};
static const char *const div_names[] = {"div",  "div1", "div2", "div3",  "div4", "div5",
                                        "div6", "div7", "front", "body", "back", NULL};

void lf_tei_walk_init(lf_tei_walk *w)
{
    memset(w, 0, sizeof *w);
}

void lf_tei_walk_free(lf_tei_walk *w)
{
    LF_VEC_FREE(w->stack);
    memset(w, 0, sizeof *w);
}

unsigned lf_tei_walk_flags(const lf_tei_walk *w)
{
    return w->stack.n ? w->stack.v[w->stack.n - 1].flags : 0;
}

lf_tei_role lf_tei_walk_start(lf_tei_walk *w, const char *name)
{
    unsigned flags = lf_tei_walk_flags(w);
    lf_tei_role role = LF_TEI_OTHER;
    w->depth_root = 1;
    if (strcmp(name, "teiHeader") == 0) {
        role = LF_TEI_HEADER;
        flags |= LF_TEI_IN_HEADER;
    } else if (flags & (LF_TEI_IN_HEADER | LF_TEI_IN_SKIP)) {
        /* nothing inside a header or a skipped element has a role */
    } else if (strcmp(name, "text") == 0) {
        flags |= LF_TEI_IN_TEXT;
    } else if (!(flags & LF_TEI_IN_TEXT)) {
        /* outside <text>: standOff, the corpus' own elements */
    } else if (flags & LF_TEI_IN_SPEECH) {
        if (name_in(name, skip_names) || strcmp(name, "head") == 0) {
            role = LF_TEI_SKIP;
            flags |= LF_TEI_IN_SKIP;
        } else if (strcmp(name, "speaker") == 0 && !(flags & LF_TEI_IN_LABEL)) {
            role = LF_TEI_LABEL;
            flags |= LF_TEI_IN_LABEL;
        } else if (flags & LF_TEI_IN_LABEL) {
            /* markup inside the label */
        } else if (!(flags & LF_TEI_IN_SEGMENT) && name_in(name, segment_names)) {
            role = LF_TEI_SEGMENT;
            flags |= LF_TEI_IN_SEGMENT;
            w->n_segment++;
        } else if (strcmp(name, "s") == 0) {
            role = LF_TEI_SENTENCE;
        }
    } else if (name_in(name, skip_names)) {
        role = LF_TEI_SKIP;
        flags |= LF_TEI_IN_SKIP;
    } else if (flags & LF_TEI_IN_HEAD) {
        /* markup inside a head */
    } else if (strcmp(name, "u") == 0 || strcmp(name, "sp") == 0) {
        role = LF_TEI_SPEECH;
        flags |= LF_TEI_IN_SPEECH;
        w->n_speech++;
    } else if ((flags & LF_TEI_IN_BODY) && (strcmp(name, "p") == 0 || strcmp(name, "ab") == 0)) {
        role = LF_TEI_PARA;
        flags |= LF_TEI_IN_SPEECH | LF_TEI_IN_SEGMENT;
        w->n_speech++;
    } else if (strcmp(name, "head") == 0) {
        role = LF_TEI_HEAD;
        flags |= LF_TEI_IN_HEAD;
    } else if (name_in(name, div_names)) {
        role = LF_TEI_DIV;
        if (strcmp(name, "body") == 0)
            flags |= LF_TEI_IN_BODY;
    }
    lf_tei_frame f = {.role = (uint8_t)role, .flags = (uint16_t)flags};
    LF_VEC_PUSH(w->stack, f);
    return role;
}

void lf_tei_walk_end(lf_tei_walk *w)
{
    if (w->stack.n)
        w->stack.n--;
}

void lf_tei_id_stem(lf_buf *out, const char *doc_id)
{
    lf_buf_puts(out, "lf-");
    const char *slash = strrchr(doc_id, '/');
    const char *base = slash ? slash + 1 : doc_id;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - doc_id) : strlen(doc_id);
    for (size_t i = 0; i < n; i++) {
        char c = doc_id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_';
        lf_buf_putc(out, ok ? c : '_');
    }
}

void lf_tei_generated_id(lf_buf *out, const char *doc_id, char kind, size_t ordinal)
{
    lf_tei_id_stem(out, doc_id);
    lf_buf_printf(out, "-%c%zu", kind, ordinal);
}

/* ==== small helpers =================================================================== */

static bool streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The id a pointer names: "#x" → "x", "file.xml#x" → "x", "x" → "x". */
static const char *pointer_id(const char *p)
{
    const char *h = strrchr(p, '#');
    return h ? h + 1 : p;
}

/* Appends s[0..n) to b with runs of white space collapsed to one space; the ends are
 * trimmed by collapse_finish. */
static void collapse_append(lf_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        size_t sl = lf_space_len(p, end);
        if (sl) {
            if (b->len && b->data[b->len - 1] != ' ')
                lf_buf_putc(b, ' ');
            p += sl;
            continue;
        }
        lf_buf_putc(b, (char)*p++);
    }
}

static const char *collapse_finish(lf_buf *b, lf_arena *a)
{
    size_t n = b->len;
    while (n > 0 && b->data[n - 1] == ' ')
        n--;
    return n ? lf_arena_strndup(a, b->data, n) : NULL;
}

static size_t count_cps(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Date comparison on the common prefix: "2003-09" covers every day of that month, so a
 * range bound compares only as far as both dates are written. */
static int date_cmp_prefix(const char *d, const char *bound)
{
    size_t n = strlen(d), m = strlen(bound);
    size_t k = n < m ? n : m;
    return strncmp(d, bound, k);
}

/* Is `date` within [from, to] (either may be NULL)? NULL date: only open-ended ranges. */
static bool date_in(const char *date, const char *from, const char *to)
{
    if (!date)
        return !to;
    if (from && *from && date_cmp_prefix(date, from) < 0)
        return false;
    if (to && *to && date_cmp_prefix(date, to) > 0)
        return false;
    return true;
}

/* ==== the speaker registry: listPerson, listOrg, taxonomies ============================= */

typedef struct tei_dated {
    const char *text, *from, *to;
} tei_dated;

typedef struct tei_affil {
    const char *ref, *role, *from, *to;
} tei_affil;

typedef struct tei_person {
    const char *id;
    const char *role; /* person/@role */
    uint32_t name_first, name_count;  /* into registry names */
    uint32_t affil_first, affil_count; /* into registry affils (contiguous: one person at
                                          a time is open) */
} tei_person;

typedef struct tei_org {
    const char *id, *role, *abb, *full;
    int abb_rank, full_rank;
} tei_org;

typedef struct tei_cat {
    const char *term;
    int rank;
} tei_cat;

typedef struct tei_registry {
    lf_arena arena;
    lf_strmap person_ix, org_ix, cat_ix;
    LF_VEC(tei_person) persons;
    LF_VEC(tei_dated) names;
    LF_VEC(tei_affil) affils;
    LF_VEC(tei_org) orgs;
    LF_VEC(tei_cat) cats;
} tei_registry;

static void registry_init(tei_registry *r)
{
    memset(r, 0, sizeof *r);
    lf_arena_init(&r->arena, 16 * 1024);
    lf_strmap_init(&r->person_ix);
    lf_strmap_init(&r->org_ix);
    lf_strmap_init(&r->cat_ix);
}

static void registry_free(tei_registry *r)
{
    lf_arena_free(&r->arena);
    lf_strmap_free(&r->person_ix);
    lf_strmap_free(&r->org_ix);
    lf_strmap_free(&r->cat_ix);
    LF_VEC_FREE(r->persons);
    LF_VEC_FREE(r->names);
    LF_VEC_FREE(r->affils);
    LF_VEC_FREE(r->orgs);
    LF_VEC_FREE(r->cats);
}

static void registry_reset(tei_registry *r)
{
    registry_free(r);
    registry_init(r);
}

/* Collects registry entries from a stream of element events (any file: a document's
 * header, a corpus root, an included listPerson). Depths are the collector's own. */
typedef struct tei_collect {
    tei_registry *reg;
    int depth;
    int person_depth; /* depth of the open person/personGrp, 0 when none */
    int32_t person;
    int name_depth;   /* open persName (or a personGrp's name) */
    int part_depth, part; /* open surname (1), forename (2) or ignored name part (3) */
    lf_buf sur, fore, other;
    char *name_from, *name_to;
    int org_depth;
    int32_t org;
    int orgname_depth, orgname_rank;
    char *orgname_full;
    lf_buf orgname;
    LF_VEC(int32_t) cat_stack; /* open categories */
    LF_VEC(int) cat_depths;
    int catdesc_depth, catdesc_rank;
    int term_depth;
    lf_buf term;
} tei_collect;

static void collect_init(tei_collect *c, tei_registry *reg)
{
    memset(c, 0, sizeof *c);
    c->reg = reg;
    c->person = c->org = -1;
}

static void collect_free(tei_collect *c)
{
    lf_buf_free(&c->sur);
    lf_buf_free(&c->fore);
    lf_buf_free(&c->other);
    lf_buf_free(&c->orgname);
    lf_buf_free(&c->term);
    free(c->name_from);
    free(c->name_to);
    free(c->orgname_full);
    LF_VEC_FREE(c->cat_stack);
    LF_VEC_FREE(c->cat_depths);
    memset(c, 0, sizeof *c);
}

/* A malloc'd copy of an attribute (free with free()), or NULL. */
static char *dup_attr(lf_xml *x, const char *name)
{
    char *v = lf_xml_attr(x, name);
    char *s = v ? lf_xstrdup(v) : NULL;
    lf_xml_free_attr(v);
    return s;
}

static char *arena_attr(lf_arena *a, lf_xml *x, const char *name)
{
    char *v = lf_xml_attr(x, name);
    if (!v)
        return NULL;
    char *s = lf_arena_strdup(a, v);
    lf_xml_free_attr(v);
    return s;
}

/* English or unmarked text is preferred for names and terms. */
static int lang_rank(lf_xml *x)
{
    char *lang = lf_xml_attr(x, "xml:lang");
    int rank = !lang || strncmp(lang, "en", 2) == 0 ? 2 : 1;
    lf_xml_free_attr(lang);
    return rank;
}

static void collect_end(tei_collect *c);

static void collect_start(tei_collect *c, lf_xml *x, const char *name, bool empty)
{
    tei_registry *r = c->reg;
    int d = ++c->depth;
    if (c->person >= 0 && c->name_depth) {
        if (!c->part_depth) {
            if (streq(name, "surname"))
                c->part = 1;
            else if (streq(name, "forename"))
                c->part = 2;
            else if (streq(name, "roleName") || streq(name, "addName") ||
                     streq(name, "genName"))
                c->part = 3;
            else
                c->part = 0;
            if (c->part) {
                c->part_depth = d;
                /* several surnames or forenames are separated by a space */
                lf_buf *b = c->part == 1 ? &c->sur : c->part == 2 ? &c->fore : NULL;
                if (b && b->len)
                    lf_buf_putc(b, ' ');
            }
        }
    } else if (c->person >= 0 && (streq(name, "persName") ||
                                  (streq(name, "name") && d == c->person_depth + 1))) {
        c->name_depth = d;
        lf_buf_reset(&c->sur);
        lf_buf_reset(&c->fore);
        lf_buf_reset(&c->other);
        free(c->name_from);
        free(c->name_to);
        c->name_from = dup_attr(x, "from");
        c->name_to = dup_attr(x, "to");
        if (!c->name_from)
            c->name_from = dup_attr(x, "notBefore");
        if (!c->name_to)
            c->name_to = dup_attr(x, "notAfter");
    } else if (c->person >= 0 && streq(name, "affiliation")) {
        char *ref = lf_xml_attr(x, "ref");
        if (ref) {
            tei_affil a = {.ref = lf_arena_strdup(&r->arena, pointer_id(ref)),
                           .role = arena_attr(&r->arena, x, "role"),
                           .from = arena_attr(&r->arena, x, "from"),
                           .to = arena_attr(&r->arena, x, "to")};
            char *when = lf_xml_attr(x, "when");
            if (when && !a.from && !a.to)
                a.from = a.to = lf_arena_strdup(&r->arena, when);
            lf_xml_free_attr(when);
            if (!a.from)
                a.from = arena_attr(&r->arena, x, "notBefore");
            if (!a.to)
                a.to = arena_attr(&r->arena, x, "notAfter");
            LF_VEC_PUSH(r->affils, a);
            r->persons.v[c->person].affil_count++;
        }
        lf_xml_free_attr(ref);
    } else if (c->person < 0 && (streq(name, "person") || streq(name, "personGrp"))) {
        char *id = lf_xml_attr(x, "xml:id");
        if (id && !empty) {
            bool added;
            uint32_t ix = lf_strmap_intern(&r->person_ix, id, strlen(id),
                                           (uint32_t)r->persons.n, &added);
            if (added) {
                tei_person p = {.id = lf_arena_strdup(&r->arena, id),
                                .role = arena_attr(&r->arena, x, "role"),
                                .name_first = (uint32_t)r->names.n,
                                .affil_first = (uint32_t)r->affils.n};
                LF_VEC_PUSH(r->persons, p);
                c->person = (int32_t)ix;
                c->person_depth = d;
            }
        }
        lf_xml_free_attr(id);
    } else if (c->org < 0 && streq(name, "org")) {
        char *id = lf_xml_attr(x, "xml:id");
        if (id && !empty) {
            bool added;
            uint32_t ix =
                lf_strmap_intern(&r->org_ix, id, strlen(id), (uint32_t)r->orgs.n, &added);
            if (added) {
                tei_org o = {.id = lf_arena_strdup(&r->arena, id),
                             .role = arena_attr(&r->arena, x, "role")};
                LF_VEC_PUSH(r->orgs, o);
                c->org = (int32_t)ix;
                c->org_depth = d;
            }
        }
        lf_xml_free_attr(id);
    } else if (c->org >= 0 && !c->orgname_depth && streq(name, "orgName")) {
        c->orgname_depth = d;
        c->orgname_rank = lang_rank(x);
        free(c->orgname_full);
        c->orgname_full = dup_attr(x, "full");
        lf_buf_reset(&c->orgname);
    } else if (streq(name, "category")) {
        char *id = lf_xml_attr(x, "xml:id");
        int32_t ix = -1;
        if (id) {
            bool added;
            ix = (int32_t)lf_strmap_intern(&r->cat_ix, id, strlen(id), (uint32_t)r->cats.n,
                                           &added);
            if (added) {
                tei_cat cat = {0};
                LF_VEC_PUSH(r->cats, cat);
            }
        }
        lf_xml_free_attr(id);
        LF_VEC_PUSH(c->cat_stack, ix);
        LF_VEC_PUSH(c->cat_depths, d);
    } else if (c->cat_stack.n && !c->catdesc_depth &&
               (streq(name, "catDesc") || streq(name, "gloss"))) {
        c->catdesc_depth = d;
        c->catdesc_rank = lang_rank(x);
    } else if (c->catdesc_depth && !c->term_depth && streq(name, "term")) {
        c->term_depth = d;
        lf_buf_reset(&c->term);
    }
    if (empty)
        collect_end(c); /* an empty element ends at once */
}

static void collect_text(tei_collect *c, const char *s, size_t n)
{
    if (c->person >= 0 && c->name_depth) {
        lf_buf *b = c->part == 1 && c->part_depth   ? &c->sur
                    : c->part == 2 && c->part_depth ? &c->fore
                    : c->part == 3 && c->part_depth ? NULL
                                                    : &c->other;
        if (b)
            lf_buf_append(b, s, n);
    } else if (c->orgname_depth) {
        lf_buf_append(&c->orgname, s, n);
    } else if (c->term_depth) {
        lf_buf_append(&c->term, s, n);
    }
}

static const char *buf_collapsed(lf_buf *src, lf_arena *a)
{
    lf_buf o = {0};
    collapse_append(&o, src->data ? src->data : "", src->len);
    size_t s0 = o.len && o.data[0] == ' ' ? 1 : 0;
    size_t e = o.len;
    while (e > s0 && o.data[e - 1] == ' ')
        e--;
    const char *out = e > s0 ? lf_arena_strndup(a, o.data + s0, e - s0) : NULL;
    lf_buf_free(&o);
    return out;
}

/* Names as ParlaMint writes them: "Surname, Forename Forename"; plain text otherwise. */
static const char *person_name(tei_collect *c, lf_arena *a)
{
    const char *sur = buf_collapsed(&c->sur, a), *fore = buf_collapsed(&c->fore, a);
    if (sur && fore) {
        lf_buf n = {0};
        lf_buf_printf(&n, "%s, %s", sur, fore);
        const char *out = lf_arena_strdup(a, lf_buf_cstr(&n));
        lf_buf_free(&n);
        return out;
    }
    if (sur || fore)
        return sur ? sur : fore;
    return buf_collapsed(&c->other, a);
}

static void collect_end(tei_collect *c)
{
    tei_registry *r = c->reg;
    int d = c->depth--;
    if (c->part_depth == d) {
        c->part_depth = 0;
        c->part = 0;
    }
    if (c->name_depth == d) {
        c->name_depth = 0;
        const char *text = person_name(c, &r->arena);
        if (text && c->person >= 0) {
            /* names of one person are contiguous: a person is read before the next */
            tei_dated nm = {.text = text,
                            .from = c->name_from ? lf_arena_strdup(&r->arena, c->name_from)
                                                 : NULL,
                            .to = c->name_to ? lf_arena_strdup(&r->arena, c->name_to) : NULL};
            LF_VEC_PUSH(r->names, nm);
            r->persons.v[c->person].name_count++;
        }
    } else if (c->person_depth == d) {
        c->person_depth = 0;
        c->person = -1;
    } else if (c->orgname_depth == d) {
        c->orgname_depth = 0;
        const char *text = buf_collapsed(&c->orgname, &r->arena);
        tei_org *o = &r->orgs.v[c->org];
        bool abb = streq(c->orgname_full, "abb") || streq(c->orgname_full, "init");
        if (text && abb && c->orgname_rank > o->abb_rank) {
            o->abb = text;
            o->abb_rank = c->orgname_rank;
        } else if (text && !abb && c->orgname_rank > o->full_rank) {
            o->full = text;
            o->full_rank = c->orgname_rank;
        }
    } else if (c->org_depth == d) {
        c->org_depth = 0;
        c->org = -1;
    } else if (c->term_depth == d) {
        c->term_depth = 0;
        int32_t ci = c->cat_stack.v[c->cat_stack.n - 1];
        const char *text = buf_collapsed(&c->term, &r->arena);
        if (ci >= 0 && text && c->catdesc_rank > r->cats.v[ci].rank) {
            r->cats.v[ci].term = text;
            r->cats.v[ci].rank = c->catdesc_rank;
        }
    } else if (c->catdesc_depth == d) {
        c->catdesc_depth = 0;
    } else if (c->cat_depths.n && c->cat_depths.v[c->cat_depths.n - 1] == d) {
        c->cat_depths.n--;
        c->cat_stack.n--;
    }
}

/* ==== include paths ===================================================================== */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return lf_xstrdup(".");
    if (slash == path)
        return lf_xstrdup("/");
    return lf_xstrndup(path, (size_t)(slash - path));
}

static const char why_relative[] = "only relative file paths are followed";
static const char why_url[] = "URLs are never followed";
static const char why_outside[] = "it is outside the corpus directory";

/* A refusal, as opposed to a file that is simply not there. */
static bool is_missing_reason(const char *why)
{
    return why != why_relative && why != why_url && why != why_outside;
}

/* Resolves an xi:include href against the including file: a relative path that, symlinks
 * followed, stays inside allowed_dir. Returns the path (malloc'd), or NULL with *why. */
static char *resolve_include(const char *from_file, const char *href, const char *allowed_dir,
                             const char **why)
{
    *why = NULL;
    if (!href || !*href || href[0] == '/' || strchr(href, '\\') || strchr(href, '#')) {
        *why = why_relative;
        return NULL;
    }
    for (const char *p = href; *p && *p != '/'; p++) {
        if (*p == ':') { /* a URL scheme: never the network */
            *why = why_url;
            return NULL;
        }
    }
    char *dir = dir_of(from_file);
    lf_buf b = {0};
    lf_buf_printf(&b, "%s/%s", dir, href);
    free(dir);
    char *real = realpath(lf_buf_cstr(&b), NULL);
    lf_buf_free(&b);
    if (!real) {
        *why = strerror(errno);
        return NULL;
    }
    char *base = realpath(allowed_dir, NULL);
    size_t bl = base ? strlen(base) : 0;
    bool inside = base && strncmp(real, base, bl) == 0 &&
                  (real[bl] == '/' || (bl == 1 && base[0] == '/'));
    free(base);
    if (!inside) {
        free(real);
        *why = why_outside;
        return NULL;
    }
    return real;
}

/* ==== the reader's state ================================================================ */

typedef struct div_frame {
    const char *title; /* in t->docarena, or NULL */
} div_frame;

typedef struct next_link {
    const char *from_id, *who; /* in t->docarena */
} next_link;

struct lf_tei {
    uint64_t limits[LF_LIMIT_COUNT];
    FILE *warn;
    tei_registry speakers; /* --speakers */
    bool have_speakers;
    char *root_path;       /* the corpus root whose registry is cached */
    bool use_root;         /* the current document belongs to it */
    tei_registry root;
    lf_error root_err;     /* a corpus root that cannot be read fails its documents */
    lf_buf root_warnings;  /* what reading the cached root warned of */
    bool capturing;        /* warnings go to root_warnings */
    int root_first;        /* lf_tei_set_root_first: -1 not said, 0 no, 1 yes */

    /* the document being read */
    bool pending;
    lf_xml x;
    char *path, *id, *allowed_dir;
    lf_tei_walk walk;
    tei_registry docreg;
    tei_collect col;
    lf_arena docarena;     /* strings kept across parts */
    uint32_t part;
    size_t line;           /* source line at the end of the text extracted so far */
    bool saw_root;
    /* header */
    bool title_done;
    int titlestmt_depth, title_depth, setting_depth, date_depth;
    int title_rank;        /* 2 main/untyped, 1 other, 0 none yet */
    char *title_type;
    lf_buf capture;
    const char *title, *subtitle, *date, *cur_date, *setting_date_text;
    LF_VEC(lf_meta) meta;
    /* divisions and heads */
    LF_VEC(div_frame) divs;
    lf_buf head;
    /* the open speech */
    bool in_speech;
    lf_tei_role speech_role;
    size_t speech_line;
    const char *speech_id;  /* in the part's doc arena */
    char *who, *ana, *next, *prev;
    bool speech_gap;
    size_t turn_span_first;
    lf_buf label;
    uint64_t speech_chars, seg_chars;
    const char *seg_id;     /* in the part's doc arena */
    bool in_segment;
    /* the open span */
    bool span_open, pending_para;
    size_t span_start, span_last;
    uint32_t span_offset, span_chars;
    size_t text_chars;      /* code points in `text` */
    const char *span_element;
    /* per document */
    lf_strmap label_names;  /* who → first <speaker> text (index into label_vec) */
    LF_VEC(const char *) label_vec;
    lf_strmap next_ix;      /* utterance id named by an earlier @next → next_vec index */
    LF_VEC(next_link) next_vec;
    /* per part */
    lf_buf text;
    lf_strmap speaker_ix;
    lf_buf key, idbuf;
};

static void tei_doc_clear(lf_tei *t);

void lf_tei_set_warnings(lf_tei *t, FILE *fp)
{
    t->warn = fp;
}

void lf_tei_set_root_first(lf_tei *t, bool first)
{
    t->root_first = first;
}

bool lf_tei_pending(const lf_tei *t)
{
    return t->pending;
}

static void warn(lf_tei *t, const char *path, size_t line, const char *fmt, ...) LF_PRINTF(4, 5);

static void warn(lf_tei *t, const char *path, size_t line, const char *fmt, ...)
{
    if (t->capturing) {
        if (line)
            lf_buf_printf(&t->root_warnings, "lexframe: warning: %s:%zu: ", path, line);
        else
            lf_buf_printf(&t->root_warnings, "lexframe: warning: %s: ", path);
        va_list ap;
        va_start(ap, fmt);
        lf_buf_vprintf(&t->root_warnings, fmt, ap);
        va_end(ap);
        lf_buf_putc(&t->root_warnings, '\n');
        return;
    }
    if (!t->warn)
        return;
    if (line)
        fprintf(t->warn, "lexframe: warning: %s:%zu: ", path, line);
    else
        fprintf(t->warn, "lexframe: warning: %s: ", path);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(t->warn, fmt, ap);
    va_end(ap);
    fputc('\n', t->warn);
}

/* Reads a registry file (a corpus root, a --speakers file or a file they include) into
 * reg. xi:includes are followed inside a teiHeader, and anywhere in a file that is not a
 * TEI document (a listPerson file), up to 8 levels deep, staying inside allowed_dir.
 * Unreadable includes are warnings; XML errors in the file itself fail. */
static lf_status registry_load(lf_tei *t, tei_registry *reg, const char *path,
                               const char *allowed_dir, int level, lf_error *err)
{
    lf_xml x;
    lf_status st = lf_xml_open(&x, path, t->limits, err);
    if (st != LF_OK)
        return st;
    tei_collect c;
    collect_init(&c, reg);
    lf_tei_walk w;
    lf_tei_walk_init(&w);
    bool root_seen = false, is_tei = false;
    int rc;
    while ((rc = lf_xml_next(&x, err)) == 1) {
        int type = xmlTextReaderNodeType(x.r);
        if (type == XML_READER_TYPE_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstLocalName(x.r);
            bool empty = xmlTextReaderIsEmptyElement(x.r);
            if (!root_seen) {
                root_seen = true;
                is_tei = streq(name, "TEI") || streq(name, "teiCorpus");
            }
            lf_tei_walk_start(&w, name);
            unsigned flags = lf_tei_walk_flags(&w);
            if (lf_xml_is_xinclude(&x) && (!is_tei || (flags & LF_TEI_IN_HEADER))) {
                char *href = lf_xml_attr(&x, "href");
                const char *why;
                char *inc = level < 8 ? resolve_include(path, href, allowed_dir, &why) : NULL;
                if (level >= 8)
                    why = "includes are nested more than 8 levels deep";
                if (!inc) {
                    warn(t, path, lf_xml_line(&x), "xi:include '%s' not read: %s",
                         href ? href : "", why);
                } else {
                    st = registry_load(t, reg, inc, allowed_dir, level + 1, err);
                    free(inc);
                }
                lf_xml_free_attr(href);
                if (st != LF_OK)
                    break;
            }
            collect_start(&c, &x, name, empty);
            if (empty)
                lf_tei_walk_end(&w);
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            collect_end(&c);
            lf_tei_walk_end(&w);
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
            const char *v = (const char *)xmlTextReaderConstValue(x.r);
            if (v)
                collect_text(&c, v, strlen(v));
        }
    }
    if (rc < 0)
        st = err->status;
    collect_free(&c);
    lf_tei_walk_free(&w);
    lf_xml_close(&x);
    return st;
}

lf_tei *lf_tei_new(const lf_options *opt, lf_error *err)
{
    /* libxml2 sets up its global state here, once and before any worker thread parses:
       pipelines are built on the main thread (see run.c) */
    xmlInitParser();
    lf_tei *t = lf_xcalloc(1, sizeof *t);
    t->x.fd = -1; /* no file open: closing must not close descriptor 0 (standard input) */
    memcpy(t->limits, opt->limits, sizeof t->limits);
    t->warn = stderr;
    t->root_first = -1;
    registry_init(&t->speakers);
    registry_init(&t->root);
    registry_init(&t->docreg);
    lf_arena_init(&t->docarena, 16 * 1024);
    lf_strmap_init(&t->label_names);
    lf_strmap_init(&t->next_ix);
    lf_strmap_init(&t->speaker_ix);
    if (opt->speakers_file) {
        char *dir = dir_of(opt->speakers_file);
        lf_status st = registry_load(t, &t->speakers, opt->speakers_file, dir, 0, err);
        free(dir);
        if (st != LF_OK) {
            lf_error inner = *err;
            lf_error_set(err, inner.status, "--speakers: %.1000s", inner.message);
            lf_tei_free(t);
            return NULL;
        }
        t->have_speakers = true;
    }
    return t;
}

void lf_tei_free(lf_tei *t)
{
    if (!t)
        return;
    tei_doc_clear(t);
    registry_free(&t->speakers);
    registry_free(&t->root);
    registry_free(&t->docreg);
    lf_arena_free(&t->docarena);
    lf_strmap_free(&t->label_names);
    lf_strmap_free(&t->next_ix);
    lf_strmap_free(&t->speaker_ix);
    LF_VEC_FREE(t->label_vec);
    LF_VEC_FREE(t->next_vec);
    LF_VEC_FREE(t->meta);
    LF_VEC_FREE(t->divs);
    lf_buf_free(&t->capture);
    lf_buf_free(&t->head);
    lf_buf_free(&t->label);
    lf_buf_free(&t->text);
    lf_buf_free(&t->key);
    lf_buf_free(&t->idbuf);
    free(t->root_path);
    lf_buf_free(&t->root_warnings);
    free(t);
}

/* Ends the current document's reading, keeping the run-wide state. */
static void tei_doc_clear(lf_tei *t)
{
    lf_xml_close(&t->x);
    collect_free(&t->col);
    lf_tei_walk_free(&t->walk);
    free(t->path);
    free(t->id);
    free(t->allowed_dir);
    free(t->title_type);
    free(t->who);
    free(t->ana);
    free(t->next);
    free(t->prev);
    t->path = t->id = t->allowed_dir = t->title_type = NULL;
    t->who = t->ana = t->next = t->prev = NULL;
    t->pending = false;
}

/* ---- registry lookups: the document, its corpus root, the --speakers file ---- */

static const tei_registry *chain(const lf_tei *t, int i)
{
    switch (i) {
    case 0:
        return &t->docreg;
    case 1:
        return t->use_root ? &t->root : NULL;
    default:
        return t->have_speakers ? &t->speakers : NULL;
    }
}

/* Looks id up in one of the registries' maps, in chain order: the registry that has it
 * and the index there. */
typedef enum { IN_PERSONS, IN_ORGS, IN_CATS } reg_map;

static bool find_in_chain(const lf_tei *t, reg_map which, const char *id,
                          const tei_registry **in, uint32_t *ix)
{
    for (int i = 0; i < 3; i++) {
        const tei_registry *r = chain(t, i);
        if (!r)
            continue;
        const lf_strmap *m = which == IN_PERSONS ? &r->person_ix
                             : which == IN_ORGS  ? &r->org_ix
                                                 : &r->cat_ix;
        if (lf_strmap_get(m, id, strlen(id), ix) && (which != IN_CATS || r->cats.v[*ix].term)) {
            *in = r;
            return true;
        }
    }
    return false;
}

static const tei_person *find_person(const lf_tei *t, const char *id, const tei_registry **in)
{
    uint32_t ix;
    return find_in_chain(t, IN_PERSONS, id, in, &ix) ? &(*in)->persons.v[ix] : NULL;
}

static const tei_org *find_org(const lf_tei *t, const char *id)
{
    const tei_registry *r;
    uint32_t ix;
    return find_in_chain(t, IN_ORGS, id, &r, &ix) ? &r->orgs.v[ix] : NULL;
}

static const char *find_term(const lf_tei *t, const char *id)
{
    const tei_registry *r;
    uint32_t ix;
    return find_in_chain(t, IN_CATS, id, &r, &ix) ? r->cats.v[ix].term : NULL;
}

/* The name valid on date (or the first). */
static const char *person_display(const tei_registry *r, const tei_person *p, const char *date)
{
    const char *first = NULL;
    for (uint32_t i = 0; i < p->name_count; i++) {
        const tei_dated *n = &r->names.v[p->name_first + i];
        if (!first)
            first = n->text;
        if ((n->from || n->to) && date_in(date, n->from, n->to))
            return n->text;
    }
    return first;
}

/* A party affiliation: the org is a political party or parliamentary group, or (not
 * declared) its id says "party.". */
static bool is_party(const lf_tei *t, const tei_affil *a, const tei_org **org)
{
    *org = find_org(t, a->ref);
    if (*org && (*org)->role)
        return streq((*org)->role, "politicalParty") || streq((*org)->role, "parliamentaryGroup");
    return strncmp(a->ref, "party.", 6) == 0 || strncmp(a->ref, "party_", 6) == 0;
}

/* The party affiliation valid on date; among several, a political party before a group,
 * then the latest start. */
static const char *person_party(const lf_tei *t, const tei_registry *r, const tei_person *p,
                                const char *date)
{
    const tei_affil *best = NULL;
    const tei_org *best_org = NULL;
    int best_kind = -1;
    for (uint32_t i = 0; i < p->affil_count; i++) {
        const tei_affil *a = &r->affils.v[p->affil_first + i];
        const tei_org *org;
        if (!is_party(t, a, &org) || !date_in(date, a->from, a->to))
            continue;
        int kind = org && streq(org->role, "parliamentaryGroup") ? 0 : 1;
        const char *af = a->from ? a->from : "";
        const char *bf = best && best->from ? best->from : "";
        if (!best || kind > best_kind || (kind == best_kind && strcmp(af, bf) > 0)) {
            best = a;
            best_org = org;
            best_kind = kind;
        }
    }
    if (!best)
        return NULL;
    if (best_org)
        return best_org->abb ? best_org->abb : best_org->full ? best_org->full : best_org->id;
    return best->ref;
}

/* ---- building the part ---- */

static void text_append(lf_tei *t, lf_doc *doc, const char *s, size_t n)
{
    size_t at = t->text.len;
    lf_buf_append(&t->text, s, n);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        t->text_chars += ((unsigned char)c & 0xC0) != 0x80;
        if (c != '\n' && c != '\r')
            continue;
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
            i++;
        if (doc->n_lines == doc->cap_lines)
            lf_grow((void **)&doc->line_starts, &doc->cap_lines, doc->n_lines + 1,
                    sizeof *doc->line_starts);
        doc->line_starts[doc->n_lines++] = (uint32_t)(at + i + 1);
        t->line++;
    }
}

/* Only the line breaks of text that is not speech: the extracted text keeps the source's
 * line numbers. */
static void text_newlines(lf_tei *t, lf_doc *doc, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            text_append(t, doc, "\n", 1);
        else if (s[i] == '\r' && !(i + 1 < n && s[i + 1] == '\n'))
            text_append(t, doc, "\n", 1);
    }
}

static void pad_to_line(lf_tei *t, lf_doc *doc, size_t line)
{
    if (t->span_open)
        return; /* never inside a span: its bytes must be the source's characters */
    while (t->line < line)
        text_append(t, doc, "\n", 1);
}

static void close_span(lf_tei *t, lf_doc *doc)
{
    if (!t->span_open)
        return;
    t->span_open = false;
    lf_grow((void **)&doc->spans, &doc->cap_spans, doc->n_spans + 1, sizeof *doc->spans);
    lf_grow((void **)&doc->span_src, &doc->cap_span_src, doc->n_spans + 1,
            sizeof *doc->span_src);
    doc->span_src[doc->n_spans] = (lf_span_src){.element = t->span_element,
                                                 .offset = t->span_offset,
                                                 .chars = t->span_chars,
                                                 .para = t->pending_para};
    doc->spans[doc->n_spans++] = (lf_span){(uint32_t)t->span_start, (uint32_t)t->span_last};
    t->pending_para = false;
}

/* Speech text: leading white space is counted but not spanned; the span ends after its
 * last non-space character. */
static void speech_text(lf_tei *t, lf_doc *doc, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    const unsigned char *q = p;
    uint64_t *counter = t->in_segment ? &t->seg_chars : &t->speech_chars;
    if (!t->span_open) {
        size_t sl;
        while (q < end && (sl = lf_space_len(q, end)) != 0)
            q += sl;
        text_append(t, doc, s, (size_t)(q - p));
        size_t lead = count_cps(s, (size_t)(q - p));
        t->speech_chars += lead;
        if (t->in_segment)
            t->seg_chars += lead;
        if (q == end)
            return;
        t->span_open = true;
        t->span_start = t->text.len;
        t->span_chars = (uint32_t)t->text_chars;
        t->span_offset = (uint32_t)*counter;
        t->span_element = t->in_segment ? t->seg_id : t->speech_id;
    }
    size_t rest = (size_t)(end - q);
    text_append(t, doc, (const char *)q, rest);
    /* the last non-space byte decides where the span ends */
    const unsigned char *e = end;
    while (e > q) {
        const unsigned char *c = e - 1;
        while (c > q && (*c & 0xC0) == 0x80)
            c--;
        size_t sl = lf_space_len(c, end);
        if (!sl || c + sl != e)
            break;
        e = c;
    }
    if (e > q)
        t->span_last = t->text.len - (size_t)(end - e);
    size_t cps = count_cps((const char *)q, rest);
    t->speech_chars += cps;
    if (t->in_segment)
        t->seg_chars += cps;
}

static const char *doc_str(lf_doc *doc, const char *s)
{
    return s ? lf_arena_strdup(&doc->arena, s) : NULL;
}

/* The id of an element with a role that carries one: its xml:id or the generated one. */
static const char *element_id(lf_tei *t, lf_doc *doc, bool speech, uint32_t ordinal)
{
    char *id = lf_xml_attr(&t->x, "xml:id");
    const char *out;
    if (id) {
        out = lf_arena_strdup(&doc->arena, id);
        lf_xml_free_attr(id);
    } else {
        lf_buf_reset(&t->idbuf);
        lf_tei_generated_id(&t->idbuf, t->id, speech ? 'u' : 's', ordinal);
        out = lf_arena_strdup(&doc->arena, lf_buf_cstr(&t->idbuf));
    }
    return out;
}

static void add_meta(lf_tei *t, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    for (size_t i = 0; i < t->meta.n; i++)
        if (strcmp(t->meta.v[i].key, key) == 0)
            return; /* the first value wins (the outermost header) */
    lf_meta m = {.key = lf_arena_strdup(&t->docarena, key),
                 .value = lf_arena_strdup(&t->docarena, value)};
    LF_VEC_PUSH(t->meta, m);
}

/* ParlaMint's meeting elements: <meeting n="57" ana="#parla.term …" corresp="#parliament.HC">. */
static void meeting_meta(lf_tei *t)
{
    char *n = lf_xml_attr(&t->x, "n");
    char *ana = lf_xml_attr(&t->x, "ana");
    char *corresp = lf_xml_attr(&t->x, "corresp");
    static const struct {
        const char *token, *key;
    } kinds[] = {{"parla.term", "term"},
                 {"parla.session", "session"},
                 {"parla.meeting", "meeting"},
                 {"parla.sitting", "sitting"}};
    if (ana) {
        char *save = NULL;
        for (char *tok = strtok_r(ana, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
            const char *id = pointer_id(tok);
            for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
                if (n && strcmp(id, kinds[k].token) == 0)
                    add_meta(t, kinds[k].key, n);
            if (strcmp(id, "parla.lower") == 0)
                add_meta(t, "house", "lower");
            else if (strcmp(id, "parla.upper") == 0)
                add_meta(t, "house", "upper");
        }
    }
    if (corresp)
        add_meta(t, "body", pointer_id(corresp));
    lf_xml_free_attr(n);
    lf_xml_free_attr(ana);
    lf_xml_free_attr(corresp);
}

/* The speaker of the turn that ends: who → listPerson (names, parties on the date),
 * else the <speaker> label. */
static int32_t resolve_speaker(lf_tei *t, lf_doc *doc)
{
    const char *date = t->cur_date ? t->cur_date : t->date;
    lf_buf label = {0}, name = {0}, party = {0};
    const char *role = NULL;
    size_t ids = 0;
    const char *label_text = NULL;
    if (t->label.len) {
        lf_buf tmp = {0};
        collapse_append(&tmp, t->label.data, t->label.len);
        label_text = collapse_finish(&tmp, &t->docarena);
        lf_buf_free(&tmp);
        if (label_text) {
            size_t m = lf_label_normalize(label_text, strlen(label_text), (char *)label_text);
            ((char *)label_text)[m] = '\0';
            if (!m)
                label_text = NULL;
        }
    }
    if (t->who) {
        char *save = NULL;
        char *who = lf_xstrdup(t->who);
        for (char *tok = strtok_r(who, " \t\n\r", &save); tok;
             tok = strtok_r(NULL, " \t\n\r", &save)) {
            const char *id = pointer_id(tok);
            if (!*id)
                continue;
            const tei_registry *reg = NULL;
            const tei_person *p = find_person(t, id, &reg);
            const char *nm = p ? person_display(reg, p, date) : NULL;
            /* a placeholder name (the id itself) gives way to the speech's own label */
            if (!nm || strcmp(nm, id) == 0) {
                uint32_t li;
                if (lf_strmap_get(&t->label_names, id, strlen(id), &li))
                    nm = t->label_vec.v[li];
                else if (label_text) {
                    lf_strmap_put(&t->label_names, id, strlen(id), (uint32_t)t->label_vec.n);
                    LF_VEC_PUSH(t->label_vec, label_text);
                    nm = label_text;
                }
            }
            if (ids++) {
                lf_buf_putc(&label, ' ');
                lf_buf_puts(&name, " & ");
            }
            lf_buf_puts(&label, id);
            lf_buf_puts(&name, nm ? nm : id);
            const char *pa = p ? person_party(t, reg, p, date) : NULL;
            if (pa && !(party.len && strstr(lf_buf_cstr(&party), pa))) {
                if (party.len)
                    lf_buf_puts(&party, " & ");
                lf_buf_puts(&party, pa);
            }
            if (p && p->role && !role)
                role = p->role;
        }
        free(who);
    }
    if (!ids && label_text) {
        lf_buf_puts(&label, label_text);
        lf_buf_puts(&name, label_text);
        ids = 1;
    }
    int32_t out = -1;
    if (ids) {
        lf_buf_reset(&t->key);
        lf_buf_printf(&t->key, "%s%c%s%c%s%c%s", lf_buf_cstr(&label), 0x1f, lf_buf_cstr(&name),
                      0x1f, party.len ? lf_buf_cstr(&party) : "", 0x1f, role ? role : "");
        bool added;
        uint32_t ix = lf_strmap_intern(&t->speaker_ix, t->key.data, t->key.len,
                                       (uint32_t)doc->n_speakers, &added);
        if (added) {
            lf_speaker sp = {.label = doc_str(doc, lf_buf_cstr(&label)),
                             .name = doc_str(doc, lf_buf_cstr(&name)),
                             .role = doc_str(doc, role),
                             .party = party.len ? doc_str(doc, lf_buf_cstr(&party)) : NULL};
            lf_grow((void **)&doc->speakers, &doc->cap_speakers, doc->n_speakers + 1,
                    sizeof *doc->speakers);
            doc->speakers[doc->n_speakers++] = sp;
        }
        out = (int32_t)ix;
    }
    lf_buf_free(&label);
    lf_buf_free(&name);
    lf_buf_free(&party);
    return out;
}

/* u/@ana="#chair" → the taxonomy's term for "chair" ("Chairperson"), else "chair". */
static const char *turn_role(lf_tei *t, lf_doc *doc)
{
    if (!t->ana)
        return NULL;
    char *ana = lf_xstrdup(t->ana);
    char *save = NULL;
    const char *out = NULL, *first = NULL;
    for (char *tok = strtok_r(ana, " \t\n\r", &save); tok && !out;
         tok = strtok_r(NULL, " \t\n\r", &save)) {
        const char *id = pointer_id(tok);
        if (!*id)
            continue;
        if (!first)
            first = id;
        const char *term = find_term(t, id);
        if (term)
            out = doc_str(doc, term);
    }
    if (!out && first)
        out = doc_str(doc, first);
    free(ana);
    return out;
}

static const char *section_path(lf_tei *t, lf_doc *doc)
{
    lf_buf b = {0};
    for (size_t i = 0; i < t->divs.n; i++) {
        if (!t->divs.v[i].title)
            continue;
        if (b.len)
            lf_buf_puts(&b, " / ");
        lf_buf_puts(&b, t->divs.v[i].title);
    }
    const char *out = b.len ? doc_str(doc, lf_buf_cstr(&b)) : NULL;
    lf_buf_free(&b);
    return out;
}

static void set_attr(lf_tei *t, char **slot, const char *name)
{
    free(*slot);
    *slot = dup_attr(&t->x, name);
}

static void speech_start(lf_tei *t, lf_doc *doc, lf_tei_role role)
{
    t->in_speech = true;
    t->speech_role = role;
    t->speech_line = lf_xml_line(&t->x);
    t->speech_id = element_id(t, doc, true, t->walk.n_speech);
    set_attr(t, &t->who, "who");
    set_attr(t, &t->ana, "ana");
    set_attr(t, &t->next, "next");
    set_attr(t, &t->prev, "prev");
    t->speech_gap = false;
    t->turn_span_first = doc->n_spans;
    lf_buf_reset(&t->label);
    t->speech_chars = t->seg_chars = 0;
    t->pending_para = false;
    t->in_segment = role == LF_TEI_PARA;
    t->seg_id = t->speech_id;
}

static lf_status speech_end(lf_tei *t, lf_doc *doc, lf_error *err)
{
    close_span(t, doc);
    t->in_speech = false;
    t->in_segment = false;
    /* an interrupted utterance continues its first part, and takes its speaker when it
       names none */
    const char *continues = NULL;
    uint32_t li;
    if (lf_strmap_get(&t->next_ix, t->speech_id, strlen(t->speech_id), &li)) {
        continues = t->next_vec.v[li].from_id;
        if (!t->who && t->next_vec.v[li].who)
            t->who = lf_xstrdup(t->next_vec.v[li].who);
    }
    if (t->prev && !continues)
        continues = pointer_id(t->prev);
    if (t->next) {
        const char *target = pointer_id(t->next);
        next_link nl = {.from_id = lf_arena_strdup(&t->docarena, t->speech_id),
                        .who = t->who ? lf_arena_strdup(&t->docarena, t->who) : NULL};
        lf_strmap_put(&t->next_ix, target, strlen(target), (uint32_t)t->next_vec.n);
        LF_VEC_PUSH(t->next_vec, nl);
    }
    if (doc->n_turns >= t->limits[LF_LIMIT_TURNS]) {
        const char *name = lf_limit_table()[LF_LIMIT_TURNS].name;
        lf_error_at(err, LF_ERR_LIMIT, doc->path, t->speech_line, 0,
                    "document has more turns than the %s limit (%llu); raise it with --limit "
                    "%s=N",
                    name, (unsigned long long)t->limits[LF_LIMIT_TURNS], name);
        return LF_ERR_LIMIT;
    }
    int32_t speaker = t->speech_role == LF_TEI_PARA ? -1 : resolve_speaker(t, doc);
    size_t n_spans = doc->n_spans - t->turn_span_first;
    lf_grow((void **)&doc->turns, &doc->cap_turns, doc->n_turns + 1, sizeof *doc->turns);
    doc->turns[doc->n_turns++] = (lf_turn){
        .speaker = speaker,
        .line = (uint32_t)t->speech_line,
        .span_first = (uint32_t)t->turn_span_first,
        .span_count = (uint32_t)n_spans,
        .gap = n_spans == 0 && t->speech_gap,
        .role = turn_role(t, doc),
        .xml_id = t->speech_id,
        .section = section_path(t, doc),
        .continues = continues ? doc_str(doc, continues) : NULL,
    };
    return LF_OK;
}

/* ---- header elements ---- */

static void header_start(lf_tei *t, const char *name, int depth, bool empty)
{
    if (!t->title_done && !t->titlestmt_depth && streq(name, "titleStmt")) {
        t->titlestmt_depth = depth;
    } else if (t->titlestmt_depth && !t->title_depth && streq(name, "title")) {
        free(t->title_type);
        t->title_type = dup_attr(&t->x, "type");
        t->title_depth = depth;
        lf_buf_reset(&t->capture);
    } else if (t->titlestmt_depth && streq(name, "meeting")) {
        meeting_meta(t);
    } else if (!t->setting_depth && streq(name, "setting")) {
        t->setting_depth = depth;
    } else if (t->setting_depth && !t->date_depth && streq(name, "date")) {
        char *when = lf_xml_attr(&t->x, "when");
        if (when) {
            t->cur_date = lf_arena_strdup(&t->docarena, when);
            if (!t->date)
                t->date = t->cur_date;
        } else if (!empty) {
            t->date_depth = depth;
            lf_buf_reset(&t->capture);
        }
        lf_xml_free_attr(when);
    }
}

static void header_end(lf_tei *t, int depth)
{
    if (t->title_depth == depth) {
        t->title_depth = 0;
        const char *text = buf_collapsed(&t->capture, &t->docarena);
        bool main = !t->title_type || streq(t->title_type, "main");
        if (text && main && t->title_rank < 2) {
            t->title = text;
            t->title_rank = 2;
        } else if (text && !t->title_rank) {
            t->title = text;
            t->title_rank = 1;
        }
        if (text && streq(t->title_type, "sub") && !t->subtitle)
            t->subtitle = text;
    } else if (t->titlestmt_depth == depth) {
        t->titlestmt_depth = 0;
        t->title_done = true;
    } else if (t->date_depth == depth) {
        t->date_depth = 0;
        const char *text = buf_collapsed(&t->capture, &t->docarena);
        if (text) {
            t->cur_date = text;
            if (!t->date)
                t->date = text;
        }
    } else if (t->setting_depth == depth) {
        t->setting_depth = 0;
    }
}

/* ---- one part ---- */

static void finish_part_meta(lf_tei *t, lf_doc *doc)
{
    doc->title = doc_str(doc, t->title);
    doc->date = doc_str(doc, t->date);
    size_t n = t->meta.n + (t->subtitle ? 1 : 0);
    lf_grow((void **)&doc->meta, &doc->cap_meta, n + 1, sizeof *doc->meta);
    doc->n_meta = 0;
    if (t->title)
        doc->meta[doc->n_meta++] = (lf_meta){.key = "title", .value = doc->title};
    if (t->subtitle)
        doc->meta[doc->n_meta++] = (lf_meta){.key = "subtitle", .value = doc_str(doc, t->subtitle)};
    if (t->date)
        doc->meta[doc->n_meta++] = (lf_meta){.key = "date", .value = doc->date};
    for (size_t i = 0; i < t->meta.n; i++) {
        lf_grow((void **)&doc->meta, &doc->cap_meta, doc->n_meta + 1, sizeof *doc->meta);
        doc->meta[doc->n_meta++] =
            (lf_meta){.key = doc_str(doc, t->meta.v[i].key), .value = doc_str(doc, t->meta.v[i].value)};
    }
}

static void part_begin(lf_tei *t, lf_doc *doc)
{
    doc->part = t->part;
    doc->line_base = (uint32_t)(t->line - 1);
    lf_grow((void **)&doc->line_starts, &doc->cap_lines, 1, sizeof *doc->line_starts);
    doc->line_starts[0] = 0;
    doc->n_lines = 1;
    lf_buf_reset(&t->text);
    t->text_chars = 0;
    lf_strmap_free(&t->speaker_ix);
    lf_strmap_init(&t->speaker_ix);
}

static void part_end(lf_tei *t, lf_doc *doc, bool more)
{
    lf_buf_cstr(&t->text);
    if (!t->text.data)
        t->text.data = lf_xcalloc(1, 1);
    doc->owned_text = t->text.data;
    doc->text = t->text.data;
    doc->len = t->text.len;
    t->text = (lf_buf){0};
    doc->more_parts = more;
    finish_part_meta(t, doc);
    t->part++;
}

static lf_status element_start(lf_tei *t, lf_doc *doc, lf_error *err)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(t->x.r);
    bool empty = xmlTextReaderIsEmptyElement(t->x.r);
    int depth = xmlTextReaderDepth(t->x.r) + 1;
    if (!t->saw_root) {
        t->saw_root = true;
        if (!streq(name, "TEI") && !streq(name, "teiCorpus")) {
            lf_error_at(err, LF_ERR_INPUT, doc->path, lf_xml_line(&t->x), 0,
                        "not a TEI document: the root element is <%s>, not <TEI> or "
                        "<teiCorpus>",
                        name);
            return LF_ERR_INPUT;
        }
        char *id = lf_xml_attr(&t->x, "xml:id");
        char *lang = lf_xml_attr(&t->x, "xml:lang");
        add_meta(t, "tei_id", id);
        add_meta(t, "lang", lang);
        lf_xml_free_attr(id);
        lf_xml_free_attr(lang);
    }
    pad_to_line(t, doc, lf_xml_line(&t->x));
    lf_tei_role role = lf_tei_walk_start(&t->walk, name);
    unsigned flags = lf_tei_walk_flags(&t->walk);
    if (!(flags & LF_TEI_IN_TEXT)) {
        if (flags & LF_TEI_IN_HEADER) {
            header_start(t, name, depth, empty);
            if (lf_xml_is_xinclude(&t->x)) {
                char *href = lf_xml_attr(&t->x, "href");
                const char *why;
                char *inc = resolve_include(doc->path, href, t->allowed_dir, &why);
                lf_status st = LF_OK;
                if (!inc)
                    warn(t, doc->path, lf_xml_line(&t->x), "xi:include '%s' not read: %s",
                         href ? href : "", why);
                else
                    st = registry_load(t, &t->docreg, inc, t->allowed_dir, 1, err);
                free(inc);
                lf_xml_free_attr(href);
                if (st != LF_OK)
                    return st;
            }
        }
        collect_start(&t->col, &t->x, name, false); /* element_end ends it */
    }
    switch (role) {
    case LF_TEI_SPEECH:
    case LF_TEI_PARA:
        speech_start(t, doc, role);
        break;
    case LF_TEI_SEGMENT:
        close_span(t, doc);
        t->in_segment = true;
        t->seg_chars = 0;
        t->seg_id = element_id(t, doc, false, t->walk.n_segment);
        t->pending_para = !streq(name, "l");
        break;
    case LF_TEI_SENTENCE:
        close_span(t, doc);
        t->pending_para = true;
        break;
    case LF_TEI_SKIP:
    case LF_TEI_LABEL:
        close_span(t, doc);
        if (t->in_speech && streq(name, "gap"))
            t->speech_gap = true;
        break;
    case LF_TEI_HEAD:
        lf_buf_reset(&t->head);
        break;
    case LF_TEI_DIV: {
        div_frame f = {0};
        LF_VEC_PUSH(t->divs, f);
        break;
    }
    default:
        break;
    }
    return LF_OK; /* an empty element: the caller ends it */
}

static lf_status element_end(lf_tei *t, lf_doc *doc, bool *turn_ended, lf_error *err)
{
    int depth = xmlTextReaderDepth(t->x.r) + 1;
    lf_tei_role role = t->walk.stack.n ? (lf_tei_role)t->walk.stack.v[t->walk.stack.n - 1].role
                                       : LF_TEI_OTHER;
    unsigned flags = lf_tei_walk_flags(&t->walk);
    lf_tei_walk_end(&t->walk);
    if (!(flags & LF_TEI_IN_TEXT)) {
        if (flags & LF_TEI_IN_HEADER)
            header_end(t, depth);
        collect_end(&t->col);
    }
    lf_status st = LF_OK;
    switch (role) {
    case LF_TEI_SPEECH:
    case LF_TEI_PARA:
        st = speech_end(t, doc, err);
        *turn_ended = true;
        break;
    case LF_TEI_SEGMENT:
        close_span(t, doc);
        t->in_segment = false;
        t->seg_id = t->speech_id;
        break;
    case LF_TEI_SENTENCE:
        close_span(t, doc);
        t->pending_para = true;
        break;
    case LF_TEI_HEAD:
        if (t->divs.n) {
            const char *text = buf_collapsed(&t->head, &t->docarena);
            div_frame *f = &t->divs.v[t->divs.n - 1];
            if (text && f->title) {
                lf_buf b = {0};
                lf_buf_printf(&b, "%s / %s", f->title, text);
                f->title = lf_arena_strdup(&t->docarena, lf_buf_cstr(&b));
                lf_buf_free(&b);
            } else if (text) {
                f->title = text;
            }
        }
        break;
    case LF_TEI_DIV:
        if (t->divs.n)
            t->divs.n--;
        break;
    default:
        break;
    }
    return st;
}

static void text_node(lf_tei *t, lf_doc *doc)
{
    const char *v = (const char *)xmlTextReaderConstValue(t->x.r);
    if (!v)
        return;
    size_t n = strlen(v);
    unsigned flags = lf_tei_walk_flags(&t->walk);
    if (t->in_speech && !(flags & (LF_TEI_IN_SKIP | LF_TEI_IN_LABEL))) {
        speech_text(t, doc, v, n);
        return;
    }
    if (t->in_speech) {
        /* a note or label inside the utterance: part of the element's string value */
        size_t c = count_cps(v, n);
        t->speech_chars += c;
        if (t->in_segment)
            t->seg_chars += c;
        if ((flags & LF_TEI_IN_LABEL) && !(flags & LF_TEI_IN_SKIP))
            lf_buf_append(&t->label, v, n);
    } else if ((flags & LF_TEI_IN_HEAD) && !(flags & LF_TEI_IN_SKIP)) {
        lf_buf_append(&t->head, v, n);
    } else if (!(flags & LF_TEI_IN_TEXT)) {
        collect_text(&t->col, v, n);
        if (t->title_depth || t->date_depth)
            lf_buf_append(&t->capture, v, n);
    }
    text_newlines(t, doc, v, n);
}

static lf_status read_part(lf_tei *t, lf_doc *doc, lf_error *err)
{
    part_begin(t, doc);
    uint64_t part_bytes = t->limits[LF_LIMIT_PART_BYTES];
    lf_status st = LF_OK;
    int rc;
    while ((rc = lf_xml_next(&t->x, err)) == 1) {
        int type = xmlTextReaderNodeType(t->x.r);
        bool turn_ended = false;
        switch (type) {
        case XML_READER_TYPE_ELEMENT: {
            bool empty = xmlTextReaderIsEmptyElement(t->x.r);
            st = element_start(t, doc, err);
            if (st == LF_OK && empty)
                st = element_end(t, doc, &turn_ended, err);
            break;
        }
        case XML_READER_TYPE_END_ELEMENT:
            st = element_end(t, doc, &turn_ended, err);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            text_node(t, doc);
            break;
        default:
            break;
        }
        if (st != LF_OK)
            return st;
        if (t->text.len >= UINT32_MAX - 1) { /* spans are 32-bit offsets */
            const char *name = lf_limit_table()[LF_LIMIT_PART_BYTES].name;
            lf_error_at(err, LF_ERR_LIMIT, doc->path, lf_xml_line(&t->x), 0,
                        "4 GiB of text in one part, more than lexframe can address; lower "
                        "--limit %s=N (parts end between utterances)",
                        name);
            return LF_ERR_LIMIT;
        }
        if (turn_ended && t->text.len >= part_bytes) {
            part_end(t, doc, true);
            return LF_OK;
        }
    }
    if (rc < 0)
        return err->status;
    if (!t->saw_root) {
        lf_error_at(err, LF_ERR_INPUT, doc->path, 0, 0, "not a TEI document: no root element");
        return LF_ERR_INPUT;
    }
    part_end(t, doc, false);
    tei_doc_clear(t);
    return LF_OK;
}

/* The directory includes may come from: the input root (path minus its id). */
static char *input_root_dir(const char *path, const char *id)
{
    size_t pl = strlen(path), il = strlen(id);
    if (il < pl && strcmp(path + pl - il, id) == 0 && path[pl - il - 1] == '/')
        return pl - il - 1 ? lf_xstrndup(path, pl - il - 1) : lf_xstrdup("/");
    return dir_of(path);
}

/* Reads the corpus root into t->root unless it is the one cached. Its warnings are printed
 * with the first document of the root in the run (lf_tei_set_root_first), or, when the
 * caller does not say, whenever the root is read. */
static lf_status load_root(lf_tei *t, const char *corpus_root, lf_error *err)
{
    bool fresh = !t->root_path || strcmp(t->root_path, corpus_root) != 0;
    if (fresh) {
        free(t->root_path);
        t->root_path = lf_xstrdup(corpus_root);
        registry_reset(&t->root);
        lf_error_clear(&t->root_err);
        lf_buf_reset(&t->root_warnings);
        char *dir = dir_of(corpus_root);
        t->capturing = true;
        lf_status st = registry_load(t, &t->root, corpus_root, dir, 0, &t->root_err);
        t->capturing = false;
        if (st != LF_OK && t->root_err.status == LF_OK)
            t->root_err.status = st;
        free(dir);
    }
    bool say = t->root_first < 0 ? fresh : t->root_first > 0;
    t->root_first = -1;
    if (say && t->warn && t->root_warnings.len)
        fwrite(t->root_warnings.data, 1, t->root_warnings.len, t->warn);
    if (t->root_err.status != LF_OK)
        *err = t->root_err;
    return t->root_err.status;
}

static lf_status tei_read(lf_tei *t, const char *corpus_root, lf_doc *doc, const char *data,
                          size_t len, lf_error *err)
{
    tei_doc_clear(t);
    registry_reset(&t->docreg);
    lf_arena_reset(&t->docarena);
    lf_strmap_free(&t->label_names);
    lf_strmap_init(&t->label_names);
    lf_strmap_free(&t->next_ix);
    lf_strmap_init(&t->next_ix);
    t->label_vec.n = t->next_vec.n = t->meta.n = t->divs.n = 0;
    t->part = 0;
    t->line = 1;
    t->saw_root = false;
    t->title_done = false;
    t->titlestmt_depth = t->title_depth = t->setting_depth = t->date_depth = 0;
    t->title_rank = 0;
    t->title = t->subtitle = t->date = t->cur_date = NULL;
    t->in_speech = t->in_segment = t->span_open = t->pending_para = false;
    t->use_root = corpus_root != NULL;
    if (corpus_root) {
        lf_status st = load_root(t, corpus_root, err);
        if (st != LF_OK)
            return st;
    }
    t->root_first = -1; /* said for this document only, root or not */
    lf_status st = data ? lf_xml_open_memory(&t->x, doc->path, data, len, t->limits, err)
                        : lf_xml_open(&t->x, doc->path, t->limits, err);
    if (st != LF_OK)
        return st;
    t->path = lf_xstrdup(doc->path);
    t->id = lf_xstrdup(doc->id);
    t->allowed_dir = input_root_dir(doc->path, doc->id);
    t->pending = true;
    lf_tei_walk_init(&t->walk);
    collect_init(&t->col, &t->docreg);
    st = read_part(t, doc, err);
    if (st != LF_OK)
        tei_doc_clear(t);
    return st;
}

lf_status lf_tei_read(lf_tei *t, const char *corpus_root, lf_doc *doc, lf_error *err)
{
    return tei_read(t, corpus_root, doc, NULL, 0, err);
}

lf_status lf_tei_read_memory(lf_tei *t, const char *corpus_root, lf_doc *doc,
                             const char *data, size_t len, lf_error *err)
{
    return tei_read(t, corpus_root, doc, data ? data : "", len, err);
}

lf_status lf_tei_next_part(lf_tei *t, lf_doc *doc, lf_error *err)
{
    if (!t->pending) {
        lf_error_set(err, LF_ERR_USAGE, "lf_ingest_next_part: no document is pending");
        return LF_ERR_USAGE;
    }
    /* the speech and span state is empty between parts: parts end with a turn */
    lf_status st = read_part(t, doc, err);
    if (st != LF_OK)
        tei_doc_clear(t);
    return st;
}

/* ==== mapping back to elements ========================================================== */

bool lf_doc_source_of(const lf_doc *doc, size_t turn, size_t off, size_t char_off,
                      const char **element, size_t *elem_offset)
{
    if (!doc->span_src || turn >= doc->n_turns)
        return false;
    const lf_turn *tu = &doc->turns[turn];
    size_t lo = tu->span_first, hi = tu->span_first + tu->span_count;
    /* the last span starting at or before off */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (doc->spans[mid].start <= off)
            lo = mid;
        else
            hi = mid;
    }
    if (lo >= tu->span_first + tu->span_count)
        return false;
    const lf_span *sp = &doc->spans[lo];
    const lf_span_src *src = &doc->span_src[lo];
    if (off < sp->start || off > sp->end || char_off < src->chars)
        return false;
    *element = src->element;
    *elem_offset = src->offset + (char_off - src->chars);
    return true;
}

/* ==== the corpus walk's TEI step ======================================================== */

typedef struct root_info {
    bool tei;    /* the root element is TEI or teiCorpus, or the file is not readable XML
                    (kept, so that reading it reports the problem) */
    bool corpus; /* teiCorpus with xi:include */
    LF_VEC(char *) docs;  /* body includes: resolved (real) paths, or dir/href if missing */
    LF_VEC(char *) hrefs; /* their hrefs as written */
    LF_VEC(char *) parts; /* header includes, resolved */
} root_info;

static void strvec_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
}

static void root_info_free(root_info *ri)
{
    strvec_free(ri->docs.v, ri->docs.n);
    strvec_free(ri->hrefs.v, ri->hrefs.n);
    strvec_free(ri->parts.v, ri->parts.n);
    LF_VEC_FREE(ri->docs);
    LF_VEC_FREE(ri->hrefs);
    LF_VEC_FREE(ri->parts);
}

/* Reads as much of path as needed: the root element, and for a teiCorpus every xi:include
 * (those in the header are its parts, the others its documents), resolved inside its
 * directory. A file that fails before its root element counts as TEI: reading it will
 * report why. */
static lf_status scan_root(const char *path, const uint64_t *limits, root_info *ri,
                           lf_error *err)
{
    memset(ri, 0, sizeof *ri);
    ri->tei = true;
    lf_xml x;
    lf_error e;
    if (lf_xml_open(&x, path, limits, &e) != LF_OK)
        return LF_OK;
    lf_tei_walk w;
    lf_tei_walk_init(&w);
    char *dir = dir_of(path);
    bool first = true;
    lf_status st = LF_OK;
    while (lf_xml_next(&x, &e) == 1) {
        int type = xmlTextReaderNodeType(x.r);
        if (type == XML_READER_TYPE_END_ELEMENT) {
            lf_tei_walk_end(&w);
            continue;
        }
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstLocalName(x.r);
        if (first) {
            first = false;
            ri->tei = streq(name, "TEI") || streq(name, "teiCorpus");
            if (!streq(name, "teiCorpus"))
                break;
        }
        lf_tei_walk_start(&w, name);
        bool in_header = lf_tei_walk_flags(&w) & LF_TEI_IN_HEADER;
        if (xmlTextReaderIsEmptyElement(x.r))
            lf_tei_walk_end(&w);
        if (!lf_xml_is_xinclude(&x))
            continue;
        ri->corpus = true;
        char *href = lf_xml_attr(&x, "href");
        const char *why;
        char *inc = resolve_include(path, href, dir, &why);
        bool refused = !inc && href && why && !is_missing_reason(why);
        if (refused && !in_header) {
            lf_error_at(err, LF_ERR_INPUT, path, lf_xml_line(&x), 0,
                        "xi:include '%s' refused: %s", href, why);
            st = LF_ERR_INPUT;
            lf_xml_free_attr(href);
            break;
        }
        if (!in_header && href) {
            if (!inc) { /* missing: stays listed so that reading it reports the problem */
                lf_buf b = {0};
                lf_buf_printf(&b, "%s/%s", dir, href);
                inc = (char *)lf_buf_cstr(&b);
            }
            LF_VEC_PUSH(ri->docs, inc);
            LF_VEC_PUSH(ri->hrefs, lf_xstrdup(href));
        } else if (inc) {
            LF_VEC_PUSH(ri->parts, inc);
        }
        lf_xml_free_attr(href);
    }
    free(dir);
    lf_tei_walk_free(&w);
    lf_xml_close(&x);
    return st;
}

static bool has_xml_ext(const char *p)
{
    size_t n = strlen(p);
    return n > 4 && lf_ascii_casecmp(p + n - 4, ".xml") == 0;
}

/* Marks what each corpus root claims: its header parts are dropped, its documents get
 * it as their corpus root (or, for a root named on the command line, are added). */
static void claim_includes(lf_input_list *list, size_t first, size_t n, root_info *infos,
                           uint8_t *drop, bool named, lf_input_list *extra)
{
    lf_strmap real_ix;
    lf_strmap_init(&real_ix);
    for (size_t i = first; i < n; i++) {
        char *real = realpath(list->v[i].path, NULL);
        if (real)
            lf_strmap_put(&real_ix, real, strlen(real), (uint32_t)i);
        free(real);
    }
    for (size_t r = first; r < n; r++) {
        root_info *ri = &infos[r - first];
        if (!ri->corpus)
            continue;
        uint32_t ix;
        for (size_t k = 0; k < ri->parts.n; k++)
            if (lf_strmap_get(&real_ix, ri->parts.v[k], strlen(ri->parts.v[k]), &ix))
                drop[ix - first] = 1; /* a speaker list or taxonomy, not a document */
        char *dir = dir_of(list->v[r].path);
        for (size_t k = 0; k < ri->docs.n; k++) {
            if (named) {
                lf_buf b = {0};
                lf_buf_printf(&b, "%s/%s", dir, ri->hrefs.v[k]);
                lf_input_file f = {.path = (char *)lf_buf_cstr(&b),
                                   .id = lf_xstrdup(ri->hrefs.v[k]),
                                   .corpus_root = lf_xstrdup(list->v[r].path)};
                LF_VEC_PUSH(*extra, f);
            } else if (lf_strmap_get(&real_ix, ri->docs.v[k], strlen(ri->docs.v[k]), &ix) &&
                       !list->v[ix].corpus_root) {
                list->v[ix].corpus_root = lf_xstrdup(list->v[r].path);
            }
        }
        free(dir);
    }
    lf_strmap_free(&real_ix);
}

lf_status lf_tei_corpus_inputs(lf_input_list *list, size_t first, bool named,
                               const lf_options *opt, lf_error *err)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    size_t n = list->n;
    bool any_corpus = false;
    root_info *infos = lf_xcalloc(n - first + 1, sizeof *infos);
    uint8_t *drop = lf_xcalloc(n - first + 1, 1);
    lf_input_list extra = {0};
    lf_status st = LF_OK;
    (void)err; /* a root that cannot be used is one failed input, below */
    for (size_t i = first; i < n && st == LF_OK; i++) {
        root_info *ri = &infos[i - first];
        if (list->v[i].error || !has_xml_ext(list->v[i].path))
            continue; /* not XML (or an unreadable directory): not this step's business */
        lf_error e = {LF_OK, ""};
        if (scan_root(list->v[i].path, opt->limits, ri, &e) != LF_OK) {
            /* a refused xi:include fails this file only: it is reported when the run
               reaches it, and the other files are still read */
            root_info_free(ri);
            memset(ri, 0, sizeof *ri);
            ri->tei = true;
            list->v[i].error = lf_xstrdup(e.message);
            continue;
        }
        /* a directory walk skips XML that is not TEI; a corpus root is no document */
        drop[i - first] = (!ri->tei && !named) || ri->corpus;
        any_corpus = any_corpus || ri->corpus;
    }
    if (st == LF_OK) {
        if (any_corpus)
            claim_includes(list, first, n, infos, drop, named, &extra);
        size_t k = first;
        for (size_t i = first; i < n; i++) {
            if (drop[i - first])
                lf_input_file_free(&list->v[i]);
            else
                list->v[k++] = list->v[i];
        }
        list->n = k;
        for (size_t i = 0; i < extra.n; i++)
            LF_VEC_PUSH(*list, extra.v[i]);
    }
    LF_VEC_FREE(extra);
    for (size_t i = 0; i < n - first; i++)
        root_info_free(&infos[i]);
    free(infos);
    free(drop);
    return st;
}
