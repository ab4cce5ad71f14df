"""The housekeeper process that `serve` keeps beside its workers."""

import os
import signal
import subprocess

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf


def housekeepers(master_pid):
    """Pids of the housekeeper processes whose parent is ``master_pid``."""
    found = subprocess.run(['ps', '-eo', 'pid=,ppid=,args='], text=True,
                           capture_output=True, check=True).stdout
    return [int(line.split()[0]) for line in found.splitlines()
            if int(line.split()[1]) == master_pid and 'housekeep' in line]


def is_gone(pid):
    """Whether ``pid`` has exited (gone, or a zombie nobody reaped yet)."""
    try:
        with open(f'/proc/{pid}/stat') as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except FileNotFoundError:
        return True


def test_a_dead_housekeeper_is_replaced_and_stops_with_the_server(tmp_path):
    server = Service(service_conf(tmp_path, workers=1))
    server.start()
    try:
        [first] = wait_for(lambda: housekeepers(server.proc.pid),
                           what='the housekeeper')
        os.kill(first, signal.SIGKILL)
        [second] = wait_for(
            lambda: [p for p in housekeepers(server.proc.pid) if p != first],
            timeout=30, what='a new housekeeper')
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(30) == 0
        wait_for(lambda: is_gone(second), timeout=10,
                 what='the housekeeper to stop')
    finally:
        server.stop()
