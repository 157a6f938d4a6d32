/*
 * decode.c: ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * documents to the engine's structs: the API server's defaults are applied
 * (it applies them on write, and an engine reading raw YAML must do the
 * same), its validation rules are enforced with its texts, and every
 * expression is compiled with its output type checked. Each problem becomes
 * one line "file:line: field.path: <field error>" in the format of
 * k8s.io/apimachinery's field errors.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vap_int.h"

#define PATH_MAX_LEN 256

typedef struct dctx {
    const vap_doc *d;
    char **errs;
    int nerr;
    bool defer; /* keep expressions that do not compile (defer_compile_errors) */
} dctx;

/* ------------------------------------------------------------------ errors */

/* Go's %q for the values quoted in field errors. */
static char *go_quote(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 4 + 3), *w = out;
    if (!out)
        return NULL;
    *w++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': *w++ = '\\'; *w++ = '"'; break;
        case '\\': *w++ = '\\'; *w++ = '\\'; break;
        case '\n': *w++ = '\\'; *w++ = 'n'; break;
        case '\r': *w++ = '\\'; *w++ = 'r'; break;
        case '\t': *w++ = '\\'; *w++ = 't'; break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                w += sprintf(w, "\\x%02x", *p);
            else
                *w++ = (char)*p;
        }
    }
    *w++ = '"';
    *w = '\0';
    return out;
}

/* Go's %#v of a list of strings of element type `type`, as apimachinery
 * prints a list it reports Invalid: []type{"a", "b"}. */
static char *go_list(const json_t *a, const char *type)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    fprintf(f, "[]%s{", type);
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        char *q = json_is_string(v) ? go_quote(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
        fprintf(f, "%s%s", i ? ", " : "", q ? q : "");
        free(q);
    }
    fputc('}', f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void ferr(dctx *c, const json_t *at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void ferr(dctx *c, const json_t *at, const char *path, const char *fmt, ...)
{
    char body[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    vap_errf(c->errs, "%s:%d: %s: %s", c->d->file, vap_doc_line(c->d, at), path, body);
    c->nerr++;
}

static void invalid(dctx *c, const json_t *at, const char *path, const char *value, const char *detail)
{
    char *q = go_quote(value ? value : "");
    ferr(c, at, path, "Invalid value: %s: %s", q ? q : "\"\"", detail);
    free(q);
}

static void required(dctx *c, const json_t *at, const char *path, const char *detail)
{
    if (detail && *detail)
        ferr(c, at, path, "Required value: %s", detail);
    else
        ferr(c, at, path, "Required value");
}

static void not_supported(dctx *c, const json_t *at, const char *path, const char *value,
                          const char *supported)
{
    char *q = go_quote(value ? value : "");
    ferr(c, at, path, "Unsupported value: %s: supported values: %s", q ? q : "\"\"", supported);
    free(q);
}

static void duplicate(dctx *c, const json_t *at, const char *path, const char *value)
{
    char *q = go_quote(value);
    ferr(c, at, path, "Duplicate value: %s", q ? q : "\"\"");
    free(q);
}

/* Field paths are bounded; a longer one is cut (it only labels an error). */
static void pathf(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *dst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, PATH_MAX_LEN, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ reading */

static const json_t *field(const json_t *o, const char *k)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;
    return json_is_null(v) ? NULL : v;
}

/* A string field; absent is NULL; another type is an error. */
static const char *str_field(dctx *c, const json_t *o, const char *k, const char *path)
{
    const json_t *v = field(o, k);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        ferr(c, v, path, "Invalid value: %s: must be a string",
             json_is_object(v) ? "object" : json_is_array(v) ? "array" : "non-string");
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        ferr(c, v, path, "Invalid value: must not contain NUL bytes");
        return NULL;
    }
    return json_string_value(v);
}

static const json_t *obj_field(dctx *c, const json_t *o, const char *k, const char *path)
{
    const json_t *v = field(o, k);
    if (v && !json_is_object(v)) {
        ferr(c, v, path, "Invalid value: must be an object");
        return NULL;
    }
    return v;
}

static const json_t *arr_field(dctx *c, const json_t *o, const char *k, const char *path)
{
    const json_t *v = field(o, k);
    if (v && !json_is_array(v)) {
        ferr(c, v, path, "Invalid value: must be a list");
        return NULL;
    }
    return v;
}

static bool is_blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

static char *trim_dup(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return vap_strndup(s, n);
}

static bool is_cel_identifier(const char *s)
{
    static const char *const reserved[] = {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
        "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
        "void", "while"};
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcmp(s, reserved[i]))
            return false;
    return true;
}

/* Kubernetes' qualified name: [prefix/]name, name <= 63 chars of
 * [A-Za-z0-9_.-] starting and ending alphanumeric, prefix a DNS subdomain. */
static const char *qualified_name_problem(const char *s)
{
    const char *slash = strchr(s, '/');
    const char *name = slash ? slash + 1 : s;
    if (slash) {
        if (slash == s)
            return "prefix part must be non-empty";
        if (strchr(name, '/'))
            return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
        if ((size_t)(slash - s) > 253)
            return "prefix part must be no more than 253 characters";
        for (const char *p = s; p < slash; p++)
            if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '.'))
                return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    }
    size_t n = strlen(name);
    if (n == 0)
        return "name part must be non-empty";
    if (n > 63)
        return "name part must be no more than 63 characters";
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
            goto bad;
    if (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1]))
        goto bad;
    return NULL;
