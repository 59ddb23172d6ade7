/*
 * test_store.c - store.h and register.h on one backend (argv[1]: sqlite | pg): migrations,
 * raw queries, transactions and rollback, objects with versions (ETag), organisations,
 * users, tokens, notifications, and that every change leaves one audit entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/auditlog.h"
#include "store/register.h"
#include "store/store.h"
#include "test_store_db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum store_backend g_backend;

struct fx {
    struct tdb db;
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct sluis_err err = {0};

    if (!f || tdb_create(g_backend, &f->db))
        return -1;
    if (store_open(f->db.url, &f->st, &err)) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->st);
    tdb_drop(&f->db);
    free(f);
    return 0;
}

/* Counts rows with a fresh read transaction. */
static long long count_rows(struct store *st, const char *sql)
{
    struct store_tx *tx;
    long long n = -1;

    assert_int_equal(store_tx_begin(st, STORE_TX_READ, &tx, NULL), 0);
    assert_int_equal(store_query(tx, sql, 0, NULL, tdb_count_cb, &n, NULL), 0);
    store_tx_rollback(tx);
    return n;
}

static void expect_chain_ok(struct store *st, long long entries)
{
    struct audit_chain rep;
    struct sluis_err err = {0};

    assert_int_equal(store_audit_verify(st, &rep, &err), 0);
    if (!rep.ok)
        fprintf(stderr, "chain broken at %lld: %s\n", rep.first_bad_seq, rep.reason);
    assert_true(rep.ok);
    if (entries >= 0)
        assert_int_equal(rep.entries, entries);
}

static void test_migrations_idempotent(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    int v1 = 0, v2 = 0;

    assert_int_equal(store_schema_version(f->st, &v1, &err), 0);
    assert_true(v1 >= 2);
    store_close(f->st);
    f->st = NULL;
    assert_int_equal(store_open(f->db.url, &f->st, &err), 0);
    assert_int_equal(store_schema_version(f->st, &v2, &err), 0);
    assert_int_equal(v1, v2);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM schema_migrations"), v1);
    assert_int_equal(store_backend_get(f->st), g_backend);

    /* An older database (the last migration not yet applied) is upgraded on open. */
    store_close(f->st);
    f->st = NULL;
    assert_int_equal(tdb_sql(&f->db, "DROP TABLE audit_checkpoints"), 0);
    assert_int_equal(tdb_sql(&f->db, "DELETE FROM schema_migrations WHERE version = 3"), 0);
    assert_int_equal(store_open(f->db.url, &f->st, &err), 0);
    assert_int_equal(store_schema_version(f->st, &v2, &err), 0);
    assert_int_equal(v2, v1);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM audit_checkpoints"), 0);
}

struct rows {
    int n;
    char a[8][64];
    int null_b[8];
};

static int rows_cb(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct rows *r = ud;

    assert_int_equal(ncols, 2);
    assert_string_equal(names[0], "a");
    if (r->n < 8) {
        snprintf(r->a[r->n], sizeof(r->a[0]), "%s", vals[0] ? vals[0] : "(null)");
        r->null_b[r->n] = vals[1] == NULL;
    }
    r->n++;
    return 0;
}

