-- ARGV[5..]: per message: random suffix, ttl, delay, record, body
-- (the last two msgpack).
-- Returns the new ids in order, or false when the queue does not exist.
if redis.call('EXISTS', K.meta) == 0 then return false end
local ids = {}
for i = 5, #ARGV, 5 do
  local seq = redis.call('HINCRBY', K.meta, 'seq', 1)
  local id = pad(seq) .. '-' .. ARGV[i]
  redis.call('HSET', K.msgs, id, ARGV[i + 3])
  redis.call('HSET', K.bodies, id, ARGV[i + 4])
  redis.call('ZADD', K.seq, seq, id)
  redis.call('ZADD', K.unclaimed, seq, id)
  redis.call('ZADD', K.exp, NOW + tonumber(ARGV[i + 1]), id)
  redis.call('ZADD', K.avail, NOW + tonumber(ARGV[i + 2]), id)
  ids[#ids + 1] = id
end
return ids
