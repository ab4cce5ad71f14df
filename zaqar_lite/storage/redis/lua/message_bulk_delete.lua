-- ARGV[5] claim ids (comma-separated), ARGV[6..] message ids. Deletes
-- nothing and returns the id of a message held by another claim, if any;
-- else deletes them all and returns ''.
housekeep(K, 100)
local allowed = {}
for cid in string.gmatch(ARGV[5], '[^,]+') do allowed[cid] = true end
for i = 6, #ARGV do
  local holder = redis.call('HGET', K.mclaim, ARGV[i])
  if holder and is_live(K, ARGV[i]) and not allowed[holder] then
    return ARGV[i]
  end
end
for i = 6, #ARGV do remove_message(K, ARGV[i]) end
return ''
