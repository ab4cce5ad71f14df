-- ARGV[5] id, or '' to delete every subscription of the source.
if ARGV[5] ~= '' then
  if redis.call('ZSCORE', K.subs, ARGV[5]) then
    remove_subscription(K, ARGV[5])
  end
  return 1
end
redis.call('DEL', K.subs, K.subexp, K.subrec, K.subconf, K.subby)
return 1
