"""Tables and indexes of the SQLite store, in one place.

``messages`` columns:

* ``seq``: posting order, never reused (listing markers are seqs);
* ``id``: the public, opaque message id;
* ``created``/``ttl``/``expires``: ``expires = created + ttl`` always (a claim may raise ttl);
* ``available_at``: when the message may next be claimed: the end of its
  delay, or of its last claim plus the queue's redelivery backoff;
* ``claim_id``/``claim_expires``: the claim that last took it, live while
  ``claim_expires`` (its end, never after ``available_at``) is in the
  future;
* ``priority``: 0 to 9; claims take higher ones first;
* ``dead_letter``: JSON provenance of a message moved into a dead-letter
  queue (``base.provenance``), else NULL.

``redrive_jobs`` holds one redrive job per dead-letter queue (``job``:
JSON), its ``version`` (moved on by every write) and its ``state``.

Counters keep stats cheap at any depth: ``queues.messages`` counts the
queue's message rows (expired ones included until gc removes them) and
``claims.held`` the messages a claim holds.  Every write that adds or
removes a message row updates them in the same transaction.

``idempotency_keys`` maps a queue's recent idempotency keys to the id of
the message first posted with each, until ``expires`` (the post's time
plus its dedup window); gc removes the expired rows.

Every request-path query has an index: listings walk
``messages_unclaimed`` (posting order of never-claimed or released
messages), claims walk ``messages_claimable`` (availability order within
each priority, one short range per priority level), and
expired-claim leftovers are found through ``messages_claimed``, and
messages waiting out a backoff after a lapsed claim through
``messages_backoff``.
"""

TABLES = (
    """CREATE TABLE IF NOT EXISTS queues (
        project TEXT NOT NULL,
        name TEXT NOT NULL,
        metadata TEXT NOT NULL,
        created REAL NOT NULL,
        messages INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (project, name)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL,
        queue TEXT NOT NULL,
        body TEXT NOT NULL,
        client_uuid TEXT NOT NULL,
        created REAL NOT NULL,
        ttl INTEGER NOT NULL,
        expires REAL NOT NULL,
        delay INTEGER NOT NULL,
        available_at REAL NOT NULL,
        claim_id TEXT,
        claim_count INTEGER NOT NULL DEFAULT 0,
        claim_expires REAL,
        priority INTEGER NOT NULL DEFAULT 4,
        dead_letter TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS subscriptions (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        source TEXT NOT NULL,
        subscriber TEXT NOT NULL,
        ttl INTEGER NOT NULL,
        options TEXT NOT NULL,
        confirmed INTEGER NOT NULL,
        created REAL NOT NULL,
        expires REAL NOT NULL,
        UNIQUE (project, source, subscriber)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS idempotency_keys (
        project TEXT NOT NULL,
        queue TEXT NOT NULL,
        key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        expires REAL NOT NULL,
        PRIMARY KEY (project, queue, key)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS claims (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        queue TEXT NOT NULL,
        ttl INTEGER NOT NULL,
        grace INTEGER NOT NULL,
        created REAL NOT NULL,
        expires REAL NOT NULL,
        held INTEGER NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS redrive_jobs (
        project TEXT NOT NULL,
        queue TEXT NOT NULL,
        job TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (project, queue)
    ) WITHOUT ROWID""",
)

INDEXES = (
    """CREATE INDEX IF NOT EXISTS messages_by_queue
        ON messages (project, queue, seq)""",
    """CREATE INDEX IF NOT EXISTS messages_unclaimed
        ON messages (project, queue, seq) WHERE claim_id IS NULL""",
    """CREATE INDEX IF NOT EXISTS messages_claimed
        ON messages (project, queue, available_at) WHERE claim_id IS NOT NULL""",
    # claims before priorities: replaced by messages_claimable
    """DROP INDEX IF EXISTS messages_available""",
    """CREATE INDEX IF NOT EXISTS messages_claimable
        ON messages (project, queue, priority, available_at, seq, expires)""",
    """CREATE INDEX IF NOT EXISTS messages_by_expiry
        ON messages (project, queue, expires)""",
    """CREATE INDEX IF NOT EXISTS messages_by_claim
        ON messages (claim_id) WHERE claim_id IS NOT NULL""",
    """CREATE INDEX IF NOT EXISTS messages_expiring ON messages (expires)""",
    """CREATE INDEX IF NOT EXISTS claims_by_expiry ON claims (expires)""",
    """CREATE INDEX IF NOT EXISTS idempotency_keys_by_expiry
        ON idempotency_keys (expires)""",
    """CREATE INDEX IF NOT EXISTS subscriptions_by_source
        ON subscriptions (project, source, id)""",
    """CREATE INDEX IF NOT EXISTS subscriptions_by_expiry
        ON subscriptions (expires)""",
    """CREATE INDEX IF NOT EXISTS claims_by_queue
        ON claims (project, queue, expires)""",
    """CREATE INDEX IF NOT EXISTS messages_delayed
        ON messages (project, queue, available_at, expires)
        WHERE claim_id IS NULL""",
    """CREATE INDEX IF NOT EXISTS messages_backoff
        ON messages (project, queue, available_at)
        WHERE claim_id IS NOT NULL AND available_at > claim_expires""",
    """CREATE INDEX IF NOT EXISTS redrive_jobs_by_state
        ON redrive_jobs (state)""",
)

# Columns added after a table's first release:
# (table, column, declaration, fill statements...).
# A database made by an older version gets each missing one on open, before
# the indexes (which may use them) are made, and then its fill statements
# give the rows it had their values.  Append; never reorder.
ADDED_COLUMNS = (
    # before redelivery backoff, a claim ended when its messages were free
    ('messages', 'claim_expires', 'REAL',
     'UPDATE messages SET claim_expires = available_at '
     'WHERE claim_id IS NOT NULL'),
    ('messages', 'priority', 'INTEGER NOT NULL DEFAULT 4'),
    ('messages', 'dead_letter', 'TEXT'),
)

STATEMENTS = TABLES + INDEXES

MESSAGE_COLUMNS = ('seq, id, body, client_uuid, created, ttl, expires, '
                   'delay, available_at, claim_id, claim_count, '
                   'claim_expires, priority, dead_letter')