static void test_raw_query(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct rows r = {0};
    long long changes = -1;
    const char *p[3] = {"o1", "Org 'one' $1", "gemeente"};
    const char *lim[1] = {"1"};

    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(store_exec(tx,
                                "INSERT INTO organisations (id, name, layer, created_at, "
                                "updated_at) VALUES ($1, $2, $3, 'x', 'x')",
                                3, p, &changes, &err),
                     0);
    assert_int_equal(changes, 1);
    p[0] = "o2";
    assert_int_equal(store_exec(tx,
                                "INSERT INTO organisations (id, name, layer, created_at, "
                                "updated_at) VALUES ($1, $2, $3, 'x', 'x')",
                                3, p, &changes, &err),
                     0);
    /* Text parameters for LIMIT, NULL results, a literal with '$1' inside. */
    assert_int_equal(store_query(tx,
                                 "SELECT name AS a, NULL AS b FROM organisations "
                                 "WHERE name = 'Org ''one'' $1' ORDER BY id LIMIT $1",
                                 1, lim, rows_cb, &r, &err),
                     0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.a[0], "Org 'one' $1");
    assert_true(r.null_b[0]);
    assert_int_equal(store_tx_commit(tx, &err), 0);

    /* A unique violation is SLUIS_ECONFLICT and poisons the transaction: nothing is kept. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    p[0] = "o3";
    assert_int_equal(store_exec(tx,
                                "INSERT INTO organisations (id, name, layer, created_at, "
                                "updated_at) VALUES ($1, $2, $3, 'x', 'x')",
                                3, p, NULL, &err),
                     0);
    p[0] = "o1";
    assert_int_equal(store_exec(tx,
                                "INSERT INTO organisations (id, name, layer, created_at, "
                                "updated_at) VALUES ($1, $2, $3, 'x', 'x')",
                                3, p, NULL, &err),
                     SLUIS_ECONFLICT);
    assert_int_not_equal(store_tx_commit(tx, &err), 0);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM organisations"), 2);

    /* Bad SQL is SLUIS_EINVAL. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(store_query(tx, "SELEKT nonsense", 0, NULL, NULL, NULL, &err), SLUIS_EINVAL);
    assert_true(err.msg[0] != '\0');
    store_tx_rollback(tx);
}

static void make_org(struct store *st, const char *id)
{
    struct reg_org o = {0};
    struct store_tx *tx;
    struct sluis_err err = {0};

    snprintf(o.id, sizeof(o.id), "%s", id);
    snprintf(o.name, sizeof(o.name), "Gemeente %s", id);
    snprintf(o.layer, sizeof(o.layer), "gemeente");
    assert_int_equal(store_tx_begin(st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_org_put(tx, &o, "admin", &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);
}

static void obj_init(struct reg_object *o, const char *kind, const char *id, const char *org,
                     const char *content)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->kind, sizeof(o->kind), "%s", kind);
    snprintf(o->id, sizeof(o->id), "%s", id);
    snprintf(o->org_id, sizeof(o->org_id), "%s", org);
    snprintf(o->state, sizeof(o->state), "draft");
    o->content = (char *)content;
}

struct audit_rows {
    int n;
    struct audit_entry e[16];
};

static int audit_rows_cb(void *ud, const struct audit_entry *e)
{
    struct audit_rows *r = ud;

    if (r->n < 16) {
        r->e[r->n] = *e;
        r->e[r->n].detail = NULL;
    }
    r->n++;
    return 0;
}

static void test_object_versions(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_object o, got;
    struct audit_rows ar = {0};
    struct audit_filter af = {0};
    char h1[65], h2[65];

    make_org(f->st, "utrecht");
    obj_init(&o, "application", "chatbot", "utrecht", "{\"name\":\"Chatbot\"}");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "alice", &err), 0);
    assert_int_equal(o.version, 1);
    assert_int_equal(store_tx_commit(tx, &err), 0);

    /* Create again: conflict. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "alice", &err), SLUIS_ECONFLICT);
    store_tx_rollback(tx);

    /* Update with the right version, then a stale one (If-Match mismatch). */
    obj_init(&o, "application", "chatbot", "utrecht", "{\"name\":\"Chatbot 2\"}");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, 1, "bob", &err), 0);
    assert_int_equal(o.version, 2);
    assert_string_equal(o.created_by, "alice");
    assert_string_equal(o.updated_by, "bob");
    assert_int_equal(store_tx_commit(tx, &err), 0);
    obj_init(&o, "application", "chatbot", "utrecht", "{\"name\":\"lost update\"}");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, 1, "carol", &err), SLUIS_ECONFLICT);
    store_tx_rollback(tx);
    /* Update of a missing object with a version: not found. */
    obj_init(&o, "application", "nope", "utrecht", "{}");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, 3, "carol", &err), SLUIS_ENOTFOUND);
    store_tx_rollback(tx);

    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_object_get(tx, "application", "chatbot", &got, &err), 0);
    assert_int_equal(got.version, 2);
    assert_string_equal(got.content, "{\"name\":\"Chatbot 2\"}");
    assert_string_equal(got.state, "draft");
    reg_object_free(&got);
    assert_int_equal(reg_object_get(tx, "application", "nope", &got, &err), SLUIS_ENOTFOUND);
    af.kind = "application";
    af.object_id = "chatbot";
    assert_int_equal(store_audit_list(tx, &af, audit_rows_cb, &ar, &err), 0);
    store_tx_rollback(tx);

    /* Two entries for the object: create (no before) and update (before = first content). */
    assert_int_equal(ar.n, 2);
    reg_content_hash("{\"name\":\"Chatbot\"}", h1);
    reg_content_hash("{\"name\":\"Chatbot 2\"}", h2);
    assert_string_equal(ar.e[0].action, "create");
    assert_string_equal(ar.e[0].hash_before, "");
    assert_string_equal(ar.e[0].hash_after, h1);
    assert_string_equal(ar.e[0].actor, "alice");
    assert_string_equal(ar.e[1].action, "update");
    assert_string_equal(ar.e[1].hash_before, h1);
    assert_string_equal(ar.e[1].hash_after, h2);
    assert_string_equal(ar.e[1].org_id, "utrecht");

    /* State change with a decision, then delete with a stale and the right version. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_set_state(tx, "application", "chatbot", "approved", 2, "dora",
                                          "decision", "{\"reason\":\"ok\"}", &got, &err),
                     0);
    assert_int_equal(got.version, 3);
    assert_string_equal(got.state, "approved");
    reg_object_free(&got);
    assert_int_equal(reg_object_set_state(tx, "application", "chatbot", "x", 2, "dora", "decision",
                                          NULL, &got, &err),
                     SLUIS_ECONFLICT);
    store_tx_rollback(tx);
    /* The rollback above undid the state change too. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_set_state(tx, "application", "chatbot", "approved", 2, "dora",
                                          "decision", "{\"reason\":\"ok\"}", &got, &err),
                     0);
    reg_object_free(&got);
    assert_int_equal(store_tx_commit(tx, &err), 0);
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_delete(tx, "application", "chatbot", 2, "erin", &err),
                     SLUIS_ECONFLICT);
    store_tx_rollback(tx);
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_delete(tx, "application", "chatbot", 3, "erin", &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);

    memset(&ar, 0, sizeof(ar));
    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_object_get(tx, "application", "chatbot", &got, &err), SLUIS_ENOTFOUND);
    assert_int_equal(store_audit_list(tx, &af, audit_rows_cb, &ar, &err), 0);
    store_tx_rollback(tx);
    assert_int_equal(ar.n, 4);
    assert_string_equal(ar.e[2].action, "decision");
    assert_string_equal(ar.e[2].hash_before, h2);
    assert_string_equal(ar.e[2].hash_after, h2);
    assert_string_equal(ar.e[3].action, "delete");
    assert_string_equal(ar.e[3].hash_before, h2);
    assert_string_equal(ar.e[3].hash_after, "");
    /* org create + 4 object entries. */
    expect_chain_ok(f->st, 5);
}

