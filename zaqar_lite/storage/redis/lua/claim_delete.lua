-- ARGV[5] claim id. Releases it: its messages are available now.
local cid = ARGV[5]
if redis.call('ZSCORE', K.claims, cid) then end_claim(K, cid, NOW) end
return 1
