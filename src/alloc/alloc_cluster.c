/*
 * alloc_cluster.c: the allocator as a whole: opening and rebuilding the
 * memory state from the store (and checking the two agree), the default
 * `kubernetes` ServiceCIDR and Service, the event log, and the queue of
 * store changes a call collects under the mutex and commits after it.
 */
#include "alloc_cluster.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    char msg[sizeof c->events[0].message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A repeat of the latest event is folded into it, as the API server's
     * event recorder aggregates; periodic checks do not flood the log. */
    if (c->nevents) {
        const alloc_event *last = &c->events[(c->evhead + c->nevents - 1) % ALLOC_EVENT_RING];
        char r[sizeof last->reason], o[sizeof last->object];
        snprintf(r, sizeof r, "%s", reason);
        snprintf(o, sizeof o, "%s", object);
        if (!strcmp(last->reason, r) && !strcmp(last->object, o) && !strcmp(last->message, msg))
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
    memcpy(e->message, msg, sizeof msg);
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
int alloc_finish_unlocked(alloc_cluster *c, alloc_changes *ch, alloc_err *err)
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
    alloc_scidr *s = alloc_scidr_new(key, &d, obj, 0);
    if (!s || alloc_scidr_link(c, s) < 0) {
        alloc_scidr_free(s);
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

void alloc_default_ensure(alloc_cluster *c, alloc_changes *ch)
{
    if (!c->ndefaults)
        return;
    alloc_scidr *s = alloc_scidr_find(c, ALLOC_DEFAULT_CIDR_NAME, NULL);
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
        if (alloc_scidr_create_locked(c, obj, ALLOC_MSG_DEFAULT_READY, ch, NULL, &err) < 0)
            alloc_event_add(c, "KubernetesDefaultServiceCIDRError", "servicecidrs/kubernetes",
                            "%s", err.message);
        json_decref(obj);
        return;
    }
    alloc_scidr_in want = {ALLOC_DEFAULT_CIDR_NAME, {c->defaults[0], c->defaults[1]}, c->ndefaults};
    if (alloc_scidr_same_cidrs(s, &want))
        goto ready;
    if (s->ncidrs == 1 && c->ndefaults == 2) {
        alloc_scidr_in one = {ALLOC_DEFAULT_CIDR_NAME, {c->defaults[0]}, 1};
        if (alloc_scidr_same_cidrs(s, &one)) {
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
        /* Both lists as Go prints a []string: "[a b]". */
        char have[2 * (ALLOC_IP_STRLEN + 4) + 4];
        char sa[ALLOC_IP_STRLEN + 4], sb[ALLOC_IP_STRLEN + 4];
        alloc_prefix_format(&s->cidrs[0], sa);
        if (s->ncidrs == 2)
            alloc_prefix_format(&s->cidrs[1], sb);
        snprintf(have, sizeof have, "[%s%s%s]", sa, s->ncidrs == 2 ? " " : "", s->ncidrs == 2 ? sb : "");
        alloc_event_add(c, "KubernetesDefaultServiceCIDRInconsistent", "servicecidrs/kubernetes",
                        "The default ServiceCIDR %s does not match the controller flag configurations [%s%s%s]",
                        have, a, c->ndefaults == 2 ? " " : "", c->ndefaults == 2 ? b : "");
    }
    return;
ready:
    if (!s->deletion_ms) {
        const json_t *cond = alloc_scidr_ready_condition(s);
        const char *st = cond ? json_string_value(json_object_get(cond, "status")) : NULL;
        if (!cond || (st && strcmp(st, "Unknown") == 0)) {
            alloc_scidr_set_ready(c, s, "True", "", ALLOC_MSG_DEFAULT_READY);
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
    alloc_iptab_init(&c->ips);
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
    alloc_default_ensure(c, &ch);
    ensure_default_service(c, &ch);
    alloc_controller_sync(c, &ch);
    alloc_repair_locked(c, NULL, 0, &ch);
    if (alloc_finish_unlocked(c, &ch, &e) < 0) {
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
    size_t i;
    alloc_iptab_free(&c->ips, alloc_ipobj_free);
    alloc_map_free(&c->svcs, free);
    alloc_index_free(&c->ix4);
    alloc_index_free(&c->ix6);
    for (i = 0; i < c->ncidrs; i++)
        alloc_scidr_free(c->cidrs[i]);
    free(c->cidrs);
    free(c->ranges);
    free(c->events);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
