/*
 * kt_yaml.c: test manifests and resource files through libyaml's document
 * API into jansson, keeping where every node is so that setup errors can
 * name file:line:column. Scalars are resolved as Kubernetes' YAML decoder
 * (sigs.k8s.io/yaml, on go-yaml v2) resolves plain scalars, since that is
 * what kaptest and kubectl give objects: YAML 1.1 booleans (yes/no/on/off
 * and y/n too), nulls, integers (decimal, 0x, 0o, 0b, leading-zero octal,
 * underscores), floats. Quoted and block scalars stay strings. Aliases are
 * expanded under a cap on the nodes made, nesting under a cap on depth.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "kt_int.h"

typedef struct conv {
    yaml_document_t *doc;
    const char *file;
    kt_posent *pos;
    size_t npos, cap;
    size_t made;
    char *err;
} conv;

static int cmp_pos(const void *a, const void *b)
{
    const kt_posent *x = a, *y = b;
    return (x->node > y->node) - (x->node < y->node);
}

static int note(conv *c, const json_t *j, kt_pos own)
{
    if (c->npos == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        kt_posent *n = realloc(c->pos, ncap * sizeof *n);
        if (!n)
            return -1;
        c->pos = n;
        c->cap = ncap;
    }
    c->pos[c->npos++] = (kt_posent){j, own, own};
    return 0;
}

static bool is_one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

/* go-yaml v2's integer forms: [-+]? then 0b.., 0x.., 0o.. or 0.. octal,
 * or decimal; underscores allowed between digits. */
static bool parse_int(const char *s, long long *out)
{
    char digits[128];
    size_t n = 0;
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
        base = 8;
        p += 2;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p += 1;
    }
    if (!*p)
        return false;
    for (; *p; p++) {
        if (*p == '_')
            continue;
        int d = (*p >= '0' && *p <= '9') ? *p - '0' : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
              : (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10 : 99;
        if (d >= base || n + 1 >= sizeof digits)
            return false;
        digits[n++] = *p;
    }
    if (n == 0)
        return false;
    digits[n] = '\0';
    errno = 0;
    char *end;
    unsigned long long v = strtoull(digits, &end, base);
    if (errno || *end || v > (unsigned long long)INT64_MAX + (neg ? 1u : 0u))
        return false; /* too large: go-yaml keeps it a string or float; a string here */
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

/* go-yaml v2's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 * (so "09", not an octal integer, is the float 9). */
static bool looks_float(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    size_t intd = strspn(p, "0123456789");
    p += intd;
    if (*p == '.') {
        p++;
        size_t frac = strspn(p, "0123456789");
        if (intd == 0 && frac == 0)
            return false;
        p += frac;
    } else if (intd == 0) {
        return false;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        size_t e = strspn(p, "0123456789");
        if (!e)
            return false;
        p += e;
    }
    return *p == '\0';
}

static json_t *scalar(conv *c, const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || memchr(s, '\0', len))
        return json_stringn(s, len);
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF", NULL};
    static const char *const specials[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
                                           "-.INF", ".nan", ".NaN", ".NAN", NULL};
    if (is_one_of(s, nulls))
        return json_null();
    if (is_one_of(s, trues))
        return json_true();
    if (is_one_of(s, falses))
        return json_false();
    if (is_one_of(s, specials)) {
        /* JSON has no infinities: the Kubernetes decoder refuses them too */
        c->err = kt_asprintf("%s:%zu:%zu: %s: infinite and NaN numbers cannot be converted to JSON", c->file,
                             n->start_mark.line + 1, n->start_mark.column + 1, s);
        return NULL;
    }
    long long iv;
    if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+' || s[0] == '.') {
        if (parse_int(s, &iv))
            return json_integer(iv);
        if (looks_float(s)) {
            char *end;
            double d = strtod(s, &end);
            if (*end == '\0' && isfinite(d))
                return json_real(d);
        }
    }
    return json_stringn(s, len);
}

