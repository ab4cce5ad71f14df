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
local dead_letter = meta['_dead_letter_queue']
if type(dead_letter) ~= 'string' or dead_letter == QUEUE then
  dead_letter = nil  -- a move into itself would loop: claim instead
end
local until_ = NOW + ttl
local taken = {}

local function move_to_dead_letter(id)
  local dlq = keys_of(PROJECT, dead_letter)
  if redis.call('EXISTS', dlq.meta) == 0 then
    redis.call('HSET', dlq.meta, 'metadata', '{}', 'created', NOW, 'seq', 0)
    redis.call('ZADD', dlq.queues, 0, dead_letter)
    redis.call('ZADD', dlq.all, 0, PROJECT .. '/' .. dead_letter)
  end
  local record = cmsgpack.unpack(redis.call('HGET', K.msgs, id))
  local body = redis.call('HGET', K.bodies, id)
  local count = redis.call('HGET', K.mcount, id)
  local priority = priority_of(K, id)
  local ttl = tonumber(meta['_dead_letter_queue_messages_ttl'])
  if not ttl then
    ttl = tonumber(redis.call('ZSCORE', K.exp, id)) - record[2]
  end
  remove_message(K, id)
  -- It arrives as a new post: created now, not delayed, unclaimed.
  local seq = redis.call('HINCRBY', dlq.meta, 'seq', 1)
  redis.call('HSET', dlq.msgs, id, cmsgpack.pack({record[1], NOW, 0}))
  redis.call('HSET', dlq.bodies, id, body)
  redis.call('HSET', dlq.mcount, id, count)
  redis.call('ZADD', dlq.seq, seq, id)
  redis.call('ZADD', dlq.unclaimed, seq, id)
  redis.call('ZADD', dlq.exp, NOW + ttl, id)
  add_available(dlq, id, priority, NOW)
end

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
      move_to_dead_letter(id)
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
