-- The judge benchmark's rubric (bench/bench_judge.cpp): the contract-review judge, with the
-- shipped prompt and verdict schema, behind the JSON-format gate, one call per comment. Its
-- timeouts suit a judge that answers in 200 ms: an attempt that hangs is ended after 2 s and
-- tried again, and a call gives up after 10 s. Loaded with the project folder as the data root.
local schema = require "gavel.schema"
local llm    = require "gavel.judge"

local review_schema = schema.load("../../schemas/contract_comments.json")
local grader = llm.new {
  prompt  = "../../rubrics/prompts/contract_review.txt",
  system  = "../../rubrics/prompts/contract_review_system.txt",
  verdict = "../../schemas/contract_verdict.json",
  max_tokens = 300,
  timeout_ms = 10000,
  attempt_timeout_ms = 2000,
}

return rubric {
  name = "judged-review",
  neutral = 0.5,
  limits = { time_ms = 15000 },
  gates = {
    gate {
      name = "well_formed",
      fn = function(s)
        s.parsed = review_schema:check(s.answer)
        return s.parsed.status == "ok" and s.parsed.valid
      end,
    },
  },
  judges = {
    judge {
      name = "comments",
      fn = function(s)
        local items = {}
        for i, c in ipairs(s.parsed.value.comments) do items[i] = gavel.json.encode(c) end
        local verdicts = grader:ask_each(s, items)
        local sum = 0
        for _, v in ipairs(verdicts) do sum = sum + (v.grounding + v.consistency + v.actionability) / 3 end
        return (sum / #verdicts - 1) / 4
      end,
    },
  },
}
