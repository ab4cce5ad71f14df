"""The pooling catalog against real engines: two Redis servers and SQLite.

What a route says is checked on the engines themselves, through drivers
built directly on each pool's URI.
"""

import uuid

import pytest

from tests.engines.redis_server import RedisServer
from zaqar_lite import errors, plugins
from zaqar_lite.storage.pooling.catalog import Catalog, build_driver
from zaqar_lite.storage.pooling.driver import DataDriver
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}


@pytest.fixture(scope='module')
def second_redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp('redis-b'))
    server.start()
    yield server
    server.kill()


@pytest.fixture(params=['sqlite', 'redis', 'mongodb'])
def management(request, tmp_path):
    """Settings of a management store: one per test."""
    if request.param == 'sqlite':
        return 'sqlite', f'sqlite:///{tmp_path}/management.db', {}
    if request.param == 'mongodb':
        server = request.getfixturevalue('ferretdb_server')
        return 'mongodb', server.uri, {'database': f'm-{uuid.uuid4().hex}'}
    server = request.getfixturevalue('redis_server')
    return 'redis', server.uri, {'key_prefix': f'm-{uuid.uuid4().hex}'}


def control_driver(settings):
    name, uri, options = settings
    return plugins.load_driver(plugins.CONTROL_DRIVERS, name, 'test',
                               uri=uri, options=options)


@pytest.fixture
def pools(tmp_path, redis_server, second_redis):
    prefix = f'p-{uuid.uuid4().hex}'
    return {'lite': (f'sqlite:///{tmp_path}/lite.db', {}),
            'red': (redis_server.uri, {'key_prefix': prefix}),
            'blue': (second_redis.uri, {'key_prefix': prefix})}


@pytest.fixture
def control(management, pools):
    driver = control_driver(management)
    for name, (uri, options) in pools.items():
        driver.pools_controller.create(name, 1, uri, options=options)
    yield driver
    driver.close()


def on_engine(pools, name):
    """A driver of its own on a pool's engine, to check what is there."""
    return build_driver(*pools[name])


def test_queues_spread_by_weight_and_live_where_the_catalogue_says(
        control, pools):
    control.pools_controller.update('lite', weight=0)
    control.pools_controller.update('blue', weight=3)
    driver = DataDriver(Catalog(control))
    for n in range(60):
        driver.queue_controller.create(f'q{n}', project='p')
    counts = {name: control.catalogue_controller.count(name)
              for name in pools}
    assert counts['lite'] == 0 and sum(counts.values()) == 60
    assert counts['blue'] > counts['red'] > 0
    engines = {name: on_engine(pools, name) for name in pools}
    for n in range(60):
        pool = control.catalogue_controller.get('p', f'q{n}')
        assert [name for name, engine in engines.items()
                if engine.queue_controller.exists(f'q{n}', project='p')] \
            == [pool]


def test_every_operation_reaches_the_queues_pool(control, pools):
    for name in ('lite', 'red'):
        control.pools_controller.update(name, weight=0)
    driver = DataDriver(Catalog(control))
    driver.queue_controller.create('q', project='p')
    [mid] = driver.message_controller.post('q', [{'body': 1, 'ttl': 60}],
                                           'c', project='p')
    claim_id, _ = driver.claim_controller.create('q', LEASE, project='p')
    blue = on_engine(pools, 'blue')
    assert blue.claim_controller.get('q', claim_id, project='p')[1][0]['id'] \
        == mid
    assert not on_engine(pools, 'red').queue_controller.exists('q',
                                                               project='p')
    driver.queue_controller.delete('q', project='p')
    assert not blue.queue_controller.exists('q', project='p')
    with pytest.raises(errors.QueueNotMapped):
        control.catalogue_controller.get('p', 'q')


def test_a_flavor_pins_queues_to_its_pools(control, pools):
    control.flavors_controller.create('fast')
    control.pools_controller.update('red', flavor='fast')
    driver = DataDriver(Catalog(control))
    for n in range(10):
        driver.queue_controller.create(f'f{n}', metadata={'_flavor': 'fast'},
                                       project='p')
        driver.queue_controller.create(f'plain{n}', project='p')
    assert control.catalogue_controller.count('red') == 10
    with pytest.raises(errors.ValidationError, match='Flavor nope'):
        driver.queue_controller.create('x', metadata={'_flavor': 'nope'},
                                       project='p')


