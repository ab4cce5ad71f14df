"""What the worker does with messages, against a real server, on SQLite
and PostgreSQL."""

import logging
import re
import threading
import uuid

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import wait_for
from tests.consumers.helpers import (bodies, cli_process,
                                     dead_letter_policy, post, run_once,
                                     stored_keys)
from zaqar_lite.cli import main
from zaqar_lite.consumers import config as consumer_config
from zaqar_lite.consumers import database
from zaqar_lite.consumers.batch import Batch, Handling
from zaqar_lite.consumers.worker import ConsumerWorker

SQLITE_ONLY = pytest.mark.parametrize('database', ['sqlite'], indirect=True)
BATCH_LINE = (r'events: batch of (\d+): (\d+) processed, (\d+) failed, '
              r'(\d+) returned in \d+\.\d{3} s \(\d+\.\d msg/s\)')


def test_each_message_is_stored_exactly_once_by_concurrent_workers(setup):
    _, conf, api = setup(concurrency=2, batch=7)
    keys = [f'k{n:03d}' for n in range(60)]
    post(api, *[{'key': key} for key in keys])
    runners = run_once(conf, workers=3)
    assert stored_keys(conf) == keys
    assert sum(r.totals['processed'] for r in runners) == 60
    assert sum(r.totals['failed'] for r in runners) == 0
    assert api.claim(20, 60) == (None, [])


def test_each_message_is_stored_once_by_concurrent_worker_processes(
        setup, handler_folder):
    path, conf, api = setup(concurrency=2, batch=5)
    keys = [f'p{n:03d}' for n in range(60)]
    post(api, *[{'key': key} for key in keys])
    workers = [cli_process(path, handler_folder.parent, 'worker', '--once')
               for _ in range(3)]
    logs = [worker.communicate(timeout=120)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], logs
    assert stored_keys(conf) == keys
    counts = [tuple(int(n) for n in match.groups())
              for log in logs for match in re.finditer(BATCH_LINE, log)]
    # Each message processed once: a second processing would have failed
    # on the unique key, and shown in a batch line.
    assert sum(c[1] for c in counts) == 60
    assert sum(c[2] for c in counts) == 0


def test_a_failing_message_is_rolled_back_and_retried(setup, caplog):
    from zl_sample_handler import ATTEMPTS

    _, conf, api = setup()
    dead_letter_policy(api, max_claims=5)
    flaky = f'flaky-{uuid.uuid4().hex}'
    post(api, {'key': flaky, 'fail': 2}, {'key': 'fine'})
    [flaky_id] = [message['id'] for message in api.session.get(
        f'{api.url}/messages', params={'echo': 'true', 'limit': 1},
        timeout=10).json()['messages']]
    caplog.set_level(logging.INFO, logger='zaqar_lite.consumers')
    run_once(conf)
    assert stored_keys(conf) == ['fine', flaky]  # no '#attempt' rows
    assert ATTEMPTS[flaky] == 3
    # Each failure is logged with the message id and the handler's error.
    failures = [r for r in caplog.records if 'failed; it will be retried'
                in r.getMessage()]
    assert [r.getMessage() for r in failures] == \
        [f'events: message {flaky_id} failed; it will be retried'] * 2
    assert all(f'planned failure of {flaky}' in str(r.exc_info[1])
               for r in failures)
    # And each batch makes one line with its counts and rate.
    batches = [r.getMessage() for r in caplog.records
               if re.fullmatch(BATCH_LINE, r.getMessage())]
    assert batches and len(batches) == len(
        [r for r in caplog.records if ': batch of ' in r.getMessage()])
    counts = [tuple(int(n) for n in re.fullmatch(BATCH_LINE, line).groups())
              for line in batches]
    assert sum(c[1] for c in counts) == 2  # fine once, flaky once
    assert sum(c[2] for c in counts) == 2


def test_a_poison_message_ends_in_the_dead_letter_queue(setup):
    from zl_sample_handler import ATTEMPTS

    _, conf, api = setup()
    letters = dead_letter_policy(api, max_claims=3)
    poison = f'poison-{uuid.uuid4().hex}'
    post(api, {'key': poison, 'fail': 'always'}, {'key': 'good'})
    run_once(conf)
    assert stored_keys(conf) == ['good']
    assert ATTEMPTS[poison] == 3
    assert bodies(letters) == [{'key': poison, 'fail': 'always'}]


@SQLITE_ONLY
def test_once_without_a_dead_letter_policy_tries_a_failure_once_and_ends(
        setup, caplog):
    from zl_sample_handler import ATTEMPTS

    _, conf, api = setup(batch=2)
    caplog.set_level(logging.WARNING, logger='zaqar_lite.consumers')
    poison = f'poison-{uuid.uuid4().hex}'
    post(api, {'key': poison, 'fail': 'always'},
         *[{'key': f'n{n}'} for n in range(3)])
    [runner] = run_once(conf)
    assert stored_keys(conf) == ['n0', 'n1', 'n2']
    assert ATTEMPTS[poison] == 1
    assert runner.totals['failed'] == 1
    assert bodies(api) == [{'key': poison, 'fail': 'always'}]
    assert 'has no _max_claim_count and _dead_letter_queue: a message that ' \
        'always fails is tried once in this run' in caplog.text


