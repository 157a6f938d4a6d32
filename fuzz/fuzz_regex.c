/*
 * fuzz/fuzz_regex.c: the RE2-to-PCRE2 translator, compiler and matcher on
 * arbitrary input. The first line is the pattern, the rest the subject.
 * Any input must end in a clean result or error, within the match limits.
 */
#include <stdint.h>
#include <string.h>

#include "cel_regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nl = memchr(p, '\n', size);
    size_t plen = nl ? (size_t)(nl - p) : size;
    const char *subject = nl ? nl + 1 : "";
    size_t slen = nl ? size - plen - 1 : 0;
    char err[CEL_REGEX_ERR_CAP];
    cel_regex *re = cel_regex_compile(p, plen, err, sizeof err);
    if (!re)
        return 0;
    size_t start = 0, end = 0;
    int m = cel_regex_search(re, subject, slen, &start, &end, err, sizeof err);
    if (m == 1 && (start > end || end > slen))
        __builtin_trap();
    cel_regex_free(re);
    return 0;
}
