/*
 * policy.h - the government-wide position on generative AI (and an organisation's own
 * additions) as versioned policy data: loading, merging and linting policy files.
 *
 * A policy set is one or more policy files merged in order: the base standpunt file first,
 * then organisation files. An organisation file adds rules (a rule id that already exists is
 * an error: base rules cannot be dropped or silently replaced), may override roles of the
 * role matrix by id (or add roles), and may override instrument parameters. The file format
 * and the condition language are described in docs/policy.md.
 *
 * Everything a verdict borrows (rule texts, source clauses, role ids) is owned by the policy
 * set and stays valid until policy_set_free(). A loaded policy set is read-only and may be
 * shared between threads for evaluation.
 */
#ifndef SLUIS_CORE_POLICY_H
#define SLUIS_CORE_POLICY_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

struct policy_set;
struct derive_params;

/* Hard caps (each is an error with position when exceeded). */
#define POLICY_MAX_FILE_BYTES (1024 * 1024)
#define POLICY_MAX_FILES 16
#define POLICY_MAX_RULES 1024
#define POLICY_MAX_ROLES 64
#define POLICY_MAX_TEXT 20000
#define POLICY_MAX_ERRORS 200

/*
 * Loads the policy files paths[0..n-1] (n >= 1, at most POLICY_MAX_FILES) and merges them in
 * order. On success *out is a new policy set the caller frees with policy_set_free().
 * On error returns a negative SLUIS_E* code, *out is NULL and err holds the first error with
 * file:line:column.
 */
int policy_set_load(struct policy_set **out, const char *const *paths, size_t n,
                    struct sluis_err *err);

/*
 * Like policy_set_load() for one policy file held in memory (buf need not be NUL-terminated;
 * len bytes, at most POLICY_MAX_FILE_BYTES). name is used in error messages and may be NULL.
 */
int policy_set_load_buffer(struct policy_set **out, const char *buf, size_t len, const char *name,
                           struct sluis_err *err);

/*
 * Like policy_set_load() for n policy files held in memory (the register keeps policy versions
 * in its database): bufs[i] of lens[i] bytes, names[i] for messages (names may be NULL).
 */
int policy_set_load_buffers(struct policy_set **out, const char *const *bufs, const size_t *lens,
                            const char *const *names, size_t n, struct sluis_err *err);

/* Frees a policy set; NULL is fine. Every pointer borrowed from it becomes invalid. */
void policy_set_free(struct policy_set *ps);

/*
 * The version string of the set: "<id>@<version>" of the first file, then "+<id>@<version>"
 * per organisation file, e.g. "standpunt-2025@2026.1+org-utrecht@3". Borrowed from ps.
 */
const char *policy_set_version(const struct policy_set *ps);

/*
 * Reports EVERY error of one policy file (syntax, unknown keys, bad conditions, unknown field
 * paths, duplicate ids, bad dates or severities, ...) through cb, each with file:line:column,
 * up to POLICY_MAX_ERRORS. cb may be NULL (then only the count is returned). Returns the number
 * of errors (0 = clean), or a negative SLUIS_E* code when the file cannot be read; in that case
 * cb also received one error describing the failure.
 */
int policy_lint_file(const char *path, void (*cb)(const struct sluis_err *e, void *ud), void *ud);

/* Same as policy_lint_file() for a buffer; name is used in messages and may be NULL. */
int policy_lint_buffer(const char *buf, size_t len, const char *name,
                       void (*cb)(const struct sluis_err *e, void *ud), void *ud);

/*
 * The parameters of the derived-fact instruments (pre-scan weights and thresholds,
 * systemic-risk threshold, material fields) as the policy set configures them: the defaults of
 * derive_params_default() with the `instruments:` sections of the files applied in order.
 * Borrowed from ps.
 */
const struct derive_params *policy_set_derive_params(const struct policy_set *ps);

/* Number of rules in the set, and the id of rule i (borrowed), for listings and diffs. */
size_t policy_set_rule_count(const struct policy_set *ps);
const char *policy_set_rule_id(const struct policy_set *ps, size_t i);

/*
 * The AI-literacy level the policy requires for a role ("bewust", "bekwaam", "vloeiend",
 * "expert"), or NULL when the role is unknown or the policy sets none. Borrowed from ps.
 */
const char *policy_set_role_literacy(const struct policy_set *ps, const char *role_id);

/*
 * The policy set as a new JSON object (caller json_decref()s; NULL when out of memory), for the
 * register's API and the web UI: {"version", "rules": [{"id", "catalogue", "kind", "origin",
 * "title": {"nl","en"}, "explanation", "message", "remedy", "source", "environments": [..],
 * "applies_when": "<condition>", "requires": "<condition>", "severity",
 * "schedule": [{"until","severity"}], "effective_from", "effective_until"}],
 * "roles": [{"id", "title", "decides", "advice_required_when", "literacy"}]}.
 * Absent optional parts are left out.
 */
json_t *policy_set_to_json(const struct policy_set *ps);

#endif
