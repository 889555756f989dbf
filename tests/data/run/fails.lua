-- A workflow that fails: `eightmin run` reports where.
local t = nil
return t.field
