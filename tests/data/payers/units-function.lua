-- A payer whose units are its own function: one unit per 10 minutes.
return { name = "fn units", units = function(visit)
  local out = {}
  for _, l in ipairs(visit.lines) do out[l.cpt] = (l.minutes or 0) // 10 end
  return out
end, rules = {} }
