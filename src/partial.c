/* partial.c — partial results (between aggregate and render): the text format that
 * `lexframe report --partial` writes and `lexframe merge` reads. A partial is
 *   lexframe-partial FORMAT VERSION       the header line
 *   lexicon HEX THEMES ENTRIES           what fixes theme and entry numbers
 *   option NAME=VALUE                    every option line of the manifest, in order
 *                                        (sample, seed, width: report.html's evidence)
 *   doc ORDER LINE PATH                  a document's block: its key, then
 *   row COLUMNS…                         its counted matches (kwic TSV columns)
 *   fail MESSAGE                         its failure, if it failed
 *   input ORDER LINE PATH BYTES SHA256   an input read whole, for the manifest
 *   group/count/joint/term/…             the count tables (aggregate.c)
 *   end LINES SHA256                     the number of lines before this one, their hash
 * every field tab-separated, strings escaped (\\ \t \n \r) except in row lines, whose
 * columns hold no tab or line end. Merging reads each file once for the tables and the
 * index of blocks, then copies each document's rows in key order by seeking back. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "partial.h"
#include "render.h"

lf_status lf_lexicon_identity(const lf_lexicon *lex, const lf_options *opt, char hex[65],
                              lf_error *err)
{
    lf_buf b = {0};
    lf_buf_printf(&b, "themes %zu\nentries %zu\nformat %s\nencoding %s\ntheme %s\n",
                  lex->n_themes, lex->n_entries,
                  opt && opt->lexicon_format ? opt->lexicon_format : "",
                  opt && opt->encoding ? opt->encoding : "",
                  opt && opt->lexicon_theme ? opt->lexicon_theme : "");
    for (size_t i = 0; i < lex->n_files; i++) {
        char file_hex[65];
        if (lf_sha256_file(lex->files[i], file_hex, NULL, err) != LF_OK) {
            lf_buf_free(&b);
            err->status = LF_ERR_LEXICON;
            return LF_ERR_LEXICON;
        }
        lf_buf_printf(&b, "%s\n", file_hex);
    }
    lf_sha256_hex(b.data, b.len, hex);
    lf_buf_free(&b);
    return LF_OK;
}

/* ---- writing ---- */

/* The hashing stream: every byte written is hashed, then written to `to`. */
static ssize_t hash_write(void *cookie, const char *buf, size_t n)
{
    lf_partial_out *o = cookie;
    sha256_update(&o->hash, n, (const uint8_t *)buf);
    return fwrite(buf, 1, n, o->to) == n ? (ssize_t)n : -1;
}

static int hash_close(void *cookie)
{
    (void)cookie; /* `to` belongs to the caller */
    return 0;
}

bool lf_partial_begin(lf_partial_out *o, FILE *to)
{
    *o = (lf_partial_out){.to = to};
    sha256_init(&o->hash);
    o->fp = fopencookie(o, "w", (cookie_io_functions_t){.write = hash_write,
                                                        .close = hash_close});
    if (!o->fp)
        return false;
    setvbuf(o->fp, NULL, _IOFBF, 65536);
    return true;
}

void lf_partial_put_header(lf_partial_out *o, const char *lexicon_hex, size_t n_themes,
                           size_t n_entries, const char *const *lexicon_files,
                           size_t n_lexicon_files, const char *const *options,
                           size_t n_options, unsigned shard_count, const char *inputs_hex)
{
    fprintf(o->fp, "%s\t%d\t", LF_PARTIAL_MAGIC, LF_PARTIAL_FORMAT);
    lf_fput_escaped(o->fp, lf_version());
    fprintf(o->fp, "\nlexicon\t%s\t%zu\t%zu\n", lexicon_hex, n_themes, n_entries);
    for (size_t i = 0; i < n_lexicon_files; i++) {
        fputs("lexicon-file\t", o->fp);
        lf_fput_escaped(o->fp, lexicon_files[i]);
        putc('\n', o->fp);
    }
    if (shard_count) {
        fprintf(o->fp, "shard\t%u\t%s\n", shard_count, inputs_hex);
        o->lines++;
    }
    for (size_t i = 0; i < n_options; i++) {
        fputs("option\t", o->fp);
        lf_fput_escaped(o->fp, options[i]);
        putc('\n', o->fp);
    }
    o->lines += 2 + n_lexicon_files + n_options;
}

static void put_key(FILE *fp, const lf_partial_key *k)
{
    fprintf(fp, "\t%llu\t%llu\t", (unsigned long long)k->order, (unsigned long long)k->line);
    lf_fput_escaped(fp, k->path);
}

void lf_partial_put_doc(lf_partial_out *o, const lf_partial_key *k)
{
    fputs("doc", o->fp);
    put_key(o->fp, k);
    putc('\n', o->fp);
    o->lines++;
}

int lf_partial_put_row(lf_partial_out *o, const lf_match_row *row)
{
    o->lines++;
    fputs("row\t", o->fp);
    return lf_write_kwic_tsv_escaped(o->fp, row);
}

