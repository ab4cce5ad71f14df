"""The SQLite data driver."""

import functools
import time

from zaqar_lite.storage import base
from zaqar_lite.storage.host_doorbell import HostDoorbell
from zaqar_lite.storage.sqlite import dead_letters
from zaqar_lite.storage.sqlite.claims import ClaimController
from zaqar_lite.storage.sqlite.database import Database, path_from_uri
from zaqar_lite.storage.sqlite.messages import (MessageController,
                                                count_messages)
from zaqar_lite.storage.sqlite.queues import QueueController, queue_metadata
from zaqar_lite.storage.sqlite.redrives import RedriveController
from zaqar_lite.storage.sqlite.subscriptions import SubscriptionController


class DataDriver(base.DataDriverBase):
    """Queues, messages, claims and subscriptions in one SQLite file.

    Args:
        uri: ``sqlite:///path/to/file.db``.
        options: ``busy_timeout`` (seconds) and ``synchronous``.
    """

    queue_class = QueueController
    message_class = MessageController
    claim_class = ClaimController
    subscription_class = SubscriptionController
    redrive_class = RedriveController
    BASE_CAPABILITIES = ('FIFO', 'CLAIMS', 'DURABILITY', 'AOD')

    def __init__(self, uri, options=None):
        super().__init__(uri, options)
        self.db = Database(path_from_uri(uri),
                           busy_timeout=float(self.options.get('busy_timeout',
                                                               10.0)),
                           synchronous=self.options.get('synchronous', 'FULL'))

    @functools.cached_property
    def doorbell(self):
        # every process sharing the file is on this host
        return HostDoorbell(self.db.path + '.bells')

    def is_alive(self):
        return self.db.is_alive()

    def gc(self):
        now = time.time()
        with self.db.write() as conn:
            # Reset messages of expired claims first, so they return to the
            # posting-order index that listings walk.
            released = conn.execute(
                'UPDATE messages SET claim_id = NULL, claim_expires = NULL '
                'WHERE claim_id IN '
                '(SELECT id FROM claims WHERE expires <= ?)', (now,)).rowcount
            claims = conn.execute('DELETE FROM claims WHERE expires <= ?',
                                  (now,)).rowcount
            messages, moved = _expire_messages(conn, now)
            subscriptions = conn.execute(
                'DELETE FROM subscriptions WHERE expires <= ?', (now,)
            ).rowcount
            keys = conn.execute(
                'DELETE FROM idempotency_keys WHERE expires <= ?', (now,)
            ).rowcount
        return {'messages': messages, 'dead_lettered': moved,
                'claims': claims, 'released': released,
                'subscriptions': subscriptions, 'idempotency_keys': keys}

    def close(self):
        if 'doorbell' in self.__dict__:
            self.doorbell.close()
        self.db.close()


def _expire_messages(conn, now):
    """Remove expired messages, queue by queue; a queue that sets
    ``_dead_letter_on_expiry`` has them moved to its dead-letter queue
    instead (a bounded number per pass; the rest wait for the next).

    Returns:
        ``(removed, moved)``.
    """
    expired = conn.execute(
        'SELECT DISTINCT project, queue FROM messages '
        'INDEXED BY messages_expiring WHERE expires <= ?', (now,)).fetchall()
    removed = moved = 0
    for row in expired:
        project, queue = row['project'], row['queue']
        meta = queue_metadata(conn, queue, project) or {}
        target = base.expiry_target(queue, meta)
        if target is not None:
            moved += dead_letters.move_expired(conn, queue, project, meta,
                                               target, now)
            continue
        gone = conn.execute(
            'DELETE FROM messages WHERE project = ? AND queue = ? AND '
            'expires <= ?', (project, queue, now)).rowcount
        count_messages(conn, queue, project, -gone)
        removed += gone
    return removed, moved
