/*
 * test_audit_log.c - the audit trail in the database (argv[1]: sqlite | pg): tamper with
 * rows directly in SQL (change, delete, reorder) and expect verify to name the first broken
 * link; batch append over several verify pages; export as JSON lines.
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

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum store_backend g_backend;

struct fx {
    struct tdb db;
    struct store *st;
};

/* A fresh database with 1 organisation and 5 objects: 6 audit entries. */
static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_org org = {.id = "o", .name = "Org", .layer = "rijk"};

    if (!f || tdb_create(g_backend, &f->db) || store_open(f->db.url, &f->st, &err))
        return -1;
    if (store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err) || reg_org_put(tx, &org, "admin", &err))
        return -1;
    for (int i = 0; i < 5; i++) {
        struct reg_object o = {.kind = "application", .org_id = "o", .state = "draft"};
        char content[64];
        snprintf(o.id, sizeof(o.id), "app-%d", i);
        snprintf(content, sizeof(content), "{\"n\":%d}", i);
        o.content = content;
        if (reg_object_put(tx, &o, REG_VERSION_CREATE, "alice", &err))
            return -1;
    }
    if (store_tx_commit(tx, &err))
        return -1;
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

static struct audit_chain verify(struct fx *f)
{
    struct audit_chain rep;
    struct sluis_err err = {0};

    assert_int_equal(store_audit_verify(f->st, &rep, &err), 0);
    return rep;
}

static void test_intact(void **state)
{
    struct audit_chain rep = verify(*state);

    assert_true(rep.ok);
    assert_int_equal(rep.entries, 6);
    assert_int_equal(rep.first_bad_seq, 0);
}

static void test_tamper_detail(void **state)
{
    struct fx *f = *state;
    struct audit_chain rep;

    assert_int_equal(
        tdb_sql(&f->db, "UPDATE audit_log SET detail = '{\"version\":7}' WHERE seq = 3"), 0);
    rep = verify(f);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 3);
    assert_non_null(strstr(rep.reason, "altered"));
    assert_int_equal(rep.entries, 6);
}

static void test_tamper_actor_long(void **state)
{
    struct fx *f = *state;
    struct audit_chain rep;
    char sql[512];

    /* A value longer than any field: must not be hidden by truncation on read. */
    snprintf(sql, sizeof(sql), "UPDATE audit_log SET actor = actor || '%0300d' WHERE seq = 4", 0);
    assert_int_equal(tdb_sql(&f->db, sql), 0);
    rep = verify(f);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 4);
}

static void test_tamper_delete(void **state)
{
    struct fx *f = *state;
    struct audit_chain rep;

    assert_int_equal(tdb_sql(&f->db, "DELETE FROM audit_log WHERE seq = 2"), 0);
    rep = verify(f);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 2);
    assert_non_null(strstr(rep.reason, "seq gap"));
}

static void test_tamper_reorder(void **state)
{
    struct fx *f = *state;
    struct audit_chain rep;

    assert_int_equal(tdb_sql(&f->db, "UPDATE audit_log SET seq = -5 WHERE seq = 5"), 0);
    assert_int_equal(tdb_sql(&f->db, "UPDATE audit_log SET seq = 5 WHERE seq = 4"), 0);
    assert_int_equal(tdb_sql(&f->db, "UPDATE audit_log SET seq = 4 WHERE seq = -5"), 0);
    rep = verify(f);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 4);
}

static void test_tamper_rehash(void **state)
{
    struct fx *f = *state;
    struct audit_chain rep;

    /* Change hash_after and also forge entry_hash (without knowing the canon: any value). */
    assert_int_equal(tdb_sql(&f->db,
                             "UPDATE audit_log SET hash_after = "
                             "'0000000000000000000000000000000000000000000000000000000000000001',"
                             " entry_hash = prev_hash WHERE seq = 2"),
                     0);
    rep = verify(f);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 2);
}

static void test_batch_and_pages(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct audit_entry *e;
    struct audit_chain rep;
    const size_t n = 4500;

    e = calloc(n, sizeof(*e));
    assert_non_null(e);
    for (size_t i = 0; i < n; i++) {
        snprintf(e[i].org_id, sizeof(e[i].org_id), "o");
        snprintf(e[i].actor, sizeof(e[i].actor), "gateway-1");
        snprintf(e[i].action, sizeof(e[i].action), AUDIT_ACTION_USAGE);
        snprintf(e[i].kind, sizeof(e[i].kind), "application");
        snprintf(e[i].object_id, sizeof(e[i].object_id), "app-%zu", i % 5);
        e[i].detail = "{\"tokens_out\":12,\"model\":\"m\",\"tokens_in\":30}";
    }
    /* A failing batch leaves nothing behind. */
    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    e[10].detail = "[\"not an object\"]";
    assert_int_equal(store_audit_append_batch(tx, e, n, &err), SLUIS_EINVAL);
    store_tx_rollback(tx);
    e[10].detail = "{}";
    rep = verify(f);
    assert_true(rep.ok);
    assert_int_equal(rep.entries, 6);

    assert_int_equal(store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(store_audit_append_batch(tx, e, n, &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);
    assert_int_equal(e[0].seq, 7);
    assert_int_equal(e[n - 1].seq, 6 + (long long)n);
    assert_string_equal(e[1].prev_hash, e[0].entry_hash);
    rep = verify(f);
    assert_true(rep.ok);
    assert_int_equal(rep.entries, 6 + (long long)n);
    assert_string_equal(rep.head, e[n - 1].entry_hash);
    free(e);

    /* Tampering far beyond the first page is still found. */
    assert_int_equal(tdb_sql(&f->db, "UPDATE audit_log SET detail = '{}' WHERE seq = 4321"), 0);
    rep = verify(f);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 4321);
}

static void test_export(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    long long count = 0;
    char *line, *save = NULL;
    int n = 0;
    char prev[AUDIT_HASH_HEX] = AUDIT_GENESIS;

    assert_non_null(mem);
    assert_int_equal(store_audit_export(f->st, mem, &count, &err), 0);
    fclose(mem);
    assert_int_equal(count, 6);
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t jerr;
        json_t *o = json_loads(line, 0, &jerr);

        assert_non_null(o);
        n++;
        assert_int_equal(json_integer_value(json_object_get(o, "seq")), n);
        assert_true(json_is_object(json_object_get(o, "detail")));
        assert_string_equal(json_string_value(json_object_get(o, "prev_hash")), prev);
        snprintf(prev, sizeof(prev), "%s", json_string_value(json_object_get(o, "entry_hash")));
        assert_int_equal(strlen(prev), 64);
        assert_non_null(json_string_value(json_object_get(o, "ts")));
        assert_string_equal(json_string_value(json_object_get(o, "action")), "create");
        json_decref(o);
    }
    assert_int_equal(n, 6);
    free(buf);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_actor_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_reorder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_rehash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export, setup, teardown),
    };

    g_backend = tdb_backend_arg(argc, argv);
    return cmocka_run_group_tests_name(g_backend == STORE_PG ? "audit_log_pg" : "audit_log_sqlite",
                                       tests, NULL, NULL);
}