void lf_partial_put_fail(lf_partial_out *o, const char *message)
{
    fputs("fail\t", o->fp);
    lf_fput_escaped(o->fp, message);
    putc('\n', o->fp);
    o->lines++;
}

void lf_partial_put_input(lf_partial_out *o, const lf_partial_key *k, uint64_t bytes,
                          const char *hex)
{
    fputs("input", o->fp);
    put_key(o->fp, k);
    fprintf(o->fp, "\t%llu\t%s\n", (unsigned long long)bytes, hex);
    o->lines++;
}

void lf_partial_put_tables(lf_partial_out *o, const lf_tables *t)
{
    o->lines += lf_tables_write(t, o->fp);
}

void lf_partial_put_end(lf_partial_out *o)
{
    /* a write error has already set the error flag of `to`, which the caller checks */
    fclose(o->fp);
    o->fp = o->to;
    char hex[65];
    lf_sha256_digest_hex(&o->hash, hex);
    fprintf(o->fp, "end\t%llu\t%s\n", (unsigned long long)o->lines, hex);
    o->lines++;
}

void lf_partial_abandon(lf_partial_out *o)
{
    if (o->fp && o->fp != o->to)
        fclose(o->fp);
    o->fp = o->to;
}

/* ---- reading ---- */

void lf_partial_set_init(lf_partial_set *s)
{
    memset(s, 0, sizeof *s);
    lf_strmap_init(&s->paths);
}

static void header_free(lf_partial_header *h)
{
    free(h->version);
    for (size_t i = 0; i < h->options.n; i++)
        free(h->options.v[i]);
    LF_VEC_FREE(h->options);
    LF_VEC_FREE(h->option_lines);
    for (size_t i = 0; i < h->lexicon_files.n; i++)
        free(h->lexicon_files.v[i]);
    LF_VEC_FREE(h->lexicon_files);
    memset(h, 0, sizeof *h);
}

void lf_partial_set_free(lf_partial_set *s)
{
    for (size_t i = 0; i < s->files.n; i++)
        fclose(s->files.v[i]);
    LF_VEC_FREE(s->files);
    LF_VEC_FREE(s->ids);
    for (size_t i = 0; i < s->names.n; i++)
        free(s->names.v[i]);
    LF_VEC_FREE(s->names);
    for (size_t i = 0; i < s->docs.n; i++)
        free(s->docs.v[i].fail);
    LF_VEC_FREE(s->docs);
    LF_VEC_FREE(s->inputs);
    lf_strmap_free(&s->paths);
    header_free(&s->first);
    free(s->first_name);
    lf_buf_free(&s->line);
    LF_VEC_FREE(s->fields);
    lf_buf_free(&s->rows);
    LF_VEC_FREE(s->row_starts);
}

/* Reads one line (without its LF) into s->line; false at the end of the file. A line cut
 * off by the end of the file still counts: the missing end line reports it. */
static bool read_line(lf_partial_set *s, FILE *fp)
{
    ssize_t n = getline(&s->line.data, &s->line.cap, fp);
    if (n < 0) {
        s->line.len = 0;
        return false;
    }
    if (n > 0 && s->line.data[n - 1] == '\n')
        s->line.data[--n] = '\0';
    s->line.len = (size_t)n;
    return true;
}

/* Splits the line p at tabs into s->fields (pointers into the line). */
static size_t split_line(lf_partial_set *s, char *p, size_t max_fields)
{
    s->fields.n = 0;
    LF_VEC_PUSH(s->fields, p);
    while (s->fields.n < max_fields && (p = strchr(p, '\t')) != NULL) {
        *p++ = '\0';
        LF_VEC_PUSH(s->fields, p);
    }
    return s->fields.n;
}

static size_t split(lf_partial_set *s, size_t max_fields)
{
    return split_line(s, s->line.data, max_fields);
}

/* The SHA-256 of one document's row lines (each with its LF), as lf_partial_doc keeps it. */
static void rows_digest(struct sha256_ctx *ctx, unsigned char digest[32])
{
    sha256_digest(ctx, SHA256_DIGEST_SIZE, digest);
}

/* A copy of a file that cannot be read twice (a pipe, standard input) in a temporary file,
 * so that merging can seek back to the rows. */
static FILE *seekable(FILE *fp, const char *path, lf_error *err)
{
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
        return fp;
    FILE *tmp = tmpfile();
    if (!tmp) {
        lf_error_at(err, LF_ERR_IO, path, 0, 0, "cannot create a temporary copy: %s",
                    strerror(errno));
        return NULL;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        if (fwrite(buf, 1, n, tmp) != n) {
            lf_error_at(err, LF_ERR_IO, path, 0, 0, "cannot write a temporary copy: %s",
                        strerror(errno));
            fclose(tmp);
            return NULL;
        }
    if (ferror(fp)) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "read error: %s", strerror(errno));
        fclose(tmp);
        return NULL;
    }
    rewind(tmp);
    return tmp;
}

