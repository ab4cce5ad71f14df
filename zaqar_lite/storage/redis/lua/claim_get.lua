-- ARGV[5] claim id. Returns false for no live claim, else
-- {"ttl grace created", held messages}.
local cid = ARGV[5]
local expires = redis.call('ZSCORE', K.claims, cid)
if not expires or tonumber(expires) <= NOW then return false end
local held = {}
for _, id in ipairs(redis.call('SMEMBERS', K.cset(cid))) do
  if redis.call('HGET', K.mclaim, id) == cid and is_live(K, id) then
    held[#held + 1] = describe(K, id)
  end
end
return {redis.call('HGET', K.cinfo, cid), held}
