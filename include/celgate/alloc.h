/*
 * celgate/alloc.h: the ServiceCIDR / IPAddress allocator, with the semantics
 * of the Kubernetes 1.33 MultiCIDRServiceAllocator (ClusterIP allocation
 * from ServiceCIDR objects, one IPAddress object per allocated IP).
 *
 * Used by the sandbox (which serves these objects to kubectl) and by the
 * engine (which checks Service IPs against ranges). It depends on SQLite and
 * jansson only; never on the CEL library or the webhook.
 *
 * Design:
 *  - Free space: one index per IP family holding the allocated addresses as
 *    coalesced intervals in a treap. "Is X free" and "first free at or after
 *    X, wrapping inside a band" are O(log n) at any fill, and memory grows
 *    with the number of allocations, never with the range (a /64 works).
 *    A full band answers at once.
 *  - Bands: each range has the static-preferred lower band and the dynamic
 *    upper band of KEP-3070; dynamic allocation starts at a random address
 *    of the upper band (xoshiro256**, seedable), then the lower band.
 *  - Ranges: one range allocator per distinct CIDR, ready if any ServiceCIDR
 *    holding it is ready. Dynamic allocation tries ranges in creation order
 *    (upstream leaves the order unspecified), skipping full or unready ones.
 *  - Durability: SQLite in WAL mode with synchronous=FULL (SQLite over LMDB:
 *    it is in Debian and already a project dependency, it is crash-safe by
 *    construction, and a UNIQUE key on the IP makes a double allocation
 *    impossible even if the in-memory index were wrong). Concurrent callers
 *    are batched into one transaction by a leader/follower group commit: a
 *    call returns only once its change is committed. The format version
 *    lives in PRAGMA user_version; a newer store is refused.
 *
 * Thread safety: every function may be called from any thread on one
 * alloc_cluster; calls serialise on an internal mutex except while waiting
 * for a commit, so concurrent commits are grouped.
 */
#ifndef CELGATE_ALLOC_H
#define CELGATE_ALLOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest canonical IP text ("ffff:ffff:...:ffff" is 39) plus NUL. */
#define ALLOC_IP_STRLEN 48

#define ALLOC_FINALIZER "networking.k8s.io/service-cidr-finalizer"
#define ALLOC_LABEL_FAMILY "ipaddress.kubernetes.io/ip-family"
#define ALLOC_LABEL_MANAGED_BY "ipaddress.kubernetes.io/managed-by"
#define ALLOC_MANAGER "ipallocator.k8s.io"
#define ALLOC_DEFAULT_CIDR_NAME "kubernetes"

typedef enum alloc_family { ALLOC_IPV4 = 4, ALLOC_IPV6 = 6 } alloc_family;

/* An API error as the API server would return it: HTTP status code, Status
 * reason ("Invalid", "NotFound", "AlreadyExists", "InternalError",
 * "Conflict", "BadRequest") and the client-visible message. */
typedef struct alloc_err {
    int code;
    char reason[32];
    char message[1024];
} alloc_err;

typedef struct alloc_opts {
    /* SQLite file; NULL keeps everything in memory (no durability). */
    const char *store_path;
    /* --service-cluster-ip-range: "10.96.0.0/28" or "10.96.0.0/16,fd00::/108".
     * NULL or "": no default `kubernetes` ServiceCIDR or Service. */
    const char *service_cidrs;
    /* Seed of the random start of dynamic allocation; 0 picks one from the
     * clock. Tests set it for reproducible results. */
    uint64_t seed;
    /* Grace between a ServiceCIDR's deletionTimestamp and the removal of its
     * finalizer (upstream: 10 s). Negative: the default. */
    int64_t deletion_grace_ms;
    /* Age after which a managed IPAddress without its Service is released by
     * repair (upstream: 60 s). Negative: the default. */
    int64_t leak_grace_ms;
    /* Clock in milliseconds since the epoch; NULL: the real clock. */
    int64_t (*now_ms)(void *arg);
    void *clock_arg;
    /* Refuse objects beyond these counts (0: defaults 1024 / 16M). */
    size_t max_service_cidrs;
    size_t max_ip_addresses;
} alloc_opts;

typedef struct alloc_cluster alloc_cluster;

/* Opens (creating if needed) the store, rebuilds the in-memory index from it
 * and checks it, ensures the default `kubernetes` ServiceCIDR and the
 * `default/kubernetes` Service (first usable IP of the primary range), and
 * runs repair once (its events: alloc_events). Returns NULL with *err
 * (malloc'd) on failure, e.g. a store of a newer format version. */
alloc_cluster *alloc_open(const alloc_opts *opts, char **err);
void alloc_close(alloc_cluster *c);

/* ------------------------------------------------------------ ServiceCIDR */

/* Creates from a networking.k8s.io/v1 (or v1beta1) ServiceCIDR object. The
 * stored object gets the finalizer and Ready=True as the controller sets
 * them. *out (may be NULL) receives the stored object (v1). */
int alloc_servicecidr_create(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err);
/* Replaces metadata labels/annotations/finalizers; spec.cidrs is immutable. */
int alloc_servicecidr_update(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err);
/* Marks for deletion. Without finalizers the object goes at once; otherwise
 * it stays with deletionTimestamp until the controller may remove it. */
