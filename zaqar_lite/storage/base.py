"""The storage contract: controllers with Zaqar's names and signatures.

Everything above storage (the transport, pipeline stages written for Zaqar,
the pooling catalog) talks only to these classes.  A data driver provides a
``queue_controller``, ``message_controller``, ``claim_controller``,
``subscription_controller`` and ``topic_controller``;
a control driver provides the catalogue, pools and flavors controllers.

Shapes shared by every driver
-----------------------------
``project`` is a string or ``None`` (no project); two projects never see
each other's data.  Times are seconds.

A *message* is a dict::

    {'id': str,            # opaque, unique, URL-safe
     'ttl': int,           # seconds it lives from 'created'
     'age': int,           # seconds since it was posted
     'body': <JSON value>,
     'created': int,       # Unix time it was posted (for stats and listings)
     'claim_id': str|None, # the live claim holding it, else None
     'claim_count': int,   # how many claims have taken it
     'delay': int,         # seconds it was held back after posting
     'available_at': float,  # Unix time it is (or was) free to claim: the
                             # end of its delay, or of its last claim plus
                             # the queue's redelivery backoff
     'claim_expires': float|None,  # Unix time its live claim ends
     'priority': int,      # 0 to 9 (PRIORITIES), higher claimed first
     'dead_letter': dict|None}  # provenance of a dead-lettered message

A message that was moved into a dead-letter queue carries its provenance,
recorded in the same atomic write as the move (None for any other
message, and for messages moved by older versions)::

    {'source': str,        # the queue it came from
     'reason': str,        # 'max_claims', 'expired' or 'rejected'
     'claim_count': int,   # how often it had been claimed when it moved
     'at': float,          # Unix time of the move
     'detail': str|None}   # a rejecting consumer's text, else None

Messages given to ``Message.post`` are dicts with ``ttl``, ``body`` and
optionally ``delay`` and ``priority`` (``DEFAULT_PRIORITY`` when absent);
the transport has already applied queue defaults.
A message may also carry an ``idempotency_key`` (str) with a
``dedup_window`` (int seconds): see :meth:`Message.post`.

A *listing* (``Queue.list``, ``Message.list``, ``Subscription.list``) is a
generator in Zaqar's shape: it first yields an iterator over the page's
items, then yields the marker for the next page (an opaque string).  Use
:func:`zaqar_lite.storage.utils.page` to unpack one.

A message is *visible* when it has not expired, is not delayed and is not
held by a live claim.  A claim is exclusive: no message is ever in two live
claims, and delayed or expired messages are never claimed.  Claims and pops
take visible messages by priority, highest first, then by availability,
then in posting order; listings are in posting order.

An optional capability: posts in one round trip
-------------------------------------------------
A driver whose store can compare a queue's metadata and post in one atomic
step may offer ``Queue.get_with_token(name, project=None)``, returning
``(metadata, token)``, and ``Message.post_if_unchanged(queue, messages,
client_uuid, token, project=None)``, which posts like ``post`` only while
the metadata still has that token and raises
:class:`~zaqar_lite.errors.QueueMetadataChanged` (with the metadata and
token it has now; nothing stored) otherwise.  The transport then posts on
a queue whose metadata it has seen in one round trip instead of two (see
``zaqar_lite/transport/wsgi/one_trip_post.py``).  The Redis driver offers
it; stages cannot hook these two methods.
"""

from __future__ import annotations

import abc
import enum
import functools

DEFAULT_QUEUES_PER_PAGE = 10
DEFAULT_MESSAGES_PER_PAGE = 10
DEFAULT_MESSAGES_PER_CLAIM = 10
DEFAULT_SUBSCRIPTIONS_PER_PAGE = 10
DEFAULT_POOLS_PER_PAGE = 10
DEFAULT_FLAVORS_PER_PAGE = 10
PRIORITIES = range(10)  # message priorities; claims take higher ones first
DEFAULT_PRIORITY = 4  # a message's priority when it gives none (as in JMS)


