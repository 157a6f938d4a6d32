/*
 * runner.c: runs the CEL conformance cases of ../shared/conformance (one
 * JSON object per line, see FORMAT.md there) through cel_compile and
 * cel_eval and compares the results as the format prescribes: tags must
 * match, doubles by value (NaN equals NaN, -0 differs from 0), maps ignore
 * entry order, and an expected error matches any evaluation error.
 *
 * usage: conformance_runner [--known-failures FILE] [--verbose] [--types] DIR|FILE...
 * (--types also compares the checker's result type with the suite's
 * informational checked_type and prints the differences, without failing)
 *
 * Failing cases are listed as "file:line name: expected X, got Y"; the
 * last line is "N passed, N failed, N skipped". The exit status is 1 when a
 * failing case is not listed in the known-failures file ("file:line" or
 * "file/section/name", a reason after '#').
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cel/cel.h"
#include "cel/json.h"
#include "cel/k8s.h"
#include "env.h" /* cel_env_find_var */

/* Files of the cel-go extension libraries: they run in an environment with
 * every library (cel_env_add_k8s_libraries with the extras). */
static const char *const ext_files[] = {
    "string_ext", "math_ext", "optionals", "bindings_ext", "block_ext", "encoders_ext",
};

static bool is_ext_file(const char *file)
{
    for (size_t i = 0; i < sizeof ext_files / sizeof ext_files[0]; i++)
        if (!strcmp(file, ext_files[i]))
            return true;
    return false;
}

typedef struct known {
    char **keys;
    size_t n, cap;
    bool *used;
} known;

typedef struct totals {
    size_t passed, failed, skipped, known_failed;
    bool unexpected;
} totals;

static bool verbose;
static bool check_types; /* --types: report checked_type disagreements (informational) */
static size_t type_mismatches;

/* ---------------------------------------------------------------- known failures */

static int load_known(known *k, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line, *e;
        while (*s == ' ' || *s == '\t')
            s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            *--e = '\0';
        if (!*s)
            continue;
        if (k->n == k->cap) {
            size_t nc = k->cap ? k->cap * 2 : 64;
            char **nk = realloc(k->keys, nc * sizeof *nk);
            if (!nk) {
                fclose(f);
                return -1;
            }
            k->keys = nk;
            k->cap = nc;
        }
        k->keys[k->n] = strdup(s);
        if (!k->keys[k->n]) {
            fclose(f);
            return -1;
        }
        k->n++;
    }
    fclose(f);
    k->used = calloc(k->n + 1, sizeof *k->used);
    return k->used ? 0 : -1;
}

