/*
 * bench/stdlib/bench_stdlib.c: nanoseconds per call for the standard
 * library's heavier helpers, to keep an eye on the admission path. Prints
 * one line per case; takes a few seconds.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cel/cel_regex.h"
#include "cel/cel_time.h"
#include "cel/lib_std.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define BENCH(name, iters, body)                                                  \
    do {                                                                          \
        double t0_ = now();                                                       \
        for (long i_ = 0; i_ < (iters); i_++) {                                   \
            body;                                                                 \
        }                                                                         \
        printf("%-40s %10.1f ns/call\n", name, (now() - t0_) / (double)(iters) * 1e9); \
    } while (0)

int main(void)
{
    char err[256], buf[64];
    int64_t sec, ns;
    int32_t nsec, off;
    volatile long sink = 0;

    BENCH("rfc3339 parse", 1000000,
          sink += cel_time_parse_rfc3339("2009-02-13T23:31:30.123456789+01:00", 35, &sec, &nsec,
                                         err, sizeof err));
    BENCH("rfc3339 format", 1000000, sink += (long)cel_time_format_rfc3339(1234567890, 5, buf));
    BENCH("duration parse 1h2m3.5s", 1000000,
          sink += cel_time_parse_duration("1h2m3.5s", 8, &ns, err, sizeof err));
    BENCH("duration format", 1000000, sink += (long)cel_time_format_duration(3723500000000LL, buf));
    BENCH("zone offset America/New_York (cached)", 1000000,
          sink += cel_time_zone_offset("America/New_York", 16, 1234567890 + i_, &off, err, sizeof err));
    BENCH("zone offset far future (POSIX rule)", 1000000,
          sink += cel_time_zone_offset("America/New_York", 16, 5695920000LL + i_, &off, err, sizeof err));
    BENCH("string(double) 0.1+0.2", 1000000, sink += (long)cel_std_format_double(0.1 + 0.2, buf));
    BENCH("regex compile+match (dynamic pattern)", 20000, {
        cel_regex *re = cel_regex_compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", 34, err, sizeof err);
        sink += cel_regex_match(re, "my-service-name", 15, err, sizeof err);
        cel_regex_free(re);
    });
    cel_regex *re = cel_regex_compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", 34, err, sizeof err);
    BENCH("regex match (prepared pattern)", 1000000,
          sink += cel_regex_match(re, "my-service-name", 15, err, sizeof err));
    cel_regex_free(re);
    re = cel_regex_compile("^(a+)+$", 7, err, sizeof err);
    BENCH("regex catastrophic ^(a+)+$ (limit hit)", 20,
          sink += cel_regex_match(re, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", 41, err, sizeof err));
    cel_regex_free(re);
    return sink == 42 ? 1 : 0;
}
