/*
 * store_tx.c - transactions, with group commit for writers.
 *
 * Read transactions get a pooled connection of their own. Write transactions of one process
 * queue on st->write_lock and share one database transaction, the "batch": every write
 * transaction after the batch's first is a SAVEPOINT inside it (PostgreSQL: the batch takes
 * the audit advisory lock with its BEGIN). When a writer commits (RELEASE SAVEPOINT) while
 * other writers are queued, it hands the batch on and waits; the last writer of the batch
 * (no one queued, or BATCH_MAX reached) issues the one durable COMMIT and wakes the others
 * with its result. So N concurrent writers pay one fsync instead of N, and nobody is
 * acknowledged before the data is durable. A rolled-back writer is undone with ROLLBACK TO
 * SAVEPOINT and leaves the others alone; if the batch itself fails, every writer waiting in
 * it gets the error (none was acknowledged).
 */
#include "store/store_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 64

static void notes_free(struct store_tx *tx)
{
    struct store_note *n = tx->notes, *next;

    for (; n; n = next) {
        next = n->next;
        free(n->payload);
        free(n);
    }
    tx->notes = NULL;
    tx->notes_tail = &tx->notes;
}

/*
 * Ends the open batch (write_lock held): COMMIT (commit = 1) or ROLLBACK, tells every member
 * the outcome and returns the connection to the pool.
 */
static int batch_finish(struct store *st, int commit, struct sluis_err *err)
{
    struct sluis_err local = {0};
    struct store_tx *m;
    int transient = 0, drop = 0;
    int rc = 0;

    if (!st->bconn)
        return 0;
    if (commit) {
        rc = st->ops->exec_script(st->bconn, "COMMIT", &transient, &local);
        if (rc) {
            drop = st->ops->exec_script(st->bconn, "ROLLBACK", &transient, NULL) != 0;
            if (transient)
                rc = SLUIS_ECONFLICT;
        }
    } else {
        drop = st->ops->exec_script(st->bconn, "ROLLBACK", &transient, NULL) != 0;
        rc = sluis_err_set(&local, SLUIS_EIO, "the shared write transaction failed");
    }
    if (st->ops->sealed_failed)
        st->ops->sealed_failed(st->bconn); /* the outcome above covers it; clear the flag */
    pthread_mutex_lock(&st->bmu);
    for (m = st->bhead; m; m = m->bnext) {
        m->batch_rc = rc;
        snprintf(m->batch_msg, sizeof(m->batch_msg), "%s", local.msg);
        m->batch_done = 1;
    }
    st->bhead = NULL;
    pthread_cond_broadcast(&st->bcond);
    pthread_mutex_unlock(&st->bmu);
    store_pool_put(st, st->bconn, drop);
    st->bconn = NULL;
    st->bmembers = 0;
    st->b_locked = 0;
    st->bh_valid = 0;
    if (rc && err)
        sluis_err_set(err, rc, "%s", local.msg);
    return rc;
}

int store_batch_close(struct store *st)
{
    return st->bconn ? batch_finish(st, st->bmembers > 0, NULL) : 0;
}

/* The current writer leaves without joining the batch: keep, commit or drop it; unlock. */
static void batch_leave(struct store *st)
{
    if (st->bconn) {
        if (st->bmembers == 0)
            batch_finish(st, 0, NULL);
        else if (atomic_load(&st->wwaiting) == 0)
            batch_finish(st, 1, NULL);
    }
    pthread_mutex_unlock(&st->write_lock);
}

/* The BEGIN of a PostgreSQL batch and its audit lock, queued to go out with the first
 * writer's first statement (one round trip less per batch). */
static int batch_begin_defer(struct store *st, void *conn, struct sluis_err *err)
{
    int rc = st->ops->defer(conn, "BEGIN", 0, NULL, err);

    if (!rc)
        rc = st->ops->defer(conn, "SELECT pg_advisory_xact_lock(" STORE_AUDIT_LOCK_KEY ")", 0, NULL,
                            err);
    return rc ? rc : store_audit_head_defer(st, conn, err);
}

/* A pooled connection that looks alive (conn_alive); dead idle ones are closed on the way,
 * at most as many as the pool can hold. */
static int pool_get_alive(struct store *st, void **conn, struct sluis_err *err)
{
    int rc = 0;

    for (int i = 0; i <= STORE_POOL_MAX; i++) {
        rc = store_pool_get(st, conn, err);
        if (rc || st->ops->conn_alive((*conn)))
            return rc;
        store_pool_put(st, *conn, 1);
        *conn = NULL;
    }
    return sluis_err_set(err, SLUIS_EIO, "no live database connection");
}

