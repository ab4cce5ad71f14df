"""Dead-letter moves of the MongoDB store.

A move keeps the message's id and changes, in one single-document
update, its queue, number, times and provenance (see
``messages.move_into``): the message is in exactly one of the two queues
at every moment, so a crash loses nothing, and the update's filter decides
between concurrent movers (on MongoDB it also re-checks what the mover
read).
"""

from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb.messages import move_into
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
    ttl = ttl or round(doc['expires'] - doc['created'])
    create_queue(db, target, project)
    arrived = {'created': now, 'expires': now + int(ttl), 'delay': 0,
               'available': now, 'claim': None, 'claim_expires': None,
               'dead_letter': base.provenance(doc['queue'], reason,
                                              doc['claim_count'], now,
                                              detail)}
    return move_into(db, doc, target, project, arrived, still=still)


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
