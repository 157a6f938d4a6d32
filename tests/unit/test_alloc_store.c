/*
 * test_alloc_store.c: durability: state survives close/reopen and the
 * index is rebuilt from the store; newer format versions, foreign files,
 * corrupt rows and a second owner are refused with clear errors; queued
 * changes are grouped into one commit; concurrent callers never share an
 * address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc/alloc_int.h"

/* The group's scratch folder travels in cmocka's state. */
static int setup(void **state)
{
    char *dir = strdup("/tmp/celgate-alloc-store-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    free(*state);
    return system(cmd) == 0 ? 0 : -1;
}

#define path_of(buf, name) snprintf(buf, 300, "%s/%s", (const char *)*state, name)

static alloc_cluster *open_store(const char *path, const char *ranges, char **err)
{
    alloc_opts o = {0};
    o.store_path = path;
    o.service_cidrs = ranges;
    o.seed = 9;
    o.deletion_grace_ms = 0;
    o.leak_grace_ms = -1;
    return alloc_open(&o, err);
}

static void test_reopen(void **state)
{
    (void)state;
    char path[300], *err = NULL;
    path_of(path, "reopen.db");
    alloc_cluster *c = open_store(path, "10.96.0.0/24", &err);
    assert_non_null(c);
    alloc_err e;
    char ips[60][2][ALLOC_IP_STRLEN], name[32];
    size_t n;
    for (int i = 0; i < 60; i++) {
        snprintf(name, sizeof name, "s%d", i);
        assert_int_equal(alloc_service_allocate(c, "ns", name, NULL, 0, NULL, 0, ips[i], &n, &e), 0);
    }
    for (int i = 0; i < 60; i += 3) {
        snprintf(name, sizeof name, "s%d", i);
        assert_int_equal(alloc_service_release(c, "ns", name, &e), 0);
    }
    json_t *sc = json_pack("{s:{s:s}, s:{s:[s]}}", "metadata", "name", "extra", "spec", "cidrs", "10.100.0.0/16");
    assert_int_equal(alloc_servicecidr_create(c, sc, NULL, &e), 0);
    json_decref(sc);
    char one[2][ALLOC_IP_STRLEN];
    const char *want[1] = {"10.100.0.9"};
    assert_int_equal(alloc_service_allocate(c, "ns", "pinned", want, 1, NULL, 0, one, &n, &e), 0);
    /* Held: 10.100.0.9 lives only in "extra". */
    assert_int_equal(alloc_servicecidr_delete(c, "extra", &e), 0);
    size_t count = alloc_ipaddress_count(c);
    assert_int_equal(count, 1 + 40 + 1);
    alloc_close(c);

    c = open_store(path, "10.96.0.0/24", &err);
    if (!c)
        fail_msg("reopen: %s", err);
    assert_int_equal(alloc_ipaddress_count(c), count);
    for (int i = 0; i < 60; i++) {
        snprintf(name, sizeof name, "s%d", i);
        char got[2][ALLOC_IP_STRLEN];
        size_t k = alloc_service_ips(c, "ns", name, got);
        if (i % 3 == 0) {
            assert_int_equal(k, 0);
        } else {
            assert_int_equal(k, 1);
            assert_string_equal(got[0], ips[i][0]);
        }
    }
    json_t *ex = alloc_servicecidr_get(c, "extra");
    assert_non_null(ex);
    assert_non_null(json_object_get(json_object_get(ex, "metadata"), "deletionTimestamp"));
    json_decref(ex);
    /* The rebuilt index refuses taken addresses and hands out free ones. */
    assert_int_equal(alloc_service_allocate(c, "ns", "again", (const char *[]){ips[1][0]}, 1, NULL, 0, one, &n, &e), -1);
    assert_non_null(strstr(e.message, "provided IP is already allocated"));
    for (int i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "t%d", i);
        assert_int_equal(alloc_service_allocate(c, "ns", name, NULL, 0, NULL, 0, one, &n, &e), 0);
    }
    /* Releasing its Service lets "extra" finish deleting, durably. */
    assert_int_equal(alloc_service_release(c, "ns", "pinned", &e), 0);
    ex = alloc_servicecidr_get(c, "extra");
    assert_null(ex);
    alloc_close(c);
    c = open_store(path, "10.96.0.0/24", &err);
    assert_non_null(c);
    ex = alloc_servicecidr_get(c, "extra");
    assert_null(ex);
    assert_int_equal(alloc_ipaddress_count(c), count - 1 + 150);
    alloc_close(c);
}

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *e = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, e);
    sqlite3_close(db);
}

static void test_newer_version_refused(void **state)
{
    (void)state;
    char path[300], *err = NULL;
    path_of(path, "newer.db");
    alloc_cluster *c = open_store(path, "10.96.0.0/24", &err);
    assert_non_null(c);
    alloc_close(c);
    exec_sql(path, "PRAGMA user_version = 2");
    c = open_store(path, "10.96.0.0/24", &err);
    assert_null(c);
    assert_non_null(err);
    char want[512];
    snprintf(want, sizeof want,
             "store %s: written by a newer celgate (format version 2; this build reads versions up to 1); "
             "refusing to open it", path);
    assert_string_equal(err, want);
    free(err);
}

