-- Garbage collection of one queue:
-- returns {claims ended, messages removed, subscriptions removed}.
local total = {0, 0, 0}
repeat
  local done = housekeep(K, 1000)
  for i = 1, 3 do total[i] = total[i] + done[i] end
until done[1] < 1000 and done[2] < 1000 and done[3] < 1000
return total
