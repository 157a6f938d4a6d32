/*
 * test_check.c: the type checker against cel-go's verdicts and messages:
 * name resolution with containers, overload resolution with type
 * parameters, field selection, literals, comprehensions, optionals,
 * homogeneous literals, cel_type_parse, and a sweep over the conformance
 * cases that cel-go type-checks.
 *
 * The unit tests bring their own small function library (the signatures
 * cel-go's standard library declares) so that they depend only on the
 * parser, the environment and the checker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>

#include "cel/ast.h"
#include "cel/cel.h"
#include "cel/check.h"
#include "cel/env.h"

/* ---------------------------------------------------------------- fixture library */

#define T(x) (&cel_t_##x)
static const cel_type t_list_a = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_param_a}};
static const cel_type t_map_kv = {.kind = CEL_T_MAP, .name = "map",
                                  .param = {&cel_t_param_k, &cel_t_param_v}};
static const cel_type t_opt_a = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                 .param = {&cel_t_param_a}};
static const cel_type t_opt_v = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                 .param = {&cel_t_param_v}};
static const cel_type t_type_a = {.kind = CEL_T_TYPE, .name = "type", .param = {&cel_t_param_a}};

#define OV(ident, fname, mem, n, res, ...) \
    {.id = ident, .name = fname, .member = mem, .nargs = n, .params = {__VA_ARGS__}, .result = res}

static const cel_overload fixture_overloads[] = {
    OV("fx_add_int64", "_+_", false, 2, T(int), T(int), T(int)),
    OV("fx_add_double", "_+_", false, 2, T(double), T(double), T(double)),
    OV("fx_add_string", "_+_", false, 2, T(string), T(string), T(string)),
    OV("fx_add_list", "_+_", false, 2, &t_list_a, &t_list_a, &t_list_a),
    OV("fx_subtract_int64", "_-_", false, 2, T(int), T(int), T(int)),
    OV("fx_equals", "_==_", false, 2, T(bool), &cel_t_param_a, &cel_t_param_a),
    OV("fx_not_equals", "_!=_", false, 2, T(bool), &cel_t_param_a, &cel_t_param_a),
    OV("fx_less_int64", "_<_", false, 2, T(bool), T(int), T(int)),
    OV("fx_less_double", "_<_", false, 2, T(bool), T(double), T(double)),
    OV("fx_less_int64_double", "_<_", false, 2, T(bool), T(int), T(double)),
    OV("fx_greater_int64", "_>_", false, 2, T(bool), T(int), T(int)),
    OV("fx_index_list", "_[_]", false, 2, &cel_t_param_a, &t_list_a, T(int)),
    OV("fx_index_map", "_[_]", false, 2, &cel_t_param_v, &t_map_kv, &cel_t_param_k),
    OV("fx_in_list", "@in", false, 2, T(bool), &cel_t_param_a, &t_list_a),
    OV("fx_in_map", "@in", false, 2, T(bool), &cel_t_param_k, &t_map_kv),
    OV("fx_size_string", "size", false, 1, T(int), T(string)),
    OV("fx_size_list", "size", false, 1, T(int), &t_list_a),
    OV("fx_size_map", "size", false, 1, T(int), &t_map_kv),
    OV("fx_string_size", "size", true, 1, T(int), T(string)),
    OV("fx_list_size", "size", true, 1, T(int), &t_list_a),
    OV("fx_map_size", "size", true, 1, T(int), &t_map_kv),
    OV("fx_starts_with_string", "startsWith", true, 2, T(bool), T(string), T(string)),
    OV("fx_type", "type", false, 1, &t_type_a, &cel_t_param_a),
    OV("fx_to_dyn", "dyn", false, 1, T(dyn), &cel_t_param_a),
    OV("fx_int64_to_string", "string", false, 1, T(string), T(int)),
    OV("fx_optional_of", "optional.of", false, 1, &t_opt_a, &cel_t_param_a),
    OV("fx_optional_none", "optional.none", false, 0, &t_opt_v),
    OV("fx_optional_has_value", "hasValue", true, 1, T(bool), &t_opt_a),
    OV("fx_optional_value", "value", true, 1, &cel_t_param_a, &t_opt_a),
    OV("fx_map_optindex_optional_value", "_[?_]", false, 2, &t_opt_v, &t_map_kv, &cel_t_param_k),
    OV("fx_ns_fn_int", "ns.fn", false, 1, T(int), T(int)),
    OV("fx_format_list", "format", true, 2, T(string), T(string), &cel_t_list_dyn),
};

static const cel_field obj_fields[] = {
    {"name", &cel_t_string},
    {"count", &cel_t_int},
    {"labels", &(const cel_type){.kind = CEL_T_MAP, .name = "map",
                                  .param = {&cel_t_string, &cel_t_string}}},
};
static const cel_type t_object = {.kind = CEL_T_OBJECT, .name = "test.Object",
                                  .fields = obj_fields, .nfields = 3};
