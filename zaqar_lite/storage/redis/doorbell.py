"""PubSubDoorbell: rings reach every process on every host sharing Redis.

The post script (``lua/message_post.lua``) and the release script
(``lua/claim_delete.lua``) PUBLISH the number of messages they made
claimable on the queue's channel (``channel`` below), inside the script:
no extra round trip, and nothing is sent to Redis's subscribers when no
process listens on that queue.

Each process opens one subscriber connection, on the first waiting claim,
and one thread reads it and wakes the process's listeners.  A queue's
channel is subscribed while a claim waits on it, and for ``LINGER`` seconds
after the last one left (so a consumer that claims in a loop does not
subscribe anew for every request).  A listener starts waiting only once
Redis has confirmed its subscription (or after ``CONFIRM_WAIT`` seconds, a
Redis too slow to answer; the waiter's re-checks cover that).  While the
connection is down, rings are lost; redis-py subscribes again when it
reconnects, and re-checks find what was missed.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

from zaqar_lite.storage.doorbell import Doorbell

LOG = logging.getLogger(__name__)
LINGER = 30.0  # seconds a channel stays subscribed after its last waiter
CONFIRM_WAIT = 2.0  # seconds a listener waits for Redis's confirmation
READ_WAIT = 1.0  # seconds the reader blocks on the socket between chores
RETRY_PAUSE = 1.0  # seconds between attempts while Redis is unreachable


def channel(prefix, project, queue) -> str:
    """The channel rung for (project, queue); as ``common.lua`` names it."""
    return f'{prefix}:bell:{{{project}/{queue}}}'


class PubSubDoorbell(Doorbell):
    """Rings over Redis pub/sub.

    Args:
        client: the driver's ``redis.Redis``.
        prefix: the driver's key prefix.
        linger: seconds a channel stays subscribed after its last waiter.
    """

    def __init__(self, client, prefix, linger=LINGER):
        super().__init__()
        self.client = client
        self.prefix = prefix
        self.linger = linger
        self._state = threading.Lock()
        self._pubsub = None
        self._reader = None      # the thread reading the subscription
        self._keys = {}          # channel -> bell key
        self._confirmed = {}     # channel -> Event set once Redis confirms
        self._idle_since = {}    # channel -> when its last waiter left
        self._closed = False

    def _announce(self, key, count):
        # The scripts publish on their own; this is for a ring from Python.
        self.client.publish(channel(self.prefix, *key), count or 0)

    # -- hearing ------------------------------------------------------------

    def _watch(self, key):
        name = channel(self.prefix, *key)
        with self._state:
            self._idle_since.pop(name, None)
            confirmed = self._confirmed.get(name)
            if confirmed is None:
                confirmed = self._confirmed[name] = threading.Event()
                self._keys[name] = key
                if not self._subscribe(name):
                    return
        confirmed.wait(CONFIRM_WAIT)

    def _subscribe(self, name) -> bool:
        try:
            if self._reader is None or not self._reader.is_alive():
                # the first wait, or the reader died of a bug (the thread's
                # traceback is in the log): start over with every channel
                if self._pubsub is not None:
                    self._pubsub.close()
                pubsub = self.client.pubsub()
                pubsub.subscribe(*self._keys)
                self._pubsub = pubsub
                self._reader = threading.Thread(
                    target=self._read, args=(pubsub,), daemon=True,
                    name='zaqar-lite redis doorbell')
                self._reader.start()
            else:
                self._pubsub.subscribe(name)
        except redis.RedisError as exc:
            LOG.warning('doorbell: cannot subscribe to %s: %s', name, exc)
            del self._confirmed[name]
            del self._keys[name]
            return False
        return True

    def _unwatch(self, key):
        if not self.is_listened(key):
            with self._state:
                self._idle_since[channel(self.prefix, *key)] = \
                    time.monotonic()

    def _read(self, pubsub):
        # The only thread that reads the connection, and the one that
        # closes it (closing it under a read fails inside redis-py).
        while not self._closed:
            try:
                message = pubsub.get_message(timeout=READ_WAIT)
            except (redis.RedisError, OSError) as exc:
                LOG.warning('doorbell: Redis subscription failed: %s', exc)
                time.sleep(RETRY_PAUSE)
                continue
            if message is not None:
                self._handle(message)
            self._unsubscribe_idle(pubsub)
        pubsub.close()

    def _handle(self, message):
        name = message['channel']
        name = name.decode() if isinstance(name, bytes) else name
        with self._state:
            key = self._keys.get(name)
            confirmed = self._confirmed.get(name)
        if message['type'] == 'subscribe' and confirmed is not None:
            confirmed.set()
        elif message['type'] == 'message' and key is not None:
            count = int(message['data']) or None
            self.wake_local(key, count)

    def _unsubscribe_idle(self, pubsub):
        now = time.monotonic()
        with self._state:
            idle = [name for name, since in self._idle_since.items()
                    if now - since >= self.linger
                    and not self.is_listened(self._keys[name])]
            if not idle:
                return
            for name in idle:
                del self._idle_since[name], self._confirmed[name]
                del self._keys[name]
            try:
                pubsub.unsubscribe(*idle)
            except redis.RedisError as exc:
                LOG.warning('doorbell: cannot unsubscribe: %s', exc)

    def close(self):
        """Stop listening: the reading thread closes the connection (within
        ``READ_WAIT`` seconds), before the driver closes its client."""
        self._closed = True
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(READ_WAIT + CONFIRM_WAIT)
