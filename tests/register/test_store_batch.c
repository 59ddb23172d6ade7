/*
 * test_store_batch.c - group commit on one backend (argv[1]: sqlite | pg): many concurrent
 * writers share batches; every acknowledged write is present, no refused one is, the audit
 * chain verifies; a writer that fails inside a batch does not take the others down; a
 * deferred statement (PostgreSQL pipelines the audit INSERT, pg_notify and RELEASE with the
 * next writer's statement) that fails after its writer joined the batch fails the batch as
 * a whole instead of being acknowledged. (On SQLite the checkpointer thread runs during
 * all of this, phase 2 included, every 250 ms.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/auditlog.h"
#include "store/register.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "test_store_db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum store_backend g_backend;

struct fx {
    struct tdb db;
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_org org = {.id = "o", .name = "Org", .layer = "gemeente"};

    if (!f || tdb_create(g_backend, &f->db))
        return -1;
    if (store_open(f->db.url, &f->st, &err) || store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err) ||
        reg_org_put(tx, &org, "setup", &err) || store_tx_commit(tx, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->st);
    tdb_drop(&f->db);
    free(f);
    return 0;
}

static long long count_sql(struct store *st, const char *sql, const char *param)
{
    struct store_tx *tx;
    long long n = -1;
    const char *p[1] = {param};

    assert_int_equal(store_tx_begin(st, STORE_TX_READ, &tx, NULL), 0);
    assert_int_equal(store_query(tx, sql, param ? 1 : 0, p, tdb_count_cb, &n, NULL), 0);
    store_tx_rollback(tx);
    return n;
}

static void expect_chain_ok(struct store *st, long long entries)
{
    struct audit_chain rep;
    struct sluis_err err = {0};

    assert_int_equal(store_audit_verify(st, &rep, &err), 0);
    if (!rep.ok)
        fprintf(stderr, "chain broken at %lld: %s\n", rep.first_bad_seq, rep.reason);
    assert_true(rep.ok);
    assert_int_equal(rep.entries, entries);
}

static void obj_init(struct reg_object *o, const char *id)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->kind, sizeof(o->kind), "%s", "provider");
    snprintf(o->id, sizeof(o->id), "%s", id);
    snprintf(o->org_id, sizeof(o->org_id), "%s", "o");
    snprintf(o->state, sizeof(o->state), "%s", "active");
    o->content = "{\"name\":\"p\"}";
}

/* ---- many writers, some failing ---- */

#define WRITERS 16
#define ROUNDS 60

struct writer {
    struct store *st;
    int idx;
    char acked[ROUNDS]; /* 1 = commit returned 0 */
    int refused;        /* commits that returned an error (all of them expected) */
    int broken;         /* something unexpected happened */
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;

    for (int i = 0; i < ROUNDS; i++) {
        struct sluis_err err = {0};
        struct store_tx *tx;
        struct reg_object o;
        char id[64];
        int what = (i * 7 + w->idx) % 5; /* 0-2 commit, 3 roll back, 4 failed statement */

        snprintf(id, sizeof(id), "w%d-%d", w->idx, i);
        obj_init(&o, id);
        if (store_tx_begin(w->st, STORE_TX_WRITE, &tx, &err)) {
            w->broken++;
            continue;
        }
        if (reg_object_put(tx, &o, REG_VERSION_CREATE, "writer", &err)) {
            store_tx_rollback(tx);
            w->broken++;
            continue;
        }
        if (what == 3) {
            store_tx_rollback(tx);
            continue;
        }
        if (what == 4) {
            /* Creating the same object again: a failed statement poisons this writer. */
            if (reg_object_put(tx, &o, REG_VERSION_CREATE, "writer", &err) != SLUIS_ECONFLICT)
                w->broken++;
            if (store_tx_commit(tx, &err) == 0)
                w->broken++;
            continue;
        }
        if (store_tx_commit(tx, &err) == 0)
            w->acked[i] = 1;
        else
            w->refused++;
    }
    return NULL;
}

static void test_many_writers(void **state)
{
    struct fx *f = *state;
    struct writer *w = calloc(WRITERS, sizeof(*w));
    pthread_t th[WRITERS];
    long long acked = 0;

    assert_non_null(w);
    for (int i = 0; i < WRITERS; i++) {
        w[i].st = f->st;
        w[i].idx = i;
        assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < WRITERS; i++) {
        assert_int_equal(w[i].broken, 0);
        /* Nothing failed underneath the good writers: the failing ones went alone. */
        assert_int_equal(w[i].refused, 0);
        for (int r = 0; r < ROUNDS; r++) {
            char id[64];
            int want = (r * 7 + i) % 5 <= 2;
            snprintf(id, sizeof(id), "w%d-%d", i, r);
            assert_int_equal(w[i].acked[r], want);
            /* Acknowledged: present, with exactly one audit entry; otherwise absent. */
            assert_int_equal(count_sql(f->st, "SELECT COUNT(*) FROM objects WHERE id = $1", id),
                             want);
            assert_int_equal(
                count_sql(f->st, "SELECT COUNT(*) FROM audit_log WHERE object_id = $1", id), want);
            acked += want;
        }
    }
    assert_int_equal(count_sql(f->st, "SELECT COUNT(*) FROM objects", NULL), acked);
    expect_chain_ok(f->st, 1 + acked); /* the organisation + one entry per acknowledged write */
    free(w);
}

/* ---- a deferred statement that fails after its writer joined the batch ---- */

