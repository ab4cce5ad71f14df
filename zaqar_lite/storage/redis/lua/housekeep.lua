-- Garbage collection of one queue: returns {claims ended, messages
-- removed, subscriptions removed, idempotency keys forgotten}.
local total = {0, 0, 0, 0}
local busy
repeat
  local done = housekeep(K, 1000)
  busy = false
  for i = 1, 4 do
    total[i] = total[i] + done[i]
    busy = busy or done[i] >= 1000
  end
until not busy
return total
