"""The delivery worker against a real receiver, over a real SQLite store:
which answers are retried, and whose retry policy applies."""

import pytest

from tests.engines.webhook_receiver import WebhookReceiver
from zaqar_lite import conf as zconf
from zaqar_lite.notification.delivery import DeliveryWorker
from zaqar_lite.notification.notifier import Notifier
from zaqar_lite.storage.sqlite.driver import DataDriver

# Retries at once, then one 20 s apart: what a run until idle reaches is
# exactly the retries without delay.
NO_DELAY = {'minimum_delay': 20, 'maximum_delay': 30,
            'minimum_delay_retries': 1, 'maximum_delay_retries': 0}


@pytest.fixture
def receiver():
    running = WebhookReceiver().start()
    yield running
    running.stop()


@pytest.fixture
def store(tmp_path):
    driver = DataDriver(f'sqlite:///{tmp_path}/deliveries.db')
    yield driver
    driver.close()


@pytest.fixture
def deliver(store, receiver):
    """``deliver(path, options=None, queue_metadata=None, timeout=5)``:
    subscribe ``path`` of the receiver to a new queue, post one message,
    run a delivery worker until nothing is due; returns the worker."""
    def run(path, options=None, queue_metadata=None, timeout=5.0):
        conf = zconf.load()
        conf.set_override('webhook_allowed_networks', ['127.0.0.0/8'],
                          group='notification')
        conf.set_override('webhook_timeout', timeout, group='notification')
        store.queue_controller.create(path, metadata=queue_metadata,
                                      project='p')
        store.subscription_controller.create(
            path, receiver.url(path), 3600, options or {}, project='p')
        messages = [{'body': path, 'ttl': 60}]
        ids = store.message_controller.post(path, messages, 'c', project='p')
        Notifier(conf, store).notify(path, 'p', ids, messages)
        worker = DeliveryWorker(conf, store)
        worker.run_until_idle(timeout=30)
        worker.close()
        return worker
    return run


def test_a_timeout_is_retried_with_the_same_delivery_id(deliver, receiver):
    receiver.stall('slow', times=1)
    worker = deliver('slow', {'_retry_policy': {'retries_with_no_delay': 1,
                                                **NO_DELAY}}, timeout=0.5)
    attempts = receiver.received('slow', ok_only=False)
    assert [d.status for d in attempts] == [0, 204]  # no answer, then OK
    assert attempts[1].headers['X-Zaqar-Attempt'] == '2'
    assert len({d.headers['X-Zaqar-Delivery-ID'] for d in attempts}) == 1
    assert worker.outbox.pending() == 0


@pytest.mark.parametrize('status, attempts', [(500, 3), (503, 3), (429, 3),
                                              (404, 1), (400, 1)])
def test_5xx_and_429_are_retried_other_refusals_are_not(
        deliver, receiver, status, attempts):
    path = f'answers-{status}'
    receiver.fail(path, times=100, status=status)
    worker = deliver(path, {'_retry_policy': {'retries_with_no_delay': 2,
                                              **NO_DELAY}})
    assert len(receiver.received(path, ok_only=False)) == attempts
    # A retried delivery waits for its delayed retry; a refused one is
    # given up.
    assert worker.outbox.pending() == (1 if attempts > 1 else 0)


@pytest.mark.parametrize('subscription, queue, attempts', [
    (None, None, 4),  # Zaqar's default: 3 retries without delay
    (None, 1, 2),     # the queue's _retry_policy
    (2, 1, 3),        # the subscription's wins over the queue's
    (2, -1, 2),       # unless the queue's says ignore_subscription_override
])
def test_the_retry_policy_comes_from_the_subscription_or_the_queue(
        deliver, receiver, subscription, queue, attempts):
    def policy(retries):
        return {'retries_with_no_delay': abs(retries), **NO_DELAY,
                'ignore_subscription_override': retries < 0}

    path = f'policy-{subscription}-{queue}'
    receiver.fail(path, times=100, status=503)
    deliver(path,
            options={} if subscription is None else
            {'_retry_policy': policy(subscription)},
            queue_metadata={} if queue is None else
            {'_retry_policy': policy(queue)})
    assert len(receiver.received(path, ok_only=False)) == attempts
