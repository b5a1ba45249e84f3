/* lexicon.c — the in-memory lexicon that every lexicon reader fills and the matcher
 * compiles: hierarchical themes (dotted ids with implicit parents), entries, context rules,
 * negation settings, warnings and the list of files read. lf_lexicon_load finds lexicon
 * files (one file, or every dictionary file below a directory in sorted order), converts
 * legacy encodings to UTF-8 (iconv), hands each file to the reader of its format (by
 * extension or --lexicon-format) and then binds cross-file references. */
#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
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
    free(lex->rules);
    free(lex->warnings);
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

size_t lf_lexicon_warning_count(const lf_lexicon *lex)
{
    return lex ? lex->n_warnings : 0;
}

const char *lf_lexicon_warning(const lf_lexicon *lex, size_t i)
{
    return lex && i < lex->n_warnings ? lex->warnings[i] : NULL;
}

void lf_lexicon_warn(lf_lexicon *lex, const char *path, size_t line, size_t col,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_lexicon_vwarn(lex, path, line, col, fmt, ap);
    va_end(ap);
}

void lf_lexicon_vwarn(lf_lexicon *lex, const char *path, size_t line, size_t col,
                      const char *fmt, va_list ap)
{
    lf_error e;
    lf_error_vat(&e, LF_OK, path, line, col, fmt, ap);
    /* one line of a dictionary may feed several categories: say it once */
    if (lex->n_warnings && strcmp(lex->warnings[lex->n_warnings - 1], e.message) == 0)
        return;
    lf_grow((void **)&lex->warnings, &lex->cap_warnings, lex->n_warnings + 1,
            sizeof *lex->warnings);
    lex->warnings[lex->n_warnings++] = lf_arena_strdup(&lex->arena, e.message);
}

void lf_lexicon_add_rule(lf_lexicon *lex, const lf_context_rule *rule)
{
    lf_grow((void **)&lex->rules, &lex->cap_rules, lex->n_rules + 1, sizeof *lex->rules);
    lex->rules[lex->n_rules++] = *rule;
}

int32_t lf_lexicon_find_theme(const lf_lexicon *lex, const char *id)
{
    uint32_t idx;
    if (!lf_strmap_get(&lex->theme_index, id, strlen(id), &idx))
        return -1;
    return (int32_t)idx;
}

bool *lf_themes_with_entries(const lf_lexicon *lex)
{
    bool *has = lf_xcalloc(lex->n_themes ? lex->n_themes : 1, sizeof *has);
    for (size_t k = 0; k < lex->n_entries; k++)
        if (lex->entries[k].theme < lex->n_themes)
            has[lex->entries[k].theme] = true;
    return has;
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
    /* Context rules may name a theme of a file read later. */
    for (size_t i = 0; i < lex->n_rules; i++) {
        lf_context_rule *r = &lex->rules[i];
        for (size_t k = 0; k < r->n_operands; k++) {
            lf_rule_operand *o = &r->operands[k];
            if (!o->theme_id)
                continue;
            o->theme = lf_lexicon_find_theme(lex, o->theme_id);
            if (o->theme < 0) {
                lf_error_at(err, LF_ERR_LEXICON, r->file, r->line, r->col,
                            "context: '@%s' is not a theme of the lexicons loaded together "
                            "with this one",
                            o->theme_id);
                return LF_ERR_LEXICON;
            }
        }
    }
    return LF_OK;
}

/* ---- formats ---- */

/* One row per format, in lf_lexicon_format order: enum suffix, name (--lexicon-format),
 * extensions (space-separated, lowercase), title, reader (NULL: write only), read when a
 * directory is loaded, XML (the reader decodes it itself), and whether lexframe reads (R)
 * and writes (W) it. The table and every list of names and extensions in messages and
 * --help are made from these rows. */
