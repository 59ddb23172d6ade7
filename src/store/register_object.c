/* register_object.c - the generic versioned document store (table objects). */
#include "store/register_internal.h"
#include "store/store_internal.h"

#include "store/auditlog.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJ_COLS                                                                                   \
    "kind, id, org_id, parent_id, state, version, content, created_at, updated_at, created_by, "   \
    "updated_by"

void reg_object_free(struct reg_object *obj)
{
    if (!obj)
        return;
    free(obj->content);
    memset(obj, 0, sizeof(*obj));
}

/* Fills obj from a row in OBJ_COLS order; content is borrowed (points into the row). */
static int obj_decode(int ncols, const char *const *v, struct reg_object *obj)
{
    if (ncols != 11)
        return SLUIS_EINTERNAL;
    memset(obj, 0, sizeof(*obj));
    reg_copy(obj->kind, sizeof(obj->kind), v[0]);
    reg_copy(obj->id, sizeof(obj->id), v[1]);
    reg_copy(obj->org_id, sizeof(obj->org_id), v[2]);
    reg_copy(obj->parent_id, sizeof(obj->parent_id), v[3]);
    reg_copy(obj->state, sizeof(obj->state), v[4]);
    obj->version = v[5] ? strtoll(v[5], NULL, 10) : 0;
    obj->content = (char *)(v[6] ? v[6] : "null");
    reg_copy(obj->created_at, sizeof(obj->created_at), v[7]);
    reg_copy(obj->updated_at, sizeof(obj->updated_at), v[8]);
    reg_copy(obj->created_by, sizeof(obj->created_by), v[9]);
    reg_copy(obj->updated_by, sizeof(obj->updated_by), v[10]);
    return 0;
}

struct get_ctx {
    struct reg_object *out;
    int found;
};

static int get_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct get_ctx *c = ud;
    int rc;

    (void)names;
    rc = obj_decode(ncols, vals, c->out);
    if (rc)
        return rc;
    c->out->content = strdup(c->out->content);
    if (!c->out->content)
        return SLUIS_ENOMEM;
    c->found = 1;
    return 0;
}

int reg_object_get(struct store_tx *tx, const char *kind, const char *id, struct reg_object *out,
                   struct sluis_err *err)
{
    const char *p[2] = {kind, id};
    struct get_ctx c = {out, 0};
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = reg_id_check("kind", kind, err)) || (rc = reg_id_check("id", id, err)))
        return rc;
    rc = store_query(tx, "SELECT " OBJ_COLS " FROM objects WHERE kind = $1 AND id = $2", 2, p,
                     get_row, &c, err);
    if (rc == SLUIS_ENOMEM)
        sluis_err_set(err, rc, "out of memory");
    if (rc) {
        reg_object_free(out);
        return rc;
    }
    if (!c.found)
        return sluis_err_set(err, SLUIS_ENOTFOUND, "%s '%s' not found", kind, id);
    return 0;
}

