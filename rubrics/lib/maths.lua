-- Shared helpers for maths rubrics: find the final answer in a model's reasoning and compare
-- numbers with a tolerance. Rubrics use it with `local maths = require "lib.maths"`.
local maths = {}

-- The final answer of a worked solution: the last \boxed{...}, a "#### 42" line, or the text
-- after "the answer is" / "answer:". Returns the answer text and the form found, or nil.
function maths.final_answer(text)
  local boxed
  for inner in text:gmatch("\\boxed(%b{})") do boxed = inner:sub(2, -2) end
  if boxed then return boxed, "boxed" end
  local hashes = text:match("####%s*([^\n]+)")
  if hashes then return hashes, "hashes" end
  local lower = text:lower()
  local at = lower:find("the answer is", 1, true) or lower:find("answer:", 1, true)
  if at then
    local rest = text:sub(at):match("[Aa]nswer is%s*(.+)") or text:sub(at):match("[Aa]nswer:%s*(.+)")
    if rest then return (rest:match("^[^\n]+")), "phrase" end
  end
  return nil
end

-- The number in an answer such as "$1,234.50." or "-3/4"; nil when there is none.
function maths.to_number(text)
  if type(text) == "number" then return text end
  if type(text) ~= "string" then return nil end
  local s = text:gsub("[%$,%s]", "")
  local num, den = s:match("^(%-?%d+)/(%d+)")
  if num then
    den = tonumber(den)
    if den == 0 then return nil end
    return tonumber(num) / den
  end
  return tonumber(s:match("^%-?%d+%.?%d*") or "")
end

-- True when a and b are numbers within a relative tolerance (default 1e-6).
function maths.same_number(a, b, tolerance)
  if a == nil or b == nil then return false end
  tolerance = tolerance or 1e-6
  local scale = math.max(1, math.abs(a), math.abs(b))
  return math.abs(a - b) <= tolerance * scale
end

return maths
