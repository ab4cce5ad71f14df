-- ARGV[5]: 1 for the oldest live message, -1 for the newest.
local ascending = ARGV[5] == '1'
local start = 0
while true do
  local ids = ascending and redis.call('ZRANGE', K.seq, start, start + 99)
    or redis.call('ZREVRANGE', K.seq, start, start + 99)
  if #ids == 0 then return false end
  for _, id in ipairs(ids) do
    if is_live(K, id) then return describe(K, id) end
  end
  start = start + 100
end
