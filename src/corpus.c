/* corpus.c — stage 1, corpus walking: turns the input arguments (files or directories)
 * into the sorted list of transcript files to ingest, each with its document id.
 * A directory is walked recursively; the list is sorted byte-wise by id so every run sees
 * the documents in the same order. */
#define _DEFAULT_SOURCE /* d_type and DT_* in struct dirent */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest.h"
#include "tei.h"

static bool has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), m = strlen(ext);
    return n > m && lf_ascii_casecmp(name + n - m, ext) == 0;
}

lf_doc_format lf_doc_format_for_path(const char *path)
{
    if (has_ext(path, ".htm") || has_ext(path, ".html"))
        return LF_FORMAT_HTML;
    if (has_ext(path, ".xml"))
        return LF_FORMAT_TEI;
    return LF_FORMAT_TEXT;
}

/* A file found in a directory walk is a transcript by its extension, except README* and
 * LICENSE* files: a corpus folder's documentation is not talk (named explicitly, such a
 * file is still read). */
static bool is_transcript_name(const char *name)
{
    static const char *const skip[] = {"readme", "license", "licence", "copying", NULL};
    for (size_t i = 0; skip[i]; i++) {
        size_t n = strlen(skip[i]);
        bool same = true;
        for (size_t k = 0; k < n && same; k++) {
            char c = name[k];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c + ('a' - 'A'));
            same = c == skip[i][k];
        }
        if (same)
            return false;
    }
    return has_ext(name, ".txt") || has_ext(name, ".md") || has_ext(name, ".htm") ||
           has_ext(name, ".html") || has_ext(name, ".xml");
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = dl > 0 && dir[dl - 1] != '/';
    char *p = lf_xmalloc(dl + (slash ? 1 : 0) + nl + 1);
    memcpy(p, dir, dl);
    if (slash)
        p[dl++] = '/';
    memcpy(p + dl, name, nl + 1);
    return p;
}

/* Whether the directory `path` holds a lexframe report (its manifest.json begins as
 * lexframe writes it): the walk leaves it out, so that a report written inside the corpus
 * (report -o corpus/out) is not read back as transcripts (summary.md, report.html) by the
 * next run over the corpus. */
static bool is_report_dir(const char *path)
{
    static const char head[] = "{\n  \"lexframe\": \"";
    char *manifest = join_path(path, "manifest.json");
    FILE *fp = fopen(manifest, "rb");
    free(manifest);
    if (!fp)
        return false;
    char buf[sizeof head - 1];
    bool report = fread(buf, 1, sizeof buf, fp) == sizeof buf &&
                  memcmp(buf, head, sizeof buf) == 0;
    fclose(fp);
    return report;
}

/* A directory entry as readdir gave it: its name, d_type (DT_UNKNOWN where the file
 * system does not say) and d_ino. */
typedef struct dir_entry {
    char *name;
    unsigned char type;
    uint64_t ino;
} dir_entry;

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

