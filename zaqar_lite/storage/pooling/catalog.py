"""Catalog: which pool's driver serves a queue, cached and kept correct.

Routes are cached per thread and dropped whenever the management store's
``generation()`` moves (a queue leaving the catalogue, a pool or flavor
changing), so several servers sharing one management store agree on every
route.  A queue that was never registered routes to no pool, or to the
default pool when ``[pooling:catalog] enable_virtual_pool`` is on.
"""

import json
import logging
import random
import threading
import urllib.parse

from zaqar_lite import errors, plugins

LOG = logging.getLogger(__name__)

SCHEMES = {'sqlite': 'sqlite', 'redis': 'redis', 'rediss': 'redis',
           'unix': 'redis', 'mongodb': 'mongodb', 'mongodb+srv': 'mongodb'}


def driver_name(uri) -> str:
    """The data driver that serves a pool URI, by its scheme."""
    scheme = urllib.parse.urlsplit(uri).scheme
    try:
        return SCHEMES[scheme]
    except KeyError:
        raise errors.ValidationError(
            f'The pool URI scheme {scheme!r} is not one of '
            f'{sorted(set(SCHEMES))}.') from None


def build_driver(uri, options, what='pool'):
    """A data driver for ``uri``.

    Raises:
        ConfigurationError: the engine cannot be reached or the URI is bad.
    """
    return plugins.load_driver(plugins.DATA_DRIVERS, driver_name(uri), what,
                               uri=uri, options=options or {})


class Catalog:
    """Routes queues to pool drivers.

    Args:
        control: the management store's control driver.
        default: the data driver serving unregistered queues (the virtual
            pool), or None.
    """

    def __init__(self, control, default=None):
        self.control = control
        self.default = default
        self._local = threading.local()
        self._lock = threading.Lock()
        self._drivers = {}  # pool name -> (uri, options JSON, driver)

    # -- the cache -----------------------------------------------------------

    def _cache(self) -> dict:
        generation = self.control.generation()
        cached = getattr(self._local, 'cache', None)
        if cached is None or cached[0] != generation:
            cached = self._local.cache = (generation, {})
        return cached[1]

    # -- routing -------------------------------------------------------------

    def lookup(self, queue, project=None):
        """The driver of the queue's pool; None when it is in no pool."""
        cache = self._cache()
        key = ('route', project, queue)
        pool = cache.get(key)
        if pool is None:
            try:
                pool = self.control.catalogue_controller.get(project, queue)
            except errors.QueueNotMapped:
                return self.default
            cache[key] = pool
        return self.get_driver(pool, cache)

    def register(self, queue, project=None, flavor=None):
        """Put the queue in a pool (of ``flavor``, by weight) unless it is
        in one; returns that pool's driver.

        Raises:
            ValidationError: no such flavor.
            NoPoolFound: no pool can take it.
        """
        catalogue = self.control.catalogue_controller
        try:
            return self.get_driver(catalogue.get(project, queue))
        except errors.QueueNotMapped:
            pass
        if self.default is not None and \
                self.default.queue_controller.exists(queue, project=project):
            # It lives in the virtual pool: placing it again would hide its
            # messages behind an empty queue in a pool added since.
            return self.default
        pool = self._choose(flavor)
        if pool is None:
            if self.default is not None and flavor is None:
                return self.default
            raise errors.NoPoolFound(
                f'No pool of flavor {flavor} is registered.' if flavor else
                'No pools registered: an administrator must add one '
                '(PUT /v2/pools/{name}) before queues can be created.')
        return self.get_driver(catalogue.insert(project, queue, pool))

    def deregister(self, queue, project=None):
        """Take the queue out of the catalogue."""
        self.control.catalogue_controller.delete(project, queue)

    def _choose(self, flavor):
        if flavor is not None and \
                not self.control.flavors_controller.exists(flavor):
            raise errors.ValidationError(f'Flavor {flavor} does not exist.')
        pools = self.pools(flavor=flavor or '')
        if not pools and flavor is None:
            pools = self.pools()  # every pool has a flavor: any will do
        weighted = [pool for pool in pools if pool['weight'] > 0]
        if not weighted:
            return None
        return random.choices(weighted,
                              [pool['weight'] for pool in weighted])[0]['name']

    def pools(self, flavor=None, detailed=False) -> list:
        """Every registered pool (of ``flavor``: '' for none)."""
        found, marker = [], None
        while True:
            listing = self.control.pools_controller.list(
                marker=marker, limit=100, detailed=detailed, flavor=flavor)
            page = list(next(listing))
            found += page
            if len(page) < 100:
                return found
            marker = next(listing)

    # -- drivers -------------------------------------------------------------

    def get_driver(self, pool_id, cache=None):
        """The data driver of a pool, built once per URI and options.

        Raises:
            StorageUnavailable: the pool's engine cannot be reached.
        """
        cache = self._cache() if cache is None else cache
        key = ('pool', pool_id)
        record = cache.get(key)
        if record is None:
            try:
                record = self.control.pools_controller.get(pool_id,
                                                           detailed=True)
            except errors.PoolDoesNotExist:
                raise errors.StorageUnavailable(
                    f'pool {pool_id} is in the catalogue but not '
                    'registered') from None
            cache[key] = record
        identity = (record['uri'], json.dumps(record['options'],
                                              sort_keys=True))
        with self._lock:
            built = self._drivers.get(pool_id)
            if built is not None and built[0] == identity:
                return built[1]
            try:
                driver = build_driver(record['uri'], record['options'],
                                      f'pool {pool_id}')
            except errors.ConfigurationError as exc:
                raise errors.StorageUnavailable(str(exc)) from exc
            self._drivers[pool_id] = (identity, driver)
        if built is not None:  # the pool moved: its old engine is unused
            built[1].close()
        return driver

    def get_default_pool(self):
        """The virtual pool's driver, or None."""
        return self.default

    def drivers(self) -> dict:
        """``{pool name: driver}`` of every registered, reachable pool."""
        found = {}
        for pool in self.pools():
            try:
                found[pool['name']] = self.get_driver(pool['name'])
            except errors.StorageUnavailable as exc:
                LOG.warning('pool %s: %s', pool['name'], exc)
        return found

    def get_queue_controller(self, queue, project=None):
        driver = self.lookup(queue, project)
        return None if driver is None else driver.queue_controller

    def get_message_controller(self, queue, project=None):
        driver = self.lookup(queue, project)
        return None if driver is None else driver.message_controller

    def get_claim_controller(self, queue, project=None):
        driver = self.lookup(queue, project)
        return None if driver is None else driver.claim_controller

    def get_subscription_controller(self, queue, project=None):
        driver = self.lookup(queue, project)
        return None if driver is None else driver.subscription_controller

    def close(self):
        with self._lock:
            for _, driver in self._drivers.values():
                driver.close()
            self._drivers.clear()

