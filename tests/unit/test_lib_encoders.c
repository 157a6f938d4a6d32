/*
 * test_lib_encoders.c: cel-go's encoders extension: base64 with Go's
 * decoder rules (padding, newlines, the unpadded retry, error offsets),
 * json.encode's conversions, version gating, absence from Kubernetes
 * environments, and costs.
 */
#include "strx_support.h"
#include "cel/ext_strings.h"

static ext_env all, k37, v0, v1;

static cel_env *bare(unsigned version)
{
    cel_env *env = cel_env_new(NULL);
    if (env && cel_env_add_library(env, cel_encoders_library(version)) != 0) {
        cel_env_free(env);
        return NULL;
    }
    return env;
}

static int setup(void **state)
{
    return ext_env_init(&all, cel_env_new_all(NULL)) &&
                   ext_env_init(&k37, cel_env_new_k8s(0, NULL)) && ext_env_init(&v0, bare(0)) &&
                   ext_env_init(&v1, bare(1))
               ? 0
               : -1;
}

static int teardown(void **state)
{
    cel_env_free(all.env);
    cel_env_free(k37.env);
    cel_env_free(v0.env);
    cel_env_free(v1.env);
    ext_done();
    return 0;
}

static void want_bytes(const ext_env *e, const char *src, const char *want, size_t n)
{
    cel_value v = ext_eval(e, src, NULL, NULL, NULL);
    if (v.kind != CEL_BYTES)
        fail_msg("%s: kind %d (%s), want bytes", src, v.kind, v.kind == CEL_ERROR ? v.u.err->msg : "");
    if (v.len != n || memcmp(v.u.str, want, n) != 0)
        fail_msg("%s: got %u bytes [%.*s], want [%.*s]", src, v.len, (int)v.len, v.u.str, (int)n, want);
}

static void test_base64(void **state)
{
    want_str(&all, "base64.encode(b'hello')", "aGVsbG8=");
    want_str(&all, "base64.encode(b'')", "");
    want_str(&all, "base64.encode(b'\\xff\\xfe\\xfd')", "//79");
    want_str(&all, "base64.encode(b'ab')", "YWI=");
    want_bytes(&all, "base64.decode('aGVsbG8=')", "hello", 5);
    want_bytes(&all, "base64.decode('aGVsbG8')", "hello", 5);
    want_bytes(&all, "base64.decode('')", "", 0);
    want_bytes(&all, "base64.decode('aGVs\\nbG8=\\r\\n')", "hello", 5);
    want_bytes(&all, "base64.decode(base64.encode(b'Hello World!'))", "Hello World!", 12);
    /* trailing bits are not checked (StdEncoding is not Strict) */
    want_bytes(&all, "base64.decode('YWJ=')", "ab", 2);
    /* the padded decoder fails, then the unpadded one's offset is reported */
    want_err(&all, "base64.decode('aGVs*G8=')", "illegal base64 data at input byte 4");
    want_err(&all, "base64.decode('a')", "illegal base64 data at input byte 0");
    want_err(&all, "base64.decode('aGVsbG8==')", "illegal base64 data at input byte 7");
    want_err(&all, "base64.decode('a===')", "illegal base64 data at input byte 1");
    want_err(&all, "base64.decode('aGVsbG8=x')", "illegal base64 data at input byte 7");
    want_err(&all, "base64.decode('-_-_')", "illegal base64 data at input byte 0");
    want_compile_err(&all, "base64.encode('hello')",
                     "found no matching overload for 'base64.encode' applied to '(string)'");
    want_compile_err(&all, "base64.decode(b'aGVsbG8=')",
                     "found no matching overload for 'base64.decode' applied to '(bytes)'");
}

static void test_json_encode(void **state)
{
    const ext_env *e = &v1; /* bare: mixed literals allowed */
    want_str(e, "json.encode({'hello': 'world'})", "{\"hello\":\"world\"}");
    want_str(e, "json.encode({'b': 1, 'a': [true, null, 2.5]})", "{\"a\":[true,null,2.5],\"b\":1}");
    want_str(e, "json.encode(9007199254740991)", "9007199254740991");
    want_str(e, "json.encode(9007199254740992)", "\"9007199254740992\"");
    want_str(e, "json.encode(-9007199254740992)", "\"-9007199254740992\"");
    want_str(e, "json.encode(18446744073709551615u)", "\"18446744073709551615\"");
    want_str(e, "json.encode([1e21, 1e-7, 0.000001, 123456789.0, -0.0])",
             "[1e+21,1e-7,0.000001,123456789,-0]");
    want_str(e, "json.encode('<a>&\\u2028\\t\\x01\"')", "\"\\u003ca\\u003e\\u0026\\u2028\\t\\u0001\\\"\"");
    want_str(e, "json.encode(b'hi')", "\"aGk=\"");
    want_str(e, "json.encode([duration('1.5s'), timestamp('2009-02-13T23:31:30Z')])",
             "[\"1.5s\",\"2009-02-13T23:31:30Z\"]");
    want_str(e, "json.encode({})", "{}");
    want_err(e, "json.encode(double('NaN'))",
             "proto: google.protobuf.Value.number_value: invalid NaN value");
    want_err(e, "json.encode({1: 2})", "unsupported map key type: int");
    want_err(e, "json.encode(int)", "type conversion error from 'type' to 'google.protobuf.Value'");
}

static void test_versions(void **state)
{
    want_compile_err(&v0, "json.encode(1)", "undeclared reference to 'json'");
    want_str(&v0, "base64.encode(b'hello')", "aGVsbG8=");
    want_compile_err(&k37, "base64.encode(b'hello')", "undeclared reference to 'base64'");
    for (unsigned minor = CEL_K8S_OLDEST_MINOR; minor <= CEL_K8S_NEWEST_MINOR; minor++) {
        ext_env k;
        assert_true(ext_env_init(&k, cel_env_new_k8s(minor, NULL)));
        want_compile_err(&k, "base64.decode('')", "undeclared reference to 'base64'");
        cel_env_free(k.env);
    }
    assert_ptr_equal(cel_encoders_library(5), &cel_lib_ext_encoders[CEL_ENCODERS_NEWEST]);
}

static void test_costs(void **state)
{
    cel_value s = STR("aGVsbG8gd29ybGQgYW5kIG1vcmU="); /* 28 */
    /* version 0: the default 1; version 1: ceil(0.1 * size) + 1; s costs 1 */
    want_cost_with(&v0, "base64.decode(s)", &s, 2);
    want_cost_with(&v1, "base64.decode(s)", &s, 5);
    want_cost_with(&all, "base64.encode(base64.decode(s))", &s, 5 + 3);
    /* json.encode is "infinitely" expensive: any limit stops it */
    cel_diag d = {0};
    cel_program *p = cel_compile(v1.env, "json.encode(1)", 14, &d);
    assert_non_null(p);
    cel_arena *a = cel_arena_new(0);
    cel_eval_opts o = {.cost_limit = 1000000};
    cel_value v = cel_eval(p, &(cel_activation){NULL, 0}, a, &o, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_string_equal(v.u.err->msg, "operation cancelled: actual cost limit exceeded");
    cel_arena_free(a);
    cel_program_free(p);
}

int main(void)
{
    const void *volatile link[] = {(const void *)cel_parse, &cel_lib_std, &cel_lib_time};
    (void)link;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_json_encode),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_costs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
