/* orgpolicy.c - an organisation's own policy: the base policy plus the organisation's active
 * policy file (extra rules, docs/policy.md "Organisation files") and its role-matrix override,
 * both kept as immutable "org_policy" objects; loaded sets are cached by version. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

static const char *const advice_roles[] = {"cio_office", "ciso",        "fg",
                                           "jurist",     "procurement", NULL};

int api_advice_role_ok(const char *role)
{
    for (const char *const *r = advice_roles; role && *r; r++)
        if (!strcmp(*r, role))
            return 1;
    return 0;
}

int api_policy_roles_check(const struct policy_set *ps, char *bad, size_t bad_cap,
                           struct sluis_err *err)
{
    if (bad_cap)
        bad[0] = '\0';
    json_t *j = policy_set_to_json(ps);
    if (!j)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    size_t i;
    json_t *r;
    int rc = 0;
    json_array_foreach(json_object_get(j, "roles"), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (!json_object_get(r, "advice_required_when") || api_advice_role_ok(id))
            continue;
        if (bad_cap)
            snprintf(bad, bad_cap, "%s", id ? id : "");
        rc = sluis_err_set(err, SLUIS_EINVAL,
                           "adviesrol '%s' kan in het register niemand hebben / advice role '%s' "
                           "cannot be held by any user of the register (advice roles: cio_office, "
                           "ciso, fg, jurist, procurement)",
                           id ? id : "?", id ? id : "?");
        break;
    }
    json_decref(j);
    return rc;
}

struct active_ud {
    const char *part;
    struct reg_object *obj;
    int found;
};

static int active_cb(void *ud, const struct reg_object *o)
{
    struct active_ud *a = ud;
    json_t *c = json_loads(o->content, 0, NULL);
    const char *part = json_string_value(json_object_get(c, "part"));
    int match = part && !strcmp(part, a->part);
    json_decref(c);
    if (!match)
        return 0;
    struct reg_object *d = a->obj;
    *d = *o;
    d->content = strdup(o->content);
    a->found = d->content ? 1 : -1;
    return 1;
}

int api_org_policy_active(struct store_tx *tx, const char *org, const char *part,
                          struct reg_object *obj, struct sluis_err *err)
{
    memset(obj, 0, sizeof(*obj));
    struct active_ud a = {.part = part, .obj = obj};
    struct reg_filter f = {
        .kind = API_ORG_POLICY_KIND, .org_id = org, .state = "active", .limit = 1000};
    int rc = reg_object_list(tx, &f, active_cb, &a, err);
    if (rc < 0)
        return rc;
    if (a.found < 0)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    if (!a.found)
        return SLUIS_ENOTFOUND;
    return 0;
}

int api_org_policy_load(struct api *api, const char *const *srcs, const char *const *names,
                        size_t n, struct policy_set **out, struct sluis_err *err)
{
    const char *bufs[3] = {api->current_src, NULL, NULL};
    size_t lens[3] = {api->current_len, 0, 0};
    const char *nm[3] = {api->current.version, NULL, NULL};
    if (n > 2 || !api->current_src)
        return sluis_err_set(err, SLUIS_EINTERNAL, "no base policy");
    for (size_t i = 0; i < n; i++) {
        bufs[i + 1] = srcs[i];
        lens[i + 1] = strlen(srcs[i]);
        nm[i + 1] = names[i];
    }
    return policy_set_load_buffers(out, bufs, lens, nm, n + 1, err);
}

/* Field of a stored org_policy object's content (borrowed from c). */
static const char *cfield(const json_t *c, const char *k)
{
    return json_string_value(json_object_get(c, k));
}

/* Loads base_src + the sources of the parts into a set and caches it under key. */
static int load_and_cache(struct api *api, const char *key, const char *base_src,
                          const char *base_name, json_t *const *parts, size_t n,
                          const struct policy_set **ps, struct sluis_err *err)
{
    const char *bufs[3] = {base_src, NULL, NULL};
    size_t lens[3] = {strlen(base_src), 0, 0};
    const char *nm[3] = {base_name, NULL, NULL};
    for (size_t i = 0; i < n && i < 2; i++) {
        bufs[i + 1] = cfield(parts[i], "source");
        nm[i + 1] = cfield(parts[i], "ref");
        if (!bufs[i + 1])
            return sluis_err_set(err, SLUIS_EINTERNAL, "stored policy file unreadable");
        lens[i + 1] = strlen(bufs[i + 1]);
    }
    struct policy_set *loaded = NULL;
    int rc = policy_set_load_buffers(&loaded, bufs, lens, nm, n + 1, err);
    if (rc) {
        /* a stored file that no longer loads on the current base: fail closed */
        if (rc == SLUIS_EINVAL || rc == SLUIS_ETOOBIG) {
            char msg[sizeof(err->msg)];
            sluis_err_format(err, msg, sizeof(msg));
            sluis_err_set(err, SLUIS_ECONFLICT,
                          "het beleid van de organisatie laadt niet / the organisation's policy "
                          "does not load: %.400s",
                          msg);
            return SLUIS_ECONFLICT;
        }
        return rc;
    }
    return api_policy_cache_put(api, key, loaded, ps, err);
}

