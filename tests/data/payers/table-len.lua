-- A table whose __len claims a huge length would make table.insert loop in
-- C where no hook sees it: the sandbox refuses tables with metamethods.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: table-len",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        local t = setmetatable({}, {__len = function() return math.maxinteger // 2 end})
        table.insert(t, 1, "x")
        ctx:report(nil, "not reached")
      end },
  },
}
