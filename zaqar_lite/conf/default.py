"""[DEFAULT]: service-wide switches."""

from oslo_config import cfg

GROUP = 'DEFAULT'

OPTS = [
    cfg.BoolOpt('pooling', default=False,
                help='Spread queues over the registered pools instead of '
                     'keeping them all in the message store.'),
    cfg.BoolOpt('admin_mode', default=False,
                help='Expose the admin API (pools, flavors, detailed '
                     'health).'),
]


def list_opts():
    return [(GROUP, OPTS)]
