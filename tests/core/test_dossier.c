/*
 * test_dossier.c - the dossier loader and validator on good input: a dossier with every field of
 * the schema table (generated from the table itself) loads from JSON and from YAML and
 * validates; every field given a value of the wrong type is rejected by the loader (with
 * line:column) and by dossier_validate() (with the same path); every examples/<name>.yaml loads,
 * the fast paths agree with the reference path on each; caps, I/O errors and path lookup.
 */
#include <dirent.h>
#include <libfyaml.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dossier.h"
#include "core/dossier_internal.h"
#include "core/dossier_schema.h"

/* A valid value for every field type; objects get every child, lists two items. */
static json_t *sample(const struct dschema_field *f)
{
    switch (f->type) {
    case DST_OBJECT: {
        json_t *o = json_object();
        for (const struct dschema_field *c = f->children; c->name; c++)
            json_object_set_new(o, c->name, sample(c));
        return o;
    }
    case DST_LIST: {
        json_t *a = json_array();
        json_array_append_new(a, sample(f->item));
        json_array_append_new(a, sample(f->item));
        return a;
    }
    case DST_STR:
        return json_string(f->max_len == 2 ? "NL" : "Tekst met é en \"aanhalingstekens\" #1");
    case DST_TEXT:
        return json_string("Regel één: met dubbele punt.\nRegel twee # geen commentaar\n");
    case DST_SLUG:
        return json_string("abc-123");
    case DST_IDENT:
        return json_string("cio_office");
    case DST_EMAIL:
        return json_string("fg@gemeente.example.nl");
    case DST_URL:
        return json_string("https://example.nl/pad?x=1");
    case DST_BOOL:
        return json_true();
    case DST_INT:
        return json_integer((json_int_t)f->max);
    case DST_DATE:
        return json_string("2024-02-29");
    case DST_MONTH:
        return json_string("2025-12");
    case DST_NUMSTR:
        return json_string("3.5e24");
    case DST_ENUM: {
        const char *const *e = f->enums;
        while (e[1])
            e++;
        return json_string(*e);
    }
    }
    return json_null();
}

/* A value of the wrong type for f. */
static json_t *wrong(const struct dschema_field *f)
{
    switch (f->type) {
    case DST_OBJECT:
        return json_pack("[s]", "x");
    case DST_LIST:
        return json_string("x");
    case DST_BOOL:
        return json_string("ja");
    case DST_INT:
        return json_string("5");
    case DST_ENUM:
        return json_string("bestaat_niet");
    default:
        return json_integer(5);
    }
}

static json_t *full_dossier(void)
{
    return sample(dossier_schema_root());
}

static char *to_yaml(const json_t *doc)
{
    char *json = json_dumps(doc, JSON_INDENT(2)), *yaml;
    struct fy_document *fyd = fy_document_build_from_string(NULL, json, FY_NT);
    assert_non_null(fyd);
    yaml = fy_emit_document_to_string(fyd, FYECF_MODE_BLOCK | FYECF_WIDTH_INF);
    assert_non_null(yaml);
    fy_document_destroy(fyd);
    free(json);
    return yaml;
}

static json_t *load_ok(const char *text, size_t len)
{
    struct sluis_err err;
    json_t *d = NULL, *r = NULL;
    int rc = dossier_load_buffer(text, len, "test", &d, &err);
    if (rc != 0)
        fail_msg("load failed: %d:%d %s %s", err.line, err.column, err.path, err.msg);
    /* the reference path gives the same object */
    assert_int_equal(dossier_load_buffer_ref(text, len, "test", &r, &err), 0);
    assert_true(json_equal(d, r));
    json_decref(r);
    return d;
}

