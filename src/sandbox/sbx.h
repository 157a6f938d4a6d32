/*
 * sandbox/sbx.h: internal contract of `celgate sandbox`, a small Kubernetes
 * API server on loopback that kubectl can drive: Services with ClusterIPs
 * from the allocator (src/alloc), ServiceCIDRs and IPAddresses served from
 * the allocator's objects, ValidatingAdmissionPolicies and their bindings
 * run by the engine (src/vap) on every write.
 *
 * One job per file:
 *   sbx_kinds.c     the resource table; discovery documents (legacy, aggregated)
 *   sbx_openapi.c   the OpenAPI v3 documents kubectl looks at (fieldValidation)
 *   sbx_route.c     request paths to (group, version, namespace, resource, name)
 *   sbx_status.c    Status errors with the API server's words
 *   sbx_table.c     the Table form `kubectl get` asks for; ages as kubectl prints them
 *   sbx_patch.c     JSON merge patch, strategic merge patch, JSON patch
 *   sbx_proto.c     protobuf request bodies (kubectl's typed clients)
 *   sbx_meta.c      object metadata: uids, timestamps, names, system fields
 *   sbx_store.c     the durable object store (SQLite) and resourceVersions
 *   sbx_admit.c     admission requests to the engine and its verdicts
 *   sbx_service.c   Services: defaulting, validation, ClusterIP allocation
 *   sbx_netobj.c    ServiceCIDRs and IPAddresses over the allocator
 *   sbx_policy.c    policies and bindings: validation and the live policy set
 *   sbx_api.c       the verbs: get, list, create, update, patch, delete
 *   sbx_http.c      HTTPS (libmicrohttpd + GnuTLS), bearer token, body limits
 *   sbx_kubeconfig.c certificates and the kubeconfig kubectl uses
 *   sbx_main.c      start-up, the controller tick, shutdown
 *
 * Every API call runs under one mutex (sbx.mu): the sandbox serves one
 * person's kubectl, and one writer at a time keeps admission, allocation and
 * storage in the order the API server runs them without further locking.
 */
#ifndef CELGATE_SBX_H
#define CELGATE_SBX_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "celgate/alloc.h"
#include "celgate/vap.h"

#define SBX_K8S_VERSION "v1.33.0"
#define SBX_MAX_BODY (3u << 20)       /* the API server's request limit: 3 MiB */
#define SBX_MAX_OBJECTS 10000u        /* objects in the sandbox store */
#define SBX_MAX_NAME 253u

/* ---------------------------------------------------------------- errors */

/* A Status error: code, reason, message and optional details (owned). */
typedef struct sbx_err {
    int code;
    char reason[40];
    char message[4096];
    json_t *details;
} sbx_err;

