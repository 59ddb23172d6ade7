/* cmd_policy.c - placeholder until this subcommand is built; refuses with exit 2. */
#include "cli/commands.h"

#include <stdio.h>

int cmd_policy(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sluis: 'policy' is nog niet beschikbaar / not available yet\n");
    return CLI_USAGE;
}
