"""Claims of the SQLite store.

A claim takes the *available* messages of the highest priority first, the
oldest available first within a priority (ordered by ``available_at`` then
posting order: plain FIFO for a queue without delays or releases) by
walking an index that holds claimed and delayed messages out of the way, so
its cost depends neither on queue depth nor on how many messages are
claimed.  The select and the update share one ``BEGIN IMMEDIATE``
transaction, so two claims never take the same message.  A claimed
message's ``available_at`` is its claim's end plus the queue's redelivery
backoff (``storage/redelivery.py``), set when the claim takes or renews
it, so a claim that lapses frees its messages without a write.
"""

import time
import uuid

from zaqar_lite import errors
from zaqar_lite.storage import base, redelivery
from zaqar_lite.storage.sqlite import dead_letters
from zaqar_lite.storage.sqlite import messages as sqlite_messages
from zaqar_lite.storage.sqlite.queues import queue_metadata, scope
from zaqar_lite.storage.sqlite.schema import MESSAGE_COLUMNS


class ClaimController(base.Claim):

    @property
    def db(self):
        return self.driver.db

    def get(self, queue, claim_id, project=None):
        now = time.time()
        with self.db.read() as conn:
            claim = _live_claim(conn, queue, claim_id, project, now)
            rows = _held_rows(conn, claim_id, now)
        return ({'id': claim['id'], 'ttl': claim['ttl'],
                 'grace': claim['grace'],
                 'age': int(now - claim['created'])},
                [sqlite_messages.to_message(row, now) for row in rows])

    def create(self, queue, metadata, project=None,
               limit=base.DEFAULT_MESSAGES_PER_CLAIM):
        now = time.time()
        ttl, grace = int(metadata['ttl']), int(metadata.get('grace', 0))
        claim_id = str(uuid.uuid4())
        with self.db.read() as conn:
            # Nothing to claim: answer from a snapshot, without queueing for
            # the write lock (long-poll claims re-check empty queues).
            if not sqlite_messages.available_rows(conn, queue, project, now,
                                                  1):
                return None, []
        with self.db.write() as conn:
            meta = queue_metadata(conn, queue, project)
            if meta is None:
                return None, []
            rows = _take(conn, queue, project, meta, now, limit)
            if not rows:
                return None, []
            conn.execute(
                'INSERT INTO claims (id, project, queue, ttl, grace, created, '
                'expires, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                (claim_id, scope(project), queue, ttl, grace, now, now + ttl,
                 len(rows)))
            _hold(conn, rows, claim_id, now + ttl, grace,
                  redelivery.schedule(meta), increment=True)
            held = _held_rows(conn, claim_id, now)
        return claim_id, [sqlite_messages.to_message(row, now)
                          for row in held]

    def update(self, queue, claim_id, metadata, project=None):
        now = time.time()
        ttl = int(metadata['ttl'])
        with self.db.write() as conn:
            claim = _live_claim(conn, queue, claim_id, project, now)
            grace = int(metadata.get('grace', claim['grace']))
            conn.execute('UPDATE claims SET ttl = ?, grace = ?, expires = ? '
                         'WHERE id = ?', (ttl, grace, now + ttl, claim_id))
            _hold(conn, _held_rows(conn, claim_id, now), claim_id, now + ttl,
                  grace, _schedule(conn, queue, project), increment=False)

    def delete(self, queue, claim_id, project=None, delay=None):
        now = time.time()
        with self.db.write() as conn:
            found = conn.execute(
                'DELETE FROM claims WHERE id = ? AND project = ? AND queue = ?',
                (str(claim_id), scope(project), queue)).rowcount
            if not found:
                return
            schedule = _schedule(conn, queue, project)
            updates = [(now + (schedule.delay(row['claim_count'])
                               if delay is None else delay), row['seq'])
                       for row in _held_rows(conn, claim_id, now)]
            conn.executemany(
                'UPDATE messages SET claim_id = NULL, claim_expires = NULL, '
                'available_at = ? WHERE seq = ?', updates)
        ready = sum(1 for available_at, _ in updates if available_at <= now)
        if ready:  # claimable now: wake waiting claims
            self.driver.doorbell.ring(queue, project, ready)


def _live_claim(conn, queue, claim_id, project, now):
    row = conn.execute(
        'SELECT id, ttl, grace, created FROM claims WHERE id = ? AND '
        'project = ? AND queue = ? AND expires > ?',
        (str(claim_id), scope(project), queue, now)).fetchone()
    if row is None:
        raise errors.ClaimDoesNotExist(claim_id, queue, project)
    return row


def _held_rows(conn, claim_id, now):
    return conn.execute(
        f'SELECT {MESSAGE_COLUMNS} FROM messages WHERE claim_id = ? AND '
        'claim_expires > ? ORDER BY seq', (str(claim_id), now)).fetchall()


def _schedule(conn, queue, project):
    """The queue's redelivery backoff schedule."""
    return redelivery.schedule(queue_metadata(conn, queue, project))


def _take(conn, queue, project, meta, now, limit):
    """Claimable rows; those claimed too often go to the dead-letter queue."""
    max_claims = meta.get('_max_claim_count')
    dead_letter = base.dead_letter_target(queue, meta)
    taken = []
    while len(taken) < limit:
        wanted = limit - len(taken)
        rows = sqlite_messages.available_rows(conn, queue, project, now,
                                              wanted)
        if not rows:
            break
        for row in rows:
            if dead_letter and max_claims and row['claim_count'] >= max_claims:
                dead_letters.move(conn, row, queue, dead_letter, project,
                                  meta, now, base.DeadLetterReason.MAX_CLAIMS)
            else:
                taken.append(row)
        if len(rows) < wanted:
            break
    return taken


def _hold(conn, rows, claim_id, until, grace, schedule, increment):
    """Hold rows in a claim until ``until``; they outlive it by ``grace``,
    and are claimable again the schedule's backoff after it."""
    lives_until = until + grace
    updates = []
    for row in rows:
        ttl = max(row['ttl'], round(lives_until - row['created']))
        count = row['claim_count'] + int(increment)
        updates.append((claim_id, until, until + schedule.delay(count),
                        count, ttl, row['created'] + ttl, row['seq']))
    conn.executemany(
        'UPDATE messages SET claim_id = ?, claim_expires = ?, '
        'available_at = ?, claim_count = ?, ttl = ?, expires = ? '
        'WHERE seq = ?', updates)
