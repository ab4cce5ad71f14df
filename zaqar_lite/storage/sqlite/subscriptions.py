"""Subscriptions of the SQLite store: one row each, unique per subscriber."""

import json
import time
import uuid

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.sqlite.queues import scope

_COLUMNS = 'id, source, subscriber, ttl, options, confirmed, created'
_LIVE = 'project = ? AND source = ? AND expires > ?'


class SubscriptionController(base.Subscription):

    @property
    def db(self):
        return self.driver.db

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_SUBSCRIPTIONS_PER_PAGE):
        now = time.time()
        rows = self.db.connection().execute(
            f'SELECT {_COLUMNS} FROM subscriptions '
            f'INDEXED BY subscriptions_by_source WHERE {_LIVE} AND id > ? '
            'ORDER BY id LIMIT ?',
            (scope(project), queue, now, marker or '', limit)).fetchall()
        yield iter([_subscription(row, now) for row in rows])
        yield rows[-1]['id'] if rows else marker

    def get(self, queue, subscription_id, project=None):
        now = time.time()
        row = self.db.connection().execute(
            f'SELECT {_COLUMNS} FROM subscriptions WHERE {_LIVE} AND id = ?',
            (scope(project), queue, now, subscription_id)).fetchone()
        if row is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return _subscription(row, now)

    def get_with_subscriber(self, queue, subscriber, project=None):
        now = time.time()
        row = self.db.connection().execute(
            f'SELECT {_COLUMNS} FROM subscriptions '
            f'WHERE {_LIVE} AND subscriber = ?',
            (scope(project), queue, now, subscriber)).fetchone()
        if row is None:
            raise errors.SubscriptionDoesNotExist(subscriber)
        return _subscription(row, now)

    def exists(self, queue, subscription_id, project=None):
        try:
            self.get(queue, subscription_id, project=project)
        except errors.SubscriptionDoesNotExist:
            return False
        return True

    def create(self, queue, subscriber, ttl, options, project=None):
        now = time.time()
        with self.db.write() as conn:
            _forget_expired(conn, queue, project, subscriber, now)
            if _taken(conn, queue, project, subscriber):
                return None
            subscription_id = str(uuid.uuid4())
            conn.execute(
                'INSERT INTO subscriptions (id, project, source, subscriber, '
                'ttl, options, confirmed, created, expires) '
                'VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)',
                (subscription_id, scope(project), queue, subscriber, ttl,
                 json.dumps(options or {}), now, now + ttl))
        return subscription_id

    def update(self, queue, subscription_id, project=None, **kwargs):
        now = time.time()
        fields = {key: kwargs[key] for key in ('subscriber', 'ttl', 'options')
                  if key in kwargs}
        with self.db.write() as conn:
            row = conn.execute(
                f'SELECT ttl FROM subscriptions WHERE {_LIVE} AND id = ?',
                (scope(project), queue, now, subscription_id)).fetchone()
            if row is None:
                raise errors.SubscriptionDoesNotExist(subscription_id)
            subscriber = fields.get('subscriber')
            if subscriber is not None:
                _forget_expired(conn, queue, project, subscriber, now)
                other = _taken(conn, queue, project, subscriber)
                if other is not None and other != subscription_id:
                    raise errors.SubscriptionAlreadyExists()
            if 'options' in fields:
                fields['options'] = json.dumps(fields['options'] or {})
            ttl = fields.get('ttl', row['ttl'])
            fields['expires'] = now + ttl
            assignments = ', '.join(f'{key} = ?' for key in fields)
            conn.execute(
                f'UPDATE subscriptions SET {assignments} WHERE id = ?',
                (*fields.values(), subscription_id))

    def confirm(self, queue, subscription_id, project=None, confirmed=True):
        with self.db.write() as conn:
            updated = conn.execute(
                f'UPDATE subscriptions SET confirmed = ? '
                f'WHERE {_LIVE} AND id = ?',
                (int(bool(confirmed)), scope(project), queue, time.time(),
                 subscription_id)).rowcount
        if not updated:
            raise errors.SubscriptionDoesNotExist(subscription_id)

    def delete(self, queue, subscription_id, project=None):
        with self.db.write() as conn:
            conn.execute('DELETE FROM subscriptions WHERE project = ? AND '
                         'source = ? AND id = ?',
                         (scope(project), queue, subscription_id))

    def delete_all(self, queue, project=None):
        with self.db.write() as conn:
            conn.execute('DELETE FROM subscriptions WHERE project = ? AND '
                         'source = ?', (scope(project), queue))


def _taken(conn, queue, project, subscriber):
    """The id subscribed for ``subscriber`` (live, after _forget_expired)."""
    row = conn.execute(
        'SELECT id FROM subscriptions WHERE project = ? AND source = ? '
        'AND subscriber = ?', (scope(project), queue, subscriber)).fetchone()
    return None if row is None else row['id']


def _forget_expired(conn, queue, project, subscriber, now):
    conn.execute('DELETE FROM subscriptions WHERE project = ? AND source = ? '
                 'AND subscriber = ? AND expires <= ?',
                 (scope(project), queue, subscriber, now))


def _subscription(row, now):
    return {'id': row['id'], 'source': row['source'],
            'subscriber': row['subscriber'], 'ttl': row['ttl'],
            'age': int(now - row['created']),
            'options': json.loads(row['options']),
            'confirmed': bool(row['confirmed'])}
