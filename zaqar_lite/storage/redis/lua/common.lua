-- Shared by every script: prepended to each one before it is loaded.
-- ARGV[1] key prefix, ARGV[2] project, ARGV[3] queue, ARGV[4] now (seconds);
-- the script's own arguments follow from ARGV[5].

local PREFIX, PROJECT, QUEUE = ARGV[1], ARGV[2], ARGV[3]
local NOW = tonumber(ARGV[4])

local function keys_of(project, queue)
  local base = PREFIX .. ':{' .. project .. '/' .. queue .. '}:'
  return {
    meta = base .. 'q',            -- hash: metadata, created, seq
    seq = base .. 'seq',           -- zset: id by posting sequence, of every
                                   -- message; only in queues written by
                                   -- versions before held (see in_sequence)
    avail = base .. 'avail',       -- zset: id by when it may next be claimed,
                                   -- of the default priority (see avail_key)
    levels = base .. 'levels',     -- zset: other priorities that may have
                                   -- messages (member and score: priority)
    mprio = base .. 'mprio',       -- hash: id -> priority, if not the default
    exp = base .. 'exp',           -- zset: id by expiry time
    fresh = base .. 'fresh',       -- zset: id by sequence, of the unclaimed
                                   -- messages claimable since they were
                                   -- posted (see claimable)
    unclaimed = base .. 'free',    -- zset: id by sequence, of the other
                                   -- unclaimed messages
    held = base .. 'held',         -- zset: id by sequence, in a claim (the
                                   -- three together hold every message)
    msgs = base .. 'msgs',         -- hash: id -> the message (message_value)
    bodies = base .. 'bodies',     -- hash: id -> msgpack body, of messages
                                   -- stored before bodies joined msgs
    mclaim = base .. 'mclaim',     -- hash: id -> claim id
    mcount = base .. 'mcount',     -- hash: id -> claim count
    dlinfo = base .. 'dlinfo',     -- hash: id -> JSON dead-letter provenance
    redrive = base .. 'redrive',   -- hash: job (JSON), version, state
    claims = base .. 'claims',     -- zset: claim id by expiry
    cinfo = base .. 'cinfo',       -- hash: claim id -> "ttl grace created"
    backoff = base .. 'backoff',   -- string: the redelivery schedule (see
                                   -- backoff; no key: no _redelivery_policy)
    cset = function(cid) return base .. 'c:' .. cid end,  -- set of held ids
    subs = base .. 'subs',         -- zset: subscription ids (score 0, by id)
    subexp = base .. 'subexp',     -- zset: subscription id by expiry
    subrec = base .. 'subrec',     -- hash: id -> JSON record (opaque here)
    subconf = base .. 'subconf',   -- hash: id -> '1' confirmed, '0' not
    subby = base .. 'subby',       -- hash: subscriber URI -> id
    dedup = base .. 'dedup',       -- hash: idempotency key -> message id
    dedupexp = base .. 'dedupexp', -- zset: idempotency key by expiry
    queues = PREFIX .. ':queues:' .. project,            -- zset of names
    all = PREFIX .. ':all',                              -- zset of project/queue
    redrives = PREFIX .. ':redrives',  -- set of project/queue, job running
  }
end

local K = keys_of(PROJECT, QUEUE)