static void test_every_field_json_and_yaml(void **state)
{
    json_t *doc = full_dossier(), *a, *b;
    char *json = json_dumps(doc, JSON_INDENT(2)), *yaml = to_yaml(doc);
    (void)state;
    assert_int_equal(dossier_validate(doc, NULL), 0);
    a = load_ok(json, strlen(json));
    assert_true(json_equal(a, doc));
    b = load_ok(yaml, strlen(yaml));
    assert_true(json_equal(b, doc));
    json_decref(a);
    json_decref(b);
    free(json);
    free(yaml);
    json_decref(doc);
}

/* Walks every field; replaces it with a wrong-typed value and checks both entry points. */
static void check_wrong_types(json_t *root, json_t *parent, const struct dschema_field *f,
                              const char *path, int *count)
{
    char sub[256];
    for (const struct dschema_field *c = f->children; c->name; c++) {
        struct sluis_err err;
        json_t *saved = json_incref(json_object_get(parent, c->name)), *d = NULL;
        char *text;
        int rc;
        snprintf(sub, sizeof(sub), "%s/%s", path, c->name);
        json_object_set_new(parent, c->name, wrong(c));
        rc = dossier_validate(root, &err);
        if (rc != SLUIS_EINVAL || strcmp(err.path, sub) != 0)
            fail_msg("validate %s: rc %d path %s", sub, rc, err.path);
        assert_int_equal(err.line, 0);
        text = json_dumps(root, JSON_INDENT(2));
        rc = dossier_load_buffer(text, strlen(text), "wrong.json", &d, &err);
        if (rc != SLUIS_EINVAL || strcmp(err.path, sub) != 0 || err.line < 1 || err.column < 1)
            fail_msg("load %s: rc %d path %s at %d:%d", sub, rc, err.path, err.line, err.column);
        assert_null(d);
        free(text);
        json_object_set_new(parent, c->name, saved);
        (*count)++;
        if (c->type == DST_OBJECT)
            check_wrong_types(root, json_object_get(parent, c->name), c, sub, count);
        else if (c->type == DST_LIST && c->item->type == DST_OBJECT) {
            snprintf(sub, sizeof(sub), "%s/%s/0", path, c->name);
            check_wrong_types(root, json_array_get(json_object_get(parent, c->name), 0), c->item,
                              sub, count);
        }
    }
}

static int count_fields(const struct dschema_field *f)
{
    int n = 0;
    for (const struct dschema_field *c = f->children; c->name; c++) {
        n++;
        if (c->type == DST_OBJECT)
            n += count_fields(c);
        else if (c->type == DST_LIST && c->item->type == DST_OBJECT)
            n += count_fields(c->item);
    }
    return n;
}

static void test_every_field_wrong_type(void **state)
{
    json_t *doc = full_dossier();
    int count = 0;
    (void)state;
    check_wrong_types(doc, doc, dossier_schema_root(), "", &count);
    assert_int_equal(count, count_fields(dossier_schema_root()));
    assert_true(count > 100);
    assert_int_equal(dossier_validate(doc, NULL), 0); /* restored */
    json_decref(doc);
}

/* Unknown keys at every object level, and missing required fields. */
static void test_unknown_and_missing(void **state)
{
    struct sluis_err err;
    json_t *doc = full_dossier();
    (void)state;
    json_object_set_new(json_object_get(doc, "use"), "enviroment", json_string("pilot"));
    assert_int_equal(dossier_validate(doc, &err), SLUIS_EINVAL);
    assert_string_equal(err.path, "/use/enviroment");
    assert_non_null(strstr(err.msg, "unknown key 'enviroment' (onbekend veld); allowed: kind, "
                                    "environment"));
    json_object_del(json_object_get(doc, "use"), "enviroment");
    json_object_del(json_array_get(json_object_get(doc, "models"), 1), "terms");
    assert_int_equal(dossier_validate(doc, &err), SLUIS_EINVAL);
    assert_string_equal(err.path, "/models/1/terms");
    assert_non_null(strstr(err.msg, "missing required field 'terms'"));
    json_decref(doc);
    doc = json_array();
    assert_int_equal(dossier_validate(doc, &err), SLUIS_EINVAL);
    json_decref(doc);
    assert_int_equal(dossier_validate(NULL, &err), SLUIS_EINVAL);
}

