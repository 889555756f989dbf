-- A clinic for the decision-log tests: one info rule on long lines.
return {
  name = "Log Test Clinic",
  rules = {
    {
      id = "long-line",
      severity = "info",
      cite = "Log Test Clinic policy A",
      check = function(visit, ctx)
        for _, line in ipairs(visit.lines) do
          if (line.minutes or 0) > 20 then
            ctx:report(line, ("%s runs %d min"):format(line.cpt, line.minutes))
          end
        end
      end,
    },
  },
}
