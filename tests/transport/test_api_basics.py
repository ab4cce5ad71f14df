"""Versions, home, ping, health and the request headers."""

import pytest

from tests.transport.conftest import build_client, make_headers


def test_versions_document_is_a_300(client):
    resp = client.simulate_get('/')
    assert resp.status_code == 300
    assert resp.json['versions'][0]['id'] == '2'
    assert resp.json['versions'][0]['links'] == [{'href': '/v2/',
                                                  'rel': 'self'}]


@pytest.mark.parametrize('path', ['/v2', '/v2/'])
def test_home_document_with_and_without_slash(client, path):
    resp = client.simulate_get(path)
    assert resp.status_code == 200
    assert resp.headers['content-type'] == 'application/json-home'
    assert 'rel/queues' in resp.json['resources']


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_ping(client, method):
    assert client.simulate_request(method, '/v2/ping').status_code == 204


def test_health_needs_admin_mode(client, tmp_path):
    assert client.simulate_get('/v2/health').status_code == 404
    admin = build_client(tmp_path, admin_mode=True)
    resp = admin.simulate_get('/v2/health')
    assert resp.status_code == 200
    assert resp.json == {'storage_reachable': True}
    assert admin.simulate_head('/v2/health').status_code == 204


def test_every_answer_has_a_request_id(client, headers):
    resp = client.simulate_get('/v2/queues', headers=headers)
    assert resp.headers['x-openstack-request-id'].startswith('req-')


@pytest.mark.parametrize('headers, title, description', [
    ({'X-Project-ID': 'p'}, 'Missing header value',
     'The "Client-Id" header is required.'),
    ({'X-Project-ID': 'p', 'Client-ID': 'not-a-uuid'}, 'Wrong UUID value',
     'Malformed hexadecimal UUID.'),
    ({'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c'},
     'Project-Id Missing', 'The header X-PROJECT-ID was missing'),
])
def test_header_errors(client, headers, title, description):
    resp = client.simulate_get('/v2/queues', headers=headers)
    assert resp.status_code == 400
    assert resp.json == {'title': title, 'description': description}


def test_empty_project_is_refused(client):
    resp = client.simulate_get('/v2/queues',
                               headers=make_headers(project=''))
    assert resp.status_code == 400
    assert resp.json['title'] == 'Empty project header not allowed'


def test_overlong_project_is_refused(client):
    resp = client.simulate_get('/v2/queues/x',
                               headers=make_headers(project='p' * 257))
    assert resp.status_code == 400
    assert resp.json['title'] == 'Invalid queue identification'


def test_client_that_cannot_read_json_gets_406(client, headers):
    resp = client.simulate_get('/v2/queues',
                               headers={**headers, 'Accept': 'text/plain'})
    assert resp.status_code == 406


def test_unknown_path_and_wrong_method(client, headers):
    assert client.simulate_get('/v2/nothing', headers=headers).status_code \
        == 404
    assert client.simulate_get('/v1.1/queues', headers=headers).status_code \
        == 404
    assert client.simulate_post('/v2/queues/q', headers=headers).status_code \
        == 405
