"""Queues: create, metadata, listing, PATCH, delete, stats and purge."""

import json

import pytest

from tests.transport.expected import api_error

JSON_PATCH = 'application/openstack-messaging-v2.0-json-patch'
RESERVED_DEFAULTS = {'_max_messages_post_size': 262144,
                     '_default_message_ttl': 3600,
                     '_default_message_delay': 0,
                     '_dead_letter_queue': None,
                     '_dead_letter_queue_messages_ttl': None,
                     '_max_claim_count': None,
                     '_enable_encrypt_messages': False}
INVALID_QUEUE = {'title': 'Invalid queue identification',
                 'description': 'The format of the submitted queue name or '
                                'project id is not valid.'}
QUEUE_LIMIT_TEXT = 'Limit must be at least 1 and no greater than 20.'


@pytest.fixture
def get_queue(client, headers):
    def get(name):
        resp = client.simulate_get(f'/v2/queues/{name}', headers=headers)
        assert resp.status_code == 200, resp.text
        return resp.json
    return get


@pytest.fixture
def list_queues(client, headers):
    def list_(**params):
        return client.simulate_get('/v2/queues', headers=headers,
                                   params=params)
    return list_


@pytest.fixture
def patch_queue(client, headers):
    def patch(name, changes, content_type=JSON_PATCH):
        return client.simulate_patch(
            f'/v2/queues/{name}', body=json.dumps(changes),
            headers={**headers, 'Content-Type': content_type})
    return patch


# -- create ------------------------------------------------------------------

def test_put_creates_a_queue_with_201_and_location(put_queue):
    resp = put_queue('q')

    assert resp.status_code == 201
    assert resp.headers['location'] == '/v2/queues/q'
    assert resp.content == b''


def test_put_of_an_existing_queue_answers_204_with_location(put_queue):
    put_queue('q')

    resp = put_queue('q')

    assert resp.status_code == 204
    assert resp.headers['location'] == '/v2/queues/q'


@pytest.mark.parametrize('name', ['bad!name', 'a' * 65, 'sp ace', 'ü'])
def test_bad_queue_names_are_refused(put_queue, name):
    resp = put_queue(name)

    assert resp.status_code == 400
    assert resp.json == INVALID_QUEUE


def test_queue_name_of_64_characters_is_accepted(put_queue):
    assert put_queue('a' * 64).status_code == 201


def test_dotted_names_are_kept_whole(put_queue, list_queues):
    put_queue('rq-X')
    put_queue('rq-X.dot', {'kind': 'dotted'})

    resp = list_queues(detailed='true')

    assert [(q['name'], q['metadata']) for q in resp.json['queues']] == [
        ('rq-X', {}), ('rq-X.dot', {'kind': 'dotted'})]


def test_put_stores_metadata_shown_with_reserved_defaults(put_queue,
                                                          get_queue):
    put_queue('q', {'description': 'orders', '_default_message_ttl': 120})

    assert get_queue('q') == {**RESERVED_DEFAULTS, 'description': 'orders',
                              '_default_message_ttl': 120}


def test_put_of_an_existing_queue_with_a_body_replaces_its_metadata(
        put_queue, get_queue):
    put_queue('q', {'a': 1})

    put_queue('q', {'b': 2})

    assert get_queue('q') == {**RESERVED_DEFAULTS, 'b': 2}


def test_get_of_a_missing_queue_answers_the_reserved_defaults(get_queue):
    assert get_queue('never-created') == RESERVED_DEFAULTS


# -- metadata validation -----------------------------------------------------

@pytest.mark.parametrize('metadata, description', [
    ({'_default_message_ttl': 30},
     '_default_message_ttl can not exceed 1209600 seconds, and must be at '
     'least 60 seconds long.'),
    ({'_default_message_ttl': 1209601},
     '_default_message_ttl can not exceed 1209600 seconds, and must be at '
     'least 60 seconds long.'),
    ({'_default_message_ttl': '300'},
     '_default_message_ttl can not exceed 1209600 seconds, and must be at '
     'least 60 seconds long.'),
    ({'_default_message_delay': 901},
     'The TTL can not exceed 900 seconds, and must be at least 0 seconds '
     'long.'),
    ({'_default_message_delay': -1},
     'The TTL can not exceed 900 seconds, and must be at least 0 seconds '
     'long.'),
    ({'_enable_encrypt_messages': 'yes'},
     '_enable_encrypt_messages must be boolean.'),
    ({'_dead_letter_queue_messages_ttl': 59},
     '_dead_letter_queue_messages_ttl can not exceed 1209600 seconds, and '
     'must be at least 60 seconds long.'),
    ({'_max_messages_post_size': 0},
     '_max_messages_post_size can not exceed 262144, and must be at least '
     'greater than 0.'),
    ({'_max_messages_post_size': 262145},
     '_max_messages_post_size can not exceed 262144, and must be at least '
     'greater than 0.'),
    ({'_max_claim_count': 0},
     '_max_claim_count must be an integer of at least 1.'),
    ({'_max_claim_count': 'two'},
     '_max_claim_count must be an integer of at least 1.'),
    ({'_dead_letter_queue': 'bad!name'},
     '_dead_letter_queue must be a valid queue name.'),
    ({'_dead_letter_queue': 5},
     '_dead_letter_queue must be a valid queue name.'),
])
def test_reserved_metadata_out_of_range_is_refused_and_not_stored(
        put_queue, get_queue, metadata, description):
    resp = put_queue('q', metadata)

    assert resp.status_code == 400
    assert resp.json == api_error(description)
    assert get_queue('q') == RESERVED_DEFAULTS


