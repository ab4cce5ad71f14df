-- Returns false for a missing queue, else
-- {total, claimed, delayed, oldest message or false, newest or false}.
if redis.call('EXISTS', K.meta) == 0 then return false end
repeat
  local done = housekeep(K, 1000)
until done[1] < 1000 and done[2] < 1000
local total = redis.call('ZCARD', K.seq)
local claimed = total - redis.call('ZCARD', K.unclaimed)
local waiting = 0
for _, avail in ipairs(avail_keys(K)) do
  waiting = waiting + redis.call('ZCOUNT', avail, '(' .. NOW, '+inf')
end
local function edge(first, last)
  local ids = redis.call('ZRANGE', K.seq, first, last)
  return ids[1] and describe(K, ids[1]) or false
end
return {total, claimed, waiting - claimed, edge(0, 0), edge(-1, -1)}
