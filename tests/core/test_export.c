/* test_export.c - the Algoritmeregister exporter: mapping, validation, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/export_algoritmeregister.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *GOOD_DOSSIER =
    "{\"sluis_dossier\": 1, \"id\": \"utrecht-chatbot\","
    " \"name\": \"Chatbot Vraag het Utrecht\","
    " \"organisation\": {\"name\": \"Gemeente Utrecht\", \"layer\": \"gemeente\"},"
    " \"owner\": {\"name\": \"A. Eigenaar\", \"function\": \"directeur\","
    "             \"email\": \"a.eigenaar@utrecht.nl\"},"
    " \"purpose\": {\"description\": \"Beantwoordt vragen van inwoners <b>over</b> afval & "
    "parkeren.\\n\","
    "   \"problem\": \"Lange wachttijden\\nbij het KCC.\","
    "   \"alternatives\": [{\"option\": \"FAQ-pagina\", \"rejected_because\": \"te "
    "statisch\"}],"
    "   \"lawful_basis\": \"Publieke taak, art. 6 lid 1 sub e AVG\"},"
    " \"use\": {\"kind\": \"procure\", \"environment\": \"production\", \"human_review\": true},"
    " \"models\": [{\"name\": \"Mistral Large\", \"version\": \"2\", \"provider\": \"mistral\","
    "   \"licence\": \"proprietary\", \"hosting_region\": \"eu\", \"terms\": \"negotiated\"}],"
    " \"agreements\": [{\"provider\": \"mistral\"}, {\"provider\": \"mistral\"},"
    "   {\"provider\": \"azure\"}],"
    " \"data\": {\"sources\": [\"website gemeente\"], \"categories\": [\"naam\"]},"
    " \"assessments\": ["
    "   {\"kind\": \"dpia\", \"status\": \"completed\", \"date\": \"2025-03-01\","
    "    \"outcome\": \"restrisico laag\", \"link\": \"https://utrecht.nl/dpia.pdf\"},"
    "   {\"kind\": \"iama\", \"status\": \"planned\"},"
    "   {\"kind\": \"bio_risk_analysis\", \"status\": \"completed\"}],"
    " \"decision\": {\"outcome\": \"approved\", \"environment\": \"production\"},"
    " \"publication\": {\"contact_email\": \"algoritmes@utrecht.nl\","
    "   \"website\": \"https://www.utrecht.nl/chatbot\", \"begin_date\": \"2025-06\","
    "   \"theme\": \"Organisatie en bedrijfsvoering\"}}";

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);

    if (!j)
        fail_msg("test JSON does not parse: %s at %d:%d", je.text, je.line, je.column);
    return j;
}

static const struct export_problem *find_problem(const struct export_report *rep, const char *field)
{
    for (size_t i = 0; i < rep->n; i++)
        if (!strcmp(rep->items[i].field, field))
            return &rep->items[i];
    return NULL;
}

static void test_build_good(void **state)
{
    json_t *d = load(GOOD_DOSSIER);
    json_t *derived = load("{\"ai_act\": {\"high_risk\": false}}");
    json_t *out = NULL, *g;
    struct export_report rep;
    struct sluis_err err;
    char why[64];

    (void)state;
    export_report_init(&rep);
    sluis_err_clear(&err);
    assert_int_equal(export_algoritmeregister_build(d, derived, &out, &rep, &err), 0);
    assert_non_null(out);
    assert_int_equal(rep.n_errors, 0);
    assert_string_equal(json_string_value(json_object_get(out, "name")),
                        "Chatbot Vraag het Utrecht");
    assert_string_equal(json_string_value(json_object_get(out, "organization")),
                        "Gemeente Utrecht");
    /* trailing newline of the block scalar is dropped */
    assert_string_equal(json_string_value(json_object_get(out, "description_short")),
                        "Beantwoordt vragen van inwoners <b>over</b> afval & parkeren.");
    assert_string_equal(json_string_value(json_object_get(out, "status")), "In gebruik");
    assert_string_equal(json_string_value(json_object_get(out, "publication_category")),
                        "Overige algoritmes");
    assert_string_equal(json_string_value(json_object_get(out, "lang")), "nld");
    assert_string_equal(json_string_value(json_object_get(out, "standard_version")), "1.0");
    assert_string_equal(json_string_value(json_object_get(out, "source_id")), "utrecht-chatbot");
    assert_string_equal(json_string_value(json_object_get(out, "begin_date")), "2025-06");
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "category"), 0)),
                        "Organisatie en bedrijfsvoering");
    /* provider: agreement providers, de-duplicated, in order */
    assert_string_equal(json_string_value(json_object_get(out, "provider")), "mistral, azure");
    /* the user's HTML is escaped in rich text; only allowed tags remain */
    const char *goal = json_string_value(json_object_get(out, "goal"));
    assert_non_null(goal);
    assert_non_null(strstr(goal, "&lt;b&gt;over&lt;/b&gt; afval &amp; parkeren."));
    assert_non_null(strstr(goal, "Lange wachttijden<br>bij het KCC."));
    assert_int_equal(export_rich_text_check(goal, strlen(goal), why, sizeof(why)), 0);
    /* only completed DPIA-like assessments are impact tests; link kept */
    g = json_object_get(out, "impacttoetsen_grouping");
    assert_int_equal(json_array_size(g), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(g, 0), "title")), "DPIA");
    assert_string_equal(json_string_value(json_object_get(json_array_get(g, 0), "link")),
                        "https://utrecht.nl/dpia.pdf");
    assert_non_null(strstr(json_string_value(json_object_get(out, "risks")), "IAMA (gepland)"));
    assert_non_null(
        strstr(json_string_value(json_object_get(out, "human_intervention")), "beoordeelt"));
    assert_non_null(strstr(json_string_value(json_object_get(out, "methods_and_models")),
                           "Mistral Large 2, aanbieder mistral"));
    /* a built document validates on its own too */
    export_report_free(&rep);
    assert_int_equal(export_algoritmeregister_validate(out, &rep), 0);
    json_decref(out);
    json_decref(d);
    json_decref(derived);
    export_report_free(&rep);
}

