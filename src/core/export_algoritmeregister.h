/*
 * export_algoritmeregister.h - dossier -> Algoritmeregister publication standard 1.0.
 *
 * Pure functions: a validated dossier (JSON, shape of docs/dossier.md) and its derived facts
 * go in; a register document (JSON, API keys of the publication standard 1.0) and a list of
 * problems come out. Nothing is read or written here; the CLI (`sluis export
 * algoritmeregister`) and the register API both call these functions.
 *
 * The rules checked are those of /work/shared/domain/algoritmeregister.md: lengths counted in
 * characters after stripping HTML, the allowed rich-text tags, enums, https links, yyyy-mm
 * dates and the API-required fields. Where the handbook is stricter than the API
 * (description_short < 350) the problem is a warning, not a refusal.
 */
#ifndef SLUIS_CORE_EXPORT_ALGORITMEREGISTER_H
#define SLUIS_CORE_EXPORT_ALGORITMEREGISTER_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>

enum export_severity {
    EXPORT_ERROR = 0,   /* the register would reject the document */
    EXPORT_WARNING = 1, /* the handbook advises otherwise; the API accepts it */
};

/* One reason the register would reject (or frown upon) the document. */
struct export_problem {
    int severity;    /* enum export_severity */
    char field[96];  /* register API key, e.g. "impacttoetsen_grouping[1].link" */
    char source[64]; /* dossier path the value came from, e.g. "purpose.description"; may be "" */
    char limit[160]; /* the rule, e.g. "max 400 characters after stripping HTML" */
    char found[200]; /* what was found, e.g. "512 characters" */
};

/* Hard cap on problems kept; more are counted in `dropped`. */
#define EXPORT_PROBLEMS_MAX 256

/* The problem list. Init/free pair; the caller owns the struct. */
struct export_report {
    struct export_problem *items;
    size_t n;
    size_t cap;
    size_t n_errors; /* problems with severity EXPORT_ERROR (including dropped ones) */
    size_t dropped;  /* problems beyond EXPORT_PROBLEMS_MAX */
};

/* Makes rep an empty list. Cannot fail. */
void export_report_init(struct export_report *rep);

/* Frees the items and resets rep to empty. rep may be NULL. */
void export_report_free(struct export_report *rep);

/*
 * Builds the register document for `dossier` and validates it.
 *
 * dossier: the dossier as JSON (borrowed). derived: the derived facts as JSON (borrowed), the
 * object whose members are `ai_act`, `prescan`, ... (an object with a `derived` member is
 * accepted too); may be NULL, in which case the publication category is B or C only.
 * Publication category: A when derived.ai_act.high_risk is true, B when the dossier's
 * ai_act.impactful is true, else C.
 *
 * On success returns 0 and *out holds a new reference (caller decrefs); rep may hold warnings.
 * When the register would reject the document returns SLUIS_EINVAL, *out is NULL and rep
 * lists every problem found (not just the first). SLUIS_ENOMEM on allocation failure.
 * err gets a one-line summary in every failing case.
 */
int export_algoritmeregister_build(const json_t *dossier, const json_t *derived, json_t **out,
                                   struct export_report *rep, struct sluis_err *err);

/*
 * Validates a register document (as built above, or as received from elsewhere) against the
 * publication standard 1.0: types, required fields, lengths, enums, links, dates, rich-text
 * tags, unknown keys. Appends every problem to rep (problems get no dossier source).
 * Returns 0 when there is no error (warnings allowed), SLUIS_EINVAL otherwise,
 * SLUIS_ENOMEM when the report could not grow.
 */
int export_algoritmeregister_validate(const json_t *doc, struct export_report *rep);

/*
 * Length in characters (Unicode code points) of s after stripping HTML tags; an entity such as
 * `&amp;` counts as one character. A `<` without a closing `>` counts as text. n is the number
 * of bytes of s to read (s need not be NUL-terminated).
 */
size_t export_text_length(const char *s, size_t n);

/*
 * Checks that s uses only the rich-text tags the register allows (div, br, p, ul, ol, li),
 * without attributes. Returns 0 when fine; otherwise -1 and writes the offending tag
 * (truncated) into why (cap bytes, NUL-terminated).
 */
int export_rich_text_check(const char *s, size_t n, char *why, size_t cap);

/* 1 when s is an https:// URL with a non-empty host and no whitespace or control bytes. */
int export_https_url_ok(const char *s);

/* 1 when s is yyyy-mm with a month 01..12 and a year 1900..2999. */
int export_yyyymm_ok(const char *s);

/* 1 when s looks like an e-mail address (local@domain.tld, no spaces). */
int export_email_ok(const char *s);

/* Writes "field: limit (found: ...) [from source]" for p into buf. */
void export_problem_format(const struct export_problem *p, char *buf, size_t cap);

#endif
