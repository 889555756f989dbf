/* readline.c: eightmin.readline, the line editor of `eightmin repl`: a small
 * binding of libedit's readline-compatible API (prompt, history, completion)
 * and lua.c's Ctrl-C handling (a hook that raises "interrupted!"). One REPL
 * per process, so the state the callbacks need lives in statics. */
#include "readline.h"

#include <errno.h>
#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#define HISTORY_MAX 1000       /* entries kept in memory and in the file */
#define CANDIDATES_MAX 1000    /* completions offered for one Tab */
#define COMPLETER_KEY "eightmin.readline.completer"

/* luaprompt's word breaks: '.' and ':' are left out so that "visit.li" and
 * "line:has" are one word to complete. */
static const char word_breaks[] = " \t\n\"\\'`@$><=;|&{(,)}[]+-*/%^~#";

/* The state inside readline(), for the completion callback. */
static lua_State *completion_L;
/* The candidates of the current Tab (owned here; readline gets copies). */
static char **candidates;
static size_t candidate_count;
static size_t candidate_next;
/* The completer asked for file names instead (it returned false). */
static int want_filenames;

/* The state evaluating a line while Ctrl-C is caught. */
static lua_State *volatile interrupt_L;

static void free_candidates(void)
{
    for (size_t i = 0; i < candidate_count; i++)
        free(candidates[i]);
    free(candidates);
    candidates = NULL;
    candidate_count = 0;
    candidate_next = 0;
}

/* Protected: calls the Lua completer with (word, line) and copies the
 * candidates that extend word. Runs under lua_pcall so that an error or a
 * failed allocation in Lua never unwinds through libedit. */
static int collect_p(lua_State *L)
{
    const char *word = lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, COMPLETER_KEY);
    if (!lua_isfunction(L, -1))
        return 0;
    lua_pushstring(L, word);
    /* The line up to the cursor: what the word is completed in. */
    size_t upto = 0;
    if (rl_line_buffer && rl_point > 0) {
        upto = strlen(rl_line_buffer);
        if ((size_t)rl_point < upto)
            upto = (size_t)rl_point;
    }
    lua_pushlstring(L, rl_line_buffer ? rl_line_buffer : "", upto);
    lua_call(L, 2, 1);
    if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        want_filenames = 1;
        return 0;
    }
    if (!lua_istable(L, -1))
        return 0;
    size_t wlen = strlen(word);
    lua_Integer n = luaL_len(L, -1);
    if (n > CANDIDATES_MAX)
        n = CANDIDATES_MAX;
    candidates = calloc((size_t)(n > 0 ? n : 1), sizeof *candidates);
    if (!candidates)
        return 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        size_t len;
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (s && len >= wlen && strlen(s) == len && !strncmp(s, word, wlen)) {
            char *copy = strdup(s);
            if (copy)
                candidates[candidate_count++] = copy;
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* rl_completion_matches' generator: hands out the collected candidates. */
static char *next_candidate(const char *text, int state)
{
    (void)text;
    if (state == 0)
        candidate_next = 0;
    if (candidate_next < candidate_count)
        return strdup(candidates[candidate_next++]);
    return NULL;
}

/* rl_attempted_completion_function: asks the Lua completer. */
static char **attempt_completion(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;
    rl_completion_append_character = '\0';
    free_candidates();
    want_filenames = 0;
    lua_State *L = completion_L;
    if (!L || !lua_checkstack(L, 8))
        return NULL;
    int top = lua_gettop(L);
    lua_pushcfunction(L, collect_p);
    lua_pushlightuserdata(L, (void *)text);
    (void)lua_pcall(L, 1, 0, 0); /* a failing completer offers nothing */
    lua_settop(L, top);
    if (want_filenames) {
        rl_attempted_completion_over = 0; /* libedit falls back to file names */
        return NULL;
    }
    char **matches = candidate_count ? rl_completion_matches(text, next_candidate) : NULL;
    free_candidates();
    return matches;
}

static int push_line_p(lua_State *L)
{
    lua_pushstring(L, lua_touserdata(L, 1));
    return 1;
}

/* readline([prompt]) -> the line without its newline, or nil at end of input. */
static int l_readline(lua_State *L)
{
    const char *prompt = luaL_optstring(L, 1, "");
    lua_settop(L, 1);
    lua_State *saved = completion_L;
    completion_L = L;
    char *line = readline(prompt);
    completion_L = saved;
    if (!line) {
        lua_pushnil(L);
        return 1;
    }
    /* Copy under pcall so that line is freed even when Lua is out of memory. */
    lua_pushcfunction(L, push_line_p);
    lua_pushlightuserdata(L, line);
    int status = lua_pcall(L, 1, 1, 0);
    free(line);
    if (status != LUA_OK)
        return lua_error(L);
    return 1;
}

/* add_history(line): empty lines are not kept. */
static int l_add_history(lua_State *L)
{
    const char *line = luaL_checkstring(L, 1);
    if (*line)
        add_history(line);
    return 0;
}

/* read_history(file) -> true, or nil and a message. */
static int l_read_history(lua_State *L)
{
    const char *file = luaL_checkstring(L, 1);
    int err = read_history(file);
    if (err != 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "%s: cannot read the history (%s)", file, strerror(err > 0 ? err : EINVAL));
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* write_history(file) -> true, or nil and a message. Creates the file's
 * folder if it is missing; the file is private to the user (visits hold
 * patient identifiers). */
static int l_write_history(lua_State *L)
{
    const char *file = luaL_checkstring(L, 1);
    /* mkdir -p of the folders above the file; one already there is fine. */
    for (const char *slash = *file ? strchr(file + 1, '/') : NULL; slash;
         slash = strchr(slash + 1, '/')) {
        lua_pushlstring(L, file, (size_t)(slash - file));
        (void)mkdir(lua_tostring(L, -1), 0700);
        lua_pop(L, 1);
    }
    int err = write_history(file);
    if (err != 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "%s: cannot write the history (%s)", file, strerror(err > 0 ? err : EINVAL));
        return 2;
    }
    (void)chmod(file, 0600);
    lua_pushboolean(L, 1);
    return 1;
}

/* set_completer(fn | nil): fn(word, line) -> list of candidates, or false
 * for file names; line is the text up to the cursor. */
static int l_set_completer(lua_State *L)
{
    if (!lua_isnoneornil(L, 1))
        luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, COMPLETER_KEY);
    return 0;
}

