"""Dead-letter moves of the MongoDB store.

A move keeps the message's id, so it leaves its queue before it arrives
in the dead-letter queue: the delete decides between concurrent movers
(and, on MongoDB, re-checks what the mover read), and without
transactions a crash in between loses the message.  Its provenance is
written with it, in the one insert that makes it arrive.
"""

from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb.messages import append, count_removed
from zaqar_lite.storage.mongodb.queues import create_queue

EXPIRY_BATCH = 1000  # expired messages one gc round moves per queue


def move(db, doc, project, target, ttl, now, reason, detail=None,
         still=None) -> bool:
    """Move the message document ``doc`` to queue ``target``, unclaimed,
    as a new post with its provenance.

    Args:
        ttl: its ttl there; None keeps the one it had.
        still: what the document must still match for the move (see
            ``Collection.delete_by_id``).

    Returns:
        whether it moved (False: it changed or went meanwhile).
    """
    if not count_removed(db, doc['queue'], project,
                         db.messages.delete_by_id(doc['_id'], still=still)):
        return False
    ttl = ttl or round(doc['expires'] - doc['created'])
    create_queue(db, target, project)
    moved = {**doc, 'queue': target, 'created': now,
             'expires': now + int(ttl), 'delay': 0, 'available': now,
             'claim': None, 'claim_expires': None,
             'dead_letter': base.provenance(doc['queue'], reason,
                                            doc['claim_count'], now, detail)}
    append(db, target, project, [moved])
    return True


def move_expired(db, queue, project, meta, target, now) -> int:
    """Move up to ``EXPIRY_BATCH`` expired messages of the queue to
    ``target``; returns how many moved."""
    docs = db.messages.find(
        {'project': project, 'queue': queue, 'expires': {'$lte': now}},
        limit=EXPIRY_BATCH)
    ttl = meta.get('_dead_letter_queue_messages_ttl')
    return sum(move(db, doc, project, target, ttl, now,
                    base.DeadLetterReason.EXPIRED,
                    still={'expires': doc['expires']}) for doc in docs)
