/*
 * test_store_db.h - throw-away databases for tests, on SQLite or PostgreSQL.
 *
 * SQLite: a fresh file in a new temporary directory. PostgreSQL: a new database with a
 * random name on the server named by $SLUIS_TEST_PG (scripts/pg-cluster.sh start sets it),
 * so tests may run in parallel; tdb_drop() removes it. When SLUIS_TEST_PG is unset the
 * PostgreSQL variant is skipped: tdb_backend_arg() prints why and exits 77 (ctest
 * SKIP_RETURN_CODE).
 */
#ifndef SLUIS_TESTS_TEST_STORE_DB_H
#define SLUIS_TESTS_TEST_STORE_DB_H

#include "store/store.h"

struct tdb {
    enum store_backend backend;
    char url[1024];   /* what store_open() takes */
    char dir[512];    /* SQLite: the temporary directory */
    char dbname[128]; /* PostgreSQL: the database name */
};

/* Parses argv[1] ("sqlite" or "pg"); exits 77 with a message when pg is not available. */
enum store_backend tdb_backend_arg(int argc, char **argv);

/* Creates an empty database. Returns 0 or -1 (message on stderr). */
int tdb_create(enum store_backend backend, struct tdb *db);

/* Drops it (PostgreSQL: DROP DATABASE ... WITH (FORCE); SQLite: removes the files). */
void tdb_drop(struct tdb *db);

/* Runs raw SQL directly on the database (no store, no audit): for tampering in tests. */
int tdb_sql(struct tdb *db, const char *sql);

/* A store_query row callback that reads the first column of a one-row count query into
 *(long long *)ud (-1 when the value is NULL). */
int tdb_count_cb(void *ud, int ncols, const char *const *vals, const char *const *names);

#endif
