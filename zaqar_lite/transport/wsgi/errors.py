"""Exception class -> HTTP answer, registered once with the Falcon app.

Falcon picks the handler of the most specific class, so a family maps to
one status and anything unexpected becomes a logged 500 whose body reveals
nothing of the failure.
"""

import logging

import falcon

from zaqar_lite import errors

LOG = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds a client should wait after a 503
BUSY_RETRY_AFTER = 1  # seconds, after a 503 for too many waiting claims

# class -> (status, title); the description is the exception's message.
STATUSES = {
    errors.ValidationError: (falcon.HTTP_400, None),
    errors.AuthenticationRequired: (falcon.HTTP_401, 'Unauthorized'),
    errors.DoesNotExist: (falcon.HTTP_404, 'Not found'),
    errors.NotPermitted: (falcon.HTTP_403, 'Not permitted'),
    errors.Conflict: (falcon.HTTP_409, 'Resource conflict'),
}


def register(app: falcon.App) -> None:
    """Install the handlers on ``app``."""
    for cls, (status, title) in STATUSES.items():
        app.add_error_handler(cls, _handler(status, title))
    app.add_error_handler(errors.StorageUnavailable, _unavailable)
    app.add_error_handler(errors.TooManyWaitingClaims, _busy)
    app.add_error_handler(Exception, _unexpected)


def error_body(resp, status, title, description):
    """Answer with Zaqar's JSON error document."""
    resp.status = status
    resp.media = {'title': title, 'description': description}


def _handler(status, title):
    def handle(req, resp, exc, params):
        error_body(resp, status, getattr(exc, 'title', None) or title,
                   getattr(exc, 'description', None) or str(exc))
    return handle


def _unavailable(req, resp, exc, params):
    LOG.warning('storage unavailable for %s %s: %s', req.method, req.path, exc)
    resp.set_header('Retry-After', str(RETRY_AFTER))
    description = str(exc) if isinstance(exc, errors.NoPoolFound) else (
        'The storage engine could not be reached. Please try again in a '
        'few seconds.')
    error_body(resp, falcon.HTTP_503, 'Service temporarily unavailable',
               description)


def _busy(req, resp, exc, params):
    resp.set_header('Retry-After', str(BUSY_RETRY_AFTER))
    error_body(resp, falcon.HTTP_503, 'Too many waiting claims', str(exc))


def _unexpected(req, resp, exc, params):
    if isinstance(exc, falcon.HTTPError):
        # Falcon's own errors (404 route, 405, 415...) keep their answer.
        raise exc
    LOG.exception('unexpected error on %s %s', req.method, req.path)
    error_body(resp, falcon.HTTP_500, 'Internal server error',
               'An unexpected error occurred; it has been logged.')
