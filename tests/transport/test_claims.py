"""Claims: create, get, renew, release, exclusivity and dead letters."""

import pytest

from tests.transport.conftest import claim_id_of, ids_of
from tests.transport.expected import UNKNOWN_ID, api_error, body_error

CLAIM_TTL_TEXT = ('The TTL for a claim may not exceed 43200 seconds, and '
                  'must be at least 60 seconds long.')
CLAIM_GRACE_TEXT = ('The grace for a claim may not exceed 43200 seconds, and '
                    'must be at least 60 seconds long.')
CLAIM_LIMIT_TEXT = ('Limit must be at least 1 and may not be greater than '
                    '20.')


@pytest.fixture
def post_claim(client, headers):
    """POST a raw claim body (text) with optional query parameters."""
    def post(queue, body=None, **params):
        return client.simulate_post(f'/v2/queues/{queue}/claims',
                                    headers=headers, body=body,
                                    params=params)
    return post


@pytest.fixture
def get_claim(client, headers):
    def get(queue, claim_id):
        return client.simulate_get(f'/v2/queues/{queue}/claims/{claim_id}',
                                   headers=headers)
    return get


@pytest.fixture
def patch_claim(client, headers):
    def patch(queue, claim_id, body):
        return client.simulate_patch(f'/v2/queues/{queue}/claims/{claim_id}',
                                     headers=headers, body=body)
    return patch


@pytest.fixture
def release(client, headers):
    def delete(queue, claim_id):
        return client.simulate_delete(
            f'/v2/queues/{queue}/claims/{claim_id}', headers=headers)
    return delete


# -- create ------------------------------------------------------------------

@pytest.mark.parametrize('body, params, expected', [
    ('{"ttl": 59, "grace": 60}', {}, api_error(CLAIM_TTL_TEXT)),
    ('{"ttl": 43201, "grace": 60}', {}, api_error(CLAIM_TTL_TEXT)),
    ('{"ttl": 60, "grace": 59}', {}, api_error(CLAIM_GRACE_TEXT)),
    ('{"ttl": 60, "grace": 43201}', {}, api_error(CLAIM_GRACE_TEXT)),
    ('{"ttl": 60}', {'limit': '0'}, api_error(CLAIM_LIMIT_TEXT)),
    ('{"ttl": 60}', {'limit': '21'}, api_error(CLAIM_LIMIT_TEXT)),
    ('{"ttl": "60"}', {}, body_error('The value of the "ttl" field must be '
                                     'a int.')),
    ('{"grace": 60.5}', {}, body_error('The value of the "grace" field must '
                                       'be a int.')),
    ('[1]', {}, body_error('Document type not supported.')),
    ('{"ttl": ', {}, body_error('Request body could not be parsed.')),
])
def test_bad_claim_requests_are_refused_and_claim_nothing(
        post_claim, post_messages, stats, body, params, expected):
    post_messages('q', {'body': 1})

    resp = post_claim('q', body, **params)

    assert resp.status_code == 400
    assert resp.json == expected
    assert stats('q')['claimed'] == 0


def test_claim_limit_that_is_not_an_integer_is_refused(post_claim):
    resp = post_claim('q', '{}', limit='many')

    assert resp.status_code == 400
    assert resp.json['title'] == 'Invalid parameter'


def test_claim_answers_201_with_location_and_claimed_messages(
        claim, post_messages):
    first, second, _ = post_messages('q', {'body': 'a', 'ttl': 600},
                                     {'body': 'b'}, {'body': 'c'})

    resp = claim('q', ttl=120, grace=60, limit=2)

    assert resp.status_code == 201
    claim_id = claim_id_of(resp)
    assert resp.headers['location'] == f'/v2/queues/q/claims/{claim_id}'
    messages = resp.json['messages']
    assert [m['id'] for m in messages] == [first, second]
    for message in messages:
        assert set(message) == {'id', 'href', 'ttl', 'age', 'body'}
        assert message['href'] == \
            f'/v2/queues/q/messages/{message["id"]}?claim_id={claim_id}'
    assert [m['body'] for m in messages] == ['a', 'b']


def test_claim_without_body_uses_ttl_300_and_grace_60(post_claim, get_claim,
                                                      post_messages):
    post_messages('q', {'body': 1})

    resp = post_claim('q')

    assert resp.status_code == 201
    claimed = get_claim('q', claim_id_of(resp)).json
    assert (claimed['ttl'], claimed['grace']) == (300, 60)


