local l = { memory_mb = 1 }
local r = rubric { limits = l, checks = { check { name = "a", fn = function(s) return 1 end } } }
l.memory_mb = -1
return r
