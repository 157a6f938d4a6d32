/*
 * alloc_scidr.c: ServiceCIDR objects: create (with what the controller
 * does at once: finalizer, Ready=True), update (spec.cidrs immutable),
 * delete (deletionTimestamp while finalizers remain), reads in the public
 * form, and the set of range allocators rebuilt from them.
 */
#include "alloc_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

alloc_scidr *alloc_scidr_find(alloc_cluster *c, const char *name, size_t *pos)
{
    for (size_t i = 0; i < c->ncidrs; i++) {
        if (strcmp(c->cidrs[i]->name, name) == 0) {
            if (pos)
                *pos = i;
            return c->cidrs[i];
        }
    }
    return NULL;
}

void alloc_scidr_free(alloc_scidr *s)
{
    if (!s)
        return;
    free(s->name);
    json_decref(s->obj);
    free(s);
}

void alloc_scidr_unlink(alloc_cluster *c, size_t pos)
{
    alloc_scidr_free(c->cidrs[pos]);
    memmove(&c->cidrs[pos], &c->cidrs[pos + 1], (c->ncidrs - pos - 1) * sizeof *c->cidrs);
    c->ncidrs--;
}

int alloc_scidr_link(alloc_cluster *c, alloc_scidr *s)
{
    if (c->ncidrs == c->capcidrs) {
        size_t nc = c->capcidrs ? c->capcidrs * 2 : 8;
        alloc_scidr **nv = realloc(c->cidrs, nc * sizeof *nv);
        if (!nv)
            return -1;
        c->cidrs = nv;
        c->capcidrs = nc;
    }
    c->cidrs[c->ncidrs++] = s;
    return 0;
}

const json_t *alloc_scidr_ready_condition(const alloc_scidr *s)
{
    const json_t *conds = json_object_get(json_object_get(s->obj, "status"), "conditions");
    size_t i;
    const json_t *cond;
    json_array_foreach(conds, i, cond) {
        const char *t = json_string_value(json_object_get(cond, "type"));
        if (t && strcmp(t, "Ready") == 0)
            return cond;
    }
    return NULL;
}

bool alloc_scidr_ready(const alloc_scidr *s)
{
    if (s->deletion_ms)
        return false;
    const json_t *cond = alloc_scidr_ready_condition(s);
    if (!cond)
        return true;
    const char *st = json_string_value(json_object_get(cond, "status"));
    return st && strcmp(st, "True") == 0;
}

/* Sets the Ready condition; returns true when something changed. */
bool alloc_scidr_set_ready(alloc_cluster *c, alloc_scidr *s, const char *status, const char *reason,
                      const char *message)
{
    const json_t *old = alloc_scidr_ready_condition(s);
    if (old) {
        const char *os = json_string_value(json_object_get(old, "status"));
        const char *orsn = json_string_value(json_object_get(old, "reason"));
        const char *om = json_string_value(json_object_get(old, "message"));
        if (os && orsn && om && !strcmp(os, status) && !strcmp(orsn, reason) && !strcmp(om, message))
            return false;
    }
    char ts[32];
    alloc_time_format(alloc_now(c), ts);
    json_t *cond = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "Ready", "status", status,
                             "reason", reason, "message", message, "lastTransitionTime", ts);
    json_t *status_obj = json_object_get(s->obj, "status");
    if (!json_is_object(status_obj)) {
        status_obj = json_object();
        json_object_set_new(s->obj, "status", status_obj);
    }
    json_object_set_new(status_obj, "conditions", json_pack("[o]", cond));
    return true;
}

bool alloc_scidr_has_finalizer(const alloc_scidr *s)
{
    const json_t *f = json_object_get(json_object_get(s->obj, "metadata"), "finalizers");
    size_t i;
    const json_t *v;
    json_array_foreach(f, i, v) {
        const char *t = json_string_value(v);
        if (t && strcmp(t, ALLOC_FINALIZER) == 0)
            return true;
    }
    return false;
}

size_t alloc_scidr_finalizer_count(const alloc_scidr *s)
{
    return json_array_size(json_object_get(json_object_get(s->obj, "metadata"), "finalizers"));
}

void alloc_scidr_remove_finalizer(alloc_scidr *s)
{
    json_t *f = json_object_get(json_object_get(s->obj, "metadata"), "finalizers");
    for (size_t i = json_array_size(f); i-- > 0;) {
        const char *t = json_string_value(json_array_get(f, i));
        if (t && strcmp(t, ALLOC_FINALIZER) == 0)
            json_array_remove(f, i);
    }
}

