/* store.c - backend selection, connection pool, transactions, notifications. */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TX_RETRIES 5

static int url_is_pg(const char *url)
{
    return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11);
}

void store_now(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    char base[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%06ldZ", base, ts.tv_nsec / 1000);
}

int store_channel_valid(const char *s)
{
    size_t n = 0;

    if (!s)
        return 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return 0;
    return n >= 1 && n <= 63;
}

/* Takes a connection from the pool, opening one when under the limit; waits otherwise. */
int store_pool_get(struct store *st, void **conn, struct sluis_err *err)
{
    int rc;

    *conn = NULL;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        if (st->nidle > 0) {
            *conn = st->idle[--st->nidle];
            pthread_mutex_unlock(&st->lock);
            if (st->ops->conn_ok(*conn))
                return 0;
            st->ops->conn_close(*conn);
            *conn = NULL;
            pthread_mutex_lock(&st->lock);
            st->nopen--;
            continue;
        }
        if (st->nopen < st->pool_max) {
            st->nopen++;
            pthread_mutex_unlock(&st->lock);
            rc = st->ops->conn_open(st, conn, err);
            if (rc) {
                pthread_mutex_lock(&st->lock);
                st->nopen--;
                pthread_cond_signal(&st->cond);
                pthread_mutex_unlock(&st->lock);
            }
            return rc;
        }
        pthread_cond_wait(&st->cond, &st->lock);
    }
}

/* Returns a connection to the pool; a broken one (or drop = 1) is closed instead. */
void store_pool_put(struct store *st, void *conn, int drop)
{
    if (!conn)
        return;
    if (drop || !st->ops->conn_ok(conn)) {
        st->ops->conn_close(conn);
        pthread_mutex_lock(&st->lock);
        st->nopen--;
    } else {
        pthread_mutex_lock(&st->lock);
        st->idle[st->nidle++] = conn;
    }
    pthread_cond_signal(&st->cond);
    pthread_mutex_unlock(&st->lock);
}

int store_open(const char *url, struct store **out, struct sluis_err *err)
{
    struct store *st;
    void *conn = NULL;
    const char *env;
    int rc;

    *out = NULL;
    if (!url || !url[0])
        return sluis_err_set(err, SLUIS_EINVAL, "empty database url");
    if (strlen(url) >= STORE_URL_CAP)
        return sluis_err_set(err, SLUIS_EINVAL, "database url over %d bytes", STORE_URL_CAP - 1);
    st = calloc(1, sizeof(*st));
    if (!st)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    st->ops = url_is_pg(url) ? &store_pg_ops : &store_sqlite_ops;
    memcpy(st->url, url, strlen(url) + 1);
    st->pool_max = 16; /* as many as `sluis serve` has HTTP threads on one core */
    env = getenv("SLUIS_STORE_POOL");
    if (env && atoi(env) >= 1 && atoi(env) <= STORE_POOL_MAX)
        st->pool_max = atoi(env);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->cond, NULL);
    pthread_mutex_init(&st->write_lock, NULL);
    pthread_mutex_init(&st->bmu, NULL);
    pthread_cond_init(&st->bcond, NULL);
    atomic_init(&st->wwaiting, 0);

    rc = store_pool_get(st, &conn, err);
    if (rc)
        goto out;
    rc = store_migrate(st, conn, err);
    store_pool_put(st, conn, rc != 0);
    if (!rc && st->ops->bg_start)
        rc = st->ops->bg_start(st, err);
out:
    if (rc) {
        store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    if (st->ops->listen_stop)
        st->ops->listen_stop(st);
    if (st->ops->bg_stop)
        st->ops->bg_stop(st);
    pthread_mutex_lock(&st->lock);
    while (st->nidle > 0) {
        void *c = st->idle[--st->nidle];
        st->nopen--;
        pthread_mutex_unlock(&st->lock);
        st->ops->conn_close(c);
        pthread_mutex_lock(&st->lock);
    }
    pthread_mutex_unlock(&st->lock);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->cond);
    pthread_mutex_destroy(&st->write_lock);
    pthread_mutex_destroy(&st->bmu);
    pthread_cond_destroy(&st->bcond);
    free(st);
}

enum store_backend store_backend_get(const struct store *st)
{
    return st->ops->backend;
}

