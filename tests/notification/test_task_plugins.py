"""New push protocols are plugins, and notification never fails a post."""

import logging
import sys
import textwrap

import falcon.testing
import pytest
from stevedore.extension import ExtensionManager

from tests.transport.conftest import build_bootstrap
from zaqar_lite import errors
from zaqar_lite.notification.outbox import Outbox

HEADERS = {'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c',
           'X-Project-ID': 'p'}

GOPHER_TASK = '''
from zaqar_lite.notification.tasks.base import Task

SENT = []


class GopherTask(Task):
    def send(self, delivery):
        SENT.append((delivery.subscription['subscriber'], delivery.message))
'''


@pytest.fixture
def gopher_package(tmp_path, monkeypatch):
    """A task package registered in ``zaqar_lite.notification.tasks``
    under ``gopher``, installed as a dist-info folder on ``sys.path``."""
    folder = tmp_path / 'site'
    info = folder / 'zl_gopher_task-0.1.dist-info'
    info.mkdir(parents=True)
    (info / 'METADATA').write_text('Metadata-Version: 2.1\n'
                                   'Name: zl-gopher-task\nVersion: 0.1\n')
    (info / 'entry_points.txt').write_text(textwrap.dedent('''\
        [zaqar_lite.notification.tasks]
        gopher = zl_gopher_task:GopherTask
        '''))
    (folder / 'zl_gopher_task.py').write_text(GOPHER_TASK)
    monkeypatch.syspath_prepend(str(folder))
    # stevedore keeps each group's entry points for the process; an
    # earlier test read this group before the package was "installed".
    monkeypatch.setattr(ExtensionManager, 'ENTRY_POINT_CACHE', {})
    import zl_gopher_task
    yield zl_gopher_task
    sys.modules.pop('zl_gopher_task', None)


def notifying_bootstrap(tmp_path, subscriber_types=None):
    bootstrap = build_bootstrap(tmp_path)
    bootstrap.conf.set_override('message_pipeline', ['notifier'],
                                group='storage')
    if subscriber_types:
        bootstrap.conf.set_override('subscriber_types', subscriber_types,
                                    group='transport')
    return bootstrap


def test_a_task_plugin_serves_its_scheme(tmp_path, gopher_package):
    bootstrap = notifying_bootstrap(
        tmp_path, ['http', 'https', 'mailto', 'gopher'])
    client = falcon.testing.TestClient(bootstrap.app)
    try:
        answer = client.simulate_post(
            '/v2/queues/q/subscriptions', headers=HEADERS,
            json={'subscriber': 'gopher://relay.example.com/x'})
        assert answer.status_code == 201, answer.text
        posted = client.simulate_post('/v2/queues/q/messages',
                                      headers=HEADERS,
                                      json={'messages': [{'body': 'hi'}]})
        [href] = posted.json['resources']
        worker = bootstrap.delivery_worker()
        worker.run_until_idle(timeout=30)
        worker.close()
        [(subscriber, message)] = gopher_package.SENT
        assert subscriber == 'gopher://relay.example.com/x'
        assert (message['id'], message['body']) == \
            (href.rsplit('/', 1)[1], 'hi')
    finally:
        bootstrap.close()


def test_a_scheme_without_its_plugin_is_not_subscribable(tmp_path):
    bootstrap = notifying_bootstrap(tmp_path)
    client = falcon.testing.TestClient(bootstrap.app)
    try:
        answer = client.simulate_post(
            '/v2/queues/q/subscriptions', headers=HEADERS,
            json={'subscriber': 'gopher://relay.example.com/x'})
        assert answer.status_code == 400
        assert 'gopher' not in answer.json['description']
        assert "['http', 'https', 'mailto']" in answer.json['description']
    finally:
        bootstrap.close()


def test_a_notifier_failure_does_not_fail_the_post(tmp_path, monkeypatch,
                                                   caplog):
    bootstrap = notifying_bootstrap(tmp_path)
    client = falcon.testing.TestClient(bootstrap.app)
    try:
        assert client.simulate_post(
            '/v2/queues/q/subscriptions', headers=HEADERS,
            json={'subscriber': 'http://93.184.216.34/hook'}
        ).status_code == 201

        def outbox_down(self, entries, delay=0):
            raise errors.StorageUnavailable('the outbox store is down')

        monkeypatch.setattr(Outbox, 'put', outbox_down)
        caplog.set_level(logging.ERROR)
        posted = client.simulate_post('/v2/queues/q/messages',
                                      headers=HEADERS,
                                      json={'messages': [{'body': 'kept'}]})
        assert posted.status_code == 201, posted.text
        assert client.simulate_get(posted.json['resources'][0],
                                   headers=HEADERS).json['body'] == 'kept'
        assert 'could not queue notifications of 1 messages' in caplog.text
    finally:
        bootstrap.close()
