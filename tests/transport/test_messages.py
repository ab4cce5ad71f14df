"""Messages: post, list, get, delete and pop, and the secrecy of claim ids."""

import json

import pytest

from tests.transport.conftest import claim_id_of, ids_of
from tests.transport.expected import UNKNOWN_ID, api_error, body_error

MESSAGE_TTL_TEXT = ('The TTL for a message may not exceed 1209600 seconds, '
                    'and must be at least 60 seconds long.')
MESSAGE_DELAY_TEXT = ('The Delay TTL for a message may not exceed 900 '
                      'seconds,and must be at least 0 seconds long.')
MESSAGE_LIMIT_TEXT = ('Limit must be at least 1 and may not be greater than '
                      '20.')
CLAIMED_TEXT = ('This message is claimed; it cannot be deleted without a '
                'valid claim ID.')


@pytest.fixture
def post(client, headers):
    """POST a raw document (any JSON value, or text) to a queue's messages."""
    def send(queue, document, headers=headers, content_type=None):
        text = document if isinstance(document, str) else json.dumps(document)
        if content_type:
            headers = {**headers, 'Content-Type': content_type}
        return client.simulate_post(f'/v2/queues/{queue}/messages',
                                    headers=headers, body=text)
    return send


@pytest.fixture
def get_message(client, headers):
    def get(queue, message_id, **params):
        return client.simulate_get(f'/v2/queues/{queue}/messages/{message_id}',
                                   headers=headers, params=params)
    return get


@pytest.fixture
def delete_messages(client, headers):
    def delete(queue, **params):
        return client.simulate_delete(f'/v2/queues/{queue}/messages',
                                      headers=headers, params=params)
    return delete


@pytest.fixture
def delete_message(client, headers):
    def delete(queue, message_id, **params):
        return client.simulate_delete(
            f'/v2/queues/{queue}/messages/{message_id}', headers=headers,
            params=params)
    return delete


# -- post --------------------------------------------------------------------

def test_post_creates_the_queue_and_answers_hrefs_and_location(
        client, headers, post):
    resp = post('q', {'messages': [{'body': {'event': 'a'}, 'ttl': 300},
                                   {'body': 'plain string'}]})

    assert resp.status_code == 201
    hrefs = resp.json['resources']
    assert len(hrefs) == 2
    ids = [href.rsplit('/', 1)[1] for href in hrefs]
    assert hrefs == [f'/v2/queues/q/messages/{mid}' for mid in ids]
    assert resp.headers['location'] == \
        f'/v2/queues/q/messages?ids={ids[0]},{ids[1]}'
    listed = client.simulate_get('/v2/queues', headers=headers)
    assert [q['name'] for q in listed.json['queues']] == ['q']


def test_posted_messages_keep_body_and_ttl_with_the_default_ttl_3600(
        post_messages, get_message):
    first, second = post_messages('q', {'body': {'event': 'a'}, 'ttl': 300},
                                  {'body': 'plain string'})

    one, two = get_message('q', first).json, get_message('q', second).json

    assert (one['body'], one['ttl']) == ({'event': 'a'}, 300)
    assert (two['body'], two['ttl']) == ('plain string', 3600)


@pytest.mark.parametrize('document, expected', [
    ([{'body': 1, 'ttl': 300}],
     api_error('No messages were found in the request body.')),
    ({'body': 1}, api_error('No messages were found in the request body.')),
    ({'messages': {'body': 1}}, body_error('Document type not supported.')),
    ({'messages': []}, api_error('No messages to enqueu.')),
    ({'messages': [{'ttl': 300}]}, body_error('Missing "body" field.')),
])
def test_post_of_a_malformed_document_is_refused(post, stats, document,
                                                 expected):
    resp = post('q', document)

    assert resp.status_code == 400
    assert resp.json == expected
    assert stats('q')['total'] == 0


@pytest.mark.parametrize('item', [1, 'text', None, [{'body': 1}]])
def test_post_of_a_message_that_is_not_an_object_is_400_not_500(
        post, stats, item):
    resp = post('q', {'messages': [{'body': 'fine'}, item]})

    assert resp.status_code == 400
    assert resp.json == body_error('Each message must be a JSON object.')
    assert stats('q')['total'] == 0


def test_post_of_text_that_is_not_json_is_refused(post):
    resp = post('q', '{"messages": [')

    assert resp.status_code == 400
    assert resp.json == body_error('Request body could not be parsed.')


