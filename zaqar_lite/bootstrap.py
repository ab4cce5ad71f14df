"""Bootstrap: conf -> control driver -> data driver -> pipelines -> app.

One object that builds every long-lived part of the service from a loaded
configuration, each at most once, so the CLI, gunicorn workers and tests all
build the very same thing.
"""

import dataclasses
import functools

from zaqar_lite import errors, plugins
from zaqar_lite.storage.pipeline import Pipeline

#: names the notifier stage is registered under (Zaqar's, and a short one)
NOTIFIER_STAGES = {'zaqar.notification.notifier', 'notifier'}


@dataclasses.dataclass(frozen=True)
class Pipelines:
    """The storage pipeline of each resource, as the transport uses them."""

    queue: Pipeline
    message: Pipeline
    claim: Pipeline
    subscription: Pipeline
    topic: Pipeline


def driver_settings(conf, kind: str, name: str,
                    namespace=plugins.DATA_DRIVERS) -> tuple[str, dict]:
    """``(uri, options)`` for a store from ``[drivers:<kind>:<name>]``.

    Raises:
        PluginLoadError: no such store is known.
    """
    section = f'drivers:{kind}:{name}'
    if section not in conf:
        raise errors.PluginLoadError(
            f'[drivers] {kind} = {name}: no such store; installed: '
            f'{", ".join(plugins.installed(namespace)) or "none"}')
    group = conf[section]
    options = {key: group[key] for key in group if key != 'uri'}
    return group.uri, options


class Bootstrap:
    """Builds the service's parts from ``conf`` lazily, each once."""

    def __init__(self, conf):
        self.conf = conf

    @functools.cached_property
    def data_driver(self):
        """The message store's driver, or the pooling driver over pools."""
        if not self.conf.pooling:
            return self._message_store()
        from zaqar_lite.storage.pooling.catalog import Catalog
        from zaqar_lite.storage.pooling.driver import DataDriver
        default = self._message_store() \
            if self.conf['pooling:catalog'].enable_virtual_pool else None
        return DataDriver(Catalog(self.control_driver, default))

    def _message_store(self):
        name = self.conf.drivers.message_store
        uri, options = driver_settings(self.conf, 'message_store', name)
        return plugins.load_driver(plugins.DATA_DRIVERS, name,
                                   '[drivers] message_store',
                                   uri=uri, options=options)

    @functools.cached_property
    def control_driver(self):
        """The management store's driver: catalogue, pools, flavors."""
        name = self.conf.drivers.management_store
        uri, options = driver_settings(self.conf, 'management_store', name,
                                       plugins.CONTROL_DRIVERS)
        return plugins.load_driver(plugins.CONTROL_DRIVERS, name,
                                   '[drivers] management_store',
                                   uri=uri, options=options)

    @functools.cached_property
    def pipelines(self) -> Pipelines:
        driver = self.data_driver
        self._check_notification_settings()
        message_kwargs = {
            'subscription_controller': driver.subscription_controller,
            'max_notifier_workers': self.conf.notification.max_notifier_workers,
            'require_confirmation': self.conf.notification.require_confirmation,
            'queue_controller': driver.queue_controller}
        return Pipelines(
            queue=Pipeline(self._stages('queue'), driver.queue_controller),
            message=Pipeline(self._stages('message', **message_kwargs),
                             driver.message_controller),
            claim=Pipeline(self._stages('claim'), driver.claim_controller),
            subscription=Pipeline(self._stages('subscription'),
                                  driver.subscription_controller),
            topic=Pipeline(self._stages('topic'), driver.topic_controller))

    def _stages(self, resource, **zaqar_kwargs):
        """The configured stages of one resource's pipeline."""
        return plugins.load_stages(
            f'[storage] {resource}_pipeline',
            self.conf.storage[f'{resource}_pipeline'], zaqar_kwargs,
            {'conf': self.conf, 'driver': self.data_driver})

    def _check_notification_settings(self):
        if self.conf.notification.require_confirmation and \
                not self.conf.signed_url.secret_key:
            raise errors.ConfigurationError(
                '[notification] require_confirmation needs [signed_url] '
                'secret_key to sign the confirmation URLs')

    @functools.cached_property
    def notification_tasks(self) -> dict:
        """``{scheme: Task}`` for ``[transport] subscriber_types``."""
        from zaqar_lite.notification.tasks.base import load_tasks
        return load_tasks(self.conf, self.conf.transport.subscriber_types)

    @functools.cached_property
    def notifier(self):
        from zaqar_lite.notification.notifier import Notifier
        return Notifier(self.conf, self.data_driver)

    def delivery_worker(self):
        """A new delivery worker over this service's store."""
        from zaqar_lite.notification.delivery import DeliveryWorker
        return DeliveryWorker(self.conf, self.data_driver,
                              self.notification_tasks)

    @property
    def notifies(self) -> bool:
        """Whether anything here queues deliveries (so a worker is due)."""
        return bool(NOTIFIER_STAGES & set(self.conf.storage.message_pipeline)
                    or self.conf.notification.require_confirmation)

    @functools.cached_property
    def app(self):
        """The WSGI app: behind Keystone's ``auth_token`` with
        ``auth_strategy = keystone``, in CORS when ``[cors] allowed_origin``
        (outermost, so preflight requests need no token)."""
        from zaqar_lite.transport.wsgi import auth
        from zaqar_lite.transport.wsgi.app import create_app
        app = create_app(self.conf, self.pipelines, self.data_driver,
                         self.notifier, self.notification_tasks,
                         self.control_driver if self.conf.admin_mode
                         else None)
        app = auth.wrap(app, self.conf)
        if self.conf.cors.allowed_origin:
            from oslo_middleware import cors
            app = cors.CORS(app, self.conf)
        return app

    def close(self):
        """Close the drivers that were built."""
        built = self.__dict__
        if 'data_driver' in built:
            self.data_driver.close()
        # the pooling driver closes the control driver it routes with
        if 'control_driver' in built and not (self.conf.pooling and
                                              'data_driver' in built):
            self.control_driver.close()