static bool parse_key(lf_partial_set *s, char *const *f, lf_partial_key *k)
{
    uint64_t order, line;
    if (!lf_parse_u64(f[0], UINT64_MAX, &order) || !lf_parse_u64(f[1], UINT64_MAX, &line) ||
        !lf_unescape(f[2]))
        return false;
    size_t len = strlen(f[2]);
    *k = (lf_partial_key){order, lf_strmap_put(&s->paths, f[2], len, 0), line};
    return true;
}

/* The state of reading one file. */
typedef struct reader {
    lf_partial_set *s;
    const lf_partial_hooks *h;
    FILE *fp;
    const char *path;
    uint32_t file;
    uint64_t line_no;    /* of the file */
    uint64_t part_lines; /* lines of the current partial so far */
    lf_partial_header hdr;
    enum { EXPECT_HEADER, IN_HEADER, IN_BODY } state;
    lf_tables *tables;
    size_t doc_index; /* the open document block in s->docs */
    bool doc_open;
    bool doc_hashing;           /* the row lines of s->docs.v[doc_index] go into doc_hash */
    struct sha256_ctx hash;     /* of the current partial's lines so far */
    struct sha256_ctx doc_hash; /* of the open document's row lines so far */
} reader;

static lf_status bad(reader *rd, lf_error *err, const char *fmt, ...) LF_PRINTF(3, 4);

/* LF_ERR_INPUT "PATH:LINE: message" at the line being read. */
static lf_status bad(reader *rd, lf_error *err, const char *fmt, ...)
{
    char what[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    lf_error_at(err, LF_ERR_INPUT, rd->path, rd->line_no, 0, "%s", what);
    return LF_ERR_INPUT;
}

/* Whether s starts with prefix; *value is what follows. */
static bool starts(const char *s, const char *prefix, const char **value)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return false;
    *value = s + n;
    return true;
}

static bool has_option(const lf_partial_header *h, const char *option)
{
    for (size_t i = 0; i < h->options.n; i++)
        if (strcmp(h->options.v[i], option) == 0)
            return true;
    return false;
}

/* The index of the first string where two lists differ (one may end first); SIZE_MAX when
 * they are the same. */
static size_t first_difference(const lf_partial_header_strings *a,
                               const lf_partial_header_strings *b)
{
    for (size_t i = 0; i < a->n || i < b->n; i++)
        if (i >= a->n || i >= b->n || strcmp(a->v[i], b->v[i]) != 0)
            return i;
    return SIZE_MAX;
}

/* Compares a header with the first partial's: merging needs the same version, lexicon and
 * options. */
static lf_status same_as_first(reader *rd, lf_error *err)
{
    const lf_partial_header *a = &rd->s->first, *b = &rd->hdr;
    char what[900];
    if (strcmp(a->version, b->version) != 0) {
        snprintf(what, sizeof what, "made by lexframe %.100s, but %.300s by lexframe %.100s",
                 b->version, rd->s->first_name, a->version);
        return bad(rd, err, "%s", what);
    }
    if (strcmp(a->lexicon, b->lexicon) != 0 || a->n_themes != b->n_themes ||
        a->n_entries != b->n_entries) {
        snprintf(what, sizeof what, "made with other lexicons than %.300s",
                 rd->s->first_name);
        bad(rd, err, "%s", what);
        /* the first partial's lexicons are the ones given (checked by the caller): this one
           was made with others, a lexicon error as for the first (exit status 2) */
        if (err)
            err->status = LF_ERR_LEXICON;
        return LF_ERR_LEXICON;
    }
    size_t d = first_difference(&a->lexicon_files, &b->lexicon_files);
    if (d != SIZE_MAX) {
        snprintf(what, sizeof what,
                 "made with the lexicon files named otherwise than in %.300s ('%.200s' where it "
                 "has '%.200s'): the rows name them as the run did, so every run must name "
                 "them alike", rd->s->first_name,
                 d < b->lexicon_files.n ? b->lexicon_files.v[d] : "(none)",
                 d < a->lexicon_files.n ? a->lexicon_files.v[d] : "(none)");
        uint64_t end = rd->line_no;
        /* at its differing line, or the header's end when it has fewer */
        rd->line_no = d < b->lexicon_files.n ? b->lexicon_files_line + d : end;
        bad(rd, err, "%s", what);
        rd->line_no = end;
        if (err)
            err->status = LF_ERR_LEXICON; /* as for other lexicons (exit status 2) */
        return LF_ERR_LEXICON;
    }
    if (a->shard_count && b->shard_count &&
        (a->shard_count != b->shard_count || strcmp(a->shard_inputs, b->shard_inputs) != 0)) {
        snprintf(what, sizeof what,
                 "a shard of %llu made with other inputs than %.300s (a shard of %llu): with "
                 "--shard every shard must be given the same paths in the same order",
                 (unsigned long long)b->shard_count, rd->s->first_name,
                 (unsigned long long)a->shard_count);
        uint64_t end = rd->line_no;
        rd->line_no = b->shard_line;
        lf_status st = bad(rd, err, "%s", what);
        rd->line_no = end;
        return st;
    }
    for (size_t i = 0; i < a->options.n || i < b->options.n; i++) {
        const char *x = i < a->options.n ? a->options.v[i] : NULL;
        const char *y = i < b->options.n ? b->options.v[i] : NULL;
        if (x && y && strcmp(x, y) == 0)
            continue;
        /* An option line only one of them has (--exclude-speaker, one --by less) is named
           as such, not as a mismatch with the line that happens to stand in its place. */
        bool y_new = y && !has_option(a, y), x_gone = x && !has_option(b, x);
        if (y_new == x_gone) {
            snprintf(what, sizeof what,
                     "made with other options than %.300s: '%.200s' where it has '%.200s'",
                     rd->s->first_name, y ? y : "(nothing)", x ? x : "(nothing)");
        } else if (y_new) {
            snprintf(what, sizeof what,
                     "made with other options than %.300s: '%.200s', which it was not made "
                     "with", rd->s->first_name, y);
        } else {
            snprintf(what, sizeof what,
                     "made with other options than %.300s: without '%.200s', which it was "
                     "made with", rd->s->first_name, x);
        }
        /* at the option line that differs (or the end of the header, when it has fewer) */
        uint64_t end = rd->line_no;
        if (y)
            rd->line_no = b->option_lines.v[i];
        lf_status st = bad(rd, err, "%s", what);
        rd->line_no = end;
        return st;
    }
    return LF_OK;
}