static void test_limits(void **state)
{
    struct sluis_err err;
    json_t *doc = full_dossier(), *users = json_array(), *d = (json_t *)1;
    char *big;
    size_t n = DOSSIER_MAX_FILE + 1;
    (void)state;
    for (int i = 0; i < DOSSIER_MAX_LIST + 1; i++)
        json_array_append_new(users, json_string("internal"));
    json_object_set_new(json_object_get(doc, "use"), "users", users);
    assert_int_equal(dossier_validate(doc, &err), SLUIS_ETOOBIG);
    assert_string_equal(err.path, "/use/users/256");
    json_array_remove(users, 0);
    assert_int_equal(dossier_validate(doc, &err), 0);
    json_object_set_new(doc, "exit_plan", json_string(""));
    assert_int_equal(dossier_validate(doc, &err), SLUIS_EINVAL);
    assert_non_null(strstr(err.msg, "empty value"));
    big = malloc(DOSSIER_MAX_TEXT + 2);
    memset(big, 'x', DOSSIER_MAX_TEXT + 1);
    big[DOSSIER_MAX_TEXT + 1] = '\0';
    json_object_set_new(doc, "exit_plan", json_string(big));
    assert_int_equal(dossier_validate(doc, &err), SLUIS_ETOOBIG);
    big[DOSSIER_MAX_TEXT] = '\0';
    json_object_set_new(doc, "exit_plan", json_string(big));
    assert_int_equal(dossier_validate(doc, &err), 0);
    free(big);
    json_decref(doc);
    /* file cap: 1 MiB + 1 bytes of comment */
    big = malloc(n);
    memset(big, '#', n);
    assert_int_equal(dossier_load_buffer(big, n, "big.yaml", &d, &err), SLUIS_ETOOBIG);
    assert_null(d);
    assert_non_null(strstr(err.msg, "too large"));
    free(big);
}

static void test_file_errors(void **state)
{
    struct sluis_err err;
    json_t *d = (json_t *)1;
    char tmpl[] = "/tmp/sluis-dossier-XXXXXX";
    int fd;
    FILE *fp;
    (void)state;
    assert_int_equal(dossier_load_file("/nonexistent/dossier.yaml", &d, &err), SLUIS_EIO);
    assert_null(d);
    assert_string_equal(err.file, "/nonexistent/dossier.yaml");
    assert_int_equal(dossier_load_file("/", &d, &err), SLUIS_EIO);
    /* a file just over the cap */
    fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    for (size_t i = 0; i < DOSSIER_MAX_FILE + 1; i++)
        fputc('#', fp);
    fclose(fp);
    assert_int_equal(dossier_load_file(tmpl, &d, &err), SLUIS_ETOOBIG);
    remove(tmpl);
}

static void test_get_path(void **state)
{
    json_t *doc = full_dossier();
    (void)state;
    assert_string_equal(json_string_value(dossier_get_path(doc, "use.environment")), "production");
    assert_string_equal(json_string_value(dossier_get_path(doc, "/use/environment")), "production");
    assert_string_equal(json_string_value(dossier_get_path(doc, "models.1.terms")), "self_hosted");
    assert_non_null(dossier_get_path(doc, "models"));
    assert_null(dossier_get_path(doc, "models.2"));
    assert_null(dossier_get_path(doc, "models.x"));
    assert_null(dossier_get_path(doc, "use.environment.deeper"));
    assert_null(dossier_get_path(doc, "use..environment"));
    assert_null(dossier_get_path(doc, "nope"));
    assert_null(dossier_get_path(NULL, "use"));
    json_decref(doc);
}

