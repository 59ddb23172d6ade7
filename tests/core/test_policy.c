/*
 * test_policy.c - policy files and verdicts: the real standpunt loads and lints clean; every
 * malformed file in tests/core/bad-policies/ gives its expected errors at line:column; an
 * organisation file adds rules and overrides roles but cannot replace base rules; verdict
 * semantics (transition period, prohibited, exploration_only), roles, JSON output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/derive.h"
#include "core/dossier.h"
#include "core/policy.h"
#include "core/verdict.h"

#define POLICY SLUIS_SOURCE_DIR "/policy/standpunt-2025.yaml"
#define ORG SLUIS_SOURCE_DIR "/policy/examples/org-extra.yaml"
#define BAD_DIR SLUIS_TEST_SOURCE_DIR "/bad-policies"
#define BASE SLUIS_TEST_SOURCE_DIR "/rules/base.yaml"
#define ORG_ENV_ROLE SLUIS_TEST_SOURCE_DIR "/policies/org-env-role.yaml"

/* ---- helpers ---- */

static struct policy_set *load(const char *a, const char *b)
{
    const char *paths[] = {a, b};
    struct policy_set *ps = NULL;
    struct sluis_err err;
    int rc = policy_set_load(&ps, paths, b ? 2 : 1, &err);

    if (rc) {
        char buf[1024];
        sluis_err_format(&err, buf, sizeof buf);
        fprintf(stderr, "load: %s\n", buf);
    }
    assert_int_equal(rc, 0);
    return ps;
}

/* The base dossier of the per-rule tests, with a decision hash that matches it. */
static json_t *base_dossier(const struct policy_set *ps)
{
    json_t *d = NULL;
    struct sluis_err err;
    char h[65];

    assert_int_equal(dossier_load_file(BASE, &d, &err), 0);
    assert_int_equal(dossier_material_hash(d, policy_set_derive_params(ps), h), 0);
    json_object_set_new(json_object_get(d, "decision"), "dossier_hash", json_string(h));
    return d;
}

static void rehash(json_t *d, const struct policy_set *ps)
{
    char h[65];

    assert_int_equal(dossier_material_hash(d, policy_set_derive_params(ps), h), 0);
    json_object_set_new(json_object_get(d, "decision"), "dossier_hash", json_string(h));
}

static const struct finding *find(const struct verdict *v, const char *id)
{
    for (size_t i = 0; i < v->n_findings; i++)
        if (!strcmp(v->findings[i].rule_id, id))
            return &v->findings[i];
    fail_msg("no finding %s", id);
    return NULL;
}

static enum verdict_kind eval(const struct policy_set *ps, const json_t *d, const char *env,
                              const char *date, struct verdict *v)
{
    struct sluis_err err;

    assert_int_equal(env ? policy_evaluate_env(ps, d, env, date, v, &err)
                         : policy_evaluate(ps, d, date, v, &err),
                     0);
    return v->kind;
}

static int list_has(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s)) return 1;
    return 0;
}

/* ---- the real policy ---- */

static void test_standpunt_loads(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    const struct derive_params *p = policy_set_derive_params(ps);
    int n;

    (void)state;
    assert_string_equal(policy_set_version(ps), "standpunt-2025@2026.1");
    assert_true(policy_set_rule_count(ps) >= 40);
    assert_string_equal(policy_set_rule_id(ps, 0), "SP-01a");
    assert_null(policy_set_rule_id(ps, 100000));
    assert_int_equal(p->dpia_score_above, 4);
    assert_int_equal(p->dpia_edpb_required, 2);
    assert_true(p->systemic_risk_flops > 0.99e25 && p->systemic_risk_flops < 1.01e25);
    assert_int_equal(p->n_material, 9);
    assert_string_equal(policy_set_role_literacy(ps, "cio_office"), "vloeiend");
    assert_string_equal(policy_set_role_literacy(ps, "developer"), "expert");
    assert_string_equal(policy_set_role_literacy(ps, "employee"), "bewust");
    assert_null(policy_set_role_literacy(ps, "nobody"));
    policy_set_free(ps);
    n = policy_lint_file(POLICY, NULL, NULL);
    assert_int_equal(n, 0);
    n = policy_lint_file(ORG, NULL, NULL);
    assert_int_equal(n, 0);
    policy_set_free(NULL);
}

/* ---- malformed files ---- */

struct collected {
    struct sluis_err e[64];
    int n;
};

static void collect(const struct sluis_err *e, void *ud)
{
    struct collected *c = ud;

    if (c->n < 64)
        c->e[c->n] = *e;
    c->n++;
}

