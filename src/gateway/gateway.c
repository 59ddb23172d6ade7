/*
 * gateway.c - the gateway's HTTP side: the raw "/v1/" handler (body intake, enforcement,
 * hand-off to the upstream thread, suspended waiting, response or SSE stream), /metrics,
 * usage records, and the lifecycle. See gateway.h and docs/gateway.md.
 */
#include "gateway/gw_internal.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "core/str_copy.h"
#include "core/policy.h"
#include "gateway/gw_error.h"
#include "gateway/gw_orgcache.h"
#include "http/http.h"
#include "store/auditlog.h"
#include "store/register.h"
#include "store/store.h"

#define DEFAULT_MAX_BODY (4u * 1024 * 1024)
#define DEFAULT_MAX_RESPONSE (16u * 1024 * 1024)
#define RETAIN_MAX (64 * 1024)
#define DISCARD_MAX (64ull * 1024 * 1024) /* read and drop at most this of a too-big body */
#define FULL_REBUILD_MS 30000 /* an unchanged register is still rebuilt this often (secrets) */

long long gw_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void today(const struct gateway *gw, char out[GW_DATE_CAP])
{
    if (gw->cfg.eval_date && *gw->cfg.eval_date) {
        sluis_str_copy(out, GW_DATE_CAP, gw->cfg.eval_date);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, GW_DATE_CAP, "%Y-%m-%d", &tm);
}

void gw_req_wake_locked(struct gw_req *r)
{
    if (r->suspended && !r->client_gone) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
    }
}

void gw_req_release(struct gw_req *r)
{
    if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
        return;
    gw_request_free(&r->parsed);
    free(r->body);
    free(r->out);
    free(r->usage.content);
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->hdrs);
    gw_sse_free(&r->sse);
    gw_sscan_free(&r->sscan);
    free(r->rv);
    free(r->v);
    free(r->url);
    gw_snapshot_release(r->snap);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* ---- snapshot ---- */

static struct gw_snapshot *snapshot_get(struct gateway *gw)
{
    pthread_mutex_lock(&gw->snap_mu);
    struct gw_snapshot *s = gw->snap;
    if (s)
        gw_snapshot_retain(s);
    pthread_mutex_unlock(&gw->snap_mu);
    return s;
}

/* One listed register object, kept as text until we know the register changed. */
struct raw_obj {
    json_t *arr; /* the document section it goes to */
    int is_app;
    char *id, *org_id, *state, *content;
};

struct list_ctx {
    json_t *arr;
    const char *kind;
    long long n;
    int rc;
    EVP_MD_CTX *sha;
    struct raw_obj *raw;
    size_t n_raw, cap_raw;
    struct gw_org_set *orgs; /* organisations with an active policy file or role matrix */
    EVP_MD_CTX **org_sha;    /* per organisation: fingerprint of its active policy objects */
    size_t n_orgs, cap_orgs;
};

static void sha_str(EVP_MD_CTX *sha, const char *s)
{
    EVP_DigestUpdate(sha, s ? s : "", s ? strlen(s) + 1 : 1); /* with its NUL: a separator */
}

static void raw_free(struct list_ctx *c)
{
    for (size_t i = 0; i < c->n_raw; i++) {
        free(c->raw[i].id);
        free(c->raw[i].org_id);
        free(c->raw[i].state);
        free(c->raw[i].content);
    }
    free(c->raw);
    c->raw = NULL;
    c->n_raw = c->cap_raw = 0;
}

/* Lists: hash and keep the text (no JSON parsing yet). */
static int object_cb(void *ud, const struct reg_object *obj)
{
    struct list_ctx *c = ud;
    c->n++;
    sha_str(c->sha, c->kind);
    sha_str(c->sha, obj->id);
    sha_str(c->sha, obj->org_id);
    sha_str(c->sha, obj->state);
    sha_str(c->sha, obj->content);
    if (c->n_raw == c->cap_raw) {
        size_t nc = c->cap_raw ? c->cap_raw * 2 : 64;
        struct raw_obj *nr = realloc(c->raw, nc * sizeof(*nr));
        if (!nr) {
            c->rc = SLUIS_ENOMEM;
            return 1;
        }
        c->raw = nr;
        c->cap_raw = nc;
    }
    struct raw_obj *r = &c->raw[c->n_raw];
    r->arr = c->arr;
    r->is_app = !strcmp(c->kind, GATEWAY_KIND_APPLICATION);
    r->id = strdup(obj->id);
    r->org_id = strdup(obj->org_id);
    r->state = strdup(obj->state);
    r->content = strdup(obj->content ? obj->content : "null");
    c->n_raw++;
    if (!r->id || !r->org_id || !r->state || !r->content) {
        c->rc = SLUIS_ENOMEM;
        return 1;
    }
    return 0;
}

/* Parses a kept object into its document section. */
static int raw_add(const struct raw_obj *obj)
{
    json_error_t je;
    json_t *content = json_loads(obj->content, 0, &je);
    if (!content)
        return 0; /* unreadable content: leave it out (its application is then refused) */
    json_t *item;
    if (obj->is_app) {
        item = json_pack("{s:s, s:s, s:s, s:o}", "id", obj->id, "org_id", obj->org_id, "state",
                         obj->state, "dossier", content);
    } else {
        if (!json_is_object(content)) {
            json_decref(content);
            return 0;
        }
        item = content;
        if (!json_object_get(item, "id"))
            json_object_set_new(item, "id", json_string(obj->id));
    }
    if (!item || json_array_append_new(obj->arr, item))
        return SLUIS_ENOMEM;
    return 0;
}

/*
 * Organisation policy objects (files and role-matrix overrides): hashed whole, so an upload,
 * activation or deactivation changes the fingerprint; organisations with an active one are
 * kept, their sets are loaded when the snapshot is rebuilt.
 */
static int org_policy_cb(void *ud, const struct reg_object *obj)
{
    struct list_ctx *c = ud;
    c->n++;
    sha_str(c->sha, API_ORG_POLICY_KIND);
    sha_str(c->sha, obj->id);
    sha_str(c->sha, obj->org_id);
    sha_str(c->sha, obj->state);
    sha_str(c->sha, obj->content);
    if (strcmp(obj->state, "active"))
        return 0;
    size_t i = 0;
    while (i < c->n_orgs && strcmp(c->orgs[i].org, obj->org_id))
        i++;
    if (i == c->n_orgs) {
        if (c->n_orgs == c->cap_orgs) {
            size_t nc = c->cap_orgs ? c->cap_orgs * 2 : 8;
            struct gw_org_set *no = realloc(c->orgs, nc * sizeof(*no));
            if (no)
                c->orgs = no;
            EVP_MD_CTX **ns = no ? realloc(c->org_sha, nc * sizeof(*ns)) : NULL;
            if (!ns) {
                c->rc = SLUIS_ENOMEM;
                return 1;
            }
            c->org_sha = ns;
            c->cap_orgs = nc;
        }
        EVP_MD_CTX *sha = EVP_MD_CTX_new();
        if (!sha || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
            EVP_MD_CTX_free(sha);
            c->rc = SLUIS_ENOMEM;
            return 1;
        }
        memset(&c->orgs[i], 0, sizeof(c->orgs[0]));
        sluis_str_copy(c->orgs[i].org, sizeof(c->orgs[0].org), obj->org_id);
        c->org_sha[i] = sha;
        c->n_orgs++;
    }
    /* what api_org_policy_set_load() reads: the organisation's active objects, in order */
    sha_str(c->org_sha[i], obj->id);
    sha_str(c->org_sha[i], obj->state);
    sha_str(c->org_sha[i], obj->content);
    return 0;
}

