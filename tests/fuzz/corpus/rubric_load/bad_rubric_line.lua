local x = 1
return rubric {
  name = 3,
  checks = { check { name = "a b", fn = 1 } },
}
