-- A rubric that fails to load: the Lambda init must report this file and line and stop.
return rubric {
  name = "broken",
  gates = { gate { name = "g", fn = 42 } },
}
