"""Claims of the MongoDB store.

A claim takes the *available* messages of the highest priority first, the
oldest available first within a priority (ordered by ``available`` then
posting order: plain FIFO for a queue without delays or releases) from an
index where held and delayed messages sit in the future, so its
cost depends neither on queue depth nor on how many messages are held.
``leases.grant`` decides which concurrent claimer gets each message.
A claimed message's ``available`` is its claim's end (``claim_expires``)
plus the queue's redelivery backoff (``storage/redelivery.py``), set when
the claim takes or renews it, so a claim that lapses frees its messages
without a write.
"""

import collections
import dataclasses
import time
import uuid

from zaqar_lite import errors
from zaqar_lite.storage import base, redelivery
from zaqar_lite.storage.mongodb import dead_letters, leases
from zaqar_lite.storage.mongodb.messages import to_message
from zaqar_lite.storage.mongodb.queues import queue_metadata
from zaqar_lite.storage.mongodb.schema import belongs, in_queue


@dataclasses.dataclass(frozen=True)
class DeadLetters:
    """Where a queue sends messages claimed too often."""

    queue: str
    max_claims: int
    ttl: int | None

    @classmethod
    def of(cls, queue, metadata):
        """The queue's policy, or None when it has none (or names itself)."""
        target = base.dead_letter_target(queue, metadata)
        max_claims = metadata.get('_max_claim_count')
        if not target or not max_claims:
            return None  # none, or itself (a move into itself would loop)
        return cls(target, int(max_claims),
                   metadata.get('_dead_letter_queue_messages_ttl'))

    def wants(self, doc) -> bool:
        return doc['claim_count'] >= self.max_claims


