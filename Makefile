# eightmin: outpatient therapy claim checker. See README.md.
#   make          build bin/eightmin, lib/libeightmin.a, lib/eightmin.so
#   make test     unit tests (also under ASan+UBSan), CLI tests, luacheck
#   make demo     check the sample visits
#   make bench    print throughput figures
#   make deps     install the Debian packages that are missing
.DEFAULT_GOAL := all

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config

# Debian packages the build and tests need (make deps installs what is missing).
DEB_PKGS := pkg-config liblua5.4-dev lua5.4 libcjson-dev libcmocka-dev \
            libedit-dev libcsv-dev nettle-dev lua-check clang tmux chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

WARN := -Wall -Wextra -Werror -Wshadow -Wundef -Wwrite-strings \
        -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wvla
CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L
OPT ?= -O2 -g
CFLAGS ?=
LDFLAGS ?=

# pkg-config is asked once, lazily, after `deps` has run.
lazy = $(eval $1 := $(shell $(PKG_CONFIG) $2))$($1)
LUA_CFLAGS = $(call lazy,LUA_CFLAGS,--cflags lua5.4)
LUA_LIBS = $(call lazy,LUA_LIBS,--libs lua5.4)
CJSON_CFLAGS = $(call lazy,CJSON_CFLAGS,--cflags libcjson)
CJSON_LIBS = $(call lazy,CJSON_LIBS,--libs libcjson)
NETTLE_CFLAGS = $(call lazy,NETTLE_CFLAGS,--cflags nettle)
NETTLE_LIBS = $(call lazy,NETTLE_LIBS,--libs nettle)
CMOCKA_CFLAGS = $(call lazy,CMOCKA_CFLAGS,--cflags cmocka)
CMOCKA_LIBS = $(call lazy,CMOCKA_LIBS,--libs cmocka)
EDIT_CFLAGS = $(call lazy,EDIT_CFLAGS,--cflags libedit)
EDIT_LIBS = $(call lazy,EDIT_LIBS,--libs libedit)

ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) -fPIC -MMD -MP -Icore -Ilua \
             -DEIGHTMIN_PLUGIN_DIR='"$(PREFIX)/share/eightmin/plugins"' $(CFLAGS)

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
B := build
BS := build/san

