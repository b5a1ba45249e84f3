/* tei.h — private to the TEI side of lexframe: the guarded XML reader, the element roles
 * that the TEI reader (ingest_tei.c) and the annotated-TEI writer (render_tei.c) must agree
 * on (which elements are utterances and segments, and the ids given to those without
 * one), the reader's entry points for the ingest dispatch (ingest_text.c) and the corpus
 * walk (corpus.c), and the writer's entry points for the pipeline driver (run.c).
 * The annotated-TEI writer is the one writer that sees documents: it reproduces them. */
#ifndef LF_TEI_H
#define LF_TEI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libxml/xmlreader.h>

#include "ingest.h"
#include "lexicon.h"
#include "util.h"

#define LF_TEI_NS "http://www.tei-c.org/ns/1.0"
#define LF_XINCLUDE_NS "http://www.w3.org/2001/XInclude"

/* ---- the guarded XML reader -------------------------------------------------------
 * libxml2's streaming reader with XML_PARSE_NONET | XML_PARSE_NOCDATA |
 * XML_PARSE_BIG_LINES | XML_PARSE_NODICT and nothing that loads or expands: no DTD loading, no entity
 * substitution, no XInclude, no HUGE. An external-entity loader that refuses everything is
 * installed process-wide. A DTD declaring general entities fails the file (an entity is
 * external, or text that could expand without bound in content or attributes), as does
 * any entity reference in content (&name; other than the five predefined ones and
 * character references), entity loops libxml2 detects, undefined entities and every XML
 * error; the
 * xml-depth and xml-text-bytes limits are enforced on every node. Errors name the file and
 * line. */
typedef struct lf_xml {
    xmlTextReaderPtr r;
    xmlDocPtr doc;     /* the reader's document, freed by lf_xml_close */
    unsigned long nodes;
    int fd;
    const char *path; /* borrowed from the opener */
    uint64_t max_depth, max_text;
    char *mem;        /* owned copy of an in-memory document */
    long last_text_line; /* where the last text node ended */
    bool failed;      /* an error was reported by libxml2 */
    int fail_line;
    char fail_msg[400];
} lf_xml;

/* Opens path for reading (the file is opened here, so a missing file reports strerror).
 * Files over the file-bytes limit fail with LF_ERR_LIMIT. limits: lf_options.limits. */
lf_status lf_xml_open(lf_xml *x, const char *path, const uint64_t *limits,
                      lf_error *err) LF_WARN_UNUSED;
/* The same for a document in memory (copied); path names it in messages. */
lf_status lf_xml_open_memory(lf_xml *x, const char *path, const char *data, size_t len,
                             const uint64_t *limits, lf_error *err) LF_WARN_UNUSED;
/* Advances to the next node. Returns 1 on a node, 0 at the end of the document, -1 on an
 * error (err filled: "path:line: message", LF_ERR_INPUT or LF_ERR_LIMIT). */
int lf_xml_next(lf_xml *x, lf_error *err);
/* The line of the current node: an element's own start-tag line, else the parser's. */
size_t lf_xml_line(lf_xml *x);
/* Attribute `name` (qualified, e.g. "who", "xml:id") of the current element, or NULL;
 * malloc'd (free with xmlFree via lf_xml_free_attr). */
char *lf_xml_attr(lf_xml *x, const char *name);
void lf_xml_free_attr(char *value);
void lf_xml_close(lf_xml *x);
/* True when the current element is XInclude's include. */
bool lf_xml_is_xinclude(lf_xml *x);

/* ---- element roles ------------------------------------------------------------------
 * Both the reader and the writer walk a TEI document with an lf_tei_walk, so they see the
 * same utterances and segments in the same order and give the same ids to those without
 * one. Roles depend on the element's local name and its context:
 *  SPEECH   <u> or <sp> inside <text> (not inside another speech or skipped element):
 *           one turn.
 *  PARA     <p> or <ab> inside <body> outside any speech: a turn without a speaker.
 *  SEGMENT  <seg>, <p>, <ab> or <l> directly holding speech text inside a SPEECH.
 *  SENTENCE <s> inside speech: a sentence boundary (linguistically annotated files).
 *  SKIP     not speech: <note>, <gap>, <incident>, <kinesic>, <vocal>, <stage>, <fw>,
 *           <figure>, <trailer>, <castList>, <listEvent>, and <head> inside speech.
 *  LABEL    <speaker> inside <sp> (the speaker's label, not speech).
 *  HEAD     <head> inside <text> outside speech: the title of its division.
 *  DIV      <div>, <div1>…<div7>, <front>, <body>, <back>: divisions (their heads
 *           title the turns inside them).
 *  HEADER   <teiHeader>;  OTHER  anything else (inline markup such as <w>, <hi>). */
typedef enum lf_tei_role {
    LF_TEI_OTHER,
    LF_TEI_SPEECH,
    LF_TEI_PARA,
    LF_TEI_SEGMENT,
    LF_TEI_SENTENCE,
    LF_TEI_SKIP,
    LF_TEI_LABEL,
    LF_TEI_HEAD,
    LF_TEI_DIV,
    LF_TEI_HEADER
} lf_tei_role;

/* Context flags of an open element. */
enum {
    LF_TEI_IN_HEADER = 1u << 0,
    LF_TEI_IN_TEXT = 1u << 1,
    LF_TEI_IN_BODY = 1u << 2,
    LF_TEI_IN_SPEECH = 1u << 3,
    LF_TEI_IN_SEGMENT = 1u << 4,
    LF_TEI_IN_SKIP = 1u << 5,
    LF_TEI_IN_LABEL = 1u << 6,
    LF_TEI_IN_HEAD = 1u << 7
};

