-- eightmin run: a trusted workflow script with the full API.
local args_lib = require "eightmin.args"

local usage_error = args_lib.usage_error
local EXIT_FINDINGS, EXIT_USAGE = args_lib.EXIT_FINDINGS, args_lib.EXIT_USAGE

local RUN_USAGE = [[
usage: eightmin run SCRIPT.lua [ARGS ...]

Runs a trusted workflow script with the full Lua library and the eightmin
API (require "eightmin"). The script sees its arguments in the global 'arg'
(arg[0] is the script). Its exit code is what it returns (an integer), else 0.
]]

local function run(args)
  local script = args[1]
  if not script then return usage_error("run", RUN_USAGE, "no script given") end
  if script == "--help" or script == "-h" then io.stdout:write(RUN_USAGE); return 0 end
  local chunk, err = loadfile(script, "t")
  if not chunk then
    io.stderr:write(("eightmin run: %s\n"):format(err))
    return EXIT_USAGE
  end
  local arg = { [0] = script }
  for i = 2, #args do arg[i - 1] = args[i] end
  _G.arg = arg
  local ok, ret = xpcall(chunk, debug.traceback, table.unpack(arg))
  if not ok then
    io.stderr:write(("eightmin run: %s\n"):format(ret))
    return EXIT_FINDINGS
  end
  if math.type(ret) == "integer" then return ret end
  return 0
end

return run