class DeadLetterReason(enum.StrEnum):
    """Why a message was moved to its queue's dead-letter queue."""

    MAX_CLAIMS = 'max_claims'  # claimed ``_max_claim_count`` times
    EXPIRED = 'expired'        # expired unconsumed (``_dead_letter_on_expiry``)
    REJECTED = 'rejected'      # a consumer rejected it (``Message.reject``)


def provenance(source, reason, claim_count, at, detail=None) -> dict:
    """The ``dead_letter`` field of a message moved out of ``source``."""
    return {'source': source, 'reason': str(reason),
            'claim_count': int(claim_count), 'at': float(at),
            'detail': detail}


def dead_letter_target(queue, metadata):
    """The queue's dead-letter queue, or None when it names none (or
    names itself: a move into itself would loop)."""
    target = (metadata or {}).get('_dead_letter_queue')
    if not isinstance(target, str) or not target or target == queue:
        return None
    return target


def expiry_target(queue, metadata):
    """Where the queue moves messages that expire unconsumed: its
    dead-letter queue when it sets ``_dead_letter_on_expiry``, else None
    (they vanish, as in Zaqar)."""
    if (metadata or {}).get('_dead_letter_on_expiry') is not True:
        return None
    return dead_letter_target(queue, metadata)


def dead_letter_ttl(metadata, ttl) -> int:
    """The ttl of a message moved into the dead-letter queue: the source's
    ``_dead_letter_queue_messages_ttl`` when set, else its own ``ttl``."""
    return int((metadata or {}).get('_dead_letter_queue_messages_ttl')
               or ttl)


class PostedIds(list):
    """What ``Message.post`` returns: a list of message ids (as Zaqar's
    drivers return), which also says which of them were repeats.

    Args:
        ids: the message ids, in the order of the posted messages.
        repeats: positions of the messages that were not stored because
            their ``idempotency_key`` had been seen (see ``Message.post``).
    """

    def __init__(self, ids=(), repeats=()):
        super().__init__(ids)
        self.repeats = frozenset(repeats)

    def stored(self) -> list:
        """The ids of the messages this post stored."""
        return [mid for n, mid in enumerate(self) if n not in self.repeats]


class DataDriverBase(abc.ABC):
    """A data driver: owns the connection and builds its controllers.

    Drivers are built from plain values: the engine URI and an options
    dict, never from the configuration object, so that pools can build one
    per pool.
    """

    #: capabilities advertised to flavors (see Zaqar's ``Capabilities``)
    BASE_CAPABILITIES: tuple = ()

    def __init__(self, uri: str, options: dict | None = None):
        self.uri = uri
        self.options = dict(options or {})

    #: controller classes, each built once with the driver
    queue_class: type
    message_class: type
    claim_class: type
    subscription_class: type
    redrive_class: type

    @functools.cached_property
    def queue_controller(self) -> 'Queue':
        """The queue controller of this driver."""
        return self.queue_class(self)

    @functools.cached_property
    def message_controller(self) -> 'Message':
        """The message controller of this driver."""
        return self.message_class(self)

    @functools.cached_property
    def claim_controller(self) -> 'Claim':
        """The claim controller of this driver."""
        return self.claim_class(self)

    @functools.cached_property
    def subscription_controller(self) -> 'Subscription':
        """The subscription controller of this driver."""
        return self.subscription_class(self)

    @functools.cached_property
    def redrive_controller(self) -> 'Redrives':
        """Redrive jobs of this store's dead-letter queues."""
        return self.redrive_class(self)

    @functools.cached_property
    def topic_controller(self):
        """Topics: queues in a namespace of their own (see ``topics``)."""
        from zaqar_lite.storage.topics import TopicController
        return TopicController(self.queue_controller)

    @functools.cached_property
    def doorbell(self):
        """Wakes long-poll claims when a post makes messages claimable (a
        zaqar-lite extension, see :mod:`zaqar_lite.storage.doorbell`).

        This default reaches the waiters of this process only; drivers
        whose store is shared by other processes return one that reaches
        them too, and ring it after a post and a release.
        """
        from zaqar_lite.storage.doorbell import Doorbell
        return Doorbell()

    @abc.abstractmethod
    def is_alive(self) -> bool:
        """Whether the engine answers right now."""

    def health(self) -> dict:
        """Engine status for the admin health endpoint."""
        return {'storage_reachable': self.is_alive()}

    @abc.abstractmethod
    def gc(self) -> dict:
        """Remove expired messages, claims and subscriptions once.

        Returns:
            counts of what was removed, e.g. ``{'messages': 3, 'claims': 1}``.
        """

    def close(self) -> None:
        """Release connections; the driver is not used afterwards."""


