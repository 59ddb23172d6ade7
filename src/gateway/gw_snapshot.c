/* gw_snapshot.c - building the in-memory policy snapshot from a register document. */
#include "gateway/gw_snapshot.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dossier.h"
#include "core/policy.h"
#include "core/verdict.h"

#define GW_SECRET_MAX 4096

int gw_literacy_rank(const char *level)
{
    static const char *const names[] = {"bewust", "bekwaam", "vloeiend", "expert"};
    if (!level)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!strcmp(level, names[i]))
            return i + 1;
    return 0;
}

const char *gw_env_name(enum gw_env e)
{
    switch (e) {
    case GW_ENV_EXPLORATION:
        return "exploration";
    case GW_ENV_PILOT:
        return "pilot";
    case GW_ENV_PRODUCTION:
        return "production";
    default:
        return "none";
    }
}

static enum gw_env env_parse(const char *s)
{
    if (!s)
        return GW_ENV_NONE;
    if (!strcmp(s, "exploration"))
        return GW_ENV_EXPLORATION;
    if (!strcmp(s, "pilot"))
        return GW_ENV_PILOT;
    if (!strcmp(s, "production"))
        return GW_ENV_PRODUCTION;
    return GW_ENV_NONE;
}

static void copy_str(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static int hex_decode(const char *hex, unsigned char out[32])
{
    if (!hex || strlen(hex) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= (unsigned)(c - 'A' + 10);
            else
                return -1;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

static void wipe_free(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = 0;
    free(s);
}

/* The provider secret: environment SLUIS_PROVIDER_<ID>_KEY first, then key_file. */
static char *load_secret(const char *id, const char *key_file)
{
    char var[GW_ID_CAP + 32];
    size_t o = (size_t)snprintf(var, sizeof(var), "SLUIS_PROVIDER_");
    for (const char *p = id; *p && o + 5 < sizeof(var); p++)
        var[o++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    snprintf(var + o, sizeof(var) - o, "_KEY");
    const char *env = getenv(var);
    if (env && *env)
        return strndup(env, GW_SECRET_MAX);
    if (!key_file || !*key_file)
        return NULL;
    FILE *f = fopen(key_file, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, GW_SECRET_MAX + 1);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    size_t n = fread(buf, 1, GW_SECRET_MAX, f);
    fclose(f);
    while (n && isspace((unsigned char)buf[n - 1]))
        buf[--n] = 0;
    if (!n) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int cmp_key(const void *a, const void *b)
{
    return memcmp(((const struct gw_key *)a)->hash, ((const struct gw_key *)b)->hash, 32);
}

static int cmp_user(const void *a, const void *b)
{
    return strcmp(((const struct gw_user *)a)->id, ((const struct gw_user *)b)->id);
}

static int cmp_subject(const void *a, const void *b)
{
    return strcmp(((const struct gw_subject *)a)->sub, ((const struct gw_subject *)b)->sub);
}

static void app_free(struct gw_app *a)
{
    free(a->models);
    free(a->agreements);
    for (size_t i = 0; i < a->n_allowed; i++)
        free(a->allowed[i]);
    free(a->allowed);
}

static int add_allowed(struct gw_app *a, const json_t *list)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        char **na = realloc(a->allowed, (a->n_allowed + 1) * sizeof(*na));
        if (!na)
            return SLUIS_ENOMEM;
        a->allowed = na;
        char *c = strdup(s);
        if (!c)
            return SLUIS_ENOMEM;
        for (char *p = c; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        a->allowed[a->n_allowed++] = c;
    }
    return 0;
}

/* The explicit refusal code for a rule of the standpunt (the rest: not approved). */
static const char *deny_code_for(const char *rule)
{
    if (!strncmp(rule, "SP-04", 5))
        return "consumer_terms_prohibited";
    if (!strcmp(rule, "SP-03a"))
        return "agreement_missing";
    if (!strcmp(rule, "SP-03c"))
        return "agreement_expired";
    if (!strcmp(rule, "SP-05b"))
        return "exploration_expired";
    return "application_not_approved";
}

static void deny(struct gw_app *a, const char *code, const char *rule)
{
    a->approved = 0;
    copy_str(a->deny_code, sizeof(a->deny_code), code);
    copy_str(a->deny_rule, sizeof(a->deny_rule), rule);
}

/* Computes env, approval and deny reason of one application from its dossier. */
static int app_evaluate(struct gw_app *a, const json_t *dossier, const struct policy_set *ps,
                        const char *eval_date)
{
    struct sluis_err e = {0};
    copy_str(a->verdict, sizeof(a->verdict), "none");
    if (!json_is_object(dossier) || dossier_validate(dossier, &e) != 0) {
        deny(a, "application_not_approved", "dossier");
        return 0;
    }
    const json_t *dec = json_object_get(dossier, "decision");
    const char *outcome = json_string_value(json_object_get(dec, "outcome"));
    a->env = env_parse(json_string_value(json_object_get(dec, "environment")));
    if (!outcome || strcmp(outcome, "approved") || a->env == GW_ENV_NONE) {
        a->env = GW_ENV_NONE;
        deny(a, "application_not_approved", "SP-02b");
        return 0;
    }
    if (!ps) {
        deny(a, "application_not_approved", "policy");
        return 0;
    }
    struct verdict v = {0};
    if (policy_evaluate_env(ps, dossier, gw_env_name(a->env), eval_date, &v, &e) != 0) {
        deny(a, "application_not_approved", "policy");
        return 0;
    }
    copy_str(a->verdict, sizeof(a->verdict), verdict_kind_name(v.kind));
    json_t *dv = json_object_get(json_object_get(v.derived, "decision"), "valid");
    int ok = v.kind == VERDICT_ALLOWED ||
             (v.kind == VERDICT_EXPLORATION_ONLY && a->env == GW_ENV_EXPLORATION);
    if (!json_is_true(dv)) {
        deny(a, "application_not_approved", "SP-02b");
    } else if (!ok) {
        /* the most severe unmet finding in force names the rule (prohibit before block) */
        const struct finding *pick = NULL;
        for (size_t i = 0; i < v.n_findings; i++) {
            const struct finding *f = &v.findings[i];
            if (f->status != FINDING_UNMET || !f->in_force || f->severity < SEVERITY_BLOCK)
                continue;
            if (!pick || f->severity > pick->severity)
                pick = f;
        }
        const char *rule = pick ? pick->rule_id : "verdict";
        deny(a, deny_code_for(rule), rule);
    } else {
        a->approved = 1;
    }
    verdict_free(&v);
    return 0;
}

static int build_app(struct gw_app *a, const json_t *j, const struct policy_set *ps,
                     const struct gw_org_set *sets, size_t n_sets, const char *eval_date)
{
    copy_str(a->id, sizeof(a->id), json_string_value(json_object_get(j, "id")));
    copy_str(a->org_id, sizeof(a->org_id), json_string_value(json_object_get(j, "org_id")));
    int org_failed = 0;
    for (size_t k = 0; k < n_sets; k++) {
        if (strcmp(sets[k].org, a->org_id))
            continue;
        ps = sets[k].ps;
        org_failed = !ps;
        break;
    }
    const char *state = json_string_value(json_object_get(j, "state"));
    a->revoked = state && (!strcmp(state, "revoked") || !strcmp(state, "withdrawn") ||
                           !strcmp(state, "retired") || !strcmp(state, "suspended"));
    const json_t *d = json_object_get(j, "dossier");
    int rc = app_evaluate(a, d, ps, eval_date);
    if (rc)
        return rc;
    if (org_failed) /* the organisation's own rules are unknown: refuse, never the base alone */
        deny(a, "org_policy_unavailable", "org_policy");
    copy_str(a->exploration_end, sizeof(a->exploration_end),
             json_string_value(json_object_get(json_object_get(d, "use"), "exploration_end")));
    a->literacy_rank = gw_literacy_rank(
        json_string_value(json_object_get(json_object_get(d, "literacy"), "required_level")));
    a->retain_content =
        json_is_true(json_object_get(json_object_get(d, "retention"), "prompts_archived"));
    const json_t *models = json_object_get(d, "models");
    if (json_is_array(models) && json_array_size(models)) {
        a->models = calloc(json_array_size(models), sizeof(*a->models));
        if (!a->models)
            return SLUIS_ENOMEM;
        size_t i;
        const json_t *m;
        json_array_foreach(models, i, m)
        {
            struct gw_model *gm = &a->models[a->n_models++];
            copy_str(gm->name, sizeof(gm->name), json_string_value(json_object_get(m, "name")));
            copy_str(gm->provider, sizeof(gm->provider),
                     json_string_value(json_object_get(m, "provider")));
            copy_str(gm->terms, sizeof(gm->terms), json_string_value(json_object_get(m, "terms")));
        }
    }
    const json_t *agr = json_object_get(d, "agreements");
    if (json_is_array(agr) && json_array_size(agr)) {
        a->agreements = calloc(json_array_size(agr), sizeof(*a->agreements));
        if (!a->agreements)
            return SLUIS_ENOMEM;
        size_t i;
        const json_t *g;
        json_array_foreach(agr, i, g)
        {
            struct gw_agreement *ga = &a->agreements[a->n_agreements++];
            copy_str(ga->provider, sizeof(ga->provider),
                     json_string_value(json_object_get(g, "provider")));
            copy_str(ga->valid_until, sizeof(ga->valid_until),
                     json_string_value(json_object_get(g, "valid_until")));
        }
    }
    const json_t *data = json_object_get(d, "data");
    rc = add_allowed(a, json_object_get(data, "categories"));
    if (!rc)
        rc = add_allowed(a, json_object_get(data, "special_categories"));
    return rc;
}

static int bad(struct sluis_err *err, const char *path, const char *msg)
{
    if (err)
        copy_str(err->path, sizeof(err->path), path);
    return sluis_err_set(err, SLUIS_EINVAL, "register document: %s", msg);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static atomic_ullong g_serial;

int gw_snapshot_build(const json_t *doc, const struct policy_set *ps, const char *eval_date,
                      struct gw_snapshot **out, struct sluis_err *err)
{
    return gw_snapshot_build_orgs(doc, ps, NULL, 0, eval_date, out, err);
}

int gw_snapshot_build_orgs(const json_t *doc, const struct policy_set *ps,
                           const struct gw_org_set *sets, size_t n_sets, const char *eval_date,
                           struct gw_snapshot **out, struct sluis_err *err)
{
    *out = NULL;
    if (!json_is_object(doc))
        return bad(err, "/", "not an object");
    struct gw_snapshot *s = calloc(1, sizeof(*s));
    if (!s)
        return SLUIS_ENOMEM;
    atomic_init(&s->refs, 1);
    s->serial = atomic_fetch_add(&g_serial, 1) + 1;
    s->built_ms = now_ms();
    copy_str(s->policy_version, sizeof(s->policy_version), ps ? policy_set_version(ps) : "");
    int rc = 0;
    const json_t *apps = json_object_get(doc, "applications");
    const json_t *keys = json_object_get(doc, "gateway_keys");
    const json_t *gapps = json_object_get(doc, "gateway_apps");
    const json_t *provs = json_object_get(doc, "providers");
    const json_t *trains = json_object_get(doc, "trainings");
    const json_t *users = json_object_get(doc, "users");
    if ((apps && !json_is_array(apps)) || (keys && !json_is_array(keys)) ||
        (gapps && !json_is_array(gapps)) || (provs && !json_is_array(provs)) ||
        (trains && !json_is_array(trains)) || (users && !json_is_array(users))) {
        rc = bad(err, "/", "every section must be an array");
        goto out;
    }
    size_t i;
    const json_t *j;
    if (json_array_size(apps)) {
        s->apps = calloc(json_array_size(apps), sizeof(*s->apps));
        if (!s->apps) {
            rc = SLUIS_ENOMEM;
            goto out;
        }
    }
    json_array_foreach(apps, i, j)
    {
        if (!json_is_string(json_object_get(j, "id"))) {
            rc = bad(err, "/applications", "an application needs an id");
            goto out;
        }
        rc = build_app(&s->apps[s->n_apps++], j, ps, sets, n_sets, eval_date);
        if (rc)
            goto out;
    }
    json_array_foreach(gapps, i, j)
    {
        const char *app = json_string_value(json_object_get(j, "application"));
        for (size_t k = 0; app && k < s->n_apps; k++) {
            if (strcmp(s->apps[k].id, app))
                continue;
            const char *act = json_string_value(json_object_get(j, "sensitive_action"));
            s->apps[k].redact = act && !strcmp(act, "redact");
            s->apps[k].scan_responses = json_is_true(json_object_get(j, "scan_responses"));
            rc = add_allowed(&s->apps[k], json_object_get(j, "allowed_categories"));
            if (rc)
                goto out;
        }
    }
    if (json_array_size(keys)) {
        s->keys = calloc(json_array_size(keys), sizeof(*s->keys));
        if (!s->keys) {
            rc = SLUIS_ENOMEM;
            goto out;
        }
    }
    json_array_foreach(keys, i, j)
    {
        const char *app = json_string_value(json_object_get(j, "application"));
        struct gw_key *k = &s->keys[s->n_keys];
        if (!app || hex_decode(json_string_value(json_object_get(j, "sha256")), k->hash)) {
            rc = bad(err, "/gateway_keys", "a key needs an application and a sha256 (64 hex)");
            goto out;
        }
        size_t a;
        for (a = 0; a < s->n_apps && strcmp(s->apps[a].id, app); a++)
            ;
        if (a == s->n_apps)
            continue; /* key of an unknown application: not usable */
        k->app = a;
        k->revoked = json_is_true(json_object_get(j, "revoked"));
        s->n_keys++;
    }
    if (s->n_keys) /* qsort(NULL, 0) is undefined */
        qsort(s->keys, s->n_keys, sizeof(*s->keys), cmp_key);
    if (json_array_size(provs)) {
        s->providers = calloc(json_array_size(provs), sizeof(*s->providers));
        if (!s->providers) {
            rc = SLUIS_ENOMEM;
            goto out;
        }
    }
    json_array_foreach(provs, i, j)
    {
        struct gw_provider *p = &s->providers[s->n_providers];
        const char *id = json_string_value(json_object_get(j, "id"));
        const char *url = json_string_value(json_object_get(j, "base_url"));
        /*
         * A provider without a usable http(s) base_url cannot be routed to: leave it out, so
         * calls to its models are refused as an unknown provider (fail closed) while the rest
         * of the register keeps working.
         */
        if (!id || !url || strlen(url) >= sizeof(p->base_url) ||
            (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
            continue;
        copy_str(p->id, sizeof(p->id), id);
        copy_str(p->base_url, sizeof(p->base_url), url);
        size_t ul = strlen(p->base_url);
        while (ul && p->base_url[ul - 1] == '/')
            p->base_url[--ul] = 0;
        copy_str(p->terms, sizeof(p->terms), json_string_value(json_object_get(j, "terms")));
        p->timeout_ms = (long)json_integer_value(json_object_get(j, "timeout_ms"));
        p->secret = load_secret(id, json_string_value(json_object_get(j, "key_file")));
        s->n_providers++;
    }
    if (json_array_size(trains)) {
        s->users = calloc(json_array_size(trains), sizeof(*s->users));
        if (!s->users) {
            rc = SLUIS_ENOMEM;
            goto out;
        }
    }
    json_array_foreach(trains, i, j)
    {
        const char *user = json_string_value(json_object_get(j, "user"));
        int rank = gw_literacy_rank(json_string_value(json_object_get(j, "level")));
        const char *until = json_string_value(json_object_get(j, "valid_until"));
        if (!user || !rank)
            continue;
        /* one entry per user: the highest level still valid on eval_date wins */
        if (until && *until && strcmp(until, eval_date) < 0)
            continue;
        size_t u;
        for (u = 0; u < s->n_users && strcmp(s->users[u].id, user); u++)
            ;
        if (u == s->n_users) {
            copy_str(s->users[u].id, sizeof(s->users[u].id), user);
            s->n_users++;
        } else if (s->users[u].rank >= rank) {
            continue;
        }
        s->users[u].rank = rank;
        copy_str(s->users[u].valid_until, sizeof(s->users[u].valid_until), until);
    }
    if (s->n_users)
        qsort(s->users, s->n_users, sizeof(*s->users), cmp_user);
    if (json_array_size(users)) {
        s->subjects = calloc(json_array_size(users), sizeof(*s->subjects));
        if (!s->subjects) {
            rc = SLUIS_ENOMEM;
            goto out;
        }
    }
    json_array_foreach(users, i, j)
    {
        const char *id = json_string_value(json_object_get(j, "id"));
        const char *sub = json_string_value(json_object_get(j, "oidc_subject"));
        struct gw_subject *g = &s->subjects[s->n_subjects];
        /* users without a subject, or with one too long to keep whole, cannot log in by token */
        if (!id || !sub || !*sub || strlen(sub) >= sizeof(g->sub) || strlen(id) >= sizeof(g->user))
            continue;
        copy_str(g->sub, sizeof(g->sub), sub);
        copy_str(g->user, sizeof(g->user), id);
        s->n_subjects++;
    }
    if (s->n_subjects) {
        qsort(s->subjects, s->n_subjects, sizeof(*s->subjects), cmp_subject);
        /* a subject claimed by two users maps to neither (the register keeps them unique) */
        size_t o = 0;
        for (size_t k = 0; k < s->n_subjects;) {
            size_t e = k + 1;
            while (e < s->n_subjects && !strcmp(s->subjects[e].sub, s->subjects[k].sub))
                e++;
            if (e == k + 1)
                s->subjects[o++] = s->subjects[k];
            k = e;
        }
        s->n_subjects = o;
    }
out:
    if (rc) {
        gw_snapshot_release(s);
        return rc;
    }
    *out = s;
    return 0;
}

void gw_snapshot_retain(struct gw_snapshot *s)
{
    atomic_fetch_add(&s->refs, 1);
}

void gw_snapshot_release(struct gw_snapshot *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    for (size_t i = 0; i < s->n_apps; i++)
        app_free(&s->apps[i]);
    free(s->apps);
    free(s->keys);
    for (size_t i = 0; i < s->n_providers; i++)
        wipe_free(s->providers[i].secret);
    free(s->providers);
    free(s->users);
    free(s->subjects);
    free(s);
}

const struct gw_key *gw_snapshot_find_key(const struct gw_snapshot *s, const unsigned char hash[32])
{
    struct gw_key k;
    if (!s->n_keys) /* bsearch(NULL, 0) is undefined */
        return NULL;
    memcpy(k.hash, hash, 32);
    return bsearch(&k, s->keys, s->n_keys, sizeof(*s->keys), cmp_key);
}

const struct gw_provider *gw_snapshot_find_provider(const struct gw_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->n_providers; i++)
        if (!strcmp(s->providers[i].id, id))
            return &s->providers[i];
    return NULL;
}

const struct gw_user *gw_snapshot_find_user(const struct gw_snapshot *s, const char *id)
{
    struct gw_user u;
    if (!s->n_users)
        return NULL;
    copy_str(u.id, sizeof(u.id), id);
    return bsearch(&u, s->users, s->n_users, sizeof(*s->users), cmp_user);
}

const char *gw_snapshot_user_of_subject(const struct gw_snapshot *s, const char *sub)
{
    struct gw_subject k;
    if (!sub || !s->n_subjects || strlen(sub) >= sizeof(k.sub))
        return NULL;
    copy_str(k.sub, sizeof(k.sub), sub);
    const struct gw_subject *g =
        bsearch(&k, s->subjects, s->n_subjects, sizeof(*s->subjects), cmp_subject);
    return g ? g->user : NULL;
}

const struct gw_model *gw_app_find_model(const struct gw_app *a, const char *name)
{
    for (size_t i = 0; i < a->n_models; i++)
        if (!strcmp(a->models[i].name, name))
            return &a->models[i];
    return NULL;
}
