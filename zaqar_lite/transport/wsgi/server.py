"""Serving the WSGI app with gunicorn, configured from ``zaqar.conf``.

The app is built in each worker after the fork (never shared across
processes).  The master runs garbage collection every ``[storage]
gc_interval`` seconds and, when anything queues notifications, a delivery
worker (unless ``[notification] deliver_in_server`` is off).
"""

import logging
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
        super().__init__()

    def load_config(self):
        wsgi = self.conf['drivers:transport:wsgi']
        settings = {'bind': bind_address(wsgi.bind, wsgi.port),
                    'workers': wsgi.workers, 'timeout': wsgi.timeout,
                    'worker_class': wsgi.worker_class,
                    'threads': wsgi.threads, 'keepalive': wsgi.keepalive,
                    'proc_name': 'zaqar-lite',
                    'when_ready': self._start_master_threads,
                    'on_exit': lambda _arbiter: self._stop.set()}
        if 'control_socket_disable' in self.cfg.settings:
            # gunicorn >= 25 opens a control socket at one fixed path per
            # user, which several servers on one host would fight over.
            settings['control_socket_disable'] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        return Bootstrap(self.conf).app

    def _start_master_threads(self, _arbiter):
        interval = self.conf.storage.gc_interval
        if interval:
            threading.Thread(target=self._collect, args=(interval,),
                             name='zaqar-lite-gc', daemon=True).start()
        boot = Bootstrap(self.conf)
        if boot.notifies and self.conf.notification.deliver_in_server:
            threading.Thread(target=boot.delivery_worker().run,
                             args=(self._stop,), name='zaqar-lite-delivery',
                             daemon=True).start()

    def _collect(self, interval):
        boot = Bootstrap(self.conf)
        while not self._stop.wait(interval):
            try:
                removed = boot.data_driver.gc()
            except Exception:  # keep collecting; the next round may work
                LOG.exception('garbage collection failed')
                continue
            LOG.debug('garbage collection removed %s', removed)
