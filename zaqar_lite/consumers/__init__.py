"""Consumer workers: claim messages, hand each to a handler that writes SQL.

A *handler* is a Python module named per consumer in ``zaqar.conf``
(``[consumer:<name>]``) with ``process(dbsession, record)``; the worker
owns the transaction (commit when ``process`` returns, roll back when it
raises) and the message (delete after commit, release to be retried
after a failure).

    config.py      the [consumer:<name>] sections
    handlers.py    loading handler modules; their home package
    database.py    engine, the handler's session, outages
    batch.py       one claimed batch, a transaction per message
    worker.py      a consumer's threads and their claim loop
    migrations.py  Alembic, one history per handler package
    models.py      the declarative Base of handlers' models
    cli.py         worker, make-migration, migrate, handlers' commands

See docs/consumers.md.
"""
