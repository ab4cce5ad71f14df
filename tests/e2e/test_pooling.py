"""Pooling end to end: two real servers sharing one management store,
pools and flavors managed with python-zaqarclient in admin mode.

Pools are shared by every test of the module: each test adds its own,
pins its queues to them with flavors, and removes them at the end.
"""

import uuid

import pytest
import requests

from tests.e2e.conftest import Service, service_conf


@pytest.fixture(scope='module')
def management_uri(tmp_path_factory):
    folder = tmp_path_factory.mktemp('management')
    return f'sqlite:///{folder}/management.db'


@pytest.fixture(scope='module')
def servers(tmp_path_factory, management_uri):
    folder = tmp_path_factory.mktemp('pooling')
    sections = {'DEFAULT': {'pooling': True, 'admin_mode': True},
                'drivers:management_store:sqlite': {'uri': management_uri}}
    running = []
    for n in range(2):
        own = folder / f'server{n}'
        own.mkdir()
        running.append(Service(service_conf(own, workers=1, **sections)))
    for server in running:
        server.start()
    yield running
    for server in running:
        server.stop()


def zaqar_client(server, project):
    from zaqarclient.queues.v2 import client

    return client.Client(server.url, version=2, conf={
        'auth_opts': {'backend': 'noauth',
                      'options': {'os_project_id': project}}})


def headers(project):
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': project}


def test_pooled_service_end_to_end(servers, tmp_path, redis_server):
    first, second = servers
    project = f'pool-{uuid.uuid4().hex[:8]}'
    admin = zaqar_client(first, project)
    # With no pool, a queue cannot be made, and the answer says why.
    answer = requests.put(f'{first.url}/v2/queues/early',
                          headers=headers(project), timeout=10)
    assert answer.status_code == 503
    assert 'No pools registered' in answer.json()['description']
    # A pool whose engine does not answer is refused before it is stored.
    answer = requests.put(f'{first.url}/v2/pools/broken',
                          json={'weight': 1, 'uri': 'redis://127.0.0.1:9'},
                          headers=headers(project), timeout=30)
    assert answer.status_code == 400
    assert 'cannot be used' in answer.json()['description']
    prefix = f'e2e-{uuid.uuid4().hex[:8]}'
    admin.pool('lite', weight=1, uri=f'sqlite:///{tmp_path}/lite.db')
    admin.pool('red', weight=1, uri=redis_server.uri,
               options={'key_prefix': prefix})
    admin.flavor('fast', pool_list=['red'])
    assert sorted(p.name for p in admin.pools()) == ['lite', 'red']
    flavor = requests.get(f'{first.url}/v2/flavors/fast',
                          headers=headers(project), timeout=10).json()
    assert flavor['pool_list'] == ['red']
    assert 'HIGH_THROUGHPUT' in flavor['capabilities']
    # A queue of flavor "fast" is made on one server and used on the other.
    assert requests.put(f'{first.url}/v2/queues/orders',
                        json={'_flavor': 'fast'}, headers=headers(project),
                        timeout=10).status_code == 201
    other = zaqar_client(second, project)
    other.queue('orders').post([{'body': {'n': n}, 'ttl': 300}
                                for n in range(3)])
    claimed = list(admin.queue('orders').claim(ttl=60, grace=60, limit=5))
    assert sorted(m.body['n'] for m in claimed) == [0, 1, 2]
    for message in claimed:
        message.delete()
    # The pool that holds the queue cannot be deleted, nor one in a flavor.
    answer = requests.delete(f'{second.url}/v2/pools/red',
                             headers=headers(project), timeout=10)
    assert answer.status_code == 409
    assert 'still holds 1 queues' in answer.json()['description']
    admin.queue('orders').delete()
    answer = requests.delete(f'{second.url}/v2/pools/red',
                             headers=headers(project), timeout=10)
    assert answer.status_code == 409 and 'flavor fast' in answer.text
    requests.delete(f'{second.url}/v2/flavors/fast',
                    headers=headers(project), timeout=10)
    assert requests.delete(f'{second.url}/v2/pools/red',
                           headers=headers(project),
                           timeout=10).status_code == 204
    health = requests.get(f'{first.url}/v2/health', headers=headers(project),
                          timeout=10).json()
    assert health['pools']['lite']['storage_reachable'] is True
    assert 'red' not in health['pools']


def management(uri):
    """The management store the servers share, opened by the test."""
    from zaqar_lite import plugins

    return plugins.load_driver(plugins.CONTROL_DRIVERS, 'sqlite', 'test',
                               uri=uri, options={})


