"""Bootstrap: conf -> control driver -> data driver -> pipelines -> app.

One object that builds every long-lived part of the service from a loaded
configuration, each at most once, so the CLI, gunicorn workers and tests all
build the very same thing.
"""

import dataclasses
import functools

from zaqar_lite import errors, plugins
from zaqar_lite.storage.pipeline import Pipeline


@dataclasses.dataclass(frozen=True)
class Pipelines:
    """The storage pipeline of each resource, as the transport uses them."""

    queue: Pipeline
    message: Pipeline
    claim: Pipeline


def driver_settings(conf, kind: str, name: str) -> tuple[str, dict]:
    """``(uri, options)`` for a store from ``[drivers:<kind>:<name>]``.

    Raises:
        PluginLoadError: no such store is known.
    """
    section = f'drivers:{kind}:{name}'
    if section not in conf:
        raise errors.PluginLoadError(
            f'[drivers] {kind} = {name}: no such store; installed: '
            f'{", ".join(plugins.installed(plugins.DATA_DRIVERS)) or "none"}')
    group = conf[section]
    options = {key: group[key] for key in group if key != 'uri'}
    return group.uri, options


def _subscriptions(driver):
    """The driver's subscription controller, or None where it has none."""
    try:
        return driver.subscription_controller
    except NotImplementedError:
        return None


class Bootstrap:
    """Builds the service's parts from ``conf`` lazily, each once."""

    def __init__(self, conf):
        self.conf = conf

    @functools.cached_property
    def data_driver(self):
        name = self.conf.drivers.message_store
        uri, options = driver_settings(self.conf, 'message_store', name)
        return plugins.load_driver(plugins.DATA_DRIVERS, name,
                                   '[drivers] message_store',
                                   uri=uri, options=options)

    @functools.cached_property
    def pipelines(self) -> Pipelines:
        driver = self.data_driver
        self._refuse_unavailable_pipelines()
        message_kwargs = {
            'subscription_controller': _subscriptions(driver),
            'max_notifier_workers': self.conf.notification.max_notifier_workers,
            'require_confirmation': self.conf.notification.require_confirmation,
            'queue_controller': driver.queue_controller}
        return Pipelines(
            queue=Pipeline(self._stages('queue'), driver.queue_controller),
            message=Pipeline(self._stages('message', **message_kwargs),
                             driver.message_controller),
            claim=Pipeline(self._stages('claim'), driver.claim_controller))

    def _stages(self, resource, **zaqar_kwargs):
        """The configured stages of one resource's pipeline."""
        return plugins.load_stages(
            f'[storage] {resource}_pipeline',
            self.conf.storage[f'{resource}_pipeline'], zaqar_kwargs,
            {'conf': self.conf, 'driver': self.data_driver})

    def _refuse_unavailable_pipelines(self):
        for resource in ('subscription', 'topic'):
            if self.conf.storage[f'{resource}_pipeline']:
                raise errors.ConfigurationError(
                    f'[storage] {resource}_pipeline: {resource}s are not '
                    f'available yet, so their pipeline cannot have stages')

    @functools.cached_property
    def app(self):
        from zaqar_lite.transport.wsgi.app import create_app
        return create_app(self.conf, self.pipelines, self.data_driver)

    def close(self):
        """Close the drivers that were built."""
        if 'data_driver' in self.__dict__:
            self.data_driver.close()
