-- eightmin payers: the payer scripts along the plugin path.
local em = require "eightmin"
local plugin = require "eightmin.plugin"
local args_lib = require "eightmin.args"

local parse_args = args_lib.parse
local EXIT_FINDINGS, EXIT_USAGE = args_lib.EXIT_FINDINGS, args_lib.EXIT_USAGE

local PAYERS_USAGE = [[
usage: eightmin payers

Lists the payer scripts eightmin can find: the built-in plugins folder, then
each folder of $EIGHTMIN_PATH (colon-separated), with their names and the
dates of service their rules cover.
]]

local function rule_dates(payer)
  if payer.effective then
    return ("%s to %s"):format(payer.effective.from or "any date", payer.effective.to or "today")
  end
  local from, to, open = nil, nil, false
  for _, r in ipairs(payer.rules) do
    if not r.from then
      from = "any date"
    elseif from ~= "any date" and (not from or r.from < from) then
      from = r.from
    end
    if not r.to then open = true elseif not to or r.to > to then to = r.to end
  end
  if open or not to then to = "today" end
  return ("%s to %s"):format(from or "any date", to)
end

local function run(args)
  local opts = parse_args("payers", PAYERS_USAGE, args, {})
  if not opts then return 0 end
  local list = em.payers()
  if #list == 0 then
    io.stderr:write("eightmin payers: no payer scripts found in " ..
      table.concat(plugin.search_path(), ", ") .. "\n")
    return EXIT_USAGE
  end
  local rc = 0
  for _, e in ipairs(list) do
    if e.payer then
      io.stdout:write(("%-16s %-36s %2d rules, %s  %s\n"):format(e.id, e.payer.name,
        #e.payer.rules, rule_dates(e.payer), e.path))
    else
      io.stdout:write(("%-16s %-36s %s\n"):format(e.id, "(does not load)", e.error))
      rc = EXIT_FINDINGS
    end
  end
  return rc
end

return run
