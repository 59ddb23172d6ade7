/*
 * test_derive_hash.c - the canonical material hash (standpunt 6): stable under key order and
 * input format, blind to non-material fields, changed by each material field, and equal to
 * SHA-256 over the documented canonical serialisation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include <dirent.h>

#include "core/derive_internal.h"
#include "test_derive_util.h"

static const char rich_yaml[] = "sluis_dossier: 1\n"
                                "id: samenvatter\n"
                                "name: Samenvatter\n"
                                "organisation: {name: Provincie Utrecht, layer: provincie}\n"
                                "owner: {name: Els}\n"
                                "purpose:\n"
                                "  description: Coördinatie van samenvattingen\n"
                                "  problem: Te veel stukken\n"
                                "use:\n"
                                "  kind: procure\n"
                                "  environment: pilot\n"
                                "  users: [internal]\n"
                                "  citizen_facing: false\n"
                                "  output_published: false\n"
                                "models:\n"
                                "  - {name: M, version: '1', provider: acme, terms: business}\n"
                                "agreements:\n"
                                "  - {provider: acme, retraining: prohibited, retention_days: 30}\n"
                                "data:\n"
                                "  personal_data: true\n"
                                "  categories: [naam]\n"
                                "  special_categories: [gezondheid]\n"
                                "  subjects: [employees]\n"
                                "review_date: 2026-06-01\n";

static json_t *rich(void)
{
    struct sluis_err err;
    json_t *d = NULL;
    if (dossier_load_buffer(rich_yaml, sizeof(rich_yaml) - 1, "rich", &d, &err) != 0)
        fail_msg("rich dossier: %s", err.msg);
    return d;
}

static void hash_of(const json_t *d, char out[65])
{
    assert_int_equal(dossier_material_hash(d, NULL, out), 0);
    assert_int_equal(strlen(out), 64);
    for (int i = 0; i < 64; i++)
        assert_true((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'));
}

/* Known answer: SHA-256("sluis-material/1\n" + canonical JSON), computed independently. */
static void test_known_answer(void **state)
{
    static const char canon[] =
        "{\"purpose\":{\"description\":\"Co\xc3\xb6rdinatie\"},\"use.environment\":\"pilot\"}";
    static const char prefix[] = "sluis-material/1\n";
    unsigned char md[32];
    char want[65], got[65];
    char buf[256];
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "purpose.description", json_string("Co\xc3\xb6rdinatie"));
    snprintf(buf, sizeof(buf), "%s%s", prefix, canon);
    SHA256((const unsigned char *)buf, strlen(buf), md);
    for (int i = 0; i < 32; i++)
        snprintf(want + 2 * i, 3, "%02x", md[i]);
    hash_of(d, got);
    assert_string_equal(got, want);
    json_decref(d);
}

