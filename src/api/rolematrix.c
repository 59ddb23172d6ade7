/* rolematrix.c - an organisation's override of the advice-role matrix, kept as a generated
 * organisation policy file so the core validates and applies it like any other (docs/policy.md,
 * "Organisation files": roles with an existing id replace that role). */
#include "api/api_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

static const char *const advice_order[] = {"cio_office", "ciso",        "fg",
                                           "jurist",     "procurement", NULL};

int api_role_matrix_source(const char *base_id, const struct policy_set *below,
                           const json_t *matrix, const char *today, char **src, char ver[13],
                           const char **order, size_t *n_order, struct sluis_err *err)
{
    *src = NULL;
    *n_order = 0;
    char *canon = json_dumps(matrix, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *pj = policy_set_to_json(below);
    if (!canon || !pj) {
        free(canon);
        json_decref(pj);
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    char sha[AUDIT_HASH_HEX];
    audit_hash_hex(canon, strlen(canon), sha);
    free(canon);
    snprintf(ver, 13, "%.12s", sha);
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    int rc = 0;
    if (!b) {
        json_decref(pj);
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    len += (size_t)snprintf(b, cap,
                            "sluis_policy: 1\nid: %s\nversion: \"%s\"\npublished: %s\n"
                            "extends: %s\ntitle: {nl: \"Rollenmatrix van de organisatie\", en: "
                            "\"The organisation's role matrix\"}\nroles:\n",
                            API_ROLE_MATRIX_ID, ver, today, base_id);
    for (const char *const *r = advice_order; *r; r++) {
        const char *cond = json_string_value(json_object_get(matrix, *r));
        if (!cond)
            continue;
        json_t *title = NULL;
        const char *lit = NULL;
        size_t i;
        json_t *role;
        json_array_foreach(json_object_get(pj, "roles"), i, role)
        {
            const char *id = json_string_value(json_object_get(role, "id"));
            if (id && !strcmp(id, *r)) {
                title = json_object_get(role, "title");
                lit = json_string_value(json_object_get(role, "literacy"));
            }
        }
        json_t *line =
            json_pack("{s:s, s:o, s:s}", "id", *r, "title",
                      json_is_object(title) ? json_deep_copy(title)
                                            : json_pack("{s:s, s:s}", "nl", *r, "en", *r),
                      "advice_required_when", cond);
        if (line && lit)
            json_object_set_new(line, "literacy", json_string(lit));
        /* JSON is YAML 1.2 flow style: one role per line */
        char *t = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(line);
        if (!t) {
            rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
            break;
        }
        size_t need = len + strlen(t) + 8;
        if (need > cap) {
            char *nb = need <= POLICY_MAX_FILE_BYTES ? realloc(b, need * 2) : NULL;
            if (!nb) {
                free(t);
                rc = sluis_err_set(err, SLUIS_ETOOBIG, "role matrix too big");
                break;
            }
            b = nb;
            cap = need * 2;
        }
        len += (size_t)snprintf(b + len, cap - len, "  - %s\n", t);
        free(t);
        order[(*n_order)++] = *r;
    }
    json_decref(pj);
    if (rc) {
        free(b);
        return rc;
    }
    *src = b;
    return 0;
}

int api_role_matrix_shape(const json_t *m, struct sluis_err *err)
{
    if (json_is_null(m))
        return 0;
    if (!json_is_object(m)) {
        snprintf(err->path, sizeof(err->path), "/role_matrix");
        return sluis_err_set(err, SLUIS_EINVAL,
                             "role_matrix: object {adviesrol/advice role: voorwaarde/condition}");
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)m, k, v)
    {
        snprintf(err->path, sizeof(err->path), "/role_matrix/%.200s", k);
        if (!api_advice_role_ok(k))
            return sluis_err_set(err, SLUIS_EINVAL,
                                 "onbekende adviesrol / unknown advice role (cio_office, ciso, "
                                 "fg, jurist, procurement)");
        if (!json_is_null(v) && !json_is_string(v))
            return sluis_err_set(err, SLUIS_EINVAL,
                                 "een voorwaarde (tekst) of null / a condition (string) or null");
        if (json_is_string(v) && (json_string_length(v) == 0 || json_string_length(v) > 4096 ||
                                  strlen(json_string_value(v)) != json_string_length(v)))
            return sluis_err_set(err, SLUIS_EINVAL, "voorwaarde / condition: 1..4096 bytes");
    }
    err->path[0] = '\0';
    return 0;
}

void api_policy_role_position(const char *src, const char *role, int *line, int *col)
{
    int ln = 1;
    size_t rl = strlen(role);
    for (const char *p = src; *p; ln++) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        while (q < p + n && (*q == ' ' || *q == '-'))
            q++;
        if ((size_t)(p + n - q) >= 4 + rl && !strncmp(q, "id:", 3)) {
            const char *v = q + 3;
            while (*v == ' ' || *v == '"' || *v == '\'')
                v++;
            if (!strncmp(v, role, rl) &&
                !(isalnum((unsigned char)v[rl]) || v[rl] == '_' || v[rl] == '-')) {
                *line = ln;
                *col = (int)(v - p) + 1;
                return;
            }
        }
        if (!e)
            break;
        p = e + 1;
    }
}
