/*
 * verdict.c - evaluates a dossier against a policy set: derived facts, required advice roles,
 * one finding per rule, and the verdict for the requested environment (docs/policy.md).
 */
#include "core/policy_internal.h"
#include "core/jpool.h"
#include "core/str_copy.h"
#include "core/verdict_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum severity effective_severity(const struct policy_rule *r, long date)
{
    for (int i = 0; i < r->n_schedule; i++)
        if (date <= r->schedule[i].until_num)
            return r->schedule[i].severity;
    return r->severity;
}

static int env_bit(const char *env)
{
    if (!strcmp(env, "exploration"))
        return POLICY_ENV_EXPLORATION;
    if (!strcmp(env, "pilot"))
        return POLICY_ENV_PILOT;
    if (!strcmp(env, "production"))
        return POLICY_ENV_PRODUCTION;
    return 0;
}

#define ADVICE_SCAN_MAX 64

/* The roles with a positive advice (with or without conditions), read once per role matrix. */
struct advice_pos {
    const char *role[ADVICE_SCAN_MAX];
    size_t n;
    int overflow; /* more positive advice than fits: look roles up in the dossier instead */
};

static int outcome_positive(const char *o)
{
    return o && (!strcmp(o, "positive") || !strcmp(o, "positive_with_conditions"));
}

static void advice_scan(const json_t *dossier, struct advice_pos *ap)
{
    const json_t *adv = json_object_get(dossier, "advice");
    size_t i;
    json_t *a;

    ap->n = 0;
    ap->overflow = 0;
    json_array_foreach(adv, i, a)
    {
        const char *r = json_string_value(json_object_get(a, "role"));
        if (!r || !outcome_positive(json_string_value(json_object_get(a, "outcome"))))
            continue;
        if (ap->n == ADVICE_SCAN_MAX) {
            ap->overflow = 1;
            return;
        }
        ap->role[ap->n++] = r;
    }
}

static int advice_positive(const json_t *dossier, const struct advice_pos *ap, const char *role)
{
    const json_t *adv;
    size_t i;
    json_t *a;

    if (!ap->overflow) {
        for (i = 0; i < ap->n; i++)
            if (!strcmp(ap->role[i], role))
                return 1;
        return 0;
    }
    adv = json_object_get(dossier, "advice");
    json_array_foreach(adv, i, a)
    {
        const char *r = json_string_value(json_object_get(a, "role"));
        if (r && !strcmp(r, role) &&
            outcome_positive(json_string_value(json_object_get(a, "outcome"))))
            return 1;
    }
    return 0;
}

/* Sets derived.roles = {required: [...], missing: [...]} for env. */
static int roles_set(const struct policy_set *ps, const json_t *dossier, json_t *derived,
                     const char *env, const char *date, struct cond_cache *cache)
{
    struct cond_env ce = {dossier, derived, env, date, cache};
    json_t *roles = json_object(), *req = json_array(), *miss = json_array();
    struct advice_pos ap;

    if (!roles || !req || !miss)
        goto oom;
    advice_scan(dossier, &ap);
    for (size_t i = 0; i < ps->n_roles; i++) {
        const struct policy_role *r = &ps->roles[i];
        if (r->decides || !r->advice_required_when)
            continue;
        /* fail closed: an unknown condition requires the advice */
        if (cond_eval(r->advice_required_when, &ce) == COND_FALSE)
            continue;
        if (json_array_append_new(req, json_string(r->id)))
            goto oom;
        if (!advice_positive(dossier, &ap, r->id) &&
            json_array_append_new(miss, json_string(r->id)))
            goto oom;
    }
    if (json_object_set_new_nocheck(roles, "required", req) ||
        json_object_set_new_nocheck(roles, "missing", miss))
        goto oom_r;
    cond_cache_reset_roles(cache, &ps->slots); /* derived.roles changes */
    return json_object_set_new_nocheck(derived, "roles", roles) ? SLUIS_ENOMEM : 0;
oom:
    json_decref(req);
    json_decref(miss);
oom_r:
    json_decref(roles);
    return SLUIS_ENOMEM;
}

/* One pass over the rules; fills findings when not NULL. Returns the verdict for this env
 * without the exploration fallback: ALLOWED, NOT_ALLOWED (an unmet block) or PROHIBITED.
 * prev (with prev_bit, its environment's bit): the findings of an earlier pass over the same
 * dossier and date, whose status a rule that reads neither env nor derived.roles and was
 * evaluated there keeps (the same conditions on the same data). With findings NULL the pass
 * stops at the first unmet block or prohibit: the caller only asks whether it is ALLOWED. */
