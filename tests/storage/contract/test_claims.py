"""Claim controller contract."""

import time

import pytest

from tests.conftest import wait_for
from zaqar_lite import errors
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}


@pytest.fixture
def queue(queues):
    queues.create('q', project='p')
    return 'q'


def post(messages, count, queue='q', ttl=60, **extra):
    return messages.post(queue, [{'body': i, 'ttl': ttl, **extra}
                                 for i in range(count)], 'c', project='p')


def test_claim_takes_oldest_and_returns_its_messages(messages, claims, queue):
    ids = post(messages, 5)
    claim_id, taken = claims.create('q', LEASE, project='p', limit=3)
    assert [m['id'] for m in taken] == ids[:3]
    assert all(m['claim_id'] == claim_id for m in taken)
    assert all(m['claim_count'] == 1 for m in taken)


def test_nothing_to_claim(claims, queue):
    assert claims.create('q', LEASE, project='p') == (None, [])
    assert claims.create('missing', LEASE, project='p') == (None, [])


def test_claims_are_exclusive_even_after_release(messages, claims, queue):
    post(messages, 6)
    first, taken_first = claims.create('q', LEASE, project='p', limit=2)
    second, taken_second = claims.create('q', LEASE, project='p', limit=2)
    claims.delete('q', first, project='p')
    third, taken_third = claims.create('q', LEASE, project='p', limit=10)
    held = [m['id'] for m in taken_second]
    assert not set(held) & {m['id'] for m in taken_third}
    assert len(taken_third) == 4
    assert {m['id'] for m in taken_first} <= {m['id'] for m in taken_third}


def test_claim_extends_message_life_to_claim_plus_grace(messages, claims,
                                                        queue):
    [mid] = post(messages, 1, ttl=60)
    claims.create('q', {'ttl': 300, 'grace': 60}, project='p')
    assert messages.get('q', mid, project='p')['ttl'] >= 360


def test_get_claim(messages, claims, queue):
    post(messages, 2)
    claim_id, taken = claims.create('q', {'ttl': 120, 'grace': 30},
                                    project='p')
    claim, held = claims.get('q', claim_id, project='p')
    assert claim['id'] == claim_id
    assert claim['ttl'] == 120 and claim['grace'] == 30
    assert 0 <= claim['age'] <= 5
    assert [m['id'] for m in held] == [m['id'] for m in taken]


def test_unknown_or_malformed_claim_does_not_exist(claims, queue):
    for claim_id in ('00000000-0000-0000-0000-000000000000', 'garbage'):
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.get('q', claim_id, project='p')
        with pytest.raises(errors.ClaimDoesNotExist):
            claims.update('q', claim_id, LEASE, project='p')
        claims.delete('q', claim_id, project='p')


def test_update_renews_the_claim(messages, claims, queue):
    post(messages, 1)
    claim_id, _ = claims.create('q', {'ttl': 60, 'grace': 60}, project='p')
    claims.update('q', claim_id, {'ttl': 600, 'grace': 60}, project='p')
    claim, held = claims.get('q', claim_id, project='p')
    assert claim['ttl'] == 600 and len(held) == 1
    assert held[0]['ttl'] >= 660


def test_release_makes_messages_claimable(messages, claims, queue):
    post(messages, 2)
    claim_id, _ = claims.create('q', LEASE, project='p')
    assert claims.create('q', LEASE, project='p') == (None, [])
    claims.delete('q', claim_id, project='p')
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get('q', claim_id, project='p')
    _, again = claims.create('q', LEASE, project='p')
    assert len(again) == 2 and all(m['claim_count'] == 2 for m in again)


def test_a_release_with_a_delay_holds_the_messages_back(messages, claims,
                                                        queue):
    ids = post(messages, 3)
    claim_id, _ = claims.create('q', LEASE, project='p', limit=2)
    before = time.time()
    claims.delete('q', claim_id, project='p', delay=600)
    # The third message is the only one claimable; the released two wait.
    _, taken = claims.create('q', LEASE, project='p')
    assert [m['id'] for m in taken] == ids[2:]
    assert claims.create('q', LEASE, project='p') == (None, [])
    released = messages.bulk_get('q', ids[:2], project='p')
    assert all(m['claim_id'] is None for m in released)
    assert all(m['available_at'] == pytest.approx(before + 600, abs=5)
               for m in released)
    assert page(messages.list('q', project='p', echo=True))[0] == []


def test_released_messages_come_back_after_the_delay(messages, claims,
                                                      queue):
    post(messages, 1)
    claim_id, _ = claims.create('q', LEASE, project='p')
    claims.delete('q', claim_id, project='p', delay=1)
    [message] = wait_for(
        lambda: claims.create('q', LEASE, project='p')[1], timeout=10,
        what='the released message to be claimable again')
    assert message['claim_count'] == 2


def test_expired_claim_frees_its_messages(driver, messages, claims, queue):
    post(messages, 2)
    claim_id, _ = claims.create('q', {'ttl': 1, 'grace': 60}, project='p')
    taken = wait_for(lambda: claims.create('q', LEASE, project='p')[1],
                     what='claim expiry')
    assert len(taken) == 2
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get('q', claim_id, project='p')


def test_messages_of_expired_claim_are_listed_again(driver, messages, claims,
                                                    queue):
    post(messages, 1)
    claims.create('q', {'ttl': 1, 'grace': 60}, project='p')
    listed = wait_for(lambda: page(messages.list('q', project='p',
                                                 echo=True))[0],
                      what='claim expiry')
    assert len(listed) == 1 and listed[0]['claim_id'] is None
    driver.gc()
    assert len(page(messages.list('q', project='p', echo=True))[0]) == 1


def test_claim_count_moves_message_to_dead_letter_queue(queues, messages,
                                                        claims, queue):
    queues.set_metadata('q', {'_max_claim_count': 1,
                              '_dead_letter_queue': 'dlq',
                              '_dead_letter_queue_messages_ttl': 120},
                        project='p')
    [mid] = post(messages, 1)
    claim_id, taken = claims.create('q', LEASE, project='p')
    assert len(taken) == 1
    claims.delete('q', claim_id, project='p')
    assert claims.create('q', LEASE, project='p') == (None, [])
    assert queues.stats('q', project='p')['messages']['total'] == 0
    _, dead = claims.create('dlq', LEASE, project='p')
    assert [m['id'] for m in dead] == [mid]
    assert dead[0]['ttl'] >= 120


def test_claims_are_isolated_by_project(queues, messages, claims, queue):
    post(messages, 1)
    claim_id, _ = claims.create('q', LEASE, project='p')
    queues.create('q', project='other')
    assert claims.create('q', LEASE, project='other') == (None, [])
    with pytest.raises(errors.ClaimDoesNotExist):
        claims.get('q', claim_id, project='other')
    claims.delete('q', claim_id, project='other')
    assert len(claims.get('q', claim_id, project='p')[1]) == 1


def test_queue_naming_itself_as_dead_letter_queue_still_claims(
        queues, messages, claims, queue):
    queues.set_metadata('q', {'_max_claim_count': 1,
                              '_dead_letter_queue': 'q'}, project='p')
    post(messages, 1)
    claim_id, _ = claims.create('q', LEASE, project='p')
    claims.delete('q', claim_id, project='p')
    _, again = claims.create('q', LEASE, project='p')
    assert len(again) == 1 and again[0]['claim_count'] == 2
