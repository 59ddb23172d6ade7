/*
 * test_derive.c - the derived facts against standpunt.md section 4 (DPIA pre-scan: every score
 * line and every DPIA/DTIA/KIA/IAMA trigger; AI Act: every branch of the classification) and
 * section 6 (exploration), plus procurement, missing agreements and decision validity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "test_derive_util.h"

static const char *eval = "2026-02-01";

/* Derives facts of d (validated first) with params p (NULL = defaults); decrefs d. */
static json_t *facts_p(json_t *d, const struct derive_params *p)
{
    struct sluis_err err;
    json_t *f = NULL;
    if (dossier_validate(d, &err) != 0)
        fail_msg("test dossier invalid: %s %s", err.path, err.msg);
    assert_int_equal(derive_facts(d, p, eval, &f, &err), 0);
    assert_non_null(f);
    json_decref(d);
    return f;
}

static json_t *facts(json_t *d)
{
    return facts_p(d, NULL);
}

static long long fint(const json_t *f, const char *path)
{
    const json_t *v = dossier_get_path(f, path);
    assert_true(json_is_integer(v));
    return (long long)json_integer_value(v);
}

static const char *fstr(const json_t *f, const char *path)
{
    const json_t *v = dossier_get_path(f, path);
    if (!json_is_string(v))
        fail_msg("no string at %s", path);
    return json_string_value(v);
}

static bool fbool(const json_t *f, const char *path)
{
    const json_t *v = dossier_get_path(f, path);
    if (!json_is_boolean(v))
        fail_msg("no boolean at %s", path);
    return json_is_true(v);
}

/* Score of one dossier with one path set. */
static long long score_with(const char *path, json_t *v)
{
    json_t *d = minimal_dossier(), *f;
    long long s;
    set_path(d, path, v);
    f = facts(d);
    s = fint(f, "prescan.score");
    json_decref(f);
    return s;
}

static void test_baseline(void **state)
{
    json_t *f = facts(minimal_dossier());
    (void)state;
    assert_string_equal(fstr(f, "eval_date"), eval);
    assert_int_equal(fint(f, "prescan.score"), 0);
    assert_false(fbool(f, "prescan.complete"));
    assert_string_equal(fstr(f, "prescan.dpia"), "not_required");
    assert_string_equal(fstr(f, "prescan.dtia"), "not_required");
    assert_string_equal(fstr(f, "prescan.kia"), "not_required");
    assert_string_equal(fstr(f, "prescan.iama"), "not_required");
    assert_string_equal(fstr(f, "ai_act.class"), "minimal");
    assert_false(fbool(f, "ai_act.high_risk"));
    assert_false(fbool(f, "ai_act.transparency_duty"));
    assert_false(fbool(f, "ai_act.gpai"));
    assert_false(fbool(f, "ai_act.systemic_risk"));
    assert_null(dossier_get_path(f, "ai_act.role")); /* absent = unknown */
    assert_false(fbool(f, "procured"));
    assert_false(fbool(f, "consumer_terms"));
    assert_int_equal(json_array_size(dossier_get_path(f, "agreements.missing")), 0);
    assert_false(fbool(f, "decision.valid"));
    assert_false(fbool(f, "decision.present"));
    assert_int_equal(strlen(fstr(f, "decision.hash")), 64);
    json_decref(f);
}

/* Score: ordinary personal data in >= 6 categories 1. */
static void test_score_categories(void **state)
{
    (void)state;
    assert_int_equal(score_with("data.categories", n_strs(5)), 0);
    assert_int_equal(score_with("data.categories", n_strs(6)), 1);
    assert_int_equal(score_with("data.categories", n_strs(20)), 1);
}

/* Score: special or sensitive categories 1-6 -> 1, more -> 2. */
static void test_score_special_categories(void **state)
{
    (void)state;
    assert_int_equal(score_with("data.special_categories", n_strs(0)), 0);
    assert_int_equal(score_with("data.special_categories", n_strs(1)), 1);
    assert_int_equal(score_with("data.special_categories", n_strs(6)), 1);
    assert_int_equal(score_with("data.special_categories", n_strs(7)), 2);
}

