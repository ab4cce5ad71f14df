"""MongoDB-only behaviour: connection settings, start-up and run-time
failures, FerretDB's gaps (lost increments, dead claimers), restarts."""

import multiprocessing
import time
import uuid

import pytest

from tests.conftest import free_port
from tests.engines.ferretdb import FerretDB
from zaqar_lite import errors
from zaqar_lite.storage.mongodb import leases
from zaqar_lite.storage.mongodb.driver import DataDriver
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}


@pytest.fixture
def driver(ferretdb_server):
    built = DataDriver(ferretdb_server.uri,
                       {'database': f'test-{uuid.uuid4().hex}'})
    built.queue_controller.create('q', project='p')
    yield built
    built.close()


def raw(driver, collection):
    """The pymongo collection behind the driver, to reach under it."""
    return getattr(driver.db, collection).raw


def post(driver, count, **extra):
    return driver.message_controller.post(
        'q', [{'body': n, 'ttl': 600, **extra} for n in range(count)], 'c',
        project='p')


def listed(driver):
    items, _ = page(driver.message_controller.list(
        'q', project='p', echo=True, include_claimed=True, limit=20))
    return [item['id'] for item in items]


@pytest.mark.parametrize('uri', ['redis://127.0.0.1', 'mongodb://h:notaport'])
def test_malformed_uri_is_a_configuration_error(uri):
    with pytest.raises(errors.ConfigurationError):
        DataDriver(uri, {'server_selection_timeout': 0.2})


def test_unreachable_server_fails_at_start_up():
    with pytest.raises(errors.ConfigurationError, match='cannot be reached'):
        DataDriver(f'mongodb://127.0.0.1:{free_port()}',
                   {'server_selection_timeout': 0.5})


@pytest.mark.parametrize('options, message', [
    ({'write_concern': '0'}, 'unacknowledged'),
    ({'read_preference': 'somewhere'}, 'invalid'),
])
def test_unsafe_or_unknown_settings_are_refused(ferretdb_server, options,
                                                message):
    with pytest.raises(errors.ConfigurationError, match=message):
        DataDriver(ferretdb_server.uri, options)


def test_writes_wait_for_a_majority_by_default(driver):
    assert driver.client.write_concern.document == {'w': 'majority',
                                                    'wtimeout': 10000}
    assert driver.client.read_preference.mongos_mode == 'primary'


def test_ferretdb_is_known_to_lack_isolated_updates(driver):
    assert driver.updates_are_isolated is False


def test_lost_connection_is_storage_unavailable(tmp_path):
    server = FerretDB(tmp_path)
    server.start()
    try:
        driver = DataDriver(server.uri, {'socket_timeout': 0.5,
                                         'server_selection_timeout': 0.5})
        server.kill()
        with pytest.raises(errors.StorageUnavailable):
            driver.queue_controller.create('q', project='p')
        assert not driver.is_alive()
    finally:
        server.stop()


def test_acknowledged_messages_and_claims_survive_a_crash(tmp_path):
    server = FerretDB(tmp_path)
    server.start()
    try:
        driver = DataDriver(server.uri, {})
        driver.queue_controller.create('q', project='p')
        acknowledged = []
        for n in range(30):
            acknowledged += post(driver, 1)
        claim_id, held = driver.claim_controller.create('q', LEASE,
                                                        project='p', limit=5)
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
        _, still_held = restarted.claim_controller.get('q', claim_id,
                                                       project='p')
        assert [m['id'] for m in still_held] == [m['id'] for m in held]
    finally:
        server.stop()


def test_a_lost_sequence_increment_is_retried_not_duplicated(driver):
    # FerretDB v1 can lose one of two concurrent $inc: replay that here.
    first = post(driver, 3)
    raw(driver, 'queues').update_one({'name': 'q'}, {'$set': {'seq': 1}})
    second = post(driver, 2)
    assert listed(driver) == first + second
    seqs = [doc['seq'] for doc in raw(driver, 'messages').find()]
    assert len(set(seqs)) == 5


def test_gc_recounts_messages_where_increments_can_be_lost(driver):
    post(driver, 4)
    raw(driver, 'queues').update_one({'name': 'q'},
                                     {'$set': {'messages': 99}})
    driver.gc()
    stats = driver.queue_controller.stats('q', project='p')['messages']
    assert stats['total'] == 4 and stats['free'] == 4


def test_a_claimer_that_died_after_its_lease_holds_nothing_for_long(driver):
    ids = post(driver, 3)
    # It won the first message's lease, then died before claiming it.
    until = time.time() + 60
    won, _ = leases.grant(driver.db, 'q', 'p', time.time(), 1, until, [])
    assert [doc['_id'] for doc in won] == ids[:1]
    claim_id, held = driver.claim_controller.create('q', LEASE, project='p')
    assert [m['id'] for m in held] == ids[1:]
    assert driver.claim_controller.create('q', LEASE, project='p') == \
        (None, [])
    # gc removes the lease once its claim would have ended.
    leases.remove_ended(driver.db, until + leases.MARGIN)
    _, again = driver.claim_controller.create('q', LEASE, project='p')
    assert [m['id'] for m in again] == ids[:1]


