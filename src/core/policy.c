/* policy.c - policy sets: loading files in order, accessors, lint entry points. */
#include "core/policy_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void text_clear(struct policy_text *t)
{
    free((char *)t->nl);
    free((char *)t->en);
    t->nl = t->en = NULL;
}

void policy_rule_clear(struct policy_rule *r)
{
    free(r->id);
    free(r->catalogue);
    free(r->kind);
    free(r->origin);
    text_clear(&r->title);
    text_clear(&r->explanation);
    text_clear(&r->message);
    text_clear(&r->remedy);
    text_clear(&r->source);
    cond_free(r->applies_when);
    cond_free(r->requires);
    memset(r, 0, sizeof *r);
}

void policy_role_clear(struct policy_role *r)
{
    free(r->id);
    text_clear(&r->title);
    cond_free(r->advice_required_when);
    free(r->literacy);
    memset(r, 0, sizeof *r);
}

void policy_set_free(struct policy_set *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->n_rules; i++)
        policy_rule_clear(&ps->rules[i]);
    for (size_t i = 0; i < ps->n_roles; i++)
        policy_role_clear(&ps->roles[i]);
    cond_slots_free(&ps->slots);
    free(ps->hot);
    free(ps->tmpl);
    free(ps->placeholders);
    free(ps->rules);
    free(ps->roles);
    free(ps);
}

static struct policy_set *set_new(void)
{
    struct policy_set *ps = calloc(1, sizeof *ps);

    if (!ps)
        return NULL;
    ps->rules = calloc(POLICY_MAX_RULES, sizeof *ps->rules);
    ps->roles = calloc(POLICY_MAX_ROLES, sizeof *ps->roles);
    if (!ps->rules || !ps->roles) {
        policy_set_free(ps);
        return NULL;
    }
    derive_params_default(&ps->params);
    return ps;
}

/* Reads a whole file, capped at POLICY_MAX_FILE_BYTES (+1 to detect "too big"). */
static int read_file(const char *path, char **buf, size_t *len, struct sluis_err *err)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t n = 0, cap = POLICY_MAX_FILE_BYTES + 1;

    *buf = NULL;
    *len = 0;
    if (!f) {
        snprintf(err->file, sizeof err->file, "%s", path);
        return sluis_err_set(err, SLUIS_EIO,
                             "cannot open policy file / kan beleidsbestand niet openen");
    }
    b = malloc(cap);
    if (!b) {
        fclose(f);
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    n = fread(b, 1, cap, f);
    if (ferror(f)) {
        fclose(f);
        free(b);
        snprintf(err->file, sizeof err->file, "%s", path);
        return sluis_err_set(err, SLUIS_EIO,
                             "cannot read policy file / kan beleidsbestand niet lezen");
    }
    fclose(f);
    *buf = b;
    *len = n;
    return 0;
}

int policy_set_index(struct policy_set *ps)
{
    size_t n = ps->n_rules ? ps->n_rules : 1;
    struct policy_rule_hot *hot = malloc(n * sizeof *hot);
    struct finding *tmpl = calloc(n, sizeof *tmpl);
    unsigned char *ph = calloc(n, 1);

    if (!hot || !tmpl || !ph) {
        free(hot);
        free(tmpl);
        free(ph);
        return SLUIS_ENOMEM;
    }
    for (size_t i = 0; i < ps->n_rules; i++) {
        const struct policy_rule *r = &ps->rules[i];
        hot[i].applies_when = cond_root(r->applies_when);
        hot[i].requires = cond_root(r->requires);
        hot[i].from_num = r->from_num;
        hot[i].until_num = r->until_num;
        hot[i].env_mask = r->env_mask;
        hot[i].uses_env = r->uses_env;
        hot[i].n_schedule = r->n_schedule;
        hot[i].severity = r->severity;
        tmpl[i].rule_id = r->id;
        tmpl[i].catalogue_id = r->catalogue;
        tmpl[i].title = r->title;
        tmpl[i].explanation = r->explanation;
        tmpl[i].message = r->message;
        tmpl[i].remedy = r->remedy;
        tmpl[i].source = r->source;
        {
            const char *t[4] = {r->message.nl, r->message.en, r->remedy.nl, r->remedy.en};
            for (int k = 0; k < 4; k++)
                if (t[k] && strchr(t[k], '{'))
                    ph[i] |= (unsigned char)(1u << k);
        }
    }
    free(ps->hot);
    free(ps->tmpl);
    free(ps->placeholders);
    ps->hot = hot;
    ps->tmpl = tmpl;
    ps->placeholders = ph;
    return 0;
}

