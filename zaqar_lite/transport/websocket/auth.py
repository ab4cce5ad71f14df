"""The ``authenticate`` action and the per-frame authentication check.

Without an auth strategy (``[DEFAULT] auth_strategy`` unset, ``noauth``,
or not an option of this build) every frame stands on its own headers, as
over HTTP; ``authenticate`` answers 200 and changes nothing.

With ``auth_strategy = keystone`` (the option comes with Keystone support)
a connection must first send ``authenticate`` with ``X-Auth-Token`` and
``X-Project-ID`` (only ``ping`` and ``get_home_doc`` are served before,
as their HTTP routes are without a token).  The token is checked by the HTTP API's own auth
middleware: the headers are sent, in-process, to a project-scoped route
(``PROBE``), and only a 2xx answer authenticates.  The middleware's
verdict (the token's project, ``keystone.token_info``'s expiry) is read
from the request environment.  Afterwards each frame is sent with that
token, a frame naming another project is refused, and the connection is
closed (4003) when the token expires.  Before that, only frames carrying
``URL-Signature`` are served, verified per frame like any signed request.
"""

import dataclasses
import datetime

from oslo_config import cfg

from zaqar_lite.transport.websocket import dispatch
from zaqar_lite.transport.websocket.actions import HttpRequest

PROBE = HttpRequest('GET', '/v2/queues', [('limit', '1')])
NOAUTH = ('', 'noauth', None)
# Actions served without authentication, as their HTTP routes are.
PUBLIC = ('ping', 'ping_node', 'get_home_doc')


class NotAuthenticated(Exception):
    """The frame may not be served on this connection (403)."""


@dataclasses.dataclass
class Session:
    """A connection's authentication state."""

    headers: dict = dataclasses.field(default_factory=dict)
    project: str | None = None
    expires_in: float | None = None  # seconds, when authenticated

    @property
    def is_authenticated(self) -> bool:
        return self.project is not None


def strategy(conf):
    """The configured auth strategy's name (None: no authentication)."""
    try:
        name = conf.auth_strategy
    except cfg.NoSuchOptError:
        return None
    return None if name in NOAUTH else name


class Authenticator:
    """Authenticates connections through the WSGI app's own middleware.

    Args:
        app: the WSGI application (with its auth middleware, if any).
        name: the auth strategy (None: no authentication).
    """

    def __init__(self, app, name=None):
        self.app = app
        self.name = name

    @property
    def required(self) -> bool:
        return self.name is not None

    def authenticate(self, headers, session: Session) -> tuple[int, dict]:
        """Check ``headers``' credentials; ``(status, body)`` of the answer."""
        if not self.required:
            return 200, {'message': 'Authentified.'}
        env = dispatch.environ(PROBE, headers)
        answer = dispatch.call(self.app, env)
        if not 200 <= answer.status < 300:
            return answer.status, {'error': 'Authentication failed.'}
        session.project = env.get('HTTP_X_PROJECT_ID')
        session.headers = {name: headers[name] for name in
                           ('X-Auth-Token', 'X-Project-ID') if name in headers}
        session.expires_in = _expires_in(env.get('keystone.token_info'))
        return 200, {'message': 'Authentified.'}

    def check(self, action, headers, session: Session) -> dict:
        """The headers to serve a frame of ``action`` with.

        Raises:
            NotAuthenticated: the connection is not authenticated (and the
                frame is not signed, nor public), or the frame names
                another project.
        """
        if not self.required or 'URL-Signature' in headers or \
                action in PUBLIC:
            return headers
        if not session.is_authenticated:
            raise NotAuthenticated('Not authentified.')
        project = headers.get('X-Project-ID', session.project)
        if project != session.project:
            raise NotAuthenticated('The project of the frame is not the '
                                   'authenticated one.')
        return {**headers, **session.headers}


def _expires_in(token_info):
    try:
        text = token_info['token']['expires_at']
    except (KeyError, TypeError):
        return None
    expires = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    now = datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (expires - now).total_seconds())
