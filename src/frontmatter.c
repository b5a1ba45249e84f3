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

/* ---- reading the events ------------------------------------------------------------
 * libyaml's document API (yaml_parser_load) builds a node for every scalar, list and map,
 * with a tag string each, which the two levels read below then walk; the events the
 * loader builds them from carry everything those levels need. So front matter is read
 * from the events, with exactly the calls of yaml_parser_parse the loader makes (it stops
 * after the first document's end), and gives what the document walk gives: a YAML error
 * wins over an error of ours, as the loader fails before the walk starts. An anchor or an
 * alias (a value shared with another place, which only the loader resolves, and which it
 * may refuse as undefined or duplicate) stops the event reading, and the document API
 * reads the front matter instead. */

enum { FM_READING, FM_YAML_ERROR, FM_NEEDS_LOADER };

typedef struct fm_events {
    yaml_parser_t parser;
    yaml_event_t ev; /* the current event, owned until the next fm_next */
    bool have_ev;
    int state; /* FM_ */
    /* Our first error (the walk stops there), reported unless YAML fails later. */
    const char *problem;
    yaml_mark_t problem_mark;
} fm_events;

/* Reads the next event into r->ev; false at a YAML error or an anchor or alias. */
static bool fm_next(fm_events *r)
{
    if (r->have_ev)
        yaml_event_delete(&r->ev);
    r->have_ev = false;
    if (!yaml_parser_parse(&r->parser, &r->ev)) {
        if (r->parser.error == YAML_MEMORY_ERROR)
            lf_oom();
        r->state = FM_YAML_ERROR;
        return false;
    }
    r->have_ev = true;
    const yaml_event_t *e = &r->ev;
    if (e->type == YAML_ALIAS_EVENT ||
        (e->type == YAML_SCALAR_EVENT && e->data.scalar.anchor) ||
        (e->type == YAML_SEQUENCE_START_EVENT && e->data.sequence_start.anchor) ||
        (e->type == YAML_MAPPING_START_EVENT && e->data.mapping_start.anchor)) {
        r->state = FM_NEEDS_LOADER;
        return false;
    }
    return true;
}

/* Takes the current event from r (the caller deletes it). */
static yaml_event_t fm_take(fm_events *r)
{
    r->have_ev = false;
    return r->ev;
}

