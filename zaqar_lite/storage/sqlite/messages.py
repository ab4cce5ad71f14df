"""Messages of the SQLite store."""

import collections
import json
import time

from zaqar_lite import errors
from zaqar_lite.random_ids import uuid4_text
from zaqar_lite.storage import base
from zaqar_lite.storage.sqlite import dead_letters
from zaqar_lite.storage.sqlite.queues import queue_metadata, scope
from zaqar_lite.storage.sqlite.schema import MESSAGE_COLUMNS
from zaqar_lite.storage.utils import parse_seq_marker

_LIVE = 'project = ? AND queue = ? AND expires > ?'
SEQ_MAX = 2 ** 63 - 1  # SQLite's largest integer


def is_claimed(row, now) -> bool:
    """Whether a live claim holds the message of this row."""
    return row['claim_id'] is not None and row['claim_expires'] is not None \
        and row['claim_expires'] > now


def to_message(row, now) -> dict:
    """The contract's message dict for a ``messages`` row."""
    claimed = is_claimed(row, now)
    return {'id': row['id'], 'ttl': row['ttl'],
            'age': int(now - row['created']),
            'body': json.loads(row['body']),
            'created': int(row['created']),
            'claim_id': row['claim_id'] if claimed else None,
            'claim_count': row['claim_count'], 'delay': row['delay'],
            'available_at': row['available_at'],
            'claim_expires': row['claim_expires'] if claimed else None,
            'priority': row['priority'],
            'dead_letter': json.loads(row['dead_letter'])
            if row['dead_letter'] else None}


def parse_marker(marker) -> int:
    """The seq a listing marker stands for (0: from the start)."""
    return parse_seq_marker(marker, SEQ_MAX)


def available_rows(conn, queue, project, now, limit):
    """Up to ``limit`` claimable rows: the highest priority first, then the
    oldest available.  One short index range per priority level (a single
    ordered query would sort each level's whole backlog)."""
    rows = []
    for priority in reversed(base.PRIORITIES):
        rows += conn.execute(
            f'SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY '
            'messages_claimable WHERE project = ? AND queue = ? AND '
            'priority = ? AND available_at <= ? AND expires > ? '
            'ORDER BY available_at, seq LIMIT ?',
            (scope(project), queue, priority, now, now, limit - len(rows))
        ).fetchall()
        if len(rows) == limit:
            break
    return rows


def delete_rows(conn, queue, project, rows):
    """Delete message rows of one queue, keeping the counters right."""
    if not rows:
        return
    conn.executemany('DELETE FROM messages WHERE seq = ?',
                     [(row['seq'],) for row in rows])
    count_messages(conn, queue, project, -len(rows))
    released = collections.Counter(row['claim_id'] for row in rows
                                   if row['claim_id'] is not None)
    conn.executemany('UPDATE claims SET held = held - ? WHERE id = ?',
                     [(n, claim_id) for claim_id, n in released.items()])


def count_messages(conn, queue, project, delta):
    """Add ``delta`` to the queue's message counter."""
    conn.execute('UPDATE queues SET messages = messages + ? '
                 'WHERE project = ? AND name = ?',
                 (delta, scope(project), queue))


