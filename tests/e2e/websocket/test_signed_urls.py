"""Signed-URL headers are honoured per frame, as over HTTP."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def signed(socket, http):
    """The headers of a signature for GET and POST on q's messages."""
    assert socket.request('queue_create', {'queue_name': 'q'})[0] == 201
    share = http('POST', '/v2/queues/q/share',
                 json={'paths': ['messages'],
                       'methods': ['GET', 'POST']}).json()
    return {'URL-Signature': share['signature'],
            'URL-Paths': ','.join(share['paths']),
            'URL-Methods': ','.join(share['methods']),
            'URL-Expires': share['expires'],
            'X-Project-ID': share['project']}


def test_a_signed_frame_may_do_what_the_signature_allows(socket, signed):
    status, body = socket.request('message_post', {
        'queue_name': 'q', 'messages': [{'body': 'signed'}]}, headers=signed)
    assert status == 201 and len(body['message_ids']) == 1
    status, body = socket.request('message_list', {
        'queue_name': 'q', 'echo': True}, headers=signed)
    assert status == 200 and [m['body'] for m in body['messages']] == \
        ['signed']


@pytest.mark.parametrize('action, body', [
    ('queue_delete', {'queue_name': 'q'}),
    ('queue_get_stats', {'queue_name': 'q'}),
    ('message_delete_many', {'queue_name': 'q', 'pop': 1}),
    ('message_list', {'queue_name': 'other'}),
])
def test_a_signed_frame_may_do_nothing_else(socket, signed, action, body):
    status, answer = socket.request(action, body, headers=signed)
    assert status == 403 and answer['title'] == 'Not signed'


@pytest.mark.parametrize('change', [
    {'URL-Signature': '0' * 64},
    {'URL-Signature': ''},
    {'URL-Methods': 'GET,POST,DELETE'},
    {'X-Project-ID': 'another-project'},
])
def test_a_wrong_signature_is_refused_and_the_connection_kept(socket, signed,
                                                              change):
    status, answer = socket.request('message_list', {'queue_name': 'q'},
                                    headers={**signed, **change})
    assert status == 403 and answer['title'] == 'Invalid signature'
    assert socket.request('message_list', {'queue_name': 'q'},
                          headers=signed)[0] == 200


@pytest.mark.parametrize('change', [
    {'URL-Signature': 'f' * 64},
    {'URL-Signature': ''},
    {'X-Project-ID': 'another-project'},
])
def test_a_socket_subscription_needs_a_valid_signature(socket, http, change):
    # A signature for POST on q's subscriptions, then tampered with.
    assert socket.request('queue_create', {'queue_name': 'q'})[0] == 201
    share = http('POST', '/v2/queues/q/share',
                 json={'paths': ['subscriptions'],
                       'methods': ['POST']}).json()
    signed = {'URL-Signature': share['signature'],
              'URL-Paths': ','.join(share['paths']),
              'URL-Methods': ','.join(share['methods']),
              'URL-Expires': share['expires'],
              'X-Project-ID': share['project']}
    status, answer = socket.request('subscription_create',
                                    {'queue_name': 'q'},
                                    headers={**signed, **change})
    assert status == 403, answer
    status, _ = socket.request('subscription_create', {'queue_name': 'q'},
                               headers=signed)
    assert status == 201
