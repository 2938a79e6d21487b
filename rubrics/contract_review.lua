-- Scores a contract-review model: for a contract (the prompt) and a reference review, the model
-- answers with JSON comments (schemas/contract_comments.json). An LLM judge scores each comment
-- on grounding in the contract, consistency with the reference and actionability, 1 to 5 each
-- (prompts/contract_review.txt, verdicts per schemas/contract_verdict.json). A comment scores the
-- mean of the three; the sample scores the mean over its comments, mapped from 1..5 to 0..1.
--   gates:  nothing aimed at the judge or leaking secrets; the answer is JSON of the right shape
--   judges: the per-comment judge (one call per comment, all in flight at once)
-- The judge is the endpoint GAVEL_JUDGE_URL names (see the README).
local schema = require "gavel.schema"
local safety = require "gavel.safety"
local llm    = require "gavel.judge"   -- not `judge`: that is the step constructor

local review_schema = schema.load("../schemas/contract_comments.json")
local guard = safety.load {
  packs = { "rules/injection.json", "rules/secrets.json" },
  actions = { injection = "zero", secret = "zero" },
}
local grader = llm.new {
  prompt  = "prompts/contract_review.txt",
  system  = "prompts/contract_review_system.txt",
  verdict = "../schemas/contract_verdict.json",
  temperature = 0,
  max_tokens = 300,
  timeout_ms = 60000,
}

local function parsed(s)
  s.parsed = s.parsed or review_schema:check(s.answer)
  return s.parsed
end

return rubric {
  name = "contract-review",
  description = "Per-comment LLM judgement of a contract review: grounding, consistency, actionability",
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

  judges = {
    judge {
      name = "comments",
      fn = function(s)
        local comments = parsed(s).value.comments
        local items = {}
        for i, c in ipairs(comments) do items[i] = gavel.json.encode(c) end
        local verdicts, info = grader:ask_each(s, items)
        local sum, per_comment = 0, {}
        for i, v in ipairs(verdicts) do
          local score = (v.grounding + v.consistency + v.actionability) / 3
          sum = sum + score
          per_comment[i] = { clause = comments[i].clause, score = score, grounding = v.grounding,
                             consistency = v.consistency, actionability = v.actionability,
                             rationale = v.rationale }
        end
        local mean = sum / #verdicts
        return (mean - 1) / 4, { comments = per_comment, calls = info.calls,
                                 input_tokens = info.input_tokens, output_tokens = info.output_tokens }
      end,
    },
  },
}
