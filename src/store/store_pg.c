/* store_pg.c - the PostgreSQL backend (libpq): prepared-statement cache, LISTEN thread. */
#include "store/store_internal.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_STMT_CACHE 128
/* Statements queued by pg_defer() before they go out in one pipeline. */
#define PG_PENDING_MAX 16

struct pg_stmt {
    uint64_t hash;
    char *sql;
};

/* One deferred statement: prepared name (or the SQL text) and copied parameters. */
struct pg_pending {
    char name[16];
    char *sql; /* unprepared (cache full): the text; else NULL */
    int nparams;
    char *params[STORE_MAX_PARAMS];
    store_row_cb cb; /* rows of the result, or NULL */
    void *ud;
};

struct pg_conn {
    PGconn *db;
    int broken;
    int nstmt;
    struct pg_stmt stmts[PG_STMT_CACHE];
    int npending;
    int nsealed;       /* pending[0..nsealed-1] belong to writers that joined the batch */
    int sealed_failed; /* one of those failed when sent (read and cleared by the store) */
    struct pg_pending pending[PG_PENDING_MAX];
};

struct pg_listen {
    pthread_t thread;
    int running;
    int stop;
    unsigned long gen_req;  /* bumped by store_listen */
    unsigned long gen_done; /* channels LISTENed up to this request */
    int connected;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Copies the libpq message without its trailing newline. */
static void pg_msg(char *buf, size_t cap, const char *msg)
{
    size_t n;

    snprintf(buf, cap, "%s", msg ? msg : "unknown error");
    n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
}

static int pg_error(struct pg_conn *c, PGresult *res, int *transient, struct sluis_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[400];
    int code = SLUIS_EIO;

    pg_msg(msg, sizeof(msg), res ? PQresultErrorMessage(res) : PQerrorMessage(c->db));
    if (PQstatus(c->db) != CONNECTION_OK)
        c->broken = 1;
    if (state) {
        if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")) {
            *transient = 1;
            code = SLUIS_EIO;
        } else if (!strcmp(state, "23505") || !strcmp(state, "23503")) {
            code = SLUIS_ECONFLICT;
        } else if (!strncmp(state, "23", 2) || !strncmp(state, "42", 2) ||
                   !strncmp(state, "22", 2)) {
            code = SLUIS_EINVAL;
        } else if (!strncmp(state, "54", 2)) {
            code = SLUIS_ETOOBIG;
        }
    }
    return sluis_err_set(err, code, "postgresql: %s", msg);
}

/* Drops server notices ("relation already exists, skipping") instead of printing them. */
static void pg_notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_conn_open(struct store *st, void **out, struct sluis_err *err)
{
    struct pg_conn *c;
    char msg[400];

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    c->db = PQconnectdb(st->url);
    if (!c->db || PQstatus(c->db) != CONNECTION_OK) {
        pg_msg(msg, sizeof(msg), c->db ? PQerrorMessage(c->db) : "out of memory");
        PQfinish(c->db);
        free(c);
        return sluis_err_set(err, SLUIS_EIO, "cannot connect to PostgreSQL: %s", msg);
    }
    PQsetNoticeProcessor(c->db, pg_notice_quiet, NULL);
    *out = c;
    return 0;
}

static void pending_clear(struct pg_conn *c)
{
    for (int i = 0; i < c->npending; i++) {
        struct pg_pending *p = &c->pending[i];
        free(p->sql);
        for (int j = 0; j < p->nparams; j++)
            free(p->params[j]);
        memset(p, 0, sizeof(*p));
    }
    c->npending = 0;
    c->nsealed = 0;
}

static void pg_conn_close(void *conn)
{
    struct pg_conn *c = conn;

    if (!c)
        return;
    pending_clear(c);
    for (int i = 0; i < c->nstmt; i++)
        free(c->stmts[i].sql);
    PQfinish(c->db);
    free(c);
}

static int pg_conn_ok(void *conn)
{
    struct pg_conn *c = conn;

    return !c->broken && PQstatus(c->db) == CONNECTION_OK;
}

/*
 * An idle connection has nothing to read: when its socket is readable, the server has sent
 * something on its own, normally the FATAL of a terminated backend followed by EOF. Takes it
 * in and says whether the connection survived (a notice or a parameter change does).
 */