/* The header is complete (the first body line has come): check it and start the tables. */
static lf_status header_done(reader *rd, lf_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "%.500s:%llu", rd->path, (unsigned long long)rd->line_no);
    lf_status st;
    if (rd->s->have_first) {
        st = same_as_first(rd, err);
        if (st == LF_OK)
            st = rd->h->header(rd->h->ctx, &rd->hdr, where, err);
        header_free(&rd->hdr);
    } else {
        st = rd->h->header(rd->h->ctx, &rd->hdr, where, err);
        rd->s->first = rd->hdr;
        memset(&rd->hdr, 0, sizeof rd->hdr);
        rd->s->have_first = true;
        rd->s->first_name = lf_xstrdup(rd->path);
    }
    if (st != LF_OK)
        return st;
    rd->tables = rd->h->new_tables(rd->h->ctx);
    rd->state = IN_BODY;
    return LF_OK;
}

static lf_status header_line(reader *rd, size_t n, lf_error *err)
{
    char **f = rd->s->fields.v;
    if (rd->state == EXPECT_HEADER) {
        if (strcmp(f[0], LF_PARTIAL_MAGIC) != 0)
            return bad(rd, err, "not a lexframe partial result (made by 'lexframe report "
                                "--partial')");
        uint64_t format;
        size_t vlen = n == 3 ? strlen(f[2]) : 0;
        if (vlen && f[2][vlen - 1] == '\r')
            return bad(rd, err, "lines end in CR LF (a transfer in text mode?): lexframe "
                                "writes partial results with LF alone, and their SHA-256 "
                                "covers every byte");
        if (n != 3 || !lf_parse_u64(f[1], UINT32_MAX, &format) || !lf_unescape(f[2]))
            return bad(rd, err, "malformed header line");
        if (format != LF_PARTIAL_FORMAT || strcmp(f[2], lf_version()) != 0) {
            char what[300];
            snprintf(what, sizeof what,
                     "partial result of lexframe %.100s (format %llu); this is lexframe %s "
                     "(format %d): merge partials with the version that made them",
                     f[2], (unsigned long long)format, lf_version(), LF_PARTIAL_FORMAT);
            return bad(rd, err, "%s", what);
        }
        rd->hdr.version = lf_xstrdup(f[2]);
        rd->state = IN_HEADER;
        return LF_OK;
    }
    if (strcmp(f[0], "lexicon") == 0) {
        if (n != 4 || strlen(f[1]) != 64 || !lf_parse_u64(f[2], UINT32_MAX, &rd->hdr.n_themes) ||
            !lf_parse_u64(f[3], UINT32_MAX, &rd->hdr.n_entries))
            return bad(rd, err, "malformed lexicon line");
        memcpy(rd->hdr.lexicon, f[1], 65);
        return LF_OK;
    }
    if (strcmp(f[0], "lexicon-file") == 0) {
        if (n != 2 || !lf_unescape(f[1]))
            return bad(rd, err, "malformed lexicon-file line");
        if (!rd->hdr.lexicon_files.n)
            rd->hdr.lexicon_files_line = rd->line_no;
        LF_VEC_PUSH(rd->hdr.lexicon_files, lf_xstrdup(f[1]));
        return LF_OK;
    }
    if (strcmp(f[0], "shard") == 0) {
        if (n != 3 || !lf_parse_u64(f[1], UINT32_MAX, &rd->hdr.shard_count) ||
            rd->hdr.shard_count == 0 || strlen(f[2]) != 64)
            return bad(rd, err, "malformed shard line");
        memcpy(rd->hdr.shard_inputs, f[2], 65);
        rd->hdr.shard_line = rd->line_no;
        return LF_OK;
    }
    if (n != 2 || !lf_unescape(f[1]))
        return bad(rd, err, "malformed option line");
    /* report.html's evidence sample, which merging takes over */
    lf_partial_evidence *e = &rd->hdr.evidence;
    const char *v;
    bool ok = true;
    if (starts(f[1], "sample=", &v))
        ok = lf_parse_u64(v, UINT32_MAX, &e->per_theme);
    else if (starts(f[1], "seed=", &v))
        ok = lf_parse_u64(v, UINT64_MAX, &e->seed);
    else if (starts(f[1], "width=", &v))
        ok = lf_parse_u64(v, UINT32_MAX, &e->context);
    if (!ok)
        return bad(rd, err, "malformed option line");
    LF_VEC_PUSH(rd->hdr.options, lf_xstrdup(f[1]));
    LF_VEC_PUSH(rd->hdr.option_lines, rd->line_no);
    return LF_OK;
}

