/* ingest_jsonl.c — stage 1, documents from a stream: standard input read as JSON Lines,
 * one document per line ({"id": …, "text": …, "speakers": {…}, metadata…}), so lexframe can
 * sit in a pipeline. Lines are read one at a time with flat memory and hashed as they pass;
 * each record is parsed with json-c and its text ingested like a .txt transcript
 * (lf_ingest_record), so speaker labels, stage directions and front matter work the same. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"

/* ---- the line stream ------------------------------------------------------------------ */

struct lf_stream {
    int fd;
    char *name;
    uint64_t max_line;
    char chunk[65536];
    size_t pos, end; /* unread bytes: chunk[pos, end) */
    bool eof, failed;
    size_t line_no;
    uint64_t bytes;
    struct sha256_ctx sha;
};

lf_stream *lf_stream_new(int fd, const char *name, uint64_t max_line)
{
    lf_stream *s = lf_xcalloc(1, sizeof *s);
    s->fd = fd;
    s->name = lf_xstrdup(name);
    s->max_line = max_line;
    sha256_init(&s->sha);
    return s;
}

void lf_stream_free(lf_stream *s)
{
    if (!s)
        return;
    free(s->name);
    free(s);
}

/* Refills the chunk; false at the end of the stream or on a read error (s->failed, err).
 * A UTF-8 byte order mark at the very start of the stream is skipped (RFC 8259 lets a
 * parser ignore one; Windows tools write it): it is hashed and counted like every byte read
 * but is no part of line 1. A pipe may deliver it in pieces, so the first read goes on
 * until three bytes or the end of the stream have come. */
static bool refill(lf_stream *s, lf_error *err)
{
    static const char bom[] = "\xEF\xBB\xBF";
    bool start = s->bytes == 0;
    s->pos = s->end = 0;
    while (!s->eof && (s->pos == s->end || (start && s->end < 3))) {
        ssize_t n;
        do
            /* read(2), not fread: a pipe's line is processed when it arrives, not when 64
               KiB have arrived */
            n = read(s->fd, s->chunk + s->end, sizeof s->chunk - s->end);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            lf_error_at(err, LF_ERR_INPUT, s->name, s->line_no + 1, 0, "read error: %s",
                        strerror(errno));
            s->eof = s->failed = true;
            return false;
        }
        if (n == 0) {
            s->eof = true;
            break;
        }
        sha256_update(&s->sha, (size_t)n, (const uint8_t *)s->chunk + s->end);
        s->end += (size_t)n;
        s->bytes += (uint64_t)n;
        if (start && s->end >= 3) {
            start = false;
            if (memcmp(s->chunk, bom, 3) == 0)
                s->pos = 3;
        }
    }
    return s->pos < s->end;
}

bool lf_jsonl_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

lf_status lf_stream_next(lf_stream *s, lf_buf *line, size_t *line_no, bool *eof,
                         lf_error *err)
{
    *eof = false;
    for (;;) {
        lf_buf_reset(line);
        bool over = false, any = false;
        for (;;) {
            if (s->pos == s->end && !refill(s, err)) {
                if (s->failed) {
                    *line_no = s->line_no + 1;
                    return LF_ERR_INPUT;
                }
                break; /* the last line has no line end */
            }
            any = true;
            const char *p = s->chunk + s->pos;
            size_t avail = s->end - s->pos;
            const char *nl = memchr(p, '\n', avail);
            size_t take = nl ? (size_t)(nl - p) : avail;
            /* An over-long line is read to its end but only its first max_line bytes are
               kept (a position prefix is read from them): memory stays flat. */
            if (!over && (uint64_t)line->len + take > s->max_line) {
                over = true;
                lf_buf_append(line, p, (size_t)(s->max_line - line->len));
            }
            if (!over)
                lf_buf_append(line, p, take);
            s->pos += take + (nl ? 1 : 0);
            if (nl)
                break;
        }
        if (!any) {
            *eof = true;
            return LF_OK;
        }
        s->line_no++;
        *line_no = s->line_no;
        if (over) {
            lf_buf_cstr(line);
            lf_stream_limit_error(s, s->line_no, err);
            return LF_ERR_LIMIT;
        }
        if (line->len && line->data[line->len - 1] == '\r')
            line->len--;
        if (lf_jsonl_blank(line->data, line->len))
            continue; /* blank lines separate nothing and are no documents */
        lf_buf_cstr(line);
        return LF_OK;
    }
}

