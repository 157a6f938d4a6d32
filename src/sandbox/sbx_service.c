/*
 * sandbox/sbx_service.c: core/v1 Services in the order the API server
 * handles them (pkg/registry/core/service/storage): defaults, ClusterIP
 * allocation from the allocator (the IPAddress objects exist before
 * validation and admission see the Service), validation, validating
 * admission, storage; a failure after allocation releases the IPs. Delete
 * releases them too. The `kubernetes` Service in `default` is made at
 * start with the first address of the primary range, as the API server's
 * own controller does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

#define MAX_FERRS 16

typedef struct ferrs {
    char text[MAX_FERRS][600];
    const char *ptr[MAX_FERRS];
    size_t n;
} ferrs;

static void ferr(ferrs *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ferr(ferrs *f, const char *fmt, ...)
{
    if (f->n >= MAX_FERRS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text[f->n], sizeof f->text[0], fmt, ap);
    va_end(ap);
    f->ptr[f->n] = f->text[f->n];
    f->n++;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void set_default(json_t *o, const char *k, json_t *v)
{
    if (!json_object_get(o, k) || json_is_null(json_object_get(o, k)))
        json_object_set_new(o, k, v);
    else
        json_decref(v);
}

/* The defaults of SetDefaults_Service and the registry's. */
static void defaults(json_t *svc)
{
    json_t *spec = json_object_get(svc, "spec");
    if (!json_is_object(spec)) {
        spec = json_object();
        json_object_set_new(svc, "spec", spec);
    }
    set_default(spec, "type", json_string("ClusterIP"));
    set_default(spec, "sessionAffinity", json_string("None"));
    const char *type = str(spec, "type");
    bool external_name = type && !strcmp(type, "ExternalName");
    if (!external_name)
        set_default(spec, "internalTrafficPolicy", json_string("Cluster"));
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(spec, "ports"), i, p) {
        if (!json_is_object(p))
            continue;
        set_default(p, "protocol", json_string("TCP"));
        json_t *port = json_object_get(p, "port");
        if (json_is_integer(port))
            set_default(p, "targetPort", json_integer(json_integer_value(port)));
    }
    if (type && (!strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer")))
        set_default(spec, "externalTrafficPolicy", json_string("Cluster"));
    json_t *st = json_object_get(svc, "status");
    if (!json_is_object(st)) {
        st = json_object();
        json_object_set_new(svc, "status", st);
    }
    set_default(st, "loadBalancer", json_object());
}

static void validate(const json_t *svc, ferrs *f)
{
    const char *name = sbx_meta_str(svc, "name");
    const char *why = name ? sbx_check_label1035(name) : NULL;
    char q[400];
    if (why) {
        sbx_go_quote(name, q, sizeof q);
        ferr(f, "metadata.name: Invalid value: %s: %s", q, why);
    }
    const json_t *spec = json_object_get(svc, "spec");
    const char *type = str(spec, "type");
    static const char *const types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"};
    bool type_ok = false;
    for (size_t i = 0; type && i < 4; i++)
        type_ok = type_ok || !strcmp(type, types[i]);
    if (!type_ok) {
        sbx_go_quote(type ? type : "", q, sizeof q);
        ferr(f, "spec.type: Unsupported value: %s: supported values: \"ClusterIP\", \"ExternalName\", "
             "\"LoadBalancer\", \"NodePort\"", q);
    }
    bool external_name = type && !strcmp(type, "ExternalName");
    const char *cip = str(spec, "clusterIP");
    bool headless = cip && !strcmp(cip, "None");
    const json_t *ports = json_object_get(spec, "ports");
    if (!external_name && !headless && json_array_size(ports) == 0)
        ferr(f, "spec.ports: Required value");
    if (external_name && (!str(spec, "externalName") || !*str(spec, "externalName")))
        ferr(f, "spec.externalName: Required value");
    size_t i;
    const json_t *p;
    json_array_foreach(ports, i, p) {
        json_t *port = json_object_get(p, "port");
        json_int_t n = json_integer_value(port);
        if (!json_is_integer(port) || n < 1 || n > 65535)
            ferr(f, "spec.ports[%zu].port: Invalid value: %lld: must be between 1 and 65535, inclusive", i,
                 (long long)n);
        const char *proto = str(p, "protocol");
        if (!proto || (strcmp(proto, "TCP") && strcmp(proto, "UDP") && strcmp(proto, "SCTP"))) {
            sbx_go_quote(proto ? proto : "", q, sizeof q);
            ferr(f, "spec.ports[%zu].protocol: Unsupported value: %s: supported values: \"SCTP\", "
                 "\"TCP\", \"UDP\"", i, q);
        }
        const char *pname = str(p, "name");
        if (json_array_size(ports) > 1 && (!pname || !*pname))
            ferr(f, "spec.ports[%zu].name: Required value", i);
        for (size_t j = 0; j < i; j++) {
            const json_t *o = json_array_get(ports, j);
            const char *on = str(o, "name");
            if (pname && on && *pname && !strcmp(pname, on)) {
                sbx_go_quote(pname, q, sizeof q);
                ferr(f, "spec.ports[%zu].name: Duplicate value: %s", i, q);
            }
        }
    }
}

static int fail_invalid(sbx_err *e, const char *name, ferrs *f)
{
    sbx_err_invalid(e, "", "Service", name, f->ptr, f->n);
    return -1;
}

/* The allocator's error as the Service API reports it. */
static void alloc_error(sbx_err *e, const char *name, const alloc_err *ae)
{
    if (ae->code == 422) {
        sbx_err_from_invalid_text(e, "", "Service", name, 422, "Invalid", ae->message);
    } else if (ae->code == 500) {
        sbx_err_set(e, 500, "InternalError", "%s", ae->message);
        const char *cause = strncmp(ae->message, "Internal error occurred: ", 25) ? ae->message
                                                                                   : ae->message + 25;
        e->details = json_pack("{s:[{s:s}]}", "causes", "message", cause);
    } else if (ae->code == 409) {
        sbx_err_exists(e, "", "services", name);
    } else {
        sbx_err_set(e, ae->code ? ae->code : 500, ae->reason[0] ? ae->reason : "InternalError", "%s",
                    ae->message);
    }
}

static alloc_family family_of(const char *ip)
{
    return strchr(ip, ':') ? ALLOC_IPV6 : ALLOC_IPV4;
}

/* Allocates the Service's ClusterIPs and writes them into spec. */
static int allocate(sbx *s, json_t *svc, const char *ns, const char *name, sbx_err *e)
{
    json_t *spec = json_object_get(svc, "spec");
    const char *type = str(spec, "type");
    if (type && !strcmp(type, "ExternalName"))
        return 0;
    const char *ips[2] = {NULL, NULL};
    size_t nips = 0;
    const json_t *cips = json_object_get(spec, "clusterIPs");
    const char *cip = str(spec, "clusterIP");
    if (json_array_size(cips)) {
        for (size_t i = 0; i < json_array_size(cips) && i < 2; i++)
            ips[nips++] = json_string_value(json_array_get(cips, i));
        if (cip && *cip && ips[0] && strcmp(cip, ips[0])) {
            ferrs f = {.n = 0};
            char q[100];
            sbx_go_quote(cip, q, sizeof q);
            ferr(&f, "spec.clusterIPs[0]: Invalid value: %s: must match clusterIP when both are specified", q);
            return fail_invalid(e, name, &f);
        }
    } else if (cip && *cip) {
        ips[nips++] = cip;
    }
    if (nips && ips[0] && !strcmp(ips[0], "None")) {
        json_object_set_new(spec, "clusterIP", json_string("None"));
        json_object_set_new(spec, "clusterIPs", json_pack("[s]", "None"));
        set_default(spec, "ipFamilyPolicy", json_string("RequireDualStack"));
        return 0;
    }
    alloc_family fams[2];
    size_t nf = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(spec, "ipFamilies"), i, v) {
        const char *fs = json_string_value(v);
        if (nf < 2 && fs)
            fams[nf++] = !strcmp(fs, "IPv6") ? ALLOC_IPV6 : ALLOC_IPV4;
    }
    const char *policy = str(spec, "ipFamilyPolicy");
    bool dual = policy && (!strcmp(policy, "PreferDualStack") || !strcmp(policy, "RequireDualStack"));
    if (!nf) {
        for (i = 0; i < nips; i++)
            if (ips[i] && *ips[i])
                fams[nf++] = family_of(ips[i]);
        if (!nf && s->nfamilies)
            fams[nf++] = s->families[0];
    }
    if (dual && nf == 1 && s->nfamilies == 2)
        fams[nf++] = fams[0] == s->families[0] ? s->families[1] : s->families[0];
    if (policy && !strcmp(policy, "RequireDualStack") && s->nfamilies < 2) {
        ferrs f = {.n = 0};
        ferr(&f, "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not "
             "configured for dual-stack services");
        return fail_invalid(e, name, &f);
    }
    char out[2][ALLOC_IP_STRLEN];
    size_t nout = 0;
    alloc_err ae;
    memset(&ae, 0, sizeof ae);
    if (alloc_service_allocate(s->alloc, ns, name, ips, nips, fams, nf, out, &nout, &ae) < 0) {
        alloc_error(e, name, &ae);
        return -1;
    }
    json_t *arr = json_array(), *famarr = json_array();
    for (i = 0; i < nout; i++) {
        json_array_append_new(arr, json_string(out[i]));
        json_array_append_new(famarr, json_string(family_of(out[i]) == ALLOC_IPV6 ? "IPv6" : "IPv4"));
    }
    if (nout)
        json_object_set_new(spec, "clusterIP", json_string(out[0]));
    json_object_set_new(spec, "clusterIPs", arr);
    json_object_set_new(spec, "ipFamilies", famarr);
    set_default(spec, "ipFamilyPolicy", json_string(nout == 2 ? "RequireDualStack" : "SingleStack"));
    return 0;
}

