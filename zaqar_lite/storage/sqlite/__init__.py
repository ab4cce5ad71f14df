"""Embedded SQLite store: the zero set-up default.

URI
    ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``; the
    file and its folder are created on first use.

Capabilities
    Queues, messages, claims (exclusive, constant cost), delayed messages,
    dead-letter queues.  Several processes on one host may share one file
    (gunicorn workers, ``zaqar-lite gc``): writes take SQLite's database
    lock (``BEGIN IMMEDIATE``) and wait up to ``busy_timeout`` for it.

Data layout (``schema.py``)
    ``queues`` keyed by (project, name) with JSON metadata; ``messages``
    with a posting sequence ``seq`` and an ``available_at`` time (when the
    message may next be claimed: after its delay, after its claim expires,
    or at once when released); ``claims`` keyed by id.  A message is
    claimed while its ``claim_id`` is set and ``available_at`` is in the
    future, so an expiring claim frees its messages without any write.

Durability
    WAL journal with ``synchronous = FULL`` by default: a post is on disk
    before it is acknowledged, so it survives a crash of every process and
    of the host.  ``synchronous = NORMAL`` survives process crashes only,
    and is faster.
"""
