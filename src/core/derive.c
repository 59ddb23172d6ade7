/*
 * derive.c - the derived facts of a dossier (docs/dossier.md, "Derived facts"): DPIA pre-scan
 * (standpunt 4), AI Act class (standpunt 4), procurement, missing agreements, exploration
 * conditions (standpunt 6), decision validity. Every number comes from struct derive_params.
 */
#include "core/derive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bytes_eq.h"
#include "core/dossier.h"
#include "core/dossier_schema.h"
#include "core/jpool.h"
#include "core/str_copy.h"

static void set_name(char *dst, const char *src)
{
    sluis_str_copy(dst, DERIVE_NAME_MAX, src);
}

void derive_params_default(struct derive_params *p)
{
    /* standpunt 6; the same list as policy/standpunt-2025.yaml instruments.material_fields */
    static const char *const material[] = {
        "models",
        "purpose",
        "data.personal_data",
        "data.categories",
        "data.special_categories",
        "use.environment",
        "use.users",
        "use.citizen_facing",
        "agreements",
    };
    static const struct {
        const char *s;
        int w;
    } weights[] = {{"employees", 1}, {"citizens", 1}, {"children", 3}, {"vulnerable", 3}};
    static const char *const eu[] = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
                                     "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
                                     "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};
    size_t i;

    memset(p, 0, sizeof(*p));
    p->categories_min = 6;
    p->categories_score = 1;
    p->special_low_max = 6;
    p->special_low_score = 1;
    p->special_high_score = 2;
    for (i = 0; i < sizeof(weights) / sizeof(weights[0]); i++) {
        set_name(p->subject_weights[i].subject, weights[i].s);
        p->subject_weights[i].weight = weights[i].w;
    }
    p->n_subject_weights = (int)i;
    p->subjects_low_max = 2;
    p->subjects_mid_max = 3;
    p->subjects_mid_score = 1;
    p->subjects_high_score = 2;
    p->subject_count_min = 10000;
    p->subject_count_score = 1;
    set_name(p->frequency_min, "monthly");
    p->frequency_score = 1;
    p->retention_years_min = 1;
    p->retention_score = 1;
    p->transfers_max = 2;
    p->basisregistratie_score = 1;
    p->minors_max = 2;
    p->dpia_score_above = 4;
    p->dpia_edpb_required = 2;
    p->dpia_edpb_recommended = 1;
    p->dpia_ap_list_required = 1;
    set_name(p->outside_eea_locations[0], "us");
    set_name(p->outside_eea_locations[1], "other");
    p->n_outside_eea_locations = 2;
    p->systemic_risk_flops = 1e25;
    p->profiling_always_high_risk = true;
    set_name(p->emotion_prohibited_areas[0], "employment");
    set_name(p->emotion_prohibited_areas[1], "education");
    p->n_emotion_prohibited_areas = 2;
    for (i = 0; i < sizeof(eu) / sizeof(eu[0]); i++)
        sluis_str_copy(p->european_countries[i], sizeof(p->european_countries[i]), eu[i]);
    p->n_european_countries = (int)i;
    for (i = 0; i < sizeof(material) / sizeof(material[0]); i++)
        sluis_str_copy(p->material[i], DERIVE_PATH_MAX, material[i]);
    p->n_material = (int)i;
}

bool derive_date_valid(const char *s)
{
    return s && dossier_schema_date_ok(s, strlen(s));
}

/* ---- small accessors of one key of an object (absent = unknown; d may be NULL) ---- */

/* json_object_get() with the key length taken here, where it folds to a constant for a literal */
static inline const json_t *oget(const json_t *d, const char *key)
{
    return json_object_getn(d, key, strlen(key));
}

static const char *str_at(const json_t *d, const char *key)
{
    return json_string_value(oget(d, key));
}

static bool is_true(const json_t *d, const char *key)
{
    return json_is_true(oget(d, key));
}

