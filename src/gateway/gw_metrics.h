/*
 * gw_metrics.h - the gateway's Prometheus metrics (text exposition format 0.0.4), hand-written:
 * counters and gauges are atomics, histograms have fixed buckets. Label sets are fixed at
 * compile time (endpoint x outcome class), so recording is lock-free and allocation-free.
 */
#ifndef SLUIS_GATEWAY_GW_METRICS_H
#define SLUIS_GATEWAY_GW_METRICS_H

#include <stdatomic.h>
#include <stddef.h>

#include "gateway/gw_request.h"

#define GW_HIST_BUCKETS 14

struct gw_hist {
    atomic_ullong buckets[GW_HIST_BUCKETS]; /* non-cumulative counts per bucket */
    atomic_ullong inf;
    atomic_ullong count;
    atomic_ullong sum_us;
};

enum gw_outcome {
    GW_OUT_OK = 0,      /* upstream answered 2xx */
    GW_OUT_REFUSED,     /* refused by policy */
    GW_OUT_INVALID,     /* bad request */
    GW_OUT_UPSTREAM,    /* upstream failure */
    GW_OUT_UNAVAILABLE, /* fail-closed refusal */
    GW_OUT_COUNT
};

struct gw_metrics {
    atomic_ullong requests[GW_EP_COUNT + 1][GW_OUT_COUNT]; /* +1: models */
    atomic_ullong refusals_by_code[32];
    atomic_ullong sse_events;
    atomic_ullong bytes_up, bytes_down;
    atomic_llong active_streams;
    atomic_llong in_flight;
    atomic_ullong usage_written, usage_dropped, usage_failed_batches;
    atomic_ullong snapshot_refreshes, snapshot_failures;
    atomic_ullong snapshot_serial;
    atomic_ullong org_sets_loaded, org_sets_reused; /* organisations' policy sets */
    atomic_llong snapshot_age_ms;
    struct gw_hist overhead; /* gateway's own time per request, microseconds */
    struct gw_hist upstream; /* upstream time to complete, microseconds */
    struct gw_hist ttfb;     /* streaming: time to first upstream event, microseconds */
};

/* Zeroes m. */
void gw_metrics_init(struct gw_metrics *m);

/* Records a value in microseconds. */
void gw_hist_observe(struct gw_hist *h, unsigned long long us);

/* Counts a refusal by code (codes outside the known list are counted as "other"). */
void gw_metrics_refusal(struct gw_metrics *m, const char *code);

/*
 * Writes the exposition into a malloc'ed buffer (*out, caller frees). Returns its length or
 * -1 when out of memory.
 */
long gw_metrics_render(const struct gw_metrics *m, char **out);

#endif
