"""Queue resources: /v2/queues, /v2/queues/{name}, its stats and purge.

The same resources serve topics (``/v2/topics/...``): built with
``kind='topic'`` they use the topic pipeline and the topic scope (see
:mod:`zaqar_lite.scopes`) for messages and subscriptions.
"""


import falcon

from zaqar_lite import errors
from zaqar_lite.scopes import topic_scope
from zaqar_lite.storage.utils import page
from zaqar_lite.timestamps import utc_text
from zaqar_lite.transport.wsgi import utils

JSON_PATCH = 'application/openstack-messaging-v2.0-json-patch'
PATCH_OPS = ('add', 'remove', 'replace')
LIST_PARAMS = ('marker', 'limit', 'detailed', 'with_count', 'name')


class Resource:
    """What every queue (or topic) resource is built with."""

    def __init__(self, validator, pipelines, limits, kind='queue'):
        self.validator = validator
        self.pipelines = pipelines
        self.limits = limits
        self.kind = kind
        self.queues = pipelines.topic if kind == 'topic' else pipelines.queue
        self.prefix = f'/v2/{kind}s'

    def scope(self, project):
        """The storage project of the resource's messages/subscriptions."""
        return topic_scope(project) if self.kind == 'topic' else project

    def reserved_defaults(self) -> dict:
        """Reserved metadata keys with the values they take when unset."""
        return {'_max_messages_post_size': self.limits.max_messages_post_size,
                '_default_message_ttl': self.limits.default_message_ttl,
                '_default_message_delay': self.limits.default_message_delay,
                '_dead_letter_queue': None,
                '_dead_letter_queue_messages_ttl': None,
                '_max_claim_count': None,
                '_enable_encrypt_messages': False}

    def stored_metadata(self, name, project):
        """The queue's stored metadata, or None when it does not exist."""
        try:
            return self.queues.get(name, project=project)
        except errors.QueueDoesNotExist:
            return None

    def metadata(self, name, project) -> dict:
        """Stored metadata with the reserved keys' effective values."""
        stored = self.stored_metadata(name, project) or {}
        return {**self.reserved_defaults(), **stored}

    def read_metadata(self, req):
        """The metadata document of a PUT body; None when the body is empty."""
        raw, length = utils.read_raw(req, self.limits.max_queue_metadata)
        self.validator.queue_metadata_length(length)
        if not raw.strip():
            return None
        document = utils.parse_json(raw)
        if not isinstance(document, dict):
            raise utils.document_type_error()
        self.validator.queue_metadata(document)
        return document


class Collection(Resource):
    """GET /v2/queues."""

    def on_get(self, req, resp, project_id, client_id):
        limit = utils.int_param(req, 'limit')
        self.validator.queue_listing(limit)
        detailed = utils.bool_param(req, 'detailed')
        kfilter = {key: value for key, value in req.params.items()
                   if key not in LIST_PARAMS}
        queues, marker = page(self.queues.list(
            project=project_id, kfilter=kfilter,
            marker=req.get_param('marker'), limit=limit or 10,
            detailed=detailed, name=req.get_param('name')))
        for queue in queues:
            queue['href'] = f'{self.prefix}/{queue["name"]}'
        body = {f'{self.kind}s': queues, 'links': []}
        if queues:
            query = {**req.params, 'marker': marker}
            body['links'] = [{'rel': 'next', 'href': self.prefix +
                              falcon.to_query_str(query)}]
        if utils.bool_param(req, 'with_count'):
            body['count'] = self.queues.calculate_resource_count(
                project=project_id)
        resp.media = body


