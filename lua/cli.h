/* cli.h: the eightmin subcommands. Each takes the arguments after its
 * name and returns the process exit code (0 ok, 1 findings/failures,
 * 2 usage or unreadable input). */
#ifndef EM_CLI_H
#define EM_CLI_H

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2

int cli_units(int argc, char **argv);

#endif