/* Key order and input format (YAML/JSON) do not matter. */
static void test_key_order_and_format(void **state)
{
    char h1[65], h2[65], h3[65];
    struct sluis_err err;
    json_t *a = rich(), *b = json_object(), *c = NULL;
    const char *keys[32];
    size_t n = 0;
    const char *k;
    json_t *v;
    char *text;
    (void)state;
    json_object_foreach(a, k, v) keys[n++] = k;
    /* reversed top-level order, and reversed order inside purpose */
    for (size_t i = n; i-- > 0;) {
        json_t *val = json_object_get(a, keys[i]);
        if (strcmp(keys[i], "purpose") == 0) {
            json_t *p = json_object();
            json_object_set(p, "problem", json_object_get(val, "problem"));
            json_object_set(p, "description", json_object_get(val, "description"));
            json_object_set_new(b, keys[i], p);
        } else {
            json_object_set(b, keys[i], val);
        }
    }
    hash_of(a, h1);
    hash_of(b, h2);
    assert_string_equal(h1, h2);
    text = json_dumps(b, JSON_INDENT(3));
    assert_int_equal(dossier_load_buffer(text, strlen(text), "json", &c, &err), 0);
    hash_of(c, h3);
    assert_string_equal(h1, h3);
    free(text);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

/* Non-material fields: owner, review date, advice, decision (incl. its hash), assessments,
   ai_act answers, literacy, publication. */
static void test_non_material_changes_keep_hash(void **state)
{
    char h0[65], h[65];
    json_t *d = rich();
    (void)state;
    hash_of(d, h0);
    set_path(d, "owner.name", json_string("Anna"));
    set_path(d, "name", json_string("Andere naam"));
    set_path(d, "review_date", json_string("2027-01-01"));
    set_path(d, "decision.outcome", json_string("approved"));
    set_path(d, "decision.dossier_hash", json_string(h0));
    set_path(d, "advice", json_pack("[{s:s, s:s}]", "role", "ciso", "outcome", "positive"));
    set_path(d, "assessments", json_pack("[{s:s}]", "kind", "dpia"));
    set_path(d, "ai_act.role", json_string("deployer"));
    set_path(d, "literacy.programme", json_true());
    set_path(d, "publication.status", json_string("in_gebruik"));
    set_path(d, "use.ai_disclosure", json_true());
    set_path(d, "use.output_published", json_true());
    assert_int_equal(dossier_validate(d, NULL), 0);
    hash_of(d, h);
    assert_string_equal(h, h0);
    json_decref(d);
}

/* Each material field (standpunt 6) changes the hash. */
static void test_each_material_change_changes_hash(void **state)
{
    static const char *const paths[] = {
        "purpose.description",
        "purpose.problem",
        "models.0.name",
        "models.0.version",
        "models.0.provider",
        "models.0.terms",
        "data.personal_data",
        "data.categories",
        "data.special_categories",
        "use.environment",
        "use.users",
        "use.citizen_facing",
        "agreements.0.retraining",
        "agreements.0.retention_days",
    };
    char h0[65], h[65];
    json_t *base = rich();
    (void)state;
    hash_of(base, h0);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        json_t *d = json_deep_copy(base), *old = dossier_get_path(d, paths[i]), *nv;
        assert_non_null(old);
        if (json_is_string(old))
            nv = strcmp(paths[i], "use.environment") == 0           ? json_string("production")
                 : strcmp(paths[i], "models.0.terms") == 0          ? json_string("negotiated")
                 : strcmp(paths[i], "agreements.0.retraining") == 0 ? json_string("opt_out")
                 : strcmp(paths[i], "models.0.provider") == 0       ? json_string("other")
                                                                    : json_string("gewijzigd");
        else if (json_is_boolean(old))
            nv = json_boolean(!json_is_true(old));
        else if (json_is_integer(old))
            nv = json_integer(json_integer_value(old) + 1);
        else
            nv = strs("internal", "citizens", NULL);
        if (strcmp(paths[i], "data.categories") == 0 ||
            strcmp(paths[i], "data.special_categories") == 0) {
            json_decref(nv);
            nv = strs("naam", "adres", NULL);
        }
        set_path(d, paths[i], nv);
        if (dossier_validate(d, NULL) != 0)
            fail_msg("changed dossier invalid at %s", paths[i]);
        hash_of(d, h);
        if (strcmp(h, h0) == 0)
            fail_msg("hash unchanged after changing %s", paths[i]);
        json_decref(d);
    }
    /* adding a second model, or removing the agreement, is material too */
    {
        json_t *d = json_deep_copy(base);
        json_array_append_new(
            json_object_get(d, "models"),
            json_pack("{s:s,s:s,s:s}", "name", "N", "provider", "x", "terms", "business"));
        hash_of(d, h);
        assert_string_not_equal(h, h0);
        json_decref(d);
        d = json_deep_copy(base);
        json_object_del(d, "agreements");
        hash_of(d, h);
        assert_string_not_equal(h, h0);
        json_decref(d);
    }
    json_decref(base);
}

/* The material list comes from the parameters. */
static void test_material_list_from_params(void **state)
{
    struct derive_params p;
    char h1[65], h2[65];
    json_t *d = rich();
    (void)state;
    derive_params_default(&p);
    p.n_material = 1;
    snprintf(p.material[0], DERIVE_PATH_MAX, "%s", "review_date");
    assert_int_equal(dossier_material_hash(d, &p, h1), 0);
    set_path(d, "use.environment", json_string("production"));
    assert_int_equal(dossier_material_hash(d, &p, h2), 0);
    assert_string_equal(h1, h2);
    set_path(d, "review_date", json_string("2030-01-01"));
    assert_int_equal(dossier_material_hash(d, &p, h2), 0);
    assert_string_not_equal(h1, h2);
    p.n_material = DERIVE_MATERIAL_MAX + 1;
    assert_int_equal(dossier_material_hash(d, &p, h2), SLUIS_EINVAL);
    json_decref(d);
}