static const cel_type t_ip = {.kind = CEL_T_OPAQUE, .name = "net.IP"};
static const cel_type *const fixture_types[] = {&t_object, &t_ip};

static const cel_library fixture_lib = {
    .name = "test.fixture",
    .overloads = fixture_overloads,
    .count = sizeof fixture_overloads / sizeof *fixture_overloads,
    .types = fixture_types,
    .ntypes = 2,
};

static const cel_type t_list_int = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_int}};
static const cel_type t_map_string_dyn = {.kind = CEL_T_MAP, .name = "map",
                                          .param = {&cel_t_string, &cel_t_dyn}};
static const cel_type t_opt_int = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                   .param = {&cel_t_int}};

typedef struct env_conf {
    const char *container;
    bool homogeneous;
    bool cross_type;
} env_conf;

static cel_env *fixture_env(const env_conf *conf)
{
    cel_env_options o = {.macros = CEL_MACROS_ALL, .optional_syntax = true};
    if (conf) {
        o.container = conf->container;
        o.homogeneous_literals = conf->homogeneous;
        o.cross_type_numeric = conf->cross_type;
    }
    cel_env *env = cel_env_new(&o);
    assert_non_null(env);
    assert_int_equal(cel_env_add_library(env, &fixture_lib), 0);
    assert_true(cel_env_add_var(env, "x", &cel_t_dyn) >= 0);
    assert_true(cel_env_add_var(env, "i", &cel_t_int) >= 0);
    assert_true(cel_env_add_var(env, "s", &cel_t_string) >= 0);
    assert_true(cel_env_add_var(env, "l", &t_list_int) >= 0);
    assert_true(cel_env_add_var(env, "m", &t_map_string_dyn) >= 0);
    assert_true(cel_env_add_var(env, "o", &t_object) >= 0);
    assert_true(cel_env_add_var(env, "oi", &t_opt_int) >= 0);
    assert_true(cel_env_add_var(env, "a.b.c", &cel_t_int) >= 0);
    assert_true(cel_env_add_var(env, "a.b", &t_map_string_dyn) >= 0);
    assert_true(cel_env_add_var(env, "pkg.v", &cel_t_string) >= 0);
    assert_true(cel_env_add_var(env, "v", &cel_t_bool) >= 0);
    return env;
}

/* ---------------------------------------------------------------- helpers */

typedef struct outcome {
    int rc;
    char type[256]; /* formatted result type when rc == 0 */
    char *issues;   /* malloc'd when rc != 0 */
} outcome;

static outcome run_check(const cel_env *env, const char *src)
{
    const cel_env_options *eo = cel_env_options_of(env);
    cel_parse_opts po = {.macros = eo->macros, .optional_syntax = eo->optional_syntax};
    cel_parsed parsed;
    outcome out = {.rc = -1};
    int prc = cel_parse(src, strlen(src), &po, &parsed);
    if (prc != 0) {
        char *msg = cel_parsed_format_issues(&parsed);
        fail_msg("parse failed for %s: %s", src, msg ? msg : "?");
    }
    cel_arena *arena = cel_arena_new(0);
    assert_non_null(arena);
    const cel_type *t = NULL;
    out.rc = cel_check(env, &parsed, arena, &t, &out.issues);
    if (out.rc == 0) {
        assert_non_null(t);
        cel_type_format(t, out.type, sizeof out.type);
    }
    cel_arena_free(arena);
    cel_parsed_free(&parsed);
    return out;
}

static void expect_type_in(const env_conf *conf, const char *src, const char *want)
{
    cel_env *env = fixture_env(conf);
    outcome o = run_check(env, src);
    if (o.rc != 0)
        fail_msg("%s: unexpected issues:\n%s", src, o.issues ? o.issues : "(none)");
    if (strcmp(o.type, want) != 0)
        fail_msg("%s: type %s, want %s", src, o.type, want);
    free(o.issues);
    cel_env_free(env);
}

static void expect_type(const char *src, const char *want)
{
    expect_type_in(NULL, src, want);
}

/* want is the complete formatted issue text. */
static void expect_issues_in(const env_conf *conf, const char *src, const char *want)
{
    cel_env *env = fixture_env(conf);
    outcome o = run_check(env, src);
    if (o.rc == 0)
        fail_msg("%s: checked as %s, want issues:\n%s", src, o.type, want);
    assert_non_null(o.issues);
    if (strcmp(o.issues, want) != 0)
        fail_msg("%s: issues\n%s\nwant\n%s", src, o.issues, want);
    free(o.issues);
    cel_env_free(env);
}

static void expect_issues(const char *src, const char *want)
{
    expect_issues_in(NULL, src, want);
}

/* ---------------------------------------------------------------- result types */

static void test_literal_types(void **state)
{
    (void)state;
    expect_type("1", "int");
    expect_type("1u", "uint");
    expect_type("1.5", "double");
    expect_type("'a'", "string");
    expect_type("b'a'", "bytes");
    expect_type("true", "bool");
    expect_type("null", "null_type");
}

