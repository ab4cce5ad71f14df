"""New connections to the least-loaded gunicorn worker.

Every gunicorn worker watches the one listening socket and accepts the
connections it wins.  With a few long-lived kept-alive clients (producers
posting in a loop) the split is often uneven (3:1 on two workers) and lasts
as long as the connections; each worker runs on about one core (the GIL),
so the busier one can hold the server back while the other idles.

``ConnectionTable`` holds each worker's count of open connections
(gthread's ``nr_conns``, kept-alive ones included) in anonymous shared
memory that the master maps before it forks the workers.  The master gives
each worker a slot (gunicorn's ``pre_fork`` hook: the lowest slot no live
worker holds, cleared first) and clears it when the worker exits
(``child_exit``).  A worker writes only its own slot; reading skips free
slots and processes that are gone.  A worker beyond ``SLOTS`` gets none and
accepts as plain ``gthread`` does.

``BalancedThreadWorker`` is ``gthread`` with this accept policy: when the
listener is readable, a worker whose count is not above the least live
count accepts at once, so an idle or balanced server adds no latency.  One
above it leaves the connection to a less loaded worker: it stops watching
the listener for ``accept_delay`` (10 ms per connection above the least,
at most 30 ms; less once it is no longer above), then accepts the
connection if it is still waiting.  So a stopped or busy least-loaded
worker delays a connection by ``DELAY_CAP`` at most.  The main thread
never sleeps (it also dispatches kept-alive connections): its poller's
timeout ends the wait.
"""

import mmap
import os
import time
from collections.abc import Iterable

from gunicorn.workers import gthread

SLOTS = 256  # workers with a slot; gunicorn's TTIN may add workers
FREE = 2 ** 62  # the count of a free slot: never the least
# seconds a worker leaves a new connection to the others per connection it
# has above the least: longer than a busy least-loaded worker takes to be
# scheduled and accept (p90 0.9-2.7 ms on a busy server; 5 ms was too short
# on this 2-core machine under the test suite: docs/benchmarks.md).  A wait
# ends as soon as the worker is no longer above the least (looked at every
# RECHECK), as when the least-loaded worker has taken the connection.
DELAY_STEP = 0.010
DELAY_CAP = 0.030  # seconds: the longest a connection waits for balancing
RECHECK = 0.001  # seconds between looks at the table while a worker waits


def accept_delay(excess: int) -> float:
    """Seconds a worker ``excess`` connections above the least-loaded
    worker leaves a new connection to the others."""
    return min(excess * DELAY_STEP, DELAY_CAP)


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` exists."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's: not gone
    return True


class ConnectionTable:
    """Open connections per worker, shared by the master and its workers.

    Slot ``n`` is a pid (0: no worker) and a count (``FREE``: no worker),
    aligned 64-bit integers in shared memory, each read and written whole.
    """

    def __init__(self, size: int = SLOTS):
        self.size = size
        memory = mmap.mmap(-1, 2 * size * 8)  # MAP_SHARED: seen after fork
        cells = memoryview(memory).cast('q')
        self._pids, self._counts = cells[:size], cells[size:]
        for slot in range(size):
            self.clear(slot)

    def assign(self, held: Iterable) -> int | None:
        """The lowest slot not in ``held``, cleared; ``None`` if none is
        left (master)."""
        held = set(held)
        for slot in range(self.size):
            if slot not in held:
                self.clear(slot)
                return slot
        return None

    def clear(self, slot: int):
        """Free ``slot``: no worker counts on it any more."""
        self._counts[slot] = FREE
        self._pids[slot] = 0

    def join(self, slot: int, pid: int, count: int):
        """Worker ``pid`` starts counting on ``slot`` (worker)."""
        self._pids[slot] = pid
        self._counts[slot] = count

    def publish(self, slot: int, count: int):
        """The worker on ``slot`` now has ``count`` connections open."""
        self._counts[slot] = count

    def excess(self, count: int) -> int:
        """How many connections ``count`` is above the least count of a
        live worker (0 when none has fewer)."""
        counts = self._counts.tolist()
        while (least := min(counts)) < count:
            slot = counts.index(least)
            if is_alive(self._pids[slot]):
                return count - least
            counts[slot] = FREE  # a ghost the master has not cleared yet
        return 0

    def pre_fork(self, arbiter, worker):
        """gunicorn's ``pre_fork`` hook: the worker's slot (master)."""
        held = (getattr(other, 'connection_slot', None)
                for other in arbiter.WORKERS.values())
        worker.connection_table = self
        worker.connection_slot = self.assign(held)

    def child_exit(self, arbiter, worker):
        """gunicorn's ``child_exit`` hook: the slot is free (master)."""
        slot = getattr(worker, 'connection_slot', None)
        if slot is not None:
            self.clear(slot)


class BalancedThreadWorker(gthread.ThreadWorker):
    """``gthread`` that leaves new connections to less loaded workers.

    Given its slot by ``ConnectionTable.pre_fork``; without one it accepts
    as ``gthread`` does.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection_table = None
        self.connection_slot = None
        self.accept_held_until = None  # monotonic time; None: not held

    def run(self):
        if self.connection_slot is not None:
            self.connection_table.join(self.connection_slot, os.getpid(),
                                       self.nr_conns)
        super().run()

    def accept(self, listener):
        delay = self.accept_delay()
        if delay:
            self.hold_accepting(delay)
            return
        super().accept(listener)
        self.publish_count()

    def accept_delay(self) -> float:
        """Seconds to leave a new connection to the other workers."""
        if self.connection_slot is None:
            return 0.0
        return accept_delay(self.connection_table.excess(self.nr_conns))

    def hold_accepting(self, delay):
        """Stop watching the listener for ``delay`` seconds."""
        super().set_accept_enabled(False)
        self.accept_held_until = time.monotonic() + delay

    def set_accept_enabled(self, enabled):
        if enabled and self.accept_held_until is not None:
            return  # wait_for_and_dispatch_events ends the hold
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout):
        # gthread's main loop comes here after every change of nr_conns
        self.publish_count()
        if self.accept_held_until is not None:
            left = self.accept_held_until - time.monotonic()
            if left <= 0 or not self.connection_table.excess(self.nr_conns):
                self.resume_accepting()  # waited enough, or now the least
            else:
                timeout = min(timeout, left, RECHECK)
        super().wait_for_and_dispatch_events(timeout)

    def resume_accepting(self):
        """End the hold: take the connection left to the others if it is
        still waiting, and watch the listener again."""
        self.accept_held_until = None
        if not self.alive or self.nr_conns >= self.worker_connections:
            return  # gthread's main loop decides, as without a hold
        self.set_accept_enabled(True)
        for listener in self.sockets:
            super().accept(listener)  # nothing waiting: EAGAIN, ignored
        self.publish_count()

    def publish_count(self):
        """Show the other workers this one's open connections; a worker
        that stops accepting frees its slot."""
        if self.connection_slot is None:
            return
        if self.alive:
            self.connection_table.publish(self.connection_slot,
                                          self.nr_conns)
        else:
            self.connection_table.clear(self.connection_slot)