@pytest.mark.parametrize('metadata', [
    {'_default_message_ttl': 60}, {'_default_message_ttl': 1209600},
    {'_default_message_delay': 0}, {'_default_message_delay': 900},
    {'_max_messages_post_size': 1}, {'_max_claim_count': 1},
    {'_dead_letter_queue': 'dlq.1', '_dead_letter_queue_messages_ttl': 60},
    {'_enable_encrypt_messages': False},
])
def test_reserved_metadata_at_its_bounds_is_accepted(put_queue, get_queue,
                                                     metadata):
    assert put_queue('q', metadata).status_code == 201
    assert get_queue('q') == {**RESERVED_DEFAULTS, **metadata}


def test_metadata_over_64_kib_is_refused(client, headers, get_queue):
    resp = client.simulate_put('/v2/queues/q', headers=headers,
                               json={'blob': 'x' * 65536})

    assert resp.status_code == 400
    assert resp.json == api_error(
        'Queue metadata is too large. Max size: 65536')
    assert get_queue('q') == RESERVED_DEFAULTS


def test_array_body_is_refused(client, headers):
    resp = client.simulate_put('/v2/queues/q', headers=headers,
                               body='[1,2]')

    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid request body',
                         'description': 'Document type not supported.'}


def test_body_that_is_not_json_is_refused(client, headers):
    resp = client.simulate_put('/v2/queues/q', headers=headers,
                               body='{not json')

    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid request body',
                         'description': 'Request body could not be parsed.'}


# -- listing -----------------------------------------------------------------

@pytest.fixture
def five_queues(put_queue):
    names = ['q1', 'q2', 'q3', 'q4', 'q5']
    for name in names:
        put_queue(name, {'n': int(name[1])})
    return names


def test_list_answers_names_and_hrefs_in_name_order(list_queues,
                                                    five_queues):
    resp = list_queues()

    assert resp.status_code == 200
    assert [q['name'] for q in resp.json['queues']] == five_queues
    assert resp.json['queues'][0] == {'name': 'q1', 'href': '/v2/queues/q1'}


def test_detailed_list_includes_metadata(list_queues, five_queues):
    resp = list_queues(detailed='true', limit=2)

    assert resp.json['queues'] == [
        {'name': 'q1', 'href': '/v2/queues/q1', 'metadata': {'n': 1}},
        {'name': 'q2', 'href': '/v2/queues/q2', 'metadata': {'n': 2}}]


def test_list_of_a_project_without_queues_is_empty(list_queues):
    resp = list_queues()

    assert resp.status_code == 200
    assert resp.json == {'queues': [], 'links': []}


def test_list_with_count_counts_every_queue_of_the_project(list_queues,
                                                           five_queues):
    resp = list_queues(limit=2, with_count='true')

    assert len(resp.json['queues']) == 2
    assert resp.json['count'] == 5


def test_list_next_link_continues_after_the_marker(client, headers,
                                                   list_queues, five_queues):
    first = list_queues(limit=2)
    (link,) = first.json['links']
    assert link['rel'] == 'next'

    second = client.simulate_get(link['href'], headers=headers)

    assert [q['name'] for q in second.json['queues']] == ['q3', 'q4']


def test_paging_with_limit_1_lists_each_queue_once(client, headers,
                                                   list_queues, five_queues):
    seen = []
    resp = list_queues(limit=1)
    while resp.json['queues']:
        seen += [q['name'] for q in resp.json['queues']]
        assert len(seen) <= len(five_queues), seen
        resp = client.simulate_get(resp.json['links'][0]['href'],
                                   headers=headers)

    assert seen == five_queues
    assert resp.json['links'] == []


def test_marker_param_starts_after_the_named_queue(list_queues, five_queues):
    resp = list_queues(marker='q3')

    assert [q['name'] for q in resp.json['queues']] == ['q4', 'q5']