static int version_cb(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    (void)names;
    if (ncols >= 1 && vals[0])
        *(int *)ud = atoi(vals[0]);
    return 0;
}

int store_schema_version(struct store *st, int *version, struct sluis_err *err)
{
    struct store_tx *tx;
    int rc;

    *version = 0;
    rc = store_tx_begin(st, STORE_TX_READ, &tx, err);
    if (rc)
        return rc;
    rc = store_query(tx, "SELECT MAX(version) FROM schema_migrations", 0, NULL, version_cb, version,
                     err);
    store_tx_rollback(tx);
    return rc;
}

struct store *store_tx_store(struct store_tx *tx)
{
    return tx->st;
}

/*
 * A PostgreSQL read transaction (autocommit) whose first statement failed because its
 * pooled connection had died gets one fresh connection; returns 1 when it did. Nothing was
 * read yet (libpq fetches the whole result before any row callback), so this is invisible.
 */
static int tx_reconnect(struct store_tx *tx)
{
    struct store *st = tx->st;
    void *conn = NULL;

    if (st->ops->backend != STORE_PG || tx->mode != STORE_TX_READ || tx->nok > 0 ||
        st->ops->conn_ok(tx->conn))
        return 0;
    /* The dead connection goes first, so that a pool of one can hand out a new one. */
    store_pool_put(st, tx->conn, 1);
    tx->conn = NULL;
    if (store_pool_get(st, &conn, NULL))
        return 0; /* the statement's failure stands; the transaction holds no connection */
    tx->conn = conn;
    return 1;
}

int store_query(struct store_tx *tx, const char *sql, int nparams, const char *const *params,
                store_row_cb cb, void *ud, struct sluis_err *err)
{
    int transient = 0;
    int rc;

    if (tx->failed)
        return sluis_err_set(err, SLUIS_EINVAL, "transaction already failed; roll it back");
    if (nparams < 0 || nparams > STORE_MAX_PARAMS)
        return sluis_err_set(err, SLUIS_EINVAL, "too many SQL parameters (%d)", nparams);
    if (strlen(sql) > STORE_MAX_SQL)
        return sluis_err_set(err, SLUIS_ETOOBIG, "SQL over %d bytes", STORE_MAX_SQL);
    rc = tx->st->ops->query(tx->conn, sql, nparams, params, cb, ud, NULL, &transient, err);
    if (rc < 0 && (tx_reconnect(tx) || store_batch_reconnect(tx)))
        rc = tx->st->ops->query(tx->conn, sql, nparams, params, cb, ud, NULL, &transient, err);
    tx->fresh = 0;
    if (rc < 0) {
        tx->failed = 1;
        tx->transient = transient;
    } else {
        tx->nok++;
    }
    return rc;
}

int store_exec(struct store_tx *tx, const char *sql, int nparams, const char *const *params,
               long long *changes, struct sluis_err *err)
{
    long long dummy = 0;
    int transient = 0;
    int rc;

    if (tx->failed)
        return sluis_err_set(err, SLUIS_EINVAL, "transaction already failed; roll it back");
    if (nparams < 0 || nparams > STORE_MAX_PARAMS)
        return sluis_err_set(err, SLUIS_EINVAL, "too many SQL parameters (%d)", nparams);
    if (strlen(sql) > STORE_MAX_SQL)
        return sluis_err_set(err, SLUIS_ETOOBIG, "SQL over %d bytes", STORE_MAX_SQL);
    rc = tx->st->ops->query(tx->conn, sql, nparams, params, NULL, NULL, changes ? changes : &dummy,
                            &transient, err);
    if (rc < 0 && (tx_reconnect(tx) || store_batch_reconnect(tx)))
        rc = tx->st->ops->query(tx->conn, sql, nparams, params, NULL, NULL,
                                changes ? changes : &dummy, &transient, err);
    tx->fresh = 0;
    if (rc < 0) {
        tx->failed = 1;
        tx->transient = transient;
    } else {
        tx->nok++;
    }
    return rc;
}

int store_exec_defer(struct store_tx *tx, const char *sql, int nparams, const char *const *params,
                     struct sluis_err *err)
{
    int rc;

