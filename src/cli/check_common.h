/*
 * check_common.h - what `sluis check`, `sluis policy diff` and `sluis export` share: the result
 * of checking one dossier file, the output formatters (text, json, junit), and the option
 * helpers (policy file lookup, evaluation date).
 */
#ifndef SLUIS_CLI_CHECK_COMMON_H
#define SLUIS_CLI_CHECK_COMMON_H

#include "core/err.h"
#include "core/verdict.h"

#include <stdio.h>

/* The shipped policy, relative to a policy directory. */
#define CHECK_DEFAULT_POLICY "standpunt-2025.yaml"

/* The outcome of checking one dossier file. */
struct check_result {
    const char *file; /* borrowed from argv */
    int failed;       /* 1 when the file could not be loaded or evaluated; see err */
    struct sluis_err err;
    char id[80];      /* dossier id, "" when unknown */
    char name[256];   /* dossier name, "" when unknown */
    struct verdict v; /* valid when !failed; verdict_free() it */
};

/* Options that shape the output. */
struct check_output {
    const char *lang; /* "nl" (default) or "en" */
    int verbose;      /* list met and not-applicable findings too */
    int colour;       /* ANSI colours (terminal and NO_COLOR unset) */
    const char *policy_version;
    const char *eval_date;
};

/* Releases what the results own (verdicts); the array itself belongs to the caller. */
void check_results_free(struct check_result *r, size_t n);

/* 1 when the verdict lets the dossier go ahead in the environment it asks for. */
int check_result_ok(const struct check_result *r);

/*
 * Writes results as text for people to out (Dutch first with English alongside, or English
 * with lang "en"). Returns 0, or SLUIS_EIO when writing failed.
 */
int check_text_write(FILE *out, const struct check_result *r, size_t n,
                     const struct check_output *o);

/*
 * Writes one JSON document {"sluis_check": 1, "policy_version", "eval_date", "results": [...]}
 * (schema: docs/check.md). Returns 0, SLUIS_ENOMEM or SLUIS_EIO.
 */
int check_json_write(FILE *out, const struct check_result *r, size_t n,
                     const struct check_output *o);

/*
 * Writes JUnit XML: one <testsuite> per dossier, one <testcase> per rule (mapping:
 * docs/check.md). Returns 0 or SLUIS_EIO.
 */
int check_junit_write(FILE *out, const struct check_result *r, size_t n,
                      const struct check_output *o);

/* Writes s to out XML-escaped (&, <, >, ", ' and control bytes other than tab/newline). */
void check_xml_escape(FILE *out, const char *s);

/*
 * Picks the text of t in lang, falling back to the other language, then to fallback.
 * Borrowed.
 */
const char *check_text_pick(const struct policy_text *t, const char *lang, const char *fallback);

/* Dutch / English label of a verdict ("NIET TOEGESTAAN / not allowed"); lang "en": English. */
const char *check_verdict_label(enum verdict_kind k, const char *lang);

/* Dutch / English label of a severity. */
const char *check_severity_label(enum severity s, const char *lang);

/*
 * Finds the default policy file: $SLUIS_POLICY_DIR/standpunt-2025.yaml, else
 * <exe dir>/../share/sluis/policy/..., else SLUIS_SOURCE_DIR/policy/.... Writes the path into
 * buf. Returns 0, or SLUIS_ENOTFOUND with err naming the places searched.
 */
int check_policy_default(char *buf, size_t cap, struct sluis_err *err);

/*
 * Validates a --date argument (YYYY-MM-DD, a real calendar day) into out, or, when arg is
 * NULL, writes today's date (UTC). Returns 0 or SLUIS_EINVAL.
 */
int check_date_parse(const char *arg, char out[11], struct sluis_err *err);

/*
 * Loads the policy set from paths[0..n-1], or the default policy (check_policy_default) when
 * n is 0. On success *ps is a new set (policy_set_free()). Errors as policy_set_load().
 */
int check_policy_open(const char *const *paths, size_t n, struct policy_set **ps,
                      struct sluis_err *err);

/*
 * Loads, validates and evaluates one dossier file into r (which the caller zeroed; r->file
 * set). On failure r->failed is 1 and r->err says why (file:line:col). Returns 0 or the error
 * code.
 */
int check_result_run(struct check_result *r, const struct policy_set *ps, const char *eval_date);

/* Prints "sluis <cmd>: file:line:col: path: msg" for err on stderr. */
void check_err_print(const char *cmd, const struct sluis_err *err);

#endif
