"""Every exception zaqar-lite raises.

Storage and validation code raise these; only ``transport/wsgi/errors.py``
knows which HTTP status each family becomes.  The hierarchy::

    ZaqarLiteError
    ├── ConfigurationError          start-up: bad option, engine unreachable
    │   └── PluginLoadError         a configured plugin cannot be loaded
    ├── ValidationError             400: the request is malformed
    ├── AuthenticationRequired      401: no valid token
    ├── DoesNotExist                404
    │   ├── QueueDoesNotExist
    │   ├── MessageDoesNotExist
    │   ├── MessagesDoNotExist      none of the requested ids exist
    │   ├── QueueIsEmpty            no live message to return
    │   ├── ClaimDoesNotExist
    │   ├── SubscriptionDoesNotExist
    │   ├── TopicDoesNotExist
    │   ├── QueueNotMapped          pooling: the catalogue has no pool for it
    │   ├── PoolDoesNotExist
    │   ├── FlavorDoesNotExist
    │   └── RedriveDoesNotExist     no redrive job was started for the queue
    ├── NotPermitted                403
    │   ├── MessageIsClaimed        deleting a claimed message without its claim
    │   ├── ClaimDoesNotMatch       the claim given is not the message's live claim
    │   ├── MessageNotClaimed       a claim was given for an unclaimed message
    │   ├── SignatureRefused        a pre-signed request that is not allowed
    │   ├── AdminRoleRequired       an admin operation without the admin role
    │   └── ProjectScopeRequired    a valid token scoped to no project
    ├── Conflict                    409
    │   ├── PatchConflict
    │   ├── SubscriptionAlreadyExists
    │   ├── PoolAlreadyExists
    │   ├── PoolInUse
    │   ├── NoDeadLetterQueue       a reject where the queue names no DLQ
    │   └── RedriveConflict         a redrive job of the queue is running
    ├── StorageUnavailable          503: the engine cannot be reached
    │   └── NoPoolFound             pooling: no pool registered for the queue
    └── TooManyWaitingClaims        503: this process holds as many long-poll
                                    claims as it may

Messages are plain English and never contain secrets; they are safe to show
to the client that caused them.
"""


class ZaqarLiteError(Exception):
    """Root of every zaqar-lite exception."""


def _where(queue, project):
    """'Queue q ... project p' or 'Topic t ... project p' from a scope."""
    from zaqar_lite.scopes import split_scope
    kind, shown = split_scope(project)
    return f'{kind.capitalize()} {queue}', shown


class ConfigurationError(ZaqarLiteError):
    """The service cannot start with the configuration it was given."""


class PluginLoadError(ConfigurationError):
    """A plugin named in the configuration cannot be found, imported or built."""


class ValidationError(ZaqarLiteError):
    """The request is malformed; nothing was changed.

    Args:
        description: what is wrong, in the words a client should see.
        title: the short error title (Zaqar's, where Zaqar has one).
    """

    def __init__(self, description: str, title: str = 'Invalid API request'):
        super().__init__(description)
        self.title = title
        self.description = description


class AuthenticationRequired(ZaqarLiteError):
    """The request carries no valid credential (missing, bogus or expired)."""

    title = 'Unauthorized'

    def __init__(self):
        super().__init__('The request you have made requires '
                         'authentication.')


class DoesNotExist(ZaqarLiteError):
    """The addressed resource does not exist (or belongs to another project)."""


class QueueDoesNotExist(DoesNotExist):
    """No such queue in this project."""

    def __init__(self, name, project):
        what, project = _where(name, project)
        super().__init__(f'{what} does not exist for project {project}')


class TopicDoesNotExist(DoesNotExist):
    """No such topic in this project."""

    def __init__(self, name, project):
        super().__init__(f'Topic {name} does not exist for project {project}')


class MessageDoesNotExist(DoesNotExist):
    """No such message in the queue."""

    def __init__(self, message_id, queue, project):
        what, project = _where(queue, project)
        super().__init__(f'Message {message_id} does not exist in '
                         f'{what.lower()} for project {project}')


class MessagesDoNotExist(DoesNotExist):
    """None of the requested message ids exist in the queue."""

    def __init__(self, message_ids, queue, project):
        what, project = _where(queue, project)
        super().__init__(f'No messages with IDs: {list(message_ids)} found in '
                         f'the {what.lower()} for project {project}.')


class QueueIsEmpty(DoesNotExist):
    """The queue holds no live message."""

    def __init__(self, queue, project):
        what, project = _where(queue, project)
        super().__init__(f'{what} in project {project} is empty')


class ClaimDoesNotExist(DoesNotExist):
    """No such live claim in the queue."""

    def __init__(self, claim_id, queue, project):
        what, project = _where(queue, project)
        super().__init__(f'Claim {claim_id} does not exist in {what.lower()} '
                         f'for project {project}')


