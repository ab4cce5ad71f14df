"""Consumer tests: a real zaqar-lite server, real databases, one handler.

The sample handler package is copied into a temp folder on ``sys.path``
(so its migrations are written there, not into the repository) and its
first migration is generated once per test process.
"""

import shutil
import sys
import tempfile
import uuid

import pytest

from tests.conftest import write_conf
from tests.e2e.conftest import Service, service_conf

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
    running = Service(service_conf(tmp_path_factory.mktemp('consumed'),
                                   workers=2))
    running.start()
    yield running
    running.stop()


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
    if request.param == 'sqlite':
        return f'sqlite:///{tmp_path}/consumer.db'
    return request.getfixturevalue('postgres').create_database(
        f'c{uuid.uuid4().hex[:12]}')


@pytest.fixture
def consumer_conf(tmp_path, queue_server, database, handler_folder):
    """``consumer_conf(**consumer_options)``: a zaqar.conf for one consumer
    ``events`` of a fresh queue; returns ``(path, queue, project)``."""
    def make(**options):
        queue = f'events-{uuid.uuid4().hex[:8]}'
        project = f'consumers-{uuid.uuid4().hex[:8]}'
        path = write_conf(tmp_path / f'{queue}.conf', {
            'consumers': {'endpoint': queue_server.url, 'project': project,
                          'database': database, 'poll_interval': 0.05},
            'consumer:events': {'queue': queue,
                                'handler': 'zl_sample_handler', **options}})
        return path, queue, project
    return make