static int pg_conn_alive(void *conn)
{
    struct pg_conn *c = conn;
    struct pollfd pfd = {.fd = PQsocket(c->db), .events = POLLIN, .revents = 0};

    if (!pg_conn_ok(c) || pfd.fd < 0)
        return 0;
    /* The second look finds the EOF that follows the message. */
    for (int i = 0; i < 2 && poll(&pfd, 1, 0) > 0; i++) {
        if (!PQconsumeInput(c->db) || PQstatus(c->db) != CONNECTION_OK) {
            c->broken = 1;
            return 0;
        }
    }
    return 1;
}

/* Name of the prepared statement for sql, preparing it on first use; NULL = run unprepared. */
static int pg_prepared(struct pg_conn *c, const char *sql, int nparams, const char **name,
                       char namebuf[16], int *transient, struct sluis_err *err)
{
    uint64_t h = fnv1a(sql);
    PGresult *res;
    int i, rc;

    *name = NULL;
    for (i = 0; i < c->nstmt; i++)
        if (c->stmts[i].hash == h && !strcmp(c->stmts[i].sql, sql)) {
            snprintf(namebuf, 16, "s%d", i);
            *name = namebuf;
            return 0;
        }
    if (c->nstmt >= PG_STMT_CACHE)
        return 0;
    i = c->nstmt;
    snprintf(namebuf, 16, "s%d", i);
    res = PQprepare(c->db, namebuf, sql, nparams, NULL);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_error(c, res, transient, err);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    c->stmts[i].sql = strdup(sql);
    if (!c->stmts[i].sql) {
        /* The statement exists on the server under this name; never reuse the slot. */
        c->broken = 1;
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    c->stmts[i].hash = h;
    c->nstmt++;
    *name = namebuf;
    return 0;
}

/* Takes one query's result: rows to cb, *changes; error for anything but success. */
static int result_take(struct pg_conn *c, PGresult *res, store_row_cb cb, void *ud,
                       long long *changes, int *transient, struct sluis_err *err)
{
    const char *vals[STORE_MAX_COLS];
    const char *names[STORE_MAX_COLS];
    int ncols, nrows, ret = 0;

    if (!res)
        return pg_error(c, NULL, transient, err);
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
        if (changes)
            *changes = atoll(PQcmdTuples(res));
        break;
    case PGRES_TUPLES_OK:
        ncols = PQnfields(res);
        nrows = PQntuples(res);
        if (ncols > STORE_MAX_COLS)
            return sluis_err_set(err, SLUIS_EINVAL, "more than %d result columns", STORE_MAX_COLS);
        for (int j = 0; j < ncols; j++)
            names[j] = PQfname(res, j);
        for (int i = 0; i < nrows && cb; i++) {
            for (int j = 0; j < ncols; j++)
                vals[j] = PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
            ret = cb(ud, ncols, vals, names);
            if (ret)
                return ret;
        }
        if (changes)
            *changes = atoll(PQcmdTuples(res));
        break;
    default:
        ret = pg_error(c, res, transient, err);
    }
    return ret;
}

/*
 * PostgreSQL answers COMMIT of a transaction that an error had aborted with success and the
 * tag "ROLLBACK": never take that for a durable commit.
 */
static int commit_check(const char *sql, PGresult *res, struct sluis_err *err)
{
    if (strcmp(sql, "COMMIT") != 0 || !strcmp(PQcmdStatus(res), "COMMIT"))
        return 0;
    return sluis_err_set(err, SLUIS_EIO, "postgresql: the transaction was rolled back (%s)",
                         PQcmdStatus(res));
}

/* The last statement of a pipeline (sql NULL: none, only the deferred ones go out). */
struct pg_final {
    const char *sql;
    const char *name; /* prepared name or NULL */
    int nparams;
    const char *const *params;
    store_row_cb cb;
    void *ud;
    long long *changes;
};

/*
 * Sends the deferred statements and fin in one pipeline (one round trip) and reads every
 * result. Returns the first error (a failed statement makes the server skip the ones after
 * it), else fin's result. The queue is empty afterwards, whatever happened.
 */
static int pipeline_run(struct pg_conn *c, const struct pg_final *fin, int *transient,
                        struct sluis_err *err)
{
    int has_fin = fin && fin->sql;
    int total = c->npending + has_fin;
    int nsealed = c->nsealed;
    int nsent = 0, ret = 0, sent_ok = 1;
    store_row_cb cbs[PG_PENDING_MAX];
    void *uds[PG_PENDING_MAX];
    PGresult *res;

