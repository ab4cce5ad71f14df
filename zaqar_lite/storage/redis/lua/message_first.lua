-- ARGV[5]: 1 for the oldest live message, -1 for the newest.
local descending = ARGV[5] ~= '1'
local bound = descending and '+inf' or '-inf'
while true do
  local page = in_sequence(K, bound, 100, descending, true)
  if #page == 0 then return false end
  for i = 1, #page, 2 do
    if is_live(K, page[i]) then return describe(K, page[i]) end
  end
  bound = '(' .. page[#page]
end
