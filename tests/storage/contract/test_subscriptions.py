"""Subscription controller contract."""

import pytest

from tests.conftest import wait_for
from zaqar_lite import errors
from zaqar_lite.storage.utils import page

HOOK = 'http://example.com/hook'


@pytest.fixture
def queue(queues):
    queues.create('q', project='p')
    return 'q'


def create(subscriptions, subscriber=HOOK, ttl=600, options=None,
           project='p', source='q'):
    return subscriptions.create(source, subscriber, ttl,
                                options or {'a': 1}, project=project)


def test_create_then_get(subscriptions, queue):
    subscription_id = create(subscriptions, options={'post_headers': {}})
    found = subscriptions.get('q', subscription_id, project='p')
    assert found == {'id': subscription_id, 'source': 'q',
                     'subscriber': HOOK, 'ttl': 600, 'age': 0,
                     'options': {'post_headers': {}}, 'confirmed': False}
    assert subscriptions.exists('q', subscription_id, project='p')


def test_the_same_subscriber_twice_is_not_created_again(subscriptions, queues,
                                                        queue):
    queues.create('other', project='p')
    queues.create('q', project='other')
    first = create(subscriptions)
    assert create(subscriptions) is None
    assert subscriptions.get_with_subscriber('q', HOOK, project='p')['id'] \
        == first
    assert create(subscriptions, source='other') is not None
    assert create(subscriptions, project='other') is not None


def test_list_pages_in_id_order(subscriptions, queue):
    ids = sorted(create(subscriptions, f'{HOOK}/{n}') for n in range(5))
    first, marker = page(subscriptions.list('q', project='p', limit=3))
    rest, end = page(subscriptions.list('q', project='p', marker=marker))
    assert [s['id'] for s in first + rest] == ids
    assert page(subscriptions.list('q', project='p', marker=end))[0] == []


def test_projects_and_sources_do_not_see_each_other(subscriptions, queue):
    subscription_id = create(subscriptions)
    assert page(subscriptions.list('q', project='other'))[0] == []
    assert page(subscriptions.list('q2', project='p'))[0] == []
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.get('q', subscription_id, project='other')
    subscriptions.delete('q', subscription_id, project='other')
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.confirm('q', subscription_id, project='other')
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.update('q', subscription_id, project='other', ttl=60)
    assert subscriptions.exists('q', subscription_id, project='p')


def test_confirm_and_unconfirm(subscriptions, queue):
    subscription_id = create(subscriptions)
    subscriptions.confirm('q', subscription_id, project='p')
    assert subscriptions.get('q', subscription_id, project='p')['confirmed']
    subscriptions.confirm('q', subscription_id, project='p', confirmed=False)
    assert not subscriptions.get('q', subscription_id,
                                 project='p')['confirmed']
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.confirm('q', 'nope', project='p')


def test_update_fields(subscriptions, queue):
    subscription_id = create(subscriptions)
    subscriptions.update('q', subscription_id, project='p',
                         subscriber='mailto:a@example.com', ttl=7200,
                         options={'b': [1, {}]})
    found = subscriptions.get('q', subscription_id, project='p')
    assert (found['subscriber'], found['ttl'], found['options']) == \
        ('mailto:a@example.com', 7200, {'b': [1, {}]})
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.update('q', 'nope', project='p', ttl=60)


def test_update_to_a_taken_subscriber_conflicts(subscriptions, queue):
    first = create(subscriptions, f'{HOOK}/1')
    second = create(subscriptions, f'{HOOK}/2')
    with pytest.raises(errors.SubscriptionAlreadyExists):
        subscriptions.update('q', second, project='p', subscriber=f'{HOOK}/1')
    subscriptions.update('q', first, project='p', subscriber=f'{HOOK}/1')
    assert subscriptions.get('q', second, project='p')['subscriber'] == \
        f'{HOOK}/2'


def test_expired_subscriptions_vanish_and_free_their_subscriber(
        driver, subscriptions, queue):
    old = create(subscriptions, ttl=1)
    keep = create(subscriptions, f'{HOOK}/2', ttl=600)
    assert subscriptions.exists('q', old, project='p')
    wait_for(lambda: not subscriptions.exists('q', old, project='p'),
             timeout=10, what='the subscription to expire')
    assert [s['id'] for s in page(subscriptions.list('q', project='p'))[0]] \
        == [keep]
    with pytest.raises(errors.SubscriptionDoesNotExist):
        subscriptions.get_with_subscriber('q', HOOK, project='p')
    renewed = create(subscriptions)
    assert renewed not in (None, old)
    assert subscriptions.exists('q', renewed, project='p')


def test_gc_collects_expired_subscriptions(driver, subscriptions, queue):
    create(subscriptions, f'{HOOK}/expiring', ttl=1)
    witness = create(subscriptions, f'{HOOK}/witness', ttl=1)
    keep = create(subscriptions, f'{HOOK}/kept', ttl=600)
    wait_for(lambda: not subscriptions.exists('q', witness, project='p'),
             timeout=10, what='the subscriptions to expire')
    assert driver.gc()['subscriptions'] >= 1  # the one never read since
    assert driver.gc()['subscriptions'] == 0
    assert subscriptions.exists('q', keep, project='p')


def test_update_renews_the_ttl(subscriptions, queue):
    subscription_id = create(subscriptions, ttl=1)
    witness = create(subscriptions, f'{HOOK}/witness', ttl=1)
    subscriptions.update('q', subscription_id, project='p', ttl=600)
    wait_for(lambda: not subscriptions.exists('q', witness, project='p'),
             timeout=10, what='the unrenewed subscription to expire')
    assert subscriptions.get('q', subscription_id, project='p')['ttl'] == 600


def test_delete_and_delete_all(subscriptions, queue):
    ids = [create(subscriptions, f'{HOOK}/{n}') for n in range(3)]
    subscriptions.delete('q', ids[0], project='p')
    subscriptions.delete('q', ids[0], project='p')
    assert not subscriptions.exists('q', ids[0], project='p')
    subscriptions.delete_all('q', project='p')
    assert page(subscriptions.list('q', project='p'))[0] == []


def test_deleting_the_queue_deletes_its_subscriptions(
        queues, subscriptions, queue):
    create(subscriptions)
    queues.delete('q', project='p')
    assert page(subscriptions.list('q', project='p'))[0] == []
    queues.create('q', project='p')
    assert create(subscriptions) is not None
