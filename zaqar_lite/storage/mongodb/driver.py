"""The MongoDB data driver."""

import collections
import functools
import hashlib
import os
import tempfile
import time

import pymongo.errors

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.host_doorbell import HostDoorbell
from zaqar_lite.storage.mongodb import dead_letters, engine, leases, schema
from zaqar_lite.storage.mongodb.claims import ClaimController
from zaqar_lite.storage.mongodb.messages import MessageController, remove
from zaqar_lite.storage.mongodb.queues import QueueController, queue_metadata
from zaqar_lite.storage.mongodb.redrives import RedriveController
from zaqar_lite.storage.mongodb.subscriptions import SubscriptionController

GC_BATCH = 1000  # expired messages removed per round


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
    redrive_class = RedriveController
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

    @functools.cached_property
    def doorbell(self):
        # FerretDB has neither change streams nor tailable cursors, so
        # rings reach the processes of this host only (one folder per
        # store); waiters on other hosts find posts at their re-checks.
        store = f'{self.uri}\0{self.options.get("database", "zaqar")}'
        digest = hashlib.sha256(store.encode()).hexdigest()[:16]
        return HostDoorbell(os.path.join(
            tempfile.gettempdir(), f'zaqar-lite-bells-{os.getuid()}-{digest}'))

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
        removed, moved = self._remove_expired_messages(now)
        return {'messages': removed, 'dead_lettered': moved,
                'claims': self.db.claims.delete_many(expired),
                'leases': leases.remove_ended(self.db, now),
                'subscriptions': self.db.subscriptions.delete_many(expired),
                'idempotency_keys': self.db.idempotency_keys.delete_many(
                    expired)}

    def _remove_expired_messages(self, now):
        """Remove expired messages; those of a queue that sets
        ``_dead_letter_on_expiry`` move to its dead-letter queue instead.

        Returns:
            ``(removed, moved)``.
        """
        removed = moved = 0
        while True:
            expired = self.db.messages.find(
                {'expires': {'$lte': now}}, limit=GC_BATCH,
                projection={'project': 1, 'queue': 1})
            by_queue = collections.defaultdict(list)
            for doc in expired:
                by_queue[doc['project'], doc['queue']].append(doc['_id'])
            for (project, queue), ids in by_queue.items():
                meta = queue_metadata(self.db, queue, project) or {}
                target = base.expiry_target(queue, meta)
                if target is not None:
                    moved += dead_letters.move_expired(
                        self.db, queue, project, meta, target, now)
                    continue
                removed += remove(self.db, queue, project,
                                  {'_id': {'$in': ids},
                                   'expires': {'$lte': now}})
            if len(expired) < GC_BATCH:
                break
        if not self.updates_are_isolated:
            self._recount_messages()
        return removed, moved

    def _recount_messages(self):
        """Set each queue's message counter from a count of its messages.

        For engines that can lose concurrent increments (FerretDB v1); a
        post racing with this can still be miscounted until the next gc.
        """
        counts = {(group['_id']['project'], group['_id']['queue']):
                  group['count'] for group in self.db.messages.aggregate(
                      [{'$group': {'_id': {'project': '$project',
                                           'queue': '$queue'},
                                   'count': {'$sum': 1}}}])}
        for queue in self.db.queues.find({}, projection={
                'project': 1, 'name': 1, 'messages': 1}):
            count = counts.get((queue['project'], queue['name']), 0)
            if count != queue['messages']:
                self.db.queues.update_one({'_id': queue['_id']},
                                          {'$set': {'messages': count}})

    def close(self):
        if 'doorbell' in self.__dict__:
            self.doorbell.close()
        self.client.close()
