/* outfile.c — atomic output files: every report file is written under a hidden temporary
 * name in its final directory and renamed into place only when complete, so a failure
 * (disk full, a bad input, a crash) never leaves a truncated file where a good one was.
 * Also creates output directories with their parents. */
#define _GNU_SOURCE /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <stdio_ext.h>
#endif
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "render.h"
#include "util.h"

/* ---- temporary files a signal must not leave behind ----
 * The paths of the temporary files currently open, for the SIGINT/SIGTERM/SIGHUP handler.
 * The list changes only with those signals blocked, so the handler never sees it half
 * updated; the handler itself only calls unlink, sigaction and raise. Worker threads are
 * started with the signals held (run.c), so the handler only ever runs in the thread that
 * changes the list. */
static char **live_tmp;
static size_t n_live, cap_live;
static const int trapped[] = {SIGINT, SIGTERM, SIGHUP};
static sigset_t held_mask;
static int held;

static void block_trapped(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof trapped / sizeof trapped[0]; i++)
        sigaddset(&set, trapped[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void live_add(const char *path)
{
    char *copy = lf_xstrdup(path);
    sigset_t old;
    block_trapped(&old);
    if (n_live == cap_live)
        lf_grow((void **)&live_tmp, &cap_live, n_live + 1, sizeof *live_tmp);
    live_tmp[n_live++] = copy;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Called with the trapped signals blocked. */
static void live_remove(const char *path)
{
    for (size_t i = 0; i < n_live; i++) {
        if (strcmp(live_tmp[i], path) != 0)
            continue;
        char *gone = live_tmp[i];
        live_tmp[i] = live_tmp[--n_live];
        free(gone);
        if (n_live == 0) {
            free(live_tmp);
            live_tmp = NULL;
            cap_live = 0;
        }
        return;
    }
}

static void on_signal(int sig)
{
    for (size_t i = 0; i < n_live; i++)
        unlink(live_tmp[i]);
    /* End by the same signal, so the parent (a shell: 128 + N) sees why. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

void lf_outfile_trap_signals(void)
{
    for (size_t i = 0; i < sizeof trapped / sizeof trapped[0]; i++) {
        struct sigaction sa, old;
        if (sigaction(trapped[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* ignored on purpose (nohup): keep it that way */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t k = 0; k < sizeof trapped / sizeof trapped[0]; k++)
            sigaddset(&sa.sa_mask, trapped[k]);
        sigaction(trapped[i], &sa, NULL);
    }
    /* A file over the size limit (ulimit -f) is a write error like a full disk: EFBIG is
       reported with the file's name and the temporary files go, where SIGXFSZ's default
       action would kill the process and leave them behind. */
    signal(SIGXFSZ, SIG_IGN);
}

void lf_outfile_hold_signals(bool hold)
{
    if (hold && held++ == 0)
        block_trapped(&held_mask);
    else if (!hold && held > 0 && --held == 0)
        pthread_sigmask(SIG_SETMASK, &held_mask, NULL);
}

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
    bool here = !dir || !*dir; /* the current directory: the name is the path as given */
    if (here)
        dir = ".";
    lf_buf final = {0}, tmp = {0};
    const char *sep = lf_str_ends_with(dir, "/") ? "" : "/";
    if (here)
        lf_buf_puts(&final, name);
    else
        lf_buf_printf(&final, "%s%s%s", dir, sep, name);
    struct stat sb;
    if (lstat(final.data, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        /* refused now: the rename would fail after other files of a report were renamed */
        lf_error_at(err, LF_ERR_IO, final.data, 0, 0, "is a directory, not a file name");
        lf_buf_free(&final);
        return LF_ERR_IO;
    }
    bool replaces = stat(final.data, &sb) == 0 && S_ISREG(sb.st_mode);
    /* Listed for the signal handler before a signal can see the file exist. */
    sigset_t old;
    block_trapped(&old);
    int fd = open_temp(&tmp, dir, sep, name);
    int open_errno = errno;
    if (fd >= 0)
        live_add(tmp.data);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = open_errno;
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
        block_trapped(&old);
        unlink(tmp.data);
        live_remove(tmp.data);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        lf_error_at(err, LF_ERR_IO, final.data, 0, 0, "cannot open: %s", strerror(e));
        lf_buf_free(&final);
        lf_buf_free(&tmp);
        return LF_ERR_IO;
    }
#ifdef __GLIBC__
    /* one thread writes a file at a time (lf_outfile): no locking in every stdio call */
    __fsetlocking(fp, FSETLOCKING_BYCALLER);
#endif
    setvbuf(fp, NULL, _IOFBF, 64 * 1024); /* report files run to megabytes: fewer writes */
    of->fp = fp;
    of->final_path = final.data;
    of->tmp_path = tmp.data;
    of->replaces = replaces;
    return LF_OK;
}

lf_status lf_outfile_open_path(lf_outfile *of, const char *path, lf_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        memset(of, 0, sizeof *of);
        if (S_ISDIR(sb.st_mode)) {
            lf_error_at(err, LF_ERR_IO, path, 0, 0, "is a directory, not a file name");
            return LF_ERR_IO;
        }
        /* A device or FIFO (-o /dev/null, /dev/stdout, a named pipe) is written directly:
           renaming a finished file over it would replace the device with a file. */
        FILE *fp = fopen(path, "wb");
        if (!fp) {
            lf_error_at(err, LF_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
            return LF_ERR_IO;
        }
        of->fp = fp;
        of->final_path = lf_xstrdup(path);
        return LF_OK;
    }
    char *dir = lf_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    /* no directory: the current one, and messages name the path as given */
    lf_status st = lf_outfile_open(of, slash ? (dir[0] ? dir : "/") : NULL,
                                   slash ? slash + 1 : path, err);
    free(dir);
    return st;
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

void lf_outfile_writeback(lf_outfile *of)
{
    if (!of->fp || !of->replaces)
        return;
    /* A failed flush leaves the stream's error flag, which lf_outfile_close reports. */
    if (fflush(of->fp) != 0)
        return;
#ifdef __linux__
    /* Only starts the writing (allocating the blocks, queueing the I/O); nothing waits
       for the device, and a failure here changes nothing the rename relies on. */
    (void)sync_file_range(fileno(of->fp), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

static void outfile_release(lf_outfile *of)
{
    free(of->final_path);
    free(of->tmp_path);
    memset(of, 0, sizeof *of);
}

lf_status lf_outfile_commit(lf_outfile *of, lf_error *err)
{
    if (!of->tmp_path) { /* written directly (a device or FIFO), or nothing open */
        lf_status st = lf_outfile_close(of, err);
        outfile_release(of);
        return st;
    }
    lf_status st = lf_outfile_close(of, err);
    sigset_t old;
    block_trapped(&old);
    if (st == LF_OK && rename(of->tmp_path, of->final_path) != 0) {
        lf_error_at(err, LF_ERR_IO, of->final_path, 0, 0, "cannot rename %s into place: %s",
                    of->tmp_path, strerror(errno));
        st = LF_ERR_IO;
    }
    if (st != LF_OK)
        unlink(of->tmp_path);
    live_remove(of->tmp_path);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    outfile_release(of);
    return st;
}

void lf_outfile_abort(lf_outfile *of)
{
    if (of->fp)
        fclose(of->fp);
    if (of->tmp_path) {
        sigset_t old;
        block_trapped(&old);
        unlink(of->tmp_path);
        live_remove(of->tmp_path);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
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
