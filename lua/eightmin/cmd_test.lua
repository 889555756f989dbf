-- eightmin test: runs *_test.lua files (the API is in eightmin.testing).
local core = require "eightmin.core"
local testing = require "eightmin.testing"
local args_lib = require "eightmin.args"

local usage_error, parse_args = args_lib.usage_error, args_lib.parse
local EXIT_FINDINGS, EXIT_USAGE = args_lib.EXIT_FINDINGS, args_lib.EXIT_USAGE

local TEST_USAGE = [[
usage: eightmin test [--filter PATTERN] [--verbose] [--coverage] [PATH ...]

Runs every *_test.lua file under the PATHs (default: plugins/, else the
built-in plugins), each in its own sandbox with describe, it, expect,
check, fixture, visit and eightmin. A PATH may also be one file of any
name. Folders are searched in sorted order; build/ and hidden folders are
skipped. Each failure prints "FAIL file:line: group > test" and what
differed; the last line is "N passed, N failed".

  --filter PATTERN  run only the tests whose "group > test" name matches
                    this Lua pattern
  --verbose         also print each passing test
  --coverage        after the run, list per payer and clinic script the
                    rules that no test made fire

Exit code: 0 all passed, 1 a test failed or a file did not load, 2 usage
error or a PATH that does not exist.
]]

local function run(args)
  local opts, paths = parse_args("test", TEST_USAGE, args,
    { filter = "value", verbose = "flag", coverage = "flag" })
  if not opts then return paths end
  if opts.filter then
    local ok, err = pcall(string.find, "", opts.filter)
    if not ok then
      return usage_error("test", TEST_USAGE, "--filter '%s': %s", opts.filter,
                         tostring(err):gsub("^.-:%d+: ", ""))
    end
  end
  if #paths == 0 then
    if core.list_dir("plugins") or not core.builtin_plugins then
      paths = { "plugins" }
    else
      paths = { core.builtin_plugins }
    end
  end
  local files, err = testing.discover(paths)
  if not files then
    io.stderr:write(("eightmin test: %s\n"):format(err))
    return EXIT_USAGE
  end
  if #files == 0 then
    io.stderr:write(("eightmin test: no *_test.lua files in %s\n"):format(table.concat(paths, ", ")))
  end
  local _, failed, matched = testing.run(files, opts)
  if opts.filter and matched == 0 then
    io.stderr:write(("eightmin test: no test matched --filter '%s'\n"):format(opts.filter))
  end
  return failed > 0 and EXIT_FINDINGS or 0
end

return run
