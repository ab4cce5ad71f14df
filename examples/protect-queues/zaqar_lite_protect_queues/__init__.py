"""A queue-pipeline stage that refuses to delete protected queues.

Configure it in zaqar.conf::

    [storage]
    queue_pipeline = protect_queues

    [protect_queues]
    names = billing, audit-*

Deleting a queue whose name matches a pattern answers 403, in every
project, and leaves the queue and its messages alone.
"""

import fnmatch

from oslo_config import cfg

from zaqar_lite import errors

GROUP = 'protect_queues'
OPTS = [
    cfg.ListOpt('names', default=[],
                help='Queue names no one may delete; shell-style patterns '
                     '(audit-*) allowed.'),
]


class QueueIsProtected(errors.NotPermitted):
    """The queue matches a protected pattern."""


class ProtectQueues:
    """Halts ``delete`` of protected queues with an error.

    Args:
        conf: zaqar-lite's configuration; the stage registers its own
            ``[protect_queues]`` options there.
    """

    def __init__(self, conf, **_unused):
        conf.register_opts(OPTS, group=GROUP)
        self.patterns = list(conf[GROUP].names)

    def delete(self, name, project=None):
        if any(fnmatch.fnmatchcase(name, p) for p in self.patterns):
            raise QueueIsProtected(
                f'Queue {name} is protected and cannot be deleted.')
        return None  # carry on down the pipeline
