/*
 * fuzz_k8s_types.c: arbitrary bytes through the parsers of the Kubernetes
 * value types: the first byte picks quantity, URL, semver or the format
 * checks, the rest is the text. Aborts when:
 *   - a quantity's canonical text does not parse back, q - q is not zero,
 *     q + q does not move away from zero, q does not equal itself, or its
 *     approximate float is NaN for a non-zero value;
 *   - a URL accepted by ParseRequestURI prints (String, EscapedPath) or
 *     reports errors with measured and written lengths that disagree;
 *   - a semver does not equal itself, or an error text's lengths disagree;
 *   - a format check reports an empty message.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ext/k8sfmt.h"
#include "ext/qty.h"
#include "ext/semver.h"
#include "ext/urlparse.h"

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void fuzz_quantity(const char *s, size_t n)
{
    cel_qty q;
    if (cel_qty_parse(s, n, &q) != CEL_QTY_OK)
        return;
    char text[CEL_QTY_STRMAX];
    size_t len = cel_qty_string(&q, text);
    check(len < CEL_QTY_STRMAX && strlen(text) == len);
    cel_qty back;
    cel_qty_err e = cel_qty_parse(text, len, &back);
    check(e == CEL_QTY_OK || e == CEL_QTY_E_LIMIT);
    check(cel_qty_cmp(&q, &q) == 0);
    /* Go's 0 * math.Pow10(huge) is 0 * +Inf: NaN only for zero */
    check(!isnan(cel_qty_approx_float(&q)) || cel_qty_sign(&q) == 0);
    int64_t v;
    (void)cel_qty_as_int64(&q, &v);
    cel_qty d = q;
    if (cel_qty_sub(&d, &q) == CEL_QTY_OK)
        check(cel_qty_sign(&d) == 0);
    cel_qty t = q;
    if (cel_qty_add(&t, &q) == CEL_QTY_OK) {
        check(cel_qty_sign(&t) == cel_qty_sign(&q));
        check(cel_qty_sign(&q) == 0 || cel_qty_cmp(&t, &q) == cel_qty_sign(&q));
    }
}

static void check_url_error(const cel_url_err *e)
{
    size_t len = cel_url_error(e, NULL, 0);
    char *buf = malloc(len + 1);
    check(buf != NULL);
    check(cel_url_error(e, buf, len + 1) == len && strlen(buf) == len);
    free(buf);
}

static bool query_fn(void *ctx, const char *k, size_t kn, const char *v, size_t vn)
{
    *(size_t *)ctx += kn + vn;
    return true;
}

static void fuzz_url(const char *s, size_t n)
{
    cel_url u;
    cel_url_err e;
    u.buf = malloc(CEL_URL_BUF(n));
    check(u.buf != NULL);
    if (!cel_url_parse_request_uri(s, n, &u, &e)) {
        check_url_error(&e);
    } else if (!cel_url_parse(s, n, &u, &e)) {
        check_url_error(&e);
    } else {
        check(u.used <= CEL_URL_BUF(n));
        size_t len = cel_url_string(&u, NULL, 0);
        char *buf = malloc(len + 1);
        check(buf != NULL);
        check(cel_url_string(&u, buf, len + 1) == len);
        free(buf);
        len = cel_url_escaped_path(&u, NULL, 0);
        buf = malloc(len + 1);
        check(buf != NULL);
        check(cel_url_escaped_path(&u, buf, len + 1) == len);
        free(buf);
        cel_url_span h = cel_url_hostname(&u), p = cel_url_port(&u);
        check(h.off + h.len <= u.used && p.off + p.len <= u.used);
        char *scratch = malloc(u.raw_query.len + 1);
        check(scratch != NULL);
        size_t total = 0;
        check(cel_url_query(&u, scratch, query_fn, &total));
        check(total <= u.raw_query.len);
        free(scratch);
    }
    free(u.buf);
}

static void check_semver_error(const char *s, size_t n, const cel_semver_err *e)
{
    size_t len = cel_semver_error(s, n, e, NULL, 0);
    char *buf = malloc(len + 1);
    check(buf != NULL);
    check(cel_semver_error(s, n, e, buf, len + 1) == len && strlen(buf) == len && len > 0);
    free(buf);
}

static void fuzz_semver(const char *s, size_t n)
{
    cel_semver v;
    cel_semver_err e;
    if (cel_semver_parse(s, n, &v, &e))
        check(cel_semver_compare(&v, &v) == 0);
    else
        check_semver_error(s, n, &e);
    char *norm = malloc(n + 6);
    check(norm != NULL);
    size_t len;
    if (cel_semver_normalize(s, n, norm, &len, &e)) {
        check(len <= n + 5);
        if (!cel_semver_parse(norm, len, &v, &e))
            check_semver_error(norm, len, &e);
    } else {
        check_semver_error(s, n, &e);
    }
    free(norm);
}

static void fuzz_format(const char *s, size_t n)
{
    for (int kind = CEL_KFMT_DNS1123_LABEL; kind <= CEL_KFMT_DATETIME; kind++) {
        if (kind == CEL_KFMT_URI)
            continue;
        const char *msgs[CEL_KFMT_MAX_MSGS];
        bool panics;
        size_t k = cel_kfmt_validate(kind, s, n, msgs, &panics);
        check(k <= CEL_KFMT_MAX_MSGS && !(panics && k));
        for (size_t i = 0; i < k; i++)
            check(msgs[i] && msgs[i][0]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 4) {
    case 0: fuzz_quantity(s, n); break;
    case 1: fuzz_url(s, n); break;
    case 2: fuzz_semver(s, n); break;
    default: fuzz_format(s, n); break;
    }
    return 0;
}
