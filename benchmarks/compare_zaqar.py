"""zaqar-lite and Zaqar 23.0.1 side by side, on one Redis, in one run.

Starts a redis-server, zaqar-lite (``message_store = redis``) and Zaqar
(``message_store = redis``, ``management_store = redis``, installed in its own
virtualenv) under gunicorn with the same number of workers, then runs the
same workloads against each through HTTP and prints both, with ratios.

    python3 -m venv ~/.cache/zaqar-23-venv
    ~/.cache/zaqar-23-venv/bin/pip install zaqar==23.0.1 gunicorn redis
    python benchmarks/compare_zaqar.py --zaqar-venv ~/.cache/zaqar-23-venv

Queues are filled through the API (batches of 500 posts) for both
services, so neither gets a shortcut.  ``--repeat N`` makes N throughput
runs, each on freshly started services, and closes with the median of
each ratio: on a machine whose speed drifts, one run's p99 ratio can
land several hundredths either side of the median.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import requests

import http_bench as bench

ZAQAR_CONF = """[DEFAULT]
unreliable = true
auth_strategy =

[drivers]
transport = wsgi
message_store = redis
management_store = redis

[drivers:message_store:redis]
uri = redis://127.0.0.1:{port}/1

[drivers:management_store:redis]
uri = redis://127.0.0.1:{port}/2
"""

LITE_CONF = """[drivers]
message_store = redis

[drivers:transport:wsgi]
bind = 127.0.0.1
port = {http_port}
workers = {workers}
worker_cpu_affinity = {affinity}

[drivers:message_store:redis]
uri = redis://127.0.0.1:{port}/0

