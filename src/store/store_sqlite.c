/*
 * store_sqlite.c - the SQLite backend: WAL, synchronous=FULL, a prepared-statement cache, and
 * a checkpointer thread that keeps WAL checkpoints (and their fsyncs) off the request path.
 */
#include "store/store_internal.h"

#include <sched.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STMT_CACHE 48
/* WAL frames (pages) written since the last checkpoint at which a commit wakes the
 * checkpointer; the checkpointer also looks every CKPT_TICK_MS. At CKPT_INLINE frames the
 * checkpointer is evidently behind and the committing connection checkpoints itself (what
 * SQLite's autocheckpoint would do at 1000). The WAL is restarted from its beginning (phase 2
 * of a checkpoint, a short pause for writers) once it is CKPT_RESTART frames long. */
#define CKPT_WAKE 1000
#define CKPT_INLINE 16384
#define CKPT_RESTART 8192
#define CKPT_TICK_MS 250
/* A WAL that grew past this is truncated back to it when it restarts. */
#define WAL_SIZE_LIMIT "67108864"

/* The checkpointer thread (st->bg_state). */
struct sq_bg {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int wake;
    atomic_int frames;  /* WAL frames after the latest commit (from the WAL hook) */
    atomic_int ckpt_at; /* WAL frames when the latest checkpoint began */
    sqlite3 *db;        /* the checkpointer's own connection */
    struct store *st;
};

struct sq_stmt {
    char *sql; /* original ($N) text: the cache key */
    sqlite3_stmt *stmt;
    unsigned long used; /* LRU clock */
};

struct sq_conn {
    sqlite3 *db;
    int broken;
    unsigned long clock;
    struct sq_stmt cache[STMT_CACHE];
};

/* Rewrites $N to ?N outside quoted text. out has room for strlen(sql) + 1. */
static void rewrite_params(const char *sql, char *out)
{
    char quote = 0;

    for (; *sql; sql++) {
        char c = *sql;
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '$' && sql[1] >= '0' && sql[1] <= '9') {
            c = '?';
        }
        *out++ = c;
    }
    *out = '\0';
}

static int sq_error(sqlite3 *db, int rc, int *transient, struct sluis_err *err)
{
    int prim = rc & 0xff;

    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) {
        *transient = 1;
        return sluis_err_set(err, SLUIS_EIO, "database busy: %s", sqlite3_errmsg(db));
    }
    if (prim == SQLITE_CONSTRAINT) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
            rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return sluis_err_set(err, SLUIS_ECONFLICT, "constraint: %s", sqlite3_errmsg(db));
        return sluis_err_set(err, SLUIS_EINVAL, "constraint: %s", sqlite3_errmsg(db));
    }
    if (prim == SQLITE_ERROR || prim == SQLITE_MISMATCH || prim == SQLITE_RANGE)
        return sluis_err_set(err, SLUIS_EINVAL, "sqlite: %s", sqlite3_errmsg(db));
    if (prim == SQLITE_NOMEM)
        return sluis_err_set(err, SLUIS_ENOMEM, "sqlite: out of memory");
    if (prim == SQLITE_TOOBIG)
        return sluis_err_set(err, SLUIS_ETOOBIG, "sqlite: %s", sqlite3_errmsg(db));
    return sluis_err_set(err, SLUIS_EIO, "sqlite: %s", sqlite3_errmsg(db));
}

/*
 * WAL hook, called after every commit (write lock released) on the committing thread. It
 * replaces SQLite's autocheckpoint, which would run the checkpoint (two fsyncs and a copy of
 * every changed page) inside the request that happened to cross 1000 frames.
 */
