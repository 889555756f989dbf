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

-- A clinic's hint weights are data from outside: each is held to 1..3
-- (HINT_WEIGHT), so a hint counts as evidence but cannot drown out the
-- documentation.
describe("lib.classification hint weights", function()
  local BALANCE = { { text = "balance on foam pad 3x30 s" } }
  local function hint_score(weight)
    local r = classification.classify(BALANCE, { hints = { foam = { code = "97110", weight = weight } } })
    return r.scores["97110"] and r.scores["97110"].score, r
  end
  it("a weight in range counts as given", function()
    expect(hint_score(1)):is(1)
    expect(hint_score(2)):is(2)
    expect(hint_score(3)):is(3)
    expect(hint_score(nil)):is(3)
  end)
  it("too large, infinite: clamped to 3", function()
    expect(hint_score(1000)):is(3)
    expect(hint_score(math.maxinteger)):is(3)
    expect(hint_score(math.huge)):is(3)
    expect(hint_score(1e308)):is(3)
  end)
  it("zero, negative, -inf, NaN, not a number: clamped to 1", function()
    expect(hint_score(0)):is(1)
    expect(hint_score(-50)):is(1)
    expect(hint_score(math.mininteger)):is(1)
    expect(hint_score(-math.huge)):is(1)
    expect(hint_score(0 / 0)):is(1)
    expect(hint_score("1000")):is(1)
    expect(hint_score(true)):is(1)
  end)
  it("a fraction is rounded down, and the weight is an integer", function()
    expect(hint_score(2.9)):is(2)
    expect(math.type(hint_score(2.9))):equals "integer"
    expect(math.type(hint_score(math.huge))):equals "integer"
  end)
  it("a 1000-weight hint no longer outweighs the documentation", function()
    local score, r = hint_score(1000)
    expect(score):is(3)
    expect(r.code):equals "97112"
  end)
  it("a hint whose code is not a string is ignored", function()
    local r = classification.classify(BALANCE, { hints = { foam = { code = 97110, weight = 3 },
      pad = { code = { "97110" } }, balance = 97110 } })
    expect(r.scores["97110"]):is_nil()
    expect(r.code):equals "97112"
  end)
end)

describe("medicare.classification-supports-code and a clinic's heavy hint", function()
  local balance_as_exercise = visit_with("97110", { { text = "balance on foam pad 3x30 s" } })
  it("without the clinic: a warning", function()
    expect(check(balance_as_exercise, "medicare")):has_finding("medicare.classification-supports-code",
      { severity = "warning", line = 1, message = "suggests 97112" })
  end)
  it("hints={foam={code='97110', weight=1000}} does not silence it; the hint is evidence", function()
    local clinic = eightmin.load_clinic("tests/data/rules/heavy-hints.lua")
    expect(check(balance_as_exercise, "medicare", clinic)):has_finding(
      "medicare.classification-supports-code", { severity = "info", line = 1,
        message = "suggests 97112 at 62% confidence); support for 97110 is weaker ('foam' in" })
  end)
end)
