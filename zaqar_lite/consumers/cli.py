"""Consumer commands of ``zaqar-lite``.

    zaqar-lite worker [--once] [--consumer NAME]...
    zaqar-lite make-migration NAME [-m MESSAGE]
    zaqar-lite merge-migrations NAME
    zaqar-lite migrate [NAME]...
    zaqar-lite -c zaqar.conf NAME SUBCOMMAND ...   a handler's own commands

A handler's ``register_commands(subs)`` adds argparse parsers to ``subs``;
each sets ``func`` (``parser.set_defaults(func=...)``), a callable that
receives ``(config, args)``.
"""

import argparse
import contextlib
import signal
import sys
import threading

from zaqar_lite import errors
from zaqar_lite.consumers import config as consumer_config
from zaqar_lite.consumers import handlers, migrations
from zaqar_lite.consumers.database import engine_for
from zaqar_lite.consumers.worker import ConsumerWorker


def add_parsers(commands, common):
    """Add the built-in consumer commands to ``commands``."""
    worker = commands.add_parser(
        'worker', parents=[common], help='run consumer workers',
        description='Consume the queues of the [consumer:<name>] sections, '
                    'passing each message to its handler in a database '
                    'transaction. SIGTERM/SIGINT finish the message in hand '
                    'and return the rest.')
    worker.add_argument('--once', action='store_true',
                        help='drain the queues, then exit')
    worker.add_argument('--consumer', action='append', default=[],
                        metavar='NAME', help='only this consumer '
                                             '(repeatable)')
    make = commands.add_parser(
        'make-migration', parents=[common],
        help="write a migration of a consumer's models",
        description="Compare the handler's models with the database and "
                    "write an Alembic script into the handler's "
                    'migrations/ folder.')
    make.add_argument('name', metavar='NAME', help='the consumer')
    make.add_argument('-m', '--message', default='schema change')
    merge = commands.add_parser(
        'merge-migrations', parents=[common],
        help="merge the heads of a consumer's migrations",
        description='Write a script that merges the heads of a history '
                    'that forked (two migrations made from one parent).')
    merge.add_argument('name', metavar='NAME', help='the consumer')
    migrate = commands.add_parser(
        'migrate', parents=[common], help="apply handlers' migrations",
        description='Apply every pending migration of every handler (or of '
                    'the named consumers).')
    migrate.add_argument('names', nargs='*', metavar='NAME')


def add_handler_parsers(commands, common, conf):
    """A command per consumer whose handler registers subcommands.

    A handler that cannot be imported still gets its command, which
    reports why, so ``zaqar-lite NAME ...`` never fails obscurely.

    Raises:
        ConfigurationError: a consumer with commands is named like a
            zaqar-lite command.
    """
    for name, consumer in consumer_config.consumers(conf).items():
        try:
            module = handlers.load(consumer.handler)
        except errors.ConfigurationError as exc:
            _add_broken(commands, common, name, exc)
            continue
        register = getattr(module, 'register_commands', None)
        if register is None:
            continue
        if name in commands.choices:
            raise errors.ConfigurationError(
                f'consumer {name!r} has commands but is named like the '
                f'zaqar-lite command {name!r}: rename [consumer:{name}]')
        parser = commands.add_parser(
            name, parents=[common], help=f'commands of consumer {name} '
                                         f'({consumer.handler})')
        register(parser.add_subparsers(dest='subcommand', required=True,
                                       metavar='SUBCOMMAND'))


def _add_broken(commands, common, name, error):
    if name in commands.choices:
        return
    parser = commands.add_parser(
        name, parents=[common], help=f'(unavailable: {error})')
    parser.add_argument('rest', nargs=argparse.REMAINDER,
                        help=argparse.SUPPRESS)

    def report(config, args):
        raise error

    parser.set_defaults(func=report)


def run(conf, args) -> int:
    """Run a consumer command (built-in or a handler's)."""
    builtin = {'worker': worker, 'make-migration': make_migration,
               'merge-migrations': merge_migrations, 'migrate': migrate}
    if args.command in builtin:
        return builtin[args.command](conf, args)
    func = getattr(args, 'func', None)
    if func is None:
        raise errors.ConfigurationError(
            f'consumer {args.command}: the subcommand sets no func')
    return func(conf, args) or 0


@contextlib.contextmanager
def _engine(conf):
    engine = engine_for(conf)
    try:
        yield engine
    finally:
        engine.dispose()


def make_migration(conf, args) -> int:
    consumer = consumer_config.consumer(conf, args.name)
    with _engine(conf) as engine:
        written = migrations.make_migration(engine, consumer, args.message)
    for path in written:
        print(path)
    if not written:
        print(f'{args.name}: the models and the database agree; no '
              'migration written')
    return 0


def merge_migrations(conf, args) -> int:
    consumer = consumer_config.consumer(conf, args.name)
    with _engine(conf) as engine:
        path = migrations.merge_heads(engine, consumer)
    print(path or f'{args.name}: a single head; nothing to merge')
    return 0


def migrate(conf, args) -> int:
    chosen = [consumer_config.consumer(conf, name) for name in args.names]
    with _engine(conf) as engine:
        applied = migrations.migrate(
            engine, chosen or consumer_config.consumers(conf).values())
    for package, head in applied.items():
        print(f'{package}: at {head or "no migrations"}')
    return 0


def worker(conf, args) -> int:
    """Run the consumers until a signal (or, with --once, until drained).

    Returns 1 when a consumer stopped on an error (which stops them all).
    """
    chosen = consumer_config.consumers(conf)
    if args.consumer:
        chosen = {name: consumer_config.consumer(conf, name)
                  for name in args.consumer}
    if not chosen:
        raise errors.ConfigurationError(
            'no consumers configured: add a [consumer:<name>] section with '
            'queue and handler')
    stop = threading.Event()
    with _engine(conf) as engine:
        for consumer in chosen.values():
            migrations.check_current(engine, consumer)
        workers = [ConsumerWorker(conf, consumer, engine, stop)
                   for consumer in chosen.values()]
        threads = [threading.Thread(target=w.run, args=(args.once,))
                   for w in workers]
        with _stopped_by_signals(stop):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    failed = [w for w in workers if w.error is not None]
    for stopped in failed:
        print(f'zaqar-lite: consumer {stopped.consumer.name}: '
              f'{stopped.error}', file=sys.stderr)
    return 1 if failed else 0


@contextlib.contextmanager
def _stopped_by_signals(stop):
    """SIGINT and SIGTERM set ``stop`` (in the main thread; the previous
    handlers come back afterwards)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, lambda *_: stop.set())
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