class ControlDriverBase(abc.ABC):
    """A control (management) driver: catalogue, pools and flavors.

    Built from ``(uri, options)`` like a data driver.  Every change that
    can make a cached route wrong (a queue leaving the catalogue, a pool
    or flavor changing) moves ``generation()``, so servers sharing the
    store can cache routes and still agree.
    """

    catalogue_class: type
    pools_class: type
    flavors_class: type

    def __init__(self, uri: str, options: dict | None = None):
        self.uri = uri
        self.options = dict(options or {})

    @functools.cached_property
    def catalogue_controller(self) -> 'Catalogue':
        """Maps (project, queue) to a pool; used when pooling is on."""
        return self.catalogue_class(self)

    @functools.cached_property
    def pools_controller(self) -> 'Pools':
        """Registered pools."""
        return self.pools_class(self)

    @functools.cached_property
    def flavors_controller(self) -> 'Flavors':
        """Registered flavors."""
        return self.flavors_class(self)

    @abc.abstractmethod
    def generation(self):
        """A value that changes whenever a cached route may be stale."""

    @abc.abstractmethod
    def is_alive(self) -> bool:
        """Whether the engine answers right now."""

    def close(self) -> None:
        """Release connections; the driver is not used afterwards."""


class ControllerBase:
    """A controller belongs to one driver."""

    def __init__(self, driver):
        self.driver = driver


class Queue(ControllerBase, abc.ABC):
    """Queues and their metadata."""

    @abc.abstractmethod
    def list(self, project=None, kfilter=None, marker=None,
             limit=DEFAULT_QUEUES_PER_PAGE, detailed=False, name=None):
        """List queues in name order, after ``marker``.

        Args:
            kfilter: metadata filter; only queues whose metadata has every
                given key with the given value are listed.
            detailed: include each queue's ``metadata``.
            name: list only queues whose name contains this string.

        Returns:
            a listing: yields an iterator of ``{'name': str}`` (plus
            ``'metadata': dict`` when detailed), then the next marker.
        """

    @abc.abstractmethod
    def get(self, name, project=None) -> dict:
        """The queue's stored metadata.

        Raises:
            QueueDoesNotExist
        """

    @abc.abstractmethod
    def create(self, name, metadata=None, project=None) -> bool:
        """Create the queue; True if created, False if it existed already.

        An existing queue keeps its metadata unless ``metadata`` is given,
        which then replaces it.
        """

    @abc.abstractmethod
    def exists(self, name, project=None) -> bool:
        """Whether the queue exists."""

    @abc.abstractmethod
    def set_metadata(self, name, metadata, project=None) -> None:
        """Replace the queue's metadata.

        Raises:
            QueueDoesNotExist
        """

    @abc.abstractmethod
    def delete(self, name, project=None) -> None:
        """Delete the queue with its messages and claims; no error if absent."""

    @abc.abstractmethod
    def stats(self, name, project=None) -> dict:
        """Message counts of the queue.

        Returns:
            ``{'messages': {'free': n, 'claimed': n, 'delayed': n,
            'total': n, 'oldest': m, 'newest': m}}`` where ``oldest`` and
            ``newest`` (present only when total > 0) are
            ``{'id', 'age', 'created'}`` of the oldest and newest live
            message; ``total`` counts every unexpired message.

        Raises:
            QueueDoesNotExist
        """

    def calculate_resource_count(self, project=None) -> int:
        """How many queues the project has."""
        count = 0
        marker = None
        while True:
            items = list(next(self.list(project=project, marker=marker,
                                        limit=100)))
            count += len(items)
            if len(items) < 100:
                return count
            marker = items[-1]['name']