bad:
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
}

#define DNS1123_SUBDOMAIN_MSG                                                                      \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "   \
    "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " \
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_LABEL_MSG                                                                          \
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "            \
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex "   \
    "used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

static bool dns_label_ok(const char *s, size_t n, bool alpha_first)
{
    if (n == 0)
        return false;
    if (alpha_first ? !islower((unsigned char)s[0]) : !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return false;
    if (!(islower((unsigned char)s[n - 1]) || isdigit((unsigned char)s[n - 1])))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
            return false;
    return true;
}

/* utilvalidation.IsDNS1123Subdomain: up to two messages into msgs. */
static size_t dns1123_subdomain_problems(const char *s, const char *msgs[2])
{
    size_t n = 0;
    if (strlen(s) > 253)
        msgs[n++] = "must be no more than 253 characters";
    bool ok = *s != '\0';
    for (const char *p = s; ok && *p;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        ok = dns_label_ok(p, len, false);
        p += len + (dot ? 1 : 0);
        if (dot && !*p)
            ok = false;
    }
    if (!ok)
        msgs[n++] = DNS1123_SUBDOMAIN_MSG;
    return n;
}

/* utilvalidation.IsDNS1035Label. */
static size_t dns1035_label_problems(const char *s, const char *msgs[2])
{
    size_t n = 0;
    if (strlen(s) > 63)
        msgs[n++] = "must be no more than 63 characters";
    if (!dns_label_ok(s, strlen(s), true))
        msgs[n++] = DNS1035_LABEL_MSG;
    return n;
}

/* path.IsValidPathSegmentName: names used in URL paths. */
static size_t path_segment_problems(const char *s, const char *msgs[2])
{
    if (!strcmp(s, "."))
        return msgs[0] = "may not be '.'", 1;
    if (!strcmp(s, ".."))
        return msgs[0] = "may not be '..'", 1;
    size_t n = 0;
    if (strchr(s, '/'))
        msgs[n++] = "may not contain '/'";
    if (strchr(s, '%'))
        msgs[n++] = "may not contain '%'";
    return n;
}

/* ------------------------------------------------------------------ rules */

static bool list_has(const json_t *a, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return true;
    return false;
}

/* A list of strings that must not be empty; "*" must stand alone (the
 * error names the list, printed as Go's %#v of `gotype` elements). */
static void check_list(dctx *c, const json_t *rule, const char *key, const char *path,
                       const char *what, const char *gotype, bool must_exist)
{
    char p[PATH_MAX_LEN];
    pathf(p, "%s.%s", path, key);
    const json_t *a = arr_field(c, rule, key, p);
    if (!a || json_array_size(a) == 0) {
        if (must_exist)
            required(c, a ? a : rule, p, NULL);
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            char pi[PATH_MAX_LEN];
            pathf(pi, "%s[%zu]", p, i);
            ferr(c, v, pi, "Invalid value: must be a string");
        }
    }
    if (what && json_array_size(a) > 1 && list_has(a, "*")) {
        char *l = go_list(a, gotype);
        ferr(c, a, p, "Invalid value: %s: if '*' is present, must not specify other %s", l ? l : "[]", what);
        free(l);
    }
}

/* resourceNames (validateNamedRuleWithOperations): path segment names,
 * each once. */
static void check_resource_names(dctx *c, const json_t *rule, const char *path)
{
    const json_t *a = field(rule, "resourceNames");
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        const char *name = json_string_value(v);
        if (!name)
            continue;
        char pi[PATH_MAX_LEN];
        pathf(pi, "%s.resourceNames[%zu]", path, i);
        const char *msgs[2];
        size_t n = path_segment_problems(name, msgs);
        for (size_t k = 0; k < n; k++)
            invalid(c, v, pi, name, msgs[k]);
        for (size_t j = 0; j < i; j++)
            if (json_is_string(json_array_get(a, j)) && !strcmp(json_string_value(json_array_get(a, j)), name)) {
                duplicate(c, v, pi, name);
                break;
            }
    }
}

static bool seen_part(const char *const *parts, const size_t *lens, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (lens[i] == len && !memcmp(parts[i], s, len))
            return true;
    return false;
}

/* validateResources, entry by entry as upstream walks them: an entry with
 * a wildcard subresource (or a wildcard resource) excludes only the entries
 * after it with the same resource (subresource), and "*" clashes only when
 * the last entry without a subresource is another one. */
