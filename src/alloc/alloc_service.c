/*
 * alloc_service.c: the ClusterIPs of Services, as Service CREATE and
 * DELETE handle them: one IP per requested family in order (static when
 * clusterIPs names it, else dynamic), the Service recorded as the owner,
 * everything undone on a failure, with the Service API's error texts.
 */
#include "alloc_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void alloc_svc_key(const char *ns, const char *name, char *buf, size_t bufsz)
{
    snprintf(buf, bufsz, "%s/%s", ns, name);
}

json_t *alloc_svc_json(const alloc_svc *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++)
        json_array_append_new(a, json_string(s->ips[i]));
    return a;
}

/* The clusterIPs list as the 422 message prints it. */
static void ips_value(const char *const *ips, size_t n, char *buf, size_t bufsz)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(ips[i] ? ips[i] : ""));
    char *s = json_dumps(a, JSON_COMPACT);
    snprintf(buf, bufsz, "%s", s ? s : "[]");
    free(s);
    json_decref(a);
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 253 && !strchr(s, '/');
}

int alloc_service_allocate(alloc_cluster *c, const char *ns, const char *name,
                           const char *const *cluster_ips, size_t n_ips,
                           const alloc_family *families, size_t n_families,
                           char ips_out[2][ALLOC_IP_STRLEN], size_t *n_out, alloc_err *err)
{
    *n_out = 0;
    if (!ns || !name || !name_ok(ns) || !name_ok(name)) {
        alloc_err_set(err, 400, "BadRequest", "a Service needs a namespace and a name without '/'");
        return -1;
    }
    if ((n_ips && !cluster_ips) || (n_families && !families)) {
        alloc_err_set(err, 400, "BadRequest", "clusterIPs or ipFamilies counted but not given");
        return -1;
    }
    for (size_t i = 0; i < n_families; i++) {
        if (families[i] != ALLOC_IPV4 && families[i] != ALLOC_IPV6) {
            alloc_err_set(err, 422, "Invalid", "Service \"%s\" is invalid: spec.ipFamilies[%zu]: Unsupported value: %d: "
                          "supported values: \"IPv4\", \"IPv6\"", name, i, (int)families[i]);
            return -1;
        }
    }
    if (n_ips > 2 || n_families > 2) {
        alloc_err_set(err, 422, "Invalid", "Service \"%s\" is invalid: spec.clusterIPs: Too many: %zu: must have at most 2 items",
                      name, n_ips > n_families ? n_ips : n_families);
        return -1;
    }
    /* Headless Services ("None") get no ClusterIP and no IPAddress. */
    if (n_ips >= 1 && cluster_ips[0] && strcmp(cluster_ips[0], "None") == 0)
        return 0;
    /* Parse the requested IPs first: a bad one is a validation error. */
    alloc_ip want[2];
    bool is_static[2] = {false, false};
    char why[300], val[200];
    for (size_t i = 0; i < n_ips; i++) {
        const char *s = cluster_ips[i];
        if (!s || !*s)
            continue;
        const char *d = alloc_validate_ip(s, strlen(s), why, sizeof why);
        if (d) {
            alloc_err_set(err, 422, "Invalid", "Service \"%s\" is invalid: spec.clusterIPs[%zu]: Invalid value: \"%.64s\": %s",
                          name, i, s, d);
            return -1;
        }
        alloc_ip_parse(s, strlen(s), &want[i]);
        is_static[i] = true;
    }
    char key[520];
    alloc_svc_key(ns, name, key, sizeof key);

    pthread_mutex_lock(&c->mu);
    alloc_family fams[2];
    size_t nf = n_families;
    for (size_t i = 0; i < nf; i++)
        fams[i] = families[i];
    if (nf == 0) {
        for (size_t i = 0; i < n_ips; i++)
            fams[nf++] = is_static[i] ? want[i].fam : (c->ndefaults ? c->defaults[0].net.fam : ALLOC_IPV4);
        if (nf == 0)
            fams[nf++] = c->ndefaults ? c->defaults[0].net.fam : ALLOC_IPV4;
    }
    if (nf == 2 && fams[0] == fams[1]) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 422, "Invalid", "Service \"%s\" is invalid: spec.ipFamilies[1]: Duplicate value: \"%s\"",
                      name, alloc_family_name(fams[1]));
        return -1;
    }
    if (alloc_map_get(&c->svcs, key, strlen(key))) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 409, "AlreadyExists", "services \"%s\" already exists", name);
        return -1;
    }
    if (!alloc_room_for(c, nf, err)) {
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    alloc_ipobj *made[2];
    size_t nmade = 0;
    alloc_parent p = {"", "services", ns, name};
    int64_t now = alloc_now(c);
    for (size_t i = 0; i < nf; i++) {
        alloc_ip ip;
        if (i < n_ips && is_static[i]) {
            ip = want[i];
            if (alloc_meta_static(c, &ip, why, sizeof why) < 0) {
                ips_value(cluster_ips, n_ips, val, sizeof val);
                alloc_err_set(err, 422, "Invalid",
                              "Service \"%s\" is invalid: spec.clusterIPs: Invalid value: %s: failed to allocate IP %s: %s",
                              name, val, cluster_ips[i], why);
                goto undo;
            }
        } else if (alloc_meta_dynamic(c, fams[i], &ip) < 0) {
            alloc_err_set(err, 500, "InternalError",
                          "Internal error occurred: failed to allocate a serviceIP: " ALLOC_MSG_FULL);
            goto undo;
        }
        if (!(made[nmade] = alloc_ipobj_insert(c, &ip, &p, true, NULL, now))) {
            alloc_err_oom(err);
            goto undo;
        }
        alloc_ip_format(&ip, ips_out[nmade]);
        nmade++;
    }
    alloc_svc *rec = calloc(1, sizeof *rec);
    if (!rec || alloc_map_put(&c->svcs, key, strlen(key), rec) != 0) {
        free(rec);
        alloc_err_oom(err);
        goto undo;
    }
    for (size_t i = 0; i < nmade; i++)
        memcpy(rec->ips[i], ips_out[i], ALLOC_IP_STRLEN);
    rec->n = nmade;
    rec->serial = ++c->serial;
    alloc_changes ch = {0};
    if (c->store) {
        for (size_t i = 0; i < nmade; i++) {
            json_t *j = alloc_ipobj_json(made[i]);
            alloc_changes_add(&ch, ALLOC_OP_ADD_IP, ips_out[i], j, now);
            json_decref(j);
        }
        json_t *sj = alloc_svc_json(rec);
        alloc_changes_add(&ch, ALLOC_OP_PUT_SVC, key, sj, 0);
        json_decref(sj);
    }
    if (alloc_commit_new(c, &ch, made, nmade, key, err) < 0)
        return -1;
    *n_out = nmade;
    return 0;
undo:
    for (size_t i = 0; i < nmade; i++)
        alloc_ipobj_remove(c, made[i]);
    pthread_mutex_unlock(&c->mu);
    return -1;
}

