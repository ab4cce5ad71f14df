"""SQLite files, options, WAL, threads and forks."""

import multiprocessing
import sqlite3
import threading

import pytest

from zaqar_lite import errors
from zaqar_lite.storage.sqlite.database import Database
from zaqar_lite.storage.sqlite.driver import DataDriver
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}


def test_relative_uri_is_resolved_once_and_folders_are_created(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    driver = DataDriver('sqlite:///nested/dir/relative.db')
    monkeypatch.chdir('/')
    driver.queue_controller.create('q', project='p')
    assert (tmp_path / 'nested/dir/relative.db').is_file()
    assert driver.queue_controller.exists('q', project='p')


def test_absolute_uri(tmp_path):
    path = tmp_path / 'a' / 'b.db'
    DataDriver(f'sqlite:///{path}').queue_controller.create('q')
    assert str(path).startswith('/') and path.is_file()
    assert DataDriver(f'sqlite:///{path}').queue_controller.exists('q')


@pytest.mark.parametrize('uri', ['sqlite://', 'sqlite:///', 'mysql:///x.db',
                                 'sqlite://:memory:', 'x.db'])
def test_malformed_uri_is_a_configuration_error(uri):
    with pytest.raises(errors.ConfigurationError):
        DataDriver(uri)


def test_unusable_path_is_a_configuration_error(tmp_path):
    (tmp_path / 'file').write_text('not a folder')
    with pytest.raises(errors.ConfigurationError, match='cannot open'):
        DataDriver(f'sqlite:///{tmp_path}/file/x.db')


def test_bad_synchronous_is_a_configuration_error(tmp_path):
    with pytest.raises(errors.ConfigurationError, match='synchronous'):
        DataDriver(f'sqlite:///{tmp_path}/x.db', {'synchronous': 'SOMETIMES'})


@pytest.mark.parametrize('value, level', [('FULL', 2), ('normal', 1)])
def test_wal_mode_and_synchronous_option(tmp_path, value, level):
    driver = DataDriver(f'sqlite:///{tmp_path}/x.db', {'synchronous': value})
    conn = driver.db.connection()
    assert conn.execute('PRAGMA synchronous').fetchone()[0] == level
    outsider = sqlite3.connect(tmp_path / 'x.db')
    assert outsider.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'


def test_readers_do_not_wait_for_a_writer(tmp_path):
    # A blocked reader would fail after busy_timeout, not pass.
    driver = DataDriver(f'sqlite:///{tmp_path}/x.db', {'busy_timeout': 0.2})
    driver.queue_controller.create('q', project='p')
    driver.message_controller.post('q', [{'body': 1, 'ttl': 60}], 'c',
                                   project='p')
    writing, done = threading.Event(), threading.Event()

    def hold_write_lock():
        with driver.db.write() as conn:
            conn.execute("UPDATE queues SET metadata = '{}'")
            writing.set()
            done.wait(30)

    writer = threading.Thread(target=hold_write_lock)
    writer.start()
    try:
        assert writing.wait(30)
        items, _ = page(driver.message_controller.list('q', project='p',
                                                       echo=True))
        assert [m['body'] for m in items] == [1]
        assert driver.queue_controller.stats('q', project='p')
    finally:
        done.set()
        writer.join(30)


def claim_all(driver, limit=3):
    """Claim and delete until the queue is empty; the bodies taken."""
    claims, messages = driver.claim_controller, driver.message_controller
    taken = []
    while True:
        claim_id, held = claims.create('q', LEASE, project='p', limit=limit)
        if not held:
            return taken
        for message in held:
            messages.delete('q', message['id'], project='p', claim=claim_id)
            taken.append(message['body'])


def test_threads_share_a_driver_without_sharing_a_message(tmp_path):
    driver = DataDriver(f'sqlite:///{tmp_path}/x.db')
    driver.queue_controller.create('q', project='p')
    driver.message_controller.post(
        'q', [{'body': n, 'ttl': 600} for n in range(120)], 'c', project='p')
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        claim_all(driver))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    taken = [body for result in results for body in result]
    assert sorted(taken) == list(range(120))


