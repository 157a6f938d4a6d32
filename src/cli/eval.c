/*
 * cli/eval.c: `celgate eval`: compiles and evaluates one CEL expression
 * against variables given as JSON (bound the way Kubernetes binds objects:
 * lazily decoded maps and lists, integers as int) and prints the result as
 * a CEL literal, or with --json as the conformance suite's tagged VALUE.
 * --batch answers many expressions, one JSON line in and out each.
 *
 * The environment is Kubernetes' by default (cel/k8s.h): every library and
 * language feature of the newest version celgate models, or with
 * --k8s-version 1.N what an API server of 1.N accepts in a new or changed
 * policy (compatibility version 1.N-1; --stored: what it compiles stored
 * policies with, 1.N). --env all adds the cel-go extensions Kubernetes
 * leaves out; --env std is plain CEL as cel-go's default environment.
 *
 * Exit status: 0 a value, 1 an evaluation error, 2 a compile or usage error;
 * --batch: 0 once every line is answered (each line carries its result).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cel/cel.h"
#include "cel/json.h"
#include "cel/k8s.h"
#include "cli/cli.h"

#define EVAL_MAX_VARS 256

typedef struct eval_var {
    char *name;
    json_t *doc;
} eval_var;

typedef enum eval_env { EVAL_ENV_K8S, EVAL_ENV_ALL, EVAL_ENV_STD } eval_env;

typedef struct eval_args {
    bool json;
    bool cost;
    bool disable_check;
    bool stored;
    eval_env env;
    int k8s_minor; /* 0: no --k8s-version */
    bool batch;
    const char *container;
    const char *expr;
    bool cost_limit_set;
    uint64_t cost_limit;
    eval_var vars[EVAL_MAX_VARS];
    size_t nvars;
} eval_args;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: celgate eval [options] EXPR\n"
            "\n"
            "Evaluates a CEL expression and prints the result as a CEL literal.\n"
            "\n"
            "options:\n"
            "  --env k8s|all|std    the CEL environment (default k8s):\n"
            "                         k8s  Kubernetes' (see --k8s-version)\n"
            "                         all  k8s plus the cel-go extensions Kubernetes leaves\n"
            "                              out (math, encoders, cel.bind, cel.block)\n"
            "                         std  plain CEL, as cel-go's default environment\n"
            "  --k8s-version 1.N    compile as an API server of Kubernetes 1.N compiles a\n"
            "                       new or changed policy expression: its compatibility\n"
            "                       version 1.N-1 (1.%d to 1.%d; default: every feature of\n"
            "                       1.%d); a function 1.N-1 lacks is a compile error\n"
            "  --stored             with --k8s-version: as that server compiles stored\n"
            "                       policies at admission (compatibility version 1.N)\n"
            "  --var NAME=JSON      bind variable NAME to a JSON value (repeatable)\n"
            "  --vars FILE.json     bind every member of a JSON object file\n"
            "  --container NAME     namespace for name resolution\n"
            "  --disable-check      evaluate without type-checking\n"
            "  --cost               also print the runtime cost spent, as cel-go's cost tracker\n"
            "                       counts it (in k8s and all: configured as Kubernetes does)\n"
            "  --cost-limit N       stop past a runtime cost of N; 0: no limit (default: with\n"
            "                       --env k8s Kubernetes' per-expression limit %u, as on the\n"
            "                       API server; otherwise none)\n"
            "  --json               print {\"value\": VALUE} or {\"error\": MESSAGE}\n"
            "  --batch              read {\"expr\": EXPR, \"vars\": {NAME: JSON}} lines from\n"
            "                       standard input; print one --json line for each\n"
            "  --help               show this text\n"
            "\n"
            "exit status: 0 value, 1 evaluation error, 2 compile or usage error\n",
            CEL_K8S_OLDEST_MINOR + 1, CEL_K8S_NEWEST_MINOR, CEL_K8S_NEWEST_MINOR,
            CEL_K8S_PER_CALL_LIMIT);
}

static void free_args(eval_args *a)
{
    for (size_t i = 0; i < a->nvars; i++) {
        free(a->vars[i].name);
        json_decref(a->vars[i].doc);
    }
}

