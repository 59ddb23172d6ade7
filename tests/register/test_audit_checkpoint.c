/*
 * test_audit_checkpoint.c - Ed25519-signed checkpoints (argv[1]: sqlite | pg): a chain
 * rewritten from some entry on with valid hashes passes the plain chain check but not the
 * checkpoint; truncation is caught; forged signatures and foreign keys are refused.
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

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum store_backend g_backend;

struct fx {
    struct tdb db;
    struct store *st;
    char key[1100], pub[1100], otherpub[1100];
};

static void write_keys(const char *priv_path, const char *pub_path)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    FILE *f;

    assert_non_null(pk);
    if (priv_path) {
        f = fopen(priv_path, "w");
        assert_non_null(f);
        assert_int_equal(PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL), 1);
        fclose(f);
    }
    f = fopen(pub_path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PUBKEY(f, pk), 1);
    fclose(f);
    EVP_PKEY_free(pk);
}

static void add_objects(struct store *st, int from, int n)
{
    struct sluis_err err = {0};
    struct store_tx *tx;

    assert_int_equal(store_tx_begin(st, STORE_TX_WRITE, &tx, &err), 0);
    for (int i = from; i < from + n; i++) {
        struct reg_object o = {.kind = "application", .org_id = "o", .content = "{}"};
        snprintf(o.id, sizeof(o.id), "app-%d", i);
        assert_int_equal(reg_object_put(tx, &o, REG_VERSION_CREATE, "alice", &err), 0);
    }
    assert_int_equal(store_tx_commit(tx, &err), 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct reg_org org = {.id = "o", .name = "Org", .layer = "rijk"};

    if (!f || tdb_create(g_backend, &f->db) || store_open(f->db.url, &f->st, &err))
        return -1;
    if (store_tx_begin(f->st, STORE_TX_WRITE, &tx, &err) || reg_org_put(tx, &org, "admin", &err) ||
        store_tx_commit(tx, &err))
        return -1;
    add_objects(f->st, 0, 5); /* entries 1..6 */
    snprintf(f->key, sizeof(f->key), "%s/cp-%d-key.pem", P_tmpdir, (int)getpid());
    snprintf(f->pub, sizeof(f->pub), "%s/cp-%d-pub.pem", P_tmpdir, (int)getpid());
    snprintf(f->otherpub, sizeof(f->otherpub), "%s/cp-%d-other.pem", P_tmpdir, (int)getpid());
    write_keys(f->key, f->pub);
    write_keys(NULL, f->otherpub);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->st);
    tdb_drop(&f->db);
    unlink(f->key);
    unlink(f->pub);
    unlink(f->otherpub);
    free(f);
    return 0;
}

static struct audit_chain verify(struct fx *f, const char *pub)
{
    struct audit_chain rep;
    struct sluis_err err = {0};

    assert_int_equal(store_audit_verify_ex(f->st, pub, &rep, &err), 0);
    return rep;
}

static void test_checkpoint_ok(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct audit_checkpoint cp, cp2;
    struct audit_chain rep;

    assert_int_equal(store_audit_checkpoint(f->st, f->key, &cp, &err), 0);
    assert_int_equal(cp.seq, 6);
    assert_int_equal(strlen(cp.sig), 128);
    assert_int_equal(strlen(cp.key_id), 16);
    /* The same head twice: refused. */
    assert_int_equal(store_audit_checkpoint(f->st, f->key, NULL, &err), SLUIS_ECONFLICT);
    /* Not a key / no file. */
    assert_int_not_equal(store_audit_checkpoint(f->st, f->pub, NULL, &err), 0);
    assert_int_equal(store_audit_checkpoint(f->st, "/nonexistent/key.pem", NULL, &err), SLUIS_EIO);
    add_objects(f->st, 5, 3); /* entries 7..9 */
    assert_int_equal(store_audit_checkpoint(f->st, f->key, &cp2, &err), 0);
    assert_int_equal(cp2.seq, 9);
    rep = verify(f, f->pub);
    assert_true(rep.ok);
    assert_int_equal(rep.checkpoints, 2);
    assert_int_equal(rep.signatures, 2);
    /* The standalone check agrees; a foreign public key does not. */
    assert_int_equal(audit_checkpoint_check(f->pub, &cp, &err), 0);
    assert_int_equal(audit_checkpoint_check(f->otherpub, &cp, &err), SLUIS_EDENIED);
    cp.seq++;
    assert_int_equal(audit_checkpoint_check(f->pub, &cp, &err), SLUIS_EDENIED);
}

