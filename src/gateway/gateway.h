/*
 * gateway.h - the OpenAI-compatible gateway of sluis (issue 5): lets through only what the
 * register and the position allow.
 *
 * Mounted on the one HTTP server (src/http/http.h) of `sluis serve`, or alone in
 * `sluis gateway`: the raw prefix "/v1/" (chat/completions, completions, embeddings, models)
 * and the route GET /metrics. Per request it enforces, in order and failing closed: the
 * application's API key, the application, its decision and verdict, model and provider,
 * terms and agreement, the user's AI literacy, the sensitive-data scan; then proxies to the
 * provider with libcurl (one curl-multi thread; the MHD connection is suspended while it
 * waits; SSE passed on event by event with bounded buffers and backpressure). Every request
 * leaves one usage record in the audit trail (batched). Details: docs/gateway.md.
 *
 * Lifecycle: gateway_new -> gateway_mount -> gateway_start -> http_server_start ... then
 * gateway_shutdown -> http_server_stop -> gateway_free.
 */
#ifndef SLUIS_GATEWAY_GATEWAY_H
#define SLUIS_GATEWAY_GATEWAY_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

struct gateway;
struct http_server;
struct store;

/* Object kinds the gateway reads from the register (store/register.h objects). */
#define GATEWAY_KIND_APPLICATION "application" /* content: the dossier */
#define GATEWAY_KIND_KEY "gateway_key"         /* {"application","sha256","revoked"} */
#define GATEWAY_KIND_APP "gateway_app"   /* {"application","sensitive_action","scan_responses"} */
#define GATEWAY_KIND_PROVIDER "provider" /* {"base_url","terms","key_file"?,"timeout_ms"?} */
#define GATEWAY_KIND_TRAINING "training" /* {"user","level","valid_until"?} */
/* NOTIFY channel: any register change that may matter to the gateway (payload: "kind:id"). */
#define GATEWAY_NOTIFY_CHANNEL "sluis_register"

struct gateway_config {
    const char *node;                /* node name in usage records (default: host name) */
    struct store *store;             /* register source (borrowed; may be NULL) */
    const char *register_file;       /* JSON register document when there is no store */
    const char *const *policy_paths; /* policy files for verdicts (n_policy_paths >= 1) */
    size_t n_policy_paths;
    const char *eval_date;        /* "YYYY-MM-DD" fixes the date (tests); NULL = today (UTC) */
    const char *usage_file;       /* JSON-lines usage log when there is no store (may be NULL) */
    unsigned refresh_ms;          /* snapshot TTL (default 2000) */
    unsigned max_stale_ms;        /* refuse when the snapshot is older (default 30000) */
    size_t max_body;              /* request body cap (default 4 MiB) */
    size_t max_response;          /* non-streaming upstream body cap (default 16 MiB) */
    unsigned connect_timeout_ms;  /* default 5000 */
    unsigned upstream_timeout_ms; /* whole non-streaming request, and streaming idle (60000) */
    unsigned ping_ms;             /* keep-alive comment interval before the first token (1000) */
    int scan_responses;           /* scan every response, streams too (also per application) */
    const char *oidc_jwks;        /* JWKS file: accept X-Sluis-User-Token (NULL = not accepted) */
    const char *oidc_issuer;      /* required "iss" of user tokens */
    const char *oidc_audience;    /* required "aud" of user tokens (NULL = not checked) */
};

/*
 * Creates a gateway: loads the policy set and compiles the scanner. cfg is copied (strings
 * too). Returns 0 and *out (gateway_free), or a negative SLUIS_E* code with err filled.
 */
int gateway_new(struct gateway **out, const struct gateway_config *cfg, struct sluis_err *err);

/* Mounts "/v1/" (raw) and GET /metrics on srv, before http_server_start(). */
int gateway_mount(struct gateway *gw, struct http_server *srv, struct sluis_err *err);

/*
 * Builds the first snapshot (an error when the register cannot be read), starts the upstream
 * thread, the usage writer and the snapshot refresher (TTL + NOTIFY on the store).
 */
int gateway_start(struct gateway *gw, struct sluis_err *err);

/* Rebuilds the snapshot now. Returns 0 or an error (the old snapshot stays in use). */
int gateway_refresh(struct gateway *gw, struct sluis_err *err);

/*
 * Ends upstream transfers (clients get an error) and stops the refresher; call before
 * http_server_stop(). Idempotent.
 */
void gateway_shutdown(struct gateway *gw);

/* After http_server_stop(): writes every buffered usage record, frees everything. NULL ok. */
void gateway_free(struct gateway *gw);

/*
 * Writes a new random application key ("sk-sluis-" + 48 hex) into key (cap >= 64) and its
 * SHA-256 hex into sha256_hex (65 bytes), for a gateway_key object. Returns 0 or SLUIS_EIO.
 */
int gateway_key_generate(char *key, size_t cap, char sha256_hex[65]);

#endif