void lf_stream_limit_error(const lf_stream *s, size_t line_no, lf_error *err)
{
    lf_error_at(err, LF_ERR_LIMIT, s->name, line_no, 0,
                "line longer than %llu bytes (limit jsonl-line-bytes)",
                (unsigned long long)s->max_line);
}

void lf_stream_digest(lf_stream *s, char hex[65], uint64_t *bytes)
{
    struct sha256_ctx copy = s->sha; /* the stream may still be read afterwards */
    lf_sha256_digest_hex(&copy, hex);
    *bytes = s->bytes;
}

bool lf_jsonl_position(lf_buf *line, size_t *pos)
{
    size_t n = 0;
    uint64_t v = 0;
    while (n < line->len && n < 20 && line->data[n] >= '0' && line->data[n] <= '9')
        v = v * 10 + (uint64_t)(line->data[n++] - '0');
    /* a record is an object: a line starting with digits and a tab cannot be one */
    if (n == 0 || n == 20 || n >= line->len || line->data[n] != '\t' || v >= SIZE_MAX)
        return false;
    /* position 0 is the start of the stream, whose byte order mark (Hadoop gives the
       file's first line with it) is skipped as it is at the start of a plain stream */
    size_t cut = n + 1;
    if (v == 0 && line->len - cut >= 3 && memcmp(line->data + cut, "\xEF\xBB\xBF", 3) == 0)
        cut += 3;
    memmove(line->data, line->data + cut, line->len - cut);
    line->len -= cut;
    line->data[line->len] = '\0';
    *pos = (size_t)v;
    return true;
}

/* ---- one record ------------------------------------------------------------------------ */

/* An error inside the text names the record's line and the place in the text: the text
 * reader says "NAME:LINE:L:C: message", which reads as a column of the record's line, so it
 * is rewritten as "NAME:LINE: text line L, column C: message". */
static void relocate_error(lf_error *err, const char *path)
{
    size_t n = strlen(path);
    const char *m = err->message;
    if (strncmp(m, path, n) != 0 || m[n] != ':' || m[n + 1] < '0' || m[n + 1] > '9')
        return;
    char *end;
    unsigned long line = strtoul(m + n + 1, &end, 10), col = 0;
    if (*end == ':' && end[1] >= '0' && end[1] <= '9')
        col = strtoul(end + 1, &end, 10);
    if (*end != ':')
        return;
    const char *rest = end + 1 + (end[1] == ' ');
    char buf[sizeof err->message];
    if (col)
        snprintf(buf, sizeof buf, "%s: text line %lu, column %lu: %s", path, line, col, rest);
    else
        snprintf(buf, sizeof buf, "%s: text line %lu: %s", path, line, rest);
    memcpy(err->message, buf, sizeof buf);
}

/* A metadata value: strings as they are, numbers and booleans as written, null as "". */
static const char *scalar_text(struct json_object *v, bool *scalar)
{
    *scalar = true;
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "";
    case json_type_string:
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
        return json_object_get_string(v);
    case json_type_object:
    case json_type_array:
        break;
    }
    *scalar = false;
    return NULL;
}

/* Whether v is a string holding U+0000 (\u0000), which a C string would cut short. */
static bool holds_nul(struct json_object *v)
{
    return json_object_is_type(v, json_type_string) &&
           strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v);
}

