/*
 * test_alloc_ip.c: the allocator's building blocks: strict IP/CIDR parsing
 * with the API server's texts, canonical forms, the band sizes of §3.2,
 * usable ranges, the free-space index against a bitmap, and the hash map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc_int.h"

static const char *vcidr(const char *s)
{
    static char buf[200];
    const char *r = alloc_validate_cidr(s, strlen(s), buf, sizeof buf);
    return r ? r : "ok";
}

static const char *vip(const char *s)
{
    static char buf[200];
    const char *r = alloc_validate_ip(s, strlen(s), buf, sizeof buf);
    return r ? r : "ok";
}

static void test_cidr_texts(void **state)
{
    (void)state;
    assert_string_equal(vcidr("10.96.0.0/28"), "ok");
    assert_string_equal(vcidr("2001:db8::/64"), "ok");
    assert_string_equal(vcidr("0.0.0.0/0"), "ok");
    assert_string_equal(vcidr("::/0"), "ok");
    assert_string_equal(vcidr("10.0.0.0/8"), "ok");
    assert_string_equal(vcidr("2001:db8::/32"), "ok");
    const char *bad = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
    assert_string_equal(vcidr("10.96.0.0"), bad);
    assert_string_equal(vcidr("10.96.0.0/33"), bad);
    assert_string_equal(vcidr("2001:db8::/129"), bad);
    assert_string_equal(vcidr("10.96.0/24"), bad);
    assert_string_equal(vcidr("10.96.0.256/24"), bad);
    assert_string_equal(vcidr("10.96.0.0/"), bad);
    assert_string_equal(vcidr("10.96.0.0/+8"), bad);
    assert_string_equal(vcidr("1:2:3:4:5:6:7:8:9/64"), bad);
    assert_string_equal(vcidr("1::2::/64"), bad);
    assert_string_equal(vcidr(""), bad);
    const char *lz = "must not have leading 0s in IP or prefix length";
    assert_string_equal(vcidr("010.96.0.0/16"), lz);
    assert_string_equal(vcidr("10.96.0.0/016"), lz);
    assert_string_equal(vcidr("2001:0db8::/064"), lz);
    assert_string_equal(vcidr("::ffff:10.0.0.0/104"), "must not have an IPv4-mapped IPv6 address");
    assert_string_equal(vcidr("10.96.0.1/24"), "must not have bits set beyond the prefix length");
    assert_string_equal(vcidr("2001:db8::1/64"), "must not have bits set beyond the prefix length");
    assert_string_equal(vcidr("2001:DB8::/64"), "must be in canonical form (\"2001:db8::/64\")");
    assert_string_equal(vcidr("2001:db8:0:0::/64"), "must be in canonical form (\"2001:db8::/64\")");
    assert_string_equal(vcidr("2001:0db8::/64"), "must be in canonical form (\"2001:db8::/64\")");
    /* A string with an embedded NUL is not a CIDR. */
    char nul[] = "10.0.0.0/8\0x";
    assert_non_null(alloc_validate_cidr(nul, sizeof nul - 1, (char[64]){0}, 64));
}

