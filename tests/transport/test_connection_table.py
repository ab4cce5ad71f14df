"""The table through which workers balance new connections
(zaqar_lite/transport/wsgi/balance.py): slots given and freed by the hooks
gunicorn's master calls, what workers read from it, and the accept delay.

Workers are built as gunicorn's master builds them, with the hooks it
calls around a fork; nothing is forked, and a worker's process is this
one (alive) or one that has exited.
"""

import os
import subprocess
import sys

import pytest

from zaqar_lite import conf as zconf
from zaqar_lite.transport.wsgi import balance, server


@pytest.fixture
def arbiter(monkeypatch):
    monkeypatch.setenv('SERVER_SOFTWARE', '')  # gunicorn's master sets it
    master = server.HousekeepingArbiter(server.Server(zconf.load([])), [])
    yield master
    for worker in master.WORKERS.values():
        worker.tmp.close()


def spawn(arbiter, pid, pre_fork=None):
    """What gunicorn's master does to start a worker, less the fork;
    ``pre_fork``: a hook in place of the configured one."""
    worker = arbiter.worker_class(len(arbiter.WORKERS) + 1, os.getpid(), [],
                                  arbiter.app, arbiter.timeout / 2,
                                  arbiter.cfg, arbiter.log)
    (pre_fork or arbiter.cfg.pre_fork)(arbiter, worker)
    worker.pid = pid
    arbiter.WORKERS[pid] = worker
    return worker


def reap(arbiter, pid):
    """What gunicorn's master does when a worker has exited."""
    worker = arbiter.WORKERS.pop(pid)
    worker.tmp.close()
    arbiter.cfg.child_exit(arbiter, worker)


def gone_pid():
    """The pid of a process that has exited."""
    child = subprocess.Popen([sys.executable, '-c', ''])
    child.wait()
    return child.pid


def test_each_worker_gets_the_lowest_slot_no_live_worker_holds(arbiter):
    slots = [spawn(arbiter, pid).connection_slot for pid in (11, 12, 13)]
    assert slots == [0, 1, 2]
    reap(arbiter, 12)  # gone, or taken away by TTOU
    assert spawn(arbiter, 14).connection_slot == 1
    assert spawn(arbiter, 15).connection_slot == 3  # TTIN


def test_an_exited_worker_is_not_waited_for(arbiter):
    table = arbiter.app.connections
    worker = spawn(arbiter, 11)
    table.join(worker.connection_slot, os.getpid(), 0)
    assert table.excess(3) == 3
    reap(arbiter, 11)
    assert table.excess(3) == 0


def test_a_slot_given_again_forgets_its_last_worker():
    table = balance.ConnectionTable(size=2)
    table.join(0, os.getpid(), 0)  # a worker its master did not reap
    assert table.assign(held=[]) == 0
    assert table.excess(3) == 0


def test_a_worker_beyond_the_table_gets_no_slot_and_accepts_at_once(
        arbiter):
    table = balance.ConnectionTable(size=1)
    first = spawn(arbiter, 11, table.pre_fork)
    second = spawn(arbiter, 12, table.pre_fork)
    assert (first.connection_slot, second.connection_slot) == (0, None)
    table.join(0, os.getpid(), 0)
    second.nr_conns = 5
    assert second.accept_delay() == 0


def test_the_least_count_is_of_a_live_worker():
    table = balance.ConnectionTable(size=4)
    table.join(0, os.getpid(), 4)
    table.join(1, os.getpid(), 2)
    table.join(2, gone_pid(), 0)  # exited, its slot not cleared yet
    # slot 3 free
    assert table.excess(4) == 2
    assert table.excess(2) == 0
    assert table.excess(1) == 0


def test_a_stopping_worker_frees_its_slot(arbiter):
    table = arbiter.app.connections
    worker = spawn(arbiter, 11)
    table.join(worker.connection_slot, os.getpid(), 0)
    worker.alive = False  # gunicorn's SIGTERM handler
    worker.publish_count()
    assert table.excess(3) == 0


def test_the_delay_grows_with_the_excess_up_to_the_cap():
    assert balance.accept_delay(0) == 0
    assert balance.accept_delay(1) == balance.DELAY_STEP
    assert balance.accept_delay(2) == 2 * balance.DELAY_STEP
    assert balance.accept_delay(1000) == balance.DELAY_CAP
