"""The Lua scripts of the Redis store, loaded once per driver."""

import hashlib
import importlib.resources
import time

import redis

from zaqar_lite import errors
from zaqar_lite.storage.redis.roundtrip import RoundTrips

NAMES = ('queue_create', 'queue_set_metadata', 'queue_delete', 'queue_get',
         'queue_list', 'queue_stats', 'queues_all', 'message_post',
         'message_list', 'message_get', 'message_first', 'message_tail',
         'message_delete', 'message_bulk_delete', 'message_pop', 'claim_create', 'claim_get',
         'claim_update', 'claim_delete', 'housekeep', 'sub_create',
         'sub_get', 'sub_list', 'sub_update', 'sub_confirm', 'sub_delete',
         'message_reject', 'redrive_job')


def _source(name):
    return (importlib.resources.files(__package__) / 'lua' / f'{name}.lua'
            ).read_text()


class Scripts:
    """Runs the store's scripts on one Redis client.

    A script is sent by its SHA1 (``EVALSHA``) and loaded when the server
    does not know it yet.

    Args:
        client: a ``redis.Redis``.
        prefix: the first part of every key.
    """

    def __init__(self, client, prefix):
        common = _source('common')
        self.prefix = prefix
        self._sources = {name: common + '\n' + _source(name)
                         for name in NAMES}
        self._shas = {name: hashlib.sha1(source.encode()).hexdigest()
                      for name, source in self._sources.items()}
        self._trips = RoundTrips(client)

    @staticmethod
    def now() -> float:
        """The time scripts run at unless told otherwise."""
        return time.time()

    def run(self, name, project, queue, *args, now=None):
        """Run a script for one queue at ``now`` (default: the current time).

        Returns:
            ``(now, result)``.

        Raises:
            StorageUnavailable: Redis cannot be reached or is failing.
        """
        now = time.time() if now is None else now
        argv = [self.prefix, project or '', queue or '', repr(now), *args]
        try:
            return now, self._evaluate(name, argv)
        except (redis.ConnectionError, redis.TimeoutError,
                redis.exceptions.BusyLoadingError,
                redis.exceptions.ReadOnlyError) as exc:
            raise errors.StorageUnavailable(f'Redis: {exc}') from exc

    def _evaluate(self, name, argv):
        try:
            return self._trips.execute('EVALSHA', self._shas[name], 0, *argv)
        except redis.exceptions.NoScriptError:  # a new or flushed server
            self._trips.execute('SCRIPT', 'LOAD', self._sources[name])
            return self._trips.execute('EVALSHA', self._shas[name], 0, *argv)
