return rubric {
  limits = { instructions = 1e6, time_ms = 200 },
  checks = { check { name = "spin", weight = 1, fn = function(s)
    local ok = pcall(function() while true do end end)
    return ok
  end } },
}
