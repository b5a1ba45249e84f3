/* lexicon_yaml.c — reader for quanteda dictionaries in YAML (.yml, .yaml): a mapping of
 * category names to lists of patterns (block or flow), to a single pattern, or to a nested
 * mapping of sub-categories, at any depth. An empty key ('') holds patterns of the
 * category around it (newsmap's "US: {'': Washington DC, MA: Boston}"). Patterns are
 * quanteda globs: '*' any characters, '?' one. Parsed with libyaml's event API; aliases
 * are refused (no alias bombs) and nesting is limited. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lexicon_read.h"

enum { MAX_DEPTH = 64 };

typedef struct yrd {
    lf_reader r;
    yaml_parser_t parser;
} yrd;

static size_t ln(const yaml_event_t *ev)
{
    return ev->start_mark.line + 1;
}

static size_t cl(const yaml_event_t *ev)
{
    return ev->start_mark.column + 1;
}

/* Next event, or a position-carrying error. */
static lf_status next(yrd *Y, yaml_event_t *ev)
{
    if (yaml_parser_parse(&Y->parser, ev))
        return LF_OK;
    const yaml_mark_t *m = &Y->parser.problem_mark;
    return lf_reader_fail(&Y->r, m->line + 1, m->column + 1, "YAML: %s%s%s",
                          Y->parser.problem ? Y->parser.problem : "syntax error",
                          Y->parser.context ? " " : "",
                          Y->parser.context ? Y->parser.context : "");
}

static lf_status scalar_entry(yrd *Y, uint32_t theme, const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    if (n == 0) {
        lf_reader_warn(&Y->r, ln(ev), cl(ev), "empty pattern: skipped");
        return LF_OK;
    }
    bool added;
    return lf_reader_entry(&Y->r, theme, v, n, NULL, ln(ev), cl(ev), &added);
}

static lf_status mapping(yrd *Y, int32_t parent, unsigned depth);

/* The value of category `theme` (or of the parent for a '' key). */
static lf_status value(yrd *Y, int32_t theme, const yaml_event_t *key, unsigned depth)
{
    yaml_event_t ev;
    lf_status st = next(Y, &ev);
    if (st != LF_OK)
        return st;
    switch (ev.type) {
    case YAML_SCALAR_EVENT: {
        /* "key:", "key: ~" and "key: null" (plain): an empty category */
        const char *v = (const char *)ev.data.scalar.value;
        bool null = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                    (ev.data.scalar.length == 0 || strcmp(v, "~") == 0 ||
                     strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0);
        if (!null)
            st = scalar_entry(Y, (uint32_t)theme, &ev);
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
        for (;;) {
            yaml_event_t item;
            if ((st = next(Y, &item)) != LF_OK)
                break;
            if (item.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&item);
                break;
            }
            if (item.type == YAML_SCALAR_EVENT)
                st = scalar_entry(Y, (uint32_t)theme, &item);
            else
                st = lf_reader_fail(&Y->r, ln(&item), cl(&item),
                                    item.type == YAML_ALIAS_EVENT
                                        ? "YAML aliases are not read in dictionaries"
                                        : "a list of patterns may hold only patterns");
            yaml_event_delete(&item);
            if (st != LF_OK)
                break;
        }
        break;
    case YAML_MAPPING_START_EVENT:
        st = mapping(Y, theme, depth + 1);
        break;
    case YAML_ALIAS_EVENT:
        st = lf_reader_fail(&Y->r, ln(&ev), cl(&ev), "YAML aliases are not read in dictionaries");
        break;
    default:
        st = lf_reader_fail(&Y->r, ln(key), cl(key), "unexpected YAML content");
        break;
    }
    yaml_event_delete(&ev);
    return st;
}

/* A mapping of category names, after its MAPPING-START, up to its MAPPING-END. */
static lf_status mapping(yrd *Y, int32_t parent, unsigned depth)
{
    if (depth > MAX_DEPTH)
        return lf_reader_fail(&Y->r, Y->parser.mark.line + 1, Y->parser.mark.column + 1,
                              "categories nested deeper than %d levels", MAX_DEPTH);
    lf_status st = LF_OK;
    while (st == LF_OK) {
        yaml_event_t key;
        if ((st = next(Y, &key)) != LF_OK)
            break;
        if (key.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key);
            break;
        }
        if (key.type != YAML_SCALAR_EVENT) {
            st = lf_reader_fail(&Y->r, ln(&key), cl(&key),
                                "a category name must be a plain string");
            yaml_event_delete(&key);
            break;
        }
        const char *name = (const char *)key.data.scalar.value;
        size_t n = key.data.scalar.length;
        int32_t theme = parent;
        if (n == 0 && parent < 0)
            st = lf_reader_fail(&Y->r, ln(&key), cl(&key),
                                "an empty key holds patterns of the category around it, and "
                                "there is none at the top level");
        else if (n > 0) {
            uint32_t t;
            st = lf_reader_theme(&Y->r, parent, name, n, ln(&key), cl(&key), false, &t);
            theme = (int32_t)t;
        }
        if (st == LF_OK)
            st = value(Y, theme, &key, depth);
        yaml_event_delete(&key);
    }
    return st;
}

lf_status lf_lexicon_read_yaml(lf_lexicon *lex, const char *path, const char *data, size_t len,
                               const lf_options *opt, lf_error *err)
{
    yrd Y;
    lf_reader_init(&Y.r, lex, path, opt, err, "*?");
    size_t start;
    lf_status st = lf_reader_check_utf8(&Y.r, data, len, &start);
    if (st != LF_OK)
        return st;
    if (!yaml_parser_initialize(&Y.parser))
        lf_oom();
    yaml_parser_set_input_string(&Y.parser, (const unsigned char *)data + start, len - start);
    bool seen_doc = false;
    while (st == LF_OK) {
        yaml_event_t ev;
        if ((st = next(&Y, &ev)) != LF_OK)
            break;
        yaml_event_type_t type = ev.type;
        if (type == YAML_DOCUMENT_START_EVENT && seen_doc)
            st = lf_reader_fail(&Y.r, ln(&ev), cl(&ev),
                                "a second YAML document: a dictionary is one document");
        else if (type == YAML_DOCUMENT_START_EVENT)
            seen_doc = true;
        else if (type == YAML_MAPPING_START_EVENT)
            st = mapping(&Y, -1, 1);
        else if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT ||
                 type == YAML_ALIAS_EVENT)
            st = lf_reader_fail(&Y.r, ln(&ev), cl(&ev),
                                "a quanteda dictionary is a mapping of category names");
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
    }
    if (st == LF_OK && lex->n_themes == Y.r.first_theme)
        st = lf_reader_fail(&Y.r, 0, 0, "no categories in this YAML file");
    yaml_parser_delete(&Y.parser);
    return st;
}
