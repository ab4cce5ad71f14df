"""auth_strategy = keystone, end to end: a real gunicorn behind
keystonemiddleware's auth_token, validating tokens against a real Keystone.
"""

import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf

pytestmark = pytest.mark.e2e

SECRET = 'keystone-e2e-signing-key'


@pytest.fixture(scope='module')
def keystone_service(keystone_server, tmp_path_factory):
    """zaqar-lite in keystone mode, admin mode on, signed URLs enabled."""
    folder = tmp_path_factory.mktemp('e2e-keystone')
    conf = service_conf(
        folder,
        DEFAULT={'auth_strategy': 'keystone', 'admin_mode': 'true'},
        keystone_authtoken=keystone_server.service_user(),
        signed_url={'secret_key': SECRET},
        **{'drivers:management_store:sqlite': {
            'uri': f'sqlite:///{folder}/management.db'}})
    with Service(conf) as running:
        yield running


@pytest.fixture(scope='module')
def member(keystone_server):
    """``(token, project id)`` of a member of a project of its own."""
    account = keystone_server.user_in_new_project()
    return keystone_server.project_token(account), account.project_id


@pytest.fixture(scope='module')
def other_member(keystone_server):
    """Another member, of another project."""
    account = keystone_server.user_in_new_project()
    return keystone_server.project_token(account), account.project_id


def call(service, method, path, token=None, **kwargs):
    headers = {'Client-ID': str(uuid.uuid4()), **kwargs.pop('headers', {})}
    if token is not None:
        headers['X-Auth-Token'] = token
    return requests.request(method, service.url + path, headers=headers,
                            timeout=30, **kwargs)


def assert_json_error(resp, status):
    assert resp.status_code == status, resp.text
    assert set(resp.json()) == {'title', 'description'}, resp.text


def queue_names(service, token, **headers):
    resp = call(service, 'GET', '/v2/queues', token, headers=headers)
    assert resp.status_code == 200, resp.text
    return {queue['name'] for queue in resp.json()['queues']}


def test_a_token_reaches_only_its_own_projects_queues(
        keystone_service, member, other_member):
    token, _ = member
    other_token, other_project = other_member
    queue = f'only-a-{uuid.uuid4().hex[:8]}'
    assert call(keystone_service, 'PUT', f'/v2/queues/{queue}', token
                ).status_code == 201
    posted = call(keystone_service, 'POST', f'/v2/queues/{queue}/messages',
                  token, json={'messages': [{'body': 'for a only'}]})
    assert posted.status_code == 201

    assert queue in queue_names(keystone_service, token)
    assert queue not in queue_names(keystone_service, other_token)
    listed = call(keystone_service, 'GET', f'/v2/queues/{queue}/messages',
                  other_token, params={'echo': 'true'})
    assert listed.status_code == 200 and listed.json()['messages'] == []


def test_x_project_id_cannot_override_the_tokens_project(
        keystone_service, member, other_member):
    """Given A's token and a header naming B's project, A still acts in A."""
    token, project = member
    other_token, other_project = other_member
    queue = f'spoof-{uuid.uuid4().hex[:8]}'
    spoof = {'X-Project-ID': other_project}
    assert call(keystone_service, 'PUT', f'/v2/queues/{queue}', token,
                headers=spoof).status_code == 201
    assert queue not in queue_names(keystone_service, other_token)
    assert queue in queue_names(keystone_service, token)
    assert queue in queue_names(keystone_service, token, **spoof)
    assert call(keystone_service, 'POST', f'/v2/queues/{queue}/messages',
                token, headers=spoof,
                json={'messages': [{'body': 'stays in a'}]}).status_code == 201

    def total(as_token):
        return call(keystone_service, 'GET', f'/v2/queues/{queue}/stats',
                    as_token).json()['messages']['total']
    assert (total(token), total(other_token)) == (1, 0)


@pytest.mark.parametrize('token', [None, 'not-a-token',
                                   'gAAAAABbogus' + 'x' * 160])
