"""Redis store: queues, messages and claims for throughput.

URI
    ``redis://[:password@]host:port[/db]`` (``?dbid=N`` works too, as in
    Zaqar), ``unix:///path/to/redis.sock[?db=N]``, or Sentinel:
    ``redis://host1:26379,host2:26379?master=mymaster[&db=N]``.

Capabilities
    Exclusive claims whose cost does not grow with queue depth or with the
    number of claimed messages; delayed messages; dead-letter queues with
    provenance; redrive jobs.  Every operation is one Lua script: atomic on
    the server and one round trip.
    Not for Redis Cluster (a dead-letter move spans two queues' keys).

Data layout (``lua/common.lua`` names every key)
    Per queue, under ``<prefix>:{<project>/<queue>}:``: a hash of metadata
    and the sequence counter; sorted sets of message ids by sequence, by
    availability time, by expiry, and of the unclaimed ones by sequence;
    hashes of records (msgpack ``[client, created, delay]``), bodies
    (msgpack), holding claim, claim count and dead-letter provenance
    (JSON; absent for other messages, and for those older versions moved);
    a sorted set of claims by expiry with their settings, and one set of
    held ids per claim; a hash of idempotency keys to message ids and a
    sorted set of the keys by expiry; a hash of the queue's redrive job.
    ``<prefix>:redrives`` is the set of queues whose job is running.
    Claims walk the availability set, where claimed and delayed messages
    sit in the future, so they never scan past them.

Durability
    What Redis keeps: with ``appendonly yes`` and ``appendfsync always``,
    an acknowledged write survives a crash of Redis and of the host; with
    ``appendfsync everysec`` (Redis's default for AOF) up to a second of
    writes can be lost on a host crash, none on a Redis crash; with RDB
    snapshots only, everything since the last snapshot.  See
    docs/storage-redis.md.
"""
