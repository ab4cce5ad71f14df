"""Redelivery backoff: how long a message waits after a claim on it ends.

A queue's ``_redelivery_policy`` metadata has the shape of a notification
``_retry_policy`` (``notification/retry.py``; keys it does not give take
that module's defaults) and is read the same way: after the claim that
took a message for the n-th time ends (released, or lapsed), the message
may be claimed again ``retry.delays(policy)[n - 1]`` seconds later, or
``maximum_delay`` seconds later once n is past the schedule's end.
``ignore_subscription_override`` has no subscription to override here and
is ignored.  A queue without the key keeps Zaqar's behaviour: a message is
claimable again as soon as its claim ends.

Drivers compute a message's availability when a claim takes it or is
renewed (claim end + backoff), so a claim that lapses needs no write, and
when a claim is released (now + backoff, unless the release gives its own
delay).
"""

from __future__ import annotations

import dataclasses
import functools
import json

from zaqar_lite.notification import retry

POLICY_KEY = '_redelivery_policy'


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Delays (seconds) by claim count: ``delays[n - 1]`` after the n-th
    claim, ``after`` past the end."""

    delays: tuple
    after: int

    def delay(self, claim_count: int) -> int:
        """Seconds a message claimed ``claim_count`` times waits after the
        claim ends (0 for a message never claimed)."""
        if claim_count < 1:
            return 0
        if claim_count <= len(self.delays):
            return self.delays[claim_count - 1]
        return self.after


NO_BACKOFF = Schedule((), 0)


def schedule(metadata) -> Schedule:
    """The backoff schedule of a queue with this metadata (``NO_BACKOFF``
    when it sets no ``_redelivery_policy``)."""
    policy = (metadata or {}).get(POLICY_KEY)
    if not isinstance(policy, dict):
        return NO_BACKOFF
    return _schedule(json.dumps(policy, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _schedule(policy_text) -> Schedule:
    policy = {**retry.DEFAULTS, **json.loads(policy_text)}
    delays = retry.delays(policy)
    high = policy['maximum_delay']
    while delays and delays[-1] == high:  # what follows the end anyway
        delays.pop()
    return Schedule(tuple(delays), high)
