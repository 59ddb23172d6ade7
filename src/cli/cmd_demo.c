/* cmd_demo.c - `sluis demo`: seeds a realistic municipality (staff with roles, providers,
 * models, agreements, AI-literacy records, applications in every workflow state) through the
 * register's own REST API, so every state is reached by the real workflow rules. */
#include "cli/commands.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "http/http.h"
#include "store/register.h"
#include "store/store.h"

#define DEMO_MAX_RESP (4 * 1024 * 1024)

struct demo_user {
    const char *suffix, *name, *email, *role;
};

static const struct demo_user demo_users[] = {
    {"eigenaar", "Marieke de Vries", "m.devries", "owner"},
    {"cio", "Jeroen Bakker", "j.bakker", "cio_office"},
    {"ciso", "Fatima El Amrani", "f.elamrani", "ciso"},
    {"fg", "Pieter Jansen", "p.jansen", "fg"},
    {"jurist", "Sanne Visser", "s.visser", "jurist"},
    {"inkoop", "Daan Mulder", "d.mulder", "procurement"},
    {"beheer", "Yusuf Kaya", "y.kaya", "admin"},
    {"auditor", "Lotte Smit", "l.smit", "read_only"},
};
#define N_USERS (sizeof(demo_users) / sizeof(demo_users[0]))

struct demo {
    char base[64];
    char org[64];
    char today[11];
    char tokens[N_USERS][REG_TOKEN_CAP];
    char user_ids[N_USERS][REG_ID_CAP];
    CURL *curl;
    int verbose;
};

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;
    if (b->n + n > DEMO_MAX_RESP)
        return 0;
    char *q = realloc(b->p, b->n + n + 1);
    if (!q)
        return 0;
    memcpy(q + b->n, ptr, n);
    b->p = q;
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static int role_index(const char *role)
{
    for (size_t i = 0; i < N_USERS; i++)
        if (!strcmp(demo_users[i].role, role))
            return (int)i;
    return 0;
}

/*
 * One API call as the user holding role. body (may be NULL) is borrowed. Returns the HTTP
 * status (or -1) and *out (may be NULL) gets the parsed response (caller decrefs).
 */
static int call(struct demo *d, const char *role, const char *method, const char *path,
                const json_t *body, const char *content_type, const char *raw, json_t **out)
{
    char url[512], auth[128], ctype[64];
    snprintf(url, sizeof(url), "%s%s", d->base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %.71s", d->tokens[role_index(role)]);
    snprintf(ctype, sizeof(ctype), "Content-Type: %s",
             content_type ? content_type : "application/json");
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, ctype);
    struct buf b = {0};
    curl_easy_reset(d->curl);
    curl_easy_setopt(d->curl, CURLOPT_URL, url);
    curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, 60L);
    if (text || raw)
        curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, text ? text : raw);
    long status = -1;
    if (curl_easy_perform(d->curl) == CURLE_OK)
        curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    free(text);
    if (out)
        *out = b.p ? json_loads(b.p, 0, NULL) : NULL;
    if (status >= 400 || status < 0)
        fprintf(stderr, "sluis demo: %s %s -> %ld %s\n", method, path, status, b.p ? b.p : "");
    free(b.p);
    return (int)status;
}

/* As call() with If-Match set to the object's current version (read first). */
static int call_if_match(struct demo *d, const char *role, const char *method, const char *path,
                         const json_t *body)
{
    json_t *cur = NULL;
    if (call(d, role, "GET", path, NULL, NULL, NULL, &cur) != 200) {
        json_decref(cur);
        return -1;
    }
    char ifm[64], auth[128], url[512];
    snprintf(ifm, sizeof(ifm), "If-Match: \"%lld\"",
             (long long)json_integer_value(json_object_get(cur, "version")));
    json_decref(cur);
    snprintf(url, sizeof(url), "%s%s", d->base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %.71s", d->tokens[role_index(role)]);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, ifm);
    h = curl_slist_append(h, "Content-Type: application/json");
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct buf b = {0};
    curl_easy_reset(d->curl);
    curl_easy_setopt(d->curl, CURLOPT_URL, url);
    curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &b);
    if (text)
        curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, text);
    long status = -1;
    if (curl_easy_perform(d->curl) == CURLE_OK)
        curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 400 || status < 0)
        fprintf(stderr, "sluis demo: %s %s -> %ld %s\n", method, path, status, b.p ? b.p : "");
    curl_slist_free_all(h);
    free(text);
    free(b.p);
    return (int)status;
}

