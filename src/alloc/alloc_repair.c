/*
 * alloc_repair.c: the repair loop (upstream ipallocator-repair-controller),
 * one full pass: every Service ClusterIP must be inside a ServiceCIDR and
 * have its IPAddress pointing back at the Service; every managed IPAddress
 * must belong to a Service that lists it. Event reasons and texts are
 * upstream's, including their quirks (no space in "[IPv4]:<ip> was
 * assigned", "<nil>" for an unparsable IP, Go's %v of a parentRef).
 */
#include "alloc_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where Services come from: the caller's list or the recorded ones. */
typedef struct svc_view {
    alloc_cluster *c;
    const alloc_service *list;
    size_t n;
    alloc_map byname; /* "ns/name" -> index + 1, for the caller's list */
} svc_view;

/* The ClusterIPs of ns/name; returns -1 when the Service does not exist. */
static int view_ips(svc_view *v, const char *ns, const char *name, const char *ips[2], size_t *n)
{
    char key[520];
    alloc_svc_key(ns, name, key, sizeof key);
    if (!v->list) {
        alloc_svc *s = alloc_map_get(&v->c->svcs, key, strlen(key));
        if (!s)
            return -1;
        *n = s->n;
        for (size_t i = 0; i < s->n; i++)
            ips[i] = s->ips[i];
        return 0;
    }
    uintptr_t idx = (uintptr_t)alloc_map_get(&v->byname, key, strlen(key));
    if (!idx)
        return -1;
    const alloc_service *s = &v->list[idx - 1];
    *n = s->n_ips > 2 ? 2 : s->n_ips;
    for (size_t i = 0; i < *n; i++)
        ips[i] = s->cluster_ips[i] ? s->cluster_ips[i] : "";
    return 0;
}

static bool lists_ip(svc_view *v, const char *ns, const char *name, const char *ip)
{
    const char *ips[2];
    size_t n = 0;
    if (view_ips(v, ns, name, ips, &n) < 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ips[i], ip) == 0)
            return true;
    return false;
}

static bool labels_ok(const alloc_ipobj *o)
{
    if (!o->managed)
        return false;
    if (!o->labels)
        return true;
    const char *f = json_string_value(json_object_get(o->labels, ALLOC_LABEL_FAMILY));
    return f && strcmp(f, alloc_family_name(o->ip.fam)) == 0;
}

/* Replaces whatever IPAddress holds ip by a managed one for ns/name. */
static void recreate(alloc_cluster *c, alloc_ipobj *old, const alloc_ip *ip, const char *ns,
                     const char *name, alloc_changes *ch)
{
    char text[ALLOC_IP_STRLEN];
    alloc_ip_format(ip, text);
    if (old) {
        alloc_changes_add_text(ch, ALLOC_OP_DEL_IP, text, NULL, 0);
        alloc_ipobj_remove(c, old);
    }
    alloc_parent p = {"", "services", ns, name};
    alloc_ipobj *o = alloc_ipobj_insert(c, ip, &p, true, NULL, alloc_now(c));
    if (!o) {
        ch->oom = true;
        return;
    }
    json_t *j = alloc_ipobj_json(o);
    alloc_changes_add(ch, ALLOC_OP_ADD_IP, text, j, o->created_ms);
    json_decref(j);
}

static int sync_service(alloc_cluster *c, svc_view *v, const char *ns, const char *name,
                        const char *const *ips, size_t nips, alloc_changes *ch)
{
    int events = 0;
    char obj[300];
    snprintf(obj, sizeof obj, "services/%s/%s", ns, name);
    for (size_t i = 0; i < nips && i < 2; i++) {
        const char *s = ips[i];
        if (!s || !*s)
            continue;
        alloc_ip ip;
        alloc_parse_rc rc = alloc_ip_parse(s, strlen(s), &ip);
        if (rc != ALLOC_PARSE_OK && rc != ALLOC_PARSE_NONCANONICAL) {
            /* Upstream formats the failed parse result: a nil IP. */
            alloc_event_add(c, "ClusterIPNotValid", obj, "Cluster IP <nil> is not a valid IP; please recreate Service");
            events++;
            continue;
        }
        char text[ALLOC_IP_STRLEN];
        alloc_ip_format(&ip, text);
        const char *fam = alloc_family_name(ip.fam);
        if (!alloc_ip_covered(c, &ip, NULL)) {
            alloc_event_add(c, "ClusterIPOutOfRange", obj,
                            "Cluster IP [%s]: %s is not within any configured Service CIDR; please recreate service",
                            fam, text);
            events++;
            continue;
        }
        alloc_ipobj *o = alloc_ipobj_find(c, &ip);
        if (!o) {
            alloc_event_add(c, "ClusterIPNotAllocated", obj, "Cluster IP [%s]: %s is not allocated; repairing",
                            fam, text);
            events++;
            recreate(c, NULL, &ip, ns, name, ch);
            continue;
        }
        if (*o->group || strcmp(o->resource, "services") != 0) {
            alloc_event_add(c, "ClusterIPNotAllocated", obj,
                            "the ClusterIP [%s]: %s for Service %s/%s has a wrong reference; repairing", fam,
                            text, ns, name);
            events++;
            recreate(c, o, &ip, ns, name, ch);
            continue;
        }
        if (strcmp(o->ns, ns) != 0 || strcmp(o->pname, name) != 0) {
            const char *other[2];
            size_t n = 0;
            if (view_ips(v, o->ns, o->pname, other, &n) < 0) {
                alloc_event_add(c, "ClusterIPNotAllocated", obj,
                                "the ClusterIP [%s]: %s for Service %s/%s has a wrong reference; repairing",
                                fam, text, ns, name);
                events++;
                recreate(c, o, &ip, ns, name, ch);
                continue;
            }
            for (size_t k = 0; k < n; k++) {
                if (strcmp(other[k], text) == 0) {
                    alloc_event_add(c, "ClusterIPAlreadyAllocated", obj,
                                    "Cluster IP [%s]:%s was assigned to multiple services; please recreate service",
                                    fam, text);
                    events++;
                    break;
                }
            }
        }
        if (!labels_ok(o))
            recreate(c, o, &ip, ns, name, ch);
    }
    return events;
}

