-- ARGV[5]: the SHA1 of the metadata JSON the messages were made with, or
-- '' to post whatever the metadata is.
-- ARGV[6..]: per message: random suffix, ttl, delay, record, body (the
-- last two msgpack), idempotency key ('' for none), dedup window, priority.
-- Returns {ids in order, 1-based positions of the repeats} (a repeat's id
-- is the one its key was first posted with); {'changed', metadata JSON}
-- when the metadata is no longer the one ARGV[5] names (nothing posted);
-- false when the queue does not exist.
if redis.call('EXISTS', K.meta) == 0 then return false end
if ARGV[5] ~= '' then
  local metadata = redis.call('HGET', K.meta, 'metadata')
  if redis.sha1hex(metadata) ~= ARGV[5] then
    return {'changed', metadata}
  end
end
local ids, repeats = {}, {}
local ready = 0  -- stored messages claimable at once
for i = 6, #ARGV, 8 do
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
    if tonumber(ARGV[i + 2]) == 0 then ready = ready + 1 end
    ids[#ids + 1] = id
  end
end
ring(ready)
return {ids, repeats}