def test_claim_without_limit_takes_10_messages(claim, post_messages):
    post_messages('q', *({'body': n} for n in range(12)))

    assert len(claim('q').json['messages']) == 10


def test_claim_extends_a_short_lived_message_to_outlive_the_claim(
        claim, post_messages, client, headers):
    (message_id,) = post_messages('q', {'body': 1, 'ttl': 60})

    claim('q', ttl=300, grace=60)

    resp = client.simulate_get(f'/v2/queues/q/messages/{message_id}',
                               headers=headers)
    assert resp.json['ttl'] >= 360  # 360 when post and claim share a second


def test_claim_on_an_empty_queue_is_204_without_body(put_queue, claim):
    put_queue('q')

    resp = claim('q')

    assert resp.status_code == 204
    assert resp.content == b''


def test_claim_on_a_missing_queue_is_204_without_body(claim):
    resp = claim('never-created')

    assert resp.status_code == 204
    assert resp.content == b''


# -- get ---------------------------------------------------------------------

def test_get_claim_answers_its_age_ttl_href_and_messages(claim, get_claim,
                                                         post_messages):
    first, second = post_messages('q', {'body': 1}, {'body': 2})
    claim_id = claim_id_of(claim('q', ttl=120, grace=90))

    resp = get_claim('q', claim_id)

    assert resp.status_code == 200
    body = resp.json
    assert set(body) >= {'age', 'ttl', 'href', 'messages'}
    assert (body['ttl'], body['grace']) == (120, 90)
    assert body['age'] >= 0
    assert body['href'] == f'/v2/queues/q/claims/{claim_id}'
    assert ids_of(resp) == [first, second]


@pytest.mark.parametrize('claim_id', [UNKNOWN_ID, 'garbage'])
def test_get_of_an_unknown_claim_is_404(get_claim, post_messages, claim,
                                        claim_id):
    post_messages('q', {'body': 1})
    claim('q')

    resp = get_claim('q', claim_id)

    assert resp.status_code == 404
    assert resp.json == {'title': 'Not found',
                         'description': f'Claim {claim_id} does not exist in '
                                        f'queue q for project p'}


# -- renew -------------------------------------------------------------------

def test_patch_renews_the_claim_with_the_new_ttl(claim, patch_claim,
                                                 get_claim, post_messages):
    post_messages('q', {'body': 1})
    claim_id = claim_id_of(claim('q', ttl=120))

    resp = patch_claim('q', claim_id, '{"ttl": 300, "grace": 60}')

    assert resp.status_code == 204
    assert get_claim('q', claim_id).json['ttl'] == 300


@pytest.mark.parametrize('body, expected', [
    ('{"ttl": 59}', api_error(CLAIM_TTL_TEXT)),
    ('{"ttl": 300, "grace": 43201}', api_error(CLAIM_GRACE_TEXT)),
    ('', body_error('Request body could not be parsed.')),
    ('[300]', body_error('Document type not supported.')),
])
def test_bad_patch_of_a_claim_is_refused_and_changes_nothing(
        claim, patch_claim, get_claim, post_messages, body, expected):
    post_messages('q', {'body': 1})
    claim_id = claim_id_of(claim('q', ttl=120))

    resp = patch_claim('q', claim_id, body)

    assert resp.status_code == 400
    assert resp.json == expected
    assert get_claim('q', claim_id).json['ttl'] == 120


def test_patch_of_an_unknown_claim_is_404(patch_claim, post_messages):
    post_messages('q', {'body': 1})

    resp = patch_claim('q', UNKNOWN_ID, '{"ttl": 300}')

    assert resp.status_code == 404
    assert resp.json == {'title': 'Not found',
                         'description': f'Claim {UNKNOWN_ID} does not exist '
                                        f'in queue q for project p'}


# -- release -----------------------------------------------------------------

def test_release_makes_the_messages_claimable_again(claim, release,
                                                    get_claim, post_messages):
    ids = post_messages('q', {'body': 1}, {'body': 2})
    claim_id = claim_id_of(claim('q'))

    resp = release('q', claim_id)

    assert resp.status_code == 204
    assert get_claim('q', claim_id).status_code == 404
    assert ids_of(claim('q')) == ids


