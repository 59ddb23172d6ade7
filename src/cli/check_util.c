/* check_util.c - helpers shared by check, policy and export: labels, dates, policy lookup. */
#include "cli/check_common.h"

#include "core/derive.h"
#include "core/dossier.h"
#include "core/policy.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void check_results_free(struct check_result *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        verdict_free(&r[i].v);
}

int check_result_ok(const struct check_result *r)
{
    return !r->failed &&
           (r->v.kind == VERDICT_ALLOWED ||
            (r->v.kind == VERDICT_EXPLORATION_ONLY && !strcmp(r->v.environment, "exploration")));
}

const char *check_text_pick(const struct policy_text *t, const char *lang, const char *fallback)
{
    int en = lang && !strcmp(lang, "en");
    const char *first = en ? t->en : t->nl;
    const char *second = en ? t->nl : t->en;

    if (first && first[0])
        return first;
    if (second && second[0])
        return second;
    return fallback;
}

const char *check_verdict_label(enum verdict_kind k, const char *lang)
{
    int en = lang && !strcmp(lang, "en");

    switch (k) {
    case VERDICT_ALLOWED:
        return en ? "ALLOWED" : "TOEGESTAAN / allowed";
    case VERDICT_EXPLORATION_ONLY:
        return en ? "EXPLORATION ONLY" : "ALLEEN VERKENNING / exploration only";
    case VERDICT_NOT_ALLOWED:
        return en ? "NOT ALLOWED" : "NIET TOEGESTAAN / not allowed";
    case VERDICT_PROHIBITED:
        return en ? "PROHIBITED" : "VERBODEN / prohibited";
    }
    return "?";
}

const char *check_severity_label(enum severity s, const char *lang)
{
    int en = lang && !strcmp(lang, "en");

    switch (s) {
    case SEVERITY_ADVISE:
        return en ? "advice" : "advies / advice";
    case SEVERITY_WARN:
        return en ? "warning" : "waarschuwing / warning";
    case SEVERITY_BLOCK:
        return en ? "blocks" : "blokkerend / blocks";
    case SEVERITY_PROHIBIT:
        return en ? "prohibits" : "verbod / prohibits";
    }
    return "?";
}

void check_xml_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        switch (c) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            /* XML 1.0 forbids most control characters, even escaped */
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                fputc('?', out);
            else
                fputc(c, out);
        }
    }
}

static int file_readable(const char *path)
{
    return access(path, R_OK) == 0;
}

int check_policy_default(char *buf, size_t cap, struct sluis_err *err)
{
    const char *env = getenv("SLUIS_POLICY_DIR");
    char exe[PATH_MAX];
    ssize_t n;

    if (env && env[0]) {
        snprintf(buf, cap, "%s/%s", env, CHECK_DEFAULT_POLICY);
        if (file_readable(buf))
            return 0;
        return sluis_err_set(err, SLUIS_ENOTFOUND,
                             "beleid niet gevonden / policy not found: %s (SLUIS_POLICY_DIR)", buf);
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash;

        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, cap, "%s/../share/sluis/policy/%s", exe, CHECK_DEFAULT_POLICY);
            if (file_readable(buf))
                return 0;
        }
    }
    snprintf(buf, cap, "%s/policy/%s", SLUIS_SOURCE_DIR, CHECK_DEFAULT_POLICY);
    if (file_readable(buf))
        return 0;
    return sluis_err_set(err, SLUIS_ENOTFOUND,
                         "beleid niet gevonden / policy not found: %s; set SLUIS_POLICY_DIR or "
                         "pass --policy",
                         buf);
}

int check_date_parse(const char *arg, char out[11], struct sluis_err *err)
{
    if (!arg) {
        time_t now = time(NULL);
        struct tm tm;

        if (!gmtime_r(&now, &tm))
            return sluis_err_set(err, SLUIS_EINVAL, "cannot read the clock");
        strftime(out, 11, "%Y-%m-%d", &tm);
        return 0;
    }
    if (strlen(arg) != 10 || !derive_date_valid(arg))
        return sluis_err_set(err, SLUIS_EINVAL,
                             "ongeldige datum / invalid date '%.40s' (YYYY-MM-DD, a real day)",
                             arg);
    memcpy(out, arg, 11);
    return 0;
}

void check_err_print(const char *cmd, const struct sluis_err *err)
{
    char buf[1200];

    /* "file:line:col: ..." first on the line, as compilers do, so editors can jump to it */
    sluis_err_format(err, buf, sizeof(buf));
    if (err->file[0])
        fprintf(stderr, "%s\n", buf);
    else
        fprintf(stderr, "sluis %s: %s\n", cmd, buf);
}

int check_policy_open(const char *const *paths, size_t n, struct policy_set **ps,
                      struct sluis_err *err)
{
    char def[PATH_MAX + 64];
    const char *one[1];
    int rc;

    if (n)
        return policy_set_load(ps, paths, n, err);
    rc = check_policy_default(def, sizeof(def), err);
    if (rc)
        return rc;
    one[0] = def;
    return policy_set_load(ps, one, 1, err);
}

int check_result_run(struct check_result *r, const struct policy_set *ps, const char *eval_date)
{
    json_t *doc = NULL, *j;
    int rc;

    sluis_err_clear(&r->err);
    rc = dossier_load_file(r->file, &doc, &r->err);
    if (!rc) {
        j = json_object_get(doc, "id");
        snprintf(r->id, sizeof(r->id), "%s", json_is_string(j) ? json_string_value(j) : "");
        j = json_object_get(doc, "name");
        snprintf(r->name, sizeof(r->name), "%s", json_is_string(j) ? json_string_value(j) : "");
        rc = policy_evaluate(ps, doc, eval_date, &r->v, &r->err);
    }
    if (rc) {
        r->failed = 1;
        if (!r->err.file[0])
            snprintf(r->err.file, sizeof(r->err.file), "%s", r->file);
        if (!r->err.msg[0])
            sluis_err_set(&r->err, rc, "cannot check this dossier (error %d)", rc);
    }
    json_decref(doc);
    return rc;
}
