/*
 * alloc_meta.c: the meta allocator over the range allocators of a family
 * (dynamic: ranges in order, skipping unready and full ones; static: any
 * ready range containing the IP), the in-memory IPAddress records, the
 * commit-or-undo step the API files share, and the low-level calls.
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


alloc_index *alloc_ix(alloc_cluster *c, alloc_family f)
{
    return f == ALLOC_IPV4 ? &c->ix4 : &c->ix6;
}

alloc_ipobj *alloc_ipobj_find(alloc_cluster *c, const alloc_ip *ip)
{
    return alloc_iptab_find(&c->ips, ip);
}

void alloc_ipobj_free(alloc_ipobj *o)
{
    json_decref(o->labels);
    free(o);
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
    o->serial = ++c->serial;
    o->managed = managed;
    o->created_ms = created_ms;
    o->labels = labels ? json_deep_copy(labels) : NULL;
    char *dst = o->strs, **slots[4] = {&o->group, &o->resource, &o->ns, &o->pname};
    for (int i = 0; i < 4; i++) {
        memcpy(dst, f[i], len[i] + 1);
        *slots[i] = dst;
        dst += len[i] + 1;
    }
    int rc = alloc_iptab_insert(&c->ips, o);
    if (rc == 0 && alloc_index_add(alloc_ix(c, ip->fam), ip->v) == 0)
        return o;
    if (rc == 0)
        alloc_iptab_remove(&c->ips, o);
    alloc_ipobj_free(o);
    return NULL;
}

void alloc_ipobj_remove(alloc_cluster *c, alloc_ipobj *o)
{
    alloc_iptab_remove(&c->ips, o);
    /* Removing from the middle of a run needs a node; if that fails the
     * address merely stays reserved, which is the safe side. */
    alloc_index_remove(alloc_ix(c, o->ip.fam), o->ip.v);
    alloc_ipobj_free(o);
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
    /* group and namespace are omitempty in the API types. */
    json_t *ref = json_object();
    if (*o->group)
        json_object_set_new(ref, "group", json_string(o->group));
    json_object_set_new(ref, "resource", json_string(o->resource));
    if (*o->ns)
        json_object_set_new(ref, "namespace", json_string(o->ns));
    json_object_set_new(ref, "name", json_string(o->pname));
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:o}, s:{s:o}}", "apiVersion", "networking.k8s.io/v1", "kind",
                     "IPAddress", "metadata", "name", name, "creationTimestamp", ts, "labels", labels, "spec",
                     "parentRef", ref);
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
            snprintf(why, whysz, ALLOC_MSG_TAKEN);
            return -1;
        }
        return 0;
    }
    snprintf(why, whysz, ALLOC_MSG_MISMATCH);
    return -1;
}

/* ------------------------------------------------------------ shared by the API files */

void alloc_err_oom(alloc_err *err)
{
    alloc_err_set(err, 500, "InternalError", "Internal error occurred: out of memory");
}

bool alloc_room_for(alloc_cluster *c, size_t n, alloc_err *err)
{
    if (c->ips.len + n <= c->max_ips)
        return true;
    alloc_err_set(err, 403, "Forbidden", "ipaddresses.networking.k8s.io is forbidden: at most %zu IPAddresses are allowed",
                  c->max_ips);
    return false;
}

int alloc_commit_new(alloc_cluster *c, alloc_changes *ch, alloc_ipobj **made, size_t nmade,
                     const char *svc_key, alloc_err *err)
{
    /* Once the mutex is dropped the records may change hands: remember
     * them by address and serial, never by pointer. */
    alloc_ip ips[2];
    uint64_t serials[2], svc_serial = 0;
    for (size_t i = 0; i < nmade && i < 2; i++) {
        ips[i] = made[i]->ip;
        serials[i] = made[i]->serial;
    }
    if (svc_key) {
        alloc_svc *s = alloc_map_get(&c->svcs, svc_key, strlen(svc_key));
        svc_serial = s ? s->serial : 0;
    }
    uint64_t seq = alloc_changes_submit(c, ch);
    bool failed = ch->oom;
    alloc_changes_free(ch);
    if (!failed) {
        pthread_mutex_unlock(&c->mu);
        if (alloc_changes_wait(c, seq, err) == 0)
            return 0;
        pthread_mutex_lock(&c->mu);
    } else {
        alloc_err_oom(err);
    }
    for (size_t i = 0; i < nmade && i < 2; i++) {
        alloc_ipobj *o = alloc_ipobj_find(c, &ips[i]);
        if (o && o->serial == serials[i])
            alloc_ipobj_remove(c, o);
    }
    if (svc_key) {
        alloc_svc *s = alloc_map_get(&c->svcs, svc_key, strlen(svc_key));
        if (s && s->serial == svc_serial)
            free(alloc_map_del(&c->svcs, svc_key, strlen(svc_key)));
    }
    pthread_mutex_unlock(&c->mu);
    return -1;
}

void alloc_ipobj_delete_locked(alloc_cluster *c, alloc_ipobj *o, alloc_changes *ch)
{
    char name[ALLOC_IP_STRLEN];
    alloc_ip_format(&o->ip, name);
    alloc_changes_add_text(ch, ALLOC_OP_DEL_IP, name, NULL, 0);
    alloc_ipobj_remove(c, o);
}

int alloc_finish_synced(alloc_cluster *c, alloc_changes *ch, alloc_err *err)
{
    alloc_controller_sync(c, ch);
    uint64_t seq = alloc_changes_submit(c, ch);
    bool failed = ch->oom;
    alloc_changes_free(ch);
    pthread_mutex_unlock(&c->mu);
    if (failed) {
        alloc_err_oom(err);
        return -1;
    }
    return alloc_changes_wait(c, seq, err);
}

/* ------------------------------------------------------------ low level */

int alloc_ip_allocate(alloc_cluster *c, alloc_family fam, const char *requested,
                      const alloc_parent *parent, bool managed, char ip_out[ALLOC_IP_STRLEN],
                      alloc_err *err)
{
    alloc_ip ip;
    char why[200];
    if (!parent || (fam != ALLOC_IPV4 && fam != ALLOC_IPV6)) {
        alloc_err_set(err, 400, "BadRequest", "an allocation needs a parent and an IP family");
        return -1;
    }
    if (requested) {
        const char *d = alloc_validate_ip(requested, strlen(requested), why, sizeof why);
        if (d) {
            alloc_err_set(err, 422, "Invalid", "failed to allocate IP %.64s: %s", requested, d);
            return -1;
        }
        alloc_ip_parse(requested, strlen(requested), &ip);
    }
    pthread_mutex_lock(&c->mu);
    if (!alloc_room_for(c, 1, err)) {
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
                      "Internal error occurred: failed to allocate a serviceIP: " ALLOC_MSG_FULL);
        return -1;
    }
    alloc_ipobj *o = alloc_ipobj_insert(c, &ip, parent, managed, NULL, alloc_now(c));
    if (!o) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_oom(err);
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
    return alloc_commit_new(c, &ch, &o, 1, NULL, err);
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
        alloc_ipobj_delete_locked(c, o, &ch);
    return alloc_finish_synced(c, &ch, err);
}
