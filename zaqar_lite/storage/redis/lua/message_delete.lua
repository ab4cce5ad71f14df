-- ARGV[5] id, ARGV[6] claim id ('' for none).
-- Returns 'ok', 'claimed', 'not-claimed' or 'mismatch'.
housekeep(K, 100)
local id, claim = ARGV[5], ARGV[6]
if not is_live(K, id) then return 'ok' end
local holder = redis.call('HGET', K.mclaim, id)
if claim == '' and holder then return 'claimed' end
if claim ~= '' and not holder then return 'not-claimed' end
if claim ~= '' and holder ~= claim then return 'mismatch' end
remove_message(K, id)
return 'ok'