static int check_bad_file(const char *name)
{
    char path[512], line[512];
    FILE *f;
    struct {
        int line, col;
        char msg[200];
    } want[16];
    int nwant = 0, failures = 0, rc;
    struct collected got;
    struct policy_set *ps = NULL;
    struct sluis_err err;
    const char *paths[1];

    snprintf(path, sizeof path, "%s/%s", BAD_DIR, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) && nwant < 16) {
        int l, c, k = 0;
        if (sscanf(line, "# expect: %d:%d %n", &l, &c, &k) == 2 && k > 0) {
            want[nwant].line = l;
            want[nwant].col = c;
            snprintf(want[nwant].msg, sizeof want[nwant].msg, "%s", line + k);
            want[nwant].msg[strcspn(want[nwant].msg, "\n")] = '\0';
            nwant++;
        }
    }
    fclose(f);
    if (nwant == 0) {
        fprintf(stderr, "FAIL %s: no '# expect:' line\n", name);
        return 1;
    }
    memset(&got, 0, sizeof got);
    rc = policy_lint_file(path, collect, &got);
    if (rc != nwant || got.n != nwant) {
        fprintf(stderr, "FAIL %s: %d errors, expected %d\n", name, rc, nwant);
        for (int i = 0; i < got.n && i < 64; i++)
            fprintf(stderr, "   got %d:%d %s\n", got.e[i].line, got.e[i].column, got.e[i].msg);
        return 1;
    }
    for (int i = 0; i < nwant; i++) {
        if (got.e[i].line != want[i].line || got.e[i].column != want[i].col ||
            !strstr(got.e[i].msg, want[i].msg) || strcmp(got.e[i].file, path) != 0) {
            fprintf(stderr, "FAIL %s: got %d:%d '%s', expected %d:%d '%s'\n", name, got.e[i].line,
                    got.e[i].column, got.e[i].msg, want[i].line, want[i].col, want[i].msg);
            failures++;
        }
    }
    /* loading fails with the first error and its position */
    paths[0] = path;
    rc = policy_set_load(&ps, paths, 1, &err);
    if (rc >= 0 || ps || err.line != want[0].line || err.column != want[0].col) {
        fprintf(stderr, "FAIL %s: load rc %d at %d:%d\n", name, rc, err.line, err.column);
        failures++;
    }
    policy_set_free(ps);
    return failures;
}

static void test_bad_policies(void **state)
{
    DIR *dir = opendir(BAD_DIR);
    struct dirent *de;
    int files = 0, failures = 0;

    (void)state;
    assert_non_null(dir);
    while ((de = readdir(dir))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".yaml"))
            continue;
        files++;
        failures += check_bad_file(de->d_name);
    }
    closedir(dir);
    assert_true(files >= 15);
    assert_int_equal(failures, 0);
}

static void test_lint_reports_every_error(void **state)
{
    struct collected got;
    int n;

    (void)state;
    memset(&got, 0, sizeof got);
    n = policy_lint_file(BAD_DIR "/27-several-errors.yaml", collect, &got);
    assert_int_equal(n, 6);
    assert_int_equal(got.n, 6);
    /* in file order */
    for (int i = 1; i < got.n; i++)
        assert_true(got.e[i].line >= got.e[i - 1].line);
    /* unreadable file: negative, and the callback hears about it */
    memset(&got, 0, sizeof got);
    n = policy_lint_file(BAD_DIR "/does-not-exist.yaml", collect, &got);
    assert_int_equal(n, SLUIS_EIO);
    assert_int_equal(got.n, 1);
}

static void test_huge_inputs(void **state)
{
    size_t big = POLICY_MAX_FILE_BYTES + 10, n = 0;
    char *buf = malloc(big);
    struct policy_set *ps = NULL;
    struct sluis_err err;
    const char *head = "sluis_policy: 1\nid: big\nversion: \"1\"\npublished: 2025-01-01\nrules:\n";

    (void)state;
    assert_non_null(buf);
    memset(buf, '#', big);
    assert_int_equal(policy_set_load_buffer(&ps, buf, big, "big.yaml", &err), SLUIS_ETOOBIG);
    assert_null(ps);
    assert_int_equal(err.line, 1);
    /* more rules than the cap: a clear error, not a crash */
    n = (size_t)snprintf(buf, big, "%s", head);
    for (int i = 0; i < POLICY_MAX_RULES + 5 && n + 300 < big; i++)
        n += (size_t)snprintf(buf + n, big - n,
                              "  - {id: R-%d, title: {nl: a, en: a}, message: {nl: a, en: a}, "
                              "remedy: {nl: a, en: a}, source: s, requires: true, severity: "
                              "warn}\n",
                              i);
    assert_int_equal(policy_set_load_buffer(&ps, buf, n, "many.yaml", &err), SLUIS_EINVAL);
    assert_non_null(strstr(err.msg, "too many rules"));
    assert_null(ps);
    /* a long string */
    n = (size_t)snprintf(buf, big, "%stitle: ", head);
    memset(buf + n, 'x', POLICY_MAX_TEXT + 10);
    n += POLICY_MAX_TEXT + 10;
    buf[n++] = '\n';
    assert_int_equal(policy_set_load_buffer(&ps, buf, n, "long.yaml", &err), SLUIS_EINVAL);
    assert_null(ps);
    free(buf);
}