static void check_resources(dctx *c, const json_t *rule, const char *path)
{
    char p[PATH_MAX_LEN];
    pathf(p, "%s.resources", path);
    const json_t *a = field(rule, "resources");
    if (!json_is_array(a))
        return;
    size_t n = json_array_size(a);
    const char **wild_sub = calloc(n + 1, sizeof *wild_sub), **wild_res = calloc(n + 1, sizeof *wild_res);
    size_t *wild_sub_len = calloc(n + 1, sizeof *wild_sub_len), *wild_res_len = calloc(n + 1, sizeof *wild_res_len);
    size_t nws = 0, nwr = 0;
    bool double_wild = false, single_wild = false, plain = false;
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        const char *r = json_string_value(v);
        if (!r || !wild_sub || !wild_res || !wild_sub_len || !wild_res_len)
            continue;
        char pi[PATH_MAX_LEN];
        pathf(pi, "%s[%zu]", p, i);
        if (*r == '\0') {
            required(c, v, pi, NULL);
            continue;
        }
        double_wild |= !strcmp(r, "*/*");
        single_wild |= !strcmp(r, "*");
        const char *slash = strchr(r, '/');
        if (!slash) {
            plain = strcmp(r, "*") != 0;
            continue;
        }
        size_t rl = (size_t)(slash - r), sl = strlen(slash + 1);
        const char *sub = slash + 1;
        char d[600];
        if (seen_part(wild_sub, wild_sub_len, nws, r, rl)) {
            snprintf(d, sizeof d, "if '%.*s/*' is present, must not specify %.200s", (int)(rl > 200 ? 200 : rl), r, r);
            invalid(c, v, pi, r, d);
        }
        if (seen_part(wild_res, wild_res_len, nwr, sub, sl)) {
            snprintf(d, sizeof d, "if '*/%.200s' is present, must not specify %.200s", sub, r);
            invalid(c, v, pi, r, d);
        }
        if (!strcmp(sub, "*")) {
            wild_sub[nws] = r;
            wild_sub_len[nws++] = rl;
        }
        if (rl == 1 && r[0] == '*') {
            wild_res[nwr] = sub;
            wild_res_len[nwr++] = sl;
        }
    }
    free(wild_sub);
    free(wild_res);
    free(wild_sub_len);
    free(wild_res_len);
    if ((n > 1 && double_wild) || (single_wild && plain)) {
        char *l = go_list(a, "string");
        if (n > 1 && double_wild)
            ferr(c, a, p, "Invalid value: %s: if '*/*' is present, must not specify other resources", l ? l : "[]");
        if (single_wild && plain)
            ferr(c, a, p, "Invalid value: %s: if '*' is present, must not specify other resources without "
                          "subresources", l ? l : "[]");
        free(l);
    }
}

static void check_rule(dctx *c, json_t *rule, const char *path)
{
    if (!json_is_object(rule)) {
        ferr(c, rule, path, "Invalid value: must be an object");
        return;
    }
    check_resource_names(c, rule, path);
    check_list(c, rule, "operations", path, "operations", "admissionregistration.OperationType", true);
    const json_t *ops = field(rule, "operations");
    size_t i;
    const json_t *v;
    if (json_is_array(ops))
        json_array_foreach(ops, i, v) {
            const char *o = json_string_value(v);
            if (o && strcmp(o, "*") && strcmp(o, "CREATE") && strcmp(o, "UPDATE") &&
                strcmp(o, "DELETE") && strcmp(o, "CONNECT")) {
                char p[PATH_MAX_LEN];
                pathf(p, "%s.operations[%zu]", path, i);
                not_supported(c, v, p, o, "\"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\"");
            }
        }
    check_list(c, rule, "apiGroups", path, "API groups", "string", true);
    check_list(c, rule, "apiVersions", path, "API versions", "string", true);
    const json_t *vers = field(rule, "apiVersions");
    if (json_is_array(vers))
        json_array_foreach(vers, i, v)
            if (json_is_string(v) && json_string_length(v) == 0) {
                char p[PATH_MAX_LEN];
                pathf(p, "%s.apiVersions[%zu]", path, i);
                required(c, v, p, NULL);
            }
    check_list(c, rule, "resources", path, NULL, NULL, true);
    check_resources(c, rule, path);
    check_list(c, rule, "resourceNames", path, NULL, NULL, false);
    char p[PATH_MAX_LEN];
    pathf(p, "%s.scope", path);
    const char *scope = str_field(c, rule, "scope", p);
    if (!scope)
        json_object_set_new(rule, "scope", json_string("*")); /* default */
    else if (strcmp(scope, "*") && strcmp(scope, "Cluster") && strcmp(scope, "Namespaced"))
        not_supported(c, field(rule, "scope"), p, scope, "\"*\", \"Cluster\", \"Namespaced\"");
}

/* validation.IsValidLabelValue. */
static const char *label_value_problem(const char *v)
{
    size_t n = strlen(v);
    if (n > 63)
        return "must be no more than 63 characters";
    bool ok = n == 0 || (isalnum((unsigned char)v[0]) && isalnum((unsigned char)v[n - 1]));
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)v[i]) || v[i] == '-' || v[i] == '_' || v[i] == '.';
    return ok ? NULL
              : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
}

/* The label keys and values of a structurally valid selector
 * (metav1validation.ValidateLabelSelector, strict values). */
static void check_selector_labels(dctx *c, const json_t *sel, const char *path)
{
    char p[PATH_MAX_LEN];
    const char *k;
    const json_t *v;
    pathf(p, "%s.matchLabels", path);
    json_object_foreach((json_t *)json_object_get(sel, "matchLabels"), k, v) {
        const char *q = qualified_name_problem(k);
        if (q)
            invalid(c, v, p, k, q);
        if (json_is_string(v) && (q = label_value_problem(json_string_value(v))))
            invalid(c, v, p, json_string_value(v), q);
    }
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(sel, "matchExpressions"), i, e) {
        const char *key = json_string_value(json_object_get(e, "key"));
        const char *q = key ? qualified_name_problem(key) : NULL;
        if (q) {
            pathf(p, "%s.matchExpressions[%zu].key", path, i);
            invalid(c, json_object_get(e, "key"), p, key, q);
        }
        size_t j;
        json_array_foreach(json_object_get(e, "values"), j, v) {
            if (json_is_string(v) && (q = label_value_problem(json_string_value(v)))) {
                pathf(p, "%s.matchExpressions[%zu].values[%zu]", path, i, j);
                invalid(c, v, p, json_string_value(v), q);
            }
        }
    }
}

