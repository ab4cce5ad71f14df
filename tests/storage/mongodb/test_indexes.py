"""Every command the MongoDB store sends on the request path uses an index.

FerretDB's ``explain`` describes its own SQLite plan, not MongoDB's, so
instead of asking the server this records every command the driver sends
while it serves one of each request and checks each filter (and sort)
against the indexes ``schema.py`` declares, as MongoDB's planner would:
equality on the index's leading fields, then a range on, or the sort by,
the fields that follow.
"""

import uuid

import pymongo
import pytest
from pymongo import monitoring

from zaqar_lite.storage.mongodb import engine, schema
from zaqar_lite.storage.mongodb.driver import DataDriver
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}
RANGE = {'$gt', '$gte', '$lt', '$lte'}
POINTS = {'$eq', '$in'}


class Recorder(monitoring.CommandListener):
    """Keeps ``(collection, filter, sort)`` of each query the driver sends."""

    def __init__(self):
        self.queries = []

    def started(self, event):
        command, name = event.command, event.command_name
        if name == 'find':
            self.queries.append((command['find'], command['filter'],
                                 command.get('sort')))
        elif name == 'findAndModify':
            self.queries.append((command['findAndModify'], command['query'],
                                 command.get('sort')))
        elif name in ('update', 'delete'):
            for statement in command[f'{name}s']:
                self.queries.append((command[name], statement['q'], None))
        elif name == 'aggregate':  # count_documents
            self.queries.append((command['aggregate'],
                                 command['pipeline'][0]['$match'], None))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def exercise(driver):
    """One of every request-path operation."""
    queues, messages = driver.queue_controller, driver.message_controller
    claims, subscriptions = driver.claim_controller, \
        driver.subscription_controller
    queues.create('q', metadata={'_max_claim_count': 1,
                                 '_dead_letter_queue': 'dlq',
                                 '_redelivery_policy': {}}, project='p')
    ids = messages.post('q', [{'body': n, 'ttl': 60} for n in range(6)],
                        'c', project='p')
    messages.post('q', [{'body': 'urgent', 'ttl': 60, 'priority': 9}], 'c',
                  project='p')
    for _ in range(2):  # a key noted, then found
        messages.post('q', [{'body': 'k', 'ttl': 60, 'idempotency_key': 'k',
                             'dedup_window': 60}], 'c', project='p')
    page(queues.list(project='p', kfilter={'a': 'b'}, name='q'))
    queues.get('q', project='p')
    queues.exists('q', project='p')
    queues.set_metadata('q', queues.get('q', project='p'), project='p')
    for flags in ({}, {'include_claimed': True}, {'include_delayed': True},
                  {'include_claimed': True, 'include_delayed': True}):
        page(messages.list('q', project='p', client_uuid='c', marker='1',
                           **flags))
    messages.get('q', ids[0], project='p')
    messages.bulk_get('q', ids[:2], project='p')
    claim_id, _ = claims.create('q', LEASE, project='p', limit=2)
    queues.stats('q', project='p')
    claims.get('q', claim_id, project='p')
    claims.update('q', claim_id, LEASE, project='p')
    messages.delete('q', ids[0], project='p', claim=claim_id)
    claims.delete('q', claim_id, project='p')
    second, _ = claims.create('q', LEASE, project='p', limit=10)  # + a move
    messages.bulk_delete('q', ids[2:4], project='p', claim_ids=[second])
    messages.pop('dlq', 1, project='p')
    messages.first('q', project='p')
    subscription_id = subscriptions.create('q', 'http://x', 60, {},
                                           project='p')
    page(subscriptions.list('q', project='p'))
    subscriptions.get('q', subscription_id, project='p')
    subscriptions.get_with_subscriber('q', 'http://x', project='p')
    subscriptions.exists('q', subscription_id, project='p')
    subscriptions.update('q', subscription_id, project='p',
                         subscriber='http://y', ttl=120)
    subscriptions.confirm('q', subscription_id, project='p')
    subscriptions.delete('q', subscription_id, project='p')
    queues.delete('q', project='p')


def served(keys, query, sort) -> bool:
    """Whether an index with ``keys`` bounds the query (and gives its sort)."""
    fields = [field for field, _ in keys]
    equal, ranged = set(), set()
    for field, condition in query.items():
        if isinstance(condition, dict) and set(condition) & RANGE:
            ranged.add(field)
        elif not isinstance(condition, dict) or set(condition) <= POINTS:
            equal.add(field)
    prefix = 0
    while prefix < len(fields) and fields[prefix] in equal:
        prefix += 1
    following = fields[prefix:]
    if prefix == 0:
        bounded = bool(fields) and fields[0] in ranged
        return bounded and (not sort or list(sort) == fields[:len(sort)])
    if sort:
        return list(sort)[:len(following)] == following[:len(sort)]
    return not ranged or not following or following[0] in ranged


