-- Returns false for a missing queue, else
-- {total, claimed, delayed, oldest message or false, newest or false}.
if redis.call('EXISTS', K.meta) == 0 then return false end
repeat
  local done = housekeep(K, 1000)
until done[1] < 1000 and done[2] < 1000
local unclaimed = redis.call('ZCARD', K.fresh) +
  redis.call('ZCARD', K.unclaimed)
local total = unclaimed + redis.call('ZCARD', K.held)
if redis.call('EXISTS', K.seq) == 1 then  -- a queue of before held
  total = redis.call('ZCARD', K.seq)
end
local claimed = total - unclaimed
local waiting = 0
for _, avail in ipairs(avail_keys(K)) do
  waiting = waiting + redis.call('ZCOUNT', avail, '(' .. NOW, '+inf')
end
local function edge(descending)
  local first = in_sequence(K, descending and '+inf' or '-inf', 1,
                            descending, true)[1]
  return first and describe(K, first) or false
end
return {total, claimed, waiting - claimed, edge(false), edge(true)}
