"""Consumer workers against a real server, on SQLite and PostgreSQL."""

import os
import signal
import subprocess
import sys
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import wait_for
from zaqar_lite import conf as zconf
from zaqar_lite.cli import main
from zaqar_lite.consumers import config as consumer_config
from zaqar_lite.consumers.worker import ConsumerWorker, engine_for
from zaqar_lite.filer.api import QueueApi


@pytest.fixture(scope='session')
def first_migration(handler_folder, tmp_path_factory):
    """The sample handler's first migration, made once per test process."""
    from tests.conftest import write_conf

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
        settings = conf.consumers
        return path, conf, QueueApi(settings.endpoint, queue, project)
    return make


def post(api, *documents):
    for start in range(0, len(documents), 20):
        status, reason = api.post([{'body': document, 'ttl': 600}
                                   for document in documents[start:start
                                                             + 20]])
        assert status == 201, reason


def run_once(conf, workers=1):
    engine = engine_for(conf)
    consumer = consumer_config.consumer(conf, 'events')
    stop = threading.Event()
    runners = [ConsumerWorker(conf, consumer, engine, stop)
               for _ in range(workers)]
    threads = [threading.Thread(target=runner.run, args=(True,))
               for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    engine.dispose()
    return runners


def stored_keys(conf):
    engine = create_engine(conf.consumers.database)
    with engine.connect() as connection:
        keys = [row[0] for row in connection.execute(
            text('SELECT key FROM sample_events ORDER BY key'))]
    engine.dispose()
    return keys


def test_each_message_is_stored_exactly_once_by_concurrent_workers(setup):
    _, conf, api = setup(concurrency=2, batch=7)
    keys = [f'k{n:03d}' for n in range(60)]
    post(api, *[{'key': key} for key in keys])
    run_once(conf, workers=3)
    assert stored_keys(conf) == keys
    assert api.claim(20, 60) == (None, [])


def test_a_failing_message_is_rolled_back_and_retried(setup):
    from zl_sample_handler import ATTEMPTS

    _, conf, api = setup()
    flaky = f'flaky-{uuid.uuid4().hex}'
    post(api, {'key': flaky, 'fail': 2}, {'key': 'fine'})
    run_once(conf)
    assert stored_keys(conf) == ['fine', flaky]  # no '#attempt' rows
    assert ATTEMPTS[flaky] == 3


def test_a_poison_message_ends_in_the_dead_letter_queue(setup):
    from zl_sample_handler import ATTEMPTS

    _, conf, api = setup()
    dead = api.url.rsplit('/', 1)[1] + '-dead'
    answer = api.session.put(api.url, json={
        '_max_claim_count': 3, '_dead_letter_queue': dead}, timeout=10)
    assert answer.status_code in (201, 204)
    poison = f'poison-{uuid.uuid4().hex}'
    post(api, {'key': poison, 'fail': 'always'}, {'key': 'good'})
    run_once(conf)
    assert stored_keys(conf) == ['good']
    assert ATTEMPTS[poison] == 3
    letters = QueueApi(conf.consumers.endpoint, dead, conf.consumers.project)
    _, messages = letters.claim(10, 60)
    assert [m['body']['key'] for m in messages] == [poison]


def worker_process(conf_path, handler_folder, *args):
    env = {**os.environ,
           'PYTHONPATH': f'{handler_folder.parent}{os.pathsep}'
                         f'{os.environ.get("PYTHONPATH", "")}'}
    return subprocess.Popen(
        [sys.executable, '-m', 'zaqar_lite.cli', '-c', str(conf_path),
         *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def test_sigterm_mid_batch_loses_nothing_and_repeats_nothing(
        setup, handler_folder):
    path, conf, api = setup(batch=10)
    keys = [f's{n}' for n in range(10)]
    post(api, *[{'key': key, 'sleep': 0.2} for key in keys])
    worker = worker_process(path, handler_folder, 'worker')
    wait_for(lambda: len(stored_keys(conf)) >= 2, timeout=60,
             what='a few messages processed')
    worker.send_signal(signal.SIGTERM)
    _, log = worker.communicate(timeout=30)
    assert worker.returncode == 0, log
    done = stored_keys(conf)
    assert 2 <= len(done) < 10, 'SIGTERM should stop the batch midway'
    assert 'returned' in log
    run_once(conf)  # the returned messages are claimable at once
    assert stored_keys(conf) == sorted(keys)


def test_handler_subcommands(setup, handler_folder):
    path, conf, api = setup()
    post(api, {'key': 'a1'}, {'key': 'a2'}, {'key': 'b1'})
    run_once(conf)
    shown = worker_process(path, handler_folder, '-h')
    assert 'events' in shown.communicate(timeout=60)[0]
    counted = worker_process(path, handler_folder, 'events', 'count',
                             '--prefix', 'a')
    out, err = counted.communicate(timeout=60)
    assert counted.returncode == 0, err
    assert "2 events starting with 'a'" in out
    helped = worker_process(path, handler_folder, 'events', '-h')
    assert 'count' in helped.communicate(timeout=60)[0]


def test_make_migration_writes_what_migrate_applies(first_migration, setup,
                                                    capsys):
    assert "create_table('sample_events'" in first_migration.read_text()
    path, conf, _ = setup()
    engine = create_engine(conf.consumers.database)
    with engine.connect() as connection:
        version = connection.execute(text(
            'SELECT version_num FROM alembic_version_zl_sample_handler'
        )).scalar()
    engine.dispose()
    assert first_migration.name.startswith(version)
    capsys.readouterr()
    assert main(['-c', str(path), 'make-migration', 'events']) == 0
    assert 'no migration written' in capsys.readouterr().out


def test_two_heads_are_detected_and_can_be_merged(first_migration, setup,
                                                  capsys):
    path, conf, _ = setup()
    folder = first_migration.parent
    revision = first_migration.name.split('_')[0]
    fork = folder / 'f0f0f0f0f0f0_fork.py'
    fork.write_text(
        f'revision = "f0f0f0f0f0f0"\ndown_revision = "{revision}"\n'
        'branch_labels = None\ndepends_on = None\n\n\n'
        'def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n')
    second = folder / 'e1e1e1e1e1e1_other.py'
    second.write_text(fork.read_text().replace('f0f0f0f0f0f0',
                                               'e1e1e1e1e1e1'))
    try:
        capsys.readouterr()
        assert main(['-c', str(path), 'migrate']) == 1
        error = capsys.readouterr().err
        assert '2 heads' in error and 'merge-migrations events' in error
        assert main(['-c', str(path), 'merge-migrations', 'events']) == 0
        merged = capsys.readouterr().out.strip().splitlines()[-1]
        assert main(['-c', str(path), 'migrate']) == 0
    finally:
        for script in (fork, second):
            script.unlink()
        if 'merged' in locals():
            os.unlink(merged)


def test_a_handler_that_commits_is_stopped(setup, monkeypatch):
    import zl_sample_handler

    def committing(dbsession, record):
        dbsession.commit()

    _, conf, api = setup()
    monkeypatch.setattr(zl_sample_handler, 'process', committing)
    dead = api.url.rsplit('/', 1)[1] + '-dead'
    api.session.put(api.url, json={'_max_claim_count': 1,
                                   '_dead_letter_queue': dead}, timeout=10)
    post(api, {'key': 'x'})
    run_once(conf)
    letters = QueueApi(conf.consumers.endpoint, dead, conf.consumers.project)
    assert len(letters.claim(10, 60)[1]) == 1


def test_the_example_orders_handler(tmp_path, queue_server):
    from tests.conftest import write_conf

    example = os.path.join(os.path.dirname(__file__), '..', '..',
                           'examples', 'orders-handler')
    queue, project = f'orders-{uuid.uuid4().hex[:8]}', 'shop'
    path = write_conf(tmp_path / 'zaqar.conf', {
        'consumers': {'endpoint': queue_server.url, 'project': project,
                      'database': f'sqlite:///{tmp_path}/orders.db'},
        'consumer:orders': {'queue': queue, 'handler': 'orders_handler'}})
    api = QueueApi(queue_server.url, queue, project)
    post(api, {'order_id': 'A-1', 'customer': 'ann', 'amount': 9.5},
         {'order_id': 'A-2', 'customer': 'bob', 'amount': 1},
         {'order_id': 'A-1', 'customer': 'ann', 'amount': 9.5})
    env = {**os.environ, 'PYTHONPATH': os.path.abspath(example)}

    def cli(*args):
        done = subprocess.run([sys.executable, '-m', 'zaqar_lite.cli', '-c',
                               str(path), *args], env=env, text=True,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli('migrate')
    cli('worker', '--once')
    assert '2 orders, 10.50 in total' in cli('orders', 'total')
    assert '1 orders, 9.50 in total' in cli('orders', 'total',
                                            '--customer', 'ann')
