"""Idempotency keys of the MongoDB store: which posts are repeats.

A key document (``schema.py``) names the message first posted with the key
until it expires.  The messages of a post are appended before their keys
are inserted, so that a crash in between can leave a repeat stored (at
least once), never a key standing for a message that was not stored.  The
unique ``_id`` decides between concurrent first posts of one key: the
loser's message, briefly visible, is removed again and the post answers
with the winner's id.
"""

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb.schema import idempotency_key_id, in_queue

KEY_ATTEMPTS = 10  # rounds of replacing an expired key before giving up


def with_repeats(db, queue, project, messages, ids, now) -> base.PostedIds:
    """``ids`` (of new documents for ``messages``), a repeat's place taken
    by the id its key stands for: a live key's, or an earlier message's of
    the same post."""
    keys = [message['idempotency_key'] for message in messages
            if message.get('idempotency_key') is not None]
    live = {} if not keys else {
        doc['key']: doc['message_id'] for doc in db.idempotency_keys.find(
            {'_id': {'$in': [idempotency_key_id(queue, project, key)
                             for key in set(keys)]}})
        if doc['expires'] > now}
    answer, repeats, first = list(ids), [], {}
    for n, message in enumerate(messages):
        key = message.get('idempotency_key')
        if key is None:
            continue
        earlier = live.get(key) or first.get(key)
        if earlier is None:
            first[key] = ids[n]
        else:
            answer[n] = earlier
            repeats.append(n)
    return base.PostedIds(answer, repeats)


def note(db, queue, project, messages, ids, now) -> dict:
    """Insert the keys of the stored messages (those not in
    ``ids.repeats``).

    Returns:
        ``{id: winner}`` for each stored message whose key a concurrent
        post inserted first: that post's message id.
    """
    lost = {}
    for n, message in enumerate(messages):
        if n in ids.repeats or message.get('idempotency_key') is None:
            continue
        winner = _insert(db, queue, project, message, ids[n], now)
        if winner is not None:
            lost[ids[n]] = winner
    return lost


def _insert(db, queue, project, message, message_id, now):
    """None when the key now stands for ``message_id``, else the id of
    the message it stood for already."""
    key = message['idempotency_key']
    doc = {'_id': idempotency_key_id(queue, project, key),
           **in_queue(queue, project), 'key': key, 'message_id': message_id,
           'expires': now + message['dedup_window']}
    for _ in range(KEY_ATTEMPTS):
        if db.idempotency_keys.insert_one(doc):
            return None
        held = db.idempotency_keys.find_one({'_id': doc['_id']})
        if held is None:
            continue
        if held['expires'] > now:
            return held['message_id']
        db.idempotency_keys.delete_by_id(doc['_id'],
                                         still={'expires': held['expires']})
    raise errors.StorageUnavailable(
        f'idempotency key {key!r} of queue {queue} kept changing')