static void test_rollback_leaves_nothing(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_object o;

    make_org(f->st, "o");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    obj_init(&o, "application", "a1", "o", "[1,2,3]");
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), 0);
    obj_init(&o, "application", "a2", "o", "{\"x\":1}");
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), 0);
    /* Invalid content fails; the caller rolls back the whole transaction. */
    obj_init(&o, "application", "a3", "o", "{broken");
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), SLUIS_EINVAL);
    store_tx_rollback(tx);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM objects"), 0);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM audit_log"), 1);
    expect_chain_ok(f->st, 1);

    /* A write inside a read transaction is refused by the audit lock. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    obj_init(&o, "application", "a4", "o", "{}");
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), SLUIS_EINVAL);
    store_tx_rollback(tx);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM objects"), 0);
}

static void test_input_validation(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_object o;
    struct reg_user u = {0};
    char big[300];

    make_org(f->st, "o");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    obj_init(&o, "application", "has space", "o", "{}");
    assert_int_equal(reg_object_put(tx, &o, 0, "u", &err), SLUIS_EINVAL);
    obj_init(&o, "application", "x';DROP TABLE objects;--", "o", "{}");
    assert_int_equal(reg_object_put(tx, &o, 0, "u", &err), SLUIS_EINVAL);
    obj_init(&o, "", "x", "o", "{}");
    assert_int_equal(reg_object_put(tx, &o, 0, "u", &err), SLUIS_EINVAL);
    obj_init(&o, "application", "x", "o", NULL);
    assert_int_equal(reg_object_put(tx, &o, 0, "u", &err), SLUIS_EINVAL);
    obj_init(&o, "application", "x", "o", "{\"a\":1,\"a\":2}");
    assert_int_equal(reg_object_put(tx, &o, 0, "u", &err), SLUIS_EINVAL);
    obj_init(&o, "application", "x", "o", "{}");
    assert_int_equal(reg_object_put(tx, &o, 0, big, &err), SLUIS_EINVAL);
    assert_int_equal(reg_object_get(tx, "application", big, &o, &err), SLUIS_EINVAL);
    snprintf(u.id, sizeof(u.id), "u1");
    snprintf(u.org_id, sizeof(u.org_id), "o");
    snprintf(u.roles, sizeof(u.roles), "{\"not\":\"an array\"}");
    assert_int_equal(reg_user_put(tx, &u, "admin", &err), SLUIS_EINVAL);
    store_tx_rollback(tx);
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    snprintf(u.roles, sizeof(u.roles), "[\"owner\"]");
    snprintf(u.org_id, sizeof(u.org_id), "no-such-org");
    assert_int_equal(reg_user_put(tx, &u, "admin", &err), SLUIS_ECONFLICT);
    store_tx_rollback(tx);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM objects"), 0);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM users"), 0);
}

struct ids {
    int n;
    char id[16][REG_ID_CAP];
};

static int ids_cb(void *ud, const struct reg_object *o)
{
    struct ids *r = ud;

    if (r->n < 16)
        snprintf(r->id[r->n], sizeof(r->id[0]), "%s", o->id);
    r->n++;
    return 0;
}

static void test_object_list(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_object o;
    struct reg_filter flt = {0};
    struct ids r = {0};
    long long n = 0;
    char id[32];

    make_org(f->st, "a");
    make_org(f->st, "b");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof(id), "app-%02d", i);
        obj_init(&o, "application", id, i % 2 ? "a" : "b", "{}");
        if (i < 3)
            snprintf(o.state, sizeof(o.state), "approved");
        assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), 0);
    }
    obj_init(&o, "dossier", "d-1", "a", "{}");
    snprintf(o.parent_id, sizeof(o.parent_id), "app-01");
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);

    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    flt.kind = "application";
    flt.org_id = "a";
    assert_int_equal(reg_object_count(tx, &flt, &n, &err), 0);
    assert_int_equal(n, 5);
    flt.limit = 2;
    flt.offset = 1;
    assert_int_equal(reg_object_list(tx, &flt, ids_cb, &r, &err), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[0], "app-03");
    assert_string_equal(r.id[1], "app-05");
    memset(&flt, 0, sizeof(flt));
    memset(&r, 0, sizeof(r));
    flt.state = "approved";
    assert_int_equal(reg_object_list(tx, &flt, ids_cb, &r, &err), 0);
    assert_int_equal(r.n, 3);
    memset(&flt, 0, sizeof(flt));
    memset(&r, 0, sizeof(r));
    flt.parent_id = "app-01";
    assert_int_equal(reg_object_list(tx, &flt, ids_cb, &r, &err), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.id[0], "d-1");
    memset(&flt, 0, sizeof(flt));
    assert_int_equal(reg_object_count(tx, NULL, &n, &err), 0);
    assert_int_equal(n, 11);
    store_tx_rollback(tx);
}

static int org_count_cb(void *ud, const struct reg_org *o)
{
    (void)o;
    (*(int *)ud)++;
    return 0;
}

static int tok_count_cb(void *ud, const struct reg_token *t)
{
    (void)t;
    (*(int *)ud)++;
    return 0;
}

static int user_count_cb(void *ud, const struct reg_user *u)
{
    (void)u;
    (*(int *)ud)++;
    return 0;
}

static void test_users_tokens(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_user u = {0}, got;
    struct reg_org org;
    struct reg_token tok, t2;
    char secret[REG_TOKEN_CAP], secret2[REG_TOKEN_CAP];
    char bad[REG_TOKEN_CAP];
    int n = 0;

    make_org(f->st, "utrecht");
    make_org(f->st, "utrecht"); /* update, not an error */
    snprintf(u.id, sizeof(u.id), "alice");
    snprintf(u.org_id, sizeof(u.org_id), "utrecht");
    snprintf(u.name, sizeof(u.name), "Alice de Vries");
    snprintf(u.email, sizeof(u.email), "alice@utrecht.example");
    snprintf(u.roles, sizeof(u.roles), "[\"owner\",\"reviewer\"]");
    snprintf(u.oidc_subject, sizeof(u.oidc_subject), "sub-123");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_user_put(tx, &u, "admin", &err), 0);
    assert_int_equal(reg_token_create(tx, "alice", "admin", secret, &tok, &err), 0);
    assert_int_equal(reg_token_create(tx, "alice", "admin", secret2, &t2, &err), 0);
    assert_int_equal(reg_token_create(tx, "nobody", "admin", bad, NULL, &err), SLUIS_ENOTFOUND);
    store_tx_rollback(tx);
    /* Rolled back: nothing of it exists. */
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM api_tokens"), 0);

    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_user_put(tx, &u, "admin", &err), 0);
    assert_int_equal(reg_token_create(tx, "alice", "admin", secret, &tok, &err), 0);
    assert_int_equal(reg_token_create(tx, "alice", "admin", secret2, &t2, &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);
    assert_int_equal(strncmp(secret, "sluis_", 6), 0);
    assert_int_equal(strlen(secret), 70);
    assert_string_not_equal(secret, secret2);
    /* The secret is not stored anywhere in the database. */
    {
        char sql[300];
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '%s' OR id = '%s'", secret,
                 secret);
        assert_int_equal(count_rows(f->st, sql), 0);
        snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%%%s%%'",
                 secret + 6);
        assert_int_equal(count_rows(f->st, sql), 0);
    }

    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_token_lookup(tx, secret, &t2, &got, &err), 0);
    assert_string_equal(t2.id, tok.id);
    assert_string_equal(got.id, "alice");
    assert_string_equal(got.org_id, "utrecht");
    assert_string_equal(got.roles, "[\"owner\",\"reviewer\"]");
    snprintf(bad, sizeof(bad), "%s", secret);
    bad[20] = bad[20] == 'a' ? 'b' : 'a';
    assert_int_equal(reg_token_lookup(tx, bad, NULL, NULL, &err), SLUIS_ENOTFOUND);
    assert_int_equal(reg_token_lookup(tx, "sluis_short", NULL, NULL, &err), SLUIS_ENOTFOUND);
    assert_int_equal(reg_token_lookup(tx, "", NULL, NULL, &err), SLUIS_ENOTFOUND);
    assert_int_equal(reg_user_find_oidc(tx, "sub-123", &got, &err), 0);
    assert_string_equal(got.id, "alice");
    assert_int_equal(reg_user_find_oidc(tx, "sub-999", &got, &err), SLUIS_ENOTFOUND);
    assert_int_equal(reg_org_get(tx, "utrecht", &org, &err), 0);
    assert_string_equal(org.layer, "gemeente");
    n = 0;
    assert_int_equal(reg_org_list(tx, org_count_cb, &n, &err), 0);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(reg_token_list(tx, "alice", tok_count_cb, &n, &err), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(reg_user_list(tx, "utrecht", user_count_cb, &n, &err), 0);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(reg_user_list(tx, "elsewhere", user_count_cb, &n, &err), 0);
    assert_int_equal(n, 0);
    n = 0;
    assert_int_equal(reg_user_list(tx, NULL, user_count_cb, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_ptr_equal(store_tx_store(tx), f->st);
    {
        /* Audit list filters: the two token creations, by action and kind. */
        struct audit_rows ar = {0};
        struct audit_filter af = {.org_id = "utrecht", .kind = "api_token", .action = "create"};
        assert_int_equal(store_audit_list(tx, &af, audit_rows_cb, &ar, &err), 0);
        assert_int_equal(ar.n, 2);
        assert_string_equal(ar.e[0].object_id, tok.id);
        memset(&ar, 0, sizeof(ar));
        af.limit = 1;
        assert_int_equal(store_audit_list(tx, &af, audit_rows_cb, &ar, &err), 0);
        assert_int_equal(ar.n, 1);
        af.after_seq = ar.e[0].seq;
        memset(&ar, 0, sizeof(ar));
        assert_int_equal(store_audit_list(tx, &af, audit_rows_cb, &ar, &err), 0);
        assert_int_equal(ar.n, 1);
        assert_string_not_equal(ar.e[0].object_id, tok.id); /* the second token */
    }
    store_tx_rollback(tx);

    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_token_touch(tx, tok.id, &err), 0);
    assert_int_equal(reg_token_revoke(tx, tok.id, "admin", &err), 0);
    assert_int_equal(reg_token_revoke(tx, tok.id, "admin", &err), 0); /* idempotent */
    assert_int_equal(store_tx_commit(tx, &err), 0);
    /* A failed register call poisons the transaction: commit refuses, nothing is kept. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_token_create(tx, "alice", "admin", bad, NULL, &err), 0);
    assert_int_equal(reg_token_revoke(tx, "tok_missing", "admin", &err), SLUIS_ENOTFOUND);
    assert_int_not_equal(store_tx_commit(tx, &err), 0);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM api_tokens"), 2);
    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_token_lookup(tx, secret, &t2, NULL, &err), SLUIS_EDENIED);
    assert_true(t2.revoked_at[0] != '\0');
    assert_true(t2.last_used_at[0] != '\0');
    assert_int_equal(reg_token_lookup(tx, secret2, NULL, NULL, &err), 0);
    store_tx_rollback(tx);

    /* Deleting the user removes its tokens. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_user_delete(tx, "alice", "admin", &err), 0);
    assert_int_equal(reg_user_delete(tx, "alice", "admin", &err), SLUIS_ENOTFOUND);
    store_tx_rollback(tx);
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_user_delete(tx, "alice", "admin", &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);
    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_token_lookup(tx, secret2, NULL, NULL, &err), SLUIS_ENOTFOUND);
    store_tx_rollback(tx);
    /* org create, org update, user create, 2 token creates, revoke, user delete. */
    expect_chain_ok(f->st, 7);
}

struct notes {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    char payload[16][128];
};

static void note_cb(void *ud, const char *channel, const char *payload)
{
    struct notes *r = ud;

    pthread_mutex_lock(&r->mu);
    if (r->n < 16 && payload && !strcmp(channel, REG_CHANNEL_OBJECTS))
        snprintf(r->payload[r->n++], sizeof(r->payload[0]), "%s", payload);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Waits (up to 30 s; not a timing assertion, only a guard against hanging) for n notes. */
static int notes_wait(struct notes *r, int n)
{
    struct timespec dl;
    int got;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 30;
    pthread_mutex_lock(&r->mu);
    while (r->n < n)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &dl))
            break;
    got = r->n;
    pthread_mutex_unlock(&r->mu);
    return got;
}