@pytest.mark.parametrize('ttl', [59, 1209601, 0, -60])
def test_message_ttl_out_of_range_is_refused(post, stats, ttl):
    resp = post('q', {'messages': [{'body': 1, 'ttl': ttl}]})

    assert resp.status_code == 400
    assert resp.json == api_error(MESSAGE_TTL_TEXT)
    assert stats('q')['total'] == 0


@pytest.mark.parametrize('ttl', [60, 1209600])
def test_message_ttl_at_its_bounds_is_accepted(post_messages, get_message,
                                               ttl):
    (message_id,) = post_messages('q', {'body': 1, 'ttl': ttl})

    assert get_message('q', message_id).json['ttl'] == ttl


@pytest.mark.parametrize('delay', [901, -1])
def test_message_delay_out_of_range_is_refused(post, delay):
    resp = post('q', {'messages': [{'body': 1, 'delay': delay}]})

    assert resp.status_code == 400
    assert resp.json == api_error(MESSAGE_DELAY_TEXT)


@pytest.mark.parametrize('field, value', [('ttl', '300'), ('ttl', 300.5),
                                          ('ttl', True), ('delay', '10')])
def test_message_ttl_and_delay_must_be_integers(post, field, value):
    resp = post('q', {'messages': [{'body': 1, field: value}]})

    assert resp.status_code == 400
    assert resp.json == body_error(
        f'The value of the "{field}" field must be a int.')


def test_integer_too_large_for_json_is_refused(post):
    resp = post('q', '{"messages": [{"body": 1, '
                     '"ttl": 99999999999999999999999999}]}')

    assert resp.status_code == 400
    assert resp.json == body_error('JSON contains integer that is too large.')


def test_post_over_256_kib_is_refused(post, stats):
    resp = post('q', {'messages': [{'body': 'x' * 262144}]})

    assert resp.status_code == 400
    assert resp.json == api_error(
        'Message collection size is too large. Max size 262144')
    assert stats('q')['total'] == 0


def test_post_just_under_256_kib_is_accepted(post):
    envelope = len(json.dumps({'messages': [{'body': ''}]}))

    resp = post('q', {'messages': [{'body': 'x' * (262144 - envelope)}]})

    assert resp.status_code == 201


def test_queue_max_post_size_caps_the_request(put_queue, post, stats):
    put_queue('q', {'_max_messages_post_size': 100})

    resp = post('q', {'messages': [{'body': 'x' * 120}]})

    assert resp.status_code == 400
    assert resp.json == api_error(
        'Message collection size is too large. The max size for current '
        'queue is 100. It is calculated by max size = '
        'min(max_messages_post_size_config: 262144, '
        'max_messages_post_size_queue: 100).')
    assert stats('q')['total'] == 0


def test_queue_default_ttl_applies_to_posts_without_ttl(put_queue,
                                                        post_messages,
                                                        get_message):
    put_queue('q', {'_default_message_ttl': 120})

    plain, explicit = post_messages('q', {'body': 1}, {'body': 2, 'ttl': 600})

    assert get_message('q', plain).json['ttl'] == 120
    assert get_message('q', explicit).json['ttl'] == 600


def test_message_delay_is_honoured_on_a_plain_queue(post_messages,
                                                    list_messages, claim):
    (delayed,) = post_messages('q', {'body': 'later', 'delay': 10})

    assert list_messages('q').json == {'messages': [], 'links': []}
    assert ids_of(list_messages('q', include_delayed='true')) == [delayed]
    assert claim('q').status_code == 204


def test_queue_default_delay_holds_back_posts_without_delay(
        put_queue, post_messages, list_messages, claim):
    put_queue('q', {'_default_message_delay': 30})

    (delayed,) = post_messages('q', {'body': 1})
    (ready,) = post_messages('q', {'body': 2, 'delay': 0})

    assert ids_of(list_messages('q')) == [ready]
    assert ids_of(list_messages('q', include_delayed='true')) == [delayed,
                                                                  ready]
    assert ids_of(claim('q')) == [ready]


def test_post_has_no_count_limit(post):
    resp = post('q', {'messages': [{'body': n} for n in range(25)]})

    assert resp.status_code == 201
    assert len(resp.json['resources']) == 25


