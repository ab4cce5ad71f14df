"""RoundTrips: hot-path commands on reused pool connections."""

import multiprocessing
import threading
import uuid

import pytest
import redis

from tests.engines.redis_server import RedisServer
from zaqar_lite import errors
from zaqar_lite.storage.redis.connection import client_from_uri
from zaqar_lite.storage.redis.driver import DataDriver
from zaqar_lite.storage.redis.roundtrip import RoundTrips


@pytest.fixture
def client(redis_server):
    client = client_from_uri(redis_server.uri, {'socket_timeout': 0.3})
    yield client
    client.close()


def connections_made(client) -> int:
    pool = client.connection_pool
    return len(pool._available_connections) + len(pool._in_use_connections)


def my_connection_id(trips) -> int:
    return trips.execute('CLIENT', 'ID')


def test_sequential_commands_share_one_connection(client):
    trips = RoundTrips(client)
    ids = {my_connection_id(trips) for _ in range(20)}
    assert len(ids) == 1
    assert connections_made(client) == 1


def test_concurrent_commands_get_their_own_replies(client):
    trips = RoundTrips(client)
    key = f'rt-{uuid.uuid4().hex}'
    threads, failures, start = 8, [], threading.Barrier(8)
    client.ping()
    own = connections_made(client)  # the client's own, for ping and get

    def work(n):
        start.wait()
        for i in range(200):
            value = f'{n}:{i}'
            if trips.execute('ECHO', value) != value.encode():
                failures.append(value)
            trips.execute('INCR', key)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert failures == []
    assert int(client.get(key)) == threads * 200
    assert connections_made(client) - own <= threads


def test_an_error_reply_keeps_the_connection(client):
    trips = RoundTrips(client)
    key = f'rt-{uuid.uuid4().hex}'
    client.set(key, 'not a number')
    before = my_connection_id(trips)
    with pytest.raises(redis.ResponseError):
        trips.execute('INCR', key)
    assert my_connection_id(trips) == before


def test_a_timed_out_reply_is_never_read_by_the_next_command(client):
    trips = RoundTrips(client)
    key = f'rt-{uuid.uuid4().hex}'
    before = my_connection_id(trips)
    with pytest.raises(redis.TimeoutError):
        trips.execute('BLPOP', key, 5)  # longer than socket_timeout
    client.rpush(key, 'late')  # would answer the abandoned BLPOP
    assert trips.execute('ECHO', 'next') == b'next'
    assert my_connection_id(trips) != before


def _child_connection_id(trips, results):
    results.put(my_connection_id(trips))


def test_a_forked_process_opens_its_own_connection(client):
    trips = RoundTrips(client)
    parent = my_connection_id(trips)
    results = multiprocessing.get_context('fork').Queue()
    child = multiprocessing.get_context('fork').Process(
        target=_child_connection_id, args=(trips, results))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert results.get(timeout=5) != parent
    assert my_connection_id(trips) == parent


def test_a_restarted_redis_is_reconnected_to(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    driver = DataDriver(server.uri, {'socket_timeout': 0.5})
    try:
        driver.queue_controller.create('q', project='p')
        server.kill()
        with pytest.raises(errors.StorageUnavailable):
            driver.queue_controller.get('q', project='p')
        server.start()
        driver.queue_controller.create('q2', project='p')
        assert driver.queue_controller.get('q2', project='p') == {}
    finally:
        driver.close()
        server.stop()


def test_scripts_are_loaded_again_after_a_script_flush(redis_server):
    driver = DataDriver(redis_server.uri,
                        {'key_prefix': f'test-{uuid.uuid4().hex}'})
    try:
        driver.queue_controller.create('q', project='p')
        driver.client.script_flush()
        driver.message_controller.post('q', [{'body': 1, 'ttl': 60}], 'c',
                                       project='p')
        assert driver.queue_controller.stats('q', project='p')[
            'messages']['total'] == 1
    finally:
        driver.close()
