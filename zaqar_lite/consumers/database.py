"""The database handlers write to: engine, sessions, and telling an outage
from a failed transaction."""

import logging

from sqlalchemy import create_engine, exc, text
from sqlalchemy.orm import Session, sessionmaker

LOG = logging.getLogger(__name__)
MAX_WAIT = 30.0  # seconds between checks while the database is down


class HandlerSession(Session):
    """The session a handler gets: the worker owns the transaction."""

    def commit(self):
        raise RuntimeError('a handler must not commit: the worker commits '
                           'when process() returns')

    def rollback(self):
        raise RuntimeError('a handler must not roll back: raise, and the '
                           'worker rolls back and retries the message')


def engine_for(conf):
    """The SQLAlchemy engine of ``[consumers] database``."""
    return create_engine(conf.consumers.database, pool_pre_ping=True)


def handler_sessions(engine) -> sessionmaker:
    """A factory of :class:`HandlerSession` bound to ``engine``."""
    return sessionmaker(bind=engine, class_=HandlerSession,
                        expire_on_commit=False)


def is_reachable(engine) -> bool:
    """Whether the database answers a ``SELECT 1`` now."""
    try:
        with engine.connect() as connection:
            connection.execute(text('SELECT 1'))
    except exc.DBAPIError:
        return False
    return True


def is_outage(error, engine) -> bool:
    """Whether ``error`` (raised by a transaction) means the database is
    down, rather than that this one transaction failed: a connection-level
    error, confirmed by the database not answering."""
    connection_level = isinstance(
        error, (exc.OperationalError, exc.InterfaceError)) or getattr(
        error, 'connection_invalidated', False)
    return connection_level and not is_reachable(engine)


def wait_until_reachable(engine, stop, interval) -> bool:
    """Check the database with a growing interval until it answers or
    ``stop`` is set; returns whether it answers."""
    while not stop.is_set():
        if is_reachable(engine):
            LOG.info('the database answers again')
            return True
        LOG.debug('the database is still unavailable; next check in %.2f s',
                  interval)
        stop.wait(interval)
        interval = min(interval * 2, MAX_WAIT)
    return False
