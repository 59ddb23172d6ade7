/* misc.c - health, the OpenAPI document and the audit trail. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/auditlog.h"

#define ROLES_AUDIT (ROLE_ADMIN | ROLE_CIO_OFFICE | ROLE_CISO | ROLE_FG)

static int h_health(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    (void)who;
    (void)req;
    (void)arg;
    int v = 0;
    struct sluis_err err;
    int rc = store_schema_version(api->st, &v, &err);
    http_resp_json(resp, rc ? 503 : 200,
                   json_pack("{s:s, s:s, s:i, s:s}", "status", rc ? "unavailable" : "ok", "version",
                             SLUIS_VERSION, "schema", v, "policy_version",
                             api_policy_version(api)));
    return 0;
}

static int h_openapi(struct api *api, const struct api_principal *who, struct http_req *req,
                     struct http_resp *resp, const void *arg)
{
    (void)api;
    (void)who;
    (void)req;
    (void)arg;
    size_t len;
    const char *doc = api_openapi_json(&len);
    return http_resp_raw(resp, 200, "application/json", doc, len);
}

static int h_audit(struct api *api, const struct api_principal *who, struct http_req *req,
                   struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_AUDIT)) {
        api_forbidden(resp);
        return 0;
    }
    long long limit, offset;
    if (api_paging(req, resp, &limit, &offset))
        return 0;
    const char *after = http_req_query(req, "after");
    long long after_seq = 0;
    if (after) {
        char *end;
        after_seq = strtoll(after, &end, 10);
        if (*end || after_seq < 0) {
            http_resp_error(resp, 400, "invalid", "after", "after: seq >= 0");
            return 0;
        }
    }
    char oid[REG_ID_CAP] = "";
    const char *obj = http_req_query(req, "object_id");
    if (obj && api_iid(oid, sizeof(oid), who->org_id, obj)) {
        http_resp_error(resp, 400, "invalid", "object_id", "ongeldig object_id / bad object_id");
        return 0;
    }
    struct audit_filter f = {.org_id = who->org_id,
                             .kind = http_req_query(req, "kind"),
                             .object_id = oid[0] ? oid : NULL,
                             .after_seq = after_seq,
                             .limit = limit};
    return api_audit_answer(api, req, resp, &f);
}

static int h_audit_verify(struct api *api, const struct api_principal *who, struct http_req *req,
                          struct http_resp *resp, const void *arg)
{
    (void)arg;
    (void)req;
    if (!(who->roles & ROLES_AUDIT)) {
        api_forbidden(resp);
        return 0;
    }
    struct audit_chain rep;
    struct sluis_err err;
    sluis_err_clear(&err);
    int rc = store_audit_verify(api->st, &rep, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    http_resp_json(resp, 200,
                   json_pack("{s:b, s:I, s:s, s:I, s:s}", "ok", rep.ok, "entries",
                             (json_int_t)rep.entries, "head", rep.head, "first_bad_seq",
                             (json_int_t)rep.first_bad_seq, "reason", rep.reason));
    return 0;
}

const struct api_route api_routes_misc[] = {
    {"GET", "/api/v1/health", h_health, NULL, 1, 0},
    {"GET", "/api/v1/openapi.json", h_openapi, NULL, 1, 0},
    {"GET", "/api/v1/audit", h_audit, NULL, 0, 0},
    {"GET", "/api/v1/audit/verify", h_audit_verify, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
