/* hash.c: the eightmin.hash module: SHA-256 of a string as hex (content
 * hashes of visits and scripts in decision logs), and the JSON codec of
 * lua/json.c, so one preloaded module carries both. */
#include <lauxlib.h>
#include <lua.h>
#include <nettle/sha2.h>
#include <stddef.h>

#include "emL.h"

/* sha256(text) -> 64 lowercase hex digits */
static int l_sha256(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE];
    static const char digits[] = "0123456789abcdef";
    sha256_init(&ctx);
    /* nettle takes a size_t length; feed in pieces anyway so no cast narrows */
    while (len > 0) {
        size_t n = len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len;
        sha256_update(&ctx, n, (const uint8_t *)s);
        s += n;
        len -= n;
    }
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    lua_pushlstring(L, hex, sizeof hex);
    return 1;
}

static const luaL_Reg hash_funcs[] = {
    {"sha256", l_sha256},
    {NULL, NULL},
};

int luaopen_eightmin_hash(lua_State *L)
{
    luaL_newlib(L, hash_funcs);
    emL_register_json(L);
    return 1;
}