static void add_days(const char *date, int days, char out[11])
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday += days;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* A complete dossier that the standpunt allows in env (with advice and decision added by the
 * workflow). Caller decrefs. */
static json_t *base_dossier(const struct demo *d, const char *id, const char *name, const char *env,
                            const char *purpose, const char *model, const char *provider)
{
    char review[11], expl_end[11], past[11];
    add_days(d->today, 365, review);
    add_days(d->today, 90, expl_end);
    add_days(d->today, -60, past);
    static const char base[] =
        "{\"sluis_dossier\":1,"
        "\"organisation\":{\"name\":\"Gemeente Voorbeeldstad\",\"layer\":\"gemeente\"},"
        "\"owner\":{\"name\":\"Marieke de Vries\",\"function\":\"Afdelingshoofd "
        "Publieksdienstverlening\",\"email\":\"m.devries@voorbeeldstad.example.nl\"},"
        "\"purpose\":{\"problem\":\"Medewerkers besteden veel tijd aan zoeken en herschrijven "
        "van openbare informatie.\",\"alternatives\":[{\"option\":\"Betere zoekfunctie\","
        "\"rejected_because\":\"Getest; het antwoord wordt niet gevonden.\"}],"
        "\"lawful_basis\":\"Publieke taak; geen persoonsgegevens in de prompts.\"},"
        "\"use\":{\"kind\":\"develop\",\"users\":[\"citizens\"],\"citizen_facing\":true,"
        "\"output_published\":false,\"output_feeds_decisions\":false,\"human_review\":false,"
        "\"ai_disclosure\":true,\"synthetic_content_marked\":true,\"output_modalities\":"
        "[\"text\"],\"production_data\":false},"
        "\"models\":[{\"version\":\"2409\",\"licence\":\"apache-2.0\",\"open_source\":true,"
        "\"origin_country\":\"FR\",\"hosting_region\":\"on_premise\",\"terms\":"
        "\"self_hosted\",\"gpai\":true,\"training_flops\":\"2e23\"}],"
        "\"data\":{\"personal_data\":false,\"categories\":[],\"special_categories\":[],"
        "\"classification\":\"none\",\"confidential\":false,\"sources\":[\"openbare "
        "website\"],\"basisregistratie\":false,\"subjects\":[\"citizens\"],\"subject_count\":"
        "180000,\"frequency\":\"continuous\",\"retention_years\":0,\"outside_eea\":false},"
        "\"prescan\":{\"new_legislation\":false,\"ap_list\":[],\"edpb_criteria\":"
        "[\"innovative_technology\"],\"transfers_score\":0,\"minors_score\":0,"
        "\"targets_minors\":false},"
        "\"ai_act\":{\"role\":\"deployer\",\"system_type\":\"gpai_system\",\"excluded\":"
        "\"none\",\"prohibited_practices\":[],\"annex_i_product\":false,\"annex_iii_area\":"
        "\"none\",\"art6_3_exception\":false,\"profiling\":false,\"interacts_with_people\":"
        "true,\"generates_synthetic_content\":true,\"emotion_recognition\":false,"
        "\"deepfake\":false,\"impactful\":false},"
        "\"literacy\":{\"required_level\":\"bekwaam\",\"programme\":true},"
        "\"oversight\":{\"human_oversight\":true,\"log_retention_days\":180,"
        "\"workers_informed\":true},"
        "\"retention\":{\"prompts_archived\":true,\"selection_list\":\"Selectielijst "
        "gemeenten 2020\"},"
        "\"exit_plan\":\"Terugvallen op het contactformulier; het model draait op eigen "
        "infrastructuur.\",\"kill_switch\":true}";
    json_t *doc = json_loads(base, 0, NULL);
    if (!doc)
        return NULL;
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "name", json_string(name));
    json_object_set_new(doc, "review_date", json_string(review));
    json_object_set_new(json_object_get(doc, "purpose"), "description", json_string(purpose));
    json_object_set_new(json_object_get(doc, "use"), "environment", json_string(env));
    json_t *m = json_array_get(json_object_get(doc, "models"), 0);
    json_object_set_new(m, "name", json_string(model));
    json_object_set_new(m, "provider", json_string(provider));
    static const char *const kinds[] = {"dpia_prescan", "dpia", "ai_act_classification",
                                        "bio_risk_analysis"};
    static const char *const outcomes[] = {
        "DPIA aanbevolen (innovatieve technologie); uitgevoerd.",
        "Restrisico aanvaardbaar; invoer wordt gefilterd op persoonsgegevens.",
        "Gebruiksverantwoordelijke; transparantieplicht art. 50.", "BBN2; maatregelen getroffen."};
    json_t *as = json_array();
    for (size_t i = 0; i < 4; i++)
        json_array_append_new(as, json_pack("{s:s, s:s, s:s, s:s}", "kind", kinds[i], "status",
                                            "completed", "date", past, "outcome", outcomes[i]));
    json_object_set_new(doc, "assessments", as);
    if (!strcmp(env, "exploration")) { /* internal only, no production data */
        json_t *use = json_object_get(doc, "use");
        json_object_set_new(use, "exploration_end", json_string(expl_end));
        json_object_set_new(use, "citizen_facing", json_false());
        json_object_set_new(use, "users", json_pack("[s]", "internal"));
    }
    return doc;
}

