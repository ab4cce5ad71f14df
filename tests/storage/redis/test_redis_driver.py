"""Redis-only behaviour: URIs, start-up errors, durability across restarts."""

import time
import uuid

import msgpack
import pytest

from tests.engines.redis_server import RedisServer
from tests.conftest import free_port, wait_for
from zaqar_lite import errors
from zaqar_lite.storage.redis.connection import client_from_uri
from zaqar_lite.storage.redis.driver import DataDriver
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}


@pytest.mark.parametrize('uri, db', [
    ('redis://127.0.0.1:6379', 0),
    ('redis://127.0.0.1:6379/3', 3),
    ('redis://127.0.0.1:6379?dbid=4', 4),
])
def test_database_number_from_path_or_dbid(uri, db):
    client = client_from_uri(uri, {})
    assert client.connection_pool.connection_kwargs['db'] == db


def test_unix_socket_uri():
    client = client_from_uri('unix:///run/redis.sock?db=2', {})
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs['path'] == '/run/redis.sock' and kwargs['db'] == 2


def test_sentinel_uri_names_every_sentinel():
    client = client_from_uri('redis://10.0.0.1:26379,10.0.0.2?master=main',
                             {})
    sentinels = client.connection_pool.sentinel_manager.sentinels
    assert [(s.connection_pool.connection_kwargs['host'],
             s.connection_pool.connection_kwargs['port'])
            for s in sentinels] == [('10.0.0.1', 26379), ('10.0.0.2', 26379)]
    assert client.connection_pool.service_name == 'main'


@pytest.mark.parametrize('uri', ['http://127.0.0.1', 'redis://h:1/x'])
def test_malformed_uri_is_a_configuration_error(uri):
    with pytest.raises(errors.ConfigurationError):
        client_from_uri(uri, {})


def test_unreachable_redis_fails_at_start_up():
    with pytest.raises(errors.ConfigurationError, match='cannot be reached'):
        DataDriver(f'redis://127.0.0.1:{free_port()}/0',
                   {'socket_timeout': 0.5})


