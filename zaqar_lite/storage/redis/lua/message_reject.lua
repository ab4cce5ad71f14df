-- ARGV[5] id, ARGV[6] claim id ('' for none), ARGV[7] detail ('' for none).
-- Moves a message held by the claim to the queue's dead-letter queue.
-- Returns the dead-letter queue's name, or 'missing', 'no-dlq', 'claimed',
-- 'not-claimed' or 'mismatch' (prefixed with '!').
housekeep(K, 100)
local id, claim, detail = ARGV[5], ARGV[6], ARGV[7]
if not is_live(K, id) then return '!missing' end
local meta = cjson.decode(redis.call('HGET', K.meta, 'metadata'))
local target = dead_letter_target(meta)
if not target then return '!no-dlq' end
local holder = describe(K, id)[5]
if claim == '' and holder ~= '' then return '!claimed' end
if holder == '' then return '!not-claimed' end
if holder ~= claim then return '!mismatch' end
redis.call('SREM', K.cset(holder), id)
move_to_dead_letter(K, meta, id, target, 'rejected',
                    detail ~= '' and detail or nil)
return target
