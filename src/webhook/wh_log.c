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

void wh_log_time(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n == 0 && len)
        buf[0] = '\0';
    else
        snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
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
