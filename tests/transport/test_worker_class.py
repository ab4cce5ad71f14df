"""Which gunicorn worker class ``zaqar-lite serve`` asks for."""

import pytest

from zaqar_lite import conf as zconf
from zaqar_lite.transport.wsgi import server
from zaqar_lite.transport.wsgi.worker import LingeringThreadWorker


@pytest.mark.parametrize('worker_class, linger, expected', [
    ('gthread', None, LingeringThreadWorker),  # the default linger
    ('gthread', 0, 'gthread'),
    ('sync', None, 'sync'),  # nothing to linger on: one request a worker
])
def test_the_worker_class_follows_the_linger(worker_class, linger,
                                             expected):
    conf = zconf.load([])
    group = 'drivers:transport:wsgi'
    conf.set_override('worker_class', worker_class, group)
    if linger is not None:
        conf.set_override('keepalive_linger', linger, group)
    assert server.worker_class(conf[group]) == expected
    assert server.Server(conf).cfg.worker_class_str == getattr(
        expected, '__name__', expected)
