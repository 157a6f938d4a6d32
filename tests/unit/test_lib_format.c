/*
 * test_lib_format.c: the Kubernetes format library (1.31+): the cases of
 * k8s.io/apiserver library/format_test.go ("upstream"), every message of
 * the apimachinery name validators, the strfmt checks (uuid, byte, date,
 * datetime), uri through url.ParseRequestURI, format.named, equality of
 * formats, validate()'s regex-priced cost, version gating and printing.
 * Optionals are inspected through the C API (the optional library is not
 * this one).
 */
#include "k8s_types_support.h"

#define DNS1123_LABEL                                                                             \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and " \
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "   \
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define DNS1123_SUBDOMAIN                                                                         \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " \
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used " \
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_LABEL                                                                            \
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " \
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "         \
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define NAME_PART                                                                                    \
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for " \
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABEL_VALUE                                                                               \
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or " \
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "           \
    "'my_value',  or '12345', regex used for validation is "                                    \
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

#define ONE(f, src, sval, msg)                         \
    do {                                               \
        const char *const m_[] = {msg};                \
        want_messages(f, src, sval, 1, m_);            \
    } while (0)

static void test_upstream_valid(void **state)
{
    fixture *f = *state;
    want_none(f, "format.dns1123Label().validate('my-label-name')", NULL);
    want_none(f, "format.dns1123Subdomain().validate('apiextensions.k8s.io')", NULL);
    want_none(f, "format.qualifiedName().validate('apiextensions.k8s.io/v1beta1')", NULL);
    want_none(f, "format.dns1123LabelPrefix().validate('my-label-prefix-')", NULL);
    want_none(f, "format.dns1123SubdomainPrefix().validate('mysubdomain.prefix.-')", NULL);
    want_none(f, "format.dns1035LabelPrefix().validate('my-label-prefix-')", NULL);
    want_none(f, "format.uri().validate('http://example.com')", NULL);
    want_none(f, "format.uuid().validate('123e4567-e89b-12d3-a456-426614174000')", NULL);
    want_none(f, "format.byte().validate('aGVsbG8=')", NULL);
    want_none(f, "format.date().validate('2021-01-01')", NULL);
    want_none(f, "format.datetime().validate('2021-01-01T00:00:00Z')", NULL);
    want_none(f, "format.dns1123Subdomain().validate('example.com')", NULL);
    want_none(f, "format.dns1035Label().validate('my-label-name')", NULL);
    want_none(f, "format.qualifiedName().validate('my.name')", NULL);
    want_none(f, "format.labelValue().validate('my-cool-label-Value')", NULL);
    want_none(f, "format.date().validate('2020-01-01')", NULL);
    want_none(f, "format.datetime().validate('2020-01-01T00:00:00Z')", NULL);
}

static void test_upstream_invalid(void **state)
{
    fixture *f = *state;
    ONE(f, "format.dns1123Label().validate('contains a space')", NULL, DNS1123_LABEL);
    ONE(f, "format.dns1123Subdomain().validate('contains a space')", NULL, DNS1123_SUBDOMAIN);
    ONE(f, "format.dns1035Label().validate('contains a space')", NULL, DNS1035_LABEL);
    ONE(f, "format.qualifiedName().validate('contains a space')", NULL, NAME_PART);
    ONE(f, "format.dns1123LabelPrefix().validate('contains a space-')", NULL, DNS1123_LABEL);
    ONE(f, "format.dns1123SubdomainPrefix().validate('contains a space-')", NULL, DNS1123_SUBDOMAIN);
    ONE(f, "format.dns1035LabelPrefix().validate('contains a space-')", NULL, DNS1035_LABEL);
    ONE(f, "format.byte().validate('aGVsbG8')", NULL, "invalid base64");
    ONE(f, "format.date().validate('2020-01-32')", NULL, "invalid date");
    ONE(f, "format.datetime().validate('2020-01-32T00:00:00Z')", NULL, "invalid datetime");
    ONE(f, "format.labelValue().validate('my-cool-label-Value!!\\n\\n!!!')", NULL, LABEL_VALUE);
}

