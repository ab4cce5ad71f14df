"""Claims: create, get, renew, release, dead letters."""

import pytest


@pytest.mark.parametrize('body, description', [
    ({'ttl': 59, 'grace': 60}, 'The TTL for a claim may not exceed 43200 '
     'seconds, and must be at least 60 seconds long.'),
    ({'ttl': 43201}, 'The TTL for a claim may not exceed 43200 seconds, and '
     'must be at least 60 seconds long.'),
    ({'ttl': 60, 'grace': 59}, 'The grace for a claim may not exceed 43200 '
     'seconds, and must be at least 60 seconds long.'),
    ({'ttl': '60'}, 'The value of the "ttl" field must be a int.'),
    ([1], 'Document type not supported.'),
])
def test_bad_claims(client, headers, api, body, description):
    api.post('q', {'body': 1})
    resp = client.simulate_post('/v2/queues/q/claims', headers=headers,
                                json=body)
    assert resp.status_code == 400
    assert resp.json['description'] == description
    assert api.bodies('q') == [1]


@pytest.mark.parametrize('limit', ['0', '21'])
def test_bad_claim_limits(client, headers, limit):
    resp = client.simulate_post('/v2/queues/q/claims', headers=headers,
                                params={'limit': limit}, json={'ttl': 60})
    assert resp.status_code == 400
    assert resp.json['description'] == \
        'Limit must be at least 1 and may not be greater than 20.'


def test_claim_answers_messages_with_claim_hrefs(api):
    api.post('q', *[{'body': n} for n in range(3)])
    resp = api.claim('q', limit=2)
    assert resp.status_code == 201
    claim_id = resp.headers['location'].rsplit('/', 1)[1]
    assert resp.headers['location'] == f'/v2/queues/q/claims/{claim_id}'
    assert [m['body'] for m in resp.json['messages']] == [0, 1]
    for message in resp.json['messages']:
        assert message['href'] == \
            f'/v2/queues/q/messages/{message["id"]}?claim_id={claim_id}'


def test_claim_without_body_uses_defaults(client, headers, api):
    api.post('q', {'body': 1, 'ttl': 60})
    resp = client.simulate_post('/v2/queues/q/claims', headers=headers)
    assert resp.status_code == 201
    claim = client.simulate_get(resp.headers['location'], headers=headers)
    assert claim.json['ttl'] == 300 and claim.json['grace'] == 60
    assert claim.json['messages'][0]['ttl'] == 360


def test_nothing_to_claim_is_204(client, headers, api):
    assert api.claim('never').status_code == 204
    client.simulate_put('/v2/queues/empty', headers=headers)
    resp = api.claim('empty')
    assert resp.status_code == 204 and resp.text == ''


def test_get_claim_and_unknown_claims(client, headers, api):
    api.post('q', {'body': 1})
    location = api.claim('q', ttl=120, grace=60).headers['location']
    resp = client.simulate_get(location, headers=headers)
    assert resp.status_code == 200
    assert resp.json['ttl'] == 120 and resp.json['href'] == location
    assert [m['body'] for m in resp.json['messages']] == [1]
    for claim_id in ('00000000-0000-0000-0000-000000000000', 'garbage'):
        resp = client.simulate_get(f'/v2/queues/q/claims/{claim_id}',
                                   headers=headers)
        assert resp.status_code == 404
        assert resp.json['description'] == \
            f'Claim {claim_id} does not exist in queue q for project p'


def test_renew_claim(client, headers, api):
    api.post('q', {'body': 1})
    location = api.claim('q').headers['location']
    assert client.simulate_patch(location, headers=headers,
                                 json={'ttl': 300, 'grace': 60}) \
        .status_code == 204
    assert client.simulate_get(location, headers=headers).json['ttl'] == 300
    bad = client.simulate_patch(location, headers=headers, json={'ttl': 59})
    assert bad.status_code == 400
    empty = client.simulate_patch(location, headers=headers)
    assert empty.status_code == 400
    assert empty.json['description'] == 'Request body could not be parsed.'
    unknown = client.simulate_patch('/v2/queues/q/claims/garbage',
                                    headers=headers, json={'ttl': 300})
    assert unknown.status_code == 404


def test_release_makes_messages_claimable(client, headers, api):
    api.post('q', {'body': 1})
    location = api.claim('q').headers['location']
    assert api.claim('q').status_code == 204
    assert client.simulate_delete(location, headers=headers) \
        .status_code == 204
    assert client.simulate_delete(location, headers=headers) \
        .status_code == 204
    assert [m['body'] for m in api.claim('q').json['messages']] == [1]


def test_claims_never_share_a_message(api):
    api.post('q', *[{'body': n} for n in range(6)])
    first = {m['id'] for m in api.claim('q', limit=4).json['messages']}
    second = {m['id'] for m in api.claim('q', limit=4).json['messages']}
    assert len(first) == 4 and len(second) == 2
    assert not first & second


def test_dead_letter_queue_receives_unclaimed_message(client, headers, api):
    client.simulate_put('/v2/queues/q', headers=headers, json={
        '_max_claim_count': 1, '_dead_letter_queue': 'dlq',
        '_dead_letter_queue_messages_ttl': 120})
    api.post('q', {'body': 'poison'})
    location = api.claim('q').headers['location']
    client.simulate_delete(location, headers=headers)
    assert api.claim('q').status_code == 204
    stats = client.simulate_get('/v2/queues/q/stats', headers=headers)
    assert stats.json['messages']['total'] == 0
    dead = api.claim('dlq')
    assert dead.status_code == 201
    assert [m['body'] for m in dead.json['messages']] == ['poison']
