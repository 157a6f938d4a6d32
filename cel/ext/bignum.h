/*
 * cel/ext/bignum.h: small fixed-capacity unsigned big integers, for the
 * exact decimal arithmetic of Kubernetes quantities (apimachinery falls back
 * to inf.Dec, an arbitrary-precision decimal, where int64 is not enough).
 *
 * A value is a magnitude in 32-bit limbs, least significant first, with no
 * zero limbs on top (n == 0 is zero). Capacity is fixed (CEL_BN_LIMBS), so
 * values live on the stack or inside an arena payload and never allocate;
 * an operation whose result would not fit reports false and leaves its
 * target unspecified. The cap is the limit on what a user's quantity may
 * grow to: Go would keep going (and, for exponents like 1e999999999, spend
 * minutes doing so); we stop with an error instead.
 */
#ifndef CEL_EXT_BIGNUM_H
#define CEL_EXT_BIGNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 4096 bits: 1233 decimal digits. */
#define CEL_BN_LIMBS 128u
#define CEL_BN_MAX_DIGITS 1233u

typedef struct cel_bn {
    uint32_t n;
    uint32_t d[CEL_BN_LIMBS];
} cel_bn;

static inline bool cel_bn_is_zero(const cel_bn *a) { return a->n == 0; }
void cel_bn_set_u64(cel_bn *a, uint64_t v);
/* The value as a uint64 when it fits. */
bool cel_bn_get_u64(const cel_bn *a, uint64_t *out);
/* a = a * m + add. */
bool cel_bn_mul_add_small(cel_bn *a, uint32_t m, uint32_t add);
/* a *= 10^k. */
bool cel_bn_mul_pow10(cel_bn *a, uint64_t k);
/* a <<= bits. */
bool cel_bn_shl(cel_bn *a, unsigned bits);
/* a /= d (d > 0); returns the remainder. */
uint32_t cel_bn_div_small(cel_bn *a, uint32_t d);
/* -1, 0, 1 as a < b, a == b, a > b. */
int cel_bn_cmp(const cel_bn *a, const cel_bn *b);
/* r = a + b (r may alias either). */
bool cel_bn_add(cel_bn *r, const cel_bn *a, const cel_bn *b);
/* r = a - b, requires a >= b (r may alias either). */
void cel_bn_sub(cel_bn *r, const cel_bn *a, const cel_bn *b);
/* Number of bits (0 for zero). */
unsigned cel_bn_bitlen(const cel_bn *a);
/* Number of decimal digits (0 for zero). */
unsigned cel_bn_digits(const cel_bn *a);
/* Nearest double, ties to even (big.Float.Float64); +Inf past the range. */
double cel_bn_to_double(const cel_bn *a);
/* Decimal text, NUL-terminated; buf needs CEL_BN_MAX_DIGITS + 2 bytes.
 * Returns the length. */
size_t cel_bn_to_dec(const cel_bn *a, char *buf);

#endif
