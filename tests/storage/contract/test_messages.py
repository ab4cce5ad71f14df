"""Message controller contract."""

import time

import pytest

from tests.conftest import wait_for
from tests.storage.contract import listed_bodies
from zaqar_lite import errors
from zaqar_lite.storage.utils import page

A, B = 'client-a', 'client-b'


@pytest.fixture
def queue(queues):
    queues.create('q', project='p')
    return 'q'


def post(messages, bodies, client=A, ttl=60, **extra):
    return messages.post('q', [{'body': body, 'ttl': ttl, **extra}
                               for body in bodies], client, project='p')


def bodies(listing):
    items, _ = page(listing)
    return [item['body'] for item in items]


def test_post_returns_ids_in_order_and_get_returns_them(messages, queue):
    ids = post(messages, [{'n': 1}, 'two', [3]])
    assert len(set(ids)) == 3
    got = [messages.get('q', mid, project='p')['body'] for mid in ids]
    assert got == [{'n': 1}, 'two', [3]]


def test_message_shape(messages, queue):
    [mid] = post(messages, ['x'], ttl=120)
    message = messages.get('q', mid, project='p')
    assert message['id'] == mid
    assert message['ttl'] == 120
    assert 0 <= message['age'] <= 5
    assert message['claim_id'] is None and message['claim_count'] == 0


def test_post_to_missing_queue_raises(messages):
    with pytest.raises(errors.QueueDoesNotExist):
        messages.post('nope', [{'body': 1, 'ttl': 60}], A, project='p')


def test_list_hides_own_messages_unless_echo(messages, queue):
    post(messages, ['mine'], client=A)
    post(messages, ['theirs'], client=B)
    assert bodies(messages.list('q', project='p', client_uuid=A)) == \
        ['theirs']
    assert bodies(messages.list('q', project='p', client_uuid=A,
                                echo=True)) == ['mine', 'theirs']


def test_list_pages_in_posting_order_without_repeats(messages, queue):
    post(messages, list(range(7)))
    assert listed_bodies(messages, 'q', page_size=1) == list(range(7))


def test_list_of_missing_queue_is_empty(messages):
    assert bodies(messages.list('nope', project='p', echo=True)) == []


def test_claimed_and_delayed_are_listed_only_on_request(messages, claims,
                                                        queue):
    post(messages, ['free', 'claimed'])
    post(messages, ['delayed'], delay=300)
    claim_id, taken = claims.create('q', {'ttl': 60, 'grace': 60},
                                    project='p', limit=1)
    # Oldest first: 'free' is taken; claim the next one instead.
    assert taken[0]['body'] == 'free'
    listing = dict(project='p', echo=True)
    assert bodies(messages.list('q', **listing)) == ['claimed']
    assert bodies(messages.list('q', include_claimed=True, **listing)) == \
        ['free', 'claimed']
    assert bodies(messages.list('q', include_delayed=True, **listing)) == \
        ['claimed', 'delayed']
    assert bodies(messages.list('q', include_claimed=True,
                                include_delayed=True, **listing)) == \
        ['free', 'claimed', 'delayed']


def test_delay_is_honoured_without_queue_default(messages, claims, queue):
    post(messages, ['later'], delay=300)
    assert claims.create('q', {'ttl': 60, 'grace': 60}, project='p') == \
        (None, [])
    assert bodies(messages.list('q', project='p', echo=True)) == []


def test_available_at_is_when_a_message_is_free_to_claim(
        messages, claims, queue):
    before = time.time()
    ids = post(messages, ['held', 'ready'])
    ids += post(messages, ['later'], delay=600)
    claim_id, _ = claims.create('q', {'ttl': 300, 'grace': 60},
                                project='p', limit=1)
    after = time.time()
    found = {m['body']: m for m in messages.bulk_get('q', ids, project='p')}
    slack = after - before + 1
    assert found['held']['claim_id'] == claim_id
    assert found['held']['available_at'] == pytest.approx(before + 300,
                                                          abs=slack)
    assert before - 1 <= found['ready']['available_at'] <= after
    assert found['later']['available_at'] == pytest.approx(before + 600,
                                                           abs=slack)


def test_a_delay_of_days_holds_the_message_back(messages, claims, queue):
    # Scheduling (deliver_at) asks for delays far beyond Zaqar's 900 s.
    post(messages, ['next week'], ttl=14 * 86400, delay=7 * 86400)
    assert claims.create('q', {'ttl': 60, 'grace': 60}, project='p') == \
        (None, [])
    assert bodies(messages.list('q', project='p', echo=True)) == []
    assert bodies(messages.list('q', project='p', echo=True,
                                include_delayed=True)) == ['next week']


