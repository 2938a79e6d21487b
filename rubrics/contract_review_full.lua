-- The whole contract-review reward in one rubric, as a reward Lambda would compute it: the answer
-- is JSON comments on a contract (schemas/contract_comments.json); one LLM judge call scores the
-- whole review. bench/reference/reward.py is the same reward written in plain Python, and
-- bench/reference/agree.py checks that both compute the same deterministic part.
--
--   gates (a failed gate gives reward 0, nothing else runs):
--     safe         no hit of rules/injection.json or rules/secrets.json (NFC, as safety.load)
--     well_formed  the answer's JSON (bare, fenced or after prose) follows the schema
--   deterministic part, d = 0.5 * language + 0.5 * length:
--     language     the comments' prose (each issue and suggestion, one per line) is in the
--                  prompt's language: 1 same, 0 different, 0.5 when either side is undecided
--     length       the answer's length in characters (code points): 1 from 150 to 1200,
--                  falling linearly to 0 at 0 below and at 2000 above
--   judge: one call on the whole answer; coverage, grounding and actionability 1..5 each;
--     quality = (mean of the three - 1) / 4
--   reward = 0.3 * d + 0.7 * quality
--     when the judge call fails (after the client's retries), the reward is 0.5 and the metric
--     judge_error is 1; language, length and deterministic are still reported.
-- Metrics: safe, well_formed (gates), language, length, deterministic, quality (weight 0, so
-- reported as Metric), judge_error. The judge is the endpoint GAVEL_JUDGE_URL names.
local schema   = require "gavel.schema"
local safety   = require "gavel.safety"
local language = require "gavel.language"
local text     = require "gavel.text"
local llm      = require "gavel.judge"   -- not `judge`: that is the step constructor

local review_schema = schema.load("../schemas/contract_comments.json")
local guard = safety.load {
  packs = { "rules/injection.json", "rules/secrets.json" },
  actions = { injection = "zero", secret = "zero" },
}
local answer_length = text.penalty { unit = "chars", min = 150, max = 1200, shape = "linear",
                                     below = 150, above = 800 }
local grader = llm.new {
  prompt  = "prompts/contract_review_full.txt",
  verdict = "../schemas/contract_review_full_verdict.json",
  temperature = 0,
  max_tokens = 300,
  timeout_ms = 60000,
}

local LANGUAGE_WEIGHT, LENGTH_WEIGHT = 0.5, 0.5
local DETERMINISTIC_WEIGHT, JUDGE_WEIGHT = 0.3, 0.7

local function parsed(s)
  s.parsed = s.parsed or review_schema:check(s.answer)
  return s.parsed
end

-- The comments' prose: each comment's issue, then its suggestion, one per line.
local function prose_of(comments)
  local lines = {}
  for _, c in ipairs(comments) do
    lines[#lines + 1] = c.issue
    lines[#lines + 1] = c.suggestion
  end
  return table.concat(lines, "\n")
end

return rubric {
  name = "contract-review-full",
  description = "Contract review: safety and schema gates, language and length, one judge call per sample",
  neutral = 0.5,
  limits = { memory_mb = 64, instructions = 5e7, time_ms = 120000 },

  gates = {
    gate {
      name = "safe",
      measures = "safety",
      description = "no instructions aimed at the judge, no secrets",
      fn = function(s)
        local scan = guard:scan(s.answer)
        return scan.action ~= "zero", scan.summary
      end,
    },
    gate {
      name = "well_formed",
      measures = "schema",
      description = "JSON comments that follow schemas/contract_comments.json",
      fn = function(s)
        local r = parsed(s)
        if r.status ~= "ok" then return false, r.error end
        if not r.valid then
          local v = r.violations[1]
          return false, ("%s: %s"):format(v.pointer == "" and "/" or v.pointer, v.message)
        end
        return true
      end,
    },
  },

  checks = {
    check {
      name = "language",
      measures = "language",
      weight = 0,
      description = "the comments are in the prompt's language (0.5 when undecided)",
      fn = function(s)
        local c = language.compare(prose_of(parsed(s).value.comments), s.prompt)
        local value
        if not c.reliable then value = 0.5 elseif c.match then value = 1 else value = 0 end
        s.language_value = value
        return value, ("comments %s, prompt %s"):format(c.answer, c.expected)
      end,
    },
    check {
      name = "length",
      weight = 0,
      description = "150 to 1200 characters; 0 at 0 and from 2000",
      fn = function(s)
        local value, chars = answer_length:score(s.answer)
        s.length_value = value
        return value, ("%d characters"):format(chars)
      end,
    },
    check {
      name = "deterministic",
      weight = 0,
      description = "d = 0.5 * language + 0.5 * length",
      fn = function(s)
        return LANGUAGE_WEIGHT * s.language_value + LENGTH_WEIGHT * s.length_value
      end,
    },
  },

  judges = {
    judge {
      name = "quality",
      weight = 0,
      description = "one judge call on the whole answer: coverage, grounding, actionability",
      fn = function(s)
        local ok, v = pcall(grader.ask, grader, s)
        if not ok then
          s.judge_failed = true
          return 0.5, "judge failed: " .. tostring(v)
        end
        local mean = (v.coverage + v.grounding + v.actionability) / 3
        return (mean - 1) / 4, v.rationale
      end,
    },
  },

  score = function(s, r)
    if s.judge_failed then return 0.5, { judge_error = 1 } end
    return DETERMINISTIC_WEIGHT * r.checks.deterministic + JUDGE_WEIGHT * r.judges.quality,
           { judge_error = 0 }
  end,
}
