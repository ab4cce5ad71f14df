"""New connections go to the least-loaded worker, on a real gunicorn with
two lingering gthread workers: connections opened one after another or all
at once split evenly, and a worker with more connections still accepts
when the other cannot (it is stopped).

Which worker holds a connection is read from /proc: the inode of the
server-side socket (/proc/net/tcp, by local port) among the worker's open
files (/proc/<pid>/fd).
"""

import os
import signal
import socket
import uuid

import pytest

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf
from tests.e2e.test_hostile_clients import read_response
from zaqar_lite.transport.wsgi import balance

pytestmark = pytest.mark.e2e

ANSWER_TIMEOUT = 5  # seconds a test waits for an answer the server owes
MARGIN = 2  # seconds beyond balance.DELAY_CAP for a busy test machine
LISTEN = '0A'  # /proc/net/tcp's state of a listening socket


def port_sockets(port, listening=False):
    """Inodes of the TCP sockets on local port ``port``: the listening
    one, or else the connections."""
    inodes = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        with open(table) as lines:
            next(lines)  # the heading
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(':', 1)[1], 16) == port and \
                        (fields[3] == LISTEN) == listening:
                    inodes.add(fields[9])
    return inodes


def held(pid, inodes):
    """How many of the socket ``inodes`` process ``pid`` has open."""
    folder = f'/proc/{pid}/fd'
    links = []
    for fd in os.listdir(folder):
        try:
            links.append(os.readlink(f'{folder}/{fd}'))
        except FileNotFoundError:
            continue  # closed meanwhile
    return sum(link[len('socket:['):-1] in inodes for link in links
               if link.startswith('socket:['))


def children(pid):
    """pids of the processes whose parent is ``pid``."""
    found = []
    for entry in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{entry}/stat') as stat:
                parent = int(stat.read().rsplit(')', 1)[1].split()[1])
        except FileNotFoundError:
            continue
        if parent == pid:
            found.append(int(entry))
    return found


def two_workers(server):
    """The gunicorn workers once there are two: the master's children that
    hold the listening socket (the housekeeper does not)."""
    listener = port_sockets(server.port, listening=True)
    pids = [pid for pid in children(server.proc.pid) if held(pid, listener)]
    return pids if len(pids) == 2 else None


def split(server, workers):
    """``{worker pid: connections it holds}``."""
    connections = port_sockets(server.port)
    return {pid: held(pid, connections) for pid in workers}


def connect(server, timeout=ANSWER_TIMEOUT):
    return socket.create_connection(('127.0.0.1', server.port),
                                    timeout=timeout)


def ping(server, sock):
    sock.sendall(f'GET /v2/ping HTTP/1.1\r\nHost: 127.0.0.1:{server.port}'
                 f'\r\nClient-ID: {uuid.uuid4()}\r\nX-Project-ID: e2e\r\n'
                 '\r\n'.encode())
    status, _ = read_response(sock)
    assert status == 204


def every_worker_serves(server, workers):
    """Whether, of a few connections kept open, every worker took one:
    none is still loading the app."""
    opened = []
    try:
        for _ in range(10):
            opened.append(connect(server))
            ping(server, opened[-1])
            if all(split(server, workers).values()):
                return True
        return False
    finally:
        for sock in opened:
            sock.close()


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    with Service(service_conf(tmp_path_factory.mktemp('e2e-balance'),
                              workers=2)) as running:
        yield running


@pytest.fixture
def workers(server):
    """The two workers, serving, with no connection open."""
    pids = wait_for(lambda: two_workers(server), what='two workers')
    server.wait_until_up(lambda: every_worker_serves(server, pids),
                         'both workers serving')
    wait_for(lambda: not any(split(server, pids).values()),
             what='the workers to close every connection')
    return pids


@pytest.fixture
def sockets():
    """Connections a test opens, closed after it."""
    opened = []
    yield opened
    for sock in opened:
        sock.close()


@pytest.mark.parametrize('count', [4, 6])
def test_connections_opened_one_after_another_split_evenly(
        server, workers, sockets, count):
    for _ in range(count):
        sockets.append(connect(server))
        ping(server, sockets[-1])
    assert sorted(split(server, workers).values()) == [count // 2] * 2


def test_connections_opened_at_once_split_evenly(server, workers, sockets):
    sockets.extend(connect(server) for _ in range(6))
    for sock in sockets:
        ping(server, sock)
    assert sorted(split(server, workers).values()) == [3, 3]


def test_a_loaded_worker_accepts_when_the_other_cannot(server, workers,
                                                        sockets):
    # Given one connection open, on the loaded worker, and the other
    # worker stopped
    sockets.append(connect(server))
    ping(server, sockets[0])
    counts = split(server, workers)
    loaded, idle = sorted(workers, key=counts.get, reverse=True)
    os.kill(idle, signal.SIGSTOP)
    try:
        # when new connections come, each one more above the stopped
        # worker's none, the loaded worker waits for the stopped one
        # (up to balance.DELAY_CAP) and then serves each
        for _ in range(3):
            sockets.append(connect(server, balance.DELAY_CAP + MARGIN))
            ping(server, sockets[-1])
        assert split(server, workers) == {loaded: 4, idle: 0}
    finally:
        os.kill(idle, signal.SIGCONT)
