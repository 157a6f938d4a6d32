/*
 * test_netaddr.c: the Go net/netip layer under the IP/CIDR libraries:
 * which strings parse, their canonical text, every ParseAddr/ParsePrefix
 * reason with its "(at ...)" remainder, strconv.Quote escaping, the
 * Kubernetes wrappers' texts, and the address predicates and prefix
 * relations. Expected texts follow Go 1.22+ netip and k8s.io/apiserver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cel/ext/netaddr.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static void assert_canonical_ip(const char *in, const char *want, int family)
{
    cel_netaddr a;
    cel_netaddr_err e;
    if (!cel_netaddr_parse_addr(in, strlen(in), &a, &e))
        fail_msg("ParseAddr(%s) failed with reason %d", in, e.reason);
    char buf[CEL_NETADDR_STRMAX];
    size_t n = cel_netaddr_format(&a, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    assert_int_equal(a.family, family);
}

static void assert_addr_error(const char *in, size_t n, const char *want)
{
    cel_netaddr a;
    cel_netaddr_err e;
    if (cel_netaddr_parse_addr(in, n, &a, &e))
        fail_msg("ParseAddr(%s) unexpectedly succeeded", in);
    char buf[512];
    size_t len = cel_netaddr_addr_error(in, n, &e, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
}

static void assert_prefix_error(const char *in, const char *want)
{
    cel_netaddr_prefix p;
    cel_netaddr_err e;
    if (cel_netaddr_parse_prefix(in, strlen(in), &p, &e))
        fail_msg("ParsePrefix(%s) unexpectedly succeeded", in);
    char buf[512];
    cel_netaddr_prefix_error(in, strlen(in), &e, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void assert_ip_error(const char *in, const char *want)
{
    cel_netaddr a;
    cel_netaddr_err e;
    if (cel_netaddr_parse_ip(in, strlen(in), &a, &e))
        fail_msg("ip(%s) unexpectedly succeeded", in);
    char buf[512];
    cel_netaddr_ip_error(in, strlen(in), &e, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void assert_cidr_error(const char *in, const char *want)
{
    cel_netaddr_prefix p;
    cel_netaddr_err e;
    if (cel_netaddr_parse_cidr(in, strlen(in), &p, &e))
        fail_msg("cidr(%s) unexpectedly succeeded", in);
    char buf[512];
    cel_netaddr_cidr_error(in, strlen(in), &e, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static cel_netaddr ip(const char *s)
{
    cel_netaddr a;
    if (!cel_netaddr_parse_ip(s, strlen(s), &a, NULL))
        fail_msg("bad test address %s", s);
    return a;
}

static cel_netaddr_prefix cidr(const char *s)
{
    cel_netaddr_prefix p;
    if (!cel_netaddr_parse_cidr(s, strlen(s), &p, NULL))
        fail_msg("bad test prefix %s", s);
    return p;
}

/* ------------------------------------------------------------ parsing */

static void test_ipv4_valid(void **state)
{
    assert_canonical_ip("192.168.0.1", "192.168.0.1", 4);
    assert_canonical_ip("0.0.0.0", "0.0.0.0", 4);
    assert_canonical_ip("255.255.255.255", "255.255.255.255", 4);
    assert_canonical_ip("10.0.100.9", "10.0.100.9", 4);
}

