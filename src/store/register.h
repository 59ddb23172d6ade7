/*
 * register.h - the register's data model on top of store.h: organisations, users, API
 * tokens, and a generic document store of versioned objects (applications, dossiers,
 * decisions, ... : the "kind" is free text, so new entity kinds need no migration).
 *
 * Every mutating function takes the audit lock, checks, writes, and appends one audit entry
 * (actor, action, kind, object id, SHA-256 of the content before and after) in the SAME
 * transaction, which must be STORE_TX_WRITE. Any error of a mutating function marks the
 * transaction failed: store_tx_commit() then refuses and rolls back, so nothing partial is
 * ever stored (roll back and start again, e.g. after SLUIS_ECONFLICT). Text fields are "" when
 * absent (stored as NULL where optional).
 *
 * Identifiers (kind, id, org_id, user ids): 1..127 bytes of [A-Za-z0-9._:@-]; anything else
 * is SLUIS_EINVAL. Content is JSON text (any JSON value; the register stores it verbatim,
 * max REG_MAX_CONTENT bytes).
 */
#ifndef SLUIS_STORE_REGISTER_H
#define SLUIS_STORE_REGISTER_H

#include "core/err.h"
#include "store/store.h"

/*
 * Notification channels (store_listen): every object put/set_state/delete announces
 * "kind/id/version" on REG_CHANNEL_OBJECTS (version 0 = deleted); a token revocation
 * announces the token id on REG_CHANNEL_TOKENS ("*" when a user and all its tokens were
 * deleted). Delivered after commit; on PostgreSQL to every process (gateway nodes).
 */
#define REG_CHANNEL_OBJECTS "sluis_objects"
#define REG_CHANNEL_TOKENS "sluis_tokens"

#define REG_MAX_CONTENT (4 * 1024 * 1024)
#define REG_ID_CAP 128
#define REG_TOKEN_CAP 72 /* "sluis_" + 64 hex + NUL */

/* ---- objects (generic documents) ---- */

struct reg_object {
    char kind[64];
    char id[REG_ID_CAP];
    char org_id[REG_ID_CAP];
    char parent_id[REG_ID_CAP]; /* "" = none */
    char state[64];             /* workflow state, "" = none */
    long long version;          /* 1 after create, +1 per update; the ETag */
    char *content;              /* JSON text, malloc'ed; owned by the struct */
    char created_at[40];
    char updated_at[40];
    char created_by[REG_ID_CAP];
    char updated_by[REG_ID_CAP];
};

/* Expected versions for reg_object_put / reg_object_delete. */
#define REG_VERSION_CREATE (-1LL) /* must not exist yet */
#define REG_VERSION_ANY 0LL       /* create or overwrite whatever is there */

/* Frees obj->content and zeroes obj (not the struct itself). obj may be NULL. */
void reg_object_free(struct reg_object *obj);

/*
 * Creates or updates obj (kind, id, org_id, parent_id, state, content are read; content must
 * be valid JSON). expected_version: REG_VERSION_CREATE, REG_VERSION_ANY, or the version the
 * caller read (If-Match). On success sets obj->version, created_* and updated_* to the
 * stored values and appends an audit entry (action "create" or "update"). Errors:
 * SLUIS_ECONFLICT (exists on create / version differs: HTTP 409 or 412), SLUIS_ENOTFOUND
 * (expected_version > 0 but no such object), SLUIS_EINVAL, SLUIS_ETOOBIG, SLUIS_EIO.
 * org_id of an existing object cannot change (SLUIS_EINVAL).
 */
int reg_object_put(struct store_tx *tx, struct reg_object *obj, long long expected_version,
                   const char *actor, struct sluis_err *err);

/*
 * Like reg_object_put() for an existing object, but only changes state (a workflow step)
 * and appends an audit entry with action, e.g. "decision" or "transition", and detail (JSON
 * object text or NULL). On success *obj holds the new stored object (caller frees with
 * reg_object_free). Errors as reg_object_put.
 */
int reg_object_set_state(struct store_tx *tx, const char *kind, const char *id,
                         const char *new_state, long long expected_version, const char *actor,
                         const char *action, const char *detail, struct reg_object *obj,
                         struct sluis_err *err);

/*
 * Reads one object into *out (caller frees with reg_object_free). Errors: SLUIS_ENOTFOUND,
 * SLUIS_EINVAL, SLUIS_EIO.
 */
int reg_object_get(struct store_tx *tx, const char *kind, const char *id, struct reg_object *out,
                   struct sluis_err *err);

/*
 * Deletes an object (expected_version: REG_VERSION_ANY or the version read) and appends an
 * audit entry (action "delete", hash_after ""). Objects whose parent_id points at it are not
 * touched. Errors: SLUIS_ENOTFOUND, SLUIS_ECONFLICT, SLUIS_EINVAL, SLUIS_EIO.
 */
int reg_object_delete(struct store_tx *tx, const char *kind, const char *id,
                      long long expected_version, const char *actor, struct sluis_err *err);

/* Filter for reg_object_list / reg_object_count: NULL or "" fields do not filter. */
struct reg_filter {
    const char *kind;
    const char *org_id;
    const char *parent_id;
    const char *state;
    long long limit;  /* 0 = 100; capped at 1000 */
    long long offset; /* >= 0 */
};

