/*
 * test_api_text.c - api_object_text(), the body of every object read: the metadata written
 * directly must be byte for byte what jansson makes of api_object_json(), for plain fields
 * and for fields that need escaping (those go through jansson).
 */
#include "api/api_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* What api_object_text() must return: jansson's compact dump of api_object_json(). */
static char *expected(const struct reg_object *obj)
{
    json_t *j = api_object_json(obj);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    return s;
}

static void check_same(const struct reg_object *obj)
{
    size_t len = 0;
    char *got = api_object_text(obj, &len);
    char *want = expected(obj);

    assert_non_null(got);
    assert_non_null(want);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(got);
    free(want);
}

static struct reg_object base(void)
{
    struct reg_object o;

    memset(&o, 0, sizeof(o));
    snprintf(o.kind, sizeof(o.kind), "provider");
    snprintf(o.id, sizeof(o.id), "gemeente-utrecht:mistral@eu");
    snprintf(o.org_id, sizeof(o.org_id), "gemeente-utrecht");
    snprintf(o.state, sizeof(o.state), "draft");
    o.version = 12;
    snprintf(o.created_at, sizeof(o.created_at), "2026-12-07T16:00:00.000001Z");
    snprintf(o.updated_at, sizeof(o.updated_at), "2026-12-07T16:30:00.123456Z");
    snprintf(o.created_by, sizeof(o.created_by), "alice");
    snprintf(o.updated_by, sizeof(o.updated_by), "bob@example.org");
    o.content = "{\"country\":\"NL\",\"id\":\"mistral_eu\",\"name\":\"Mistral \\\"EU\\\" é\"}";
    return o;
}

static void test_plain_fields(void **state)
{
    struct reg_object o = base();

    (void)state;
    check_same(&o);
    /* no parent, no state: null */
    o.state[0] = '\0';
    check_same(&o);
    snprintf(o.parent_id, sizeof(o.parent_id), "gemeente-utrecht:app@1");
    check_same(&o);
    o.version = 9007199254740993LL;
    check_same(&o);
    o.content = NULL;
    check_same(&o);
    o.content = "";
    check_same(&o);
    o.content = "[1,2,3]";
    check_same(&o);
}

static void test_escaped_fields(void **state)
{
    const char *states[] = {"in \"review\"", "back\\slash", "tab\there", "línea", "a/b", "\x7f"};

    (void)state;
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        struct reg_object o = base();
        snprintf(o.state, sizeof(o.state), "%s", states[i]);
        check_same(&o);
        o = base();
        snprintf(o.updated_by, sizeof(o.updated_by), "%s", states[i]);
        check_same(&o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_fields),
        cmocka_unit_test(test_escaped_fields),
    };

    return cmocka_run_group_tests_name("api_text", tests, NULL, NULL);
}
