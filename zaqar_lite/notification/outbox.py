"""The outbox: pending deliveries, kept in the data store itself.

Each pending delivery is a message of the internal queue ``$notifications``
(a name no client can use) in the empty project (which no client can
send), so it is exactly as durable as the messages it notifies of, on
every driver.  Delivery workers claim entries, which makes a delivery
exclusive across workers, processes and hosts, and an entry whose worker
died is claimable again when its lease ends.  A retry is a new entry,
delayed by the retry policy, posted before the old one is deleted: at
least once, never zero times.
"""

import dataclasses

from zaqar_lite import errors

QUEUE = '$notifications'
PROJECT = None


@dataclasses.dataclass(frozen=True)
class Taken:
    """An entry a worker holds."""

    claim_id: str
    message_id: str
    entry: dict


class Outbox:
    """Pending deliveries in ``driver``'s store.

    Args:
        driver: the data driver (a pooling driver routes it like a queue).
        ttl: seconds an entry is kept, on top of its delay.
        lease: seconds a worker holds the entries it takes.
    """

    def __init__(self, driver, ttl=86400, lease=300):
        self.driver = driver
        self.ttl = ttl
        self.lease = lease

    def put(self, entries, delay=0) -> None:
        """Add entries (JSON documents), deliverable after ``delay`` s."""
        if not entries:
            return
        messages = [{'body': entry, 'ttl': self.ttl + delay, 'delay': delay}
                    for entry in entries]
        post = self.driver.message_controller.post
        try:
            post(QUEUE, messages, 'zaqar-lite-notifier', project=PROJECT)
        except errors.QueueDoesNotExist:
            self.driver.queue_controller.create(QUEUE, project=PROJECT)
            post(QUEUE, messages, 'zaqar-lite-notifier', project=PROJECT)

    def take(self, limit) -> list:
        """Up to ``limit`` deliverable entries, oldest first, now held."""
        claim_id, messages = self.driver.claim_controller.create(
            QUEUE, {'ttl': self.lease, 'grace': 60}, project=PROJECT,
            limit=limit)
        return [Taken(claim_id, message['id'], message['body'])
                for message in messages]

    def done(self, taken: Taken) -> None:
        """Forget an entry that was delivered, retried or given up."""
        try:
            self.driver.message_controller.delete(
                QUEUE, taken.message_id, project=PROJECT,
                claim=taken.claim_id)
        except errors.NotPermitted:
            pass  # the lease ended and another worker holds it now

    def pending(self) -> int:
        """How many entries wait (for tests and the health report)."""
        try:
            stats = self.driver.queue_controller.stats(QUEUE, project=PROJECT)
        except errors.QueueDoesNotExist:
            return 0
        return stats['messages']['total']