/* Frees the list of sets; the sets themselves belong to the gateway's cache (gw_orgcache.h). */
static void org_sha_free(struct list_ctx *c)
{
    for (size_t i = 0; i < c->n_orgs; i++)
        EVP_MD_CTX_free(c->org_sha[i]);
    free(c->org_sha);
    c->org_sha = NULL;
}

/*
 * Sets the policy set of every organisation in c->orgs: the cached one while the organisation's
 * active policy objects are unchanged, else loaded (in tx) and cached. A set that cannot be
 * loaded stays NULL: that organisation's applications are refused (fail closed), logged once
 * per change. The sets stay owned by the cache.
 */
static int org_sets_load(struct gateway *gw, struct store_tx *tx, struct list_ctx *c)
{
    for (size_t i = 0; i < c->n_orgs; i++) {
        unsigned char fp[32];
        unsigned int fl = 0;
        if (EVP_DigestFinal_ex(c->org_sha[i], fp, &fl) != 1 || fl != 32)
            return SLUIS_EINTERNAL;
        if (gw_org_cache_get(&gw->orgc, c->orgs[i].org, fp, &c->orgs[i].ps)) {
            atomic_fetch_add(&gw->metrics.org_sets_reused, 1);
            continue;
        }
        struct sluis_err e = {0};
        struct policy_set *ps = NULL;
        int rc = SLUIS_EINVAL;
        if (gw->base_src)
            rc = api_org_policy_set_load(tx, c->orgs[i].org, gw->base_src, gw->base_len,
                                         gw->base_name, &ps, NULL, 0, &e);
        else
            sluis_err_set(&e, SLUIS_EINVAL,
                          "the gateway has several --policy files: no base for organisation sets");
        if (rc == SLUIS_ENOMEM || rc == SLUIS_EIO)
            return rc;
        if (rc) {
            fprintf(stderr,
                    "sluis gateway: beleid van organisatie %s laadt niet, toepassingen geweigerd / "
                    "policy of organisation %s does not load, its applications are refused: "
                    "%s:%d:%d: %s\n",
                    c->orgs[i].org, c->orgs[i].org, e.file, e.line, e.column, e.msg);
            ps = NULL;
        } else if (!ps) { /* nothing active after all (raced): the base set applies */
            rc = policy_set_load_buffer(&ps, gw->base_src, gw->base_len, gw->base_name, &e);
            if (rc)
                return rc;
        }
        atomic_fetch_add(&gw->metrics.org_sets_loaded, 1);
        if (gw_org_cache_put(&gw->orgc, c->orgs[i].org, fp, ps))
            return SLUIS_ENOMEM;
        c->orgs[i].ps = ps;
    }
    return 0;
}

/* Register users with an OIDC subject: the map from a verified token to a user id. */
static int user_cb(void *ud, const struct reg_user *u)
{
    struct list_ctx *c = ud;
    if (!u->oidc_subject[0])
        return 0;
    sha_str(c->sha, "user");
    sha_str(c->sha, u->id);
    sha_str(c->sha, u->oidc_subject);
    json_t *item = json_pack("{s:s, s:s}", "id", u->id, "oidc_subject", u->oidc_subject);
    if (!item || json_array_append_new(c->arr, item)) {
        c->rc = SLUIS_ENOMEM;
        return 1;
    }
    return 0;
}

/*
 * Reads the register into doc. The listing is hashed first (with the evaluation date); when
 * the hash equals the current snapshot's, *same is set and nothing is parsed: the snapshot is
 * still right and only its freshness is renewed.
 */
static int load_from_store(struct gateway *gw, json_t *doc, const char *day, unsigned char fp[32],
                           int *same, struct gw_org_set **sets, size_t *n_sets,
                           struct sluis_err *err)
{
    *sets = NULL;
    *n_sets = 0;
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    if (!sha || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(sha);
        return SLUIS_ENOMEM;
    }
    sha_str(sha, day);
    struct list_ctx all = {.sha = sha};
    *same = 0;
    static const char *const kinds[][2] = {{GATEWAY_KIND_APPLICATION, "applications"},
                                           {GATEWAY_KIND_KEY, "gateway_keys"},
                                           {GATEWAY_KIND_APP, "gateway_apps"},
                                           {GATEWAY_KIND_PROVIDER, "providers"},
                                           {GATEWAY_KIND_TRAINING, "trainings"}};
    struct store_tx *tx = NULL;
    int rc = store_tx_begin(gw->cfg.store, STORE_TX_READ, &tx, err);
    if (rc) {
        EVP_MD_CTX_free(sha);
        return rc;
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && !rc; k++) {
        json_t *arr = json_array();
        if (!arr || json_object_set_new(doc, kinds[k][1], arr)) {
            rc = SLUIS_ENOMEM;
            break;
        }
        for (long long off = 0; !rc; off += 1000) {
            struct reg_filter f = {.kind = kinds[k][0], .limit = 1000, .offset = off};
            all.arr = arr;
            all.kind = kinds[k][0];
            all.n = 0;
            rc = reg_object_list(tx, &f, object_cb, &all, err);
            if (rc == 1)
                rc = all.rc;
            if (rc || all.n < 1000)
                break;
        }
    }
    for (long long off = 0; !rc; off += 1000) {
        struct reg_filter f = {.kind = API_ORG_POLICY_KIND, .limit = 1000, .offset = off};
        all.n = 0;
        rc = reg_object_list(tx, &f, org_policy_cb, &all, err);
        if (rc == 1)
            rc = all.rc;
        if (rc || all.n < 1000)
            break;
    }
    if (!rc && gw->oidc.keys) {
        json_t *arr = json_array();
        all.arr = arr;
        if (!arr || json_object_set_new(doc, "users", arr))
            rc = SLUIS_ENOMEM;
        else if ((rc = reg_user_list(tx, NULL, user_cb, &all, err)) == 1)
            rc = all.rc;
    }
    unsigned int fl = 0;
    if (EVP_DigestFinal_ex(sha, fp, &fl) != 1 || fl != 32)
        rc = rc ? rc : SLUIS_EINTERNAL;
    EVP_MD_CTX_free(sha);
    /* a full rebuild at least every FULL_REBUILD_MS re-reads provider secrets (rotation) */
    struct gw_snapshot *cur = snapshot_get(gw);
    long long age = cur ? gw_now_ns() / 1000000LL - cur->built_ms : FULL_REBUILD_MS;
    gw_snapshot_release(cur);
    if (!rc && gw->have_fp && !memcmp(fp, gw->snap_fp, 32) && age < FULL_REBUILD_MS) {
        *same = 1;
    } else {
        if (!rc)
            rc = org_sets_load(gw, tx, &all);
        for (size_t i = 0; i < all.n_raw && !rc; i++)
            rc = raw_add(&all.raw[i]);
    }
    store_tx_rollback(tx);
    raw_free(&all);
    org_sha_free(&all);
    if (rc || *same) {
        free(all.orgs);
    } else {
        *sets = all.orgs;
        *n_sets = all.n_orgs;
    }
    return rc;
}

