"""The ``zaqar-lite`` command: serve, gc, deliver, pipe, consumers.

    zaqar-lite serve [--config-file zaqar.conf]   serve the API: gunicorn
                                                  and/or the WebSocket server
    zaqar-lite websocket [--config-file zaqar.conf]
                                                  the WebSocket server alone
    zaqar-lite gc [--config-file zaqar.conf]      collect garbage once
    zaqar-lite deliver [--once] [--config-file zaqar.conf]
                                                  deliver notifications
    zaqar-lite pipe in|out ...                    bridge directories and queues
    zaqar-lite worker | make-migration | merge-migrations | migrate
                                                  consumer workers
    zaqar-lite -c zaqar.conf NAME SUBCOMMAND      a consumer's own commands
"""

import argparse
import json
import logging
import sys

from zaqar_lite import conf as zconf
from zaqar_lite import errors
from zaqar_lite.bootstrap import Bootstrap
from zaqar_lite.consumers import cli as consumers_cli
from zaqar_lite.filer import cli as pipe_cli

CONFIG_HELP = ('zaqar.conf to read (repeatable; later files override '
               'earlier ones). Without one, every option has its default.')


def _global_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument('-c', '--config', '--config-file', action='append',
                         default=[],
                         dest='global_config', metavar='PATH',
                         help=CONFIG_HELP)
    return options


def _add_side_process_parsers(commands, common):
    """The commands "serve" runs beside gunicorn, runnable on their own."""
    housekeep_parser = commands.add_parser(
        'housekeep', parents=[common],
        help='collect garbage and deliver notifications until stopped',
        description='What "serve" runs beside its workers: garbage '
                    'collection every [storage] gc_interval seconds and, '
                    'when notifications are queued, a delivery worker.')
    housekeep_parser.add_argument('--parent', type=int, metavar='PID',
                                  help='stop when this process is gone')
    websocket_parser = commands.add_parser(
        'websocket', parents=[common],
        help='serve the API over WebSocket',
        description="Serve Zaqar's WebSocket protocol on "
                    '[drivers:transport:websocket] bind:port (what "serve" '
                    'runs beside gunicorn when [drivers] transport lists '
                    'websocket).')
    websocket_parser.add_argument('--parent', type=int, metavar='PID',
                                  help='stop when this process is gone')


def build_parser(conf=None) -> argparse.ArgumentParser:
    """The command line; with ``conf``, consumers' own commands too."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--config-file', action='append', default=[],
                        metavar='PATH', help=CONFIG_HELP)
    parser = argparse.ArgumentParser(
        prog='zaqar-lite', parents=[_global_options()],
        description='A multi-tenant queuing service speaking the OpenStack '
                    'Zaqar v2 API.')
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser(
        'serve', parents=[common],
        help='serve the API: HTTP with gunicorn, and/or WebSocket',
        description='Serve the v2 API on [drivers:transport:wsgi] bind:port '
                    'with the configured number of gunicorn workers, and '
                    'the WebSocket server on [drivers:transport:websocket] '
                    'bind:port when [drivers] transport lists websocket.')
    commands.add_parser(
        'gc', parents=[common], help='collect garbage once',
        description='Remove expired messages and claims from the message '
                    'store once, print what was removed, and exit.')
    deliver_parser = commands.add_parser(
        'deliver', parents=[common], help='deliver notifications',
        description='Run a delivery worker: send pending notifications to '
                    'subscribers, with retries, until interrupted. Any '
                    'number may run beside the servers.')
    deliver_parser.add_argument('--once', action='store_true',
                                help='deliver what is due now, then exit')
    _add_side_process_parsers(commands, common)
    pipe_cli.add_parsers(commands)
    consumers_cli.add_parsers(commands, common)
    if conf is not None:
        consumers_cli.add_handler_parsers(commands, common, conf)
    return parser


def serve(conf, _args) -> int:
    from zaqar_lite.transport.wsgi.server import Server

    # Build everything once to fail here, loudly, before any worker starts;
    # each worker then builds its own after the fork.
    check = Bootstrap(conf)
    check.app
    check.close()
    if 'wsgi' not in conf.drivers.transport:
        return _websocket_alone(conf)
    Server(conf).run()
    return 0


def _websocket_alone(conf) -> int:
    """The WebSocket server in the foreground, housekeeping in a thread
    (nothing forks here, so a thread is safe)."""
    import threading

    from zaqar_lite import housekeeper
    from zaqar_lite.transport.websocket import server

    stop = threading.Event()
    keeper = threading.Thread(target=housekeeper.run, args=(conf, stop),
                              name='zaqar-lite-housekeeper')
    keeper.start()
    try:
        server.run(conf)
    finally:
        stop.set()
        keeper.join(60)
    return 0


def websocket(conf, args) -> int:
    import threading

    from zaqar_lite import housekeeper
    from zaqar_lite.transport.websocket import server

    stop = threading.Event()
    if args.parent is not None:
        threading.Thread(target=housekeeper.stop_with_parent,
                         args=(args.parent, stop), daemon=True).start()
    server.run(conf, stop)
    return 0


def gc(conf, _args) -> int:
    boot = Bootstrap(conf)
    print(json.dumps(boot.data_driver.gc()))
    boot.close()
    return 0


def deliver(conf, args) -> int:
    import signal
    import threading

    worker = Bootstrap(conf).delivery_worker()
    if args.once:
        worker.run_until_idle()
        worker.close()
        return 0
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    worker.run(stop)
    return 0


def housekeep(conf, args) -> int:
    import signal
    import threading

    from zaqar_lite import housekeeper

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    housekeeper.run(conf, stop, parent=args.parent)
    return 0


COMMANDS = {'serve': serve, 'gc': gc, 'deliver': deliver,
            'housekeep': housekeep, 'websocket': websocket}


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO,
                        format='%(asctime)s %(process)d %(levelname)s '
                               '%(name)s: %(message)s')
    try:
        # Consumers' own commands depend on the configuration: read the
        # global -c files first, then parse the whole command line.
        early, _ = _global_options().parse_known_args(argv)
        conf = zconf.load(early.global_config) if early.global_config \
            else None
        args = build_parser(conf).parse_args(argv)
        if args.command == 'pipe':
            return pipe_cli.run(args)
        conf = zconf.load(args.global_config
                          + getattr(args, 'config_file', []))
        if args.command in COMMANDS:
            return COMMANDS[args.command](conf, args)
        return consumers_cli.run(conf, args)
    except errors.ConfigurationError as exc:
        print(f'zaqar-lite: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