/* Score: data subjects weighted (employees 1, citizens 1, children 3, vulnerable 3):
   sum <= 2 -> 0, 3 -> 1, >= 4 -> 2. */
static void test_score_subjects(void **state)
{
    (void)state;
    assert_int_equal(score_with("data.subjects", strs("employees", NULL)), 0);
    assert_int_equal(score_with("data.subjects", strs("employees", "citizens", NULL)), 0);
    assert_int_equal(score_with("data.subjects", strs("children", NULL)), 1);
    assert_int_equal(score_with("data.subjects", strs("vulnerable", NULL)), 1);
    assert_int_equal(score_with("data.subjects", strs("children", "employees", NULL)), 2);
    assert_int_equal(score_with("data.subjects", strs("vulnerable", "citizens", NULL)), 2);
    assert_int_equal(
        score_with("data.subjects", strs("children", "vulnerable", "citizens", "employees", NULL)),
        2);
}

/* Score: >= 10,000 subjects 1. */
static void test_score_subject_count(void **state)
{
    (void)state;
    assert_int_equal(score_with("data.subject_count", json_integer(9999)), 0);
    assert_int_equal(score_with("data.subject_count", json_integer(10000)), 1);
}

/* Score: processing monthly or more often 1. */
static void test_score_frequency(void **state)
{
    (void)state;
    assert_int_equal(score_with("data.frequency", json_string("once")), 0);
    assert_int_equal(score_with("data.frequency", json_string("yearly")), 0);
    assert_int_equal(score_with("data.frequency", json_string("monthly")), 1);
    assert_int_equal(score_with("data.frequency", json_string("weekly")), 1);
    assert_int_equal(score_with("data.frequency", json_string("daily")), 1);
    assert_int_equal(score_with("data.frequency", json_string("continuous")), 1);
}

/* Score: retention >= 1 year 1. */
static void test_score_retention(void **state)
{
    (void)state;
    assert_int_equal(score_with("data.retention_years", json_integer(0)), 0);
    assert_int_equal(score_with("data.retention_years", json_integer(1)), 1);
    assert_int_equal(score_with("data.retention_years", json_integer(7)), 1);
}

/* Score: transfers 0-2, basisregistratie 1, minors 0-2. */
static void test_score_transfers_basis_minors(void **state)
{
    (void)state;
    assert_int_equal(score_with("prescan.transfers_score", json_integer(0)), 0);
    assert_int_equal(score_with("prescan.transfers_score", json_integer(1)), 1);
    assert_int_equal(score_with("prescan.transfers_score", json_integer(2)), 2);
    assert_int_equal(score_with("data.basisregistratie", json_false()), 0);
    assert_int_equal(score_with("data.basisregistratie", json_true()), 1);
    assert_int_equal(score_with("prescan.minors_score", json_integer(1)), 1);
    assert_int_equal(score_with("prescan.minors_score", json_integer(2)), 2);
}

/* All lines at their maximum: 1+2+2+1+1+1+2+1+2 = 13, and the per-line breakdown. */
static void test_score_sum_and_breakdown(void **state)
{
    json_t *d = minimal_dossier(), *f;
    (void)state;
    set_path(d, "data.categories", n_strs(6));
    set_path(d, "data.special_categories", n_strs(7));
    set_path(d, "data.subjects", strs("children", "vulnerable", NULL));
    set_path(d, "data.subject_count", json_integer(50000));
    set_path(d, "data.frequency", json_string("daily"));
    set_path(d, "data.retention_years", json_integer(2));
    set_path(d, "prescan.transfers_score", json_integer(2));
    set_path(d, "data.basisregistratie", json_true());
    set_path(d, "prescan.minors_score", json_integer(2));
    f = facts(d);
    assert_int_equal(fint(f, "prescan.score"), 13);
    assert_int_equal(fint(f, "prescan.scores.categories"), 1);
    assert_int_equal(fint(f, "prescan.scores.special_categories"), 2);
    assert_int_equal(fint(f, "prescan.scores.subjects"), 2);
    assert_int_equal(fint(f, "prescan.scores.subject_count"), 1);
    assert_int_equal(fint(f, "prescan.scores.frequency"), 1);
    assert_int_equal(fint(f, "prescan.scores.retention"), 1);
    assert_int_equal(fint(f, "prescan.scores.transfers"), 2);
    assert_int_equal(fint(f, "prescan.scores.basisregistratie"), 1);
    assert_int_equal(fint(f, "prescan.scores.minors"), 2);
    assert_true(fbool(f, "prescan.complete"));
    assert_string_equal(fstr(f, "prescan.dpia"), "required");
    json_decref(f);
}

