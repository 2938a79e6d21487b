return rubric {
  checks = { check { name = "len", weight = 1, fn = function(s) return #s.answer > 0 end } },
}
