/* outfile.c — atomic output files: every report file is written under a hidden temporary
 * name in its final directory and renamed into place only when complete, so a failure
 * (disk full, a bad input, a crash) never leaves a truncated file where a good one was.
 * Also creates output directories with their parents. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "render.h"
#include "util.h"

/* Opens <dir>/.<name>.tmp-XXXXXX exclusively. Unlike mkstemp (mode 0600) the file is
 * created with mode 0666 so the umask decides the final file's permissions, as for any
 * file the user writes. */
static int open_temp(lf_buf *tmp, const char *dir, const char *sep, const char *name)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static atomic_ulong counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t seed[3] = {(uint64_t)getpid(), (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec,
                            (uint64_t)atomic_fetch_add(&counter, 1)};
        uint64_t h = lf_hash(seed, sizeof seed);
        char suffix[7];
        for (int i = 0; i < 6; i++) {
            suffix[i] = alphabet[h % (sizeof alphabet - 1)];
            h /= sizeof alphabet - 1;
        }
        suffix[6] = '\0';
        lf_buf_reset(tmp);
        lf_buf_printf(tmp, "%s%s.%s.tmp-%s", dir, sep, name, suffix);
        int fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

lf_status lf_outfile_open(lf_outfile *of, const char *dir, const char *name, lf_error *err)
{
    memset(of, 0, sizeof *of);
    if (!dir || !*dir)
        dir = ".";
    lf_buf final = {0}, tmp = {0};
    const char *sep = lf_str_ends_with(dir, "/") ? "" : "/";
    lf_buf_printf(&final, "%s%s%s", dir, sep, name);
    int fd = open_temp(&tmp, dir, sep, name);
    if (fd < 0) {
        lf_error_at(err, LF_ERR_IO, final.data, 0, 0, "cannot create a temporary file in %s: %s",
                    dir, strerror(errno));
        lf_buf_free(&final);
        lf_buf_free(&tmp);
        return LF_ERR_IO;
    }
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        int e = errno;
        close(fd);
        unlink(tmp.data);
        lf_error_at(err, LF_ERR_IO, final.data, 0, 0, "cannot open: %s", strerror(e));
        lf_buf_free(&final);
        lf_buf_free(&tmp);
        return LF_ERR_IO;
    }
    of->fp = fp;
    of->final_path = final.data;
    of->tmp_path = tmp.data;
    return LF_OK;
}

lf_status lf_outfile_close(lf_outfile *of, lf_error *err)
{
    if (!of->fp)
        return LF_OK;
    FILE *fp = of->fp;
    of->fp = NULL;
    /* An earlier failed write leaves only the error flag; its errno may be gone. */
    bool bad = ferror(fp) != 0;
    int e = 0;
    if (fflush(fp) != 0) {
        e = errno;
        bad = true;
    }
    if (fclose(fp) != 0) {
        if (!e)
            e = errno;
        bad = true;
    }
    if (bad) {
        lf_error_at(err, LF_ERR_IO, of->final_path, 0, 0, "write error: %s",
                    strerror(e ? e : EIO));
        return LF_ERR_IO;
    }
    return LF_OK;
}

static void outfile_release(lf_outfile *of)
{
    free(of->final_path);
    free(of->tmp_path);
    memset(of, 0, sizeof *of);
}

lf_status lf_outfile_commit(lf_outfile *of, lf_error *err)
{
    if (!of->tmp_path)
        return LF_OK;
    lf_status st = lf_outfile_close(of, err);
    if (st == LF_OK && rename(of->tmp_path, of->final_path) != 0) {
        lf_error_at(err, LF_ERR_IO, of->final_path, 0, 0, "cannot rename %s into place: %s",
                    of->tmp_path, strerror(errno));
        st = LF_ERR_IO;
    }
    if (st != LF_OK)
        unlink(of->tmp_path);
    outfile_release(of);
    return st;
}

void lf_outfile_abort(lf_outfile *of)
{
    if (of->fp)
        fclose(of->fp);
    if (of->tmp_path)
        unlink(of->tmp_path);
    outfile_release(of);
}

/* mkdir one directory; an existing directory is fine, an existing file is not. */
static lf_status mkdir_one(const char *path, lf_error *err)
{
    if (mkdir(path, 0777) == 0)
        return LF_OK;
    int e = errno;
    struct stat st;
    if (e == EEXIST) {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return LF_OK;
        lf_error_at(err, LF_ERR_IO, path, 0, 0, "cannot create directory: exists and is not "
                                                 "a directory");
        return LF_ERR_IO;
    }
    lf_error_at(err, LF_ERR_IO, path, 0, 0, "cannot create directory: %s", strerror(e));
    return LF_ERR_IO;
}

lf_status lf_mkdir_p(const char *dir, lf_error *err)
{
    char *p = lf_xstrdup(dir);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    lf_status st = LF_OK;
    /* Each parent in turn: "a/b/c" makes "a", then "a/b", then "a/b/c". */
    for (size_t i = 1; i < n && st == LF_OK; i++) {
        if (p[i] != '/' || p[i - 1] == '/')
            continue;
        p[i] = '\0';
        st = mkdir_one(p, err);
        p[i] = '/';
    }
    if (st == LF_OK && n > 0)
        st = mkdir_one(p, err);
    free(p);
    return st;
}
