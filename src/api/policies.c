/* policies.c - the policy sets the register evaluates with: the current one (loaded at start
 * and recorded as a policy_version object) and older recorded versions, loaded on demand. */
#include "api/api_internal.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

static int read_file(const char *path, char **buf, size_t *len, struct sluis_err *err)
{
    *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sluis_err_set(err, SLUIS_EIO, "kan beleid niet lezen / cannot read policy %s", path);
    char *b = malloc(POLICY_MAX_FILE_BYTES + 1);
    size_t n = b ? fread(b, 1, POLICY_MAX_FILE_BYTES + 1, f) : 0;
    fclose(f);
    if (!b)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    if (n > POLICY_MAX_FILE_BYTES) {
        free(b);
        return sluis_err_set(err, SLUIS_ETOOBIG, "policy file %s too big", path);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static void find_policy(const char *given, char *out, size_t cap)
{
    if (given && *given) {
        snprintf(out, cap, "%s", given);
        return;
    }
    const char *dir = getenv("SLUIS_POLICY_DIR");
    if (dir && *dir) {
        snprintf(out, cap, "%s/standpunt-2025.yaml", dir);
        return;
    }
    snprintf(out, cap, "%s/policy/standpunt-2025.yaml", SLUIS_SOURCE_DIR);
}

struct find_ud {
    const char *version;
    char *yaml; /* malloc'ed copy when found */
    int found;
};

static int find_cb(void *ud, const struct reg_object *obj)
{
    struct find_ud *f = ud;
    json_t *c = json_loads(obj->content, 0, NULL);
    const char *v = json_string_value(json_object_get(c, "version"));
    if (v && !strcmp(v, f->version)) {
        f->found = 1;
        const char *y = json_string_value(json_object_get(c, "source"));
        f->yaml = y ? strdup(y) : NULL;
    }
    json_decref(c);
    return f->found;
}

static int record_version(struct store_tx *tx, void *ud, struct sluis_err *err)
{
    json_t *content = ud;
    const char *sha = json_string_value(json_object_get(content, "sha256"));
    struct reg_object obj;
    memset(&obj, 0, sizeof(obj));
    snprintf(obj.kind, sizeof(obj.kind), "policy_version");
    snprintf(obj.id, sizeof(obj.id), "%s:%.32s", API_ORG_SYSTEM, sha);
    struct reg_object old;
    int rc = reg_object_get(tx, obj.kind, obj.id, &old, err);
    if (rc == 0) {
        reg_object_free(&old);
        return 0; /* already recorded */
    }
    if (rc != SLUIS_ENOTFOUND)
        return rc;
    struct reg_org org;
    if (reg_org_get(tx, API_ORG_SYSTEM, &org, err) == SLUIS_ENOTFOUND) {
        memset(&org, 0, sizeof(org));
        snprintf(org.id, sizeof(org.id), "%s", API_ORG_SYSTEM);
        snprintf(org.name, sizeof(org.name), "sluis (global objects)");
        snprintf(org.layer, sizeof(org.layer), "other");
        rc = reg_org_put(tx, &org, "system", err);
        if (rc)
            return rc;
    }
    snprintf(obj.org_id, sizeof(obj.org_id), "%s", API_ORG_SYSTEM);
    snprintf(obj.state, sizeof(obj.state), "active");
    obj.content = json_dumps(content, JSON_COMPACT);
    if (!obj.content)
        return SLUIS_ENOMEM;
    rc = reg_object_put(tx, &obj, REG_VERSION_CREATE, "system", err);
    free(obj.content);
    obj.content = NULL;
    return rc;
}

int api_policy_init(struct api *api, const char *policy_file, struct sluis_err *err)
{
    char path[1024];
    find_policy(policy_file, path, sizeof(path));
    char *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len, err);
    if (rc)
        return rc;
    rc = policy_set_load_buffer(&api->current.ps, buf, len, path, err);
    if (rc)
        goto out;
    snprintf(api->current.version, sizeof(api->current.version), "%s",
             policy_set_version(api->current.ps));
    char sha[AUDIT_HASH_HEX];
    audit_hash_hex(buf, len, sha);
    json_t *content = json_pack("{s:s, s:s, s:s, s:s}", "version", api->current.version, "sha256",
                                sha, "file", path, "source", buf);
    if (!content) {
        rc = sluis_err_set(err, SLUIS_EINVAL, "policy file %s is not UTF-8 text", path);
        goto out;
    }
    rc = store_tx_run(api->st, STORE_TX_WRITE, record_version, content, err);
    json_decref(content);
    if (rc)
        goto out;
    api->current_src = buf;
    api->current_len = len;
    buf = NULL;
    snprintf(api->base_id, sizeof(api->base_id), "%.*s", (int)strcspn(api->current.version, "@+"),
             api->current.version);
    snprintf(api->current.key, sizeof(api->current.key), "%s", api->current.version);
out:
    free(buf);
    return rc;
}

void api_policy_fini(struct api *api)
{
    policy_set_free(api->current.ps);
    api->current.ps = NULL;
    free(api->current_src);
    api->current_src = NULL;
    for (int i = 0; i < api->n_cached; i++)
        policy_set_free(api->cached[i].ps);
    api->n_cached = 0;
}

const struct policy_set *api_policy_cache_get(struct api *api, const char *key)
{
    const struct policy_set *ps = NULL;
    pthread_mutex_lock(&api->pol_mu);
    for (int i = 0; i < api->n_cached && !ps; i++) {
        struct api_policy *e = &api->cached[i];
        if (!strcmp(e->key, key)) {
            ps = e->ps;
            e->refs++;
            e->used = ++api->policy_clock;
        }
    }
    pthread_mutex_unlock(&api->pol_mu);
    return ps;
}

void api_policy_release(struct api *api, const struct policy_set *ps)
{
    if (!ps || ps == api->current.ps)
        return;
    pthread_mutex_lock(&api->pol_mu);
    for (int i = 0; i < api->n_cached; i++) {
        if (api->cached[i].ps == ps && api->cached[i].refs > 0) {
            api->cached[i].refs--;
            break;
        }
    }
    pthread_mutex_unlock(&api->pol_mu);
}

int api_policy_cache_put(struct api *api, const char *key, struct policy_set *ps,
                         const struct policy_set **out, struct sluis_err *err)
{
    *out = NULL;
    if (strlen(key) >= sizeof(api->cached[0].key)) {
        policy_set_free(ps);
        return sluis_err_set(err, SLUIS_ETOOBIG, "policy version too long");
    }
    struct policy_set *evicted = NULL;
    pthread_mutex_lock(&api->pol_mu);
    for (int i = 0; i < api->n_cached; i++) {
        struct api_policy *e = &api->cached[i];
        if (!strcmp(e->key, key)) { /* another thread won */
            e->refs++;
            e->used = ++api->policy_clock;
            *out = e->ps;
            pthread_mutex_unlock(&api->pol_mu);
            policy_set_free(ps);
            return 0;
        }
    }
    int slot = api->n_cached < API_MAX_POLICIES ? api->n_cached : -1;
    if (slot < 0) /* full: the least recently used set that no request holds */
        for (int i = 0; i < api->n_cached; i++)
            if (!api->cached[i].refs && (slot < 0 || api->cached[i].used < api->cached[slot].used))
                slot = i;
    if (slot < 0) {
        pthread_mutex_unlock(&api->pol_mu);
        policy_set_free(ps);
        return sluis_err_set(err, SLUIS_ETOOBIG,
                             "te veel beleidsversies tegelijk in gebruik / too many policy "
                             "versions in use at once");
    }
    struct api_policy *e = &api->cached[slot];
    if (slot < api->n_cached)
        evicted = e->ps;
    else
        api->n_cached++;
    snprintf(e->key, sizeof(e->key), "%s", key);
    snprintf(e->version, sizeof(e->version), "%s", policy_set_version(ps));
    e->ps = ps;
    e->refs = 1;
    e->used = ++api->policy_clock;
    *out = ps;
    pthread_mutex_unlock(&api->pol_mu);
    policy_set_free(evicted);
    return 0;
}

int api_policy_base_source(struct api *api, struct store_tx *tx, const char *version, char **src,
                           struct sluis_err *err)
{
    *src = NULL;
    if (!strcmp(version, api->current.version)) {
        *src = strdup(api->current_src ? api->current_src : "");
        return *src ? 0 : sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    struct find_ud f = {.version = version};
    struct reg_filter flt = {.kind = "policy_version", .org_id = API_ORG_SYSTEM, .limit = 1000};
    int rc = reg_object_list(tx, &flt, find_cb, &f, err);
    if (rc < 0) {
        free(f.yaml);
        return rc;
    }
    if (!f.found || !f.yaml) {
        free(f.yaml);
        return sluis_err_set(err, SLUIS_ENOTFOUND,
                             "onbekende beleidsversie / unknown policy version %s", version);
    }
    *src = f.yaml;
    return 0;
}
