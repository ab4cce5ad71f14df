"""Mail: ``mailto:`` subscribers get one mail per message over SMTP.

The mail's body is the message document as JSON; its subject comes from
``?subject=`` in the subscriber URI or the ``subject`` option, its sender
from the ``from`` option or ``[notification] smtp_sender``.  Confirmation
requests are readable text with the values needed to confirm, and a link
when ``[notification] external_confirmation_url`` is set.  SMTP's
temporary failures (4xx, connection errors) are retried; its permanent
refusals (5xx) are not.
"""

import email.message
import json
import smtplib
import socket
import urllib.parse

from zaqar_lite.errors import ValidationError
from zaqar_lite.notification.tasks.base import DeliveryFailed, Task

CONFIRMATION_TYPES = ('SubscriptionConfirmation', 'UnsubscribeConfirmation')


class MailtoTask(Task):
    """``mailto`` subscribers."""

    def check(self, subscriber, options):
        address = urllib.parse.urlsplit(subscriber).path
        if '@' not in address or any(c in address for c in '\r\n,; '):
            raise ValidationError(
                f'The subscriber {subscriber} is not one mail address.')

    def send(self, delivery):
        mail = self.compose(delivery)
        try:
            with self._connect() as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(f'SMTP answered {exc.smtp_code}',
                                 retryable=exc.smtp_code < 500) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryFailed(f'SMTP refused the recipient: {codes}',
                                 retryable=all(c < 500 for c in codes)
                                 ) from None
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            raise DeliveryFailed(f'SMTP: {type(exc).__name__}: {exc}'
                                 ) from None

    def compose(self, delivery) -> email.message.EmailMessage:
        """The mail for one delivery."""
        subscriber = urllib.parse.urlsplit(
            delivery.subscription['subscriber'])
        options = delivery.subscription['options']
        query = {key.lower(): values[0] for key, values in
                 urllib.parse.parse_qs(subscriber.query).items()}
        message = delivery.message
        mail = email.message.EmailMessage()
        mail['To'] = subscriber.path
        mail['From'] = options.get('from') or \
            self.conf.notification.smtp_sender
        mail['Message-ID'] = f'<{delivery.delivery_id}@zaqar-lite>'
        kind = message.get('Message_Type')
        if kind in CONFIRMATION_TYPES:
            mail['Subject'] = (f'Confirm your subscription to '
                               f'{message.get("queue_name")}'
                               if kind == CONFIRMATION_TYPES[0] else
                               f'Unsubscribed from '
                               f'{message.get("queue_name")}')
            mail.set_content(self._confirmation_text(message))
        else:
            mail['Subject'] = query.get('subject') or \
                options.get('subject') or \
                f'Message from {message.get("queue_name")}'
            mail.set_content(json.dumps(message, indent=2))
        return mail

    def _confirmation_text(self, message):
        lines = [message.get('Message', ''), '']
        url = self.conf.notification.external_confirmation_url
        if url and message['Message_Type'] == CONFIRMATION_TYPES[0]:
            query = urllib.parse.urlencode({
                'Signature': message['URL-Signature'],
                'Methods': message['URL-Methods'],
                'Paths': message['URL-Paths'],
                'Project': message['X-Project-ID'],
                'Expires': message['URL-Expires'],
                'Queue': message.get('queue_name', '')})
            lines += [f'Confirm: {url}?{query}', '']
        lines += ['To confirm through the API, send PUT to URL-Paths with '
                  'these headers and the body {"confirmed": true}:']
        lines += [f'{key}: {message[key]}' for key in
                  ('URL-Paths', 'URL-Methods', 'URL-Signature', 'URL-Expires',
                   'X-Project-ID') if key in message]
        return '\n'.join(lines) + '\n'

    def _connect(self):
        notification = self.conf.notification
        host, port = notification.smtp_host, notification.smtp_port
        timeout = notification.smtp_timeout
        if notification.smtp_security == 'ssl':
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if notification.smtp_security == 'starttls':
                smtp.starttls()
        if notification.smtp_user_name:
            smtp.login(notification.smtp_user_name,
                       notification.smtp_user_password or '')
        return smtp
