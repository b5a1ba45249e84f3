/* render_manifest.c — manifest.json: what produced a report (version, command, options)
 * and from what (size and SHA-256 of every input and lexicon file, read again here), with
 * the headline counts. Pretty-printed with a fixed key order and no timestamp, so the same
 * inputs give the same bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

typedef struct file_hash {
    char hex[65];
    uint64_t bytes;
} file_hash;

static lf_status hash_all(const char *const *paths, size_t n, const char *const *known,
                          const uint64_t *known_bytes, file_hash **out, lf_error *err)
{
    file_hash *h = lf_xcalloc(n ? n : 1, sizeof *h);
    for (size_t i = 0; i < n; i++) {
        if (known && known[i]) {
            snprintf(h[i].hex, sizeof h[i].hex, "%s", known[i]);
            h[i].bytes = known_bytes[i];
            continue;
        }
        lf_status st = lf_sha256_file(paths[i], h[i].hex, &h[i].bytes, err);
        if (st != LF_OK) {
            free(h);
            *out = NULL;
            return st;
        }
    }
    *out = h;
    return LF_OK;
}

static void write_files(FILE *fp, const char *key, const char *const *paths,
                        const file_hash *h, size_t n)
{
    fprintf(fp, "  \"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n    {\n      \"path\": " : "\n    {\n      \"path\": ", fp);
        lf_json_string(fp, paths[i]);
        fprintf(fp, ",\n      \"bytes\": %" PRIu64 ",\n      \"sha256\": \"%s\"\n    }",
                h[i].bytes, h[i].hex);
    }
    fputs(n ? "\n  ],\n" : "],\n", fp);
}

static size_t name_len(const char *opt)
{
    const char *eq = strchr(opt, '=');
    return eq ? (size_t)(eq - opt) : strlen(opt);
}

static bool same_name(const char *a, const char *b)
{
    size_t n = name_len(a);
    return n == name_len(b) && memcmp(a, b, n) == 0;
}

/* One option value: the text after '=', or true for a bare flag. */
static void write_option_value(FILE *fp, const char *opt)
{
    const char *eq = strchr(opt, '=');
    if (eq)
        lf_json_string(fp, eq + 1);
    else
        fputs("true", fp);
}

/* "name=value" strings become an object in first-appearance order; a name given several
 * times (a repeatable option) becomes an array of its values, so no key repeats. The
 * option list is a handful of entries, so the quadratic scan is immaterial. */
static void write_options(FILE *fp, const char *const *opts, size_t n)
{
    fputs("  \"options\": {", fp);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        size_t count = 0;
        for (size_t j = 0; j < n && !seen; j++) {
            if (j < i && same_name(opts[j], opts[i]))
                seen = true;
            else if (same_name(opts[j], opts[i]))
                count++;
        }
        if (seen)
            continue;
        fputs(first ? "\n    " : ",\n    ", fp);
        first = false;
        char *name = lf_xstrndup(opts[i], name_len(opts[i]));
        lf_json_string(fp, name);
        free(name);
        fputs(": ", fp);
        if (count == 1) {
            write_option_value(fp, opts[i]);
            continue;
        }
        putc('[', fp);
        bool first_value = true;
        for (size_t j = i; j < n; j++) {
            if (!same_name(opts[j], opts[i]))
                continue;
            if (!first_value)
                fputs(", ", fp);
            first_value = false;
            write_option_value(fp, opts[j]);
        }
        putc(']', fp);
    }
    fputs(first ? "},\n" : "\n  },\n", fp);
}

int lf_render_manifest_json(FILE *fp, const lf_tables *t, const lf_report_info *info,
                            lf_error *err)
{
    /* Hash everything before writing, so a missing file leaves no half manifest. */
    file_hash *in_hash = NULL, *lex_hash = NULL;
    if (hash_all(info->inputs, info->n_inputs, info->input_sha256, info->input_bytes, &in_hash,
                 err) != LF_OK)
        return -1;
    if (hash_all(info->lexicon_files, info->n_lexicon_files, NULL, NULL, &lex_hash, err) !=
        LF_OK) {
        free(in_hash);
        return -1;
    }
    fputs("{\n  \"lexframe\": ", fp);
    lf_json_string(fp, info->version ? info->version : lf_version());
    fputs(",\n  \"command\": ", fp);
    lf_json_string(fp, info->argv_line ? info->argv_line : "");
    fputs(",\n", fp);
    write_options(fp, info->options, info->n_options);
    write_files(fp, "inputs", info->inputs, in_hash, info->n_inputs);
    write_files(fp, "lexicons", info->lexicon_files, lex_hash, info->n_lexicon_files);
    fputs("  \"failed\": [", fp);
    for (size_t i = 0; i < info->n_failed; i++) {
        fputs(i ? ",\n    " : "\n    ", fp);
        lf_json_string(fp, info->failed[i]);
    }
    fputs(info->n_failed ? "\n  ],\n" : "],\n", fp);
    const lf_corpus_stats *s = lf_tables_stats(t);
    fprintf(fp,
            "  \"counts\": {\n"
            "    \"docs\": %" PRIu64 ",\n"
            "    \"turns\": %" PRIu64 ",\n"
            "    \"sentences\": %" PRIu64 ",\n"
            "    \"words\": %" PRIu64 ",\n"
            "    \"matches\": %" PRIu64 ",\n"
            "    \"negated\": %" PRIu64 ",\n"
            "    \"suppressed\": %" PRIu64 ",\n"
            "    \"stripped\": %" PRIu64 "\n"
            "  }\n}\n",
            s->docs, s->turns, s->sentences, s->words, s->matches_counted, s->negated,
            lf_stats_suppressed(s), s->stripped);
    free(in_hash);
    free(lex_hash);
    if (ferror(fp)) {
        lf_error_set(err, LF_ERR_IO, "manifest.json: write error");
        return -1;
    }
    return 0;
}
