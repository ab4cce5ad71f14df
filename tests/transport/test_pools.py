"""The admin API (/v2/pools, /v2/flavors) and pooling as production builds
them: ``[DEFAULT] pooling`` and ``admin_mode`` on, each management store
(SQLite, Redis, MongoDB), SQLite pools in ``tmp_path`` (Redis where a
driver's capabilities are compared)."""

import uuid

import falcon.testing
import pytest

import zaqar_lite.bootstrap
import zaqar_lite.conf


def pooled_bootstrap(tmp_path, overrides=None):
    """A ``Bootstrap`` with pooling and the admin API on; ``overrides``
    maps ``(group, option)`` to a value."""
    conf = zaqar_lite.conf.load()
    conf.set_override('uri', f'sqlite:///{tmp_path}/store.db',
                      group='drivers:message_store:sqlite')
    conf.set_override('uri', f'sqlite:///{tmp_path}/management.db',
                      group='drivers:management_store:sqlite')
    conf.set_override('pooling', True)
    conf.set_override('admin_mode', True)
    for (group, option), value in (overrides or {}).items():
        conf.set_override(option, value,
                          group=None if group == 'DEFAULT' else group)
    return zaqar_lite.bootstrap.Bootstrap(conf)


@pytest.fixture(params=['sqlite', 'redis', 'mongodb'])
def bootstrap(request, tmp_path):
    """A pooled bootstrap on each management store (Zaqar's Redis one
    cannot even create a pool)."""
    overrides = {}
    if request.param == 'redis':
        group = 'drivers:management_store:redis'
        overrides = {
            ('drivers', 'management_store'): 'redis',
            (group, 'uri'): request.getfixturevalue('redis_server').uri,
            (group, 'key_prefix'): f'm-{uuid.uuid4().hex}'}
    if request.param == 'mongodb':
        group = 'drivers:management_store:mongodb'
        overrides = {
            ('drivers', 'management_store'): 'mongodb',
            (group, 'uri'): request.getfixturevalue('ferretdb_server').uri,
            (group, 'database'): f'm-{uuid.uuid4().hex}'}
    built = pooled_bootstrap(tmp_path, overrides)
    yield built
    built.close()


@pytest.fixture
def api(bootstrap):
    return falcon.testing.TestClient(bootstrap.app)


@pytest.fixture
def hdrs():
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'p'}


@pytest.fixture
def add_pool(api, hdrs, tmp_path):
    """``add_pool(name, weight=1, **fields)``: a SQLite pool, answer 201."""
    def add(name, weight=1, **fields):
        fields.setdefault('uri', f'sqlite:///{tmp_path}/{name}.db')
        resp = api.simulate_put(f'/v2/pools/{name}', headers=hdrs,
                                json={'weight': weight, **fields})
        assert resp.status_code == 201, resp.text
        return resp
    return add


def assert_error(resp, status, *words):
    assert resp.status_code == status, resp.text
    assert set(resp.json) == {'title', 'description'}
    for word in words:
        assert word in resp.json['description']


def pool_names(api, hdrs, **params):
    return [pool['name'] for pool in api.simulate_get(
        '/v2/pools', headers=hdrs, params=params).json['pools']]


# -- pools -------------------------------------------------------------------

def test_pool_create_get_and_detailed(api, hdrs, add_pool, tmp_path):
    resp = add_pool('a', weight=3, options={'busy_timeout': 5})
    assert resp.headers['Location'] == '/v2/pools/a'
    uri = f'sqlite:///{tmp_path}/a.db'
    assert api.simulate_get('/v2/pools/a', headers=hdrs).json == {
        'name': 'a', 'uri': uri, 'weight': 3, 'flavor': None,
        'href': '/v2/pools/a'}
    detailed = api.simulate_get('/v2/pools/a', headers=hdrs,
                                params={'detailed': 'true'}).json
    assert detailed['options'] == {'busy_timeout': 5}


