"""Claim resources: /v2/queues/{name}/claims and .../claims/{id}."""

import falcon

from zaqar_lite import errors
from zaqar_lite.storage.redelivery import POLICY_KEY as REDELIVERY_POLICY
from zaqar_lite.transport.wsgi import utils
from zaqar_lite.transport.wsgi.messages import present
from zaqar_lite.transport.wsgi.queues import Resource

CLAIM_BODY_MAX = 4096  # bytes; a claim body holds two integers

DEFAULT_LIMIT = 10  # messages per claim when no limit is given


class ClaimResource(Resource):
    """Reads and validates claim bodies."""

    def _read(self, req, required):
        raw, length = utils.read_raw(req, CLAIM_BODY_MAX)
        if length > CLAIM_BODY_MAX:
            raise utils.document_type_error()
        if not raw.strip():
            if required:
                raise errors.ValidationError(
                    'Request body could not be parsed.',
                    title='Invalid request body')
            return {}
        document = utils.parse_json(raw)
        if not isinstance(document, dict):
            raise utils.document_type_error()
        self.validator.claim(document)
        return document


class Collection(ClaimResource):
    """POST /v2/queues/{name}/claims."""

    def on_post(self, req, resp, project_id, client_id, queue_name):
        limit = utils.int_param(req, 'limit')
        self.validator.claim_limit(limit)
        document = self._read(req, required=False)
        metadata = {'ttl': document.get('ttl', self.limits.default_claim_ttl),
                    'grace': document.get('grace',
                                          self.limits.default_claim_grace)}
        claim_id, messages = self.pipelines.claim.create(
            queue_name, metadata, project=project_id,
            limit=limit or DEFAULT_LIMIT)
        if not messages:
            resp.status = falcon.HTTP_204
            return
        resp.status = falcon.HTTP_201
        resp.location = f'{req.path}/{claim_id}'
        resp.media = {'messages': [present(queue_name, m, claim_id)
                                   for m in messages]}


class Item(ClaimResource):
    """GET, PATCH, DELETE /v2/queues/{name}/claims/{id}."""

    def on_get(self, req, resp, project_id, client_id, queue_name, claim_id):
        claim, messages = self.pipelines.claim.get(queue_name, claim_id,
                                                   project=project_id)
        resp.media = {'age': claim['age'], 'ttl': claim['ttl'],
                      'grace': claim['grace'], 'href': req.path,
                      'messages': [present(queue_name, m, claim_id)
                                   for m in messages]}

    def on_patch(self, req, resp, project_id, client_id, queue_name,
                 claim_id):
        document = self._read(req, required=True)
        metadata = {'ttl': document.get('ttl',
                                        self.limits.default_claim_ttl)}
        if 'grace' in document:
            metadata['grace'] = document['grace']
        self.pipelines.claim.update(queue_name, claim_id, metadata,
                                    project=project_id)
        resp.status = falcon.HTTP_204

    def on_delete(self, req, resp, project_id, client_id, queue_name,
                  claim_id):
        delay = utils.int_param(req, 'delay')
        if delay is not None:
            self.validator.release_delay(delay)
        if delay == 0 and REDELIVERY_POLICY not in (
                self.stored_metadata(queue_name, project_id) or {}):
            delay = None  # the same release, as Zaqar makes it
        # A delay is passed on only when it changes the release (it
        # overrides the queue's redelivery policy): stages written for
        # Zaqar hook delete(queue, claim_id, project=None).
        self.pipelines.claim.delete(queue_name, claim_id, project=project_id,
                                    **({} if delay is None else
                                       {'delay': delay}))
        resp.status = falcon.HTTP_204