static void test_ipv4_errors(void **state)
{
    assert_addr_error("", 0, "ParseAddr(\"\"): unable to parse IP");
    assert_addr_error("abc", 3, "ParseAddr(\"abc\"): unable to parse IP");
    assert_addr_error("1.2.3", 5, "ParseAddr(\"1.2.3\"): IPv4 address too short");
    assert_addr_error("1.2.3.4.5", 9, "ParseAddr(\"1.2.3.4.5\"): IPv4 address too long");
    assert_addr_error("256.1.1.1", 9, "ParseAddr(\"256.1.1.1\"): IPv4 field has value >255");
    assert_addr_error("1.2.3.1000", 10, "ParseAddr(\"1.2.3.1000\"): IPv4 field has value >255");
    assert_addr_error("01.2.3.4", 8,
                      "ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero");
    assert_addr_error("192.168.0.01", 12,
                      "ParseAddr(\"192.168.0.01\"): IPv4 field has octet with leading zero");
    assert_addr_error("1.2.3.4 ", 8,
                      "ParseAddr(\"1.2.3.4 \"): unexpected character (at \" \")");
    assert_addr_error("0x1.2.3.4", 9,
                      "ParseAddr(\"0x1.2.3.4\"): unexpected character (at \"x1.2.3.4\")");
    assert_addr_error("1..2.3", 6,
                      "ParseAddr(\"1..2.3\"): IPv4 field must have at least one digit (at \".2.3\")");
    assert_addr_error(".1.2.3", 6,
                      "ParseAddr(\".1.2.3\"): IPv4 field must have at least one digit (at \".1.2.3\")");
    assert_addr_error("1.2.3.", 6,
                      "ParseAddr(\"1.2.3.\"): IPv4 field must have at least one digit (at \".\")");
    assert_addr_error("1.2.3.4%eth0", 12,
                      "ParseAddr(\"1.2.3.4%eth0\"): unexpected character (at \"%eth0\")");
    assert_addr_error("1.2.3.4:80", 10,
                      "ParseAddr(\"1.2.3.4:80\"): unexpected character (at \":80\")");
    assert_addr_error("%eth0", 5, "ParseAddr(\"%eth0\"): missing IPv6 address");
    assert_addr_error("x%", 2, "ParseAddr(\"x%\"): missing IPv6 address");
}

static void test_ipv6_canonical(void **state)
{
    assert_canonical_ip("2001:0db8::1", "2001:db8::1", 6);
    assert_canonical_ip("2001:db8:0:0:0:0:0:68", "2001:db8::68", 6);
    assert_canonical_ip("2001:DB8::68", "2001:db8::68", 6);
    /* the 3-group run wins over the earlier 2-group run */
    assert_canonical_ip("2001:db8:0:0:ffff:0:0:0", "2001:db8:0:0:ffff::", 6);
    assert_canonical_ip("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1", 6);
    /* ties: the first run */
    assert_canonical_ip("1:0:0:2:0:0:3:4", "1::2:0:0:3:4", 6);
    /* a single zero group is never compressed */
    assert_canonical_ip("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7", 6);
    assert_canonical_ip("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0", 6);
    assert_canonical_ip("0:0:0:0:0:0:0:0", "::", 6);
    assert_canonical_ip("::", "::", 6);
    assert_canonical_ip("0:0:0:0:0:0:0:1", "::1", 6);
    assert_canonical_ip("1::", "1::", 6);
    assert_canonical_ip("FF02::1", "ff02::1", 6);
    assert_canonical_ip("::1.2.3.4", "::102:304", 6);
    assert_canonical_ip("64:ff9b::1.2.3.4", "64:ff9b::102:304", 6);
    assert_canonical_ip("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304", 6);
    assert_canonical_ip("::ffff:0:1.2.3.4", "::ffff:0:102:304", 6);
    assert_canonical_ip("2001:db8:3333:4444:5555:6666:7777:8888",
                        "2001:db8:3333:4444:5555:6666:7777:8888", 6);
    assert_canonical_ip("0db8::00", "db8::", 6);
    /* Go keeps the mapped form in text; Kubernetes rejects it later */
    assert_canonical_ip("::ffff:1.2.3.4", "::ffff:1.2.3.4", 6);
    assert_canonical_ip("::ffff:c0a8:1", "::ffff:192.168.0.1", 6);
}