def test_post_content_type_is_not_enforced(post):
    resp = post('q', {'messages': [{'body': 1}]}, content_type='text/plain')

    assert resp.status_code == 201


# -- listing -----------------------------------------------------------------

def test_listing_hides_a_clients_own_messages_unless_echo(
        post_messages, list_messages, headers):
    ids = post_messages('q', {'body': 1}, {'body': 2})

    assert list_messages('q', headers=headers).json == {'messages': [],
                                                        'links': []}
    assert ids_of(list_messages('q', headers=headers, echo='true')) == ids
    assert ids_of(list_messages('q')) == ids


def test_listed_messages_have_id_href_ttl_age_and_body(post_messages,
                                                       list_messages):
    (message_id,) = post_messages('q', {'body': {'k': 'v'}, 'ttl': 300})

    (message,) = list_messages('q').json['messages']

    assert set(message) == {'id', 'href', 'ttl', 'age', 'body'}
    assert message['id'] == message_id
    assert message['href'] == f'/v2/queues/q/messages/{message_id}'
    assert (message['ttl'], message['body']) == (300, {'k': 'v'})
    assert message['age'] >= 0


def test_next_link_pages_through_messages(client, reader, post_messages,
                                          list_messages):
    ids = post_messages('q', *({'body': n} for n in range(5)))

    first = list_messages('q', limit=2)
    (link,) = first.json['links']
    second = client.simulate_get(link['href'], headers=reader)

    assert link['rel'] == 'next'
    assert ids_of(first) == ids[:2]
    assert ids_of(second) == ids[2:4]


def test_paging_with_limit_1_lists_each_message_once(client, reader,
                                                     post_messages,
                                                     list_messages):
    ids = post_messages('q', *({'body': n} for n in range(4)))
    seen = []

    resp = list_messages('q', limit=1)
    while resp.json['messages']:
        seen += ids_of(resp)
        assert len(seen) <= len(ids), seen
        resp = client.simulate_get(resp.json['links'][0]['href'],
                                   headers=reader)

    assert seen == ids
    assert resp.json == {'messages': [], 'links': []}


def test_default_page_is_10_messages(post_messages, list_messages):
    post_messages('q', *({'body': n} for n in range(12)))

    assert len(list_messages('q').json['messages']) == 10


@pytest.mark.parametrize('limit', ['0', '21'])
def test_listing_limit_out_of_range_is_refused(list_messages, limit):
    resp = list_messages('q', limit=limit)

    assert resp.status_code == 400
    assert resp.json == api_error(MESSAGE_LIMIT_TEXT)


def test_listing_limit_that_is_not_an_integer_is_refused(list_messages):
    resp = list_messages('q', limit='two')

    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid parameter',
                         'description': 'The "limit" parameter is invalid. '
                                        'The value must be an integer.'}


def test_echo_that_is_not_a_boolean_is_refused(list_messages):
    resp = list_messages('q', echo='maybe')

    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid parameter',
                         'description': 'The "echo" parameter is invalid. '
                                        'The value of the parameter must be '
                                        '"true" or "false".'}


@pytest.mark.parametrize('marker', ['abc', '99999999999999999999999'])
def test_marker_this_service_did_not_issue_is_refused(post_messages,
                                                      list_messages, marker):
    post_messages('q', {'body': 1})

    resp = list_messages('q', marker=marker)

    assert resp.status_code == 400
    assert resp.json['title'] == 'Invalid parameter'


def test_listing_a_missing_queue_is_empty(list_messages):
    resp = list_messages('never-created')

    assert resp.status_code == 200
    assert resp.json == {'messages': [], 'links': []}


def test_include_claimed_lists_claimed_messages(post_messages, claim,
                                                list_messages):
    claimed, free = post_messages('q', {'body': 1}, {'body': 2})
    claim('q', limit=1)

    assert ids_of(list_messages('q')) == [free]
    assert ids_of(list_messages('q', include_claimed='true')) == [claimed,
                                                                  free]


# -- get ---------------------------------------------------------------------

def test_get_of_an_unknown_message_is_404(get_message, post_messages):
    post_messages('q', {'body': 1})

    resp = get_message('q', 'zzzz')

    assert resp.status_code == 404
    assert resp.json == {'title': 'Not found',
                         'description': 'Message zzzz does not exist in '
                                        'queue q for project p'}


