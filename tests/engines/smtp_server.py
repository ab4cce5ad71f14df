"""A real SMTP server (aiosmtpd) that keeps the mail it is sent."""

import email
import email.policy

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class _Keeper:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(email.message_from_bytes(
            envelope.original_content, policy=email.policy.default))
        return '250 OK'


class SmtpServer:
    """SMTP on ``127.0.0.1:<port>``; ``mails`` holds what arrived."""

    def __init__(self):
        self.port = free_port()
        self._keeper = _Keeper()
        self._controller = Controller(self._keeper, hostname='127.0.0.1',
                                      port=self.port)

    @property
    def mails(self):
        return list(self._keeper.mails)

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()