static bool is_known(known *k, const char *file, size_t line, const char *section, const char *name)
{
    char a[512], b[1024];
    snprintf(a, sizeof a, "%s:%zu", file, line);
    snprintf(b, sizeof b, "%s/%s/%s", file, section, name);
    for (size_t i = 0; i < k->n; i++) {
        if (!strcmp(k->keys[i], a) || !strcmp(k->keys[i], b)) {
            k->used[i] = true;
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------- comparison */

/* Exact equality as the format defines it (not CEL equality). */
static bool same(const cel_value *a, const cel_value *b, cel_arena *ar)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case CEL_NULL: return true;
    case CEL_BOOL: return a->u.b == b->u.b;
    case CEL_INT: return a->u.i == b->u.i;
    case CEL_UINT: return a->u.u == b->u.u;
    case CEL_DOUBLE:
        if (isnan(a->u.d) || isnan(b->u.d))
            return isnan(a->u.d) && isnan(b->u.d);
        return a->u.d == b->u.d && signbit(a->u.d) == signbit(b->u.d);
    case CEL_STRING:
    case CEL_BYTES: return a->len == b->len && (!a->len || !memcmp(a->u.str, b->u.str, a->len));
    case CEL_TIMESTAMP:
    case CEL_DURATION: return a->u.i == b->u.i && a->len == b->len;
    case CEL_TYPE: return !strcmp(a->u.type->name, b->u.type->name);
    case CEL_OPTIONAL:
        if (!a->u.opt || !b->u.opt)
            return a->u.opt == b->u.opt;
        return same(a->u.opt, b->u.opt, ar);
    case CEL_LIST:
        if (a->u.list->len != b->u.list->len)
            return false;
        for (size_t i = 0; i < a->u.list->len; i++) {
            cel_value x = cel_list_at(a->u.list, i, ar), y = cel_list_at(b->u.list, i, ar);
            if (!same(&x, &y, ar))
                return false;
        }
        return true;
    case CEL_MAP:
        if (a->u.map->len != b->u.map->len)
            return false;
        for (size_t i = 0; i < a->u.map->len; i++) {
            cel_value ka, va;
            cel_map_entry(a->u.map, i, &ka, &va, ar);
            bool found = false;
            for (size_t j = 0; j < b->u.map->len && !found; j++) {
                cel_value kb, vb;
                cel_map_entry(b->u.map, j, &kb, &vb, ar);
                found = same(&ka, &kb, ar) && same(&va, &vb, ar);
            }
            if (!found)
                return false;
        }
        return true;
    default: return false;
    }
}

/* ---------------------------------------------------------------- one case */

static const cel_type *resolve_none(void *ctx, const char *name, size_t len) { return NULL; }

static char *describe(const cel_value *v, cel_arena *a)
{
    if (v->kind == CEL_ERROR) {
        size_t n = strlen(v->u.err->msg) + 16;
        char *s = malloc(n);
        if (s)
            snprintf(s, n, "error: %s", v->u.err->msg);
        return s;
    }
    return cel_value_to_cel_literal(v, a);
}

static char *dup_printf(const char *prefix, const char *text)
{
    size_t n = strlen(prefix) + strlen(text) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", prefix, text);
    return s;
}

/* Runs one case. Returns 1 passed, 0 failed (with *why: "expected X, got
 * Y", malloc'd), -1 skipped. */
static int run_case(json_t *c, bool ext, cel_arena *a, char **why)
{
    *why = NULL;
    if (json_is_true(json_object_get(c, "needs_proto")))
        return -1;
    json_t *expect = json_object_get(c, "expect");
    json_t *want_value = json_object_get(expect, "value");
    bool want_error = json_object_get(expect, "error") != NULL;
    if (!want_value && !want_error)
        return -1; /* unknown or check-only expectations */
    json_t *jexpr = json_object_get(c, "expr");
    if (!json_is_string(jexpr)) {
        *why = strdup("case without an expression");
        return 0;
    }
    cel_env_options o = {0};
    o.container = json_string_value(json_object_get(c, "container"));
    o.macros = CEL_MACROS_ALL;
    o.optional_syntax = true;
    o.disable_check = json_is_true(json_object_get(c, "disable_check"));
    o.std_lib = true;
    o.defer_literal_errors = true; /* cel-go reports bad literals when evaluating */
    cel_env *env = cel_env_new(&o);
    if (env && ext && cel_env_add_k8s_libraries(env, 0, true) < 0) {
        cel_env_free(env);
        env = NULL;
    }
    if (!env) {
        *why = strdup("cannot create environment");
        return 0;
    }
    int result = 0;
    cel_program *p = NULL;
    cel_value *vals = NULL;
    json_t *tenv = json_object_get(c, "type_env");
    json_t *bindings = json_object_get(c, "bindings");
    const char *key;
    json_t *val;
    json_object_foreach(tenv, key, val) {
        const char *err = NULL;
        const cel_type *t = json_is_string(val)
            ? cel_type_parse(json_string_value(val), json_string_length(val), resolve_none, NULL, a,
                             NULL, &err)
            : NULL;
        if (!t) {
            *why = dup_printf("unsupported type_env entry: ", json_is_string(val) ? json_string_value(val) : key);
            goto done;
        }
        if (cel_env_add_var(env, key, t) < 0) {
            *why = dup_printf("cannot declare ", key);
            goto done;
        }
    }
    /* Bound names the checker was not told about are declared dyn. */
    json_object_foreach(bindings, key, val) {
        if (!cel_env_find_var(env, key, strlen(key)) && cel_env_add_var(env, key, &cel_t_dyn) < 0) {
            *why = dup_printf("cannot declare ", key);
            goto done;
        }
    }
    size_t nvars = cel_env_var_count(env);
    vals = calloc(nvars + 1, sizeof *vals);
    if (!vals) {
        *why = strdup("out of memory");
        goto done;
    }
    /* Declared but unbound variables stay unbound: only bound slots count. */
    cel_activation act = {vals, nvars};
    bool *bound = calloc(nvars + 1, sizeof *bound);
    if (!bound) {
        *why = strdup("out of memory");
        goto done;
    }
    json_object_foreach(bindings, key, val) {
        int slot = cel_env_find_var(env, key, strlen(key))->slot;
        cel_value v = cel_json_tagged_decode(val, a);
        if (v.kind == CEL_ERROR) {
            *why = dup_printf("cannot decode binding: ", v.u.err->msg);
            free(bound);
            goto done;
        }
        vals[slot] = v;
        bound[slot] = true;
    }
    for (size_t i = 0; i < nvars; i++)
        if (!bound[i])
            vals[i] = cel_error_new(a, CEL_ERR_GENERAL, "no such attribute(s): unbound variable");
    free(bound);

    cel_diag d;
    p = cel_compile(env, json_string_value(jexpr), json_string_length(jexpr), &d);
    if (!p) {
        *why = dup_printf("compile error: ", d.message ? d.message : (d.text ? d.text : "?"));
        cel_diag_clear(&d);
        goto done;
    }
    json_t *jtype = json_object_get(c, "checked_type");
    if (check_types && json_is_string(jtype) && !o.disable_check) {
        char buf[256];
        cel_type_format(cel_program_type(p), buf, sizeof buf);
        if (strcmp(buf, json_string_value(jtype)) != 0) {
            type_mismatches++;
            printf("  note: %s: checked type %s, cel-go says %s\n", json_string_value(jexpr), buf,
                   json_string_value(jtype));
        }
    }
    cel_value got = cel_eval(p, &act, a, NULL, NULL);
    if (want_error) {
        if (got.kind == CEL_ERROR) {
            result = 1;
        } else {
            char *g = describe(&got, a);
            *why = dup_printf("expected an error, got ", g ? g : "?");
            free(g);
        }
        goto done;
    }
    cel_value want = cel_json_tagged_decode(want_value, a);
    if (want.kind == CEL_ERROR) {
        *why = dup_printf("cannot decode expectation: ", want.u.err->msg);
        goto done;
    }
    if (same(&want, &got, a)) {
        result = 1;
    } else {
        char *w = describe(&want, a), *g = describe(&got, a);
        size_t n = (w ? strlen(w) : 1) + (g ? strlen(g) : 1) + 32;
        *why = malloc(n);
        if (*why)
            snprintf(*why, n, "expected %s, got %s", w ? w : "?", g ? g : "?");
        free(w);
        free(g);
    }
done:
    free(vals);
    cel_program_free(p);
    cel_env_free(env);
    return result;
}

/* ---------------------------------------------------------------- files */

static void base_name(const char *path, char *out, size_t cap)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    snprintf(out, cap, "%s", s);
    char *dot = strstr(out, ".jsonl");
    if (dot)
        *dot = '\0';
}

