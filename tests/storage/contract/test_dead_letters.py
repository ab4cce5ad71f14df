"""Dead-letter contract: provenance of every move, reject, expiry moves."""

import time

import pytest

from tests.conftest import wait_for
from zaqar_lite import errors
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}
DEAD_LETTERED = {'_dead_letter_queue': 'dlq',
                 '_dead_letter_queue_messages_ttl': 120}


@pytest.fixture
def queue(queues):
    queues.create('q', metadata=dict(DEAD_LETTERED), project='p')
    return 'q'


def post(messages, count, queue='q', ttl=60, project='p'):
    return messages.post(queue, [{'body': {'n': i}, 'ttl': ttl}
                                 for i in range(count)], 'c', project=project)


def dlq_messages(messages, project='p'):
    return page(messages.list('dlq', project=project, echo=True,
                              include_claimed=True, include_delayed=True,
                              limit=20))[0]


def test_plain_messages_have_no_provenance(messages, queue):
    [mid] = post(messages, 1)
    assert messages.get('q', mid, project='p')['dead_letter'] is None


def test_max_claims_move_records_provenance(queues, messages, claims, queue):
    queues.set_metadata('q', {**DEAD_LETTERED, '_max_claim_count': 1},
                        project='p')
    [mid] = post(messages, 1)
    before = time.time()
    claim_id, _ = claims.create('q', LEASE, project='p')
    claims.delete('q', claim_id, project='p')
    assert claims.create('q', LEASE, project='p') == (None, [])
    [moved] = dlq_messages(messages)
    assert moved['id'] == mid and moved['body'] == {'n': 0}
    assert moved['claim_id'] is None
    origin = moved['dead_letter']
    assert origin['source'] == 'q' and origin['reason'] == 'max_claims'
    assert origin['claim_count'] == 1 and origin['detail'] is None
    assert before - 1 <= origin['at'] <= time.time() + 1
    assert messages.get('dlq', mid, project='p')['dead_letter'] == origin


def test_reject_moves_a_held_message_with_its_detail(queues, messages, claims,
                                                     queue):
    ids = post(messages, 2)
    claim_id, _ = claims.create('q', LEASE, project='p')
    target = messages.reject('q', ids[0], project='p', claim=claim_id,
                             detail='bad payload: no "sku"')
    assert target == 'dlq'
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get('q', ids[0], project='p')
    [moved] = dlq_messages(messages)
    assert moved['id'] == ids[0] and moved['claim_id'] is None
    assert moved['ttl'] == 120
    assert moved['dead_letter']['reason'] == 'rejected'
    assert moved['dead_letter']['detail'] == 'bad payload: no "sku"'
    assert moved['dead_letter']['claim_count'] == 1
    assert moved['dead_letter']['source'] == 'q'
    # the claim still holds the other message, and counts one less
    _, held = claims.get('q', claim_id, project='p')
    assert [m['id'] for m in held] == [ids[1]]
    stats = queues.stats('q', project='p')['messages']
    assert stats['total'] == 1 and stats['claimed'] == 1
    assert queues.stats('dlq', project='p')['messages']['total'] == 1


def test_reject_without_detail(messages, claims, queue):
    [mid] = post(messages, 1)
    claim_id, _ = claims.create('q', LEASE, project='p')
    messages.reject('q', mid, project='p', claim=claim_id)
    [moved] = dlq_messages(messages)
    assert moved['dead_letter']['detail'] is None


def test_reject_needs_the_live_claim(messages, claims, queue):
    ids = post(messages, 2)
    claim_id, _ = claims.create('q', LEASE, project='p', limit=1)
    with pytest.raises(errors.MessageIsClaimed):
        messages.reject('q', ids[0], project='p')
    with pytest.raises(errors.MessageNotClaimed):
        messages.reject('q', ids[1], project='p')
    with pytest.raises(errors.MessageNotClaimed):
        messages.reject('q', ids[1], project='p', claim=claim_id)
    with pytest.raises(errors.ClaimDoesNotMatch):
        messages.reject('q', ids[0], project='p',
                        claim='00000000-0000-0000-0000-000000000000')
    claims.delete('q', claim_id, project='p')
    with pytest.raises(errors.MessageNotClaimed):
        messages.reject('q', ids[0], project='p', claim=claim_id)
    assert dlq_messages(messages) == []
    assert len(page(messages.list('q', project='p', echo=True))[0]) == 2