static enum verdict_kind eval_rules(const struct policy_set *ps, const json_t *dossier,
                                    const json_t *derived, const char *env, const char *date,
                                    struct cond_cache *cache, struct finding *findings,
                                    const struct finding *prev, int prev_bit)
{
    struct cond_env ce = {dossier, derived, env, date, cache};
    int bit = env_bit(env), block = 0, prohibit = 0;
    long day = policy_date_num(date); /* date is a valid YYYY-MM-DD (checked by evaluate) */

    /* the rule's ids and texts come from the template (policy_set_index()) in one copy */
    if (findings && ps->n_rules)
        memcpy(findings, ps->tmpl, ps->n_rules * sizeof *findings);
    for (size_t i = 0; i < ps->n_rules; i++) {
        const struct policy_rule_hot *r = &ps->hot[i];
        enum finding_status st = FINDING_NOT_APPLICABLE;
        enum severity sev = r->n_schedule ? effective_severity(&ps->rules[i], day) : r->severity;
        int in_force = !(r->from_num && day < r->from_num) && !(r->until_num && day > r->until_num);

        if (in_force && (!r->env_mask || (r->env_mask & bit))) {
            if (prev && !r->uses_env && (!r->env_mask || (r->env_mask & prev_bit)))
                st = prev[i].status;
            else if (!r->applies_when || cond_eval_root(r->applies_when, &ce) != COND_FALSE)
                st = cond_eval_root(r->requires, &ce) == COND_TRUE ? FINDING_MET : FINDING_UNMET;
        }
        if (st == FINDING_UNMET) {
            block |= sev == SEVERITY_BLOCK;
            prohibit |= sev == SEVERITY_PROHIBIT;
            if (!findings && (block || prohibit))
                return prohibit ? VERDICT_PROHIBITED : VERDICT_NOT_ALLOWED;
        }
        if (findings) {
            struct finding *f = &findings[i];
            f->status = st;
            f->severity = sev;
            f->in_force = in_force;
        }
    }
    return prohibit ? VERDICT_PROHIBITED : block ? VERDICT_NOT_ALLOWED : VERDICT_ALLOWED;
}

/*
 * 1 when the exploration pass cannot come out allowed: a rule that also binds in exploration,
 * whose conditions read neither env nor derived.roles, is unmet with severity block or
 * prohibit (the severity depends on the date only), so it is unmet there too.
 */
static int unmet_in_exploration(const struct policy_set *ps, const struct finding *findings)
{
    for (size_t i = 0; i < ps->n_rules; i++) {
        const struct policy_rule *r = &ps->rules[i];
        if (findings[i].status == FINDING_UNMET &&
            (findings[i].severity == SEVERITY_BLOCK || findings[i].severity == SEVERITY_PROHIBIT) &&
            (!r->env_mask || (r->env_mask & POLICY_ENV_EXPLORATION)) && !r->uses_env)
            return 1;
    }
    return 0;
}