@SQLITE_ONLY
def test_a_handler_that_commits_fails_its_message(setup, monkeypatch):
    import zl_sample_handler

    def committing(dbsession, record):
        dbsession.commit()

    _, conf, api = setup()
    monkeypatch.setattr(zl_sample_handler, 'process', committing)
    letters = dead_letter_policy(api, max_claims=1)
    post(api, {'key': 'x'})
    [runner] = run_once(conf)
    assert runner.totals['failed'] == 1
    assert bodies(letters) == [{'key': 'x'}]


@SQLITE_ONLY
def test_process_gets_each_body_as_bytes_and_acknowledged_ones_go(setup):
    _, conf, api = setup()
    post(api, 'h\u00e9llo', {'key': 'k', 'n': [1, 2]}, 7)
    claim_id, messages = api.claim(3, 60)
    seen = []

    def process(dbsession, record):
        seen.append(record)

    engine = database.engine_for(conf)
    handling = Handling('events', process, engine,
                        database.handler_sessions(engine), claim_ttl=60,
                        claim_grace=60, renew_after=60,
                        stop=threading.Event())
    outcome = Batch(handling, api, claim_id, messages).run()
    engine.dispose()
    assert seen == ['h\u00e9llo'.encode(), b'{"key":"k","n":[1,2]}', b'7']
    assert outcome.processed == 3
    assert api.claim(20, 60) == (None, [])  # deleted, none left


@SQLITE_ONLY
def test_a_batch_whose_claim_is_lost_leaves_the_rest_alone(setup):
    _, conf, api = setup()
    post(api, {'key': 'a'}, {'key': 'b'}, {'key': 'c'})
    claim_id, messages = api.claim(3, 60)
    seen = []

    def process(dbsession, record):
        seen.append(record)
        api.release(claim_id)  # as if the claim had expired

    engine = database.engine_for(conf)
    handling = Handling('events', process, engine,
                        database.handler_sessions(engine), claim_ttl=60,
                        claim_grace=60, renew_after=0,
                        stop=threading.Event())
    outcome = Batch(handling, api, claim_id, messages).run()
    engine.dispose()
    assert (outcome.processed, outcome.returned) == (1, 2)
    assert outcome.claim_lost and len(seen) == 1
    assert len(bodies(api)) == 3  # the first was never deleted: redelivered


@SQLITE_ONLY
def test_a_long_batch_renews_its_claim(setup):
    _, conf, api = setup()
    post(api, {'key': 'a'}, {'key': 'b'})
    claim_id, messages = api.claim(2, 60)
    ttls = []

    def process(dbsession, record):
        ttls.append(api.session.get(f'{api.url}/claims/{claim_id}',
                                    timeout=10).json()['ttl'])

    engine = database.engine_for(conf)
    handling = Handling('events', process, engine,
                        database.handler_sessions(engine), claim_ttl=120,
                        claim_grace=60, renew_after=0,
                        stop=threading.Event())
    outcome = Batch(handling, api, claim_id, messages).run()
    engine.dispose()
    assert outcome.processed == 2 and not outcome.claim_lost
    assert ttls == [120, 120]  # renewed (to claim_ttl) before each message


@pytest.mark.parametrize('database', ['postgresql'], indirect=True)
def test_a_database_outage_costs_each_message_one_claim_at_most(
        setup, postgres, caplog):
    _, conf, api = setup(batch=5)
    letters = dead_letter_policy(api, max_claims=2)
    name = make_url(conf.consumers.database).database
    postgres.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    postgres.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                     'WHERE datname = %s', name)
    keys = [f'o{n}' for n in range(5)]
    post(api, *[{'key': key} for key in keys])
    caplog.set_level(logging.DEBUG, logger='zaqar_lite.consumers')
    stop = threading.Event()
    engine = database.engine_for(conf)
    runner = ConsumerWorker(conf, consumer_config.consumer(conf, 'events'),
                            engine, stop)
    thread = threading.Thread(target=runner.run)
    thread.start()
    try:
        wait_for(lambda: caplog.text.count('still unavailable') >= 3,
                 what='the worker to wait for the database')
        postgres.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        wait_for(lambda: stored_keys(conf) == keys, what='all stored')
    finally:
        stop.set()
        thread.join(30)
        engine.dispose()
    assert 'the database is unavailable' in caplog.text
    assert runner.totals['failed'] == 0
    assert bodies(letters) == []


@SQLITE_ONLY
def test_a_refused_claim_stops_the_worker_with_an_error(setup, capsys):
    path, _, api = setup()
    text = path.read_text().replace('[consumers]\n',
                                    '[consumers]\nclaim_ttl = 90000\n')
    path.write_text(text)
    post(api, {'key': 'k'})
    assert main(['-c', str(path), 'worker', '--once']) == 1
    assert 'claiming from' in capsys.readouterr().err
    assert len(bodies(api)) == 1


@SQLITE_ONLY
def test_the_worker_refuses_a_database_behind_its_migrations(
        consumer_conf, first_migration, capsys):
    path, _, _ = consumer_conf()
    assert main(['-c', str(path), 'worker', '--once']) == 1
    error = capsys.readouterr().err
    assert 'no revision' in error and 'migrate' in error


@SQLITE_ONLY
def test_a_handler_named_by_its_entry_point(setup):
    # sample_handler_src holds a dist-info declaring the entry point.
    _, conf, api = setup(handler='zl-sample')
    post(api, {'key': 'by-entry-point'})
    run_once(conf)
    assert stored_keys(conf) == ['by-entry-point']
