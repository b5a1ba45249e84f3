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
#include <stdio.h>

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
    /* The source element's identifier (TEI xml:id, or the id lexframe gives an element
       without one, see lf_tei_generated_id), or NULL for plain text. */
    const char *xml_id;
    /* TEI: the titles (<head>) of the divisions the turn is in, outermost first, joined by
       " / " ("ACT 1 / Scene 2"); NULL when there is none or for plain text. */
    const char *section;
    /* TEI: the xml:id of the utterance this one continues after an interruption (its
       @prev, or an earlier utterance's @next pointing here); NULL otherwise. */
    const char *continues;
} lf_turn;

/* Where a span's text comes from, for documents whose text is extracted from markup
 * (TEI). `element` is the xml:id of the element holding the text (a <seg>, <p>, <l> or
 * <ab>, or the <u>/<sp> itself when the text sits directly in it); `offset` is the number
 * of characters (code points) of that element's string value — all its descendant text,
 * skipped notes included — before the span starts, so a position inside the span is
 * offset + the characters from the span start (TEI string-range() counting from 0).
 * `para` says the span starts a new segment or sentence element: the tokenizer ends the
 * sentence before it. */
typedef struct lf_span_src {
    const char *element;
    uint32_t offset;
    uint32_t chars; /* code points of lf_doc.text before the span */
    bool para;
} lf_span_src;

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
    LF_FORMAT_HTML,  /* .htm, .html: text of <pre> blocks (GPO Congressional Record) */
    LF_FORMAT_TEI    /* .xml: TEI P5 (<u who> utterances, <sp> speeches), read streaming */
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
    /* TEI: one entry per span (see lf_span_src), or NULL for plain text and HTML. For
       such documents paragraph breaks come only from `para`: blank lines inside a span
       are ordinary white space. */
    lf_span_src *span_src;
    /* Source lines before the first line of `text` (a later part of a TEI document):
       lf_doc_line_of adds it. 0 for whole documents. */
    uint32_t line_base;
    /* A document too large to hold at once (a huge TEI file) arrives as consecutive lf_docs
       with the same id: `part` counts them from 0, and `more_parts` says another follows.
       Downstream, turn, sentence and word numbers continue across parts and the parts
       count as one document. A whole document has part 0 and more_parts false. */
    uint32_t part;
    bool more_parts;
    /* A file read whole (not TEI, which is streamed): the SHA-256 and size of its bytes as
       read, for the manifest; file_sha256[0] is '\0' otherwise. */
    char file_sha256[65];
    uint64_t file_bytes;
    /* Internal storage; do not touch. line_starts[i] is the offset where line i+1 starts
       (built once per document, used by lf_doc_line_of). */
    lf_arena arena;
    char *owned_text;
    uint32_t *line_starts;
    size_t n_lines, cap_lines;
    size_t cap_speakers, cap_turns, cap_spans, cap_strips, cap_meta, cap_span_src;
} lf_doc;

void lf_doc_init(lf_doc *doc);
/* Empties doc for reuse, keeping its allocations. */
void lf_doc_reset(lf_doc *doc);
void lf_doc_free(lf_doc *doc);
/* 1-based line number of byte offset `off` in doc->text (CRLF, CR and LF each end a line),
 * plus doc->line_base. For TEI the extracted text keeps the source's line breaks, so this
 * is the line in the XML file. O(log n) on a document made by lf_ingest_*, which builds a
 * line index once; a document built by hand (no index) is scanned. */
size_t lf_doc_line_of(const lf_doc *doc, size_t off);
/* For a document with span sources (TEI): the element holding byte `off` of turn `turn`
 * and the character offset of `off` inside that element's string value. `char_off` is the
 * code point offset of `off` in doc->text (lf_char_offset of a token's start or end),
 * which makes this O(log spans). Returns false (outputs untouched) when the document has no span sources
 * or no span of the turn contains off (off == a span's end counts as inside it). */
bool lf_doc_source_of(const lf_doc *doc, size_t turn, size_t off, size_t char_off,
                      const char **element, size_t *elem_offset);

/* One input file found under an input argument. */
typedef struct lf_input_file {
    char *path;        /* owned */
    char *id;          /* owned */
    char *corpus_root; /* owned; the TEI corpus root file (teiCorpus with xi:include) that
                          includes this document, or NULL */
    bool stream;       /* standard input, JSON Lines: one document per line (path "<stdin>") */
    /* owned; NULL, or why this entry (a directory found while walking) cannot be read:
       it is reported as a failed input when the run reaches it */
    char *error;
    /* the file's inode number as the walk saw it (d_ino, or st_ino of a named file or a
       followed symlink), 0 when unknown: lets lf_run_check_output test a corpus against an
       output file without a stat per input */
    uint64_t ino;
} lf_input_file;