static void put_one(struct store *st, const char *id, int commit)
{
    struct store_tx *tx;
    struct reg_object o;
    struct sluis_err err = {0};

    obj_init(&o, "application", id, "o", "{}");
    assert_int_equal(store_tx_begin(st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, 0, "u", &err), 0);
    if (commit)
        assert_int_equal(store_tx_commit(tx, &err), 0);
    else
        store_tx_rollback(tx);
}

static void test_notify(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct notes r = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct store *other = NULL;

    make_org(f->st, "o");
    assert_int_equal(store_listen(f->st, "bad channel!", note_cb, &r, &err), SLUIS_EINVAL);
    /* PostgreSQL: listen on a second handle (another "node"); SQLite: in-process. */
    if (g_backend == STORE_PG)
        assert_int_equal(store_open(f->db.url, &other, &err), 0);
    assert_int_equal(store_listen(other ? other : f->st, REG_CHANNEL_OBJECTS, note_cb, &r, &err),
                     0);
    put_one(f->st, "first", 1);
    put_one(f->st, "rolled-back", 0);
    put_one(f->st, "third", 1);
    put_one(f->st, "first", 1);
    assert_int_equal(notes_wait(&r, 3), 3);
    pthread_mutex_lock(&r.mu);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.payload[0], "application/first/1");
    assert_string_equal(r.payload[1], "application/third/1");
    assert_string_equal(r.payload[2], "application/first/2");
    pthread_mutex_unlock(&r.mu);
    store_close(other);
}

