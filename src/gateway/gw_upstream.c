/*
 * gw_upstream.c - the one curl-multi thread that talks to providers. Requests come in through
 * a submit queue; bytes go out to each request's bounded buffer; the MHD side is woken with
 * MHD_resume_connection(). A full buffer pauses the transfer (CURL_WRITEFUNC_PAUSE) until the
 * client has drained it (backpressure). Connections are kept and reused by the multi handle.
 */
#include "gateway/gw_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "gateway/gw_error.h"

#define TICK_MS 50

/* Appends to r->out within r->out_cap (caller holds mu). Returns 0, or -1 when full / OOM. */
static int out_add(struct gw_req *r, const char *s, size_t n)
{
    if (r->out_off == r->out_len)
        r->out_off = r->out_len = 0;
    if (r->out_len + n > r->out_cap && r->out_off) {
        memmove(r->out, r->out + r->out_off, r->out_len - r->out_off);
        r->out_len -= r->out_off;
        r->out_off = 0;
    }
    if (r->out_len + n > r->out_cap)
        return -1;
    if (r->out_len + n + 1 > r->out_alloc) {
        size_t na = r->out_alloc ? r->out_alloc : 1024; /* grows only for slow readers */
        while (na < r->out_len + n + 1)
            na *= 2;
        if (na > r->out_cap + 1)
            na = r->out_cap + 1;
        char *nb = realloc(r->out, na);
        if (!nb)
            return -1;
        r->out = nb;
        r->out_alloc = na;
    }
    memcpy(r->out + r->out_len, s, n);
    r->out_len += n;
    r->out[r->out_len] = 0;
    return 0;
}

/* Appends an SSE error event (caller holds mu); a response-scan refusal names its rule and
   detectors (never the value). */
static void out_error_event(struct gw_req *r, const char *code)
{
    char *body = NULL;
    int scan = r->rv && r->rv->code && !strcmp(code, r->rv->code);
    long n = gw_error_body(code, NULL, scan ? r->rv->rule : NULL, scan ? r->rv->detectors : NULL,
                           NULL, &body);
    if (n > 0) {
        /* room is kept for this: the cap check of the write path leaves slack */
        size_t save = r->out_cap;
        r->out_cap += (size_t)n + 16;
        out_add(r, "data: ", 6);
        out_add(r, body, (size_t)n);
        out_add(r, "\n\n", 2);
        r->out_cap = save;
    }
    free(body);
}

/* A token count from a usage object: a non-negative integer, else -1 (unknown). */
static long token_count(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
}

/*
 * Finds the member "usage" of an event object (data[0..len), already known to be {...}):
 * returns 0 when there is none, 1 when its value is null ([*k0, *k1) is then the member with
 * one neighbouring comma: the bytes to cut), 2 when it has another value (parse the event).
 * A "usage" that is a string value, or escaped inside a string (\"usage\"), is not a key:
 * the search goes on. Only the first key found counts; a nested one makes no difference to
 * correctness: 2 leads to a full parse, and removing a nested "usage": null changes nothing
 * the client asked for.
 */