/* ---- organisation files ---- */

static void test_org_merge(void **state)
{
    struct policy_set *ps = load(POLICY, ORG);
    json_t *d = base_dossier(ps);
    struct verdict v;
    json_t *req;
    size_t n_base;

    (void)state;
    assert_string_equal(policy_set_version(ps), "standpunt-2025@2026.1+org-voorbeeld@3");
    assert_int_equal(policy_set_derive_params(ps)->dpia_score_above, 3);
    n_base = policy_set_rule_count(ps) - 2;
    assert_string_equal(policy_set_rule_id(ps, n_base), "ORG-01");
    assert_string_equal(policy_set_rule_id(ps, n_base + 1), "ORG-02");
    assert_string_equal(policy_set_role_literacy(ps, "jurist"), "bekwaam"); /* overridden */
    /* the jurist now advises on everything: missing in the base dossier */
    eval(ps, d, NULL, "2026-02-01", &v);
    req = json_object_get(json_object_get(v.derived, "roles"), "required");
    assert_true(list_has(req, "jurist"));
    assert_false(list_has(req, "works_council"));
    assert_false(list_has(req, "ethics"));
    assert_true(
        list_has(json_object_get(json_object_get(v.derived, "roles"), "missing"), "jurist"));
    assert_int_equal(find(&v, "SP-02a")->status, FINDING_UNMET);
    assert_int_equal(find(&v, "ORG-01")->status, FINDING_UNMET); /* hosted in the EU */
    assert_int_equal(find(&v, "ORG-01")->severity, SEVERITY_WARN);
    assert_int_equal(find(&v, "ORG-02")->status, FINDING_MET);
    assert_int_equal(v.kind, VERDICT_NOT_ALLOWED);
    assert_string_equal(v.policy_version, "standpunt-2025@2026.1+org-voorbeeld@3");
    verdict_free(&v);
    /* ORG-01 is not in force before its effective date */
    eval(ps, d, NULL, "2026-01-20", &v);
    assert_int_equal(find(&v, "ORG-01")->status, FINDING_NOT_APPLICABLE);
    assert_false(find(&v, "ORG-01")->in_force);
    verdict_free(&v);
    /* high-risk at work: the works council too */
    json_object_set_new(json_object_get(d, "ai_act"), "annex_iii_area", json_string("employment"));
    eval(ps, d, NULL, "2026-02-01", &v);
    req = json_object_get(json_object_get(v.derived, "roles"), "required");
    assert_true(list_has(req, "works_council"));
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

static void test_org_cannot_replace_base_rules(void **state)
{
    const char *org = "sluis_policy: 1\nid: org\nversion: \"1\"\npublished: 2026-01-01\n"
                      "rules:\n"
                      "  - id: SP-04a\n"
                      "    title: {nl: weg, en: gone}\n    message: {nl: m, en: m}\n"
                      "    remedy: {nl: r, en: r}\n    source: s\n    requires: true\n"
                      "    severity: advise\n";
    const char *wrong = "sluis_policy: 1\nid: org\nversion: \"1\"\npublished: 2026-01-01\n"
                        "extends: iets-anders\n";
    char tmp1[] = "/tmp/sluis-org-XXXXXX", tmp2[] = "/tmp/sluis-org-XXXXXX";
    int fd1 = mkstemp(tmp1), fd2 = mkstemp(tmp2);
    FILE *f1 = fdopen(fd1, "w"), *f2 = fdopen(fd2, "w");
    const char *paths[2] = {POLICY, tmp1};
    struct policy_set *ps = NULL;
    struct sluis_err err;

    (void)state;
    fputs(org, f1);
    fclose(f1);
    fputs(wrong, f2);
    fclose(f2);
    assert_int_equal(policy_set_load(&ps, paths, 2, &err), SLUIS_EINVAL);
    assert_null(ps);
    assert_non_null(strstr(err.msg, "already defined by standpunt-2025"));
    assert_int_equal(err.line, 6);
    assert_int_equal(err.column, 9);
    paths[1] = tmp2;
    assert_int_equal(policy_set_load(&ps, paths, 2, &err), SLUIS_EINVAL);
    assert_non_null(strstr(err.msg, "base policy is 'standpunt-2025'"));
    /* alone, an organisation file is linted without a base */
    assert_int_equal(policy_lint_file(tmp1, NULL, NULL), 0);
    unlink(tmp1);
    unlink(tmp2);
}

/* ---- verdict semantics ---- */

static void test_compliant_dossier_allowed(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps);
    struct verdict v;
    json_t *roles;
    size_t unmet = 0;

    (void)state;
    assert_int_equal(eval(ps, d, NULL, "2026-02-01", &v), VERDICT_ALLOWED);
    assert_string_equal(v.environment, "production");
    assert_string_equal(v.eval_date, "2026-02-01");
    assert_int_equal(v.n_findings, policy_set_rule_count(ps));
    for (size_t i = 0; i < v.n_findings; i++)
        unmet += v.findings[i].status == FINDING_UNMET;
    assert_int_equal(unmet, 0);
    roles = json_object_get(v.derived, "roles");
    assert_int_equal(json_array_size(json_object_get(roles, "required")), 4);
    assert_true(list_has(json_object_get(roles, "required"), "fg"));
    assert_true(list_has(json_object_get(roles, "required"), "procurement"));
    assert_int_equal(json_array_size(json_object_get(roles, "missing")), 0);
    assert_string_equal(json_string_value(json_object_get(v.derived, "eval_date")), "2026-02-01");
    verdict_free(&v);
    verdict_free(&v); /* safe twice: zeroed */
    json_decref(d);
    policy_set_free(ps);
}

