-- The contract-review reward without the judge (RLVR only): the gates and the deterministic
-- part of rubrics/contract_review_full.lua, from rubrics/lib/contract_review.lua.
--   reward = 0 when a gate fails (safety, schema), else d = 0.5 * language + 0.5 * length
-- bench/reference/reward.py computes the same with DETERMINISTIC_ONLY=1 (or --deterministic-only),
-- and bench/run.sh times the two against each other.
local contract = require "lib.contract_review"

local steps = contract.steps()

return rubric {
  name = "contract-review-deterministic",
  description = "Contract review without a judge: safety and schema gates, then language and length",
  neutral = 0.5,
  limits = { memory_mb = 64, instructions = 5e7, time_ms = 10000 },
  gates = steps.gates,
  checks = steps.checks,
  score = function(_, r) return r.checks.deterministic end,
}
