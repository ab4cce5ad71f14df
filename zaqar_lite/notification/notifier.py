"""Turning posts and new subscriptions into pending deliveries.

``Notifier`` is what the transport and the pipeline stage use;
``NotifierStage`` is the message-pipeline stage (entry point
``zaqar.notification.notifier``, Zaqar's name, so existing configurations
work): after messages are stored, it queues one delivery per confirmed
subscriber of the queue or topic.  The post itself is never failed or held
up by notification: an error is logged and the post succeeds.
"""

import datetime
import logging
import urllib.parse
import uuid

from zaqar_lite import scopes, signed_url
from zaqar_lite.notification.outbox import Outbox

LOG = logging.getLogger(__name__)

DELIVERY_NAMESPACE = uuid.UUID('0f0c6c1e-5d4e-4e55-9a57-6e6f74696679')
SUBSCRIPTIONS_PAGE = 100


def delivery_id(subscription_id, message_id) -> str:
    """The delivery id of a message to a subscriber: the same on retries."""
    return str(uuid.uuid5(DELIVERY_NAMESPACE,
                          f'{subscription_id}/{message_id}'))


def notification_document(queue, message_id, message) -> dict:
    """What a subscriber receives for one message (webhook or socket)."""
    return {'id': message_id, 'body': message['body'],
            'ttl': message['ttl'], 'queue_name': queue,
            'Message_Type': 'Notification'}


class Notifier:
    """Queues deliveries in the outbox of ``driver``'s store.

    Args:
        conf: the service configuration.
        driver: the data driver.
    """

    def __init__(self, conf, driver):
        self.conf = conf
        self.driver = driver
        notification = conf.notification
        self.outbox = Outbox(driver, ttl=notification.delivery_ttl,
                             lease=notification.delivery_lease)

    @property
    def require_confirmation(self):
        return self.conf.notification.require_confirmation

    def notify(self, queue, project, message_ids, messages) -> int:
        """Queue deliveries of posted messages; returns how many entries."""
        documents = [notification_document(queue, message_id, message)
                     for message_id, message in zip(message_ids, messages)]
        entries = [
            {'kind': 'notification', 'scope': project, 'source': queue,
             'subscription_id': subscription['id'], 'attempt': 1,
             'messages': documents,
             'delivery_ids': [delivery_id(subscription['id'], doc['id'])
                              for doc in documents]}
            for subscription in self._subscribers(queue, project)]
        self.outbox.put(entries)
        return len(entries)

    def _subscribers(self, queue, project):
        controller = self.driver.subscription_controller
        marker = None
        while True:
            listing = controller.list(queue, project=project, marker=marker,
                                      limit=SUBSCRIPTIONS_PAGE)
            page = list(next(listing))
            for subscription in page:
                if subscription['confirmed'] or not self.require_confirmation:
                    yield subscription
            if len(page) < SUBSCRIPTIONS_PAGE:
                return
            marker = next(listing)

    def request_confirmation(self, queue, project, subscription,
                             unsubscribed=False) -> bool:
        """Queue a (un)subscribe confirmation, when confirmation is on.

        Returns:
            whether one was queued.
        """
        if not self.require_confirmation:
            return False
        kind, client_project = scopes.split_scope(project)
        path = (f'/v2/{kind}s/{queue}/subscriptions/{subscription["id"]}'
                '/confirm')
        expires = datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(seconds=subscription['ttl'])
        signed = signed_url.sign(
            self.conf.signed_url.secret_key, [path], client_project,
            methods=['PUT'],
            expires=expires.replace(tzinfo=None).isoformat())
        if unsubscribed:
            message_type = 'UnsubscribeConfirmation'
            text = (f'You have unsubscribed successfully from the {kind}: '
                    f'{queue}; you can subscribe again with '
                    '{"confirmed": true}.')
        else:
            message_type = 'SubscriptionConfirmation'
            text = f'You have chosen to subscribe to the {kind}: {queue}'
        document = {'Message_Type': message_type, 'Message': text,
                    'queue_name': queue,
                    'URL-Signature': signed['signature'],
                    'URL-Methods': signed['methods'][0],
                    'URL-Paths': signed['paths'][0],
                    'X-Project-ID': signed['project'],
                    'URL-Expires': signed['expires'],
                    'SubscribeBody': {'confirmed': True},
                    'UnsubscribeBody': {'confirmed': False}}
        base = self.conf.notification.external_confirmation_url
        if base:
            document['WSGISubscribeURL'] = urllib.parse.urljoin(base, path)
        self.outbox.put([{'kind': 'confirmation', 'scope': project,
                          'source': queue,
                          'subscription_id': subscription['id'],
                          'attempt': 1, 'messages': [document],
                          'delivery_ids': [str(uuid.uuid4())]}])
        return True


class NotifierStage:
    """Message-pipeline stage: notify subscribers of each stored post.

    Built by the stage loader with Zaqar's keyword arguments and ours
    (``conf`` and ``driver``).
    """

    def __init__(self, conf=None, driver=None, **_zaqar_kwargs):
        self.notifier = Notifier(conf, driver)

    def after_post(self, message_ids, queue, messages, client_uuid,
                   project=None):
        # A repeat of an idempotent post was notified when first stored.
        repeats = getattr(message_ids, 'repeats', frozenset())
        stored = [n for n in range(len(message_ids)) if n not in repeats]
        if not stored:
            return
        try:
            self.notifier.notify(queue, project,
                                 [message_ids[n] for n in stored],
                                 [messages[n] for n in stored])
        except Exception:  # never fail the post that was stored
            LOG.exception('could not queue notifications of %d messages '
                          'posted to %s', len(message_ids), queue)
