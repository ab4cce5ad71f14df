"""[drivers]: which transport and storage engines serve the API."""

from oslo_config import cfg

GROUP = 'drivers'

OPTS = [
    cfg.StrOpt('transport', default='wsgi', choices=['wsgi'],
               help='Transport driver serving the API.'),
    cfg.StrOpt('message_store', default='sqlite',
               help='Storage driver for queues, messages and claims. Its '
                    'options are in [drivers:message_store:<name>].'),
    cfg.StrOpt('management_store', default='sqlite',
               help='Storage driver for the catalogue, pools and flavors, '
                    'read once pooling is available. Its options are in '
                    '[drivers:management_store:<name>].'),
]


def list_opts():
    return [(GROUP, OPTS)]