def test_metadata_and_bodies_keep_keys_mongodb_reserves(driver):
    odd = {'$set': 1, 'a.b': {'$in': [1]}}
    driver.queue_controller.set_metadata('q', odd, project='p')
    assert driver.queue_controller.get('q', project='p') == odd
    [mid] = driver.message_controller.post('q', [{'body': odd, 'ttl': 60}],
                                           'c', project='p')
    assert driver.message_controller.get('q', mid,
                                         project='p')['body'] == odd


def produce(uri, database, producer, results):
    """Post 25 batches of 4 messages; report the ids acknowledged."""
    driver = DataDriver(uri, {'database': database})
    ids = []
    for batch in range(25):
        ids += driver.message_controller.post(
            'q', [{'body': [producer, batch, n], 'ttl': 600}
                  for n in range(4)], f'producer-{producer}', project='p')
    driver.close()
    results.put(ids)


def test_concurrent_posts_get_distinct_numbers_in_batch_order(
        ferretdb_server, driver):
    context = multiprocessing.get_context('spawn')
    results = context.Queue()
    database = driver.options['database']
    producers = [context.Process(target=produce, args=(
        ferretdb_server.uri, database, n, results)) for n in range(4)]
    for producer in producers:
        producer.start()
    acknowledged = [mid for _ in producers for mid in results.get(timeout=120)]
    for producer in producers:
        producer.join(30)
    found, marker = [], None
    while True:
        items, marker = page(driver.message_controller.list(
            'q', project='p', echo=True, marker=marker, limit=20))
        if not items:
            break
        found += [(item['id'], item['body']) for item in items]
    assert sorted(mid for mid, _ in found) == sorted(acknowledged)
    for producer in range(4):
        bodies = [body for _, body in found if body[0] == producer]
        assert bodies == sorted(bodies), 'a batch was numbered out of order'
    stats = driver.queue_controller.stats('q', project='p')['messages']
    assert stats['total'] == 400 or not driver.updates_are_isolated


@pytest.mark.parametrize('store', ['message_store', 'management_store'])
def test_configured_write_concern_and_read_preference_reach_the_client(
        ferretdb_server, tmp_path, store):
    # Through zaqar.conf, as an operator sets them.
    from tests.conftest import write_conf
    from zaqar_lite import conf as zconf
    from zaqar_lite.bootstrap import Bootstrap

    path = write_conf(tmp_path / 'zaqar.conf', {
        'DEFAULT': {'pooling': store == 'management_store'},
        'drivers': {store: 'mongodb'},
        f'drivers:{store}:mongodb': {
            'uri': ferretdb_server.uri,
            'database': f'conf-{uuid.uuid4().hex}',
            'write_concern': 1, 'write_timeout': 2.5,
            'read_preference': 'primaryPreferred', 'max_pool_size': 7}})
    bootstrap = Bootstrap(zconf.load([str(path)]))
    driver = bootstrap.data_driver if store == 'message_store' else \
        bootstrap.control_driver
    try:
        client = driver.client
        assert client.write_concern.document == {'w': 1, 'wtimeout': 2500}
        assert client.read_preference.mongos_mode == 'primaryPreferred'
        assert client.options.pool_options.max_pool_size == 7
    finally:
        bootstrap.close()


def test_a_claim_made_before_redelivery_backoff_is_still_held(driver):
    # Documents of that version have no claim_expires: the claim ends at
    # ``available``.
    [mid] = post(driver, 1)
    claim_id, _ = driver.claim_controller.create('q', LEASE, project='p')
    raw(driver, 'messages').update_one({'_id': mid},
                                       {'$unset': {'claim_expires': ''}})
    message = driver.message_controller.get('q', mid, project='p')
    assert message['claim_id'] == claim_id
    assert listed(driver) == [mid]
    stats = driver.queue_controller.stats('q', project='p')['messages']
    assert (stats['claimed'], stats['delayed']) == (1, 0)
    driver.claim_controller.delete('q', claim_id, project='p')
    _, [again] = driver.claim_controller.create('q', LEASE, project='p')
    assert again['id'] == mid


def test_messages_from_before_priorities_are_claimed_as_the_default(driver):
    # That version wrote no priority, and its queues have no flag saying
    # every message has one.
    old = post(driver, 2)
    raw(driver, 'messages').update_many({}, {'$unset': {'priority': ''}})
    raw(driver, 'queues').update_many({}, {'$unset': {'priorities': ''}})
    [low] = post(driver, 1, priority=1)
    [high] = post(driver, 1, priority=5)
    assert driver.message_controller.get('q', old[0],
                                         project='p')['priority'] == 4
    taken = []
    for _ in range(4):
        _, held = driver.claim_controller.create('q', LEASE, project='p',
                                                 limit=1)
        taken += [m['id'] for m in held]
    assert taken == [high, *old, low]
    assert raw(driver, 'messages').count_documents({'priority': None}) == 0
