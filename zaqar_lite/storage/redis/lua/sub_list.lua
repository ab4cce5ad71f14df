-- ARGV[5] marker id ('' from the start), ARGV[6] limit.
-- Returns {{id, record JSON, confirmed}...} of live subscriptions by id.
local limit = tonumber(ARGV[6])
local from = ARGV[5] == '' and '-' or '(' .. ARGV[5]
local found = {}
while #found < limit do
  local ids = redis.call('ZRANGEBYLEX', K.subs, from, '+', 'LIMIT', 0, limit)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    from = '(' .. id
    if subscription_is_live(K, id) then
      found[#found + 1] = {id, redis.call('HGET', K.subrec, id),
                           redis.call('HGET', K.subconf, id)}
      if #found == limit then break end
    end
  end
end
return found
