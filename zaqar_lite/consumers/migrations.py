"""Alembic, per handler: each handler's home package has its own history.

A history's scripts live in the home's ``migrations/`` folder, its applied
revision in its own version table (``alembic_version_<package>``), and
autogenerate compares only the tables of the models defined in that
package, so handlers sharing one database never touch each other's tables.
"""

import contextlib
import dataclasses
import importlib.resources
import os

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text

from zaqar_lite import errors
from zaqar_lite.consumers import handlers
from zaqar_lite.consumers.models import Base


@dataclasses.dataclass(frozen=True)
class History:
    """The migrations of one handler home package."""

    consumer: str       # a consumer using it, for messages
    package: str        # the home package's name
    folder: str | None  # its migrations/ (None: a module outside packages)

    @classmethod
    def of(cls, consumer) -> 'History':
        module = handlers.load(consumer.handler)
        home = handlers.home(module)
        return cls(consumer.name, (home or module).__name__,
                   handlers.migrations_folder(module))

    @property
    def version_table(self) -> str:
        return 'alembic_version_' + self.package.replace('.', '_')

    def has_scripts(self) -> bool:
        return self.folder is not None and os.path.isdir(self.folder) and \
            any(name.endswith('.py') for name in os.listdir(self.folder))

    def tables(self) -> set:
        """The tables of the models defined in the package."""
        return {mapper.local_table.name for mapper in Base.registry.mappers
                if mapper.class_.__module__ == self.package
                or mapper.class_.__module__.startswith(self.package + '.')}


@contextlib.contextmanager
def alembic_config(engine, history):
    """An Alembic ``Config`` for one history, bound to a connection."""
    tables = history.tables()

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == 'table':
            return name in tables
        table = getattr(obj, 'table', None)
        return table is None or table.name in tables

    config = Config()
    with importlib.resources.as_file(importlib.resources.files(
            'zaqar_lite.consumers') / 'alembic') as script_location:
        config.set_main_option('script_location', str(script_location))
        config.set_main_option('version_locations', history.folder)
        config.set_main_option('path_separator', 'os')
        with engine.begin() as connection:
            config.attributes.update(
                connection=connection, target_metadata=Base.metadata,
                version_table=history.version_table,
                include_object=include_object)
            yield config


def check_single_head(config, history):
    """Raise ConfigurationError when the history has several heads."""
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) > 1:
        raise errors.ConfigurationError(
            f'the migrations of consumer {history.consumer} '
            f'({history.folder}) have {len(heads)} heads '
            f'({", ".join(sorted(heads))}): two migrations were made from '
            'the same parent, e.g. on two branches. Merge them with '
            f'"zaqar-lite -c zaqar.conf merge-migrations {history.consumer}"'
            ', check the merge script, then run "zaqar-lite -c zaqar.conf '
            'migrate".')


def make_migration(engine, consumer, message) -> list:
    """Autogenerate a script from the models/database difference.

    Returns:
        the paths of the scripts written (none when nothing changed).
    Raises:
        ConfigurationError: several heads, a database behind its history,
            or a handler module outside any package.
    """
    history = History.of(consumer)
    if history.folder is None:
        raise errors.ConfigurationError(
            f'consumer {consumer.name}: handler {consumer.handler} is a '
            'module outside any package; put it in a package, whose '
            'migrations/ folder will hold its history')
    os.makedirs(history.folder, exist_ok=True)
    before = set(os.listdir(history.folder))
    with alembic_config(engine, history) as config:
        check_single_head(config, history)
        try:
            command.revision(config, message=message, autogenerate=True,
                             process_revision_directives=_skip_empty)
        except CommandError as exc:
            raise errors.ConfigurationError(
                f'consumer {consumer.name}: {exc} (run "zaqar-lite -c '
                'zaqar.conf migrate" first)') from exc
    return [os.path.join(history.folder, name)
            for name in sorted(set(os.listdir(history.folder)) - before)
            if name.endswith('.py')]


def _skip_empty(context, revision, directives):
    script = directives[0]
    if script.upgrade_ops.is_empty():
        directives[:] = []


def merge_heads(engine, consumer, message='merge heads'):
    """Write a merge script joining every head of the consumer's history;
    returns its path, or None when there is one head (or none)."""
    history = History.of(consumer)
    if not history.has_scripts():
        return None
    with alembic_config(engine, history) as config:
        heads = ScriptDirectory.from_config(config).get_heads()
        if len(heads) < 2:
            return None
        return command.merge(config, heads, message=message).path


def migrate(engine, consumers) -> dict:
    """Apply every pending migration of each history (once each).

    Returns:
        ``{home package: head revision, or None without migrations}``.
    """
    done = {}
    for consumer in consumers:
        history = History.of(consumer)
        if history.package in done:
            continue
        done[history.package] = None
        if not history.has_scripts():
            continue
        with alembic_config(engine, history) as config:
            check_single_head(config, history)
            command.upgrade(config, 'heads')
            done[history.package] = \
                ScriptDirectory.from_config(config).get_current_head()
    return done


def check_current(engine, consumer):
    """Raise ConfigurationError unless the database is at the head of the
    consumer's history (the worker writes to no schema but the latest)."""
    history = History.of(consumer)
    if not history.has_scripts():
        return
    with alembic_config(engine, history) as config:
        check_single_head(config, history)
        head = ScriptDirectory.from_config(config).get_current_head()
        current = _applied(config.attributes['connection'], history)
    if current != [head]:
        raise errors.ConfigurationError(
            f'consumer {consumer.name}: the database is at '
            f'{", ".join(current) or "no revision"}, its migrations end at '
            f'{head}: run "zaqar-lite -c zaqar.conf migrate"')


def _applied(connection, history) -> list:
    """The revisions the history's version table records."""
    if not inspect(connection).has_table(history.version_table):
        return []
    return list(connection.execute(
        text(f'SELECT version_num FROM {history.version_table}')).scalars())
