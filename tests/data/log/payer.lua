-- A small payer for the decision-log tests: CMS units, one rule that fires
-- when the billed units differ, one that runs and stays quiet, one that
-- starts later (so it does not run).
return {
  name = "Log Test Health",
  units = "cms",
  modifiers = { PT = "GP" },
  rules = {
    {
      id = "units-billed",
      severity = "error",
      cite = "Log Test Health policy 1",
      check = function(visit, ctx)
        for _, line in ipairs(visit.lines) do
          local u = ctx.units.by_code[line.cpt]
          if line.units and u and line.units ~= u.units then
            ctx:report(line, ("%s: billed %d, earned %d; bill %d"):format(line.cpt, line.units,
              u.units, u.units))
          end
        end
      end,
    },
    {
      id = "quiet",
      severity = "warning",
      cite = "Log Test Health policy 2",
      check = function() end,
    },
    {
      id = "from-2030",
      severity = "error",
      cite = "Log Test Health policy 3",
      from = "2030-01-01",
      check = function(visit, ctx) ctx:report(nil, "never seen in " .. visit.id) end,
    },
  },
}