void alloc_scidr_ensure_finalizer(alloc_scidr *s)
{
    if (alloc_scidr_has_finalizer(s))
        return;
    json_t *md = json_object_get(s->obj, "metadata");
    json_t *f = json_object_get(md, "finalizers");
    if (!json_is_array(f)) {
        f = json_array();
        json_object_set_new(md, "finalizers", f);
    }
    json_array_append_new(f, json_string(ALLOC_FINALIZER));
}

/* The stored form of a ServiceCIDR: v1, server-set metadata, input labels,
 * annotations and finalizers kept, status from the controller only. */
static json_t *build_scidr_obj(alloc_cluster *c, const json_t *in, const alloc_scidr_in *d,
                               int64_t now)
{
    json_t *md_in = json_object_get(in, "metadata");
    json_t *md = json_object();
    json_t *cidrs = json_array();
    char ts[32], uid[40], buf[ALLOC_IP_STRLEN + 4];
    alloc_time_format(now, ts);
    uint64_t a = alloc_rng_next(&c->rng), b = alloc_rng_next(&c->rng);
    snprintf(uid, sizeof uid, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFF, (unsigned)(0x8000 | ((b >> 48) & 0x3FFF)),
             (unsigned long long)(b & 0xFFFFFFFFFFFFull));
    json_object_set_new(md, "name", json_string(d->name));
    json_object_set_new(md, "uid", json_string(uid));
    json_object_set_new(md, "generation", json_integer(1));
    json_object_set_new(md, "creationTimestamp", json_string(ts));
    const char *keep[] = {"labels", "annotations", "finalizers"};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(md_in, keep[i]);
        if (v && !json_is_null(v))
            json_object_set_new(md, keep[i], json_deep_copy(v));
    }
    for (int i = 0; i < d->ncidrs; i++) {
        alloc_prefix_format(&d->cidrs[i], buf);
        json_array_append_new(cidrs, json_string(buf));
    }
    return json_pack("{s:s, s:s, s:o, s:{s:o}, s:{}}", "apiVersion", "networking.k8s.io/v1", "kind",
                     "ServiceCIDR", "metadata", md, "spec", "cidrs", cidrs, "status");
}

/* Labels/annotations/finalizers must be of the right JSON types. */
static int check_meta_types(const json_t *obj, alloc_err *err)
{
    const json_t *md = json_object_get(obj, "metadata");
    const char *objs[] = {"labels", "annotations"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(md, objs[i]);
        const char *k;
        const json_t *x;
        if (v && !json_is_null(v) && !json_is_object(v)) {
            alloc_err_set(err, 400, "BadRequest", "metadata.%s: must be an object", objs[i]);
            return -1;
        }
        json_object_foreach((json_t *)v, k, x) {
            if (!json_is_string(x)) {
                alloc_err_set(err, 400, "BadRequest", "metadata.%s[%.100s]: must be a string",
                              objs[i], k);
                return -1;
            }
        }
    }
    const json_t *f = json_object_get(md, "finalizers");
    size_t i;
    const json_t *x;
    if (f && !json_is_null(f) && !json_is_array(f)) {
        alloc_err_set(err, 400, "BadRequest", "metadata.finalizers: must be an array of strings");
        return -1;
    }
    json_array_foreach(f, i, x) {
        if (!json_is_string(x)) {
            alloc_err_set(err, 400, "BadRequest", "metadata.finalizers[%zu]: must be a string", i);
            return -1;
        }
    }
    return 0;
}

alloc_scidr *alloc_scidr_new(const char *name, const alloc_scidr_in *d, json_t *obj, int64_t now)
{
    alloc_scidr *s = calloc(1, sizeof *s);
    if (!s || !(s->name = strdup(name)) || !obj) {
        free(s ? s->name : NULL);
        free(s);
        json_decref(obj);
        return NULL;
    }
    memcpy(s->cidrs, d->cidrs, sizeof s->cidrs);
    s->ncidrs = d->ncidrs;
    s->obj = obj;
    s->created_ms = now;
    return s;
}

/* The object as clients see it (our private deletion clock removed). */
static json_t *scidr_public(const alloc_scidr *s)
{
    json_t *o = json_deep_copy(s->obj);
    json_object_del(json_object_get(o, "metadata"), "celgate.io/deletion-ms");
    return o;
}

