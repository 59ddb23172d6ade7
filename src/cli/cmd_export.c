/*
 * cmd_export.c - `sluis export algoritmeregister DOSSIER [--out FILE]`: writes the dossier as
 * Algoritmeregister publication standard 1.0 JSON, or refuses with every reason the register
 * would reject it (exit 1, nothing written). Exit 2 on usage or input errors.
 * Reference: docs/export.md.
 */
#include "cli/check_common.h"
#include "cli/commands.h"

#include "core/derive.h"
#include "core/dossier.h"
#include "core/export_algoritmeregister.h"
#include "core/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fputs("gebruik / usage: sluis export algoritmeregister [options] DOSSIER\n"
          "\n"
          "Schrijft de publicatie voor het Algoritmeregister (publicatiestandaard 1.0) /\n"
          "writes the Algoritmeregister publication (standard 1.0) as JSON.\n"
          "\n"
          "  -o, --out FILE     naar bestand / to FILE (default: stdout); written atomically\n"
          "  -d, --date DATE    peildatum voor afgeleide feiten / date for derived facts\n"
          "  -p, --policy FILE  beleidsbestand (drempels AI-verordening) / policy file(s)\n"
          "  -h, --help         deze tekst / this text\n"
          "\n"
          "Exit: 0 geschreven / written, 1 het register zou weigeren / the register would\n"
          "      refuse (every reason listed), 2 gebruiks- of invoerfout / usage or input error.\n",
          out);
}

/* Writes doc to path via a temporary file in the same directory and rename(). */
static int write_atomic(const char *path, const json_t *doc, struct sluis_err *err)
{
    char tmp[PATH_MAX];
    FILE *f = NULL;
    int fd, rc = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
        return sluis_err_set(err, SLUIS_EINVAL, "output path too long");
    fd = mkstemp(tmp);
    if (fd < 0)
        return sluis_err_set(err, SLUIS_EIO, "cannot create %s: %s", tmp, strerror(errno));
    fchmod(fd, 0644);
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        rc = sluis_err_set(err, SLUIS_EIO, "cannot open %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', f) == EOF ||
        fflush(f) || fsync(fileno(f))) {
        rc = sluis_err_set(err, SLUIS_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (fclose(f)) {
        f = NULL;
        rc = sluis_err_set(err, SLUIS_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    f = NULL;
    if (rename(tmp, path))
        rc = sluis_err_set(err, SLUIS_EIO, "cannot rename to %s: %s", path, strerror(errno));
out:
    if (f)
        fclose(f);
    if (rc)
        unlink(tmp);
    return rc;
}

static int export_register(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"date", required_argument, NULL, 'd'},
        {"policy", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policies[POLICY_MAX_FILES];
    size_t n_policies = 0;
    const char *out_path = NULL, *date_arg = NULL;
    struct policy_set *ps = NULL;
    json_t *dossier = NULL, *derived = NULL, *doc = NULL;
    struct export_report rep;
    struct sluis_err err;
    char date[11];
    int c, rc = CLI_OK;

    export_report_init(&rep);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:d:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_path = optarg;
            break;
        case 'd':
            date_arg = optarg;
            break;
        case 'p':
            if (n_policies == POLICY_MAX_FILES) {
                fprintf(stderr, "sluis export: te veel beleidsbestanden / too many policy files\n");
                return CLI_USAGE;
            }
            policies[n_policies++] = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "sluis export algoritmeregister: precies een dossier / exactly one "
                        "dossier expected\n");
        usage(stderr);
        return CLI_USAGE;
    }
    sluis_err_clear(&err);
    if (check_date_parse(date_arg, date, &err) ||
        check_policy_open(policies, n_policies, &ps, &err) ||
        dossier_load_file(argv[optind], &dossier, &err) ||
        derive_facts(dossier, policy_set_derive_params(ps), date, &derived, &err)) {
        check_err_print("export", &err);
        rc = CLI_USAGE;
        goto out;
    }
    if (export_algoritmeregister_build(dossier, derived, &doc, &rep, &err)) {
        if (err.code != SLUIS_EINVAL) {
            check_err_print("export", &err);
            rc = CLI_USAGE;
            goto out;
        }
        fprintf(stderr, "%s: %s\n", argv[optind], err.msg);
        rc = CLI_NO;
    }
    for (size_t i = 0; i < rep.n; i++) {
        char buf[800];

        export_problem_format(&rep.items[i], buf, sizeof(buf));
        fprintf(stderr, "%s: %s\n", argv[optind], buf);
    }
    if (rep.dropped)
        fprintf(stderr, "%s: ... %zu more / meer\n", argv[optind], rep.dropped);
    if (rc != CLI_OK)
        goto out;
    if (out_path) {
        if (write_atomic(out_path, doc, &err)) {
            check_err_print("export", &err);
            rc = CLI_USAGE;
        }
    } else if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ||
               fputc('\n', stdout) == EOF || fflush(stdout)) {
        fprintf(stderr, "sluis export: uitvoer mislukt / writing the output failed\n");
        rc = CLI_USAGE;
    }
out:
    export_report_free(&rep);
    json_decref(doc);
    json_decref(derived);
    json_decref(dossier);
    policy_set_free(ps);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "algoritmeregister"))
        return export_register(argc - 1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return CLI_OK;
    }
    fprintf(stderr, "sluis export: onbekend doel / unknown target '%s' (algoritmeregister)\n",
            argv[1]);
    return CLI_USAGE;
}
