"""gunicorn's ``gthread`` worker, serving a busy connection on one thread.

In gunicorn's ``gthread`` worker every request on a kept-alive connection
travels through the worker's main thread: the pool thread that answered
hands the connection back (a queued callback and a pipe write), the main
thread registers it with its poller, wakes when the next request arrives,
and submits it to the pool again.  For a client that sends its next
request straight away (a producer posting in a loop, a consumer claiming
and deleting) those hand-offs cost about as much worker CPU as gunicorn's
HTTP parsing (see ``docs/benchmarks.md``).

``LingeringThreadWorker`` lets the thread that answered wait a moment
(``[drivers:transport:wsgi] keepalive_linger``) for the connection's next
request and serve it itself; a connection that stays quiet longer goes
back to the poller as before.  At most ``threads - 1`` threads of a
worker linger at once, so lingering alone never takes all of the threads
beside the ones long-poll claims wait on (``max_waiting_claims``); with
``threads = 1`` nothing lingers.  A lingering thread stops as soon as a
request waits for a thread (``CountingThreadPool.waiting_fd``), and then
its connection queues behind that request, as in plain ``gthread``: a
worker whose threads are all busy serves its connections in turn.

With ``worker_cpu_affinity`` set, a worker pins itself to the CPU of its
connection slot before it starts a thread (``affinity.py``).  Its process
keeps the ``Date`` header's text per second and the verdict on whether a
peer may set forwarding headers (``gunicorn_caches.py``), and sends an
answer's head with its first body bytes (``one_write.py``).

It is a ``BalancedThreadWorker`` too: new connections go preferably to the
worker with the fewest open (``balance.py``), so a few long-lived clients
spread over the workers instead of piling onto one.
"""

import os
import select
import threading
from concurrent import futures

from zaqar_lite.transport.wsgi import affinity, gunicorn_caches, one_write
from zaqar_lite.transport.wsgi.balance import BalancedThreadWorker
from zaqar_lite.transport.wsgi.settled_config import settled


class CountingThreadPool(futures.ThreadPoolExecutor):
    """A thread pool that tells its lingering threads when calls wait.

    ``waiting`` counts the submitted calls no thread has started yet, and
    ``waiting_fd`` (the read end of a pipe holding one byte while any
    wait) is readable exactly while there are some, so a thread can wait
    for its connection and for waiting work in one ``poll``.  The pipe
    lives as long as the worker process.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.waiting = 0
        self._count = threading.Lock()
        self.waiting_fd, self._signal_fd = os.pipe()
        for fd in (self.waiting_fd, self._signal_fd):
            os.set_blocking(fd, False)

    def submit(self, fn, /, *args, **kwargs):
        with self._count:
            self.waiting += 1
            if self.waiting == 1:
                os.write(self._signal_fd, b'\0')
        return super().submit(self._started, fn, *args, **kwargs)

    def _started(self, fn, *args, **kwargs):
        with self._count:
            self.waiting -= 1
            if self.waiting == 0:
                os.read(self.waiting_fd, 1)
        return fn(*args, **kwargs)


class LingeringThreadWorker(BalancedThreadWorker):
    """``gthread`` whose threads keep serving a connection that stays busy.

    Started by gunicorn for ``zaqar_lite.transport.wsgi.server.Server``,
    whose ``conf`` gives ``keepalive_linger`` and ``threads``, whose
    ``connections`` table gives each worker its slot, and whose
    ``worker_cpus`` the CPUs the slots are pinned to (``None``: none).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cfg = settled(self.cfg)
        wsgi = self.app.conf['drivers:transport:wsgi']
        self.linger_ms = wsgi.keepalive_linger * 1000
        # one token per thread that may linger at once; taking one is a
        # list pop, which the GIL keeps atomic (a semaphore's acquire and
        # release cost about 3 µs a request)
        self.linger_tokens = [None] * (wsgi.threads - 1)

    def init_process(self):
        cpus = self.app.worker_cpus
        if cpus and self.connection_slot is not None:
            cpu = affinity.pin_worker(cpus, self.connection_slot)
            self.log.info('Worker %s on CPU %s', os.getpid(), cpu)
        gunicorn_caches.install()
        one_write.install()
        super().init_process()

    def get_thread_pool(self):
        return CountingThreadPool(max_workers=self.cfg.threads)

    def handle(self, conn):
        """Serve requests on ``conn`` while they keep coming (pool thread)."""
        keep = super().handle(conn)
        while keep is True and self.alive and self._next_request_comes(conn):
            keep = super().handle(conn)
        return keep

    def _next_request_comes(self, conn) -> bool:
        """Whether ``conn`` has its next request within the linger."""
        if getattr(conn, 'is_http2', False):
            return False  # served to its end by gunicorn already
        if conn.parser.unreader.buf.getvalue():
            return True  # read ahead while the last body was drained
        try:
            token = self.linger_tokens.pop()
        except IndexError:  # enough threads linger: the poller waits for it
            return False
        try:
            poller = select.poll()
            poller.register(conn.sock, select.POLLIN)
            poller.register(self.tpool.waiting_fd, select.POLLIN)
            ready = dict(poller.poll(self.linger_ms))
            # calls waiting for a thread come first: this connection then
            # queues behind them, through the poller
            return self.tpool.waiting_fd not in ready and \
                conn.sock.fileno() in ready
        except (OSError, ValueError):  # closed meanwhile
            return False
        finally:
            self.linger_tokens.append(token)