class ClaimController(base.Claim):

    @property
    def db(self):
        return self.driver.db

    def get(self, queue, claim_id, project=None):
        now = time.time()
        claim = self._live(queue, claim_id, project, now)
        return ({'id': claim['_id'], 'ttl': claim['ttl'],
                 'grace': claim['grace'], 'age': int(now - claim['created'])},
                [to_message(doc, now)
                 for doc in self._held(queue, claim['_id'], project, now)])

    def create(self, queue, metadata, project=None,
               limit=base.DEFAULT_MESSAGES_PER_CLAIM):
        now = time.time()
        ttl, grace = int(metadata['ttl']), int(metadata.get('grace', 0))
        meta = leases.claimable_metadata(self.db, queue, project)
        if meta is None:
            return None, []
        claim_id = str(uuid.uuid4())
        taken = self._take(queue, project, DeadLetters.of(queue, meta), now,
                           limit, now + ttl)
        if not taken:
            return None, []
        # Won leases: nobody else changes these messages now, except to
        # delete them (then fewer match, and the claim is read back).
        schedule = redelivery.schedule(meta)
        matched = 0
        for delay, docs in _by_backoff(taken, schedule, 1).items():
            matched += self.db.messages.update_many(
                {'_id': {'$in': [doc['_id'] for doc in docs]}},
                {'$set': {'claim': claim_id, 'claim_expires': now + ttl,
                          'available': now + ttl + delay},
                 '$inc': {'claim_count': 1},
                 '$max': {'expires': now + ttl + grace}})
        held = sorted((_held_by(doc, claim_id, now + ttl, grace, schedule)
                       for doc in taken), key=lambda doc: doc['seq'])
        self.db.claims.insert_one(
            {'_id': claim_id, **in_queue(queue, project), 'ttl': ttl,
             'grace': grace, 'created': now, 'expires': now + ttl})
        if matched < len(held):
            held = self._held(queue, claim_id, project, now)
        return (claim_id, [to_message(doc, now) for doc in held]) if held \
            else (None, [])

    def update(self, queue, claim_id, metadata, project=None):
        now = time.time()
        claim = self._live(queue, claim_id, project, now)
        ttl = int(metadata['ttl'])
        grace = int(metadata.get('grace', claim['grace']))
        self.db.claims.update_one(
            {'_id': claim['_id']},
            {'$set': {'ttl': ttl, 'grace': grace, 'expires': now + ttl}})
        held = self._held(queue, claim['_id'], project, now)
        schedule = self._schedule(queue, project)
        for delay, docs in _by_backoff(held, schedule, 0).items():
            self.db.messages.update_many(
                self._holding(queue, claim['_id'], project, now,
                              [doc['_id'] for doc in docs]),
                {'$set': {'claim_expires': now + ttl,
                          'available': now + ttl + delay},
                 '$max': {'expires': now + ttl + grace}})

    def delete(self, queue, claim_id, project=None, delay=None):
        now = time.time()
        claim = self.db.claims.find_one({'_id': str(claim_id)})
        if claim is None or not belongs(claim, queue, project) or \
                not self.db.claims.delete_by_id(claim['_id']) or \
                claim['expires'] <= now:
            return  # a lapsed claim's messages keep their backoff
        held = self._held(queue, claim['_id'], project, now)
        schedule = self._schedule(queue, project)
        by_delay = {delay: held} if delay is not None else \
            _by_backoff(held, schedule, 0)
        ready = 0  # messages claimable now
        for wait, docs in by_delay.items():
            ids = [doc['_id'] for doc in docs]
            self.db.messages.update_many(
                self._holding(queue, claim['_id'], project, now, ids),
                {'$set': {'claim': None, 'claim_expires': None,
                          'available': now + wait}})
            ready += len(ids) if wait <= 0 else 0
        if ready:  # wake waiting claims
            self.driver.doorbell.ring(queue, project, ready)

    def _schedule(self, queue, project):
        return redelivery.schedule(queue_metadata(self.db, queue, project))

    def _live(self, queue, claim_id, project, now):
        claim = self.db.claims.find_one({'_id': str(claim_id)})
        if claim is None or not belongs(claim, queue, project) or \
                claim['expires'] <= now:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        return claim

    @staticmethod
    def _holding(queue, claim_id, project, now, ids=None):
        # Asked of a live claim: every message naming it is held by it.
        query = {'claim': claim_id, **in_queue(queue, project)}
        if ids is not None:
            query['_id'] = {'$in': ids}
        return query

    def _held(self, queue, claim_id, project, now):
        return self.db.messages.find(
            self._holding(queue, claim_id, project, now), sort=[('seq', 1)])

    def _take(self, queue, project, dead_letters, now, limit, until):
        """Messages won for the claim; those claimed too often move away."""
        taken, skipped = [], []
        while len(taken) < limit:
            won, exhausted = leases.grant(self.db, queue, project, now,
                                          limit - len(taken), until, skipped)
            for doc in won:
                if dead_letters and dead_letters.wants(doc):
                    self._dead_letter(doc, queue, project, dead_letters, now)
                else:
                    taken.append(doc)
            if exhausted:
                break
        return taken

    def _dead_letter(self, doc, queue, project, dead_letters_, now):
        """Move a message to the dead-letter queue (see
        ``dead_letters.move``)."""
        dead_letters.move(self.db, doc, project, dead_letters_.queue,
                          dead_letters_.ttl, now,
                          base.DeadLetterReason.MAX_CLAIMS)


def _held_by(doc, claim_id, until, grace, schedule) -> dict:
    """A message document as a claim until ``until`` (plus grace) holds it."""
    count = doc['claim_count'] + 1
    return {**doc, 'claim': claim_id, 'claim_expires': until,
            'available': until + schedule.delay(count),
            'expires': max(doc['expires'], until + grace),
            'claim_count': count}


def _by_backoff(docs, schedule, increment) -> dict:
    """Message documents grouped by their backoff once their claim count
    has grown by ``increment``: one update per group."""
    groups = collections.defaultdict(list)
    for doc in docs:
        groups[schedule.delay(doc['claim_count'] + increment)].append(doc)
    return groups