class RedriveDoesNotExist(DoesNotExist):
    """No redrive job was started for the queue."""

    def __init__(self, queue, project):
        what, project = _where(queue, project)
        super().__init__(f'No redrive job was started for {what.lower()} '
                         f'of project {project}')


class SubscriptionDoesNotExist(DoesNotExist):
    """No such subscription."""

    def __init__(self, subscription_id):
        super().__init__(f'Subscription {subscription_id} does not exist')


class QueueNotMapped(DoesNotExist):
    """The catalogue maps the queue to no pool."""

    def __init__(self, queue, project):
        what, project = _where(queue, project)
        super().__init__(f'{what} is not in any pool for project {project}')


class PoolDoesNotExist(DoesNotExist):
    """No such pool."""

    def __init__(self, pool):
        super().__init__(f'Pool {pool} does not exist')


class FlavorDoesNotExist(DoesNotExist):
    """No such flavor."""

    def __init__(self, flavor):
        super().__init__(f'Flavor {flavor} does not exist')


class NotPermitted(ZaqarLiteError):
    """The resource exists but this operation on it is not allowed."""


class MessageIsClaimed(NotPermitted):
    """The message is claimed; deleting it needs the claim's id."""

    def __init__(self, message_id):
        super().__init__(f'Message {message_id} is claimed; it cannot be '
                         f'deleted without a valid claim ID.')
        self.message_id = message_id


class ClaimDoesNotMatch(NotPermitted):
    """The claim given does not hold the message (unknown, expired or other)."""

    def __init__(self, message_id):
        super().__init__(f'The specified claim does not exist or has expired '
                         f'for message {message_id}.')
        self.message_id = message_id


class MessageNotClaimed(NotPermitted):
    """A claim id was given, but the message is not claimed."""

    def __init__(self, message_id):
        super().__init__(f'A claim was specified, but message {message_id} '
                         f'is not currently claimed.')
        self.message_id = message_id


class SignatureRefused(NotPermitted):
    """A pre-signed request whose signature is empty, wrong, expired or does
    not cover its path and method."""

    def __init__(self, description, title='Invalid signature'):
        super().__init__(description)
        self.title = title


class AdminRoleRequired(NotPermitted):
    """An admin operation by a token without the admin role."""

    title = 'Forbidden'

    def __init__(self, role):
        super().__init__(f'This operation needs the {role} role.')


class ProjectScopeRequired(NotPermitted):
    """The token is valid but scoped to no project."""

    title = 'Forbidden'

    def __init__(self):
        super().__init__('The token is not scoped to a project; ask '
                         'Keystone for a project-scoped token.')


class Conflict(ZaqarLiteError):
    """The operation conflicts with the resource's current state."""


class PatchConflict(Conflict):
    """A JSON-patch operation addresses a key that is not there."""


class SubscriptionAlreadyExists(Conflict):
    """A subscription for this project, source and subscriber exists."""

    def __init__(self):
        super().__init__('Such subscription already exists. Subscriptions '
                         'are unique by project + queue + subscriber URI.')


class PoolAlreadyExists(Conflict):
    """A pool with this name or URI is registered."""


class PoolInUse(Conflict):
    """The pool still holds queues or belongs to a flavor."""


class NoDeadLetterQueue(Conflict):
    """The queue names no dead-letter queue to move a message into."""

    def __init__(self, queue, project):
        what, project = _where(queue, project)
        super().__init__(
            f'{what} of project {project} has no dead-letter queue: set its '
            '_dead_letter_queue metadata to reject messages into one.')


class RedriveConflict(Conflict):
    """A redrive job of this dead-letter queue is running already."""

    def __init__(self, queue):
        super().__init__(
            f'A redrive job of queue {queue} is running; cancel it (DELETE) '
            'or wait for it to end before starting another.')


class QueueMetadataChanged(ZaqarLiteError):
    """A post made with ``Message.post_if_unchanged`` found the queue's
    metadata changed since the token it was given; nothing was stored.

    Args:
        metadata: the queue's metadata now.
        token: its token now (see ``Queue.get_with_token``).
    """

    def __init__(self, metadata: dict, token: str):
        super().__init__('The queue\'s metadata changed; nothing was posted.')
        self.metadata = metadata
        self.token = token


class StorageUnavailable(ZaqarLiteError):
    """The storage engine could not serve the request; retrying may work."""


class NoPoolFound(StorageUnavailable):
    """Pooling is on and no pool can take the queue."""


class TooManyWaitingClaims(ZaqarLiteError):
    """A long-poll claim found nothing, and this server process already
    holds ``[drivers:transport:wsgi] max_waiting_claims`` waiting ones."""