static void release(sbx *s, const char *ns, const char *name)
{
    alloc_err ae;
    alloc_service_release(s->alloc, ns, name, &ae);
}

int sbx_service_create(sbx *s, const sbx_call *c, json_t *obj, json_t **out, sbx_err *e)
{
    const char *ns = sbx_meta_str(obj, "namespace");
    const char *name = sbx_meta_str(obj, "name");
    char nsb[SBX_MAX_NAME + 1], nameb[SBX_MAX_NAME + 1];
    snprintf(nsb, sizeof nsb, "%s", ns ? ns : "");
    snprintf(nameb, sizeof nameb, "%s", name ? name : "");
    defaults(obj);
    ferrs f = {.n = 0};
    /* A name the allocator cannot record is a validation error first. */
    if (sbx_check_label1035(nameb)) {
        validate(obj, &f);
        json_decref(obj);
        return fail_invalid(e, nameb, &f);
    }
    if (sbx_store_get(s->store, "services", nsb, nameb)) {
        json_decref(obj);
        sbx_err_exists(e, "", "services", nameb);
        return -1;
    }
    if (allocate(s, obj, nsb, nameb, e) < 0) {
        json_decref(obj);
        return -1;
    }
    validate(obj, &f);
    int rc = 0;
    if (f.n)
        rc = fail_invalid(e, nameb, &f);
    else
        rc = sbx_admit(s, sbx_kind_find("", "v1", "services"), c, "CREATE", obj, NULL, e);
    if (rc == 0 && c->dry_run) {
        release(s, nsb, nameb);
        *out = obj;
        return 0;
    }
    if (rc == 0) {
        json_incref(obj);
        rc = sbx_store_put(s->store, "services", nsb, nameb, obj, e);
    }
    if (rc < 0) {
        release(s, nsb, nameb);
        json_decref(obj);
        return -1;
    }
    *out = obj;
    return 0;
}

