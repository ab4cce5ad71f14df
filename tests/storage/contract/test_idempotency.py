"""Idempotent posts: a repeated ``idempotency_key`` stores nothing new."""

import threading

import pytest

from tests.conftest import wait_for
from zaqar_lite.storage.utils import page

WINDOW = 300  # seconds a key is remembered, unless a test says otherwise


@pytest.fixture
def queue(queues):
    queues.create('q', project='p')
    return 'q'


def keyed(body, key, window=WINDOW, ttl=60):
    return {'body': body, 'ttl': ttl, 'idempotency_key': key,
            'dedup_window': window}


def post(messages, *items, queue='q', project='p'):
    return messages.post(queue, list(items), 'client', project=project)


def stored_bodies(messages, queue='q', project='p'):
    items, _ = page(messages.list(queue, project=project, echo=True,
                                  limit=20))
    return [item['body'] for item in items]


def test_a_repeated_key_returns_the_first_id_and_stores_nothing(
        messages, queue):
    first = post(messages, keyed('order 1', 'k1'))
    again = post(messages, keyed('order 1, sent again', 'k1'))
    assert again == first
    assert again.repeats == {0} and first.repeats == set()
    assert again.stored() == []
    assert stored_bodies(messages) == ['order 1']


def test_keys_differ_and_unkeyed_messages_are_never_repeats(messages, queue):
    ids = post(messages, keyed('a', 'k1'), keyed('b', 'k2'),
               {'body': 'c', 'ttl': 60}, {'body': 'c', 'ttl': 60})
    assert len(set(ids)) == 4 and ids.repeats == set()
    assert stored_bodies(messages) == ['a', 'b', 'c', 'c']


def test_a_key_repeated_within_one_post_is_stored_once(messages, queue):
    ids = post(messages, keyed('a', 'k'), keyed('b', 'other'),
               keyed('a again', 'k'))
    assert ids[2] == ids[0] and ids[1] != ids[0]
    assert ids.repeats == {2}
    assert ids.stored() == ids[:2]
    assert stored_bodies(messages) == ['a', 'b']


def test_mixed_posts_keep_the_order_of_what_they_store(messages, queue):
    [original] = post(messages, keyed('a', 'k'))
    ids = post(messages, {'body': 'b', 'ttl': 60}, keyed('a', 'k'),
               keyed('c', 'new'))
    assert ids[1] == original and ids.repeats == {1}
    assert stored_bodies(messages) == ['a', 'b', 'c']


def test_the_key_is_remembered_after_its_message_is_gone(messages, queue):
    [mid] = post(messages, keyed('a', 'k'))
    messages.delete('q', mid, project='p')
    assert post(messages, keyed('a', 'k')) == [mid]
    assert stored_bodies(messages) == []


def test_after_the_window_the_key_stores_a_new_message(messages, queue):
    [first] = post(messages, keyed('a', 'k', window=1))
    # Each try either repeats (storing nothing) or stores the new message.
    [second] = wait_for(lambda: [mid for mid in post(
        messages, keyed('a later', 'k', window=1)) if mid != first],
        timeout=10, what='the key to be forgotten')
    assert second != first
    assert stored_bodies(messages) == ['a', 'a later']
    assert post(messages, keyed('a later', 'k', window=1)) == [second]


def test_keys_belong_to_one_queue_of_one_project(queues, messages, queue):
    queues.create('other', project='p')
    queues.create('q', project='p2')
    [mid] = post(messages, keyed('a', 'k'))
    [in_other_queue] = post(messages, keyed('a', 'k'), queue='other')
    [in_other_project] = post(messages, keyed('a', 'k'), project='p2')
    assert len({mid, in_other_queue, in_other_project}) == 3
    assert stored_bodies(messages, project='p2') == ['a']


def test_a_deleted_queue_forgets_its_keys(queues, messages, queue):
    [mid] = post(messages, keyed('a', 'k'))
    queues.delete('q', project='p')
    queues.create('q', project='p')
    [again] = post(messages, keyed('a', 'k'))
    assert again != mid
    assert stored_bodies(messages) == ['a']


def test_concurrent_posts_of_one_key_store_one_message(messages, queue):
    results, barrier = [], threading.Barrier(4)

    def producer(n):
        barrier.wait()
        results.append(post(messages, keyed(f'from {n}', 'shared')))

    threads = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len({ids[0] for ids in results}) == 1
    assert len(stored_bodies(messages)) == 1
    assert sum(1 for ids in results if not ids.repeats) == 1
