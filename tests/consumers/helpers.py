"""Helpers of the consumer tests: post, run a worker, read the rows."""

import os
import subprocess
import sys
import threading

from sqlalchemy import create_engine, text

from zaqar_lite.consumers import config as consumer_config
from zaqar_lite.consumers.database import engine_for
from zaqar_lite.consumers.worker import ConsumerWorker
from zaqar_lite.filer.api import QueueApi


def queue_api(conf, queue):
    """A client of ``queue`` on the configured endpoint and project."""
    return QueueApi(conf.consumers.endpoint, queue, conf.consumers.project)


def post(api, *documents):
    for start in range(0, len(documents), 20):
        status, reason = api.post([{'body': document, 'ttl': 600}
                                   for document in documents[start:start
                                                             + 20]])
        assert status == 201, reason


def dead_letter_policy(api, max_claims):
    """Give the queue a dead-letter queue; returns a client of it."""
    dead = api.url.rsplit('/', 1)[1] + '-dead'
    answer = api.session.put(api.url, json={
        '_max_claim_count': max_claims, '_dead_letter_queue': dead},
        timeout=10)
    assert answer.status_code in (201, 204), answer.text
    project = api.session.headers['X-Project-ID']
    return QueueApi(api.url.rsplit('/v2/', 1)[0], dead, project)


def bodies(api):
    """The bodies of the messages claimable in the queue (claimed for a
    minute)."""
    _, messages = api.claim(20, 60)
    return [message['body'] for message in messages]


def run_once(conf, workers=1):
    """Run ``workers`` workers of consumer ``events`` with ``once``, each
    with its configured threads; returns them."""
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


def cli_process(conf_path, python_path, *args):
    """``zaqar-lite -c conf_path ARGS`` in a new process."""
    env = {**os.environ,
           'PYTHONPATH': f'{python_path}{os.pathsep}'
                         f'{os.environ.get("PYTHONPATH", "")}'}
    return subprocess.Popen(
        [sys.executable, '-m', 'zaqar_lite.cli', '-c', str(conf_path),
         *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
