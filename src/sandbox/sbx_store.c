/*
 * sandbox/sbx_store.c: the sandbox's own objects (Namespaces, Services,
 * ValidatingAdmissionPolicies and bindings) in SQLite beside the
 * allocator's store, and the resourceVersions of every object.
 *
 * Objects live in memory as jansson values keyed "resource/namespace/name"
 * and each write goes to disk in its own transaction (WAL,
 * synchronous=FULL) before it is acknowledged. resourceVersion is one
 * counter for the whole sandbox, as etcd's revision is for a cluster. The
 * allocator owns ServiceCIDRs and IPAddresses; their resourceVersions are
 * "views": the store remembers a hash of what it last served for each and
 * gives a new version whenever the content changed (a controller update, a
 * finalizer removed), so clients see versions change exactly when objects do.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

#define STORE_VERSION 1

struct sbx_store {
    sqlite3 *db;
    json_t *objs;   /* key -> object */
    json_t *views;  /* key -> [rv, "hash"] */
    uint64_t rv;
};

static void key_of(char *buf, size_t bufsz, const char *resource, const char *ns, const char *name)
{
    snprintf(buf, bufsz, "%s/%s/%s", resource, ns ? ns : "", name);
}

static int exec(sqlite3 *db, const char *sql, char **err)
{
    char *m = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &m) != SQLITE_OK) {
        if (err && asprintf(err, "%s", m ? m : "sqlite error") < 0)
            *err = NULL;
        sqlite3_free(m);
        return -1;
    }
    return 0;
}

static int load(sbx_store *st, char **err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT key, value FROM objects", -1, &q, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        const char *v = (const char *)sqlite3_column_text(q, 1);
        json_error_t je;
        json_t *o = v ? json_loads(v, 0, &je) : NULL;
        if (!k || !json_is_object(o)) {
            json_decref(o);
            sqlite3_finalize(q);
            if (asprintf(err, "object %s: unreadable row", k ? k : "?") < 0)
                *err = NULL;
            return -1;
        }
        json_object_set_new(st->objs, k, o);
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(st->db, "SELECT key, rv, hash, uid, created FROM views", -1, &q, NULL) !=
        SQLITE_OK)
        return -1;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        const char *h = (const char *)sqlite3_column_text(q, 2);
        const char *u = (const char *)sqlite3_column_text(q, 3);
        const char *c = (const char *)sqlite3_column_text(q, 4);
        if (k && h && u && c)
            json_object_set_new(st->views, k, json_pack("[I, s, s, s]",
                                                        (json_int_t)sqlite3_column_int64(q, 1), h, u, c));
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE name = 'rv'", -1, &q, NULL) !=
        SQLITE_OK)
        return -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        st->rv = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return 0;
}

sbx_store *sbx_store_open(const char *path, char **err)
{
    *err = NULL;
    sbx_store *st = calloc(1, sizeof *st);
    if (!st || !(st->objs = json_object()) || !(st->views = json_object())) {
        sbx_store_close(st);
        *err = strdup("out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path ? path : ":memory:", &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        if (asprintf(err, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open") < 0)
            *err = NULL;
        sbx_store_close(st);
        return NULL;
    }
    sqlite3_busy_timeout(st->db, 2000);
    sqlite3_stmt *q;
    int version = 0;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            version = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    if (version > STORE_VERSION) {
        if (asprintf(err, "%s: store format %d is newer than this celgate (%d)", path, version,
                     STORE_VERSION) < 0)
            *err = NULL;
        sbx_store_close(st);
        return NULL;
    }
    char *e = NULL;
    /* One sandbox per data folder: the exclusive lock refuses a second. */
    if (exec(st->db,
             "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
             "BEGIN IMMEDIATE;"
             "CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
             "CREATE TABLE IF NOT EXISTS views (key TEXT PRIMARY KEY, rv INTEGER NOT NULL,"
             " hash TEXT NOT NULL, uid TEXT NOT NULL, created TEXT NOT NULL);"
             "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
             "PRAGMA user_version=1; COMMIT;",
             &e) < 0 ||
        load(st, &e) < 0) {
        if (asprintf(err, "%s: %s", path ? path : "store", e ? e : sqlite3_errmsg(st->db)) < 0)
            *err = NULL;
        free(e);
        sbx_store_close(st);
        return NULL;
    }
    return st;
}

