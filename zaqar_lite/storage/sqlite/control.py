"""The SQLite management store: catalogue, pools and flavors.

Keep it in a file of its own (the default), not in a data pool's file:
``generation()`` is SQLite's ``data_version``, which moves on every commit
to the file by another connection, plus this process's own changes.
"""

import json
import threading

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.sqlite.database import Database, path_from_uri
from zaqar_lite.storage.sqlite.queues import scope as _scope

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS catalogue (
        project TEXT NOT NULL,
        queue TEXT NOT NULL,
        pool TEXT NOT NULL,
        PRIMARY KEY (project, queue)
    ) WITHOUT ROWID""",
    """CREATE INDEX IF NOT EXISTS catalogue_by_pool ON catalogue (pool)""",
    """CREATE TABLE IF NOT EXISTS pools (
        name TEXT PRIMARY KEY,
        uri TEXT NOT NULL,
        weight INTEGER NOT NULL,
        flavor TEXT,
        options TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE INDEX IF NOT EXISTS pools_by_flavor ON pools (flavor, name)""",
    """CREATE TABLE IF NOT EXISTS flavors (
        name TEXT PRIMARY KEY,
        capabilities TEXT NOT NULL
    ) WITHOUT ROWID""",
)


class CatalogueController(base.Catalogue):

    @property
    def db(self):
        return self.driver.db

    def list(self, project=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE):
        rows = self.db.connection().execute(
            'SELECT queue, pool FROM catalogue WHERE project = ? AND '
            'queue > ? ORDER BY queue LIMIT ?',
            (_scope(project), marker or '', limit)).fetchall()
        yield iter([{'queue': row['queue'], 'pool': row['pool']}
                    for row in rows])
        yield rows[-1]['queue'] if rows else marker

    def get(self, project, queue):
        row = self.db.connection().execute(
            'SELECT pool FROM catalogue WHERE project = ? AND queue = ?',
            (_scope(project), queue)).fetchone()
        if row is None:
            raise errors.QueueNotMapped(queue, project)
        return row['pool']

    def insert(self, project, queue, pool):
        with self.db.write() as conn:
            conn.execute('INSERT OR IGNORE INTO catalogue (project, queue, '
                         'pool) VALUES (?, ?, ?)',
                         (_scope(project), queue, pool))
            return conn.execute(
                'SELECT pool FROM catalogue WHERE project = ? AND queue = ?',
                (_scope(project), queue)).fetchone()['pool']

    def delete(self, project, queue):
        with self.db.write() as conn:
            conn.execute('DELETE FROM catalogue WHERE project = ? AND '
                         'queue = ?', (_scope(project), queue))
        self.driver.changed()

    def count(self, pool):
        return self.db.connection().execute(
            'SELECT count(*) FROM catalogue WHERE pool = ?',
            (pool,)).fetchone()[0]


class PoolsController(base.Pools):

    @property
    def db(self):
        return self.driver.db

    def list(self, marker=None, limit=base.DEFAULT_POOLS_PER_PAGE,
             detailed=False, flavor=None):
        sql = 'SELECT * FROM pools WHERE name > ?'
        params = [marker or '']
        if flavor is not None:
            sql += ' AND flavor IS ?'
            params.append(flavor or None)
        rows = self.db.connection().execute(
            sql + ' ORDER BY name LIMIT ?', (*params, limit)).fetchall()
        yield iter([_pool(row, detailed) for row in rows])
        yield rows[-1]['name'] if rows else marker

    def get(self, name, detailed=False):
        row = self.db.connection().execute(
            'SELECT * FROM pools WHERE name = ?', (name,)).fetchone()
        if row is None:
            raise errors.PoolDoesNotExist(name)
        return _pool(row, detailed)

    def create(self, name, weight, uri, flavor=None, options=None):
        with self.db.write() as conn:
            new = conn.execute('SELECT 1 FROM pools WHERE name = ?',
                               (name,)).fetchone() is None
            conn.execute('INSERT OR REPLACE INTO pools (name, uri, weight, '
                         'flavor, options) VALUES (?, ?, ?, ?, ?)',
                         (name, uri, weight, flavor or None,
                          json.dumps(options or {})))
        self.driver.changed()
        return new

    def update(self, name, **fields):
        fields = {key: value for key, value in fields.items()
                  if key in ('weight', 'uri', 'flavor', 'options')}
        if 'options' in fields:
            fields['options'] = json.dumps(fields['options'] or {})
        if 'flavor' in fields:
            fields['flavor'] = fields['flavor'] or None
        with self.db.write() as conn:
            exists = conn.execute('SELECT 1 FROM pools WHERE name = ?',
                                  (name,)).fetchone()
            if exists is None:
                raise errors.PoolDoesNotExist(name)
            if fields:
                assignments = ', '.join(f'{key} = ?' for key in fields)
                conn.execute(f'UPDATE pools SET {assignments} WHERE name = ?',
                             (*fields.values(), name))
        self.driver.changed()

    def delete(self, name):
        with self.db.write() as conn:
            conn.execute('DELETE FROM pools WHERE name = ?', (name,))
        self.driver.changed()


class FlavorsController(base.Flavors):

    @property
    def db(self):
        return self.driver.db

    def list(self, marker=None, limit=base.DEFAULT_FLAVORS_PER_PAGE):
        rows = self.db.connection().execute(
            'SELECT * FROM flavors WHERE name > ? ORDER BY name LIMIT ?',
            (marker or '', limit)).fetchall()
        yield iter([_flavor(row) for row in rows])
        yield rows[-1]['name'] if rows else marker

    def get(self, name):
        row = self.db.connection().execute(
            'SELECT * FROM flavors WHERE name = ?', (name,)).fetchone()
        if row is None:
            raise errors.FlavorDoesNotExist(name)
        return _flavor(row)

    def create(self, name, capabilities=None):
        with self.db.write() as conn:
            new = conn.execute('SELECT 1 FROM flavors WHERE name = ?',
                               (name,)).fetchone() is None
            conn.execute('INSERT OR REPLACE INTO flavors (name, '
                         'capabilities) VALUES (?, ?)',
                         (name, json.dumps(capabilities or {})))
        self.driver.changed()
        return new

    def update(self, name, capabilities):
        with self.db.write() as conn:
            updated = conn.execute(
                'UPDATE flavors SET capabilities = ? WHERE name = ?',
                (json.dumps(capabilities or {}), name)).rowcount
        if not updated:
            raise errors.FlavorDoesNotExist(name)
        self.driver.changed()

    def delete(self, name):
        with self.db.write() as conn:
            conn.execute('DELETE FROM flavors WHERE name = ?', (name,))
            conn.execute('UPDATE pools SET flavor = NULL WHERE flavor = ?',
                         (name,))
        self.driver.changed()


def _pool(row, detailed):
    pool = {'name': row['name'], 'uri': row['uri'], 'weight': row['weight'],
            'flavor': row['flavor']}
    if detailed:
        pool['options'] = json.loads(row['options'])
    return pool


def _flavor(row):
    return {'name': row['name'],
            'capabilities': json.loads(row['capabilities'])}


class ControlDriver(base.ControlDriverBase):
    """Catalogue, pools and flavors in a SQLite file.

    Args:
        uri: ``sqlite:///path/to/management.db``.
        options: ``busy_timeout`` and ``synchronous``.
    """

    catalogue_class = CatalogueController
    pools_class = PoolsController
    flavors_class = FlavorsController

    def __init__(self, uri, options=None):
        super().__init__(uri, options)
        self.db = Database(path_from_uri(uri),
                           busy_timeout=float(self.options.get('busy_timeout',
                                                               10.0)),
                           synchronous=self.options.get('synchronous', 'FULL'),
                           statements=STATEMENTS)
        self._local_changes = 0
        self._lock = threading.Lock()

    def changed(self):
        """Note a change made through this process (data_version misses
        the connection's own commits)."""
        with self._lock:
            self._local_changes += 1

    def generation(self):
        version = self.db.connection().execute(
            'PRAGMA data_version').fetchone()[0]
        return (version, self._local_changes)

    def is_alive(self):
        return self.db.is_alive()

    def close(self):
        self.db.close()
