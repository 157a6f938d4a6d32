/*
 * alloc_crash.c: crash test of the allocator store. Usage:
 *   alloc_crash <store-dir> <kills>
 * Each round forks a writer that opens the store and runs four threads of
 * random Service allocations and releases and one thread creating and
 * deleting ServiceCIDRs, reporting every operation it starts ("b name")
 * and every acknowledgement ("A name ip", "R name", "F name" for range
 * full, "C cidr" created, "D cidr" deletion accepted, "S cidr" skipped) on
 * a pipe, one write() per line. The driver kills it with SIGKILL after a
 * random delay, then opens the store itself and checks: it opens (the
 * index rebuilds and agrees with the rows), every acknowledged allocation
 * is there with its IP, every acknowledged release is gone, created
 * ServiceCIDRs exist, deleted ones are deleting or gone (anything with an
 * operation in flight may be either way), and no IP has two owners. Exits
 * non-zero on the first violation.
 */
#include "celgate/alloc.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NAMES 300
#define THREADS 4
#define CIDRS 10
#define RANGE "10.96.0.0/24" /* 253 free addresses for 300 names: it fills */

typedef struct writer {
    alloc_cluster *c;
    int fd, first, count;
    unsigned seed;
} writer;

static void say(int fd, const char *line)
{
    size_t len = strlen(line);
    if (write(fd, line, len) != (ssize_t)len)
        _exit(3);
}

static void *writer_thread(void *arg)
{
    writer *w = arg;
    char line[128], name[32], ips[2][ALLOC_IP_STRLEN];
    for (;;) {
        int k = w->first + rand_r(&w->seed) % w->count;
        snprintf(name, sizeof name, "s%d", k);
        alloc_err err;
        snprintf(line, sizeof line, "b %s\n", name);
        say(w->fd, line);
        if (alloc_service_ips(w->c, "crash", name, ips)) {
            if (alloc_service_release(w->c, "crash", name, &err) < 0)
                _exit(4);
            snprintf(line, sizeof line, "R %s\n", name);
        } else {
            size_t n;
            if (alloc_service_allocate(w->c, "crash", name, NULL, 0, NULL, 0, ips, &n, &err) == 0)
                snprintf(line, sizeof line, "A %s %s\n", name, ips[0]);
            else if (err.code == 500 && strstr(err.message, "range is full"))
                snprintf(line, sizeof line, "F %s\n", name);
            else
                _exit(5);
        }
        say(w->fd, line);
    }
    return NULL;
}

static void *cidr_thread(void *arg)
{
    writer *w = arg;
    char line[128], name[32], cidr[32];
    for (;;) {
        int k = rand_r(&w->seed) % CIDRS;
        snprintf(name, sizeof name, "c%d", k);
        snprintf(cidr, sizeof cidr, "10.200.%d.0/24", k);
        alloc_err err;
        snprintf(line, sizeof line, "b %s\n", name);
        say(w->fd, line);
        json_t *cur = alloc_servicecidr_get(w->c, name);
        if (!cur) {
            json_t *obj = json_pack("{s:{s:s}, s:{s:[s]}}", "metadata", "name", name, "spec", "cidrs", cidr);
            if (alloc_servicecidr_create(w->c, obj, NULL, &err) < 0)
                _exit(6);
            json_decref(obj);
            snprintf(line, sizeof line, "C %s\n", name);
        } else if (!json_object_get(json_object_get(cur, "metadata"), "deletionTimestamp")) {
            if (alloc_servicecidr_delete(w->c, name, &err) < 0)
                _exit(7);
            snprintf(line, sizeof line, "D %s\n", name);
        } else {
            snprintf(line, sizeof line, "S %s\n", name);
        }
        json_decref(cur);
        say(w->fd, line);
        /* Pace it: ServiceCIDR changes are rare next to allocations. */
        struct timespec d = {0, 2000000};
        nanosleep(&d, NULL);
    }
    return NULL;
}

