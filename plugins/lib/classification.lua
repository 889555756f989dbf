-- lib/classification.lua: which timed code a line's documented interventions
-- support, by the intent each CPT descriptor names (domain.md §3):
--   97112 neuromuscular re-education: balance, coordination, kinesthetic
--         sense, posture, proprioception
--   97110 therapeutic exercise: strength, endurance, range of motion,
--         flexibility
--   97116 gait training (stairs included)
--   97530 therapeutic activities: dynamic functional activities
--   97140 manual therapy: mobilization/manipulation, manual lymphatic
--         drainage, manual traction
-- The intents come from the CPT descriptors [domain.md §3]; the technique
-- words under each (foam, PNF, perturbation, "SLS" ...) are clinical
-- convention, not CMS text [U], so they are data here that a payer or clinic
-- extends (`classification.classify(line, {vocabulary =, hints =})`, and a
-- clinic's `hints` reach every rule as ctx.hints).
-- The treatment note must make each intervention identifiable against the
-- claim [BPM15 §220.3].

local classification = {}

-- ---- data ----------------------------------------------------------------

-- What each code is for, in the words of its descriptor [domain.md §3].
local INTENT = {
  ["97112"] = "neuromuscular re-education (balance, coordination, kinesthetic sense, posture, proprioception)",
  ["97110"] = "therapeutic exercise (strength, endurance, range of motion, flexibility)",
  ["97116"] = "gait training",
  ["97530"] = "therapeutic activities (dynamic functional activities)",
  ["97140"] = "manual therapy (mobilization, manipulation, manual traction, lymphatic drainage)",
}

-- Vocabulary: a phrase (matched on whole words, case, punctuation and
-- plurals ignored), the code it points to, what the match means, and its
-- weight. Descriptor words weigh 3; technique words 2; weak hints 1.
local VOCABULARY = {
  -- 97112, descriptor words [domain.md §3]
  { "balance", "97112", "balance", 3 },
  { "coordination", "97112", "coordination", 3 },
  { "kinesthetic", "97112", "kinesthetic sense", 3 },
  { "kinesthesia", "97112", "kinesthetic sense", 3 },
  { "posture", "97112", "posture", 3 },
  { "postural", "97112", "posture", 3 },
  { "proprioception", "97112", "proprioception", 3 },
  { "proprioceptive", "97112", "proprioception", 3 },
  { "neuromuscular", "97112", "neuromuscular re-education", 3 },
  -- 97112, techniques [U: clinical convention]
  { "balance board", "97112", "balance", 2 },
  { "wobble board", "97112", "balance", 2 },
  { "rocker board", "97112", "balance", 2 },
  { "bosu", "97112", "balance", 2 },
  { "foam", "97112", "balance", 2 },
  { "perturbation", "97112", "balance", 2 },
  { "tandem stance", "97112", "balance", 2 },
  { "tandem", "97112", "balance", 1 },
  { "single leg stance", "97112", "balance", 2 },
  { "single leg balance", "97112", "balance", 2 },
  { "romberg", "97112", "balance", 2 },
  { "weight shifting", "97112", "balance", 2 },
  { "weight shift", "97112", "balance", 2 },
  { "eyes closed", "97112", "balance", 1 },
  { "pnf", "97112", "neuromuscular re-education", 2 },
  { "proprioceptive neuromuscular facilitation", "97112", "neuromuscular re-education", 2 },
  { "biofeedback", "97112", "neuromuscular re-education", 2 },
  { "fes", "97112", "neuromuscular re-education", 2 },
  { "functional electrical stimulation", "97112", "neuromuscular re-education", 2 },
  { "virtual reality", "97112", "balance", 2 },
  { "vr", "97112", "balance", 2 },
  { "sensory integration", "97112", "kinesthetic sense", 2 },
  { "vestibular", "97112", "balance", 2 },
  { "motor control", "97112", "coordination", 2 },
  { "righting reaction", "97112", "balance", 2 },
  { "stepping strategy", "97112", "balance", 2 },
  -- 97110, descriptor words [domain.md §3]
  { "strength", "97110", "strengthening", 3 },
  { "strengthening", "97110", "strengthening", 3 },
  { "endurance", "97110", "endurance", 3 },
  { "range of motion", "97110", "range of motion", 3 },
  { "rom", "97110", "range of motion", 3 },
  { "flexibility", "97110", "flexibility", 3 },
  -- 97110, exercises [U: clinical convention]
  { "stretching", "97110", "flexibility", 2 },
  { "stretch", "97110", "flexibility", 2 },
  { "squat", "97110", "strengthening", 2 },
  { "lunge", "97110", "strengthening", 2 },
  { "step up", "97110", "strengthening", 2 },
  { "leg press", "97110", "strengthening", 2 },
  { "bridge", "97110", "strengthening", 2 },
  { "clamshell", "97110", "strengthening", 2 },
  { "quad set", "97110", "strengthening", 2 },
  { "straight leg raise", "97110", "strengthening", 2 },
  { "slr", "97110", "strengthening", 2 },
  { "terminal knee extension", "97110", "strengthening", 2 },
  { "heel raise", "97110", "strengthening", 2 },
  { "resistance band", "97110", "strengthening", 2 },
  { "theraband", "97110", "strengthening", 2 },
  { "resisted", "97110", "strengthening", 2 },
  { "dumbbell", "97110", "strengthening", 2 },
  { "bike", "97110", "endurance", 2 },
  { "ergometer", "97110", "endurance", 2 },
  { "nustep", "97110", "endurance", 2 },
  { "stabilisation", "97110", "strengthening", 1 },
  { "stabilization", "97110", "strengthening", 1 },
  { "home exercise program", "97110", "therapeutic exercise", 1 },
  -- 97116 [domain.md §3]
  { "gait", "97116", "gait", 3 },
  { "ambulation", "97116", "gait", 3 },
  { "stair", "97116", "gait (stairs)", 3 },
  { "walking", "97116", "gait", 2 },
  { "walker", "97116", "gait", 2 },
  { "cane", "97116", "gait", 2 },
  { "crutch", "97116", "gait", 2 },
  { "treadmill", "97116", "gait", 1 },
  -- 97530 [domain.md §3]
  { "functional activity", "97530", "dynamic functional activities", 3 },
  { "functional", "97530", "dynamic functional activities", 1 },
  { "transfer", "97530", "functional activities (transfers)", 3 },
  { "bed mobility", "97530", "functional activities (bed mobility)", 3 },
  { "lifting", "97530", "functional activities (lifting)", 2 },
  { "carrying", "97530", "functional activities (carrying)", 2 },
  { "reaching", "97530", "functional activities (reaching)", 1 },
  { "sit to stand", "97530", "functional activities (sit to stand)", 1 },
  { "floor recovery", "97530", "functional activities", 2 },
  { "fine motor", "97530", "functional activities", 2 },
  -- 97140 [domain.md §3]
  { "manual therapy", "97140", "manual techniques", 3 },
  { "mobilization", "97140", "manual techniques (mobilization)", 3 },
  { "mobilisation", "97140", "manual techniques (mobilization)", 3 },
  { "manipulation", "97140", "manual techniques (manipulation)", 3 },
  { "manual traction", "97140", "manual techniques (traction)", 3 },
  { "distraction", "97140", "manual techniques (traction)", 2 },
  { "manual lymphatic drainage", "97140", "manual techniques (lymphatic drainage)", 3 },
  { "soft tissue", "97140", "manual techniques (soft tissue)", 2 },
  { "myofascial", "97140", "manual techniques (soft tissue)", 2 },
  { "trigger point", "97140", "manual techniques (soft tissue)", 2 },
  { "iastm", "97140", "manual techniques (soft tissue)", 2 },
}

-- Abbreviations clinicians write, spelled out before matching.
local ABBREVIATIONS = {
  sls = "single leg stance", sts = "sit to stand", tke = "terminal knee extension",
  hep = "home exercise program", mld = "manual lymphatic drainage",
  stm = "soft tissue", aarom = "range of motion", arom = "range of motion",
  prom = "range of motion", mob = "mobilization", mobs = "mobilization",
}

-- Words that end in "s" but are not plurals.
local NOT_PLURAL = { bosu = true, pnf = true, fes = true, iastm = true, progress = true,
  stress = true, less = true, thus = true, was = true, has = true, this = true }

-- Weights: a goal tag is the clinician's own statement of intent.
local GOAL_WEIGHT = 3
local HINT_WEIGHT = 3
-- Below this confidence the suggestion is too weak to contradict a code.
local MIN_CONFIDENCE = 60

classification.INTENT = INTENT
classification.VOCABULARY = VOCABULARY
classification.ABBREVIATIONS = ABBREVIATIONS
classification.MIN_CONFIDENCE = MIN_CONFIDENCE

-- ---- words -----------------------------------------------------------------

-- One word to its singular: "squats" -> "squat", "stretches" -> "stretch",
-- "activities" -> "activity". Parameters ("3x10") are left alone.
local function singular(w)
  if NOT_PLURAL[w] or #w <= 3 or w:find("%d") then return w end
  if w:sub(-3) == "ies" then return w:sub(1, -4) .. "y" end
  if w:match("[sxz]es$") or w:match("[cs]hes$") then return w:sub(1, -3) end
  if w:sub(-1) == "s" and w:sub(-2) ~= "ss" and w:sub(-2) ~= "us" then return w:sub(1, -2) end
  return w
end

-- Text to a list of normalised words: lower case, punctuation and hyphens as
-- spaces, plurals made singular, abbreviations spelled out.
function classification.words(text)
  local out = {}
  if type(text) ~= "string" then return out end
  for w in text:lower():gsub("[^%w]+", " "):gmatch("%S+") do
    local full = ABBREVIATIONS[w]
    if full then
      for part in full:gmatch("%S+") do out[#out + 1] = part end
    else
      out[#out + 1] = singular(w)
    end
  end
  return out
end

-- Does the word list contain the phrase's words in a row? words.set (if
-- the caller made it with word_set) skips phrases whose first word is absent.
local function has_phrase(words, phrase)
  local n = #phrase
  if n == 0 then return false end
  if words.set and not words.set[phrase[1]] then return false end
  for i = 1, #words - n + 1 do
    local ok = true
    for j = 1, n do
      if words[i + j - 1] ~= phrase[j] then ok = false break end
    end
    if ok then return true end
  end
  return false
end

-- Phrases as word lists, made once.
local phrase_cache = {}

-- A phrase's words, from the cache.
local function phrase_words(phrase)
  local p = phrase_cache[phrase]
  if not p then
    p = classification.words(phrase)
    phrase_cache[phrase] = p
  end
  return p
end

-- The words of a text with a set of them, so most phrases are ruled out by
-- one lookup.
local function word_set(text)
  local words = classification.words(text)
  local set = {}
  for _, w in ipairs(words) do set[w] = true end
  words.set = set
  return words
end

-- Does text contain phrase (both normalised as words)?
function classification.has_phrase(text_words, phrase)
  return has_phrase(text_words, phrase_words(phrase))
end
classification.word_set = word_set

-- A goal tag or hint key in one spelling: "range_of_motion" == "range of motion".
local tag_cache = {}
local function tag(s)
  s = tostring(s)
  local t = tag_cache[s]
  if not t then
    t = table.concat(classification.words((s:gsub("_", " "))), " ")
    tag_cache[s] = t
  end
  return t
end

-- A hint's weight, an integer 1..HINT_WEIGHT. The clinic's data is not
-- trusted to stay in range: rather than ignoring a bad weight, it is
-- clamped, so a hint always counts as evidence but never outweighs the
-- documentation (a weight of 1000 would silence every finding). nil is the
-- default HINT_WEIGHT; above the range (huge, +inf) is HINT_WEIGHT; below
-- it (0, negative, -inf), NaN and anything not a number are 1; a fraction
-- is rounded down.
local function hint_weight(w)
  if w == nil then return HINT_WEIGHT end
  if math.type(w) == nil or w ~= w then return 1 end
  if w >= HINT_WEIGHT then return HINT_WEIGHT end
  if w <= 1 then return 1 end
  return math.tointeger(math.floor(w)) or 1
end
classification.HINT_WEIGHT = HINT_WEIGHT

-- The hints of a clinic: {key = "97112"} or {key = {code = "97112", weight = 2}}
-- (weight 1..HINT_WEIGHT, clamped; a hint whose key or code is not a
-- string is ignored).
local function hint_entries(hints)
  local out = {}
  if hints == nil then return out end
  for k, v in pairs(hints) do
    local code, weight
    if type(v) == "string" then code, weight = v, HINT_WEIGHT
    elseif type(v) == "table" or type(v) == "userdata" then code, weight = v.code, hint_weight(v.weight) end
    if type(k) == "string" and type(code) == "string" then
      out[#out + 1] = { key = tag(k), code = code, weight = weight }
    end
  end
  table.sort(out, function(a, b) return a.key < b.key end)
  return out
end

-- ---- classification --------------------------------------------------------

local function add(scores, code, weight, evidence)
  local s = scores[code]
  if not s then
    s = { code = code, score = 0, evidence = {} }
    scores[code] = s
  end
  s.score = s.score + weight
  s.evidence[#s.evidence + 1] = evidence
end

-- Scores a list of interventions ({text=, goal=}...). opts.vocabulary
-- replaces the default; opts.extra adds entries; opts.hints are a clinic's.
-- Returns {code=, confidence=, intent=, evidence={...}, scores={[code]=...},
-- total=} (code nil when nothing matched).
function classification.classify(interventions, opts)
  opts = opts or {}
  local vocab = opts.vocabulary or VOCABULARY
  local scores, total = {}, 0
  local hints = hint_entries(opts.hints)
  local function score_entry(words, phrase, code, meaning, weight, what)
    if has_phrase(words, phrase_words(phrase)) then
      add(scores, code, weight, { word = phrase, meaning = meaning, text = what, weight = weight })
      total = total + weight
    end
  end
  for _, iv in ipairs(interventions or {}) do
    local text = iv.text
    local words = word_set(text)
    for _, e in ipairs(vocab) do score_entry(words, e[1], e[2], e[3], e[4], text) end
    for _, e in ipairs(opts.extra or {}) do score_entry(words, e[1], e[2], e[3], e[4], text) end
    for _, h in ipairs(hints) do
      score_entry(words, h.key, h.code, "clinic hint " .. h.key, h.weight, text)
    end
    if iv.goal ~= nil then
      local g = tag(iv.goal)
      local matched = false
      for _, h in ipairs(hints) do
        if h.key == g then
          add(scores, h.code, GOAL_WEIGHT, { tag = iv.goal, meaning = "goal " .. iv.goal
            .. " (clinic hint)", text = text, weight = GOAL_WEIGHT })
          total, matched = total + GOAL_WEIGHT, true
        end
      end
      if not matched then
        for _, e in ipairs(vocab) do
          if e[4] >= 3 and tag(e[1]) == g then
            add(scores, e[2], GOAL_WEIGHT, { tag = iv.goal, meaning = "goal " .. e[3],
              text = text, weight = GOAL_WEIGHT })
            total = total + GOAL_WEIGHT
            break
          end
        end
      end
    end
  end
  local best
  for _, s in pairs(scores) do
    if not best or s.score > best.score or (s.score == best.score and s.code < best.code) then
      best = s
    end
  end
  if not best then return { scores = scores, total = 0, evidence = {}, confidence = 0 } end
  return { code = best.code, confidence = best.score * 100 // total, intent = INTENT[best.code],
           evidence = best.evidence, scores = scores, total = total }
end

-- "squat in 'squats 3x10'" for a finding.
function classification.describe(evidence)
  local parts, seen = {}, {}
  for _, e in ipairs(evidence or {}) do
    local s
    if e.tag then s = string.format("goal tag '%s'", e.tag)
    else s = string.format("'%s' in \"%s\"", e.word, e.text) end
    if not seen[s] then
      seen[s] = true
      parts[#parts + 1] = s
    end
  end
  return table.concat(parts, ", ")
end

-- The codes the vocabulary and hints can judge: a line billed under any
-- other code (97035, 97535 without a hint...) is left alone.
local function judged_codes(opts)
  local set = {}
  for _, e in ipairs(opts.vocabulary or VOCABULARY) do set[e[2]] = true end
  for _, e in ipairs(opts.extra or {}) do set[e[2]] = true end
  for _, h in ipairs(hint_entries(opts.hints)) do set[h.code] = true end
  return set
end

-- The most common meaning among the evidence, for the message.
local function main_meaning(evidence)
  local count, best, n = {}, nil, 0
  for _, e in ipairs(evidence) do
    local m = e.meaning:gsub("^goal ", "")
    count[m] = (count[m] or 0) + e.weight
    if count[m] > n then best, n = m, count[m] end
  end
  return best
end

-- Judges one billed line: nil when the documentation supports the code
-- (or says nothing the vocabulary knows), else {severity=, message=}.
function classification.judge(line, opts)
  opts = opts or {}
  local cpt = line.cpt
  if not judged_codes(opts)[cpt] then return nil end
  local ivs = {}
  for _, iv in ipairs(line.interventions or {}) do ivs[#ivs + 1] = iv end
  if #ivs == 0 then return nil end
  local r = classification.classify(ivs, opts)
  if not r.code or r.code == cpt then return nil end
  local own = r.scores[cpt]
  local min = opts.min_confidence or MIN_CONFIDENCE
  if r.confidence < min then return nil end
  local texts = {}
  for _, iv in ipairs(ivs) do texts[#texts + 1] = iv.text end
  local msg = string.format("%s billed; interventions describe %s: %s (evidence: %s;"
    .. " suggests %s at %d%% confidence)", cpt, main_meaning(r.evidence),
    table.concat(texts, "; "), classification.describe(r.evidence), r.code, r.confidence)
  if own then
    return { severity = "info", code = r.code, confidence = r.confidence, message = msg
      .. string.format("; support for %s is weaker (%s)", cpt, classification.describe(own.evidence)) }
  end
  local short = INTENT[cpt] and INTENT[cpt]:gsub(" %(.*%)$", "") or cpt
  return { severity = "warning", code = r.code, confidence = r.confidence, message = msg
    .. string.format("; document the %s work or bill %s (the technique vocabulary is"
      .. " clinical convention [U]: clinic hints extend it)", short, r.code) }
end

-- The rule: every line whose interventions point to another code.
function classification.rule(opts)
  opts = opts or {}
  return {
    id = opts.id or "classification-supports-code",
    severity = "warning",
    cite = opts.cite or "CPT descriptors (domain.md §3); CMS Pub. 100-02 ch. 15 §220.3",
    description = "the documented interventions support the billed code",
    check = function(visit, ctx)
      local o = { vocabulary = opts.vocabulary, extra = opts.extra, hints = ctx.hints,
                  min_confidence = opts.min_confidence }
      for i, line in ipairs(visit.lines) do
        local j = classification.judge(line, o)
        if j then ctx:report(i, j.message, { severity = j.severity }) end
      end
    end,
  }
end

return classification
