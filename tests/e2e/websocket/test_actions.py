"""Every action over a real socket, in JSON and in msgpack frames."""

import pytest

pytestmark = pytest.mark.e2e


def test_queue_actions(socket):
    assert socket.request('queue_create', {
        'queue_name': 'q', 'metadata': {'color': 'red'}})[0] == 201
    assert socket.request('queue_create', {'queue_name': 'q'})[0] == 204
    status, body = socket.request('queue_get', {'queue_name': 'q'})
    assert status == 200 and body['color'] == 'red'
    assert body['_default_message_ttl'] == 3600  # the reserved defaults
    status, body = socket.request('queue_list', {'detailed': True,
                                                 'with_count': True})
    assert status == 200 and body['count'] == 1
    assert [q['name'] for q in body['queues']] == ['q']
    assert body['queues'][0]['metadata']['color'] == 'red'
    status, body = socket.request('queue_get_stats', {'queue_name': 'q'})
    assert status == 200 and body['messages']['total'] == 0
    assert socket.request('queue_purge', {
        'queue_name': 'q', 'resource_types': ['messages']})[0] == 204
    assert socket.request('queue_delete', {'queue_name': 'q'})[0] == 204
    assert socket.request('queue_list')[1]['queues'] == []


def test_message_actions(socket):
    status, body = socket.request('message_post', {
        'queue_name': 'q', 'messages': [{'body': {'n': 1}, 'ttl': 300},
                                        {'body': 'two'}, {'body': [3]}]})
    assert status == 201 and len(body['message_ids']) == 3
    first, second, third = body['message_ids']
    assert body['resources'][0] == f'/v2/queues/q/messages/{first}'
    status, body = socket.request('message_list', {
        'queue_name': 'q', 'echo': True, 'limit': 2})
    assert status == 200
    assert [m['body'] for m in body['messages']] == [{'n': 1}, 'two']
    assert body['messages'][0]['ttl'] == 300
    status, body = socket.request('message_get', {'queue_name': 'q',
                                                  'message_id': second})
    assert status == 200 and body['body'] == 'two'
    status, body = socket.request('message_get_many', {
        'queue_name': 'q', 'message_ids': [first, third]})
    assert status == 200
    assert sorted(m['id'] for m in body['messages']) == sorted([first, third])
    assert socket.request('message_delete', {'queue_name': 'q',
                                             'message_id': first})[0] == 204
    assert socket.request('message_delete_many', {
        'queue_name': 'q', 'message_ids': [second]})[0] == 204
    status, body = socket.request('message_delete_many', {'queue_name': 'q',
                                                          'pop': 5})
    assert status == 200 and [m['body'] for m in body['messages']] == [[3]]
    assert socket.request('message_get', {
        'queue_name': 'q', 'message_id': first})[0] == 404


def test_claim_actions(socket):
    socket.request('message_post', {'queue_name': 'q', 'messages': [
        {'body': 1}, {'body': 2}]})
    status, body = socket.request('claim_create', {
        'queue_name': 'q', 'ttl': 60, 'grace': 60, 'limit': 1})
    assert status == 201 and [m['body'] for m in body['messages']] == [1]
    claim_id = body['claim_id']
    message_id = body['messages'][0]['id']
    assert body['messages'][0]['href'].endswith(f'?claim_id={claim_id}')
    status, body = socket.request('claim_get', {'queue_name': 'q',
                                                'claim_id': claim_id})
    assert status == 200 and body['ttl'] == 60
    assert socket.request('claim_update', {'queue_name': 'q',
                                           'claim_id': claim_id,
                                           'ttl': 120})[0] == 204
    assert socket.request('claim_get', {'queue_name': 'q',
                                        'claim_id': claim_id})[1]['ttl'] == 120
    status, body = socket.request('message_delete', {'queue_name': 'q',
                                                     'message_id': message_id})
    assert status == 403 and 'claimed' in body['error']
    assert socket.request('message_delete', {
        'queue_name': 'q', 'message_id': message_id,
        'claim_id': claim_id})[0] == 204
    status, body = socket.request('claim_create', {'queue_name': 'q'})
    assert status == 201
    assert socket.request('claim_delete', {
        'queue_name': 'q', 'claim_id': body['claim_id']})[0] == 204
    status, body = socket.request('claim_create', {'queue_name': 'q'})
    assert status == 201 and [m['body'] for m in body['messages']] == [2]
    assert socket.request('claim_create', {'queue_name': 'q'})[0] == 204


