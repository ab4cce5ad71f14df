"""[drivers:transport:wsgi]: the HTTP server."""

from oslo_config import cfg

GROUP = 'drivers:transport:wsgi'

OPTS = [
    cfg.HostAddressOpt('bind', default='127.0.0.1',
                       help='Address the HTTP server listens on.'),
    cfg.PortOpt('port', default=8888,
                help='Port the HTTP server listens on.'),
    cfg.IntOpt('workers', default=2, min=1,
               help='Number of gunicorn worker processes.'),
    cfg.StrOpt('worker_class', default='gthread',
               choices=[('gthread', 'threads in each worker; keeps client '
                                    'connections alive between requests'),
                        ('sync', "gunicorn's simplest worker: one request "
                                 "at a time, a new connection each")],
               help='gunicorn worker class.'),
    cfg.IntOpt('threads', default=4, min=1,
               help='Threads per worker with the gthread worker class.'),
    cfg.IntOpt('keepalive', default=30, min=0,
               help='Seconds an idle client connection is kept open '
                    '(gthread).'),
    cfg.IntOpt('timeout', default=30, min=1,
               help='Seconds a worker may spend on one request before '
                    'gunicorn restarts it.'),
]


def list_opts():
    return [(GROUP, OPTS)]
