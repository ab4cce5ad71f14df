"""Retry policies: Zaqar's shape and defaults, validated with its texts."""

import pytest

from zaqar_lite.errors import ValidationError
from zaqar_lite.notification import retry


def test_default_schedule_is_zaqars():
    assert retry.delays(retry.effective(None, None)) == \
        [0, 0, 0, 5, 5, 5, 5, 10, 15, 20, 25, 30, 30, 30]


@pytest.mark.parametrize('function', retry.BACKOFF_FUNCTIONS)
def test_backoff_grows_from_minimum_to_maximum(function):
    delays = retry.backoff(function, 5, 60)
    assert delays == sorted(delays)
    assert 5 <= delays[0] and delays[-1] <= 60


def test_subscription_policy_wins_unless_the_queue_says_otherwise():
    mine, queues = {'minimum_delay': 1}, {'minimum_delay': 2}
    assert retry.effective(mine, queues)['minimum_delay'] == 1
    assert retry.effective(None, queues)['minimum_delay'] == 2
    forced = {**queues, 'ignore_subscription_override': True}
    assert retry.effective(mine, forced)['minimum_delay'] == 2


@pytest.mark.parametrize('policy, text', [
    ([1], 'retry_policy must be a dict.'),
    ({'retry_backoff_function': 'cubic'}, 'invalid retry_backoff_function.'),
    ({'retry_backoff_function': 3}, 'retry_backoff_function must be a '
                                    'string.'),
    ({'ignore_subscription_override': 'no'},
     'ignore_subscription_override must be a boolean.'),
    ({'minimum_delay': 'x'}, 'Retry policy: minimum_delay must be a '
                             'integer.'),
    ({'minimum_delay': 40}, 'minimum_delay must less than maximum_delay.'),
    ({'minimum_delay': 25}, 'invalid minimum_delay and maximum_delay.'),
    ({'minimum_delay_retries': 10 ** 5}, 'may not be greater than 1000'),
])
def test_invalid_policies(policy, text):
    with pytest.raises(ValidationError, match=text.replace('.', r'\.')):
        retry.validate(policy)
