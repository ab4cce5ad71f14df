"""Connections and transactions for the SQLite store.

One connection per process and thread, opened on first use, so a database
built before gunicorn forks never shares a connection with its workers.
Writes run in ``BEGIN IMMEDIATE`` transactions: the database lock is taken
up front, so a read-modify-write (a claim) is atomic across processes.
"""

import contextlib
import fcntl
import os
import sqlite3
import threading

from zaqar_lite import errors
from zaqar_lite.storage.sqlite import schema

SYNCHRONOUS = ('OFF', 'NORMAL', 'FULL', 'EXTRA')

# Engine states that a retry may get past; any other sqlite3 error is a bug.
_UNAVAILABLE = {'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL',
                'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PROTOCOL'}


def _is_unavailable(exc: BaseException) -> bool:
    name = getattr(exc, 'sqlite_errorname', '')
    return isinstance(exc, sqlite3.Error) and any(
        name.startswith(code) for code in _UNAVAILABLE)


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
    """

    def __init__(self, path: str, busy_timeout: float = 10.0,
                 synchronous: str = 'FULL'):
        if synchronous.upper() not in SYNCHRONOUS:
            raise errors.ConfigurationError(
                f'synchronous must be one of {SYNCHRONOUS}, not {synchronous}')
        self.path = path
        self.busy_timeout = busy_timeout
        self.synchronous = synchronous.upper()
        self._local = threading.local()
        # Writers queue on a thread lock and a lock file (one per process)
        # instead of in SQLite's busy handler, which polls with sleeps of up
        # to 100 ms and so gives long tail latencies under contention.
        self._writer = threading.Lock()
        self._lock_file = None
        self._create_schema()

    def _create_schema(self):
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(folder, exist_ok=True)
            with self.write() as conn:
                for statement in schema.STATEMENTS:
                    conn.execute(statement)
        except (OSError, errors.StorageUnavailable) as exc:
            raise errors.ConfigurationError(
                f'cannot open SQLite database {self.path}: {exc}') from exc

    def connection(self) -> sqlite3.Connection:
        """This process's and thread's connection."""
        local = self._local
        if getattr(local, 'pid', None) != os.getpid():
            local.conn = self._connect()
            local.pid = os.getpid()
        return local.conn

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
            fd = self._lock_fd()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                with self._transaction('BEGIN IMMEDIATE') as conn:
                    yield conn
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _lock_fd(self):
        """This process's descriptor of the writers' lock file."""
        if self._lock_file is None or self._lock_file[0] != os.getpid():
            fd = os.open(self.path + '.lock', os.O_RDWR | os.O_CREAT, 0o600)
            self._lock_file = (os.getpid(), fd)
        return self._lock_file[1]

    @contextlib.contextmanager
    def read(self):
        """A consistent read snapshot (a deferred transaction)."""
        with self._transaction('BEGIN') as conn:
            yield conn

    @contextlib.contextmanager
    def _transaction(self, begin):
        conn = self.connection()
        try:
            conn.execute(begin)
            yield conn
            conn.commit()
        except BaseException as exc:
            if conn.in_transaction:
                conn.rollback()
            if _is_unavailable(exc):
                raise errors.StorageUnavailable(f'SQLite: {exc}') from exc
            raise

    def is_alive(self) -> bool:
        """Whether the file can be read."""
        try:
            self.connection().execute('SELECT 1').fetchone()
        except sqlite3.Error:
            return False
        return True

    def close(self):
        """Close this thread's connection."""
        conn = getattr(self._local, 'conn', None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local = threading.local()