static void test_transition_period(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps);
    json_t *a0 = json_array_get(json_object_get(d, "assessments"), 0);
    struct verdict v;

    (void)state;
    json_object_set_new(a0, "status", json_string("in_progress")); /* SP-01a fails */
    /* 2025-12-01: a warning; the application may go ahead */
    assert_int_equal(eval(ps, d, NULL, "2025-12-01", &v), VERDICT_ALLOWED);
    assert_int_equal(find(&v, "SP-01a")->status, FINDING_UNMET);
    assert_int_equal(find(&v, "SP-01a")->severity, SEVERITY_WARN);
    assert_int_equal(find(&v, "SP-06")->status, FINDING_UNMET); /* review after 2026-01-01 */
    verdict_free(&v);
    /* the last day of the transition */
    assert_int_equal(eval(ps, d, NULL, "2025-12-31", &v), VERDICT_ALLOWED);
    verdict_free(&v);
    /* 2026-01-02: it blocks; personal data keeps it out of exploration too */
    assert_int_equal(eval(ps, d, NULL, "2026-01-02", &v), VERDICT_NOT_ALLOWED);
    assert_int_equal(find(&v, "SP-01a")->severity, SEVERITY_BLOCK);
    assert_int_equal(find(&v, "SP-06")->status, FINDING_NOT_APPLICABLE);
    verdict_free(&v);
    /* AI Act art. 50 has its own date (2026-08-02) in the same data */
    json_object_set_new(json_object_get(d, "use"), "citizen_facing", json_true());
    json_object_set_new(json_object_get(d, "use"), "ai_disclosure", json_false());
    json_object_set_new(a0, "status", json_string("completed"));
    json_array_append_new(json_object_get(d, "advice"),
                          json_pack("{s:s,s:s,s:s,s:s}", "role", "jurist", "by", "J", "date",
                                    "2025-10-01", "outcome", "positive"));
    rehash(d, ps);
    assert_int_equal(eval(ps, d, NULL, "2026-08-01", &v), VERDICT_ALLOWED);
    assert_int_equal(find(&v, "L-02a")->severity, SEVERITY_WARN);
    verdict_free(&v);
    assert_int_equal(eval(ps, d, NULL, "2026-08-02", &v), VERDICT_NOT_ALLOWED);
    assert_int_equal(find(&v, "L-02a")->severity, SEVERITY_BLOCK);
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

