-- Garbage collection of one queue: returns {claims ended, messages removed}.
local total = {0, 0}
repeat
  local done = housekeep(K, 1000)
  total[1], total[2] = total[1] + done[1], total[2] + done[2]
until done[1] < 1000 and done[2] < 1000
return total
