/*
 * test_alloc_cluster.c: the allocator through its public API: the worked
 * example of servicecidr-allocator.md §4 step by step, bands and static
 * requests at their edges, IPv6, dual-stack, several ServiceCIDRs,
 * deletion rules, validation texts (§1.1, §2) and repair (§3.5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "celgate/alloc.h"

typedef struct fake_clock {
    int64_t now;
} fake_clock;

static int64_t fake_now(void *arg)
{
    return ((fake_clock *)arg)->now;
}

#define T0 1700000000000LL

static alloc_cluster *open_with(const char *ranges, fake_clock *clk, int64_t grace)
{
    alloc_opts o = {0};
    o.service_cidrs = ranges;
    o.seed = 42;
    o.deletion_grace_ms = grace;
    o.leak_grace_ms = -1;
    o.now_ms = fake_now;
    o.clock_arg = clk;
    char *err = NULL;
    alloc_cluster *c = alloc_open(&o, &err);
    if (!c)
        fprintf(stderr, "alloc_open: %s\n", err);
    free(err);
    assert_non_null(c);
    return c;
}

static uint32_t v4(const char *s)
{
    unsigned a, b, c, d;
    assert_int_equal(sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    return a << 24 | b << 16 | c << 8 | d;
}

/* Allocates one dynamic IPv4 for default/<name>; returns 0 or the code. */
static int svc(alloc_cluster *c, const char *name, char ip[ALLOC_IP_STRLEN], alloc_err *err)
{
    char out[2][ALLOC_IP_STRLEN];
    size_t n = 0;
    alloc_family f = ALLOC_IPV4;
    int rc = alloc_service_allocate(c, "default", name, NULL, 0, &f, 1, out, &n, err);
    if (rc == 0) {
        assert_int_equal(n, 1);
        if (ip)
            memcpy(ip, out[0], ALLOC_IP_STRLEN);
        return 0;
    }
    return err->code;
}

static int svc_static(alloc_cluster *c, const char *name, const char *want, alloc_err *err)
{
    char out[2][ALLOC_IP_STRLEN];
    size_t n = 0;
    const char *ips[1] = {want};
    int rc = alloc_service_allocate(c, "default", name, ips, 1, NULL, 0, out, &n, err);
    if (rc == 0) {
        assert_string_equal(out[0], want);
        return 0;
    }
    return err->code;
}

static json_t *scidr_obj(const char *name, const char *a, const char *b)
{
    json_t *cidrs = json_array();
    if (a)
        json_array_append_new(cidrs, json_string(a));
    if (b)
        json_array_append_new(cidrs, json_string(b));
    return json_pack("{s:s, s:s, s:{s:s}, s:{s:o}}", "apiVersion", "networking.k8s.io/v1", "kind",
                     "ServiceCIDR", "metadata", "name", name, "spec", "cidrs", cidrs);
}

static int create_scidr(alloc_cluster *c, const char *name, const char *a, const char *b, alloc_err *err)
{
    json_t *o = scidr_obj(name, a, b);
    int rc = alloc_servicecidr_create(c, o, NULL, err);
    json_decref(o);
    return rc == 0 ? 0 : err->code;
}

static bool scidr_exists(alloc_cluster *c, const char *name)
{
    json_t *o = alloc_servicecidr_get(c, name);
    json_decref(o);
    return o != NULL;
}

static bool ip_exists(alloc_cluster *c, const char *name)
{
    json_t *o = alloc_ipaddress_get(c, name);
    json_decref(o);
    return o != NULL;
}

static const char *ready_field(alloc_cluster *c, const char *name, const char *field, char *buf)
{
    json_t *o = alloc_servicecidr_get(c, name);
    if (!o)
        return NULL;
    json_t *cond = json_array_get(json_object_get(json_object_get(o, "status"), "conditions"), 0);
    snprintf(buf, 200, "%s", json_string_value(json_object_get(cond, field)));
    json_decref(o);
    return buf;
}

