"""Acknowledged writes survive ``kill -9`` of the writing process."""

import multiprocessing
import os
import signal
import sqlite3

from zaqar_lite.storage.sqlite.driver import DataDriver
from zaqar_lite.storage.utils import page

ACKNOWLEDGED_BEFORE_KILL = 40


def post_forever(uri, acks):
    """Post one message at a time, reporting each id once acknowledged."""
    driver = DataDriver(uri)
    messages, claims = driver.message_controller, driver.claim_controller
    driver.queue_controller.create('q', project='p')
    for n in range(10 ** 6):
        [message_id] = messages.post('q', [{'body': n, 'ttl': 600}], 'c',
                                     project='p')
        acks.send(('posted', message_id))
        if n == 10:
            claim_id, held = claims.create('q', {'ttl': 600, 'grace': 60},
                                           project='p', limit=3)
            acks.send(('claimed', (claim_id, [m['id'] for m in held])))


def every_message(driver):
    found, marker = [], None
    while True:
        items, marker = page(driver.message_controller.list(
            'q', project='p', echo=True, include_claimed=True, marker=marker,
            limit=20))
        if not items:
            return found
        found += [m['id'] for m in items]


def test_acknowledged_posts_and_claims_survive_kill_9(tmp_path):
    # Given a process posting as fast as it can with the default settings,
    uri = f'sqlite:///{tmp_path}/durable.db'
    context = multiprocessing.get_context('spawn')
    receiver, sender = context.Pipe(duplex=False)
    writer = context.Process(target=post_forever, args=(uri, sender))
    writer.start()
    sender.close()
    acknowledged, claim = [], None
    # when it is killed with SIGKILL in the middle of its writes,
    while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL:
        assert receiver.poll(60), 'the writer stopped acknowledging'
        kind, value = receiver.recv()
        if kind == 'posted':
            acknowledged.append(value)
        else:
            claim = value
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(30)
    while receiver.poll():  # acknowledgements already on their way
        try:
            kind, value = receiver.recv()
        except EOFError:  # the writer's end closed when it died
            break
        acknowledged.append(value)
    # then every acknowledged message, and the claim, are in the file.
    assert sqlite3.connect(tmp_path / 'durable.db').execute(
        'PRAGMA integrity_check').fetchone()[0] == 'ok'
    survivor = DataDriver(uri)
    found = every_message(survivor)
    assert found[:len(acknowledged)] == acknowledged
    claim_id, held = claim
    _, still_held = survivor.claim_controller.get('q', claim_id, project='p')
    assert [m['id'] for m in still_held] == held
