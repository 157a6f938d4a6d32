/*
 * fuzz/fuzz_cert.c: loading of the serving certificate, its key and the
 * client CA from hostile PEM. The input is "<certificate chain>\0<key>";
 * without a NUL byte the whole input is the chain and the key is empty.
 * The chain text is also parsed as a client CA bundle. Whatever the
 * input, the parsers must answer (accept or refuse with a message) without
 * crashing or leaking.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webhook/wh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t cert_len = nul ? (size_t)(nul - text) : size;
    const char *key = nul ? nul + 1 : "";
    size_t key_len = nul ? size - cert_len - 1 : 0;
    wh_cert_info info;
    char *err = NULL;
    /* A fixed clock keeps runs reproducible: 2027-01-15. */
    if (wh_tls_parse_pair(text, cert_len, key, key_len, 1800000000, &info, &err) == 0) {
        if (!info.cert_pem || !info.key_pem || info.not_after < info.not_before)
            abort();
        wh_cert_info_clear(&info);
    } else if (!err) {
        abort(); /* a refusal always says why */
    }
    free(err);
    err = NULL;
    size_t n = 0;
    if (wh_tls_parse_ca(text, cert_len, &n, &err) == 0) {
        if (n == 0)
            abort();
    } else if (!err) {
        abort();
    }
    free(err);
    return 0;
}