static int sq_wal_hook(void *ud, sqlite3 *db, const char *name, int frames)
{
    struct store *st = ud;
    struct sq_bg *bg = st->bg_state;

    if (!bg) {
        /* No checkpointer (store_open before bg_start): behave like autocheckpoint. */
        if (frames >= 1000)
            sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        return SQLITE_OK;
    }
    atomic_store(&bg->frames, frames);
    /* Frames not checkpointed yet (a WAL shorter than at the last checkpoint restarted). */
    int pending = frames - atomic_load(&bg->ckpt_at);
    if (pending < 0)
        pending = frames;
    if (pending >= CKPT_INLINE) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    } else if (pending >= CKPT_WAKE) {
        pthread_mutex_lock(&bg->mu);
        bg->wake = 1;
        pthread_cond_signal(&bg->cv);
        pthread_mutex_unlock(&bg->mu);
    }
    return SQLITE_OK;
}

static int sq_conn_open(struct store *st, void **out, struct sluis_err *err)
{
    struct sq_conn *c;
    int rc;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    rc = sqlite3_open_v2(st->url, &c->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sluis_err_set(err, SLUIS_EIO, "cannot open database '%s': %s", st->url,
                      c->db ? sqlite3_errmsg(c->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 10000);
    /* journal_mode=WAL needs the write lock the first time; busy_timeout covers that. */
    rc = sqlite3_exec(c->db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                      "PRAGMA journal_size_limit=" WAL_SIZE_LIMIT ";",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sluis_err_set(err, SLUIS_EIO, "cannot set up database '%s': %s", st->url,
                      sqlite3_errmsg(c->db));
        goto fail;
    }
    sqlite3_wal_hook(c->db, sq_wal_hook, st);
    *out = c;
    return 0;
fail:
    sqlite3_close(c->db);
    free(c);
    return SLUIS_EIO;
}

static void sq_conn_close(void *conn)
{
    struct sq_conn *c = conn;

    if (!c)
        return;
    for (int i = 0; i < STMT_CACHE; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    sqlite3_close(c->db);
    free(c);
}

static int sq_conn_ok(void *conn)
{
    return !((struct sq_conn *)conn)->broken;
}

static int sq_query(void *conn, const char *sql, int nparams, const char *const *params,
                    store_row_cb cb, void *ud, long long *changes, int *transient,
                    struct sluis_err *err);

static int sq_exec_script(void *conn, const char *sql, int *transient, struct sluis_err *err)
{
    struct sq_conn *c = conn;
    int rc;

    /* One statement (BEGIN, COMMIT, SAVEPOINT, ...): run it through the statement cache. */
    if (!strchr(sql, ';')) {
        long long changes;
        rc = sq_query(conn, sql, 0, NULL, NULL, NULL, &changes, transient, err);
        if (rc && !strcmp(sql, "ROLLBACK") && sqlite3_get_autocommit(c->db))
            return 0;
        return rc;
    }
    rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    /* A failed ROLLBACK with no transaction open is harmless; anything else is reported. */
    if (!strcmp(sql, "ROLLBACK") && sqlite3_get_autocommit(c->db))
        return 0;
    return sq_error(c->db, rc, transient, err);
}

/* Finds or prepares the statement for sql; it is reset and unbound, ready to bind. */
static int sq_prepare(struct sq_conn *c, const char *sql, sqlite3_stmt **out, int *transient,
                      struct sluis_err *err)
{
    struct sq_stmt *slot = NULL;
    size_t len = strlen(sql);
    char *rw;
    int rc;

    c->clock++;
    for (int i = 0; i < STMT_CACHE; i++) {
        struct sq_stmt *s = &c->cache[i];
        if (s->sql && !strcmp(s->sql, sql)) {
            s->used = c->clock;
            *out = s->stmt;
            return 0;
        }
        if (!slot || !s->sql || (slot->sql && s->used < slot->used))
            slot = s;
    }
    rw = malloc(len + 1);
    if (!rw)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    rewrite_params(sql, rw);
    sqlite3_finalize(slot->stmt);
    free(slot->sql);
    slot->stmt = NULL;
    slot->sql = NULL;
    rc = sqlite3_prepare_v3(c->db, rw, (int)len + 1, SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL);
    free(rw);
    if (rc != SQLITE_OK)
        return sq_error(c->db, rc, transient, err);
    slot->sql = strdup(sql);
    if (!slot->sql) {
        sqlite3_finalize(slot->stmt);
        slot->stmt = NULL;
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    slot->used = c->clock;
    *out = slot->stmt;
    return 0;
}

static int sq_query(void *conn, const char *sql, int nparams, const char *const *params,
                    store_row_cb cb, void *ud, long long *changes, int *transient,
                    struct sluis_err *err)
{
    struct sq_conn *c = conn;
    const char *vals[STORE_MAX_COLS];
    const char *names[STORE_MAX_COLS];
    sqlite3_stmt *stmt = NULL;
    int rc, ncols, ret = 0;

    rc = sq_prepare(c, sql, &stmt, transient, err);
    if (rc)
        return rc;
    if (sqlite3_bind_parameter_count(stmt) > nparams) {
        ret = sluis_err_set(err, SLUIS_EINVAL, "SQL expects %d parameters, %d given",
                            sqlite3_bind_parameter_count(stmt), nparams);
        goto out;
    }
    for (int i = 0; i < nparams && i < sqlite3_bind_parameter_count(stmt); i++) {
        rc = params[i] ? sqlite3_bind_text(stmt, i + 1, params[i], -1, SQLITE_STATIC)
                       : sqlite3_bind_null(stmt, i + 1);
        if (rc != SQLITE_OK) {
            ret = sq_error(c->db, rc, transient, err);
            goto out;
        }
    }
    ncols = sqlite3_column_count(stmt);
    if (ncols > STORE_MAX_COLS) {
        ret = sluis_err_set(err, SLUIS_EINVAL, "more than %d result columns", STORE_MAX_COLS);
        goto out;
    }
    for (int i = 0; i < ncols; i++)
        names[i] = sqlite3_column_name(stmt, i);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!cb)
            continue;
        for (int i = 0; i < ncols; i++)
            vals[i] = sqlite3_column_type(stmt, i) == SQLITE_NULL
                          ? NULL
                          : (const char *)sqlite3_column_text(stmt, i);
        ret = cb(ud, ncols, vals, names);
        if (ret)
            goto out;
    }
    if (rc != SQLITE_DONE) {
        ret = sq_error(c->db, rc, transient, err);
        goto out;
    }
    if (changes)
        *changes = sqlite3_changes64(c->db);
out:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return ret;
}

/* ---- the checkpointer ---- */

/*
 * One checkpoint. Phase 1 runs alongside the writers and copies the WAL's new frames into
 * the database file. SQLite restarts the WAL from its beginning only when a write
 * transaction begins with every frame copied, which under steady load never happens on its
 * own (a batch commits while phase 1 runs): the WAL would grow without bound, and every
 * commit's fdatasync would also have to journal the file's new size. So once the WAL is
 * CKPT_RESTART frames long, phase 2 takes the writers' mutex, commits the open batch (its
 * members are only waiting for that COMMIT), copies the few frames committed since phase 1
 * and lets the next batch restart the WAL. Phase 2 pauses writers for its fsyncs (about a
 * millisecond); doing it once per CKPT_RESTART frames instead of every CKPT_WAKE frames
 * keeps that pause out of all but about one write in a thousand at 1,000 writes/s. The WAL
 * file keeps its length when it restarts (up to journal_size_limit), so its later commits
 * overwrite it in place and do not grow it.
 */
static void checkpoint_once(struct sq_bg *bg)
{
    struct store *st = bg->st;
    int log = 0;

    atomic_store(&bg->ckpt_at, atomic_load(&bg->frames));
    if (sqlite3_wal_checkpoint_v2(bg->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, NULL) !=
            SQLITE_OK ||
        log < CKPT_RESTART)
        return;
    pthread_mutex_lock(&st->write_lock);
    store_batch_close(st);
    sqlite3_wal_checkpoint_v2(bg->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, NULL);
    /* The next commit restarts the WAL, then the hook sees fewer frames than this. */
    atomic_store(&bg->ckpt_at, log);
    pthread_mutex_unlock(&st->write_lock);
}

static void *bg_main(void *arg)
{
    struct sq_bg *bg = arg;
    int done = 0; /* WAL frames when the last checkpoint ran */
    struct sched_param sp = {0};

    /* SCHED_BATCH: a waking checkpointer does not preempt a request thread on the same core
       (its copy and fsyncs are never on a request's path). An error is harmless. */
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
    pthread_mutex_lock(&bg->mu);
    while (!bg->stop) {
        struct timespec dl;
        int frames;

        if (!bg->wake) {
            clock_gettime(CLOCK_REALTIME, &dl);
            dl.tv_nsec += CKPT_TICK_MS * 1000000L;
            if (dl.tv_nsec >= 1000000000L) {
                dl.tv_sec++;
                dl.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&bg->cv, &bg->mu, &dl);
            if (bg->stop)
                break;
        }
        bg->wake = 0;
        frames = atomic_load(&bg->frames);
        if (frames <= 0 || frames == done)
            continue;
        pthread_mutex_unlock(&bg->mu);
        checkpoint_once(bg);
        done = frames;
        pthread_mutex_lock(&bg->mu);
    }
    pthread_mutex_unlock(&bg->mu);
    return NULL;
}

static int sq_bg_start(struct store *st, struct sluis_err *err)
{
    struct sq_bg *bg;
    const char *env = getenv("SLUIS_SQLITE_CHECKPOINT");

    /* SLUIS_SQLITE_CHECKPOINT=inline: SQLite's own autocheckpoint (for comparison). */
    if (env && !strcmp(env, "inline"))
        return 0;
    bg = calloc(1, sizeof(*bg));
    if (!bg)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    if (sqlite3_open_v2(st->url, &bg->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sluis_err_set(err, SLUIS_EIO, "cannot open database '%s' for the checkpointer: %s", st->url,
                      bg->db ? sqlite3_errmsg(bg->db) : "out of memory");
        sqlite3_close(bg->db);
        free(bg);
        return SLUIS_EIO;
    }
    sqlite3_exec(bg->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    pthread_mutex_init(&bg->mu, NULL);
    pthread_cond_init(&bg->cv, NULL);
    atomic_init(&bg->frames, 0);
    atomic_init(&bg->ckpt_at, 0);
    bg->st = st;
    if (pthread_create(&bg->thread, NULL, bg_main, bg)) {
        pthread_mutex_destroy(&bg->mu);
        pthread_cond_destroy(&bg->cv);
        sqlite3_close(bg->db);
        free(bg);
        return sluis_err_set(err, SLUIS_EIO, "cannot start the checkpointer thread");
    }
    st->bg_state = bg;
    return 0;
}

static void sq_bg_stop(struct store *st)
{
    struct sq_bg *bg = st->bg_state;

    if (!bg)
        return;
    pthread_mutex_lock(&bg->mu);
    bg->stop = 1;
    pthread_cond_signal(&bg->cv);
    pthread_mutex_unlock(&bg->mu);
    pthread_join(bg->thread, NULL);
    st->bg_state = NULL;
    pthread_mutex_destroy(&bg->mu);
    pthread_cond_destroy(&bg->cv);
    sqlite3_close(bg->db);
    free(bg);
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .backend = STORE_SQLITE,
    .conn_open = sq_conn_open,
    .conn_close = sq_conn_close,
    .conn_ok = sq_conn_ok,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .listen_start = NULL,
    .listen_stop = NULL,
    .bg_start = sq_bg_start,
    .bg_stop = sq_bg_stop,
    .defer = NULL,
    .flush = NULL,
};
