/*
 * gw_enforce.h - the gateway's per-request policy, in the order of issue 5: API key ->
 * application -> its verdict and decision -> model and provider -> agreement and terms ->
 * AI literacy of the calling user -> sensitive-data scan of every text part. Reads only the
 * immutable snapshot; any internal error refuses (fail closed).
 */
#ifndef SLUIS_GATEWAY_GW_ENFORCE_H
#define SLUIS_GATEWAY_GW_ENFORCE_H

#include <pthread.h>
#include <stddef.h>

#include "gateway/gw_request.h"
#include "gateway/gw_snapshot.h"

struct scan_db;
struct scan_scratch;

/* The scanner shared by all request threads: one database, a pool of scratch spaces. */
struct gw_scanner {
    struct scan_db *db;
    pthread_mutex_t mu;
    struct scan_scratch **free_list;
    size_t n_free, cap_free;
    float min_confidence;
};

/* Compiles the scan database. Returns 0 or a negative SLUIS_E* code with err set. */
int gw_scanner_init(struct gw_scanner *sc, struct sluis_err *err);
void gw_scanner_free(struct gw_scanner *sc);
/* A scratch space from the pool (or a new one); NULL on ENOMEM. Give it back with _put. */
struct scan_scratch *gw_scanner_scratch_get(struct gw_scanner *sc);
void gw_scanner_scratch_put(struct gw_scanner *sc, struct scan_scratch *s);

/* The outcome of enforcement. code NULL means allowed. Strings are static or inline. */
struct gw_verdict {
    const char *code;    /* error code (gw_error.h) or NULL */
    char rule[32];       /* rule id behind a refusal */
    char param[96];      /* request parameter at fault, "" when none */
    char detail[160];    /* extra English detail, never request content */
    char detectors[160]; /* comma-separated detector names found (no values) */
    size_t n_findings;
    size_t n_redacted;
    const struct gw_app *app;           /* set once the key resolved */
    const struct gw_model *model;       /* set once the model resolved */
    const struct gw_provider *provider; /* set once the provider resolved */
    char user[GW_ID_CAP];
};

/*
 * Identity and application stage: key (the bearer token, may be NULL) -> application ->
 * revocation -> decision/verdict -> exploration time-box (today "YYYY-MM-DD"). Fills v and
 * returns 0 when allowed so far, 1 when refused (v->code set).
 */
int gw_enforce_app(const struct gw_snapshot *s, const char *bearer, const char *today,
                   struct gw_verdict *v);
/* The same with the SHA-256 of the bearer already computed (NULL: no bearer). */
int gw_enforce_app_hash(const struct gw_snapshot *s, const unsigned char *key_hash,
                        const char *today, struct gw_verdict *v);

/*
 * Model stage for model in the resolved application: allowed model, registered provider,
 * consumer terms (pilot, production), agreement present and in date (production), then the
 * user's AI literacy (user may be NULL). Returns 0 or 1 as above.
 */
int gw_enforce_model(const struct gw_snapshot *s, const char *model, const char *user,
                     const char *today, struct gw_verdict *v);

/*
 * Scan stage: scans every text part of p; exploration refuses any finding (classification
 * markings as classified_marking); pilot and production allow findings whose detector or
 * category the application allows, and block or redact (per application) the rest;
 * classification markings and secrets are always refused. On redaction p is changed in
 * place and v->n_redacted counts the parts. Returns 0 (go on), 1 (refused) or, on an internal
 * error, 1 with code gateway_unavailable.
 */
int gw_enforce_scan(struct gw_scanner *sc, struct gw_parsed *p, struct gw_verdict *v);

/*
 * Scans one response text (non-streaming) with the same category rules (no redaction:
 * refuse). Returns 0 or 1 (v->code set to sensitive_data_in_response).
 */
int gw_enforce_scan_response(struct gw_scanner *sc, const char *text, size_t len,
                             struct gw_verdict *v);

struct scan_result;
/*
 * Decides on findings in a response (streamed or not) of the application in v: exploration
 * refuses any finding, pilot and production the findings whose detector or category the
 * application does not allow; classification markings and secrets always. Notes the detector
 * names in v. Returns 0, or 1 with v->code sensitive_data_in_response (rule SP-05).
 */
int gw_enforce_response_findings(const struct scan_result *r, struct gw_verdict *v);

#endif
