/*
 * webhook/wh_log.c: structured logging: one JSON object per line on stderr,
 * "time" (RFC 3339, UTC, milliseconds), "level" and "msg" first. A line is
 * written with one write(2) so that lines from concurrent requests never
 * interleave.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wh.h"

/* n decimal digits of v, zero-padded. */
static char *put_digits(char *o, long v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        o[i] = (char)('0' + v % 10);
    return o + n;
}

/* Written by hand rather than with strftime and snprintf: every review
 * logs a line. */
void wh_log_time(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (len < 25 || !gmtime_r(&ts.tv_sec, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        if (len)
            buf[0] = '\0';
        return;
    }
    char *o = put_digits(buf, tm.tm_year + 1900L, 4);
    *o++ = '-';
    o = put_digits(o, tm.tm_mon + 1, 2);
    *o++ = '-';
    o = put_digits(o, tm.tm_mday, 2);
    *o++ = 'T';
    o = put_digits(o, tm.tm_hour, 2);
    *o++ = ':';
    o = put_digits(o, tm.tm_min, 2);
    *o++ = ':';
    o = put_digits(o, tm.tm_sec, 2);
    *o++ = '.';
    o = put_digits(o, ts.tv_nsec / 1000000, 3);
    *o++ = 'Z';
    *o = '\0';
}

void wh_log(const char *level, const char *msg, json_t *fields)
{
    char ts[40];
    wh_log_time(ts, sizeof ts);
    json_t *o = json_object();
    if (!o) {
        json_decref(fields);
        return;
    }
    json_object_set_new(o, "time", json_string(ts));
    json_object_set_new(o, "level", json_string(level));
    json_object_set_new(o, "msg", json_string(msg));
    if (fields)
        json_object_update(o, fields);
    json_decref(fields);
    /* JSON_ENSURE_ASCII: a log line survives any terminal or collector. */
    char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!line)
        return;
    size_t len = strlen(line);
    line[len] = '\n'; /* replaces the NUL; the buffer is not used as a string after */
    for (size_t off = 0; off < len + 1;) {
        ssize_t w = write(STDERR_FILENO, line + off, len + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(line);
}

/* ---------------------------------------------------------------- review lines */

/* Appends s as the body of a JSON string: at most WH_LINE_VALUE_MAX bytes of
 * it, cut between characters; quotes, backslashes and control characters
 * escaped; a byte that does not start a well-formed UTF-8 sequence becomes
 * '?', so that the line stays valid JSON whatever the value held. */
static size_t put_escaped(char *out, const char *s)
{
    size_t o = 0, i = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (p[i] && i < WH_LINE_VALUE_MAX) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                out[o++] = '\\';
                out[o++] = (char)c;
            } else if (c < 0x20 || c == 0x7f) {
                o += (size_t)sprintf(out + o, "\\u%04x", c);
            } else {
                out[o++] = (char)c;
            }
            i++;
            continue;
        }
        size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        if (c >= 0xf5)
            n = 0;
        size_t k = 1;
        while (n && k < n && (p[i + k] & 0xc0) == 0x80)
            k++;
        if (!n || k < n) {
            out[o++] = '?';
            i++;
            continue;
        }
        if (i + n > WH_LINE_VALUE_MAX)
            break;
        memcpy(out + o, p + i, n);
        o += n;
        i += n;
    }
    return o;
}

/* Each field is written only if it fits whole; a line that ran out of room
 * says so with "truncated":true. Worst case of one value: 6 bytes per byte. */
static bool line_room(wh_line *l, size_t need)
{
    if (l->len + need + 1 > sizeof l->buf) {
        l->truncated = true;
        return false;
    }
    return true;
}

/* ,"key": (keys are our own names: nothing to escape). Copied by hand:
 * a review writes a dozen fields, and sprintf was a visible share of it. */
static void put_key(wh_line *l, const char *key, size_t klen)
{
    char *o = l->buf + l->len;
    *o++ = ',';
    *o++ = '"';
    memcpy(o, key, klen);
    o += klen;
    *o++ = '"';
    *o++ = ':';
    l->len = (size_t)(o - l->buf);
}

void wh_line_str(wh_line *l, const char *key, const char *value)
{
    size_t klen = strlen(key);
    if (!value || !line_room(l, klen + 6 + 6 * WH_LINE_VALUE_MAX))
        return;
    put_key(l, key, klen);
    l->buf[l->len++] = '"';
    l->len += put_escaped(l->buf + l->len, value);
    l->buf[l->len++] = '"';
    l->buf[l->len] = '\0';
}

void wh_line_bool(wh_line *l, const char *key, bool value)
{
    size_t klen = strlen(key);
    if (!line_room(l, klen + 10))
        return;
    put_key(l, key, klen);
    const char *v = value ? "true" : "false";
    size_t n = value ? 4 : 5;
    memcpy(l->buf + l->len, v, n + 1);
    l->len += n;
}

void wh_line_int(wh_line *l, const char *key, long long value)
{
    size_t klen = strlen(key);
    if (!line_room(l, klen + 26))
        return;
    put_key(l, key, klen);
    char digits[24];
    size_t n = 0;
    unsigned long long u = value < 0 ? 0ull - (unsigned long long)value : (unsigned long long)value;
    do
        digits[n++] = (char)('0' + u % 10);
    while ((u /= 10));
    if (value < 0)
        l->buf[l->len++] = '-';
    while (n)
        l->buf[l->len++] = digits[--n];
    l->buf[l->len] = '\0';
}

void wh_line_ms(wh_line *l, const char *key, double ms)
{
    size_t klen = strlen(key);
    if (!line_room(l, klen + 32))
        return;
    put_key(l, key, klen);
    /* %.3f by hand (rounded to the nearest microsecond) */
    long long us = ms >= 0 && ms < 1e12 ? (long long)(ms * 1000.0 + 0.5) : 0;
    char digits[24];
    size_t n = 0;
    long long whole = us / 1000;
    do
        digits[n++] = (char)('0' + whole % 10);
    while ((whole /= 10));
    while (n)
        l->buf[l->len++] = digits[--n];
    l->buf[l->len++] = '.';
    l->len = (size_t)(put_digits(l->buf + l->len, (long)(us % 1000), 3) - l->buf);
    l->buf[l->len] = '\0';
}

size_t wh_line_format(const wh_line *l, const char *level, const char *msg, char *out,
                      size_t cap)
{
    char ts[40];
    wh_log_time(ts, sizeof ts);
    /* {"time":"TS","level":"L","msg":"M"FIELDS[,"truncated":true]}\n, cut at
     * cap - 1 bytes as snprintf would cut it */
    const char *parts[] = {"{\"time\":\"", ts, "\",\"level\":\"", level, "\",\"msg\":\"", msg, "\"",
                           l->buf, l->truncated ? ",\"truncated\":true" : "", "}\n"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && cap; i++) {
        size_t k = i == 7 ? l->len : strlen(parts[i]);
        if (k > cap - 1 - n)
            k = cap - 1 - n;
        memcpy(out + n, parts[i], k);
        n += k;
    }
    if (cap)
        out[n] = '\0';
    return n;
}

void wh_line_emit(const wh_line *l, const char *level, const char *msg)
{
    char out[sizeof l->buf + 160];
    size_t len = wh_line_format(l, level, msg, out, sizeof out);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDERR_FILENO, out + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}