/* v (may be NULL) is want */
static bool str_eq(const char *v, const char *want)
{
    return v && strcmp(v, want) == 0;
}

static bool str_is(const json_t *d, const char *key, const char *want)
{
    return str_eq(str_at(d, key), want);
}

/* want in the array arr (NULL: no) */
static bool arr_has(const json_t *arr, const char *want)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
            return true;
    }
    return false;
}

static bool in_names(const char (*names)[DERIVE_NAME_MAX], int n, const char *s)
{
    for (int i = 0; s && i < n; i++) {
        if (strcmp(names[i], s) == 0)
            return true;
    }
    return false;
}

static int clamp(long long v, int max)
{
    if (v < 0)
        return 0;
    return v > max ? max : (int)v;
}

/*
 * A dossier section read by many facts: its keys and values listed once by walking the object
 * (no hashing), then found by a short linear search; each fact reads a key that way in a
 * fraction of what a hash look-up costs. More keys than VIEW_MAX: plain look-ups.
 */
#define VIEW_MAX 24
struct oview {
    const json_t *obj;
    int n; /* -1: too many keys, look them up in obj */
    unsigned char len[VIEW_MAX];
    const char *key[VIEW_MAX];
    const json_t *val[VIEW_MAX];
};

static void view_init(struct oview *w, const json_t *obj)
{
    const char *k;
    json_t *v;

    w->obj = obj;
    w->n = 0;
    if (!json_is_object(obj))
        return;
    if (json_object_size(obj) > VIEW_MAX) {
        w->n = -1;
        return;
    }
    json_object_foreach((json_t *)obj, k, v)
    {
        size_t l = json_object_iter_key_len(json_object_key_to_iter(k));
        if (l > 255 || w->n == VIEW_MAX) {
            w->n = -1;
            return;
        }
        w->len[w->n] = (unsigned char)l;
        w->key[w->n] = k;
        w->val[w->n] = v;
        w->n++;
    }
}

static inline const json_t *vgetn(const struct oview *w, const char *key, size_t len)
{
    if (w->n < 0)
        return json_object_getn(w->obj, key, len);
    for (int i = 0; i < w->n; i++)
        if (w->len[i] == len && sluis_bytes_eq(w->key[i], key, len))
            return w->val[i];
    return NULL;
}

/* the accessors above for a view; key is a literal (its length folds at compile time) */
#define vget(w, k) vgetn((w), (k), sizeof(k) - 1)
#define v_str(w, k) json_string_value(vget((w), k))
#define v_true(w, k) json_is_true(vget((w), k))
#define v_len(w, k) json_array_size(vget((w), k))

static long long v_int_of(const json_t *v, long long dflt)
{
    return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

/* strcasecmp(a, b) == 0 in the C locale, inline (the codes are two letters) */
static bool ascii_caseeq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + ('a' - 'A'));
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + ('a' - 'A'));
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

static int frequency_rank(const char *s)
{
    static const char *const order[] = {"once",   "yearly", "monthly",
                                        "weekly", "daily",  "continuous"};
    for (int i = 0; s && i < (int)(sizeof(order) / sizeof(order[0])); i++) {
        if (strcmp(order[i], s) == 0)
            return i;
    }
    return -1;
}

/* ---- the facts ---- */

/* The sections of the dossier the facts read, looked up once per dossier. */
struct dsec {
    const json_t *data, *use, *ai, *prescan, *models, *agreements, *decision;
    struct oview data_v, use_v, ai_v, prescan_v; /* the sections most facts read */
    /* fields read by more than one fact, looked up once */
    const json_t *categories, *special, *subjects, *users, *personal;
    bool personal_data, citizen_facing;
};

