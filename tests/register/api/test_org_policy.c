/*
 * test_org_policy.c - api_org_policy_set_load(), the organisation policy set other subsystems
 * (the gateway) load: none for an organisation without files, base + active file + role-matrix
 * override in that order, inactive files ignored, another organisation's files never used,
 * a stored file that no longer loads refused with its position.
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

#include "api/api_internal.h"

static char db[256];
static char *base;
static size_t base_len;
static char *file_src;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *b = malloc(POLICY_MAX_FILE_BYTES + 1);
    assert_non_null(b);
    *len = fread(b, 1, POLICY_MAX_FILE_BYTES, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

/* Stores an org_policy object of org (content as the API writes it). */
static void put_file(struct store *st, const char *org, const char *part, const char *ref,
                     const char *src, const char *state)
{
    struct store_tx *tx;
    struct sluis_err err;
    struct reg_object o;
    memset(&o, 0, sizeof(o));
    snprintf(o.kind, sizeof(o.kind), "%s", API_ORG_POLICY_KIND);
    snprintf(o.id, sizeof(o.id), "%s:%s", org, ref);
    snprintf(o.org_id, sizeof(o.org_id), "%s", org);
    snprintf(o.state, sizeof(o.state), "%s", state);
    json_t *c = json_pack("{s:s, s:s, s:s}", "part", part, "ref", ref, "source", src);
    o.content = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(c);
    assert_int_equal(store_tx_begin(st, STORE_TX_WRITE, &tx, &err), 0);
    assert_int_equal(reg_object_put(tx, &o, REG_VERSION_ANY, "test", &err), 0);
    assert_int_equal(store_tx_commit(tx, &err), 0);
    reg_object_free(&o);
}

static int load(struct store *st, const char *org, struct policy_set **ps, char *ver,
                struct sluis_err *err)
{
    struct store_tx *tx;
    assert_int_equal(store_tx_begin(st, STORE_TX_READ, &tx, err), 0);
    int rc = api_org_policy_set_load(tx, org, base, base_len, "base", ps, ver, 256, err);
    store_tx_rollback(tx);
    return rc;
}

static const char *jurist_condition(const struct policy_set *ps, char *buf, size_t cap)
{
    json_t *j = policy_set_to_json(ps);
    size_t i;
    json_t *r;
    buf[0] = '\0';
    json_array_foreach(json_object_get(j, "roles"), i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "id")), "jurist"))
            snprintf(buf, cap, "%s", json_string_value(json_object_get(r, "advice_required_when")));
    }
    json_decref(j);
    return buf;
}

static void test_org_policy_set(void **state)
{
    (void)state;
    snprintf(db, sizeof(db), "/tmp/sluis-org-policy-%d.db", (int)getpid());
    unlink(db);
    base = slurp(SLUIS_SOURCE_DIR "/policy/standpunt-2025.yaml", &base_len);
    size_t flen;
    char *tmpl = slurp(SLUIS_SOURCE_DIR "/tests/register/api/fixtures/org-policy.yaml", &flen);
    char *v = strstr(tmpl, "\"VERSION\"");
    assert_non_null(v);
    file_src = malloc(flen + 1);
    assert_non_null(file_src);
    snprintf(file_src, flen + 1, "%.*s\"1\"%s", (int)(v - tmpl), tmpl, v + 9);
    free(tmpl);

    struct store *st;
    struct sluis_err err;
    char tok[80], ver[256], buf[512];
    assert_int_equal(store_open(db, &st, &err), 0);
    assert_int_equal(
        api_org_create(st, "a", "A", "gemeente", "a.beheer", "B", NULL, "test", tok, &err), 0);
    assert_int_equal(
        api_org_create(st, "b", "B", "gemeente", "b.beheer", "B", NULL, "test", tok, &err), 0);
    struct policy_set *bs = NULL, *ps = NULL;
    assert_int_equal(policy_set_load_buffer(&bs, base, base_len, "base", &err), 0);
    const char *bv = policy_set_version(bs);

    /* no files: no set of its own */
    assert_int_equal(load(st, "a", &ps, ver, &err), 0);
    assert_null(ps);
    assert_string_equal(ver, "");

    /* an inactive file is not used; an active one is, after the base */
    put_file(st, "a", API_PART_RULES, "org-test@1", file_src, "inactive");
    assert_int_equal(load(st, "a", &ps, ver, &err), 0);
    assert_null(ps);
    put_file(st, "a", API_PART_RULES, "org-test@1", file_src, "active");
    assert_int_equal(load(st, "a", &ps, ver, &err), 0);
    assert_non_null(ps);
    char want[512];
    snprintf(want, sizeof(want), "%s+org-test@1", bv);
    assert_string_equal(ver, want);
    assert_int_equal(policy_set_rule_count(ps), policy_set_rule_count(bs) + 1);
    assert_string_equal(jurist_condition(ps, buf, sizeof(buf)), "use.kind != unavoidable");

    /* the role-matrix override comes last and wins */
    json_t *m = json_pack("{s:s}", "jurist", "false");
    char *msrc = NULL, mver[13];
    const char *order[8];
    size_t n_order = 0;
    assert_int_equal(api_role_matrix_source("standpunt-2025", ps, m, "2026-01-15", &msrc, mver,
                                            order, &n_order, &err),
                     0);
    assert_int_equal(n_order, 1);
    char mref[64];
    snprintf(mref, sizeof(mref), "%s@%s", API_ROLE_MATRIX_ID, mver);
    put_file(st, "a", API_PART_MATRIX, mref, msrc, "active");
    policy_set_free(ps);
    ps = NULL;
    assert_int_equal(load(st, "a", &ps, ver, &err), 0);
    snprintf(want, sizeof(want), "%s+org-test@1+%s", bv, mref);
    assert_string_equal(ver, want);
    assert_string_equal(jurist_condition(ps, buf, sizeof(buf)), "false");
    policy_set_free(ps);
    ps = NULL;
    json_decref(m);
    free(msrc);

    /* the other organisation is untouched */
    assert_int_equal(load(st, "b", &ps, ver, &err), 0);
    assert_null(ps);

    /* a stored file that does not load on this base: refused with its position */
    put_file(st, "b", API_PART_RULES, "kapot@1", "sluis_policy: 1\nid: [kapot\n", "active");
    sluis_err_clear(&err);
    assert_int_not_equal(load(st, "b", &ps, ver, &err), 0);
    assert_null(ps);
    assert_true(err.line > 0);

    policy_set_free(bs);
    store_close(st);
    unlink(db);
    free(base);
    free(file_src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_org_policy_set)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