class Message(ControllerBase, abc.ABC):
    """Messages in a queue."""

    @abc.abstractmethod
    def list(self, queue, project=None, marker=None,
             limit=DEFAULT_MESSAGES_PER_PAGE, echo=False, client_uuid=None,
             include_claimed=False, include_delayed=False):
        """List live messages in posting order, after ``marker``.

        Args:
            echo: include messages posted by ``client_uuid``.
            include_claimed: include messages held by live claims.
            include_delayed: include messages still delayed.

        Returns:
            a listing: yields an iterator of messages, then the marker.
            A missing queue lists as empty.
        """

    def tail_marker(self, queue, project=None) -> str:
        """The listing marker after the newest message posted so far.

        A zaqar-lite extension (pushing to WebSocket subscribers): a listing
        from this marker yields only messages posted later.  Markers are
        message sequence numbers (``utils.parse_seq_marker``); one that
        falls back (the queue was deleted and made anew) restarts its
        numbering.  This default pages through the queue; drivers answer
        from an index instead.
        """
        marker, page_size = None, 1000
        while True:
            listing = self.list(queue, project=project, marker=marker,
                                limit=page_size, echo=True,
                                include_claimed=True, include_delayed=True)
            count = len(list(next(listing)))
            marker = next(listing, marker)
            if count < page_size:
                return marker or '0'

    @abc.abstractmethod
    def first(self, queue, project=None, sort=1) -> dict:
        """The oldest (``sort=1``) or newest (``sort=-1``) live message.

        Raises:
            QueueIsEmpty (a ``DoesNotExist``) when there is none.
        """

    @abc.abstractmethod
    def get(self, queue, message_id, project=None) -> dict:
        """One live message.

        Raises:
            MessageDoesNotExist
        """

    @abc.abstractmethod
    def bulk_get(self, queue, message_ids, project=None):
        """The live messages among ``message_ids``; unknown ids are skipped.

        Returns:
            an iterable of messages.
        """

    @abc.abstractmethod
    def post(self, queue, messages, client_uuid, project=None) -> list:
        """Append messages to the queue in one atomic write.

        A message with an ``idempotency_key`` that the queue was given
        less than ``dedup_window`` seconds earlier (by a stored message of
        this or an earlier post) is not stored again: its place among the
        returned ids holds the id of the message first posted with that
        key, whether or not that message still exists.

        Returns:
            a :class:`PostedIds`: the message ids in the order of
            ``messages``, with the positions of the repeats.

        Raises:
            QueueDoesNotExist
        """

    @abc.abstractmethod
    def delete(self, queue, message_id, project=None, claim=None) -> None:
        """Delete one message; no error if it is already gone.

        Args:
            claim: the id of the live claim holding the message.

        Raises:
            MessageIsClaimed: the message is claimed and ``claim`` is None.
            ClaimDoesNotMatch: ``claim`` is not the message's live claim.
            MessageNotClaimed: ``claim`` is given, the message is unclaimed.
        """

    @abc.abstractmethod
    def bulk_delete(self, queue, message_ids, project=None, claim_ids=None):
        """Delete the messages among ``message_ids``; unknown ids are skipped.

        A message held by a live claim is deleted only when that claim's id
        is among ``claim_ids`` (Zaqar ignores claims here; we do not).

        Raises:
            MessageIsClaimed: a message is claimed by a claim not given;
                nothing is deleted then.
        """

    @abc.abstractmethod
    def pop(self, queue, limit, project=None) -> list:
        """Claim and delete up to ``limit`` visible messages at once, in
        the order a claim takes them.

        Returns:
            the removed messages, oldest first.
        """

    def reject(self, queue, message_id, project=None, claim=None,
               detail=None) -> str:
        """Move a message its caller holds to the queue's dead-letter
        queue, with provenance (reason ``rejected`` and ``detail``), in one
        atomic write.  A zaqar-lite extension.

        It arrives there as a moved message does after ``_max_claim_count``
        claims: unclaimed, its ttl the queue's
        ``_dead_letter_queue_messages_ttl`` when set, its id kept.

        Args:
            claim: the id of the live claim holding the message.
            detail: the consumer's reason, stored as given (the transport
                bounds its length).

        Returns:
            the dead-letter queue's name.

        Raises:
            MessageDoesNotExist: no such live message.
            NoDeadLetterQueue: the queue names no dead-letter queue.
            MessageIsClaimed: ``claim`` is None and the message is claimed.
            MessageNotClaimed: the message is held by no live claim.
            ClaimDoesNotMatch: ``claim`` is not the message's live claim.
        """
        raise NotImplementedError


