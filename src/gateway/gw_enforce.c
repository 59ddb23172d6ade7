/* gw_enforce.c - per-request policy over the snapshot, and the shared scanner. */
#include "gateway/gw_enforce.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_scandb.h"
#include "scan/scan.h"

int gw_scanner_init(struct gw_scanner *sc, struct sluis_err *err)
{
    memset(sc, 0, sizeof(*sc));
    sc->min_confidence = SCAN_MIN_CONFIDENCE_DEFAULT;
    pthread_mutex_init(&sc->mu, NULL);
    return gw_scandb_compile(&sc->db, err); /* in a child: memory (gw_scandb.h) */
}

void gw_scanner_free(struct gw_scanner *sc)
{
    for (size_t i = 0; i < sc->n_free; i++)
        scan_scratch_free(sc->free_list[i]);
    free(sc->free_list);
    scan_db_free(sc->db);
    pthread_mutex_destroy(&sc->mu);
    memset(sc, 0, sizeof(*sc));
}

struct scan_scratch *gw_scanner_scratch_get(struct gw_scanner *sc)
{
    struct scan_scratch *s = NULL;
    pthread_mutex_lock(&sc->mu);
    if (sc->n_free)
        s = sc->free_list[--sc->n_free];
    pthread_mutex_unlock(&sc->mu);
    if (!s && scan_scratch_new(sc->db, &s) != 0)
        return NULL;
    return s;
}

void gw_scanner_scratch_put(struct gw_scanner *sc, struct scan_scratch *s)
{
    pthread_mutex_lock(&sc->mu);
    if (sc->n_free == sc->cap_free) {
        size_t nc = sc->cap_free ? sc->cap_free * 2 : 8;
        struct scan_scratch **nl = realloc(sc->free_list, nc * sizeof(*nl));
        if (!nl) {
            pthread_mutex_unlock(&sc->mu);
            scan_scratch_free(s);
            return;
        }
        sc->free_list = nl;
        sc->cap_free = nc;
    }
    sc->free_list[sc->n_free++] = s;
    pthread_mutex_unlock(&sc->mu);
}

static int refuse(struct gw_verdict *v, const char *code, const char *rule)
{
    v->code = code;
    snprintf(v->rule, sizeof(v->rule), "%s", rule ? rule : "");
    return 1;
}

int gw_enforce_app(const struct gw_snapshot *s, const char *bearer, const char *today,
                   struct gw_verdict *v)
{
    if (!bearer || !*bearer)
        return gw_enforce_app_hash(s, NULL, today, v);
    unsigned char h[32];
    SHA256((const unsigned char *)bearer, strlen(bearer), h);
    return gw_enforce_app_hash(s, h, today, v);
}

int gw_enforce_app_hash(const struct gw_snapshot *s, const unsigned char *key_hash,
                        const char *today, struct gw_verdict *v)
{
    if (!s)
        return refuse(v, "gateway_unavailable", "");
    if (!key_hash)
        return refuse(v, "invalid_api_key", "");
    const struct gw_key *k = gw_snapshot_find_key(s, key_hash);
    if (!k || k->revoked)
        return refuse(v, "invalid_api_key", "");
    const struct gw_app *a = &s->apps[k->app];
    v->app = a;
    if (a->revoked)
        return refuse(v, "application_revoked", "G-04");
    if (!a->approved)
        return refuse(v, a->deny_code[0] ? a->deny_code : "application_not_approved", a->deny_rule);
    if (a->env == GW_ENV_EXPLORATION && a->exploration_end[0] &&
        strcmp(today, a->exploration_end) > 0)
        return refuse(v, "exploration_expired", "SP-05");
    return 0;
}

int gw_enforce_model(const struct gw_snapshot *s, const char *model, const char *user,
                     const char *today, struct gw_verdict *v)
{
    const struct gw_app *a = v->app;
    if (!a)
        return refuse(v, "gateway_unavailable", "");
    const struct gw_model *m = gw_app_find_model(a, model);
    if (!m) {
        snprintf(v->param, sizeof(v->param), "model");
        return refuse(v, "model_not_allowed", "SP-02");
    }
    v->model = m;
    const struct gw_provider *p = gw_snapshot_find_provider(s, m->provider);
    if (!p)
        return refuse(v, "provider_not_registered", "SP-03");
    v->provider = p;
    int consumer = !strcmp(m->terms, "consumer") || !strcmp(p->terms, "consumer");
    if (consumer && a->env != GW_ENV_EXPLORATION)
        return refuse(v, "consumer_terms_prohibited", "SP-04");
    if (a->env == GW_ENV_PRODUCTION && strcmp(m->terms, "self_hosted")) {
        const struct gw_agreement *best = NULL;
        for (size_t i = 0; i < a->n_agreements; i++) {
            const struct gw_agreement *g = &a->agreements[i];
            if (strcmp(g->provider, m->provider))
                continue;
            if (!best || !g->valid_until[0] ||
                (best->valid_until[0] && strcmp(g->valid_until, best->valid_until) > 0))
                best = g;
        }
        if (!best)
            return refuse(v, "agreement_missing", "SP-03");
        if (best->valid_until[0] && strcmp(today, best->valid_until) > 0)
            return refuse(v, "agreement_expired", "SP-03");
    }
    if (user && *user)
        snprintf(v->user, sizeof(v->user), "%s", user);
    if (a->literacy_rank > 0) {
        const struct gw_user *u = user && *user ? gw_snapshot_find_user(s, user) : NULL;
        if (!u || u->rank < a->literacy_rank ||
            (u->valid_until[0] && strcmp(today, u->valid_until) > 0))
            return refuse(v, "literacy_required", "SP-10");
    }
    return 0;
}

