"""A consumer that stops reading cannot hold up the server or others."""

import socket as sockets

import pytest
import requests
import websockets

from tests.conftest import wait_for
from tests.e2e.websocket.conftest import Socket, websocket_service

pytestmark = pytest.mark.e2e

BODY = 'x' * 200_000  # characters: a push of about 200 kB
RECEIVE_BUFFER = 4096  # bytes the stalled client's kernel may hold


@pytest.fixture(scope='module')
def small_queues(tmp_path_factory):
    service = websocket_service(tmp_path_factory.mktemp('slow'),
                                send_queue_size=2)
    yield service
    service.stop()


def stalled_socket(url, project):
    """A connection whose client never reads (and whose kernel buffers
    little on its behalf)."""
    raw = sockets.socket()
    raw.setsockopt(sockets.SOL_SOCKET, sockets.SO_RCVBUF, RECEIVE_BUFFER)
    host, port = url.removeprefix('ws://').split(':')
    raw.connect((host, int(port)))
    return Socket(url, project, sock=raw, max_size=None)


def test_a_stalled_consumer_is_disconnected_and_others_get_every_push(
        small_queues, project):
    stalled = stalled_socket(small_queues.ws_url, project)
    reader = Socket(small_queues.ws_url, project)
    for connection in (stalled, reader):
        assert connection.request('subscription_create',
                                  {'queue_name': 'q'})[0] == 201
    http = requests.Session()
    http.headers.update(reader.headers)
    sent = 0

    def post_and_check():
        nonlocal sent
        answer = http.post(f'{small_queues.url}/v2/queues/q/messages',
                           json={'messages': [{'body': [sent, BODY]}]},
                           timeout=10)
        assert answer.status_code == 201
        _encoding, frame = reader.receive(timeout=20)
        assert frame['body'][0] == sent  # the reader is never held up
        sent += 1
        return 'send queue is full' in small_queues.log_tail()

    try:
        wait_for(post_and_check, timeout=120, interval=0,
                 what='the stalled consumer to be disconnected')
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                stalled.receive(timeout=20)
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1013
        assert reader.request('ping')[0] == 204
    finally:
        stalled.close()
        reader.close()
        http.close()
