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

import logging
import signal
import threading

from zaqar_lite import errors
from zaqar_lite.consumers import config as consumer_config
from zaqar_lite.consumers import handlers, migrations
from zaqar_lite.consumers.worker import ConsumerWorker, engine_for

LOG = logging.getLogger(__name__)
BUILTIN = ('worker', 'make-migration', 'merge-migrations', 'migrate')


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
    """A command per consumer whose handler registers subcommands."""
    for name, consumer in consumer_config.consumers(conf).items():
        if name in BUILTIN:
            continue
        try:
            module = handlers.load(consumer.handler)
        except errors.ConfigurationError as exc:
            LOG.debug('no commands for consumer %s: %s', name, exc)
            continue
        register = getattr(module, 'register_commands', None)
        if register is None:
            continue
        parser = commands.add_parser(
            name, parents=[common], help=f'commands of consumer {name} '
                                         f'({consumer.handler})')
        register(parser.add_subparsers(dest='subcommand', required=True,
                                       metavar='SUBCOMMAND'))


def run(conf, args) -> int:
    """Run a consumer command (built-in or a handler's)."""
    if args.command == 'worker':
        return worker(conf, args)
    if args.command == 'make-migration':
        consumer = consumer_config.consumer(conf, args.name)
        written = migrations.make_migration(engine_for(conf), consumer,
                                            args.message)
        for path in written:
            print(path)
        if not written:
            print(f'{args.name}: the models and the database agree; no '
                  'migration written')
        return 0
    if args.command == 'merge-migrations':
        consumer = consumer_config.consumer(conf, args.name)
        path = migrations.merge_heads(engine_for(conf), consumer)
        print(path or f'{args.name}: a single head; nothing to merge')
        return 0
    if args.command == 'migrate':
        chosen = [consumer_config.consumer(conf, name) for name in args.names]
        applied = migrations.migrate(
            engine_for(conf),
            chosen or consumer_config.consumers(conf).values())
        for module, head in applied.items():
            print(f'{module}: at {head or "no migrations"}')
        return 0
    func = getattr(args, 'func', None)
    if func is None:
        raise errors.ConfigurationError(
            f'consumer {args.command}: the subcommand sets no func')
    return func(conf, args) or 0


def worker(conf, args) -> int:
    """Run the consumers until a signal (or, with --once, until empty)."""
    chosen = consumer_config.consumers(conf)
    if args.consumer:
        chosen = {name: consumer_config.consumer(conf, name)
                  for name in args.consumer}
    if not chosen:
        raise errors.ConfigurationError(
            'no consumers configured: add a [consumer:<name>] section with '
            'queue and handler')
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    engine = engine_for(conf)
    workers = [ConsumerWorker(conf, consumer, engine, stop)
               for consumer in chosen.values()]
    threads = [threading.Thread(target=w.run, args=(args.once,))
               for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return 0