static int usage_null(const char *data, size_t len, size_t *k0, size_t *k1)
{
    const char *end = data + len, *p = data;
    const char *u;
    while ((u = memmem(p, (size_t)(end - p), "\"usage\"", 7)) != NULL) {
        p = u + 7;
        if (u > data && u[-1] == '\\')
            continue;
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
            q++;
        if (q >= end || *q != ':')
            continue; /* a string value, not a key */
        q++;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
            q++;
        if ((size_t)(end - q) < 4 || memcmp(q, "null", 4))
            return 2;
        const char *e = q + 4;
        if (e < end && *e != ',' && *e != '}' && *e != ' ' && *e != '\t' && *e != '\r' &&
            *e != '\n')
            return 2; /* e.g. nullx: not JSON null; let the parser judge */
        /* cut the member and one comma: the one before it, else the one after it */
        const char *b = u;
        while (b > data && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r' || b[-1] == '\n'))
            b--;
        if (b > data && b[-1] == ',') {
            *k0 = (size_t)(b - 1 - data);
            *k1 = (size_t)(e - data);
            return 1;
        }
        const char *a = e;
        while (a < end && (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n'))
            a++;
        *k0 = (size_t)(u - data);
        *k1 = (size_t)(a < end && *a == ',' ? a + 1 - data : e - data);
        return 1;
    }
    return 0;
}

/* One upstream SSE event: checked and re-framed for the client. Caller holds mu. */
/* Released events of a scanned stream. They may overshoot the client buffer's cap by what was
   held (at most GW_SSCAN_MAX_HELD): bounded, and the write path pauses the transfer until the
   client has drained it. */
static int emit_cb(void *ud, const char *bytes, size_t n)
{
    struct gw_req *r = ud;
    size_t save = r->out_cap;
    r->out_cap += GW_SSCAN_MAX_HELD;
    int rc = out_add(r, bytes, n);
    r->out_cap = save;
    return rc;
}

/* A streamed-response scan said no (rc 1) or failed (rc < 0): the stream ends with an error
   event. Returns the code for gw_sse_feed to stop with. Caller holds mu. */
static int scan_refused(struct gw_req *r, int rc)
{
    if (rc == 1) {
        r->up_err = r->rv->code;
        gw_metrics_refusal(&r->gw->metrics, r->rv->code);
    } else {
        r->up_err = "gateway_unavailable";
    }
    return SLUIS_EDENIED;
}

/* Passes one framed event on, through the response scan when it is on. Caller holds mu. */
static int pass_event(struct gw_req *r, const char *json, size_t len)
{
    if (!r->scan_stream) {
        if (out_add(r, "data: ", 6) || out_add(r, json, len) || out_add(r, "\n\n", 2))
            return SLUIS_ETOOBIG;
        r->events++;
        return 0;
    }
    char *framed = malloc(len + 8);
    if (!framed)
        return scan_refused(r, -1);
    memcpy(framed, "data: ", 6);
    memcpy(framed + 6, json, len);
    memcpy(framed + 6 + len, "\n\n", 2);
    int is_done = len == 6 && !memcmp(json, "[DONE]", 6);
    struct gw_upstream *u = &r->gw->up;
    int rc;
    if (is_done) /* the end: judge the rest of the text, then everything held and [DONE] */
        rc = gw_sscan_close(&r->sscan, &r->gw->scanner, u->scratch, emit_cb, r, r->rv);
    else
        rc = gw_sscan_event(&r->sscan, &r->gw->scanner, u->scratch, json, len, framed, len + 8,
                            emit_cb, r, r->rv);
    if (!rc && is_done && emit_cb(r, framed, len + 8))
        rc = -1;
    free(framed);
    if (rc)
        return scan_refused(r, rc);
    r->events++;
    return 0;
}

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    struct gw_req *r = ud;
    (void)event;
    if (!r->saw_event) {
        r->saw_event = 1;
        r->t_first_event_ns = gw_now_ns();
    }
    if (len == 6 && !memcmp(data, "[DONE]", 6))
        return pass_event(r, data, len);
    /* every event must be one JSON object: cheap structural check, full parse for usage */
    size_t b = 0, e = len;
    while (b < e && (data[b] == ' ' || data[b] == '\t'))
        b++;
    while (e > b && (data[e - 1] == ' ' || data[e - 1] == '\t'))
        e--;
    if (e - b < 2 || data[b] != '{' || data[e - 1] != '}')
        return SLUIS_EINVAL;
    char *rewritten = NULL;
    size_t k0, k1;
    int un = usage_null(data, len, &k0, &k1);
    if (un == 1) {
        /* "usage": null (OpenAI adds it to every chunk once include_usage is on): no tokens
           to read, so no parse; removed as text when the client did not ask for usage */
        if (r->strip_usage) {
            rewritten = malloc(len - (k1 - k0) + 1);
            if (!rewritten)
                return SLUIS_ENOMEM;
            memcpy(rewritten, data, k0);
            memcpy(rewritten + k0, data + k1, len - k1);
            len -= k1 - k0;
            rewritten[len] = 0;
            data = rewritten;
        }
    } else if (un == 2) {
        json_error_t je;
        json_t *j = json_loadb(data, len, 0, &je);
        if (!j)
            return SLUIS_EINVAL;
        json_t *u = json_object_get(j, "usage");
        if (json_is_object(u)) {
            r->prompt_tokens = token_count(json_object_get(u, "prompt_tokens"));
            r->completion_tokens = token_count(json_object_get(u, "completion_tokens"));
            r->total_tokens = token_count(json_object_get(u, "total_tokens"));
        }
        if (r->strip_usage && u) {
            /* the client did not ask for usage: the usage-only chunk is dropped, and a usage
               member of any other chunk (OpenAI sends "usage": null on each) is removed */
            json_t *ch = json_object_get(j, "choices");
            if (json_is_array(ch) && json_array_size(ch) == 0) {
                json_decref(j);
                return 0;
            }
            json_object_del(j, "usage");
            rewritten = json_dumps(j, JSON_COMPACT);
            if (!rewritten) {
                json_decref(j);
                return SLUIS_ENOMEM;
            }
            data = rewritten;
            len = strlen(rewritten);
        }
        json_decref(j);
    }
    int rc = pass_event(r, data, len);
    free(rewritten);
    return rc;
}

/*
 * A stream may last minutes: once the answer has begun and the whole request body has been
 * sent, the body and the header list are not needed any more (curl re-sends a request only
 * before any answer arrived) and are freed (memory per stream). Caller holds mu.
 */
static void drop_request(struct gw_req *r)
{
    curl_off_t sent = -1;
    if (curl_easy_getinfo(r->easy, CURLINFO_SIZE_UPLOAD_T, &sent) != CURLE_OK ||
        sent != (curl_off_t)r->up_body_len)
        return;
    if (r->up_body == r->body) {
        free(r->body);
        r->body = NULL;
        r->body_len = r->body_cap = 0;
    }
    r->up_body = NULL; /* curl keeps the stale pointers unread; the next transfer sets both */
    curl_slist_free_all(r->hdrs);
    r->hdrs = NULL;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct gw_req *r = ud;
    size_t n = size * nmemb;
    struct gateway *gw = r->gw;
    pthread_mutex_lock(&r->mu);
    if (r->client_gone) {
        pthread_mutex_unlock(&r->mu);
        return 0; /* abort the transfer */
    }
    if (!r->headers_ready) {
        long code = 0;
        const char *ct = NULL;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ct);
        r->up_status = code;
        r->headers_ready = 1;
        r->is_sse = r->stream && code >= 200 && code < 300 && ct &&
                    !strncasecmp(ct, "text/event-stream", 17);
        if (r->is_sse)
            drop_request(r);
        if (r->stream)
            gw_req_wake_locked(r); /* a plain request waits for the end: no wake-up now */
    }
    if (r->stream && r->stream_started && !r->is_sse) {
        /* the client already has a 200 SSE response: the error becomes an event at the end */
        pthread_mutex_unlock(&r->mu);
        return n;
    }
    if (!r->is_sse) {
        if (out_add(r, ptr, n)) {
            r->up_err = "upstream_error";
            pthread_mutex_unlock(&r->mu);
            return 0;
        }
        pthread_mutex_unlock(&r->mu);
        atomic_fetch_add_explicit(&gw->metrics.bytes_down, n, memory_order_relaxed);
        return n;
    }
    size_t pending = r->out_len - r->out_off;
    if (pending && pending + 2 * n + 64 > r->out_cap) {
        r->paused = 1;
        pthread_mutex_unlock(&r->mu);
        return CURL_WRITEFUNC_PAUSE;
    }
    unsigned long long before = r->events;
    int rc = gw_sse_feed(&r->sse, ptr, n, on_event, r);
    if (rc) {
        if (!r->up_err)
            r->up_err = "upstream_error"; /* malformed SSE */
        pthread_mutex_unlock(&r->mu);
        return 0;
    }
    gw_sse_release_idle(&r->sse); /* between events: no buffers held (memory per stream) */
    if (r->events != before)
        gw_req_wake_locked(r);
    unsigned long long added = r->events - before;
    pthread_mutex_unlock(&r->mu);
    atomic_fetch_add_explicit(&gw->metrics.bytes_down, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&gw->metrics.sse_events, added, memory_order_relaxed);
    return n;
}

static void active_add(struct gw_upstream *u, struct gw_req *r)
{
    r->a_prev = NULL;
    r->a_next = u->active;
    if (u->active)
        u->active->a_prev = r;
    u->active = r;
}

static void active_remove(struct gw_upstream *u, struct gw_req *r)
{
    if (r->a_prev)
        r->a_prev->a_next = r->a_next;
    else if (u->active == r)
        u->active = r->a_next;
    if (r->a_next)
        r->a_next->a_prev = r->a_prev;
    r->a_prev = r->a_next = NULL;
}

/* An easy handle from the pool (reset) or a new one. */
static CURL *easy_get(struct gw_upstream *u)
{
    if (u->n_pool)
        return u->pool[--u->n_pool];
    return curl_easy_init();
}

/* Returns an easy handle to the pool. It is not reset (a reset costs a re-initialisation of
   every option per request): start_transfer() sets every option it uses on every transfer,
   the stream and plain variants included, so nothing of the last request survives. */
static void easy_put(struct gw_upstream *u, CURL *e)
{
    if (!e)
        return;
    if (u->n_pool < (int)(sizeof(u->pool) / sizeof(u->pool[0]))) {
        u->pool[u->n_pool++] = e;
    } else {
        curl_easy_cleanup(e);
    }
}

/* Ends the upstream side of r: result, wake the client side, drop the transfer. */
static void finish(struct gw_upstream *u, struct gw_req *r, CURLcode res)
{
    struct gateway *gw = u->gw;
    curl_multi_remove_handle(u->multi, r->easy);
    active_remove(u, r);
    pthread_mutex_lock(&r->mu);
    r->up_done = 1;
    r->up_result = res;
    r->t_up_done_ns = gw_now_ns();
    if (!r->headers_ready) {
        long code = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
        r->up_status = code;
        r->headers_ready = 1;
    }
    if (!r->up_err && res != CURLE_OK)
        r->up_err = res == CURLE_OPERATION_TIMEDOUT ? "upstream_timeout" : "upstream_error";
    if (r->is_sse && !r->up_err && gw_sse_finish(&r->sse) != 0)
        r->up_err = "upstream_error"; /* the stream stopped inside an event */
    if (r->is_sse && !r->up_err && r->scan_stream && r->sscan.st) {
        /* ended without [DONE]: judge the rest; the held events go out only when clean */
        int rc = gw_sscan_close(&r->sscan, &gw->scanner, u->scratch, emit_cb, r, r->rv);
        if (rc)
            scan_refused(r, rc);
    }
    if (r->stream && r->is_sse) {
        /* the client gets (or already has) a 200 SSE response: errors become an event */
        if (r->up_err)
            out_error_event(r, r->up_err);
    } else if (r->stream && r->stream_started) {
        out_error_event(r, r->up_err ? r->up_err : "upstream_error");
    }
    r->stream_finished = 1;
    gw_req_wake_locked(r);
    pthread_mutex_unlock(&r->mu);
    gw_hist_observe(&gw->metrics.upstream,
                    (unsigned long long)((r->t_up_done_ns - r->t_submit_ns) / 1000));
    if (r->saw_event)
        gw_hist_observe(&gw->metrics.ttfb,
                        (unsigned long long)((r->t_first_event_ns - r->t_submit_ns) / 1000));
    easy_put(u, r->easy);
    r->easy = NULL;
    curl_slist_free_all(r->hdrs);
    r->hdrs = NULL;
    gw_sse_free(&r->sse);
    gw_sscan_free(&r->sscan);
    gw_req_release(r);
}

static int start_transfer(struct gw_upstream *u, struct gw_req *r)
{
    struct gateway *gw = u->gw;
    CURL *e = easy_get(u);
    if (!e)
        return -1;
    r->easy = e;
    gw_sse_init(&r->sse, 0);
    if (r->scan_stream) {
        if (!u->scratch)
            u->scratch = gw_scanner_scratch_get(&gw->scanner);
        if (!u->scratch || gw_sscan_open(&r->sscan, &gw->scanner) != 0)
            return -1; /* cannot scan: refused as gateway_unavailable (fail closed) */
    }
    curl_easy_setopt(e, CURLOPT_URL, r->url); /* copied by curl */
    free(r->url);
    r->url = NULL;
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->up_body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->up_body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)gw->cfg.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_SHARE, u->share);
    if (r->stream) {
        /* a stream may last long; it must not stall: no byte for the idle time ends it */
        long idle_s = (r->timeout_ms + 999) / 1000;
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 1024L); /* events are small; memory per stream */
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, idle_s > 0 ? idle_s : 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 0L);
    } else {
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 16384L); /* curl's default */
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 0L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 0L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
    }
    if (curl_multi_add_handle(u->multi, e) != CURLM_OK)
        return -1;
    active_add(u, r);
    r->last_ping_ns = gw_now_ns();
    atomic_fetch_add_explicit(&gw->metrics.bytes_up, r->up_body_len, memory_order_relaxed);
    return 0;
}