static const char *dpia_of(json_t *d)
{
    static char out[32];
    json_t *f = facts(d);
    snprintf(out, sizeof(out), "%s", fstr(f, "prescan.dpia"));
    json_decref(f);
    return out;
}

/* DPIA required when the summed score > 4 (4 is not enough). */
static void test_dpia_score_threshold(void **state)
{
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "prescan.transfers_score", json_integer(2));
    set_path(d, "prescan.minors_score", json_integer(2));
    assert_string_equal(dpia_of(d), "not_required"); /* score 4 */
    d = minimal_dossier();
    set_path(d, "prescan.transfers_score", json_integer(2));
    set_path(d, "prescan.minors_score", json_integer(2));
    set_path(d, "data.basisregistratie", json_true());
    assert_string_equal(dpia_of(d), "required"); /* score 5 */
}

/* DPIA required with new legislation, with one AP-list item, with two EDPB criteria;
   recommended with exactly one EDPB criterion. */
static void test_dpia_triggers(void **state)
{
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "prescan.new_legislation", json_true());
    assert_string_equal(dpia_of(d), "required");
    d = minimal_dossier();
    set_path(d, "prescan.new_legislation", json_false());
    assert_string_equal(dpia_of(d), "not_required");
    d = minimal_dossier();
    set_path(d, "prescan.ap_list", strs("grootschalige verwerking van gezondheidsgegevens", NULL));
    assert_string_equal(dpia_of(d), "required");
    d = minimal_dossier();
    set_path(d, "prescan.edpb_criteria", strs("large_scale", NULL));
    assert_string_equal(dpia_of(d), "recommended");
    d = minimal_dossier();
    set_path(d, "prescan.edpb_criteria", strs("large_scale", "vulnerable_subjects", NULL));
    assert_string_equal(dpia_of(d), "required");
    d = minimal_dossier();
    set_path(d, "prescan.edpb_criteria", strs(NULL));
    assert_string_equal(dpia_of(d), "not_required");
}

static const char *fact_of(json_t *d, const char *path)
{
    static char out[32];
    json_t *f = facts(d);
    snprintf(out, sizeof(out), "%s", fstr(f, path));
    json_decref(f);
    return out;
}

/* DTIA required when data is stored or supported outside the EEA. */
static void test_dtia(void **state)
{
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "data.outside_eea", json_true());
    assert_string_equal(fact_of(d, "prescan.dtia"), "required");
    d = minimal_dossier();
    set_path(d, "data.outside_eea", json_false());
    assert_string_equal(fact_of(d, "prescan.dtia"), "not_required");
    static const char *const fields[] = {"storage_location", "support_location",
                                         "telemetry_location"};
    for (size_t i = 0; i < 3; i++) {
        d = minimal_dossier();
        set_path(d, "agreements", json_pack("[{s:s, s:s}]", "provider", "acme", fields[i], "us"));
        assert_string_equal(fact_of(d, "prescan.dtia"), "required");
        d = minimal_dossier();
        set_path(d, "agreements",
                 json_pack("[{s:s, s:s}]", "provider", "acme", fields[i], "other"));
        assert_string_equal(fact_of(d, "prescan.dtia"), "required");
        d = minimal_dossier();
        set_path(d, "agreements", json_pack("[{s:s, s:s}]", "provider", "acme", fields[i], "eu"));
        assert_string_equal(fact_of(d, "prescan.dtia"), "not_required");
    }
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s, s:s, s:s, s:s}]", "name", "m", "provider", "acme", "terms",
                       "business", "hosting_region", "us"));
    assert_string_equal(fact_of(d, "prescan.dtia"), "required");
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s, s:s, s:s, s:s}]", "name", "m", "provider", "acme", "terms",
                       "business", "hosting_region", "nl"));
    assert_string_equal(fact_of(d, "prescan.dtia"), "not_required");
}

