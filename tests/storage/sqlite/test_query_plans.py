"""Every statement the SQLite store runs on the request path uses an index."""

import re

from zaqar_lite.storage.sqlite.driver import DataDriver
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}


def exercise(driver):
    """One of every request-path operation."""
    queues, messages = driver.queue_controller, driver.message_controller
    claims = driver.claim_controller
    queues.create('q', metadata={'_max_claim_count': 5,
                                 '_dead_letter_queue': 'dlq',
                                 '_redelivery_policy': {}}, project='p')
    ids = messages.post('q', [{'body': n, 'ttl': 60} for n in range(5)],
                        'c', project='p')
    messages.post('q', [{'body': 'urgent', 'ttl': 60, 'priority': 9}], 'c',
                  project='p')
    for _ in range(2):  # a key noted, then found
        messages.post('q', [{'body': 'k', 'ttl': 60, 'idempotency_key': 'k',
                             'dedup_window': 60}], 'c', project='p')
    page(queues.list(project='p', kfilter={'a': 'b'}, name='q'))
    queues.get('q', project='p')
    queues.stats('q', project='p')
    for flags in ({}, {'include_claimed': True}, {'include_delayed': True}):
        page(messages.list('q', project='p', client_uuid='c', marker='1',
                           **flags))
    messages.get('q', ids[0], project='p')
    messages.bulk_get('q', ids[:2], project='p')
    claim_id, _ = claims.create('q', LEASE, project='p', limit=2)
    claims.get('q', claim_id, project='p')
    claims.update('q', claim_id, LEASE, project='p')
    messages.delete('q', ids[0], project='p', claim=claim_id)
    claims.delete('q', claim_id, project='p')
    messages.bulk_delete('q', ids[1:3], project='p')
    messages.pop('q', 1, project='p')
    messages.first('q', project='p')
    driver.gc()
    queues.delete('q', project='p')


def plans(driver, statements):
    conn = driver.db.connection()
    conn.set_trace_callback(None)
    for sql in statements:
        if re.match(r'\s*(SELECT|UPDATE|DELETE)', sql, re.I):
            for row in conn.execute('EXPLAIN QUERY PLAN ' + sql):
                yield sql, row['detail']


def test_no_statement_scans_a_table(tmp_path):
    driver = DataDriver(f'sqlite:///{tmp_path}/plans.db')
    statements = []
    driver.db.connection().set_trace_callback(statements.append)
    exercise(driver)
    # json_each walks one row's metadata document, not a table.
    scans = [(sql, detail) for sql, detail in plans(driver, statements)
             if detail.startswith('SCAN') and 'CONSTANT' not in detail
             and 'VIRTUAL TABLE' not in detail]
    assert scans == []
