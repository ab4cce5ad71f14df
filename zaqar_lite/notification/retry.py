"""Retry policies of notifications: Zaqar's ``_retry_policy`` shape.

A policy is a dict of optional keys; a failed delivery is retried
``retries_with_no_delay`` times at once, then ``minimum_delay_retries``
times ``minimum_delay`` seconds apart, then with delays growing from
``minimum_delay`` to ``maximum_delay`` by ``retry_backoff_function``
(one step every ``BACKOFF_STEP`` seconds of the range), then
``maximum_delay_retries`` times ``maximum_delay`` seconds apart.  The
policy comes from the subscription's options, else from the queue's
metadata; ``ignore_subscription_override`` in the queue's policy makes the
queue's win.
"""

from zaqar_lite.errors import ValidationError

DEFAULTS = {'retries_with_no_delay': 3, 'minimum_delay_retries': 3,
            'minimum_delay': 5, 'maximum_delay': 30,
            'maximum_delay_retries': 3, 'retry_backoff_function': 'linear',
            'ignore_subscription_override': False}
BACKOFF_STEP = 5  # seconds of the delay range per backoff retry
BACKOFF_FUNCTIONS = ('linear', 'arithmetic', 'geometric', 'exponential')
INT_KEYS = ('retries_with_no_delay', 'minimum_delay_retries',
            'minimum_delay', 'maximum_delay', 'maximum_delay_retries')
MAX_RETRIES = 1000  # per phase; bounds the schedule a client can ask for


def validate(policy) -> None:
    """Raise ValidationError (Zaqar's texts) unless ``policy`` is valid."""
    if policy is None:
        return
    if not isinstance(policy, dict):
        raise ValidationError('retry_policy must be a dict.')
    function = policy.get('retry_backoff_function')
    if function is not None and not isinstance(function, str):
        raise ValidationError('retry_backoff_function must be a string.')
    if function is not None and function not in BACKOFF_FUNCTIONS:
        raise ValidationError('invalid retry_backoff_function.')
    ignore = policy.get('ignore_subscription_override')
    if ignore is not None and not isinstance(ignore, bool):
        raise ValidationError('ignore_subscription_override must be a '
                              'boolean.')
    for key in INT_KEYS:
        value = policy.get(key)
        if value is not None and (not isinstance(value, int)
                                  or isinstance(value, bool)
                                  or not 0 <= value <= 10 ** 6):
            raise ValidationError(f'Retry policy: {key} must be a integer.')
        if key.endswith('retries') and value is not None \
                and value > MAX_RETRIES:
            raise ValidationError(
                f'Retry policy: {key} may not be greater than {MAX_RETRIES}.')
    low = policy.get('minimum_delay', DEFAULTS['minimum_delay'])
    high = policy.get('maximum_delay', DEFAULTS['maximum_delay'])
    if high < low:
        raise ValidationError('minimum_delay must less than maximum_delay.')
    if high - low < 2 * BACKOFF_STEP:
        raise ValidationError('invalid minimum_delay and maximum_delay.')


def effective(subscription_policy, queue_policy) -> dict:
    """The policy that applies, with every key filled in."""
    subscription_policy = subscription_policy or {}
    queue_policy = queue_policy or {}
    if queue_policy.get('ignore_subscription_override') or \
            subscription_policy.get('ignore_subscription_override'):
        chosen = queue_policy
    else:
        chosen = subscription_policy or queue_policy
    return {**DEFAULTS, **chosen}


def delays(policy) -> list:
    """Seconds to wait before each retry, in order (len = retries)."""
    low, high = policy['minimum_delay'], policy['maximum_delay']
    return ([0] * policy['retries_with_no_delay']
            + [low] * policy['minimum_delay_retries']
            + backoff(policy['retry_backoff_function'], low, high)
            + [high] * policy['maximum_delay_retries'])


def backoff(function, low, high) -> list:
    """The growing delays between ``low`` and ``high``."""
    steps = max((high - low) // BACKOFF_STEP, 2)
    if function == 'linear':
        return list(range(low, high, BACKOFF_STEP))
    if function == 'arithmetic':  # increments grow by a constant
        return [int(low + (high - low) * (n * (n + 1) / 2) /
                    (steps * (steps - 1) / 2)) for n in range(steps - 1)] \
            + [high]
    low = max(low, 1)  # geometric and exponential: a constant ratio
    ratio = (high / low) ** (1 / (steps - 1))
    first = 0 if function == 'geometric' else 1
    return [min(int(low * ratio ** (n + first)), high)
            for n in range(steps)]
