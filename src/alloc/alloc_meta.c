/*
 * alloc_meta.c: the meta allocator over the range allocators of a family
 * (dynamic: ranges in order, skipping unready and full ones; static: any
 * ready range containing the IP), IPAddress objects, and the ClusterIPs of
 * Services with the error texts the Service API returns.
 *
 * Memory changes are made under the cluster mutex and queued for the store
 * in the same order; the caller then waits for the commit without the
 * mutex, so concurrent callers share one. An allocation whose commit
 * fails is undone before the caller hears of it.
 */
#include "alloc_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_FULL "range is full"
#define MSG_TAKEN "provided IP is already allocated"
#define MSG_MISMATCH "the provided network does not match the current range"

alloc_index *alloc_ix(alloc_cluster *c, alloc_family f)
{
    return f == ALLOC_IPV4 ? &c->ix4 : &c->ix6;
}

void alloc_ipkey(const alloc_ip *ip, unsigned char key[17])
{
    key[0] = (unsigned char)ip->fam;
    for (int i = 0; i < 8; i++) {
        key[1 + i] = (unsigned char)(ip->v.hi >> (56 - 8 * i));
        key[9 + i] = (unsigned char)(ip->v.lo >> (56 - 8 * i));
    }
}

alloc_ipobj *alloc_ipobj_find(alloc_cluster *c, const alloc_ip *ip)
{
    unsigned char key[17];
    alloc_ipkey(ip, key);
    return alloc_map_get(&c->ips, key, sizeof key);
}

alloc_ipobj *alloc_ipobj_insert(alloc_cluster *c, const alloc_ip *ip, const alloc_parent *p,
                                bool managed, const json_t *labels, int64_t created_ms)
{
    const char *f[4] = {p->group ? p->group : "", p->resource ? p->resource : "",
                        p->ns ? p->ns : "", p->name ? p->name : ""};
    size_t len[4], total = 0;
    for (int i = 0; i < 4; i++)
        total += (len[i] = strlen(f[i])) + 1;
    alloc_ipobj *o = malloc(sizeof *o + total);
    if (!o)
        return NULL;
    o->ip = *ip;
    o->managed = managed;
    o->created_ms = created_ms;
    o->labels = labels ? json_deep_copy(labels) : NULL;
    char *dst = o->strs, **slots[4] = {&o->group, &o->resource, &o->ns, &o->pname};
    for (int i = 0; i < 4; i++) {
        memcpy(dst, f[i], len[i] + 1);
        *slots[i] = dst;
        dst += len[i] + 1;
    }
    unsigned char key[17];
    alloc_ipkey(ip, key);
    int rc = alloc_map_put(&c->ips, key, sizeof key, o);
    if (rc == 0 && alloc_index_add(alloc_ix(c, ip->fam), ip->v) == 0)
        return o;
    if (rc == 0)
        alloc_map_del(&c->ips, key, sizeof key);
    json_decref(o->labels);
    free(o);
    return NULL;
}

void alloc_ipobj_remove(alloc_cluster *c, alloc_ipobj *o)
{
    unsigned char key[17];
    alloc_ipkey(&o->ip, key);
    alloc_map_del(&c->ips, key, sizeof key);
    /* Removing from the middle of a run needs a node; if that fails the
     * address merely stays reserved, which is the safe side. */
    alloc_index_remove(alloc_ix(c, o->ip.fam), o->ip.v);
    json_decref(o->labels);
    free(o);
}

json_t *alloc_ipobj_json(const alloc_ipobj *o)
{
    char name[ALLOC_IP_STRLEN], ts[32];
    alloc_ip_format(&o->ip, name);
    alloc_time_format(o->created_ms, ts);
    json_t *labels = o->labels ? json_deep_copy(o->labels)
                     : o->managed ? json_pack("{s:s, s:s}", ALLOC_LABEL_FAMILY, alloc_family_name(o->ip.fam),
                                              ALLOC_LABEL_MANAGED_BY, ALLOC_MANAGER)
                                  : json_object();
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:o}, s:{s:{s:s, s:s, s:s, s:s}}}", "apiVersion",
                     "networking.k8s.io/v1", "kind", "IPAddress", "metadata", "name", name,
                     "creationTimestamp", ts, "labels", labels, "spec", "parentRef", "group", o->group,
                     "resource", o->resource, "namespace", o->ns, "name", o->pname);
}

/* ------------------------------------------------------------ meta allocator */

