/*
 * sandbox/sbx_meta.c: object metadata as the API server fills it: uids,
 * timestamps (RFC 3339, seconds, UTC), generated names, the name rules
 * with apimachinery's texts, and the system fields an update keeps from
 * the stored object whatever the client sent.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sbx.h"

static void random_bytes(unsigned char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    /* getrandom never fails on a supported kernel; this only keeps the
     * bytes defined if it did. */
    for (; got < n; got++)
        b[got] = (unsigned char)(rand() & 0xFF);
}

void sbx_uuid(char out[37])
{
    unsigned char b[16];
    random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void sbx_name_suffix(char out[6])
{
    /* apiserver's generateName alphabet: no vowels, no look-alikes. */
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
    unsigned char b[5];
    random_bytes(b, sizeof b);
    for (int i = 0; i < 5; i++)
        out[i] = alpha[b[i] % (sizeof alpha - 1)];
    out[5] = '\0';
}

int64_t sbx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sbx_time_rfc3339(int64_t ms, char buf[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t sbx_time_parse(const char *s)
{
    if (!s)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        return -1;
    if (*end == '.')
        for (end++; *end >= '0' && *end <= '9'; end++) {
        }
    if (*end != 'Z' || end[1])
        return -1;
    return (int64_t)timegm(&tm) * 1000;
}

json_t *sbx_meta(json_t *obj)
{
    json_t *md = json_object_get(obj, "metadata");
    if (!json_is_object(md)) {
        md = json_object();
        json_object_set_new(obj, "metadata", md);
    }
    return md;
}

const char *sbx_meta_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

const char *sbx_check_label1123(const char *s)
{
    size_t n = strlen(s);
    if (n > 63)
        return "must be no more than 63 characters";
    bool ok = n > 0 && lower_alnum(s[0]) && lower_alnum(s[n - 1]);
    for (size_t i = 0; ok && i < n; i++)
        ok = lower_alnum(s[i]) || s[i] == '-';
    return ok ? NULL
              : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
}

const char *sbx_check_label1035(const char *s)
{
    size_t n = strlen(s);
    if (n > 63)
        return "must be no more than 63 characters";
    bool ok = n > 0 && s[0] >= 'a' && s[0] <= 'z' && lower_alnum(s[n - 1]);
    for (size_t i = 0; ok && i < n; i++)
        ok = lower_alnum(s[i]) || s[i] == '-';
    return ok ? NULL
              : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                "with an alphabetic character, and end with an alphanumeric character (e.g. "
                "'my-name',  or 'abc-123', regex used for validation is "
                "'[a-z]([-a-z0-9]*[a-z0-9])?')";
}

const char *sbx_check_subdomain(const char *s)
{
    size_t n = strlen(s);
    if (n > 253)
        return "must be no more than 253 characters";
    bool ok = n > 0;
    size_t lab = 0;
    for (size_t i = 0; ok && i < n; i++) {
        if (s[i] == '.') {
            ok = lab > 0 && lower_alnum(s[i - 1]);
            lab = 0;
        } else {
            ok = lower_alnum(s[i]) || (s[i] == '-' && lab > 0);
            lab++;
        }
    }
    ok = ok && lab > 0 && lower_alnum(s[n - 1]);
    return ok ? NULL
              : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                "'-' or '.', and must start and end with an alphanumeric character (e.g. "
                "'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
}

void sbx_go_quote(const char *s, char *buf, size_t bufsz)
{
    size_t o = 0;
    if (bufsz < 3) {
        if (bufsz)
            buf[0] = '\0';
        return;
    }
    buf[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 6 < bufsz; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (c == '\t') {
            buf[o++] = '\\';
            buf[o++] = 't';
        } else if (c < 0x20 || c == 0x7F) {
            o += (size_t)snprintf(buf + o, bufsz - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

void sbx_meta_prepare_update(json_t *obj, const json_t *old)
{
    json_t *md = sbx_meta(obj);
    const json_t *omd = json_object_get(old, "metadata");
    static const char *const kept[] = {"uid", "creationTimestamp", "generation", "deletionTimestamp",
                                       "deletionGracePeriodSeconds", "namespace", "name"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        json_t *v = json_object_get(omd, kept[i]);
        if (v)
            json_object_set(md, kept[i], v);
        else
            json_object_del(md, kept[i]);
    }
    json_object_del(md, "managedFields");
    json_object_del(md, "selfLink");
}