-- Append a pair of command arguments to ``list``.
local function push(list, a, b)
  list[#list + 1] = a
  list[#list + 1] = b
end

-- A score as Redis itself would answer it (a number returned from a
-- script would be cut to an integer).
local function score_text(score)
  return string.format('%.17g', score)
end

-- redis.call(command, key, ...) with the pairs in ``args`` after the key,
-- in slices of SLICE values (unpack takes a few thousand at most); nothing
-- when ``args`` is empty.
local SLICE = 1000  -- even: pairs stay whole
local function call_in_slices(command, key, args)
  for first = 1, #args, SLICE do
    redis.call(command, key,
               unpack(args, first, math.min(first + SLICE - 1, #args)))
  end
end

local DEFAULT_PRIORITY = 4  -- storage/base.py; the one level data of the
                            -- versions before priorities is at

-- The availability zset of one priority level of a queue.
local function avail_key(k, priority)
  if priority == DEFAULT_PRIORITY then return k.avail end
  return k.avail .. ':' .. priority
end

local function priority_of(k, id)
  return tonumber(redis.call('HGET', k.mprio, id) or DEFAULT_PRIORITY)
end

-- The availability zset a message is in.
local function avail_of(k, id)
  return avail_key(k, priority_of(k, id))
end

-- A message as msgs holds it: the msgpack array [client, created, delay,
-- body], written from its parts, the body's msgpack as it came (never
-- decoded and encoded again here).  Messages stored before bodies joined
-- msgs hold [client, created, delay], with the body in the bodies hash.
local ARRAY_OF_4 = '\148'  -- msgpack's header of a 4-element array
local function message_value(client, created, delay, body)
  return ARRAY_OF_4 .. cmsgpack.pack(client, created, delay) .. body
end

-- Whether a msgs value holds its body (false: the bodies hash does).
local function holds_body(value)
  return type(value) == 'string' and string.sub(value, 1, 1) == ARRAY_OF_4
end

-- client, created, delay and the body's msgpack of message ``id``, whose
-- msgs value is ``value`` (the body is not decoded).
local function message_parts(k, id, value)
  if not holds_body(value) then
    local record = cmsgpack.unpack(value)
    return record[1], record[2], record[3], redis.call('HGET', k.bodies, id)
  end
  local rest = string.sub(value, 2)
  local body_at, client, created, delay = cmsgpack.unpack_limit(rest, 3)
  return client, created, delay, string.sub(rest, body_at + 1)
end

-- The client that posted a message, from its msgs value.
local function client_of(value)
  if not holds_body(value) then return cmsgpack.unpack(value)[1] end
  local _, client = cmsgpack.unpack_limit(string.sub(value, 2), 1)
  return client
end

-- When a message was posted (or moved here), from its msgs value.
local function created_of(value)
  if not holds_body(value) then return cmsgpack.unpack(value)[2] end
  local _, _, created = cmsgpack.unpack_limit(string.sub(value, 2), 2)
  return created
end

-- Up to ``wanted`` ids claimable now at the priority whose availability
-- set is ``avail``, those available the longest first.  Messages of the
-- default priority posted ready (not delayed) are in no availability set
-- until they are first claimed: they are the fresh set, in posting order,
-- each available since it was posted, and are merged in here.  A post so
-- writes one sorted set fewer per message.
local function claimable(k, avail, wanted)
  local scored = redis.call('ZRANGEBYSCORE', avail, '-inf', NOW,
                            'WITHSCORES', 'LIMIT', 0, wanted)
  local fresh = {}
  if avail == k.avail then
    fresh = redis.call('ZRANGE', k.fresh, 0, wanted - 1)
  end
  local ids, i, j = {}, 1, 1
  if #fresh == 0 then
    for n = 1, #scored, 2 do ids[#ids + 1] = scored[n] end
    return ids
  end
  local records = redis.call('HMGET', k.msgs, unpack(fresh))
  local posted = {}  -- when each fresh one became available
  for n, record in ipairs(records) do
    posted[n] = record and created_of(record) or 0
  end
  while #ids < wanted and (scored[i] or fresh[j]) do
    if fresh[j] and not (scored[i] and tonumber(scored[i + 1]) < posted[j])
    then
      ids[#ids + 1] = fresh[j]
      j = j + 1
    else
      ids[#ids + 1] = scored[i]
      i = i + 2
    end
  end
  return ids
end

-- The availability zsets of the levels in use, highest priority first.
local function avail_keys(k)
  local found, default_seen = {}, false
  for _, level in ipairs(redis.call('ZREVRANGE', k.levels, 0, -1)) do
    level = tonumber(level)
    if not default_seen and level < DEFAULT_PRIORITY then
      found[#found + 1], default_seen = k.avail, true
    end
    found[#found + 1] = avail_key(k, level)
  end
  if not default_seen then found[#found + 1] = k.avail end
  return found
end

-- Make messages of ``priority`` available: ``members`` holds ZADD's pairs
-- (when available, id).
local function add_available_all(k, priority, members)
  if priority ~= DEFAULT_PRIORITY then
    local levels = {}
    for i = 2, #members, 2 do push(levels, members[i], priority) end
    call_in_slices('HSET', k.mprio, levels)
    redis.call('ZADD', k.levels, priority, priority)
  end
  call_in_slices('ZADD', avail_key(k, priority), members)
end

-- Make a message of ``priority`` available at ``available``.
local function add_available(k, id, priority, available)
  add_available_all(k, priority, {available, id})
end

local function remove_message(k, id)
  local priority = priority_of(k, id)
  local avail = avail_key(k, priority)
  redis.call('ZREM', avail, id)
  if priority ~= DEFAULT_PRIORITY and redis.call('ZCARD', avail) == 0 then
    redis.call('ZREM', k.levels, priority)
  end
  redis.call('HDEL', k.mprio, id)
  redis.call('ZREM', k.seq, id)
  redis.call('ZREM', k.exp, id)
  redis.call('ZREM', k.fresh, id)
  redis.call('ZREM', k.unclaimed, id)
  redis.call('ZREM', k.held, id)
  redis.call('HDEL', k.msgs, id)
  redis.call('HDEL', k.bodies, id)
  redis.call('HDEL', k.mclaim, id)
  redis.call('HDEL', k.mcount, id)
  redis.call('HDEL', k.dlinfo, id)
end

-- The queue's dead-letter queue for a move, or nil (none, or itself).
local function dead_letter_target(meta)
  local target = meta['_dead_letter_queue']
  if type(target) ~= 'string' or target == '' or target == QUEUE then
    return nil
  end
  return target
end

-- Move message ``id`` of this queue (keys ``k``, metadata ``meta``) to
-- ``target``: it arrives as a new post (created now, not delayed,
-- unclaimed) keeping its id, claim count and priority, with its
-- provenance.
local function move_to_dead_letter(k, meta, id, target, reason, detail)
  local dlq = keys_of(PROJECT, target)
  if redis.call('EXISTS', dlq.meta) == 0 then
    redis.call('HSET', dlq.meta, 'metadata', '{}', 'created', NOW, 'seq', 0)
    redis.call('ZADD', dlq.queues, 0, target)
    redis.call('ZADD', dlq.all, 0, PROJECT .. '/' .. target)
  end
  local client, created, _, body = message_parts(
    k, id, redis.call('HGET', k.msgs, id))
  local count = tonumber(redis.call('HGET', k.mcount, id) or '0')
  local priority = priority_of(k, id)
  local ttl = tonumber(meta['_dead_letter_queue_messages_ttl'])
  if not ttl then
    ttl = tonumber(redis.call('ZSCORE', k.exp, id)) - created
  end
  local origin = cjson.encode({source = QUEUE, reason = reason,
                               claim_count = count, at = NOW,
                               detail = detail or cjson.null})
  remove_message(k, id)
  local seq = redis.call('HINCRBY', dlq.meta, 'seq', 1)
  redis.call('HSET', dlq.msgs, id, message_value(client, NOW, 0, body))
  redis.call('HSET', dlq.mcount, id, count)
  redis.call('HSET', dlq.dlinfo, id, origin)
  if redis.call('EXISTS', dlq.seq) == 1 then  -- a queue of before held
    redis.call('ZADD', dlq.seq, seq, id)
  end
  redis.call('ZADD', dlq.exp, NOW + ttl, id)
  if priority == DEFAULT_PRIORITY then
    redis.call('ZADD', dlq.fresh, seq, id)
  else
    redis.call('ZADD', dlq.unclaimed, seq, id)
    add_available(dlq, id, priority, NOW)
  end
end

-- Where expired messages of the queue go: its dead-letter queue when it
-- sets _dead_letter_on_expiry, else nil (they are removed).
local function expiry_target(k)
  local text = redis.call('HGET', k.meta, 'metadata')
  if not text then return nil, nil end
  local meta = cjson.decode(text)
  if meta['_dead_letter_on_expiry'] ~= true then return nil, nil end
  return dead_letter_target(meta), meta
end

-- Seconds a message claimed ``count`` times waits after its claim ends.
-- The queue's redelivery schedule is computed in Python when its metadata
-- is set (storage/redelivery.py) and kept as one string of fixed-width
-- numbers: the delay past the schedule's end, then the delay after each
-- claim count, so one is read in O(1) however long the schedule is.
local BACKOFF_WIDTH = 7  -- digits per delay (a policy's are at most 10**6)
local function backoff(k, count)
  if count < 1 then return 0 end
  local at = count * BACKOFF_WIDTH
  local delay = redis.call('GETRANGE', k.backoff, at, at + BACKOFF_WIDTH - 1)
  if delay == '' then  -- past the end (or no schedule)
    delay = redis.call('GETRANGE', k.backoff, 0, BACKOFF_WIDTH - 1)
  end
  return tonumber(delay) or 0
end

-- The posting sequence of message ``id`` (a score as text), claimed or
-- not; false when there is no such message.
local function sequence_of(k, id)
  return redis.call('ZSCORE', k.fresh, id) or
    redis.call('ZSCORE', k.unclaimed, id) or
    redis.call('ZSCORE', k.held, id) or
    redis.call('ZSCORE', k.seq, id)  -- claimed before held existed
end

-- Up to ``count`` messages in posting order past the sequence ``bound``
-- (ZRANGEBYSCORE's form: '(' .. score, or '-inf' / '+inf' for an end),
-- descending when ``descending``, with those in claims when
-- ``claimed_too``: a flat list of id, sequence (as text).  Every message
-- is in one of the fresh, unclaimed and held sets, so all of them are
-- read by merging a page of each, at a cost that does not depend on how
-- many are claimed.  Queues written before held existed keep a set of
-- every message (seq), which is read instead (and kept up to date) until
-- the queue has been empty once.
local function in_sequence(k, bound, count, descending, claimed_too)
  local command, far = 'ZRANGEBYSCORE', '+inf'
  if descending then command, far = 'ZREVRANGEBYSCORE', '-inf' end
  local function page(key)
    return redis.call(command, key, bound, far, 'WITHSCORES', 'LIMIT', 0,
                      count)
  end
  local sets = {k.fresh, k.unclaimed}
  if claimed_too then
    if redis.call('EXISTS', k.seq) == 1 then return page(k.seq) end
    sets[3] = k.held
  end
  local pages = {}  -- {page, position of its next id}, of those not empty
  for _, key in ipairs(sets) do
    local found = page(key)
    if #found > 0 then pages[#pages + 1] = {found, 1} end
  end
  if #pages == 1 then return pages[1][1] end
  local merged = {}
  while #merged < 2 * count do
    local best, best_score = nil, nil  -- the page whose next id comes first
    for _, p in ipairs(pages) do
      local score = tonumber(p[1][p[2] + 1])
      if score and (not best or (score < best_score) ~= descending) then
        best, best_score = p, score
      end
    end
    if not best then break end
    push(merged, best[1][best[2]], best[1][best[2] + 1])
    best[2] = best[2] + 2
  end
  return merged
end

-- End a claim; its messages become unclaimed.  A lapsed claim's keep the
-- availability it gave them (its end plus their backoff); a release
-- (``released``) makes them available ``delay`` seconds from now, or
-- after their backoff when ``delay`` is nil.
local function end_claim(k, cid, released, delay)
  local held = redis.call('SMEMBERS', k.cset(cid))
  local ready = 0  -- released messages claimable at once
  for _, id in ipairs(held) do
    if redis.call('HGET', k.mclaim, id) == cid then
      redis.call('HDEL', k.mclaim, id)
      redis.call('ZADD', k.unclaimed, sequence_of(k, id), id)
      redis.call('ZREM', k.held, id)
      if released then
        local wait = delay or backoff(k, tonumber(
          redis.call('HGET', k.mcount, id) or '0'))
        redis.call('ZADD', avail_of(k, id), NOW + wait, id)
        if wait <= 0 then ready = ready + 1 end
      end
    end
  end
  redis.call('DEL', k.cset(cid))
  redis.call('ZREM', k.claims, cid)
  redis.call('HDEL', k.cinfo, cid)
  return ready
end

local function remove_subscription(k, id)
  local subscriber = redis.call('HGET', k.subrec, id .. ':who')
  if subscriber and redis.call('HGET', k.subby, subscriber) == id then
    redis.call('HDEL', k.subby, subscriber)
  end
  redis.call('ZREM', k.subs, id)
  redis.call('ZREM', k.subexp, id)
  redis.call('HDEL', k.subrec, id, id .. ':who')
  redis.call('HDEL', k.subconf, id)
end

local function subscription_is_live(k, id)
  local expires = redis.call('ZSCORE', k.subexp, id)
  return expires and tonumber(expires) > NOW
end

-- Release expired claims and remove expired messages and subscriptions, a
-- bounded number at a time; returns how many of each were handled.
local function housekeep(k, limit)
  local claims = redis.call('ZRANGEBYSCORE', k.claims, '-inf', NOW,
                            'LIMIT', 0, limit)
  for _, cid in ipairs(claims) do end_claim(k, cid, false) end
  local dead = redis.call('ZRANGEBYSCORE', k.exp, '-inf', NOW,
                          'LIMIT', 0, limit)
  local target, meta = nil, nil
  if #dead > 0 then target, meta = expiry_target(k) end
  for _, id in ipairs(dead) do
    if target then
      move_to_dead_letter(k, meta, id, target, 'expired', nil)
    else
      remove_message(k, id)
    end
  end
  local subs = redis.call('ZRANGEBYSCORE', k.subexp, '-inf', NOW,
                          'LIMIT', 0, limit)
  for _, id in ipairs(subs) do remove_subscription(k, id) end
  local keys = redis.call('ZRANGEBYSCORE', k.dedupexp, '-inf', NOW,
                          'LIMIT', 0, limit)
  if #keys > 0 then
    redis.call('HDEL', k.dedup, unpack(keys))
    redis.call('ZREM', k.dedupexp, unpack(keys))
  end
  return {#claims, #dead, #subs, #keys}
end

-- A message as the driver decodes it: {id, msgs value, body (false when
-- the value holds it), expires, claim id or '', claim count, available,
-- claim end or '', priority, dead-letter provenance or false}.
local function describe(k, id)
  local claim = redis.call('HGET', k.mclaim, id) or ''
  local ends = ''
  if claim ~= '' then
    ends = redis.call('ZSCORE', k.claims, claim)
    if not ends or tonumber(ends) <= NOW then claim, ends = '', '' end
  end
  local value = redis.call('HGET', k.msgs, id)
  local body = false
  if not holds_body(value) then body = redis.call('HGET', k.bodies, id) end
  local available = redis.call('ZSCORE', avail_of(k, id), id) or
    (value and score_text(created_of(value)))  -- fresh: since posted
  return {id, value, body, redis.call('ZSCORE', k.exp, id), claim,
          tonumber(redis.call('HGET', k.mcount, id) or '0'),
          available, ends, priority_of(k, id),
          redis.call('HGET', k.dlinfo, id)}
end

-- Replace the queue's redelivery schedule (see backoff; '' or nil: none).
local function set_backoff(k, schedule)
  if (schedule or '') == '' then
    redis.call('DEL', k.backoff)
  else
    redis.call('SET', k.backoff, schedule)
  end
end

local function is_live(k, id)
  local expires = redis.call('ZSCORE', k.exp, id)
  return expires and tonumber(expires) > NOW
end

-- Ring the queue's doorbell: ``count`` messages became claimable now
-- (see zaqar_lite/storage/redis/doorbell.py; costs nothing much when no
-- process listens).
local function ring(count)
  if count > 0 then
    redis.call('PUBLISH', PREFIX .. ':bell:{' .. PROJECT .. '/' .. QUEUE .. '}',
               count)
  end
end
