/*
 * store.h - storage behind one interface: SQLite (default) or PostgreSQL (libpq).
 *
 * One SQL text serves both backends: write it with PostgreSQL's $1..$N placeholders; the
 * SQLite backend rewrites them to ?1..?N. Values go in and come out as NUL-terminated text
 * (integers as decimal text); NULL is a NULL pointer. Keep to the common subset of SQL
 * (no FOR UPDATE, no ON CONFLICT ... DO UPDATE differences, no SQLite-only functions).
 *
 * URL: "postgresql://..." or "postgres://..." selects libpq; anything else is a SQLite file
 * path (created when missing). store_open() runs the versioned migrations (table
 * schema_migrations; each migration once, in its own transaction; safe when several
 * processes open the same database at once). SQLite runs in WAL mode with synchronous=FULL,
 * foreign keys on, busy_timeout 10 s, STRICT tables. Both backends keep a small connection
 * pool, so one struct store may be used from many threads at once; a struct store_tx
 * belongs to the thread that began it (commit or roll back on that thread). A thread must
 * not begin a second STORE_TX_WRITE while it holds one (writers of one process queue on a
 * mutex; that would wait for itself).
 *
 * Group commit: write transactions of one process share one database transaction (the
 * first plainly, the others as SAVEPOINTs); the last writer of a batch issues the one
 * durable COMMIT for all, and store_tx_commit() returns only after that COMMIT (see
 * docs/store.md). Keep write transactions short: later writers of a batch wait for them.
 *
 * Writes must happen in a STORE_TX_WRITE transaction (SQLite: BEGIN IMMEDIATE, so writers
 * queue at begin instead of dead-locking later). On PostgreSQL a STORE_TX_READ runs in
 * autocommit (READ COMMITTED takes a snapshot per statement anyway): never write in one. Every
 * mutation of register data goes through src/store/register.h or src/store/auditlog.h, which append
 * to the hash-chained audit log in the same transaction; nothing partial is ever stored.
 */
#ifndef SLUIS_STORE_STORE_H
#define SLUIS_STORE_STORE_H

#include "core/err.h"

#include <stddef.h>

struct store;    /* opaque: the database handle (thread-safe) */
struct store_tx; /* opaque: one open transaction (one thread at a time) */

enum store_backend {
    STORE_SQLITE = 1,
    STORE_PG = 2,
};

enum store_tx_mode {
    STORE_TX_READ = 0,  /* reads only */
    STORE_TX_WRITE = 1, /* may write; SQLite takes the write lock at begin */
};

/* Hard caps. */
#define STORE_MAX_PARAMS 32
#define STORE_MAX_SQL 16384

/*
 * Opens (and creates/migrates) the database at url. *out receives the handle, which the
 * caller frees with store_close(). Errors: SLUIS_EINVAL (bad url), SLUIS_EIO (cannot open or
 * connect; message from the backend), SLUIS_EINTERNAL (migration failed; nothing of that
 * migration is kept).
 */
int store_open(const char *url, struct store **out, struct sluis_err *err);

/* Stops listener threads, closes every connection and frees st. st may be NULL. Every
 * transaction must have been committed or rolled back before. */
void store_close(struct store *st);

/* Which backend st uses. */
enum store_backend store_backend_get(const struct store *st);

/* Highest migration version applied (the schema version). */
int store_schema_version(struct store *st, int *version, struct sluis_err *err);

/*
 * Begins a transaction on a pooled connection (waits for a free one). *out is valid until
 * store_tx_commit() or store_tx_rollback(), which both release it. Errors: SLUIS_EIO.
 */
int store_tx_begin(struct store *st, enum store_tx_mode mode, struct store_tx **out,
                   struct sluis_err *err);

/*
 * Commits and releases tx (also on failure: then everything is rolled back). Queued
 * store_notify() messages are delivered after a successful commit. Errors: SLUIS_EIO,
 * SLUIS_ECONFLICT (serialisation failure; retry the whole transaction).
 */
int store_tx_commit(struct store_tx *tx, struct sluis_err *err);

/* Rolls back and releases tx. tx may be NULL. Never fails (a broken connection is dropped). */
void store_tx_rollback(struct store_tx *tx);

/* The store a transaction belongs to. */
struct store *store_tx_store(struct store_tx *tx);

/*
 * Row callback: ncols columns; vals[i] is the text of column i or NULL for SQL NULL; names[i]
 * is the column name. Both are borrowed, valid during the call only. Return 0 to go on; any
 * other value stops the query and store_query() returns it.
 */
typedef int (*store_row_cb)(void *ud, int ncols, const char *const *vals, const char *const *names);

/*
 * Runs one statement with nparams text parameters ($1..$N; params[i] may be NULL = SQL
 * NULL) and calls cb for each result row (cb may be NULL). Returns 0, a non-zero cb result,
 * or a negative error: SLUIS_EINVAL (bad SQL / too many params), SLUIS_ECONFLICT (unique or
 * foreign-key violation; on PostgreSQL the transaction is then aborted and must be rolled
 * back), SLUIS_EIO. After an error the transaction may only be rolled back.
 */
int store_query(struct store_tx *tx, const char *sql, int nparams, const char *const *params,
                store_row_cb cb, void *ud, struct sluis_err *err);

/*
 * Like store_query() for statements without a result; *changes (may be NULL) receives the
 * number of rows inserted/updated/deleted.
 */
int store_exec(struct store_tx *tx, const char *sql, int nparams, const char *const *params,
               long long *changes, struct sluis_err *err);

/*
 * Runs fn(tx, ud, err) in a transaction of the given mode and commits when fn returns 0;
 * rolls back when fn returns non-zero and returns that value. Retries the whole thing (up
 * to 5 times) when the backend reports a transient failure (busy / serialisation /
 * deadlock), so fn must have no side effects outside tx.
 */
typedef int (*store_tx_fn)(struct store_tx *tx, void *ud, struct sluis_err *err);
int store_tx_run(struct store *st, enum store_tx_mode mode, store_tx_fn fn, void *ud,
                 struct sluis_err *err);

/*
 * Queues a notification (channel: [a-z0-9_]{1,63}; payload <= 7999 bytes) that is delivered
 * after tx commits and dropped on rollback. PostgreSQL: pg_notify(), seen by every process
 * that listens on the database (all gateway nodes). SQLite: delivered in this process only,
 * to the store_listen() callbacks of st, on the committing thread.
 */
int store_notify(struct store_tx *tx, const char *channel, const char *payload,
                 struct sluis_err *err);

/*
 * Callback for store_listen(). payload is borrowed (valid during the call). payload NULL
 * means "notifications may have been lost" (the listener connection was re-established):
 * drop every cache that depends on the channel. Runs on the listener thread (PostgreSQL) or
 * the committing thread (SQLite): keep it short and thread-safe.
 */
typedef void (*store_notify_cb)(void *ud, const char *channel, const char *payload);

/*
 * Registers cb for channel (same rule as store_notify). PostgreSQL: the first call starts
 * one listener thread with its own connection (LISTEN, reconnects on failure); delivery is
 * typically within milliseconds of commit. At most 16 registrations per store; they last
 * until store_close(). Errors: SLUIS_EINVAL, SLUIS_ETOOBIG, SLUIS_EIO.
 */
int store_listen(struct store *st, const char *channel, store_notify_cb cb, void *ud,
                 struct sluis_err *err);

/*
 * Fills buf (cap >= 32) with the current UTC time as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", the one
 * timestamp format of the store (sorts as text).
 */
void store_now(char *buf, size_t cap);

#endif
