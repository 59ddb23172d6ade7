/*
 * test_cond.c - the condition language: parsing, precedence, quantifiers, three-valued
 * evaluation of absent fields, dates, and compile errors with their offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/cond.h"
#include "core/cond_schema.h"
#include "core/dossier_schema.h"

static const char *const dossier_text =
    "{\"use\": {\"kind\": \"procure\", \"environment\": \"production\", \"citizen_facing\": true,"
    "  \"output_published\": false, \"users\": [\"internal\", \"citizens\"],"
    "  \"exploration_end\": \"2026-03-01\"},"
    " \"models\": [{\"name\": \"a\", \"provider\": \"p\", \"terms\": \"business\", "
    "\"open_source\": "
    "false},"
    "            {\"name\": \"b\", \"provider\": \"q\", \"terms\": \"self_hosted\"}],"
    " \"agreements\": [],"
    " \"purpose\": {\"description\": \"x\", \"problem\": \"\"},"
    " \"oversight\": {\"log_retention_days\": 180},"
    " \"data\": {\"classification\": \"none\"},"
    " \"review_date\": \"2026-06-30\"}";

static const char *const derived_text =
    "{\"procured\": true, \"prescan\": {\"dpia\": \"required\", \"score\": 5},"
    " \"roles\": {\"required\": [\"fg\"], \"missing\": []}}";

struct eval_case {
    const char *expr;
    enum cond_tri want;
};

static const struct eval_case eval_cases[] = {
    /* literals, bool fields, comparisons */
    {"true", COND_TRUE},
    {"false", COND_FALSE},
    {"use.citizen_facing", COND_TRUE},
    {"use.output_published", COND_FALSE},
    {"use.environment == production", COND_TRUE},
    {"use.environment != production", COND_FALSE},
    {"use.environment in [pilot, production]", COND_TRUE},
    {"use.environment not in [pilot, production]", COND_FALSE},
    {"use.kind == 'procure'", COND_TRUE},
    {"oversight.log_retention_days >= 180", COND_TRUE},
    {"oversight.log_retention_days > 180", COND_FALSE},
    {"oversight.log_retention_days in [90, 180]", COND_TRUE},
    {"use.citizen_facing == false", COND_FALSE},
    {"data.classification == none", COND_TRUE}, /* "none" is a value here, not the keyword */
    /* precedence: not > and > or */
    {"false and false or true", COND_TRUE},
    {"true or true and false", COND_TRUE},
    {"(true or true) and false", COND_FALSE},
    {"not false and false", COND_FALSE},
    {"not (false and false)", COND_TRUE},
    {"not not use.citizen_facing", COND_TRUE},
    /* quantifiers: the body runs to the end unless parenthesised */
    {"any models: terms == self_hosted", COND_TRUE},
    {"all models: terms == self_hosted", COND_FALSE},
    {"none models: terms == consumer", COND_TRUE},
    {"all agreements: retraining == allowed", COND_TRUE}, /* empty list */
    {"any agreements: retraining == allowed", COND_FALSE},
    {"(any models: terms == consumer) or true", COND_TRUE},
    {"any models: terms == consumer or use.citizen_facing", COND_TRUE},
    {"any models: terms == business and open_source == false", COND_TRUE},
    {"any models: open_source", COND_UNKNOWN}, /* a: false, b: absent -> unknown */
    /* absent fields are unknown (Kleene logic) */
    {"use.human_review", COND_UNKNOWN},
    {"not use.human_review", COND_UNKNOWN},
    {"use.human_review or true", COND_TRUE},
    {"use.human_review and false", COND_FALSE},
    {"use.human_review and true", COND_UNKNOWN},
    {"data.personal_data == true", COND_UNKNOWN},
    {"data.personal_data != true", COND_UNKNOWN},
    {"organisation.layer in [rijk, gemeente]", COND_UNKNOWN},
    {"all models: open_source == false", COND_UNKNOWN},
    {"any assessments: kind == dpia", COND_UNKNOWN}, /* absent list */
    /* presence and count never are unknown */
    {"present(purpose.description)", COND_TRUE},
    {"present(purpose.problem)", COND_FALSE}, /* empty text is not present */
    {"present(purpose.lawful_basis)", COND_FALSE},
    {"absent(purpose.lawful_basis)", COND_TRUE},
    {"present(use.output_published)", COND_TRUE}, /* false is a value */
    {"count(models) == 2", COND_TRUE},
    {"count(assessments) == 0", COND_TRUE},
    {"count(use.users) >= 2", COND_TRUE},
    {"use.users contains citizens", COND_TRUE},
    {"use.users contains minors", COND_FALSE},
    {"data.subjects contains children", COND_UNKNOWN},
    /* dates against the evaluation date (2026-02-01) */
    {"review_date >= today", COND_TRUE},
    {"review_date <= today + 30", COND_FALSE},
    {"review_date <= today + 149", COND_TRUE},
    {"use.exploration_end > today - 1", COND_TRUE},
    {"use.exploration_end == 2026-03-01", COND_TRUE},
    {"today >= 2026-01-01", COND_TRUE},
    {"today <= 2025-12-31", COND_FALSE},
    {"decision.date >= 2025-01-01", COND_UNKNOWN},
    /* env and derived facts */
    {"env == pilot", COND_TRUE},
    {"use.environment == env", COND_FALSE},
    {"derived.prescan.dpia == required", COND_TRUE},
    {"derived.prescan.score > 4", COND_TRUE},
    {"derived.procured", COND_TRUE},
    {"count(derived.roles.missing) == 0", COND_TRUE},
    {"derived.roles.required contains fg", COND_TRUE},
    {"derived.ai_act.high_risk", COND_UNKNOWN},
};