def test_subscription_actions(socket):
    status, body = socket.request('subscription_create', {
        'queue_name': 'q', 'subscriber': 'mailto:ops@example.com',
        'ttl': 3600, 'options': {'secret': 'hidden'}})
    assert status == 201
    subscription_id = body['subscription_id']
    status, body = socket.request('subscription_list', {'queue_name': 'q'})
    assert status == 200
    [listed] = body['subscriptions']
    assert listed['id'] == subscription_id and listed['options'] == {}
    status, body = socket.request('subscription_get', {
        'queue_name': 'q', 'subscription_id': subscription_id})
    assert status == 200 and body['subscriber'] == 'mailto:ops@example.com'
    assert socket.request('subscription_delete', {
        'queue_name': 'q', 'subscription_id': subscription_id})[0] == 204
    assert socket.request('subscription_get', {
        'queue_name': 'q', 'subscription_id': subscription_id})[0] == 404


def test_pool_and_flavor_actions(socket, tmp_path):
    uri = f'sqlite:///{tmp_path}/pool.db'
    name = f'pool-{socket.headers["X-Project-ID"]}'
    flavor = f'flavor-{socket.headers["X-Project-ID"]}'
    assert socket.request('pool_create', {'pool_name': name, 'weight': 10,
                                          'uri': uri})[0] == 201
    status, body = socket.request('pool_get', {'pool_name': name,
                                               'detailed': True})
    assert status == 200 and body['uri'] == uri and body['weight'] == 10
    status, body = socket.request('pool_update', {'pool_name': name,
                                                  'weight': 20})
    assert status == 200 and body['weight'] == 20
    assert name in [p['name'] for p in socket.request(
        'pool_list', {'limit': 20})[1]['pools']]
    assert socket.request('flavor_create', {'flavor_name': flavor,
                                            'pool_list': [name]})[0] == 201
    status, body = socket.request('flavor_get', {'flavor_name': flavor})
    assert status == 200 and body['pool_list'] == [name]
    assert flavor in [f['name'] for f in socket.request(
        'flavor_list')[1]['flavors']]
    assert socket.request('flavor_update', {
        'flavor_name': flavor, 'capabilities': {'durable': True}})[0] == 200
    assert socket.request('pool_delete', {'pool_name': name})[0] == 409
    assert socket.request('flavor_delete', {'flavor_name': flavor})[0] == 204
    assert socket.request('pool_delete', {'pool_name': name})[0] == 204
    assert socket.request('pool_get', {'pool_name': name})[0] == 404


def test_node_actions(socket):
    assert socket.request('ping') == (204, {})
    assert socket.request('ping_node')[0] == 204
    status, body = socket.request('health')
    assert status == 200 and body['storage_reachable'] is True
    assert socket.request('check_node_health')[0] == 200
    status, body = socket.request('get_home_doc')
    assert status == 200 and 'rel/queues' in body['resources']
    status, body = socket.request('authenticate')
    assert status == 200  # no auth strategy: every frame stands alone


def test_answers_echo_the_request_in_the_request_encoding(socket):
    socket.send({'action': 'queue_get', 'body': {'queue_name': 'q'},
                 'headers': socket.headers})
    encoding, answer = socket.receive()
    assert encoding == ('msgpack' if socket.binary else 'json')
    assert answer['request'] == {'action': 'queue_get',
                                 'body': {'queue_name': 'q'},
                                 'headers': socket.headers, 'api': 'v2'}
    assert answer['headers']['status'] == 200


def test_claim_create_refuses_a_wait(socket):
    status, body = socket.request('claim_create', {'queue_name': 'q',
                                                   'wait': 5})
    assert status == 400
    assert 'does not wait over WebSocket' in body['description']
