/*
 * alloc_cluster.h: the state shared by the cluster-level files:
 * alloc_cluster.c (open, load, defaults, events, change queue),
 * alloc_scidr.c (ServiceCIDR objects), alloc_controller.c (their
 * controller), alloc_meta.c (the meta allocator and IPAddress records),
 * alloc_ipaddr.c (IPAddress objects), alloc_service.c (Service ClusterIPs),
 * alloc_iptab.c (the IPAddress table) and alloc_repair.c (repair).
 */
#ifndef ALLOC_CLUSTER_H
#define ALLOC_CLUSTER_H

#include "alloc_int.h"

typedef struct alloc_scidr {
    char *name;
    alloc_prefix cidrs[2];
    int ncidrs;
    json_t *obj;          /* the stored object, v1 */
    int64_t created_ms;
    int64_t deletion_ms;  /* 0: not being deleted */
} alloc_scidr;

/* One IPAddress object. Managed ones have no stored labels: theirs are
 * implied, which keeps a million allocations small. */
typedef struct alloc_ipobj {
    struct alloc_ipobj *hnext; /* alloc_iptab chain */
    uint64_t serial;           /* tells a re-created object from this one */
    alloc_ip ip;
    bool managed;
    int64_t created_ms;
    json_t *labels;       /* NULL: implied by managed */
    char *group, *resource, *ns, *pname; /* point into strs */
    char strs[];
} alloc_ipobj;

/* IPAddress objects by address (alloc_iptab.c): chained, growing
 * incrementally so no single insert pays for a full rehash. */
typedef struct alloc_iptab {
    alloc_ipobj **t[2]; /* t[1] is the bigger table while growing */
    size_t cap[2], len, rehash;
} alloc_iptab;

void alloc_iptab_init(alloc_iptab *t);
alloc_ipobj *alloc_iptab_find(alloc_iptab *t, const alloc_ip *ip);
int alloc_iptab_insert(alloc_iptab *t, alloc_ipobj *o); /* o must be absent */
bool alloc_iptab_remove(alloc_iptab *t, alloc_ipobj *o);
/* A malloc'd snapshot of every object; returns the count (0 also on OOM). */
size_t alloc_iptab_collect(const alloc_iptab *t, alloc_ipobj ***out);
void alloc_iptab_free(alloc_iptab *t, void (*free_obj)(alloc_ipobj *));

typedef struct alloc_svc {
    char ips[2][ALLOC_IP_STRLEN];
    size_t n;
    uint64_t serial;
} alloc_svc;

#define ALLOC_EVENT_RING 1024

/* A store change collected while the cluster mutex is held. */
typedef struct alloc_change {
    enum alloc_op_kind kind;
    char *key, *value;
    int64_t created_ms;
} alloc_change;

typedef struct alloc_changes {
    alloc_change *v;
    size_t n, cap;
    bool oom;
} alloc_changes;

struct alloc_cluster {
    pthread_mutex_t mu;
    alloc_store *store;       /* NULL: memory only */
    int64_t grace_ms, leak_ms;
    int64_t (*now_fn)(void *);
    void *clock_arg;
    size_t max_cidrs, max_ips;
    alloc_rng rng;
    alloc_index ix4, ix6;
    alloc_iptab ips;          /* IPAddress objects */
    alloc_map svcs;           /* "ns/name" -> alloc_svc */
    alloc_scidr **cidrs;      /* creation order */
    size_t ncidrs, capcidrs;
    alloc_range *ranges;      /* distinct CIDRs, rebuilt on change */
    size_t nranges;
    alloc_event *events;      /* ring */
    size_t nevents, evhead;
    alloc_prefix defaults[2]; /* --service-cluster-ip-range */
    uint64_t serial;          /* last serial given to a record */
    int ndefaults;
};

int64_t alloc_now(alloc_cluster *c);
alloc_index *alloc_ix(alloc_cluster *c, alloc_family f);
alloc_ipobj *alloc_ipobj_find(alloc_cluster *c, const alloc_ip *ip);
/* Records a new IPAddress in memory (map + index); NULL when out of memory. */
alloc_ipobj *alloc_ipobj_insert(alloc_cluster *c, const alloc_ip *ip, const alloc_parent *p,
                                bool managed, const json_t *labels, int64_t created_ms);
