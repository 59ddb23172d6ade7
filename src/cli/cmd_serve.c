/* cmd_serve.c - placeholder until this subcommand is built; refuses with exit 2. */
#include "cli/commands.h"

#include <stdio.h>

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "sluis: 'serve' is nog niet beschikbaar / not available yet\n");
    return CLI_USAGE;
}
