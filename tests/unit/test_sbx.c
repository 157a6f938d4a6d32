/*
 * test_sbx.c: the sandbox's pure parts: request routing, Status errors and
 * their causes, Table rendering and ages, the three patch formats, and
 * protobuf request bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sandbox/sbx.h"

/* ---------------------------------------------------------------- routing */

static void test_route_resources(void **state)
{
    (void)state;
    sbx_route r;
    sbx_route_parse("/apis/networking.k8s.io/v1/servicecidrs/newcidr1", &r);
    assert_int_equal(r.type, SBX_R_RESOURCE);
    assert_string_equal(r.kind->kind, "ServiceCIDR");
    assert_string_equal(r.name, "newcidr1");
    assert_string_equal(r.ns, "");
    sbx_route_parse("/api/v1/namespaces/default/services", &r);
    assert_int_equal(r.type, SBX_R_RESOURCE);
    assert_string_equal(r.kind->resource, "services");
    assert_string_equal(r.ns, "default");
    assert_string_equal(r.name, "");
    sbx_route_parse("/api/v1/namespaces/default", &r);
    assert_string_equal(r.kind->resource, "namespaces");
    assert_string_equal(r.name, "default");
    sbx_route_parse("/api/v1/namespaces/kube-system/status", &r);
    assert_string_equal(r.kind->resource, "namespaces");
    assert_string_equal(r.name, "kube-system");
    assert_string_equal(r.sub, "status");
    sbx_route_parse("/apis/networking.k8s.io/v1beta1/ipaddresses/2001:db8::1", &r);
    assert_int_equal(r.type, SBX_R_RESOURCE);
    assert_string_equal(r.version, "v1beta1");
    assert_string_equal(r.name, "2001:db8::1");
    sbx_route_parse("/api/v1/services", &r); /* all namespaces */
    assert_int_equal(r.type, SBX_R_RESOURCE);
    assert_string_equal(r.ns, "");
}

static void test_route_other(void **state)
{
    (void)state;
    sbx_route r;
    sbx_route_parse("/version", &r);
    assert_int_equal(r.type, SBX_R_VERSION);
    sbx_route_parse("/api", &r);
    assert_int_equal(r.type, SBX_R_API);
    sbx_route_parse("/apis/", &r);
    assert_int_equal(r.type, SBX_R_APIS);
    sbx_route_parse("/apis/networking.k8s.io", &r);
    assert_int_equal(r.type, SBX_R_GROUP);
    sbx_route_parse("/apis/admissionregistration.k8s.io/v1", &r);
    assert_int_equal(r.type, SBX_R_GV);
    sbx_route_parse("/openapi/v3/apis/networking.k8s.io/v1", &r);
    assert_int_equal(r.type, SBX_R_OPENAPI_V3_GV);
    assert_string_equal(r.gv_path, "apis/networking.k8s.io/v1");
    /* Not served: unknown resources, versions, a cluster resource in a
     * namespace, an unknown subresource, empty segments, too deep. */
    const char *bad[] = {"/apis/networking.k8s.io/v1/pods", "/apis/networking.k8s.io/v2/servicecidrs",
                         "/apis/networking.k8s.io/v1/namespaces/default/servicecidrs",
                         "/apis/networking.k8s.io/v1/ipaddresses/10.0.0.1/status",
                         "/api/v1//services", "/api/v2", "/api/v1/namespaces/a/services/b/status/x",
                         "relative", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sbx_route_parse(bad[i], &r);
        assert_int_equal(r.type, SBX_R_NOT_FOUND);
    }
}

/* ---------------------------------------------------------------- status */

static json_t *status_of(const sbx_err *e)
{
    return sbx_status_json(e);
}

static void test_status_not_found(void **state)
{
    (void)state;
    sbx_err e = {0};
    sbx_err_not_found(&e, "networking.k8s.io", "servicecidrs", "newcidr1");
    json_t *st = status_of(&e);
    assert_string_equal(json_string_value(json_object_get(st, "message")),
                        "servicecidrs.networking.k8s.io \"newcidr1\" not found");
    assert_string_equal(json_string_value(json_object_get(st, "reason")), "NotFound");
    assert_int_equal(json_integer_value(json_object_get(st, "code")), 404);
    assert_string_equal(json_string_value(json_object_get(st, "status")), "Failure");
    json_t *d = json_object_get(st, "details");
    assert_string_equal(json_string_value(json_object_get(d, "kind")), "servicecidrs");
    assert_string_equal(json_string_value(json_object_get(d, "group")), "networking.k8s.io");
    json_decref(st);
    sbx_err_not_found(&e, "", "services", "nope");
    assert_string_equal(e.message, "services \"nope\" not found");
    assert_null(json_object_get(e.details, "group"));
    sbx_err_exists(&e, "", "services", "test-1");
    assert_string_equal(e.message, "services \"test-1\" already exists");
    assert_int_equal(e.code, 409);
    sbx_err_conflict(&e, "networking.k8s.io", "servicecidrs", "a");
    assert_string_equal(e.message, "Operation cannot be fulfilled on servicecidrs.networking.k8s.io \"a\": "
                                   "the object has been modified; please apply your changes to the "
                                   "latest version and try again");
    sbx_err_clear(&e);
}

