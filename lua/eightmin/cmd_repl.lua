-- eightmin repl: an interactive Lua session with the whole API, for payer
-- script developers (the loop is eightmin.repl).
local args_lib = require "eightmin.args"

local usage_error, parse_args = args_lib.usage_error, args_lib.parse

local REPL_USAGE = [[
usage: eightmin repl [--payer NAME|FILE] [--clinic NAME|FILE]

An interactive Lua session with the eightmin API: `em` is require
"eightmin"; `payer`, `clinic`, `visit` and `result` are set by the
commands. Type a Lua expression to see its value, or a statement to run
it; :help lists the commands (:payer, :clinic, :reload, :visits, :visit,
:check, :explain, :units, :quit). Tab completes names, Up recalls history
($XDG_STATE_HOME/eightmin/history or ~/.eightmin_history).

When standard input is not a terminal there is no prompt, banner or
history, so a pipe can script it; the exit code is then 1 if any line
failed.
]]

local function run(args)
  local opts, pos = parse_args("repl", REPL_USAGE, args, { payer = "value", clinic = "value" })
  if not opts then return pos end
  if #pos > 0 then return usage_error("repl", REPL_USAGE, "unexpected argument '%s'", pos[1]) end
  local repl = require "eightmin.repl"
  local code, err = repl.run(opts)
  if not code then return usage_error("repl", REPL_USAGE, "%s", err) end
  return code
end

return run
