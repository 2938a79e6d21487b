local language = require "gavel.language"
local strict = language.detector { min_letters = 10 }
return rubric {
  checks = {
    check { name = "lang", weight = 1, measures = "language", fn = function(s)
      local d = language.detect(s.answer)
      local c = language.compare_to(s.answer, s.metadata.language)
      local p = language.same_as_prompt(s)
      return c.match, d.language .. " " .. tostring(language.canonical("pt-BR")) .. tostring(p)
    end },
    check { name = "strict", weight = 0, fn = function(s) return strict:detect(s.answer).confidence end },
  },
}
