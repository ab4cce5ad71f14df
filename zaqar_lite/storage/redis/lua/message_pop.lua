-- ARGV[5] limit. Removes and returns up to limit claimable messages, the
-- highest priority first (as a claim takes them).
housekeep(K, 100)
local limit = tonumber(ARGV[5])
local popped = {}
for _, avail in ipairs(avail_keys(K)) do
  if #popped == limit then break end
  local ids = claimable(K, avail, limit - #popped)
  for _, id in ipairs(ids) do
    popped[#popped + 1] = describe(K, id)
    remove_message(K, id)
  end
end
return popped