static int content_check(const char *content, struct sluis_err *err)
{
    json_error_t jerr;
    json_t *j;

    if (!content)
        return sluis_err_set(err, SLUIS_EINVAL, "content missing");
    if (strlen(content) > REG_MAX_CONTENT)
        return sluis_err_set(err, SLUIS_ETOOBIG, "content over %d bytes", REG_MAX_CONTENT);
    j = json_loads(content, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        return sluis_err_set(err, SLUIS_EINVAL, "content is not valid JSON: %s (line %d)",
                             jerr.text, jerr.line);
    json_decref(j);
    return 0;
}

/* Announces a change on REG_CHANNEL_OBJECTS (delivered on commit). */
static int obj_notify(struct store_tx *tx, const char *kind, const char *id, long long version,
                      struct sluis_err *err)
{
    char payload[320];

    snprintf(payload, sizeof(payload), "%s/%s/%lld", kind, id, version);
    return store_notify(tx, REG_CHANNEL_OBJECTS, payload, err);
}

static int obj_detail(char *buf, size_t cap, const struct reg_object *o)
{
    json_t *d = json_pack("{s:I, s:s, s:s}", "version", (json_int_t)o->version, "state", o->state,
                          "parent_id", o->parent_id);
    char *s;

    if (!d)
        return SLUIS_ENOMEM;
    s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    if (!s)
        return SLUIS_ENOMEM;
    snprintf(buf, cap, "%s", s);
    free(s);
    return 0;
}

/*
 * Inserts obj as version 1 unless an object of that kind and id exists (SLUIS_ECONFLICT then;
 * the transaction stays usable, nothing was written).
 */
static int obj_insert(struct store_tx *tx, struct reg_object *obj, const char *now,
                      const char *actor, struct sluis_err *err)
{
    const char *p[11] = {obj->kind,  obj->id, obj->org_id,  reg_null_if_empty(obj->parent_id),
                         obj->state, "1",     obj->content, now,
                         now,        actor,   actor};
    long long changes = 0;
    int rc;

    rc = store_exec(tx,
                    "INSERT INTO objects (" OBJ_COLS ") VALUES "
                    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                    "ON CONFLICT (kind, id) DO NOTHING",
                    11, p, &changes, err);
    if (rc)
        return rc;
    if (changes != 1)
        return sluis_err_set(err, SLUIS_ECONFLICT, "%s '%s' already exists", obj->kind, obj->id);
    obj->version = 1;
    reg_copy(obj->created_at, sizeof(obj->created_at), now);
    reg_copy(obj->created_by, sizeof(obj->created_by), actor);
    return 0;
}

static int reg_object_put_impl(struct store_tx *tx, struct reg_object *obj,
                               long long expected_version, const char *actor, struct sluis_err *err)
{
    struct reg_object cur;
    char now[40], ver[32], oldver[32], detail[512];
    int rc, exists;

    memset(&cur, 0, sizeof(cur));
    if ((rc = reg_id_check("kind", obj->kind, err)) || (rc = reg_id_check("id", obj->id, err)) ||
        (rc = reg_id_check("org_id", obj->org_id, err)) ||
        (rc = reg_text_check("actor", actor, REG_ID_CAP, err)) ||
        (rc = reg_text_check("state", obj->state, sizeof(obj->state), err)))
        return rc;
    if (obj->parent_id[0] && (rc = reg_id_check("parent_id", obj->parent_id, err)))
        return rc;
    if (expected_version < REG_VERSION_CREATE)
        return sluis_err_set(err, SLUIS_EINVAL, "bad expected version");
    if ((rc = content_check(obj->content, err)))
        return rc;
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    store_now(now, sizeof(now));
    if (expected_version == REG_VERSION_CREATE) {
        /* A create needs no read first: the insert itself finds an existing object (one
         * statement, one round trip on PostgreSQL, and no plan that could scan the table). */
        rc = obj_insert(tx, obj, now, actor, err);
        if (rc)
            return rc;
        exists = 0;
        goto written;
    }
    rc = reg_object_get(tx, obj->kind, obj->id, &cur, err);
    if (rc && rc != SLUIS_ENOTFOUND)
        return rc;
    exists = rc == 0;
    sluis_err_clear(err);
    if (exists) {
        if (expected_version > 0 && expected_version != cur.version) {
            rc = sluis_err_set(err, SLUIS_ECONFLICT,
                               "%s '%s' was changed: version is %lld, not %lld", obj->kind, obj->id,
                               cur.version, expected_version);
            goto out;
        }
        if (strcmp(cur.org_id, obj->org_id) != 0) {
            rc = sluis_err_set(err, SLUIS_EINVAL, "the organisation of %s '%s' cannot change",
                               obj->kind, obj->id);
            goto out;
        }
        obj->version = cur.version + 1;
        snprintf(ver, sizeof(ver), "%lld", obj->version);
        snprintf(oldver, sizeof(oldver), "%lld", cur.version);
        {
            const char *p[9] = {obj->kind,  obj->id, reg_null_if_empty(obj->parent_id),
                                obj->state, ver,     obj->content,
                                now,        actor,   oldver};
            long long changes = 0;
            rc = store_exec(tx,
                            "UPDATE objects SET parent_id = $3, state = $4, version = $5, "
                            "content = $6, updated_at = $7, updated_by = $8 "
                            "WHERE kind = $1 AND id = $2 AND version = $9",
                            9, p, &changes, err);
            if (!rc && changes != 1)
                rc = sluis_err_set(err, SLUIS_ECONFLICT, "%s '%s' changed concurrently", obj->kind,
                                   obj->id);
        }
        if (rc)
            goto out;
        reg_copy(obj->created_at, sizeof(obj->created_at), cur.created_at);
        reg_copy(obj->created_by, sizeof(obj->created_by), cur.created_by);
    } else {
        if (expected_version > 0) {
            rc = sluis_err_set(err, SLUIS_ENOTFOUND, "%s '%s' not found", obj->kind, obj->id);
            goto out;
        }
        rc = obj_insert(tx, obj, now, actor, err);
        if (rc)
            goto out;
    }
written:
    reg_copy(obj->updated_at, sizeof(obj->updated_at), now);
    reg_copy(obj->updated_by, sizeof(obj->updated_by), actor);
    rc = obj_detail(detail, sizeof(detail), obj);
    if (rc) {
        sluis_err_set(err, rc, "out of memory");
        goto out;
    }
    rc = reg_audit(tx, obj->org_id, actor, exists ? AUDIT_ACTION_UPDATE : AUDIT_ACTION_CREATE,
                   obj->kind, obj->id, exists ? cur.content : NULL, obj->content, detail, err);
    if (!rc)
        rc = obj_notify(tx, obj->kind, obj->id, obj->version, err);
out:
    reg_object_free(&cur);
    return rc;
}

/* Merges state_from/state_to/version into the caller's detail object. *out malloc'ed. */
static int state_detail(const char *detail, const char *from, const char *to, long long version,
                        char **out, struct sluis_err *err)
{
    json_t *d;
    json_error_t jerr;

    *out = NULL;
    if (detail && detail[0]) {
        if (strlen(detail) > AUDIT_MAX_DETAIL)
            return sluis_err_set(err, SLUIS_ETOOBIG, "detail over %d bytes", AUDIT_MAX_DETAIL);
        d = json_loads(detail, JSON_REJECT_DUPLICATES, &jerr);
        if (!d || !json_is_object(d)) {
            json_decref(d);
            return sluis_err_set(err, SLUIS_EINVAL, "detail must be a JSON object");
        }
    } else {
        d = json_object();
    }
    if (!d)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    json_object_set_new(d, "state_from", json_string(from));
    json_object_set_new(d, "state_to", json_string(to));
    json_object_set_new(d, "version", json_integer(version));
    *out = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    if (!*out)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    return 0;
}

static int reg_object_set_state_impl(struct store_tx *tx, const char *kind, const char *id,
                                     const char *new_state, long long expected_version,
                                     const char *actor, const char *action, const char *detail,
                                     struct reg_object *obj, struct sluis_err *err)
{
    char now[40], ver[32], oldver[32], from[64];
    char *det = NULL;
    long long changes = 0;
    int rc;

    memset(obj, 0, sizeof(*obj));
    if ((rc = reg_id_check("kind", kind, err)) || (rc = reg_id_check("id", id, err)) ||
        (rc = reg_text_check("actor", actor, REG_ID_CAP, err)) ||
        (rc = reg_text_check("state", new_state, sizeof(obj->state), err)) ||
        (rc = reg_text_check("action", action, sizeof(((struct audit_entry *)0)->action), err)))
        return rc;
    if (!action[0])
        return sluis_err_set(err, SLUIS_EINVAL, "action missing");
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    rc = reg_object_get(tx, kind, id, obj, err);
    if (rc)
        return rc;
    if (expected_version > 0 && expected_version != obj->version) {
        rc = sluis_err_set(err, SLUIS_ECONFLICT, "%s '%s' was changed: version is %lld, not %lld",
                           kind, id, obj->version, expected_version);
        goto out;
    }
    if (expected_version == REG_VERSION_CREATE || expected_version < REG_VERSION_CREATE) {
        rc = sluis_err_set(err, SLUIS_EINVAL, "bad expected version");
        goto out;
    }
    reg_copy(from, sizeof(from), obj->state);
    store_now(now, sizeof(now));
    snprintf(oldver, sizeof(oldver), "%lld", obj->version);
    obj->version++;
    snprintf(ver, sizeof(ver), "%lld", obj->version);
    {
        const char *p[7] = {kind, id, new_state, ver, now, actor, oldver};
        rc = store_exec(tx,
                        "UPDATE objects SET state = $3, version = $4, updated_at = $5, "
                        "updated_by = $6 WHERE kind = $1 AND id = $2 AND version = $7",
                        7, p, &changes, err);
    }
    if (!rc && changes != 1)
        rc = sluis_err_set(err, SLUIS_ECONFLICT, "%s '%s' changed concurrently", kind, id);
    if (rc)
        goto out;
    reg_copy(obj->state, sizeof(obj->state), new_state);
    reg_copy(obj->updated_at, sizeof(obj->updated_at), now);
    reg_copy(obj->updated_by, sizeof(obj->updated_by), actor);
    rc = state_detail(detail, from, new_state, obj->version, &det, err);
    if (rc)
        goto out;
    /* Content is unchanged: before and after hash the same text. */
    rc = reg_audit(tx, obj->org_id, actor, action, kind, id, obj->content, obj->content, det, err);
    if (!rc)
        rc = obj_notify(tx, kind, id, obj->version, err);
out:
    free(det);
    if (rc)
        reg_object_free(obj);
    return rc;
}

static int reg_object_delete_impl(struct store_tx *tx, const char *kind, const char *id,
                                  long long expected_version, const char *actor,
                                  struct sluis_err *err)
{
    struct reg_object cur;
    char oldver[32], detail[96];
    long long changes = 0;
    int rc;

    if ((rc = reg_text_check("actor", actor, REG_ID_CAP, err)))
        return rc;
    if (expected_version < 0)
        return sluis_err_set(err, SLUIS_EINVAL, "bad expected version");
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    rc = reg_object_get(tx, kind, id, &cur, err);
    if (rc)
        return rc;
    if (expected_version > 0 && expected_version != cur.version) {
        rc = sluis_err_set(err, SLUIS_ECONFLICT, "%s '%s' was changed: version is %lld, not %lld",
                           kind, id, cur.version, expected_version);
        goto out;
    }
    snprintf(oldver, sizeof(oldver), "%lld", cur.version);
    {
        const char *p[3] = {kind, id, oldver};
        rc = store_exec(tx, "DELETE FROM objects WHERE kind = $1 AND id = $2 AND version = $3", 3,
                        p, &changes, err);
    }
    if (!rc && changes != 1)
        rc = sluis_err_set(err, SLUIS_ECONFLICT, "%s '%s' changed concurrently", kind, id);
    if (rc)
        goto out;
    snprintf(detail, sizeof(detail), "{\"version\":%lld}", cur.version);
    rc = reg_audit(tx, cur.org_id, actor, AUDIT_ACTION_DELETE, kind, id, cur.content, NULL, detail,
                   err);
    if (!rc)
        rc = obj_notify(tx, kind, id, 0, err);
out:
    reg_object_free(&cur);
    return rc;
}

/* Builds " WHERE ..." for f into sql (cap bytes) and its params; returns the count. */
static int filter_sql(const struct reg_filter *f, char *sql, size_t cap, const char **p)
{
    const char *fields[4] = {"kind", "org_id", "parent_id", "state"};
    const char *vals[4] = {NULL, NULL, NULL, NULL};
    size_t n = 0;
    int np = 0;

    sql[0] = '\0';
    if (f) {
        vals[0] = f->kind;
        vals[1] = f->org_id;
        vals[2] = f->parent_id;
        vals[3] = f->state;
    }
    for (int i = 0; i < 4; i++) {
        if (!vals[i] || !vals[i][0])
            continue;
        p[np++] = vals[i];
        n += (size_t)snprintf(sql + n, cap - n, "%s %s = $%d", np == 1 ? " WHERE" : " AND",
                              fields[i], np);
    }
    return np;
}

struct list_ctx {
    reg_object_cb cb;
    void *ud;
};

static int list_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct list_ctx *c = ud;
    struct reg_object o;
    int rc;

    (void)names;
    rc = obj_decode(ncols, vals, &o);
    if (rc)
        return rc;
    return c->cb(c->ud, &o);
}