static void test_prohibited(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps);
    json_t *m0 = json_array_get(json_object_get(d, "models"), 0);
    struct verdict v;

    (void)state;
    json_object_set_new(m0, "terms", json_string("consumer"));
    rehash(d, ps);
    assert_int_equal(eval(ps, d, NULL, "2026-02-01", &v), VERDICT_PROHIBITED);
    assert_int_equal(find(&v, "SP-04a")->severity, SEVERITY_PROHIBIT);
    verdict_free(&v);
    /* in the transition period consumer terms were a warning */
    assert_int_equal(eval(ps, d, NULL, "2025-11-01", &v), VERDICT_ALLOWED);
    verdict_free(&v);
    /* in exploration never prohibited: SP-04b warns; personal data (SP-05a) blocks here */
    assert_int_equal(eval(ps, d, "exploration", "2026-02-01", &v), VERDICT_NOT_ALLOWED);
    assert_int_equal(find(&v, "SP-04b")->status, FINDING_UNMET);
    assert_int_equal(find(&v, "SP-04b")->severity, SEVERITY_WARN);
    assert_int_equal(find(&v, "SP-05a")->status, FINDING_UNMET);
    verdict_free(&v);
    /* a controlled exploration on a consumer account: allowed as exploration; asked for
     * production it is exploration_only (SP-04a still reports the prohibition) */
    json_object_set_new(json_object_get(d, "data"), "personal_data", json_false());
    json_object_set_new(json_object_get(d, "data"), "categories", json_array());
    json_object_set_new(json_object_get(d, "use"), "production_data", json_false());
    json_object_set_new(json_object_get(d, "use"), "exploration_end", json_string("2026-06-30"));
    rehash(d, ps);
    assert_int_equal(eval(ps, d, "exploration", "2026-02-01", &v), VERDICT_EXPLORATION_ONLY);
    verdict_free(&v);
    assert_int_equal(eval(ps, d, NULL, "2026-02-01", &v), VERDICT_EXPLORATION_ONLY);
    assert_int_equal(find(&v, "SP-04a")->status, FINDING_UNMET);
    assert_int_equal(find(&v, "SP-04a")->severity, SEVERITY_PROHIBIT);
    verdict_free(&v);
    /* art. 5 practices: prohibited everywhere, no transition */
    json_object_set_new(m0, "terms", json_string("business"));
    json_object_set_new(json_object_get(d, "ai_act"), "prohibited_practices",
                        json_pack("[s]", "social_scoring"));
    rehash(d, ps);
    assert_int_equal(eval(ps, d, NULL, "2025-06-01", &v), VERDICT_PROHIBITED);
    verdict_free(&v);
    assert_int_equal(eval(ps, d, "exploration", "2025-06-01", &v), VERDICT_PROHIBITED);
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

static void test_exploration_only(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps);
    json_t *use = json_object_get(d, "use"), *data = json_object_get(d, "data");
    struct verdict v;

    (void)state;
    /* no decision yet, but fit for a controlled exploration */
    json_object_del(d, "decision");
    json_object_set_new(data, "personal_data", json_false());
    json_object_set_new(data, "categories", json_array());
    json_object_set_new(use, "production_data", json_false());
    json_object_set_new(use, "exploration_end", json_string("2026-04-30"));
    assert_int_equal(eval(ps, d, NULL, "2026-02-01", &v), VERDICT_EXPLORATION_ONLY);
    assert_int_equal(find(&v, "SP-02b")->status, FINDING_UNMET);
    /* findings are those of the requested environment */
    assert_int_equal(find(&v, "SP-05b")->status, FINDING_NOT_APPLICABLE);
    assert_string_equal(v.environment, "production");
    /* roles in the verdict are those of production */
    assert_true(list_has(json_object_get(json_object_get(v.derived, "roles"), "required"), "ciso"));
    verdict_free(&v);
    assert_int_equal(eval(ps, d, "exploration", "2026-02-01", &v), VERDICT_EXPLORATION_ONLY);
    assert_int_equal(find(&v, "SP-05b")->status, FINDING_MET);
    verdict_free(&v);
    /* after the end date the exploration is over too */
    assert_int_equal(eval(ps, d, NULL, "2026-05-01", &v), VERDICT_NOT_ALLOWED);
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

/* A role required only in exploration: the exploration fallback evaluates its own role matrix
 * (the rules that read derived.roles see exploration's roles), the verdict keeps the
 * requested environment's roles. */