/* KIA recommended when the service targets minors. */
static void test_kia(void **state)
{
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "prescan.targets_minors", json_true());
    assert_string_equal(fact_of(d, "prescan.kia"), "recommended");
    d = minimal_dossier();
    set_path(d, "use.users", strs("citizens", "minors", NULL));
    assert_string_equal(fact_of(d, "prescan.kia"), "recommended");
    d = minimal_dossier();
    set_path(d, "prescan.targets_minors", json_false());
    set_path(d, "use.users", strs("citizens", NULL));
    assert_string_equal(fact_of(d, "prescan.kia"), "not_required");
}

/* IAMA recommended when the AI is high-risk or the algorithm impactful. */
static void test_iama(void **state)
{
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "ai_act.impactful", json_true());
    assert_string_equal(fact_of(d, "prescan.iama"), "recommended");
    d = minimal_dossier();
    set_path(d, "ai_act.annex_iii_area", json_string("employment"));
    assert_string_equal(fact_of(d, "prescan.iama"), "recommended");
    d = minimal_dossier();
    set_path(d, "ai_act.impactful", json_false());
    set_path(d, "ai_act.annex_iii_area", json_string("none"));
    assert_string_equal(fact_of(d, "prescan.iama"), "not_required");
}

/* ---- AI Act ---- */

static const char *class_of(json_t *d)
{
    return fact_of(d, "ai_act.class");
}

static void test_ai_act_excluded(void **state)
{
    json_t *d = minimal_dossier(), *f;
    (void)state;
    set_path(d, "ai_act.excluded", json_string("military"));
    set_path(d, "ai_act.annex_i_product", json_true());
    set_path(d, "ai_act.prohibited_practices", strs("social scoring", NULL));
    f = facts(d);
    assert_string_equal(fstr(f, "ai_act.class"), "excluded");
    assert_false(fbool(f, "ai_act.high_risk"));
    assert_false(fbool(f, "ai_act.prohibited"));
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "ai_act.excluded", json_string("research"));
    assert_string_equal(class_of(d), "excluded");
    d = minimal_dossier();
    set_path(d, "ai_act.excluded", json_string("none"));
    assert_string_equal(class_of(d), "minimal");
}

/* Art. 5: any prohibited practice; emotion recognition at work or in education. Prohibited
   outranks high-risk. */
static void test_ai_act_prohibited(void **state)
{
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "ai_act.prohibited_practices", strs("social scoring", NULL));
    set_path(d, "ai_act.annex_iii_area", json_string("employment"));
    assert_string_equal(class_of(d), "prohibited");
    d = minimal_dossier();
    set_path(d, "ai_act.prohibited_practices", strs(NULL));
    assert_string_equal(class_of(d), "minimal");
    d = minimal_dossier();
    set_path(d, "ai_act.emotion_recognition", json_true());
    set_path(d, "ai_act.annex_iii_area", json_string("employment"));
    assert_string_equal(class_of(d), "prohibited");
    d = minimal_dossier();
    set_path(d, "ai_act.emotion_recognition", json_true());
    set_path(d, "ai_act.annex_iii_area", json_string("education"));
    assert_string_equal(class_of(d), "prohibited");
    d = minimal_dossier();
    set_path(d, "ai_act.emotion_recognition", json_true());
    assert_string_equal(class_of(d), "transparency");
}