static void test_representative_results(void **state)
{
    (void)state;
    expect_type("1 + 2", "int");
    expect_type("'a' + 'b'", "string");
    expect_type("[1, 2]", "list(int)");
    expect_type("{'a': 1}", "map(string, int)");
    expect_type("[1, 'a']", "list(dyn)");
    expect_type("{'a': 1, 'b': 'c'}", "map(string, dyn)");
    expect_type("[]", "list(dyn)");
    expect_type("{}", "map(dyn, dyn)");
    expect_type("x.size()", "int");
    expect_type("size(l)", "int");
    expect_type("[1] + []", "list(int)");
    expect_type("[] + [1]", "list(int)");
    expect_type("[[1], []]", "list(list(int))");
    expect_type("l[0]", "int");
    expect_type("m['k']", "dyn");
    expect_type("x[0]", "dyn");
    expect_type("x", "dyn");
    expect_type("1 == 1", "bool");
    expect_type("x == 1", "bool");
    expect_type("null == x", "bool");
    expect_type("o == null", "bool");
    expect_type("dyn(1)", "dyn");
    expect_type("[1, dyn('a')]", "list(dyn)");
}

static void test_type_identifiers(void **state)
{
    (void)state;
    expect_type("int", "type(int)");
    expect_type("string", "type(string)");
    expect_type("null_type", "type(null_type)");
    expect_type("list", "type(list(dyn))");
    expect_type("map", "type(map(dyn, dyn))");
    expect_type("type", "type(type)");
    expect_type("type(1)", "type(int)");
    expect_type("type(int)", "type(type(int))");
    expect_type("type(type)", "type(type(type))");
    expect_type("type([1])", "type(list(int))");
    expect_type("google.protobuf.Timestamp", "type(google.protobuf.Timestamp)");
    expect_type("net.IP", "type(net.IP)");
    expect_type("type(x) == int", "bool");
    expect_type("type(1) == string", "bool");
}

/* ---------------------------------------------------------------- names */

static void test_undeclared(void **state)
{
    (void)state;
    expect_issues("y",
                  "ERROR: <input>:1:1: undeclared reference to 'y' (in container '')\n"
                  " | y\n"
                  " | ^");
    expect_issues("1 + y.z",
                  "ERROR: <input>:1:5: undeclared reference to 'y' (in container '')\n"
                  " | 1 + y.z\n"
                  " | ....^");
    expect_issues("foo(1)",
                  "ERROR: <input>:1:4: undeclared reference to 'foo' (in container '')\n"
                  " | foo(1)\n"
                  " | ...^");
    expect_issues("i.bar()",
                  "ERROR: <input>:1:6: undeclared reference to 'bar' (in container '')\n"
                  " | i.bar()\n"
                  " | .....^");
    env_conf conf = {.container = "pkg.sub"};
    expect_issues_in(&conf, "w",
                     "ERROR: <input>:1:1: undeclared reference to 'w' (in container 'pkg.sub')\n"
                     " | w\n"
                     " | ^");
}

static void test_several_issues_in_source_order(void **state)
{
    (void)state;
    expect_issues("y + z",
                  "ERROR: <input>:1:1: undeclared reference to 'y' (in container '')\n"
                  " | y + z\n"
                  " | ^\n"
                  "ERROR: <input>:1:5: undeclared reference to 'z' (in container '')\n"
                  " | y + z\n"
                  " | ....^");
}

/* cel-go lists at most 100 errors, then says how many it left out. */
static void test_issue_limit(void **state)
{
    (void)state;
    char src[4096];
    size_t len = 0;
    for (int k = 0; k < 120; k++)
        len += (size_t)snprintf(src + len, sizeof src - len, "%sy%d", k ? " + " : "", k);
    cel_env *env = fixture_env(NULL);
    outcome o = run_check(env, src);
    assert_int_equal(o.rc, -1);
    size_t count = 0;
    for (const char *p = o.issues; (p = strstr(p, "ERROR: ")) != NULL; p++)
        count++;
    assert_int_equal(count, 100);
    const char *tail = "\n20 more errors were truncated";
    size_t n = strlen(o.issues);
    assert_true(n > strlen(tail));
    assert_string_equal(o.issues + n - strlen(tail), tail);
    free(o.issues);
    cel_env_free(env);
}

static void test_container_resolution(void **state)
{
    (void)state;
    env_conf conf = {.container = "pkg"};
    /* v is declared both as pkg.v (string) and v (bool): pkg.v wins */
    expect_type_in(&conf, "v", "string");
    /* a leading dot means the root scope only */
    expect_type_in(&conf, ".v", "bool");
    expect_type_in(NULL, "v", "bool");
    env_conf deep = {.container = "pkg.sub.deeper"};
    expect_type_in(&deep, "v", "string");
}

