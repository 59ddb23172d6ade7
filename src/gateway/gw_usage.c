/* gw_usage.c - bounded, batched usage-record writer. */
#include "gateway/gw_usage.h"

#include <errno.h>
#include <stddef.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"

#define PUSH_WAIT_MS 1000

/* The string fields of a record, packed one after the other (each < 256 bytes by its cap). */
#define STR_FIELD(f)                                                                               \
    {                                                                                              \
        offsetof(struct gw_usage_rec, f), sizeof(((struct gw_usage_rec *)0)->f)                    \
    }
static const struct {
    size_t off, cap;
} str_fields[] = {STR_FIELD(request_id), STR_FIELD(node),     STR_FIELD(org),
                  STR_FIELD(app),        STR_FIELD(key_id),   STR_FIELD(user),
                  STR_FIELD(model),      STR_FIELD(provider), STR_FIELD(endpoint),
                  STR_FIELD(env),        STR_FIELD(verdict),  STR_FIELD(code),
                  STR_FIELD(rule),       STR_FIELD(detectors)};
#define N_STR (sizeof(str_fields) / sizeof(str_fields[0]))

struct gw_usage_packed {
    int status, upstream_status, stream;
    unsigned redacted;
    long prompt_tokens, completion_tokens, total_tokens;
    double latency_ms, overhead_ms;
    unsigned long long sse_events;
    char *content;
    unsigned char len[N_STR];
    char s[]; /* the strings, without their NULs */
};

/* A packed copy of r (content moves to it), or NULL on ENOMEM (content untouched). */
static struct gw_usage_packed *pack(const struct gw_usage_rec *r)
{
    size_t lens[N_STR], total = 0;
    for (size_t i = 0; i < N_STR; i++) {
        _Static_assert(sizeof(((struct gw_usage_rec *)0)->model) <= 256, "len is one byte");
        lens[i] = strnlen((const char *)r + str_fields[i].off, str_fields[i].cap - 1);
        total += lens[i];
    }
    struct gw_usage_packed *p = malloc(sizeof(*p) + total);
    if (!p)
        return NULL;
    p->status = r->status;
    p->upstream_status = r->upstream_status;
    p->stream = r->stream;
    p->redacted = r->redacted;
    p->prompt_tokens = r->prompt_tokens;
    p->completion_tokens = r->completion_tokens;
    p->total_tokens = r->total_tokens;
    p->latency_ms = r->latency_ms;
    p->overhead_ms = r->overhead_ms;
    p->sse_events = r->sse_events;
    p->content = r->content;
    char *o = p->s;
    for (size_t i = 0; i < N_STR; i++) {
        p->len[i] = (unsigned char)lens[i];
        memcpy(o, (const char *)r + str_fields[i].off, lens[i]);
        o += lens[i];
    }
    return p;
}

/* Fills r from p (r->content takes p's) and frees p. */
static void unpack(struct gw_usage_packed *p, struct gw_usage_rec *r)
{
    memset(r, 0, sizeof(*r));
    r->status = p->status;
    r->upstream_status = p->upstream_status;
    r->stream = p->stream;
    r->redacted = p->redacted;
    r->prompt_tokens = p->prompt_tokens;
    r->completion_tokens = p->completion_tokens;
    r->total_tokens = p->total_tokens;
    r->latency_ms = p->latency_ms;
    r->overhead_ms = p->overhead_ms;
    r->sse_events = p->sse_events;
    r->content = p->content;
    const char *in = p->s;
    for (size_t i = 0; i < N_STR; i++) {
        memcpy((char *)r + str_fields[i].off, in, p->len[i]);
        in += p->len[i];
    }
    free(p);
}

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

void gw_thread_background(void)
{
    /* SCHED_BATCH: never preempts a waking request thread; nice 5: a smaller CPU share under
       contention, never starved (records must not be dropped). Errors are harmless. */
    struct sched_param sp = {0};
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
}

/*
 * The writer's scheduling class, by backlog. A batch of records costs milliseconds of CPU;
 * as SCHED_BATCH it keeps the CPU for its time slice when a request thread wakes, which a
 * request then waits out (p99 on a shared core). As SCHED_IDLE any request thread preempts it
 * at once, and it still gets every idle moment of the CPU. Idle-class threads get almost
 * nothing on a saturated CPU, so while the backlog (the batch in hand included) is a quarter of
 * the ring or more it runs as SCHED_BATCH (nice 5) again and keeps up; a full ring also makes
 * request threads wait (gw_usage_push), which frees the CPU for it. Used only when this thread may
 * switch back (a thread without the privilege or RLIMIT_NICE to leave SCHED_IDLE stays
 * SCHED_BATCH).
 */