/* The name standard input has in messages, match rows and the manifest. */
#define LF_STDIN_NAME "<stdin>"

typedef LF_VEC(lf_input_file) lf_input_list;

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
 * A TEI file whose extracted text exceeds the part-bytes limit is returned in parts: doc
 * holds the first and doc->more_parts is set; call lf_ingest_next_part for each following
 * part. Errors: LF_ERR_INPUT (unreadable, invalid UTF-8 with line and byte offset,
 * malformed front matter with line and column, malformed or hostile XML with its line),
 * LF_ERR_LIMIT (a named limit exceeded). */
lf_status lf_ingest_file(lf_ingest *ing, const char *path, const char *id, lf_doc *doc,
                         lf_error *err) LF_WARN_UNUSED;
/* Fills doc (reset first) with the next part of the document read by the last
 * lf_ingest_file/lf_ingest_input whose doc had more_parts set: same path and id, part + 1,
 * turn and line numbers continuing. The same errors as lf_ingest_file for the rest of the
 * file; LF_ERR_USAGE when no document is pending. */
lf_status lf_ingest_next_part(lf_ingest *ing, lf_doc *doc, lf_error *err) LF_WARN_UNUSED;
/* lf_ingest_file for an input found by lf_input_collect: a document of a TEI corpus is
 * read with its corpus root's speakers and taxonomies (in->corpus_root). */
lf_status lf_ingest_input(lf_ingest *ing, const lf_input_file *in, lf_doc *doc,
                          lf_error *err) LF_WARN_UNUSED;
/* Where ingest reports problems that do not fail a document (a corpus root's missing
 * speaker list, say); default stderr. Each line starts "lexframe: warning: ". */
void lf_ingest_set_warnings(lf_ingest *ing, FILE *fp);
/* Whether the next input is the first of its TEI corpus root in the run (lf_tei_set_root_first). */
void lf_ingest_set_root_first(lf_ingest *ing, bool first);
/* On: a file read whole gets its SHA-256 in lf_doc.file_sha256 (for a manifest). Default off. */
void lf_ingest_set_hashing(lf_ingest *ing, bool on);
/* The same for bytes already in memory (copied into doc). */
lf_status lf_ingest_buffer(lf_ingest *ing, const char *path, const char *id, const char *data,
                           size_t len, lf_doc_format fmt, lf_doc *doc,
                           lf_error *err) LF_WARN_UNUSED;
/* For tests: whether the speaker-label regex matches the line line[0..len) (after its
 * indentation), and in *prefilter whether the cheap checks that keep most lines from that
 * regex let the line through — which they must whenever the regex matches. */
bool lf_ingest_label_probe(const lf_ingest *ing, const char *line, size_t len,
                           bool *prefilter);

/* ---- JSON Lines records (ingest_jsonl.c) ---- */
/* A document given as fields rather than a file: `text` is read like a .txt transcript
 * (front matter, speaker labels, stage directions), after `meta` (scalars in order, as if
 * they came first in the front matter: their title, date and source win) and `speakers`
 * (label → name, role, party, before the front matter's). Everything is borrowed for the
 * call only. */
typedef struct lf_record {
    const char *path; /* where it came from, for messages ("<stdin>:12") */
    const char *id;   /* the document id */
    const char *text;
    size_t len;
    const lf_meta *meta;
    size_t n_meta;
    const lf_speaker *speakers; /* label as written; name NULL means the label */
    size_t n_speakers;
} lf_record;

/* Fills doc (reset first) from a record. Errors as lf_ingest_file for a text file, naming
 * rec->path and the line and column inside the text. */
lf_status lf_ingest_record(lf_ingest *ing, const lf_record *rec, lf_doc *doc,
                           lf_error *err) LF_WARN_UNUSED;

/* The deepest nesting of a JSON Lines record, the record itself being level 1 (json-c's
 * default is 32); metadata nested less deeply is ignored, deeper is refused. */
#define LF_JSONL_MAX_DEPTH 1000