static void check_selector(dctx *c, const json_t *sel, const char *path)
{
    const json_t *bad = NULL;
    char *problem = vap_selector_validate(sel, &bad);
    if (!problem) {
        check_selector_labels(c, sel, path);
        return;
    }
    /* Problems inside the selector name their own sub-path. */
    const char *colon = strncmp(problem, "match", 5) ? NULL : strstr(problem, ": ");
    if (colon) {
        char sub[PATH_MAX_LEN];
        pathf(sub, "%s.%.*s", path, (int)(colon - problem), problem);
        ferr(c, bad ? bad : sel, sub, "%s", colon + 2);
    } else {
        ferr(c, bad ? bad : sel, path, "%s", problem);
    }
    free(problem);
}

/* Decodes a MatchResources, applying the defaults. */
static void decode_match(dctx *c, json_t *mr, const char *path, vap_match_resources *out)
{
    char p[PATH_MAX_LEN];
    out->present = true;
    out->equivalent = true;
    pathf(p, "%s.matchPolicy", path);
    const char *mp = str_field(c, mr, "matchPolicy", p);
    if (mp && !strcmp(mp, "Exact"))
        out->equivalent = false;
    else if (mp && strcmp(mp, "Equivalent"))
        not_supported(c, field(mr, "matchPolicy"), p, mp, "\"Equivalent\", \"Exact\"");
    pathf(p, "%s.namespaceSelector", path);
    out->ns_selector = obj_field(c, mr, "namespaceSelector", p);
    if (out->ns_selector)
        check_selector(c, out->ns_selector, p);
    pathf(p, "%s.objectSelector", path);
    out->obj_selector = obj_field(c, mr, "objectSelector", p);
    if (out->obj_selector)
        check_selector(c, out->obj_selector, p);
    static const char *const lists[2] = {"resourceRules", "excludeResourceRules"};
    for (int k = 0; k < 2; k++) {
        pathf(p, "%s.%s", path, lists[k]);
        const json_t *rules = arr_field(c, mr, lists[k], p);
        size_t i;
        json_t *r;
        if (rules)
            json_array_foreach(rules, i, r) {
                char pi[PATH_MAX_LEN];
                pathf(pi, "%s[%zu]", p, i);
                check_rule(c, r, pi);
            }
        if (k == 0)
            out->rules = rules;
        else
            out->exclude = rules;
    }
}

/* ------------------------------------------------------------------ expressions */

/* The output type must be exactly one wanted: plugin/cel/compile.go checks
 * IsExactType, so a dyn result (a bare object field) does not do. */
static bool type_ok(const char *got, const char *const *want)
{
    for (; *want; want++)
        if (!strcmp(got, *want))
            return true;
    return false;
}

/* Compiles the expression at node into e; on failure reports it at path,
 * or, when compile errors are deferred, keeps it with its error. */
static void compile_at(dctx *c, const vap_backend *be, void *env, const json_t *node, const char *path,
                       const char *src, const char *const *want, const char *want_text, vap_expr *e)
{
    char *err = NULL, *tname = NULL;
    const void *type = NULL;
    vap_doc_pos(c->d, node, &e->line, &e->col);
    if (!env) {
        invalid(c, node, path, src, "compilation failed: no CEL environment");
        return;
    }
    void *prog = be->compile(env, src, strlen(src), &type, &tname, &err);
    if (!prog) {
        if (c->defer) {
            e->src = vap_strdup(src);
            e->len = strlen(src);
            e->compile_error = err ? err : vap_strdup("compilation failed");
            return;
        }
        invalid(c, node, path, src, err ? err : "compilation failed");
        free(err);
        return;
    }
    if (want && !type_ok(tname ? tname : "dyn", want)) {
        if (c->defer) {
            /* upstream's words when it meets such a stored expression */
            e->src = vap_strdup(src);
            e->len = strlen(src);
            e->compile_error = want[1] ? vap_asprintf("must evaluate to %s", want_text)
                                       : vap_asprintf("must evaluate to %s", want[0]);
            be->prog_free(prog);
            free(tname);
            return;
        }
        char d[256];
        snprintf(d, sizeof d, "must evaluate to %s but got %s", want_text, tname ? tname : "dyn");
        invalid(c, node, path, src, d);
        be->prog_free(prog);
        free(tname);
        return;
    }
    e->src = vap_strdup(src);
    e->len = strlen(src);
    e->prog = prog;
    e->type = type;
    e->type_name = tname;
}

static void expr_clear(const vap_backend *be, vap_expr *e)
{
    if (e->prog && be)
        be->prog_free(e->prog);
    free(e->src);
    free(e->type_name);
    free(e->compile_error);
    memset(e, 0, sizeof *e);
}

static const char *const want_bool[] = {"bool", NULL};
static const char *const want_string[] = {"string", NULL};
static const char *const want_audit[] = {"string", "null_type", NULL};