/* Reads past the node whose first event is the current one. */
static bool fm_skip(fm_events *r)
{
    if (r->ev.type != YAML_SEQUENCE_START_EVENT && r->ev.type != YAML_MAPPING_START_EVENT)
        return true;
    for (size_t depth = 1; depth > 0;) {
        if (!fm_next(r))
            return false;
        if (r->ev.type == YAML_SEQUENCE_START_EVENT || r->ev.type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (r->ev.type == YAML_SEQUENCE_END_EVENT || r->ev.type == YAML_MAPPING_END_EVENT)
            depth--;
    }
    return true;
}

static void fm_fail(fm_events *r, const char *problem, yaml_mark_t mark)
{
    if (!r->problem) {
        r->problem = problem;
        r->problem_mark = mark;
    }
}

static bool ev_scalar_is(const yaml_event_t *e, const char *s)
{
    size_t l = strlen(s);
    return e->type == YAML_SCALAR_EVENT && e->data.scalar.length == l &&
           memcmp(e->data.scalar.value, s, l) == 0;
}

static const char *ev_scalar_dup(lf_doc *doc, const yaml_event_t *e)
{
    return lf_arena_strndup(&doc->arena, (const char *)e->data.scalar.value,
                            e->data.scalar.length);
}

/* One key of a map and its value: reads the key's node and the value's first event, and
 * *key gets the key's event when it is a scalar (the caller deletes it), else its type is
 * YAML_NO_EVENT and the value has been read past too. False at the map's end (*key then
 * holds nothing) or when reading stops. */
static bool fm_pair(fm_events *r, yaml_event_t *key, bool *more)
{
    memset(key, 0, sizeof *key);
    *more = false;
    if (!fm_next(r))
        return false;
    if (r->ev.type == YAML_MAPPING_END_EVENT)
        return true;
    *more = true;
    if (r->ev.type != YAML_SCALAR_EVENT) /* a list or map as a key: not ours */
        return fm_skip(r) && fm_next(r) && fm_skip(r);
    *key = fm_take(r);
    return fm_next(r);
}

/* The fields of one speaker (name, role, party); the current event starts its map. */
static bool fm_speaker_fields(fm_events *r, lf_doc *doc, lf_speaker *sp)
{
    for (;;) {
        yaml_event_t k;
        bool more;
        bool ok = fm_pair(r, &k, &more);
        if (ok && more && k.type == YAML_SCALAR_EVENT) {
            const yaml_event_t *v = &r->ev;
            if (v->type == YAML_SCALAR_EVENT && v->data.scalar.length) {
                if (ev_scalar_is(&k, "name"))
                    sp->name = ev_scalar_dup(doc, v);
                else if (ev_scalar_is(&k, "role"))
                    sp->role = ev_scalar_dup(doc, v);
                else if (ev_scalar_is(&k, "party"))
                    sp->party = ev_scalar_dup(doc, v);
            } else {
                ok = fm_skip(r); /* other keys and non-scalar values are ignored */
            }
        }
        yaml_event_delete(&k);
        if (!ok || !more)
            return ok;
    }
}

/* `speakers:`, as read_speakers reads it from a document; the current event is the first
 * of its value. */
static bool fm_speakers(fm_events *r, lf_doc *doc, lf_alias_vec *aliases)
{
    const yaml_event_t *v = &r->ev; /* always the event last read */
    if (v->type == YAML_SCALAR_EVENT && v->data.scalar.length == 0)
        return true; /* "speakers:" with nothing after it */
    if (v->type != YAML_MAPPING_START_EVENT) {
        fm_fail(r, "'speakers' must map each label to a name or to name/role/party",
                v->start_mark);
        return fm_skip(r);
    }
    for (;;) {
        yaml_event_t k;
        bool more;
        if (!fm_pair(r, &k, &more)) {
            yaml_event_delete(&k);
            return false;
        }
        if (!more)
            return true;
        if (k.type != YAML_SCALAR_EVENT)
            continue; /* fm_pair has read past the key and its value */
        size_t n = k.data.scalar.length;
        char *label = lf_arena_alloc(&doc->arena, n + 1);
        label[lf_label_normalize((const char *)k.data.scalar.value, n, label)] = '\0';
        yaml_event_delete(&k);
        if (r->problem) { /* after our error: only read on */
            if (!fm_skip(r))
                return false;
            continue;
        }
        lf_speaker sp = {.label = label};
        if (v->type == YAML_SCALAR_EVENT) {
            if (v->data.scalar.length)
                sp.name = ev_scalar_dup(doc, v);
        } else if (v->type == YAML_MAPPING_START_EVENT) {
            if (!fm_speaker_fields(r, doc, &sp))
                return false;
        } else {
            fm_fail(r, "a speaker must be a name or a mapping with name, role, party",
                    v->start_mark);
            if (!fm_skip(r))
                return false;
            continue;
        }
        if (!sp.name)
            sp.name = sp.label;
        LF_VEC_PUSH(*aliases, sp);
    }
}

/* The top-level map; the current event starts it. */
static bool fm_top(fm_events *r, lf_doc *doc, lf_alias_vec *aliases)
{
    const char *source_url = NULL;
    for (;;) {
        yaml_event_t k;
        bool more;
        bool ok = fm_pair(r, &k, &more);
        if (ok && more && k.type == YAML_SCALAR_EVENT) {
            const yaml_event_t *v = &r->ev;
            if (r->problem)
                ok = fm_skip(r); /* after our error: only read on */
            else if (ev_scalar_is(&k, "speakers"))
                ok = fm_speakers(r, doc, aliases);
            else if (v->type != YAML_SCALAR_EVENT)
                ok = fm_skip(r); /* lists and maps other than speakers carry nothing we use */
            else
                lf_meta_add(doc, ev_scalar_dup(doc, &k), ev_scalar_dup(doc, v), &source_url);
        }
        yaml_event_delete(&k);
        if (!ok || !more) {
            if (ok && !r->problem && !doc->source)
                doc->source = source_url;
            return ok;
        }
    }
}

/* Reads the front matter from the events: FM_NEEDS_LOADER when it holds an anchor or
 * alias (the caller then loads it as a document), else *st is the result (FM_YAML_ERROR
 * for an error of libyaml's). */
static int read_events(const char *yaml, size_t len, size_t first_line, lf_doc *doc,
                        lf_alias_vec *aliases, lf_error *err, lf_status *st)
{
    fm_events r;
    memset(&r, 0, sizeof r);
    if (!yaml_parser_initialize(&r.parser))
        lf_oom();
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)yaml, len);
    /* the stream's start, then a document's start or the stream's end (no document:
       empty front matter) */
    if (fm_next(&r) && fm_next(&r) && r.ev.type != YAML_STREAM_END_EVENT && fm_next(&r)) {
        const yaml_event_t *root = &r.ev;
        bool ok;
        if (root->type == YAML_SCALAR_EVENT && root->data.scalar.length == 0) {
            ok = true; /* empty front matter */
        } else if (root->type != YAML_MAPPING_START_EVENT) {
            fm_fail(&r, "expected 'key: value' lines (a YAML mapping)", root->start_mark);
            ok = fm_skip(&r);
        } else {
            ok = fm_top(&r, doc, aliases);
        }
        if (ok)
            fm_next(&r); /* the document's end, where the loader stops */
    }
    if (r.have_ev)
        yaml_event_delete(&r.ev);
    if (r.state == FM_YAML_ERROR)
        *st = fm_error(doc, first_line, r.parser.problem_mark, err,
                       r.parser.problem ? r.parser.problem : "cannot be parsed",
                       r.parser.context);
    else if (r.state == FM_READING)
        *st = r.problem ? fm_error(doc, first_line, r.problem_mark, err, r.problem, NULL)
                        : LF_OK;
    yaml_parser_delete(&r.parser);
    return r.state;
}

/* ---- the document API, for front matter with anchors or aliases ---------------------- */

static lf_status load_document(const char *yaml, size_t len, size_t first_line, lf_doc *doc,
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

lf_status lf_frontmatter_parse(const char *yaml, size_t len, size_t first_line, lf_doc *doc,
                               lf_alias_vec *aliases, lf_error *err)
{
    size_t n_meta = doc->n_meta, n_aliases = aliases->n;
    const char *title = doc->title, *date = doc->date, *source = doc->source;
    lf_status st = LF_OK;
    int state = read_events(yaml, len, first_line, doc, aliases, err, &st);
    if (state == FM_READING)
        return st;
    /* The loader fails before the walk adds anything, and reads from the start at an
       anchor or alias: undo what the events gave (their strings stay in the arena). */
    doc->n_meta = n_meta;
    aliases->n = n_aliases;
    doc->title = title;
    doc->date = date;
    doc->source = source;
    if (state == FM_YAML_ERROR)
        return st;
    return load_document(yaml, len, first_line, doc, aliases, err);
}