static void test_qualified_names(void **state)
{
    (void)state;
    /* the longest declared prefix wins: a.b.c is an int variable */
    expect_type("a.b.c", "int");
    /* a.b is a map(string, dyn) variable; .d selects from it */
    expect_type("a.b.d", "dyn");
    /* namespaced functions: ns.fn(1) is the global function ns.fn */
    expect_type("ns.fn(1)", "int");
    /* functions resolve against the container too */
    env_conf conf = {.container = "ns"};
    expect_type_in(&conf, "fn(1)", "int");
    expect_issues_in(&conf, "ns.fn('a')",
                     "ERROR: <input>:1:6: found no matching overload for 'ns.fn' applied to "
                     "'(string)'\n"
                     " | ns.fn('a')\n"
                     " | .....^");
}

/* ---------------------------------------------------------------- overloads */

static void test_no_matching_overload(void **state)
{
    (void)state;
    expect_issues("1 + 'a'",
                  "ERROR: <input>:1:3: found no matching overload for '_+_' applied to "
                  "'(int, string)'\n"
                  " | 1 + 'a'\n"
                  " | ..^");
    expect_issues("1 == 'a'",
                  "ERROR: <input>:1:3: found no matching overload for '_==_' applied to "
                  "'(int, string)'\n"
                  " | 1 == 'a'\n"
                  " | ..^");
    /* member form: the receiver type comes first */
    expect_issues("i.size()",
                  "ERROR: <input>:1:7: found no matching overload for 'size' applied to "
                  "'int.()'\n"
                  " | i.size()\n"
                  " | ......^");
    expect_issues("s.startsWith(1)",
                  "ERROR: <input>:1:13: found no matching overload for 'startsWith' applied to "
                  "'string.(int)'\n"
                  " | s.startsWith(1)\n"
                  " | ............^");
    /* unbound type parameters print as dyn */
    expect_issues("[] + 1",
                  "ERROR: <input>:1:4: found no matching overload for '_+_' applied to "
                  "'(list(dyn), int)'\n"
                  " | [] + 1\n"
                  " | ...^");
    /* type parameters bind consistently: list(int) then string */
    expect_issues("[1] + ['a']",
                  "ERROR: <input>:1:5: found no matching overload for '_+_' applied to "
                  "'(list(int), list(string))'\n"
                  " | [1] + ['a']\n"
                  " | ....^");
    expect_issues("1 == null",
                  "ERROR: <input>:1:3: found no matching overload for '_==_' applied to "
                  "'(int, null_type)'\n"
                  " | 1 == null\n"
                  " | ..^");
}

static void test_cross_type_numeric(void **state)
{
    (void)state;
    expect_issues("1 < 1.5",
                  "ERROR: <input>:1:3: found no matching overload for '_<_' applied to "
                  "'(int, double)'\n"
                  " | 1 < 1.5\n"
                  " | ..^");
    env_conf conf = {.cross_type = true};
    expect_type_in(&conf, "1 < 1.5", "bool");
    expect_type("1 < 2", "bool");
}

static void test_logical_operators(void **state)
{
    (void)state;
    expect_type("true && v || !v", "bool");
    expect_type("x && true", "bool");
    expect_issues("1 && true",
                  "ERROR: <input>:1:1: expected type 'bool' but found 'int'\n"
                  " | 1 && true\n"
                  " | ^");
}

static void test_ternary(void **state)
{
    (void)state;
    expect_type("v ? 1 : 2", "int");
    /* dyn widens the bound parameter, as in cel-go */
    expect_type("v ? 1 : x", "dyn");
    expect_type("v ? x : 1", "dyn");
    expect_type("v ? [] : [1]", "list(int)");
    /* cel-go keeps the first binding when null meets a nullable type */
    expect_type("v ? o : null", "test.Object");
    expect_type("v ? null : o", "null_type");
    expect_issues("v ? 1 : 'a'",
                  "ERROR: <input>:1:3: found no matching overload for '_?_:_' applied to "
                  "'(bool, int, string)'\n"
                  " | v ? 1 : 'a'\n"
                  " | ..^");
}

/* ---------------------------------------------------------------- selection */

static void test_field_selection(void **state)
{
    (void)state;
    expect_type("o.name", "string");
    expect_type("o.labels['k']", "string");
    expect_type("o.labels.k", "string");
    expect_type("has(o.name)", "bool");
    expect_type("m.k", "dyn");
    expect_type("x.y.z", "dyn");
    expect_issues("o.nope",
                  "ERROR: <input>:1:2: undefined field 'nope'\n"
                  " | o.nope\n"
                  " | .^");
    expect_issues("has(o.nope)",
                  "ERROR: <input>:1:4: undefined field 'nope'\n"
                  " | has(o.nope)\n"
                  " | ...^");
    expect_issues("i.f",
                  "ERROR: <input>:1:2: type 'int' does not support field selection\n"
                  " | i.f\n"
                  " | .^");
}

