"""Long-poll claims on every driver: the doorbell and the re-checks.

A ``ClaimWaiter`` is what ``POST .../claims?wait=N`` uses; here it waits
on a driver directly.  Tests that check the doorbell make re-checks far
rarer than the wait, so only a ring can end the wait early.
"""

import multiprocessing
import threading
import time

from tests.storage.contract.conftest import build_driver
from zaqar_lite.transport.longpoll import ClaimWaiter

LEASE = {'ttl': 60, 'grace': 60}
WAIT = 20  # seconds a claim waits in tests that must not wait it out
NO_RECHECK = 600  # seconds: longer than any wait here


class Attempts:
    """The claim controller, counting attempts; ``listening`` is set once
    an attempt made while listening on the doorbell found nothing."""

    def __init__(self, claims):
        self.claims = claims
        self.count = 0
        self.listening = threading.Event()

    def create(self, queue, metadata, project=None, limit=10):
        claim = self.claims.create(queue, metadata, project=project,
                                   limit=limit)
        self.count += 1
        if self.count >= 2 and not claim[1]:
            self.listening.set()
        return claim


class Waiting:
    """A long-poll claim running in a thread."""

    def __init__(self, driver, wait=WAIT, recheck=NO_RECHECK, queue='q',
                 limit=5):
        self.attempts = Attempts(driver.claim_controller)
        waiter = ClaimWaiter(self.attempts, driver.doorbell, max_waiting=8,
                             recheck=recheck)
        self.result = None
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._run, args=(
            waiter, queue, wait, limit))
        self.thread.start()

    def _run(self, waiter, queue, wait, limit):
        self.result = waiter.create(queue, LEASE, project='p', limit=limit,
                                    wait=wait)
        self.ended = time.monotonic()

    def until_listening(self):
        assert self.attempts.listening.wait(WAIT), 'the claim never waited'
        return self

    def outcome(self):
        self.thread.join(WAIT + 30)
        assert not self.thread.is_alive()
        return self.result, self.ended - self.started


def post_elsewhere(settings, count):
    """In another process: post ``count`` messages to p/q."""
    driver = build_driver(*settings)
    driver.message_controller.post(
        'q', [{'body': n, 'ttl': 300} for n in range(count)], 'producer',
        project='p')
    driver.close()


def test_a_post_from_another_process_wakes_a_waiter(driver_settings,
                                                    driver):
    driver.queue_controller.create('q', project='p')
    waiting = Waiting(driver).until_listening()
    poster = multiprocessing.get_context('spawn').Process(
        target=post_elsewhere, args=(driver_settings, 2))
    poster.start()
    poster.join(60)
    assert poster.exitcode == 0
    (claim_id, messages), took = waiting.outcome()
    assert claim_id is not None
    assert sorted(m['body'] for m in messages) == [0, 1]
    assert took < WAIT / 2, 'the post did not wake the claim'


def test_a_post_from_this_process_wakes_a_waiter(driver):
    driver.queue_controller.create('q', project='p')
    waiting = Waiting(driver).until_listening()
    driver.message_controller.post('q', [{'body': 'x', 'ttl': 300}], 'c',
                                   project='p')
    (_, messages), took = waiting.outcome()
    assert [m['body'] for m in messages] == ['x']
    assert took < WAIT / 2, 'the post did not wake the claim'


def test_a_release_wakes_a_waiter(driver):
    driver.queue_controller.create('q', project='p')
    driver.message_controller.post('q', [{'body': 'x', 'ttl': 300}], 'c',
                                   project='p')
    first, _ = driver.claim_controller.create('q', LEASE, project='p')
    waiting = Waiting(driver).until_listening()
    driver.claim_controller.delete('q', first, project='p')
    (claim_id, messages), took = waiting.outcome()
    assert claim_id not in (None, first)
    assert [m['body'] for m in messages] == ['x']
    assert took < WAIT / 2, 'the release did not wake the claim'


def test_a_delayed_post_does_not_end_the_wait_before_its_delay(driver):
    driver.queue_controller.create('q', project='p')
    waiting = Waiting(driver, wait=1, recheck=0.2).until_listening()
    driver.message_controller.post('q', [{'body': 'x', 'ttl': 300,
                                          'delay': 60}], 'c', project='p')
    (claim_id, messages), took = waiting.outcome()
    assert (claim_id, messages) == (None, [])


def test_a_wait_ends_with_nothing_after_its_time(driver):
    driver.queue_controller.create('q', project='p')
    (claim_id, messages), took = Waiting(driver, wait=1,
                                         recheck=0.2).outcome()
    assert (claim_id, messages) == (None, [])
    assert took >= 1, 'the claim did not wait'


def test_a_message_whose_delay_ends_during_the_wait_is_found(driver):
    driver.queue_controller.create('q', project='p')
    driver.message_controller.post('q', [{'body': 'later', 'ttl': 300,
                                          'delay': 1}], 'c', project='p')
    (claim_id, messages), took = Waiting(driver, recheck=0.2).outcome()
    assert [m['body'] for m in messages] == ['later']
    assert took < WAIT / 2, 'the re-check did not find the message'


def test_a_waiter_on_another_queue_sleeps_on(driver):
    driver.queue_controller.create('q', project='p')
    driver.queue_controller.create('other', project='p')
    waiting = Waiting(driver, wait=1, queue='other').until_listening()
    driver.message_controller.post('q', [{'body': 'x', 'ttl': 300}], 'c',
                                   project='p')
    (claim_id, _), _took = waiting.outcome()
    assert claim_id is None
    assert waiting.attempts.count == 3  # at once, listening, at the end
    assert len(driver.claim_controller.create('q', LEASE, project='p')[1]) \
        == 1


def test_a_post_wakes_many_waiters_of_one_queue(driver):
    driver.queue_controller.create('q', project='p')
    waitings = [Waiting(driver, limit=1).until_listening()
                for _ in range(3)]
    driver.message_controller.post(
        'q', [{'body': n, 'ttl': 300} for n in range(3)], 'c', project='p')
    outcomes = [waiting.outcome() for waiting in waitings]
    assert sorted(m['body'] for (_, messages), _ in outcomes
                  for m in messages) == [0, 1, 2]
    assert all(took < WAIT / 2 for _, took in outcomes)


def test_a_release_into_a_redelivery_backoff_does_not_end_the_wait(driver):
    driver.queue_controller.create('q', project='p', metadata={
        '_redelivery_policy': {'retries_with_no_delay': 0,
                               'minimum_delay_retries': 1,
                               'minimum_delay': 60, 'maximum_delay': 60}})
    driver.message_controller.post('q', [{'body': 'x', 'ttl': 300}], 'c',
                                   project='p')
    first, _ = driver.claim_controller.create('q', LEASE, project='p')
    waiting = Waiting(driver, wait=1, recheck=0.2).until_listening()
    driver.claim_controller.delete('q', first, project='p')
    (claim_id, messages), _took = waiting.outcome()
    assert (claim_id, messages) == (None, [])
