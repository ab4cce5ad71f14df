"""All plugin loading, through stevedore: once, at start-up, failing loudly.

Zaqar logs a warning and carries on when a configured plugin is missing; we
stop with an error that names the option, the plugin and what is installed.
"""

import importlib.metadata

from stevedore import driver as sd_driver

from zaqar_lite import errors

DATA_DRIVERS = 'zaqar_lite.data.storage'
CONTROL_DRIVERS = 'zaqar_lite.control.storage'
STAGES = 'zaqar_lite.storage.stages'
ZAQAR_STAGES = 'zaqar.storage.stages'
STAGE_GROUPS = (STAGES, ZAQAR_STAGES)  # a name in both: ours wins


def installed(*namespaces: str) -> list[str]:
    """Names of the plugins installed under entry-point groups.

    Reads the entry points only: nothing is imported.
    """
    return sorted({ep.name for namespace in namespaces
                   for ep in importlib.metadata.entry_points(group=namespace)})


def plugin_class(namespace: str, name: str):
    """The class registered as ``name`` (imported, not built), or None."""
    for entry in importlib.metadata.entry_points(group=namespace):
        if entry.name == name:
            return entry.load()
    return None


def load_driver(namespace: str, name: str, option: str, **kwargs):
    """Build the plugin ``name`` of ``namespace`` with ``kwargs``.

    Args:
        namespace: entry-point group of the plugin kind.
        name: the plugin's entry-point name.
        option: the option that named it, for the error message.

    Raises:
        PluginLoadError: not installed, not importable, or failed to build.
    """
    def on_load_failure(_manager, entrypoint, exc):
        raise errors.PluginLoadError(
            f'{option}: cannot load {name!r} ({entrypoint.value}): '
            f'{type(exc).__name__}: {exc}; installed in {namespace}: '
            f'{_listing(namespace)}') from exc

    try:
        manager = sd_driver.DriverManager(
            namespace, name, invoke_on_load=True, invoke_kwds=kwargs,
            on_load_failure_callback=on_load_failure)
    except sd_driver.NoMatches as exc:
        raise errors.PluginLoadError(
            f'{option}: no plugin named {name!r} in {namespace}; installed: '
            f'{_listing(namespace)}') from exc
    return manager.driver


def load_stages(option: str, names, zaqar_kwargs: dict, own_kwargs: dict):
    """Build the named pipeline stages, in order.

    A stage registered under ``zaqar.storage.stages`` is built exactly as
    Zaqar builds it, with ``zaqar_kwargs``; one registered under
    ``zaqar_lite.storage.stages`` also receives ``own_kwargs``.

    Raises:
        PluginLoadError: a stage is missing, fails to import or to build.
    """
    groups = {}
    for namespace in reversed(STAGE_GROUPS):
        groups.update({name: namespace for name in installed(namespace)})
    stages = []
    for name in names:
        namespace = groups.get(name)
        if namespace is None:
            raise errors.PluginLoadError(
                f'{option}: no stage named {name!r}; installed stages: '
                f'{_listing(*STAGE_GROUPS)}')
        kwargs = dict(zaqar_kwargs)
        if namespace == STAGES:
            kwargs.update(own_kwargs)
        stages.append(load_driver(namespace, name, option, **kwargs))
    return stages


def _listing(*namespaces):
    return ', '.join(installed(*namespaces)) or 'none'
