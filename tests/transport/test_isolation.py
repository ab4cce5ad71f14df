"""Projects never see, change or claim each other's queues and messages."""

import json

import pytest

from tests.transport.conftest import claim_id_of, ids_of

JSON_PATCH = 'application/openstack-messaging-v2.0-json-patch'


@pytest.fixture
def alice(make_headers):
    return make_headers(project='project-a')


@pytest.fixture
def bob(make_headers):
    return make_headers(project='project-b')


@pytest.fixture
def queue_of_a(alice, put_queue, post_messages, claim):
    """Project A's queue ``q`` with metadata, a claimed and a free message."""
    put_queue('q', {'owner': 'a'}, headers=alice)
    claimed, free = post_messages('q', {'body': 'a-1'}, {'body': 'a-2'},
                                  headers=alice)
    claim_id = claim_id_of(claim('q', limit=1, headers=alice))
    return {'claimed': claimed, 'free': free, 'claim_id': claim_id}


def messages_of_a(client, alice):
    resp = client.simulate_get('/v2/queues/q/messages', params={
        'echo': 'true', 'include_claimed': 'true'}, headers=alice)
    return ids_of(resp)


def test_other_project_lists_no_queues(client, bob, queue_of_a):
    resp = client.simulate_get('/v2/queues', headers=bob,
                               params={'detailed': 'true',
                                       'with_count': 'true'})

    assert resp.json == {'queues': [], 'links': [], 'count': 0}


def test_other_project_sees_default_metadata_and_zero_stats(client, bob,
                                                            queue_of_a):
    metadata = client.simulate_get('/v2/queues/q', headers=bob).json
    stats = client.simulate_get('/v2/queues/q/stats', headers=bob).json

    assert 'owner' not in metadata
    assert stats == {'messages': {'claimed': 0, 'free': 0, 'delayed': 0,
                                  'total': 0}}


def test_other_project_cannot_read_messages(client, bob, queue_of_a):
    listing = client.simulate_get('/v2/queues/q/messages', headers=bob,
                                  params={'include_claimed': 'true'})
    one = client.simulate_get(f'/v2/queues/q/messages/{queue_of_a["free"]}',
                              headers=bob)
    by_ids = client.simulate_get('/v2/queues/q/messages', headers=bob,
                                 params={'ids': queue_of_a['free']})

    assert listing.json == {'messages': [], 'links': []}
    assert one.status_code == 404
    assert by_ids.status_code == 404


def test_other_project_cannot_delete_or_pop_messages(client, alice, bob,
                                                     queue_of_a):
    ids = [queue_of_a['claimed'], queue_of_a['free']]

    one = client.simulate_delete(f'/v2/queues/q/messages/{ids[1]}',
                                 headers=bob)
    bulk = client.simulate_delete('/v2/queues/q/messages', headers=bob,
                                  params={'ids': ','.join(ids),
                                          'claim_ids': queue_of_a['claim_id']})
    pop = client.simulate_delete('/v2/queues/q/messages', headers=bob,
                                 params={'pop': '5'})
    purge = client.simulate_post('/v2/queues/q/purge', headers=bob,
                                 json={'resource_types': ['messages']})

    assert (one.status_code, bulk.status_code, purge.status_code) == (
        204, 204, 204)
    assert pop.json == {'messages': []}
    assert messages_of_a(client, alice) == ids


def test_other_project_cannot_claim_messages(alice, bob, queue_of_a,
                                             claim):
    assert claim('q', headers=bob).status_code == 204
    assert ids_of(claim('q', headers=alice)) == [queue_of_a['free']]


def test_other_project_cannot_see_renew_or_release_a_claim(client, alice,
                                                           bob, queue_of_a):
    path = f'/v2/queues/q/claims/{queue_of_a["claim_id"]}'

    got = client.simulate_get(path, headers=bob)
    renewed = client.simulate_patch(path, headers=bob, body='{"ttl": 600}')
    released = client.simulate_delete(path, headers=bob)

    assert (got.status_code, renewed.status_code) == (404, 404)
    assert released.status_code == 204
    still = client.simulate_get(path, headers=alice)
    assert still.status_code == 200
    assert still.json['ttl'] == 120
    assert ids_of(still) == [queue_of_a['claimed']]


def test_other_project_cannot_patch_or_delete_the_queue(client, alice, bob,
                                                        queue_of_a):
    patched = client.simulate_patch(
        '/v2/queues/q', headers={**bob, 'Content-Type': JSON_PATCH},
        body=json.dumps([{'op': 'add', 'path': '/metadata/owner',
                          'value': 'b'}]))
    deleted = client.simulate_delete('/v2/queues/q', headers=bob)

    assert patched.status_code == 404
    assert deleted.status_code == 204
    assert client.simulate_get('/v2/queues/q', headers=alice) \
        .json['owner'] == 'a'
    assert len(messages_of_a(client, alice)) == 2


def test_same_queue_name_in_two_projects_is_two_queues(
        client, alice, bob, put_queue, post_messages, list_messages, claim,
        make_headers):
    put_queue('shared', {'owner': 'a'}, headers=alice)
    put_queue('shared', {'owner': 'b'}, headers=bob)
    (of_a,) = post_messages('shared', {'body': 'from a'}, headers=alice)
    (of_b,) = post_messages('shared', {'body': 'from b'}, headers=bob)

    reader_a = make_headers(project='project-a')
    reader_b = make_headers(project='project-b')
    assert ids_of(list_messages('shared', headers=reader_a)) == [of_a]
    assert ids_of(list_messages('shared', headers=reader_b)) == [of_b]
    assert client.simulate_get('/v2/queues/shared', headers=alice) \
        .json['owner'] == 'a'
    assert client.simulate_get('/v2/queues/shared', headers=bob) \
        .json['owner'] == 'b'
    assert ids_of(claim('shared', headers=alice)) == [of_a]
    assert ids_of(claim('shared', headers=bob)) == [of_b]

    client.simulate_delete('/v2/queues/shared', headers=alice)

    assert ids_of(list_messages('shared', headers=reader_b,
                                include_claimed='true')) == [of_b]
