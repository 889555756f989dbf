-- plugins/payers/acme-health.lua
local billing = require "lib.billing"

return {
  name = "Acme Health PPO",
  units = { unit_minutes = 15, threshold = 15, pooled = false },  -- or "cms", "ama"
  modifiers = { PT = "GP", OT = "GO", SLP = "GN" },
  rules = {
    {
      id = "no-telehealth-97112",
      severity = "error",
      cite = "Acme Health reimbursement policy RP-114 (example)",
      from = "2024-01-01",                    -- dates of service it applies to
      check = function(visit, ctx)
        if not visit.telehealth then return end
        for _, line in ipairs(visit.lines) do
          if line.cpt == "97112" then
            ctx:report(line, "97112 by telehealth is not covered; bill it only in person")
          end
        end
      end,
    },
    billing.units_match { cite = "Acme Health reimbursement policy RP-101 (example): full 15 minutes per unit" },
    billing.minutes_missing { cite = "Acme Health reimbursement policy RP-101 (example)" },
  },
}
