/*
 * yaml.c: YAML (and JSON, its subset) documents to jansson trees that keep
 * the line each node came from, through libyaml's document API. Scalars are
 * resolved the way Kubernetes' YAML decoder does for the values policies
 * use (null, booleans, integers, floats, strings); quoted
 * scalars stay strings. Aliases are expanded with a cap on the nodes made so
 * that an alias bomb cannot exhaust memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "vap_int.h"

#define YAML_MAX_NODES 2000000u

typedef struct conv {
    yaml_document_t *doc;
    const char *file;
    vap_line_entry *lines;
    size_t nlines, cap;
    size_t made;
    char *err;
} conv;

static int cmp_entry(const void *a, const void *b)
{
    const vap_line_entry *x = a, *y = b;
    return (x->node > y->node) - (x->node < y->node);
}

static int note_line(conv *c, const json_t *j, int line, int col)
{
    if (c->nlines == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        vap_line_entry *n = realloc(c->lines, ncap * sizeof *n);
        if (!n)
            return -1;
        c->lines = n;
        c->cap = ncap;
    }
    c->lines[c->nlines].node = j;
    c->lines[c->nlines].line = line;
    c->lines[c->nlines].vline = line;
    c->lines[c->nlines].vcol = col;
    c->nlines++;
    return 0;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool looks_float(const char *s)
{
    /* [-+]? (digits [. digits*] | . digits) ([eE][-+]?digits)? */
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    size_t intd = strspn(p, "0123456789");
    p += intd;
    size_t frac = 0;
    bool dot = false;
    if (*p == '.') {
        dot = true;
        p++;
        frac = strspn(p, "0123456789");
        p += frac;
    }
    if (intd + frac == 0)
        return false;
    bool exp = false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        size_t e = strspn(p, "0123456789");
        if (e == 0)
            return false;
        p += e;
        exp = true;
    }
    return *p == '\0' && (dot || exp);
}

static json_t *scalar(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    /* libyaml tags every untagged scalar !!str, so only the style tells a
     * quoted string from a plain scalar to resolve. */
    bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (!plain || memchr(s, '\0', len))
        return json_stringn(s, len);
    if (len == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return json_null();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return json_true();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return json_false();
    const char *digits = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
    if (all_digits(digits, len - (size_t)(digits - s))) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == 0)
            return json_integer(v);
        return json_stringn(s, len);
    }
    if (looks_float(s)) {
        char *end;
        double d = strtod(s, &end);
        if (*end == '\0')
            return json_real(d);
    }
    return json_stringn(s, len);
}

static json_t *convert(conv *c, int id, unsigned depth)
{
    yaml_node_t *n = yaml_document_get_node(c->doc, id);
    if (!n)
        return NULL;
    int line = (int)n->start_mark.line + 1, col = (int)n->start_mark.column + 1;
    if (depth > VAP_MAX_DEPTH) {
        c->err = vap_asprintf("%s:%d: nesting deeper than %u levels", c->file, line, VAP_MAX_DEPTH);
        return NULL;
    }
    if (++c->made > YAML_MAX_NODES) {
        c->err = vap_asprintf("%s:%d: document expands to more than %u nodes", c->file, line,
                              YAML_MAX_NODES);
        return NULL;
    }
    json_t *j = NULL;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        j = scalar(n);
        break;
    case YAML_SEQUENCE_NODE:
        j = json_array();
        for (yaml_node_item_t *it = n->data.sequence.items.start; j && it < n->data.sequence.items.top;
             it++) {
            json_t *v = convert(c, *it, depth + 1);
            if (!v || json_array_append_new(j, v)) {
                json_decref(j);
                return NULL;
            }
        }
        break;
    case YAML_MAPPING_NODE:
        j = json_object();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; j && p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
            if (!k || k->type != YAML_SCALAR_NODE) {
                c->err = vap_asprintf("%s:%d: mapping keys must be scalars", c->file,
                                      k ? (int)k->start_mark.line + 1 : line);
                json_decref(j);
                return NULL;
            }
            const char *key = (const char *)k->data.scalar.value;
            if (memchr(key, '\0', k->data.scalar.length)) {
                c->err = vap_asprintf("%s:%d: mapping key contains a NUL byte", c->file,
                                      (int)k->start_mark.line + 1);
                json_decref(j);
                return NULL;
            }
            if (json_object_get(j, key)) {
                c->err = vap_asprintf("%s:%d: key \"%s\" already set in map", c->file,
                                      (int)k->start_mark.line + 1, key);
                json_decref(j);
                return NULL;
            }
            json_t *v = convert(c, p->value, depth + 1);
            if (!v || json_object_set_new(j, key, v)) {
                json_decref(j);
                return NULL;
            }
            /* A value is located at its key: a block list or map under
             * "key:" starts on the next line, but errors name the key's. */
            c->lines[c->nlines - 1].line = (int)k->start_mark.line + 1;
        }
        break;
    default:
        break;
    }
    if (!j) {
        if (!c->err)
            c->err = vap_asprintf("%s:%d: out of memory", c->file, line);
        return NULL;
    }
    if (note_line(c, j, line, col)) {
        json_decref(j);
        c->err = vap_asprintf("%s:%d: out of memory", c->file, line);
        return NULL;
    }
    return j;
}

