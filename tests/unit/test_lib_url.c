/*
 * test_lib_url.c: the Kubernetes URL library: the examples of
 * k8s.io/apiserver library/urls.go ("upstream"), Go 1.26 net/url parsing
 * (ParseRequestURI's checks and texts, then url.Parse's fragment and
 * authority handling, urlstrictcolons for http(s)), the accessors, query
 * decoding, String()-based equality, costs and printing.
 */
#include "k8s_types_support.h"

#define ERR "URL parse error during conversion from string: "

static void test_upstream_examples(void **state)
{
    fixture *f = *state;
    want_bool(f, "isURL('https://user:pass@example.com:80/path?query=val#fragment')", true);
    want_bool(f, "isURL('/absolute-path')", true);
    want_bool(f, "isURL('https://a:b:c/')", false);
    want_bool(f, "isURL('../relative-path')", false);
    want_error(f, "url('https://a:b:c/')", ERR "parse \"https://a:b:c/\": invalid port \":b:c\" after host");
    want_error(f, "url('../relative-path')", ERR "parse \"../relative-path\": invalid URI for request");
    want_string(f, "url('/path').getScheme()", "");
    want_string(f, "url('https://example.com/').getScheme()", "https");
    want_string(f, "url('https://example.com:80/').getHost()", "example.com:80");
    want_string(f, "url('https://example.com/').getHost()", "example.com");
    want_string(f, "url('https://[::1]:80/').getHost()", "[::1]:80");
    want_string(f, "url('https://[::1]/').getHost()", "[::1]");
    want_string(f, "url('/path').getHost()", "");
    want_string(f, "url('https://example.com:80/').getHostname()", "example.com");
    want_string(f, "url('https://127.0.0.1:80/').getHostname()", "127.0.0.1");
    want_string(f, "url('https://[::1]:80/').getHostname()", "::1");
    want_string(f, "url('/path').getHostname()", "");
    want_string(f, "url('https://example.com:80/').getPort()", "80");
    want_string(f, "url('https://example.com/').getPort()", "");
    want_string(f, "url('/path').getPort()", "");
    want_string(f, "url('https://example.com/path').getEscapedPath()", "/path");
    want_string(f, "url('https://example.com/path with spaces/').getEscapedPath()",
                "/path%20with%20spaces/");
    want_string(f, "url('https://example.com').getEscapedPath()", "");
    want_bool(f, "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == "
                 "{'k1': ['a'], 'k2': ['b', 'c']}",
              true);
    want_bool(f, "url('https://example.com/path?key with spaces=value with spaces').getQuery() == "
                 "{'key with spaces': ['value with spaces']}",
              true);
    want_bool(f, "url('https://example.com/path?').getQuery() == {}", true);
    want_bool(f, "url('https://example.com/path').getQuery() == {}", true);
}