def test_pool_listing_pages_with_limit_and_marker(api, hdrs, add_pool):
    for name in ('c', 'a', 'b'):
        add_pool(name)
    first = api.simulate_get('/v2/pools', headers=hdrs,
                             params={'limit': 2}).json
    assert [p['name'] for p in first['pools']] == ['a', 'b']
    assert 'options' not in first['pools'][0]
    [link] = first['links']
    second = api.simulate_get(link['href'], headers=hdrs).json
    assert [p['name'] for p in second['pools']] == ['c']
    assert pool_names(api, hdrs, marker='c') == []
    detailed = api.simulate_get('/v2/pools', headers=hdrs,
                                params={'detailed': 'true'}).json['pools']
    assert all(pool['options'] == {} for pool in detailed)


@pytest.mark.parametrize('limit', [0, 21])
def test_pool_listing_limit_is_bounded(api, hdrs, limit):
    assert_error(api.simulate_get('/v2/pools', headers=hdrs,
                                  params={'limit': limit}), 400,
                 'no greater than 20')


def test_pool_patch_changes_the_given_fields(api, hdrs, add_pool, tmp_path):
    add_pool('a')
    api.simulate_put('/v2/flavors/fast', headers=hdrs,
                     json={'pool_list': ['a']})
    resp = api.simulate_patch('/v2/pools/a', headers=hdrs,
                              json={'weight': 7, 'options': {'x': 1}})
    assert resp.status_code == 200
    assert (resp.json['weight'], resp.json['flavor'], resp.json['options']) \
        == (7, 'fast', {'x': 1})
    assert_error(api.simulate_patch('/v2/pools/a', headers=hdrs, json={}),
                 400, 'needs to be specified')
    assert_error(api.simulate_patch('/v2/pools/nope', headers=hdrs,
                                    json={'weight': 1}), 404, 'nope')
    assert_error(api.simulate_patch('/v2/pools/a', headers=hdrs,
                                    json={'flavor': 'unknown'}), 400,
                 'unknown')


@pytest.mark.parametrize('document, words', [
    ({'uri': 'sqlite:///x.db'}, ['Missing weight']),
    ({'weight': 1}, ['Missing uri']),
    ({'weight': -1, 'uri': 'sqlite:///x.db'}, ['weight']),
    ({'weight': 1, 'uri': 'sqlite:///x.db', 'options': [1]}, ['options']),
    ({'weight': 1, 'uri': 'ftp://127.0.0.1/x'}, ["'ftp'"]),
    ({'weight': 1, 'uri': 'sqlite:///x.db', 'flavor': 'none'}, ['none']),
    ({'weight': 1, 'uri': 'redis://127.0.0.1:9'}, ['cannot be used']),
])
def test_a_bad_pool_is_refused_and_nothing_is_stored(api, hdrs, add_pool,
                                                     document, words):
    add_pool('good')
    api.simulate_put('/v2/queues/q', headers=hdrs)
    assert_error(api.simulate_put('/v2/pools/bad', headers=hdrs,
                                  json=document), 400, *words)
    # Zaqar's check rewrites the server's configuration; this one leaves
    # the server, its pools and its queues as they were.
    assert pool_names(api, hdrs) == ['good']
    assert api.simulate_get('/v2/pools/good', headers=hdrs).json['uri'] \
        .endswith('/good.db')
    resp = api.simulate_post('/v2/queues/q/messages', headers=hdrs,
                             json={'messages': [{'body': 1}]})
    assert resp.status_code == 201
    assert api.simulate_put('/v2/queues/other',
                            headers=hdrs).status_code == 201


@pytest.mark.parametrize('uri', ['ftp://127.0.0.1/x', 'redis://127.0.0.1:9',
                                 'mongodb://127.0.0.1:9/'])