static lf_status body_line(reader *rd, size_t n, lf_error *err)
{
    lf_partial_set *s = rd->s;
    char **f = s->fields.v;
    const char *tag = f[0];
    if (strcmp(tag, "row") == 0) {
        if (!rd->doc_open)
            return bad(rd, err, "a row outside a document block");
        s->docs.v[rd->doc_index].rows++;
        return LF_OK;
    }
    rd->doc_open = rd->doc_open && strcmp(tag, "fail") == 0;
    if (strcmp(tag, "doc") == 0) {
        lf_partial_doc d = {.file = rd->file, .where = rd->line_no};
        if (n != 4 || !parse_key(s, f + 1, &d.key))
            return bad(rd, err, "malformed doc line");
        off_t at = ftello(rd->fp);
        if (at < 0) {
            lf_error_at(err, LF_ERR_INPUT, rd->path, 0, 0, "cannot tell its position: %s",
                        strerror(errno));
            return LF_ERR_INPUT;
        }
        d.offset = (int64_t)at;
        LF_VEC_PUSH(s->docs, d);
        rd->doc_index = s->docs.n - 1;
        rd->doc_open = true;
        sha256_init(&rd->doc_hash);
        rd->doc_hashing = true;
        return LF_OK;
    }
    if (strcmp(tag, "fail") == 0) {
        lf_partial_doc *d = rd->doc_open ? &s->docs.v[rd->doc_index] : NULL;
        if (!d || d->fail || n != 2 || !lf_unescape(f[1]))
            return bad(rd, err, "malformed fail line");
        d->fail = lf_xstrdup(f[1]);
        rd->doc_open = false;
        return LF_OK;
    }
    if (strcmp(tag, "input") == 0) {
        lf_partial_input in = {.file = rd->file};
        if (n != 6 || !parse_key(s, f + 1, &in.key) ||
            !lf_parse_u64(f[4], UINT64_MAX, &in.bytes) || strlen(f[5]) != 64 ||
            strspn(f[5], "0123456789abcdef") != 64) /* a SHA-256 as lexframe writes it */
            return bad(rd, err, "malformed input line");
        memcpy(in.hex, f[5], 65);
        LF_VEC_PUSH(s->inputs, in);
        return LF_OK;
    }
    if (strcmp(tag, "end") == 0) {
        uint64_t lines;
        if (n != 3 || !lf_parse_u64(f[1], UINT64_MAX, &lines) || lines != rd->part_lines)
            return bad(rd, err, "the end line does not match the lines before it (a damaged "
                                "partial result)");
        char hex[65];
        lf_sha256_digest_hex(&rd->hash, hex);
        if (strcmp(f[2], hex) != 0)
            return bad(rd, err, "the SHA-256 on the end line does not match the lines before "
                                "it (a changed or damaged partial result)");
        rd->h->tables_done(rd->h->ctx, rd->tables);
        rd->tables = NULL;
        rd->state = EXPECT_HEADER;
        return LF_OK;
    }
    if (!lf_tables_line_tag(tag))
        return bad(rd, err, "unknown line '%.40s'", tag);
    for (size_t i = 1; i < n; i++)
        if (!lf_unescape(f[i]))
            return bad(rd, err, "bad escape in a '%.40s' line", tag);
    char where[600];
    snprintf(where, sizeof where, "%.500s:%llu", rd->path, (unsigned long long)rd->line_no);
    return lf_tables_read_line(rd->tables, f, n, where, err);
}

