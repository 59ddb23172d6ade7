/*
 * store_migrate.c - versioned schema migrations. Each migration runs once, in its own
 * transaction, recorded in schema_migrations. Never edit a released migration: add one.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct migration {
    int version;
    const char *name;
    const char *sqlite_sql;
    const char *pg_sql;
};

/* clang-format off */
static const struct migration migrations[] = {
    {1, "register and audit log",
     /* SQLite */
     "CREATE TABLE organisations ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, layer TEXT NOT NULL,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;"
     "CREATE TABLE users ("
     " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id),"
     " name TEXT NOT NULL, email TEXT NOT NULL, roles TEXT NOT NULL, oidc_subject TEXT UNIQUE,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;"
     "CREATE INDEX users_org ON users(org_id);"
     "CREATE TABLE api_tokens ("
     " id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),"
     " token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT,"
     " last_used_at TEXT) STRICT;"
     "CREATE INDEX api_tokens_user ON api_tokens(user_id);"
     "CREATE TABLE objects ("
     " kind TEXT NOT NULL, id TEXT NOT NULL, org_id TEXT NOT NULL, parent_id TEXT,"
     " state TEXT NOT NULL, version INTEGER NOT NULL, content TEXT NOT NULL,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by TEXT NOT NULL,"
     " updated_by TEXT NOT NULL, PRIMARY KEY (kind, id)) STRICT;"
     "CREATE INDEX objects_org_kind ON objects(org_id, kind);"
     "CREATE INDEX objects_parent ON objects(parent_id);"
     "CREATE TABLE audit_log ("
     " seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, org_id TEXT NOT NULL, actor TEXT NOT NULL,"
     " action TEXT NOT NULL, kind TEXT NOT NULL, object_id TEXT NOT NULL,"
     " hash_before TEXT NOT NULL, hash_after TEXT NOT NULL, detail TEXT NOT NULL,"
     " prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL) STRICT;"
     "CREATE INDEX audit_log_object ON audit_log(kind, object_id);"
     "CREATE INDEX audit_log_org ON audit_log(org_id);",
     /* PostgreSQL */
     "CREATE TABLE organisations ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, layer TEXT NOT NULL,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
     "CREATE TABLE users ("
     " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id),"
     " name TEXT NOT NULL, email TEXT NOT NULL, roles TEXT NOT NULL, oidc_subject TEXT UNIQUE,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
     "CREATE INDEX users_org ON users(org_id);"
     "CREATE TABLE api_tokens ("
     " id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),"
     " token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT,"
     " last_used_at TEXT);"
     "CREATE INDEX api_tokens_user ON api_tokens(user_id);"
     "CREATE TABLE objects ("
     " kind TEXT NOT NULL, id TEXT NOT NULL, org_id TEXT NOT NULL, parent_id TEXT,"
     " state TEXT NOT NULL, version BIGINT NOT NULL, content TEXT NOT NULL,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by TEXT NOT NULL,"
     " updated_by TEXT NOT NULL, PRIMARY KEY (kind, id));"
     "CREATE INDEX objects_org_kind ON objects(org_id, kind);"
     "CREATE INDEX objects_parent ON objects(parent_id);"
     "CREATE TABLE audit_log ("
     " seq BIGINT PRIMARY KEY, ts TEXT NOT NULL, org_id TEXT NOT NULL, actor TEXT NOT NULL,"
     " action TEXT NOT NULL, kind TEXT NOT NULL, object_id TEXT NOT NULL,"
     " hash_before TEXT NOT NULL, hash_after TEXT NOT NULL, detail TEXT NOT NULL,"
     " prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL);"
     "CREATE INDEX audit_log_object ON audit_log(kind, object_id);"
     "CREATE INDEX audit_log_org ON audit_log(org_id);"},
    {2, "objects by state",
     "CREATE INDEX objects_kind_state ON objects(kind, state);",
     "CREATE INDEX objects_kind_state ON objects(kind, state);"},
    {3, "signed audit checkpoints",
     "CREATE TABLE audit_checkpoints ("
     " seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, head_hash TEXT NOT NULL,"
     " key_id TEXT NOT NULL, signature TEXT NOT NULL) STRICT;",
     "CREATE TABLE audit_checkpoints ("
     " seq BIGINT PRIMARY KEY, ts TEXT NOT NULL, head_hash TEXT NOT NULL,"
     " key_id TEXT NOT NULL, signature TEXT NOT NULL);"},
};
/* clang-format on */

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static int applied_cb(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    (void)names;
    *(int *)ud = ncols >= 1 && vals[0] ? atoi(vals[0]) : 0;
    return 0;
}

/* Applies migration m on conn unless it is already recorded. */
static int migrate_one(struct store *st, void *conn, const struct migration *m,
                       struct sluis_err *err)
{
    const struct store_ops *ops = st->ops;
    int sqlite = ops->backend == STORE_SQLITE;
    char v[16], now[40];
    const char *p[3] = {v, m->name, now};
    int transient = 0, count = 0;
    int rc;

    rc = ops->exec_script(conn, sqlite ? "BEGIN IMMEDIATE" : "BEGIN", &transient, err);
    if (rc)
        return rc;
    snprintf(v, sizeof(v), "%d", m->version);
    rc = ops->query(conn, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1", 1, p,
                    applied_cb, &count, NULL, &transient, err);
    if (rc || count > 0)
        goto out;
    rc = ops->exec_script(conn, sqlite ? m->sqlite_sql : m->pg_sql, &transient, err);
    if (rc) {
        sluis_err_set(err, SLUIS_EINTERNAL, "migration %d (%s) failed: %s", m->version, m->name,
                      err ? err->msg : "");
        goto out;
    }
    store_now(now, sizeof(now));
    rc = ops->query(conn,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    3, p, NULL, NULL, NULL, &transient, err);
    if (rc)
        goto out;
    return ops->exec_script(conn, "COMMIT", &transient, err);
out:
    ops->exec_script(conn, "ROLLBACK", &transient, NULL);
    return rc;
}

int store_migrate(struct store *st, void *conn, struct sluis_err *err)
{
    const struct store_ops *ops = st->ops;
    int sqlite = ops->backend == STORE_SQLITE;
    int transient = 0;
    int rc;

    /* PostgreSQL: one migrator at a time across processes (session advisory lock). */
    if (!sqlite) {
        rc = ops->exec_script(conn, "SELECT pg_advisory_lock(7305001)", &transient, err);
        if (rc)
            return rc;
    }
    rc = ops->exec_script(conn,
                          sqlite ? "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                   " applied_at TEXT NOT NULL) STRICT"
                                 : "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                   " applied_at TEXT NOT NULL)",
                          &transient, err);
    for (int i = 0; !rc && i < NMIGRATIONS; i++)
        rc = migrate_one(st, conn, &migrations[i], err);
    if (!sqlite)
        ops->exec_script(conn, "SELECT pg_advisory_unlock(7305001)", &transient, NULL);
    return rc;
}