static void test_ipv6_errors(void **state)
{
    assert_addr_error("[::1]", 5,
                      "ParseAddr(\"[::1]\"): each colon-separated field must have at least one "
                      "digit (at \"[::1]\")");
    assert_addr_error(":1", 2,
                      "ParseAddr(\":1\"): each colon-separated field must have at least one "
                      "digit (at \":1\")");
    assert_addr_error("1:::2", 5,
                      "ParseAddr(\"1:::2\"): each colon-separated field must have at least one "
                      "digit (at \":2\")");
    assert_addr_error("g::1", 4,
                      "ParseAddr(\"g::1\"): each colon-separated field must have at least one "
                      "digit (at \"g::1\")");
    assert_addr_error("12345::", 7,
                      "ParseAddr(\"12345::\"): each group must have 4 or less digits (at "
                      "\"12345::\")");
    assert_addr_error("1::2::3", 7, "ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")");
    assert_addr_error("1:2:3:4:5:6:7:8:9", 17,
                      "ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at "
                      "\"9\")");
    assert_addr_error("1:2:3:4:5:6:7:8:", 16,
                      "ParseAddr(\"1:2:3:4:5:6:7:8:\"): colon must be followed by more "
                      "characters (at \":\")");
    assert_addr_error("1:", 2,
                      "ParseAddr(\"1:\"): colon must be followed by more characters (at \":\")");
    assert_addr_error("1:2:3:4:5:6:7:8::", 17,
                      "ParseAddr(\"1:2:3:4:5:6:7:8::\"): the :: must expand to at least one "
                      "field of zeros");
    assert_addr_error("1:2", 3, "ParseAddr(\"1:2\"): address string too short");
    assert_addr_error("1:2:3:1.2.3.4", 13,
                      "ParseAddr(\"1:2:3:1.2.3.4\"): embedded IPv4 address must replace the "
                      "final 2 fields of the address (at \"1.2.3.4\")");
    assert_addr_error("1:2:3:4:5:6:7::1.2.3.4", 22,
                      "ParseAddr(\"1:2:3:4:5:6:7::1.2.3.4\"): too many hex fields to fit an "
                      "embedded IPv4 at the end of the address (at \"1.2.3.4\")");
    /* embedded IPv4 errors name the whole input, the remainder without the zone */
    assert_addr_error("::1.2.3", 7, "ParseAddr(\"::1.2.3\"): IPv4 address too short");
    assert_addr_error("::1.2.3.4x%eth0", 15,
                      "ParseAddr(\"::1.2.3.4x%eth0\"): unexpected character (at \"x\")");
    assert_addr_error("::01.2.3.4", 10,
                      "ParseAddr(\"::01.2.3.4\"): IPv4 field has octet with leading zero");
    assert_addr_error("1:2:3:4:5:6:7:8x", 16,
                      "ParseAddr(\"1:2:3:4:5:6:7:8x\"): unexpected character, want colon (at "
                      "\"x\")");
    assert_addr_error("fe80::1%", 8, "ParseAddr(\"fe80::1%\"): zone must be a non-empty string");
}

static void test_ipv6_zone(void **state)
{
    cel_netaddr a;
    assert_true(cel_netaddr_parse_addr("fe80::1%eth0", 12, &a, NULL));
    assert_true(a.zoned);
    assert_true(cel_netaddr_parse_addr("1::%eth0", 8, &a, NULL));
    assert_true(a.zoned);
    char buf[CEL_NETADDR_STRMAX];
    cel_netaddr_format(&a, buf);
    assert_string_equal(buf, "1::");
}

/* A NUL inside the input is just another unexpected byte. */
static void test_embedded_nul(void **state)
{
    assert_addr_error("1.2.3.4\0x", 9,
                      "ParseAddr(\"1.2.3.4\\x00x\"): unexpected character (at \"\\x00x\")");
}