struct demo_app {
    const char *id, *name, *env, *purpose, *target;
};

/* The nine applications and the state each one is driven to. */
static const struct demo_app apps[] = {
    {"notulen-samenvatter", "Samenvatter voor notulen", "pilot",
     "Vat opnames van interne overleggen samen tot conceptnotulen.", "draft"},
    {"wmo-brieven-assistent", "Schrijfhulp Wmo-brieven", "pilot",
     "Herschrijft standaardbrieven in eenvoudige taal (B1).", "submitted"},
    {"vergunningen-zoekhulp", "Zoekhulp vergunningen", "production",
     "Helpt inwoners de juiste vergunning te vinden.", "advised"},
    {"chatbot-vraag-voorbeeldstad", "Chatbot \"Vraag Voorbeeldstad\"", "production",
     "Beantwoordt vragen van inwoners over producten en diensten.", "approved"},
    {"fraude-risicoscore", "Risicoscore bijstandsfraude", "production",
     "Geeft bijstandsaanvragen een risicoscore voor extra controle.", "rejected"},
    {"code-assistent-ict", "Code-assistent team ICT", "exploration",
     "Helpt ontwikkelaars met het schrijven en uitleggen van code.", "in_use"},
    {"vertaalhulp-publiekszaken", "Vertaalhulp balie Publiekszaken", "production",
     "Vertaalt openbare informatie voor anderstalige inwoners.", "review_due"},
    {"beeldgenerator-communicatie", "Beeldgenerator afdeling Communicatie", "pilot",
     "Maakt illustraties voor de gemeentelijke website.", "retired"},
    {"samenvatter-raadsstukken", "Samenvatter raadsstukken", "production",
     "Vat raadsvoorstellen samen voor raadsleden.", "needs_reassessment"},
};

