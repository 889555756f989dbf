/* host.h: the Lua host behind the commands written in Lua. */
#ifndef EM_HOST_H
#define EM_HOST_H

/* Runs `eightmin COMMAND ARGS...` through lua/eightmin/cli.lua in a fresh
 * capped state; returns the exit code (2 when the host itself fails). */
int host_run(const char *command, int argc, char **argv);

#endif
