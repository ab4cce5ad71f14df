"""A real HTTP server that records webhook deliveries, for the tests.

Every ``POST`` is recorded as a ``Delivery`` (path, headers, body) and
answered 204, unless the path was told to fail: ``fail(path, times,
status)`` makes the next ``times`` requests to ``path`` answer ``status``,
and ``stall(path, times)`` makes them get no answer at all (recorded with
status 0) until the client gives up, or the receiver stops.
``stop()`` closes the port (a subscriber that is down) and ``start()``
opens it again on the same port.
"""

import dataclasses
import http.server
import json
import threading

from tests.conftest import free_port, wait_for


@dataclasses.dataclass
class Delivery:
    path: str
    headers: dict
    raw: bytes
    status: int

    @property
    def json(self):
        return json.loads(self.raw)


class WebhookReceiver:
    """Records POSTs on ``http://127.0.0.1:<port>/<path>``."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.deliveries = []
        self._failures = {}
        self._stalls = {}
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = None

    def url(self, path='hook'):
        return f'http://127.0.0.1:{self.port}/{path.lstrip("/")}'

    def fail(self, path, times, status=503):
        with self._lock:
            self._failures['/' + path.lstrip('/')] = [times, status]

    def stall(self, path, times):
        with self._lock:
            self._stalls['/' + path.lstrip('/')] = times

    def received(self, path, ok_only=True):
        """Deliveries to ``path`` in arrival order (answered 2xx only)."""
        path = '/' + path.lstrip('/')
        with self._lock:
            return [d for d in self.deliveries if d.path == path
                    and (200 <= d.status < 300 or not ok_only)]

    def wait(self, path, count, timeout=30):
        """The first ``count`` successful deliveries to ``path``."""
        wait_for(lambda: len(self.received(path)) >= count, timeout=timeout,
                 what=f'{count} deliveries to {path}')
        return self.received(path)[:count]

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers['Content-Length']
                                          or 0))
                status = receiver._answer(self.path)
                with receiver._lock:
                    receiver.deliveries.append(Delivery(
                        self.path, dict(self.headers), raw, status))
                if status == 0:  # stalled: no answer until released
                    receiver._released.wait(60)
                    return
                self.send_response(status)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', self.port), Handler)
        self._server.daemon_threads = True
        self._released.clear()
        threading.Thread(target=self._server.serve_forever,
                         daemon=True).start()
        return self

    def _answer(self, path):
        with self._lock:
            if self._stalls.get(path, 0) > 0:
                self._stalls[path] -= 1
                return 0
            failing = self._failures.get(path)
            if failing and failing[0] > 0:
                failing[0] -= 1
                return failing[1]
        return 204

    def stop(self):
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
