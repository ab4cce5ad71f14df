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
import threading

from gunicorn.app.base import BaseApplication

from zaqar_lite.bootstrap import Bootstrap

LOG = logging.getLogger(__name__)


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
        self._stop = threading.Event()
        self._housekeeper = None
        super().__init__()

    def load_config(self):
        wsgi = self.conf['drivers:transport:wsgi']
        settings = {'bind': bind_address(wsgi.bind, wsgi.port),
                    'workers': wsgi.workers, 'timeout': wsgi.timeout,
                    'worker_class': wsgi.worker_class,
                    'threads': wsgi.threads, 'keepalive': wsgi.keepalive,
                    'proc_name': 'zaqar-lite',
                    'when_ready': self._start_housekeeper,
                    'on_exit': self._stop_housekeeper}
        if 'control_socket_disable' in self.cfg.settings:
            # gunicorn >= 25 opens a control socket at one fixed path per
            # user, which several servers on one host would fight over.
            settings['control_socket_disable'] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        return Bootstrap(self.conf).app

    def _start_housekeeper(self, _arbiter):
        threading.Thread(target=self._keep_housekeeper,
                         name='zaqar-lite-housekeeper-watch',
                         daemon=True).start()

    def _keep_housekeeper(self):
        """Run the housekeeper; start it again if it dies (not storage
        work: this thread only waits on a child process)."""
        command = [sys.executable, '-m', 'zaqar_lite.cli', 'housekeep',
                   '--parent', str(os.getpid())]
        for path in self.conf.config_file or ():
            command += ['--config-file', path]
        while not self._stop.is_set():
            self._housekeeper = subprocess.Popen(command)
            code = self._housekeeper.wait()
            if not self._stop.is_set():
                LOG.error('the housekeeper exited with %s; restarting it',
                          code)
                self._stop.wait(1.0)

    def _stop_housekeeper(self, _arbiter):
        self._stop.set()
        process = self._housekeeper
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
