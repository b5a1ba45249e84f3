/* vanish_shim.c — an I/O seam for tests/errors_test.py: linked into a test-only copy of
 * lexframe (lexframe-vanish) with -Wl,--wrap=lf_read_file, it deletes the file named by
 * the environment variable LF_TEST_VANISH just before lexframe opens it, i.e. after the
 * corpus walk listed it: a file that disappears mid-run, without a race. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
