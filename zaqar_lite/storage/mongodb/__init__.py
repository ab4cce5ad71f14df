"""MongoDB store: queues, messages, claims and subscriptions in MongoDB.

URI
    Any MongoDB connection string: ``mongodb://host:27017``,
    ``mongodb://user:secret@h1,h2,h3/?replicaSet=rs0&tls=true``,
    ``mongodb+srv://cluster.example.com``.  The database is the
    ``database`` option (default ``zaqar``); write concern (default
    ``majority``), read preference (default ``primary``) and timeouts are
    options too, see docs/storage-mongodb.md.

Capabilities
    Exclusive claims whose cost does not grow with queue depth or with the
    number of held messages; delayed messages; message priorities;
    redelivery backoff; dead-letter queues with provenance; redrive jobs.
    Runs on MongoDB 6+ and on FerretDB v1 (what the tests use) with the
    same code: it needs no transactions, no atomic read-modify-write and no
    TTL indexes.  Claims are made exclusive by unique inserts (``leases.py``),
    message numbers by a unique index, and expiry is filtered on every read
    and cleaned up by ``gc()``.  Posts and releases wake long-poll claims
    in every process of their host (``storage/host_doorbell.py``); claims
    waiting on other hosts find them at their re-checks (FerretDB has
    neither change streams nor tailable cursors).

Data layout (``schema.py`` names every collection, field and index)
    ``queues`` with JSON metadata and two counters (last sequence, stored
    messages); ``messages`` with a per-queue posting sequence ``seq`` and
    an ``available`` time (when the message may next be claimed: after its
    delay, or its claim's end ``claim_expires`` plus the queue's
    redelivery backoff) and a ``priority``; ``claims``; ``leases`` (one
    per grant of a message); ``subscriptions``; ``idempotency_keys``;
    ``redrive_jobs``.

Order
    Listings are in posting order (the marker is the last ``seq``).  Claims
    and pops take the highest priority first, then the oldest available
    messages, ordered by ``available`` then ``seq``, as on SQLite.  A post
    numbers its messages before it inserts them, so a listing that runs
    during two concurrent posts may page past the earlier-numbered one
    before it lands.

Durability
    What the write concern asks for: with ``majority`` (the default) on a
    replica set, an acknowledged write survives the loss of a minority of
    members.  A post is one insert per batch, not a transaction: a batch
    cut short by a failure may be partly stored (the client sees an error
    and may post again).
"""
