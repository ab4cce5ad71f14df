"""The connection to MongoDB, and the operations the store runs on it.

:class:`Collection` offers only the operations the controllers use, each
returning plain values and turning a lost or failing server into
``StorageUnavailable`` (503), the way ``redis/scripts.py`` does for Redis.
"""

import contextlib
import dataclasses

import pymongo
import pymongo.errors
from pymongo.read_preferences import read_pref_mode_from_name

from zaqar_lite import errors
from zaqar_lite.storage.mongodb import schema

DUPLICATE_KEY = 11000  # MongoDB's error code for a unique index violation

#: failures that mean "the engine cannot serve right now", not a bug
_UNAVAILABLE = (pymongo.errors.ConnectionFailure,
                pymongo.errors.ExecutionTimeout,
                pymongo.errors.WTimeoutError)


def connect(uri: str, options: dict) -> pymongo.MongoClient:
    """A client for ``uri``, checked to answer.

    Args:
        options: ``write_concern``, ``write_timeout``, ``read_preference``,
            ``server_selection_timeout``, ``socket_timeout`` (seconds) and
            ``max_pool_size``.

    Raises:
        ConfigurationError: the URI is malformed or nothing answers there.
    """
    if not uri.startswith(('mongodb://', 'mongodb+srv://')):
        raise errors.ConfigurationError(
            f'MongoDB URI {uri!r} must start with mongodb:// or '
            'mongodb+srv://')
    timeout_ms = int(float(options.get('socket_timeout', 5.0)) * 1000)
    try:
        client = pymongo.MongoClient(
            uri, appname='zaqar-lite', tz_aware=False, connect=False,
            w=_write_concern(options.get('write_concern', 'majority')),
            wTimeoutMS=int(float(options.get('write_timeout', 10.0)) * 1000),
            readPreference=read_preference(options),
            serverSelectionTimeoutMS=int(
                float(options.get('server_selection_timeout', 5.0)) * 1000),
            connectTimeoutMS=timeout_ms, socketTimeoutMS=timeout_ms,
            maxPoolSize=int(options.get('max_pool_size', 50)))
        client.admin.command('ping')
    except (pymongo.errors.ConfigurationError, ValueError) as exc:
        raise errors.ConfigurationError(
            f'MongoDB URI or options are invalid: {exc}') from exc
    except pymongo.errors.PyMongoError as exc:
        raise errors.ConfigurationError(
            f'MongoDB at {_without_password(uri)} cannot be reached: '
            f'{exc}') from exc
    return client


def read_preference(options) -> str:
    """The read preference mode name pymongo takes."""
    name = options.get('read_preference', 'primary')
    read_pref_mode_from_name(name)  # raises ValueError for unknown names
    return name


def updates_are_isolated(client) -> bool:
    """Whether an update's filter and change apply atomically.

    MongoDB: yes.  FerretDB v1 reads the matching documents, changes them
    and writes them back without isolation, so concurrent updates of one
    document can be lost (only inserts and deletes are atomic there).
    """
    return 'ferretdbVersion' not in client.admin.command('buildInfo')


def _write_concern(value):
    text = str(value)
    if text == '0':
        raise errors.ConfigurationError(
            'MongoDB write_concern 0 (unacknowledged) would lose writes '
            'silently; use "majority" or a number of members')
    return int(text) if text.isdigit() else text


def _without_password(uri):
    scheme, _, rest = uri.partition('://')
    credentials, at, host = rest.rpartition('@')
    if not at:
        return uri
    return f'{scheme}://{credentials.split(":")[0]}:***@{host}'


@contextlib.contextmanager
def storage_errors():
    """Turn a lost or failing server into ``StorageUnavailable``."""
    try:
        yield
    except _UNAVAILABLE as exc:
        raise errors.StorageUnavailable(f'MongoDB: {exc}') from exc


