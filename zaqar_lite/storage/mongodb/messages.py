"""Messages of the MongoDB store."""

import json
import time

from zaqar_lite import errors
from zaqar_lite.random_ids import uuid4_text
from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb import idempotency, leases
from zaqar_lite.storage.mongodb.schema import belongs, in_queue, queue_key
from zaqar_lite.storage.utils import parse_seq_marker

SEQ_MAX = 2 ** 63 - 1  # BSON's largest integer
NUMBERING_ATTEMPTS = 50  # rounds of sequence clashes before giving up
DELETE_ATTEMPTS = 10  # re-reads of a message that changed while deleting


def claim_end(doc):
    """When the claim named by a message document ends (None: none).

    Documents from before redelivery backoff have no ``claim_expires``:
    their claim ended when they became available.
    """
    if doc['claim'] is None:
        return None
    return doc.get('claim_expires') or doc['available']


def to_message(doc, now) -> dict:
    """The contract's message dict for a message document."""
    ends = claim_end(doc)
    held = ends is not None and ends > now
    return {'id': doc['_id'], 'ttl': round(doc['expires'] - doc['created']),
            'age': int(now - doc['created']), 'body': json.loads(doc['body']),
            'created': int(doc['created']),
            'claim_id': doc['claim'] if held else None,
            'claim_count': doc['claim_count'], 'delay': doc['delay'],
            'available_at': doc['available'],
            'claim_expires': ends if held else None,
            'priority': doc.get('priority', base.DEFAULT_PRIORITY),
            'dead_letter': doc.get('dead_letter')}


def parse_marker(marker) -> int:
    """The seq a listing marker stands for (0: from the start)."""
    return parse_seq_marker(marker, SEQ_MAX)


def live(queue, project, now, **query) -> dict:
    """The filter of a queue's unexpired messages, narrowed by ``query``."""
    return {**in_queue(queue, project), 'expires': {'$gt': now}, **query}


def append(db, queue, project, docs) -> None:
    """Number ``docs`` after the queue's last message and insert them.

    The queue's ``seq`` counter hands out the numbers and its ``messages``
    counter grows in the same update.  The unique seq index turns a clash
    into a retry of the rest, after moving the counter past the highest
    number in use.  A clash never happens on MongoDB; FerretDB v1 can lose
    concurrent increments, and so hand out a number twice or even move the
    counter back into a gap that an earlier clash left: there, a range is
    also checked against the highest number in use, so that one producer's
    messages stay in posting order.

    Raises:
        QueueDoesNotExist
    """
    if not docs:
        if db.queues.find_one(queue_key(queue, project)) is None:
            raise errors.QueueDoesNotExist(queue, project)
        return
    pending, counted = list(docs), False
    for _ in range(NUMBERING_ATTEMPTS):
        increments = {'seq': len(pending)}
        if not counted:
            increments['messages'] = len(docs)
        queue_doc = db.queues.find_one_and_update(queue_key(queue, project),
                                                  {'$inc': increments})
        if queue_doc is None:
            raise errors.QueueDoesNotExist(queue, project)
        counted = True
        first = queue_doc['seq'] - len(pending) + 1
        if db.messages.isolated or first > _top_seq(db, queue, project):
            for offset, doc in enumerate(pending):
                doc['seq'] = first + offset
            pending = pending[db.messages.insert(pending):]
            if not pending:
                return
        db.queues.update_one(queue_key(queue, project),
                             {'$max': {'seq': _top_seq(db, queue, project)}})
    raise errors.StorageUnavailable(
        f'messages of queue {queue} kept clashing on their sequence')


def move_into(db, doc, queue, project, fields, still=None) -> bool:
    """Make the message ``doc`` the newest of ``queue``, with ``fields``
    set, in one single-document update: at every moment the message is in
    exactly one queue, so a crash can neither lose nor duplicate it.

    It is numbered as :func:`append` numbers posts.  The counters of both
    queues follow the update (a crash between them leaves a count off
    until gc recounts, never a message).

    Args:
        still: what the document must still match (see
            ``Collection.delete_by_id``).

    Returns:
        whether it moved (False: it changed or went meanwhile).

    Raises:
        QueueDoesNotExist: ``queue`` does not exist.
    """
    query = {'_id': doc['_id']}
    if still and db.messages.isolated:
        query.update(still)
    for _ in range(NUMBERING_ATTEMPTS):
        queue_doc = db.queues.find_one_and_update(
            queue_key(queue, project), {'$inc': {'seq': 1, 'messages': 1}})
        if queue_doc is None:
            raise errors.QueueDoesNotExist(queue, project)
        seq = queue_doc['seq']
        moved = None
        if db.messages.isolated or seq > _top_seq(db, queue, project):
            moved = db.messages.update_unique(
                query, {'$set': {**fields, 'queue': queue, 'seq': seq}})
        if moved is not None:
            if moved:
                count_removed(db, doc['queue'], project, 1)
                return True
            count_removed(db, queue, project, 1)
            return False
        count_removed(db, queue, project, 1)  # a clash: number it again
        db.queues.update_one(queue_key(queue, project),
                             {'$max': {'seq': _top_seq(db, queue, project)}})
    raise errors.StorageUnavailable(
        f'messages of queue {queue} kept clashing on their sequence')