/* Parses one JSON Lines record — line `line_no` of the stream `name` — and ingests it with
 * lf_ingest_record: an object with "text" (a string, required), "id" (a string, or an
 * integer as written, of any size; default "NAME:LINE"), "speakers" (an object mapping a
 * label to a name or to {name, role, party}) and any other fields, whose scalar values
 * (strings; numbers, of any size, and booleans as written; null as "") become metadata in
 * order. Errors (LF_ERR_INPUT) are
 * "NAME:LINE:COL: message" for bad UTF-8 and bad JSON (columns count bytes from 1), and
 * "NAME:LINE: text line L, column C: message" for problems inside the text. */
lf_status lf_ingest_jsonl(lf_ingest *ing, const char *name, size_t line_no, const char *line,
                          size_t len, lf_doc *doc, lf_error *err) LF_WARN_UNUSED;

/* A stream of lines (standard input) read one at a time with flat memory; every byte read
 * is counted and hashed (SHA-256) on the way, for the manifest. */
typedef struct lf_stream lf_stream;

/* Reads from file descriptor fd (borrowed). `name` is used in messages. Lines longer than
 * max_line bytes (without their line end) are skipped and reported. */
lf_stream *lf_stream_new(int fd, const char *name, uint64_t max_line);
void lf_stream_free(lf_stream *s);
/* The next line that is not blank (only spaces, tabs, CR), without its LF or CRLF, into
 * *line; *line_no is its 1-based number. Returns LF_OK, or at the end of the stream LF_OK
 * with *eof set. LF_ERR_LIMIT: the line passed the jsonl-line-bytes limit (message
 * "NAME:LINE: …", *line holds its first max_line bytes; all its bytes were read and
 * hashed, the next call goes on after it). LF_ERR_INPUT: a read error (the stream is
 * over). */
lf_status lf_stream_next(lf_stream *s, lf_buf *line, size_t *line_no, bool *eof,
                         lf_error *err) LF_WARN_UNUSED;
/* The message of LF_ERR_LIMIT for line line_no (when a position prefix renumbers it). */
void lf_stream_limit_error(const lf_stream *s, size_t line_no, lf_error *err);
/* The size and SHA-256 (64 lowercase hex digits) of everything read so far; call once the
 * stream is over. */
void lf_stream_digest(lf_stream *s, char hex[65], uint64_t *bytes);
/* A line "POS<TAB>record" (1 to 19 digits, then a tab) gives the record's position in a
 * whole stream split between runs (Spark's zipWithIndex, Hadoop Streaming's byte offset),
 * counting from 0: the prefix is removed from line, *pos set, and true returned. At
 * position 0, a byte order mark after the tab goes too (the start of the stream). */
bool lf_jsonl_position(lf_buf *line, size_t *pos);
/* True when p[0..n) holds only spaces, tabs and CRs: a blank line, no record. */
bool lf_jsonl_blank(const char *p, size_t n);

/* ---- corpus walking ---- */
/* Appends `path` itself when it is a file, or every transcript file (.txt, .md, .htm,
 * .html, .xml; hidden entries skipped) below it when it is a directory, walked recursively
 * in byte-wise sorted order without following symlinked directories twice. LF_ERR_INPUT
 * names the path when it does not exist or cannot be read.
 * TEI (see lf_tei_corpus_inputs): in a directory, .xml files whose root element is not
 * TEI or teiCorpus are skipped; a corpus root (teiCorpus with xi:include) is not a
 * document itself: the documents it includes get it as corpus_root and the files its
 * header includes (speaker lists, taxonomies) are dropped. A corpus root named as a file
 * stands for the documents it includes. A directory below `path` that cannot be read
 * becomes an entry with `error` set, in its sorted place, so the other files still count. */
/* The path "-" stands for standard input read as JSON Lines (lf_input_file.stream); it
 * may be given once (LF_ERR_USAGE the second time). */
lf_status lf_input_collect(const char *path, lf_input_list *out, lf_error *err) LF_WARN_UNUSED;
/* lf_input_collect with the run's options: a TEI corpus root is scanned under opt's limits
 * (xml-depth, xml-text-bytes, file-bytes), as its documents are read. opt may be NULL
 * (the defaults, as lf_input_collect). */
lf_status lf_input_collect_opt(const char *path, const lf_options *opt, lf_input_list *out,
                               lf_error *err) LF_WARN_UNUSED;
/* Frees the strings of one entry (not the entry itself). */
void lf_input_file_free(lf_input_file *f);
void lf_input_list_free(lf_input_list *list);
lf_doc_format lf_doc_format_for_path(const char *path);

#endif
