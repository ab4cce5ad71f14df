-- ARGV[5]: metadata JSON, ARGV[6]: its redelivery schedule (see
-- backoff). Returns 0 when the queue does not exist.
if redis.call('EXISTS', K.meta) == 0 then return 0 end
redis.call('HSET', K.meta, 'metadata', ARGV[5])
set_backoff(K, ARGV[6])
return 1