static void test_worked_example(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/28", &clk, -1);
    alloc_err err;
    char buf[200];

    /* Step 1: the default ServiceCIDR and kubernetes.default at .1. */
    json_t *k = alloc_servicecidr_get(c, "kubernetes");
    assert_non_null(k);
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(k, "spec"), "cidrs"), 0)),
                        "10.96.0.0/28");
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(k, "metadata"), "finalizers"), 0)),
                        "networking.k8s.io/service-cidr-finalizer");
    json_decref(k);
    assert_string_equal(ready_field(c, "kubernetes", "status", buf), "True");
    /* The apiserver writes "Kubernetes default Service CIDR is ready"; the
     * ServiceCIDR controller then sets its own message, as in a cluster. */
    assert_string_equal(ready_field(c, "kubernetes", "message", buf), "Kubernetes Service CIDR is ready");
    char ips[2][ALLOC_IP_STRLEN];
    assert_int_equal(alloc_service_ips(c, "default", "kubernetes", ips), 1);
    assert_string_equal(ips[0], "10.96.0.1");
    json_t *ipa = alloc_ipaddress_get(c, "10.96.0.1");
    assert_non_null(ipa);
    json_t *ref = json_object_get(json_object_get(ipa, "spec"), "parentRef");
    assert_string_equal(json_string_value(json_object_get(ref, "resource")), "services");
    assert_string_equal(json_string_value(json_object_get(ref, "namespace")), "default");
    assert_string_equal(json_string_value(json_object_get(ref, "name")), "kubernetes");
    json_t *labels = json_object_get(json_object_get(ipa, "metadata"), "labels");
    assert_string_equal(json_string_value(json_object_get(labels, "ipaddress.kubernetes.io/ip-family")), "IPv4");
    assert_string_equal(json_string_value(json_object_get(labels, "ipaddress.kubernetes.io/managed-by")),
                        "ipallocator.k8s.io");
    json_decref(ipa);

    /* Step 2: 13 more fill the 14 usable addresses; the next is refused. */
    bool seen[16] = {false};
    seen[1] = true;
    char name[32], ip[ALLOC_IP_STRLEN];
    for (int i = 1; i <= 13; i++) {
        snprintf(name, sizeof name, "test-%d", i);
        assert_int_equal(svc(c, name, ip, &err), 0);
        uint32_t a = v4(ip);
        assert_true(a >= v4("10.96.0.1") && a <= v4("10.96.0.14"));
        assert_false(seen[a & 15]);
        seen[a & 15] = true;
    }
    assert_int_equal(alloc_ipaddress_count(c), 14);
    assert_int_equal(svc(c, "test-14", NULL, &err), 500);
    assert_string_equal(err.reason, "InternalError");
    assert_string_equal(err.message, "Internal error occurred: failed to allocate a serviceIP: range is full");

    /* Step 3: newcidr1 (/24) serves the next ones from its upper band. */
    assert_int_equal(create_scidr(c, "newcidr1", "10.96.0.0/24", NULL, &err), 0);
    assert_string_equal(ready_field(c, "newcidr1", "message", buf), "Kubernetes Service CIDR is ready");
    assert_string_equal(ready_field(c, "newcidr1", "reason", buf), "");
    for (int i = 14; i <= 17; i++) {
        snprintf(name, sizeof name, "test-%d", i);
        assert_int_equal(svc(c, name, ip, &err), 0);
        assert_true(v4(ip) >= v4("10.96.0.17") && v4(ip) <= v4("10.96.0.254"));
    }

    /* Step 4: deleting newcidr1 is held: its four IPs would be orphaned. */
    assert_int_equal(alloc_servicecidr_delete(c, "newcidr1", &err), 0);
    json_t *n1 = alloc_servicecidr_get(c, "newcidr1");
    assert_non_null(n1);
    assert_non_null(json_object_get(json_object_get(n1, "metadata"), "deletionTimestamp"));
    assert_null(json_object_get(json_object_get(n1, "metadata"), "celgate.io/deletion-ms"));
    json_decref(n1);
    assert_string_equal(ready_field(c, "newcidr1", "status", buf), "False");
    assert_string_equal(ready_field(c, "newcidr1", "reason", buf), "Terminating");
    assert_string_equal(ready_field(c, "newcidr1", "message", buf),
                        "There are still IPAddresses referencing the ServiceCIDR, please remove them or create a new ServiceCIDR");
    clk.now += 60000;
    alloc_tick(c);
    assert_non_null(ready_field(c, "newcidr1", "status", buf));
    /* A ServiceCIDR being deleted serves nothing. */
    assert_int_equal(svc(c, "test-18", NULL, &err), 500);

    /* Step 5: once its Services are gone (and the grace has passed), it goes. */
    for (int i = 14; i <= 16; i++) {
        snprintf(name, sizeof name, "test-%d", i);
        assert_int_equal(alloc_service_release(c, "default", name, &err), 0);
        assert_true(scidr_exists(c, "newcidr1"));
    }
    assert_int_equal(alloc_service_release(c, "default", "test-17", &err), 0);
    assert_false(scidr_exists(c, "newcidr1"));
    assert_int_equal(alloc_ipaddress_count(c), 14);
    alloc_close(c);
}

static void test_grace_period(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/28", &clk, 10000);
    alloc_err err;
    /* The /28 is contained in the /24: it may go, but only after 10 s. */
    assert_int_equal(create_scidr(c, "wide", "10.96.0.0/24", NULL, &err), 0);
    json_t *o = alloc_servicecidr_get(c, "kubernetes");
    char uid[64];
    snprintf(uid, sizeof uid, "%s", json_string_value(json_object_get(json_object_get(o, "metadata"), "uid")));
    json_decref(o);
    assert_int_equal(alloc_servicecidr_delete(c, "kubernetes", &err), 0);
    o = alloc_servicecidr_get(c, "kubernetes");
    assert_non_null(o);
    json_decref(o);
    clk.now += 9999;
    alloc_tick(c);
    o = alloc_servicecidr_get(c, "kubernetes");
    assert_non_null(o);
    /* Never blocked, so no Ready=False condition. */
    char buf[200];
    assert_string_equal(ready_field(c, "kubernetes", "status", buf), "True");
    json_decref(o);
    clk.now += 1;
    alloc_tick(c);
    /* Gone, and (as the apiserver does) created again: a new object. */
    o = alloc_servicecidr_get(c, "kubernetes");
    assert_non_null(o);
    assert_string_not_equal(json_string_value(json_object_get(json_object_get(o, "metadata"), "uid")), uid);
    assert_null(json_object_get(json_object_get(o, "metadata"), "deletionTimestamp"));
    json_decref(o);
    /* kubernetes.default's IP stays covered throughout. */
    assert_true(alloc_ip_in_service_cidrs(c, "10.96.0.1"));
    assert_int_equal(alloc_servicecidr_delete(c, "wide", &err), 0);
    assert_int_equal(alloc_servicecidr_delete(c, "wide", &err), 0); /* already deleting: no-op */
    clk.now += 10000;
    alloc_tick(c);
    assert_false(scidr_exists(c, "wide"));
    assert_int_equal(alloc_servicecidr_delete(c, "wide", &err), -1);
    assert_int_equal(err.code, 404);
    assert_string_equal(err.message, "servicecidrs.networking.k8s.io \"wide\" not found");
    alloc_close(c);
}

