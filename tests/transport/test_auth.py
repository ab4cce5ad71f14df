"""auth_strategy = keystone, as far as it goes without a Keystone: the
requests keystonemiddleware lets through undecided are refused by the app.
(Tokens against a real Keystone: tests/e2e/test_keystone.py.)"""

import falcon.testing
import pytest

import zaqar_lite.conf
from tests.conftest import write_conf
from zaqar_lite.bootstrap import Bootstrap
from zaqar_lite.transport.wsgi.app import create_app

NOWHERE = 'http://127.0.0.1:9/v3'  # never called: no token is validated


@pytest.fixture
def keystone_bootstrap(tmp_path):
    path = write_conf(tmp_path / 'zaqar.conf', {
        'DEFAULT': {'auth_strategy': 'keystone', 'admin_mode': 'true'},
        'signed_url': {'secret_key': 'k'},
        'keystone_authtoken': {'www_authenticate_uri': NOWHERE,
                               'auth_url': NOWHERE},
        'drivers:message_store:sqlite': {'uri': f'sqlite:///{tmp_path}/q.db'},
        'drivers:management_store:sqlite': {
            'uri': f'sqlite:///{tmp_path}/m.db'}})
    bootstrap = Bootstrap(zaqar_lite.conf.load([str(path)]))
    yield bootstrap
    bootstrap.close()


@pytest.mark.parametrize('path', ['/v2/queues', '/v2/queues/q/messages',
                                  '/v2/pools', '/v2/health'])
def test_without_a_token_the_answer_is_401(keystone_bootstrap, headers,
                                           path):
    client = falcon.testing.TestClient(keystone_bootstrap.app)
    result = client.simulate_get(path, headers=headers)
    assert result.status_code == 401
    assert result.json == {
        'title': 'Unauthorized',
        'description': 'The request you have made requires authentication.'}
    assert result.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_headers_that_fake_an_identity_are_ignored(keystone_bootstrap,
                                                   headers):
    client = falcon.testing.TestClient(keystone_bootstrap.app)
    faked = {**headers, 'X-Identity-Status': 'Confirmed', 'X-Roles': 'admin',
             'X-Project-Id': 'p', 'X-User-Id': 'u'}
    for path in ('/v2/queues', '/v2/pools'):
        assert client.simulate_get(path, headers=faked).status_code == 401


def test_the_app_without_the_middleware_refuses_everyone(keystone_bootstrap,
                                                         headers):
    """Fail closed: keystone mode trusts only what auth_token verified."""
    bootstrap = keystone_bootstrap
    app = create_app(bootstrap.conf, bootstrap.pipelines,
                     bootstrap.data_driver, bootstrap.notifier,
                     bootstrap.notification_tasks, bootstrap.control_driver)
    client = falcon.testing.TestClient(app)
    faked = {**headers, 'X-Identity-Status': 'Confirmed', 'X-Roles': 'admin'}
    for path in ('/v2/queues', '/v2/pools'):
        assert client.simulate_get(path, headers=faked).status_code == 401


def test_ping_and_home_need_no_token(keystone_bootstrap):
    client = falcon.testing.TestClient(keystone_bootstrap.app)
    assert client.simulate_get('/v2/ping').status_code == 204
    assert client.simulate_get('/').status_code == 300


@pytest.mark.parametrize('signature', ['', 'f' * 64])
def test_a_bad_signature_never_bypasses_keystone(keystone_bootstrap,
                                                 headers, signature):
    client = falcon.testing.TestClient(keystone_bootstrap.app)
    signed = {**headers, 'URL-Signature': signature,
              'URL-Paths': '/v2/queues/q/messages', 'URL-Methods': 'GET',
              'URL-Expires': '2099-01-01T00:00:00'}
    for path in ('/v2/queues/q/messages', '/v2/pools', '/v2/queues'):
        result = client.simulate_get(path, headers=signed)
        assert result.status_code == 403, path
        assert result.json['title'] == 'Invalid signature'