def test_lost_connection_is_storage_unavailable(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    driver = DataDriver(server.uri, {'socket_timeout': 0.5})
    server.kill()
    with pytest.raises(errors.StorageUnavailable):
        driver.queue_controller.create('q', project='p')
    assert not driver.is_alive()


def test_acknowledged_messages_survive_a_redis_crash_with_aof(tmp_path):
    server = RedisServer(tmp_path, appendonly=True)
    server.start()
    try:
        driver = DataDriver(server.uri, {})
        driver.queue_controller.create('q', project='p')
        acknowledged = []
        for n in range(50):
            acknowledged += driver.message_controller.post(
                'q', [{'body': n, 'ttl': 600}], 'c', project='p')
        claim_id, held = driver.claim_controller.create(
            'q', {'ttl': 600, 'grace': 60}, project='p', limit=5)
        server.kill()
        server.start()
        restarted = DataDriver(server.uri, {})
        found, marker = [], None
        while True:
            items, marker = page(restarted.message_controller.list(
                'q', project='p', echo=True, include_claimed=True,
                marker=marker, limit=20))
            if not items:
                break
            found += [m['id'] for m in items]
        assert found == acknowledged
        claim, still_held = restarted.claim_controller.get('q', claim_id,
                                                           project='p')
        assert [m['id'] for m in still_held] == [m['id'] for m in held]
    finally:
        server.stop()


def test_requests_move_expired_messages_of_an_opted_in_queue(redis_server):
    # Every script cleans up a bounded number of expired messages first:
    # there, as in gc, a queue with _dead_letter_on_expiry moves them.
    driver = DataDriver(redis_server.uri,
                        {'key_prefix': f'test-{uuid.uuid4().hex}'})
    try:
        driver.queue_controller.create('q', metadata={
            '_dead_letter_queue': 'dlq', '_dead_letter_on_expiry': True},
            project='p')
        [mid] = driver.message_controller.post(
            'q', [{'body': 'late', 'ttl': 1}], 'c', project='p')
        wait_for(lambda: not page(driver.message_controller.list(
            'q', project='p', echo=True))[0], what='the message to expire')
        moved = driver.message_controller.get('dlq', mid, project='p')
        assert moved['dead_letter']['reason'] == 'expired'
    finally:
        driver.close()


def test_claims_take_messages_in_the_order_they_became_available(
        redis_server):
    # Messages posted ready wait in the fresh set, claimed ones in the
    # availability set: claims merge the two by the time each became
    # available (to the microsecond; ties in posting order).
    prefix, driver = _driver_of_its_own(redis_server)
    messages, claims = driver.message_controller, driver.claim_controller

    def claimed(limit):
        claim_id, taken = claims.create('q', LEASE, project='p', limit=limit)
        return claim_id, [m['id'] for m in taken]

    driver.queue_controller.create('q', project='p')
    first, second = messages.post('q', [{'body': n, 'ttl': 600}
                                        for n in range(2)], 'c', project='p')
    claim_id, _ = claimed(1)
    time.sleep(0.01)
    claims.delete('q', claim_id, project='p')  # available again from now
    time.sleep(0.01)
    [third] = messages.post('q', [{'body': 3, 'ttl': 600}], 'c', project='p')
    claim_id, taken = claimed(3)
    assert taken == [second, first, third]
    assert not driver.client.exists(f'{prefix}:{{p/q}}:fresh')
    claims.delete('q', claim_id, project='p')  # all three at the same time
    assert claimed(2)[1] == [first, second]
    driver.close()


def test_a_claim_that_dead_letters_some_takes_no_message_twice(
        redis_server):
    # The first round of the claim moves a message out; the second must
    # not see the fresh message the first took.
    _prefix, driver = _driver_of_its_own(redis_server)
    messages, claims = driver.message_controller, driver.claim_controller
    driver.queue_controller.create('q', project='p', metadata={
        '_max_claim_count': 1, '_dead_letter_queue': 'dlq'})
    [worn] = messages.post('q', [{'body': 0, 'ttl': 600}], 'c', project='p')
    claim_id, _ = claims.create('q', LEASE, project='p', limit=1)
    stats = driver.queue_controller.stats('q', project='p')['messages']
    assert (stats['claimed'], stats['total']) == (1, 1)  # counted once
    claims.delete('q', claim_id, project='p')
    time.sleep(0.01)
    later = messages.post('q', [{'body': n, 'ttl': 600} for n in (1, 2)],
                          'c', project='p')
    _, taken = claims.create('q', LEASE, project='p', limit=2)
    assert [m['id'] for m in taken] == later
    assert messages.get('dlq', worn, project='p')['dead_letter']['reason'] \
        == 'max_claims'
    driver.close()


def _driver_of_its_own(redis_server):
    """``(key prefix, DataDriver)``: keys no other test shares."""
    prefix = f'old-{uuid.uuid4().hex}'
    return prefix, DataDriver(redis_server.uri, {'key_prefix': prefix})


def _store_as_before_fresh(driver, base):
    # The versions before the fresh set kept every unclaimed message in
    # free and in the availability set (a ready one at its posting time).
    for member, score in driver.client.zrange(base + 'fresh', 0, -1,
                                              withscores=True):
        _client, created, _delay, _body = msgpack.unpackb(
            driver.client.hget(base + 'msgs', member))
        driver.client.zadd(base + 'free', {member: score})
        driver.client.zadd(base + 'avail', {member: created})
    driver.client.delete(base + 'fresh')


def test_data_of_the_version_before_priorities_and_backoff_keeps_working(
        redis_server):
    # That version kept one availability zset per queue, no priorities
    # and no redelivery schedule: default-priority messages still use
    # exactly those keys, so its data reads as messages of priority 4.
    prefix, driver = _driver_of_its_own(redis_server)
    queues, messages = driver.queue_controller, driver.message_controller
    claims = driver.claim_controller
    queues.create('q', project='p')
    old = messages.post('q', [{'body': n, 'ttl': 600} for n in range(2)],
                        'c', project='p')
    claim_id, _ = claims.create('q', {'ttl': 60, 'grace': 60}, project='p',
                                limit=1)
    claims.delete('q', claim_id, project='p')
    base = f'{prefix}:{{p/q}}:'
    _store_as_before_fresh(driver, base)
    assert driver.client.zcard(base + 'avail') == 2
    assert not driver.client.exists(base + 'levels', base + 'mprio',
                                    base + 'backoff')
    [urgent] = messages.post('q', [{'body': 'u', 'ttl': 600,
                                    'priority': 9}], 'c', project='p')
    taken = []
    for _ in range(3):
        taken += [m['id'] for m in claims.create(
            'q', {'ttl': 60, 'grace': 60}, project='p', limit=1)[1]]
    assert taken == [urgent, old[1], old[0]]  # the released one came back last
    assert [m['priority'] for m in messages.bulk_get('q', old, project='p')] \
        == [4, 4]
    queues.delete('q', project='p')
    assert not driver.client.keys(base + '*')
    driver.close()


def _store_as_before_bodies_joined_records(driver, base, ids):
    # That version kept [client, created, delay] in msgs and the body's
    # msgpack in a bodies hash of its own.
    for mid in ids:
        client, created, delay, body = msgpack.unpackb(
            driver.client.hget(base + 'msgs', mid))
        driver.client.hset(base + 'msgs', mid,
                           msgpack.packb([client, created, delay]))
        driver.client.hset(base + 'bodies', mid, msgpack.packb(body))


def test_messages_of_the_version_with_a_bodies_hash_keep_working(
        redis_server):
    prefix, driver = _driver_of_its_own(redis_server)
    queues, messages = driver.queue_controller, driver.message_controller
    claims = driver.claim_controller
    queues.create('q', metadata={'_dead_letter_queue': 'dlq'}, project='p')
    bodies = [{'n': n, 'nested': [1.5, None, {'deep': [True]}]}
              for n in range(4)]
    ids = messages.post('q', [{'body': b, 'ttl': 600} for b in bodies],
                        'poster', project='p')
    base = f'{prefix}:{{p/q}}:'
    assert not driver.client.exists(base + 'bodies')  # bodies are in msgs
    _store_as_before_bodies_joined_records(driver, base, ids)
    [newer] = messages.post('q', [{'body': 'new', 'ttl': 600}], 'poster',
                            project='p')

    assert [m['body'] for m in messages.bulk_get('q', ids + [newer],
                                                 project='p')] \
        == bodies + ['new']
    assert page(messages.list('q', project='p', client_uuid='poster'))[0] \
        == []  # the poster's own, old and new, skipped without echo
    listed, _ = page(messages.list('q', project='p', client_uuid='other'))
    assert [m['body'] for m in listed] == bodies + ['new']
    claim_id, claimed = claims.create('q', {'ttl': 60, 'grace': 60},
                                      project='p', limit=3)
    assert [m['body'] for m in claimed] == bodies[:3]
    # a dead-letter move writes the message in the one-hash form, body
    # byte for byte
    old_body = driver.client.hget(base + 'bodies', ids[0])
    assert messages.reject('q', ids[0], project='p', claim=claim_id) == 'dlq'
    moved = driver.client.hget(f'{prefix}:{{p/dlq}}:msgs', ids[0])
    assert moved.startswith(b'\x94') and moved.endswith(old_body)
    assert messages.get('dlq', ids[0], project='p')['body'] == bodies[0]
    assert not driver.client.hexists(base + 'bodies', ids[0])
    messages.delete('q', ids[1], project='p', claim=claim_id)
    assert not driver.client.hexists(base + 'bodies', ids[1])
    assert [m['body'] for m in claims.create(
        'q', {'ttl': 60, 'grace': 60}, project='p', limit=5)[1]] \
        == [bodies[3], 'new']
    queues.delete('q', project='p')
    assert not driver.client.keys(base + '*')
    driver.close()


def _store_as_before_held(driver, base):
    # That version kept every message in a seq zset, and no set of the
    # claimed ones.
    _store_as_before_fresh(driver, base)
    for key in ('free', 'held'):
        for member, score in driver.client.zrange(base + key, 0, -1,
                                                  withscores=True):
            driver.client.zadd(base + 'seq', {member: score})
    driver.client.delete(base + 'held')


def test_queues_of_the_version_with_a_set_of_every_message_keep_working(
        redis_server):
    prefix, driver = _driver_of_its_own(redis_server)
    queues, messages = driver.queue_controller, driver.message_controller
    claims = driver.claim_controller
    base = f'{prefix}:{{p/q}}:'

    def listed(claimed_too=True):
        found, _ = page(messages.list('q', project='p', echo=True,
                                      include_claimed=claimed_too))
        return [m['id'] for m in found]

    def counts():
        stats = queues.stats('q', project='p')['messages']
        return stats['claimed'], stats['free'], stats['total']

    queues.create('q', project='p')
    ids = messages.post('q', [{'body': n, 'ttl': 600} for n in range(4)],
                        'c', project='p')
    claim_id, _ = claims.create('q', {'ttl': 60, 'grace': 60}, project='p',
                                limit=2)
    assert driver.client.zcard(base + 'held') == 2
    assert not driver.client.exists(base + 'seq')
    _store_as_before_held(driver, base)
    newer = messages.post('q', [{'body': 'new', 'ttl': 600}], 'c',
                          project='p')

    assert listed() == ids + newer
    assert listed(claimed_too=False) == ids[2:] + newer
    assert counts() == (2, 3, 5)
    assert messages.first('q', project='p')['id'] == ids[0]
    assert messages.first('q', project='p', sort=-1)['id'] == newer[0]
    claims.delete('q', claim_id, project='p')  # claimed before: released
    assert listed(claimed_too=False) == ids + newer
    assert counts() == (0, 5, 5)
    messages.bulk_delete('q', ids + newer, project='p')
    # once empty, the queue is kept as this version keeps it
    assert not driver.client.exists(base + 'seq')
    later = messages.post('q', [{'body': n, 'ttl': 600} for n in range(3)],
                          'c', project='p')
    claims.create('q', {'ttl': 60, 'grace': 60}, project='p', limit=1)
    assert not driver.client.exists(base + 'seq')
    assert listed() == later
    assert counts() == (1, 2, 3)
    queues.delete('q', project='p')
    assert not driver.client.keys(base + '*')
    driver.close()