class Claim(ControllerBase, abc.ABC):
    """Claims: exclusive, time-limited leases on messages."""

    @abc.abstractmethod
    def get(self, queue, claim_id, project=None):
        """A live claim and the messages it holds.

        Returns:
            ``(claim, messages)`` where claim is
            ``{'id', 'ttl', 'grace', 'age'}``.

        Raises:
            ClaimDoesNotExist: unknown, malformed or expired id.
        """

    @abc.abstractmethod
    def create(self, queue, metadata, project=None,
               limit=DEFAULT_MESSAGES_PER_CLAIM):
        """Claim up to ``limit`` visible messages: the highest priority
        first, then the oldest available, then in posting order.

        ``metadata`` is ``{'ttl': s, 'grace': s}``.  Each claimed message
        lives at least until the claim expires plus the grace, and its
        ``claim_count`` grows by one.  A message already claimed as often as
        the queue's ``_max_claim_count`` is moved to its
        ``_dead_letter_queue`` (when both are set) instead of being claimed;
        in the dead-letter queue it is unclaimed, its ttl is
        ``_dead_letter_queue_messages_ttl`` when set, and its
        ``dead_letter`` provenance (reason ``max_claims``) is recorded in
        the same atomic write.

        Returns:
            ``(claim_id, messages)``; ``(None, [])`` when nothing could be
            claimed.
        """

    @abc.abstractmethod
    def update(self, queue, claim_id, metadata, project=None) -> None:
        """Renew a live claim from now with the new ttl (and grace).

        Raises:
            ClaimDoesNotExist
        """

    @abc.abstractmethod
    def delete(self, queue, claim_id, project=None, delay=None) -> None:
        """Release a claim; no error if absent.

        Its messages become visible after the queue's redelivery backoff
        for their claim counts (``storage/redelivery.py``; at once for a
        queue without ``_redelivery_policy``), or ``delay`` seconds from
        now when it is given (0: at once).  ``delay`` is a zaqar-lite
        extension: callers pass it only when it changes the release, so
        stages written for Zaqar keep their signature.
        """