static void run_writer(const char *path, int fd, unsigned seed)
{
    alloc_opts o = {0};
    o.store_path = path;
    o.service_cidrs = RANGE;
    o.seed = seed;
    o.deletion_grace_ms = 0; /* ServiceCIDRs come and go quickly */
    o.leak_grace_ms = -1;
    char *err = NULL;
    alloc_cluster *c = alloc_open(&o, &err);
    if (!c) {
        fprintf(stderr, "writer: %s\n", err);
        _exit(2);
    }
    pthread_t t[THREADS];
    writer w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (writer){c, fd, i * (NAMES / THREADS), NAMES / THREADS, seed * 31u + (unsigned)i};
        pthread_create(&t[i], NULL, writer_thread, &w[i]);
    }
    pthread_t ct;
    writer cw = {c, fd, 0, CIDRS, seed * 97u + 5u};
    pthread_create(&ct, NULL, cidr_thread, &cw);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    _exit(0);
}

/* What the driver knows: the IP of each Service, "" when none, and
 * whether an operation was started but not acknowledged. */
typedef struct model {
    char ip[NAMES][ALLOC_IP_STRLEN];
    int inflight[NAMES];
    int cidr[CIDRS];       /* 0 absent, 1 live, 2 deleting or gone */
    int cidr_inflight[CIDRS];
} model;

static int name_index(const char *s)
{
    return s[0] == 's' ? atoi(s + 1) : -1;
}