static void test_contained_deleted_at_once(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/28", &clk, 0);
    alloc_err err;
    assert_int_equal(create_scidr(c, "newcidr1", "10.96.0.0/24", NULL, &err), 0);
    /* IPs .1-.14 do not block the /24: the /28 also contains them. */
    assert_int_equal(svc_static(c, "a", "10.96.0.5", &err), 0);
    assert_int_equal(alloc_servicecidr_delete(c, "newcidr1", &err), 0);
    assert_false(scidr_exists(c, "newcidr1"));
    /* The /28 contained by a new /24 goes at once. */
    assert_int_equal(create_scidr(c, "newcidr2", "10.96.0.0/24", NULL, &err), 0);
    assert_int_equal(alloc_servicecidr_delete(c, "kubernetes", &err), 0);
    assert_false(scidr_exists(c, "kubernetes"));
    /* Now the /24 alone holds .1 and .5: its deletion is held. */
    assert_int_equal(alloc_servicecidr_delete(c, "newcidr2", &err), 0);
    json_t *o = alloc_servicecidr_get(c, "newcidr2");
    assert_non_null(o);
    json_decref(o);
    /* A ServiceCIDR without finalizers goes at once. */
    json_t *obj = scidr_obj("nofin", "10.200.0.0/24", NULL);
    json_t *out = NULL;
    assert_int_equal(alloc_servicecidr_create(c, obj, &out, &err), 0);
    json_object_set_new(json_object_get(out, "metadata"), "finalizers", json_array());
    assert_int_equal(alloc_servicecidr_update(c, out, NULL, &err), 0);
    json_t *again = alloc_servicecidr_get(c, "nofin");
    /* The controller re-adds its finalizer on update. */
    assert_int_equal(json_array_size(json_object_get(json_object_get(again, "metadata"), "finalizers")), 1);
    json_decref(again);
    json_decref(out);
    json_decref(obj);
    /* Removing the finalizers of a held ServiceCIDR releases it at once. */
    json_t *held = alloc_servicecidr_get(c, "newcidr2");
    json_object_set_new(json_object_get(held, "metadata"), "finalizers", json_array());
    assert_int_equal(alloc_servicecidr_update(c, held, NULL, &err), 0);
    json_decref(held);
    assert_false(scidr_exists(c, "newcidr2"));
    alloc_close(c);
}

static void test_static_band_edges(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/24", &clk, -1);
    alloc_err err;
    /* .1 is kubernetes.default; .16 ends the lower band, .17 starts the upper. */
    assert_int_equal(svc_static(c, "a", "10.96.0.2", &err), 0);
    assert_int_equal(svc_static(c, "b", "10.96.0.16", &err), 0);
    assert_int_equal(svc_static(c, "c", "10.96.0.17", &err), 0);
    assert_int_equal(svc_static(c, "d", "10.96.0.254", &err), 0);
    assert_int_equal(svc_static(c, "e", "10.96.0.16", &err), 422);
    assert_string_equal(err.message, "Service \"e\" is invalid: spec.clusterIPs: Invalid value: [\"10.96.0.16\"]: "
                                     "failed to allocate IP 10.96.0.16: provided IP is already allocated");
    assert_int_equal(svc_static(c, "f", "10.96.0.255", &err), 422);
    assert_string_equal(err.message, "Service \"f\" is invalid: spec.clusterIPs: Invalid value: [\"10.96.0.255\"]: "
                                     "failed to allocate IP 10.96.0.255: the provided network does not match the current range");
    assert_int_equal(svc_static(c, "g", "10.96.0.0", &err), 422);
    assert_non_null(strstr(err.message, "the provided network does not match the current range"));
    assert_int_equal(svc_static(c, "h", "10.97.0.1", &err), 422);
    assert_int_equal(svc_static(c, "i", "10.96.0.010", &err), 422);
    assert_string_equal(err.message, "Service \"i\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.96.0.010\": "
                                     "must not have leading 0s");
    /* Dynamic: the 236 free upper addresses first, then the lower band. */
    char ip[ALLOC_IP_STRLEN], name[32];
    for (int i = 0; i < 236; i++) {
        snprintf(name, sizeof name, "up-%d", i);
        assert_int_equal(svc(c, name, ip, &err), 0);
        assert_true(v4(ip) >= v4("10.96.0.17"));
    }
    for (int i = 0; i < 13; i++) {
        snprintf(name, sizeof name, "low-%d", i);
        assert_int_equal(svc(c, name, ip, &err), 0);
        assert_true(v4(ip) >= v4("10.96.0.1") && v4(ip) <= v4("10.96.0.16"));
    }
    assert_int_equal(svc(c, "full", ip, &err), 500);
    assert_int_equal(alloc_ipaddress_count(c), 254);
    /* A release makes exactly that address available again. */
    assert_int_equal(alloc_service_release(c, "default", "c", &err), 0);
    assert_int_equal(svc(c, "again", ip, &err), 0);
    assert_string_equal(ip, "10.96.0.17");
    alloc_close(c);
}

