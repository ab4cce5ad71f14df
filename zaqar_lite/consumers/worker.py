"""The consumer loop: claim a batch, process each message in a transaction.

For each claimed message: a new session; ``process(session, record)``;
commit; delete the message with its claim.  When ``process`` raises, the
session is rolled back, the failure logged with the message id, and the
message stays claimed; at the end of the batch the claim is released, so
failed (and, on shutdown, unprocessed) messages become claimable again.
Each claim counts towards the queue's ``_max_claim_count``, after which the
server moves the message to the ``_dead_letter_queue``.

Delivery is at least once: a message whose delete fails after the commit
(the claim expired, the server is down) is processed again later, so
handlers should be idempotent where that matters (e.g. a unique key).
"""

import logging
import threading
import time

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from zaqar_lite.consumers import handlers
from zaqar_lite.filer.api import ApiUnavailable, QueueApi

LOG = logging.getLogger(__name__)


class HandlerSession(Session):
    """The session a handler gets: the worker owns the transaction."""

    def commit(self):
        raise RuntimeError('a handler must not commit: the worker commits '
                           'when process() returns')

    def rollback(self):
        raise RuntimeError('a handler must not roll back: raise, and the '
                           'worker rolls back and retries the message')


class ConsumerWorker:
    """Runs one consumer's threads until stopped (or, with ``once``, until
    its queue is empty).

    Args:
        conf: the configuration (``[consumers]``).
        consumer: the ``Consumer`` to run.
        engine: the SQLAlchemy engine (one per database URL).
        stop: set to shut down gracefully.
    """

    def __init__(self, conf, consumer, engine, stop):
        self.settings = conf.consumers
        self.consumer = consumer
        self.module = handlers.load(consumer.handler)
        self.sessions = sessionmaker(bind=engine, class_=HandlerSession,
                                     expire_on_commit=False)
        self.stop = stop
        self.totals = {'ok': 0, 'failed': 0}
        self._lock = threading.Lock()

    def run(self, once=False):
        """Consume with ``concurrency`` threads; returns the totals."""
        threads = [threading.Thread(target=self._loop, args=(once,),
                                    name=f'{self.consumer.name}-{n}')
                   for n in range(self.consumer.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return dict(self.totals)

    def _loop(self, once):
        api = QueueApi(self.settings.endpoint, self.consumer.queue,
                       self.settings.project)
        while not self.stop.is_set():
            try:
                claim_id, messages = api.claim(self.consumer.batch,
                                               self.settings.claim_ttl,
                                               self.settings.claim_grace)
            except ApiUnavailable as exc:
                LOG.warning('%s: cannot claim: %s', self.consumer.name, exc)
                self.stop.wait(self.settings.poll_interval)
                continue
            if not messages:
                if once:
                    return
                self.stop.wait(self.settings.poll_interval)
                continue
            if self._batch(api, claim_id, messages):
                self.stop.wait(self.settings.poll_interval)  # ease retries

    def _batch(self, api, claim_id, messages) -> int:
        """Process a claimed batch; returns how many failed."""
        started = time.monotonic()
        ok = failed = 0
        for message in messages:
            if self.stop.is_set():
                break  # the release below returns the rest to the queue
            if self._process(api, claim_id, message):
                ok += 1
            else:
                failed += 1
        if ok + failed < len(messages) or failed:
            try:
                api.release(claim_id)
            except ApiUnavailable as exc:
                LOG.warning('%s: cannot release claim %s (its messages '
                            'return when it expires): %s',
                            self.consumer.name, claim_id, exc)
        seconds = time.monotonic() - started
        with self._lock:
            self.totals['ok'] += ok
            self.totals['failed'] += failed
        LOG.info('%s: batch of %d: %d processed, %d failed, %d returned '
                 'in %.3f s (%.1f msg/s)', self.consumer.name, len(messages),
                 ok, failed, len(messages) - ok - failed, seconds,
                 (ok + failed) / seconds if seconds else 0.0)
        return failed

    def _process(self, api, claim_id, message):
        session = self.sessions()
        try:
            self.module.process(session, handlers.record_of(message))
            Session.commit(session)
        except Exception:
            Session.rollback(session)
            LOG.exception('%s: message %s failed; it will be retried',
                          self.consumer.name, message['id'])
            return False
        finally:
            session.close()
        try:
            api.delete_one(message['id'], claim_id)
        except ApiUnavailable as exc:
            LOG.warning('%s: message %s was processed but not deleted (%s); '
                        'it may be processed again', self.consumer.name,
                        message['id'], exc)
        return True


def engine_for(conf):
    """The SQLAlchemy engine of ``[consumers] database``."""
    return create_engine(conf.consumers.database, pool_pre_ping=True)
