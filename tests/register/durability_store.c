/*
 * durability_store.c - kill -9 in the middle of a write load (argv[1]: sqlite | pg).
 *
 * Three rounds on one database. Each round forks a writer process: four threads create
 * objects (one transaction each) and one thread appends batches of 50 usage records; each
 * prints a line to a pipe only after its commit returned (the acknowledgement). The parent
 * reads acknowledgements and sends SIGKILL after a random number of them. Then it reopens
 * the database and checks: every acknowledged object and batch is present, every batch is
 * whole (atomic), every object has exactly one audit entry (nothing partial), and the audit
 * chain verifies.
 */
#include "store/auditlog.h"
#include "store/register.h"
#include "store/store.h"
#include "test_store_db.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 3
#define MAX_ACKS 200000
#define BATCH 50

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* ---- the writer (child) ---- */

static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static int out_fd;

static void ack(const char *line)
{
    size_t n = strlen(line), off = 0;

    pthread_mutex_lock(&out_mu);
    while (off < n) {
        ssize_t w = write(out_fd, line + off, n - off);
        if (w <= 0)
            _exit(3);
        off += (size_t)w;
    }
    pthread_mutex_unlock(&out_mu);
}

struct wctx {
    struct store *st;
    int round;
    int thread;
};

static void *object_writer(void *arg)
{
    struct wctx *w = arg;
    struct sluis_err err = {0};
    char line[160], content[96];

    for (long i = 0;; i++) {
        struct reg_object o = {.kind = "application", .org_id = "o", .state = "draft"};
        struct store_tx *tx;

        snprintf(o.id, sizeof(o.id), "r%d-t%d-%ld", w->round, w->thread, i);
        snprintf(content, sizeof(content), "{\"round\":%d,\"thread\":%d,\"i\":%ld}", w->round,
                 w->thread, i);
        o.content = content;
        if (store_tx_begin(w->st, STORE_TX_WRITE, &tx, &err) ||
            reg_object_put(tx, &o, REG_VERSION_CREATE, "writer", &err)) {
            fprintf(stderr, "writer: %s\n", err.msg);
            _exit(4);
        }
        if (store_tx_commit(tx, &err)) {
            fprintf(stderr, "writer commit: %s\n", err.msg);
            _exit(4);
        }
        snprintf(line, sizeof(line), "O %s\n", o.id);
        ack(line);
    }
    return NULL;
}

static void *usage_writer(void *arg)
{
    struct wctx *w = arg;
    struct sluis_err err = {0};
    struct audit_entry e[BATCH];
    char line[96];

    for (;;) {
        struct store_tx *tx;

        memset(e, 0, sizeof(e));
        for (int i = 0; i < BATCH; i++) {
            snprintf(e[i].org_id, sizeof(e[i].org_id), "o");
            snprintf(e[i].actor, sizeof(e[i].actor), "gateway");
            snprintf(e[i].action, sizeof(e[i].action), AUDIT_ACTION_USAGE);
            snprintf(e[i].kind, sizeof(e[i].kind), "application");
            snprintf(e[i].object_id, sizeof(e[i].object_id), "r%d", w->round);
            e[i].detail = "{\"tokens\":1}";
        }
        if (store_tx_begin(w->st, STORE_TX_WRITE, &tx, &err) ||
            store_audit_append_batch(tx, e, BATCH, &err) || store_tx_commit(tx, &err)) {
            fprintf(stderr, "usage writer: %s\n", err.msg);
            _exit(4);
        }
        snprintf(line, sizeof(line), "U %lld %lld\n", e[0].seq, e[BATCH - 1].seq);
        ack(line);
    }
    return NULL;
}

static void writer_main(const char *url, int round, int fd)
{
    struct sluis_err err = {0};
    struct store *st;
    struct wctx w[5];
    pthread_t th[5];

    out_fd = fd;
    if (store_open(url, &st, &err)) {
        fprintf(stderr, "writer open: %s\n", err.msg);
        _exit(4);
    }
    for (int i = 0; i < 5; i++) {
        w[i] = (struct wctx){st, round, i};
        pthread_create(&th[i], NULL, i < 4 ? object_writer : usage_writer, &w[i]);
    }
    for (int i = 0; i < 5; i++)
        pthread_join(th[i], NULL);
    _exit(0);
}

/* ---- the checker (parent) ---- */

static char *acks[MAX_ACKS];
static int nacks;

