"""The redelivery schedule is the notification retry schedule."""

from zaqar_lite.notification import retry
from zaqar_lite.storage import redelivery


def test_no_policy_means_no_backoff():
    for metadata in (None, {}, {'_redelivery_policy': None}):
        assert redelivery.schedule(metadata) is redelivery.NO_BACKOFF
    assert redelivery.NO_BACKOFF.delay(5) == 0


def test_the_delay_after_the_nth_claim_is_the_nth_retry_delay():
    policy = {'retry_backoff_function': 'exponential', 'minimum_delay': 2,
              'maximum_delay': 120}
    delays = retry.delays({**retry.DEFAULTS, **policy})
    schedule = redelivery.schedule({'_redelivery_policy': policy})
    assert [schedule.delay(n) for n in range(1, len(delays) + 1)] == delays
    assert schedule.delay(len(delays) + 1) == schedule.delay(10 ** 6) == 120
    assert schedule.delay(0) == 0  # never claimed


def test_an_empty_policy_takes_the_retry_policy_defaults():
    schedule = redelivery.schedule({'_redelivery_policy': {}})
    assert [schedule.delay(n) for n in range(1, 8)] == [0, 0, 0, 5, 5, 5, 5]
    assert schedule.delay(100) == retry.DEFAULTS['maximum_delay']
