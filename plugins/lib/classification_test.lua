-- Tests of lib/classification.lua and medicare.classification-supports-code.
-- Run from the top of the tree: bin/eightmin test plugins/lib
-- luacheck: read globals describe it expect check fixture visit eightmin
local classification = require "lib.classification"

-- A Medicare visit with one timed line of `cpt` documenting `interventions`.
local function visit_with(cpt, interventions, extra)
  local v = {
    id = "C1", date = "2026-03-04", payer = "medicare", pos = "11",
    patient = { id = "P1", dob = "1950-01-01" },
    provider = { npi = "1234567893", discipline = "PT", credential = "PT" },
    diagnoses = { "R26.81" },
    lines = { { cpt = cpt, minutes = 24, units = 2, interventions = interventions } },
  }
  for k, x in pairs(extra or {}) do v[k] = x end
  return v
end

local function suggest(text, goal, opts)
  return classification.classify({ { text = text, goal = goal } }, opts).code
end

describe("lib.classification words", function()
  it("ignores case and punctuation, makes plurals singular, keeps parameters", function()
    expect(classification.words("Squats, 3x10; STRETCHES!")):equals { "squat", "3x10", "stretch" }
  end)
  it("spells out abbreviations", function()
    expect(classification.words("SLS 3x30 s")):equals { "single", "leg", "stance", "3x30", "s" }
    expect(classification.words("AROM")):equals { "range", "of", "motion" }
  end)
  it("-ies plurals", function()
    expect(classification.words("functional activities")):equals { "functional", "activity" }
  end)
end)

describe("lib.classification intents", function()
  it("balance, coordination, kinesthetic sense, posture, proprioception -> 97112", function()
    for _, t in ipairs({ "static balance", "coordination drills", "kinesthetic awareness",
                         "postural control", "proprioceptive training" }) do
      expect(suggest(t)):equals "97112"
    end
  end)
  it("techniques domain.md's 97112 work uses", function()
    for _, t in ipairs({ "balance board 3x1 min", "foam pad", "perturbation training",
                         "PNF D2 patterns", "EMG biofeedback", "FES to tibialis anterior",
                         "VR gaming", "sensory integration", "tandem stance 3x30 s",
                         "single-leg stance", "SLS eyes closed", "wobble boards" }) do
      expect(suggest(t)):equals "97112"
    end
  end)
  it("strength, endurance, range of motion, flexibility -> 97110", function()
    for _, t in ipairs({ "squats 3x10", "endurance on bike 10 min", "AROM shoulder",
                         "hamstring flexibility", "Lunges x12", "range-of-motion" }) do
      expect(suggest(t)):equals "97110"
    end
  end)
  it("gait -> 97116, functional activities -> 97530, manual techniques -> 97140", function()
    expect(suggest("gait with rolling walker 150 ft")):equals "97116"
    expect(suggest("stairs x4 flights")):equals "97116"
    expect(suggest("bed mobility and car transfers")):equals "97530"
    expect(suggest("dynamic functional activities")):equals "97530"
    expect(suggest("grade III PA mobilisations L4-5")):equals "97140"
    expect(suggest("manual lymphatic drainage")):equals "97140"
  end)
  it("a goal tag counts", function()
    expect(suggest("circuit 3 rounds", "balance")):equals "97112"
    expect(suggest("circuit 3 rounds", "range_of_motion")):equals "97110"
  end)
  it("nothing known: no code, confidence 0", function()
    local r = classification.classify({ { text = "chatted about the weekend" } })
    expect(r.code):is_nil()
    expect(r.confidence):is(0)
  end)
  it("confidence is an integer percent with the evidence", function()
    local r = classification.classify({ { text = "tandem walking in the hallway", goal = "balance" } })
    expect(r.code):equals "97112"
    expect(math.type(r.confidence)):equals "integer"
    expect(r.confidence):equals(66)
    expect(classification.describe(r.evidence)):contains "goal tag 'balance'"
  end)
  it("clinic hints extend the vocabulary", function()
    expect(suggest("otago program level 2")):is_nil()
    expect(suggest("otago program level 2", nil, { hints = { otago = "97112" } })):equals "97112"
    expect(suggest("dressing practice", "self_care", { hints = { self_care = "97535" } }))
      :equals "97535"
  end)
  it("a payer adds vocabulary as data", function()
    expect(suggest("tai chi forms", nil, { extra = { { "tai chi", "97112", "balance", 3 } } }))
      :equals "97112"
  end)
end)

describe("lib.classification judge", function()
  it("flags a billed code the documentation does not support", function()
    local j = classification.judge({ cpt = "97112", interventions = { { text = "squats 3x10" } } })
    expect(j.severity):equals "warning"
    expect(j.message):contains "97112 billed; interventions describe strengthening: squats 3x10"
    expect(j.message):contains "suggests 97110 at 100% confidence"
  end)
  it("supported code: nothing", function()
    expect(classification.judge({ cpt = "97112",
      interventions = { { text = "tandem stance on foam, eyes closed, 3x30 s", goal = "balance" } } }))
      :is_nil()
  end)
  it("mixed support: info naming the weaker support", function()
    local j = classification.judge({ cpt = "97112",
      interventions = { { text = "squats 3x10, lunges 2x10, bridges 2x10, balance 1 min" } } })
    expect(j.severity):equals "info"
    expect(j.message):contains "support for 97112 is weaker"
  end)
  it("a code outside the vocabulary is left alone", function()
    expect(classification.judge({ cpt = "97035", interventions = { { text = "squats" } } })):is_nil()
  end)
  it("below the confidence floor: nothing", function()
    expect(classification.judge({ cpt = "97110",
      interventions = { { text = "gait and strength" } } })):is_nil()
  end)
end)

describe("medicare.classification-supports-code", function()
  it("fails: 97112 billed for squats", function()
    expect(check(visit_with("97112", { { text = "squats 3x10", goal = "strength" } }), "medicare"))
      :has_finding("medicare.classification-supports-code",
        { severity = "warning", line = 1, message = "interventions describe strengthening" })
  end)
  it("passes: 97112 billed for balance work", function()
    expect(check(visit_with("97112", { { text = "SLS on foam 3x30 s", goal = "balance" } }), "medicare"))
      :has_no_finding("medicare.classification-supports-code")
  end)
  it("uses the clinic's hints (ctx.hints)", function()
    local clinic = eightmin.load_clinic("plugins/clinics/example.lua")
    expect(check(visit_with("97110", { { text = "soft tissue work 8 min", goal = "soft_tissue" } }),
      "medicare", clinic)):has_finding("medicare.classification-supports-code",
        { message = "suggests 97140" })
  end)
end)
