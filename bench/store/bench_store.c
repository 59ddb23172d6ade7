/*
 * bench_store.c - single-thread throughput of the store on one database URL:
 *   reads/s   : begin read tx + reg_object_get + end (what one API GET does), 1000 objects
 *   writes/s  : begin write tx + reg_object_put (with audit entry) + durable commit
 *   usage/s   : audit records appended in batches of 100 per transaction (gateway)
 * and, as the peer baseline, the same reads and writes done with the bare client library
 * (sqlite3 / libpq) on a plain table without audit: ours / bare = the cost of our layer.
 *
 * usage: bench_store URL [seconds-per-test]
 */
#include "store/auditlog.h"
#include "store/register.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define DIE(...)                                                                                   \
    do {                                                                                           \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        exit(1);                                                                                   \
    } while (0)

static int is_pg(const char *url)
{
    return !strncmp(url, "postgres", 8);
}

/* Bare client library baseline: a plain table (id TEXT PRIMARY KEY, content TEXT). */
static void bare(const char *url, double secs, double *reads, double *writes)
{
    char id[32];
    long n = 0;
    double t0, t;

    if (is_pg(url)) {
        PGconn *c = PQconnectdb(url);
        PGresult *r;
        if (PQstatus(c) != CONNECTION_OK)
            DIE("bare pg: %s", PQerrorMessage(c));
        PQclear(PQexec(c, "DROP TABLE IF EXISTS bare; CREATE TABLE bare (id TEXT PRIMARY KEY, "
                          "content TEXT NOT NULL)"));
        t0 = now_s();
        do {
            const char *p[2] = {id, "{\"name\":\"bench\",\"n\":1}"};
            snprintf(id, sizeof(id), "b-%ld", n++);
            r = PQexecParams(c, "INSERT INTO bare (id, content) VALUES ($1, $2)", 2, NULL, p, NULL,
                             NULL, 0);
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                DIE("bare pg insert: %s", PQerrorMessage(c));
            PQclear(r);
        } while ((t = now_s() - t0) < secs);
        *writes = (double)n / t;
        long rows = n, m = 0;
        t0 = now_s();
        do {
            const char *p[1] = {id};
            snprintf(id, sizeof(id), "b-%ld", m++ % rows);
            r = PQexecParams(c, "SELECT content FROM bare WHERE id = $1", 1, NULL, p, NULL, NULL,
                             0);
            if (PQntuples(r) != 1)
                DIE("bare pg select");
            PQclear(r);
        } while ((t = now_s() - t0) < secs);
        *reads = (double)m / t;
        PQclear(PQexec(c, "DROP TABLE bare"));
        PQfinish(c);
    } else {
        char path[1100];
        sqlite3 *db;
        sqlite3_stmt *ins, *sel;
        snprintf(path, sizeof(path), "%s.bare", url);
        remove(path);
        if (sqlite3_open(path, &db) != SQLITE_OK)
            DIE("bare sqlite open");
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE bare (id "
                     "TEXT PRIMARY KEY, content TEXT NOT NULL) STRICT;",
                     NULL, NULL, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO bare (id, content) VALUES (?1, ?2)", -1, &ins, NULL);
        sqlite3_prepare_v2(db, "SELECT content FROM bare WHERE id = ?1", -1, &sel, NULL);
        t0 = now_s();
        do {
            snprintf(id, sizeof(id), "b-%ld", n++);
            sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, "{\"name\":\"bench\",\"n\":1}", -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                DIE("bare sqlite insert: %s", sqlite3_errmsg(db));
            sqlite3_reset(ins);
        } while ((t = now_s() - t0) < secs);
        *writes = (double)n / t;
        long rows = n, m = 0;
        t0 = now_s();
        do {
            snprintf(id, sizeof(id), "b-%ld", m++ % rows);
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
            sqlite3_bind_text(sel, 1, id, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(sel) != SQLITE_ROW)
                DIE("bare sqlite select");
            sqlite3_reset(sel);
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        } while ((t = now_s() - t0) < secs);
        *reads = (double)m / t;
        sqlite3_finalize(ins);
        sqlite3_finalize(sel);
        sqlite3_close(db);
        remove(path);
        snprintf(path, sizeof(path), "%s.bare-wal", url);
        remove(path);
        snprintf(path, sizeof(path), "%s.bare-shm", url);
        remove(path);
    }
}

struct mt {
    struct store *st;
    int idx;
    double secs;
    long n;
};

static void *mt_writer(void *arg)
{
    struct mt *w = arg;
    struct sluis_err err = {0};
    struct store_tx *tx;
    double t0 = now_s();

    do {
        struct reg_object o = {.kind = "application", .org_id = "bench", .state = "draft"};
        snprintf(o.id, sizeof(o.id), "mt%d-%ld", w->idx, w->n++);
        o.content = "{\"name\":\"bench\",\"n\":1}";
        if (store_tx_begin(w->st, STORE_TX_WRITE, &tx, &err) ||
            reg_object_put(tx, &o, REG_VERSION_CREATE, "bench", &err) || store_tx_commit(tx, &err))
            DIE("mt write: %s", err.msg);
    } while (now_s() - t0 < w->secs);
    return NULL;
}

/* Durable writes from nthreads threads at once (group commit). */
static double mt_writes(struct store *st, int nthreads, double secs, double *cpu_rate)
{
    struct mt w[16];
    pthread_t th[16];
    double t0 = now_s(), c0 = cpu_s(), t;
    long total = 0;

    for (int i = 0; i < nthreads; i++) {
        w[i] = (struct mt){st, i, secs, 0};
        pthread_create(&th[i], NULL, mt_writer, &w[i]);
    }
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        total += w[i].n;
    }
    t = now_s() - t0;
    *cpu_rate = (double)total / (cpu_s() - c0);
    return (double)total / t;
}

