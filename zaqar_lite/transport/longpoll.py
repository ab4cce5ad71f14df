"""Long-poll claims: ``POST .../claims?wait=N`` waits for messages.

:class:`ClaimWaiter` wraps the claim pipeline: it tries the claim as any
claim is tried (``create(queue, metadata, project=, limit=)``, so pipeline
stages see every attempt with Zaqar's signature), and when nothing could
be claimed and the request allows a wait, it listens on the queue's
doorbell (:mod:`zaqar_lite.storage.doorbell`) and tries again each time the
bell rings, and at least every ``recheck`` seconds, until it claims at
least one message (201) or the wait is over (204).

The order (listen, then try, then sleep) loses no post: a post that lands
before the listener is in place is seen by the claim tried after it.

A client that hangs up while its claim waits (its own timeout was
shorter, it was stopped) would otherwise have messages claimed for
nobody, held until that claim expired: before each try after the first,
the waiter asks ``hung_up()`` (the transport's check of the connection)
and gives up when it says so.

A waiting claim holds a server thread, so each process holds at most
``max_waiting`` of them at once (the server gives its workers that many
threads beyond those serving other requests; see
``zaqar_lite/transport/wsgi/server.py``).  A claim beyond that, which finds
nothing at once, is refused with :class:`errors.TooManyWaitingClaims`.
"""

from __future__ import annotations

import random
import threading
import time

from zaqar_lite import errors

JITTER = (0.8, 1.2)  # of ``recheck``: the range of one sleep between tries


def waiting_claims_allowed(wsgi) -> int:
    """Long-poll claims one worker may hold waiting at once, from
    ``[drivers:transport:wsgi]``: none with the sync worker class, which
    serves one request at a time."""
    return wsgi.max_waiting_claims if wsgi.worker_class == 'gthread' else 0


def _stays() -> bool:
    return False


class ClaimWaiter:
    """Claims that wait for messages.

    Args:
        pipeline: the claim pipeline (or any claim controller).
        doorbell: the data driver's doorbell.
        max_waiting: claims this process may hold waiting at once.
        recheck: seconds between a waiting claim's own retries, which find
            messages made claimable by time (a delay ending, a claim
            expiring) or whose ring was lost.
    """

    def __init__(self, pipeline, doorbell, max_waiting: int,
                 recheck: float):
        self.pipeline = pipeline
        self.doorbell = doorbell
        self.max_waiting = max_waiting
        self.recheck = recheck
        self._lock = threading.Lock()
        self.waiting = 0  # claims of this process waiting right now

    def create(self, queue, metadata, project=None, limit=10, wait=0,
               hung_up=None):
        """Claim up to ``limit`` messages, waiting up to ``wait`` seconds
        for at least one.

        Args:
            hung_up: a callable telling whether the client went away
                (None: it never does).

        Returns:
            ``(claim_id, messages)``; ``(None, [])`` when the wait ended
            with nothing claimed.

        Raises:
            TooManyWaitingClaims: nothing to claim now, and this process
                holds ``max_waiting`` waiting claims already.
        """
        claim = self._try(queue, metadata, project, limit)
        if claim[1] or wait <= 0:
            return claim
        deadline = time.monotonic() + wait
        self._enter()
        try:
            with self.doorbell.listen(queue, project) as listener:
                return self._wait(listener, deadline, queue, metadata,
                                  project, limit, hung_up or _stays)
        finally:
            self._leave()

    def _wait(self, listener, deadline, queue, metadata, project, limit,
              hung_up):
        while True:
            if hung_up():
                return None, []
            claim = self._try(queue, metadata, project, limit)
            remaining = deadline - time.monotonic()
            if claim[1] or remaining <= 0:
                return claim
            # jittered, so waiters that came together re-check apart
            listener.wait(min(remaining,
                              self.recheck * random.uniform(*JITTER)))

    def _try(self, queue, metadata, project, limit):
        return self.pipeline.create(queue, metadata, project=project,
                                    limit=limit)

    def _enter(self):
        with self._lock:
            if self.waiting >= self.max_waiting:
                raise errors.TooManyWaitingClaims(
                    'There is nothing to claim, and this server holds as '
                    f'many waiting claims as it may ({self.max_waiting}). '
                    'Please try again in a moment.')
            self.waiting += 1

    def _leave(self):
        with self._lock:
            self.waiting -= 1