class Redrives(ControllerBase, abc.ABC):
    """Redrive jobs: one record per dead-letter queue of a project.

    A *job* is a JSON-able dict (see ``zaqar_lite/redrive.py`` for its
    fields); ``state`` is ``running``, ``done``, ``cancelled`` or
    ``failed``.  Each stored job has a ``version`` that every write moves
    on, so writers that race never overwrite each other unseen.  Drivers
    provide three primitives (``_read``, ``_write``, ``_running``); the
    rest is shared here.  Deleting a queue forgets its job.
    """

    def get(self, queue, project=None) -> dict:
        """The queue's job (the last one started), with its ``version``.

        Raises:
            RedriveDoesNotExist
        """
        from zaqar_lite import errors
        job = self._read(queue, project)
        if job is None:
            raise errors.RedriveDoesNotExist(queue, project)
        return job

    def start(self, queue, job, project=None) -> dict:
        """Store ``job`` as the queue's job unless one is running.

        Returns:
            the stored job, with its ``version``.

        Raises:
            RedriveConflict: a job of this queue is running.
        """
        from zaqar_lite import errors
        current = self._read(queue, project)
        if current is not None and current['state'] == 'running':
            raise errors.RedriveConflict(queue)
        version = None if current is None else current['version']
        stored = {**job, 'version': (version or 0) + 1}
        if not self._write(queue, project, stored, version):
            raise errors.RedriveConflict(queue)
        return stored

    def update(self, queue, job, project=None) -> bool:
        """Replace the stored job if it is still at ``job['version']``.

        Returns:
            True when written (``job['version']`` has moved on by one);
            False when another writer changed it first (read it again).
        """
        stored = {**job, 'version': job['version'] + 1}
        if not self._write(queue, project, stored, job['version']):
            return False
        job['version'] = stored['version']
        return True

    def running(self) -> list:
        """``(project, queue)`` of every running job of this store."""
        return self._running()

    @abc.abstractmethod
    def _read(self, queue, project):
        """The stored job (with ``version``), or None."""

    @abc.abstractmethod
    def _write(self, queue, project, job, expected) -> bool:
        """Store ``job`` if the stored version is ``expected`` (None: if
        no job is stored); False otherwise."""

    @abc.abstractmethod
    def _running(self) -> list:
        """``(project, queue)`` of the stored jobs in state ``running``."""


class Subscription(ControllerBase, abc.ABC):
    """Subscriptions of a queue (or a topic): who is pushed its messages.

    A *subscription* is a dict::

        {'id': str,            # opaque, unique, URL-safe
         'source': str,        # the queue (or topic) name
         'subscriber': str,    # a URI: http(s)://..., mailto:...
         'ttl': int,           # seconds it lives from its last (re)newal
         'age': int,           # seconds since it was created
         'options': dict,      # task options, e.g. post_headers
         'confirmed': bool}

    A subscription is unique by (project, source, subscriber) and is gone
    once its ttl has passed since it was created or last updated.  Callers
    create the source queue first (the transport does, as Zaqar does).
    """

    @abc.abstractmethod
    def list(self, queue, project=None, marker=None,
             limit=DEFAULT_SUBSCRIPTIONS_PER_PAGE):
        """A listing of the source's live subscriptions in id order."""

    @abc.abstractmethod
    def get(self, queue, subscription_id, project=None) -> dict:
        """One live subscription.

        Raises:
            SubscriptionDoesNotExist
        """

    @abc.abstractmethod
    def create(self, queue, subscriber, ttl, options, project=None):
        """Create an unconfirmed subscription.

        Returns:
            the new id, or None when the subscriber is already subscribed
            to the source (see ``get_with_subscriber``).
        """

    @abc.abstractmethod
    def update(self, queue, subscription_id, project=None, **kwargs):
        """Change ``subscriber``, ``ttl`` (renewed from now) or ``options``.

        Raises:
            SubscriptionDoesNotExist
            SubscriptionAlreadyExists: the new subscriber has another
                subscription to the source.
        """

    @abc.abstractmethod
    def exists(self, queue, subscription_id, project=None) -> bool:
        """Whether the subscription exists and is live."""

    @abc.abstractmethod
    def delete(self, queue, subscription_id, project=None) -> None:
        """Delete a subscription; no error if absent."""

    @abc.abstractmethod
    def get_with_subscriber(self, queue, subscriber, project=None) -> dict:
        """The live subscription of ``subscriber`` to the source.

        Raises:
            SubscriptionDoesNotExist
        """

    @abc.abstractmethod
    def confirm(self, queue, subscription_id, project=None, confirmed=True):
        """Confirm (or un-confirm) a subscription.

        Raises:
            SubscriptionDoesNotExist
        """

    def delete_all(self, queue, project=None) -> None:
        """Delete every subscription of the source (purge, queue delete)."""
        while True:
            items = list(next(self.list(queue, project=project, limit=100)))
            if not items:
                return
            for item in items:
                self.delete(queue, item['id'], project=project)