static int rebuild_locked(struct gateway *gw, struct sluis_err *err)
{
    json_t *doc = NULL;
    int rc = 0, same = 0, listed = 0;
    unsigned char fp[32];
    struct gw_org_set *sets = NULL;
    size_t n_sets = 0;
    char day[GW_DATE_CAP];
    today(gw, day);
    if (gw->cfg.store) {
        doc = json_object();
        if (!doc)
            return SLUIS_ENOMEM;
        rc = load_from_store(gw, doc, day, fp, &same, &sets, &n_sets, err);
        listed = !rc;
        if (!rc && same) { /* the register did not change: the snapshot is fresh as it is */
            json_decref(doc);
            atomic_store(&gw->fresh_ms, gw_now_ns() / 1000000LL);
            atomic_fetch_add(&gw->metrics.snapshot_refreshes, 1);
            return 0;
        }
    } else if (gw->register_file) {
        json_error_t je;
        doc = json_load_file(gw->register_file, JSON_REJECT_DUPLICATES, &je);
        if (!doc)
            rc = sluis_err_set(err, SLUIS_EINVAL, "%s:%d:%d: %s", gw->register_file, je.line,
                               je.column, je.text);
    } else {
        doc = json_object();
        if (!doc)
            rc = SLUIS_ENOMEM;
    }
    struct gw_snapshot *s = NULL;
    if (!rc)
        rc = gw_snapshot_build_orgs(doc, gw->ps, sets, n_sets, day, &s, err);
    json_decref(doc);
    free(sets); /* the sets themselves belong to the cache */
    if (listed)
        gw_org_cache_sweep(&gw->orgc); /* organisations without active policy any more */
    if (rc) {
        atomic_fetch_add(&gw->metrics.snapshot_failures, 1);
        return rc;
    }
    pthread_mutex_lock(&gw->snap_mu);
    struct gw_snapshot *old = gw->snap;
    gw->snap = s;
    if (gw->cfg.store) {
        memcpy(gw->snap_fp, fp, 32);
        gw->have_fp = 1;
    }
    atomic_store(&gw->fresh_ms, s->built_ms);
    pthread_mutex_unlock(&gw->snap_mu);
    gw_snapshot_release(old);
    atomic_fetch_add(&gw->metrics.snapshot_refreshes, 1);
    atomic_store(&gw->metrics.snapshot_serial, s->serial);
    return 0;
}

/* One rebuild at a time (the refresher, gateway_refresh): they share the set cache. */
static int rebuild(struct gateway *gw, struct sluis_err *err)
{
    pthread_mutex_lock(&gw->rebuild_mu);
    int rc = rebuild_locked(gw, err);
    pthread_mutex_unlock(&gw->rebuild_mu);
    return rc;
}

int gateway_refresh(struct gateway *gw, struct sluis_err *err)
{
    return rebuild(gw, err);
}

static void *refresher_main(void *arg)
{
    struct gateway *gw = arg;
    gw_thread_background(); /* rebuilds yield to the request path */
    pthread_mutex_lock(&gw->snap_mu);
    while (!gw->refresh_stop) {
        if (!gw->refresh_wanted) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += gw->cfg.refresh_ms / 1000;
            ts.tv_nsec += (long)(gw->cfg.refresh_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&gw->refresh_cv, &gw->snap_mu, &ts);
        }
        if (gw->refresh_stop)
            break;
        gw->refresh_wanted = 0;
        pthread_mutex_unlock(&gw->snap_mu);
        struct sluis_err e = {0};
        if (rebuild(gw, &e) != 0)
            fprintf(stderr, "sluis gateway: snapshot niet vernieuwd / not refreshed: %s\n", e.msg);
        pthread_mutex_lock(&gw->snap_mu);
    }
    pthread_mutex_unlock(&gw->snap_mu);
    return NULL;
}

static void on_notify(void *ud, const char *channel, const char *payload)
{
    struct gateway *gw = ud;
#ifdef REG_CHANNEL_OBJECTS
    /* every register object change is announced as "kind/id/version": only ours matter */
    if (payload && !strcmp(channel, REG_CHANNEL_OBJECTS)) {
        static const char *const kinds[] = {GATEWAY_KIND_APPLICATION "/", GATEWAY_KIND_KEY "/",
                                            GATEWAY_KIND_APP "/", GATEWAY_KIND_PROVIDER "/",
                                            GATEWAY_KIND_TRAINING "/"};
        int ours = 0;
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
            ours |= !strncmp(payload, kinds[i], strlen(kinds[i]));
        if (!ours)
            return;
    }
#else
    (void)channel;
#endif
    pthread_mutex_lock(&gw->snap_mu);
    gw->refresh_wanted = 1;
    pthread_cond_signal(&gw->refresh_cv);
    pthread_mutex_unlock(&gw->snap_mu);
}

/* ---- usage sinks ---- */

struct batch_ctx {
    struct audit_entry *es;
    size_t n;
};

static int append_batch(struct store_tx *tx, void *ud, struct sluis_err *err)
{
    struct batch_ctx *b = ud;
    return store_audit_append_batch(tx, b->es, b->n, err);
}

static void entry_from(struct audit_entry *e, const struct gw_usage_rec *r)
{
    memset(e, 0, sizeof(*e));
    sluis_str_copy(e->org_id, sizeof(e->org_id), r->org);
    if (r->user[0])
        sluis_str_copy(e->actor, sizeof(e->actor), r->user);
    else if (r->key_id[0])
        snprintf(e->actor, sizeof(e->actor), "key:%s", r->key_id);
    else
        snprintf(e->actor, sizeof(e->actor), "anonymous");
    sluis_str_copy(e->action, sizeof(e->action), AUDIT_ACTION_USAGE);
    sluis_str_copy(e->kind, sizeof(e->kind), r->app[0] ? "application" : "gateway");
    sluis_str_copy(e->object_id, sizeof(e->object_id), r->app[0] ? r->app : "unknown");
}

