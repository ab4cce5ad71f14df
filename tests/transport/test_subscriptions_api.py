"""Subscriptions over HTTP: Zaqar's answers and texts, and what we fix."""

import json

import falcon.testing
import pytest

from tests.transport.conftest import build_bootstrap

HOOK = 'http://93.184.216.34/hook'  # a public address: no DNS needed
BASE = '/v2/queues/q/subscriptions'
JSON_PATCH = 'application/openstack-messaging-v2.0-json-patch'


@pytest.fixture
def subscribe(client, headers):
    """``subscribe(document, path=BASE, headers=headers)``: the answer."""
    def post(document, path=BASE, headers=headers):
        return client.simulate_post(path, headers=headers, json=document)
    return post


def created_id(answer):
    assert answer.status_code == 201, answer.text
    return answer.json['subscription_id']


def test_create_get_and_list(client, headers, subscribe):
    answer = subscribe({'subscriber': HOOK, 'ttl': 3600,
                        'options': {'post_headers': {'a': 'b'}}})
    subscription_id = created_id(answer)
    assert answer.headers['location'] == BASE
    got = client.simulate_get(f'{BASE}/{subscription_id}', headers=headers)
    assert got.json == {'id': subscription_id, 'source': 'q',
                        'subscriber': HOOK, 'ttl': 3600, 'age': 0,
                        'options': {'post_headers': {'a': 'b'}},
                        'confirmed': False}
    listed = client.simulate_get(BASE, headers=headers).json
    assert [s['id'] for s in listed['subscriptions']] == [subscription_id]
    assert listed['links'][0]['rel'] == 'next'
    # Subscribing creates the queue, as Zaqar does.
    assert client.simulate_get('/v2/queues', headers=headers).json[
        'queues'][0]['name'] == 'q'


def test_a_subscription_without_a_ttl_gets_the_configured_default(
        tmp_path, headers):
    bootstrap = build_bootstrap(tmp_path)
    bootstrap.conf.set_override('default_subscription_ttl', 7777,
                                group='transport')
    client = falcon.testing.TestClient(bootstrap.app)
    try:
        subscription_id = created_id(client.simulate_post(
            BASE, headers=headers, json={'subscriber': HOOK}))
        assert client.simulate_get(f'{BASE}/{subscription_id}',
                                   headers=headers).json['ttl'] == 7777
    finally:
        bootstrap.close()


def test_the_same_subscriber_again(client, headers, subscribe):
    first = created_id(subscribe({'subscriber': HOOK}))
    assert created_id(subscribe({'subscriber': HOOK})) == first
    client.simulate_put(f'{BASE}/{first}/confirm', headers=headers,
                        json={'confirmed': True})
    again = subscribe({'subscriber': HOOK})
    assert again.status_code == 409
    assert again.json['description'].startswith('Such subscription already '
                                                 'exists.')


def test_paging(client, headers, subscribe):
    ids = sorted(created_id(subscribe({'subscriber': f'{HOOK}/{n}'}))
                 for n in range(5))
    first = client.simulate_get(BASE, headers=headers,
                                params={'limit': 3}).json
    assert [s['id'] for s in first['subscriptions']] == ids[:3]
    rest = client.simulate_get(first['links'][0]['href'],
                               headers=headers).json
    assert [s['id'] for s in rest['subscriptions']] == ids[3:]
    too_many = client.simulate_get(BASE, headers=headers,
                                   params={'limit': 21})
    assert too_many.status_code == 400
    assert too_many.json['description'] == \
        'Limit must be at least 1 and may not be greater than 20.'


