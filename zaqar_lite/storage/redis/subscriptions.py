"""Subscriptions of the Redis store (``lua/sub_*.lua``).

Each subscription lives in its source queue's hash slot: its record as
JSON (subscriber, ttl, options, created; encoded here, opaque to Lua), its
confirmation flag, its expiry in a sorted set, and the subscriber's id in a
hash that keeps subscribers unique per source.
"""

import json
import uuid

from zaqar_lite import errors
from zaqar_lite.storage import base

_RETRIES = 10  # concurrent updates of one subscription before giving up


class SubscriptionController(base.Subscription):

    @property
    def run(self):
        return self.driver.scripts.run

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_SUBSCRIPTIONS_PER_PAGE):
        now, rows = self.run('sub_list', project, queue, marker or '', limit)
        items = [_subscription(queue, row, now) for row in rows]
        yield iter(items)
        yield items[-1]['id'] if items else marker

    def get(self, queue, subscription_id, project=None):
        now, row = self.run('sub_get', project, queue, subscription_id, '')
        if not row:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return _subscription(queue, row, now)

    def get_with_subscriber(self, queue, subscriber, project=None):
        now, row = self.run('sub_get', project, queue, '', subscriber)
        if not row:
            raise errors.SubscriptionDoesNotExist(subscriber)
        return _subscription(queue, row, now)

    def exists(self, queue, subscription_id, project=None):
        return bool(self.run('sub_get', project, queue, subscription_id,
                             '')[1])

    def create(self, queue, subscriber, ttl, options, project=None):
        now = self.driver.scripts.now()
        record = json.dumps({'subscriber': subscriber, 'ttl': ttl,
                             'options': options or {}, 'created': now})
        _, created = self.run('sub_create', project, queue,
                              str(uuid.uuid4()), subscriber, record,
                              repr(now + ttl), now=now)
        return created.decode() if created else None

    def update(self, queue, subscription_id, project=None, **kwargs):
        for _ in range(_RETRIES):
            _, row = self.run('sub_get', project, queue, subscription_id, '')
            if not row:
                raise errors.SubscriptionDoesNotExist(subscription_id)
            record = json.loads(row[1])
            for key in ('subscriber', 'ttl', 'options'):
                if key in kwargs:
                    record[key] = kwargs[key]
            now = self.driver.scripts.now()
            _, outcome = self.run(
                'sub_update', project, queue, subscription_id, row[1],
                json.dumps(record), record['subscriber'],
                repr(now + record['ttl']), now=now)
            if outcome == 1:
                return
            if outcome == -1:
                raise errors.SubscriptionDoesNotExist(subscription_id)
            if outcome == -2:
                raise errors.SubscriptionAlreadyExists()
        raise errors.StorageUnavailable(
            f'subscription {subscription_id} kept changing; try again')

    def confirm(self, queue, subscription_id, project=None, confirmed=True):
        _, done = self.run('sub_confirm', project, queue, subscription_id,
                           '1' if confirmed else '0')
        if not done:
            raise errors.SubscriptionDoesNotExist(subscription_id)

    def delete(self, queue, subscription_id, project=None):
        if subscription_id:
            self.run('sub_delete', project, queue, subscription_id)

    def delete_all(self, queue, project=None):
        self.run('sub_delete', project, queue, '')


def _subscription(queue, row, now):
    subscription_id, record, confirmed = row
    record = json.loads(record)
    return {'id': _text(subscription_id), 'source': queue,
            'subscriber': record['subscriber'], 'ttl': record['ttl'],
            'age': int(now - record['created']), 'options': record['options'],
            'confirmed': confirmed == b'1'}


def _text(value):
    return value.decode() if isinstance(value, bytes) else value
