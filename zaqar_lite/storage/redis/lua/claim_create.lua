-- ARGV[5] claim id, ARGV[6] ttl, ARGV[7] grace, ARGV[8] limit.
-- Claims available messages, the highest priority first, then the oldest
-- available; each is available again its redelivery backoff after the
-- claim's end.  Those claimed as often as the queue's _max_claim_count
-- move, unclaimed, to its _dead_letter_queue.
-- Returns the claimed messages (none when the queue is missing or empty).
if redis.call('EXISTS', K.meta) == 0 then return {} end
housekeep(K, 100)
local cid, ttl, grace = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local limit = tonumber(ARGV[8])
local meta = cjson.decode(redis.call('HGET', K.meta, 'metadata'))
local max_claims = tonumber(meta['_max_claim_count'])
local dead_letter = dead_letter_target(meta)  -- nil: none, or itself
local until_ = NOW + ttl
local taken = {}

local levels, level = avail_keys(K), 1  -- the highest priority first
while #taken < limit and levels[level] do
  local avail = levels[level]
  local wanted = limit - #taken
  local ids = redis.call('ZRANGEBYSCORE', avail, '-inf', NOW, 'LIMIT', 0,
                         wanted)
  if #ids < wanted then level = level + 1 end  -- this level is exhausted
  for _, id in ipairs(ids) do
    local count = tonumber(redis.call('HGET', K.mcount, id) or '0')
    if not is_live(K, id) then
      remove_message(K, id)
    elseif dead_letter and max_claims and count >= max_claims then
      move_to_dead_letter(K, meta, id, dead_letter, 'max_claims', nil)
    else
      redis.call('HSET', K.mclaim, id, cid)
      redis.call('HSET', K.mcount, id, count + 1)
      redis.call('ZREM', K.unclaimed, id)
      redis.call('ZADD', avail, until_ + backoff(K, count + 1), id)
      if tonumber(redis.call('ZSCORE', K.exp, id)) < until_ + grace then
        redis.call('ZADD', K.exp, until_ + grace, id)
      end
      redis.call('SADD', K.cset(cid), id)
      taken[#taken + 1] = id
    end
  end
end
if #taken == 0 then return {} end
redis.call('ZADD', K.claims, until_, cid)
redis.call('HSET', K.cinfo, cid, ttl .. ' ' .. grace .. ' ' .. NOW)
local claimed = {}
for _, id in ipairs(taken) do claimed[#claimed + 1] = describe(K, id) end
return claimed