/* Managed IPAddresses whose Service is gone, or that point elsewhere. */
static int sync_ipaddresses(alloc_cluster *c, svc_view *v, alloc_changes *ch)
{
    int events = 0;
    int64_t now = alloc_now(c);
    /* Collect first: deleting while iterating the map would reorder it. */
    size_t cap = c->ips.len, n = 0, i = 0;
    alloc_ipobj **doomed = cap ? malloc(cap * sizeof *doomed) : NULL;
    if (cap && !doomed) {
        ch->oom = true;
        return 0;
    }
    alloc_map_entry *e;
    while (alloc_map_iter(&c->ips, &i, &e)) {
        alloc_ipobj *o = e->val;
        if (!o->managed)
            continue;
        char text[ALLOC_IP_STRLEN], obj[300];
        alloc_ip_format(&o->ip, text);
        snprintf(obj, sizeof obj, "ipaddresses/%s", text);
        if (*o->group || strcmp(o->resource, "services") != 0) {
            alloc_event_add(c, "IPAddressNotAllocated", obj,
                            "IPAddress %s appears to have been modified, not referencing a Service &{%s %s %s %s}: cleaning up",
                            text, o->group, o->resource, o->ns, o->pname);
            events++;
            doomed[n++] = o;
            continue;
        }
        const char *ips[2];
        size_t k = 0;
        if (view_ips(v, o->ns, o->pname, ips, &k) < 0) {
            if (now - o->created_ms > c->leak_ms) {
                alloc_event_add(c, "IPAddressNotAllocated", obj,
                                "IPAddress: %s for Service %s/%s appears to have leaked: cleaning up", text,
                                o->ns, o->pname);
                events++;
                doomed[n++] = o;
            }
            continue;
        }
        if (!lists_ip(v, o->ns, o->pname, text)) {
            alloc_event_add(c, "IPAddressWrongReference", obj,
                            "IPAddress: %s for Service %s/%s has a wrong reference; cleaning up", text, o->ns,
                            o->pname);
            events++;
            doomed[n++] = o;
        }
    }
    for (i = 0; i < n; i++) {
        char text[ALLOC_IP_STRLEN];
        alloc_ip_format(&doomed[i]->ip, text);
        alloc_changes_add_text(ch, ALLOC_OP_DEL_IP, text, NULL, 0);
        alloc_ipobj_remove(c, doomed[i]);
    }
    free(doomed);
    return events;
}

int alloc_repair_locked(alloc_cluster *c, const alloc_service *services, size_t n, alloc_changes *ch)
{
    svc_view v = {c, services, n, {0}};
    alloc_map_init(&v.byname);
    int events = 0;
    if (services) {
        for (size_t i = 0; i < n; i++) {
            char key[520];
            alloc_svc_key(services[i].ns ? services[i].ns : "", services[i].name ? services[i].name : "", key,
                          sizeof key);
            if (alloc_map_put(&v.byname, key, strlen(key), (void *)(uintptr_t)(i + 1)) < 0)
                ch->oom = true;
        }
        for (size_t i = 0; i < n; i++)
            events += sync_service(c, &v, services[i].ns ? services[i].ns : "",
                                   services[i].name ? services[i].name : "", services[i].cluster_ips,
                                   services[i].n_ips, ch);
    } else {
        /* Snapshot the keys: repair may not add or remove Services. */
        size_t i = 0;
        alloc_map_entry *e;
        while (alloc_map_iter(&c->svcs, &i, &e)) {
            alloc_svc *s = e->val;
            char key[520];
            snprintf(key, sizeof key, "%.*s", (int)e->klen, e->key);
            char *slash = strchr(key, '/');
            if (!slash)
                continue;
            *slash = 0;
            const char *ips[2] = {s->ips[0], s->ips[1]};
            events += sync_service(c, &v, key, slash + 1, ips, s->n, ch);
        }
    }
    events += sync_ipaddresses(c, &v, ch);
    alloc_map_free(&v.byname, NULL);
    alloc_controller_sync(c, ch);
    return events;
}

int alloc_repair(alloc_cluster *c, const alloc_service *services, size_t n, alloc_err *err)
{
    alloc_changes ch = {0};
    pthread_mutex_lock(&c->mu);
    int events = alloc_repair_locked(c, services, n, &ch);
    uint64_t seq = alloc_changes_submit(c, &ch);
    bool failed = ch.oom;
    alloc_changes_free(&ch);
    pthread_mutex_unlock(&c->mu);
    if (failed) {
        alloc_err_set(err, 500, "InternalError", "Internal error occurred: out of memory");
        return -1;
    }
    if (alloc_changes_wait(c, seq, err) < 0)
        return -1;
    return events;
}
