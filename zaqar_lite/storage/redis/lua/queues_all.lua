-- Returns every "project/queue" this store holds.
return redis.call('ZRANGE', K.all, 0, -1)
