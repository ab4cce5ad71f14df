"""python-zaqarclient, unchanged, against a real gunicorn."""

import pytest
from zaqarclient.transport import errors as client_errors

from tests.conftest import wait_for


def total_becomes(queue, count):
    """Wait for the queue's stats to count ``count`` messages.

    Exact at once on SQLite, Redis and MongoDB; FerretDB (the MongoDB-wire
    test server) can lose a counter update that races the server's gc,
    and the next gc recounts.
    """
    wait_for(lambda: queue.stats['messages']['total'] == count, timeout=30,
             what=f'the stats to count {count} messages')


def queue_names(client):
    queues, _count = client.queues()
    return [queue.name for queue in queues]


def test_queue_lifecycle(client):
    queue = client.queue('orders', force_create=True)
    queue.metadata(new_meta={'_default_message_ttl': 120, 'team': 'red'})
    metadata = queue.metadata(force_reload=True)
    assert metadata['team'] == 'red'
    assert metadata['_default_message_ttl'] == 120
    assert 'orders' in queue_names(client)
    queue.delete()
    assert 'orders' not in queue_names(client)


def test_post_list_claim_update_release_delete(client):
    queue = client.queue('work')
    queue.post([{'body': {'n': n}, 'ttl': 300} for n in range(5)])
    listed = list(queue.messages(echo=True))
    assert [m.body['n'] for m in listed] == [0, 1, 2, 3, 4]

    claim = queue.claim(ttl=120, grace=60, limit=2)
    claimed = list(claim)
    assert [m.body['n'] for m in claimed] == [0, 1]
    claim.update(ttl=300)
    claimed[0].delete()
    assert [m.body['n'] for m in queue.messages(echo=True)] == [2, 3, 4]

    claim.delete()
    assert [m.body['n'] for m in queue.messages(echo=True)] == [1, 2, 3, 4]
    total_becomes(queue, 4)


def test_claimed_message_cannot_be_deleted_without_claim(client):
    queue = client.queue('guarded')
    queue.post([{'body': 'x', 'ttl': 300}])
    claimed = list(queue.claim(ttl=120, grace=60))
    [message] = list(queue.messages(echo=True, include_claimed=True))
    assert message.claim_id is None, 'claim ids are shown only to claimers'
    with pytest.raises(client_errors.ForbiddenError):
        message.delete()
    claimed[0].delete()
    total_becomes(queue, 0)


def test_pop_and_delete_by_ids(client):
    queue = client.queue('popper')
    queue.post([{'body': n, 'ttl': 300} for n in range(4)])
    popped = list(queue.pop(2))
    assert sorted(m.body for m in popped) == [0, 1]
    remaining = list(queue.messages(echo=True))
    queue.delete_messages(*[m.id for m in remaining])
    total_becomes(queue, 0)


def test_stats_and_purge(client):
    queue = client.queue('purged')
    queue.post([{'body': n, 'ttl': 300} for n in range(3)])
    list(queue.claim(ttl=120, grace=60, limit=1))
    wait_for(lambda: [queue.stats['messages'][key] for key in
                      ('claimed', 'free', 'total')] == [1, 2, 3],
             timeout=30, what='stats of 1 claimed and 2 free messages')
    queue.purge(resource_types=['messages'])
    total_becomes(queue, 0)
    assert queue.exists()


def test_projects_do_not_see_each_other(service, client):
    from zaqarclient.queues.v2 import client as zaqar

    client.queue('mine').post([{'body': 'secret', 'ttl': 300}])
    other = zaqar.Client(service.url, version=2, conf={
        'auth_opts': {'backend': 'noauth',
                      'options': {'os_project_id': 'someone-else'}}})
    assert 'mine' not in queue_names(other)
    assert list(other.queue('mine', auto_create=False).messages(
        echo=True)) == []


def test_subscriptions_through_the_client(client):
    queue = client.queue('subscribed', force_create=True)
    subscription = client.subscription(
        'subscribed', subscriber='mailto:ops@example.com', ttl=3600,
        options={'subject': 'hello'})
    listed = list(client.subscriptions('subscribed'))
    assert [s.id for s in listed] == [subscription.id]
    assert listed[0].subscriber == 'mailto:ops@example.com'
    assert listed[0].options == {'subject': 'hello'}
    fetched = client.subscription('subscribed', id=subscription.id)
    assert fetched.subscriber == 'mailto:ops@example.com'
    fetched.update({'ttl': 7200})
    assert client.subscription('subscribed', id=subscription.id).ttl == 7200
    fetched.delete()
    assert list(client.subscriptions('subscribed')) == []
    queue.delete()


def test_a_repeated_idempotent_post_is_stored_once(client):
    queue = client.queue('payments')
    message = {'body': {'payment': 9}, 'ttl': 300,
               'idempotency_key': 'payment-9'}
    first = queue.post([message])['resources']
    again = queue.post([message])['resources']
    assert again == first
    assert [m.body for m in queue.messages(echo=True)] == [{'payment': 9}]


def test_a_message_priority_passes_through(client):
    queue = client.queue('triage')
    queue.post([{'body': 'usual', 'ttl': 300},
                {'body': 'urgent', 'ttl': 300, 'priority': 9}])
    assert [m.body for m in queue.claim(ttl=120, grace=60, limit=1)] == \
        ['urgent']
    assert [m.body for m in queue.claim(ttl=120, grace=60, limit=1)] == \
        ['usual']


def test_a_redelivery_policy_holds_released_messages_back(client):
    queue = client.queue('flaky', force_create=True)
    queue.metadata(new_meta={'_redelivery_policy': {
        'retries_with_no_delay': 0, 'minimum_delay': 600,
        'maximum_delay': 900}})
    queue.post([{'body': 'job', 'ttl': 3600}])
    claim = queue.claim(ttl=120, grace=60)
    assert [m.body for m in claim] == ['job']
    claim.delete()
    assert list(queue.claim(ttl=120, grace=60)) == []
    assert queue.stats['messages']['delayed'] == 1