def _top_seq(db, queue, project) -> int:
    """The highest message number in use in the queue (0 when empty)."""
    top = db.messages.find_one(in_queue(queue, project),
                               sort=[('seq', -1)], projection={'seq': 1})
    return top['seq'] if top else 0


def fetch(db, queue, project, message_id, now):
    """A live message of the queue by id, or None."""
    doc = db.messages.find_one({'_id': str(message_id)})
    if doc is None or not belongs(doc, queue, project) or \
            doc['expires'] <= now:
        return None
    return doc


def remove(db, queue, project, query) -> int:
    """Delete the queue's messages matching ``query``; keeps the counter."""
    return count_removed(db, queue, project, db.messages.delete_many(
        {**in_queue(queue, project), **query}))


def count_removed(db, queue, project, removed) -> int:
    """Take ``removed`` messages off the queue's counter; returns it."""
    if removed:
        db.queues.update_one(queue_key(queue, project),
                             {'$inc': {'messages': -removed}})
    return removed


class MessageController(base.Message):

    @property
    def db(self):
        return self.driver.db

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_MESSAGES_PER_PAGE, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        now = time.time()
        query = live(queue, project, now, seq={'$gt': parse_marker(marker)})
        if not echo:
            query['client'] = {'$ne': str(client_uuid)}
        query.update(_state_filter(now, include_claimed, include_delayed))
        docs = self.db.messages.find(query, sort=[('seq', 1)], limit=limit)
        yield iter([to_message(doc, now) for doc in docs])
        yield str(docs[-1]['seq']) if docs else marker

    def tail_marker(self, queue, project=None):
        return str(_top_seq(self.db, queue, project))

    def first(self, queue, project=None, sort=1):
        now = time.time()
        doc = self.db.messages.find_one(live(queue, project, now),
                                        sort=[('seq', 1 if sort == 1 else -1)])
        if doc is None:
            raise errors.QueueIsEmpty(queue, project)
        return to_message(doc, now)

    def get(self, queue, message_id, project=None):
        now = time.time()
        doc = fetch(self.db, queue, project, message_id, now)
        if doc is None:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return to_message(doc, now)

    def bulk_get(self, queue, message_ids, project=None):
        now = time.time()
        ids = [str(mid) for mid in message_ids]
        docs = self.db.messages.find(live(queue, project, now,
                                          _id={'$in': ids}))
        return [to_message(doc, now) for doc in docs]

    def post(self, queue, messages, client_uuid, project=None):
        now = time.time()
        docs = [_new_document(message, queue, project, str(client_uuid), now)
                for message in messages]
        ids = idempotency.with_repeats(self.db, queue, project, messages,
                                       [doc['_id'] for doc in docs], now)
        append(self.db, queue, project,
               [doc for n, doc in enumerate(docs) if n not in ids.repeats])
        ready = sum(1 for n, doc in enumerate(docs)
                    if n not in ids.repeats and doc['available'] <= now)
        if ready:
            self.driver.doorbell.ring(queue, project, ready)
        lost = idempotency.note(self.db, queue, project, messages, ids, now)
        if not lost:
            return ids
        remove(self.db, queue, project, {'_id': {'$in': list(lost)}})
        return base.PostedIds(
            [lost.get(mid, mid) for mid in ids],
            [n for n, mid in enumerate(ids) if n in ids.repeats or mid in lost])

    def delete(self, queue, message_id, project=None, claim=None):
        for _ in range(DELETE_ATTEMPTS):
            now = time.time()
            doc = fetch(self.db, queue, project, message_id, now)
            if doc is None:
                return
            _check_claim(doc, claim, now)
            if count_removed(self.db, queue, project,
                             self.db.messages.delete_by_id(
                                 doc['_id'], still={
                                     'claim': doc['claim'],
                                     'available': doc['available']})):
                return
        raise errors.StorageUnavailable(
            f'message {message_id} kept changing; try again')

    def bulk_delete(self, queue, message_ids, project=None, claim_ids=None):
        now = time.time()
        allowed = [str(claim_id) for claim_id in claim_ids or ()]
        ids = [str(mid) for mid in message_ids]
        for doc in self.db.messages.find(live(queue, project, now,
                                              _id={'$in': ids})):
            held_by = to_message(doc, now)['claim_id']
            if held_by is not None and held_by not in allowed:
                raise errors.MessageIsClaimed(doc['_id'])
        # A message claimed since the check stays.
        remove(self.db, queue, project,
               {'_id': {'$in': ids},
                '$or': [{'claim': None}, {'available': {'$lte': now}},
                        {'claim_expires': {'$lte': now}},
                        {'claim': {'$in': allowed}}]})

    def reject(self, queue, message_id, project=None, claim=None,
               detail=None):
        # imported here: both modules import this one
        from zaqar_lite.storage.mongodb import dead_letters
        from zaqar_lite.storage.mongodb.queues import queue_metadata
        for _ in range(DELETE_ATTEMPTS):
            now = time.time()
            doc = fetch(self.db, queue, project, message_id, now)
            if doc is None:
                raise errors.MessageDoesNotExist(message_id, queue, project)
            meta = queue_metadata(self.db, queue, project) or {}
            target = base.dead_letter_target(queue, meta)
            if target is None:
                raise errors.NoDeadLetterQueue(queue, project)
            _check_claim(doc, claim, now, required=True)
            if dead_letters.move(
                    self.db, doc, project, target,
                    meta.get('_dead_letter_queue_messages_ttl'), now,
                    base.DeadLetterReason.REJECTED, detail,
                    still={'claim': doc['claim'],
                           'available': doc['available']}):
                return target
        raise errors.StorageUnavailable(
            f'message {message_id} kept changing; try again')

    def pop(self, queue, limit, project=None):
        now = time.time()
        if leases.claimable_metadata(self.db, queue, project) is None:
            return []
        granted, skipped = [], []
        while len(granted) < limit:
            won, exhausted = leases.grant(self.db, queue, project, now,
                                          limit - len(granted), now, skipped)
            granted += won
            if exhausted:
                break
        if granted:
            remove(self.db, queue, project,
                   {'_id': {'$in': [doc['_id'] for doc in granted]}})
        return [to_message(doc, now)
                for doc in sorted(granted, key=lambda doc: doc['seq'])]