/* The speakers object: label → "name", or label → {"name", "role", "party"}. */
static lf_status read_speakers(struct json_object *obj, const char *path, lf_speaker **out,
                               size_t *n, lf_error *err)
{
    if (json_object_is_type(obj, json_type_null))
        return LF_OK;
    if (!json_object_is_type(obj, json_type_object)) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0,
                    "\"speakers\" must map each label to a name or to name/role/party");
        return LF_ERR_INPUT;
    }
    size_t cap = (size_t)json_object_object_length(obj);
    lf_speaker *sp = lf_xcalloc(cap ? cap : 1, sizeof *sp);
    size_t k = 0;
    json_object_object_foreach(obj, label, val)
    {
        lf_speaker s = {.label = label};
        bool nul = holds_nul(val);
        static const char *const keys[] = {"name", "role", "party"};
        for (size_t i = 0; i < 3 && json_object_is_type(val, json_type_object); i++) {
            struct json_object *f;
            nul = nul || (json_object_object_get_ex(val, keys[i], &f) && holds_nul(f));
        }
        if (nul) { /* a name cut at a NUL would silently become another one */
            free(sp);
            lf_error_at(err, LF_ERR_INPUT, path, 0, 0,
                        "speaker \"%s\" holds a NUL character (\\u0000)", label);
            return LF_ERR_INPUT;
        }
        if (json_object_is_type(val, json_type_string)) {
            if (json_object_get_string_len(val))
                s.name = json_object_get_string(val);
        } else if (json_object_is_type(val, json_type_object)) {
            /* other keys and non-string values are ignored, as in front matter */
            const char **dst[] = {&s.name, &s.role, &s.party};
            for (size_t i = 0; i < 3; i++) {
                struct json_object *f;
                if (json_object_object_get_ex(val, keys[i], &f) &&
                    json_object_is_type(f, json_type_string) && json_object_get_string_len(f))
                    *dst[i] = json_object_get_string(f);
            }
        } else if (!json_object_is_type(val, json_type_null)) {
            free(sp);
            lf_error_at(err, LF_ERR_INPUT, path, 0, 0,
                        "speaker \"%s\" must be a name or an object with name, role, party",
                        label);
            return LF_ERR_INPUT;
        }
        sp[k++] = s;
    }
    *out = sp;
    *n = k;
    return LF_OK;
}

/* Whether line[0..len) holds the text \u0000 anywhere (a quick test before nul_key_at). */
static bool has_nul_escape(const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
        if (end - p >= 6 && memcmp(p, "\\u0000", 6) == 0)
            return true;
        p++;
    }
    return false;
}

/* Where, in the valid JSON text line[0..len), an object key holds the escape \u0000: the
 * offset of the key's opening quote, or len when none does. json-c keeps keys as C strings,
 * cut at the NUL, so this looks at the text: a key is a string followed by ':'. */
static size_t nul_key_at(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] != '"')
            continue;
        size_t open = i;
        bool nul = false;
        for (i++; i < len && line[i] != '"'; i++)
            if (line[i] == '\\') {
                nul = nul || (len - i >= 6 && memcmp(line + i, "\\u0000", 6) == 0);
                i++; /* the escaped character (or u of \uXXXX: its digits are not quotes) */
            }
        size_t j = i + 1;
        while (j < len && (line[j] == ' ' || line[j] == '\t' || line[j] == '\r' ||
                           line[j] == '\n'))
            j++;
        if (nul && j < len && line[j] == ':')
            return open;
    }
    return len;
}

/* Feeds text[0..len) to tok (json-c takes an int length: a text past 1 GiB goes in pieces):
 * the value parsed, or NULL with *jerr set (json_tokener_continue when the text ends inside
 * a value); *done is where parsing stopped. */
static struct json_object *parse_text(struct json_tokener *tok, const char *text, size_t len,
                                      size_t *done, enum json_tokener_error *jerr)
{
    struct json_object *obj = NULL;
    *jerr = json_tokener_continue;
    *done = 0;
    while (*done < len && *jerr == json_tokener_continue) {
        size_t piece = len - *done < (size_t)1 << 30 ? len - *done : (size_t)1 << 30;
        obj = json_tokener_parse_ex(tok, text + *done, (int)piece);
        *jerr = json_tokener_get_error(tok);
        *done += obj || *jerr != json_tokener_continue ? json_tokener_get_parse_end(tok) : piece;
    }
    return obj;
}

/* Where the JSON string whose opening quote is at line[i] ends (after its closing quote). */
static size_t string_end(const char *line, size_t len, size_t i)
{
    for (i++; i < len;) {
        const char *q = memchr(line + i, '"', len - i);
        if (!q)
            return len;
        size_t at = (size_t)(q - line), slashes = 0;
        while (line[at - 1 - slashes] == '\\')
            slashes++;
        i = at + 1;
        if (slashes % 2 == 0) /* not an escaped quote */
            break;
    }
    return i;
}

static size_t skip_space(const char *line, size_t len, size_t i)
{
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        i++;
    return i;
}

/* Where the JSON value that starts at line[i] ends, in a text json-c has accepted. */
static size_t value_end(const char *line, size_t len, size_t i)
{
    size_t depth = 0;
    while (i < len) {
        char c = line[i];
        if (c == '"') {
            i = string_end(line, len, i);
            if (!depth)
                return i;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth <= 1) /* the value's own end, or a scalar's container's */
                return depth ? i + 1 : i;
            depth--;
        } else if (!depth && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            return i; /* the end of a number, true, false or null */
        }
        i++;
    }
    return len;
}