def test_every_request_path_query_has_an_index(ferretdb_server):
    database = f'test-{uuid.uuid4().hex}'
    driver = DataDriver(ferretdb_server.uri, {'database': database})
    recorder = Recorder()
    client = pymongo.MongoClient(ferretdb_server.uri,
                                 event_listeners=[recorder])
    driver.db = engine.Collections.of(client[database])
    exercise(driver)
    indexes = {name: [[('_id', 1)]] + [keys for _, keys, _ in declared]
               for name, declared in schema.INDEXES.items()}
    unserved = [(collection, query, sort)
                for collection, query, sort in recorder.queries
                if not any(served(keys, query, sort)
                           for keys in indexes[collection])]
    assert len(recorder.queries) > 50
    assert unserved == []
    client.close()
    driver.close()


@pytest.mark.parametrize('query, sort, expected', [
    ({'project': 'p', 'queue': 'q', 'seq': {'$gt': 1}}, {'seq': 1}, True),
    ({'project': 'p', 'queue': 'q'}, {'created': 1}, False),
    ({'project': 'p', 'queue': 'q', 'created': {'$gt': 1}}, None, False),
    ({'body': 'x'}, None, False),
    ({'project': 'p', 'queue': 'q', 'available': {'$gt': 1}}, None, True),
    ({'_id': {'$gt': 'x'}}, {'_id': 1}, True),
    ({'_id': {'$gt': 'x'}}, {'seq': 1}, False),
    ({}, {'_id': 1}, False),
])
def test_the_check_itself(query, sort, expected):
    keys = [[('_id', 1)], [('project', 1), ('queue', 1), ('seq', 1)],
            [('project', 1), ('queue', 1), ('available', 1), ('seq', 1)]]
    assert any(served(k, query, sort) for k in keys) is expected


def test_declared_indexes_exist(ferretdb_server):
    database = f'test-{uuid.uuid4().hex}'
    driver = DataDriver(ferretdb_server.uri, {'database': database})
    raw = driver.client[database]
    for collection, declared in schema.INDEXES.items():
        found = {index['name']: (list(index['key'].items()),
                                 bool(index.get('unique')))
                 for index in raw[collection].list_indexes()}
        for name, keys, options in declared:
            assert found[name] == (keys, bool(options.get('unique')))
    driver.close()


class Reads(monitoring.CommandListener):
    """Counts the documents the server hands back to the driver."""

    def __init__(self):
        self.documents = 0

    def started(self, event):
        pass

    def succeeded(self, event):
        cursor = event.reply.get('cursor') or {}
        self.documents += len(cursor.get('firstBatch', ())) + \
            len(cursor.get('nextBatch', ()))
        if event.command_name == 'findAndModify' and event.reply.get('value'):
            self.documents += 1

    def failed(self, event):
        pass


def test_a_claim_reads_the_same_documents_at_any_depth_or_backlog(
        ferretdb_server):
    # Shallow: 20 messages. Deep: 1,000 messages, of which the first 500
    # are held by live claims. Claiming 10 reads as many documents in both.
    database = f'test-{uuid.uuid4().hex}'
    driver = DataDriver(ferretdb_server.uri, {'database': database})
    for queue, depth in (('shallow', 20), ('deep', 1000)):
        driver.queue_controller.create(queue, project='p')
        for start in range(0, depth, 250):
            driver.message_controller.post(
                queue, [{'body': n, 'ttl': 600}
                        for n in range(start, min(depth, start + 250))],
                'c', project='p')
    for _ in range(25):
        driver.claim_controller.create('deep', LEASE, project='p', limit=20)
    reads = Reads()
    client = pymongo.MongoClient(ferretdb_server.uri,
                                 event_listeners=[reads])
    driver.db = engine.Collections.of(client[database])
    counted = {}
    for queue in ('shallow', 'deep'):
        reads.documents = 0
        _, held = driver.claim_controller.create(queue, LEASE, project='p',
                                                 limit=10)
        assert len(held) == 10
        counted[queue] = reads.documents
    assert 10 <= counted['deep'] == counted['shallow'] <= 10 + 2, counted
    client.close()
    driver.close()
