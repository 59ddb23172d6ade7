/* schema.c - strict checks of request bodies: the API's own small schemas, and dossier parts
 * (agreements, models, assessments, advice, decision) checked with the core's dossier schema. */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/derive.h"
#include "core/dossier.h"

enum { BAD_UNKNOWN, BAD_VALUE, BAD_MISSING };

static int set_path(struct sluis_err *err, const char *name, int why)
{
    char k[128];
    snprintf(k, sizeof(k), "%s", name);
    if (err)
        snprintf(err->path, sizeof(err->path), "/%s", k);
    switch (why) {
    case BAD_UNKNOWN:
        return sluis_err_set(err, SLUIS_EINVAL, "onbekend veld '%s' / unknown field '%s'", k, k);
    case BAD_MISSING:
        return sluis_err_set(err, SLUIS_EINVAL,
                             "verplicht veld '%s' ontbreekt / missing required field '%s'", k, k);
    default:
        return sluis_err_set(err, SLUIS_EINVAL,
                             "ongeldige waarde of type voor '%s' / wrong type or value for '%s'", k,
                             k);
    }
}

static int str_ok(const char *s, size_t n, int multiline)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
            return 0;
    }
    return 1;
}

int api_schema_check(const json_t *obj, const struct api_field *fields, struct sluis_err *err)
{
    if (!json_is_object(obj)) {
        if (err)
            snprintf(err->path, sizeof(err->path), "/");
        return sluis_err_set(err, SLUIS_EINVAL, "JSON-object verwacht / JSON object expected");
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const struct api_field *f = fields;
        while (f->name && strcmp(f->name, key))
            f++;
        if (!f->name)
            return set_path(err, key, BAD_UNKNOWN);
        int ok = 1;
        switch (f->type) {
        case AF_STR:
        case AF_TEXT:
        case AF_SLUG: {
            const char *s = json_string_value(v);
            size_t n = s ? json_string_length(v) : 0;
            size_t max = f->max ? f->max : (f->type == AF_TEXT ? 20000 : 4096);
            ok = s && n <= max && strlen(s) == n && str_ok(s, n, f->type == AF_TEXT);
            if (ok && f->type == AF_SLUG)
                ok = n > 0 && api_ext_id_ok(s);
            if (ok && f->required && n == 0)
                ok = 0;
            break;
        }
        case AF_BOOL:
            ok = json_is_boolean(v);
            break;
        case AF_INT:
            ok = json_is_integer(v) && json_integer_value(v) >= 0 &&
                 (!f->max || json_integer_value(v) <= (json_int_t)f->max);
            break;
        case AF_DATE:
            ok = json_is_string(v) && derive_date_valid(json_string_value(v));
            break;
        case AF_ENUM: {
            const char *s = json_string_value(v);
            ok = 0;
            for (const char *const *e = f->enums; s && *e; e++)
                if (!strcmp(*e, s))
                    ok = 1;
            break;
        }
        case AF_STRLIST: {
            size_t i;
            json_t *it;
            ok = json_is_array(v) && json_array_size(v) <= 64;
            json_array_foreach(v, i, it)
            {
                if (!json_is_string(it) || json_string_length(it) > 200)
                    ok = 0;
            }
            break;
        }
        case AF_ANY:
            break;
        }
        if (!ok)
            return set_path(err, key, BAD_VALUE);
    }
    for (const struct api_field *f = fields; f->name; f++) {
        if (f->required && !json_object_get(obj, f->name))
            return set_path(err, f->name, BAD_MISSING);
    }
    return 0;
}

int api_dossier_part_check(const json_t *content, const char *list, struct sluis_err *err)
{
    if (!json_is_object(content)) {
        if (err)
            snprintf(err->path, sizeof(err->path), "/");
        return sluis_err_set(err, SLUIS_EINVAL, "JSON-object verwacht / JSON object expected");
    }
    json_t *stub =
        json_pack("{s:i, s:s, s:s, s:{s:s, s:s}, s:{}, s:{s:s, s:s}}", "sluis_dossier", 1, "id",
                  "stub", "name", "stub", "organisation", "name", "stub", "layer", "other", "owner",
                  "use", "kind", "use", "environment", "exploration");
    if (!stub)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    char prefix[64];
    if (!strcmp(list, "decision")) {
        json_object_set(stub, "decision", (json_t *)content);
        snprintf(prefix, sizeof(prefix), "/decision");
    } else {
        json_object_set_new(stub, list, json_pack("[O]", content));
        snprintf(prefix, sizeof(prefix), "/%s/0", list);
    }
    struct sluis_err e;
    sluis_err_clear(&e);
    int rc = dossier_validate(stub, &e);
    json_decref(stub);
    if (!rc)
        return 0;
    if (err) {
        *err = e;
        size_t pl = strlen(prefix);
        if (!strncmp(e.path, prefix, pl))
            snprintf(err->path, sizeof(err->path), "%s", e.path[pl] ? e.path + pl : "/");
        /* the core may also name the path in its dotted form inside the message */
    }
    return rc;
}
