/*
 * cel/ext/netaddr.h: IP addresses and prefixes with the exact behaviour of
 * Go's net/netip (ParseAddr, ParsePrefix, String, Masked, Contains,
 * Overlaps, the Is* predicates) and of the Kubernetes checks layered on top
 * (no zones, no IPv4-mapped IPv6), including the error texts Kubernetes
 * users see, which embed inputs quoted with Go's strconv.Quote.
 *
 * Everything here works on caller-provided storage: parsing never
 * allocates, so CEL can parse a string per comprehension step cheaply.
 * Error texts are written by the snprintf-like *_error functions only when
 * a caller wants them.
 */
#ifndef CEL_EXT_NETADDR_H
#define CEL_EXT_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest canonical text of an address ("ffff:...:ffff", "::ffff:1.2.3.4")
 * or prefix (plus "/128"), with its NUL. */
#define CEL_NETADDR_STRMAX 48

/* An IPv4 or IPv6 address. IPv4 uses b[0..3], the rest stays zero so that
 * equal addresses compare equal with memcmp over the struct. */
typedef struct cel_netaddr {
    uint8_t b[16];  /* network byte order */
    uint8_t family; /* 4 or 6 */
    bool zoned;     /* IPv6 parsed with a non-empty "%zone" (never kept in CEL values) */
} cel_netaddr;

/* A prefix: the address as written (host bits kept) and the bit count. */
typedef struct cel_netaddr_prefix {
    cel_netaddr addr;
    uint8_t bits; /* 0..32 or 0..128 */
} cel_netaddr_prefix;

/* Which check rejected an input. Go ParseAddr reasons come first, in the
 * order of netip's messages; then ParsePrefix's; then Kubernetes'. */
typedef enum cel_netaddr_reason {
    CEL_NETADDR_OK = 0,
    /* netip.ParseAddr */
    CEL_NETADDR_UNABLE,          /* unable to parse IP */
    CEL_NETADDR_MISSING_V6,      /* missing IPv6 address */
    CEL_NETADDR_V4_LEADING_ZERO, /* IPv4 field has octet with leading zero */
    CEL_NETADDR_V4_GT255,        /* IPv4 field has value >255 */
    CEL_NETADDR_V4_NO_DIGIT,     /* IPv4 field must have at least one digit (at) */
    CEL_NETADDR_V4_TOO_LONG,     /* IPv4 address too long */
    CEL_NETADDR_V4_UNEXPECTED,   /* unexpected character (at) */
    CEL_NETADDR_V4_TOO_SHORT,    /* IPv4 address too short */
    CEL_NETADDR_ZONE_EMPTY,      /* zone must be a non-empty string */
    CEL_NETADDR_V6_GROUP_DIGITS, /* each group must have 4 or less digits (at) */
    CEL_NETADDR_V6_NO_DIGIT,     /* each colon-separated field must have at least one digit (at) */
    CEL_NETADDR_V6_V4_PLACE,     /* embedded IPv4 address must replace the final 2 fields ... (at) */
    CEL_NETADDR_V6_V4_ROOM,      /* too many hex fields to fit an embedded IPv4 ... (at) */
    CEL_NETADDR_V6_WANT_COLON,   /* unexpected character, want colon (at) */
    CEL_NETADDR_V6_COLON_END,    /* colon must be followed by more characters (at) */
    CEL_NETADDR_V6_MULTI_ELLIPSIS, /* multiple :: in address (at) */
    CEL_NETADDR_V6_TRAILING,     /* trailing garbage after address (at) */
    CEL_NETADDR_V6_TOO_SHORT,    /* address string too short */
    CEL_NETADDR_V6_ELLIPSIS_EMPTY, /* the :: must expand to at least one field of zeros */
    /* netip.ParsePrefix */
    CEL_NETADDR_P_NO_SLASH,      /* no '/' */
    CEL_NETADDR_P_ZONE,          /* IPv6 zones cannot be present in a prefix */
    CEL_NETADDR_P_BAD_BITS,      /* bad bits after slash: "<bits>" */
    CEL_NETADDR_P_RANGE,         /* prefix length out of range */
    /* Kubernetes */
    CEL_NETADDR_K_ZONE,          /* IP address "<in>" with zone value is not allowed */
    CEL_NETADDR_K_MAPPED         /* IPv4-mapped IPv6 address "<in>" is not allowed */
} cel_netaddr_reason;

