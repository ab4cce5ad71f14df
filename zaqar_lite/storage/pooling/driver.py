"""The pooling data driver: the pipelines wrap it like any data driver."""

import functools

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.doorbell import Doorbell
from zaqar_lite.storage.pooling import controllers


class RoutingDoorbell(Doorbell):
    """Listens on the doorbell of the queue's pool (its driver rings it).

    A queue in no pool (never posted to) listens here, on a bell nobody
    rings: its first post, which places it in a pool, is found by the
    waiter's next re-check.

    Args:
        catalog: the ``Catalog`` routing (project, queue) to a pool.
    """

    def __init__(self, catalog):
        super().__init__()
        self.catalog = catalog

    def listen(self, queue, project=None):
        driver = self.catalog.lookup(queue, project)
        if driver is None:
            return super().listen(queue, project)
        return driver.doorbell.listen(queue, project)


class DataDriver(base.DataDriverBase):
    """Routes every controller call to the pool of its queue.

    Args:
        catalog: the ``Catalog`` (it owns the control driver and the pool
            drivers).
    """

    queue_class = controllers.QueueController
    message_class = controllers.MessageController
    claim_class = controllers.ClaimController
    subscription_class = controllers.SubscriptionController
    redrive_class = controllers.RedriveController

    def __init__(self, catalog):
        super().__init__('pooling://', {})
        self.catalog = catalog

    def pool_drivers(self) -> list:
        """The data driver of every pool (the default pool's included)."""
        return list(self._pools().values())

    def _pools(self) -> dict:
        pools = self.catalog.drivers()
        if self.catalog.default is not None:
            pools['(default)'] = self.catalog.default
        return pools

    @property
    def capabilities(self) -> tuple:
        """What every pool offers."""
        sets = [set(driver.BASE_CAPABILITIES)
                for driver in self._pools().values()]
        return tuple(sorted(set.intersection(*sets))) if sets else ()

    @functools.cached_property
    def doorbell(self):
        return RoutingDoorbell(self.catalog)

    def is_alive(self):
        """Whether the management store answers: this server can route.

        One pool being down fails only the requests for its queues, so it
        does not fail ``/v2/ping`` (which would take every server out of a
        load balancer); ``health()`` reports each pool.
        """
        return self.catalog.control.is_alive()

    def health(self):
        try:
            registered = self.catalog.pools()
        except errors.StorageUnavailable:
            return {'storage_reachable': False, 'catalog_reachable': False,
                    'pools': {}}
        pools = {}
        for pool in registered:
            try:
                alive = self.catalog.get_driver(pool['name']).is_alive()
            except errors.StorageUnavailable:
                alive = False
            pools[pool['name']] = {
                'storage_reachable': alive,
                'queues': self.catalog.control.catalogue_controller.count(
                    pool['name'])}
        if self.catalog.default is not None:
            pools['(default)'] = {
                'storage_reachable': self.catalog.default.is_alive()}
        return {'storage_reachable': all(pool['storage_reachable']
                                         for pool in pools.values()),
                'catalog_reachable': self.catalog.control.is_alive(),
                'pools': pools}

    def gc(self):
        totals = {}
        for driver in self._pools().values():
            try:
                counts = driver.gc()
            except errors.StorageUnavailable:
                continue
            for key, count in counts.items():
                totals[key] = totals.get(key, 0) + count
        return totals

    def close(self):
        self.catalog.close()
        if self.catalog.default is not None:
            self.catalog.default.close()
        self.catalog.control.close()
