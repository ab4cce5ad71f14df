"""Doorbells: a post to a queue wakes the claims waiting on it.

A long-poll claim (``POST .../claims?wait=N``, see
:mod:`zaqar_lite.transport.longpoll`) that finds nothing to claim listens
on its queue's doorbell and tries again when it rings.  A data driver rings
the doorbell of (project, queue) after a post has stored messages, and
after a claim release without a delay (its messages are claimable at once).
Each driver carries one doorbell (``DataDriverBase.doorbell``) that reaches
every waiter sharing its store:

- this module's :class:`Doorbell` reaches the waiters of this process only
  (the default for a driver that offers nothing better);
- :class:`zaqar_lite.storage.host_doorbell.HostDoorbell` reaches every
  process on this host (UNIX datagram sockets): SQLite, and MongoDB, whose
  FerretDB has neither change streams nor tailable cursors;
- :class:`zaqar_lite.storage.redis.doorbell.PubSubDoorbell` reaches every
  host (Redis PUBLISH from the post's own script).

A ring is a hint, never a promise: a waiter always tries the claim again
(which may find nothing: another waiter was quicker), and waiters also
re-check at an interval, so messages that become claimable by time alone
(a delay ending, a claim expiring) or whose ring was lost are found too.

A ring carries how many messages became claimable (``count``, None when
unknown); each process wakes at most that many of its sleeping waiters,
the longest waiting first, so one message does not send every waiter to
the store.  A waiter that is trying a claim when the ring comes (and may
have looked before the post) tries once more, without counting.
"""

from __future__ import annotations

import contextlib
import threading


def bell_key(queue, project) -> tuple:
    """The doorbell of (project, queue); ``project`` None is ''."""
    return (project or '', queue)


class Listener:
    """One waiting claim's ear on one doorbell."""

    def __init__(self):
        self._rung = threading.Event()
        self.sleeping = False  # in ``wait``, not trying a claim

    def wake(self) -> bool:
        """Ring it; whether that woke it from its sleep.

        A ring that comes while the listener is not sleeping is not lost:
        its next ``wait`` returns at once.
        """
        woken = self.sleeping and not self._rung.is_set()
        self._rung.set()
        return woken

    def wait(self, timeout: float) -> bool:
        """Sleep until a ring or ``timeout`` seconds; whether it rang."""
        self.sleeping = True
        rung = self._rung.wait(timeout)
        self.sleeping = False
        self._rung.clear()
        return rung


class Doorbell:
    """Wakes the listeners of this process; subclasses reach further.

    Subclasses override :meth:`_announce` (tell other processes about a
    ring), :meth:`_watch` and :meth:`_unwatch` (start and stop hearing
    other processes' rings of one doorbell), and call :meth:`wake_local`
    for the rings they hear.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._listeners = {}  # bell key -> [Listener], longest waiting first

    def ring(self, queue, project=None, count=None) -> None:
        """Wake waiters of (project, queue) everywhere this bell reaches.

        Args:
            count: how many messages became claimable; None: unknown.
        """
        key = bell_key(queue, project)
        self.wake_local(key, count)
        self._announce(key, count)

    def wake_local(self, key, count=None) -> int:
        """Wake up to ``count`` (None: all) sleeping listeners of ``key``
        here, and have those that are not sleeping try once more.

        Returns:
            how many were woken from their sleep.
        """
        woken = 0
        with self._lock:
            for listener in self._listeners.get(key, ()):
                if not listener.sleeping:
                    listener.wake()
                elif count is None or woken < count:
                    woken += listener.wake()
        return woken

    @contextlib.contextmanager
    def listen(self, queue, project=None):
        """A :class:`Listener` for (project, queue) while the block runs.

        When the block starts, rings from every process this bell reaches
        are heard (as far as the driver can tell), so a claim tried inside
        the block and then a ``wait`` miss no post.
        """
        key = bell_key(queue, project)
        listener = Listener()
        with self._lock:
            self._listeners.setdefault(key, []).append(listener)
        try:
            self._watch(key)
            yield listener
        finally:
            with self._lock:
                waiting = self._listeners[key]
                waiting.remove(listener)
                if not waiting:
                    del self._listeners[key]
            self._unwatch(key)

    def is_listened(self, key) -> bool:
        """Whether a listener of this process waits on ``key``."""
        with self._lock:
            return key in self._listeners

    def close(self) -> None:
        """Stop hearing other processes; the bell is not used afterwards."""

    # -- what subclasses provide -------------------------------------------

    def _announce(self, key, count) -> None:
        """Tell the other processes this bell reaches about a ring."""

    def _watch(self, key) -> None:
        """Make sure rings of ``key`` from elsewhere reach this process."""

    def _unwatch(self, key) -> None:
        """A listener of ``key`` left (others may remain)."""
