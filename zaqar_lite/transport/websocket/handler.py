"""Serving one request frame: checks, the HTTP route, Zaqar's extras.

Everything here is synchronous and runs in a storage thread, except the
checks of a socket subscription, which touch no storage.
"""

import falcon

from zaqar_lite import errors
from zaqar_lite.transport.websocket import actions, dispatch, frames
from zaqar_lite.transport.websocket.auth import NotAuthenticated
from zaqar_lite.transport.wsgi.errors import STATUSES

SPECIAL = ('authenticate',)


class Request:
    """A decoded request frame, checked for shape.

    Raises:
        ValidationError: unknown action, or headers or body not objects.
    """

    def __init__(self, document: dict):
        self.document = document
        self.name = document.get('action')
        if not isinstance(self.name, str) or (
                self.name not in actions.ACTIONS and self.name not in SPECIAL):
            known = ', '.join(sorted([*actions.ACTIONS, *SPECIAL]))
            raise errors.ValidationError(
                f'Invalid action: {self.name!r}. Known actions: {known}.',
                title='Invalid action')
        self.headers = dispatch.check_headers(document.get('headers', {}))
        self.body = document.get('body', {})
        if not isinstance(self.body, dict):
            raise errors.ValidationError('The "body" of a request must be an '
                                         'object.', title='Invalid request')

    @property
    def subscribes_socket(self) -> bool:
        """A subscription create without a subscriber: this socket's."""
        return self.name == 'subscription_create' and \
            self.body.get('subscriber') in (None, '')


def error_answer(document, exc) -> dict:
    """The answer for an error raised while serving ``document``: the
    status and title the HTTP API gives the same error."""
    if isinstance(exc, NotAuthenticated):
        status, title, description = 403, 'Not authenticated', str(exc)
    elif isinstance(exc, falcon.HTTPError):
        status, title = exc.status_code, exc.title
        description = exc.description or exc.title
    else:
        known = next((STATUSES[cls] for cls in type(exc).__mro__
                      if cls in STATUSES), None)
        if known is None:
            raise exc
        status = int(known[0].split()[0])
        title = getattr(exc, 'title', None) or known[1]
        description = getattr(exc, 'description', None) or str(exc)
    return frames.answer(document, status,
                         frames.error_body(title, description))


class Handler:
    """Serves requests through the WSGI app (the HTTP API's own rules).

    Args:
        app: the WSGI application.
        checks: the app's ``RequestChecks`` (for socket subscriptions).
        validator: the transport ``Validator``.
        limits: ``conf.transport``.
    """

    def __init__(self, app, checks, validator, limits):
        self.app = app
        self.checks = checks
        self.validator = validator
        self.limits = limits

    def serve(self, request: Request, headers: dict, remote='') -> dict:
        """The answer to ``request``, sent with ``headers``.

        Raises:
            ValidationError: the body does not make an HTTP request.
        """
        http = actions.to_http(actions.ACTIONS[request.name], request.body)
        answer = dispatch.call(self.app,
                               dispatch.environ(http, headers, remote))
        body = answer.body if answer.body is not None else {}
        if answer.status < 400:
            body = _zaqar_extras(request.name, body, answer.headers)
        elif isinstance(body, dict):
            body = {**body, 'error': body.get('description',
                                              body.get('title'))}
        return frames.answer(request.document, answer.status, body)

    def socket_subscription(self, request: Request, headers: dict):
        """Check a socket subscription as the HTTP POST would be checked.

        Returns:
            ``(project, queue, ttl)``.

        Raises:
            ValidationError, falcon.HTTPError: as over HTTP.
        """
        http = actions.to_http(actions.ACTIONS[request.name], request.body)
        req = falcon.Request(dispatch.environ(http, headers))
        params = {'queue_name': request.body['queue_name']}
        self.checks.process_request(req, falcon.Response())  # signature
        self.checks.process_resource(req, None, _ProjectScoped, params)
        document = {key: request.body[key] for key in ('ttl', 'options')
                    if key in request.body}
        if document:
            self.validator.subscription_patching(document)
        ttl = document.get('ttl', self.limits.default_subscription_ttl)
        return params['project_id'], params['queue_name'], ttl


class _ProjectScoped:
    """Stands for the subscriptions resource in the request checks."""

    project_scoped = True
    kind = 'queue'


def _zaqar_extras(action, body, headers):
    """Keys Zaqar's WebSocket answers carry beside the HTTP body."""
    if action == 'message_post' and 'resources' in body:
        ids = [href.rsplit('/', 1)[1] for href in body['resources']]
        return {**body, 'message_ids': ids}
    if action == 'claim_create' and 'location' in headers:
        return {**body, 'claim_id': headers['location'].rsplit('/', 1)[1]}
    return body