/* §3.2 through real allocations: a /22 has a 64-address lower band. */
static void test_band_22(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/22", &clk, -1);
    alloc_err err;
    char ip[ALLOC_IP_STRLEN], name[32];
    uint32_t base = v4("10.96.0.0");
    /* 1022 usable; .1 is kubernetes.default (lower band); 958 upper. */
    for (int i = 0; i < 958; i++) {
        snprintf(name, sizeof name, "u%d", i);
        assert_int_equal(svc(c, name, ip, &err), 0);
        assert_true(v4(ip) >= base + 65 && v4(ip) <= base + 1022);
    }
    for (int i = 0; i < 63; i++) {
        snprintf(name, sizeof name, "l%d", i);
        assert_int_equal(svc(c, name, ip, &err), 0);
        assert_true(v4(ip) >= base + 2 && v4(ip) <= base + 64);
    }
    assert_int_equal(svc(c, "over", ip, &err), 500);
    alloc_close(c);
}

static void test_ipv6(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("fd00::/120", &clk, -1);
    alloc_err err;
    char ips[2][ALLOC_IP_STRLEN];
    assert_int_equal(alloc_service_ips(c, "default", "kubernetes", ips), 1);
    assert_string_equal(ips[0], "fd00::1");
    /* /120: 255 usable (the all-ones address included), band of 16. */
    alloc_family f = ALLOC_IPV6;
    char name[32];
    bool got_ff = false;
    for (int i = 0; i < 254; i++) {
        size_t n;
        snprintf(name, sizeof name, "s%d", i);
        assert_int_equal(alloc_service_allocate(c, "default", name, NULL, 0, &f, 1, ips, &n, &err), 0);
        if (strcmp(ips[0], "fd00::ff") == 0)
            got_ff = true;
        if (i < 255 - 16 - 0)
            assert_true(strlen(ips[0]) >= strlen("fd00::11"));
    }
    assert_true(got_ff);
    size_t n;
    assert_int_equal(alloc_service_allocate(c, "default", "x", NULL, 0, &f, 1, ips, &n, &err), -1);
    assert_string_equal(err.message, "Internal error occurred: failed to allocate a serviceIP: range is full");
    /* A /48 ServiceCIDR exists but no allocator serves it. */
    assert_int_equal(create_scidr(c, "wide6", "2001:db8::/48", NULL, &err), 0);
    assert_int_equal(alloc_service_allocate(c, "default", "x", NULL, 0, &f, 1, ips, &n, &err), -1);
    assert_int_equal(err.code, 500);
    const char *want[1] = {"2001:db8::5"};
    assert_int_equal(alloc_service_allocate(c, "default", "y", want, 1, NULL, 0, ips, &n, &err), -1);
    assert_non_null(strstr(err.message, "failed to allocate IP 2001:db8::5: the provided network does not match the current range"));
    alloc_event *ev;
    size_t ne = alloc_events(c, &ev);
    assert_true(ne >= 1);
    assert_string_equal(ev[ne - 1].reason, "ServiceCIDRRangeRefused");
    assert_string_equal(ev[ne - 1].message, "shortest allowed prefix length for service CIDR is 64, got 48");
    free(ev);
    /* A /64 works, without memory for its size. */
    assert_int_equal(create_scidr(c, "big6", "2001:db9::/64", NULL, &err), 0);
    assert_int_equal(alloc_service_allocate(c, "default", "z", NULL, 0, &f, 1, ips, &n, &err), 0);
    assert_int_equal(strncmp(ips[0], "2001:db9::", 10), 0);
    const char *edge[1] = {"2001:db9::ffff:ffff:ffff:ffff"};
    assert_int_equal(alloc_service_allocate(c, "default", "w", edge, 1, NULL, 0, ips, &n, &err), 0);
    alloc_close(c);
}