static void test_struct_literals(void **state)
{
    (void)state;
    /* entry positions are at the colon, as cel-go records them */
    expect_type("test.Object{name: 'a', count: 1}", "test.Object");
    expect_type("test.Object{}.labels", "map(string, string)");
    env_conf conf = {.container = "test"};
    expect_type_in(&conf, "Object{name: s}", "test.Object");
    expect_issues("test.Object{nope: 1}",
                  "ERROR: <input>:1:17: undefined field 'nope'\n"
                  " | test.Object{nope: 1}\n"
                  " | ................^");
    expect_issues("test.Object{name: 1}",
                  "ERROR: <input>:1:17: expected type of field 'name' is 'string' but provided "
                  "type is 'int'\n"
                  " | test.Object{name: 1}\n"
                  " | ................^");
    expect_issues("x{}",
                  "ERROR: <input>:1:2: 'dyn' is not a type\n"
                  " | x{}\n"
                  " | .^");
    expect_issues("l{}",
                  "ERROR: <input>:1:2: 'list' is not a type\n"
                  " | l{}\n"
                  " | .^");
    expect_issues("int{}",
                  "ERROR: <input>:1:4: 'int' is not a message type\n"
                  " | int{}\n"
                  " | ...^");
    expect_issues("nope.Msg{}",
                  "ERROR: <input>:1:9: undeclared reference to 'nope.Msg' (in container '')\n"
                  " | nope.Msg{}\n"
                  " | ........^");
}

/* ---------------------------------------------------------------- literals */

static void test_homogeneous_literals(void **state)
{
    (void)state;
    env_conf conf = {.homogeneous = true};
    expect_type_in(&conf, "[1, 2]", "list(int)");
    expect_type_in(&conf, "{'a': 1, 'b': 2}", "map(string, int)");
    expect_issues_in(&conf, "[1, 'a']",
                     "ERROR: <input>:1:5: expected type 'int' but found 'string'\n"
                     " | [1, 'a']\n"
                     " | ....^");
    /* dyn is not exempt: the element types must be the same */
    expect_issues_in(&conf, "[1, dyn(2)]",
                     "ERROR: <input>:1:8: expected type 'int' but found 'dyn'\n"
                     " | [1, dyn(2)]\n"
                     " | .......^");
    expect_issues_in(&conf, "{'a': 1, 2: 'b'}",
                     "ERROR: <input>:1:10: expected type 'string' but found 'int'\n"
                     " | {'a': 1, 2: 'b'}\n"
                     " | .........^\n"
                     "ERROR: <input>:1:13: expected type 'int' but found 'string'\n"
                     " | {'a': 1, 2: 'b'}\n"
                     " | ............^");
    /* literals inside format()'s arguments are exempt */
    expect_type_in(&conf, "'%s %d'.format(['a', 1])", "string");
    /* off: mixed literals are list(dyn) */
    expect_type("[1, 'a']", "list(dyn)");
}

static void test_optionals(void **state)
{
    (void)state;
    expect_type("o.?name", "optional_type(string)");
    expect_type("m.?k", "optional_type(dyn)");
    expect_type("optional.of(1)", "optional_type(int)");
    expect_type("oi.value()", "int");
    expect_type("oi.hasValue()", "bool");
    expect_type("[?oi, 2]", "list(int)");
    expect_type("[?x]", "list(dyn)");
    expect_type("{?'a': oi}", "map(string, int)");
    expect_type("m[?'k']", "optional_type(dyn)");
    expect_issues("[?1]",
                  "ERROR: <input>:1:3: expected type 'optional_type(int)' but found 'int'\n"
                  " | [?1]\n"
                  " | ..^");
}

/* ---------------------------------------------------------------- comprehensions */

static void test_comprehensions(void **state)
{
    (void)state;
    expect_type("l.all(e, e > 0)", "bool");
    expect_type("l.exists(e, e == 1)", "bool");
    expect_type("l.exists_one(e, e == 1)", "bool");
    expect_type("l.map(e, e + 1)", "list(int)");
    expect_type("l.map(e, string(e))", "list(string)");
    expect_type("l.filter(e, e > 1)", "list(int)");
    expect_type("m.map(k, k)", "list(string)");
    expect_type("x.map(e, e)", "list(dyn)");
    expect_type("l.all(i, e, i > 0 && e > 0)", "bool");
    expect_type("m.all(k, v, k == 'a' && v == 1)", "bool");
    expect_type("cel.bind(y, 1, y + 1)", "int");
    expect_type("l.transformList(i, v, v + i)", "list(int)");
    expect_type("m.transformMap(k, v, k + 'x')", "map(string, string)");
    expect_type("l.existsOne(i, v, i == v)", "bool");
    expect_type("cel.block([1, cel.index(0) + 1], cel.index(1) == 2)", "bool");
    expect_type("cel.block([1], cel.index(0))", "dyn");
    /* the iteration variable is scoped to the comprehension */
    expect_issues("l.all(e, e > 0) && e",
                  "ERROR: <input>:1:20: undeclared reference to 'e' (in container '')\n"
                  " | l.all(e, e > 0) && e\n"
                  " | ...................^");
    expect_issues("l.all(e, e)",
                  "ERROR: <input>:1:10: expected type 'bool' but found 'int'\n"
                  " | l.all(e, e)\n"
                  " | .........^");
    expect_issues("i.all(e, true)",
                  "ERROR: <input>:1:1: expression of type 'int' cannot be range of a "
                  "comprehension (must be list, map, or dynamic)\n"
                  " | i.all(e, true)\n"
                  " | ^");
}

