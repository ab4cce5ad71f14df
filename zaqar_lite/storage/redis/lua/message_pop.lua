-- ARGV[5] limit. Removes and returns up to limit claimable messages.
housekeep(K, 100)
local ids = redis.call('ZRANGEBYSCORE', K.avail, '-inf', NOW, 'LIMIT', 0,
                       tonumber(ARGV[5]))
local popped = {}
for _, id in ipairs(ids) do
  popped[#popped + 1] = describe(K, id)
  remove_message(K, id)
end
return popped