static void dsec_init(struct dsec *s, const json_t *d)
{
    s->data = oget(d, "data");
    s->use = oget(d, "use");
    s->ai = oget(d, "ai_act");
    s->prescan = oget(d, "prescan");
    s->models = oget(d, "models");
    s->agreements = oget(d, "agreements");
    s->decision = oget(d, "decision");
    view_init(&s->data_v, s->data);
    view_init(&s->use_v, s->use);
    view_init(&s->ai_v, s->ai);
    view_init(&s->prescan_v, s->prescan);
    s->categories = vget(&s->data_v, "categories");
    s->special = vget(&s->data_v, "special_categories");
    s->subjects = vget(&s->data_v, "subjects");
    s->users = vget(&s->use_v, "users");
    s->personal = vget(&s->data_v, "personal_data");
    s->personal_data = json_is_true(s->personal);
    s->citizen_facing = v_true(&s->use_v, "citizen_facing");
}

struct prescan_out {
    int score;
    int edpb;
    bool high_risk_input; /* filled by the AI Act part before iama is decided */
};

/* Sets the literal key k (its length folded at compile time: no strlen per key). */
#define set_lit(o, k, v) json_object_setn_new_nocheck((o), (k), sizeof(k) - 1, (v))
#define add_int(o, k, v) set_lit((o), k, json_integer((json_int_t)(v)))
#define add_bool(o, k, v) set_lit((o), k, json_boolean(v))
/* validated or literal */
#define add_str(o, k, v) set_lit((o), k, json_string_nocheck(v))

static json_t *prescan_facts(const struct dsec *s, const struct derive_params *p, bool high_risk)
{
    json_t *o = json_object(), *sc = json_object();
    size_t ncat = json_array_size(s->categories), nspecial = json_array_size(s->special);
    int s_cat = 0, s_special = 0, s_subjects = 0, s_count = 0, s_freq = 0, s_ret = 0, s_transfers,
        s_basis = 0, s_minors, score, subject_sum = 0, edpb, ap, fr, fmin;
    const char *dpia;
    bool dtia;
    const json_t *arr;
    size_t i;
    json_t *v;
    if (!o || !sc)
        goto fail;

    if ((long long)ncat >= p->categories_min)
        s_cat = p->categories_score;
    if (nspecial > 0)
        s_special = (long long)nspecial <= p->special_low_max ? p->special_low_score
                                                              : p->special_high_score;
    for (int k = 0; k < p->n_subject_weights; k++) {
        if (arr_has(s->subjects, p->subject_weights[k].subject))
            subject_sum += p->subject_weights[k].weight;
    }
    if (subject_sum <= p->subjects_low_max)
        s_subjects = 0;
    else if (subject_sum <= p->subjects_mid_max)
        s_subjects = p->subjects_mid_score;
    else
        s_subjects = p->subjects_high_score;
    if (v_int_of(vget(&s->data_v, "subject_count"), -1) >= p->subject_count_min)
        s_count = p->subject_count_score;
    fr = frequency_rank(v_str(&s->data_v, "frequency"));
    fmin = frequency_rank(p->frequency_min);
    if (fr >= 0 && fmin >= 0 && fr >= fmin)
        s_freq = p->frequency_score;
    if (v_int_of(vget(&s->data_v, "retention_years"), -1) >= p->retention_years_min)
        s_ret = p->retention_score;
    s_transfers = clamp(v_int_of(vget(&s->prescan_v, "transfers_score"), 0), p->transfers_max);
    if (v_true(&s->data_v, "basisregistratie"))
        s_basis = p->basisregistratie_score;
    s_minors = clamp(v_int_of(vget(&s->prescan_v, "minors_score"), 0), p->minors_max);
    score = s_cat + s_special + s_subjects + s_count + s_freq + s_ret + s_transfers + s_basis +
            s_minors;

    edpb = (int)v_len(&s->prescan_v, "edpb_criteria");
    ap = (int)v_len(&s->prescan_v, "ap_list");
    if (v_true(&s->prescan_v, "new_legislation") || score > p->dpia_score_above ||
        ap >= p->dpia_ap_list_required || edpb >= p->dpia_edpb_required)
        dpia = "required";
    else if (edpb >= p->dpia_edpb_recommended)
        dpia = "recommended";
    else
        dpia = "not_required";

    dtia = v_true(&s->data_v, "outside_eea");
    arr = s->agreements;
    json_array_foreach(arr, i, v)
    {
        dtia = dtia ||
               in_names(p->outside_eea_locations, p->n_outside_eea_locations,
                        str_at(v, "storage_location")) ||
               in_names(p->outside_eea_locations, p->n_outside_eea_locations,
                        str_at(v, "support_location")) ||
               in_names(p->outside_eea_locations, p->n_outside_eea_locations,
                        str_at(v, "telemetry_location"));
    }
    arr = s->models;
    json_array_foreach(arr, i, v)
    {
        dtia = dtia || in_names(p->outside_eea_locations, p->n_outside_eea_locations,
                                str_at(v, "hosting_region"));
    }

    if (add_int(sc, "categories", s_cat) || add_int(sc, "special_categories", s_special) ||
        add_int(sc, "subjects", s_subjects) || add_int(sc, "subject_count", s_count) ||
        add_int(sc, "frequency", s_freq) || add_int(sc, "retention", s_ret) ||
        add_int(sc, "transfers", s_transfers) || add_int(sc, "basisregistratie", s_basis) ||
        add_int(sc, "minors", s_minors))
        goto fail;
    if (add_bool(o, "complete", s->prescan != NULL) || add_int(o, "score", score) ||
        set_lit(o, "scores", sc) || add_int(o, "edpb_count", edpb) ||
        add_int(o, "ap_list_count", ap) || add_str(o, "dpia", dpia) ||
        add_str(o, "dtia", dtia ? "required" : "not_required") ||
        add_str(o, "kia",
                (v_true(&s->prescan_v, "targets_minors") || arr_has(s->users, "minors"))
                    ? "recommended"
                    : "not_required") ||
        add_str(o, "iama",
                (high_risk || v_true(&s->ai_v, "impactful")) ? "recommended" : "not_required"))
        goto fail_o;
    return o;
fail:
    json_decref(sc);
fail_o:
    json_decref(o);
    return NULL;
}