int store_batch_reconnect(struct store_tx *tx)
{
    struct store *st = tx->st;
    void *conn = NULL;

    if (!tx->in_batch || !tx->fresh || st->bmembers > 0 || !st->ops->conn_alive ||
        st->ops->conn_ok(tx->conn))
        return 0;
    tx->fresh = 0;
    /* The dead connection goes first, so that a pool of one can hand out a new one. */
    store_pool_put(st, st->bconn, 1);
    st->bconn = NULL;
    tx->conn = NULL;
    if (pool_get_alive(st, &conn, NULL))
        return 0; /* the statement's failure stands; rollback finds no batch */
    if (batch_begin_defer(st, conn, NULL)) {
        store_pool_put(st, conn, 1);
        return 0;
    }
    st->bconn = conn;
    tx->conn = conn;
    return 1;
}

static int begin_write(struct store *st, struct store_tx *tx, struct sluis_err *err)
{
    int transient = 0;
    int rc;

    atomic_fetch_add(&st->wwaiting, 1);
    pthread_mutex_lock(&st->write_lock);
    atomic_fetch_sub(&st->wwaiting, 1);
    if (!st->bconn && st->ops->conn_alive) {
        /* PostgreSQL: BEGIN and the audit lock go out with the first writer's first
         * statement. A pooled connection that died while idle (its socket says so) is
         * replaced first; one that dies unnoticed fails that first statement, and
         * store_batch_reconnect() then tries once more on a fresh connection. */
        void *conn = NULL;
        rc = pool_get_alive(st, &conn, err);
        if (rc) {
            pthread_mutex_unlock(&st->write_lock);
            return rc;
        }
        rc = batch_begin_defer(st, conn, err);
        if (rc) {
            store_pool_put(st, conn, 1);
            pthread_mutex_unlock(&st->write_lock);
            return rc;
        }
        st->bconn = conn;
        st->bmembers = 0;
        st->b_locked = 1;
        tx->fresh = 1;
    }
    if (!st->bconn) {
        void *conn = NULL;
        /* A pooled connection may have died while idle (server restart, terminated
         * backend): it fails at BEGIN, is dropped, and one fresh connection is tried. */
        for (int attempt = 0;; attempt++) {
            rc = store_pool_get(st, &conn, err);
            if (rc) {
                pthread_mutex_unlock(&st->write_lock);
                return rc;
            }
            /* PostgreSQL: the batch takes the audit lock with BEGIN (one round trip); every
             * write of the register appends to the audit log anyway. */
            rc = st->ops->exec_script(
                conn,
                st->ops->backend == STORE_SQLITE
                    ? "BEGIN IMMEDIATE"
                    : "BEGIN; SELECT pg_advisory_xact_lock(" STORE_AUDIT_LOCK_KEY ")",
                &transient, err);
            if (!rc)
                break;
            st->ops->exec_script(conn, "ROLLBACK", &transient, NULL);
            int broken = !st->ops->conn_ok(conn);
            store_pool_put(st, conn, broken);
            if (attempt > 0 || !broken) {
                pthread_mutex_unlock(&st->write_lock);
                return rc;
            }
        }
        st->bconn = conn;
        st->bmembers = 0;
        st->b_locked = st->ops->backend == STORE_PG;
    }
    /* The first writer of a batch needs no savepoint: if it rolls back, so does the batch,
     * which holds nothing else yet (an open batch always has released members). */
    if (st->bmembers > 0) {
        /* PostgreSQL: goes out with the writer's first statement (one round trip less). */
        rc = st->ops->defer
                 ? st->ops->defer(st->bconn, "SAVEPOINT sluis_tx", 0, NULL, err)
                 : st->ops->exec_script(st->bconn, "SAVEPOINT sluis_tx", &transient, err);
        if (rc) {
            batch_leave(st);
            return rc;
        }
        tx->sp = 1;
    }
    tx->conn = st->bconn;
    tx->in_batch = 1;
    return 0;
}

int store_tx_begin(struct store *st, enum store_tx_mode mode, struct store_tx **out,
                   struct sluis_err *err)
{
    struct store_tx *tx;
    int transient = 0;
    int rc;

    *out = NULL;
    tx = calloc(1, sizeof(*tx));
    if (!tx)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    tx->st = st;
    tx->mode = mode;
    tx->notes_tail = &tx->notes;
    if (mode == STORE_TX_WRITE) {
        rc = begin_write(st, tx, err);
        if (rc) {
            free(tx);
            return rc;
        }
        *out = tx;
        return 0;
    }
    rc = store_pool_get(st, &tx->conn, err);
    if (rc) {
        free(tx);
        return rc;
    }
    /* PostgreSQL at READ COMMITTED takes a snapshot per statement even inside a transaction,
     * so a read transaction runs in autocommit: two round trips fewer per read. SQLite keeps
     * one snapshot for the whole read transaction. */
    if (st->ops->backend == STORE_PG) {
        *out = tx;
        return 0;
    }
    rc = st->ops->exec_script(tx->conn, "BEGIN", &transient, err);
    if (rc) {
        store_pool_put(st, tx->conn, 0);
        free(tx);
        return rc;
    }
    *out = tx;
    return 0;
}

