/*
 * qty.c: resource.Quantity as apimachinery implements it (quantity.go,
 * amount.go, math.go, suffix.go and the inf.Dec operations they use). See
 * qty.h for the two forms a value takes and why they are kept apart.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "qty.h"

#define MOST_POSITIVE INT64_MAX
#define MOST_NEGATIVE INT64_MIN

const char *cel_qty_error(cel_qty_err e)
{
    switch (e) {
    case CEL_QTY_E_FORMAT:
        return "quantities must match the regular expression "
               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    case CEL_QTY_E_NUMERIC:
        return "unable to parse numeric part of quantity";
    case CEL_QTY_E_SUFFIX:
        return "unable to parse quantity's suffix";
    case CEL_QTY_E_LIMIT:
        return "quantity is too large to represent exactly (more than 1233 digits, "
               "or an exponent beyond int32)";
    default:
        return "";
    }
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* ------------------------------------------------------------ int64 helpers */

/* base × 10^k, or false on overflow (positiveScaleInt64). */
static bool scale_up(int64_t base, int64_t k, int64_t *out)
{
    if (base == 0 || k == 0) {
        *out = base;
        return true;
    }
    if (k >= 19)
        return false;
    int64_t v = base;
    for (int64_t i = 0; i < k; i++)
        if (__builtin_mul_overflow(v, 10, &v))
            return false;
    *out = v;
    return true;
}

static uint64_t mag64(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

static void set_dec_from_int(cel_qty *q)
{
    int64_t v = q->value;
    cel_bn_set_u64(&q->mag, mag64(v));
    q->neg = v < 0;
    q->scale = -q->scale; /* caller checked scale != INT32_MIN */
    q->dec = true;
}

/* The value as (neg, mag, inf scale) whatever the form: int64Amount.AsDec. */
static bool as_dec(const cel_qty *q, cel_qty *out)
{
    *out = *q;
    if (q->dec)
        return true;
    if (q->scale == INT32_MIN)
        return false;
    set_dec_from_int(out);
    return true;
}

/* ------------------------------------------------------------ parsing */

typedef struct qscan {
    bool positive;
    const char *value, *num, *denom, *suffix;
    size_t vlen, nlen, dlen, slen;
} qscan;

/* parseQuantityString: the hand-written scanner, including what it lets
 * through ("+", ".", "1.") for the later stages to judge. */
static cel_qty_err scan_quantity(const char *s, size_t end, qscan *o)
{
    static const char zero[] = "0";
    static const char suffix_chars[] = "eEinumkKMGTP";
    size_t pos = 0, i;
    memset(o, 0, sizeof *o);
    o->positive = true;
    o->suffix = s + end;
    if (pos < end) {
        if (s[0] == '-') {
            o->positive = false;
            pos++;
        } else if (s[0] == '+') {
            pos++;
        }
    }
    for (i = pos;; i++) {
        if (i >= end) {
            o->num = o->value = zero;
            o->nlen = o->vlen = 1;
            return CEL_QTY_OK;
        }
        if (s[i] != '0')
            break;
        pos++;
    }
    for (i = pos;; i++) {
        if (i >= end) {
            o->num = s + pos;
            o->nlen = end - pos;
            o->value = s;
            o->vlen = end;
            return CEL_QTY_OK;
        }
        if (!is_digit(s[i])) {
            o->num = s + pos;
            o->nlen = i - pos;
            pos = i;
            break;
        }
    }
    if (o->nlen == 0) {
        o->num = zero;
        o->nlen = 1;
    }
    if (pos < end && s[pos] == '.') {
        pos++;
        for (i = pos;; i++) {
            if (i >= end) {
                o->denom = s + pos;
                o->dlen = end - pos;
                o->value = s;
                o->vlen = end;
                return CEL_QTY_OK;
            }
            if (!is_digit(s[i])) {
                o->denom = s + pos;
                o->dlen = i - pos;
                pos = i;
                break;
            }
        }
    }
    o->value = s;
    o->vlen = pos;
    size_t suffix_start = pos;
    for (i = pos;; i++) {
        if (i >= end) {
            o->suffix = s + suffix_start;
            o->slen = end - suffix_start;
            return CEL_QTY_OK;
        }
        if (!memchr(suffix_chars, s[i], sizeof suffix_chars - 1)) {
            pos = i;
            break;
        }
    }
    if (pos < end && (s[pos] == '-' || s[pos] == '+'))
        pos++;
    for (i = pos;; i++) {
        if (i >= end) {
            o->suffix = s + suffix_start;
            o->slen = end - suffix_start;
            return CEL_QTY_OK;
        }
        if (!is_digit(s[i]))
            break;
    }
    return CEL_QTY_E_FORMAT;
}

/* strconv.ParseInt(s, 10, 64). */
static bool parse_int64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return false;
    uint64_t v = 0, lim = neg ? (uint64_t)1 << 63 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)((uint64_t)0 - v) : (int64_t)v;
    return true;
}

