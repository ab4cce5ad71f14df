-- ARGV[5] id, ARGV[6] the record JSON the update was computed from,
-- ARGV[7] new record JSON, ARGV[8] new subscriber, ARGV[9] new expiry.
-- Returns 1 when updated, -1 when absent, -2 when the subscriber is taken,
-- -3 when the record changed meanwhile (the caller retries).
local id, subscriber = ARGV[5], ARGV[8]
if not subscription_is_live(K, id) then return -1 end
if redis.call('HGET', K.subrec, id) ~= ARGV[6] then return -3 end
local holder = redis.call('HGET', K.subby, subscriber)
if holder and holder ~= id then
  if subscription_is_live(K, holder) then return -2 end
  remove_subscription(K, holder)
end
local previous = redis.call('HGET', K.subrec, id .. ':who')
if previous ~= subscriber then redis.call('HDEL', K.subby, previous) end
redis.call('HSET', K.subby, subscriber, id)
redis.call('HSET', K.subrec, id, ARGV[7], id .. ':who', subscriber)
redis.call('ZADD', K.subexp, ARGV[9], id)
return 1
