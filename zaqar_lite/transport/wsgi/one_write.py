"""An answer's head and body in one write to the socket.

gunicorn's ``Response`` sends the status line and headers with one
``sendall`` and each piece of the body with another, so a small answer
(every answer of this API) crosses the connection as two segments: two
system calls and two passes through the kernel's TCP path in the worker,
and often two wake-ups of a client waiting for the whole answer.

``OneWriteResponse`` holds the head back while the first body bytes are
written and sends both with one ``sendall``.  The head is never held past
that ``write`` call: an answer whose body is dropped (``HEAD``, 204, 304),
cut to its ``Content-Length`` or written by ``sendfile`` gets its head as
gunicorn sends it.  The bytes on the wire are the same.  ``install``
makes it the response gunicorn creates for HTTP/1 requests in the calling
process; ``LingeringThreadWorker`` installs it when its process starts.
"""

import logging

from gunicorn.http import wsgi

LOG = logging.getLogger(__name__)
GUNICORN_RESPONSE = wsgi.Response  # the class this one extends


class _Collector:
    """Takes what gunicorn writes for a head, instead of a socket."""

    def __init__(self):
        self.data = b''

    def sendall(self, data):
        self.data += data


class OneWriteResponse(GUNICORN_RESPONSE):
    """gunicorn's ``Response``, writing its head with the first body bytes."""

    _holding = False  # inside write(): a head made now waits for the body
    _head = None      # the head made and not sent yet

    def send_headers(self):
        if self.headers_sent or not self._holding:
            return super().send_headers()
        sock, self.sock = self.sock, _Collector()
        try:
            super().send_headers()
            self._head = self.sock.data
        finally:
            self.sock = sock

    def write(self, arg):
        if self.headers_sent:
            return super().write(arg)
        self._holding = True
        try:
            return super().write(arg)
        finally:
            self._holding = False
            self._send_head()  # no body bytes went: the head goes alone

    def _emit_body(self, data):
        if self._head is None or self.chunked:
            self._send_head()
            return super()._emit_body(data)
        head, self._head = self._head, None
        self.sock.sendall(head + data)

    def _send_head(self):
        head, self._head = self._head, None
        if head is not None:
            self.sock.sendall(head)


def install() -> bool:
    """Make gunicorn create ``OneWriteResponse`` for HTTP/1 answers in this
    process; False when its ``Response`` is not the one this wraps (left
    alone then)."""
    current = wsgi.Response
    if current is GUNICORN_RESPONSE:
        wsgi.Response = current = OneWriteResponse
    elif current is not OneWriteResponse:
        LOG.debug('gunicorn Response left as it is: %r', current)
    return current is OneWriteResponse