def on_engine(uri, options):
    """A driver of the test's own on a pool's engine."""
    from zaqar_lite.storage.pooling.catalog import build_driver

    return build_driver(uri, options)


def admin_call(method, server, path, **kwargs):
    answer = requests.request(method, f'{server.url}{path}',
                              headers=headers('admin'), timeout=30, **kwargs)
    assert answer.status_code < 300, (method, path, answer.text)
    return answer


def test_two_servers_agree_on_every_route(servers, management_uri, tmp_path,
                                          redis_server):
    first, second = servers
    project = f'routes-{uuid.uuid4().hex[:8]}'
    pools = {'r-lite': (f'sqlite:///{tmp_path}/r-lite.db', {}),
             'r-red': (redis_server.uri,
                       {'key_prefix': f'r-{uuid.uuid4().hex[:8]}'})}
    for name, (uri, options) in pools.items():
        admin_call('PUT', first, f'/v2/pools/{name}',
                   json={'weight': 1, 'uri': uri, 'options': options})
    admin_call('PUT', second, '/v2/flavors/routes',
               json={'pool_list': sorted(pools)})
    queues = [f'q{n}' for n in range(16)]
    control = management(management_uri)
    try:
        # Each queue is made on one server and fed through the other.
        for n, queue in enumerate(queues):
            maker, feeder = (first, second) if n % 2 else (second, first)
            assert requests.put(f'{maker.url}/v2/queues/{queue}',
                                json={'_flavor': 'routes'},
                                headers=headers(project),
                                timeout=10).status_code == 201
            assert requests.post(
                f'{feeder.url}/v2/queues/{queue}/messages',
                json={'messages': [{'body': queue, 'ttl': 300}]},
                headers=headers(project), timeout=10).status_code == 201
        placed = {queue: control.catalogue_controller.get(project, queue)
                  for queue in queues}
        assert set(placed.values()) == set(pools), 'spread by weight'
        engines = {name: on_engine(*pools[name]) for name in pools}
        for queue, pool in placed.items():
            assert [name for name, engine in engines.items()
                    if engine.queue_controller.exists(queue, project=project)
                    ] == [pool]
            for server in servers:
                listed = requests.get(
                    f'{server.url}/v2/queues/{queue}/messages',
                    params={'echo': 'true'}, headers=headers(project),
                    timeout=10).json()['messages']
                assert [m['body'] for m in listed] == [queue]
        for server in servers:
            names = requests.get(f'{server.url}/v2/queues',
                                 params={'limit': 20},
                                 headers=headers(project),
                                 timeout=10).json()['queues']
            assert [q['name'] for q in names] == sorted(queues)
        # A queue deleted on one server and made again in the other pool:
        moved = queues[0]
        other = next(name for name in pools if name != placed[moved])
        requests.delete(f'{second.url}/v2/queues/{moved}',
                        headers=headers(project), timeout=10)
        admin_call('PATCH', second, '/v2/flavors/routes',
                   json={'pool_list': [other]})
        requests.put(f'{second.url}/v2/queues/{moved}',
                     json={'_flavor': 'routes'}, headers=headers(project),
                     timeout=10)
        requests.post(f'{second.url}/v2/queues/{moved}/messages',
                      json={'messages': [{'body': 'new', 'ttl': 300}]},
                      headers=headers(project), timeout=10)
        # the first server follows the new route at once.
        assert control.catalogue_controller.get(project, moved) == other
        listed = requests.get(f'{first.url}/v2/queues/{moved}/messages',
                              params={'echo': 'true'},
                              headers=headers(project),
                              timeout=10).json()['messages']
        assert [m['body'] for m in listed] == ['new']
        for engine in engines.values():
            engine.close()
    finally:
        for queue in queues:
            requests.delete(f'{first.url}/v2/queues/{queue}',
                            headers=headers(project), timeout=10)
        requests.delete(f'{first.url}/v2/flavors/routes',
                        headers=headers('admin'), timeout=10)
        for name in pools:
            requests.delete(f'{first.url}/v2/pools/{name}',
                            headers=headers('admin'), timeout=10)
        control.close()


