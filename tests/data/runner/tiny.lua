-- A payer with two rules, for the --coverage test in tests/cli/test.t:
-- "loud" reports on every visit, "quiet" never does.
return {
  name = "Tiny test payer",
  rules = {
    { id = "loud", severity = "info", cite = "test", check = function(_, ctx)
        ctx:report(nil, "always")
      end },
    { id = "quiet", severity = "error", cite = "test", check = function() end },
  },
}
