"""Message resources: /v2/queues/{name}/messages and .../messages/{id}.

Claim ids are capabilities: a message's ``href`` carries its claim id only
in answers to the claimer (claim create and get), never in listings.
"""

import time

import falcon

from zaqar_lite import errors
from zaqar_lite.storage.base import DEFAULT_PRIORITY
from zaqar_lite.storage.utils import page
from zaqar_lite.timestamps import utc_text
from zaqar_lite.transport.wsgi import utils
from zaqar_lite.transport.wsgi.one_trip_post import OneTripPost
from zaqar_lite.transport.wsgi.queues import Resource

DEFAULT_PAGE = 10  # messages per listing page when no limit is given


def message_href(queue, message_id, claim_id=None, prefix='/v2/queues'):
    href = f'{prefix}/{queue}/messages/{message_id}'
    return f'{href}?claim_id={claim_id}' if claim_id else href


def present(queue, message, claim_id=None, prefix='/v2/queues') -> dict:
    """A message as the API shows it (keys python-zaqarclient accepts)."""
    return {'id': message['id'],
            'href': message_href(queue, message['id'], claim_id, prefix),
            'ttl': message['ttl'], 'age': message['age'],
            'body': message['body']}


def present_with_state(queue, message, now, prefix='/v2/queues') -> dict:
    """A message as a ``state=all`` listing shows it: its state
    (``ready``, ``claimed`` or ``delayed``), claim count, priority, when
    its claim or delay ends and, in a dead-letter queue, its
    ``dead_letter`` provenance; never its claim id."""
    shown = {**present(queue, message, prefix=prefix),
             'claim_count': message['claim_count'],
             'priority': message.get('priority', DEFAULT_PRIORITY)}
    if message['claim_id'] is not None:
        shown.update(state='claimed', claim_expires=utc_text(
            message.get('claim_expires') or message['available_at']))
    elif message['available_at'] > now:
        shown.update(state='delayed',
                     deliver_at=utc_text(message['available_at']))
    else:
        shown['state'] = 'ready'
    if message.get('dead_letter'):
        shown['dead_letter'] = {**message['dead_letter'],
                                'at': utc_text(message['dead_letter']['at'])}
    return shown


def browsing(req) -> bool:
    """Whether the request asks for messages with their state
    (``state=all``)."""
    state = req.get_param('state')
    if state is not None and state != 'all':
        raise errors.ValidationError(
            'The "state" parameter is invalid. The value of the '
            'parameter must be "all".', title='Invalid parameter')
    return state == 'all'


def unable_to_delete(description):
    return errors.ValidationError(description, title='Unable to delete')


CLAIMED_TEXT = ('This message is claimed; it cannot be deleted without a '
                'valid claim ID.')


#: the queue metadata keys a post reads (``Collection._read_messages``)
POST_METADATA = ('_max_messages_post_size', '_default_message_ttl',
                 '_default_message_delay', '_dedup_window')