@pytest.mark.parametrize('document, text', [
    ({'ttl': 3600}, 'Missing parameter subscriber in body.'),
    ({'subscriber': 'ftp://x'}, "The subscriber type of subscription must "
     "be supported in the list ['http', 'https', 'mailto']."),
    ({'subscriber': HOOK, 'ttl': 59},
     'The TTL for a subscription must be at least 60 seconds long.'),
    ({'subscriber': HOOK, 'ttl': '100'}, 'TTL must be an integer.'),
    ({'subscriber': HOOK, 'ttl': 10 ** 15},
     'The TTL seconds for a subscription plus current time must be less '
     'than 9999-12-31 23:59:59.999999.'),
    ({'subscriber': HOOK, 'options': [1]}, 'Options must be a dict.'),
    ({'subscriber': HOOK,
      'options': {'_retry_policy': {'retry_backoff_function': 'cubic'}}},
     'invalid retry_backoff_function.'),
    ([{'subscriber': HOOK}], 'Subscriptions must be a dict.'),
    ({'subscriber': 'mailto:not-an-address'},
     'The subscriber mailto:not-an-address is not one mail address.'),
])
def test_invalid_subscriptions(subscribe, document, text):
    answer = subscribe(document)
    assert answer.status_code == 400
    assert answer.json['description'] == text


@pytest.mark.parametrize('host, kind', [
    ('127.0.0.1', 'loopback'), ('10.0.0.8', 'private'),
    ('169.254.169.254', 'link-local'), ('[::1]', 'loopback')])
def test_webhooks_to_private_addresses_are_refused(subscribe, host, kind):
    answer = subscribe({'subscriber': f'http://{host}:8080/x'})
    assert answer.status_code == 400
    assert f'a {kind} address' in answer.json['description']


def test_patch(client, headers, subscribe):
    subscription_id = created_id(subscribe({'subscriber': HOOK}))
    other = created_id(subscribe({'subscriber': f'{HOOK}/2'}))
    path = f'{BASE}/{subscription_id}'
    assert client.simulate_patch(path, headers=headers,
                                 json={'ttl': 7200}).status_code == 204
    assert client.simulate_get(path, headers=headers).json['ttl'] == 7200
    clash = client.simulate_patch(f'{BASE}/{other}', headers=headers,
                                  json={'subscriber': HOOK})
    assert clash.status_code == 409
    missing = client.simulate_patch(f'{BASE}/nope', headers=headers,
                                    json={'ttl': 7200})
    assert missing.status_code == 404
    assert missing.json['description'] == 'Subscription nope does not exist'
    empty = client.simulate_patch(path, headers=headers, json={})
    assert empty.status_code == 400


def test_confirm(client, headers, subscribe):
    subscription_id = created_id(subscribe({'subscriber': HOOK}))
    path = f'{BASE}/{subscription_id}'
    assert client.simulate_put(f'{path}/confirm', headers=headers,
                               json={'confirmed': True}).status_code == 204
    assert client.simulate_get(path, headers=headers).json['confirmed']
    bad = client.simulate_put(f'{path}/confirm', headers=headers,
                              json={'confirmed': 'yes'})
    assert bad.status_code == 400
    assert bad.json['description'] == "The 'confirmed' should be boolean."
    assert client.simulate_put(f'{BASE}/nope/confirm', headers=headers,
                               json={'confirmed': True}).status_code == 404


def test_delete_purge_and_queue_delete(client, headers, subscribe):
    first = created_id(subscribe({'subscriber': HOOK}))
    assert client.simulate_delete(f'{BASE}/{first}',
                                  headers=headers).status_code == 204
    assert client.simulate_delete(f'{BASE}/{first}',
                                  headers=headers).status_code == 204
    assert client.simulate_get(f'{BASE}/{first}',
                               headers=headers).status_code == 404
    created_id(subscribe({'subscriber': HOOK}))
    assert client.simulate_post('/v2/queues/q/purge', headers=headers, json={
        'resource_types': ['subscriptions']}).status_code == 204
    assert client.simulate_get(BASE, headers=headers).json[
        'subscriptions'] == []
    created_id(subscribe({'subscriber': HOOK}))
    client.simulate_delete('/v2/queues/q', headers=headers)
    assert client.simulate_get(BASE, headers=headers).json[
        'subscriptions'] == []