int alloc_scidr_create_locked(alloc_cluster *c, const json_t *obj, const char *ready_msg,
                         alloc_changes *ch, json_t **out, alloc_err *err)
{
    alloc_scidr_in d;
    if (alloc_object_scidr_decode(obj, &d, err) < 0 || check_meta_types(obj, err) < 0)
        return -1;
    if (alloc_scidr_find(c, d.name, NULL)) {
        alloc_err_set(err, 409, "AlreadyExists", "servicecidrs.networking.k8s.io \"%s\" already exists",
                      d.name);
        return -1;
    }
    if (c->ncidrs >= c->max_cidrs) {
        alloc_err_set(err, 403, "Forbidden",
                      "servicecidrs.networking.k8s.io \"%s\" is forbidden: at most %zu ServiceCIDRs "
                      "are allowed", d.name, c->max_cidrs);
        return -1;
    }
    int64_t now = alloc_now(c);
    alloc_scidr *s = alloc_scidr_new(d.name, &d, build_scidr_obj(c, obj, &d, now), now);
    if (!s || alloc_scidr_link(c, s) < 0) {
        alloc_scidr_free(s);
        alloc_err_set(err, 500, "InternalError", "Internal error occurred: out of memory");
        return -1;
    }
    /* What the controller does at once on create: finalizer, then Ready. */
    alloc_scidr_ensure_finalizer(s);
    alloc_scidr_set_ready(c, s, "True", "", ready_msg);
    alloc_ranges_rebuild(c);
    /* Upstream only logs a CIDR its range allocator refuses (IPv6 shorter
     * than /64); the event log is where our users look. */
    for (int k = 0; k < s->ncidrs; k++) {
        alloc_range r;
        char why[96], where[300];
        if (alloc_range_init(&r, &s->cidrs[k], why, sizeof why)) {
            snprintf(where, sizeof where, "servicecidrs/%s", s->name);
            alloc_event_add(c, "ServiceCIDRRangeRefused", where, "%s", why);
        }
    }
    alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
    if (out)
        *out = scidr_public(s);
    return 0;
}

int alloc_servicecidr_create(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err)
{
    alloc_changes ch = {0};
    if (out)
        *out = NULL;
    pthread_mutex_lock(&c->mu);
    if (alloc_scidr_create_locked(c, obj, ALLOC_MSG_READY, &ch, out, err) < 0) {
        alloc_changes_free(&ch);
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    alloc_controller_sync(c, &ch);
    return alloc_finish_unlocked(c, &ch, err);
}

bool alloc_scidr_same_cidrs(const alloc_scidr *s, const alloc_scidr_in *d)
{
    if (s->ncidrs != d->ncidrs)
        return false;
    for (int i = 0; i < s->ncidrs; i++) {
        if (s->cidrs[i].bits != d->cidrs[i].bits || s->cidrs[i].net.fam != d->cidrs[i].net.fam ||
            alloc_u128_cmp(s->cidrs[i].net.v, d->cidrs[i].net.v) != 0)
            return false;
    }
    return true;
}

int alloc_servicecidr_update(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err)
{
    alloc_scidr_in d;
    alloc_changes ch = {0};
    if (out)
        *out = NULL;
    if (alloc_object_scidr_decode(obj, &d, err) < 0 || check_meta_types(obj, err) < 0)
        return -1;
    pthread_mutex_lock(&c->mu);
    alloc_scidr *s = alloc_scidr_find(c, d.name, NULL);
    if (!s) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 404, "NotFound", "servicecidrs.networking.k8s.io \"%s\" not found", d.name);
        return -1;
    }
    if (!alloc_scidr_same_cidrs(s, &d)) {
        pthread_mutex_unlock(&c->mu);
        char *v = json_dumps(json_object_get(json_object_get(obj, "spec"), "cidrs"), JSON_COMPACT);
        alloc_ferrs fe = {.n = 0};
        alloc_ferr_add(&fe, "spec.cidrs: Invalid value: %s: field is immutable", v ? v : "null");
        free(v);
        alloc_ferr_to_err(&fe, "ServiceCIDR", d.name, err);
        return -1;
    }
    json_t *md = json_object_get(s->obj, "metadata"), *md_in = json_object_get(obj, "metadata");
    const char *keep[] = {"labels", "annotations", "finalizers"};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(md_in, keep[i]);
        if (v && !json_is_null(v))
            json_object_set_new(md, keep[i], json_deep_copy(v));
        else
            json_object_del(md, keep[i]);
    }
    if (!s->deletion_ms)
        alloc_scidr_ensure_finalizer(s);
    alloc_changes_add(&ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
    if (out)
        *out = scidr_public(s);
    alloc_controller_sync(c, &ch);
    return alloc_finish_unlocked(c, &ch, err);
}

