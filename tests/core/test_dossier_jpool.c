/*
 * test_dossier_jpool.c - the small-block pool behind the core's jansson trees (src/core/jpool.c):
 * blocks are handed out only inside the core's scopes, every one comes back on json_decref()
 * (also on another thread, also after that thread exited), values made outside a scope and
 * json_dumps() strings stay plain malloc(), and evaluation gives the same verdicts with the pool
 * on many threads at once as on one.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dossier.h"
#include "core/jpool.h"
#include "core/policy.h"
#include "core/verdict.h"

#define EXAMPLE SLUIS_TEST_EXAMPLES_DIR "/gemeente-chatbot-open-model.yaml"
#define POLICY SLUIS_TEST_SOURCE_DIR "/../../policy/standpunt-2025.yaml"

static json_t *load(void)
{
    struct sluis_err err;
    json_t *doc = NULL;

    assert_int_equal(dossier_load_file(EXAMPLE, &doc, &err), 0);
    assert_non_null(doc);
    return doc;
}

static void pooled_blocks_come_back(void **state)
{
    size_t a0, f0, a1, f1, a2, f2;
    int ranged;
    json_t *doc;

    (void)state;
    jpool_stats(&a0, &f0, &ranged);
    if (!ranged)
        skip(); /* SLUIS_JPOOL_OFF or no address space: plain malloc, nothing to check */
    doc = load();
    jpool_stats(&a1, &f1, &ranged);
    assert_true(a1 - a0 > 100); /* a dossier tree is a few hundred blocks */
    json_decref(doc);
    jpool_stats(&a2, &f2, &ranged);
    assert_int_equal(a2 - a0, f2 - f0); /* every block handed out came back */
}

static void outside_scope_is_malloc(void **state)
{
    size_t a0, f0, a1, f1;
    int ranged;
    json_t *o;
    char *s;

    (void)state;
    jpool_stats(&a0, &f0, &ranged);
    o = json_pack("{s:s, s:[i, i], s:{s:b}}", "naam", "buiten de pool", "l", 1, 2, "o", "x", 1);
    assert_non_null(o);
    s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(s);
    assert_string_equal(s, "{\"l\":[1,2],\"naam\":\"buiten de pool\",\"o\":{\"x\":true}}");
    free(s); /* as jansson documents: only valid because it is malloc'ed */
    json_decref(o);
    jpool_stats(&a1, &f1, &ranged);
    assert_int_equal(a1, a0);
    assert_int_equal(f1, f0);
}

static void *free_on_thread(void *arg)
{
    json_decref(arg);
    return NULL;
}

static void freed_on_another_thread(void **state)
{
    size_t a0, f0, a1, f1;
    int ranged;
    pthread_t t;

    (void)state;
    jpool_stats(&a0, &f0, &ranged);
    for (int round = 0; round < 3; round++) {
        json_t *doc = load();
        assert_int_equal(pthread_create(&t, NULL, free_on_thread, doc), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
    }
    /* the exited threads' blocks are in the shared lists: loading again reuses them */
    json_decref(load());
    jpool_stats(&a1, &f1, &ranged);
    assert_int_equal(a1 - a0, f1 - f0);
}

struct worker {
    const struct policy_set *ps;
    const char *buf;
    size_t len;
    int kinds[4];
    int failed;
};

static void *evaluate_many(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < 200; i++) {
        struct sluis_err err;
        struct verdict v;
        json_t *doc = NULL;
        if (dossier_load_buffer(w->buf, w->len, "x", &doc, &err) ||
            policy_evaluate(w->ps, doc, "2026-01-02", &v, &err)) {
            w->failed++;
            json_decref(doc);
            continue;
        }
        w->kinds[v.kind]++;
        json_decref(doc);
        verdict_free(&v);
    }
    return NULL;
}

static void threads_agree(void **state)
{
    const char *paths[] = {POLICY};
    struct policy_set *ps = NULL;
    struct sluis_err err;
    struct worker w[4];
    pthread_t t[4];
    FILE *f = fopen(EXAMPLE, "rb");
    char buf[65536];
    size_t len, a0, f0, a1, f1;
    int ranged;

    (void)state;
    assert_non_null(f);
    len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(policy_set_load(&ps, paths, 1, &err), 0);
    jpool_stats(&a0, &f0, &ranged);
    for (int i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ps = ps;
        w[i].buf = buf;
        w[i].len = len;
        assert_int_equal(pthread_create(&t[i], NULL, evaluate_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failed, 0);
        /* the municipal chatbot on a self-hosted open EU model is allowed in production */
        assert_int_equal(w[i].kinds[VERDICT_ALLOWED], 200);
    }
    jpool_stats(&a1, &f1, &ranged);
    assert_int_equal(a1 - a0, f1 - f0);
    policy_set_free(ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pooled_blocks_come_back),
        cmocka_unit_test(outside_scope_is_malloc),
        cmocka_unit_test(freed_on_another_thread),
        cmocka_unit_test(threads_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
