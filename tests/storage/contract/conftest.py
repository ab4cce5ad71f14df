"""The drivers the contract suite runs against, one param each.

A later driver joins the suite by adding a factory to ``FACTORIES``: a
function of ``tmp_path`` and the pytest request returning the ``(name, uri, options)`` a driver is
built from, so other processes can build the same driver again.
"""

import uuid

import pytest

from zaqar_lite import plugins


def sqlite_settings(tmp_path):
    return 'sqlite', f'sqlite:///{tmp_path}/contract.db', {
        'busy_timeout': 10.0, 'synchronous': 'NORMAL'}


def redis_settings(tmp_path, request):
    # One server for the run; a key prefix of its own isolates each test.
    server = request.getfixturevalue('redis_server')
    return 'redis', server.uri, {'key_prefix': f'test-{uuid.uuid4().hex}',
                                 'socket_timeout': 5.0}


def mongodb_settings(tmp_path, request):
    # One server for the run; a database of its own isolates each test.
    server = request.getfixturevalue('ferretdb_server')
    return 'mongodb', server.uri, {'database': f'test-{uuid.uuid4().hex}',
                                   'socket_timeout': 10.0}


def pooling_settings(tmp_path, request):
    # Two pools on different engines under one SQLite management store;
    # queues spread over both by weight.
    server = request.getfixturevalue('redis_server')
    pools = [('sqlite-pool', f'sqlite:///{tmp_path}/pool.db', 1, {}),
             ('redis-pool', server.uri, 1,
              {'key_prefix': f'pool-{uuid.uuid4().hex}'})]
    return 'pooling', f'sqlite:///{tmp_path}/management.db', {'pools': pools}


FACTORIES = {'sqlite': lambda tmp_path, request: sqlite_settings(tmp_path),
             'redis': redis_settings, 'mongodb': mongodb_settings,
             'pooling': pooling_settings}


def build_driver(name, uri, options):
    """A data driver built the way bootstrap builds one."""
    if name == 'pooling':
        return build_pooling_driver(uri, options['pools'])
    return plugins.load_driver(plugins.DATA_DRIVERS, name, 'test',
                               uri=uri, options=options)


def build_pooling_driver(management_uri, pools):
    from zaqar_lite.storage.pooling.catalog import Catalog
    from zaqar_lite.storage.pooling.driver import DataDriver

    control = plugins.load_driver(plugins.CONTROL_DRIVERS, 'sqlite', 'test',
                                  uri=management_uri, options={})
    for name, uri, weight, options in pools:
        control.pools_controller.create(name, weight, uri, options=options)
    return DataDriver(Catalog(control))


@pytest.fixture(params=sorted(FACTORIES))
def driver_settings(request, tmp_path):
    return FACTORIES[request.param](tmp_path, request)


@pytest.fixture
def driver(driver_settings):
    built = build_driver(*driver_settings)
    yield built
    built.close()


@pytest.fixture
def queues(driver):
    return driver.queue_controller


@pytest.fixture
def messages(driver):
    return driver.message_controller


@pytest.fixture
def claims(driver):
    return driver.claim_controller


@pytest.fixture
def subscriptions(driver):
    return driver.subscription_controller


@pytest.fixture
def topics(driver):
    return driver.topic_controller
