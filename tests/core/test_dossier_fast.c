/*
 * test_dossier_fast.c - differential test of the loader's fast paths (dossier_fast.c) against
 * the libfyaml reference path: for each YAML variant below, appended to a minimal dossier,
 * either the fast path bails out, or it returns exactly the reference's object. The variants
 * marked fast=1 are common dossier forms that must take the fast path (the 50,000 dossiers/s
 * target depends on it).
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dossier.h"
#include "core/dossier_internal.h"

static const char head[] = "sluis_dossier: 1\n"
                           "id: verschil\n"
                           "name: Verschiltest\n"
                           "organisation:\n"
                           "  name: Gemeente Teststad\n"
                           "  layer: gemeente\n"
                           "owner:\n"
                           "  name: Jan\n"
                           "use:\n"
                           "  kind: use\n"
                           "  environment: pilot\n";

struct variant {
    const char *yaml; /* appended to head */
    int fast;         /* 1: must take the fast path */
};

static const struct variant variants[] = {
    /* comments and spacing */
    {"# commentaar\nexit_plan: stoppen   # met commentaar\n\n\n", 1},
    {"exit_plan: a#b\n", 1},
    {"exit_plan: a #b\n", 1},
    {"exit_plan:    veel spaties   \n", 1},
    {"  # ingesprongen commentaar\nkill_switch: true\n", 1},
    /* quoting */
    {"exit_plan: 'it''s'\n", 1},
    {"exit_plan: \"tekst # geen commentaar\"\n", 1},
    {"exit_plan: '# ook geen'   # wel commentaar\n", 1},
    {"exit_plan: \"met \\\"escape\\\"\"\n", 0},
    {"exit_plan: \"tab\\there\"\n", 0},
    {"exit_plan: \"\"\n", 0},
    {"exit_plan: 'true'\n", 1},
    {"exit_plan: \"12\"\n", 1},
    {"exit_plan: https://example.nl/a:b\n", 1},
    {"exit_plan: a: b\n", 0},
    {"exit_plan: eindigt:\n", 0},
    {"exit_plan: - a\n", 0},
    {"exit_plan: -a\n", 1},
    {"exit_plan: ?a\n", 1},
    {"exit_plan: [geen lijst]\n", 0},
    {"exit_plan: Chatbot [beta] {x}\n", 1},
    {"exit_plan: '  voorloopspaties'\n", 1},
    {"exit_plan: \"é ü ß — “quotes”\"\n", 1},
    {"exit_plan: 'unterminated\n", 0},
    {"exit_plan: \"over\n  twee regels\"\n", 0},
    {"exit_plan: plain\n  vervolg\n", 0},
    {"exit_plan: &a anker\n", 0},
    {"exit_plan: !!str tag\n", 0},
    {"exit_plan: *alias\n", 0},
    /* block scalars */
    {"exit_plan: |\n  regel 1\n  regel 2\n", 1},
    {"exit_plan: |-\n  regel 1\n  regel 2\n", 1},
    {"exit_plan: >\n  regel 1\n  regel 2\n", 1},
    {"exit_plan: >-\n  regel 1\n  regel 2\n\n  alinea 2\n\n\n  alinea 3\n", 1},
    {"exit_plan: |\n  a\n\n\n  b\n\n\nkill_switch: true\n", 1},
    {"exit_plan: |\n  a\n    ingesprongen\n  b\n", 1},
    {"exit_plan: >\n  a\n    ingesprongen\n  b\n", 0},
    {"exit_plan: |\n  # geen commentaar\n  tekst\n# wel commentaar\nkill_switch: false\n", 1},
    {"exit_plan: |+\n  a\n\n", 0},
    {"exit_plan: |2\n   a\n", 0},
    {"exit_plan: |\n  laatste regel zonder einde", 0},
    {"exit_plan: |\n  a   \n  b\n", 0},
    {"exit_plan: |\n\n  a\n", 0},
    {"exit_plan: |\n  a\n \n  b\n", 0},
    {"exit_plan: |\nkill_switch: true\n", 0},
    {"exit_plan: >\n    diep\n    ingesprongen\n", 1},
    {"purpose:\n  problem: >-\n    a\n    b\n  description: c\n", 1},
    /* sequences */
    {"data:\n  sources:\n    - a\n    - 'b'\n    - \"c\"\n", 1},
    {"data:\n  sources:\n  - a\n  - b\n  basisregistratie: true\n", 1},
    {"data:\n  sources: [a, 'b', \"c d\"]\n", 1},
    {"data:\n  sources: []\n", 1},
    {"data:\n  sources: [ a , b ]   # c\n", 1},
    {"data:\n  sources: [a, b,]\n", 0},
    {"data:\n  sources: [a, [b]]\n", 0},
    {"data:\n  sources: [a: b]\n", 0},
    {"data:\n  sources: [a\n    , b]\n", 0},
    {"data:\n  sources: [\"x,y\", 'p]q']\n", 1},
    {"data:\n  sources:\n    - a\n   - b\n", 0},
    {"data:\n  sources:\n    -\n      a\n", 0},
    {"data:\n  sources:\n    - - a\n", 0},
    {"data: {sources: [a]}\n", 0},
    {"models:\n  - name: A\n    provider: a\n    terms: business\n"
     "  - name: B\n    provider: b\n    terms: self_hosted\n    open_source: true\n",
     1},
    {"models:\n- name: A\n  provider: a\n  terms: business\n- name: B\n  provider: b\n"
     "  terms: consumer\n",
     1},
    {"models:\n  -   name: A\n      provider: a\n      terms: business\n", 1},
    {"models:\n  - name: A\n    provider: a\n     terms: business\n", 0},
    {"purpose:\n  alternatives:\n    - option: X\n      rejected_because: >-\n        lang\n"
     "        verhaal\n    - option: Y\n",
     1},
    {"purpose:\n  alternatives:\n    - option: |\n        X\n", 0},
    /* scalar types */
    {"data:\n  subject_count: 0x10\n  retention_years: 0o7\n", 1},
    {"data:\n  subject_count: +5\n", 1},
    {"data:\n  subject_count: 5.0\n", 0},
    {"data:\n  personal_data: TRUE\n  confidential: False\n", 1},
    {"data:\n  personal_data: yes\n", 0},
    {"review_date: 2025-02-28\n", 1},
    {"review_date: 2025-02-29\n", 0},
    {"kill_switch:\n", 0},
    {"kill_switch: ~\n", 0},
    /* structure */
    {"kill_switch: true\nkill_switch: false\n", 0},
    {"onbekend: x\n", 0},
    {"Kill_switch: true\n", 0},
    {"kill_switch : true\n", 0},
    {"kill_switch:true\n", 0},
    {"\"kill_switch\": true\n", 0},
    {"? kill_switch\n: true\n", 0},
    {"---\n", 0},
    {"...\n", 0},
    {"kill_switch: true\n...\n", 0},
    {"%YAML 1.2\n", 0},
    {"kill_switch: true\r\n", 0},
    {"kill_switch:\ttrue\n", 0},
    {"  kill_switch: true\n", 0},
    {"use:\n  users: [internal]\n", 0},
    {"data:\n  personal_data: true\n   confidential: true\n", 0},
    {"data:\n    personal_data: true\n    confidential: true\n", 1},
    {"decision: {by: x}\n", 0},
    {"kill_switch: true", 1},
};

