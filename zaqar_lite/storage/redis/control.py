"""The Redis management store: catalogue, pools and flavors.

Keys under ``<prefix>:mgmt:``: per project, a sorted set of queue names
(``cat:<project>``, by name) and a hash queue -> pool (``catpool:<project>``);
a hash of queue counts per pool (``poolcount``); hashes of pools and of
flavors (name -> JSON) with sorted sets of their names; and ``generation``,
a counter bumped by every change that can make a cached route stale.
Catalogue changes are Lua scripts, so the counts stay exact.
"""

import inspect
import json

import redis

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.redis.connection import client_from_uri

_INSERT = """
local pool = redis.call('HGET', KEYS[2], ARGV[1])
if pool then return pool end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], 0, ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
return ARGV[2]
"""

_DELETE = """
local pool = redis.call('HGET', KEYS[2], ARGV[1])
if not pool then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[3], pool, -1)
redis.call('INCR', KEYS[4])
return 1
"""


_LOST = (redis.ConnectionError, redis.TimeoutError)


def _guarded(method):
    """Turn a lost Redis into ``StorageUnavailable``, for plain methods
    and for listings (generators, which run only when iterated)."""
    if inspect.isgeneratorfunction(method):
        def call(*args, **kwargs):
            try:
                yield from method(*args, **kwargs)
            except _LOST as exc:
                raise errors.StorageUnavailable(f'Redis: {exc}') from exc
    else:
        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except _LOST as exc:
                raise errors.StorageUnavailable(f'Redis: {exc}') from exc
    call.__doc__ = method.__doc__
    return call


class _Controller(base.ControllerBase):
    @property
    def client(self):
        return self.driver.client

    def key(self, *parts):
        return ':'.join((self.driver.prefix, 'mgmt', *parts))


class CatalogueController(_Controller, base.Catalogue):

    def _keys(self, project):
        scope = project or ''
        return [self.key('cat', scope), self.key('catpool', scope),
                self.key('poolcount'), self.key('generation')]

    @_guarded
    def list(self, project=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE):
        names_key, pools_key, *_ = self._keys(project)
        start = f'({marker}' if marker else '-'
        names = [name.decode() for name in self.client.zrangebylex(
            names_key, start, '+', start=0, num=limit)]
        pools = self.client.hmget(pools_key, names) if names else []
        yield iter([{'queue': name, 'pool': pool.decode()}
                    for name, pool in zip(names, pools) if pool])
        yield names[-1] if names else marker

    @_guarded
    def get(self, project, queue):
        pool = self.client.hget(self._keys(project)[1], queue)
        if pool is None:
            raise errors.QueueNotMapped(queue, project)
        return pool.decode()

    @_guarded
    def insert(self, project, queue, pool):
        return self.driver.insert_script(
            keys=self._keys(project)[:3], args=[queue, pool]).decode()

    @_guarded
    def delete(self, project, queue):
        self.driver.delete_script(keys=self._keys(project), args=[queue])

    @_guarded
    def count(self, pool):
        return int(self.client.hget(self.key('poolcount'), pool) or 0)


class _Records(_Controller):
    """Named JSON records with a sorted index of their names."""

    kind: str
    missing: type

    def _list(self, marker, limit):
        start = f'({marker}' if marker else '-'
        names = [n.decode() for n in self.client.zrangebylex(
            self.key(f'{self.kind}:names'), start, '+', start=0, num=limit)]
        raw = self.client.hmget(self.key(self.kind), names) if names else []
        return [json.loads(item) for item in raw if item]

    def _get(self, name):
        raw = self.client.hget(self.key(self.kind), name)
        if raw is None:
            raise self.missing(name)
        return json.loads(raw)

    def _put(self, record):
        pipe = self.client.pipeline()
        pipe.hset(self.key(self.kind), record['name'], json.dumps(record))
        pipe.zadd(self.key(f'{self.kind}:names'), {record['name']: 0})
        pipe.incr(self.key('generation'))
        return pipe.execute()[0] == 1

    def _delete(self, name):
        pipe = self.client.pipeline()
        pipe.hdel(self.key(self.kind), name)
        pipe.zrem(self.key(f'{self.kind}:names'), name)
        pipe.incr(self.key('generation'))
        pipe.execute()


