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
        return Pipelines(queue=Pipeline([], driver.queue_controller),
                         message=Pipeline([], driver.message_controller),
                         claim=Pipeline([], driver.claim_controller))

    @functools.cached_property
    def app(self):
        from zaqar_lite.transport.wsgi.app import create_app
        return create_app(self.conf, self.pipelines, self.data_driver)

    def close(self):
        """Close the drivers that were built."""
        if 'data_driver' in self.__dict__:
            self.data_driver.close()