/* High-risk: Annex I product; Annex III area unless the art. 6(3) filter applies; profiling
   always (also with the filter, and outside Annex III per the standpunt). */
static void test_ai_act_high_risk(void **state)
{
    static const char *const areas[] = {
        "biometrics",         "critical_infrastructure", "education", "employment",
        "essential_services", "law_enforcement",         "migration", "justice"};
    struct derive_params p;
    json_t *d = minimal_dossier(), *f;
    (void)state;
    set_path(d, "ai_act.annex_i_product", json_true());
    assert_string_equal(class_of(d), "high_risk");
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
        d = minimal_dossier();
        set_path(d, "ai_act.annex_iii_area", json_string(areas[i]));
        f = facts(d);
        assert_string_equal(fstr(f, "ai_act.class"), "high_risk");
        assert_true(fbool(f, "ai_act.high_risk"));
        json_decref(f);
    }
    d = minimal_dossier();
    set_path(d, "ai_act.annex_iii_area", json_string("employment"));
    set_path(d, "ai_act.art6_3_exception", json_true());
    assert_string_equal(class_of(d), "minimal");
    d = minimal_dossier();
    set_path(d, "ai_act.annex_iii_area", json_string("employment"));
    set_path(d, "ai_act.art6_3_exception", json_true());
    set_path(d, "ai_act.profiling", json_true());
    assert_string_equal(class_of(d), "high_risk");
    d = minimal_dossier();
    set_path(d, "ai_act.profiling", json_true());
    assert_string_equal(class_of(d), "high_risk");
    /* the policy can narrow profiling to Annex III, as in the regulation's text */
    derive_params_default(&p);
    p.profiling_always_high_risk = false;
    d = minimal_dossier();
    set_path(d, "ai_act.profiling", json_true());
    f = facts_p(d, &p);
    assert_string_equal(fstr(f, "ai_act.class"), "minimal");
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "ai_act.annex_iii_area", json_string("none"));
    set_path(d, "ai_act.annex_i_product", json_false());
    assert_string_equal(class_of(d), "minimal");
}

/* Art. 50: interaction with people, synthetic content, emotion recognition, deepfakes; a
   citizen-facing application counts as interacting with people. High-risk outranks it. */
static void test_ai_act_transparency(void **state)
{
    static const char *const flags[] = {
        "ai_act.interacts_with_people", "ai_act.generates_synthetic_content",
        "ai_act.emotion_recognition", "ai_act.deepfake", "use.citizen_facing"};
    json_t *d, *f;
    (void)state;
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        d = minimal_dossier();
        set_path(d, flags[i], json_true());
        f = facts(d);
        assert_string_equal(fstr(f, "ai_act.class"), "transparency");
        assert_true(fbool(f, "ai_act.transparency_duty"));
        json_decref(f);
        d = minimal_dossier();
        set_path(d, flags[i], json_false());
        assert_string_equal(class_of(d), "minimal");
    }
    d = minimal_dossier();
    set_path(d, "ai_act.interacts_with_people", json_true());
    set_path(d, "ai_act.annex_i_product", json_true());
    f = facts(d);
    assert_string_equal(fstr(f, "ai_act.class"), "high_risk");
    assert_true(fbool(f, "ai_act.transparency_duty"));
    json_decref(f);
}

