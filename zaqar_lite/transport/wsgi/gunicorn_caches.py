"""Two of gunicorn's per-request computations, kept in a worker process.

For every answer gunicorn formats the current time for its ``Date``
header (``gunicorn.util.http_date``, through ``email.utils``), and for
every request it parses the peer's address with ``ipaddress`` to decide
whether the peer may set forwarding headers
(``gunicorn.http.message._ip_in_allow_list``).  Together they took about
5 % of a worker's CPU time on posts (``docs/benchmarks.md``).

``install`` replaces both, in the calling process only, by equivalents
that keep their answers: the ``Date`` text of the current second (the
header's resolution), and the verdict per peer address and allow list.
A gunicorn without one of these functions keeps its own; nothing else
changes.  ``LingeringThreadWorker`` installs them when its process starts.
"""

import logging
import time

from gunicorn import util
from gunicorn.http import message

LOG = logging.getLogger(__name__)

VERDICTS_KEPT = 4096  # peer verdicts kept before the cache starts over


class DateOfTheSecond:
    """``http_date``, formatting the current time once per second.

    Args:
        http_date: gunicorn's ``http_date(timestamp=None)``.
    """

    def __init__(self, http_date):
        self.http_date = http_date
        self._kept = (None, '')  # (second, its text), replaced whole

    def __call__(self, timestamp=None):
        if timestamp is not None:
            return self.http_date(timestamp)
        second = int(time.time())
        kept = self._kept
        if kept[0] != second:
            kept = self._kept = (second, self.http_date(second))
        return kept[1]


class KeptVerdicts:
    """``_ip_in_allow_list(ip, allow_list, networks)``, decided once per
    peer address and lists.

    The lists gunicorn passes are its worker's settings, which never
    change while the worker runs; a verdict is kept with the lists it
    was made for (which keeps them alive, so their ids are not reused by
    other lists), at most ``size`` verdicts at a time.
    """

    def __init__(self, check, size=VERDICTS_KEPT):
        self.check = check
        self.size = size
        self._verdicts = {}  # (ip, id(allow_list), id(networks)) -> entry

    def __call__(self, ip_str, allow_list, networks):
        key = (ip_str, id(allow_list), id(networks))
        entry = self._verdicts.get(key)
        if entry is not None and entry[0] is allow_list and \
                entry[1] is networks:
            return entry[2]
        verdict = self.check(ip_str, allow_list, networks)
        if len(self._verdicts) >= self.size:
            self._verdicts.clear()
        self._verdicts[key] = (allow_list, networks, verdict)
        return verdict


def install() -> list:
    """Replace gunicorn's two computations in this process; returns the
    names of those replaced."""
    replaced = []
    if callable(getattr(util, 'http_date', None)) and \
            not isinstance(util.http_date, DateOfTheSecond):
        util.http_date = DateOfTheSecond(util.http_date)
        replaced.append('gunicorn.util.http_date')
    check = getattr(message, '_ip_in_allow_list', None)
    if callable(check) and not isinstance(check, KeptVerdicts):
        message._ip_in_allow_list = KeptVerdicts(check)
        replaced.append('gunicorn.http.message._ip_in_allow_list')
    LOG.debug('kept per worker: %s', ', '.join(replaced) or 'nothing')
    return replaced