enum wpolicy { WP_BATCH, WP_IDLE };

static int set_policy(enum wpolicy p)
{
    struct sched_param sp = {0};
    return pthread_setschedparam(pthread_self(), p == WP_IDLE ? SCHED_IDLE : SCHED_BATCH, &sp);
}

static void *writer(void *arg)
{
    struct gw_usage *u = arg;
    gw_thread_background(); /* the request path has precedence over the batched writes */
    /* may this thread go idle-class and come back? try it once */
    int adaptive = set_policy(WP_IDLE) == 0 && set_policy(WP_BATCH) == 0;
    enum wpolicy cur = WP_BATCH;
    struct gw_usage_packed **taken = malloc(u->batch_max * sizeof(*taken));
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
        struct gw_usage_packed *first = u->ring[u->head];
        if (!taken)
            n = 1; /* no memory for a batch: one record at a time */
        for (size_t i = 0; i < n && taken; i++)
            taken[i] = u->ring[(u->head + i) % u->cap];
        /* the backlog with this batch: a quarter of the ring (512 records, about 5,000
           requests/s at the 100 ms flush) or more runs as SCHED_BATCH */
        enum wpolicy want = u->count >= u->cap / 4 ? WP_BATCH : WP_IDLE;
        u->head = (u->head + n) % u->cap;
        u->count -= n;
        pthread_cond_broadcast(&u->room);
        pthread_mutex_unlock(&u->mu);
        if (adaptive && want != cur && set_policy(want) == 0)
            cur = want;
        /* unpacked for the sink, outside the lock; allocated per batch, not kept */
        struct gw_usage_rec *batch = n > 1 ? malloc(n * sizeof(*batch)) : NULL;
        struct gw_usage_rec one;
        if (!batch && n > 1) { /* no memory: these records are lost, counted */
            for (size_t i = 0; i < n; i++) {
                free(taken[i]->content);
                free(taken[i]);
            }
            if (u->m)
                atomic_fetch_add(&u->m->usage_dropped, n);
            pthread_mutex_lock(&u->mu);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            unpack(taken ? taken[i] : first, batch ? &batch[i] : &one);
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
        free(batch);
        pthread_mutex_lock(&u->mu);
    }
    pthread_mutex_unlock(&u->mu);
    free(taken);
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
    struct gw_usage_packed *p = pack(r); /* outside the lock */
    if (!p) {
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
        free(p->content);
        free(p);
        r->content = NULL;
        if (u->m)
            atomic_fetch_add(&u->m->usage_dropped, 1);
        return SLUIS_ETOOBIG;
    }
    u->ring[(u->head + u->count) % u->cap] = p;
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
    for (size_t i = 0; i < u->count; i++) {
        struct gw_usage_packed *p = u->ring[(u->head + i) % u->cap];
        free(p->content);
        free(p);
    }
    free(u->ring);
    u->ring = NULL;
    pthread_mutex_destroy(&u->mu);
    pthread_cond_destroy(&u->more);
    pthread_cond_destroy(&u->room);
}

/* ---- the record as JSON text, written directly (no tree, no re-serialisation) ---- */

struct jbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void jb_reserve(struct jbuf *b, size_t n)
{
    if (b->oom || b->len + n + 1 <= b->cap)
        return;
    size_t nc = b->cap ? b->cap : 1024;
    while (nc < b->len + n + 1)
        nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np) {
        b->oom = 1;
        return;
    }
    b->p = np;
    b->cap = nc;
}