static int seed_app(struct demo *d, const struct demo_app *a)
{
    json_t *doc = base_dossier(d, a->id, a->name, a->env, a->purpose, "Mistral-Small-Instruct",
                               "voorbeeldstad-platform");
    if (!doc)
        return -1;
    if (!strcmp(a->id, "fraude-risicoscore")) { /* profiling: high risk, refused */
        json_object_set_new(json_object_get(doc, "ai_act"), "profiling", json_true());
        json_object_set_new(json_object_get(doc, "use"), "output_feeds_decisions", json_true());
        json_object_set_new(json_object_get(doc, "data"), "personal_data", json_true());
    }
    int rc = 0;
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/applications/%s", a->id);
    if (call(d, "owner", "POST", "/api/v1/applications", doc, NULL, NULL, NULL) != 201)
        goto fail;
    if (!strcmp(a->target, "draft"))
        goto out;
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/submit", path);
    if (call(d, "owner", "POST", sub, NULL, NULL, "", NULL) != 200)
        goto fail;
    if (!strcmp(a->target, "submitted"))
        goto out;
    char adv[300];
    snprintf(adv, sizeof(adv), "%s/advice", path);
    static const char *const roles[] = {"cio_office", "ciso", "jurist", "fg"};
    for (size_t i = 0; i < 4; i++) {
        json_t *b = json_pack("{s:s, s:s}", "role", roles[i], "outcome",
                              i == 1 ? "positive_with_conditions" : "positive");
        if (i == 1)
            json_object_set_new(b, "conditions", json_string("Jaarlijkse pentest."));
        int st = call(d, roles[i], "POST", adv, b, NULL, NULL, NULL);
        json_decref(b);
        if (st != 201)
            goto fail;
    }
    if (!strcmp(a->target, "advised"))
        goto out;
    char dec[300];
    snprintf(dec, sizeof(dec), "%s/decision", path);
    int reject = !strcmp(a->target, "rejected");
    json_t *b = json_pack("{s:s, s:s, s:s}", "outcome", reject ? "rejected" : "approved",
                          "environment", a->env, "conditions",
                          reject ? "Profilering van inwoners is hoog risico; niet doen."
                                 : "Evaluatie na zes maanden.");
    int st = call(d, "owner", "POST", dec, b, NULL, NULL, NULL);
    json_decref(b);
    if (st != 201)
        goto fail;
    if (!strcmp(a->target, "approved") || reject)
        goto out;
    if (!strcmp(a->target, "needs_reassessment")) {
        /* a material change after the decision: another model */
        json_t *models = json_object_get(doc, "models");
        json_object_set_new(json_array_get(models, 0), "version", json_string("2501"));
        if (call_if_match(d, "owner", "PUT", path, doc) != 200)
            goto fail;
        goto out;
    }
    char tr[300];
    snprintf(tr, sizeof(tr), "%s/transition", path);
    b = json_pack("{s:s}", "to", "in_use");
    st = call(d, "owner", "POST", tr, b, NULL, NULL, NULL);
    json_decref(b);
    if (st != 200)
        goto fail;
    if (!strcmp(a->target, "in_use"))
        goto out;
    b = json_pack("{s:s}", "to", !strcmp(a->target, "retired") ? "retired" : "review_due");
    st = call(d, "owner", "POST", tr, b, NULL, NULL, NULL);
    json_decref(b);
    if (st != 200)
        goto fail;
    goto out;
fail:
    rc = -1;
out:
    json_decref(doc);
    return rc;
}

static int seed_catalogue(struct demo *d)
{
    char until_ok[11], until_old[11];
    add_days(d->today, 700, until_ok);
    add_days(d->today, -30, until_old);
    json_t *objs[] = {
        json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:s}", "id", "voorbeeldstad-platform",
                  "name", "Eigen AI-platform (Voorbeeldstad)", "country", "NL", "european", 1,
                  "open_source", 1, "terms", "self_hosted", "base_url", "http://127.0.0.1:8090/v1",
                  "notes",
                  "Zelf gehoste open modellen in het eigen datacentrum (demo: sluis "
                  "mock-upstream op poort 8090)."),
        json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s}", "id", "mistral-ai", "name", "Mistral AI",
                  "country", "FR", "european", 1, "open_source", 1, "terms", "negotiated",
                  "base_url", "https://api.mistral.ai/v1"),
        json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s}", "id", "microsoft-azure-openai", "name",
                  "Microsoft Azure OpenAI", "country", "US", "european", 0, "open_source", 0,
                  "terms", "business", "base_url",
                  "https://voorbeeldstad.openai.azure.com/openai/v1"),
    };
    for (size_t i = 0; i < 3; i++) {
        int st = call(d, "procurement", "POST", "/api/v1/providers", objs[i], NULL, NULL, NULL);
        json_decref(objs[i]);
        if (st != 201)
            return -1;
    }
    json_t *models[] = {
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:b}", "id", "mistral-small", "name",
                  "Mistral-Small-Instruct", "provider", "voorbeeldstad-platform", "licence",
                  "apache-2.0", "open_source", 1, "origin_country", "FR", "hosting_region",
                  "on_premise", "terms", "self_hosted", "gpai", 1),
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:b}", "id", "mistral-large", "name",
                  "Mistral-Large", "provider", "mistral-ai", "licence", "proprietary",
                  "open_source", 0, "origin_country", "FR", "hosting_region", "eu", "terms",
                  "negotiated", "gpai", 1),
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:b}", "id", "gpt-4o", "name", "GPT-4o",
                  "provider", "microsoft-azure-openai", "licence", "proprietary", "open_source", 0,
                  "origin_country", "US", "hosting_region", "eu", "terms", "business", "gpai", 1),
    };
    for (size_t i = 0; i < 3; i++) {
        int st = call(d, "procurement", "POST", "/api/v1/models", models[i], NULL, NULL, NULL);
        json_decref(models[i]);
        if (st != 201)
            return -1;
    }
    json_t *agr[] = {
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:b}", "id",
                  "mistral-2025-017", "provider", "mistral-ai", "reference", "INK-2025-017",
                  "valid_until", until_ok, "data_sharing", "none", "retention_days", 0,
                  "retraining", "prohibited", "processor_agreement", 1, "storage_location", "eu",
                  "change_control", 1, "audit_rights", 1, "exit_clause", 1, "liability", 1,
                  "access_logging", 1),
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:s}", "id", "azure-2023-004",
                  "provider", "microsoft-azure-openai", "reference", "INK-2023-004", "valid_until",
                  until_old, "data_sharing", "subprocessors_only", "retention_days", 30,
                  "retraining", "opt_out", "processor_agreement", 1, "storage_location", "eu"),
    };
    for (size_t i = 0; i < 2; i++) {
        int st = call(d, "procurement", "POST", "/api/v1/agreements", agr[i], NULL, NULL, NULL);
        json_decref(agr[i]);
        if (st != 201)
            return -1;
    }
    /* AI literacy through the CSV import a learning system would deliver */
    char csv[4096];
    size_t o = (size_t)snprintf(csv, sizeof(csv), "user_id,course,level,date,valid_until\n");
    /* eigenaar, cio, ciso, fg, jurist, inkoop, beheer, auditor: procurement falls short of
     * the policy's "vloeiend", the auditor has had no training yet */
    static const char *const lv[] = {"Bekwaam", "Vloeiend", "Bekwaam", "Vloeiend",
                                     "Bewust",  "Bewust",   "Expert",  ""};
    char done[11], valid[11];
    add_days(d->today, -120, done);
    add_days(d->today, 610, valid);
    for (size_t i = 0; i < N_USERS; i++) {
        if (!lv[i][0])
            continue; /* the auditor has had no training yet */
        o += (size_t)snprintf(csv + o, sizeof(csv) - o,
                              "%s,\"AI-geletterdheid voor de overheid (RADIO)\",%s,%s,%s\n",
                              d->user_ids[i], lv[i], done, valid);
    }
    return call(d, "admin", "POST", "/api/v1/training/import", NULL, "text/csv", csv, NULL) == 201
               ? 0
               : -1;
}

