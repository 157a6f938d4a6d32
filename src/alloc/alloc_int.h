/*
 * alloc_int.h: internal contracts between the allocator's files: address
 * arithmetic and strict parsing (alloc_ip.c), the free-space index
 * (alloc_index.c), a byte-keyed hash map (alloc_map.c), the PRNG and band
 * maths (alloc_range.c), object decoding (alloc_object.c) and the store
 * (alloc_store.c).
 */
#ifndef ALLOC_INT_H
#define ALLOC_INT_H

#include "celgate/alloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ addresses */

/* An address as a 128-bit number; IPv4 lives in the low 32 bits. */
typedef struct alloc_u128 {
    uint64_t hi, lo;
} alloc_u128;

static inline int alloc_u128_cmp(alloc_u128 a, alloc_u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}
static inline alloc_u128 alloc_u128_add(alloc_u128 a, uint64_t n)
{
    alloc_u128 r = {a.hi, a.lo + n};
    if (r.lo < a.lo)
        r.hi++;
    return r;
}
static inline alloc_u128 alloc_u128_sub(alloc_u128 a, uint64_t n)
{
    alloc_u128 r = {a.hi, a.lo - n};
    if (a.lo < n)
        r.hi--;
    return r;
}
static inline bool alloc_u128_is_max(alloc_u128 a)
{
    return a.hi == UINT64_MAX && a.lo == UINT64_MAX;
}
/* b - a for b >= a when the distance fits 64 bits. */
static inline uint64_t alloc_u128_dist(alloc_u128 a, alloc_u128 b)
{
    return b.lo - a.lo;
}

typedef struct alloc_ip {
    alloc_family fam;
    alloc_u128 v;
} alloc_ip;

typedef struct alloc_prefix {
    alloc_ip net;  /* network address (host bits clear) */
    int bits;      /* prefix length */
} alloc_prefix;

/* Parse outcomes, in the order the API server's checks report them. */
typedef enum alloc_parse_rc {
    ALLOC_PARSE_OK = 0,
    ALLOC_PARSE_INVALID,      /* not even the sloppy parser accepts it */
    ALLOC_PARSE_LEADING_ZERO, /* only the sloppy parser accepts it */
    ALLOC_PARSE_MAPPED,       /* IPv4-mapped IPv6 */
    ALLOC_PARSE_HOST_BITS,    /* CIDR with bits beyond the prefix */
    ALLOC_PARSE_NONCANONICAL  /* valid but not written canonically */
} alloc_parse_rc;

alloc_parse_rc alloc_ip_parse(const char *s, size_t len, alloc_ip *out);
alloc_parse_rc alloc_prefix_parse(const char *s, size_t len, alloc_prefix *out);
/* Canonical text (Go netip form); buf holds ALLOC_IP_STRLEN. */
void alloc_ip_format(const alloc_ip *ip, char *buf);
/* "a.b.c.d/n"; buf holds ALLOC_IP_STRLEN + 4. */
void alloc_prefix_format(const alloc_prefix *p, char *buf);
int alloc_prefix_hostbits(const alloc_prefix *p);
alloc_u128 alloc_prefix_last(const alloc_prefix *p); /* all-ones address */
/* Plain containment, network and broadcast included. */
bool alloc_prefix_has(const alloc_prefix *p, const alloc_ip *ip);
/* §2.3 containment: not the network address, nor the IPv4 broadcast. */
bool alloc_prefix_contains_usable(const alloc_prefix *p, const alloc_ip *ip);
/* p contains q (q's prefix at least as long, same family). */
bool alloc_prefix_covers(const alloc_prefix *p, const alloc_prefix *q);
const char *alloc_family_name(alloc_family f); /* "IPv4" / "IPv6" */

/* ------------------------------------------------------------ index */

/* The allocated addresses of one family as coalesced intervals. */
typedef struct alloc_index {
    struct alloc_inode *root;
    size_t nodes;
    uint64_t count; /* addresses held (saturating) */
} alloc_index;

void alloc_index_init(alloc_index *ix);
void alloc_index_free(alloc_index *ix);
bool alloc_index_has(const alloc_index *ix, alloc_u128 x);
/* 0 added, 1 already present, -1 out of memory. */
int alloc_index_add(alloc_index *ix, alloc_u128 x);
/* 0 removed, 1 absent, -1 out of memory (splitting an interval). */
int alloc_index_remove(alloc_index *ix, alloc_u128 x);
/* First free address in [lo, hi] at or after start (lo <= start <= hi),
 * wrapping to lo; false when [lo, hi] is full. */
bool alloc_index_first_free(const alloc_index *ix, alloc_u128 lo, alloc_u128 hi,
                            alloc_u128 start, alloc_u128 *out);
/* The first allocated interval that ends at or after x; false if none. */
bool alloc_index_next(const alloc_index *ix, alloc_u128 x, alloc_u128 *start, alloc_u128 *end);

/* ------------------------------------------------------------ map */

typedef struct alloc_map_entry {
    char *key;
    size_t klen;
    uint64_t hash;
    void *val;
} alloc_map_entry;

/* Open addressing with backward-shift deletion; keys are copied. */
typedef struct alloc_map {
    alloc_map_entry *slots;
    size_t cap, len;
} alloc_map;

