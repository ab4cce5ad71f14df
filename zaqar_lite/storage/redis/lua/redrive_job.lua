-- Redrive job of the queue.  ARGV[5] operation:
--   'read': returns {job JSON, version} or false;
--   'write', ARGV[6] job JSON, ARGV[7] state, ARGV[8] new version,
--     ARGV[9] expected version ('' for none stored): returns 1 if written;
--   'running': returns the project/queue names whose job is running.
local op = ARGV[5]
if op == 'read' then
  local found = redis.call('HMGET', K.redrive, 'job', 'version')
  if not found[1] then return false end
  return found
elseif op == 'write' then
  local version = redis.call('HGET', K.redrive, 'version')
  if (version or '') ~= ARGV[9] then return 0 end
  redis.call('HSET', K.redrive, 'job', ARGV[6], 'state', ARGV[7],
             'version', ARGV[8])
  if ARGV[7] == 'running' then
    redis.call('SADD', K.redrives, PROJECT .. '/' .. QUEUE)
  else
    redis.call('SREM', K.redrives, PROJECT .. '/' .. QUEUE)
  end
  return 1
end
return redis.call('SMEMBERS', K.redrives)