static const char *category_for(const char *derived_text, int impactful)
{
    static char buf[64];
    json_t *d = load(GOOD_DOSSIER);
    json_t *derived = derived_text ? load(derived_text) : NULL;
    json_t *out = NULL;
    struct export_report rep;

    export_report_init(&rep);
    json_object_set_new(d, "ai_act", json_pack("{s:b}", "impactful", impactful));
    assert_int_equal(export_algoritmeregister_build(d, derived, &out, &rep, NULL), 0);
    snprintf(buf, sizeof(buf), "%s",
             json_string_value(json_object_get(out, "publication_category")));
    json_decref(out);
    json_decref(d);
    json_decref(derived);
    export_report_free(&rep);
    return buf;
}

static void test_publication_category(void **state)
{
    (void)state;
    assert_string_equal(category_for("{\"ai_act\": {\"high_risk\": true}}", 0),
                        "Hoog-risico AI-systeem");
    assert_string_equal(category_for("{\"ai_act\": {\"high_risk\": true}}", 1),
                        "Hoog-risico AI-systeem");
    /* the derived facts may come wrapped in {"derived": ...} */
    assert_string_equal(category_for("{\"derived\": {\"ai_act\": {\"high_risk\": true}}}", 0),
                        "Hoog-risico AI-systeem");
    assert_string_equal(category_for("{\"ai_act\": {\"high_risk\": false}}", 1),
                        "Impactvolle algoritmes");
    assert_string_equal(category_for(NULL, 1), "Impactvolle algoritmes");
    assert_string_equal(category_for("{\"ai_act\": {\"high_risk\": false}}", 0),
                        "Overige algoritmes");
}

