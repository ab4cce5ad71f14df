"""The MongoDB data driver."""

import time

import pymongo.errors

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb import engine, leases, schema
from zaqar_lite.storage.mongodb.claims import ClaimController
from zaqar_lite.storage.mongodb.messages import MessageController
from zaqar_lite.storage.mongodb.queues import QueueController
from zaqar_lite.storage.mongodb.subscriptions import SubscriptionController

class DataDriver(base.DataDriverBase):
    """Queues, messages, claims and subscriptions in one MongoDB database.

    Args:
        uri: see the package docstring.
        options: ``database`` and the connection options of
            :func:`engine.connect`.

    Raises:
        ConfigurationError: the URI or options are malformed, or the
            server is unreachable.
    """

    queue_class = QueueController
    message_class = MessageController
    claim_class = ClaimController
    subscription_class = SubscriptionController
    BASE_CAPABILITIES = ('FIFO', 'CLAIMS', 'DURABILITY', 'AOD',
                         'HIGH_THROUGHPUT')

    def __init__(self, uri, options=None):
        super().__init__(uri, options)
        self.client = engine.connect(uri, self.options)
        database = self.client[self.options.get('database', 'zaqar')]
        try:
            schema.ensure_indexes(database)
            self.updates_are_isolated = engine.updates_are_isolated(
                self.client)
        except pymongo.errors.PyMongoError as exc:
            self.client.close()
            raise errors.ConfigurationError(
                f'MongoDB database {database.name!r} cannot be prepared: '
                f'{exc}') from exc
        self.db = engine.Collections.of(database, self.updates_are_isolated)

    def is_alive(self):
        try:
            self.client.admin.command('ping')
        except pymongo.errors.PyMongoError:
            return False
        return True

    def gc(self):
        # A message keeps the id of its ended claim: it is unclaimed once
        # its ``available`` time has passed, with no write needed.
        now = time.time()
        expired = {'expires': {'$lte': now}}
        return {'messages': self._remove_expired_messages(now),
                'claims': self.db.claims.delete_many(expired),
                'leases': leases.remove_ended(self.db, now),
                'subscriptions': self.db.subscriptions.delete_many(expired)}

    def _remove_expired_messages(self, now):
        removed = 0
        for queue in self.db.queues.find({}, projection={'project': 1,
                                                         'name': 1}):
            key = schema.in_queue(queue['name'], queue['project'] or None)
            expired = self.db.messages.delete_many(
                {**key, 'expires': {'$lte': now}})
            removed += expired
            if not self.updates_are_isolated:
                # Concurrent increments may have been lost: count again.
                self.db.queues.update_one(
                    {'_id': queue['_id']},
                    {'$set': {'messages': self.db.messages.count(key)}})
            elif expired:
                self.db.queues.update_one(
                    {'_id': queue['_id']}, {'$inc': {'messages': -expired}})
        return removed

    def close(self):
        self.client.close()