static void test_status_invalid_causes(void **state)
{
    (void)state;
    sbx_err e = {0};
    /* The allocator's joined text is split into causes at field paths,
     * not at the commas inside a detail. */
    sbx_err_from_invalid_text(&e, "networking.k8s.io", "ServiceCIDR", "bad", 422, "Invalid",
                              "ServiceCIDR.networking.k8s.io \"bad\" is invalid: [spec.cidrs[0]: Invalid "
                              "value: \"a,b\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or "
                              "2001:db8::/64), metadata.name: Required value]");
    json_t *causes = json_object_get(e.details, "causes");
    assert_int_equal(json_array_size(causes), 2);
    json_t *c0 = json_array_get(causes, 0), *c1 = json_array_get(causes, 1);
    assert_string_equal(json_string_value(json_object_get(c0, "field")), "spec.cidrs[0]");
    assert_string_equal(json_string_value(json_object_get(c0, "reason")), "FieldValueInvalid");
    assert_string_equal(json_string_value(json_object_get(c0, "message")),
                        "Invalid value: \"a,b\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
    assert_string_equal(json_string_value(json_object_get(c1, "field")), "metadata.name");
    assert_string_equal(json_string_value(json_object_get(c1, "reason")), "FieldValueRequired");
    assert_string_equal(json_string_value(json_object_get(e.details, "kind")), "ServiceCIDR");

    const char *fe[] = {"spec.ports: Required value", "metadata.name: Invalid value: \"A\": bad"};
    sbx_err_invalid(&e, "", "Service", "A", fe, 2);
    assert_string_equal(e.message, "Service \"A\" is invalid: [spec.ports: Required value, metadata.name: "
                                   "Invalid value: \"A\": bad]");
    assert_int_equal(json_array_size(json_object_get(e.details, "causes")), 2);
    sbx_err_invalid(&e, "", "Service", "a", fe, 1);
    assert_string_equal(e.message, "Service \"a\" is invalid: spec.ports: Required value");
    sbx_err_clear(&e);
}

/* ---------------------------------------------------------------- table */

static void test_human_duration(void **state)
{
    (void)state;
    static const struct {
        int64_t ms;
        const char *want;
    } t[] = {{-5000, "<invalid>"}, {-1000, "0s"}, {0, "0s"}, {119000, "119s"}, {120000, "2m"},
             {125000, "2m5s"}, {600000, "10m"}, {3 * 3600000 - 1000, "179m"}, {3 * 3600000, "3h"},
             {3 * 3600000 + 60000 * 7, "3h7m"}, {8 * 3600000LL, "8h"}, {47 * 3600000LL, "47h"},
             {49 * 3600000LL, "2d1h"}, {17 * 86400000LL, "17d"}, {800 * 86400000LL, "2y70d"},
             {3000 * 86400000LL, "8y"}};
    char buf[32];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        sbx_human_duration(t[i].ms, buf, sizeof buf);
        assert_string_equal(buf, t[i].want);
    }
}