class MessageController(base.Message):

    @property
    def db(self):
        return self.driver.db

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_MESSAGES_PER_PAGE, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        now = time.time()
        after = parse_marker(marker)
        skip_client = None if echo else str(client_uuid)
        with self.db.read() as conn:
            if include_claimed or include_delayed:
                rows = self._scan(conn, queue, project, now, after, limit,
                                  skip_client, include_claimed,
                                  include_delayed)
            else:
                rows = self._visible(conn, queue, project, now, after, limit,
                                     skip_client)
        yield iter([to_message(row, now) for row in rows])
        yield str(rows[-1]['seq']) if rows else marker

    def _visible(self, conn, queue, project, now, after, limit, skip_client):
        # Unclaimed (or released) messages come from a partial index, so a
        # backlog of claimed messages at the head costs nothing; messages
        # of expired claims that gc has not reset come from a second one.
        echo_sql, echo_args = _echo_filter(skip_client)
        params = (scope(project), queue, after, now, now, *echo_args, limit)
        unclaimed = conn.execute(
            f'SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY '
            'messages_unclaimed WHERE project = ? AND queue = ? '
            'AND claim_id IS NULL AND seq > ? AND available_at <= ? '
            f'AND expires > ? {echo_sql} ORDER BY seq LIMIT ?',
            params).fetchall()
        released = conn.execute(
            f'SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY '
            'messages_claimed WHERE project = ? AND queue = ? '
            'AND claim_id IS NOT NULL AND seq > ? AND available_at <= ? '
            f'AND expires > ? {echo_sql} ORDER BY seq LIMIT ?',
            params).fetchall()
        return sorted(unclaimed + released, key=lambda r: r['seq'])[:limit]

    def _scan(self, conn, queue, project, now, after, limit, skip_client,
              include_claimed, include_delayed):
        echo_sql, echo_args = _echo_filter(skip_client)
        state_sql, state_args = '', ()
        if not include_claimed:
            state_sql = ('AND NOT (claim_id IS NOT NULL AND '
                         'claim_expires > ?)')
            state_args = (now,)
        elif not include_delayed:
            state_sql = ('AND NOT (available_at > ? AND (claim_id IS NULL '
                         'OR claim_expires <= ?))')
            state_args = (now, now)
        return conn.execute(
            f'SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY '
            f'messages_by_queue WHERE {_LIVE} AND seq > ? {state_sql} '
            f'{echo_sql} ORDER BY seq LIMIT ?',
            (scope(project), queue, now, after, *state_args, *echo_args,
             limit)).fetchall()

    def tail_marker(self, queue, project=None):
        # seq is never reused, so the newest row (expired or not) will do
        row = self.db.connection().execute(
            'SELECT MAX(seq) FROM messages INDEXED BY messages_by_queue '
            'WHERE project = ? AND queue = ?',
            (scope(project), queue)).fetchone()
        return str(row[0] or 0)

    def first(self, queue, project=None, sort=1):
        now = time.time()
        order = 'ASC' if sort == 1 else 'DESC'
        row = self.db.connection().execute(
            f'SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY '
            f'messages_by_queue WHERE {_LIVE} ORDER BY seq {order} LIMIT 1',
            (scope(project), queue, now)).fetchone()
        if row is None:
            raise errors.QueueIsEmpty(queue, project)
        return to_message(row, now)

    def get(self, queue, message_id, project=None):
        now = time.time()
        row = self._row(self.db.connection(), queue, message_id, project, now)
        if row is None:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return to_message(row, now)

    def bulk_get(self, queue, message_ids, project=None):
        now = time.time()
        with self.db.read() as conn:
            rows = [self._row(conn, queue, mid, project, now)
                    for mid in message_ids]
        return [to_message(row, now) for row in rows if row is not None]

    def post(self, queue, messages, client_uuid, project=None):
        now = time.time()
        rows = [_new_row(message, queue, project, str(client_uuid), now)
                for message in messages]
        with self.db.write() as conn:
            if conn.execute('SELECT 1 FROM queues WHERE project = ? AND '
                            'name = ?', (scope(project), queue)).fetchone() \
                    is None:
                raise errors.QueueDoesNotExist(queue, project)
            ids = _note_keys(conn, queue, project, messages,
                             [row[0] for row in rows], now)
            new = [row for n, row in enumerate(rows) if n not in ids.repeats]
            conn.executemany(
                'INSERT INTO messages (id, project, queue, body, client_uuid, '
                'created, ttl, expires, delay, available_at, priority) '
                'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', new)
            count_messages(conn, queue, project, len(new))
        ready = sum(1 for n, message in enumerate(messages)
                    if n not in ids.repeats and not message.get('delay'))
        if ready:
            self.driver.doorbell.ring(queue, project, ready)
        return ids

    def delete(self, queue, message_id, project=None, claim=None):
        now = time.time()
        with self.db.write() as conn:
            row = self._row(conn, queue, message_id, project, now)
            if row is None:
                return
            _check_claim(row, claim, now)
            delete_rows(conn, queue, project, [row])

    def bulk_delete(self, queue, message_ids, project=None, claim_ids=None):
        now = time.time()
        allowed = set(claim_ids or ())
        with self.db.write() as conn:
            rows = [row for row in (self._row(conn, queue, mid, project, now)
                                    for mid in message_ids) if row]
            for row in rows:
                message = to_message(row, now)
                if message['claim_id'] and message['claim_id'] not in allowed:
                    raise errors.MessageIsClaimed(row['id'])
            delete_rows(conn, queue, project, rows)

    def pop(self, queue, limit, project=None):
        now = time.time()
        with self.db.write() as conn:
            rows = available_rows(conn, queue, project, now, limit)
            delete_rows(conn, queue, project, rows)
        return [to_message(row, now)
                for row in sorted(rows, key=lambda r: r['seq'])]

    def reject(self, queue, message_id, project=None, claim=None,
               detail=None):
        now = time.time()
        with self.db.write() as conn:
            row = self._row(conn, queue, message_id, project, now)
            if row is None:
                raise errors.MessageDoesNotExist(message_id, queue, project)
            meta = queue_metadata(conn, queue, project) or {}
            target = base.dead_letter_target(queue, meta)
            if target is None:
                raise errors.NoDeadLetterQueue(queue, project)
            _check_claim(row, claim, now, required=True)
            dead_letters.move(conn, row, queue, target, project, meta, now,
                              base.DeadLetterReason.REJECTED, detail)
        return target

    @staticmethod
    def _row(conn, queue, message_id, project, now):
        return conn.execute(
            f'SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ? AND '
            f'{_LIVE}', (str(message_id), scope(project), queue, now)
        ).fetchone()