/* Every reason Go's parser gives, in the order it checks them. */
static void test_parse_errors(void **state)
{
    fixture *f = *state;
    want_error(f, "url('http://a/\\n')", ERR "parse \"http://a/\\n\": net/url: invalid control character in URL");
    want_error(f, "url('')", ERR "parse \"\": empty url");
    want_error(f, "url(':foo')", ERR "parse \":foo\": missing protocol scheme");
    want_error(f, "url('a/b')", ERR "parse \"a/b\": invalid URI for request");
    want_string(f, "url('a:b').getScheme()", "a"); /* scheme:opaque */
    want_error(f, "url('http://[::1')", ERR "parse \"http://[::1\": missing ']' in host");
    want_error(f, "url('http://[1.2.3.4]/')", ERR "parse \"http://[1.2.3.4]/\": invalid IP-literal");
    want_error(f, "url('http://a[::1]/')", ERR "parse \"http://a[::1]/\": invalid IP-literal");
    want_error(f, "url('http://[zz]/')",
               ERR "parse \"http://[zz]/\": invalid host: ParseAddr(\"zz\"): unable to parse IP");
    want_error(f, "url('http://[::1]x/')", ERR "parse \"http://[::1]x/\": invalid port \"x\" after host");
    want_error(f, "url('http://a%zz/')", ERR "parse \"http://a%zz/\": invalid URL escape \"%zz\"");
    want_error(f, "url('http://a%41/')", ERR "parse \"http://a%41/\": invalid URL escape \"%41\"");
    want_error(f, "url('http://a b/')", ERR "parse \"http://a b/\": invalid character \" \" in host name");
    want_error(f, "url('http://us er@host/')", ERR "parse \"http://us er@host/\": net/url: invalid userinfo");
    want_error(f, "url('/a%2')", ERR "parse \"/a%2\": invalid URL escape \"%2\"");
    want_error(f, "url('http://h:80x/')", ERR "parse \"http://h:80x/\": invalid port \":80x\" after host");
    /* strict colons are for http and https only: other schemes split at the last */
    want_error(f, "url('foo://a:b:c/')", ERR "parse \"foo://a:b:c/\": invalid port \":c\" after host");
    want_string(f, "url('foo://a:b:1/').getHostname()", "a:b");
    want_string(f, "url('foo://a:b:1/').getPort()", "1");
    /* zones in IP literals, %25-escaped */
    want_string(f, "url('http://[fe80::1%25en0]:8080/').getHostname()", "fe80::1%en0");
    want_error(f, "url('http://[fe80::1%25%0A]/')",
               ERR "parse \"http://[fe80::1%25%0A]/\": invalid URL escape \"%0A\"");
    /* inputs are quoted Go-style: printable runes kept, others escaped */
    want_error(f, "url('http://\u00e9 b\u200b/')",
               ERR "parse \"http://\xc3\xa9 b\\u200b/\": invalid character \" \" in host name");
}

static void test_parse_forms(void **state)
{
    fixture *f = *state;
    /* the fragment is split off by url.Parse, after ParseRequestURI accepted it */
    want_string(f, "url('https://example.com/path#frag').getEscapedPath()", "/path");
    want_bool(f, "url('https://h/p?q=1#f').getQuery() == {'q': ['1']}", true);
    /* //authority without a scheme: a path to ParseRequestURI, a host to Parse */
    want_string(f, "url('//example.com/x').getHost()", "example.com");
    want_string(f, "url('//example.com/x').getEscapedPath()", "/x");
    want_string(f, "url('///x').getEscapedPath()", "///x");
    /* opaque, userinfo, scheme case */
    want_string(f, "url('mailto:someone@example.com').getScheme()", "mailto");
    want_string(f, "url('mailto:someone@example.com').getEscapedPath()", "");
    want_string(f, "url('HTTPS://Example.COM/A').getScheme()", "https");
    want_string(f, "url('HTTPS://Example.COM/A').getHost()", "Example.COM");
    want_string(f, "url('https://u:p%40ss@h/').getHost()", "h");
    want_string(f, "url('*').getEscapedPath()", "*");
    want_string(f, "url('http://h/a%2Fb').getEscapedPath()", "/a%2Fb");
    want_string(f, "url('http://h/a%41').getEscapedPath()", "/a%41"); /* RawPath kept */
    want_string(f, "url('http://h/%e2%82%ac').getEscapedPath()", "/%e2%82%ac");
    want_string(f, "url('http://h/\xe2\x82\xac').getEscapedPath()", "/%E2%82%AC");
    want_string(f, "url('http://h/a?b').getEscapedPath()", "/a");
    want_string(f, "url('http://[::1%25eth0]/').getHost()", "[::1%eth0]");
    want_string(f, "url('http://h%C3%A9/').getHost()", "h\xc3\xa9");
}