/* ---- paced writers: latency at a fixed total rate ---- */

#define PACED_THREADS 16
#define PACED_MAX 200000

struct paced {
    struct store *st;
    int idx;
    double rate; /* this thread's writes per second */
    double t0, secs;
    double *lat; /* ms, from the scheduled start (no coordinated omission) */
    long n, cap;
};

static void *paced_writer(void *arg)
{
    struct paced *w = arg;
    struct sluis_err err = {0};
    struct store_tx *tx;
    /* Staggered start so the threads do not fire in lock-step. */
    double next = w->t0 + (double)w->idx / (w->rate * PACED_THREADS);

    while (next - w->t0 < w->secs && w->n < w->cap) {
        double now = now_s();
        if (now < next) {
            struct timespec ts = {0, (long)((next - now) * 1e9)};
            nanosleep(&ts, NULL);
        }
        struct reg_object o = {.kind = "application", .org_id = "bench", .state = "draft"};
        snprintf(o.id, sizeof(o.id), "pw%d-%ld-%.0f", w->idx, w->n, w->rate);
        o.content = "{\"name\":\"bench\",\"n\":1}";
        if (store_tx_begin(w->st, STORE_TX_WRITE, &tx, &err) ||
            reg_object_put(tx, &o, REG_VERSION_CREATE, "bench", &err) || store_tx_commit(tx, &err))
            DIE("paced write: %s", err.msg);
        w->lat[w->n++] = (now_s() - next) * 1000.0;
        next += 1.0 / w->rate;
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* PACED_THREADS writers at rate writes/s in total; prints achieved rate, p50, p99, max. */
static void paced_writes(struct store *st, double rate, double secs)
{
    struct paced w[PACED_THREADS];
    pthread_t th[PACED_THREADS];
    double *all = calloc(PACED_MAX, sizeof(double));
    long per = PACED_MAX / PACED_THREADS, total = 0;
    double t0 = now_s() + 0.01, c0 = cpu_s();

    if (!all)
        DIE("out of memory");
    for (int i = 0; i < PACED_THREADS; i++) {
        w[i] = (struct paced){st, i, rate / PACED_THREADS, t0, secs, all + i * per, 0, per};
        pthread_create(&th[i], NULL, paced_writer, &w[i]);
    }
    for (int i = 0; i < PACED_THREADS; i++)
        pthread_join(th[i], NULL);
    double wall = now_s() - t0, cpu = cpu_s() - c0;
    for (int i = 0; i < PACED_THREADS; i++) {
        memmove(all + total, w[i].lat, (size_t)w[i].n * sizeof(double));
        total += w[i].n;
    }
    qsort(all, (size_t)total, sizeof(double), cmp_double);
    printf("  paced     %9.0f  writes/s asked, %6.0f done [cpu %6.0f/s], %d threads: p50 %6.2f ms  "
           "p99 %6.2f ms  max %6.2f ms\n",
           rate, (double)total / wall, (double)total / cpu, PACED_THREADS,
           total ? all[total / 2] : 0, total ? all[total * 99 / 100] : 0,
           total ? all[total - 1] : 0);
    free(all);
}

int main(int argc, char **argv)
{
    struct sluis_err err = {0};
    struct store *st;
    struct store_tx *tx;
    struct reg_org org = {.id = "bench", .name = "Bench", .layer = "rijk"};
    double secs = argc > 2 ? atof(argv[2]) : 3.0;
    double t0, c0, t, c, reads, writes, usage, breads = 0, bwrites = 0;
    double rcpu, wcpu, ucpu;
    long n = 0, m = 0, u = 0;
    char id[64];

    if (argc < 2)
        DIE("usage: bench_store URL [seconds-per-test]");
    if (store_open(argv[1], &st, &err))
        DIE("open: %s", err.msg);
    if (store_tx_begin(st, STORE_TX_WRITE, &tx, &err) || reg_org_put(tx, &org, "bench", &err) ||
        store_tx_commit(tx, &err))
        DIE("org: %s", err.msg);
    /* BENCH_PACED=rate[,rate...]: only the paced latency runs (16 writer threads). */
    if (getenv("BENCH_PACED")) {
        char list[256];
        snprintf(list, sizeof(list), "%s", getenv("BENCH_PACED"));
        printf("backend %s, %.1f s per run, paced durable writes (latency from the scheduled "
               "start)\n",
               is_pg(argv[1]) ? "postgresql" : "sqlite", secs);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
            paced_writes(st, atof(tok), secs);
        store_close(st);
        return 0;
    }

    /* Durable writes, one object per transaction, with audit. */
    t0 = now_s();
    c0 = cpu_s();
    do {
        struct reg_object o = {.kind = "application", .org_id = "bench", .state = "draft"};
        snprintf(o.id, sizeof(o.id), "app-%ld", n++);
        o.content = "{\"name\":\"bench\",\"n\":1}";
        if (store_tx_begin(st, STORE_TX_WRITE, &tx, &err) ||
            reg_object_put(tx, &o, REG_VERSION_CREATE, "bench", &err) || store_tx_commit(tx, &err))
            DIE("write: %s", err.msg);
    } while ((t = now_s() - t0) < secs);
    c = cpu_s() - c0;
    writes = (double)n / t;
    wcpu = (double)n / c;

    /* Reads: one read transaction per get (like an API GET). */
    t0 = now_s();
    c0 = cpu_s();
    do {
        struct reg_object o;
        snprintf(id, sizeof(id), "app-%ld", m++ % (n < 1000 ? n : 1000));
        if (store_tx_begin(st, STORE_TX_READ, &tx, &err) ||
            reg_object_get(tx, "application", id, &o, &err))
            DIE("read: %s", err.msg);
        reg_object_free(&o);
        store_tx_rollback(tx);
    } while ((t = now_s() - t0) < secs);
    c = cpu_s() - c0;
    reads = (double)m / t;
    rcpu = (double)m / c;

    /* Usage records in batches of 100. */
    t0 = now_s();
    c0 = cpu_s();
    do {
        struct audit_entry e[100];
        memset(e, 0, sizeof(e));
        for (int i = 0; i < 100; i++) {
            memcpy(e[i].org_id, "bench", 6);
            memcpy(e[i].actor, "gw", 3);
            memcpy(e[i].action, "usage", 6);
            memcpy(e[i].kind, "application", 12);
            memcpy(e[i].object_id, "app-1", 6);
            e[i].detail = "{\"model\":\"m\",\"tokens_in\":10,\"tokens_out\":20}";
        }
        if (store_tx_begin(st, STORE_TX_WRITE, &tx, &err) ||
            store_audit_append_batch(tx, e, 100, &err) || store_tx_commit(tx, &err))
            DIE("usage: %s", err.msg);
        u += 100;
    } while ((t = now_s() - t0) < secs);
    c = cpu_s() - c0;
    usage = (double)u / t;
    ucpu = (double)u / c;
    double w8cpu, w8 = mt_writes(st, 8, secs, &w8cpu);
    struct audit_chain rep;
    double vrate;

    t0 = now_s();
    if (store_audit_verify(st, &rep, &err) || !rep.ok)
        DIE("verify: %s %s", err.msg, rep.reason);
    vrate = (double)rep.entries / (now_s() - t0);
    store_close(st);

    bare(argv[1], secs, &breads, &bwrites);

    printf("backend %s, %.1f s per test, single thread (wall-clock rates; client CPU rates in "
           "brackets)\n",
           is_pg(argv[1]) ? "postgresql" : "sqlite", secs);
    printf("  reads/s   %9.0f  [client cpu %9.0f]  bare %9.0f  ours/bare %.2f  goal 20000: %.2fx\n",
           reads, rcpu, breads, reads / breads, reads / 20000.0);
    printf("  writes/s  %9.0f  [client cpu %9.0f]  bare %9.0f  ours/bare %.2f  goal  2000: %.2fx\n",
           writes, wcpu, bwrites, writes / bwrites, writes / 2000.0);
    printf("  writes/s  %9.0f  [client cpu %9.0f]  8 writer threads (group commit)  goal  2000: "
           "%.2fx\n",
           w8, w8cpu, w8 / 2000.0);
    printf("  usage/s   %9.0f  [client cpu %9.0f]  (audit records, batches of 100)\n", usage, ucpu);
    printf("  verify    %9.0f  entries/s over %lld entries\n", vrate, rep.entries);
    return 0;
}