int alloc_servicecidr_delete(alloc_cluster *c, const char *name, alloc_err *err);
/* New references (caller decrefs); NULL when absent. */
json_t *alloc_servicecidr_get(alloc_cluster *c, const char *name);
json_t *alloc_servicecidr_list(alloc_cluster *c); /* a v1 ServiceCIDRList */

/* ------------------------------------------------------------ IPAddress */

/* Creates an IPAddress object directly (e.g. kubectl create). AlreadyExists
 * (409) when the IP is taken. */
int alloc_ipaddress_create(alloc_cluster *c, const json_t *obj, json_t **out, alloc_err *err);
int alloc_ipaddress_delete(alloc_cluster *c, const char *name, alloc_err *err);
json_t *alloc_ipaddress_get(alloc_cluster *c, const char *name);
json_t *alloc_ipaddress_list(alloc_cluster *c); /* a v1 IPAddressList */
size_t alloc_ipaddress_count(alloc_cluster *c);

/* ------------------------------------------------------------ Services */

/* Allocates the ClusterIPs of Service namespace/name, as Service CREATE does:
 * for each family in `families` (1 or 2, in order; n_families 0 means the
 * families of cluster_ips, or else the primary family), the IP of
 * cluster_ips[i] if given and not empty (static), else a dynamic one.
 * On success fills ips_out[0..n-1], *n_out, records the Service as the
 * owner and creates its managed IPAddresses; on failure nothing stays
 * allocated and *err carries the Service API error (§3.4 texts). */
int alloc_service_allocate(alloc_cluster *c, const char *ns, const char *name,
                           const char *const *cluster_ips, size_t n_ips,
                           const alloc_family *families, size_t n_families,
                           char ips_out[2][ALLOC_IP_STRLEN], size_t *n_out, alloc_err *err);
/* Deletes the Service record and releases its IPs; never fails except for a
 * store error. Returns 0 also when the Service is unknown. */
int alloc_service_release(alloc_cluster *c, const char *ns, const char *name, alloc_err *err);
/* The ClusterIPs of a recorded Service; returns the count (0: unknown). */
size_t alloc_service_ips(alloc_cluster *c, const char *ns, const char *name,
                         char ips_out[2][ALLOC_IP_STRLEN]);

/* Is `ip` inside some ServiceCIDR (network and IPv4 broadcast excluded)? */
bool alloc_ip_in_service_cidrs(alloc_cluster *c, const char *ip);

/* ------------------------------------------------------------ controllers */

/* Runs the ServiceCIDR controller once: finishes deletions whose grace has
 * passed and that orphan no IPAddress, and sets the Ready=False condition on
 * blocked ones. Called by every mutation; call it after time passes. */
void alloc_tick(alloc_cluster *c);

/* A Service as the repair loop sees it. */
typedef struct alloc_service {
    const char *ns, *name;
    const char *cluster_ips[2];
    size_t n_ips;
} alloc_service;

typedef struct alloc_event {
    char type[16];    /* "Warning" */
    char reason[40];  /* ClusterIPOutOfRange, ClusterIPNotAllocated, ... */
    char object[300]; /* "services/ns/name" or "ipaddresses/<ip>" */
    char message[400];
} alloc_event;

/* Repair (upstream ipallocator-repair-controller, one full pass): checks each
 * Service's ClusterIPs against the ServiceCIDRs and IPAddresses, creates
 * missing IPAddresses, recreates wrong ones, reports duplicates, and
 * deletes managed IPAddresses whose Service is gone once older than the leak
 * grace. services NULL: the Services recorded by alloc_service_allocate.
 * Events are appended to the cluster's event log (alloc_events). Returns
 * the number of events of this pass, or -1 on a store error. */
int alloc_repair(alloc_cluster *c, const alloc_service *services, size_t n, alloc_err *err);

/* Copies the event log (oldest first, at most the last 1024) into a
 * malloc'd array; returns the count. Caller frees *events. */
size_t alloc_events(alloc_cluster *c, alloc_event **events);

/* ------------------------------------------------------------ low level */

/* One IP for a non-Service parent (benchmarks, tools): dynamic when
 * requested is NULL. The IPAddress gets parentRef {group, resource, ns,
 * name} and the managed-by label when managed. */
typedef struct alloc_parent {
    const char *group, *resource, *ns, *name;
} alloc_parent;
int alloc_ip_allocate(alloc_cluster *c, alloc_family fam, const char *requested,
                      const alloc_parent *parent, bool managed,
                      char ip_out[ALLOC_IP_STRLEN], alloc_err *err);
int alloc_ip_release(alloc_cluster *c, const char *ip, alloc_err *err);

/* Strict validators with the API server's texts (for the engine and the
 * sandbox): return NULL when valid, else a static detail text; a canonical
 * form complaint is written to buf. */
const char *alloc_validate_cidr(const char *s, size_t len, char *buf, size_t bufsz);
const char *alloc_validate_ip(const char *s, size_t len, char *buf, size_t bufsz);

#ifdef __cplusplus
}
#endif
#endif
