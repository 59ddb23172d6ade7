/*
 * gw_snapshot.h - the gateway's in-memory policy snapshot: everything the request path needs
 * to decide, precomputed from the register so a request does no database I/O and no policy
 * re-evaluation. A snapshot is immutable once built and reference-counted; a new one replaces
 * the old on NOTIFY and on a short TTL.
 *
 * Input: one JSON "register document" (from the store, or a file for a stand-alone node):
 *   {"applications": [{"id","org_id","state","dossier":{...docs/dossier.md...}}],
 *    "gateway_keys": [{"application","sha256" (hex of the key),"revoked"}],
 *    "gateway_apps": [{"application","sensitive_action":"block"|"redact","scan_responses",
 *                      "allowed_categories":[detector names or categories]}],
 *    "providers":    [{"id","base_url","terms","key_file"?,"timeout_ms"?}],
 *    "trainings":    [{"user","level":"bewust|bekwaam|vloeiend|expert","valid_until"?}],
 *    "users":        [{"id","oidc_subject"}]}   (register users: OIDC subject -> user id)
 * The verdict of each application is computed at build time with the core policy engine for
 * the environment its decision names; dates (agreement valid_until, exploration_end, training
 * valid_until) are checked per request against the current date.
 */
#ifndef SLUIS_GATEWAY_GW_SNAPSHOT_H
#define SLUIS_GATEWAY_GW_SNAPSHOT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

#include "core/err.h"

struct policy_set;

#define GW_ID_CAP 128
#define GW_DATE_CAP 11

enum gw_env { GW_ENV_NONE = 0, GW_ENV_EXPLORATION, GW_ENV_PILOT, GW_ENV_PRODUCTION };

struct gw_model {
    char name[256];
    char provider[GW_ID_CAP];
    char terms[16]; /* negotiated | business | consumer | self_hosted */
};

struct gw_agreement {
    char provider[GW_ID_CAP];
    char valid_until[GW_DATE_CAP]; /* "" = no end date */
};

struct gw_app {
    char id[GW_ID_CAP];
    char org_id[GW_ID_CAP];
    enum gw_env env;    /* the decided environment; NONE when no valid decision */
    int approved;       /* decision valid and verdict allows env */
    char deny_code[48]; /* when !approved: error code */
    char deny_rule[32]; /* rule id behind it */
    char verdict[24];   /* verdict kind name for usage records */
    char exploration_end[GW_DATE_CAP];
    int literacy_rank; /* 0 none required, 1 bewust .. 4 expert */
    struct gw_model *models;
    size_t n_models;
    struct gw_agreement *agreements;
    size_t n_agreements;
    char **allowed; /* allowed data categories / detector names (lower case) */
    size_t n_allowed;
    int redact;         /* 1: redact not-allowed findings (pilot/production), 0: block */
    int scan_responses; /* scan responses too */
    int retain_content; /* retention.prompts_archived: keep content in usage records */
    int revoked;        /* register state says revoked / withdrawn */
};

struct gw_key {
    unsigned char hash[32];
    size_t app; /* index into apps */
    int revoked;
};

struct gw_provider {
    char id[GW_ID_CAP];
    char base_url[512]; /* ".../v1", no trailing slash */
    char terms[16];
    char *secret; /* from SLUIS_PROVIDER_<ID>_KEY or key_file; never logged; may be NULL */
    long timeout_ms;
};

struct gw_user {
    char id[GW_ID_CAP];
    int rank;
    char valid_until[GW_DATE_CAP];
};

/* An OIDC subject ("sub" claim) and the register user it maps to. */
struct gw_subject {
    char sub[256];
    char user[GW_ID_CAP];
};

struct gw_snapshot {
    atomic_int refs;
    unsigned long long serial; /* increases with each build */
    long long built_ms;        /* monotonic clock at build */
    char policy_version[256];
    struct gw_app *apps;
    size_t n_apps;
    struct gw_key *keys; /* sorted by hash */
    size_t n_keys;
    struct gw_provider *providers;
    size_t n_providers;
    struct gw_user *users; /* sorted by id */
    size_t n_users;
    struct gw_subject *subjects; /* sorted by sub */
    size_t n_subjects;
};

/*
 * Builds a snapshot from a register document (borrowed). ps may be NULL only when no
 * application has a decision (then every application is refused). eval_date "YYYY-MM-DD".
 * On success *out has one reference (gw_snapshot_release()). Errors: SLUIS_EINVAL (the
 * document is malformed; err names the path), SLUIS_ENOMEM. Applications whose dossier does
 * not validate or evaluate are kept but refused (fail closed), not an error.
 */
int gw_snapshot_build(const json_t *doc, const struct policy_set *ps, const char *eval_date,
                      struct gw_snapshot **out, struct sluis_err *err);

/* An organisation's own policy set (base + its active file + its role-matrix override). */
struct gw_org_set {
    char org[GW_ID_CAP];
    const struct policy_set *ps; /* NULL: the set could not be loaded (fail closed) */
};

/*
 * Like gw_snapshot_build(), but an application of an organisation listed in sets (n_sets
 * entries, borrowed) is evaluated with that organisation's set instead of ps; when that set is
 * NULL (its stored files did not load) the application is refused with code
 * "org_policy_unavailable", rule "org_policy". Organisations not listed use ps.
 */
int gw_snapshot_build_orgs(const json_t *doc, const struct policy_set *ps,
                           const struct gw_org_set *sets, size_t n_sets, const char *eval_date,
                           struct gw_snapshot **out, struct sluis_err *err);

/* Adds a reference. */
void gw_snapshot_retain(struct gw_snapshot *s);
/* Drops a reference; frees at zero (secrets are wiped). NULL is fine. */
void gw_snapshot_release(struct gw_snapshot *s);

/* The key's application, or NULL. hash is SHA-256 of the presented key. */
const struct gw_key *gw_snapshot_find_key(const struct gw_snapshot *s,
                                          const unsigned char hash[32]);
const struct gw_provider *gw_snapshot_find_provider(const struct gw_snapshot *s, const char *id);
const struct gw_user *gw_snapshot_find_user(const struct gw_snapshot *s, const char *id);
/* The register user id whose oidc_subject is sub, or NULL. */
const char *gw_snapshot_user_of_subject(const struct gw_snapshot *s, const char *sub);
/* The model entry of app with this name, or NULL. */
const struct gw_model *gw_app_find_model(const struct gw_app *a, const char *name);

/* 1 bewust, 2 bekwaam, 3 vloeiend, 4 expert, 0 unknown. */
int gw_literacy_rank(const char *level);
const char *gw_env_name(enum gw_env e);

#endif
