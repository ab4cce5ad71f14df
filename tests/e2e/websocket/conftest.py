"""A real ``zaqar-lite serve`` with the WebSocket transport on, and a real
WebSocket client (the ``websockets`` library's)."""

import json
import uuid

import msgpack
import pytest
import requests
from websockets.sync.client import connect

from tests.conftest import free_port, wait_for
from tests.e2e.conftest import Service, service_conf

SECRET = 'websocket-test-secret'


class Socket:
    """A client connection speaking Zaqar's WebSocket protocol."""

    def __init__(self, url, project, binary=False, **options):
        self._opened = connect(url, open_timeout=10, **options)
        self.connection = self._opened.__enter__()
        self.headers = {'Client-ID': str(uuid.uuid4()),
                        'X-Project-ID': project}
        self.binary = binary

    def send(self, document, binary=None):
        binary = self.binary if binary is None else binary
        self.connection.send(msgpack.packb(document) if binary
                             else json.dumps(document))

    def receive(self, timeout=10):
        """The next frame, decoded (bytes: msgpack; str: JSON)."""
        frame = self.connection.recv(timeout=timeout)
        if isinstance(frame, bytes):
            return 'msgpack', msgpack.unpackb(frame)
        return 'json', json.loads(frame)

    def request(self, action, body=None, headers=None, binary=None):
        """``(status, body)`` of the answer to one action."""
        self.send({'action': action, 'body': body or {},
                   'headers': self.headers if headers is None else headers},
                  binary)
        _encoding, answer = self.receive()
        assert answer['request']['action'] == action
        return answer['headers']['status'], answer['body']

    def close(self):
        self._opened.__exit__(None, None, None)


class WebSocketService(Service):
    """``zaqar-lite serve`` with ``[drivers] transport = wsgi, websocket``."""

    def __init__(self, conf_path, ws_port, **kwargs):
        super().__init__(conf_path, **kwargs)
        self.ws_url = f'ws://127.0.0.1:{ws_port}'

    def start(self):
        super().start()
        self.wait_until_up(self.accepts_sockets,
                           'the WebSocket server to answer ping')

    def accepts_sockets(self):
        try:
            socket = Socket(self.ws_url, 'up')
        except OSError:
            return False
        try:
            return socket.request('ping')[0] == 204
        finally:
            socket.close()


def websocket_service(folder, default=None, sections=None,
                      **websocket_options):
    """A started server whose WebSocket options add ``websocket_options``
    (and whose configuration adds ``default`` to [DEFAULT] and the other
    ``sections``)."""
    ws_port = free_port()
    conf = service_conf(
        folder, workers=1, **(sections or {}),
        **{'DEFAULT': {'admin_mode': 'true', **(default or {})},
           'drivers': {'transport': 'wsgi, websocket'},
           'drivers:transport:websocket': {'bind': '127.0.0.1',
                                           'port': ws_port,
                                           'push_interval': 0.05,
                                           **websocket_options},
           'drivers:management_store:sqlite': {
               'uri': f'sqlite:///{folder}/management.db'},
           'signed_url': {'secret_key': SECRET}})
    service = WebSocketService(conf, ws_port)
    service.start()
    return service


@pytest.fixture(scope='package')
def ws_service(tmp_path_factory):
    service = websocket_service(tmp_path_factory.mktemp('websocket'))
    yield service
    service.stop()


@pytest.fixture
def project():
    return f'ws-{uuid.uuid4().hex[:12]}'


@pytest.fixture(params=['json', 'msgpack'])
def socket(request, ws_service, project):
    """A connection sending text (JSON) or binary (msgpack) frames."""
    connection = Socket(ws_service.ws_url, project,
                        binary=request.param == 'msgpack')
    yield connection
    connection.close()


@pytest.fixture
def http(ws_service, socket):
    """HTTP requests to the same server, as the socket's client."""
    session = requests.Session()
    session.headers.update(socket.headers)

    def call(method, path, **kwargs):
        return session.request(method, ws_service.url + path, timeout=10,
                               **kwargs)
    yield call
    session.close()