static int evaluate(const struct policy_set *ps, const json_t *dossier, const char *env,
                    const char *eval_date, struct verdict *out, struct sluis_err *err)
{
    json_t *derived = NULL;
    struct finding *findings = NULL;
    struct cond_cache cache;
    enum verdict_kind k;
    int rc;

    memset(out, 0, sizeof *out);
    if (!ps || !json_is_object(dossier))
        return sluis_err_set(err, SLUIS_EINVAL, "no policy or no dossier");
    if (ps->n_rules && (!ps->hot || !ps->tmpl || !ps->placeholders))
        return sluis_err_set(err, SLUIS_EINTERNAL, "policy set not indexed");
    if (!env || !env_bit(env))
        return sluis_err_set(err, SLUIS_EINVAL,
                             "unknown environment '%s' (exploration, pilot, production)",
                             env ? env : "");
    if (!eval_date || strlen(eval_date) != 10 || !cond_date_valid(eval_date, 10))
        return sluis_err_set(err, SLUIS_EINVAL, "evaluation date must be YYYY-MM-DD");
    rc = derive_facts(dossier, &ps->params, eval_date, &derived, err);
    if (rc)
        return rc;
    cond_cache_reset(&cache);
    rc = roles_set(ps, dossier, derived, env, eval_date, &cache);
    if (rc)
        goto fail;
    /* eval_rules() sets every field of every finding */
    findings = malloc((ps->n_rules ? ps->n_rules : 1) * sizeof *findings);
    if (!findings) {
        rc = SLUIS_ENOMEM;
        goto fail;
    }
    k = eval_rules(ps, dossier, derived, env, eval_date, &cache, findings, NULL, 0);
    if (k != VERDICT_ALLOWED && strcmp(env, "exploration") != 0 &&
        !unmet_in_exploration(ps, findings)) {
        /*
         * Would the same dossier pass as a controlled exploration? (roles may depend on env.)
         * Then the answer is exploration_only, also when env has an unmet prohibit such as
         * consumer terms (SP-04a binds outside exploration only); a prohibit that binds in
         * exploration too (art. 5, L-01) keeps it prohibited.
         */
        json_t *mine;
        if (!ps->roles_use_env) {
            /* no role condition reads env or derived.roles: the role matrix for exploration
             * is the one just set, so only the rules are evaluated again */
            if (eval_rules(ps, dossier, derived, "exploration", eval_date, &cache, NULL, findings,
                           env_bit(env)) == VERDICT_ALLOWED)
                k = VERDICT_EXPLORATION_ONLY;
            goto done;
        }
        mine = json_incref(json_object_get(derived, "roles"));
        rc = roles_set(ps, dossier, derived, "exploration", eval_date, &cache);
        if (rc == 0 && eval_rules(ps, dossier, derived, "exploration", eval_date, &cache, NULL,
                                  findings, env_bit(env)) == VERDICT_ALLOWED)
            k = VERDICT_EXPLORATION_ONLY;
        if (rc == 0)
            rc = json_object_set_new(derived, "roles", mine) ? SLUIS_ENOMEM : 0;
        else
            json_decref(mine);
        if (rc)
            goto fail;
    }
done:
    /*
     * A dossier requested as exploration can at most be explored: when it passes, say so
     * (exploration_only) rather than "allowed", which would read as leave for production.
     */
    if (k == VERDICT_ALLOWED && !strcmp(env, "exploration"))
        k = VERDICT_EXPLORATION_ONLY;
    out->kind = k;
    sluis_str_copy(out->environment, sizeof out->environment, env);
    sluis_str_copy(out->eval_date, sizeof out->eval_date, eval_date);
    sluis_str_copy(out->policy_version, sizeof out->policy_version, ps->version);
    out->findings = findings;
    out->n_findings = ps->n_rules;
    out->derived = derived;
    if (verdict_text_render(out, ps->placeholders) < 0) {
        verdict_free(out);
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory while evaluating the policy");
    }
    return 0;
fail:
    free(findings);
    json_decref(derived);
    memset(out, 0, sizeof *out);
    return sluis_err_set(err, rc, "out of memory while evaluating the policy");
}

int policy_evaluate_env(const struct policy_set *ps, const json_t *dossier, const char *env,
                        const char *eval_date, struct verdict *out, struct sluis_err *err)
{
    int rc;

    jpool_scope_enter(); /* derived's small blocks come from the pool (jpool.h) */
    rc = evaluate(ps, dossier, env, eval_date, out, err);
    jpool_scope_leave();
    return rc;
}

int policy_evaluate(const struct policy_set *ps, const json_t *dossier, const char *eval_date,
                    struct verdict *out, struct sluis_err *err)
{
    const char *env =
        json_string_value(json_object_get(json_object_get(dossier, "use"), "environment"));

    if (!env) {
        memset(out, 0, sizeof *out);
        return sluis_err_set(err, SLUIS_EINVAL, "the dossier has no use.environment");
    }
    return policy_evaluate_env(ps, dossier, env, eval_date, out, err);
}

void verdict_free(struct verdict *v)
{
    if (!v)
        return;
    free(v->findings);
    free(v->texts);
    json_decref(v->derived);
    memset(v, 0, sizeof *v);
}

const char *verdict_kind_name(enum verdict_kind k)
{
    switch (k) {
    case VERDICT_ALLOWED:
        return "allowed";
    case VERDICT_EXPLORATION_ONLY:
        return "exploration_only";
    case VERDICT_NOT_ALLOWED:
        return "not_allowed";
    case VERDICT_PROHIBITED:
        return "prohibited";
    }
    return "?";
}

const char *verdict_severity_name(enum severity s)
{
    static const char *const n[] = {"advise", "warn", "block", "prohibit"};
    return (unsigned)s < 4 ? n[s] : "?";
}

const char *verdict_status_name(enum finding_status s)
{
    static const char *const n[] = {"met", "unmet", "not_applicable"};
    return (unsigned)s < 3 ? n[s] : "?";
}
