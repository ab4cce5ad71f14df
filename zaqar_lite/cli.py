"""The ``zaqar-lite`` command: serve, gc, pipe.

    zaqar-lite serve [--config-file zaqar.conf]   serve the API with gunicorn
    zaqar-lite gc [--config-file zaqar.conf]      collect garbage once
    zaqar-lite deliver [--once] [--config-file zaqar.conf]
                                                  deliver notifications
    zaqar-lite pipe in|out ...                    bridge directories and queues
"""

import argparse
import json
import logging
import sys

from zaqar_lite import conf as zconf
from zaqar_lite import errors
from zaqar_lite.bootstrap import Bootstrap
from zaqar_lite.filer import cli as pipe_cli


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--config-file', action='append', default=[],
                        metavar='PATH',
                        help='zaqar.conf to read (repeatable; later files '
                             'override earlier ones). Without one, every '
                             'option has its default.')
    parser = argparse.ArgumentParser(
        prog='zaqar-lite',
        description='A multi-tenant queuing service speaking the OpenStack '
                    'Zaqar v2 API.')
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser(
        'serve', parents=[common],
        help='serve the HTTP API with gunicorn',
        description='Serve the v2 API on [drivers:transport:wsgi] bind:port '
                    'with the configured number of gunicorn workers.')
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
    pipe_cli.add_parsers(commands)
    return parser


def serve(conf, _args) -> int:
    from zaqar_lite.transport.wsgi.server import Server

    # Build everything once to fail here, loudly, before any worker starts;
    # each worker then builds its own after the fork.
    check = Bootstrap(conf)
    check.app
    check.close()
    Server(conf).run()
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


COMMANDS = {'serve': serve, 'gc': gc, 'deliver': deliver}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format='%(asctime)s %(process)d %(levelname)s '
                               '%(name)s: %(message)s')
    if args.command == 'pipe':
        return pipe_cli.run(args)
    try:
        conf = zconf.load(args.config_file)
        return COMMANDS[args.command](conf, args)
    except errors.ConfigurationError as exc:
        print(f'zaqar-lite: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