struct parts_ud {
    json_t *part[2]; /* the active rules file, the active role matrix */
};

static int parts_cb(void *ud, const struct reg_object *o)
{
    struct parts_ud *p = ud;
    json_t *c = json_loads(o->content, 0, NULL);
    const char *part = cfield(c, "part");
    int i = !part                            ? -1
            : !strcmp(part, API_PART_RULES)  ? 0
            : !strcmp(part, API_PART_MATRIX) ? 1
                                             : -1;
    if (i < 0 || p->part[i] || !cfield(c, "ref") || !cfield(c, "source")) {
        json_decref(c);
        return i < 0 || p->part[i] ? 0 : 1; /* unreadable: stop */
    }
    p->part[i] = c;
    return 0;
}

int api_org_policy(struct api *api, struct store_tx *tx, const char *org,
                   const struct policy_set **ps, const char **version, struct sluis_err *err)
{
    *ps = api->current.ps;
    *version = api->current.version;
    /* one query for both parts: this runs for every verdict, advice and decision */
    struct parts_ud p = {{NULL, NULL}};
    struct reg_filter f = {
        .kind = API_ORG_POLICY_KIND, .org_id = org, .state = "active", .limit = 1000};
    int rc = reg_object_list(tx, &f, parts_cb, &p, err);
    if (rc < 0)
        goto out;
    if (rc > 0) {
        rc = sluis_err_set(err, SLUIS_EINTERNAL, "stored policy file unreadable");
        goto out;
    }
    json_t *parts[2];
    size_t n = 0;
    for (int i = 0; i < 2; i++)
        if (p.part[i])
            parts[n++] = p.part[i];
    if (!n)
        goto out;
    char key[sizeof(api->cached[0].key)];
    int k = snprintf(key, sizeof(key), "%s|%s", org, api->current.version);
    for (size_t i = 0; i < n && k > 0 && (size_t)k < sizeof(key); i++)
        k += snprintf(key + k, sizeof(key) - (size_t)k, "+%s", cfield(parts[i], "ref"));
    if (k < 0 || (size_t)k >= sizeof(key)) {
        rc = sluis_err_set(err, SLUIS_ETOOBIG, "policy version too long");
        goto out;
    }
    const struct policy_set *hit = api_policy_cache_get(api, key);
    if (!hit) {
        rc = load_and_cache(api, key, api->current_src, api->current.version, parts, n, &hit, err);
        if (rc)
            goto out;
    }
    *ps = hit;
    *version = policy_set_version(hit);
out:
    json_decref(p.part[0]);
    json_decref(p.part[1]);
    return rc;
}