CORE_SRC := $(sort $(wildcard core/*.c))
LUA_BIN_SRC := $(sort $(wildcard lua/main.c lua/cli_*.c))
LUA_MOD_SRC := $(filter-out $(LUA_BIN_SRC),$(sort $(wildcard lua/*.c)))
CORE_TESTS := $(patsubst tests/core/%.c,%,$(sort $(wildcard tests/core/test_*.c)))
LUA_TESTS := $(patsubst tests/lua/%.c,%,$(sort $(wildcard tests/lua/test_*.c)))

# The Lua half (lua/eightmin/*.lua) is compiled into the binary and the .so,
# so both work from any directory.
LUA_HALF := $(sort $(wildcard lua/eightmin/*.lua))
LUA_MOD_SRC += $(B)/gen/lua_sources.c

CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
CORE_SAN_OBJ := $(CORE_SRC:%.c=$(BS)/%.o)
LUA_MOD_OBJ := $(LUA_MOD_SRC:%.c=$(B)/%.o)
LUA_MOD_SAN_OBJ := $(LUA_MOD_SRC:%.c=$(BS)/%.o)
LUA_BIN_OBJ := $(LUA_BIN_SRC:%.c=$(B)/%.o)
LUA_BIN_SAN_OBJ := $(LUA_BIN_SRC:%.c=$(BS)/%.o)

# libcsv ships no pkg-config file; Debian puts it on the default paths.
CSV_LIBS := -lcsv
EXT_CFLAGS = $(LUA_CFLAGS) $(CJSON_CFLAGS) $(EDIT_CFLAGS) $(NETTLE_CFLAGS)
EXT_LIBS = $(LUA_LIBS) $(CJSON_LIBS) $(EDIT_LIBS) $(CSV_LIBS) $(NETTLE_LIBS) -lm
# What the .so needs besides the interpreter that loads it.
MOD_LIBS = $(CJSON_LIBS) $(EDIT_LIBS) $(CSV_LIBS) $(NETTLE_LIBS) -lm

.PHONY: all
all: bin/eightmin lib/libeightmin.a lib/eightmin.so

.PHONY: deps
deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	  { echo "make deps: apt-get could not install$$missing" >&2; exit 2; }; \
	fi

$(B)/gen/lua_sources.c: $(LUA_HALF) lua/embed.sh
	@mkdir -p $(@D)
	sh lua/embed.sh $(LUA_HALF) > $@.$$$$.tmp && mv $@.$$$$.tmp $@

$(B)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(EXT_CFLAGS) $(CMOCKA_CFLAGS) -c $< -o $@

$(BS)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) $(EXT_CFLAGS) $(CMOCKA_CFLAGS) -c $< -o $@

# Generated sources compile from build/gen into both object trees.
$(B)/$(B)/gen/%.o: $(B)/gen/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilua $(EXT_CFLAGS) -c $< -o $@
$(BS)/$(B)/gen/%.o: $(B)/gen/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -Ilua $(EXT_CFLAGS) -c $< -o $@

lib/libeightmin.a: $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BS)/libeightmin.a: $(CORE_SAN_OBJ)
	rm -f $@ && ar rcs $@ $^

# The Lua module: bindings and core in one .so, without -llua5.4 (the
# interpreter that loads it provides Lua).
lib/eightmin.so: $(LUA_MOD_OBJ) $(CORE_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $^ $(MOD_LIBS) $(LDFLAGS)

bin/eightmin: $(LUA_BIN_OBJ) $(LUA_MOD_OBJ) lib/libeightmin.a
	@mkdir -p $(@D)
	$(CC) -o $@ $(LUA_BIN_OBJ) $(LUA_MOD_OBJ) lib/libeightmin.a $(EXT_LIBS) $(LDFLAGS)

$(BS)/bin/eightmin: $(LUA_BIN_SAN_OBJ) $(LUA_MOD_SAN_OBJ) $(BS)/libeightmin.a
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $(LUA_BIN_SAN_OBJ) $(LUA_MOD_SAN_OBJ) $(BS)/libeightmin.a $(EXT_LIBS)

# One cmocka binary per module, plain and sanitized.
$(B)/tests/core/%: $(B)/tests/core/%.o lib/libeightmin.a
	$(CC) -o $@ $< lib/libeightmin.a $(CMOCKA_LIBS) $(CJSON_LIBS) $(CSV_LIBS) -lm
$(BS)/tests/core/%: $(BS)/tests/core/%.o $(BS)/libeightmin.a
	$(CC) $(SAN) -o $@ $< $(BS)/libeightmin.a $(CMOCKA_LIBS) $(CJSON_LIBS) $(CSV_LIBS) -lm
$(B)/tests/lua/%: $(B)/tests/lua/%.o $(LUA_MOD_OBJ) lib/libeightmin.a
	$(CC) -o $@ $< $(LUA_MOD_OBJ) lib/libeightmin.a $(CMOCKA_LIBS) $(EXT_LIBS)
$(BS)/tests/lua/%: $(BS)/tests/lua/%.o $(LUA_MOD_SAN_OBJ) $(BS)/libeightmin.a
	$(CC) $(SAN) -o $@ $< $(LUA_MOD_SAN_OBJ) $(BS)/libeightmin.a $(CMOCKA_LIBS) $(EXT_LIBS)

TEST_BINS := $(CORE_TESTS:%=$(B)/tests/core/%) $(LUA_TESTS:%=$(B)/tests/lua/%)
SAN_TEST_BINS := $(CORE_TESTS:%=$(BS)/tests/core/%) $(LUA_TESTS:%=$(BS)/tests/lua/%)
.SECONDARY:

export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

.PHONY: test test-unit test-san test-cli test-lua test-so lint test-clang
test: all
	@$(MAKE) --no-print-directory test-unit test-san test-cli test-lua test-so lint test-clang
	@echo "make test: all suites passed"

test-unit: $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done

test-san: $(SAN_TEST_BINS) $(BS)/bin/eightmin
	@set -e; for t in $(SAN_TEST_BINS); do echo "== $$t (ASan+UBSan)"; $$t; done
	@echo "== CLI tests under ASan+UBSan"
	@EIGHTMIN=$(BS)/bin/eightmin EIGHTMIN_PATH="$(CURDIR)/plugins" sh tests/cli/run.sh

test-cli: bin/eightmin
	@echo "== CLI tests"
	@EIGHTMIN=bin/eightmin sh tests/cli/run.sh

test-lua: bin/eightmin
	@echo "== eightmin test plugins tests"
	@bin/eightmin test plugins tests

test-so: lib/eightmin.so
	@echo "== stock lua5.4 requires lib/eightmin.so"
	@lua5.4 tests/lua/so_check.lua

lint:
	@echo "== luacheck"
	@files=$$(find lua plugins -name '*.lua' 2>/dev/null); \
	if [ -n "$$files" ]; then luacheck --quiet --std lua54 $$files tests/lua/*.lua; else echo "no Lua files yet"; fi

# A second compiler catches what the first lets through.
test-clang:
	@if command -v clang >/dev/null; then \
	  echo "== clang -Werror syntax check"; \
	  for f in $(CORE_SRC) $(LUA_MOD_SRC) $(LUA_BIN_SRC) $(wildcard tests/*/test_*.c); do \
	    clang $(CSTD) $(WARN) -Icore -Ilua $(EXT_CFLAGS) $(CMOCKA_CFLAGS) -fsyntax-only $$f || exit 1; done; \
	else echo "== clang not installed: skipped the clang check"; fi

.PHONY: demo
demo: all
	@sh plugins/examples/demo.sh bin/eightmin

.PHONY: bench
bench: all $(B)/tests/bench/bench_core
	@sh tests/bench/run.sh

$(B)/tests/bench/bench_core: $(B)/tests/bench/bench_core.o lib/libeightmin.a
	$(CC) -o $@ $< lib/libeightmin.a $(CJSON_LIBS) $(CSV_LIBS) -lm

# Coverage-guided fuzzing of the parsers with libFuzzer (clang): each
# target runs FUZZ_SECONDS and stops by itself; crashes land in build/fuzz.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := visit csv
.PHONY: fuzz
fuzz: | deps
	@mkdir -p build/fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -Icore $(CJSON_CFLAGS) $(CORE_SRC) \
	    tests/fuzz/fuzz_$$t.c -o build/fuzz/fuzz_$$t $(CJSON_LIBS) $(CSV_LIBS) -lm; \
	  mkdir -p build/fuzz/corpus_$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -artifact_prefix=build/fuzz/ build/fuzz/corpus_$$t tests/data 2>&1 | tail -n 3; \
	done

.PHONY: install
LUA_CMOD_DIR ?= $(PREFIX)/lib/lua/5.4
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/share/eightmin \
	  $(DESTDIR)$(LUA_CMOD_DIR)
	install -m 755 bin/eightmin $(DESTDIR)$(PREFIX)/bin/
	install -m 644 lib/libeightmin.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 lib/eightmin.so $(DESTDIR)$(LUA_CMOD_DIR)/
	cp -R plugins $(DESTDIR)$(PREFIX)/share/eightmin/

.PHONY: clean
clean:
	rm -rf build bin lib

-include $(shell find build -name '*.d' 2>/dev/null)