/* Object callback: obj borrowed (content too), valid during the call; non-zero stops. */
typedef int (*reg_object_cb)(void *ud, const struct reg_object *obj);

/* Lists matching objects ordered by (kind, id). Returns 0, a non-zero cb result, or error. */
int reg_object_list(struct store_tx *tx, const struct reg_filter *f, reg_object_cb cb, void *ud,
                    struct sluis_err *err);

/* Counts matching objects (limit/offset ignored) into *count. */
int reg_object_count(struct store_tx *tx, const struct reg_filter *f, long long *count,
                     struct sluis_err *err);

/* ---- organisations ---- */

struct reg_org {
    char id[REG_ID_CAP];
    char name[256];
    char layer[32]; /* rijk|gemeente|provincie|waterschap|zbo|other (not checked here) */
    char created_at[40];
};

/* Creates or updates an organisation (audited as kind "organisation"). Errors: EINVAL, EIO. */
int reg_org_put(struct store_tx *tx, const struct reg_org *org, const char *actor,
                struct sluis_err *err);
/* Reads one organisation. Errors: SLUIS_ENOTFOUND, SLUIS_EIO. */
int reg_org_get(struct store_tx *tx, const char *id, struct reg_org *out, struct sluis_err *err);
typedef int (*reg_org_cb)(void *ud, const struct reg_org *org);
/* Lists all organisations ordered by id. */
int reg_org_list(struct store_tx *tx, reg_org_cb cb, void *ud, struct sluis_err *err);

/* ---- users ---- */

struct reg_user {
    char id[REG_ID_CAP];
    char org_id[REG_ID_CAP]; /* must exist in organisations */
    char name[256];
    char email[256];
    char roles[512];        /* JSON array of strings, e.g. ["owner","reviewer"]; "" = [] */
    char oidc_subject[256]; /* "" = none; unique when set */
    char created_at[40];
};

/*
 * Creates or updates a user (audited as kind "user"). Errors: SLUIS_EINVAL (bad roles JSON,
 * unknown org: SLUIS_ECONFLICT), SLUIS_ECONFLICT (oidc_subject taken), SLUIS_EIO.
 */
int reg_user_put(struct store_tx *tx, const struct reg_user *user, const char *actor,
                 struct sluis_err *err);
/* Reads one user. Errors: SLUIS_ENOTFOUND, SLUIS_EIO. */
int reg_user_get(struct store_tx *tx, const char *id, struct reg_user *out, struct sluis_err *err);
/* Finds the user with this OIDC subject. Errors: SLUIS_ENOTFOUND, SLUIS_EIO. */
int reg_user_find_oidc(struct store_tx *tx, const char *subject, struct reg_user *out,
                       struct sluis_err *err);
typedef int (*reg_user_cb)(void *ud, const struct reg_user *user);
/* Lists users of org_id (NULL/"" = all) ordered by id. */
int reg_user_list(struct store_tx *tx, const char *org_id, reg_user_cb cb, void *ud,
                  struct sluis_err *err);
/* Deletes a user and revokes its tokens (audited). Errors: SLUIS_ENOTFOUND, SLUIS_EIO. */
int reg_user_delete(struct store_tx *tx, const char *id, const char *actor, struct sluis_err *err);

/* ---- API tokens (random; only their SHA-256 is stored) ---- */

struct reg_token {
    char id[REG_ID_CAP]; /* public id, e.g. for listing and revocation */
    char user_id[REG_ID_CAP];
    char created_at[40];
    char revoked_at[40];   /* "" = active */
    char last_used_at[40]; /* "" = never */
};

/*
 * Creates a token for user_id. token_out receives the secret ("sluis_" + 64 hex), shown to
 * the user once and never stored; tok (may be NULL) the stored record. Audited (kind
 * "api_token", detail without the secret). Errors: SLUIS_ENOTFOUND (no such user), SLUIS_EIO.
 */
int reg_token_create(struct store_tx *tx, const char *user_id, const char *actor,
                     char token_out[REG_TOKEN_CAP], struct reg_token *tok, struct sluis_err *err);

/*
 * Looks up a presented secret token: fills *tok and *user (either may be NULL). Errors:
 * SLUIS_ENOTFOUND (unknown or malformed token), SLUIS_EDENIED (revoked), SLUIS_EIO.
 * Read-only; works in a STORE_TX_READ transaction.
 */
int reg_token_lookup(struct store_tx *tx, const char *token, struct reg_token *tok,
                     struct reg_user *user, struct sluis_err *err);

/* Sets last_used_at to now (not audited: bookkeeping). Errors: SLUIS_ENOTFOUND, SLUIS_EIO. */
int reg_token_touch(struct store_tx *tx, const char *token_id, struct sluis_err *err);

/* Revokes a token (audited; idempotent). Errors: SLUIS_ENOTFOUND, SLUIS_EIO. */
int reg_token_revoke(struct store_tx *tx, const char *token_id, const char *actor,
                     struct sluis_err *err);

typedef int (*reg_token_cb)(void *ud, const struct reg_token *tok);
/* Lists the tokens of user_id (NULL/"" = all) ordered by id. */
int reg_token_list(struct store_tx *tx, const char *user_id, reg_token_cb cb, void *ud,
                   struct sluis_err *err);

/* Writes the SHA-256 hex of the content text (as stored) into out (65 bytes); "" for NULL. */
void reg_content_hash(const char *content, char out[65]);

#endif
