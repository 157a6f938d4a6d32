/*
 * alloc_range.c: one range allocator: the usable addresses of a CIDR, the
 * static (lower) and dynamic (upper) bands of KEP-3070, and dynamic picking
 * from a random start, upper band first. The random source is xoshiro256**
 * seeded through splitmix64, so a seed reproduces a whole run.
 */
#include "alloc_int.h"

#include <stdio.h>

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void alloc_rng_seed(alloc_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t alloc_rng_next(alloc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

uint64_t alloc_rng_below(alloc_rng *r, uint64_t n)
{
    /* Reject the top sliver that would bias the remainder. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t v = alloc_rng_next(r);
        if (v < limit || limit == 0)
            return v % n;
    }
}

uint64_t alloc_range_offset(int hostbits)
{
    /* S = 2^hostbits; 0 when S <= 16, else min(max(16, S/16), 256). */
    if (hostbits <= 4)
        return 0;
    if (hostbits >= 12)
        return 256;
    uint64_t o = (uint64_t)1 << (hostbits - 4);
    return o < 16 ? 16 : o;
}

const char *alloc_range_init(alloc_range *r, const alloc_prefix *p, char *buf, size_t bufsz)
{
    r->cidr = *p;
    alloc_prefix_format(p, r->text);
    r->ready = false;
    r->usable = false;
    r->offset = 0;
    r->first = r->last = p->net.v;
    if (p->net.fam == ALLOC_IPV6 && p->bits < 64) {
        snprintf(buf, bufsz, "shortest allowed prefix length for service CIDR is 64, got %d",
                 p->bits);
        return buf;
    }
    int h = alloc_prefix_hostbits(p);
    alloc_u128 bcast = alloc_prefix_last(p);
    r->first = alloc_u128_add(p->net.v, 1);
    r->last = p->net.fam == ALLOC_IPV4 ? alloc_u128_sub(bcast, 1) : bcast;
    /* /32, /31 and /128 have nothing usable. */
    r->usable = h >= 1 && alloc_u128_cmp(r->first, r->last) <= 0 && !(p->net.fam == ALLOC_IPV4 && h < 2);
    r->offset = alloc_range_offset(h);
    return NULL;
}

static bool pick_band(const alloc_index *ix, alloc_rng *rng, alloc_u128 lo, alloc_u128 hi,
                      alloc_u128 *out)
{
    uint64_t span = alloc_u128_dist(lo, hi); /* size - 1 */
    uint64_t off = span == UINT64_MAX ? alloc_rng_next(rng) : alloc_rng_below(rng, span + 1);
    return alloc_index_first_free(ix, lo, hi, alloc_u128_add(lo, off), out);
}

bool alloc_range_pick(const alloc_range *r, const alloc_index *ix, alloc_rng *rng, alloc_u128 *out)
{
    if (!r->usable)
        return false;
    alloc_u128 upper = alloc_u128_add(r->first, r->offset);
    if (pick_band(ix, rng, upper, r->last, out))
        return true;
    if (r->offset == 0)
        return false;
    return pick_band(ix, rng, r->first, alloc_u128_sub(upper, 1), out);
}
