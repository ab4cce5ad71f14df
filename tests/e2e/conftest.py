"""A real gunicorn serving zaqar-lite, started once per test session."""

import os
import signal
import subprocess
import sys
import uuid

import pytest
import requests

from tests.conftest import free_port, wait_for, write_conf


class Service:
    """A ``zaqar-lite serve`` process on a loopback port."""

    def __init__(self, conf_path, env=None, store='sqlite'):
        self.conf_path = conf_path
        self.env = {**os.environ, **(env or {})}
        self.store = store
        self.proc = None
        # A file, not a pipe nobody reads: a full pipe would block the
        # server at its next log line.
        self.log_path = conf_path.parent / 'server.log'

    def __enter__(self):
        """Started; stopped when the ``with`` block ends, however."""
        self.start()
        return self

    def __exit__(self, *_exc):
        self.stop()

    def start(self):
        with open(self.log_path, 'ab') as log:
            self.proc = subprocess.Popen(
                [sys.executable, '-m', 'zaqar_lite.cli', 'serve',
                 '--config-file', str(self.conf_path)],
                stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True, env=self.env)
        self.wait_until_up(self.is_up, 'gunicorn to answer /v2/ping')

    def wait_until_up(self, predicate, what):
        """Wait for ``predicate``; a server that never gets there is
        stopped, not left running after the test."""
        try:
            wait_for(predicate, timeout=60, what=what)
        except BaseException:
            self.stop()
            raise

    def log_tail(self, size=4000):
        """The end of what the server has written to its log."""
        return self.log_path.read_text(errors='replace')[-size:]

    def is_up(self):
        if self.proc.poll() is not None:
            raise AssertionError('zaqar-lite serve exited: '
                                 + self.log_tail(2000))
        try:
            return requests.get(self.url + '/v2/ping', timeout=2) \
                .status_code == 204
        except (requests.ConnectionError, requests.Timeout):
            return False  # not listening yet, or its worker still booting

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}'

    @property
    def port(self):
        for line in self.conf_path.read_text().splitlines():
            if line.startswith('port = '):
                return int(line.split('=')[1])
        raise AssertionError('no port in the configuration')

    def kill_all(self):
        """SIGKILL the master and every worker at once."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill_all()


def service_conf(folder, workers=2, **sections):
    """A zaqar.conf for a server in ``folder``; ``sections`` add to it."""
    base = {
        'drivers:transport:wsgi': {'bind': '127.0.0.1', 'port': free_port(),
                                   'workers': workers},
        'drivers:message_store:sqlite': {'uri': f'sqlite:///{folder}/e2e.db'},
        'storage': {'gc_interval': 1},
    }
    for section, options in sections.items():
        base.setdefault(section, {}).update(options)
    return write_conf(folder / 'zaqar.conf', base)


@pytest.fixture(scope='session', params=['sqlite', 'redis', 'mongodb'])
def service(request, tmp_path_factory):
    """gunicorn on each store: the same tests run against all of them."""
    folder = tmp_path_factory.mktemp(f'e2e-{request.param}')
    sections = {}
    if request.param == 'redis':
        redis_uri = request.getfixturevalue('redis_server').uri
        sections = {'drivers': {'message_store': 'redis'},
                    'drivers:message_store:redis': {
                        'uri': redis_uri,
                        'key_prefix': f'e2e-{uuid.uuid4().hex[:8]}'}}
    if request.param == 'mongodb':
        mongodb_uri = request.getfixturevalue('ferretdb_server').uri
        sections = {'drivers': {'message_store': 'mongodb'},
                    'drivers:message_store:mongodb': {
                        'uri': mongodb_uri,
                        'database': f'e2e-{uuid.uuid4().hex[:8]}'}}
    with Service(service_conf(folder, **sections),
                 store=request.param) as running:
        yield running


@pytest.fixture
def project():
    """A fresh project per test, so tests share the server safely."""
    return f'e2e-{uuid.uuid4().hex[:12]}'


@pytest.fixture
def client(service, project):
    from zaqarclient.queues.v2 import client as zaqar

    return zaqar.Client(service.url, version=2, conf={
        'auth_opts': {'backend': 'noauth',
                      'options': {'os_project_id': project}}})
