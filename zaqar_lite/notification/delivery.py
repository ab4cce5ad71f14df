"""The delivery worker: takes pending deliveries and sends them.

Each subscriber has a lane: its entries are sent one at a time in the
order they were taken, while lanes run in parallel on
``[notification] max_notifier_workers`` threads, so a slow subscriber holds
up no one but itself.  A failed send is retried by the retry policy as a
new, delayed outbox entry; order is kept per subscriber while deliveries
succeed, and a retried message may arrive after later ones.
"""

import collections
import concurrent.futures
import logging
import threading
import urllib.parse

from zaqar_lite import errors
from zaqar_lite.notification import retry
from zaqar_lite.notification.outbox import Outbox
from zaqar_lite.notification.tasks.base import (Delivery, DeliveryFailed,
                                                load_tasks)

LOG = logging.getLogger(__name__)


class DeliveryWorker:
    """Delivers what the outbox of ``driver``'s store holds.

    Args:
        conf: the service configuration.
        driver: the data driver.
        tasks: ``{scheme: Task}``; loaded from ``[transport]
            subscriber_types`` when not given.
    """

    def __init__(self, conf, driver, tasks=None):
        notification = conf.notification
        self.conf = conf
        self.driver = driver
        self.outbox = Outbox(driver, ttl=notification.delivery_ttl,
                             lease=notification.delivery_lease)
        self.tasks = tasks if tasks is not None else load_tasks(
            conf, conf.transport.subscriber_types)
        self.batch = notification.delivery_batch
        self.poll_interval = notification.poll_interval
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=notification.max_notifier_workers,
            thread_name_prefix='zaqar-lite-delivery')
        self._lock = threading.Lock()
        self._lanes = {}
        self._outstanding = 0
        self._idle = threading.Condition(self._lock)

    # -- the loop ------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Deliver until ``stop`` is set; storage errors are retried."""
        while not stop.is_set():
            try:
                if self._outstanding >= 2 * self.batch or not self._fill():
                    stop.wait(self.poll_interval)
            except errors.StorageUnavailable as exc:
                LOG.warning('delivery worker: storage unavailable: %s', exc)
                stop.wait(max(self.poll_interval, 1.0))
            except Exception:
                LOG.exception('delivery worker: unexpected error')
                stop.wait(max(self.poll_interval, 1.0))
        self.close()

    def run_until_idle(self, timeout=None) -> None:
        """Deliver everything deliverable now, then return (tests, CLI).

        Retries due at once (``retries_with_no_delay``) are posted by the
        lanes after the outbox looked empty, so the outbox is read again
        once the lanes are idle, until it has nothing due.
        """
        while True:
            while self._fill():
                pass
            self.wait_idle(timeout)
            if not self._fill():
                return

    def wait_idle(self, timeout=None) -> bool:
        """Wait until no taken entry is left; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0,
                                       timeout)

    def close(self):
        self._executor.shutdown(wait=True)

    def _fill(self) -> bool:
        """Take one batch into the lanes; False when nothing was there."""
        taken = self.outbox.take(self.batch)
        for item in taken:
            self._enqueue(item)
        return bool(taken)

    def _enqueue(self, item):
        key = (item.entry.get('scope'), item.entry.get('source'),
               item.entry.get('subscription_id'))
        with self._lock:
            self._outstanding += 1
            lane = self._lanes.get(key)
            if lane is not None:
                lane.append(item)
                return
            self._lanes[key] = collections.deque([item])
        self._executor.submit(self._drain, key)

    def _drain(self, key):
        while True:
            with self._lock:
                lane = self._lanes[key]
                if not lane:
                    del self._lanes[key]
                    return
                item = lane.popleft()
            try:
                self.process(item)
            except Exception:
                LOG.exception('delivery of outbox entry %s failed; it will '
                              'be retried when its lease ends',
                              item.message_id)
            finally:
                with self._idle:
                    self._outstanding -= 1
                    self._idle.notify_all()

    # -- one entry -----------------------------------------------------------

    def process(self, item) -> None:
        """Send one outbox entry's messages; retry or finish it."""
        entry = item.entry
        subscription = self._subscription(entry)
        if subscription is None or (
                entry['kind'] == 'notification'
                and self.conf.notification.require_confirmation
                and not subscription['confirmed']):
            self.outbox.done(item)
            return
        scheme = urllib.parse.urlsplit(subscription['subscriber']).scheme
        task = self.tasks.get(scheme)
        if task is None:
            LOG.error('no notification task for %s subscribers; dropping '
                      'a delivery to %s', scheme, subscription['id'])
            self.outbox.done(item)
            return
        attempt = entry['attempt']
        pairs = list(zip(entry['messages'], entry['delivery_ids']))
        for index, (message, delivery) in enumerate(pairs):
            try:
                task.send(Delivery(subscription, message, delivery, attempt))
            except DeliveryFailed as exc:
                delays = retry.delays(self._policy(entry, subscription))
                if exc.retryable and attempt <= len(delays):
                    self._retry(entry, pairs[index:], attempt, delays, exc)
                    break
                LOG.warning('giving up delivery %s to %s after %d attempts: '
                            '%s', delivery, subscription['subscriber'],
                            attempt, exc)
        self.outbox.done(item)

    def _retry(self, entry, pairs, attempt, delays, exc):
        delay = delays[attempt - 1]
        LOG.info('delivery %s to subscription %s failed (attempt %d: %s); '
                 'retrying in %d s', pairs[0][1], entry['subscription_id'],
                 attempt, exc, delay)
        self.outbox.put([{**entry, 'attempt': attempt + 1,
                          'messages': [message for message, _ in pairs],
                          'delivery_ids': [delivery for _, delivery in pairs]}],
                        delay=delay)

    def _subscription(self, entry):
        try:
            return self.driver.subscription_controller.get(
                entry['source'], entry['subscription_id'],
                project=entry['scope'])
        except errors.SubscriptionDoesNotExist:
            return None

    def _policy(self, entry, subscription):
        try:
            metadata = self.driver.queue_controller.get(
                entry['source'], project=entry['scope'])
        except errors.QueueDoesNotExist:
            metadata = {}
        return retry.effective(subscription['options'].get('_retry_policy'),
                               metadata.get('_retry_policy'))
