"""Queues: create, metadata, list, PATCH, delete, stats, purge."""

import json

import pytest

PATCH_TYPE = 'application/openstack-messaging-v2.0-json-patch'
DEFAULTS = {'_max_messages_post_size': 262144, '_default_message_ttl': 3600,
            '_default_message_delay': 0, '_dead_letter_queue': None,
            '_dead_letter_queue_messages_ttl': None, '_max_claim_count': None,
            '_enable_encrypt_messages': False}


def put(client, headers, name, body=None, **kwargs):
    return client.simulate_put(f'/v2/queues/{name}', headers=headers,
                               body=body, **kwargs)


def test_create_then_create_again(client, headers):
    first = put(client, headers, 'q')
    assert first.status_code == 201
    assert first.headers['location'] == '/v2/queues/q'
    assert first.text == ''
    again = put(client, headers, 'q')
    assert again.status_code == 204
    assert again.headers['location'] == '/v2/queues/q'


@pytest.mark.parametrize('name', ['bad!name', 'a' * 65])
def test_bad_queue_names(client, headers, name):
    resp = put(client, headers, name)
    assert resp.status_code == 400
    assert resp.json == {
        'title': 'Invalid queue identification',
        'description': 'The format of the submitted queue name or project '
                       'id is not valid.'}


def test_dotted_names_are_listed_whole(client, headers):
    put(client, headers, 'rq-X')
    put(client, headers, 'rq-X.dot')
    resp = client.simulate_get('/v2/queues', headers=headers)
    assert [q['name'] for q in resp.json['queues']] == ['rq-X', 'rq-X.dot']


def test_metadata_shows_reserved_defaults(client, headers):
    put(client, headers, 'q', body=json.dumps({'team': 'red',
                                               '_max_claim_count': 3}))
    resp = client.simulate_get('/v2/queues/q', headers=headers)
    assert resp.json == {**DEFAULTS, 'team': 'red', '_max_claim_count': 3}


def test_never_created_queue_answers_defaults(client, headers):
    resp = client.simulate_get('/v2/queues/never', headers=headers)
    assert resp.status_code == 200
    assert resp.json == DEFAULTS


@pytest.mark.parametrize('metadata, description', [
    ({'_default_message_ttl': 30}, '_default_message_ttl can not exceed '
     '1209600 seconds, and must be at least 60 seconds long.'),
    ({'_default_message_delay': 901}, 'The TTL can not exceed 900 seconds, '
     'and must be at least 0 seconds long.'),
    ({'_enable_encrypt_messages': 'yes'},
     '_enable_encrypt_messages must be boolean.'),
    ({'_max_messages_post_size': 262145}, '_max_messages_post_size can not '
     'exceed 262144, and must be at least greater than 0.'),
    ({'_max_claim_count': 'x'},
     '_max_claim_count must be an integer of at least 1.'),
    ({'_dead_letter_queue': 'bad name'},
     '_dead_letter_queue must be a valid queue name.'),
])
def test_reserved_metadata_is_validated(client, headers, metadata,
                                        description):
    resp = put(client, headers, 'q', body=json.dumps(metadata))
    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid API request',
                         'description': description}
    assert client.simulate_get('/v2/queues', headers=headers) \
        .json['queues'] == []


@pytest.mark.parametrize('body, title, description', [
    ('[1, 2]', 'Invalid request body', 'Document type not supported.'),
    ('{not json', 'Malformed JSON', 'Request body could not be parsed.'),
    (json.dumps({'k': 'x' * 65536}), 'Invalid API request',
     'Queue metadata is too large. Max size: 65536'),
])
def test_bad_metadata_documents(client, headers, body, title, description):
    resp = put(client, headers, 'q', body=body)
    assert resp.status_code == 400
    assert resp.json == {'title': title, 'description': description}


def test_list_pages_with_links_and_count(client, headers):
    for name in ['c', 'a', 'b']:
        put(client, headers, name)
    names, href = [], '/v2/queues?limit=1&with_count=true'
    while True:
        path, _, query = href.partition('?')
        resp = client.simulate_get(path, query_string=query, headers=headers)
        if not resp.json['queues']:
            break
        assert resp.json['count'] == 3
        names += [q['name'] for q in resp.json['queues']]
        assert resp.json['queues'][0]['href'] == f'/v2/queues/{names[-1]}'
        href = resp.json['links'][0]['href']
    assert names == ['a', 'b', 'c']


def test_detailed_listing_and_metadata_filter(client, headers):
    put(client, headers, 'red', body=json.dumps({'team': 'red'}))
    put(client, headers, 'blue', body=json.dumps({'team': 'blue'}))
    resp = client.simulate_get('/v2/queues', headers=headers,
                               params={'team': 'red', 'detailed': 'true'})
    assert resp.json['queues'] == [{'name': 'red', 'href': '/v2/queues/red',
                                    'metadata': {'team': 'red'}}]


@pytest.mark.parametrize('limit, description', [
    ('0', 'Limit must be at least 1 and no greater than 20.'),
    ('21', 'Limit must be at least 1 and no greater than 20.'),
    ('abc', 'The "limit" parameter is invalid. The value must be an '
            'integer.'),
])
def test_bad_list_limits(client, headers, limit, description):
    resp = client.simulate_get('/v2/queues', headers=headers,
                               params={'limit': limit})
    assert resp.status_code == 400
    assert resp.json['description'] == description