class PoolsController(_Records, base.Pools):
    kind = 'pools'
    missing = errors.PoolDoesNotExist

    @_guarded
    def list(self, marker=None, limit=base.DEFAULT_POOLS_PER_PAGE,
             detailed=False, flavor=None):
        found, last = [], marker
        while len(found) < limit:
            batch = self._list(last, limit)
            if not batch:
                break
            last = batch[-1]['name']
            found += [pool for pool in batch
                      if flavor is None or pool['flavor'] == (flavor or None)]
        found = found[:limit]
        yield iter([_shown(pool, detailed) for pool in found])
        yield found[-1]['name'] if found else marker

    @_guarded
    def get(self, name, detailed=False):
        return _shown(self._get(name), detailed)

    @_guarded
    def create(self, name, weight, uri, flavor=None, options=None):
        return self._put({'name': name, 'uri': uri, 'weight': weight,
                          'flavor': flavor or None,
                          'options': options or {}})

    @_guarded
    def update(self, name, **fields):
        pool = self._get(name)
        for key in ('weight', 'uri', 'flavor', 'options'):
            if key in fields:
                pool[key] = fields[key]
        pool['flavor'] = pool['flavor'] or None
        self._put(pool)

    @_guarded
    def delete(self, name):
        self._delete(name)


class FlavorsController(_Records, base.Flavors):
    kind = 'flavors'
    missing = errors.FlavorDoesNotExist

    @_guarded
    def list(self, marker=None, limit=base.DEFAULT_FLAVORS_PER_PAGE):
        found = self._list(marker, limit)
        yield iter(found)
        yield found[-1]['name'] if found else marker

    @_guarded
    def get(self, name):
        return self._get(name)

    @_guarded
    def create(self, name, capabilities=None):
        return self._put({'name': name, 'capabilities': capabilities or {}})

    @_guarded
    def update(self, name, capabilities):
        self._get(name)
        self._put({'name': name, 'capabilities': capabilities or {}})

    @_guarded
    def delete(self, name):
        self._delete(name)
        pools = self.driver.pools_controller
        marker = None
        while True:
            listing = pools.list(marker=marker, limit=100, flavor=name)
            page = list(next(listing))
            for pool in page:
                pools.update(pool['name'], flavor=None)
            if len(page) < 100:
                return
            marker = next(listing)


def _shown(pool, detailed):
    return pool if detailed else {key: value for key, value in pool.items()
                                  if key != 'options'}


class ControlDriver(base.ControlDriverBase):
    """Catalogue, pools and flavors in Redis.

    Args:
        uri: as for the Redis data driver.
        options: ``socket_timeout``, ``max_connections``, ``key_prefix``.

    Raises:
        ConfigurationError: the URI is malformed or Redis is unreachable.
    """

    catalogue_class = CatalogueController
    pools_class = PoolsController
    flavors_class = FlavorsController

    def __init__(self, uri, options=None):
        super().__init__(uri, options)
        self.client = client_from_uri(uri, self.options)
        self.prefix = self.options.get('key_prefix', 'zl')
        try:
            self.client.ping()
        except redis.RedisError as exc:
            raise errors.ConfigurationError(
                f'Redis at {uri} cannot be reached: {exc}') from exc
        self.insert_script = self.client.register_script(_INSERT)
        self.delete_script = self.client.register_script(_DELETE)

    @_guarded
    def generation(self):
        return self.client.get(f'{self.prefix}:mgmt:generation')

    def is_alive(self):
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def close(self):
        self.client.close()
