"""Queues of the MongoDB store."""

import json
import time

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb.messages import live
from zaqar_lite.storage.mongodb.schema import (in_queue, queue_id, queue_key,
                                               stored_project)

FILTERED_BATCH = 100  # queues read at a time when a listing is filtered


def create_queue(db, name, project, metadata=None) -> bool:
    """Create a queue; True if it was new.

    An existing queue keeps its metadata unless ``metadata`` is given.
    """
    created = db.queues.insert_one(
        {'_id': queue_id(name, project), 'project': stored_project(project),
         'name': name, 'metadata': json.dumps(metadata or {}),
         'created': time.time(), 'seq': 0, 'messages': 0,
         'priorities': True})
    if not created and metadata is not None:
        db.queues.update_one(queue_key(name, project),
                             {'$set': {'metadata': json.dumps(metadata)}})
    return created


def queue_metadata(db, name, project):
    """A queue's metadata, or None if it is missing."""
    doc = db.queues.find_one(queue_key(name, project), projection={
        'metadata': 1})
    return None if doc is None else json.loads(doc['metadata'])


class QueueController(base.Queue):

    @property
    def db(self):
        return self.driver.db

    def list(self, project=None, kfilter=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE, detailed=False, name=None):
        # Metadata is JSON text, so filters apply here, a batch at a time.
        filtered = bool(kfilter or name)
        batch = max(limit, FILTERED_BATCH) if filtered else limit
        found, after = [], marker or ''
        while len(found) < limit:
            docs = self.db.queues.find(
                {'project': stored_project(project), 'name': {'$gt': after}},
                sort=[('name', 1)], limit=batch,
                projection={'name': 1, 'metadata': 1})
            found += [doc for doc in docs if _matches(doc, kfilter, name)]
            if len(docs) < batch:
                break
            after = docs[-1]['name']
        queues = [_queue(doc, detailed) for doc in found[:limit]]
        yield iter(queues)
        yield queues[-1]['name'] if queues else marker

    def get(self, name, project=None):
        metadata = queue_metadata(self.db, name, project)
        if metadata is None:
            raise errors.QueueDoesNotExist(name, project)
        return metadata

    def create(self, name, metadata=None, project=None):
        return create_queue(self.db, name, project, metadata)

    def exists(self, name, project=None):
        return self.db.queues.find_one(queue_key(name, project),
                                       projection={'_id': 1}) is not None

    def set_metadata(self, name, metadata, project=None):
        if not self.db.queues.update_one(
                queue_key(name, project),
                {'$set': {'metadata': json.dumps(metadata)}}):
            raise errors.QueueDoesNotExist(name, project)

    def delete(self, name, project=None):
        # The queue first: a post that comes in meanwhile fails.
        self.db.queues.delete_one(queue_key(name, project))
        self.db.messages.delete_many(in_queue(name, project))
        self.db.claims.delete_many(in_queue(name, project))
        self.db.idempotency_keys.delete_many(in_queue(name, project))
        self.db.redrive_jobs.delete_by_id(queue_id(name, project))
        self.db.subscriptions.delete_many(
            {'project': stored_project(project), 'source': name})

    def stats(self, name, project=None):
        now = time.time()
        doc = self.db.queues.find_one(queue_key(name, project),
                                      projection={'messages': 1})
        if doc is None:
            raise errors.QueueDoesNotExist(name, project)
        stats = self._counts(name, project, doc['messages'], now)
        oldest = self._edge(name, project, now, 1) if stats['total'] else None
        if oldest is not None:
            stats['oldest'] = oldest
            stats['newest'] = self._edge(name, project, now, -1) or oldest
        return {'messages': stats}

    def _counts(self, name, project, stored, now):
        # A counter and short index ranges (expired, held, delayed
        # messages): the cost does not grow with the number of free ones.
        count = self.db.messages.count
        waiting = {'$gt': now}
        expired = count({**in_queue(name, project),
                         'expires': {'$lte': now}})
        # messages of lapsed claims waiting out their redelivery backoff
        lapsed = count(live(name, project, now, available=waiting,
                            claim={'$ne': None},
                            claim_expires={'$lte': now}))
        claimed = count(live(name, project, now, available=waiting,
                             claim={'$ne': None})) - lapsed
        delayed = count(live(name, project, now, available=waiting,
                             claim=None)) + lapsed
        total = stored - expired
        return {'claimed': claimed, 'delayed': delayed,
                'free': total - claimed - delayed, 'total': total}

    def _edge(self, name, project, now, order):
        doc = self.db.messages.find_one(
            live(name, project, now), sort=[('seq', order)],
            projection={'created': 1})
        if doc is None:  # expired since it was counted
            return None
        return {'id': doc['_id'], 'created': int(doc['created']),
                'age': int(now - doc['created'])}


def _matches(doc, kfilter, name) -> bool:
    if name and name not in doc['name']:
        return False
    metadata = json.loads(doc['metadata']) if kfilter else {}
    return all(key in metadata and metadata[key] == value
               for key, value in (kfilter or {}).items())


def _queue(doc, detailed) -> dict:
    queue = {'name': doc['name']}
    if detailed:
        queue['metadata'] = json.loads(doc['metadata'])
    return queue
