"""All plugin loading, through stevedore: once, at start-up, failing loudly.

Zaqar logs a warning and carries on when a configured plugin is missing; we
stop with an error that names the option, the plugin and what is installed.
"""

from stevedore import driver as sd_driver
from stevedore import extension as sd_extension

from zaqar_lite import errors

DATA_DRIVERS = 'zaqar_lite.data.storage'
CONTROL_DRIVERS = 'zaqar_lite.control.storage'


def installed(namespace: str) -> list[str]:
    """Names of the plugins installed under an entry-point namespace."""
    return sorted(ext.name for ext in
                  sd_extension.ExtensionManager(namespace, invoke_on_load=False))


def load_driver(namespace: str, name: str, option: str, **kwargs):
    """Build the driver plugin ``name`` with ``kwargs``.

    Args:
        namespace: entry-point group of the driver kind.
        name: the plugin's entry-point name (an engine's URI scheme).
        option: the option that named it, for the error message.

    Raises:
        PluginLoadError: not installed, not importable, or failed to build.
    """
    def on_load_failure(_manager, entrypoint, exc):
        raise errors.PluginLoadError(
            f'{option} = {name}: cannot load {entrypoint}: {exc}') from exc

    try:
        manager = sd_driver.DriverManager(
            namespace, name, invoke_on_load=True, invoke_kwds=kwargs,
            on_load_failure_callback=on_load_failure)
    except sd_driver.NoMatches as exc:
        raise errors.PluginLoadError(
            f'{option} = {name}: no such plugin in {namespace}; installed: '
            f'{", ".join(installed(namespace)) or "none"}') from exc
    return manager.driver