static void *env_for(dctx *c, const vap_backend *be, const vap_policy *p, vap_env_kind kind,
                     size_t nvars)
{
    const char **names = calloc(nvars + 1, sizeof *names);
    const void **types = calloc(nvars + 1, sizeof *types);
    void *env = NULL;
    if (names && types) {
        for (size_t i = 0; i < nvars; i++) {
            names[i] = p->variables[i].name;
            types[i] = p->variables[i].expr.type;
        }
        vap_env_desc d = {kind, p->k8s_minor, p->has_param_kind, names, types, nvars};
        char *err = NULL;
        env = be->env_new(&d, &err);
        if (!env) {
            ferr(c, p->doc, "spec", "InternalError: %s", err ? err : "cannot build the CEL environment");
            free(err);
        }
    }
    free(names);
    free(types);
    return env;
}

/* ------------------------------------------------------------------ policy */

static void decode_meta(dctx *c, const json_t *root, char **name)
{
    const json_t *meta = obj_field(c, root, "metadata", "metadata");
    const char *n = str_field(c, meta, "name", "metadata.name");
    if (!n || !*n) {
        required(c, meta ? meta : root, "metadata.name", "name or generateName is required");
        return;
    }
    const char *msgs[2];
    size_t k = dns1123_subdomain_problems(n, msgs);
    for (size_t i = 0; i < k; i++)
        invalid(c, field(meta, "name"), "metadata.name", n, msgs[i]);
    *name = vap_strdup(n);
}

/* field.Invalid with the whole list: Go's %#v of the structs. */
static void too_many_audits(dctx *c, const json_t *auds)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return;
    fputs("[]admissionregistration.AuditAnnotation{", f);
    size_t i;
    const json_t *v;
    json_array_foreach(auds, i, v) {
        const char *k = json_string_value(json_object_get(v, "key"));
        const char *e = json_string_value(json_object_get(v, "valueExpression"));
        char *qk = go_quote(k ? k : ""), *qe = go_quote(e ? e : "");
        fprintf(f, "%sadmissionregistration.AuditAnnotation{Key:%s, ValueExpression:%s}", i ? ", " : "",
                qk ? qk : "\"\"", qe ? qe : "\"\"");
        free(qk);
        free(qe);
    }
    fputc('}', f);
    if (fclose(f) == 0)
        ferr(c, auds, "spec.auditAnnotations", "Invalid value: %s: must not have more than %u auditAnnotations", buf,
             VAP_MAX_AUDIT_ANNOTATIONS);
    free(buf);
}