def test_a_release_with_a_delay_keeps_the_messages_back(claim, client,
                                                         headers, stats,
                                                         post_messages):
    post_messages('q', {'body': 1}, {'body': 2})
    claim_id = claim_id_of(claim('q'))
    resp = client.simulate_delete(f'/v2/queues/q/claims/{claim_id}',
                                  headers=headers, params={'delay': 300})
    assert resp.status_code == 204
    assert claim('q').status_code == 204
    assert stats('q')['delayed'] == 2


@pytest.mark.parametrize('delay, description', [
    ('-1', 'The delay of a claim release may not exceed 43200 seconds, and '
           'must be at least 0 seconds long.'),
    ('43201', 'The delay of a claim release may not exceed 43200 seconds, '
              'and must be at least 0 seconds long.'),
    ('soon', 'The "delay" parameter is invalid. The value must be an '
             'integer.'),
])
def test_a_bad_release_delay_is_refused_and_the_claim_kept(
        claim, client, headers, get_claim, post_messages, delay,
        description):
    post_messages('q', {'body': 1})
    claim_id = claim_id_of(claim('q'))
    resp = client.simulate_delete(f'/v2/queues/q/claims/{claim_id}',
                                  headers=headers, params={'delay': delay})
    assert resp.status_code == 400
    assert resp.json['description'] == description
    assert get_claim('q', claim_id).status_code == 200


def test_release_of_an_unknown_claim_is_204(release):
    assert release('q', UNKNOWN_ID).status_code == 204


# -- exclusivity -------------------------------------------------------------

def test_two_live_claims_never_share_a_message(claim, post_messages):
    ids = post_messages('q', *({'body': n} for n in range(4)))

    first = ids_of(claim('q', limit=2))
    second = ids_of(claim('q', limit=5))

    assert first == ids[:2]
    assert second == ids[2:]
    assert claim('q').status_code == 204


def test_after_a_release_only_the_released_messages_are_reclaimed(
        claim, release, post_messages):
    ids = post_messages('q', *({'body': n} for n in range(6)))
    first = claim('q', limit=2)
    second = claim('q', limit=2)

    release('q', claim_id_of(first))
    again = claim('q', limit=20)

    assert ids_of(second) == ids[2:4]
    assert ids_of(again) == ids[:2] + ids[4:]
    assert claim('q').status_code == 204


def test_delayed_messages_are_never_claimed(claim, post_messages):
    ready, _, also_ready = post_messages('q', {'body': 1},
                                         {'body': 2, 'delay': 600},
                                         {'body': 3})

    assert ids_of(claim('q', limit=20)) == [ready, also_ready]
    assert claim('q').status_code == 204


# -- dead letters ------------------------------------------------------------

def test_message_claimed_too_often_moves_to_the_dead_letter_queue_claimable(
        put_queue, post_messages, claim, release, stats, list_messages):
    # Given a queue that dead-letters a message after one claim
    put_queue('q', {'_max_claim_count': 1, '_dead_letter_queue': 'dlq',
                    '_dead_letter_queue_messages_ttl': 120})
    (message_id,) = post_messages('q', {'body': 'poison'})
    first = claim('q')
    assert first.status_code == 201
    release('q', claim_id_of(first))

    # When it is claimed a second time
    second = claim('q')

    # Then it has left the source queue for the dead-letter queue
    assert second.status_code == 204
    assert stats('q') == {'claimed': 0, 'free': 0, 'delayed': 0, 'total': 0}
    dead = stats('dlq')
    assert (dead['total'], dead['free'], dead['claimed']) == (1, 1, 0)
    assert set(dead['newest']) == {'id', 'age', 'created', 'href'}
    (moved,) = list_messages('dlq').json['messages']
    assert (moved['body'], moved['ttl']) == ('poison', 120)
    assert 'claim_id' not in moved['href']
    # and is claimable there at once (no phantom claim)
    rescued = claim('dlq')
    assert rescued.status_code == 201
    assert [m['body'] for m in rescued.json['messages']] == ['poison']


def test_without_a_dead_letter_queue_messages_are_reclaimed_forever(
        put_queue, post_messages, claim, release):
    put_queue('q', {'_max_claim_count': 1})
    (message_id,) = post_messages('q', {'body': 1})

    for _ in range(3):
        resp = claim('q')
        assert ids_of(resp) == [message_id]
        release('q', claim_id_of(resp))
