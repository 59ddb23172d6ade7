/*
 * test_rules.c - one data-driven test per rule of policy/standpunt-2025.yaml: every file
 * tests/core/rules/<rule-id>.yaml lists dossier variants (tests/core/rules/base.yaml plus
 * set/remove changes) with the expected status of that rule. The test also checks that every
 * rule of the real policy has cases for met, unmet and not applicable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/derive.h"
#include "core/dossier.h"
#include "core/policy.h"
#include "core/verdict.h"

#define RULES_DIR SLUIS_TEST_SOURCE_DIR "/rules"
#define POLICY SLUIS_SOURCE_DIR "/policy/standpunt-2025.yaml"
#define DEFAULT_DATE "2026-02-01"

static json_t *yaml_to_json(const char *path)
{
    struct fy_document *doc = fy_document_build_from_file(NULL, path);
    char *s;
    json_t *j;

    if (!doc)
        return NULL;
    s = fy_emit_document_to_string(doc, FYECF_MODE_JSON_ONELINE);
    fy_document_destroy(doc);
    if (!s)
        return NULL;
    j = json_loads(s, 0, NULL);
    free(s);
    return j;
}

/* Sets (value != NULL, reference stolen) or removes the dotted path; numeric segments index
 * lists, an index equal to the length appends. Returns 0 or -1 when the path does not fit. */
static int path_apply(json_t *root, const char *path, json_t *value)
{
    char buf[256], *seg, *save = NULL, *next;
    json_t *cur = root;

    snprintf(buf, sizeof buf, "%s", path);
    seg = strtok_r(buf, ".", &save);
    while (seg) {
        int last;
        char *end;
        long idx;
        next = strtok_r(NULL, ".", &save);
        last = next == NULL;
        idx = strtol(seg, &end, 10);
        if (*end == '\0' && json_is_array(cur)) {
            if (last) {
                if (!value)
                    return json_array_remove(cur, (size_t)idx);
                if ((size_t)idx == json_array_size(cur))
                    return json_array_append_new(cur, value);
                return json_array_set_new(cur, (size_t)idx, value);
            }
            cur = json_array_get(cur, (size_t)idx);
        } else if (json_is_object(cur)) {
            if (last) {
                if (!value)
                    return json_object_del(cur, seg);
                return json_object_set_new(cur, seg, value);
            }
            if (!json_object_get(cur, seg) && value)
                json_object_set_new(cur, seg, json_object());
            cur = json_object_get(cur, seg);
        } else {
            break;
        }
        seg = next;
    }
    json_decref(value);
    return -1;
}

static int set_hash(json_t *d, const struct policy_set *ps)
{
    char h[65];
    json_t *dec = json_object_get(d, "decision");

    if (!dec)
        return 0;
    if (dossier_material_hash(d, policy_set_derive_params(ps), h))
        return -1;
    return json_object_set_new(dec, "dossier_hash", json_string(h));
}

struct coverage {
    char rule[40];
    int seen[3];
};

static int run_file(const struct policy_set *ps, const json_t *base, const char *file,
                    struct coverage *cov, size_t *ncov)
{
    char path[512];
    json_t *doc, *cases, *c;
    const char *rule;
    size_t i;
    int failures = 0;
    struct coverage *me;

