"""POST .../share signs paths; the signed headers open exactly those."""

import datetime

import falcon.testing
import pytest

from tests.transport.conftest import build_bootstrap


@pytest.fixture
def signing_client(tmp_path):
    bootstrap = build_bootstrap(tmp_path)
    bootstrap.conf.set_override('secret_key', 'k', group='signed_url')
    yield falcon.testing.TestClient(bootstrap.app)
    bootstrap.close()


def signed_headers(share):
    return {'URL-Signature': share['signature'],
            'URL-Paths': ','.join(share['paths']),
            'URL-Methods': ','.join(share['methods']),
            'URL-Expires': share['expires'], 'X-Project-ID': share['project']}


def test_share_defaults_to_reading_messages(signing_client, headers):
    signing_client.simulate_post('/v2/queues/q/messages', headers=headers,
                                 json={'messages': [{'body': 1}]})
    result = signing_client.simulate_post('/v2/queues/q/share',
                                          headers=headers, json={})
    assert result.status_code == 200
    share = result.json
    assert share['paths'] == ['/v2/queues/q/messages']
    assert share['methods'] == ['GET'] and share['project'] == 'p'
    assert len(share['signature']) == 64
    signed = signed_headers(share)
    listed = signing_client.simulate_get('/v2/queues/q/messages',
                                         headers=signed,
                                         params={'echo': 'true'})
    assert listed.status_code == 200 and len(listed.json['messages']) == 1
    for method, path in (('DELETE', '/v2/queues/q/messages?pop=1'),
                         ('GET', '/v2/queues/q/stats')):
        assert signing_client.simulate_request(
            method, path, headers=signed).status_code == 403


@pytest.mark.parametrize('body, text', [
    ({'foo': 1}, "Unknown keys: {'foo'}"),
    ({'paths': ['stats']}, "Invalid paths: {'stats'}"),
    ({'expires': 12345}, '`expires` should be date format, for example '
                         '2016-01-01T00:00:00, not integer value: 12345'),
    ({'expires': '2001-01-01T00:00:00'},
     '`expires` is lower than the current time'),
])
def test_share_refuses_bad_documents(signing_client, headers, body, text):
    result = signing_client.simulate_post('/v2/queues/q/share',
                                          headers=headers, json=body)
    assert result.status_code == 400
    assert result.json['description'] == text


def test_signed_methods_and_expiry(signing_client, headers):
    soon = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)
            ).strftime('%Y-%m-%dT%H:%M:%S')
    share = signing_client.simulate_post(
        '/v2/queues/q/share', headers=headers,
        json={'paths': ['messages', 'claims'], 'methods': ['POST', 'GET'],
              'expires': soon}).json
    assert share['expires'] == soon
    signed = signed_headers(share)
    posted = signing_client.simulate_post(
        '/v2/queues/q/messages', headers=signed,
        json={'messages': [{'body': 'via a signed url'}]})
    assert posted.status_code == 201
    assert signing_client.simulate_post('/v2/queues/q/claims', headers=signed,
                                        json={}).status_code == 201
    tampered = {**signed, 'URL-Methods': 'DELETE,GET,POST'}
    assert signing_client.simulate_get('/v2/queues/q/messages',
                                       headers=tampered).status_code == 403
    other = {**signed, 'X-Project-ID': 'other'}
    assert signing_client.simulate_get('/v2/queues/q/messages',
                                       headers=other).status_code == 403
    empty = {**signed, 'URL-Signature': ''}
    assert signing_client.simulate_get('/v2/queues/q/messages',
                                       headers=empty).status_code == 403


def test_without_a_key_share_says_so(client, headers):
    result = client.simulate_post('/v2/queues/q/share', headers=headers,
                                  json={})
    assert result.status_code == 400
    assert 'secret_key' in result.json['description']


def zaqar_signature(key, paths, methods, project, expires):
    """HMAC-SHA256 in Zaqar's format, computed here independently (the four
    parts joined by a literal backslash-n), for any expiry."""
    import hashlib
    import hmac
    text = '\\n'.join([','.join(sorted(paths)), ','.join(sorted(methods)),
                       project, expires])
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def test_a_signature_in_zaqars_format_verifies(signing_client, headers):
    signing_client.simulate_post('/v2/queues/q/messages', headers=headers,
                                 json={'messages': [{'body': 1}]})
    share = signing_client.simulate_post('/v2/queues/q/share',
                                         headers=headers, json={}).json
    assert share['signature'] == zaqar_signature(
        'k', share['paths'], share['methods'], 'p', share['expires'])


def test_an_expired_signature_is_refused(signing_client):
    past = (datetime.datetime.utcnow() - datetime.timedelta(minutes=1)
            ).strftime('%Y-%m-%dT%H:%M:%S')
    paths, methods = ['/v2/queues/q/messages'], ['GET']
    signed = {'URL-Signature': zaqar_signature('k', paths, methods, 'p', past),
              'URL-Paths': paths[0], 'URL-Methods': 'GET',
              'URL-Expires': past, 'X-Project-ID': 'p'}
    result = signing_client.simulate_get('/v2/queues/q/messages',
                                         headers=signed)
    assert result.status_code == 403
    assert result.json['title'] == 'Invalid signature'


@pytest.mark.parametrize('change', [
    {'URL-Signature': 'tampered'},  # replaced below by a flipped digit
    {'URL-Paths': '/v2/queues/other/messages'},
    {'URL-Expires': '2099-01-01T00:00:00'},
    {'X-Project-ID': 'other'},
])
def test_a_tampered_signed_request_is_refused(signing_client, headers,
                                              change):
    share = signing_client.simulate_post('/v2/queues/q/share',
                                         headers=headers, json={}).json
    signed = signed_headers(share)
    if 'URL-Signature' in change:
        digit = '0' if share['signature'][-1] != '0' else '1'
        change = {'URL-Signature': share['signature'][:-1] + digit}
    path = ('/v2/queues/other/messages' if 'URL-Paths' in change
            else '/v2/queues/q/messages')
    result = signing_client.simulate_get(path, headers={**signed, **change})
    assert result.status_code == 403
    assert set(result.json) == {'title', 'description'}


@pytest.mark.parametrize('method, path', [
    ('GET', '/v2/queues/other/messages'),  # a path it does not sign
    ('GET', '/v2/queues'), ('GET', '/v2/ping'), ('GET', '/v2/health'),
    ('GET', '/v2/pools'), ('GET', '/v2/nowhere'),
    ('POST', '/v2/queues/q/messages'),  # a method it does not sign
])
def test_a_signature_opens_nothing_but_its_paths_and_methods(
        tmp_path, headers, method, path):
    bootstrap = build_bootstrap(tmp_path, admin_mode=True)
    bootstrap.conf.set_override('secret_key', 'k', group='signed_url')
    client = falcon.testing.TestClient(bootstrap.app)
    share = client.simulate_post('/v2/queues/q/share', headers=headers,
                                 json={}).json
    result = client.simulate_request(method, path,
                                     headers=signed_headers(share),
                                     json={'messages': [{'body': 1}]})
    bootstrap.close()
    assert result.status_code == 403
    assert result.json['title'] == 'Not signed'
