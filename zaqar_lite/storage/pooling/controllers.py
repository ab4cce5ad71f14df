"""Routing controllers: each call goes to the pool of its queue.

A queue in no pool answers as a missing queue does without pooling
(queues are lazy): empty listings, ``QueueDoesNotExist`` for writes that
need the queue, ``DoesNotExist`` for lookups, no-ops for deletes.
"""

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.utils import page

_PAGE = 100  # catalogue entries read at a time when listing queues


def _empty_listing(marker=None):
    yield iter(())
    yield marker


class _Routing(base.ControllerBase):
    @property
    def catalog(self):
        return self.driver.catalog

    def _target(self, queue, project, attribute):
        driver = self.catalog.lookup(queue, project)
        return None if driver is None else getattr(driver, attribute)


class QueueController(_Routing, base.Queue):

    def _controller(self, name, project):
        return self._target(name, project, 'queue_controller')

    def list(self, project=None, kfilter=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE, detailed=False, name=None):
        found = []
        for queue in self._names(project, marker):
            if name and name not in queue:
                continue
            item = {'name': queue}
            if detailed or kfilter:
                metadata = self._metadata(queue, project)
                if metadata is None or any(metadata.get(key) != value for
                                           key, value in (kfilter or {})
                                           .items()):
                    continue
                if detailed:
                    item['metadata'] = metadata
            found.append(item)
            if len(found) == limit:
                break
        yield iter(found)
        yield found[-1]['name'] if found else marker

    def _names(self, project, marker):
        """Queue names after ``marker``, in order, from every pool."""
        sources = [self._catalogue_names(project, marker)]
        if self.catalog.default is not None:
            sources.append(self._default_names(project, marker))
        last = None
        for queue in _merged(sources):
            if queue != last:
                yield queue
            last = queue

    def _catalogue_names(self, project, marker):
        catalogue = self.catalog.control.catalogue_controller
        while True:
            entries, marker = page(catalogue.list(project=project,
                                                  marker=marker, limit=_PAGE))
            yield from (entry['queue'] for entry in entries)
            if len(entries) < _PAGE:
                return

    def _default_names(self, project, marker):
        queues = self.catalog.default.queue_controller
        while True:
            items, marker = page(queues.list(project=project, marker=marker,
                                             limit=_PAGE))
            yield from (item['name'] for item in items)
            if len(items) < _PAGE:
                return

    def _metadata(self, name, project):
        controller = self._controller(name, project)
        try:
            return None if controller is None else controller.get(
                name, project=project)
        except errors.QueueDoesNotExist:
            return None

    def get(self, name, project=None):
        controller = self._controller(name, project)
        if controller is None:
            raise errors.QueueDoesNotExist(name, project)
        return controller.get(name, project=project)

    def create(self, name, metadata=None, project=None):
        flavor = (metadata or {}).get('_flavor')
        if flavor is None:
            self._join_dead_letter_queue(name, metadata, project)
        driver = self.catalog.register(name, project, flavor)
        self._place_dead_letter_queue(name, metadata, project)
        return driver.queue_controller.create(name, metadata=metadata,
                                              project=project)

    def _join_dead_letter_queue(self, name, metadata, project):
        """A new queue whose dead-letter queue is in a pool goes to that
        pool, so that several queues can share one dead-letter queue."""
        dead_letter = base.dead_letter_target(name, metadata)
        catalogue = self.catalog.control.catalogue_controller
        if dead_letter is None or self.exists(name, project=project):
            return
        try:
            pool = catalogue.get(project, dead_letter)
        except errors.QueueNotMapped:
            return
        catalogue.insert(project, name, pool)

    def _place_dead_letter_queue(self, name, metadata, project):
        """A queue's dead-letter queue must live in its pool: the move is
        one atomic write inside one store."""
        dead_letter = base.dead_letter_target(name, metadata)
        if dead_letter is None:
            return
        catalogue = self.catalog.control.catalogue_controller
        try:
            pool = catalogue.get(project, name)
        except errors.QueueNotMapped:  # in the default pool
            pool = None
        if pool is None:
            try:
                other = catalogue.get(project, dead_letter)
            except errors.QueueNotMapped:
                return
        else:
            other = catalogue.insert(project, dead_letter, pool)
            if other == pool:
                return
        raise errors.ValidationError(
            f'The dead-letter queue {dead_letter} is in pool {other}, and '
            f'{name} in pool {pool or "(default)"}; a queue and its '
            'dead-letter queue must share a pool.')

    def exists(self, name, project=None):
        controller = self._controller(name, project)
        return controller is not None and controller.exists(name,
                                                            project=project)

    def set_metadata(self, name, metadata, project=None):
        controller = self._controller(name, project)
        if controller is None:
            raise errors.QueueDoesNotExist(name, project)
        self._place_dead_letter_queue(name, metadata, project)
        controller.set_metadata(name, metadata, project=project)

    def delete(self, name, project=None):
        controller = self._controller(name, project)
        if controller is not None:
            controller.delete(name, project=project)
        self.catalog.deregister(name, project)

    def stats(self, name, project=None):
        controller = self._controller(name, project)
        if controller is None:
            raise errors.QueueDoesNotExist(name, project)
        return controller.stats(name, project=project)


def _merged(sources):
    """Merge sorted iterators of names (two at most here)."""
    heads = []
    iterators = [iter(source) for source in sources]
    for iterator in iterators:
        heads.append(next(iterator, None))
    while any(head is not None for head in heads):
        index = min((i for i, head in enumerate(heads) if head is not None),
                    key=lambda i: heads[i])
        yield heads[index]
        heads[index] = next(iterators[index], None)


