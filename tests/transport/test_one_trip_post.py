"""Posts in one Redis round trip: never checked against stale metadata.

Two ``Bootstrap``s on one Redis stand for two server processes: each keeps
the metadata of the queues it posts to, and the other changes it behind
its back.
"""

import uuid

import falcon.testing
import pytest

import zaqar_lite.bootstrap
import zaqar_lite.conf
from zaqar_lite.transport.wsgi import messages as message_resources


def redis_bootstrap(redis_uri, prefix, overrides=()):
    conf = zaqar_lite.conf.load()
    conf.set_override('message_store', 'redis', group='drivers')
    conf.set_override('uri', redis_uri, group='drivers:message_store:redis')
    conf.set_override('key_prefix', prefix,
                      group='drivers:message_store:redis')
    for (group, option), value in overrides:
        conf.set_override(option, value, group=group)
    return zaqar_lite.bootstrap.Bootstrap(conf)


@pytest.fixture
def processes(redis_server):
    """Two API processes' worth of app on one Redis key prefix."""
    prefix = f'otp-{uuid.uuid4().hex}'
    built = [redis_bootstrap(redis_server.uri, prefix) for _ in range(2)]
    yield [falcon.testing.TestClient(boot.app) for boot in built], built
    for boot in built:
        boot.close()


@pytest.fixture
def hdrs():
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'p'}


def post(api, hdrs, *messages, queue='q'):
    return api.simulate_post(f'/v2/queues/{queue}/messages', headers=hdrs,
                             json={'messages': list(messages)})


def ttl_of(api, hdrs, resp):
    href = resp.json['resources'][0]
    return api.simulate_get(href, headers=hdrs).json['ttl']


def count_round_trips(boot):
    """A list that grows by one per command the data driver sends."""
    sent = []
    trips = boot.data_driver.scripts._trips
    execute = trips.execute

    def counting(*command):
        sent.append(command[0])
        return execute(*command)

    trips.execute = counting
    return sent


def test_a_post_to_a_known_queue_is_one_round_trip(processes, hdrs):
    (api, _), (boot, _) = processes
    assert post(api, hdrs, {'body': 1, 'ttl': 60}).status_code == 201
    sent = count_round_trips(boot)
    assert post(api, hdrs, {'body': 2, 'ttl': 60}).status_code == 201
    assert post(api, hdrs, *[{'body': n} for n in range(10)]
                ).status_code == 201
    assert sent == ['EVALSHA', 'EVALSHA']


def test_metadata_changed_by_another_process_applies_to_the_next_post(
        processes, hdrs):
    (first, second), _ = processes
    assert post(first, hdrs, {'body': 1}).status_code == 201  # known now
    assert second.simulate_put('/v2/queues/q', headers=hdrs, json={
        '_default_message_ttl': 77,
        '_max_messages_post_size': 300}).status_code == 204
    resp = post(first, hdrs, {'body': 'x'})
    assert resp.status_code == 201
    assert ttl_of(first, hdrs, resp) == 77
    too_big = post(first, hdrs, {'body': 'x' * 400})
    assert too_big.status_code == 400
    assert '300' in too_big.json['description']


def test_a_queue_deleted_by_another_process_is_created_again(processes,
                                                             hdrs):
    (first, second), _ = processes
    assert first.simulate_put('/v2/queues/q', headers=hdrs, json={
        '_default_message_ttl': 77}).status_code == 201
    assert post(first, hdrs, {'body': 1}).status_code == 201
    assert second.simulate_delete('/v2/queues/q',
                                  headers=hdrs).status_code == 204
    resp = post(first, hdrs, {'body': 2})
    assert resp.status_code == 201
    assert ttl_of(first, hdrs, resp) == 3600  # the default again
    stats = second.simulate_get('/v2/queues/q/stats', headers=hdrs).json
    assert stats['messages']['total'] == 1


def test_a_rejected_first_post_creates_no_queue(processes, hdrs):
    (api, _), _ = processes
    assert post(api, hdrs, {'body': 1, 'ttl': 1}).status_code == 400
    assert api.simulate_get('/v2/queues', headers=hdrs).json['queues'] == []
    assert post(api, hdrs, {'body': 1}).status_code == 201
    names = [q['name'] for q in api.simulate_get(
        '/v2/queues', headers=hdrs).json['queues']]
    assert names == ['q']


def test_projects_do_not_share_what_a_process_knows(processes, hdrs):
    (api, _), _ = processes
    other = {**hdrs, 'X-Project-ID': 'other'}
    assert api.simulate_put('/v2/queues/q', headers=hdrs, json={
        '_default_message_ttl': 77}).status_code == 201
    assert ttl_of(api, hdrs, post(api, hdrs, {'body': 1})) == 77
    assert ttl_of(api, other, post(api, other, {'body': 1})) == 3600


def test_reads_only_the_metadata_keys_it_keeps(processes):
    # OneTripPost keeps POST_METADATA of a queue's metadata: reading any
    # other key while preparing a post would read what it never kept.
    (api, _), _ = processes
    collection = next(resource for resource in _resources(api.app)
                      if isinstance(resource, message_resources.Collection)
                      and resource.kind == 'queue')
    allowed = set(message_resources.POST_METADATA)

    class OnlyPostKeys(dict):
        def __getitem__(self, key):
            assert key in allowed, key
            return super().__getitem__(key)

        def get(self, key, default=None):
            assert key in allowed, key
            return super().get(key, default)

    raw = b'{"messages": [{"body": 1}, {"body": 2, "idempotency_key": "k"}]}'
    metadata = OnlyPostKeys({**collection.reserved_defaults(),
                             '_dedup_window': 30})
    stored = collection._read_messages(raw, len(raw), metadata)
    assert [message['ttl'] for message in stored] == [3600, 3600]


def _resources(app):
    """Every resource object the Falcon app routes to."""
    found, nodes = [], list(app._router._roots)
    while nodes:
        node = nodes.pop()
        nodes.extend(node.children)
        if node.resource is not None:
            found.append(node.resource)
    return found


def test_a_stage_hooking_posts_sees_every_post(redis_server, hdrs, tmp_path,
                                               monkeypatch):
    log = tmp_path / 'stages.log'
    monkeypatch.setenv('ZAQAR_LITE_STAGE_LOG', str(log))
    boot = redis_bootstrap(redis_server.uri, f'otp-{uuid.uuid4().hex}', [
        (('storage', 'message_pipeline'), ['test_record_first'])])
    try:
        api = falcon.testing.TestClient(boot.app)
        for n in range(3):
            assert post(api, hdrs, {'body': n}).status_code == 201
        assert log.read_text().splitlines() == ['first post q 1'] * 3
    finally:
        boot.close()
