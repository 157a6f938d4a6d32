/*
 * sandbox/sbx_main.c: `celgate sandbox` from start to stop: the data
 * folder (allocator store, object store, certificates, token), the
 * namespaces and the `kubernetes` Service every cluster has, the policies
 * of --policies, the HTTPS server and the kubeconfig; then a once-a-second
 * controller tick (ServiceCIDR deletions wait out their grace period)
 * until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sbx.h"

static int parse_listen(const char *l, char *host, size_t hostsz, unsigned *port)
{
    const char *colon = strrchr(l, ':');
    if (!colon)
        return -1;
    const char *h = l;
    size_t hl = (size_t)(colon - l);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= hostsz)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p > 65535)
        return -1;
    *port = (unsigned)p;
    return 0;
}

static int ensure_namespaces(sbx *s, char **err)
{
    static const char *const names[] = {"default", "kube-node-lease", "kube-public", "kube-system"};
    const sbx_kind *k = sbx_kind_find("", "v1", "namespaces");
    for (size_t i = 0; i < 4; i++) {
        if (sbx_store_get(s->store, "namespaces", "", names[i]))
            continue;
        char uid[37], ts[32];
        sbx_uuid(uid);
        sbx_time_rfc3339(sbx_now_ms(), ts);
        json_t *ns = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:{s:s}}, s:{s:[s]}, s:{s:s}}", "apiVersion", "v1",
                               "kind", "Namespace", "metadata", "name", names[i], "uid", uid,
                               "creationTimestamp", ts, "labels", "kubernetes.io/metadata.name", names[i],
                               "spec", "finalizers", "kubernetes", "status", "phase", "Active");
        sbx_err e = {0};
        if (sbx_store_put(s->store, k->resource, "", names[i], ns, &e) < 0) {
            if (asprintf(err, "namespace %s: %s", names[i], e.message) < 0)
                *err = NULL;
            sbx_err_clear(&e);
            return -1;
        }
    }
    return 0;
}

/* ClusterIPs whose Service never reached the object store (a stop between
 * the allocation and the write) are released, as upstream repair would. */
static void release_orphans(sbx *s)
{
    json_t *list = alloc_ipaddress_list(s->alloc);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(list, "items"), i, o) {
        const json_t *labels = json_object_get(json_object_get(o, "metadata"), "labels");
        const char *mb = json_string_value(json_object_get(labels, ALLOC_LABEL_MANAGED_BY));
        const json_t *pr = json_object_get(json_object_get(o, "spec"), "parentRef");
        const char *res = json_string_value(json_object_get(pr, "resource"));
        const char *ns = json_string_value(json_object_get(pr, "namespace"));
        const char *name = json_string_value(json_object_get(pr, "name"));
        if (!mb || strcmp(mb, ALLOC_MANAGER) || !res || strcmp(res, "services") || !ns || !name)
            continue;
        if (!sbx_store_get(s->store, "services", ns, name)) {
            alloc_err ae;
            alloc_service_release(s->alloc, ns, name, &ae);
        }
    }
    json_decref(list);
}

static int mkdirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static void families_of(sbx *s, const char *cidrs)
{
    s->nfamilies = 0;
    for (const char *p = cidrs; p && *p && s->nfamilies < 2;) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        s->families[s->nfamilies++] = memchr(p, ':', n) ? ALLOC_IPV6 : ALLOC_IPV4;
        p = q ? q + 1 : p + n;
    }
}

int sbx_main(const sbx_opts *o)
{
    char host[128];
    unsigned port;
    const char *listen = o->listen ? o->listen : "127.0.0.1:6443";
    if (parse_listen(listen, host, sizeof host, &port) < 0) {
        fprintf(stderr, "celgate sandbox: --listen: expected HOST:PORT, got '%s'\n", listen);
        return 2;
    }
    const char *data = o->data_dir ? o->data_dir : "celgate-sandbox";
    if (mkdirs(data) < 0) {
        fprintf(stderr, "celgate sandbox: --data %s: %s\n", data, strerror(errno));
        return 1;
    }
    sbx s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    snprintf(s.username, sizeof s.username, "kubernetes-admin");
    s.groups[0] = "kubeadm:cluster-admins";
    s.groups[1] = "system:authenticated";
    const char *cidrs = o->service_cidrs ? o->service_cidrs : "10.96.0.0/28";
    families_of(&s, cidrs);
    char path[4200], kc[4200];
    char *err = NULL, *ca = NULL;
    int status = 1;
    sbx_http *h = NULL;

    snprintf(path, sizeof path, "%s/alloc.db", data);
    alloc_opts ao;
    memset(&ao, 0, sizeof ao);
    ao.store_path = path;
    ao.service_cidrs = cidrs;
    ao.deletion_grace_ms = o->deletion_grace_ms;
    ao.leak_grace_ms = -1;
    if (!(s.alloc = alloc_open(&ao, &err)))
        goto out;
    snprintf(path, sizeof path, "%s/objects.db", data);
    if (!(s.store = sbx_store_open(path, &err)))
        goto out;
    if (ensure_namespaces(&s, &err) < 0 || sbx_pki_ensure(data, &ca, &err) < 0 ||
        sbx_token_ensure(data, s.token, &err) < 0)
        goto out;
    char cert[4200], key[4200];
    snprintf(cert, sizeof cert, "%s/pki/tls.crt", data);
    snprintf(key, sizeof key, "%s/pki/tls.key", data);
    if (!(h = sbx_http_start(&s, host, port, cert, key, &err)))
        goto out;
    pthread_mutex_lock(&s.mu);
    s.port = sbx_http_port(h);
    snprintf(s.server_addr, sizeof s.server_addr, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, s.port);
    int rc = sbx_service_ensure_default(&s, &err);
    if (rc == 0) {
        release_orphans(&s);
        rc = sbx_policy_reload(&s, &err);
    }
    if (rc == 0 && o->policies)
        rc = sbx_policy_preload(&s, o->policies, &err);
    if (rc == 0)
        rc = sbx_policy_reload(&s, &err);
    pthread_mutex_unlock(&s.mu);
    if (rc < 0)
        goto out;
    if (o->kubeconfig)
        snprintf(kc, sizeof kc, "%s", o->kubeconfig);
    else
        snprintf(kc, sizeof kc, "%s/kubeconfig", data);
    char server[200];
    snprintf(server, sizeof server, "https://%s", s.server_addr);
    if (sbx_kubeconfig_write(kc, server, ca, s.token, &err) < 0)
        goto out;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    printf("celgate sandbox: serving %s (Kubernetes %s API, Service CIDR %s, data in %s)\n", server,
           SBX_K8S_VERSION, cidrs, data);
    printf("kubeconfig: %s\n  export KUBECONFIG=%s\n", kc, kc);
    fflush(stdout);
    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        pthread_mutex_lock(&s.mu);
        alloc_tick(s.alloc);
        pthread_mutex_unlock(&s.mu);
    }
    status = 0;
out:
    if (err) {
        fprintf(stderr, "celgate sandbox: %s\n", err);
        free(err);
    }
    sbx_http_stop(h);
    vap_set_unref(s.policies);
    sbx_store_close(s.store);
    alloc_close(s.alloc);
    free(ca);
    pthread_mutex_destroy(&s.mu);
    return status;
}