#define LF_FORMATS(X)                                                                      \
    X(NATIVE, "lexicon", ".lexicon", "lexframe lexicon (.lexicon)", lf_lexicon_read_native, \
      true, false, RW)                                                                     \
    X(LIWC, "liwc", ".dic", "LIWC dictionary (.dic)", lf_lexicon_read_liwc, true, false, RW) \
    X(DICX, "dicx", ".dicx", "LIWC-22 dictionary (.dicx)", lf_lexicon_read_dicx, true, false, \
      RW)                                                                                  \
    X(INQUIRER, "inquirer", ".csv", "General Inquirer spreadsheet (.csv)",                  \
      lf_lexicon_read_inquirer, false, false, R)                                           \
    X(LC3, "lc3", ".lc3", "Lexicoder dictionary (.lc3)", lf_lexicon_read_lc3, true, false, RW) \
    X(YKD, "ykd", ".ykd .lcd", "Yoshikoder / Lexicoder 2 dictionary (.ykd, .lcd)",          \
      lf_lexicon_read_ykd, true, true, RW)                                                 \
    X(CAT, "cat", ".cat", "WordStat dictionary (.cat)", lf_lexicon_read_cat, true, false, RW) \
    X(YAML, "yaml", ".yml .yaml", "quanteda YAML dictionary (.yml, .yaml)",                 \
      lf_lexicon_read_yaml, true, false, RW)                                               \
    X(WORDLIST, "wordlist", ".txt", "word list (.txt)", lf_lexicon_read_wordlist, false,    \
      false, RW)                                                                           \
    X(SCORED, "scored", ".tsv", "scored word list (.tsv)", lf_lexicon_read_scored, false,   \
      false, RW)                                                                           \
    X(QDC, "qdc", ".qdc", "REFI-QDA codebook (.qdc)", NULL, false, true, W)

/* IF_READ_<rw>(x) and IF_WRITTEN_<rw>(x) keep x for the formats read or written. */
#define IF_READ_RW(x) x
#define IF_READ_R(x) x
#define IF_READ_W(x)
#define IF_WRITTEN_RW(x) x
#define IF_WRITTEN_R(x)
#define IF_WRITTEN_W(x) x
#define WRITTEN_RW true
#define WRITTEN_R false
#define WRITTEN_W true

#define FORMAT_ROW(id, name, exts, title, read, dirs, xml, rw)                             \
    [LF_FMT_##id] = {name, exts, title, read, dirs, xml, WRITTEN_##rw},
static const lf_format_info format_table[] = {LF_FORMATS(FORMAT_ROW)};
_Static_assert(sizeof format_table / sizeof format_table[0] == LF_FMT_COUNT,
               "every format has a table row");

/* " lexicon liwc …", ", lexicon, liwc …" and " .lexicon .dic …": the lists start with the
 * separator, skipped when they are returned. */
#define FORMAT_NAME(id, name, ...) " " name
#define FORMAT_READ_NAME(id, name, exts, title, read, dirs, xml, rw) IF_READ_##rw(", " name)
#define FORMAT_WRITTEN_EXTS(id, name, exts, title, read, dirs, xml, rw) IF_WRITTEN_##rw(" " exts)
static const char format_names[] = LF_FORMATS(FORMAT_NAME);
static const char read_format_names[] = LF_FORMATS(FORMAT_READ_NAME);
static const char written_extensions[] = LF_FORMATS(FORMAT_WRITTEN_EXTS);

const lf_format_info *lf_format_table(void)
{
    return format_table;
}

const char *lf_lexicon_format_names(void)
{
    return format_names + 1;
}

const char *lf_lexicon_read_format_names(void)
{
    return read_format_names + 2;
}

const char *lf_format_written_extensions(void)
{
    return written_extensions + 1;
}

bool lf_lexicon_format_known(const char *name)
{
    int f = lf_format_by_name(name);
    return f >= 0 && format_table[f].read;
}

int lf_format_by_name(const char *name)
{
    for (int i = 0; i < LF_FMT_COUNT; i++)
        if (lf_ascii_casecmp(name, format_table[i].name) == 0)
            return i;
    return -1;
}

/* True when the base name of path ends in one of the space-separated extensions (ASCII
 * case-insensitive: RID.CAT is a .cat file) and has a name before it. */
static bool has_extension(const char *path, const char *exts)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t bl = strlen(base);
    for (const char *x = exts; *x;) {
        size_t xl = strcspn(x, " ");
        if (bl > xl) {
            bool eq = true;
            for (size_t k = 0; k < xl && eq; k++) {
                char c = base[bl - xl + k];
                if (c >= 'A' && c <= 'Z')
                    c = (char)(c - 'A' + 'a');
                eq = c == x[k];
            }
            if (eq)
                return true;
        }
        x += xl;
        while (*x == ' ')
            x++;
    }
    return false;
}

