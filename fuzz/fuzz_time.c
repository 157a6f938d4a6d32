/*
 * fuzz/fuzz_time.c: the time parsers on arbitrary input. The first byte
 * picks the parser: RFC 3339 timestamps (a parsed value must print and
 * parse back to itself), Go durations (likewise), or TZif files (offsets
 * are queried at a spread of instants).
 */
#include <stdint.h>
#include <string.h>

#include "cel_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    char err[CEL_TIME_ERR_CAP];
    switch (data[0] % 3) {
    case 0: {
        int64_t sec, sec2;
        int32_t nsec, nsec2;
        if (cel_time_parse_rfc3339(s, n, &sec, &nsec, err, sizeof err) != 0)
            return 0;
        if (nsec < 0 || nsec > 999999999)
            __builtin_trap();
        if (sec < CEL_TIME_MIN_UNIX || sec > CEL_TIME_MAX_UNIX)
            return 0;
        char buf[48];
        size_t len = cel_time_format_rfc3339(sec, nsec, buf);
        if (cel_time_parse_rfc3339(buf, len, &sec2, &nsec2, err, sizeof err) != 0 || sec != sec2 ||
            nsec != nsec2)
            __builtin_trap();
        break;
    }
    case 1: {
        int64_t ns;
        if (cel_time_parse_duration(s, n, &ns, err, sizeof err) != 0)
            return 0;
        char buf[64];
        cel_time_format_duration(ns, buf);
        break;
    }
    default: {
        cel_tzdata *z = cel_time_tzif_parse((const unsigned char *)s, n, err, sizeof err);
        if (!z)
            return 0;
        static const int64_t at[] = {INT64_MIN, CEL_TIME_MIN_UNIX, -1, 0, 1234567890,
                                     5695920000LL, CEL_TIME_MAX_UNIX, INT64_MAX / 2};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            int32_t off = cel_time_tzif_offset(z, at[i]);
            if (off < -26 * 3600 || off > 26 * 3600)
                __builtin_trap();
        }
        cel_time_tzif_free(z);
        break;
    }
    }
    return 0;
}
