-- ARGV[5] marker (a sequence, 0 from the start), ARGV[6] limit,
-- ARGV[7] client to skip ('' for echo), ARGV[8] include claimed ('1'),
-- ARGV[9] include delayed ('1'). Returns {messages, next marker}.
housekeep(K, 100)
local after, limit = tonumber(ARGV[5]), tonumber(ARGV[6])
local skip_client = ARGV[7]
local claimed_too, delayed_too = ARGV[8] == '1', ARGV[9] == '1'
local found, marker = {}, ARGV[5]
local cursor = '(' .. after
while #found < limit do
  local batch = in_sequence(K, cursor, limit * 2, false, claimed_too)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local id = batch[i]
    cursor = '(' .. batch[i + 1]
    local message = describe(K, id)
    local delayed = message[5] == '' and tonumber(message[7]) > NOW
    local wanted = is_live(K, id) and (delayed_too or not delayed)
    if wanted and skip_client ~= '' then
      wanted = client_of(message[2]) ~= skip_client
    end
    if wanted then
      found[#found + 1] = message
      marker = batch[i + 1]
      if #found == limit then break end
    end
  end
end
return {found, marker}
