"""[notification]: pushing posted messages to subscribers."""

from oslo_config import cfg

GROUP = 'notification'

OPTS = [
    cfg.IntOpt('max_notifier_workers', default=10, min=1,
               help='Most deliveries in flight at once per delivery worker '
                    '(each subscriber gets its messages one at a time, in '
                    'order). Also passed to message-pipeline stages, as '
                    'Zaqar does.'),
    cfg.BoolOpt('require_confirmation', default=False,
                help='Whether a new subscriber is first sent a '
                     'SubscriptionConfirmation with a pre-signed URL, and '
                     'gets nothing else until it confirms. Needs '
                     '[signed_url] secret_key.'),
    cfg.StrOpt('external_confirmation_url',
               help='A web page mail subscribers are sent to for '
                    'confirming; the signed-URL values are appended as '
                    'query parameters, as Zaqar does.'),
    cfg.FloatOpt('webhook_timeout', default=10.0, min=0.1,
                 help='Seconds to connect to a webhook, and again to wait '
                      'for its answer; a timeout is retried.'),
    cfg.ListOpt('webhook_allowed_networks', default=[],
                help='Networks (CIDR) webhooks may reach although they are '
                     'loopback, private, link-local or otherwise not '
                     'public, e.g. 10.1.0.0/16. Empty: public addresses '
                     'only.'),
    cfg.FloatOpt('poll_interval', default=0.25, min=0.01,
                 help='Seconds the delivery worker waits when there is '
                      'nothing to deliver; the most a notification waits '
                      'before its first attempt.'),
    cfg.IntOpt('delivery_batch', default=20, min=1,
               help='Pending deliveries the worker takes at a time.'),
    cfg.IntOpt('delivery_lease', default=300, min=60,
               help='Seconds a worker holds pending deliveries it took; '
                    'if it dies, another worker delivers them after this.'),
    cfg.IntOpt('delivery_ttl', default=86400, min=60,
               help='Seconds a pending delivery is kept, on top of its '
                    'retry delay, before it is dropped undelivered.'),
    cfg.BoolOpt('deliver_in_server', default=True,
                help='Whether "zaqar-lite serve" runs a delivery worker in '
                     'its housekeeper process. Turn it off to run '
                     '"zaqar-lite deliver" processes instead.'),
    cfg.HostAddressOpt('smtp_host', default='127.0.0.1',
                       help='SMTP server for mailto subscribers.'),
    cfg.PortOpt('smtp_port', default=25, help='Port of the SMTP server.'),
    cfg.StrOpt('smtp_security', default='none',
               choices=['none', 'starttls', 'ssl'],
               help='How the SMTP connection is secured.'),
    cfg.StrOpt('smtp_user_name', help='SMTP login, if the server needs one.'),
    cfg.StrOpt('smtp_user_password', secret=True,
               help='SMTP password, if the server needs one.'),
    cfg.StrOpt('smtp_sender', default='zaqar-lite@localhost',
               help='From address of notification mail, unless the '
                    'subscription options give "from".'),
    cfg.FloatOpt('smtp_timeout', default=10.0, min=0.1,
                 help='Seconds to wait for the SMTP server.'),
]

SIGNED_URL_GROUP = 'signed_url'

SIGNED_URL_OPTS = [
    cfg.StrOpt('secret_key', secret=True,
               help='Key of the HMAC that signs pre-signed URLs and '
                    'subscription confirmations. Keep it secret; changing '
                    'it invalidates every URL signed before.'),
]


def list_opts():
    return [(GROUP, OPTS), (SIGNED_URL_GROUP, SIGNED_URL_OPTS)]