/* ---------------------------------------------------------------- hand-built trees */

/* The checker on a tree made by hand, without the parser's help. */
static void test_hand_built_tree(void **state)
{
    (void)state;
    cel_env *env = fixture_env(NULL);
    const char *src = "i + 1";
    cel_parsed p;
    memset(&p, 0, sizeof p);
    assert_int_equal(cel_source_init(&p.src, src, strlen(src)), 0);
    cel_ast lhs = {.kind = CEL_AST_IDENT, .id = 1, .offset = 0, .u.ident.name = "i"};
    cel_ast rhs = {.kind = CEL_AST_LITERAL, .id = 3, .offset = 4};
    rhs.u.lit.kind = CEL_INT;
    rhs.u.lit.u.i = 1;
    cel_ast *args[2] = {&lhs, &rhs};
    cel_ast call = {.kind = CEL_AST_CALL, .id = 2, .offset = 2};
    call.u.call.fn = "_+_";
    call.u.call.args = args;
    call.u.call.nargs = 2;
    p.root = &call;
    p.next_id = 4;
    cel_arena *arena = cel_arena_new(0);
    const cel_type *t = NULL;
    char *issues = NULL;
    assert_int_equal(cel_check(env, &p, arena, &t, &issues), 0);
    assert_null(issues);
    assert_int_equal(t->kind, CEL_T_INT);

    /* the same tree with a string literal fails at the operator */
    rhs.u.lit.kind = CEL_STRING;
    rhs.u.lit.u.str = "a";
    rhs.u.lit.len = 1;
    assert_int_equal(cel_check(env, &p, arena, &t, &issues), -1);
    assert_non_null(issues);
    assert_non_null(strstr(issues, "ERROR: <input>:1:3: found no matching overload for '_+_' "
                                   "applied to '(int, string)'"));
    free(issues);
    cel_arena_free(arena);
    cel_source_free(&p.src);
    cel_env_free(env);
}

/* Trees built without the parser's depth limit still cannot exhaust the
 * stack: past its own limit the checker reports and stops descending. */
static void test_hand_built_deep_tree(void **state)
{
    (void)state;
    cel_env *env = fixture_env(NULL);
    const char *src = "[]";
    size_t n = 6000;
    cel_ast *nodes = calloc(n, sizeof *nodes);
    cel_ast **elems = calloc(n, sizeof *elems);
    assert_non_null(nodes);
    assert_non_null(elems);
    for (size_t k = 0; k < n; k++) {
        nodes[k].kind = CEL_AST_LIST;
        nodes[k].id = (uint32_t)k + 1;
        if (k + 1 < n) {
            elems[k] = &nodes[k + 1];
            nodes[k].u.list.elems = &elems[k];
            nodes[k].u.list.n = 1;
        }
    }
    cel_parsed p;
    memset(&p, 0, sizeof p);
    assert_int_equal(cel_source_init(&p.src, src, strlen(src)), 0);
    p.root = &nodes[0];
    p.next_id = (uint32_t)n + 1;
    cel_arena *arena = cel_arena_new(0);
    const cel_type *t = NULL;
    char *issues = NULL;
    assert_int_equal(cel_check(env, &p, arena, &t, &issues), -1);
    assert_non_null(issues);
    assert_non_null(strstr(issues, "ERROR: <input>:1:1: expression nested too deeply to check"));
    assert_null(strstr(issues + 1, "ERROR:")); /* reported once */
    free(issues);
    cel_arena_free(arena);
    cel_source_free(&p.src);
    free(elems);
    free(nodes);
    cel_env_free(env);
}

/* ---------------------------------------------------------------- limits */

static void test_long_and_deep_expressions(void **state)
{
    (void)state;
    /* a long list literal, and a chain of additions as long as the parser's
     * depth limit allows, check in one pass */
    size_t n = 20000;
    char *src = malloc(n * 3 + 8);
    assert_non_null(src);
    size_t len = 0;
    src[len++] = '[';
    for (size_t k = 0; k < n; k++) {
        if (k)
            src[len++] = ',';
        src[len++] = '1';
    }
    src[len++] = ']';
    src[len] = '\0';
    expect_type(src, "list(int)");
    len = 0;
    for (size_t k = 0; k < 200; k++) {
        memcpy(src + len, "1+", 2);
        len += 2;
    }
    src[len++] = '1';
    src[len] = '\0';
    expect_type(src, "int");
    /* deeply nested lists give a deeply nested type */
    len = 0;
    for (size_t k = 0; k < 60; k++)
        src[len++] = '[';
    for (size_t k = 0; k < 60; k++)
        src[len++] = ']';
    src[len] = '\0';
    cel_env *env = fixture_env(NULL);
    outcome o = run_check(env, src);
    assert_int_equal(o.rc, 0);
    assert_non_null(strstr(o.type, "list(list(list("));
    cel_env_free(env);
    free(src);
}

