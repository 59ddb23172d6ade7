/* literacy.c - AI literacy: CSV import of training records, coverage per organisation and per
 * application (levels bewust < bekwaam < vloeiend < expert). */
#include "api/api_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/derive.h"

static const char *const levels[] = {"bewust", "bekwaam", "vloeiend", "expert"};

int api_level_rank(const char *level)
{
    for (int i = 0; i < 4; i++)
        if (level && !strcasecmp(level, levels[i]))
            return i + 1;
    return 0;
}

struct best {
    const char *user_id;
    const char *date;
    int rank;
    char valid_until[11];
};

static int best_cb(void *ud, const struct reg_object *obj)
{
    struct best *b = ud;
    json_t *c = json_loads(obj->content, 0, NULL);
    const char *u = json_string_value(json_object_get(c, "user"));
    const char *d = json_string_value(json_object_get(c, "date"));
    const char *vu = json_string_value(json_object_get(c, "valid_until"));
    int r = api_level_rank(json_string_value(json_object_get(c, "level")));
    if (u && !strcmp(u, b->user_id) && d && strcmp(d, b->date) <= 0 &&
        (!vu || strcmp(vu, b->date) >= 0) && r > b->rank) {
        b->rank = r;
        snprintf(b->valid_until, sizeof(b->valid_until), "%s", vu ? vu : "");
    }
    json_decref(c);
    return 0;
}

int api_user_level(struct store_tx *tx, const char *org, const char *user_id, const char *date,
                   char *valid_until, size_t cap, struct sluis_err *err)
{
    struct best b = {.user_id = user_id, .date = date};
    struct reg_filter f = {.kind = "training", .org_id = org, .limit = 1000};
    /* pages of 1000 */
    for (long long off = 0;; off += 1000) {
        long long n = 0;
        f.offset = off;
        int rc = reg_object_list(tx, &f, best_cb, &b, err);
        if (rc)
            return rc;
        rc = reg_object_count(tx, &f, &n, err);
        if (rc)
            return rc;
        if (off + 1000 >= n)
            break;
    }
    if (valid_until && cap)
        snprintf(valid_until, cap, "%s", b.valid_until);
    return b.rank;
}

/* ---- organisation coverage ---- */

struct cov {
    struct store_tx *tx;
    const char *org;
    const char *date;
    const struct policy_set *ps;
    json_t *users;
    int n_users, n_trained, by_level[5];
    json_t *by_role;
    int rc;
};

static int cov_user(void *ud, const struct reg_user *u)
{
    struct cov *c = ud;
    struct sluis_err err;
    char vu[11];
    int rank = api_user_level(c->tx, c->org, u->id, c->date, vu, sizeof(vu), &err);
    if (rank < 0) {
        c->rc = rank;
        return 1;
    }
    c->n_users++;
    if (rank > 0)
        c->n_trained++;
    c->by_level[rank]++;
    json_t *roles = json_loads(u->roles[0] ? u->roles : "[]", 0, NULL);
    int meets_all = 1;
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        const char *rn = json_string_value(r);
        if (!rn)
            continue;
        const char *req = c->ps ? policy_set_role_literacy(c->ps, rn) : NULL;
        int need = req ? api_level_rank(req) : 1;
        int meets = rank >= need;
        meets_all &= meets;
        json_t *e = json_object_get(c->by_role, rn);
        if (!e) {
            e = json_pack("{s:s*, s:i, s:i}", "required_level", req, "users", 0, "meeting", 0);
            json_object_set_new(c->by_role, rn, e);
        }
        json_object_set_new(e, "users",
                            json_integer(json_integer_value(json_object_get(e, "users")) + 1));
        if (meets)
            json_object_set_new(
                e, "meeting", json_integer(json_integer_value(json_object_get(e, "meeting")) + 1));
    }
    json_array_append_new(c->users,
                          json_pack("{s:s, s:o, s:s*, s:s*, s:b}", "user_id", u->id, "roles",
                                    roles ? roles : json_array(), "level",
                                    rank ? levels[rank - 1] : NULL, "valid_until",
                                    vu[0] ? vu : NULL, "meets_role_requirements", meets_all));
    return 0;
}