static void test_exploration_env_role(void **state)
{
    struct policy_set *ps = load(POLICY, ORG_ENV_ROLE);
    json_t *d = base_dossier(ps);
    json_t *use = json_object_get(d, "use"), *data = json_object_get(d, "data");
    json_t *adv = json_object_get(d, "advice");
    struct verdict v;

    (void)state;
    json_object_del(d, "decision");
    json_object_set_new(data, "personal_data", json_false());
    json_object_set_new(data, "categories", json_array());
    json_object_set_new(use, "production_data", json_false());
    json_object_set_new(use, "exploration_end", json_string("2026-04-30"));
    /* no sandbox_admin advice: unmet in exploration, so production cannot fall back */
    assert_int_equal(eval(ps, d, NULL, "2026-02-01", &v), VERDICT_NOT_ALLOWED);
    assert_int_equal(find(&v, "ORG-ENV-01")->status, FINDING_NOT_APPLICABLE);
    assert_false(list_has(json_object_get(json_object_get(v.derived, "roles"), "required"),
                          "sandbox_admin"));
    verdict_free(&v);
    assert_int_equal(eval(ps, d, "exploration", "2026-02-01", &v), VERDICT_NOT_ALLOWED);
    assert_int_equal(find(&v, "ORG-ENV-01")->status, FINDING_UNMET);
    verdict_free(&v);
    /* with the advice the dossier is fit for exploration */
    json_array_append_new(adv,
                          json_pack("{s:s, s:s, s:s, s:s}", "role", "sandbox_admin", "by",
                                    "E. Beheerder", "date", "2025-10-03", "outcome", "positive"));
    assert_int_equal(eval(ps, d, NULL, "2026-02-01", &v), VERDICT_EXPLORATION_ONLY);
    assert_false(list_has(json_object_get(json_object_get(v.derived, "roles"), "required"),
                          "sandbox_admin"));
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

static void test_unavoidable_not_gated(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    const char *text = "sluis_dossier: 1\nid: zoekmachine\nname: Zoekmachine met AI-antwoorden\n"
                       "organisation: {name: Gemeente X, layer: gemeente}\n"
                       "owner: {name: A, function: B, email: a@example.nl}\n"
                       "use: {kind: unavoidable, environment: production, ai_disclosure: true,"
                       " human_review: true, output_feeds_decisions: false}\n";
    json_t *d = NULL;
    struct sluis_err err;
    struct verdict v;

    (void)state;
    assert_int_equal(dossier_load_buffer(text, strlen(text), "u.yaml", &d, &err), 0);
    assert_int_equal(eval(ps, d, NULL, "2026-02-01", &v), VERDICT_ALLOWED);
    for (size_t i = 0; i < v.n_findings; i++) {
        const struct finding *f = &v.findings[i];
        if (!strcmp(f->rule_id, "G-01") || !strcmp(f->rule_id, "L-01"))
            assert_int_equal(f->status, FINDING_MET);
        else
            assert_int_equal(f->status, FINDING_NOT_APPLICABLE);
    }
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(v.derived, "roles"), "required")), 0);
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

static void test_roles_fail_closed(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps);
    struct verdict v;
    json_t *roles;

    (void)state;
    /* unknown whether personal data is processed: the FG is required */
    json_object_del(json_object_get(d, "data"), "personal_data");
    json_object_set_new(json_array_get(json_object_get(d, "advice"), 2), "outcome",
                        json_string("negative"));
    eval(ps, d, NULL, "2026-02-01", &v);
    roles = json_object_get(v.derived, "roles");
    assert_true(list_has(json_object_get(roles, "required"), "fg"));
    assert_true(list_has(json_object_get(roles, "missing"), "fg"));
    assert_int_equal(json_array_size(json_object_get(roles, "missing")), 1);
    /* the message names the missing role ({derived.roles.missing} in the policy text) */
    assert_string_equal(find(&v, "SP-02a")->message.nl,
                        "Er ontbreekt een positief advies van: fg.");
    assert_string_equal(find(&v, "SP-02a")->message.en, "Positive advice is missing from: fg.");
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

/* More positive advice entries than the evaluator's scan buffer (64): the required roles are
 * still found, also when their advice comes last, and a missing one is still missing. */
static void test_roles_many_advice(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps), *adv, *keep, *roles;
    struct verdict v;

    (void)state;
    json_object_del(json_object_get(d, "data"), "personal_data"); /* the FG is required */
    adv = json_object_get(d, "advice");
    keep = json_deep_copy(adv);
    json_array_clear(adv);
    for (int i = 0; i < 70; i++)
        json_array_append_new(adv, json_pack("{s:s, s:s}", "role", "ciso", "outcome", "positive"));
    json_array_extend(adv, keep); /* the dossier's own advice (fg positive) after them */
    json_decref(keep);
    eval(ps, d, NULL, "2026-02-01", &v);
    roles = json_object_get(v.derived, "roles");
    assert_true(list_has(json_object_get(roles, "required"), "fg"));
    assert_false(list_has(json_object_get(roles, "missing"), "fg"));
    verdict_free(&v);
    /* the same with the FG's advice negative: missing again */
    json_object_set_new(json_array_get(adv, 70 + 2), "outcome", json_string("negative"));
    eval(ps, d, NULL, "2026-02-01", &v);
    roles = json_object_get(v.derived, "roles");
    assert_true(list_has(json_object_get(roles, "missing"), "fg"));
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