static void test_names_and_lengths(void **state)
{
    fixture *f = *state;
    char s64[65], s254[255];
    memset(s64, 'a', 64);
    s64[64] = '\0';
    memset(s254, 'a', 254);
    s254[254] = '\0';
    ONE(f, "format.dns1123Label().validate(s)", s64, "must be no more than 63 bytes");
    ONE(f, "format.dns1035Label().validate(s)", s64, "must be no more than 63 bytes");
    ONE(f, "format.labelValue().validate(s)", s64, "must be no more than 63 bytes");
    ONE(f, "format.qualifiedName().validate(s)", s64, "name part must be no more than 63 bytes");
    ONE(f, "format.dns1123Subdomain().validate(s)", s254, "must be no more than 253 bytes");
    want_none(f, "format.dns1123Subdomain().validate(s)", s64);
    s64[63] = '\0';
    want_none(f, "format.dns1123Label().validate(s)", s64);
    /* the masked prefix form is checked at its masked length */
    s64[63] = '-';
    want_none(f, "format.dns1123LabelPrefix().validate(s)", s64);
    ONE(f, "format.dns1123Label().validate('a.b')", NULL, "must not contain dots");
    ONE(f, "format.dns1035Label().validate('1abc')", NULL, DNS1035_LABEL);
    ONE(f, "format.dns1123Label().validate('-a')", NULL, DNS1123_LABEL);
    ONE(f, "format.dns1123Label().validate('')", NULL, DNS1123_LABEL);
    ONE(f, "format.dns1123Subdomain().validate('a..b')", NULL, DNS1123_SUBDOMAIN);
    ONE(f, "format.dns1123Subdomain().validate('A.b')", NULL, DNS1123_SUBDOMAIN);
    ONE(f, "format.dns1123Label().validate('abc\\n')", NULL, DNS1123_LABEL);
    {
        const char *const m[] = {"must be no more than 63 bytes", DNS1123_LABEL};
        char s[70];
        memset(s, 'a', 68);
        s[0] = '-';
        s[68] = '\0';
        want_messages(f, "format.dns1123Label().validate(s)", s, 2, m);
    }
    /* maskTrailingDash drops two bytes and adds one: "ab-" reads "aa" */
    want_none(f, "format.dns1123LabelPrefix().validate('ab-')", NULL);
    want_none(f, "format.dns1123LabelPrefix().validate('a-')", NULL);
    want_none(f, "format.dns1123LabelPrefix().validate('a_-')", NULL); /* reads "aa" */
    ONE(f, "format.dns1123LabelPrefix().validate('a_b-')", NULL, DNS1123_LABEL); /* "a_a" */
    /* and slices out of range on "-": Go panics, CEL reports it */
    want_error(f, "format.dns1123LabelPrefix().validate('-')",
               "internal error: runtime error: slice bounds out of range [:-1]");
    want_error(f, "format.dns1035LabelPrefix().validate('-')",
               "internal error: runtime error: slice bounds out of range [:-1]");
    want_none(f, "format.labelValue().validate('')", NULL);
    ONE(f, "format.labelValue().validate('-a')", NULL, LABEL_VALUE);
}