    if (total == 0)
        return 0;
    for (int i = 0; i < c->npending; i++) {
        cbs[i] = c->pending[i].cb;
        uds[i] = c->pending[i].ud;
    }
    if (!PQenterPipelineMode(c->db)) {
        pending_clear(c);
        c->sealed_failed |= nsealed > 0;
        return pg_error(c, NULL, transient, err);
    }
    for (int i = 0; i < c->npending && sent_ok; i++) {
        const struct pg_pending *p = &c->pending[i];
        const char *const *pv = (const char *const *)p->params;
        sent_ok = p->sql ? PQsendQueryParams(c->db, p->sql, p->nparams, NULL, pv, NULL, NULL, 0)
                         : PQsendQueryPrepared(c->db, p->name, p->nparams, pv, NULL, NULL, 0);
        nsent += sent_ok;
    }
    if (sent_ok && has_fin) {
        sent_ok = fin->name ? PQsendQueryPrepared(c->db, fin->name, fin->nparams, fin->params, NULL,
                                                  NULL, 0)
                            : PQsendQueryParams(c->db, fin->sql, fin->nparams, NULL, fin->params,
                                                NULL, NULL, 0);
        nsent += sent_ok;
    }
    pending_clear(c);
    if (!sent_ok || !PQpipelineSync(c->db)) {
        c->broken = 1;
        c->sealed_failed |= nsealed > 0;
        ret = pg_error(c, NULL, transient, err);
        PQexitPipelineMode(c->db);
        return ret;
    }
    for (int i = 0; i < nsent && !c->broken; i++) {
        int last = has_fin && i == total - 1;
        int got = 0;
        while ((res = PQgetResult(c->db)) != NULL) {
            got = 1;
            /* PGRES_PIPELINE_ABORTED: skipped after an earlier failure, already in ret. */
            if (PQresultStatus(res) != PGRES_PIPELINE_ABORTED && !ret) {
                ret = last ? result_take(c, res, fin->cb, fin->ud, fin->changes, transient, err)
                           : result_take(c, res, cbs[i], uds[i], NULL, transient, err);
                if (!ret && last)
                    ret = commit_check(fin->sql, res, err);
                if (ret < 0 && i < nsealed)
                    c->sealed_failed = 1;
            }
            PQclear(res);
        }
        if (!got) {
            /* The connection went away mid-pipeline. */
            c->broken = 1;
            c->sealed_failed |= i < nsealed;
            if (!ret)
                ret = pg_error(c, NULL, transient, err);
        }
    }
    if (!c->broken) {
        res = PQgetResult(c->db);
        if (!res || PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
            c->broken = 1;
            if (!ret)
                ret = pg_error(c, res, transient, err);
        }
        PQclear(res);
    }
    if (!PQexitPipelineMode(c->db))
        c->broken = 1;
    return ret;
}

static int pg_flush(void *conn, int *transient, struct sluis_err *err)
{
    return pipeline_run(conn, NULL, transient, err);
}

static void pg_seal(void *conn)
{
    struct pg_conn *c = conn;

    c->nsealed = c->npending;
}

static int pg_sealed_failed(void *conn)
{
    struct pg_conn *c = conn;
    int f = c->sealed_failed;

    c->sealed_failed = 0;
    return f;
}

static int pg_exec_script(void *conn, const char *sql, int *transient, struct sluis_err *err)
{
    struct pg_conn *c = conn;
    PGresult *res;
    int rc = 0;

    if (c->npending) {
        if (!strncmp(sql, "ROLLBACK", 8)) {
            /* The rollback undoes the deferred statements anyway: run them, ignore their
             * errors (a failure would make the server skip the ROLLBACK itself). */
            int t = 0;
            pipeline_run(c, NULL, &t, NULL);
        } else if (!strchr(sql, ';')) {
            /* One utility statement (COMMIT, RELEASE SAVEPOINT ...): the same round trip. */
            struct pg_final fin = {sql, NULL, 0, NULL, NULL, NULL, NULL};
            return pipeline_run(c, &fin, transient, err);
        } else if ((rc = pipeline_run(c, NULL, transient, err)) != 0) {
            return rc;
        }
    }
    res = PQexec(c->db, sql);
    if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
        rc = pg_error(c, res, transient, err);
    else
        rc = commit_check(sql, res, err);
    PQclear(res);
    return rc;
}