int lf_format_by_path(const char *path)
{
    for (int i = 0; i < LF_FMT_COUNT; i++)
        if (has_extension(path, format_table[i].extensions))
            return i;
    return -1;
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

/* True when a file found in a directory is read: with a format given, a file with one of
 * its extensions; otherwise a file of any format marked for directories. */
static bool wanted_in_directory(const char *path, int fmt)
{
    if (fmt >= 0)
        return has_extension(path, format_table[fmt].extensions);
    int f = lf_format_by_path(path);
    return f >= 0 && format_table[f].in_directories;
}

/* Collects dictionary files below dir. Hidden entries (".git", editor files) are skipped
 * and symbolic links to directories are not followed, so a link cycle cannot loop. */
static lf_status collect_lexicons(const char *dir, int fmt, path_vec *out, lf_error *err)
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
            st = collect_lexicons(child, fmt, out, err);
            free(child);
            if (st != LF_OK)
                break;
            continue;
        }
        bool regular = S_ISREG(sb.st_mode) || (S_ISLNK(sb.st_mode) && stat(child, &sb) == 0 &&
                                               S_ISREG(sb.st_mode));
        if (regular && wanted_in_directory(child, fmt))
            LF_VEC_PUSH(*out, child);
        else
            free(child);
    }
    closedir(d);
    return st;
}

/* Line and column (in characters of the source encoding) of byte `bad` of data, for an
 * encoding error. */
static void locate_bytes(iconv_t cd, const char *data, size_t bad, size_t *line, size_t *col)
{
    size_t ls = 0;
    *line = 1;
    for (size_t i = 0; i < bad; i++)
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= bad || data[i + 1] != '\n'))) {
            (*line)++;
            ls = i + 1;
        }
    /* count the characters before it on its line by converting them again */
    iconv(cd, NULL, NULL, NULL, NULL);
    char *in = (char *)data + ls;
    size_t inleft = bad - ls;
    size_t cap = inleft * 4 + 16, outleft = cap;
    char *buf = lf_xmalloc(cap), *o = buf;
    (void)iconv(cd, &in, &inleft, &o, &outleft);
    *col = 1;
    for (char *k = buf; k < o; k++)
        if (((unsigned char)*k & 0xC0) != 0x80)
            (*col)++;
    free(buf);
}

/* Converts data from `encoding` to UTF-8 (iconv). Bytes that are not text in that encoding
 * fail with their line, column and offset. */
