/* main.c: the eightmin command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "host.h"

static const char usage_text[] =
    "usage: eightmin COMMAND [ARGS]\n"
    "\n"
    "Checks and prepares outpatient therapy claims.\n"
    "\n"
    "commands:\n"
    "  units [--method cms|ama|--payer NAME] [--json] [--explain] CODE=MINUTES ...\n"
    "                  units per code under the CMS 8-minute rule, the AMA rule\n"
    "                  or a payer's own policy\n"
    "  check [--payer NAME|FILE] [--clinic FILE] [--format text|ndjson] [FILE|-]\n"
    "                  check visits (NDJSON) and print claim lines and findings\n"
    "  payers          list the payer scripts eightmin can find\n"
    "  run SCRIPT.lua [ARGS]\n"
    "                  run a trusted workflow script with the full API\n"
    "\n"
    "Run 'eightmin COMMAND --help' for a command's options.\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

/* units without --payer needs no Lua; with it, the payer script decides. */
static int run_units(int argc, char **argv)
{
    for (int i = 0; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--payer") || !strncmp(argv[i], "--payer=", 8))
            return host_run("units", argc, argv);
    return cli_units(argc, argv);
}

static int run_check(int argc, char **argv) { return host_run("check", argc, argv); }
static int run_payers(int argc, char **argv) { return host_run("payers", argc, argv); }
static int run_script(int argc, char **argv) { return host_run("run", argc, argv); }

static const command commands[] = {
    {"units", run_units},
    {"check", run_check},
    {"payers", run_payers},
    {"run", run_script},
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
