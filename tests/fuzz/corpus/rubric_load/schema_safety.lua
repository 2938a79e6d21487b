local schema = require "gavel.schema"
local safety = require "gavel.safety"
local verdict = schema.load("../schemas/contract_verdict.json")
local guard = safety.load { packs = { "rules/injection.json" }, actions = { injection = "zero" } }
return rubric {
  gates = { gate { name = "safe", reward = 0, fn = function(s)
    local scan = guard:scan(s.answer)
    return scan.action ~= "zero", scan.summary
  end } },
  checks = {
    check { name = "json", weight = 1, fn = function(s)
      local e = schema.extract(s.answer)
      local r = verdict:check(s.answer)
      local v = verdict:validate({ grounding = 1, consistency = 2, actionability = 3, rationale = "x" })
      return r.valid and 1 or 0, tostring(e.status) .. tostring(v.valid) .. safety.normalize("x\u{200B}y")
    end },
  },
}