static int h_org_literacy(struct api *api, const struct api_principal *who, struct http_req *req,
                          struct http_resp *resp, const void *arg)
{
    (void)arg;
    const char *date = http_req_query(req, "date");
    char today[11];
    api_today(api, today);
    if (date && !derive_date_valid(date)) {
        http_resp_error(resp, 400, "invalid", "date", "date: YYYY-MM-DD");
        return 0;
    }
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_READ, resp, &tx, &err);
    if (rc)
        return 0;
    const struct policy_set *ops = NULL;
    const char *over;
    rc = api_org_policy(api, tx, who->org_id, &ops, &over, &err);
    if (rc) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    struct cov c = {.tx = tx,
                    .org = who->org_id,
                    .date = date ? date : today,
                    .ps = ops,
                    .users = json_array(),
                    .by_role = json_object()};
    rc = reg_user_list(tx, who->org_id, cov_user, &c, &err);
    store_tx_rollback(tx);
    api_policy_release(api, ops);
    if (rc < 0 || c.rc < 0) {
        json_decref(c.users);
        json_decref(c.by_role);
        api_resp_err(resp, rc < 0 ? rc : c.rc, &err);
        return 0;
    }
    json_t *bl =
        json_pack("{s:i, s:i, s:i, s:i, s:i}", "none", c.by_level[0], "bewust", c.by_level[1],
                  "bekwaam", c.by_level[2], "vloeiend", c.by_level[3], "expert", c.by_level[4]);
    http_resp_json(resp, 200,
                   json_pack("{s:s, s:s, s:i, s:i, s:f, s:o, s:o, s:o}", "organisation",
                             who->org_id, "date", c.date, "users", c.n_users, "trained",
                             c.n_trained, "coverage",
                             c.n_users ? (double)c.n_trained / c.n_users : 0.0, "by_level", bl,
                             "by_role", c.by_role, "people", c.users));
    return 0;
}

/* ---- per application ---- */

struct involved {
    json_t *ids; /* object user_id -> array of reasons */
};

static void involve(json_t *ids, const char *uid, const char *why)
{
    if (!uid || !*uid)
        return;
    json_t *a = json_object_get(ids, uid);
    if (!a) {
        a = json_array();
        json_object_set_new(ids, uid, a);
    }
    json_array_append_new(a, json_string(why));
}

static int owners_cb(void *ud, const struct reg_user *u)
{
    struct involved *in = ud;
    json_t *roles = json_loads(u->roles[0] ? u->roles : "[]", 0, NULL);
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        if (json_is_string(r) && !strcmp(json_string_value(r), "owner"))
            involve(in->ids, u->id, "owner");
    }
    json_decref(roles);
    return 0;
}

static int advice_cb(void *ud, const struct reg_object *obj)
{
    struct involved *in = ud;
    json_t *c = json_loads(obj->content, 0, NULL);
    involve(in->ids, json_string_value(json_object_get(c, "by")), "advice");
    json_decref(c);
    return 0;
}

int api_app_literacy(struct api *api, const struct api_principal *who, struct http_req *req,
                     struct http_resp *resp, const void *arg)
{
    (void)arg;
    char today[11];
    api_today(api, today);
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    const struct policy_set *ops = NULL;
    int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    struct reg_object app;
    json_t *people = json_array();
    struct involved in = {.ids = json_object()};
    rc = api_object_load(tx, "application", who->org_id, http_req_param(req, "id"), &app, &err);
    if (rc) {
        if (rc == SLUIS_ENOTFOUND)
            api_not_found(resp, "toepassing/application");
        else
            api_resp_err(resp, rc, &err);
        goto out;
    }
    json_t *doc = json_loads(app.content, 0, NULL);
    const char *req_level =
        json_string_value(json_object_get(json_object_get(doc, "literacy"), "required_level"));
    int need_app = req_level ? api_level_rank(req_level) : 1;
    involve(in.ids, app.created_by, "created");
    struct reg_filter f = {
        .kind = "advice", .org_id = who->org_id, .parent_id = app.id, .limit = 1000};
    rc = reg_user_list(tx, who->org_id, owners_cb, &in, &err);
    if (!rc)
        rc = reg_object_list(tx, &f, advice_cb, &in, &err);
    if (rc) {
        json_decref(doc);
        api_resp_err(resp, rc, &err);
        goto out;
    }
    const char *over;
    rc = api_org_policy(api, tx, who->org_id, &ops, &over, &err);
    if (rc) {
        json_decref(doc);
        api_resp_err(resp, rc, &err);
        goto out;
    }
    int covered = 0, total = 0;
    const char *uid;
    json_t *why;
    json_object_foreach(in.ids, uid, why)
    {
        struct reg_user u;
        if (reg_user_get(tx, uid, &u, &err) || strcmp(u.org_id, who->org_id))
            continue;
        char vu[11];
        int rank = api_user_level(tx, who->org_id, uid, today, vu, sizeof(vu), &err);
        if (rank < 0)
            continue;
        int need = need_app;
        json_t *roles = json_loads(u.roles[0] ? u.roles : "[]", 0, NULL);
        size_t i;
        json_t *r;
        json_array_foreach(roles, i, r)
        {
            const char *lv = ops && json_is_string(r)
                                 ? policy_set_role_literacy(ops, json_string_value(r))
                                 : NULL;
            if (lv && api_level_rank(lv) > need)
                need = api_level_rank(lv);
        }
        total++;
        if (rank >= need)
            covered++;
        json_array_append_new(people,
                              json_pack("{s:s, s:O, s:o, s:s*, s:s, s:b}", "user_id", uid,
                                        "involvement", why, "roles", roles ? roles : json_array(),
                                        "level", rank ? levels[rank - 1] : NULL, "required_level",
                                        levels[need - 1], "meets", rank >= need));
    }
    json_decref(doc);
    http_resp_json(resp, 200,
                   json_pack("{s:s, s:s, s:s, s:i, s:i, s:f, s:O}", "application",
                             http_req_param(req, "id"), "date", today, "required_level",
                             levels[need_app - 1], "people_total", total, "people_meeting", covered,
                             "coverage", total ? (double)covered / total : 0.0, "people", people));
out:
    store_tx_rollback(tx);
    api_policy_release(api, ops);
    reg_object_free(&app);
    json_decref(people);
    json_decref(in.ids);
    return 0;
}

