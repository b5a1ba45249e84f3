/* test_jsonl.c — stage 1 from a stream: the line reader behind standard input (line ends,
 * blank lines, the jsonl-line-bytes limit with flat memory, the running SHA-256) and JSON
 * Lines records (text read like a transcript, id, speakers, metadata, every error with its
 * position). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ingest.h"

/* A descriptor reading `data` (through a temporary file). */
static int fd_with(const char *data, size_t n)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fflush(fp);
    int fd = dup(fileno(fp));
    fclose(fp);
    assert_true(fd >= 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static void sha_hex(const char *data, size_t n, char hex[65])
{
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, n, (const uint8_t *)data);
    sha256_digest(&c, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* The stream is over: no line is left, and its size and SHA-256 are those of data[0..n). */
static void assert_stream_over(lf_stream *s, lf_buf *line, const char *data, size_t n)
{
    size_t no;
    bool eof;
    lf_error err = {LF_OK, ""};
    assert_int_equal(lf_stream_next(s, line, &no, &eof, &err), LF_OK);
    assert_true(eof);
    char hex[65], expect[65];
    uint64_t bytes;
    lf_stream_digest(s, hex, &bytes);
    sha_hex(data, n, expect);
    assert_string_equal(hex, expect);
    assert_int_equal(bytes, n);
}

static void stream_lines_and_hash(void **state)
{
    (void)state;
    /* LF, CRLF, blank and white lines, no line end at the end */
    const char data[] = "one\r\n\n  \t\r\ntwo\nthree";
    int fd = fd_with(data, sizeof data - 1);
    lf_stream *s = lf_stream_new(fd, "<stdin>", 100);
    lf_buf line = {0};
    size_t no = 0;
    bool eof;
    lf_error err = {LF_OK, ""};
    const char *want[] = {"one", "two", "three"};
    const size_t want_no[] = {1, 4, 5};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_OK);
        assert_false(eof);
        assert_int_equal(line.len, strlen(want[i]));
        assert_memory_equal(line.data, want[i], line.len);
        assert_int_equal(no, want_no[i]);
    }
    assert_stream_over(s, &line, data, sizeof data - 1);
    lf_stream_free(s);
    lf_buf_free(&line);
    close(fd);
}

static void stream_line_limit(void **state)
{
    (void)state;
    /* A 200 000-byte line against a 1000-byte limit: reported, skipped, not kept. */
    size_t big = 200000;
    char *data = malloc(big + 64);
    assert_non_null(data);
    size_t n = 0;
    n += (size_t)sprintf(data + n, "{\"a\":1}\n");
    memset(data + n, 'x', big);
    n += big;
    n += (size_t)sprintf(data + n, "\nlast\n");
    int fd = fd_with(data, n);
    lf_stream *s = lf_stream_new(fd, "<stdin>", 1000);
    lf_buf line = {0};
    size_t no;
    bool eof;
    lf_error err = {LF_OK, ""};
    assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_OK);
    assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_ERR_LIMIT);
    assert_int_equal(no, 2);
    assert_string_equal(err.message,
                        "<stdin>:2: line longer than 1000 bytes (limit jsonl-line-bytes)");
    assert_true(line.cap <= 70000); /* the long line was not held */
    assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_OK);
    assert_false(eof);
    assert_int_equal(no, 3);
    assert_string_equal(lf_buf_cstr(&line), "last");
    /* a line of exactly the limit passes */
    lf_stream_free(s);
    close(fd);
    memset(data, 'y', 1000);
    fd = fd_with(data, 1000);
    s = lf_stream_new(fd, "<stdin>", 1000);
    assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_OK);
    assert_int_equal(line.len, 1000);
    assert_stream_over(s, &line, data, 1000);
    lf_stream_free(s);
    close(fd);
    lf_buf_free(&line);
    free(data);
}