struct pair {
    struct store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int z_in_tx; /* Z holds the write transaction */
    int a_in_tx; /* A holds the write transaction */
    int z_rc, a_rc, b_rc;
    int b_done;
};

static void pair_set(struct pair *p, int *field, int v)
{
    pthread_mutex_lock(&p->mu);
    *field = v;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void pair_wait(struct pair *p, const int *field)
{
    pthread_mutex_lock(&p->mu);
    while (!*field)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Waits until some writer queues on the writers' mutex (so the holder hands over). */
static void wait_queued(struct store *st)
{
    while (atomic_load(&st->wwaiting) == 0) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

/* Writer Z opens the batch with a good object and hands it to A. */
static void *writer_z(void *arg)
{
    struct pair *p = arg;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_object o;
    int rc;

    obj_init(&o, "z-good");
    rc = store_tx_begin(p->st, STORE_TX_WRITE, &tx, &err);
    pair_set(p, &p->z_in_tx, 1);
    if (!rc) {
        wait_queued(p->st);
        rc = reg_object_put(tx, &o, REG_VERSION_CREATE, "z", &err);
        if (!rc)
            rc = store_tx_commit(tx, &err);
        else
            store_tx_rollback(tx);
    }
    p->z_rc = rc;
    return NULL;
}

/*
 * Writer A (the batch's second member, inside a savepoint): a good object, then a deferred INSERT
 * that violates the primary key of audit_log (seq 1 exists). On SQLite it fails at once; on
 * PostgreSQL it goes out with whatever comes next on the batch's connection (B's first statement or
 * the COMMIT).
 */
static void *writer_a(void *arg)
{
    struct pair *p = arg;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_object o;
    const char *dup[12] = {"1", "t", "o", "a", "create", "k", "x", "", "", "{}", "h", "h"};
    int rc;

    obj_init(&o, "a-good");
    pair_wait(p, &p->z_in_tx);
    rc = store_tx_begin(p->st, STORE_TX_WRITE, &tx, &err);
    if (!rc)
        rc = reg_object_put(tx, &o, REG_VERSION_CREATE, "a", &err);
    pair_set(p, &p->a_in_tx, 1);
    if (!rc) {
        /* B queues on the writers' mutex: A hands the batch over instead of committing. */
        wait_queued(p->st);
        rc = store_exec_defer(tx,
                              "INSERT INTO audit_log (seq, ts, org_id, actor, action, kind, "
                              "object_id, hash_before, hash_after, detail, prev_hash, "
                              "entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                              "$11, $12)",
                              12, dup, &err);
    }
    if (!rc)
        rc = store_tx_commit(tx, &err);
    else
        store_tx_rollback(tx);
    p->a_rc = rc;
    return NULL;
}

static void *writer_b(void *arg)
{
    struct pair *p = arg;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_object o;
    int rc;

    pair_wait(p, &p->a_in_tx);
    obj_init(&o, "b-good");
    rc = store_tx_begin(p->st, STORE_TX_WRITE, &tx, &err);
    if (!rc) {
        rc = reg_object_put(tx, &o, REG_VERSION_CREATE, "b", &err);
        if (!rc)
            rc = store_tx_commit(tx, &err);
        else
            store_tx_rollback(tx);
    }
    p->b_rc = rc;
    pair_set(p, &p->b_done, 1);
    return NULL;
}

static void test_deferred_failure(void **state)
{
    struct fx *f = *state;
    struct pair p = {.st = f->st, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t tz, ta, tb;
    long long z_there, a_there, b_there;

    assert_int_equal(pthread_create(&tz, NULL, writer_z, &p), 0);
    assert_int_equal(pthread_create(&ta, NULL, writer_a, &p), 0);
    assert_int_equal(pthread_create(&tb, NULL, writer_b, &p), 0);
    pthread_join(tz, NULL);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    /* A had a failing statement: never acknowledged, nothing of it stored. */
    assert_int_not_equal(p.a_rc, 0);
    a_there = count_sql(f->st, "SELECT COUNT(*) FROM objects WHERE id = 'a-good'", NULL);
    assert_int_equal(a_there, 0);
    /* Z and B: acknowledged exactly when stored (on SQLite A fails alone and both go
     * through; on PostgreSQL A's failure surfaces in B's pipeline, after A joined the batch,
     * and the batch fails as a whole: not one of them is acknowledged). */
    z_there = count_sql(f->st, "SELECT COUNT(*) FROM objects WHERE id = 'z-good'", NULL);
    b_there = count_sql(f->st, "SELECT COUNT(*) FROM objects WHERE id = 'b-good'", NULL);
    assert_int_equal(z_there, p.z_rc == 0);
    assert_int_equal(b_there, p.b_rc == 0);
    if (g_backend == STORE_SQLITE) {
        assert_int_equal(p.z_rc, 0);
        assert_int_equal(p.b_rc, 0);
    }
    expect_chain_ok(f->st, 1 + z_there + b_there);
    /* The store still works afterwards. */
    {
        struct sluis_err err = {0};
        struct store_tx *tx;
        struct reg_object o;
        obj_init(&o, "after");
        assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
        assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), 0);
        assert_int_equal(store_tx_commit(tx, &err), 0);
        expect_chain_ok(f->st, 2 + z_there + b_there);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_many_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deferred_failure, setup, teardown),
    };

    g_backend = tdb_backend_arg(argc, argv);
    return cmocka_run_group_tests_name(
        g_backend == STORE_PG ? "store_batch_pg" : "store_batch_sqlite", tests, NULL, NULL);
}
