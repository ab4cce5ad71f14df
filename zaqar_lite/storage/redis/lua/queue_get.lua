-- Returns the queue's metadata JSON, or false when it does not exist.
return redis.call('HGET', K.meta, 'metadata')