[storage]
gc_interval = 0
"""


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def process(args, **kwargs):
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **kwargs)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)


def process_tree(pid) -> list:
    """``pid`` and all its descendants."""
    found, index = [pid], 0
    while index < len(found):
        with contextlib.suppress(FileNotFoundError):
            for task in os.listdir(f'/proc/{found[index]}/task'):
                with open(f'/proc/{found[index]}/task/{task}/children') as fh:
                    found += [int(child) for child in fh.read().split()]
        index += 1
    return found


class Service:
    """A benchmarked service: its endpoint, its gunicorn master's pid and
    the pid of the redis-server it uses."""

    def __init__(self, endpoint, master, redis_pid):
        self.endpoint, self.master, self.redis_pid = endpoint, master, \
            redis_pid

    def cpu(self) -> dict:
        """CPU seconds used so far by the service and by Redis."""
        return {'server': sum(map(bench.process_cpu,
                                  process_tree(self.master))),
                'redis': bench.process_cpu(self.redis_pid)}


def request_parser(python) -> str:
    """The parser gunicorn uses under the interpreter ``python``: its C
    one (``gunicorn_h1c``, of ``zaqar-lite[fast]``) when installed."""
    found = subprocess.run([str(python), '-c', 'import gunicorn_h1c'],
                           capture_output=True).returncode == 0
    return 'gunicorn_h1c' if found else "gunicorn's Python parser"


def pin_workers(master, cpus):
    """Pin the workers of a gunicorn ``master`` to ``cpus`` in turn, as
    ``worker_cpu_affinity = auto`` pins zaqar-lite's (Zaqar has no such
    setting, so its workers are pinned from outside once they run)."""
    with open(f'/proc/{master}/task/{master}/children') as fh:
        workers = sorted(int(pid) for pid in fh.read().split())
    for slot, pid in enumerate(workers):
        for task in os.listdir(f'/proc/{pid}/task'):
            os.sched_setaffinity(int(task), {cpus[slot % len(cpus)]})


@contextlib.contextmanager
def services(zaqar_venv, workers, lite_affinity='none', pin_zaqar=False):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        redis_port, lite_port, zaqar_port = free_port(), free_port(), free_port()
        redis_cmd = [shutil.which('redis-server'), '--port', str(redis_port),
                     '--bind', '127.0.0.1', '--save', '', '--dir', str(tmp)]
        (tmp / 'lite.conf').write_text(LITE_CONF.format(
            http_port=lite_port, workers=workers, port=redis_port,
            affinity=lite_affinity))
        (tmp / '.zaqar').mkdir()
        (tmp / '.zaqar' / 'zaqar.conf').write_text(
            ZAQAR_CONF.format(port=redis_port))
        lite_cmd = [sys.executable, '-m', 'zaqar_lite.cli', 'serve',
                    '--config-file', str(tmp / 'lite.conf')]
        zaqar_cmd = [str(pathlib.Path(zaqar_venv) / 'bin' / 'gunicorn'),
                     '-w', str(workers), '-b', f'127.0.0.1:{zaqar_port}',
                     'zaqar.transport.wsgi.app:app']
        with process(redis_cmd) as redis_proc, \
                process(lite_cmd) as lite_proc, \
                process(zaqar_cmd, env={**os.environ, 'HOME': str(tmp)}) \
                as zaqar_proc:
            services = {
                'zaqar-lite': Service(f'http://127.0.0.1:{lite_port}',
                                      lite_proc.pid, redis_proc.pid),
                'zaqar 23.0.1': Service(f'http://127.0.0.1:{zaqar_port}',
                                        zaqar_proc.pid, redis_proc.pid)}
            for service in services.values():
                bench.wait_until_up(service.endpoint, timeout=60)
            if pin_zaqar:
                pin_workers(zaqar_proc.pid, sorted(os.sched_getaffinity(0)))
            yield services


# -- filling queues through the API -----------------------------------------

def post_many(endpoint, queue, count, batch):
    """Post ``count`` messages to ``queue``, ``batch`` at a time."""
    session, hdrs = requests.Session(), bench.headers()
    while count > 0:
        size = min(batch, count)
        payload = json.dumps({'messages': [{'body': bench.BODY,
                                            'ttl': 3600}] * size})
        session.post(f'{endpoint}/v2/queues/{queue}/messages', data=payload,
                     headers=hdrs).raise_for_status()
        count -= size


def fill_http(endpoint, queue, count, batch=500, clients=4):
    """Put exactly ``count`` messages in ``queue`` through the API."""
    shares = [count // clients + (i < count % clients)
              for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        pool.starmap(post_many, [(endpoint, queue, share, batch)
                                 for share in shares if share])
    stored = bench.stored(endpoint, [queue])
    if stored != count:
        raise RuntimeError(f'{queue} holds {stored} messages, not {count}')


def hold_claims(endpoint, queue, count):
    """Hold the first ``count`` messages of ``queue`` in live claims."""
    session, hdrs = requests.Session(), bench.headers()
    for _ in range(count // 20):
        session.post(f'{endpoint}/v2/queues/{queue}/claims?limit=20',
                     json={'ttl': 3600, 'grace': 60},
                     headers=hdrs).raise_for_status()
    stats = session.get(f'{endpoint}/v2/queues/{queue}/stats',
                        headers=hdrs).json()['messages']
    if stats['claimed'] != count:
        raise RuntimeError(f'{queue}: {stats["claimed"]} claimed, not '
                           f'{count}')


# -- workloads ----------------------------------------------------------------

def measured(loop, *args):
    """``loop(*args)`` and the CPU seconds it took (in a client process)."""
    started = time.process_time()
    result = loop(*args)
    return result, time.process_time() - started


def run_clients(endpoint, queue, kind, clients, seconds):
    """One workload's clients for ``seconds``: ``(messages, latencies,
    client CPU seconds)``.  ``mixed``: half produce, half consume; the
    messages counted are the consumed ones."""
    if kind == 'mixed':
        half = max(1, clients // 2)
        jobs = [(bench.producer, endpoint, queue, 1, seconds, i)
                for i in range(half)]
        jobs += [(bench.consumer, endpoint, queue, 1, seconds, i)
                 for i in range(half)]
    else:
        loop, batch = {'post 1': (bench.producer, 1),
                       'post 10': (bench.producer, 10),
                       'claim': (bench.consumer, 1)}[kind]
        jobs = [(loop, endpoint, queue, batch, seconds, i)
                for i in range(clients)]
    with multiprocessing.Pool(len(jobs)) as pool:
        results = pool.starmap(measured, jobs)
    counted = results[len(results) // 2:] if kind == 'mixed' else results
    return (sum(count for (count, _), _ in counted),
            [lat for (_, lats), _ in results for lat in lats],
            sum(cpu for _, cpu in results))


WARM_UP_SECONDS = 1.0  # of posts, then of claims, before the timed rounds

# name, kind of clients, the queue (by tag) they work on
WORKLOADS = [('post batch 1', 'post 1', 'post1'),
             ('post batch 10', 'post 10', 'post10'),
             ('claim 10 + delete', 'claim', 'post10'),
             ('mixed', 'mixed', 'mixed')]


def throughput(services, args, workloads=WORKLOADS):
    """Every workload against every service, in rounds that alternate
    between the services (and which goes first), so a machine whose speed
    drifts during the run weighs on both alike: {service: {workload:
    figures}}.  Services are told apart by the first word of their names
    (their queues' tags)."""
    for name, service in services.items():  # untimed: connections, scripts
        for kind in ('post 1', 'claim'):
            run_clients(service.endpoint, f'{name.split()[0]}-warm', kind,
                        args.clients, WARM_UP_SECONDS)
    figures = {name: {} for name in services}
    for workload, kind, queue in workloads:
        totals = {name: {'messages': 0, 'latencies': [], 'client': 0.0,
                         'server': 0.0, 'redis': 0.0} for name in services}
        order = list(services)
        for _ in range(args.rounds):
            for name in order:
                service = services[name]
                before = service.cpu()
                messages, latencies, client_cpu = run_clients(
                    service.endpoint, f'{name.split()[0]}-{queue}', kind,
                    args.clients, args.seconds / args.rounds)
                after = service.cpu()
                total = totals[name]
                total['messages'] += messages
                total['latencies'] += latencies
                total['client'] += client_cpu
                for part in ('server', 'redis'):
                    total[part] += after[part] - before[part]
            order.reverse()
        for name, total in totals.items():
            result = bench.report(f'{name:<13} {workload}',
                                  total['messages'] / args.seconds,
                                  total['latencies'])
            per_message = {part: 1e6 * total[part] / max(1, total['messages'])
                           for part in ('server', 'redis', 'client')}
            print('    CPU per message: ' + ', '.join(
                f'{part} {value:.0f} µs'
                for part, value in per_message.items()), flush=True)
            figures[name][workload] = {**result, 'cpu': per_message}
    return figures


def latency_pairs(endpoint, args, tag):
    """Depth and backlog comparisons against one service."""
    results = {}
    shallow, deep = f'{tag}-d1000', f'{tag}-d{args.deep}'
    fill_http(endpoint, shallow, 1000)
    started = time.monotonic()
    fill_http(endpoint, deep, args.deep)
    print(f'  filled {args.deep} messages through the API in '
          f'{time.monotonic() - started:.0f} s', flush=True)
    results['depth'] = bench.compare(endpoint, [shallow, deep],
                                     ['depth 1000', f'depth {args.deep}'],
                                     [bench.CLAIM], args.samples)
    plain, held = f'{tag}-b0', f'{tag}-b10000'
    fill_http(endpoint, plain, 1000)
    fill_http(endpoint, held, 11000, batch=500)
    hold_claims(endpoint, held, 10000)
    results['backlog'] = bench.compare(
        endpoint, [plain, held], ['no backlog', '10k claimed'],
        [bench.CLAIM, bench.LIST, bench.STATS], args.samples)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--zaqar-venv', required=True,
                        help='virtualenv with zaqar==23.0.1 and gunicorn')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--lite-cpu-affinity', default='none',
                        help="zaqar-lite's worker_cpu_affinity")
    parser.add_argument('--pin-zaqar', action='store_true',
                        help="pin Zaqar's workers to a CPU each, from "
                             "outside, as --lite-cpu-affinity auto does")
    parser.add_argument('--seconds', type=float, default=10,
                        help='seconds of each throughput workload, per '
                             'service')
    parser.add_argument('--rounds', type=int, default=5,
                        help='rounds each throughput workload is split '
                             'into, alternating between the services')
    parser.add_argument('--samples', type=int, default=100)
    parser.add_argument('--deep', type=int, default=1_000_000)
    parser.add_argument('--latency-only', action='store_true',
                        help='skip the throughput workloads')
    parser.add_argument('--throughput-only', action='store_true',
                        help='skip the depth and backlog comparisons')
    parser.add_argument('--repeat', type=int, default=1,
                        help='throughput runs, each on freshly started '
                             'services; with more than one, the median '
                             'ratios close the report')
    args = parser.parse_args(argv)
    if args.deep <= 1000:
        parser.error('--deep must be more than 1000 (the shallow queue)')
    if args.repeat < 1:
        parser.error('--repeat must be at least 1')
    if args.repeat > 1 and args.latency_only:
        parser.error('--repeat repeats the throughput runs, which '
                     '--latency-only skips')
    runs = []
    for run in range(args.repeat):
        if args.repeat > 1:
            print(f'run {run + 1} of {args.repeat}', flush=True)
        runs.append(compare(args, latency=run == 0))
    if len(runs) > 1:
        print_medians(runs)


