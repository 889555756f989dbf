/* main.c: the eightmin command. `eightmin units` without --payer is pure C
 * (lua/cli_units.c); every other command is written in Lua
 * (lua/eightmin/cmd_*.lua) and runs in the host (lua/host.c). */
#include <string.h>

#include "cli.h"
#include "host.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "units")) {
        int payer = 0;
        for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
            payer |= !strcmp(argv[i], "--payer") || !strncmp(argv[i], "--payer=", 8);
        if (!payer)
            return cli_units(argc - 2, argv + 2);
    }
    return host_run(argc >= 2 ? argv[1] : "", argc > 2 ? argc - 2 : 0, argv + 2);
}