static void test_eval_table(void **state)
{
    json_t *d = json_loads(dossier_text, 0, NULL), *der = json_loads(derived_text, 0, NULL);
    struct cond_env env = {.dossier = d, .derived = der, .env = "pilot", .today = "2026-02-01"};
    int failures = 0;

    (void)state;
    assert_non_null(d);
    assert_non_null(der);
    for (size_t i = 0; i < sizeof eval_cases / sizeof eval_cases[0]; i++) {
        struct cond *c = NULL;
        struct cond_error e;
        const struct eval_case *tc = &eval_cases[i];
        enum cond_tri got;
        if (cond_compile(tc->expr, strlen(tc->expr), 0, &c, &e) != 0) {
            fprintf(stderr, "FAIL compile '%s': %zu: %s\n", tc->expr, e.offset, e.msg);
            failures++;
            continue;
        }
        got = cond_eval(c, &env);
        {
            /* with memo slots and a cache (twice: cold and warm) the answer is the same */
            struct cond_slots slots = {0};
            struct cond_cache cache;
            struct cond_env cenv = env;
            assert_int_equal(cond_slots_assign(c, &slots), 0);
            cond_cache_reset(&cache);
            cenv.cache = &cache;
            if (cond_eval(c, &cenv) != got || cond_eval(c, &cenv) != got) {
                fprintf(stderr, "FAIL '%s': cached evaluation differs\n", tc->expr);
                failures++;
            }
            cond_slots_free(&slots);
        }
        if (got != tc->want) {
            fprintf(stderr, "FAIL '%s': want %d got %d\n", tc->expr, tc->want, got);
            failures++;
        }
        assert_string_equal(cond_source(c), tc->expr);
        cond_free(c);
    }
    json_decref(d);
    json_decref(der);
    assert_int_equal(failures, 0);
}

/* Equal comparisons of a memoised field share one result per evaluation (cond_slots_assign);
 * the memo is forgotten on cond_cache_reset() and never used for element fields or today. */
