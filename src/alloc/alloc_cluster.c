/*
 * alloc_cluster.c: the allocator as a whole: opening and rebuilding the
 * memory state from the store (and checking the two agree), the default
 * `kubernetes` ServiceCIDR, ServiceCIDR objects, and the ServiceCIDR
 * controller (finalizer, readiness, the parent and orphan rules of
 * deletion, the grace period).
 */
#include "alloc_cluster.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MSG_READY "Kubernetes Service CIDR is ready"
#define MSG_DEFAULT_READY "Kubernetes default Service CIDR is ready"
#define MSG_ORPHANS                                                                   \
    "There are still IPAddresses referencing the ServiceCIDR, please remove them or " \
    "create a new ServiceCIDR"

static int64_t real_clock(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t alloc_now(alloc_cluster *c)
{
    return c->now_fn(c->clock_arg);
}

/* ------------------------------------------------------------ events */

void alloc_event_add(alloc_cluster *c, const char *reason, const char *object, const char *fmt, ...)
{
    if (!c->events) {
        c->events = calloc(ALLOC_EVENT_RING, sizeof *c->events);
        if (!c->events)
            return;
    }
    size_t slot = (c->evhead + c->nevents) % ALLOC_EVENT_RING;
    if (c->nevents == ALLOC_EVENT_RING)
        c->evhead = (c->evhead + 1) % ALLOC_EVENT_RING;
    else
        c->nevents++;
    alloc_event *e = &c->events[slot];
    snprintf(e->type, sizeof e->type, "Warning");
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    snprintf(e->object, sizeof e->object, "%s", object);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

size_t alloc_events(alloc_cluster *c, alloc_event **events)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->nevents;
    *events = n ? malloc(n * sizeof **events) : NULL;
    if (!*events)
        n = 0;
    for (size_t i = 0; i < n; i++)
        (*events)[i] = c->events[(c->evhead + i) % ALLOC_EVENT_RING];
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* ------------------------------------------------------------ changes */

void alloc_changes_add_text(alloc_changes *ch, enum alloc_op_kind kind, const char *key,
                            const char *value, int64_t created_ms)
{
    if (ch->oom)
        return;
    if (ch->n == ch->cap) {
        size_t nc = ch->cap ? ch->cap * 2 : 8;
        alloc_change *nv = realloc(ch->v, nc * sizeof *nv);
        if (!nv) {
            ch->oom = true;
            return;
        }
        ch->v = nv;
        ch->cap = nc;
    }
    alloc_change *x = &ch->v[ch->n];
    x->kind = kind;
    x->created_ms = created_ms;
    x->key = strdup(key);
    x->value = value ? strdup(value) : NULL;
    if (!x->key || (value && !x->value)) {
        free(x->key);
        free(x->value);
        ch->oom = true;
        return;
    }
    ch->n++;
}

void alloc_changes_add(alloc_changes *ch, enum alloc_op_kind kind, const char *key,
                       const json_t *value, int64_t created_ms)
{
    char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
    if (value && !text) {
        ch->oom = true;
        return;
    }
    alloc_changes_add_text(ch, kind, key, text, created_ms);
    free(text);
}

void alloc_changes_free(alloc_changes *ch)
{
    for (size_t i = 0; i < ch->n; i++) {
        free(ch->v[i].key);
        free(ch->v[i].value);
    }
    free(ch->v);
    memset(ch, 0, sizeof *ch);
}

uint64_t alloc_changes_submit(alloc_cluster *c, alloc_changes *ch)
{
    if (!c->store || ch->n == 0)
        return 0;
    alloc_store_change *v = malloc(ch->n * sizeof *v);
    if (!v) {
        ch->oom = true;
        return 0;
    }
    for (size_t i = 0; i < ch->n; i++)
        v[i] = (alloc_store_change){ch->v[i].kind, ch->v[i].key, ch->v[i].value, ch->v[i].created_ms};
    uint64_t seq = alloc_store_enqueue(c->store, v, ch->n);
    free(v);
    if (!seq)
        ch->oom = true;
    return seq;
}

int alloc_changes_wait(alloc_cluster *c, uint64_t seq, alloc_err *err)
{
    if (!c->store || !seq)
        return 0;
    return alloc_store_wait(c->store, seq, err);
}

/* Submits, drops the mutex, waits for the commit. For changes that are not
 * undone on failure (the store then refuses everything after). */
static int finish_unlocked(alloc_cluster *c, alloc_changes *ch, alloc_err *err)
{
    uint64_t seq = alloc_changes_submit(c, ch);
    bool oom = ch->oom;
    alloc_changes_free(ch);
    pthread_mutex_unlock(&c->mu);
    if (oom) {
        alloc_err_set(err, 500, "InternalError", "Internal error occurred: out of memory");
        return -1;
    }
    return alloc_changes_wait(c, seq, err);
}

/* ------------------------------------------------------------ ServiceCIDRs */

static alloc_scidr *scidr_find(alloc_cluster *c, const char *name, size_t *pos)
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

static void scidr_free(alloc_scidr *s)
{
    if (!s)
        return;
    free(s->name);
    json_decref(s->obj);
    free(s);
}

static void scidr_unlink(alloc_cluster *c, size_t pos)
{
    scidr_free(c->cidrs[pos]);
    memmove(&c->cidrs[pos], &c->cidrs[pos + 1], (c->ncidrs - pos - 1) * sizeof *c->cidrs);
    c->ncidrs--;
}

static int scidr_link(alloc_cluster *c, alloc_scidr *s)
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

static const json_t *ready_condition(const alloc_scidr *s)
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
    const json_t *cond = ready_condition(s);
    if (!cond)
        return true;
    const char *st = json_string_value(json_object_get(cond, "status"));
    return st && strcmp(st, "True") == 0;
}

/* Sets the Ready condition; returns true when something changed. */
static bool set_ready(alloc_cluster *c, alloc_scidr *s, const char *status, const char *reason,
                      const char *message)
{
    const json_t *old = ready_condition(s);
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

static bool has_finalizer(const alloc_scidr *s)
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

static size_t finalizer_count(const alloc_scidr *s)
{
    return json_array_size(json_object_get(json_object_get(s->obj, "metadata"), "finalizers"));
}

static void remove_finalizer(alloc_scidr *s)
{
    json_t *f = json_object_get(json_object_get(s->obj, "metadata"), "finalizers");
    for (size_t i = json_array_size(f); i-- > 0;) {
        const char *t = json_string_value(json_array_get(f, i));
        if (t && strcmp(t, ALLOC_FINALIZER) == 0)
            json_array_remove(f, i);
    }
}

static void ensure_finalizer(alloc_scidr *s)
{
    if (has_finalizer(s))
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

static alloc_scidr *scidr_new(const char *name, const alloc_scidr_in *d, json_t *obj, int64_t now)
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

static int create_locked(alloc_cluster *c, const json_t *obj, const char *ready_msg,
                         alloc_changes *ch, json_t **out, alloc_err *err)
{
    alloc_scidr_in d;
    if (alloc_object_scidr_decode(obj, &d, err) < 0 || check_meta_types(obj, err) < 0)
        return -1;
    if (scidr_find(c, d.name, NULL)) {
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
    alloc_scidr *s = scidr_new(d.name, &d, build_scidr_obj(c, obj, &d, now), now);
    if (!s || scidr_link(c, s) < 0) {
        scidr_free(s);
        alloc_err_set(err, 500, "InternalError", "Internal error occurred: out of memory");
        return -1;
    }
    /* What the controller does at once on create: finalizer, then Ready. */
    ensure_finalizer(s);
    set_ready(c, s, "True", "", ready_msg);
    alloc_ranges_rebuild(c);
    alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
    if (out)
        *out = json_deep_copy(s->obj);
    return 0;
}

int alloc_servicecidr_create(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err)
{
    alloc_changes ch = {0};
    if (out)
        *out = NULL;
    pthread_mutex_lock(&c->mu);
    if (create_locked(c, obj, MSG_READY, &ch, out, err) < 0) {
        alloc_changes_free(&ch);
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    alloc_controller_sync(c, &ch);
    return finish_unlocked(c, &ch, err);
}

static bool same_cidrs(const alloc_scidr *s, const alloc_scidr_in *d)
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
    alloc_scidr *s = scidr_find(c, d.name, NULL);
    if (!s) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 404, "NotFound", "servicecidrs.networking.k8s.io \"%s\" not found", d.name);
        return -1;
    }
    if (!same_cidrs(s, &d)) {
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
        ensure_finalizer(s);
    alloc_changes_add(&ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
    if (out)
        *out = json_deep_copy(s->obj);
    alloc_controller_sync(c, &ch);
    return finish_unlocked(c, &ch, err);
}

int alloc_servicecidr_delete(alloc_cluster *c, const char *name, alloc_err *err)
{
    alloc_changes ch = {0};
    pthread_mutex_lock(&c->mu);
    size_t pos;
    alloc_scidr *s = scidr_find(c, name, &pos);
    if (!s) {
        pthread_mutex_unlock(&c->mu);
        alloc_err_set(err, 404, "NotFound", "servicecidrs.networking.k8s.io \"%s\" not found", name);
        return -1;
    }
    if (!s->deletion_ms) {
        if (finalizer_count(s) == 0) {
            alloc_changes_add(&ch, ALLOC_OP_DEL_CIDR, s->name, NULL, 0);
            scidr_unlink(c, pos);
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
    return finish_unlocked(c, &ch, err);
}

/* The object as clients see it (our private deletion clock removed). */
static json_t *scidr_public(const alloc_scidr *s)
{
    json_t *o = json_deep_copy(s->obj);
    json_object_del(json_object_get(o, "metadata"), "celgate.io/deletion-ms");
    return o;
}

json_t *alloc_servicecidr_get(alloc_cluster *c, const char *name)
{
    pthread_mutex_lock(&c->mu);
    alloc_scidr *s = scidr_find(c, name, NULL);
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

/* ------------------------------------------------------------ controller */

static bool has_parent(alloc_cluster *c, const alloc_scidr *self, const alloc_prefix *p)
{
    for (size_t i = 0; i < c->ncidrs; i++) {
        if (c->cidrs[i] == self)
            continue;
        for (int k = 0; k < c->cidrs[i]->ncidrs; k++)
            if (alloc_prefix_covers(&c->cidrs[i]->cidrs[k], p))
                return true;
    }
    return false;
}

/* Would deleting s leave a managed IPAddress of p in no ServiceCIDR? */
static bool orphans_in(alloc_cluster *c, const alloc_scidr *s, const alloc_prefix *p)
{
    alloc_index *ix = alloc_ix(c, p->net.fam);
    alloc_u128 x = p->net.v, last = alloc_prefix_last(p), a, b;
    while (alloc_index_next(ix, x, &a, &b) && alloc_u128_cmp(a, last) <= 0) {
        if (alloc_u128_cmp(a, x) < 0)
            a = x;
        for (alloc_u128 y = a;; y = alloc_u128_add(y, 1)) {
            if (alloc_u128_cmp(y, last) > 0)
                return false;
            alloc_ip ip = {p->net.fam, y};
            alloc_ipobj *o = alloc_ipobj_find(c, &ip);
            if (o && o->managed && alloc_prefix_contains_usable(p, &ip) && !alloc_ip_covered(c, &ip, s))
                return true;
            if (alloc_u128_cmp(y, b) == 0)
                break;
        }
        if (alloc_u128_is_max(b) || alloc_u128_cmp(b, last) >= 0)
            break;
        x = alloc_u128_add(b, 1);
    }
    return false;
}

void alloc_controller_sync(alloc_cluster *c, alloc_changes *ch)
{
    int64_t now = alloc_now(c);
    bool removed = false;
    for (size_t i = 0; i < c->ncidrs;) {
        alloc_scidr *s = c->cidrs[i];
        if (!s->deletion_ms) {
            i++;
            continue;
        }
        bool can = true;
        for (int k = 0; k < s->ncidrs && can; k++)
            if (!has_parent(c, s, &s->cidrs[k]) && orphans_in(c, s, &s->cidrs[k]))
                can = false;
        if (!can) {
            if (set_ready(c, s, "False", "Terminating", MSG_ORPHANS))
                alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
            i++;
            continue;
        }
        if (now < s->deletion_ms + c->grace_ms || !has_finalizer(s)) {
            i++;
            continue;
        }
        remove_finalizer(s);
        if (finalizer_count(s) == 0) {
            alloc_changes_add(ch, ALLOC_OP_DEL_CIDR, s->name, NULL, 0);
            scidr_unlink(c, i);
            removed = true;
        } else {
            alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
            i++;
        }
    }
    if (removed)
        alloc_ranges_rebuild(c);
}

void alloc_tick(alloc_cluster *c)
{
    alloc_changes ch = {0};
    alloc_err err;
    pthread_mutex_lock(&c->mu);
    alloc_controller_sync(c, &ch);
    finish_unlocked(c, &ch, &err);
}

/* ------------------------------------------------------------ loading */

static int load_cidr_row(void *arg, const char *key, const char *value, int64_t created)
{
    alloc_cluster *c = arg;
    json_error_t je;
    alloc_err err;
    alloc_scidr_in d;
    json_t *obj = json_loads(value, 0, &je);
    if (!obj || alloc_object_scidr_decode(obj, &d, &err) < 0 || strcmp(d.name, key) != 0) {
        alloc_event_add(c, "StoreCorrupt", key, "servicecidrs row %s is not a valid ServiceCIDR: %s",
                        key, obj ? err.message : je.text);
        json_decref(obj);
        return -1;
    }
    alloc_scidr *s = scidr_new(key, &d, obj, 0);
    if (!s || scidr_link(c, s) < 0) {
        scidr_free(s);
        return -1;
    }
    json_t *dm = json_object_get(json_object_get(obj, "metadata"), "celgate.io/deletion-ms");
    s->deletion_ms = json_is_integer(dm) ? json_integer_value(dm) : 0;
    return 0;
}

static int load_ip_row(void *arg, const char *key, const char *value, int64_t created)
{
    alloc_cluster *c = arg;
    json_error_t je;
    alloc_err err;
    alloc_ipaddr_in d;
    json_t *obj = json_loads(value, 0, &je);
    int rc = -1;
    if (!obj || alloc_object_ipaddr_decode(obj, &d, &err) < 0 || strcmp(d.name, key) != 0) {
        alloc_event_add(c, "StoreCorrupt", key, "ipaddresses row %s is not a valid IPAddress: %s",
                        key, obj ? err.message : je.text);
        goto out;
    }
    if (alloc_index_has(alloc_ix(c, d.ip.fam), d.ip.v)) {
        alloc_event_add(c, "StoreCorrupt", key, "ipaddresses row %s appears twice", key);
        goto out;
    }
    alloc_parent p = {d.group, d.resource, d.ns, d.pname};
    const json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
    const json_t *fam = json_object_get(labels, ALLOC_LABEL_FAMILY);
    bool implied = d.managed && json_object_size(labels) == 2 && json_is_string(fam) &&
                   strcmp(json_string_value(fam), alloc_family_name(d.ip.fam)) == 0;
    if (alloc_ipobj_insert(c, &d.ip, &p, d.managed, implied ? NULL : labels, created))
        rc = 0;
out:
    json_decref(obj);
    return rc;
}

static int load_svc_row(void *arg, const char *key, const char *value, int64_t created)
{
    alloc_cluster *c = arg;
    json_t *v = json_loads(value, 0, NULL);
    alloc_svc *s = calloc(1, sizeof *s);
    int rc = -1;
    if (!v || !s || !json_is_array(v) || json_array_size(v) > 2)
        goto out;
    for (size_t i = 0; i < json_array_size(v); i++) {
        const char *ip = json_string_value(json_array_get(v, i));
        if (!ip || strlen(ip) >= ALLOC_IP_STRLEN)
            goto out;
        snprintf(s->ips[s->n++], ALLOC_IP_STRLEN, "%s", ip);
    }
    if (alloc_map_put(&c->svcs, key, strlen(key), s) == 0) {
        s = NULL;
        rc = 0;
    }
out:
    if (rc < 0)
        alloc_event_add(c, "StoreCorrupt", key, "services row %s is not valid", key);
    free(s);
    json_decref(v);
    return rc;
}

/* Loads the three tables and checks the index against the rows. */
static char *load_store(alloc_cluster *c)
{
    char *err = NULL;
    if (alloc_store_load(c->store, ALLOC_OP_PUT_CIDR, load_cidr_row, c, &err) < 0 ||
        alloc_store_load(c->store, ALLOC_OP_ADD_IP, load_ip_row, c, &err) < 0 ||
        alloc_store_load(c->store, ALLOC_OP_PUT_SVC, load_svc_row, c, &err) < 0) {
        if (!err) {
            const alloc_event *e = c->nevents ? &c->events[(c->evhead + c->nevents - 1) % ALLOC_EVENT_RING] : NULL;
            if (asprintf(&err, "store: %s", e ? e->message : "out of memory") < 0)
                err = NULL;
        }
        return err ? err : strdup("store: out of memory");
    }
    uint64_t held = c->ix4.count + c->ix6.count;
    if (held != c->ips.len) {
        if (asprintf(&err, "store: index holds %llu addresses but the store has %zu IPAddresses",
                     (unsigned long long)held, c->ips.len) < 0)
            err = NULL;
        return err ? err : strdup("store: index mismatch");
    }
    alloc_ranges_rebuild(c);
    return NULL;
}

/* ------------------------------------------------------------ default */

static char *parse_defaults(alloc_cluster *c, const char *flag)
{
    char *err = NULL;
    const char *p = flag;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        alloc_prefix pf;
        alloc_parse_rc rc = alloc_prefix_parse(p, len, &pf);
        if ((rc != ALLOC_PARSE_OK && rc != ALLOC_PARSE_NONCANONICAL) || c->ndefaults == 2 ||
            (c->ndefaults == 1 && c->defaults[0].net.fam == pf.net.fam)) {
            if (asprintf(&err,
                         "--service-cluster-ip-range: \"%s\": expected one CIDR or two of "
                         "different IP families, e.g. 10.96.0.0/16,fd00::/108",
                         flag) < 0)
                err = NULL;
            return err ? err : strdup("--service-cluster-ip-range: invalid");
        }
        c->defaults[c->ndefaults++] = pf;
        p = e ? e + 1 : p + len;
    }
    return NULL;
}

static void ensure_default(alloc_cluster *c, alloc_changes *ch)
{
    if (!c->ndefaults)
        return;
    alloc_scidr *s = scidr_find(c, ALLOC_DEFAULT_CIDR_NAME, NULL);
    char a[ALLOC_IP_STRLEN + 4], b[ALLOC_IP_STRLEN + 4];
    alloc_prefix_format(&c->defaults[0], a);
    if (c->ndefaults == 2)
        alloc_prefix_format(&c->defaults[1], b);
    if (!s) {
        json_t *obj = c->ndefaults == 2
                          ? json_pack("{s:{s:s}, s:{s:[ss]}}", "metadata", "name", ALLOC_DEFAULT_CIDR_NAME,
                                      "spec", "cidrs", a, b)
                          : json_pack("{s:{s:s}, s:{s:[s]}}", "metadata", "name", ALLOC_DEFAULT_CIDR_NAME,
                                      "spec", "cidrs", a);
        alloc_err err;
        if (create_locked(c, obj, MSG_DEFAULT_READY, ch, NULL, &err) < 0)
            alloc_event_add(c, "KubernetesDefaultServiceCIDRError", "servicecidrs/kubernetes",
                            "%s", err.message);
        json_decref(obj);
        return;
    }
    alloc_scidr_in want = {ALLOC_DEFAULT_CIDR_NAME, {c->defaults[0], c->defaults[1]}, c->ndefaults};
    if (same_cidrs(s, &want))
        goto ready;
    if (s->ncidrs == 1 && c->ndefaults == 2) {
        alloc_scidr_in one = {ALLOC_DEFAULT_CIDR_NAME, {c->defaults[0]}, 1};
        if (same_cidrs(s, &one)) {
            /* Single- to dual-stack upgrade: the only change ever made. */
            s->cidrs[1] = c->defaults[1];
            s->ncidrs = 2;
            json_t *cidrs = json_object_get(json_object_get(s->obj, "spec"), "cidrs");
            json_array_append_new(cidrs, json_string(b));
            alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
            alloc_ranges_rebuild(c);
            goto ready;
        }
    }
    {
        char *have = json_dumps(json_object_get(json_object_get(s->obj, "spec"), "cidrs"), JSON_COMPACT);
        alloc_event_add(c, "KubernetesDefaultServiceCIDRInconsistent", "servicecidrs/kubernetes",
                        "The default ServiceCIDR cidrs %s does not match the flag configuration %s%s%s",
                        have ? have : "?", a, c->ndefaults == 2 ? "," : "", c->ndefaults == 2 ? b : "");
        free(have);
    }
    return;
ready:
    if (!s->deletion_ms) {
        const json_t *cond = ready_condition(s);
        const char *st = cond ? json_string_value(json_object_get(cond, "status")) : NULL;
        if (!cond || (st && strcmp(st, "Unknown") == 0)) {
            set_ready(c, s, "True", "", MSG_DEFAULT_READY);
            alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
        }
    }
}

/* The default/kubernetes Service at the first usable IP of the primary range. */
static void ensure_default_service(alloc_cluster *c, alloc_changes *ch)
{
    if (!c->ndefaults || alloc_map_get(&c->svcs, "default/kubernetes", 18))
        return;
    alloc_ip ip = {c->defaults[0].net.fam, alloc_u128_add(c->defaults[0].net.v, 1)};
    char why[200], text[ALLOC_IP_STRLEN];
    alloc_ip_format(&ip, text);
    if (alloc_meta_static(c, &ip, why, sizeof why) < 0) {
        alloc_event_add(c, "KubernetesServiceIPError", "services/default/kubernetes",
                        "failed to allocate IP %s: %s", text, why);
        return;
    }
    alloc_parent p = {"", "services", "default", "kubernetes"};
    alloc_ipobj *o = alloc_ipobj_insert(c, &ip, &p, true, NULL, alloc_now(c));
    alloc_svc *s = calloc(1, sizeof *s);
    if (!o || !s || alloc_map_put(&c->svcs, "default/kubernetes", 18, s) != 0) {
        if (o)
            alloc_ipobj_remove(c, o);
        free(s);
        return;
    }
    snprintf(s->ips[0], ALLOC_IP_STRLEN, "%s", text);
    s->n = 1;
    json_t *j = alloc_ipobj_json(o), *sj = alloc_svc_json(s);
    alloc_changes_add(ch, ALLOC_OP_ADD_IP, text, j, o->created_ms);
    alloc_changes_add(ch, ALLOC_OP_PUT_SVC, "default/kubernetes", sj, 0);
    json_decref(j);
    json_decref(sj);
}

/* ------------------------------------------------------------ open/close */

alloc_cluster *alloc_open(const alloc_opts *opts, char **err)
{
    alloc_opts dflt = {0};
    if (!opts) {
        dflt.deletion_grace_ms = dflt.leak_grace_ms = -1;
        opts = &dflt;
    }
    *err = NULL;
    alloc_cluster *c = calloc(1, sizeof *c);
    if (!c) {
        *err = strdup("out of memory");
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    c->now_fn = opts->now_ms ? opts->now_ms : real_clock;
    c->clock_arg = opts->clock_arg;
    c->grace_ms = opts->deletion_grace_ms >= 0 ? opts->deletion_grace_ms : 10000;
    c->leak_ms = opts->leak_grace_ms >= 0 ? opts->leak_grace_ms : 60000;
    c->max_cidrs = opts->max_service_cidrs ? opts->max_service_cidrs : 1024;
    c->max_ips = opts->max_ip_addresses ? opts->max_ip_addresses : ((size_t)1 << 24);
    uint64_t seed = opts->seed;
    if (!seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)c;
    }
    alloc_rng_seed(&c->rng, seed);
    alloc_index_init(&c->ix4);
    alloc_index_init(&c->ix6);
    alloc_map_init(&c->ips);
    alloc_map_init(&c->svcs);
    if (opts->service_cidrs && *opts->service_cidrs && (*err = parse_defaults(c, opts->service_cidrs)))
        goto fail;
    if (opts->store_path) {
        if (!(c->store = alloc_store_open(opts->store_path, err)))
            goto fail;
        if ((*err = load_store(c)))
            goto fail;
    }
    alloc_changes ch = {0};
    alloc_err e;
    pthread_mutex_lock(&c->mu);
    ensure_default(c, &ch);
    ensure_default_service(c, &ch);
    alloc_controller_sync(c, &ch);
    alloc_repair_locked(c, NULL, 0, &ch);
    if (finish_unlocked(c, &ch, &e) < 0) {
        *err = strdup(e.message);
        goto fail;
    }
    return c;
fail:
    if (!*err)
        *err = strdup("out of memory");
    alloc_close(c);
    return NULL;
}

void alloc_close(alloc_cluster *c)
{
    if (!c)
        return;
    alloc_store_close(c->store);
    size_t i = 0;
    alloc_map_entry *e;
    while (alloc_map_iter(&c->ips, &i, &e)) {
        alloc_ipobj *o = e->val;
        json_decref(o->labels);
        free(o);
    }
    alloc_map_free(&c->ips, NULL);
    alloc_map_free(&c->svcs, free);
    alloc_index_free(&c->ix4);
    alloc_index_free(&c->ix6);
    for (i = 0; i < c->ncidrs; i++)
        scidr_free(c->cidrs[i]);
    free(c->cidrs);
    free(c->ranges);
    free(c->events);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
