/* cmd_scan.c - placeholder until this subcommand is built; refuses with exit 2. */
#include "cli/commands.h"

#include <stdio.h>

int cmd_scan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sluis: 'scan' is nog niet beschikbaar / not available yet\n");
    return CLI_USAGE;
}
