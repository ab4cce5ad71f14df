"""[DEFAULT]: service-wide switches."""

from oslo_config import cfg

GROUP = 'DEFAULT'

OPTS = [
    cfg.BoolOpt('admin_mode', default=False,
                help='Expose the admin API (today: GET /v2/health with the '
                     'storage status).'),
]


def list_opts():
    return [(GROUP, OPTS)]
