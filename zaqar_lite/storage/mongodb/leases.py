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

from zaqar_lite.storage.mongodb.schema import in_queue, lease_id

MARGIN = 60.0  # seconds a lease outlives its claim before gc removes it


def grant(db, queue, project, now, wanted, expires, skipped):
    """Win up to ``wanted`` available messages, oldest available first.

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
    docs = db.messages.find(query, sort=[('available', 1), ('seq', 1)],
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
