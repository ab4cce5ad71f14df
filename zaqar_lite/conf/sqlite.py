"""[drivers:message_store:sqlite] and [drivers:management_store:sqlite]."""

from oslo_config import cfg

MESSAGE_GROUP = 'drivers:message_store:sqlite'
MANAGEMENT_GROUP = 'drivers:management_store:sqlite'

DEFAULT_URI = 'sqlite:///zaqar-lite.db'


def _opts(what, default_uri=DEFAULT_URI):
    return [
        cfg.StrOpt('uri', default=default_uri,
                   help=f'SQLite database holding {what}: '
                        'sqlite:///relative/path.db or '
                        'sqlite:////absolute/path.db. The file and its '
                        'folder are created when missing.'),
        cfg.FloatOpt('busy_timeout', default=10.0, min=0,
                     help='Seconds a write waits for another process '
                          'holding the database lock.'),
        cfg.StrOpt('synchronous', default='FULL',
                   choices=[('FULL', 'every acknowledged write survives a '
                                     'power loss'),
                            ('NORMAL', 'acknowledged writes survive a crash '
                                       'of every process, not a power '
                                       'loss; faster'),
                            ('EXTRA', 'FULL, and the directory is synced '
                                      'too')],
                   help='How hard SQLite syncs each commit to disk.'),
    ]


MESSAGE_OPTS = _opts('queues, messages and claims')
MANAGEMENT_OPTS = _opts('the catalogue, pools and flavors (a file of its '
                        'own: its changes invalidate cached routes)',
                        'sqlite:///zaqar-lite-management.db')


def list_opts():
    return [(MESSAGE_GROUP, MESSAGE_OPTS), (MANAGEMENT_GROUP, MANAGEMENT_OPTS)]