/* quantitySuffixer.interpret. */
static bool interpret_suffix(const char *s, size_t n, int *base, int32_t *exponent, int *format)
{
    static const struct {
        const char *s;
        int base, exp, format;
    } table[] = {
        {"", 10, 0, CEL_QTY_DECIMAL_SI},   {"n", 10, -9, CEL_QTY_DECIMAL_SI},
        {"u", 10, -6, CEL_QTY_DECIMAL_SI}, {"m", 10, -3, CEL_QTY_DECIMAL_SI},
        {"k", 10, 3, CEL_QTY_DECIMAL_SI},  {"M", 10, 6, CEL_QTY_DECIMAL_SI},
        {"G", 10, 9, CEL_QTY_DECIMAL_SI},  {"T", 10, 12, CEL_QTY_DECIMAL_SI},
        {"P", 10, 15, CEL_QTY_DECIMAL_SI}, {"E", 10, 18, CEL_QTY_DECIMAL_SI},
        {"Ki", 2, 10, CEL_QTY_BINARY_SI},  {"Mi", 2, 20, CEL_QTY_BINARY_SI},
        {"Gi", 2, 30, CEL_QTY_BINARY_SI},  {"Ti", 2, 40, CEL_QTY_BINARY_SI},
        {"Pi", 2, 50, CEL_QTY_BINARY_SI},  {"Ei", 2, 60, CEL_QTY_BINARY_SI},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].s) == n && memcmp(table[i].s, s, n) == 0) {
            *base = table[i].base;
            *exponent = table[i].exp;
            *format = table[i].format;
            return true;
        }
    if (n > 1 && (s[0] == 'E' || s[0] == 'e')) {
        int64_t parsed;
        if (!parse_int64(s + 1, n - 1, &parsed))
            return false;
        *base = 10;
        *exponent = (int32_t)(uint32_t)(uint64_t)parsed; /* Go's int32(parsed) */
        *format = CEL_QTY_DECIMAL_EXPONENT;
        return true;
    }
    return false;
}

/* Decimal digits (no sign) into a magnitude. */
static cel_qty_err digits_to_bn(const char *s, size_t n, cel_bn *out)
{
    while (n && *s == '0') {
        s++;
        n--;
    }
    out->n = 0;
    if (n > CEL_BN_MAX_DIGITS)
        return CEL_QTY_E_LIMIT;
    size_t first = n % 9 ? n % 9 : 9;
    for (size_t i = 0; i < n;) {
        size_t take = i == 0 ? first : 9;
        uint32_t chunk = 0, mul = 1;
        for (size_t j = 0; j < take; j++, i++) {
            chunk = chunk * 10 + (uint32_t)(s[i] - '0');
            mul *= 10;
        }
        if (!cel_bn_mul_add_small(out, mul, chunk))
            return CEL_QTY_E_LIMIT;
    }
    return CEL_QTY_OK;
}

static bool fits_int32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* (2^63 - 1) × 10^9: BinarySI values above it are capped. */
static void max_allowed_nano(cel_bn *out)
{
    cel_bn_set_u64(out, (uint64_t)INT64_MAX);
    cel_bn_mul_pow10(out, 9);
}