static void decode_policy_exprs(dctx *c, const vap_backend *be, vap_policy *p, const json_t *spec)
{
    char path[PATH_MAX_LEN];
    size_t i;
    const json_t *v;

    /* variables, in order, each seeing the earlier ones */
    const json_t *vars = arr_field(c, spec, "variables", "spec.variables");
    size_t nv = vars ? json_array_size(vars) : 0;
    p->variables = calloc(nv ? nv : 1, sizeof *p->variables);
    p->var_envs = calloc(nv ? nv : 1, sizeof *p->var_envs);
    if (!p->variables || !p->var_envs) {
        ferr(c, spec, "spec", "InternalError: out of memory");
        return;
    }
    json_array_foreach(vars, i, v) {
        pathf(path, "spec.variables[%zu].name", i);
        const char *name = str_field(c, v, "name", path);
        if (!name || is_blank(name))
            required(c, v, path, "name is not specified");
        else if (!is_cel_identifier(name))
            invalid(c, field(v, "name"), path, name, "name is not a valid CEL identifier");
        for (size_t j = 0; name && j < p->nvariables; j++)
            if (p->variables[j].name && !strcmp(p->variables[j].name, name))
                duplicate(c, field(v, "name"), path, name);
        pathf(path, "spec.variables[%zu].expression", i);
        const char *src = str_field(c, v, "expression", path);
        vap_named_expr *ne = &p->variables[p->nvariables++];
        ne->name = vap_strdup(name ? name : "");
        if (!src || is_blank(src)) {
            required(c, v, path, "expression is not specified");
            continue;
        }
        p->var_envs[i] = env_for(c, be, p, VAP_ENV_VALIDATION, i);
        compile_at(c, be, p->var_envs[i], field(v, "expression"), path, src, NULL, NULL, &ne->expr);
    }
    if (c->nerr)
        return;
    p->envs[VAP_ENV_VALIDATION] = env_for(c, be, p, VAP_ENV_VALIDATION, p->nvariables);
    p->envs[VAP_ENV_MATCH] = env_for(c, be, p, VAP_ENV_MATCH, 0);
    p->envs[VAP_ENV_MESSAGE] = env_for(c, be, p, VAP_ENV_MESSAGE, p->nvariables);

    /* matchConditions */
    const json_t *conds = arr_field(c, spec, "matchConditions", "spec.matchConditions");
    size_t ncond = conds ? json_array_size(conds) : 0;
    if (ncond > VAP_MAX_MATCH_CONDITIONS) {
        ferr(c, conds, "spec.matchConditions", "Too many: %zu: must have at most %u items", ncond,
             VAP_MAX_MATCH_CONDITIONS);
        return;
    }
    p->conditions = calloc(ncond ? ncond : 1, sizeof *p->conditions);
    if (!p->conditions)
        return;
    json_array_foreach(conds, i, v) {
        vap_named_expr *ne = &p->conditions[p->nconditions++];
        pathf(path, "spec.matchConditions[%zu].expression", i);
        const char *src = str_field(c, v, "expression", path);
        if (!src || is_blank(src))
            required(c, v, path, NULL);
        else
            compile_at(c, be, p->envs[VAP_ENV_MATCH], field(v, "expression"), path, src, want_bool,
                       "bool", &ne->expr);
        pathf(path, "spec.matchConditions[%zu].name", i);
        const char *name = str_field(c, v, "name", path);
        if (!name || !*name) {
            required(c, v, path, NULL);
            continue;
        }
        const char *q = qualified_name_problem(name);
        if (q)
            invalid(c, field(v, "name"), path, name, q);
        for (size_t j = 0; j + 1 < p->nconditions; j++)
            if (p->conditions[j].name && !strcmp(p->conditions[j].name, name))
                duplicate(c, field(v, "name"), path, name);
        ne->name = vap_strdup(name);
    }

    /* validations */
    const json_t *vals = arr_field(c, spec, "validations", "spec.validations");
    const json_t *auds = arr_field(c, spec, "auditAnnotations", "spec.auditAnnotations");
    size_t nval = vals ? json_array_size(vals) : 0, naud = auds ? json_array_size(auds) : 0;
    if (nval == 0 && naud == 0) {
        required(c, spec, "spec.validations", "validations or auditAnnotations must contain at least one item");
        required(c, spec, "spec.auditAnnotations", "validations or auditAnnotations must contain at least one item");
        return;
    }
    p->validations = calloc(nval ? nval : 1, sizeof *p->validations);
    p->audits = calloc(naud ? naud : 1, sizeof *p->audits);
    if (!p->validations || !p->audits)
        return;
    json_array_foreach(vals, i, v) {
        vap_validation *val = &p->validations[p->nvalidations++];
        pathf(path, "spec.validations[%zu].expression", i);
        const char *src = str_field(c, v, "expression", path);
        if (!src || is_blank(src))
            required(c, v, path, "expression is not specified");
        else
            compile_at(c, be, p->envs[VAP_ENV_VALIDATION], field(v, "expression"), path, src, want_bool,
                       "bool", &val->expr);
        pathf(path, "spec.validations[%zu].messageExpression", i);
        const char *me = str_field(c, v, "messageExpression", path);
        if (me && *me && is_blank(me))
            invalid(c, field(v, "messageExpression"), path, me, "must be non-empty if specified");
        else if (me && *me)
            compile_at(c, be, p->envs[VAP_ENV_MESSAGE], field(v, "messageExpression"), path, me,
                       want_string, "string", &val->msg_expr);
        pathf(path, "spec.validations[%zu].message", i);
        const char *msg = str_field(c, v, "message", path);
        if (msg && *msg && is_blank(msg))
            invalid(c, field(v, "message"), path, msg, "message must be non-empty if specified");
        else if (msg && *msg) {
            char *t = trim_dup(msg);
            if (t && strpbrk(t, "\r\n"))
                invalid(c, field(v, "message"), path, msg, "message must not contain line breaks");
            val->message = t;
        }
        pathf(path, "spec.validations[%zu].reason", i);
        const char *reason = str_field(c, v, "reason", path);
        /* supportedValidationPolicyReason: the API documents Unauthorized
         * too, but validation.go refuses it */
        if (reason && strcmp(reason, "Forbidden") && strcmp(reason, "Invalid") &&
            strcmp(reason, "RequestEntityTooLarge"))
            not_supported(c, field(v, "reason"), path, reason,
                          "\"Forbidden\", \"Invalid\", \"RequestEntityTooLarge\"");
        val->reason = vap_strdup(reason);
    }

    /* auditAnnotations */
    if (naud > VAP_MAX_AUDIT_ANNOTATIONS)
        too_many_audits(c, auds);
    json_array_foreach(auds, i, v) {
        vap_named_expr *ne = &p->audits[p->naudits++];
        pathf(path, "spec.auditAnnotations[%zu].key", i);
        const char *key = str_field(c, v, "key", path);
        if (!key)
            key = "";
        char *full = vap_asprintf("%s/%s", p->name ? p->name : "", key);
        const char *q = full ? qualified_name_problem(full) : NULL;
        if (q)
            invalid(c, field(v, "key") ? field(v, "key") : v, path, full, q);
        free(full);
        for (size_t j = 0; j + 1 < p->naudits; j++)
            if (!strcmp(p->audits[j].name, key))
                duplicate(c, field(v, "key"), path, key);
        ne->name = vap_strdup(key);
        pathf(path, "spec.auditAnnotations[%zu].valueExpression", i);
        const char *src = str_field(c, v, "valueExpression", path);
        char *t = src ? trim_dup(src) : NULL;
        if (!t || !*t)
            required(c, v, path, "valueExpression is not specified");
        else if (strlen(t) > VAP_MAX_AUDIT_VALUE_EXPR_LEN) {
            char d[64];
            snprintf(d, sizeof d, "must not exceed %u bytes in length", VAP_MAX_AUDIT_VALUE_EXPR_LEN);
            required(c, field(v, "valueExpression"), path, d);
        } else
            compile_at(c, be, p->envs[VAP_ENV_VALIDATION], field(v, "valueExpression"), path, t,
                       want_audit, "one of [string null_type]", &ne->expr);
        free(t);
    }
}

/* validateParamKind: apiVersion a GroupVersion (group a DNS subdomain,
 * version a DNS-1035 label), kind a DNS-1035 label but for case. */