def test_a_pool_moved_to_a_bad_uri_keeps_its_old_one(api, hdrs, add_pool,
                                                     uri):
    add_pool('good')
    api.simulate_put('/v2/queues/q', headers=hdrs)
    assert_error(api.simulate_patch('/v2/pools/good', headers=hdrs, json={
        'uri': uri, 'options': {'server_selection_timeout': 0.2}}), 400)
    assert api.simulate_get('/v2/pools/good', headers=hdrs).json['uri'] \
        .endswith('/good.db')
    assert api.simulate_post('/v2/queues/q/messages', headers=hdrs, json={
        'messages': [{'body': 1}]}).status_code == 201


def test_a_pool_holding_queues_or_in_a_flavor_is_not_deleted(api, hdrs,
                                                            add_pool):
    add_pool('a')
    api.simulate_put('/v2/queues/q', headers=hdrs)
    assert_error(api.simulate_delete('/v2/pools/a', headers=hdrs), 409,
                 'still holds 1 queues')
    api.simulate_delete('/v2/queues/q', headers=hdrs)
    api.simulate_put('/v2/flavors/fast', headers=hdrs,
                     json={'pool_list': ['a']})
    assert_error(api.simulate_delete('/v2/pools/a', headers=hdrs), 409,
                 'flavor fast')
    api.simulate_delete('/v2/flavors/fast', headers=hdrs)
    assert api.simulate_delete('/v2/pools/a',
                               headers=hdrs).status_code == 204
    assert_error(api.simulate_get('/v2/pools/a', headers=hdrs), 404)
    assert api.simulate_delete('/v2/pools/a',
                               headers=hdrs).status_code == 204


# -- flavors -----------------------------------------------------------------

def test_flavor_create_get_list_update_delete(api, hdrs, add_pool):
    add_pool('a')
    add_pool('b')
    resp = api.simulate_put('/v2/flavors/fast', headers=hdrs,
                            json={'pool_list': ['a', 'b']})
    assert resp.status_code == 201
    assert resp.headers['Location'] == '/v2/flavors/fast'
    flavor = api.simulate_get('/v2/flavors/fast', headers=hdrs).json
    assert flavor == {'name': 'fast', 'href': '/v2/flavors/fast',
                      'pool_list': ['a', 'b'],
                      'capabilities': ['AOD', 'CLAIMS', 'DURABILITY',
                                       'FIFO']}
    assert api.simulate_get('/v2/flavors', headers=hdrs).json['flavors'] \
        == [flavor]
    resp = api.simulate_patch('/v2/flavors/fast', headers=hdrs,
                              json={'pool_list': ['b']})
    assert resp.status_code == 200 and resp.json['pool_list'] == ['b']
    assert api.simulate_get('/v2/pools/a', headers=hdrs).json['flavor'] \
        is None
    assert api.simulate_delete('/v2/flavors/fast',
                               headers=hdrs).status_code == 204
    # Its pools are left without a flavor (Zaqar leaves them pointing at
    # the deleted one), so they take unflavored queues again.
    assert api.simulate_get('/v2/pools/b', headers=hdrs).json['flavor'] \
        is None
    assert_error(api.simulate_get('/v2/flavors/fast', headers=hdrs), 404,
                 'fast')
    assert api.simulate_get('/v2/flavors', headers=hdrs).json == {
        'flavors': [], 'links': []}


def test_flavor_capabilities_are_what_every_pool_driver_offers(
        api, hdrs, add_pool, redis_server):
    add_pool('lite')
    add_pool('red', uri=redis_server.uri,
             options={'key_prefix': f'caps-{uuid.uuid4().hex}'})
    api.simulate_put('/v2/flavors/red', headers=hdrs,
                     json={'pool_list': ['red']})
    assert api.simulate_get('/v2/flavors/red', headers=hdrs).json[
        'capabilities'] == ['AOD', 'CLAIMS', 'FIFO', 'HIGH_THROUGHPUT']
    api.simulate_patch('/v2/flavors/red', headers=hdrs,
                       json={'pool_list': ['red', 'lite']})
    assert api.simulate_get('/v2/flavors/red', headers=hdrs).json[
        'capabilities'] == ['AOD', 'CLAIMS', 'FIFO']


