/* frontmatter.c — stage 1, document metadata: reads the YAML front matter of a transcript
 * with libyaml (so double-quoted escapes like "\_" = U+00A0 and folded multi-line scalars
 * come out as YAML defines them) into the document's metadata and speaker aliases.
 * Only two levels are walked (top mapping, `speakers` and its entries), so YAML aliases
 * cannot blow up the work. */
#include <string.h>
#include <yaml.h>

#include "frontmatter.h"

static bool scalar_is(const yaml_node_t *n, const char *s)
{
    size_t l = strlen(s);
    return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == l &&
           memcmp(n->data.scalar.value, s, l) == 0;
}

static const char *scalar_dup(lf_doc *doc, const yaml_node_t *n)
{
    return lf_arena_strndup(&doc->arena, (const char *)n->data.scalar.value,
                            n->data.scalar.length);
}

static lf_status fm_error(lf_doc *doc, size_t first_line, yaml_mark_t mark, lf_error *err,
                          const char *msg, const char *context)
{
    lf_error_at(err, LF_ERR_INPUT, doc->path, first_line + mark.line, mark.column + 1,
                "front matter: %s%s%s%s", msg, context ? " (" : "", context ? context : "",
                context ? ")" : "");
    return LF_ERR_INPUT;
}

static void push_meta(lf_doc *doc, const char *key, const char *value)
{
    lf_grow((void **)&doc->meta, &doc->cap_meta, doc->n_meta + 1, sizeof *doc->meta);
    doc->meta[doc->n_meta++] = (lf_meta){.key = key, .value = value};
}

/* A label as the transcript text would show it, normalized like labels found in text. */
static const char *alias_label(lf_doc *doc, const yaml_node_t *key)
{
    size_t n = key->data.scalar.length;
    char *out = lf_arena_alloc(&doc->arena, n + 1);
    size_t m = lf_label_normalize((const char *)key->data.scalar.value, n, out);
    out[m] = '\0';
    return out;
}

static lf_status read_speakers(yaml_document_t *yd, yaml_node_t *map, size_t first_line,
                               lf_doc *doc, lf_alias_vec *aliases, lf_error *err)
{
    if (map->type == YAML_SCALAR_NODE && map->data.scalar.length == 0)
        return LF_OK; /* "speakers:" with nothing after it */
    if (map->type != YAML_MAPPING_NODE)
        return fm_error(doc, first_line, map->start_mark, err,
                        "'speakers' must map each label to a name or to name/role/party",
                        NULL);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(yd, p->key);
        yaml_node_t *v = yaml_document_get_node(yd, p->value);
        if (!k || k->type != YAML_SCALAR_NODE || !v)
            continue;
        lf_speaker sp = {.label = alias_label(doc, k)};
        if (v->type == YAML_SCALAR_NODE) {
            if (v->data.scalar.length)
                sp.name = scalar_dup(doc, v);
        } else if (v->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
                 q < v->data.mapping.pairs.top; q++) {
                yaml_node_t *fk = yaml_document_get_node(yd, q->key);
                yaml_node_t *fv = yaml_document_get_node(yd, q->value);
                if (!fv || fv->type != YAML_SCALAR_NODE || !fv->data.scalar.length)
                    continue; /* other keys and non-scalar values are ignored */
                if (scalar_is(fk, "name"))
                    sp.name = scalar_dup(doc, fv);
                else if (scalar_is(fk, "role"))
                    sp.role = scalar_dup(doc, fv);
                else if (scalar_is(fk, "party"))
                    sp.party = scalar_dup(doc, fv);
            }
        } else {
            return fm_error(doc, first_line, v->start_mark, err,
                            "a speaker must be a name or a mapping with name, role, party",
                            NULL);
        }
        if (!sp.name)
            sp.name = sp.label;
        LF_VEC_PUSH(*aliases, sp);
    }
    return LF_OK;
}

bool lf_frontmatter_depth_ok(const char *yaml, size_t len, uint64_t max_depth, size_t *line)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        lf_oom();
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    uint64_t depth = 0;
    bool ok = true, done = false;
    /* Events come one at a time, so a deep nest is refused after max_depth openings. */
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR)
                lf_oom();
            break;
        }
        switch (ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > max_depth) {
                ok = false;
                *line = ev.start_mark.line;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ok;
}

void lf_meta_add(lf_doc *doc, const char *key, const char *value, const char **source_url)
{
    push_meta(doc, key, value);
    if (!*value)
        return;
    /* The first occurrence of a well-known key wins. */
    if (!doc->title && strcmp(key, "title") == 0)
        doc->title = value;
    else if (!doc->date && strcmp(key, "date") == 0)
        doc->date = value;
    else if (!doc->source && strcmp(key, "source") == 0)
        doc->source = value;
    else if (!*source_url && strcmp(key, "source_url") == 0)
        *source_url = value;
}

lf_status lf_frontmatter_parse(const char *yaml, size_t len, size_t first_line, lf_doc *doc,
                               lf_alias_vec *aliases, lf_error *err)
{
    yaml_parser_t parser;
    yaml_document_t yd;
    if (!yaml_parser_initialize(&parser))
        lf_oom();
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &yd)) {
        if (parser.error == YAML_MEMORY_ERROR)
            lf_oom();
        lf_status st = fm_error(doc, first_line, parser.problem_mark, err,
                                parser.problem ? parser.problem : "cannot be parsed",
                                parser.context);
        yaml_parser_delete(&parser);
        return st;
    }
    lf_status st = LF_OK;
    const char *source_url = NULL;
    yaml_node_t *root = yaml_document_get_root_node(&yd);
    if (!root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
        goto out; /* empty front matter */
    if (root->type != YAML_MAPPING_NODE) {
        st = fm_error(doc, first_line, root->start_mark, err,
                      "expected 'key: value' lines (a YAML mapping)", NULL);
        goto out;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&yd, p->key);
        yaml_node_t *v = yaml_document_get_node(&yd, p->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE)
            continue;
        if (scalar_is(k, "speakers")) {
            st = read_speakers(&yd, v, first_line, doc, aliases, err);
            if (st != LF_OK)
                goto out;
            continue;
        }
        if (v->type != YAML_SCALAR_NODE)
            continue; /* lists and maps other than speakers carry no metadata we use */
        lf_meta_add(doc, scalar_dup(doc, k), scalar_dup(doc, v), &source_url);
    }
    if (!doc->source)
        doc->source = source_url;
out:
    yaml_document_delete(&yd);
    yaml_parser_delete(&parser);
    return st;
}