    if (!tx->st->ops->defer || !tx->in_batch)
        return store_exec(tx, sql, nparams, params, NULL, err);
    if (tx->failed)
        return sluis_err_set(err, SLUIS_EINVAL, "transaction already failed; roll it back");
    if (nparams < 0 || nparams > STORE_MAX_PARAMS)
        return sluis_err_set(err, SLUIS_EINVAL, "too many SQL parameters (%d)", nparams);
    if (strlen(sql) > STORE_MAX_SQL)
        return sluis_err_set(err, SLUIS_ETOOBIG, "SQL over %d bytes", STORE_MAX_SQL);
    rc = tx->st->ops->defer(tx->conn, sql, nparams, params, err);
    tx->fresh = 0; /* queued on this connection: a reconnect would lose it */
    if (rc < 0)
        tx->failed = 1;
    return rc;
}

int store_tx_run(struct store *st, enum store_tx_mode mode, store_tx_fn fn, void *ud,
                 struct sluis_err *err)
{
    struct store_tx *tx;
    int rc = 0;

    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        int transient;

        rc = store_tx_begin(st, mode, &tx, err);
        if (rc)
            return rc;
        rc = fn(tx, ud, err);
        if (rc) {
            transient = tx->failed && tx->transient;
            store_tx_rollback(tx);
            if (transient)
                continue;
            return rc;
        }
        transient = 0;
        rc = store_tx_commit(tx, err);
        if (rc == SLUIS_ECONFLICT)
            continue; /* serialisation failure at commit: retry */
        return rc;
    }
    return rc;
}

int store_notify(struct store_tx *tx, const char *channel, const char *payload,
                 struct sluis_err *err)
{
    struct store_note *n;

    if (!store_channel_valid(channel))
        return sluis_err_set(err, SLUIS_EINVAL, "bad notification channel name");
    if (!payload)
        payload = "";
    if (strlen(payload) > 7999)
        return sluis_err_set(err, SLUIS_ETOOBIG, "notification payload over 7999 bytes");
    if (tx->st->ops->backend == STORE_PG) {
        const char *p[2] = {channel, payload};
        return store_exec_defer(tx, "SELECT pg_notify($1, $2)", 2, p, err);
    }
    n = calloc(1, sizeof(*n));
    if (!n)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    n->payload = strdup(payload);
    if (!n->payload) {
        free(n);
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    snprintf(n->channel, sizeof(n->channel), "%s", channel);
    *tx->notes_tail = n;
    tx->notes_tail = &n->next;
    return 0;
}

void store_listeners_call(struct store *st, const char *channel, const char *payload)
{
    struct store_listener copy[STORE_MAX_LISTEN];
    int n;

    pthread_mutex_lock(&st->lock);
    n = st->nlisteners;
    memcpy(copy, st->listeners, sizeof(copy[0]) * (size_t)n);
    pthread_mutex_unlock(&st->lock);
    for (int i = 0; i < n; i++)
        if (!strcmp(copy[i].channel, channel))
            copy[i].cb(copy[i].ud, channel, payload);
}

int store_listeners_channels(struct store *st, char chans[][64], int cap)
{
    int n = 0;

    pthread_mutex_lock(&st->lock);
    for (int i = 0; i < st->nlisteners && n < cap; i++) {
        int dup = 0;
        for (int j = 0; j < n; j++)
            if (!strcmp(chans[j], st->listeners[i].channel))
                dup = 1;
        if (!dup)
            memcpy(chans[n++], st->listeners[i].channel, 64);
    }
    pthread_mutex_unlock(&st->lock);
    return n;
}

int store_listen(struct store *st, const char *channel, store_notify_cb cb, void *ud,
                 struct sluis_err *err)
{
    struct store_listener *l;

    if (!store_channel_valid(channel) || !cb)
        return sluis_err_set(err, SLUIS_EINVAL, "bad notification channel name or callback");
    pthread_mutex_lock(&st->lock);
    if (st->nlisteners >= STORE_MAX_LISTEN) {
        pthread_mutex_unlock(&st->lock);
        return sluis_err_set(err, SLUIS_ETOOBIG, "more than %d listeners", STORE_MAX_LISTEN);
    }
    l = &st->listeners[st->nlisteners++];
    snprintf(l->channel, sizeof(l->channel), "%s", channel);
    l->cb = cb;
    l->ud = ud;
    pthread_mutex_unlock(&st->lock);
    if (st->ops->listen_start)
        return st->ops->listen_start(st, err);
    return 0;
}
