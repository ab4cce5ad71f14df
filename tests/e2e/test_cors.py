"""CORS on a real server: off by default; with [cors] allowed_origin,
browsers of that origin get preflight answers and readable responses."""

import uuid

import pytest
import requests

from tests.e2e.conftest import Service, service_conf

ORIGIN = 'https://console.example.com'


@pytest.fixture(scope='module')
def cors_server(tmp_path_factory):
    with Service(service_conf(tmp_path_factory.mktemp('cors'),
                              workers=1,
                              cors={'allowed_origin': ORIGIN})) as running:
        yield running


def headers(**extra):
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'web', **extra}


def test_preflight_and_requests_from_the_allowed_origin(cors_server):
    url = f'{cors_server.url}/v2/queues/q/messages'
    preflight = requests.options(url, headers={
        'Origin': ORIGIN, 'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'Client-ID,X-Project-ID'},
        timeout=10)
    assert preflight.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert 'POST' in preflight.headers['Access-Control-Allow-Methods']
    posted = requests.post(url, headers=headers(Origin=ORIGIN),
                           json={'messages': [{'body': 1}]}, timeout=10)
    assert posted.status_code == 201
    assert posted.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert 'Location' in posted.headers['Access-Control-Expose-Headers']
    other = requests.get(f'{cors_server.url}/v2/queues',
                         headers=headers(Origin='https://evil.example.com'),
                         timeout=10)
    assert 'Access-Control-Allow-Origin' not in other.headers


def test_no_cors_headers_unless_configured(service):
    answer = requests.get(f'{service.url}/v2/queues',
                          headers=headers(Origin=ORIGIN), timeout=10)
    assert answer.status_code == 200
    assert 'Access-Control-Allow-Origin' not in answer.headers