static void test_dual_stack(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/16,fd00::/127", &clk, -1);
    alloc_err err;
    json_t *k = alloc_servicecidr_get(c, "kubernetes");
    json_t *cidrs = json_object_get(json_object_get(k, "spec"), "cidrs");
    assert_int_equal(json_array_size(cidrs), 2);
    assert_string_equal(json_string_value(json_array_get(cidrs, 1)), "fd00::/127");
    json_decref(k);
    /* fd00::/127 has one usable address: fd00::1, taken by kubernetes? No:
     * kubernetes.default is single-stack on the primary family. */
    alloc_family fams[2] = {ALLOC_IPV6, ALLOC_IPV4};
    char ips[2][ALLOC_IP_STRLEN];
    size_t n;
    assert_int_equal(alloc_service_allocate(c, "default", "d1", NULL, 0, fams, 2, ips, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ips[0], "fd00::1");
    assert_non_null(strchr(ips[1], '.'));
    /* IPv6 is now full: the IPv4 half of a new dual-stack Service is undone. */
    size_t before = alloc_ipaddress_count(c);
    alloc_family fams2[2] = {ALLOC_IPV4, ALLOC_IPV6};
    assert_int_equal(alloc_service_allocate(c, "default", "d2", NULL, 0, fams2, 2, ips, &n, &err), -1);
    assert_int_equal(err.code, 500);
    assert_int_equal(alloc_ipaddress_count(c), before);
    assert_int_equal(alloc_service_ips(c, "default", "d2", ips), 0);
    /* Static pair in order. */
    assert_int_equal(alloc_service_release(c, "default", "d1", &err), 0);
    const char *want[2] = {"10.96.3.4", "fd00::1"};
    assert_int_equal(alloc_service_allocate(c, "default", "d3", want, 2, NULL, 0, ips, &n, &err), 0);
    assert_string_equal(ips[0], "10.96.3.4");
    assert_string_equal(ips[1], "fd00::1");
    assert_int_equal(alloc_service_allocate(c, "default", "d3", want, 2, NULL, 0, ips, &n, &err), -1);
    assert_int_equal(err.code, 409);
    const char *headless[1] = {"None"};
    before = alloc_ipaddress_count(c);
    assert_int_equal(alloc_service_allocate(c, "default", "hl", headless, 1, NULL, 0, ips, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(alloc_ipaddress_count(c), before);
    alloc_family same[2] = {ALLOC_IPV4, ALLOC_IPV4};
    assert_int_equal(alloc_service_allocate(c, "default", "d4", NULL, 0, same, 2, ips, &n, &err), -1);
    assert_string_equal(err.message, "Service \"d4\" is invalid: spec.ipFamilies[1]: Duplicate value: \"IPv4\"");
    alloc_close(c);
}

static void expect_scidr_error(alloc_cluster *c, json_t *obj, int code, const char *msg)
{
    alloc_err err;
    assert_int_equal(alloc_servicecidr_create(c, obj, NULL, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, msg);
    json_decref(obj);
}

static void test_scidr_validation(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with(NULL, &clk, -1);
    expect_scidr_error(c, scidr_obj("a", NULL, NULL), 422,
                       "ServiceCIDR.networking.k8s.io \"a\" is invalid: spec.cidrs: Required value: at least one CIDR required");
    json_t *three = scidr_obj("a", "10.0.0.0/24", "fd00::/64");
    json_array_append_new(json_object_get(json_object_get(three, "spec"), "cidrs"), json_string("10.1.0.0/24"));
    expect_scidr_error(c, three, 422,
                       "ServiceCIDR.networking.k8s.io \"a\" is invalid: spec.cidrs: Invalid value: "
                       "[\"10.0.0.0/24\",\"fd00::/64\",\"10.1.0.0/24\"]: may only hold up to 2 values");
    expect_scidr_error(c, scidr_obj("a", "10.0.0.0/24", "10.1.0.0/24"), 422,
                       "ServiceCIDR.networking.k8s.io \"a\" is invalid: spec.cidrs: Invalid value: "
                       "[\"10.0.0.0/24\",\"10.1.0.0/24\"]: may specify no more than one IP for each IP family, "
                       "i.e 192.168.0.0/24 and 2001:db8::/64");
    expect_scidr_error(c, scidr_obj("a", "fd00::/64", "2001:DB8::/64"), 422,
                       "ServiceCIDR.networking.k8s.io \"a\" is invalid: spec.cidrs[1]: Invalid value: "
                       "\"2001:DB8::/64\": must be in canonical form (\"2001:db8::/64\")");
    expect_scidr_error(c, scidr_obj("a", "10.0.0.1/24", "fd00::/64"), 422,
                       "ServiceCIDR.networking.k8s.io \"a\" is invalid: spec.cidrs[0]: Invalid value: "
                       "\"10.0.0.1/24\": must not have bits set beyond the prefix length");
    expect_scidr_error(c, scidr_obj("Bad_Name", "10.0.0.0/24", "bogus"), 422,
                       "ServiceCIDR.networking.k8s.io \"Bad_Name\" is invalid: [metadata.name: Invalid value: "
                       "\"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                       "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                       "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
                       "([-a-z0-9]*[a-z0-9])?)*'), spec.cidrs[1]: Invalid value: \"bogus\": must be a valid CIDR "
                       "value, (e.g. 10.9.8.0/24 or 2001:db8::/64)]");
    expect_scidr_error(c, scidr_obj("", "10.0.0.0/24", NULL), 422,
                       "ServiceCIDR.networking.k8s.io \"\" is invalid: metadata.name: Required value: name or generateName is required");
    json_t *badtype = json_pack("{s:{s:s}, s:{s:[i]}}", "metadata", "name", "x", "spec", "cidrs", 5);
    expect_scidr_error(c, badtype, 400, "spec.cidrs[0]: must be a string");
    json_t *fat = scidr_obj("fat", "10.0.0.0/24", NULL);
    char *big = malloc(262145);
    memset(big, 'x', 262144);
    big[262144] = 0;
    json_object_set_new(json_object_get(fat, "metadata"), "annotations", json_pack("{s:s}", "a", big));
    free(big);
    expect_scidr_error(c, fat, 422,
                       "ServiceCIDR.networking.k8s.io \"fat\" is invalid: metadata.annotations: Too long: must have at most 262144 bytes");
    json_t *lab = scidr_obj("lab", "10.0.0.0/24", NULL);
    json_object_set_new(json_object_get(lab, "metadata"), "labels",
                        json_pack("{s:s, s:s, s:s}", "ok.example.com/tier", "gold", "-bad", "x", "team", "a b"));
    json_object_set_new(json_object_get(lab, "metadata"), "annotations", json_pack("{s:s}", "Example.COM/Note", "fine"));
    expect_scidr_error(c, lab, 422,
                       "ServiceCIDR.networking.k8s.io \"lab\" is invalid: [metadata.labels: Invalid value: \"-bad\": name part "
                       "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                       "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                       "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), metadata.labels: Invalid value: \"a b\": a valid "
                       "label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
                       "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
                       "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]");
    json_t *pfx = scidr_obj("pfx", "10.0.0.0/24", NULL);
    json_object_set_new(json_object_get(pfx, "metadata"), "labels", json_pack("{s:s}", "/x", ""));
    expect_scidr_error(c, pfx, 422,
                       "ServiceCIDR.networking.k8s.io \"pfx\" is invalid: metadata.labels: Invalid value: \"/x\": prefix part "
                       "must be non-empty");
    /* No prefix-length limit in validation: a /8 and an IPv6 /32 are fine. */
    alloc_err err;
    assert_int_equal(create_scidr(c, "big", "10.0.0.0/8", "2001:db8::/32", &err), 0);
    assert_int_equal(create_scidr(c, "big", "10.0.0.0/8", NULL, &err), 409);
    assert_string_equal(err.message, "servicecidrs.networking.k8s.io \"big\" already exists");
    /* spec.cidrs is immutable. */
    json_t *upd = scidr_obj("big", "10.0.0.0/8", NULL);
    assert_int_equal(alloc_servicecidr_update(c, upd, NULL, &err), -1);
    assert_string_equal(err.message, "ServiceCIDR.networking.k8s.io \"big\" is invalid: spec.cidrs: Invalid value: "
                                     "[\"10.0.0.0/8\"]: field is immutable");
    json_decref(upd);
    /* v1beta1 is accepted and stored as v1. */
    json_t *beta = scidr_obj("beta", "10.9.0.0/16", NULL);
    json_object_set_new(beta, "apiVersion", json_string("networking.k8s.io/v1beta1"));
    json_t *out = NULL;
    assert_int_equal(alloc_servicecidr_create(c, beta, &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "apiVersion")), "networking.k8s.io/v1");
    json_decref(out);
    json_decref(beta);
    json_t *list = alloc_servicecidr_list(c);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
    json_decref(list);
    alloc_close(c);
}

static void expect_ip_error(alloc_cluster *c, json_t *obj, int code, const char *msg)
{
    alloc_err err;
    assert_int_equal(alloc_ipaddress_create(c, obj, NULL, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, msg);
    json_decref(obj);
}

static json_t *ip_obj(const char *name, const char *resource, const char *ns, const char *pname, bool managed)
{
    json_t *o = json_pack("{s:s, s:s, s:{s:s}, s:{s:{s:s, s:s, s:s, s:s}}}", "apiVersion", "networking.k8s.io/v1",
                          "kind", "IPAddress", "metadata", "name", name, "spec", "parentRef", "group", "",
                          "resource", resource, "namespace", ns, "name", pname);
    if (managed)
        json_object_set_new(json_object_get(o, "metadata"), "labels",
                            json_pack("{s:s, s:s}", "ipaddress.kubernetes.io/ip-family", strchr(name, ':') ? "IPv6" : "IPv4",
                                      "ipaddress.kubernetes.io/managed-by", "ipallocator.k8s.io"));
    return o;
}

static void test_ipaddress_validation(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/24", &clk, -1);
    expect_ip_error(c, ip_obj("10.01.2.3", "services", "default", "x", false), 422,
                    "IPAddress.networking.k8s.io \"10.01.2.3\" is invalid: metadata.name: Invalid value: "
                    "\"10.01.2.3\": must not have leading 0s");
    expect_ip_error(c, ip_obj("2001:db8:0:0:0::1", "services", "default", "x", false), 422,
                    "IPAddress.networking.k8s.io \"2001:db8:0:0:0::1\" is invalid: metadata.name: Invalid value: "
                    "\"2001:db8:0:0:0::1\": must be in canonical form (\"2001:db8::1\")");
    expect_ip_error(c, ip_obj("10.96.0.9", "", "default", "", false), 422,
                    "IPAddress.networking.k8s.io \"10.96.0.9\" is invalid: [spec.parentRef.resource: Required value, "
                    "spec.parentRef.name: Required value]");
    expect_ip_error(c, ip_obj("10.96.0.9", "a/b", "default", "..", false), 422,
                    "IPAddress.networking.k8s.io \"10.96.0.9\" is invalid: [spec.parentRef.resource: Invalid value: "
                    "\"a/b\": may not contain '/', spec.parentRef.name: Invalid value: \"..\": may not be '..']");
    json_t *noref = json_pack("{s:{s:s}}", "metadata", "name", "10.96.0.9");
    expect_ip_error(c, noref, 422, "IPAddress.networking.k8s.io \"10.96.0.9\" is invalid: spec.parentRef: Required value");
    expect_ip_error(c, ip_obj("10.96.0.1", "services", "default", "x", false), 409,
                    "ipaddresses.networking.k8s.io \"10.96.0.1\" already exists");
    alloc_err err;
    json_t *ok = ip_obj("192.168.1.5", "gateways", "ns1", "gw", false);
    assert_int_equal(alloc_ipaddress_create(c, ok, NULL, &err), 0);
    json_decref(ok);
    json_t *got = alloc_ipaddress_get(c, "192.168.1.5");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(got, "spec"), "parentRef"), "resource")),
                        "gateways");
    json_decref(got);
    /* parentRef is immutable; labels may change. */
    json_t *moved = ip_obj("192.168.1.5", "gateways", "ns1", "other", false);
    assert_int_equal(alloc_ipaddress_update(c, moved, NULL, &err), -1);
    assert_int_equal(err.code, 422);
    assert_string_equal(err.message, "IPAddress.networking.k8s.io \"192.168.1.5\" is invalid: spec.parentRef: Invalid value: "
                                     "{\"group\":\"\",\"resource\":\"gateways\",\"namespace\":\"ns1\",\"name\":\"other\"}: "
                                     "field is immutable");
    json_decref(moved);
    json_t *relabel = ip_obj("192.168.1.5", "gateways", "ns1", "gw", false);
    json_object_set_new(json_object_get(relabel, "metadata"), "labels", json_pack("{s:s}", "team", "net"));
    assert_int_equal(alloc_ipaddress_update(c, relabel, NULL, &err), 0);
    json_decref(relabel);
    got = alloc_ipaddress_get(c, "192.168.1.5");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(got, "metadata"), "labels"), "team")),
                        "net");
    json_decref(got);
    assert_int_equal(alloc_ipaddress_delete(c, "192.168.1.5", &err), 0);
    assert_int_equal(alloc_ipaddress_delete(c, "192.168.1.5", &err), -1);
    assert_int_equal(err.code, 404);
    alloc_close(c);
}

