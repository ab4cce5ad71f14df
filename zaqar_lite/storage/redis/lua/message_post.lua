-- ARGV[5..]: per message: random suffix, ttl, delay, record, body (the
-- last two msgpack), idempotency key ('' for none), dedup window, priority.
-- Returns {ids in order, 1-based positions of the repeats} (a repeat's id
-- is the one its key was first posted with), or false when the queue
-- does not exist.
if redis.call('EXISTS', K.meta) == 0 then return false end
local ids, repeats = {}, {}
for i = 5, #ARGV, 8 do
  local key = ARGV[i + 5]
  local first = false
  if key ~= '' then
    local expires = redis.call('ZSCORE', K.dedupexp, key)
    if expires and tonumber(expires) > NOW then
      first = redis.call('HGET', K.dedup, key)
    end
  end
  if first then
    ids[#ids + 1] = first
    repeats[#repeats + 1] = #ids
  else
    local seq = redis.call('HINCRBY', K.meta, 'seq', 1)
    local id = pad(seq) .. '-' .. ARGV[i]
    redis.call('HSET', K.msgs, id, ARGV[i + 3])
    redis.call('HSET', K.bodies, id, ARGV[i + 4])
    redis.call('ZADD', K.seq, seq, id)
    redis.call('ZADD', K.unclaimed, seq, id)
    redis.call('ZADD', K.exp, NOW + tonumber(ARGV[i + 1]), id)
    add_available(K, id, tonumber(ARGV[i + 7]), NOW + tonumber(ARGV[i + 2]))
    if key ~= '' then
      redis.call('HSET', K.dedup, key, id)
      redis.call('ZADD', K.dedupexp, NOW + tonumber(ARGV[i + 6]), key)
    end
    ids[#ids + 1] = id
  end
end
return {ids, repeats}