/* ParseQuantity's inf.Dec path: SetString, the suffix, rounding away from
 * zero to nano units, the BinarySI cap. The value is D × 10^-frac, D the
 * digits without the point; for base 10 only the digits at or above 10^-9
 * after scaling are turned into a number, the rest decide the rounding. */
static cel_qty_err parse_slow(const qscan *sc, int base, int32_t exponent, int format,
                              cel_qty *out)
{
    static const uint32_t p10[10] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};
    const char *v = sc->value;
    size_t n = sc->vlen, i = 0;
    bool neg = false;
    if (n && (v[0] == '+' || v[0] == '-')) {
        neg = v[0] == '-';
        i = 1;
    }
    /* inf.Dec.SetString wants at least one digit */
    size_t frac = 0, sig = 0, first_sig = n;
    bool point = false, any = false;
    for (size_t j = i; j < n; j++) {
        if (v[j] == '.') {
            point = true;
            continue;
        }
        any = true;
        if (point)
            frac++;
        if (first_sig == n && v[j] != '0')
            first_sig = j;
        if (first_sig != n)
            sig++;
    }
    if (!any)
        return CEL_QTY_E_NUMERIC;
    int64_t scale = (int64_t)frac;
    if (base == 10)
        scale -= exponent;
    cel_qty q;
    memset(&q, 0, sizeof q);
    q.dec = true;
    q.format = (uint8_t)format;
    if (sig == 0) {
        /* zero keeps the scale it was written with: no rounding */
        if (!fits_int32(scale))
            return CEL_QTY_E_LIMIT;
        q.scale = (int32_t)scale;
        *out = q;
        return CEL_QTY_OK;
    }
    uint64_t keep = sig;
    bool sticky = false;
    if (base == 10 && scale > 9)
        keep = (uint64_t)(scale - 9) >= sig ? 0 : sig - (uint64_t)(scale - 9);
    if (keep > CEL_BN_MAX_DIGITS)
        return CEL_QTY_E_LIMIT;
    char kept[CEL_BN_MAX_DIGITS];
    size_t nk = 0;
    for (size_t j = first_sig, seen = 0; j < n; j++) {
        if (v[j] == '.')
            continue;
        if (seen++ < keep)
            kept[nk++] = v[j];
        else if (v[j] != '0')
            sticky = true;
    }
    cel_bn mag;
    cel_qty_err e = digits_to_bn(kept, nk, &mag);
    if (e)
        return e;
    if (base == 2 && !cel_bn_shl(&mag, (unsigned)exponent))
        return CEL_QTY_E_LIMIT;
    if (scale <= 9) {
        if (!cel_bn_mul_pow10(&mag, (uint64_t)(9 - scale)))
            return CEL_QTY_E_LIMIT;
    } else if (base == 2) {
        for (int64_t k = scale - 9; k > 0 && mag.n; k -= 9)
            if (cel_bn_div_small(&mag, p10[k >= 9 ? 9 : k]))
                sticky = true;
        if (mag.n == 0)
            sticky = true; /* a non-zero value below one nano unit */
    }
    if (sticky) {
        cel_bn one;
        cel_bn_set_u64(&one, 1);
        if (!cel_bn_add(&mag, &mag, &one))
            return CEL_QTY_E_LIMIT;
    }
    q.mag = mag;
    q.scale = 9;
    q.neg = neg;
    if (format == CEL_QTY_BINARY_SI) {
        cel_bn max, nano;
        max_allowed_nano(&max);
        if (cel_bn_cmp(&mag, &max) > 0) {
            cel_bn_set_u64(&q.mag, (uint64_t)INT64_MAX);
            q.scale = 0;
        } else {
            cel_bn_set_u64(&nano, 1000000000u);
            if (cel_bn_cmp(&mag, &nano) < 0)
                q.format = CEL_QTY_DECIMAL_SI;
        }
    }
    *out = q;
    return CEL_QTY_OK;
}

