"""Granting messages to one claimer: what makes claims exclusive.

A claim (or a pop) reads the oldest available messages, then inserts one
*lease* per message, keyed by the message, its place and its claim count
(``schema.lease_id``).  A unique key can be inserted once, so of several
concurrent claimers exactly one wins each message; the others skip it.  The
winner then records the claim on the message, under a filter on the claim
count it read, which moves the message on to its next lease key.

This needs no atomic read-modify-write, which FerretDB v1 lacks (it applies
``findAndModify`` and ``$inc`` as a read, then a write): on both MongoDB
and FerretDB an insert is atomic.  A claimer that dies between the lease
and the claim leaves the message unclaimable until gc removes the lease,
``MARGIN`` after the lease's claim would have ended.
"""

import json

from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb.schema import in_queue, lease_id, queue_key

MARGIN = 60.0  # seconds a lease outlives its claim before gc removes it


def claimable_metadata(db, queue, project):
    """The metadata of a queue about to grant messages (None: no queue).

    Grants order by ``priority``, which messages posted before priorities
    existed lack (a missing field would sort below every priority): the
    first grant of a queue without the ``priorities`` flag gives them the
    default, through the index, and sets the flag (new queues have it).
    """
    doc = db.queues.find_one(queue_key(queue, project),
                             projection={'metadata': 1, 'priorities': 1})
    if doc is None:
        return None
    if not doc.get('priorities'):
        db.messages.update_many(
            {**in_queue(queue, project), 'priority': None},
            {'$set': {'priority': base.DEFAULT_PRIORITY}})
        db.queues.update_one(queue_key(queue, project),
                             {'$set': {'priorities': True}})
    return json.loads(doc['metadata'])


def grant(db, queue, project, now, wanted, expires, skipped):
    """Win up to ``wanted`` available messages: the highest priority first,
    then the oldest available, then in posting order.

    Args:
        expires: when the claim the messages are for ends.
        skipped: ids lost to other claimers so far; extended in place.

    Returns:
        ``(won, exhausted)``: the message documents now ours, as read, and
        whether the queue had no more available messages.
    """
    query = {**in_queue(queue, project), 'available': {'$lte': now},
             'expires': {'$gt': now}}
    if skipped:
        query['_id'] = {'$nin': skipped}
    docs = db.messages.find(
        query, sort=[('priority', -1), ('available', 1), ('seq', 1)],
        limit=wanted)
    if not docs:
        return [], True
    won = set(db.leases.insert_each(
        [{'_id': lease_id(doc), 'expires': expires} for doc in docs]))
    skipped += [doc['_id'] for i, doc in enumerate(docs) if i not in won]
    return [doc for i, doc in enumerate(docs) if i in won], \
        len(docs) < wanted


def remove_ended(db, now) -> int:
    """Delete leases whose claims ended over ``MARGIN`` ago."""
    return db.leases.delete_many({'expires': {'$lte': now - MARGIN}})
