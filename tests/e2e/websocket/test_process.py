"""The WebSocket server as a process: kept alive by serve, or alone."""

import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import free_port, wait_for, write_conf
from tests.e2e.test_housekeeper import housekeepers
from tests.e2e.websocket.conftest import Socket, websocket_service

pytestmark = pytest.mark.e2e


def websocket_children(master_pid):
    found = subprocess.run(['ps', '-eo', 'pid=,ppid=,args='], text=True,
                           capture_output=True, check=True).stdout
    return [int(line.split()[0]) for line in found.splitlines()
            if int(line.split()[1]) == master_pid
            and 'zaqar_lite.cli websocket' in line]


def test_serve_replaces_a_dead_websocket_server_and_stops_it(tmp_path):
    service = websocket_service(tmp_path)
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
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