def compare(args, latency=True):
    """One run on freshly started services: the throughput ratios
    (None with ``--latency-only``); the depth and backlog comparisons
    too when ``latency`` and not ``--throughput-only``."""
    ratios = None
    with services(args.zaqar_venv, args.workers, args.lite_cpu_affinity,
                  args.pin_zaqar) as running:
        print(f'{args.workers} workers each, {args.clients} client '
              f'processes: ' + ', '.join(
                  f'{name} at {service.endpoint}'
                  for name, service in running.items()), flush=True)
        print(f'zaqar-lite worker_cpu_affinity = {args.lite_cpu_affinity}; '
              f"Zaqar's workers {'pinned' if args.pin_zaqar else 'not pinned'}",
              flush=True)
        print('requests parsed by: zaqar-lite '
              f'{request_parser(sys.executable)}, Zaqar '
              f"{request_parser(pathlib.Path(args.zaqar_venv) / 'bin' / 'python')}",
              flush=True)
        if not args.latency_only:
            figures = throughput(running, args)
            ratios = print_ratios(figures['zaqar-lite'],
                                  figures['zaqar 23.0.1'])
        if latency and not args.throughput_only:
            for name, service in running.items():
                print(f'{name}: latency by depth and backlog', flush=True)
                latency_pairs(service.endpoint, args, name.split()[0])
    return ratios


