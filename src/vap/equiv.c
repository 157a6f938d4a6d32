/*
 * equiv.c: the equivalence table behind matchPolicy Equivalent: resources
 * that one storage serves under several group/versions. A request for one
 * member may be matched by a rule naming another, and is then evaluated as
 * that member (the API server converts the object to the matched version).
 * The table covers the networking resources celgate polices (ServiceCIDR,
 * IPAddress) and the built-in resources whose versions moved.
 */
#include <string.h>

#include "vap_int.h"

typedef struct equiv_member {
    const char *group, *version;
} equiv_member;

typedef struct equiv_class {
    const char *resource, *kind;
    equiv_member members[5];
} equiv_class;

static const equiv_class classes[] = {
    {"servicecidrs", "ServiceCIDR",
     {{"networking.k8s.io", "v1"}, {"networking.k8s.io", "v1beta1"}, {"networking.k8s.io", "v1alpha1"}}},
    {"ipaddresses", "IPAddress",
     {{"networking.k8s.io", "v1"}, {"networking.k8s.io", "v1beta1"}, {"networking.k8s.io", "v1alpha1"}}},
    {"deployments", "Deployment",
     {{"apps", "v1"}, {"apps", "v1beta2"}, {"apps", "v1beta1"}, {"extensions", "v1beta1"}}},
    {"daemonsets", "DaemonSet", {{"apps", "v1"}, {"apps", "v1beta2"}, {"extensions", "v1beta1"}}},
    {"replicasets", "ReplicaSet", {{"apps", "v1"}, {"apps", "v1beta2"}, {"extensions", "v1beta1"}}},
    {"statefulsets", "StatefulSet", {{"apps", "v1"}, {"apps", "v1beta2"}, {"apps", "v1beta1"}}},
    {"controllerrevisions", "ControllerRevision", {{"apps", "v1"}, {"apps", "v1beta2"}, {"apps", "v1beta1"}}},
    {"cronjobs", "CronJob", {{"batch", "v1"}, {"batch", "v1beta1"}}},
    {"ingresses", "Ingress",
     {{"networking.k8s.io", "v1"}, {"networking.k8s.io", "v1beta1"}, {"extensions", "v1beta1"}}},
    {"ingressclasses", "IngressClass", {{"networking.k8s.io", "v1"}, {"networking.k8s.io", "v1beta1"}}},
    {"networkpolicies", "NetworkPolicy", {{"networking.k8s.io", "v1"}, {"extensions", "v1beta1"}}},
    {"poddisruptionbudgets", "PodDisruptionBudget", {{"policy", "v1"}, {"policy", "v1beta1"}}},
    {"horizontalpodautoscalers", "HorizontalPodAutoscaler",
     {{"autoscaling", "v2"}, {"autoscaling", "v1"}, {"autoscaling", "v2beta2"}, {"autoscaling", "v2beta1"}}},
    {"events", "Event", {{"events.k8s.io", "v1"}, {"events.k8s.io", "v1beta1"}, {"", "v1"}}},
    {"endpointslices", "EndpointSlice", {{"discovery.k8s.io", "v1"}, {"discovery.k8s.io", "v1beta1"}}},
    {"runtimeclasses", "RuntimeClass", {{"node.k8s.io", "v1"}, {"node.k8s.io", "v1beta1"}}},
    {"priorityclasses", "PriorityClass", {{"scheduling.k8s.io", "v1"}, {"scheduling.k8s.io", "v1beta1"}}},
    {"csidrivers", "CSIDriver", {{"storage.k8s.io", "v1"}, {"storage.k8s.io", "v1beta1"}}},
    {"storageclasses", "StorageClass", {{"storage.k8s.io", "v1"}, {"storage.k8s.io", "v1beta1"}}},
    {"leases", "Lease", {{"coordination.k8s.io", "v1"}, {"coordination.k8s.io", "v1beta1"}}},
    {"certificatesigningrequests", "CertificateSigningRequest",
     {{"certificates.k8s.io", "v1"}, {"certificates.k8s.io", "v1beta1"}}},
};

static bool member_of(const equiv_class *c, const vap_gvr *g)
{
    if (strcmp(c->resource, g->resource))
        return false;
    for (size_t i = 0; i < 5 && c->members[i].version; i++)
        if (!strcmp(c->members[i].group, g->group) && !strcmp(c->members[i].version, g->version))
            return true;
    return false;
}

bool vap_equivalents(const vap_gvr *gvr, bool (*fn)(const vap_gvr *alt, void *ctx), void *ctx)
{
    for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
        const equiv_class *c = &classes[k];
        if (!member_of(c, gvr))
            continue;
        for (size_t i = 0; i < 5 && c->members[i].version; i++) {
            const equiv_member *m = &c->members[i];
            if (!strcmp(m->group, gvr->group) && !strcmp(m->version, gvr->version))
                continue;
            vap_gvr alt = {m->group, m->version, c->resource, c->kind};
            if (fn(&alt, ctx))
                return true;
        }
        return false;
    }
    return false;
}