static void test_truncation(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct audit_chain rep;

    assert_int_equal(store_audit_checkpoint(f->st, f->key, NULL, &err), 0); /* at 6 */
    assert_int_equal(tdb_sql(&f->db, "DELETE FROM audit_log WHERE seq >= 5"), 0);
    rep = verify(f, NULL);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 5);
    assert_non_null(strstr(rep.reason, "truncated"));
}

struct all {
    int n;
    struct audit_entry e[32];
    char detail[32][128];
};

static int all_cb(void *ud, const struct audit_entry *e)
{
    struct all *a = ud;

    if (a->n < 32) {
        a->e[a->n] = *e;
        snprintf(a->detail[a->n], sizeof(a->detail[0]), "%s", e->detail);
        a->e[a->n].detail = a->detail[a->n];
        a->n++;
    }
    return 0;
}

static void test_rewrite_caught_by_checkpoint(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct store_tx *tx;
    struct all a;
    struct audit_chain rep;
    char prev[AUDIT_HASH_HEX], sql[600];

    assert_int_equal(store_audit_checkpoint(f->st, f->key, NULL, &err), 0); /* at 6 */
    memset(&a, 0, sizeof(a));
    assert_int_equal(store_tx_begin(f->st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(store_audit_list(tx, NULL, all_cb, &a, &err), 0);
    store_tx_rollback(tx);
    assert_int_equal(a.n, 6);
    /* An attacker with write access changes entry 3 and recomputes every hash after it. */
    snprintf(a.e[2].actor, sizeof(a.e[2].actor), "mallory");
    memcpy(prev, a.e[1].entry_hash, sizeof(prev));
    for (int i = 2; i < a.n; i++) {
        memcpy(a.e[i].prev_hash, prev, sizeof(prev));
        assert_int_equal(audit_entry_hash(&a.e[i], prev, a.e[i].entry_hash, NULL), 0);
        memcpy(prev, a.e[i].entry_hash, sizeof(prev));
        snprintf(sql, sizeof(sql),
                 "UPDATE audit_log SET actor = '%s', prev_hash = '%s', entry_hash = '%s' WHERE "
                 "seq = %lld",
                 a.e[i].actor, a.e[i].prev_hash, a.e[i].entry_hash, a.e[i].seq);
        assert_int_equal(tdb_sql(&f->db, sql), 0);
    }
    /* The chain alone is consistent again... */
    {
        struct audit_chain plain;
        struct audit_entry copy[32];
        memcpy(copy, a.e, sizeof(copy));
        audit_chain_init(&plain);
        for (int i = 0; i < a.n; i++)
            audit_chain_feed(&plain, &copy[i]);
        assert_true(plain.ok);
    }
    /* ...but the checkpoint at 6 no longer matches. */
    rep = verify(f, f->pub);
    assert_false(rep.ok);
    assert_int_equal(rep.first_bad_seq, 6);
    assert_non_null(strstr(rep.reason, "rewritten"));
}

static void test_forged_checkpoint(void **state)
{
    struct fx *f = *state;
    struct sluis_err err = {0};
    struct audit_chain rep;

    assert_int_equal(store_audit_checkpoint(f->st, f->key, NULL, &err), 0);
    /* Changing the stored signature: caught with the public key. */
    assert_int_equal(tdb_sql(&f->db, "UPDATE audit_checkpoints SET signature = CASE WHEN "
                                     "substr(signature, 1, 1) = '0' THEN '1' ELSE '0' END || "
                                     "substr(signature, 2)"),
                     0);
    rep = verify(f, NULL);
    assert_true(rep.ok); /* without the key only the hash is compared */
    rep = verify(f, f->pub);
    assert_false(rep.ok);
    assert_non_null(strstr(rep.reason, "signature"));
    /* Verifying with someone else's key: every checkpoint is refused. */
    rep = verify(f, f->otherpub);
    assert_false(rep.ok);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_checkpoint_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewrite_caught_by_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_checkpoint, setup, teardown),
    };

    g_backend = tdb_backend_arg(argc, argv);
    return cmocka_run_group_tests_name(g_backend == STORE_PG ? "audit_checkpoint_pg"
                                                             : "audit_checkpoint_sqlite",
                                       tests, NULL, NULL);
}