static int add_var(eval_args *a, const char *name, json_t *doc)
{
    for (size_t i = 0; i < a->nvars; i++) {
        if (!strcmp(a->vars[i].name, name)) {
            fprintf(stderr, "celgate eval: variable '%s' given twice\n", name);
            json_decref(doc);
            return -1;
        }
    }
    if (a->nvars == EVAL_MAX_VARS) {
        fprintf(stderr, "celgate eval: more than %d variables\n", EVAL_MAX_VARS);
        json_decref(doc);
        return -1;
    }
    a->vars[a->nvars].name = strdup(name);
    if (!a->vars[a->nvars].name) {
        fprintf(stderr, "celgate eval: out of memory\n");
        json_decref(doc);
        return -1;
    }
    a->vars[a->nvars].doc = doc;
    a->nvars++;
    return 0;
}

/* --var NAME=JSON */
static int parse_var(eval_args *a, char *spec)
{
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        fprintf(stderr, "celgate eval: --var expects NAME=JSON, got '%s'\n", spec);
        return -1;
    }
    *eq = '\0';
    const char *text = eq + 1;
    json_error_t err;
    json_t *doc = json_loadb(text, strlen(text), JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!doc) {
        fprintf(stderr, "celgate eval: --var %s: invalid JSON at line %d, column %d: %s\n", spec,
                err.line, err.column, err.text);
        return -1;
    }
    return add_var(a, spec, doc);
}

/* --vars FILE: a JSON object whose members are the variables. */
static int parse_vars_file(eval_args *a, const char *path)
{
    json_error_t err;
    json_t *doc = json_load_file(path, JSON_ALLOW_NUL, &err);
    if (!doc) {
        fprintf(stderr, "celgate eval: --vars %s: line %d, column %d: %s\n", path, err.line,
                err.column, err.text);
        return -1;
    }
    if (!json_is_object(doc)) {
        fprintf(stderr, "celgate eval: --vars %s: expected a JSON object of variables\n", path);
        json_decref(doc);
        return -1;
    }
    const char *key;
    json_t *val;
    int rc = 0;
    json_object_foreach(doc, key, val) {
        if (add_var(a, key, json_incref(val)) != 0) {
            rc = -1;
            break;
        }
    }
    json_decref(doc);
    return rc;
}

static int parse_k8s_version(eval_args *a, const char *v)
{
    int m = cel_k8s_version(v, CEL_K8S_OLDEST_MINOR, CEL_K8S_NEWEST_MINOR);
    if (m == -1) {
        fprintf(stderr, "celgate eval: --k8s-version expects 1.N (or v1.N, 1.N.P), got '%s'\n", v);
        return -1;
    }
    if (m == -2) {
        fprintf(stderr, "celgate eval: --k8s-version %s: unknown Kubernetes version; celgate knows 1.%d to 1.%d\n",
                v, CEL_K8S_OLDEST_MINOR, CEL_K8S_NEWEST_MINOR);
        return -1;
    }
    a->k8s_minor = m;
    return 0;
}