static void test_status_mapping(void **state)
{
    json_t *d = load(GOOD_DOSSIER);
    json_t *out = NULL;
    struct export_report rep;

    (void)state;
    export_report_init(&rep);
    json_object_set_new(json_object_get(d, "publication"), "status", json_string("buiten_gebruik"));
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "Buiten gebruik");
    json_decref(out);
    /* no explicit status and not approved for production: in development */
    json_object_del(json_object_get(d, "publication"), "status");
    json_object_set_new(json_object_get(d, "decision"), "environment", json_string("pilot"));
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "In ontwikkeling");
    json_decref(out);
    json_decref(d);
    export_report_free(&rep);
}

static void test_refusal_lists_every_problem(void **state)
{
    json_t *d = load(GOOD_DOSSIER);
    json_t *pub = json_object_get(d, "publication");
    json_t *out = (json_t *)1;
    struct export_report rep;
    struct sluis_err err;
    char longname[160], longdesc[460];
    const struct export_problem *p;

    (void)state;
    memset(longname, 'n', 150);
    longname[150] = '\0';
    /* 401 characters of which many are two-byte UTF-8: counted as characters, not bytes */
    strcpy(longdesc, "");
    for (int i = 0; i < 200; i++)
        strcat(longdesc, "\xc3\xa9"); /* e-acute */
    assert_int_equal(export_text_length(longdesc, strlen(longdesc)), 200);
    json_object_set_new(d, "name", json_string(longname));
    json_object_set_new(pub, "theme", json_string("Afval"));
    json_object_set_new(pub, "website", json_string("http://www.utrecht.nl"));
    json_object_set_new(pub, "begin_date", json_string("2025-13"));
    json_object_set_new(pub, "contact_email", json_string("geen adres"));
    json_object_set_new(json_array_get(json_object_get(d, "assessments"), 0), "link",
                        json_string("ftp://x.nl/a"));
    json_object_set_new(json_object_get(d, "purpose"), "description", json_string(longdesc));

    export_report_init(&rep);
    sluis_err_clear(&err);
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, &err), SLUIS_EINVAL);
    assert_null(out);
    assert_int_equal(err.code, SLUIS_EINVAL);
    assert_int_equal(rep.n_errors, 6);
    p = find_problem(&rep, "name");
    assert_non_null(p);
    assert_int_equal(p->severity, EXPORT_ERROR);
    assert_string_equal(p->found, "150");
    assert_string_equal(p->source, "name");
    assert_non_null(strstr(p->limit, "100"));
    assert_non_null(find_problem(&rep, "category[0]"));
    assert_non_null(find_problem(&rep, "website"));
    p = find_problem(&rep, "begin_date");
    assert_non_null(p);
    assert_string_equal(p->found, "\"2025-13\"");
    assert_non_null(find_problem(&rep, "contact_email"));
    assert_non_null(find_problem(&rep, "impacttoetsen_grouping[0].link"));
    /* 200 characters: within the API limit and the handbook's 350 */
    assert_null(find_problem(&rep, "description_short"));
    json_decref(d);
    export_report_free(&rep);
}

static void test_required_fields_missing(void **state)
{
    json_t *d = load(GOOD_DOSSIER);
    json_t *out = NULL;
    struct export_report rep;
    const struct export_problem *p;

    (void)state;
    json_object_del(d, "publication");
    json_object_del(json_object_get(d, "purpose"), "description");
    export_report_init(&rep);
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, NULL), SLUIS_EINVAL);
    assert_null(out);
    assert_int_equal(rep.n_errors, 2);
    p = find_problem(&rep, "contact_email");
    assert_non_null(p);
    assert_string_equal(p->found, "missing");
    assert_string_equal(p->source, "publication.contact_email");
    assert_non_null(find_problem(&rep, "description_short"));
    json_decref(d);
    export_report_free(&rep);
}