static int store_sink(void *ud, const struct gw_usage_rec *recs, size_t n)
{
    struct gateway *gw = ud;
    struct audit_entry *es = calloc(n, sizeof(*es));
    char **details = calloc(n, sizeof(*details));
    int rc = SLUIS_ENOMEM;
    if (!es || !details)
        goto out;
    for (size_t i = 0; i < n; i++) {
        details[i] = gw_usage_format(&recs[i], NULL);
        if (!details[i])
            goto out;
        entry_from(&es[i], &recs[i]);
        es[i].detail = details[i];
    }
    struct batch_ctx b = {es, n};
    struct sluis_err e = {0};
    rc = store_tx_run(gw->cfg.store, STORE_TX_WRITE, append_batch, &b, &e);
    if (rc)
        fprintf(stderr, "sluis gateway: gebruiksregels niet opgeslagen / usage not stored: %s\n",
                e.msg);
out:
    for (size_t i = 0; details && i < n; i++)
        free(details[i]);
    free(details);
    free(es);
    return rc;
}

static int file_sink(void *ud, const struct gw_usage_rec *recs, size_t n)
{
    struct gateway *gw = ud;
    int rc = 0;
    pthread_mutex_lock(&gw->usage_fp_mu);
    for (size_t i = 0; i < n && !rc; i++) {
        size_t len = 0;
        char *line = gw_usage_format(&recs[i], &len);
        if (!line || fwrite(line, 1, len, gw->usage_fp) != len || fputc('\n', gw->usage_fp) == EOF)
            rc = SLUIS_EIO;
        free(line);
    }
    if (fflush(gw->usage_fp))
        rc = SLUIS_EIO;
    pthread_mutex_unlock(&gw->usage_fp_mu);
    return rc;
}

/* ---- responses ---- */

static void set_overhead(struct gw_req *r)
{
    long long now = gw_now_ns();
    long long ns;
    if (r->t_submit_ns && r->t_up_done_ns && !r->stream_started)
        ns = (r->t_submit_ns - r->t0_ns) + (now - r->t_up_done_ns);
    else if (r->t_submit_ns)
        ns = r->t_submit_ns - r->t0_ns;
    else
        ns = now - (r->t0_ns ? r->t0_ns : now);
    if (ns < 0)
        ns = 0;
    r->overhead_ms = (double)ns / 1e6;
}

static void add_common_headers(struct gw_req *r, struct MHD_Response *resp, const char *ctype)
{
    char oh[32];
    set_overhead(r);
    snprintf(oh, sizeof(oh), "%.3f", r->overhead_ms);
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "x-request-id", r->request_id);
    MHD_add_response_header(resp, "x-sluis-overhead-ms", oh);
}

/* Queues body (malloc'ed, ownership taken) with status. */
static enum MHD_Result respond(struct gw_req *r, int status, const char *ctype, char *body,
                               size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    add_common_headers(r, resp, ctype);
    r->usage.status = status;
    r->status_sent = 1;
    r->phase = GW_PH_DONE;
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result respond_error(struct gw_req *r, const char *code, const char *param,
                                     const char *rule, const char *detectors, const char *detail)
{
    char *body = NULL;
    long n = gw_error_body(code, param, rule, detectors, detail, &body);
    sluis_str_copy(r->usage.code, sizeof(r->usage.code), code);
    sluis_str_copy(r->usage.rule, sizeof(r->usage.rule), rule ? rule : "");
    if (detectors)
        sluis_str_copy(r->usage.detectors, sizeof(r->usage.detectors), detectors);
    gw_metrics_refusal(&r->gw->metrics, code);
    if (n < 0)
        return MHD_NO;
    return respond(r, gw_error_status(code), "application/json", body, (size_t)n);
}

static enum MHD_Result respond_verdict(struct gw_req *r)
{
    return respond_error(r, r->v->code, r->v->param, r->v->rule, r->v->detectors, r->v->detail);
}

/* ---- /v1/models ---- */

static enum MHD_Result models(struct gw_req *r, const char *id)
{
    const struct gw_app *a = r->v->app;
    json_t *list = json_array();
    json_t *one = NULL;
    for (size_t i = 0; list && i < a->n_models; i++) {
        const struct gw_model *m = &a->models[i];
        int dup = 0;
        for (size_t k = 0; k < i; k++)
            dup |= !strcmp(a->models[k].name, m->name);
        if (dup)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "id", m->name, "object", "model", "created",
                              0, "owned_by", m->provider);
        if (!o)
            continue;
        if (id && !strcmp(id, m->name))
            one = json_incref(o);
        json_array_append_new(list, o);
    }
    json_t *root;
    if (id) {
        json_decref(list);
        if (!one) {
            snprintf(r->v->param, sizeof(r->v->param), "model");
            return respond_error(r, "model_not_found", "model", NULL, NULL, NULL);
        }
        root = one;
    } else {
        root = json_pack("{s:s, s:o}", "object", "list", "data", list);
    }
    char *s = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!s)
        return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
    atomic_fetch_add(&r->gw->metrics.requests[GW_EP_COUNT][GW_OUT_OK], 1);
    return respond(r, 200, "application/json", s, strlen(s));
}

/* ---- upstream answer ---- */

static void tokens_from_body(struct gw_req *r)
{
    const char *b = r->out ? r->out + r->out_off : "";
    size_t n = r->out_len - r->out_off;
    const char *u = memmem(b, n, "\"usage\"", 7);
    if (!u)
        return;
    size_t rest = n - (size_t)(u - b);
    const char *keys[3] = {"\"prompt_tokens\"", "\"completion_tokens\"", "\"total_tokens\""};
    long *dst[3] = {&r->prompt_tokens, &r->completion_tokens, &r->total_tokens};
    for (int i = 0; i < 3; i++) {
        const char *p = memmem(u, rest, keys[i], strlen(keys[i]));
        if (!p)
            continue;
        p += strlen(keys[i]);
        while (p < b + n && (*p == ' ' || *p == ':'))
            p++;
        if (p < b + n && *p >= '0' && *p <= '9')
            *dst[i] = strtol(p, NULL, 10);
    }
}

/* Scans the texts of a non-streaming answer. Returns 0 clean, 1 refused, -1 out of memory. */
static int scan_answer(struct gw_req *r)
{
    if (!r->v) { /* freed when the request went upstream */
        r->v = calloc(1, sizeof(*r->v));
        if (!r->v)
            return -1;
        r->v->app = r->app;
    }
    json_error_t je;
    json_t *j = json_loadb(r->out + r->out_off, r->out_len - r->out_off, 0, &je);
    if (!j)
        return 0; /* not JSON: passed on as is; nothing we can parse to scan */
    json_t *choices = json_object_get(j, "choices");
    size_t i;
    json_t *c;
    int rc = 0;
    json_array_foreach(choices, i, c)
    {
        const char *t =
            json_string_value(json_object_get(json_object_get(c, "message"), "content"));
        if (!t)
            t = json_string_value(json_object_get(c, "text"));
        if (t && gw_enforce_scan_response(&r->gw->scanner, t, strlen(t), r->v)) {
            rc = 1;
            break;
        }
    }
    json_decref(j);
    return rc;
}

