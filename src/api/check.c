/* check.c - POST /api/v1/check: the verdict for an unsaved dossier under the organisation's
 * current policy. Stores nothing, audits nothing. */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

static int h_check(struct api *api, const struct api_principal *who, struct http_req *req,
                   struct http_resp *resp, const void *arg)
{
    (void)arg;
    const char *env, *date, *lang;
    if (api_verdict_query(req, resp, &env, &date, &lang))
        return 0;
    json_t *doc;
    if (api_dossier_body(req, resp, &doc))
        return 0;
    char today[11];
    api_today(api, today);
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        json_decref(doc);
        return 0;
    }
    const struct policy_set *ps = NULL;
    const char *pver;
    rc = api_org_policy(api, tx, who->org_id, &ps, &pver, &err);
    if (!rc) /* as a saved application: the organisation's agreements for its providers */
        rc = api_merge_agreements(tx, who->org_id, doc, &err);
    store_tx_rollback(tx);
    if (rc) {
        api_resp_err(resp, rc, &err);
        api_policy_release(api, ps);
        json_decref(doc);
        return 0;
    }
    if (!env)
        env = json_string_value(json_object_get(json_object_get(doc, "use"), "environment"));
    struct verdict v;
    int permit = 0;
    rc = api_evaluate(ps, doc, env ? env : "exploration", date ? date : today, &v, &permit, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
    } else {
        json_t *vj = verdict_to_json(&v, lang);
        if (vj) {
            json_object_set(vj, "application", json_object_get(doc, "id"));
            json_object_set_new(vj, "permits", json_boolean(permit));
        }
        http_resp_json(resp, vj ? 200 : 500, vj);
        verdict_free(&v);
    }
    api_policy_release(api, ps); /* after verdict_free: the verdict borrows from it */
    json_decref(doc);
    return 0;
}

const struct api_route api_routes_check[] = {
    {"POST", "/api/v1/check", h_check, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