static int pg_query(void *conn, const char *sql, int nparams, const char *const *params,
                    store_row_cb cb, void *ud, long long *changes, int *transient,
                    struct sluis_err *err)
{
    struct pg_conn *c = conn;
    const char *name;
    char namebuf[16];
    PGresult *res;
    int rc, ret;

    rc = pg_prepared(c, sql, nparams, &name, namebuf, transient, err);
    if (rc)
        return rc;
    if (c->npending) {
        struct pg_final fin = {sql, name, nparams, params, cb, ud, changes};
        return pipeline_run(c, &fin, transient, err);
    }
    if (name)
        res = PQexecPrepared(c->db, name, nparams, params, NULL, NULL, 0);
    else
        res = PQexecParams(c->db, sql, nparams, NULL, params, NULL, NULL, 0);
    ret = result_take(c, res, cb, ud, changes, transient, err);
    PQclear(res);
    return ret;
}

static int pg_defer_rows(void *conn, const char *sql, int nparams, const char *const *params,
                         store_row_cb cb, void *ud, struct sluis_err *err)
{
    struct pg_conn *c = conn;
    struct pg_pending *p;
    const char *name;
    char namebuf[16];
    int transient = 0;
    int rc;

    /* Preparing a new statement is a synchronous round trip of its own; the queued ones
     * have not been sent, so the order of execution is unchanged. */
    rc = pg_prepared(c, sql, nparams, &name, namebuf, &transient, err);
    if (rc)
        return rc;
    if (c->npending == PG_PENDING_MAX && (rc = pipeline_run(c, NULL, &transient, err)))
        return rc;
    p = &c->pending[c->npending];
    memset(p, 0, sizeof(*p));
    if (name) {
        snprintf(p->name, sizeof(p->name), "%s", name);
    } else if (!(p->sql = strdup(sql))) {
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < nparams; i++) {
        if (params[i] && !(p->params[i] = strdup(params[i]))) {
            /* Not queued; the caller's transaction fails and rolls back. */
            for (int j = 0; j < i; j++)
                free(p->params[j]);
            free(p->sql);
            memset(p, 0, sizeof(*p));
            return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        }
    }
    p->nparams = nparams;
    p->cb = cb;
    p->ud = ud;
    c->npending++;
    return 0;
}

static int pg_defer(void *conn, const char *sql, int nparams, const char *const *params,
                    struct sluis_err *err)
{
    return pg_defer_rows(conn, sql, nparams, params, NULL, NULL, err);
}

/* ---- LISTEN / NOTIFY ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int listen_channels(struct store *st, PGconn *db, char done[][64], int *ndone)
{
    char chans[STORE_MAX_LISTEN][64];
    char sql[96];
    int n = store_listeners_channels(st, chans, STORE_MAX_LISTEN);

    for (int i = 0; i < n; i++) {
        int have = 0;
        PGresult *res;

        for (int j = 0; j < *ndone; j++)
            if (!strcmp(done[j], chans[i]))
                have = 1;
        if (have)
            continue;
        /* Channel names are [a-z0-9_] only (store_channel_valid), so quoting is safe. */
        snprintf(sql, sizeof(sql), "LISTEN \"%s\"", chans[i]);
        res = PQexec(db, sql);
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
            PQclear(res);
            return -1;
        }
        PQclear(res);
        memcpy(done[(*ndone)++], chans[i], 64);
    }
    return 0;
}