def test_get_by_ids_answers_the_messages_found(client, headers,
                                               post_messages):
    found, _ = post_messages('q', {'body': 'a'}, {'body': 'b'})

    resp = client.simulate_get('/v2/queues/q/messages', headers=headers,
                               params={'ids': f'{found},{UNKNOWN_ID}'})

    assert resp.status_code == 200
    assert resp.json == {'messages': [{
        'id': found, 'href': f'/v2/queues/q/messages/{found}',
        'ttl': 3600, 'age': resp.json['messages'][0]['age'], 'body': 'a'}]}


def test_get_by_ids_with_none_found_is_404(client, headers, post_messages):
    post_messages('q', {'body': 1})

    resp = client.simulate_get('/v2/queues/q/messages', headers=headers,
                               params={'ids': UNKNOWN_ID})

    assert resp.status_code == 404
    assert resp.json == {'title': 'Not found',
                         'description': f"No messages with IDs: "
                                        f"['{UNKNOWN_ID}'] found in the queue "
                                        f"q for project p."}


def test_get_by_more_than_20_ids_is_refused(client, headers):
    ids = ','.join(f'id{n}' for n in range(21))

    resp = client.simulate_get('/v2/queues/q/messages', headers=headers,
                               params={'ids': ids})

    assert resp.status_code == 400
    assert resp.json == api_error(MESSAGE_LIMIT_TEXT)


# -- delete by ids and pop ---------------------------------------------------

@pytest.mark.parametrize('params, description', [
    ({}, 'The request should have either "ids" or "pop" parameter in the '
         'request, to be able to delete.'),
    ({'ids': 'x', 'pop': '1'},
     'pop and id params cannot be present together in the delete request.'),
    ({'pop': '0'},
     'Pop value must be at least 1 and may not be greater than 20.'),
    ({'pop': '21'},
     'Pop value must be at least 1 and may not be greater than 20.'),
    ({'ids': ','.join(f'id{n}' for n in range(21))},
     'ids parameter should have at least 1 and not greater than 20 values.'),
])
def test_bulk_delete_with_bad_parameters_is_refused(delete_messages,
                                                    post_messages, stats,
                                                    params, description):
    post_messages('q', {'body': 1})

    resp = delete_messages('q', **params)

    assert resp.status_code == 400
    assert resp.json == api_error(description)
    assert stats('q')['total'] == 1


def test_pop_that_is_not_an_integer_is_refused(delete_messages):
    resp = delete_messages('q', pop='abc')

    assert resp.status_code == 400
    assert resp.json['title'] == 'Invalid parameter'


def test_pop_answers_the_oldest_messages_and_removes_them(
        delete_messages, post_messages, list_messages):
    first, second, third = post_messages('q', {'body': 'a', 'ttl': 300},
                                         {'body': 'b'}, {'body': 'c'})

    resp = delete_messages('q', pop='2')

    assert resp.status_code == 200
    popped = resp.json['messages']
    assert [m['id'] for m in popped] == [first, second]
    for message in popped:
        assert set(message) == {'id', 'href', 'ttl', 'age', 'body',
                                'claim_count'}
        assert message['href'] == f'/v2/queues/q/messages/{message["id"]}'
        assert message['claim_count'] == 0
    assert (popped[0]['body'], popped[0]['ttl']) == ('a', 300)
    assert ids_of(list_messages('q')) == [third]


def test_pop_skips_claimed_messages(delete_messages, post_messages, claim):
    _, free = post_messages('q', {'body': 1}, {'body': 2})
    claim('q', limit=1)

    resp = delete_messages('q', pop='5')

    assert [m['id'] for m in resp.json['messages']] == [free]


def test_delete_by_ids_removes_those_and_skips_unknown_ids(
        delete_messages, post_messages, list_messages):
    first, second, third = post_messages('q', {'body': 1}, {'body': 2},
                                         {'body': 3})

    resp = delete_messages('q', ids=f'{first},{third},{UNKNOWN_ID}')

    assert resp.status_code == 204
    assert ids_of(list_messages('q')) == [second]


def test_delete_by_unknown_ids_is_204(delete_messages):
    assert delete_messages('q', ids=UNKNOWN_ID).status_code == 204


