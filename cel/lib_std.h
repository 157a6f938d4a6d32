/*
 * cel/lib_std.h: what the standard library's files share (internal to
 * libcel): UTF-8 helpers, the string and bytes functions of lib_string.c
 * that cel_lib_std's overload table names, and cel-go's runtime cost
 * helpers.
 */
#ifndef CEL_LIB_STD_H
#define CEL_LIB_STD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cel/function.h"

/* ---------------------------------------------------------------- UTF-8 */

/* True when s[0..n) is well-formed UTF-8 (no surrogates, no overlongs, at
 * most U+10FFFF), as Go's utf8.Valid. */
bool cel_utf8_valid(const char *s, size_t n);
/* Number of code points; invalid bytes count one each (Go's rune count). */
size_t cel_utf8_count(const char *s, size_t n);
/* Decodes one code point at s (n > 0 bytes available); stores its length
 * in *len. Invalid input decodes as U+FFFD with length 1. */
uint32_t cel_utf8_decode(const char *s, size_t n, size_t *len);
/* Code points of a string value, using the ASCII flag when present. */
size_t cel_utf8_size(const cel_value *v);
/* Writes code point cp (at most U+10FFFF) as UTF-8 into out (4 bytes of
 * room); returns the length. */
size_t cel_utf8_encode(uint32_t cp, char *out);

/* ---------------------------------------------------------------- costs */

/* cel-go's ActualSize: code points of a string, bytes of bytes, entries of
 * a list or map, the opaque type's size, else 1. */
uint64_t cel_std_actual_size(const cel_value *v);
/* ceil(size * factor) computed exactly for factor = num / den. */
uint64_t cel_std_cost_factor(uint64_t size, uint64_t num, uint64_t den);

uint64_t cel_std_cost_min_traversal(const cel_value *args, size_t nargs); /* ==, <, ... */
uint64_t cel_std_cost_concat(const cel_value *args, size_t nargs);        /* string/bytes + */
uint64_t cel_std_cost_arg0_traversal(const cel_value *args, size_t nargs);
uint64_t cel_std_cost_arg1_traversal(const cel_value *args, size_t nargs);
uint64_t cel_std_cost_arg1_size(const cel_value *args, size_t nargs);      /* in list */
uint64_t cel_std_cost_contains(const cel_value *args, size_t nargs);
uint64_t cel_std_cost_matches(const cel_value *args, size_t nargs);

/* ---------------------------------------------------------------- functions */

cel_value cel_std_size_string(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_size_bytes(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_add_string(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_add_bytes(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_contains(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_starts_with(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_ends_with(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_matches(cel_call *c, const cel_value *a, size_t n);
void *cel_std_matches_prepare(const cel_value *args, size_t nargs, unsigned const_mask,
                              char *err, size_t errcap);
void cel_std_matches_prepared_free(void *state);
cel_value cel_std_string_to_bytes(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_bytes_to_string(cel_call *c, const cel_value *a, size_t n);

/* Ordering for every orderable pair (numbers across kinds as cel-go, strings,
 * bytes, bools, timestamps, durations); NaN makes every relation false. */
cel_value cel_std_less(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_less_equals(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_greater(cel_call *c, const cel_value *a, size_t n);
cel_value cel_std_greater_equals(cel_call *c, const cel_value *a, size_t n);

/* Formats d as Go's strconv.FormatFloat(d, 'g', -1, 64) ("1e+100", "123",
 * "-0.0045", "NaN", "+Inf"). buf must hold 32 bytes; returns the length. */
size_t cel_std_format_double(double d, char *buf);

#endif