static enum MHD_Result respond_upstream(struct gw_req *r)
{
    struct gateway *gw = r->gw;
    r->usage.upstream_status = (int)r->up_status;
    int ep = r->ep;
    if (r->up_err) {
        atomic_fetch_add(&gw->metrics.requests[ep][GW_OUT_UPSTREAM], 1);
        return respond_error(r, r->up_err, NULL, NULL, NULL, NULL);
    }
    long st = r->up_status;
    if (st >= 200 && st < 300) {
        tokens_from_body(r);
        int sc =
            (gw->cfg.scan_responses || (r->app && r->app->scan_responses)) ? scan_answer(r) : 0;
        if (sc < 0) { /* fail closed */
            atomic_fetch_add(&gw->metrics.requests[ep][GW_OUT_UNAVAILABLE], 1);
            return respond_error(r, "gateway_unavailable", NULL, NULL, NULL, NULL);
        }
        if (sc) {
            atomic_fetch_add(&gw->metrics.requests[ep][GW_OUT_REFUSED], 1);
            return respond_verdict(r);
        }
        atomic_fetch_add(&gw->metrics.requests[ep][GW_OUT_OK], 1);
        char *body = r->out;
        size_t len = r->out_len - r->out_off;
        if (r->out_off) {
            memmove(body, body + r->out_off, len);
            r->out_off = 0;
        }
        r->out = NULL;
        r->out_len = r->out_alloc = 0;
        return respond(r, (int)st, "application/json", body, len);
    }
    atomic_fetch_add(&gw->metrics.requests[ep][GW_OUT_UPSTREAM], 1);
    if (st == 400 || st == 404 || st == 409 || st == 422 || st == 429) {
        /* the provider's own answer about the request: pass it on when it is an error object */
        json_error_t je;
        json_t *j = json_loadb(r->out ? r->out + r->out_off : "", r->out_len - r->out_off, 0, &je);
        int ok = j && json_is_object(json_object_get(j, "error"));
        char *s = ok ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (s) {
            snprintf(r->usage.code, sizeof(r->usage.code), "upstream_%ld", st);
            return respond(r, (int)st, "application/json", s, strlen(s));
        }
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "upstream status %ld", st);
    return respond_error(r, "upstream_error", NULL, NULL, NULL, detail);
}

/* ---- streaming to the client ---- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct gw_req *r = cls;
    int poke = 0;
    ssize_t ret;
    pthread_mutex_lock(&r->mu);
    size_t avail = r->out_len - r->out_off;
    if (avail) {
        size_t n = avail < max ? avail : max;
        memcpy(buf, r->out + r->out_off, n);
        r->out_off += n;
        if (r->out_off == r->out_len && !r->paused) {
            /* drained: give the buffer back between events, so an idle stream holds none
               (RSS with many concurrent streams); out_add() allocates it again */
            free(r->out);
            r->out = NULL;
            r->out_len = r->out_off = r->out_alloc = 0;
        }
        if (r->paused && r->out_len - r->out_off < r->out_cap / 2) {
            r->paused = 0;
            r->want_unpause = 1;
            poke = 1;
        }
        ret = (ssize_t)n;
    } else if (r->ping_due && !r->saw_event && max >= 8) {
        r->ping_due = 0;
        memcpy(buf, ": ping\n\n", 8);
        ret = 8;
    } else if (r->stream_finished) {
        ret = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        r->ping_due = 0;
        r->suspended = 1;
        MHD_suspend_connection(r->conn);
        ret = 0;
    }
    pthread_mutex_unlock(&r->mu);
    if (poke)
        gw_upstream_poke(&r->gw->up, r);
    return ret;
}

static enum MHD_Result start_stream(struct gw_req *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, stream_read, r, NULL);
    /* block size 256: HTTP/1.1 streams are chunked from MHD's connection write buffer and never
       use this block (allocated and zeroed per stream); only HTTP/1.0 clients read through it */
    if (!resp)
        return MHD_NO;
    add_common_headers(r, resp, "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    r->usage.status = 200;
    r->status_sent = 1;
    r->phase = GW_PH_STREAM;
    atomic_fetch_add(&r->gw->metrics.active_streams, 1);
    atomic_fetch_add(&r->gw->metrics.requests[r->ep][GW_OUT_OK], 1);
    enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Called when MHD resumes a request waiting for upstream. */
static enum MHD_Result on_resumed(struct gw_req *r)
{
    pthread_mutex_lock(&r->mu);
    if (!r->stream || (r->headers_ready && !r->is_sse)) {
        if (!r->up_done) {
            r->suspended = 1;
            MHD_suspend_connection(r->conn);
            pthread_mutex_unlock(&r->mu);
            return MHD_YES;
        }
        pthread_mutex_unlock(&r->mu);
        return respond_upstream(r);
    }
    if (r->is_sse || r->ping_due || r->up_done) {
        if (r->up_done && !r->is_sse) {
            pthread_mutex_unlock(&r->mu);
            return respond_upstream(r);
        }
        r->stream_started = 1;
        pthread_mutex_unlock(&r->mu);
        return start_stream(r);
    }
    r->suspended = 1;
    MHD_suspend_connection(r->conn);
    pthread_mutex_unlock(&r->mu);
    return MHD_YES;
}

/* ---- the request path ---- */

static int endpoint_of(const char *url)
{
    if (!strcmp(url, "/v1/chat/completions"))
        return GW_EP_CHAT;
    if (!strcmp(url, "/v1/completions"))
        return GW_EP_COMPLETIONS;
    if (!strcmp(url, "/v1/embeddings"))
        return GW_EP_EMBEDDINGS;
    return -1;
}

static const char *bearer_of(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7))
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

static void usage_from_verdict(struct gw_req *r)
{
    const struct gw_app *a = r->v->app;
    if (a) {
        sluis_str_copy(r->usage.app, sizeof(r->usage.app), a->id);
        sluis_str_copy(r->usage.org, sizeof(r->usage.org), a->org_id);
        sluis_str_copy(r->usage.env, sizeof(r->usage.env), gw_env_name(a->env));
        sluis_str_copy(r->usage.verdict, sizeof(r->usage.verdict), a->verdict);
    }
    if (r->v->provider)
        sluis_str_copy(r->usage.provider, sizeof(r->usage.provider), r->v->provider->id);
    sluis_str_copy(r->usage.user, sizeof(r->usage.user), r->v->user);
    sluis_str_copy(r->usage.detectors, sizeof(r->usage.detectors), r->v->detectors);
    r->usage.redacted = (unsigned)r->v->n_redacted;
}

