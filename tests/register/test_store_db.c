/* test_store_db.c - throw-away databases for tests (see test_store_db.h). */
#include "test_store_db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum store_backend tdb_backend_arg(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "pg")) {
        const char *url = getenv("SLUIS_TEST_PG");
        if (!url || !url[0]) {
            printf("SKIPPED: PostgreSQL variant: SLUIS_TEST_PG is not set "
                   "(eval \"$(scripts/pg-cluster.sh start)\")\n");
            exit(77);
        }
        return STORE_PG;
    }
    return STORE_SQLITE;
}

static int pg_admin(const char *sql)
{
    const char *url = getenv("SLUIS_TEST_PG");
    PGconn *c = PQconnectdb(url);
    PGresult *r;
    int rc = 0;

    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "tdb: cannot connect to %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "tdb: %s: %s", sql, PQerrorMessage(c));
        rc = -1;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

int tdb_create(enum store_backend backend, struct tdb *db)
{
    static unsigned counter;
    memset(db, 0, sizeof(*db));
    db->backend = backend;
    if (backend == STORE_SQLITE) {
        const char *tmp = getenv("TMPDIR");
        snprintf(db->dir, sizeof(db->dir), "%s/sluis-test.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(db->dir)) {
            perror("tdb: mkdtemp");
            return -1;
        }
        snprintf(db->url, sizeof(db->url), "%s/test.db", db->dir);
        return 0;
    } else {
        const char *base = getenv("SLUIS_TEST_PG");
        const char *slash;
        char sql[256];
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(db->dbname, sizeof(db->dbname), "sluis_t_%d_%u_%ld", (int)getpid(), counter++,
                 ts.tv_nsec);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db->dbname);
        if (pg_admin(sql))
            return -1;
        /* Replace the database name (the path after the authority) in the URL. */
        slash = strstr(base, "://");
        slash = slash ? strchr(slash + 3, '/') : NULL;
        if (!slash) {
            fprintf(stderr, "tdb: SLUIS_TEST_PG must look like postgresql://user@host:port/db\n");
            return -1;
        }
        snprintf(db->url, sizeof(db->url), "%.*s/%s", (int)(slash - base), base, db->dbname);
        return 0;
    }
}

void tdb_drop(struct tdb *db)
{
    char buf[1100];

    if (db->backend == STORE_SQLITE) {
        if (!db->dir[0])
            return;
        snprintf(buf, sizeof(buf), "%s/test.db", db->dir);
        unlink(buf);
        snprintf(buf, sizeof(buf), "%s/test.db-wal", db->dir);
        unlink(buf);
        snprintf(buf, sizeof(buf), "%s/test.db-shm", db->dir);
        unlink(buf);
        rmdir(db->dir);
    } else if (db->dbname[0]) {
        snprintf(buf, sizeof(buf), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->dbname);
        pg_admin(buf);
    }
}

int tdb_sql(struct tdb *db, const char *sql)
{
    if (db->backend == STORE_SQLITE) {
        sqlite3 *s = NULL;
        char *msg = NULL;
        int rc;

        if (sqlite3_open(db->url, &s) != SQLITE_OK) {
            sqlite3_close(s);
            return -1;
        }
        sqlite3_busy_timeout(s, 10000);
        rc = sqlite3_exec(s, sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK)
            fprintf(stderr, "tdb: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(s);
        return rc == SQLITE_OK ? 0 : -1;
    } else {
        PGconn *c = PQconnectdb(db->url);
        PGresult *r;
        int rc = 0;

        if (PQstatus(c) != CONNECTION_OK) {
            PQfinish(c);
            return -1;
        }
        r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "tdb: %s: %s", sql, PQerrorMessage(c));
            rc = -1;
        }
        PQclear(r);
        PQfinish(c);
        return rc;
    }
}

int tdb_count_cb(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    (void)names;
    *(long long *)ud = ncols && vals[0] ? atoll(vals[0]) : -1;
    return 0;
}
