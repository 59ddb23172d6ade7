/* policy_json.c - a policy set as JSON (the catalogue for the register's API and the web UI). */
#include "core/policy_internal.h"

#include <string.h>

static int add_str(json_t *o, const char *k, const char *v)
{
    return v && v[0] ? json_object_set_new(o, k, json_string(v)) : 0;
}

static int add_text(json_t *o, const char *k, const struct policy_text *t)
{
    json_t *j;

    if (!t->nl && !t->en)
        return 0;
    j = json_object();
    if (!j || add_str(j, "nl", t->nl) || add_str(j, "en", t->en)) {
        json_decref(j);
        return -1;
    }
    return json_object_set_new(o, k, j);
}

static json_t *rule_json(const struct policy_rule *r)
{
    static const char *const envs[] = {"exploration", "pilot", "production"};
    json_t *o = json_object();
    int bad = !o;

    bad = bad || add_str(o, "id", r->id) || add_str(o, "catalogue", r->catalogue) ||
          add_str(o, "kind", r->kind) || add_str(o, "origin", r->origin) ||
          add_text(o, "title", &r->title) || add_text(o, "explanation", &r->explanation) ||
          add_text(o, "message", &r->message) || add_text(o, "remedy", &r->remedy) ||
          add_text(o, "source", &r->source) ||
          (r->applies_when && add_str(o, "applies_when", cond_source(r->applies_when))) ||
          add_str(o, "requires", cond_source(r->requires)) ||
          add_str(o, "severity", verdict_severity_name(r->severity)) ||
          add_str(o, "effective_from", r->effective_from) ||
          add_str(o, "effective_until", r->effective_until);
    if (!bad && r->env_mask) {
        json_t *e = json_array();
        for (int i = 0; e && i < 3; i++)
            if (r->env_mask & (1 << i))
                bad |= json_array_append_new(e, json_string(envs[i]));
        bad |= json_object_set_new(o, "environments", e);
    }
    if (!bad && r->n_schedule) {
        json_t *sc = json_array();
        for (int i = 0; sc && i < r->n_schedule; i++)
            bad |= json_array_append_new(
                sc, json_pack("{s:s,s:s}", "until", r->schedule[i].until, "severity",
                              verdict_severity_name(r->schedule[i].severity)));
        bad |= json_object_set_new(o, "schedule", sc);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *role_json(const struct policy_role *r)
{
    json_t *o = json_object();

    if (!o || add_str(o, "id", r->id) || add_text(o, "title", &r->title) ||
        json_object_set_new(o, "decides", json_boolean(r->decides)) ||
        (r->advice_required_when &&
         add_str(o, "advice_required_when", cond_source(r->advice_required_when))) ||
        add_str(o, "literacy", r->literacy)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *policy_set_to_json(const struct policy_set *ps)
{
    json_t *o = json_object(), *rules = json_array(), *roles = json_array();
    int bad = !o || !rules || !roles;

    for (size_t i = 0; !bad && i < ps->n_rules; i++) {
        json_t *r = rule_json(&ps->rules[i]);
        bad = !r || json_array_append_new(rules, r);
    }
    for (size_t i = 0; !bad && i < ps->n_roles; i++) {
        json_t *r = role_json(&ps->roles[i]);
        bad = !r || json_array_append_new(roles, r);
    }
    if (!bad) {
        bad = json_object_set_new(o, "version", json_string(ps->version)) ||
              json_object_set_new(o, "rules", rules) || json_object_set_new(o, "roles", roles);
        rules = roles = NULL;
    }
    json_decref(rules);
    json_decref(roles);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