static enum MHD_Result decide(struct gw_req *r, const char *url, const char *method)
{
    struct gateway *gw = r->gw;
    int is_models = !strcmp(url, "/v1/models") || !strncmp(url, "/v1/models/", 11);
    int ep = endpoint_of(url);
    r->ep = ep >= 0 ? ep : GW_EP_COUNT;
    snprintf(r->usage.endpoint, sizeof(r->usage.endpoint), "%s",
             is_models ? "models"
             : ep >= 0 ? gw_endpoint_name((enum gw_endpoint)ep)
                       : "other");
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (is_models && !get)
        return respond_error(r, "method_not_allowed", NULL, NULL, NULL, NULL);
    if (!is_models && ep < 0)
        return respond_error(r, "not_found", NULL, NULL, NULL, NULL);
    if (!is_models && strcmp(method, "POST"))
        return respond_error(r, "method_not_allowed", NULL, NULL, NULL, NULL);
    if (r->too_big)
        return respond_error(r, "request_too_large", NULL, NULL, NULL, NULL);
    if (!is_models) {
        const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
        if (!ct || strncasecmp(ct, "application/json", 16) ||
            (ct[16] && ct[16] != ';' && ct[16] != ' '))
            return respond_error(r, "unsupported_media_type", NULL, NULL, NULL, NULL);
    }
    r->v = calloc(1, sizeof(*r->v));
    if (!r->v)
        return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
    /* fail closed: no snapshot, or one older than allowed */
    r->snap = snapshot_get(gw);
    if (!r->snap ||
        (gw_now_ns() / 1000000LL - atomic_load(&gw->fresh_ms)) > (long long)gw->cfg.max_stale_ms) {
        atomic_fetch_add(&gw->metrics.requests[r->ep][GW_OUT_UNAVAILABLE], 1);
        return respond_error(r, "gateway_unavailable", NULL, NULL, NULL, NULL);
    }
    char d[GW_DATE_CAP];
    today(gw, d);
    const char *bearer = bearer_of(r->conn);
    unsigned char kh[32];
    int have_key = bearer && *bearer;
    if (have_key) {
        SHA256((const unsigned char *)bearer, strlen(bearer), kh);
        static const char hex[] = "0123456789abcdef";
        for (int i = 0; i < 8; i++) {
            r->usage.key_id[2 * i] = hex[kh[i] >> 4];
            r->usage.key_id[2 * i + 1] = hex[kh[i] & 15];
        }
        r->usage.key_id[16] = 0;
    }
    if (gw_enforce_app_hash(r->snap, have_key ? kh : NULL, d, r->v)) {
        usage_from_verdict(r);
        atomic_fetch_add(&gw->metrics.requests[r->ep][GW_OUT_REFUSED], 1);
        return respond_verdict(r);
    }
    r->app = r->v->app;
    /* the calling user: a verified OIDC token wins over the application's header */
    char user[GW_ID_CAP], why[160];
    if (gw_identity_resolve(
            &gw->oidc, r->snap,
            MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "x-sluis-user"),
            MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "x-sluis-user-token"),
            (long long)time(NULL), user, sizeof(user), why, sizeof(why))) {
        usage_from_verdict(r);
        atomic_fetch_add(&gw->metrics.requests[r->ep][GW_OUT_REFUSED], 1);
        return respond_error(r, "user_token_invalid", NULL, NULL, NULL, why);
    }
    if (is_models) {
        usage_from_verdict(r);
        return models(r, url[10] == '/' ? url + 11 : NULL);
    }
    struct gw_perr pe;
    int rc = gw_request_parse(&r->parsed, (enum gw_endpoint)ep, r->body, r->body_len, &pe);
    if (rc) {
        usage_from_verdict(r);
        atomic_fetch_add(&gw->metrics.requests[ep][GW_OUT_INVALID], 1);
        if (rc == SLUIS_ENOMEM)
            return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
        return respond_error(r, pe.invalid_json ? "invalid_json" : "invalid_request", pe.param,
                             NULL, NULL, pe.msg);
    }
    r->stream = r->parsed.stream;
    r->usage.stream = r->stream;
    sluis_str_copy(r->usage.model, sizeof(r->usage.model), r->parsed.model);
    if (gw_enforce_model(r->snap, r->parsed.model, user, d, r->v) ||
        gw_enforce_scan(&gw->scanner, &r->parsed, r->v)) {
        usage_from_verdict(r);
        atomic_fetch_add(&gw->metrics.requests[ep][!strcmp(r->v->code, "gateway_unavailable")
                                                       ? GW_OUT_UNAVAILABLE
                                                       : GW_OUT_REFUSED],
                         1);
        return respond_verdict(r);
    }
    usage_from_verdict(r);
    /* a stream without include_usage: ask the provider for usage anyway (a usage record needs
       tokens) and strip what the client did not ask for from its stream (gw_upstream.c) */
    r->strip_usage = r->stream && !r->parsed.include_usage && ep != GW_EP_EMBEDDINGS;
    if (r->strip_usage) {
        char *nb = NULL;
        size_t nl = 0;
        if (gw_request_ask_usage(&r->parsed, r->body, r->body_len, r->v->n_redacted != 0, &nb, &nl))
            return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
        free(r->body);
        r->body = nb;
        r->body_len = nl;
    } else if (r->v->n_redacted) {
        char *nb = json_dumps(r->parsed.root, JSON_COMPACT);
        if (!nb)
            return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
        free(r->body);
        r->body = nb;
        r->body_len = strlen(nb);
    }
    gw_request_free(&r->parsed); /* not needed any more: memory per stream */
    if (r->v->app->retain_content)
        r->usage.content = strndup(r->body, RETAIN_MAX);
    const struct gw_provider *p = r->v->provider;
    if (asprintf(&r->url, "%s%s", p->base_url, gw_endpoint_path((enum gw_endpoint)ep)) < 0) {
        r->url = NULL;
        return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
    }
    r->up_body = r->body;
    r->up_body_len = r->body_len;
    r->timeout_ms = p->timeout_ms > 0 ? p->timeout_ms : (long)gw->cfg.upstream_timeout_ms;
    r->out_cap = r->stream ? GW_STREAM_BUF : gw->cfg.max_response;
    /* response scanning of a stream: on the upstream thread, over the delta texts */
    r->scan_stream = r->stream && (gw->cfg.scan_responses || r->v->app->scan_responses);
    if (r->scan_stream) {
        r->rv = calloc(1, sizeof(*r->rv));
        if (!r->rv)
            return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
        r->rv->app = r->v->app;
    }
    char hdr[GW_ID_CAP + 64];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (h)
        h = curl_slist_append(h,
                              r->stream ? "Accept: text/event-stream" : "Accept: application/json");
    if (h)
        h = curl_slist_append(h, "Expect:");
    snprintf(hdr, sizeof(hdr), "x-request-id: %s", r->request_id);
    if (h)
        h = curl_slist_append(h, hdr);
    if (h && p->secret) {
        char *auth = NULL;
        if (asprintf(&auth, "Authorization: Bearer %s", p->secret) > 0) {
            h = curl_slist_append(h, auth);
            memset(auth, 0, strlen(auth));
            free(auth);
        }
    }
    if (!h)
        return respond_error(r, "internal_error", NULL, NULL, NULL, NULL);
    r->hdrs = h;
    free(r->v); /* decided: what is still needed was copied (memory per stream) */
    r->v = NULL;
    r->phase = GW_PH_WAIT;
    r->t_submit_ns = gw_now_ns();
    pthread_mutex_lock(&r->mu);
    r->suspended = 1;
    MHD_suspend_connection(r->conn);
    if (gw_upstream_submit(&gw->up, r) != 0) {
        r->up_done = 1;
        r->headers_ready = 1;
        r->stream_finished = 1;
        r->up_err = "gateway_unavailable";
        gw_req_wake_locked(r);
    }
    pthread_mutex_unlock(&r->mu);
    return MHD_YES;
}