/* ---- CSV import ---- */

struct import {
    struct store_tx *tx;
    const struct api_principal *who;
    struct sluis_err *err;
    long created;
};

static int import_row(void *ud, long line, const char *const *v)
{
    struct import *im = ud;
    char lvl[16];
    snprintf(lvl, sizeof(lvl), "%s", v[2]);
    for (char *p = lvl; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *bad = NULL;
    if (!api_ext_id_ok(v[0]))
        bad = "user_id";
    else if (!v[1][0])
        bad = "course";
    else if (!api_level_rank(lvl))
        bad = "level";
    else if (!derive_date_valid(v[3]))
        bad = "date";
    else if (v[4][0] && !derive_date_valid(v[4]))
        bad = "valid_until";
    struct reg_user u;
    if (!bad && (reg_user_get(im->tx, v[0], &u, im->err) || strcmp(u.org_id, im->who->org_id)))
        bad = "user_id";
    if (bad) {
        snprintf(im->err->path, sizeof(im->err->path), "/line/%ld/%s", line, bad);
        return sluis_err_set(im->err, SLUIS_EINVAL, "regel %ld: ongeldig %s / line %ld: invalid %s",
                             line, bad, line, bad);
    }
    json_t *c =
        json_pack("{s:s, s:s, s:s, s:s}", "user", v[0], "course", v[1], "level", lvl, "date", v[3]);
    if (c && v[4][0])
        json_object_set_new(c, "valid_until", json_string(v[4]));
    struct reg_object obj;
    memset(&obj, 0, sizeof(obj));
    char ext[17];
    api_random_id(ext);
    snprintf(obj.kind, sizeof(obj.kind), "training");
    api_iid(obj.id, sizeof(obj.id), im->who->org_id, ext);
    snprintf(obj.org_id, sizeof(obj.org_id), "%s", im->who->org_id);
    obj.content = c ? json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(c);
    int rc = obj.content
                 ? reg_object_put(im->tx, &obj, REG_VERSION_CREATE, im->who->user_id, im->err)
                 : SLUIS_ENOMEM;
    free(obj.content);
    if (rc)
        return rc;
    im->created++;
    return 0;
}

static int h_import(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & (ROLE_ADMIN | ROLE_CIO_OFFICE))) {
        api_forbidden(resp);
        return 0;
    }
    const char *ct = http_req_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "text/csv", 8)) {
        http_resp_error(resp, 415, "unsupported_media_type", NULL,
                        "stuur text/csv / send text/csv");
        return 0;
    }
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_WRITE, resp, &tx, &err);
    if (rc)
        return 0;
    struct import im = {.tx = tx, .who = who, .err = &err};
    rc = api_csv_parse(req->body ? req->body : "", req->body_len, import_row, &im, &err);
    if (rc) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc < 0 ? rc : SLUIS_EINVAL, &err);
        return 0;
    }
    rc = store_tx_commit(tx, &err);
    if (rc)
        api_resp_err(resp, rc, &err);
    else
        http_resp_json(resp, 201, json_pack("{s:I}", "imported", (json_int_t)im.created));
    return 0;
}

const struct api_route api_routes_literacy[] = {
    {"GET", "/api/v1/literacy", h_org_literacy, NULL, 0, 0},
    {"POST", "/api/v1/training/import", h_import, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
