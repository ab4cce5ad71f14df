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
    cfg.IntOpt('max_waiting_claims', default=64, min=0,
               help='Long-poll claims (POST .../claims?wait=N) one worker '
                    'holds waiting at once. With gthread, each worker gets '
                    'this many threads beyond `threads`, so waiting claims '
                    'never take the threads that serve other requests; a '
                    'claim beyond this many that finds nothing to claim is '
                    'answered 503 with Retry-After: 1. With the sync '
                    'worker class no claim waits (the worker would serve '
                    'nothing else meanwhile): this is taken as 0.'),
    cfg.IntOpt('keepalive', default=30, min=0,
               help='Seconds an idle client connection is kept open '
                    '(gthread).'),
    cfg.FloatOpt('keepalive_linger', default=0.005, min=0, max=10,
                 help='Seconds a gthread worker thread that has answered '
                      'a request waits for the same connection\'s next '
                      'request, serving it itself, before handing the '
                      'connection back to the worker\'s poller. Saves '
                      'the hand-offs between threads for clients that '
                      'send request after request (about half of '
                      'gunicorn\'s own CPU per request); at most '
                      '`threads` - 1 threads of a worker linger at once, '
                      'so one is always left for new requests. 0 turns '
                      'it off, and with it the balancing of new '
                      'connections over the workers (plain gunicorn '
                      'gthread).'),
    cfg.StrOpt('worker_cpu_affinity', default='none',
               help='Pin each worker to a CPU of its own: "none" (the '
                    'scheduler places them), "auto" (worker n on the n-th '
                    'CPU this server may use) or CPU numbers separated by '
                    'commas, which the workers take in turn. Pinned '
                    'workers keep their caches warm and never share a CPU '
                    'with each other while others idle (see '
                    'docs/benchmarks.md); worth it on a host whose CPUs '
                    'serve this one server, not where several servers '
                    'would pin onto the same CPUs. Applies to the default '
                    'gthread worker with keepalive_linger above 0.'),
    cfg.IntOpt('timeout', default=30, min=1,
               help='Seconds a worker may spend on one request before '
                    'gunicorn restarts it.'),
]


def list_opts():
    return [(GROUP, OPTS)]
