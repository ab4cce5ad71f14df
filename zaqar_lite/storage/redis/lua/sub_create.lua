-- ARGV[5] new id, ARGV[6] subscriber, ARGV[7] record JSON, ARGV[8] expiry.
-- Returns the new id, or false when the subscriber is already subscribed.
local id, subscriber = ARGV[5], ARGV[6]
local existing = redis.call('HGET', K.subby, subscriber)
if existing then
  if subscription_is_live(K, existing) then return false end
  remove_subscription(K, existing)
end
redis.call('ZADD', K.subs, 0, id)
redis.call('ZADD', K.subexp, ARGV[8], id)
redis.call('HSET', K.subrec, id, ARGV[7], id .. ':who', subscriber)
redis.call('HSET', K.subconf, id, '0')
redis.call('HSET', K.subby, subscriber, id)
return id
