-- The queue's last sequence number handed out (false when none yet).
return redis.call('HGET', K.meta, 'seq')