/* json-c keeps an integer as a 64-bit number: 99999999999999999998 and 99999999999999999999
 * both read as 18446744073709551615, -0 as 0. Ids and metadata are taken as written, so
 * each top-level integer of obj, the record parsed from the valid JSON text line[0..len),
 * is replaced by a string of its text. The members are found in the text; a key given twice
 * keeps its last value in json-c, so they are looked at from the last one back (the last
 * occurrence is the one still an integer in obj). */
static void integers_as_written(struct json_object *obj, const char *line, size_t len)
{
    bool any = false;
    json_object_object_foreach(obj, k, v)
    {
        (void)k;
        if (json_object_is_type(v, json_type_int)) {
            any = true;
            break;
        }
    }
    if (!any)
        return;
    typedef struct member {
        size_t key, key_end, value, value_end;
    } member;
    LF_VEC(member) numbers = {0};
    size_t i = skip_space(line, len, 0) + 1; /* after the record's '{' */
    while ((i = skip_space(line, len, i)) < len && line[i] == '"') {
        member m = {.key = i, .key_end = string_end(line, len, i)};
        m.value = skip_space(line, len, skip_space(line, len, m.key_end) + 1); /* after ':' */
        m.value_end = value_end(line, len, m.value);
        char c = m.value < len ? line[m.value] : '\0';
        if ((c == '-' || (c >= '0' && c <= '9')) && m.value_end - m.value <= INT_MAX)
            LF_VEC_PUSH(numbers, m);
        i = skip_space(line, len, m.value_end);
        if (i < len && line[i] == ',')
            i++; /* else the record's '}' ends the loop */
    }
    for (size_t n = numbers.n; n-- > 0;) {
        const member *m = &numbers.v[n];
        /* the key as json-c has it, escapes decoded */
        struct json_tokener *tok = json_tokener_new();
        if (!tok)
            lf_oom();
        size_t done;
        enum json_tokener_error jerr;
        struct json_object *key =
            parse_text(tok, line + m->key, m->key_end - m->key, &done, &jerr);
        struct json_object *now;
        /* "text" must be a string: an integer there is refused, not turned into one */
        if (key && strcmp(json_object_get_string(key), "text") != 0 &&
            json_object_object_get_ex(obj, json_object_get_string(key), &now) &&
            json_object_is_type(now, json_type_int)) {
            struct json_object *text =
                json_object_new_string_len(line + m->value, (int)(m->value_end - m->value));
            if (!text || json_object_object_add(obj, json_object_get_string(key), text) != 0)
                lf_oom();
        }
        json_object_put(key);
        json_tokener_free(tok);
    }
    LF_VEC_FREE(numbers);
}

