/* fuzz-libs: sluis_core */
/*
 * fuzz_policy.c - the policy loader (YAML -> rules, roles, instruments, compiled conditions)
 * and the condition compiler over arbitrary bytes; a policy that loads is evaluated against a
 * small dossier so the evaluator runs too. Seeds: tests/fuzz/corpus/policy/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cond.h"
#include "core/policy.h"
#include "core/verdict.h"

static const char dossier_text[] =
    "{\"sluis_dossier\":1,\"id\":\"f\",\"name\":\"f\","
    "\"organisation\":{\"name\":\"o\",\"layer\":\"rijk\"},"
    "\"owner\":{\"name\":\"a\",\"function\":\"b\",\"email\":\"c@example.nl\"},"
    "\"use\":{\"kind\":\"procure\",\"environment\":\"production\",\"citizen_facing\":true,"
    "\"users\":[\"citizens\"]},"
    "\"models\":[{\"name\":\"m\",\"provider\":\"p\",\"terms\":\"business\"}],"
    "\"agreements\":[{\"provider\":\"p\",\"retraining\":\"opt_out\",\"valid_until\":\"2027-01-01\"}"
    "],"
    "\"data\":{\"personal_data\":true},\"review_date\":\"2026-06-01\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policy_set *ps = NULL;
    struct sluis_err err;
    struct cond *c = NULL;
    struct cond_error ce;

    if (cond_compile((const char *)data, size, 0, &c, &ce) == 0) {
        json_t *d = json_loads(dossier_text, 0, NULL);
        struct cond_env env = {.dossier = d, .env = "pilot", .today = "2026-02-01"};
        (void)cond_eval(c, &env);
        json_decref(d);
        cond_free(c);
    }
    if (policy_set_load_buffer(&ps, (const char *)data, size, "fuzz", &err) == 0) {
        json_t *d = json_loads(dossier_text, 0, NULL);
        struct verdict v;
        memset(&v, 0, sizeof v);
        if (d && policy_evaluate(ps, d, "2026-02-01", &v, &err) == 0) {
            json_t *j = verdict_to_json(&v, "en");
            json_decref(j);
            verdict_free(&v);
        }
        json_decref(d);
        policy_set_free(ps);
    }
    (void)policy_lint_buffer((const char *)data, size, "fuzz", NULL, NULL);
    return 0;
}
