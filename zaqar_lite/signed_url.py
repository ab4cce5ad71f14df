"""Pre-signed URLs in Zaqar's format: HMAC-SHA256 over paths, methods,
project and expiry, so signatures made by Zaqar verify here and back.

The signed text joins its four parts with a literal backslash and ``n``
(two characters), as Zaqar does; it must stay that way to be compatible.
"""

import datetime
import hashlib
import hmac

DATE_FORMAT = '%Y-%m-%dT%H:%M:%S'
DEFAULT_LIFETIME = datetime.timedelta(days=1)


class SignatureError(ValueError):
    """The values to sign, or the signature given, are not acceptable."""


def parse_expires(expires) -> datetime.datetime:
    """An ISO-8601 expiry as a naive UTC datetime.

    Raises:
        SignatureError: not a date (Zaqar's texts).
    """
    if isinstance(expires, int) or (isinstance(expires, str)
                                    and expires.strip().isdigit()):
        raise SignatureError('`expires` should be date format, for example '
                             f'2016-01-01T00:00:00, not integer value: '
                             f'{expires}')
    try:
        parsed = datetime.datetime.fromisoformat(
            str(expires).replace('Z', '+00:00'))
    except ValueError:
        raise SignatureError(f'`expires` is not a date: {expires}') from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def sign(key: str, paths, project, methods=None, expires=None) -> dict:
    """A signature for ``paths`` and ``methods`` until ``expires``.

    Returns:
        ``{'paths', 'methods', 'project', 'expires', 'signature'}`` with
        paths and methods sorted and ``expires`` formatted as Zaqar does.

    Raises:
        SignatureError: no key, no paths, or an expiry in the past.
    """
    if not key:
        raise SignatureError('no [signed_url] secret_key is configured')
    if not paths:
        raise SignatureError('`paths` must be a non-empty list')
    methods = sorted(methods or ['GET'])
    paths = sorted(paths)
    when = utcnow() + DEFAULT_LIFETIME if expires is None \
        else parse_expires(expires)
    if when <= utcnow():
        raise SignatureError('`expires` is lower than the current time')
    expires_text = when.strftime(DATE_FORMAT)
    text = '\\n'.join([','.join(paths), ','.join(methods), str(project),
                       expires_text])
    digest = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    return {'paths': paths, 'methods': methods, 'project': project,
            'expires': expires_text, 'signature': digest}


def verify(key, signature, paths, methods, project, expires) -> bool:
    """Whether ``signature`` signs exactly these values and is unexpired."""
    if not key or not signature:
        return False
    try:
        expected = sign(key, paths, project, methods, expires)['signature']
    except SignatureError:
        return False
    return hmac.compare_digest(expected, signature)
