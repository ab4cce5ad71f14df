"""Who is asking: the project and roles of a request ([DEFAULT] auth_strategy).

- ``noauth`` (or empty): the project is the ``X-Project-ID`` header as sent,
  and anyone may use the admin API when ``admin_mode`` is on. For
  development, as in Zaqar.
- ``keystone``: keystonemiddleware's ``auth_token``, configured from
  ``[keystone_authtoken]`` as in Zaqar, validates ``X-Auth-Token`` in front
  of the app (:func:`wrap`).  The project is the token's, read from what
  the middleware verified (``keystone.token_auth`` in the WSGI environ,
  which no client can set); a client's ``X-Project-ID`` is ignored.  The
  admin API needs the ``admin`` role.
- Pre-signed requests (``URL-Signature`` present, even empty) skip the
  middleware with either strategy and are allowed only when the signature
  verifies and covers their path and method
  (:meth:`Credentials.check_signature`, run for every route); the project
  is then the signed ``X-Project-ID``.

The middleware runs with ``delay_auth_decision``: it validates and never
answers itself, and :class:`Credentials` refuses, so every refusal has
zaqar-lite's JSON error body (the middleware adds ``WWW-Authenticate``).
"""

from zaqar_lite import errors, signed_url

KEYSTONE = 'keystone'
ADMIN_ROLE = 'admin'
TOKEN_AUTH = 'keystone.token_auth'  # environ key set by auth_token
# auth_token removes any client-sent X-Identity-Status, then sets it.
IDENTITY_STATUS = 'HTTP_X_IDENTITY_STATUS'
SIGNATURE_ENVIRON = 'HTTP_URL_SIGNATURE'


def wrap(app, conf):
    """``app`` behind Keystone's ``auth_token`` when ``auth_strategy`` asks.

    keystonemiddleware registers its ``[keystone_authtoken]`` options (and
    those of its ``auth_type`` plugin) on ``conf`` itself.
    """
    if conf.auth_strategy != KEYSTONE:
        return app
    from keystonemiddleware import auth_token
    checked = auth_token.AuthProtocol(
        app, {'oslo_config_config': conf, 'delay_auth_decision': True})
    return SignedRequestBypass(app, checked)


class SignedRequestBypass:
    """WSGI dispatch: pre-signed requests straight to the app, which
    verifies their signature; every other request through Keystone.

    Args:
        app: the application itself.
        checked: the application behind ``auth_token``.
    """

    def __init__(self, app, checked):
        self.app = app
        self.checked = checked

    def __call__(self, environ, start_response):
        if SIGNATURE_ENVIRON in environ:
            return self.app(environ, start_response)
        return self.checked(environ, start_response)


class Credentials:
    """The identity checks of one app, by strategy.

    Args:
        strategy: ``[DEFAULT] auth_strategy``.
        secret_key: ``[signed_url] secret_key`` (pre-signed requests).
    """

    def __init__(self, strategy: str, secret_key: str | None):
        self.keystone = strategy == KEYSTONE
        self.secret_key = secret_key

    @staticmethod
    def is_signed(req) -> bool:
        """Whether the request presents a pre-signed URL (even empty)."""
        return req.get_header('URL-Signature') is not None

    def check_signature(self, req) -> None:
        """Refuse a pre-signed request unless its signature verifies, has
        not expired and covers its path and method; others pass.

        Raises:
            SignatureRefused: 403.
        """
        if not self.is_signed(req):
            return
        paths, methods = _listed(req, 'URL-Paths'), _listed(req, 'URL-Methods')
        if not signed_url.verify(self.secret_key,
                                 req.get_header('URL-Signature'), paths,
                                 methods, req.get_header('X-Project-ID'),
                                 req.get_header('URL-Expires')):
            raise errors.SignatureRefused(
                'The URL signature is missing, wrong or expired.')
        if req.path.rstrip('/') not in paths or req.method not in methods:
            raise errors.SignatureRefused(
                f'The signature does not allow {req.method} {req.path}.',
                title='Not signed')

    def token_project(self, req) -> str | None:
        """The verified token's project in keystone mode, else None (the
        project then comes from ``X-Project-ID``).

        Raises:
            AuthenticationRequired: keystone mode without a valid token.
            ProjectScopeRequired: the token has no project.
        """
        if not self.keystone or self.is_signed(req):
            return None
        project = self._user(req).project_id
        if not project:
            raise errors.ProjectScopeRequired()
        return project

    def check_admin(self, req) -> None:
        """Refuse an admin operation without the admin role (keystone mode).

        Raises:
            AuthenticationRequired: keystone mode without a valid token.
            AdminRoleRequired: the token lacks the admin role.
        """
        if not self.keystone:
            return
        if self.is_signed(req):
            raise errors.AdminRoleRequired(ADMIN_ROLE)
        if ADMIN_ROLE not in self._user(req).role_names:
            raise errors.AdminRoleRequired(ADMIN_ROLE)

    @staticmethod
    def _user(req):
        """The user token auth_token verified, or 401.

        Both marks are needed: an expired token still has its data in
        ``token_auth``; only the status says it failed validation.
        """
        token_auth = req.env.get(TOKEN_AUTH)
        if token_auth is None or not token_auth.has_user_token or \
                req.env.get(IDENTITY_STATUS) != 'Confirmed':
            raise errors.AuthenticationRequired()
        return token_auth.user


def _listed(req, name):
    return [item.strip() for item in (req.get_header(name) or '').split(',')
            if item.strip()]
