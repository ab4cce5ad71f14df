"""Queues of the SQLite store."""

import json
import time

from zaqar_lite import errors
from zaqar_lite.storage import base


def scope(project):
    """The stored form of a project: ``None`` is ''."""
    return project or ''


class QueueController(base.Queue):

    @property
    def db(self):
        return self.driver.db

    def list(self, project=None, kfilter=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE, detailed=False, name=None):
        sql = 'SELECT name, metadata FROM queues WHERE project = ? AND name > ?'
        params = [scope(project), marker or '']
        for key, value in (kfilter or {}).items():
            sql += (' AND EXISTS (SELECT 1 FROM json_each(metadata) '
                    'WHERE key = ? AND value = ?)')
            params += [key, value]
        if name:
            sql += ' AND instr(name, ?) > 0'
            params.append(name)
        sql += ' ORDER BY name LIMIT ?'
        params.append(limit)
        rows = self.db.connection().execute(sql, params).fetchall()
        yield iter([_queue(row, detailed) for row in rows])
        yield rows[-1]['name'] if rows else marker

    def get(self, name, project=None):
        row = self.db.connection().execute(
            'SELECT metadata FROM queues WHERE project = ? AND name = ?',
            (scope(project), name)).fetchone()
        if row is None:
            raise errors.QueueDoesNotExist(name, project)
        return json.loads(row['metadata'])

    def create(self, name, metadata=None, project=None):
        with self.db.write() as conn:
            return create_queue(conn, name, project, metadata)

    def exists(self, name, project=None):
        return self.db.connection().execute(
            'SELECT 1 FROM queues WHERE project = ? AND name = ?',
            (scope(project), name)).fetchone() is not None

    def set_metadata(self, name, metadata, project=None):
        with self.db.write() as conn:
            updated = conn.execute(
                'UPDATE queues SET metadata = ? WHERE project = ? AND name = ?',
                (json.dumps(metadata), scope(project), name)).rowcount
        if not updated:
            raise errors.QueueDoesNotExist(name, project)

    def delete(self, name, project=None):
        where = 'WHERE project = ? AND queue = ?'
        params = (scope(project), name)
        with self.db.write() as conn:
            conn.execute(f'DELETE FROM messages {where}', params)
            conn.execute(f'DELETE FROM claims {where}', params)
            conn.execute(f'DELETE FROM idempotency_keys {where}', params)
            conn.execute(f'DELETE FROM redrive_jobs {where}', params)
            conn.execute('DELETE FROM subscriptions WHERE project = ? AND '
                         'source = ?', params)
            conn.execute('DELETE FROM queues WHERE project = ? AND name = ?',
                         params)

    def stats(self, name, project=None):
        now = time.time()
        with self.db.read() as conn:
            if not _exists(conn, name, project):
                raise errors.QueueDoesNotExist(name, project)
            stats = _counts(conn, name, project, now)
            if stats['total']:
                stats['oldest'] = _edge(conn, name, project, now, 'ASC')
                stats['newest'] = _edge(conn, name, project, now, 'DESC')
        return {'messages': stats}


def create_queue(conn, name, project, metadata=None) -> bool:
    """Create a queue inside a write transaction; True if it was new."""
    if _exists(conn, name, project):
        if metadata is not None:
            conn.execute(
                'UPDATE queues SET metadata = ? WHERE project = ? AND name = ?',
                (json.dumps(metadata), scope(project), name))
        return False
    conn.execute('INSERT INTO queues (project, name, metadata, created) '
                 'VALUES (?, ?, ?, ?)',
                 (scope(project), name, json.dumps(metadata or {}),
                  time.time()))
    return True


def queue_metadata(conn, name, project):
    """A queue's metadata inside a transaction, or None if it is missing."""
    row = conn.execute(
        'SELECT metadata FROM queues WHERE project = ? AND name = ?',
        (scope(project), name)).fetchone()
    return None if row is None else json.loads(row['metadata'])


def _exists(conn, name, project):
    return conn.execute(
        'SELECT 1 FROM queues WHERE project = ? AND name = ?',
        (scope(project), name)).fetchone() is not None


def _queue(row, detailed):
    queue = {'name': row['name']}
    if detailed:
        queue['metadata'] = json.loads(row['metadata'])
    return queue


def _counts(conn, name, project, now):
    # Counters and short index ranges only: the cost does not grow with
    # depth or with the number of claimed messages.
    params = (scope(project), name)
    rows = conn.execute('SELECT messages FROM queues WHERE project = ? AND '
                        'name = ?', params).fetchone()['messages']
    expired = conn.execute(
        'SELECT count(*) FROM messages INDEXED BY messages_by_expiry '
        'WHERE project = ? AND queue = ? AND expires <= ?',
        (*params, now)).fetchone()[0]
    claimed = conn.execute(
        'SELECT coalesce(sum(held), 0) FROM claims INDEXED BY claims_by_queue '
        'WHERE project = ? AND queue = ? AND expires > ?',
        (*params, now)).fetchone()[0]
    delayed = conn.execute(
        'SELECT count(*) FROM messages INDEXED BY messages_delayed '
        'WHERE project = ? AND queue = ? AND claim_id IS NULL '
        'AND available_at > ? AND expires > ?', (*params, now, now)
    ).fetchone()[0]
    # messages of lapsed claims (not yet reset by gc) in their backoff
    delayed += conn.execute(
        'SELECT count(*) FROM messages INDEXED BY messages_backoff '
        'WHERE project = ? AND queue = ? AND claim_id IS NOT NULL '
        'AND available_at > claim_expires AND available_at > ? '
        'AND claim_expires <= ? AND expires > ?', (*params, now, now, now)
    ).fetchone()[0]
    total = rows - expired
    return {'claimed': claimed, 'delayed': delayed,
            'free': total - claimed - delayed, 'total': total}


def _edge(conn, name, project, now, order):
    row = conn.execute(
        'SELECT id, created FROM messages INDEXED BY messages_by_queue '
        'WHERE project = ? AND queue = ? AND expires > ? '
        f'ORDER BY seq {order} LIMIT 1',
        (scope(project), name, now)).fetchone()
    return {'id': row['id'], 'created': int(row['created']),
            'age': int(now - row['created'])}