int alloc_meta_dynamic(alloc_cluster *c, alloc_family f, alloc_ip *out)
{
    alloc_index *ix = alloc_ix(c, f);
    for (size_t i = 0; i < c->nranges; i++) {
        const alloc_range *r = &c->ranges[i];
        if (r->cidr.net.fam != f || !r->ready || !r->usable)
            continue;
        if (alloc_range_pick(r, ix, &c->rng, &out->v)) {
            out->fam = f;
            return 0;
        }
    }
    return -1;
}

int alloc_meta_static(alloc_cluster *c, const alloc_ip *ip, char *why, size_t whysz)
{
    for (size_t i = 0; i < c->nranges; i++) {
        const alloc_range *r = &c->ranges[i];
        if (!r->ready || !r->usable || !alloc_prefix_contains_usable(&r->cidr, ip))
            continue;
        if (alloc_u128_cmp(ip->v, r->first) < 0 || alloc_u128_cmp(ip->v, r->last) > 0) {
            char t[ALLOC_IP_STRLEN];
            alloc_ip_format(ip, t);
            snprintf(why, whysz, "the provided IP (%s) is not in the valid range. The range of valid IPs is %s",
                     t, r->text);
            return -1;
        }
        if (alloc_index_has(alloc_ix(c, ip->fam), ip->v)) {
            snprintf(why, whysz, MSG_TAKEN);
            return -1;
        }
        return 0;
    }
    snprintf(why, whysz, MSG_MISMATCH);
    return -1;
}

/* ------------------------------------------------------------ IPAddress API */

static void oom(alloc_err *err)
{
    alloc_err_set(err, 500, "InternalError", "Internal error occurred: out of memory");
}

static bool room_for(alloc_cluster *c, size_t n, alloc_err *err)
{
    if (c->ips.len + n <= c->max_ips)
        return true;
    alloc_err_set(err, 403, "Forbidden", "ipaddresses.networking.k8s.io is forbidden: at most %zu IPAddresses are allowed",
                  c->max_ips);
    return false;
}

