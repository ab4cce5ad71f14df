"""Message priority contract: claims and pops take higher priorities
first, FIFO within a priority; listings keep posting order."""

import pytest

from tests.storage.contract import listed_bodies
from zaqar_lite.storage.base import DEFAULT_PRIORITY
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}


@pytest.fixture
def queue(queues):
    queues.create('q', project='p')
    return 'q'


def post(messages, *priorities, queue='q', **extra):
    """One message per priority (None: none given); the ids by body."""
    docs = []
    for n, priority in enumerate(priorities):
        doc = {'body': n, 'ttl': 600, **extra}
        if priority is not None:
            doc['priority'] = priority
        docs.append(doc)
    return messages.post(queue, docs, 'c', project='p')


def claimed_one_by_one(claims, queue='q'):
    order = []
    while True:
        _, taken = claims.create(queue, LEASE, project='p', limit=1)
        if not taken:
            return order
        order += [m['id'] for m in taken]


def test_claims_take_the_highest_priority_first_fifo_within_it(
        messages, claims, queue):
    ids = post(messages, 4, 9, 0, 9, None, 5, 3, 0)
    assert claimed_one_by_one(claims) == [ids[n]
                                          for n in (1, 3, 5, 0, 4, 6, 2, 7)]


def test_a_claim_of_several_takes_the_highest_priorities(messages, claims,
                                                         queue):
    ids = post(messages, 1, 2, 8, 1, 7, 2)
    _, taken = claims.create('q', LEASE, project='p', limit=3)
    assert {m['id'] for m in taken} == {ids[2], ids[4], ids[1]}
    assert {m['priority'] for m in taken} == {8, 7, 2}
    _, rest = claims.create('q', LEASE, project='p', limit=10)
    assert {m['id'] for m in rest} == {ids[0], ids[3], ids[5]}


def test_pop_takes_the_highest_priorities(messages, queue):
    ids = post(messages, 0, 6, 6, 9)
    popped = messages.pop('q', 3, project='p')
    assert {m['id'] for m in popped} == {ids[1], ids[2], ids[3]}
    assert [m['id'] for m in messages.pop('q', 3, project='p')] == ids[:1]


def test_a_message_without_a_priority_has_the_default(messages, queue):
    [mid] = post(messages, None)
    assert messages.get('q', mid, project='p')['priority'] == \
        DEFAULT_PRIORITY == 4


def test_listings_keep_posting_order_and_show_priorities(messages, claims,
                                                         queue):
    ids = post(messages, 0, 9, None, 2)
    listed = page(messages.list('q', project='p', echo=True))[0]
    assert [(m['id'], m['priority']) for m in listed] == \
        list(zip(ids, [0, 9, 4, 2]))
    claims.create('q', LEASE, project='p', limit=1)
    everything = page(messages.list('q', project='p', echo=True,
                                    include_claimed=True))[0]
    assert [m['id'] for m in everything] == ids


def test_held_or_delayed_messages_of_a_higher_priority_are_skipped(
        messages, claims, queue):
    [held] = post(messages, 9)
    claims.create('q', LEASE, project='p')
    post(messages, 9, delay=600)
    [low] = post(messages, 1)
    _, taken = claims.create('q', LEASE, project='p')
    assert [m['id'] for m in taken] == [low]
    assert held != low


def test_a_released_message_keeps_its_priority(messages, claims, queue):
    ids = post(messages, 2, 2, 8)
    claim_id, [first] = claims.create('q', LEASE, project='p', limit=1)
    assert first['id'] == ids[2]
    claims.delete('q', claim_id, project='p')
    assert claimed_one_by_one(claims) == [ids[2], ids[0], ids[1]]


def test_a_message_moved_to_the_dead_letter_queue_keeps_its_priority(
        queues, messages, claims, queue):
    queues.set_metadata('q', {'_max_claim_count': 1,
                              '_dead_letter_queue': 'dlq'}, project='p')
    [urgent] = post(messages, 8)
    claim_id, _ = claims.create('q', LEASE, project='p')
    claims.delete('q', claim_id, project='p')
    assert claims.create('q', LEASE, project='p') == (None, [])  # moved
    [usual] = post(messages, None, queue='dlq')
    assert messages.get('dlq', urgent, project='p')['priority'] == 8
    assert claimed_one_by_one(claims, 'dlq') == [urgent, usual]


def test_messages_of_every_priority_are_counted_and_deleted(
        queues, messages, claims, queue):
    ids = post(messages, *range(10))
    claims.create('q', LEASE, project='p', limit=3)
    stats = queues.stats('q', project='p')['messages']
    assert (stats['total'], stats['claimed'], stats['free']) == (10, 3, 7)
    messages.bulk_delete('q', ids[:5], project='p')
    assert len(claimed_one_by_one(claims)) == 2  # 5 and 6; 7-9 are held
    queues.delete('q', project='p')
    queues.create('q', project='p')
    assert claims.create('q', LEASE, project='p') == (None, [])


def test_a_post_of_thousands_stores_each_in_order_at_its_priority(
        queues, messages, claims, queue):
    # more than one Lua unpack() takes (about 8000 values: Redis writes
    # them in slices)
    count = 5000
    ids = post(messages, *(9 if n % 2 else 0 for n in range(count)))
    assert len(set(ids)) == count
    assert listed_bodies(messages, 'q', page_size=1000) == list(range(count))
    _, taken = claims.create('q', LEASE, project='p', limit=20)
    assert [m['body'] for m in taken] == list(range(1, 40, 2))
    stats = queues.stats('q', project='p')['messages']
    assert (stats['total'], stats['claimed']) == (count, 20)