static void test_handbook_warning(void **state)
{
    json_t *d = load(GOOD_DOSSIER);
    json_t *out = NULL;
    struct export_report rep;
    char desc[420];
    const struct export_problem *p;

    (void)state;
    memset(desc, 'a', 360);
    desc[360] = '\0';
    json_object_set_new(json_object_get(d, "purpose"), "description", json_string(desc));
    export_report_init(&rep);
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, NULL), 0);
    assert_non_null(out);
    p = find_problem(&rep, "description_short");
    assert_non_null(p);
    assert_int_equal(p->severity, EXPORT_WARNING);
    assert_int_equal(rep.n_errors, 0);
    json_decref(out);
    /* 401 characters: refused */
    memset(desc, 'a', 401);
    desc[401] = '\0';
    json_object_set_new(json_object_get(d, "purpose"), "description", json_string(desc));
    export_report_free(&rep);
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, NULL), SLUIS_EINVAL);
    p = find_problem(&rep, "description_short");
    assert_non_null(p);
    assert_int_equal(p->severity, EXPORT_ERROR);
    assert_string_equal(p->found, "401");
    json_decref(d);
    export_report_free(&rep);
}

static void test_rich_text_length_after_stripping(void **state)
{
    json_t *d = load(GOOD_DOSSIER);
    json_t *out = NULL;
    struct export_report rep;
    char *lawful = malloc(2501);
    const struct export_problem *p;

    (void)state;
    /* 2500 '&' become 2500 "&amp;" in HTML: still 2500 characters after stripping */
    memset(lawful, '&', 2500);
    lawful[2500] = '\0';
    json_object_set_new(json_object_get(d, "purpose"), "lawful_basis", json_string(lawful));
    export_report_init(&rep);
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, NULL), 0);
    json_decref(out);
    /* 2501 plain characters: refused */
    memset(lawful, 'y', 2500);
    lawful[2500] = '\0';
    json_object_set_new(json_object_get(d, "purpose"), "lawful_basis",
                        json_pack("s+", lawful, "z"));
    assert_int_equal(export_algoritmeregister_build(d, NULL, &out, &rep, NULL), SLUIS_EINVAL);
    p = find_problem(&rep, "lawful_basis");
    assert_non_null(p);
    assert_string_equal(p->found, "2501");
    free(lawful);
    json_decref(d);
    export_report_free(&rep);
}

static void test_text_helpers(void **state)
{
    char why[64];

    (void)state;
    assert_int_equal(export_text_length("<p>a&amp;b</p>", 14), 3);
    assert_int_equal(export_text_length("a < b", 5), 5);
    assert_int_equal(export_text_length("<ul><li>x</li></ul>", 19), 1);
    assert_int_equal(export_text_length("\xc3\xa9t\xc3\xa9", 5), 3);
    assert_int_equal(export_text_length("&#233;&x", 8), 3);
    assert_int_equal(export_text_length("<p", 2), 2);

    assert_int_equal(
        export_rich_text_check("<div><p>x<br/></p><ol><li>y</li></ol></div>", 44, why, sizeof(why)),
        0);
    assert_int_equal(export_rich_text_check("<p>a < b</p>", 12, why, sizeof(why)), 0);
    assert_int_equal(export_rich_text_check("<p><a href=\"x\">x</a></p>", 24, why, sizeof(why)),
                     -1);
    assert_string_equal(why, "<a href=\"x\">");
    assert_int_equal(export_rich_text_check("<p class=\"x\">y</p>", 18, why, sizeof(why)), -1);
    assert_int_equal(export_rich_text_check("<script>", 8, why, sizeof(why)), -1);

    assert_true(export_https_url_ok("https://wetten.overheid.nl/BWBR0001840"));
    assert_true(export_https_url_ok("https://www.utrecht.nl:8443/a?b=c#d"));
    assert_false(export_https_url_ok("http://utrecht.nl"));
    assert_false(export_https_url_ok("https://"));
    assert_false(export_https_url_ok("https://utrecht nl"));
    assert_false(export_https_url_ok("https://localhost/x"));
    assert_false(export_https_url_ok("HTTPS//x.nl"));

    assert_true(export_yyyymm_ok("2025-01"));
    assert_true(export_yyyymm_ok("2025-12"));
    assert_false(export_yyyymm_ok("2025-00"));
    assert_false(export_yyyymm_ok("2025-13"));
    assert_false(export_yyyymm_ok("2025-1"));
    assert_false(export_yyyymm_ok("2025-01-01"));
    assert_false(export_yyyymm_ok("202a-01"));

    assert_true(export_email_ok("algoritmes@utrecht.nl"));
    assert_false(export_email_ok("algoritmes@utrecht"));
    assert_false(export_email_ok("@utrecht.nl"));
    assert_false(export_email_ok("a b@utrecht.nl"));
    assert_false(export_email_ok("a@b@c.nl"));
}