typedef struct lf_tei_frame {
    uint8_t role;  /* lf_tei_role */
    uint16_t flags; /* flags inside this element (its own included) */
} lf_tei_frame;

typedef struct lf_tei_walk {
    LF_VEC(lf_tei_frame) stack;
    uint32_t n_speech;  /* SPEECH and PARA elements met so far */
    uint32_t n_segment; /* SEGMENT elements met so far (PARA counts as a speech only) */
    uint32_t depth_root; /* the document element has been met */
} lf_tei_walk;

void lf_tei_walk_init(lf_tei_walk *w);
void lf_tei_walk_free(lf_tei_walk *w);
/* Classifies an element start with local name `name` and pushes it; the caller calls
 * lf_tei_walk_end for its end (at once for an empty element). SPEECH and PARA bump
 * n_speech, SEGMENT bumps n_segment (before returning, so the element's ordinal is the
 * counter's new value). */
lf_tei_role lf_tei_walk_start(lf_tei_walk *w, const char *name);
void lf_tei_walk_end(lf_tei_walk *w);
/* Flags of the innermost open element (0 at the top). */
unsigned lf_tei_walk_flags(const lf_tei_walk *w);

/* The id lexframe gives an element without xml:id: "lf-STEM-KN" where K is the kind ('u'
 * utterance, 's' segment; the writer also uses 'p' for persons and 'o' for organisations
 * of plain-text transcripts), N its 1-based ordinal in the document and STEM the document
 * id without its extension, every character other than ASCII letters, digits, '.', '-'
 * and '_' replaced by '_' (a valid, deterministic NCName). Appends to out. */
void lf_tei_generated_id(lf_buf *out, const char *doc_id, char kind, size_t ordinal);
/* Its first part, "lf-STEM", appended to out. */
void lf_tei_id_stem(lf_buf *out, const char *doc_id);

/* ---- the reader (ingest_tei.c) --------------------------------------------------------- */
typedef struct lf_tei lf_tei;

/* Reader state for a run: limits and the --speakers registry (loaded here; its errors
 * are LF_ERR_INPUT naming the file and line). NULL and err on failure. */
lf_tei *lf_tei_new(const lf_options *opt, lf_error *err);
void lf_tei_free(lf_tei *t);
void lf_tei_set_warnings(lf_tei *t, FILE *fp);
/* Whether the next document read is the first of its corpus root in the run: the root's
 * warnings (an xi:include not read, say) are printed with that one only, however many
 * readers load the root. When not said, they are printed whenever this reader loads it. */
void lf_tei_set_root_first(lf_tei *t, bool first);
/* Reads the first (or only) part of the TEI file at path into doc (already reset, with
 * path and id set). corpus_root may be NULL. */
lf_status lf_tei_read(lf_tei *t, const char *corpus_root, lf_doc *doc,
                      lf_error *err) LF_WARN_UNUSED;
/* The same for a document in memory (copied). */
lf_status lf_tei_read_memory(lf_tei *t, const char *corpus_root, lf_doc *doc,
                             const char *data, size_t len, lf_error *err) LF_WARN_UNUSED;
/* The next part of the pending document (doc reset by the caller, path/id set). */
lf_status lf_tei_next_part(lf_tei *t, lf_doc *doc, lf_error *err) LF_WARN_UNUSED;
/* True when a document is pending (its last part has not been returned). */
bool lf_tei_pending(const lf_tei *t);

/* The corpus walk's TEI step over list->v[first..]: see lf_input_collect. `named` says
 * the entries come from one file named as an input argument (a corpus root then stands
 * for its documents) rather than from a directory walk. Corpus roots are scanned under
 * opt's XML limits (NULL: the defaults). LF_ERR_INPUT when a corpus root cannot be read
 * or includes a file outside its directory. */
lf_status lf_tei_corpus_inputs(lf_input_list *list, size_t first, bool named,
                               const lf_options *opt, lf_error *err) LF_WARN_UNUSED;

/* ---- the annotated-TEI writer (render_tei.c) ---------------------------------------- */
typedef struct lf_tei_writer lf_tei_writer;

/* A writer to fp (borrowed) for a run over n_docs inputs (one: a TEI document; more, or
 * SIZE_MAX for documents from a stream: a teiCorpus). lex and opt are borrowed for the
 * writer's life. */
lf_tei_writer *lf_tei_writer_new(FILE *fp, const lf_lexicon *lex, const lf_options *opt,
                                 size_t n_docs);
void lf_tei_writer_free(lf_tei_writer *w);
/* One match row of the current document (rows arrive in document order). */
lf_status lf_tei_writer_row(lf_tei_writer *w, const lf_match_row *row,
                            lf_error *err) LF_WARN_UNUSED;
/* A part of the current document has been matched: when it is the last part, the
 * document is written (a TEI source is read again from doc->path; a plain-text one is
 * built from doc; `ing` names its stripped passages). LF_ERR_IO on a write error,
 * LF_ERR_INPUT when the source cannot be read again. */
lf_status lf_tei_writer_part(lf_tei_writer *w, const lf_doc *doc, const lf_ingest *ing,
                             lf_error *err) LF_WARN_UNUSED;
/* Forgets the rows of a document that failed. */
void lf_tei_writer_drop_doc(lf_tei_writer *w);
/* Ends the output (closes the teiCorpus). LF_ERR_IO on a write error. */
lf_status lf_tei_writer_finish(lf_tei_writer *w, lf_error *err) LF_WARN_UNUSED;

#endif
