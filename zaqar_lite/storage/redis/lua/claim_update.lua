-- ARGV[5] claim id, ARGV[6] ttl, ARGV[7] grace ('' keeps the claim's).
-- Renews a live claim from now (its messages' backoff follows the new
-- end). Returns 0 when there is none.
local cid = ARGV[5]
local expires = redis.call('ZSCORE', K.claims, cid)
if not expires or tonumber(expires) <= NOW then return 0 end
local info = {}
for word in string.gmatch(redis.call('HGET', K.cinfo, cid), '%S+') do
  info[#info + 1] = word
end
local ttl = tonumber(ARGV[6])
local grace = ARGV[7] ~= '' and tonumber(ARGV[7]) or tonumber(info[2])
local until_ = NOW + ttl
redis.call('ZADD', K.claims, until_, cid)
redis.call('HSET', K.cinfo, cid, ttl .. ' ' .. grace .. ' ' .. info[3])
for _, id in ipairs(redis.call('SMEMBERS', K.cset(cid))) do
  if redis.call('HGET', K.mclaim, id) == cid then
    local count = tonumber(redis.call('HGET', K.mcount, id) or '0')
    redis.call('ZADD', avail_of(K, id), until_ + backoff(K, count), id)
    if tonumber(redis.call('ZSCORE', K.exp, id)) < until_ + grace then
      redis.call('ZADD', K.exp, until_ + grace, id)
    end
  end
end
return 1
