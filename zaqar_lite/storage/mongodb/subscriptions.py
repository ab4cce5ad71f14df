"""Subscriptions of the MongoDB store: one document each.

A unique index on (project, source, subscriber) keeps subscribers unique
per source; an expired subscription is deleted before its subscriber
subscribes again.
"""

import json
import time
import uuid

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb.schema import stored_project


def _of_source(queue, project, **query) -> dict:
    return {'project': stored_project(project), 'source': queue, **query}


def _live(queue, project, now, **query) -> dict:
    return _of_source(queue, project, expires={'$gt': now}, **query)


class SubscriptionController(base.Subscription):

    @property
    def db(self):
        return self.driver.db

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_SUBSCRIPTIONS_PER_PAGE):
        now = time.time()
        docs = self.db.subscriptions.find(
            _live(queue, project, now, _id={'$gt': marker or ''}),
            sort=[('_id', 1)], limit=limit)
        yield iter([_subscription(doc, now) for doc in docs])
        yield docs[-1]['_id'] if docs else marker

    def get(self, queue, subscription_id, project=None):
        now = time.time()
        doc = self.db.subscriptions.find_one(
            _live(queue, project, now, _id=str(subscription_id)))
        if doc is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return _subscription(doc, now)

    def get_with_subscriber(self, queue, subscriber, project=None):
        now = time.time()
        doc = self.db.subscriptions.find_one(
            _live(queue, project, now, subscriber=subscriber))
        if doc is None:
            raise errors.SubscriptionDoesNotExist(subscriber)
        return _subscription(doc, now)

    def exists(self, queue, subscription_id, project=None):
        return self.db.subscriptions.find_one(
            _live(queue, project, time.time(), _id=str(subscription_id)),
            projection={'_id': 1}) is not None

    def create(self, queue, subscriber, ttl, options, project=None):
        now = time.time()
        self._forget_expired(queue, project, subscriber, now)
        subscription_id = str(uuid.uuid4())
        created = self.db.subscriptions.insert_one(
            {'_id': subscription_id, **_of_source(queue, project),
             'subscriber': subscriber, 'ttl': ttl,
             'options': json.dumps(options or {}), 'confirmed': False,
             'created': now, 'expires': now + ttl})
        return subscription_id if created else None

    def update(self, queue, subscription_id, project=None, **kwargs):
        now = time.time()
        doc = self.db.subscriptions.find_one(
            _live(queue, project, now, _id=str(subscription_id)))
        if doc is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        fields = {key: kwargs[key] for key in ('subscriber', 'ttl', 'options')
                  if key in kwargs}
        subscriber = fields.get('subscriber')
        if subscriber is not None:
            self._forget_expired(queue, project, subscriber, now)
            other = self.db.subscriptions.find_one(
                _of_source(queue, project, subscriber=subscriber),
                projection={'_id': 1})
            if other is not None and other['_id'] != doc['_id']:
                raise errors.SubscriptionAlreadyExists()
        if 'options' in fields:
            fields['options'] = json.dumps(fields['options'] or {})
        fields['expires'] = now + fields.get('ttl', doc['ttl'])
        self.db.subscriptions.update_one({'_id': doc['_id']},
                                         {'$set': fields})

    def confirm(self, queue, subscription_id, project=None, confirmed=True):
        if not self.db.subscriptions.update_one(
                _live(queue, project, time.time(), _id=str(subscription_id)),
                {'$set': {'confirmed': bool(confirmed)}}):
            raise errors.SubscriptionDoesNotExist(subscription_id)

    def delete(self, queue, subscription_id, project=None):
        self.db.subscriptions.delete_one(
            _of_source(queue, project, _id=str(subscription_id)))

    def delete_all(self, queue, project=None):
        self.db.subscriptions.delete_many(_of_source(queue, project))

    def _forget_expired(self, queue, project, subscriber, now):
        self.db.subscriptions.delete_many(_of_source(
            queue, project, subscriber=subscriber, expires={'$lte': now}))


def _subscription(doc, now) -> dict:
    return {'id': doc['_id'], 'source': doc['source'],
            'subscriber': doc['subscriber'], 'ttl': doc['ttl'],
            'age': int(now - doc['created']),
            'options': json.loads(doc['options']),
            'confirmed': doc['confirmed']}
