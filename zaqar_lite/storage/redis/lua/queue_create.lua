-- ARGV[5]: metadata JSON, or '' to keep what an existing queue has.
-- Returns 1 when the queue was created, 0 when it existed.
local metadata = ARGV[5]
if redis.call('EXISTS', K.meta) == 1 then
  if metadata ~= '' then redis.call('HSET', K.meta, 'metadata', metadata) end
  return 0
end
redis.call('HSET', K.meta, 'metadata', metadata ~= '' and metadata or '{}',
           'created', NOW, 'seq', 0)
redis.call('ZADD', K.queues, 0, QUEUE)
redis.call('ZADD', K.all, 0, PROJECT .. '/' .. QUEUE)
return 1
