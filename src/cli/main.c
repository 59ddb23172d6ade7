/* main.c - `sluis <command>`: dispatches to one cmd_*.c per subcommand, nothing else. */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"check", cmd_check, "toets dossiers aan het standpunt / check dossiers against the position"},
    {"policy", cmd_policy, "lint en diff van beleidsbestanden / lint and diff policy files"},
    {"export", cmd_export, "exporteer naar het Algoritmeregister / export to the Algoritmeregister"},
    {"scan", cmd_scan, "zoek gevoelige gegevens / scan text for sensitive data"},
    {"serve", cmd_serve, "start het register (API, web, gateway) / run the register"},
    {"demo", cmd_demo, "vul een database met een voorbeeldgemeente / seed demo data"},
    {"audit", cmd_audit, "controleer of exporteer de audittrail / verify or export the audit trail"},
    {"org", cmd_org, "beheer organisaties (operator) / manage organisations (operator)"},
    {"gateway", cmd_gateway, "alleen de OpenAI-compatibele gateway / gateway-only node"},
    {"mock-upstream", cmd_mock_upstream, "MOCK OpenAI-compatibele upstream voor tests en demo"},
};

static void usage(FILE *out)
{
    fprintf(out, "gebruik / usage: sluis <command> [options]\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`sluis <command> --help` voor details / for details.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("sluis %s\n", SLUIS_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sluis: onbekend commando / unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
