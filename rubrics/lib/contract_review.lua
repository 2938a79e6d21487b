-- The deterministic part of the contract-review reward, shared by rubrics/contract_review_full.lua
-- (with one judge call) and rubrics/contract_review_deterministic.lua (without). The answer is
-- JSON comments on a contract (schemas/contract_comments.json).
--
--   gates (a failed gate gives reward 0, nothing else runs):
--     safe         no hit of the safety packs (rules/injection.json and rules/secrets.json unless
--                  the caller names others; every hit zeroes the reward)
--     well_formed  the answer's JSON (bare, fenced or after prose) follows the schema
--   checks, all weight 0 (the rubric's score combines them):
--     language     the comments' prose (each issue and suggestion, one per line) is in the
--                  prompt's language: 1 same, 0 different, 0.5 when either side is undecided
--     length       the answer's length in characters (code points): 1 from 150 to 1200,
--                  falling linearly to 0 at 0 below and at 2000 above
--     deterministic  d = 0.5 * language + 0.5 * length
--
--   local contract = require "lib.contract_review"
--   local steps = contract.steps { packs = { "rules/injection.json" } }   -- packs optional
--   return rubric { ..., gates = steps.gates, checks = steps.checks, ... }
--
-- File names are relative to the rubric's folder, so a rubric using this module lives in a
-- rubrics folder with schemas/ beside it, as rubrics/ does.
local schema   = require "gavel.schema"
local safety   = require "gavel.safety"
local language = require "gavel.language"
local text     = require "gavel.text"

local contract = {}

contract.LANGUAGE_WEIGHT, contract.LENGTH_WEIGHT = 0.5, 0.5

-- The comments' prose: each comment's issue, then its suggestion, one per line.
local function prose_of(comments)
  local lines = {}
  for _, c in ipairs(comments) do
    lines[#lines + 1] = c.issue
    lines[#lines + 1] = c.suggestion
  end
  return table.concat(lines, "\n")
end

function contract.steps(opts)
  opts = opts or {}
  local packs = opts.packs or { "rules/injection.json", "rules/secrets.json" }
  local actions = {}
  for category, action in pairs(opts.actions or { injection = "zero", secret = "zero" }) do
    actions[category] = action
  end
  local review_schema = schema.load("../schemas/contract_comments.json")
  local guard = safety.load { packs = packs, actions = actions }
  local answer_length = text.penalty { unit = "chars", min = 150, max = 1200, shape = "linear",
                                       below = 150, above = 800 }

  local function parsed(s)
    s.parsed = s.parsed or review_schema:check(s.answer)
    return s.parsed
  end

  local gates = {
    gate {
      name = "safe",
      measures = "safety",
      description = "no instructions aimed at the judge, no secrets",
      fn = function(s)
        local scan = guard:scan(s.answer)
        return scan.action ~= "zero", scan.summary
      end,
    },
    gate {
      name = "well_formed",
      measures = "schema",
      description = "JSON comments that follow schemas/contract_comments.json",
      fn = function(s)
        local r = parsed(s)
        if r.status ~= "ok" then return false, r.error end
        if not r.valid then
          local v = r.violations[1]
          return false, ("%s: %s"):format(v.pointer == "" and "/" or v.pointer, v.message)
        end
        return true
      end,
    },
  }

  local checks = {
    check {
      name = "language",
      measures = "language",
      weight = 0,
      description = "the comments are in the prompt's language (0.5 when undecided)",
      fn = function(s)
        local c = language.compare(prose_of(parsed(s).value.comments), s.prompt)
        local value
        if not c.reliable then value = 0.5 elseif c.match then value = 1 else value = 0 end
        s.language_value = value
        return value, ("comments %s, prompt %s"):format(c.answer, c.expected)
      end,
    },
    check {
      name = "length",
      weight = 0,
      description = "150 to 1200 characters; 0 at 0 and from 2000",
      fn = function(s)
        local value, chars = answer_length:score(s.answer)
        s.length_value = value
        return value, ("%d characters"):format(chars)
      end,
    },
    check {
      name = "deterministic",
      weight = 0,
      description = "d = 0.5 * language + 0.5 * length",
      fn = function(s)
        return contract.LANGUAGE_WEIGHT * s.language_value + contract.LENGTH_WEIGHT * s.length_value
      end,
    },
  }
  return { gates = gates, checks = checks }
end

return contract
