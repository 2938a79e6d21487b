-- Scores short maths answers against a numeric reference.
--   gates:  the model answered at all, and not at absurd length
--   checks: the final answer is right (most of the reward); the answer states it in a
--           recognisable form; the answer is concise
local maths = require "lib.maths"

return rubric {
  name = "math-answer",
  description = "Numeric maths answers compared with the reference answer",
  neutral = 0.5,
  limits = { memory_mb = 16, instructions = 1e7, time_ms = 2000 },

  gates = {
    gate {
      name = "answered",
      reward = 0,
      fn = function(s)
        return s.answer:find("%S") ~= nil, "the answer is empty"
      end,
    },
    gate {
      name = "not_rambling",
      reward = 0.1,
      fn = function(s)
        return #s.answer <= 4000, ("the answer is %d bytes long (limit 4000)"):format(#s.answer)
      end,
    },
  },

  checks = {
    check {
      name = "correct",
      weight = 0.8,
      fn = function(s)
        local found, form = maths.final_answer(s.answer)
        local got = maths.to_number(found)
        local want = maths.to_number(s.reference)
        if want == nil then error("the sample has no numeric reference_answer") end
        return maths.same_number(got, want), ("final answer %q (%s), reference %s")
          :format(tostring(found), tostring(form), tostring(s.reference))
      end,
    },
    check {
      name = "states_final_answer",
      weight = 0.1,
      fn = function(s) return maths.final_answer(s.answer) ~= nil end,
    },
    check {
      name = "concise",
      weight = 0.1,
      fn = function(s)
        -- Full marks up to 600 bytes, then falling linearly to zero at 2000.
        local n = #s.answer
        if n <= 600 then return 1 end
        return math.max(0, 1 - (n - 600) / 1400)
      end,
    },
    check {
      name = "answer_bytes",
      weight = 0,  -- reported as a metric, not part of the reward
      fn = function(s) return #s.answer end,
    },
  },
}