static bool has_event(const alloc_event *ev, size_t n, const char *reason, const char *message)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ev[i].reason, reason) == 0 && strcmp(ev[i].message, message) == 0)
            return true;
    return false;
}

static void test_repair(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with("10.96.0.0/24", &clk, -1);
    alloc_err err;
    /* A managed IPAddress whose Service does not exist: leaked after 60 s. */
    json_t *leak = ip_obj("10.96.0.50", "services", "default", "gone", true);
    assert_int_equal(alloc_ipaddress_create(c, leak, NULL, &err), 0);
    json_decref(leak);
    /* An unmanaged one is never touched. */
    json_t *mine = ip_obj("10.96.0.51", "services", "default", "gone", false);
    assert_int_equal(alloc_ipaddress_create(c, mine, NULL, &err), 0);
    json_decref(mine);
    /* Managed, pointing at a Service that does not exist but whose IP
     * another Service holds: re-created for that Service. */
    json_t *wrong = ip_obj("10.96.0.70", "services", "default", "ghost", true);
    assert_int_equal(alloc_ipaddress_create(c, wrong, NULL, &err), 0);
    json_decref(wrong);
    /* Managed, its Service exists but does not list this IP: deleted. */
    json_t *stray = ip_obj("10.96.0.71", "services", "default", "kubernetes", true);
    assert_int_equal(alloc_ipaddress_create(c, stray, NULL, &err), 0);
    json_decref(stray);
    alloc_service list[5] = {
        {"default", "kubernetes", {"10.96.0.1"}, 1},
        {"default", "outside", {"192.168.0.7"}, 1},
        {"default", "missing", {"10.96.0.60"}, 1},
        {"default", "dup", {"10.96.0.1"}, 1},
        {"default", "svc70", {"10.96.0.70"}, 1},
    };
    int n = alloc_repair(c, list, 5, &err);
    assert_true(n >= 3);
    assert_true(ip_exists(c, "10.96.0.50"));
    clk.now += 60001;
    assert_true(alloc_repair(c, list, 5, &err) >= 1);
    assert_false(ip_exists(c, "10.96.0.50"));
    json_t *kept = alloc_ipaddress_get(c, "10.96.0.51");
    assert_non_null(kept);
    json_decref(kept);
    json_t *made = alloc_ipaddress_get(c, "10.96.0.60");
    assert_non_null(made);
    json_decref(made);
    alloc_event *ev;
    size_t ne = alloc_events(c, &ev);
    assert_true(has_event(ev, ne, "ClusterIPOutOfRange",
                          "Cluster IP [IPv4]: 192.168.0.7 is not within any configured Service CIDR; please recreate service"));
    assert_true(has_event(ev, ne, "ClusterIPNotAllocated", "Cluster IP [IPv4]: 10.96.0.60 is not allocated; repairing"));
    assert_true(has_event(ev, ne, "ClusterIPAlreadyAllocated",
                          "Cluster IP [IPv4]:10.96.0.1 was assigned to multiple services; please recreate service"));
    assert_true(has_event(ev, ne, "IPAddressNotAllocated",
                          "IPAddress: 10.96.0.50 for Service default/gone appears to have leaked: cleaning up"));
    assert_true(has_event(ev, ne, "ClusterIPNotAllocated",
                          "the ClusterIP [IPv4]: 10.96.0.70 for Service default/svc70 has a wrong reference; repairing"));
    assert_true(has_event(ev, ne, "IPAddressWrongReference",
                          "IPAddress: 10.96.0.71 for Service default/kubernetes has a wrong reference; cleaning up"));
    assert_false(ip_exists(c, "10.96.0.71"));
    json_t *fixed = alloc_ipaddress_get(c, "10.96.0.70");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(fixed, "spec"), "parentRef"), "name")),
                        "svc70");
    json_decref(fixed);
    free(ev);
    alloc_close(c);
}