struct worker {
    struct store *st;
    int idx;
    int conflicts;
    int done;
};

static int bump_fn(struct store_tx *tx, void *ud, struct sluis_err *err)
{
    struct worker *w = ud;
    struct reg_object cur, o;
    char content[64];
    int rc;

    rc = reg_object_get(tx, "counter", "shared", &cur, err);
    if (rc)
        return rc;
    snprintf(content, sizeof(content), "{\"n\":%lld,\"by\":%d}", cur.version, w->idx);
    obj_init(&o, "counter", "shared", "o", content);
    rc = reg_object_put(tx, &o, cur.version, "worker", err);
    reg_object_free(&cur);
    return rc;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct sluis_err err = {0};
    char id[32];

    for (int i = 0; i < 25; i++) {
        struct store_tx *tx;
        struct reg_object o;

        snprintf(id, sizeof(id), "w%d-%d", w->idx, i);
        obj_init(&o, "application", id, "o", "{\"w\":true}");
        if (store_tx_begin(w->st, STORE_TX_WRITE, &tx, &err))
            return NULL;
        if (reg_object_put(tx, &o, REG_VERSION_CREATE, "worker", &err)) {
            store_tx_rollback(tx);
            return NULL;
        }
        if (store_tx_commit(tx, &err))
            return NULL;
        /* Read-modify-write of one shared object: version check, retried on conflict. */
        for (;;) {
            int rc = store_tx_run(w->st, STORE_TX_WRITE, bump_fn, w, &err);
            if (rc == SLUIS_ECONFLICT) {
                w->conflicts++;
                continue;
            }
            if (rc)
                return NULL;
            break;
        }
        w->done++;
    }
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct worker w[4];
    pthread_t th[4];
    struct store *second = NULL;
    struct store_tx *tx;
    struct reg_object cur;
    struct reg_object o;

    make_org(f->st, "o");
    obj_init(&o, "counter", "shared", "o", "{\"n\":0}");
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "u", &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);
    /* Two handles (as two processes would have) and two threads on each. */
    assert_int_equal(store_open(f->db.url, &second, &err), 0);
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){i % 2 ? second : f->st, i, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].done, 25);
    }
    store_close(second);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM objects WHERE kind = 'application'"),
                     100);
    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_object_get(tx, "counter", "shared", &cur, &err), 0);
    /* Every increment counted exactly once: no lost update. */
    assert_int_equal(cur.version, 1 + 100);
    reg_object_free(&cur);
    store_tx_rollback(tx);
    /* org + counter + 100 creates + 100 updates. */
    expect_chain_ok(f->st, 202);
}

