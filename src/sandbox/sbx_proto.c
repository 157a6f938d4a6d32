/*
 * sandbox/sbx_proto.c: request bodies in the Kubernetes protobuf encoding
 * (application/vnd.kubernetes.protobuf), which kubectl's typed clients
 * send for core objects (`kubectl create service`, `create namespace`).
 *
 * The wire form is the magic "k8s\0" and a runtime.Unknown {typeMeta
 * {apiVersion, kind}, raw} whose raw bytes are the object's message. The
 * messages decoded here are those of core/v1 Service and Namespace with
 * their ObjectMeta, from the field numbers of k8s.io/api's generated.proto;
 * the result is the object's JSON form. Empty strings, zeros and false are
 * left out, as the JSON form omits them (gogo protobuf writes every
 * non-pointer field). Fields not listed are skipped; a malformed message is
 * an error, never a partial object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

typedef enum pb_type { PB_STR, PB_INT, PB_BOOL, PB_MSG, PB_MAP, PB_INTORSTR, PB_TIME } pb_type;

typedef struct pb_msg pb_msg;
typedef struct pb_field {
    unsigned num;
    const char *name;
    pb_type type;
    bool repeated;
    const pb_msg *msg;
} pb_field;
struct pb_msg {
    const pb_field *fields;
    size_t n;
};

#define MSG(arr) {arr, sizeof arr / sizeof arr[0]}

static const pb_field owner_fields[] = {
    {1, "kind", PB_STR, false, NULL},       {3, "name", PB_STR, false, NULL},
    {4, "uid", PB_STR, false, NULL},        {5, "apiVersion", PB_STR, false, NULL},
    {6, "controller", PB_BOOL, false, NULL}, {7, "blockOwnerDeletion", PB_BOOL, false, NULL}};
static const pb_msg owner_msg = MSG(owner_fields);

static const pb_field meta_fields[] = {
    {1, "name", PB_STR, false, NULL},
    {2, "generateName", PB_STR, false, NULL},
    {3, "namespace", PB_STR, false, NULL},
    {5, "uid", PB_STR, false, NULL},
    {6, "resourceVersion", PB_STR, false, NULL},
    {7, "generation", PB_INT, false, NULL},
    {8, "creationTimestamp", PB_TIME, false, NULL},
    {11, "labels", PB_MAP, false, NULL},
    {12, "annotations", PB_MAP, false, NULL},
    {13, "ownerReferences", PB_MSG, true, &owner_msg},
    {14, "finalizers", PB_STR, true, NULL},
};
static const pb_msg meta_msg = MSG(meta_fields);

static const pb_field port_fields[] = {
    {1, "name", PB_STR, false, NULL},       {2, "protocol", PB_STR, false, NULL},
    {3, "port", PB_INT, false, NULL},       {4, "targetPort", PB_INTORSTR, false, NULL},
    {5, "nodePort", PB_INT, false, NULL},   {6, "appProtocol", PB_STR, false, NULL}};
static const pb_msg port_msg = MSG(port_fields);

static const pb_field svc_spec_fields[] = {
    {1, "ports", PB_MSG, true, &port_msg},
    {2, "selector", PB_MAP, false, NULL},
    {3, "clusterIP", PB_STR, false, NULL},
    {4, "type", PB_STR, false, NULL},
    {5, "externalIPs", PB_STR, true, NULL},
    {7, "sessionAffinity", PB_STR, false, NULL},
    {8, "loadBalancerIP", PB_STR, false, NULL},
    {9, "loadBalancerSourceRanges", PB_STR, true, NULL},
    {10, "externalName", PB_STR, false, NULL},
    {11, "externalTrafficPolicy", PB_STR, false, NULL},
    {12, "healthCheckNodePort", PB_INT, false, NULL},
    {13, "publishNotReadyAddresses", PB_BOOL, false, NULL},
    {17, "ipFamilyPolicy", PB_STR, false, NULL},
    {18, "clusterIPs", PB_STR, true, NULL},
    {19, "ipFamilies", PB_STR, true, NULL},
    {20, "allocateLoadBalancerNodePorts", PB_BOOL, false, NULL},
    {21, "loadBalancerClass", PB_STR, false, NULL},
    {22, "internalTrafficPolicy", PB_STR, false, NULL},
    {23, "trafficDistribution", PB_STR, false, NULL},
};
static const pb_msg svc_spec_msg = MSG(svc_spec_fields);

static const pb_field svc_fields[] = {{1, "metadata", PB_MSG, false, &meta_msg},
                                      {2, "spec", PB_MSG, false, &svc_spec_msg}};
static const pb_msg svc_msg = MSG(svc_fields);

static const pb_field ns_spec_fields[] = {{1, "finalizers", PB_STR, true, NULL}};
static const pb_msg ns_spec_msg = MSG(ns_spec_fields);
static const pb_field ns_fields[] = {{1, "metadata", PB_MSG, false, &meta_msg},
                                     {2, "spec", PB_MSG, false, &ns_spec_msg}};
static const pb_msg ns_msg = MSG(ns_fields);

static const pb_field typemeta_fields[] = {{1, "apiVersion", PB_STR, false, NULL},
                                           {2, "kind", PB_STR, false, NULL}};
static const pb_msg typemeta_msg = MSG(typemeta_fields);

/* ---------------------------------------------------------------- wire */

