"""HTTP benchmark of zaqar-lite: throughput and latency of the v2 API.

Starts ``zaqar-lite serve`` on a fresh SQLite file (or targets a running
server with ``--endpoint``), then runs, one after the other:

* ``post-1`` / ``post-10``: producers posting batches of 1 or 10 messages;
* ``claim-delete``: consumers claiming 10 and deleting each message;
* ``list``: readers listing pages of 10;
* ``depth``: claim latency with 1,000 vs ``--deep`` messages queued;
* ``backlog``: claim, list and stats latency with 10,000 claimed but not
  deleted messages at the head of the queue, against no backlog.

Each scenario prints messages (or requests) per second and p50/p99 latency.
Client load comes from separate processes so the client is not the limit.

    python benchmarks/http_bench.py --workers 2 --seconds 10
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import requests

BODY = 'x' * 256  # bytes of payload per message
PROJECT = 'bench'


def headers():
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': PROJECT,
            'Content-Type': 'application/json'}


CLOCK_TICKS = os.sysconf('SC_CLK_TCK')  # /proc CPU times are in these


def process_cpu(pid) -> float:
    """User plus system CPU seconds used by ``pid`` so far (0 once gone)."""
    try:
        with open(f'/proc/{pid}/stat') as stat:
            fields = stat.read().rsplit(')', 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float('nan')
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# -- a light HTTP client: the load generator must not be the bottleneck ----

class Client:
    """Keep-alive HTTP/1.1 over one socket, reconnecting when told to close.

    The load generator shares the machine with the servers it measures, so
    its CPU is taken from them: ``requests`` costs several times what
    ``http.client`` does, and ``http.client`` (its header parsing goes
    through ``email``) about 200 µs a request on the project's machine.
    This client sends requests it formats itself and reads only the status
    line, the headers and a ``Content-Length`` body, which is all the
    servers measured here answer with; anything else (a chunked answer)
    fails loudly rather than being misread.
    """

    def __init__(self, endpoint):
        parsed = urllib.parse.urlsplit(endpoint)
        self.address = (parsed.hostname, parsed.port)
        self.head = ''.join(f'{name}: {value}\r\n' for name, value in {
            **headers(), 'Host': f'{parsed.hostname}:{parsed.port}'}.items())
        self.sock = None
        self.buffer = b''

    def request(self, method, path, body=None):
        """Returns ``(status, response headers, body bytes)``; header names
        are lower case.  ``body``: a JSON document, or bytes of one."""
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        data = (f'{method} {path} HTTP/1.1\r\n{self.head}'
                f'Content-Length: {len(body or b"")}\r\n\r\n'
                ).encode() + (body or b'')
        for attempt in range(2):
            if self.sock is None:
                self.sock = socket.create_connection(self.address,
                                                     timeout=60)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY,
                                     1)
                self.buffer = b''
            try:
                self.sock.sendall(data)
                status, resp_headers, payload = self._response()
                break
            except ConnectionError:
                self.close()
                if attempt:
                    raise
        if resp_headers.get('connection', '').lower() == 'close':
            self.close()
        if status >= 400:
            raise RuntimeError(f'{method} {path}: {status} {payload}')
        return status, resp_headers, payload

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def _response(self):
        while b'\r\n\r\n' not in self.buffer:
            self._receive()
        head, self.buffer = self.buffer.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        resp_headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(':')
            resp_headers[name.strip().lower()] = value.strip()
        if 'transfer-encoding' in resp_headers:
            raise RuntimeError('a chunked answer: not read by this client')
        length = int(resp_headers.get('content-length', 0))
        while len(self.buffer) < length:
            self._receive()
        payload, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(lines[0].split()[1]), resp_headers, payload

    def _receive(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError('the server closed the connection')
        self.buffer += chunk


# -- client loops, run in worker processes --------------------------------

def producer(endpoint, queue, batch, seconds, _):
    client = Client(endpoint)
    body = json.dumps({'messages': [{'body': BODY, 'ttl': 3600}] * batch}
                      ).encode()
    latencies, messages = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        client.request('POST', f'/v2/queues/{queue}/messages', body)
        latencies.append(time.perf_counter() - start)
        messages += batch
    return messages, latencies


def consumer(endpoint, queue, _batch, seconds, _):
    client = Client(endpoint)
    latencies, messages = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        status, _, payload = client.request(
            'POST', f'/v2/queues/{queue}/claims?limit=10',
            {'ttl': 300, 'grace': 60})
        if status == 201:
            for msg in json.loads(payload)['messages']:
                client.request('DELETE', msg['href'])
                messages += 1
        latencies.append(time.perf_counter() - start)
    return messages, latencies


def lister(endpoint, queue, _batch, seconds, _):
    client = Client(endpoint)
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        client.request('GET', f'/v2/queues/{queue}/messages?limit=10'
                              '&echo=true')
        latencies.append(time.perf_counter() - start)
    return len(latencies) * 10, latencies


def timed_requests(endpoint, queues, method, path, count, body=None):
    """Latencies of ``count`` identical requests to each queue.

    Requests alternate between the queues, so drift in the machine's load
    affects every queue alike and the figures compare fairly.
    """
    client = Client(endpoint)
    latencies = {queue: [] for queue in queues}
    for _ in range(count):
        for queue in queues:
            start = time.perf_counter()
            status, resp_headers, _ = client.request(
                method, f'/v2/queues/{queue}{path}', body)
            latencies[queue].append(time.perf_counter() - start)
            if method == 'POST' and status == 201:
                location = resp_headers['location']
                client.request('DELETE',
                               urllib.parse.urlsplit(location).path)
    return latencies


def run_parallel(loop, endpoint, queue, clients, seconds, batch=1):
    with multiprocessing.Pool(clients) as pool:
        results = pool.starmap(loop, [(endpoint, queue, batch, seconds, i)
                                      for i in range(clients)])
    total = sum(count for count, _ in results)
    latencies = [lat for _, lats in results for lat in lats]
    return total / seconds, latencies


def report(name, rate, latencies, unit='msgs/s'):
    p50 = percentile(latencies, 0.50) * 1000
    p99 = percentile(latencies, 0.99) * 1000
    print(f'{name:<28} {rate:>10.0f} {unit:<7} p50 {p50:7.2f} ms   '
          f'p99 {p99:7.2f} ms   ({len(latencies)} requests)', flush=True)
    return {'rate': rate, 'p50_ms': p50, 'p99_ms': p99}


# -- filling queues directly through the storage driver --------------------

def fill(driver, queue, count, batch=1000):
    """Post ``count`` messages straight into the store (fast set-up)."""
    driver.queue_controller.create(queue, project=PROJECT)
    messages = [{'body': BODY, 'ttl': 3600}] * batch
    client = str(uuid.uuid4())
    for done in range(0, count, batch):
        size = min(batch, count - done)
        driver.message_controller.post(queue, messages[:size], client,
                                       project=PROJECT)


def claim_backlog(driver, queue, count):
    """Hold ``count`` messages at the head of ``queue`` in live claims."""
    for _ in range(0, count, 1000):
        driver.claim_controller.create(queue, {'ttl': 3600, 'grace': 60},
                                       project=PROJECT, limit=1000)


# -- the server -----------------------------------------------------------

def store_conf(tmp, redis_uri=None, mongodb_uri=None):
    """The zaqar.conf lines of the store under test."""
    fresh = f'bench-{uuid.uuid4().hex[:8]}'
    if redis_uri:
        return (f'[drivers]\nmessage_store = redis\n'
                f'[drivers:message_store:redis]\nuri = {redis_uri}\n'
                f'key_prefix = {fresh}\n')
    if mongodb_uri:
        return (f'[drivers]\nmessage_store = mongodb\n'
                f'[drivers:message_store:mongodb]\nuri = {mongodb_uri}\n'
                f'database = {fresh}\nsocket_timeout = 600\n')
    db = os.path.join(tmp, 'bench.db')
    return f'[drivers:message_store:sqlite]\nuri = sqlite:///{db}\n'


def write_conf(tmp, port, workers, redis_uri=None, mongodb_uri=None,
               linger=None, name='zaqar.conf'):
    """A zaqar.conf in ``tmp`` for a benchmarked server; its path.

    ``linger``: ``keepalive_linger`` in seconds (default: the server's).
    """
    conf_path = os.path.join(tmp, name)
    wsgi = '' if linger is None else f'keepalive_linger = {linger}\n'
    with open(conf_path, 'w') as fh:
        fh.write(f'[drivers:transport:wsgi]\nbind = 127.0.0.1\n'
                 f'port = {port}\nworkers = {workers}\n{wsgi}'
                 f'timeout = 600\n[storage]\ngc_interval = 0\n'
                 + store_conf(tmp, redis_uri, mongodb_uri))
    return conf_path


@contextlib.contextmanager
def server(workers, port, redis_uri=None, mongodb_uri=None):
    from zaqar_lite import conf as zconf
    from zaqar_lite.bootstrap import Bootstrap

    with tempfile.TemporaryDirectory() as tmp:
        conf_path = write_conf(tmp, port, workers, redis_uri, mongodb_uri)
        proc = subprocess.Popen([sys.executable, '-m', 'zaqar_lite.cli',
                                 'serve', '--config-file', conf_path],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        endpoint = f'http://127.0.0.1:{port}'
        try:
            wait_until_up(endpoint)
            boot = Bootstrap(zconf.load([conf_path]))
            yield endpoint, boot.data_driver
            boot.close()
        finally:
            proc.terminate()
            proc.wait(30)


def wait_until_up(endpoint, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(endpoint + '/v2/ping',
                            headers=headers()).status_code == 204:
                return
        time.sleep(0.1)
    raise RuntimeError(f'server at {endpoint} did not come up')


# -- scenarios -------------------------------------------------------------

def throughput(endpoint, args):
    results = {}
    for batch in (1, 10):
        rate, lats = run_parallel(producer, endpoint, f'post{batch}',
                                  args.clients, args.seconds, batch)
        results[f'post-{batch}'] = report(f'post batch of {batch}', rate, lats)
    print(f'  {stored(endpoint, ["post1", "post10"])} messages stored',
          flush=True)
    rate, lats = run_parallel(consumer, endpoint, 'post10', args.clients,
                              args.seconds)
    results['claim-delete'] = report('claim 10 + delete', rate, lats)
    rate, lats = run_parallel(lister, endpoint, 'post1', args.clients,
                              args.seconds)
    results['list'] = report('list 10', rate, lats)
    return results


def stored(endpoint, queues):
    """How many messages the queues hold."""
    client = Client(endpoint)
    return sum(json.loads(client.request('GET', f'/v2/queues/{q}/stats')[2])
               ['messages']['total'] for q in queues)


WARM_UP = 20  # untimed requests per queue before each comparison


def compare(endpoint, queues, labels, operations, samples, warm_up=WARM_UP):
    """Time each operation on each queue; print figures and p50 ratios."""
    results = {}
    for name, method, path, body in operations:
        timed_requests(endpoint, queues, method, path, warm_up, body)
        latencies = timed_requests(endpoint, queues, method, path, samples,
                                   body)
        figures = [report(f'{name} ({label})', len(lats) / sum(lats), lats,
                          'req/s')
                   for label, lats in zip(labels, latencies.values())]
        ratio = figures[1]['p50_ms'] / figures[0]['p50_ms']
        print(f'  {name} p50 ratio {labels[1]} / {labels[0]}: {ratio:.2f}',
              flush=True)
        results[name] = figures + [ratio]
    return results


CLAIM = ('claim 10', 'POST', '/claims?limit=10', {'ttl': 300, 'grace': 60})
LIST = ('list 10', 'GET', '/messages?limit=10&echo=true', None)
STATS = ('stats', 'GET', '/stats', None)


def depth(endpoint, driver, args):
    queues = ['depth1000', f'depth{args.deep}']
    for queue, count in zip(queues, (1000, args.deep)):
        started = time.monotonic()
        fill(driver, queue, count)
        print(f'  filled {queue} with {count} messages in '
              f'{time.monotonic() - started:.1f} s', flush=True)
    return compare(endpoint, queues, ['depth 1000', f'depth {args.deep}'],
                   [CLAIM], args.samples, args.warm_up)


def backlog(endpoint, driver, args):
    queues = ['backlog0', 'backlog10000']
    for queue, held in zip(queues, (0, 10000)):
        fill(driver, queue, held + 1000)
        claim_backlog(driver, queue, held)
    return compare(endpoint, queues, ['no backlog', '10k claimed'],
                   [CLAIM, LIST, STATS], args.samples, args.warm_up)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workers', type=int, default=2,
                        help='gunicorn workers of the server started')
    parser.add_argument('--port', type=int, default=8899)
    parser.add_argument('--clients', type=int, default=4,
                        help='client processes per throughput scenario')
    parser.add_argument('--seconds', type=float, default=10,
                        help='duration of each throughput scenario')
    parser.add_argument('--samples', type=int, default=300,
                        help='requests per latency scenario')
    parser.add_argument('--deep', type=int, default=1_000_000,
                        help='queue depth compared with 1,000')
    parser.add_argument('--redis', metavar='URI',
                        help='benchmark the Redis store at URI (keys get a '
                             'fresh prefix) instead of SQLite')
    parser.add_argument('--mongodb', metavar='URI',
                        help='benchmark the MongoDB store at URI (in a '
                             'fresh database) instead of SQLite')
    parser.add_argument('--warm-up', type=int, default=WARM_UP,
                        help='untimed requests per queue before each '
                             'latency comparison')
    parser.add_argument('--only', choices=['throughput', 'depth', 'backlog'],
                        action='append', help='run only these scenarios')
    args = parser.parse_args(argv)
    wanted = args.only or ['throughput', 'depth', 'backlog']
    with server(args.workers, args.port, args.redis, args.mongodb) as \
            (endpoint, driver):
        store = ('Redis' if args.redis else
                 'MongoDB' if args.mongodb else 'SQLite')
        print(f'zaqar-lite on {store}, {args.workers} workers, '
              f'{args.clients} client processes', flush=True)
        if 'throughput' in wanted:
            throughput(endpoint, args)
        if 'depth' in wanted:
            depth(endpoint, driver, args)
        if 'backlog' in wanted:
            backlog(endpoint, driver, args)


if __name__ == '__main__':
    main()