cel_qty_err cel_qty_parse(const char *s, size_t n, cel_qty *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return CEL_QTY_E_FORMAT;
    if (n == 1 && s[0] == '0') {
        out->format = CEL_QTY_DECIMAL_SI;
        return CEL_QTY_OK;
    }
    qscan sc;
    cel_qty_err e = scan_quantity(s, n, &sc);
    if (e)
        return e;
    int base, format;
    int32_t exponent;
    if (!interpret_suffix(sc.suffix, sc.slen, &base, &exponent, &format))
        return CEL_QTY_E_SUFFIX;

    int64_t precision = 0;
    int32_t scale = 0;
    int64_t mantissa = 1;
    if (format == CEL_QTY_BINARY_SI) {
        if (exponent >= 0 && sc.dlen == 0) {
            mantissa = (int64_t)1 << exponent;
            /* exponent*3/10 in float32, exact for 10..60 */
            precision = 15 - (int64_t)sc.nlen - (int64_t)((float)exponent * 3 / 10) - 1;
        } else {
            precision = -1;
        }
    } else {
        scale = exponent;
        precision = 18 - (int64_t)(sc.nlen + sc.dlen);
    }
    if (precision >= 0) {
        /* int32 arithmetic, wrapping as Go's does */
        scale = (int32_t)((uint32_t)scale - (uint32_t)sc.dlen);
        if (scale >= -9) {
            char shifted[40];
            memcpy(shifted, sc.num, sc.nlen);
            if (sc.dlen)
                memcpy(shifted + sc.nlen, sc.denom, sc.dlen);
            int64_t value, result;
            if (!parse_int64(shifted, sc.nlen + sc.dlen, &value))
                return CEL_QTY_E_NUMERIC;
            if (!__builtin_mul_overflow(value, mantissa, &result)) {
                out->value = sc.positive ? result : -result;
                out->scale = scale;
                out->format = (uint8_t)format;
                return CEL_QTY_OK;
            }
        }
    }
    return parse_slow(&sc, base, exponent, format, out);
}

void cel_qty_from_int64(cel_qty *q, int64_t v, cel_qty_format format)
{
    memset(q, 0, sizeof *q);
    q->value = v;
    q->format = (uint8_t)format;
}

/* ------------------------------------------------------------ queries */

static bool is_zero(const cel_qty *q) { return q->dec ? q->mag.n == 0 : q->value == 0; }

int cel_qty_sign(const cel_qty *q)
{
    if (q->dec)
        return q->mag.n == 0 ? 0 : q->neg ? -1 : 1;
    return q->value == 0 ? 0 : q->value > 0 ? 1 : -1;
}

/* |a| against |b| for values (mag × 10^-scale). */
static int cmp_mag(const cel_bn *am, int64_t as, const cel_bn *bm, int64_t bs)
{
    if (am->n == 0 || bm->n == 0)
        return am->n == 0 ? (bm->n == 0 ? 0 : -1) : 1;
    /* digits before the point decide unless they are equal */
    char x[CEL_BN_MAX_DIGITS + 2], y[CEL_BN_MAX_DIGITS + 2];
    size_t xn = cel_bn_to_dec(am, x), yn = cel_bn_to_dec(bm, y);
    int64_t ea = (int64_t)xn - as, eb = (int64_t)yn - bs;
    if (ea != eb)
        return ea < eb ? -1 : 1;
    /* same magnitude order: the digit strings line up from the first; a
     * missing digit is a trailing zero */
    size_t n = xn > yn ? xn : yn;
    for (size_t i = 0; i < n; i++) {
        char dx = i < xn ? x[i] : '0', dy = i < yn ? y[i] : '0';
        if (dx != dy)
            return dx < dy ? -1 : 1;
    }
    return 0;
}

