/* vanish_shim.c — I/O seams for tests/errors_test.py, linked into a test-only copy of
 * lexframe (lexframe-vanish) with -Wl,--wrap=lf_read_file,--wrap=lf_partial_sort:
 * - it deletes the file named by the environment variable LF_TEST_VANISH just before
 *   lexframe opens it, i.e. after the corpus walk listed it: a file that disappears
 *   mid-run, without a race;
 * - in the partial result named by LF_TEST_EDIT_ROW it changes one letter of the first
 *   match row in place, after merge has read the file once and before it reads the rows
 *   again: a partial that changes while it is being merged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "partial.h"
#include "util.h"

lf_status __real_lf_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                              lf_error *err);
lf_status __wrap_lf_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                              lf_error *err);

lf_status __wrap_lf_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                              lf_error *err)
{
    const char *victim = getenv("LF_TEST_VANISH");
    if (victim && strcmp(path, victim) == 0)
        unlink(path);
    return __real_lf_read_file(path, max_bytes, data, len, err);
}

lf_status __real_lf_partial_sort(lf_partial_set *s, lf_error *err);
lf_status __wrap_lf_partial_sort(lf_partial_set *s, lf_error *err);

/* Before merge sorts what it read: the matched text of the file's first row (the field
 * after the row line's 16th tab) gets an upper-case first letter, in place — the same
 * length, still a well-formed row. */
lf_status __wrap_lf_partial_sort(lf_partial_set *s, lf_error *err)
{
    const char *victim = getenv("LF_TEST_EDIT_ROW");
    FILE *fp = victim ? fopen(victim, "r+b") : NULL;
    if (fp) {
        char line[4096];
        long at = 0;
        while (fgets(line, sizeof line, fp)) {
            if (strncmp(line, "row\t", 4) == 0) {
                char *p = line;
                for (int tabs = 0; *p && tabs < 16; p++)
                    tabs += *p == '\t';
                if (*p >= 'a' && *p <= 'z') {
                    fseek(fp, at + (long)(p - line), SEEK_SET);
                    fputc(*p - 'a' + 'A', fp);
                }
                break;
            }
            at = ftell(fp);
        }
        fclose(fp);
    }
    return __real_lf_partial_sort(s, err);
}
