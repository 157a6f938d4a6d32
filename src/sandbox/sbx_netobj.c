/*
 * sandbox/sbx_netobj.c: ServiceCIDRs and IPAddresses (networking.k8s.io
 * v1 and v1beta1, one storage) served from the allocator, which owns them
 * and runs their controller (finalizer, Ready condition, deletion).
 *
 * The API server validates before admission and stores after it, while
 * the allocator validates and stores in one call. So a write is first
 * tried on a scratch in-memory allocator, which gives the allocator's own
 * verdict and texts for validation, then admitted, then made for real.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

static bool is_scidr(const sbx_kind *k)
{
    return k->backend == SBX_BE_SCIDR;
}

static void view(sbx *s, const sbx_kind *k, json_t *obj, const char *version)
{
    char key[400], av[80];
    snprintf(key, sizeof key, "%s//%s", k->resource, sbx_meta_str(obj, "name"));
    sbx_store_view(s->store, key, obj);
    json_object_set_new(obj, "apiVersion",
                        json_string(sbx_api_version(k->group, version ? version : "v1", av, sizeof av)));
}

json_t *sbx_net_get(sbx *s, const sbx_kind *k, const char *name, const char *version)
{
    json_t *o = is_scidr(k) ? alloc_servicecidr_get(s->alloc, name) : alloc_ipaddress_get(s->alloc, name);
    if (o)
        view(s, k, o, version);
    return o;
}

json_t *sbx_net_list(sbx *s, const sbx_kind *k, const char *version)
{
    json_t *list = is_scidr(k) ? alloc_servicecidr_list(s->alloc) : alloc_ipaddress_list(s->alloc);
    json_t *items = json_incref(json_object_get(list, "items"));
    json_decref(list);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o) view(s, k, o, version);
    return items;
}

/* The allocator's error as an API error of kind k. */
static void from_alloc(sbx_err *e, const sbx_kind *k, const char *name, const alloc_err *ae)
{
    if (ae->code == 422)
        sbx_err_from_invalid_text(e, k->group, k->kind, name, 422, "Invalid", ae->message);
    else if (ae->code == 409 && !strcmp(ae->reason, "AlreadyExists"))
        sbx_err_exists(e, k->group, k->resource, name);
    else if (ae->code == 404)
        sbx_err_not_found(e, k->group, k->resource, name);
    else
        sbx_err_set(e, ae->code ? ae->code : 500, ae->reason[0] ? ae->reason : "InternalError", "%s",
                    ae->message);
}

/* The object as the allocator reads it: v1, whatever version was sent. */
static json_t *as_v1(const sbx_kind *k, const json_t *obj)
{
    json_t *o = json_deep_copy(obj);
    char av[80];
    json_object_set_new(o, "apiVersion", json_string(sbx_api_version(k->group, "v1", av, sizeof av)));
    return o;
}

/* Validation by the allocator itself, on a scratch allocator. */
static int check(const sbx_kind *k, const json_t *obj, const char *name, sbx_err *e)
{
    alloc_opts o;
    memset(&o, 0, sizeof o);
    o.deletion_grace_ms = -1;
    o.leak_grace_ms = -1;
    char *err = NULL;
    alloc_cluster *scratch = alloc_open(&o, &err);
    if (!scratch) {
        sbx_err_set(e, 500, "InternalError", "Internal error occurred: %s", err ? err : "allocator");
        free(err);
        return -1;
    }
    alloc_err ae;
    memset(&ae, 0, sizeof ae);
    json_t *v1 = as_v1(k, obj);
    int rc = is_scidr(k) ? alloc_servicecidr_create(scratch, v1, NULL, &ae)
                         : alloc_ipaddress_create(scratch, v1, NULL, &ae);
    json_decref(v1);
    alloc_close(scratch);
    if (rc < 0)
        from_alloc(e, k, name, &ae);
    return rc;
}