/* ---------------------------------------------------------------- cel_type_parse */

static const cel_type *resolve_fixture(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    for (size_t k = 0; k < 2; k++)
        if (strlen(fixture_types[k]->name) == len && !memcmp(fixture_types[k]->name, name, len))
            return fixture_types[k];
    return NULL;
}

static void round_trip(const char *text, const char *want)
{
    cel_arena *a = cel_arena_new(0);
    const char *err = NULL;
    size_t at = 0;
    const cel_type *t = cel_type_parse(text, strlen(text), resolve_fixture, NULL, a, &at, &err);
    if (!t)
        fail_msg("%s: %s at %zu", text, err, at);
    char buf[256];
    cel_type_format(t, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fail_msg("%s: formatted %s, want %s", text, buf, want);
    cel_arena_free(a);
}

static void parse_error(const char *text, const char *want_err, size_t want_at)
{
    cel_arena *a = cel_arena_new(0);
    const char *err = NULL;
    size_t at = 99;
    assert_null(cel_type_parse(text, strlen(text), resolve_fixture, NULL, a, &at, &err));
    assert_string_equal(err, want_err);
    assert_int_equal(at, want_at);
    cel_arena_free(a);
}

static void test_type_parse(void **state)
{
    (void)state;
    const char *same[] = {"int", "uint", "double", "bool", "string", "bytes", "dyn",
                          "null_type", "list(int)", "map(string, dyn)", "type(int)",
                          "optional_type(string)", "list(map(string, list(int)))", "net.IP",
                          "test.Object", "google.protobuf.Timestamp",
                          "google.protobuf.Duration", "map(string, optional_type(net.IP))"};
    for (size_t k = 0; k < sizeof same / sizeof *same; k++)
        round_trip(same[k], same[k]);
    round_trip(" map( string ,int ) ", "map(string, int)");
    round_trip("list", "list(dyn)");
    round_trip("map", "map(dyn, dyn)");
    round_trip("type", "type");
    round_trip("timestamp", "google.protobuf.Timestamp");
    round_trip("duration", "google.protobuf.Duration");
    parse_error("", "expected a type name", 0);
    parse_error("list(int", "expected ')'", 8);
    parse_error("map(int)", "expected ','", 7);
    parse_error("int(string)", "type does not take parameters", 3);
    parse_error("foo.Bar", "unknown type", 0);
    parse_error("int int", "unexpected text after the type", 4);
    char deep[256];
    size_t len = 0;
    for (int k = 0; k < 40; k++) {
        memcpy(deep + len, "list(", 5);
        len += 5;
    }
    deep[len] = '\0';
    const char *err = NULL;
    cel_arena *a = cel_arena_new(0);
    assert_null(cel_type_parse(deep, len, NULL, NULL, a, NULL, &err));
    assert_string_equal(err, "type nested too deeply");
    cel_arena_free(a);
}

/* ---------------------------------------------------------------- conformance sweep */

/* cel-spec's checked types use the older names for a few types. */
static void conformance_type_name(const cel_type *t, char *buf, size_t cap)
{
    static const struct {
        const char *from, *to;
    } renames[] = {{"google.protobuf.Timestamp", "timestamp"},
                   {"google.protobuf.Duration", "duration"},
                   {"null_type", "null"}};
    char raw[512];
    cel_type_format(t, raw, sizeof raw);
    for (size_t k = 0; k < 3; k++) {
        char *at;
        while ((at = strstr(raw, renames[k].from)) != NULL) {
            size_t n = strlen(renames[k].from), m = strlen(renames[k].to);
            memcpy(at, renames[k].to, m);
            memmove(at + m, at + n, strlen(at + n) + 1);
        }
    }
    snprintf(buf, cap, "%s", raw);
}

typedef struct sweep_stats {
    int cases, checked, failed, typed, matched;
} sweep_stats;

/* Libraries a conformance file needs beyond the standard one. */
static bool file_needs_extensions(const char *file)
{
    static const char *const ext[] = {"math_ext", "string_ext", "encoders_ext", "optionals",
                                      "bindings_ext", "block_ext", "macros2"};
    for (size_t k = 0; k < sizeof ext / sizeof *ext; k++)
        if (!strcmp(file, ext[k]))
            return true;
    return false;
}

static void sweep_case(json_t *c, const char *file, sweep_stats *st, bool verbose)
{
    if (json_is_true(json_object_get(c, "disable_check")) ||
        json_is_true(json_object_get(c, "needs_proto")))
        return;
    st->cases++;
    cel_env_options o = {.macros = CEL_MACROS_ALL, .optional_syntax = true, .std_lib = true};
    const char *container = json_string_value(json_object_get(c, "container"));
    o.container = container;
    cel_env *env = cel_env_new(&o);
    assert_non_null(env);
    cel_arena *arena = cel_arena_new(0);
    json_t *tenv = json_object_get(c, "type_env");
    const char *key;
    json_t *val;
    bool env_ok = true;
    json_object_foreach(tenv, key, val) {
        const char *text = json_string_value(val);
        const cel_type *t = text ? cel_type_parse(text, strlen(text), NULL, NULL, arena, NULL,
                                                  NULL)
                                 : NULL;
        if (!t || cel_env_add_var(env, key, t) < 0)
            env_ok = false;
    }
    json_t *jexpr = json_object_get(c, "expr");
    const char *src = json_string_value(jexpr);
    size_t len = json_string_length(jexpr);
    cel_parse_opts po = {.macros = CEL_MACROS_ALL, .optional_syntax = true};
    cel_parsed parsed;
    bool ok = false;
    const cel_type *t = NULL;
    char *issues = NULL;
    if (env_ok && cel_parse(src, len, &po, &parsed) == 0) {
        ok = cel_check(env, &parsed, arena, &t, &issues) == 0;
        cel_parsed_free(&parsed);
    } else if (env_ok) {
        cel_parsed_free(&parsed);
    }
    if (ok) {
        st->checked++;
        const char *want = json_string_value(json_object_get(c, "checked_type"));
        if (want) {
            st->typed++;
            char got[512];
            conformance_type_name(t, got, sizeof got);
            if (!strcmp(got, want))
                st->matched++;
            else if (verbose)
                printf("  type %s/%s: %s -> %s, cel-go %s\n", file,
                       json_string_value(json_object_get(c, "name")), src, got, want);
        }
    } else {
        st->failed++;
        if (verbose)
            printf("  FAIL %s/%s: %s\n%s\n", file, json_string_value(json_object_get(c, "name")),
                   src, issues ? issues : (env_ok ? "(parse error)" : "(bad type_env)"));
    }
    free(issues);
    cel_arena_free(arena);
    cel_env_free(env);
}

static void test_conformance_sweep(void **state)
{
    (void)state;
    /* The sweep needs the standard library; without it every operator is
     * undeclared and the numbers mean nothing. */
    cel_env *probe = cel_env_new(NULL);
    assert_non_null(probe);
    bool have_std = cel_env_has_function(probe, "_+_") && cel_env_has_function(probe, "size");
    cel_env_free(probe);
    if (!have_std) {
        printf("conformance sweep skipped: the standard library (cel_lib_std) is not linked\n");
        skip();
    }
    const char *dir = CELGATE_SHARED_DIR "/conformance";
    DIR *d = opendir(dir);
    if (!d) {
        printf("conformance sweep skipped: %s not found\n", dir);
        skip();
    }
    bool verbose = getenv("CHECK_SWEEP_VERBOSE") != NULL;
    sweep_stats core = {0}, ext = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 7 || strcmp(de->d_name + n - 6, ".jsonl") != 0)
            continue;
        char file[256];
        snprintf(file, sizeof file, "%.*s", (int)(n - 6), de->d_name);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        sweep_stats *st = file_needs_extensions(file) ? &ext : &core;
        char *line = NULL;
        size_t cap = 0;
        ssize_t got;
        while ((got = getline(&line, &cap, f)) > 0) {
            json_error_t err;
            json_t *c = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &err);
            assert_non_null(c);
            sweep_case(c, file, st, verbose);
            json_decref(c);
        }
        free(line);
        fclose(f);
    }
    closedir(d);
    printf("conformance sweep, core files: %d cases checked, %d ok, %d failed; "
           "checked_type %d/%d match\n",
           core.cases, core.checked, core.failed, core.matched, core.typed);
    printf("conformance sweep, extension files: %d cases checked, %d ok, %d failed; "
           "checked_type %d/%d match\n",
           ext.cases, ext.checked, ext.failed, ext.matched, ext.typed);
    assert_int_equal(core.failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_types),
        cmocka_unit_test(test_representative_results),
        cmocka_unit_test(test_type_identifiers),
        cmocka_unit_test(test_undeclared),
        cmocka_unit_test(test_several_issues_in_source_order),
        cmocka_unit_test(test_issue_limit),
        cmocka_unit_test(test_container_resolution),
        cmocka_unit_test(test_qualified_names),
        cmocka_unit_test(test_no_matching_overload),
        cmocka_unit_test(test_cross_type_numeric),
        cmocka_unit_test(test_logical_operators),
        cmocka_unit_test(test_ternary),
        cmocka_unit_test(test_field_selection),
        cmocka_unit_test(test_struct_literals),
        cmocka_unit_test(test_homogeneous_literals),
        cmocka_unit_test(test_optionals),
        cmocka_unit_test(test_comprehensions),
        cmocka_unit_test(test_hand_built_tree),
        cmocka_unit_test(test_hand_built_deep_tree),
        cmocka_unit_test(test_long_and_deep_expressions),
        cmocka_unit_test(test_type_parse),
        cmocka_unit_test(test_conformance_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
