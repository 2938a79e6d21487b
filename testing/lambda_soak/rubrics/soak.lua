-- The rubric of the Lambda soak test (testing/lambda_soak/soak.cpp): a format gate, a length check
-- and one judge call per point of the answer, all in flight at once, like contract_review. The
-- judge timeouts are short so that a random hang of the stand-in judge costs one attempt, not the
-- invocation: a hung attempt is given up after 250 ms and asked again, a call gives up after
-- 3 s, and a point whose every attempt hangs ends at the invocation's deadline.
local schema = require "gavel.schema"
local text   = require "gavel.text"
local llm    = require "gavel.judge"

local answer_schema = schema.load("../schemas/soak_answer.json")
local concise = text.penalty { unit = "words", max = 80, margin = 80 }
local grader = llm.new {
  prompt  = "prompts/soak.txt",
  verdict = "../schemas/soak_verdict.json",
  max_tokens = 100,
  timeout_ms = 3000,
  attempt_timeout_ms = 250,
}

return rubric {
  name = "soak",
  neutral = 0.5,
  limits = { memory_mb = 16, time_ms = 10000 },

  gates = {
    gate {
      name = "well_formed",
      measures = "schema",
      fn = function(s)
        s.parsed = answer_schema:check(s.answer)
        if s.parsed.status ~= "ok" then return false, s.parsed.error end
        if not s.parsed.valid then return false, s.parsed.violations[1].message end
        return true
      end,
    },
  },

  checks = {
    check {
      name = "concise",
      weight = 0.2,
      fn = function(s)
        local value, words = concise:score(s.answer)
        return value, words .. " words"
      end,
    },
  },

  judges = {
    judge {
      name = "points",
      weight = 0.8,
      fn = function(s)
        local verdicts = grader:ask_each(s, s.parsed.value.points)
        local sum = 0
        for _, v in ipairs(verdicts) do sum = sum + v.score end
        return (sum / #verdicts - 1) / 4, { calls = #verdicts }
      end,
    },
  },
}
