"""[drivers:transport:wsgi] worker_cpu_affinity on a real gunicorn: with
"auto" each worker, every thread of it, runs on a CPU of its own while
the master and the housekeeper run anywhere; with "none" nothing is
pinned; a CPU the server may not use stops it at start-up."""

import http.client
import os
import subprocess
import sys

import pytest

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf
from tests.e2e.test_accept_balance import children, two_workers

pytestmark = pytest.mark.e2e

ALLOWED = sorted(os.sched_getaffinity(0))


def cpus_of(pid):
    """The CPU sets of every thread of ``pid``."""
    return [os.sched_getaffinity(int(task))
            for task in os.listdir(f'/proc/{pid}/task')]


def served(folder, affinity):
    return Service(service_conf(folder, workers=2, **{
        'drivers:transport:wsgi': {'worker_cpu_affinity': affinity}}))


def test_auto_puts_each_worker_on_a_cpu_of_its_own(tmp_path):
    with served(tmp_path, 'auto') as server:
        workers = wait_for(lambda: two_workers(server), what='two workers')
        # connections kept open spread over the workers, whose pools then
        # start their threads
        connections = [http.client.HTTPConnection('127.0.0.1', server.port,
                                                  timeout=10)
                       for _ in range(4)]
        for connection in connections:
            connection.request('GET', '/v2/health')
            connection.getresponse().read()
        pinned = []
        for pid in workers:
            sets = cpus_of(pid)
            assert all(cpus == sets[0] for cpus in sets), sets
            assert len(sets[0]) == 1, sets[0]
            pinned += sets[0]
        # slots 0 and 1 take the first two CPUs (the one CPU twice when
        # the machine has only one)
        assert sorted(pinned) == sorted(ALLOWED[slot % len(ALLOWED)]
                                        for slot in range(2))
        others = [pid for pid in children(server.proc.pid)
                  if pid not in workers] + [server.proc.pid]
        assert others  # the housekeeper and the master
        for pid in others:
            assert os.sched_getaffinity(pid) == set(ALLOWED)
        assert sum(len(cpus_of(pid)) for pid in workers) > 2  # threads too
        for connection in connections:
            connection.close()


def test_none_pins_nothing(tmp_path):
    with served(tmp_path, 'none') as server:
        workers = wait_for(lambda: two_workers(server), what='two workers')
        for pid in workers:
            assert all(cpus == set(ALLOWED) for cpus in cpus_of(pid))


@pytest.mark.parametrize('affinity, says', [
    (f'{max(ALLOWED) + 1}', 'may not run on CPU'),
    ('first', 'must be "none", "auto" or CPU numbers'),
])
def test_a_bad_setting_stops_the_server_at_start_up(tmp_path, affinity,
                                                     says):
    conf = service_conf(tmp_path, workers=2, **{
        'drivers:transport:wsgi': {'worker_cpu_affinity': affinity}})
    done = subprocess.run([sys.executable, '-m', 'zaqar_lite.cli', 'serve',
                           '--config-file', str(conf)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert says in done.stderr
    assert 'worker_cpu_affinity' in done.stderr


def test_other_workers_are_not_pinned_and_the_log_says_so(tmp_path):
    # plain gthread (no linger) has no connection slots to pin by
    with Service(service_conf(tmp_path, workers=2, **{
            'drivers:transport:wsgi': {'worker_cpu_affinity': 'auto',
                                       'keepalive_linger': 0}})) as server:
        workers = wait_for(lambda: two_workers(server), what='two workers')
        for pid in workers:
            assert all(cpus == set(ALLOWED) for cpus in cpus_of(pid))
        assert 'worker_cpu_affinity applies to the default gthread worker' \
            in server.log_tail()
