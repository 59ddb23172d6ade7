/*
 * cmd_org.c - `sluis org create|list`: the instance operator's organisation management on the
 * database itself (no server needed): create an organisation with its first admin and print
 * that admin's API token once; list the organisations. The same step over HTTP is
 * POST /api/v1/organisations with the operator token (docs/api.md).
 */
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "store/register.h"
#include "store/store.h"

int cmd_org(int argc, char **argv);

static void org_usage(FILE *out)
{
    fprintf(out, "gebruik / usage:\n"
                 "  sluis org create --id ID --name NAME --layer LAYER --admin-id ID "
                 "--admin-name NAME [--admin-email E] [--db URL]\n"
                 "      maak een organisatie met haar eerste beheerder; drukt diens API-token af "
                 "(eenmalig) / create an organisation with its first admin; prints the admin's API "
                 "token (once)\n"
                 "  sluis org list [--db URL]\n"
                 "\n"
                 "  --db URL      SQLite-bestand of / SQLite file or postgresql://... "
                 "(standaard / default ./sluis.db)\n"
                 "  --layer       rijk | gemeente | provincie | waterschap | zbo | other\n"
                 "Exit: 0 ok, 2 fout / error.\n");
}

static int print_org(void *ud, const struct reg_org *o)
{
    (void)ud;
    if (strcmp(o->id, "system"))
        printf("%-24s %-12s %s\n", o->id, o->layer, o->name);
    return 0;
}

static int org_list(struct store *st)
{
    struct sluis_err err = {0};
    struct store_tx *tx;
    int rc = store_tx_begin(st, STORE_TX_READ, &tx, &err);
    if (!rc) {
        rc = reg_org_list(tx, print_org, NULL, &err);
        store_tx_rollback(tx);
    }
    if (rc) {
        fprintf(stderr, "sluis org list: %s\n", err.msg);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_org(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"id", required_argument, NULL, 'i'},
        {"name", required_argument, NULL, 'n'},
        {"layer", required_argument, NULL, 'l'},
        {"admin-id", required_argument, NULL, 'a'},
        {"admin-name", required_argument, NULL, 'A'},
        {"admin-email", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        org_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "create") && strcmp(sub, "list")) {
        fprintf(stderr, "sluis org: onbekend / unknown '%s'\n", sub);
        org_usage(stderr);
        return CLI_USAGE;
    }
    const char *db = "sluis.db", *id = NULL, *name = NULL, *layer = NULL, *admin_id = NULL,
               *admin_name = NULL, *admin_email = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'i':
            id = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'l':
            layer = optarg;
            break;
        case 'a':
            admin_id = optarg;
            break;
        case 'A':
            admin_name = optarg;
            break;
        case 'e':
            admin_email = optarg;
            break;
        case 'h':
            org_usage(stdout);
            return CLI_OK;
        default:
            org_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc - 1) {
        fprintf(stderr, "sluis org: onverwacht / unexpected '%s'\n", argv[optind + 1]);
        return CLI_USAGE;
    }
    if (!strcmp(sub, "create") && (!id || !name || !layer || !admin_id || !admin_name)) {
        fprintf(stderr, "sluis org create: --id, --name, --layer, --admin-id en/and --admin-name "
                        "zijn verplicht / are required\n");
        return CLI_USAGE;
    }
    struct stat sb;
    if (!strcmp(sub, "list") && strncmp(db, "postgresql://", 13) &&
        strncmp(db, "postgres://", 11) && stat(db, &sb)) {
        fprintf(stderr, "sluis org: database '%s' bestaat niet / does not exist\n", db);
        return CLI_USAGE;
    }
    struct store *st = NULL;
    struct sluis_err err = {0};
    if (store_open(db, &st, &err)) {
        fprintf(stderr, "sluis org: kan database niet openen / cannot open database: %s\n",
                err.msg);
        return CLI_USAGE;
    }
    int rc;
    if (!strcmp(sub, "list")) {
        rc = org_list(st);
    } else {
        char token[80];
        rc = api_org_create(st, id, name, layer, admin_id, admin_name, admin_email, "cli", token,
                            &err);
        if (rc) {
            fprintf(stderr, "sluis org create: %s%s%s\n", err.path[0] ? err.path : "",
                    err.path[0] ? ": " : "", err.msg);
            rc = CLI_USAGE;
        } else {
            printf("organisatie / organisation %s aangemaakt / created; beheerder / admin %s\n", id,
                   admin_id);
            printf("API-token (eenmalig getoond / shown once):\n%s\n", token);
            memset(token, 0, sizeof(token));
            rc = CLI_OK;
        }
    }
    store_close(st);
    return rc;
}
