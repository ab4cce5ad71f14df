-- ARGV[5]: the SHA1 of the metadata JSON the messages were made with, or
-- '' to post whatever the metadata is.
-- ARGV[6]: how the messages follow: 'each' or 'alike'.
-- 'each', ARGV[7..]: per message: random suffix, ttl, delay, the message
-- as msgs keeps it (see message_value in common.lua), idempotency key
-- ('' for none), dedup window, priority.
-- 'alike' (messages that share ttl, delay and priority and have no
-- idempotency key, most posts), ARGV[7] ttl, ARGV[8] delay, ARGV[9]
-- priority, ARGV[10] the random suffixes of all, end to end (one width),
-- ARGV[11..]: the messages as msgs keeps them: a post of 10 sends 15
-- arguments instead of 76, each of which costs Redis and the script.
-- Returns {ids in order, 1-based positions of the repeats} (a repeat's id
-- is the one its key was first posted with); {'changed', metadata JSON}
-- when the metadata is no longer the one ARGV[5] names (nothing posted);
-- false when the queue does not exist.
-- The new messages are written with one call per key for them all (per
-- slice of call_in_slices), not one per message.
if redis.call('EXISTS', K.meta) == 0 then return false end
if ARGV[5] ~= '' then
  local metadata = redis.call('HGET', K.meta, 'metadata')
  if redis.sha1hex(metadata) ~= ARGV[5] then
    return {'changed', metadata}
  end
end
local ids, repeats = {}, {}
local seq = tonumber(redis.call('HGET', K.meta, 'seq') or '0')
local ready = 0  -- stored messages claimable at once
-- HSET / ZADD arguments of the new messages: values, sequence scores of
-- the fresh ones (claimable at once, the default priority: see claimable
-- in common.lua) and of the others, expiries
local values, fresh, sequence, expiries = {}, {}, {}, {}
local available = {}  -- priority (text) -> ZADD arguments of that level
-- Scores go to ZADD as text: Redis 7.0 formats every number a script
-- passes it with snprintf('%.17g'), about as costly as the ZADD itself.
-- Expiry and availability scores are made once per distinct ttl and delay
-- of the post (its messages mostly share them).
local expiry_scores, available_scores = {}, {}
local function expiry_score(ttl)
  local score = expiry_scores[ttl]
  if not score then
    score = score_text(NOW + tonumber(ttl))
    expiry_scores[ttl] = score
  end
  return score
end
local function available_score(delay)
  local score = available_scores[delay]
  if not score then
    score = score_text(NOW + tonumber(delay))
    available_scores[delay] = score
  end
  return score
end
local dedup, dedup_expiries = {}, {}
local live_keys = {}  -- idempotency key -> id, of this post's new messages
local alike = ARGV[6] == 'alike'
local count = alike and #ARGV - 10 or (#ARGV - 6) / 7
local width = alike and count > 0 and #ARGV[10] / count
-- suffix, ttl, delay, stored message, idempotency key, dedup window and
-- priority of the n-th message (from 0)
local function message(n)
  if alike then
    return string.sub(ARGV[10], n * width + 1, (n + 1) * width), ARGV[7],
      ARGV[8], ARGV[11 + n], '', '0', ARGV[9]
  end
  local i = 7 + 7 * n
  return ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
    ARGV[i + 5], ARGV[i + 6]
end
for n = 0, count - 1 do
  local suffix, ttl, delay, value, key, window, priority = message(n)
  local first = false
  if key ~= '' then
    first = live_keys[key]
    if not first then
      local expires = redis.call('ZSCORE', K.dedupexp, key)
      if expires and tonumber(expires) > NOW then
        first = redis.call('HGET', K.dedup, key)
      end
    end
  end
  if first then
    ids[#ids + 1] = first
    repeats[#repeats + 1] = #ids
  else
    seq = seq + 1
    -- the id: the sequence number padded to 15 digits (so that ids sort
    -- as the messages were posted), a dash, the random suffix; the padded
    -- number is the sequence score too
    local position = string.format('%015d', seq)
    local id = position .. '-' .. suffix
    push(values, id, value)
    push(expiries, expiry_score(ttl), id)
    if tonumber(delay) == 0 and tonumber(priority) == DEFAULT_PRIORITY then
      push(fresh, position, id)
    else
      push(sequence, position, id)
      local level = available[priority]
      if not level then
        level = {}
        available[priority] = level
      end
      push(level, available_score(delay), id)
    end
    if key ~= '' then
      window = tonumber(window)
      push(dedup, key, id)
      push(dedup_expiries, NOW + window, key)
      if window > 0 then live_keys[key] = id end
    end
    if tonumber(delay) == 0 then ready = ready + 1 end
    ids[#ids + 1] = id
  end
end
if #values > 0 then
  redis.call('HSET', K.meta, 'seq', seq)
  call_in_slices('HSET', K.msgs, values)
  if redis.call('EXISTS', K.seq) == 1 then  -- a queue of before held
    call_in_slices('ZADD', K.seq, fresh)
    call_in_slices('ZADD', K.seq, sequence)
  end
  call_in_slices('ZADD', K.fresh, fresh)
  call_in_slices('ZADD', K.unclaimed, sequence)
  call_in_slices('ZADD', K.exp, expiries)
  for priority, members in pairs(available) do
    add_available_all(K, tonumber(priority), members)
  end
  if #dedup > 0 then
    call_in_slices('HSET', K.dedup, dedup)
    call_in_slices('ZADD', K.dedupexp, dedup_expiries)
  end
end
ring(ready)
return {ids, repeats}