static int seed_people(struct store *st, struct demo *d, const char *org_name,
                       struct sluis_err *err)
{
    struct store_tx *tx;
    int rc = store_tx_begin(st, STORE_TX_WRITE, &tx, err);
    if (rc)
        return rc;
    struct reg_org org, old;
    if (reg_org_get(tx, d->org, &old, err) == 0) {
        store_tx_rollback(tx);
        return sluis_err_set(err, SLUIS_ECONFLICT,
                             "organisatie '%s' bestaat al / organisation '%s' already exists "
                             "(use another --org or a fresh --db)",
                             d->org, d->org);
    }
    memset(&org, 0, sizeof(org));
    snprintf(org.id, sizeof(org.id), "%s", d->org);
    snprintf(org.name, sizeof(org.name), "%s", org_name);
    snprintf(org.layer, sizeof(org.layer), "gemeente");
    rc = reg_org_put(tx, &org, "demo", err);
    for (size_t i = 0; !rc && i < N_USERS; i++) {
        struct reg_user u;
        memset(&u, 0, sizeof(u));
        snprintf(u.id, sizeof(u.id), "%s.%s", d->org, demo_users[i].suffix);
        snprintf(u.org_id, sizeof(u.org_id), "%s", d->org);
        snprintf(u.name, sizeof(u.name), "%s", demo_users[i].name);
        snprintf(u.email, sizeof(u.email), "%s@%s.example.nl", demo_users[i].email, d->org);
        snprintf(u.roles, sizeof(u.roles), "[\"%s\"]", demo_users[i].role);
        snprintf(d->user_ids[i], sizeof(d->user_ids[i]), "%s", u.id);
        rc = reg_user_put(tx, &u, "demo", err);
        if (!rc)
            rc = reg_token_create(tx, u.id, "demo", d->tokens[i], NULL, err);
    }
    if (rc) {
        store_tx_rollback(tx);
        return rc;
    }
    return store_tx_commit(tx, err);
}

