/*
 * verdict.h - evaluating a dossier against a policy set, and the resulting verdict.
 *
 * For the requested environment the verdict is one of prohibited, not_allowed,
 * exploration_only or allowed, plus one finding per rule (met / unmet / not applicable) with
 * its severity on the evaluation date. Semantics and the JSON schema: docs/policy.md.
 *
 * Ownership: the texts a finding points to are borrowed from the policy set (valid until
 * policy_set_free()), except a message or remedy of an unmet finding that contains a
 * placeholder such as {derived.roles.missing}: that one is rendered into text the verdict owns
 * (valid until verdict_free()). Nothing in a verdict borrows from the dossier, which may be freed
 * right after policy_evaluate(). The verdict owns its findings array, its `derived` object and
 * the rendered texts; verdict_free() releases them.
 */
#ifndef SLUIS_CORE_VERDICT_H
#define SLUIS_CORE_VERDICT_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "core/policy.h"

enum verdict_kind {
    VERDICT_ALLOWED,
    VERDICT_EXPLORATION_ONLY,
    VERDICT_NOT_ALLOWED,
    VERDICT_PROHIBITED
};

enum finding_status { FINDING_MET, FINDING_UNMET, FINDING_NOT_APPLICABLE };

enum severity { SEVERITY_ADVISE, SEVERITY_WARN, SEVERITY_BLOCK, SEVERITY_PROHIBIT };

/* A text in Dutch and English; either may be NULL when the policy gives none. */
struct policy_text {
    const char *nl;
    const char *en;
};

struct finding {
    const char *rule_id;      /* e.g. "SP-03a" */
    const char *catalogue_id; /* e.g. "SP-03" (standpunt section 2), or the rule id */
    enum finding_status status;
    enum severity severity; /* effective on the evaluation date */
    int in_force;           /* 0 when the evaluation date is outside effective_from/until */
    struct policy_text title;
    struct policy_text explanation;
    struct policy_text message; /* what is wrong when unmet; placeholders filled in */
    struct policy_text remedy;  /* what to do about it; placeholders filled in */
    struct policy_text source;  /* source clause */
};

struct verdict {
    enum verdict_kind kind;
    char environment[16];     /* exploration | pilot | production */
    char eval_date[11];       /* YYYY-MM-DD */
    char policy_version[256]; /* policy_set_version() at evaluation time */
    struct finding *findings; /* one per rule, in policy order; owned */
    size_t n_findings;
    json_t *derived; /* owned: the derived facts used, incl. roles.required/missing */
    char *texts;     /* owned: messages/remedies with {derived.*} placeholders filled in */
};

/*
 * Evaluates dossier (a validated dossier, docs/dossier.md) for its own use.environment on
 * eval_date ("YYYY-MM-DD", required). Fills *out (which the caller zeroes or has freed before);
 * the caller releases it with verdict_free(). Returns 0, or a negative SLUIS_E* code with err
 * set (then *out is left zeroed).
 */
int policy_evaluate(const struct policy_set *ps, const json_t *dossier, const char *eval_date,
                    struct verdict *out, struct sluis_err *err);

/* Like policy_evaluate() for the environment env ("exploration", "pilot", "production"). */
int policy_evaluate_env(const struct policy_set *ps, const json_t *dossier, const char *env,
                        const char *eval_date, struct verdict *out, struct sluis_err *err);

/* Frees what the verdict owns and zeroes it; safe on a zeroed verdict and on NULL. */
void verdict_free(struct verdict *v);

/* "allowed", "exploration_only", "not_allowed", "prohibited". */
const char *verdict_kind_name(enum verdict_kind k);

/* "advise", "warn", "block", "prohibit". */
const char *verdict_severity_name(enum severity s);

/* "met", "unmet", "not_applicable". */
const char *verdict_status_name(enum finding_status s);

/*
 * The verdict as a new JSON object (caller json_decref()s it), texts in lang ("nl" default,
 * or "en"; a missing translation falls back to the other language). Schema: docs/policy.md.
 * Returns NULL on allocation failure.
 */
json_t *verdict_to_json(const struct verdict *v, const char *lang);

#endif