@pytest.mark.parametrize('document, status, words', [
    ({}, 400, ['pool_list']),
    ({'pool_list': []}, 400, ['pool_list']),
    ({'pool_list': ['missing']}, 400, ['missing']),
    ({'pool_list': ['a'], 'capabilities': [1]}, 400, ['capabilities']),
])
def test_a_bad_flavor_is_refused(api, hdrs, add_pool, document, status,
                                 words):
    add_pool('a')
    assert_error(api.simulate_put('/v2/flavors/f', headers=hdrs,
                                  json=document), status, *words)
    assert api.simulate_get('/v2/flavors', headers=hdrs).json['flavors'] \
        == []


def test_a_flavor_places_its_queues_in_its_pools(api, hdrs, add_pool,
                                                 bootstrap):
    add_pool('plain')
    add_pool('fast')
    api.simulate_put('/v2/flavors/fast', headers=hdrs,
                     json={'pool_list': ['fast']})
    for n in range(5):
        api.simulate_put(f'/v2/queues/f{n}', headers=hdrs,
                         json={'_flavor': 'fast'})
        api.simulate_put(f'/v2/queues/p{n}', headers=hdrs)
    catalogue = bootstrap.control_driver.catalogue_controller
    assert {catalogue.get('p', f'f{n}') for n in range(5)} == {'fast'}
    assert {catalogue.get('p', f'p{n}') for n in range(5)} == {'plain'}
    assert_error(api.simulate_put('/v2/queues/x', headers=hdrs,
                                  json={'_flavor': 'nope'}), 400, 'nope')


# -- queues over pools -------------------------------------------------------

def test_with_count_is_the_number_of_queues_across_pools(api, hdrs,
                                                         add_pool):
    add_pool('a')
    add_pool('b')
    for n in range(5):
        api.simulate_put(f'/v2/queues/q{n}', headers=hdrs)
    body = api.simulate_get('/v2/queues', headers=hdrs,
                            params={'limit': 2, 'with_count': 'true'}).json
    assert len(body['queues']) == 2
    assert body['count'] == 5 and type(body['count']) is int


def test_with_no_pool_writes_get_a_503_saying_so(api, hdrs):
    resp = api.simulate_put('/v2/queues/q', headers=hdrs)
    assert_error(resp, 503, 'No pools registered')
    assert resp.headers['Retry-After']
    assert_error(api.simulate_post('/v2/queues/q/messages', headers=hdrs,
                                   json={'messages': [{'body': 1}]}), 503,
                 'No pools registered')
    # A queue in no pool reads as a queue never created does.
    assert api.simulate_get('/v2/queues/q/stats', headers=hdrs).json == {
        'messages': {'claimed': 0, 'free': 0, 'delayed': 0, 'total': 0}}
    assert api.simulate_get('/v2/queues/q/messages', headers=hdrs).json == {
        'messages': [], 'links': []}
    assert api.simulate_post('/v2/queues/q/claims',
                             headers=hdrs).status_code == 204
    assert_error(api.simulate_get('/v2/queues/q/messages/abc',
                                  headers=hdrs), 404)
    assert api.simulate_delete('/v2/queues/q', headers=hdrs).status_code \
        == 204
    assert api.simulate_get('/v2/ping').status_code == 204


