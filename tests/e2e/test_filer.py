"""zaqar-lite pipe in/out against a real server, with real processes."""

import collections
import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import uuid

import pytest
import requests

from tests.conftest import wait_for
from zaqar_lite.filer import api
from zaqar_lite.filer.bridge import PipeIn
from zaqar_lite.filer.queue import FileQueue


def pipe(service, mode, queue, folder, project, *extra):
    option = '--queue-in-dir' if mode == 'in' else '--queue-out-dir'
    return [sys.executable, '-m', 'zaqar_lite.cli', 'pipe', mode,
            '--endpoint', service.url, '--queue', queue, '--project', project,
            option, str(folder), '--poll', '0.05', *extra]


def start(command, log):
    """Start a bridge, its log going to the file ``log``."""
    with open(log, 'wb') as handle:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                stderr=handle)
    proc.log = log
    return proc


def stop(processes):
    """SIGTERM the bridges; each may finish the request it is in."""
    for proc in processes:
        proc.send_signal(signal.SIGTERM)
    for proc in processes:
        try:
            code = proc.wait(api.TIMEOUT + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = 'no exit'
        assert code == 0, (f'a bridge did not shut down gracefully '
                           f'({code}); its log ends:\n'
                           + proc.log.read_text()[-3000:])


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def contents(folder):
    return collections.Counter(
        digest(entry.read_bytes())
        for entry in (folder / 'incoming').iterdir())


def write_files(root, writer, count, results):
    files = FileQueue(root)
    written = []
    for n in range(count):
        if n % 2:
            data = f'plain text {writer}-{n} ü'.encode()
        else:
            data = json.dumps({'writer': writer, 'n': n, 'pad': 'x' * n},
                              separators=(',', ':')).encode()
        files.enqueue(data)
        written.append(digest(data))
    results.put(written)


def queue_total(service, queue, project):
    resp = requests.get(f'{service.url}/v2/queues/{queue}/stats', headers={
        'Client-ID': str(uuid.uuid4()), 'X-Project-ID': project})
    return resp.json()['messages']['total']


@pytest.fixture
def scale(service, request):
    """Files per writer: thousands in flight take minutes on FerretDB,
    which decodes every stored document on each query
    (docs/storage-mongodb.md), so it gets a tenth of them unless
    --run-slow; the filer does not depend on the store."""
    if service.store == 'mongodb' and \
            not request.config.getoption('--run-slow'):
        return lambda count: count // 10
    return lambda count: count


def test_round_trip_with_many_writers_and_bridges(service, scale, tmp_path):
    project, queue = f'filer-{uuid.uuid4().hex[:8]}', 'files'
    source, target = tmp_path / 'source', tmp_path / 'target'
    FileQueue(source), FileQueue(target)
    bridges = [start(pipe(service, mode, queue, folder, project),
                     tmp_path / f'{mode}-{n}.log')
               for mode, folder in (('in', source), ('out', target))
               for n in range(2)]
    context = multiprocessing.get_context('fork')
    results = context.Queue()
    per_writer = scale(500)
    writers = [context.Process(target=write_files,
                               args=(source, w, per_writer, results))
               for w in range(4)]
    for writer in writers:
        writer.start()
    written = collections.Counter(
        h for _ in writers for h in results.get(timeout=120))
    for writer in writers:
        writer.join(30)
    wait_for(lambda: sum(contents(target).values()) >= 4 * per_writer,
             timeout=180, what=f'{4 * per_writer} files through the queue')
    stop(bridges)
    assert contents(target) == written, 'files lost or duplicated'
    assert os.listdir(source / 'incoming') == []
    assert os.listdir(source / 'pending') == []
    # (FerretDB can lose concurrent counter updates; gc recounts them.)
    wait_for(lambda: queue_total(service, queue, project) == 0,
             timeout=30, what='the queue to count no messages')


def test_killed_bridge_loses_nothing(service, scale, tmp_path):
    project, queue = f'filer-{uuid.uuid4().hex[:8]}', 'crash'
    source = FileQueue(tmp_path / 'source')
    written = {digest(source.enqueue(f'item {n}'.encode()).read_bytes())
               for n in range(scale(1000))}
    victim = start(pipe(service, 'in', queue, source.root, project,
                        '--batch', '5'), tmp_path / 'victim.log')
    wait_for(lambda: queue_total(service, queue, project) > 0,
             what='the bridge to start posting')
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    survivor = subprocess.run(
        pipe(service, 'in', queue, source.root, project, '--once',
             '--recover-after', '0'), timeout=120, capture_output=True)
    assert survivor.returncode == 0, survivor.stderr.decode()[-2000:]
    assert os.listdir(source.pending) == []
    target = tmp_path / 'target'
    drained = subprocess.run(pipe(service, 'out', queue, target, project,
                                  '--once'), timeout=120)
    assert drained.returncode == 0
    assert set(contents(target)) == written, 'an acknowledged file was lost'


class StoppedAfterOnePost(api.QueueApi):
    """The queue's API, and a bridge told to stop during its first post."""

    def __init__(self, stop, *args):
        super().__init__(*args)
        self.stop = stop

    def post(self, messages):
        answer = super().post(messages)
        self.stop.set()
        return answer


def test_a_stopped_bridge_posts_no_more_and_puts_the_rest_back(service,
                                                               tmp_path):
    project, queue = f'filer-{uuid.uuid4().hex[:8]}', 'stopping'
    source = FileQueue(tmp_path / 'source')
    for n in range(6):
        source.enqueue(f'item {n}'.encode())
    stop = threading.Event()
    bridge = PipeIn(source, StoppedAfterOnePost(stop, service.url, queue,
                                                project),
                    max_bytes=40, poll=0.05, stop=stop)  # a post per file
    bridge.run()
    assert queue_total(service, queue, project) == 1
    assert len(os.listdir(source.incoming)) == 5
    assert os.listdir(source.pending) == []


def test_back_pressure_holds_at_the_limit(service, tmp_path):
    project, queue = f'filer-{uuid.uuid4().hex[:8]}', 'slow'
    requests.post(f'{service.url}/v2/queues/{queue}/messages',
                  json={'messages': [{'body': n} for n in range(20)]},
                  headers={'Client-ID': str(uuid.uuid4()),
                           'X-Project-ID': project})
    target = tmp_path / 'target'
    for _ in range(2):  # a second run finds the directory still full
        done = subprocess.run(pipe(service, 'out', queue, target, project,
                                   '--once', '--queue-out-limit', '5'),
                              timeout=60)
        assert done.returncode == 0
        assert sum(contents(target).values()) == 5
    assert queue_total(service, queue, project) == 15


def test_refused_files_go_to_errors_with_a_reason(service, tmp_path):
    project, queue = f'filer-{uuid.uuid4().hex[:8]}', 'picky'
    requests.put(f'{service.url}/v2/queues/{queue}',
                 json={'_max_messages_post_size': 1000},
                 headers={'Client-ID': str(uuid.uuid4()),
                          'X-Project-ID': project})
    source = FileQueue(tmp_path / 'source')
    source.enqueue(b'fine')
    source.enqueue(b'\xff\xfe not text')
    source.enqueue(b'y' * 300000)
    source.enqueue(('z' * 2000).encode())
    done = subprocess.run(pipe(service, 'in', queue, source.root, project,
                               '--once'), timeout=60)
    assert done.returncode == 0
    reasons = sorted(p.read_text() for p in source.errors.glob('*.reason'))
    assert len(reasons) == 3
    assert any('not UTF-8' in r for r in reasons)
    assert any('more than one post may carry' in r for r in reasons)
    assert any('max size for current queue is 1000' in r for r in reasons)
    assert queue_total(service, queue, project) == 1
