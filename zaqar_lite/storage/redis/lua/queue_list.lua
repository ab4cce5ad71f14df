-- ARGV[5] marker ('' from the start), ARGV[6] limit, ARGV[7] name
-- substring ('' for any), ARGV[8] metadata filter JSON ('{}' for none).
-- Returns {{name, metadata JSON}...} in name order after the marker.
local limit, part = tonumber(ARGV[6]), ARGV[7]
local filter = cjson.decode(ARGV[8])
local found = {}
local from = ARGV[5] == '' and '-' or '(' .. ARGV[5]
while #found < limit do
  local names = redis.call('ZRANGEBYLEX', K.queues, from, '+', 'LIMIT', 0,
                           limit * 2)
  if #names == 0 then break end
  for _, name in ipairs(names) do
    from = '(' .. name
    local metadata = redis.call('HGET', keys_of(PROJECT, name).meta,
                                'metadata') or '{}'
    local wanted = part == '' or string.find(name, part, 1, true)
    if wanted and next(filter) then
      local decoded = cjson.decode(metadata)
      for key, value in pairs(filter) do
        if decoded[key] ~= value then wanted = false end
      end
    end
    if wanted then
      found[#found + 1] = {name, metadata}
      if #found == limit then break end
    end
  end
end
return found