/* Every line of the stream read from fd, joined by '|'. */
static char *all_lines(int fd, uint64_t max_line)
{
    lf_stream *s = lf_stream_new(fd, "<stdin>", max_line);
    lf_buf line = {0}, out = {0};
    size_t no;
    bool eof = false;
    lf_error err = {LF_OK, ""};
    for (;;) {
        assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_OK);
        if (eof)
            break;
        if (out.len)
            lf_buf_puts(&out, "|");
        lf_buf_append(&out, line.data, line.len);
    }
    lf_stream_free(s);
    lf_buf_free(&line);
    char *all = lf_xstrdup(lf_buf_cstr(&out));
    lf_buf_free(&out);
    return all;
}

static void stream_byte_order_mark(void **state)
{
    (void)state;
    /* skipped at the very start of the stream only, yet hashed and counted */
    const char data[] = "\xEF\xBB\xBF{\"a\":1}\n\xEF\xBB\xBFx\n";
    int fd = fd_with(data, sizeof data - 1);
    lf_stream *s = lf_stream_new(fd, "<stdin>", 7); /* the limit counts no BOM */
    lf_buf line = {0};
    size_t no;
    bool eof;
    lf_error err = {LF_OK, ""};
    assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_OK);
    assert_int_equal(no, 1);
    assert_string_equal(lf_buf_cstr(&line), "{\"a\":1}");
    assert_int_equal(lf_stream_next(s, &line, &no, &eof, &err), LF_OK);
    assert_int_equal(no, 2);
    assert_string_equal(lf_buf_cstr(&line), "\xEF\xBB\xBFx");
    assert_stream_over(s, &line, data, sizeof data - 1);
    lf_stream_free(s);
    lf_buf_free(&line);
    close(fd);
    static const struct {
        const char *in, *lines;
    } cases[] = {
        {"\xEF\xBB\xBF", ""},          /* only a BOM: no line */
        {"\xEF\xBB\xBF\n\nab", "ab"}, /* a BOM on a blank line */
        {"\xEF\xBB", "\xEF\xBB"},      /* no BOM: bytes of line 1 */
        {"ab\n\xEF\xBB\xBF", "ab|\xEF\xBB\xBF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fd = fd_with(cases[i].in, strlen(cases[i].in));
        char *got = all_lines(fd, 100);
        assert_string_equal(got, cases[i].lines);
        free(got);
        close(fd);
    }
    /* a pipe delivering the BOM a byte at a time, the record after a pause */
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        static const char *const pieces[] = {"\xEF", "\xBB", "\xBF", "{}\n"};
        for (size_t i = 0; i < 4; i++) {
            if (write(p[1], pieces[i], strlen(pieces[i])) < 0)
                _exit(1);
            nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
        }
        _exit(0);
    }
    close(p[1]);
    char *got = all_lines(p[0], 100);
    assert_string_equal(got, "{}");
    free(got);
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void position_prefix(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool found;
        size_t pos;
        const char *rest;
    } cases[] = {
        {"0\t{\"text\": \"a\"}", true, 0, "{\"text\": \"a\"}"},
        {"1234567\t{}", true, 1234567, "{}"},
        {"{\"text\": \"1\t2\"}", false, 0, NULL}, /* a record: no prefix */
        {"12 {}", false, 0, NULL},                /* no tab */
        {"\t{}", false, 0, NULL},                 /* no digits */
        {"12345678901234567890\t{}", false, 0, NULL}, /* 20 digits */
        {"42\t", true, 42, ""},
        /* the start of the stream: its byte order mark goes; anywhere else it stays (and
           the record is refused, naming it) */
        {"0\t\xEF\xBB\xBF{}", true, 0, "{}"},
        {"7\t\xEF\xBB\xBF{}", true, 7, "\xEF\xBB\xBF{}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lf_buf b = {0};
        lf_buf_puts(&b, cases[i].in);
        size_t pos = 99;
        assert_int_equal(lf_jsonl_position(&b, &pos), cases[i].found);
        if (cases[i].found) {
            assert_int_equal(pos, cases[i].pos);
            assert_int_equal(b.len, strlen(cases[i].rest));
            assert_string_equal(lf_buf_cstr(&b), cases[i].rest);
        } else {
            assert_string_equal(lf_buf_cstr(&b), cases[i].in);
        }
        lf_buf_free(&b);
    }
}