def test_a_missing_or_bogus_token_is_401(keystone_service, token):
    resp = call(keystone_service, 'GET', '/v2/queues', token,
                headers={'X-Project-ID': 'anything'})
    assert_json_error(resp, 401)
    assert resp.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_an_expired_token_is_401(keystone_service, keystone_server):
    account = keystone_server.user_in_new_project()
    token = keystone_server.short_lived_token(account, seconds=5)
    assert call(keystone_service, 'GET', '/v2/queues', token
                ).status_code == 200

    def refused():
        resp = call(keystone_service, 'GET', '/v2/queues', token)
        return [resp] if resp.status_code != 200 else None

    [resp] = wait_for(refused, timeout=60, interval=0.5,
                      what='the token to expire')
    assert_json_error(resp, 401)


def test_an_unscoped_token_is_refused(keystone_service, keystone_server):
    account = keystone_server.user_in_new_project()
    unscoped = keystone_server.token(account.name, account.password)
    assert_json_error(call(keystone_service, 'GET', '/v2/queues', unscoped),
                      403)


@pytest.mark.parametrize('method, path', [
    ('GET', '/v2/pools'), ('GET', '/v2/flavors'), ('GET', '/v2/health'),
    ('PUT', '/v2/flavors/f')])
def test_admin_endpoints_refuse_a_non_admin_token(keystone_service, member,
                                                  method, path):
    token, _ = member
    assert_json_error(call(keystone_service, method, path, token, json={}),
                      403)


@pytest.mark.parametrize('path', ['/v2/pools', '/v2/flavors', '/v2/health'])
def test_admin_endpoints_need_a_token(keystone_service, path):
    assert_json_error(call(keystone_service, 'GET', path), 401)


@pytest.mark.parametrize('path', ['/v2/pools', '/v2/flavors', '/v2/health'])
def test_an_admin_token_reaches_admin_endpoints(keystone_service,
                                                keystone_server, path):
    resp = call(keystone_service, 'GET', path, keystone_server.admin_token)
    assert resp.status_code == 200, resp.text


def test_ping_and_home_need_no_token(keystone_service):
    assert call(keystone_service, 'GET', '/v2/ping').status_code == 204
    assert call(keystone_service, 'GET', '/v2/').status_code == 200


def signed_headers(share):
    return {'URL-Signature': share['signature'],
            'URL-Paths': ','.join(share['paths']),
            'URL-Methods': ','.join(share['methods']),
            'URL-Expires': share['expires'], 'X-Project-ID': share['project']}


def test_a_pre_signed_url_skips_keystone_only_when_it_verifies(
        keystone_service, member):
    token, project = member
    queue = f'signed-{uuid.uuid4().hex[:8]}'
    call(keystone_service, 'POST', f'/v2/queues/{queue}/messages', token,
         json={'messages': [{'body': 'shared'}]})
    share = call(keystone_service, 'POST', f'/v2/queues/{queue}/share',
                 token, json={}).json()
    assert share['project'] == project
    signed = signed_headers(share)
    path = f'/v2/queues/{queue}/messages'

    listed = call(keystone_service, 'GET', path, headers=signed)
    assert listed.status_code == 200
    assert [m['body'] for m in listed.json()['messages']] == ['shared']
    for bad in ({'URL-Signature': ''}, {'URL-Signature': 'f' * 64},
                {'X-Project-ID': 'someone-else'}):
        assert_json_error(call(keystone_service, 'GET', path,
                               headers={**signed, **bad}), 403)
    for other_path in ('/v2/pools', '/v2/queues', f'/v2/queues/{queue}'):
        assert_json_error(call(keystone_service, 'GET', other_path,
                               headers=signed), 403)


def test_python_zaqarclient_works_with_keystone(keystone_service,
                                                keystone_server):
    """Zaqar's own client, with its keystone auth backend, unchanged."""
    from zaqarclient.queues.v2 import client as zaqar

    account = keystone_server.user_in_new_project()
    client = zaqar.Client(keystone_service.url, version=2, conf={
        'auth_opts': {'backend': 'keystone', 'options': {
            'os_auth_url': keystone_server.url,
            'os_username': account.name, 'os_password': account.password,
            'os_user_domain_id': 'default',
            'os_project_id': account.project_id}}})
    queue = client.queue(f'client-{uuid.uuid4().hex[:8]}', force_create=True)
    queue.post([{'body': {'via': 'zaqarclient'}, 'ttl': 300}])
    claimed = list(queue.claim(ttl=60, grace=60))
    assert [message.body for message in claimed] == [{'via': 'zaqarclient'}]
    claimed[0].delete()