static void *listen_main(void *arg)
{
    struct store *st = arg;
    struct pg_listen *L = st->listen_state;
    char done[STORE_MAX_LISTEN][64];
    int ndone = 0;
    int ever_connected = 0;
    PGconn *db = NULL;

    for (;;) {
        unsigned long want;
        struct pollfd pfd;
        PGnotify *n;
        int lost = 0;

        pthread_mutex_lock(&L->mu);
        if (L->stop) {
            pthread_mutex_unlock(&L->mu);
            break;
        }
        want = L->gen_req;
        pthread_mutex_unlock(&L->mu);

        if (!db) {
            db = PQconnectdb(st->url);
            if (!db || PQstatus(db) != CONNECTION_OK) {
                PQfinish(db);
                db = NULL;
                sleep_ms(200);
                continue;
            }
            PQsetNoticeProcessor(db, pg_notice_quiet, NULL);
            ndone = 0;
            if (listen_channels(st, db, done, &ndone)) {
                PQfinish(db);
                db = NULL;
                sleep_ms(200);
                continue;
            }
            if (ever_connected) {
                char chans[STORE_MAX_LISTEN][64];
                int nc = store_listeners_channels(st, chans, STORE_MAX_LISTEN);
                for (int i = 0; i < nc; i++)
                    store_listeners_call(st, chans[i], NULL);
            }
            ever_connected = 1;
            pthread_mutex_lock(&L->mu);
            L->connected = 1;
            pthread_mutex_unlock(&L->mu);
        }
        if (listen_channels(st, db, done, &ndone)) {
            lost = 1;
        } else {
            pthread_mutex_lock(&L->mu);
            if (L->gen_done < want)
                L->gen_done = want;
            pthread_cond_broadcast(&L->cv);
            pthread_mutex_unlock(&L->mu);

            pfd.fd = PQsocket(db);
            pfd.events = POLLIN;
            pfd.revents = 0;
            if (pfd.fd < 0 || poll(&pfd, 1, 50) < 0)
                lost = 1;
            else if (!PQconsumeInput(db))
                lost = 1;
            while (!lost && (n = PQnotifies(db)) != NULL) {
                store_listeners_call(st, n->relname, n->extra ? n->extra : "");
                PQfreemem(n);
            }
            if (PQstatus(db) != CONNECTION_OK)
                lost = 1;
        }
        if (lost) {
            PQfinish(db);
            db = NULL;
            pthread_mutex_lock(&L->mu);
            L->connected = 0;
            pthread_mutex_unlock(&L->mu);
        }
    }
    PQfinish(db);
    return NULL;
}

static int pg_listen_start(struct store *st, struct sluis_err *err)
{
    struct pg_listen *L;
    struct timespec deadline;
    unsigned long gen;
    int rc = 0;

    pthread_mutex_lock(&st->lock);
    L = st->listen_state;
    if (!L) {
        L = calloc(1, sizeof(*L));
        if (!L) {
            pthread_mutex_unlock(&st->lock);
            return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        }
        pthread_mutex_init(&L->mu, NULL);
        pthread_cond_init(&L->cv, NULL);
        st->listen_state = L;
    }
    pthread_mutex_unlock(&st->lock);

    pthread_mutex_lock(&L->mu);
    if (!L->running) {
        if (pthread_create(&L->thread, NULL, listen_main, st)) {
            pthread_mutex_unlock(&L->mu);
            return sluis_err_set(err, SLUIS_EIO, "cannot start the listener thread");
        }
        L->running = 1;
    }
    gen = ++L->gen_req;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    while (L->gen_done < gen) {
        if (pthread_cond_timedwait(&L->cv, &L->mu, &deadline)) {
            rc = sluis_err_set(err, SLUIS_EIO,
                               "listener not connected to PostgreSQL yet (keeps retrying)");
            break;
        }
    }
    pthread_mutex_unlock(&L->mu);
    return rc;
}

static void pg_listen_stop(struct store *st)
{
    struct pg_listen *L = st->listen_state;

    if (!L)
        return;
    pthread_mutex_lock(&L->mu);
    L->stop = 1;
    pthread_mutex_unlock(&L->mu);
    if (L->running)
        pthread_join(L->thread, NULL);
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->cv);
    free(L);
    st->listen_state = NULL;
}

const struct store_ops store_pg_ops = {
    .name = "postgresql",
    .backend = STORE_PG,
    .conn_open = pg_conn_open,
    .conn_close = pg_conn_close,
    .conn_ok = pg_conn_ok,
    .exec_script = pg_exec_script,
    .query = pg_query,
    .listen_start = pg_listen_start,
    .listen_stop = pg_listen_stop,
    .bg_start = NULL,
    .bg_stop = NULL,
    .defer = pg_defer,
    .flush = pg_flush,
    .seal = pg_seal,
    .sealed_failed = pg_sealed_failed,
    .conn_alive = pg_conn_alive,
    .defer_rows = pg_defer_rows,
};
