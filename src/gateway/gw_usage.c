/* gw_usage.c - bounded, batched usage-record writer. */
#include "gateway/gw_usage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"

#define PUSH_WAIT_MS 1000

static void deadline_ms(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *writer(void *arg)
{
    struct gw_usage *u = arg;
    struct gw_usage_rec *batch = calloc(u->batch_max, sizeof(*batch));
    pthread_mutex_lock(&u->mu);
    for (;;) {
        while (!u->count && !u->stop)
            pthread_cond_wait(&u->more, &u->mu);
        if (!u->count && u->stop)
            break;
        if (u->count < u->batch_max && !u->stop) {
            /* gather a batch for a short while, so many records share one transaction */
            struct timespec ts;
            deadline_ms(&ts, u->flush_ms);
            while (u->count < u->batch_max && !u->stop)
                if (pthread_cond_timedwait(&u->more, &u->mu, &ts) == ETIMEDOUT)
                    break;
        }
        size_t n = u->count < u->batch_max ? u->count : u->batch_max;
        if (!batch) {
            /* no memory for a batch: write one record at a time from the ring */
            n = 1;
        }
        for (size_t i = 0; i < n && batch; i++)
            batch[i] = u->ring[(u->head + i) % u->cap];
        struct gw_usage_rec one;
        if (!batch)
            one = u->ring[u->head];
        u->head = (u->head + n) % u->cap;
        u->count -= n;
        pthread_cond_broadcast(&u->room);
        pthread_mutex_unlock(&u->mu);
        struct gw_usage_rec *recs = batch ? batch : &one;
        int rc = -1;
        for (int attempt = 0; attempt < 3 && rc; attempt++) {
            rc = u->sink ? u->sink(u->ud, recs, n) : 0;
            if (rc) {
                struct timespec d = {0, 50000000L * (attempt + 1)};
                nanosleep(&d, NULL);
            }
        }
        if (u->m) {
            if (rc) {
                atomic_fetch_add(&u->m->usage_failed_batches, 1);
                atomic_fetch_add(&u->m->usage_dropped, n);
            } else {
                atomic_fetch_add(&u->m->usage_written, n);
            }
        }
        for (size_t i = 0; i < n; i++) {
            free(recs[i].content);
            recs[i].content = NULL;
        }
        pthread_mutex_lock(&u->mu);
    }
    pthread_mutex_unlock(&u->mu);
    free(batch);
    return NULL;
}

int gw_usage_start(struct gw_usage *u, size_t cap, gw_usage_sink_fn sink, void *ud,
                   struct gw_metrics *m)
{
    memset(u, 0, sizeof(*u));
    u->cap = cap ? cap : 4096;
    u->ring = calloc(u->cap, sizeof(*u->ring));
    if (!u->ring)
        return SLUIS_ENOMEM;
    u->sink = sink;
    u->ud = ud;
    u->m = m;
    u->flush_ms = 100;
    u->batch_max = 512;
    pthread_mutex_init(&u->mu, NULL);
    pthread_cond_init(&u->more, NULL);
    pthread_cond_init(&u->room, NULL);
    if (pthread_create(&u->thread, NULL, writer, u) != 0) {
        free(u->ring);
        u->ring = NULL;
        return SLUIS_EINTERNAL;
    }
    u->running = 1;
    return 0;
}

int gw_usage_push(struct gw_usage *u, struct gw_usage_rec *r)
{
    if (!u->running) {
        free(r->content);
        r->content = NULL;
        if (u->m)
            atomic_fetch_add(&u->m->usage_dropped, 1);
        return SLUIS_ETOOBIG;
    }
    pthread_mutex_lock(&u->mu);
    if (u->count == u->cap) {
        struct timespec ts;
        deadline_ms(&ts, PUSH_WAIT_MS);
        while (u->count == u->cap && !u->stop)
            if (pthread_cond_timedwait(&u->room, &u->mu, &ts) == ETIMEDOUT)
                break;
    }
    if (u->count == u->cap || u->stop) {
        pthread_mutex_unlock(&u->mu);
        free(r->content);
        r->content = NULL;
        if (u->m)
            atomic_fetch_add(&u->m->usage_dropped, 1);
        return SLUIS_ETOOBIG;
    }
    u->ring[(u->head + u->count) % u->cap] = *r;
    r->content = NULL;
    u->count++;
    if (u->count >= u->batch_max)
        pthread_cond_signal(&u->more);
    else if (u->count == 1)
        pthread_cond_signal(&u->more);
    pthread_mutex_unlock(&u->mu);
    return 0;
}

void gw_usage_stop(struct gw_usage *u)
{
    if (!u->running)
        return;
    pthread_mutex_lock(&u->mu);
    u->stop = 1;
    pthread_cond_broadcast(&u->more);
    pthread_cond_broadcast(&u->room);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->thread, NULL);
    u->running = 0;
    for (size_t i = 0; i < u->count; i++)
        free(u->ring[(u->head + i) % u->cap].content);
    free(u->ring);
    u->ring = NULL;
    pthread_mutex_destroy(&u->mu);
    pthread_cond_destroy(&u->more);
    pthread_cond_destroy(&u->room);
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *tokens(long v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

json_t *gw_usage_to_json(const struct gw_usage_rec *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "request_id", json_string(r->request_id));
    json_object_set_new(o, "node", str_or_null(r->node));
    json_object_set_new(o, "application", str_or_null(r->app));
    json_object_set_new(o, "key_id", str_or_null(r->key_id));
    json_object_set_new(o, "user", str_or_null(r->user));
    json_object_set_new(o, "model", str_or_null(r->model));
    json_object_set_new(o, "provider", str_or_null(r->provider));
    json_object_set_new(o, "endpoint", json_string(r->endpoint));
    json_object_set_new(o, "environment", str_or_null(r->env));
    json_object_set_new(o, "verdict", str_or_null(r->verdict));
    json_object_set_new(o, "code", str_or_null(r->code));
    json_object_set_new(o, "rule_ids", r->rule[0] ? json_pack("[s]", r->rule) : json_array());
    json_t *dets = json_array();
    const char *p = r->detectors;
    while (dets && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(dets, json_stringn(p, l));
        p += l + (e ? 1 : 0);
    }
    json_object_set_new(o, "detector_types", dets ? dets : json_array());
    json_object_set_new(o, "status", json_integer(r->status));
    json_object_set_new(o, "upstream_status",
                        r->upstream_status ? json_integer(r->upstream_status) : json_null());
    json_object_set_new(o, "prompt_tokens", tokens(r->prompt_tokens));
    json_object_set_new(o, "completion_tokens", tokens(r->completion_tokens));
    json_object_set_new(o, "total_tokens", tokens(r->total_tokens));
    /* the provider answered but reported no usage: say so, never count it as 0 */
    if (r->upstream_status >= 200 && r->upstream_status < 300 && r->total_tokens < 0)
        json_object_set_new(o, "tokens_unknown", json_true());
    json_object_set_new(o, "latency_ms",
                        json_real((double)(long long)(r->latency_ms * 1000) / 1000));
    json_object_set_new(o, "overhead_ms",
                        json_real((double)(long long)(r->overhead_ms * 1000) / 1000));
    json_object_set_new(o, "stream", json_boolean(r->stream));
    if (r->stream)
        json_object_set_new(o, "sse_events", json_integer((json_int_t)r->sse_events));
    if (r->redacted)
        json_object_set_new(o, "redacted_parts", json_integer(r->redacted));
    if (r->content)
        json_object_set_new(o, "content", json_string(r->content));
    return o;
}