def patch(client, headers, name, changes, content_type=PATCH_TYPE):
    return client.simulate_patch(
        f'/v2/queues/{name}', body=json.dumps(changes),
        headers={**headers, 'Content-Type': content_type})


def test_patch_add_replace_remove(client, headers):
    put(client, headers, 'q', body=json.dumps({'a': 1}))
    resp = patch(client, headers, 'q', [
        {'op': 'add', 'path': '/metadata/b', 'value': 2},
        {'op': 'replace', 'path': '/metadata/a', 'value': 10},
        {'op': 'remove', 'path': '/metadata/_max_claim_count'}])
    assert resp.status_code == 200
    assert resp.json == {**DEFAULTS, 'a': 10, 'b': 2}
    resp = patch(client, headers, 'q',
                 [{'op': 'remove', 'path': '/metadata/a'}])
    assert resp.json == {**DEFAULTS, 'b': 2}


@pytest.mark.parametrize('changes, status, description', [
    ([{'op': 'replace', 'path': '/metadata/zzz', 'value': 1}], 409,
     "Can't replace non-existent object zzz."),
    ([{'op': 'add', 'path': '/foo/a', 'value': 1}], 400,
     'The root of path must be metadata, e.g /metadata/key.'),
    ([{'op': 'move', 'path': '/metadata/a'}], 400,
     'Invalid operation: `move`. It must be one of the following: add, '
     'remove, replace.'),
    ({'op': 'add'}, 400, 'Document type not supported.'),
    ([{'op': 'add', 'path': '/metadata/_default_message_ttl', 'value': 1}],
     400, '_default_message_ttl can not exceed 1209600 seconds, and must be '
     'at least 60 seconds long.'),
])
def test_patch_errors_change_nothing(client, headers, changes, status,
                                     description):
    put(client, headers, 'q', body=json.dumps({'a': 1}))
    resp = patch(client, headers, 'q', changes)
    assert resp.status_code == status
    assert resp.json['description'] == description
    assert client.simulate_get('/v2/queues/q', headers=headers).json == \
        {**DEFAULTS, 'a': 1}


def test_patch_needs_the_json_patch_media_type(client, headers):
    put(client, headers, 'q')
    resp = patch(client, headers, 'q', [], content_type='application/json')
    assert resp.status_code == 415
    assert resp.json['description'] == (
        "Accepted media type for PATCH: {'Accept-Patch': "
        "'application/openstack-messaging-v2.0-json-patch'}.")


def test_patch_of_missing_queue_is_404(client, headers):
    resp = patch(client, headers, 'nope',
                 [{'op': 'add', 'path': '/metadata/a', 'value': 1}])
    assert resp.status_code == 404
    assert resp.json == {'title': 'Not found',
                         'description': 'Queue nope does not exist for '
                                        'project p'}


def test_delete_queue_even_when_missing(client, headers, api):
    api.post('q', {'body': 1})
    assert client.simulate_delete('/v2/queues/q', headers=headers) \
        .status_code == 204
    assert client.simulate_delete('/v2/queues/q', headers=headers) \
        .status_code == 204
    assert api.bodies('q') == []


def test_stats_shape_hides_bodies_and_claims(client, headers, api):
    api.post('q', {'body': 'a'}, {'body': 'b'}, {'body': 'c', 'delay': 60})
    api.claim('q', limit=1)
    stats = client.simulate_get('/v2/queues/q/stats',
                                headers=headers).json['messages']
    assert {k: stats[k] for k in ('free', 'claimed', 'delayed', 'total')} == \
        {'free': 1, 'claimed': 1, 'delayed': 1, 'total': 3}
    for edge in ('oldest', 'newest'):
        assert set(stats[edge]) == {'id', 'age', 'created', 'href'}
        assert stats[edge]['created'].endswith('Z')


def test_stats_of_missing_queue_are_zero(client, headers):
    resp = client.simulate_get('/v2/queues/none/stats', headers=headers)
    assert resp.json == {'messages': {'claimed': 0, 'free': 0, 'delayed': 0,
                                      'total': 0}}


@pytest.mark.parametrize('body, description', [
    ({'resource_types': ['claims']}, "Resource types must be a sub set of "
     "{'messages', 'subscriptions'}."),
    ({}, 'Post body must contain key "resource_types".'),
])
def test_purge_errors(client, headers, body, description):
    resp = client.simulate_post('/v2/queues/q/purge', headers=headers,
                                json=body)
    assert resp.status_code == 400
    assert resp.json['description'] == description


def test_purge_messages_keeps_queue_and_metadata(client, headers, api):
    put(client, headers, 'q', body=json.dumps({'team': 'red'}))
    api.post('q', *[{'body': n} for n in range(5)])
    api.claim('q', limit=2)
    resp = client.simulate_post('/v2/queues/q/purge', headers=headers,
                                json={'resource_types': ['messages']})
    assert resp.status_code == 204
    assert api.bodies('q', include_claimed='true') == []
    assert client.simulate_get('/v2/queues/q', headers=headers) \
        .json['team'] == 'red'


def test_odd_filter_keys_and_huge_limits_are_client_errors_at_most(
        client, headers):
    put(client, headers, 'q')
    resp = client.simulate_get('/v2/queues', headers=headers,
                               query_string='a%22b%5Cc=1')
    assert resp.status_code == 200 and resp.json['queues'] == []
    resp = client.simulate_get('/v2/queues', headers=headers,
                               params={'limit': '9' * 30})
    assert resp.status_code == 400
