"""Messages: post, list, get, delete, pop."""

import json

import pytest

from tests.transport.conftest import make_headers


def test_post_creates_queue_and_answers_hrefs(client, headers, api):
    resp = api.post('q', {'body': {'event': 'a'}, 'ttl': 300},
                    {'body': 'plain string'})
    assert resp.status_code == 201
    ids = [href.rsplit('/', 1)[1] for href in resp.json['resources']]
    assert resp.json['resources'] == [f'/v2/queues/q/messages/{i}'
                                      for i in ids]
    assert resp.headers['location'] == \
        f'/v2/queues/q/messages?ids={",".join(ids)}'
    listed = api.list('q').json['messages']
    assert [(m['body'], m['ttl']) for m in listed] == \
        [({'event': 'a'}, 300), ('plain string', 3600)]
    assert set(listed[0]) == {'id', 'href', 'ttl', 'age', 'body'}


def test_queue_default_ttl_applies(client, headers, api):
    client.simulate_put('/v2/queues/q', headers=headers,
                        json={'_default_message_ttl': 120})
    api.post('q', {'body': 1})
    assert api.list('q').json['messages'][0]['ttl'] == 120


@pytest.mark.parametrize('body, title, description', [
    ('[{"body": 1, "ttl": 300}]', 'Invalid API request',
     'No messages were found in the request body.'),
    ('{"messages": {"body": 1}}', 'Invalid request body',
     'Document type not supported.'),
    ('{"messages": []}', 'Invalid API request', 'No messages to enqueu.'),
    ('{"messages": [{"ttl": 300}]}', 'Invalid request body',
     'Missing "body" field.'),
    ('{"messages": [1]}', 'Invalid request body',
     'Each message must be a JSON object.'),
    ('{"messages": [{"body": 1, "ttl": 59}]}', 'Invalid API request',
     'The TTL for a message may not exceed 1209600 seconds, and must be at '
     'least 60 seconds long.'),
    ('{"messages": [{"body": 1, "ttl": 1209601}]}', 'Invalid API request',
     'The TTL for a message may not exceed 1209600 seconds, and must be at '
     'least 60 seconds long.'),
    ('{"messages": [{"body": 1, "ttl": "300"}]}', 'Invalid API request',
     'The value of the "ttl" field must be a int.'),
    ('{"messages": [{"body": 1, "ttl": 99999999999999999999999999}]}',
     'Invalid request body', 'JSON contains integer that is too large.'),
    ('{"messages": [{"body": 1, "delay": 901}]}', 'Invalid API request',
     'The Delay TTL for a message may not exceed 900 seconds,and must be at '
     'least 0 seconds long.'),
    ('{not json', 'Malformed JSON', 'Request body could not be parsed.'),
])
def test_bad_posts_write_nothing(client, headers, api, body, title,
                                 description):
    resp = client.simulate_post('/v2/queues/q/messages', headers=headers,
                                body=body)
    assert resp.status_code == 400
    assert resp.json == {'title': title, 'description': description}
    assert api.bodies('q') == []


def test_post_size_limits(client, headers, api):
    big = {'messages': [{'body': 'x' * 262144}]}
    resp = client.simulate_post('/v2/queues/q/messages', headers=headers,
                                json=big)
    assert resp.status_code == 400
    assert resp.json['description'] == \
        'Message collection size is too large. Max size 262144'
    client.simulate_put('/v2/queues/small', headers=headers,
                        json={'_max_messages_post_size': 100})
    resp = api.post('small', {'body': 'x' * 150})
    assert resp.status_code == 400
    assert resp.json['description'] == (
        'Message collection size is too large. The max size for current '
        'queue is 100. It is calculated by max size = min('
        'max_messages_post_size_config: 262144, '
        'max_messages_post_size_queue: 100).')


def test_no_count_limit_on_posts(api):
    resp = api.post('q', *[{'body': n} for n in range(25)])
    assert resp.status_code == 201 and len(resp.json['resources']) == 25


def test_delay_is_honoured_on_a_plain_queue(api):
    api.post('q', {'body': 'later', 'delay': 60}, {'body': 'now'})
    assert api.bodies('q') == ['now']
    assert api.bodies('q', include_delayed='true') == ['later', 'now']
    claimed = api.claim('q').json['messages']
    assert [m['body'] for m in claimed] == ['now']
    assert api.claim('q').status_code == 204


def test_echo_depends_on_client_id(client, api):
    api.post('q', {'body': 'mine'})
    assert api.bodies('q', echo='false') == []
    other = make_headers()
    resp = client.simulate_get('/v2/queues/q/messages', headers=other)
    assert [m['body'] for m in resp.json['messages']] == ['mine']


def test_listing_pages_by_links(client, headers, api):
    api.post('q', *[{'body': n} for n in range(5)])
    seen, path, query = [], '/v2/queues/q/messages', 'limit=2&echo=true'
    while True:
        resp = client.simulate_get(path, query_string=query, headers=headers)
        if not resp.json['messages']:
            assert resp.json['links'] == []
            break
        seen += [m['body'] for m in resp.json['messages']]
        path, _, query = resp.json['links'][0]['href'].partition('?')
    assert seen == [0, 1, 2, 3, 4]


@pytest.mark.parametrize('params, description', [
    ({'limit': '21'}, 'Limit must be at least 1 and may not be greater than '
                      '20.'),
    ({'echo': 'maybe'}, 'The "echo" parameter is invalid. The value of the '
                        'parameter must be "true" or "false".'),
])
def test_bad_listing_parameters(api, params, description):
    resp = api.list('q', **params)
    assert resp.status_code == 400
    assert resp.json['description'] == description


def test_listing_a_missing_queue_is_empty(api):
    resp = api.list('never')
    assert resp.status_code == 200
    assert resp.json == {'messages': [], 'links': []}