struct resync {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int nulls;
    int notes;
    char last[128];
};

static void resync_cb(void *ud, const char *channel, const char *payload)
{
    struct resync *r = ud;

    (void)channel;
    pthread_mutex_lock(&r->mu);
    if (payload) {
        r->notes++;
        snprintf(r->last, sizeof(r->last), "%s", payload);
    } else {
        r->nulls++;
    }
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Waits (guard 30 s, not a timing assertion) until pred holds; returns whether it did. */
static int resync_wait(struct resync *r, int nulls, const char *last)
{
    struct timespec dl;
    int ok;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 30;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        ok = r->nulls >= nulls && (!last || !strcmp(r->last, last));
        if (ok || pthread_cond_timedwait(&r->cv, &r->mu, &dl))
            break;
    }
    ok = r->nulls >= nulls && (!last || !strcmp(r->last, last));
    pthread_mutex_unlock(&r->mu);
    return ok;
}

/* PostgreSQL: every server connection is terminated; pool and listener recover. */
static void test_pg_connection_loss(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct resync r = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct store *node2 = NULL;
    struct store_tx *tx;
    struct reg_object o;

    if (g_backend != STORE_PG) {
        skip();
        return;
    }
    make_org(f->st, "o");
    assert_int_equal(store_open(f->db.url, &node2, &err), 0);
    assert_int_equal(store_listen(node2, REG_CHANNEL_OBJECTS, resync_cb, &r, &err), 0);
    put_one(f->st, "before", 1);
    assert_true(resync_wait(&r, 0, "application/before/1"));
    /* Warm both pools, then kill every backend of this database. */
    assert_int_equal(store_tx_begin(node2, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_object_get(tx, "application", "before", &o, &err), 0);
    reg_object_free(&o);
    store_tx_rollback(tx);
    assert_int_equal(tdb_sql(&f->db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> "
                                     "pg_backend_pid()"),
                     0);
    /* Reads and writes on both handles work again without the caller doing anything. */
    assert_int_equal(store_tx_begin(node2, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_object_get(tx, "application", "before", &o, &err), 0);
    reg_object_free(&o);
    store_tx_rollback(tx);
    put_one(f->st, "after", 1);
    /* The listener reconnects and says it may have missed notifications... */
    assert_true(resync_wait(&r, 1, NULL));
    /* ...and later changes arrive again. */
    put_one(f->st, "later", 1);
    assert_true(resync_wait(&r, 1, "application/later/1"));
    store_close(node2);
}

struct mixer {
    struct store *st;
    int idx;
    int committed;
    int failed;
};

/* Writers that commit, roll back, or fail a statement, interleaved in shared batches. */
static void *mixer_main(void *arg)
{
    struct mixer *m = arg;
    struct sluis_err err = {0};
    char id[32];

    for (int i = 0; i < 40; i++) {
        struct store_tx *tx;
        struct reg_object o;
        int what = (i + m->idx) % 4; /* 0, 1: commit; 2: roll back; 3: conflict then roll back */

        snprintf(id, sizeof(id), "m%d-%d", m->idx, i);
        obj_init(&o, "application", id, "o", "{}");
        if (store_tx_begin(m->st, STORE_TX_WRITE, &tx, &err))
            return NULL;
        if (reg_object_put(tx, &o, REG_VERSION_CREATE, "mixer", &err)) {
            store_tx_rollback(tx);
            return NULL;
        }
        if (what == 3) {
            /* The same id again in the same transaction: a failed statement. */
            if (reg_object_put(tx, &o, REG_VERSION_CREATE, "mixer", &err) != SLUIS_ECONFLICT) {
                store_tx_rollback(tx);
                return NULL;
            }
            if (store_tx_commit(tx, &err) == 0) /* must refuse: it had a failed statement */
                return NULL;
            m->failed++;
            continue;
        }
        if (what == 2) {
            store_tx_rollback(tx);
            continue;
        }
        if (store_tx_commit(tx, &err))
            return NULL;
        m->committed++;
    }
    return NULL;
}

static void test_group_commit_mixed(void **state)
{
    struct fx *f = *state;
    struct mixer m[6];
    pthread_t th[6];
    int committed = 0;

    make_org(f->st, "o");
    for (int i = 0; i < 6; i++) {
        m[i] = (struct mixer){f->st, i, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, mixer_main, &m[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(m[i].committed, 20);
        assert_int_equal(m[i].failed, 10);
        committed += m[i].committed;
    }
    /* Exactly the committed writers' objects, each with its one audit entry. */
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM objects"), committed);
    assert_int_equal(count_rows(f->st, "SELECT COUNT(*) FROM objects WHERE id LIKE 'm%'"),
                     committed);
    expect_chain_ok(f->st, 1 + committed);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_mixed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_connection_loss, setup, teardown),
    };

    g_backend = tdb_backend_arg(argc, argv);
    return cmocka_run_group_tests_name(g_backend == STORE_PG ? "store_pg" : "store_sqlite", tests,
                                       NULL, NULL);
}
