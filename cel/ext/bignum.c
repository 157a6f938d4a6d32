/*
 * bignum.c: the fixed-capacity big integers of bignum.h. Schoolbook
 * algorithms over 32-bit limbs: the numbers are at most a few hundred
 * limbs, and most quantities never get here at all.
 */
#include <math.h>
#include <string.h>

#include "bignum.h"

static void trim(cel_bn *a)
{
    while (a->n && a->d[a->n - 1] == 0)
        a->n--;
}

void cel_bn_set_u64(cel_bn *a, uint64_t v)
{
    a->d[0] = (uint32_t)v;
    a->d[1] = (uint32_t)(v >> 32);
    a->n = 2;
    trim(a);
}

bool cel_bn_get_u64(const cel_bn *a, uint64_t *out)
{
    if (a->n > 2)
        return false;
    uint64_t v = 0;
    if (a->n > 0)
        v = a->d[0];
    if (a->n > 1)
        v |= (uint64_t)a->d[1] << 32;
    *out = v;
    return true;
}

bool cel_bn_mul_add_small(cel_bn *a, uint32_t m, uint32_t add)
{
    uint64_t carry = add;
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t t = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry) {
        if (a->n == CEL_BN_LIMBS)
            return false;
        a->d[a->n++] = (uint32_t)carry;
    }
    trim(a);
    return true;
}

bool cel_bn_mul_pow10(cel_bn *a, uint64_t k)
{
    if (a->n == 0 || k == 0)
        return true;
    /* A non-zero value times 10^k has more than k digits. */
    if (k >= CEL_BN_MAX_DIGITS)
        return false;
    for (; k >= 9; k -= 9)
        if (!cel_bn_mul_add_small(a, 1000000000u, 0))
            return false;
    static const uint32_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                    100000000};
    return k == 0 || cel_bn_mul_add_small(a, p10[k], 0);
}

bool cel_bn_shl(cel_bn *a, unsigned bits)
{
    if (a->n == 0 || bits == 0)
        return true;
    if (bits >= 32 * CEL_BN_LIMBS)
        return false;
    unsigned words = bits / 32, sh = bits % 32;
    uint32_t top = sh ? a->d[a->n - 1] >> (32 - sh) : 0;
    uint32_t need = a->n + words + (top ? 1 : 0);
    if (need > CEL_BN_LIMBS)
        return false;
    if (top)
        a->d[a->n + words] = top;
    for (uint32_t i = a->n; i-- > 0;) {
        uint32_t lo = (sh && i > 0) ? a->d[i - 1] >> (32 - sh) : 0;
        a->d[i + words] = sh ? (a->d[i] << sh) | lo : a->d[i];
    }
    for (unsigned i = 0; i < words; i++)
        a->d[i] = 0;
    a->n = need;
    trim(a);
    return true;
}

uint32_t cel_bn_div_small(cel_bn *a, uint32_t d)
{
    uint64_t rem = 0;
    for (uint32_t i = a->n; i-- > 0;) {
        uint64_t cur = (rem << 32) | a->d[i];
        a->d[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    trim(a);
    return (uint32_t)rem;
}

int cel_bn_cmp(const cel_bn *a, const cel_bn *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (uint32_t i = a->n; i-- > 0;)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

bool cel_bn_add(cel_bn *r, const cel_bn *a, const cel_bn *b)
{
    uint32_t n = a->n > b->n ? a->n : b->n;
    uint64_t carry = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t = carry;
        if (i < a->n)
            t += a->d[i];
        if (i < b->n)
            t += b->d[i];
        r->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    r->n = n;
    if (carry) {
        if (n == CEL_BN_LIMBS)
            return false;
        r->d[r->n++] = 1;
    }
    trim(r);
    return true;
}

void cel_bn_sub(cel_bn *r, const cel_bn *a, const cel_bn *b)
{
    int64_t borrow = 0;
    uint32_t n = a->n;
    for (uint32_t i = 0; i < n; i++) {
        int64_t t = (int64_t)a->d[i] - borrow - (i < b->n ? (int64_t)b->d[i] : 0);
        borrow = t < 0;
        r->d[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
    }
    r->n = n;
    trim(r);
}

unsigned cel_bn_bitlen(const cel_bn *a)
{
    if (a->n == 0)
        return 0;
    return 32 * (a->n - 1) + (32 - (unsigned)__builtin_clz(a->d[a->n - 1]));
}

unsigned cel_bn_digits(const cel_bn *a)
{
    if (a->n == 0)
        return 0;
    cel_bn t = *a;
    unsigned digits = 0;
    while (t.n > 1 || (t.n == 1 && t.d[0] >= 1000000000u)) {
        cel_bn_div_small(&t, 1000000000u);
        digits += 9;
    }
    for (uint32_t v = t.n ? t.d[0] : 0; v; v /= 10)
        digits++;
    return digits;
}

double cel_bn_to_double(const cel_bn *a)
{
    unsigned bits = cel_bn_bitlen(a);
    if (bits <= 64) {
        uint64_t v = 0;
        cel_bn_get_u64(a, &v);
        return (double)v;
    }
    /* The top 64 bits, with every lower bit folded into bit 0 as a sticky
     * bit: converting those 64 bits rounds exactly as the whole would. */
    unsigned shift = bits - 64;
    unsigned word = shift / 32, sh = shift % 32;
    /* Three limbs from the one holding bit `shift` cover bits shift..shift+63. */
    unsigned __int128 wide = 0;
    for (int i = 2; i >= 0; i--) {
        uint32_t w = word + (unsigned)i < a->n ? a->d[word + (unsigned)i] : 0;
        wide = (wide << 32) | w;
    }
    uint64_t m = (uint64_t)(wide >> sh);
    bool sticky = sh && (wide & ((((unsigned __int128)1) << sh) - 1)) != 0;
    for (unsigned i = 0; i < word && !sticky; i++)
        sticky = a->d[i] != 0;
    if (sticky)
        m |= 1;
    return ldexp((double)m, (int)shift);
}

size_t cel_bn_to_dec(const cel_bn *a, char *buf)
{
    if (a->n == 0) {
        buf[0] = '0';
        buf[1] = '\0';
        return 1;
    }
    char rev[CEL_BN_MAX_DIGITS + 16];
    size_t n = 0;
    cel_bn t = *a;
    while (t.n) {
        uint32_t chunk = cel_bn_div_small(&t, 1000000000u);
        for (int i = 0; i < 9; i++) {
            rev[n++] = (char)('0' + chunk % 10);
            chunk /= 10;
            if (!t.n && !chunk)
                break;
        }
    }
    while (n > 1 && rev[n - 1] == '0')
        n--;
    for (size_t i = 0; i < n; i++)
        buf[i] = rev[n - 1 - i];
    buf[n] = '\0';
    return n;
}
