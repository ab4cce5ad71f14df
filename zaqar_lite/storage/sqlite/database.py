"""Connections and transactions for the SQLite store.

One connection per process and thread, opened on first use.  A database
object that crosses a fork (gunicorn's ``preload_app``, multiprocessing)
forgets its parent's connection, writer lock and lock file in the child, so
parent and child never share one.  A fork waits for the write transactions
of other threads to end: SQLite keeps its lock state per process, so a child
forked in the middle of one would believe the database locked forever.  Writes run in ``BEGIN IMMEDIATE``
transactions: the database lock is taken up front, so a read-modify-write
(a claim) is atomic across processes.
"""

import contextlib
import fcntl
import os
import sqlite3
import threading
import weakref

from zaqar_lite import errors
from zaqar_lite.storage.sqlite import schema

SYNCHRONOUS = ('OFF', 'NORMAL', 'FULL', 'EXTRA')

# Engine states that a retry may get past; any other sqlite3 error is a bug.
_UNAVAILABLE = {'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL',
                'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PROTOCOL'}


# Every Database of this process, for the fork handler below.
_DATABASES = weakref.WeakSet()
# Connections inherited across a fork: kept referenced, never closed, since
# SQLite must not close in a child a connection opened by its parent.
_INHERITED = []


def _before_fork():
    for database in list(_DATABASES):
        database.pause_writes()


def _after_fork_in_parent():
    for database in list(_DATABASES):
        database.resume_writes()


def _after_fork_in_child():
    for database in list(_DATABASES):
        database.forget_parent()


os.register_at_fork(before=_before_fork,
                    after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)


def _is_unavailable(exc: BaseException) -> bool:
    name = getattr(exc, 'sqlite_errorname', '')
    return isinstance(exc, sqlite3.Error) and any(
        name.startswith(code) for code in _UNAVAILABLE)


def _add_missing_columns(conn, added_columns):
    """Upgrade tables made by an older version: add the columns they lack,
    each followed by its fill statement (if any) that gives old rows their
    values."""
    for table, column, declaration, *fill in added_columns:
        present = {row[1] for row in conn.execute(
            f'PRAGMA table_info({table})')}
        if present and column not in present:  # a table of this schema
            conn.execute(
                f'ALTER TABLE {table} ADD COLUMN {column} {declaration}')
            for statement in fill:
                conn.execute(statement)


def path_from_uri(uri: str) -> str:
    """The file path in ``sqlite:///relative.db`` or ``sqlite:////abs.db``."""
    prefix = 'sqlite:///'
    if not uri.startswith(prefix) or len(uri) == len(prefix):
        raise errors.ConfigurationError(
            f'SQLite URI {uri!r} is not of the form sqlite:///path/to/file.db')
    return uri[len(prefix):]


class Database:
    """A SQLite file shared by every process of the service.

    Args:
        path: the database file; created with its folder when missing.
        busy_timeout: seconds to wait for another writer's lock.
        synchronous: SQLite's ``synchronous`` pragma for WAL mode.
        statements: the schema, created when missing.
    """

    def __init__(self, path: str, busy_timeout: float = 10.0,
                 synchronous: str = 'FULL', statements=schema.STATEMENTS,
                 added_columns=schema.ADDED_COLUMNS):
        if synchronous.upper() not in SYNCHRONOUS:
            raise errors.ConfigurationError(
                f'synchronous must be one of {SYNCHRONOUS}, not {synchronous}')
        self.path = os.path.abspath(path)  # the same file after a chdir
        self.busy_timeout = busy_timeout
        self.synchronous = synchronous.upper()
        self._local = threading.local()
        # Writers queue on a thread lock and a lock file (one per process)
        # instead of in SQLite's busy handler, which polls with sleeps of up
        # to 100 ms and so gives long tail latencies under contention.
        self._writer = threading.Lock()
        self._writer_thread = None
        self._paused_by_fork = False
        self._lock_fd = None
        _DATABASES.add(self)
        self._create_schema(statements, added_columns)

    def pause_writes(self):
        """Before a fork: wait for other threads' write transactions."""
        if self._writer_thread != threading.get_ident():  # not a fork
            self._paused_by_fork = True                   # mid-transaction
            self._writer.acquire()

    def resume_writes(self):
        """After a fork, in the parent: let writers in again."""
        if self._paused_by_fork:
            self._paused_by_fork = False
            self._writer.release()

    def forget_parent(self):
        """In a forked child: drop what belongs to the parent process."""
        _INHERITED.append(getattr(self._local, 'conn', None))
        self._local = threading.local()
        self._writer = threading.Lock()
        self._writer_thread = None
        self._paused_by_fork = False
        if self._lock_fd is not None:
            # The parent keeps its own descriptor, and with it its lock.
            os.close(self._lock_fd)
            self._lock_fd = None

    def _create_schema(self, statements, added_columns=()):
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, exist_ok=True)
            with self.write() as conn:
                for statement in statements:
                    if statement.lstrip().upper().startswith('CREATE INDEX'):
                        _add_missing_columns(conn, added_columns)
                        added_columns = ()
                    conn.execute(statement)
                _add_missing_columns(conn, added_columns)
        except (OSError, errors.StorageUnavailable) as exc:
            raise errors.ConfigurationError(
                f'cannot open SQLite database {self.path}: {exc}') from exc

    def connection(self) -> sqlite3.Connection:
        """This process's and thread's connection."""
        conn = getattr(self._local, 'conn', None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _connect(self):
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout,
                               isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute('PRAGMA journal_mode = WAL')
        conn.execute(f'PRAGMA synchronous = {self.synchronous}')
        conn.execute('PRAGMA foreign_keys = OFF')
        return conn

    @contextlib.contextmanager
    def write(self):
        """A transaction holding the write lock; commits unless it raises."""
        with self._writer:
            self._writer_thread = threading.get_ident()
            fd = self._lock_descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                with self._transaction('BEGIN IMMEDIATE') as conn:
                    yield conn
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                self._writer_thread = None

    def _lock_descriptor(self):
        """This process's descriptor of the writers' lock file."""
        if self._lock_fd is None:
            self._lock_fd = os.open(self.path + '.lock',
                                    os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                                    0o600)
        return self._lock_fd

    @contextlib.contextmanager
    def read(self):
        """A consistent read snapshot (a deferred transaction)."""
        with self._transaction('BEGIN') as conn:
            yield conn

    @contextlib.contextmanager
    def _transaction(self, begin):
        conn = None
        try:
            conn = self.connection()
            conn.execute(begin)
            yield conn
            conn.commit()
        except BaseException as exc:
            if conn is not None and conn.in_transaction:
                conn.rollback()
            if _is_unavailable(exc):
                raise errors.StorageUnavailable(f'SQLite: {exc}') from exc
            raise

    def is_alive(self) -> bool:
        """Whether the file can be read."""
        try:
            self.connection().execute(
                'SELECT 1 FROM sqlite_master LIMIT 1').fetchone()
        except sqlite3.Error:
            return False
        return True

    def close(self):
        """Close this thread's connection and the lock file."""
        conn = getattr(self._local, 'conn', None)
        if conn is not None:
            conn.close()
        self._local = threading.local()
        with self._writer:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