int api_org_policy_version(struct api *api, struct store_tx *tx, const char *org,
                           const char *version, const struct policy_set **ps, struct sluis_err *err)
{
    *ps = NULL;
    if (!version || !*version || !strcmp(version, api->current.version)) {
        *ps = api->current.ps;
        return 0;
    }
    int own = strchr(version, '+') != NULL;
    char key[sizeof(api->cached[0].key)];
    int k = own ? snprintf(key, sizeof(key), "%s|%s", org, version)
                : snprintf(key, sizeof(key), "%s", version);
    if (k < 0 || (size_t)k >= sizeof(key))
        return sluis_err_set(err, SLUIS_ENOTFOUND,
                             "onbekende beleidsversie / unknown policy version");
    *ps = api_policy_cache_get(api, key);
    if (*ps)
        return 0;
    /* "base+part+part": the base version, then the organisation's files by reference */
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", version);
    char *save = NULL, *base = strtok_r(buf, "+", &save);
    char *refs[2] = {NULL, NULL};
    size_t n = 0;
    for (char *t = strtok_r(NULL, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
        if (n >= 2)
            return sluis_err_set(err, SLUIS_ENOTFOUND,
                                 "onbekende beleidsversie / unknown policy version %s", version);
        refs[n++] = t;
    }
    if (!base)
        return sluis_err_set(err, SLUIS_ENOTFOUND,
                             "onbekende beleidsversie / unknown policy version %s", version);
    char *base_src = NULL;
    int rc = api_policy_base_source(api, tx, base, &base_src, err);
    if (rc == SLUIS_ENOTFOUND && !own && !strchr(version, ':')) {
        /* one of the organisation's own files by itself ("org-x@3"): on the current base */
        char id[REG_ID_CAP], combined[256];
        struct reg_object o;
        int m = snprintf(id, sizeof(id), "%s:%s", org, version);
        int c = snprintf(combined, sizeof(combined), "%s+%s", api->current.version, version);
        if (m > 0 && (size_t)m < sizeof(id) && c > 0 && (size_t)c < sizeof(combined) &&
            reg_object_get(tx, API_ORG_POLICY_KIND, id, &o, err) == 0) {
            int mine = !strcmp(o.org_id, org);
            reg_object_free(&o);
            if (mine)
                return api_org_policy_version(api, tx, org, combined, ps, err);
        }
        sluis_err_set(err, SLUIS_ENOTFOUND, "onbekende beleidsversie / unknown policy version %s",
                      version);
    }
    if (rc)
        return rc;
    json_t *parts[2] = {NULL, NULL};
    for (size_t i = 0; i < n && !rc; i++) {
        char id[REG_ID_CAP];
        struct reg_object o;
        int m = snprintf(id, sizeof(id), "%s:%s", org, refs[i]);
        rc = m > 0 && (size_t)m < sizeof(id) && !strchr(refs[i], ':')
                 ? reg_object_get(tx, API_ORG_POLICY_KIND, id, &o, err)
                 : SLUIS_ENOTFOUND;
        if (rc == SLUIS_EINVAL)
            rc = SLUIS_ENOTFOUND;
        if (rc == 0 && strcmp(o.org_id, org)) { /* never another organisation's file */
            reg_object_free(&o);
            rc = SLUIS_ENOTFOUND;
        }
        if (rc == SLUIS_ENOTFOUND)
            sluis_err_set(err, SLUIS_ENOTFOUND,
                          "onbekende beleidsversie / unknown policy version %s", version);
        if (!rc) {
            parts[i] = json_loads(o.content, 0, NULL);
            reg_object_free(&o);
        }
    }
    if (!rc)
        rc = load_and_cache(api, key, base_src, base, parts, n, ps, err);
    for (size_t i = 0; i < n; i++)
        json_decref(parts[i]);
    free(base_src);
    return rc;
}

int api_org_policy_name(struct api *api, struct store_tx *tx, const char *org, char *out,
                        size_t cap, struct sluis_err *err)
{
    const struct policy_set *ps = NULL;
    const char *v = NULL;
    int rc = api_org_policy(api, tx, org, &ps, &v, err);
    if (rc == SLUIS_ECONFLICT) { /* a stored file that no longer loads: shown as "" */
        snprintf(out, cap, "%s", "");
        return 0;
    }
    if (!rc)
        snprintf(out, cap, "%s", v);
    api_policy_release(api, ps);
    return rc;
}

int api_org_policy_set_load(struct store_tx *tx, const char *org, const char *base_src,
                            size_t base_len, const char *base_name, struct policy_set **out,
                            char *version, size_t version_cap, struct sluis_err *err)
{
    *out = NULL;
    if (version_cap)
        version[0] = '\0';
    struct parts_ud p = {{NULL, NULL}};
    struct reg_filter f = {
        .kind = API_ORG_POLICY_KIND, .org_id = org, .state = "active", .limit = 1000};
    int rc = reg_object_list(tx, &f, parts_cb, &p, err);
    if (rc > 0)
        rc = sluis_err_set(err, SLUIS_EINTERNAL, "stored policy file unreadable");
    if (rc || (!p.part[0] && !p.part[1]))
        goto out;
    const char *bufs[3] = {base_src, NULL, NULL};
    size_t lens[3] = {base_len, 0, 0};
    const char *names[3] = {base_name, NULL, NULL};
    size_t n = 1;
    for (int i = 0; i < 2; i++) {
        if (!p.part[i])
            continue;
        bufs[n] = cfield(p.part[i], "source");
        lens[n] = strlen(bufs[n]);
        names[n] = cfield(p.part[i], "ref");
        n++;
    }
    rc = policy_set_load_buffers(out, bufs, lens, names, n, err);
    if (!rc && version_cap)
        snprintf(version, version_cap, "%s", policy_set_version(*out));
out:
    json_decref(p.part[0]);
    json_decref(p.part[1]);
    return rc;
}