void sbx_store_close(sbx_store *st)
{
    if (!st)
        return;
    if (st->db)
        sqlite3_close(st->db);
    json_decref(st->objs);
    json_decref(st->views);
    free(st);
}

json_t *sbx_store_get(sbx_store *st, const char *resource, const char *ns, const char *name)
{
    char k[600];
    key_of(k, sizeof k, resource, ns, name);
    return json_object_get(st->objs, k);
}

static int cmp_items(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *nx = sbx_meta_str(x, "namespace"), *ny = sbx_meta_str(y, "namespace");
    int c = strcmp(nx ? nx : "", ny ? ny : "");
    if (c)
        return c;
    const char *ax = sbx_meta_str(x, "name"), *ay = sbx_meta_str(y, "name");
    return strcmp(ax ? ax : "", ay ? ay : "");
}

json_t *sbx_store_list(sbx_store *st, const char *resource, const char *ns)
{
    size_t cap = json_object_size(st->objs), n = 0;
    json_t **v = cap ? malloc(cap * sizeof *v) : NULL;
    char prefix[600];
    if (ns)
        snprintf(prefix, sizeof prefix, "%s/%s/", resource, ns);
    else
        snprintf(prefix, sizeof prefix, "%s/", resource);
    size_t plen = strlen(prefix);
    const char *k;
    json_t *o;
    json_object_foreach(st->objs, k, o) {
        if (v && !strncmp(k, prefix, plen))
            v[n++] = o;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_items);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(a, v[i]);
    free(v);
    return a;
}

size_t sbx_store_count(sbx_store *st)
{
    return json_object_size(st->objs);
}

uint64_t sbx_store_rv(sbx_store *st)
{
    return st->rv;
}

