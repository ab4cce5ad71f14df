"""A hostile body or header fails one request with a 400, never a 500."""

import json

import pytest

from zaqar_lite.transport.wsgi.utils import MAX_JSON_DEPTH, depth


def nested(levels):
    """A JSON text of ``levels`` nested arrays."""
    return '[' * levels + ']' * levels


def message_post(body_text):
    return '{"messages": [{"body": %s}]}' % body_text


def test_a_document_at_the_depth_limit_is_accepted(client, headers):
    # messages -> list -> message object: three levels before the body
    text = message_post(nested(MAX_JSON_DEPTH - 3))
    assert depth(json.loads(text)) == MAX_JSON_DEPTH
    result = client.simulate_post('/v2/queues/q/messages', headers=headers,
                                  body=text)
    assert result.status_code == 201, result.text


@pytest.mark.parametrize('levels', [MAX_JSON_DEPTH - 2, 50_000])
def test_a_document_nested_too_deeply_is_400(client, headers, levels):
    result = client.simulate_post('/v2/queues/q/messages', headers=headers,
                                  body=message_post(nested(levels)))
    assert result.status_code == 400
    assert result.json['title'] == 'Invalid request body'
    assert 'nested too deeply' in result.json['description']


@pytest.mark.parametrize('path, method', [
    ('/v2/queues/q', 'PUT'), ('/v2/queues/q/claims', 'POST'),
    ('/v2/queues/q/subscriptions', 'POST'), ('/v2/queues/q/share', 'POST')])
def test_every_body_is_depth_bounded(client, headers, path, method):
    text = '{"a": %s}' % nested(40)
    result = client.simulate_request(method, path, headers=headers,
                                     body=text)
    assert result.status_code == 400
    assert 'nested too deeply' in result.json['description']


def test_depth_counts_arrays_and_objects():
    assert depth(1) == 0
    assert depth({'a': [1, {'b': []}]}) == 4
    assert depth([[], [[]]]) == 3


@pytest.mark.parametrize('value', ['p\x00q', 'p\nq', 'x' * 257, '\u200b'])
def test_a_malformed_project_header_is_400(client, make_headers, value):
    result = client.simulate_get('/v2/queues', headers=make_headers(value))
    assert result.status_code == 400
    assert set(result.json) == {'title', 'description'}
