-- eightmin.cli: dispatches `eightmin COMMAND ARGS` to the module
-- eightmin.cmd_COMMAND, which returns a function(args) -> exit code.
local args_lib = require "eightmin.args"

local M = {}

M.USAGE = [[
usage: eightmin COMMAND [ARGS]

Checks and prepares outpatient therapy claims.

commands:
  units [--method cms|ama|--payer NAME] [--json] [--explain] CODE=MINUTES ...
                  units per code under the CMS 8-minute rule, the AMA rule
                  or a payer's own policy
  check [--payer NAME|FILE] [--clinic FILE] [--format text|ndjson|html]
        [--output FILE] [--log FILE] [FILE|-]
                  check visits (NDJSON) and print claim lines and findings
  explain LOG VISIT
                  how a logged visit was decided (from check --log)
  payers          list the payer scripts eightmin can find
  repl [--payer NAME|FILE] [--clinic NAME|FILE]
                  try payer rules interactively (Lua, with history and Tab)
  test [--filter PATTERN] [--verbose] [--coverage] [PATH ...]
                  run the *_test.lua files of payer and clinic scripts
  run SCRIPT.lua [ARGS]
                  run a trusted workflow script with the full API

Run 'eightmin COMMAND --help' for a command's options.
]]

function M.main(command, args)
  if command == "help" or command == "--help" or command == "-h" then
    io.stdout:write(M.USAGE)
    return 0
  end
  if command == nil or command == "" then
    io.stderr:write(M.USAGE)
    return args_lib.EXIT_USAGE
  end
  local ok, run = false, nil
  if command:match("^[%a][%w]*$") then
    ok, run = pcall(require, "eightmin.cmd_" .. command)
    if not ok and not tostring(run):find("module 'eightmin.cmd_" .. command .. "' not found", 1, true) then
      error(run, 0)
    end
  end
  if not ok then
    io.stderr:write(("eightmin: unknown command '%s'\n\n%s"):format(command, M.USAGE))
    return args_lib.EXIT_USAGE
  end
  return run(args)
end

return M
