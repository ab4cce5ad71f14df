"""[notification]: options Zaqar hands to message-pipeline stages."""

from oslo_config import cfg

GROUP = 'notification'

OPTS = [
    cfg.IntOpt('max_notifier_workers', default=10, min=1,
               help='Most notifications sent at once. Passed to every '
                    'message-pipeline stage as Zaqar does.'),
    cfg.BoolOpt('require_confirmation', default=False,
                help='Whether subscribers must confirm before they are '
                     'notified. Passed to every message-pipeline stage as '
                     'Zaqar does.'),
]


def list_opts():
    return [(GROUP, OPTS)]