def test_bulk_delete_of_a_claimed_message_needs_its_claim(
        delete_messages, post_messages, claim, list_messages):
    claimed, free = post_messages('q', {'body': 1}, {'body': 2})
    claim('q', limit=1)

    resp = delete_messages('q', ids=f'{claimed},{free}')

    assert resp.status_code == 403
    assert resp.json == {'title': 'Unable to delete',
                         'description': CLAIMED_TEXT}
    assert ids_of(list_messages('q', include_claimed='true')) == [claimed,
                                                                  free]


def test_bulk_delete_of_a_claimed_message_with_its_claim_id_is_204(
        delete_messages, post_messages, claim, list_messages):
    claimed, free = post_messages('q', {'body': 1}, {'body': 2})
    claim_id = claim_id_of(claim('q', limit=1))

    resp = delete_messages('q', ids=f'{claimed},{free}', claim_ids=claim_id)

    assert resp.status_code == 204
    assert list_messages('q', include_claimed='true').json['messages'] == []


# -- delete one --------------------------------------------------------------

def test_delete_of_an_unclaimed_message_is_204_and_again_204(
        delete_message, post_messages, get_message):
    (message_id,) = post_messages('q', {'body': 1})

    assert delete_message('q', message_id).status_code == 204
    assert get_message('q', message_id).status_code == 404
    assert delete_message('q', message_id).status_code == 204


def test_delete_of_a_claimed_message_without_claim_id_is_403(
        delete_message, post_messages, claim, get_message):
    (message_id,) = post_messages('q', {'body': 1})
    claim('q')

    resp = delete_message('q', message_id)

    assert resp.status_code == 403
    assert resp.json == {'title': 'Unable to delete',
                         'description': CLAIMED_TEXT}
    assert get_message('q', message_id).status_code == 200


def test_delete_of_a_claimed_message_with_a_wrong_claim_id_is_400(
        delete_message, post_messages, claim, get_message):
    (message_id,) = post_messages('q', {'body': 1})
    claim('q')

    resp = delete_message('q', message_id, claim_id=UNKNOWN_ID)

    assert resp.status_code == 400
    assert resp.json == {'title': 'Unable to delete',
                         'description': 'The specified claim does not exist '
                                        'or has expired.'}
    assert get_message('q', message_id).status_code == 200


def test_delete_of_an_unclaimed_message_with_a_claim_id_is_400(
        delete_message, post_messages, get_message):
    (message_id,) = post_messages('q', {'body': 1})

    resp = delete_message('q', message_id, claim_id=UNKNOWN_ID)

    assert resp.status_code == 400
    assert resp.json == {'title': 'Unable to delete',
                         'description': 'A claim was specified, but the '
                                        'message is not currently claimed.'}
    assert get_message('q', message_id).status_code == 200


def test_delete_of_a_claimed_message_with_its_claim_id_is_204(
        delete_message, post_messages, claim, get_message):
    (message_id,) = post_messages('q', {'body': 1})
    claim_id = claim_id_of(claim('q'))

    resp = delete_message('q', message_id, claim_id=claim_id)

    assert resp.status_code == 204
    assert get_message('q', message_id).status_code == 404


# -- claim secrecy -----------------------------------------------------------

def test_claim_answers_carry_the_claim_id_in_hrefs(client, headers,
                                                   post_messages, claim):
    (message_id,) = post_messages('q', {'body': 1})

    created = claim('q')
    claim_id = claim_id_of(created)
    fetched = client.simulate_get(f'/v2/queues/q/claims/{claim_id}',
                                  headers=headers)

    href = f'/v2/queues/q/messages/{message_id}?claim_id={claim_id}'
    assert [m['href'] for m in created.json['messages']] == [href]
    assert [m['href'] for m in fetched.json['messages']] == [href]


def test_readers_never_see_the_claim_id(client, headers, post_messages,
                                        claim, list_messages, get_message):
    (message_id,) = post_messages('q', {'body': 1})
    claim_id = claim_id_of(claim('q'))

    answers = [
        list_messages('q', include_claimed='true'),
        list_messages('q', headers=headers, echo='true',
                      include_claimed='true'),
        get_message('q', message_id),
        client.simulate_get('/v2/queues/q/messages', headers=headers,
                            params={'ids': message_id}),
        client.simulate_get('/v2/queues/q/stats', headers=headers),
    ]

    for resp in answers:
        assert resp.status_code == 200
        assert claim_id not in resp.text
        assert 'claim_id' not in resp.text
    assert get_message('q', message_id).json['href'] == \
        f'/v2/queues/q/messages/{message_id}'