int alloc_servicecidr_delete(alloc_cluster *c, const char *name, alloc_err *err)
{
    alloc_changes ch = {0};
    pthread_mutex_lock(&c->mu);
    size_t pos;
    alloc_scidr *s = alloc_scidr_find(c, name, &pos);
    if (!s) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 404, "NotFound", "servicecidrs.networking.k8s.io \"%s\" not found", name);
        return -1;
    }
    if (!s->deletion_ms) {
        if (alloc_scidr_finalizer_count(s) == 0) {
            alloc_changes_add(&ch, ALLOC_OP_DEL_CIDR, s->name, NULL, 0);
            alloc_scidr_unlink(c, pos);
        } else {
            char ts[32];
            s->deletion_ms = alloc_now(c);
            alloc_time_format(s->deletion_ms, ts);
            json_t *md = json_object_get(s->obj, "metadata");
            json_object_set_new(md, "deletionTimestamp", json_string(ts));
            json_object_set_new(md, "deletionGracePeriodSeconds", json_integer(0));
            json_object_set_new(md, "celgate.io/deletion-ms", json_integer(s->deletion_ms));
            alloc_changes_add(&ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
        }
        alloc_ranges_rebuild(c);
    }
    alloc_controller_sync(c, &ch);
    return alloc_finish_unlocked(c, &ch, err);
}

json_t *alloc_servicecidr_get(alloc_cluster *c, const char *name)
{
    pthread_mutex_lock(&c->mu);
    alloc_scidr *s = alloc_scidr_find(c, name, NULL);
    json_t *o = s ? scidr_public(s) : NULL;
    pthread_mutex_unlock(&c->mu);
    return o;
}

static int cmp_name(const void *a, const void *b)
{
    const alloc_scidr *x = *(alloc_scidr *const *)a, *y = *(alloc_scidr *const *)b;
    return strcmp(x->name, y->name);
}

json_t *alloc_servicecidr_list(alloc_cluster *c)
{
    json_t *items = json_array();
    pthread_mutex_lock(&c->mu);
    alloc_scidr **v = c->ncidrs ? malloc(c->ncidrs * sizeof *v) : NULL;
    if (v) {
        memcpy(v, c->cidrs, c->ncidrs * sizeof *v);
        qsort(v, c->ncidrs, sizeof *v, cmp_name);
        for (size_t i = 0; i < c->ncidrs; i++)
            json_array_append_new(items, scidr_public(v[i]));
        free(v);
    }
    pthread_mutex_unlock(&c->mu);
    return json_pack("{s:s, s:s, s:{}, s:o}", "apiVersion", "networking.k8s.io/v1", "kind",
                     "ServiceCIDRList", "metadata", "items", items);
}

/* ------------------------------------------------------------ ranges */

void alloc_ranges_rebuild(alloc_cluster *c)
{
    alloc_range *nr = calloc(c->ncidrs * 2 + 1, sizeof *nr);
    if (!nr)
        return; /* keep the old set; it is still consistent */
    size_t n = 0;
    char why[96];
    for (size_t i = 0; i < c->ncidrs; i++) {
        alloc_scidr *s = c->cidrs[i];
        for (int k = 0; k < s->ncidrs; k++) {
            size_t j;
            for (j = 0; j < n; j++) {
                if (nr[j].cidr.bits == s->cidrs[k].bits &&
                    nr[j].cidr.net.fam == s->cidrs[k].net.fam &&
                    alloc_u128_cmp(nr[j].cidr.net.v, s->cidrs[k].net.v) == 0)
                    break;
            }
            if (j == n)
                alloc_range_init(&nr[n++], &s->cidrs[k], why, sizeof why);
            /* Shared CIDRs: ready if any holder is. */
            if (alloc_scidr_ready(s))
                nr[j].ready = true;
        }
    }
    free(c->ranges);
    c->ranges = nr;
    c->nranges = n;
}

bool alloc_ip_covered(alloc_cluster *c, const alloc_ip *ip, const alloc_scidr *except)
{
    for (size_t i = 0; i < c->ncidrs; i++) {
        if (c->cidrs[i] == except)
            continue;
        for (int k = 0; k < c->cidrs[i]->ncidrs; k++)
            if (alloc_prefix_contains_usable(&c->cidrs[i]->cidrs[k], ip))
                return true;
    }
    return false;
}

bool alloc_ip_in_service_cidrs(alloc_cluster *c, const char *ip)
{
    alloc_ip a;
    alloc_parse_rc rc = alloc_ip_parse(ip, strlen(ip), &a);
    if (rc != ALLOC_PARSE_OK && rc != ALLOC_PARSE_NONCANONICAL)
        return false;
    pthread_mutex_lock(&c->mu);
    bool r = alloc_ip_covered(c, &a, NULL);
    pthread_mutex_unlock(&c->mu);
    return r;
}