static void check_variant(const char *yaml, int must_be_fast, size_t idx)
{
    char buf[4096];
    struct sluis_err err;
    json_t *fast = NULL, *ref = NULL, *pub = NULL;
    int frc, rrc, prc;
    size_t len;
    snprintf(buf, sizeof(buf), "%s%s", head, yaml);
    len = strlen(buf);
    frc = dossier_fast_yaml(buf, len, &fast);
    rrc = dossier_load_buffer_ref(buf, len, "variant", &ref, &err);
    prc = dossier_load_buffer(buf, len, "variant", &pub, &err);
    if (frc == DOSSIER_FAST_OK) {
        if (rrc != 0)
            fail_msg("variant %zu: fast path accepted what the reference rejects (%s): %s", idx,
                     err.msg, yaml);
        if (!json_equal(fast, ref)) {
            char *a = json_dumps(fast, JSON_COMPACT), *b = json_dumps(ref, JSON_COMPACT);
            print_error("fast: %s\nref:  %s\n", a, b);
            free(a);
            free(b);
            fail_msg("variant %zu: fast and reference differ: %s", idx, yaml);
        }
    } else {
        assert_null(fast);
        if (must_be_fast)
            fail_msg("variant %zu: expected the fast path: %s", idx, yaml);
    }
    /* the public entry point gives the reference's answer */
    assert_int_equal(prc, rrc);
    if (prc == 0)
        assert_true(json_equal(pub, ref));
    json_decref(fast);
    json_decref(ref);
    json_decref(pub);
}

