"""[drivers:message_store:mongodb] and [drivers:management_store:mongodb]."""

from oslo_config import cfg

MESSAGE_GROUP = 'drivers:message_store:mongodb'
MANAGEMENT_GROUP = 'drivers:management_store:mongodb'

READ_PREFERENCES = [
    ('primary', 'every read sees every acknowledged write (safe)'),
    ('primaryPreferred', 'the primary; a secondary while there is none'),
    ('secondaryPreferred', 'a secondary when one answers: reads may lag'),
    ('secondary', 'secondaries only: reads may lag'),
    ('nearest', 'the member answering fastest: reads may lag'),
]


def _opts(what):
    return [
        cfg.StrOpt('uri', default='mongodb://127.0.0.1:27017',
                   secret=True,
                   help=f'MongoDB holding {what}: a MongoDB connection '
                        'string, e.g. mongodb://h1,h2,h3/?replicaSet=rs0 '
                        'or mongodb+srv://cluster.example.com. Credentials '
                        'and TLS settings go in the string.'),
        cfg.StrOpt('database', default='zaqar',
                   help='Database holding the collections.'),
        cfg.StrOpt('write_concern', default='majority',
                   help='Acknowledgement each write waits for: "majority" '
                        '(survives the loss of a minority of replica set '
                        'members), a number of members, or a tag set '
                        'name. 0 (unacknowledged writes) is refused.'),
        cfg.FloatOpt('write_timeout', default=10.0, min=0,
                     help='Seconds a write waits for its write concern '
                          'before the request fails with 503; 0 waits '
                          'forever.'),
        cfg.StrOpt('read_preference', default='primary',
                   choices=READ_PREFERENCES,
                   help='Replica set members reads go to. Anything but '
                        'primary may not see a write just acknowledged '
                        '(claims stay exclusive either way).'),
        cfg.FloatOpt('server_selection_timeout', default=5.0, min=0.1,
                     help='Seconds to wait for a suitable server (at '
                          'start-up, or during a fail-over) before '
                          'giving up.'),
        cfg.FloatOpt('socket_timeout', default=5.0, min=0.1,
                     help='Seconds to wait for MongoDB to connect or '
                          'answer before the request fails with 503.'),
        cfg.IntOpt('max_pool_size', default=50, min=1,
                   help='Connections each server process keeps to '
                        'MongoDB.'),
    ]


MESSAGE_OPTS = _opts('queues, messages, claims and subscriptions')
MANAGEMENT_OPTS = _opts('the catalogue, pools and flavors')


def list_opts():
    return [(MESSAGE_GROUP, MESSAGE_OPTS), (MANAGEMENT_GROUP, MANAGEMENT_OPTS)]
