"""Answers leave in one write: the same bytes as gunicorn's, fewer sends.

Each answer is made twice, by gunicorn's ``Response`` and by
``OneWriteResponse``, for the same request and app output, into sockets
that record what they are sent.
"""

from types import SimpleNamespace

import pytest
from gunicorn import util
from gunicorn.config import Config
from gunicorn.http import wsgi

from zaqar_lite.transport.wsgi import one_write
from zaqar_lite.transport.wsgi.one_write import OneWriteResponse


class RecordingSocket:
    def __init__(self):
        self.sent = []

    def sendall(self, data):
        self.sent.append(bytes(data))


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setattr(util, 'http_date',
                        lambda timestamp=None: 'Thu, 03 Dec 2026 12:00:00 GMT')


def respond(response_class, status, headers, body, method='GET',
            version=(1, 1)):
    """``(response, its socket, TypeError raised by a write or None)``
    once ``response_class`` has written the app's ``(status, headers,
    body pieces)``, before it is closed."""
    request = SimpleNamespace(version=version, method=method,
                              should_close=lambda: False)
    sock = RecordingSocket()
    response = response_class(request, sock, Config())
    response.start_response(status, headers)
    error = None
    try:
        for piece in body:
            response.write(piece)
    except TypeError as exc:
        error = type(exc)
    return response, sock, error


def answer(response_class, *app_output):
    """What ``response_class`` sends for the app's output (see
    ``respond``), closed: ``(sends, error)``."""
    response, sock, error = respond(response_class, *app_output)
    response.close()
    return sock.sent, error


JSON = [('Content-Type', 'application/json')]

ANSWERS = {
    'one piece': ('201 Created', JSON + [('Content-Length', '13')],
                  [b'{"ids": [12]}'], 'POST'),
    'two pieces': ('200 OK', JSON + [('Content-Length', '6')],
                   [b'abc', b'def'], 'GET'),
    'an empty piece first': ('200 OK', [('Content-Length', '2')],
                             [b'', b'ok'], 'GET'),
    'no content': ('204 No Content', [], [b''], 'DELETE'),
    'no body at all': ('204 No Content', [], [], 'PUT'),
    'a HEAD': ('200 OK', [('Content-Length', '2')], [b'ok'], 'HEAD'),
    'longer than its length': ('200 OK', [('Content-Length', '3')],
                               [b'abcdef', b'gh'], 'GET'),
    'chunked': ('200 OK', JSON, [b'[1,', b'2]'], 'GET'),
    'not bytes': ('200 OK', [('Content-Length', '2')], ['ok'], 'GET'),
    'HTTP/1.0, no length': ('200 OK', JSON, [b'[1,', b'2]'], 'GET',
                            (1, 0)),
}


@pytest.mark.parametrize('name', ANSWERS)
def test_the_same_bytes_as_gunicorn_sends(name):
    theirs, their_error = answer(wsgi.Response, *ANSWERS[name])
    ours, our_error = answer(OneWriteResponse, *ANSWERS[name])
    assert b''.join(ours) == b''.join(theirs)
    assert our_error is their_error


def test_a_small_answer_is_one_send():
    sent, _ = answer(OneWriteResponse, *ANSWERS['one piece'])
    assert len(sent) == 1
    assert sent[0].startswith(b'HTTP/1.1 201 Created\r\n')
    assert sent[0].endswith(b'\r\n\r\n{"ids": [12]}')


def test_later_pieces_follow_as_they_come():
    sent, _ = answer(OneWriteResponse, *ANSWERS['two pieces'])
    assert len(sent) == 2
    assert sent[0].endswith(b'\r\n\r\nabc') and sent[1] == b'def'


@pytest.mark.parametrize('name', ['no content', 'a HEAD', 'not bytes'])
def test_a_head_without_body_bytes_is_not_held(name):
    _, sock, _ = respond(OneWriteResponse, *ANSWERS[name])
    # sent by the write itself, before the answer is closed
    assert len(sock.sent) == 1 and sock.sent[0].endswith(b'\r\n\r\n')


def test_install_makes_gunicorn_create_it(monkeypatch):
    monkeypatch.setattr(wsgi, 'Response', wsgi.Response)  # undone after
    assert one_write.install() is True
    assert wsgi.Response is OneWriteResponse
    assert one_write.install() is True  # again: nothing more to do


def test_install_leaves_a_response_it_does_not_know(monkeypatch):
    class Other(wsgi.Response):
        pass
    monkeypatch.setattr(wsgi, 'Response', Other)
    assert one_write.install() is False
    assert wsgi.Response is Other
