return rubric {
  limits = { memory_mb = 1 },
  checks = { check { name = "grow", weight = 1, fn = function(s)
    local t = {}
    for i = 1, 1e6 do t[i] = string.rep("x", 100) .. i end
    return #t
  end } },
}