def print_ratios(lite, zaqar, names='zaqar-lite / zaqar 23.0.1') -> dict:
    """Print, and return, ``{workload: (throughput, p99, server CPU per
    message)}`` ratios of ``lite`` to ``zaqar``."""
    print(f'ratios {names}:')
    ratios = {}
    for workload in lite:
        ours, theirs = lite[workload], zaqar[workload]
        ratios[workload] = (ours['rate'] / theirs['rate'],
                            ours['p99_ms'] / theirs['p99_ms'],
                            ours['cpu']['server'] / theirs['cpu']['server'])
        print(f'  {workload:<20} throughput {ratios[workload][0]:6.2f}x   '
              f'p99 {ratios[workload][1]:5.2f}x   server CPU per message '
              f'{ratios[workload][2]:5.2f}x', flush=True)
    return ratios


def print_medians(runs):
    """The median, lowest and highest of each ratio over ``runs`` (what
    ``print_ratios`` returned for each)."""
    print(f'median ratios over {len(runs)} runs (lowest - highest):')
    for workload in runs[0]:
        parts = []
        for index, name in enumerate(('throughput', 'p99',
                                      'server CPU per message')):
            values = [ratios[workload][index] for ratios in runs]
            parts.append(f'{name} {statistics.median(values):5.2f}x '
                         f'({min(values):.2f} - {max(values):.2f})')
        print(f'  {workload:<20} ' + '   '.join(parts), flush=True)


if __name__ == '__main__':
    main()