static void test_table_service_and_ipaddress(void **state)
{
    (void)state;
    int64_t now = sbx_time_parse("2024-01-18T00:00:00Z");
    json_t *svc = json_loads("{\"metadata\":{\"name\":\"kubernetes\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
                             "\"spec\":{\"type\":\"ClusterIP\",\"clusterIPs\":[\"10.96.0.1\"],"
                             "\"ports\":[{\"port\":443,\"protocol\":\"TCP\"},{\"port\":80,\"nodePort\":30080,"
                             "\"protocol\":\"UDP\"}],\"selector\":{\"b\":\"2\",\"a\":\"1\"}}}",
                             0, NULL);
    json_t *items = json_pack("[o]", svc);
    json_t *t = sbx_table(sbx_kind_find("", "v1", "services"), items, "7", now, false);
    json_t *cols = json_object_get(t, "columnDefinitions");
    assert_int_equal(json_array_size(cols), 7);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cols, 2), "name")), "Cluster-IP");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(cols, 6), "priority")), 1);
    json_t *cells = json_object_get(json_array_get(json_object_get(t, "rows"), 0), "cells");
    char *s = json_dumps(cells, JSON_COMPACT);
    assert_string_equal(s, "[\"kubernetes\",\"ClusterIP\",\"10.96.0.1\",\"<none>\",\"443/TCP,80:30080/UDP\","
                           "\"17d\",\"a=1,b=2\"]");
    free(s);
    json_t *obj = json_object_get(json_array_get(json_object_get(t, "rows"), 0), "object");
    assert_string_equal(json_string_value(json_object_get(obj, "kind")), "PartialObjectMetadata");
    assert_string_equal(json_string_value(json_object_get(json_object_get(t, "metadata"), "resourceVersion")), "7");
    json_decref(t);
    json_decref(items);

    json_t *ip = json_loads("{\"metadata\":{\"name\":\"10.96.0.1\"},\"spec\":{\"parentRef\":{\"resource\":"
                            "\"services\",\"namespace\":\"default\",\"name\":\"kubernetes\"}}}",
                            0, NULL);
    json_t *ip2 = json_loads("{\"metadata\":{\"name\":\"10.96.0.2\"},\"spec\":{\"parentRef\":{\"group\":"
                             "\"Example.COM\",\"resource\":\"Gateways\",\"name\":\"gw\"}}}",
                             0, NULL);
    items = json_pack("[o, o]", ip, ip2);
    t = sbx_table(sbx_kind_find("networking.k8s.io", "v1", "ipaddresses"), items, "1", now, false);
    assert_int_equal(json_array_size(json_object_get(t, "columnDefinitions")), 2);
    json_t *rows = json_object_get(t, "rows");
    s = json_dumps(json_object_get(json_array_get(rows, 0), "cells"), JSON_COMPACT);
    assert_string_equal(s, "[\"10.96.0.1\",\"services/default/kubernetes\",\"<unknown>\"]");
    free(s);
    s = json_dumps(json_object_get(json_array_get(rows, 1), "cells"), JSON_COMPACT);
    assert_string_equal(s, "[\"10.96.0.2\",\"gateways.example.com/gw\",\"<unknown>\"]");
    free(s);
    json_decref(t);
    json_decref(items);
}

static void test_table_servicecidr_and_policies(void **state)
{
    (void)state;
    int64_t now = sbx_time_parse("2024-01-01T00:00:05Z");
    json_t *sc = json_loads("{\"metadata\":{\"name\":\"n\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
                            "\"spec\":{\"cidrs\":[\"10.96.0.0/24\",\"2001:db8::/64\"]}}",
                            0, NULL);
    json_t *items = json_pack("[o]", sc);
    json_t *t = sbx_table(sbx_kind_find("networking.k8s.io", "v1", "servicecidrs"), items, "1", now, false);
    char *s = json_dumps(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "cells"), JSON_COMPACT);
    assert_string_equal(s, "[\"n\",\"10.96.0.0/24,2001:db8::/64\",\"5s\"]");
    free(s);
    json_decref(t);
    json_decref(items);
    json_t *b = json_loads("{\"metadata\":{\"name\":\"b\"},\"spec\":{\"policyName\":\"p\",\"paramRef\":{\"name\":\"x\"}}}",
                           0, NULL);
    items = json_pack("[o]", b);
    t = sbx_table(sbx_kind_find("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings"), items,
                  "1", now, false);
    s = json_dumps(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "cells"), JSON_COMPACT);
    assert_string_equal(s, "[\"b\",\"p\",\"*/x\",\"<unknown>\"]");
    free(s);
    json_decref(t);
    json_decref(items);
}

/* ---------------------------------------------------------------- patches */

static json_t *J(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
    assert_non_null(j);
    return j;
}

static void assert_json(const json_t *got, const char *want)
{
    json_t *w = J(want);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        print_error("got %s\nwant %s\n", g, want);
        free(g);
        fail();
    }
    json_decref(w);
}