def _echo_filter(skip_client):
    if skip_client is None:
        return '', ()
    return 'AND client_uuid != ?', (skip_client,)


def _new_row(message, queue, project, client_uuid, now):
    ttl = int(message['ttl'])
    delay = int(message.get('delay') or 0)
    return (uuid4_text(), scope(project), queue,
            json.dumps(message.get('body')), client_uuid, now, ttl, now + ttl,
            delay, now + delay,
            message.get('priority', base.DEFAULT_PRIORITY))


def _note_keys(conn, queue, project, messages, ids, now) -> base.PostedIds:
    """Record the messages' idempotency keys; the ids they answer with.

    A key seen within its window answers with the id it was first posted
    with, and that message is a repeat (not to be stored).
    """
    answer, repeats, seen = list(ids), [], {}
    for n, message in enumerate(messages):
        key = message.get('idempotency_key')
        if key is None:
            continue
        first = seen.get(key) or _remembered(conn, queue, project, key, now)
        if first is not None:
            answer[n] = first
            repeats.append(n)
            continue
        seen[key] = ids[n]
        conn.execute('INSERT OR REPLACE INTO idempotency_keys (project, '
                     'queue, key, message_id, expires) VALUES (?, ?, ?, ?, ?)',
                     (scope(project), queue, key, ids[n],
                      now + message['dedup_window']))
    return base.PostedIds(answer, repeats)


def _remembered(conn, queue, project, key, now):
    """The message id a live idempotency key stands for, or None."""
    row = conn.execute(
        'SELECT message_id FROM idempotency_keys WHERE project = ? AND '
        'queue = ? AND key = ? AND expires > ?',
        (scope(project), queue, key, now)).fetchone()
    return None if row is None else row[0]


def _check_claim(row, claim, now, required=False):
    """Raise unless ``claim`` may delete the row (``required``: unless the
    row is held by that live claim)."""
    live_claim = row['claim_id'] if is_claimed(row, now) else None
    if claim is None:
        if live_claim is not None:
            raise errors.MessageIsClaimed(row['id'])
        if required:
            raise errors.MessageNotClaimed(row['id'])
    elif live_claim is None:
        raise errors.MessageNotClaimed(row['id'])
    elif live_claim != claim:
        raise errors.ClaimDoesNotMatch(row['id'])