@pytest.mark.parametrize('limit', ['0', '21', '-1', '9' * 30])
def test_list_limit_out_of_range_is_refused(list_queues, limit):
    resp = list_queues(limit=limit)

    assert resp.status_code == 400
    assert resp.json == api_error(QUEUE_LIMIT_TEXT)


def test_list_limit_that_is_not_an_integer_is_refused(list_queues):
    resp = list_queues(limit='abc')

    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid parameter',
                         'description': 'The "limit" parameter is invalid. '
                                        'The value must be an integer.'}


def test_metadata_filter_lists_only_matching_queues(put_queue, list_queues):
    put_queue('a', {'description': 'x'})
    put_queue('b', {'description': 'y'})
    put_queue('c')
    put_queue('d', {'description': 'x', 'other': 1})

    resp = list_queues(description='x')

    assert [q['name'] for q in resp.json['queues']] == ['a', 'd']


def test_filter_key_with_quotes_and_backslashes_matches_nothing(
        client, headers, put_queue):
    put_queue('q', {'a': 1})

    resp = client.simulate_get('/v2/queues', headers=headers,
                               query_string='a%22b%5Cc=1')

    assert resp.status_code == 200
    assert resp.json['queues'] == []


# -- PATCH -------------------------------------------------------------------

def test_patch_with_plain_json_content_type_is_415(put_queue, patch_queue):
    put_queue('q')

    resp = patch_queue('q', [{'op': 'add', 'path': '/metadata/a',
                              'value': 1}], content_type='application/json')

    assert resp.status_code == 415
    assert resp.json == {
        'title': '415 Unsupported Media Type',
        'description': "Accepted media type for PATCH: {'Accept-Patch': "
                       "'application/openstack-messaging-v2.0-json-patch'}."}


def test_patch_add_replace_remove_answers_the_full_metadata(
        put_queue, patch_queue, get_queue):
    put_queue('q', {'keep': True, 'drop': 1, 'change': 'old'})

    resp = patch_queue('q', [
        {'op': 'add', 'path': '/metadata/a', 'value': {'nested': [1]}},
        {'op': 'replace', 'path': '/metadata/change', 'value': 'new'},
        {'op': 'remove', 'path': '/metadata/drop'}])

    expected = {**RESERVED_DEFAULTS, 'keep': True, 'change': 'new',
                'a': {'nested': [1]}}
    assert resp.status_code == 200
    assert resp.json == expected
    assert get_queue('q') == expected


def test_patch_can_set_a_reserved_key(put_queue, patch_queue, get_queue):
    put_queue('q')

    resp = patch_queue('q', [{'op': 'replace',
                              'path': '/metadata/_default_message_ttl',
                              'value': 120}])

    assert resp.status_code == 200
    assert get_queue('q')['_default_message_ttl'] == 120


def test_patch_validates_reserved_keys(put_queue, patch_queue, get_queue):
    put_queue('q')

    resp = patch_queue('q', [{'op': 'add',
                              'path': '/metadata/_default_message_ttl',
                              'value': 30}])

    assert resp.status_code == 400
    assert resp.json == api_error(
        '_default_message_ttl can not exceed 1209600 seconds, and must be at '
        'least 60 seconds long.')
    assert get_queue('q') == RESERVED_DEFAULTS


def test_patch_replace_of_a_missing_key_is_a_conflict(put_queue, patch_queue,
                                                      get_queue):
    put_queue('q', {'a': 1})

    resp = patch_queue('q', [
        {'op': 'add', 'path': '/metadata/b', 'value': 2},
        {'op': 'replace', 'path': '/metadata/zzz', 'value': 1}])

    assert resp.status_code == 409
    assert resp.json == {'title': 'Resource conflict',
                         'description': "Can't replace non-existent object "
                                        "zzz."}
    assert get_queue('q') == {**RESERVED_DEFAULTS, 'a': 1}


@pytest.mark.parametrize('path', ['/foo/a', '/metadata/', 'metadata/a', 5])
def test_patch_path_outside_metadata_is_refused(put_queue, patch_queue,
                                                path):
    put_queue('q')

    resp = patch_queue('q', [{'op': 'add', 'path': path, 'value': 1}])

    assert resp.status_code == 400
    assert resp.json == api_error(
        'The root of path must be metadata, e.g /metadata/key.')


def test_patch_move_operation_is_refused(put_queue, patch_queue):
    put_queue('q', {'a': 1})

    resp = patch_queue('q', [{'op': 'move', 'from': '/metadata/a',
                              'path': '/metadata/b'}])

    assert resp.status_code == 400
    assert resp.json == api_error(
        'Invalid operation: `move`. It must be one of the following: add, '
        'remove, replace.')