def test_listing_spans_pools_in_name_order(control):
    driver = DataDriver(Catalog(control))
    for name in ('d', 'a', 'c', 'b', 'e'):
        driver.queue_controller.create(name, metadata={'n': name},
                                       project='p')
    first, marker = page(driver.queue_controller.list(project='p', limit=3,
                                                      detailed=True))
    rest, _ = page(driver.queue_controller.list(project='p', marker=marker))
    assert [q['name'] for q in first + rest] == ['a', 'b', 'c', 'd', 'e']
    assert first[0]['metadata'] == {'n': 'a'}
    filtered, _ = page(driver.queue_controller.list(project='p',
                                                    kfilter={'n': 'c'}))
    assert [q['name'] for q in filtered] == ['c']


def test_servers_sharing_a_management_store_agree(management, control,
                                                  pools):
    # Two catalogs over two control drivers stand for two servers.
    mine = DataDriver(Catalog(control))
    theirs = DataDriver(Catalog(control_driver(management)))
    for name in ('lite', 'blue'):
        control.pools_controller.update(name, weight=0)
    mine.queue_controller.create('q', project='p')
    mine.message_controller.post('q', [{'body': 'old', 'ttl': 60}], 'c',
                                 project='p')
    assert theirs.queue_controller.stats('q', project='p')['messages'][
        'total'] == 1  # both routed it (and cached the route)
    # when the other server deletes the queue and it comes back elsewhere,
    theirs.queue_controller.delete('q', project='p')
    theirs.catalog.control.pools_controller.update('red', weight=0)
    theirs.catalog.control.pools_controller.update('lite', weight=1)
    theirs.queue_controller.create('q', project='p')
    theirs.message_controller.post('q', [{'body': 'new', 'ttl': 60}], 'c',
                                   project='p')
    # then this server follows the new route at once.
    assert control.catalogue_controller.get('p', 'q') == 'lite'
    items, _ = page(mine.message_controller.list('q', project='p',
                                                 echo=True))
    assert [m['body'] for m in items] == ['new']


def test_no_pool_is_a_clear_error_unless_a_virtual_pool_serves(
        management, tmp_path):
    control = control_driver(management)
    driver = DataDriver(Catalog(control))
    with pytest.raises(errors.NoPoolFound, match='No pools registered'):
        driver.queue_controller.create('q', project='p')
    assert not driver.queue_controller.exists('q', project='p')
    items, _ = page(driver.message_controller.list('q', project='p'))
    assert items == []
    default = build_driver(f'sqlite:///{tmp_path}/default.db', {})
    virtual = DataDriver(Catalog(control, default))
    virtual.queue_controller.create('q', project='p')
    assert default.queue_controller.exists('q', project='p')


def test_a_queue_of_the_virtual_pool_stays_there_once_pools_exist(
        management, tmp_path):
    control = control_driver(management)
    default = build_driver(f'sqlite:///{tmp_path}/default.db', {})
    driver = DataDriver(Catalog(control, default))
    driver.queue_controller.create('q', project='p')
    driver.message_controller.post('q', [{'body': 'kept', 'ttl': 60}], 'c',
                                   project='p')
    control.pools_controller.create('new', 1, f'sqlite:///{tmp_path}/n.db')
    # Creating it again (a PUT, a first post elsewhere) must not place it
    # in the new pool, behind an empty queue.
    assert driver.queue_controller.create('q', project='p') is False
    items, _ = page(driver.message_controller.list('q', project='p',
                                                   echo=True))
    assert [m['body'] for m in items] == ['kept']
    assert control.catalogue_controller.count('new') == 0
    driver.queue_controller.create('fresh', project='p')
    assert control.catalogue_controller.get('p', 'fresh') == 'new'
    listed, _ = page(driver.queue_controller.list(project='p'))
    assert [q['name'] for q in listed] == ['fresh', 'q']
    driver.close()