static int app_allows(const struct gw_app *a, const struct scan_finding *f)
{
    if (!strcmp(f->category, "classification") || !strcmp(f->category, "secret"))
        return 0;
    for (size_t i = 0; i < a->n_allowed; i++)
        if (!strcmp(a->allowed[i], f->detector_name) || !strcmp(a->allowed[i], f->category))
            return 1;
    return 0;
}

static void note_detector(struct gw_verdict *v, const char *name)
{
    size_t nl = strlen(name), l = strlen(v->detectors);
    const char *p = v->detectors;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t pl = e ? (size_t)(e - p) : strlen(p);
        if (pl == nl && !memcmp(p, name, nl))
            return;
        p += pl + (e ? 1 : 0);
    }
    if (l + nl + 2 >= sizeof(v->detectors))
        return;
    snprintf(v->detectors + l, sizeof(v->detectors) - l, "%s%s", l ? "," : "", name);
}

/* Scans one text; decides per finding. Returns 0 go on, 1 refused, -1 internal error. */
/* p NULL: a response text (refuse, never redact); else text part i of p. */
static int scan_one(struct gw_scanner *sc, struct scan_scratch *scr, const char *text, size_t len,
                    struct gw_parsed *p, size_t i, struct gw_verdict *v)
{
    const struct gw_app *a = v->app;
    int response = !p;
    struct scan_result r = {0};
    struct sluis_err e = {0};
    if (scan_block(sc->db, scr, text, len, sc->min_confidence, &r, &e) != 0) {
        scan_result_free(&r);
        return -1;
    }
    int rc = 0, need_redact = 0, classified = 0;
    for (size_t f = 0; f < r.n; f++) {
        const struct scan_finding *fd = &r.findings[f];
        note_detector(v, fd->detector_name);
        v->n_findings++;
        if (!strcmp(fd->category, "classification"))
            classified = 1;
        if (a->env != GW_ENV_EXPLORATION && app_allows(a, fd))
            continue;
        if (!response && a->env != GW_ENV_EXPLORATION && a->redact && !classified &&
            strcmp(fd->category, "secret"))
            need_redact = 1;
        else
            rc = 1;
    }
    if (rc) {
        if (response)
            refuse(v, "sensitive_data_in_response", "SP-05");
        else if (classified)
            refuse(v, "classified_marking", "SP-05");
        else
            refuse(v, "sensitive_data_detected",
                   a->env == GW_ENV_EXPLORATION ? "SP-05" : "data.categories");
        if (!response)
            snprintf(v->param, sizeof(v->param), "%s",
                     p->ep == GW_EP_CHAT         ? "messages"
                     : p->ep == GW_EP_EMBEDDINGS ? "input"
                                                 : "prompt");
    } else if (need_redact) {
        /* redact only the findings the application does not allow */
        struct scan_result keep = {0};
        keep.findings = calloc(r.n ? r.n : 1, sizeof(*keep.findings));
        if (!keep.findings) {
            scan_result_free(&r);
            return -1;
        }
        for (size_t f = 0; f < r.n; f++)
            if (!app_allows(a, &r.findings[f]))
                keep.findings[keep.n++] = r.findings[f];
        keep.cap = r.n;
        char *red = NULL;
        size_t red_len = 0;
        int x = scan_redact(text, len, &keep, &red, &red_len);
        free(keep.findings);
        if (x == 0)
            x = gw_request_replace_text(p, i, red, red_len);
        free(red);
        if (x) {
            scan_result_free(&r);
            return -1;
        }
        v->n_redacted++;
    }
    scan_result_free(&r);
    return rc;
}

int gw_enforce_scan(struct gw_scanner *sc, struct gw_parsed *p, struct gw_verdict *v)
{
    const struct gw_app *a = v->app;
    if (!a || !sc || !sc->db)
        return refuse(v, "gateway_unavailable", "");
    if (p->n_unscannable && a->env == GW_ENV_EXPLORATION)
        return refuse(v, "unscannable_content", "SP-05");
    if (!p->n_texts)
        return 0;
    struct scan_scratch *scr = gw_scanner_scratch_get(sc);
    if (!scr)
        return refuse(v, "gateway_unavailable", "");
    int rc = 0;
    for (size_t i = 0; i < p->n_texts && !rc; i++)
        rc = scan_one(sc, scr, p->texts[i].s, p->texts[i].len, p, i, v);
    gw_scanner_scratch_put(sc, scr);
    if (rc < 0)
        return refuse(v, "gateway_unavailable", "");
    return rc;
}

int gw_enforce_scan_response(struct gw_scanner *sc, const char *text, size_t len,
                             struct gw_verdict *v)
{
    if (!v->app || !sc || !sc->db)
        return refuse(v, "gateway_unavailable", "");
    struct scan_scratch *scr = gw_scanner_scratch_get(sc);
    if (!scr)
        return refuse(v, "gateway_unavailable", "");
    int rc = scan_one(sc, scr, text, len, NULL, 0, v);
    gw_scanner_scratch_put(sc, scr);
    if (rc < 0)
        return refuse(v, "gateway_unavailable", "");
    return rc;
}

int gw_enforce_response_findings(const struct scan_result *r, struct gw_verdict *v)
{
    const struct gw_app *a = v->app;
    int rc = 0;
    for (size_t f = 0; f < r->n; f++) {
        const struct scan_finding *fd = &r->findings[f];
        note_detector(v, fd->detector_name);
        v->n_findings++;
        if (!a || a->env == GW_ENV_EXPLORATION || !app_allows(a, fd))
            rc = 1;
    }
    if (rc)
        refuse(v, "sensitive_data_in_response", "SP-05");
    return rc;
}