static void test_patch_merge(void **state)
{
    (void)state;
    sbx_err e = {0};
    json_t *doc = J("{\"a\":1,\"m\":{\"x\":1,\"y\":2},\"l\":[1,2]}");
    json_t *p = J("{\"a\":null,\"m\":{\"y\":3,\"z\":{\"q\":1}},\"l\":[3]}");
    assert_int_equal(sbx_patch_merge(&doc, p, &e), 0);
    assert_json(doc, "{\"m\":{\"x\":1,\"y\":3,\"z\":{\"q\":1}},\"l\":[3]}");
    json_decref(p);
    p = J("[1]");
    assert_int_equal(sbx_patch_merge(&doc, p, &e), -1);
    assert_int_equal(e.code, 400);
    json_decref(p);
    json_decref(doc);
    sbx_err_clear(&e);
}

static void test_patch_json(void **state)
{
    (void)state;
    sbx_err e = {0};
    json_t *doc = J("{\"metadata\":{\"labels\":{\"a/b\":\"1\"}},\"l\":[1,2,3]}");
    json_t *p = J("[{\"op\":\"add\",\"path\":\"/l/-\",\"value\":4},{\"op\":\"remove\",\"path\":\"/l/0\"},"
                  "{\"op\":\"replace\",\"path\":\"/metadata/labels/a~1b\",\"value\":\"2\"},"
                  "{\"op\":\"copy\",\"from\":\"/l/0\",\"path\":\"/c\"},{\"op\":\"move\",\"from\":\"/c\",\"path\":\"/d\"},"
                  "{\"op\":\"test\",\"path\":\"/d\",\"value\":2}]");
    assert_int_equal(sbx_patch_json(&doc, p, &e), 0);
    assert_json(doc, "{\"metadata\":{\"labels\":{\"a/b\":\"2\"}},\"l\":[2,3,4],\"d\":2}");
    json_decref(p);
    p = J("[{\"op\":\"test\",\"path\":\"/d\",\"value\":3}]");
    assert_int_equal(sbx_patch_json(&doc, p, &e), -1);
    assert_int_equal(e.code, 422);
    json_decref(p);
    p = J("[{\"op\":\"remove\",\"path\":\"/nope/x\"}]");
    assert_int_equal(sbx_patch_json(&doc, p, &e), -1);
    json_decref(p);
    p = J("[{\"op\":\"replace\",\"path\":\"/l/9\",\"value\":1}]");
    assert_int_equal(sbx_patch_json(&doc, p, &e), -1);
    json_decref(p);
    json_decref(doc);
    sbx_err_clear(&e);
}

static void test_patch_strategic(void **state)
{
    (void)state;
    sbx_err e = {0};
    const sbx_kind *svc = sbx_kind_find("", "v1", "services");
    json_t *doc = J("{\"metadata\":{\"finalizers\":[\"a\",\"b\"],\"labels\":{\"x\":\"1\"}},"
                    "\"spec\":{\"ports\":[{\"port\":80,\"name\":\"http\"},{\"port\":443,\"name\":\"https\"}],"
                    "\"ipFamilies\":[\"IPv4\"]}}");
    /* ports merge by port, finalizers merge as a set, other lists replace,
     * $deleteFromPrimitiveList and $patch: delete remove, $setElementOrder
     * is accepted. */
    json_t *p = J("{\"metadata\":{\"finalizers\":[\"c\",\"a\"],\"$deleteFromPrimitiveList/finalizers\":[\"b\"],"
                  "\"labels\":{\"x\":null,\"y\":\"2\"}},\"spec\":{\"$setElementOrder/ports\":[{\"port\":443}],"
                  "\"ports\":[{\"port\":443,\"targetPort\":8443},{\"port\":80,\"$patch\":\"delete\"}],"
                  "\"ipFamilies\":[\"IPv6\"]}}");
    assert_int_equal(sbx_patch_strategic(&doc, p, svc, &e), 0);
    assert_json(doc, "{\"metadata\":{\"finalizers\":[\"a\",\"c\"],\"labels\":{\"y\":\"2\"}},"
                     "\"spec\":{\"ports\":[{\"port\":443,\"name\":\"https\",\"targetPort\":8443}],"
                     "\"ipFamilies\":[\"IPv6\"]}}");
    json_decref(p);
    p = J("{\"spec\":{\"$patch\":\"replace\",\"type\":\"ClusterIP\"},\"status\":{\"$retainKeys\":[\"a\"],\"b\":1}}");
    assert_int_equal(sbx_patch_strategic(&doc, p, svc, &e), 0);
    assert_json(doc, "{\"metadata\":{\"finalizers\":[\"a\",\"c\"],\"labels\":{\"y\":\"2\"}},"
                     "\"spec\":{\"type\":\"ClusterIP\"},\"status\":{}}");
    json_decref(p);
    p = J("{\"spec\":{\"ports\":[{\"name\":\"no-port\"}]}}");
    assert_int_equal(sbx_patch_strategic(&doc, p, svc, &e), -1);
    assert_string_equal(e.message, "map: spec.ports does not contain declared merge key: port");
    json_decref(p);
    json_decref(doc);
    sbx_err_clear(&e);
}