/* Runs one write transaction: the rv counter and one row change. */
static int write_tx(sbx_store *st, const char *sql, const char *key, const char *value,
                    int64_t extra, const char *extra_text, sbx_err *e)
{
    sqlite3_stmt *q = NULL, *m = NULL;
    if (exec(st->db, "BEGIN IMMEDIATE", NULL) < 0)
        goto fail;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    if (value)
        sqlite3_bind_text(q, 2, value, -1, SQLITE_TRANSIENT);
    else if (extra_text) {
        sqlite3_bind_int64(q, 2, extra);
        sqlite3_bind_text(q, 3, extra_text, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(q) != SQLITE_DONE)
        goto fail;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta (name, value) VALUES ('rv', ?)", -1,
                           &m, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(m, 1, (sqlite3_int64)st->rv);
    if (sqlite3_step(m) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(q);
    sqlite3_finalize(m);
    if (exec(st->db, "COMMIT", NULL) < 0) {
        exec(st->db, "ROLLBACK", NULL);
        sbx_err_set(e, 500, "InternalError", "Internal error occurred: store commit failed: %s",
                    sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
fail:
    sbx_err_set(e, 500, "InternalError", "Internal error occurred: store write failed: %s",
                sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    sqlite3_finalize(m);
    exec(st->db, "ROLLBACK", NULL);
    return -1;
}

int sbx_store_put(sbx_store *st, const char *resource, const char *ns, const char *name, json_t *obj,
                  sbx_err *e)
{
    char k[600], rvs[24];
    key_of(k, sizeof k, resource, ns, name);
    if (!json_object_get(st->objs, k) && json_object_size(st->objs) >= SBX_MAX_OBJECTS) {
        json_decref(obj);
        sbx_err_set(e, 403, "Forbidden", "the sandbox holds at most %u objects", SBX_MAX_OBJECTS);
        return -1;
    }
    uint64_t old_rv = st->rv;
    st->rv++;
    snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)st->rv);
    json_object_set_new(sbx_meta(obj), "resourceVersion", json_string(rvs));
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text || write_tx(st, "INSERT OR REPLACE INTO objects (key, value) VALUES (?, ?)", k, text, 0,
                          NULL, e) < 0) {
        if (!text)
            sbx_err_set(e, 500, "InternalError", "Internal error occurred: out of memory");
        free(text);
        st->rv = old_rv;
        json_decref(obj);
        return -1;
    }
    free(text);
    json_object_set_new(st->objs, k, obj);
    return 0;
}

int sbx_store_del(sbx_store *st, const char *resource, const char *ns, const char *name, sbx_err *e)
{
    char k[600];
    key_of(k, sizeof k, resource, ns, name);
    uint64_t old_rv = st->rv;
    st->rv++;
    if (write_tx(st, "DELETE FROM objects WHERE key = ?", k, NULL, 0, NULL, e) < 0) {
        st->rv = old_rv;
        return -1;
    }
    json_object_del(st->objs, k);
    return 0;
}

/* FNV-1a of the object without its resourceVersion, keys sorted. */
static void content_hash(const json_t *obj, char out[17])
{
    json_t *c = json_deep_copy(obj);
    json_object_del(json_object_get(c, "metadata"), "resourceVersion");
    char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    uint64_t h = 1469598103934665603ull;
    for (const char *p = s; p && *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ull;
    }
    free(s);
    json_decref(c);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Writes one view row and the rv counter; failures are ignored: a view
 * that cannot be written is still served, its version only matters for
 * conflicts and the next read tries again. */
static void write_view(sbx_store *st, const char *key, uint64_t rv, const char *hash, const char *uid,
                       const char *created)
{
    sqlite3_stmt *q = NULL;
    if (exec(st->db, "BEGIN IMMEDIATE", NULL) < 0)
        return;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO views (key, rv, hash, uid, created) VALUES (?, ?, ?, ?, ?)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)rv);
        sqlite3_bind_text(q, 3, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, created, -1, SQLITE_TRANSIENT);
        sqlite3_step(q);
        sqlite3_finalize(q);
    }
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta (name, value) VALUES ('rv', ?)", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, (sqlite3_int64)st->rv);
        sqlite3_step(q);
        sqlite3_finalize(q);
    }
    if (exec(st->db, "COMMIT", NULL) < 0)
        exec(st->db, "ROLLBACK", NULL);
}

void sbx_store_view(sbx_store *st, const char *key, json_t *obj)
{
    char h[17], rvs[24], uid[37];
    content_hash(obj, h);
    json_t *md = sbx_meta(obj);
    const char *created = json_string_value(json_object_get(md, "creationTimestamp"));
    const char *have_uid = json_string_value(json_object_get(md, "uid"));
    if (!created)
        created = "";
    json_t *v = json_object_get(st->views, key);
    const char *vuid = json_string_value(json_array_get(v, 2));
    const char *vcreated = json_string_value(json_array_get(v, 3));
    bool same_object = v && vcreated && !strcmp(vcreated, created) &&
                       (!have_uid || (vuid && !strcmp(vuid, have_uid)));
    if (same_object && !strcmp(json_string_value(json_array_get(v, 1)), h)) {
        snprintf(rvs, sizeof rvs, "%lld", (long long)json_integer_value(json_array_get(v, 0)));
    } else {
        if (have_uid)
            snprintf(uid, sizeof uid, "%s", have_uid);
        else if (same_object && vuid)
            snprintf(uid, sizeof uid, "%s", vuid);
        else
            sbx_uuid(uid);
        st->rv++;
        write_view(st, key, st->rv, h, uid, created);
        json_object_set_new(st->views, key, json_pack("[I, s, s, s]", (json_int_t)st->rv, h, uid, created));
        snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)st->rv);
        v = json_object_get(st->views, key);
    }
    if (!have_uid)
        json_object_set_new(md, "uid", json_string(json_string_value(json_array_get(v, 2))));
    json_object_set_new(md, "resourceVersion", json_string(rvs));
}

void sbx_store_view_forget(sbx_store *st, const char *key)
{
    if (!json_object_get(st->views, key))
        return;
    json_object_del(st->views, key);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM views WHERE key = ?", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_step(q);
        sqlite3_finalize(q);
    }
}
