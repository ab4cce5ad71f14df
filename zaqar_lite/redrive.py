"""Redrive: moving the messages of a dead-letter queue back, at a bounded rate.

``POST /v2/queues/{dlq}/redrive`` stores a *job* in the dead-letter
queue's store (``Redrives`` in ``storage/base.py``); the housekeeper runs
a :class:`Redriver` over the running jobs every ``[storage]
redrive_interval`` seconds, so a job outlives the request that started it
and a server restart resumes it where the store says it was.

Each pass of a job claims a few messages of the dead-letter queue, posts
each to its target (the job's ``to``, else the queue the message was
dead-lettered from) and then deletes it from the dead-letter queue with
that claim.  The post carries an ``idempotency_key`` made from the
dead-letter queue and the message id, remembered for longer than the
claim lasts: when a pass dies between the post and the delete, the claim
ends, a later pass claims the message again, and its post is answered as
a repeat instead of being stored twice.  Nothing is lost (the message
leaves the dead-letter queue only once it is stored in the target) and
nothing is duplicated within the dedup window.

A job document::

    {'to': str|None,           # target; None: each message's source queue
     'rate': int,              # messages per second, at most
     'limit': int|None,        # messages to move, at most (None: all)
     'state': 'running'|'done'|'cancelled'|'failed',
     'moved': int,             # messages moved so far
     'remaining': int,         # messages left in the dead-letter queue
     'started': float, 'finished': float|None,  # Unix times
     'tick': float,            # when the last pass that moved ran
     'last_error': str|None}
"""

import logging
import threading
import time

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.timestamps import utc_text

LOG = logging.getLogger(__name__)

RUNNING, DONE, CANCELLED, FAILED = 'running', 'done', 'cancelled', 'failed'
CLIENT = 'zaqar-lite-redrive'  # the Client-ID redriven messages are posted as
LEASE = 60  # seconds a pass holds the messages it moves
BATCH = 20  # messages claimed at a time
WRITE_ATTEMPTS = 10  # rounds of re-reading a job another writer changed


def new_job(to, rate, limit, remaining, now) -> dict:
    """A job as ``POST …/redrive`` starts it."""
    return {'to': to, 'rate': rate, 'limit': limit, 'state': RUNNING,
            'moved': 0, 'remaining': remaining, 'started': now,
            'finished': None, 'tick': now, 'last_error': None}


def present(queue, job, prefix='/v2/queues') -> dict:
    """A job as the API shows it."""
    return {'queue': queue, 'to': job['to'], 'rate': job['rate'],
            'limit': job['limit'], 'state': job['state'],
            'moved': job['moved'], 'remaining': job['remaining'],
            'started': _utc(job['started']),
            'finished': _utc(job['finished']),
            'last_error': job['last_error'],
            'href': f'{prefix}/{queue}/redrive'}


def _utc(timestamp):
    if timestamp is None:
        return None
    return utc_text(timestamp)


def cancel(redrives, queue, project, now) -> None:
    """Cancel the queue's running job; no error if none is running."""
    for _ in range(WRITE_ATTEMPTS):
        try:
            job = redrives.get(queue, project=project)
        except errors.RedriveDoesNotExist:
            return
        if job['state'] != RUNNING:
            return
        if redrives.update(queue, {**job, 'state': CANCELLED,
                                   'finished': now}, project=project):
            return
    raise errors.StorageUnavailable(
        f'the redrive job of queue {queue} kept changing; try again')