void vap_doc_clear(vap_doc *d)
{
    json_decref(d->root);
    free(d->file);
    free(d->lines);
    memset(d, 0, sizeof *d);
}

int vap_doc_line(const vap_doc *d, const json_t *node)
{
    if (!d || !node || !d->nlines)
        return d ? d->line : 0;
    vap_line_entry key = {node, 0, 0, 0};
    const vap_line_entry *e = bsearch(&key, d->lines, d->nlines, sizeof key, cmp_entry);
    return e ? e->line : d->line;
}

void vap_doc_pos(const vap_doc *d, const json_t *node, int *line, int *col)
{
    *line = *col = 0;
    if (!d || !node || !d->nlines)
        return;
    vap_line_entry key = {node, 0, 0, 0};
    const vap_line_entry *e = bsearch(&key, d->lines, d->nlines, sizeof key, cmp_entry);
    if (e) {
        *line = e->vline;
        *col = e->vcol;
    }
}

/* json_true/false/null are shared singletons: their lines are meaningless,
 * and sorting needs unique keys, so they are dropped from the table. */
static void finish_lines(conv *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->nlines; i++) {
        const json_t *n = c->lines[i].node;
        if (json_is_true(n) || json_is_false(n) || json_is_null(n))
            continue;
        c->lines[w++] = c->lines[i];
    }
    c->nlines = w;
    qsort(c->lines, c->nlines, sizeof *c->lines, cmp_entry);
}

int vap_yaml_parse(const char *file, const char *text, size_t len, vap_doc **docs_out, char **err)
{
    yaml_parser_t parser;
    vap_doc *docs = NULL;
    size_t n = 0, cap = 0;
    *docs_out = NULL;
    *err = NULL;
    if (!yaml_parser_initialize(&parser)) {
        *err = vap_asprintf("%s: out of memory", file);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            *err = vap_asprintf("%s:%zu:%zu: YAML: %s%s%s", file, parser.problem_mark.line + 1,
                                parser.problem_mark.column + 1,
                                parser.problem ? parser.problem : "syntax error",
                                parser.context ? " " : "", parser.context ? parser.context : "");
            goto fail;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            break; /* end of stream */
        }
        /* An empty document between separators ("---\n---") holds a single
         * empty plain scalar: nothing to load. */
        if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0) {
            yaml_document_delete(&doc);
            continue;
        }
        conv c = {.doc = &doc, .file = file};
        json_t *j = convert(&c, 1, 0);
        int line = (int)root->start_mark.line + 1;
        yaml_document_delete(&doc);
        if (!j) {
            free(c.lines);
            *err = c.err ? c.err : vap_asprintf("%s:%d: out of memory", file, line);
            goto fail;
        }
        finish_lines(&c);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            vap_doc *nd = realloc(docs, ncap * sizeof *nd);
            if (!nd) {
                json_decref(j);
                free(c.lines);
                *err = vap_asprintf("%s: out of memory", file);
                goto fail;
            }
            docs = nd;
            cap = ncap;
        }
        docs[n].root = j;
        docs[n].file = vap_strdup(file);
        docs[n].line = line;
        docs[n].lines = c.lines;
        docs[n].nlines = c.nlines;
        n++;
    }
    yaml_parser_delete(&parser);
    *docs_out = docs;
    return (int)n;
fail:
    yaml_parser_delete(&parser);
    for (size_t i = 0; i < n; i++)
        vap_doc_clear(&docs[i]);
    free(docs);
    return -1;
}