static void test_variants(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
        check_variant(variants[i].yaml, variants[i].fast, i);
}

/* Every variant also as a prefix of a longer dossier, and with the head's order reversed. */
static void test_variants_in_context(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s%s", variants[i].yaml,
                 strchr(variants[i].yaml, '\n') ? "retention:\n  prompts_archived: true\n" : "");
        check_variant(buf, 0, i);
    }
}

/* JSON fast path: jansson + dossier_validate, same object as the reference. */
static void test_json_fast(void **state)
{
    static const char *const docs[] = {
        "{\"sluis_dossier\":1,\"id\":\"x\",\"name\":\"n\",\"organisation\":{\"name\":\"o\","
        "\"layer\":\"rijk\"},\"owner\":{},\"use\":{\"kind\":\"use\",\"environment\":\"pilot\","
        "\"users\":[\"internal\"]},\"exit_plan\":\"caf\\u00e9 \\/ \\ud83d\\ude00\"}",
        "  \n{\"sluis_dossier\":1,\"id\":\"x\",\"name\":\"n\",\"organisation\":{\"name\":\"o\","
        "\"layer\":\"rijk\"},\"owner\":{},\"use\":{\"kind\":\"use\",\"environment\":\"pilot\"},"
        "\"data\":{\"subject_count\":12}}\n",
        "{\"sluis_dossier\":1,\"id\":\"x\",\"id\":\"y\"}",
        "{\"sluis_dossier\":1.0}",
        "{\"sluis_dossier\":1} trailing",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        struct sluis_err err;
        json_t *fast = NULL, *ref = NULL;
        int frc = dossier_fast_json(docs[i], strlen(docs[i]), &fast);
        int rrc = dossier_load_buffer_ref(docs[i], strlen(docs[i]), "j", &ref, &err);
        if (i < 2) {
            assert_int_equal(frc, DOSSIER_FAST_OK);
            if (rrc != 0)
                fail_msg("json %zu: reference rejects: %s", i, err.msg);
            assert_true(json_equal(fast, ref));
        } else {
            assert_int_equal(frc, DOSSIER_FAST_BAIL);
            assert_int_not_equal(rrc, 0);
        }
        json_decref(fast);
        json_decref(ref);
    }
}

/* The 8-bytes-at-a-time byte check: every control character (but '\n') and DEL at every offset
 * of a word makes the fast path bail out; printable bytes and UTF-8 around them do not. */
static void test_byte_check_every_offset(void **state)
{
    (void)state;
    for (int pos = 0; pos < 16; pos++) {
        for (int c = 0; c < 0x80; c++) {
            char yaml[256], line[40];
            json_t *out = NULL;
            int rc;
            bool bad = (c > 0 && c < 0x20 && c != '\n') || c == 0x7f; /* NUL ends the C string */
            if (!bad && c != 'b')
                continue; /* other printable bytes may mean something in YAML */
            memset(line, 'a', sizeof(line));
            memcpy(line + 20, "\xc3\xa9", 2); /* é after the offsets tried */
            line[pos] = (char)c;
            line[30] = '\0';
            snprintf(yaml, sizeof(yaml), "%sexit_plan: %s\n", head, line);
            rc = dossier_fast_yaml(yaml, strlen(yaml), &out);
            if (bad) {
                assert_int_equal(rc, DOSSIER_FAST_BAIL);
                assert_null(out);
            } else {
                assert_int_equal(rc, DOSSIER_FAST_OK);
                assert_string_equal(json_string_value(json_object_get(out, "exit_plan")), line);
                json_decref(out);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_variants_in_context),
        cmocka_unit_test(test_json_fast),
        cmocka_unit_test(test_byte_check_every_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