typedef struct fixture {
    lf_options opt;
    lf_ingest *ing;
    lf_doc doc;
    lf_error err;
} fixture;

static fixture *fx_new(void)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    lf_options_init(&f->opt);
    f->ing = lf_ingest_new(&f->opt, &f->err);
    assert_non_null(f->ing);
    lf_doc_init(&f->doc);
    return f;
}

static void fx_free(fixture *f)
{
    lf_doc_free(&f->doc);
    lf_ingest_free(f->ing);
    free(f);
}

static lf_status rec(fixture *f, size_t line_no, const char *s)
{
    lf_error_clear(&f->err);
    return lf_ingest_jsonl(f->ing, "<stdin>", line_no, s, strlen(s), &f->doc, &f->err);
}

static const char *meta(const lf_doc *d, const char *key)
{
    for (size_t i = 0; i < d->n_meta; i++)
        if (strcmp(d->meta[i].key, key) == 0)
            return d->meta[i].value;
    return NULL;
}

static void record_fields(void **state)
{
    (void)state;
    fixture *f = fx_new();
    const char *line =
        "{\"id\": \"brief-7\", \"date\": \"2024-05-14\", \"title\": \"Outer\", \"n\": 1.50, "
        "\"flag\": true, \"none\": null, \"list\": [1, 2], \"obj\": {\"a\": 1}, "
        "\"speakers\": {\"MS. HALL\": {\"name\": \"Jo Hall\", \"party\": \"Green\"}, "
        "\"Q\": \"Reporter\"}, "
        "\"text\": \"---\\ntitle: Inner\\nsource: S\\nspeakers:\\n  MS. HALL: Front\\n---\\n"
        "MS. HALL: We stand firm.\\n\\nQ   And sanctions?\\n\"}";
    assert_int_equal(rec(f, 3, line), LF_OK);
    lf_doc *d = &f->doc;
    assert_string_equal(d->id, "brief-7");
    assert_string_equal(d->path, "<stdin>:3");
    /* the record's fields come first: its title wins, the text's source is added */
    assert_string_equal(d->title, "Outer");
    assert_string_equal(d->date, "2024-05-14");
    assert_string_equal(d->source, "S");
    assert_string_equal(meta(d, "n"), "1.50"); /* numbers as written */
    assert_string_equal(meta(d, "flag"), "true");
    assert_string_equal(meta(d, "none"), "");
    assert_null(meta(d, "list"));
    assert_null(meta(d, "obj"));
    assert_null(meta(d, "text"));
    assert_null(meta(d, "id"));
    assert_string_equal(d->meta[0].key, "date"); /* in record order, then front matter */
    assert_string_equal(d->meta[d->n_meta - 1].key, "source");
    assert_int_equal(d->n_turns, 2);
    const lf_speaker *sp = &d->speakers[d->turns[0].speaker];
    assert_string_equal(sp->label, "MS. HALL");
    assert_string_equal(sp->name, "Jo Hall"); /* the record's speakers before front matter */
    assert_string_equal(sp->party, "Green");
    assert_string_equal(d->speakers[d->turns[1].speaker].name, "Reporter");
    /* the text is the document text: offsets and lines refer to it */
    assert_int_equal(lf_doc_line_of(d, (size_t)(strstr(d->text, "We stand") - d->text)), 7);

    /* default id, integer id, no speakers */
    assert_int_equal(rec(f, 12, "{\"text\": \"MR. SMITH: hello\"}"), LF_OK);
    assert_string_equal(f->doc.id, "<stdin>:12");
    assert_int_equal(rec(f, 13, "{\"id\": 42, \"text\": \"\"}"), LF_OK);
    assert_string_equal(f->doc.id, "42");
    assert_int_equal(f->doc.len, 0);
    fx_free(f);
}