static void test_cmp_memo_shared(void **state)
{
    static const char *const exprs[] = {
        "use.kind != unavoidable",
        "use.kind != unavoidable and use.citizen_facing",
        "any models: terms == business",
        "use.exploration_end >= today",
    };
    json_t *a = json_loads(dossier_text, 0, NULL);
    json_t *b = json_loads("{\"use\": {\"kind\": \"unavoidable\", \"citizen_facing\": true,"
                           " \"exploration_end\": \"2026-01-15\"},"
                           " \"models\": [{\"name\": \"c\", \"terms\": \"consumer\"}]}",
                           0, NULL);
    struct cond *c[4] = {NULL};
    struct cond_slots slots = {0};
    struct cond_cache cache;
    struct cond_env env = {.dossier = a, .env = "pilot", .today = "2026-02-01", .cache = &cache};
    struct cond_error e;

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(cond_compile(exprs[i], strlen(exprs[i]), 0, &c[i], &e), 0);
        assert_int_equal(cond_slots_assign(c[i], &slots), 0);
    }
    /* the first two share "use.kind != unavoidable"; the others get no comparison memo */
    assert_int_equal(slots.n_cmp, 1);

    cond_cache_reset(&cache);
    assert_int_equal(cond_eval(c[0], &env), COND_TRUE);
    assert_int_equal(cond_eval(c[1], &env), COND_TRUE);
    assert_int_equal(cond_eval(c[2], &env), COND_TRUE);
    assert_int_equal(cond_eval(c[3], &env), COND_TRUE); /* 2026-03-01 >= 2026-02-01 */

    /* another dossier after a reset: nothing of the first one is remembered */
    env.dossier = b;
    cond_cache_reset(&cache);
    assert_int_equal(cond_eval(c[1], &env), COND_FALSE);
    assert_int_equal(cond_eval(c[0], &env), COND_FALSE);
    assert_int_equal(cond_eval(c[2], &env), COND_FALSE);
    assert_int_equal(cond_eval(c[3], &env), COND_FALSE); /* 2026-01-15 < 2026-02-01 */

    for (int i = 0; i < 4; i++)
        cond_free(c[i]);
    cond_slots_free(&slots);
    json_decref(a);
    json_decref(b);
}

static void test_derived_missing_is_unknown(void **state)
{
    struct cond *c = NULL;
    struct cond_error e;
    json_t *d = json_object();
    struct cond_env env = {.dossier = d, .env = "production", .today = "2026-02-01"};
    const char *x = "derived.procured";

    (void)state;
    assert_int_equal(cond_compile(x, strlen(x), 0, &c, &e), 0);
    assert_int_equal(cond_eval(c, &env), COND_UNKNOWN);
    cond_free(c);
    json_decref(d);
}

struct err_case {
    const char *expr;
    size_t offset;
    const char *msg;
};

static const struct err_case err_cases[] = {
    {"", 0, "empty condition"},
    {"use.enviroment == production", 0, "unknown field 'use.enviroment'"},
    {"use.environment == prod", 19, "'prod' is not a value of use.environment"},
    {"use.environment ==", 18, "expected a value"},
    {"use.environment = production", 16, "unexpected '='"},
    {"use.citizen_facing == yes", 22, "yes/no field"},
    {"oversight.log_retention_days >= \"lots\"", 32, "is a number"},
    {"review_date >= 2026-02-30", 15, "not a calendar day"},
    {"review_date >= 12", 15, "is a date"},
    {"use.environment", 15, "not yes/no"},
    {"(true and false", 0, "missing ')'"},
    {"true and", 8, "ends too early"},
    {"true false", 5, "unexpected 'false'"},
    {"any models terms == consumer", 11, "expected ':'"},
    {"any use.users: x == y", 4, "list of records"},
    {"count(use.environment) > 0", 0, "needs a list"},
    {"use.users == citizens", 10, "is a list"},
    {"use.environment in production", 19, "needs a list"},
    {"use.citizen_facing contains x", 19, "'contains' needs a list"},
    {"models.terms == consumer", 0, "unknown field"},
    {"terms == consumer", 0, "unknown field 'terms'"}, /* only inside any/all/none models */
    {"use.kind == unavoidable; rm -rf /", 23, "unexpected character ';'"},
    {"env == staging", 7, "'staging' is not a value of env"},
    {"decision.environment == env and env == 'x'", 39, "not a value of env"},
    {"\"unterminated", 0, "without a closing quote"},
    {"present(any)", 8, "keyword"},
    {"use.kind != unavoidable and not", 31, "ends too early"},
    {"12abc == 1", 0, "may not run into letters"},
};