/* YAML scalars: the YAML 1.2 core schema decides the type of plain scalars. */
static void test_yaml_scalar_types(void **state)
{
    static const char base[] = "sluis_dossier: 1\nid: x\nname: n\n"
                               "organisation: {name: o, layer: rijk}\nowner: {}\n"
                               "use: {kind: use, environment: pilot}\n";
    static const struct {
        const char *line;
        int ok;
    } cases[] = {
        {"data: {subject_count: 0x10}\n", 1},
        {"data: {subject_count: 0o17}\n", 1},
        {"data: {subject_count: +12}\n", 1},
        {"data: {subject_count: 1.0}\n", 0},
        {"data: {subject_count: '12'}\n", 0},
        {"data: {personal_data: True}\n", 1},
        {"data: {personal_data: yes}\n", 0},
        {"data: {personal_data: \"true\"}\n", 0},
        {"review_date: '2025-01-31'\n", 1},
        {"exit_plan: \"true\"\n", 1},
        {"exit_plan: 12\n", 0},
        {"exit_plan: ~\n", 0},
        {"exit_plan: .inf\n", 0},
        {"exit_plan: 1e3x\n", 1},
        {"kill_switch: null\n", 0},
        {"models: []\n", 1},
        {"exit_plan: |\n  a\n\n  b\n", 1},
        {"exit_plan: >-\n  a\n  b\n", 1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[512];
        struct sluis_err err;
        json_t *d = NULL;
        int rc;
        snprintf(buf, sizeof(buf), "%s%s", base, cases[i].line);
        rc = dossier_load_buffer(buf, strlen(buf), "t", &d, &err);
        if ((rc == 0) != cases[i].ok)
            fail_msg("case %zu (%s): rc %d %s", i, cases[i].line, rc, err.msg);
        if (rc == 0 && strstr(cases[i].line, "0x10"))
            assert_int_equal(json_integer_value(dossier_get_path(d, "data.subject_count")), 16);
        if (rc == 0 && strstr(cases[i].line, "0o17"))
            assert_int_equal(json_integer_value(dossier_get_path(d, "data.subject_count")), 15);
        if (rc == 0 && strstr(cases[i].line, "|\n"))
            assert_string_equal(json_string_value(dossier_get_path(d, "exit_plan")), "a\n\nb\n");
        if (rc == 0 && strstr(cases[i].line, ">-"))
            assert_string_equal(json_string_value(dossier_get_path(d, "exit_plan")), "a b");
        json_decref(d);
    }
}

/* libfyaml's own text of the value of key "exit_plan" in yaml (few escapes: no libfyaml leak). */
static char *libfyaml_value(const char *yaml)
{
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
    struct fy_parser *p = fy_parser_create(&cfg);
    struct fy_event *e;
    char *out = NULL;
    int next = 0;
    fy_parser_set_string(p, yaml, strlen(yaml));
    while ((e = fy_parser_parse(p))) {
        if (e->type == FYET_SCALAR) {
            size_t l;
            const char *t = fy_token_get_text(e->scalar.value, &l);
            if (next && !out)
                out = strndup(t, l);
            next = l == 9 && memcmp(t, "exit_plan", 9) == 0;
        }
        fy_parser_event_free(p, e);
    }
    fy_parser_destroy(p);
    return out;
}

/* The reference path decodes single-quoted scalars itself (libfyaml 0.7.12 leaks memory on
   several '' escapes); it must give libfyaml's text, including line folding. */
static void test_single_quoted_matches_libfyaml(void **state)
{
    static const char *const values[] = {
        "'eenvoudig'",
        "'it''s'",
        "'a''b''c'",
        "''",
        "'  spaties  '",
        "'regel een\n  regel twee'",
        "'regel een   \n   regel twee  '",
        "'alinea een\n\n  alinea twee'",
        "'a\n\n\n  b'",
        "'a\n   \n  b'",
        "'\n  begint met regeleinde'",
        "'eindigt met regeleinde\n  '",
        "'tab\there'",
        "'met ''quote''\n  op twee regels'",
        "'# geen commentaar'",
        "'é ü — “quotes”'",
    };
    static const char base[] = "sluis_dossier: 1\nid: x\nname: n\n"
                               "organisation: {name: o, layer: rijk}\nowner: {}\n"
                               "use: {kind: use, environment: pilot}\nexit_plan: ";
    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char buf[512], *want;
        struct sluis_err err;
        json_t *d = NULL;
        snprintf(buf, sizeof(buf), "%s%s\n", base, values[i]);
        want = libfyaml_value(buf);
        assert_non_null(want);
        if (dossier_load_buffer_ref(buf, strlen(buf), "sq", &d, &err) != 0) {
            /* only an empty value may be refused */
            assert_string_equal(want, "");
            free(want);
            continue;
        }
        if (strcmp(json_string_value(dossier_get_path(d, "exit_plan")), want) != 0)
            fail_msg("case %zu: got [%s] want [%s]", i,
                     json_string_value(dossier_get_path(d, "exit_plan")), want);
        free(want);
        json_decref(d);
    }
}