static void test_default_inconsistent(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    char path[] = "/tmp/celgate-alloc-default-XXXXXX";
    assert_non_null(mkdtemp(path));
    char db[80];
    snprintf(db, sizeof db, "%s/s.db", path);
    alloc_opts o = {0};
    o.store_path = db;
    o.service_cidrs = "10.96.0.0/28";
    o.seed = 1;
    o.deletion_grace_ms = o.leak_grace_ms = -1;
    o.now_ms = fake_now;
    o.clock_arg = &clk;
    char *err = NULL;
    alloc_cluster *c = alloc_open(&o, &err);
    assert_non_null(c);
    alloc_close(c);
    /* Single- to dual-stack: the default ServiceCIDR gains the second range. */
    o.service_cidrs = "10.96.0.0/28,fd00::/120";
    c = alloc_open(&o, &err);
    assert_non_null(c);
    json_t *k = alloc_servicecidr_get(c, "kubernetes");
    assert_int_equal(json_array_size(json_object_get(json_object_get(k, "spec"), "cidrs")), 2);
    json_decref(k);
    alloc_close(c);
    /* Any other change is only reported, once however often it is checked. */
    o.service_cidrs = "10.97.0.0/28";
    c = alloc_open(&o, &err);
    assert_non_null(c);
    alloc_tick(c);
    alloc_tick(c);
    alloc_event *ev;
    size_t n = alloc_events(c, &ev), seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ev[i].reason, "KubernetesDefaultServiceCIDRInconsistent") == 0) {
            seen++;
            assert_string_equal(ev[i].message, "The default ServiceCIDR [10.96.0.0/28 fd00::/120] does not match "
                                               "the controller flag configurations [10.97.0.0/28]");
        }
    }
    assert_int_equal(seen, 1);
    free(ev);
    k = alloc_servicecidr_get(c, "kubernetes");
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(k, "spec"), "cidrs"), 0)),
                        "10.96.0.0/28");
    json_decref(k);
    alloc_close(c);
    unlink(db);
    rmdir(path);
}