int cel_qty_cmp(const cel_qty *a, const cel_qty *b)
{
    if (!a->dec && !b->dec) {
        int64_t lo = a->scale < b->scale ? a->scale : b->scale;
        int64_t da = (int64_t)a->scale - lo, db = (int64_t)b->scale - lo;
        if (da <= 18 && db <= 18) {
            static const int64_t p10[19] = {1,
                                            10,
                                            100,
                                            1000,
                                            10000,
                                            100000,
                                            1000000,
                                            10000000,
                                            100000000,
                                            1000000000,
                                            10000000000,
                                            100000000000,
                                            1000000000000,
                                            10000000000000,
                                            100000000000000,
                                            1000000000000000,
                                            10000000000000000,
                                            100000000000000000,
                                            1000000000000000000};
            __int128 x = (__int128)a->value * p10[da], y = (__int128)b->value * p10[db];
            return x < y ? -1 : x > y;
        }
    }
    int sa = cel_qty_sign(a), sb = cel_qty_sign(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    cel_bn am, bm;
    int64_t as, bs;
    if (a->dec) {
        am = a->mag;
        as = a->scale;
    } else {
        cel_bn_set_u64(&am, mag64(a->value));
        as = -(int64_t)a->scale;
    }
    if (b->dec) {
        bm = b->mag;
        bs = b->scale;
    } else {
        cel_bn_set_u64(&bm, mag64(b->value));
        bs = -(int64_t)b->scale;
    }
    int c = cmp_mag(&am, as, &bm, bs);
    return sa < 0 ? -c : c;
}

/* ------------------------------------------------------------ arithmetic */

/* int64Amount.Add. */
static bool int_add(cel_qty *a, int64_t bv, int32_t bs)
{
    if (bv == 0)
        return true;
    if (a->value == 0) {
        a->value = bv;
        a->scale = bs;
        return true;
    }
    int64_t c;
    if (a->scale == bs) {
        if (__builtin_add_overflow(a->value, bv, &c))
            return false;
        a->value = c;
    } else if (a->scale > bs) {
        if (!scale_up(a->value, (int64_t)a->scale - bs, &c) || __builtin_add_overflow(c, bv, &c))
            return false;
        a->scale = bs;
        a->value = c;
    } else {
        if (!scale_up(bv, (int64_t)bs - a->scale, &c) || __builtin_add_overflow(a->value, c, &c))
            return false;
        a->value = c;
    }
    return true;
}

/* inf.Dec.Add / Sub: the result takes the larger scale. */
static cel_qty_err dec_add(cel_qty *x, const cel_qty *y, bool subtract)
{
    cel_bn xm = x->mag, ym = y->mag;
    bool yneg = subtract ? !y->neg : y->neg;
    int32_t scale = x->scale;
    if (x->scale < y->scale) {
        if (!cel_bn_mul_pow10(&xm, (uint64_t)((int64_t)y->scale - x->scale)))
            return CEL_QTY_E_LIMIT;
        scale = y->scale;
    } else if (y->scale < x->scale) {
        if (!cel_bn_mul_pow10(&ym, (uint64_t)((int64_t)x->scale - y->scale)))
            return CEL_QTY_E_LIMIT;
    }
    if (x->neg == yneg) {
        if (!cel_bn_add(&x->mag, &xm, &ym))
            return CEL_QTY_E_LIMIT;
    } else if (cel_bn_cmp(&xm, &ym) >= 0) {
        cel_bn_sub(&x->mag, &xm, &ym);
    } else {
        cel_bn_sub(&x->mag, &ym, &xm);
        x->neg = yneg;
    }
    if (x->mag.n == 0)
        x->neg = false;
    x->scale = scale;
    return CEL_QTY_OK;
}

static cel_qty_err dec_op(cel_qty *q, const cel_qty *y, bool subtract)
{
    cel_qty yd;
    if (!q->dec) {
        if (q->scale == INT32_MIN)
            return CEL_QTY_E_LIMIT;
        set_dec_from_int(q);
    }
    if (!as_dec(y, &yd))
        return CEL_QTY_E_LIMIT;
    return dec_add(q, &yd, subtract);
}

cel_qty_err cel_qty_add(cel_qty *q, const cel_qty *y)
{
    if (!q->dec && !y->dec) {
        if (q->value == 0)
            q->format = y->format;
        if (int_add(q, y->value, y->scale))
            return CEL_QTY_OK;
    } else if (is_zero(q)) {
        q->format = y->format;
    }
    return dec_op(q, y, false);
}

cel_qty_err cel_qty_sub(cel_qty *q, const cel_qty *y)
{
    if (is_zero(q))
        q->format = y->format;
    /* -MinInt64 does not exist: apimachinery then takes the inf.Dec path */
    if (!q->dec && !y->dec && y->value != MOST_NEGATIVE && int_add(q, -y->value, y->scale))
        return CEL_QTY_OK;
    return dec_op(q, y, true);
}

bool cel_qty_as_int64(const cel_qty *q, int64_t *out)
{
    if (q->dec)
        return false;
    if (q->scale == 0) {
        *out = q->value;
        return true;
    }
    if (q->scale < 0)
        return false;
    return scale_up(q->value, q->scale, out);
}

/* math.Pow10, built from the same three tables so that the result carries
 * the same rounding. */
static double go_pow10(int64_t n)
{
    static const double tab[32] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23,
                                   1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31};
    static const double pos32[10] = {1e0,   1e32,  1e64,  1e96,  1e128,
                                     1e160, 1e192, 1e224, 1e256, 1e288};
    static const double neg32[11] = {1e-0,   1e-32,  1e-64,  1e-96,  1e-128, 1e-160,
                                      1e-192, 1e-224, 1e-256, 1e-288, 1e-320};
    if (n >= 0 && n <= 308)
        return pos32[n / 32] * tab[n % 32];
    if (n >= -323 && n <= 0)
        return neg32[-n / 32] / tab[-n % 32];
    return n > 0 ? INFINITY : 0;
}