/* Undoes a writer's savepoint; a failure there breaks the whole batch. Unlocks. */
static void rollback_write(struct store_tx *tx)
{
    struct store *st = tx->st;
    int transient = 0;

    int bad = !tx->sp ||
              st->ops->exec_script(st->bconn, "ROLLBACK TO SAVEPOINT sluis_tx", &transient, NULL) ||
              st->ops->exec_script(st->bconn, "RELEASE SAVEPOINT sluis_tx", &transient, NULL);
    /* A statement of an earlier member failed on its way out (possibly reported as this
     * writer's error): the batch is broken even if the savepoint rollback worked. */
    if (st->bconn && st->ops->sealed_failed && st->ops->sealed_failed(st->bconn))
        bad = 1;
    if (bad)
        batch_finish(st, 0, NULL);
    batch_leave(st);
}

void store_tx_rollback(struct store_tx *tx)
{
    int transient = 0;
    int rc;

    if (!tx)
        return;
    if (tx->in_batch) {
        rollback_write(tx);
    } else if (tx->st->ops->backend == STORE_PG) {
        store_pool_put(tx->st, tx->conn, 0);
    } else {
        rc = tx->st->ops->exec_script(tx->conn, "ROLLBACK", &transient, NULL);
        store_pool_put(tx->st, tx->conn, rc != 0);
    }
    notes_free(tx);
    free(tx);
}

int store_tx_commit(struct store_tx *tx, struct sluis_err *err)
{
    struct store *st = tx->st;
    struct store_note *n;
    int transient = 0;
    int rc;

    if (tx->failed) {
        rc = tx->transient ? SLUIS_ECONFLICT : SLUIS_EIO;
        sluis_err_set(err, rc, "transaction had a failed statement; rolled back");
        store_tx_rollback(tx);
        return rc;
    }
    if (!tx->in_batch) {
        /* A read transaction: nothing to make durable. */
        rc = st->ops->backend == STORE_PG
                 ? 0
                 : st->ops->exec_script(tx->conn, "COMMIT", &transient, err);
        store_pool_put(st, tx->conn, rc != 0);
        notes_free(tx);
        free(tx);
        return rc;
    }
    if (st->ops->seal) {
        /* PostgreSQL: the RELEASE and this writer's deferred statements go out with the
         * next writer's first statement or the COMMIT, saving a round trip per writer.
         * Sealed, they are part of the batch: if one fails, the whole batch fails (and no
         * member is acknowledged), see rollback_write(). */
        rc = tx->sp ? st->ops->defer(st->bconn, "RELEASE SAVEPOINT sluis_tx", 0, NULL, err) : 0;
        if (!rc)
            st->ops->seal(st->bconn);
    } else if (tx->sp) {
        rc = st->ops->exec_script(st->bconn, "RELEASE SAVEPOINT sluis_tx", &transient, err);
    } else {
        rc = st->ops->flush ? st->ops->flush(st->bconn, &transient, err) : 0;
    }
    if (rc) {
        rollback_write(tx);
        notes_free(tx);
        free(tx);
        return transient ? SLUIS_ECONFLICT : rc;
    }
    /* This member's work is now part of the batch: so are its lock and chain head. */
    if (tx->took_lock)
        st->b_locked = 1;
    if (tx->th_valid) {
        st->bh_valid = 1;
        st->bh_seq = tx->th_seq;
        memcpy(st->bh_hash, tx->th_hash, sizeof(st->bh_hash));
    }
    pthread_mutex_lock(&st->bmu);
    tx->bnext = st->bhead;
    st->bhead = tx;
    pthread_mutex_unlock(&st->bmu);
    st->bmembers++;
    if (atomic_load(&st->wwaiting) > 0 && st->bmembers < BATCH_MAX) {
        /* Hand the batch to the next writer; its last member commits for all. */
        pthread_mutex_unlock(&st->write_lock);
        pthread_mutex_lock(&st->bmu);
        while (!tx->batch_done)
            pthread_cond_wait(&st->bcond, &st->bmu);
        pthread_mutex_unlock(&st->bmu);
    } else {
        batch_finish(st, 1, NULL);
        pthread_mutex_unlock(&st->write_lock);
    }
    rc = tx->batch_rc;
    if (rc)
        sluis_err_set(err, rc, "commit failed: %s", tx->batch_msg);
    /* SQLite: deliver in-process. PostgreSQL: pg_notify() ran inside the transaction. */
    if (!rc && st->ops->backend == STORE_SQLITE)
        for (n = tx->notes; n; n = n->next)
            store_listeners_call(st, n->channel, n->payload);
    notes_free(tx);
    free(tx);
    return rc;
}

int store_tx_fail(struct store_tx *tx, int rc)
{
    if (rc < 0)
        tx->failed = 1;
    return rc;
}
