"""Redelivery backoff contract: ``_redelivery_policy`` on release and on
claim expiry."""

import time

import pytest

from tests.conftest import wait_for
from zaqar_lite import errors
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}
# delays by claim count: 50, 50, 55, then 60 (maximum_delay) for ever
SHORT = {'retries_with_no_delay': 0, 'minimum_delay_retries': 1,
         'minimum_delay': 50, 'maximum_delay': 60,
         'maximum_delay_retries': 0, 'retry_backoff_function': 'linear'}
SHORT_DELAYS = [50, 50, 55, 60, 60]
# the first redelivery at once, then 100 seconds and more
LATER = {'retries_with_no_delay': 1, 'minimum_delay_retries': 1,
         'minimum_delay': 100, 'maximum_delay': 200}
SLACK = 5  # seconds a test may take between its clock reads


@pytest.fixture
def queue(queues):
    queues.create('q', project='p')
    return 'q'


def post(messages, count=1, ttl=3600):
    return messages.post('q', [{'body': n, 'ttl': ttl} for n in range(count)],
                         'c', project='p')


def with_policy(queues, policy, **metadata):
    queues.set_metadata('q', {'_redelivery_policy': policy, **metadata},
                        project='p')


def only(messages, message_id):
    [message] = messages.bulk_get('q', [message_id], project='p')
    return message


def test_a_claim_makes_its_messages_wait_the_backoff_of_their_claim_count(
        queues, messages, claims, queue):
    with_policy(queues, SHORT)
    [mid] = post(messages)
    for count, delay in enumerate(SHORT_DELAYS, start=1):
        before = time.time()
        claim_id, [taken] = claims.create('q', LEASE, project='p')
        after = time.time()
        assert taken['claim_count'] == count
        assert before + 60 <= taken['claim_expires'] <= after + 60
        assert before + 60 + delay <= taken['available_at'] \
            <= after + 60 + delay
        claims.delete('q', claim_id, project='p', delay=0)  # again at once
    assert only(messages, mid)['claim_count'] == len(SHORT_DELAYS)


def test_a_release_makes_messages_wait_the_backoff(queues, messages, claims,
                                                   queue):
    with_policy(queues, LATER)
    [mid] = post(messages)
    first, _ = claims.create('q', LEASE, project='p')
    claims.delete('q', first, project='p')  # count 1: no delay
    second, [again] = claims.create('q', LEASE, project='p')
    assert again['claim_count'] == 2
    before = time.time()
    claims.delete('q', second, project='p')  # count 2: 100 seconds
    after = time.time()
    assert claims.create('q', LEASE, project='p') == (None, [])
    released = only(messages, mid)
    assert released['claim_id'] is None
    assert before + 100 <= released['available_at'] <= after + 100
    stats = queues.stats('q', project='p')['messages']
    assert (stats['delayed'], stats['claimed'], stats['free']) == (1, 0, 0)


def test_a_release_delay_overrides_the_policy(queues, messages, claims,
                                              queue):
    # ignore_subscription_override has nothing to override here
    with_policy(queues, {**SHORT, 'ignore_subscription_override': True})
    first, second = post(messages, 2)
    claim_id, _ = claims.create('q', LEASE, project='p', limit=1)
    before = time.time()
    claims.delete('q', claim_id, project='p', delay=7)
    after = time.time()
    assert before + 7 <= only(messages, first)['available_at'] <= after + 7
    claim_id, [taken] = claims.create('q', LEASE, project='p')
    assert taken['id'] == second
    claims.delete('q', claim_id, project='p', delay=0)  # at once
    _, [again] = claims.create('q', LEASE, project='p')
    assert again['id'] == second


def test_renewing_a_claim_moves_its_end_and_the_backoff_after_it(
        queues, messages, claims, queue):
    with_policy(queues, SHORT)
    post(messages)
    claim_id, _ = claims.create('q', LEASE, project='p')
    before = time.time()
    claims.update('q', claim_id, {'ttl': 300, 'grace': 60}, project='p')
    after = time.time()
    _, [held] = claims.get('q', claim_id, project='p')
    assert before + 300 <= held['claim_expires'] <= after + 300
    assert before + 350 <= held['available_at'] <= after + 350


def test_messages_of_a_lapsed_claim_wait_the_backoff_as_delayed(
        driver, queues, messages, claims, queue):
    with_policy(queues, SHORT)
    [mid] = post(messages)
    claim_id, [taken] = claims.create('q', {'ttl': 1, 'grace': 60},
                                      project='p')

    def lapsed():
        try:
            claims.get('q', claim_id, project='p')
        except errors.ClaimDoesNotExist:
            return True
        return False

    wait_for(lapsed, what='the claim to lapse')
    for _ in range(2):  # before and after gc resets the lapsed claim
        assert claims.create('q', LEASE, project='p') == (None, [])
        message = only(messages, mid)
        assert message['claim_id'] is None
        assert message['available_at'] == taken['available_at']
        assert message['available_at'] >= message['created'] + 50
        listing = page(messages.list('q', project='p', echo=True))[0]
        assert listing == []
        claimed_too = page(messages.list('q', project='p', echo=True,
                                         include_claimed=True))[0]
        assert claimed_too == []
        delayed_too = page(messages.list('q', project='p', echo=True,
                                         include_delayed=True))[0]
        assert [m['id'] for m in delayed_too] == [mid]
        stats = queues.stats('q', project='p')['messages']
        assert (stats['delayed'], stats['claimed'], stats['free']) == \
            (1, 0, 0)
        driver.gc()


def test_a_queue_without_a_policy_frees_messages_when_claims_end(
        queues, messages, claims, queue):
    with_policy(queues, SHORT)
    queues.set_metadata('q', {}, project='p')  # the policy is dropped
    post(messages, 2)
    claim_id, taken = claims.create('q', LEASE, project='p')
    assert all(m['available_at'] == m['claim_expires'] for m in taken)
    claims.delete('q', claim_id, project='p')
    assert len(claims.create('q', LEASE, project='p')[1]) == 2


def test_a_policy_given_when_the_queue_is_created_applies(
        queues, messages, claims):
    queues.create('q', metadata={'_redelivery_policy': SHORT}, project='p')
    post(messages)
    _, [taken] = claims.create('q', LEASE, project='p')
    assert taken['available_at'] >= taken['claim_expires'] + 50
