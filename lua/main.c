/* main.c: the eightmin command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: eightmin COMMAND [ARGS]\n"
    "\n"
    "Checks and prepares outpatient therapy claims.\n"
    "\n"
    "commands:\n"
    "  units [--method cms|ama] [--json] CODE=MINUTES ...\n"
    "                  units per code under the CMS 8-minute rule or the AMA rule\n"
    "\n"
    "Run 'eightmin COMMAND --help' for a command's options.\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"units", cli_units},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "eightmin: unknown command '%s'\n\n%s", argv[1], usage_text);
    return EXIT_USAGE;
}