void alloc_map_init(alloc_map *m);
void alloc_map_free(alloc_map *m, void (*free_val)(void *));
void *alloc_map_get(const alloc_map *m, const void *key, size_t klen);
/* 0 inserted, 1 key exists (unchanged), -1 out of memory. */
int alloc_map_put(alloc_map *m, const void *key, size_t klen, void *val);
/* Returns the removed value or NULL. */
void *alloc_map_del(alloc_map *m, const void *key, size_t klen);
/* Iteration: for (i = 0; alloc_map_iter(m, &i, &e); ) ... */
bool alloc_map_iter(const alloc_map *m, size_t *i, alloc_map_entry **e);

/* ------------------------------------------------------------ range */

typedef struct alloc_rng {
    uint64_t s[4];
} alloc_rng;

void alloc_rng_seed(alloc_rng *r, uint64_t seed);
uint64_t alloc_rng_next(alloc_rng *r);
/* Uniform in [0, n) for n > 0, without modulo bias. */
uint64_t alloc_rng_below(alloc_rng *r, uint64_t n);

/* One range allocator: a CIDR with its usable addresses and bands. */
typedef struct alloc_range {
    alloc_prefix cidr;
    char text[ALLOC_IP_STRLEN + 4];
    alloc_u128 first, last; /* usable addresses */
    uint64_t offset;        /* size of the lower (static-preferred) band */
    bool usable;            /* false: no usable address, or IPv6 < /64 */
    bool ready;
} alloc_range;

/* Upstream's band size for a range of 2^hostbits addresses. */
uint64_t alloc_range_offset(int hostbits);
/* Fills first/last/offset/usable; returns NULL or the refusal text
 * ("shortest allowed prefix length for service CIDR is 64, got 48"). */
const char *alloc_range_init(alloc_range *r, const alloc_prefix *p, char *buf, size_t bufsz);
/* Dynamic: upper band from a random start, then the lower band. */
bool alloc_range_pick(const alloc_range *r, const alloc_index *ix, alloc_rng *rng, alloc_u128 *out);

/* ------------------------------------------------------------ objects */

/* Field errors collected during validation, joined as the API server does. */
typedef struct alloc_ferrs {
    char text[8][300];
    int n;
} alloc_ferrs;

void alloc_ferr_add(alloc_ferrs *fe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "<Kind>.networking.k8s.io \"name\" is invalid: ..." into err (422). */
void alloc_ferr_to_err(const alloc_ferrs *fe, const char *kind, const char *name, alloc_err *err);
void alloc_err_set(alloc_err *err, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct alloc_scidr_in {
    const char *name;
    alloc_prefix cidrs[2];
    int ncidrs;
} alloc_scidr_in;

/* Decodes and validates a ServiceCIDR object; fills in (pointers into obj). */
int alloc_object_scidr_decode(const json_t *obj, alloc_scidr_in *in, alloc_err *err);

typedef struct alloc_ipaddr_in {
    const char *name;
    alloc_ip ip;
    const char *group, *resource, *ns, *pname;
    bool managed;
} alloc_ipaddr_in;

int alloc_object_ipaddr_decode(const json_t *obj, alloc_ipaddr_in *in, alloc_err *err);

/* RFC 3339 UTC with second precision, as metadata timestamps are written. */
void alloc_time_format(int64_t ms, char buf[32]);
/* Path-segment name and DNS subdomain checks with upstream texts. */
const char *alloc_check_path_segment(const char *s);
bool alloc_check_dns1123_subdomain(const char *s, size_t len, char *why, size_t whysz);

/* ------------------------------------------------------------ store */

typedef struct alloc_store alloc_store;

enum alloc_op_kind {
    ALLOC_OP_PUT_CIDR, ALLOC_OP_DEL_CIDR,
    ALLOC_OP_ADD_IP, ALLOC_OP_DEL_IP,
    ALLOC_OP_PUT_SVC, ALLOC_OP_DEL_SVC
};

#define ALLOC_STORE_VERSION 1

/* Opens or creates; NULL with *err (malloc'd) naming the file and problem. */
alloc_store *alloc_store_open(const char *path, char **err);
void alloc_store_close(alloc_store *s);
typedef struct alloc_store_change {
    enum alloc_op_kind kind;
    const char *key, *value;
    int64_t created_ms;
} alloc_store_change;

/* Queues changes that commit together (one transaction); returns the
 * sequence number of the group (0 on out of memory). Called under the
 * cluster mutex, so the store applies changes in the order the memory
 * state made them. */
uint64_t alloc_store_enqueue(alloc_store *s, const alloc_store_change *v, size_t n);
/* Blocks until change `seq` is committed (becoming the batch leader if no
 * commit is running). 0 ok, -1 when its batch failed (message in err). */
int alloc_store_wait(alloc_store *s, uint64_t seq, alloc_err *err);
/* Startup loading: calls back for every row of a table, in key order. */
typedef int (*alloc_store_row_fn)(void *arg, const char *key, const char *value, int64_t created_ms);
int alloc_store_load(alloc_store *s, enum alloc_op_kind table, alloc_store_row_fn fn, void *arg,
                     char **err);
uint64_t alloc_store_commits(alloc_store *s); /* transactions committed */

#endif