static void record_errors(void **state)
{
    (void)state;
    fixture *f = fx_new();
    static const struct {
        const char *line, *message;
    } cases[] = {
        {"{\"id\": \"a\"}", "<stdin>:5: the record has no \"text\" field"},
        {"{\"text\": 5}", "<stdin>:5: \"text\" must be a string"},
        {"{\"text\": \"x\", \"id\": 1.5}", "<stdin>:5: \"id\" must be a non-empty string or an integer"},
        {"{\"text\": \"x\", \"id\": \"\"}", "<stdin>:5: \"id\" must be a non-empty string or an integer"},
        {"[1, 2]", "<stdin>:5:1: a record must be a JSON object with a \"text\" field"},
        {"{\"text\": \"x\",}", "<stdin>:5:14: invalid JSON: unexpected character"},
        {"{text: 1}", "<stdin>:5:2: invalid JSON: quoted object property name expected"},
        {"{\"text\": \"x\"", "<stdin>:5:13: invalid JSON: the line ends inside a JSON value"},
        {"{\"text\": \"x\"} {}", "<stdin>:5:15: invalid JSON: unexpected character"},
        {"{\"text\": \"a\xff\"}", "<stdin>:5:12: invalid UTF-8"},
        {"{\"text\": \"x\", \"speakers\": [1]}",
         "<stdin>:5: \"speakers\" must map each label to a name or to name/role/party"},
        {"{\"text\": \"x\", \"speakers\": {\"Q\": 3}}",
         "<stdin>:5: speaker \"Q\" must be a name or an object with name, role, party"},
        /* inside the text: the record's line, then the place in the text */
        {"{\"text\": \"---\\ntitle: [\\n---\\nbody\"}",
         "<stdin>:5: text line 3, column 1: front matter: did not find expected node content "
         "(while parsing a flow node)"},
        {"{\"text\": \"a\\u0000b\"}", "<stdin>:5: text line 1: NUL byte at byte offset 1 (binary file?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(rec(f, 5, cases[i].line), LF_ERR_INPUT);
        assert_string_equal(f->err.message, cases[i].message);
    }
    fx_free(f);
}

static void integers_as_written(void **state)
{
    (void)state;
    fixture *f = fx_new();
    /* json-c clamps both to 18446744073709551615: two documents must not become one */
    assert_int_equal(rec(f, 1, "{\"id\":99999999999999999998,\"text\":\"betrayal\"}"), LF_OK);
    assert_string_equal(f->doc.id, "99999999999999999998");
    assert_int_equal(rec(f, 2, "{\"id\":99999999999999999999,\"text\":\"sanctions\"}"), LF_OK);
    assert_string_equal(f->doc.id, "99999999999999999999");
    assert_int_equal(rec(f, 3, "{\"id\": -0, \"text\": \"\"}"), LF_OK);
    assert_string_equal(f->doc.id, "-0");
    assert_int_equal(rec(f, 4, "{\"id\":-99999999999999999999,\"text\":\"\"}"), LF_OK);
    assert_string_equal(f->doc.id, "-99999999999999999999");
    /* metadata: spaces around, an escaped key, a key given twice (the last value counts,
       in the first one's place), strings holding quotes and backslashes before, nested
       integers (ignored), doubles as before */
    const char *line =
        "{ \"s\" : \"a\\\"b\\\\\", \"k\" : 12345678901234567890123 , \"n\": {\"k\": 1},"
        "\"\\u006d\":100000000000000000000,\"d\":1,\"l\":[2,-3],\"d\" :-9223372036854775809,"
        "\"f\":-0.0,\"z\":0,\"text\":\"x\" }";
    assert_int_equal(rec(f, 5, line), LF_OK);
    lf_doc *d = &f->doc;
    static const char *const want[][2] = {
        {"s", "a\"b\\"}, {"k", "12345678901234567890123"}, {"m", "100000000000000000000"},
        {"d", "-9223372036854775809"}, {"f", "-0.0"}, {"z", "0"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_string_equal(meta(d, want[i][0]), want[i][1]);
    assert_null(meta(d, "n"));
    assert_null(meta(d, "l"));
    assert_string_equal(d->meta[3].key, "d");
    /* a later string or double replaces an integer as json-c does */
    assert_int_equal(rec(f, 6, "{\"k\":99999999999999999999,\"k\":\"v\",\"j\":7,\"j\":1e400,"
                                "\"text\":\"x\"}"),
                     LF_OK);
    assert_string_equal(meta(&f->doc, "k"), "v");
    assert_string_equal(meta(&f->doc, "j"), "1e400");
    fx_free(f);
}

static void nul_bytes(void **state)
{
    (void)state;
    fixture *f = fx_new();
    /* json-c stops at a NUL as at the end of the text: it is named at its column (lines
       given with their length: they hold NULs) */
#define LINE(s) s, sizeof s - 1
    static const struct {
        const char *line;
        size_t len;
        const char *message;
    } cases[] = {
        {LINE("{\"text\":\"a\0b\"}"), "<stdin>:2:11: NUL byte (binary input?)"},
        {LINE("\0{\"text\":\"\"}"), "<stdin>:2:1: NUL byte (binary input?)"},
        /* the first fault is named: bad UTF-8 before the NUL, the NUL before bad UTF-8 */
        {LINE("{\"text\":\"\xff\0\"}"), "<stdin>:2:10: invalid UTF-8"},
        {LINE("{\"text\":\"\0\xff\"}"), "<stdin>:2:10: NUL byte (binary input?)"},
        /* a byte order mark after the stream's start is named as such */
        {LINE("\xEF\xBB\xBF{\"text\":\"\"}"),
         "<stdin>:2:1: invalid JSON: a byte order mark (U+FEFF) is skipped only at the start "
         "of the stream"},
    };
#undef LINE
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lf_error_clear(&f->err);
        assert_int_equal(lf_ingest_jsonl(f->ing, "<stdin>", 2, cases[i].line, cases[i].len,
                                         &f->doc, &f->err),
                         LF_ERR_INPUT);
        assert_string_equal(f->err.message, cases[i].message);
    }
    fx_free(f);
}

/* A record with a metadata field nested `levels` deep, the record being level 1. */
static char *nested_record(size_t levels)
{
    lf_buf b = {0};
    lf_buf_puts(&b, "{\"text\":\"x\",\"m\":");
    for (size_t i = 1; i < levels; i++)
        lf_buf_puts(&b, i % 2 ? "[" : "{\"a\":");
    for (size_t i = levels - 1; i >= 1; i--)
        lf_buf_puts(&b, i % 2 ? "]" : "}");
    lf_buf_puts(&b, ",\"k\":1}");
    char *s = lf_xstrdup(lf_buf_cstr(&b));
    lf_buf_free(&b);
    return s;
}

static void nesting_limit(void **state)
{
    (void)state;
    fixture *f = fx_new();
    /* at the limit: read, the nested field ignored as documented */
    char *ok = nested_record(LF_JSONL_MAX_DEPTH);
    assert_int_equal(rec(f, 7, ok), LF_OK);
    assert_null(meta(&f->doc, "m"));
    assert_string_equal(meta(&f->doc, "k"), "1");
    free(ok);
    /* one level more: refused at the bracket that opens it (the last one), the limit named */
    char *deep = nested_record(LF_JSONL_MAX_DEPTH + 1);
    assert_int_equal(rec(f, 7, deep), LF_ERR_INPUT);
    const char *open = strrchr(deep, '[') > strrchr(deep, '{') ? strrchr(deep, '[')
                                                              : strrchr(deep, '{');
    char want[160];
    snprintf(want, sizeof want,
             "<stdin>:7:%zu: invalid JSON: nested more than %d levels deep (the record is "
             "level 1)",
             (size_t)(open - deep) + 1, LF_JSONL_MAX_DEPTH);
    assert_string_equal(f->err.message, want);
    free(deep);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_lines_and_hash),
        cmocka_unit_test(stream_line_limit),
        cmocka_unit_test(stream_byte_order_mark),
        cmocka_unit_test(position_prefix),
        cmocka_unit_test(record_fields),
        cmocka_unit_test(record_errors),
        cmocka_unit_test(integers_as_written),
        cmocka_unit_test(nul_bytes),
        cmocka_unit_test(nesting_limit),
    };
    return cmocka_run_group_tests_name("jsonl", tests, NULL, NULL);
}
