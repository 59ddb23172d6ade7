/* scan_cli_main.c - `sluis scan` on its own (links only cmd_scan.c and sluis_scan), so the
 * scan tests and the accuracy check do not depend on the other subsystems. */
#include "cli/commands.h"

int main(int argc, char **argv)
{
    return cmd_scan(argc, argv);
}