/* GPAI: system type or a model flagged gpai; systemic risk above 10^25 FLOP. */
static void test_ai_act_gpai_systemic(void **state)
{
    json_t *d = minimal_dossier(), *f;
    (void)state;
    set_path(d, "ai_act.system_type", json_string("gpai_system"));
    assert_true(fbool(f = facts(d), "ai_act.gpai"));
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "ai_act.system_type", json_string("gpai_model"));
    assert_true(fbool(f = facts(d), "ai_act.gpai"));
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "ai_act.system_type", json_string("ai_system"));
    assert_false(fbool(f = facts(d), "ai_act.gpai"));
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s, s:s, s:s, s:b, s:s}]", "name", "m", "provider", "p", "terms",
                       "self_hosted", "gpai", 1, "training_flops", "3e24"));
    f = facts(d);
    assert_true(fbool(f, "ai_act.gpai"));
    assert_false(fbool(f, "ai_act.systemic_risk"));
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s, s:s, s:s, s:s}]", "name", "m", "provider", "p", "terms", "business",
                       "training_flops", "1e25"));
    assert_false(fbool(f = facts(d), "ai_act.systemic_risk")); /* not above */
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s, s:s, s:s, s:s}]", "name", "m", "provider", "p", "terms", "business",
                       "training_flops", "2.1e25"));
    f = facts(d);
    assert_true(fbool(f, "ai_act.systemic_risk"));
    assert_true(fbool(f, "ai_act.gpai"));
    assert_string_equal(fstr(f, "ai_act.class"), "minimal"); /* systemic risk is no class */
    json_decref(f);
}

static void test_ai_act_role(void **state)
{
    json_t *d = minimal_dossier();
    (void)state;
    set_path(d, "ai_act.role", json_string("provider"));
    assert_string_equal(fact_of(d, "ai_act.role"), "provider");
}

/* ---- procurement, agreements, decision, exploration ---- */

static void test_procured_and_consumer(void **state)
{
    json_t *d = minimal_dossier(), *f;
    (void)state;
    set_path(d, "use.kind", json_string("procure"));
    assert_true(fbool(f = facts(d), "procured"));
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s, s:s, s:s}]", "name", "m", "provider", "p", "terms", "self_hosted"));
    f = facts(d);
    assert_false(fbool(f, "procured"));
    assert_false(fbool(f, "consumer_terms"));
    json_decref(f);
    static const char *const terms[] = {"negotiated", "business", "consumer"};
    for (size_t i = 0; i < 3; i++) {
        d = minimal_dossier();
        set_path(d, "models",
                 json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "name", "a", "provider", "a",
                           "terms", "self_hosted", "name", "b", "provider", "b", "terms",
                           terms[i]));
        f = facts(d);
        assert_true(fbool(f, "procured"));
        assert_int_equal(fbool(f, "consumer_terms"), i == 2);
        json_decref(f);
    }
}

static void test_agreements_missing(void **state)
{
    json_t *d = minimal_dossier(), *f, *miss;
    (void)state;
    set_path(d, "models",
             json_pack("[{s:s,s:s,s:s}, {s:s,s:s,s:s}, {s:s,s:s,s:s}, {s:s,s:s,s:s}, "
                       "{s:s,s:s,s:s}]",
                       "name", "a1", "provider", "alpha", "terms", "business", "name", "b",
                       "provider", "beta", "terms", "self_hosted", "name", "c", "provider", "gamma",
                       "terms", "consumer", "name", "a2", "provider", "alpha", "terms",
                       "negotiated", "name", "d", "provider", "delta", "terms", "business"));
    set_path(d, "agreements", json_pack("[{s:s}]", "provider", "gamma"));
    f = facts(d);
    miss = dossier_get_path(f, "agreements.missing");
    assert_int_equal(json_array_size(miss), 2);
    assert_string_equal(json_string_value(json_array_get(miss, 0)), "alpha");
    assert_string_equal(json_string_value(json_array_get(miss, 1)), "delta");
    json_decref(f);
}

