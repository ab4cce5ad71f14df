"""zaqar-lite and Zaqar 23.0.1 side by side, on one Redis, in one run.

Starts a redis-server, zaqar-lite (``message_store = redis``) and Zaqar
(``message_store = redis``, ``management_store = redis``, installed in its own
virtualenv) under gunicorn with the same number of workers, then runs the
same workloads against each through HTTP and prints both, with ratios.

    python3 -m venv ~/.cache/zaqar-23-venv
    ~/.cache/zaqar-23-venv/bin/pip install zaqar==23.0.1 gunicorn redis
    python benchmarks/compare_zaqar.py --zaqar-venv ~/.cache/zaqar-23-venv

Queues are filled through the API (batches of 500 posts) for both
services, so neither gets a shortcut.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import pathlib
import shutil
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


@contextlib.contextmanager
def services(zaqar_venv, workers):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        redis_port, lite_port, zaqar_port = free_port(), free_port(), free_port()
        redis_cmd = [shutil.which('redis-server'), '--port', str(redis_port),
                     '--bind', '127.0.0.1', '--save', '', '--dir', str(tmp)]
        (tmp / 'lite.conf').write_text(LITE_CONF.format(
            http_port=lite_port, workers=workers, port=redis_port))
        (tmp / '.zaqar').mkdir()
        (tmp / '.zaqar' / 'zaqar.conf').write_text(
            ZAQAR_CONF.format(port=redis_port))
        lite_cmd = [sys.executable, '-m', 'zaqar_lite.cli', 'serve',
                    '--config-file', str(tmp / 'lite.conf')]
        zaqar_cmd = [str(pathlib.Path(zaqar_venv) / 'bin' / 'gunicorn'),
                     '-w', str(workers), '-b', f'127.0.0.1:{zaqar_port}',
                     'zaqar.transport.wsgi.app:app']
        with process(redis_cmd), process(lite_cmd), \
                process(zaqar_cmd, env={**os.environ, 'HOME': str(tmp)}):
            lite = f'http://127.0.0.1:{lite_port}'
            zaqar = f'http://127.0.0.1:{zaqar_port}'
            for endpoint in (lite, zaqar):
                bench.wait_until_up(endpoint, timeout=60)
            yield {'zaqar-lite': lite, 'zaqar 23.0.1': zaqar}


# -- filling queues through the API -----------------------------------------

def post_many(endpoint, queue, count, batch):
    session, hdrs = requests.Session(), bench.headers()
    payload = json.dumps({'messages': [{'body': bench.BODY, 'ttl': 3600}]
                          * batch})
    for _ in range(count // batch):
        session.post(f'{endpoint}/v2/queues/{queue}/messages', data=payload,
                     headers=hdrs).raise_for_status()


def fill_http(endpoint, queue, count, batch=500, clients=4):
    batch = min(batch, count)
    share = count // clients
    with multiprocessing.Pool(clients) as pool:
        pool.starmap(post_many, [(endpoint, queue, share, batch)] * clients)


def hold_claims(endpoint, queue, count):
    session, hdrs = requests.Session(), bench.headers()
    for _ in range(count // 20):
        session.post(f'{endpoint}/v2/queues/{queue}/claims?limit=20',
                     json={'ttl': 3600, 'grace': 60},
                     headers=hdrs).raise_for_status()


# -- workloads ----------------------------------------------------------------

def mixed(endpoint, queue, clients, seconds):
    """Producers and consumers at once on one queue: messages consumed/s."""
    half = max(1, clients // 2)
    with multiprocessing.Pool(half * 2) as pool:
        produced = pool.starmap_async(
            bench.producer, [(endpoint, queue, 1, seconds, i)
                             for i in range(half)])
        consumed = pool.starmap_async(
            bench.consumer, [(endpoint, queue, 1, seconds, i)
                             for i in range(half)])
        produced, consumed = produced.get(), consumed.get()
    latencies = [lat for _, lats in produced + consumed for lat in lats]
    return sum(count for count, _ in consumed) / seconds, latencies


def workloads(endpoint, args, tag):
    """Every workload against one service: {name: figures}."""
    results = {}
    for batch in (1, 10):
        rate, lats = bench.run_parallel(bench.producer, endpoint,
                                        f'{tag}-post{batch}', args.clients,
                                        args.seconds, batch)
        results[f'post batch {batch}'] = bench.report(
            f'  post batch of {batch}', rate, lats)
    rate, lats = bench.run_parallel(bench.consumer, endpoint,
                                    f'{tag}-post10', args.clients,
                                    args.seconds)
    results['claim 10 + delete'] = bench.report('  claim 10 + delete',
                                                rate, lats)
    rate, lats = mixed(endpoint, f'{tag}-mixed', args.clients, args.seconds)
    results['mixed'] = bench.report('  mixed (consumed)', rate, lats)
    return results


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
    parser.add_argument('--seconds', type=float, default=10)
    parser.add_argument('--samples', type=int, default=100)
    parser.add_argument('--deep', type=int, default=1_000_000)
    parser.add_argument('--latency-only', action='store_true',
                        help='skip the throughput workloads')
    args = parser.parse_args(argv)
    with services(args.zaqar_venv, args.workers) as endpoints:
        figures = {}
        for name, endpoint in endpoints.items():
            print(f'{name} ({endpoint}), {args.workers} workers, '
                  f'{args.clients} client processes', flush=True)
            tag = name.split()[0]
            if not args.latency_only:
                figures[name] = workloads(endpoint, args, tag)
            latency_pairs(endpoint, args, tag)
        if args.latency_only:
            return
        print('ratios zaqar-lite / zaqar 23.0.1:')
        lite, zaqar = figures['zaqar-lite'], figures['zaqar 23.0.1']
        for workload in lite:
            print(f'  {workload:<20} throughput '
                  f'{lite[workload]["rate"] / zaqar[workload]["rate"]:6.2f}x'
                  f'   p99 {lite[workload]["p99_ms"] / zaqar[workload]["p99_ms"]:5.2f}x')


if __name__ == '__main__':
    main()
