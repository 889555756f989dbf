-- eightmin.pretty: values for a person at the REPL. Tables print with
-- sorted keys, on one line when they fit; nesting and length are bounded
-- and a table met again inside itself prints as <cycle>. Record views
-- (visits, lines, lists ...) print as their tostring, and at the top level
-- also as the plain table view:totable() gives.
local M = {}

M.MAX_DEPTH = 6    -- tables nested deeper print as {...}
M.MAX_ITEMS = 100  -- entries shown per table
M.WIDTH = 78       -- a table that fits in this many columns stays on one line

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local nil not
            or repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[w] = true
end

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil and not KEYWORDS[k]
end
M.is_identifier = is_identifier

-- A string as Lua source, with newlines as \n rather than a backslash and
-- a line break.
local function quote(s)
  return (("%q"):format(s):gsub("\\\n", "\\n"))
end
M.quote = quote

-- A record view of the API: a userdata whose type name starts "eightmin.".
local function view_type(v)
  if type(v) ~= "userdata" then return nil end
  local mt = getmetatable(v)
  if type(mt) == "string" and mt:match("^eightmin%.") then return mt end
  return nil
end
M.view_type = view_type

local TYPE_RANK = { number = 1, string = 2, boolean = 3 }

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    local ra, rb = TYPE_RANK[ta] or 4, TYPE_RANK[tb] or 4
    if ra ~= rb then return ra < rb end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return not a and b end
  return tostring(a) < tostring(b)
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return quote(v) end
  if t == "function" then
    local info = debug.getinfo(v, "S")
    if info and info.what ~= "C" then
      return ("function <%s:%d>"):format(info.short_src, info.linedefined)
    end
    return "builtin " .. tostring(v)
  end
  if view_type(v) then return "<" .. tostring(v) .. ">" end
  return tostring(v)
end

local render

-- The entries of t in print order: the array part 1..n first (without
-- keys), then the other keys sorted.
local function entries(t)
  local keys, n = {}, 0
  for k in pairs(t) do keys[#keys + 1] = k end
  while n < #keys and t[n + 1] ~= nil do n = n + 1 end
  local rest = {}
  for _, k in ipairs(keys) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  table.sort(rest, key_before)
  return n, rest
end

local function render_table(t, depth, indent, stack)
  if stack[t] then return "<cycle: " .. tostring(t) .. ">" end
  if depth >= M.MAX_DEPTH then return "{...}" end
  stack[t] = true
  local n, rest = entries(t)
  local items, shown = {}, 0
  local function add(s)
    shown = shown + 1
    if shown <= M.MAX_ITEMS then items[#items + 1] = s end
  end
  local inner = indent .. "  "
  for i = 1, n do add(render(t[i], depth + 1, inner, stack)) end
  for _, k in ipairs(rest) do
    local name = is_identifier(k) and k or ("[" .. scalar(k) .. "]")
    add(name .. " = " .. render(t[k], depth + 1, inner, stack))
  end
  stack[t] = nil
  if shown > M.MAX_ITEMS then items[#items + 1] = ("... (%d more)"):format(shown - M.MAX_ITEMS) end
  if #items == 0 then return "{}" end
  local one = "{ " .. table.concat(items, ", ") .. " }"
  if #indent + #one <= M.WIDTH and not one:find("\n", 1, true) then return one end
  return "{\n" .. inner .. table.concat(items, ",\n" .. inner) .. "\n" .. indent .. "}"
end

function render(v, depth, indent, stack)
  if type(v) == "table" then return render_table(v, depth, indent, stack) end
  return scalar(v)
end

-- The text of one value. A top-level string prints as it is (like lua.c);
-- a top-level view prints as its tostring and its fields.
function M.format(v)
  if type(v) == "string" then return v end
  if view_type(v) then
    local ok, t = pcall(function() return v:totable() end)
    if ok and type(t) == "table" then
      return "<" .. tostring(v) .. ">\n" .. render_table(t, 0, "", {})
    end
    return "<" .. tostring(v) .. ">"
  end
  local ok, s = pcall(render, v, 0, "", {})
  if ok then return s end
  return tostring(v) -- a __pairs or __index that raises
end

return M
