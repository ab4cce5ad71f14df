"""Clients that trickle a body or send an oversize one, on a real gunicorn:
the server refuses what is too large without reading it and keeps serving
everyone else meanwhile.

The server runs one gthread worker, so the other clients are served by the
worker's other threads (see docs/configuration.md, "Slow and hostile
clients").
"""

import json
import socket
import uuid

import pytest
import requests

from tests.e2e.conftest import Service, service_conf

pytestmark = pytest.mark.e2e

READ_TIMEOUT = 30  # seconds a test waits for an answer the server owes
MAX_POST = 262144  # [transport] max_messages_post_size, the default


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    with Service(service_conf(tmp_path_factory.mktemp('e2e-hostile'),
                              workers=1)) as running:
        yield running


def open_request(server, project, head_lines, path='/v2/queues/q/messages'):
    """A connection that has sent a POST's request line and headers."""
    sock = socket.create_connection(('127.0.0.1', server.port),
                                    timeout=READ_TIMEOUT)
    lines = [f'POST {path} HTTP/1.1', f'Host: 127.0.0.1:{server.port}',
             f'Client-ID: {uuid.uuid4()}', f'X-Project-ID: {project}',
             'Content-Type: application/json', *head_lines]
    sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode())
    return sock


def read_response(sock):
    """``(status, body)`` of the answer on ``sock``: bytes read past it
    are dropped, so not for pipelined answers."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(65536)
        assert chunk, f'connection closed after {data!r}'
        data += chunk
    head, body = data.split(b'\r\n\r\n', 1)
    lines = head.decode('latin-1').split('\r\n')
    headers = dict(line.lower().split(': ', 1) for line in lines[1:])
    length = int(headers.get('content-length', 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, 'connection closed in the body'
        body += chunk
    return int(lines[0].split()[1]), body[:length]


def others_are_served(server, project):
    """A well-behaved client's post and read both succeed."""
    headers = {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': project}
    url = f'{server.url}/v2/queues/others/messages'
    posted = requests.post(url, headers=headers, timeout=READ_TIMEOUT,
                           json={'messages': [{'body': 'meanwhile'}]})
    assert posted.status_code == 201
    assert requests.get(server.url + '/v2/ping',
                        timeout=READ_TIMEOUT).status_code == 204
    return True


def test_clients_trickling_bodies_do_not_hold_up_others(server, project):
    body = json.dumps({'messages': [{'body': 'slowly'}]}).encode()
    slow = [open_request(server, project, [f'Content-Length: {len(body)}'])
            for _ in range(2)]
    for sock in slow:
        sock.sendall(body[:3])
    # While every slow body is still incomplete, one byte more each time:
    for offset in range(3, 8):
        assert others_are_served(server, project)
        for sock in slow:
            sock.sendall(body[offset:offset + 1])
    for sock in slow:
        sock.sendall(body[8:])
        status, answer = read_response(sock)
        sock.close()
        assert status == 201, answer


def test_an_oversize_body_is_refused_before_it_is_sent(server, project):
    """Content-Length over the limit: 400 at once, the body never read
    (the client has not even sent it), others served meanwhile."""
    sock = open_request(server, project, ['Content-Length: 1000000000'])
    assert_refused_as_too_large(sock, server, project)


def test_an_oversize_chunked_body_is_read_only_to_the_limit(server, project):
    sock = open_request(server, project, ['Transfer-Encoding: chunked'])
    # Just past the limit, so the server needs every byte sent to decide
    # (and closes no connection it is still being sent on).
    for chunk in [b'[' * 65536] * (MAX_POST // 65536) + [b'[' * 1024]:
        sock.sendall(b'%x\r\n%s\r\n' % (len(chunk), chunk))
    # The body is not finished (no last chunk): the server answers anyway.
    assert_refused_as_too_large(sock, server, project)


def assert_refused_as_too_large(sock, server, project):
    """The request on ``sock`` gets the too-large 400, and others are
    served meanwhile."""
    status, answer = read_response(sock)
    assert status == 400
    assert json.loads(answer)['description'].startswith(
        'Message collection size is too large.')
    assert others_are_served(server, project)
    sock.close()


def test_a_chunked_body_within_the_limit_is_read(server, project):
    sock = open_request(server, project, ['Transfer-Encoding: chunked'])
    body = json.dumps({'messages': [{'body': 'in chunks'}]}).encode()
    for part in (body[:10], body[10:], b''):
        sock.sendall(b'%x\r\n%s\r\n' % (len(part), part))
    status, answer = read_response(sock)
    sock.close()
    assert status == 201, answer


def test_a_client_that_sends_half_its_headers_does_not_hold_up_others(
        server, project):
    sock = socket.create_connection(('127.0.0.1', server.port),
                                    timeout=READ_TIMEOUT)
    sock.sendall(b'GET /v2/queues HTTP/1.1\r\nHost: x\r\nClient-ID: ')
    assert others_are_served(server, project)
    sock.close()
