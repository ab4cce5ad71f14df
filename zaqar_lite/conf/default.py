"""[DEFAULT]: service-wide switches."""

from oslo_config import cfg

GROUP = 'DEFAULT'

OPTS = [
    cfg.StrOpt('auth_strategy', default='',
               choices=[('', 'as noauth'),
                        ('noauth', 'the project is the X-Project-ID header, '
                                   'as sent: for development only'),
                        ('keystone', 'Keystone tokens (X-Auth-Token), '
                                     'validated by keystonemiddleware with '
                                     '[keystone_authtoken]; the project is '
                                     "the token's")],
               help='How requests are authenticated. Pre-signed URLs work '
                    'with either.'),
    cfg.BoolOpt('admin_mode', default=False,
                help='Expose the admin API: /v2/pools, /v2/flavors and '
                     'GET /v2/health with the storage status (with '
                     'auth_strategy = keystone, only to tokens with the '
                     'admin role).'),
    cfg.BoolOpt('pooling', default=False,
                help='Spread queues over pools (data stores registered '
                     'through /v2/pools), mapped by the catalogue in '
                     '[drivers] management_store.'),
]

CATALOG_GROUP = 'pooling:catalog'

CATALOG_OPTS = [
    cfg.BoolOpt('enable_virtual_pool', default=False,
                help='With pooling on, serve queues that are in no pool '
                     'from [drivers] message_store, as a default pool '
                     '(as Zaqar does); otherwise such requests get a 503 '
                     'until a pool is registered.'),
]


def list_opts():
    return [(GROUP, OPTS), (CATALOG_GROUP, CATALOG_OPTS)]
