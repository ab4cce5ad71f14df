"""Serving the WSGI app with gunicorn, configured from ``zaqar.conf``.

The app is built in each worker after the fork (never shared across
processes).  Beside the workers the master keeps a housekeeper process
(``zaqar-lite housekeep``: garbage collection, notification delivery)
running, restarting it if it dies; the master itself never touches
storage once workers are forked (see ``zaqar_lite/housekeeper.py``).
"""

import logging
import os
import subprocess
import sys
import time

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from zaqar_lite.bootstrap import Bootstrap

LOG = logging.getLogger(__name__)
RESTART_PAUSE = 1.0  # seconds between housekeeper starts, at least
STOP_WAIT = 30  # seconds a stopping housekeeper gets before SIGKILL


def bind_address(host: str, port: int) -> str:
    """gunicorn's form of an address; IPv6 hosts go in brackets."""
    return f'[{host}]:{port}' if ':' in host else f'{host}:{port}'


class Server(BaseApplication):
    """gunicorn application serving ``Bootstrap(conf).app``.

    Args:
        conf: the loaded configuration.
    """

    def __init__(self, conf):
        self.conf = conf
        super().__init__()

    def load_config(self):
        wsgi = self.conf['drivers:transport:wsgi']
        settings = {'bind': bind_address(wsgi.bind, wsgi.port),
                    'workers': wsgi.workers, 'timeout': wsgi.timeout,
                    'worker_class': wsgi.worker_class,
                    'threads': wsgi.threads, 'keepalive': wsgi.keepalive,
                    'proc_name': 'zaqar-lite'}
        if 'control_socket_disable' in self.cfg.settings:
            # gunicorn >= 25 opens a control socket at one fixed path per
            # user, which several servers on one host would fight over.
            settings['control_socket_disable'] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        return Bootstrap(self.conf).app

    def run(self):
        command = [sys.executable, '-m', 'zaqar_lite.cli', 'housekeep',
                   '--parent', str(os.getpid())]
        for path in self.conf.config_file or ():
            command += ['--config-file', path]
        try:
            HousekeepingArbiter(self, command).run()
        except RuntimeError as exc:  # gunicorn's way of reporting bad set-up
            print(f'\nError: {exc}\n', file=sys.stderr)
            sys.exit(1)


class HousekeepingArbiter(Arbiter):
    """gunicorn's master, which also keeps the housekeeper process alive.

    The housekeeper is started from the master's own loop, the thread that
    forks the workers.  Started from any other thread, a worker forked in
    the middle of that start inherits the new child's exec-status pipe, and
    the start then waits until that worker exits (seen: a housekeeper that
    died was never replaced).

    Args:
        app: the gunicorn application.
        command: the housekeeper's command line.
    """

    def __init__(self, app, command):
        super().__init__(app)
        self.housekeeper_command = command
        self.housekeeper = None
        self.housekeeper_started = 0.0

    def manage_workers(self):
        super().manage_workers()
        self.keep_housekeeper()

    def keep_housekeeper(self):
        """Start the housekeeper if it is not running (any more)."""
        if self.housekeeper is not None:
            # gunicorn reaps every child it sees exit, so the code of one
            # it reaped first reads as 0.
            code = self.housekeeper.poll()
            if code is None:
                return
            LOG.error('the housekeeper exited with %s; restarting it', code)
            self.housekeeper = None
        if time.monotonic() - self.housekeeper_started < RESTART_PAUSE:
            return
        self.housekeeper_started = time.monotonic()
        self.housekeeper = subprocess.Popen(self.housekeeper_command)

    def stop(self, graceful=True):
        super().stop(graceful)
        process, self.housekeeper = self.housekeeper, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
