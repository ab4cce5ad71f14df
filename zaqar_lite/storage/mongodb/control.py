"""The MongoDB management store: catalogue, pools and flavors.

Collections and fields are in ``schema.py``.  ``generation()`` reads one
document by ``_id``, so the route caches of every server sharing the store
can check it on each request; each change gives it a fresh random value
(rather than an increment, which FerretDB v1 can lose).
"""

import json
import uuid

import pymongo.errors

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb import engine, schema

GENERATION = 'generation'  # the _id of the generation document
POOL_FIELDS = ('weight', 'uri', 'flavor', 'options')


class CatalogueController(base.Catalogue):

    @property
    def catalogue(self):
        return self.driver.catalogue

    def list(self, project=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE):
        docs = self.catalogue.find(
            {'project': schema.stored_project(project),
             'queue': {'$gt': marker or ''}}, sort=[('queue', 1)],
            limit=limit)
        yield iter([{'queue': doc['queue'], 'pool': doc['pool']}
                    for doc in docs])
        yield docs[-1]['queue'] if docs else marker

    def get(self, project, queue):
        doc = self.catalogue.find_one(
            {'_id': schema.queue_id(queue, project)})
        if doc is None:
            raise errors.QueueNotMapped(queue, project)
        return doc['pool']

    def insert(self, project, queue, pool):
        key = schema.queue_id(queue, project)
        if self.catalogue.insert_one(
                {'_id': key, 'project': schema.stored_project(project),
                 'queue': queue, 'pool': pool}):
            return pool
        return self.get(project, queue)

    def delete(self, project, queue):
        if self.catalogue.delete_by_id(schema.queue_id(queue, project)):
            self.driver.changed()

    def count(self, pool):
        return self.catalogue.count({'pool': pool})


class PoolsController(base.Pools):

    @property
    def pools(self):
        return self.driver.pools

    def list(self, marker=None, limit=base.DEFAULT_POOLS_PER_PAGE,
             detailed=False, flavor=None):
        query = {'_id': {'$gt': marker or ''}}
        if flavor is not None:
            query['flavor'] = flavor or None
        docs = self.pools.find(query, sort=[('_id', 1)], limit=limit)
        yield iter([_pool(doc, detailed) for doc in docs])
        yield docs[-1]['_id'] if docs else marker

    def get(self, name, detailed=False):
        return _pool(self._get(name), detailed)

    def create(self, name, weight, uri, flavor=None, options=None):
        new = self.pools.upsert({'_id': name, 'uri': uri, 'weight': weight,
                                 'flavor': flavor or None,
                                 'options': json.dumps(options or {})})
        self.driver.changed()
        return new

    def update(self, name, **fields):
        pool = _pool(self._get(name), detailed=True)
        pool.update({key: fields[key] for key in POOL_FIELDS
                     if key in fields})
        self.create(name, pool['weight'], pool['uri'], pool['flavor'],
                    pool['options'])

    def delete(self, name):
        self.pools.delete_by_id(name)
        self.driver.changed()

    def _get(self, name):
        doc = self.pools.find_one({'_id': name})
        if doc is None:
            raise errors.PoolDoesNotExist(name)
        return doc


class FlavorsController(base.Flavors):

    @property
    def flavors(self):
        return self.driver.flavors

    def list(self, marker=None, limit=base.DEFAULT_FLAVORS_PER_PAGE):
        docs = self.flavors.find({'_id': {'$gt': marker or ''}},
                                 sort=[('_id', 1)], limit=limit)
        yield iter([_flavor(doc) for doc in docs])
        yield docs[-1]['_id'] if docs else marker

    def get(self, name):
        doc = self.flavors.find_one({'_id': name})
        if doc is None:
            raise errors.FlavorDoesNotExist(name)
        return _flavor(doc)

    def create(self, name, capabilities=None):
        new = self.flavors.upsert(
            {'_id': name, 'capabilities': json.dumps(capabilities or {})})
        self.driver.changed()
        return new

    def update(self, name, capabilities):
        if not self.flavors.update_one(
                {'_id': name},
                {'$set': {'capabilities': json.dumps(capabilities or {})}}):
            raise errors.FlavorDoesNotExist(name)
        self.driver.changed()

    def delete(self, name):
        self.flavors.delete_by_id(name)
        self.driver.pools.update_many({'flavor': name},
                                      {'$set': {'flavor': None}})
        self.driver.changed()


def _pool(doc, detailed) -> dict:
    pool = {'name': doc['_id'], 'uri': doc['uri'], 'weight': doc['weight'],
            'flavor': doc['flavor']}
    if detailed:
        pool['options'] = json.loads(doc['options'])
    return pool


def _flavor(doc) -> dict:
    return {'name': doc['_id'],
            'capabilities': json.loads(doc['capabilities'])}


class ControlDriver(base.ControlDriverBase):
    """Catalogue, pools and flavors in a MongoDB database.

    Args:
        uri: as for the MongoDB data driver.
        options: ``database`` and the connection options of
            :func:`engine.connect`.

    Raises:
        ConfigurationError: the URI or options are malformed, or the
            server is unreachable.
    """

    catalogue_class = CatalogueController
    pools_class = PoolsController
    flavors_class = FlavorsController

    def __init__(self, uri, options=None):
        super().__init__(uri, options)
        self.client = engine.connect(uri, self.options)
        database = self.client[self.options.get('database', 'zaqar')]
        try:
            schema.ensure_indexes(database, schema.CONTROL_INDEXES)
        except pymongo.errors.PyMongoError as exc:
            self.client.close()
            raise errors.ConfigurationError(
                f'MongoDB database {database.name!r} cannot be prepared: '
                f'{exc}') from exc
        self.catalogue = engine.Collection(database[schema.CATALOGUE])
        self.pools = engine.Collection(database[schema.POOLS])
        self.flavors = engine.Collection(database[schema.FLAVORS])
        self.management = engine.Collection(database[schema.MANAGEMENT])

    def changed(self):
        """Move the generation: cached routes may be stale now."""
        self.management.upsert({'_id': GENERATION, 'value': uuid.uuid4().hex})

    def generation(self):
        doc = self.management.find_one({'_id': GENERATION})
        return doc and doc['value']

    def is_alive(self):
        try:
            self.client.admin.command('ping')
        except pymongo.errors.PyMongoError:
            return False
        return True

    def close(self):
        self.client.close()