def test_reject_of_unknown_message(messages, claims, queue):
    with pytest.raises(errors.MessageDoesNotExist):
        messages.reject('q', 'no-such-message', project='p', claim='x')


def test_reject_needs_a_dead_letter_queue(queues, messages, claims):
    queues.create('plain', project='p')
    [mid] = post(messages, 1, queue='plain')
    claim_id, _ = claims.create('plain', LEASE, project='p')
    with pytest.raises(errors.NoDeadLetterQueue):
        messages.reject('plain', mid, project='p', claim=claim_id)
    queues.set_metadata('plain', {'_dead_letter_queue': 'plain'}, project='p')
    with pytest.raises(errors.NoDeadLetterQueue):
        messages.reject('plain', mid, project='p', claim=claim_id)
    assert claims.get('plain', claim_id, project='p')[1][0]['id'] == mid


def test_reject_is_isolated_by_project(queues, messages, claims, queue):
    [mid] = post(messages, 1)
    claim_id, _ = claims.create('q', LEASE, project='p')
    queues.create('q', metadata=dict(DEAD_LETTERED), project='other')
    with pytest.raises(errors.MessageDoesNotExist):
        messages.reject('q', mid, project='other', claim=claim_id)
    assert dlq_messages(messages, project='other') == []
    assert claims.get('q', claim_id, project='p')[1][0]['id'] == mid


def test_expired_messages_move_when_the_queue_opts_in(driver, queues,
                                                      messages, queue):
    queues.set_metadata('q', {**DEAD_LETTERED,
                              '_dead_letter_on_expiry': True}, project='p')
    [short] = post(messages, 1, ttl=1)
    [long] = post(messages, 1, ttl=600)

    def moved():
        driver.gc()
        return dlq_messages(messages)

    [dead] = wait_for(moved, what='the expired message to move')
    assert dead['id'] == short and dead['body'] == {'n': 0}
    assert dead['ttl'] == 120
    assert dead['dead_letter']['reason'] == 'expired'
    assert dead['dead_letter']['source'] == 'q'
    assert dead['dead_letter']['claim_count'] == 0
    assert [m['id'] for m in page(messages.list(
        'q', project='p', echo=True))[0]] == [long]
    assert queues.stats('q', project='p')['messages']['total'] == 1


def test_expired_messages_vanish_without_opting_in(driver, queues, messages,
                                                   queue):
    post(messages, 1, ttl=1)
    wait_for(lambda: not page(messages.list('q', project='p', echo=True))[0],
             what='expiry')
    driver.gc()
    assert dlq_messages(messages) == []


def test_moves_keep_the_message_priority(driver, queues, messages, claims,
                                         queue):
    queues.set_metadata('q', {**DEAD_LETTERED,
                              '_dead_letter_on_expiry': True}, project='p')
    [rejected] = messages.post('q', [{'body': 'r', 'ttl': 60,
                                      'priority': 7}], 'c', project='p')
    claim_id, _ = claims.create('q', LEASE, project='p')
    messages.reject('q', rejected, project='p', claim=claim_id)
    [expired] = messages.post('q', [{'body': 'e', 'ttl': 1, 'priority': 2}],
                              'c', project='p')

    def moved():
        driver.gc()
        return len(dlq_messages(messages)) == 2

    wait_for(moved, what='the expired message to move')
    priorities = {m['id']: m['priority'] for m in dlq_messages(messages)}
    assert priorities == {rejected: 7, expired: 2}