lf_status lf_partial_read(lf_partial_set *s, const char *path, const lf_partial_hooks *h,
                          lf_error *err)
{
    bool std_in = strcmp(path, "-") == 0;
    if (std_in && s->stdin_read) {
        /* one stream: a second "-" would only ever see the end of the first */
        lf_error_set(err, LF_ERR_USAGE, "standard input ('-') is named twice");
        return LF_ERR_USAGE;
    }
    s->stdin_read = s->stdin_read || std_in;
    FILE *in = std_in ? stdin : fopen(path, "rb");
    if (!in) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "cannot open: %s", strerror(errno));
        return LF_ERR_INPUT;
    }
    /* the same file named twice (or by two names): said so, not as documents found twice */
    struct stat sb;
    lf_partial_file_id id = {0, 0};
    if (!std_in && fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode)) {
        id = (lf_partial_file_id){(uint64_t)sb.st_dev, (uint64_t)sb.st_ino};
        for (size_t i = 0; i < s->ids.n; i++)
            if (s->ids.v[i].dev == id.dev && s->ids.v[i].ino == id.ino) {
                fclose(in);
                lf_error_set(err, LF_ERR_USAGE, "%s is the same file as %s: a partial result "
                             "named twice would count twice", path, s->names.v[i]);
                return LF_ERR_USAGE;
            }
    }
    FILE *fp = seekable(in, path, err);
    if (fp != in && !std_in)
        fclose(in);
    if (!fp)
        return err->status;
    LF_VEC_PUSH(s->files, fp);
    LF_VEC_PUSH(s->ids, id);
    LF_VEC_PUSH(s->names, lf_xstrdup(std_in ? LF_STDIN_NAME : path));
    reader rd = {.s = s, .h = h, .fp = fp, .path = s->names.v[s->names.n - 1],
                 .file = (uint32_t)(s->files.n - 1)};
    lf_status st = LF_OK;
    bool any = false;
    /* A file that is no partial result is told so by its first bytes, before a line of it
       is read whole (a large file without a line break would be held in memory). */
    char head[sizeof LF_PARTIAL_MAGIC];
    size_t got = fread(head, 1, sizeof head, fp);
    if (got > 0 && head[0] != '\n' &&
        (got < sizeof head || memcmp(head, LF_PARTIAL_MAGIC "\t", sizeof head) != 0)) {
        rd.line_no = 1;
        st = bad(&rd, err, "not a lexframe partial result (made by 'lexframe report "
                           "--partial')");
    } else if (fseeko(fp, 0, SEEK_SET) != 0) {
        lf_error_at(err, LF_ERR_INPUT, rd.path, 0, 0, "cannot seek: %s", strerror(errno));
        st = LF_ERR_INPUT;
    }
    while (st == LF_OK && read_line(s, fp)) {
        rd.line_no++;
        if (rd.state == EXPECT_HEADER && s->line.len == 0)
            continue; /* blank lines between partials */
        if (rd.state == EXPECT_HEADER) {
            rd.part_lines = 0;
            sha256_init(&rd.hash);
        }
        any = true;
        /* a damaged copy: caught here, before its bytes reach the report's files (a file
           that is no partial result at all is told so by its first line) */
        size_t off;
        if (rd.state != EXPECT_HEADER && (!lf_utf8_valid(s->line.data, s->line.len, &off) ||
                                          (off = strlen(s->line.data)) < s->line.len)) {
            st = bad(&rd, err, "%s at byte %zu of the line: the partial result is damaged",
                     s->line.data[off] ? "invalid UTF-8" : "NUL byte", off + 1);
            break;
        }
        if (rd.state == EXPECT_HEADER || strncmp(s->line.data, "end\t", 4) != 0) {
            sha256_update(&rd.hash, s->line.len, (const uint8_t *)s->line.data);
            sha256_update(&rd.hash, 1, (const uint8_t *)"\n");
        }
        bool row = strncmp(s->line.data, "row\t", 4) == 0;
        if (rd.doc_hashing && row) {
            sha256_update(&rd.doc_hash, s->line.len, (const uint8_t *)s->line.data);
            sha256_update(&rd.doc_hash, 1, (const uint8_t *)"\n");
        } else if (rd.doc_hashing) { /* the document's rows are over */
            rows_digest(&rd.doc_hash, s->docs.v[rd.doc_index].rows_sha256);
            rd.doc_hashing = false;
        }
        size_t n = split(s, row ? 2 : 64);
        if (rd.state == IN_HEADER && strcmp(s->fields.v[0], "lexicon") != 0 &&
            strcmp(s->fields.v[0], "lexicon-file") != 0 &&
            strcmp(s->fields.v[0], "shard") != 0 && strcmp(s->fields.v[0], "option") != 0)
            st = header_done(&rd, err);
        if (st == LF_OK)
            st = rd.state == IN_BODY ? body_line(&rd, n, err) : header_line(&rd, n, err);
        rd.part_lines++;
    }
    if (st == LF_OK && ferror(fp)) {
        lf_error_at(err, LF_ERR_INPUT, rd.path, 0, 0, "read error: %s", strerror(errno));
        st = LF_ERR_INPUT;
    }
    if (st == LF_OK && (!any || rd.state != EXPECT_HEADER)) {
        lf_error_at(err, LF_ERR_INPUT, rd.path, 0, 0,
                    any ? "cut off: the partial result has no end line"
                        : "empty: no partial result in it");
        st = LF_ERR_INPUT;
    }
    if (rd.tables)
        lf_tables_free(rd.tables);
    header_free(&rd.hdr);
    return st;
}

