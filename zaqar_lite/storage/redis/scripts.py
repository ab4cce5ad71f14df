"""The Lua scripts of the Redis store, loaded once per driver."""

import importlib.resources
import time

import redis

from zaqar_lite import errors

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

    Args:
        client: a ``redis.Redis``.
        prefix: the first part of every key.
    """

    def __init__(self, client, prefix):
        common = _source('common')
        self.prefix = prefix
        self._scripts = {name: client.register_script(
            common + '\n' + _source(name)) for name in NAMES}

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
            return now, self._scripts[name](args=argv)
        except (redis.ConnectionError, redis.TimeoutError,
                redis.exceptions.BusyLoadingError,
                redis.exceptions.ReadOnlyError) as exc:
            raise errors.StorageUnavailable(f'Redis: {exc}') from exc