int sbx_net_create(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *obj, json_t **out, sbx_err *e)
{
    const char *n = sbx_meta_str(obj, "name");
    char name[SBX_MAX_NAME + 1];
    snprintf(name, sizeof name, "%s", n ? n : "");
    /* Status is the controller's: what a client sends is dropped. */
    json_object_set_new(obj, "status", json_object());
    if (check(k, obj, name, e) < 0) {
        json_decref(obj);
        return -1;
    }
    json_t *have = sbx_net_get(s, k, name, "v1");
    if (have) {
        json_decref(have);
        json_decref(obj);
        sbx_err_exists(e, k->group, k->resource, name);
        return -1;
    }
    if (sbx_admit(s, k, c, "CREATE", obj, NULL, e) < 0) {
        json_decref(obj);
        return -1;
    }
    if (c->dry_run) {
        *out = obj;
        return 0;
    }
    alloc_err ae;
    memset(&ae, 0, sizeof ae);
    json_t *v1 = as_v1(k, obj), *made = NULL;
    json_decref(obj);
    int rc = is_scidr(k) ? alloc_servicecidr_create(s->alloc, v1, &made, &ae)
                         : alloc_ipaddress_create(s->alloc, v1, &made, &ae);
    json_decref(v1);
    if (rc < 0) {
        json_decref(made);
        from_alloc(e, k, name, &ae);
        return -1;
    }
    json_decref(made);
    /* What the controller did at once (finalizer, Ready) is in the read. */
    *out = sbx_net_get(s, k, name, c->version);
    return *out ? 0 : -1;
}

int sbx_net_update(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t *obj,
                   json_t **out, sbx_err *e)
{
    const char *name = sbx_meta_str(old, "name");
    /* Status is the controller's; a spec change is refused by the allocator
     * with the API's text, checked here before admission. */
    bool status_only = c->route && !strcmp(c->route->sub, "status");
    json_t *ostatus = json_object_get(old, "status");
    json_object_set_new(obj, "status", ostatus ? json_incref(ostatus) : json_object());
    if (status_only)
        json_object_set(obj, "spec", json_object_get(old, "spec"));
    const char *field = is_scidr(k) ? "cidrs" : "parentRef";
    const json_t *nv = json_object_get(json_object_get(obj, "spec"), field);
    const json_t *ov = json_object_get(json_object_get(old, "spec"), field);
    if (!nv || !ov || !json_equal(nv, ov)) {
        char *t = json_dumps(nv ? nv : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
        char ferr[1200];
        const char *fe = ferr;
        snprintf(ferr, sizeof ferr, "spec.%s: Invalid value: %s: field is immutable", field, t ? t : "null");
        free(t);
        sbx_err_invalid(e, k->group, k->kind, name, &fe, 1);
        json_decref(obj);
        return -1;
    }
    if (sbx_admit(s, k, c, "UPDATE", obj, old, e) < 0) {
        json_decref(obj);
        return -1;
    }
    if (c->dry_run) {
        *out = obj;
        return 0;
    }
    alloc_err ae;
    memset(&ae, 0, sizeof ae);
    json_t *v1 = as_v1(k, obj), *made = NULL;
    json_decref(obj);
    int rc = is_scidr(k) ? alloc_servicecidr_update(s->alloc, v1, &made, &ae)
                         : alloc_ipaddress_update(s->alloc, v1, &made, &ae);
    json_decref(v1);
    json_decref(made);
    if (rc < 0) {
        from_alloc(e, k, name, &ae);
        return -1;
    }
    /* A removed last finalizer of a deleting ServiceCIDR ends it. */
    *out = sbx_net_get(s, k, name, c->version);
    return 0;
}

int sbx_net_delete(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t **out, sbx_err *e)
{
    const char *name = sbx_meta_str(old, "name");
    *out = NULL;
    if (sbx_admit(s, k, c, "DELETE", NULL, old, e) < 0)
        return -1;
    if (c->dry_run) {
        *out = json_incref(old);
        return 0;
    }
    alloc_err ae;
    memset(&ae, 0, sizeof ae);
    int rc = is_scidr(k) ? alloc_servicecidr_delete(s->alloc, name, &ae)
                         : alloc_ipaddress_delete(s->alloc, name, &ae);
    if (rc < 0) {
        from_alloc(e, k, name, &ae);
        return -1;
    }
    *out = sbx_net_get(s, k, name, c->version);
    if (!*out) {
        char key[400];
        snprintf(key, sizeof key, "%s//%s", k->resource, name);
        sbx_store_view_forget(s->store, key);
    }
    return 0;
}