typedef struct rd {
    const unsigned char *p, *end;
} rd;

static bool varint(rd *r, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return false;
        unsigned char b = *r->p++;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* One field's key and, for length-delimited ones, its bytes. */
static bool next(rd *r, unsigned *num, unsigned *wt, uint64_t *v, rd *sub)
{
    uint64_t key;
    if (!varint(r, &key) || key >> 3 == 0 || key >> 3 > 536870911u)
        return false;
    *num = (unsigned)(key >> 3);
    *wt = (unsigned)(key & 7);
    switch (*wt) {
    case 0:
        return varint(r, v);
    case 1:
        if (r->end - r->p < 8)
            return false;
        r->p += 8;
        return true;
    case 2:
        if (!varint(r, v) || *v > (uint64_t)(r->end - r->p))
            return false;
        sub->p = r->p;
        sub->end = r->p + *v;
        r->p += *v;
        return true;
    case 5:
        if (r->end - r->p < 4)
            return false;
        r->p += 4;
        return true;
    default:
        return false;
    }
}

static json_t *decode(rd r, const pb_msg *m, int depth);

static json_t *str_of(rd s)
{
    return json_stringn((const char *)s.p, (size_t)(s.end - s.p));
}

/* map<string,string> entry: key = 1, value = 2. */
static bool map_entry(rd e, json_t *into)
{
    json_t *k = NULL, *v = NULL;
    unsigned num, wt;
    uint64_t x;
    rd sub;
    while (e.p < e.end) {
        if (!next(&e, &num, &wt, &x, &sub)) {
            json_decref(k);
            json_decref(v);
            return false;
        }
        if (wt == 2 && num == 1) {
            json_decref(k);
            k = str_of(sub);
        } else if (wt == 2 && num == 2) {
            json_decref(v);
            v = str_of(sub);
        }
    }
    bool ok = k != NULL;
    if (ok)
        json_object_set_new(into, json_string_value(k), v ? v : json_string(""));
    else
        json_decref(v);
    json_decref(k);
    return ok;
}

static json_t *int_or_string(rd s)
{
    uint64_t type = 0, iv = 0;
    json_t *sv = NULL;
    unsigned num, wt;
    uint64_t x;
    rd sub;
    while (s.p < s.end) {
        if (!next(&s, &num, &wt, &x, &sub)) {
            json_decref(sv);
            return NULL;
        }
        if (num == 1 && wt == 0)
            type = x;
        else if (num == 2 && wt == 0)
            iv = x;
        else if (num == 3 && wt == 2) {
            json_decref(sv);
            sv = str_of(sub);
        }
    }
    if (type == 1)
        return sv ? sv : json_string("");
    json_decref(sv);
    return json_integer((json_int_t)(int32_t)iv);
}

static json_t *timestamp(rd s)
{
    int64_t secs = 0;
    unsigned num, wt;
    uint64_t x;
    rd sub;
    while (s.p < s.end) {
        if (!next(&s, &num, &wt, &x, &sub))
            return NULL;
        if (num == 1 && wt == 0)
            secs = (int64_t)x;
    }
    char buf[32];
    sbx_time_rfc3339(secs * 1000, buf);
    return json_string(buf);
}

static const pb_field *field_of(const pb_msg *m, unsigned num)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->fields[i].num == num)
            return &m->fields[i];
    return NULL;
}

