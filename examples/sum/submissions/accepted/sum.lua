-- sum: accepted. Lua 5.4 integers are 64-bit; io.read("n") keeps integer literals as integers.
local t = io.read("n")
local out = {}
for i = 1, t do
  local a, b = io.read("n", "n")
  out[i] = string.format("%d", a + b)
end
io.write(table.concat(out, "\n"), "\n")
