"""[consumers] and the [consumer:<name>] sections of consumer workers."""

from oslo_config import cfg

GROUP = 'consumers'
SECTION_PREFIX = 'consumer:'

OPTS = [
    cfg.StrOpt('endpoint', default='http://127.0.0.1:8888',
               help='The queue API the workers consume from (zaqar-lite or '
                    'Zaqar).'),
    cfg.StrOpt('project', default='default',
               help='Project of the consumed queues (X-Project-ID).'),
    cfg.StrOpt('client_id',
               help='Client-ID (a UUID) the workers send; each worker '
                    'thread makes up its own when unset.'),
    cfg.StrOpt('database', default='sqlite:///zaqar-lite-consumers.db',
               help='SQLAlchemy URL of the database handlers write to, '
                    'e.g. postgresql+psycopg://user:pw@host/db.'),
    cfg.IntOpt('claim_ttl', default=60, min=60,
               help='Seconds a worker holds the messages it claimed. A '
                    'batch that takes longer than half of it renews its '
                    'claim between messages.'),
    cfg.IntOpt('claim_grace', default=60, min=60,
               help='Seconds claimed messages live beyond the claim.'),
    cfg.FloatOpt('poll_interval', default=1.0, min=0.01,
                 help='Seconds a worker waits when its queue is empty.'),
]

# The options of each [consumer:<name>] section (registered per section).
CONSUMER_OPTS = [
    cfg.StrOpt('queue', help='The queue this consumer drains.'),
    cfg.StrOpt('handler',
               help='The handler: a module importable from sys.path, or '
                    'a name in the entry-point group '
                    'zaqar_lite.consumers.handlers.'),
    cfg.IntOpt('concurrency', default=1, min=1,
               help='Threads consuming this queue in each worker.'),
    cfg.IntOpt('batch', default=10, min=1, max=20,
               help='Messages claimed at a time.'),
]


# The sample file shows the per-consumer options once, under this group.
EXAMPLE = cfg.OptGroup(
    f'{SECTION_PREFIX}example',
    help='One section per consumer, [consumer:<name>], e.g. '
         '[consumer:orders]; <name> names the consumer in "zaqar-lite '
         'worker --consumer", "make-migration", "migrate" and its own '
         'commands ("zaqar-lite -c zaqar.conf <name> ..."). queue and '
         'handler are required. See docs/consumers.md.')


def list_opts():
    return [(GROUP, OPTS), (EXAMPLE, CONSUMER_OPTS)]
