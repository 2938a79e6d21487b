-- The whole contract-review reward in one rubric, as a reward Lambda would compute it: the answer
-- is JSON comments on a contract (schemas/contract_comments.json); one LLM judge call scores the
-- whole review. bench/reference/reward.py is the same reward written in plain Python, and
-- bench/reference/agree.py checks that both compute the same deterministic part.
--
--   gates and the deterministic part d (rubrics/lib/contract_review.lua): safety and schema
--     gates (a failed gate gives reward 0, nothing else runs); d = 0.5 * language + 0.5 * length
--   judge: one call on the whole answer; coverage, grounding and actionability 1..5 each;
--     quality = (mean of the three - 1) / 4. An attempt that gets no answer in 10 s is tried
--     again, with backoff, while the call's 60 s last.
--   reward = 0.3 * d + 0.7 * quality
--     when the judge call fails (after the client's retries), the reward is 0.5 and the metric
--     judge_error is 1; language, length and deterministic are still reported.
-- Metrics: safe, well_formed (gates), language, length, deterministic, quality (weight 0, so
-- reported as Metric), judge_error. The judge is the endpoint GAVEL_JUDGE_URL names.
local contract = require "lib.contract_review"   -- the gates and the deterministic checks
local llm      = require "gavel.judge"              -- not `judge`: that is the step constructor

local steps = contract.steps()
local grader = llm.new {
  prompt  = "prompts/contract_review_full.txt",
  verdict = "../schemas/contract_review_full_verdict.json",
  temperature = 0,
  max_tokens = 300,
  timeout_ms = 60000,
  attempt_timeout_ms = 10000,
}

local DETERMINISTIC_WEIGHT, JUDGE_WEIGHT = 0.3, 0.7

return rubric {
  name = "contract-review-full",
  description = "Contract review: safety and schema gates, language and length, one judge call per sample",
  neutral = 0.5,
  limits = { memory_mb = 64, instructions = 5e7, time_ms = 120000 },

  gates = steps.gates,
  checks = steps.checks,

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