static void test_verdict_json(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps);
    struct verdict v;
    json_t *nl, *en, *f, *fe;
    size_t i;

    (void)state;
    json_object_del(d, "exit_plan"); /* G-04 unmet (warn) */
    rehash(d, ps);
    eval(ps, d, NULL, "2026-02-01", &v);
    json_decref(d); /* the verdict does not borrow from the dossier */
    nl = verdict_to_json(&v, NULL);
    en = verdict_to_json(&v, "en");
    assert_non_null(nl);
    assert_non_null(en);
    assert_string_equal(json_string_value(json_object_get(nl, "verdict")), "allowed");
    assert_string_equal(json_string_value(json_object_get(nl, "verdict_label")), "toegestaan");
    assert_string_equal(json_string_value(json_object_get(en, "verdict_label")), "allowed");
    assert_string_equal(json_string_value(json_object_get(nl, "lang")), "nl");
    assert_string_equal(json_string_value(json_object_get(nl, "policy_version")),
                        "standpunt-2025@2026.1");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(nl, "summary"), "unmet")),
                     1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(nl, "summary"), "unmet_by_severity"), "warn")),
        1);
    json_array_foreach(json_object_get(nl, "findings"), i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "rule")), "G-04"))
            continue;
        fe = json_array_get(json_object_get(en, "findings"), i);
        assert_string_equal(json_string_value(json_object_get(f, "status")), "unmet");
        assert_string_equal(json_string_value(json_object_get(f, "severity")), "warn");
        assert_string_equal(json_string_value(json_object_get(f, "message")),
                            "Exitplan of noodstop ontbreekt.");
        assert_string_equal(json_string_value(json_object_get(fe, "message")),
                            "The exit plan or kill switch is missing.");
        assert_non_null(json_object_get(f, "remedy"));
        assert_non_null(json_object_get(f, "source"));
        assert_true(json_is_true(json_object_get(f, "in_force")));
    }
    /* met findings carry no message or remedy */
    f = json_array_get(json_object_get(nl, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(f, "status")), "met");
    assert_null(json_object_get(f, "message"));
    assert_non_null(json_object_get(json_object_get(nl, "derived"), "roles"));
    json_decref(nl);
    json_decref(en);
    verdict_free(&v);
    policy_set_free(ps);
}

static void test_evaluate_errors(void **state)
{
    struct policy_set *ps = load(POLICY, NULL);
    json_t *d = base_dossier(ps);
    struct verdict v;
    struct sluis_err err;

    (void)state;
    assert_int_equal(policy_evaluate_env(ps, d, "staging", "2026-02-01", &v, &err), SLUIS_EINVAL);
    assert_null(v.findings);
    assert_int_equal(policy_evaluate(ps, d, "2026-02-30", &v, &err), SLUIS_EINVAL);
    assert_int_equal(policy_evaluate(ps, d, NULL, &v, &err), SLUIS_EINVAL);
    json_object_del(json_object_get(d, "use"), "environment");
    assert_int_equal(policy_evaluate(ps, d, "2026-02-01", &v, &err), SLUIS_EINVAL);
    verdict_free(&v);
    assert_string_equal(verdict_kind_name(VERDICT_EXPLORATION_ONLY), "exploration_only");
    assert_string_equal(verdict_kind_name(VERDICT_PROHIBITED), "prohibited");
    assert_string_equal(verdict_severity_name(SEVERITY_PROHIBIT), "prohibit");
    assert_string_equal(verdict_status_name(FINDING_NOT_APPLICABLE), "not_applicable");
    json_decref(d);
    policy_set_free(ps);
}

