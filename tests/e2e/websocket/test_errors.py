"""Malformed frames, and errors that are the HTTP API's own."""

import json

import pytest
import websockets

pytestmark = pytest.mark.e2e


def test_a_frame_that_is_not_json_is_refused_and_the_connection_kept(
        socket):
    socket.connection.send('{not json')
    encoding, answer = socket.receive()
    assert encoding == 'json' and answer['request'] is None
    assert answer['headers']['status'] == 400
    assert answer['body']['error'].startswith(
        "Can't decode text (JSON) request.")
    assert socket.request('ping')[0] == 204


def test_a_binary_frame_that_is_not_msgpack_is_refused_in_binary(socket):
    socket.connection.send(b'\xc1\xc1')
    encoding, answer = socket.receive()
    assert encoding == 'msgpack' and answer['headers']['status'] == 400
    assert answer['body']['error'].startswith(
        "Can't decode binary (MessagePack) request.")
    assert socket.request('ping')[0] == 204


@pytest.mark.parametrize('frame, text', [
    ([1, 2], 'Unexpected body type. Expected dict or dict like.'),
    ({'action': 'queue_nuke'}, "Invalid action: 'queue_nuke'."),
    ({'action': ['queue_get']}, "Invalid action: ['queue_get']."),
    ({}, 'Invalid action: None.'),
    ({'action': 'queue_get', 'headers': ['x']},
     'The "headers" of a request must be an object.'),
    ({'action': 'queue_get', 'headers': {'Client-ID': 5}},
     "The header 'Client-ID' is not a header name with a string value."),
    ({'action': 'queue_get', 'body': 'q'},
     'The "body" of a request must be an object.'),
])
def test_frames_that_are_not_requests_get_a_clear_400(socket, frame, text):
    socket.send(frame)
    _encoding, answer = socket.receive()
    assert answer['headers']['status'] == 400
    assert answer['body']['error'].startswith(text)
    assert socket.request('ping')[0] == 204


@pytest.mark.parametrize('body, text', [
    ({}, 'Missing "queue_name" field.'),
    ({'queue_name': 'q/messages'}, 'The value of the "queue_name" field '
                                   'must be a non-empty string without "/".'),
    ({'queue_name': 7}, 'The value of the "queue_name" field must be'),
])
def test_path_fields_must_be_plain_names(socket, body, text):
    status, answer = socket.request('queue_get', body)
    assert status == 400 and answer['error'].startswith(text)


def test_errors_are_the_http_apis_own(socket, http):
    posts = {'messages': [{'body': 1, 'ttl': 10}]}
    over_http = http('POST', '/v2/queues/q/messages', json=posts)
    status, body = socket.request('message_post', {'queue_name': 'q',
                                                   **posts})
    assert status == over_http.status_code == 400
    assert body['title'] == over_http.json()['title']
    assert body['description'] == body['error'] == \
        over_http.json()['description']


@pytest.mark.parametrize('body, status', [
    ({'queue_name': 'bad!name'}, 400),
    ({'queue_name': 'q', 'limit': 'many'}, 400),
    ({'queue_name': 'q', 'limit': 1000}, 400),
    ({'queue_name': 'q', 'echo': 'perhaps'}, 400),
])
def test_listing_parameters_are_validated_as_over_http(socket, http, body,
                                                       status):
    query = {key: value for key, value in body.items() if key != 'queue_name'}
    over_http = http('GET', f'/v2/queues/{body["queue_name"]}/messages',
                     params=query)
    got_status, got = socket.request('message_list', body)
    assert got_status == over_http.status_code == status
    assert got['description'] == over_http.json()['description']


def test_headers_are_checked_per_frame(socket):
    headers = {'X-Project-ID': socket.headers['X-Project-ID']}
    status, body = socket.request('queue_list', headers=headers)
    assert status == 400 and body['error'] == \
        'The "Client-Id" header is required.'
    status, body = socket.request('queue_list', headers={
        'Client-ID': socket.headers['Client-ID']})
    assert status == 400 and body['title'] == 'Project-Id Missing'
    assert socket.request('queue_list')[0] == 200


def test_a_frame_larger_than_max_frame_size_closes_the_connection(
        ws_service, project):
    from tests.e2e.websocket.conftest import Socket

    socket = Socket(ws_service.ws_url, project, max_size=None)
    try:
        socket.connection.send(json.dumps({'action': 'ping',
                                           'body': {'x': 'y' * 2 ** 21}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            socket.receive()
        assert closed.value.rcvd.code == 1009  # message too big
    finally:
        socket.close()