/* Commits new IPAddresses (and what else is in ch) or undoes them. */
static int commit_new(alloc_cluster *c, alloc_changes *ch, alloc_ipobj **made, size_t nmade,
                      const char *svc_key, alloc_err *err)
{
    uint64_t seq = alloc_changes_submit(c, ch);
    bool failed = ch->oom;
    alloc_changes_free(ch);
    if (!failed) {
        pthread_mutex_unlock(&c->mu);
        if (alloc_changes_wait(c, seq, err) == 0)
            return 0;
        pthread_mutex_lock(&c->mu);
    } else {
        oom(err);
    }
    for (size_t i = 0; i < nmade; i++) {
        alloc_ipobj *o = alloc_ipobj_find(c, &made[i]->ip);
        if (o == made[i])
            alloc_ipobj_remove(c, o);
    }
    if (svc_key)
        free(alloc_map_del(&c->svcs, svc_key, strlen(svc_key)));
    pthread_mutex_unlock(&c->mu);
    return -1;
}

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
    if (!room_for(c, 1, err)) {
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    alloc_parent p = {d.group, d.resource, d.ns, d.pname};
    alloc_ipobj *o = alloc_ipobj_insert(c, &d.ip, &p, d.managed, json_is_object(labels) ? labels : NULL,
                                        alloc_now(c));
    if (!o) {
        pthread_mutex_unlock(&c->mu);
        oom(err);
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
    if (commit_new(c, &ch, &o, 1, NULL, err) < 0) {
        if (out) {
            json_decref(*out);
            *out = NULL;
        }
        return -1;
    }
    return 0;
}

/* Deletes in memory and queues the deletion; then the controller runs. */
static void delete_ip_locked(alloc_cluster *c, alloc_ipobj *o, alloc_changes *ch)
{
    char name[ALLOC_IP_STRLEN];
    alloc_ip_format(&o->ip, name);
    alloc_changes_add_text(ch, ALLOC_OP_DEL_IP, name, NULL, 0);
    alloc_ipobj_remove(c, o);
}

static int finish(alloc_cluster *c, alloc_changes *ch, alloc_err *err)
{
    alloc_controller_sync(c, ch);
    uint64_t seq = alloc_changes_submit(c, ch);
    bool failed = ch->oom;
    alloc_changes_free(ch);
    pthread_mutex_unlock(&c->mu);
    if (failed) {
        oom(err);
        return -1;
    }
    return alloc_changes_wait(c, seq, err);
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
    delete_ip_locked(c, o, &ch);
    return finish(c, &ch, err);
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
    size_t n = c->ips.len, k = 0, i = 0;
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    alloc_map_entry *e;
    while (v && alloc_map_iter(&c->ips, &i, &e))
        v[k++] = alloc_ipobj_json(e->val);
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

/* ------------------------------------------------------------ low level */

int alloc_ip_allocate(alloc_cluster *c, alloc_family fam, const char *requested,
                      const alloc_parent *parent, bool managed, char ip_out[ALLOC_IP_STRLEN],
                      alloc_err *err)
{
    alloc_ip ip;
    char why[200];
    if (requested) {
        const char *d = alloc_validate_ip(requested, strlen(requested), why, sizeof why);
        if (d) {
            alloc_err_set(err, 422, "Invalid", "failed to allocate IP %.64s: %s", requested, d);
            return -1;
        }
        alloc_ip_parse(requested, strlen(requested), &ip);
    }
    pthread_mutex_lock(&c->mu);
    if (!room_for(c, 1, err)) {
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    if (requested) {
        if (alloc_meta_static(c, &ip, why, sizeof why) < 0) {
            pthread_mutex_unlock(&c->mu);
            alloc_err_set(err, 422, "Invalid", "failed to allocate IP %s: %s", requested, why);
            return -1;
        }
    } else if (alloc_meta_dynamic(c, fam, &ip) < 0) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 500, "InternalError",
                      "Internal error occurred: failed to allocate a serviceIP: " MSG_FULL);
        return -1;
    }
    alloc_ipobj *o = alloc_ipobj_insert(c, &ip, parent, managed, NULL, alloc_now(c));
    if (!o) {
        pthread_mutex_unlock(&c->mu);
        oom(err);
        return -1;
    }
    if (!managed)
        o->labels = json_object();
    alloc_ip_format(&ip, ip_out);
    alloc_changes ch = {0};
    if (c->store) {
        json_t *j = alloc_ipobj_json(o);
        alloc_changes_add(&ch, ALLOC_OP_ADD_IP, ip_out, j, o->created_ms);
        json_decref(j);
    }
    return commit_new(c, &ch, &o, 1, NULL, err);
}

int alloc_ip_release(alloc_cluster *c, const char *ip, alloc_err *err)
{
    alloc_ip a;
    if (alloc_ip_parse(ip, strlen(ip), &a) != ALLOC_PARSE_OK)
        return 0;
    pthread_mutex_lock(&c->mu);
    alloc_ipobj *o = alloc_ipobj_find(c, &a);
    alloc_changes ch = {0};
    if (o)
        delete_ip_locked(c, o, &ch);
    return finish(c, &ch, err);
}

/* ------------------------------------------------------------ Services */

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
    if (n_ips > 2 || n_families > 2) {
        alloc_err_set(err, 422, "Invalid", "Service \"%s\" is invalid: spec.clusterIPs: Too many: %zu: must have at most 2 items",
                      name, n_ips > n_families ? n_ips : n_families);
        return -1;
    }
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
    if (alloc_map_get(&c->svcs, key, strlen(key))) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 409, "AlreadyExists", "services \"%s\" already exists", name);
        return -1;
    }
    if (!room_for(c, nf, err)) {
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
                          "Internal error occurred: failed to allocate a serviceIP: " MSG_FULL);
            goto undo;
        }
        if (!(made[nmade] = alloc_ipobj_insert(c, &ip, &p, true, NULL, now))) {
            oom(err);
            goto undo;
        }
        alloc_ip_format(&ip, ips_out[nmade]);
        nmade++;
    }
    alloc_svc *rec = calloc(1, sizeof *rec);
    if (!rec || alloc_map_put(&c->svcs, key, strlen(key), rec) != 0) {
        free(rec);
        oom(err);
        goto undo;
    }
    for (size_t i = 0; i < nmade; i++)
        memcpy(rec->ips[i], ips_out[i], ALLOC_IP_STRLEN);
    rec->n = nmade;
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
    if (commit_new(c, &ch, made, nmade, key, err) < 0)
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
                delete_ip_locked(c, o, &ch);
        }
        alloc_changes_add_text(&ch, ALLOC_OP_DEL_SVC, key, NULL, 0);
        free(s);
    }
    return finish(c, &ch, err);
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