/* ---------------------------------------------------------------- protobuf */

static size_t put_varint(unsigned char *b, uint64_t v)
{
    size_t n = 0;
    do {
        b[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    return n;
}

static size_t put_bytes(unsigned char *b, unsigned num, const void *data, size_t len)
{
    size_t n = put_varint(b, (uint64_t)num << 3 | 2);
    n += put_varint(b + n, len);
    memcpy(b + n, data, len);
    return n + len;
}

static size_t put_str(unsigned char *b, unsigned num, const char *s)
{
    return put_bytes(b, num, s, strlen(s));
}

static size_t put_int(unsigned char *b, unsigned num, uint64_t v)
{
    size_t n = put_varint(b, (uint64_t)num << 3);
    return n + put_varint(b + n, v);
}

static void test_proto_service(void **state)
{
    (void)state;
    unsigned char meta[128], port[64], ios[16], spec[256], svc[512], tm[64], env[1024], entry[32];
    size_t nm = put_str(meta, 1, "test-1");
    size_t ne = put_str(entry, 1, "app");
    ne += put_str(entry + ne, 2, "test-1");
    nm += put_bytes(meta + nm, 11, entry, ne);
    nm += put_str(meta + nm, 3, ""); /* empty strings are left out */
    size_t ni = put_int(ios, 1, 0);
    ni += put_int(ios + ni, 2, 80);
    size_t np = put_str(port, 1, "80");
    np += put_str(port + np, 2, "TCP");
    np += put_int(port + np, 3, 80);
    np += put_bytes(port + np, 4, ios, ni);
    size_t ns = put_bytes(spec, 1, port, np);
    ns += put_bytes(spec + ns, 2, entry, ne);
    ns += put_str(spec + ns, 3, "");
    ns += put_str(spec + ns, 4, "ClusterIP");
    ns += put_int(spec + ns, 99, 7); /* unknown fields are skipped */
    size_t nsv = put_bytes(svc, 1, meta, nm);
    nsv += put_bytes(svc + nsv, 2, spec, ns);
    size_t nt = put_str(tm, 1, "v1");
    nt += put_str(tm + nt, 2, "Service");
    memcpy(env, "k8s\0", 4);
    size_t n = 4 + put_bytes(env + 4, 1, tm, nt);
    n += put_bytes(env + n, 2, svc, nsv);
    sbx_err e = {0};
    json_t *o = sbx_proto_decode((const char *)env, n, &e);
    assert_non_null(o);
    assert_json(o, "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"test-1\",\"labels\":"
                   "{\"app\":\"test-1\"}},\"spec\":{\"ports\":[{\"name\":\"80\",\"protocol\":\"TCP\",\"port\":80,"
                   "\"targetPort\":80}],\"selector\":{\"app\":\"test-1\"},\"type\":\"ClusterIP\"}}");
    json_decref(o);
    /* Truncated: an error, never a partial object. */
    assert_null(sbx_proto_decode((const char *)env, n - 3, &e));
    assert_int_equal(e.code, 400);
    assert_null(sbx_proto_decode("{}", 2, &e));
    /* Another kind is refused with 415. */
    nt = put_str(tm, 1, "v1");
    nt += put_str(tm + nt, 2, "Pod");
    n = 4 + put_bytes(env + 4, 1, tm, nt);
    n += put_bytes(env + n, 2, svc, nsv);
    assert_null(sbx_proto_decode((const char *)env, n, &e));
    assert_int_equal(e.code, 415);
    sbx_err_clear(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_resources),
        cmocka_unit_test(test_route_other),
        cmocka_unit_test(test_status_not_found),
        cmocka_unit_test(test_status_invalid_causes),
        cmocka_unit_test(test_human_duration),
        cmocka_unit_test(test_table_service_and_ipaddress),
        cmocka_unit_test(test_table_servicecidr_and_policies),
        cmocka_unit_test(test_patch_merge),
        cmocka_unit_test(test_patch_json),
        cmocka_unit_test(test_patch_strategic),
        cmocka_unit_test(test_proto_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