static void test_load_buffer(void **state)
{
    const char *text = "sluis_policy: 1\nid: mini\nversion: \"0.1\"\npublished: 2026-01-01\n"
                       "rules:\n"
                       "  - id: M-1\n"
                       "    title: {nl: Mens beslist, en: A person decides}\n"
                       "    message: {nl: Geen menselijke toets., en: No human review.}\n"
                       "    remedy: {nl: Toets., en: Review.}\n"
                       "    source: AVG art. 22\n"
                       "    requires: use.human_review\n"
                       "    severity: block\n";
    struct policy_set *ps = NULL;
    struct sluis_err err;
    json_t *d = json_pack("{s:{s:s,s:s,s:b}}", "use", "kind", "use", "environment", "pilot",
                          "human_review", 0);
    struct verdict v;

    (void)state;
    assert_int_equal(policy_set_load_buffer(&ps, text, strlen(text), "mini", &err), 0);
    assert_string_equal(policy_set_version(ps), "mini@0.1");
    assert_string_equal(policy_set_rule_id(ps, 0), "M-1");
    /* the source is a plain string: used for both languages */
    assert_int_equal(policy_evaluate(ps, d, "2026-02-01", &v, &err), 0);
    assert_int_equal(v.kind, VERDICT_NOT_ALLOWED);
    assert_string_equal(v.findings[0].source.en, "AVG art. 22");
    assert_string_equal(v.findings[0].catalogue_id, "M-1");
    verdict_free(&v);
    json_decref(d);
    policy_set_free(ps);
}

static void test_buffers_and_catalogue_json(void **state)
{
    struct policy_set *ps = load(POLICY, ORG), *pb = NULL;
    json_t *j = policy_set_to_json(ps), *r, *ro;
    FILE *f;
    char *bufs[2];
    size_t lens[2], i;
    const char *names[2] = {"standpunt", "org"}, *paths[2] = {POLICY, ORG};
    struct sluis_err err;
    int seen = 0;

    (void)state;
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "version")), policy_set_version(ps));
    assert_int_equal(json_array_size(json_object_get(j, "rules")), policy_set_rule_count(ps));
    json_array_foreach(json_object_get(j, "rules"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "id")), "SP-04a"))
            continue;
        seen = 1;
        assert_string_equal(json_string_value(json_object_get(r, "requires")),
                            "none models: terms == consumer");
        assert_string_equal(json_string_value(json_object_get(r, "severity")), "prohibit");
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(r, "schedule"), 0), "until")),
                            "2025-12-31");
        assert_int_equal(json_array_size(json_object_get(r, "environments")), 2);
        assert_string_equal(json_string_value(json_object_get(r, "origin")), "standpunt-2025");
    }
    assert_true(seen);
    json_array_foreach(json_object_get(j, "roles"), i, ro)
    {
        if (!strcmp(json_string_value(json_object_get(ro, "id")), "jurist"))
            assert_string_equal(json_string_value(json_object_get(ro, "advice_required_when")),
                                "use.kind != unavoidable");
    }
    json_decref(j);
    /* the same two files from memory give the same set */
    for (int k = 0; k < 2; k++) {
        f = fopen(paths[k], "rb");
        assert_non_null(f);
        bufs[k] = malloc(POLICY_MAX_FILE_BYTES);
        assert_non_null(bufs[k]);
        lens[k] = fread(bufs[k], 1, POLICY_MAX_FILE_BYTES, f);
        fclose(f);
    }
    assert_int_equal(policy_set_load_buffers(&pb, (const char *const *)bufs, lens, names, 2, &err),
                     0);
    assert_string_equal(policy_set_version(pb), policy_set_version(ps));
    assert_int_equal(policy_set_rule_count(pb), policy_set_rule_count(ps));
    policy_set_free(pb);
    /* the organisation file alone is not a base */
    assert_int_equal(
        policy_set_load_buffers(&pb, (const char *const *)bufs + 1, lens + 1, names + 1, 1, &err),
        SLUIS_EINVAL);
    assert_null(pb);
    free(bufs[0]);
    free(bufs[1]);
    policy_set_free(ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standpunt_loads),
        cmocka_unit_test(test_bad_policies),
        cmocka_unit_test(test_lint_reports_every_error),
        cmocka_unit_test(test_huge_inputs),
        cmocka_unit_test(test_org_merge),
        cmocka_unit_test(test_org_cannot_replace_base_rules),
        cmocka_unit_test(test_compliant_dossier_allowed),
        cmocka_unit_test(test_transition_period),
        cmocka_unit_test(test_prohibited),
        cmocka_unit_test(test_exploration_only),
        cmocka_unit_test(test_exploration_env_role),
        cmocka_unit_test(test_unavoidable_not_gated),
        cmocka_unit_test(test_roles_fail_closed),
        cmocka_unit_test(test_roles_many_advice),
        cmocka_unit_test(test_verdict_json),
        cmocka_unit_test(test_evaluate_errors),
        cmocka_unit_test(test_load_buffer),
        cmocka_unit_test(test_buffers_and_catalogue_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
