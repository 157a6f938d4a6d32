/*
 * alloc_ipaddr.c: IPAddress objects through the API: create (the name is
 * the IP; AlreadyExists when taken), update (labels only; parentRef is
 * immutable), delete, get and list.
 */
#include "alloc_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commits new IPAddresses (and what else is in ch) or undoes them. */
int alloc_ipaddress_create(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err)
{
    alloc_ipaddr_in d;
    if (out)
        *out = NULL;
    if (alloc_object_ipaddr_decode(obj, &d, err) < 0)
        return -1;
    const json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)labels, k, v) {
        if (!json_is_string(v)) {
            alloc_err_set(err, 400, "BadRequest", "metadata.labels[%.100s]: must be a string", k);
            return -1;
        }
    }
    pthread_mutex_lock(&c->mu);
    if (alloc_ipobj_find(c, &d.ip)) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 409, "AlreadyExists", "ipaddresses.networking.k8s.io \"%s\" already exists", d.name);
        return -1;
    }
    if (!alloc_room_for(c, 1, err)) {
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    alloc_parent p = {d.group, d.resource, d.ns, d.pname};
    alloc_ipobj *o = alloc_ipobj_insert(c, &d.ip, &p, d.managed, json_is_object(labels) ? labels : NULL,
                                        alloc_now(c));
    if (!o) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_oom(err);
        return -1;
    }
    /* User objects keep exactly their labels, even when empty. */
    if (!o->labels)
        o->labels = json_object();
    alloc_changes ch = {0};
    json_t *j = alloc_ipobj_json(o);
    alloc_changes_add(&ch, ALLOC_OP_ADD_IP, d.name, j, o->created_ms);
    if (out)
        *out = j;
    else
        json_decref(j);
    if (alloc_commit_new(c, &ch, &o, 1, NULL, err) < 0) {
        if (out) {
            json_decref(*out);
            *out = NULL;
        }
        return -1;
    }
    return 0;
}

/* Deletes in memory and queues the deletion; then the controller runs. */
static bool same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int alloc_ipaddress_update(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err)
{
    alloc_ipaddr_in d;
    if (out)
        *out = NULL;
    if (alloc_object_ipaddr_decode(obj, &d, err) < 0)
        return -1;
    const json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)labels, k, v) {
        if (!json_is_string(v)) {
            alloc_err_set(err, 400, "BadRequest", "metadata.labels[%.100s]: must be a string", k);
            return -1;
        }
    }
    json_t *fresh = NULL;
    pthread_mutex_lock(&c->mu);
    alloc_ipobj *o = alloc_ipobj_find(c, &d.ip);
    if (!o) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 404, "NotFound", "ipaddresses.networking.k8s.io \"%s\" not found", d.name);
        return -1;
    }
    if (!same_str(o->group, d.group) || !same_str(o->resource, d.resource) || !same_str(o->ns, d.ns) ||
        !same_str(o->pname, d.pname)) {
        pthread_mutex_unlock(&c->mu);
        char *val = json_dumps(json_object_get(json_object_get(obj, "spec"), "parentRef"), JSON_COMPACT);
        alloc_ferrs fe = {.n = 0};
        alloc_ferr_add(&fe, "spec.parentRef: Invalid value: %.400s: field is immutable", val ? val : "null");
        free(val);
        alloc_ferr_to_err(&fe, "IPAddress", d.name, err);
        return -1;
    }
    /* Labels are all that may change (managed-by included: repair then
     * sees the object as the user's, as upstream would). */
    json_t *nl = json_is_object(labels) ? json_deep_copy(labels) : json_object();
    if (!nl) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_oom(err);
        return -1;
    }
    json_decref(o->labels);
    o->labels = nl;
    o->managed = d.managed;
    alloc_changes ch = {0};
    fresh = alloc_ipobj_json(o);
    alloc_changes_add_text(&ch, ALLOC_OP_DEL_IP, d.name, NULL, 0);
    alloc_changes_add(&ch, ALLOC_OP_ADD_IP, d.name, fresh, o->created_ms);
    if (out)
        *out = fresh;
    else
        json_decref(fresh);
    return alloc_finish_synced(c, &ch, err);
}

int alloc_ipaddress_delete(alloc_cluster *c, const char *name, alloc_err *err)
{
    alloc_ip ip;
    alloc_parse_rc rc = alloc_ip_parse(name, strlen(name), &ip);
    pthread_mutex_lock(&c->mu);
    alloc_ipobj *o = rc == ALLOC_PARSE_OK ? alloc_ipobj_find(c, &ip) : NULL;
    if (!o) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 404, "NotFound", "ipaddresses.networking.k8s.io \"%.64s\" not found", name);
        return -1;
    }
    alloc_changes ch = {0};
    alloc_ipobj_delete_locked(c, o, &ch);
    return alloc_finish_synced(c, &ch, err);
}

json_t *alloc_ipaddress_get(alloc_cluster *c, const char *name)
{
    alloc_ip ip;
    if (alloc_ip_parse(name, strlen(name), &ip) != ALLOC_PARSE_OK)
        return NULL;
    pthread_mutex_lock(&c->mu);
    alloc_ipobj *o = alloc_ipobj_find(c, &ip);
    json_t *j = o ? alloc_ipobj_json(o) : NULL;
    pthread_mutex_unlock(&c->mu);
    return j;
}

static int cmp_item_name(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(json_object_get(*(json_t *const *)a, "metadata"), "name"));
    const char *y = json_string_value(json_object_get(json_object_get(*(json_t *const *)b, "metadata"), "name"));
    return strcmp(x, y);
}

json_t *alloc_ipaddress_list(alloc_cluster *c)
{
    pthread_mutex_lock(&c->mu);
    alloc_ipobj **objs;
    size_t k = alloc_iptab_collect(&c->ips, &objs), i;
    json_t **v = k ? malloc(k * sizeof *v) : NULL;
    for (i = 0; v && i < k; i++)
        v[i] = alloc_ipobj_json(objs[i]);
    free(objs);
    pthread_mutex_unlock(&c->mu);
    json_t *items = json_array();
    if (v) {
        qsort(v, k, sizeof *v, cmp_item_name);
        for (i = 0; i < k; i++)
            json_array_append_new(items, v[i]);
        free(v);
    }
    return json_pack("{s:s, s:s, s:{}, s:o}", "apiVersion", "networking.k8s.io/v1", "kind",
                     "IPAddressList", "metadata", "items", items);
}

size_t alloc_ipaddress_count(alloc_cluster *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->ips.len;
    pthread_mutex_unlock(&c->mu);
    return n;
}
