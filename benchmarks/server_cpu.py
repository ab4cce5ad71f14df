"""Where a request's CPU goes: gunicorn, the app, and the rest.

Measures server CPU time per request (not wall time, so a busy machine
blurs the figures less), for one gunicorn worker and one sequential
keep-alive client:

* ``gunicorn alone``: a WSGI app that answers 204 at once, under the same
  gunicorn settings as ``zaqar-lite serve``: what the HTTP layer costs;
* ``app in-process``: the zaqar-lite WSGI app called directly, no HTTP;
* ``served``: the same requests to ``zaqar-lite serve``.

    python benchmarks/server_cpu.py --redis redis://127.0.0.1:6399/0
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

from http_bench import BODY, Client, wait_until_up, write_conf

CLOCK_TICKS = os.sysconf('SC_CLK_TCK')  # /proc CPU times are in these
WARM_UP = 200  # untimed requests before each measurement

REQUESTS = {
    'ping': ('GET', '/v2/ping', None),
    'post 1': ('POST', '/v2/queues/cpu/messages',
               {'messages': [{'body': BODY, 'ttl': 3600}]}),
    'list 10': ('GET', '/v2/queues/cpu/messages?limit=10&echo=true', None),
}


def process_cpu(pid) -> float:
    """User plus system CPU seconds used by ``pid`` so far."""
    with open(f'/proc/{pid}/stat') as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def gunicorn_workers(master) -> list:
    """The pids of a gunicorn master's workers (not its housekeeper)."""
    with open(f'/proc/{master}/task/{master}/children') as children:
        pids = [int(pid) for pid in children.read().split()]
    return [pid for pid in pids
            if b'housekeep' not in open(f'/proc/{pid}/cmdline', 'rb').read()]


def served_cpu(master, endpoint, request, count) -> float:
    """Microseconds of worker CPU per request, over ``count`` requests."""
    client = Client(endpoint)
    for _ in range(WARM_UP):
        client.request(*request)
    workers = gunicorn_workers(master)
    before = sum(process_cpu(pid) for pid in workers)
    for _ in range(count):
        client.request(*request)
    used = sum(process_cpu(pid) for pid in workers) - before
    return 1e6 * used / count


def in_process_cpu(app, request, count) -> float:
    """Microseconds of CPU per request, the WSGI app called directly."""
    method, target, body = request
    path, _, query = target.partition('?')
    data = b'' if body is None else json.dumps(body).encode()
    client_id = str(uuid.uuid4())

    def call():
        environ = {
            'REQUEST_METHOD': method, 'PATH_INFO': path,
            'QUERY_STRING': query, 'SERVER_NAME': '127.0.0.1',
            'SERVER_PORT': '80', 'SERVER_PROTOCOL': 'HTTP/1.1',
            'wsgi.url_scheme': 'http', 'wsgi.input': io.BytesIO(data),
            'wsgi.errors': sys.stderr, 'CONTENT_LENGTH': str(len(data)),
            'CONTENT_TYPE': 'application/json',
            'HTTP_CLIENT_ID': client_id, 'HTTP_X_PROJECT_ID': 'bench'}
        b''.join(app(environ, lambda status, headers, exc_info=None: None))

    for _ in range(WARM_UP):
        call()
    start = time.process_time()
    for _ in range(count):
        call()
    return 1e6 * (time.process_time() - start) / count


def serve_trivial(port):
    """gunicorn, configured as ``zaqar-lite serve`` does, serving a WSGI
    app that does nothing."""
    from zaqar_lite import conf as zconf
    from zaqar_lite.transport.wsgi.server import Server

    def app(_environ, start_response):
        start_response('204 No Content', [])
        return [b'']

    class Trivial(Server):
        def load(self):
            return app

        def run(self):  # no housekeeper: nothing to keep
            from gunicorn.arbiter import Arbiter
            Arbiter(self).run()

    conf = zconf.load()
    conf.set_override('port', port, 'drivers:transport:wsgi')
    conf.set_override('workers', 1, 'drivers:transport:wsgi')
    Trivial(conf).run()


def url(port) -> str:
    return f'http://127.0.0.1:{port}'


def start(command, endpoint):
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_until_up(endpoint)
    return proc


def measure(args):
    from zaqar_lite import conf as zconf
    from zaqar_lite.bootstrap import Bootstrap

    with tempfile.TemporaryDirectory() as tmp:
        conf_path = write_conf(tmp, args.port, 1, args.redis)
        endpoint, trivial_endpoint = url(args.port), url(args.port + 1)
        trivial = start([sys.executable, __file__, '--serve-trivial',
                         str(args.port + 1)], trivial_endpoint)
        try:
            alone = served_cpu(trivial.pid, trivial_endpoint,
                               REQUESTS['ping'], args.requests)
        finally:
            trivial.terminate()
            trivial.wait(30)
        boot = Bootstrap(zconf.load([conf_path]))
        inline = {name: in_process_cpu(boot.app, request, args.requests)
                  for name, request in REQUESTS.items()}
        boot.close()
        server = start([sys.executable, '-m', 'zaqar_lite.cli', 'serve',
                        '--config-file', conf_path], endpoint)
        try:
            served = {name: served_cpu(server.pid, endpoint, request,
                                       args.requests)
                      for name, request in REQUESTS.items()}
        finally:
            server.terminate()
            server.wait(30)
    print(f'gunicorn alone (a 204 app): {alone:.0f} µs of worker CPU '
          f'a request\n')
    print('| request | app in-process | served | served − app |')
    print('|---|---|---|---|')
    for name in REQUESTS:
        print(f'| {name} | {inline[name]:.0f} µs | {served[name]:.0f} µs | '
              f'{served[name] - inline[name]:.0f} µs |')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--redis', metavar='URI',
                        help='measure on this Redis (default: SQLite)')
    parser.add_argument('--port', type=int, default=18900,
                        help='port of the served app; the next one is '
                             'used for gunicorn alone')
    parser.add_argument('--requests', type=int, default=3000,
                        help='timed requests per figure')
    parser.add_argument('--serve-trivial', type=int, metavar='PORT',
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_trivial:
        serve_trivial(args.serve_trivial)
    else:
        measure(args)


if __name__ == '__main__':
    main()