double cel_qty_approx_float(const cel_qty *q)
{
    double base;
    int64_t exponent;
    if (q->dec) {
        base = cel_bn_to_double(&q->mag);
        if (q->neg)
            base = -base;
        exponent = -(int64_t)q->scale;
    } else {
        base = (double)q->value;
        exponent = q->scale;
    }
    if (exponent == 0)
        return base;
    return base * go_pow10(exponent);
}

/* ------------------------------------------------------------ String() */

static size_t put_i64(char *buf, int64_t v) { return (size_t)sprintf(buf, "%lld", (long long)v); }

static const char *dec_si_suffix(int64_t e)
{
    switch (e) {
    case -9: return "n";
    case -6: return "u";
    case -3: return "m";
    case 3: return "k";
    case 6: return "M";
    case 9: return "G";
    case 12: return "T";
    case 15: return "P";
    case 18: return "E";
    default: return ""; /* also for exponents without a suffix, as Go */
    }
}

static const char *bin_si_suffix(int64_t e)
{
    switch (e) {
    case 10: return "Ki";
    case 20: return "Mi";
    case 30: return "Gi";
    case 40: return "Ti";
    case 50: return "Pi";
    case 60: return "Ei";
    default: return "";
    }
}

/* Strips factors of base (10 or 1024) from a magnitude. */
static int64_t strip_bn(cel_bn *m, uint32_t base)
{
    int64_t times = 0;
    while (m->n) {
        cel_bn t = *m;
        if (cel_bn_div_small(&t, base))
            break;
        *m = t;
        times++;
    }
    return times;
}

static int64_t strip_i64(int64_t *v, int64_t base)
{
    int64_t times = 0;
    if (*v == MOST_NEGATIVE)
        return 0;
    bool neg = *v < 0;
    int64_t r = neg ? -*v : *v;
    while (r >= base && r % base == 0) {
        times++;
        r /= base;
    }
    *v = neg ? -r : r;
    return times;
}

static size_t put_signed_bn(char *buf, bool neg, const cel_bn *m)
{
    size_t n = 0;
    if (neg && m->n)
        buf[n++] = '-';
    return n + cel_bn_to_dec(m, buf + n);
}

