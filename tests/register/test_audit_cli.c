/*
 * test_audit_cli.c - `sluis audit verify|export` end to end (argv[1]: sqlite | pg): exit 0
 * on an intact chain, exit 1 naming the first broken link after a row is altered in SQL,
 * JSON lines from export, exit 2 on usage errors. The binary comes from $SLUIS_BIN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/register.h"
#include "store/store.h"
#include "test_store_db.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static enum store_backend g_backend;

struct fx {
    struct tdb db;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct sluis_err err = {0};
    struct store *st;
    struct store_tx *tx;
    struct reg_org org = {.id = "o", .name = "Org", .layer = "rijk"};

    if (!f || tdb_create(g_backend, &f->db) || store_open(f->db.url, &st, &err))
        return -1;
    if (store_tx_begin(st, STORE_TX_WRITE, &tx, &err) || reg_org_put(tx, &org, "admin", &err))
        return -1;
    for (int i = 0; i < 3; i++) {
        struct reg_object o = {.kind = "application", .org_id = "o", .content = "{\"a\":1}"};
        snprintf(o.id, sizeof(o.id), "app-%d", i);
        if (reg_object_put(tx, &o, REG_VERSION_CREATE, "alice", &err))
            return -1;
    }
    if (store_tx_commit(tx, &err))
        return -1;
    store_close(st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    tdb_drop(&f->db);
    free(f);
    return 0;
}

/* Runs the sluis binary with args; stdout captured into out (cap bytes). Returns exit code. */
static int run(char *out, size_t cap, const char *a1, const char *a2, const char *a3,
               const char *a4, const char *a5, const char *a6)
{
    const char *bin = getenv("SLUIS_BIN");
    int fds[2];
    pid_t pid;
    size_t n = 0;
    ssize_t r;
    int status = 0;

    assert_non_null(bin);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(bin, bin, a1, a2, a3, a4, a5, a6, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (n + 1 < cap && (r = read(fds[0], out + n, cap - n - 1)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_verify_ok_then_broken(void **state)
{
    struct fx *f = *state;
    char out[4096];

    assert_int_equal(run(out, sizeof(out), "audit", "verify", "--db", f->db.url, NULL, NULL), 0);
    assert_non_null(strstr(out, "intact"));
    assert_non_null(strstr(out, "4 entries"));
    assert_int_equal(tdb_sql(&f->db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"), 0);
    assert_int_equal(run(out, sizeof(out), "audit", "verify", "--db", f->db.url, NULL, NULL), 1);
    assert_non_null(strstr(out, "BROKEN at entry 3"));
}

static void test_export_lines(void **state)
{
    struct fx *f = *state;
    char out[16384], path[1100];
    FILE *in;
    char line[4096];
    int n = 0;

    /* To stdout. */
    assert_int_equal(run(out, sizeof(out), "audit", "export", "--db", f->db.url, NULL, NULL), 0);
    for (char *p = out; *p; p++)
        n += *p == '\n';
    assert_int_equal(n, 4);
    /* To a file. */
    snprintf(path, sizeof(path), "%s/export-%d.jsonl", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    assert_int_equal(run(out, sizeof(out), "audit", "export", "--db", f->db.url, "--out", path), 0);
    in = fopen(path, "r");
    assert_non_null(in);
    n = 0;
    while (fgets(line, sizeof(line), in)) {
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        assert_int_equal(json_integer_value(json_object_get(o, "seq")), ++n);
        json_decref(o);
    }
    fclose(in);
    unlink(path);
    assert_int_equal(n, 4);
}

static void test_usage_errors(void **state)
{
    struct fx *f = *state;
    char out[4096];

    (void)f;
    assert_int_equal(run(out, sizeof(out), "audit", NULL, NULL, NULL, NULL, NULL), 2);
    assert_int_equal(run(out, sizeof(out), "audit", "frobnicate", NULL, NULL, NULL, NULL), 2);
    assert_int_equal(run(out, sizeof(out), "audit", "verify", "--nope", NULL, NULL, NULL), 2);
    assert_int_equal(
        run(out, sizeof(out), "audit", "verify", "--db", "/nonexistent/dir/x.db", NULL, NULL), 2);
    assert_int_equal(run(out, sizeof(out), "audit", "--help", NULL, NULL, NULL, NULL), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_ok_then_broken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
    };

    g_backend = tdb_backend_arg(argc, argv);
    return cmocka_run_group_tests_name(g_backend == STORE_PG ? "audit_cli_pg" : "audit_cli_sqlite",
                                       tests, NULL, NULL);
}
