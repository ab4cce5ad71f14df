"""Handler modules: how they are found, and what they are given.

A handler module defines ``process(dbsession, record: bytes) -> None``
and, optionally, ``register_commands(subs)`` (argparse subparsers whose
callables receive ``(config, args)``).

Its *home* is the package that owns its models and its migrations: the
handler itself when it is a package, else the package it is in (handlers
of one package share one history).  The scripts live in the home's
``migrations/`` folder.
"""

import importlib
import importlib.metadata
import json
import os

from zaqar_lite import errors

GROUP = 'zaqar_lite.consumers.handlers'


def load(name):
    """The handler module ``name``: an entry point of ``GROUP``, or an
    importable module path.

    Raises:
        ConfigurationError: it cannot be imported or has no ``process``.
    """
    entry = next((ep for ep in importlib.metadata.entry_points(group=GROUP)
                  if ep.name == name), None)
    try:
        module = entry.load() if entry is not None else \
            importlib.import_module(name)
    except Exception as exc:
        raise errors.ConfigurationError(
            f'handler {name!r} cannot be imported: {type(exc).__name__}: '
            f'{exc}') from exc
    if not callable(getattr(module, 'process', None)):
        raise errors.ConfigurationError(
            f'handler {name!r} ({getattr(module, "__file__", module)}) '
            'defines no process(dbsession, record)')
    return module


def home(module):
    """The package owning the handler's models and migrations, or None for
    a module outside any package."""
    if hasattr(module, '__path__'):
        return module
    if module.__package__:
        return importlib.import_module(module.__package__)
    return None


def migrations_folder(module) -> str | None:
    """Where the handler's Alembic scripts live (None: nowhere of its own,
    the handler is a module outside any package)."""
    package = home(module)
    if package is None:
        return None
    return os.path.join(os.path.abspath(next(iter(package.__path__))),
                        'migrations')


def record_of(message) -> bytes:
    """The bytes a handler receives for a message: a string body as its
    UTF-8 text, any other body as UTF-8 JSON."""
    body = message['body']
    if isinstance(body, str):
        return body.encode('utf-8')
    return json.dumps(body, separators=(',', ':')).encode('utf-8')
