"""The consumer loop: ``concurrency`` threads, each claiming batches.

Each thread has its own HTTP session (and its own Client-ID unless one is
configured) and a new database session per message (``batch.py``).

- An empty queue: wait ``poll_interval``; with ``once``, the thread ends.
- A batch with failures: wait ``poll_interval`` before the next claim, so
  retries do not spin.
- The database down: the batch is returned to the queue and the thread
  waits until the database answers before it claims again, so an outage
  costs each message at most one claim (not its way to the dead-letter
  queue); with ``once``, the run ends with an error instead.
- The server down: retried after ``poll_interval``; with ``once``, an
  error.
- A claim refused (4xx: TTL, project, credentials): an error that stops
  every consumer of the process.

With ``once`` on a queue without a dead-letter policy (both
``_max_claim_count`` and ``_dead_letter_queue``), a message that fails is
not tried again in the same run (it is left for the next run), so a
poison message cannot keep the run from ending.

Delivery is at least once: a message whose delete fails after the commit
(the claim expired, the server is down) is processed again later, so
handlers should be idempotent where that matters (e.g. a unique key).
"""

import collections
import logging
import threading

from zaqar_lite import errors
from zaqar_lite.consumers import database, handlers
from zaqar_lite.consumers.batch import Batch, Handling
from zaqar_lite.filer.api import ApiUnavailable, QueueApi

LOG = logging.getLogger(__name__)
RENEW_AFTER = 0.5  # of claim_ttl: a longer batch renews its claim


class ConsumerWorker:
    """Runs one consumer's threads until stopped (or, with ``once``, until
    its queue is drained).

    Args:
        conf: the configuration (``[consumers]``).
        consumer: the ``Consumer`` to run.
        engine: the SQLAlchemy engine (one per database URL).
        stop: set to shut down gracefully; set by the worker itself on an
            error (``self.error``).
    """

    def __init__(self, conf, consumer, engine, stop):
        self.settings = conf.consumers
        self.consumer = consumer
        self.handling = Handling(
            name=consumer.name,
            process=handlers.load(consumer.handler).process,
            engine=engine, sessions=database.handler_sessions(engine),
            claim_ttl=self.settings.claim_ttl,
            claim_grace=self.settings.claim_grace,
            renew_after=self.settings.claim_ttl * RENEW_AFTER, stop=stop)
        self.stop = stop
        self.totals = collections.Counter()
        self.error = None
        self.failed_this_run = set()  # message ids, once without dead letters
        self._lock = threading.Lock()

    def run(self, once=False) -> dict:
        """Consume with ``concurrency`` threads; returns the totals."""
        retry_in_run = self._has_dead_letter_policy(once) or not once
        threads = [threading.Thread(target=self._thread,
                                    args=(once, retry_in_run),
                                    name=f'{self.consumer.name}-{n}')
                   for n in range(self.consumer.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return dict(self.totals)

    def _thread(self, once, retry_in_run):
        try:
            self._loop(once, retry_in_run)
        except errors.ConfigurationError as exc:
            LOG.error('%s: %s', self.consumer.name, exc)
            self.error = exc
            self.stop.set()

    def _loop(self, once, retry_in_run):
        api = self._api()
        while not self.stop.is_set():
            claim_id, messages = self._claim(api, once)
            if not messages:
                if once:
                    return
                self.stop.wait(self.settings.poll_interval)
                continue
            skip = set() if retry_in_run else \
                {m['id'] for m in messages} & self.failed_this_run
            outcome = Batch(self.handling, api, claim_id, messages,
                            frozenset(skip)).run()
            self._count(outcome)
            if once and len(skip) == len(messages):
                return  # only messages that failed in this run are left
            if outcome.database_down:
                self._wait_for_database(once)
            elif outcome.failed:
                self.stop.wait(self.settings.poll_interval)

    def _api(self):
        return QueueApi(self.settings.endpoint, self.consumer.queue,
                        self.settings.project,
                        client_id=self.settings.client_id)

    def _claim(self, api, once):
        try:
            return api.claim(self.consumer.batch, self.settings.claim_ttl,
                             self.settings.claim_grace)
        except ApiUnavailable as exc:
            if once:
                raise errors.ConfigurationError(
                    f'cannot claim from queue {self.consumer.queue}: '
                    f'{exc}') from exc
            LOG.warning('%s: cannot claim: %s', self.consumer.name, exc)
            self.stop.wait(self.settings.poll_interval)
            return None, []

    def _count(self, outcome):
        with self._lock:
            self.totals['processed'] += outcome.processed
            self.totals['failed'] += len(outcome.failed)
            self.totals['returned'] += outcome.returned
            self.failed_this_run.update(outcome.failed)

    def _wait_for_database(self, once):
        if once:
            raise errors.ConfigurationError(
                f'the database {self.handling.engine.url!r} is unavailable')
        LOG.warning('%s: waiting for the database before claiming again',
                    self.consumer.name)
        database.wait_until_reachable(self.handling.engine, self.stop,
                                      self.settings.poll_interval)

    def _has_dead_letter_policy(self, once) -> bool:
        """Whether the queue moves messages claimed too often aside (a
        warning when it does not)."""
        try:
            metadata = self._api().metadata()
        except ApiUnavailable as exc:
            LOG.warning('%s: cannot read the metadata of queue %s: %s',
                        self.consumer.name, self.consumer.queue, exc)
            return False
        if metadata.get('_max_claim_count') and \
                metadata.get('_dead_letter_queue'):
            return True
        LOG.warning('%s: queue %s has no _max_claim_count and '
                    '_dead_letter_queue: a message that always fails is %s',
                    self.consumer.name, self.consumer.queue,
                    'tried once in this run and left in the queue' if once
                    else 'retried forever')
        return False