static void test_foreign_and_corrupt(void **state)
{
    (void)state;
    char path[300], *err = NULL;
    path_of(path, "foreign.db");
    exec_sql(path, "CREATE TABLE t(x)");
    alloc_cluster *c = open_store(path, NULL, &err);
    assert_null(c);
    assert_non_null(strstr(err, "not a celgate allocator store"));
    free(err);

    path_of(path, "corrupt.db");
    c = open_store(path, "10.96.0.0/24", &err);
    assert_non_null(c);
    alloc_close(c);
    exec_sql(path, "INSERT INTO ipaddresses VALUES('10.96.0.7', '{\"metadata\":{\"name\":\"10.96.0.07\"}}', 0)");
    c = open_store(path, "10.96.0.0/24", &err);
    assert_null(c);
    assert_non_null(strstr(err, "ipaddresses row 10.96.0.7 is not a valid IPAddress"));
    free(err);
    /* The schema itself refuses a second row for one IP. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO ipaddresses VALUES('10.96.0.7', '{}', 0)", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    sqlite3_close(db);
}

static void test_single_owner(void **state)
{
    (void)state;
    char path[300], *err = NULL;
    path_of(path, "owner.db");
    alloc_cluster *c = open_store(path, "10.96.0.0/24", &err);
    assert_non_null(c);
    alloc_cluster *d = open_store(path, "10.96.0.0/24", &err);
    assert_null(d);
    assert_non_null(strstr(err, "locked"));
    free(err);
    alloc_close(c);
}

static void test_group_commit(void **state)
{
    (void)state;
    char path[300], *err = NULL;
    path_of(path, "group.db");
    alloc_store *s = alloc_store_open(path, &err);
    assert_non_null(s);
    alloc_store_change a[2] = {{ALLOC_OP_ADD_IP, "10.0.0.1", "{}", 1}, {ALLOC_OP_PUT_SVC, "ns/a", "[]", 0}};
    alloc_store_change b[1] = {{ALLOC_OP_ADD_IP, "10.0.0.2", "{}", 1}};
    alloc_store_change d[1] = {{ALLOC_OP_DEL_IP, "10.0.0.1", NULL, 0}};
    uint64_t s1 = alloc_store_enqueue(s, a, 2), s2 = alloc_store_enqueue(s, b, 1), s3 = alloc_store_enqueue(s, d, 1);
    assert_true(s1 < s2 && s2 < s3);
    alloc_err e;
    assert_int_equal(alloc_store_wait(s, s3, &e), 0);
    assert_int_equal(alloc_store_commits(s), 1);
    assert_int_equal(alloc_store_wait(s, s1, &e), 0);
    assert_int_equal(alloc_store_commits(s), 1);
    /* A duplicate IP fails its batch, and the store then refuses all. */
    alloc_store_change dup[1] = {{ALLOC_OP_ADD_IP, "10.0.0.2", "{}", 1}};
    uint64_t s4 = alloc_store_enqueue(s, dup, 1);
    assert_int_equal(alloc_store_wait(s, s4, &e), -1);
    assert_int_equal(e.code, 500);
    assert_non_null(strstr(e.message, "UNIQUE"));
    uint64_t s5 = alloc_store_enqueue(s, b, 1);
    assert_int_equal(alloc_store_wait(s, s5, &e), -1);
    alloc_store_close(s);
}

typedef struct worker {
    alloc_cluster *c;
    int id;
    char ips[40][ALLOC_IP_STRLEN];
    int ok;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 40; i++) {
        char name[32], out[2][ALLOC_IP_STRLEN];
        size_t n;
        alloc_err e;
        snprintf(name, sizeof name, "w%d-%d", w->id, i);
        if (alloc_service_allocate(w->c, "ns", name, NULL, 0, NULL, 0, out, &n, &e) == 0)
            memcpy(w->ips[w->ok++], out[0], ALLOC_IP_STRLEN);
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_concurrent_callers(void **state)
{
    (void)state;
    char path[300], *err = NULL;
    path_of(path, "threads.db");
    alloc_cluster *c = open_store(path, "10.96.0.0/16", &err);
    assert_non_null(c);
    worker w[6];
    pthread_t t[6];
    for (int i = 0; i < 6; i++) {
        w[i] = (worker){.c = c, .id = i};
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 6; i++)
        pthread_join(t[i], NULL);
    char all[240][ALLOC_IP_STRLEN];
    int n = 0;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(w[i].ok, 40);
        for (int k = 0; k < 40; k++)
            memcpy(all[n++], w[i].ips[k], ALLOC_IP_STRLEN);
    }
    qsort(all, (size_t)n, ALLOC_IP_STRLEN, cmp_str);
    for (int i = 1; i < n; i++)
        assert_string_not_equal(all[i - 1], all[i]);
    alloc_close(c);
    c = open_store(path, "10.96.0.0/16", &err);
    assert_non_null(c);
    assert_int_equal(alloc_ipaddress_count(c), 241);
    alloc_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reopen),         cmocka_unit_test(test_newer_version_refused),
        cmocka_unit_test(test_foreign_and_corrupt), cmocka_unit_test(test_single_owner),
        cmocka_unit_test(test_group_commit),   cmocka_unit_test(test_concurrent_callers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
