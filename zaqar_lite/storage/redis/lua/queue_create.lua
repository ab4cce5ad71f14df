-- ARGV[5]: metadata JSON, or '' to keep what an existing queue has;
-- ARGV[6]: its redelivery schedule (see backoff) when ARGV[5] is set.
-- Returns 1 when the queue was created, 0 when it existed.
local metadata = ARGV[5]
if redis.call('EXISTS', K.meta) == 1 then
  if metadata ~= '' then
    redis.call('HSET', K.meta, 'metadata', metadata)
    set_backoff(K, ARGV[6])
  end
  return 0
end
redis.call('HSET', K.meta, 'metadata', metadata ~= '' and metadata or '{}',
           'created', NOW, 'seq', 0)
set_backoff(K, ARGV[6])
redis.call('ZADD', K.queues, 0, QUEUE)
redis.call('ZADD', K.all, 0, PROJECT .. '/' .. QUEUE)
return 1
