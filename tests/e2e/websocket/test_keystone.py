"""WebSocket connections in keystone mode, against a real Keystone: the
first frame authenticates, every frame stays in the token's project, and
the server closes the connection when the token expires."""

import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.websocket.conftest import Socket, websocket_service

pytestmark = pytest.mark.e2e

EXPIRED = 4003  # Zaqar's close code for an expired authentication


@pytest.fixture(scope='module')
def keystone_ws(keystone_server, tmp_path_factory):
    service = websocket_service(
        tmp_path_factory.mktemp('ws-keystone'),
        default={'auth_strategy': 'keystone'},
        sections={'keystone_authtoken': keystone_server.service_user()})
    yield service
    service.stop()


@pytest.fixture(scope='module')
def member(keystone_server):
    account = keystone_server.user_in_new_project()
    return account, keystone_server.project_token(account)


@pytest.fixture
def connect(keystone_ws):
    opened = []

    def open_(project):
        socket = Socket(keystone_ws.ws_url, project)
        opened.append(socket)
        return socket
    yield open_
    for socket in opened:
        socket.close()


def authenticate(socket, token, project):
    return socket.request('authenticate', headers={
        'X-Auth-Token': token, 'X-Project-ID': project,
        'Client-ID': socket.headers['Client-ID']})


def test_frames_before_authenticate_are_refused(connect, member):
    account, _ = member
    socket = connect(account.project_id)
    status, _ = socket.request('queue_list')
    assert status == 403


def test_a_bogus_token_does_not_authenticate(connect, member):
    account, _ = member
    socket = connect(account.project_id)
    status, _ = authenticate(socket, uuid.uuid4().hex, account.project_id)
    assert status == 401
    assert socket.request('queue_list')[0] == 403


def test_an_authenticated_socket_works_in_its_project_only(connect, member,
                                                           keystone_server):
    account, token = member
    socket = connect(account.project_id)
    assert authenticate(socket, token, account.project_id)[0] == 200
    assert socket.request('queue_create', {'queue_name': 'ks'})[0] == 201
    status, body = socket.request('message_post', {
        'queue_name': 'ks', 'messages': [{'body': 'mine'}]})
    assert status == 201
    status, body = socket.request('message_list',
                                  {'queue_name': 'ks', 'echo': True})
    assert [m['body'] for m in body['messages']] == ['mine']
    # A frame naming another project is refused, whatever it asks.
    other = keystone_server.user_in_new_project()
    headers = {**socket.headers, 'X-Project-ID': other.project_id}
    assert socket.request('queue_list', headers=headers)[0] == 403
    # The other project's own socket does not see the queue.
    theirs = connect(other.project_id)
    assert authenticate(theirs, keystone_server.project_token(other),
                        other.project_id)[0] == 200
    status, body = theirs.request('message_list',
                                  {'queue_name': 'ks', 'echo': True})
    assert status == 200 and body['messages'] == []


def test_admin_actions_need_the_admin_role(connect, member, keystone_server):
    account, token = member
    socket = connect(account.project_id)
    authenticate(socket, token, account.project_id)
    assert socket.request('pool_list')[0] == 403
    admin = connect('admin')
    admin_project = keystone_server.project_id('admin')
    admin.headers['X-Project-ID'] = admin_project
    assert authenticate(admin, keystone_server.admin_token,
                        admin_project)[0] == 200
    assert admin.request('pool_list')[0] == 200


def test_the_connection_closes_when_the_token_expires(connect, member,
                                                      keystone_server):
    account, _ = member
    token = keystone_server.short_lived_token(account, seconds=8)
    socket = connect(account.project_id)
    assert authenticate(socket, token, account.project_id)[0] == 200
    assert socket.request('queue_list')[0] == 200
    with pytest.raises(ConnectionClosed) as closed:
        socket.receive(timeout=60)
    assert closed.value.rcvd.code == EXPIRED
