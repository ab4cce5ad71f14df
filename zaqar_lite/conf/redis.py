"""[drivers:message_store:redis] and [drivers:management_store:redis]."""

from oslo_config import cfg

MESSAGE_GROUP = 'drivers:message_store:redis'
MANAGEMENT_GROUP = 'drivers:management_store:redis'


def _opts(what):
    return [
        cfg.StrOpt('uri', default='redis://127.0.0.1:6379/0',
                   help=f'Redis holding {what}: '
                        'redis://[:password@]host:port[/db], '
                        'unix:///path/to/redis.sock[?db=N], or Sentinel '
                        'redis://host1:26379,host2:26379?master=name'
                        '[&db=N].'),
        cfg.FloatOpt('socket_timeout', default=5.0, min=0.1,
                     help='Seconds to wait for Redis to connect or answer '
                          'before the request fails with 503.'),
        cfg.IntOpt('max_connections', default=50, min=1,
                   help='Connections each server process keeps to Redis.'),
        cfg.StrOpt('key_prefix', default='zl',
                   help='First part of every key, so several services can '
                        'share one Redis database.'),
    ]


MESSAGE_OPTS = _opts('queues, messages and claims')
MANAGEMENT_OPTS = _opts('the catalogue, pools and flavors')


def list_opts():
    return [(MESSAGE_GROUP, MESSAGE_OPTS),
            (MANAGEMENT_GROUP, MANAGEMENT_OPTS)]