def test_a_stopped_pool_engine_fails_only_its_queues(servers, tmp_path):
    from tests.conftest import wait_for
    from tests.engines.redis_server import RedisServer

    first, second = servers
    project = f'down-{uuid.uuid4().hex[:8]}'
    engine = RedisServer(tmp_path)
    engine.start()
    pins = {'d-doomed': engine.uri, 'd-safe': f'sqlite:///{tmp_path}/s.db'}
    try:
        for name, uri in pins.items():
            admin_call('PUT', first, f'/v2/pools/{name}',
                       json={'weight': 1, 'uri': uri})
            admin_call('PUT', first, f'/v2/flavors/{name}',
                       json={'pool_list': [name]})
            assert requests.put(f'{first.url}/v2/queues/{name}',
                                json={'_flavor': name},
                                headers=headers(project),
                                timeout=10).status_code == 201

        def post(server, queue):
            return requests.post(
                f'{server.url}/v2/queues/{queue}/messages',
                json={'messages': [{'body': 1, 'ttl': 300}]},
                headers=headers(project), timeout=30)

        engine.kill()
        for server in servers:
            failed = post(server, 'd-doomed')
            assert failed.status_code == 503
            assert failed.headers['Retry-After']
            assert failed.json()['title'] == 'Service temporarily unavailable'
            assert post(server, 'd-safe').status_code == 201
            assert requests.get(f'{server.url}/v2/queues/d-safe/stats',
                                headers=headers(project), timeout=10).json()[
                'messages']['total'] >= 1
            # The server stays in service; health says which pool is down.
            assert requests.get(f'{server.url}/v2/ping',
                                timeout=10).status_code == 204
            health = requests.get(f'{server.url}/v2/health',
                                  headers=headers(project), timeout=30).json()
            assert health['pools']['d-doomed'] == {'storage_reachable': False,
                                                   'queues': 1}
            assert health['pools']['d-safe']['storage_reachable'] is True
            assert health['storage_reachable'] is False
            assert health['catalog_reachable'] is True
        engine.start()  # same port: the pool's queues come back
        for server in servers:
            wait_for(lambda: post(server, 'd-doomed').status_code == 201,
                     what='the restarted pool to serve again')
            assert requests.get(f'{server.url}/v2/health',
                                headers=headers(project), timeout=30).json()[
                'pools']['d-doomed']['storage_reachable'] is True
    finally:
        for name in pins:
            requests.delete(f'{first.url}/v2/queues/{name}',
                            headers=headers(project), timeout=30)
            requests.delete(f'{first.url}/v2/flavors/{name}',
                            headers=headers('admin'), timeout=10)
            requests.delete(f'{first.url}/v2/pools/{name}',
                            headers=headers('admin'), timeout=10)
        engine.stop()


def test_zaqarclient_pool_and_flavor_calls(servers, tmp_path, redis_server):
    from zaqarclient.transport import errors as client_errors

    first, second = servers
    admin = zaqar_client(first, 'admin')
    prefix = f'zc-{uuid.uuid4().hex[:8]}'
    lite = admin.pool('zc-lite', weight=2, uri=f'sqlite:///{tmp_path}/zc.db')
    red = admin.pool('zc-red', weight=1, uri=redis_server.uri,
                     options={'key_prefix': prefix})
    try:
        assert lite.get()['weight'] == 2
        lite.update({'weight': 5})
        seen = zaqar_client(second, 'admin').pool('zc-lite',
                                                  auto_create=False).get()
        assert seen['weight'] == 5
        listed = {p.name: p for p in admin.pools(detailed=True)}
        assert {'zc-lite', 'zc-red'} <= set(listed)
        assert listed['zc-red'].options == {'key_prefix': prefix}
        fast = admin.flavor('zc-fast', pool_list=['zc-red'])
        got = fast.get()
        assert got['pool_list'] == ['zc-red']
        assert 'HIGH_THROUGHPUT' in got['capabilities']
        fast.update({'pool_list': ['zc-lite']})
        assert admin.flavor('zc-fast', auto_create=False).get()[
            'pool_list'] == ['zc-lite']
        assert admin.pool('zc-red', auto_create=False).get()['flavor'] \
            is None
        assert 'zc-fast' in [f.name for f in admin.flavors()]
        with pytest.raises(client_errors.ConflictError):
            lite.delete()  # it belongs to the flavor
        fast.delete()
        with pytest.raises(client_errors.ResourceNotFound):
            fast.get()
        with pytest.raises(client_errors.MalformedRequest):
            admin.pool('zc-bad', weight=1, uri='redis://127.0.0.1:9')
    finally:
        requests.delete(f'{first.url}/v2/flavors/zc-fast',
                        headers=headers('admin'), timeout=10)
        for pool in (lite, red):
            pool.delete()
    with pytest.raises(client_errors.ResourceNotFound):
        red.get()