static void test_prefix_errors(void **state)
{
    assert_prefix_error("192.168.0.0", "netip.ParsePrefix(\"192.168.0.0\"): no '/'");
    assert_prefix_error("", "netip.ParsePrefix(\"\"): no '/'");
    assert_prefix_error("192.168.0.0/",
                        "netip.ParsePrefix(\"192.168.0.0/\"): bad bits after slash: \"\"");
    assert_prefix_error("192.168.00.0/24",
                        "netip.ParsePrefix(\"192.168.00.0/24\"): ParseAddr(\"192.168.00.0\"): "
                        "IPv4 field has octet with leading zero");
    assert_prefix_error("10.0.0.0/33", "netip.ParsePrefix(\"10.0.0.0/33\"): prefix length out of range");
    assert_prefix_error("::/129", "netip.ParsePrefix(\"::/129\"): prefix length out of range");
    assert_prefix_error("10.0.0.0/024",
                        "netip.ParsePrefix(\"10.0.0.0/024\"): bad bits after slash: \"024\"");
    assert_prefix_error("10.0.0.0/+8",
                        "netip.ParsePrefix(\"10.0.0.0/+8\"): bad bits after slash: \"+8\"");
    assert_prefix_error("10.0.0.0/-1",
                        "netip.ParsePrefix(\"10.0.0.0/-1\"): bad bits after slash: \"-1\"");
    assert_prefix_error("10.0.0.0/+",
                        "netip.ParsePrefix(\"10.0.0.0/+\"): bad bits after slash: \"+\"");
    assert_prefix_error("10.0.0.0/8a",
                        "netip.ParsePrefix(\"10.0.0.0/8a\"): bad bits after slash: \"8a\"");
    /* fits an int64: out of range; does not: Atoi fails */
    assert_prefix_error("10.0.0.0/9223372036854775807",
                        "netip.ParsePrefix(\"10.0.0.0/9223372036854775807\"): prefix length out "
                        "of range");
    assert_prefix_error("10.0.0.0/9223372036854775808",
                        "netip.ParsePrefix(\"10.0.0.0/9223372036854775808\"): bad bits after "
                        "slash: \"9223372036854775808\"");
    assert_prefix_error("1.2.3.4/24/24",
                        "netip.ParsePrefix(\"1.2.3.4/24/24\"): ParseAddr(\"1.2.3.4/24\"): "
                        "unexpected character (at \"/24\")");
    assert_prefix_error("/24", "netip.ParsePrefix(\"/24\"): ParseAddr(\"\"): unable to parse IP");
    assert_prefix_error("fe80::1%eth0/64",
                        "netip.ParsePrefix(\"fe80::1%eth0/64\"): IPv6 zones cannot be present in "
                        "a prefix");
}

static void test_prefix_valid(void **state)
{
    static const struct {
        const char *in, *text;
        int bits;
    } cases[] = {
        {"192.168.0.0/24", "192.168.0.0/24", 24},
        {"192.168.0.1/24", "192.168.0.1/24", 24}, /* host bits kept */
        {"0.0.0.0/0", "0.0.0.0/0", 0},
        {"1.2.3.4/32", "1.2.3.4/32", 32},
        {"2001:DB8::/32", "2001:db8::/32", 32},
        {"2001:db8:0:0:ffff:0:0:0/80", "2001:db8:0:0:ffff::/80", 80},
        {"::/0", "::/0", 0},
        {"::1/128", "::1/128", 128},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        cel_netaddr_prefix p = cidr(cases[i].in);
        char buf[CEL_NETADDR_STRMAX];
        cel_netaddr_prefix_format(&p, buf);
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(p.bits, cases[i].bits);
    }
}

/* ------------------------------------------------------------ Kubernetes texts */

static void test_k8s_ip_errors(void **state)
{
    assert_ip_error("fe80::1%eth0", "IP address \"fe80::1%eth0\" with zone value is not allowed");
    assert_ip_error("::ffff:1.2.3.4", "IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed");
    assert_ip_error("::ffff:c0a8:1", "IPv4-mapped IPv6 address \"::ffff:c0a8:1\" is not allowed");
    /* zone before mapping */
    assert_ip_error("::ffff:1.2.3.4%eth0",
                    "IP address \"::ffff:1.2.3.4%eth0\" with zone value is not allowed");
    assert_ip_error("fe80::1%",
                    "IP Address \"fe80::1%\" parse error during conversion from string: "
                    "ParseAddr(\"fe80::1%\"): zone must be a non-empty string");
    assert_ip_error("192.168.0.01",
                    "IP Address \"192.168.0.01\" parse error during conversion from string: "
                    "ParseAddr(\"192.168.0.01\"): IPv4 field has octet with leading zero");
    assert_ip_error("1.2.3.4/32",
                    "IP Address \"1.2.3.4/32\" parse error during conversion from string: "
                    "ParseAddr(\"1.2.3.4/32\"): unexpected character (at \"/32\")");
    assert_ip_error("a\"b",
                    "IP Address \"a\\\"b\" parse error during conversion from string: "
                    "ParseAddr(\"a\\\"b\"): unable to parse IP");

    cel_netaddr a;
    assert_true(cel_netaddr_parse_ip("::1.2.3.4", 9, &a, NULL));
    assert_true(cel_netaddr_parse_ip("::ffff:0:1.2.3.4", 16, &a, NULL));
}