/* Walks dir (reached as `path`, with id prefix `rel`, "" at the root). */
static lf_status walk_dir(const char *path, const char *rel, lf_input_list *out,
                          lf_error *err)
{
    DIR *d = opendir(path);
    if (!d) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "%s", strerror(errno));
        return LF_ERR_INPUT;
    }
    /* Each name with its type as the directory gives it: a regular file or a directory
       needs no lstat of its own, which on a corpus of ten thousand files was most of the
       time before the first is read. */
    LF_VEC(dir_entry) names = {0};
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') /* hidden entries, "." and ".." */
            continue;
        LF_VEC_PUSH(names, ((dir_entry){lf_xstrdup(de->d_name), de->d_type, de->d_ino}));
    }
    int read_errno = errno;
    closedir(d);
    lf_status st = LF_OK;
    if (read_errno) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "%s", strerror(read_errno));
        st = LF_ERR_INPUT;
        goto out;
    }
    if (names.n > 1)
        qsort(names.v, names.n, sizeof *names.v, cmp_name);
    for (size_t i = 0; i < names.n && st == LF_OK; i++) {
        unsigned char type = names.v[i].type;
        const char *name = names.v[i].name;
        char *child = join_path(path, name);
        char *child_rel = rel[0] ? join_path(rel, name) : lf_xstrdup(name);
        struct stat lst, st_target;
        bool take = false, recurse = false;
        uint64_t ino = names.v[i].ino;
        if (type == DT_REG) {
            take = is_transcript_name(name);
        } else if (type == DT_DIR) {
            recurse = true;
        } else if (lstat(child, &lst) != 0) {
            /* Vanished between readdir and lstat: nothing to take. */
        } else if (S_ISDIR(lst.st_mode)) {
            recurse = true;
        } else if (S_ISLNK(lst.st_mode)) {
            /* Symlinked files are followed; symlinked directories are not (no loops). A
               dangling link with a transcript name is taken so that reading it reports
               the problem instead of silently skipping the file. */
            ino = 0;
            if (stat(child, &st_target) != 0)
                take = is_transcript_name(name);
            else if (S_ISREG(st_target.st_mode)) {
                take = is_transcript_name(name);
                ino = (uint64_t)st_target.st_ino;
            }
        } else if (S_ISREG(lst.st_mode)) {
            take = is_transcript_name(name);
        }
        if (recurse && is_report_dir(child))
            recurse = false;
        if (recurse) {
            lf_error sub = {LF_OK, ""};
            if (walk_dir(child, child_rel, out, &sub) != LF_OK) {
                /* one unreadable directory is one failed input, not a failed run */
                lf_input_file f = {.path = child, .id = child_rel,
                                   .error = lf_xstrdup(sub.message)};
                LF_VEC_PUSH(*out, f);
            } else {
                free(child);
                free(child_rel);
            }
        } else if (take) {
            lf_input_file f = {.path = child, .id = child_rel, .ino = ino};
            LF_VEC_PUSH(*out, f);
        } else {
            free(child);
            free(child_rel);
        }
    }
out:
    for (size_t i = 0; i < names.n; i++)
        free(names.v[i].name);
    LF_VEC_FREE(names);
    return st;
}

static int cmp_input(const void *a, const void *b)
{
    return strcmp(((const lf_input_file *)a)->id, ((const lf_input_file *)b)->id);
}

lf_status lf_input_collect(const char *path, lf_input_list *out, lf_error *err)
{
    return lf_input_collect_opt(path, NULL, out, err);
}

lf_status lf_input_collect_opt(const char *path, const lf_options *opt, lf_input_list *out,
                               lf_error *err)
{
    if (strcmp(path, "-") == 0) {
        /* one stream: a second "-" would only ever see the end of the first */
        for (size_t i = 0; i < out->n; i++)
            if (out->v[i].stream) {
                lf_error_set(err, LF_ERR_USAGE, "standard input ('-') is named twice");
                return LF_ERR_USAGE;
            }
        lf_input_file f = {.path = lf_xstrdup(LF_STDIN_NAME), .id = lf_xstrdup(LF_STDIN_NAME),
                           .stream = true};
        LF_VEC_PUSH(*out, f);
        return LF_OK;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "%s", strerror(errno));
        return LF_ERR_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        /* An explicitly named file is taken whatever its extension. */
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        lf_input_file f = {.path = lf_xstrdup(path), .id = lf_xstrdup(base),
                           .ino = (uint64_t)st.st_ino};
        size_t at = out->n;
        LF_VEC_PUSH(*out, f);
        return lf_tei_corpus_inputs(out, at, true, opt, err);
    }
    size_t first = out->n;
    lf_status s = walk_dir(path, "", out, err);
    if (s != LF_OK) {
        /* Leave the list as it was before the call. */
        for (size_t i = first; i < out->n; i++)
            lf_input_file_free(&out->v[i]);
        out->n = first;
        return s;
    }
    /* Byte-wise order of the whole relative path ("a-b" before "a/b"), not per level. */
    if (out->n - first > 1)
        qsort(out->v + first, out->n - first, sizeof *out->v, cmp_input);
    return lf_tei_corpus_inputs(out, first, false, opt, err);
}

void lf_input_file_free(lf_input_file *f)
{
    free(f->path);
    free(f->id);
    free(f->error);
    free(f->corpus_root);
}

void lf_input_list_free(lf_input_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        lf_input_file_free(&list->v[i]);
    LF_VEC_FREE(*list);
}