/* Forgets one (memory only) and frees it. */
void alloc_ipobj_remove(alloc_cluster *c, alloc_ipobj *o);
void alloc_ipobj_free(alloc_ipobj *o);
json_t *alloc_ipobj_json(const alloc_ipobj *o);
void alloc_event_add(alloc_cluster *c, const char *reason, const char *object, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void alloc_changes_add(alloc_changes *ch, enum alloc_op_kind kind, const char *key,
                       const json_t *value, int64_t created_ms);
void alloc_changes_add_text(alloc_changes *ch, enum alloc_op_kind kind, const char *key,
                            const char *value, int64_t created_ms);
/* Queues the collected changes (under c->mu); returns the sequence to wait
 * for, 0 when nothing needs waiting; -1 ... reported through *oom. */
uint64_t alloc_changes_submit(alloc_cluster *c, alloc_changes *ch);
void alloc_changes_free(alloc_changes *ch);
/* Waits without the cluster mutex; 0 ok. */
int alloc_changes_wait(alloc_cluster *c, uint64_t seq, alloc_err *err);

/* Submits ch, drops the mutex, waits for the commit. For changes that are
 * not undone on failure (the store then refuses everything after). */
int alloc_finish_unlocked(alloc_cluster *c, alloc_changes *ch, alloc_err *err);

/* Allocator texts (§3.4) and controller messages (§1.2, §1.3). */
#define ALLOC_MSG_FULL "range is full"
#define ALLOC_MSG_TAKEN "provided IP is already allocated"
#define ALLOC_MSG_MISMATCH "the provided network does not match the current range"
#define ALLOC_MSG_READY "Kubernetes Service CIDR is ready"
#define ALLOC_MSG_DEFAULT_READY "Kubernetes default Service CIDR is ready"
#define ALLOC_MSG_ORPHANS                                                             \
    "There are still IPAddresses referencing the ServiceCIDR, please remove them or " \
    "create a new ServiceCIDR"

/* ServiceCIDR objects (alloc_scidr.c), under c->mu. */
alloc_scidr *alloc_scidr_find(alloc_cluster *c, const char *name, size_t *pos);
alloc_scidr *alloc_scidr_new(const char *name, const alloc_scidr_in *d, json_t *obj, int64_t now);
int alloc_scidr_link(alloc_cluster *c, alloc_scidr *s);
void alloc_scidr_unlink(alloc_cluster *c, size_t pos); /* and frees it */
void alloc_scidr_free(alloc_scidr *s);
const json_t *alloc_scidr_ready_condition(const alloc_scidr *s);
/* Sets the Ready condition; true when something changed. */
bool alloc_scidr_set_ready(alloc_cluster *c, alloc_scidr *s, const char *status, const char *reason,
                           const char *message);
bool alloc_scidr_has_finalizer(const alloc_scidr *s);
size_t alloc_scidr_finalizer_count(const alloc_scidr *s);
void alloc_scidr_remove_finalizer(alloc_scidr *s);
void alloc_scidr_ensure_finalizer(alloc_scidr *s);
bool alloc_scidr_same_cidrs(const alloc_scidr *s, const alloc_scidr_in *d);
int alloc_scidr_create_locked(alloc_cluster *c, const json_t *obj, const char *ready_msg,
                              alloc_changes *ch, json_t **out, alloc_err *err);
/* The default ServiceCIDR from --service-cluster-ip-range (alloc_cluster.c). */
void alloc_default_ensure(alloc_cluster *c, alloc_changes *ch);

/* Controller pass (under c->mu); changes go to ch. */
void alloc_controller_sync(alloc_cluster *c, alloc_changes *ch);
void alloc_ranges_rebuild(alloc_cluster *c);
/* A ServiceCIDR is usable by allocators: not deleting, Ready True or absent. */
bool alloc_scidr_ready(const alloc_scidr *s);
/* Any ServiceCIDR contains ip (§2.3). */
bool alloc_ip_covered(alloc_cluster *c, const alloc_ip *ip, const alloc_scidr *except);

/* Shared by the API files (alloc_meta.c). */
void alloc_err_oom(alloc_err *err);
/* Room for n more IPAddresses under the configured cap (403 if not). */
bool alloc_room_for(alloc_cluster *c, size_t n, alloc_err *err);
/* Submits ch (holding new IPAddresses `made` and, for a Service, its
 * record under svc_key), drops the mutex and waits; on failure undoes them
 * in memory, unless another call replaced them meanwhile (serials tell).
 * Called with c->mu held; returns with it released. */
int alloc_commit_new(alloc_cluster *c, alloc_changes *ch, alloc_ipobj **made, size_t nmade,
                     const char *svc_key, alloc_err *err);
/* Deletes an IPAddress in memory and queues the deletion. */
void alloc_ipobj_delete_locked(alloc_cluster *c, alloc_ipobj *o, alloc_changes *ch);
/* Runs the controller, submits, drops the mutex and waits. */
int alloc_finish_synced(alloc_cluster *c, alloc_changes *ch, alloc_err *err);

/* Meta allocator (alloc_meta.c), under c->mu. */
int alloc_meta_dynamic(alloc_cluster *c, alloc_family f, alloc_ip *out);
/* 0 ok; else the reason text is written to why. */
int alloc_meta_static(alloc_cluster *c, const alloc_ip *ip, char *why, size_t whysz);
void alloc_svc_key(const char *ns, const char *name, char *buf, size_t bufsz);
json_t *alloc_svc_json(const alloc_svc *s);

int alloc_repair_locked(alloc_cluster *c, const alloc_service *services, size_t n,
                        alloc_changes *ch);

#endif
