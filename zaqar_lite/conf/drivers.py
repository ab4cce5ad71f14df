"""[drivers]: which transport and storage engines serve the API."""

from oslo_config import cfg, types

GROUP = 'drivers'

OPTS = [
    cfg.ListOpt('transport', default=['wsgi'],
                item_type=types.String(choices=['wsgi', 'websocket']),
                help='Transports serving the API: wsgi (HTTP, gunicorn), '
                     'websocket (Zaqar\'s WebSocket protocol, '
                     '[drivers:transport:websocket]), or both '
                     '("wsgi, websocket"): "zaqar-lite serve" runs each one '
                     'listed.'),
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
