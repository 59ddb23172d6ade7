/* check_json.c - `sluis check --format json`: one document for all dossiers (docs/check.md). */
#include "cli/check_common.h"

static json_t *error_json(const struct sluis_err *e)
{
    return json_pack("{s:s, s:i, s:i, s:s, s:s}", "file", e->file, "line", e->line, "column",
                     e->column, "path", e->path, "message", e->msg);
}

static json_t *result_json(const struct check_result *r, const char *lang)
{
    json_t *j;

    if (r->failed) {
        j = json_pack("{s:s, s:o*}", "file", r->file, "error", error_json(&r->err));
        return j;
    }
    j = verdict_to_json(&r->v, lang);
    if (!j)
        return NULL;
    if (json_object_set_new(j, "file", json_string(r->file)) ||
        (!json_object_get(j, "id") && json_object_set_new(j, "id", json_string(r->id))) ||
        (!json_object_get(j, "name") && json_object_set_new(j, "name", json_string(r->name)))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int check_json_write(FILE *out, const struct check_result *r, size_t n,
                     const struct check_output *o)
{
    json_t *doc, *results;
    int rc = 0;

    doc = json_pack("{s:i, s:s?, s:s, s:s, s:[]}", "sluis_check", 1, "policy_version",
                    o->policy_version, "eval_date", o->eval_date, "lang", o->lang, "results");
    if (!doc)
        return SLUIS_ENOMEM;
    results = json_object_get(doc, "results");
    for (size_t i = 0; i < n; i++) {
        json_t *j = result_json(&r[i], o->lang);

        if (!j || json_array_append_new(results, j)) {
            rc = SLUIS_ENOMEM;
            goto out;
        }
    }
    if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF ||
        fflush(out))
        rc = SLUIS_EIO;
out:
    json_decref(doc);
    return rc;
}
