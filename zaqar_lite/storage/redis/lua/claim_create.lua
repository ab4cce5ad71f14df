-- ARGV[5] claim id, ARGV[6] ttl, ARGV[7] grace, ARGV[8] limit.
-- Claims available messages, the highest priority first, then the oldest
-- available; each is available again its redelivery backoff after the
-- claim's end.  Those claimed as often as the queue's _max_claim_count
-- move, unclaimed, to its _dead_letter_queue.
-- Returns the claimed messages as describe() does (none when the queue is
-- missing or empty).  The claimed ones are written and read with one call
-- per key for them all, not one per message.
if redis.call('EXISTS', K.meta) == 0 then return {} end
housekeep(K, 100)
local cid, ttl, grace = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local limit = tonumber(ARGV[8])
local meta = cjson.decode(redis.call('HGET', K.meta, 'metadata'))
local max_claims = tonumber(meta['_max_claim_count'])
local dead_letter = dead_letter_target(meta)  -- nil: none, or itself
local until_ = NOW + ttl
local kept_until = until_ + grace  -- a claimed message lives at least so
local kept_text = score_text(kept_until)
local scheduled = redis.call('EXISTS', K.backoff) == 1
-- Scores go to ZADD as text (Redis 7.0 formats each number it is passed
-- with snprintf), each made once: when a message claimed ``count`` times
-- is available again, by its backoff.
local available_texts = {}  -- backoff seconds -> score text
local function available_again(count)
  local wait = scheduled and backoff(K, count) or 0
  local text = available_texts[wait]
  if not text then
    text = score_text(until_ + wait)
    available_texts[wait] = text
  end
  return text
end
-- per claimed message, in order: id, claim count, expiry, availability,
-- sequence (scores as text)
local taken, counts, expiries, availables, sequences = {}, {}, {}, {}, {}
local extended = {}  -- ZADD arguments of the expiries the claim extends

local levels, level = avail_keys(K), 1  -- the highest priority first
while #taken < limit and levels[level] do
  local avail = levels[level]
  local wanted = limit - #taken
  local ids = claimable(K, avail, wanted)
  if #ids < wanted then level = level + 1 end  -- this level is exhausted
  if #ids > 0 then
    local claimed_before = redis.call('HMGET', K.mcount, unpack(ids))
    local rescored = {}  -- ZADD arguments: when each is available again
    for i, id in ipairs(ids) do
      local count = tonumber(claimed_before[i] or '0')
      local expires = redis.call('ZSCORE', K.exp, id)
      if not (expires and tonumber(expires) > NOW) then
        remove_message(K, id)
      elseif dead_letter and max_claims and count >= max_claims then
        move_to_dead_letter(K, meta, id, dead_letter, 'max_claims', nil)
      else
        local n = #taken + 1
        taken[n], counts[n] = id, count + 1
        sequences[n] = sequence_of(K, id)
        availables[n] = available_again(count + 1)
        if tonumber(expires) < kept_until then
          expires = kept_text
          extended[#extended + 1] = kept_text
          extended[#extended + 1] = id
        end
        expiries[n] = expires
        rescored[#rescored + 1] = availables[n]
        rescored[#rescored + 1] = id
      end
    end
    if #rescored > 0 then redis.call('ZADD', avail, unpack(rescored)) end
    -- taken ones are fresh no more (the next round must not see them)
    if avail == K.avail then redis.call('ZREM', K.fresh, unpack(ids)) end
  end
end
if #taken == 0 then return {} end

local holders, claim_counts, held = {}, {}, {}
for i, id in ipairs(taken) do
  holders[2 * i - 1], holders[2 * i] = id, cid
  claim_counts[2 * i - 1], claim_counts[2 * i] = id, counts[i]
  held[2 * i - 1], held[2 * i] = sequences[i], id
end
redis.call('HSET', K.mclaim, unpack(holders))
redis.call('HSET', K.mcount, unpack(claim_counts))
redis.call('ZREM', K.unclaimed, unpack(taken))
redis.call('ZADD', K.held, unpack(held))
if #extended > 0 then redis.call('ZADD', K.exp, unpack(extended)) end
redis.call('SADD', K.cset(cid), unpack(taken))
redis.call('ZADD', K.claims, until_, cid)
redis.call('HSET', K.cinfo, cid, ttl .. ' ' .. grace .. ' ' .. NOW)

local records = redis.call('HMGET', K.msgs, unpack(taken))
local bodies, older = {}, {}  -- bodies of messages stored before they
for i, record in ipairs(records) do  -- joined msgs (see message_value)
  bodies[i] = false
  if not holds_body(record) then older[#older + 1] = i end
end
if #older > 0 then
  local older_ids = {}
  for n, i in ipairs(older) do older_ids[n] = taken[i] end
  local found = redis.call('HMGET', K.bodies, unpack(older_ids))
  for n, i in ipairs(older) do bodies[i] = found[n] end
end
local priorities = redis.call('HMGET', K.mprio, unpack(taken))
local origins = redis.call('HMGET', K.dlinfo, unpack(taken))
local holder, ends = cid, score_text(until_)
if until_ <= NOW then holder, ends = '', '' end  -- ended as it began
local claimed = {}
for i, id in ipairs(taken) do
  claimed[i] = {id, records[i], bodies[i], expiries[i], holder, counts[i],
                availables[i], ends,
                tonumber(priorities[i] or DEFAULT_PRIORITY), origins[i]}
end
return claimed
