-- The rubric language. Runs once in every rubric's Lua state, before the rubric file: defines
-- the constructors `rubric`, `gate`, `check` and `judge` (and the `gavel` module as a global),
-- and returns the function the engine calls to score one sample with a loaded rubric.
-- Constructors check their argument at once, so a mistake is reported at the rubric's own line.

-- set_step tells the engine which step runs, for error messages; track_metrics hands it the
-- list of finished steps' metrics, kept when the sample fails later; defined_at(fn) is the
-- "file:line" of a function, for errors about what it returned.
local set_step, track_metrics, defined_at = ...
local error, type, pairs, ipairs, tostring, setmetatable =
      error, type, pairs, ipairs, tostring, setmetatable
local fmt, huge, sort, concat = string.format, math.huge, table.sort, table.concat

-- Objects made by the constructors, with their kind.
local made = setmetatable({}, { __mode = "k" })

local STEP_FIELDS = {
  gate  = { name = true, fn = true, reward = true, description = true, measures = true },
  check = { name = true, fn = true, weight = true, description = true, measures = true },
  judge = { name = true, fn = true, weight = true, description = true, measures = true },
}
-- What a step may say it measures, for reports over many samples (gavel bench): the step passes
-- (value >= 0.5) when the answer follows its schema, is safe, is in the expected language.
local MEASURES = { schema = true, safety = true, language = true }
local RUBRIC_FIELDS = { name = true, description = true, neutral = true, limits = true,
                        gates = true, checks = true, judges = true, score = true }
local LIMIT_FIELDS = { memory_mb = true, instructions = true, time_ms = true }

local function finite(x) return type(x) == "number" and x == x and x ~= huge and x ~= -huge end