int sbx_service_update(sbx *s, const sbx_call *c, json_t *old, json_t *obj, json_t **out, sbx_err *e)
{
    const char *ns = sbx_meta_str(old, "namespace"), *name = sbx_meta_str(old, "name");
    json_t *spec = json_object_get(obj, "spec");
    const json_t *ospec = json_object_get(old, "spec");
    if (!json_is_object(spec)) {
        spec = json_object();
        json_object_set_new(obj, "spec", spec);
    }
    /* ClusterIPs are kept unless the client names them; they cannot change. */
    ferrs f = {.n = 0};
    static const char *const kept[] = {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"};
    for (size_t i = 0; i < 4; i++) {
        json_t *nv = json_object_get(spec, kept[i]);
        json_t *ov = json_object_get(ospec, kept[i]);
        if ((!nv || json_is_null(nv) || (json_is_string(nv) && !*json_string_value(nv))) && ov)
            json_object_set(spec, kept[i], ov);
        else if (i < 2 && ov && nv && !json_equal(nv, ov)) {
            char *t = json_dumps(nv, JSON_COMPACT | JSON_ENCODE_ANY);
            ferr(&f, "spec.%s: Invalid value: %s: field is immutable", kept[i], t ? t : "null");
            free(t);
        }
    }
    defaults(obj);
    validate(obj, &f);
    if (f.n) {
        json_decref(obj);
        return fail_invalid(e, name, &f);
    }
    if (sbx_admit(s, sbx_kind_find("", "v1", "services"), c, "UPDATE", obj, old, e) < 0) {
        json_decref(obj);
        return -1;
    }
    if (c->dry_run) {
        *out = obj;
        return 0;
    }
    json_incref(obj);
    if (sbx_store_put(s->store, "services", ns, name, obj, e) < 0) {
        json_decref(obj);
        return -1;
    }
    *out = obj;
    return 0;
}

int sbx_service_delete(sbx *s, const sbx_call *c, json_t *old, sbx_err *e)
{
    const char *ns = sbx_meta_str(old, "namespace"), *name = sbx_meta_str(old, "name");
    if (sbx_admit(s, sbx_kind_find("", "v1", "services"), c, "DELETE", NULL, old, e) < 0)
        return -1;
    if (c->dry_run)
        return 0;
    if (sbx_store_del(s->store, "services", ns, name, e) < 0)
        return -1;
    release(s, ns, name);
    return 0;
}

int sbx_service_ensure_default(sbx *s, char **err)
{
    if (sbx_store_get(s->store, "services", "default", "kubernetes"))
        return 0;
    char ips[2][ALLOC_IP_STRLEN];
    size_t n = alloc_service_ips(s->alloc, "default", "kubernetes", ips);
    if (!n)
        return 0; /* no --service-cidr: no default range, no default Service */
    char uid[37], ts[32];
    sbx_uuid(uid);
    sbx_time_rfc3339(sbx_now_ms(), ts);
    json_t *cips = json_array(), *fams = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(cips, json_string(ips[i]));
        json_array_append_new(fams, json_string(family_of(ips[i]) == ALLOC_IPV6 ? "IPv6" : "IPv4"));
    }
    json_t *svc = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}}, s:{s:s, s:o, s:s, s:o, s:s, s:[{s:s, s:i, "
        "s:s, s:i}], s:s, s:s}, s:{s:{}}}",
        "apiVersion", "v1", "kind", "Service", "metadata", "name", "kubernetes", "namespace", "default",
        "uid", uid, "creationTimestamp", ts, "labels", "component", "apiserver", "provider",
        "kubernetes", "spec", "clusterIP", ips[0], "clusterIPs", cips, "internalTrafficPolicy",
        "Cluster", "ipFamilies", fams, "ipFamilyPolicy", n == 2 ? "RequireDualStack" : "SingleStack",
        "ports", "name", "https", "port", 443, "protocol", "TCP", "targetPort", (int)s->port,
        "sessionAffinity", "None", "type", "ClusterIP", "status", "loadBalancer");
    sbx_err e = {0};
    if (!svc || sbx_store_put(s->store, "services", "default", "kubernetes", svc, &e) < 0) {
        if (asprintf(err, "the kubernetes Service: %s", svc ? e.message : "out of memory") < 0)
            *err = NULL;
        sbx_err_clear(&e);
        return -1;
    }
    return 0;
}