class Collection(Resource):
    """POST, GET, DELETE /v2/queues/{name}/messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.one_trip = OneTripPost.offered_by(
            self.queues, self.pipelines.message, POST_METADATA) \
            if self.kind == 'queue' else None

    def on_post(self, req, resp, project_id, client_id, queue_name):
        raw, length = utils.read_raw(req, self.limits.max_messages_post_size)

        def prepare(stored):
            return self._read_messages(raw, length,
                                       {**self.reserved_defaults(), **stored})

        ids = None if self.one_trip is None else self.one_trip.post(
            queue_name, project_id, client_id, prepare)
        if ids is None:
            ids = self._post(queue_name, project_id, client_id, prepare)
        resp.status = falcon.HTTP_201
        resp.location = f'{req.path}?ids={",".join(ids)}'
        resp.media = {'resources': [
            message_href(queue_name, mid, prefix=self.prefix) for mid in ids]}

    def _post(self, queue_name, project_id, client_id, prepare):
        """The post through the pipelines: metadata read, then post."""
        stored = self.stored_metadata(queue_name, project_id)
        messages = prepare(stored or {})
        if stored is None:  # queues are created by their first post
            self.queues.create(queue_name, project=project_id)
        return self.pipelines.message.post(queue_name, messages, client_id,
                                           project=self.scope(project_id))

    def _read_messages(self, raw, length, metadata):
        queue_max = metadata['_max_messages_post_size']
        self.validator.message_content_length(length, queue_max)
        document = utils.parse_json(raw)
        if isinstance(document, list):
            raise errors.ValidationError(
                'No messages were found in the request body.')
        if not isinstance(document, dict) or 'messages' not in document:
            raise errors.ValidationError(
                'No messages were found in the request body.')
        messages = document['messages']
        if not isinstance(messages, list):
            raise utils.document_type_error()
        self.validator.message_posting(messages)
        window = (metadata.get('_dedup_window')
                  or self.limits.default_dedup_window)
        now = time.time()
        return [self._to_store(message, metadata, window, now)
                for message in messages]

    def _to_store(self, message, metadata, dedup_window, now) -> dict:
        """A posted message as the storage contract takes it."""
        stored = {'body': message['body'],
                  'ttl': message.get('ttl', metadata['_default_message_ttl']),
                  'delay': message.get('delay',
                                       metadata['_default_message_delay'])}
        if 'deliver_at' in message:
            stored['delay'] = self.validator.delivery_delay(
                message['deliver_at'], stored['ttl'], now)
        if 'priority' in message:
            stored['priority'] = message['priority']
        if 'idempotency_key' in message:
            stored['idempotency_key'] = message['idempotency_key']
            stored['dedup_window'] = dedup_window
        return stored

    def on_get(self, req, resp, project_id, client_id, queue_name):
        ids = utils.list_param(req, 'ids')
        if ids is not None:
            return self._get_by_ids(resp, queue_name, ids, project_id)
        limit = utils.int_param(req, 'limit')
        self.validator.message_listing(limit)
        options = {name: utils.bool_param(req, name) for name in
                   ('echo', 'include_claimed', 'include_delayed')}
        with_state = browsing(req)
        if with_state:
            options.update(include_claimed=True, include_delayed=True)
        messages, marker = page(self.pipelines.message.list(
            queue_name, project=self.scope(project_id),
            marker=req.get_param('marker'),
            limit=limit or DEFAULT_PAGE, client_uuid=client_id, **options))
        now = time.time()
        body = {'messages': [
            present_with_state(queue_name, m, now, prefix=self.prefix)
            if with_state else present(queue_name, m, prefix=self.prefix)
            for m in messages], 'links': []}
        if messages:
            query = {**req.params, 'marker': marker}
            body['links'] = [{'rel': 'next',
                              'href': req.path + falcon.to_query_str(query)}]
        resp.media = body

    def _get_by_ids(self, resp, queue_name, ids, project_id):
        self.validator.message_ids(ids)
        messages = list(self.pipelines.message.bulk_get(
            queue_name, ids, project=self.scope(project_id)))
        if not messages:
            raise errors.MessagesDoNotExist(ids, queue_name,
                                            self.scope(project_id))
        resp.media = {'messages': [present(queue_name, m, prefix=self.prefix)
                                   for m in messages]}

    def on_delete(self, req, resp, project_id, client_id, queue_name):
        ids = utils.list_param(req, 'ids')
        pop = req.get_param('pop')
        if ids is None and pop is None:
            raise errors.ValidationError(
                'The request should have either "ids" or "pop" parameter in '
                'the request, to be able to delete.')
        if ids is not None and pop is not None:
            raise errors.ValidationError(
                'pop and id params cannot be present together in the delete '
                'request.')
        if pop is not None:
            return self._pop(req, resp, queue_name, project_id)
        self.validator.message_ids(ids, deleting=True)
        try:
            self.pipelines.message.bulk_delete(
                queue_name, ids, project=self.scope(project_id),
                claim_ids=utils.list_param(req, 'claim_ids') or [])
        except errors.MessageIsClaimed:
            raise _claimed_error() from None
        resp.status = falcon.HTTP_204

    def _pop(self, req, resp, queue_name, project_id):
        count = utils.int_param(req, 'pop')
        self.validator.pop(count)
        messages = self.pipelines.message.pop(queue_name, count,
                                              project=self.scope(project_id))
        resp.media = {'messages': [
            {**present(queue_name, m, prefix=self.prefix),
             'claim_count': m['claim_count']}
            for m in messages]}


class Item(Resource):
    """GET, DELETE /v2/queues/{name}/messages/{id}."""

    def on_get(self, req, resp, project_id, client_id, queue_name,
               message_id):
        with_state = browsing(req)
        message = self.pipelines.message.get(queue_name, message_id,
                                             project=self.scope(project_id))
        resp.media = present_with_state(
            queue_name, message, time.time(), prefix=self.prefix) \
            if with_state else present(queue_name, message, prefix=self.prefix)

    def on_delete(self, req, resp, project_id, client_id, queue_name,
                  message_id):
        try:
            self.pipelines.message.delete(
                queue_name, message_id, project=self.scope(project_id),
                claim=req.get_param('claim_id'))
        except errors.MessageIsClaimed:
            raise _claimed_error() from None
        except errors.ClaimDoesNotMatch:
            raise unable_to_delete('The specified claim does not exist or '
                                   'has expired.') from None
        except errors.MessageNotClaimed:
            raise unable_to_delete('A claim was specified, but the message '
                                   'is not currently claimed.') from None
        resp.status = falcon.HTTP_204


class Reject(Resource):
    """POST /v2/queues/{name}/messages/{id}/reject?claim_id=C: move a held
    message to the queue's dead-letter queue, with a reason."""

    def on_post(self, req, resp, project_id, client_id, queue_name,
                message_id):
        claim_id = req.get_param('claim_id')
        if not claim_id:
            raise errors.ValidationError(
                'A reject needs the claim_id of the live claim holding the '
                'message.', title='Unable to reject')
        raw, _ = utils.read_raw(req, self.limits.max_messages_post_size)
        detail = self.validator.reject(
            utils.parse_json(raw) if raw.strip() else {})
        try:
            self.pipelines.message.reject(
                queue_name, message_id, project=self.scope(project_id),
                claim=claim_id, detail=detail)
        except errors.ClaimDoesNotMatch:
            raise errors.ValidationError(
                'The specified claim does not exist or has expired.',
                title='Unable to reject') from None
        except errors.MessageNotClaimed:
            raise errors.ValidationError(
                'A claim was specified, but the message is not currently '
                'claimed.', title='Unable to reject') from None
        resp.status = falcon.HTTP_204


def _claimed_error():
    return falcon.HTTPForbidden(title='Unable to delete',
                                description=CLAIMED_TEXT)
