-- ARGV[5] id, ARGV[6] '1' to confirm, '0' to unconfirm.
-- Returns 1, or 0 when there is no such live subscription.
if not subscription_is_live(K, ARGV[5]) then return 0 end
redis.call('HSET', K.subconf, ARGV[5], ARGV[6])
return 1