static void test_validate_foreign_document(void **state)
{
    json_t *doc = load("{\"name\": 5, \"description_short\": \"x\", \"organization\": \"O\","
                       " \"status\": \"Actief\", \"contact_email\": \"https://o.nl/contact\","
                       " \"publication_category\": \"Overige algoritmes\", \"lang\": \"eng\","
                       " \"lars\": \"12345678\", \"goal\": \"<p onclick=x>y</p>\","
                       " \"lawful_basis_grouping\": [{\"title\": \"Gemeentewet\"}],"
                       " \"source_data_grouping\": [\"x\"]}");
    struct export_report rep;

    (void)state;
    export_report_init(&rep);
    assert_int_equal(export_algoritmeregister_validate(doc, &rep), SLUIS_EINVAL);
    assert_non_null(find_problem(&rep, "name"));
    assert_non_null(find_problem(&rep, "status"));
    assert_non_null(find_problem(&rep, "lang"));
    assert_non_null(find_problem(&rep, "lars"));
    assert_non_null(find_problem(&rep, "goal"));
    assert_non_null(find_problem(&rep, "lawful_basis_grouping[0].link"));
    assert_non_null(find_problem(&rep, "source_data_grouping[0]"));
    assert_null(find_problem(&rep, "contact_email")); /* an https link is fine */
    assert_int_equal(rep.n_errors, 7);
    json_decref(doc);
    export_report_free(&rep);

    export_report_init(&rep);
    doc = json_array();
    assert_int_equal(export_algoritmeregister_validate(doc, &rep), SLUIS_EINVAL);
    json_decref(doc);
    export_report_free(&rep);
}

static void test_problem_cap(void **state)
{
    json_t *doc = load(GOOD_DOSSIER);
    json_t *cat = json_array();
    struct export_report rep;
    char buf[512];

    (void)state;
    for (int i = 0; i < 300; i++)
        json_array_append_new(cat, json_string("onbekend thema"));
    json_object_set_new(doc, "category", cat);
    export_report_init(&rep);
    assert_int_equal(export_algoritmeregister_validate(doc, &rep), SLUIS_EINVAL);
    assert_int_equal(rep.n, EXPORT_PROBLEMS_MAX);
    assert_true(rep.dropped > 0);
    assert_true(rep.n_errors >= 300);
    export_problem_format(&rep.items[0], buf, sizeof(buf));
    assert_non_null(strstr(buf, "found / gevonden"));
    json_decref(doc);
    export_report_free(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_good),
        cmocka_unit_test(test_publication_category),
        cmocka_unit_test(test_status_mapping),
        cmocka_unit_test(test_refusal_lists_every_problem),
        cmocka_unit_test(test_required_fields_missing),
        cmocka_unit_test(test_handbook_warning),
        cmocka_unit_test(test_rich_text_length_after_stripping),
        cmocka_unit_test(test_text_helpers),
        cmocka_unit_test(test_validate_foreign_document),
        cmocka_unit_test(test_problem_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
