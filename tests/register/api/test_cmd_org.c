/*
 * test_cmd_org.c - `sluis org create|list` (src/cli/cmd_org.c) on a throw-away SQLite database:
 * an organisation with its first admin and a working token, every bad argument refused with
 * exit 2 and nothing stored, duplicates refused, the audit trail names the CLI as actor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/auditlog.h"
#include "store/register.h"
#include "store/store.h"

int cmd_org(int argc, char **argv);

static char db[256];

/* Runs `sluis org` with the arguments up to NULL. */
static int run(const char *first, ...)
{
    char *argv[32];
    int n = 0;
    va_list ap;
    va_start(ap, first);
    argv[n++] = "org";
    for (const char *a = first; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    fflush(stdout);
    return cmd_org(n, argv);
}

static int count_orgs_cb(void *ud, const struct reg_org *o)
{
    if (strcmp(o->id, "system"))
        (*(int *)ud)++;
    return 0;
}

static int count_orgs(void)
{
    struct store *st;
    struct store_tx *tx;
    struct sluis_err err;
    int n = 0;
    assert_int_equal(store_open(db, &st, &err), 0);
    assert_int_equal(store_tx_begin(st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_org_list(tx, count_orgs_cb, &n, &err), 0);
    store_tx_rollback(tx);
    store_close(st);
    return n;
}

static void test_create_and_refuse(void **state)
{
    (void)state;
    snprintf(db, sizeof(db), "/tmp/sluis-cmd-org-%d.db", (int)getpid());
    unlink(db);
    /* bad arguments: exit 2, nothing stored */
    assert_int_equal(run(NULL), 2);
    assert_int_equal(run("frobnicate", NULL), 2);
    assert_int_equal(run("create", "--db", db, "--id", "x", NULL), 2); /* missing options */
    assert_int_equal(run("create", "--db", db, "--id", "bad id", "--name", "N", "--layer",
                         "gemeente", "--admin-id", "n.a", "--admin-name", "A", NULL),
                     2);
    assert_int_equal(run("create", "--db", db, "--id", "n", "--name", "N", "--layer", "land",
                         "--admin-id", "n.a", "--admin-name", "A", NULL),
                     2);
    assert_int_equal(run("create", "--db", db, "--id", "system", "--name", "N", "--layer", "rijk",
                         "--admin-id", "n.a", "--admin-name", "A", NULL),
                     2);
    assert_int_equal(count_orgs(), 0);
    /* create */
    assert_int_equal(run("create", "--db", db, "--id", "nieuwdorp", "--name", "Gemeente Nieuwdorp",
                         "--layer", "gemeente", "--admin-id", "nieuwdorp.beheer", "--admin-name",
                         "Beheer", "--admin-email", "beheer@nieuwdorp.example", NULL),
                     0);
    assert_int_equal(count_orgs(), 1);
    /* duplicates */
    assert_int_equal(run("create", "--db", db, "--id", "nieuwdorp", "--name", "N", "--layer",
                         "gemeente", "--admin-id", "nieuwdorp.twee", "--admin-name", "T", NULL),
                     2);
    assert_int_equal(run("create", "--db", db, "--id", "ander", "--name", "N", "--layer",
                         "gemeente", "--admin-id", "nieuwdorp.beheer", "--admin-name", "T", NULL),
                     2);
    assert_int_equal(count_orgs(), 1);
    assert_int_equal(run("list", "--db", db, NULL), 0);
    assert_int_equal(run("list", "--db", "/nonexistent/x.db", NULL), 2);

    /* the admin exists with role admin, has one token, and the creation is audited */
    struct store *st;
    struct store_tx *tx;
    struct sluis_err err;
    struct reg_user u;
    assert_int_equal(store_open(db, &st, &err), 0);
    assert_int_equal(store_tx_begin(st, STORE_TX_READ, &tx, &err), 0);
    assert_int_equal(reg_user_get(tx, "nieuwdorp.beheer", &u, &err), 0);
    assert_string_equal(u.org_id, "nieuwdorp");
    assert_string_equal(u.roles, "[\"admin\"]");
    assert_string_equal(u.email, "beheer@nieuwdorp.example");
    struct reg_org o;
    assert_int_equal(reg_org_get(tx, "nieuwdorp", &o, &err), 0);
    assert_string_equal(o.layer, "gemeente");
    store_tx_rollback(tx);
    struct audit_chain rep;
    assert_int_equal(store_audit_verify(st, &rep, &err), 0);
    assert_true(rep.ok);
    assert_true(rep.entries >= 3); /* organisation, user, token */
    store_close(st);
    unlink(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_create_and_refuse)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