static json_t *decode(rd r, const pb_msg *m, int depth)
{
    if (depth > 16)
        return NULL;
    json_t *o = json_object();
    unsigned num, wt;
    uint64_t v;
    rd sub;
    while (r.p < r.end) {
        if (!next(&r, &num, &wt, &v, &sub))
            goto bad;
        const pb_field *f = field_of(m, num);
        if (!f)
            continue;
        json_t *val = NULL;
        switch (f->type) {
        case PB_STR:
            if (wt != 2)
                goto bad;
            val = str_of(sub);
            if (!f->repeated && !json_string_length(val)) {
                json_decref(val);
                continue;
            }
            break;
        case PB_INT:
            if (wt != 0)
                goto bad;
            if (!v)
                continue;
            val = json_integer((json_int_t)v);
            break;
        case PB_BOOL:
            if (wt != 0)
                goto bad;
            if (!v)
                continue;
            val = json_true();
            break;
        case PB_MSG:
            if (wt != 2 || !(val = decode(sub, f->msg, depth + 1)))
                goto bad;
            break;
        case PB_INTORSTR:
            if (wt != 2 || !(val = int_or_string(sub)))
                goto bad;
            break;
        case PB_TIME:
            if (wt != 2 || !(val = timestamp(sub)))
                goto bad;
            break;
        case PB_MAP: {
            if (wt != 2)
                goto bad;
            json_t *mp = json_object_get(o, f->name);
            if (!mp)
                json_object_set_new(o, f->name, mp = json_object());
            if (!map_entry(sub, mp))
                goto bad;
            continue;
        }
        }
        if (f->repeated) {
            json_t *arr = json_object_get(o, f->name);
            if (!arr)
                json_object_set_new(o, f->name, arr = json_array());
            json_array_append_new(arr, val);
        } else {
            json_object_set_new(o, f->name, val);
        }
    }
    return o;
bad:
    json_decref(o);
    return NULL;
}

json_t *sbx_proto_decode(const char *body, size_t len, sbx_err *e)
{
    if (len < 4 || memcmp(body, "k8s\0", 4)) {
        sbx_err_set(e, 400, "BadRequest", "the protobuf body does not start with the k8s envelope");
        return NULL;
    }
    rd r = {(const unsigned char *)body + 4, (const unsigned char *)body + len};
    json_t *tm = NULL;
    rd raw = {NULL, NULL};
    unsigned num, wt;
    uint64_t v;
    rd sub;
    while (r.p < r.end) {
        if (!next(&r, &num, &wt, &v, &sub)) {
            json_decref(tm);
            sbx_err_set(e, 400, "BadRequest", "malformed protobuf envelope");
            return NULL;
        }
        if (num == 1 && wt == 2) {
            json_decref(tm);
            tm = decode(sub, &typemeta_msg, 0);
        } else if (num == 2 && wt == 2) {
            raw = sub;
        }
    }
    const char *av = json_string_value(json_object_get(tm, "apiVersion"));
    const char *kind = json_string_value(json_object_get(tm, "kind"));
    const pb_msg *m = NULL;
    if (av && kind && !strcmp(av, "v1") && !strcmp(kind, "Service"))
        m = &svc_msg;
    else if (av && kind && !strcmp(av, "v1") && !strcmp(kind, "Namespace"))
        m = &ns_msg;
    if (!m || !raw.p) {
        sbx_err_set(e, 415, "UnsupportedMediaType", "the sandbox reads protobuf bodies of v1 Services and "
                    "Namespaces only, not %s %s; send application/json", av ? av : "?", kind ? kind : "?");
        json_decref(tm);
        return NULL;
    }
    json_t *o = decode(raw, m, 0);
    if (!o) {
        json_decref(tm);
        sbx_err_set(e, 400, "BadRequest", "malformed protobuf %s", kind);
        return NULL;
    }
    json_object_set_new(o, "apiVersion", json_string(av));
    json_object_set_new(o, "kind", json_string(kind));
    json_decref(tm);
    return o;
}
