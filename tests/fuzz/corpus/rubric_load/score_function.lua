local t = {}
return rubric {
  name = "scored",
  neutral = 0.25,
  limits = { memory_mb = 2, instructions = 1e5, time_ms = 100 },
  gates = { gate { name = "g", reward = 0, fn = function(s) return s.answer:find("%S") ~= nil, "empty" end } },
  checks = {
    check { name = "a", weight = 2, fn = function(s) return 0.5, "half" end },
    check { name = "b", weight = 0, measures = "schema", fn = function(s) return true end },
  },
  score = function(s, r)
    t[#t + 1] = r.weighted
    return math.min(1, r.weighted + (r.checks.a or 0) / 10), { note = "done", n = #t }
  end,
}
