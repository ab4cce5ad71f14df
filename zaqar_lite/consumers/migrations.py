"""Alembic, per handler: each handler module has its own history.

A handler's scripts live in its ``migrations/`` folder, its applied
revision in its own version table (``alembic_version_<module>``), and
autogenerate compares only the tables of its own models, so handlers
sharing one database never touch each other's tables.
"""

import contextlib
import importlib.resources
import os

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from alembic.script import ScriptDirectory

from zaqar_lite import errors
from zaqar_lite.consumers import handlers
from zaqar_lite.consumers.models import Base


def _tables_of(module) -> set:
    package = module.__name__
    return {mapper.local_table.name for mapper in Base.registry.mappers
            if mapper.class_.__module__ == package
            or mapper.class_.__module__.startswith(package + '.')}


def version_table(module) -> str:
    return 'alembic_version_' + module.__name__.replace('.', '_')


@contextlib.contextmanager
def alembic_config(engine, module):
    """An Alembic ``Config`` for one handler, bound to a connection."""
    folder = handlers.migrations_folder(module)
    os.makedirs(folder, exist_ok=True)
    tables = _tables_of(module)

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == 'table':
            return name in tables
        table = getattr(obj, 'table', None)
        return table is None or table.name in tables

    config = Config()
    with importlib.resources.as_file(importlib.resources.files(
            'zaqar_lite.consumers') / 'alembic') as script_location:
        config.set_main_option('script_location', str(script_location))
        config.set_main_option('version_locations', folder)
        config.set_main_option('path_separator', 'os')
        with engine.begin() as connection:
            config.attributes.update(
                connection=connection, target_metadata=Base.metadata,
                version_table=version_table(module),
                include_object=include_object)
            yield config


def check_single_head(config, consumer_name):
    """Raise ConfigurationError when the history has several heads."""
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) > 1:
        raise errors.ConfigurationError(
            f'the migrations of consumer {consumer_name} have '
            f'{len(heads)} heads ({", ".join(sorted(heads))}): two '
            'migrations were made from the same parent, e.g. on two '
            'branches. Merge them with "zaqar-lite merge-migrations '
            f'{consumer_name}", check the merge script, then run '
            '"zaqar-lite migrate".')


def make_migration(engine, consumer, message) -> list:
    """Autogenerate a script from the models/database difference.

    Returns:
        the paths of the scripts written (none when nothing changed).
    """
    module = handlers.load(consumer.handler)
    folder = handlers.migrations_folder(module)
    with alembic_config(engine, module) as config:
        check_single_head(config, consumer.name)
        before = set(os.listdir(folder))
        try:
            command.revision(config, message=message, autogenerate=True,
                             process_revision_directives=_skip_empty)
        except CommandError as exc:
            raise errors.ConfigurationError(
                f'consumer {consumer.name}: {exc} (run "zaqar-lite '
                'migrate" first)') from exc
    return [os.path.join(folder, name)
            for name in sorted(set(os.listdir(folder)) - before)
            if name.endswith('.py')]


def _skip_empty(context, revision, directives):
    script = directives[0]
    if script.upgrade_ops.is_empty():
        directives[:] = []


def merge_heads(engine, consumer, message='merge heads'):
    """Write a merge script joining every head of the consumer's history."""
    module = handlers.load(consumer.handler)
    with alembic_config(engine, module) as config:
        heads = ScriptDirectory.from_config(config).get_heads()
        if len(heads) < 2:
            return None
        return command.merge(config, heads, message=message).path


def migrate(engine, consumers) -> dict:
    """Apply every pending migration of each handler (once per module).

    Returns:
        ``{handler module: head revision or None}``.
    """
    done = {}
    for consumer in consumers:
        module = handlers.load(consumer.handler)
        if module.__name__ in done:
            continue
        with alembic_config(engine, module) as config:
            check_single_head(config, consumer.name)
            command.upgrade(config, 'heads')
            heads = ScriptDirectory.from_config(config).get_heads()
        done[module.__name__] = heads[0] if heads else None
    return done
