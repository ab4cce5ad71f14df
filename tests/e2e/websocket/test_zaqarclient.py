"""python-zaqarclient's own WebSocket transport against the server."""

import json

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def transport(ws_service, project):
    from zaqarclient.transport import ws

    options = {'auth_opts': {'backend': 'noauth', 'options': {
        'os_project_id': project, 'os_auth_token': 'unused-without-auth'}}}
    with ws.WebsocketTransport(options) as connected:
        yield connected


def send(transport, url, operation, body):
    from zaqarclient.transport import request

    return transport.send(request.Request(url, operation,
                                          content=json.dumps(body)))


def test_zaqarclients_websocket_transport_posts_and_claims(ws_service,
                                                           transport):
    url = ws_service.ws_url
    assert send(transport, url, 'queue_create',
                {'queue_name': 'q'}).status_code == 201
    posted = send(transport, url, 'message_post', {
        'queue_name': 'q', 'messages': [{'body': {'n': 1}}]})
    assert posted.status_code == 201
    assert len(json.loads(posted.content)['message_ids']) == 1
    claimed = send(transport, url, 'claim_create', {'queue_name': 'q'})
    assert claimed.status_code == 201
    assert [m['body'] for m in json.loads(claimed.content)['messages']] == \
        [{'n': 1}]


def test_zaqarclient_raises_its_own_errors_with_our_description(ws_service,
                                                                transport):
    from zaqarclient.transport import errors

    with pytest.raises(errors.ResourceNotFound) as raised:
        send(transport, ws_service.ws_url, 'message_get',
             {'queue_name': 'q', 'message_id': 'nothing-here'})
    assert 'Description: Message nothing-here does not exist' in \
        str(raised.value)
