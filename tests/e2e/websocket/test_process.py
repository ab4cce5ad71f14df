"""The WebSocket server as a process: a consumer that stops reading cannot
hold up the server or others; serve keeps the server alive; it runs alone
too."""

import os
import signal
import socket as sockets
import subprocess
import sys

import pytest
import requests
import websockets

from tests.conftest import free_port, wait_for, write_conf
from tests.e2e.test_housekeeper import housekeepers
from tests.e2e.websocket.conftest import Socket, websocket_service

pytestmark = pytest.mark.e2e

BODY = 'x' * 200_000  # characters: a push of about 200 kB
RECEIVE_BUFFER = 4096  # bytes the stalled client's kernel may hold


@pytest.fixture(scope='module')
def small_queues(tmp_path_factory):
    """A server of its own: its tests stall, kill and stop it."""
    service = websocket_service(tmp_path_factory.mktemp('process'),
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



def websocket_children(master_pid):
    found = subprocess.run(['ps', '-eo', 'pid=,ppid=,args='], text=True,
                           capture_output=True, check=True).stdout
    return [int(line.split()[0]) for line in found.splitlines()
            if int(line.split()[1]) == master_pid
            and 'zaqar_lite.cli websocket' in line]


def test_serve_replaces_a_dead_websocket_server_and_stops_it(
        small_queues):
    service = small_queues
    try:
        [first] = wait_for(lambda: websocket_children(service.proc.pid),
                           what='the WebSocket server')
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: [p for p in websocket_children(service.proc.pid)
                          if p != first], timeout=30,
                 what='a new WebSocket server')
        wait_for(service.accepts_sockets, timeout=30,
                 what='the new WebSocket server to answer')
        assert housekeepers(service.proc.pid)
    finally:
        service.stop()
    assert not websocket_children(service.proc.pid)


def test_serve_with_only_the_websocket_transport(tmp_path):
    port = free_port()
    conf = write_conf(tmp_path / 'zaqar.conf', {
        'drivers': {'transport': 'websocket'},
        'drivers:transport:websocket': {'port': port},
        'drivers:message_store:sqlite': {'uri': f'sqlite:///{tmp_path}/w.db'},
    })
    with open(tmp_path / 'server.log', 'ab') as log:
        proc = subprocess.Popen([sys.executable, '-m', 'zaqar_lite.cli',
                                 'serve', '--config-file', str(conf)],
                                stdout=subprocess.DEVNULL, stderr=log)

    def answers():
        assert proc.poll() is None, (tmp_path / 'server.log').read_text()
        try:
            socket = Socket(f'ws://127.0.0.1:{port}', 'p')
        except OSError:
            return False
        try:
            return socket.request('message_post', {
                'queue_name': 'q', 'messages': [{'body': 1}]})[0] == 201
        finally:
            socket.close()
    try:
        wait_for(answers, timeout=60, what='the WebSocket server')
        socket = Socket(f'ws://127.0.0.1:{port}', 'p')
        status, body = socket.request('pool_list')  # not in admin mode
        socket.close()
        assert status == 404 and body['error']
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