static void test_qualified_name(void **state)
{
    fixture *f = *state;
    want_none(f, "format.qualifiedName().validate('example.com/MyName_1')", NULL);
    ONE(f, "format.qualifiedName().validate('a/b/c')", NULL,
        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    ONE(f, "format.qualifiedName().validate('/a')", NULL, "prefix part must be non-empty");
    {
        const char *const m[] = {"name part must be non-empty", NAME_PART};
        want_messages(f, "format.qualifiedName().validate('a/')", NULL, 2, m);
    }
    ONE(f, "format.qualifiedName().validate('Example.com/abc')", NULL,
        "prefix part " DNS1123_SUBDOMAIN);
    {
        char s[300];
        memset(s, 'a', 254);
        strcpy(s + 254, "/-x");
        const char *const m[] = {"prefix part must be no more than 253 bytes", NAME_PART};
        want_messages(f, "format.qualifiedName().validate(s)", s, 2, m);
    }
}

static void test_strfmt(void **state)
{
    fixture *f = *state;
    want_none(f, "format.uuid().validate('123e4567e89b12d3a456426614174000')", NULL);
    want_none(f, "format.uuid().validate('123E4567-E89B-12D3-A456-426614174000')", NULL);
    want_none(f, "format.uuid().validate('123e4567-e89b12d3-a456-426614174000')", NULL);
    ONE(f, "format.uuid().validate('123e4567-e89b-12d3-a456-42661417400')", NULL,
        "does not match the UUID format");
    ONE(f, "format.uuid().validate('123e4567--e89b-12d3-a456-426614174000')", NULL,
        "does not match the UUID format");
    ONE(f, "format.uuid().validate('g23e4567-e89b-12d3-a456-426614174000')", NULL,
        "does not match the UUID format");
    want_none(f, "format.byte().validate('aGVsbA==')", NULL);
    want_none(f, "format.byte().validate('aGVsbG8h')", NULL);
    want_none(f, "format.byte().validate('+/+/')", NULL);
    ONE(f, "format.byte().validate('')", NULL, "invalid base64");
    ONE(f, "format.byte().validate('aGVs bG8=')", NULL, "invalid base64");
    ONE(f, "format.byte().validate('aGVsbG8-')", NULL, "invalid base64");
    ONE(f, "format.byte().validate('aG=sbG8=')", NULL, "invalid base64");
    ONE(f, "format.byte().validate('a===')", NULL, "invalid base64");
    want_none(f, "format.date().validate('2024-02-29')", NULL);
    want_none(f, "format.date().validate('2000-02-29')", NULL);
    want_none(f, "format.date().validate('0000-01-01')", NULL);
    ONE(f, "format.date().validate('1900-02-29')", NULL, "invalid date");
    ONE(f, "format.date().validate('2023-02-29')", NULL, "invalid date");
    ONE(f, "format.date().validate('2021-1-01')", NULL, "invalid date");
    ONE(f, "format.date().validate('2021-13-01')", NULL, "invalid date");
    ONE(f, "format.date().validate('2021-04-31')", NULL, "invalid date");
    ONE(f, "format.date().validate('2021-01-01 ')", NULL, "invalid date");
    want_none(f, "format.datetime().validate('2020-01-01t00:00:00z')", NULL);
    want_none(f, "format.datetime().validate('2020-01-01T23:59:59.999+05:30')", NULL);
    want_none(f, "format.datetime().validate('2020-01-01T23:59:59,5Z')", NULL);
    want_none(f, "format.datetime().validate('2020-01-01T10:00:00\\u00e95Z')", NULL);
    /* only the first two pieces of a split at 't' are looked at */
    want_none(f, "format.datetime().validate('2020-01-01T00:00:00Zt garbage')", NULL);
    ONE(f, "format.datetime().validate('2020-01-01T24:00:00Z')", NULL, "invalid datetime");
    ONE(f, "format.datetime().validate('2020-01-01T00:60:00Z')", NULL, "invalid datetime");
    ONE(f, "format.datetime().validate('2020-01-01T00:00:00')", NULL, "invalid datetime");
    ONE(f, "format.datetime().validate('2020-01-01 00:00:00Z')", NULL, "invalid datetime");
    ONE(f, "format.datetime().validate('2020-01-01T00:00:00.Z')", NULL, "invalid datetime");
    ONE(f, "format.datetime().validate('2020-01-01T00:00:00\\n5Z')", NULL, "invalid datetime");
    ONE(f, "format.datetime().validate('2020-01-01T00:00:00+0530')", NULL, "invalid datetime");
    ONE(f, "format.uri().validate('x')", NULL, "parse \"x\": invalid URI for request");
    ONE(f, "format.uri().validate('https://a:b:c/')", NULL,
        "parse \"https://a:b:c/\": invalid port \":b:c\" after host");
    want_none(f, "format.uri().validate('/just/a/path')", NULL);
}

static void test_named_and_equality(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {
        "dns1123Label", "dns1123Subdomain", "dns1035Label", "qualifiedName", "dns1123LabelPrefix",
        "dns1123SubdomainPrefix", "dns1035LabelPrefix", "labelValue", "uri", "uuid", "byte",
        "date", "datetime"};
    for (size_t i = 0; i < LEN(names); i++) {
        char src[200], want[200];
        snprintf(src, sizeof src, "format.named('%s')", names[i]);
        snprintf(want, sizeof want, "optional.of(format.%s())", names[i]);
        want_literal(f, src, want);
        for (size_t j = 0; j < LEN(names); j++) {
            snprintf(src, sizeof src, "format.%s() == format.%s()", names[i], names[j]);
            want_bool(f, src, i == j);
        }
    }
    want_none(f, "format.named('unknown')", NULL);
    want_none(f, "format.named('DNS1123Label')", NULL); /* the lookup is by function name */
    want_none(f, "format.named('portName')", NULL);
    want_error(f, "dyn(format.uri()) == dyn('uri')", "no such overload");
    want_literal(f, "type(format.uri())", "kubernetes.NamedFormat");
    want_compile_error(f, "format.uri() == 'uri'", "found no matching overload for '_==_'");
    want_compile_error(f, "format.nope()", "undeclared reference");
    want_compile_error(f, "format.uri().validate(1)", "found no matching overload for 'validate'");
}

static void test_costs(void **state)
{
    fixture *f = *state;
    /* format.x() 1, validate ceil((1 + 13) * 0.1) * ceil(30 * 0.25) = 2 * 8 */
    want_cost_s(f, "format.dns1123Label().validate('my-label-name')", NULL, 17);
    /* uri: govalidator's URL pattern is 1103 bytes: ceil(275.75) = 276 */
    want_cost_s(f, "format.uri().validate('http://example.com')", NULL, 553);
    want_cost_s(f, "format.uuid().validate(s)", "123e4567-e89b-12d3-a456-426614174000", 1 + 1 + 4 * 18);
    want_cost_s(f, "format.byte().validate(s)", "", 1 + 1 + 1 * 21);
    want_cost_s(f, "format.datetime().validate(s)", "2021-01-01T00:00:00Z", 1 + 1 + 3 * 18);
    want_cost_s(f, "format.labelValue().validate(s)", "abc", 1 + 1 + 1 * 10);
    want_cost_s(f, "format.qualifiedName().validate(s)", "abc", 1 + 1 + 1 * 15);
    want_cost_s(f, "format.named('uri')", NULL, 1);
    want_cost_s(f, "format.uri() == format.uri()", NULL, 3);
}

static void test_versions(void **state)
{
    assert_false(compiles_in(30, "format.dns1123Label()"));
    assert_false(compiles_in(30, "format.named('uri')"));
    assert_true(compiles_in(31, "format.named('uri')"));
    assert_true(compiles_in(31, "format.dns1123Label().validate('a')"));
    assert_true(compiles_in(37, "format.datetime().validate('a')"));
}

int main(void)
{
    K8S_TYPES_LINK();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upstream_valid, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_upstream_invalid, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_names_and_lengths, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_qualified_name, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_strfmt, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_named_and_equality, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_costs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_versions, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
