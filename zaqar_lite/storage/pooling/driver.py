"""The pooling data driver: the pipelines wrap it like any data driver."""

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.pooling import controllers


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

    def __init__(self, catalog):
        super().__init__('pooling://', {})
        self.catalog = catalog

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

    def is_alive(self):
        try:
            if not self.catalog.control.is_alive():
                return False
            return all(driver.is_alive()
                       for driver in self._pools().values())
        except errors.StorageUnavailable:
            return False

    def health(self):
        pools = {}
        for pool in self.catalog.pools():
            try:
                alive = self.catalog.get_driver(pool['name']).is_alive()
            except errors.StorageUnavailable:
                alive = False
            pools[pool['name']] = {
                'storage_reachable': alive,
                'queues': self.catalog.control.catalogue_controller.count(
                    pool['name'])}
        return {'storage_reachable': self.is_alive(),
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