static void test_query(void **state)
{
    fixture *f = *state;
    want_bool(f, "url('https://a/?a=1;b=2&c=3').getQuery() == {'c': ['3']}", true);
    want_bool(f, "url('https://a/?a=%zz&b=1').getQuery() == {'b': ['1']}", true);
    want_bool(f, "url('https://a/?a=b+c%20d').getQuery() == {'a': ['b c d']}", true);
    want_bool(f, "url('https://a/?x&&y=&x=2').getQuery() == {'x': ['', '2'], 'y': ['']}", true);
    want_bool(f, "url('https://a/?%3D=%26').getQuery() == {'=': ['&']}", true);
    want_bool(f, "url('https://a/?a=1#b=2').getQuery() == {'a': ['1']}", true);
    want_bool(f, "type(url('/a').getQuery()) == map", true);
    /* Go's GODEBUG urlmaxqueryparams default: past 10000 parameters the map is empty */
    size_t n = 10001;
    char *q = malloc(8 + 4 * n);
    assert_non_null(q);
    strcpy(q, "/p?");
    for (size_t i = 0; i < n; i++)
        strcat(q, i ? "&a=1" : "a=1");
    want_bool_s(f, "url(s).getQuery() == {}", q, true);
    q[strlen(q) - 4] = '\0'; /* 10000 */
    want_bool_s(f, "size(url(s).getQuery()['a']) == 10000", q, true);
    free(q);
}

static void test_equality(void **state)
{
    fixture *f = *state;
    want_bool(f, "url('https://example.com') == url('https://example.com')", true);
    want_bool(f, "url('HTTPS://example.com') == url('https://example.com')", true);
    want_bool(f, "url('https://EXAMPLE.com') == url('https://example.com')", false);
    want_bool(f, "url('https://a/b%20c') == url('https://a/b c')", true);
    want_bool(f, "url('https://a/#x') == url('https://a/#y')", false);
    want_bool(f, "url('https://a/#') == url('https://a/')", true);
    want_bool(f, "url('https://a/?') == url('https://a/')", false);
    want_bool(f, "url('https://u:p@a/') == url('https://u:p@a/')", true);
    want_bool(f, "url('https://a/') != url('https://a')", true);
    want_error(f, "dyn(url('/a')) == dyn('/a')", "no such overload");
    want_bool(f, "dyn('/a') == dyn(url('/a'))", false);
    want_bool(f, "dyn('/a') in [dyn(url('/a'))]", false);
    want_error(f, "dyn(url('/a')) in [dyn('/a')]", "no such overload");
    want_bool(f, "url('/a') in [url('/b'), url('/a')]", true);
    want_compile_error(f, "url('/a') == '/a'", "found no matching overload for '_==_'");
}

static void test_costs(void **state)
{
    fixture *f = *state;
    want_cost_s(f, "url('https://example.com')", NULL, 2);      /* ceil(1.9) */
    want_cost_s(f, "isURL('https://example.com')", NULL, 1);    /* not priced: 1 */
    want_cost_s(f, "url('https://example.com').getHost()", NULL, 3);
    want_cost_s(f, "url('/a').getQuery()", NULL, 2);
    want_cost_s(f, "url(s).getScheme()", "https://example.com/a/b/c", 5); /* 1 + 3 + 1 */
    want_cost_s(f, "url('/a') == url('/a')", NULL, 3);
}

static void test_versions_and_types(void **state)
{
    fixture *f = *state;
    assert_true(compiles_in(28, "url('/a').getHost()"));
    assert_true(compiles_in(28, "isURL('/a')"));
    want_compile_error(f, "isURL(1)", "found no matching overload for 'isURL' applied to '(int)'");
    want_compile_error(f, "url('/a').getQuery()['a'] == 1", "found no matching overload");
    want_literal(f, "type(url('/a'))", "kubernetes.URL");
    want_literal(f, "url('HTTPS://h/a b?x=1#f g')", "url(\"https://h/a%20b?x=1#f%20g\")");
}

int main(void)
{
    K8S_TYPES_LINK();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upstream_examples, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_parse_forms, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_query, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_equality, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_costs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_versions_and_types, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
