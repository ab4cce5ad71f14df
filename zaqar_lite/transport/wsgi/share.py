"""POST /v2/queues/{queue}/share: pre-signed URLs for a queue's resources.

The answer carries what a holder sends as headers (``URL-Signature``,
``URL-Paths``, ``URL-Methods``, ``URL-Expires``, ``X-Project-ID``) to use
exactly those paths and methods until the expiry, without other
credentials (see ``hooks.RequestChecks._check_signature``).
"""

from zaqar_lite import errors, signed_url
from zaqar_lite.transport.wsgi import utils

KNOWN_KEYS = {'methods', 'expires', 'paths'}
VALID_PATHS = {'messages', 'subscriptions', 'claims'}
VALID_METHODS = {'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'}
MAX_BODY = 4096


class Share:
    """Signs paths of one queue with ``[signed_url] secret_key``."""

    def __init__(self, secret_key):
        self.secret_key = secret_key

    def on_post(self, req, resp, project_id, client_id, queue_name):
        raw, length = utils.read_raw(req, MAX_BODY)
        if length > MAX_BODY:
            raise utils.document_type_error()
        document = utils.parse_json(raw) if raw.strip() else {}
        if not isinstance(document, dict):
            raise utils.document_type_error()
        unknown = set(document) - KNOWN_KEYS
        if unknown:
            raise errors.ValidationError(f'Unknown keys: {unknown}')
        if not self.secret_key:
            raise errors.ValidationError(
                'Pre-signed URLs are not available: the server has no '
                '[signed_url] secret_key.')
        base = f'/v2/queues/{queue_name}'
        paths = document.get('paths') or ['messages']
        if not isinstance(paths, list) or \
                not all(isinstance(path, str) for path in paths):
            raise errors.ValidationError('`paths` must be a list of names.')
        invalid = set(paths) - VALID_PATHS
        if invalid:
            raise errors.ValidationError(f'Invalid paths: {invalid}')
        methods = document.get('methods') or ['GET']
        if not isinstance(methods, list) or \
                not set(methods) <= VALID_METHODS:
            raise errors.ValidationError(
                f'`methods` should be a list of {sorted(VALID_METHODS)}.')
        try:
            resp.media = signed_url.sign(
                self.secret_key, [f'{base}/{path}' for path in paths],
                project_id, methods=methods, expires=document.get('expires'))
        except signed_url.SignatureError as exc:
            raise errors.ValidationError(str(exc)) from None
