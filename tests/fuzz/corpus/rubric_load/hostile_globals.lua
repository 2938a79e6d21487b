counter = 0
return rubric {
  checks = { check { name = "escape", weight = 1, fn = function(s)
    local results = {}
    results[1] = pcall(function() counter = counter + 1 end)
    results[2] = pcall(function() string.upper = nil end)
    results[3] = pcall(function() return io.open("/etc/passwd") end)
    results[4] = pcall(load, "\27Lua")
    results[5] = pcall(setmetatable, {}, { __gc = function() end })
    results[6] = pcall(require, "../../etc/passwd")
    results[7] = pcall(function() return undefined_name end)
    results[8] = xpcall(error, function(m) return m end, "boom")
    return results[1] and 0 or 1, tostring(collectgarbage("count"))
  end } },
}
