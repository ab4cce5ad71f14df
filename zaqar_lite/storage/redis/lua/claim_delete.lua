-- ARGV[5] claim id, ARGV[6] delay (seconds; '' for the queue's redelivery
-- backoff). Releases it: its messages are available once the delay has
-- passed.
local cid = ARGV[5]
if redis.call('ZSCORE', K.claims, cid) then
  end_claim(K, cid, true, tonumber(ARGV[6]))
end
return 1
