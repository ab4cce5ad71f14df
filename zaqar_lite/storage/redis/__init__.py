"""Redis store: queues, messages and claims for throughput.

URI
    ``redis://[:password@]host:port[/db]`` (``?dbid=N`` works too, as in
    Zaqar), ``unix:///path/to/redis.sock[?db=N]``, or Sentinel:
    ``redis://host1:26379,host2:26379?master=mymaster[&db=N]``.

Capabilities
    Exclusive claims whose cost does not grow with queue depth or with the
    number of claimed messages; delayed messages; message priorities;
    redelivery backoff; dead-letter queues with provenance; redrive jobs;
    posts and releases wake long-poll claims on every host (PUBLISH from
    the scripts, ``doorbell.py``).  Every operation is one Lua script:
    atomic on the server and one round trip.
    Not for Redis Cluster (a dead-letter move spans two queues' keys).

Data layout (``lua/common.lua`` names every key)
    Per queue, under ``<prefix>:{<project>/<queue>}:``: a hash of metadata
    and the sequence counter; sorted sets of message ids by availability
    time (one per priority level in use, with a small sorted set of the
    levels besides the default), by expiry, and by sequence in three
    parts: the fresh ones (posted ready at the default priority and never
    claimed, in no availability set: claims merge them in by posting
    time), the other unclaimed ones and the claimed ones (queues written
    before that split keep a set of every message by sequence, which is
    used until they have been empty once); hashes of the messages (each the msgpack
    array ``[client, created, delay, body]``), holding claim, claim count,
    priority (when not the default) and dead-letter provenance (JSON, for
    messages moved into a dead-letter queue); a sorted set of claims by
    expiry with their settings, and one set of held ids per claim; a hash
    of idempotency keys to message ids and a sorted set of the keys by
    expiry; the redelivery schedule (fixed-width delays by claim count in
    one string, computed in Python when the metadata is set); a hash of
    the queue's redrive job.  ``<prefix>:redrives`` is the set of queues
    whose job is running.  Claims walk the availability sets from the
    highest priority down, where claimed and delayed messages sit in the
    future, so they never scan past them.  Data written before priorities,
    backoff and provenance existed is the default level's, has no
    schedule and no provenance; messages stored before bodies joined
    their records hold ``[client, created, delay]``, with the body in a
    hash of bodies, and are read from both.

Durability
    What Redis keeps: with ``appendonly yes`` and ``appendfsync always``,
    an acknowledged write survives a crash of Redis and of the host; with
    ``appendfsync everysec`` (Redis's default for AOF) up to a second of
    writes can be lost on a host crash, none on a Redis crash; with RDB
    snapshots only, everything since the last snapshot.  See
    docs/storage-redis.md.
"""
