/*
 * fuzz_netaddr.c: arbitrary bytes parsed as an IP address and as a CIDR,
 * both the Go way and the Kubernetes way. Whatever parses must print a
 * text that parses back to the same value and prints the same again;
 * whatever fails must yield an error text whose measured and written
 * lengths agree. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ext/netaddr.h"

static void check(bool ok)
{
    if (!ok)
        abort();
}

typedef size_t (*msg_fn)(const char *, size_t, const cel_netaddr_err *, char *, size_t);

static void check_message(msg_fn fn, const char *s, size_t n, const cel_netaddr_err *e)
{
    size_t len = fn(s, n, e, NULL, 0);
    char *buf = malloc(len + 1);
    check(buf != NULL);
    check(fn(s, n, e, buf, len + 1) == len);
    check(strlen(buf) == len); /* quoting escapes every NUL */
    free(buf);
}

static void round_trip_addr(const cel_netaddr *a)
{
    char text[CEL_NETADDR_STRMAX], again[CEL_NETADDR_STRMAX];
    size_t n = cel_netaddr_format(a, text);
    check(n < CEL_NETADDR_STRMAX);
    cel_netaddr b;
    check(cel_netaddr_parse_addr(text, n, &b, NULL));
    check(!b.zoned && b.family == a->family && memcmp(a->b, b.b, 16) == 0);
    check(cel_netaddr_format(&b, again) == n && memcmp(text, again, n) == 0);
}

static void round_trip_prefix(const cel_netaddr_prefix *p)
{
    char text[CEL_NETADDR_STRMAX], again[CEL_NETADDR_STRMAX];
    size_t n = cel_netaddr_prefix_format(p, text);
    check(n < CEL_NETADDR_STRMAX);
    cel_netaddr_prefix q;
    check(cel_netaddr_parse_prefix(text, n, &q, NULL));
    check(cel_netaddr_prefix_equal(p, &q));
    check(cel_netaddr_prefix_format(&q, again) == n && memcmp(text, again, n) == 0);
    /* masking is idempotent and keeps the prefix inside itself */
    cel_netaddr_prefix m = cel_netaddr_prefix_masked(p);
    cel_netaddr_prefix mm = cel_netaddr_prefix_masked(&m);
    check(cel_netaddr_prefix_equal(&m, &mm));
    check(cel_netaddr_prefix_contains_prefix(p, &m) && cel_netaddr_prefix_contains_prefix(&m, p));
    check(cel_netaddr_prefix_contains(p, &p->addr));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    cel_netaddr a;
    cel_netaddr_prefix p;
    cel_netaddr_err e;

    if (cel_netaddr_parse_addr(s, size, &a, &e))
        round_trip_addr(&a);
    else
        check_message(cel_netaddr_addr_error, s, size, &e);

    if (cel_netaddr_parse_ip(s, size, &a, &e)) {
        check(!a.zoned && !cel_netaddr_is_4in6(&a));
        /* ip.isCanonical: the canonical text is canonical */
        char text[CEL_NETADDR_STRMAX];
        size_t n = cel_netaddr_format(&a, text);
        cel_netaddr b;
        check(cel_netaddr_parse_ip(text, n, &b, NULL) && cel_netaddr_equal(&a, &b));
    } else {
        check_message(cel_netaddr_ip_error, s, size, &e);
    }

    if (cel_netaddr_parse_prefix(s, size, &p, &e))
        round_trip_prefix(&p);
    else
        check_message(cel_netaddr_prefix_error, s, size, &e);

    if (!cel_netaddr_parse_cidr(s, size, &p, &e))
        check_message(cel_netaddr_cidr_error, s, size, &e);

    size_t qlen = cel_netaddr_quote(s, size, NULL, 0);
    check(qlen >= size + 2);
    return 0;
}
