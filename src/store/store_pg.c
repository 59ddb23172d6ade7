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

struct pg_stmt {
    uint64_t hash;
    char *sql;
};

struct pg_conn {
    PGconn *db;
    int broken;
    int nstmt;
    struct pg_stmt stmts[PG_STMT_CACHE];
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

static void pg_conn_close(void *conn)
{
    struct pg_conn *c = conn;

    if (!c)
        return;
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

static int pg_exec_script(void *conn, const char *sql, int *transient, struct sluis_err *err)
{
    struct pg_conn *c = conn;
    PGresult *res;
    int rc = 0;

    res = PQexec(c->db, sql);
    if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
        rc = pg_error(c, res, transient, err);
    PQclear(res);
    return rc;
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

static int pg_query(void *conn, const char *sql, int nparams, const char *const *params,
                    store_row_cb cb, void *ud, long long *changes, int *transient,
                    struct sluis_err *err)
{
    struct pg_conn *c = conn;
    const char *vals[STORE_MAX_COLS];
    const char *names[STORE_MAX_COLS];
    const char *name;
    char namebuf[16];
    PGresult *res;
    int rc, ncols, nrows, ret = 0;

    rc = pg_prepared(c, sql, nparams, &name, namebuf, transient, err);
    if (rc)
        return rc;
    if (name)
        res = PQexecPrepared(c->db, name, nparams, params, NULL, NULL, 0);
    else
        res = PQexecParams(c->db, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!res) {
        ret = pg_error(c, NULL, transient, err);
        goto out;
    }
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
        if (changes)
            *changes = atoll(PQcmdTuples(res));
        break;
    case PGRES_TUPLES_OK:
        ncols = PQnfields(res);
        nrows = PQntuples(res);
        if (ncols > STORE_MAX_COLS) {
            ret = sluis_err_set(err, SLUIS_EINVAL, "more than %d result columns", STORE_MAX_COLS);
            goto out;
        }
        for (int j = 0; j < ncols; j++)
            names[j] = PQfname(res, j);
        for (int i = 0; i < nrows && cb; i++) {
            for (int j = 0; j < ncols; j++)
                vals[j] = PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
            ret = cb(ud, ncols, vals, names);
            if (ret)
                goto out;
        }
        if (changes)
            *changes = atoll(PQcmdTuples(res));
        break;
    default:
        ret = pg_error(c, res, transient, err);
    }
out:
    PQclear(res);
    return ret;
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
};
