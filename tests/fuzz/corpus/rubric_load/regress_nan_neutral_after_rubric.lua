local r = rubric { checks = { check { name = "a", fn = function(s) error("x") end } } }
r.neutral = 0/0
return r
