"""Storage scopes: the project id under which a client's data is stored.

A client's queues live under its project id.  Its topics live under
``topic_scope(project)``, and the service's own notification outbox under
the empty project: ids no client can send, since the transport refuses
empty project ids and control characters in them.  So topics never show up
among queues, and a message posted to a topic reaches only the topic's
subscribers.
"""

_TOPIC_MARK = '\x1ftopic'


def topic_scope(project):
    """The storage project under which ``project``'s topics live."""
    return f'{project or ""}{_TOPIC_MARK}'


def split_scope(scope):
    """``('topic' | 'queue', client-visible project)`` of a storage project."""
    if scope and scope.endswith(_TOPIC_MARK):
        return 'topic', scope[:-len(_TOPIC_MARK)] or None
    return 'queue', scope


def shown(scope):
    """The project as the client knows it, for messages."""
    return split_scope(scope)[1]
