"""Calling the HTTP API's WSGI application in-process for one action.

The frame's headers become the request's headers, so ``Client-ID``,
``X-Project-ID``, tokens and signed-URL headers are checked by the same
middleware as over HTTP; the answer's status, ``Location`` and JSON body
come back as they are.
"""

import dataclasses
import io
import json
import re
import urllib.parse

from zaqar_lite.errors import ValidationError
from zaqar_lite.transport.websocket.actions import JSON, HttpRequest

HEADER_NAME = re.compile(r'^[A-Za-z0-9-]{1,128}$')
# set by the transport itself, never taken from a frame
RESERVED_HEADERS = {'CONTENT_TYPE', 'CONTENT_LENGTH'}


@dataclasses.dataclass
class HttpAnswer:
    """What the WSGI application answered."""

    status: int
    headers: dict
    body: object  # the JSON document, or None when there was none


def check_headers(headers) -> dict:
    """The frame's headers, refused unless names and values are strings.

    Raises:
        ValidationError: the headers are not an object of strings.
    """
    if not isinstance(headers, dict):
        raise ValidationError('The "headers" of a request must be an '
                              'object.', title='Invalid request')
    for name, value in headers.items():
        if not isinstance(name, str) or not HEADER_NAME.match(name) or \
                not isinstance(value, str) or not value.isprintable():
            raise ValidationError(
                f'The header {name!r} is not a header name with a string '
                'value.', title='Invalid request')
    return headers


def environ(request: HttpRequest, headers: dict, remote='') -> dict:
    """The WSGI environment of ``request`` with ``headers``."""
    raw = b'' if request.document is None else _json(request.document)
    env = {'REQUEST_METHOD': request.method, 'SCRIPT_NAME': '',
           'PATH_INFO': request.path,
           'QUERY_STRING': urllib.parse.urlencode(request.query),
           'SERVER_NAME': 'websocket', 'SERVER_PORT': '0',
           'SERVER_PROTOCOL': 'HTTP/1.1', 'REMOTE_ADDR': remote,
           'wsgi.version': (1, 0), 'wsgi.url_scheme': 'http',
           'wsgi.input': io.BytesIO(raw), 'wsgi.errors': io.StringIO(),
           'wsgi.multithread': True, 'wsgi.multiprocess': False,
           'wsgi.run_once': False}
    for name, value in headers.items():
        key = name.upper().replace('-', '_')
        if key not in RESERVED_HEADERS:
            env[f'HTTP_{key}'] = value
    if raw:
        env['CONTENT_LENGTH'] = str(len(raw))
        env['CONTENT_TYPE'] = JSON
    return env


def _json(document) -> bytes:
    try:
        return json.dumps(document).encode()
    except (TypeError, ValueError) as exc:  # msgpack's bytes, say
        raise ValidationError(f'The body holds a value that JSON cannot '
                              f'carry: {exc}.',
                              title='Invalid request body') from None


def call(app, env: dict) -> HttpAnswer:
    """Call the WSGI ``app`` with ``env`` and collect its answer."""
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started['status'] = int(status.split(' ', 1)[0])
        started['headers'] = {name.lower(): value
                              for name, value in response_headers}

    chunks = app(env, start_response)
    try:
        raw = b''.join(chunks)
    finally:
        if hasattr(chunks, 'close'):
            chunks.close()
    return HttpAnswer(started['status'], started['headers'],
                      json.loads(raw) if raw.strip() else None)
