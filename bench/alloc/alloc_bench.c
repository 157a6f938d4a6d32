/*
 * alloc_bench.c: cost per allocation as a range fills. Modes:
 *   alloc_bench fill <cidr> <count>   dynamic allocations one at a time
 *                                     (count 0: until the range is full),
 *                                     in memory; prints the mean thread CPU
 *                                     time of each tenth of the run, then
 *                                     that of the "range is full" answer
 *   alloc_bench store <dir> <threads> <per-thread>
 *                                     durable allocations from concurrent
 *                                     callers (group commit at work)
 */
#include "celgate/alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: on a shared machine, wall time mostly measures
 * the other tenants; CPU time measures the allocator. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

static int fill(const char *cidr, unsigned long long count)
{
    alloc_opts o = {0};
    o.service_cidrs = cidr;
    o.seed = 1;
    o.deletion_grace_ms = o.leak_grace_ms = -1;
    o.max_ip_addresses = (size_t)1 << 26;
    char *err = NULL;
    alloc_cluster *c = alloc_open(&o, &err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    alloc_family fam = strchr(cidr, ':') ? ALLOC_IPV6 : ALLOC_IPV4;
    /* kubernetes.default holds one address already. */
    unsigned long long total = count;
    if (!total) {
        int bits = atoi(strchr(cidr, '/') + 1);
        total = (1ull << ((fam == ALLOC_IPV4 ? 32 : 128) - bits)) - 2 - 1;
    }
    alloc_parent p = {"", "services", "bench", "svc"};
    char ip[ALLOC_IP_STRLEN];
    alloc_err e;
    printf("%s: %llu dynamic allocations\n", cidr, total);
    printf("  %-8s %12s %14s\n", "fill", "allocations", "CPU ns/alloc");
    unsigned long long done = 0;
    double t_all = now_s();
    for (int tenth = 1; tenth <= 10; tenth++) {
        unsigned long long upto = total * (unsigned long long)tenth / 10;
        unsigned long long n = upto - done;
        double t0 = cpu_s();
        for (; done < upto; done++) {
            if (alloc_ip_allocate(c, fam, NULL, &p, true, ip, &e) < 0) {
                fprintf(stderr, "allocation %llu failed: %s\n", done, e.message);
                return 1;
            }
        }
        double dt = cpu_s() - t0;
        printf("  %3d-%3d%% %12llu %14.0f\n", (tenth - 1) * 10, tenth * 10, n, n ? dt * 1e9 / (double)n : 0);
    }
    /* A full range answers at once: the mean of 1000 refusals. */
    int rc = 0;
    double t0 = cpu_s();
    for (int i = 0; i < 1000 && !count; i++)
        rc |= alloc_ip_allocate(c, fam, NULL, &p, true, ip, &e) == 0;
    double full_ns = (cpu_s() - t0) * 1e9 / 1000;
    if (!count)
        printf("  next allocation (mean of 1000): %s, %.0f CPU ns\n", rc ? "succeeded?!" : e.message, full_ns);
    printf("  total %.2f s, %zu IPAddresses, RSS %ld MiB\n", now_s() - t_all, alloc_ipaddress_count(c), rss_mib());
    alloc_close(c);
    return rc ? 1 : 0;
}

typedef struct job {
    alloc_cluster *c;
    int id, n;
} job;

static void *store_worker(void *arg)
{
    job *j = arg;
    char name[32], ips[2][ALLOC_IP_STRLEN];
    size_t n;
    alloc_err e;
    for (int i = 0; i < j->n; i++) {
        snprintf(name, sizeof name, "t%d-%d", j->id, i);
        if (alloc_service_allocate(j->c, "bench", name, NULL, 0, NULL, 0, ips, &n, &e) < 0) {
            fprintf(stderr, "%s\n", e.message);
            exit(1);
        }
    }
    return NULL;
}

static int store(const char *dir, int threads, int per)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bench-%d.db", dir, threads);
    unlink(path);
    alloc_opts o = {0};
    o.store_path = path;
    o.service_cidrs = "10.0.0.0/8";
    o.seed = 1;
    o.deletion_grace_ms = o.leak_grace_ms = -1;
    char *err = NULL;
    alloc_cluster *c = alloc_open(&o, &err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    pthread_t t[64];
    job jobs[64];
    if (threads > 64)
        threads = 64;
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        jobs[i] = (job){c, i, per};
        pthread_create(&t[i], NULL, store_worker, &jobs[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double dt = now_s() - t0;
    printf("  durable, %2d threads: %6d allocations in %.2f s = %8.0f allocations/s\n", threads,
           threads * per, dt, (double)(threads * per) / dt);
    alloc_close(c);
    unlink(path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "fill") == 0)
        return fill(argv[2], strtoull(argv[3], NULL, 10));
    if (argc == 5 && strcmp(argv[1], "store") == 0)
        return store(argv[2], atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: alloc_bench fill <cidr> <count> | store <dir> <threads> <per-thread>\n");
    return 2;
}