/* Parses the line into a JSON object; NULL with err set ("NAME:LINE:COL: …") otherwise. */
static struct json_object *parse_line(const char *name, size_t line_no, const char *line,
                                      size_t len, lf_error *err)
{
    /* json-c stops at a NUL byte as at the end of the text ("unexpected end of data"):
       the NUL is named at its place, after any invalid UTF-8 before it */
    const char *nul = memchr(line, '\0', len);
    size_t bad, upto = nul ? (size_t)(nul - line) : len;
    if (!lf_utf8_valid(line, upto, &bad)) {
        lf_error_at(err, LF_ERR_INPUT, name, line_no, bad + 1, "invalid UTF-8");
        return NULL;
    }
    if (nul) {
        lf_error_at(err, LF_ERR_INPUT, name, line_no, upto + 1, "NUL byte (binary input?)");
        return NULL;
    }
    struct json_tokener *tok = json_tokener_new_ex(LF_JSONL_MAX_DEPTH);
    if (!tok)
        lf_oom();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    size_t done;
    enum json_tokener_error jerr;
    struct json_object *obj = parse_text(tok, line, len, &done, &jerr);
    if (!obj) {
        if (jerr == json_tokener_continue)
            lf_error_at(err, LF_ERR_INPUT, name, line_no, len + 1,
                        "invalid JSON: the line ends inside a JSON value");
        else if (done == 0 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
            lf_error_at(err, LF_ERR_INPUT, name, line_no, 1,
                        "invalid JSON: a byte order mark (U+FEFF) is skipped only at the "
                        "start of the stream");
        else if (jerr == json_tokener_error_depth)
            lf_error_at(err, LF_ERR_INPUT, name, line_no, done + 1,
                        "invalid JSON: nested more than %d levels deep (the record is level 1)",
                        LF_JSONL_MAX_DEPTH);
        else
            lf_error_at(err, LF_ERR_INPUT, name, line_no, done + 1, "invalid JSON: %s",
                        json_tokener_error_desc(jerr));
    } else if (!lf_jsonl_blank(line + done, len - done)) {
        lf_error_at(err, LF_ERR_INPUT, name, line_no, done + 1,
                    "invalid JSON: text after the record (one record per line)");
        json_object_put(obj);
        obj = NULL;
    } else if (!json_object_is_type(obj, json_type_object)) {
        lf_error_at(err, LF_ERR_INPUT, name, line_no, 1,
                    "a record must be a JSON object with a \"text\" field");
        json_object_put(obj);
        obj = NULL;
    } else if (has_nul_escape(line, len) && (bad = nul_key_at(line, len)) < len) {
        /* a field or speaker label cut at the NUL would silently become another one */
        lf_error_at(err, LF_ERR_INPUT, name, line_no, bad + 1,
                    "a field name holds a NUL character (\\u0000)");
        json_object_put(obj);
        obj = NULL;
    } else {
        integers_as_written(obj, line, done);
    }
    json_tokener_free(tok);
    return obj;
}

lf_status lf_ingest_jsonl(lf_ingest *ing, const char *name, size_t line_no, const char *line,
                          size_t len, lf_doc *doc, lf_error *err)
{
    lf_doc_reset(doc);
    struct json_object *obj = parse_line(name, line_no, line, len, err);
    if (!obj)
        return LF_ERR_INPUT;
    char path[64 + 24];
    snprintf(path, sizeof path, "%.64s:%zu", name, line_no);
    lf_status st = LF_OK;
    lf_record rec = {.path = path};
    LF_VEC(lf_meta) meta = {0};
    lf_speaker *speakers = NULL;
    char *default_id = NULL;
    bool has_text = false;
    json_object_object_foreach(obj, key, val)
    {
        /* an id or a metadata value cut at a NUL would silently become another one (the
           text's NUL is reported with its line and offset by lf_ingest_record) */
        if (strcmp(key, "text") != 0 && holds_nul(val)) {
            lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "\"%s\" holds a NUL character (\\u0000)",
                        key);
            st = LF_ERR_INPUT;
            goto out;
        }
        if (strcmp(key, "text") == 0) {
            if (!json_object_is_type(val, json_type_string)) {
                lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "\"text\" must be a string");
                st = LF_ERR_INPUT;
                goto out;
            }
            rec.text = json_object_get_string(val);
            rec.len = (size_t)json_object_get_string_len(val);
            has_text = true;
        } else if (strcmp(key, "id") == 0) {
            if (!(json_object_is_type(val, json_type_string) &&
                  json_object_get_string_len(val) > 0) &&
                !json_object_is_type(val, json_type_int)) {
                lf_error_at(err, LF_ERR_INPUT, path, 0, 0,
                            "\"id\" must be a non-empty string or an integer");
                st = LF_ERR_INPUT;
                goto out;
            }
            rec.id = json_object_get_string(val);
        } else if (strcmp(key, "speakers") == 0) {
            st = read_speakers(val, path, &speakers, &rec.n_speakers, err);
            if (st != LF_OK)
                goto out;
            rec.speakers = speakers;
        } else {
            bool scalar;
            const char *v = scalar_text(val, &scalar);
            if (scalar) /* lists and objects carry no metadata, as in front matter */
                LF_VEC_PUSH(meta, ((lf_meta){key, v}));
        }
    }
    if (!has_text) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "the record has no \"text\" field");
        st = LF_ERR_INPUT;
        goto out;
    }
    if (!rec.id) {
        default_id = lf_xstrdup(path);
        rec.id = default_id;
    }
    rec.meta = meta.v;
    rec.n_meta = meta.n;
    st = lf_ingest_record(ing, &rec, doc, err);
    if (st != LF_OK)
        relocate_error(err, path);
out:
    json_object_put(obj);
    LF_VEC_FREE(meta);
    free(speakers);
    free(default_id);
    return st;
}