static lf_status to_utf8(const char *path, const char *encoding, char **data, size_t *len,
                         lf_error *err)
{
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1) {
        lf_error_set(err, LF_ERR_USAGE,
                     "--encoding: '%s' is not an encoding this system knows (see iconv -l)",
                     encoding);
        return LF_ERR_USAGE;
    }
    size_t cap = *len * 4 + 16, outleft = cap, inleft = *len;
    char *out = lf_xmalloc(cap), *o = out, *in = *data;
    lf_status st = LF_OK;
    if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
        int e = errno;
        size_t bad = (size_t)(in - *data), line, col;
        locate_bytes(cd, *data, bad, &line, &col);
        if (e == EINVAL)
            lf_error_at(err, LF_ERR_LEXICON, path, line, col,
                        "the file ends inside a %s character (byte offset %zu)", encoding,
                        bad);
        else
            lf_error_at(err, LF_ERR_LEXICON, path, line, col,
                        "byte 0x%02X is not valid %s text (byte offset %zu)",
                        (unsigned)(unsigned char)(*data)[bad], encoding, bad);
        st = LF_ERR_LEXICON;
    }
    iconv_close(cd);
    if (st != LF_OK) {
        free(out);
        return st;
    }
    free(*data);
    *len = (size_t)(o - out);
    out[*len] = '\0'; /* cap leaves room */
    *data = out;
    return LF_OK;
}

static lf_status load_file(lf_lexicon *lex, const char *path, int fmt, const lf_options *opt,
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
    if (fmt < 0)
        fmt = lf_format_by_path(path);
    if (fmt < 0)
        fmt = LF_FMT_NATIVE; /* any other name: the native format, as always */
    const lf_format_info *fi = &format_table[fmt];
    if (!fi->read) {
        free(data);
        lf_error_at(err, LF_ERR_LEXICON, path, 0, 0,
                    "the %s format can be written but not read", fi->name);
        return LF_ERR_LEXICON;
    }
    if (opt->encoding && !fi->xml && (st = to_utf8(path, opt->encoding, &data, &len, err)) != LF_OK) {
        free(data);
        return st;
    }
    /* Recorded first so themes and entries share the file list's copy of the path. */
    lf_lexicon_add_file(lex, path);
    st = fi->read(lex, lex->files[lex->n_files - 1], data, len, opt, err);
    free(data);
    return st;
}

/* "*.lexicon, *.dic, …" for messages: the extensions a directory load looks for. */
static void extension_list(int fmt, lf_buf *out)
{
    for (int i = 0; i < LF_FMT_COUNT; i++) {
        if (fmt >= 0 ? i != fmt : !format_table[i].in_directories)
            continue;
        for (const char *x = format_table[i].extensions; *x;) {
            size_t xl = strcspn(x, " ");
            lf_buf_printf(out, "%s*%.*s", out->len ? ", " : "", (int)xl, x);
            x += xl;
            while (*x == ' ')
                x++;
        }
    }
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
    int fmt = -1;
    if (opt->lexicon_format) {
        if (!lf_lexicon_format_known(opt->lexicon_format)) {
            lf_error_set(err, LF_ERR_USAGE,
                         "--lexicon-format: '%s' is not a format lexframe reads (known: %s)",
                         opt->lexicon_format, lf_lexicon_read_format_names());
            return LF_ERR_USAGE;
        }
        fmt = lf_format_by_name(opt->lexicon_format);
    }
    if (!S_ISDIR(sb.st_mode)) {
        lf_status st = load_file(lex, path, fmt, opt, err);
        return st != LF_OK ? st : lf_lexicon_resolve(lex, err);
    }
    path_vec files = {0};
    lf_status st = collect_lexicons(path, fmt, &files, err);
    if (st == LF_OK && files.n == 0) {
        lf_buf exts = {0};
        extension_list(fmt, &exts);
        lf_error_at(err, LF_ERR_LEXICON, path, 0, 0,
                    "no lexicon files (%s) in this directory or below it", lf_buf_cstr(&exts));
        lf_buf_free(&exts);
        st = LF_ERR_LEXICON;
    }
    if (st == LF_OK) {
        qsort(files.v, files.n, sizeof *files.v, cmp_paths);
        for (size_t i = 0; i < files.n && st == LF_OK; i++)
            st = load_file(lex, files.v[i], fmt, opt, err);
    }
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    LF_VEC_FREE(files);
    return st != LF_OK ? st : lf_lexicon_resolve(lex, err);
}