static void jb_raw(struct jbuf *b, const char *s, size_t n)
{
    jb_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t l = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (!l || l > n || (l == 2 && c < 0xC2) || (l == 4 && c > 0xF4))
        return 0;
    for (size_t i = 1; i < l; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (l == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
        return 0; /* overlong, or a surrogate */
    if (l == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
        return 0;
    return l;
}

/* A JSON string; bytes that are not valid UTF-8 (a header the client sent) become U+FFFD. */
static void jb_str(struct jbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    jb_reserve(b, n + 2);
    jb_raw(b, "\"", 1);
    size_t run = 0; /* start of the pending plain run */
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t l = c >= 0x80 ? utf8_len((const unsigned char *)s + i, n - i) : 0;
        if (l) {
            i += l;
            continue;
        }
        jb_raw(b, s + run, i - run);
        if (c == '"')
            jb_raw(b, "\\\"", 2);
        else if (c == '\\')
            jb_raw(b, "\\\\", 2);
        else if (c == '\b')
            jb_raw(b, "\\b", 2);
        else if (c == '\f')
            jb_raw(b, "\\f", 2);
        else if (c == '\n')
            jb_raw(b, "\\n", 2);
        else if (c == '\r')
            jb_raw(b, "\\r", 2);
        else if (c == '\t')
            jb_raw(b, "\\t", 2);
        else if (c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            jb_raw(b, u, 6);
        } else
            jb_raw(b, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
        i++;
        run = i;
    }
    jb_raw(b, s + run, n - run);
    jb_raw(b, "\"", 1);
}

static void jb_key(struct jbuf *b, const char *k)
{
    if (b->len > 1)
        jb_raw(b, ",", 1);
    jb_raw(b, "\"", 1);
    jb_raw(b, k, strlen(k));
    jb_raw(b, "\":", 2);
}

static void jb_str_or_null(struct jbuf *b, const char *k, const char *v)
{
    jb_key(b, k);
    if (v && *v)
        jb_str(b, v);
    else
        jb_raw(b, "null", 4);
}

static void jb_num(struct jbuf *b, const char *k, long long v)
{
    char t[32];
    int n = snprintf(t, sizeof(t), "%lld", v);
    jb_key(b, k);
    jb_raw(b, t, (size_t)n);
}

static void jb_tokens(struct jbuf *b, const char *k, long v)
{
    if (v >= 0)
        jb_num(b, k, v);
    else
        jb_str_or_null(b, k, NULL);
}

/* Milliseconds as whole microseconds (an integer: canonical JSON, like the metrics). */
static void jb_us(struct jbuf *b, const char *k, double ms)
{
    jb_num(b, k, (long long)(ms * 1000));
}

/* A comma-separated list as a JSON array of strings. */
static void jb_list(struct jbuf *b, const char *k, const char *csv)
{
    jb_key(b, k);
    jb_raw(b, "[", 1);
    const char *p = csv;
    char item[160];
    int first = 1;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l >= sizeof(item))
            l = sizeof(item) - 1;
        memcpy(item, p, l);
        item[l] = 0;
        if (!first)
            jb_raw(b, ",", 1);
        jb_str(b, item);
        first = 0;
        p = e ? e + 1 : p + strlen(p);
    }
    jb_raw(b, "]", 1);
}

char *gw_usage_format(const struct gw_usage_rec *r, size_t *len)
{
    struct jbuf b = {0};
    jb_reserve(&b, r->content ? strlen(r->content) + 1024 : 1024);
    jb_raw(&b, "{", 1);
    /* canonical JSON as audit_detail_canon() writes it (keys sorted, no whitespace, its string
       escapes, integers only), so the audit chain copies it without a parse */
    jb_str_or_null(&b, "application", r->app);
    jb_str_or_null(&b, "code", r->code);
    jb_tokens(&b, "completion_tokens", r->completion_tokens);
    if (r->content)
        jb_str_or_null(&b, "content", r->content);
    jb_list(&b, "detector_types", r->detectors);
    jb_key(&b, "endpoint");
    jb_str(&b, r->endpoint);
    jb_str_or_null(&b, "environment", r->env);
    jb_str_or_null(&b, "key_id", r->key_id);
    jb_us(&b, "latency_us", r->latency_ms);
    jb_str_or_null(&b, "model", r->model);
    jb_str_or_null(&b, "node", r->node);
    jb_us(&b, "overhead_us", r->overhead_ms);
    jb_tokens(&b, "prompt_tokens", r->prompt_tokens);
    jb_str_or_null(&b, "provider", r->provider);
    if (r->redacted)
        jb_num(&b, "redacted_parts", r->redacted);
    jb_key(&b, "request_id");
    jb_str(&b, r->request_id);
    jb_list(&b, "rule_ids", r->rule);
    if (r->stream)
        jb_num(&b, "sse_events", (long long)r->sse_events);
    jb_num(&b, "status", r->status);
    jb_key(&b, "stream");
    jb_raw(&b, r->stream ? "true" : "false", r->stream ? 4 : 5);
    /* the provider answered but reported no usage: say so, never count it as 0 */
    if (r->upstream_status >= 200 && r->upstream_status < 300 && r->total_tokens < 0) {
        jb_key(&b, "tokens_unknown");
        jb_raw(&b, "true", 4);
    }
    jb_tokens(&b, "total_tokens", r->total_tokens);
    if (r->upstream_status)
        jb_num(&b, "upstream_status", r->upstream_status);
    else
        jb_str_or_null(&b, "upstream_status", NULL);
    jb_str_or_null(&b, "user", r->user);
    jb_str_or_null(&b, "verdict", r->verdict);
    jb_raw(&b, "}", 1);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.p;
}
