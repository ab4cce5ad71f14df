"""One project never sees or touches another's data."""

from tests.transport.conftest import Api, make_headers


def test_projects_are_isolated(client):
    alice = Api(client, make_headers('alice'))
    mallory = Api(client, make_headers('mallory'))
    ids = [h.rsplit('/', 1)[1] for h in
           alice.post('q', {'body': 'secret'}, {'body': 'two'})
           .json['resources']]
    claim = alice.claim('q', limit=1).headers['location']
    bad = mallory.headers

    assert client.simulate_get('/v2/queues', headers=bad).json['queues'] == []
    assert mallory.bodies('q', include_claimed='true') == []
    assert client.simulate_get(f'/v2/queues/q/messages/{ids[1]}',
                               headers=bad).status_code == 404
    assert client.simulate_get('/v2/queues/q/messages', headers=bad,
                               params={'ids': ','.join(ids)}).status_code == 404
    assert client.simulate_get(claim, headers=bad).status_code == 404
    assert client.simulate_patch(claim, headers=bad,
                                 json={'ttl': 60}).status_code == 404
    assert mallory.claim('q').status_code == 204
    assert client.simulate_get('/v2/queues/q/stats', headers=bad) \
        .json['messages']['total'] == 0
    client.simulate_delete(claim, headers=bad)
    client.simulate_delete(f'/v2/queues/q/messages/{ids[1]}', headers=bad)
    client.simulate_delete('/v2/queues/q/messages', headers=bad,
                           params={'ids': ','.join(ids)})
    client.simulate_delete('/v2/queues/q/messages', headers=bad,
                           params={'pop': '5'})
    client.simulate_post('/v2/queues/q/purge', headers=bad,
                         json={'resource_types': ['messages']})
    client.simulate_delete('/v2/queues/q', headers=bad)

    assert alice.bodies('q', include_claimed='true') == ['secret', 'two']
    assert client.simulate_get(claim, headers=alice.headers).status_code == 200


def test_same_queue_name_in_two_projects(client):
    one, two = Api(client, make_headers('one')), Api(client, make_headers('two'))
    one.post('shared', {'body': 1})
    two.post('shared', {'body': 2})
    assert one.bodies('shared') == [1]
    assert two.bodies('shared') == [2]
