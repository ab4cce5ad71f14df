"""Versions and home documents, ping, health, and checks on every request."""

import re

import pytest

REQUEST_ID = re.compile(r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-'
                        r'[0-9a-f]{4}-[0-9a-f]{12}$')
INVALID_QUEUE = {'title': 'Invalid queue identification',
                 'description': 'The format of the submitted queue name or '
                                'project id is not valid.'}


def test_versions_document_answers_300_without_headers(client):
    resp = client.simulate_get('/')

    assert resp.status_code == 300
    (version,) = resp.json['versions']
    assert version['id'] == '2'
    assert version['status'] == 'CURRENT'
    assert version['links'] == [{'href': '/v2/', 'rel': 'self'}]
    assert version['media-types']


@pytest.mark.parametrize('path', ['/v2', '/v2/'])
def test_home_document_is_served_with_and_without_trailing_slash(client,
                                                                 path):
    resp = client.simulate_get(path)

    assert resp.status_code == 200
    assert resp.headers['content-type'] == 'application/json-home'
    queues = resp.json['resources']['rel/queues']
    assert queues['href-template'] == '/v2/queues{?marker,limit,detailed}'


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_ping_answers_204_without_headers(client, method):
    resp = client.simulate_request(method, '/v2/ping')

    assert resp.status_code == 204
    assert resp.content == b''


def test_health_is_not_found_without_admin_mode(client):
    resp = client.simulate_get('/v2/health')

    assert resp.status_code == 404
    assert resp.json == {'title': '404 Not Found'}


def test_health_reports_reachable_storage_in_admin_mode(admin_client):
    resp = admin_client.simulate_get('/v2/health')

    assert resp.status_code == 200
    assert resp.json == {'storage_reachable': True,
                         'waiting_claims': {'waiting': 0, 'max': 64}}
    assert admin_client.simulate_head('/v2/health').status_code == 204


def test_missing_client_id_is_refused(client):
    resp = client.simulate_get('/v2/queues', headers={'X-Project-ID': 'p'})

    assert resp.status_code == 400
    assert resp.json == {'title': 'Missing header value',
                         'description': 'The "Client-Id" header is required.'}


def test_client_id_that_is_not_a_uuid_is_refused(client):
    resp = client.simulate_get('/v2/queues', headers={
        'Client-ID': 'not-a-uuid', 'X-Project-ID': 'p'})

    assert resp.status_code == 400
    assert resp.json == {'title': 'Wrong UUID value',
                         'description': 'Malformed hexadecimal UUID.'}


def test_missing_project_is_refused(client, make_headers):
    headers = make_headers()
    del headers['X-Project-ID']

    resp = client.simulate_get('/v2/queues', headers=headers)

    assert resp.status_code == 400
    assert resp.json == {'title': 'Project-Id Missing',
                         'description': 'The header X-PROJECT-ID was missing'}


def test_empty_project_is_refused(client, make_headers):
    resp = client.simulate_get('/v2/queues', headers=make_headers(project=''))

    assert resp.status_code == 400
    assert resp.json['title'] == 'Empty project header not allowed'


def test_project_longer_than_256_characters_is_refused(client, make_headers):
    resp = client.simulate_get('/v2/queues/x',
                               headers=make_headers(project='p' * 257))

    assert resp.status_code == 400
    assert resp.json == INVALID_QUEUE


def test_project_of_256_characters_is_accepted(client, make_headers):
    resp = client.simulate_get('/v2/queues/x',
                               headers=make_headers(project='p' * 256))

    assert resp.status_code == 200


def test_client_that_only_accepts_text_gets_406(client, headers):
    resp = client.simulate_get('/v2/queues',
                               headers={**headers, 'Accept': 'text/plain'})

    assert resp.status_code == 406


@pytest.mark.parametrize('path', ['/v2/nothing', '/v1.1/queues',
                                  '/v2/queues/q/nothing'])
def test_unknown_path_is_404(client, headers, path):
    resp = client.simulate_get(path, headers=headers)

    assert resp.status_code == 404


@pytest.mark.parametrize('method', ['POST', 'HEAD'])
def test_unsupported_method_on_a_queue_is_405(client, headers, method):
    resp = client.simulate_request(method, '/v2/queues/q', headers=headers)

    assert resp.status_code == 405


@pytest.mark.parametrize('path', ['/', '/v2/ping', '/v2/queues',
                                  '/v2/queues/q/stats'])
def test_every_answer_carries_a_request_id(client, headers, path):
    resp = client.simulate_get(path, headers=headers)

    assert REQUEST_ID.match(resp.headers['x-openstack-request-id'])


def test_error_answers_carry_a_request_id_too(client):
    resp = client.simulate_get('/v2/queues')

    assert resp.status_code == 400
    assert REQUEST_ID.match(resp.headers['x-openstack-request-id'])


def test_each_request_gets_its_own_request_id(client):
    first = client.simulate_get('/v2/ping')
    second = client.simulate_get('/v2/ping')

    assert (first.headers['x-openstack-request-id']
            != second.headers['x-openstack-request-id'])


def test_form_encoded_body_is_refused(client, headers):
    resp = client.simulate_put('/v2/queues/q', body='{"a": 1}', headers={
        **headers, 'Content-Type': 'application/x-www-form-urlencoded'})

    assert resp.status_code == 400
    assert resp.json == {
        'title': 'Invalid Content-Type',
        'description': 'Endpoint does not accept '
                       '`application/x-www-form-urlencoded` content; '
                       'currently supported media type is '
                       '`application/json`; specify proper client-side '
                       'media type with the "Content-Type" header.'}
    assert client.simulate_get('/v2/queues', headers=headers) \
        .json['queues'] == []


def test_form_content_type_without_a_body_is_accepted(client, headers):
    resp = client.simulate_put('/v2/queues/q', headers={
        **headers, 'Content-Type': 'application/x-www-form-urlencoded'})

    assert resp.status_code == 201


def test_options_lists_the_allowed_methods(client, headers):
    resp = client.simulate_options('/v2/queues', headers=headers)

    assert resp.status_code == 200
    assert resp.headers['allow'] == 'GET'
