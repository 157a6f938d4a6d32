/*
 * test_lib_regex.c: the Kubernetes regex library (find, findAll) on the
 * RE2-on-PCRE2 engine: Go's FindString / FindAllString results (empty
 * matches, limits, anchors, code points), literal patterns compiled with
 * the program (a bad literal is a compile error, or a run-time one where
 * literal errors are deferred), patterns computed at run time, RE2's
 * refusals, pathological patterns, presence in every Kubernetes version,
 * and Kubernetes' costs.
 */
#include "strx_support.h"
#include "cel/ext_strings.h"

static ext_env k37, deferred;

static int setup(void **state)
{
    cel_env_options o = {.std_lib = true, .defer_literal_errors = true};
    cel_env *env = cel_env_new(&o);
    if (env && cel_env_add_library(env, &cel_lib_k8s_regex) != 0) {
        cel_env_free(env);
        env = NULL;
    }
    return ext_env_init(&k37, cel_env_new_k8s(0, NULL)) && ext_env_init(&deferred, env) ? 0 : -1;
}

static int teardown(void **state)
{
    cel_env_free(k37.env);
    cel_env_free(deferred.env);
    ext_done();
    return 0;
}

static void test_find(void **state)
{
    want_str(&k37, "'abc 123'.find('[0-9]+')", "123");
    want_str(&k37, "'abc 123'.find('xyz')", "");
    /* leftmost match, even when it is empty */
    want_str(&k37, "'abc 123'.find('[0-9]*')", "");
    want_str(&k37, "'ab©cd'.find('©.')", "©c");
    want_str(&k37, "'aaa'.find('a+?')", "a");
    want_str(&k37, "'foo bar'.find('(?i)BAR')", "bar");
}

static void test_find_all(void **state)
{
    want_true(&k37, "'123 abc 456'.findAll('[0-9]+') == ['123', '456']");
    want_true(&k37, "'123 abc 456'.findAll('[0-9]+', 1) == ['123']");
    want_true(&k37, "'123 abc 456'.findAll('[0-9]+', 0) == []");
    want_true(&k37, "'123 abc 456'.findAll('[0-9]+', -1) == ['123', '456']");
    want_true(&k37, "'123 abc 456'.findAll('[0-9]+', 5) == ['123', '456']");
    want_true(&k37, "'123 abc 456'.findAll('xyz') == []");
    /* Go: empty matches count, except one right after the previous match */
    want_true(&k37, "'123 abc 456'.findAll('[0-9]*') == ['123', '', '', '', '', '456']");
    want_true(&k37, "'ab'.findAll('a*') == ['a', '']");
    want_true(&k37, "'aé'.findAll('') == ['', '', '']");
    want_true(&k37, "''.findAll('') == ['']");
    /* ^ sees the whole text, not each restart */
    want_true(&k37, "'aaa'.findAll('^a') == ['a']");
    want_true(&k37, "'a a a'.findAll('\\\\ba') == ['a', 'a', 'a']");
}

static void test_patterns(void **state)
{
    /* a literal pattern is compiled with the program */
    want_compile_err(&k37, "'x'.find('[')",
                     "ERROR: <input>:1:9: error parsing regexp: missing closing ]: `[`");
    want_compile_err(&k37, "'x'.findAll('(')", "error parsing regexp: missing closing ): `(`");
    want_compile_err(&k37, "'x'.findAll('a{2,1}', 1)", "error parsing regexp: invalid repeat count");
    /* RE2 has no backreferences or lookaround */
    want_compile_err(&k37, "'aa'.find('(a)\\\\1')", "error parsing regexp: invalid escape sequence: `\\1`");
    want_compile_err(&k37, "'ab'.find('a(?=b)')", "error parsing regexp: invalid or unsupported Perl syntax");
    /* computed patterns fail at run time, as Kubernetes' "Illegal regex" */
    cel_value re = STR("[");
    want_err_with(&k37, "'x'.find(s)", &re, NULL,
                  "Illegal regex: error parsing regexp: missing closing ]: `[`");
    want_err_with(&k37, "'x'.findAll(s)", &re, NULL,
                  "Illegal regex: error parsing regexp: missing closing ]: `[`");
    want_err_with(&k37, "'x'.findAll(s, 2)", &re, NULL,
                  "Illegal regex: error parsing regexp: missing closing ]: `[`");
    /* where literal errors are deferred (plain cel-go), the literal too */
    want_err(&deferred, "'x'.find('[')", "Illegal regex: error parsing regexp: missing closing ]: `[`");
    cel_value ok = STR("b+");
    cel_value v = ext_eval(&k37, "'abbbc'.find(s)", &ok, NULL, NULL);
    assert_int_equal(v.kind, CEL_STRING);
    assert_int_equal(v.len, 3);
}

static void test_pathological(void **state)
{
    /* backtracking is bounded: an error, quickly, not a hang */
    cel_value s = STR("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
    cel_value v = ext_eval(&k37, "s.findAll('^(a+)+$')", &s, NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_non_null(strstr(v.u.err->msg, "regular expression"));
    v = ext_eval(&k37, "s.find('(a|a)*!x')", &s, NULL, NULL);
    assert_true(v.kind == CEL_ERROR || (v.kind == CEL_STRING && v.len == 0));
}

static void test_versions(void **state)
{
    for (unsigned minor = CEL_K8S_OLDEST_MINOR; minor <= CEL_K8S_NEWEST_MINOR; minor++) {
        ext_env k;
        assert_true(ext_env_init(&k, cel_env_new_k8s(minor, NULL)));
        want_str(&k, "'abc 123'.find('[0-9]+')", "123");
        cel_env_free(k.env);
    }
    want_compile_err(&k37, "'abc'.find(1)", "found no matching overload for 'find' applied to 'string.(int)'");
    want_compile_err(&k37, "'abc'.findAll('a', 'b')",
                     "found no matching overload for 'findAll' applied to 'string.(string, string)'");
}

static void test_costs(void **state)
{
    /* as matches: ceil(0.1 * (1 + size)) * ceil(0.25 * size(regex)); s costs 1 */
    cel_value s = STR("abc 123");
    want_cost_with(&k37, "s.find('[0-9]+')", &s, 3);
    want_cost_with(&k37, "s.findAll('[0-9]+')", &s, 3);
    want_cost_with(&k37, "s.findAll('[0-9]+', 1)", &s, 3);
    cel_value long_s = STR("0123456789012345678901234567890123456789"); /* 40 */
    want_cost_with(&k37, "s.findAll('[0-9][0-9][0-9]')", &long_s, 1 + 5 * 4);
    want_cost_with(&k37, "'aaa'.findAll('')", NULL, 0);
}

int main(void)
{
    const void *volatile link[] = {(const void *)cel_parse, &cel_lib_std, &cel_lib_time};
    (void)link;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_find_all),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_costs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
