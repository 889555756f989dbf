-- Raises a table, not a string: still one finding with text.
-- luacheck: ignore (misbehaving on purpose)
return {
  name = "Test payer: error-table",
  units = "cms",
  rules = {
    { id = "bad", severity = "error", cite = "test payer",
      check = function(visit, ctx)
        if visit.id ~= "T1" then return end
        error({ code = 42, why = "a table as the error object" })
        ctx:report(nil, "not reached")
      end },
    { id = "normal", severity = "info", cite = "test payer",
      check = function(visit, ctx) ctx:report(nil, "checked " .. visit.id) end },
  },
}
