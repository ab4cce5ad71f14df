"""Messages of the Redis store."""

import hashlib
import json
import time

import msgpack

from zaqar_lite import errors
from zaqar_lite.random_ids import hex_digits
from zaqar_lite.storage import base
from zaqar_lite.storage.utils import parse_seq_marker

SEQ_MAX = 2 ** 53  # sequences are exact in Redis scores up to here
ID_RANDOM_BYTES = 8  # random bytes in a message id, after its sequence


ARRAY_OF_4 = b'\x94'  # msgpack's header of a 4-element array


def message_heads(client, now, pack=msgpack.packb):
    """``head(delay)``: the start of the stored form of a message posted
    now by ``client`` with that delay; the stored form is the head and
    then the body's msgpack, which is the msgpack array ``[client,
    created, delay, body]`` (``message_value`` in ``lua/common.lua``).
    Heads are made once per delay, for all the messages of a post.
    ``pack``: what packs a value (a post's ``msgpack.Packer().pack``)."""
    start = ARRAY_OF_4 + pack(client) + pack(now)
    heads = {}

    def head(delay):
        if delay not in heads:
            heads[delay] = start + pack(delay)
        return heads[delay]
    return head


def to_message(item, now) -> dict:
    """The contract's message dict for what a script describes."""
    (message_id, stored, body, expires, claim_id, claim_count, available,
     claim_expires, priority) = item[:9]
    dead_letter = item[9] if len(item) > 9 else None
    parts = msgpack.unpackb(stored)
    if len(parts) == 4:
        _client, created, delay, body = parts
    else:  # stored before bodies joined the record: [client, created, delay]
        (_client, created, delay), body = parts, msgpack.unpackb(body)
    return {'id': message_id.decode(),
            'ttl': round(float(expires) - created),
            'age': int(now - created), 'body': body,
            'created': int(created),
            'claim_id': claim_id.decode() or None,
            'claim_count': claim_count, 'delay': delay,
            'available_at': float(available),
            'claim_expires': float(claim_expires) if claim_expires else None,
            'priority': priority,
            'dead_letter': json.loads(dead_letter) if dead_letter else None}


def metadata_token(stored: bytes) -> str:
    """What ``message_post.lua`` compares: the stored JSON's SHA1."""
    return hashlib.sha1(stored).hexdigest()


def parse_marker(marker) -> str:
    """The sequence a listing marker stands for, as the scripts take it."""
    return str(parse_seq_marker(marker, SEQ_MAX))


class MessageController(base.Message):

    @property
    def run(self):
        return self.driver.scripts.run

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_MESSAGES_PER_PAGE, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        now, (items, next_marker) = self.run(
            'message_list', project, queue, parse_marker(marker), limit,
            '' if echo else str(client_uuid), int(include_claimed),
            int(include_delayed))
        yield iter([to_message(item, now) for item in items])
        yield next_marker.decode() if items else marker

    def tail_marker(self, queue, project=None):
        _now, seq = self.run('message_tail', project, queue)
        return seq.decode() if seq else '0'

    def first(self, queue, project=None, sort=1):
        now, item = self.run('message_first', project, queue,
                             '1' if sort == 1 else '-1')
        if item is None:
            raise errors.QueueIsEmpty(queue, project)
        return to_message(item, now)

    def get(self, queue, message_id, project=None):
        found = self.bulk_get(queue, [message_id], project=project)
        if not found:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return found[0]

    def bulk_get(self, queue, message_ids, project=None):
        now, items = self.run('message_get', project, queue,
                              *map(str, message_ids))
        return [to_message(item, now) for item in items]

    def post(self, queue, messages, client_uuid, project=None):
        return self._post(queue, messages, client_uuid, '', project)

    def post_if_unchanged(self, queue, messages, client_uuid, token,
                          project=None):
        """``post``, if the queue's metadata still has ``token`` (from
        ``QueueController.get_with_token``), in the same round trip.

        Raises:
            QueueMetadataChanged: it has another now; nothing was posted.
            QueueDoesNotExist: the queue is gone.
        """
        return self._post(queue, messages, client_uuid, token, project)

    def _post(self, queue, messages, client_uuid, token, project):
        now = time.time()
        # one Packer for the post: making one costs more than a small pack
        pack = msgpack.Packer().pack
        head = message_heads(str(client_uuid), now, pack)
        width = 2 * ID_RANDOM_BYTES  # hex digits of an id's random part
        suffixes = hex_digits(width * len(messages))
        settings = {(int(m['ttl']), int(m.get('delay') or 0),
                     int(m.get('priority', base.DEFAULT_PRIORITY)))
                    for m in messages}
        if len(settings) == 1 and not any(m.get('idempotency_key')
                                          for m in messages):
            [(ttl, delay, priority)] = settings
            args = [token, 'alike', ttl, delay, priority, suffixes]
            args += [head(delay) + pack(m.get('body')) for m in messages]
        else:
            args = [token, 'each']
            for n, message in enumerate(messages):
                delay = int(message.get('delay') or 0)
                args += [suffixes[n * width:(n + 1) * width],
                         int(message['ttl']), delay,
                         head(delay) + pack(message.get('body')),
                         message.get('idempotency_key') or '',
                         int(message.get('dedup_window') or 0),
                         int(message.get('priority',
                                         base.DEFAULT_PRIORITY))]
        _, posted = self.run('message_post', project, queue, *args, now=now)
        if posted is None:
            raise errors.QueueDoesNotExist(queue, project)
        if posted[0] == b'changed':
            raise errors.QueueMetadataChanged(json.loads(posted[1]),
                                              metadata_token(posted[1]))
        ids, repeats = posted
        return base.PostedIds([message_id.decode() for message_id in ids],
                              [position - 1 for position in repeats])

    def delete(self, queue, message_id, project=None, claim=None):
        _, outcome = self.run('message_delete', project, queue,
                              str(message_id), claim or '')
        outcome = outcome.decode()
        if outcome == 'claimed':
            raise errors.MessageIsClaimed(message_id)
        if outcome == 'not-claimed':
            raise errors.MessageNotClaimed(message_id)
        if outcome == 'mismatch':
            raise errors.ClaimDoesNotMatch(message_id)

    def bulk_delete(self, queue, message_ids, project=None, claim_ids=None):
        _, held = self.run('message_bulk_delete', project, queue,
                           ','.join(claim_ids or ()), *map(str, message_ids))
        if held:
            raise errors.MessageIsClaimed(held.decode())

    def reject(self, queue, message_id, project=None, claim=None,
               detail=None):
        _, outcome = self.run('message_reject', project, queue,
                              str(message_id), claim or '', detail or '')
        outcome = outcome.decode()
        if not outcome.startswith('!'):
            return outcome
        raise {'!missing': errors.MessageDoesNotExist(message_id, queue,
                                                      project),
               '!no-dlq': errors.NoDeadLetterQueue(queue, project),
               '!claimed': errors.MessageIsClaimed(message_id),
               '!not-claimed': errors.MessageNotClaimed(message_id),
               '!mismatch': errors.ClaimDoesNotMatch(message_id)}[outcome]

    def pop(self, queue, limit, project=None):
        now, items = self.run('message_pop', project, queue, limit)
        return [to_message(item, now) for item in items]