static int parse_args(eval_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_next = i + 1 < argc;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(arg, "--json")) {
            a->json = true;
        } else if (!strcmp(arg, "--batch")) {
            a->batch = a->json = true;
        } else if (!strcmp(arg, "--cost")) {
            a->cost = true;
        } else if (!strcmp(arg, "--disable-check")) {
            a->disable_check = true;
        } else if (!strcmp(arg, "--stored")) {
            a->stored = true;
        } else if (!strcmp(arg, "--env") && has_next) {
            const char *v = argv[++i];
            if (!strcmp(v, "k8s"))
                a->env = EVAL_ENV_K8S;
            else if (!strcmp(v, "all"))
                a->env = EVAL_ENV_ALL;
            else if (!strcmp(v, "std"))
                a->env = EVAL_ENV_STD;
            else {
                fprintf(stderr, "celgate eval: --env expects k8s, all or std, got '%s'\n", v);
                return -1;
            }
        } else if (!strcmp(arg, "--k8s-version") && has_next) {
            if (parse_k8s_version(a, argv[++i]) != 0)
                return -1;
        } else if (!strcmp(arg, "--var") && has_next) {
            if (parse_var(a, argv[++i]) != 0)
                return -1;
        } else if (!strcmp(arg, "--vars") && has_next) {
            if (parse_vars_file(a, argv[++i]) != 0)
                return -1;
        } else if (!strcmp(arg, "--container") && has_next) {
            a->container = argv[++i];
        } else if (!strcmp(arg, "--cost-limit") && has_next) {
            char *end;
            errno = 0;
            a->cost_limit = strtoull(argv[++i], &end, 10);
            if (errno || *end || argv[i][0] == '-' || !argv[i][0]) {
                fprintf(stderr, "celgate eval: --cost-limit expects a number, got '%s'\n", argv[i]);
                return -1;
            }
            a->cost_limit_set = true;
        } else if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
            fprintf(stderr, "celgate eval: unknown or incomplete option '%s'\n", arg);
            return -1;
        } else if (!a->expr) {
            a->expr = arg;
        } else {
            fprintf(stderr, "celgate eval: more than one expression given\n");
            return -1;
        }
    }
    if (a->batch && a->expr) {
        fprintf(stderr, "celgate eval: --batch reads its expressions from standard input\n");
        return -1;
    }
    if (!a->expr && !a->batch) {
        fprintf(stderr, "celgate eval: no expression given\n");
        usage(stderr);
        return -1;
    }
    if (a->k8s_minor && a->env != EVAL_ENV_K8S) {
        fprintf(stderr, "celgate eval: --k8s-version applies to --env k8s only\n");
        return -1;
    }
    if (a->stored && !a->k8s_minor) {
        fprintf(stderr, "celgate eval: --stored needs --k8s-version\n");
        return -1;
    }
    if (a->k8s_minor && !a->stored && a->k8s_minor <= CEL_K8S_OLDEST_MINOR) {
        fprintf(stderr,
                "celgate eval: --k8s-version 1.%d: a 1.%d API server checks new expressions at "
                "compatibility version 1.%d, older than celgate models (1.%d); --stored compiles as "
                "it compiles stored policies\n",
                a->k8s_minor, a->k8s_minor, a->k8s_minor - 1, CEL_K8S_OLDEST_MINOR);
        return -1;
    }
    return 0;
}

/* The CEL environment the options chose (see the top of the file). */
static cel_env *build_env(const eval_args *a)
{
    cel_env_options o = {0};
    o.container = a->container;
    o.disable_check = a->disable_check;
    cel_env *env;
    switch (a->env) {
    case EVAL_ENV_ALL: env = cel_env_new_all(&o); break;
    case EVAL_ENV_STD:
        /* cel-go's cel.NewEnv(): standard macros, no optional syntax,
         * literals checked when evaluated. */
        o.std_lib = true;
        o.macros = CEL_MACROS_STD;
        o.defer_literal_errors = true;
        o.presence_test_cost = true;
        env = cel_env_new(&o);
        break;
    default:
        env = a->k8s_minor ? cel_env_new_k8s_server((unsigned)a->k8s_minor,
                                                    a->stored ? CEL_K8S_STORED_EXPRESSIONS
                                                              : CEL_K8S_NEW_EXPRESSIONS,
                                                    &o)
                           : cel_env_new_k8s(0, &o);
        break;
    }
    if (!env)
        return NULL;
    for (size_t i = 0; i < a->nvars; i++) {
        if (cel_env_add_var(env, a->vars[i].name, &cel_t_dyn) != (int)i) {
            cel_env_free(env);
            return NULL;
        }
    }
    return env;
}

/* One line, with jansson's ", " and ": " separators:
 * {"value": {"bool": true}, "cost": 7}. */
static void eval_print_json_line(json_t *obj)
{
    char *s = obj ? json_dumps(obj, JSON_ENSURE_ASCII) : NULL;
    puts(s ? s : "{\"error\": \"out of memory\"}");
    free(s);
    json_decref(obj);
}

static void eval_print_error(const eval_args *a, const char *msg, uint64_t cost, bool with_cost)
{
    if (a->json) {
        json_t *o = json_pack("{s:s}", "error", msg);
        if (o && with_cost)
            json_object_set_new(o, "cost", json_integer((json_int_t)cost));
        eval_print_json_line(o);
    } else {
        fprintf(stderr, "%s\n", msg);
        if (with_cost)
            printf("cost: %llu\n", (unsigned long long)cost);
    }
}

