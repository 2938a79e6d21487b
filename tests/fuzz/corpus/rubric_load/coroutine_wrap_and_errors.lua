local function fail_with(v) error(v, 0) end
return rubric {
  checks = {
    check { name = "table_error", weight = 1, fn = function(s) fail_with({ code = 1 }) end },
    check { name = "nan", weight = 1, fn = function(s) return 0 / 0 end },
    check { name = "string_value", weight = 1, fn = function(s) return "yes" end },
  },
  score = function(s, r) return math.huge end,
}