class Item(Resource):
    """PUT, GET, PATCH, DELETE /v2/queues/{name}."""

    def on_put(self, req, resp, project_id, client_id, queue_name):
        metadata = self.read_metadata(req)
        created = self.queues.create(queue_name, metadata=metadata,
                                              project=project_id)
        resp.status = falcon.HTTP_201 if created else falcon.HTTP_204
        resp.location = req.path

    def on_get(self, req, resp, project_id, client_id, queue_name):
        resp.media = self.metadata(queue_name, project_id)

    def on_patch(self, req, resp, project_id, client_id, queue_name):
        if req.content_type is None or \
                req.content_type.split(';')[0].strip() != JSON_PATCH:
            raise falcon.HTTPUnsupportedMediaType(
                description=f"Accepted media type for PATCH: "
                            f"{{'Accept-Patch': '{JSON_PATCH}'}}.")
        changes = self._read_patch(req)
        stored = self.queues.get(queue_name, project=project_id)
        reserved = self.reserved_defaults()
        for change in changes:
            _apply(stored, change, reserved)
        self.validator.queue_metadata(stored)
        self.validator.queue_metadata_length(len(falcon.media.JSONHandler()
                                                 .serialize(stored, None)))
        self.queues.set_metadata(queue_name, stored,
                                          project=project_id)
        resp.media = {**self.reserved_defaults(), **stored}

    def on_delete(self, req, resp, project_id, client_id, queue_name):
        self.queues.delete(queue_name, project=project_id)
        resp.status = falcon.HTTP_204

    def _read_patch(self, req):
        raw, length = utils.read_raw(req, self.limits.max_queue_metadata)
        self.validator.queue_metadata_length(length)
        changes = utils.parse_json(raw)
        if not isinstance(changes, list):
            raise utils.document_type_error()
        for change in changes:
            _check_change(change)
        return changes


def _check_change(change):
    if not isinstance(change, dict):
        raise utils.document_type_error()
    op = change.get('op')
    if op not in PATCH_OPS:
        raise errors.ValidationError(
            f'Invalid operation: `{op}`. It must be one of the following: '
            f'{", ".join(PATCH_OPS)}.')
    path = change.get('path')
    if not isinstance(path, str) or not path.startswith('/metadata/') \
            or len(path) == len('/metadata/'):
        raise errors.ValidationError(
            'The root of path must be metadata, e.g /metadata/key.')
    if op != 'remove' and 'value' not in change:
        raise errors.ValidationError(
            f'Missing "value" for operation `{op}` on {path}.')


def _apply(metadata, change, reserved):
    # Reserved keys always exist (a GET shows them): removing one that was
    # never set is a no-op that keeps its default, as clients expect.
    key = change['path'][len('/metadata/'):]
    op = change['op']
    if op in ('remove', 'replace') and key not in metadata \
            and key not in reserved:
        verb = 'replace' if op == 'replace' else 'remove'
        raise errors.PatchConflict(f"Can't {verb} non-existent object {key}.")
    if op == 'remove':
        metadata.pop(key, None)
    else:
        metadata[key] = change['value']


class Stats(Resource):
    """GET /v2/queues/{name}/stats."""

    def on_get(self, req, resp, project_id, client_id, queue_name):
        try:
            stats = self.queues.stats(queue_name, project=project_id)
        except errors.QueueDoesNotExist:
            stats = {'messages': {'claimed': 0, 'free': 0, 'delayed': 0,
                                  'total': 0}}
        messages = stats['messages']
        for edge in ('oldest', 'newest'):
            if edge in messages:
                messages[edge] = _edge(self.prefix, queue_name, messages[edge])
        resp.media = stats


def _edge(prefix, queue_name, message):
    return {'id': message['id'], 'age': message['age'],
            'created': utc_text(message['created']),
            'href': f'{prefix}/{queue_name}/messages/{message["id"]}'}


class Purge(Resource):
    """POST /v2/queues/{name}/purge: delete messages, keep the queue."""

    PAGE = 100  # messages deleted per storage call

    def on_post(self, req, resp, project_id, client_id, queue_name):
        raw, _ = utils.read_raw(req, self.limits.max_queue_metadata)
        document = utils.parse_json(raw) if raw.strip() else {}
        self.validator.purge(document)
        scope = self.scope(project_id)
        if 'messages' in document['resource_types']:
            self._purge_messages(queue_name, scope)
        if 'subscriptions' in document['resource_types']:
            self.pipelines.subscription.delete_all(queue_name, project=scope)
        resp.status = falcon.HTTP_204

    def _purge_messages(self, queue, project):
        while True:
            messages, _ = page(self.pipelines.message.list(
                queue, project=project, limit=self.PAGE, echo=True,
                include_claimed=True, include_delayed=True))
            if not messages:
                return
            self.pipelines.message.bulk_delete(
                queue, [m['id'] for m in messages], project=project,
                claim_ids=[m['claim_id'] for m in messages if m['claim_id']])