class MessageController(_Routing, base.Message):

    def _controller(self, queue, project):
        return self._target(queue, project, 'message_controller')

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_MESSAGES_PER_PAGE, echo=False,
             client_uuid=None, include_claimed=False, include_delayed=False):
        controller = self._controller(queue, project)
        if controller is None:
            return _empty_listing(marker)
        return controller.list(queue, project=project, marker=marker,
                               limit=limit, echo=echo,
                               client_uuid=client_uuid,
                               include_claimed=include_claimed,
                               include_delayed=include_delayed)

    def tail_marker(self, queue, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            return '0'
        return controller.tail_marker(queue, project=project)

    def first(self, queue, project=None, sort=1):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.QueueIsEmpty(queue, project)
        return controller.first(queue, project=project, sort=sort)

    def get(self, queue, message_id, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return controller.get(queue, message_id, project=project)

    def bulk_get(self, queue, message_ids, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            return iter(())
        return controller.bulk_get(queue, message_ids, project=project)

    def post(self, queue, messages, client_uuid, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.QueueDoesNotExist(queue, project)
        return controller.post(queue, messages, client_uuid, project=project)

    def delete(self, queue, message_id, project=None, claim=None):
        controller = self._controller(queue, project)
        if controller is not None:
            controller.delete(queue, message_id, project=project, claim=claim)

    def bulk_delete(self, queue, message_ids, project=None, claim_ids=None):
        controller = self._controller(queue, project)
        if controller is not None:
            controller.bulk_delete(queue, message_ids, project=project,
                                   claim_ids=claim_ids)

    def pop(self, queue, limit, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            return []
        return controller.pop(queue, limit, project=project)

    def reject(self, queue, message_id, project=None, claim=None,
               detail=None):
        # The dead-letter queue shares the queue's pool (see
        # QueueController._place_dead_letter_queue): one atomic move.
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return controller.reject(queue, message_id, project=project,
                                 claim=claim, detail=detail)


class ClaimController(_Routing, base.Claim):

    def _controller(self, queue, project):
        return self._target(queue, project, 'claim_controller')

    def get(self, queue, claim_id, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        return controller.get(queue, claim_id, project=project)

    def create(self, queue, metadata, project=None,
               limit=base.DEFAULT_MESSAGES_PER_CLAIM):
        controller = self._controller(queue, project)
        if controller is None:
            return None, []
        return controller.create(queue, metadata, project=project,
                                 limit=limit)

    def update(self, queue, claim_id, metadata, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        controller.update(queue, claim_id, metadata, project=project)

    def delete(self, queue, claim_id, project=None, delay=None):
        controller = self._controller(queue, project)
        if controller is not None:
            controller.delete(queue, claim_id, project=project,
                              **({} if delay is None else {'delay': delay}))


class RedriveController(_Routing, base.Redrives):
    """Each job lives in the pool of its dead-letter queue."""

    def _controller(self, queue, project):
        return self._target(queue, project, 'redrive_controller')

    def get(self, queue, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.RedriveDoesNotExist(queue, project)
        return controller.get(queue, project=project)

    def start(self, queue, job, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.QueueDoesNotExist(queue, project)
        return controller.start(queue, job, project=project)

    def update(self, queue, job, project=None):
        controller = self._controller(queue, project)
        return controller is not None and controller.update(
            queue, job, project=project)

    def _running(self):
        # A job is in its queue's pool; one left in a pool its queue no
        # longer routes to (the queue was deleted) is not reported.
        found = []
        for driver in self.driver.pool_drivers():
            for project, queue in driver.redrive_controller.running():
                if self.catalog.lookup(queue, project) is driver:
                    found.append((project, queue))
        return found

    def _read(self, queue, project):
        raise NotImplementedError  # every caller is routed above

    def _write(self, queue, project, job, expected):
        raise NotImplementedError  # every caller is routed above


class SubscriptionController(_Routing, base.Subscription):

    def _controller(self, queue, project):
        return self._target(queue, project, 'subscription_controller')

    def list(self, queue, project=None, marker=None,
             limit=base.DEFAULT_SUBSCRIPTIONS_PER_PAGE):
        controller = self._controller(queue, project)
        if controller is None:
            return _empty_listing(marker)
        return controller.list(queue, project=project, marker=marker,
                               limit=limit)

    def get(self, queue, subscription_id, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return controller.get(queue, subscription_id, project=project)

    def create(self, queue, subscriber, ttl, options, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.QueueDoesNotExist(queue, project)
        return controller.create(queue, subscriber, ttl, options,
                                 project=project)

    def update(self, queue, subscription_id, project=None, **kwargs):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        controller.update(queue, subscription_id, project=project, **kwargs)

    def exists(self, queue, subscription_id, project=None):
        controller = self._controller(queue, project)
        return controller is not None and controller.exists(
            queue, subscription_id, project=project)

    def delete(self, queue, subscription_id, project=None):
        controller = self._controller(queue, project)
        if controller is not None:
            controller.delete(queue, subscription_id, project=project)

    def delete_all(self, queue, project=None):
        controller = self._controller(queue, project)
        if controller is not None:
            controller.delete_all(queue, project=project)

    def get_with_subscriber(self, queue, subscriber, project=None):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.SubscriptionDoesNotExist(subscriber)
        return controller.get_with_subscriber(queue, subscriber,
                                              project=project)

    def confirm(self, queue, subscription_id, project=None, confirmed=True):
        controller = self._controller(queue, project)
        if controller is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        controller.confirm(queue, subscription_id, project=project,
                           confirmed=confirmed)
