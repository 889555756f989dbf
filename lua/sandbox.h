/* sandbox.h: the host state and the sandbox for untrusted payer and clinic
 * scripts: a memory cap in the allocator, one allow-listed environment per
 * script, and an instruction budget per call. Stack effects use the Lua
 * manual's notation [-o, +p, x].
 *
 * What a script sees (emL_sandbox_env): assert error ipairs next pairs pcall
 * xpcall rawequal rawlen rawget select tonumber tostring type getmetatable
 * setmetatable load _G _VERSION, and fresh copies of string (no dump), table,
 * math, utf8 and an os of time, date, clock. Reading or writing an unknown
 * global raises. setmetatable refuses a __gc field (finalizers would run
 * later, outside any budget); load takes text only; xpcall's handler is not
 * run for the budget kill. No coroutine library: the budget hook is
 * per-thread.
 *
 * What the host must know:
 * - Values a script returns are untrusted: touching them (indexing, tostring,
 *   comparing, calling) can run script code through metamethods. Do that only
 *   inside emL_pcall_budget / sandbox.run, or use rawget/rawequal/lua_type.
 * - Reading a missing key of an env raises ("undefined global"): use rawget.
 * - The budget is in VM instructions. Library C functions are charged too:
 *   string and utf8 functions, tonumber, rawequal, load and os.date by their
 *   string arguments (1 per 64 bytes), table.insert/remove/move/concat/
 *   unpack/sort by the elements they touch, and every byte allocated costs
 *   1/64 instruction. find, match, gmatch and gsub are lua/pattern.c's,
 *   which charge 1 instruction per 4 matching steps, so backtracking
 *   patterns run out of budget. Not bounded: == on long strings.
 * - The shared string metatable is locked once per state: getmetatable("")
 *   is false and string methods ("x"):upper() use a charged copy of the string
 *   library without dump, so the host's own changes to _G.string do not show
 *   up as methods.
 * - lua_getextraspace is left to the host; the sandbox keeps its context in
 *   the allocator's ud (do not call lua_setallocf). lua_close frees it. */
#ifndef EML_SANDBOX_H
#define EML_SANDBOX_H

#include <lua.h>
#include <stdbool.h>
#include <stddef.h>

/* Why emL_pcall_budget failed. */
typedef enum emL_fail {
    emL_FAIL_NONE = 0, /* the call succeeded */
    emL_FAIL_ERROR,    /* an error raised by the script or a library */
    emL_FAIL_BUDGET,   /* the instruction budget ran out */
    emL_FAIL_MEMORY    /* the memory cap was reached (or malloc failed) */
} emL_fail;

/* A new state with all standard libraries opened (the host is trusted; the
 * sandbox envs are what scripts see), a panic function that names the error,
 * the string metatable locked, and an allocator that refuses to grow past
 * mem_limit bytes in total (0: no cap). NULL when the libraries do not fit
 * in mem_limit or malloc fails. Close with lua_close. */
lua_State *emL_newstate(size_t mem_limit);
/* The cap in bytes (0: none). Lowering it below emL_mem_used is allowed:
 * only growth is refused. Has no effect on a state not from emL_newstate. */
void emL_set_mem_limit(lua_State *L, size_t mem_limit);
size_t emL_mem_limit(lua_State *L);
/* Bytes allocated now (exactly what the allocator handed out; for a state
 * not from emL_newstate, Lua's own count). */
size_t emL_mem_used(lua_State *L);
/* Whether the allocator refused a request because of the cap since the last
 * emL_pcall_budget or emL_set_mem_limit began (a refusal may still have been
 * recovered by Lua's emergency collection; pair it with LUA_ERRMEM). */
bool emL_mem_capped(lua_State *L);

/* [-0, +1, m] Pushes a fresh environment table for one script (see the top
 * of this file). Use it as the chunk's _ENV: lua_load then lua_setupvalue
 * (L, -2, 1), or load(text, name, "t", env) from host Lua. */
void emL_sandbox_env(lua_State *L);

/* [-(nargs+1), +(nresults|1), -] Like lua_pcall(L, nargs, nresults, 0) with
 * an instruction budget (budget <= 0: none; inside another budgeted call the
 * budget never exceeds what the outer call has left). Never raises. On error
 * leaves one message string:
 *   error:  the message; non-string error objects become
 *           "payer.lua:3: error object is a table value" (no metamethod runs)
 *   budget: "instruction budget exceeded at plugins/payers/medicare.lua:42"
 *   memory: "memory limit exceeded (N bytes) at payer.lua:7" (N the cap;
 *           the place is where the refused allocation was asked for)
 * and stores the kind in *fail (may be NULL). Stack overflow and "C stack
 * overflow" are ordinary errors. The hook is removed (an outer one restored)
 * and after a memory failure garbage is collected, so the state is usable.
 * L must come from emL_newstate or have had emL_open_sandbox called. */
int emL_pcall_budget(lua_State *L, int nargs, int nresults, long budget, emL_fail *fail);
/* The kind of the last emL_pcall_budget on this state. */
emL_fail emL_last_fail(lua_State *L);

/* [-0, +1, m] Pushes the sandbox module for the host's Lua half:
 *   env()                  a new sandbox environment
 *   run(budget, fn, ...)   true, results... | false, message, kind
 *                          (kind "error" | "budget" | "memory"; budget > 0)
 *   spent()                instructions the last run spent (to ~1000)
 *   mem_used()             bytes in use
 *   mem_limit([bytes])     the cap before the call; sets it when given (0: none)
 * Works in any state (e.g. stock lua5.4 loading eightmin.so): there it sets
 * up the budget and the string lock, but memory is not capped. */
int emL_open_sandbox(lua_State *L);

#endif
