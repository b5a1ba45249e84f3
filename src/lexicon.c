/* lexicon.c — the in-memory lexicon that every lexicon reader fills and the matcher
 * compiles: hierarchical themes (dotted ids with implicit parents), entries, negation
 * settings and the list of files read. lf_lexicon_load finds lexicon files (one file, or
 * every *.lexicon below a directory in sorted order), hands each to the native reader and
 * then binds cross-file references. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lexicon.h"
#include "util.h"

const char *const lf_default_negators[] = {
    "not",     "no",     "never",  "n't",    "without", "neither", "nor",    "none",
    "nobody",  "nothing", "nowhere", "cannot", "hardly", "barely",  "scarcely", NULL,
};

lf_lexicon *lf_lexicon_new(void)
{
    lf_lexicon *lex = lf_xcalloc(1, sizeof *lex);
    lex->negation_window = -1;
    lf_strmap_init(&lex->theme_index);
    lf_arena_init(&lex->arena, 64 * 1024);
    return lex;
}

void lf_lexicon_free(lf_lexicon *lex)
{
    if (!lex)
        return;
    free(lex->themes);
    free(lex->entries);
    free(lex->negators);
    free(lex->files);
    lf_strmap_free(&lex->theme_index);
    lf_arena_free(&lex->arena);
    free(lex);
}

size_t lf_lexicon_theme_count(const lf_lexicon *lex)
{
    return lex ? lex->n_themes : 0;
}

size_t lf_lexicon_entry_count(const lf_lexicon *lex)
{
    return lex ? lex->n_entries : 0;
}

int32_t lf_lexicon_find_theme(const lf_lexicon *lex, const char *id)
{
    uint32_t idx;
    if (!lf_strmap_get(&lex->theme_index, id, strlen(id), &idx))
        return -1;
    return (int32_t)idx;
}

/* A file path as stored in the arena: the copy made by lf_lexicon_add_file when there is
 * one, so that themes and entries of one file share a single string. */
static const char *intern_file(lf_lexicon *lex, const char *file)
{
    if (!file)
        return NULL;
    for (size_t i = lex->n_files; i-- > 0;)
        if (lex->files[i] == file || strcmp(lex->files[i], file) == 0)
            return lex->files[i];
    return lf_arena_strdup(&lex->arena, file);
}

static uint32_t get_or_add_theme(lf_lexicon *lex, const char *id, size_t len, const char *file,
                                 size_t line, bool implicit)
{
    uint32_t idx;
    if (lf_strmap_get(&lex->theme_index, id, len, &idx))
        return idx;
    /* Parents first, so a parent's index is always below its children's. */
    int32_t parent = -1;
    uint32_t depth = 1;
    const char *dot = NULL;
    for (size_t i = len; i-- > 0;)
        if (id[i] == '.') {
            dot = id + i;
            break;
        }
    if (dot) {
        uint32_t p = get_or_add_theme(lex, id, (size_t)(dot - id), file, line, true);
        parent = (int32_t)p;
        depth = lex->themes[p].depth + 1;
    }
    if (lex->n_themes >= INT32_MAX)
        lf_oom();
    lf_grow((void **)&lex->themes, &lex->cap_themes, lex->n_themes + 1, sizeof *lex->themes);
    char *copy = lf_arena_strndup(&lex->arena, id, len);
    idx = (uint32_t)lex->n_themes++;
    lex->themes[idx] = (lf_theme){
        .id = copy,
        .label = dot ? copy + (dot - id) + 1 : copy,
        .description = "",
        .colour = NULL,
        .parent = parent,
        .depth = depth,
        .neg = LF_NEG_COUNT,
        .neg_target = -1,
        .implicit = implicit,
        .file = intern_file(lex, file),
        .line = line,
    };
    lf_strmap_put(&lex->theme_index, copy, len, idx);
    return idx;
}

uint32_t lf_lexicon_add_theme(lf_lexicon *lex, const char *id, const char *file, size_t line)
{
    return get_or_add_theme(lex, id, strlen(id), file, line, false);
}

lf_entry *lf_lexicon_add_entry(lf_lexicon *lex, const lf_entry *e)
{
    lf_grow((void **)&lex->entries, &lex->cap_entries, lex->n_entries + 1,
            sizeof *lex->entries);
    lf_entry *slot = &lex->entries[lex->n_entries++];
    *slot = *e;
    return slot;
}

void lf_lexicon_add_file(lf_lexicon *lex, const char *path)
{
    lf_grow((void **)&lex->files, &lex->cap_files, lex->n_files + 1, sizeof *lex->files);
    lex->files[lex->n_files++] = lf_arena_strdup(&lex->arena, path);
}

bool lf_lexicon_path_is_lexicon(const char *path)
{
    static const char ext[] = ".lexicon";
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    /* ".lexicon" alone is a hidden file, not a lexicon named "". */
    return strlen(base) > sizeof ext - 1 && lf_str_ends_with(base, ext);
}