static void test_compile_errors(void **state)
{
    int failures = 0;

    (void)state;
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        struct cond *c = NULL;
        struct cond_error e;
        const struct err_case *tc = &err_cases[i];
        int rc = cond_compile(tc->expr, strlen(tc->expr), 0, &c, &e);
        if (rc != -1 || c || e.offset != tc->offset || !strstr(e.msg, tc->msg)) {
            fprintf(stderr, "FAIL '%s': rc %d offset %zu (want %zu) msg '%s' (want '%s')\n",
                    tc->expr, rc, e.offset, tc->offset, e.msg, tc->msg);
            failures++;
        }
        cond_free(c);
    }
    assert_int_equal(failures, 0);
}

static void test_roles_forbidden_in_role_conditions(void **state)
{
    struct cond *c = NULL;
    struct cond_error e;
    const char *x = "count(derived.roles.missing) == 0";

    (void)state;
    assert_int_equal(cond_compile(x, strlen(x), 0, &c, &e), 0);
    cond_free(c);
    c = NULL;
    assert_int_equal(cond_compile(x, strlen(x), COND_F_NO_ROLES, &c, &e), -1);
    assert_null(c);
    assert_non_null(strstr(e.msg, "derived.roles"));
}

static void test_limits(void **state)
{
    char big[COND_MAX_SRC + 64];
    struct cond *c = NULL;
    struct cond_error e;
    size_t n = 0;

    (void)state;
    /* nesting beyond the limit is an error, not a stack overflow */
    for (int i = 0; i < 200; i++)
        big[n++] = '(';
    memcpy(big + n, "true", 4);
    n += 4;
    for (int i = 0; i < 200; i++)
        big[n++] = ')';
    assert_int_equal(cond_compile(big, n, 0, &c, &e), -1);
    assert_non_null(strstr(e.msg, "nested too deeply"));
    /* 'not' chains too */
    n = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(big + n, "not ", 4);
        n += 4;
    }
    memcpy(big + n, "true", 4);
    n += 4;
    assert_int_equal(cond_compile(big, n, 0, &c, &e), -1);
    /* over the size cap */
    memset(big, ' ', sizeof big);
    memcpy(big, "true", 4);
    assert_int_equal(cond_compile(big, sizeof big, 0, &c, &e), -1);
    assert_non_null(strstr(e.msg, "too long"));
    /* too many parts */
    n = 0;
    for (int i = 0; i < 600 && n + 20 < sizeof big; i++) {
        memcpy(big + n, "true or ", 8);
        n += 8;
    }
    memcpy(big + n, "true", 4);
    n += 4;
    assert_int_equal(cond_compile(big, n, 0, &c, &e), -1);
    /* NUL inside */
    assert_int_equal(cond_compile("true\0 or", 8, 0, &c, &e), -1);
    assert_null(c);
}

static void test_dates(void **state)
{
    char out[11];

    (void)state;
    assert_true(cond_date_valid("2024-02-29", 10));
    assert_false(cond_date_valid("2025-02-29", 10));
    assert_false(cond_date_valid("1900-02-29", 10));
    assert_true(cond_date_valid("2000-02-29", 10));
    assert_false(cond_date_valid("2025-13-01", 10));
    assert_false(cond_date_valid("2025-1-01", 9));
    cond_date_add("2025-12-31", 1, out);
    assert_string_equal(out, "2026-01-01");
    cond_date_add("2024-03-01", -1, out);
    assert_string_equal(out, "2024-02-29");
    cond_date_add("2026-02-01", 365, out);
    assert_string_equal(out, "2027-02-01");
}