struct ai_act_out {
    bool excluded, prohibited, high_risk, transparency, gpai, systemic;
};

static void ai_act_classify(const struct dsec *s, const struct derive_params *p,
                            struct ai_act_out *a)
{
    const char *excl = v_str(&s->ai_v, "excluded");
    const char *area = v_str(&s->ai_v, "annex_iii_area");
    const char *st = v_str(&s->ai_v, "system_type");
    bool annex3 = area && strcmp(area, "none") != 0;
    bool profiling = v_true(&s->ai_v, "profiling");
    const json_t *models = s->models;
    size_t i;
    json_t *m;

    memset(a, 0, sizeof(*a));
    a->gpai = st && (strcmp(st, "gpai_system") == 0 || strcmp(st, "gpai_model") == 0);
    json_array_foreach(models, i, m)
    {
        const char *fl = str_at(m, "training_flops");
        if (is_true(m, "gpai"))
            a->gpai = true;
        if (fl && strtod(fl, NULL) > p->systemic_risk_flops)
            a->systemic = true;
    }
    /* a model trained with that much compute is a GPAI model (art. 51) */
    if (a->systemic)
        a->gpai = true;

    a->excluded = excl && strcmp(excl, "none") != 0;
    if (a->excluded)
        return;
    a->prohibited = v_len(&s->ai_v, "prohibited_practices") > 0 ||
                    (v_true(&s->ai_v, "emotion_recognition") &&
                     in_names(p->emotion_prohibited_areas, p->n_emotion_prohibited_areas, area));
    a->high_risk = v_true(&s->ai_v, "annex_i_product") ||
                   (annex3 && (!v_true(&s->ai_v, "art6_3_exception") || profiling)) ||
                   (profiling && p->profiling_always_high_risk);
    a->transparency = v_true(&s->ai_v, "interacts_with_people") ||
                      v_true(&s->ai_v, "generates_synthetic_content") ||
                      v_true(&s->ai_v, "emotion_recognition") || v_true(&s->ai_v, "deepfake") ||
                      s->citizen_facing;
}

