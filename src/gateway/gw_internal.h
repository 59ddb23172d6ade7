/*
 * gw_internal.h - state shared by the gateway's files: one proxied request (struct gw_req),
 * the curl-multi upstream thread, and the gateway object. Not a public interface.
 *
 * Threads: MHD pool threads run the access handler and the stream reader of a request; the
 * one upstream thread runs curl. Everything in the "shared" block of struct gw_req is guarded
 * by req->mu. A request is reference-counted: one reference for the MHD side (dropped when MHD
 * reports it complete) and one for the upstream side while a transfer exists.
 */
#ifndef SLUIS_GATEWAY_GW_INTERNAL_H
#define SLUIS_GATEWAY_GW_INTERNAL_H

#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "gateway/gateway.h"
#include "gateway/gw_enforce.h"
#include "gateway/gw_identity.h"
#include "gateway/gw_metrics.h"
#include "gateway/gw_orgcache.h"
#include "gateway/gw_request.h"
#include "gateway/gw_snapshot.h"
#include "gateway/gw_sse.h"
#include "gateway/gw_sscan.h"
#include "gateway/gw_usage.h"

#define GW_STREAM_BUF (8 * 1024) /* client-bound bytes buffered per stream before pausing */

enum gw_phase { GW_PH_BODY = 0, GW_PH_WAIT, GW_PH_STREAM, GW_PH_DONE };

struct gw_req {
    struct gateway *gw;
    struct MHD_Connection *conn;
    atomic_int refs;
    pthread_mutex_t mu;

    /* MHD side (pool thread of this connection) */
    enum gw_phase phase;
    int ep; /* enum gw_endpoint, or -1 for models */
    char *body;
    size_t body_len, body_cap;
    int too_big;
    unsigned long long discarded; /* bytes of a too-big body read and dropped */
    long long t0_ns;              /* body complete */
    long long t_submit_ns;        /* handed to upstream */
    double overhead_ms;
    struct gw_snapshot *snap;
    struct gw_verdict *v;     /* the request's verdict: allocated while it is decided, freed
                                 once handed upstream (memory per stream); again for a
                                 response scan */
    const struct gw_app *app; /* the application (in snap), once resolved */
    struct gw_parsed parsed;
    char request_id[40];
    int status_sent;
    struct gw_usage_rec usage;
    int stream;
    int strip_usage; /* we added include_usage upstream: the client must not see usage */

    /* upstream request (built on the MHD side, used by the upstream thread) */
    CURL *easy;
    struct curl_slist *hdrs;
    char *up_body;
    size_t up_body_len;
    char *url; /* malloc'ed; freed once curl has copied it */
    long timeout_ms;
    struct gw_req *q_next;          /* submit queue */
    struct gw_req *p_next;          /* poke queue */
    int poked;                      /* in the poke queue (under upstream qmu) */
    struct gw_req *a_prev, *a_next; /* active list (upstream thread) */
    long long last_ping_ns;

    /* shared, under mu */
    char *out; /* stream: client-bound bytes; otherwise: the upstream body */
    size_t out_len, out_off, out_cap, out_alloc; /* out_cap: the hard cap */
    long up_status;
    int headers_ready;  /* upstream status known */
    int is_sse;         /* upstream answered 2xx text/event-stream */
    int stream_started; /* our 200 SSE response is queued */
    int up_done;
    CURLcode up_result;
    const char *up_err; /* error code found on the upstream side, or NULL */
    int suspended;
    int paused;
    int want_unpause;
    int client_gone;
    int ping_due;
    int saw_event;
    int stream_finished; /* nothing more will be appended */
    long long t_up_done_ns;
    long long t_first_event_ns;
    unsigned long long events;
    long prompt_tokens, completion_tokens, total_tokens;
    struct gw_sse sse; /* upstream thread only */
    /* scanning of a streamed response (upstream thread only; rv.app set by the MHD side) */
    int scan_stream;
    struct gw_sscan sscan;
    struct gw_verdict *rv; /* the response's findings, code set when refused (allocated only
                              when responses are scanned: memory per stream) */
};

struct gw_upstream {
    CURLM *multi;
    CURLSH *share;
    pthread_t thread;
    int running;
    pthread_mutex_t qmu;
    struct gw_req *submit_head, *submit_tail;
    struct gw_req *poke_head;
    atomic_int stop;
    struct gw_req *active;
    struct gateway *gw;
    CURL *pool[64];               /* idle easy handles, reset and reused (upstream thread only) */
    struct scan_scratch *scratch; /* for streamed-response scans (upstream thread only) */
    int n_pool;
};

struct gateway {
    struct gateway_config cfg;
    char node[64];
    char eval_date[GW_DATE_CAP];
    char *register_file;
    struct policy_set *ps;
    char *base_src;  /* the single --policy file's text: base of organisation sets */
    size_t base_len; /* (NULL with several files: organisations' own sets then fail) */
    char base_name[256];
    struct gw_scanner scanner;
    struct gw_oidc oidc;
    struct gw_metrics metrics;
    struct gw_usage usage;
    struct gw_upstream up;
    FILE *usage_fp;
    pthread_mutex_t usage_fp_mu;

    pthread_mutex_t rebuild_mu; /* one snapshot rebuild at a time */
    struct gw_org_cache orgc;   /* organisations' policy sets (under rebuild_mu) */
    pthread_mutex_t snap_mu;
    struct gw_snapshot *snap;
    atomic_llong fresh_ms;     /* monotonic ms when the snapshot was last known right */
    unsigned char snap_fp[32]; /* hash of the register listing it was built from */
    int have_fp;               /* refresher thread (and gateway_start) only */
    pthread_cond_t refresh_cv;
    int refresh_wanted;
    int refresh_stop;
    pthread_t refresher;
    int refresher_running;
    atomic_ullong next_id;
    unsigned long long id_salt;
    int started;
};

long long gw_now_ns(void);

/* Drops a reference; frees the request at zero. */
void gw_req_release(struct gw_req *r);

/* Wakes the MHD side of r if it is suspended (caller holds r->mu). */
void gw_req_wake_locked(struct gw_req *r);

int gw_upstream_start(struct gw_upstream *u, struct gateway *gw, struct sluis_err *err);
/* Hands r to the upstream thread (takes a reference). Returns 0 or SLUIS_EINTERNAL. */
int gw_upstream_submit(struct gw_upstream *u, struct gw_req *r);
/* Asks the upstream thread to look at r again (unpause, or drop when the client is gone). */
void gw_upstream_poke(struct gw_upstream *u, struct gw_req *r);
/* Ends every transfer (their clients get an error), stops and joins the thread. */
void gw_upstream_stop(struct gw_upstream *u);

#endif
