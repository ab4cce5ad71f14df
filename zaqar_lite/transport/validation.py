"""Validator: every limit of the API, one method per operation.

Each method raises :class:`zaqar_lite.errors.ValidationError` with the text a
Zaqar server gives for the same mistake, so clients see familiar errors.
"""

import datetime
import math
import re
import time
import urllib.parse
import uuid

from zaqar_lite.errors import ValidationError
from zaqar_lite.notification import retry
from zaqar_lite.storage.base import DEFAULT_PRIORITY, PRIORITIES

QUEUE_NAME = re.compile(r'^[a-zA-Z0-9_\-.]+$')
QUEUE_NAME_MAX = 64  # characters
PROJECT_ID_MAX = 256  # characters
MIN_SUBSCRIPTION_TTL = 60  # seconds
LATEST_EXPIRY = datetime.datetime(9999, 12, 31, 23, 59, 59,
                                  tzinfo=datetime.timezone.utc).timestamp()

RESERVED_INT_KEYS = {
    # key: (minimum, option naming the maximum, message template)
    '_default_message_ttl': (60, 'max_message_ttl',
                             '_default_message_ttl can not exceed {max} '
                             'seconds, and must be at least 60 seconds long.'),
    '_default_message_delay': (0, 'max_message_delay',
                               'The TTL can not exceed {max} seconds, and '
                               'must be at least 0 seconds long.'),
    '_dead_letter_queue_messages_ttl': (
        60, 'max_message_ttl', '_dead_letter_queue_messages_ttl can not '
        'exceed {max} seconds, and must be at least 60 seconds long.'),
    '_dedup_window': (1, 'max_dedup_window', '_dedup_window can not exceed '
                      '{max} seconds, and must be at least 1 second long.'),
}
IDEMPOTENCY_KEY_MAX = 128  # characters
REJECT_DETAIL_MAX = 1024  # characters of a reject's detail text
DATE_AND_TIME = re.compile(r'^\d{4}-\d\d-\d\d[T ]\d\d:\d\d')


