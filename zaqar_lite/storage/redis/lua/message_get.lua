-- ARGV[5..]: ids. Returns the live ones among them.
local found = {}
for i = 5, #ARGV do
  if is_live(K, ARGV[i]) then found[#found + 1] = describe(K, ARGV[i]) end
end
return found
