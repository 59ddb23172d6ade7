/*
 * cmd_check.c - `sluis check DOSSIER...`: evaluates each dossier against the policy and prints
 * the verdicts as text, JSON or JUnit XML. Exit 0 when every dossier is allowed for the
 * environment it asks for, 1 when any is not, 2 on usage or input errors (the other files are
 * still checked and reported). Reference: docs/check.md.
 */
#include "cli/check_common.h"
#include "cli/commands.h"

#include "core/policy.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum check_format { FMT_TEXT, FMT_JSON, FMT_JUNIT };

static void usage(FILE *out)
{
    fputs("gebruik / usage: sluis check [options] DOSSIER...\n"
          "\n"
          "Toetst elk dossier aan het standpunt / checks each dossier against the position.\n"
          "\n"
          "  -f, --format FMT   text (default), json, junit\n"
          "  -d, --date DATE    peildatum / evaluate as of YYYY-MM-DD (default: today, UTC)\n"
          "  -p, --policy FILE  beleidsbestand / policy file (repeatable; default:\n"
          "                     standpunt-2025.yaml from $SLUIS_POLICY_DIR, the install dir or\n"
          "                     the source tree)\n"
          "  -l, --lang LANG    nl (default, with English alongside) or en\n"
          "  -v, --verbose      ook voldane regels / also list met and n.a. rules\n"
          "  -h, --help         deze tekst / this text\n"
          "\n"
          "Exit: 0 alles toegestaan / all allowed, 1 niet alles toegestaan / not all allowed,\n"
          "      2 gebruiks- of invoerfout / usage or input error.\n",
          out);
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"date", required_argument, NULL, 'd'},
        {"policy", required_argument, NULL, 'p'},
        {"lang", required_argument, NULL, 'l'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policies[POLICY_MAX_FILES];
    size_t n_policies = 0, n_files;
    const char *date_arg = NULL;
    int format = FMT_TEXT, c, rc = CLI_OK, wrc;
    struct check_output o = {.lang = "nl"};
    struct check_result *results = NULL;
    struct policy_set *ps = NULL;
    struct sluis_err err;
    char date[11];

    optind = 1;
    while ((c = getopt_long(argc, argv, "f:d:p:l:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "text"))
                format = FMT_TEXT;
            else if (!strcmp(optarg, "json"))
                format = FMT_JSON;
            else if (!strcmp(optarg, "junit"))
                format = FMT_JUNIT;
            else {
                fprintf(stderr,
                        "sluis check: onbekend formaat / unknown format '%s' "
                        "(text, json, junit)\n",
                        optarg);
                return CLI_USAGE;
            }
            break;
        case 'd':
            date_arg = optarg;
            break;
        case 'p':
            if (n_policies == POLICY_MAX_FILES) {
                fprintf(stderr,
                        "sluis check: te veel beleidsbestanden / too many policy files "
                        "(max %d)\n",
                        POLICY_MAX_FILES);
                return CLI_USAGE;
            }
            policies[n_policies++] = optarg;
            break;
        case 'l':
            if (strcmp(optarg, "nl") && strcmp(optarg, "en")) {
                fprintf(stderr, "sluis check: taal / language must be nl or en\n");
                return CLI_USAGE;
            }
            o.lang = optarg;
            break;
        case 'v':
            o.verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "sluis check: geen dossier opgegeven / no dossier given\n");
        usage(stderr);
        return CLI_USAGE;
    }
    sluis_err_clear(&err);
    if (check_date_parse(date_arg, date, &err)) {
        check_err_print("check", &err);
        return CLI_USAGE;
    }
    if (check_policy_open(policies, n_policies, &ps, &err)) {
        check_err_print("check", &err);
        return CLI_USAGE;
    }
    n_files = (size_t)(argc - optind);
    results = calloc(n_files, sizeof(*results));
    if (!results) {
        fprintf(stderr, "sluis check: onvoldoende geheugen / out of memory\n");
        rc = CLI_USAGE;
        goto out;
    }
    for (size_t i = 0; i < n_files; i++) {
        results[i].file = argv[optind + (int)i];
        if (check_result_run(&results[i], ps, date)) {
            check_err_print("check", &results[i].err);
            rc = CLI_USAGE;
        } else if (!check_result_ok(&results[i]) && rc == CLI_OK) {
            rc = CLI_NO;
        }
    }
    o.policy_version = policy_set_version(ps);
    o.eval_date = date;
    /* no-color.org: NO_COLOR present and not empty switches colour off */
    o.colour = format == FMT_TEXT && isatty(STDOUT_FILENO) &&
               !(getenv("NO_COLOR") && getenv("NO_COLOR")[0]);
    if (format == FMT_JSON)
        wrc = check_json_write(stdout, results, n_files, &o);
    else if (format == FMT_JUNIT)
        wrc = check_junit_write(stdout, results, n_files, &o);
    else
        wrc = check_text_write(stdout, results, n_files, &o);
    if (wrc) {
        fprintf(stderr, "sluis check: uitvoer mislukt / writing the output failed\n");
        rc = CLI_USAGE;
    }
out:
    check_results_free(results, n_files);
    free(results);
    policy_set_free(ps);
    return rc;
}