int reg_object_list(struct store_tx *tx, const struct reg_filter *f, reg_object_cb cb, void *ud,
                    struct sluis_err *err)
{
    char where[256], sql[512], lim[32], off[32];
    const char *p[6];
    struct list_ctx c = {cb, ud};
    long long limit = f && f->limit > 0 ? f->limit : 100;
    long long offset = f && f->offset > 0 ? f->offset : 0;
    int np;

    if (limit > 1000)
        limit = 1000;
    np = filter_sql(f, where, sizeof(where), p);
    snprintf(lim, sizeof(lim), "%lld", limit);
    snprintf(off, sizeof(off), "%lld", offset);
    p[np] = lim;
    p[np + 1] = off;
    snprintf(sql, sizeof(sql),
             "SELECT " OBJ_COLS " FROM objects%s ORDER BY kind, id LIMIT $%d OFFSET $%d", where,
             np + 1, np + 2);
    return store_query(tx, sql, np + 2, p, list_row, &c, err);
}

static int count_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    (void)names;
    *(long long *)ud = ncols >= 1 && vals[0] ? strtoll(vals[0], NULL, 10) : 0;
    return 0;
}

int reg_object_count(struct store_tx *tx, const struct reg_filter *f, long long *count,
                     struct sluis_err *err)
{
    char where[256], sql[400];
    const char *p[4];
    int np;

    *count = 0;
    np = filter_sql(f, where, sizeof(where), p);
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM objects%s", where);
    return store_query(tx, sql, np, p, count_row, count, err);
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_object_put(struct store_tx *tx, struct reg_object *obj, long long expected_version,
                   const char *actor, struct sluis_err *err)
{
    return store_tx_fail(tx, reg_object_put_impl(tx, obj, expected_version, actor, err));
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_object_set_state(struct store_tx *tx, const char *kind, const char *id,
                         const char *new_state, long long expected_version, const char *actor,
                         const char *action, const char *detail, struct reg_object *obj,
                         struct sluis_err *err)
{
    return store_tx_fail(tx, reg_object_set_state_impl(tx, kind, id, new_state, expected_version,
                                                       actor, action, detail, obj, err));
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_object_delete(struct store_tx *tx, const char *kind, const char *id,
                      long long expected_version, const char *actor, struct sluis_err *err)
{
    return store_tx_fail(tx, reg_object_delete_impl(tx, kind, id, expected_version, actor, err));
}