def test_projects_are_isolated(client, headers, make_headers, subscribe):
    subscription_id = created_id(subscribe({'subscriber': HOOK}))
    stranger = make_headers(project='other')
    assert client.simulate_get(BASE, headers=stranger).json[
        'subscriptions'] == []
    assert client.simulate_get(f'{BASE}/{subscription_id}',
                               headers=stranger).status_code == 404
    client.simulate_delete(f'{BASE}/{subscription_id}', headers=stranger)
    assert client.simulate_get(f'{BASE}/{subscription_id}',
                               headers=headers).status_code == 200


def test_a_secret_is_never_shown(client, headers, subscribe):
    subscription_id = created_id(subscribe(
        {'subscriber': HOOK, 'options': {'secret': 's', 'x': 1}}))
    got = client.simulate_get(f'{BASE}/{subscription_id}', headers=headers)
    assert got.json['options'] == {'x': 1}
    listed = client.simulate_get(BASE, headers=headers).json
    assert listed['subscriptions'][0]['options'] == {'x': 1}


def test_topics_are_apart_from_queues(client, headers, subscribe):
    assert client.simulate_put('/v2/topics/t', headers=headers,
                               json={'kind': 'topic'}).status_code == 201
    assert client.simulate_put('/v2/topics/t', headers=headers
                               ).status_code == 204
    posted = client.simulate_post('/v2/topics/t/messages', headers=headers,
                                  json={'messages': [{'body': 1}]})
    assert posted.status_code == 201
    assert posted.json['resources'][0].startswith('/v2/topics/t/messages/')
    topics = client.simulate_get('/v2/topics', headers=headers).json
    assert [t['name'] for t in topics['topics']] == ['t']
    assert topics['topics'][0]['href'] == '/v2/topics/t'
    assert client.simulate_get('/v2/queues', headers=headers).json[
        'queues'] == []
    stats = client.simulate_get('/v2/topics/t/stats', headers=headers).json
    assert stats['messages']['total'] == 1
    assert client.simulate_get('/v2/topics/t', headers=headers).json[
        'kind'] == 'topic'
    patched = client.simulate_patch(
        '/v2/topics/t', headers={**headers, 'Content-Type': JSON_PATCH},
        body=json.dumps([{'op': 'add', 'path': '/metadata/colour',
                          'value': 'red'}]))
    assert patched.status_code == 200, patched.text
    assert client.simulate_get('/v2/topics/t', headers=headers).json[
        'colour'] == 'red'
    assert client.simulate_get('/v2/queues/t', headers=headers).json.get(
        'colour') is None
    topic_sub = created_id(subscribe({'subscriber': HOOK},
                                     path='/v2/topics/t/subscriptions'))
    assert client.simulate_get('/v2/queues/t/subscriptions',
                               headers=headers).json['subscriptions'] == []
    assert client.simulate_get(f'/v2/topics/t/subscriptions/{topic_sub}',
                               headers=headers).status_code == 200
    assert client.simulate_post('/v2/topics/t/purge', headers=headers, json={
        'resource_types': ['messages']}).status_code == 204
    assert client.simulate_get('/v2/topics/t/stats', headers=headers).json[
        'messages']['total'] == 0
    assert client.simulate_delete('/v2/topics/t',
                                  headers=headers).status_code == 204
    assert client.simulate_get('/v2/topics', headers=headers).json[
        'topics'] == []


def test_topic_names_are_validated(client, headers):
    answer = client.simulate_put('/v2/topics/bad!t', headers=headers)
    assert answer.status_code == 400
    assert answer.json == {
        'title': 'Invalid topic identification',
        'description': 'The format of the submitted topic name or project '
                       'id is not valid.'}


def test_a_missing_topic_message_names_the_topic(client, headers):
    answer = client.simulate_get('/v2/topics/t/messages/abc',
                                 headers=headers)
    assert answer.status_code == 404
    assert answer.json['description'] == \
        'Message abc does not exist in topic t for project p'


def test_project_ids_with_control_characters_are_refused(client):
    answer = client.simulate_get('/v2/queues', headers={
        'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c',
        'X-Project-ID': 'p\x1ftopic'})
    assert answer.status_code == 400