/* Keep-alive pings before the first event, and the start of the SSE response after ping_ms. */
static void tick(struct gw_upstream *u)
{
    long long now = gw_now_ns(), iv = (long long)u->gw->cfg.ping_ms * 1000000LL;
    for (struct gw_req *r = u->active; r; r = r->a_next) {
        if (!r->stream || r->saw_event || now - r->last_ping_ns < iv)
            continue;
        r->last_ping_ns = now;
        pthread_mutex_lock(&r->mu);
        if (!r->up_done) {
            r->ping_due = 1;
            gw_req_wake_locked(r);
        }
        pthread_mutex_unlock(&r->mu);
    }
}

static void drain_queues(struct gw_upstream *u)
{
    pthread_mutex_lock(&u->qmu);
    struct gw_req *sub = u->submit_head, *poke = u->poke_head;
    u->submit_head = u->submit_tail = NULL;
    u->poke_head = NULL;
    for (struct gw_req *p = poke; p; p = p->p_next)
        p->poked = 0;
    pthread_mutex_unlock(&u->qmu);
    while (sub) {
        struct gw_req *next = sub->q_next;
        sub->q_next = NULL;
        if (start_transfer(u, sub) != 0) {
            pthread_mutex_lock(&sub->mu);
            sub->up_done = 1;
            sub->headers_ready = 1;
            sub->up_err = "gateway_unavailable";
            sub->stream_finished = 1;
            gw_req_wake_locked(sub);
            pthread_mutex_unlock(&sub->mu);
            if (sub->easy)
                curl_easy_cleanup(sub->easy);
            sub->easy = NULL;
            gw_sse_free(&sub->sse);
            gw_sscan_free(&sub->sscan);
            gw_req_release(sub);
        }
        sub = next;
    }
    while (poke) {
        struct gw_req *next = poke->p_next;
        poke->p_next = NULL;
        pthread_mutex_lock(&poke->mu);
        int gone = poke->client_gone, unpause = poke->want_unpause;
        poke->want_unpause = 0;
        pthread_mutex_unlock(&poke->mu);
        if (poke->easy) {
            if (gone)
                finish(u, poke, CURLE_ABORTED_BY_CALLBACK);
            else if (unpause)
                curl_easy_pause(poke->easy, CURLPAUSE_CONT);
        }
        gw_req_release(poke); /* the reference the poke queue held */
        poke = next;
    }
}

