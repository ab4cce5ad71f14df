"""Socket subscriptions: messages posted over either transport are pushed."""

import socket as sockets

import pytest

from tests.e2e.websocket.conftest import Socket

pytestmark = pytest.mark.e2e


def subscribe(connection, queue='q', **extra):
    status, body = connection.request('subscription_create',
                                      {'queue_name': queue, **extra})
    assert status == 201
    return body['subscription_id']


def pushed(connection, count=1):
    """The bodies of the next ``count`` pushed messages."""
    bodies = []
    while len(bodies) < count:
        encoding, frame = connection.receive(timeout=20)
        assert encoding == ('msgpack' if connection.binary else 'json')
        assert 'request' not in frame, f'an answer, not a push: {frame}'
        assert frame['Message_Type'] == 'Notification'
        bodies.append((frame['queue_name'], frame['body']))
    return bodies


def post_over_http(http, bodies, queue='q'):
    answer = http('POST', f'/v2/queues/{queue}/messages',
                  json={'messages': [{'body': body} for body in bodies]})
    assert answer.status_code == 201


@pytest.fixture
def other(ws_service, socket):
    """A second connection of the same project, in the other encoding."""
    connection = Socket(ws_service.ws_url, socket.headers['X-Project-ID'],
                        binary=not socket.binary)
    yield connection
    connection.close()


def test_posts_over_http_are_pushed_to_every_socket_in_its_encoding(
        socket, other, http):
    post_over_http(http, ['before'])
    subscribe(socket)
    subscribe(other)
    post_over_http(http, ['one', {'two': 2}])
    assert pushed(socket, 2) == [('q', 'one'), ('q', {'two': 2})]
    assert pushed(other, 2) == [('q', 'one'), ('q', {'two': 2})]


def test_posts_over_a_socket_are_pushed_too(socket, other):
    subscribe(socket)
    status, _ = other.request('message_post', {
        'queue_name': 'q', 'messages': [{'body': 'from a socket'}]})
    assert status == 201
    assert pushed(socket) == [('q', 'from a socket')]


def test_a_deleted_socket_subscription_pushes_no_more(socket, http):
    first = subscribe(socket)
    subscribe(socket)
    post_over_http(http, ['twice'])
    assert pushed(socket, 2) == [('q', 'twice')] * 2
    assert socket.request('subscription_delete', {
        'queue_name': 'q', 'subscription_id': first}) == (204, {})
    post_over_http(http, ['once'])
    post_over_http(http, ['then this'])
    assert pushed(socket, 2) == [('q', 'once'), ('q', 'then this')]


def test_pushes_are_per_project_and_queue(ws_service, socket, http, project):
    subscribe(socket)
    stranger = Socket(ws_service.ws_url, f'{project}-other')
    try:
        assert stranger.request('message_post', {
            'queue_name': 'q', 'messages': [{'body': 'not yours'}]})[0] == 201
    finally:
        stranger.close()
    post_over_http(http, ['elsewhere'], queue='other-queue')
    post_over_http(http, ['yours'])
    assert pushed(socket) == [('q', 'yours')]


def test_a_vanished_client_does_not_stop_pushes_to_others(ws_service,
                                                          socket, http):
    vanishing = Socket(ws_service.ws_url, socket.headers['X-Project-ID'])
    subscribe(vanishing)
    subscribe(socket)
    # gone without a closing handshake, as when its host dies
    vanishing.connection.socket.shutdown(sockets.SHUT_RDWR)
    vanishing.connection.socket.close()
    for n in range(3):
        post_over_http(http, [n])
    assert pushed(socket, 3) == [('q', 0), ('q', 1), ('q', 2)]
    assert socket.request('ping')[0] == 204


def test_a_socket_subscription_is_checked_as_over_http(socket, http):
    over_http = http('POST', '/v2/queues/q/subscriptions',
                     json={'subscriber': 'mailto:a@example.com', 'ttl': 10})
    status, body = socket.request('subscription_create', {'queue_name': 'q',
                                                          'ttl': 10})
    assert status == over_http.status_code == 400
    assert body['description'] == over_http.json()['description']
    status, body = socket.request('subscription_create', {
        'queue_name': 'q', 'options': [1]})
    assert status == 400 and body['error'] == 'Options must be a dict.'
    status, body = socket.request('subscription_create', {
        'queue_name': 'bad!'})
    assert status == 400 and body['title'] == 'Invalid queue identification'
    headers = {'X-Project-ID': socket.headers['X-Project-ID']}
    status, body = socket.request('subscription_create', {'queue_name': 'q'},
                                  headers=headers)
    assert status == 400 and body['error'] == \
        'The "Client-Id" header is required.'


def test_a_connection_holds_a_bounded_number_of_socket_subscriptions(
        socket):
    for _ in range(32):  # the default max_socket_subscriptions
        subscribe(socket)
    status, body = socket.request('subscription_create', {'queue_name': 'q'})
    assert status == 400 and body['title'] == 'Too many subscriptions'
