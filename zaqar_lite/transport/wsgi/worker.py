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
worker linger at once, so a thread is always left for new requests beside
the ones long-poll claims wait on (``max_waiting_claims``); with
``threads = 1`` nothing lingers.
"""

import select
import threading

from gunicorn.workers import gthread


class LingeringThreadWorker(gthread.ThreadWorker):
    """``gthread`` whose threads keep serving a connection that stays busy.

    Started by gunicorn for ``zaqar_lite.transport.wsgi.server.Server``,
    whose ``conf`` gives ``keepalive_linger`` and ``threads``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wsgi = self.app.conf['drivers:transport:wsgi']
        self.linger_ms = wsgi.keepalive_linger * 1000
        self.lingering = threading.BoundedSemaphore(wsgi.threads - 1) \
            if wsgi.threads > 1 else None

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
        if self.lingering is None or \
                not self.lingering.acquire(blocking=False):
            return False  # enough threads wait: the poller waits for it
        try:
            poller = select.poll()
            poller.register(conn.sock, select.POLLIN)
            return bool(poller.poll(self.linger_ms))
        except (OSError, ValueError):  # closed meanwhile
            return False
        finally:
            self.lingering.release()
