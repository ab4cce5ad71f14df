"""Redis clients from the URIs Zaqar's Redis driver accepts."""

import urllib.parse

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from zaqar_lite import errors

DEFAULT_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379
RETRIES = 2  # quick retries of a failed command before a request gets 503


def client_from_uri(uri: str, options: dict) -> redis.Redis:
    """A Redis client for ``uri``; see the package docstring for the forms.

    Args:
        options: ``socket_timeout`` and ``max_connections``.

    Raises:
        ConfigurationError: the URI is malformed.
    """
    parsed = urllib.parse.urlsplit(uri)
    query = dict(urllib.parse.parse_qsl(parsed.query))
    settings = {'socket_timeout': float(options.get('socket_timeout', 5.0)),
                'socket_connect_timeout': float(options.get('socket_timeout',
                                                            5.0)),
                'max_connections': int(options.get('max_connections', 50)),
                'health_check_interval': 30,
                'retry': Retry(ExponentialBackoff(cap=0.2, base=0.02),
                               RETRIES)}
    if parsed.scheme == 'unix':
        return redis.Redis(unix_socket_path=parsed.path,
                           db=int(query.get('db', query.get('dbid', 0))),
                           password=query.get('password'), **settings)
    if parsed.scheme != 'redis':
        raise errors.ConfigurationError(
            f'Redis URI {uri!r} must start with redis:// or unix://')
    db = _database(parsed.path, query)
    if 'master' in query:
        return _sentinel_client(parsed, query['master'], db, settings)
    return redis.Redis(host=parsed.hostname or 'localhost',
                       port=parsed.port or DEFAULT_PORT, db=db,
                       password=parsed.password, **settings)


def _database(path, query):
    number = path.strip('/') or query.get('dbid') or query.get('db') or '0'
    if not number.isdigit():
        raise errors.ConfigurationError(
            f'Redis database {number!r} is not a number')
    return int(number)


def _sentinel_client(parsed, master, db, settings):
    hosts = []
    for part in parsed.netloc.rsplit('@', 1)[-1].split(','):
        host, _, port = part.partition(':')
        hosts.append((host, int(port or DEFAULT_SENTINEL_PORT)))
    settings.pop('max_connections')
    sentinel = Sentinel(hosts, socket_timeout=settings['socket_timeout'])
    return sentinel.master_for(master, db=db, password=parsed.password,
                               **settings)