static void run_round(const char *url, int round)
{
    int fds[2];
    pid_t pid;
    FILE *in;
    char line[256];
    int kill_after = 40 + rand() % 400;
    int seen = 0, killed = 0, status = 0;

    CHECK(pipe(fds) == 0, "pipe");
    pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        close(fds[0]);
        writer_main(url, round, fds[1]);
    }
    close(fds[1]);
    in = fdopen(fds[0], "r");
    CHECK(in != NULL, "fdopen");
    /* Lines already in the pipe when the kill lands were acknowledged: keep reading to EOF. */
    while (fgets(line, sizeof(line), in)) {
        line[strcspn(line, "\n")] = '\0';
        CHECK(nacks < MAX_ACKS, "too many acks");
        acks[nacks] = strdup(line);
        CHECK(acks[nacks] != NULL, "oom");
        nacks++;
        if (++seen >= kill_after && !killed) {
            kill(pid, SIGKILL);
            killed = 1;
        }
    }
    fclose(in);
    CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
          "writer ended by itself (status %d) instead of being killed", status);
    printf("round %d: killed after %d acknowledged writes\n", round, seen);
}

static long long count(struct store_tx *tx, const char *sql, const char *param)
{
    long long n = -1;
    const char *p[1] = {param};
    struct sluis_err err = {0};

    CHECK(store_query(tx, sql, param ? 1 : 0, p, tdb_count_cb, &n, &err) == 0, "%s: %s", sql,
          err.msg);
    return n;
}

static void check_all(const char *url)
{
    struct sluis_err err = {0};
    struct store *st;
    struct store_tx *tx;
    struct audit_chain rep;
    long long objects, entries, usage, seen_obj = 0, seen_batches = 0;

    CHECK(store_open(url, &st, &err) == 0, "reopen: %s", err.msg);
    CHECK(store_tx_begin(st, STORE_TX_READ, &tx, &err) == 0, "begin: %s", err.msg);
    for (int i = 0; i < nacks; i++) {
        if (acks[i][0] == 'O') {
            struct reg_object o;
            int rc = reg_object_get(tx, "application", acks[i] + 2, &o, &err);
            CHECK(rc == 0, "acknowledged object %s missing after kill -9 (%s)", acks[i] + 2,
                  err.msg);
            reg_object_free(&o);
            seen_obj++;
        } else if (acks[i][0] == 'U') {
            long long a = 0, b = 0;
            char sa[32], sql[160];
            CHECK(sscanf(acks[i] + 2, "%lld %lld", &a, &b) == 2 && b - a == BATCH - 1,
                  "bad ack '%s'", acks[i]);
            snprintf(sa, sizeof(sa), "%lld", a);
            snprintf(sql, sizeof(sql),
                     "SELECT COUNT(*) FROM audit_log WHERE action = 'usage' AND seq >= $1 AND "
                     "seq < $1 + %d",
                     BATCH);
            CHECK(count(tx, sql, sa) == BATCH, "acknowledged usage batch %lld..%lld missing", a, b);
            seen_batches++;
        } else {
            CHECK(0, "garbled ack line '%s'", acks[i]);
        }
    }
    objects = count(tx, "SELECT COUNT(*) FROM objects", NULL);
    entries = count(tx,
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND kind = "
                    "'application'",
                    NULL);
    usage = count(tx, "SELECT COUNT(*) FROM audit_log WHERE action = 'usage'", NULL);
    store_tx_rollback(tx);
    /* Committed but not yet acknowledged writes may exist; partial ones may not. */
    CHECK(objects == entries, "objects (%lld) and their audit entries (%lld) differ", objects,
          entries);
    CHECK(objects >= seen_obj, "fewer objects than acknowledged");
    CHECK(usage % BATCH == 0, "a usage batch was stored partially (%lld records)", usage);
    CHECK(store_audit_verify(st, &rep, &err) == 0, "verify: %s", err.msg);
    CHECK(rep.ok, "audit chain broken at %lld: %s", rep.first_bad_seq, rep.reason);
    printf("ok: %lld acknowledged objects and %lld batches present; %lld objects, %lld audit "
           "entries, chain intact\n",
           seen_obj, seen_batches, objects, rep.entries);
    store_close(st);
}

int main(int argc, char **argv)
{
    enum store_backend be = tdb_backend_arg(argc, argv);
    struct sluis_err err = {0};
    struct store *st;
    struct store_tx *tx;
    struct reg_org org = {.id = "o", .name = "Org", .layer = "gemeente"};
    struct tdb db;

    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    CHECK(tdb_create(be, &db) == 0, "cannot create a test database");
    CHECK(store_open(db.url, &st, &err) == 0, "open: %s", err.msg);
    CHECK(store_tx_begin(st, STORE_TX_WRITE, &tx, &err) == 0 &&
              reg_org_put(tx, &org, "admin", &err) == 0 && store_tx_commit(tx, &err) == 0,
          "org: %s", err.msg);
    store_close(st);
    for (int r = 1; r <= ROUNDS; r++) {
        run_round(db.url, r);
        check_all(db.url);
    }
    for (int i = 0; i < nacks; i++)
        free(acks[i]);
    tdb_drop(&db);
    printf("durability (%s): PASSED\n", be == STORE_PG ? "postgresql" : "sqlite");
    return 0;
}
