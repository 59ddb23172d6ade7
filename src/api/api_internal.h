/*
 * api_internal.h - shared between the files of src/api (not for other subsystems).
 */
#ifndef SLUIS_API_INTERNAL_H
#define SLUIS_API_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "api/api.h"
#include "core/policy.h"
#include "core/verdict.h"
#include "store/register.h"

#define API_ORG_SYSTEM "system" /* owner organisation of global objects (policy versions) */
#define API_MAX_POLICIES 64     /* policy sets kept loaded (versions x organisations); LRU */
#define API_EXT_ID_MAX 64       /* bytes of an id as the API shows it */

enum api_role {
    ROLE_OWNER = 1u << 0,
    ROLE_CIO_OFFICE = 1u << 1,
    ROLE_CISO = 1u << 2,
    ROLE_FG = 1u << 3,
    ROLE_JURIST = 1u << 4,
    ROLE_PROCUREMENT = 1u << 5,
    ROLE_ADMIN = 1u << 6,
    ROLE_READ_ONLY = 1u << 7,
};
#define ROLES_ADVICE (ROLE_CIO_OFFICE | ROLE_CISO | ROLE_FG | ROLE_JURIST | ROLE_PROCUREMENT)

/* The authenticated caller. */
struct api_principal {
    char user_id[REG_ID_CAP];
    char org_id[REG_ID_CAP];
    char token_id[REG_ID_CAP]; /* "" for OIDC */
    int operator;              /* 1: the instance operator (no user, no organisation) */
    char name[256];
    char email[256];
    unsigned roles; /* enum api_role bits */
    json_t *roles_json;
};

struct api_policy {
    char key[REG_ID_CAP + 260]; /* version, or "<org>|<version>" for an organisation's set */
    char version[256];
    struct policy_set *ps;
    int refs;                /* requests using it now: never evicted while > 0 */
    unsigned long long used; /* api->policy_clock at the last use (LRU) */
};

struct oidc_keys;
struct api_route;

struct route_ud {
    struct api *api;
    const struct api_route *route;
};
#define API_MAX_ROUTE_UDS 128

#define API_AUTH_CACHE 256   /* cached token lookups (slots) */
#define API_AUTH_TTL_MS 5000 /* a cached lookup is trusted this long */

struct auth_entry {
    char key[65]; /* SHA-256 hex of the presented token; "" = empty slot */
    long long expires_ms;
    unsigned epoch;
    char token_id[REG_ID_CAP];
    struct reg_user user;
};

struct api {
    struct route_ud routes[API_MAX_ROUTE_UDS];
    pthread_mutex_t auth_mu;
    unsigned auth_epoch; /* bumped on every token/user change: drops all cached lookups */
    struct auth_entry *auth_cache;
    int n_routes;
    struct store *st;
    char today[11];
    struct api_policy current;
    char *current_src; /* the current base policy's YAML (organisation sets are built on it) */
    size_t current_len;
    char base_id[64];      /* the base policy's id ("standpunt-2025") */
    char operator_sha[65]; /* SHA-256 hex of the instance operator token; "" = none */
    pthread_mutex_t pol_mu;
    struct api_policy cached[API_MAX_POLICIES];
    unsigned long long policy_clock;
    int n_cached;
    struct oidc_keys *oidc;
    char oidc_issuer[256];
    char oidc_audience[256];
};

/* A route handler: who is NULL for public routes; arg is the route table's arg. */
typedef int (*api_fn)(struct api *api, const struct api_principal *who, struct http_req *req,
                      struct http_resp *resp, const void *arg);

/* ---- roles (roles.c) ---- */
unsigned api_role_bit(const char *name);
const char *api_role_name(unsigned bit);
/* Parses a JSON array of role names; 0 or SLUIS_EINVAL (unknown role / not strings). */
int api_roles_parse(const json_t *arr, unsigned *bits, char *bad, size_t bad_cap);

/* ---- auth (auth.c) ---- */
/* Authenticates req; 0 and *who (caller frees roles_json with api_principal_free), or fills resp
 * with 401 and returns SLUIS_EDENIED. */
int api_authenticate(struct api *api, struct http_req *req, struct http_resp *resp,
                     struct api_principal *who);