static int load_one(struct policy_set *ps, const char *buf, size_t len, const char *name,
                    int is_base, struct sluis_err *err)
{
    struct policy_diag d;
    int n;

    memset(&d, 0, sizeof d);
    d.file = name;
    n = policy_file_parse(ps, buf, len, is_base, &d);
    if (n == 0)
        return policy_set_index(ps) ? sluis_err_set(err, SLUIS_ENOMEM, "out of memory") : 0;
    if (err) {
        *err = d.first;
        if (d.n > 1) {
            size_t l = strlen(err->msg);
            snprintf(err->msg + l, sizeof err->msg - l, " (and %d more; run sluis policy lint)",
                     d.n - 1);
        }
    }
    return n < 0 ? n : d.first.code ? d.first.code : SLUIS_EINVAL;
}

int policy_set_load(struct policy_set **out, const char *const *paths, size_t n,
                    struct sluis_err *err)
{
    struct policy_set *ps;
    int rc = 0;

    *out = NULL;
    sluis_err_clear(err);
    if (n == 0 || n > POLICY_MAX_FILES)
        return sluis_err_set(err, SLUIS_EINVAL, "between 1 and %d policy files", POLICY_MAX_FILES);
    ps = set_new();
    if (!ps)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *buf;
        size_t len;
        rc = read_file(paths[i], &buf, &len, err);
        if (rc == 0) {
            rc = load_one(ps, buf, len, paths[i], i == 0, err);
            free(buf);
        }
    }
    if (rc) {
        policy_set_free(ps);
        return rc;
    }
    *out = ps;
    return 0;
}

int policy_set_load_buffer(struct policy_set **out, const char *buf, size_t len, const char *name,
                           struct sluis_err *err)
{
    struct policy_set *ps;
    int rc;

    *out = NULL;
    sluis_err_clear(err);
    ps = set_new();
    if (!ps)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    rc = load_one(ps, buf, len, name ? name : "", 1, err);
    if (rc) {
        policy_set_free(ps);
        return rc;
    }
    *out = ps;
    return 0;
}

int policy_set_load_buffers(struct policy_set **out, const char *const *bufs, const size_t *lens,
                            const char *const *names, size_t n, struct sluis_err *err)
{
    struct policy_set *ps;
    int rc = 0;

    *out = NULL;
    sluis_err_clear(err);
    if (n == 0 || n > POLICY_MAX_FILES)
        return sluis_err_set(err, SLUIS_EINVAL, "between 1 and %d policy files", POLICY_MAX_FILES);
    ps = set_new();
    if (!ps)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = load_one(ps, bufs[i], lens[i], names && names[i] ? names[i] : "", i == 0, err);
    if (rc) {
        policy_set_free(ps);
        return rc;
    }
    *out = ps;
    return 0;
}

const char *policy_set_version(const struct policy_set *ps)
{
    return ps->version;
}

const struct derive_params *policy_set_derive_params(const struct policy_set *ps)
{
    return &ps->params;
}

size_t policy_set_rule_count(const struct policy_set *ps)
{
    return ps->n_rules;
}

const char *policy_set_rule_id(const struct policy_set *ps, size_t i)
{
    return i < ps->n_rules ? ps->rules[i].id : NULL;
}

const char *policy_set_role_literacy(const struct policy_set *ps, const char *role_id)
{
    for (size_t i = 0; i < ps->n_roles; i++)
        if (strcmp(ps->roles[i].id, role_id) == 0)
            return ps->roles[i].literacy;
    return NULL;
}

int policy_lint_buffer(const char *buf, size_t len, const char *name,
                       void (*cb)(const struct sluis_err *e, void *ud), void *ud)
{
    struct policy_set *ps = set_new();
    struct policy_diag d;
    int n;

    if (!ps)
        return SLUIS_ENOMEM;
    memset(&d, 0, sizeof d);
    d.file = name;
    d.cb = cb;
    d.ud = ud;
    n = policy_file_parse(ps, buf, len, 2, &d);
    policy_set_free(ps);
    return n < 0 ? n : d.n;
}

int policy_lint_file(const char *path, void (*cb)(const struct sluis_err *e, void *ud), void *ud)
{
    struct sluis_err err;
    char *buf;
    size_t len;
    int rc;

    memset(&err, 0, sizeof err);
    rc = read_file(path, &buf, &len, &err);
    if (rc) {
        if (cb)
            cb(&err, ud);
        return rc;
    }
    rc = policy_lint_buffer(buf, len, path, cb, ud);
    free(buf);
    return rc;
}