class Redriver:
    """Runs the redrive jobs of one store.

    Args:
        pipelines: the storage pipelines (moves go through them, so stages
            and the notifier see redriven messages as posts).
        redrives: the store's ``redrive_controller``.
        limits: ``conf.transport`` (default ttl and dedup window).
        lease: seconds a pass holds the messages it moves.
    """

    def __init__(self, pipelines, redrives, limits, lease=LEASE):
        self.pipelines = pipelines
        self.redrives = redrives
        self.limits = limits
        self.lease = lease

    def run(self, stop: threading.Event, interval: float) -> None:
        """Run passes every ``interval`` seconds until ``stop`` is set."""
        while not stop.wait(interval):
            try:
                self.run_once()
            except errors.StorageUnavailable as exc:
                LOG.warning('redrive: storage unavailable: %s', exc)
            except Exception:  # keep the jobs going; the next pass may work
                LOG.exception('redrive pass failed')

    def run_once(self) -> int:
        """One pass over every running job; how many messages moved."""
        return sum(self.advance(queue, project)
                   for project, queue in self.redrives.running())

    def advance(self, queue, project) -> int:
        """Move what the job of ``queue`` may move now; how many moved."""
        try:
            job = self.redrives.get(queue, project=project)
        except errors.RedriveDoesNotExist:
            return 0
        if job['state'] != RUNNING:
            return 0
        now = time.time()
        if job['limit'] is not None and job['moved'] >= job['limit']:
            self._record(queue, project, job, 0,
                         {'state': DONE, 'finished': now, 'remaining': 0})
            return 0
        budget = self._budget(job, now)
        if budget == 0:
            return 0
        changes = {'tick': now}
        try:
            moved, exhausted = self._move(queue, project, job, budget)
        except _Unroutable as exc:
            moved, exhausted = exc.moved, False
            changes.update(state=FAILED, last_error=str(exc))
        except errors.StorageUnavailable as exc:
            moved, exhausted = 0, False
            changes['last_error'] = f'storage unavailable: {exc}'
        changes['remaining'] = self._remaining(queue, project, job, moved)
        limit_reached = job['limit'] is not None and \
            job['moved'] + moved >= job['limit']
        if 'state' not in changes and (
                limit_reached or (exhausted and not changes['remaining'])):
            changes['state'] = DONE
        if 'state' in changes:
            changes['finished'] = time.time()
        self._record(queue, project, job, moved, changes)
        return moved

    @staticmethod
    def _budget(job, now) -> int:
        """Messages the job may move now: its rate per second since its
        last moving pass, at most one second's worth, and what its limit
        leaves."""
        budget = int(job['rate'] * min(max(now - job['tick'], 0.0), 1.0))
        if job['limit'] is not None:
            budget = min(budget, job['limit'] - job['moved'])
        return max(budget, 0)

    def _move(self, queue, project, job, budget):
        """``(moved, exhausted)``: up to ``budget`` messages moved, and
        whether nothing was left to claim (the rest, if any, is held by
        claims or delayed: a later pass takes it)."""
        moved, ttls = 0, {}
        while moved < budget:
            claim_id, messages = self.pipelines.claim.create(
                queue, {'ttl': self.lease, 'grace': self.lease},
                project=project, limit=min(budget - moved, BATCH))
            if not messages:
                return moved, True
            for message in messages:
                target = job['to'] or (message['dead_letter'] or {}).get(
                    'source')
                if target is None:
                    self.pipelines.claim.delete(queue, claim_id,
                                                project=project)
                    raise _Unroutable(message['id'], moved)
                if target not in ttls:
                    ttls[target] = self._ttl(target, project)
                self._deliver(queue, project, target, message, ttls[target])
                moved += self._remove(queue, project, message, claim_id)
        return moved, False

    def _deliver(self, queue, project, target, message, ttl) -> None:
        """Post the message to ``target`` as a fresh message, under a key
        that makes a second post of it (after a crash) a repeat."""
        posted = [{'body': message['body'], 'ttl': ttl, 'delay': 0,
                   'priority': message.get('priority',
                                           base.DEFAULT_PRIORITY),
                   'idempotency_key': f'redrive/{queue}/{message["id"]}',
                   'dedup_window': max(self.limits.default_dedup_window,
                                       4 * self.lease)}]
        try:
            self.pipelines.message.post(target, posted, CLIENT,
                                        project=project)
        except errors.QueueDoesNotExist:  # queues are lazy
            self.pipelines.queue.create(target, project=project)
            self.pipelines.message.post(target, posted, CLIENT,
                                        project=project)

    def _ttl(self, target, project) -> int:
        """The ttl a post without one gets in ``target``."""
        try:
            metadata = self.pipelines.queue.get(target, project=project)
        except errors.QueueDoesNotExist:
            metadata = {}
        return metadata.get('_default_message_ttl') or \
            self.limits.default_message_ttl

    def _remove(self, queue, project, message, claim_id) -> int:
        """Delete the delivered message from the dead-letter queue; 1 if
        deleted, 0 if the claim ended first (a later pass claims it again,
        and its post is a repeat)."""
        try:
            self.pipelines.message.delete(queue, message['id'],
                                          project=project, claim=claim_id)
        except errors.NotPermitted:
            return 0
        return 1

    def _remaining(self, queue, project, job, moved) -> int:
        try:
            stats = self.pipelines.queue.stats(queue, project=project)
        except errors.QueueDoesNotExist:
            return 0
        remaining = stats['messages']['total']
        if job['limit'] is not None:
            remaining = min(remaining, job['limit'] - job['moved'] - moved)
        return max(remaining, 0)

    def _record(self, queue, project, job, moved, changes) -> None:
        """Add ``moved`` and ``changes`` to the stored job; a job cancelled
        meanwhile stays cancelled."""
        for _ in range(WRITE_ATTEMPTS):
            if self.redrives.update(queue, {**job, **changes,
                                            'moved': job['moved'] + moved},
                                    project=project):
                return
            try:
                job = self.redrives.get(queue, project=project)
            except errors.RedriveDoesNotExist:
                return  # the queue was deleted meanwhile
            if job['state'] != RUNNING:
                changes = {key: value for key, value in changes.items()
                           if key not in ('state', 'finished')}
        LOG.warning('redrive of queue %s: progress not recorded, the job '
                    'kept changing', queue)


class _Unroutable(Exception):
    """A message names no source queue and the job no target."""

    def __init__(self, message_id, moved):
        super().__init__(
            f'message {message_id} has no source queue (it was '
            'dead-lettered before provenance was kept, or posted to the '
            'dead-letter queue directly); start a redrive with "to"')
        self.moved = moved
