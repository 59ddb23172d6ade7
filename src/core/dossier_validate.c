/*
 * dossier_validate.c - checks an already-parsed json_t dossier against the same schema table
 * as the loader (dossier_schema.c). Errors carry the field path, no position.
 */
#include "core/dossier.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/dossier_schema.h"

struct jval {
    struct sluis_err *err;
    char path[256];
    size_t pathlen;
};

static int push(struct jval *v, const char *seg, size_t idx)
{
    size_t old = v->pathlen;
    int w = seg ? snprintf(v->path + old, sizeof(v->path) - old, "/%s", seg)
                : snprintf(v->path + old, sizeof(v->path) - old, "/%zu", idx);
    if (w > 0 && (size_t)w < sizeof(v->path) - old)
        v->pathlen += (size_t)w;
    else
        v->path[old] = '\0';
    return (int)old;
}

static void pop(struct jval *v, int old)
{
    v->pathlen = (size_t)old;
    v->path[old] = '\0';
}

static int fail(struct jval *v, int code, const char *msg)
{
    if (v->err) {
        v->err->line = 0;
        v->err->column = 0;
        snprintf(v->err->path, sizeof(v->err->path), "%s", v->pathlen ? v->path : "/");
    }
    return sluis_err_set(v->err, code, "%s", msg);
}

static const char *jtype_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "a mapping";
    case JSON_ARRAY:
        return "a list";
    default:
        return "a value";
    }
}

static int check(struct jval *v, const json_t *j, const struct dschema_field *f, int depth)
{
    char msg[1024];
    if (f->type == DST_OBJECT || f->type == DST_LIST) {
        int want = f->type == DST_OBJECT ? JSON_OBJECT : JSON_ARRAY;
        if ((int)json_typeof(j) != want) {
            snprintf(msg, sizeof(msg), "wrong type (verkeerd type): expected %s, got %s",
                     dossier_schema_type_name(f),
                     json_is_object(j) || json_is_array(j) ? jtype_name(j)
                     : json_is_string(j)                   ? "a string"
                     : json_is_boolean(j)                  ? "a boolean"
                     : json_is_null(j)                     ? "an empty value (null)"
                                                           : "a number");
            return fail(v, SLUIS_EINVAL, msg);
        }
        if (depth + 1 > DOSSIER_MAX_DEPTH) {
            snprintf(msg, sizeof(msg), "nested too deeply (te diep genest): at most %d levels",
                     DOSSIER_MAX_DEPTH);
            return fail(v, SLUIS_ETOOBIG, msg);
        }
    }
    if (f->type == DST_OBJECT) {
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)j, key, val)
        {
            const struct dschema_field *child = dossier_schema_child(f, key, strlen(key));
            int old, rc;
            if (!child) {
                char allowed[400], name[64];
                size_t k = 0;
                for (const char *p = key; *p && k < 48; p++)
                    name[k++] = ((unsigned char)*p < 0x20) ? '?' : *p;
                name[k] = '\0';
                dossier_schema_list_keys(f, allowed, sizeof(allowed));
                old = push(v, name, 0);
                snprintf(msg, sizeof(msg), "unknown key '%s' (onbekend veld); allowed: %s", name,
                         allowed);
                return fail(v, SLUIS_EINVAL, msg);
            }
            old = push(v, child->name, 0);
            rc = check(v, val, child, depth + 1);
            if (rc)
                return rc;
            pop(v, old);
        }
        for (const struct dschema_field *ch = f->children; ch->name; ch++) {
            if (ch->required && !json_object_get(j, ch->name)) {
                push(v, ch->name, 0);
                snprintf(msg, sizeof(msg), "missing required field '%s' (verplicht veld)",
                         ch->name);
                return fail(v, SLUIS_EINVAL, msg);
            }
        }
        return 0;
    }
    if (f->type == DST_LIST) {
        size_t i;
        json_t *val;
        json_array_foreach(j, i, val)
        {
            int old = push(v, NULL, i), rc;
            if (i >= DOSSIER_MAX_LIST) {
                snprintf(msg, sizeof(msg), "list too long (lijst te lang): at most %d items",
                         DOSSIER_MAX_LIST);
                return fail(v, SLUIS_ETOOBIG, msg);
            }
            rc = check(v, val, f->item, depth + 1);
            if (rc)
                return rc;
            pop(v, old);
        }
        return 0;
    }
    {
        enum dschema_kind kind;
        char num[32];
        const char *text = "";
        size_t len = 0;
        json_t *tmp = NULL;
        int rc;
        switch (json_typeof(j)) {
        case JSON_STRING:
            kind = DSK_STRING;
            text = json_string_value(j);
            len = json_string_length(j);
            break;
        case JSON_INTEGER:
            kind = DSK_INT;
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
            text = num;
            len = strlen(num);
            break;
        case JSON_REAL:
            kind = DSK_FLOAT;
            break;
        case JSON_TRUE:
            kind = DSK_BOOL;
            text = "true";
            len = 4;
            break;
        case JSON_FALSE:
            kind = DSK_BOOL;
            text = "false";
            len = 5;
            break;
        case JSON_NULL:
            kind = DSK_NULL;
            break;
        default:
            snprintf(msg, sizeof(msg), "wrong type (verkeerd type): expected %s, got %s",
                     dossier_schema_type_name(f), jtype_name(j));
            return fail(v, SLUIS_EINVAL, msg);
        }
        rc = dossier_schema_scalar_utf8(f, kind, text, len, &tmp, msg, sizeof(msg));
        json_decref(tmp);
        if (rc)
            return fail(v, rc, msg);
        return 0;
    }
}

int dossier_validate(const json_t *doc, struct sluis_err *err)
{
    struct jval v = {.err = err};
    sluis_err_clear(err);
    if (!doc)
        return sluis_err_set(err, SLUIS_EINVAL, "no dossier");
    if (!json_is_object(doc)) {
        v.path[0] = '\0';
        return fail(&v, SLUIS_EINVAL, "a dossier is a mapping of fields (verwacht: velden)");
    }
    return check(&v, doc, dossier_schema_root(), 0);
}