/* Many '' escapes, as key and as value: no leak (run under LSan), right text. */
static void test_single_quoted_many_escapes(void **state)
{
    static const char yaml[] = "sluis_dossier: 1\nid: x\nname: 'a''''b''''c''''d''''e''''f'\n"
                               "'organisation': {name: o, layer: rijk}\nowner: {}\n"
                               "use: {kind: use, environment: pilot}\n'exit_plan': ''''''''''''\n";
    struct sluis_err err;
    json_t *d = NULL;
    (void)state;
    if (dossier_load_buffer_ref(yaml, strlen(yaml), "sq", &d, &err) != 0)
        fail_msg("%d:%d %s", err.line, err.column, err.msg);
    assert_string_equal(json_string_value(dossier_get_path(d, "name")), "a''b''c''d''e''f");
    assert_string_equal(json_string_value(dossier_get_path(d, "exit_plan")), "'''''");
    json_decref(d);
}

/* Every examples/<name>.yaml loads, validates, and takes the fast path with the reference's result.
 */
static void test_examples_load(void **state)
{
    DIR *dir = opendir(SLUIS_TEST_EXAMPLES_DIR);
    struct dirent *de;
    int n = 0;
    (void)state;
    assert_non_null(dir);
    while ((de = readdir(dir))) {
        size_t l = strlen(de->d_name);
        char path[1024], *buf;
        struct sluis_err err;
        json_t *d = NULL, *r = NULL, *f = NULL;
        FILE *fp;
        size_t len;
        if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", SLUIS_TEST_EXAMPLES_DIR, de->d_name);
        if (dossier_load_file(path, &d, &err) != 0)
            fail_msg("%s:%d:%d: %s: %s", path, err.line, err.column, err.path, err.msg);
        assert_int_equal(dossier_validate(d, NULL), 0);
        fp = fopen(path, "rb");
        buf = malloc(DOSSIER_MAX_FILE);
        len = fread(buf, 1, DOSSIER_MAX_FILE, fp);
        fclose(fp);
        assert_int_equal(dossier_load_buffer_ref(buf, len, path, &r, &err), 0);
        if (dossier_fast_yaml(buf, len, &f) != DOSSIER_FAST_OK)
            fail_msg("%s does not take the fast YAML path", path);
        assert_true(json_equal(d, r));
        assert_true(json_equal(d, f));
        free(buf);
        json_decref(d);
        json_decref(r);
        json_decref(f);
        n++;
    }
    closedir(dir);
    assert_true(n >= 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field_json_and_yaml),
        cmocka_unit_test(test_every_field_wrong_type),
        cmocka_unit_test(test_unknown_and_missing),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_get_path),
        cmocka_unit_test(test_yaml_scalar_types),
        cmocka_unit_test(test_examples_load),
        cmocka_unit_test(test_single_quoted_matches_libfyaml),
        cmocka_unit_test(test_single_quoted_many_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
