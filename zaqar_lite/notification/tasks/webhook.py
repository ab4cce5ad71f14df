"""Webhooks: one JSON ``POST`` per message to an ``http(s)://`` subscriber.

The body is the message document (``id``, ``body``, ``ttl``, ``queue_name``,
``Message_Type``), or the subscription's ``post_data`` template with
``"$zaqar_message$"`` replaced by that document, as in Zaqar.  Headers:
``Content-Type: application/json``, the subscription's ``post_headers``,
``X-Zaqar-Delivery-ID`` (the same on every attempt) and, when the
subscription options hold a ``secret``, ``X-Zaqar-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``.

A 2xx answer is success; a timeout, a connection error, a 5xx, 408 or 429
is retried by the retry policy; any other answer (3xx redirects included)
is a permanent failure.
"""

import hashlib
import hmac
import json
import time
import urllib.parse

import requests

from zaqar_lite.errors import ValidationError
from zaqar_lite.notification.egress import EgressPolicy, EgressRefused
from zaqar_lite.notification.tasks.base import DeliveryFailed, Task

RETRYABLE_STATUSES = {408, 425, 429}
MESSAGE_PLACEHOLDER = '"$zaqar_message$"'


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Zaqar-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f'{timestamp}.'.encode() + body,
                      hashlib.sha256).hexdigest()
    return f't={timestamp},v1={digest}'


class WebhookTask(Task):
    """``http`` and ``https`` subscribers."""

    def __init__(self, conf):
        super().__init__(conf)
        notification = conf.notification
        self.policy = EgressPolicy(notification.webhook_allowed_networks)
        self.timeout = notification.webhook_timeout
        self.session = self.policy.session()

    def check(self, subscriber, options):
        parts = urllib.parse.urlsplit(subscriber)
        if not parts.hostname:
            raise ValidationError(f'The subscriber {subscriber} has no host.')
        try:
            port = parts.port or (443 if parts.scheme == 'https' else 80)
        except ValueError:
            raise ValidationError(
                f'The subscriber {subscriber} has an invalid port.') from None
        try:
            self.policy.check_host(parts.hostname, port)
        except EgressRefused as exc:
            raise ValidationError(
                f'The subscriber {subscriber} is refused: {exc}.') from None
        _check_options(options)

    def send(self, delivery):
        options = delivery.subscription['options']
        body = _render(delivery.message, options.get('post_data'))
        headers = {'Content-Type': 'application/json',
                   **{str(k): str(v) for k, v in
                      (options.get('post_headers') or {}).items()},
                   'X-Zaqar-Delivery-ID': delivery.delivery_id,
                   'X-Zaqar-Attempt': str(delivery.attempt)}
        secret = options.get('secret')
        if secret:
            headers['X-Zaqar-Signature'] = signature(secret, int(time.time()),
                                                     body)
        try:
            answer = self.session.post(
                delivery.subscription['subscriber'], data=body,
                headers=headers, timeout=self.timeout, allow_redirects=False)
        except EgressRefused as exc:
            raise DeliveryFailed(str(exc), retryable=False) from None
        except requests.RequestException as exc:
            refused = _refusal(exc)
            if refused is not None:
                raise DeliveryFailed(str(refused), retryable=False) from None
            raise DeliveryFailed(f'{type(exc).__name__}: {exc}') from None
        status = answer.status_code
        answer.close()
        if 200 <= status < 300:
            return
        retryable = status >= 500 or status in RETRYABLE_STATUSES
        raise DeliveryFailed(f'answered {status}', retryable=retryable)


def _refusal(exc):
    """The EgressRefused behind a requests error, if that is its cause."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, EgressRefused):
            return exc
        exc = exc.__cause__ or exc.__context__ or (
            exc.args[0] if exc.args and isinstance(exc.args[0], Exception)
            else None)
        reason = getattr(exc, 'reason', None)
        if isinstance(reason, EgressRefused):
            return reason
    return None


def _render(message, template) -> bytes:
    document = json.dumps(message)
    if isinstance(template, str) and MESSAGE_PLACEHOLDER in template:
        return template.replace(MESSAGE_PLACEHOLDER, document).encode()
    return document.encode()


def _check_options(options):
    headers = options.get('post_headers')
    if headers is not None and not isinstance(headers, dict):
        raise ValidationError('post_headers must be a dict.')
    data = options.get('post_data')
    if data is not None and not isinstance(data, str):
        raise ValidationError('post_data must be a string.')
    secret = options.get('secret')
    if secret is not None and (not isinstance(secret, str) or not secret):
        raise ValidationError('secret must be a non-empty string.')