void api_principal_free(struct api_principal *who);
/* Forgets every cached token lookup (after a token revocation or a user change). */
void api_auth_invalidate(struct api *api);

/* ---- OIDC (oidc.c): declared in api/oidc.h ---- */
#include "api/oidc.h"

/* ---- helpers (util.c) ---- */
/* "org:id" internal id from an external id; SLUIS_EINVAL when ext is not [A-Za-z0-9._-]{1,64}. */
int api_iid(char *out, size_t cap, const char *org, const char *ext);
/* The external id of an internal one (after the first ':'), borrowed. */
const char *api_ext_id(const char *iid);
bool api_ext_id_ok(const char *ext);
void api_random_id(char out[17]);
/* Object as JSON for the API (new reference), or NULL on ENOMEM. */
json_t *api_object_json(const struct reg_object *obj);
/* The same object as JSON text with its content spliced in verbatim (fast path of reads);
 * malloc'ed, caller frees; NULL on ENOMEM. */
char *api_object_text(const struct reg_object *obj, size_t *len);
/* Sets ETag from obj->version. */
void api_etag_set(struct http_resp *resp, long long version);
/* Parses If-Match: 0 and *version; SLUIS_ENOTFOUND when absent; SLUIS_EINVAL when bad. */
int api_if_match(struct http_req *req, long long *version);
/* Answers an error from a store/core failure. */
void api_resp_err(struct http_resp *resp, int rc, const struct sluis_err *err);
/* Clears *err and begins a transaction of mode on api's store into *tx. On failure answers resp
   with the error (api_resp_err) and returns its negative SLUIS_E* code; the caller just returns.
   On success the caller owns *tx (commit or rollback). */
int api_tx_open(struct api *api, enum store_tx_mode mode, struct http_resp *resp,
                struct store_tx **tx, struct sluis_err *err);
/* Queues a register-change notification (delivered on commit) for the gateway. */
void api_notify(struct store_tx *tx, const char *kind);
/* Answers 403. */
void api_forbidden(struct http_resp *resp);
/* Answers 404 for a kind. */
void api_not_found(struct http_resp *resp, const char *what);
/* Reads ?limit= and ?offset=; SLUIS_EINVAL (resp filled) when bad. */
int api_paging(struct http_req *req, struct http_resp *resp, long long *limit, long long *offset);
/* Today's date (api->today or UTC), YYYY-MM-DD. */
void api_today(const struct api *api, char out[11]);
/* Parses the body as a JSON object, or answers 400/415 and returns SLUIS_EINVAL. */
int api_body(struct http_req *req, struct http_resp *resp, json_t **out);

/* ---- body schemas (schema.c) ---- */
enum api_ftype { AF_STR, AF_TEXT, AF_SLUG, AF_BOOL, AF_INT, AF_DATE, AF_ENUM, AF_STRLIST, AF_ANY };
struct api_field {
    const char *name; /* NULL ends */
    enum api_ftype type;
    int required;
    size_t max;               /* strings: bytes; ints: max value */
    const char *const *enums; /* AF_ENUM */
};
/* Checks obj against fields (unknown keys, types, caps). 0 or SLUIS_EINVAL with err->path. */
int api_schema_check(const json_t *obj, const struct api_field *fields, struct sluis_err *err);
/*
 * api_body() then api_schema_check(): *out is a new reference on success; otherwise the 400/415
 * is answered in resp, *out is NULL and SLUIS_EINVAL returned.
 */
int api_body_checked(struct http_req *req, struct http_resp *resp, const struct api_field *fields,
                     json_t **out);
/*
 * Validates content as one item of a dossier list field (list = "agreements", "models",
 * "assessments", "advice") or the dossier's "decision" object, using the core's dossier schema.
 * Error paths are relative to content ("/valid_until").
 */
int api_dossier_part_check(const json_t *content, const char *list, struct sluis_err *err);

