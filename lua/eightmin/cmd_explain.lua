-- eightmin explain: what decided a visit, read back from a decision log
-- written by `eightmin check --log FILE`.
local args_lib = require "eightmin.args"
local decisionlog = require "eightmin.decisionlog"

local usage_error, parse_args = args_lib.usage_error, args_lib.parse
local EXIT_USAGE = args_lib.EXIT_USAGE

local EXPLAIN_USAGE = [[
usage: eightmin explain LOG VISIT

Explains, from a decision log written by 'eightmin check --log LOG', how
visit VISIT was decided: the input's hash, which payer and clinic script
(path and SHA-256 of its contents) decided it, how each code's units were
counted, which rules ran and which fired, the claim lines and the findings.
Warns when a script file has changed since the visit was checked.

Exit code: 0 explained, 2 usage error, unreadable log or no such visit.
]]

local function run(args)
  local opts, pos = parse_args("explain", EXPLAIN_USAGE, args, {})
  if not opts then return pos end
  if #pos ~= 2 then
    return usage_error("explain", EXPLAIN_USAGE, "expected LOG and VISIT, got %d argument%s",
      #pos, #pos == 1 and "" or "s")
  end
  local path, id = pos[1], pos[2]
  local found, bad = decisionlog.find(path, id)
  if not found then
    io.stderr:write(("eightmin explain: cannot read the log: %s\n"):format(bad))
    return EXIT_USAGE
  end
  for _, msg in ipairs(bad) do
    io.stderr:write(("eightmin explain: %s (line skipped)\n"):format(msg))
  end
  if #found == 0 then
    io.stderr:write(("eightmin explain: %s: no visit '%s' in the log\n"):format(path, id))
    return EXIT_USAGE
  end
  for i, e in ipairs(found) do
    if i > 1 then io.stdout:write("\n") end
    if #found > 1 then
      io.stdout:write(("(%d of %d entries for %s; log line %d)\n"):format(i, #found, id,
        e.log_line))
    end
    decisionlog.explain(io.stdout, e)
    for _, w in ipairs(decisionlog.staleness(e)) do
      io.stdout:flush()
      io.stderr:write(("eightmin explain: warning: %s\n"):format(w))
    end
  end
  return 0
end

return run
