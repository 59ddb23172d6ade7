/*
 * cmd_audit.c - `sluis audit verify|export|checkpoint`: recompute the hash chain of the
 * audit trail and name the first broken link; write the trail as JSON lines; sign the
 * current head with an Ed25519 key.
 */
#include "cli/commands.h"

#include "store/auditlog.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void audit_usage(FILE *out)
{
    fprintf(out,
            "gebruik / usage:\n"
            "  sluis audit verify [--db URL] [--pubkey PEM]   controleer de hashketen en "
            "checkpoints / verify the hash chain and checkpoints\n"
            "  sluis audit export [--db URL] [--out FILE]     JSON lines (standaard stdout / "
            "default stdout)\n"
            "  sluis audit checkpoint --key PEM [--db URL]    onderteken de huidige kop / sign "
            "the current head (Ed25519)\n"
            "\n"
            "  --db URL   SQLite-bestand of / SQLite file or postgresql://... "
            "(standaard / default ./sluis.db)\n"
            "  --key PEM  Ed25519-privesleutel / private key (openssl genpkey -algorithm "
            "ed25519)\n"
            "  --pubkey PEM  publieke sleutel / public key (openssl pkey -pubout)\n"
            "Exit: 0 keten intact / chain intact, 1 keten gebroken / chain broken, 2 fout / "
            "error.\n");
}

/* Opens db without creating a SQLite file that is not there. */
static int open_db(const char *db, struct store **st)
{
    struct sluis_err err = {0};
    struct stat sb;

    if (strncmp(db, "postgresql://", 13) != 0 && strncmp(db, "postgres://", 11) != 0 &&
        stat(db, &sb) != 0) {
        fprintf(stderr, "sluis audit: database '%s' bestaat niet / does not exist\n", db);
        return -1;
    }
    if (store_open(db, st, &err)) {
        fprintf(stderr, "sluis audit: kan database niet openen / cannot open database: %s\n",
                err.msg);
        return -1;
    }
    return 0;
}

static int audit_checkpoint_run(const char *db, const char *key)
{
    struct store *st = NULL;
    struct audit_checkpoint cp;
    struct sluis_err err = {0};
    int rc;

    if (!key) {
        fprintf(stderr, "sluis audit checkpoint: --key is verplicht / is required\n");
        return CLI_USAGE;
    }
    if (open_db(db, &st))
        return CLI_USAGE;
    rc = store_audit_checkpoint(st, key, &cp, &err);
    store_close(st);
    if (rc) {
        fprintf(stderr, "sluis audit checkpoint: %s\n", err.msg);
        return CLI_USAGE;
    }
    /* One JSON line: keep a copy outside the database. */
    printf("{\"seq\":%lld,\"head\":\"%s\",\"ts\":\"%s\",\"key_id\":\"%s\",\"sig\":\"%s\"}\n",
           cp.seq, cp.head, cp.ts, cp.key_id, cp.sig);
    return CLI_OK;
}

static int audit_verify_run(const char *db, const char *pubkey)
{
    struct store *st = NULL;
    struct audit_chain rep;
    struct sluis_err err = {0};
    int rc;

    if (open_db(db, &st))
        return CLI_USAGE;
    rc = store_audit_verify_ex(st, pubkey, &rep, &err);
    store_close(st);
    if (rc) {
        fprintf(stderr, "sluis audit verify: %s\n", err.msg);
        return CLI_USAGE;
    }
    if (!rep.ok) {
        printf("audittrail GEBROKEN bij entry %lld / audit trail BROKEN at entry %lld: %s\n",
               rep.first_bad_seq, rep.first_bad_seq, rep.reason);
        printf("(%lld entries gelezen / entries read)\n", rep.entries);
        return CLI_NO;
    }
    printf("audittrail intact / audit trail intact: %lld entries, head %s\n", rep.entries,
           rep.head);
    printf("checkpoints: %lld kloppen / match, %lld handtekeningen geldig / signatures valid%s\n",
           rep.checkpoints, rep.signatures, pubkey ? "" : " (geen --pubkey / no --pubkey)");
    return CLI_OK;
}

static int audit_export_run(const char *db, const char *out_path)
{
    struct store *st = NULL;
    struct sluis_err err = {0};
    long long n = 0;
    FILE *out = stdout;
    int rc;

    if (open_db(db, &st))
        return CLI_USAGE;
    if (out_path && strcmp(out_path, "-") != 0) {
        out = fopen(out_path, "w");
        if (!out) {
            fprintf(stderr, "sluis audit export: kan niet schrijven / cannot write '%s'\n",
                    out_path);
            store_close(st);
            return CLI_USAGE;
        }
    }
    rc = store_audit_export(st, out, &n, &err);
    store_close(st);
    if (out != stdout && fclose(out) != 0 && !rc)
        rc = sluis_err_set(&err, SLUIS_EIO, "cannot write '%s'", out_path);
    if (rc) {
        fprintf(stderr, "sluis audit export: %s\n", err.msg);
        return CLI_USAGE;
    }
    fprintf(stderr, "%lld entries geexporteerd / exported\n", n);
    return CLI_OK;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},  {"out", required_argument, NULL, 'o'},
        {"key", required_argument, NULL, 'k'}, {"pubkey", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
    };
    const char *db = "sluis.db";
    const char *out = NULL;
    const char *key = NULL;
    const char *pubkey = NULL;
    const char *sub;
    int c;

    if (argc < 2) {
        audit_usage(stderr);
        return CLI_USAGE;
    }
    sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        audit_usage(stdout);
        return CLI_OK;
    }
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "d:o:k:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'p':
            pubkey = optarg;
            break;
        case 'h':
            audit_usage(stdout);
            return CLI_OK;
        default:
            audit_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc - 1) {
        fprintf(stderr, "sluis audit: onverwacht argument / unexpected argument '%s'\n",
                argv[optind + 1]);
        return CLI_USAGE;
    }
    if (!strcmp(sub, "verify")) {
        if (out) {
            fprintf(stderr, "sluis audit verify: --out hoort bij export / belongs to export\n");
            return CLI_USAGE;
        }
        return audit_verify_run(db, pubkey);
    }
    if (!strcmp(sub, "export"))
        return audit_export_run(db, out);
    if (!strcmp(sub, "checkpoint"))
        return audit_checkpoint_run(db, key);
    fprintf(stderr, "sluis audit: onbekend subcommando / unknown subcommand '%s'\n", sub);
    audit_usage(stderr);
    return CLI_USAGE;
}