static void test_k8s_cidr_errors(void **state)
{
    assert_cidr_error("192.168.0.0/",
                      "network address parse error during conversion from string: network "
                      "address parse error during conversion from string: "
                      "netip.ParsePrefix(\"192.168.0.0/\"): bad bits after slash: \"\"");
    assert_cidr_error("2001:db8::/",
                      "network address parse error during conversion from string: network "
                      "address parse error during conversion from string: "
                      "netip.ParsePrefix(\"2001:db8::/\"): bad bits after slash: \"\"");
    assert_cidr_error("192.168.00.0/24",
                      "network address parse error during conversion from string: network "
                      "address parse error during conversion from string: "
                      "netip.ParsePrefix(\"192.168.00.0/24\"): ParseAddr(\"192.168.00.0\"): "
                      "IPv4 field has octet with leading zero");
    assert_cidr_error("::ffff:1.2.3.4/120",
                      "network address parse error during conversion from string: IPv4-mapped "
                      "IPv6 address \"::ffff:1.2.3.4/120\" is not allowed");
    cel_netaddr_prefix p;
    assert_true(cel_netaddr_parse_cidr("192.168.0.1/16", 14, &p, NULL));
}

/* A buffer too small truncates but still reports the full length. */
static void test_error_truncation(void **state)
{
    cel_netaddr_err e;
    cel_netaddr a;
    assert_false(cel_netaddr_parse_ip("abc", 3, &a, &e));
    char small[10];
    size_t full = cel_netaddr_ip_error("abc", 3, &e, small, sizeof small);
    assert_int_equal(full, strlen("IP Address \"abc\" parse error during conversion from "
                                  "string: ParseAddr(\"abc\"): unable to parse IP"));
    assert_string_equal(small, "IP Addres");
    assert_int_equal(cel_netaddr_ip_error("abc", 3, &e, NULL, 0), full);
}

/* ------------------------------------------------------------ quoting */

