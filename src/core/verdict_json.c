/* verdict_json.c - the verdict as JSON (schema in docs/policy.md, "JSON verdict"). */
#include "core/verdict.h"

#include <string.h>

static const char *pick(const struct policy_text *t, int en)
{
    if (en)
        return t->en ? t->en : t->nl;
    return t->nl ? t->nl : t->en;
}

static int set_text(json_t *o, const char *key, const struct policy_text *t, int en)
{
    const char *s = pick(t, en);

    if (!s)
        return 0;
    return json_object_set_new(o, key, json_string(s));
}

static const char *kind_label(enum verdict_kind k, int en)
{
    static const char *const nl[] = {"toegestaan", "alleen verkenning", "niet toegestaan",
                                     "verboden"};
    static const char *const eng[] = {"allowed", "exploration only", "not allowed", "prohibited"};
    return (unsigned)k < 4 ? (en ? eng[k] : nl[k]) : "?";
}

json_t *verdict_to_json(const struct verdict *v, const char *lang)
{
    int en = lang && !strcmp(lang, "en");
    json_t *o = json_object(), *arr = json_array(), *sum = json_object(), *bysev = json_object();
    size_t counts[3] = {0, 0, 0}, sev[4] = {0, 0, 0, 0};
    int bad = !o || !arr || !sum || !bysev;

    for (size_t i = 0; !bad && i < v->n_findings; i++) {
        const struct finding *f = &v->findings[i];
        json_t *fj = json_object();
        if (!fj) {
            bad = 1;
            break;
        }
        counts[f->status]++;
        if (f->status == FINDING_UNMET)
            sev[f->severity]++;
        bad |= json_object_set_new(fj, "rule", json_string(f->rule_id));
        bad |= json_object_set_new(fj, "catalogue", json_string(f->catalogue_id));
        bad |= json_object_set_new(fj, "status", json_string(verdict_status_name(f->status)));
        bad |= json_object_set_new(fj, "severity", json_string(verdict_severity_name(f->severity)));
        bad |= json_object_set_new(fj, "in_force", json_boolean(f->in_force));
        bad |= set_text(fj, "title", &f->title, en);
        bad |= set_text(fj, "explanation", &f->explanation, en);
        if (f->status == FINDING_UNMET) {
            bad |= set_text(fj, "message", &f->message, en);
            bad |= set_text(fj, "remedy", &f->remedy, en);
        }
        bad |= set_text(fj, "source", &f->source, en);
        bad |= json_array_append_new(arr, fj);
    }
    if (!bad) {
        bad |= json_object_set_new(sum, "met", json_integer((json_int_t)counts[FINDING_MET]));
        bad |= json_object_set_new(sum, "unmet", json_integer((json_int_t)counts[FINDING_UNMET]));
        bad |= json_object_set_new(sum, "not_applicable",
                                   json_integer((json_int_t)counts[FINDING_NOT_APPLICABLE]));
        for (int s = 0; s < 4; s++)
            bad |= json_object_set_new(bysev, verdict_severity_name((enum severity)s),
                                       json_integer((json_int_t)sev[s]));
        bad |= json_object_set_new(sum, "unmet_by_severity", bysev);
        bysev = NULL;
        bad |= json_object_set_new(o, "verdict", json_string(verdict_kind_name(v->kind)));
        bad |= json_object_set_new(o, "verdict_label", json_string(kind_label(v->kind, en)));
        bad |= json_object_set_new(o, "environment", json_string(v->environment));
        bad |= json_object_set_new(o, "eval_date", json_string(v->eval_date));
        bad |= json_object_set_new(o, "policy_version", json_string(v->policy_version));
        bad |= json_object_set_new(o, "lang", json_string(en ? "en" : "nl"));
        bad |= json_object_set_new(o, "summary", sum);
        sum = NULL;
        bad |= json_object_set_new(o, "findings", arr);
        arr = NULL;
        bad |= json_object_set_new(o, "derived",
                                   v->derived ? json_deep_copy(v->derived) : json_object());
    }
    json_decref(arr);
    json_decref(sum);
    json_decref(bysev);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