static enum MHD_Result on_v1(void *ud, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **con_cls)
{
    (void)version;
    struct gateway *gw = ud;
    struct gw_req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        atomic_init(&r->refs, 1);
        pthread_mutex_init(&r->mu, NULL);
        r->gw = gw;
        r->conn = conn;
        r->prompt_tokens = r->completion_tokens = r->total_tokens = -1;
        unsigned long long id = atomic_fetch_add(&gw->next_id, 1);
        snprintf(r->request_id, sizeof(r->request_id), "req_%016llx",
                 (id * 0x9E3779B97F4A7C15ULL) ^ gw->id_salt);
        sluis_str_copy(r->usage.request_id, sizeof(r->usage.request_id), r->request_id);
        sluis_str_copy(r->usage.node, sizeof(r->usage.node), gw->node);
        r->ep = GW_EP_COUNT;
        *con_cls = r;
        atomic_fetch_add(&gw->metrics.in_flight, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end = NULL;
            unsigned long long n = strtoull(cl, &end, 10);
            if (!end || *end || n > gw->cfg.max_body) {
                r->too_big = 1; /* the body is read and dropped; 413 when it is complete */
                if (!end || *end || n > DISCARD_MAX) {
                    r->t0_ns = gw_now_ns();
                    return respond_error(r, "request_too_large", NULL, NULL, NULL, NULL);
                }
            }
        }
        return MHD_YES;
    }
    if (r->phase == GW_PH_BODY) {
        if (*upload_size) {
            size_t n = *upload_size;
            *upload_size = 0;
            if (r->too_big) {
                r->discarded += n;
                if (r->discarded > DISCARD_MAX) {
                    r->t0_ns = gw_now_ns();
                    return respond_error(r, "request_too_large", NULL, NULL, NULL, NULL);
                }
                return MHD_YES;
            }
            if (r->body_len + n > gw->cfg.max_body) {
                r->too_big = 1;
                free(r->body);
                r->body = NULL;
                r->body_len = r->body_cap = 0;
                return MHD_YES;
            }
            if (r->body_len + n + 1 > r->body_cap) {
                size_t cap = r->body_cap ? r->body_cap : 1024;
                while (cap < r->body_len + n + 1)
                    cap *= 2;
                if (cap > gw->cfg.max_body + 1)
                    cap = gw->cfg.max_body + 1;
                char *b = realloc(r->body, cap);
                if (!b)
                    return MHD_NO;
                r->body = b;
                r->body_cap = cap;
            }
            memcpy(r->body + r->body_len, upload, n);
            r->body_len += n;
            r->body[r->body_len] = 0;
            return MHD_YES;
        }
        r->t0_ns = gw_now_ns();
        return decide(r, url, method);
    }
    if (r->phase == GW_PH_WAIT)
        return on_resumed(r);
    if (*upload_size)
        *upload_size = 0; /* a response is queued already: discard the rest */
    return MHD_YES;
}

static void on_v1_done(void *ud, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct gateway *gw = ud;
    struct gw_req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    pthread_mutex_lock(&r->mu);
    r->client_gone = 1;
    int in_flight = r->t_submit_ns && !r->up_done;
    r->usage.sse_events = r->events;
    r->usage.prompt_tokens = r->prompt_tokens;
    r->usage.completion_tokens = r->completion_tokens;
    r->usage.total_tokens = r->total_tokens;
    if (r->stream_started && r->up_err && !r->usage.code[0])
        sluis_str_copy(r->usage.code, sizeof(r->usage.code), r->up_err);
    if (r->rv && r->rv->n_findings) { /* a streamed response's findings: names and rule only */
        sluis_str_copy(r->usage.detectors, sizeof(r->usage.detectors), r->rv->detectors);
        if (r->rv->code)
            sluis_str_copy(r->usage.rule, sizeof(r->usage.rule), r->rv->rule);
    }
    if (r->up_status)
        r->usage.upstream_status = (int)r->up_status;
    pthread_mutex_unlock(&r->mu);
    if (in_flight)
        gw_upstream_poke(&gw->up, r);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->usage.code[0])
        snprintf(r->usage.code, sizeof(r->usage.code), "client_closed");
    if (!r->status_sent)
        r->usage.status = 499;
    long long now = gw_now_ns();
    r->usage.latency_ms = r->t0_ns ? (double)(now - r->t0_ns) / 1e6 : 0;
    r->usage.overhead_ms = r->overhead_ms;
    gw_hist_observe(&gw->metrics.overhead, (unsigned long long)(r->overhead_ms * 1000.0));
    if (r->stream_started)
        atomic_fetch_sub(&gw->metrics.active_streams, 1);
    atomic_fetch_sub(&gw->metrics.in_flight, 1);
    gw_usage_push(&gw->usage, &r->usage);
    gw_req_release(r);
}

static int metrics_route(struct http_req *req, struct http_resp *resp, void *ud)
{
    (void)req;
    struct gateway *gw = ud;
    long long t0 = gw_now_ns();
    struct gw_snapshot *s = snapshot_get(gw);
    if (s) {
        atomic_store(&gw->metrics.snapshot_age_ms,
                     gw_now_ns() / 1000000LL - atomic_load(&gw->fresh_ms));
        gw_snapshot_release(s);
    }
    char *out = NULL;
    long n = gw_metrics_render(&gw->metrics, &out);
    if (n < 0)
        return SLUIS_ENOMEM;
    int rc = http_resp_raw(resp, 200, "text/plain; version=0.0.4; charset=utf-8", out, (size_t)n);
    free(out);
    char oh[32];
    snprintf(oh, sizeof(oh), "%.3f", (double)(gw_now_ns() - t0) / 1e6);
    http_resp_header(resp, "x-sluis-overhead-ms", oh);
    return rc;
}

/* ---- lifecycle ---- */

/* Reads the base policy file's text (it loaded a moment ago, so its size is within the cap). */
static int read_base(struct gateway *gw, const char *path, struct sluis_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sluis_err_set(err, SLUIS_EIO, "cannot open %s", path);
    size_t cap = POLICY_MAX_FILE_BYTES + 1;
    gw->base_src = malloc(cap);
    size_t n = gw->base_src ? fread(gw->base_src, 1, cap, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!gw->base_src)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    if (bad || n == cap)
        return sluis_err_set(err, SLUIS_EIO, "cannot read %s", path);
    gw->base_len = n;
    sluis_str_copy(gw->base_name, sizeof(gw->base_name), path);
    return 0;
}

