"""The housekeeper: garbage collection, notification delivery and redrive
jobs.

``zaqar-lite serve`` runs it as a process of its own beside the gunicorn
workers, never as threads of the gunicorn master: the master forks
workers, and a fork taken while another thread is inside SQLite (even in
a read) leaves the child with SQLite's process-wide locks held forever.
"""

import logging
import os
import threading

from zaqar_lite.bootstrap import Bootstrap
from zaqar_lite.redrive import Redriver

LOG = logging.getLogger(__name__)


def run(conf, stop: threading.Event, parent=None) -> None:
    """Collect garbage every ``[storage] gc_interval`` seconds, run the
    redrive jobs every ``[storage] redrive_interval`` seconds and, when
    anything queues notifications and ``[notification] deliver_in_server``
    is on, deliver them, until ``stop`` is set (or, given ``parent``, that
    process is gone)."""
    if parent is not None:
        threading.Thread(target=stop_with_parent, args=(parent, stop),
                         daemon=True).start()
    boot = Bootstrap(conf)
    delivery = None
    if boot.notifies and conf.notification.deliver_in_server:
        worker = boot.delivery_worker()
        delivery = threading.Thread(target=worker.run, args=(stop,),
                                    name='zaqar-lite-delivery')
        delivery.start()
    redrive = None
    if conf.storage.redrive_interval:
        redriver = Redriver(boot.pipelines, boot.data_driver.redrive_controller,
                            conf.transport)
        redrive = threading.Thread(
            target=redriver.run, args=(stop, conf.storage.redrive_interval),
            name='zaqar-lite-redrive')
        redrive.start()
    interval = conf.storage.gc_interval
    while not stop.wait(interval or 3600):
        if not interval:
            continue
        try:
            removed = boot.data_driver.gc()
        except Exception:  # keep collecting; the next round may work
            LOG.exception('garbage collection failed')
            continue
        LOG.debug('garbage collection removed %s', removed)
    for thread in (delivery, redrive):
        if thread is not None:
            thread.join(60)
    boot.close()


def stop_with_parent(parent: int, stop: threading.Event) -> None:
    """Set ``stop`` once ``parent`` is no longer this process's parent."""
    while not stop.wait(1.0):
        if os.getppid() != parent:  # the server died without stopping us
            stop.set()
