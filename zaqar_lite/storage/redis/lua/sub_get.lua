-- ARGV[5] id, or ARGV[6] subscriber when ARGV[5] is ''.
-- Returns {id, record JSON, confirmed} of a live subscription, or false.
local id = ARGV[5]
if id == '' then id = redis.call('HGET', K.subby, ARGV[6]) end
if not id or not subscription_is_live(K, id) then return false end
return {id, redis.call('HGET', K.subrec, id), redis.call('HGET', K.subconf, id)}
