-- ARGV[5] claim id, ARGV[6] delay (seconds). Releases it: its messages
-- are available once the delay has passed.
local cid = ARGV[5]
if redis.call('ZSCORE', K.claims, cid) then
  local held = redis.call('SCARD', K.cset(cid))
  end_claim(K, cid, NOW + tonumber(ARGV[6]))
  if tonumber(ARGV[6]) == 0 then ring(held) end
end
return 1