static void test_shared_cidr_readiness(void **state)
{
    (void)state;
    fake_clock clk = {T0};
    alloc_cluster *c = open_with(NULL, &clk, 0);
    alloc_err err;
    assert_int_equal(create_scidr(c, "one", "10.1.0.0/28", NULL, &err), 0);
    assert_int_equal(create_scidr(c, "two", "10.1.0.0/28", NULL, &err), 0);
    char ip[ALLOC_IP_STRLEN];
    assert_int_equal(svc(c, "a", ip, &err), 0);
    /* "two" has a parent of equal prefix ("one"): deleted at once; the
     * range stays ready through "one". */
    assert_int_equal(alloc_servicecidr_delete(c, "two", &err), 0);
    assert_false(scidr_exists(c, "two"));
    assert_int_equal(svc(c, "b", ip, &err), 0);
    /* Without an allocator, nothing is allocated. */
    alloc_cluster *empty = open_with(NULL, &clk, 0);
    assert_int_equal(svc(empty, "a", ip, &err), 500);
    alloc_close(empty);
    alloc_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),       cmocka_unit_test(test_grace_period),
        cmocka_unit_test(test_contained_deleted_at_once), cmocka_unit_test(test_static_band_edges),
        cmocka_unit_test(test_band_22),              cmocka_unit_test(test_ipv6),                 cmocka_unit_test(test_dual_stack),
        cmocka_unit_test(test_scidr_validation),     cmocka_unit_test(test_ipaddress_validation),
        cmocka_unit_test(test_repair),               cmocka_unit_test(test_shared_cidr_readiness),
        cmocka_unit_test(test_default_inconsistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
