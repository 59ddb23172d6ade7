/*
 * commands.h - the subcommands of `sluis`. Each lives in its own cmd_<name>.c and
 * follows one exit-code convention: 0 ok / allowed / clean, 1 the answer is "no"
 * (not allowed, sensitive data found, chain broken), 2 usage or input error.
 */
#ifndef SLUIS_CLI_COMMANDS_H
#define SLUIS_CLI_COMMANDS_H

enum { CLI_OK = 0, CLI_NO = 1, CLI_USAGE = 2 };

int cmd_check(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_gateway(int argc, char **argv);
int cmd_mock_upstream(int argc, char **argv);
int cmd_org(int argc, char **argv);

#endif
