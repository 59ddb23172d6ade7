/*
 * store_internal.h - what store.c shares with its backends (store_sqlite.c, store_pg.c) and
 * the modules built on it. Not a public interface.
 */
#ifndef SLUIS_STORE_STORE_INTERNAL_H
#define SLUIS_STORE_STORE_INTERNAL_H

#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>

#define STORE_POOL_MAX 64
#define STORE_MAX_COLS 64
#define STORE_MAX_LISTEN 16
#define STORE_URL_CAP 1024
/* pg_advisory_xact_lock key that serialises audit appends across processes. */
#define STORE_AUDIT_LOCK_KEY "7305002"

/* One backend. conn is the backend's own connection object. */
struct store_ops {
    const char *name;
    enum store_backend backend;
    /* Opens one connection to st->url. */
    int (*conn_open)(struct store *st, void **conn, struct sluis_err *err);
    void (*conn_close)(void *conn);
    /* 1 when the connection can still be used. */
    int (*conn_ok)(void *conn);
    /* Runs a script of ';'-separated statements without parameters. */
    int (*exec_script)(void *conn, const char *sql, int *transient, struct sluis_err *err);
    /* Runs one statement; see store_query(). *transient = 1 on busy/serialisation errors. */
    int (*query)(void *conn, const char *sql, int nparams, const char *const *params,
                 store_row_cb cb, void *ud, long long *changes, int *transient,
                 struct sluis_err *err);
    /* Starts the listener machinery (PostgreSQL only; NULL for SQLite). */
    int (*listen_start)(struct store *st, struct sluis_err *err);
    void (*listen_stop)(struct store *st);
    /* Background work of the backend (SQLite: the WAL checkpointer thread), started after
     * the migrations and stopped before the pool closes; NULL = none. */
    int (*bg_start)(struct store *st, struct sluis_err *err);
    void (*bg_stop)(struct store *st);
    /*
     * Queues a statement whose result nobody reads (no rows; errors only) to go out with
     * the next query, exec_script or flush on conn (PostgreSQL: in one pipeline, one round
     * trip for all). NULL = run it at once. Its error is reported by that next call.
     */
    int (*defer)(void *conn, const char *sql, int nparams, const char *const *params,
                 struct sluis_err *err);
    /* Sends what defer queued and waits for the results; 0 when nothing was queued. */
    int (*flush)(void *conn, int *transient, struct sluis_err *err);
    /*
     * Seals what is queued now: it belongs to a writer that has joined the batch and can no
     * longer be rolled back alone. sealed_failed() then says (once, and clears it) whether
     * a sealed statement failed when it went out: the batch must fail as a whole. NULL =
     * no sealing (every writer's statements are confirmed before it joins).
     */
    void (*seal)(void *conn);
    int (*sealed_failed)(void *conn);
    /* Cheap check without a round trip that an idle connection has not been closed by the
     * server (PostgreSQL: its socket is not readable with an error or EOF); NULL = BEGIN
     * runs at once instead of being deferred. */
    int (*conn_alive)(void *conn);
    /* Like defer, for a query whose rows go to cb(ud, ...) when its result comes in (during
     * the later call that sends it; not at all if it or an earlier statement fails). NULL =
     * not supported. */
    int (*defer_rows)(void *conn, const char *sql, int nparams, const char *const *params,
                      store_row_cb cb, void *ud, struct sluis_err *err);
};

struct store_listener {
    char channel[64];
    store_notify_cb cb;
    void *ud;
};

struct store {
    const struct store_ops *ops;
    char url[STORE_URL_CAP];
    pthread_mutex_t lock; /* pool and listeners */
    pthread_cond_t cond;
    /* Group commit (store_tx.c): writers of this process queue on write_lock and share
     * one database transaction (bconn) as savepoints. */
    pthread_mutex_t write_lock;
    atomic_int wwaiting; /* writers waiting for write_lock */
    void *bconn;         /* connection of the open batch, NULL when none */
    int bmembers;        /* writers released into the open batch */
    pthread_mutex_t bmu; /* bhead and the members' batch_* fields */
    pthread_cond_t bcond;
    struct store_tx *bhead; /* members waiting for the batch outcome */
    /* While a batch is open it excludes every other appender (SQLite: the database write
     * lock; PostgreSQL: the audit advisory lock once b_locked), so the chain head can be
     * cached instead of read per write. Set from released members only; reset with the
     * batch. */
    int b_locked;
    int bh_valid;
    long long bh_seq;
    char bh_hash[65];
    void *idle[STORE_POOL_MAX];
    int nidle;
    int nopen;
    int pool_max;
    struct store_listener listeners[STORE_MAX_LISTEN];
    int nlisteners;
    void *listen_state; /* backend-owned (PostgreSQL listener thread) */
    void *bg_state;     /* backend-owned (SQLite checkpointer thread) */
};