local function keys_of(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  sort(list)
  return concat(list, ", ")
end

-- Returns nil or an error message for a step table.
local function step_problem(kind, t)
  if type(t) ~= "table" then return fmt("%s: expected a table, got %s", kind, type(t)) end
  local name = t.name
  if type(name) ~= "string" or not name:find("^[%w_][%w_%.%-]*$") then
    return fmt("%s: 'name' must be a string of letters, digits, '_', '.' or '-', got %s",
               kind, type(name) == "string" and fmt("%q", name) or type(name))
  end
  for k in pairs(t) do
    if not STEP_FIELDS[kind][k] then
      return fmt("%s '%s': unknown field '%s' (fields: %s)", kind, name, tostring(k), keys_of(STEP_FIELDS[kind]))
    end
  end
  if type(t.fn) ~= "function" then
    return fmt("%s '%s': 'fn' must be a function, got %s", kind, name, type(t.fn))
  end
  if kind == "gate" then
    if t.reward ~= nil and not finite(t.reward) then
      return fmt("gate '%s': 'reward' must be a finite number, got %s", name, tostring(t.reward))
    end
  elseif t.weight ~= nil and (not finite(t.weight) or t.weight < 0) then
    return fmt("%s '%s': 'weight' must be a number >= 0, got %s", kind, name, tostring(t.weight))
  end
  if t.description ~= nil and type(t.description) ~= "string" then
    return fmt("%s '%s': 'description' must be a string", kind, name)
  end
  if t.measures ~= nil and not MEASURES[t.measures] then
    return fmt("%s '%s': 'measures' must be one of %s, got %s", kind, name, keys_of(MEASURES),
               type(t.measures) == "string" and fmt("%q", t.measures) or type(t.measures))
  end
  return nil
end

local function new_step(kind, t)
  local step = { kind = kind, name = t.name, fn = t.fn, description = t.description,
                 measures = t.measures, label = fmt("%s '%s'", kind, t.name) }
  if kind == "gate" then step.reward = t.reward or 0 else step.weight = t.weight or 1 end
  made[step] = kind
  return step
end

local function constructor(kind)
  return function(t)
    local problem = step_problem(kind, t)
    if problem then error(problem, 2) end
    local step = new_step(kind, t)
    return step
  end
end

gate = constructor("gate")
check = constructor("check")
judge = constructor("judge")

local function rubric_problem(t)
  if type(t) ~= "table" then return "rubric: expected a table, got " .. type(t) end
  for k in pairs(t) do
    if not RUBRIC_FIELDS[k] then
      return fmt("rubric: unknown field '%s' (fields: %s)", tostring(k), keys_of(RUBRIC_FIELDS))
    end
  end
  if t.name ~= nil and type(t.name) ~= "string" then return "rubric: 'name' must be a string" end
  if t.description ~= nil and type(t.description) ~= "string" then return "rubric: 'description' must be a string" end
  if t.neutral ~= nil and not finite(t.neutral) then
    return "rubric: 'neutral' must be a finite number, got " .. tostring(t.neutral)
  end
  if t.score ~= nil and type(t.score) ~= "function" then
    return "rubric: 'score' must be a function, got " .. type(t.score)
  end
  if t.limits ~= nil then
    if type(t.limits) ~= "table" then return "rubric: 'limits' must be a table" end
    for k, v in pairs(t.limits) do
      if not LIMIT_FIELDS[k] then
        return fmt("rubric: unknown limit '%s' (limits: %s)", tostring(k), keys_of(LIMIT_FIELDS))
      end
      if not finite(v) or v <= 0 then return fmt("rubric: limit '%s' must be a number > 0", k) end
    end
  end
  local seen = {}
  for _, list_name in ipairs({ "gates", "checks", "judges" }) do
    local list = t[list_name]
    local kind = list_name:sub(1, -2)
    if list ~= nil then
      if type(list) ~= "table" then return fmt("rubric: '%s' must be a list of %s steps", list_name, kind) end
      local n = #list
      for k in pairs(list) do
        if math.type(k) ~= "integer" or k < 1 or k > n then
          return fmt("rubric: '%s' must be a list (found key %s)", list_name, tostring(k))
        end
      end
      for i, step in ipairs(list) do
        if made[step] == nil then
          local problem = step_problem(kind, step)
          if problem then return fmt("rubric: %s[%d]: %s", list_name, i, problem) end
        elseif made[step] ~= kind then
          return fmt("rubric: %s[%d] is a %s step; '%s' takes %s steps", list_name, i, made[step], list_name, kind)
        end
        if seen[step.name] then return fmt("rubric: two steps are named '%s'", step.name) end
        seen[step.name] = true
      end
    end
  end
  if not (t.checks and #t.checks > 0) and not (t.judges and #t.judges > 0)
     and not (t.gates and #t.gates > 0) and t.score == nil then
    return "rubric: nothing to score: give gates, checks, judges or a score function"
  end
  return nil
end

local function steps_of(list, kind)
  local out = {}
  for i, step in ipairs(list or {}) do
    out[i] = made[step] and step or new_step(kind, step)
  end
  return out
end

function rubric(t)
  local problem = rubric_problem(t)
  if problem then error(problem, 2) end
  local r = {
    name = t.name, description = t.description, neutral = t.neutral or 0.5,
    limits = t.limits or {}, score = t.score,
    gates = steps_of(t.gates, "gate"), checks = steps_of(t.checks, "check"),
    judges = steps_of(t.judges, "judge"),
  }
  made[r] = "rubric"
  return r
end

gavel = require("gavel")

-- Whatever the rubric file returned, as a rubric object, or an error message.
local function accept(value)
  if made[value] == "rubric" then return value end
  if type(value) ~= "table" then
    return nil, "the rubric file must return a rubric table (return rubric { ... }), got " .. type(value)
  end
  local problem = rubric_problem(value)
  if problem then return nil, problem end
  return rubric(value)
end

local function bad_value(v)
  return type(v) == "number" and tostring(v) or type(v)
end

-- An error about what a function returned, at the line where the function is defined.
local function returned_error(fn, message)
  local where = defined_at(fn)
  error(where ~= "" and where .. ": " .. message or message, 0)
end

local function run_steps(list, s, into, values, metrics, details, acc)
  for _, step in ipairs(list) do
    set_step(step.label)
    local v, d = step.fn(s)
    if v == true then v = 1 elseif v == false then v = 0 end
    if not finite(v) then returned_error(step.fn, "must return a number or a boolean, got " .. bad_value(v)) end
    into[step.name] = v
    values[step.name] = v
    metrics[#metrics + 1] = { step.name, v, step.weight > 0 and "Reward" or "Metric" }
    if d ~= nil then details[step.name] = d end
    if step.weight > 0 then
      acc.sum = acc.sum + step.weight * v
      acc.weight = acc.weight + step.weight
    end
  end
end

-- Scores one sample: gates in order (a failed gate decides the reward), then checks, then
-- judges, then the rubric's score function or the weighted mean. Errors are not caught here:
-- the engine turns them into the neutral reward and an error metric naming the step.
local function run(r, s)
  local metrics, details = {}, {}
  track_metrics(metrics)
  local gates, checks, judges, values = {}, {}, {}, {}
  for _, g in ipairs(r.gates) do
    set_step(g.label)
    local passed, reason = g.fn(s)
    if passed ~= nil and type(passed) ~= "boolean" then
      returned_error(g.fn, "must return true or false, got " .. type(passed))
    end
    passed = passed == true
    gates[g.name] = passed
    metrics[#metrics + 1] = { g.name, passed and 1 or 0, "Metric" }
    if not passed then
      details.gate = { name = g.name, passed = false, reason = reason ~= nil and tostring(reason) or nil }
      set_step(nil)
      return { reward = g.reward, metrics = metrics, details = details }
    end
  end
  local acc = { sum = 0, weight = 0 }
  run_steps(r.checks, s, checks, values, metrics, details, acc)
  run_steps(r.judges, s, judges, values, metrics, details, acc)
  local weighted = acc.weight > 0 and acc.sum / acc.weight or 1
  local reward = weighted
  if r.score then
    set_step("score")
    local v, extra = r.score(s, { gates = gates, checks = checks, judges = judges,
                                  values = values, weighted = weighted })
    if not finite(v) then returned_error(r.score, "must return a finite number, got " .. bad_value(v)) end
    reward = v
    if extra ~= nil then
      if type(extra) ~= "table" then
        returned_error(r.score, "the second result must be a table of extra metrics, got " .. type(extra))
      end
      local names = {}
      for name, value in pairs(extra) do
        if type(name) ~= "string" then
          returned_error(r.score, fmt("extra metrics must be named by strings, got the key %s (a %s)",
                                      tostring(name), type(name)))
        end
        if not finite(value) then
          returned_error(r.score, fmt("extra metric '%s' must be a finite number, got %s", name, bad_value(value)))
        end
        names[#names + 1] = name
      end
      sort(names)
      for _, name in ipairs(names) do metrics[#metrics + 1] = { name, extra[name], "Metric" } end
    end
  end
  set_step(nil)
  return { reward = reward, metrics = metrics, details = details }
end

return { accept = accept, run = run }