def is_int(value) -> bool:
    """A JSON integer (booleans are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


class Validator:
    """Checks requests against the ``[transport]`` limits.

    Args:
        limits: the ``[transport]`` values (``conf.snapshot.Snapshot``).
    """

    def __init__(self, limits):
        self.limits = limits

    # -- identifiers -------------------------------------------------------

    def queue_identification(self, name, project, kind='queue'):
        if (not name or len(name) > QUEUE_NAME_MAX
                or not QUEUE_NAME.match(name)
                or (project and len(project) > PROJECT_ID_MAX)):
            raise ValidationError(
                f'The format of the submitted {kind} name or project id is '
                'not valid.', title=f'Invalid {kind} identification')

    def client_id(self, value):
        if self.limits.client_id_uuid_safe == 'strict':
            try:
                uuid.UUID(value)
            except ValueError:
                raise ValidationError('Malformed hexadecimal UUID.',
                                      title='Wrong UUID value') from None
            return
        low = self.limits.min_length_client_id
        high = self.limits.max_length_client_id
        if not low <= len(value) <= high:
            raise ValidationError(
                f'Length of client id must be at least {low} and no greater '
                f'than {high}.', title='Wrong Client-ID value')

    # -- queues ------------------------------------------------------------

    def queue_listing(self, limit):
        high = self.limits.max_queues_per_page
        if limit is not None and not 0 < limit <= high:
            raise ValidationError(
                f'Limit must be at least 1 and no greater than {high}.')

    def queue_metadata_length(self, length):
        high = self.limits.max_queue_metadata
        if length > high:
            raise ValidationError(
                f'Queue metadata is too large. Max size: {high}')

    def queue_metadata(self, metadata):
        """Types and ranges of the reserved keys a client may set."""
        for key, (low, max_option, text) in RESERVED_INT_KEYS.items():
            value = metadata.get(key)
            high = getattr(self.limits, max_option)
            if value is not None and (not is_int(value)
                                      or not low <= value <= high):
                raise ValidationError(text.format(max=high))
        size = metadata.get('_max_messages_post_size')
        high = self.limits.max_messages_post_size
        if size is not None and (not is_int(size) or not 0 < size <= high):
            raise ValidationError(
                f'_max_messages_post_size can not exceed {high}, and must be '
                'at least greater than 0.')
        count = metadata.get('_max_claim_count')
        if count is not None and (not is_int(count) or count < 1):
            raise ValidationError(
                '_max_claim_count must be an integer of at least 1.')
        dead_letter = metadata.get('_dead_letter_queue')
        if dead_letter is not None and (
                not isinstance(dead_letter, str)
                or not QUEUE_NAME.match(dead_letter)
                or len(dead_letter) > QUEUE_NAME_MAX):
            raise ValidationError(
                '_dead_letter_queue must be a valid queue name.')
        on_expiry = metadata.get('_dead_letter_on_expiry')
        if on_expiry is not None and not isinstance(on_expiry, bool):
            raise ValidationError('_dead_letter_on_expiry must be boolean.')
        if on_expiry and dead_letter is None:
            raise ValidationError(
                '_dead_letter_on_expiry needs a _dead_letter_queue to move '
                'expired messages into.')
        encrypt = metadata.get('_enable_encrypt_messages')
        if encrypt is not None and not isinstance(encrypt, bool):
            raise ValidationError('_enable_encrypt_messages must be boolean.')
        retry.validate(metadata.get('_retry_policy'))
        # the same shape, rules and texts (storage/redelivery.py)
        retry.validate(metadata.get('_redelivery_policy'))

    def purge(self, document):
        if not isinstance(document, dict) or 'resource_types' not in document:
            raise ValidationError(
                'Post body must contain key "resource_types".')
        types = document['resource_types']
        if (not isinstance(types, list) or not types
                or not set(types) <= {'messages', 'subscriptions'}):
            raise ValidationError(
                "Resource types must be a sub set of {'messages', "
                "'subscriptions'}.")

    # -- messages ----------------------------------------------------------

    def message_listing(self, limit):
        high = self.limits.max_messages_per_page
        if limit is not None and not 0 < limit <= high:
            raise ValidationError(
                f'Limit must be at least 1 and may not be greater than {high}.')

    def message_ids(self, ids, deleting=False):
        high = self.limits.max_messages_per_page
        if not 0 < len(ids) <= high:
            if deleting:
                raise ValidationError(
                    f'ids parameter should have at least 1 and not greater '
                    f'than {high} values.')
            raise ValidationError(
                f'Limit must be at least 1 and may not be greater than {high}.')

    def pop(self, count):
        high = self.limits.max_messages_per_claim_or_pop
        if not 0 < count <= high:
            raise ValidationError(
                f'Pop value must be at least 1 and may not be greater than '
                f'{high}.')

    def message_posting(self, messages, delay_allowed=True):
        """Each message must be an object with a body and sane ttl/delay."""
        if not messages:
            raise ValidationError('No messages to enqueu.')
        for message in messages:
            if not isinstance(message, dict):
                raise ValidationError('Each message must be a JSON object.',
                                      title='Invalid request body')
            if 'body' not in message:
                raise ValidationError('Missing "body" field.',
                                      title='Invalid request body')
            self._int_field(message, 'ttl')
            self._int_field(message, 'delay')
            if 'ttl' in message:
                self.message_ttl(message['ttl'])
            if 'delay' in message:
                self.message_delay(message['delay'])
            if 'idempotency_key' in message:
                self.idempotency_key(message['idempotency_key'])
            if 'priority' in message:
                self.priority(message['priority'])
            if 'deliver_at' in message and 'delay' in message:
                raise ValidationError(
                    'A message may give delay or deliver_at, not both.')

    def idempotency_key(self, key):
        if not isinstance(key, str) or not 0 < len(key) <= IDEMPOTENCY_KEY_MAX:
            raise ValidationError(
                'The idempotency_key of a message must be a string of 1 to '
                f'{IDEMPOTENCY_KEY_MAX} characters.')

    @staticmethod
    def priority(priority):
        if not is_int(priority) or priority not in PRIORITIES:
            raise ValidationError(
                f'The priority of a message must be an integer from '
                f'{PRIORITIES[0]} to {PRIORITIES[-1]} (default '
                f'{DEFAULT_PRIORITY}).')

    @staticmethod
    def delivery_delay(deliver_at, ttl, now) -> int:
        """The delay, in whole seconds from ``now``, that delivers a
        message of ``ttl`` seconds at ``deliver_at`` (RFC 3339 text; UTC
        when it names no offset); 0 for a time already past."""
        try:
            if not DATE_AND_TIME.match(deliver_at):
                raise ValueError(deliver_at)
            when = datetime.datetime.fromisoformat(deliver_at)
        except (TypeError, ValueError):
            raise ValidationError(
                'deliver_at must be an RFC 3339 date and time, for example '
                '2026-12-01T18:00:00Z.') from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        delay = max(0, math.ceil(when.timestamp() - now))
        if delay >= ttl:
            raise ValidationError(
                'deliver_at must come before the message expires: less '
                f'than its ttl ({ttl} seconds) from now.')
        return delay

    def release_delay(self, delay):
        high = self.limits.max_claim_ttl
        if not 0 <= delay <= high:
            raise ValidationError(
                f'The delay of a claim release may not exceed {high} '
                'seconds, and must be at least 0 seconds long.')

    def message_ttl(self, ttl):
        high = self.limits.max_message_ttl
        if not 60 <= ttl <= high:
            raise ValidationError(
                f'The TTL for a message may not exceed {high} seconds, and '
                'must be at least 60 seconds long.')

    def message_delay(self, delay):
        high = self.limits.max_message_delay
        if not 0 <= delay <= high:
            raise ValidationError(
                f'The Delay TTL for a message may not exceed {high} seconds,'
                'and must be at least 0 seconds long.')

    def message_content_length(self, length, queue_max=None):
        config_max = self.limits.max_messages_post_size
        if queue_max is not None and queue_max < config_max:
            if length > queue_max:
                raise ValidationError(
                    'Message collection size is too large. The max size for '
                    f'current queue is {queue_max}. It is calculated by max '
                    'size = min(max_messages_post_size_config: '
                    f'{config_max}, max_messages_post_size_queue: '
                    f'{queue_max}).')
        elif length > config_max:
            raise ValidationError(
                f'Message collection size is too large. Max size {config_max}')

    # -- dead letters ------------------------------------------------------

    @staticmethod
    def reject(document) -> str | None:
        """The detail text of a reject body (``{}`` or ``{"detail": s}``)."""
        if not isinstance(document, dict) or set(document) - {'detail'}:
            raise ValidationError(
                'A reject body is a JSON object with at most a "detail" '
                'string.')
        detail = document.get('detail')
        if detail is not None and (not isinstance(detail, str)
                                   or len(detail) > REJECT_DETAIL_MAX):
            raise ValidationError(
                f'The detail of a reject must be a string of at most '
                f'{REJECT_DETAIL_MAX} characters.')
        return detail

    def redrive(self, document, queue) -> dict:
        """``{'to', 'rate', 'limit'}`` of a redrive request, defaults
        applied (``to`` and ``limit`` None when not given)."""
        allowed = {'to', 'rate', 'limit'}
        if not isinstance(document, dict) or set(document) - allowed:
            raise ValidationError(
                'A redrive body is a JSON object with optional "to", '
                '"rate" and "limit".')
        to = document.get('to')
        if to is not None and (not isinstance(to, str)
                               or not QUEUE_NAME.match(to)
                               or len(to) > QUEUE_NAME_MAX):
            raise ValidationError('"to" must be a valid queue name.')
        if to == queue:
            raise ValidationError(
                'A queue cannot be redriven into itself; "to" must name '
                'another queue.')
        high = self.limits.max_redrive_rate
        rate = document.get('rate', min(self.limits.default_redrive_rate,
                                        high))
        if not is_int(rate) or not 1 <= rate <= high:
            raise ValidationError(
                f'"rate" must be an integer of at least 1 and at most '
                f'{high} messages per second.')
        limit = document.get('limit')
        if limit is not None and (not is_int(limit) or limit < 1):
            raise ValidationError('"limit" must be an integer of at least 1.')
        return {'to': to, 'rate': rate, 'limit': limit}

    # -- subscriptions -----------------------------------------------------

    def subscription_posting(self, document):
        if isinstance(document, dict) and 'subscriber' not in document:
            raise ValidationError('Missing parameter subscriber in body.')
        self.subscription_patching(document)

    def subscription_patching(self, document):
        if not isinstance(document, dict):
            raise ValidationError('Subscriptions must be a dict.')
        if not document:
            raise ValidationError('No subscription to create.')
        if 'subscriber' in document:
            self.subscriber(document['subscriber'])
        options = document.get('options')
        if options is not None and not isinstance(options, dict):
            raise ValidationError('Options must be a dict.')
        retry.validate((options or {}).get('_retry_policy'))
        if 'ttl' in document:
            self.subscription_ttl(document['ttl'])

    def subscriber(self, subscriber):
        types = self.limits.subscriber_types
        scheme = urllib.parse.urlsplit(subscriber).scheme \
            if isinstance(subscriber, str) else None
        if scheme not in types:
            raise ValidationError(
                'The subscriber type of subscription must be supported in '
                f'the list {list(types)}.')

    def subscription_ttl(self, ttl):
        if not is_int(ttl):
            raise ValidationError('TTL must be an integer.')
        if ttl < MIN_SUBSCRIPTION_TTL:
            raise ValidationError(
                'The TTL for a subscription must be at least '
                f'{MIN_SUBSCRIPTION_TTL} seconds long.')
        if time.time() + ttl >= LATEST_EXPIRY:
            raise ValidationError(
                'The TTL seconds for a subscription plus current time must '
                'be less than 9999-12-31 23:59:59.999999.')

    @staticmethod
    def subscription_confirming(document):
        if not isinstance(document, dict) or \
                not isinstance(document.get('confirmed'), bool):
            raise ValidationError("The 'confirmed' should be boolean.")

    def subscription_listing(self, limit):
        high = self.limits.max_subscriptions_per_page
        if limit is not None and not 0 < limit <= high:
            raise ValidationError(
                f'Limit must be at least 1 and may not be greater than {high}.')

    # -- claims ------------------------------------------------------------

    def claim_limit(self, limit):
        high = self.limits.max_messages_per_claim_or_pop
        if limit is not None and not 0 < limit <= high:
            raise ValidationError(
                f'Limit must be at least 1 and may not be greater than {high}.')

    def claim_wait(self, wait):
        high = self.limits.max_claim_wait
        if not 0 <= wait <= high:
            raise ValidationError(
                f'The wait of a claim may not exceed {high} seconds, and '
                'must be at least 0 seconds long.')

    def claim(self, metadata):
        """ttl and grace of a claim create or update."""
        self._int_field(metadata, 'ttl')
        self._int_field(metadata, 'grace')
        ttl_max, grace_max = self.limits.max_claim_ttl, self.limits.max_claim_grace
        if 'ttl' in metadata and not 60 <= metadata['ttl'] <= ttl_max:
            raise ValidationError(
                f'The TTL for a claim may not exceed {ttl_max} seconds, and '
                'must be at least 60 seconds long.')
        if 'grace' in metadata and not 60 <= metadata['grace'] <= grace_max:
            raise ValidationError(
                f'The grace for a claim may not exceed {grace_max} seconds, '
                'and must be at least 60 seconds long.')

    @staticmethod
    def _int_field(document, field):
        if field in document and not is_int(document[field]):
            raise ValidationError(
                f'The value of the "{field}" field must be a int.',
                title='Invalid request body')
