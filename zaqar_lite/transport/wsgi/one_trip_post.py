"""Posting in one storage round trip, on stores that can check metadata.

A post is checked against its queue's metadata (the size limit, the
defaults it fills in) before it is stored, so by itself it takes two round
trips: read the metadata, then post.  Where the driver offers
``get_with_token`` and ``post_if_unchanged`` (see
``zaqar_lite/storage/base.py``) and no pipeline stage hooks what a post
calls, ``OneTripPost`` keeps, per process, what posts read of the
metadata of the queues it posts to, with the metadata's token, and posts
with that token.  The store posts only while the metadata still has it,
in the same atomic step, so a post is never checked against metadata
other than the queue's when it is stored; metadata changed meanwhile (by
any process) comes back in the answer, and the post is checked again
and retried.
"""

from zaqar_lite import errors

CAPACITY = 4096  # queues a process keeps the metadata of
ATTEMPTS = 3  # tries before the caller posts the two-trip way


class OneTripPost:
    """Posts to queues whose metadata this process has seen.

    Args:
        queues: the queue controller (``get_with_token``, ``create``).
        messages: the message controller (``post_if_unchanged``).
        keys: the metadata keys posts read; the rest is not kept.
    """

    def __init__(self, queues, messages, keys, capacity=CAPACITY):
        self.queues = queues
        self.messages = messages
        self.keys = tuple(keys)
        self.capacity = capacity
        self._known = {}  # (project, queue) -> (kept metadata, token)

    @classmethod
    def offered_by(cls, queue_pipeline, message_pipeline, keys):
        """A ``OneTripPost`` under these pipelines, or None when their
        store does not offer it or a stage hooks a call a post makes (the
        stage then sees every call, as without it)."""
        queues = queue_pipeline.controller
        messages = message_pipeline.controller
        if not (callable(getattr(queues, 'get_with_token', None)) and
                callable(getattr(messages, 'post_if_unchanged', None))):
            return None
        if queue_pipeline.hooked('get', 'create') or \
                message_pipeline.hooked('post'):
            return None
        return cls(queues, messages, keys)

    def post(self, queue, project, client_uuid, prepare):
        """Post ``prepare(metadata)`` to ``queue``, creating it if need be.

        ``prepare`` gets the queue's stored metadata (only ``keys``; ``{}``
        for a queue that does not exist yet) and returns the messages to
        post, or raises: nothing is posted nor created then.  It is
        called again when the metadata turns out to have changed.

        Returns:
            What ``post`` returns, or None when the metadata kept changing
            over ``ATTEMPTS`` tries: post the two-trip way then.
        """
        key = (project, queue)
        known = self._known.get(key)
        for _ in range(ATTEMPTS):
            if known is None:
                known = self._read(queue, project)
            metadata, token = known
            messages = prepare(metadata)
            if token is None:  # no such queue: a valid post creates it
                self.queues.create(queue, project=project)
                known = None
                continue
            try:
                ids = self.messages.post_if_unchanged(
                    queue, messages, client_uuid, token, project=project)
            except errors.QueueMetadataChanged as changed:
                known = self._kept(changed.metadata), changed.token
                continue
            except errors.QueueDoesNotExist:  # deleted meanwhile
                known = None
                continue
            self._remember(key, known)
            return ids
        self._known.pop(key, None)
        return None

    def _read(self, queue, project):
        """``(kept metadata, token)``; ``({}, None)`` for no such queue."""
        try:
            metadata, token = self.queues.get_with_token(queue,
                                                         project=project)
        except errors.QueueDoesNotExist:
            return {}, None
        return self._kept(metadata), token

    def _kept(self, metadata) -> dict:
        return {key: metadata[key] for key in self.keys if key in metadata}

    def _remember(self, key, known):
        if key not in self._known and len(self._known) >= self.capacity:
            self._known.clear()  # rarely: a process posting to many queues
        self._known[key] = known
