"""Commands on the store's hot path, sent with less per-command work.

Every request the API serves runs one or two Lua scripts.  Through
``redis.Redis.execute_command`` each of them checks a connection out of
the client's pool and back in (a lock each way, a ``poll`` for stray
data, redis-py's metrics hooks): about 25 µs of CPU a command on the
project's machine, a third of the command's cost (see
``docs/benchmarks.md``).

``RoundTrips`` keeps the pool's connections it has used in a free list of
its own and sends each command on one of them with redis-py's
``Connection`` (its reply parser and health checks), hiredis's command
encoder, and the client's ``Retry``.  The pool still creates the connections and caps
their number (``max_connections``): the free list holds at most as many
as were in use at once.
"""

import collections
import os

import redis
from hiredis import pack_command  # redis[hiredis]: redis-py's own encoder


class RoundTrips:
    """Sends commands on connections of ``client``'s pool.

    Thread-safe: a connection is used by one command at a time.

    Args:
        client: a ``redis.Redis``; its pool and retry policy are used.
    """

    def __init__(self, client):
        self._pool = client.connection_pool
        self._retry = client.get_retry()
        self._reset()

    def _reset(self):
        self._pid = os.getpid()
        self._idle = collections.deque()

    def execute(self, *command):
        """The reply to ``command``, retried as the client would retry it.

        Raises:
            redis.RedisError: as ``redis.Redis.execute_command`` does.
        """
        if self._pid != os.getpid():  # forked: the parent's are not ours
            self._reset()
        try:
            connection = self._idle.pop()
        except IndexError:
            connection = self._pool.get_connection()

        def send():  # the arguments are str, bytes and numbers
            connection.send_packed_command([pack_command(command)])
            return connection.read_response()

        try:
            reply = self._retry.call_with_retry(
                send, lambda _error: connection.disconnect())
        except redis.ResponseError:
            self._idle.append(connection)  # the whole reply was read
            raise
        except BaseException:
            # the reply may still be on its way: never reuse the socket
            connection.disconnect()
            self._pool.release(connection)
            raise
        self._idle.append(connection)
        return reply
