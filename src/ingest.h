/* ingest.h — stage 1: a transcript file becomes a document: metadata from front matter,
 * speakers, and turns made of byte spans of the source text (speaker labels and stage
 * directions left out). Ingest never tokenizes; the tokenizer reads only these spans.
 * Ownership: an lf_doc owns everything it points to (its arena and text) until
 * lf_doc_reset/lf_doc_free. */
#ifndef LF_INGEST_H
#define LF_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lexframe.h"
#include "util.h"

/* A byte range [start, end) of lf_doc.text. */
typedef struct lf_span {
    uint32_t start, end;
} lf_span;

/* One speaker of a document. `label` is the label as written with its final ':' or '.'
 * removed and runs of whitespace (incl. U+00A0) collapsed to one space; `name` is the
 * front-matter alias for the label, or the label itself. role and party are NULL unless
 * front matter gives them. */
typedef struct lf_speaker {
    const char *label;
    const char *name;
    const char *role;
    const char *party;
} lf_speaker;

/* A turn: one speaker's uninterrupted talk. speaker is an index into lf_doc.speakers, or -1
 * for text before the first label (the unattributed turn). Its text is the spans
 * [span_first, span_first + span_count) of lf_doc.spans, in order. `line` is the 1-based
 * line where the turn starts. A turn marked `gap` stands for talk missing from the source
 * (its only content was "[gap]" / "[gap: reason]" markers) and has no spans. */
typedef struct lf_turn {
    int32_t speaker;
    uint32_t line;
    uint32_t span_first, span_count;
    bool gap;
    /* The speaker's role in this turn when the source says so per turn (TEI u/@ana such
       as "chair"); NULL means the speaker's own role (lf_speaker.role). */
    const char *role;
    /* The source element's identifier (TEI xml:id), or NULL for plain text. */
    const char *xml_id;
} lf_turn;

/* A removed stage direction or time stamp: which pattern (index into the ingest's pattern
 * list, see lf_ingest_strip_name) and where. */
typedef struct lf_strip {
    uint32_t pattern;
    lf_span span;
} lf_strip;

typedef struct lf_meta {
    const char *key;
    const char *value;
} lf_meta;

typedef enum lf_doc_format {
    LF_FORMAT_TEXT,  /* .txt, .md and anything else */
    LF_FORMAT_HTML   /* .htm, .html: text of <pre> blocks (GPO Congressional Record) */
} lf_doc_format;

typedef struct lf_doc {
    const char *path;   /* file path as reached from the input argument */
    const char *id;     /* path relative to the input root ('/'-separated); the file name
                           when the input was a file */
    const char *text;   /* the document text: the file's bytes for plain text, the extracted
                           text for HTML. Offsets in spans refer to it. Valid UTF-8. */
    size_t len;
    /* Well-known metadata (NULL when absent) and every front-matter scalar in file order,
       the well-known ones included. */
    const char *title, *date, *source;
    lf_meta *meta;
    size_t n_meta;
    lf_speaker *speakers;
    size_t n_speakers;
    lf_turn *turns;
    size_t n_turns;
    lf_span *spans;
    size_t n_spans;
    lf_strip *strips;
    size_t n_strips;
    /* A document too large to hold at once (a huge TEI file) arrives as consecutive lf_docs
       with the same id: `part` counts them from 0, and `more_parts` says another follows.
       Downstream, turn, sentence and word numbers continue across parts and the parts
       count as one document. A whole document has part 0 and more_parts false. */
    uint32_t part;
    bool more_parts;
    /* Internal storage; do not touch. line_starts[i] is the offset where line i+1 starts
       (built once per document, used by lf_doc_line_of). */
    lf_arena arena;
    char *owned_text;
    uint32_t *line_starts;
    size_t n_lines, cap_lines;
    size_t cap_speakers, cap_turns, cap_spans, cap_strips, cap_meta;
} lf_doc;

void lf_doc_init(lf_doc *doc);
/* Empties doc for reuse, keeping its allocations. */
void lf_doc_reset(lf_doc *doc);
void lf_doc_free(lf_doc *doc);
/* 1-based line number of byte offset `off` in doc->text (CRLF, CR and LF each end a line).
 * O(log n) on a document made by lf_ingest_*, which builds a line index once; a document
 * built by hand (no index) is scanned. */
size_t lf_doc_line_of(const lf_doc *doc, size_t off);

/* Compiled ingest configuration (label rule, strip patterns, limits). One per worker thread:
 * it holds PCRE2 match data. */
typedef struct lf_ingest lf_ingest;

/* Compiles the patterns of opt (borrowed only during the call). Returns NULL and fills err
 * (LF_ERR_USAGE, naming the option and the PCRE2 offset) when a pattern is invalid. */
lf_ingest *lf_ingest_new(const lf_options *opt, lf_error *err);
void lf_ingest_free(lf_ingest *ing);
/* Number of strip patterns and a short name for each: "gap", "stage-direction",
 * "bracketed-note", "time-stamp", "end-marker", "page-marker" for the built-in ones, the
 * pattern text for --strip-pattern ones. Borrowed; valid until lf_ingest_free. */
size_t lf_ingest_strip_count(const lf_ingest *ing);
const char *lf_ingest_strip_name(const lf_ingest *ing, size_t pattern);

/* Reads the file at path and fills doc (reset first). The format follows the extension.
 * Errors: LF_ERR_INPUT (unreadable, invalid UTF-8 with line and byte offset, malformed
 * front matter with line and column), LF_ERR_LIMIT (a named limit exceeded). */
lf_status lf_ingest_file(lf_ingest *ing, const char *path, const char *id, lf_doc *doc,
                         lf_error *err) LF_WARN_UNUSED;
/* The same for bytes already in memory (copied into doc). */
lf_status lf_ingest_buffer(lf_ingest *ing, const char *path, const char *id, const char *data,
                           size_t len, lf_doc_format fmt, lf_doc *doc,
                           lf_error *err) LF_WARN_UNUSED;

/* ---- corpus walking ---- */
/* One input file found under an input argument. */
typedef struct lf_input_file {
    char *path; /* owned */
    char *id;   /* owned */
    /* owned; NULL, or why this entry (a directory found while walking) cannot be read:
       it is reported as a failed input when the run reaches it */
    char *error;
} lf_input_file;

typedef LF_VEC(lf_input_file) lf_input_list;

/* Appends `path` itself when it is a file, or every transcript file (.txt, .md, .htm,
 * .html; hidden entries skipped) below it when it is a directory, walked recursively in
 * byte-wise sorted order without following symlinked directories twice. LF_ERR_INPUT names
 * the path when it does not exist or cannot be read; a directory below it that cannot be
 * read becomes an entry with `error` set, in its sorted place, so the others still count. */
lf_status lf_input_collect(const char *path, lf_input_list *out, lf_error *err) LF_WARN_UNUSED;
void lf_input_list_free(lf_input_list *list);
lf_doc_format lf_doc_format_for_path(const char *path);

#endif