/* AsCanonicalBytes: the digits and a base-10 exponent, a multiple of 3. */
static size_t canonical_dec(const cel_qty *q, char *buf, int64_t *exponent)
{
    if (!q->dec) {
        int64_t amount = q->value;
        int64_t e = q->scale + strip_i64(&amount, 10);
        bool ok = true;
        switch (e % 3) {
        case 1:
        case -2:
            ok = !__builtin_mul_overflow(amount, 10, &amount);
            e -= 1;
            break;
        case 2:
        case -1:
            ok = !__builtin_mul_overflow(amount, 100, &amount);
            e -= 2;
            break;
        }
        if (ok) {
            *exponent = e;
            return put_i64(buf, amount);
        }
    }
    cel_qty d;
    as_dec(q, &d);
    cel_bn m = d.mag;
    int64_t e = -(int64_t)d.scale + strip_bn(&m, 10);
    while (e % 3 != 0) {
        if (!cel_bn_mul_add_small(&m, 10, 0))
            break;
        e--;
    }
    *exponent = e;
    return put_signed_bn(buf, d.neg, &m);
}

/* Rounds away from zero to an integer (AsScale(0)); false when inexact. */
static bool as_scale0(const cel_qty *q, cel_qty *out)
{
    *out = *q;
    if (!q->dec) {
        if (q->scale >= 0)
            return true;
        int64_t k = -(int64_t)q->scale, v = q->value, t = v;
        bool frac = false;
        for (int64_t i = 0; i < k && t; i++) {
            if (t % 10)
                frac = true;
            t /= 10;
        }
        if (frac)
            t += v > 0 ? 1 : -1;
        out->value = t;
        out->scale = 0;
        return !frac;
    }
    if (q->scale <= 0) {
        cel_bn_mul_pow10(&out->mag, (uint64_t)(-(int64_t)q->scale));
        out->scale = 0;
        return true;
    }
    bool frac = false;
    for (int64_t k = q->scale; k > 0 && out->mag.n; k -= 9) {
        static const uint32_t p10[10] = {1,       10,       100,       1000,      10000,
                                         100000,  1000000,  10000000,  100000000, 1000000000};
        if (cel_bn_div_small(&out->mag, p10[k >= 9 ? 9 : k]))
            frac = true;
    }
    if (frac) {
        cel_bn one;
        cel_bn_set_u64(&one, 1);
        cel_bn_add(&out->mag, &out->mag, &one);
    }
    out->scale = 0;
    return !frac;
}

/* AsCanonicalBase1024Bytes for an integral value. */
static size_t canonical_1024(const cel_qty *q, char *buf, int64_t *exponent)
{
    if (!q->dec) {
        int64_t v;
        if (scale_up(q->value, q->scale, &v)) {
            *exponent = strip_i64(&v, 1024);
            return put_i64(buf, v);
        }
    }
    cel_qty d, r;
    as_dec(q, &d);
    as_scale0(&d, &r);
    *exponent = strip_bn(&r.mag, 1024);
    return put_signed_bn(buf, r.neg, &r.mag);
}

static bool cmp_int(const cel_qty *q, int64_t v, int want_sign)
{
    cel_qty x;
    cel_qty_from_int64(&x, v, CEL_QTY_DECIMAL_EXPONENT);
    return cel_qty_cmp(q, &x) == want_sign;
}

size_t cel_qty_string(const cel_qty *q, char *buf)
{
    if (is_zero(q)) {
        strcpy(buf, "0");
        return 1;
    }
    int format = q->format;
    cel_qty rounded;
    if (format == CEL_QTY_BINARY_SI) {
        if (cmp_int(q, -1024, 1) && cmp_int(q, 1024, -1))
            format = CEL_QTY_DECIMAL_SI;
        else if (!as_scale0(q, &rounded))
            format = CEL_QTY_DECIMAL_SI;
    }
    int64_t exponent;
    size_t n;
    if (format == CEL_QTY_BINARY_SI) {
        n = canonical_1024(&rounded, buf, &exponent);
        const char *suf = bin_si_suffix(exponent * 10);
        strcpy(buf + n, suf);
        return n + strlen(suf);
    }
    n = canonical_dec(q, buf, &exponent);
    if (format == CEL_QTY_DECIMAL_SI) {
        const char *suf = dec_si_suffix(exponent);
        strcpy(buf + n, suf);
        return n + strlen(suf);
    }
    if (exponent != 0)
        n += (size_t)sprintf(buf + n, "e%lld", (long long)exponent);
    return n;
}
