"""A queue-pipeline stage that caps how many queues a project may have.

Configure it in zaqar.conf::

    [storage]
    queue_pipeline = queue_quota

    [queue_quota]
    max_queues_per_project = 100

Creating one queue too many (with PUT, or lazily by posting to a new queue)
answers 403; existing queues can always be updated. Two creates racing at
the limit may both pass: the quota is a guard, not an exact count.
"""

from oslo_config import cfg

from zaqar_lite import errors

GROUP = 'queue_quota'
OPTS = [
    cfg.IntOpt('max_queues_per_project', default=100, min=0,
               help='Most queues one project may have.'),
]


class QuotaExceeded(errors.NotPermitted):
    """The project has as many queues as it may."""


class QueueQuota:
    """Halts ``create`` of a new queue beyond the project's quota.

    Args:
        conf: zaqar-lite's configuration; the stage registers its own
            ``[queue_quota]`` options there.
        driver: the data driver the pipeline ends in; the stage counts
            queues with its queue controller, outside the pipeline.
    """

    def __init__(self, conf, driver, **_unused):
        conf.register_opts(OPTS, group=GROUP)
        self.limit = conf[GROUP].max_queues_per_project
        self.queues = driver.queue_controller

    def create(self, name, metadata=None, project=None):
        if self.queues.exists(name, project=project):
            return None
        count = self.queues.calculate_resource_count(project=project)
        if count >= self.limit:
            raise QuotaExceeded(
                f'Project {project} has {count} queues, the most it may '
                f'have; delete one first.')
        return None
