/* readline.h: eightmin.readline, a small binding of libedit's
 * readline-compatible API for `eightmin repl` (lua/eightmin/repl.lua). */
#ifndef EML_READLINE_H
#define EML_READLINE_H

#include <lua.h>

/* Opens the module: readline(prompt), add_history(line),
 * read_history(file), write_history(file), set_completer(fn), isatty([fd]),
 * interruptible(on). */
int luaopen_eightmin_readline(lua_State *L);

#endif
