"""Topics: queues in a namespace of their own, on every driver.

A topic of project ``p`` is stored as a queue of the scope
``topic_scope(p)`` (see :mod:`zaqar_lite.scopes`); topic messages and topic
subscriptions use the same scope.
"""

import contextlib

from zaqar_lite import errors
from zaqar_lite.scopes import split_scope, topic_scope  # noqa: F401
from zaqar_lite.storage import base

class TopicController(base.Queue):
    """Zaqar's topic controller: the queue contract, in the topic scope.

    Args:
        queues: the driver's queue controller.
    """

    def __init__(self, queues):
        super().__init__(queues.driver)
        self.queues = queues

    def list(self, project=None, kfilter=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE, detailed=False, name=None):
        return self.queues.list(project=topic_scope(project), kfilter=kfilter,
                                marker=marker, limit=limit, detailed=detailed,
                                name=name)

    def get(self, name, project=None):
        with _as_topic(name, project):
            return self.queues.get(name, project=topic_scope(project))

    def create(self, name, metadata=None, project=None):
        return self.queues.create(name, metadata=metadata,
                                  project=topic_scope(project))

    def exists(self, name, project=None):
        return self.queues.exists(name, project=topic_scope(project))

    def set_metadata(self, name, metadata, project=None):
        with _as_topic(name, project):
            self.queues.set_metadata(name, metadata,
                                     project=topic_scope(project))

    def delete(self, name, project=None):
        self.queues.delete(name, project=topic_scope(project))

    def stats(self, name, project=None):
        with _as_topic(name, project):
            return self.queues.stats(name, project=topic_scope(project))


@contextlib.contextmanager
def _as_topic(name, project):
    try:
        yield
    except errors.QueueDoesNotExist:
        raise errors.TopicDoesNotExist(name, project) from None