lf_status lf_lexicon_resolve(lf_lexicon *lex, lf_error *err)
{
    for (size_t i = 0; i < lex->n_themes; i++) {
        lf_theme *t = &lex->themes[i];
        if (t->neg != LF_NEG_MOVE)
            continue;
        int32_t target = t->neg_target_id ? lf_lexicon_find_theme(lex, t->neg_target_id) : -1;
        if (target < 0 || lex->themes[target].implicit) {
            lf_error_at(err, LF_ERR_LEXICON, t->file, t->neg_line, t->neg_col,
                        "negation: move target '%s' is not a declared theme (declare it with "
                        "'@theme %s' in a lexicon file loaded together with this one)",
                        t->neg_target_id ? t->neg_target_id : "",
                        t->neg_target_id ? t->neg_target_id : "ID");
            return LF_ERR_LEXICON;
        }
        if ((size_t)target == i) {
            lf_error_at(err, LF_ERR_LEXICON, t->file, t->neg_line, t->neg_col,
                        "negation: theme '%s' cannot move negated matches to itself", t->id);
            return LF_ERR_LEXICON;
        }
        /* One hop only: a chain would make the final theme depend on declaration order. */
        if (lex->themes[target].neg == LF_NEG_MOVE) {
            lf_error_at(err, LF_ERR_LEXICON, t->file, t->neg_line, t->neg_col,
                        "negation: move target '%s' itself moves its negated matches (to "
                        "'%s'); move to a theme with count, separate or ignore",
                        t->neg_target_id, lex->themes[target].neg_target_id);
            return LF_ERR_LEXICON;
        }
        t->neg_target = target;
    }
    return LF_OK;
}

/* ---- loading files and directories ---- */

typedef LF_VEC(char *) path_vec;

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    char *p = lf_xmalloc(dl + nl + 2);
    memcpy(p, dir, dl);
    if (!slash)
        p[dl++] = '/';
    memcpy(p + dl, name, nl + 1);
    return p;
}

/* Collects *.lexicon files below dir. Hidden entries (".git", editor files) are skipped and
 * symbolic links to directories are not followed, so a link cycle cannot loop. */
static lf_status collect_lexicons(const char *dir, path_vec *out, lf_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        lf_error_at(err, LF_ERR_LEXICON, dir, 0, 0, "cannot open directory: %s",
                    strerror(errno));
        return LF_ERR_LEXICON;
    }
    lf_status st = LF_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *child = join_path(dir, de->d_name);
        struct stat sb;
        if (lstat(child, &sb) != 0) {
            lf_error_at(err, LF_ERR_LEXICON, child, 0, 0, "%s", strerror(errno));
            free(child);
            st = LF_ERR_LEXICON;
            break;
        }
        if (S_ISDIR(sb.st_mode)) {
            st = collect_lexicons(child, out, err);
            free(child);
            if (st != LF_OK)
                break;
            continue;
        }
        bool regular = S_ISREG(sb.st_mode) || (S_ISLNK(sb.st_mode) && stat(child, &sb) == 0 &&
                                               S_ISREG(sb.st_mode));
        if (regular && lf_lexicon_path_is_lexicon(child))
            LF_VEC_PUSH(*out, child);
        else
            free(child);
    }
    closedir(d);
    return st;
}

static lf_status load_file(lf_lexicon *lex, const char *path, const lf_options *opt,
                           lf_error *err)
{
    uint64_t limit = opt->limits[LF_LIMIT_FILE_BYTES];
    char *data;
    size_t len;
    lf_status st = lf_read_file(path, limit > SIZE_MAX ? SIZE_MAX : (size_t)limit, &data, &len,
                                err);
    if (st != LF_OK) {
        /* A lexicon that cannot be read is a lexicon error (exit 2); limits stay limits. */
        if (st != LF_ERR_LIMIT && err)
            err->status = st = LF_ERR_LEXICON;
        return st;
    }
    /* Recorded first so themes and entries share the file list's copy of the path. */
    lf_lexicon_add_file(lex, path);
    st = lf_lexicon_read_native(lex, lex->files[lex->n_files - 1], data, len, opt, err);
    free(data);
    return st;
}

lf_status lf_lexicon_load(lf_lexicon *lex, const char *path, const lf_options *opt,
                          lf_error *err)
{
    lf_options defaults;
    if (!opt) {
        lf_options_init(&defaults);
        opt = &defaults;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        lf_error_at(err, LF_ERR_LEXICON, path, 0, 0, "%s", strerror(errno));
        return LF_ERR_LEXICON;
    }
    if (!S_ISDIR(sb.st_mode)) {
        lf_status st = load_file(lex, path, opt, err);
        return st != LF_OK ? st : lf_lexicon_resolve(lex, err);
    }
    path_vec files = {0};
    lf_status st = collect_lexicons(path, &files, err);
    if (st == LF_OK && files.n == 0) {
        lf_error_at(err, LF_ERR_LEXICON, path, 0, 0,
                    "no lexicon files (*.lexicon) in this directory or below it");
        st = LF_ERR_LEXICON;
    }
    if (st == LF_OK) {
        qsort(files.v, files.n, sizeof *files.v, cmp_paths);
        for (size_t i = 0; i < files.n && st == LF_OK; i++)
            st = load_file(lex, files.v[i], opt, err);
    }
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    LF_VEC_FREE(files);
    return st != LF_OK ? st : lf_lexicon_resolve(lex, err);
}
