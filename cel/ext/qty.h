/*
 * cel/ext/qty.h: Kubernetes resource quantities with the behaviour of
 * apimachinery's resource.Quantity: ParseQuantity (its scanner, suffixes,
 * fast int64 path, inf.Dec slow path, rounding up to nano units, the
 * BinarySI cap), Add/Sub, Cmp, Sign, AsInt64, AsApproximateFloat64 and the
 * canonical String().
 *
 * apimachinery keeps a quantity in one of two forms and some results depend
 * on which (AsInt64 fails for every inf.Dec value, even 1536 written as
 * "1.5Ki"; AsApproximateFloat64 rounds differently), so this keeps the same
 * two forms and moves between them exactly where Go does:
 *   int form: value × 10^scale, an int64 and a power-of-ten exponent
 *             (apimachinery's int64Amount);
 *   dec form: ±mag × 10^-scale, a big magnitude and the count of digits
 *             after the point (inf.Dec).
 * Arithmetic is exact. The one divergence: magnitudes are capped at
 * CEL_BN_MAX_DIGITS digits and exponents at int32 (CEL_QTY_E_LIMIT), where
 * Go would keep growing (or wrap an int32) instead.
 */
#ifndef CEL_EXT_QTY_H
#define CEL_EXT_QTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bignum.h"

typedef enum cel_qty_format {
    CEL_QTY_DECIMAL_EXPONENT = 0, /* 12e6 */
    CEL_QTY_BINARY_SI,            /* 12Mi */
    CEL_QTY_DECIMAL_SI            /* 12M */
} cel_qty_format;

typedef struct cel_qty {
    bool dec;       /* dec form (inf.Dec) rather than int form (int64Amount) */
    uint8_t format; /* cel_qty_format: how String() writes it */
    bool neg;       /* dec form: sign */
    int32_t scale;  /* int form: power of ten; dec form: digits after the point */
    int64_t value;  /* int form */
    cel_bn mag;     /* dec form */
} cel_qty;

typedef enum cel_qty_err {
    CEL_QTY_OK = 0,
    CEL_QTY_E_FORMAT,  /* quantities must match the regular expression '...' */
    CEL_QTY_E_NUMERIC, /* unable to parse numeric part of quantity */
    CEL_QTY_E_SUFFIX,  /* unable to parse quantity's suffix */
    CEL_QTY_E_LIMIT    /* celgate: past the size this implementation keeps */
} cel_qty_err;

/* The error text for e (ParseQuantity's errors verbatim). */
const char *cel_qty_error(cel_qty_err e);

/* resource.ParseQuantity(s). */
cel_qty_err cel_qty_parse(const char *s, size_t n, cel_qty *out);
/* resource.NewQuantity(v, format): int form, scale 0. */
void cel_qty_from_int64(cel_qty *q, int64_t v, cel_qty_format format);

int cel_qty_sign(const cel_qty *q);
/* Quantity.Cmp: -1, 0, 1. */
int cel_qty_cmp(const cel_qty *a, const cel_qty *b);
/* q.Add(y) / q.Sub(y) in place: CEL_QTY_OK or CEL_QTY_E_LIMIT. */
cel_qty_err cel_qty_add(cel_qty *q, const cel_qty *y);
cel_qty_err cel_qty_sub(cel_qty *q, const cel_qty *y);
/* Quantity.AsInt64: false for the dec form and for int forms that are not
 * an exact int64. */
bool cel_qty_as_int64(const cel_qty *q, int64_t *out);
/* Quantity.AsApproximateFloat64, bit for bit. */
double cel_qty_approx_float(const cel_qty *q);

/* Quantity.String() (canonical form), NUL-terminated into buf. */
#define CEL_QTY_STRMAX (CEL_BN_MAX_DIGITS + 64)
size_t cel_qty_string(const cel_qty *q, char *buf);

#endif