@pytest.mark.parametrize('body', [{'op': 'add', 'path': '/metadata/a',
                                   'value': 1}, [1], 'add'])
def test_patch_body_that_is_not_a_list_of_objects_is_400(put_queue,
                                                         patch_queue, body):
    put_queue('q')

    resp = patch_queue('q', body)

    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid request body',
                         'description': 'Document type not supported.'}


def test_patch_of_a_missing_queue_is_404(patch_queue):
    resp = patch_queue('nope', [{'op': 'add', 'path': '/metadata/a',
                                 'value': 1}])

    assert resp.status_code == 404
    assert resp.json == {'title': 'Not found',
                         'description': 'Queue nope does not exist for '
                                        'project p'}


# -- delete ------------------------------------------------------------------

def test_delete_removes_the_queue_and_its_metadata(client, headers, put_queue,
                                                   get_queue, list_queues):
    put_queue('q', {'a': 1})

    resp = client.simulate_delete('/v2/queues/q', headers=headers)

    assert resp.status_code == 204
    assert list_queues().json['queues'] == []
    assert get_queue('q') == RESERVED_DEFAULTS


def test_delete_of_a_missing_queue_is_204(client, headers):
    resp = client.simulate_delete('/v2/queues/nope', headers=headers)

    assert resp.status_code == 204


# -- stats -------------------------------------------------------------------

def test_stats_count_free_claimed_delayed_and_total(post_messages, claim,
                                                    stats):
    post_messages('q', {'body': 1}, {'body': 2}, {'body': 3},
                  {'body': 4, 'delay': 600})
    claim('q', limit=1)

    counts = stats('q')

    assert {key: counts[key] for key in
            ('free', 'claimed', 'delayed', 'total')} == {
        'free': 2, 'claimed': 1, 'delayed': 1, 'total': 4}


def test_stats_edges_show_where_to_find_a_message_but_not_its_content(
        post_messages, claim, stats):
    first, _, last = post_messages('q', {'body': 'secret-1'}, {'body': 2},
                                   {'body': 'secret-3'})
    claim('q', limit=3)

    counts = stats('q')

    assert counts['oldest']['id'] == first
    assert counts['newest']['id'] == last
    for edge in (counts['oldest'], counts['newest']):
        assert set(edge) == {'id', 'age', 'created', 'href'}
        assert edge['href'] == f'/v2/queues/q/messages/{edge["id"]}'
        assert edge['created'].endswith('Z')


def test_stats_of_an_empty_queue_have_no_edges(put_queue, stats):
    put_queue('q')

    assert stats('q') == {'claimed': 0, 'free': 0, 'delayed': 0, 'total': 0}


def test_stats_of_a_missing_queue_are_zero(stats):
    assert stats('nope') == {'claimed': 0, 'free': 0, 'delayed': 0,
                             'total': 0}


# -- purge -------------------------------------------------------------------

@pytest.mark.parametrize('body, description', [
    ({'resource_types': ['claims']},
     "Resource types must be a sub set of {'messages', 'subscriptions'}."),
    ({'resource_types': []},
     "Resource types must be a sub set of {'messages', 'subscriptions'}."),
    ({}, 'Post body must contain key "resource_types".'),
])
def test_purge_with_bad_resource_types_is_refused(client, headers,
                                                  post_messages, stats,
                                                  body, description):
    post_messages('q', {'body': 1})

    resp = client.simulate_post('/v2/queues/q/purge', headers=headers,
                                json=body)

    assert resp.status_code == 400
    assert resp.json == api_error(description)
    assert stats('q')['total'] == 1


def test_purge_of_messages_removes_claimed_ones_and_keeps_the_queue(
        client, headers, put_queue, post_messages, claim, stats, get_queue,
        list_queues):
    put_queue('q', {'team': 'red'})
    post_messages('q', *({'body': n} for n in range(12)),
                  {'body': 'late', 'delay': 600})
    claimed = claim('q', limit=5)
    assert claimed.status_code == 201

    resp = client.simulate_post('/v2/queues/q/purge', headers=headers,
                                json={'resource_types': ['messages']})

    assert resp.status_code == 204
    assert stats('q') == {'claimed': 0, 'free': 0, 'delayed': 0, 'total': 0}
    assert get_queue('q') == {**RESERVED_DEFAULTS, 'team': 'red'}
    assert [q['name'] for q in list_queues().json['queues']] == ['q']


def test_purge_of_subscriptions_keeps_messages(client, headers,
                                               post_messages, stats):
    post_messages('q', {'body': 1})

    resp = client.simulate_post('/v2/queues/q/purge', headers=headers,
                                json={'resource_types': ['subscriptions']})

    assert resp.status_code == 204
    assert stats('q')['total'] == 1