static void check_param_kind(dctx *c, const json_t *pk, const char *av, const char *k)
{
    const char *path = "spec.paramKind.apiVersion";
    const json_t *avn = field(pk, "apiVersion");
    const char *msgs[2];
    if (!av || !*av) {
        required(c, pk, path, NULL);
    } else if (strcmp(av, "/") && strchr(av, '/') != strrchr(av, '/')) {
        char d[600];
        snprintf(d, sizeof d, "unexpected GroupVersion string: %.500s", av);
        invalid(c, avn, path, av, d);
    } else if (strcmp(av, "/")) {
        const char *slash = strchr(av, '/');
        char *group = slash ? vap_strndup(av, (size_t)(slash - av)) : vap_strdup("");
        const char *version = slash ? slash + 1 : av;
        size_t n = group && *group ? dns1123_subdomain_problems(group, msgs) : 0;
        if (n) {
            char d[1024];
            snprintf(d, sizeof d, "%s%s%s", msgs[0], n > 1 ? "," : "", n > 1 ? msgs[1] : "");
            invalid(c, avn, path, group, d);
        }
        free(group);
        if (!*version) {
            invalid(c, avn, path, av, "version must be specified");
        } else if ((n = dns1035_label_problems(version, msgs))) {
            char d[1024];
            snprintf(d, sizeof d, "%s%s%s", msgs[0], n > 1 ? "," : "", n > 1 ? msgs[1] : "");
            invalid(c, avn, path, version, d);
        }
    }
    if (!k || !*k) {
        required(c, pk, "spec.paramKind.kind", NULL);
        return;
    }
    char *lower = vap_strdup(k);
    for (char *q = lower; q && *q; q++)
        *q = (char)tolower((unsigned char)*q);
    size_t n = lower ? dns1035_label_problems(lower, msgs) : 0;
    free(lower);
    if (n) {
        char d[1024];
        snprintf(d, sizeof d, "may have mixed case, but should otherwise match: %s%s%s", msgs[0], n > 1 ? "," : "",
                 n > 1 ? msgs[1] : "");
        invalid(c, field(pk, "kind"), "spec.paramKind.kind", k, d);
    }
}

int vap_decode_policy(const vap_doc *d, const vap_backend *be, int k8s_minor, bool defer_compile_errors,
                      vap_policy *p, char **errs)
{
    dctx c = {d, errs, 0, defer_compile_errors};
    memset(p, 0, sizeof *p);
    p->backend = be;
    p->k8s_minor = k8s_minor;
    p->doc = json_incref(d->root);
    p->file = vap_strdup(d->file);
    p->line = d->line;
    p->fail = true;
    c.nerr += vap_schema_check(d, false, errs);
    decode_meta(&c, d->root, &p->name);
    const json_t *spec = obj_field(&c, d->root, "spec", "spec");
    if (!spec) {
        required(&c, d->root, "spec", NULL);
        goto out;
    }
    const char *fp = str_field(&c, spec, "failurePolicy", "spec.failurePolicy");
    if (fp && !strcmp(fp, "Ignore"))
        p->fail = false;
    else if (fp && strcmp(fp, "Fail"))
        not_supported(&c, field(spec, "failurePolicy"), "spec.failurePolicy", fp, "\"Fail\", \"Ignore\"");
    const json_t *pk = obj_field(&c, spec, "paramKind", "spec.paramKind");
    if (pk) {
        p->has_param_kind = true;
        const char *av = str_field(&c, pk, "apiVersion", "spec.paramKind.apiVersion");
        const char *k = str_field(&c, pk, "kind", "spec.paramKind.kind");
        check_param_kind(&c, pk, av, k);
        p->param_api_version = vap_strdup(av);
        p->param_kind = vap_strdup(k);
    }
    json_t *mc = (json_t *)obj_field(&c, spec, "matchConstraints", "spec.matchConstraints");
    if (!mc) {
        required(&c, spec, "spec.matchConstraints", NULL);
    } else {
        decode_match(&c, mc, "spec.matchConstraints", &p->constraints);
        if (!p->constraints.rules || json_array_size(p->constraints.rules) == 0)
            required(&c, mc, "spec.matchConstraints.resourceRules", NULL);
    }
    if (c.nerr == 0)
        decode_policy_exprs(&c, be, p, spec);
out:
    if (c.nerr) {
        vap_policy_clear(p);
        return -1;
    }
    return 0;
}

void vap_policy_clear(vap_policy *p)
{
    const vap_backend *be = p->backend;
    for (size_t i = 0; i < p->nvalidations; i++) {
        expr_clear(be, &p->validations[i].expr);
        expr_clear(be, &p->validations[i].msg_expr);
        free(p->validations[i].message);
        free(p->validations[i].reason);
    }
    vap_named_expr *lists[3] = {p->variables, p->conditions, p->audits};
    size_t counts[3] = {p->nvariables, p->nconditions, p->naudits};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < counts[k]; i++) {
            expr_clear(be, &lists[k][i].expr);
            free(lists[k][i].name);
        }
    for (size_t i = 0; i < p->nvariables && p->var_envs; i++)
        if (p->var_envs[i] && be)
            be->env_free(p->var_envs[i]);
    for (int k = 0; k < VAP_ENV_COUNT; k++)
        if (p->envs[k] && be)
            be->env_free(p->envs[k]);
    free(p->var_envs);
    free(p->validations);
    free(p->variables);
    free(p->conditions);
    free(p->audits);
    free(p->name);
    free(p->file);
    free(p->param_api_version);
    free(p->param_kind);
    json_decref(p->doc);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------ binding */