static void test_decision_validity(void **state)
{
    char hash[65];
    json_t *d = minimal_dossier(), *f;
    (void)state;
    set_path(d, "purpose.description", json_string("Samenvatten van Woo-verzoeken"));
    assert_int_equal(dossier_material_hash(d, NULL, hash), 0);
    set_path(d, "decision.outcome", json_string("approved"));
    set_path(d, "decision.dossier_hash", json_string(hash));
    set_path(d, "decision.date", json_string("2025-11-01"));
    json_incref(d);
    f = facts(d);
    assert_true(fbool(f, "decision.valid"));
    assert_true(fbool(f, "decision.present"));
    assert_string_equal(fstr(f, "decision.hash"), hash);
    json_decref(f);
    /* a non-material change keeps the decision */
    set_path(d, "owner.name", json_string("Piet Pietersen"));
    json_incref(d);
    assert_true(fbool(f = facts(d), "decision.valid"));
    json_decref(f);
    /* a material change invalidates it */
    set_path(d, "use.environment", json_string("production"));
    json_incref(d);
    assert_false(fbool(f = facts(d), "decision.valid"));
    json_decref(f);
    set_path(d, "use.environment", json_string("pilot"));
    set_path(d, "decision.outcome", json_string("rejected"));
    json_incref(d);
    assert_false(fbool(f = facts(d), "decision.valid"));
    json_decref(f);
    set_path(d, "decision.outcome", json_string("approved"));
    set_path(d, "decision.dossier_hash", json_string("0000"));
    assert_false(fbool(f = facts(d), "decision.valid"));
    json_decref(f);
}

static json_t *sandbox(void)
{
    json_t *d = minimal_dossier();
    set_path(d, "use.environment", json_string("exploration"));
    set_path(d, "use.exploration_end", json_string("2026-03-31"));
    set_path(d, "use.citizen_facing", json_false());
    set_path(d, "use.users", strs("internal", NULL));
    set_path(d, "data.personal_data", json_false());
    set_path(d, "data.classification", json_string("none"));
    return d;
}

/* Standpunt 6: exploration, an end date, no citizen-facing use, no production data, no
   sensitive or confidential data. */
static void test_exploration_controlled(void **state)
{
    json_t *d, *f;
    (void)state;
    f = facts(sandbox());
    assert_true(fbool(f, "exploration.controlled"));
    assert_false(fbool(f, "exploration.expired"));
    assert_false(fbool(f, "sensitive_data"));
    json_decref(f);
    d = sandbox();
    set_path(d, "use.exploration_end", json_string("2026-01-31"));
    f = facts(d);
    assert_false(fbool(f, "exploration.controlled"));
    assert_true(fbool(f, "exploration.expired"));
    json_decref(f);
    d = sandbox();
    json_object_del(json_object_get(d, "use"), "exploration_end");
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    d = sandbox();
    set_path(d, "use.environment", json_string("pilot"));
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    d = sandbox();
    set_path(d, "use.citizen_facing", json_true());
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    d = sandbox();
    set_path(d, "use.users", strs("internal", "citizens", NULL));
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    d = sandbox();
    set_path(d, "use.production_data", json_true());
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    d = sandbox();
    set_path(d, "data.personal_data", json_true());
    f = facts(d);
    assert_false(fbool(f, "exploration.controlled"));
    assert_true(fbool(f, "sensitive_data"));
    json_decref(f);
    d = sandbox();
    set_path(d, "data.classification", json_string("dep_vertrouwelijk"));
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    d = sandbox();
    set_path(d, "data.confidential", json_true());
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    d = sandbox();
    set_path(d, "data.special_categories", strs("gezondheid", NULL));
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
    /* unknown personal-data answer: fail closed */
    d = sandbox();
    json_object_del(json_object_get(d, "data"), "personal_data");
    assert_false(fbool(f = facts(d), "exploration.controlled"));
    json_decref(f);
}

static void test_models_open_european(void **state)
{
    json_t *d = minimal_dossier(), *f;
    (void)state;
    set_path(d, "models",
             json_pack("[{s:s,s:s,s:s,s:b,s:s}, {s:s,s:s,s:s,s:b,s:s}]", "name", "a", "provider",
                       "a", "terms", "self_hosted", "open_source", 1, "origin_country", "FR",
                       "name", "b", "provider", "b", "terms", "self_hosted", "open_source", 1,
                       "origin_country", "nl"));
    f = facts(d);
    assert_true(fbool(f, "models.open_source"));
    assert_true(fbool(f, "models.european"));
    assert_int_equal(fint(f, "models.count"), 2);
    json_decref(f);
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s,s:s,s:s,s:b,s:s}]", "name", "a", "provider", "a", "terms", "business",
                       "open_source", 0, "origin_country", "US"));
    f = facts(d);
    assert_false(fbool(f, "models.open_source"));
    assert_false(fbool(f, "models.european"));
    json_decref(f);
    f = facts(minimal_dossier());
    assert_false(fbool(f, "models.open_source"));
    json_decref(f);
}

