-- A clinic that tries to weaken a payer rule: refused when it loads.
return {
  name = "Test clinic that lowers a rule",
  severity = { ["medicare.units-match"] = "info" },
  rules = {},
}
