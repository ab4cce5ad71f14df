"""[storage]: storage pipelines and housekeeping."""

from oslo_config import cfg

GROUP = 'storage'

OPTS = [
    cfg.IntOpt('gc_interval', default=60, min=0,
               help='Seconds between garbage collections of expired '
                    'messages and claims while serving; 0 disables it '
                    '(run "zaqar-lite gc" instead). Expired data is '
                    'invisible at once either way.'),
]


def list_opts():
    return [(GROUP, OPTS)]