static void assert_quote(const char *in, size_t n, const char *want)
{
    char buf[256];
    size_t len = cel_netaddr_quote(in, n, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
}

static void test_quote(void **state)
{
    assert_quote("", 0, "\"\"");
    assert_quote("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    assert_quote("\0\x7f\n\t\r\a\b\f\v\x1b", 10,
                 "\"\\x00\\x7f\\n\\t\\r\\a\\b\\f\\v\\x1b\"");
    assert_quote("'", 1, "\"'\"");
    assert_quote("\xff", 1, "\"\\xff\"");
    assert_quote("\xc3\xa9", 2, "\"\xc3\xa9\"");                /* é printable */
    assert_quote("\xc2\xad", 2, "\"\\u00ad\"");                 /* soft hyphen */
    assert_quote("\xc2\x85", 2, "\"\\u0085\"");                 /* C1 control */
    assert_quote("\xc2\xa0", 2, "\"\\u00a0\"");                 /* no-break space */
    assert_quote("\xe3\x80\x80", 3, "\"\\u3000\"");             /* ideographic space */
    assert_quote("\xe2\x80\x8b", 3, "\"\\u200b\"");             /* zero width space (Cf) */
    assert_quote("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""); /* emoji */
    assert_quote("\xee\x80\x80", 3, "\"\\ue000\"");             /* private use */
    assert_quote("\xf3\xb0\x80\x80", 4, "\"\\U000f0000\"");     /* plane 15 private use */
    assert_quote("\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\"");        /* U+FFFD itself */
    assert_quote("\xed\xa0\x80", 3, "\"\\xed\\xa0\\x80\"");     /* surrogate */
    assert_quote("\xc0\x80", 2, "\"\\xc0\\x80\"");              /* overlong */
    assert_quote("\xe2\x82", 2, "\"\\xe2\\x82\"");              /* truncated */
    assert_quote("\xf4\x90\x80\x80", 4, "\"\\xf4\\x90\\x80\\x80\""); /* > U+10FFFF */
    /* Unicode 15.0 additions are printable (Go 1.21+): Kawi U+11F04 */
    assert_quote("\xf0\x91\xbc\x84", 4, "\"\xf0\x91\xbc\x84\"");
    /* unassigned U+0378 */
    assert_quote("\xcd\xb8", 2, "\"\\u0378\"");
}

/* ------------------------------------------------------------ predicates */

static void test_predicates(void **state)
{
    static const struct {
        const char *ip;
        bool unspec, loop, llmc, llu, global;
    } cases[] = {
        {"0.0.0.0", true, false, false, false, false},
        {"255.255.255.255", false, false, false, false, false},
        {"10.0.0.1", false, false, false, false, true},
        {"192.168.0.1", false, false, false, false, true},
        {"127.0.0.1", false, true, false, false, false},
        {"127.255.255.255", false, true, false, false, false},
        {"128.0.0.1", false, false, false, false, true},
        {"224.0.0.1", false, false, true, false, false},
        {"224.0.1.1", false, false, false, false, false},
        {"239.255.255.255", false, false, false, false, false},
        {"169.254.1.1", false, false, false, true, false},
        {"169.255.1.1", false, false, false, false, true},
        {"::", true, false, false, false, false},
        {"::1", false, true, false, false, false},
        {"::2", false, false, false, false, true},
        {"ff02::1", false, false, true, false, false},
        {"ff12::1", false, false, true, false, false},
        {"ff00::1", false, false, false, false, false},
        {"ff05::1", false, false, false, false, false},
        {"fe80::1", false, false, false, true, false},
        {"febf::1", false, false, false, true, false},
        {"fec0::1", false, false, false, false, true},
        {"fd00::1", false, false, false, false, true},
        {"fd80::1", false, false, false, false, true},
        {"2001:db8::1", false, false, false, false, true},
        {"2001:db8::abcd", false, false, false, false, true},
        {"::1.2.3.4", false, false, false, false, true},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        cel_netaddr a = ip(cases[i].ip);
        if (cel_netaddr_is_unspecified(&a) != cases[i].unspec ||
            cel_netaddr_is_loopback(&a) != cases[i].loop ||
            cel_netaddr_is_link_local_multicast(&a) != cases[i].llmc ||
            cel_netaddr_is_link_local_unicast(&a) != cases[i].llu ||
            cel_netaddr_is_global_unicast(&a) != cases[i].global)
            fail_msg("predicates of %s", cases[i].ip);
    }
}

/* netip unmaps ::ffff:a.b.c.d before classifying (Go-level only). */
static void test_predicates_mapped(void **state)
{
    cel_netaddr a;
    assert_true(cel_netaddr_parse_addr("::ffff:127.0.0.1", 16, &a, NULL));
    assert_true(cel_netaddr_is_loopback(&a));
    assert_false(cel_netaddr_is_global_unicast(&a));
    assert_true(cel_netaddr_parse_addr("::ffff:0.0.0.0", 14, &a, NULL));
    assert_false(cel_netaddr_is_unspecified(&a));
    assert_false(cel_netaddr_is_global_unicast(&a));
}

static void test_equality(void **state)
{
    cel_netaddr a = ip("::1"), b = ip("0:0:0:0:0:0:0:1"), c = ip("0.0.0.1");
    assert_true(cel_netaddr_equal(&a, &b));
    assert_false(cel_netaddr_equal(&a, &c));
    cel_netaddr v6zero = ip("::"), v4zero = ip("0.0.0.0");
    assert_false(cel_netaddr_equal(&v6zero, &v4zero));

    cel_netaddr_prefix p1 = cidr("192.168.0.1/24"), p2 = cidr("192.168.0.0/24");
    assert_false(cel_netaddr_prefix_equal(&p1, &p2));
    cel_netaddr_prefix m = cel_netaddr_prefix_masked(&p1);
    assert_true(cel_netaddr_prefix_equal(&m, &p2));
    cel_netaddr_prefix u = cidr("2001:DB8::/32"), l = cidr("2001:db8::/32");
    assert_true(cel_netaddr_prefix_equal(&u, &l));
    cel_netaddr_prefix b24 = cidr("10.0.0.0/24"), b25 = cidr("10.0.0.0/25");
    assert_false(cel_netaddr_prefix_equal(&b24, &b25));
}

/* ------------------------------------------------------------ prefix relations */

static void test_masked(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"192.168.0.1/24", "192.168.0.0/24"},
        {"2001:db8:1::/32", "2001:db8::/32"},
        {"10.255.255.255/9", "10.128.0.0/9"},
        {"255.255.255.255/0", "0.0.0.0/0"},
        {"1.2.3.4/32", "1.2.3.4/32"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/65", "ffff:ffff:ffff:ffff:8000::/65"},
        {"::1/127", "::/127"},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        cel_netaddr_prefix p = cidr(cases[i].in);
        cel_netaddr_prefix m = cel_netaddr_prefix_masked(&p);
        char buf[CEL_NETADDR_STRMAX];
        cel_netaddr_prefix_format(&m, buf);
        assert_string_equal(buf, cases[i].want);
    }
}

static void test_contains(void **state)
{
    static const struct {
        const char *cidr, *ip;
        bool want;
    } cases[] = {
        {"192.168.0.0/24", "192.168.0.1", true},
        {"192.168.0.0/24", "192.168.1.1", false},
        {"192.168.0.1/24", "192.168.0.200", true}, /* host bits of the receiver ignored */
        {"0.0.0.0/0", "1.2.3.4", true},
        {"10.0.0.0/8", "::1", false},              /* cross family */
        {"::/0", "1.2.3.4", false},
        {"2001:db8::/32", "2001:db8::1", true},
        {"2001:db8::/32", "2001:dc8::1", false},
        {"1.2.3.4/32", "1.2.3.4", true},
        {"1.2.3.4/32", "1.2.3.5", false},
        {"10.0.0.0/9", "10.127.255.255", true},
        {"10.0.0.0/9", "10.128.0.0", false},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        cel_netaddr_prefix p = cidr(cases[i].cidr);
        cel_netaddr a = ip(cases[i].ip);
        if (cel_netaddr_prefix_contains(&p, &a) != cases[i].want)
            fail_msg("%s containsIP %s", cases[i].cidr, cases[i].ip);
    }
    /* Go never matches a zoned address */
    cel_netaddr z;
    assert_true(cel_netaddr_parse_addr("fe80::1%eth0", 12, &z, NULL));
    cel_netaddr_prefix ll = cidr("fe80::/10");
    assert_false(cel_netaddr_prefix_contains(&ll, &z));
}

static void test_contains_prefix(void **state)
{
    static const struct {
        const char *outer, *inner;
        bool contains, overlaps;
    } cases[] = {
        {"10.96.0.0/16", "10.96.1.0/24", true, true},
        {"192.168.0.0/24", "192.168.0.0/25", true, true},
        {"192.168.0.0/24", "192.168.0.0/23", false, true},
        {"192.168.0.0/24", "192.168.0.0/24", true, true},
        {"192.168.0.1/24", "192.168.0.0/25", true, true}, /* host bits ignored */
        {"192.168.0.0/24", "192.168.0.77/25", true, true},
        {"10.96.0.0/16", "10.97.0.0/24", false, false},
        {"0.0.0.0/0", "10.0.0.0/8", true, true},
        {"::/0", "10.0.0.0/8", false, false},
        {"10.0.0.0/8", "::/0", false, false},
        {"2001:db8::/32", "2001:db8::/33", true, true},
        {"2001:db8::/32", "2001:db8::/31", false, true},
        {"10.0.0.0/16", "10.1.0.0/16", false, false},
        {"192.168.0.0/16", "192.0.0.0/30", false, false},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        cel_netaddr_prefix o = cidr(cases[i].outer), in = cidr(cases[i].inner);
        if (cel_netaddr_prefix_contains_prefix(&o, &in) != cases[i].contains)
            fail_msg("%s containsCIDR %s", cases[i].outer, cases[i].inner);
        if (cel_netaddr_prefix_overlaps(&o, &in) != cases[i].overlaps)
            fail_msg("%s overlaps %s", cases[i].outer, cases[i].inner);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_valid),
        cmocka_unit_test(test_ipv4_errors),
        cmocka_unit_test(test_ipv6_canonical),
        cmocka_unit_test(test_ipv6_errors),
        cmocka_unit_test(test_ipv6_zone),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_prefix_errors),
        cmocka_unit_test(test_prefix_valid),
        cmocka_unit_test(test_k8s_ip_errors),
        cmocka_unit_test(test_k8s_cidr_errors),
        cmocka_unit_test(test_error_truncation),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_predicates),
        cmocka_unit_test(test_predicates_mapped),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_masked),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_contains_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
