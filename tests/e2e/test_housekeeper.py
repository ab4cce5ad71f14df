"""The housekeeper process that `serve` keeps beside its workers."""

import os
import signal
import subprocess
import time

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf


def housekeepers(master_pid):
    """Pids of the housekeeper processes whose parent is ``master_pid``."""
    found = subprocess.run(['ps', '-eo', 'pid=,ppid=,args='], text=True,
                           capture_output=True, check=True).stdout
    return [int(line.split()[0]) for line in found.splitlines()
            if int(line.split()[1]) == master_pid and 'housekeep' in line]


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
        time.sleep(0.5)
        assert not os.path.exists(f'/proc/{second}') or \
            open(f'/proc/{second}/stat').read().split()[2] == 'Z'
    finally:
        server.stop()
