/*
 * sandbox/sbx_route.c: request paths as the API server lays them out:
 *   /api/v1/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
 *   /apis/<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
 * plus discovery, /version, health and OpenAPI. A path is split once into
 * fixed-size fields; anything that does not fit is not found.
 */
#include <stdio.h>
#include <string.h>

#include "sbx.h"

#define MAX_SEGS 9

/* Splits path at '/', ignoring a trailing one; false when a segment is
 * empty, too long or there are too many. */
static bool split(const char *path, char segs[MAX_SEGS][SBX_MAX_NAME + 1], int *n)
{
    *n = 0;
    if (path[0] != '/')
        return false;
    const char *p = path + 1;
    while (*p) {
        const char *q = strchr(p, '/');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == 0) {
            if (q && q[1] == '\0')
                break; /* trailing slash */
            return false;
        }
        if (len > SBX_MAX_NAME || *n == MAX_SEGS)
            return false;
        memcpy(segs[*n], p, len);
        segs[*n][len] = '\0';
        (*n)++;
        p = q ? q + 1 : p + len;
    }
    return true;
}

static bool copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

/* segs[i..n) after the group/version: [namespaces/<ns>/]<res>[/<name>[/<sub>]]. */
static void parse_resource(char segs[MAX_SEGS][SBX_MAX_NAME + 1], int i, int n, sbx_route *r)
{
    r->type = SBX_R_NOT_FOUND;
    if (i >= n)
        return;
    /* namespaces/<ns>/<resource>...: a namespaced resource, unless what
     * follows the namespace name is one of the Namespace's subresources. */
    if (!strcmp(segs[i], "namespaces") && n - i >= 3 && strcmp(segs[i + 2], "status") &&
        strcmp(segs[i + 2], "finalize")) {
        if (!copy(r->ns, sizeof r->ns, segs[i + 1]))
            return;
        i += 2;
    }
    if (!copy(r->resource, sizeof r->resource, segs[i]))
        return;
    if (i + 1 < n && !copy(r->name, sizeof r->name, segs[i + 1]))
        return;
    if (i + 2 < n && !copy(r->sub, sizeof r->sub, segs[i + 2]))
        return;
    if (i + 3 < n)
        return;
    const sbx_kind *k = sbx_kind_find(r->group, r->version, r->resource);
    if (!k)
        return;
    /* A namespaced resource may be listed across namespaces; a cluster
     * resource never sits in one. */
    if (!k->namespaced && *r->ns)
        return;
    if (*r->sub && (strcmp(r->sub, "status") || !k->has_status))
        return;
    r->kind = k;
    r->type = SBX_R_RESOURCE;
}

void sbx_route_parse(const char *path, sbx_route *r)
{
    memset(r, 0, sizeof *r);
    char segs[MAX_SEGS][SBX_MAX_NAME + 1];
    int n;
    if (!split(path, segs, &n) || n == 0)
        return;
    if (n == 1 && !strcmp(segs[0], "version")) {
        r->type = SBX_R_VERSION;
        return;
    }
    if (n == 1 && (!strcmp(segs[0], "healthz") || !strcmp(segs[0], "livez") ||
                   !strcmp(segs[0], "readyz"))) {
        r->type = SBX_R_HEALTH;
        return;
    }
    if (!strcmp(segs[0], "openapi")) {
        if (n == 2 && !strcmp(segs[1], "v2"))
            r->type = SBX_R_OPENAPI_V2;
        else if (n == 2 && !strcmp(segs[1], "v3"))
            r->type = SBX_R_OPENAPI_V3;
        else if (n >= 3 && n <= 5 && !strcmp(segs[1], "v3")) {
            size_t used = 0;
            for (int i = 2; i < n; i++)
                used += (size_t)snprintf(r->gv_path + used, sizeof r->gv_path - used, "%s%s",
                                         i > 2 ? "/" : "", segs[i]);
            if (used < sizeof r->gv_path)
                r->type = SBX_R_OPENAPI_V3_GV;
        }
        return;
    }
    if (!strcmp(segs[0], "api")) {
        if (n == 1) {
            r->type = SBX_R_API;
            return;
        }
        if (strcmp(segs[1], "v1"))
            return;
        strcpy(r->version, "v1");
        if (n == 2) {
            r->type = SBX_R_GV;
            return;
        }
        parse_resource(segs, 2, n, r);
        return;
    }
    if (!strcmp(segs[0], "apis")) {
        if (n == 1) {
            r->type = SBX_R_APIS;
            return;
        }
        if (!copy(r->group, sizeof r->group, segs[1]))
            return;
        if (n == 2) {
            r->type = SBX_R_GROUP;
            return;
        }
        if (!copy(r->version, sizeof r->version, segs[2]))
            return;
        if (n == 3) {
            r->type = SBX_R_GV;
            return;
        }
        parse_resource(segs, 3, n, r);
    }
}
