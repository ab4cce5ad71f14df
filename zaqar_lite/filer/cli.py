"""``zaqar-lite pipe in`` and ``zaqar-lite pipe out``."""

import argparse
import signal
import threading

from zaqar_lite.filer.api import QueueApi
from zaqar_lite.filer.bridge import PipeIn, PipeOut
from zaqar_lite.filer.queue import FileQueue


def add_parsers(commands):
    """Add the ``pipe`` command and its two modes to ``commands``."""
    pipe = commands.add_parser(
        'pipe', help='bridge queue directories and queues',
        description='Move files from a queue directory into a queue (in), '
                    'or messages from a queue into a queue directory (out).')
    modes = pipe.add_subparsers(dest='mode', required=True)
    shared = _shared_options()
    inbound = modes.add_parser(
        'in', parents=[shared], help='post files from DIR/incoming',
        description='Post each file appearing in DIR/incoming as a message '
                    '(JSON if it parses, else text); delete it once the '
                    'post is acknowledged; files the API refuses go to '
                    'DIR/errors with a .reason file.')
    inbound.add_argument('--queue-in-dir', required=True, metavar='DIR')
    inbound.add_argument('--batch', type=int, default=20,
                         help='most files posted in one request (20)')
    inbound.add_argument('--max-post-bytes', type=int, default=262144,
                         help="the server's max_messages_post_size (262144)")
    inbound.add_argument('--recover-after', type=float, default=300,
                         metavar='SECONDS',
                         help='put back files left in DIR/pending by a '
                              'crashed instance after this long (300)')
    outbound = modes.add_parser(
        'out', parents=[shared], help='write messages into DIR/incoming',
        description='Claim messages and publish each as a file in '
                    'DIR/incoming (through DIR/tmp); delete the message '
                    'once its file is published.')
    outbound.add_argument('--queue-out-dir', required=True, metavar='DIR')
    outbound.add_argument('--queue-out-limit', type=int, default=10000,
                          help='wait while DIR/incoming holds this many '
                               'files (10000)')
    outbound.add_argument('--queue-out-wait', type=float, default=10,
                          metavar='SECONDS',
                          help='how long to wait at the limit (10)')
    outbound.add_argument('--claim-ttl', type=int, default=60,
                          help='seconds a claim holds messages (60)')


def _shared_options():
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument('--queue', required=True, help='the queue name')
    shared.add_argument('--endpoint', default='http://127.0.0.1:8888',
                        help='the API (http://127.0.0.1:8888)')
    shared.add_argument('--project', default='default',
                        help='sent as X-Project-ID (default)')
    shared.add_argument('--poll', type=float, default=0.5, metavar='SECONDS',
                        help='pause between looks when idle (0.5)')
    shared.add_argument('--once', action='store_true',
                        help='exit when there is nothing more to move now')
    return shared


def run(args) -> int:
    """Run one bridge until SIGTERM/SIGINT (or, with --once, until idle)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    api = QueueApi(args.endpoint, args.queue, args.project)
    if args.mode == 'in':
        loop = PipeIn(FileQueue(args.queue_in_dir), api, batch=args.batch,
                      max_bytes=args.max_post_bytes,
                      recover_after=args.recover_after, poll=args.poll,
                      stop=stop)
    else:
        loop = PipeOut(api, FileQueue(args.queue_out_dir),
                       limit=args.queue_out_limit, wait=args.queue_out_wait,
                       claim_ttl=args.claim_ttl, poll=args.poll, stop=stop)
    loop.run(once=args.once)
    return 0
