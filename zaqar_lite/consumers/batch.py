"""One claimed batch: each message in its own transaction, then the claim.

For each message: a new session; ``process(session, record)``; commit;
delete the message with its claim id.  When ``process`` or the commit
raises, the session is rolled back, the failure logged with the message
id, and the message stays in the claim.  At the end, a claim that still
holds messages (failed, or not reached) is released, so they are
claimable again at once; each claim counts towards the queue's
``_max_claim_count``, after which the server moves the message to the
``_dead_letter_queue``.

A batch stops early, leaving the rest in its claim, when:

- ``stop`` is set (SIGTERM): the message in hand is finished first;
- the database is down: the message in hand goes back to the queue too;
- its claim cannot be renewed (it expired, was released, or the server is
  gone): the messages are no longer the worker's, so none is touched.

A batch running longer than ``renew_after`` renews its claim between
messages, so no other worker claims what this one is processing.
"""

import dataclasses
import logging
import threading
import time
from typing import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from zaqar_lite.consumers import database, handlers
from zaqar_lite.filer.api import ApiUnavailable

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Handling:
    """How one consumer's messages are handled, shared by its threads."""

    name: str                   # the consumer, for the logs
    process: Callable           # the handler's process(dbsession, record)
    engine: Engine
    sessions: sessionmaker      # of database.HandlerSession
    claim_ttl: int              # seconds
    claim_grace: int            # seconds
    renew_after: float          # seconds since the claim (or its renewal)
    stop: threading.Event


@dataclasses.dataclass
class Outcome:
    """What became of a batch's messages."""

    size: int
    processed: int = 0
    failed: list = dataclasses.field(default_factory=list)  # message ids
    database_down: bool = False
    claim_lost: bool = False

    @property
    def returned(self) -> int:
        """Messages left unprocessed in the claim."""
        return self.size - self.processed - len(self.failed)


class Batch:
    """Processes the ``messages`` of claim ``claim_id``; ``skip`` names
    messages to leave in the claim untouched."""

    def __init__(self, handling: Handling, api, claim_id, messages,
                 skip=frozenset()):
        self.handling, self.api = handling, api
        self.claim_id, self.messages = claim_id, messages
        self.skip = skip
        self.outcome = Outcome(len(messages))
        self.renewed = time.monotonic()

    def run(self) -> Outcome:
        """Process the batch, release what is left, log one line."""
        started = time.monotonic()
        for message in self.messages:
            if not self._may_go_on():
                break
            if message['id'] not in self.skip:
                self._handle(message)
            if self.outcome.database_down:
                break
        if self.outcome.processed < self.outcome.size and \
                not self.outcome.claim_lost:
            self._release()
        self._log(time.monotonic() - started)
        return self.outcome

    def _may_go_on(self) -> bool:
        if self.handling.stop.is_set():
            return False
        if time.monotonic() - self.renewed < self.handling.renew_after:
            return True
        try:
            self.api.renew(self.claim_id, self.handling.claim_ttl,
                           self.handling.claim_grace)
        except ApiUnavailable as exc:
            LOG.warning('%s: claim %s could not be renewed (%s); its other '
                        'messages are left alone', self.handling.name,
                        self.claim_id, exc)
            self.outcome.claim_lost = True
            return False
        self.renewed = time.monotonic()
        return True

    def _handle(self, message):
        session = self.handling.sessions()
        try:
            self.handling.process(session, handlers.record_of(message))
            Session.commit(session)
        except Exception as error:  # the handler's failure, whatever it is
            Session.rollback(session)
            self._failed(message, error)
            return
        finally:
            session.close()
        self.outcome.processed += 1
        try:
            self.api.delete_one(message['id'], self.claim_id)
        except ApiUnavailable as exc:
            LOG.warning('%s: message %s was processed but not deleted (%s); '
                        'it may be processed again', self.handling.name,
                        message['id'], exc)

    def _failed(self, message, error):
        if database.is_outage(error, self.handling.engine):
            LOG.error('%s: the database is unavailable; message %s and the '
                      'rest of the batch go back to the queue: %s',
                      self.handling.name, message['id'], error)
            self.outcome.database_down = True
            return
        LOG.error('%s: message %s failed; it will be retried',
                  self.handling.name, message['id'], exc_info=error)
        self.outcome.failed.append(message['id'])

    def _release(self):
        try:
            self.api.release(self.claim_id)
        except ApiUnavailable as exc:
            LOG.warning('%s: cannot release claim %s (its messages return '
                        'when it expires): %s', self.handling.name,
                        self.claim_id, exc)

    def _log(self, seconds):
        done = self.outcome.processed + len(self.outcome.failed)
        LOG.info('%s: batch of %d: %d processed, %d failed, %d returned in '
                 '%.3f s (%.1f msg/s)', self.handling.name, self.outcome.size,
                 self.outcome.processed, len(self.outcome.failed),
                 self.outcome.returned, seconds,
                 done / seconds if seconds else 0.0)
