-- Tests of lib/assistant.lua: the CQ/CO de minimis split (domain.md §4).
-- Run from the top of the tree: bin/eightmin test plugins/lib
-- luacheck: read globals describe it expect check fixture visit eightmin
local assistant = require "lib.assistant"

-- The split of one code's units: plain units, units with CQ/CO, modifier.
local function split(t)
  local plain, modified, modifier = assistant.split(t)
  return { plain = plain, modified = modified, modifier = modifier }
end

describe("lib.assistant split", function()
  it("therapist alone: no modifier", function()
    expect(split { units = 2, timed = true, therapist = 30, assistant = 0, role = nil })
      :equals { plain = 2, modified = 0 }
  end)
  it("APTA guide: PT furnishes both units in whole, PTA time irrelevant", function()
    expect(split { units = 2, timed = true, therapist = 30, assistant = 0, role = "PTA" })
      :equals { plain = 2, modified = 0 }
  end)
  it("PT 15 + PTA 10 of 97110: one unit plain, one with CQ", function()
    expect(split { units = 2, timed = true, therapist = 15, assistant = 10, role = "PTA" })
      :equals { plain = 1, modified = 1, modifier = "CQ" }
  end)
  it("PT 30 then PTA 15: the PTA's unit carries CQ", function()
    expect(split { units = 3, timed = true, therapist = 30, assistant = 15, role = "PTA" })
      :equals { plain = 2, modified = 1, modifier = "CQ" }
  end)
  it("PTA 10 + PT 5 = 15 min: one unit with CQ", function()
    expect(split { units = 1, timed = true, therapist = 5, assistant = 10, role = "PTA" })
      :equals { plain = 0, modified = 1, modifier = "CQ" }
  end)
  it("therapist's full units never exceed the units billed", function()
    expect(split { units = 3, timed = true, therapist = 45, assistant = 5, role = "PTA" })
      :equals { plain = 3, modified = 0 }
  end)
  it("OTA brings CO", function()
    expect(split { units = 2, timed = true, therapist = 0, assistant = 30, role = "OTA" })
      :equals { plain = 0, modified = 2, modifier = "CO" }
  end)
  it("no units, no modifier", function()
    expect(split { units = 0, timed = true, therapist = 0, assistant = 7, role = "PTA" })
      :equals { plain = 0, modified = 0 }
  end)
end)

describe("lib.assistant de minimis", function()
  it("PTA 1 min of a 15-minute unit is within 10%", function()
    expect(split { units = 1, timed = true, therapist = 14, assistant = 1, role = "PTA" })
      :equals { plain = 1, modified = 0 }
  end)
  it("PTA 2 min of a 15-minute unit is beyond 10%", function()
    expect(split { units = 1, timed = true, therapist = 13, assistant = 2, role = "PTA" })
      :equals { plain = 0, modified = 1, modifier = "CQ" }
  end)
  it("exactly 10% is de minimis", function()
    expect(split { units = 1, timed = true, therapist = 9, assistant = 1, role = "PTA" })
      :equals { plain = 1, modified = 0 }
    expect(assistant.beyond_de_minimis(2, 20)):is_false()
    expect(assistant.beyond_de_minimis(3, 20)):is_true()
  end)
  it("untimed code: more than 10% of its minutes", function()
    expect(split { units = 1, timed = false, therapist = 10, assistant = 5, role = "PTA" })
      :equals { plain = 0, modified = 1, modifier = "CQ" }
    expect(split { units = 1, timed = false, therapist = 20, assistant = 2, role = "PTA" })
      :equals { plain = 1, modified = 0 }
  end)
end)

describe("lib.assistant roles and minutes", function()
  it("roles from credentials", function()
    expect(assistant.role("dpt")):equals("PT")
    expect(assistant.role("COTA/L")):equals("OTA")
    expect(assistant.role("CCC-SLP")):equals("SLP")
    expect(assistant.role("aide")):is_nil()
    expect(assistant.role(nil)):is_nil()
  end)
  it("line minutes: segments, then the line's by, then the provider", function()
    local provider = { discipline = "PT", credential = "DPT" }
    local function minutes(line)
      local therapist, assistant_min, role = assistant.line_minutes(line, provider)
      return { therapist = therapist, assistant = assistant_min, role = role }
    end
    expect(minutes { cpt = "97110", minutes = 25, by = nil, segments = {
      { minutes = 15, by = "PT" }, { minutes = 10, by = "PTA" } } })
      :equals { therapist = 15, assistant = 10, role = "PTA" }
    expect(minutes { cpt = "97110", minutes = 20, by = "PTA" })
      :equals { therapist = 0, assistant = 20, role = "PTA" }
    expect(minutes { cpt = "97110", minutes = 20 })
      :equals { therapist = 20, assistant = 0 }
    -- an untimed code without minutes: the whole service by the PTA
    local therapist, assistant_min = assistant.line_minutes({ cpt = "97010", by = "PTA" }, provider)
    expect({ therapist, assistant_min }):equals { 0, 1 }
  end)
end)