int vap_decode_binding(const vap_doc *d, vap_binding *b, char **errs)
{
    dctx c = {d, errs, 0, false};
    memset(b, 0, sizeof *b);
    b->doc = json_incref(d->root);
    b->file = vap_strdup(d->file);
    b->line = d->line;
    c.nerr += vap_schema_check(d, true, errs);
    decode_meta(&c, d->root, &b->name);
    const json_t *spec = obj_field(&c, d->root, "spec", "spec");
    if (!spec) {
        required(&c, d->root, "spec", NULL);
        goto out;
    }
    const char *pn = str_field(&c, spec, "policyName", "spec.policyName");
    if (!pn || !*pn) {
        required(&c, spec, "spec.policyName", NULL);
    } else {
        const char *msgs[2];
        size_t k = dns1123_subdomain_problems(pn, msgs);
        for (size_t i = 0; i < k; i++)
            invalid(&c, field(spec, "policyName"), "spec.policyName", pn, msgs[i]);
    }
    b->policy_name = vap_strdup(pn);

    const json_t *pr = obj_field(&c, spec, "paramRef", "spec.paramRef");
    if (pr) {
        b->has_param_ref = true;
        const char *name = str_field(&c, pr, "name", "spec.paramRef.name");
        const json_t *sel = obj_field(&c, pr, "selector", "spec.paramRef.selector");
        if (name && *name) {
            const char *msgs[2];
            size_t k = path_segment_problems(name, msgs);
            for (size_t i = 0; i < k; i++)
                invalid(&c, field(pr, "name"), "spec.paramRef.name", name, msgs[i]);
            if (sel)
                ferr(&c, field(pr, "name"), "spec.paramRef.name", "Forbidden: name and selector are mutually exclusive");
            b->param_name = vap_strdup(name);
        }
        if (sel) {
            check_selector(&c, sel, "spec.paramRef.selector");
            if (name && *name)
                ferr(&c, sel, "spec.paramRef.selector", "Forbidden: name and selector are mutually exclusive");
            b->param_selector = sel;
        }
        if (!(name && *name) && !sel)
            required(&c, pr, "spec.paramRef", "one of name or selector must be specified");
        const char *ns = str_field(&c, pr, "namespace", "spec.paramRef.namespace");
        if (ns && *ns)
            b->param_namespace = vap_strdup(ns);
        const char *act = str_field(&c, pr, "parameterNotFoundAction", "spec.paramRef.parameterNotFoundAction");
        if (!act || !*act)
            required(&c, pr, "spec.paramRef.parameterNotFoundAction", NULL);
        else if (!strcmp(act, "Deny"))
            b->param_not_found_deny = true;
        else if (strcmp(act, "Allow"))
            not_supported(&c, field(pr, "parameterNotFoundAction"), "spec.paramRef.parameterNotFoundAction",
                          act, "\"Deny\", \"Allow\"");
    }

    json_t *mr = (json_t *)obj_field(&c, spec, "matchResources", "spec.matchResources");
    /* validation.go names this field "matchResouces" in its errors */
    if (mr)
        decode_match(&c, mr, "spec.matchResouces", &b->match);

    const json_t *va = arr_field(&c, spec, "validationActions", "spec.validationActions");
    size_t i;
    const json_t *v;
    json_array_foreach(va, i, v) {
        char path[PATH_MAX_LEN];
        pathf(path, "spec.validationActions[%zu]", i);
        const char *a = json_string_value(v);
        unsigned bit = !a ? 0 : !strcmp(a, "Deny") ? VAP_ACT_DENY : !strcmp(a, "Warn") ? VAP_ACT_WARN
                     : !strcmp(a, "Audit") ? VAP_ACT_AUDIT : 0;
        if (!bit)
            not_supported(&c, v, path, a ? a : "", "\"Audit\", \"Deny\", \"Warn\"");
        bool dup = false;
        for (size_t j = 0; a && j < i; j++)
            dup |= json_is_string(json_array_get(va, j)) && !strcmp(json_string_value(json_array_get(va, j)), a);
        if (dup)
            duplicate(&c, v, path, a);
        if (!bit || dup)
            continue;
        b->actions |= bit;
        b->action_names[b->nactions++] = bit == VAP_ACT_DENY ? "Deny" : bit == VAP_ACT_WARN ? "Warn" : "Audit";
    }
    if ((b->actions & VAP_ACT_DENY) && (b->actions & VAP_ACT_WARN)) {
        char *s = go_list(va, "admissionregistration.ValidationAction");
        ferr(&c, va, "spec.validationActions",
             "Invalid value: %s: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
             s ? s : "[]");
        free(s);
    }
    if (b->nactions == 0 && !(va && json_array_size(va)))
        required(&c, va ? va : spec, "spec.validationActions", "at least one validation action is required");
out:
    if (c.nerr) {
        vap_binding_clear(b);
        return -1;
    }
    return 0;
}

void vap_binding_clear(vap_binding *b)
{
    free(b->name);
    free(b->file);
    free(b->policy_name);
    free(b->param_name);
    free(b->param_namespace);
    json_decref(b->doc);
    memset(b, 0, sizeof *b);
}