/* Walks the dossier schema to the cond_schema path ("models[].terms"); NULL when unknown. */
static const struct dschema_field *dschema_walk(const char *path)
{
    const struct dschema_field *f = dossier_schema_root();
    const char *p = path;

    while (f && *p) {
        size_t n = strcspn(p, ".[");
        if (f->type != DST_OBJECT)
            return NULL;
        f = dossier_schema_child(f, p, n);
        p += n;
        if (f && !strncmp(p, "[]", 2)) {
            if (f->type != DST_LIST)
                return NULL;
            f = f->item;
            p += 2;
        }
        if (*p == '.')
            p++;
    }
    return f;
}

static int types_agree(const struct cond_field *c, const struct dschema_field *d)
{
    char want[1024] = "";
    const struct dschema_field *e = d;

    switch (c->type) {
    case COND_T_BOOL:
        return d->type == DST_BOOL;
    case COND_T_INT:
        return d->type == DST_INT;
    case COND_T_DATE:
        return d->type == DST_DATE;
    case COND_T_OBJ:
        return d->type == DST_OBJECT;
    case COND_T_LIST_OBJ:
        return d->type == DST_LIST && d->item && d->item->type == DST_OBJECT;
    case COND_T_LIST_STR:
        return d->type == DST_LIST && d->item && d->item->type != DST_OBJECT &&
               d->item->type != DST_ENUM;
    case COND_T_STR:
        return d->type != DST_OBJECT && d->type != DST_LIST && d->type != DST_BOOL &&
               d->type != DST_INT && d->type != DST_DATE && d->type != DST_ENUM;
    case COND_T_LIST_ENUM:
        if (d->type != DST_LIST || !d->item || d->item->type != DST_ENUM)
            return 0;
        e = d->item;
        /* fall through */
    case COND_T_ENUM:
        if (e->type != DST_ENUM)
            return 0;
        for (size_t i = 0; e->enums[i]; i++) {
            size_t l = strlen(want);
            snprintf(want + l, sizeof want - l, "%s%s", i ? "|" : "", e->enums[i]);
        }
        return !strcmp(want, c->values);
    }
    return 0;
}

static int count_missing(const struct dschema_field *obj, const char *prefix)
{
    int missing = 0;

    for (const struct dschema_field *f = obj->children; f && f->name; f++) {
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->name);
        if (!cond_schema_find(path, strlen(path))) {
            fprintf(stderr, "FAIL dossier field %s is not in cond_schema.c\n", path);
            missing++;
        }
        if (f->type == DST_OBJECT)
            missing += count_missing(f, path);
        if (f->type == DST_LIST && f->item && f->item->type == DST_OBJECT) {
            char sub[260];
            snprintf(sub, sizeof sub, "%s[]", path);
            missing += count_missing(f->item, sub);
        }
    }
    return missing;
}

/* The condition schema and the dossier schema describe the same fields with the same types. */
static void test_schema_matches_dossier(void **state)
{
    int failures = 0;

    (void)state;
    for (size_t i = 0; i < cond_schema_count(); i++) {
        const struct cond_field *c = cond_schema_at(i);
        const struct dschema_field *d;
        if (!strncmp(c->path, "derived.", 8))
            continue;
        d = dschema_walk(c->path);
        if (!d) {
            fprintf(stderr, "FAIL %s is not a dossier field\n", c->path);
            failures++;
        } else if (!types_agree(c, d)) {
            fprintf(stderr, "FAIL %s: type differs from the dossier schema\n", c->path);
            failures++;
        }
    }
    failures += count_missing(dossier_schema_root(), "");
    assert_null(cond_schema_at(cond_schema_count()));
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_table),
        cmocka_unit_test(test_cmp_memo_shared),
        cmocka_unit_test(test_derived_missing_is_unknown),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_roles_forbidden_in_role_conditions),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_schema_matches_dossier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
