/* cmd_export.c - placeholder until this subcommand is built; refuses with exit 2. */
#include "cli/commands.h"

#include <stdio.h>

int cmd_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sluis: 'export' is nog niet beschikbaar / not available yet\n");
    return CLI_USAGE;
}