/* isatty([fd]) -> whether fd (default 0, standard input) is a terminal. */
static int l_isatty(lua_State *L)
{
    lua_Integer fd = luaL_optinteger(L, 1, 0);
    luaL_argcheck(L, fd >= 0 && fd <= 1023, 1, "not a file descriptor");
    lua_pushboolean(L, isatty((int)fd));
    return 1;
}

/* The hook a Ctrl-C sets (lua.c's lstop): clears itself and raises. */
static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

/* SIGINT while evaluating (lua.c's laction). SA_RESETHAND restores the
 * default first, so a second Ctrl-C ends a program that ignores the hook. */
static void on_sigint(int sig)
{
    (void)sig;
    lua_State *L = interrupt_L;
    if (L)
        lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/* interruptible(on): while on, Ctrl-C raises "interrupted!" in the code
 * this state runs; off restores the default (Ctrl-C ends the program, as at
 * lua.c's prompt) and drops a hook that has not fired yet. */
static int l_interruptible(lua_State *L)
{
    int on = lua_toboolean(L, 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (on) {
        interrupt_L = L;
        sa.sa_handler = on_sigint;
        sa.sa_flags = SA_RESETHAND;
    } else {
        sa.sa_handler = SIG_DFL;
    }
    sigaction(SIGINT, &sa, NULL);
    if (!on) {
        if (lua_gethook(L) == interrupt_hook)
            lua_sethook(L, NULL, 0, 0);
        interrupt_L = NULL;
    }
    return 0;
}

static const luaL_Reg functions[] = {
    {"readline", l_readline},
    {"add_history", l_add_history},
    {"read_history", l_read_history},
    {"write_history", l_write_history},
    {"set_completer", l_set_completer},
    {"isatty", l_isatty},
    {"interruptible", l_interruptible},
    {NULL, NULL}
};

int luaopen_eightmin_readline(lua_State *L)
{
    rl_readline_name = "eightmin"; /* for $if eightmin in ~/.editrc */
    rl_basic_word_break_characters = word_breaks;
    rl_attempted_completion_function = attempt_completion;
    stifle_history(HISTORY_MAX);
    luaL_newlib(L, functions);
    lua_pushinteger(L, HISTORY_MAX);
    lua_setfield(L, -2, "HISTORY_MAX");
    return 1;
}