def _state_filter(now, include_claimed, include_delayed) -> dict:
    # Held and delayed messages both wait for a future ``available``; a
    # message whose claim lapsed waits out its backoff as a delayed one.
    if include_claimed and include_delayed:
        return {}
    if include_claimed:
        return {'$or': [{'available': {'$lte': now}},
                        *held_filters(now)]}
    if include_delayed:
        return {'$or': [{'available': {'$lte': now}}, {'claim': None},
                        {'claim_expires': {'$lte': now}}]}
    return {'available': {'$lte': now}}


def held_filters(now) -> list:
    """Filters (any one) of messages a live claim holds (see claim_end)."""
    return [{'claim': {'$ne': None}, 'claim_expires': {'$gt': now}},
            {'claim': {'$ne': None}, 'claim_expires': {'$exists': False},
             'available': {'$gt': now}}]


def _new_document(message, queue, project, client, now) -> dict:
    ttl = int(message['ttl'])
    delay = int(message.get('delay') or 0)
    return {'_id': uuid4_text(), **in_queue(queue, project),
            'body': json.dumps(message.get('body')), 'client': client,
            'created': now, 'expires': now + ttl, 'delay': delay,
            'available': now + delay, 'claim': None, 'claim_expires': None,
            'claim_count': 0,
            'priority': message.get('priority', base.DEFAULT_PRIORITY)}


def _check_claim(doc, claim, now, required=False):
    """Raise unless ``claim`` may delete the message (``required``: unless
    that live claim holds it)."""
    live_claim = to_message(doc, now)['claim_id']
    if claim is None:
        if live_claim is not None:
            raise errors.MessageIsClaimed(doc['_id'])
        if required:
            raise errors.MessageNotClaimed(doc['_id'])
    elif live_claim is None:
        raise errors.MessageNotClaimed(doc['_id'])
    elif live_claim != claim:
        raise errors.ClaimDoesNotMatch(doc['_id'])