static void run_file(const char *path, known *k, totals *t)
{
    char file[256];
    base_name(path, file, sizeof file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        t->unexpected = true;
        return;
    }
    size_t passed = 0, failed = 0, skipped = 0;
    cel_arena *a = cel_arena_new(0);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0;
    while (a && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len == 0 || (len == 1 && line[0] == '\n'))
            continue;
        json_error_t err;
        json_t *c = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, &err);
        char *why = NULL;
        int r;
        if (!c) {
            why = dup_printf("bad JSON line: ", err.text);
            r = 0;
        } else {
            r = run_case(c, is_ext_file(file), a, &why);
        }
        const char *section = c ? json_string_value(json_object_get(c, "section")) : NULL;
        const char *name = c ? json_string_value(json_object_get(c, "name")) : NULL;
        section = section ? section : "";
        name = name ? name : "";
        if (r > 0) {
            passed++;
            if (verbose)
                printf("  pass %s:%zu %s\n", file, lineno, name);
        } else if (r < 0) {
            skipped++;
            if (verbose)
                printf("  skip %s:%zu %s: needs protobuf messages\n", file, lineno, name);
        } else {
            failed++;
            bool listed = is_known(k, file, lineno, section, name);
            if (listed)
                t->known_failed++;
            else
                t->unexpected = true;
            printf("%s:%zu %s: %s%s\n", file, lineno, name, why ? why : "failed",
                   listed ? " (known failure)" : "");
        }
        free(why);
        json_decref(c);
        cel_arena_reset(a);
    }
    free(line);
    cel_arena_free(a);
    fclose(f);
    printf("%s: %zu passed, %zu failed, %zu skipped\n", file, passed, failed, skipped);
    t->passed += passed;
    t->failed += failed;
    t->skipped += skipped;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void run_path(const char *path, known *k, totals *t)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        t->unexpected = true;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(path, k, t);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        t->unexpected = true;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 7 || strcmp(e->d_name + l - 6, ".jsonl") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        size_t pl = strlen(path) + l + 2;
        names[n] = malloc(pl);
        if (!names[n])
            break;
        snprintf(names[n], pl, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        run_file(names[i], k, t);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    known k = {0};
    totals t = {0};
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--known-failures") && i + 1 < argc) {
            if (load_known(&k, argv[++i]) != 0)
                return 2;
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = true;
        } else if (!strcmp(argv[i], "--types")) {
            check_types = true;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: %s [--known-failures FILE] [--verbose] [--types] DIR|FILE...\n", argv[0]);
            return 2;
        } else {
            npaths++;
        }
    }
    if (!npaths) {
        fprintf(stderr, "usage: %s [--known-failures FILE] [--verbose] [--types] DIR|FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--known-failures")) {
            i++;
            continue;
        }
        if (argv[i][0] != '-')
            run_path(argv[i], &k, &t);
    }
    for (size_t i = 0; i < k.n; i++) {
        if (!k.used[i])
            printf("note: known failure %s did not fail\n", k.keys[i]);
        free(k.keys[i]);
    }
    free(k.keys);
    free(k.used);
    if (check_types)
        printf("%zu checked types differ from cel-go's (informational)\n", type_mismatches);
    if (t.known_failed)
        printf("%zu of the failures are known (listed in the known-failures file)\n", t.known_failed);
    printf("%zu passed, %zu failed, %zu skipped\n", t.passed, t.failed, t.skipped);
    return t.unexpected ? 1 : 0;
}