struct store_note {
    struct store_note *next;
    char channel[64];
    char *payload;
};

struct store_tx {
    struct store *st;
    void *conn;
    enum store_tx_mode mode;
    int failed;       /* a statement failed: only rollback is allowed */
    int transient;    /* that failure was transient (retry the transaction) */
    int audit_locked; /* store_audit_lock() done */
    int nok;          /* statements that succeeded */
    int took_lock;    /* ran pg_advisory_xact_lock itself */
    int th_valid;     /* th_*: chain head after this transaction's own appends */
    long long th_seq;
    char th_hash[65];
    int in_batch;   /* a write transaction, part of the batch in st->bconn */
    int sp;         /* runs inside SAVEPOINT sluis_tx (not the batch's first writer) */
    int fresh;      /* began the batch with a deferred BEGIN, nothing of its own sent yet */
    int batch_done; /* the batch this member joined has ended */
    int batch_rc;
    char batch_msg[512];
    struct store_tx *bnext;
    struct store_note *notes;
    struct store_note **notes_tail;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* Takes a connection from the pool (waits when all are busy) / gives it back (drop = 1:
 * close it instead). */
int store_pool_get(struct store *st, void **conn, struct sluis_err *err);
void store_pool_put(struct store *st, void *conn, int drop);

/*
 * Like store_exec() for a statement whose only outcome is success or failure, when nothing
 * in the transaction needs to know it before the next statement: the backend may hold it
 * back and send it with the next one (PostgreSQL: one pipeline, one round trip). Its error
 * then comes from that next store_query/store_exec or from store_tx_commit(); either way
 * the transaction fails as a whole. Used for the audit INSERT and pg_notify().
 */
int store_exec_defer(struct store_tx *tx, const char *sql, int nparams, const char *const *params,
                     struct sluis_err *err);

/*
 * With st->write_lock held: ends the open group-commit batch, if any, with its durable
 * COMMIT (its members are waiting for exactly that; none is mid-transaction, since a writer
 * holds write_lock from begin to commit). Returns the COMMIT's result.
 */
int store_batch_close(struct store *st);

/*
 * A write transaction whose first statement failed because the batch's connection (fresh
 * from the pool, BEGIN deferred) was dead: replaces it with a new connection and queues BEGIN
 * again; returns 1 when it did (retry the statement), 0 otherwise. Nothing was lost: nothing
 * but BEGIN and the lock had been queued on the dead connection.
 */
int store_batch_reconnect(struct store_tx *tx);

/*
 * PostgreSQL, a batch being begun on conn (write_lock held, after its BEGIN and audit lock
 * were queued): queues the read of the audit chain head, whose row sets st->bh_* when it
 * comes in with the first writer's first statement, so the batch does not read it in a round
 * trip of its own (auditlog.c). A no-op without defer_rows.
 */
int store_audit_head_defer(struct store *st, void *conn, struct sluis_err *err);

/* Marks tx failed when rc < 0 (only rollback is allowed then); returns rc. */
int store_tx_fail(struct store_tx *tx, int rc);

/* Runs the migrations on one connection (store_migrate.c). */
int store_migrate(struct store *st, void *conn, struct sluis_err *err);

/* Calls every listener of channel (under no lock held by the caller). */
void store_listeners_call(struct store *st, const char *channel, const char *payload);

/* Snapshot of the registered channels for the PostgreSQL listener thread. */
int store_listeners_channels(struct store *st, char chans[][64], int cap);

/* 1 when s is a valid channel name [a-z0-9_]{1,63}. */
int store_channel_valid(const char *s);

#endif
