/* host.c: the Lua host. A capped state with the eightmin modules preloaded
 * (the C core and the Lua half compiled in), running the commands that are
 * written in Lua (check, payers, run, ...) under lua_pcall, like lua.c's
 * pmain. Also luaopen_eightmin, so stock lua5.4 can `require "eightmin"`. */
#define _GNU_SOURCE /* dladdr: where eightmin.so was loaded from */
#include "host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "emL.h"
#include "embed.h"
#include "readline.h"
#include "sandbox.h"

/* Memory cap of the whole interpreter: payer and clinic scripts share it
 * with the host, so it stays small; a trusted workflow may need more. */
#ifndef EIGHTMIN_PLUGIN_DIR /* where make install puts the plugins */
#define EIGHTMIN_PLUGIN_DIR "/usr/local/share/eightmin/plugins"
#endif

#define HOST_MEM_LIMIT ((size_t)64 << 20)
#define WORKFLOW_MEM_LIMIT ((size_t)1 << 30)

int luaopen_eightmin(lua_State *L);
int luaopen_eightmin_csv(lua_State *L); /* lua/csv.c */

/* package.preload loader for one embedded module (upvalue: its index). */
static int embedded_load(lua_State *L)
{
    const emL_source *s = &emL_sources[lua_tointeger(L, lua_upvalueindex(1))];
    if (luaL_loadbufferx(L, (const char *)s->text, s->len, s->chunkname, "t") != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, s->module);
    lua_call(L, 1, 1);
    return 1;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* [-0, +1, m] The plugins folder that belongs with a file of the build or
 * install tree (bin/eightmin, lib/eightmin.so): ../plugins or
 * ../share/eightmin/plugins from the file's folder; nil if neither. */
static void push_plugin_dir(lua_State *L, const char *file)
{
    static const char *const rel[] = {"/../plugins", "/../share/eightmin/plugins"};
    char dir[4096];
    char *real = file ? realpath(file, NULL) : NULL;
    lua_pushnil(L);
    if (!real) {
        if (is_dir(EIGHTMIN_PLUGIN_DIR)) {
            lua_pop(L, 1);
            lua_pushstring(L, EIGHTMIN_PLUGIN_DIR);
        }
        return;
    }
    char *slash = strrchr(real, '/');
    if (slash)
        *slash = '\0';
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(dir, sizeof dir, "%s%s", real, rel[i]);
        char *canon = realpath(dir, NULL);
        if (canon && is_dir(canon)) {
            lua_pop(L, 1);
            lua_pushstring(L, canon);
            free(canon);
            break;
        }
        free(canon);
    }
    free(real);
    if (lua_isnil(L, -1) && is_dir(EIGHTMIN_PLUGIN_DIR)) {
        lua_pop(L, 1);  /* e.g. the .so installed in a Lua module folder */
        lua_pushstring(L, EIGHTMIN_PLUGIN_DIR);
    }
}

/* core.list_dir(path) -> sorted array of names in a folder, or nil, msg.
 * Lua has no way to list a folder; plugin discovery needs one. */
static int list_dir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    if (!d) {
        luaL_pushfail(L);
        lua_pushfstring(L, "%s: cannot open folder", path);
        return 2;
    }
    lua_newtable(L);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, -3);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    return 1;
}

/* The C modules of the API, preloaded into every state (and the .so):
 * one line per module, each in its own file of lua/. */
static const luaL_Reg c_modules[] = {
    {"eightmin.core", luaopen_eightmin_core},
    {"eightmin.csv", luaopen_eightmin_csv},
    {"eightmin.hash", luaopen_eightmin_hash},
    {"eightmin.readline", luaopen_eightmin_readline},
    {NULL, NULL}
};

/* [-0, +1, e] Preloads eightmin.core and the Lua half, tells the core where
 * the built-in plugins are, and runs the Lua half's main module. */
static void open_eightmin(lua_State *L, const char *located_file)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    for (const luaL_Reg *m = c_modules; m->name; m++) {
        lua_pushcfunction(L, m->func);
        lua_setfield(L, -2, m->name);
    }
    int main_index = -1;
    for (int i = 0; emL_sources[i].module; i++) {
        if (!strcmp(emL_sources[i].module, "eightmin"))
            main_index = i;
        lua_pushinteger(L, i);
        lua_pushcclosure(L, embedded_load, 1);
        lua_setfield(L, -2, emL_sources[i].module);
    }
    lua_pop(L, 1);
    luaL_requiref(L, "eightmin.core", luaopen_eightmin_core, 0);
    push_plugin_dir(L, located_file);
    lua_setfield(L, -2, "builtin_plugins");
    emL_open_sandbox(L);
    lua_setfield(L, -2, "sandbox");
    lua_pushcfunction(L, list_dir);
    lua_setfield(L, -2, "list_dir");
    lua_pop(L, 1);
    if (main_index < 0)
        luaL_error(L, "eightmin: the Lua half was not compiled in");
    lua_pushinteger(L, main_index);
    lua_pushcclosure(L, embedded_load, 1);
    lua_call(L, 0, 1);
}

int luaopen_eightmin(lua_State *L)
{
    Dl_info info;
    const char *file = dladdr((void *)luaopen_eightmin, &info) ? info.dli_fname : NULL;
    open_eightmin(L, file);
    return 1;
}

/* pmain: everything runs under lua_pcall so that no error escapes. */
static int host_pmain(lua_State *L)
{
    const char *command = lua_touserdata(L, 1);
    int argc = (int)lua_tointeger(L, 2);
    char **argv = lua_touserdata(L, 3);
    luaL_openlibs(L);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    open_eightmin(L, n > 0 ? exe : NULL);
    lua_setglobal(L, "eightmin");
    lua_getglobal(L, "require");
    lua_pushliteral(L, "eightmin.cli");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "main");
    lua_pushstring(L, command);
    lua_createtable(L, argc, 0);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_call(L, 2, 1);
    return 1;
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int host_run(const char *command, int argc, char **argv)
{
    lua_State *L = emL_newstate(strcmp(command, "run") ? HOST_MEM_LIMIT : WORKFLOW_MEM_LIMIT);
    if (!L) {
        fprintf(stderr, "eightmin: cannot create the Lua state (out of memory)\n");
        return EXIT_USAGE;
    }
    lua_pushcfunction(L, traceback);
    lua_pushcfunction(L, host_pmain);
    lua_pushlightuserdata(L, (void *)command);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int rc;
    if (lua_pcall(L, 3, 1, 1) != LUA_OK) {
        fprintf(stderr, "eightmin %s: internal error: %s\n", command, lua_tostring(L, -1));
        rc = EXIT_USAGE;
    } else {
        rc = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
    }
    fflush(stdout);
    lua_close(L);
    return rc;
}
