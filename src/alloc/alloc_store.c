/*
 * alloc_store.c: the durable state, an SQLite file in WAL mode with
 * synchronous=FULL, so a committed transaction survives kill -9 and power
 * loss. The IP is the primary key of its table: even a wrong in-memory
 * index cannot make two owners of one address survive a commit.
 *
 * Group commit: callers queue their changes (under the cluster mutex, in
 * memory order) and then wait. The first waiter to find no commit running
 * becomes the leader, takes every queued change, and commits them in one
 * transaction while later callers queue behind it; followers sleep on a
 * condition variable until the batch holding their change is done. After a
 * failed commit the store stays failed: every later change fails too, so
 * no caller is ever told a lost change was kept.
 *
 * The file is opened in exclusive locking mode: one process owns a store.
 */
#include "alloc_int.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALLOC_APP_ID 0x43454C47 /* "CELG" */

typedef struct alloc_op {
    struct alloc_op *next;
    uint64_t seq;
    enum alloc_op_kind kind;
    int64_t created_ms;
    char *key, *value;
} alloc_op;

struct alloc_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[6];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    alloc_op *head, *tail;
    uint64_t next_seq, done_seq;
    uint64_t failed_from; /* 0: healthy */
    char fail_msg[256];
    bool leader;
    uint64_t commits;
};

static const char *const op_sql[6] = {
    [ALLOC_OP_PUT_CIDR] = "INSERT OR REPLACE INTO servicecidrs(name, object) VALUES(?1, ?2)",
    [ALLOC_OP_DEL_CIDR] = "DELETE FROM servicecidrs WHERE name = ?1",
    /* Plain INSERT: the primary key refuses a second owner of an IP. */
    [ALLOC_OP_ADD_IP] = "INSERT INTO ipaddresses(ip, object, created_ms) VALUES(?1, ?2, ?3)",
    [ALLOC_OP_DEL_IP] = "DELETE FROM ipaddresses WHERE ip = ?1",
    [ALLOC_OP_PUT_SVC] = "INSERT OR REPLACE INTO services(key, ips) VALUES(?1, ?2)",
    [ALLOC_OP_DEL_SVC] = "DELETE FROM services WHERE key = ?1",
};

static const char *const load_sql[6] = {
    [ALLOC_OP_PUT_CIDR] = "SELECT name, object, 0 FROM servicecidrs ORDER BY name",
    [ALLOC_OP_ADD_IP] = "SELECT ip, object, created_ms FROM ipaddresses ORDER BY ip",
    [ALLOC_OP_PUT_SVC] = "SELECT key, ips, 0 FROM services ORDER BY key",
};

static const char schema[] =
    "CREATE TABLE servicecidrs(name TEXT PRIMARY KEY NOT NULL, object TEXT NOT NULL);"
    "CREATE TABLE ipaddresses(ip TEXT PRIMARY KEY NOT NULL, object TEXT NOT NULL,"
    "                         created_ms INTEGER NOT NULL);"
    "CREATE TABLE services(key TEXT PRIMARY KEY NOT NULL, ips TEXT NOT NULL);";

static char *errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *errf(const char *fmt, ...)
{
    char *m = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    return m;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Checks the format version and creates the schema of a new file. */
static char *prepare_schema(sqlite3 *db, const char *path)
{
    int version = 0, app = 0, tables = 0;
    if (pragma_int(db, "PRAGMA user_version", &version) < 0 ||
        pragma_int(db, "PRAGMA application_id", &app) < 0 ||
        pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables) < 0)
        return errf("store %s: cannot read its header: %s", path, sqlite3_errmsg(db));
    if (app != 0 && app != ALLOC_APP_ID)
        return errf("store %s: not a celgate allocator store", path);
    if (version > ALLOC_STORE_VERSION) {
        char *m = NULL;
        if (asprintf(&m,
                     "store %s: written by a newer celgate (format version %d; this build reads "
                     "versions up to %d); refusing to open it",
                     path, version, ALLOC_STORE_VERSION) < 0)
            m = NULL;
        return m;
    }
    if (version == ALLOC_STORE_VERSION && app == ALLOC_APP_ID)
        return NULL;
    if (tables != 0)
        return errf("store %s: not a celgate allocator store (it has tables but no format "
                    "version)", path);
    char *e = NULL;
    char sql[512];
    snprintf(sql, sizeof sql, "BEGIN IMMEDIATE; %s PRAGMA user_version = %d; PRAGMA application_id = %d; COMMIT;",
             schema, ALLOC_STORE_VERSION, ALLOC_APP_ID);
    if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
        char *m = errf("store %s: cannot create the schema: %s", path, e ? e : "?");
        sqlite3_free(e);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return m;
    }
    return NULL;
}