/* ---- policies (policies.c) ---- */
int api_policy_init(struct api *api, const char *policy_file, struct sluis_err *err);
void api_policy_fini(struct api *api);
/* Cached set by key or NULL; a found set is held until api_policy_release(). */
const struct policy_set *api_policy_cache_get(struct api *api, const char *key);
/* Caches ps under key (takes ownership) and holds it; *out is the cached set (another
 * thread's when it won). When the cache is full the least recently used set nobody holds is
 * freed; SLUIS_ETOOBIG when every set is held (ps freed). */
int api_policy_cache_put(struct api *api, const char *key, struct policy_set *ps,
                         const struct policy_set **out, struct sluis_err *err);
/* The YAML source of a recorded base policy version (malloc'ed); SLUIS_ENOTFOUND. */
int api_policy_base_source(struct api *api, struct store_tx *tx, const char *version, char **src,
                           struct sluis_err *err);

/* ---- organisation policies (orgpolicy.c) ---- */
#define API_ROLE_MATRIX_ID "role-matrix" /* policy id of the generated role-matrix overlay */
#define API_PART_RULES "rules"
#define API_PART_MATRIX "role_matrix"
/* Gives back a set of api_org_policy() / api_org_policy_version() (the texts of a verdict
 * borrow from it: release after verdict_free). NULL and the current base set are fine. */
void api_policy_release(struct api *api, const struct policy_set *ps);
/* The version string api_org_policy() would give, copied into out ("" when org's own files no
 * longer load on the base: not an error here). */
int api_org_policy_name(struct api *api, struct store_tx *tx, const char *org, char *out,
                        size_t cap, struct sluis_err *err);
/*
 * The policy set organisation org evaluates with now: the base policy, then its active policy
 * file (extra rules), then its active role-matrix override. *ps (and *version, which borrows
 * from it) are held until api_policy_release(api, *ps). Reads in tx. Errors: SLUIS_EINVAL when the
 * stored files no longer load on the current base (err says why), SLUIS_ETOOBIG (cache full),
 * SLUIS_EIO.
 */
int api_org_policy(struct api *api, struct store_tx *tx, const char *org,
                   const struct policy_set **ps, const char **version, struct sluis_err *err);
/* The set of a version string as verdicts and decisions carry it ("base" or
 * "base+file@v+role-matrix@h"), with org's files; held until api_policy_release().
 * SLUIS_ENOTFOUND when unknown. */
int api_org_policy_version(struct api *api, struct store_tx *tx, const char *org,
                           const char *version, const struct policy_set **ps,
                           struct sluis_err *err);
/* The active object of a part (API_PART_RULES / API_PART_MATRIX) of org into *obj (caller
 * frees); SLUIS_ENOTFOUND when none is active. */
int api_org_policy_active(struct store_tx *tx, const char *org, const char *part,
                          struct reg_object *obj, struct sluis_err *err);
/* Loads the current base plus srcs[0..n-1] (n <= 2) into a new set the caller frees; errors
 * with the position in names[i]. */
int api_org_policy_load(struct api *api, const char *const *srcs, const char *const *names,
                        size_t n, struct policy_set **out, struct sluis_err *err);
/* 1 when role is one the register's users can advise in (cio_office, ciso, fg, jurist,
 * procurement). */
int api_advice_role_ok(const char *role);
/* Checks that every advice role of ps (a role with advice_required_when) is one users can
 * hold; otherwise SLUIS_EINVAL naming it (its id also in bad). */
int api_policy_roles_check(const struct policy_set *ps, char *bad, size_t bad_cap,
                           struct sluis_err *err);

/* ---- the role-matrix override (rolematrix.c) ---- */
#define API_MATRIX_HEAD_LINES 7 /* lines of the generated file before its first role */
/* Checks a role_matrix value: null, or {advice role: condition string (1..4096 bytes) | null}.
 * SLUIS_EINVAL with err->path ("/role_matrix/<role>"). */
int api_role_matrix_shape(const json_t *m, struct sluis_err *err);
/*
 * Writes the organisation policy file (YAML; JSON flow style, one role per line after
 * API_MATRIX_HEAD_LINES lines) that replaces the roles of matrix ({role: condition}, strings
 * only) on top of below (their titles and literacy levels are kept). *src is malloc'ed (caller
 * frees); ver gets the content hash (12 hex, the file's version); order[0..*n_order-1] (room for
 * 5) the role of each generated role line. Errors: SLUIS_ENOMEM, SLUIS_ETOOBIG.
 */