class Collection:
    """One collection, through the operations the controllers need.

    Args:
        collection: the pymongo collection.
        isolated: whether the engine applies an update's or delete's filter
            atomically (see :func:`updates_are_isolated`).
    """

    def __init__(self, collection, isolated=True):
        self.raw = collection
        self.isolated = isolated

    def find(self, query, sort=None, limit=0, projection=None) -> list:
        with storage_errors():
            return list(self.raw.find(query, projection, sort=sort,
                                      limit=limit))

    def find_one(self, query, sort=None, projection=None):
        with storage_errors():
            return self.raw.find_one(query, projection, sort=sort)

    def aggregate(self, pipeline) -> list:
        with storage_errors():
            return list(self.raw.aggregate(pipeline))

    def count(self, query) -> int:
        with storage_errors():
            return self.raw.count_documents(query)

    def insert(self, documents) -> int:
        """Insert in order, stopping at the first duplicate key.

        Returns:
            how many were inserted before it (all of them: ``len``).
        """
        with storage_errors():
            try:
                self.raw.insert_many(documents, ordered=True)
            except pymongo.errors.BulkWriteError as exc:
                return _inserted_before_duplicate(exc)
        return len(documents)

    def insert_each(self, documents) -> list:
        """Insert each document that does not clash with an existing one.

        Returns:
            the positions of the inserted documents.
        """
        with storage_errors():
            try:
                self.raw.insert_many(documents, ordered=False)
            except pymongo.errors.BulkWriteError as exc:
                failed = _duplicates(exc)
                return [i for i in range(len(documents)) if i not in failed]
        return list(range(len(documents)))

    def insert_one(self, document) -> bool:
        """Insert; False when a unique index already holds its key."""
        with storage_errors():
            try:
                self.raw.insert_one(document)
            except pymongo.errors.DuplicateKeyError:
                return False
        return True

    def upsert(self, document) -> bool:
        """Insert or replace the document with its ``_id``; True if new."""
        with storage_errors():
            return self.raw.replace_one({'_id': document['_id']}, document,
                                        upsert=True).upserted_id is not None

    def update_one(self, query, change) -> int:
        with storage_errors():
            return self.raw.update_one(query, change).matched_count

    def update_unique(self, query, change):
        """``update_one``, or None when the change would clash with a
        unique index (nothing is changed then)."""
        with storage_errors():
            try:
                return self.raw.update_one(query, change).matched_count
            except pymongo.errors.DuplicateKeyError:
                return None

    def update_many(self, query, change) -> int:
        with storage_errors():
            return self.raw.update_many(query, change).matched_count

    def find_one_and_update(self, query, change):
        """The whole document after the change, or None when none matched.

        (FerretDB v1 takes no projection here.)
        """
        with storage_errors():
            return self.raw.find_one_and_update(
                query, change, return_document=pymongo.ReturnDocument.AFTER)

    def delete_one(self, query) -> int:
        with storage_errors():
            return self.raw.delete_one(query).deleted_count

    def delete_by_id(self, doc_id, still=None) -> int:
        """Delete one document by id if it still matches ``still``.

        ``still`` re-checks, atomically, what the caller read.  An engine
        without isolated writes (FerretDB v1) cannot re-check atomically
        anyway, so it gets the id alone: the one filter FerretDB hands to
        SQLite rather than decoding every document of the collection.
        """
        query = {'_id': doc_id}
        if still and self.isolated:
            query.update(still)
        with storage_errors():
            return self.raw.delete_one(query).deleted_count

    def delete_many(self, query) -> int:
        with storage_errors():
            return self.raw.delete_many(query).deleted_count


def _duplicates(exc) -> set:
    """Positions that failed on a duplicate key; anything else re-raises."""
    failed = set()
    for error in exc.details.get('writeErrors', []):
        if error.get('code') != DUPLICATE_KEY:
            raise exc
        failed.add(error['index'])
    if not failed:
        raise exc
    return failed


def _inserted_before_duplicate(exc) -> int:
    return min(_duplicates(exc))


@dataclasses.dataclass(frozen=True)
class Collections:
    """The store's collections (named in ``schema.py``)."""

    queues: Collection
    messages: Collection
    claims: Collection
    leases: Collection
    subscriptions: Collection
    idempotency_keys: Collection
    redrive_jobs: Collection

    @classmethod
    def of(cls, database, isolated=True) -> 'Collections':
        def wrap(name):
            return Collection(database[name], isolated)
        return cls(queues=wrap(schema.QUEUES), messages=wrap(schema.MESSAGES),
                   claims=wrap(schema.CLAIMS), leases=wrap(schema.LEASES),
                   subscriptions=wrap(schema.SUBSCRIPTIONS),
                   idempotency_keys=wrap(schema.IDEMPOTENCY_KEYS),
                   redrive_jobs=wrap(schema.REDRIVE_JOBS))
