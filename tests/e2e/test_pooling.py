"""Pooling end to end: two real servers sharing one management store,
pools and flavors managed with python-zaqarclient in admin mode."""

import uuid

import pytest
import requests

from tests.e2e.conftest import Service, service_conf


@pytest.fixture(scope='module')
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp('pooling')
    sections = {'DEFAULT': {'pooling': True, 'admin_mode': True},
                'drivers:management_store:sqlite': {
                    'uri': f'sqlite:///{folder}/management.db'}}
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
