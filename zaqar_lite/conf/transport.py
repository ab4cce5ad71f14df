"""[transport]: API limits and defaults (Zaqar's names and values)."""

from oslo_config import cfg

GROUP = 'transport'

_DEFAULTS = [
    cfg.IntOpt('default_message_ttl', default=3600,
               help='Seconds a message lives when the post gives no ttl.'),
    cfg.IntOpt('default_message_delay', default=0,
               help='Seconds a message is held back when neither the post '
                    'nor the queue gives a delay.'),
    cfg.IntOpt('default_claim_ttl', default=300,
               help='Seconds a claim lasts when the request gives no ttl.'),
    cfg.IntOpt('default_claim_grace', default=60,
               help='Seconds claimed messages outlive their claim when the '
                    'request gives no grace.'),
    cfg.IntOpt('default_subscription_ttl', default=3600,
               help='Seconds a subscription lives when it gives no ttl.'),
    cfg.IntOpt('default_redrive_rate', default=10, min=1,
               help='Messages per second a redrive job moves when the '
                    'request gives no rate (at most max_redrive_rate).'),
    cfg.IntOpt('default_dedup_window', default=300, min=1,
               help='Seconds a message\'s idempotency_key is remembered '
                    '(a repeat within them is not stored again) when its '
                    'queue sets no _dedup_window.'),
]

_LIMITS = [
    cfg.IntOpt('max_queues_per_page', default=20, min=1,
               help='Largest page of a queue listing.'),
    cfg.IntOpt('max_messages_per_page', default=20, min=1,
               help='Largest page of a message listing, and most ids in '
                    'one get or delete by ids.'),
    cfg.IntOpt('max_subscriptions_per_page', default=20, min=1,
               help='Largest page of a subscription listing.'),
    cfg.IntOpt('max_messages_per_claim_or_pop', default=20, min=1,
               help='Most messages one claim or pop takes.'),
    cfg.IntOpt('max_queue_metadata', default=64 * 1024, min=1,
               help='Largest queue metadata document, in bytes.'),
    cfg.IntOpt('max_messages_post_size', default=256 * 1024, min=1,
               help='Largest message post request body, in bytes.'),
    cfg.IntOpt('max_message_ttl', default=1209600, min=60,
               help='Longest message ttl, in seconds.'),
    cfg.IntOpt('max_message_delay', default=900, min=0,
               help='Longest message delay, in seconds.'),
    cfg.IntOpt('max_claim_ttl', default=43200, min=60,
               help='Longest claim ttl, in seconds.'),
    cfg.IntOpt('max_claim_grace', default=43200, min=60,
               help='Longest claim grace, in seconds.'),
    cfg.IntOpt('max_dedup_window', default=86400, min=1,
               help='Longest _dedup_window a queue may set, in seconds.'),
    cfg.IntOpt('max_claim_wait', default=20, min=0,
               help='Longest wait a long-poll claim may ask for '
                    '(POST .../claims?wait=N), in seconds; 0 allows none. '
                    'Keep it below the timeouts of proxies and clients in '
                    'front of the server. Each waiting claim holds a server '
                    'thread: see [drivers:transport:wsgi] '
                    'max_waiting_claims.'),
    cfg.FloatOpt('claim_wait_recheck', default=1.0, min=0.05,
                 help='Seconds between the retries of a waiting claim '
                      'between wake-ups. A post wakes waiting claims at '
                      'once; these retries find messages that become '
                      'claimable by time (a delay ending, a claim '
                      'expiring), and posts whose wake-up could not reach '
                      'this process (MongoDB: posts made on other hosts).'),
    cfg.IntOpt('max_redrive_rate', default=1000, min=1,
               help='Highest rate a redrive job may ask for, in messages '
                    'per second.'),
    cfg.IntOpt('max_pools_per_page', default=20, min=1,
               help='Largest page of a pool listing.'),
    cfg.IntOpt('max_flavors_per_page', default=20, min=1,
               help='Largest page of a flavor listing.'),
]

_CLIENTS = [
    cfg.ListOpt('subscriber_types',
                default=['http', 'https', 'mailto'],
                help='URI schemes a subscriber may use. Each needs a '
                     'notification task installed under that name in the '
                     'entry-point group zaqar_lite.notification.tasks.'),
    cfg.StrOpt('client_id_uuid_safe', default='strict',
               choices=[('strict', 'the Client-ID must be a UUID'),
                        ('off', 'any Client-ID of the allowed length')],
               help='How strictly the Client-ID header is checked.'),
    cfg.IntOpt('min_length_client_id', default=10, min=1,
               help='Shortest Client-ID when client_id_uuid_safe is off.'),
    cfg.IntOpt('max_length_client_id', default=36, min=1,
               help='Longest Client-ID when client_id_uuid_safe is off.'),
]

OPTS = _DEFAULTS + _LIMITS + _CLIENTS


def list_opts():
    return [(GROUP, OPTS)]