static void *upstream_main(void *arg)
{
    struct gw_upstream *u = arg;
    long long next_tick = 0;
    while (!atomic_load(&u->stop)) {
        drain_queues(u);
        int running = 0;
        curl_multi_perform(u->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(u->multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct gw_req *r = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
            if (r)
                finish(u, r, msg->data.result);
        }
        long long now = gw_now_ns();
        if (now >= next_tick) {
            tick(u);
            next_tick = now + TICK_MS * 1000000LL;
        }
        curl_multi_poll(u->multi, NULL, 0, TICK_MS, NULL);
    }
    /* shutdown: end every transfer so each client gets an answer */
    drain_queues(u);
    while (u->active)
        finish(u, u->active, CURLE_ABORTED_BY_CALLBACK);
    return NULL;
}

int gw_upstream_start(struct gw_upstream *u, struct gateway *gw, struct sluis_err *err)
{
    memset(u, 0, sizeof(*u));
    u->gw = gw;
    pthread_mutex_init(&u->qmu, NULL);
    u->multi = curl_multi_init();
    u->share = curl_share_init();
    if (!u->multi || !u->share)
        return sluis_err_set(err, SLUIS_ENOMEM, "curl multi init failed");
    /* DNS cache shared between the transfers of this one thread (no locking needed) */
    curl_share_setopt(u->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_multi_setopt(u->multi, CURLMOPT_MAXCONNECTS, 2048L);
    if (pthread_create(&u->thread, NULL, upstream_main, u) != 0)
        return sluis_err_set(err, SLUIS_EINTERNAL, "cannot start the upstream thread");
    u->running = 1;
    return 0;
}

int gw_upstream_submit(struct gw_upstream *u, struct gw_req *r)
{
    if (!u->running || atomic_load(&u->stop))
        return SLUIS_EINTERNAL;
    atomic_fetch_add(&r->refs, 1);
    pthread_mutex_lock(&u->qmu);
    r->q_next = NULL;
    if (u->submit_tail)
        u->submit_tail->q_next = r;
    else
        u->submit_head = r;
    u->submit_tail = r;
    pthread_mutex_unlock(&u->qmu);
    curl_multi_wakeup(u->multi);
    return 0;
}

void gw_upstream_poke(struct gw_upstream *u, struct gw_req *r)
{
    if (!u->running)
        return;
    pthread_mutex_lock(&u->qmu);
    if (!r->poked) {
        r->poked = 1;
        atomic_fetch_add(&r->refs, 1);
        r->p_next = u->poke_head;
        u->poke_head = r;
    }
    pthread_mutex_unlock(&u->qmu);
    curl_multi_wakeup(u->multi);
}

void gw_upstream_stop(struct gw_upstream *u)
{
    if (u->running) {
        atomic_store(&u->stop, 1);
        curl_multi_wakeup(u->multi);
        pthread_join(u->thread, NULL);
        u->running = 0;
    }
    while (u->n_pool)
        curl_easy_cleanup(u->pool[--u->n_pool]);
    if (u->scratch)
        gw_scanner_scratch_put(&u->gw->scanner, u->scratch);
    u->scratch = NULL;
    if (u->multi)
        curl_multi_cleanup(u->multi);
    if (u->share)
        curl_share_cleanup(u->share);
    u->multi = NULL;
    u->share = NULL;
}
