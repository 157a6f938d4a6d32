/*
 * alloc_cluster.h: the state shared by the cluster-level files:
 * alloc_cluster.c (open, load, ServiceCIDR objects and their controller),
 * alloc_meta.c (the meta allocator, IPAddresses and Services) and
 * alloc_repair.c (the repair loop).
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
    alloc_ip ip;
    bool managed;
    int64_t created_ms;
    json_t *labels;       /* NULL: implied by managed */
    char *group, *resource, *ns, *pname; /* point into strs */
    char strs[];
} alloc_ipobj;

typedef struct alloc_svc {
    char ips[2][ALLOC_IP_STRLEN];
    size_t n;
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
    alloc_map ips;            /* 17-byte address key -> alloc_ipobj */
    alloc_map svcs;           /* "ns/name" -> alloc_svc */
    alloc_scidr **cidrs;      /* creation order */
    size_t ncidrs, capcidrs;
    alloc_range *ranges;      /* distinct CIDRs, rebuilt on change */
    size_t nranges;
    alloc_event *events;      /* ring */
    size_t nevents, evhead;
    alloc_prefix defaults[2]; /* --service-cluster-ip-range */
    int ndefaults;
};

int64_t alloc_now(alloc_cluster *c);
alloc_index *alloc_ix(alloc_cluster *c, alloc_family f);
void alloc_ipkey(const alloc_ip *ip, unsigned char key[17]);
alloc_ipobj *alloc_ipobj_find(alloc_cluster *c, const alloc_ip *ip);
/* Records a new IPAddress in memory (map + index); NULL when out of memory. */
alloc_ipobj *alloc_ipobj_insert(alloc_cluster *c, const alloc_ip *ip, const alloc_parent *p,
                                bool managed, const json_t *labels, int64_t created_ms);
/* Forgets one (memory only) and frees it. */
void alloc_ipobj_remove(alloc_cluster *c, alloc_ipobj *o);
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

/* Controller pass (under c->mu); changes go to ch. */
void alloc_controller_sync(alloc_cluster *c, alloc_changes *ch);
void alloc_ranges_rebuild(alloc_cluster *c);
/* A ServiceCIDR is usable by allocators: not deleting, Ready True or absent. */
bool alloc_scidr_ready(const alloc_scidr *s);
/* Any ServiceCIDR contains ip (§2.3). */
bool alloc_ip_covered(alloc_cluster *c, const alloc_ip *ip, const alloc_scidr *except);

/* Meta allocator (alloc_meta.c), under c->mu. */
int alloc_meta_dynamic(alloc_cluster *c, alloc_family f, alloc_ip *out);
/* 0 ok; else the reason text is written to why. */
int alloc_meta_static(alloc_cluster *c, const alloc_ip *ip, char *why, size_t whysz);
void alloc_svc_key(const char *ns, const char *name, char *buf, size_t bufsz);
json_t *alloc_svc_json(const alloc_svc *s);

int alloc_repair_locked(alloc_cluster *c, const alloc_service *services, size_t n,
                        alloc_changes *ch);

#endif
