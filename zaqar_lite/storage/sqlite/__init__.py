"""Embedded SQLite store: the zero set-up default.

URI
    ``sqlite:///relative/path.db`` (relative to the working directory at
    start-up) or ``sqlite:////absolute/path.db``; the file and its folder
    are created on first use, with a ``<file>.lock`` beside it (and a
    ``<file>.bells/`` folder once a long-poll claim waits).  In-memory
    databases are not supported: every process must see the same file.
    Options (``[drivers:message_store:sqlite]``): ``busy_timeout`` and
    ``synchronous``.

Capabilities
    Queues, messages, claims (exclusive, constant cost), delayed messages,
    message priorities, redelivery backoff, dead-letter queues with
    provenance (moves, rejects and expiry moves are one transaction each),
    redrive jobs; posts and releases wake long-poll claims in every process
    of the host (``storage/host_doorbell.py``).  Several processes on one
    host may share one file (gunicorn workers, ``zaqar-lite gc``, other
    services): each process and thread opens its own connection lazily,
    and a driver that crosses a fork drops its parent's.  Writes queue on
    a thread lock and on an
    ``flock`` of the lock file, then run in ``BEGIN IMMEDIATE``
    transactions, so every read-modify-write (a claim) is atomic across
    processes.  Reads run on WAL snapshots and never wait for writers.

Data layout (``schema.py``)
    ``queues`` keyed by (project, name) with JSON metadata and a message
    counter; ``messages`` with a posting sequence ``seq`` and an
    ``available_at`` time (when the message may next be claimed: after its
    delay, or its claim's end plus the queue's redelivery backoff) and a
    ``priority``; ``claims`` keyed by id; ``redrive_jobs`` keyed by
    (project, queue).  ``project`` None is stored as ''.  A message is
    claimed while its ``claim_id`` is set and ``claim_expires`` is in the
    future, so an expiring claim frees its messages without any write.

Order
    Listings are in posting order (the marker is the last ``seq``).  Claims
    and pops take the highest priority first, then the oldest *available*
    messages, ordered by ``available_at`` then posting order: FIFO for a
    queue without priorities, delays or releases; a released or expired
    claim's messages queue up behind messages that were available before
    them.

Durability
    WAL journal with ``synchronous = FULL`` by default: a post is on disk
    before it is acknowledged, so it survives ``kill -9`` of every process
    and a crash of the host.  ``synchronous = NORMAL`` survives process
    crashes only, and is faster.
"""