int alloc_service_release(alloc_cluster *c, const char *ns, const char *name, alloc_err *err)
{
    char key[520];
    alloc_svc_key(ns, name, key, sizeof key);
    pthread_mutex_lock(&c->mu);
    alloc_svc *s = alloc_map_del(&c->svcs, key, strlen(key));
    alloc_changes ch = {0};
    if (s) {
        for (size_t i = 0; i < s->n; i++) {
            alloc_ip ip;
            if (alloc_ip_parse(s->ips[i], strlen(s->ips[i]), &ip) != ALLOC_PARSE_OK)
                continue;
            alloc_ipobj *o = alloc_ipobj_find(c, &ip);
            /* Only the Service's own IPAddress: a duplicate belongs to another. */
            if (o && strcmp(o->resource, "services") == 0 && !*o->group && strcmp(o->ns, ns) == 0 &&
                strcmp(o->pname, name) == 0)
                alloc_ipobj_delete_locked(c, o, &ch);
        }
        alloc_changes_add_text(&ch, ALLOC_OP_DEL_SVC, key, NULL, 0);
        free(s);
    }
    return alloc_finish_synced(c, &ch, err);
}

size_t alloc_service_ips(alloc_cluster *c, const char *ns, const char *name,
                         char ips_out[2][ALLOC_IP_STRLEN])
{
    char key[520];
    alloc_svc_key(ns, name, key, sizeof key);
    pthread_mutex_lock(&c->mu);
    alloc_svc *s = alloc_map_get(&c->svcs, key, strlen(key));
    size_t n = s ? s->n : 0;
    for (size_t i = 0; i < n; i++)
        memcpy(ips_out[i], s->ips[i], ALLOC_IP_STRLEN);
    pthread_mutex_unlock(&c->mu);
    return n;
}
