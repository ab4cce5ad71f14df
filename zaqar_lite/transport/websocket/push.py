"""Pushing newly posted messages to the sockets that subscribed.

Messages are posted in any process (gunicorn workers, this server, other
hosts), so the server watches the store itself: one watcher per (project,
queue) that any socket subscribed to, however many sockets did.  Each
round a watcher reads the queue's tail marker (an index read) and, only
when it moved, lists the messages after what it had seen, claimed and
delayed ones included, and hands each to every subscriber.

Nothing posted while a socket is subscribed is missed: a store may commit
posts slightly out of number order (MongoDB numbers a post before it
inserts it), so each listing starts ``LOOKBACK`` seconds of markers back
and skips the ids it already pushed.  A message deleted or expired before
the next round (``push_interval``) is not pushed.
"""

import asyncio
import collections
import logging
import time
import uuid

from zaqar_lite.notification.notifier import notification_document
from zaqar_lite.storage.utils import page

LOG = logging.getLogger(__name__)
LOOKBACK = 2.0  # seconds of posts listed again, for late commits
PAGE = 100  # messages per listing
ERROR_PAUSE = 1.0  # seconds after a failed round


class Subscription:
    """A socket's subscription: ``owner.push(document, binary)`` gets each
    notification document, in msgpack when ``binary``."""

    def __init__(self, project, queue, owner, binary, ttl):
        self.id = str(uuid.uuid4())
        self.project, self.queue = project, queue
        self.owner, self.binary = owner, binary
        self.expires = time.monotonic() + ttl

    @property
    def is_expired(self) -> bool:
        return time.monotonic() >= self.expires


class Hub:
    """Socket subscriptions of one server, and the watchers feeding them.

    Args:
        messages: the message pipeline.
        run: ``await run(fn, *args)`` runs a storage call off the loop.
        interval: seconds between a watcher's rounds.
    """

    def __init__(self, messages, run, interval):
        self.messages = messages
        self.run = run
        self.interval = interval
        self.subscriptions = {}  # id -> Subscription
        self.by_queue = collections.defaultdict(dict)  # key -> {id: sub}
        self.by_owner = collections.defaultdict(dict)  # owner -> {id: sub}
        self.watchers = {}  # (project, queue) -> asyncio.Task

    async def subscribe(self, project, queue, owner, binary,
                        ttl) -> Subscription:
        """Subscribe ``owner`` to messages posted from now on."""
        subscription = Subscription(project, queue, owner, binary, ttl)
        key = (project, queue)
        if key not in self.watchers:
            tail = await self.run(self.messages.tail_marker, queue,
                                  project=project)
            if key not in self.watchers:  # no other subscribe meanwhile
                self.watchers[key] = asyncio.create_task(
                    self._watch(key, Watch(tail)))
        self.subscriptions[subscription.id] = subscription
        self.by_queue[key][subscription.id] = subscription
        self.by_owner[owner][subscription.id] = subscription
        return subscription

    def unsubscribe(self, subscription_id, owner) -> bool:
        """End one of ``owner``'s subscriptions; False if it has none such."""
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None or subscription.owner is not owner:
            return False
        self._remove(subscription)
        return True

    def count(self, owner) -> int:
        """How many subscriptions ``owner`` holds."""
        return len(self.by_owner.get(owner, ()))

    def drop(self, owner) -> None:
        """End every subscription of ``owner`` (its socket closed)."""
        for subscription in list(self.by_owner.get(owner, {}).values()):
            self._remove(subscription)

    def close(self) -> None:
        for task in self.watchers.values():
            task.cancel()

    def _remove(self, subscription):
        key = (subscription.project, subscription.queue)
        del self.subscriptions[subscription.id]
        for index, group in ((self.by_queue, key),
                             (self.by_owner, subscription.owner)):
            del index[group][subscription.id]
            if not index[group]:
                del index[group]

    def _subscribers(self, key):
        return list(self.by_queue.get(key, {}).values())

    async def _watch(self, key, watch):
        project, queue = key
        try:
            while self._live_subscribers(key):
                await asyncio.sleep(self.interval)
                try:
                    found = await self.run(self._round, queue, project, watch)
                except Exception:  # the store may come back: keep watching
                    LOG.exception('watching %s/%s for pushes failed',
                                  project, queue)
                    await asyncio.sleep(ERROR_PAUSE)
                    continue
                self._fan_out(key, found)
        finally:
            if self.watchers.get(key) is asyncio.current_task():
                del self.watchers[key]

    def _live_subscribers(self, key):
        for subscription in self._subscribers(key):
            if subscription.is_expired:
                self._remove(subscription)
        return self._subscribers(key)

    def _round(self, queue, project, watch):
        """New messages of the queue (runs in a storage thread)."""
        tail = self.messages.tail_marker(queue, project=project)
        if int(tail) < int(watch.newest):  # the queue was made anew
            watch.restart()
        if tail == watch.start:
            watch.forget()
            return []
        found, marker = [], watch.start
        while True:
            items, marker = page(self.messages.list(
                queue, project=project, marker=marker, limit=PAGE,
                echo=True, include_claimed=True, include_delayed=True))
            found += [item for item in items if watch.is_new(item['id'])]
            if len(items) < PAGE:
                break
        # Everything up to the tail read first is listed now, save late
        # commits, which the lookback finds.
        watch.saw(str(max(int(marker), int(tail))))
        return [notification_document(queue, item['id'], item)
                for item in found]

    def _fan_out(self, key, documents):
        for document in documents:
            # a push may disconnect its owner, ending its subscriptions
            for subscription in self._subscribers(key):
                if subscription.id in self.subscriptions:
                    subscription.owner.push(document, subscription.binary)


class Watch:
    """What one watcher has seen: recent markers and the ids pushed."""

    def __init__(self, tail):
        self.markers = collections.deque([(time.monotonic(), tail)])
        self.pushed = {}  # message id -> when first pushed

    @property
    def start(self):
        """The marker to list from: the newest one ``LOOKBACK`` old."""
        return self.markers[0][1]

    @property
    def newest(self):
        return self.markers[-1][1]

    def is_new(self, message_id) -> bool:
        if message_id in self.pushed:
            return False
        self.pushed[message_id] = time.monotonic()
        return True

    def saw(self, marker):
        self.markers.append((time.monotonic(), marker))
        self.forget()

    def forget(self):
        now = time.monotonic()
        while len(self.markers) > 1 and \
                self.markers[1][0] <= now - LOOKBACK:
            self.markers.popleft()
        oldest = now - 3 * LOOKBACK
        for message_id in [m for m, t in self.pushed.items() if t < oldest]:
            del self.pushed[message_id]

    def restart(self):
        self.markers = collections.deque([(time.monotonic(), '0')])
        self.pushed.clear()