int gateway_new(struct gateway **out, const struct gateway_config *cfg, struct sluis_err *err)
{
    *out = NULL;
    struct gateway *gw = calloc(1, sizeof(*gw));
    if (!gw)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    gw->cfg = *cfg;
    gw->cfg.policy_paths = NULL;
    gw->cfg.n_policy_paths = 0;
    gw->cfg.register_file = NULL;
    gw->cfg.usage_file = NULL;
    gw->cfg.node = NULL;
    gw->cfg.oidc_jwks = gw->cfg.oidc_issuer = gw->cfg.oidc_audience = NULL;
    if (!gw->cfg.refresh_ms)
        gw->cfg.refresh_ms = 2000;
    if (!gw->cfg.max_stale_ms)
        gw->cfg.max_stale_ms = 30000;
    if (!gw->cfg.max_body)
        gw->cfg.max_body = DEFAULT_MAX_BODY;
    if (!gw->cfg.max_response)
        gw->cfg.max_response = DEFAULT_MAX_RESPONSE;
    if (!gw->cfg.connect_timeout_ms)
        gw->cfg.connect_timeout_ms = 5000;
    if (!gw->cfg.upstream_timeout_ms)
        gw->cfg.upstream_timeout_ms = 60000;
    if (!gw->cfg.ping_ms)
        gw->cfg.ping_ms = 1000;
    gw->cfg.eval_date = NULL;
    if (cfg->eval_date) {
        sluis_str_copy(gw->eval_date, sizeof(gw->eval_date), cfg->eval_date);
        gw->cfg.eval_date = gw->eval_date;
    }
    if (cfg->node && *cfg->node)
        sluis_str_copy(gw->node, sizeof(gw->node), cfg->node);
    else if (gethostname(gw->node, sizeof(gw->node) - 1) != 0)
        snprintf(gw->node, sizeof(gw->node), "gateway");
    pthread_mutex_init(&gw->snap_mu, NULL);
    pthread_mutex_init(&gw->rebuild_mu, NULL);
    pthread_mutex_init(&gw->usage_fp_mu, NULL);
    pthread_cond_init(&gw->refresh_cv, NULL);
    gw_metrics_init(&gw->metrics);
    if (getrandom(&gw->id_salt, sizeof(gw->id_salt), 0) != (ssize_t)sizeof(gw->id_salt))
        gw->id_salt = (unsigned long long)gw_now_ns();
    int rc = 0;
    if (cfg->register_file && !(gw->register_file = strdup(cfg->register_file))) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        goto fail;
    }
    if (cfg->usage_file && *cfg->usage_file) {
        gw->usage_fp = fopen(cfg->usage_file, "a");
        if (!gw->usage_fp) {
            rc = sluis_err_set(err, SLUIS_EIO, "cannot open usage log %s", cfg->usage_file);
            goto fail;
        }
    }
    if (cfg->n_policy_paths) {
        rc = policy_set_load(&gw->ps, cfg->policy_paths, cfg->n_policy_paths, err);
        if (rc)
            goto fail;
    }
    if (cfg->n_policy_paths == 1) { /* the base of organisations' own sets (register mode) */
        rc = read_base(gw, cfg->policy_paths[0], err);
        if (rc)
            goto fail;
    }
    rc = gw_scanner_init(&gw->scanner, err);
    if (rc)
        goto fail;
    rc = gw_oidc_init(&gw->oidc, cfg->oidc_jwks, cfg->oidc_issuer, cfg->oidc_audience, err);
    if (rc)
        goto fail;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        rc = sluis_err_set(err, SLUIS_EINTERNAL, "curl_global_init failed");
        goto fail;
    }
    *out = gw;
    return 0;
fail:
    gateway_free(gw);
    return rc;
}

int gateway_mount(struct gateway *gw, struct http_server *srv, struct sluis_err *err)
{
    int rc = http_server_mount_raw(srv, "/v1/", on_v1, on_v1_done, gw);
    if (!rc)
        rc = http_server_route(srv, "GET", "/metrics", metrics_route, gw);
    if (rc)
        return sluis_err_set(err, rc, "cannot mount the gateway");
    return 0;
}

int gateway_start(struct gateway *gw, struct sluis_err *err)
{
    if (gw->started)
        return 0;
    int rc = rebuild(gw, err);
    if (rc)
        return rc;
    rc = gw_usage_start(&gw->usage, 2048,
                        gw->cfg.store  ? store_sink
                        : gw->usage_fp ? file_sink
                                       : NULL,
                        gw, &gw->metrics);
    if (rc)
        return sluis_err_set(err, rc, "cannot start the usage writer");
    rc = gw_upstream_start(&gw->up, gw, err);
    if (rc)
        return rc;
    if (pthread_create(&gw->refresher, NULL, refresher_main, gw) != 0)
        return sluis_err_set(err, SLUIS_EINTERNAL, "cannot start the snapshot refresher");
    gw->refresher_running = 1;
    if (gw->cfg.store) {
        rc = store_listen(gw->cfg.store, GATEWAY_NOTIFY_CHANNEL, on_notify, gw, err);
#ifdef REG_CHANNEL_OBJECTS
        if (!rc)
            rc = store_listen(gw->cfg.store, REG_CHANNEL_OBJECTS, on_notify, gw, err);
#endif
        if (rc)
            return rc;
    }
    gw->started = 1;
    return 0;
}

void gateway_shutdown(struct gateway *gw)
{
    if (!gw)
        return;
    gw_upstream_stop(&gw->up);
    if (gw->refresher_running) {
        pthread_mutex_lock(&gw->snap_mu);
        gw->refresh_stop = 1;
        pthread_cond_signal(&gw->refresh_cv);
        pthread_mutex_unlock(&gw->snap_mu);
        pthread_join(gw->refresher, NULL);
        gw->refresher_running = 0;
    }
}

void gateway_free(struct gateway *gw)
{
    if (!gw)
        return;
    gateway_shutdown(gw);
    gw_usage_stop(&gw->usage);
    if (gw->scanner.db)
        gw_scanner_free(&gw->scanner);
    policy_set_free(gw->ps);
    free(gw->base_src);
    gw_oidc_free(&gw->oidc);
    gw_snapshot_release(gw->snap);
    gw_org_cache_free(&gw->orgc);
    if (gw->usage_fp)
        fclose(gw->usage_fp);
    free(gw->register_file);
    pthread_mutex_destroy(&gw->snap_mu);
    pthread_mutex_destroy(&gw->rebuild_mu);
    pthread_mutex_destroy(&gw->usage_fp_mu);
    pthread_cond_destroy(&gw->refresh_cv);
    free(gw);
}

int gateway_key_generate(char *key, size_t cap, char sha256_hex[65])
{
    unsigned char raw[24], h[32];
    if (cap < 64 || getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return SLUIS_EIO;
    int o = snprintf(key, cap, "sk-sluis-");
    for (size_t i = 0; i < sizeof(raw); i++)
        o += snprintf(key + o, cap - (size_t)o, "%02x", raw[i]);
    SHA256((const unsigned char *)key, strlen(key), h);
    for (int i = 0; i < 32; i++)
        snprintf(sha256_hex + 2 * i, 3, "%02x", h[i]);
    return 0;
}