class Catalogue(ControllerBase, abc.ABC):
    """Which pool holds each (project, queue)."""

    @abc.abstractmethod
    def list(self, project=None, marker=None, limit=DEFAULT_QUEUES_PER_PAGE):
        """A listing of ``{'queue', 'pool'}`` of the project by queue name."""

    @abc.abstractmethod
    def get(self, project, queue) -> str:
        """The pool of a registered queue.

        Raises:
            QueueNotMapped
        """

    @abc.abstractmethod
    def insert(self, project, queue, pool) -> str:
        """Map the queue to ``pool`` unless it is mapped already.

        Returns:
            the queue's pool: ``pool``, or the one it had.
        """

    @abc.abstractmethod
    def delete(self, project, queue) -> None:
        """Forget the queue's mapping; no error if absent."""

    @abc.abstractmethod
    def count(self, pool) -> int:
        """How many queues the pool holds."""


class Pools(ControllerBase, abc.ABC):
    """Pools: ``{'name', 'uri', 'weight', 'flavor', 'options'}``."""

    @abc.abstractmethod
    def list(self, marker=None, limit=DEFAULT_POOLS_PER_PAGE,
             detailed=False, flavor=None):
        """A listing of pools by name; ``options`` only when detailed.

        Args:
            flavor: only the pools of this flavor (None: every pool).
        """

    @abc.abstractmethod
    def get(self, name, detailed=False) -> dict:
        """One pool. Raises PoolDoesNotExist."""

    @abc.abstractmethod
    def create(self, name, weight, uri, flavor=None, options=None) -> bool:
        """Create or replace a pool; True when it is new."""

    @abc.abstractmethod
    def update(self, name, **fields) -> None:
        """Change ``weight``, ``uri``, ``flavor`` or ``options``.

        Raises:
            PoolDoesNotExist
        """

    @abc.abstractmethod
    def delete(self, name) -> None:
        """Forget a pool; no error if absent."""

    def exists(self, name) -> bool:
        """Whether the pool is registered."""
        from zaqar_lite import errors
        try:
            self.get(name)
        except errors.PoolDoesNotExist:
            return False
        return True


class Flavors(ControllerBase, abc.ABC):
    """Flavors: ``{'name', 'capabilities'}``; pools name their flavor."""

    @abc.abstractmethod
    def list(self, marker=None, limit=DEFAULT_FLAVORS_PER_PAGE):
        """A listing of flavors by name."""

    @abc.abstractmethod
    def get(self, name) -> dict:
        """One flavor. Raises FlavorDoesNotExist."""

    @abc.abstractmethod
    def create(self, name, capabilities=None) -> bool:
        """Create or replace a flavor; True when it is new."""

    @abc.abstractmethod
    def update(self, name, capabilities) -> None:
        """Replace the flavor's capabilities. Raises FlavorDoesNotExist."""

    @abc.abstractmethod
    def delete(self, name) -> None:
        """Forget a flavor; no error if absent."""

    def exists(self, name) -> bool:
        """Whether the flavor is registered."""
        from zaqar_lite import errors
        try:
            self.get(name)
        except errors.FlavorDoesNotExist:
            return False
        return True
