"""Consumer tests: a real zaqar-lite server, real databases, sample handlers.

The sample handler packages are copied into a temp folder on ``sys.path``
(so their migrations are written there, not into the repository) and the
first migration of ``zl_sample_handler`` is generated once per test
process, by ``make-migration`` itself.
"""

import shutil
import sys
import tempfile
import uuid

import pytest

from tests.conftest import write_conf
from tests.consumers.helpers import queue_api
from tests.e2e.conftest import Service, service_conf
from zaqar_lite import conf as zconf
from zaqar_lite.cli import main

SOURCE = __file__.rsplit('/', 1)[0] + '/sample_handler_src'


@pytest.fixture(scope='session')
def handler_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp('handlers')
    shutil.copytree(SOURCE, folder, dirs_exist_ok=True)
    sys.path.insert(0, str(folder))
    yield folder / 'zl_sample_handler'
    sys.path.remove(str(folder))


@pytest.fixture(scope='session')
def queue_server(tmp_path_factory):
    with Service(service_conf(tmp_path_factory.mktemp('consumed'),
                              workers=2)) as running:
        yield running


@pytest.fixture(scope='session')
def postgres():
    from tests.engines.postgres import PostgresServer

    folder = tempfile.mkdtemp(prefix='zl-pg-')  # postgres must reach it
    server = PostgresServer(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=['sqlite', 'postgresql'])
def database(request, tmp_path):
    """A new, empty database: a SQLite file, or one on the private
    PostgreSQL cluster (``indirect`` parametrisation picks one)."""
    if request.param == 'sqlite':
        return f'sqlite:///{tmp_path}/consumer.db'
    return request.getfixturevalue('postgres').create_database(
        f'c{uuid.uuid4().hex[:12]}')


@pytest.fixture
def consumer_conf(tmp_path, queue_server, database, handler_folder):
    """``consumer_conf(handler=..., **consumer_options)``: a zaqar.conf for
    one consumer ``events`` of a fresh queue; returns ``(path, queue,
    project)``."""
    def make(handler='zl_sample_handler', consumers=None, **options):
        queue = f'events-{uuid.uuid4().hex[:8]}'
        project = f'consumers-{uuid.uuid4().hex[:8]}'
        path = write_conf(tmp_path / f'{queue}.conf', {
            'consumers': {'endpoint': queue_server.url, 'project': project,
                          'database': database, 'poll_interval': 0.05,
                          **(consumers or {})},
            'consumer:events': {'queue': queue, 'handler': handler,
                                **options}})
        return path, queue, project
    return make


@pytest.fixture(scope='session')
def first_migration(handler_folder, tmp_path_factory):
    """The sample handler's first migration, made once per test process."""
    folder = tmp_path_factory.mktemp('make-migration')
    path = write_conf(folder / 'zaqar.conf', {
        'consumers': {'database': f'sqlite:///{folder}/scratch.db'},
        'consumer:events': {'queue': 'q', 'handler': 'zl_sample_handler'}})
    assert main(['-c', str(path), 'make-migration', 'events', '-m',
                 'sample events']) == 0
    [script] = (handler_folder / 'migrations').glob('*.py')
    return script


@pytest.fixture
def setup(consumer_conf, first_migration):
    """``setup(**consumer options)``: a migrated database, a fresh queue;
    returns ``(conf_path, conf, queue_api)``."""
    def make(**options):
        path, queue, project = consumer_conf(**options)
        assert main(['-c', str(path), 'migrate']) == 0
        conf = zconf.load([str(path)])
        return path, conf, queue_api(conf, queue)
    return make