def test_expired_messages_vanish_at_once_and_gc_removes_them(
        driver, messages, queue):
    [mid] = post(messages, ['short'], ttl=1)
    post(messages, ['long'], ttl=600)
    wait_for(lambda: not bodies(messages.list('q', project='p', echo=True))
             or bodies(messages.list('q', project='p', echo=True)) == ['long'],
             what='expiry')
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get('q', mid, project='p')
    # Reads may already have removed it; gc removes whatever is left.
    assert set(driver.gc()) >= {'messages', 'claims'}
    assert bodies(messages.list('q', project='p', echo=True)) == ['long']


def test_bulk_get_skips_unknown_ids(messages, queue):
    ids = post(messages, ['a', 'b'])
    got = messages.bulk_get('q', [ids[1], 'unknown', ids[0]], project='p')
    assert sorted(m['body'] for m in got) == ['a', 'b']


def test_first_returns_oldest_or_newest(messages, queue):
    post(messages, ['old', 'new'])
    assert messages.first('q', project='p')['body'] == 'old'
    assert messages.first('q', project='p', sort=-1)['body'] == 'new'
    with pytest.raises(errors.QueueIsEmpty):
        messages.first('nope', project='p')


def test_delete_unclaimed_and_again(messages, queue):
    [mid] = post(messages, ['x'])
    messages.delete('q', mid, project='p')
    messages.delete('q', mid, project='p')
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get('q', mid, project='p')


def test_delete_claimed_needs_its_claim(messages, claims, queue):
    [mid] = post(messages, ['x'])
    claim_id, _ = claims.create('q', {'ttl': 60, 'grace': 60}, project='p')
    with pytest.raises(errors.MessageIsClaimed):
        messages.delete('q', mid, project='p')
    with pytest.raises(errors.ClaimDoesNotMatch):
        messages.delete('q', mid, project='p', claim='not-the-claim')
    messages.delete('q', mid, project='p', claim=claim_id)
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get('q', mid, project='p')


def test_delete_with_claim_of_unclaimed_message(messages, queue):
    [mid] = post(messages, ['x'])
    with pytest.raises(errors.MessageNotClaimed):
        messages.delete('q', mid, project='p', claim='some-claim')


def test_bulk_delete_enforces_claims(messages, claims, queue):
    ids = post(messages, ['a', 'b'])
    claim_id, _ = claims.create('q', {'ttl': 60, 'grace': 60}, project='p',
                                limit=1)
    with pytest.raises(errors.MessageIsClaimed):
        messages.bulk_delete('q', ids, project='p')
    assert len(messages.bulk_get('q', ids, project='p')) == 2
    messages.bulk_delete('q', ids + ['unknown'], project='p',
                         claim_ids=[claim_id])
    assert messages.bulk_get('q', ids, project='p') == []


def test_pop_removes_visible_messages_oldest_first(messages, claims, queue):
    post(messages, ['a', 'b', 'c', 'd'])
    claims.create('q', {'ttl': 60, 'grace': 60}, project='p', limit=1)
    popped = messages.pop('q', 2, project='p')
    assert [m['body'] for m in popped] == ['b', 'c']
    assert bodies(messages.list('q', project='p', echo=True)) == ['d']


def test_messages_are_isolated_by_project(queues, messages, queue):
    [mid] = post(messages, ['secret'])
    queues.create('q', project='other')
    with pytest.raises(errors.MessageDoesNotExist):
        messages.get('q', mid, project='other')
    assert bodies(messages.list('q', project='other', echo=True)) == []
    messages.delete('q', mid, project='other')
    messages.bulk_delete('q', [mid], project='other')
    assert messages.pop('q', 5, project='other') == []
    assert messages.get('q', mid, project='p')['body'] == 'secret'


@pytest.mark.parametrize('marker', ['abc', '-1', '99999999999999999999999'])
def test_foreign_markers_are_refused(messages, queue, marker):
    with pytest.raises(errors.ValidationError):
        page(messages.list('q', project='p', marker=marker))


def test_a_listing_from_the_tail_marker_yields_only_later_posts(messages,
                                                                 queue):
    post(messages, ['old'])
    post(messages, ['delayed'], delay=60)
    tail = messages.tail_marker('q', project='p')
    assert bodies(messages.list('q', project='p', marker=tail, echo=True,
                                include_claimed=True,
                                include_delayed=True)) == []
    post(messages, ['new'])
    assert bodies(messages.list('q', project='p', marker=tail,
                                echo=True)) == ['new']


def test_the_tail_marker_of_an_empty_or_missing_queue_lists_everything(
        messages, queue):
    tail = messages.tail_marker('q', project='p')
    assert messages.tail_marker('nothing', project='p')
    post(messages, ['first'])
    assert bodies(messages.list('q', project='p', marker=tail,
                                echo=True)) == ['first']
