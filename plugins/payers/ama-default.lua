-- plugins/payers/ama-default.lua: the per-code ("midpoint", "substantial
-- portion") rounding many commercial plans use: each timed code is rounded
-- on its own at 8 minutes, with no pooling of leftover minutes (domain.md §2).
-- The method is documented by vendors and consultants only [C]; a plan that
-- follows CMS should use the medicare payer's unit policy instead.

local billing = require "lib.billing"

local CITE = {
  units = "CPT time rule: a unit is attained when the midpoint is passed"
    .. " (per-code method as commercial plans apply it; vendor sources [C])",
  minutes = "CPT time rule; payer documentation requirements",
}

return {
  name = "AMA per-code (commercial default)",
  units = "ama",
  modifiers = { PT = "GP", OT = "GO", SLP = "GN" },
  rules = {
    billing.units_match { cite = CITE.units, method = "ama" },
    billing.minutes_missing { cite = CITE.minutes },
  },
}