static int write_tokens(const struct demo *d, const char *path, const char *org_name)
{
    json_t *t = json_object(), *u = json_object();
    for (size_t i = 0; i < N_USERS; i++) {
        json_object_set_new(t, demo_users[i].role, json_string(d->tokens[i]));
        json_object_set_new(u, demo_users[i].role, json_string(d->user_ids[i]));
    }
    json_t *doc = json_pack("{s:s, s:s, s:o, s:o}", "organisation", d->org, "name", org_name,
                            "tokens", t, "users", u);
    FILE *f = fopen(path, "w");
    int rc = f && json_dumpf(doc, f, JSON_INDENT(2)) == 0 ? 0 : -1;
    if (f && fclose(f))
        rc = -1;
    json_decref(doc);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out, "gebruik / usage: sluis demo [--db PATH|URL] [--org ID] [--name NAME]\n"
                 "                  [--tokens FILE] [--policy FILE] [--today YYYY-MM-DD]\n\n"
                 "Vult het register met een voorbeeldgemeente: medewerkers met rollen,\n"
                 "aanbieders, modellen, overeenkomsten, scholing en negen toepassingen in elke\n"
                 "toestand, via de eigen REST API. Seeds a demo municipality through the API.\n\n"
                 "  --db PATH|URL   database (default ./sluis.db)\n"
                 "  --org ID        organisatie-id (default voorbeeldstad)\n"
                 "  --name NAME     naam (default \"Gemeente Voorbeeldstad\")\n"
                 "  --tokens FILE   tokens van de demogebruikers (default <db>.tokens.json;\n"
                 "                  for PostgreSQL ./sluis-demo.tokens.json)\n");
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"org", required_argument, NULL, 'o'},
        {"name", required_argument, NULL, 'n'},   {"tokens", required_argument, NULL, 't'},
        {"policy", required_argument, NULL, 'p'}, {"today", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *db = "./sluis.db", *org = "voorbeeldstad", *name = "Gemeente Voorbeeldstad";
    const char *tokens = NULL, *policy = NULL, *today = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'o':
            org = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 't':
            tokens = optarg;
            break;
        case 'p':
            policy = optarg;
            break;
        case 'T':
            today = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc || strlen(org) > 40 || strchr(org, ':')) {
        usage(stderr);
        return CLI_USAGE;
    }
    char tpath[1100];
    if (tokens)
        snprintf(tpath, sizeof(tpath), "%s", tokens);
    else if (!strncmp(db, "postgres", 8))
        snprintf(tpath, sizeof(tpath), "./sluis-demo.tokens.json");
    else
        snprintf(tpath, sizeof(tpath), "%s.tokens.json", db);

    struct demo d;
    memset(&d, 0, sizeof(d));
    snprintf(d.org, sizeof(d.org), "%s", org);
    if (today) {
        snprintf(d.today, sizeof(d.today), "%s", today);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(d.today, sizeof(d.today), "%Y-%m-%d", &tm);
    }
    int rc = CLI_USAGE;
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store *st = NULL;
    struct api *api = NULL;
    struct http_server *srv = NULL;
    if (store_open(db, &st, &err) || seed_people(st, &d, name, &err)) {
        fprintf(stderr, "sluis demo: %s\n", err.msg);
        goto out;
    }
    struct api_config acfg = {.store = st, .policy_file = policy, .today = today};
    struct http_config hcfg = {.host = "127.0.0.1", .port = 0, .threads = 2};
    if (api_new(&api, &acfg, &err) || http_server_new(&srv, &hcfg, &err) ||
        api_routes_register(api, srv, &err) || http_server_start(srv, &err)) {
        fprintf(stderr, "sluis demo: %s\n", err.msg);
        goto out;
    }
    snprintf(d.base, sizeof(d.base), "http://127.0.0.1:%u", (unsigned)http_server_port(srv));
    d.curl = curl_easy_init();
    if (!d.curl)
        goto out;
    rc = CLI_NO;
    if (seed_catalogue(&d))
        goto out;
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
        if (seed_app(&d, &apps[i]))
            goto out;
    if (write_tokens(&d, tpath, name)) {
        fprintf(stderr, "sluis demo: kan %s niet schrijven / cannot write %s\n", tpath, tpath);
        goto out;
    }
    printf("Demo-organisatie '%s' (%s) aangemaakt / created, %zu toepassingen / applications.\n"
           "Tokens: %s\n\n",
           name, org, sizeof(apps) / sizeof(apps[0]), tpath);
    for (size_t i = 0; i < N_USERS; i++)
        printf("  %-12s %-24s %s\n", demo_users[i].role, d.user_ids[i], d.tokens[i]);
    printf("\nStart / start: sluis serve --db %s\n", db);
    rc = CLI_OK;
out:
    if (d.curl)
        curl_easy_cleanup(d.curl);
    http_server_free(srv);
    api_free(api);
    store_close(st);
    return rc;
}
