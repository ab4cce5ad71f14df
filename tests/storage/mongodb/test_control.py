"""The MongoDB management store: what the pooling tests do not show."""

import uuid

import pymongo
import pytest

from tests.storage.mongodb.test_indexes import Recorder, served
from zaqar_lite.storage.mongodb import engine, schema
from zaqar_lite.storage.mongodb.control import ControlDriver
from zaqar_lite.storage.pooling.catalog import Catalog
from zaqar_lite.storage.pooling.driver import DataDriver
from zaqar_lite.storage.utils import page


@pytest.fixture
def control(ferretdb_server):
    driver = ControlDriver(ferretdb_server.uri,
                           {'database': f'm-{uuid.uuid4().hex}'})
    yield driver
    driver.close()


def test_every_change_that_can_stale_a_route_moves_the_generation(control):
    control.catalogue_controller.insert('p', 'q', 'a')  # stales nothing
    seen = [control.generation()]
    for change in (
            lambda: control.flavors_controller.create('fast'),
            lambda: control.pools_controller.create('a', 1, 'sqlite:///a'),
            lambda: control.pools_controller.update('a', flavor='fast'),
            lambda: control.flavors_controller.delete('fast'),
            lambda: control.catalogue_controller.delete('p', 'q'),
            lambda: control.pools_controller.delete('a')):
        change()
        seen.append(control.generation())
    assert len(set(seen)) == len(seen)
    assert control.generation() == seen[-1]  # reading it changes nothing


def test_deleting_a_flavor_leaves_its_pools_without_one(control):
    control.flavors_controller.create('fast', {'fifo': True})
    control.pools_controller.create('a', 1, 'sqlite:///a', flavor='fast',
                                    options={'x': 1})
    assert page(control.pools_controller.list(flavor='fast'))[0][0][
        'name'] == 'a'
    control.flavors_controller.delete('fast')
    assert control.pools_controller.get('a', detailed=True) == {
        'name': 'a', 'uri': 'sqlite:///a', 'weight': 1, 'flavor': None,
        'options': {'x': 1}}


def test_a_queue_keeps_its_first_pool(control):
    catalogue = control.catalogue_controller
    assert catalogue.insert('p', 'q', 'a') == 'a'
    assert catalogue.insert('p', 'q', 'b') == 'a'
    assert catalogue.count('a') == 1 and catalogue.count('b') == 0
    assert page(catalogue.list(project='p'))[0] == [{'queue': 'q',
                                                     'pool': 'a'}]


def test_a_mongodb_pool_serves_its_queues(control, ferretdb_server):
    database = f'pool-{uuid.uuid4().hex}'
    control.pools_controller.create('mongo', 1, ferretdb_server.uri,
                                    options={'database': database})
    driver = DataDriver(Catalog(control))
    driver.queue_controller.create('q', project='p')
    [mid] = driver.message_controller.post('q', [{'body': 1, 'ttl': 60}],
                                           'c', project='p')
    _, held = driver.claim_controller.create('q', {'ttl': 60, 'grace': 60},
                                             project='p')
    assert [m['id'] for m in held] == [mid]
    raw = pymongo.MongoClient(ferretdb_server.uri)[database]
    assert raw[schema.MESSAGES].find_one({'_id': mid})['claim_count'] == 1
    driver.close()


def test_management_queries_have_indexes(control, ferretdb_server):
    recorder = Recorder()
    client = pymongo.MongoClient(ferretdb_server.uri,
                                 event_listeners=[recorder])
    database = client[control.options['database']]
    for name in ('catalogue', 'pools', 'flavors', 'management'):
        setattr(control, name, engine.Collection(database[name]))
    control.flavors_controller.create('fast')
    control.pools_controller.create('a', 1, 'sqlite:///a', flavor='fast')
    page(control.pools_controller.list(flavor='fast'))
    page(control.pools_controller.list(marker='0'))
    page(control.flavors_controller.list())
    control.catalogue_controller.insert('p', 'q', 'a')
    control.catalogue_controller.get('p', 'q')
    page(control.catalogue_controller.list(project='p'))
    control.catalogue_controller.count('a')
    control.generation()
    control.flavors_controller.delete('fast')
    indexes = {name: [[('_id', 1)]] + [keys for _, keys, _ in declared]
               for name, declared in schema.CONTROL_INDEXES.items()}
    unserved = [query for query in recorder.queries
                if not any(served(keys, query[1], query[2])
                           for keys in indexes[query[0]])]
    assert recorder.queries and unserved == []
    client.close()
