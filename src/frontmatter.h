/* frontmatter.h — private to the ingest stage (ingest_text.c, ingest_html.c,
 * frontmatter.c): the YAML front-matter reader, the HTML text extractor and the speaker
 * label normalization they share. Nothing outside src/ingest_*.c and frontmatter.c
 * includes this header. */
#ifndef LF_FRONTMATTER_H
#define LF_FRONTMATTER_H

#include <stddef.h>

#include "ingest.h"
#include "util.h"

/* Speaker aliases from front matter `speakers:`; label is normalized, strings live in the
 * document's arena. */
typedef LF_VEC(lf_speaker) lf_alias_vec;

/* Parses the YAML text yaml[0..len) that starts on line `first_line` of doc->path. Appends
 * every top-level scalar to doc->meta in file order, sets doc->title/date/source, and
 * appends the `speakers:` entries to *aliases. LF_ERR_INPUT "path:line:col: front matter:
 * <problem>" when the YAML is malformed or `speakers` is not a mapping. */
lf_status lf_frontmatter_parse(const char *yaml, size_t len, size_t first_line, lf_doc *doc,
                               lf_alias_vec *aliases, lf_error *err) LF_WARN_UNUSED;

/* Appends one metadata scalar (key and value in doc's arena) to doc->meta and fills
 * doc->title/date/source from the first non-empty title, date and source; the first
 * non-empty source_url is kept in *source_url (the caller's fallback for source). Shared by
 * front matter and JSON Lines records, so both give the same metadata. */
void lf_meta_add(lf_doc *doc, const char *key, const char *value, const char **source_url);

/* Checks, before the YAML is loaded, that lists and maps in yaml[0..len) nest at most
 * max_depth levels deep (libyaml's scanner slows down quadratically with flow nesting such
 * as [[[[…]]]]). Returns false and sets *line (0-based, within yaml) where the limit is
 * passed; YAML errors are left to lf_frontmatter_parse. */
bool lf_frontmatter_depth_ok(const char *yaml, size_t len, uint64_t max_depth, size_t *line);

/* Normalizes a speaker label as written: runs of horizontal whitespace (incl. U+00A0)
 * become one space, leading/trailing whitespace and trailing ':' / '.' are removed. Writes
 * at most n bytes to out (which must hold n bytes) and returns the length written. */
size_t lf_label_normalize(const char *s, size_t n, char *out);

/* Byte length of the white space character at p (space, tab, line ends, U+00A0 and the
 * other Unicode spaces the label rule knows), or 0. */
size_t lf_space_len(const unsigned char *p, const unsigned char *end);

/* Extracts the text of an HTML page: the concatenated text of its <pre> elements, or of
 * <body> when there is none, entities decoded and tags dropped. Blank lines are inserted
 * so that line N of the extracted text is line N of the HTML source wherever the text
 * allows it. Appends to *out; *title gets a malloc'd copy of <title> (whitespace
 * collapsed) or NULL. LF_ERR_INPUT when libxml2 cannot parse anything. */
lf_status lf_html_extract(const char *path, const char *data, size_t len, lf_buf *out,
                          char **title, lf_error *err) LF_WARN_UNUSED;

#endif
