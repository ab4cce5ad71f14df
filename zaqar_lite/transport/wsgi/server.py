"""Serving the WSGI app with gunicorn, configured from ``zaqar.conf``.

The app is built in each worker after the fork (never shared across
processes).  Beside the workers the master keeps a housekeeper process
(``zaqar-lite housekeep``: garbage collection, notification delivery)
and, when ``[drivers] transport`` lists ``websocket``, the WebSocket server
(``zaqar-lite websocket``) running, restarting them if they die; the
master itself never touches storage once workers are forked (see
``zaqar_lite/housekeeper.py``).
"""

import logging
import os
import subprocess
import sys
import time

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.http import message as gunicorn_message

from zaqar_lite.bootstrap import Bootstrap
from zaqar_lite.transport import longpoll
from zaqar_lite.transport.wsgi import affinity
from zaqar_lite.transport.wsgi.balance import ConnectionTable
from zaqar_lite.transport.wsgi.worker import LingeringThreadWorker

LOG = logging.getLogger(__name__)
RESTART_PAUSE = 1.0  # seconds between housekeeper starts, at least
STOP_WAIT = 30  # seconds a stopping housekeeper gets before SIGKILL


def bind_address(host: str, port: int) -> str:
    """gunicorn's form of an address; IPv6 hosts go in brackets."""
    return f'[{host}]:{port}' if ':' in host else f'{host}:{port}'


def worker_threads(wsgi) -> int:
    """gunicorn's ``threads``: with ``gthread``, ``threads`` for requests
    that do not wait plus one for each long-poll claim a worker may hold
    waiting; 1 with ``sync`` (gunicorn runs ``gthread`` in its place when
    given more)."""
    if wsgi.worker_class != 'gthread':
        return 1
    return wsgi.threads + longpoll.waiting_claims_allowed(wsgi)


def worker_class(wsgi):
    """gunicorn's ``worker_class``: ``gthread`` becomes
    ``LingeringThreadWorker`` unless ``keepalive_linger`` is 0."""
    if wsgi.worker_class == 'gthread' and wsgi.keepalive_linger > 0:
        return LingeringThreadWorker
    return wsgi.worker_class


def parses_in_c(cfg) -> bool:
    """Whether gunicorn's workers read requests with its C parser,
    ``gunicorn_h1c`` (installed with ``zaqar-lite[fast]``), under ``cfg``;
    False also where gunicorn no longer has the check this asks."""
    uses_c = getattr(gunicorn_message, '_check_fast_parser', None)
    return uses_c is not None and uses_c(cfg)


class Server(BaseApplication):
    """gunicorn application serving ``Bootstrap(conf).app``.

    ``connections`` is the table through which ``LingeringThreadWorker``
    workers balance new connections, made here, in the master, once;
    ``worker_cpus`` the CPUs they are pinned to in turn (``None``: not
    pinned).

    Args:
        conf: the loaded configuration.
    """

    def __init__(self, conf):
        self.conf = conf
        self.connections = ConnectionTable()
        self.worker_cpus = affinity.worker_cpus(
            conf['drivers:transport:wsgi'].worker_cpu_affinity,
            affinity.allowed_cpus())
        super().__init__()

    def load_config(self):
        wsgi = self.conf['drivers:transport:wsgi']
        settings = {'bind': bind_address(wsgi.bind, wsgi.port),
                    'workers': wsgi.workers, 'timeout': wsgi.timeout,
                    'worker_class': worker_class(wsgi),
                    'threads': worker_threads(wsgi),
                    'keepalive': wsgi.keepalive,
                    'proc_name': 'zaqar-lite'}
        if settings['worker_class'] is LingeringThreadWorker:
            settings['pre_fork'] = self.connections.pre_fork
            settings['child_exit'] = self.connections.child_exit
        elif self.worker_cpus:
            LOG.warning('%s applies to the default gthread worker with '
                        'keepalive_linger above 0: workers not pinned',
                        affinity.SETTING)
        if 'control_socket_disable' in self.cfg.settings:
            # gunicorn >= 25 opens a control socket at one fixed path per
            # user, which several servers on one host would fight over.
            settings['control_socket_disable'] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        return Bootstrap(self.conf).app

    def run(self):
        sides = [SideProcess('housekeeper', self.side_command('housekeep'))]
        if 'websocket' in self.conf.drivers.transport:
            sides.append(SideProcess('WebSocket server',
                                     self.side_command('websocket')))
        try:
            HousekeepingArbiter(self, sides).run()
        except RuntimeError as exc:  # gunicorn's way of reporting bad set-up
            print(f'\nError: {exc}\n', file=sys.stderr)
            sys.exit(1)

    def side_command(self, name) -> list:
        """The command line of a ``zaqar-lite`` side process."""
        command = [sys.executable, '-m', 'zaqar_lite.cli', name,
                   '--parent', str(os.getpid())]
        for path in self.conf.config_file or ():
            command += ['--config-file', path]
        return command


class SideProcess:
    """A process the master keeps running beside the workers.

    Args:
        name: what the log calls it.
        command: its command line.
    """

    def __init__(self, name, command):
        self.name = name
        self.command = command
        self.process = None
        self.started = 0.0

    def keep(self):
        """Start it if it is not running (any more)."""
        if self.process is not None:
            # gunicorn reaps every child it sees exit, so the code of one
            # it reaped first reads as 0.
            code = self.process.poll()
            if code is None:
                return
            LOG.error('the %s exited with %s; restarting it', self.name, code)
            self.process = None
        if time.monotonic() - self.started < RESTART_PAUSE:
            return
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.command)

    def stop(self):
        """Stop it: SIGTERM, then SIGKILL after ``STOP_WAIT`` seconds."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            process.kill()


class HousekeepingArbiter(Arbiter):
    """gunicorn's master, which also keeps its side processes alive: the
    housekeeper, and the WebSocket server when it is a configured transport.

    They are started from the master's own loop, the thread that forks the
    workers.  Started from any other thread, a worker forked in the middle
    of that start inherits the new child's exec-status pipe, and the start
    then waits until that worker exits (seen: a housekeeper that died was
    never replaced).

    Args:
        app: the gunicorn application.
        sides: the ``SideProcess`` list.
    """

    def __init__(self, app, sides):
        super().__init__(app)
        self.sides = sides

    def start(self):
        super().start()
        if parses_in_c(self.cfg):
            self.log.info('Parsing requests with gunicorn_h1c')
        else:
            self.log.info("Parsing requests with gunicorn's Python parser; "
                          "pip install 'zaqar-lite[fast]' for its C parser "
                          '(about 6 % less worker CPU a request)')

    def manage_workers(self):
        super().manage_workers()
        for side in self.sides:
            side.keep()

    def stop(self, graceful=True):
        super().stop(graceful)
        for side in self.sides:
            side.stop()