def consume_in_child(driver, results):
    results.put(claim_all(driver))


def test_a_driver_built_before_fork_works_in_the_children(tmp_path):
    # Given a driver in use in the parent, with another thread in a write
    # transaction when the fork is asked for,
    driver = DataDriver(f'sqlite:///{tmp_path}/x.db')
    driver.queue_controller.create('q', project='p')
    driver.message_controller.post(
        'q', [{'body': n, 'ttl': 600} for n in range(60)], 'c', project='p')
    locked, release = threading.Event(), threading.Event()

    def hold_write_lock():
        with driver.db.write():
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    assert locked.wait(30)
    # when children are forked (the fork waits for that transaction),
    context = multiprocessing.get_context('fork')
    results = context.Queue()
    children = [context.Process(target=consume_in_child,
                                args=(driver, results)) for _ in range(2)]
    threading.Timer(0.3, release.set).start()
    for child in children:
        child.start()
    assert release.is_set()
    holder.join(30)
    # then the children and the parent share the queue without deadlock.
    taken = claim_all(driver)
    taken += [body for _ in children for body in results.get(timeout=60)]
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    assert sorted(taken) == list(range(60))


OLD_SCHEMA = ('CREATE TABLE IF NOT EXISTS things '
              '(id INTEGER PRIMARY KEY, name TEXT)',)


def older_database(tmp_path) -> str:
    """A database made by an 'older version' (``OLD_SCHEMA``) with one row;
    its path."""
    path = str(tmp_path / 'old.db')
    Database(path, statements=OLD_SCHEMA).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO things (name) VALUES ('kept')")
    return path


def test_a_database_from_an_older_version_gets_the_columns_added_since(
        tmp_path):
    path, old = older_database(tmp_path), OLD_SCHEMA
    added = (('things', 'weight', 'INTEGER NOT NULL DEFAULT 7'),)
    statements = old + ('CREATE INDEX IF NOT EXISTS by_weight '
                        'ON things (weight)',)
    for _ in range(2):  # the second open finds nothing to add
        Database(path, statements=statements, added_columns=added).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute('SELECT name, weight FROM things').fetchall() \
            == [('kept', 7)]
        assert conn.execute("SELECT name FROM sqlite_master WHERE "
                            "type = 'index' AND name = 'by_weight'").fetchall()


def test_a_column_added_since_is_filled_in_the_rows_of_an_older_database(
        tmp_path):
    path, old = older_database(tmp_path), OLD_SCHEMA
    added = (('things', 'label', 'TEXT', 'UPDATE things SET label = name'),)
    Database(path, statements=old, added_columns=added).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO things (name) VALUES ('new')")
    Database(path, statements=old, added_columns=added).close()  # no refill
    with sqlite3.connect(path) as conn:
        assert conn.execute('SELECT name, label FROM things ORDER BY id'
                            ).fetchall() == [('kept', 'kept'), ('new', None)]


def test_a_claim_made_before_redelivery_backoff_is_still_held(tmp_path):
    from zaqar_lite.storage.sqlite.driver import DataDriver
    uri = f'sqlite:///{tmp_path}/old.db'
    driver = DataDriver(uri)
    driver.queue_controller.create('q', project='p')
    [mid] = driver.message_controller.post('q', [{'body': 1, 'ttl': 600}],
                                           'c', project='p')
    claim_id, _ = driver.claim_controller.create(
        'q', {'ttl': 300, 'grace': 60}, project='p')
    driver.close()
    with sqlite3.connect(str(tmp_path / 'old.db')) as conn:  # as it was
        conn.execute('DROP INDEX messages_backoff')
        conn.execute('ALTER TABLE messages DROP COLUMN claim_expires')
    driver = DataDriver(uri)
    message = driver.message_controller.get('q', mid, project='p')
    assert message['claim_id'] == claim_id
    assert message['claim_expires'] == message['available_at']
    assert driver.claim_controller.create(
        'q', {'ttl': 300, 'grace': 60}, project='p') == (None, [])
    driver.close()