    snprintf(path, sizeof path, "%s/%s", RULES_DIR, file);
    doc = yaml_to_json(path);
    if (!doc) {
        fprintf(stderr, "%s: cannot read\n", file);
        return 1;
    }
    rule = json_string_value(json_object_get(doc, "rule"));
    cases = json_object_get(doc, "cases");
    if (!rule || !json_is_array(cases)) {
        fprintf(stderr, "%s: needs rule and cases\n", file);
        json_decref(doc);
        return 1;
    }
    me = &cov[(*ncov)++];
    snprintf(me->rule, sizeof me->rule, "%s", rule);
    json_array_foreach(cases, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *expect = json_string_value(json_object_get(c, "expect"));
        const char *env = json_string_value(json_object_get(c, "env"));
        const char *date = json_string_value(json_object_get(c, "date"));
        json_t *set = json_object_get(c, "set"), *rm = json_object_get(c, "remove"), *v;
        json_t *d = json_deep_copy(base);
        struct verdict vd;
        struct sluis_err err;
        const char *key;
        size_t k;
        const char *got = "(no finding)";

        memset(&vd, 0, sizeof vd);
        memset(&err, 0, sizeof err);
        assert_int_equal(set_hash(d, ps), 0);
        json_object_foreach(set, key, v)
        {
            if (path_apply(d, key, json_deep_copy(v))) {
                fprintf(stderr, "%s [%s]: cannot set %s\n", file, name, key);
                failures++;
            }
        }
        json_array_foreach(rm, k, v)
        {
            if (path_apply(d, json_string_value(v), NULL)) {
                fprintf(stderr, "%s [%s]: cannot remove %s\n", file, name, json_string_value(v));
                failures++;
            }
        }
        if (!json_is_true(json_object_get(c, "keep_hash")))
            assert_int_equal(set_hash(d, ps), 0);
        if (dossier_validate(d, &err)) {
            fprintf(stderr, "%s [%s]: variant is not a valid dossier: %s: %s\n", file, name,
                    err.path, err.msg);
            failures++;
            json_decref(d);
            continue;
        }
        if (!env)
            env = json_string_value(json_object_get(json_object_get(d, "use"), "environment"));
        if (policy_evaluate_env(ps, d, env, date ? date : DEFAULT_DATE, &vd, &err)) {
            fprintf(stderr, "%s [%s]: evaluation failed: %s\n", file, name, err.msg);
            failures++;
            json_decref(d);
            continue;
        }
        json_decref(d); /* the verdict must not borrow from the dossier */
        for (k = 0; k < vd.n_findings; k++)
            if (!strcmp(vd.findings[k].rule_id, rule)) {
                got = verdict_status_name(vd.findings[k].status);
                me->seen[vd.findings[k].status]++;
                /* texts are present and readable after the dossier is gone */
                assert_non_null(vd.findings[k].title.nl);
                assert_non_null(vd.findings[k].title.en);
            }
        if (!expect || strcmp(expect, got) != 0) {
            fprintf(stderr, "FAIL %s [%s] (env %s, %s): expected %s, got %s\n", rule,
                    name ? name : "?", env, date ? date : DEFAULT_DATE, expect ? expect : "?", got);
            failures++;
        }
        verdict_free(&vd);
    }
    json_decref(doc);
    return failures;
}

static void test_every_rule(void **state)
{
    struct policy_set *ps = NULL;
    struct sluis_err err;
    const char *paths[] = {POLICY};
    json_t *base = NULL;
    DIR *dir;
    struct dirent *de;
    struct coverage *cov = calloc(1024, sizeof *cov);
    size_t ncov = 0;
    int failures = 0;

    (void)state;
    assert_non_null(cov);
    assert_int_equal(policy_set_load(&ps, paths, 1, &err), 0);
    assert_int_equal(dossier_load_file(RULES_DIR "/base.yaml", &base, &err), 0);
    dir = opendir(RULES_DIR);
    assert_non_null(dir);
    while ((de = readdir(dir)) && ncov < 1024) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") || !strcmp(de->d_name, "base.yaml"))
            continue;
        failures += run_file(ps, base, de->d_name, cov, &ncov);
    }
    closedir(dir);
    /* every rule: a file with met, unmet and not_applicable cases */
    for (size_t i = 0; i < policy_set_rule_count(ps); i++) {
        const char *id = policy_set_rule_id(ps, i);
        size_t j;
        for (j = 0; j < ncov; j++)
            if (!strcmp(cov[j].rule, id))
                break;
        if (j == ncov) {
            fprintf(stderr, "FAIL rule %s has no tests/core/rules/%s.yaml\n", id, id);
            failures++;
            continue;
        }
        for (int s = 0; s < 3; s++)
            if (!cov[j].seen[s]) {
                fprintf(stderr, "FAIL rule %s: no case with status %s\n", id,
                        verdict_status_name((enum finding_status)s));
                failures++;
            }
    }
    fprintf(stderr, "%zu rule files, %zu rules in the policy\n", ncov, policy_set_rule_count(ps));
    free(cov);
    json_decref(base);
    policy_set_free(ps);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