void sbx_err_set(sbx_err *e, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sbx_err_clear(sbx_err *e);
/* "<resource>.<group> \"name\" not found" (core group: "<resource>"). */
void sbx_err_not_found(sbx_err *e, const char *group, const char *resource, const char *name);
void sbx_err_exists(sbx_err *e, const char *group, const char *resource, const char *name);
void sbx_err_conflict(sbx_err *e, const char *group, const char *resource, const char *name);
/* 422 from field errors "path: Type value: detail" of Kind in group. */
void sbx_err_invalid(sbx_err *e, const char *group, const char *kind, const char *name,
                     const char *const *field_errs, size_t n);
/* 422 from a message already worded "<Kind>.<group> \"name\" is invalid: ..."
 * (the allocator's texts): causes are split out of it for kubectl. */
void sbx_err_from_invalid_text(sbx_err *e, const char *group, const char *kind, const char *name,
                               int code, const char *reason, const char *message);
/* The Status object (new reference). */
json_t *sbx_status_json(const sbx_err *e);
json_t *sbx_status_success(const char *group, const char *resource, const char *name,
                           const char *uid);

/* ---------------------------------------------------------------- kinds */

typedef enum sbx_backend_id {
    SBX_BE_STORE = 0, /* sandbox store, generic objects (namespaces, policies) */
    SBX_BE_SERVICE,   /* sandbox store + ClusterIP allocation */
    SBX_BE_SCIDR,     /* allocator: ServiceCIDR */
    SBX_BE_IPADDR     /* allocator: IPAddress */
} sbx_backend_id;

typedef struct sbx_kind {
    const char *group;          /* "" for core */
    const char *versions[3];    /* served versions, preferred first */
    const char *resource;       /* plural */
    const char *singular;
    const char *kind;
    bool namespaced;
    const char *short_names[3];
    const char *categories[2];
    bool has_status;            /* serves <resource>/status */
    sbx_backend_id backend;
} sbx_kind;

extern const sbx_kind sbx_kinds[];
extern const size_t sbx_nkinds;

/* The kind serving group/version/resource; NULL when none. */
const sbx_kind *sbx_kind_find(const char *group, const char *version, const char *resource);
bool sbx_kind_serves(const sbx_kind *k, const char *version);
/* "<resource>.<group>" or "<resource>" for the core group, into buf. */
const char *sbx_qualified(const char *group, const char *resource, char *buf, size_t bufsz);
/* apiVersion text of group/version into buf. */
const char *sbx_api_version(const char *group, const char *version, char *buf, size_t bufsz);

/* Discovery documents (new references). */
json_t *sbx_discovery_versions(const char *server_addr); /* /api */
json_t *sbx_discovery_groups(void);                      /* /apis */
json_t *sbx_discovery_group(const char *group);          /* /apis/<group>, NULL: unknown */
json_t *sbx_discovery_resources(const char *group, const char *version); /* NULL: unknown */
/* Aggregated discovery (apidiscovery.k8s.io/v2 or v2beta1): core when
 * `core`, else every named group. */
json_t *sbx_discovery_aggregated(bool core, const char *api_version);
json_t *sbx_version_json(void);

/* ---------------------------------------------------------------- openapi */

json_t *sbx_openapi_v3_root(void);
/* "api/v1", "apis/networking.k8s.io/v1": NULL when not served. */
json_t *sbx_openapi_v3_gv(const char *gv_path);

/* ---------------------------------------------------------------- routes */

typedef enum sbx_route_type {
    SBX_R_NOT_FOUND = 0,
    SBX_R_VERSION,
    SBX_R_HEALTH,        /* /healthz, /livez, /readyz */
    SBX_R_API,           /* /api */
    SBX_R_APIS,          /* /apis */
    SBX_R_GROUP,         /* /apis/<group> */
    SBX_R_GV,            /* /api/v1, /apis/<group>/<version> */
    SBX_R_OPENAPI_V3,    /* /openapi/v3 */
    SBX_R_OPENAPI_V3_GV, /* /openapi/v3/<gv> */
    SBX_R_OPENAPI_V2,    /* /openapi/v2 */
    SBX_R_RESOURCE       /* a collection or an object */
} sbx_route_type;

typedef struct sbx_route {
    sbx_route_type type;
    const sbx_kind *kind;
    char group[64];
    char version[16];
    char ns[SBX_MAX_NAME + 1];  /* "" when none in the path */
    char resource[64];
    char name[SBX_MAX_NAME + 1]; /* "" for a collection */
    char sub[32];                /* subresource: "status" or "" */
    char gv_path[128];           /* for SBX_R_OPENAPI_V3_GV */
} sbx_route;

/* Parses a request path (without the query). Unknown paths give
 * SBX_R_NOT_FOUND; a known group/version with an unknown resource also. A
 * malformed one (a name with '/' left over, a bad escape) too. */
void sbx_route_parse(const char *path, sbx_route *r);

/* ---------------------------------------------------------------- table */

/* Age as kubectl prints it (duration.HumanDuration) of now - then (ms). */
void sbx_human_duration(int64_t ms, char *buf, size_t bufsz);
/* The meta.k8s.io/v1 Table of items (borrowed) of kind k, now in ms. */
json_t *sbx_table(const sbx_kind *k, json_t *items, const char *list_rv, int64_t now_ms,
                  bool include_object);

/* ---------------------------------------------------------------- patch */

/* In place on *doc (replaced on success). 0, or -1 with a message in e
 * (the API server's wording where it has one). */
int sbx_patch_merge(json_t **doc, const json_t *patch, sbx_err *e);
int sbx_patch_json(json_t **doc, const json_t *ops, sbx_err *e);
/* Strategic merge patch for the sandbox's kinds (merge keys by path). */
int sbx_patch_strategic(json_t **doc, const json_t *patch, const sbx_kind *k, sbx_err *e);

/* ---------------------------------------------------------------- protobuf */

/* A body in application/vnd.kubernetes.protobuf (v1 Service, Namespace)
 * as its JSON object; NULL with e (400, 415). */
json_t *sbx_proto_decode(const char *body, size_t len, sbx_err *e);

/* ---------------------------------------------------------------- meta */

void sbx_uuid(char out[37]);
int64_t sbx_now_ms(void);
void sbx_time_rfc3339(int64_t ms, char buf[32]);
/* RFC 3339 to ms; -1 on failure. */
int64_t sbx_time_parse(const char *s);
json_t *sbx_meta(json_t *obj);              /* metadata object, created if absent */
const char *sbx_meta_str(const json_t *obj, const char *key);
/* DNS-1123 subdomain / DNS-1035 label checks: NULL or the API's text. */
const char *sbx_check_subdomain(const char *s);
const char *sbx_check_label1035(const char *s);
const char *sbx_check_label1123(const char *s);
/* Go-quoted string for field error values ("a\"b"). */
void sbx_go_quote(const char *s, char *buf, size_t bufsz);
/* Drops fields a client may not set and keeps those the server owns from
 * `old` (uid, creationTimestamp, generation, deletion fields) on update. */
void sbx_meta_prepare_update(json_t *obj, const json_t *old);
/* A lower-case 5-character suffix for generateName. */
void sbx_name_suffix(char out[6]);

/* ---------------------------------------------------------------- store */

typedef struct sbx_store sbx_store;

sbx_store *sbx_store_open(const char *path, char **err);
void sbx_store_close(sbx_store *st);
/* Borrowed; NULL when absent. */
json_t *sbx_store_get(sbx_store *st, const char *resource, const char *ns, const char *name);
/* Items of a resource (ns NULL: all namespaces), sorted by namespace and
 * name: a new array of borrowed-then-increfed objects. */
json_t *sbx_store_list(sbx_store *st, const char *resource, const char *ns);
size_t sbx_store_count(sbx_store *st);
/* Writes obj (stealing it) with a new resourceVersion set in it. 0 or -1
 * with e (500) when the disk refuses. */
int sbx_store_put(sbx_store *st, const char *resource, const char *ns, const char *name, json_t *obj,
                  sbx_err *e);
int sbx_store_del(sbx_store *st, const char *resource, const char *ns, const char *name, sbx_err *e);
/* Sets resourceVersion (and a uid when it has none) in an object the
 * store does not own (allocator objects): a new version whenever its
 * content changed since last served, a new uid for a new object. */
void sbx_store_view(sbx_store *st, const char *key, json_t *obj);
void sbx_store_view_forget(sbx_store *st, const char *key);
uint64_t sbx_store_rv(sbx_store *st); /* the latest resourceVersion */

/* ---------------------------------------------------------------- server */

typedef struct sbx_opts {
    const char *service_cidrs;  /* --service-cidr */
    const char *data_dir;       /* --data */
    const char *policies;       /* --policies */
    const char *listen;         /* --listen host:port */
    const char *kubeconfig;     /* --kubeconfig */
    int64_t deletion_grace_ms;  /* ServiceCIDR finalizer grace; <0 default */
} sbx_opts;

typedef struct sbx {
    pthread_mutex_t mu;
    alloc_cluster *alloc;
    sbx_store *store;
    vap_set *policies;          /* NULL: none stored */
    char server_addr[128];      /* host:port as clients reach it */
    unsigned port;
    char token[65];             /* bearer token of the kubeconfig user */
    char username[64];
    const char *groups[3];
    alloc_family families[2];   /* of --service-cidr, primary first */
    size_t nfamilies;
} sbx;

/* One HTTP request as the API layer sees it, free of libmicrohttpd. */
typedef struct sbx_req {
    const char *method;
    const char *path;
    const char *(*query)(void *ctx, const char *key);
    void *query_ctx;
    const char *accept;
    const char *content_type;
    const char *body;
    size_t len;
} sbx_req;

typedef struct sbx_resp {
    int code;
    char ctype[96];
    char *body;   /* malloc'd */
    size_t len;
    json_t *warnings; /* strings for Warning headers, or NULL (owned) */
} sbx_resp;

void sbx_resp_clear(sbx_resp *resp);

/* Handles one API request (takes s->mu). */
void sbx_handle(sbx *s, const sbx_req *req, sbx_resp *resp);
void sbx_resp_json(sbx_resp *resp, int code, json_t *doc, const char *ctype); /* steals doc */
void sbx_resp_status(sbx_resp *resp, const sbx_err *e);

/* ---------------------------------------------------------------- backends (under s->mu) */

/* What a write carries besides the object. */
typedef struct sbx_call {
    const sbx_route *route;
    const char *version;        /* request version */
    bool dry_run;
    const json_t *options;      /* CreateOptions/UpdateOptions/DeleteOptions */
    json_t *warnings;           /* array: Warning headers for the reply */
} sbx_call;

/* Objects as clients see them: new references, resourceVersion set. */
json_t *sbx_obj_get(sbx *s, const sbx_kind *k, const char *ns, const char *name);
json_t *sbx_obj_list(sbx *s, const sbx_kind *k, const char *ns); /* array */
int sbx_obj_create(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *obj, json_t **out,
                   sbx_err *e);
int sbx_obj_update(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t *obj,
                   json_t **out, sbx_err *e);
/* *out: the object still present (finalizers), or NULL when gone. */
int sbx_obj_delete(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t **out,
                   sbx_err *e);

/* Services (sbx_service.c). */
int sbx_service_create(sbx *s, const sbx_call *c, json_t *obj, json_t **out, sbx_err *e);
int sbx_service_update(sbx *s, const sbx_call *c, json_t *old, json_t *obj, json_t **out, sbx_err *e);
int sbx_service_delete(sbx *s, const sbx_call *c, json_t *old, sbx_err *e);
/* The `kubernetes` Service in `default`, created when missing. */
int sbx_service_ensure_default(sbx *s, char **err);

/* ServiceCIDRs and IPAddresses (sbx_netobj.c). */
json_t *sbx_net_get(sbx *s, const sbx_kind *k, const char *name, const char *version);
json_t *sbx_net_list(sbx *s, const sbx_kind *k, const char *version);
int sbx_net_create(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *obj, json_t **out, sbx_err *e);
int sbx_net_update(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t *obj,
                   json_t **out, sbx_err *e);
int sbx_net_delete(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t **out, sbx_err *e);

/* Policies and bindings (sbx_policy.c). */
int sbx_policy_check(sbx *s, const sbx_kind *k, const json_t *obj, sbx_err *e);
/* Rebuilds s->policies from the store; on failure the old set stays. */
int sbx_policy_reload(sbx *s, char **err);
/* Creates or replaces the policies and bindings of a file or folder. */
int sbx_policy_preload(sbx *s, const char *path, char **err);

/* Admission (sbx_admit.c): 0 allowed, -1 denied with e set. */
int sbx_admit(sbx *s, const sbx_kind *k, const sbx_call *c, const char *operation,
              const json_t *obj, const json_t *old, sbx_err *e);

/* ---------------------------------------------------------------- http, kubeconfig, main */

typedef struct sbx_http sbx_http;
sbx_http *sbx_http_start(sbx *s, const char *host, unsigned port, const char *cert_file,
                         const char *key_file, char **err);
unsigned sbx_http_port(const sbx_http *h);
void sbx_http_stop(sbx_http *h);

/* Writes DIR/pki/{ca,tls}.{crt,key} when missing; *ca_b64 (malloc'd). */
int sbx_pki_ensure(const char *dir, char **ca_b64, char **err);
/* The bearer token, made once and kept in DIR/token. */
int sbx_token_ensure(const char *dir, char out[65], char **err);
int sbx_kubeconfig_write(const char *path, const char *server, const char *ca_b64,
                         const char *token, char **err);

/* `celgate sandbox` once its flags are parsed; the exit status. */
int sbx_main(const sbx_opts *o);

#endif
