"""Collections, fields and indexes of the MongoDB store, in one place.

``queues``: one document per queue::

    {_id: queue_id(name, project), project, name, metadata (JSON text),
     created, priorities (true once every message has a priority: see
     ``leases.claimable_metadata``),
     seq: last message sequence handed out, messages: message documents
     held (expired ones included until gc removes them)}

``messages``: one document per message; ``_id`` is the public id::

    {_id, project, queue, seq, body (JSON text), client, created, expires,
     delay, available (when it may next be claimed), claim (id or None),
     claim_expires (when that claim ends), claim_count, priority,
     dead_letter (provenance of a dead-lettered message; absent on others)}

  A message is held by ``claim`` while ``claim_expires`` is in the future;
  ``available`` is then the claim's end plus the queue's redelivery
  backoff, so an expiring claim frees its messages without any write.
  Documents written before backoff existed have no ``claim_expires``:
  their claim ends at ``available``.  Its ttl is ``expires - created`` (a
  claim may push ``expires`` out).

``claims``: ``{_id: claim id, project, queue, ttl, grace, created,
expires}``.

``leases``: ``{_id: lease_id(...), expires}``: one per grant of a message
to a claim (or a pop, or a dead-letter move).  Inserting it is the one
step that decides which of several concurrent claimers gets the message
(see ``claims.py``); gc removes it once its claim has ended.

``subscriptions``: ``{_id, project, source, subscriber, ttl, options (JSON
text), confirmed, created, expires}``.

``idempotency_keys``: ``{_id: idempotency_key_id(...), project, queue, key,
message_id, expires}``: the message first posted with a key, until the
key's dedup window ends (see ``idempotency.py``).

``redrive_jobs``: ``{_id: queue_id(queue, project), project, queue, job
(JSON text), version, state}``: a dead-letter queue's redrive job.

The management store (``control.py``) keeps, in the same or another
database: ``catalogue`` ``{_id: queue_id(queue, project), project, queue,
pool}``; ``pools`` ``{_id: name, uri, weight, flavor, options (JSON
text)}``; ``flavors`` ``{_id: name, capabilities (JSON text)}``; and in
``management`` the document ``{_id: 'generation', value}``, given a fresh
random value by every change that can make a cached route stale.

``project`` None is stored as ''.  Metadata, bodies and options are JSON
text: their keys may contain ``.`` and ``$``, which MongoDB field names
cannot carry everywhere, and they are never queried inside.

Every query on the request path filters on the leading fields of one of
``INDEXES`` (``tests/storage/mongodb/test_indexes.py`` checks each command
the driver sends).  A single document (queue, message, claim,
subscription) is looked up by ``_id`` alone and its project and queue are
checked in Python: MongoDB's best index, and the one lookup FerretDB v1
hands to SQLite instead of decoding every document of the collection.
No TTL indexes: the queue's ``messages`` counter must see every removal,
and FerretDB v1 has none; expiry is filtered on read and cleaned up by gc.
"""

import json

import pymongo

QUEUES = 'queues'
MESSAGES = 'messages'
CLAIMS = 'claims'
LEASES = 'leases'
SUBSCRIPTIONS = 'subscriptions'
IDEMPOTENCY_KEYS = 'idempotency_keys'
REDRIVE_JOBS = 'redrive_jobs'

_UP = pymongo.ASCENDING

#: {collection: [(index name, keys, options)]}, created at start-up
INDEXES = {
    QUEUES: [
        ('queue_by_name', [('project', _UP), ('name', _UP)],
         {'unique': True}),
    ],
    MESSAGES: [
        # listings, markers, oldest/newest; unique: one seq per message
        ('message_by_seq', [('project', _UP), ('queue', _UP), ('seq', _UP)],
         {'unique': True}),
        # claims and pops: by priority, highest first, then availability;
        # held and delayed messages sit in the future of their priority
        ('message_by_priority', [('project', _UP), ('queue', _UP),
                                 ('priority', pymongo.DESCENDING),
                                 ('available', _UP), ('seq', _UP)], {}),
        # stats: held and delayed messages
        ('message_by_availability', [('project', _UP), ('queue', _UP),
                                     ('available', _UP), ('seq', _UP)], {}),
        # expired-message counts for stats
        ('message_by_expiry', [('project', _UP), ('queue', _UP),
                               ('expires', _UP)], {}),
        # gc
        ('message_expiring', [('expires', _UP)], {}),
        # the messages a claim holds
        ('message_by_claim', [('claim', _UP)], {}),
    ],
    CLAIMS: [
        ('claim_by_queue', [('project', _UP), ('queue', _UP)], {}),
        ('claim_by_expiry', [('expires', _UP)], {}),
    ],
    LEASES: [
        ('lease_by_expiry', [('expires', _UP)], {}),
    ],
    SUBSCRIPTIONS: [
        ('subscription_by_subscriber', [('project', _UP), ('source', _UP),
                                        ('subscriber', _UP)],
         {'unique': True}),
        ('subscription_by_source', [('project', _UP), ('source', _UP),
                                    ('_id', _UP)], {}),
        ('subscription_by_expiry', [('expires', _UP)], {}),
    ],
    IDEMPOTENCY_KEYS: [
        ('idempotency_key_by_queue', [('project', _UP), ('queue', _UP)], {}),
        ('idempotency_key_by_expiry', [('expires', _UP)], {}),
    ],
    REDRIVE_JOBS: [
        # the housekeeper's scan for running jobs
        ('redrive_job_by_state', [('state', _UP)], {}),
    ],
}


CATALOGUE = 'catalogue'
POOLS = 'pools'
FLAVORS = 'flavors'
MANAGEMENT = 'management'

#: the management store's indexes, as ``INDEXES``
CONTROL_INDEXES = {
    CATALOGUE: [
        ('catalogue_by_queue', [('project', _UP), ('queue', _UP)], {}),
        ('catalogue_by_pool', [('pool', _UP)], {}),
    ],
    POOLS: [
        ('pool_by_flavor', [('flavor', _UP), ('_id', _UP)], {}),
    ],
    FLAVORS: [],
    MANAGEMENT: [],
}


def stored_project(project) -> str:
    """The stored form of a project: ``None`` is ''."""
    return project or ''


def queue_id(name, project) -> str:
    """The ``_id`` of a queue document."""
    return json.dumps([stored_project(project), name])


def queue_key(name, project) -> dict:
    """The filter of one queue document."""
    return {'_id': queue_id(name, project)}


def belongs(doc, queue, project) -> bool:
    """Whether a message or claim document is of this queue and project."""
    return doc['project'] == stored_project(project) and \
        doc['queue'] == queue


def in_queue(queue, project) -> dict:
    """The filter of the documents (messages, claims) of one queue."""
    return {'project': stored_project(project), 'queue': queue}


def idempotency_key_id(queue, project, key) -> str:
    """The ``_id`` of an idempotency key document."""
    return json.dumps([stored_project(project), queue, key])


def lease_id(message) -> str:
    """The lease of a message's next grant.

    It names the message, its place (a dead-letter move gives it another
    queue and ``seq``) and how often it was claimed: unique per grant, so
    exactly one concurrent insert of it succeeds.
    """
    return (f'{message["_id"]}/{message["queue"]}/{message["seq"]}/'
            f'{message["claim_count"]}')


def ensure_indexes(database, indexes=None) -> None:
    """Create every index of ``indexes`` (default: ``INDEXES``); a no-op
    for those that exist."""
    for collection, declared in (indexes or INDEXES).items():
        for name, keys, options in declared:
            database[collection].create_index(keys, name=name, **options)