/* The streaming serialiser is byte-identical to jansson's JSON_COMPACT | JSON_SORT_KEYS. */
static void assert_canonical_like_jansson(const json_t *doc, const struct derive_params *p)
{
    json_t *canon = json_object();
    char *want, *got = NULL;
    size_t len = 0;
    for (int i = 0; i < p->n_material; i++) {
        json_t *v = dossier_get_path(doc, p->material[i]);
        if (v)
            json_object_set(canon, p->material[i], v);
    }
    want = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    assert_int_equal(derive_material_canonical(doc, p, &got, &len), 0);
    assert_int_equal(len, strlen(want));
    assert_string_equal(got, want);
    free(want);
    free(got);
    json_decref(canon);
}

static void test_canonical_equals_jansson(void **state)
{
    struct derive_params p;
    DIR *dir = opendir(SLUIS_TEST_EXAMPLES_DIR);
    struct dirent *de;
    json_t *odd = json_object(), *big = json_object();
    int n = 0;
    (void)state;
    derive_params_default(&p);
    assert_non_null(dir);
    while ((de = readdir(dir))) {
        char path[1024];
        struct sluis_err err;
        json_t *d = NULL;
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", SLUIS_TEST_EXAMPLES_DIR, de->d_name);
        assert_int_equal(dossier_load_file(path, &d, &err), 0);
        assert_canonical_like_jansson(d, &p);
        json_decref(d);
        n++;
    }
    closedir(dir);
    assert_true(n >= 12);
    /* escapes, non-ASCII, every JSON type, more keys than the sort stack */
    json_object_set_new(odd, "s", json_string("tab\t nl\n cr\r q\" bs\\ sl/ \x01\x1f\x7f é 😀"));
    json_object_set_new(odd, "i", json_integer(-9007199254740993LL));
    json_object_set_new(odd, "b", json_pack("[b, b, n, {}, []]", 1, 0));
    json_object_set_new(odd, "Z", json_string(""));
    json_object_set_new(odd, "a", json_pack("{s:{s:[s]}}", "y", "x", "z"));
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%03d", (i * 37) % 100);
        json_object_set_new(big, k, json_integer(i));
    }
    json_object_set_new(odd, "big", big);
    p.n_material = 3;
    snprintf(p.material[0], DERIVE_PATH_MAX, "%s", "odd");
    snprintf(p.material[1], DERIVE_PATH_MAX, "%s", "absent");
    snprintf(p.material[2], DERIVE_PATH_MAX, "%s", "also.absent");
    {
        json_t *doc = json_pack("{s:O}", "odd", odd);
        assert_canonical_like_jansson(doc, &p);
        json_decref(doc);
    }
    json_decref(odd);
    /* every character that needs an escape, at every offset of the 8-byte word scan, and
     * the bytes next to them that must not be escaped (0x20, 0x7f, UTF-8 lead bytes) */
    {
        static const char specials[] = {'"', '\\', '\n', '\t', 0x01, 0x1f, 0x20, 0x7f, '!', ']'};
        p.n_material = 1;
        snprintf(p.material[0], DERIVE_PATH_MAX, "%s", "s");
        for (size_t c = 0; c < sizeof(specials); c++) {
            for (int pos = 0; pos < 20; pos++) {
                char str[24];
                json_t *doc;
                memset(str, 'a', sizeof(str));
                memcpy(str + 20, "\xc3\xa9", 2); /* é after the positions tried */
                str[pos] = specials[c];
                str[sizeof(str) - 1] = '\0';
                doc = json_pack("{s:s}", "s", str);
                assert_non_null(doc);
                assert_canonical_like_jansson(doc, &p);
                json_decref(doc);
            }
        }
    }
}

/* A material path listed twice counts once (as in a JSON object). */
static void test_duplicate_material_path(void **state)
{
    struct derive_params p;
    char h1[65], h2[65];
    json_t *d = rich();
    (void)state;
    derive_params_default(&p);
    assert_int_equal(dossier_material_hash(d, &p, h1), 0);
    snprintf(p.material[p.n_material++], DERIVE_PATH_MAX, "%s", "models");
    assert_int_equal(dossier_material_hash(d, &p, h2), 0);
    assert_string_equal(h1, h2);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_key_order_and_format),
        cmocka_unit_test(test_non_material_changes_keep_hash),
        cmocka_unit_test(test_each_material_change_changes_hash),
        cmocka_unit_test(test_material_list_from_params),
        cmocka_unit_test(test_canonical_equals_jansson),
        cmocka_unit_test(test_duplicate_material_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
