-- eightmin.args: command-line parsing shared by the commands written in
-- Lua. Every command returns the process exit code.
local M = {}

M.EXIT_OK, M.EXIT_FINDINGS, M.EXIT_USAGE = 0, 1, 2

function M.usage_error(cmd, _, fmt, ...)
  io.stderr:write(("eightmin %s: %s\n"):format(cmd, fmt:format(...)))
  io.stderr:write(("Run 'eightmin %s --help' for usage.\n"):format(cmd))
  return M.EXIT_USAGE
end

-- Parses "--name value", "--name=value", flags and lists (spec: name ->
-- "flag" | "value" | "list"). Returns opts, positional; or nil, exit code
-- when it printed help (0) or a usage error (2).
function M.parse(cmd, usage, args, spec)
  local opts, pos = { arg = {} }, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--" then
      for j = i + 1, #args do pos[#pos + 1] = args[j] end
      break
    elseif a == "--help" or a == "-h" then
      io.stdout:write(usage)
      return nil, 0
    elseif a:sub(1, 2) == "--" then
      local name, value = a:match("^%-%-([%w%-]+)=(.*)$")
      name = name or a:sub(3)
      local kind = spec[name]
      if not kind then return nil, M.usage_error(cmd, usage, "unknown option '%s'", a) end
      if kind == "flag" then
        if value then return nil, M.usage_error(cmd, usage, "--%s takes no value", name) end
        opts[name] = true
      else
        if not value then
          i = i + 1
          value = args[i]
          if not value then return nil, M.usage_error(cmd, usage, "--%s needs a value", name) end
        end
        if kind == "list" then opts[name][#opts[name] + 1] = value else opts[name] = value end
      end
    else
      pos[#pos + 1] = a
    end
    i = i + 1
  end
  return opts, pos
end

return M