alloc_store *alloc_store_open(const char *path, char **err)
{
    alloc_store *s = calloc(1, sizeof *s);
    if (!s) {
        *err = strdup("out of memory");
        return NULL;
    }
    s->next_seq = 1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    char *m = NULL;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        m = errf("store %s: cannot open: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    char *e = NULL;
    /* Exclusive locking before the first WAL access: no shared memory, and a
     * second process gets "database is locked" instead of a split brain. */
    if (sqlite3_exec(s->db,
                     "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;",
                     NULL, NULL, &e) != SQLITE_OK) {
        m = errf("store %s: %s", path, e ? e : sqlite3_errmsg(s->db));
        sqlite3_free(e);
        goto fail;
    }
    if ((m = prepare_schema(s->db, path)))
        goto fail;
    for (int i = 0; i < 6; i++) {
        if (sqlite3_prepare_v2(s->db, op_sql[i], -1, &s->stmt[i], NULL) != SQLITE_OK) {
            m = errf("store %s: %s", path, sqlite3_errmsg(s->db));
            goto fail;
        }
    }
    return s;
fail:
    *err = m ? m : strdup("out of memory");
    alloc_store_close(s);
    return NULL;
}

static void free_ops(alloc_op *o)
{
    while (o) {
        alloc_op *n = o->next;
        free(o->key);
        free(o->value);
        free(o);
        o = n;
    }
}

void alloc_store_close(alloc_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < 6; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free_ops(s->head);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

uint64_t alloc_store_enqueue(alloc_store *s, const alloc_store_change *v, size_t n)
{
    alloc_op *first = NULL, **tail = &first;
    for (size_t i = 0; i < n; i++) {
        alloc_op *o = calloc(1, sizeof *o);
        if (!o) {
            free_ops(first);
            return 0;
        }
        *tail = o;
        tail = &o->next;
        o->kind = v[i].kind;
        o->created_ms = v[i].created_ms;
        o->key = strdup(v[i].key);
        o->value = v[i].value ? strdup(v[i].value) : NULL;
        if (!o->key || (v[i].value && !o->value)) {
            free_ops(first);
            return 0;
        }
    }
    if (!first)
        return 0;
    pthread_mutex_lock(&s->mu);
    /* One sequence number for the group: a leader takes whole groups. */
    uint64_t seq = s->next_seq++;
    alloc_op *last = first;
    for (alloc_op *o = first; o; o = o->next) {
        o->seq = seq;
        last = o;
    }
    if (s->tail)
        s->tail->next = first;
    else
        s->head = first;
    s->tail = last;
    pthread_mutex_unlock(&s->mu);
    return seq;
}

static int apply_batch(alloc_store *s, alloc_op *ops, char *msg, size_t msgsz)
{
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(msg, msgsz, "store: begin: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    for (alloc_op *o = ops; o; o = o->next) {
        sqlite3_stmt *st = s->stmt[o->kind];
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_text(st, 1, o->key, -1, SQLITE_STATIC);
        if (o->value)
            sqlite3_bind_text(st, 2, o->value, -1, SQLITE_STATIC);
        if (o->kind == ALLOC_OP_ADD_IP)
            sqlite3_bind_int64(st, 3, o->created_ms);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            snprintf(msg, msgsz, "store: writing %s: %s", o->key, sqlite3_errmsg(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(msg, msgsz, "store: commit: %s", sqlite3_errmsg(s->db));
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

int alloc_store_wait(alloc_store *s, uint64_t seq, alloc_err *err)
{
    pthread_mutex_lock(&s->mu);
    while (s->done_seq < seq) {
        if (s->leader) {
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        s->leader = true;
        alloc_op *batch = s->head;
        uint64_t first = batch ? batch->seq : 0;
        uint64_t last = s->tail ? s->tail->seq : s->done_seq;
        s->head = s->tail = NULL;
        bool broken = s->failed_from != 0;
        pthread_mutex_unlock(&s->mu);

        char msg[256] = "";
        int rc = broken ? -1 : apply_batch(s, batch, msg, sizeof msg);
        free_ops(batch);

        pthread_mutex_lock(&s->mu);
        if (rc < 0 && !broken && first) {
            s->failed_from = first;
            snprintf(s->fail_msg, sizeof s->fail_msg, "%s", msg);
        }
        if (rc == 0)
            s->commits++;
        s->done_seq = last;
        s->leader = false;
        pthread_cond_broadcast(&s->cv);
    }
    bool failed = s->failed_from != 0 && seq >= s->failed_from;
    if (failed)
        alloc_err_set(err, 500, "InternalError", "Internal error occurred: %s", s->fail_msg);
    pthread_mutex_unlock(&s->mu);
    return failed ? -1 : 0;
}

int alloc_store_load(alloc_store *s, enum alloc_op_kind table, alloc_store_row_fn fn, void *arg,
                     char **err)
{
    sqlite3_stmt *st;
    if (!load_sql[table] || sqlite3_prepare_v2(s->db, load_sql[table], -1, &st, NULL) != SQLITE_OK) {
        *err = errf("store: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (!k || !v || fn(arg, k, v, sqlite3_column_int64(st, 2)) < 0) {
            ret = -1;
            break;
        }
    }
    if (ret == 0 && rc != SQLITE_DONE) {
        *err = errf("store: reading: %s", sqlite3_errmsg(s->db));
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

uint64_t alloc_store_commits(alloc_store *s)
{
    pthread_mutex_lock(&s->mu);
    uint64_t n = s->commits;
    pthread_mutex_unlock(&s->mu);
    return n;
}