static json_t *ai_act_facts(const struct dsec *s, const struct ai_act_out *a)
{
    json_t *o = json_object();
    const char *cls = a->excluded       ? "excluded"
                      : a->prohibited   ? "prohibited"
                      : a->high_risk    ? "high_risk"
                      : a->transparency ? "transparency"
                                        : "minimal";
    const char *role = v_str(&s->ai_v, "role");
    if (!o || add_str(o, "class", cls) || add_bool(o, "prohibited", a->prohibited) ||
        add_bool(o, "high_risk", a->high_risk) ||
        add_bool(o, "transparency_duty", a->transparency) || add_bool(o, "gpai", a->gpai) ||
        add_bool(o, "systemic_risk", a->systemic) || (role && add_str(o, "role", role))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Providers of non-self-hosted models without an agreement record, in order, once each. */
static json_t *missing_agreements(const struct dsec *s)
{
    json_t *out = json_array();
    const json_t *models = s->models, *agr = s->agreements;
    size_t i, k;
    json_t *m, *a;
    if (!out)
        return NULL;
    json_array_foreach(models, i, m)
    {
        const char *prov = str_at(m, "provider");
        bool found = false;
        if (!prov || str_is(m, "terms", "self_hosted"))
            continue;
        json_array_foreach(agr, k, a)
        {
            if (str_is(a, "provider", prov))
                found = true;
        }
        json_array_foreach(out, k, a)
        {
            if (strcmp(json_string_value(a), prov) == 0)
                found = true;
        }
        if (!found && json_array_append_new(out, json_string(prov)) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *agreements_facts(const struct dsec *s)
{
    json_t *o = json_object();
    if (!o || set_lit(o, "missing", missing_agreements(s))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static bool any_model(const struct dsec *s, const char *field, const char *value)
{
    const json_t *models = s->models;
    size_t i;
    json_t *m;
    json_array_foreach(models, i, m)
    {
        if (value ? str_is(m, field, value) : !str_is(m, field, "self_hosted"))
            return true;
    }
    return false;
}

/* Every model satisfies the test; false when there are no models. */
static bool all_models_open(const struct dsec *s)
{
    const json_t *models = s->models;
    size_t i;
    json_t *m;
    if (json_array_size(models) == 0)
        return false;
    json_array_foreach(models, i, m)
    {
        if (!is_true(m, "open_source"))
            return false;
    }
    return true;
}

static bool all_models_european(const struct dsec *s, const struct derive_params *p)
{
    const json_t *models = s->models;
    size_t i;
    json_t *m;
    if (json_array_size(models) == 0)
        return false;
    json_array_foreach(models, i, m)
    {
        const char *c = str_at(m, "origin_country");
        bool eu = false;
        for (int k = 0; c && k < p->n_european_countries && !eu; k++)
            eu = ascii_caseeq(c, p->european_countries[k]);
        if (!eu)
            return false;
    }
    return true;
}

/* Personal data, special categories, a classification marking or owner-marked confidential. */
static bool sensitive_data(const struct dsec *s)
{
    const char *cls = v_str(&s->data_v, "classification");
    return s->personal_data || json_array_size(s->categories) > 0 ||
           json_array_size(s->special) > 0 || v_true(&s->data_v, "confidential") ||
           (cls && strcmp(cls, "none") != 0 && strcmp(cls, "intern") != 0);
}

static json_t *exploration_facts(const struct dsec *s, const char *eval_date, bool sensitive)
{
    json_t *o = json_object();
    const char *end = v_str(&s->use_v, "exploration_end");
    bool expl = str_eq(v_str(&s->use_v, "environment"), "exploration");
    bool expired = end && strcmp(end, eval_date) < 0;
    bool public_users = arr_has(s->users, "citizens") || arr_has(s->users, "businesses") ||
                        arr_has(s->users, "minors");
    bool controlled = expl && end && !expired && !s->citizen_facing && !public_users &&
                      !v_true(&s->use_v, "production_data") && !sensitive &&
                      json_is_false(s->personal);
    if (!o || add_bool(o, "controlled", controlled) || add_bool(o, "expired", expired) ||
        add_bool(o, "has_end", end != NULL)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *decision_facts(const struct dsec *s, const char *hash)
{
    json_t *o = json_object();
    const json_t *dec = s->decision;
    const char *dh = str_at(s->decision, "dossier_hash");
    bool valid =
        dec && str_is(s->decision, "outcome", "approved") && dh && strcasecmp(dh, hash) == 0;
    if (!o || add_str(o, "hash", hash) || add_bool(o, "present", dec != NULL) ||
        add_bool(o, "valid", valid)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int facts(const json_t *dossier, const struct derive_params *p, const char *eval_date,
                 json_t **out, struct sluis_err *err)
{
    struct derive_params dflt;
    struct ai_act_out a;
    struct dsec sec;
    char hash[65];
    json_t *o = NULL, *models = NULL;
    bool sensitive;
    int rc;

    *out = NULL;
    if (!p) {
        derive_params_default(&dflt);
        p = &dflt;
    }
    if (!json_is_object(dossier))
        return sluis_err_set(err, SLUIS_EINVAL, "no dossier");
    if (!derive_date_valid(eval_date))
        return sluis_err_set(err, SLUIS_EINVAL,
                             "invalid evaluation date (ongeldige peildatum) '%.16s': expected "
                             "YYYY-MM-DD",
                             eval_date ? eval_date : "");
    if (p->n_material < 0 || p->n_material > DERIVE_MATERIAL_MAX || p->n_subject_weights < 0 ||
        p->n_subject_weights > DERIVE_LIST_MAX)
        return sluis_err_set(err, SLUIS_EINVAL, "invalid derive parameters");
    rc = dossier_material_hash(dossier, p, hash);
    if (rc)
        return sluis_err_set(err, rc, "cannot compute the dossier hash");

    dsec_init(&sec, dossier);
    ai_act_classify(&sec, p, &a);
    sensitive = sensitive_data(&sec);
    o = json_object();
    models = json_object();
    if (!o || !models)
        goto nomem;
    if (add_bool(models, "open_source", all_models_open(&sec)) ||
        add_bool(models, "european", all_models_european(&sec, p)) ||
        add_int(models, "count", (long long)json_array_size(sec.models)))
        goto nomem;
    if (add_str(o, "eval_date", eval_date) ||
        add_bool(o, "procured",
                 str_eq(v_str(&sec.use_v, "kind"), "procure") || any_model(&sec, "terms", NULL)) ||
        add_bool(o, "consumer_terms", any_model(&sec, "terms", "consumer")) ||
        add_bool(o, "sensitive_data", sensitive) ||
        set_lit(o, "prescan", prescan_facts(&sec, p, a.high_risk)) ||
        set_lit(o, "ai_act", ai_act_facts(&sec, &a)) ||
        set_lit(o, "agreements", agreements_facts(&sec)) ||
        set_lit(o, "decision", decision_facts(&sec, hash)) ||
        set_lit(o, "exploration", exploration_facts(&sec, eval_date, sensitive)) ||
        set_lit(o, "models", models)) {
        models = NULL;
        goto nomem;
    }
    *out = o;
    return 0;
nomem:
    json_decref(models);
    json_decref(o);
    return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
}

int derive_facts(const json_t *dossier, const struct derive_params *p, const char *eval_date,
                 json_t **out, struct sluis_err *err)
{
    int rc;

    jpool_scope_enter(); /* the facts' small blocks come from the pool (jpool.h) */
    rc = facts(dossier, p, eval_date, out, err);
    jpool_scope_leave();
    return rc;
}
