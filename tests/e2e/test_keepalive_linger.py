"""Kept-alive connections on the lingering gthread worker, on a real
gunicorn: request after request, pipelined requests, more connections
than threads, a thread left for newcomers while others linger, and a
lingering thread giving way to a request that waits for a thread.

One worker with 2 request threads and no long-poll threads, so at most one
thread lingers and the other serves everyone else (see
zaqar_lite/transport/wsgi/worker.py).
"""

import http.client
import json
import socket
import time
import uuid

import pytest

from tests.e2e.conftest import Service, service_conf
from tests.e2e.test_hostile_clients import open_request, read_response

pytestmark = pytest.mark.e2e

LINGER = 8  # seconds: longer than any test waits for an answer
ANSWER_TIMEOUT = 5  # seconds a test waits for an answer the server owes


def start(folder, linger):
    running = Service(service_conf(folder, workers=1, **{
        'drivers:transport:wsgi': {'threads': 2, 'max_waiting_claims': 0,
                                   'keepalive_linger': linger}}))
    running.start()
    return running


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    running = start(tmp_path_factory.mktemp('e2e-linger'), LINGER)
    yield running
    running.stop()


def request_bytes(server, project, method, path, body=None):
    data = b'' if body is None else json.dumps(body).encode()
    head = [f'{method} {path} HTTP/1.1', f'Host: 127.0.0.1:{server.port}',
            f'Client-ID: {uuid.uuid4()}', f'X-Project-ID: {project}',
            'Content-Type: application/json', f'Content-Length: {len(data)}']
    return ('\r\n'.join(head) + '\r\n\r\n').encode() + data


def connect(server):
    return socket.create_connection(('127.0.0.1', server.port),
                                    timeout=ANSWER_TIMEOUT)


def post(server, sock, project, queue, body):
    sock.sendall(request_bytes(server, project, 'POST',
                               f'/v2/queues/{queue}/messages',
                               {'messages': [{'body': body}]}))
    status, answer = read_response(sock)
    assert status == 201, answer
    return json.loads(answer)['resources'][0]


def get_body(server, sock, project, href):
    sock.sendall(request_bytes(server, project, 'GET', href))
    status, answer = read_response(sock)
    assert status == 200, answer
    return json.loads(answer)['body']


def test_a_lingering_thread_leaves_one_for_other_clients(server, project):
    # The thread that answers `first` waits LINGER seconds for its next
    # request.  The other thread answers `second` but may not linger on
    # it, so it is free for `third` at once, not after a linger (the
    # socket timeout would fail the test).
    first, second, third = connect(server), connect(server), connect(server)
    post(server, first, project, 'q', 'first')
    post(server, second, project, 'q', 'second')
    href = post(server, third, project, 'q', 'third')
    assert get_body(server, third, project, href) == 'third'
    # the lingering thread answers the first connection's next request,
    # the poller the second's
    assert get_body(server, first, project, href) == 'third'
    assert get_body(server, second, project, href) == 'third'
    for sock in (first, second, third):
        sock.close()


def test_a_lingering_thread_gives_way_to_a_request_waiting_for_one(
        server, project):
    # One thread lingers on `busy`; the other is held by a client that
    # sends its headers but not its body.  A third client's request then
    # waits for a thread, and the lingering thread stops lingering to
    # serve it (the socket timeout fails the test if it lingers on).
    busy = connect(server)
    href = post(server, busy, project, 'turns', 'busy')
    holding = open_request(server, project, ['Content-Length: 100'])
    waiting = connect(server)
    try:
        assert get_body(server, waiting, project, href) == 'busy'
        # and the thread now lingering on `waiting` gives way to `busy`
        assert get_body(server, busy, project, href) == 'busy'
    finally:
        for sock in (busy, holding, waiting):
            sock.close()


def test_more_connections_than_threads_take_turns(server, project):
    # Five connections, two threads: each request lands on a lingering
    # thread, a thread that may not linger, or the poller; every one is
    # answered, in turn, with its own data.
    socks = [connect(server) for _ in range(5)]
    hrefs = {}
    for round_ in range(4):
        for number, sock in enumerate(socks):
            body = f'conn {number} round {round_}'
            hrefs[body] = (sock, post(server, sock, project, 'turns', body))
    for body, (sock, href) in hrefs.items():
        assert get_body(server, sock, project, href) == body
    for sock in socks:
        sock.close()


def read_answers(sock, count):
    """``(status, body)`` of the next ``count`` answers on ``sock``.

    Pipelined answers can reach the client in one segment, so the bytes
    read past one answer are kept for the next (``read_response`` drops
    them).
    """
    with sock.makefile('rb') as stream:
        answers = []
        for _ in range(count):
            status = int(stream.readline().split()[1])
            headers = http.client.parse_headers(stream)
            answers.append(
                (status, stream.read(int(headers['Content-Length']))))
        return answers


def test_pipelined_requests_are_answered_in_order(server, project):
    sock = connect(server)
    sock.sendall(b''.join(
        request_bytes(server, project, 'POST', '/v2/queues/piped/messages',
                      {'messages': [{'body': number}]})
        for number in range(3)))
    time.sleep(0.2)  # a slow reader: the answers pile up unread
    hrefs = []
    for status, answer in read_answers(sock, 3):
        assert status == 201, answer
        hrefs.append(json.loads(answer)['resources'][0])
    assert [get_body(server, sock, project, href) for href in hrefs] == \
        [0, 1, 2]
    sock.close()


def test_a_client_hanging_up_on_a_lingering_thread_frees_it(server,
                                                            project):
    for _ in range(3):  # more hang-ups than threads
        sock = connect(server)
        post(server, sock, project, 'q', 'then gone')
        sock.close()
    sock = connect(server)
    href = post(server, sock, project, 'q', 'still served')
    assert get_body(server, sock, project, href) == 'still served'
    sock.close()
    assert 'Traceback' not in server.log_tail()


@pytest.mark.parametrize('linger, worker', [
    (0, 'Using worker: gthread'),
    (LINGER, 'Using worker: LingeringThreadWorker')])
def test_the_linger_picks_the_worker(tmp_path, project, linger, worker):
    running = start(tmp_path, linger)
    try:
        sock = connect(running)
        href = post(running, sock, project, 'q', 'hello')
        assert get_body(running, sock, project, href) == 'hello'
        sock.close()
        assert worker in running.log_tail()
    finally:
        running.stop()