static int key_cmp(const lf_partial_key *a, const lf_partial_key *b)
{
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    int c = a->path == b->path ? 0 : strcmp(a->path, b->path);
    if (c)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

static int doc_cmp(const void *pa, const void *pb)
{
    const lf_partial_doc *a = pa, *b = pb;
    int c = key_cmp(&a->key, &b->key);
    if (c)
        return c;
    return a->file < b->file ? -1 : a->file > b->file;
}

static int input_cmp(const void *pa, const void *pb)
{
    const lf_partial_input *a = pa, *b = pb;
    int c = key_cmp(&a->key, &b->key);
    if (c)
        return c;
    return a->file < b->file ? -1 : a->file > b->file;
}

lf_status lf_partial_sort(lf_partial_set *s, lf_error *err)
{
    if (s->docs.n > 1)
        qsort(s->docs.v, s->docs.n, sizeof *s->docs.v, doc_cmp);
    for (size_t i = 1; i < s->docs.n; i++) {
        const lf_partial_doc *a = &s->docs.v[i - 1], *b = &s->docs.v[i];
        if (key_cmp(&a->key, &b->key) == 0) {
            char doc[600]; /* a file by its path, a record by its line */
            if (b->key.line)
                snprintf(doc, sizeof doc, "%.500s:%llu", b->key.path,
                         (unsigned long long)b->key.line);
            else
                snprintf(doc, sizeof doc, "%.500s", b->key.path);
            lf_error_set(err, LF_ERR_INPUT,
                         "%s:%llu: document %s is also in %s:%llu (a partial result given "
                         "twice, or shards that overlap)",
                         s->names.v[b->file], (unsigned long long)b->where, doc,
                         s->names.v[a->file], (unsigned long long)a->where);
            return LF_ERR_INPUT;
        }
    }
    if (s->inputs.n > 1)
        qsort(s->inputs.v, s->inputs.n, sizeof *s->inputs.v, input_cmp);
    size_t w = 0;
    for (size_t i = 0; i < s->inputs.n; i++) {
        const lf_partial_input *b = &s->inputs.v[i];
        if (w > 0 && key_cmp(&s->inputs.v[w - 1].key, &b->key) == 0) {
            const lf_partial_input *a = &s->inputs.v[w - 1];
            if (a->bytes != b->bytes || strcmp(a->hex, b->hex) != 0) {
                lf_error_set(err, LF_ERR_INPUT,
                             "%s: input %s differs from the one in %s (%llu bytes, SHA-256 "
                             "%.12s… against %llu bytes, %.12s…)",
                             s->names.v[b->file], b->key.path, s->names.v[a->file],
                             (unsigned long long)b->bytes, b->hex,
                             (unsigned long long)a->bytes, a->hex);
                return LF_ERR_INPUT;
            }
            continue; /* the same stream read by every shard */
        }
        s->inputs.v[w++] = *b;
    }
    s->inputs.n = w;
    return LF_OK;
}

/* Splits a kwic TSV row (the fields after "row", as lf_write_kwic_tsv_escaped wrote them)
 * back into a match row, unescaping its text fields in place. */
static bool parse_row(char *const *f, size_t n, lf_match_row *r)
{
    if (n != 21)
        return false;
    static const size_t text[] = {0, 2, 11, 12, 13, 15, 17, 18, 19, 20};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (!lf_unescape(f[text[i]]))
            return false;
    uint64_t v[11];
    const size_t num[] = {1, 3, 4, 5, 6, 7, 8, 9, 10, 14};
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
        if (!lf_parse_u64(f[num[i]], SIZE_MAX, &v[i]))
            return false;
    if (strcmp(f[16], "0") != 0 && strcmp(f[16], "1") != 0)
        return false;
    *r = (lf_match_row){
        .doc = f[0],
        .turn = (size_t)v[0],
        .speaker = f[2],
        .sentence = (size_t)v[1],
        .line = (size_t)v[2],
        .tok_start = (size_t)v[3],
        .tok_end = (size_t)v[4],
        .byte_start = (size_t)v[5],
        .byte_end = (size_t)v[6],
        .char_start = (size_t)v[7],
        .char_end = (size_t)v[8],
        .theme = f[11],
        .entry = f[12],
        .entry_file = f[13],
        .entry_line = (size_t)v[9],
        .text = f[15],
        .negated = f[16][0] == '1',
        .negator = f[17][0] ? f[17] : NULL,
        .status = f[18],
        .left = f[19][0] ? f[19] : NULL,
        .right = f[20][0] ? f[20] : NULL,
    };
    return true;
}

lf_status lf_partial_rows(lf_partial_set *s, const lf_partial_doc *d,
                          int (*fn)(void *ctx, const lf_match_row *row), void *ctx,
                          lf_error *err)
{
    FILE *fp = s->files.v[d->file];
    const char *name = s->names.v[d->file];
    if (d->rows == 0)
        return LF_OK;
    if (fseeko(fp, (off_t)d->offset, SEEK_SET) != 0) {
        lf_error_at(err, LF_ERR_INPUT, name, 0, 0, "cannot seek: %s", strerror(errno));
        return LF_ERR_INPUT;
    }
    /* The rows are read whole and checked before any is handed on, so that a file
       changed since it was first read gives an error, not a report with other rows. */
    struct sha256_ctx hash;
    sha256_init(&hash);
    lf_buf_reset(&s->rows);
    s->row_starts.n = 0;
    for (uint64_t i = 0; i < d->rows && read_line(s, fp); i++) {
        sha256_update(&hash, s->line.len, (const uint8_t *)s->line.data);
        sha256_update(&hash, 1, (const uint8_t *)"\n");
        LF_VEC_PUSH(s->row_starts, s->rows.len);
        lf_buf_append(&s->rows, s->line.data, s->line.len + 1); /* with its NUL */
    }
    unsigned char digest[32];
    rows_digest(&hash, digest);
    if (s->row_starts.n != d->rows || memcmp(digest, d->rows_sha256, sizeof digest) != 0) {
        lf_error_at(err, LF_ERR_INPUT, name, d->where + 1, 0,
                    "the rows of this document are not the ones read before (the file "
                    "changed while merging)");
        return LF_ERR_INPUT;
    }
    for (uint64_t i = 0; i < d->rows; i++) {
        lf_match_row row;
        size_t n = split_line(s, s->rows.data + s->row_starts.v[i], 64);
        if (n < 1 || strcmp(s->fields.v[0], "row") != 0 ||
            !parse_row(s->fields.v + 1, n - 1, &row)) {
            lf_error_at(err, LF_ERR_INPUT, name, d->where + 1 + i, 0, "malformed row line");
            return LF_ERR_INPUT;
        }
        if (fn(ctx, &row) != 0) {
            lf_error_set(err, LF_ERR_IO, "writing match rows failed");
            return LF_ERR_IO;
        }
    }
    return LF_OK;
}

/* ---- the options a partial was made with ---- */

lf_status lf_partial_options(const lf_partial_header *h, lf_options *opt,
                             lf_grouping **groupings, const char ***speakers, lf_error *err)
{
    size_t n = h->options.n;
    lf_grouping *g = lf_xcalloc(n ? n : 1, sizeof *g);
    const char **sp = lf_xcalloc(n ? n : 1, sizeof *sp);
    size_t ng = 0, ninc = 0, nexc = 0;
    /* include-speaker lines come before exclude-speaker lines (option_lines in run.c) */
    for (size_t i = 0; i < n; i++) {
        const char *o = h->options.v[i], *v;
        uint64_t x;
        bool ok = true;
        if (starts(o, "by=", &v)) {
            ok = lf_grouping_parse(v, &g[ng], err) == LF_OK;
            ng += ok;
        } else if (starts(o, "period=", &v)) {
            ok = strcmp(v, "month") == 0 || strcmp(v, "day") == 0 || strcmp(v, "year") == 0;
            opt->period = strcmp(v, "day") == 0    ? LF_PERIOD_DAY
                          : strcmp(v, "year") == 0 ? LF_PERIOD_YEAR
                                                   : LF_PERIOD_MONTH;
        } else if (starts(o, "level=", &v)) {
            ok = lf_parse_u64(v, 100, &x);
            opt->level = (unsigned)x;
        } else if (starts(o, "window=", &v)) {
            ok = lf_parse_u64(v, SIZE_MAX, &x) && x > 0;
            opt->window = (size_t)x;
        } else if (starts(o, "include-speaker=", &v)) {
            ok = nexc == 0;
            sp[ninc++] = v;
        } else if (starts(o, "exclude-speaker=", &v)) {
            sp[ninc + nexc++] = v;
        } else if (starts(o, "min-words=", &v)) {
            ok = lf_parse_u64(v, UINT64_MAX, &opt->min_words);
        } else if (starts(o, "min-count=", &v)) {
            ok = lf_parse_u64(v, UINT64_MAX, &opt->min_count);
        } else if (starts(o, "adjust=", &v)) {
            ok = strcmp(v, "holm") == 0 || strcmp(v, "bh") == 0;
            opt->adjust = strcmp(v, "bh") == 0 ? LF_ADJUST_BH : LF_ADJUST_HOLM;
        }
        if (!ok) {
            free(g);
            free(sp);
            lf_error_set(err, LF_ERR_INPUT, "option line '%s' cannot be read", o);
            return LF_ERR_INPUT;
        }
    }
    opt->groupings = g;
    opt->n_groupings = ng;
    opt->include_speakers = ninc ? sp : NULL;
    opt->n_include_speakers = ninc;
    opt->exclude_speakers = nexc ? sp + ninc : NULL;
    opt->n_exclude_speakers = nexc;
    *groupings = g;
    *speakers = sp;
    return LF_OK;
}