int api_role_matrix_source(const char *base_id, const struct policy_set *below,
                           const json_t *matrix, const char *today, char **src, char ver[13],
                           const char **order, size_t *n_order, struct sluis_err *err);
/* line:column of the first `id: <role>` line of a policy file's text (for an error that names
 * a role); *line and *col are left alone when there is none. */
void api_policy_role_position(const char *src, const char *role, int *line, int *col);

/* ---- applications (applications.c) ---- */
/*
 * The dossier as the register sees it: app content + register assessments, advice, decision
 * and the org's agreements for the dossier's providers. New reference in *out.
 */
int api_effective_dossier(struct store_tx *tx, const struct reg_object *app, json_t **out,
                          struct sluis_err *err);
/* Reads object kind/ext id of who's organisation into *obj; SLUIS_ENOTFOUND when absent or
 * of another organisation. */
int api_object_load(struct store_tx *tx, const char *kind, const char *org, const char *ext,
                    struct reg_object *obj, struct sluis_err *err);
/* Literacy level rank: bewust 1 .. expert 4, 0 unknown. */
int api_level_rank(const char *level);
/* The user's current literacy level on date (rank), from training objects. */
int api_user_level(struct store_tx *tx, const char *org, const char *user_id, const char *date,
                   char *valid_until, size_t cap, struct sluis_err *err);

/* ---- CSV (csv.c): training-record import ---- */
#define API_CSV_MAX_ROWS 10000
/* Row callback: fields by header column: user_id, course, level, date, valid_until ("" absent). */
typedef int (*api_csv_cb)(void *ud, long line, const char *const *fields);
/* Parses CSV (header line naming the 5 columns in any order; "valid_until" optional; RFC 4180
 * quotes). Returns 0, a non-zero cb result, or SLUIS_EINVAL/ETOOBIG with err->path "/line/N". */
int api_csv_parse(const char *buf, size_t len, api_csv_cb cb, void *ud, struct sluis_err *err);

/* ---- route tables per file ---- */
struct api_route {
    const char *method;
    const char *pattern;
    api_fn fn;
    const void *arg;
    int public_route;   /* no auth */
    int operator_route; /* the instance operator may call it (every other route refuses it) */
};
extern const struct api_route api_routes_objects[];
extern const struct api_route api_routes_apps[];
extern const struct api_route api_routes_users[];
extern const struct api_route api_routes_misc[];
extern const struct api_route api_routes_literacy[];
extern const struct api_route api_routes_orgs[];
extern const struct api_route api_routes_policies[];
extern const struct api_route api_routes_check[];

/* shared handlers/helpers between files */
int api_list_objects(struct api *api, struct http_req *req, struct http_resp *resp,
                     const struct reg_filter *f0);
int api_require_if_match(struct http_req *req, struct http_resp *resp, long long *version);
int api_app_literacy(struct api *api, const struct api_principal *who, struct http_req *req,
                     struct http_resp *resp, const void *arg);
struct audit_filter;
/* Parses and validates the body as a dossier (the core loader's checks); answers 400/413/415
 * with the field and returns non-zero when bad. *doc is a new reference on success. */
int api_dossier_body(struct http_req *req, struct http_resp *resp, json_t **doc);
/* The organisation's register agreements for the dossier's providers replace the dossier's own
 * (doc is changed in place). */
int api_merge_agreements(struct store_tx *tx, const char *org, json_t *doc, struct sluis_err *err);
/* Validates the environment/date/lang query parameters of a verdict; answers 400 and returns
 * SLUIS_EINVAL when bad. */
int api_verdict_query(struct http_req *req, struct http_resp *resp, const char **env,
                      const char **date, const char **lang);
/* Evaluates doc for env on date under ps; *permit 1 when the verdict permits it there. */
int api_evaluate(const struct policy_set *ps, const json_t *doc, const char *env, const char *date,
                 struct verdict *v, int *permit, struct sluis_err *err);
int api_audit_answer(struct api *api, struct http_req *req, struct http_resp *resp,
                     const struct audit_filter *f);

#endif
