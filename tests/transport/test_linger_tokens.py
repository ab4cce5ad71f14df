"""How many threads of a lingering worker may linger at once.

``LingeringThreadWorker`` lets at most ``threads - 1`` of its threads wait
for a connection's next request; past that, a connection goes back to the
worker's poller even when its next request is already there.  (On a real
gunicorn the bound does not show: a lingering thread gives way as soon as
a request waits for a thread, see ``tests/e2e/test_keepalive_linger.py``.)
Real sockets, the worker's own linger step, no gunicorn arbiter.
"""

import io
import logging
import os
import socket
import threading
import time
from types import SimpleNamespace

import pytest

from zaqar_lite import conf as zconf
from zaqar_lite.transport.wsgi import server
from zaqar_lite.transport.wsgi.worker import (CountingThreadPool,
                                              LingeringThreadWorker)

GROUP = 'drivers:transport:wsgi'
SETTLE = 10  # seconds to wait for a thread to reach its linger


def lingering_worker(threads):
    conf = zconf.load([])
    conf.set_override('threads', threads, GROUP)
    conf.set_override('keepalive_linger', 10, GROUP)  # its longest
    app = server.Server(conf)
    worker = LingeringThreadWorker(1, os.getpid(), [], app, 30, app.cfg,
                                   logging.getLogger(__name__))
    worker.tpool = CountingThreadPool(max_workers=threads)
    return worker


class Connection:
    """The parts of a gunicorn connection the linger step reads, on one
    end of a socket pair; ``client`` is the other end."""

    def __init__(self):
        self.sock, self.client = socket.socketpair()
        self.parser = SimpleNamespace(
            unreader=SimpleNamespace(buf=io.BytesIO()))

    def close(self):
        self.sock.close()
        self.client.close()


def linger_in_thread(worker, conn):
    """Start the linger step on ``conn``; its verdict lands in the list."""
    verdict = []
    thread = threading.Thread(
        target=lambda: verdict.append(worker._next_request_comes(conn)))
    thread.start()
    return thread, verdict


def wait_until(condition):
    deadline = time.monotonic() + SETTLE
    while not condition():
        assert time.monotonic() < deadline, 'the threads did not linger'
        time.sleep(0.01)


@pytest.mark.parametrize('threads', [2, 3, 4])
def test_at_most_all_threads_but_one_linger(threads):
    worker = lingering_worker(threads)
    quiet = [Connection() for _ in range(threads - 1)]
    busy = Connection()
    busy.client.sendall(b'GET /v2/ping HTTP/1.1\r\n\r\n')
    lingering = [linger_in_thread(worker, conn) for conn in quiet]
    try:
        wait_until(lambda: not worker.linger_tokens)
        # every token is taken: this connection goes to the poller,
        # although its request is there
        assert worker._next_request_comes(busy) is False
        for conn in quiet:
            conn.client.sendall(b'GET /v2/ping HTTP/1.1\r\n\r\n')
        for thread, verdict in lingering:
            thread.join(SETTLE)
            assert verdict == [True]
        # the tokens are back: now the busy connection is lingered on
        assert len(worker.linger_tokens) == threads - 1
        assert worker._next_request_comes(busy) is True
    finally:
        for conn in (*quiet, busy):
            conn.close()
        worker.tpool.shutdown()


def test_one_thread_never_lingers():
    worker = lingering_worker(1)
    busy = Connection()
    busy.client.sendall(b'GET /v2/ping HTTP/1.1\r\n\r\n')
    try:
        assert worker._next_request_comes(busy) is False
    finally:
        busy.close()
        worker.tpool.shutdown()