static void test_ip_texts(void **state)
{
    (void)state;
    assert_string_equal(vip("192.168.1.5"), "ok");
    assert_string_equal(vip("2001:db8::1"), "ok");
    assert_string_equal(vip("::"), "ok");
    assert_string_equal(vip("::1"), "ok");
    assert_string_equal(vip("10.01.2.3"), "must not have leading 0s");
    assert_string_equal(vip("2001:db8:0:0:0::1"), "must be in canonical form (\"2001:db8::1\")");
    assert_string_equal(vip("2001:DB8::1"), "must be in canonical form (\"2001:db8::1\")");
    assert_string_equal(vip("::ffff:1.2.3.4"), "must not be an IPv4-mapped IPv6 address");
    assert_string_equal(vip("::1.2.3.4"), "must be in canonical form (\"::102:304\")");
    assert_string_equal(vip("10.0.0.1/32"), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
    assert_string_equal(vip("abc"), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
    assert_string_equal(vip("1:2:3:4:5:6:7:8::"), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
    assert_string_equal(vip("00001::"), "must not have leading 0s");
}

static void fmt6(const char *in, const char *want)
{
    alloc_ip ip;
    assert_true(alloc_ip_parse(in, strlen(in), &ip) <= ALLOC_PARSE_NONCANONICAL);
    char buf[ALLOC_IP_STRLEN];
    alloc_ip_format(&ip, buf);
    assert_string_equal(buf, want);
}

static void test_canonical(void **state)
{
    (void)state;
    fmt6("0:0:0:0:0:0:0:0", "::");
    fmt6("1:0:0:0:0:0:0:0", "1::");
    fmt6("1:0:0:2:0:0:0:3", "1:0:0:2::3");
    fmt6("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0");
    fmt6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
    fmt6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    fmt6("fd00::0001", "fd00::1");
}

static void test_bands(void **state)
{
    (void)state;
    /* §3.2: hostbits -> offset. */
    assert_int_equal(alloc_range_offset(4), 0);    /* /28 */
    assert_int_equal(alloc_range_offset(5), 16);   /* /27 */
    assert_int_equal(alloc_range_offset(8), 16);   /* /24 */
    assert_int_equal(alloc_range_offset(10), 64);  /* /22 */
    assert_int_equal(alloc_range_offset(12), 256); /* /20 */
    assert_int_equal(alloc_range_offset(16), 256); /* /16 */
    assert_int_equal(alloc_range_offset(64), 256); /* IPv6 /64 */
    assert_int_equal(alloc_range_offset(20), 256); /* IPv6 /108 */
    assert_int_equal(alloc_range_offset(16), 256); /* IPv6 /112 */
    assert_int_equal(alloc_range_offset(12), 256); /* IPv6 /116 */
    assert_int_equal(alloc_range_offset(8), 16);   /* IPv6 /120 */
    assert_int_equal(alloc_range_offset(0), 0);
}

static alloc_range mkrange(const char *cidr)
{
    alloc_prefix p;
    assert_int_equal(alloc_prefix_parse(cidr, strlen(cidr), &p), ALLOC_PARSE_OK);
    alloc_range r;
    char why[100];
    alloc_range_init(&r, &p, why, sizeof why);
    return r;
}

static void test_ranges(void **state)
{
    (void)state;
    alloc_range r = mkrange("10.96.0.0/24");
    assert_true(r.usable);
    assert_int_equal(r.first.lo, 0x0A600001);
    assert_int_equal(r.last.lo, 0x0A6000FE);
    assert_int_equal(r.offset, 16);
    r = mkrange("10.96.0.0/28");
    assert_int_equal(r.last.lo - r.first.lo + 1, 14);
    assert_int_equal(r.offset, 0);
    assert_false(mkrange("10.0.0.1/32").usable);
    assert_false(mkrange("10.0.0.0/31").usable);
    assert_true(mkrange("10.0.0.0/30").usable);
    assert_false(mkrange("2001:db8::1/128").usable);
    r = mkrange("2001:db8::/127");
    assert_true(r.usable);
    assert_int_equal(alloc_u128_cmp(r.first, r.last), 0);
    r = mkrange("2001:db8::/64");
    assert_true(r.usable);
    assert_int_equal(r.last.lo, UINT64_MAX); /* all-ones is usable in IPv6 */
    alloc_prefix p;
    assert_int_equal(alloc_prefix_parse("2001:db8::/48", 13, &p), ALLOC_PARSE_OK);
    char why[100];
    assert_string_equal(alloc_range_init(&r, &p, why, sizeof why),
                        "shortest allowed prefix length for service CIDR is 64, got 48");
    assert_false(r.usable);
}

static alloc_u128 u(uint64_t x)
{
    return (alloc_u128){0, x};
}

static void test_index_vs_bitmap(void **state)
{
    (void)state;
    enum { N = 300 };
    bool bm[N] = {false};
    alloc_index ix;
    alloc_index_init(&ix);
    alloc_rng rng;
    alloc_rng_seed(&rng, 7);
    for (int step = 0; step < 20000; step++) {
        uint64_t x = alloc_rng_below(&rng, N);
        if (alloc_rng_below(&rng, 3)) {
            assert_int_equal(alloc_index_add(&ix, u(x)), bm[x] ? 1 : 0);
            bm[x] = true;
        } else {
            assert_int_equal(alloc_index_remove(&ix, u(x)), bm[x] ? 0 : 1);
            bm[x] = false;
        }
        uint64_t lo = 10, hi = 200, start = lo + alloc_rng_below(&rng, hi - lo + 1);
        alloc_u128 got;
        bool found = alloc_index_first_free(&ix, u(lo), u(hi), u(start), &got);
        uint64_t want = UINT64_MAX;
        for (uint64_t k = 0; k <= hi - lo; k++) {
            uint64_t y = lo + (start - lo + k) % (hi - lo + 1);
            if (!bm[y]) {
                want = y;
                break;
            }
        }
        assert_int_equal(found, want != UINT64_MAX);
        if (found)
            assert_int_equal(got.lo, want);
        uint64_t q = alloc_rng_below(&rng, N);
        assert_int_equal(alloc_index_has(&ix, u(q)), bm[q]);
    }
    size_t cnt = 0;
    for (int i = 0; i < N; i++)
        cnt += bm[i];
    assert_int_equal(ix.count, cnt);
    alloc_index_free(&ix);
}

static void test_index_edges(void **state)
{
    (void)state;
    alloc_index ix;
    alloc_index_init(&ix);
    alloc_u128 max = {UINT64_MAX, UINT64_MAX}, got;
    assert_int_equal(alloc_index_add(&ix, max), 0);
    assert_int_equal(alloc_index_add(&ix, alloc_u128_sub(max, 1)), 0);
    assert_int_equal(ix.nodes, 1);
    assert_false(alloc_index_first_free(&ix, alloc_u128_sub(max, 1), max, max, &got));
    assert_int_equal(alloc_index_remove(&ix, max), 0);
    assert_true(alloc_index_first_free(&ix, alloc_u128_sub(max, 1), max, alloc_u128_sub(max, 1), &got));
    assert_true(alloc_u128_is_max(got));
    /* Carry across the 64-bit halves. */
    alloc_u128 a = {1, UINT64_MAX}, b = {2, 0};
    assert_int_equal(alloc_index_add(&ix, a), 0);
    assert_int_equal(alloc_index_add(&ix, b), 0);
    assert_int_equal(ix.nodes, 2);
    assert_true(alloc_index_first_free(&ix, a, (alloc_u128){2, 5}, a, &got));
    assert_int_equal(got.hi, 2);
    assert_int_equal(got.lo, 1);
    alloc_index_free(&ix);
}

static void test_map(void **state)
{
    (void)state;
    alloc_map m;
    alloc_map_init(&m);
    char key[16];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(alloc_map_put(&m, key, (size_t)n, (void *)(intptr_t)(i + 1)), 0);
    }
    assert_int_equal(alloc_map_put(&m, "k7", 2, NULL), 1);
    for (int i = 0; i < 5000; i += 2) {
        int n = snprintf(key, sizeof key, "k%d", i);
        assert_int_equal((intptr_t)alloc_map_del(&m, key, (size_t)n), i + 1);
    }
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        void *v = alloc_map_get(&m, key, (size_t)n);
        if (i % 2)
            assert_int_equal((intptr_t)v, i + 1);
        else
            assert_null(v);
    }
    assert_int_equal(m.len, 2500);
    alloc_map_free(&m, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr_texts),  cmocka_unit_test(test_ip_texts),
        cmocka_unit_test(test_canonical),   cmocka_unit_test(test_bands),
        cmocka_unit_test(test_ranges),      cmocka_unit_test(test_index_vs_bitmap),
        cmocka_unit_test(test_index_edges), cmocka_unit_test(test_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