def test_enable_virtual_pool_serves_queues_from_the_message_store(tmp_path,
                                                                  hdrs):
    built = pooled_bootstrap(tmp_path, {
        ('pooling:catalog', 'enable_virtual_pool'): True})
    api = falcon.testing.TestClient(built.app)
    try:
        assert api.simulate_put('/v2/queues/q', headers=hdrs).status_code \
            == 201
        api.simulate_post('/v2/queues/q/messages', headers=hdrs,
                          json={'messages': [{'body': 'virtual'}]})
        store = built.data_driver.catalog.get_default_pool()
        assert store.uri == f'sqlite:///{tmp_path}/store.db'
        assert store.queue_controller.stats('q', project='p')['messages'][
            'total'] == 1
        assert api.simulate_get('/v2/health', headers=hdrs).json['pools'] \
            == {'(default)': {'storage_reachable': True}}
        # A registered pool takes new queues; the old one stays put.
        api.simulate_put('/v2/pools/a', headers=hdrs, json={
            'weight': 1, 'uri': f'sqlite:///{tmp_path}/a.db'})
        api.simulate_put('/v2/queues/q', headers=hdrs)
        api.simulate_put('/v2/queues/new', headers=hdrs)
        catalogue = built.control_driver.catalogue_controller
        assert catalogue.count('a') == 1
        listed = api.simulate_get('/v2/queues', headers=hdrs).json['queues']
        assert [q['name'] for q in listed] == ['new', 'q']
        stats = api.simulate_get('/v2/queues/q/stats', headers=hdrs).json
        assert stats['messages']['total'] == 1
    finally:
        built.close()


def test_pipelines_wrap_the_pooling_driver_unchanged(tmp_path, hdrs,
                                                     monkeypatch):
    log = tmp_path / 'stages.log'
    monkeypatch.setenv('ZAQAR_LITE_STAGE_LOG', str(log))
    built = pooled_bootstrap(tmp_path, {
        ('storage', 'queue_pipeline'): ['test_record_first',
                                        'test_always_created']})
    api = falcon.testing.TestClient(built.app)
    try:
        api.simulate_put('/v2/pools/a', headers=hdrs, json={
            'weight': 1, 'uri': f'sqlite:///{tmp_path}/a.db'})
        assert api.simulate_put('/v2/queues/q', headers=hdrs).status_code \
            == 201
        # a stage that answers halts the pipeline: no pool is involved
        assert api.simulate_put('/v2/queues/halt-x',
                                headers=hdrs).status_code == 201
        assert log.read_text().splitlines() == [
            'first create q', 'first create halt-x', 'halted create halt-x']
        catalogue = built.control_driver.catalogue_controller
        assert catalogue.get('p', 'q') == 'a'
        assert catalogue.count('a') == 1
    finally:
        built.close()


def test_the_admin_api_exists_only_in_admin_mode(tmp_path, hdrs):
    built = pooled_bootstrap(tmp_path, {('DEFAULT', 'admin_mode'): False})
    api = falcon.testing.TestClient(built.app)
    try:
        for path in ('/v2/pools', '/v2/pools/a', '/v2/flavors',
                     '/v2/flavors/f', '/v2/health'):
            assert api.simulate_get(path, headers=hdrs).status_code == 404
        assert api.simulate_put('/v2/pools/a', headers=hdrs, json={
            'weight': 1, 'uri': f'sqlite:///{tmp_path}/a.db'}).status_code \
            == 404
    finally:
        built.close()


def test_a_lost_management_store_is_a_503_on_every_route(tmp_path, hdrs):
    from tests.engines.redis_server import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    group = 'drivers:management_store:redis'
    built = pooled_bootstrap(tmp_path, {
        ('drivers', 'management_store'): 'redis', (group, 'uri'): server.uri,
        (group, 'socket_timeout'): 0.5})
    api = falcon.testing.TestClient(built.app)
    try:
        api.simulate_put('/v2/pools/a', headers=hdrs, json={
            'weight': 1, 'uri': f'sqlite:///{tmp_path}/a.db'})
        api.simulate_put('/v2/queues/q', headers=hdrs)
        server.kill()
        for method, path in (('GET', '/v2/pools'), ('GET', '/v2/flavors'),
                             ('GET', '/v2/pools/a'), ('PUT', '/v2/queues/q'),
                             ('GET', '/v2/queues'),
                             ('GET', '/v2/queues/q/messages')):
            resp = api.simulate_request(method, path, headers=hdrs)
            assert_error(resp, 503, 'could not be reached')
        assert api.simulate_get('/v2/ping').status_code == 503
        assert api.simulate_get('/v2/health', headers=hdrs).json[
            'catalog_reachable'] is False
    finally:
        built.close()
        server.stop()
