/*
 * cmd_policy.c - `sluis policy lint FILE...` and `sluis policy diff OLD NEW DOSSIER...`.
 *
 * lint reports every error of each policy file with file:line:column (exit 0 clean, 2 errors).
 * diff evaluates each dossier under two policy versions and lists those whose verdict or set
 * of (rule id, status, severity) changes (exit 0 no change, 1 changes, 2 errors).
 * Reference: docs/check.md.
 */
#include "cli/check_common.h"
#include "cli/commands.h"

#include "core/policy.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs("gebruik / usage:\n"
          "  sluis policy lint FILE...\n"
          "      alle fouten met regel:kolom / every error with file:line:column\n"
          "      exit 0 schoon / clean, 2 fouten / errors\n"
          "  sluis policy diff [--date YYYY-MM-DD] [--lang nl|en] OLD NEW DOSSIER...\n"
          "      dossiers waarvan oordeel of bevindingen veranderen / dossiers whose verdict or\n"
          "      findings change between two policy versions\n"
          "      exit 0 geen verschil / no change, 1 verschil / changes, 2 fouten / errors\n",
          out);
}

/* ------------------------------------------------------------------ lint */

struct lint_state {
    size_t errors;
};

static void lint_cb(const struct sluis_err *e, void *ud)
{
    struct lint_state *st = ud;
    char buf[1200];

    sluis_err_format(e, buf, sizeof(buf));
    printf("%s\n", buf);
    st->errors++;
}

static int policy_lint(int argc, char **argv)
{
    int rc = CLI_OK;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (int i = 1; i < argc; i++) {
        struct lint_state st = {0};
        int n = policy_lint_file(argv[i], lint_cb, &st);

        if (n < 0 && st.errors == 0)
            printf("%s: kan niet lezen / cannot read (error %d)\n", argv[i], n);
        if (n != 0) {
            rc = CLI_USAGE;
            fprintf(stderr, "%s: %d %s\n", argv[i], n < 0 ? 1 : n,
                    n == 1 || n < 0 ? "fout / error" : "fouten / errors");
        } else {
            fprintf(stderr, "%s: ok\n", argv[i]);
        }
    }
    return rc;
}

/* ------------------------------------------------------------------ diff */

static const struct finding *find_rule(const struct verdict *v, const char *rule_id)
{
    for (size_t i = 0; i < v->n_findings; i++)
        if (!strcmp(v->findings[i].rule_id, rule_id))
            return &v->findings[i];
    return NULL;
}

/* Same status, and for an unmet rule the same severity (a met rule's severity has no effect). */
static int finding_same(const struct finding *a, const struct finding *b)
{
    return a && b && a->status == b->status &&
           (a->status != FINDING_UNMET || a->severity == b->severity);
}

static void print_finding_state(const struct finding *f)
{
    if (!f)
        printf("(geen regel / no rule)");
    else if (f->status == FINDING_UNMET)
        printf("%s/%s", verdict_status_name(f->status), verdict_severity_name(f->severity));
    else
        printf("%s", verdict_status_name(f->status));
}

/* Prints the change for one dossier; returns 1 when something changed. */
static int diff_one(const struct check_result *a, const struct check_result *b, const char *lang)
{
    const struct verdict *va = &a->v, *vb = &b->v;
    int changed = va->kind != vb->kind;

    for (size_t i = 0; i < va->n_findings && !changed; i++)
        changed = !finding_same(&va->findings[i], find_rule(vb, va->findings[i].rule_id));
    for (size_t i = 0; i < vb->n_findings && !changed; i++)
        changed = !find_rule(va, vb->findings[i].rule_id);
    if (!changed)
        return 0;
    printf("%s  [%s]  %s\n", a->file, a->id, a->name);
    printf("  %s: %s -> %s\n", strcmp(lang, "en") ? "oordeel / verdict" : "verdict",
           check_verdict_label(va->kind, lang), check_verdict_label(vb->kind, lang));
    for (size_t i = 0; i < va->n_findings; i++) {
        const struct finding *fa = &va->findings[i];
        const struct finding *fb = find_rule(vb, fa->rule_id);

        if (finding_same(fa, fb))
            continue;
        printf("  %c %-10s ", fb ? '~' : '-', fa->rule_id);
        print_finding_state(fa);
        printf(" -> ");
        print_finding_state(fb);
        printf("\n");
    }
    for (size_t i = 0; i < vb->n_findings; i++) {
        const struct finding *fb = &vb->findings[i];

        if (find_rule(va, fb->rule_id))
            continue;
        printf("  + %-10s ", fb->rule_id);
        print_finding_state(NULL);
        printf(" -> ");
        print_finding_state(fb);
        printf("\n");
    }
    printf("\n");
    return 1;
}

static int policy_diff(int argc, char **argv)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'},
        {"lang", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *date_arg = NULL, *lang = "nl";
    struct policy_set *ps_old = NULL, *ps_new = NULL;
    struct check_result *ra = NULL, *rb = NULL;
    struct sluis_err err;
    char date[11];
    size_t n = 0, changed = 0;
    int c, rc = CLI_OK;

    optind = 1;
    while ((c = getopt_long(argc, argv, "d:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            date_arg = optarg;
            break;
        case 'l':
            if (strcmp(optarg, "nl") && strcmp(optarg, "en")) {
                fprintf(stderr, "sluis policy diff: taal / language must be nl or en\n");
                return CLI_USAGE;
            }
            lang = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (argc - optind < 3) {
        fprintf(stderr, "sluis policy diff: OLD NEW DOSSIER... verwacht / expected\n");
        usage(stderr);
        return CLI_USAGE;
    }
    sluis_err_clear(&err);
    if (check_date_parse(date_arg, date, &err)) {
        check_err_print("policy diff", &err);
        return CLI_USAGE;
    }
    if (policy_set_load(&ps_old, (const char *const *)&argv[optind], 1, &err) ||
        policy_set_load(&ps_new, (const char *const *)&argv[optind + 1], 1, &err)) {
        check_err_print("policy diff", &err);
        rc = CLI_USAGE;
        goto out;
    }
    n = (size_t)(argc - optind - 2);
    ra = calloc(n, sizeof(*ra));
    rb = calloc(n, sizeof(*rb));
    if (!ra || !rb) {
        fprintf(stderr, "sluis policy diff: onvoldoende geheugen / out of memory\n");
        rc = CLI_USAGE;
        goto out;
    }
    printf("%s -> %s (peildatum / as of %s)\n\n", policy_set_version(ps_old),
           policy_set_version(ps_new), date);
    for (size_t i = 0; i < n; i++) {
        ra[i].file = rb[i].file = argv[optind + 2 + (int)i];
        if (check_result_run(&ra[i], ps_old, date) || check_result_run(&rb[i], ps_new, date)) {
            check_err_print("policy diff", ra[i].failed ? &ra[i].err : &rb[i].err);
            rc = CLI_USAGE;
            continue;
        }
        changed += (size_t)diff_one(&ra[i], &rb[i], lang);
    }
    printf("%zu van / of %zu dossier(s) veranderd / changed\n", changed, n);
    if (rc == CLI_OK && changed)
        rc = CLI_NO;
out:
    check_results_free(ra, n);
    check_results_free(rb, n);
    free(ra);
    free(rb);
    policy_set_free(ps_old);
    policy_set_free(ps_new);
    return rc;
}

int cmd_policy(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "lint"))
        return policy_lint(argc - 1, argv + 1);
    if (!strcmp(argv[1], "diff"))
        return policy_diff(argc - 1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return CLI_OK;
    }
    fprintf(stderr, "sluis policy: onbekend subcommando / unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
