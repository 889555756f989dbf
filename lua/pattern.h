/* pattern.h: Lua 5.4's string.find, match, gmatch and gsub (reference
 * manual 6.4.1) with a step count, so untrusted scripts cannot spend hours
 * inside one backtracking match. Stack effects use the Lua manual's
 * notation [-o, +p, x].
 *
 * Results, argument checks and error messages are those of stock Lua 5.4:
 * "malformed pattern (...)", "invalid capture index %N", "invalid pattern
 * capture", "unfinished capture", "too many captures" (32), "pattern too
 * complex" (more than 200 nested choice points). What is added:
 * - a step is one pattern item tried at one subject position, one character
 *   scanned by a quantifier or %b, one start position tried, one candidate
 *   of a plain find (plus one per 64 bytes compared);
 * - after max_steps steps in one call (one gsub, or one call of a gmatch
 *   iterator) the call raises "pattern too complex: step budget exceeded";
 * - every EML_PATTERN_QUANTUM steps, and at the end of a call that
 *   succeeded, charge(L, ud, steps) is told the steps taken since it was
 *   last told; it may raise (nothing a matcher holds needs freeing). */
#ifndef EML_PATTERN_H
#define EML_PATTERN_H

#include <lua.h>
#include <stddef.h>

#define EML_PATTERN_QUANTUM 1024

typedef void (*emL_pattern_charge)(lua_State *L, void *ud, size_t steps);

/* [-0, +1, m] Pushes a new table {find, match, gmatch, gsub} of bounded
 * functions. max_steps 0: no step limit; charge NULL: nothing is told. */
void emL_pattern_open(lua_State *L, size_t max_steps, emL_pattern_charge charge, void *ud);

/* [-0, +0, m] Sets find, match, gmatch and gsub of the table at idx to
 * bounded functions (as emL_pattern_open). */
void emL_pattern_install(lua_State *L, int idx, size_t max_steps, emL_pattern_charge charge,
                         void *ud);

#endif
