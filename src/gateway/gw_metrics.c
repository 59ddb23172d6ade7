/* gw_metrics.c - Prometheus text exposition of the gateway's counters and histograms. */
#include "gateway/gw_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds in microseconds. */
static const unsigned long long bounds_us[GW_HIST_BUCKETS] = {
    50, 100, 200, 500, 1000, 2000, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 5000000};

static const char *const refusal_codes[] = {"invalid_api_key",
                                            "application_revoked",
                                            "application_not_approved",
                                            "org_policy_unavailable",
                                            "exploration_expired",
                                            "model_not_allowed",
                                            "provider_not_registered",
                                            "consumer_terms_prohibited",
                                            "agreement_missing",
                                            "agreement_expired",
                                            "literacy_required",
                                            "sensitive_data_detected",
                                            "classified_marking",
                                            "unscannable_content",
                                            "sensitive_data_in_response",
                                            "invalid_json",
                                            "invalid_request",
                                            "unsupported_media_type",
                                            "request_too_large",
                                            "method_not_allowed",
                                            "not_found",
                                            "model_not_found",
                                            "gateway_unavailable",
                                            "upstream_error",
                                            "upstream_timeout",
                                            "internal_error",
                                            "other"};
#define N_CODES (sizeof(refusal_codes) / sizeof(refusal_codes[0]))

void gw_metrics_init(struct gw_metrics *m)
{
    memset(m, 0, sizeof(*m));
}

void gw_hist_observe(struct gw_hist *h, unsigned long long us)
{
    size_t i;
    for (i = 0; i < GW_HIST_BUCKETS && us > bounds_us[i]; i++)
        ;
    if (i < GW_HIST_BUCKETS)
        atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&h->inf, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
}

void gw_metrics_refusal(struct gw_metrics *m, const char *code)
{
    size_t i;
    for (i = 0; i + 1 < N_CODES && strcmp(refusal_codes[i], code); i++)
        ;
    atomic_fetch_add_explicit(&m->refusals_by_code[i], 1, memory_order_relaxed);
}

static void hist_render(FILE *f, const char *name, const char *help, const struct gw_hist *h)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    unsigned long long cum = 0;
    for (size_t i = 0; i < GW_HIST_BUCKETS; i++) {
        cum += atomic_load(&h->buckets[i]);
        fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, (double)bounds_us[i] / 1e6, cum);
    }
    cum += atomic_load(&h->inf);
    fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
    fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name, (double)atomic_load(&h->sum_us) / 1e6, name,
            atomic_load(&h->count));
}

long gw_metrics_render(const struct gw_metrics *m, char **out)
{
    static const char *const eps[] = {"chat", "completions", "embeddings", "models"};
    static const char *const outs[] = {"ok", "refused", "invalid", "upstream_error", "unavailable"};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -1;
    fputs("# HELP sluis_gateway_requests_total Requests by endpoint and outcome.\n"
          "# TYPE sluis_gateway_requests_total counter\n",
          f);
    for (int e = 0; e <= GW_EP_COUNT; e++)
        for (int o = 0; o < GW_OUT_COUNT; o++)
            fprintf(f, "sluis_gateway_requests_total{endpoint=\"%s\",outcome=\"%s\"} %llu\n",
                    eps[e], outs[o], atomic_load(&m->requests[e][o]));
    fputs("# HELP sluis_gateway_refusals_total Refusals and errors by code.\n"
          "# TYPE sluis_gateway_refusals_total counter\n",
          f);
    for (size_t i = 0; i < N_CODES; i++)
        fprintf(f, "sluis_gateway_refusals_total{code=\"%s\"} %llu\n", refusal_codes[i],
                atomic_load(&m->refusals_by_code[i]));
    fprintf(f,
            "# HELP sluis_gateway_sse_events_total Server-sent events passed to clients.\n"
            "# TYPE sluis_gateway_sse_events_total counter\n"
            "sluis_gateway_sse_events_total %llu\n"
            "# HELP sluis_gateway_upstream_bytes_total Bytes sent to and received from upstream.\n"
            "# TYPE sluis_gateway_upstream_bytes_total counter\n"
            "sluis_gateway_upstream_bytes_total{direction=\"sent\"} %llu\n"
            "sluis_gateway_upstream_bytes_total{direction=\"received\"} %llu\n"
            "# HELP sluis_gateway_active_streams Streams open now.\n"
            "# TYPE sluis_gateway_active_streams gauge\n"
            "sluis_gateway_active_streams %lld\n"
            "# HELP sluis_gateway_in_flight Requests in progress now.\n"
            "# TYPE sluis_gateway_in_flight gauge\n"
            "sluis_gateway_in_flight %lld\n"
            "# HELP sluis_gateway_usage_records_total Usage records by fate.\n"
            "# TYPE sluis_gateway_usage_records_total counter\n"
            "sluis_gateway_usage_records_total{fate=\"written\"} %llu\n"
            "sluis_gateway_usage_records_total{fate=\"dropped\"} %llu\n"
            "# HELP sluis_gateway_usage_batch_failures_total Usage batches that failed to write.\n"
            "# TYPE sluis_gateway_usage_batch_failures_total counter\n"
            "sluis_gateway_usage_batch_failures_total %llu\n"
            "# HELP sluis_gateway_snapshot_refreshes_total Policy snapshot rebuilds.\n"
            "# TYPE sluis_gateway_snapshot_refreshes_total counter\n"
            "sluis_gateway_snapshot_refreshes_total{result=\"ok\"} %llu\n"
            "sluis_gateway_snapshot_refreshes_total{result=\"failed\"} %llu\n"
            "# HELP sluis_gateway_snapshot_serial Serial number of the policy snapshot in use.\n"
            "# TYPE sluis_gateway_snapshot_serial gauge\n"
            "sluis_gateway_snapshot_serial %llu\n"
            "# HELP sluis_gateway_org_policy_sets_total Organisations' policy sets at snapshot "
            "rebuilds: loaded from their files, or reused while unchanged.\n"
            "# TYPE sluis_gateway_org_policy_sets_total counter\n"
            "sluis_gateway_org_policy_sets_total{result=\"loaded\"} %llu\n"
            "sluis_gateway_org_policy_sets_total{result=\"reused\"} %llu\n",
            atomic_load(&m->sse_events), atomic_load(&m->bytes_up), atomic_load(&m->bytes_down),
            atomic_load(&m->active_streams), atomic_load(&m->in_flight),
            atomic_load(&m->usage_written), atomic_load(&m->usage_dropped),
            atomic_load(&m->usage_failed_batches), atomic_load(&m->snapshot_refreshes),
            atomic_load(&m->snapshot_failures), atomic_load(&m->snapshot_serial),
            atomic_load(&m->org_sets_loaded), atomic_load(&m->org_sets_reused));
    hist_render(f, "sluis_gateway_overhead_seconds",
                "Time the gateway itself adds to a request (policy, scan, proxying).",
                &m->overhead);
    hist_render(f, "sluis_gateway_upstream_seconds", "Upstream time until the response ended.",
                &m->upstream);
    hist_render(f, "sluis_gateway_stream_first_event_seconds",
                "Streaming: upstream time to the first event.", &m->ttfb);
    if (fclose(f) != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    return (long)len;
}
