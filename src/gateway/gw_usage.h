/*
 * gw_usage.h - usage records: one per request, buffered in a bounded ring and written in
 * batches by a background thread, so the request path never waits on the disk. A clean stop
 * writes everything that is buffered. When the ring is full, a push waits a bounded time for
 * room and then drops the record (counted in the metrics; never silently).
 */
#ifndef SLUIS_GATEWAY_GW_USAGE_H
#define SLUIS_GATEWAY_GW_USAGE_H

#include <pthread.h>
#include <stddef.h>

#include "gateway/gw_metrics.h"

struct gw_usage_rec {
    char request_id[40];
    char node[64];
    char org[128];
    char app[128];
    char key_id[20]; /* first 16 hex digits of the key's SHA-256, "" when none */
    char user[128];
    char model[256];
    char provider[128];
    char endpoint[16];
    char env[16];
    char verdict[24];
    char code[48]; /* refusal / error code, "" when allowed */
    char rule[32];
    char detectors[160];
    int status;                                          /* HTTP status sent to the client */
    int upstream_status;                                 /* 0 when not forwarded */
    long prompt_tokens, completion_tokens, total_tokens; /* -1 when unknown */
    double latency_ms, overhead_ms;
    int stream;
    unsigned long long sse_events;
    unsigned redacted;
    char *content; /* owned: request JSON, only when the application's retention requires it */
};

/* Writes n records; returns 0 when they are stored (all or nothing). */
typedef int (*gw_usage_sink_fn)(void *ud, const struct gw_usage_rec *recs, size_t n);

struct gw_usage_packed; /* a queued record: its strings packed to their length (gw_usage.c) */

struct gw_usage {
    struct gw_usage_packed **ring; /* queued records, about 300 bytes each instead of 1.3 KB */
    size_t cap, head, count;
    pthread_mutex_t mu;
    pthread_cond_t more, room;
    pthread_t thread;
    int running, stop;
    gw_usage_sink_fn sink;
    void *ud;
    struct gw_metrics *m;
    unsigned flush_ms;
    size_t batch_max;
};

/*
 * Starts the writer thread. cap records of buffer (0 = 4096); sink may be NULL (records
 * are then counted and discarded). Returns 0 or SLUIS_ENOMEM / SLUIS_EINTERNAL.
 */
int gw_usage_start(struct gw_usage *u, size_t cap, gw_usage_sink_fn sink, void *ud,
                   struct gw_metrics *m);

/*
 * Queues a copy of r (r->content ownership moves to the queue, also on failure); the copy
 * holds its strings at their length, not at their caps. Returns 0, or SLUIS_ETOOBIG when the
 * record was dropped because the ring stayed full or there was no memory for the copy.
 */
int gw_usage_push(struct gw_usage *u, struct gw_usage_rec *r);

/*
 * Lowers the calling thread to background priority (SCHED_BATCH, nice 5) so a CPU-heavy batch
 * (usage writes, snapshot rebuilds) yields to request threads on a shared core; never starves
 * it. Best effort: failures are ignored.
 */
void gw_thread_background(void);

/* Writes everything buffered, stops and joins the thread, frees the ring. Idempotent. */
void gw_usage_stop(struct gw_usage *u);

/*
 * The record as compact JSON text with sorted keys (the audit chain's canonical key order),
 * written directly: no JSON tree. Strings are escaped; bytes that are not valid UTF-8 become
 * U+FFFD. Returns a malloc'ed NUL-terminated string (caller frees; *len its length when len is
 * not NULL), or NULL on ENOMEM.
 */
char *gw_usage_format(const struct gw_usage_rec *r, size_t *len);

#endif
