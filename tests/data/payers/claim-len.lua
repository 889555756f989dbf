-- A claim hook that hands back its lines with a __len that never returns:
-- the host reads them raw, so nothing of the script runs outside its budget.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: claim hook __len",
  rules = {},
  claim = function(visit, lines, ctx)
    setmetatable(lines, { __len = function() local n = 0 while true do n = n + 1 end end })
    return lines
  end,
}
