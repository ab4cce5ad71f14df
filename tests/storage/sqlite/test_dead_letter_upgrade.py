"""A database made before dead-letter provenance keeps working."""

import sqlite3

from zaqar_lite.storage.sqlite import schema
from zaqar_lite.storage.sqlite.database import Database
from zaqar_lite.storage.sqlite.driver import DataDriver


def previous_statements():
    """The schema as the version before provenance made it."""
    return tuple(statement.replace(',\n        dead_letter TEXT', '')
                 for statement in schema.STATEMENTS
                 if 'redrive_jobs' not in statement)


def test_messages_of_an_older_database_get_provenance_on_open(tmp_path):
    path = tmp_path / 'old.db'
    old = previous_statements()
    assert not any('dead_letter' in statement for statement in old)
    Database(str(path), statements=old, added_columns=()).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO queues (project, name, metadata, created, "
                     "messages) VALUES ('p', 'q', "
                     "'{\"_dead_letter_queue\": \"dlq\"}', 0, 1)")
        conn.execute("INSERT INTO messages (id, project, queue, body, "
                     "client_uuid, created, ttl, expires, delay, "
                     "available_at) VALUES ('m', 'p', 'q', '\"old\"', 'c', "
                     "strftime('%s','now'), 600, strftime('%s','now') + 600, "
                     "0, 0)")
    driver = DataDriver(f'sqlite:///{path}')
    try:
        assert driver.message_controller.get('q', 'm', project='p')[
            'dead_letter'] is None
        claim_id, _ = driver.claim_controller.create(
            'q', {'ttl': 60, 'grace': 60}, project='p')
        driver.message_controller.reject('q', 'm', project='p',
                                         claim=claim_id, detail='old one')
        moved = driver.message_controller.get('dlq', 'm', project='p')
        assert moved['body'] == 'old'
        assert moved['dead_letter']['reason'] == 'rejected'
        assert driver.redrive_controller.running() == []
    finally:
        driver.close()