def test_get_one_and_by_ids(client, headers, api):
    ids = [h.rsplit('/', 1)[1] for h in
           api.post('q', {'body': 'a'}, {'body': 'b'}).json['resources']]
    one = client.simulate_get(f'/v2/queues/q/messages/{ids[0]}',
                              headers=headers)
    assert one.json['body'] == 'a'
    missing = client.simulate_get('/v2/queues/q/messages/zzzz',
                                  headers=headers)
    assert missing.status_code == 404
    assert missing.json['description'] == \
        'Message zzzz does not exist in queue q for project p'
    some = client.simulate_get('/v2/queues/q/messages', headers=headers,
                               params={'ids': f'{ids[1]},ffff'})
    assert [m['body'] for m in some.json['messages']] == ['b']
    none = client.simulate_get('/v2/queues/q/messages', headers=headers,
                               params={'ids': 'ffff'})
    assert none.status_code == 404
    assert none.json['description'] == \
        "No messages with IDs: ['ffff'] found in the queue q for project p."
    too_many = client.simulate_get('/v2/queues/q/messages', headers=headers,
                                   params={'ids': ','.join(['a'] * 21)})
    assert too_many.status_code == 400


@pytest.mark.parametrize('params, description', [
    ({}, 'The request should have either "ids" or "pop" parameter in the '
         'request, to be able to delete.'),
    ({'ids': 'x', 'pop': '1'}, 'pop and id params cannot be present together '
                               'in the delete request.'),
    ({'pop': '0'}, 'Pop value must be at least 1 and may not be greater than '
                   '20.'),
    ({'pop': '21'}, 'Pop value must be at least 1 and may not be greater '
                    'than 20.'),
    ({'ids': ','.join(['a'] * 21)}, 'ids parameter should have at least 1 '
                                    'and not greater than 20 values.'),
])
def test_bulk_delete_errors(client, headers, params, description):
    resp = client.simulate_delete('/v2/queues/q/messages', headers=headers,
                                  params=params)
    assert resp.status_code == 400
    assert resp.json['description'] == description


def test_pop_answers_messages_and_removes_them(client, headers, api):
    api.post('q', {'body': 1}, {'body': 2}, {'body': 3})
    resp = client.simulate_delete('/v2/queues/q/messages', headers=headers,
                                  params={'pop': '2'})
    assert resp.status_code == 200
    assert [m['body'] for m in resp.json['messages']] == [1, 2]
    assert set(resp.json['messages'][0]) == \
        {'id', 'href', 'ttl', 'age', 'body', 'claim_count'}
    assert api.bodies('q') == [3]


def test_delete_by_ids_ignores_unknown(client, headers, api):
    ids = [h.rsplit('/', 1)[1] for h in
           api.post('q', {'body': 'a'}).json['resources']]
    resp = client.simulate_delete('/v2/queues/q/messages', headers=headers,
                                  params={'ids': f'{ids[0]},unknown'})
    assert resp.status_code == 204
    assert api.bodies('q') == []


def test_single_delete_rules_for_claimed_messages(client, headers, api):
    api.post('q', {'body': 'claimed'}, {'body': 'free'})
    claimed = api.claim('q', limit=1).json['messages'][0]
    plain_href, _, claim = claimed['href'].partition('?claim_id=')
    free_id = api.list('q').json['messages'][0]['id']

    resp = client.simulate_delete(plain_href, headers=headers)
    assert resp.status_code == 403
    assert resp.json == {'title': 'Unable to delete', 'description':
                         'This message is claimed; it cannot be deleted '
                         'without a valid claim ID.'}
    resp = client.simulate_delete(plain_href, headers=headers,
                                  params={'claim_id': 'wrong'})
    assert resp.status_code == 400
    assert resp.json['description'] == \
        'The specified claim does not exist or has expired.'
    resp = client.simulate_delete(f'/v2/queues/q/messages/{free_id}',
                                  headers=headers, params={'claim_id': claim})
    assert resp.status_code == 400
    assert resp.json['description'] == \
        'A claim was specified, but the message is not currently claimed.'
    assert client.simulate_delete(claimed['href'], headers=headers) \
        .status_code == 204
    assert client.simulate_delete(claimed['href'], headers=headers) \
        .status_code == 204


def test_claim_ids_are_never_shown_to_readers(client, headers, api):
    api.post('q', {'body': 'x'})
    claimed = api.claim('q').json['messages'][0]
    assert '?claim_id=' in claimed['href']
    listed = api.list('q', include_claimed='true').json['messages'][0]
    one = client.simulate_get(f'/v2/queues/q/messages/{listed["id"]}',
                              headers=headers).json
    for message in (listed, one):
        assert 'claim_id' not in json.dumps(message)


def test_bulk_delete_needs_the_claim_of_claimed_messages(client, headers,
                                                         api):
    api.post('q', {'body': 'x'})
    claimed = api.claim('q').json['messages'][0]
    claim = claimed['href'].split('claim_id=')[1]
    resp = client.simulate_delete('/v2/queues/q/messages', headers=headers,
                                  params={'ids': claimed['id']})
    assert resp.status_code == 403
    assert api.bodies('q', include_claimed='true') == ['x']
    resp = client.simulate_delete('/v2/queues/q/messages', headers=headers,
                                  params={'ids': claimed['id'],
                                          'claim_ids': claim})
    assert resp.status_code == 204
    assert api.bodies('q', include_claimed='true') == []


@pytest.mark.parametrize('marker', ['abc', '99999999999999999999999'])
def test_foreign_marker_is_a_400(api, marker):
    api.post('q', {'body': 1})
    resp = api.list('q', marker=marker)
    assert resp.status_code == 400
    assert resp.json['title'] == 'Invalid parameter'