def test_a_dead_letter_queue_follows_its_queue(control):
    driver = DataDriver(Catalog(control))
    driver.queue_controller.create('q', metadata={'_dead_letter_queue': 'd',
                                                  '_max_claim_count': 1},
                                   project='p')
    catalogue = control.catalogue_controller
    assert catalogue.get('p', 'd') == catalogue.get('p', 'q')
    for name in ('lite', 'red', 'blue'):
        if name != catalogue.get('p', 'q'):
            continue
        control.pools_controller.update(name, weight=0)
    driver.queue_controller.create('other', project='p')
    with pytest.raises(errors.ValidationError, match='must share a pool'):
        driver.queue_controller.set_metadata(
            'other', {'_dead_letter_queue': 'd'}, project='p')


def test_new_queues_sharing_a_dead_letter_queue_join_its_pool(control):
    driver = DataDriver(Catalog(control))
    driver.queue_controller.create('d', project='p')
    catalogue = control.catalogue_controller
    for name in ('orders', 'mails', 'invoices'):
        driver.queue_controller.create(
            name, metadata={'_dead_letter_queue': 'd'}, project='p')
        assert catalogue.get('p', name) == catalogue.get('p', 'd')


def test_a_pool_that_goes_down_affects_only_its_queues(tmp_path, management):
    server = RedisServer(tmp_path)
    server.start()
    control = control_driver(management)
    control.pools_controller.create('doomed', 1, server.uri)
    control.pools_controller.create('lite', 0, f'sqlite:///{tmp_path}/l.db')
    driver = DataDriver(Catalog(control))
    driver.queue_controller.create('there', project='p')
    control.pools_controller.update('doomed', weight=0)
    control.pools_controller.update('lite', weight=1)
    driver.queue_controller.create('here', project='p')
    server.kill()
    driver.message_controller.post('here', [{'body': 1, 'ttl': 60}], 'c',
                                   project='p')
    with pytest.raises(errors.StorageUnavailable):
        driver.message_controller.post('there', [{'body': 1, 'ttl': 60}],
                                       'c', project='p')
    health = driver.health()
    assert health['pools']['doomed']['storage_reachable'] is False
    assert health['pools']['lite']['storage_reachable'] is True
    assert health['storage_reachable'] is False
    assert driver.is_alive(), 'the server can still route: ping stays 204'
    driver.message_controller.post('here', [{'body': 2, 'ttl': 60}], 'c',
                                   project='p')
    assert set(driver.gc()) >= {'messages', 'claims'}, 'the others collected'


def test_four_engines_each_serve_the_queues_pinned_to_them(
        control, pools, ferretdb_server):
    # Two Redis servers, a MongoDB-wire server and SQLite behind one API.
    pools = {**pools, 'mongo': (ferretdb_server.uri,
                                {'database': f'pool-{uuid.uuid4().hex}'})}
    control.pools_controller.create('mongo', 1, pools['mongo'][0],
                                    options=pools['mongo'][1])
    for name in pools:
        control.flavors_controller.create(f'on-{name}')
        control.pools_controller.update(name, flavor=f'on-{name}')
    driver = DataDriver(Catalog(control))
    for name in pools:
        queue = f'q-{name}'
        driver.queue_controller.create(queue, metadata={
            '_flavor': f'on-{name}'}, project='p')
        driver.message_controller.post(queue, [{'body': name, 'ttl': 60}],
                                       'c', project='p')
    for name in pools:
        engine = on_engine(pools, name)
        for other in pools:
            there = engine.queue_controller.exists(f'q-{other}', project='p')
            assert there == (other == name), (name, other)
        _, [message] = engine.claim_controller.create(
            f'q-{name}', LEASE, project='p')
        assert message['body'] == name
        engine.close()
    listed, _ = page(driver.queue_controller.list(project='p'))
    assert [q['name'] for q in listed] == sorted(f'q-{n}' for n in pools)


def test_the_catalog_interface_routes_and_caches_drivers(control, pools,
                                                         tmp_path):
    catalog = Catalog(control)
    assert catalog.get_default_pool() is None
    assert catalog.lookup('q', project='p') is None
    assert catalog.get_queue_controller('q', project='p') is None
    for name in ('lite', 'red'):
        control.pools_controller.update(name, weight=0)
    driver = catalog.register('q', project='p')
    assert catalog.register('q', project='p') is driver
    assert catalog.lookup('q', project='p') is driver
    assert catalog.get_driver('blue') is driver, 'built once, then reused'
    for kind in ('queue', 'message', 'claim', 'subscription'):
        assert getattr(catalog, f'get_{kind}_controller')('q', 'p') is \
            getattr(driver, f'{kind}_controller')
    # A pool given a new URI gets a new driver; its old one is closed.
    closed, close = [], driver.close
    driver.close = lambda: (closed.append(True), close())
    control.pools_controller.update('blue', uri=pools['lite'][0])
    assert catalog.get_driver('blue') is not driver
    assert closed == [True]
    catalog.deregister('q', project='p')
    assert catalog.lookup('q', project='p') is None
    default = build_driver(f'sqlite:///{tmp_path}/default.db', {})
    assert Catalog(control, default).get_default_pool() is default
    catalog.close()
    default.close()


