"""Checks every request passes before a responder runs.

``RequestChecks`` is Falcon middleware: it tags each response with a
request id, refuses form-encoded bodies and clients that cannot read JSON,
and, for resources that serve a project's data, checks ``Client-ID`` and
``X-Project-ID`` and puts ``project_id`` and ``client_id`` into the
responder's parameters.  Queue names in the path are validated here too,
once for every route.  Who the client is (token, pre-signed URL or plain
header) is decided by ``auth.Credentials``: a pre-signed request is checked
before routing, so its signature guards every path, admin ones included.
"""

import uuid

import falcon

from zaqar_lite.errors import ValidationError
from zaqar_lite.random_ids import uuid4_text
from zaqar_lite.transport.wsgi.auth import Credentials

FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded'


class RequestChecks:
    """Falcon middleware enforcing the v2 request headers.

    Args:
        validator: the transport ``Validator``.
        credentials: the ``auth.Credentials`` of the app.
    """

    def __init__(self, validator, credentials: Credentials):
        self.validator = validator
        self.credentials = credentials

    def process_request(self, req, resp):
        resp.set_header('x-openstack-request-id', f'req-{uuid4_text()}')
        if req.content_length is not None and \
                (req.content_type or '').lower() == FORM_MEDIA_TYPE:
            # Zaqar refuses form bodies (its bug/1547100), as we do.
            raise ValidationError(
                f'Endpoint does not accept `{FORM_MEDIA_TYPE}` content; '
                'currently supported media type is `application/json`; '
                'specify proper client-side media type with the '
                '"Content-Type" header.', title='Invalid Content-Type')
        if not req.client_accepts_json:
            raise falcon.HTTPNotAcceptable(
                description='Endpoint only serves `application/json`; '
                            'specify client-side media type support with '
                            'the "Accept" header.')
        self.credentials.check_signature(req)

    def process_resource(self, req, resp, resource, params):
        if resource is None:
            return
        if getattr(resource, 'admin_only', False):
            self.credentials.check_admin(req)
        if not getattr(resource, 'project_scoped', True):
            return
        signed = self.credentials.is_signed(req)
        params['project_id'] = (self.credentials.token_project(req)
                                or self._project_id(req))
        params['client_id'] = self._client_id(req, signed)
        queue = params.get('queue_name')
        if queue is not None:
            self.validator.queue_identification(
                queue, params['project_id'],
                kind=getattr(resource, 'kind', 'queue'))

    def _client_id(self, req, signed=False):
        value = req.get_header('Client-ID')
        if value is None and signed:
            return str(uuid.uuid4())  # pre-signed URLs carry no client id
        if value is None:
            raise ValidationError('The "Client-Id" header is required.',
                                  title='Missing header value')
        self.validator.client_id(value)
        return value

    def _project_id(self, req):
        value = req.get_header('X-Project-ID')
        if value is None:
            raise ValidationError('The header X-PROJECT-ID was missing',
                                  title='Project-Id Missing')
        if not value.strip():
            raise ValidationError('X-PROJECT-ID cannot be an empty string. '
                                  'Specify the right header X-PROJECT-ID and '
                                  'retry.',
                                  title='Empty project header not allowed')
        if len(value) > 256 or not value.isprintable():
            raise ValidationError('The format of the submitted queue name or '
                                  'project id is not valid.',
                                  title='Invalid queue identification')
        return value