static void apply_line(model *m, char *line)
{
    char name[32] = "", ip[ALLOC_IP_STRLEN] = "";
    char op = line[0];
    if (sscanf(line + 1, " %31s %47s", name, ip) < 1)
        return;
    if (name[0] == 'c') {
        int k = atoi(name + 1);
        if (k < 0 || k >= CIDRS)
            return;
        if (op == 'b')
            m->cidr_inflight[k] = 1;
        else
            m->cidr_inflight[k] = 0;
        if (op == 'C')
            m->cidr[k] = 1;
        else if (op == 'D')
            m->cidr[k] = 2;
        return;
    }
    int k = name_index(name);
    if (k < 0 || k >= NAMES)
        return;
    switch (op) {
    case 'b':
        m->inflight[k] = 1;
        break;
    case 'A':
        snprintf(m->ip[k], ALLOC_IP_STRLEN, "%s", ip);
        m->inflight[k] = 0;
        break;
    case 'R':
        m->ip[k][0] = 0;
        m->inflight[k] = 0;
        break;
    case 'F':
        m->inflight[k] = 0;
        break;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Opens the store and checks it against the model; then makes the model
 * the store's truth for the next round. */
static int verify(const char *path, model *m, int round)
{
    alloc_opts o = {0};
    o.store_path = path;
    o.service_cidrs = RANGE;
    o.seed = 1;
    o.deletion_grace_ms = o.leak_grace_ms = -1;
    char *err = NULL;
    alloc_cluster *c = alloc_open(&o, &err);
    if (!c) {
        fprintf(stderr, "round %d: store does not open: %s\n", round, err);
        free(err);
        return -1;
    }
    char (*seen)[ALLOC_IP_STRLEN] = calloc(NAMES + 1, ALLOC_IP_STRLEN);
    int nseen = 0, bad = 0;
    if (!seen) {
        alloc_close(c);
        return -1;
    }
    for (int k = 0; k < NAMES; k++) {
        char name[32], ips[2][ALLOC_IP_STRLEN];
        snprintf(name, sizeof name, "s%d", k);
        size_t n = alloc_service_ips(c, "crash", name, ips);
        if (!m->inflight[k]) {
            if (m->ip[k][0] && (n != 1 || strcmp(ips[0], m->ip[k]) != 0)) {
                fprintf(stderr, "round %d: acknowledged %s=%s lost (store has %s)\n", round, name, m->ip[k],
                        n ? ips[0] : "nothing");
                bad = 1;
            }
            if (!m->ip[k][0] && n != 0) {
                fprintf(stderr, "round %d: released %s still holds %s\n", round, name, ips[0]);
                bad = 1;
            }
        }
        if (n == 1) {
            json_t *ipa = alloc_ipaddress_get(c, ips[0]);
            const char *owner = json_string_value(
                json_object_get(json_object_get(json_object_get(ipa, "spec"), "parentRef"), "name"));
            if (!owner || strcmp(owner, name) != 0) {
                fprintf(stderr, "round %d: %s's IP %s is owned by %s\n", round, name, ips[0],
                        owner ? owner : "nobody");
                bad = 1;
            }
            json_decref(ipa);
            memcpy(seen[nseen++], ips[0], ALLOC_IP_STRLEN);
        }
        snprintf(m->ip[k], ALLOC_IP_STRLEN, "%s", n == 1 ? ips[0] : "");
        m->inflight[k] = 0;
    }
    for (int k = 0; k < CIDRS; k++) {
        char name[32];
        snprintf(name, sizeof name, "c%d", k);
        json_t *sc = alloc_servicecidr_get(c, name);
        bool deleting = sc && json_object_get(json_object_get(sc, "metadata"), "deletionTimestamp");
        if (!m->cidr_inflight[k]) {
            if (m->cidr[k] == 1 && (!sc || deleting)) {
                fprintf(stderr, "round %d: created ServiceCIDR %s %s\n", round, name, sc ? "is being deleted" : "lost");
                bad = 1;
            }
            if (m->cidr[k] == 0 && sc) {
                fprintf(stderr, "round %d: ServiceCIDR %s exists but was never created\n", round, name);
                bad = 1;
            }
            if (m->cidr[k] == 2 && sc && !deleting) {
                fprintf(stderr, "round %d: deleted ServiceCIDR %s is live again\n", round, name);
                bad = 1;
            }
        }
        m->cidr[k] = !sc ? 0 : deleting ? 2 : 1;
        m->cidr_inflight[k] = 0;
        json_decref(sc);
    }
    qsort(seen, (size_t)nseen, ALLOC_IP_STRLEN, cmp_str);
    for (int i = 1; i < nseen; i++) {
        if (strcmp(seen[i - 1], seen[i]) == 0) {
            fprintf(stderr, "round %d: %s given to two Services\n", round, seen[i]);
            bad = 1;
        }
    }
    /* Every IPAddress belongs to a Service (plus kubernetes.default). */
    if (alloc_ipaddress_count(c) != (size_t)nseen + 1) {
        fprintf(stderr, "round %d: %zu IPAddresses for %d Services\n", round, alloc_ipaddress_count(c), nseen);
        bad = 1;
    }
    free(seen);
    alloc_close(c);
    return bad ? -1 : nseen;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: alloc_crash <store-dir> <kills>\n");
        return 2;
    }
    const char *dir = argv[1];
    int kills = atoi(argv[2]);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        perror(dir);
        return 2;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/alloc.db", dir);
    unlink(path);
    snprintf(path + strlen(path), sizeof path - strlen(path), "-wal");
    unlink(path);
    snprintf(path, sizeof path, "%s/alloc.db", dir);

    model *m = calloc(1, sizeof *m);
    char *buf = malloc(1 << 20);
    if (!m || !buf)
        return 2;
    unsigned rs = 12345;
    long acked = 0, inflight_at_kill = 0, cidr_changes = 0;
    int held = 0;
    for (int round = 1; round <= kills; round++) {
        int fds[2];
        if (pipe(fds) < 0) {
            perror("pipe");
            return 2;
        }
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            close(fds[0]);
            run_writer(path, fds[1], (unsigned)round);
        }
        close(fds[1]);
        /* 0-40 ms: some kills land while opening, most mid-stream. */
        struct timespec d = {0, (long)(rand_r(&rs) % 40000) * 1000L};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
            fprintf(stderr, "round %d: writer exited by itself (status %d)\n", round, status);
            return 1;
        }
        /* Drain what the writer said before dying. */
        size_t len = 0;
        ssize_t r;
        while ((r = read(fds[0], buf + len, (1 << 20) - 1 - len)) > 0)
            len += (size_t)r;
        close(fds[0]);
        buf[len] = 0;
        for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
            *nl = 0;
            if (strchr("ARCD", line[0]))
                acked++;
            if (strchr("CD", line[0]))
                cidr_changes++;
            apply_line(m, line);
        }
        for (int k = 0; k < NAMES; k++)
            inflight_at_kill += m->inflight[k];
        held = verify(path, m, round);
        if (held < 0)
            return 1;
    }
    printf("alloc_crash: %d kills, %ld acknowledged changes checked (%ld of ServiceCIDRs), %ld in flight "
           "at a kill, %d Services held at the end; no loss, no duplicate\n",
           kills, acked, cidr_changes, inflight_at_kill, held);
    free(m);
    free(buf);
    return 0;
}