/* Thresholds come from the parameters, not from the code. */
static void test_params_drive_outcome(void **state)
{
    struct derive_params p;
    json_t *d, *f;
    (void)state;
    derive_params_default(&p);
    assert_int_equal(p.dpia_score_above, 4);
    assert_int_equal(p.subject_count_min, 10000);
    assert_true(p.systemic_risk_flops == 1e25);
    assert_true(p.n_material > 0);
    p.dpia_score_above = 0;
    d = minimal_dossier();
    set_path(d, "data.basisregistratie", json_true());
    f = facts_p(d, &p);
    assert_string_equal(fstr(f, "prescan.dpia"), "required");
    json_decref(f);
    derive_params_default(&p);
    p.subject_count_min = 100;
    d = minimal_dossier();
    set_path(d, "data.subject_count", json_integer(150));
    f = facts_p(d, &p);
    assert_int_equal(fint(f, "prescan.score"), 1);
    json_decref(f);
    derive_params_default(&p);
    p.systemic_risk_flops = 1e23;
    d = minimal_dossier();
    set_path(d, "models",
             json_pack("[{s:s, s:s, s:s, s:s}]", "name", "m", "provider", "p", "terms", "business",
                       "training_flops", "3e24"));
    f = facts_p(d, &p);
    assert_true(fbool(f, "ai_act.systemic_risk"));
    json_decref(f);
}

static void test_bad_eval_date(void **state)
{
    struct sluis_err err;
    json_t *d = minimal_dossier(), *f = (json_t *)1;
    (void)state;
    assert_int_equal(derive_facts(d, NULL, "2026-02-30", &f, &err), SLUIS_EINVAL);
    assert_null(f);
    assert_non_null(strstr(err.msg, "peildatum"));
    assert_int_equal(derive_facts(d, NULL, "", &f, &err), SLUIS_EINVAL);
    assert_int_equal(derive_facts(d, NULL, NULL, &f, &err), SLUIS_EINVAL);
    assert_true(derive_date_valid("2024-02-29"));
    assert_false(derive_date_valid("2023-02-29"));
    assert_false(derive_date_valid("1900-02-29"));
    assert_true(derive_date_valid("2000-02-29"));
    assert_false(derive_date_valid("2026-1-01"));
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_score_categories),
        cmocka_unit_test(test_score_special_categories),
        cmocka_unit_test(test_score_subjects),
        cmocka_unit_test(test_score_subject_count),
        cmocka_unit_test(test_score_frequency),
        cmocka_unit_test(test_score_retention),
        cmocka_unit_test(test_score_transfers_basis_minors),
        cmocka_unit_test(test_score_sum_and_breakdown),
        cmocka_unit_test(test_dpia_score_threshold),
        cmocka_unit_test(test_dpia_triggers),
        cmocka_unit_test(test_dtia),
        cmocka_unit_test(test_kia),
        cmocka_unit_test(test_iama),
        cmocka_unit_test(test_ai_act_excluded),
        cmocka_unit_test(test_ai_act_prohibited),
        cmocka_unit_test(test_ai_act_high_risk),
        cmocka_unit_test(test_ai_act_transparency),
        cmocka_unit_test(test_ai_act_gpai_systemic),
        cmocka_unit_test(test_ai_act_role),
        cmocka_unit_test(test_procured_and_consumer),
        cmocka_unit_test(test_agreements_missing),
        cmocka_unit_test(test_decision_validity),
        cmocka_unit_test(test_exploration_controlled),
        cmocka_unit_test(test_models_open_european),
        cmocka_unit_test(test_params_drive_outcome),
        cmocka_unit_test(test_bad_eval_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
