/* replay.c — runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer:
 * the regression tests replay the seed inputs and every input a fuzzer ever found (fuzz/
 * seeds/TARGET, fuzz/regressions/TARGET) in the normal, sanitizer and valgrind builds.
 * Usage: replay PATH... (a directory means every file in it, in sorted order). Exits 0
 * after the last input; a finding aborts (the targets check invariants with abort()). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_file(const char *path)
{
    char *data;
    size_t len;
    lf_error err = {LF_OK, ""};
    if (lf_read_file(path, SIZE_MAX, &data, &len, &err) != LF_OK) {
        fprintf(stderr, "replay: %s\n", err.message);
        return 1;
    }
    /* A copy of exactly len bytes, so ASan and valgrind see reads past the input. */
    uint8_t *exact = lf_xmalloc(len ? len : 1);
    if (len)
        memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    printf("ok   %s (%zu bytes)\n", path, len);
    return 0;
}

static int replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    LF_VEC(char *) names = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            LF_VEC_PUSH(names, lf_xstrdup(de->d_name));
    closedir(d);
    if (names.n > 1)
        qsort(names.v, names.n, sizeof *names.v, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < names.n; i++) {
        lf_buf p = {0};
        lf_buf_printf(&p, "%s/%s", path, names.v[i]);
        rc |= replay_path(p.data);
        lf_buf_free(&p);
        free(names.v[i]);
    }
    LF_VEC_FREE(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++)
        rc |= replay_path(argv[i]);
    return rc;
}
