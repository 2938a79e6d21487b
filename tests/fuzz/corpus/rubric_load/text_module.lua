local text = require "gavel.text"
local band = text.penalty { unit = "words", min = 2, max = 30, shape = "linear", margin = 10 }
local boxed = text.matcher { kind = "regex", pattern = [[#### *(\d+)]] }
local hedge = text.matcher { kind = "contains", pattern = "as an ai", case_fold = true, whitespace = true }
return rubric {
  checks = {
    check { name = "final", weight = 1, fn = function(s)
      local ok, info = text.check_answer(s.answer, s.reference, { rel_tol = 1e-4 })
      return ok, info and info.got
    end },
    check { name = "band", weight = 1, fn = function(s) return (band:score(s.answer)) end },
    check { name = "sim", weight = 1, fn = function(s)
      return text.edit_similarity(s.answer, s.reference) + text.token_f1(s.answer, s.prompt) * 0
        + text.bleu(s.answer, s.prompt) * 0 + text.rouge_l(s.answer, s.prompt) * 0
    end },
    check { name = "match", weight = 0, fn = function(s)
      return (boxed:test(s.answer) and 1 or 0) + (hedge:test(s.answer) and 0 or 0)
    end },
  },
}
