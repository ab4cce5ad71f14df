"""Where a request's CPU goes: gunicorn, the app, and the rest.

Measures server CPU time per request (not wall time, so a busy machine
blurs the figures less), for one gunicorn worker and one sequential
keep-alive client:

* ``gunicorn alone``: a WSGI app that answers 204 at once, under the same
  gunicorn settings as ``zaqar-lite serve``: what the HTTP layer costs;
* ``app in-process``: the zaqar-lite WSGI app called directly, no HTTP;
* ``served``: the same requests to ``zaqar-lite serve``;

each served both by gunicorn's ``gthread`` worker (``keepalive_linger =
0``) and by zaqar-lite's default lingering worker.

    python benchmarks/server_cpu.py --redis redis://127.0.0.1:6399/0
"""

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import uuid

from http_bench import BODY, Client, process_cpu, wait_until_up, write_conf

from zaqar_lite.conf import wsgi as wsgi_opts

DEFAULT_LINGER = next(opt.default for opt in wsgi_opts.OPTS
                      if opt.name == 'keepalive_linger')

WARM_UP = 200  # untimed requests before each measurement

REQUESTS = {
    'ping': ('GET', '/v2/ping', None),
    'post 1': ('POST', '/v2/queues/cpu/messages',
               {'messages': [{'body': BODY, 'ttl': 3600}]}),
    'post 10': ('POST', '/v2/queues/cpu/messages', {'messages': [{'body': BODY, 'ttl': 3600}] * 10}),
    'list 10': ('GET', '/v2/queues/cpu/messages?limit=10&echo=true', None),
}


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


def serve_trivial(port, linger):
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
    for name, value in (('port', port), ('workers', 1),
                        ('keepalive_linger', linger)):
        conf.set_override(name, value, 'drivers:transport:wsgi')
    Trivial(conf).run()


def url(port) -> str:
    return f'http://127.0.0.1:{port}'


def start(command, endpoint):
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_until_up(endpoint)
    except BaseException:
        stop(proc)
        raise
    return proc


def stop(proc):
    proc.terminate()
    proc.wait(30)


def median(values):
    return sorted(values)[len(values) // 2]


# the worker classes compared: gunicorn's own, and zaqar-lite's default
WORKERS = {'gthread': 0.0, 'lingering': DEFAULT_LINGER}


def measure(args):
    from zaqar_lite import conf as zconf
    from zaqar_lite.bootstrap import Bootstrap

    with tempfile.TemporaryDirectory() as tmp:
        ports = iter(range(args.port, args.port + 2 * len(WORKERS)))
        alone, served, figures = {}, {}, {}
        try:
            for worker, linger in WORKERS.items():
                port = next(ports)
                alone[worker] = (port, start(
                    [sys.executable, __file__, '--serve-trivial', str(port),
                     '--linger', str(linger)], url(port)))
                port = next(ports)
                conf_path = write_conf(tmp, port, 1, args.redis,
                                       linger=linger, name=f'{worker}.conf')
                served[worker] = (port, start(
                    [sys.executable, '-m', 'zaqar_lite.cli', 'serve',
                     '--config-file', conf_path], url(port)))
            # rounds alternate between the servers, so a machine whose
            # speed drifts affects them alike; the median round is shown
            for _ in range(args.rounds):
                for worker in WORKERS:
                    port, proc = alone[worker]
                    figures.setdefault((worker, 'alone'), []).append(
                        served_cpu(proc.pid, url(port), REQUESTS['ping'],
                                   args.requests))
                    port, proc = served[worker]
                    for name, request in REQUESTS.items():
                        figures.setdefault((worker, name), []).append(
                            served_cpu(proc.pid, url(port), request,
                                       args.requests))
        finally:
            for _, proc in (*alone.values(), *served.values()):
                stop(proc)
        boot = Bootstrap(zconf.load([conf_path]))
        inline = {name: in_process_cpu(boot.app, request, args.requests)
                  for name, request in REQUESTS.items()}
        boot.close()
    figures = {key: median(values) for key, values in figures.items()}
    print('gunicorn alone (a 204 app): ' + ', '.join(
        f'{worker} {figures[worker, "alone"]:.0f} µs'
        for worker in WORKERS) + ' of worker CPU a request\n')
    print('| request | app in-process | '
          + ' | '.join(f'served, {worker}' for worker in WORKERS) + ' |')
    print('|---|---|' + '---|' * len(WORKERS))
    for name in REQUESTS:
        print(f'| {name} | {inline[name]:.0f} µs | ' + ' | '.join(
            f'{figures[worker, name]:.0f} µs' for worker in WORKERS) + ' |')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--redis', metavar='URI',
                        help='measure on this Redis (default: SQLite)')
    parser.add_argument('--port', type=int, default=18900,
                        help='first of the 4 ports the servers use')
    parser.add_argument('--requests', type=int, default=3000,
                        help='timed requests per figure and round')
    parser.add_argument('--rounds', type=int, default=3,
                        help='rounds alternating between the servers')
    parser.add_argument('--serve-trivial', type=int, metavar='PORT',
                        help=argparse.SUPPRESS)
    parser.add_argument('--linger', type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_trivial:
        serve_trivial(args.serve_trivial, args.linger)
    else:
        measure(args)


if __name__ == '__main__':
    main()
