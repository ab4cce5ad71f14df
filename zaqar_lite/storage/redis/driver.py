"""The Redis data driver."""

import functools

import redis

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.redis.claims import ClaimController
from zaqar_lite.storage.redis.connection import client_from_uri
from zaqar_lite.storage.redis.doorbell import PubSubDoorbell
from zaqar_lite.storage.redis.messages import MessageController
from zaqar_lite.storage.redis.queues import QueueController
from zaqar_lite.storage.redis.redrives import RedriveController
from zaqar_lite.storage.redis.scripts import Scripts
from zaqar_lite.storage.redis.subscriptions import SubscriptionController


class DataDriver(base.DataDriverBase):
    """Queues, messages, claims and subscriptions in Redis.

    Args:
        uri: see the package docstring.
        options: ``socket_timeout`` (seconds), ``max_connections``,
            ``key_prefix``.

    Raises:
        ConfigurationError: the URI is malformed or Redis is unreachable.
    """

    queue_class = QueueController
    message_class = MessageController
    claim_class = ClaimController
    subscription_class = SubscriptionController
    redrive_class = RedriveController
    BASE_CAPABILITIES = ('FIFO', 'CLAIMS', 'AOD', 'HIGH_THROUGHPUT')

    def __init__(self, uri, options=None):
        super().__init__(uri, options)
        self.client = client_from_uri(uri, self.options)
        try:
            self.client.ping()
        except redis.RedisError as exc:
            raise errors.ConfigurationError(
                f'Redis at {uri} cannot be reached: {exc}') from exc
        self.scripts = Scripts(self.client,
                               self.options.get('key_prefix', 'zl'))

    @functools.cached_property
    def doorbell(self):
        # rung by the post and release scripts (PUBLISH)
        return PubSubDoorbell(self.client, self.scripts.prefix)

    def is_alive(self):
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def gc(self):
        _, scopes = self.scripts.run('queues_all', '', '')
        totals = {'claims': 0, 'messages': 0, 'subscriptions': 0,
                  'idempotency_keys': 0}  # 'messages' counts dead-letter moves
        for scope in scopes:
            project, _, queue = scope.decode().rpartition('/')
            _, counts = self.scripts.run('housekeep', project, queue)
            for key, count in zip(totals, counts):
                totals[key] += count
        return totals

    def close(self):
        if 'doorbell' in self.__dict__:
            self.doorbell.close()
        self.client.close()