def test_pooling_driver_capabilities_are_what_every_pool_offers(control):
    driver = DataDriver(Catalog(control))
    assert driver.capabilities == ('AOD', 'CLAIMS', 'FIFO')  # sqlite, redis
    control.pools_controller.delete('lite')
    assert 'HIGH_THROUGHPUT' in driver.capabilities
    driver.close()


def test_every_operation_lands_on_the_engine_of_its_queue(
        control, pools, ferretdb_server):
    # Each operation through the pooling driver, its effect read back on
    # the engines themselves: only the queue's own engine shows it.
    pools = {**pools, 'mongo': (ferretdb_server.uri,
                                {'database': f'ops-{uuid.uuid4().hex}'})}
    control.pools_controller.create('mongo', 1, *pools['mongo'][:1],
                                    options=pools['mongo'][1])
    for name in pools:
        control.flavors_controller.create(f'on-{name}')
        control.pools_controller.update(name, flavor=f'on-{name}')
    driver = DataDriver(Catalog(control))
    queues, messages = driver.queue_controller, driver.message_controller
    claims, subscriptions = driver.claim_controller, \
        driver.subscription_controller
    engines = {name: on_engine(pools, name) for name in pools}
    for name, engine in engines.items():
        q = f'q-{name}'
        queues.create(q, metadata={'_flavor': f'on-{name}'}, project='p')
        queues.set_metadata(q, {'_flavor': f'on-{name}', 'at': name},
                            project='p')
        ids = messages.post(q, [{'body': [name, n], 'ttl': 300}
                                for n in range(5)], 'c', project='p')
        claim_id, held = claims.create(q, LEASE, project='p', limit=2)
        claims.update(q, claim_id, {'ttl': 120, 'grace': 60}, project='p')
        messages.delete(q, held[0]['id'], project='p', claim=claim_id)
        messages.bulk_delete(q, [ids[2]], project='p')
        [popped] = messages.pop(q, 1, project='p')
        subscription = subscriptions.create(q, f'http://{name}.example', 600,
                                            {}, project='p')
        expected = {'free': 1, 'claimed': 1, 'total': 2}
        for other, seen in engines.items():
            here = other == name
            assert seen.queue_controller.exists(q, project='p') is here
            if not here:
                continue
            assert seen.queue_controller.get(q, project='p')['at'] == name
            stats = seen.queue_controller.stats(q, project='p')['messages']
            assert {key: stats[key] for key in expected} == expected
            assert seen.claim_controller.get(q, claim_id, project='p')[0][
                'ttl'] == 120
            items, _ = page(seen.message_controller.list(
                q, project='p', echo=True, include_claimed=True))
            assert sorted(m['id'] for m in items) == sorted(
                set(ids) - {held[0]['id'], ids[2], popped['id']})
            assert seen.subscription_controller.get(
                q, subscription, project='p')['subscriber'] == \
                f'http://{name}.example'
        assert driver.queue_controller.stats(q, project='p') == \
            engine.queue_controller.stats(q, project='p')
        queues.delete(q, project='p')
        assert not engine.queue_controller.exists(q, project='p')
        engine.close()
    driver.close()


def test_health_says_when_the_management_store_is_down(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    control = control_driver(('redis', server.uri, {'socket_timeout': 0.5}))
    control.pools_controller.create('lite', 1, f'sqlite:///{tmp_path}/l.db')
    driver = DataDriver(Catalog(control))
    assert driver.health()['catalog_reachable'] is True
    server.kill()
    assert driver.health() == {'storage_reachable': False,
                               'catalog_reachable': False, 'pools': {}}
    assert not driver.is_alive()
    with pytest.raises(errors.StorageUnavailable):
        driver.queue_controller.create('q', project='p')
    driver.close()
