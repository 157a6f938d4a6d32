/*
 * webhook/wh_reload.c: the main thread of `celgate serve` once the server
 * runs: it waits for signals and file changes and reloads off the request
 * path.
 *
 * Changes are noticed three ways: inotify on the folders that hold the
 * policies, certificate and key (a Kubernetes ConfigMap or Secret volume
 * swaps a `..data` symlink in that folder, which inotify reports as a
 * rename there); a periodic check, for file systems where inotify says
 * nothing; and SIGHUP, which reloads both unconditionally. A check compares
 * a fingerprint of the files, so a burst of events costs one reload. A
 * failed reload leaves the set in force untouched and is logged and counted.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wh.h"

#define DEBOUNCE_MS 200
#define WALK_MAX_DEPTH 8
#define WALK_MAX_ENTRIES 10000

static void sigset_serve(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

int wh_signals_block(char **err)
{
    sigset_t set;
    sigset_serve(&set);
    /* Blocked in every thread started after this, so only signalfd sees them. */
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        if (err && asprintf(err, "cannot block signals") < 0)
            *err = NULL;
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Names, sizes, inodes and modification times of every file under path,
 * following symlinks and skipping dot entries (a volume's `..data` and
 * timestamped folders are reached through the visible symlinks). */
static uint64_t fp_walk(uint64_t h, const char *path, int depth, size_t *entries)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return fnv(h, "missing", 7);
    h = fnv(h, path, strlen(path));
    if (!S_ISDIR(st.st_mode)) {
        h = fnv(h, &st.st_size, sizeof st.st_size);
        h = fnv(h, &st.st_ino, sizeof st.st_ino);
        h = fnv(h, &st.st_mtim, sizeof st.st_mtim);
        return h;
    }
    if (depth >= WALK_MAX_DEPTH)
        return h;
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0)
        return fnv(h, "unreadable", 10);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.' && ++*entries <= WALK_MAX_ENTRIES) {
            char sub[PATH_MAX];
            if (snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name) < (int)sizeof sub)
                h = fp_walk(h, sub, depth + 1, entries);
        }
        free(names[i]);
    }
    free(names);
    return h;
}

static uint64_t fp_policies(const wh_config *c)
{
    size_t entries = 0;
    return fp_walk(14695981039346656037ull, c->policies, 0, &entries);
}

/* Certificate and key by content: a rewrite in place keeps size and may keep
 * the modification time. */
static uint64_t fp_cert(const wh_config *c)
{
    uint64_t h = 14695981039346656037ull;
    const char *files[] = {c->cert_file, c->key_file};
    for (int i = 0; i < 2; i++) {
        char *data = NULL, *err = NULL;
        size_t len = 0;
        if (wh_read_file(files[i], WH_PEM_MAX, &data, &len, &err) == 0) {
            h = fnv(h, data, len);
            explicit_bzero(data, len);
        } else {
            h = fnv(h, "unreadable", 10);
        }
        free(data);
        free(err);
    }
    return h;
}

static void watch_dir_of(int ifd, const char *path, bool is_dir_itself)
{
    char dir[PATH_MAX];
    struct stat st;
    if (is_dir_itself && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(dir, sizeof dir, "%s", path);
    } else {
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
    }
    uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE |
                    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
    if (inotify_add_watch(ifd, dir, mask) < 0)
        wh_log("warn", "cannot watch folder; relying on the periodic check",
               json_pack("{s:s, s:s}", "path", dir, "error", strerror(errno)));
}

static void reload_policies(wh_server *s, const char *why)
{
    char *err = NULL;
    if (wh_server_reload_policies(s, &err) == 0)
        wh_log("info", "policies reloaded", json_pack("{s:s}", "trigger", why));
    else
        wh_log("error", "policy reload failed; the previous set stays in force",
               json_pack("{s:s, s:s}", "trigger", why, "error", err ? err : "unknown"));
    free(err);
}

static void reload_cert(wh_server *s, const char *why)
{
    char *err = NULL;
    if (wh_server_reload_cert(s, &err) == 0)
        wh_log("info", "certificate reloaded",
               json_pack("{s:s, s:I}", "trigger", why, "not_after",
                         (json_int_t)wh_server_cert_not_after(s)));
    else
        wh_log("error", "certificate reload failed; the previous certificate stays in force",
               json_pack("{s:s, s:s}", "trigger", why, "error", err ? err : "unknown"));
    free(err);
}

int wh_run(wh_server *s)
{
    const wh_config *c = wh_server_config(s);
    sigset_t set;
    sigset_serve(&set);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        wh_log("error", "signalfd failed", json_pack("{s:s}", "error", strerror(errno)));
        wh_server_shutdown(s);
        return 1;
    }
    int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (ifd < 0)
        wh_log("warn", "inotify unavailable; relying on the periodic check",
               json_pack("{s:s}", "error", strerror(errno)));
    else {
        watch_dir_of(ifd, c->policies, true);
        watch_dir_of(ifd, c->cert_file, false);
        watch_dir_of(ifd, c->key_file, false);
    }
    uint64_t fpp = fp_policies(c), fpc = fp_cert(c);
    uint64_t next_tick = c->reload_interval ? now_ms() + c->reload_interval * 1000ull : 0;
    uint64_t pending = 0; /* when a debounced check is due; 0: none */
    int status = 0;
    for (;;) {
        struct pollfd p[2] = {{sfd, POLLIN, 0}, {ifd, POLLIN, 0}};
        uint64_t now = now_ms(), due = UINT64_MAX;
        if (pending)
            due = pending;
        if (next_tick && next_tick < due)
            due = next_tick;
        int timeout = due == UINT64_MAX ? 1000 : (due <= now ? 0 : (int)(due - now));
        if (timeout > 1000)
            timeout = 1000;
        int n = poll(p, ifd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (p[0].revents & POLLIN)) {
            struct signalfd_siginfo si;
            bool stop = false;
            while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGHUP) {
                    reload_policies(s, "SIGHUP");
                    reload_cert(s, "SIGHUP");
                    fpp = fp_policies(c);
                    fpc = fp_cert(c);
                } else {
                    stop = true;
                }
            }
            if (stop)
                break;
        }
        if (n > 0 && ifd >= 0 && (p[1].revents & POLLIN)) {
            char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
            while (read(ifd, buf, sizeof buf) > 0) {
            }
            pending = now_ms() + DEBOUNCE_MS;
        }
        now = now_ms();
        bool tick = next_tick && now >= next_tick;
        if ((pending && now >= pending) || tick) {
            const char *why = pending && now >= pending ? "file change" : "periodic check";
            pending = 0;
            if (tick)
                next_tick = now + c->reload_interval * 1000ull;
            uint64_t np = fp_policies(c), nc = fp_cert(c);
            if (np != fpp) {
                fpp = np;
                reload_policies(s, why);
            }
            if (nc != fpc) {
                fpc = nc;
                reload_cert(s, why);
            }
        }
    }
    close(sfd);
    if (ifd >= 0)
        close(ifd);
    wh_server_shutdown(s);
    return status;
}
