"""The interface of a notification task plugin."""

import abc
import dataclasses

from zaqar_lite import plugins

TASKS = 'zaqar_lite.notification.tasks'


class DeliveryFailed(Exception):
    """A delivery did not succeed.

    Args:
        reason: what happened, for the log.
        retryable: whether trying again later may succeed (a timeout, a
            5xx answer), as opposed to a permanent refusal (a 404).
    """

    def __init__(self, reason: str, retryable: bool = True):
        super().__init__(reason)
        self.retryable = retryable


@dataclasses.dataclass(frozen=True)
class Delivery:
    """One notification to send to one subscriber."""

    subscription: dict     # as the subscription controller returns it
    message: dict          # the JSON document to send
    delivery_id: str       # the same on every attempt, for de-duplication
    attempt: int           # 1 for the first attempt


class Task(abc.ABC):
    """Sends notifications to the subscribers of one URI scheme.

    Args:
        conf: the service configuration.
    """

    def __init__(self, conf):
        self.conf = conf

    def check(self, subscriber: str, options: dict) -> None:
        """Refuse a subscriber at subscription time.

        Raises:
            ValidationError: the subscriber cannot be served; the text
                says why.
        """

    @abc.abstractmethod
    def send(self, delivery: Delivery) -> None:
        """Send one notification.

        Raises:
            DeliveryFailed
        """


def load_tasks(conf, schemes) -> dict:
    """``{scheme: Task}`` for the subscriber schemes the service allows.

    Raises:
        PluginLoadError: a scheme has no task installed.
    """
    return {scheme: plugins.load_driver(
        TASKS, scheme, '[transport] subscriber_types', conf=conf)
        for scheme in schemes}