static json_t *convert(conv *c, int id, unsigned depth)
{
    yaml_node_t *n = yaml_document_get_node(c->doc, id);
    if (!n)
        return NULL;
    kt_pos own = {(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
    if (depth > KT_MAX_DEPTH) {
        c->err = kt_asprintf("%s:%d:%d: nesting deeper than %u levels", c->file, own.line, own.col, KT_MAX_DEPTH);
        return NULL;
    }
    if (++c->made > KT_MAX_NODES) {
        c->err = kt_asprintf("%s:%d:%d: document expands to more than %u nodes", c->file, own.line, own.col,
                             KT_MAX_NODES);
        return NULL;
    }
    json_t *j = NULL;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        j = scalar(c, n);
        break;
    case YAML_SEQUENCE_NODE:
        j = json_array();
        for (yaml_node_item_t *it = n->data.sequence.items.start; j && it < n->data.sequence.items.top; it++) {
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
            kt_pos kp = k ? (kt_pos){(int)k->start_mark.line + 1, (int)k->start_mark.column + 1} : own;
            if (!k || k->type != YAML_SCALAR_NODE) {
                c->err = kt_asprintf("%s:%d:%d: mapping keys must be scalars", c->file, kp.line, kp.col);
                json_decref(j);
                return NULL;
            }
            const char *key = (const char *)k->data.scalar.value;
            if (memchr(key, '\0', k->data.scalar.length)) {
                c->err = kt_asprintf("%s:%d:%d: mapping key contains a NUL byte", c->file, kp.line, kp.col);
                json_decref(j);
                return NULL;
            }
            if (json_object_get(j, key)) {
                c->err = kt_asprintf("%s:%d:%d: key \"%s\" already set in map", c->file, kp.line, kp.col, key);
                json_decref(j);
                return NULL;
            }
            json_t *v = convert(c, p->value, depth + 1);
            if (!v || json_object_set_new(j, key, v)) {
                json_decref(j);
                return NULL;
            }
            c->pos[c->npos - 1].key = kp; /* the value just noted: errors name its key */
        }
        break;
    default:
        break;
    }
    if (!j) {
        if (!c->err)
            c->err = kt_asprintf("%s:%d:%d: out of memory", c->file, own.line, own.col);
        return NULL;
    }
    if (note(c, j, own)) {
        json_decref(j);
        c->err = kt_asprintf("%s:%d:%d: out of memory", c->file, own.line, own.col);
        return NULL;
    }
    return j;
}

/* true/false/null are shared singletons: no position of their own. */
static void finish_pos(conv *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->npos; i++) {
        const json_t *n = c->pos[i].node;
        if (json_is_true(n) || json_is_false(n) || json_is_null(n))
            continue;
        c->pos[w++] = c->pos[i];
    }
    c->npos = w;
    qsort(c->pos, c->npos, sizeof *c->pos, cmp_pos);
}

size_t kt_yaml_load(const char *file, const char *text, size_t len, kt_doc **docs_out, char **err)
{
    yaml_parser_t parser;
    kt_doc *docs = NULL;
    size_t n = 0, cap = 0;
    *docs_out = NULL;
    *err = NULL;
    if (!yaml_parser_initialize(&parser)) {
        *err = kt_asprintf("%s: out of memory", file);
        return 0;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            *err = kt_asprintf("%s:%zu:%zu: YAML: %s%s%s", file, parser.problem_mark.line + 1,
                               parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
                               parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            break;
        }
        if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0) {
            yaml_document_delete(&doc); /* "---" with nothing after it */
            continue;
        }
        conv c = {.doc = &doc, .file = file};
        kt_pos start = {(int)root->start_mark.line + 1, (int)root->start_mark.column + 1};
        json_t *j = convert(&c, 1, 0);
        yaml_document_delete(&doc);
        if (!j) {
            free(c.pos);
            *err = c.err ? c.err : kt_asprintf("%s:%d: out of memory", file, start.line);
            break;
        }
        finish_pos(&c);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            kt_doc *nd = realloc(docs, ncap * sizeof *nd);
            if (!nd) {
                json_decref(j);
                free(c.pos);
                *err = kt_asprintf("%s: out of memory", file);
                break;
            }
            docs = nd;
            cap = ncap;
        }
        docs[n++] = (kt_doc){j, start, c.pos, c.npos};
    }
    yaml_parser_delete(&parser);
    *docs_out = docs;
    return n;
}

void kt_docs_free(kt_doc *docs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(docs[i].root);
        free(docs[i].pos);
    }
    free(docs);
}

kt_pos kt_doc_pos(const kt_doc *d, const json_t *node, const json_t *fallback)
{
    const json_t *try[2] = {node, fallback};
    for (int i = 0; d && i < 2; i++) {
        if (!try[i] || !d->npos)
            continue;
        kt_posent key = {try[i], {0, 0}, {0, 0}};
        const kt_posent *e = bsearch(&key, d->pos, d->npos, sizeof key, cmp_pos);
        if (e)
            return e->key;
    }
    return d ? d->start : (kt_pos){0, 0};
}