static int evaluate(const eval_args *a)
{
    cel_env *env = build_env(a);
    if (!env) {
        fprintf(stderr, "celgate eval: cannot build the environment (out of memory)\n");
        return 2;
    }
    cel_diag diag;
    cel_program *p = cel_compile(env, a->expr, strlen(a->expr), &diag);
    if (!p) {
        if (a->json)
            eval_print_json_line(json_pack("{s:s}", "error", diag.text ? diag.text : "compile error"));
        fprintf(stderr, "%s\n", diag.text ? diag.text : "compile error");
        if (diag.detail)
            fprintf(stderr, "celgate eval: note: %s\n", diag.detail);
        cel_diag_clear(&diag);
        cel_env_free(env);
        return 2;
    }
    cel_arena *arena = cel_arena_new(0);
    cel_value *vals = calloc(a->nvars + 1, sizeof *vals);
    if (!arena || !vals) {
        fprintf(stderr, "celgate eval: out of memory\n");
        free(vals);
        cel_arena_free(arena);
        cel_program_free(p);
        cel_env_free(env);
        return 2;
    }
    for (size_t i = 0; i < a->nvars; i++)
        vals[i] = cel_json_value(a->vars[i].doc, arena);
    cel_activation act = {vals, a->nvars};
    cel_eval_opts opts = {.cost_limit = a->cost_limit};
    if (!a->cost_limit_set && a->env == EVAL_ENV_K8S)
        opts.cost_limit = CEL_K8S_PER_CALL_LIMIT;
    uint64_t cost = 0;
    cel_value v = cel_eval(p, &act, arena, &opts, &cost);
    int rc = 0;
    if (v.kind == CEL_ERROR) {
        eval_print_error(a, v.u.err->msg, cost, a->cost);
        rc = 1;
    } else if (a->json) {
        json_t *enc = cel_json_tagged_encode(&v, arena);
        json_t *o = enc ? json_pack("{s:o}", "value", enc) : NULL;
        if (o && a->cost)
            json_object_set_new(o, "cost", json_integer((json_int_t)cost));
        eval_print_json_line(o);
    } else {
        char *s = cel_value_to_cel_literal(&v, arena);
        puts(s ? s : "<out of memory>");
        free(s);
        if (a->cost)
            printf("cost: %llu\n", (unsigned long long)cost);
    }
    free(vals);
    cel_arena_free(arena);
    cel_program_free(p);
    cel_env_free(env);
    return rc;
}

/* --batch: one request per input line, one --json line out for each (a
 * line that is not a request gets an error line), so that a harness can
 * evaluate many expressions with one process. Variables from --var and
 * --vars are bound on every line, beside the line's own. Blank lines are
 * skipped. */
static int evaluate_batch(eval_args *a)
{
    char *line = NULL;
    size_t cap = 0, base = a->nvars;
    unsigned long lineno = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        json_error_t jerr;
        json_t *req = json_loadb(line, (size_t)n, 0, &jerr);
        const char *expr = json_string_value(json_object_get(req, "expr"));
        json_t *vars = json_object_get(req, "vars");
        int ok = expr && (!vars || json_is_object(vars));
        const char *key;
        json_t *val;
        json_object_foreach(vars, key, val) {
            if (ok && add_var(a, key, json_incref(val)) != 0)
                ok = 0;
        }
        if (ok) {
            a->expr = expr;
            evaluate(a);
        } else {
            char msg[300];
            snprintf(msg, sizeof msg, "batch line %lu: %s", lineno,
                     !req ? jerr.text : expr ? "bad \"vars\" (an object of unique names)"
                                             : "expected {\"expr\": STRING, \"vars\": OBJECT}");
            eval_print_json_line(json_pack("{s:s}", "error", msg));
        }
        fflush(stdout);
        for (size_t i = base; i < a->nvars; i++) {
            free(a->vars[i].name);
            json_decref(a->vars[i].doc);
        }
        a->nvars = base;
        a->expr = NULL;
        json_decref(req);
    }
    free(line);
    return 0;
}

int cli_eval_main(int argc, char **argv)
{
    eval_args *a = calloc(1, sizeof *a);
    if (!a) {
        fprintf(stderr, "celgate eval: out of memory\n");
        return 2;
    }
    int rc = parse_args(a, argc, argv);
    if (rc == 0)
        rc = a->batch ? evaluate_batch(a) : evaluate(a);
    else
        rc = rc > 0 ? 0 : 2;
    free_args(a);
    free(a);
    return rc;
}
