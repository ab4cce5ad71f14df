-- Deletes the queue, its messages, claims and subscriptions.
for _, cid in ipairs(redis.call('ZRANGE', K.claims, 0, -1)) do
  redis.call('DEL', K.cset(cid))
end
redis.call('DEL', K.meta, K.seq, K.avail, K.exp, K.fresh, K.unclaimed,
           K.held, K.msgs, K.bodies, K.mclaim, K.mcount, K.claims, K.cinfo,
           K.backoff, K.subs, K.subexp, K.subrec, K.subconf, K.subby,
           K.dedup, K.dedupexp, K.levels, K.mprio, K.dlinfo, K.redrive)
for priority = 0, 9 do redis.call('DEL', avail_key(K, priority)) end
redis.call('SREM', K.redrives, PROJECT .. '/' .. QUEUE)
redis.call('ZREM', K.queues, QUEUE)
redis.call('ZREM', K.all, PROJECT .. '/' .. QUEUE)
return 1
