/* capture.h — a FILE that writes into memory, for the render tests: cap_open gives the
 * stream to hand to a writer, cap_text closes it and returns what was written. Included
 * by several test programs; everything is static inline. */
#ifndef LF_TEST_CAPTURE_H
#define LF_TEST_CAPTURE_H

#include <stdio.h>

typedef struct capture {
    char *buf; /* owned: free() after cap_text */
    size_t len;
    FILE *fp;
} capture;

static inline FILE *cap_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->fp = open_memstream(&c->buf, &c->len);
    assert_non_null(c->fp);
    return c->fp;
}

/* Closes the stream and returns its text (owned by c). */
static inline const char *cap_text(capture *c)
{
    fclose(c->fp);
    c->fp = NULL;
    return c->buf;
}

#endif