/* Where and why a parse failed, enough to rebuild Go's message later.
 * Offsets are into the whole input given to the parse function. */
typedef struct cel_netaddr_err {
    int reason;      /* cel_netaddr_reason */
    size_t addr_len; /* prefix parses: length of the address part (before the last '/') */
    size_t at;       /* start of the "(at ...)" text (or of the bits, for P_BAD_BITS) */
    size_t at_end;   /* its end; at == at_end: no "(at ...)" part */
} cel_netaddr_err;

/* ------------------------------------------------------------ Go layer */

/* netip.ParseAddr. Zones are accepted (out->zoned) but not stored. */
bool cel_netaddr_parse_addr(const char *s, size_t n, cel_netaddr *out, cel_netaddr_err *err);
/* netip.ParsePrefix (host bits kept). */
bool cel_netaddr_parse_prefix(const char *s, size_t n, cel_netaddr_prefix *out,
                              cel_netaddr_err *err);

/* Addr.String() / Prefix.String() without zones, NUL-terminated into buf
 * (at least CEL_NETADDR_STRMAX bytes). Return the length. */
size_t cel_netaddr_format(const cel_netaddr *a, char *buf);
size_t cel_netaddr_prefix_format(const cel_netaddr_prefix *p, char *buf);

/* Go's messages: "ParseAddr(<q>): <reason>[ (at <q>)]" and
 * "netip.ParsePrefix(<q>): <reason>", for the input the parse was given.
 * snprintf-like: write at most cap bytes (NUL included) and return the full
 * length. */
size_t cel_netaddr_addr_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                              size_t cap);
size_t cel_netaddr_prefix_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                                size_t cap);

/* Go's strconv.Quote of s[0..n): double quotes, backslash escapes, \x.. for
 * bytes that are not UTF-8, \u/\U for runes that are not printable.
 * snprintf-like. */
size_t cel_netaddr_quote(const char *s, size_t n, char *buf, size_t cap);

bool cel_netaddr_equal(const cel_netaddr *a, const cel_netaddr *b);
bool cel_netaddr_prefix_equal(const cel_netaddr_prefix *a, const cel_netaddr_prefix *b);

/* Is4In6: ::ffff:0:0/96. */
bool cel_netaddr_is_4in6(const cel_netaddr *a);
bool cel_netaddr_is_unspecified(const cel_netaddr *a);
bool cel_netaddr_is_loopback(const cel_netaddr *a);
bool cel_netaddr_is_multicast(const cel_netaddr *a);
bool cel_netaddr_is_link_local_multicast(const cel_netaddr *a);
bool cel_netaddr_is_link_local_unicast(const cel_netaddr *a);
bool cel_netaddr_is_global_unicast(const cel_netaddr *a);

/* Prefix.Masked(), Prefix.Contains(addr), Prefix.Overlaps(o). */
cel_netaddr_prefix cel_netaddr_prefix_masked(const cel_netaddr_prefix *p);
bool cel_netaddr_prefix_contains(const cel_netaddr_prefix *p, const cel_netaddr *a);
bool cel_netaddr_prefix_overlaps(const cel_netaddr_prefix *p, const cel_netaddr_prefix *o);

/* ------------------------------------------------------------ Kubernetes layer */

/* ip(): ParseAddr, then no zone, then no IPv4-mapped IPv6. */
bool cel_netaddr_parse_ip(const char *s, size_t n, cel_netaddr *out, cel_netaddr_err *err);
/* cidr(): ParsePrefix, then no IPv4-mapped IPv6 address. */
bool cel_netaddr_parse_cidr(const char *s, size_t n, cel_netaddr_prefix *out,
                            cel_netaddr_err *err);

/* The runtime error texts of ip() and cidr() for a failed parse
 * (snprintf-like):
 *   IP Address "<in>" parse error during conversion from string: ParseAddr(...): ...
 *   network address parse error during conversion from string: network address parse
 *     error during conversion from string: netip.ParsePrefix(...): ...      */
size_t cel_netaddr_ip_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                            size_t cap);
size_t cel_netaddr_cidr_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                              size_t cap);

/* cidr.containsCIDR(other) since Kubernetes 1.33: every address of other
 * lies in p (Overlaps and p.bits <= other.bits). */
bool cel_netaddr_prefix_contains_prefix(const cel_netaddr_prefix *p,
                                        const cel_netaddr_prefix *other);

#endif
